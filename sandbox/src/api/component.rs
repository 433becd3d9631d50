//! The third-party platform (第三方平台, `component` area): `api_component_token` (the
//! component AppID and secret and a verify ticket the sandbox pushed, the latest or the
//! previous: 61011 / 40125 / 61005 / 61006), `api_start_push_ticket` (a ticket is pushed at
//! once), `api_create_preauthcode`, `api_query_auth` (an auth_code from an authorisation, once,
//! 10 minutes: 61009 / 61010), `api_authorizer_token` (rotates the refresh token on every
//! call; the previous one, an unknown one or a revoked one → 61023; an account that is not
//! authorised → 61003), `api_get_authorizer_list` (in authorisation order, `count` 1…500),
//! `api_get_authorizer_info`, `api_get_authorizer_option` / `api_set_authorizer_option` (61003
//! for an account that is not authorised, 40035 for an unknown option or value) and the
//! component's `clear_quota/v2` (the platform's secret; 10 resets a month, then 48006).
//!
//! The notices to the platform's callback URL (`component_verify_ticket`, `authorized`,
//! `updateauthorized`, `unauthorized`) are built here under the state lock and sent after it
//! is released ([`Delivery`]), in the component envelope of [`crate::callback::push_component`].
//! Authorizer access tokens are app tokens of the authorised account: they work on every
//! ordinary endpoint and [`crate::Sandbox::token_app`] names the account.

pub(crate) mod store;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use serde_json::{json, Value};

use super::{Ctx, Route};
use crate::callback::{CallbackTarget, PushError};
use crate::reply::{data, err, ok, Outcome, WxError};
use crate::state::{now_unix, Shared, State};
use crate::ComponentConfig;
use store::{Authorization, AUTHORIZER_TOKEN_TTL, PRE_AUTH_CODE_TTL};

pub(crate) fn routes() -> Vec<(&'static str, Route)> {
    vec![
        ("/cgi-bin/component/api_component_token", component_token as Route),
        ("/cgi-bin/component/api_start_push_ticket", start_push_ticket),
        ("/cgi-bin/component/api_create_preauthcode", create_preauthcode),
        ("/cgi-bin/component/api_query_auth", query_auth),
        ("/cgi-bin/component/api_authorizer_token", authorizer_token),
        ("/cgi-bin/component/api_get_authorizer_list", authorizer_list),
        ("/cgi-bin/component/api_get_authorizer_info", authorizer_info),
        ("/cgi-bin/component/api_get_authorizer_option", get_option),
        ("/cgi-bin/component/api_set_authorizer_option", set_option),
        ("/cgi-bin/component/clear_quota/v2", clear_quota_v2),
    ]
}

/// What the platform's pushes need besides the state: one HTTP client for the sandbox, and
/// the count of pushes the developer did not answer with `success`.
#[derive(Clone)]
pub(crate) struct PushSink {
    client: Option<reqwest::Client>,
    pub failures: Arc<AtomicU64>,
}

impl PushSink {
    pub fn new() -> Self {
        PushSink { client: crate::callback::http_client().ok(), failures: Arc::new(AtomicU64::new(0)) }
    }
}

/// One notice ready to send: built under the lock, sent after it is released.
pub(crate) struct Delivery {
    url: String,
    target: CallbackTarget,
    xml: String,
    sink: PushSink,
}

impl Delivery {
    /// Sends the notice; anything but an HTTP 200 `success` counts as a failed push.
    pub async fn send(self) {
        let outcome = match &self.sink.client {
            Some(c) => crate::callback::push_component_with(c, &self.url, &self.target, &self.xml).await,
            None => Err(PushError::Http("no HTTP client".into())),
        };
        let delivered = matches!(&outcome, Ok(o) if o.status == 200 && o.body.trim() == "success");
        if !delivered {
            self.sink.failures.fetch_add(1, Ordering::Relaxed);
            tracing::debug!(status = outcome.as_ref().ok().map(|o| o.status), "component push not acknowledged");
        }
    }
}

fn delivery(shared: &Shared, cfg: &ComponentConfig, url: Option<String>, xml: String) -> Option<Delivery> {
    let target = CallbackTarget {
        token: cfg.token.clone(),
        encoding_aes_key: Some(cfg.encoding_aes_key.clone()),
        appid: cfg.component_appid.clone(),
    };
    Some(Delivery { url: url?, target, xml, sink: shared.pushes.clone() })
}

fn ticket_xml(component_appid: &str, ticket: &str) -> String {
    format!(
        "<xml><AppId>{component_appid}</AppId><CreateTime>{}</CreateTime><InfoType>component_verify_ticket</InfoType>\
         <ComponentVerifyTicket>{ticket}</ComponentVerifyTicket></xml>",
        now_unix()
    )
}

