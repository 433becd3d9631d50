//! Every kind of bad inbound callback is refused with its own `CallbackError`; unknown message
//! and event types are kept whole; WeChat's retries reach the handler once.
//!
//! Requests are signed and encrypted with the sandbox's independent implementation of the
//! scheme (or with raw AES from the `aes`/`cbc` crates when the ciphertext itself must be broken).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aes::cipher::{block_padding::NoPadding, BlockEncryptMut, KeyIvInit};
use base64::Engine as _;
use wechat_oa::callback::{
    Callback, CallbackError, CallbackQuery, EventKind, MemoryDedup, Message, MessageKind, DEFAULT_MAX_BODY,
};
use wechat_oa_sandbox::callback as wx;

const TOKEN: &str = "badInputToken";
const APPID: &str = "wx5a4d0000sandbox";
const AES: &str = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";
const NONCE: &str = "1320562132";

const TEXT: &str = "<xml><ToUserName><![CDATA[gh_0123456789ab]]></ToUserName>\
<FromUserName><![CDATA[oUser0000000000000000000001]]></FromUserName>\
<CreateTime>1700000000</CreateTime><MsgType><![CDATA[text]]></MsgType>\
<Content><![CDATA[hello]]></Content><MsgId>23900000000000001</MsgId></xml>";

fn now() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).expect("clock after 1970").as_secs() as i64
}

fn plain_cb() -> Callback {
    Callback::new(TOKEN, APPID)
}

fn aes_cb() -> Callback {
    Callback::new(TOKEN, APPID).with_aes_key(AES).expect("valid EncodingAESKey")
}

/// A correctly signed plain-mode query for `ts`.
fn plain_query_at(ts: i64) -> CallbackQuery {
    let ts = ts.to_string();
    CallbackQuery {
        signature: Some(wx::signature(TOKEN, &ts, NONCE)),
        timestamp: Some(ts),
        nonce: Some(NONCE.into()),
        ..Default::default()
    }
}

fn plain_query() -> CallbackQuery {
    plain_query_at(now())
}

/// A correctly signed encrypted-mode query and body carrying `encrypt` as the Encrypt value.
fn encrypted_request(encrypt: &str) -> (CallbackQuery, String) {
    let ts = now().to_string();
    let q = CallbackQuery {
        signature: Some(wx::signature(TOKEN, &ts, NONCE)),
        msg_signature: Some(wx::msg_signature(TOKEN, &ts, NONCE, encrypt)),
        encrypt_type: Some("aes".into()),
        timestamp: Some(ts),
        nonce: Some(NONCE.into()),
        ..Default::default()
    };
    let body = format!(
        "<xml><ToUserName><![CDATA[gh_0123456789ab]]></ToUserName><Encrypt><![CDATA[{encrypt}]]></Encrypt></xml>"
    );
    (q, body)
}

fn key() -> [u8; 32] {
    wx::decode_aes_key(AES).expect("key")
}

/// AES-256-CBC (IV = first 16 key bytes) over `plain`, which must be whole blocks; base64.
fn raw_encrypt(plain: &[u8]) -> String {
    assert_eq!(plain.len() % 16, 0, "test bug: not whole blocks");
    let k = key();
    let mut buf = plain.to_vec();
    let n = buf.len();
    let ct = cbc::Encryptor::<aes::Aes256>::new(&k.into(), k[..16].into())
        .encrypt_padded_mut::<NoPadding>(&mut buf, n)
        .expect("whole blocks");
    base64::engine::general_purpose::STANDARD.encode(ct)
}

/// `random(16) ‖ len(4, claimed) ‖ msg ‖ appid`, before padding.
fn framed(claimed: u32, msg: &str, appid: &str) -> Vec<u8> {
    let mut v = b"0123456789abcdef".to_vec();
    v.extend_from_slice(&claimed.to_be_bytes());
    v.extend_from_slice(msg.as_bytes());
    v.extend_from_slice(appid.as_bytes());
    v
}

fn pkcs7_32(mut v: Vec<u8>) -> Vec<u8> {
    let pad = 32 - v.len() % 32;
    v.resize(v.len() + pad, pad as u8);
    v
}

