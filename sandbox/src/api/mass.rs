//! Mass messages: `/cgi-bin/message/mass/{sendall,send,preview,delete,get}`. Payloads are
//! validated per `msgtype` (mpnews, text, voice, image: `images` in sendall/send and `image` in preview, mpvideo, wxcard), recipients
//! must follow the account, and a repeated `clientmsgid` answers 45065 with the first msg_id.
//! Also `/cgi-bin/message/mass/speed/{get,set}` (speed 0–4: 45083 out of range, 45084 missing)
//! and `/cgi-bin/media/uploadvideo`, which turns a video media id into the `mpvideo` media id
//! mass messages send (40007 when the id is not a video of the account). An mpvideo payload
//! takes that id or, as the current pages allow every permanent material id, a video material.

use serde_json::{json, Value};

use super::media::{new_media_id, require_media};
use super::{invalid_openid, post, str_of, Ctx, Input, Route};
use crate::reply::{data, err, error_body, ok, Outcome, Reply, WxError};
use crate::state::{now_unix, MassRecord, Media, State};
use crate::SentMessage;

pub(crate) fn routes() -> Vec<(&'static str, Route)> {
    vec![
        ("/cgi-bin/message/mass/sendall", post(sendall)),
        ("/cgi-bin/message/mass/send", post(send)),
        ("/cgi-bin/message/mass/preview", post(preview)),
        ("/cgi-bin/message/mass/delete", post(delete)),
        ("/cgi-bin/message/mass/get", post(status)),
        // Documented without a request body.
        ("/cgi-bin/message/mass/speed/get", Route { input: Input::None, ..post(get_speed) }),
        ("/cgi-bin/message/mass/speed/set", post(set_speed)),
        ("/cgi-bin/media/uploadvideo", post(upload_video)),
    ]
}

fn media_field<'v>(obj: &'v Value, path: &str) -> Result<&'v str, WxError> {
    str_of(obj, "media_id").ok_or_else(|| super::missing(&format!("{path}.media_id")))
}

/// Validates the payload of `msgtype`. WeChat's msgtype for an image post is `image`; sendall
/// and send carry it under `images` (several media ids), preview under `image` (one media_id)
/// — `images_allowed` says which. There is no msgtype `images`.
fn validate(s: &State, body: &Value, msgtype: &str, images_allowed: bool) -> Result<(), WxError> {
    let key = if msgtype == "image" && images_allowed { "images" } else { msgtype };
    let known = ["mpnews", "text", "voice", "image", "mpvideo", "wxcard"];
    if !known.contains(&msgtype) {
        return Err(err(40008, "invalid message type"));
    }
    let obj = body.get(key).filter(|o| o.is_object()).ok_or_else(|| super::missing(key))?;
    match key {
        "mpnews" => {
            let id = media_field(obj, key)?;
            if require_media(s, id, &["news"]).is_err() && !s.drafts.contains_key(id) {
                return Err(err(40007, "invalid media_id"));
            }
        }
        "text" => {
            if str_of(obj, "content").is_none() {
                return Err(err(44004, "empty content"));
            }
        }
        "voice" => require_media(s, media_field(obj, key)?, &["voice"])?,
        "image" => require_media(s, media_field(obj, key)?, &["image"])?,
        "images" => {
            let ids =
                obj.get("media_ids").and_then(Value::as_array).ok_or_else(|| super::missing("images.media_ids"))?;
            if ids.is_empty() {
                return Err(super::missing("images.media_ids"));
            }
            for id in ids {
                require_media(s, id.as_str().unwrap_or(""), &["image"])?;
            }
        }
        "mpvideo" => require_media(s, media_field(obj, key)?, &["mpvideo", "video"])?,
        "wxcard" => {
            str_of(obj, "card_id").ok_or_else(|| super::missing("wxcard.card_id"))?;
        }
        _ => return Err(err(40008, "invalid message type")),
    }
    Ok(())
}

/// The common tail of sendall/send: clientmsgid dedup, bookkeeping, delivery.
fn submit(s: &mut State, body: &Value, msgtype: &str, kind: &str) -> Outcome {
    let client_id = str_of(body, "clientmsgid").map(str::to_string);
    if let Some(cid) = &client_id {
        if cid.len() > 64 {
            return Err(err(45067, "clientmsgid size out of limit"));
        }
        if let Some(existing) = s.mass_client_ids.get(cid) {
            let mut v = error_body(&err(45065, "clientmsgid exist"));
            v["msg_id"] = json!(existing);
            return Ok(Reply::Json(v));
        }
    }
    let msg_id = s.next_msgid();
    if let Some(cid) = client_id {
        s.mass_client_ids.insert(cid, msg_id);
    }
    s.mass.insert(msg_id, MassRecord { msgtype: msgtype.to_string(), status: "SEND_SUCCESS".into() });
    s.sent.push(SentMessage { kind: kind.into(), touser: None, msgid: Some(msg_id), body: body.clone() });
    let mut v = json!({"errcode": 0, "errmsg": "send job submission success", "msg_id": msg_id});
    if msgtype == "mpnews" {
        v["msg_data_id"] = json!(2_247_000_000_i64 + msg_id % 1_000_000);
    }
    Ok(Reply::Json(v))
}

