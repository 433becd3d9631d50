//! The third-party platform over raw HTTP: verify tickets pushed (and decrypted here with the
//! sandbox's own primitives), component tokens, authorisations and their pushes, refresh-token
//! rotation, cancellation, the authorised-account list, details, options and the counters.

mod common;

use std::collections::HashMap;
use std::time::Duration;

use axum::extract::{Query, State};
use axum::routing::post;
use axum::Router;
use common::{assert_err, code, Wx};
use serde_json::{json, Value};
use tokio::sync::mpsc;
use wechat_oa_sandbox::callback::{decode_aes_key, decrypt, msg_signature, signature, xml_field};
use wechat_oa_sandbox::{ComponentConfig, SandboxConfig};

/// One push as the developer's server received it, verified and decrypted.
#[derive(Debug)]
struct Push {
    xml: String,
}

impl Push {
    fn field(&self, tag: &str) -> String {
        xml_field(&self.xml, tag).unwrap_or_default()
    }
}

/// A developer server on 127.0.0.1 that checks each push's signatures, decrypts it and answers
/// `success`; the pushes arrive on the receiver.
async fn developer_server(cfg: ComponentConfig) -> (String, mpsc::UnboundedReceiver<Push>) {
    let (tx, rx) = mpsc::unbounded_channel();
    async fn receive(
        State((cfg, tx)): State<(ComponentConfig, mpsc::UnboundedSender<Push>)>,
        Query(q): Query<HashMap<String, String>>,
        body: String,
    ) -> &'static str {
        let encrypted = xml_field(&body, "Encrypt").expect("an Encrypt element");
        assert_eq!(xml_field(&body, "AppId").as_deref(), Some(cfg.component_appid.as_str()), "envelope AppId");
        assert_eq!(q.get("encrypt_type").map(String::as_str), Some("aes"));
        let (ts, nonce) = (&q["timestamp"], &q["nonce"]);
        assert_eq!(q["msg_signature"], msg_signature(&cfg.token, ts, nonce, &encrypted), "msg_signature");
        assert_eq!(q["signature"], signature(&cfg.token, ts, nonce), "signature");
        let key = decode_aes_key(&cfg.encoding_aes_key).expect("key");
        let (xml, receive_id) = decrypt(&key, &encrypted).expect("decrypts");
        assert_eq!(receive_id, cfg.component_appid, "receive id");
        let _ = tx.send(Push { xml });
        "success"
    }
    let app = Router::new().route("/cb", post(receive)).with_state((cfg, tx));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/cb", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (url, rx)
}

async fn next(rx: &mut mpsc::UnboundedReceiver<Push>) -> Push {
    tokio::time::timeout(Duration::from_secs(10), rx.recv()).await.expect("a push within 10 s").expect("open")
}

/// A sandbox whose component pushes to a fresh developer server.
async fn platform() -> (Wx, ComponentConfig, mpsc::UnboundedReceiver<Push>) {
    platform_with(ComponentConfig::default()).await
}

async fn platform_with(mut cfg: ComponentConfig) -> (Wx, ComponentConfig, mpsc::UnboundedReceiver<Push>) {
    let (url, rx) = developer_server(cfg.clone()).await;
    cfg.callback_url = Some(url);
    let wx = Wx::with(SandboxConfig { component: Some(cfg.clone()), ..Default::default() }).await;
    (wx, cfg, rx)
}

async fn component_token_with(wx: &Wx, cfg: &ComponentConfig, ticket: &str) -> Value {
    let body = json!({
        "component_appid": cfg.component_appid,
        "component_appsecret": cfg.component_appsecret,
        "component_verify_ticket": ticket,
    });
    wx.post("/cgi-bin/component/api_component_token", &body).await.1
}

async fn component_token(wx: &Wx, cfg: &ComponentConfig) -> String {
    let ticket = wx.sb.push_verify_ticket().await;
    let v = component_token_with(wx, cfg, &ticket).await;
    v["component_access_token"].as_str().expect("a component token").to_string()
}

