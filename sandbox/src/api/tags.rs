//! Tags: `/cgi-bin/tags/{create,get,update,delete,getidlist}`,
//! `/cgi-bin/tags/members/{batchtagging,batchuntagging}` and `/cgi-bin/user/tag/get`.
//! Ids 0, 1 and 2 are reserved (45058); up to 100 tags (45056); a follower carries up to 20
//! tags (45059); names are unique (45157) and at most 30 characters (45158; 一 counts one, as the page says 30个字符以内).

use serde_json::{json, Value};

use super::{invalid_openid, Ctx, Route};
use crate::reply::{data, err, ok, Outcome, WxError};
use crate::state::State;

pub(crate) fn routes() -> Vec<(&'static str, Route)> {
    vec![
        ("/cgi-bin/tags/create", create),
        ("/cgi-bin/tags/get", list),
        ("/cgi-bin/tags/update", update),
        ("/cgi-bin/tags/delete", delete),
        ("/cgi-bin/tags/members/batchtagging", batch_tag),
        ("/cgi-bin/tags/members/batchuntagging", batch_untag),
        ("/cgi-bin/tags/getidlist", id_list),
        ("/cgi-bin/user/tag/get", members),
    ]
}

fn is_reserved(id: i64) -> bool {
    (0..=2).contains(&id)
}

fn tag_obj<'c>(ctx: &'c Ctx<'_>) -> Result<&'c Value, WxError> {
    ctx.body.get("tag").filter(|t| t.is_object()).ok_or_else(|| super::missing("tag"))
}

fn check_name(s: &State, name: &str, except: Option<i64>) -> Result<(), WxError> {
    // The 30-character limit (45158) is the spec's, checked before any handler runs.
    if s.tags.iter().any(|(id, n)| n == name && Some(*id) != except) {
        return Err(err(45157, "invalid tag name"));
    }
    Ok(())
}

fn create(ctx: &Ctx<'_>) -> Outcome {
    let name = super::str_of(tag_obj(ctx)?, "name").ok_or_else(|| super::missing("tag.name"))?.to_string();
    ctx.with(|s| {
        check_name(s, &name, None)?;
        if s.tags.keys().filter(|id| !is_reserved(**id)).count() >= 100 {
            return Err(err(45056, "too many tags"));
        }
        let id = s.next_tag_id;
        s.next_tag_id += 1;
        s.tags.insert(id, name.clone());
        data(json!({"tag": {"id": id, "name": name}}))
    })
}

fn list(ctx: &Ctx<'_>) -> Outcome {
    ctx.with(|s| {
        let tags: Vec<Value> = s
            .tags
            .iter()
            .map(|(id, name)| {
                let count = s.users.iter().filter(|u| u.tagids.contains(id)).count();
                json!({"id": id, "name": name, "count": count})
            })
            .collect();
        data(json!({"tags": tags}))
    })
}

fn existing_tag(s: &State, id: Option<i64>) -> Result<i64, WxError> {
    let id = id.ok_or_else(|| super::missing("tag.id"))?;
    if is_reserved(id) {
        return Err(err(45058, "can't modify sys tag"));
    }
    if !s.tags.contains_key(&id) {
        return Err(err(45159, "invalid tag id"));
    }
    Ok(id)
}

fn update(ctx: &Ctx<'_>) -> Outcome {
    let tag = tag_obj(ctx)?;
    let name = super::str_of(tag, "name").ok_or_else(|| super::missing("tag.name"))?.to_string();
    ctx.with(|s| {
        let id = existing_tag(s, super::int_of(tag, "id"))?;
        check_name(s, &name, Some(id))?;
        s.tags.insert(id, name);
        ok()
    })
}

fn delete(ctx: &Ctx<'_>) -> Outcome {
    let tag = tag_obj(ctx)?;
    ctx.with(|s| {
        let id = existing_tag(s, super::int_of(tag, "id"))?;
        s.tags.remove(&id);
        s.users.iter_mut().for_each(|u| u.tagids.retain(|t| *t != id));
        ok()
    })
}

/// `openid_list` (1..=50 followers) and the target `tagid`.
fn members_args(ctx: &Ctx<'_>, s: &State) -> Result<(Vec<String>, i64), WxError> {
    let list = ctx.body.get("openid_list").and_then(Value::as_array).ok_or_else(|| super::missing("openid_list"))?;
    if list.is_empty() {
        return Err(err(49003, "not match openid list, openid_list is empty"));
    }
    // At most 50 (40032) is the spec's limit, checked before any handler runs.
    let mut openids = Vec::new();
    for o in list {
        let o = o.as_str().ok_or_else(|| super::missing("openid_list[]"))?;
        if s.user(o).is_none() {
            return Err(invalid_openid());
        }
        openids.push(o.to_string());
    }
    let tagid = ctx.i("tagid").ok_or_else(|| super::missing("tagid"))?;
    if !s.tags.contains_key(&tagid) {
        return Err(err(45159, "invalid tag id"));
    }
    Ok((openids, tagid))
}

fn batch_tag(ctx: &Ctx<'_>) -> Outcome {
    ctx.with(|s| {
        let (openids, tagid) = members_args(ctx, s)?;
        for o in &openids {
            if let Some(u) = s.user(o) {
                if !u.tagids.contains(&tagid) && u.tagids.len() >= 20 {
                    return Err(err(45059, "user tag count out of limit (20)"));
                }
            }
        }
        for o in &openids {
            if let Some(u) = s.user_mut(o) {
                if !u.tagids.contains(&tagid) {
                    u.tagids.push(tagid);
                }
            }
        }
        ok()
    })
}

fn batch_untag(ctx: &Ctx<'_>) -> Outcome {
    ctx.with(|s| {
        let (openids, tagid) = members_args(ctx, s)?;
        for o in &openids {
            if let Some(u) = s.user_mut(o) {
                u.tagids.retain(|t| *t != tagid);
            }
        }
        ok()
    })
}

fn id_list(ctx: &Ctx<'_>) -> Outcome {
    let openid = ctx.s("openid").ok_or_else(|| err(41009, "missing openid"))?;
    let tags = ctx.with(|s| s.user(openid).map(|u| u.tagids.clone())).ok_or_else(invalid_openid)?;
    data(json!({"tagid_list": tags}))
}

fn members(ctx: &Ctx<'_>) -> Outcome {
    let tagid = ctx.i("tagid").ok_or_else(|| super::missing("tagid"))?;
    let openids: Vec<String> = ctx.with(|s| {
        if !s.tags.contains_key(&tagid) {
            return Err(err(45159, "invalid tag id"));
        }
        Ok(s.users.iter().filter(|u| u.tagids.contains(&tagid)).map(|u| u.openid.clone()).collect())
    })?;
    let total = openids.len();
    let mut reply = super::user::page(openids.iter().map(String::as_str), ctx.s("next_openid"), total)?;
    // user/tag/get has no `total`.
    if let crate::reply::Reply::Json(Value::Object(o)) = &mut reply {
        o.remove("total");
    }
    Ok(reply)
}
