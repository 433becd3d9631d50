//! Permanent materials (永久素材): `/cgi-bin/material/{add_material,get_material,del_material,
//! get_materialcount,batchget_material}`. Drafts and `media_id` menu buttons need these ids;
//! temporary media ids are rejected there (40007).

use serde_json::{json, Value};

use super::media::{checked_file, content_type_for, new_media_id};
use super::{str_of, Ctx, Route};
use crate::reply::{data, err, ok, Outcome, Reply, WxError};
use crate::state::{now_unix, Material};
use crate::tokens::random_string;

pub(crate) fn routes() -> Vec<(&'static str, Route)> {
    vec![
        ("/cgi-bin/material/add_material", add),
        ("/cgi-bin/material/get_material", get_material),
        ("/cgi-bin/material/del_material", delete),
        ("/cgi-bin/material/get_materialcount", count),
        ("/cgi-bin/material/batchget_material", batchget),
    ]
}

/// Allowed extensions, max size and the size errcode per permanent type.
fn rules(kind: &str) -> Option<(&'static [&'static str], usize, i64, &'static str)> {
    match kind {
        "image" => Some((&["bmp", "png", "jpeg", "jpg", "gif"], 10 << 20, 40009, "invalid image size")),
        "voice" => Some((&["mp3", "wma", "wav", "amr"], 2 << 20, 40010, "invalid voice size")),
        "video" => Some((&["mp4"], 10 << 20, 40011, "invalid video size")),
        "thumb" => Some((&["jpg", "jpeg"], 64 << 10, 40012, "invalid thumb size")),
        _ => None,
    }
}

fn add(ctx: &Ctx<'_>) -> Outcome {
    let (kind, part, name, ext) = checked_file(ctx, rules)?;
    let (mut title, mut introduction) = (String::new(), String::new());
    if kind == "video" {
        let desc = ctx.parts.iter().find(|p| p.name == "description").ok_or_else(|| super::missing("description"))?;
        let v: Value = serde_json::from_slice(&desc.data)
            .map_err(|_| err(47001, "data format error, description must be JSON"))?;
        title = str_of(&v, "title").ok_or_else(|| super::missing("description.title"))?.to_string();
        introduction = str_of(&v, "introduction").unwrap_or_default().to_string();
    }
    let id = new_media_id();
    let url =
        (kind == "image").then(|| format!("http://mmbiz.qpic.cn/mmbiz_{ext}/{}/0?wx_fmt={ext}", random_string(40)));
    let content_type = part
        .content_type
        .clone()
        .filter(|c| c != "application/octet-stream")
        .unwrap_or_else(|| content_type_for(&ext).to_string());
    let material = Material {
        kind: kind.to_string(),
        filename: name.to_string(),
        content_type,
        bytes: part.data.clone(),
        title,
        introduction,
        update_time: now_unix(),
        url: url.clone(),
    };
    ctx.with(|s| s.materials.insert(id.clone(), material));
    match url {
        Some(url) => data(json!({"media_id": id, "url": url})),
        None => data(json!({"media_id": id})),
    }
}

fn material_id<'c>(ctx: &'c Ctx<'_>) -> Result<&'c str, WxError> {
    ctx.s("media_id").ok_or_else(|| err(41006, "media_id missing"))
}

fn get_material(ctx: &Ctx<'_>) -> Outcome {
    let id = material_id(ctx)?;
    let m = ctx.with(|s| s.materials.get(id).cloned()).ok_or_else(|| err(40007, "invalid media_id"))?;
    if m.kind == "video" {
        return data(json!({"title": m.title, "description": m.introduction,
                           "down_url": format!("http://www.qq.com/sandbox-video/{id}.mp4")}));
    }
    Ok(Reply::Bytes { content_type: m.content_type, filename: Some(m.filename), body: m.bytes })
}

fn delete(ctx: &Ctx<'_>) -> Outcome {
    let id = material_id(ctx)?;
    ctx.with(|s| s.materials.remove(id)).ok_or_else(|| err(40007, "invalid media_id"))?;
    ok()
}

fn count(ctx: &Ctx<'_>) -> Outcome {
    ctx.with(|s| {
        let n = |k: &str| s.materials.values().filter(|m| m.kind == k).count();
        data(json!({"voice_count": n("voice"), "video_count": n("video"), "image_count": n("image") + n("thumb"), "news_count": 0}))
    })
}

fn batchget(ctx: &Ctx<'_>) -> Outcome {
    let kind = ctx.need("type")?;
    if !["image", "video", "voice", "news"].contains(&kind) {
        return Err(err(40004, "invalid media type"));
    }
    let offset = ctx.i("offset").ok_or_else(|| super::missing("offset"))?;
    let count = ctx.i("count").ok_or_else(|| super::missing("count"))?;
    if offset < 0 || !(1..=20).contains(&count) {
        return Err(err(40035, "invalid args, offset >= 0 and count within 1..=20"));
    }
    ctx.with(|s| {
        let matching: Vec<(&String, &Material)> = s.materials.iter().filter(|(_, m)| m.kind == kind).collect();
        let item: Vec<Value> = matching
            .iter()
            .skip(offset as usize)
            .take(count as usize)
            .map(|(id, m)| {
                let mut v = json!({"media_id": id, "name": m.filename, "update_time": m.update_time});
                if let Some(url) = &m.url {
                    v["url"] = json!(url);
                }
                v
            })
            .collect();
        data(json!({"total_count": matching.len(), "item_count": item.len(), "item": item}))
    })
}