/// POST to a component endpoint with the token in `access_token` (the current pages' name).
async fn call(wx: &Wx, token: &str, path: &str, mut body: Value, cfg: &ComponentConfig) -> Value {
    body["component_appid"] = json!(cfg.component_appid);
    wx.post(&format!("/cgi-bin/component/{path}?access_token={token}"), &body).await.1
}

/// Authorises `appid` and exchanges the pushed code: (authorizer token, refresh token).
async fn authorised(
    wx: &Wx,
    token: &str,
    cfg: &ComponentConfig,
    rx: &mut mpsc::UnboundedReceiver<Push>,
    appid: &str,
) -> (String, String) {
    let code = wx.sb.authorize(appid).await;
    let push = next(rx).await;
    assert_eq!(push.field("AuthorizationCode"), code);
    let v = call(wx, token, "api_query_auth", json!({"authorization_code": code}), cfg).await;
    let info = &v["authorization_info"];
    assert_eq!(info["authorizer_appid"], appid, "{v}");
    (
        info["authorizer_access_token"].as_str().unwrap().to_string(),
        info["authorizer_refresh_token"].as_str().unwrap().to_string(),
    )
}

#[tokio::test]
async fn a_pushed_ticket_decrypts_and_obtains_a_component_token_as_does_the_previous_one() {
    let (wx, cfg, mut rx) = platform().await;
    let first = wx.sb.push_verify_ticket().await;
    let push = next(&mut rx).await;
    assert_eq!(push.field("InfoType"), "component_verify_ticket");
    assert_eq!(push.field("AppId"), cfg.component_appid);
    assert_eq!(push.field("ComponentVerifyTicket"), first);
    assert!(push.field("CreateTime").parse::<i64>().is_ok());

    let second = wx.sb.push_verify_ticket().await;
    assert_eq!(next(&mut rx).await.field("ComponentVerifyTicket"), second);
    let v = component_token_with(&wx, &cfg, &second).await;
    assert_eq!(v["expires_in"], 7200, "{v}");
    assert!(v["component_access_token"].as_str().is_some_and(|t| t.len() > 32));
    assert!(component_token_with(&wx, &cfg, &first).await["component_access_token"].is_string(), "previous ticket");

    let _third = wx.sb.push_verify_ticket().await;
    assert_err(&component_token_with(&wx, &cfg, &first).await, 61005);
    assert_err(&component_token_with(&wx, &cfg, "ticket@@@made-up").await, 61006);
    let stats = wx.sb.component_stats();
    assert_eq!(stats.component_token_requests, 4);
    assert_eq!(stats.ticket_pushes, 3);
    assert_eq!(stats.push_failures, 0);
}

#[tokio::test]
async fn the_component_token_needs_the_platforms_appid_and_secret() {
    let (wx, cfg, _rx) = platform().await;
    let ticket = wx.sb.push_verify_ticket().await;
    let wrong_secret = json!({"component_appid": cfg.component_appid, "component_appsecret": "nope", "component_verify_ticket": ticket});
    assert_err(&wx.post("/cgi-bin/component/api_component_token", &wrong_secret).await.1, 40125);
    let wrong_appid = json!({"component_appid": "wxother", "component_appsecret": cfg.component_appsecret, "component_verify_ticket": ticket});
    assert_err(&wx.post("/cgi-bin/component/api_component_token", &wrong_appid).await.1, 61011);
    // A component token is not an app token, and an app token is not a component token.
    let token = component_token(&wx, &cfg).await;
    assert_err(&wx.get_t(&token, "/cgi-bin/getcallbackip").await, 40001);
    let app = wx.token().await;
    assert_err(&call(&wx, &app, "api_create_preauthcode", json!({}), &cfg).await, 40001);
    assert_err(&call(&wx, "", "api_create_preauthcode", json!({}), &cfg).await, 41001);
    assert!(call(&wx, &token, "api_create_preauthcode", json!({}), &cfg).await["pre_auth_code"].is_string());
    wx.sb.expire_component_tokens();
    assert_err(&call(&wx, &token, "api_create_preauthcode", json!({}), &cfg).await, 42001);
    let (status, _) = wx.post("/__sandbox/component/expire", &json!({})).await;
    assert_eq!(status, 204);
}

