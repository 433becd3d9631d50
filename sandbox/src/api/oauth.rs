//! Web authorisation (网页授权): `GET /connect/oauth2/authorize` on the open host
//! (auto-approves as the first follower and redirects with `code` and `state`),
//! `/sns/oauth2/access_token` (codes are single use: 40163 when reused, 40029 when unknown or
//! older than 5 minutes), `/sns/oauth2/refresh_token`, `/sns/userinfo` (48001 for an
//! `snsapi_base` token) and `/sns/auth`. Also the store of codes and user tokens.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use serde_json::json;

use super::{Ctx, Route};
use crate::reply::{data, err, ok, Outcome, Reply, WxError};
use crate::tokens::{random_string, random_token};

pub(crate) fn routes() -> Vec<(&'static str, Route)> {
    vec![
        ("/connect/oauth2/authorize", authorize),
        ("/sns/oauth2/access_token", access_token),
        ("/sns/oauth2/refresh_token", refresh_token),
        ("/sns/userinfo", userinfo),
        ("/sns/auth", auth),
    ]
}

const CODE_TTL: Duration = Duration::from_secs(300);
const TOKEN_TTL: Duration = Duration::from_secs(7200);
const REFRESH_TTL: Duration = Duration::from_secs(30 * 24 * 3600);

struct Code {
    openid: String,
    scope: String,
    issued: Instant,
    used: bool,
}

#[derive(Clone)]
struct Grant {
    openid: String,
    scope: String,
    expires: Instant,
}

/// OAuth codes, user access tokens and refresh tokens.
#[derive(Default)]
pub(crate) struct OAuthStore {
    codes: HashMap<String, Code>,
    tokens: HashMap<String, Grant>,
    refresh: HashMap<String, Grant>,
}

impl OAuthStore {
    /// A fresh single-use code for `openid` and `scope`.
    pub fn issue_code(&mut self, openid: &str, scope: &str) -> String {
        let code = random_string(32);
        self.codes.insert(
            code.clone(),
            Code { openid: openid.into(), scope: scope.into(), issued: Instant::now(), used: false },
        );
        code
    }

    fn redeem(&mut self, code: &str) -> Result<(String, String), WxError> {
        let c = self.codes.get_mut(code).ok_or_else(|| err(40029, "invalid code"))?;
        if c.used {
            return Err(err(40163, "code been used"));
        }
        if c.issued.elapsed() >= CODE_TTL {
            return Err(err(40029, "invalid code"));
        }
        c.used = true;
        Ok((c.openid.clone(), c.scope.clone()))
    }

    fn grant(&mut self, openid: &str, scope: &str, refresh: Option<String>) -> (String, String) {
        let token = random_token();
        let now = Instant::now();
        self.tokens
            .insert(token.clone(), Grant { openid: openid.into(), scope: scope.into(), expires: now + TOKEN_TTL });
        let refresh = refresh.unwrap_or_else(|| {
            let r = random_token();
            self.refresh
                .insert(r.clone(), Grant { openid: openid.into(), scope: scope.into(), expires: now + REFRESH_TTL });
            r
        });
        (token, refresh)
    }

    fn check(&self, token: &str, openid: Option<&str>) -> Result<Grant, WxError> {
        let g = self
            .tokens
            .get(token)
            .ok_or_else(|| err(40001, "invalid credential, access_token is invalid or not latest"))?;
        if Instant::now() >= g.expires {
            return Err(err(42001, "access_token expired"));
        }
        match openid {
            None => Err(err(41009, "missing openid")),
            Some(o) if o != g.openid => Err(err(40003, "invalid openid")),
            Some(_) => Ok(g.clone()),
        }
    }
}

fn valid_scope(scope: &str) -> bool {
    scope.split(',').all(|s| s == "snsapi_base" || s == "snsapi_userinfo")
}

