//! The runtime under injected faults, against the sandbox: a token revoked under 200 calls in
//! flight, transient failures (errcode -1 and HTTP 502) on idempotent reads and on sends,
//! answers slower than the client timeout, and quota codes.

mod common;

use std::collections::{BTreeMap, HashSet};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;

use futures_util::stream::{self, StreamExt};
use wechat_oa::api::template::TemplateDataValue;
use wechat_oa::{Client, ErrCode, Error, RetryPolicy, TransportKind};
use wechat_oa_sandbox::{Faults, Sandbox};

/// Many attempts, short backoff: at a 30 % fault rate, 20 attempts all failing has odds of
/// 0.3^20 ≈ 3.5e-11 per call.
fn patient() -> RetryPolicy {
    RetryPolicy { max_attempts: 20, base_delay: Duration::from_millis(1), max_delay: Duration::from_millis(20) }
}

fn calls(sb: &Sandbox, path: &str) -> u64 {
    sb.stats().calls_by_path.get(path).copied().unwrap_or(0)
}

/// Calls `f(i)` for `0..n`, `concurrency` at a time; results in completion order.
async fn run_many<T, F, Fut>(n: usize, concurrency: usize, f: F) -> Vec<T>
where
    F: Fn(usize) -> Fut,
    Fut: std::future::Future<Output = T>,
{
    stream::iter(0..n).map(f).buffer_unordered(concurrency).collect().await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn revoking_the_token_under_200_calls_in_flight_costs_one_token_request() {
    let sb = common::sandbox().await;
    let client = common::client(&sb);
    let users = sb.users();
    let before = client.access_token().await.expect("warm token");
    // A first wave opens 200 pooled connections, so that the second wave arrives at once.
    let warm = run_many(200, 200, |i| {
        let (c, openid) = (client.clone(), users[i % users.len()].clone());
        async move { c.user().info(openid).send().await }
    })
    .await;
    assert!(warm.iter().all(Result::is_ok));
    assert_eq!(sb.stats().token_requests, 1);
    let baseline = calls(&sb, "/cgi-bin/user/info");

    // Hold every request in the sandbox (the delay comes before the token check) until all 200
    // have arrived, then revoke: each of them is answered 40001.
    sb.set_faults(Faults { delay: Some(Duration::from_millis(2000)), ..Faults::default() });
    let tasks: Vec<_> = (0..200)
        .map(|i| {
            let (c, openid) = (client.clone(), users[i % users.len()].clone());
            tokio::spawn(async move { c.user().info(openid.clone()).send().await.map(|u| (u.openid, openid)) })
        })
        .collect();
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while calls(&sb, "/cgi-bin/user/info") < baseline + 200 {
        assert!(
            std::time::Instant::now() < deadline,
            "only {} calls arrived",
            calls(&sb, "/cgi-bin/user/info") - baseline
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    sb.revoke_tokens();
    sb.set_faults(Faults::default());

    for t in tasks {
        let (got, asked) = t.await.expect("task").expect("every call succeeds");
        assert_eq!(got, asked);
    }
    let stats = sb.stats();
    assert_eq!(stats.token_requests, 2, "one extra token request for 200 rejected calls");
    assert_eq!(
        stats.calls_by_path.get("/cgi-bin/user/info"),
        Some(&(baseline + 400)),
        "each call rejected once, repeated once"
    );
    assert_ne!(client.access_token().await.expect("token"), before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_idempotent_calls_survive_thirty_percent_transient_faults() {
    let sb = common::sandbox().await;
    let client = common::builder(&sb).retry_policy(patient()).build().expect("client");
    let users = sb.users();
    client.access_token().await.expect("warm token");
    sb.set_faults(Faults { transient_rate: 0.3, delay: None, seed: 11 });

    let results = run_many(1000, 32, |i| {
        let (c, openid) = (client.clone(), users[i % users.len()].clone());
        async move { (c.user().info(openid.clone()).send().await, openid) }
    })
    .await;
    sb.set_faults(Faults::default());

    for (r, openid) in &results {
        let user = r.as_ref().unwrap_or_else(|e| panic!("an idempotent call failed: {e}"));
        assert_eq!(&user.openid, openid);
    }
    let stats = sb.stats();
    assert!(stats.faults_injected > 150, "faults were injected: {}", stats.faults_injected);
    assert_eq!(
        stats.calls_by_path.get("/cgi-bin/user/info").copied(),
        Some(1000 + stats.faults_injected),
        "every fault was retried once more, and nothing else was"
    );
    assert_eq!(stats.token_requests, 1, "faults never cost a token");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_sends_under_faults_deliver_exactly_the_successes() {
    let sb = common::sandbox().await;
    let client = common::builder(&sb).retry_policy(patient()).build().expect("client");
    let users = sb.users();
    let template_id =
        client.template().add("TM00015", vec!["keyword1".into()]).send().await.expect("template").template_id;
    sb.set_faults(Faults { transient_rate: 0.3, delay: None, seed: 29 });

    let results = run_many(1000, 32, |i| {
        let c = client.clone();
        let (touser, template_id) = (users[i % users.len()].clone(), template_id.clone());
        async move {
            let data = BTreeMap::from([("keyword1".to_string(), TemplateDataValue::new(format!("order {i}")))]);
            let r = c.template().send(touser, template_id, data).client_msg_id(format!("fault-run-{i}")).send().await;
            (i, r)
        }
    })
    .await;
    sb.set_faults(Faults::default());

    let mut ok_msgids = HashSet::new();
    let mut ok_ids = HashSet::new();
    let mut failures = 0u64;
    for (i, r) in results {
        match r {
            Ok(resp) => {
                assert!(ok_msgids.insert(resp.msgid.expect("a msgid")), "msgid answered twice");
                ok_ids.insert(format!("fault-run-{i}"));
            }
            Err(Error::Api(e)) if e.errcode == -1 => failures += 1,
            Err(Error::Http { status: 502, .. }) => failures += 1,
            Err(e) => panic!("unexpected failure: {e:?}"),
        }
    }
    let stats = sb.stats();
    assert_eq!(stats.calls_by_path.get("/cgi-bin/message/template/send"), Some(&1000), "no send was repeated");
    assert_eq!(failures, stats.faults_injected, "every injected fault reached the caller as an error");
    assert!(failures > 150, "faults were injected: {failures}");

    let delivered: Vec<_> = sb.sent_messages().into_iter().filter(|m| m.kind == "template").collect();
    assert_eq!(delivered.len(), ok_msgids.len(), "delivered = successful sends");
    let delivered_ids: HashSet<String> = delivered
        .iter()
        .map(|m| m.body.get("client_msg_id").and_then(|v| v.as_str()).expect("client_msg_id").to_string())
        .collect();
    assert_eq!(delivered_ids.len(), delivered.len(), "no message was delivered twice");
    assert_eq!(delivered_ids, ok_ids, "exactly the sends that returned Ok were delivered");
    let delivered_msgids: HashSet<i64> = delivered.iter().map(|m| m.msgid.expect("msgid")).collect();
    assert_eq!(delivered_msgids, ok_msgids);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answers_slower_than_the_timeout_are_timeout_errors_and_sends_are_not_repeated() {
    let sb = common::sandbox().await;
    let policy =
        RetryPolicy { max_attempts: 3, base_delay: Duration::from_millis(1), max_delay: Duration::from_millis(5) };
    let client = common::builder(&sb).timeout(Duration::from_millis(300)).retry_policy(policy).build().expect("client");
    let openid = sb.users()[0].clone();
    let template_id =
        client.template().add("TM00015", vec!["keyword1".into()]).send().await.expect("template").template_id;
    sb.set_faults(Faults { delay: Some(Duration::from_millis(1200)), ..Faults::default() });

    let data = BTreeMap::from([("keyword1".to_string(), TemplateDataValue::new("late"))]);
    let err = client.template().send(openid.clone(), template_id, data).send().await.expect_err("timed out");
    assert!(matches!(err, Error::Transport { kind: TransportKind::Timeout, .. }), "{err:?}");
    assert!(err.may_have_reached_wechat(), "a timed-out send may have been delivered");
    assert_eq!(calls(&sb, "/cgi-bin/message/template/send"), 1, "a send is never repeated after a timeout");

    let err = client.user().info(openid).send().await.expect_err("timed out");
    assert!(matches!(err, Error::Transport { kind: TransportKind::Timeout, .. }), "{err:?}");
    assert_eq!(calls(&sb, "/cgi-bin/user/info"), 3, "a read is tried as often as the policy allows");
    assert!(!err.to_string().contains("access_token="), "{err}");
    assert!(!format!("{err:?}").contains(&client.access_token().await.expect("token")), "{err:?}");

    // Once the delayed requests have played out, the send was delivered at most once.
    sb.set_faults(Faults::default());
    tokio::time::sleep(Duration::from_millis(1300)).await;
    assert!(sb.sent_messages().iter().filter(|m| m.kind == "template").count() <= 1);
    assert_eq!(calls(&sb, "/cgi-bin/message/template/send"), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_token_request_is_shared_by_the_callers_that_waited_for_it() {
    let sb = common::sandbox().await;
    let client = Client::builder(sb.config().appid.clone(), "a-wrong-app-secret-0000")
        .base_url(sb.base_url())
        .retry_policy(patient())
        .build()
        .expect("client");
    // The token answer takes a second, so all 50 callers are queued behind the first fetch.
    sb.set_faults(Faults { delay: Some(Duration::from_millis(1000)), ..Faults::default() });
    let users = sb.users();
    let results = run_many(50, 50, |i| {
        let (c, openid) = (client.clone(), users[i % users.len()].clone());
        async move { c.user().info(openid).send().await }
    })
    .await;
    for r in results {
        assert_eq!(r.expect_err("wrong secret").errcode(), Some(40125));
    }
    let stats = sb.stats();
    assert_eq!(stats.token_requests, 1, "50 callers, one failed token request, not 50");
    assert_eq!(stats.calls_by_path.get("/cgi-bin/user/info"), None);
}

#[tokio::test]
async fn quota_exhausted_is_a_typed_error_that_is_never_retried() {
    let sb = common::sandbox().await;
    let client = common::builder(&sb).retry_policy(patient()).build().expect("client");
    for _ in 0..10 {
        client.base().clear_quota().send().await.expect("10 resets a month");
    }
    let err = client.base().clear_quota().send().await.expect_err("the 11th is refused");
    let api = err.api().expect("a WeChat error");
    assert_eq!(api.errcode, 48006);
    assert_eq!(api.code(), ErrCode::ClearQuotaLimitReached);
    assert!(api.is_quota());
    assert!(api.rid.is_some(), "{api}");
    assert_eq!(calls(&sb, "/cgi-bin/clear_quota"), 11, "the refusal was not repeated");
}

/// The sandbox has no switch for 45009 (daily quota reached), so this small HTTP server answers
/// every `user/info` with it and counts the requests.
#[tokio::test]
async fn daily_quota_reached_on_an_idempotent_read_is_not_retried() {
    let hits = Arc::new([AtomicU32::new(0), AtomicU32::new(0)]);
    let base = serve_quota_exhausted(hits.clone()).await;
    let client =
        Client::builder("wxquota", "quota-secret").base_url(base).retry_policy(patient()).build().expect("client");
    let err = client.user().info("o6_someone").send().await.expect_err("quota reached");
    let api = err.api().expect("a WeChat error");
    assert_eq!(api.errcode, 45009);
    assert_eq!(api.code(), ErrCode::ApiDailyQuotaReached);
    assert!(api.is_quota());
    assert_eq!(api.rid.as_deref(), Some("6a1b2c3d-4e5f6a7b-8c9d0e1f"));
    assert_eq!(hits[1].load(Ordering::SeqCst), 1, "asked once despite 20 allowed attempts");
    assert_eq!(hits[0].load(Ordering::SeqCst), 1, "and the token was not blamed");
}

/// `/cgi-bin/token` issues a token (hits[0]); every other path answers 45009 (hits[1]).
async fn serve_quota_exhausted(hits: Arc<[AtomicU32; 2]>) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            let hits = hits.clone();
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 2048];
                while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
                    match sock.read(&mut chunk).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => buf.extend_from_slice(&chunk[..n]),
                    }
                }
                let head = String::from_utf8_lossy(&buf);
                let path = head.split_whitespace().nth(1).unwrap_or("").split('?').next().unwrap_or("");
                let body = if path == "/cgi-bin/token" {
                    hits[0].fetch_add(1, Ordering::SeqCst);
                    r#"{"access_token":"quota-test-token","expires_in":7200}"#
                } else {
                    hits[1].fetch_add(1, Ordering::SeqCst);
                    r#"{"errcode":45009,"errmsg":"reach max api daily quota limit rid: 6a1b2c3d-4e5f6a7b-8c9d0e1f"}"#
                };
                let resp = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = sock.write_all(resp.as_bytes()).await;
                let _ = sock.shutdown().await;
            });
        }
    });
    format!("http://{addr}")
}