#[tokio::test]
async fn api_start_push_ticket_pushes_a_ticket_at_once() {
    let (wx, cfg, mut rx) = platform().await;
    let body = json!({"component_appid": cfg.component_appid, "component_secret": cfg.component_appsecret});
    let v = wx.post("/cgi-bin/component/api_start_push_ticket", &body).await.1;
    assert_eq!(code(&v), 0, "{v}");
    let ticket = next(&mut rx).await.field("ComponentVerifyTicket");
    assert!(component_token_with(&wx, &cfg, &ticket).await["component_access_token"].is_string());
    let wrong = json!({"component_appid": "wxother", "component_secret": cfg.component_appsecret});
    assert_err(&wx.post("/cgi-bin/component/api_start_push_ticket", &wrong).await.1, 40013);
}

#[tokio::test]
async fn tickets_are_pushed_on_a_timer() {
    let cfg = ComponentConfig { ticket_push_interval: Some(Duration::from_millis(100)), ..Default::default() };
    let (wx, _cfg, mut rx) = platform_with(cfg).await;
    let a = next(&mut rx).await.field("ComponentVerifyTicket");
    let b = next(&mut rx).await.field("ComponentVerifyTicket");
    assert!(a.starts_with("ticket@@@") && b.starts_with("ticket@@@"));
    assert_ne!(a, b, "each push carries a new ticket");
    assert!(wx.sb.component_stats().ticket_pushes >= 2);
    wx.sb.shutdown().await;
}

#[tokio::test]
async fn an_authorisation_pushes_its_code_which_yields_an_authorizer_token_for_ordinary_endpoints() {
    let (wx, cfg, mut rx) = platform().await;
    let token = component_token(&wx, &cfg).await;
    let _ = next(&mut rx).await;
    let pre = call(&wx, &token, "api_create_preauthcode", json!({}), &cfg).await;
    let pre_code = pre["pre_auth_code"].as_str().expect("pre_auth_code").to_string();
    assert!(pre["expires_in"].as_i64().is_some_and(|e| e > 0));

    let code = wx.sb.authorize("wxauthorizer000001").await;
    let push = next(&mut rx).await;
    assert_eq!(push.field("InfoType"), "authorized");
    assert_eq!(push.field("AuthorizerAppid"), "wxauthorizer000001");
    assert_eq!(push.field("AuthorizationCode"), code);
    assert_eq!(push.field("PreAuthCode"), pre_code, "the page was opened with the platform's pre_auth_code");
    assert!(
        push.field("AuthorizationCodeExpiredTime").parse::<i64>().unwrap() > push.field("CreateTime").parse().unwrap()
    );

    let v = call(&wx, &token, "api_query_auth", json!({"authorization_code": code}), &cfg).await;
    let info = &v["authorization_info"];
    assert_eq!(info["expires_in"], 7200, "{v}");
    assert!(info["func_info"].as_array().is_some_and(|f| !f.is_empty()));
    let access = info["authorizer_access_token"].as_str().unwrap();
    assert!(info["authorizer_refresh_token"].as_str().unwrap().starts_with("refreshtoken@@@"));
    // The authorizer token works on an ordinary endpoint, as that account.
    let ips = wx.get_t(access, "/cgi-bin/getcallbackip").await;
    assert!(ips["ip_list"].is_array(), "{ips}");
    assert_eq!(wx.sb.token_app(access).as_deref(), Some("wxauthorizer000001"));
    // The code is spent.
    assert_err(&call(&wx, &token, "api_query_auth", json!({"authorization_code": code}), &cfg).await, 61009);

    // Authorising again is an update.
    let again = wx.sb.authorize("wxauthorizer000001").await;
    let push = next(&mut rx).await;
    assert_eq!(push.field("InfoType"), "updateauthorized");
    assert_eq!(push.field("AuthorizationCode"), again);
    let stats = wx.sb.component_stats();
    assert_eq!((stats.authorizations, stats.query_auth_calls), (2, 2));
}