fn authorization_xml(component_appid: &str, appid: &str, a: &Authorization) -> String {
    let info_type = if a.update { "updateauthorized" } else { "authorized" };
    format!(
        "<xml><AppId>{component_appid}</AppId><CreateTime>{}</CreateTime><InfoType>{info_type}</InfoType>\
         <AuthorizerAppid>{appid}</AuthorizerAppid><AuthorizationCode>{}</AuthorizationCode>\
         <AuthorizationCodeExpiredTime>{}</AuthorizationCodeExpiredTime><PreAuthCode>{}</PreAuthCode></xml>",
        now_unix(),
        a.auth_code,
        a.expires_at,
        a.pre_auth_code
    )
}

fn unauthorized_xml(component_appid: &str, appid: &str) -> String {
    format!(
        "<xml><AppId>{component_appid}</AppId><CreateTime>{}</CreateTime><InfoType>unauthorized</InfoType>\
         <AuthorizerAppid>{appid}</AuthorizerAppid></xml>",
        now_unix()
    )
}

/// A new verify ticket and its push (none without a callback URL); `None` without a
/// component.
fn prepare_ticket(shared: &Shared) -> Option<(String, Option<Delivery>)> {
    let cfg = shared.config.component.as_ref()?;
    Some(shared.with(|s| {
        let ticket = s.component.new_ticket();
        let xml = ticket_xml(&cfg.component_appid, &ticket);
        (ticket, delivery(shared, cfg, s.component.callback_url.clone(), xml))
    }))
}

/// Pushes a new verify ticket now and returns it ("" without a component).
pub(crate) async fn push_ticket(shared: &Shared) -> String {
    let Some((ticket, d)) = prepare_ticket(shared) else { return String::new() };
    if let Some(d) = d {
        d.send().await;
    }
    ticket
}

/// `appid` authorises the platform: pushes `authorized` (or `updateauthorized`) and returns
/// the auth_code ("" without a component).
pub(crate) async fn authorize(shared: &Shared, appid: &str) -> String {
    let Some(cfg) = shared.config.component.as_ref() else { return String::new() };
    let (code, d) = shared.with(|s| {
        let a = s.component.authorize(appid);
        let xml = authorization_xml(&cfg.component_appid, appid, &a);
        (a.auth_code, delivery(shared, cfg, s.component.callback_url.clone(), xml))
    });
    if let Some(d) = d {
        d.send().await;
    }
    code
}

/// `appid` cancels: its access and refresh tokens are revoked, `unauthorized` is pushed.
/// `false` when it was not authorised (nothing is pushed).
pub(crate) async fn unauthorize(shared: &Shared, appid: &str) -> bool {
    let Some(cfg) = shared.config.component.as_ref() else { return false };
    let d = shared.with(|s| {
        let tokens = s.component.unauthorize(appid)?;
        for t in &tokens {
            s.tokens.revoke(t);
        }
        Some(delivery(shared, cfg, s.component.callback_url.clone(), unauthorized_xml(&cfg.component_appid, appid)))
    });
    match d {
        Some(d) => {
            if let Some(d) = d {
                d.send().await;
            }
            true
        }
        None => false,
    }
}

/// The pushes on a timer: every `interval`, the first one `interval` after the start.
pub(crate) async fn ticket_timer(shared: Arc<Shared>, interval: std::time::Duration) {
    let start = tokio::time::Instant::now() + interval;
    let mut tick = tokio::time::interval_at(start, interval);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        push_ticket(&shared).await;
    }
}

/// The configured component, else 61011.
fn component<'c>(ctx: &Ctx<'c>) -> Result<&'c ComponentConfig, WxError> {
    ctx.shared.config.component.as_ref().ok_or_else(invalid_component)
}

fn invalid_component() -> WxError {
    err(61011, "invalid component")
}

/// The body's `component_appid` is the platform's (61011 otherwise).
fn own_component<'c>(ctx: &Ctx<'c>) -> Result<&'c ComponentConfig, WxError> {
    let cfg = component(ctx)?;
    if ctx.need("component_appid")? != cfg.component_appid {
        return Err(invalid_component());
    }
    Ok(cfg)
}

/// `api_start_push_ticket` names a wrong AppID 40013 (its page), not 61011.
fn own_component_appid<'c>(ctx: &Ctx<'c>) -> Result<&'c ComponentConfig, WxError> {
    own_component(ctx).map_err(|e| if e.code == 61011 { err(40013, "invalid appid") } else { e })
}