// ---- signatures and query ----

#[test]
fn wrong_signature() {
    let mut q = plain_query();
    q.signature = Some(wx::signature("another-token", q.timestamp.as_deref().expect("ts"), NONCE));
    let err = plain_cb().open(&q, TEXT.as_bytes()).expect_err("forged");
    assert_eq!(err, CallbackError::BadSignature);
    assert_eq!((err.http_status(), err.check()), (401, "signature"));
}

#[test]
fn wrong_signature_is_reported_before_the_body_is_looked_at() {
    let mut q = plain_query();
    q.signature = Some("0".repeat(40));
    assert_eq!(plain_cb().open(&q, b"<not xml"), Err(CallbackError::BadSignature));
}

#[test]
fn missing_signature() {
    let mut q = plain_query();
    q.signature = None;
    let err = plain_cb().open(&q, TEXT.as_bytes()).expect_err("unsigned");
    assert_eq!(err, CallbackError::MissingParam("signature"));
    assert_eq!(err.http_status(), 400);
    let mut q = plain_query();
    q.nonce = None;
    assert_eq!(plain_cb().open(&q, TEXT.as_bytes()), Err(CallbackError::MissingParam("nonce")));
    let mut q = plain_query();
    q.timestamp = None;
    assert_eq!(plain_cb().open(&q, TEXT.as_bytes()), Err(CallbackError::MissingParam("timestamp")));
}

#[test]
fn wrong_msg_signature() {
    let encrypt = wx::encrypt(&key(), APPID, TEXT);
    let (mut q, body) = encrypted_request(&encrypt);
    // Signed over a different Encrypt value: the plain `signature` is still right.
    q.msg_signature = Some(wx::msg_signature(TOKEN, q.timestamp.as_deref().expect("ts"), NONCE, "other"));
    let err = aes_cb().open(&q, body.as_bytes()).expect_err("forged");
    assert_eq!(err, CallbackError::BadMsgSignature);
    assert_eq!((err.http_status(), err.check()), (401, "msg_signature"));

    let (mut q, body) = encrypted_request(&encrypt);
    q.msg_signature = None;
    assert_eq!(aes_cb().open(&q, body.as_bytes()), Err(CallbackError::MissingParam("msg_signature")));
}

#[test]
fn repeated_query_parameter() {
    let err = CallbackQuery::from_query_string("timestamp=1&timestamp=2&nonce=3&signature=x").expect_err("ambiguous");
    assert_eq!(err, CallbackError::BadQuery);
    assert_eq!(err.http_status(), 400);
}

#[test]
fn url_verification_with_a_wrong_signature() {
    let ts = now().to_string();
    let q = CallbackQuery {
        signature: Some(wx::signature("another-token", &ts, NONCE)),
        timestamp: Some(ts.clone()),
        nonce: Some(NONCE.into()),
        echostr: Some("123456".into()),
        ..Default::default()
    };
    assert_eq!(plain_cb().verify_url(&q), Err(CallbackError::BadSignature));
    let ok = CallbackQuery { signature: Some(wx::signature(TOKEN, &ts, NONCE)), ..q };
    assert_eq!(plain_cb().verify_url(&ok).as_deref(), Ok("123456"));
}

// ---- replay window ----

#[test]
fn stale_timestamp() {
    let q = plain_query_at(now() - 3600);
    let err = plain_cb().open(&q, TEXT.as_bytes()).expect_err("an hour old");
    match err {
        CallbackError::StaleTimestamp { skew_secs, window_secs } => {
            assert_eq!(window_secs, 300);
            assert!(skew_secs >= 3600, "skew {skew_secs}");
        }
        ref other => panic!("expected StaleTimestamp, got {other:?}"),
    }
    assert_eq!((err.http_status(), err.check()), (401, "replay_window"));

    // From the future too.
    let q = plain_query_at(now() + 3600);
    assert!(matches!(plain_cb().open(&q, TEXT.as_bytes()), Err(CallbackError::StaleTimestamp { .. })));
}

