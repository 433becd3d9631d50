//! App tokens over HTTP: issuing, validation errors, grace period, stable tokens, revoke/expire.

mod common;

use std::time::Duration;

use common::{assert_err, code, Wx};
use serde_json::json;
use wechat_oa_sandbox::SandboxConfig;

#[tokio::test]
async fn token_is_issued_with_the_configured_ttl() {
    let wx = Wx::start().await;
    let c = wx.sb.config().clone();
    let (status, v) =
        wx.get(&format!("/cgi-bin/token?grant_type=client_credential&appid={}&secret={}", c.appid, c.secret)).await;
    assert_eq!(status, 200);
    assert!(v["access_token"].as_str().unwrap().len() >= 64);
    assert_eq!(v["expires_in"], 7200);
    assert_eq!(wx.sb.stats().token_requests, 1);
}

#[tokio::test]
async fn token_request_errors_follow_wechat() {
    let wx = Wx::start().await;
    let c = wx.sb.config().clone();
    let cases = [
        (format!("/cgi-bin/token?grant_type=password&appid={}&secret={}", c.appid, c.secret), 40002),
        (format!("/cgi-bin/token?grant_type=client_credential&secret={}", c.secret), 41002),
        (format!("/cgi-bin/token?grant_type=client_credential&appid=wxnotme&secret={}", c.secret), 40013),
        (format!("/cgi-bin/token?grant_type=client_credential&appid={}", c.appid), 41004),
        (format!("/cgi-bin/token?grant_type=client_credential&appid={}&secret=wrong", c.appid), 40125),
    ];
    for (path, expected) in &cases {
        assert_err(&wx.get(path).await.1, *expected);
    }
    let (_, v) = wx.post(&cases[0].0, &json!({})).await;
    assert_err(&v, 43001);
    assert_eq!(wx.sb.stats().token_requests, cases.len() as u64 + 1);
}

#[tokio::test]
async fn token_checks_on_a_protected_endpoint() {
    let wx = Wx::start().await;
    assert_err(&wx.get("/cgi-bin/getcallbackip").await.1, 41001);
    assert_err(&wx.get("/cgi-bin/getcallbackip?access_token=nonsense").await.1, 40001);
    let t = wx.token().await;
    let ok = wx.get_t(&t, "/cgi-bin/getcallbackip").await;
    assert!(ok["ip_list"].as_array().is_some_and(|l| !l.is_empty()), "{ok}");
    wx.sb.expire_tokens();
    assert_err(&wx.get_t(&t, "/cgi-bin/getcallbackip").await, 42001);
    wx.sb.revoke_tokens();
    assert_err(&wx.get_t(&t, "/cgi-bin/getcallbackip").await, 40001);
    let fresh = wx.token().await;
    assert_eq!(code(&wx.get_t(&fresh, "/cgi-bin/getcallbackip").await), 0);
}

#[tokio::test]
async fn previous_token_survives_only_the_grace_period() {
    let cfg = SandboxConfig { token_grace: Duration::from_millis(300), ..Default::default() };
    let wx = Wx::with(cfg).await;
    let old = wx.token().await;
    let new = wx.token().await;
    assert_ne!(old, new);
    assert_eq!(code(&wx.get_t(&old, "/cgi-bin/get_api_domain_ip").await), 0);
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_err(&wx.get_t(&old, "/cgi-bin/get_api_domain_ip").await, 40001);
    assert_eq!(code(&wx.get_t(&new, "/cgi-bin/get_api_domain_ip").await), 0);
}

#[tokio::test]
async fn token_expires_after_its_ttl() {
    let cfg = SandboxConfig { token_ttl: Duration::from_millis(200), ..Default::default() };
    let wx = Wx::with(cfg).await;
    let t = wx.token().await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_err(&wx.get_t(&t, "/cgi-bin/getcallbackip").await, 42001);
}

#[tokio::test]
async fn stable_token_is_shared_until_force_refresh_and_independent_of_token() {
    let wx = Wx::start().await;
    let c = wx.sb.config().clone();
    let body = json!({"grant_type": "client_credential", "appid": c.appid, "secret": c.secret});
    let (_, a) = wx.post("/cgi-bin/stable_token", &body).await;
    let (_, b) = wx.post("/cgi-bin/stable_token", &body).await;
    assert_eq!(a["access_token"], b["access_token"]);
    let plain = wx.token().await;
    let _ = wx.token().await;
    let stable = a["access_token"].as_str().unwrap().to_string();
    assert_eq!(code(&wx.get_t(&stable, "/cgi-bin/getcallbackip").await), 0, "plain refreshes leave it alone");
    let mut forced = body.clone();
    forced["force_refresh"] = json!(true);
    let (_, c2) = wx.post("/cgi-bin/stable_token", &forced).await;
    assert_ne!(c2["access_token"], a["access_token"]);
    assert_err(&wx.get_t(&stable, "/cgi-bin/getcallbackip").await, 40001);
    assert_eq!(code(&wx.get_t(&plain, "/cgi-bin/getcallbackip").await), 0, "force refresh leaves plain tokens alone");
    let (_, bad) = wx
        .post("/cgi-bin/stable_token", &json!({"grant_type": "client_credential", "appid": c.appid, "secret": "x"}))
        .await;
    assert_err(&bad, 40125);
    assert_err(&wx.get("/cgi-bin/stable_token").await.1, 43002);
    assert_eq!(wx.sb.stats().stable_token_requests, 5);
}

#[tokio::test]
async fn wrong_method_and_bad_json() {
    let wx = Wx::start().await;
    let t = wx.token().await;
    assert_err(&wx.post_t(&t, "/cgi-bin/user/get", json!({})).await, 43001);
    assert_err(&wx.get_t(&t, "/cgi-bin/tags/create").await, 43002);
    let r =
        wx.http.post(wx.url(&format!("/cgi-bin/tags/create?access_token={t}"))).body("{not json").send().await.unwrap();
    let v: serde_json::Value = serde_json::from_slice(&r.bytes().await.unwrap()).unwrap();
    assert_err(&v, 47001);
    let r = wx.http.post(wx.url(&format!("/cgi-bin/tags/create?access_token={t}"))).send().await.unwrap();
    let v: serde_json::Value = serde_json::from_slice(&r.bytes().await.unwrap()).unwrap();
    assert_err(&v, 44002);
}
