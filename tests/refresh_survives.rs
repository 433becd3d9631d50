//! A token refresh outlives the caller that started it: the caller is aborted while WeChat is
//! slow to answer, the refresh still completes, stores the token and releases the refresh lock,
//! so the callers that come next get the token as soon as WeChat answered — not after the
//! lock's lifetime (`lock_ttl`) — and WeChat sees a single token request.

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use wechat_oa::{Client, Error, TokenConfig, TokenStore};
use wechat_oa_sandbox::{Faults, Sandbox};

/// The lock's lifetime in these tests; every caller must be served well before it.
const LOCK_TTL: Duration = Duration::from_secs(10);
/// WeChat's answer delay.
const DELAY: Duration = Duration::from_secs(1);
/// The bound every caller must finish within (the delay plus scheduling slack, far below LOCK_TTL).
const BOUND: Duration = Duration::from_secs(3);

fn config() -> TokenConfig {
    TokenConfig { lock_ttl: LOCK_TTL, lock_wait: Duration::from_secs(15), ..TokenConfig::default() }
}

fn slow(sb: &Sandbox) {
    sb.set_faults(Faults { delay: Some(DELAY), ..Faults::default() });
}

/// Starts a call, aborts it 200 ms in (mid-refresh) and checks it really was cancelled.
async fn abort_mid_refresh<F>(call: F)
where
    F: std::future::Future<Output = Result<String, Error>> + Send + 'static,
{
    let task = tokio::spawn(call);
    tokio::time::sleep(Duration::from_millis(200)).await;
    task.abort();
    let joined = task.await;
    assert!(
        joined.as_ref().is_err_and(|e| e.is_cancelled()),
        "the first caller was cancelled, not finished: {joined:?}"
    );
}

/// Runs `n` callers of `call` at once; returns their tokens and the slowest caller's time
/// since `since`.
async fn callers<F, Fut>(n: usize, since: Instant, call: F) -> (Vec<String>, Duration)
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Result<String, Error>> + Send + 'static,
{
    let tasks: Vec<_> = (0..n)
        .map(|_| {
            let fut = call();
            tokio::spawn(async move {
                let r = fut.await;
                (r, since.elapsed())
            })
        })
        .collect();
    let mut tokens = Vec::new();
    let mut slowest = Duration::ZERO;
    for t in tasks {
        let (r, took) = t.await.expect("caller task");
        tokens.push(r.expect("every caller gets a token"));
        slowest = slowest.max(took);
    }
    (tokens, slowest)
}

fn all_same(tokens: &[String]) {
    assert!(!tokens.is_empty());
    assert!(tokens.iter().all(|t| t == &tokens[0]), "every caller got the same token");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_aborted_caller_does_not_keep_others_waiting_for_the_lock() {
    let sb = common::sandbox().await;
    slow(&sb);
    let client = common::builder(&sb).token_config(config()).build().expect("client");
    let start = Instant::now();
    let c = client.clone();
    abort_mid_refresh(async move { c.access_token().await }).await;

    let (tokens, slowest) = callers(100, start, || {
        let c = client.clone();
        async move { c.access_token().await }
    })
    .await;
    all_same(&tokens);
    eprintln!("slowest of 100 callers after an aborted refresh: {slowest:?}");
    assert!(slowest < BOUND, "the slowest of 100 callers took {slowest:?} (lock_ttl {LOCK_TTL:?})");
    assert_eq!(sb.stats().token_requests, 1, "the aborted caller's refresh was the only token request");

    // The token is the one WeChat issued and works.
    sb.set_faults(Faults::default());
    let ips = client.base().callback_ip().send().await.expect("a call with the token");
    assert!(!ips.ip_list.is_empty());
    assert_eq!(sb.stats().token_requests, 1);
    sb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_aborted_ticket_caller_does_not_keep_others_waiting() {
    let sb = common::sandbox().await;
    let client = common::builder(&sb).token_config(config()).build().expect("client");
    client.access_token().await.expect("warm the access token");
    slow(&sb);
    let start = Instant::now();
    let c = client.clone();
    abort_mid_refresh(async move { c.ticket("jsapi").await }).await;
    let (tickets, slowest) = callers(50, start, || {
        let c = client.clone();
        async move { c.ticket("jsapi").await }
    })
    .await;
    all_same(&tickets);
    assert!(slowest < BOUND, "the slowest of 50 ticket callers took {slowest:?}");
    let calls = sb.stats().calls_by_path.get("/cgi-bin/ticket/getticket").copied().unwrap_or(0);
    assert_eq!(calls, 1, "one ticket request");
    assert_eq!(sb.stats().token_requests, 1);
    sb.shutdown().await;
}

/// Two clients (two processes' worth of token managers) on one Redis store.
#[cfg(feature = "redis")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_a_shared_redis_store_too() {
    let Some((url, _guard)) = common::redis::url() else { return };
    let prefix = common::redis::unique_prefix("refresh_survives");
    let store: Arc<dyn TokenStore> =
        Arc::new(wechat_oa::RedisStore::connect(&url).await.expect("redis").with_prefix(prefix));
    let sb = common::sandbox().await;
    slow(&sb);
    let build = || -> Client {
        common::builder(&sb).token_config(config()).token_store(store.clone()).build().expect("client")
    };
    let (a, b) = (build(), build());
    let start = Instant::now();
    let c = a.clone();
    abort_mid_refresh(async move { c.access_token().await }).await;
    let (mut tokens, slow_a) = callers(50, start, || {
        let c = a.clone();
        async move { c.access_token().await }
    })
    .await;
    let (more, slow_b) = callers(50, start, || {
        let c = b.clone();
        async move { c.access_token().await }
    })
    .await;
    tokens.extend(more);
    all_same(&tokens);
    assert!(slow_a.max(slow_b) < BOUND, "slowest callers: {slow_a:?} / {slow_b:?}");
    assert_eq!(sb.stats().token_requests, 1);
    sb.shutdown().await;
}
