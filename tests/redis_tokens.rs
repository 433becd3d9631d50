//! The Redis token store against a real redis-server and the sandbox: one refresher across
//! OS processes, compare-and-delete invalidation, a Redis restart without a token storm, a
//! typed error when Redis is down, and stable_token's `force_refresh` used only for a token
//! WeChat rejected and then handed back.
#![cfg(feature = "redis")]

mod common;

use std::collections::HashSet;
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use common::redis;
use wechat_oa::{Client, Error, RedisStore, StoredToken, TokenStore};

const CHILD_ROLE: &str = "WECHAT_OA_TEST_CHILD_ROLE";

fn now_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).expect("clock").as_millis() as u64
}

/// A short fingerprint of a token, so processes can compare tokens without printing them.
fn fingerprint(token: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in token.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")
}

async fn store(redis_url: &str, prefix: &str) -> Result<RedisStore, Error> {
    Ok(RedisStore::connect(redis_url).await?.with_prefix(prefix))
}

async fn redis_client(
    base_url: &str,
    appid: &str,
    secret: &str,
    redis_url: &str,
    prefix: &str,
) -> Result<Client, Error> {
    Client::builder(appid, secret)
        .base_url(base_url)
        .token_store(Arc::new(store(redis_url, prefix).await?))
        .retry_policy(wechat_oa::RetryPolicy::none())
        .build()
}

/// The store key of the app token (what `TokenManager::key` builds, before the prefix).
fn token_key(appid: &str) -> String {
    format!("wechat-oa:{appid}:access_token")
}

/// Runs inside a child process started by `four_processes_with_fifty_tasks_each_cause_one_token_request`:
/// waits for the common start instant, then 50 tasks each make an API call on the cold token.
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
    tokio::time::sleep(Duration::from_millis(start_at.saturating_sub(now_ms()))).await;
    let tasks: Vec<_> = (0..50)
        .map(|_| {
            let c = client.clone();
            tokio::spawn(async move { c.base().callback_ip().send().await })
        })
        .collect();
    let mut ok = 0;
    let mut errors = Vec::new();
    for t in tasks {
        match t.await.expect("task") {
            Ok(r) if !r.ip_list.is_empty() => ok += 1,
            Ok(_) => errors.push("empty ip_list".to_string()),
            Err(e) => errors.push(e.to_string()),
        }
    }
    let token = client.access_token().await.expect("token after the calls");
    // On its own line: the test harness prints its own text on the same line before.
    println!(
        "\nCHILD-RESULT ok={ok} fetched={} token={} errors={errors:?}",
        client.token_manager().fetch_count(),
        fingerprint(&token)
    );
}