#[test]
fn stale_timestamp_is_accepted_when_the_window_is_disabled() {
    let q = plain_query_at(now() - 3600);
    let cb = plain_cb().replay_window(None);
    let inbound = cb.open(&q, TEXT.as_bytes()).expect("window disabled");
    assert!(matches!(inbound.message.kind, MessageKind::Text(_)));

    // A wider window accepts it as well; a narrower one does not.
    assert!(plain_cb().replay_window(Some(Duration::from_secs(7200))).open(&q, TEXT.as_bytes()).is_ok());
    assert!(plain_cb().replay_window(Some(Duration::from_secs(60))).open(&q, TEXT.as_bytes()).is_err());
}

#[test]
fn timestamp_that_is_not_a_number() {
    let q = CallbackQuery {
        signature: Some(wx::signature(TOKEN, "yesterday", NONCE)),
        timestamp: Some("yesterday".into()),
        nonce: Some(NONCE.into()),
        ..Default::default()
    };
    assert_eq!(plain_cb().open(&q, TEXT.as_bytes()), Err(CallbackError::BadTimestamp("yesterday".into())));
}

// ---- body and XML ----

#[test]
fn body_over_the_default_limit() {
    assert_eq!(DEFAULT_MAX_BODY, 1 << 20);
    let mut body = TEXT.as_bytes().to_vec();
    body.resize(DEFAULT_MAX_BODY + 1, b' ');
    let err = plain_cb().open(&plain_query(), &body).expect_err("too large");
    assert_eq!(err, CallbackError::TooLarge { size: DEFAULT_MAX_BODY + 1, limit: DEFAULT_MAX_BODY });
    assert_eq!(err.http_status(), 413);

    // Exactly at the limit is fine (trailing whitespace after the root is layout).
    body.truncate(DEFAULT_MAX_BODY);
    assert!(plain_cb().open(&plain_query(), &body).is_ok());
}

#[test]
fn body_over_a_configured_limit() {
    let cb = plain_cb().max_body(64);
    assert_eq!(cb.body_limit(), 64);
    assert_eq!(cb.open(&plain_query(), TEXT.as_bytes()), Err(CallbackError::TooLarge { size: TEXT.len(), limit: 64 }));
}

#[test]
fn malformed_xml() {
    for bad in [
        "<xml><ToUserName><![CDATA[gh]]></ToUserName>",
        "<xml><ToUserName>gh</FromUserName></xml>",
        "not xml at all",
        "<xml></xml><xml></xml>",
        "",
    ] {
        let err = plain_cb().open(&plain_query(), bad.as_bytes()).expect_err(bad);
        assert!(matches!(err, CallbackError::MalformedXml(_)), "{bad:?} gave {err:?}");
        assert_eq!(err.http_status(), 400);
    }
    let err = plain_cb().open(&plain_query(), b"<xml>\xff\xfe</xml>").expect_err("not UTF-8");
    assert!(matches!(err, CallbackError::MalformedXml(_)), "{err:?}");
}

#[test]
fn xml_missing_a_required_field() {
    let no_content = TEXT.replace("<Content><![CDATA[hello]]></Content>", "");
    let err = plain_cb().open(&plain_query(), no_content.as_bytes()).expect_err("no Content");
    assert!(matches!(&err, CallbackError::MissingField { field, .. } if field == "Content"), "{err:?}");
    let bad_time = TEXT.replace("1700000000", "soon");
    let err = plain_cb().open(&plain_query(), bad_time.as_bytes()).expect_err("bad CreateTime");
    assert!(matches!(&err, CallbackError::BadField { field, .. } if field == "CreateTime"), "{err:?}");
}