#[tokio::test]
async fn every_refresh_rotates_the_refresh_token_and_the_previous_one_is_refused_and_counted() {
    let (wx, cfg, mut rx) = platform().await;
    let token = component_token(&wx, &cfg).await;
    let _ = next(&mut rx).await;
    let (_, r1) = authorised(&wx, &token, &cfg, &mut rx, "wxrotate0000000001").await;
    let refresh = |r: String| {
        let body = json!({"authorizer_appid": "wxrotate0000000001", "authorizer_refresh_token": r});
        call(&wx, &token, "api_authorizer_token", body, &cfg)
    };
    let v = refresh(r1.clone()).await;
    let r2 = v["authorizer_refresh_token"].as_str().expect("a new refresh token").to_string();
    assert_ne!(r1, r2);
    assert_eq!(v["expires_in"], 7200);
    let access = v["authorizer_access_token"].as_str().unwrap().to_string();
    assert!(wx.get_t(&access, "/cgi-bin/getcallbackip").await["ip_list"].is_array());

    assert_err(&refresh(r1.clone()).await, 61023);
    assert_err(&refresh("refreshtoken@@@never-issued".into()).await, 61023);
    let r3 = refresh(r2.clone()).await["authorizer_refresh_token"].as_str().unwrap().to_string();
    assert_err(&refresh(r2).await, 61023);
    let stats = wx.sb.component_stats();
    assert_eq!(stats.superseded_refresh_tokens_sent, 2, "r1 and r2 sent after they were rotated out");
    assert_eq!(stats.authorizer_token_refreshes, 5);
    // The current one is what the details report.
    let info =
        call(&wx, &token, "api_get_authorizer_info", json!({"authorizer_appid": "wxrotate0000000001"}), &cfg).await;
    assert_eq!(info["authorization_info"]["authorizer_refresh_token"], r3.as_str(), "{info}");
    assert_eq!(wx.sb.component_stats().info_calls, 1);
}

#[tokio::test]
async fn a_cancelled_authorisation_pushes_unauthorized_and_revokes_everything() {
    let (wx, cfg, mut rx) = platform().await;
    let token = component_token(&wx, &cfg).await;
    let _ = next(&mut rx).await;
    let (access, refresh) = authorised(&wx, &token, &cfg, &mut rx, "wxcancel0000000001").await;
    let _ = authorised(&wx, &token, &cfg, &mut rx, "wxstays0000000002").await;

    assert!(wx.sb.unauthorize("wxcancel0000000001").await);
    let push = next(&mut rx).await;
    assert_eq!(push.field("InfoType"), "unauthorized");
    assert_eq!(push.field("AuthorizerAppid"), "wxcancel0000000001");
    assert!(!wx.sb.unauthorize("wxcancel0000000001").await, "already cancelled");

    assert_err(&wx.get_t(&access, "/cgi-bin/getcallbackip").await, 40001);
    let body = json!({"authorizer_appid": "wxcancel0000000001", "authorizer_refresh_token": refresh});
    assert_err(&call(&wx, &token, "api_authorizer_token", body, &cfg).await, 61003);
    let info =
        call(&wx, &token, "api_get_authorizer_info", json!({"authorizer_appid": "wxcancel0000000001"}), &cfg).await;
    assert_err(&info, 61003);
    let list = call(&wx, &token, "api_get_authorizer_list", json!({"offset": 0, "count": 500}), &cfg).await;
    assert_eq!(list["total_count"], 1, "{list}");
    assert_eq!(list["list"][0]["authorizer_appid"], "wxstays0000000002");
}