/// The component secret (`key` names the field the endpoint takes): 41004 missing, 40125 wrong.
fn check_secret(ctx: &Ctx<'_>, cfg: &ComponentConfig, key: &str) -> Result<(), WxError> {
    let secret = ctx.s(key).ok_or_else(|| err(41004, "appsecret missing"))?;
    if secret != cfg.component_appsecret {
        return Err(err(40125, "invalid appsecret"));
    }
    Ok(())
}

fn component_token(ctx: &Ctx<'_>) -> Outcome {
    let cfg = own_component(ctx)?;
    check_secret(ctx, cfg, "component_appsecret")?;
    let ticket = ctx.need("component_verify_ticket")?;
    let token = ctx.with(|s| {
        s.component.check_ticket(ticket)?;
        Ok::<_, WxError>(s.component.issue_token(cfg.token_ttl))
    })?;
    data(json!({"component_access_token": token, "expires_in": cfg.token_ttl.as_secs()}))
}

fn start_push_ticket(ctx: &Ctx<'_>) -> Outcome {
    let cfg = own_component_appid(ctx)?;
    check_secret(ctx, cfg, "component_secret")?;
    if let Some((_, Some(d))) = prepare_ticket(ctx.shared) {
        // The answer does not wait for the developer's server.
        tokio::spawn(d.send());
    }
    ok()
}

fn create_preauthcode(ctx: &Ctx<'_>) -> Outcome {
    own_component(ctx)?;
    let code = ctx.with(|s| s.component.create_pre_auth_code());
    data(json!({"pre_auth_code": code, "expires_in": PRE_AUTH_CODE_TTL.as_secs()}))
}

/// The permission sets (权限集) every sandbox authorisation grants.
fn func_info() -> Value {
    let ids = [1, 2, 3, 4, 6, 7, 11];
    Value::Array(ids.iter().map(|id| json!({"funcscope_category": {"id": id}})).collect())
}

/// A new authorizer access token for `appid`, valid on every ordinary endpoint as that app.
fn issue_authorizer_token(s: &mut State, appid: &str) -> String {
    let token = s.tokens.issue_authorizer(AUTHORIZER_TOKEN_TTL);
    s.token_apps.insert(token.clone(), appid.to_string());
    s.component.record_access_token(appid, token.clone());
    token
}

fn query_auth(ctx: &Ctx<'_>) -> Outcome {
    own_component(ctx)?;
    let code = ctx.need("authorization_code")?;
    let (appid, access, refresh) = ctx.with(|s| {
        let (appid, refresh) = s.component.query_auth(code)?;
        let access = issue_authorizer_token(s, &appid);
        Ok::<_, WxError>((appid, access, refresh))
    })?;
    data(json!({"authorization_info": {
        "authorizer_appid": appid,
        "authorizer_access_token": access,
        "expires_in": AUTHORIZER_TOKEN_TTL.as_secs(),
        "authorizer_refresh_token": refresh,
        "func_info": func_info(),
    }}))
}

fn authorizer_token(ctx: &Ctx<'_>) -> Outcome {
    own_component(ctx)?;
    let appid = ctx.need("authorizer_appid")?;
    let old = ctx.need("authorizer_refresh_token")?;
    let (access, refresh) = ctx.with(|s| {
        let refresh = s.component.refresh(appid, old)?;
        Ok::<_, WxError>((issue_authorizer_token(s, appid), refresh))
    })?;
    data(json!({
        "authorizer_access_token": access,
        "expires_in": AUTHORIZER_TOKEN_TTL.as_secs(),
        "authorizer_refresh_token": refresh,
    }))
}

/// The most accounts one page of `api_get_authorizer_list` holds (docs: 最大为 500).
const LIST_MAX: i64 = 500;

fn authorizer_list(ctx: &Ctx<'_>) -> Outcome {
    own_component(ctx)?;
    let offset = ctx.i("offset").ok_or_else(|| super::missing("offset"))?;
    let count = ctx.i("count").ok_or_else(|| super::missing("count"))?;
    // The spec's limits (offset ≥ 0, count 1…500) answer first; this keeps the sandbox bounded
    // should they ever be left out.
    if offset < 0 || !(1..=LIST_MAX).contains(&count) {
        return Err(err(40035, format!("invalid args, offset {offset} / count {count} (count at most {LIST_MAX})")));
    }
    let (total, entries) = ctx.with(|s| s.component.list(offset as usize, count as usize));
    let list: Vec<Value> = entries
        .into_iter()
        .map(|e| {
            let mut v = json!({"authorizer_appid": e.appid, "auth_time": e.auth_time});
            if let Some(t) = e.refresh_token {
                v["refresh_token"] = json!(t);
            }
            v
        })
        .collect();
    data(json!({"total_count": total, "list": list}))
}

