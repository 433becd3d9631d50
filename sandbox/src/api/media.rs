//! Temporary media: `/cgi-bin/media/upload` (multipart part `media`, query `type`),
//! `/cgi-bin/media/get` (the bytes back; a video answers `{video_url}`),
//! `/cgi-bin/media/get/jssdk` (HD voice: a temporary voice's bytes as `audio/speex`),
//! `/cgi-bin/media/uploadnews` (news material for mass sends) and `/cgi-bin/media/uploadimg`
//! (article images → URL). Other areas check media ids through [`require_media`].

use serde_json::{json, Value};

use super::{Ctx, Part, Route};
use crate::reply::{data, err, Outcome, Reply, WxError};
use crate::state::{now_unix, Media, State};
use crate::tokens::random_string;

pub(crate) fn routes() -> Vec<(&'static str, Route)> {
    vec![
        ("/cgi-bin/media/upload", upload_media),
        ("/cgi-bin/media/get", get_media),
        ("/cgi-bin/media/get/jssdk", get_hd_voice),
        ("/cgi-bin/media/uploadnews", upload_news),
        ("/cgi-bin/media/uploadimg", upload_img),
    ]
}

/// 40007 unless `id` names temporary media or a permanent material of one of `kinds`.
pub(crate) fn require_media(s: &State, id: &str, kinds: &[&str]) -> Result<(), WxError> {
    let kind = s.media.get(id).map(|m| m.kind.as_str()).or_else(|| s.materials.get(id).map(|m| m.kind.as_str()));
    match kind {
        Some(k) if kinds.contains(&k) => Ok(()),
        _ => Err(err(40007, "invalid media_id")),
    }
}

/// 40007 unless `id` names a permanent material of one of `kinds` (drafts and menus need
/// permanent media ids).
pub(crate) fn require_material(s: &State, id: &str, kinds: &[&str]) -> Result<(), WxError> {
    match s.materials.get(id) {
        Some(m) if kinds.contains(&m.kind.as_str()) => Ok(()),
        _ => Err(err(40007, "invalid media_id")),
    }
}

/// Per type: allowed extensions, max size, size errcode and its message.
pub(crate) fn rules(kind: &str) -> Option<(&'static [&'static str], usize, i64, &'static str)> {
    match kind {
        "image" => Some((&["jpg", "jpeg", "png", "gif", "bmp"], 10 << 20, 40009, "invalid image size")),
        "voice" => Some((&["amr", "mp3", "speex"], 2 << 20, 40010, "invalid voice size")),
        "video" => Some((&["mp4"], 10 << 20, 40011, "invalid video size")),
        "thumb" => Some((&["jpg", "jpeg"], 64 << 10, 40012, "invalid thumb size")),
        _ => None,
    }
}

pub(crate) fn content_type_for(ext: &str) -> &'static str {
    match ext {
        "jpg" | "jpeg" => "image/jpeg",
        "png" => "image/png",
        "gif" => "image/gif",
        "bmp" => "image/bmp",
        "amr" => "audio/amr",
        "mp3" => "audio/mpeg",
        "speex" => "audio/speex",
        "mp4" => "video/mp4",
        _ => "application/octet-stream",
    }
}

pub(crate) fn extension(name: &str) -> String {
    name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default()
}

/// The `media` part, which must carry a file name: 41005 otherwise.
pub(crate) fn media_part<'a>(ctx: &'a Ctx<'_>) -> Result<(&'a Part, &'a str), WxError> {
    let part = ctx.parts.iter().find(|p| p.name == "media").ok_or_else(|| err(41005, "media data missing"))?;
    let name = part
        .filename
        .as_deref()
        .filter(|n| !n.is_empty())
        .ok_or_else(|| err(41005, "media data missing, the part needs a filename"))?;
    if part.data.is_empty() {
        return Err(err(44001, "empty media data"));
    }
    Ok((part, name))
}

/// Per media type: allowed extensions, size limit, and the error for an oversize file.
pub(crate) type Rules = fn(&str) -> Option<(&'static [&'static str], usize, i64, &'static str)>;

/// The upload's `type` query value, file part, file name and extension, checked against
/// `rules` (40004 unknown type, 40005 wrong extension, the type's size error).
pub(crate) fn checked_file<'a>(
    ctx: &'a Ctx<'_>,
    rules: Rules,
) -> Result<(&'a str, &'a Part, &'a str, String), WxError> {
    let kind = ctx.q("type").unwrap_or("");
    let (exts, max, size_code, size_msg) = rules(kind).ok_or_else(|| err(40004, "invalid media type"))?;
    let (part, name) = media_part(ctx)?;
    let ext = extension(name);
    if !exts.contains(&ext.as_str()) {
        return Err(err(40005, "invalid file type"));
    }
    if part.data.len() > max {
        return Err(err(size_code, size_msg));
    }
    Ok((kind, part, name, ext))
}