const BILLION_LAUGHS: &str = r#"<?xml version="1.0"?>
<!DOCTYPE xml [
  <!ENTITY lol "lol">
  <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
  <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
  <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
  <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
  <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
  <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<xml><ToUserName>gh</ToUserName><FromUserName>o</FromUserName><CreateTime>1</CreateTime>
<MsgType>text</MsgType><Content>&lol9;</Content></xml>"#;

const XXE: &str = r#"<?xml version="1.0"?>
<!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<xml><ToUserName>gh</ToUserName><FromUserName>o</FromUserName><CreateTime>1</CreateTime>
<MsgType>text</MsgType><Content>&xxe;</Content></xml>"#;

#[test]
fn doctype_and_entity_declarations_in_a_plain_body() {
    for (name, body) in [("billion laughs", BILLION_LAUGHS), ("external entity", XXE)] {
        let err = plain_cb().open(&plain_query(), body.as_bytes()).expect_err(name);
        assert_eq!(err, CallbackError::DoctypeRejected, "{name}");
        assert_eq!(err.http_status(), 400);
    }
    // A bare DOCTYPE without declarations is refused as well.
    let bare = format!("<!DOCTYPE xml>{TEXT}");
    assert_eq!(plain_cb().open(&plain_query(), bare.as_bytes()), Err(CallbackError::DoctypeRejected));
    // An entity that was never declared is not expanded to anything.
    let undeclared = TEXT.replace("<![CDATA[hello]]>", "&lol9;");
    assert!(matches!(plain_cb().open(&plain_query(), undeclared.as_bytes()), Err(CallbackError::MalformedXml(_))));
}

#[test]
fn doctype_inside_the_encrypted_payload() {
    let (q, body) = encrypted_request(&wx::encrypt(&key(), APPID, BILLION_LAUGHS));
    assert_eq!(aes_cb().open(&q, body.as_bytes()), Err(CallbackError::DoctypeRejected));
}

#[test]
fn doctype_in_the_encrypted_envelope() {
    let encrypt = wx::encrypt(&key(), APPID, TEXT);
    let (q, body) = encrypted_request(&encrypt);
    let body = format!("<!DOCTYPE xml [<!ENTITY e \"x\">]>{body}");
    assert_eq!(aes_cb().open(&q, body.as_bytes()), Err(CallbackError::DoctypeRejected));
}

#[test]
fn nesting_deeper_than_any_payload() {
    let deep = format!("<xml>{}{}</xml>", "<a>".repeat(100), "</a>".repeat(100));
    assert!(matches!(plain_cb().open(&plain_query(), deep.as_bytes()), Err(CallbackError::TooDeep(_))));
}

// ---- ciphertext ----

#[test]
fn bad_base64() {
    let (q, body) = encrypted_request("this is *not* base64!!");
    let err = aes_cb().open(&q, body.as_bytes()).expect_err("bad base64");
    assert_eq!(err, CallbackError::BadBase64);
    assert_eq!((err.http_status(), err.check()), (400, "base64"));
}

#[test]
fn ciphertext_not_a_multiple_of_16() {
    let b64 = base64::engine::general_purpose::STANDARD.encode([7u8; 20]);
    let (q, body) = encrypted_request(&b64);
    assert_eq!(aes_cb().open(&q, body.as_bytes()), Err(CallbackError::BadCiphertextLength(20)));
    let (q, body) = encrypted_request("");
    assert_eq!(aes_cb().open(&q, body.as_bytes()), Err(CallbackError::BadCiphertextLength(0)));
}

#[test]
fn bad_padding() {
    let unpadded = framed(TEXT.len() as u32, TEXT, APPID);
    let fill = 32 - unpadded.len() % 32;
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("pad byte 0", {
            let mut v = unpadded.clone();
            v.resize(unpadded.len() + fill, 0);
            v
        }),
        ("pad byte larger than a 32-byte block", {
            let mut v = unpadded.clone();
            v.resize(unpadded.len() + fill, 0);
            let n = v.len();
            v[n - 1] = 33;
            v
        }),
        ("pad bytes disagree", {
            let mut v = pkcs7_32(unpadded.clone());
            let n = v.len();
            if fill >= 2 {
                v[n - 2] ^= 0x55;
            } else {
                // Only one pad byte: claim two instead, so the byte before must also be 2.
                v[n - 1] = 2;
            }
            v
        }),
    ];
    for (name, plain) in cases {
        let (q, body) = encrypted_request(&raw_encrypt(&plain));
        let err = aes_cb().open(&q, body.as_bytes()).expect_err(name);
        assert_eq!(err, CallbackError::BadPadding, "{name}");
        assert_eq!(err.check(), "padding");
    }
    // The unmodified framing decrypts, so the cases above fail only for their padding.
    let (q, body) = encrypted_request(&raw_encrypt(&pkcs7_32(unpadded)));
    assert!(aes_cb().open(&q, body.as_bytes()).is_ok());
}