#[tokio::test]
async fn the_list_pages_in_authorisation_order_with_refresh_tokens_unless_omitted() {
    let (wx, cfg, mut rx) = platform().await;
    let token = component_token(&wx, &cfg).await;
    let _ = next(&mut rx).await;
    for i in 0..12 {
        wx.sb.authorize(&format!("wxlist{i:012}")).await;
        let _ = next(&mut rx).await;
    }
    assert!(wx.sb.omit_list_refresh_token("wxlist000000000006"));
    assert!(!wx.sb.omit_list_refresh_token("wxnever"));
    let page = |offset: i64, count: i64| {
        call(&wx, &token, "api_get_authorizer_list", json!({"offset": offset, "count": count}), &cfg)
    };
    let v = page(5, 5).await;
    assert_eq!(v["total_count"], 12);
    let items = v["list"].as_array().unwrap();
    let ids: Vec<&str> = items.iter().map(|e| e["authorizer_appid"].as_str().unwrap()).collect();
    assert_eq!(
        ids,
        ["wxlist000000000005", "wxlist000000000006", "wxlist000000000007", "wxlist000000000008", "wxlist000000000009"]
    );
    assert!(items[0]["refresh_token"].as_str().is_some_and(|t| t.starts_with("refreshtoken@@@")));
    assert!(items[1].get("refresh_token").is_none(), "omitted: {}", items[1]);
    assert!(items.iter().all(|e| e["auth_time"].as_i64().is_some_and(|t| t > 0)));
    assert_eq!(page(10, 500).await["list"].as_array().unwrap().len(), 2);
    assert_eq!(page(12, 500).await["list"].as_array().unwrap().len(), 0);
    assert_err(&page(0, 501).await, 40035);
    assert_err(&page(0, 0).await, 40035);
    assert_eq!(wx.sb.component_stats().list_calls, 3, "refused pages are not list calls");
}

#[tokio::test]
async fn options_are_read_and_set_per_authorizer() {
    let (wx, cfg, mut rx) = platform().await;
    let token = component_token(&wx, &cfg).await;
    let _ = next(&mut rx).await;
    let _ = authorised(&wx, &token, &cfg, &mut rx, "wxoption0000000001").await;
    // These two take the older `component_access_token` query name.
    let wx = &wx;
    let opt = |path: &str, body: Value| {
        let mut body = body;
        body["component_appid"] = json!(cfg.component_appid);
        body["authorizer_appid"] = json!("wxoption0000000001");
        let url = format!("/cgi-bin/component/{path}?component_access_token={token}");
        async move { wx.post(&url, &body).await.1 }
    };
    let v = opt("api_get_authorizer_option", json!({"option_name": "voice_recognize"})).await;
    assert_eq!(v["option_value"], "0", "{v}");
    let set = opt("api_set_authorizer_option", json!({"option_name": "voice_recognize", "option_value": "1"})).await;
    assert_eq!(code(&set), 0, "{set}");
    assert_eq!(opt("api_get_authorizer_option", json!({"option_name": "voice_recognize"})).await["option_value"], "1");
    assert_err(
        &opt("api_set_authorizer_option", json!({"option_name": "voice_recognize", "option_value": "7"})).await,
        40035,
    );
    assert_err(&opt("api_get_authorizer_option", json!({"option_name": "colour"})).await, 40035);
}

