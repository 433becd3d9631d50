//! Access-token management against the sandbox: single flight, expiry, recovery from a
//! revoked token, stable_token mode, and no secret in any output.

mod common;

use std::sync::Arc;
use std::time::Duration;

use wechat_oa::{Error, TokenConfig};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_thousand_concurrent_callers_on_a_cold_client_cause_one_token_request() {
    let sb = common::sandbox().await;
    let client = common::client(&sb);
    let mut tasks = Vec::new();
    for _ in 0..1000 {
        let c = client.clone();
        tasks.push(tokio::spawn(async move { c.access_token().await }));
    }
    let mut tokens = std::collections::HashSet::new();
    for t in tasks {
        tokens.insert(t.await.expect("task").expect("token"));
    }
    assert_eq!(tokens.len(), 1, "everyone got the same token");
    assert_eq!(sb.stats().token_requests, 1);
}

#[tokio::test]
async fn a_cached_token_is_reused_until_it_nears_expiry() {
    // Tokens live 2 s; the margin is 1 s, so a token is refreshed after ~1 s.
    let sb = common::sandbox_with(|c| c.token_ttl = Duration::from_secs(2)).await;
    let client = common::builder(&sb)
        .token_config(TokenConfig { refresh_margin: Duration::from_millis(1000), ..TokenConfig::default() })
        .build()
        .expect("client");
    let a = client.access_token().await.expect("token");
    let b = client.access_token().await.expect("token");
    assert_eq!(a, b);
    assert_eq!(sb.stats().token_requests, 1);
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let c = client.access_token().await.expect("token");
    assert_ne!(a, c, "an expired token is replaced");
    assert_eq!(sb.stats().token_requests, 2);
}

#[tokio::test]
async fn a_wrong_secret_is_a_typed_error_without_the_secret() {
    let sb = common::sandbox().await;
    let client = wechat_oa::Client::builder(sb.config().appid.clone(), "not-the-secret-XYZ")
        .base_url(sb.base_url())
        .build()
        .expect("client");
    let err = client.access_token().await.expect_err("rejected");
    let code = err.errcode().expect("a WeChat error");
    assert!([40001, 40125].contains(&code), "{err}");
    let shown = format!("{err} {err:?}");
    assert!(!shown.contains("not-the-secret-XYZ"), "{shown}");
}

#[tokio::test]
async fn debug_output_never_shows_the_secret_or_token() {
    let sb = common::sandbox().await;
    let client = common::client(&sb);
    let token = client.access_token().await.expect("token");
    let shown = format!("{client:?}");
    assert!(!shown.contains(&sb.config().secret), "{shown}");
    assert!(!shown.contains(&token), "{shown}");
}

#[tokio::test]
async fn stable_token_mode_uses_stable_token_and_replaces_a_rejected_token() {
    let sb = common::sandbox().await;
    let client = common::builder(&sb).stable_token(true).build().expect("client");
    let a = client.access_token().await.expect("token");
    assert_eq!(sb.stats().stable_token_requests, 1);
    assert_eq!(sb.stats().token_requests, 0);
    // Revoke: the token is invalidated and stable_token asked again. The sandbox hands out a new
    // token in normal mode after a revocation, so no force_refresh is needed here (the forced
    // path is covered in redis_tokens.rs with a server that hands back the rejected token).
    sb.revoke_tokens();
    client.token_manager().invalidate(&a).await.expect("invalidate");
    let b = client.access_token().await.expect("token");
    assert_ne!(a, b);
    assert_eq!(sb.stats().stable_token_requests, 2);
    assert_eq!(client.token_manager().forced_refresh_count(), 0);
}

#[tokio::test]
async fn an_unreachable_host_is_a_transport_error_without_credentials() {
    let client = wechat_oa::Client::builder("wxappid", "very-secret-value")
        .base_url("http://127.0.0.1:9")
        .retry_policy(wechat_oa::RetryPolicy::none())
        .build()
        .expect("client");
    let err = client.access_token().await.expect_err("nothing listens on port 9");
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
    let shown = format!("{err} {err:?}");
    assert!(!shown.contains("very-secret-value"), "{shown}");
}

#[tokio::test]
async fn two_clients_sharing_a_store_share_one_token() {
    let sb = common::sandbox().await;
    let store: Arc<dyn wechat_oa::TokenStore> = Arc::new(wechat_oa::MemoryStore::new());
    let a = common::builder(&sb).token_store(store.clone()).build().expect("client");
    let b = common::builder(&sb).token_store(store).build().expect("client");
    let (ta, tb) = tokio::join!(a.access_token(), b.access_token());
    assert_eq!(ta.expect("a"), tb.expect("b"));
    assert_eq!(sb.stats().token_requests, 1);
}

#[tokio::test]
async fn a_revoked_token_is_replaced_and_the_call_retried_once() {
    let sb = common::sandbox().await;
    let client = common::client(&sb);
    let before = client.access_token().await.expect("token");
    sb.revoke_tokens();
    let page = client.user().list().send().await.expect("the call recovers from 40001");
    assert!(page.count.unwrap_or(0) > 0);
    let after = client.access_token().await.expect("token");
    assert_ne!(before, after, "the rejected token was replaced");
    let stats = sb.stats();
    assert_eq!(stats.token_requests, 2, "one refresh for the rejection, no more");
    assert_eq!(stats.calls_by_path.get("/cgi-bin/user/get"), Some(&2), "rejected once, retried once");
}

#[tokio::test]
async fn an_expired_token_answered_with_42001_is_refreshed_transparently() {
    let sb = common::sandbox().await;
    let client = common::client(&sb);
    client.user().list().send().await.expect("first call");
    sb.expire_tokens();
    client.user().list().send().await.expect("the call recovers from 42001");
    assert_eq!(sb.stats().token_requests, 2);
}