/// Fixed account details derived from the AppID (a verified service account).
fn account_details(appid: &str) -> Value {
    let tail: String = appid.chars().rev().take(8).collect::<Vec<_>>().into_iter().rev().collect();
    json!({
        "nick_name": format!("sandbox-authorizer-{tail}"),
        "head_img": format!("http://wx.qlogo.cn/mmopen/sandbox-{tail}/0"),
        "service_type_info": {"id": 2},
        "verify_type_info": {"id": 0},
        "user_name": format!("gh_{tail}"),
        "principal_name": "沙箱测试主体",
        "alias": "",
        "qrcode_url": format!("http://mmbiz.qpic.cn/mmbiz_jpg/sandbox-{tail}/0"),
        "business_info": {"open_pay": 0, "open_shake": 0, "open_scan": 0, "open_card": 0, "open_store": 0},
        "idc": 1,
        "signature": "",
        "account_status": 1,
    })
}

fn authorizer_info(ctx: &Ctx<'_>) -> Outcome {
    own_component(ctx)?;
    let appid = ctx.need("authorizer_appid")?;
    let refresh = ctx.with(|s| {
        s.component.stats.info_calls += 1;
        s.component.authorized(appid).map(|a| a.refresh_token.clone())
    })?;
    let mut authorization = json!({"authorizer_appid": appid, "func_info": func_info()});
    if let Some(t) = refresh {
        authorization["authorizer_refresh_token"] = json!(t);
    }
    data(json!({"authorizer_info": account_details(appid), "authorization_info": authorization}))
}

fn get_option(ctx: &Ctx<'_>) -> Outcome {
    own_component(ctx)?;
    let appid = ctx.need("authorizer_appid")?;
    let name = ctx.need("option_name")?;
    let value = ctx.with(|s| s.component.option(appid, name))?;
    data(json!({"authorizer_appid": appid, "option_name": name, "option_value": value}))
}

fn set_option(ctx: &Ctx<'_>) -> Outcome {
    own_component(ctx)?;
    let appid = ctx.need("authorizer_appid")?;
    let name = ctx.need("option_name")?;
    let value = ctx.need("option_value")?;
    ctx.with(|s| s.component.set_option(appid, name, value))?;
    ok()
}

/// Resets the platform's quotas, or (with `appid`) an authorised account's: 61003 for an
/// account that is not authorised.
fn clear_quota_v2(ctx: &Ctx<'_>) -> Outcome {
    let cfg = own_component(ctx)?;
    check_secret(ctx, cfg, "appsecret")?;
    ctx.with(|s| {
        if let Some(appid) = ctx.s("appid") {
            s.component.authorized(appid)?;
        }
        if s.component.quota_clears >= 10 {
            return Err(err(48006, "forbid to clear quota because of reaching the limit"));
        }
        s.component.quota_clears += 1;
        ok()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notices_carry_the_documented_elements() {
        let a = Authorization {
            auth_code: "queryauthcode@@@x".into(),
            expires_at: 1_700_000_600,
            pre_auth_code: "preauthcode@@@y".into(),
            update: false,
        };
        let xml = authorization_xml("wxcomp", "wxauth", &a);
        let f = |tag: &str| crate::callback::xml_field(&xml, tag);
        assert_eq!(f("InfoType").as_deref(), Some("authorized"));
        assert_eq!(f("AppId").as_deref(), Some("wxcomp"));
        assert_eq!(f("AuthorizerAppid").as_deref(), Some("wxauth"));
        assert_eq!(f("AuthorizationCode").as_deref(), Some("queryauthcode@@@x"));
        assert_eq!(f("AuthorizationCodeExpiredTime").as_deref(), Some("1700000600"));
        assert_eq!(f("PreAuthCode").as_deref(), Some("preauthcode@@@y"));
        let update = authorization_xml("wxcomp", "wxauth", &Authorization { update: true, ..a });
        assert_eq!(crate::callback::xml_field(&update, "InfoType").as_deref(), Some("updateauthorized"));
        let t = ticket_xml("wxcomp", "ticket@@@z");
        assert_eq!(crate::callback::xml_field(&t, "ComponentVerifyTicket").as_deref(), Some("ticket@@@z"));
        assert_eq!(crate::callback::xml_field(&t, "InfoType").as_deref(), Some("component_verify_ticket"));
        let u = unauthorized_xml("wxcomp", "wxauth");
        assert_eq!(crate::callback::xml_field(&u, "InfoType").as_deref(), Some("unauthorized"));
        assert!(crate::callback::xml_field(&u, "AuthorizationCode").is_none());
    }
}