#[test]
fn wrong_length_prefix() {
    let available = TEXT.len() + APPID.len();
    let claimed = available as u32 + 1;
    let (q, body) = encrypted_request(&raw_encrypt(&pkcs7_32(framed(claimed, TEXT, APPID))));
    let err = aes_cb().open(&q, body.as_bytes()).expect_err("length beyond the plaintext");
    assert_eq!(err, CallbackError::BadLengthPrefix { claimed: claimed as usize, available });
    assert_eq!(err.check(), "length_prefix");

    let (q, body) = encrypted_request(&raw_encrypt(&pkcs7_32(framed(u32::MAX, TEXT, APPID))));
    assert!(matches!(aes_cb().open(&q, body.as_bytes()), Err(CallbackError::BadLengthPrefix { .. })));

    // Plaintext shorter than the 20-byte header.
    let (q, body) = encrypted_request(&raw_encrypt(&pkcs7_32(b"short".to_vec())));
    assert!(matches!(aes_cb().open(&q, body.as_bytes()), Err(CallbackError::BadLengthPrefix { .. })));

    // A prefix that is too short moves bytes of the message into the appid.
    let (q, body) = encrypted_request(&raw_encrypt(&pkcs7_32(framed(TEXT.len() as u32 - 1, TEXT, APPID))));
    assert!(matches!(aes_cb().open(&q, body.as_bytes()), Err(CallbackError::AppIdMismatch { .. })));
}

#[test]
fn appid_mismatch() {
    let (q, body) = encrypted_request(&wx::encrypt(&key(), "wx0000000000000000", TEXT));
    let err = aes_cb().open(&q, body.as_bytes()).expect_err("for another account");
    assert_eq!(err, CallbackError::AppIdMismatch { found: "wx0000000000000000".into() });
    assert_eq!((err.http_status(), err.check()), (401, "appid"));
}

#[test]
fn missing_encrypt() {
    let ts = now().to_string();
    let q = CallbackQuery {
        signature: Some(wx::signature(TOKEN, &ts, NONCE)),
        msg_signature: Some(wx::msg_signature(TOKEN, &ts, NONCE, "")),
        encrypt_type: Some("aes".into()),
        timestamp: Some(ts),
        nonce: Some(NONCE.into()),
        ..Default::default()
    };
    let err = aes_cb().open(&q, TEXT.as_bytes()).expect_err("no Encrypt");
    assert_eq!(err, CallbackError::MissingEncrypt);
    assert_eq!(err.check(), "encrypt_element");
}

#[test]
fn encrypted_push_without_a_configured_key() {
    let (q, body) = encrypted_request(&wx::encrypt(&key(), APPID, TEXT));
    let err = plain_cb().open(&q, body.as_bytes()).expect_err("no key");
    assert_eq!(err, CallbackError::NoAesKey);
    assert_eq!(err.http_status(), 500);
}

#[test]
fn invalid_encoding_aes_key() {
    for bad in ["", "short", &"A".repeat(44), &format!("{}!", "A".repeat(42))] {
        assert!(matches!(Callback::new(TOKEN, APPID).with_aes_key(bad), Err(CallbackError::BadAesKey(_))), "{bad:?}");
    }
    let err = Callback::new(TOKEN, APPID).with_aes_key("nope").expect_err("bad key");
    assert!(!err.to_string().contains("nope"), "the key must not appear in the error: {err}");
}

// ---- unknown types ----

