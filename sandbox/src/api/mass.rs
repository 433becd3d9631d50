//! Mass messages: `/cgi-bin/message/mass/{sendall,send,preview,delete,get}`. The spec checks
//! the shape (which `msgtype` each endpoint takes, its payload, 2–10 000 recipients, clientmsgid
//! length); here: the media named belong to the account, recipients follow it, and a repeated
//! `clientmsgid` answers 45065 with the first msg_id.
//! Also `/cgi-bin/message/mass/speed/{get,set}` (levels 0–4, checked by the spec)
//! and `/cgi-bin/media/uploadvideo`, which turns a video media id into the `mpvideo` media id
//! mass messages send (40007 when the id is not a video of the account). An mpvideo payload
//! takes that id or, as the current pages allow every permanent material id, a video material.

use serde_json::{json, Value};

use super::media::{new_media_id, require_media};
use super::{invalid_openid, str_of, Ctx, Route};
use crate::reply::{data, err, error_body, ok, Outcome, Reply, WxError};
use crate::state::{now_unix, MassRecord, Media, State};
use crate::SentMessage;

pub(crate) fn routes() -> Vec<(&'static str, Route)> {
    vec![
        ("/cgi-bin/message/mass/sendall", sendall),
        ("/cgi-bin/message/mass/send", send),
        ("/cgi-bin/message/mass/preview", preview),
        ("/cgi-bin/message/mass/delete", delete),
        ("/cgi-bin/message/mass/get", status),
        ("/cgi-bin/message/mass/speed/get", get_speed),
        ("/cgi-bin/message/mass/speed/set", set_speed),
        ("/cgi-bin/media/uploadvideo", upload_video),
    ]
}

/// The state checks of a payload the spec already checked for shape (its `msgtype` is one the
/// endpoint takes and its payload key is there): the media it names belong to the account, a
/// text is not empty. WeChat's msgtype for an image post is `image`, carried under `images`
/// (several media ids) in sendall/send and under `image` (one media_id) in preview.
fn validate(s: &State, body: &Value) -> Result<(), WxError> {
    let media = |key: &str| body[key]["media_id"].as_str().unwrap_or_default();
    if body.get("mpnews").is_some() {
        let id = media("mpnews");
        if require_media(s, id, &["news"]).is_err() && !s.drafts.contains_key(id) {
            return Err(err(40007, "invalid media_id"));
        }
    } else if body.get("text").is_some() {
        if str_of(&body["text"], "content").is_none() {
            return Err(err(44004, "empty content"));
        }
    } else if body.get("voice").is_some() {
        require_media(s, media("voice"), &["voice"])?;
    } else if body.get("images").is_some() {
        let ids = body["images"]["media_ids"].as_array().map(Vec::as_slice).unwrap_or_default();
        if ids.is_empty() {
            return Err(super::missing("images.media_ids"));
        }
        for id in ids {
            require_media(s, id.as_str().unwrap_or_default(), &["image"])?;
        }
    } else if body.get("image").is_some() {
        require_media(s, media("image"), &["image"])?;
    } else if body.get("mpvideo").is_some() {
        require_media(s, media("mpvideo"), &["mpvideo", "video"])?;
    }
    Ok(())
}

/// The common tail of sendall/send: clientmsgid dedup, bookkeeping, delivery.
fn submit(s: &mut State, body: &Value, msgtype: &str, kind: &str) -> Outcome {
    let client_id = str_of(body, "clientmsgid").map(str::to_string);
    if let Some(cid) = &client_id {
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
    let filter = &ctx.body["filter"];
    let to_all = filter.get("is_to_all").and_then(Value::as_bool).unwrap_or(false);
    let msgtype = ctx.s("msgtype").unwrap_or_default();
    ctx.with(|s| {
        if !to_all {
            let tag = super::int_of(filter, "tag_id").ok_or_else(|| super::missing("filter.tag_id"))?;
            if !s.tags.contains_key(&tag) {
                return Err(err(45159, "invalid tag id"));
            }
        }
        validate(s, &ctx.body)?;
        submit(s, &ctx.body, msgtype, "mass_sendall")
    })
}

fn send(ctx: &Ctx<'_>) -> Outcome {
    let list = ctx.body["touser"].as_array().map(Vec::as_slice).unwrap_or_default();
    let msgtype = ctx.s("msgtype").unwrap_or_default();
    ctx.with(|s| {
        for o in list {
            if s.user(o.as_str().unwrap_or("")).is_none() {
                return Err(invalid_openid());
            }
        }
        validate(s, &ctx.body)?;
        submit(s, &ctx.body, msgtype, "mass_send")
    })
}

fn preview(ctx: &Ctx<'_>) -> Outcome {
    let touser = ctx.s("touser");
    let towxname = ctx.s("towxname");
    ctx.with(|s| {
        match (touser, towxname) {
            (Some(t), _) if s.user(t).is_none() => return Err(invalid_openid()),
            (None, None) => return Err(super::missing("touser")),
            _ => {}
        }
        validate(s, &ctx.body)?;
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

/// The spec answers a missing (45084) or out-of-range (45083) level.
fn set_speed(ctx: &Ctx<'_>) -> Outcome {
    let speed = ctx.i("speed").unwrap_or_default();
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
