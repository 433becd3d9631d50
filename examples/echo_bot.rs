//! echo_bot: the smallest useful callback server. It echoes text messages, welcomes new
//! followers and answers `success` to everything else.
//!
//! Serve a real account (the values from 设置与开发 → 基本配置 → 服务器配置):
//!
//! ```text
//! WECHAT_TOKEN=... WECHAT_APPID=wx... [WECHAT_ENCODING_AES_KEY=...] [PORT=8080] \
//!     cargo run --example echo_bot --features axum
//! ```
//!
//! Without `WECHAT_TOKEN` and `WECHAT_APPID` it runs a self-demo instead: it starts the bot on
//! loopback, lets the local sandbox play WeChat (URL verification, then a text message and a
//! follow event in plain and in encrypted mode), prints the replies and exits.

use std::error::Error;
use std::net::SocketAddr;

use rand::distr::{Alphanumeric, SampleString};
use wechat_oa::callback::{Callback, EventKind, Message, MessageKind, Reply, ReplyKind};
use wechat_oa_sandbox::{CallbackTarget, Sandbox, SandboxConfig};

type BoxError = Box<dyn Error + Send + Sync>;

const WELCOME: &str = "Thanks for following! Send me anything and I will send it back.";

/// The bot: text → the same text, follow → a welcome, anything else → no reply (`success`).
async fn on_message(msg: Message) -> Option<Reply> {
    match &msg.kind {
        MessageKind::Text(text) => Some(msg.reply_text(text.content.clone())),
        MessageKind::Event(EventKind::Subscribe(_)) => Some(msg.reply_text(WELCOME)),
        _ => None,
    }
}

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let env = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
    match (env("WECHAT_TOKEN"), env("WECHAT_APPID")) {
        (Some(token), Some(appid)) => serve(token, appid, env("WECHAT_ENCODING_AES_KEY"), env("PORT")).await,
        (None, None) => demo().await,
        _ => Err("set both WECHAT_TOKEN and WECHAT_APPID (or neither, for the self-demo)".into()),
    }
}

async fn serve(token: String, appid: String, aes_key: Option<String>, port: Option<String>) -> Result<(), BoxError> {
    let port: u16 = match port {
        Some(p) => p.parse().map_err(|_| format!("PORT must be a port number, got {p:?}"))?,
        None => 8080,
    };
    let mut cb = Callback::new(token, appid);
    let mode = match &aes_key {
        // The key's value is never printed; an invalid key is reported by what is wrong with it.
        Some(key) => {
            cb = cb.with_aes_key(key)?;
            "safe mode (encrypted)"
        }
        None => "plain mode",
    };
    let listener = tokio::net::TcpListener::bind(SocketAddr::from(([0, 0, 0, 0], port))).await?;
    println!("echo_bot listening on http://{}/ in {mode}", listener.local_addr()?);
    println!("set this URL (reachable from WeChat) as the server URL of account {}", cb.appid());
    axum::serve(listener, wechat_oa::callback::axum::router(cb, on_message)).await?;
    Ok(())
}

/// Runs the bot on loopback against the sandbox and prints what WeChat would receive.
async fn demo() -> Result<(), BoxError> {
    println!("WECHAT_TOKEN / WECHAT_APPID not set: running the self-demo against the local sandbox.\n");
    let sb = Sandbox::start(SandboxConfig::default()).await?;
    let appid = sb.config().appid.clone();
    // Demo credentials, made up on the spot like the console's 随机生成 button does.
    let token = Alphanumeric.sample_string(&mut rand::rng(), 32);
    let aes_key = Alphanumeric.sample_string(&mut rand::rng(), 43);

    // One bot with the key configured answers both modes: a plain push gets a plain reply, an
    // encrypted push an encrypted one.
    let cb = Callback::new(token.clone(), appid.clone()).with_aes_key(&aes_key)?;
    let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0))).await?;
    let url = format!("http://{}/", listener.local_addr()?);
    let server =
        tokio::spawn(async move { axum::serve(listener, wechat_oa::callback::axum::router(cb, on_message)).await });
    println!("echo_bot listening on {url}");

    let verified = sb.verify_callback_url(&url, &token).await?;
    println!("URL verification (GET with echostr): {}", if verified { "passed" } else { "FAILED" });

    let openid = sb.users().first().cloned().unwrap_or_else(|| "oDemoUser".to_string());
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH)?.as_secs();
    let mut failures = 0;
    for (i, (mode, key)) in [("plain", None), ("encrypted", Some(aes_key.clone()))].into_iter().enumerate() {
        let target = CallbackTarget { token: token.clone(), encoding_aes_key: key, appid: appid.clone() };
        // Distinct MsgIds and times: the bot deduplicates WeChat's retries by them.
        let (n, time) = (i as u64, now + i as u64);
        let pushes = [
            ("text \"hello, bot\"", text_xml(&openid, time, "hello, bot", n)),
            ("subscribe event", subscribe_xml(&openid, time)),
            ("CLICK event", click_xml(&openid, time)),
        ];
        for (what, xml) in pushes {
            let out = sb.push_callback(&url, &target, &xml).await?;
            let shown = match (&out.decrypted, out.body.as_str()) {
                (Some(reply), _) => format!("encrypted {}", describe(reply)),
                (None, "success") => "success (no reply)".to_string(),
                (None, reply) => describe(reply),
            };
            println!("[{mode:>9}] {what:<22} → HTTP {} {shown}", out.status);
            if out.status != 200 {
                failures += 1;
            }
        }
    }

    server.abort();
    sb.shutdown().await;
    if !verified || failures > 0 {
        return Err("the self-demo saw a failure".into());
    }
    println!("\ndone. Set WECHAT_TOKEN and WECHAT_APPID (and PORT) to serve a real account.");
    Ok(())
}

fn describe(reply_xml: &str) -> String {
    match Reply::parse(reply_xml) {
        Ok(Reply { kind: ReplyKind::Text(t), .. }) => format!("text reply {:?}", t.content),
        Ok(other) => format!("{} reply", other.kind.msg_type()),
        Err(e) => format!("unreadable reply ({e})"),
    }
}

fn text_xml(openid: &str, time: u64, content: &str, msg_id: u64) -> String {
    format!(
        "<xml><ToUserName><![CDATA[gh_demo00000001]]></ToUserName><FromUserName><![CDATA[{openid}]]></FromUserName>\
         <CreateTime>{time}</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[{content}]]></Content>\
         <MsgId>{}</MsgId></xml>",
        24_000_000_000_000_000u64 + msg_id
    )
}

fn subscribe_xml(openid: &str, time: u64) -> String {
    format!(
        "<xml><ToUserName><![CDATA[gh_demo00000001]]></ToUserName><FromUserName><![CDATA[{openid}]]></FromUserName>\
         <CreateTime>{time}</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[subscribe]]></Event></xml>"
    )
}

fn click_xml(openid: &str, time: u64) -> String {
    format!(
        "<xml><ToUserName><![CDATA[gh_demo00000001]]></ToUserName><FromUserName><![CDATA[{openid}]]></FromUserName>\
         <CreateTime>{time}</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[CLICK]]></Event>\
         <EventKey><![CDATA[MENU_HELP]]></EventKey></xml>"
    )
}
