//! Base endpoints: `/cgi-bin/token`, `/cgi-bin/stable_token`, `/cgi-bin/getcallbackip`,
//! `/cgi-bin/get_api_domain_ip`, `/cgi-bin/callback/check` (the account's callback URL resolves
//! to two fixed addresses), `/cgi-bin/clear_quota` and `/cgi-bin/clear_quota/v2` (10 resets a
//! month between them, then 48006), `/cgi-bin/openapi/quota/clear` (76021 for a path that is
//! not an API, 76022 for `/sns/` paths; the month's 50-reset budget is not enforced) and
//! `/cgi-bin/openapi/rid/get`, which looks up the rid of an error this sandbox answered
//! (76002 malformed, 76001 unknown, 76003 another account's).

use std::collections::VecDeque;
use std::sync::Mutex;

use serde_json::{json, Value};

use super::{str_of, Ctx, Route};
use crate::reply::{data, err, ok, rid, Outcome, Reply, WxError};
use crate::state::now_unix;

pub(crate) mod quota;

pub(crate) fn routes() -> Vec<(&'static str, Route)> {
    vec![
        ("/cgi-bin/token", token as Route),
        ("/cgi-bin/stable_token", stable_token),
        ("/cgi-bin/getcallbackip", callback_ip),
        ("/cgi-bin/get_api_domain_ip", api_domain_ip),
        ("/cgi-bin/callback/check", callback_check),
        ("/cgi-bin/clear_quota", clear_quota),
        ("/cgi-bin/clear_quota/v2", clear_quota_v2),
        ("/cgi-bin/openapi/quota/clear", clear_api_quota),
        ("/cgi-bin/openapi/rid/get", rid_get),
        ("/cgi-bin/openapi/quota/get", quota::get),
    ]
}

/// The checks both token endpoints share, in WeChat's order. The configured app and any app
/// added with `Sandbox::add_app` may obtain tokens; returns the AppID.
fn check_credentials(
    ctx: &Ctx<'_>,
    grant_type: Option<&str>,
    appid: Option<&str>,
    secret: Option<&str>,
) -> Result<String, WxError> {
    if grant_type != Some("client_credential") {
        return Err(err(40002, "invalid grant_type"));
    }
    let appid = appid.ok_or_else(|| err(41002, "appid missing"))?;
    let cfg = &ctx.shared.config;
    let expected =
        if appid == cfg.appid { Some(cfg.secret.clone()) } else { ctx.with(|s| s.extra_apps.get(appid).cloned()) };
    let Some(expected) = expected else {
        return Err(err(40013, "invalid appid"));
    };
    let secret = secret.ok_or_else(|| err(41004, "appsecret missing"))?;
    if secret != expected {
        return Err(err(40125, "invalid appsecret"));
    }
    Ok(appid.to_string())
}

fn token(ctx: &Ctx<'_>) -> Outcome {
    let appid = check_credentials(ctx, ctx.q("grant_type"), ctx.q("appid"), ctx.q("secret"))?;
    let cfg = &ctx.shared.config;
    let token = ctx.with(|s| {
        let t = s.tokens.issue_plain(cfg.token_ttl, cfg.token_grace);
        s.token_apps.insert(t.clone(), appid);
        t
    });
    data(json!({"access_token": token, "expires_in": cfg.token_ttl.as_secs()}))
}

fn stable_token(ctx: &Ctx<'_>) -> Outcome {
    let b = &ctx.body;
    let appid = check_credentials(ctx, str_of(b, "grant_type"), str_of(b, "appid"), str_of(b, "secret"))?;
    let force = match b.get("force_refresh") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(f)) => *f,
        Some(_) => return Err(err(47001, "data format error, force_refresh must be a boolean")),
    };
    let ttl = ctx.shared.config.token_ttl;
    // One stable token for the sandbox, whichever app asks (added apps use `/cgi-bin/token`).
    let (token, left) = ctx.with(|s| {
        let (t, left) = s.tokens.stable(ttl, force);
        s.token_apps.entry(t.clone()).or_insert(appid);
        (t, left)
    });
    data(json!({"access_token": token, "expires_in": left}))
}