pub(crate) fn percent_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn authorize(ctx: &Ctx<'_>) -> Outcome {
    let appid = ctx.q("appid").ok_or_else(|| err(10012, "appid missing"))?;
    if appid != ctx.shared.config.appid {
        return Err(err(40013, "invalid appid"));
    }
    let redirect = ctx.q("redirect_uri").ok_or_else(|| err(10011, "redirect_uri missing"))?;
    if !(redirect.starts_with("http://") || redirect.starts_with("https://")) {
        return Err(err(10003, "redirect_uri domain mismatch"));
    }
    if ctx.q("response_type") != Some("code") {
        return Err(err(40035, "invalid args, response_type must be code"));
    }
    let scope = ctx.q("scope").ok_or_else(|| err(10010, "scope missing"))?;
    if !valid_scope(scope) {
        return Err(err(10005, "invalid scope"));
    }
    let state = ctx.q("state").unwrap_or("");
    if state.len() > 128 {
        return Err(err(40035, "invalid args, state is at most 128 bytes"));
    }
    let code = ctx.with(|s| {
        let openid = s.users.first().map(|u| u.openid.clone()).ok_or_else(|| err(43004, "require subscribe"))?;
        Ok::<_, WxError>(s.oauth.issue_code(&openid, scope))
    })?;
    let sep = if redirect.contains('?') { '&' } else { '?' };
    let (base, fragment) = match redirect.split_once('#') {
        Some((b, f)) => (b, format!("#{f}")),
        None => (redirect, String::new()),
    };
    Ok(Reply::Redirect(format!("{base}{sep}code={code}&state={}{fragment}", percent_encode(state))))
}

fn token_json(token: &str, refresh: &str, openid: &str, scope: &str, unionid: Option<String>) -> Outcome {
    let mut v = json!({"access_token": token, "expires_in": TOKEN_TTL.as_secs(), "refresh_token": refresh,
                       "openid": openid, "scope": scope});
    if let Some(u) = unionid {
        v["unionid"] = json!(u);
    }
    data(v)
}

fn access_token(ctx: &Ctx<'_>) -> Outcome {
    let appid = ctx.q("appid").ok_or_else(|| err(41002, "appid missing"))?;
    if appid != ctx.shared.config.appid {
        return Err(err(40013, "invalid appid"));
    }
    let secret = ctx.q("secret").ok_or_else(|| err(41004, "appsecret missing"))?;
    if secret != ctx.shared.config.secret {
        return Err(err(40125, "invalid appsecret"));
    }
    let code = ctx.q("code").ok_or_else(|| err(41008, "missing code"))?;
    if ctx.q("grant_type") != Some("authorization_code") {
        return Err(err(40002, "invalid grant_type"));
    }
    ctx.with(|s| {
        let (openid, scope) = s.oauth.redeem(code)?;
        let (token, refresh) = s.oauth.grant(&openid, &scope, None);
        let unionid = s.user(&openid).map(|u| u.unionid.clone());
        token_json(&token, &refresh, &openid, &scope, unionid)
    })
}

fn refresh_token(ctx: &Ctx<'_>) -> Outcome {
    let appid = ctx.q("appid").ok_or_else(|| err(41002, "appid missing"))?;
    if appid != ctx.shared.config.appid {
        return Err(err(40013, "invalid appid"));
    }
    if ctx.q("grant_type") != Some("refresh_token") {
        return Err(err(40002, "invalid grant_type"));
    }
    let refresh = ctx.q("refresh_token").ok_or_else(|| err(41003, "refresh_token missing"))?;
    ctx.with(|s| {
        let g = s.oauth.refresh.get(refresh).cloned().ok_or_else(|| err(40030, "invalid refresh_token"))?;
        if Instant::now() >= g.expires {
            return Err(err(42002, "refresh_token expired"));
        }
        let (token, refresh) = s.oauth.grant(&g.openid, &g.scope, Some(refresh.to_string()));
        let unionid = s.user(&g.openid).map(|u| u.unionid.clone());
        token_json(&token, &refresh, &g.openid, &g.scope, unionid)
    })
}

fn user_token<'c>(ctx: &'c Ctx<'_>) -> Result<&'c str, WxError> {
    ctx.q("access_token").ok_or_else(|| err(41001, "access_token missing"))
}

fn userinfo(ctx: &Ctx<'_>) -> Outcome {
    let token = user_token(ctx)?;
    ctx.with(|s| {
        let g = s.oauth.check(token, ctx.q("openid"))?;
        if !g.scope.split(',').any(|x| x == "snsapi_userinfo") {
            return Err(err(48001, "api unauthorized"));
        }
        let user = s.user(&g.openid).cloned();
        let (nickname, unionid) = user.map(|u| (u.nickname, u.unionid)).unwrap_or_default();
        data(json!({
            "openid": g.openid, "nickname": nickname, "sex": 0, "province": "", "city": "", "country": "",
            "headimgurl": format!("https://thirdwx.qlogo.cn/mmopen/vi_32/{}/132", random_string(40)),
            "privilege": [], "unionid": unionid,
        }))
    })
}

fn auth(ctx: &Ctx<'_>) -> Outcome {
    let token = user_token(ctx)?;
    ctx.with(|s| s.oauth.check(token, ctx.q("openid")).map(|_| ()))?;
    ok()
}
