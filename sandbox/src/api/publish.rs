//! Publishing (发布能力): `/cgi-bin/freepublish/{submit,get,delete,getarticle,batchget}`. A
//! draft is published at once (`publish_status` 0) and leaves the draft box; `publish_id` and
//! `msg_data_id` are answered as strings, as documented.

use serde_json::{json, Value};

use super::draft::{draft_id, news_items, paging, strip_content};
use super::{Ctx, Route};
use crate::reply::{data, err, ok, ok_with, Outcome, WxError};
use crate::state::{now_unix, Comment, Publish, State};
use crate::tokens::random_string;

pub(crate) fn routes() -> Vec<(&'static str, Route)> {
    vec![
        ("/cgi-bin/freepublish/submit", submit),
        ("/cgi-bin/freepublish/get", publish_status),
        ("/cgi-bin/freepublish/delete", publish_delete),
        ("/cgi-bin/freepublish/getarticle", get_article),
        ("/cgi-bin/freepublish/batchget", publish_batchget),
    ]
}

fn submit(ctx: &Ctx<'_>) -> Outcome {
    let id = draft_id(ctx)?;
    ctx.with(|s| {
        let d = s.drafts.get(id).cloned().ok_or_else(|| err(40007, "invalid media_id"))?;
        let publish_id = format!("{}", 2_247_483_000_i64 + s.publishes.len() as i64 + 1);
        let article_id = random_string(64);
        let n = d.articles.len();
        let msg_data_id = s.next_msgid();
        let now = now_unix();
        // Two followers have already commented on each article, so comment APIs have data.
        let commenters: Vec<String> = s.users.iter().take(2).map(|u| u.openid.clone()).collect();
        let comments = (0..n)
            .map(|i| {
                commenters
                    .iter()
                    .enumerate()
                    .map(|(k, openid)| Comment {
                        id: (k + 1) as i64,
                        openid: openid.clone(),
                        create_time: now,
                        content: format!("沙箱留言 {} / {}", i + 1, k + 1),
                        elected: false,
                        deleted: false,
                        reply: None,
                    })
                    .collect()
            })
            .collect();
        s.publishes.insert(
            publish_id.clone(),
            Publish {
                article_id,
                msg_data_id,
                articles: d.articles,
                deleted: vec![false; n],
                update_time: now,
                comments_open: vec![true; n],
                comments,
            },
        );
        ok_with(json!({"publish_id": publish_id, "msg_data_id": msg_data_id.to_string()}))
    })
}

fn publish_status(ctx: &Ctx<'_>) -> Outcome {
    let pid = match ctx.body.get("publish_id") {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => return Err(super::missing("publish_id")),
    };
    ctx.with(|s| {
        let p = s.publishes.get(&pid).ok_or_else(|| err(40035, "invalid args, unknown publish_id"))?;
        let all_deleted = p.deleted.iter().all(|d| *d);
        let items: Vec<Value> = (0..p.articles.len())
            .map(|i| json!({"idx": i + 1, "article_url": format!("http://mp.weixin.qq.com/s/{}{}", &p.article_id[..16], i + 1)}))
            .collect();
        data(json!({
            "publish_id": pid,
            "publish_status": if all_deleted { 5 } else { 0 },
            "article_id": p.article_id,
            "article_detail": {"count": items.len(), "item": items},
            "fail_idx": [],
        }))
    })
}

fn find_article<'s>(s: &'s mut State, article_id: &str) -> Result<&'s mut Publish, WxError> {
    s.publishes.values_mut().find(|p| p.article_id == article_id).ok_or_else(|| err(40007, "invalid article_id"))
}

fn publish_delete(ctx: &Ctx<'_>) -> Outcome {
    let aid = ctx.need("article_id")?;
    let index = ctx.i("index").unwrap_or(0);
    ctx.with(|s| {
        let p = find_article(s, aid)?;
        if index == 0 {
            p.deleted.iter_mut().for_each(|d| *d = true);
        } else {
            let slot = usize::try_from(index - 1)
                .ok()
                .and_then(|i| p.deleted.get_mut(i))
                .ok_or_else(|| err(40060, "invalid article_idx"))?;
            *slot = true;
        }
        ok()
    })
}

fn get_article(ctx: &Ctx<'_>) -> Outcome {
    let aid = ctx.need("article_id")?;
    ctx.with(|s| {
        let p = find_article(s, aid)?;
        data(json!({"news_item": news_items(&p.article_id, &p.articles, Some(&p.deleted))}))
    })
}

fn publish_batchget(ctx: &Ctx<'_>) -> Outcome {
    let (offset, count, no_content) = paging(ctx)?;
    ctx.with(|s| {
        let live: Vec<&Publish> = s.publishes.values().rev().filter(|p| !p.deleted.iter().all(|d| *d)).collect();
        let item: Vec<Value> = live
            .iter()
            .skip(offset)
            .take(count)
            .map(|p| {
                let items = strip_content(news_items(&p.article_id, &p.articles, Some(&p.deleted)), no_content);
                json!({"article_id": p.article_id, "content": {"news_item": items, "create_time": p.update_time, "update_time": p.update_time}, "update_time": p.update_time})
            })
            .collect();
        data(json!({"total_count": live.len(), "item_count": item.len(), "item": item}))
    })
}
