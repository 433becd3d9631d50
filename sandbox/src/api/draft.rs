//! Draft box: `/cgi-bin/draft/{add,get,delete,update,count,batchget,switch}` (publishing a
//! draft is `publish.rs`). Articles are validated
//! (type news/newspic, title ≤ 32 chars → 45003, author ≤ 16 → 45110, digest ≤ 128 → 45004,
//! content required, cover/image ids must be permanent materials → 40007). The sandbox account's
//! draft box is open (`draft/switch` reports `is_open` 1; the page now marks the switch deprecated,
//! the draft box being open for every account). A missing digest of a single-article draft is the
//! first 54 characters of the body's text, as documented; multi-article drafts have none.
//! `/channels/ec/service/product/getcardinfo` answers product cards for numeric product ids.

use serde_json::{json, Value};

use super::media::{new_media_id, require_material};
use super::{str_of, Ctx, Route};
use crate::reply::{data, err, ok, ok_with, Outcome, WxError};
use crate::state::{now_unix, Draft, State};

pub(crate) fn routes() -> Vec<(&'static str, Route)> {
    vec![
        ("/cgi-bin/draft/add", add),
        ("/cgi-bin/draft/get", get_draft),
        ("/cgi-bin/draft/delete", delete),
        ("/cgi-bin/draft/update", update),
        ("/cgi-bin/draft/count", count),
        ("/cgi-bin/draft/batchget", batchget),
        ("/cgi-bin/draft/switch", switch),
        ("/channels/ec/service/product/getcardinfo", product_card_info),
    ]
}

/// Validates one article and fills WeChat's defaults.
pub(crate) fn article(s: &State, a: &Value) -> Result<Value, WxError> {
    let mut a = a.as_object().cloned().ok_or_else(|| super::missing("articles[]"))?;
    let kind = a.get("article_type").and_then(Value::as_str).unwrap_or("news").to_string();
    let v = Value::Object(a.clone());
    // Title, author and digest lengths are the spec's limits, checked before this runs.
    let content = str_of(&v, "content").ok_or_else(|| super::missing("content"))?;
    if content.len() > 1 << 20 {
        return Err(err(45002, "content size out of limit"));
    }
    match kind.as_str() {
        "news" => {
            let thumb = str_of(&v, "thumb_media_id").ok_or_else(|| super::missing("thumb_media_id"))?;
            require_material(s, thumb, &["image", "thumb"])?;
        }
        "newspic" => {
            let list = v
                .get("image_info")
                .and_then(|i| i.get("image_list"))
                .and_then(Value::as_array)
                .filter(|l| !l.is_empty())
                .ok_or_else(|| super::missing("image_info.image_list"))?;
            for img in list {
                require_material(s, str_of(img, "image_media_id").unwrap_or(""), &["image"])?;
            }
        }
        _ => return Err(err(40035, "invalid args, article_type must be news or newspic")),
    }
    a.insert("article_type".into(), json!(kind));
    for (k, d) in [("author", json!("")), ("digest", json!("")), ("content_source_url", json!(""))] {
        a.entry(k).or_insert(d);
    }
    for k in ["need_open_comment", "only_fans_can_comment"] {
        a.entry(k).or_insert(json!(0));
    }
    Ok(Value::Object(a))
}

pub(crate) fn articles(s: &State, list: Option<&Value>) -> Result<Vec<Value>, WxError> {
    let list = list.and_then(Value::as_array).ok_or_else(|| super::missing("articles"))?;
    if list.is_empty() {
        return Err(err(44003, "empty news data"));
    }
    if list.len() > 8 {
        return Err(err(45008, "article size out of limit"));
    }
    let mut out = list.iter().map(|a| article(s, a)).collect::<Result<Vec<_>, _>>()?;
    if let [only] = out.as_mut_slice() {
        default_digest(only);
    }
    Ok(out)
}

/// 仅有单图文消息才有摘要 … 如果本字段为没有填写，则默认抓取正文前54个字: the text of the body
/// without its tags, first 54 characters.
fn default_digest(a: &mut Value) {
    if a.get("digest").and_then(Value::as_str).is_some_and(|d| !d.is_empty()) {
        return;
    }
    let mut text = String::new();
    let mut in_tag = false;
    for c in a.get("content").and_then(Value::as_str).unwrap_or("").chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    a["digest"] = json!(text.trim().chars().take(54).collect::<String>());
}

/// `news_item` as WeChat returns it: the stored fields plus a (preview) `url`.
pub(crate) fn news_items(media_id: &str, articles: &[Value], deleted: Option<&[bool]>) -> Vec<Value> {
    articles
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let mut a = a.clone();
            a["url"] = json!(format!(
                "http://mp.weixin.qq.com/s?__biz=MzSandbox&mid={}&idx={}",
                &media_id[..8.min(media_id.len())],
                i + 1
            ));
            if let Some(d) = deleted {
                a["is_deleted"] = json!(d.get(i).copied().unwrap_or(false));
            }
            a
        })
        .collect()
}

fn add(ctx: &Ctx<'_>) -> Outcome {
    ctx.with(|s| {
        let list = articles(s, ctx.body.get("articles"))?;
        let id = new_media_id();
        s.drafts.insert(id.clone(), Draft { articles: list, update_time: now_unix() });
        data(json!({"media_id": id}))
    })
}

