//! Parametric QR codes: `/cgi-bin/qrcode/create` (temporary QR_SCENE / QR_STR_SCENE with
//! `expire_seconds`, default 60 (the official page: 默认有效期为60秒), max 2 592 000; permanent QR_LIMIT_SCENE (scene_id
//! 1..=100000) / QR_LIMIT_STR_SCENE) and `/cgi-bin/showqrcode?ticket=` on the mp host (no
//! token; JPEG bytes; unknown or expired ticket → HTTP 404).

use std::time::{Duration, Instant};

use axum::http::StatusCode;
use serde_json::{json, Value};

use super::{Ctx, Route};
use crate::reply::{data, err, Outcome, Reply};
use crate::state::QrTicket;
use crate::tokens::random_string;

pub(crate) mod shorten;

pub(crate) fn routes() -> Vec<(&'static str, Route)> {
    vec![
        ("/cgi-bin/qrcode/create", create as Route),
        ("/cgi-bin/showqrcode", show),
        ("/cgi-bin/shorten/gen", shorten::gen),
        ("/cgi-bin/shorten/fetch", shorten::fetch),
    ]
}

fn create(ctx: &Ctx<'_>) -> Outcome {
    let action = ctx.s("action_name").ok_or_else(|| super::missing("action_name"))?;
    let scene = ctx
        .body
        .get("action_info")
        .and_then(|a| a.get("scene"))
        .filter(|s| s.is_object())
        .ok_or_else(|| super::missing("action_info.scene"))?;
    let permanent = match action {
        "QR_SCENE" | "QR_STR_SCENE" => false,
        "QR_LIMIT_SCENE" | "QR_LIMIT_STR_SCENE" => true,
        _ => {
            return Err(err(
                40035,
                "invalid args, action_name must be QR_SCENE, QR_STR_SCENE, QR_LIMIT_SCENE or QR_LIMIT_STR_SCENE",
            ))
        }
    };
    if action.ends_with("STR_SCENE") {
        let s = super::str_of(scene, "scene_str").ok_or_else(|| super::missing("action_info.scene.scene_str"))?;
        if s.chars().count() > 64 {
            return Err(err(40035, "invalid args, scene_str is 1 to 64 characters"));
        }
    } else {
        let id = super::int_of(scene, "scene_id").ok_or_else(|| super::missing("action_info.scene.scene_id"))?;
        let valid = if permanent { (1..=100_000).contains(&id) } else { id != 0 && i32::try_from(id).is_ok() };
        if !valid {
            return Err(err(40035, "invalid args, scene_id out of range"));
        }
    }
    let expire = if permanent {
        None
    } else {
        let secs = match ctx.body.get("expire_seconds") {
            None | Some(Value::Null) => 60,
            Some(_) => ctx.i("expire_seconds").ok_or_else(|| super::missing("expire_seconds"))?,
        };
        if secs <= 0 {
            return Err(err(40035, "invalid args, expire_seconds must be positive"));
        }
        Some(secs.min(2_592_000))
    };
    let ticket = format!("gQ{}==", random_string(94));
    let url = format!("http://weixin.qq.com/q/{}", random_string(22));
    let rec = QrTicket { expires: expire.map(|s| Instant::now() + Duration::from_secs(s as u64)) };
    ctx.with(|s| s.qr.insert(ticket.clone(), rec));
    match expire {
        Some(secs) => data(json!({"ticket": ticket, "expire_seconds": secs, "url": url})),
        None => data(json!({"ticket": ticket, "url": url})),
    }
}

/// A small JPEG-framed body (SOI, JFIF APP0, a comment naming the ticket, EOI).
fn jpeg_for(ticket: &str) -> Vec<u8> {
    let mut out = vec![
        0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, b'J', b'F', b'I', b'F', 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01,
        0x00, 0x00,
    ];
    let comment = format!("wechat-oa-sandbox qrcode {ticket}");
    let len = (comment.len() + 2).min(0xFFFF) as u16;
    out.extend_from_slice(&[0xFF, 0xFE]);
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(&comment.as_bytes()[..(len as usize - 2)]);
    out.extend_from_slice(&[0xFF, 0xD9]);
    out
}

fn show(ctx: &Ctx<'_>) -> Outcome {
    let Some(ticket) = ctx.q("ticket") else {
        return Ok(Reply::Status(StatusCode::NOT_FOUND));
    };
    let valid = ctx.with(|s| s.qr.get(ticket).is_some_and(|q| q.expires.is_none_or(|e| Instant::now() < e)));
    if !valid {
        return Ok(Reply::Status(StatusCode::NOT_FOUND));
    }
    Ok(Reply::Bytes { content_type: "image/jpeg".into(), filename: None, body: jpeg_for(ticket) })
}