fn field<'a>(line: &'a str, name: &str) -> &'a str {
    line.split_whitespace()
        .find_map(|w| w.strip_prefix(name).and_then(|r| r.strip_prefix('=')))
        .unwrap_or_else(|| panic!("no {name}= in {line}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn four_processes_with_fifty_tasks_each_cause_one_token_request() {
    let Some((redis_url, _guard)) = redis::url() else { return };
    let sb = common::sandbox().await;
    let exe = std::env::current_exe().expect("test binary");
    // Children take a while to start; they all begin at this instant.
    let start_at = now_ms() + 1500;
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
    let mut total_fetched = 0;
    let mut fingerprints = HashSet::new();
    for child in children {
        let out = child.await.expect("join");
        let stdout = String::from_utf8_lossy(&out.stdout).to_string();
        assert!(out.status.success(), "child failed:\n{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
        let line =
            stdout.lines().find(|l| l.starts_with("CHILD-RESULT")).unwrap_or_else(|| panic!("no result in:\n{stdout}"));
        assert!(line.ends_with("errors=[]"), "{line}");
        total_ok += field(line, "ok").parse::<u32>().expect("ok=N");
        total_fetched += field(line, "fetched").parse::<u32>().expect("fetched=N");
        fingerprints.insert(field(line, "token").to_string());
    }
    assert_eq!(total_ok, 200, "every call of every process succeeded");
    let stats = sb.stats();
    assert_eq!(stats.token_requests, 1, "one /cgi-bin/token request for 4 processes x 50 tasks");
    assert_eq!(total_fetched, 1, "exactly one process fetched");
    assert_eq!(stats.calls_by_path.get("/cgi-bin/getcallbackip"), Some(&200), "no call was rejected and repeated");
    assert_eq!(fingerprints.len(), 1, "every process ended with the same token");
    let stored = store(&redis_url, &prefix)
        .await
        .expect("connect")
        .get(&token_key(&sb.config().appid))
        .await
        .expect("get")
        .expect("the token is in Redis");
    assert!(fingerprints.contains(&fingerprint(&stored.value)), "and it is the one in Redis");
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
    let store = store(&redis_url, &redis::unique_prefix("cad")).await.expect("connect");
    let now = now_ms();
    let t = |v: &str| StoredToken { value: v.to_string(), expires_at_ms: now + 60_000, fetched_at_ms: now };
    store.put("k", &t("new")).await.expect("put");
    assert!(!store.remove_if("k", "old").await.expect("cad"), "a replaced token is kept");
    assert_eq!(store.get("k").await.expect("get").map(|x| x.value), Some("new".to_string()));
    assert!(store.remove_if("k", "new").await.expect("cad"));
    assert_eq!(store.get("k").await.expect("get"), None);
    assert!(!store.remove_if("k", "new").await.expect("cad"), "nothing to delete");
}

#[tokio::test]
async fn stored_tokens_expire_in_redis_with_the_token() {
    let Some((redis_url, _guard)) = redis::url() else { return };
    let store = store(&redis_url, &redis::unique_prefix("ttl")).await.expect("connect");
    let now = now_ms();
    store
        .put("short", &StoredToken { value: "v".into(), expires_at_ms: now + 300, fetched_at_ms: now })
        .await
        .expect("put");
    assert!(store.get("short").await.expect("get").is_some());
    let deadline = Instant::now() + Duration::from_secs(5);
    while store.get("short").await.expect("get").is_some() {
        assert!(Instant::now() < deadline, "Redis never expired the entry");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Two clients (as two servers would) share Redis. One of them learns late that the old token
/// was rejected, after the other already replaced it: the replacement survives and no token
/// is fetched.
#[tokio::test]
async fn a_late_rejection_does_not_discard_the_token_another_process_stored() {
    let Some((redis_url, _guard)) = redis::url() else { return };
    let sb = common::sandbox().await;
    let prefix = redis::unique_prefix("late");
    let (appid, secret) = (&sb.config().appid, &sb.config().secret);
    let a = redis_client(&sb.base_url(), appid, secret, &redis_url, &prefix).await.expect("client a");
    let b = redis_client(&sb.base_url(), appid, secret, &redis_url, &prefix).await.expect("client b");
    let t1 = a.access_token().await.expect("token");
    assert_eq!(b.access_token().await.expect("token"), t1, "b reads a's token from Redis");

    sb.revoke_tokens();
    b.base().callback_ip().send().await.expect("b recovers from 40001");
    let t2 = b.access_token().await.expect("token");
    assert_ne!(t1, t2);
    assert_eq!(sb.stats().token_requests, 2);

    // a's call with t1 is answered 40001 only now.
    a.token_manager().invalidate(&t1).await.expect("invalidate");
    assert_eq!(a.access_token().await.expect("token"), t2, "the replacement was kept");
    a.base().callback_ip().send().await.expect("a works with b's token");
    assert_eq!(sb.stats().token_requests, 2, "nobody fetched again");
    assert_eq!(a.token_manager().fetch_count(), 1);
}

#[tokio::test]
async fn the_refresh_lock_is_released_only_by_its_owner() {
    let Some((redis_url, _guard)) = redis::url() else { return };
    let store = store(&redis_url, &redis::unique_prefix("lock")).await.expect("connect");
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
    for _ in 0..5 {
        let err = c.access_token().await.expect_err("Redis is down");
        assert!(matches!(err, Error::Store(_)), "{err:?}");
        assert!(err.to_string().contains("redis"), "{err}");
        let err = c.user().list().send().await.expect_err("Redis is down");
        assert!(matches!(err, Error::Store(_)), "{err:?}");
        assert!(!err.may_have_reached_wechat());
    }
    let stats = sb.stats();
    assert_eq!(stats.token_requests, 0, "no token is fetched without the store");
    assert_eq!(stats.calls_by_path.get("/cgi-bin/user/get"), None, "no call is sent without a token");
}

#[tokio::test]
async fn connecting_to_a_redis_that_is_not_there_is_a_store_error() {
    // A port that was free a moment ago; nothing listens on it.
    let port = std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("port").port();
    let err = store(&format!("redis://127.0.0.1:{port}/"), "x:").await.expect_err("nothing listens");
    assert!(matches!(err, Error::Store(ref s) if s.backend == "redis"), "{err:?}");
    let err = store("not a url", "x:").await.expect_err("bad URL");
    assert!(matches!(err, Error::Store(_)), "{err:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redis_restart_mid_run_causes_no_token_storm() {
    use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
    let Some(server) = redis::RedisServer::start() else { return };
    let sb = common::sandbox().await;
    let (appid, secret) = (&sb.config().appid, &sb.config().secret);
    // Two clients with their own token managers, as two processes would have; 16 workers call
    // continuously while Redis is killed and started again, empty.
    let clients = [
        redis_client(&sb.base_url(), appid, secret, &server.url(), "restart:").await.expect("connect"),
        redis_client(&sb.base_url(), appid, secret, &server.url(), "restart:").await.expect("connect"),
    ];
    let stop = Arc::new(AtomicBool::new(false));
    let ok = Arc::new(AtomicU64::new(0));
    let store_errors = Arc::new(AtomicU64::new(0));
    let workers: Vec<_> = (0..16)
        .map(|i| {
            let (c, stop, ok, store_errors) = (clients[i % 2].clone(), stop.clone(), ok.clone(), store_errors.clone());
            tokio::spawn(async move {
                while !stop.load(Ordering::Relaxed) {
                    match c.base().callback_ip().send().await {
                        Ok(_) => ok.fetch_add(1, Ordering::Relaxed),
                        Err(Error::Store(_)) => store_errors.fetch_add(1, Ordering::Relaxed),
                        Err(e) => panic!("only store errors are expected while Redis restarts: {e:?}"),
                    };
                    tokio::task::yield_now().await;
                }
            })
        })
        .collect();
    let wait_for = |n: u64| {
        let ok = ok.clone();
        async move {
            let deadline = Instant::now() + Duration::from_secs(20);
            while ok.load(Ordering::Relaxed) < n {
                assert!(Instant::now() < deadline, "calls stalled at {} successes", ok.load(Ordering::Relaxed));
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        }
    };
    wait_for(100).await;
    assert_eq!(sb.stats().token_requests, 1);
    // restart() blocks until the new server accepts connections.
    let server = tokio::task::spawn_blocking(move || {
        let mut server = server;
        server.restart();
        server
    })
    .await
    .expect("restart");
    let after_restart = ok.load(Ordering::Relaxed);
    wait_for(after_restart + 200).await;
    stop.store(true, Ordering::Relaxed);
    for w in workers {
        w.await.expect("worker");
    }
    let token_requests = sb.stats().token_requests;
    eprintln!("{} calls failed with a store error while Redis restarted", store_errors.load(Ordering::Relaxed));
    assert!(token_requests <= 2, "token requests: {token_requests}");
    // The restarted Redis was empty, so the token had to be fetched again — once.
    assert_eq!(token_requests, 2, "store errors meanwhile: {}", store_errors.load(Ordering::Relaxed));
    drop(server);
}

// ---------------------------------------------------------------------------------------------
// stable_token and force_refresh
//
// The sandbox issues a new stable token whenever the current one has been revoked, so it never
// hands back a rejected token; the case that calls for `force_refresh` (WeChat rejects a token
// and normal mode returns the same one) is reproduced by this small HTTP server, which also
// records the `force_refresh` flag of every stable_token request.

#[derive(Default)]
struct StubWeChat {
    current: Option<String>,
    serial: u32,
    /// Rejected although normal mode still hands them out.
    poisoned: HashSet<String>,
    /// `force_refresh` of each stable_token request, in order.
    force_flags: Vec<bool>,
    api_calls: u32,
}

impl StubWeChat {
    fn rotate(&mut self) -> String {
        self.serial += 1;
        let t = format!("stub-stable-token-{}-{:x}", self.serial, rand_u64());
        self.current = Some(t.clone());
        t
    }

    fn answer(&mut self, method: &str, path: &str, query: &str, body: &[u8]) -> String {
        match (method, path) {
            ("POST", "/cgi-bin/stable_token") => {
                let v: serde_json::Value = serde_json::from_slice(body).unwrap_or_default();
                let force = v.get("force_refresh").and_then(|f| f.as_bool()).unwrap_or(false);
                self.force_flags.push(force);
                let token = match (&self.current, force) {
                    (Some(cur), false) => cur.clone(),
                    _ => self.rotate(),
                };
                serde_json::json!({"access_token": token, "expires_in": 7200}).to_string()
            }
            ("GET", "/cgi-bin/getcallbackip") => {
                self.api_calls += 1;
                let token = query.split('&').find_map(|kv| kv.strip_prefix("access_token=")).unwrap_or("");
                if self.current.as_deref() == Some(token) && !self.poisoned.contains(token) {
                    r#"{"ip_list":["203.0.113.7"]}"#.to_string()
                } else {
                    r#"{"errcode":40001,"errmsg":"invalid credential rid: 0000-stub"}"#.to_string()
                }
            }
            _ => r#"{"errcode":40066,"errmsg":"invalid url rid: 0000-stub"}"#.to_string(),
        }
    }
}

fn rand_u64() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0));
    h.finish()
}

/// Serves `StubWeChat` over HTTP/1.1 (one request per connection) on a loopback port.
async fn serve_stub(state: Arc<Mutex<StubWeChat>>) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            let state = state.clone();
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 4096];
                let head_end = loop {
                    if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                        break i + 4;
                    }
                    match sock.read(&mut chunk).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => buf.extend_from_slice(&chunk[..n]),
                    }
                };
                let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
                let len = head
                    .lines()
                    .find_map(|l| {
                        let (k, v) = l.split_once(':')?;
                        k.eq_ignore_ascii_case("content-length").then(|| v.trim().parse::<usize>().ok())?
                    })
                    .unwrap_or(0);
                while buf.len() < head_end + len {
                    match sock.read(&mut chunk).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => buf.extend_from_slice(&chunk[..n]),
                    }
                }
                let mut first = head.lines().next().unwrap_or("").split_whitespace();
                let method = first.next().unwrap_or("").to_string();
                let target = first.next().unwrap_or("");
                let (path, query) = target.split_once('?').unwrap_or((target, ""));
                let body = &buf[head_end..head_end + len];
                let answer = state.lock().expect("stub state").answer(&method, path, query, body);
                let resp = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{answer}",
                    answer.len()
                );
                let _ = sock.write_all(resp.as_bytes()).await;
                let _ = sock.shutdown().await;
            });
        }
    });
    format!("http://{addr}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stable_token_forces_a_refresh_only_for_a_token_that_was_rejected_and_handed_back() {
    let Some((redis_url, _guard)) = redis::url() else { return };
    let wechat = Arc::new(Mutex::new(StubWeChat::default()));
    let base = serve_stub(wechat.clone()).await;
    let prefix = redis::unique_prefix("stable");
    let client = || async {
        Client::builder("wxstub", "stub-secret")
            .base_url(&base)
            .stable_token(true)
            .token_store(Arc::new(store(&redis_url, &prefix).await.expect("connect")))
            .build()
            .expect("client")
    };
    let (a, b) = (client().await, client().await);
    let flags = || wechat.lock().expect("stub").force_flags.clone();

    // Cold start, then the token is shared through Redis: one normal-mode request.
    a.base().callback_ip().send().await.expect("a");
    b.base().callback_ip().send().await.expect("b");
    assert_eq!(flags(), [false]);

    // Losing the stored token (e.g. a Redis flush) is not a rejection: normal mode again, and
    // WeChat hands back the same, still valid token.
    let t1 = a.access_token().await.expect("token");
    store(&redis_url, &prefix).await.expect("connect").remove_if(&token_key("wxstub"), &t1).await.expect("delete");
    assert_eq!(b.access_token().await.expect("token"), t1);
    assert_eq!(flags(), [false, false]);

    // WeChat rejects t1 but normal mode keeps returning it: b asks normally, gets t1 back and
    // only then forces a refresh; its call succeeds.
    wechat.lock().expect("stub").poisoned.insert(t1.clone());
    b.base().callback_ip().send().await.expect("b recovers with a forced refresh");
    assert_eq!(flags(), [false, false, false, true]);
    assert_eq!(b.token_manager().forced_refresh_count(), 1);
    let t2 = b.access_token().await.expect("token");
    assert_ne!(t1, t2);

    // a never saw the rejection and picks the new token up from Redis.
    a.base().callback_ip().send().await.expect("a uses b's token");
    assert_eq!(a.access_token().await.expect("token"), t2);
    assert_eq!(flags().len(), 4);

    // Someone else forces a refresh (another deployment): t2 is now rejected, and normal mode
    // returns the new current token, so nobody forces again (that would retire it).
    let t3 = wechat.lock().expect("stub").rotate();
    a.base().callback_ip().send().await.expect("a recovers without forcing");
    assert_eq!(a.access_token().await.expect("token"), t3);
    assert_eq!(flags(), [false, false, false, true, false]);
    b.base().callback_ip().send().await.expect("b uses t3 from Redis");
    assert_eq!(a.token_manager().forced_refresh_count() + b.token_manager().forced_refresh_count(), 1);
    assert_eq!(wechat.lock().expect("stub").api_calls, 8, "two calls were rejected once each");
}
