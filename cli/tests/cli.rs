//! The real `wxoa` binary against the sandbox: exit codes, JSON output, the body check that
//! keeps a wrong request from being sent, WeChat errors, file answers, callback decoding (input
//! signed and encrypted by the sandbox's own crypto, not the SDK's), JS-SDK signing, profiles.

mod common;

use std::process::Command;

use common::{run, wxoa, Run};

use serde_json::Value;
use wechat_oa_sandbox::{Sandbox, SandboxConfig};

async fn sandbox() -> Sandbox {
    Sandbox::start(SandboxConfig::default()).await.expect("start the sandbox")
}

fn calls(sb: &Sandbox, path: &str) -> u64 {
    sb.stats().calls_by_path.get(path).copied().unwrap_or(0)
}

fn no_secret(sb: &Sandbox, r: &Run) {
    let secret = &sb.config().secret;
    assert!(!r.stdout.contains(secret.as_str()) && !r.stderr.contains(secret.as_str()), "the secret was printed");
}

#[tokio::test]
async fn ops_lists_every_operation_from_the_spec() {
    let sb = sandbox().await;
    let mut c = wxoa(&sb);
    c.args(["ops", "--output", "table"]);
    let r = run(c, None).await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    let all = wechat_oa::ops::operations();
    assert_eq!(r.stdout.lines().count(), all.len());
    let line = r.stdout.lines().find(|l| l.starts_with("user.info ")).expect("user.info listed");
    assert!(line.contains("GET") && line.contains("/cgi-bin/user/info"), "{line}");
    let deprecated = all.iter().filter(|o| o.deprecated).count();
    assert!(deprecated > 0);
    assert_eq!(r.stdout.lines().filter(|l| l.ends_with("(deprecated)")).count(), deprecated);

    let mut c = wxoa(&sb);
    c.args(["ops", "tags"]);
    let r = run(c, None).await;
    let listed = r.json();
    let names: Vec<&str> = listed.as_array().into_iter().flatten().filter_map(|o| o["name"].as_str()).collect();
    assert!(!names.is_empty() && names.iter().all(|n| n.starts_with("tags.")), "{names:?}");

    let mut c = wxoa(&sb);
    c.args(["ops", "nosucharea"]);
    assert_eq!(run(c, None).await.code, 2);
}

#[tokio::test]
async fn call_sends_with_the_token_and_prints_json() {
    let sb = sandbox().await;
    let mut c = wxoa(&sb);
    c.args(["call", "user.list"]);
    let r = run(c, None).await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    let page = r.json();
    let followers = sb.users();
    assert_eq!(page["total"].as_u64(), Some(followers.len() as u64));
    assert_eq!(page["data"]["openid"][0].as_str(), followers.first().map(String::as_str));
    assert_eq!(sb.stats().token_requests, 1, "the token was obtained for the call");
    no_secret(&sb, &r);

    // A query parameter, and a union body (customer-service text).
    let openid = followers[0].clone();
    let mut c = wxoa(&sb);
    c.args(["call", "user.info", "--query", &format!("openid={openid}")]);
    let r = run(c, None).await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.json()["openid"], openid.as_str());

    let body = serde_json::json!({"touser": openid, "msgtype": "text", "text": {"content": "from wxoa"}});
    let mut c = wxoa(&sb);
    c.args(["call", "custom_service.send", "--body", "-"]);
    let r = run(c, Some(body.to_string().into_bytes())).await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    let sent = sb.sent_messages();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].body["text"]["content"], "from wxoa");
}

