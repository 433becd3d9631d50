//! The retired groups API (`/cgi-bin/groups/*`), superseded by tags but still answered:
//! ids 0 未分组, 1 黑名单, 2 星标组 are system groups (45016 on change); up to 100 custom
//! groups (45018); names at most 30 bytes (45017).

use serde_json::{json, Value};

use super::{invalid_openid, Ctx, Route};
use crate::reply::{data, err, ok, Outcome, WxError};
use crate::state::State;

pub(crate) fn routes() -> Vec<(&'static str, Route)> {
    vec![
        ("/cgi-bin/groups/create", create),
        ("/cgi-bin/groups/get", list),
        ("/cgi-bin/groups/getid", get_id),
        ("/cgi-bin/groups/update", update),
        ("/cgi-bin/groups/members/update", move_member),
        ("/cgi-bin/groups/members/batchupdate", move_members),
        ("/cgi-bin/groups/delete", delete),
    ]
}

fn group_obj<'c>(ctx: &'c Ctx<'_>) -> Result<&'c Value, WxError> {
    ctx.body.get("group").filter(|g| g.is_object()).ok_or_else(|| super::missing("group"))
}

fn check_name(s: &State, name: &str) -> Result<(), WxError> {
    if name.len() > 30 {
        return Err(err(45017, "group name too long"));
    }
    if s.groups.values().any(|n| n == name) {
        return Err(err(40117, "invalid group name (already exists)"));
    }
    Ok(())
}

fn custom_group(s: &State, id: Option<i64>) -> Result<i64, WxError> {
    let id = id.ok_or_else(|| super::missing("group.id"))?;
    if (0..=2).contains(&id) {
        return Err(err(45016, "system group can not be changed"));
    }
    if !s.groups.contains_key(&id) {
        return Err(err(40050, "invalid group id"));
    }
    Ok(id)
}

fn create(ctx: &Ctx<'_>) -> Outcome {
    let name = super::str_of(group_obj(ctx)?, "name").ok_or_else(|| super::missing("group.name"))?.to_string();
    ctx.with(|s| {
        check_name(s, &name)?;
        if s.groups.len() >= 103 {
            return Err(err(45018, "too many groups"));
        }
        let id = s.next_group_id;
        s.next_group_id += 1;
        s.groups.insert(id, name.clone());
        data(json!({"group": {"id": id, "name": name}}))
    })
}

fn list(ctx: &Ctx<'_>) -> Outcome {
    ctx.with(|s| {
        let groups: Vec<Value> = s
            .groups
            .iter()
            .map(|(id, name)| {
                let count = s.users.iter().filter(|u| u.groupid == *id).count();
                json!({"id": id, "name": name, "count": count})
            })
            .collect();
        data(json!({"groups": groups}))
    })
}

fn get_id(ctx: &Ctx<'_>) -> Outcome {
    let openid = ctx.s("openid").ok_or_else(|| err(41009, "missing openid"))?;
    let gid = ctx.with(|s| s.user(openid).map(|u| u.groupid)).ok_or_else(invalid_openid)?;
    data(json!({"groupid": gid}))
}

fn update(ctx: &Ctx<'_>) -> Outcome {
    let g = group_obj(ctx)?;
    let name = super::str_of(g, "name").ok_or_else(|| super::missing("group.name"))?.to_string();
    ctx.with(|s| {
        let id = custom_group(s, super::int_of(g, "id"))?;
        if s.groups.get(&id) != Some(&name) {
            check_name(s, &name)?;
        }
        s.groups.insert(id, name);
        ok()
    })
}

fn target_group(ctx: &Ctx<'_>, s: &State) -> Result<i64, WxError> {
    let to = ctx.i("to_groupid").ok_or_else(|| super::missing("to_groupid"))?;
    if !s.groups.contains_key(&to) {
        return Err(err(40050, "invalid group id"));
    }
    Ok(to)
}

fn move_member(ctx: &Ctx<'_>) -> Outcome {
    let openid = ctx.s("openid").ok_or_else(|| err(41009, "missing openid"))?;
    ctx.with(|s| {
        let to = target_group(ctx, s)?;
        let u = s.user_mut(openid).ok_or_else(invalid_openid)?;
        u.groupid = to;
        ok()
    })
}

fn move_members(ctx: &Ctx<'_>) -> Outcome {
    // 1–50 OpenIDs: the spec's limit.
    let list = ctx.body["openid_list"].as_array().map(Vec::as_slice).unwrap_or_default();
    ctx.with(|s| {
        let to = target_group(ctx, s)?;
        let openids: Vec<&str> = list.iter().filter_map(Value::as_str).collect();
        if openids.len() != list.len() || openids.iter().any(|o| s.user(o).is_none()) {
            return Err(invalid_openid());
        }
        for o in openids {
            if let Some(u) = s.user_mut(o) {
                u.groupid = to;
            }
        }
        ok()
    })
}

fn delete(ctx: &Ctx<'_>) -> Outcome {
    let g = group_obj(ctx)?;
    ctx.with(|s| {
        let id = custom_group(s, super::int_of(g, "id"))?;
        s.groups.remove(&id);
        s.users.iter_mut().filter(|u| u.groupid == id).for_each(|u| u.groupid = 0);
        ok()
    })
}
