//! `callback push` / `callback verify`: WeChat's side of a callback, aimed at your own server.
//! The signing and encryption are the sandbox's (`wechat_oa_sandbox::callback`), written apart
//! from the SDK's, so a test of your endpoint does not share a bug with it.

use serde_json::json;
use wechat_oa_sandbox::callback as wx;

use crate::Failure;

/// What to push.
pub enum What {
    /// A text message with this content.
    Text(String),
    /// An event (`subscribe`, `unsubscribe`, `CLICK` …), with an optional EventKey.
    Event(String, Option<String>),
    /// A whole message from a file.
    Xml(String),
}

fn now() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

fn cdata(s: &str) -> String {
    format!("<![CDATA[{}]]>", s.replace("]]>", "]]]]><![CDATA[>"))
}

/// The message XML, as WeChat writes it.
pub fn xml(what: What, from: &str, to: &str) -> String {
    let head = format!(
        "<ToUserName>{}</ToUserName><FromUserName>{}</FromUserName><CreateTime>{}</CreateTime>",
        cdata(to),
        cdata(from),
        now()
    );
    match what {
        What::Text(content) => {
            let id = now() * 1_000 + u64::from(std::process::id() % 1_000);
            format!(
                "<xml>{head}<MsgType>{}</MsgType><Content>{}</Content><MsgId>{id}</MsgId></xml>",
                cdata("text"),
                cdata(&content)
            )
        }
        What::Event(event, key) => {
            let key = key.map(|k| format!("<EventKey>{}</EventKey>", cdata(&k))).unwrap_or_default();
            format!("<xml>{head}<MsgType>{}</MsgType><Event>{}</Event>{key}</xml>", cdata("event"), cdata(&event))
        }
        What::Xml(x) => x,
    }
}

/// Signs (and with `aes_key` encrypts) `xml`, posts it to `url`, verifies the reply.
pub async fn push(
    url: &str,
    token: &str,
    appid: &str,
    aes_key: Option<&str>,
    xml: &str,
) -> Result<serde_json::Value, Failure> {
    let target = wx::CallbackTarget {
        token: token.to_string(),
        encoding_aes_key: aes_key.map(str::to_string),
        appid: appid.to_string(),
    };
    let outcome = wx::push(url, &target, xml).await.map_err(|e| match e {
        wx::PushError::InvalidAesKey => Failure::usage(format!("--aes-key: {e}")),
        wx::PushError::Http(_) => Failure::call(e.to_string()),
        // The server answered, but its reply fails WeChat's own checks.
        _ => Failure { code: 3, message: format!("reply check failed: {e}") },
    })?;
    let reply = outcome.decrypted.clone().unwrap_or_else(|| outcome.body.clone());
    let v = json!({
        "status": outcome.status,
        "reply": reply,
        "encrypted": outcome.decrypted.is_some(),
        "content": wx::xml_field(&reply, "Content"),
    });
    if !(200..300).contains(&outcome.status) {
        return Err(Failure::call(format!("the server answered HTTP {}: {}", outcome.status, outcome.body)));
    }
    Ok(v)
}

/// The echostr check of a server URL.
pub async fn verify(url: &str, token: &str) -> Result<serde_json::Value, Failure> {
    match wx::verify_url(url, token).await {
        Ok(true) => Ok(json!({ "url": url, "verified": true })),
        Ok(false) => {
            Err(Failure { code: 3, message: "echostr check failed: the server did not echo echostr back".to_string() })
        }
        Err(e) => Err(Failure::call(e.to_string())),
    }
}
