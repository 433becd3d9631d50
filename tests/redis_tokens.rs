//! The Redis token store against a real redis-server and the sandbox: one refresher across
//! OS processes, compare-and-delete invalidation, a Redis restart without a token storm, and
//! a typed error when Redis is down.
#![cfg(feature = "redis")]

mod common;

use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::redis;
use wechat_mp::{Client, Error, RedisStore, StoredToken, TokenStore};

const CHILD_ROLE: &str = "WECHAT_MP_TEST_CHILD_ROLE";

async fn redis_client(
    base_url: &str,
    appid: &str,
    secret: &str,
    redis_url: &str,
    prefix: &str,
) -> Result<Client, Error> {
    let store = RedisStore::connect(redis_url).await?.with_prefix(prefix);
    Client::builder(appid, secret)
        .base_url(base_url)
        .token_store(Arc::new(store))
        .retry_policy(wechat_mp::RetryPolicy::none())
        .build()
}

/// Runs inside a child process started by `four_processes_with_fifty_tasks_each_cause_one_token_request`:
/// waits for the common start instant, then 50 tasks ask for the token at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn child_process_worker() {
    if std::env::var(CHILD_ROLE).as_deref() != Ok("token-race") {
        return; // only meaningful as a child
    }
    let var = |k: &str| std::env::var(k).unwrap_or_else(|_| panic!("{k} is set by the parent"));
    let client = redis_client(&var("SB_URL"), &var("SB_APPID"), &var("SB_SECRET"), &var("REDIS_URL"), &var("PREFIX"))
        .await
        .expect("connect");
    let start_at: u64 = var("START_AT_MS").parse().expect("number");
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("clock").as_millis() as u64;
    tokio::time::sleep(Duration::from_millis(start_at.saturating_sub(now))).await;
    let tasks: Vec<_> = (0..50)
        .map(|_| {
            let c = client.clone();
            tokio::spawn(async move { c.access_token().await })
        })
        .collect();
    let mut ok = 0;
    let mut tokens = std::collections::HashSet::new();
    for t in tasks {
        if let Ok(Ok(tok)) = t.await {
            ok += 1;
            tokens.insert(tok);
        }
    }
    println!("CHILD-RESULT ok={ok} distinct={}", tokens.len());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn four_processes_with_fifty_tasks_each_cause_one_token_request() {
    let Some((redis_url, _guard)) = redis::url() else { return };
    let sb = common::sandbox().await;
    let exe = std::env::current_exe().expect("test binary");
    let start_at =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("clock").as_millis() as u64 + 1500;
    let prefix = redis::unique_prefix("race");
    let children: Vec<_> = (0..4)
        .map(|_| {
            Command::new(&exe)
                .args(["--exact", "child_process_worker", "--nocapture", "--test-threads", "1"])
                .env(CHILD_ROLE, "token-race")
                .env("SB_URL", sb.base_url())
                .env("SB_APPID", &sb.config().appid)
                .env("SB_SECRET", &sb.config().secret)
                .env("REDIS_URL", &redis_url)
                .env("PREFIX", &prefix)
                .env("START_AT_MS", start_at.to_string())
                .output_async()
        })
        .collect();
    let mut total_ok = 0;
    for child in children {
        let out = child.await.expect("join");
        let stdout = String::from_utf8_lossy(&out.stdout).to_string();
        assert!(out.status.success(), "child failed:\n{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
        let line =
            stdout.lines().find(|l| l.starts_with("CHILD-RESULT")).unwrap_or_else(|| panic!("no result in:\n{stdout}"));
        assert!(line.contains("distinct=1"), "{line}");
        total_ok += line
            .split("ok=")
            .nth(1)
            .and_then(|s| s.split(' ').next())
            .and_then(|n| n.parse::<u32>().ok())
            .expect("ok=N");
    }
    assert_eq!(total_ok, 200, "every task of every process got a token");
    assert_eq!(sb.stats().token_requests, 1, "one /cgi-bin/token request for 4 processes x 50 tasks");
}

/// `std::process::Command::output` on a blocking thread.
trait OutputAsync {
    fn output_async(self) -> tokio::task::JoinHandle<std::process::Output>;
}

impl OutputAsync for &mut Command {
    fn output_async(self) -> tokio::task::JoinHandle<std::process::Output> {
        let mut cmd = std::mem::replace(self, Command::new("true"));
        tokio::task::spawn_blocking(move || cmd.output().expect("run the child"))
    }
}

#[tokio::test]
async fn invalidation_is_compare_and_delete() {
    let Some((redis_url, _guard)) = redis::url() else { return };
    let store = RedisStore::connect(&redis_url).await.expect("connect").with_prefix(redis::unique_prefix("cad"));
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("clock").as_millis() as u64;
    let t = |v: &str| StoredToken { value: v.to_string(), expires_at_ms: now + 60_000, fetched_at_ms: now };
    store.put("k", &t("new")).await.expect("put");
    assert!(!store.remove_if("k", "old").await.expect("cad"), "a replaced token is kept");
    assert_eq!(store.get("k").await.expect("get").map(|x| x.value), Some("new".to_string()));
    assert!(store.remove_if("k", "new").await.expect("cad"));
    assert_eq!(store.get("k").await.expect("get"), None);
}

#[tokio::test]
async fn the_refresh_lock_is_released_only_by_its_owner() {
    let Some((redis_url, _guard)) = redis::url() else { return };
    let store = RedisStore::connect(&redis_url).await.expect("connect").with_prefix(redis::unique_prefix("lock"));
    assert!(store.try_lock("l", "me", Duration::from_secs(5)).await.expect("lock"));
    assert!(!store.try_lock("l", "you", Duration::from_secs(5)).await.expect("lock"));
    store.unlock("l", "you").await.expect("unlock");
    assert!(!store.try_lock("l", "you", Duration::from_secs(5)).await.expect("still mine"));
    store.unlock("l", "me").await.expect("unlock");
    assert!(store.try_lock("l", "you", Duration::from_secs(5)).await.expect("free now"));
}

#[tokio::test]
async fn redis_down_is_a_typed_error_and_no_token_is_fetched() {
    let Some(mut server) = redis::RedisServer::start() else { return };
    let sb = common::sandbox().await;
    let c = redis_client(&sb.base_url(), &sb.config().appid, &sb.config().secret, &server.url(), "down:")
        .await
        .expect("connect while up");
    server.stop();
    let err = c.access_token().await.expect_err("Redis is down");
    assert!(matches!(err, Error::Store(_)), "{err:?}");
    assert!(err.to_string().contains("redis"), "{err}");
    assert_eq!(sb.stats().token_requests, 0, "no token is fetched without the store");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redis_restart_mid_run_causes_no_token_storm() {
    let Some(mut server) = redis::RedisServer::start() else { return };
    let sb = common::sandbox().await;
    let c = redis_client(&sb.base_url(), &sb.config().appid, &sb.config().secret, &server.url(), "restart:")
        .await
        .expect("connect");
    for _ in 0..20 {
        c.access_token().await.expect("token before the restart");
    }
    assert_eq!(sb.stats().token_requests, 1);
    server.restart();
    // Calls resume once Redis is back: 50 concurrent callers, then more, during reconnection.
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut resumed = false;
    while Instant::now() < deadline {
        let tasks: Vec<_> = (0..50)
            .map(|_| {
                let c = c.clone();
                tokio::spawn(async move { c.access_token().await })
            })
            .collect();
        let mut all_ok = true;
        for t in tasks {
            all_ok &= matches!(t.await, Ok(Ok(_)));
        }
        if all_ok {
            resumed = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(resumed, "calls resume after the restart");
    assert!(sb.stats().token_requests <= 2, "token requests: {}", sb.stats().token_requests);
}