#[tokio::test]
async fn unknown_msg_type_is_kept_whole() {
    let xml = "<xml><ToUserName><![CDATA[gh_0123456789ab]]></ToUserName>\
        <FromUserName><![CDATA[oUser0000000000000000000001]]></FromUserName><CreateTime>1700000001</CreateTime>\
        <MsgType><![CDATA[miniprogrampage]]></MsgType><Title><![CDATA[A card]]></Title>\
        <AppId><![CDATA[wxabcdef]]></AppId><Nested><Inner>1</Inner></Nested><MsgId>42</MsgId></xml>";
    let seen = Arc::new(std::sync::Mutex::new(None));
    let s = seen.clone();
    let out = plain_cb()
        .handle(&plain_query(), xml.as_bytes(), move |m| async move {
            *s.lock().expect("lock") = Some(m);
            None
        })
        .await
        .expect("an unknown type is not an error");
    assert_eq!(out, "success");
    let m = seen.lock().expect("lock").take().expect("the handler saw it");
    assert_eq!(m.msg_id.as_deref(), Some("42"));
    assert_eq!(m.kind.msg_type(), "miniprogrampage");
    match &m.kind {
        MessageKind::Unknown(u) => {
            assert_eq!(u.type_name, "miniprogrampage");
            assert_eq!(u.field("Title"), Some("A card"));
            assert_eq!(u.field("AppId"), Some("wxabcdef"));
            assert_eq!(u.raw.child("Nested").and_then(|n| n.child_text("Inner")), Some("1"));
            assert_eq!(u.raw.children.len(), 8, "every element is kept");
        }
        other => panic!("expected Unknown, got {other:?}"),
    }
}

#[test]
fn unknown_event_is_kept_whole() {
    let xml = "<xml><ToUserName><![CDATA[gh_0123456789ab]]></ToUserName>\
        <FromUserName><![CDATA[oUser0000000000000000000001]]></FromUserName><CreateTime>1700000002</CreateTime>\
        <MsgType><![CDATA[event]]></MsgType><Event><![CDATA[brand_new_event]]></Event>\
        <Payload><![CDATA[p]]></Payload></xml>";
    let m = Message::parse(xml).expect("an unknown event is not an error");
    match &m.kind {
        MessageKind::Event(EventKind::Unknown(u)) => {
            assert_eq!(u.type_name, "brand_new_event");
            assert_eq!(u.field("Payload"), Some("p"));
            assert_eq!(u.field("Event"), Some("brand_new_event"));
        }
        other => panic!("expected an unknown event, got {other:?}"),
    }
    // Through the encrypted pipeline too.
    let (q, body) = encrypted_request(&wx::encrypt(&key(), APPID, xml));
    assert_eq!(aes_cb().open(&q, body.as_bytes()).expect("opens").message, m);
}

// ---- dedup ----

