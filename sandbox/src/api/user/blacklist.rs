//! The follower blacklist: `/cgi-bin/tags/members/{getblacklist,batchblacklist,
//! batchunblacklist}` (≤ 20 OpenIDs per change). Blacklisted followers cannot receive
//! customer-service or template messages (43019).

use serde_json::Value;

use crate::api::{invalid_openid, route, Ctx, Route};
use crate::reply::{err, ok, Outcome};

pub(crate) fn routes() -> Vec<(&'static str, Route)> {
    vec![
        ("/cgi-bin/tags/members/getblacklist", list),
        ("/cgi-bin/tags/members/batchblacklist", route(|ctx| set(ctx, true))),
        ("/cgi-bin/tags/members/batchunblacklist", route(|ctx| set(ctx, false))),
    ]
}

fn list(ctx: &Ctx<'_>) -> Outcome {
    let openids: Vec<String> =
        ctx.with(|s| s.users.iter().filter(|u| u.blacklisted).map(|u| u.openid.clone()).collect());
    super::page(openids.iter().map(String::as_str), ctx.s("begin_openid"), openids.len())
}

fn set(ctx: &Ctx<'_>, on: bool) -> Outcome {
    let list =
        ctx.body.get("openid_list").and_then(Value::as_array).ok_or_else(|| crate::api::missing("openid_list"))?;
    // 1 to 20 OpenIDs (40032) is the spec's limit, checked before any handler runs.
    let openids: Vec<&str> = list.iter().filter_map(Value::as_str).collect();
    ctx.with(|s| {
        if openids.len() != list.len() || openids.iter().any(|o| s.user(o).is_none()) {
            return Err(invalid_openid());
        }
        for o in openids {
            if let Some(u) = s.user_mut(o) {
                u.blacklisted = on;
            }
        }
        ok()
    })
}

/// 43019 when `openid` is blacklisted.
pub(crate) fn check_not_blacklisted(s: &crate::state::State, openid: &str) -> Result<(), crate::reply::WxError> {
    if s.user(openid).is_some_and(|u| u.blacklisted) {
        return Err(err(43019, "require remove blacklist"));
    }
    Ok(())
}
