//! Article comments (留言): `/cgi-bin/comment/{open,close,list,markelect,unmarkelect,delete,
//! reply/add,reply/delete}` on published articles, addressed by `msg_data_id` (from
//! `freepublish/submit`) and `index` (0-based article index). Each published article starts
//! with two follower comments. Errors: 88001 unknown msg_data_id, 40035 bad index,
//! 88008 unknown comment, 88005 already replied, 88009 no reply to delete, 88007 reply empty
//! or too long, 88010 count out of range (WeChat rejects a count of 50 or more).

use serde_json::{json, Value};

use super::{route, Ctx, Route};
use crate::reply::{data, err, ok, Outcome, WxError};
use crate::state::{now_unix, Comment, Publish, State};

pub(crate) fn routes() -> Vec<(&'static str, Route)> {
    vec![
        ("/cgi-bin/comment/open", route(|ctx| set_open(ctx, true))),
        ("/cgi-bin/comment/close", route(|ctx| set_open(ctx, false))),
        ("/cgi-bin/comment/list", list),
        ("/cgi-bin/comment/markelect", route(|ctx| with_comment(ctx, |c| mark(c, true)))),
        ("/cgi-bin/comment/unmarkelect", route(|ctx| with_comment(ctx, |c| mark(c, false)))),
        ("/cgi-bin/comment/delete", route(|ctx| with_comment(ctx, delete))),
        ("/cgi-bin/comment/reply/add", reply_add),
        ("/cgi-bin/comment/reply/delete", route(|ctx| with_comment(ctx, reply_delete))),
    ]
}

/// The publish and article index a request addresses.
fn article<'s>(ctx: &Ctx<'_>, s: &'s mut State) -> Result<(&'s mut Publish, usize), WxError> {
    let id = ctx.i("msg_data_id").ok_or_else(|| super::missing("msg_data_id"))?;
    let index = ctx.i("index").unwrap_or(0);
    let p =
        s.publishes.values_mut().find(|p| p.msg_data_id == id).ok_or_else(|| err(88001, "msg_data is not exists"))?;
    let i = usize::try_from(index)
        .ok()
        .filter(|i| *i < p.articles.len())
        .ok_or_else(|| err(40035, "invalid args, index out of range"))?;
    Ok((p, i))
}

fn set_open(ctx: &Ctx<'_>, open: bool) -> Outcome {
    ctx.with(|s| {
        let (p, i) = article(ctx, s)?;
        p.comments_open[i] = open;
        ok()
    })
}

fn list(ctx: &Ctx<'_>) -> Outcome {
    let begin = ctx.i("begin").ok_or_else(|| super::missing("begin"))?;
    let count = ctx.i("count").ok_or_else(|| super::missing("count"))?;
    let kind = ctx.i("type").unwrap_or(0);
    if begin < 0 || !(1..50).contains(&count) || !(0..=2).contains(&kind) {
        return Err(err(88010, "count range error. count <= 0 or count >= 50"));
    }
    ctx.with(|s| {
        let (p, i) = article(ctx, s)?;
        let visible: Vec<&Comment> = p.comments[i]
            .iter()
            .filter(|c| !c.deleted && (kind == 0 || (kind == 1 && !c.elected) || (kind == 2 && c.elected)))
            .collect();
        let page: Vec<Value> = visible
            .iter()
            .skip(begin as usize)
            .take(count as usize)
            .map(|c| {
                let mut v = json!({"user_comment_id": c.id, "openid": c.openid, "create_time": c.create_time,
                                   "content": c.content, "comment_type": i64::from(c.elected)});
                if let Some((content, at)) = &c.reply {
                    v["reply"] = json!({"content": content, "create_time": at});
                }
                v
            })
            .collect();
        data(json!({"errcode": 0, "errmsg": "ok", "total": visible.len(), "comment": page}))
    })
}

fn with_comment(ctx: &Ctx<'_>, f: fn(&mut Comment) -> Result<(), WxError>) -> Outcome {
    let cid = ctx.i("user_comment_id").ok_or_else(|| super::missing("user_comment_id"))?;
    ctx.with(|s| {
        let (p, i) = article(ctx, s)?;
        let c = p.comments[i]
            .iter_mut()
            .find(|c| c.id == cid && !c.deleted)
            .ok_or_else(|| err(88008, "comment is not exists"))?;
        f(c)?;
        ok()
    })
}

fn mark(c: &mut Comment, elected: bool) -> Result<(), WxError> {
    c.elected = elected;
    Ok(())
}

fn delete(c: &mut Comment) -> Result<(), WxError> {
    c.deleted = true;
    Ok(())
}

fn reply_delete(c: &mut Comment) -> Result<(), WxError> {
    c.reply.take().map(|_| ()).ok_or_else(|| err(88009, "reply is not exists"))
}

fn reply_add(ctx: &Ctx<'_>) -> Outcome {
    let content = ctx.s("content").unwrap_or("");
    if content.is_empty() || content.chars().count() > 600 {
        return Err(err(88007, "reply content beyond max len or content len is zero"));
    }
    let cid = ctx.i("user_comment_id").ok_or_else(|| super::missing("user_comment_id"))?;
    ctx.with(|s| {
        let (p, i) = article(ctx, s)?;
        let c = p.comments[i]
            .iter_mut()
            .find(|c| c.id == cid && !c.deleted)
            .ok_or_else(|| err(88008, "comment is not exists"))?;
        if c.reply.is_some() {
            return Err(err(88005, "already reply"));
        }
        c.reply = Some((content.to_string(), now_unix()));
        ok()
    })
}