#[tokio::test]
async fn the_same_push_twice_runs_the_handler_once() {
    let cb = aes_cb();
    let calls = Arc::new(AtomicUsize::new(0));
    let (q, body) = encrypted_request(&wx::encrypt(&key(), APPID, TEXT));
    let mut answers = Vec::new();
    for _ in 0..2 {
        let calls = calls.clone();
        let out = cb
            .handle(&q, body.as_bytes(), move |m| async move {
                calls.fetch_add(1, Ordering::SeqCst);
                Some(m.reply_text("first answer"))
            })
            .await
            .expect("handled");
        answers.push(out);
    }
    assert_eq!(calls.load(Ordering::SeqCst), 1, "the retry must not reach the handler");
    assert!(answers[0].contains("<Encrypt>"), "first answer is the encrypted reply: {}", answers[0]);
    // The retry carries the same reply, encrypted afresh (its own nonce and signature).
    assert!(answers[1].contains("<Encrypt>"), "the retry answers the stored reply: {}", answers[1]);
    assert_ne!(wx::xml_field(&answers[0], "Nonce"), wx::xml_field(&answers[1], "Nonce"));
    let plain = |answer: &str| {
        let (xml, appid) = wx::decrypt(&key(), &wx::xml_field(answer, "Encrypt").expect("Encrypt")).expect("decrypts");
        assert_eq!(appid, APPID);
        xml
    };
    assert_eq!(plain(&answers[0]), plain(&answers[1]));
    assert!(plain(&answers[1]).contains("first answer"));

    // A retry re-encrypted by WeChat (new random prefix, new signature) is the same message.
    let (q2, body2) = encrypted_request(&wx::encrypt(&key(), APPID, TEXT));
    assert_ne!(body2, body);
    let c = calls.clone();
    let out = cb
        .handle(&q2, body2.as_bytes(), move |_| async move {
            c.fetch_add(1, Ordering::SeqCst);
            None
        })
        .await
        .expect("handled");
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    assert_eq!(plain(&out), plain(&answers[0]), "a re-encrypted retry gets the stored reply too");

    // Another MsgId is a new message.
    let other = TEXT.replace("23900000000000001", "23900000000000002");
    let (q3, body3) = encrypted_request(&wx::encrypt(&key(), APPID, &other));
    let c = calls.clone();
    cb.handle(&q3, body3.as_bytes(), move |_| async move {
        c.fetch_add(1, Ordering::SeqCst);
        None
    })
    .await
    .expect("handled");
    assert_eq!(calls.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn events_without_msg_id_are_deduplicated_by_sender_and_time() {
    let subscribe = "<xml><ToUserName><![CDATA[gh_0123456789ab]]></ToUserName>\
        <FromUserName><![CDATA[oUser0000000000000000000001]]></FromUserName><CreateTime>1700000003</CreateTime>\
        <MsgType><![CDATA[event]]></MsgType><Event><![CDATA[subscribe]]></Event></xml>";
    let click = subscribe
        .replace("<Event><![CDATA[subscribe]]></Event>", "<Event><![CDATA[CLICK]]></Event><EventKey>K</EventKey>");
    // A store shared by two Callback values (as two server instances would share Redis).
    let store = Arc::new(MemoryDedup::new());
    let a = plain_cb().dedup_store(store.clone(), Duration::from_secs(60));
    let b = plain_cb().dedup_store(store, Duration::from_secs(60));
    let calls = Arc::new(AtomicUsize::new(0));
    for (cb, xml) in [(&a, subscribe), (&b, subscribe), (&a, click.as_str()), (&b, click.as_str())] {
        let c = calls.clone();
        cb.handle(&plain_query(), xml.as_bytes(), move |m| async move {
            c.fetch_add(1, Ordering::SeqCst);
            Some(m.reply_text("welcome"))
        })
        .await
        .expect("handled");
    }
    // Same second, same user, two different events: both handled, each once.
    assert_eq!(calls.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn accounts_sharing_a_dedup_store_do_not_swallow_each_others_messages() {
    // MsgIds are per account: the same number can arrive for two accounts.
    let store = Arc::new(MemoryDedup::new());
    let a = plain_cb().dedup_store(store.clone(), Duration::from_secs(60));
    let b = Callback::new(TOKEN, "wx0000000000000002").dedup_store(store, Duration::from_secs(60));
    let other_account = TEXT.replace("gh_0123456789ab", "gh_ba9876543210");
    let calls = Arc::new(AtomicUsize::new(0));
    for (cb, xml) in [(&a, TEXT), (&b, other_account.as_str()), (&a, TEXT)] {
        let c = calls.clone();
        cb.handle(&plain_query(), xml.as_bytes(), move |_| async move {
            c.fetch_add(1, Ordering::SeqCst);
            None
        })
        .await
        .expect("handled");
    }
    assert_eq!(calls.load(Ordering::SeqCst), 2, "one per account; the repeat for the first is a retry");
}

#[tokio::test]
async fn rejected_push_does_not_reach_the_handler() {
    let mut q = plain_query();
    q.signature = Some("f".repeat(40));
    let calls = Arc::new(AtomicUsize::new(0));
    let c = calls.clone();
    let err = plain_cb()
        .handle(&q, TEXT.as_bytes(), move |_| async move {
            c.fetch_add(1, Ordering::SeqCst);
            None
        })
        .await
        .expect_err("forged");
    assert_eq!(err, CallbackError::BadSignature);
    assert_eq!(calls.load(Ordering::SeqCst), 0);
}
