//! Fault injection over HTTP: faulted calls change nothing; delays delay; the admin API works.

mod common;

use std::time::{Duration, Instant};

use common::{code, Wx};
use serde_json::json;
use wechat_oa_sandbox::Faults;

#[tokio::test]
async fn full_fault_rate_fails_every_call_without_delivering() {
    let wx = Wx::start().await;
    let t = wx.token().await;
    let user = wx.sb.users()[0].clone();
    wx.sb.set_faults(Faults { transient_rate: 1.0, delay: None, seed: 3 });
    let mut system_errors = 0;
    let mut gateway = 0;
    for _ in 0..20 {
        let r = wx
            .http
            .post(wx.url(&format!("/cgi-bin/message/custom/send?access_token={t}")))
            .body(json!({"touser": user, "msgtype": "text", "text": {"content": "hi"}}).to_string())
            .send()
            .await
            .unwrap();
        match r.status().as_u16() {
            502 => gateway += 1,
            200 => {
                let v: serde_json::Value = serde_json::from_slice(&r.bytes().await.unwrap()).unwrap();
                assert_eq!(code(&v), -1);
                assert!(v["errmsg"].as_str().unwrap().starts_with("system error rid: "));
                system_errors += 1;
            }
            s => panic!("unexpected status {s}"),
        }
    }
    assert!(system_errors > 0 && gateway > 0, "{system_errors} / {gateway}");
    assert!(wx.sb.sent_messages().is_empty(), "a faulted send must not deliver");
    assert_eq!(wx.sb.stats().faults_injected, 20);
    // the token endpoint itself is never faulted
    let _ = wx.token().await;
    wx.sb.set_faults(Faults::default());
    let v = wx
        .post_t(
            &t,
            "/cgi-bin/message/custom/send",
            json!({"touser": user, "msgtype": "text", "text": {"content": "hi"}}),
        )
        .await;
    assert_eq!(code(&v), 0);
    assert_eq!(wx.sb.sent_messages().len(), 1);
}

#[tokio::test]
async fn partial_rate_is_reproducible_with_the_same_seed() {
    async fn run(seed: u64) -> Vec<u16> {
        let wx = Wx::start().await;
        let t = wx.token().await;
        wx.sb.set_faults(Faults { transient_rate: 0.5, delay: None, seed });
        let mut out = Vec::new();
        for _ in 0..30 {
            let r = wx.http.get(wx.url(&format!("/cgi-bin/getcallbackip?access_token={t}"))).send().await.unwrap();
            let status = r.status().as_u16();
            let body: serde_json::Value = serde_json::from_slice(&r.bytes().await.unwrap()).unwrap_or_default();
            out.push(if status == 200 && code(&body) == -1 { 1 } else { status });
        }
        out
    }
    let a = run(11).await;
    assert_eq!(a, run(11).await);
    assert!(a.contains(&200) && a.iter().any(|s| *s != 200), "{a:?}");
}

#[tokio::test]
async fn delay_applies_to_responses() {
    let wx = Wx::start().await;
    wx.sb.set_faults(Faults { transient_rate: 0.0, delay: Some(Duration::from_millis(250)), seed: 0 });
    let start = Instant::now();
    let _ = wx.get("/cgi-bin/getcallbackip").await;
    assert!(start.elapsed() >= Duration::from_millis(250));
}

#[tokio::test]
async fn admin_api_controls_the_sandbox() {
    let wx = Wx::start().await;
    let t = wx.token().await;
    let r = wx
        .http
        .post(wx.url("/__sandbox/faults"))
        .body(json!({"transient_rate": 1.0, "seed": 1}).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 204);
    let r = wx.http.get(wx.url(&format!("/cgi-bin/getcallbackip?access_token={t}"))).send().await.unwrap();
    let faulted = r.status().as_u16() == 502 || r.text().await.unwrap().contains("\"errcode\":-1");
    assert!(faulted);
    wx.http.post(wx.url("/__sandbox/faults")).body("{}").send().await.unwrap();
    wx.http.post(wx.url("/__sandbox/expire")).send().await.unwrap();
    assert_eq!(code(&wx.get_t(&t, "/cgi-bin/getcallbackip").await), 42001);
    wx.http.post(wx.url("/__sandbox/revoke")).send().await.unwrap();
    assert_eq!(code(&wx.get_t(&t, "/cgi-bin/getcallbackip").await), 40001);
    let (_, stats) = wx.get("/__sandbox/stats").await;
    assert_eq!(stats["token_requests"], 1);
    assert_eq!(stats["faults_injected"], 1);
    assert_eq!(stats["calls_by_path"]["/cgi-bin/getcallbackip"], 3);
    let (_, sent) = wx.get("/__sandbox/sent").await;
    assert_eq!(sent, json!([]));
    let bad = wx.http.post(wx.url("/__sandbox/faults")).body("{\"transient_rate\": 2}").send().await.unwrap();
    assert_eq!(bad.status().as_u16(), 400);
}