#[tokio::test]
async fn a_developer_server_that_does_not_answer_success_counts_as_a_failed_push() {
    let cfg = ComponentConfig { callback_url: Some("http://127.0.0.1:9/closed".into()), ..Default::default() };
    let wx = Wx::with(SandboxConfig { component: Some(cfg), ..Default::default() }).await;
    let ticket = wx.sb.push_verify_ticket().await;
    assert!(ticket.starts_with("ticket@@@"), "the ticket is issued even when the push fails");
    assert_eq!(wx.sb.component_stats().push_failures, 1);
}

#[tokio::test]
async fn the_admin_routes_drive_the_platform() {
    let (wx, cfg, mut rx) = platform().await;
    let (status, v) = wx.post("/__sandbox/component/push_ticket", &json!({})).await;
    assert_eq!(status, 200);
    assert_eq!(next(&mut rx).await.field("ComponentVerifyTicket"), v["ticket"].as_str().unwrap());
    let (_, v) = wx.post("/admin/component/authorize", &json!({"authorizer_appid": "wxadmin00000000001"})).await;
    let code = v["auth_code"].as_str().unwrap().to_string();
    assert_eq!(next(&mut rx).await.field("AuthorizationCode"), code);
    let (_, v) = wx
        .post("/__sandbox/component/omit_list_refresh_token", &json!({"authorizer_appid": "wxadmin00000000001"}))
        .await;
    assert_eq!(v["known"], true);
    let (_, v) = wx.post("/__sandbox/component/unauthorize", &json!({"authorizer_appid": "wxadmin00000000001"})).await;
    assert_eq!(v["unauthorized"], true);
    assert_eq!(next(&mut rx).await.field("InfoType"), "unauthorized");
    let (status, _) = wx.post("/__sandbox/component/authorize", &json!({})).await;
    assert_eq!(status, 400);
    let (status, v) = wx.get("/__sandbox/component/stats").await;
    assert_eq!(status, 200);
    assert_eq!(v["authorizations"], 1);
    assert_eq!(v["ticket_pushes"], 1);
    // The callback URL can be moved at run time.
    let (url, mut rx2) = developer_server(cfg).await;
    let (status, _) = wx.post("/__sandbox/component/callback", &json!({"url": url})).await;
    assert_eq!(status, 204);
    let t = wx.sb.push_verify_ticket().await;
    assert_eq!(next(&mut rx2).await.field("ComponentVerifyTicket"), t);
}

/// Many authorised accounts and many concurrent calls: every call is answered, the refreshes
/// and details of each account stay consistent (a load check, no timing asserted).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_authorizers_and_concurrent_calls_stay_consistent() {
    let cfg = ComponentConfig::default();
    let wx = Wx::with(SandboxConfig { component: Some(cfg.clone()), ..Default::default() }).await;
    let token = component_token(&wx, &cfg).await;
    let n = 200;
    let mut refresh = Vec::new();
    for i in 0..n {
        let appid = format!("wxload{i:012}");
        let code = wx.sb.authorize(&appid).await;
        let v = call(&wx, &token, "api_query_auth", json!({"authorization_code": code}), &cfg).await;
        refresh.push((appid, v["authorization_info"]["authorizer_refresh_token"].as_str().unwrap().to_string()));
    }
    let wx = std::sync::Arc::new(wx);
    let mut tasks = tokio::task::JoinSet::new();
    for (appid, r) in &refresh {
        for k in 0..5 {
            let (wx, token, cfg, appid, r) = (wx.clone(), token.clone(), cfg.clone(), appid.clone(), r.clone());
            tasks.spawn(async move {
                if k == 0 {
                    let body = json!({"authorizer_appid": appid, "authorizer_refresh_token": r});
                    code(&call(&wx, &token, "api_authorizer_token", body, &cfg).await)
                } else {
                    code(&call(&wx, &token, "api_get_authorizer_info", json!({"authorizer_appid": appid}), &cfg).await)
                }
            });
        }
    }
    let mut codes = Vec::new();
    while let Some(c) = tasks.join_next().await {
        codes.push(c.unwrap());
    }
    assert_eq!(codes.len(), n * 5);
    assert!(
        codes.iter().all(|c| *c == 0),
        "every call succeeded: {:?}",
        codes.iter().filter(|c| **c != 0).take(5).collect::<Vec<_>>()
    );
    let stats = wx.sb.component_stats();
    assert_eq!(stats.authorizer_token_refreshes, n as u64);
    assert_eq!(stats.info_calls, 4 * n as u64);
    let list = call(&wx, &token, "api_get_authorizer_list", json!({"offset": 0, "count": 500}), &cfg).await;
    assert_eq!(list["total_count"], n);
}