/// A new 64-character media id.
pub(crate) fn new_media_id() -> String {
    random_string(64)
}

fn upload_media(ctx: &Ctx<'_>) -> Outcome {
    let (kind, part, name, ext) = checked_file(ctx, rules)?;
    let id = new_media_id();
    let created_at = now_unix();
    let content_type = part
        .content_type
        .clone()
        .filter(|c| c != "application/octet-stream")
        .unwrap_or_else(|| content_type_for(&ext).to_string());
    let media = Media { kind: kind.to_string(), filename: name.to_string(), content_type, bytes: part.data.clone() };
    ctx.with(|s| s.media.insert(id.clone(), media));
    let id_key = if kind == "thumb" { "thumb_media_id" } else { "media_id" };
    data(json!({"type": kind, id_key: id, "created_at": created_at}))
}

fn get_media(ctx: &Ctx<'_>) -> Outcome {
    let id = ctx.q("media_id").ok_or_else(|| err(41006, "media_id missing"))?;
    let media = ctx.with(|s| s.media.get(id).cloned()).ok_or_else(|| err(40007, "invalid media_id"))?;
    match media.kind.as_str() {
        "video" => {
            data(json!({"video_url": format!("http://vweixinf.tc.qq.com/102/20202/snsvideodownload?filekey={id}")}))
        }
        "news" => Err(err(40007, "invalid media_id (news material is not downloadable)")),
        _ => Ok(Reply::Bytes { content_type: media.content_type, filename: Some(media.filename), body: media.bytes }),
    }
}

/// HD voice (JS-SDK `uploadVoice` serverIds): only temporary voice media qualifies; the sandbox
/// has no transcoder, so the stored bytes come back labelled as 16 kHz speex.
fn get_hd_voice(ctx: &Ctx<'_>) -> Outcome {
    let id = ctx.q("media_id").ok_or_else(|| err(41006, "media_id missing"))?;
    let media = ctx.with(|s| s.media.get(id).cloned()).filter(|m| m.kind == "voice");
    let media = media.ok_or_else(|| err(40007, "invalid media_id"))?;
    let stem = media.filename.rsplit_once('.').map_or(media.filename.as_str(), |(stem, _)| stem);
    Ok(Reply::Bytes { content_type: "audio/speex".into(), filename: Some(format!("{stem}.speex")), body: media.bytes })
}

fn upload_news(ctx: &Ctx<'_>) -> Outcome {
    let articles = ctx.body.get("articles").and_then(Value::as_array).ok_or_else(|| super::missing("articles"))?;
    if articles.is_empty() {
        return Err(err(44003, "empty news data"));
    }
    if articles.len() > 8 {
        return Err(err(45008, "article size out of limit"));
    }
    ctx.with(|s| {
        for a in articles {
            let thumb =
                super::str_of(a, "thumb_media_id").ok_or_else(|| super::missing("articles[].thumb_media_id"))?;
            require_media(s, thumb, &["thumb", "image"])?;
            super::str_of(a, "title").ok_or_else(|| super::missing("articles[].title"))?;
            super::str_of(a, "content").ok_or_else(|| super::missing("articles[].content"))?;
        }
        let id = new_media_id();
        let created_at = now_unix();
        let media =
            Media { kind: "news".into(), filename: String::new(), content_type: String::new(), bytes: Vec::new() };
        s.media.insert(id.clone(), media);
        data(json!({"type": "news", "media_id": id, "created_at": created_at}))
    })
}

fn upload_img(ctx: &Ctx<'_>) -> Outcome {
    let (part, name) = media_part(ctx)?;
    let ext = extension(name);
    if !["jpg", "jpeg", "png"].contains(&ext.as_str()) {
        return Err(err(40005, "invalid file type"));
    }
    if part.data.len() > 1 << 20 {
        return Err(err(40009, "invalid image size"));
    }
    let fmt = if ext == "png" { "png" } else { "jpg" };
    let url = format!("http://mmbiz.qpic.cn/sz_mmbiz_{fmt}/{}/0", random_string(48));
    ctx.with(|s| s.images.insert(url.clone()));
    data(json!({"url": url}))
}
