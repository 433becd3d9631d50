//! Customer-service messages: `/cgi-bin/message/custom/send` (text, image, voice, video,
//! music, news, mpnews, mpnewsarticle, msgmenu, wxcard, miniprogrampage: the spec checks the
//! payload's shape, here the media ids must be the account's) and `/cgi-bin/message/custom/typing`.

use serde_json::Value;

use super::media::require_media;
use super::{invalid_openid, str_of, Ctx, Route};
use crate::reply::{err, ok, Outcome, WxError};
use crate::state::State;
use crate::SentMessage;

pub(crate) fn routes() -> Vec<(&'static str, Route)> {
    vec![("/cgi-bin/message/custom/send", send), ("/cgi-bin/message/custom/typing", typing)]
}

/// The state checks of a payload the spec already checked for shape (the `msgtype` is known,
/// its payload and their required fields are there, news has one article): media and
/// articles it names belong to the account, a text or a menu is not empty.
fn validate(s: &State, body: &Value, msgtype: &str) -> Result<(), WxError> {
    let obj = &body[msgtype];
    let id = |key: &str| str_of(obj, key).unwrap_or_default();
    let thumb = |s: &State| require_media(s, id("thumb_media_id"), &["thumb", "image"]);
    match msgtype {
        "text" if str_of(obj, "content").is_none() => return Err(err(44004, "empty content")),
        "image" => require_media(s, id("media_id"), &["image"])?,
        "voice" => require_media(s, id("media_id"), &["voice"])?,
        "video" => {
            require_media(s, id("media_id"), &["video"])?;
            thumb(s)?;
        }
        "music" | "miniprogrampage" => thumb(s)?,
        "mpnews" if require_media(s, id("media_id"), &["news"]).is_err() && !s.drafts.contains_key(id("media_id")) => {
            return Err(err(40007, "invalid media_id"));
        }
        "mpnewsarticle" if !s.publishes.values().any(|p| p.article_id == id("article_id")) => {
            return Err(err(40007, "invalid article_id"));
        }
        "msgmenu" if obj["list"].as_array().is_none_or(Vec::is_empty) => return Err(super::missing("msgmenu.list")),
        _ => {}
    }
    Ok(())
}

fn send(ctx: &Ctx<'_>) -> Outcome {
    let touser = ctx.s("touser").unwrap_or_default();
    let msgtype = ctx.s("msgtype").unwrap_or_default();
    ctx.with(|s| {
        if s.user(touser).is_none() {
            return Err(invalid_openid());
        }
        super::user::blacklist::check_not_blacklisted(s, touser)?;
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
    // The spec answers a missing field and a command other than Typing/CancelTyping (45072).
    let touser = ctx.s("touser").unwrap_or_default();
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