#[tokio::test]
async fn a_body_or_query_the_operation_does_not_take_exits_2_and_sends_nothing() {
    let sb = sandbox().await;
    let cases: Vec<(Vec<&str>, Option<Value>, &str)> = vec![
        (vec!["call", "tags.create", "--body", "-"], Some(serde_json::json!({"tag": {}})), "missing field `tag.name`"),
        (
            vec!["call", "tags.create", "--body", "-"],
            Some(serde_json::json!({"tag": {"name": "a"}, "colour": 1})),
            "unknown field `colour`",
        ),
        (
            vec!["call", "user.info", "--query", "openid=o1", "--query", "nick=x"],
            None,
            "unknown query parameter `nick`",
        ),
        (vec!["call", "user.info"], None, "missing query parameter `openid`"),
        (
            vec!["call", "custom_service.send", "--body", "-"],
            Some(serde_json::json!({"touser": "o1", "msgtype": "song", "song": {}})),
            "`msgtype` = \"song\" is not one of",
        ),
        (
            vec!["call", "custom_service.send", "--body", "-"],
            Some(serde_json::json!({"touser": "o1", "msgtype": "text", "text": {}})),
            "missing field `text.content`",
        ),
        (vec!["call", "user.nosuch"], None, "unknown operation"),
    ];
    for (args, body, expected) in cases {
        let mut c = wxoa(&sb);
        c.args(&args);
        let r = run(c, body.map(|b| b.to_string().into_bytes())).await;
        assert_eq!(r.code, 2, "{args:?}: {}", r.stderr);
        assert!(r.stderr.contains(expected), "{args:?}: expected {expected:?} in {}", r.stderr);
    }
    assert!(sb.stats().calls_by_path.is_empty(), "nothing reached the sandbox: {:?}", sb.stats().calls_by_path);
}

#[tokio::test]
async fn a_wechat_error_exits_1_with_errcode_errmsg_rid_and_meaning() {
    let sb = sandbox().await;
    let mut c = wxoa(&sb);
    c.args(["call", "user.info", "--query", "openid=oNobody_000000000000000000000"]);
    let r = run(c, None).await;
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(r.stderr.contains("errcode 40003"), "{}", r.stderr);
    assert!(r.stderr.lines().any(|l| l.starts_with("rid ")), "{}", r.stderr);
    let meaning = wechat_oa::ErrCode::from_code(40003).meaning().unwrap_or_default();
    assert!(!meaning.is_empty() && r.stderr.contains(meaning), "{}", r.stderr);
    assert_eq!(calls(&sb, "/cgi-bin/user/info"), 1);
}

