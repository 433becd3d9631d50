//! The escape hatch (`Client::raw`): an endpoint called by method and path gets the same token
//! handling, recovery, retry policy and typed errors as a generated call. Against the sandbox.

mod common;

use std::time::Duration;

use wechat_oa::{Error, Method, RetryPolicy};
use wechat_oa_sandbox::Faults;

fn calls(sb: &wechat_oa_sandbox::Sandbox, path: &str) -> u64 {
    sb.stats().calls_by_path.get(path).copied().unwrap_or(0)
}

#[tokio::test]
async fn a_raw_get_carries_the_token_and_decodes_the_answer() {
    let sb = common::sandbox().await;
    let client = common::client(&sb);
    let v: serde_json::Value = client
        .raw("user.get", Method::Get, "/cgi-bin/user/get")
        .query("next_openid", "")
        .send()
        .await
        .expect("user/get");
    let total = v["total"].as_u64().expect("total");
    assert_eq!(total as usize, sb.users().len());
    assert_eq!(sb.stats().token_requests, 1);
}

#[tokio::test]
async fn a_raw_post_sends_its_json_body_and_wechat_errors_are_typed() {
    let sb = common::sandbox().await;
    let client = common::client(&sb);
    let created: serde_json::Value = client
        .raw("tags.create", Method::Post, "/cgi-bin/tags/create")
        .json(&serde_json::json!({"tag": {"name": "广东"}}))
        .send()
        .await
        .expect("tags/create");
    assert!(created["tag"]["id"].as_i64().is_some(), "{created}");
    let err = client
        .raw("user.info", Method::Get, "/cgi-bin/user/info")
        .query("openid", "not-a-follower")
        .send::<serde_json::Value>()
        .await
        .expect_err("an unknown OpenID is refused");
    let api = err.api().expect("a WeChat error");
    assert_eq!(api.endpoint, "user.info");
    assert_eq!(api.errcode, 40003);
}

#[tokio::test]
async fn a_rejected_token_is_refreshed_once_and_the_raw_call_repeated() {
    let sb = common::sandbox().await;
    let client = common::client(&sb);
    let _: serde_json::Value = client.raw("user.get", Method::Get, "/cgi-bin/user/get").send().await.expect("first");
    sb.revoke_tokens();
    let _: serde_json::Value =
        client.raw("user.get", Method::Get, "/cgi-bin/user/get").send().await.expect("after revocation");
    assert_eq!(sb.stats().token_requests, 2, "one refresh after the 40001");
    assert_eq!(calls(&sb, "/cgi-bin/user/get"), 3, "first call, the refused one, its repeat");
}

#[tokio::test]
async fn raw_calls_are_not_repeated_unless_declared_idempotent() {
    let sb = common::sandbox().await;
    let client = common::builder(&sb)
        .retry_policy(RetryPolicy {
            max_attempts: 30,
            base_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(5),
        })
        .build()
        .expect("client");
    let _ = client.access_token().await.expect("token");
    sb.set_faults(Faults { transient_rate: 1.0, ..Faults::default() });
    let e = client.raw("user.get", Method::Get, "/cgi-bin/user/get").send::<serde_json::Value>().await;
    assert!(e.is_err(), "every answer is a fault");
    assert_eq!(calls(&sb, "/cgi-bin/user/get"), 1, "a call not declared idempotent is sent once");
    let e = client.raw("user.get", Method::Get, "/cgi-bin/user/get").idempotent(true).send::<serde_json::Value>().await;
    assert!(e.is_err());
    assert_eq!(calls(&sb, "/cgi-bin/user/get"), 1 + 30, "an idempotent call is repeated up to max_attempts");
}

#[tokio::test]
async fn a_bad_raw_request_is_refused_before_anything_is_sent() {
    let sb = common::sandbox().await;
    let client = common::client(&sb);
    let e = client.raw("x.y", Method::Get, "cgi-bin/user/get").send::<serde_json::Value>().await.expect_err("no slash");
    assert!(matches!(e, Error::InvalidRequest { endpoint: "x.y", .. }), "{e}");
    let e = client
        .raw("x.z", Method::Get, "/cgi-bin/user/get")
        .json(&serde_json::json!({"a": 1}))
        .send::<serde_json::Value>()
        .await
        .expect_err("GET with a body");
    assert!(e.to_string().contains("x.z") && e.to_string().contains("GET"), "{e}");
    assert_eq!(sb.stats().token_requests, 0, "nothing left the client");
}
