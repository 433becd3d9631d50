//! What the SDK tells a tracing subscriber, captured at TRACE level with span fields: a token
//! fetch, a call, a recovery from a revoked token, a WeChat error and a transport error. Every
//! call is one `wechat.call` span carrying the operation, attempt, errcode, rid and latency;
//! and neither the AppSecret nor any access_token the sandbox issued appears in the output,
//! nor in the Debug/Display of the errors and the client.
//!
//! The sandbox runs on its own runtime threads, so only the client's side (this thread, a
//! current-thread runtime) is captured. `log` records (reqwest writes some) are forwarded into
//! tracing as well.

mod common;

use std::collections::HashSet;
use std::io::Write;
use std::sync::{Arc, Mutex, Once};
use std::time::Duration;

use tracing_subscriber::fmt::format::FmtSpan;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::util::SubscriberInitExt;
use wechat_oa::{Client, Error, MemoryStore, RetryPolicy, TokenStore, TransportKind};
use wechat_oa_sandbox::{Faults, Sandbox, SandboxConfig};

/// A writer appending to a shared buffer.
#[derive(Clone, Default)]
struct Capture {
    buf: Arc<Mutex<Vec<u8>>>,
    /// How much of `buf` [`take`](Capture::take) has handed out.
    seen: Arc<Mutex<usize>>,
}

impl Capture {
    /// Everything written.
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.buf.lock().expect("capture")).into_owned()
    }

    /// Everything written since the last call.
    fn take(&self) -> String {
        let buf = self.buf.lock().expect("capture");
        let mut seen = self.seen.lock().expect("capture");
        let out = String::from_utf8_lossy(&buf[*seen..]).into_owned();
        *seen = buf.len();
        out
    }
}

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.buf.lock().expect("capture").extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Capture {
    type Writer = Capture;
    fn make_writer(&'a self) -> Capture {
        self.clone()
    }
}

/// Installs, once per process, a global subscriber that prints nothing, and with it the bridge
/// that turns `log` records into tracing events (delivered to this thread's subscriber).
fn bridge_log_records() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let _ = tracing_subscriber::registry().try_init();
    });
}

/// A sandbox serving from its own runtime (kept alive by the returned handle).
fn sandbox_elsewhere() -> (Sandbox, tokio::runtime::Runtime) {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().expect("runtime");
    let sb = rt.block_on(Sandbox::start(SandboxConfig::default())).expect("sandbox");
    (sb, rt)
}

/// Runs `f` on a current-thread runtime with `capture` as this thread's subscriber (TRACE,
/// span fields, a line when each span closes).
fn captured<F: std::future::Future>(capture: &Capture, f: F) -> F::Output {
    bridge_log_records();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(capture.clone())
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_span_events(FmtSpan::CLOSE)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime").block_on(f)
}

/// The lines of `out` inside a `wechat.call` span of operation `op` (the innermost span).
fn call_lines<'a>(out: &'a str, op: &str) -> Vec<&'a str> {
    let needle = format!("wechat.call{{op=\"{op}\" ");
    out.lines().filter(|l| l.rfind("wechat.call{").is_some_and(|i| l[i..].starts_with(&needle))).collect()
}

/// The line closing the span of `op` (it carries every field recorded on the span).
fn close_line<'a>(out: &'a str, op: &str) -> &'a str {
    call_lines(out, op)
        .into_iter()
        .rev()
        .find(|l| l.contains(" close "))
        .unwrap_or_else(|| panic!("no closed wechat.call span for {op} in:\n{out}"))
}

fn assert_fields(line: &str, fields: &[&str]) {
    for f in fields {
        assert!(line.contains(f), "`{f}` missing from: {line}");
    }
}

fn assert_no_secrets(what: &str, text: &str, secrets: &[String]) {
    for s in secrets {
        if let Some(line) = text.lines().find(|l| l.contains(s.as_str())) {
            panic!("a secret ({} chars) appears in {what}: {}", s.len(), line.replace(s.as_str(), "<THE SECRET>"));
        }
    }
}