fn callback_ip(_ctx: &Ctx<'_>) -> Outcome {
    data(json!({"ip_list": ["101.226.103.0/25", "101.226.62.77", "183.3.234.0/25", "203.205.147.177"]}))
}

fn api_domain_ip(_ctx: &Ctx<'_>) -> Outcome {
    data(json!({"ip_list": ["101.89.47.18", "101.91.34.103", "183.3.226.35"]}))
}

/// Uses one of the month's 10 resets. (`openapi/quota/get` keeps reporting the real call
/// counts of this sandbox, which are never reset.)
fn use_quota_reset(ctx: &Ctx<'_>) -> Outcome {
    ctx.with(|s| {
        if s.quota_clears >= 10 {
            return Err(err(48006, "forbid to clear quota because of reaching the limit"));
        }
        s.quota_clears += 1;
        ok()
    })
}

fn clear_quota(ctx: &Ctx<'_>) -> Outcome {
    let appid = ctx.s("appid").ok_or_else(|| err(41002, "appid missing"))?;
    if appid != ctx.shared.config.appid {
        return Err(err(40013, "invalid appid"));
    }
    use_quota_reset(ctx)
}

fn clear_quota_v2(ctx: &Ctx<'_>) -> Outcome {
    let appid = ctx.q("appid").ok_or_else(|| err(41002, "appid missing"))?;
    if appid != ctx.shared.config.appid {
        return Err(err(40013, "invalid appid"));
    }
    let secret = ctx.q("appsecret").ok_or_else(|| err(41004, "appsecret missing"))?;
    if secret != ctx.shared.config.secret {
        return Err(err(40125, "invalid appsecret"));
    }
    use_quota_reset(ctx)
}

fn clear_api_quota(ctx: &Ctx<'_>) -> Outcome {
    let path = ctx.need("cgi_path")?;
    if !path.starts_with('/') || !super::routes().contains_key(path) {
        return Err(err(76021, "cgi_path not found, please check"));
    }
    if path.starts_with("/sns/") {
        return Err(err(76022, "could not use this cgi_path, no permission"));
    }
    ok()
}

/// The callback URL the sandbox pretends the account has configured resolves to these
/// addresses, with the carrier each belongs to.
const CALLBACK_IPS: [(&str, &str); 2] = [("111.161.64.40", "UNICOM"), ("183.3.234.107", "CHINANET")];

fn callback_check(ctx: &Ctx<'_>) -> Outcome {
    let action = ctx.s("action").ok_or_else(|| err(40202, "invalid action"))?;
    let (dns, ping) = match action {
        "all" => (true, true),
        "dns" => (true, false),
        "ping" => (false, true),
        _ => return Err(err(40202, "invalid action")),
    };
    let operator = ctx.s("check_operator").ok_or_else(|| err(40203, "invalid check_operator"))?;
    if !["CHINANET", "UNICOM", "CAP", "DEFAULT"].contains(&operator) {
        return Err(err(40203, "invalid check_operator"));
    }
    let mut v = json!({});
    if dns {
        let list: Vec<Value> = CALLBACK_IPS.iter().map(|(ip, real)| json!({"ip": ip, "real_operator": real})).collect();
        v["dns"] = Value::Array(list);
    }
    if ping {
        let list: Vec<Value> = CALLBACK_IPS
            .iter()
            .enumerate()
            .map(|(i, (ip, real))| {
                let from = if operator == "DEFAULT" { *real } else { operator };
                json!({"ip": ip, "from_operator": from, "package_loss": "0%", "time": format!("{}.{:03}ms", 21 + i, 434)})
            })
            .collect();
        v["ping"] = Value::Array(list);
    }
    data(v)
}

