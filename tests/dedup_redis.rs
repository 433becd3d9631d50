//! Dedup without losing the reply, across OS processes sharing a real Redis: WeChat's retry
//! reaching another server than the first delivery is handled once, and both answers carry the
//! handler's reply; a retry that outwaits the bound answers `success`; a claim whose handler
//! panicked or was dropped is taken over by the retry. The in-process scenarios run against
//! both `MemoryDedup` and `RedisDedup`. Pushes are signed and encrypted by the sandbox's own
//! WeChat-side code.
#![cfg(all(feature = "redis", feature = "axum"))]

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use wechat_oa::callback::{Callback, CallbackQuery, DedupStore, MemoryDedup, RedisDedup, Reply, ReplyKind};
use wechat_oa_sandbox::callback as wx;
use wechat_oa_sandbox::{CallbackOutcome, CallbackTarget};

const ROLE: &str = "WECHAT_OA_TEST_DEDUP_ROLE";
const TOKEN: &str = "dedupCallbackToken";
const AES: &str = "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR";
const APPID: &str = "wx00000000dedup001";

fn text(msg_id: u64) -> String {
    format!(
        "<xml><ToUserName><![CDATA[gh_dedup]]></ToUserName><FromUserName><![CDATA[oUserDedup]]></FromUserName>\
         <CreateTime>1700000000</CreateTime><MsgType><![CDATA[text]]></MsgType>\
         <Content><![CDATA[are you there]]></Content><MsgId>{msg_id}</MsgId></xml>"
    )
}

fn unique_msg_id() -> u64 {
    let n = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_nanos() as u64).unwrap_or(1);
    7_000_000_000_000_000 + n % 1_000_000_000_000
}

fn var(k: &str) -> String {
    std::env::var(k).unwrap_or_else(|_| panic!("{k} is set by the parent"))
}

/// The child: one "server" of the deployment, with the Redis dedup store; its handler takes
/// HANDLER_MS and replies naming this process. `GET /handled` tells how often it ran.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn child_dedup_server() {
    if std::env::var(ROLE).as_deref() != Ok("server") {
        return; // only meaningful as a child
    }
    let dedup = RedisDedup::connect(&var("REDIS_URL")).await.expect("redis").with_prefix(var("PREFIX"));
    let wait = Duration::from_millis(var("WAIT_MS").parse().expect("number"));
    let handler_time = Duration::from_millis(var("HANDLER_MS").parse().expect("number"));
    let cb = Callback::new(TOKEN, APPID)
        .with_aes_key(AES)
        .expect("key")
        .dedup_store(Arc::new(dedup), Duration::from_secs(60))
        .dedup_wait(wait);
    let handled = Arc::new(AtomicUsize::new(0));
    let (h, h2) = (handled.clone(), handled.clone());
    let pid = std::process::id();
    let app = wechat_oa::callback::axum::router(cb, move |m| {
        let h = h.clone();
        async move {
            let n = h.fetch_add(1, Ordering::SeqCst) + 1;
            tokio::time::sleep(handler_time).await;
            Some(m.reply_text(format!("handled by process {pid}, call {n}")))
        }
    })
    .merge(axum::Router::new().route(
        "/handled",
        axum::routing::get(move || {
            let h = h2.clone();
            async move { h.load(Ordering::SeqCst).to_string() }
        }),
    ));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    println!("LISTENING {}", listener.local_addr().expect("addr").port());
    axum::serve(listener, app).await.expect("serve");
}

/// A child server process, killed on drop.
struct Server {
    child: std::process::Child,
    _out: BufReader<std::process::ChildStdout>,
    base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    fn start(redis_url: &str, prefix: &str, handler_ms: u64, wait_ms: u64) -> Server {
        let exe = std::env::current_exe().expect("test binary");
        let mut child = Command::new(exe)
            .args(["--exact", "child_dedup_server", "--nocapture", "--test-threads", "1"])
            .env(ROLE, "server")
            .env("REDIS_URL", redis_url)
            .env("PREFIX", prefix)
            .env("HANDLER_MS", handler_ms.to_string())
            .env("WAIT_MS", wait_ms.to_string())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start the child server");
        let mut out = BufReader::new(child.stdout.take().expect("stdout"));
        let mut line = String::new();
        let port = loop {
            line.clear();
            let n = out.read_line(&mut line).expect("read the child's stdout");
            assert!(n > 0, "the child server exited before listening");
            // libtest's "test child_dedup_server ... " precedes it on the same line.
            if let Some(p) = line.split("LISTENING ").nth(1) {
                break p.trim().parse::<u16>().expect("port");
            }
        };
        Server { child, _out: out, base: format!("http://127.0.0.1:{port}") }
    }

    async fn handled(&self) -> usize {
        let body = reqwest::get(format!("{}/handled", self.base)).await.expect("GET").text().await.expect("body");
        body.trim().parse().expect("a count")
    }
}

fn target() -> CallbackTarget {
    CallbackTarget { token: TOKEN.into(), encoding_aes_key: Some(AES.into()), appid: APPID.into() }
}