#[test]
fn every_call_is_a_span_with_its_outcome_and_no_secret_is_ever_written() {
    let (sb, sandbox_rt) = sandbox_elsewhere();
    let capture = Capture::default();
    let store: Arc<dyn TokenStore> = Arc::new(MemoryStore::new());
    let client = common::builder(&sb).token_store(store.clone()).build().expect("client");
    let users = sb.users();

    let mut shown = Vec::new(); // Debug and Display of everything a caller could print
    let mut tokens = HashSet::new();
    captured(&capture, async {
        // 1. A token fetch, inside the first call's span.
        let user = client.user().info(users[0].clone()).send().await.expect("call");
        assert_eq!(user.openid, users[0]);
        tokens.insert(client.access_token().await.expect("token"));
        let out = capture.take();
        let token_span = close_line(&out, "base.token");
        assert_fields(token_span, &["attempt=1", "status=200", "latency_ms="]);
        assert!(
            call_lines(&out, "user.info").iter().any(|l| l.contains("obtained a new token")),
            "the fetch is reported:\n{out}"
        );
        assert!(
            token_span.contains("wechat.call{op=\"user.info\""),
            "the fetch is nested in the call's span: {token_span}"
        );

        // 2. A plain call.
        client.user().info(users[1].clone()).send().await.expect("call");
        let out = capture.take();
        assert_fields(close_line(&out, "user.info"), &["idempotent=true", "attempt=1", "status=200", "latency_ms="]);
        assert!(call_lines(&out, "base.token").is_empty(), "the cached token is used:\n{out}");

        // 3. The token is revoked: 40001, one refresh, the call repeated and successful.
        sb.revoke_tokens();
        client.user().list().send().await.expect("recovers");
        tokens.insert(client.access_token().await.expect("token"));
        let out = capture.take();
        let close = close_line(&out, "user.list");
        assert_fields(close, &["attempt=1", "status=200", "token_refreshed=true", "latency_ms="]);
        assert!(
            call_lines(&out, "user.list")
                .iter()
                .any(|l| l.contains("access token rejected") && l.contains("errcode=40001")),
            "the rejection is reported:\n{out}"
        );
        assert!(
            call_lines(&out, "base.token").iter().any(|l| l.contains(" close ")),
            "a new token was fetched:\n{out}"
        );

        // 4. A WeChat error: errcode and rid on the span.
        let err = client.user().info("oNOT_A_FOLLOWER_0000000000000").send().await.expect_err("40003");
        let rid = err.api().and_then(|a| a.rid.clone()).expect("WeChat errors carry a rid");
        let out = capture.take();
        assert_fields(
            close_line(&out, "user.info"),
            &["attempt=1", "errcode=40003", &format!("rid=\"{rid}\""), "latency_ms="],
        );
        shown.push(format!("{err} {err:?}"));

        // 5. Transport errors: a request carrying the real token to a port nobody listens on,
        // and one the sandbox answers too late.
        let port = std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("port").port();
        let dead = Client::builder(sb.config().appid.clone(), sb.config().secret.clone())
            .base_url(format!("http://127.0.0.1:{port}"))
            .token_store(store.clone())
            .retry_policy(RetryPolicy {
                max_attempts: 2,
                base_delay: Duration::from_millis(1),
                ..RetryPolicy::default()
            })
            .build()
            .expect("client");
        let err = dead.user().info(users[2].clone()).send().await.expect_err("nothing listens");
        assert!(matches!(err, Error::Transport { kind: TransportKind::Connect, .. }), "{err:?}");
        let out = capture.take();
        let close = close_line(&out, "user.info");
        assert_fields(close, &["attempt=2", "latency_ms="]);
        assert!(
            call_lines(&out, "user.info").iter().any(|l| l.contains("WARN") && l.contains("call failed")),
            "a failed call is a warning:\n{out}"
        );
        shown.push(format!("{err} {err:?} {dead:?}"));

        sb.set_faults(Faults { delay: Some(Duration::from_millis(800)), ..Faults::default() });
        let slow = common::builder(&sb)
            .token_store(store.clone())
            .timeout(Duration::from_millis(200))
            .retry_policy(RetryPolicy::none())
            .build()
            .expect("client");
        let err = slow.user().info(users[3].clone()).send().await.expect_err("too slow");
        sb.set_faults(Faults::default());
        assert!(matches!(err, Error::Transport { kind: TransportKind::Timeout, .. }), "{err:?}");
        let out = capture.take();
        assert_fields(close_line(&out, "user.info"), &["attempt=1", "latency_ms="]);
        shown.push(format!("{err} {err:?} {slow:?}"));

        tokens.insert(client.access_token().await.expect("token"));
        shown.push(format!("{client:?}"));
    });

    let stats = sb.stats();
    assert_eq!(stats.token_requests as usize, tokens.len(), "every token the sandbox issued is checked below");
    let mut secrets: Vec<String> = tokens.into_iter().collect();
    secrets.push(sb.config().secret.clone());
    let all = capture.text();
    assert_no_secrets("the trace output", &all, &secrets);
    for s in &shown {
        assert_no_secrets("an error or client", s, &secrets);
    }
    assert!(!all.is_empty());
    sandbox_rt.shutdown_background();
}

#[test]
fn a_wrong_secret_is_reported_without_the_secret() {
    let (sb, sandbox_rt) = sandbox_elsewhere();
    let capture = Capture::default();
    let wrong = "wrong-secret-but-still-a-secret-42";
    let client = Client::builder(sb.config().appid.clone(), wrong).base_url(sb.base_url()).build().expect("client");
    let err = captured(&capture, async { client.user().info(sb.users()[0].clone()).send().await.expect_err("40125") });
    assert_eq!(err.errcode(), Some(40125));
    let out = capture.text();
    let close = close_line(&out, "base.token");
    assert_fields(close, &["errcode=40125", "rid=", "latency_ms="]);
    assert!(
        call_lines(&out, "user.info").iter().any(|l| l.contains(" close ")),
        "the outer call's span closes too:\n{out}"
    );
    let secrets = [wrong.to_string(), sb.config().secret.clone()];
    assert_no_secrets("the trace output", &out, &secrets);
    assert_no_secrets("the error", &format!("{err} {err:?} {client:?}"), &secrets);
    sandbox_rt.shutdown_background();
}
