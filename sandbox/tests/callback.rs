//! The WeChat-side callback crypto against the official sample vector, and real pushes to a
//! local developer server.

use std::sync::{Arc, Mutex};

use axum::extract::{Query, State};
use axum::routing::post;
use axum::Router;
use serde_json::Value;
use sha1::{Digest, Sha1};
use std::collections::HashMap;
use wechat_oa_sandbox::callback::{self, decode_aes_key, decrypt, encrypt_with, msg_signature, xml_field};
use wechat_oa_sandbox::{CallbackTarget, PushError, Sandbox};

fn vector() -> Value {
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/official_vector.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
}

#[test]
fn official_key_decodes_leniently() {
    let v = vector();
    let key = decode_aes_key(v["encoding_aes_key"].as_str().unwrap()).unwrap();
    assert_eq!(hex(&key), v["aes_key_hex"].as_str().unwrap());
    assert_eq!(decode_aes_key("short"), Err(PushError::InvalidAesKey));
}

#[test]
fn official_message_signature_and_plaintext() {
    let v = vector();
    let m = &v["message"];
    let token = v["token"].as_str().unwrap();
    let encrypt = m["encrypt"].as_str().unwrap();
    assert_eq!(xml_field(m["body"].as_str().unwrap(), "Encrypt").as_deref(), Some(encrypt));
    let sig = msg_signature(token, m["timestamp"].as_str().unwrap(), m["nonce"].as_str().unwrap(), encrypt);
    assert_eq!(sig, m["msg_signature"].as_str().unwrap());
    let key = decode_aes_key(v["encoding_aes_key"].as_str().unwrap()).unwrap();
    let (xml, appid) = decrypt(&key, encrypt).unwrap();
    assert_eq!(xml, m["expected_plaintext"].as_str().unwrap());
    assert_eq!(appid, v["receive_id"].as_str().unwrap());
}

#[test]
fn encrypting_with_the_official_random_prefix_reproduces_the_ciphertext() {
    let v = vector();
    let m = &v["message"];
    let key = decode_aes_key(v["encoding_aes_key"].as_str().unwrap()).unwrap();
    let random: [u8; 16] = unhex(m["expected_random_prefix_hex"].as_str().unwrap()).try_into().unwrap();
    let ct = encrypt_with(&key, random, v["receive_id"].as_str().unwrap(), m["expected_plaintext"].as_str().unwrap());
    assert_eq!(ct, m["encrypt"].as_str().unwrap());
}

#[test]
fn official_url_verification_echostr() {
    let v = vector();
    let u = &v["url_verification"];
    let token = v["token"].as_str().unwrap();
    let echostr = u["echostr"].as_str().unwrap();
    assert_eq!(
        msg_signature(token, u["timestamp"].as_str().unwrap(), u["nonce"].as_str().unwrap(), echostr),
        u["msg_signature"].as_str().unwrap()
    );
    let key = decode_aes_key(v["encoding_aes_key"].as_str().unwrap()).unwrap();
    let (plain, _) = decrypt(&key, echostr).unwrap();
    assert_eq!(plain, u["expected_plaintext"].as_str().unwrap());
}

#[test]
fn tampered_ciphertext_is_rejected_not_panicking() {
    let v = vector();
    let key = decode_aes_key(v["encoding_aes_key"].as_str().unwrap()).unwrap();
    let mut ct = v["message"]["encrypt"].as_str().unwrap().to_string();
    ct.replace_range(10..14, "AAAA");
    // Either padding/length checks fail or garbage comes out, but never a panic or the original.
    if let Ok((xml, _)) = decrypt(&key, &ct) {
        assert_ne!(xml, v["message"]["expected_plaintext"].as_str().unwrap());
    }
    assert!(decrypt(&key, "not base64!").is_err());
    assert!(decrypt(&key, "AAAA").is_err());
}

/// Independent SHA-1 of sorted parts (not the sandbox's helper).
fn sorted_sha1(mut parts: Vec<&str>) -> String {
    parts.sort();
    hex(&Sha1::digest(parts.concat().as_bytes()))
}

const TOKEN: &str = "sandboxToken";
const KEY: &str = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";
const APPID: &str = "wx5a4d0000sandbox";
const MSG: &str = "<xml><ToUserName><![CDATA[gh_sandbox]]></ToUserName><FromUserName><![CDATA[oUSER]]></FromUserName><CreateTime>1700000000</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[你好]]></Content><MsgId>1</MsgId></xml>";
const REPLY: &str = "<xml><ToUserName><![CDATA[oUSER]]></ToUserName><FromUserName><![CDATA[gh_sandbox]]></FromUserName><CreateTime>1700000001</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[pong]]></Content></xml>";