/// Pushes `xml` to a server (as WeChat: signed, freshly encrypted); returns the outcome and
/// how long the answer took.
async fn deliver(url: String, xml: String) -> (CallbackOutcome, Duration) {
    let started = Instant::now();
    let out = wx::push(&format!("{url}/"), &target(), &xml).await.expect("push");
    (out, started.elapsed())
}

fn reply_text(out: &CallbackOutcome) -> String {
    assert_eq!(out.status, 200, "{}", out.body);
    let xml = out.decrypted.as_deref().unwrap_or_else(|| panic!("an encrypted reply, got {:?}", out.body));
    match Reply::parse(xml).expect("reply parses").kind {
        ReplyKind::Text(t) => t.content,
        other => panic!("unexpected reply {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retry_reaching_another_process_gets_the_first_ones_reply() {
    let Some((url, _guard)) = common::redis::url() else { return };
    let prefix = common::redis::unique_prefix("dedup_two_processes");
    // Handler 1.5 s; WeChat's retry at 1 s (standing in for 6 s and 5 s); the bound 3 s.
    let (a, b) = (Server::start(&url, &prefix, 1500, 3000), Server::start(&url, &prefix, 1500, 3000));
    let xml = text(unique_msg_id());
    let first = tokio::spawn(deliver(a.base.clone(), xml.clone()));
    tokio::time::sleep(Duration::from_millis(1000)).await;
    let (retry, retry_took) = deliver(b.base.clone(), xml.clone()).await;
    let (first, first_took) = first.await.expect("first delivery");

    let (r1, r2) = (reply_text(&first), reply_text(&retry));
    assert!(r1.starts_with("handled by process ") && r1.ends_with(", call 1"), "{r1}");
    assert_eq!(r2, r1, "the retry carries the handler's reply");
    assert_ne!(first.body, retry.body, "each answer is encrypted afresh");
    assert!(first_took >= Duration::from_millis(1500), "the first answer waited for the handler: {first_took:?}");
    assert!(
        retry_took < Duration::from_millis(1500),
        "the retry was answered when the handler finished: {retry_took:?}"
    );
    assert_eq!((a.handled().await, b.handled().await), (1, 0), "handled once, by the first process");

    // A later retry, to either process, is answered at once with the stored reply.
    for s in [&a, &b] {
        let (late, took) = deliver(s.base.clone(), xml.clone()).await;
        assert_eq!(reply_text(&late), r1);
        assert!(took < Duration::from_millis(1000), "{took:?}");
    }
    assert_eq!(a.handled().await + b.handled().await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retry_that_outwaits_the_bound_answers_success_and_a_later_one_the_reply() {
    let Some((url, _guard)) = common::redis::url() else { return };
    let prefix = common::redis::unique_prefix("dedup_bound");
    // B waits at most 300 ms for A's 1.5 s handler.
    let (a, b) = (Server::start(&url, &prefix, 1500, 3000), Server::start(&url, &prefix, 1500, 300));
    let xml = text(unique_msg_id());
    let first = tokio::spawn(deliver(a.base.clone(), xml.clone()));
    tokio::time::sleep(Duration::from_millis(300)).await;
    let (retry, took) = deliver(b.base.clone(), xml.clone()).await;
    assert_eq!((retry.status, retry.body.as_str()), (200, "success"));
    assert!(took >= Duration::from_millis(300) && took < Duration::from_millis(1100), "waited the bound: {took:?}");
    let (first, _) = first.await.expect("first delivery");
    let r1 = reply_text(&first);
    let (late, _) = deliver(b.base.clone(), xml).await;
    assert_eq!(reply_text(&late), r1);
    assert_eq!(a.handled().await + b.handled().await, 1);
}

// ---- in one process, for both stores ----

fn request(xml: &str) -> (CallbackQuery, String) {
    let ts = SystemTime::now().duration_since(UNIX_EPOCH).expect("clock").as_secs().to_string();
    let nonce = "20240601";
    let key = wx::decode_aes_key(AES).expect("key");
    let encrypt = wx::encrypt(&key, APPID, xml);
    let q = CallbackQuery {
        signature: Some(wx::signature(TOKEN, &ts, nonce)),
        msg_signature: Some(wx::msg_signature(TOKEN, &ts, nonce, &encrypt)),
        encrypt_type: Some("aes".into()),
        timestamp: Some(ts),
        nonce: Some(nonce.into()),
        ..Default::default()
    };
    let body =
        format!("<xml><ToUserName><![CDATA[gh_dedup]]></ToUserName><Encrypt><![CDATA[{encrypt}]]></Encrypt></xml>");
    (q, body)
}

fn open(answer: &str) -> String {
    let key = wx::decode_aes_key(AES).expect("key");
    let out = wx::open_reply(&key, &target(), answer).expect("a valid encrypted reply");
    match Reply::parse(&out).expect("parses").kind {
        ReplyKind::Text(t) => t.content,
        other => panic!("unexpected {other:?}"),
    }
}

async fn stores() -> Vec<(&'static str, Arc<dyn DedupStore>, Option<common::redis::RedisServer>)> {
    let mut v: Vec<(&'static str, Arc<dyn DedupStore>, Option<common::redis::RedisServer>)> =
        vec![("memory", Arc::new(MemoryDedup::new()), None)];
    if let Some((url, guard)) = common::redis::url() {
        let d = RedisDedup::connect(&url)
            .await
            .expect("redis")
            .with_prefix(common::redis::unique_prefix("dedup_local"))
            .with_poll_interval(Duration::from_millis(10));
        v.push(("redis", Arc::new(d), guard));
    }
    v
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_panicking_handler_leaves_the_push_to_the_retry() {
    for (name, store, _guard) in stores().await {
        let cb = Arc::new(
            Callback::new(TOKEN, APPID).with_aes_key(AES).expect("key").dedup_store(store, Duration::from_secs(60)),
        );
        let xml = text(unique_msg_id());
        let (q, body) = request(&xml);
        let (c, q1, b1) = (cb.clone(), q.clone(), body.clone());
        let crashed = tokio::spawn(async move {
            c.handle(&q1, b1.as_bytes(), |_m| async move {
                panic!("the handler failed");
            })
            .await
        })
        .await;
        assert!(crashed.is_err_and(|e| e.is_panic()), "{name}: the first delivery panicked");
        tokio::time::sleep(Duration::from_millis(50)).await; // the abandon runs in a task
        let calls = Arc::new(AtomicUsize::new(0));
        let c = calls.clone();
        let answer = cb
            .handle(&q, body.as_bytes(), move |m| async move {
                c.fetch_add(1, Ordering::SeqCst);
                Some(m.reply_text("second try"))
            })
            .await
            .expect("handled");
        assert_eq!(calls.load(Ordering::SeqCst), 1, "{name}: the retry was handled");
        assert_eq!(open(&answer), "second try", "{name}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_waiting_retry_takes_over_when_the_first_delivery_is_dropped() {
    for (name, store, _guard) in stores().await {
        let cb = Arc::new(
            Callback::new(TOKEN, APPID).with_aes_key(AES).expect("key").dedup_store(store, Duration::from_secs(60)),
        );
        let xml = text(unique_msg_id());
        let (q, body) = request(&xml);
        let (c, q1, b1) = (cb.clone(), q.clone(), body.clone());
        let first = tokio::spawn(async move {
            c.handle(&q1, b1.as_bytes(), |m| async move {
                tokio::time::sleep(Duration::from_secs(30)).await;
                Some(m.reply_text("never"))
            })
            .await
        });
        tokio::time::sleep(Duration::from_millis(100)).await;
        let (c, q2, b2) = (cb.clone(), q.clone(), body.clone());
        let retry = tokio::spawn(async move {
            c.handle(&q2, b2.as_bytes(), |m| async move { Some(m.reply_text("taken over")) }).await
        });
        tokio::time::sleep(Duration::from_millis(200)).await;
        assert!(!retry.is_finished(), "{name}: the retry waits for the first delivery");
        first.abort(); // e.g. WeChat's connection closed and the server dropped the request
        let started = Instant::now();
        let answer = retry.await.expect("retry task").expect("handled");
        assert_eq!(open(&answer), "taken over", "{name}");
        assert!(started.elapsed() < Duration::from_secs(2), "{name}: took over promptly");
    }
}

/// WeChat gives up on the first delivery (closes the connection at its deadline, here 1 s)
/// while the 1.5 s handler runs; the retry, sent at that moment to the other process, gets the
/// reply, and the handler ran once: the closed connection did not abandon the work.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_first_delivery_wechat_gave_up_on_still_answers_the_retry() {
    let Some((url, _guard)) = common::redis::url() else { return };
    let prefix = common::redis::unique_prefix("dedup_gave_up");
    let (a, b) = (Server::start(&url, &prefix, 1500, 3000), Server::start(&url, &prefix, 1500, 3000));
    let xml = text(unique_msg_id());
    let (q, body) = request(&xml);
    let pairs = [
        ("signature", q.signature.clone().unwrap_or_default()),
        ("timestamp", q.timestamp.clone().unwrap_or_default()),
        ("nonce", q.nonce.clone().unwrap_or_default()),
        ("encrypt_type", "aes".to_string()),
        ("msg_signature", q.msg_signature.clone().unwrap_or_default()),
    ];
    let query = serde_urlencoded::to_string(pairs).expect("query");
    let impatient = reqwest::Client::builder().timeout(Duration::from_millis(1000)).build().expect("client");
    let first = impatient.post(format!("{}/?{query}", a.base)).body(body).send().await;
    assert!(first.is_err_and(|e| e.is_timeout()), "WeChat gave up on the first delivery");
    let (retry, took) = deliver(b.base.clone(), xml).await;
    let r = reply_text(&retry);
    assert!(r.ends_with(", call 1"), "{r}");
    assert!(took < Duration::from_millis(1200), "answered when the handler finished: {took:?}");
    assert_eq!((a.handled().await, b.handled().await), (1, 0));
}
