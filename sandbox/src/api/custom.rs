//! Customer-service messages: `/cgi-bin/message/custom/send` (text, image, voice, video,
//! music, news, mpnews, mpnewsarticle, msgmenu, wxcard, miniprogrampage; the payload object is
//! validated and media ids must exist) and `/cgi-bin/message/custom/typing`.

use serde_json::Value;

use super::media::require_media;
use super::{invalid_openid, post, str_of, Ctx, Route};
use crate::reply::{err, ok, Outcome, WxError};
use crate::state::State;
use crate::SentMessage;

pub(crate) fn routes() -> Vec<(&'static str, Route)> {
    vec![("/cgi-bin/message/custom/send", post(send)), ("/cgi-bin/message/custom/typing", post(typing))]
}

fn field<'v>(obj: &'v Value, msgtype: &str, key: &str) -> Result<&'v str, WxError> {
    str_of(obj, key).ok_or_else(|| super::missing(&format!("{msgtype}.{key}")))
}

/// Checks the payload object of `msgtype` in `body`.
fn validate(s: &State, body: &Value, msgtype: &str) -> Result<(), WxError> {
    let obj = body.get(msgtype).filter(|o| o.is_object()).ok_or_else(|| super::missing(msgtype))?;
    match msgtype {
        "text" => {
            if str_of(obj, "content").is_none() {
                return Err(err(44004, "empty content"));
            }
        }
        "image" => require_media(s, field(obj, msgtype, "media_id")?, &["image"])?,
        "voice" => require_media(s, field(obj, msgtype, "media_id")?, &["voice"])?,
        "video" => {
            require_media(s, field(obj, msgtype, "media_id")?, &["video"])?;
            if let Some(thumb) = str_of(obj, "thumb_media_id") {
                require_media(s, thumb, &["thumb", "image"])?;
            }
        }
        "music" => {
            field(obj, msgtype, "musicurl")?;
            field(obj, msgtype, "hqmusicurl")?;
            require_media(s, field(obj, msgtype, "thumb_media_id")?, &["thumb", "image"])?;
        }
        "news" => {
            let articles =
                obj.get("articles").and_then(Value::as_array).ok_or_else(|| super::missing("news.articles"))?;
            if articles.is_empty() {
                return Err(err(44003, "empty news data"));
            }
            if articles.len() > 1 {
                return Err(err(45008, "article size out of limit"));
            }
            for a in articles {
                field(a, "news.articles[]", "title")?;
                field(a, "news.articles[]", "url")?;
            }
        }
        "mpnews" => {
            let id = field(obj, msgtype, "media_id")?;
            if require_media(s, id, &["news"]).is_err() && !s.drafts.contains_key(id) {
                return Err(err(40007, "invalid media_id"));
            }
        }
        "mpnewsarticle" => {
            let id = field(obj, msgtype, "article_id")?;
            if !s.publishes.values().any(|p| p.article_id == id) {
                return Err(err(40007, "invalid article_id"));
            }
        }
        "msgmenu" => {
            let list = obj.get("list").and_then(Value::as_array).ok_or_else(|| super::missing("msgmenu.list"))?;
            if list.is_empty() {
                return Err(super::missing("msgmenu.list"));
            }
            for item in list {
                field(item, "msgmenu.list[]", "id")?;
                field(item, "msgmenu.list[]", "content")?;
            }
        }
        "wxcard" => {
            field(obj, msgtype, "card_id")?;
        }
        "miniprogrampage" => {
            // The card's title is optional (WeChat shows the mini program's name).
            field(obj, msgtype, "appid")?;
            field(obj, msgtype, "pagepath")?;
            require_media(s, field(obj, msgtype, "thumb_media_id")?, &["thumb", "image"])?;
        }
        _ => return Err(err(40008, "invalid message type")),
    }
    Ok(())
}

fn send(ctx: &Ctx<'_>) -> Outcome {
    let touser = ctx.s("touser").ok_or_else(|| super::missing("touser"))?;
    let msgtype = ctx.s("msgtype").ok_or_else(|| err(40008, "invalid message type"))?;
    ctx.with(|s| {
        if s.user(touser).is_none() {
            return Err(invalid_openid());
        }
        super::blacklist::check_not_blacklisted(s, touser)?;
        validate(s, &ctx.body, msgtype)?;
        super::kf::record_agent_message(s, touser, &ctx.body);
        s.sent.push(SentMessage {
            kind: "custom".into(),
            touser: Some(touser.into()),
            msgid: None,
            body: ctx.body.clone(),
        });
        ok()
    })
}

fn typing(ctx: &Ctx<'_>) -> Outcome {
    let touser = ctx.s("touser").ok_or_else(|| super::missing("touser"))?;
    let command = ctx.s("command").ok_or_else(|| super::missing("command"))?;
    if command != "Typing" && command != "CancelTyping" {
        return Err(err(45072, "invalid command"));
    }
    ctx.with(|s| {
        if s.user(touser).is_none() {
            return Err(invalid_openid());
        }
        s.sent.push(SentMessage {
            kind: "typing".into(),
            touser: Some(touser.into()),
            msgid: None,
            body: ctx.body.clone(),
        });
        ok()
    })
}
