//! `wxoa users export`, `wxoa tags tag` and `wxoa callback push/verify`, the real binary against
//! the sandbox (and, for pushes, an echo bot on the SDK's axum router).

use std::collections::HashSet;
use std::process::{Command, Stdio};
use std::time::Duration;

use common::{run, wxoa, Run};
use serde_json::Value;
use wechat_oa_sandbox::{Faults, Sandbox, SandboxConfig};

mod common;

fn temp(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("wxoa-bulk-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

fn openids(jsonl: &str) -> Vec<String> {
    jsonl
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap_or_else(|e| panic!("not a JSON line ({e}): {l}")))
        .map(|v| v["openid"].as_str().map(str::to_string).expect("an openid"))
        .collect()
}

#[tokio::test]
async fn thirty_thousand_followers_export_in_order_once_and_resume_after_an_interruption() {
    let sb = Sandbox::start(SandboxConfig { follower_count: 30_000, ..Default::default() }).await.expect("sandbox");
    let expected = sb.users();

    let Run { code, stdout: out, stderr: err } = {
        let mut c = wxoa(&sb);
        c.args(["users", "export"]);
        run(c, None).await
    };
    assert_eq!(code, 0, "{err}");
    assert_eq!(openids(&out), expected, "every follower, in order, once");

    // Interrupted: each page takes 400 ms; SIGINT once the first chunk is saved.
    sb.set_faults(Faults { delay: Some(Duration::from_millis(400)), ..Default::default() });
    let dir = temp("resume");
    let (cursor, file) = (dir.join("cursor.json"), dir.join("followers.jsonl"));
    let out_file = std::fs::File::create(&file).expect("output file");
    let mut c = wxoa(&sb);
    c.args(["users", "export", "--cursor"]).arg(&cursor).stdout(out_file).stderr(Stdio::piped());
    let mut child = c.spawn().expect("run wxoa");
    let pid = child.id();
    let cursor_path = cursor.clone();
    tokio::task::spawn_blocking(move || {
        for _ in 0..200 {
            if std::fs::read_to_string(&cursor_path).is_ok_and(|t| t.contains("\"written\":1000")) {
                break;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        let _ = Command::new("kill").args(["-INT", &pid.to_string()]).status();
    })
    .await
    .expect("join");
    let status = tokio::task::spawn_blocking(move || child.wait()).await.expect("join").expect("wait");
    assert_eq!(status.code(), Some(130), "stopped by the interruption");
    let partial = openids(&std::fs::read_to_string(&file).expect("partial output"));
    assert!(!partial.is_empty() && partial.len() < expected.len(), "{} lines before the interruption", partial.len());

    // Resumed, appending to the same file.
    sb.set_faults(Faults::default());
    let append = std::fs::OpenOptions::new().append(true).open(&file).expect("append");
    let mut c = wxoa(&sb);
    c.args(["users", "export", "--cursor"]).arg(&cursor).stdout(append);
    let status = tokio::task::spawn_blocking(move || c.status()).await.expect("join").expect("run wxoa");
    assert!(status.success(), "the resumed export failed");
    let all = openids(&std::fs::read_to_string(&file).expect("output"));
    assert_eq!(all.len(), expected.len(), "no line lost or repeated");
    assert_eq!(all.iter().collect::<HashSet<_>>().len(), all.len(), "no duplicate");
    assert_eq!(all, expected);
}

#[tokio::test]
async fn export_with_info_fetches_batches_of_100() {
    let sb = Sandbox::start(SandboxConfig { follower_count: 250, ..Default::default() }).await.expect("sandbox");
    let mut c = wxoa(&sb);
    c.args(["users", "export", "--info"]);
    let Run { code, stdout: out, stderr: err } = run(c, None).await;
    assert_eq!(code, 0, "{err}");
    let lines: Vec<Value> = out.lines().map(|l| serde_json::from_str(l).expect("JSON line")).collect();
    assert_eq!(lines.len(), 250);
    assert!(lines.iter().all(|l| l["subscribe"] == 1 && l["openid"].is_string()), "{:?}", lines.first());
    assert_eq!(sb.stats().calls_by_path.get("/cgi-bin/user/info/batchget").copied(), Some(3), "100 + 100 + 50");
}

#[tokio::test]
async fn tags_tag_reads_openids_and_tags_them_in_batches_of_50() {
    let sb = Sandbox::start(SandboxConfig { follower_count: 130, ..Default::default() }).await.expect("sandbox");
    let client = wechat_oa::Client::builder(sb.config().appid.clone(), sb.config().secret.clone())
        .base_url(sb.base_url())
        .build()
        .expect("client");
    let tag = client.tags().create(wechat_oa::api::tags::TagName::new("vip")).send().await.expect("tag").tag.id;
    let users = sb.users();
    // Bare OpenIDs, an export line and a blank line.
    let mut input: Vec<String> = users[..119].to_vec();
    input.push(String::new());
    input.push(serde_json::json!({"openid": users[119]}).to_string());
    let dir = temp("tag");
    let mut c = wxoa(&sb);
    c.args(["tags", "tag", "vip", "--cursor"]).arg(dir.join("cursor.json"));
    let Run { code, stderr: err, .. } = run(c, Some(input.join("\n").into_bytes())).await;
    assert_eq!(code, 0, "{err}");
    assert_eq!(sb.stats().calls_by_path.get("/cgi-bin/tags/members/batchtagging").copied(), Some(3));
    let page = client.tags().tag_users(tag).send().await.expect("members");
    let got: HashSet<String> = page.data.map(|d| d.openid).unwrap_or_default().into_iter().collect();
    assert_eq!(got, users[..120].iter().cloned().collect::<HashSet<_>>());
    // Run again with the finished cursor: nothing more is sent.
    let mut c = wxoa(&sb);
    c.args(["tags", "tag", &tag.to_string(), "--cursor"]).arg(dir.join("cursor.json"));
    let Run { code, stderr: err, .. } = run(c, Some(input.join("\n").into_bytes())).await;
    assert_eq!(code, 0, "{err}");
    assert_eq!(sb.stats().calls_by_path.get("/cgi-bin/tags/members/batchtagging").copied(), Some(3));
}

/// An echo bot on the SDK's router, in safe mode.
async fn echo_bot(token: &str, appid: &str, aes: &str) -> String {
    use wechat_oa::callback::{Callback, Message, MessageKind, Reply};
    async fn on_message(msg: Message) -> Option<Reply> {
        match &msg.kind {
            MessageKind::Text(t) => Some(msg.reply_text(format!("echo: {}", t.content))),
            _ => Some(msg.reply_text("an event")),
        }
    }
    let cb = Callback::new(token, appid).with_aes_key(aes).expect("key");
    let app = wechat_oa::callback::axum::router(cb, on_message);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    format!("http://{addr}/")
}

#[tokio::test]
async fn callback_push_round_trips_through_an_echo_bot_and_verify_checks_echostr() {
    let sb = Sandbox::start(SandboxConfig::default()).await.expect("sandbox");
    let (token, appid, aes) = ("pushtoken", "wx0123456789abcdef", "2InAgoGhREXIcu9x2odBPOUNfylGGHHfNYJH2KcCK8F");
    let url = echo_bot(token, appid, aes).await;

    let mut c = wxoa(&sb);
    c.env("WECHAT_APPID", appid).args([
        "callback",
        "push",
        &url,
        "--token",
        token,
        "--aes-key",
        aes,
        "--text",
        "hello",
    ]);
    let Run { code, stdout: out, stderr: err } = run(c, None).await;
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(v["encrypted"], true, "{v}");
    assert_eq!(v["content"], "echo: hello", "{v}");

    let mut c = wxoa(&sb);
    c.env("WECHAT_APPID", appid).args([
        "callback",
        "push",
        &url,
        "--token",
        token,
        "--aes-key",
        aes,
        "--event",
        "subscribe",
    ]);
    let Run { code, stdout: out, .. } = run(c, None).await;
    assert_eq!(code, 0);
    assert!(out.contains("an event"), "{out}");

    // A wrong token: the bot refuses the signature.
    let mut c = wxoa(&sb);
    c.env("WECHAT_APPID", appid).args(["callback", "push", &url, "--token", "wrong", "--aes-key", aes, "--text", "x"]);
    assert_eq!(run(c, None).await.code, 1);

    let mut c = wxoa(&sb);
    c.args(["callback", "verify", &url, "--token", token]);
    let Run { code, stdout: out, stderr: err } = run(c, None).await;
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("\"verified\": true"), "{out}");
    let mut c = wxoa(&sb);
    c.args(["callback", "verify", &url, "--token", "wrong"]);
    assert_eq!(run(c, None).await.code, 3);
}