pub(crate) fn draft_id<'c>(ctx: &'c Ctx<'_>) -> Result<&'c str, WxError> {
    ctx.s("media_id").ok_or_else(|| err(41006, "media_id missing"))
}

fn get_draft(ctx: &Ctx<'_>) -> Outcome {
    let id = draft_id(ctx)?;
    ctx.with(|s| {
        let d = s.drafts.get(id).ok_or_else(|| err(40007, "invalid media_id"))?;
        data(json!({"news_item": news_items(id, &d.articles, None)}))
    })
}

fn delete(ctx: &Ctx<'_>) -> Outcome {
    let id = draft_id(ctx)?;
    ctx.with(|s| s.drafts.remove(id)).ok_or_else(|| err(40007, "invalid media_id"))?;
    ok()
}

fn update(ctx: &Ctx<'_>) -> Outcome {
    let id = draft_id(ctx)?;
    let index = ctx.i("index").ok_or_else(|| super::missing("index"))?;
    ctx.with(|s| {
        let mut a = article(s, ctx.body.get("articles").unwrap_or(&Value::Null))?;
        if s.drafts.get(id).is_some_and(|d| d.articles.len() == 1) {
            default_digest(&mut a);
        }
        let d = s.drafts.get_mut(id).ok_or_else(|| err(40007, "invalid media_id"))?;
        let slot = usize::try_from(index)
            .ok()
            .and_then(|i| d.articles.get_mut(i))
            .ok_or_else(|| err(40035, "invalid args, index out of range"))?;
        *slot = a;
        d.update_time = now_unix();
        ok()
    })
}

/// `POST /cgi-bin/draft/switch[?checkonly=1]`: `checkonly=1` queries, absent or 0 opens; the box is
/// already open, so both answer `is_open` 1. Other `checkonly` values → 40035.
fn switch(ctx: &Ctx<'_>) -> Outcome {
    match ctx.q("checkonly") {
        None | Some("0") | Some("1") => ok_with(json!({"is_open": 1})),
        Some(_) => Err(err(40035, "invalid args, checkonly must be 0 or 1")),
    }
}

fn count(ctx: &Ctx<'_>) -> Outcome {
    let n = ctx.with(|s| s.drafts.len());
    data(json!({"total_count": n}))
}

/// `offset`, `count` (1..=20) and `no_content` of a batchget.
pub(crate) fn paging(ctx: &Ctx<'_>) -> Result<(usize, usize, bool), WxError> {
    let offset = ctx.i("offset").ok_or_else(|| super::missing("offset"))?;
    let count = ctx.i("count").ok_or_else(|| super::missing("count"))?;
    if offset < 0 || !(1..=20).contains(&count) {
        return Err(err(40035, "invalid args, offset >= 0 and count within 1..=20"));
    }
    Ok((offset as usize, count as usize, ctx.i("no_content") == Some(1)))
}

pub(crate) fn strip_content(mut items: Vec<Value>, no_content: bool) -> Vec<Value> {
    if no_content {
        items.iter_mut().filter_map(Value::as_object_mut).for_each(|o| {
            o.remove("content");
        });
    }
    items
}

fn batchget(ctx: &Ctx<'_>) -> Outcome {
    let (offset, count, no_content) = paging(ctx)?;
    ctx.with(|s| {
        let mut all: Vec<(&String, &Draft)> = s.drafts.iter().collect();
        all.sort_by_key(|(_, d)| std::cmp::Reverse(d.update_time));
        let item: Vec<Value> = all
            .iter()
            .skip(offset)
            .take(count)
            .map(|(id, d)| {
                let items = strip_content(news_items(id, &d.articles, None), no_content);
                json!({"media_id": id, "content": {"news_item": items, "create_time": d.update_time, "update_time": d.update_time}, "update_time": d.update_time})
            })
            .collect();
        data(json!({"total_count": s.drafts.len(), "item_count": item.len(), "item": item}))
    })
}

/// `POST /channels/ec/service/product/getcardinfo`: a numeric `product_id` is a product of the
/// sandbox shop (else 10170001); `article_type` news or newspic (else 10170002); `card_type` one the
/// article type takes — newspic: small 1, text link 2, bar 3; news: large 0, small 1, text link 2
/// (else 10170003). Answers `DOM` always and `product_key` for newspic, whose footer product card
/// takes the key.
fn product_card_info(ctx: &Ctx<'_>) -> Outcome {
    let product = ctx.s("product_id").ok_or_else(|| super::missing("product_id"))?;
    let kind = ctx.s("article_type").ok_or_else(|| super::missing("article_type"))?;
    let card = ctx.i("card_type").ok_or_else(|| super::missing("card_type"))?;
    if product.is_empty() || !product.bytes().all(|b| b.is_ascii_digit()) {
        return Err(err(10170001, "invalid product id"));
    }
    let allowed: &[i64] = match kind {
        "newspic" => &[1, 2, 3],
        "news" => &[0, 1, 2],
        _ => return Err(err(10170002, "unsupported article type")),
    };
    if !allowed.contains(&card) {
        return Err(err(10170003, "unsupported card type"));
    }
    let dom = format!(
        "<mp-common-product data-pid=\"{product}\" data-card-type=\"{card}\" class=\"js_product_container\"></mp-common-product>"
    );
    let mut answer = json!({"DOM": dom});
    if kind == "newspic" {
        answer["product_key"] = json!(format!("sandbox_product_{product}"));
    }
    ok_with(answer)
}
