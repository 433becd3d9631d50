//! Followers: `/cgi-bin/user/info`, `/cgi-bin/user/get` (paged by `next_openid`, 10 000 a
//! page), `/cgi-bin/user/info/batchget` (≤ 100), `/cgi-bin/user/info/updateremark` and
//! `/cgi-bin/changeopenid` (OpenIDs of a migrated account: any other account's id is accepted
//! as the old account; each well-formed OpenID maps to a stable new one, anything else gets
//! `err_msg` "ori_openid error").

use serde_json::{json, Value};

use super::{invalid_openid, str_of, Ctx, Route};
use crate::reply::{data, err, ok, Outcome};
use crate::state::User;

pub(crate) mod blacklist;

pub(crate) fn routes() -> Vec<(&'static str, Route)> {
    let mut all = vec![
        ("/cgi-bin/user/info", info as Route),
        ("/cgi-bin/user/get", list),
        ("/cgi-bin/user/info/batchget", batchget),
        ("/cgi-bin/user/info/updateremark", update_remark),
        ("/cgi-bin/changeopenid", change_openid),
    ];
    all.extend(blacklist::routes());
    all
}

/// Page size of `/cgi-bin/user/get` and `/cgi-bin/user/tag/get`.
pub(crate) const PAGE: usize = 10_000;

/// A follower as `/cgi-bin/user/info` answers.
pub(crate) fn user_json(u: &User) -> Value {
    json!({
        "subscribe": 1,
        "openid": u.openid,
        "language": u.language,
        "subscribe_time": u.subscribe_time,
        "unionid": u.unionid,
        "remark": u.remark,
        "groupid": u.groupid,
        "tagid_list": u.tagids,
        "subscribe_scene": u.subscribe_scene,
        "qr_scene": 0,
        "qr_scene_str": "",
    })
}

fn check_lang(lang: Option<&str>) -> Result<&str, crate::reply::WxError> {
    match lang {
        None => Ok("zh_CN"),
        Some(l @ ("zh_CN" | "zh_TW" | "en")) => Ok(l),
        Some(_) => Err(err(40035, "invalid args, lang must be zh_CN, zh_TW or en")),
    }
}

fn info(ctx: &Ctx<'_>) -> Outcome {
    let openid = ctx.q("openid").ok_or_else(|| err(41009, "missing openid"))?;
    check_lang(ctx.q("lang"))?;
    let user = ctx.with(|s| s.user(openid).cloned()).ok_or_else(invalid_openid)?;
    data(user_json(&user))
}

/// One page of `openids` after `next` (all when `None`); 40003 if `next` is not in the list.
/// Only the page is copied, so paging a million followers stays linear.
pub(crate) fn page<'a, I>(openids: I, next: Option<&str>, total: usize) -> Outcome
where
    I: IntoIterator<Item = &'a str>,
    I::IntoIter: Clone,
{
    let all = openids.into_iter();
    let start = match next {
        None => 0,
        Some(n) => all.clone().position(|o| o == n).map(|i| i + 1).ok_or_else(invalid_openid)?,
    };
    let chunk: Vec<&str> = all.skip(start).take(PAGE).collect();
    if chunk.is_empty() {
        return data(json!({"total": total, "count": 0, "next_openid": ""}));
    }
    let next = chunk.last().copied().unwrap_or("");
    data(json!({"total": total, "count": chunk.len(), "data": {"openid": chunk}, "next_openid": next}))
}

fn list(ctx: &Ctx<'_>) -> Outcome {
    let next = ctx.q("next_openid");
    ctx.with(|s| page(s.users.iter().map(|u| u.openid.as_str()), next, s.users.len()))
}

fn batchget(ctx: &Ctx<'_>) -> Outcome {
    let list = ctx.body.get("user_list").and_then(Value::as_array).ok_or_else(|| super::missing("user_list"))?;
    // 1 to 100 entries (40032) is the spec's limit, checked before any handler runs.
    let mut out = Vec::with_capacity(list.len());
    for item in list {
        let openid = str_of(item, "openid").ok_or_else(|| super::missing("user_list[].openid"))?;
        check_lang(str_of(item, "lang"))?;
        let user = ctx.with(|s| s.user(openid).cloned()).ok_or_else(invalid_openid)?;
        out.push(user_json(&user));
    }
    data(json!({"user_info_list": out}))
}

fn update_remark(ctx: &Ctx<'_>) -> Outcome {
    let openid = ctx.s("openid").ok_or_else(|| err(41009, "missing openid"))?;
    let remark = ctx.body.get("remark").and_then(Value::as_str).ok_or_else(|| super::missing("remark"))?;
    // Under 30 bytes (长度必须小于30字节; 40035) is the spec's limit, checked before any handler runs.
    ctx.with(|s| s.user_mut(openid).map(|u| u.remark = remark.to_string())).ok_or_else(invalid_openid)?;
    ok()
}

/// An OpenID as WeChat issues them: 28 characters of `[A-Za-z0-9_-]` starting with `o`.
fn looks_like_openid(s: &str) -> bool {
    s.len() == 28 && s.starts_with('o') && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// The OpenID this account gives the user known to `from_appid` as `ori`: stable for the pair.
fn migrated_openid(from_appid: &str, ori: &str) -> String {
    const CHARSET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";
    let mut x = from_appid
        .bytes()
        .chain([0])
        .chain(ori.bytes())
        .fold(0xcbf2_9ce4_8422_2325_u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3));
    let mut out = String::from("oNew_");
    while out.len() < 28 {
        x = crate::state::mix(x);
        out.push(CHARSET[(x % CHARSET.len() as u64) as usize] as char);
    }
    out
}

fn change_openid(ctx: &Ctx<'_>) -> Outcome {
    let from = ctx.need("from_appid")?;
    if from == ctx.shared.config.appid {
        return Err(err(63178, "appid wrong, from_appid is this account"));
    }
    let list = ctx.body.get("openid_list").and_then(Value::as_array).filter(|l| !l.is_empty());
    let list = list.ok_or_else(|| err(63182, "openid_list empty"))?;
    if list.len() > 100 {
        return Err(err(40032, "invalid openid list size, at most 100 openids"));
    }
    let results: Vec<Value> = list
        .iter()
        .map(|o| match o.as_str() {
            Some(ori) if looks_like_openid(ori) => {
                json!({"ori_openid": ori, "new_openid": migrated_openid(from, ori), "err_msg": "ok"})
            }
            _ => json!({"ori_openid": o.as_str().map_or_else(|| o.to_string(), str::to_string), "err_msg": "ori_openid error"}),
        })
        .collect();
    crate::reply::ok_with(json!({"result_list": results}))
}