#[tokio::test]
async fn the_authorisation_page_consents_redirects_with_the_code_and_pushes_it() {
    let (wx, cfg, mut rx) = platform().await;
    let token = component_token(&wx, &cfg).await;
    let _ = next(&mut rx).await;
    let pre = call(&wx, &token, "api_create_preauthcode", json!({}), &cfg).await["pre_auth_code"]
        .as_str()
        .unwrap()
        .to_string();
    let page = format!(
        "/cgi-bin/componentloginpage?component_appid={}&pre_auth_code={pre}&redirect_uri=http%3A%2F%2Fplatform.example%2Fdone&biz_appid=wxpage000000000001",
        cfg.component_appid
    );
    let r = wx.http.get(wx.url(&page)).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 302);
    let location = r.headers()["location"].to_str().unwrap().to_string();
    let push = next(&mut rx).await;
    assert_eq!(push.field("AuthorizerAppid"), "wxpage000000000001");
    assert_eq!(push.field("PreAuthCode"), pre);
    let code = push.field("AuthorizationCode");
    assert_eq!(location, format!("http://platform.example/done?auth_code={code}&expires_in=600"));
    // The pre_auth_code is spent.
    assert_eq!(wx.http.get(wx.url(&page)).send().await.unwrap().status().as_u16(), 400);
    let v = call(&wx, &token, "api_query_auth", json!({"authorization_code": code}), &cfg).await;
    assert_eq!(v["authorization_info"]["authorizer_appid"], "wxpage000000000001", "{v}");
}

#[tokio::test]
async fn the_platforms_quota_resets_take_its_secret_and_run_out_after_ten() {
    let (wx, cfg, mut rx) = platform().await;
    let token = component_token(&wx, &cfg).await;
    let _ = next(&mut rx).await;
    let _ = authorised(&wx, &token, &cfg, &mut rx, "wxquota00000000001").await;
    let wx = &wx;
    let reset = |body: Value| wx_post(wx, "/cgi-bin/component/clear_quota/v2", body);
    let body = |extra: Value| {
        let mut b = json!({"component_appid": cfg.component_appid, "appsecret": cfg.component_appsecret});
        if let (Some(o), Value::Object(e)) = (b.as_object_mut(), extra) {
            o.extend(e);
        }
        b
    };
    assert_err(&reset(json!({"component_appid": cfg.component_appid, "appsecret": "nope"})).await, 40125);
    assert_err(&reset(body(json!({"appid": "wxnotauthorised"}))).await, 61003);
    assert_eq!(code(&reset(body(json!({"appid": "wxquota00000000001"}))).await), 0);
    for _ in 0..9 {
        assert_eq!(code(&reset(body(json!({}))).await), 0);
    }
    assert_err(&reset(body(json!({}))).await, 48006);
}

async fn wx_post(wx: &Wx, path: &'static str, body: Value) -> Value {
    wx.post(path, &body).await.1
}

#[test]
fn the_component_configuration_never_shows_its_secrets() {
    let cfg = ComponentConfig::default();
    let shown = format!("{:?}", SandboxConfig::default());
    assert!(shown.contains(&cfg.component_appid));
    for secret in [&cfg.component_appsecret, &cfg.token, &cfg.encoding_aes_key] {
        assert!(!shown.contains(secret.as_str()), "a secret in {shown}");
    }
}
