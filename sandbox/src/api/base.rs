//! Base endpoints: `/cgi-bin/token`, `/cgi-bin/stable_token`, `/cgi-bin/getcallbackip`,
//! `/cgi-bin/get_api_domain_ip`, `/cgi-bin/clear_quota` (10 resets a month, then 48006).

use serde_json::{json, Value};

use super::{get, post, str_of, Ctx, Route};
use crate::reply::{data, err, ok, Outcome, WxError};

pub(crate) fn routes() -> Vec<(&'static str, Route)> {
    vec![
        ("/cgi-bin/token", get(token).own_auth()),
        ("/cgi-bin/stable_token", post(stable_token).own_auth()),
        ("/cgi-bin/getcallbackip", get(callback_ip)),
        ("/cgi-bin/get_api_domain_ip", get(api_domain_ip)),
        ("/cgi-bin/clear_quota", post(clear_quota)),
    ]
}

/// The checks both token endpoints share, in WeChat's order.
fn check_credentials(
    ctx: &Ctx<'_>,
    grant_type: Option<&str>,
    appid: Option<&str>,
    secret: Option<&str>,
) -> Result<(), WxError> {
    if grant_type != Some("client_credential") {
        return Err(err(40002, "invalid grant_type"));
    }
    let appid = appid.ok_or_else(|| err(41002, "appid missing"))?;
    if appid != ctx.shared.config.appid {
        return Err(err(40013, "invalid appid"));
    }
    let secret = secret.ok_or_else(|| err(41004, "appsecret missing"))?;
    if secret != ctx.shared.config.secret {
        return Err(err(40125, "invalid appsecret"));
    }
    Ok(())
}

fn token(ctx: &Ctx<'_>) -> Outcome {
    check_credentials(ctx, ctx.q("grant_type"), ctx.q("appid"), ctx.q("secret"))?;
    let cfg = &ctx.shared.config;
    let token = ctx.with(|s| s.tokens.issue_plain(cfg.token_ttl, cfg.token_grace));
    data(json!({"access_token": token, "expires_in": cfg.token_ttl.as_secs()}))
}

fn stable_token(ctx: &Ctx<'_>) -> Outcome {
    let b = &ctx.body;
    check_credentials(ctx, str_of(b, "grant_type"), str_of(b, "appid"), str_of(b, "secret"))?;
    let force = match b.get("force_refresh") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(f)) => *f,
        Some(_) => return Err(err(47001, "data format error, force_refresh must be a boolean")),
    };
    let ttl = ctx.shared.config.token_ttl;
    let (token, left) = ctx.with(|s| s.tokens.stable(ttl, force));
    data(json!({"access_token": token, "expires_in": left}))
}

fn callback_ip(_ctx: &Ctx<'_>) -> Outcome {
    data(json!({"ip_list": ["101.226.103.0/25", "101.226.62.77", "183.3.234.0/25", "203.205.147.177"]}))
}

fn api_domain_ip(_ctx: &Ctx<'_>) -> Outcome {
    data(json!({"ip_list": ["101.89.47.18", "101.91.34.103", "183.3.226.35"]}))
}

fn clear_quota(ctx: &Ctx<'_>) -> Outcome {
    let appid = ctx.s("appid").ok_or_else(|| err(41002, "appid missing"))?;
    if appid != ctx.shared.config.appid {
        return Err(err(40013, "invalid appid"));
    }
    ctx.with(|s| {
        if s.quota_clears >= 10 {
            return Err(err(48006, "forbid to clear quota because of reaching the limit"));
        }
        s.quota_clears += 1;
        ok()
    })
}