fn sendall(ctx: &Ctx<'_>) -> Outcome {
    let filter = ctx.body.get("filter").filter(|f| f.is_object()).ok_or_else(|| super::missing("filter"))?;
    let to_all = filter.get("is_to_all").and_then(Value::as_bool).unwrap_or(false);
    let msgtype = ctx.s("msgtype").ok_or_else(|| err(40008, "invalid message type"))?;
    ctx.with(|s| {
        if !to_all {
            let tag = super::int_of(filter, "tag_id").ok_or_else(|| super::missing("filter.tag_id"))?;
            if !s.tags.contains_key(&tag) {
                return Err(err(45159, "invalid tag id"));
            }
        }
        validate(s, &ctx.body, msgtype, true)?;
        submit(s, &ctx.body, msgtype, "mass_sendall")
    })
}

fn send(ctx: &Ctx<'_>) -> Outcome {
    let list = ctx.body.get("touser").and_then(Value::as_array).ok_or_else(|| super::missing("touser"))?;
    if list.len() < 2 {
        return Err(err(40130, "invalid openid list size, at least two openid"));
    }
    if list.len() > 10_000 {
        return Err(err(40032, "invalid openid list size, at most 10000 openids"));
    }
    let msgtype = ctx.s("msgtype").ok_or_else(|| err(40008, "invalid message type"))?;
    ctx.with(|s| {
        for o in list {
            if s.user(o.as_str().unwrap_or("")).is_none() {
                return Err(invalid_openid());
            }
        }
        validate(s, &ctx.body, msgtype, true)?;
        submit(s, &ctx.body, msgtype, "mass_send")
    })
}

fn preview(ctx: &Ctx<'_>) -> Outcome {
    let msgtype = ctx.s("msgtype").ok_or_else(|| err(40008, "invalid message type"))?;
    let touser = ctx.s("touser");
    let towxname = ctx.s("towxname");
    ctx.with(|s| {
        match (touser, towxname) {
            (Some(t), _) if s.user(t).is_none() => return Err(invalid_openid()),
            (None, None) => return Err(super::missing("touser")),
            _ => {}
        }
        validate(s, &ctx.body, msgtype, false)?;
        let msg_id = s.next_msgid();
        s.sent.push(SentMessage {
            kind: "mass_preview".into(),
            touser: touser.map(str::to_string),
            msgid: Some(msg_id),
            body: ctx.body.clone(),
        });
        Ok(Reply::Json(json!({"errcode": 0, "errmsg": "preview success", "msg_id": msg_id})))
    })
}

fn known_msg<'s>(ctx: &Ctx<'_>, s: &'s mut State) -> Result<(i64, &'s mut MassRecord), WxError> {
    let id = ctx.i("msg_id").ok_or_else(|| super::missing("msg_id"))?;
    let rec = s.mass.get_mut(&id).ok_or_else(|| err(40059, "invalid msg id"))?;
    Ok((id, rec))
}

fn delete(ctx: &Ctx<'_>) -> Outcome {
    if ctx.body.get("msg_id").is_none() {
        // Deleting by article URL: only mass messages' article pages have one, and the sandbox
        // serves none, so any http(s) URL is accepted as already deleted.
        let url = ctx.s("url").ok_or_else(|| super::missing("msg_id"))?;
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            return Err(err(40035, "invalid args, url must be an article URL"));
        }
        return ok();
    }
    ctx.with(|s| {
        let (_, rec) = known_msg(ctx, s)?;
        if rec.msgtype != "mpnews" && rec.msgtype != "mpvideo" {
            return Err(err(40035, "invalid args, only mpnews and mpvideo mass messages can be deleted"));
        }
        if ctx.i("article_idx").is_some_and(|i| i < 0) {
            return Err(err(40060, "invalid article_idx"));
        }
        rec.status = "DELETE".into();
        ok()
    })
}

fn status(ctx: &Ctx<'_>) -> Outcome {
    ctx.with(|s| {
        let (id, rec) = known_msg(ctx, s)?;
        Ok(Reply::Json(json!({"msg_id": id, "msg_status": rec.status})))
    })
}

/// 万人/分钟 for each speed level.
const REALSPEED: [i64; 5] = [80, 60, 45, 30, 10];

fn get_speed(ctx: &Ctx<'_>) -> Outcome {
    let speed = ctx.with(|s| s.mass_speed);
    Ok(Reply::Json(json!({"speed": speed, "realspeed": REALSPEED.get(speed as usize).copied().unwrap_or(80)})))
}

fn set_speed(ctx: &Ctx<'_>) -> Outcome {
    if ctx.body.get("speed").is_none() {
        return Err(err(45084, "no speed"));
    }
    let speed =
        ctx.i("speed").filter(|s| (0..=4).contains(s)).ok_or_else(|| err(45083, "invalid speed, speed is 0 to 4"))?;
    ctx.with(|s| s.mass_speed = speed);
    ok()
}

/// The video (temporary media or permanent material) becomes a new `mpvideo` media id carrying
/// the message's title and description.
fn upload_video(ctx: &Ctx<'_>) -> Outcome {
    let media_id = ctx.need("media_id")?;
    let title = ctx.s("title").unwrap_or_default().to_string();
    ctx.with(|s| {
        require_media(s, media_id, &["video"])?;
        let id = new_media_id();
        let media = Media { kind: "mpvideo".into(), filename: title, content_type: String::new(), bytes: Vec::new() };
        s.media.insert(id.clone(), media);
        data(json!({"type": "video", "media_id": id, "created_at": now_unix()}))
    })
}