#[derive(Clone, Default)]
struct Seen(Arc<Mutex<Vec<Request>>>);

/// Query and body of one received push.
type Request = (HashMap<String, String>, String);

/// A developer server: checks signatures itself, decrypts, answers (optionally encrypted).
async fn dev_server(tamper: bool) -> (String, Seen) {
    async fn handle(
        State((seen, tamper)): State<(Seen, bool)>,
        Query(q): Query<HashMap<String, String>>,
        body: String,
    ) -> String {
        seen.0.lock().unwrap().push((q.clone(), body.clone()));
        assert_eq!(q["signature"], sorted_sha1(vec![TOKEN, &q["timestamp"], &q["nonce"]]));
        if q.get("encrypt_type").map(String::as_str) != Some("aes") {
            return "success".into();
        }
        let enc = xml_field(&body, "Encrypt").unwrap();
        assert_eq!(q["msg_signature"], sorted_sha1(vec![TOKEN, &q["timestamp"], &q["nonce"], &enc]));
        let key = decode_aes_key(KEY).unwrap();
        let (xml, appid) = decrypt(&key, &enc).unwrap();
        assert_eq!(xml, MSG);
        assert_eq!(appid, APPID);
        let reply = callback::encrypt(&key, APPID, REPLY);
        let sig = msg_signature(TOKEN, "1700000002", "777", &reply);
        let sig = if tamper { sig.replace(|c: char| c.is_ascii_digit(), "0") } else { sig };
        format!("<xml><Encrypt><![CDATA[{reply}]]></Encrypt><MsgSignature><![CDATA[{sig}]]></MsgSignature><TimeStamp>1700000002</TimeStamp><Nonce><![CDATA[777]]></Nonce></xml>")
    }
    let seen = Seen::default();
    let app = Router::new().route("/wx", post(handle)).with_state((seen.clone(), tamper));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}/wx"), seen)
}

#[tokio::test]
async fn plaintext_push_is_signed() {
    let sb = Sandbox::start(Default::default()).await.unwrap();
    let (url, seen) = dev_server(false).await;
    let cfg = CallbackTarget { token: TOKEN.into(), encoding_aes_key: None, appid: APPID.into() };
    let out = sb.push_callback(&url, &cfg, MSG).await.unwrap();
    assert_eq!(out.status, 200);
    assert_eq!(out.body, "success");
    assert_eq!(out.decrypted, None);
    let seen = seen.0.lock().unwrap();
    assert_eq!(seen[0].1, MSG);
    assert_eq!(seen[0].0["openid"], "oUSER");
}

#[tokio::test]
async fn encrypted_push_roundtrips_and_reply_is_verified() {
    let sb = Sandbox::start(Default::default()).await.unwrap();
    let (url, seen) = dev_server(false).await;
    let cfg = CallbackTarget { token: TOKEN.into(), encoding_aes_key: Some(KEY.into()), appid: APPID.into() };
    let out = sb.push_callback(&url, &cfg, MSG).await.unwrap();
    assert_eq!(out.decrypted.as_deref(), Some(REPLY));
    let body = seen.0.lock().unwrap()[0].1.clone();
    assert_eq!(xml_field(&body, "ToUserName").as_deref(), Some("gh_sandbox"));
    assert!(!body.contains("你好"), "the message travels encrypted");

    let (bad_url, _) = dev_server(true).await;
    assert_eq!(sb.push_callback(&bad_url, &cfg, MSG).await, Err(PushError::ReplySignature));
}

#[tokio::test]
async fn url_verification_round_trip() {
    async fn echo(Query(q): Query<HashMap<String, String>>) -> String {
        if q["signature"] == sorted_sha1(vec![TOKEN, &q["timestamp"], &q["nonce"]]) {
            q["echostr"].clone()
        } else {
            "bad".into()
        }
    }
    let app = Router::new().route("/wx", axum::routing::get(echo));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let sb = Sandbox::start(Default::default()).await.unwrap();
    assert!(sb.verify_callback_url(&format!("http://{addr}/wx"), TOKEN).await.unwrap());
    assert!(!sb.verify_callback_url(&format!("http://{addr}/wx"), "wrong-token").await.unwrap());
}