/// What `/cgi-bin/openapi/rid/get` knows about one error a handler answered.
struct RidEntry {
    rid: String,
    appid: String,
    invoke_time: i64,
    request_url: String,
    request_body: String,
    response_body: String,
}

/// Errors answered by every sandbox of this process, oldest first. Rids are random, so
/// sandboxes never see each other's entries unless handed a rid; the account check (76003) uses
/// the AppID each entry was recorded under.
static RID_LOG: Mutex<VecDeque<RidEntry>> = Mutex::new(VecDeque::new());

/// The most entries kept; older ones are forgotten (76001, as WeChat does after 7 days).
const RID_LOG_MAX: usize = 4096;

/// The query string as `rid/get` shows it: keys sorted, the token shortened to its first 8
/// characters and secrets left out entirely.
fn shown_query(ctx: &Ctx<'_>) -> String {
    let mut keys: Vec<&String> = ctx.query.keys().collect();
    keys.sort();
    keys.into_iter()
        .filter(|k| !matches!(k.as_str(), "secret" | "appsecret"))
        .map(|k| {
            let v = &ctx.query[k];
            if k == "access_token" || k == "component_access_token" {
                format!("{k}={}xxxx", v.chars().take(8).collect::<String>())
            } else {
                format!("{k}={v}")
            }
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// The JSON body as `rid/get` shows it, with secrets (stable_token's `secret`, the component
/// secret, verify ticket and refresh tokens) blanked.
fn shown_body(body: &Value) -> String {
    let mut body = body.clone();
    if let Some(obj) = body.as_object_mut() {
        for key in [
            "secret",
            "appsecret",
            "component_appsecret",
            "component_secret",
            "component_verify_ticket",
            "authorizer_refresh_token",
            "authorization_code",
        ] {
            if let Some(v) = obj.get_mut(key) {
                *v = json!("******");
            }
        }
    }
    body.to_string()
}

/// WeChat's error envelope for a handler's error, its rid remembered for `rid/get`.
pub(crate) fn logged_error(ctx: &Ctx<'_>, e: WxError) -> Reply {
    let rid = rid();
    let body = json!({"errcode": e.code, "errmsg": format!("{} rid: {rid}", e.msg)});
    let empty = ctx.body.as_object().is_some_and(|o| o.is_empty());
    let entry = RidEntry {
        rid,
        appid: ctx.shared.config.appid.clone(),
        invoke_time: now_unix(),
        request_url: shown_query(ctx),
        request_body: if empty { String::new() } else { shown_body(&ctx.body) },
        response_body: body.to_string(),
    };
    let mut log = RID_LOG.lock().unwrap_or_else(|p| p.into_inner());
    if log.len() >= RID_LOG_MAX {
        log.pop_front();
    }
    log.push_back(entry);
    Reply::Json(body)
}

/// `xxxxxxxx-xxxxxxxx-xxxxxxxx` in hex digits.
fn well_formed_rid(rid: &str) -> bool {
    let groups: Vec<&str> = rid.split('-').collect();
    groups.len() == 3 && groups.iter().all(|g| g.len() == 8 && g.bytes().all(|b| b.is_ascii_hexdigit()))
}

fn rid_get(ctx: &Ctx<'_>) -> Outcome {
    let rid = ctx.s("rid").filter(|r| well_formed_rid(r)).ok_or_else(|| err(76002, "rid is error"))?;
    let log = RID_LOG.lock().unwrap_or_else(|p| p.into_inner());
    let entry = log.iter().find(|e| e.rid == rid).ok_or_else(|| err(76001, "rid not found"))?;
    if entry.appid != ctx.shared.config.appid {
        return Err(err(76003, "could not query this rid,no permission"));
    }
    crate::reply::ok_with(json!({"request": {
        "invoke_time": entry.invoke_time,
        "cost_in_ms": 1,
        "request_url": entry.request_url,
        "request_body": entry.request_body,
        "response_body": entry.response_body,
        "client_ip": "127.0.0.1",
    }}))
}