#[tokio::test]
async fn a_file_answer_goes_to_out() {
    let sb = sandbox().await;
    let body = serde_json::json!({"expire_seconds": 600, "action_info": {"scene": {"scene_id": 7}}});
    let mut c = wxoa(&sb);
    c.args(["call", "qrcode.create_temporary", "--body", "-"]);
    let r = run(c, Some(body.to_string().into_bytes())).await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    let ticket = r.json()["ticket"].as_str().map(str::to_string).expect("a ticket");

    let dir = std::env::temp_dir().join(format!("wxoa-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join("qr.bin");
    let mut c = wxoa(&sb);
    c.args(["call", "qrcode.show_qrcode", "--query", &format!("ticket={ticket}"), "--out"]).arg(&file);
    let r = run(c, None).await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    let bytes = std::fs::read(&file).expect("the file was written");
    assert!(!bytes.is_empty());
    assert_eq!(r.json()["bytes"].as_u64(), Some(bytes.len() as u64));

    // Without --out nothing is sent.
    let before = calls(&sb, "/cgi-bin/showqrcode");
    let mut c = wxoa(&sb);
    c.args(["call", "qrcode.show_qrcode", "--query", &format!("ticket={ticket}")]);
    assert_eq!(run(c, None).await.code, 2);
    assert_eq!(calls(&sb, "/cgi-bin/showqrcode"), before);
}

#[tokio::test]
async fn callback_decode_checks_and_decrypts_like_the_server() {
    use wechat_oa_sandbox::callback as wx;
    let sb = sandbox().await;
    let (token, appid) = ("cbtoken", "wx0123456789abcdef");
    let aes = "2InAgoGhREXIcu9x2odBPOUNfylGGHHfNYJH2KcCK8F";
    let xml = "<xml><ToUserName><![CDATA[gh_1]]></ToUserName><FromUserName><![CDATA[oUser1]]></FromUserName><CreateTime>1700000000</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[hello]]></Content><MsgId>42</MsgId></xml>";
    let (ts, nonce) = ("1700000000", "998877");

    // Plain mode.
    let sig = wx::signature(token, ts, nonce);
    let mut c = wxoa(&sb);
    c.args(["callback", "decode", "--token", token, "--timestamp", ts, "--nonce", nonce, "--signature", &sig]);
    let r = run(c, Some(xml.as_bytes().to_vec())).await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v = r.json();
    assert_eq!(v["from_user_name"], "oUser1");
    assert_eq!(v["msg_id"], "42");
    assert!(v["kind"].as_str().is_some_and(|k| k.contains("hello")), "{v}");

    // A wrong signature: exit 3 naming the check.
    let mut c = wxoa(&sb);
    c.args([
        "callback",
        "decode",
        "--token",
        token,
        "--timestamp",
        ts,
        "--nonce",
        nonce,
        "--signature",
        &"0".repeat(40),
    ]);
    let r = run(c, Some(xml.as_bytes().to_vec())).await;
    assert_eq!(r.code, 3);
    assert!(r.stderr.contains("check failed"), "{}", r.stderr);

    // Safe mode, encrypted by the sandbox.
    let key = wx::decode_aes_key(aes).expect("key");
    let encrypt = wx::encrypt(&key, appid, xml);
    let body = format!("<xml><ToUserName><![CDATA[gh_1]]></ToUserName><Encrypt><![CDATA[{encrypt}]]></Encrypt></xml>");
    let msg_sig = wx::msg_signature(token, ts, nonce, &encrypt);
    let mut c = wxoa(&sb);
    c.env("WECHAT_APPID", appid).args([
        "callback",
        "decode",
        "--token",
        token,
        "--aes-key",
        aes,
        "--timestamp",
        ts,
        "--nonce",
        nonce,
        "--signature",
        &sig,
        "--msg-signature",
        &msg_sig,
    ]);
    let r = run(c, Some(body.into_bytes())).await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v = r.json();
    assert_eq!(v["encrypted"], true);
    assert_eq!(v["xml"], xml);
    assert!(!r.stdout.contains(aes) && !r.stderr.contains(aes), "the AES key was printed");
}

#[tokio::test]
async fn jssdk_sign_uses_the_current_ticket() {
    let sb = sandbox().await;
    let url = "https://example.com/page?x=1#frag";
    let mut c = wxoa(&sb);
    c.args(["jssdk", "sign", url]);
    let r = run(c, None).await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v = r.json();
    let client = wechat_oa::Client::builder(sb.config().appid.clone(), sb.config().secret.clone())
        .base_url(sb.base_url())
        .build()
        .expect("client");
    let ticket =
        client.jssdk().get_ticket(wechat_oa::api::jssdk::TicketType::Jsapi).send().await.expect("ticket").ticket;
    let nonce = v["nonceStr"].as_str().unwrap_or_default();
    let ts = v["timestamp"].as_i64().unwrap_or_default();
    assert_eq!(v["signature"].as_str(), Some(wechat_oa::jssdk::jsapi_signature(&ticket, nonce, ts, url).as_str()));
    assert_eq!(v["appId"], sb.config().appid.as_str());
}

#[tokio::test]
async fn profiles_choose_the_account_and_flags_win() {
    let sb = sandbox().await;
    let dir = std::env::temp_dir().join(format!("wxoa-profile-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("config.toml");
    let text = format!(
        "default = \"broken\"\n[profiles.broken]\nappid = \"wx_wrong\"\nsecret = \"nope\"\nbase_url = \"{b}\"\n[profiles.shop]\nappid = \"{a}\"\nsecret = \"{s}\"\nbase_url = \"{b}\"\n",
        a = sb.config().appid,
        s = sb.config().secret,
        b = sb.base_url()
    );
    std::fs::write(&path, text).expect("write the profile file");
    let base = || {
        let mut c = Command::new(env!("CARGO_BIN_EXE_wxoa"));
        c.env("WXOA_CONFIG", &path)
            .env_remove("WECHAT_OA_REDIS_URL")
            .env_remove("WECHAT_APPID")
            .env_remove("WECHAT_SECRET")
            .env_remove("WECHAT_OA_BASE_URL");
        c
    };
    let mut c = base();
    c.args(["--profile", "shop", "call", "user.list"]);
    let r = run(c, None).await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    no_secret(&sb, &r);
    // The default profile's wrong AppID: WeChat refuses the token.
    let mut c = base();
    c.args(["call", "user.list"]);
    let r = run(c, None).await;
    assert_eq!(r.code, 1, "{}", r.stdout);
    // Flags over the profile.
    let mut c = base();
    c.args(["--appid", &sb.config().appid, "--secret", &sb.config().secret, "call", "user.list"]);
    assert_eq!(run(c, None).await.code, 0);
    let mut c = base();
    c.args(["--profile", "missing", "call", "user.list"]);
    let r = run(c, None).await;
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("no profile \"missing\""), "{}", r.stderr);
}

#[tokio::test]
async fn completions_are_printed_for_each_shell() {
    let sb = sandbox().await;
    for shell in ["bash", "zsh", "fish"] {
        let mut c = wxoa(&sb);
        c.args(["completions", shell]);
        let r = run(c, None).await;
        assert_eq!(r.code, 0, "{shell}: {}", r.stderr);
        assert!(r.stdout.contains("wxoa") && r.stdout.contains("callback"), "{shell}");
    }
}

#[tokio::test]
async fn the_sandbox_subcommand_serves_until_stopped() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_wxoa"))
        .env_remove("WECHAT_OA_REDIS_URL")
        .args(["sandbox", "--port", "0", "--followers", "3"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("run wxoa sandbox");
    let stdout = child.stdout.take().expect("stdout");
    let info: Value = tokio::task::spawn_blocking(move || {
        use std::io::Read;
        let mut text = String::new();
        let mut reader = std::io::BufReader::new(stdout);
        let mut byte = [0u8; 1];
        // The JSON object ends with a line holding only `}`.
        while !text.ends_with("\n}\n") {
            if reader.read(&mut byte).unwrap_or(0) == 0 {
                break;
            }
            text.push(byte[0] as char);
        }
        serde_json::from_str(&text).unwrap_or(Value::Null)
    })
    .await
    .expect("join");
    let base = info["base_url"].as_str().expect("base_url printed").to_string();
    let client = wechat_oa::Client::builder(
        info["appid"].as_str().unwrap_or_default(),
        info["secret"].as_str().unwrap_or_default(),
    )
    .base_url(base)
    .build()
    .expect("client");
    let page = client.user().list().send().await.expect("the sandbox answers");
    assert_eq!(page.total, Some(3));
    let _ = child.kill();
    let _ = child.wait();
}

#[tokio::test]
async fn a_multipart_upload_takes_its_parts_and_the_file_comes_back() {
    let sb = sandbox().await;
    let dir = std::env::temp_dir().join(format!("wxoa-upload-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let photo = dir.join("photo.jpg");
    let bytes: Vec<u8> = (0..2048u32).map(|i| (i % 251) as u8).collect();
    std::fs::write(&photo, &bytes).expect("write the photo");

    let mut c = wxoa(&sb);
    c.args(["call", "media.upload", "--query", "type=image", "--file"]).arg(format!("media={}", photo.display()));
    let r = run(c, None).await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    let media_id = r.json()["media_id"].as_str().map(str::to_string).expect("a media_id");

    let back = dir.join("back.jpg");
    let mut c = wxoa(&sb);
    c.args(["call", "media.get", "--query", &format!("media_id={media_id}"), "--out"]).arg(&back);
    let r = run(c, None).await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(std::fs::read(&back).expect("downloaded"), bytes, "the same bytes come back");

    // A part the operation does not have, a file given as text, a missing file part.
    for (args, expected) in [
        (vec!["--file".to_string(), format!("picture={}", photo.display())], "unknown part `picture`"),
        (vec!["--field".to_string(), "media=x".to_string()], "part `media` is a file"),
        (vec![], "missing part `media`"),
    ] {
        let before = calls(&sb, "/cgi-bin/media/upload");
        let mut c = wxoa(&sb);
        c.args(["call", "media.upload", "--query", "type=image"]).args(&args);
        let r = run(c, None).await;
        assert_eq!(r.code, 2, "{args:?}: {}", r.stderr);
        assert!(r.stderr.contains(expected), "{args:?}: {}", r.stderr);
        assert_eq!(calls(&sb, "/cgi-bin/media/upload"), before, "nothing sent");
    }
}
