//! Safe-mode crypto against the official WXBizMsgCrypt sample vector, and round trips of every
//! passive reply type through `Callback::seal`, checked with the sandbox's independent
//! implementation of the scheme.

use std::path::PathBuf;
use std::time::{SystemTime, UNIX_EPOCH};

use wechat_oa::callback::{
    signature, AesKey, Callback, CallbackError, CallbackQuery, ImageReply, Inbound, Message, MessageKind, MusicReply,
    NewsArticle, NewsReply, Reply, ReplyKind, ReplyMedia, ReplyMusic, ReplyVideo, TextReply, TransInfo,
    TransferCustomerServiceReply, VideoReply, VoiceReply,
};
use wechat_oa_sandbox::callback as wx;

/// The official sample vector, copied from the WXBizMsgCrypt samples into `tests/data`.
struct Vector {
    token: String,
    encoding_aes_key: String,
    receive_id: String,
    aes_key_hex: String,
    msg: serde_json::Value,
    url: serde_json::Value,
}

fn vector() -> Vector {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/official_vector.json");
    let text = std::fs::read_to_string(&path).expect("read tests/data/official_vector.json");
    let v: serde_json::Value = serde_json::from_str(&text).expect("vector is JSON");
    let s = |k: &str| v[k].as_str().expect(k).to_string();
    Vector {
        token: s("token"),
        encoding_aes_key: s("encoding_aes_key"),
        receive_id: s("receive_id"),
        aes_key_hex: s("aes_key_hex"),
        msg: v["message"].clone(),
        url: v["url_verification"].clone(),
    }
}

fn field<'a>(v: &'a serde_json::Value, k: &str) -> &'a str {
    v[k].as_str().unwrap_or_else(|| panic!("vector field {k}"))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex")).collect()
}

fn now() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).expect("clock after 1970").as_secs() as i64
}

fn vector_callback(v: &Vector) -> Callback {
    // The vector's timestamps are from 2014: the replay window has to be off to accept them.
    Callback::new(v.token.clone(), v.receive_id.clone())
        .with_aes_key(&v.encoding_aes_key)
        .expect("the official EncodingAESKey is valid")
        .replay_window(None)
}

fn vector_query(v: &Vector) -> CallbackQuery {
    CallbackQuery {
        timestamp: Some(field(&v.msg, "timestamp").into()),
        nonce: Some(field(&v.msg, "nonce").into()),
        msg_signature: Some(field(&v.msg, "msg_signature").into()),
        encrypt_type: Some("aes".into()),
        ..Default::default()
    }
}

#[test]
fn aes_key_from_the_official_encoding_aes_key() {
    let v = vector();
    let key = AesKey::from_encoding_aes_key(&v.encoding_aes_key).expect("key");
    assert_eq!(hex(key.bytes()), v.aes_key_hex);
    // The last character carries non-zero trailing bits; a strict decoder would reject the key.
    assert!(v.encoding_aes_key.ends_with('C'));
    // The sandbox derives the same key independently.
    assert_eq!(&wx::decode_aes_key(&v.encoding_aes_key).expect("sandbox key"), key.bytes());
}

#[test]
fn official_msg_signature_verifies() {
    let v = vector();
    let (ts, nonce, enc) = (field(&v.msg, "timestamp"), field(&v.msg, "nonce"), field(&v.msg, "encrypt"));
    let expected = field(&v.msg, "msg_signature");
    assert_eq!(signature::msg_signature(&v.token, ts, nonce, enc), expected);
    assert!(signature::matches(&signature::msg_signature(&v.token, ts, nonce, enc), &expected.to_uppercase()));
    assert_ne!(signature::msg_signature("another-token", ts, nonce, enc), expected);
}

#[test]
fn official_message_opens_to_the_expected_plaintext() {
    let v = vector();
    let cb = vector_callback(&v);
    let inbound = cb.open(&vector_query(&v), field(&v.msg, "body").as_bytes()).expect("the official push opens");
    assert!(inbound.encrypted);
    assert_eq!(inbound.xml, field(&v.msg, "expected_plaintext"));
    let m = &inbound.message;
    assert_eq!(m.to_user_name, v.receive_id);
    assert_eq!(m.from_user_name, "mycreate");
    assert_eq!(m.create_time, 1409659813);
    assert_eq!(m.msg_id.as_deref(), Some("4561255354251345929"));
    match &m.kind {
        MessageKind::Text(t) => {
            assert_eq!(t.content, "hello");
            assert_eq!(t.msg_id, Some(4561255354251345929));
        }
        other => panic!("expected a text message, got {other:?}"),
    }
    assert_eq!(*m, Message::parse(field(&v.msg, "expected_plaintext")).expect("plaintext parses"));
}

#[test]
fn official_ciphertext_is_reproduced_from_its_random_prefix() {
    let v = vector();
    let key = AesKey::from_encoding_aes_key(&v.encoding_aes_key).expect("key");
    let prefix: [u8; 16] = unhex(field(&v.msg, "expected_random_prefix_hex")).try_into().expect("16 bytes");
    let out = key.encrypt_with_prefix(&prefix, field(&v.msg, "expected_plaintext"), &v.receive_id);
    assert_eq!(out, field(&v.msg, "encrypt"));
}

#[test]
fn official_message_for_another_appid_is_refused() {
    let v = vector();
    let cb = Callback::new(v.token.clone(), "wx0000000000000000")
        .with_aes_key(&v.encoding_aes_key)
        .expect("key")
        .replay_window(None);
    let err = cb.open(&vector_query(&v), field(&v.msg, "body").as_bytes()).expect_err("wrong appid");
    assert_eq!(err, CallbackError::AppIdMismatch { found: v.receive_id.clone() });
    assert_eq!(err.http_status(), 401);
}

#[test]
fn official_message_with_a_wrong_token_is_refused() {
    let v = vector();
    let cb = Callback::new("not-the-token", v.receive_id.clone())
        .with_aes_key(&v.encoding_aes_key)
        .expect("key")
        .replay_window(None);
    let err = cb.open(&vector_query(&v), field(&v.msg, "body").as_bytes()).expect_err("wrong token");
    assert_eq!(err, CallbackError::BadMsgSignature);
}

#[test]
fn official_url_verification_echostr_decrypts() {
    let v = vector();
    let cb = vector_callback(&v);
    let q = CallbackQuery {
        msg_signature: Some(field(&v.url, "msg_signature").into()),
        timestamp: Some(field(&v.url, "timestamp").into()),
        nonce: Some(field(&v.url, "nonce").into()),
        echostr: Some(field(&v.url, "echostr").into()),
        ..Default::default()
    };
    assert_eq!(cb.verify_url(&q).expect("verifies"), field(&v.url, "expected_plaintext"));

    let mut forged = q.clone();
    forged.nonce = Some("1".into());
    assert_eq!(cb.verify_url(&forged), Err(CallbackError::BadMsgSignature));
}

#[test]
fn official_query_string_parses() {
    let v = vector();
    let raw = format!(
        "msg_signature={}&timestamp={}&nonce={}&encrypt_type=aes&openid=mycreate",
        field(&v.msg, "msg_signature"),
        field(&v.msg, "timestamp"),
        field(&v.msg, "nonce")
    );
    assert_eq!(CallbackQuery::from_query_string(&raw).expect("parses"), {
        let mut q = vector_query(&v);
        q.openid = Some("mycreate".into());
        q
    });
}

// ---- replies ----

const TOKEN: &str = "replyRoundTripToken";
const APPID: &str = "wx5a4d0000sandbox";
const AES: &str = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";

/// An encrypted text push built with the sandbox's encryption, opened by the SDK.
fn encrypted_inbound(cb: &Callback, ts: &str) -> Inbound {
    let key = wx::decode_aes_key(AES).expect("key");
    let xml = "<xml><ToUserName><![CDATA[gh_0123456789ab]]></ToUserName>\
               <FromUserName><![CDATA[oUser0000000000000000000001]]></FromUserName>\
               <CreateTime>1700000000</CreateTime><MsgType><![CDATA[text]]></MsgType>\
               <Content><![CDATA[ping]]></Content><MsgId>23900000000000001</MsgId></xml>";
    let encrypt = wx::encrypt(&key, APPID, xml);
    let nonce = "1320562132";
    let q = CallbackQuery {
        timestamp: Some(ts.into()),
        nonce: Some(nonce.into()),
        encrypt_type: Some("aes".into()),
        msg_signature: Some(wx::msg_signature(TOKEN, ts, nonce, &encrypt)),
        ..Default::default()
    };
    let body = format!(
        "<xml><ToUserName><![CDATA[gh_0123456789ab]]></ToUserName><Encrypt><![CDATA[{encrypt}]]></Encrypt></xml>"
    );
    cb.open(&q, body.as_bytes()).expect("the sandbox-encrypted push opens")
}

fn every_reply_kind() -> Vec<ReplyKind> {
    vec![
        TextReply::new("你好 <b>&amp; ]]> bye").into(),
        ImageReply::new(ReplyMedia::new("img-media-id")).into(),
        VoiceReply::new(ReplyMedia::new("voice-media-id")).into(),
        VideoReply::new(ReplyVideo::new("video-media-id").with_title("A video").with_description("What it shows"))
            .into(),
        MusicReply::new(
            ReplyMusic::new("thumb-media-id")
                .with_title("Song")
                .with_description("Artist")
                .with_music_url("http://music.example/song.mp3")
                .with_hq_music_url("http://music.example/song-hq.mp3"),
        )
        .into(),
        NewsReply::new(
            1,
            vec![NewsArticle::new("Title", "Description", "http://img.example/a.png", "http://example.com/a")],
        )
        .into(),
        TransferCustomerServiceReply::new().into(),
        TransferCustomerServiceReply::new().with_trans_info(TransInfo::new("kf2001@gh_0123456789ab")).into(),
    ]
}

/// The envelope's four fields, read with the sandbox's tag reader.
fn envelope(sealed: &str) -> (String, String, String, String) {
    let f = |t: &str| wx::xml_field(sealed, t).unwrap_or_else(|| panic!("envelope has <{t}>: {sealed}"));
    (f("Encrypt"), f("MsgSignature"), f("TimeStamp"), f("Nonce"))
}

#[test]
fn every_reply_type_round_trips_through_seal() {
    let cb = Callback::new(TOKEN, APPID).with_aes_key(AES).expect("key").replay_window(None);
    let key = AesKey::from_encoding_aes_key(AES).expect("key");
    let sandbox_key = wx::decode_aes_key(AES).expect("key");
    let target = wx::CallbackTarget { token: TOKEN.into(), encoding_aes_key: Some(AES.into()), appid: APPID.into() };
    let inbound = encrypted_inbound(&cb, "1409659813");
    let kinds = every_reply_kind();
    let mut types = Vec::new();
    for kind in kinds {
        types.push(kind.msg_type());
        let reply = inbound.message.reply(kind);
        assert_eq!(reply.to_user_name, inbound.message.from_user_name);
        assert_eq!(reply.from_user_name, inbound.message.to_user_name);
        let sealed = cb.seal(&inbound, &reply).expect("seal");
        assert!(!sealed.contains("<ToUserName>"), "the reply itself must not appear in clear: {sealed}");

        // The SDK's own decryption.
        let (encrypt, sig, ts, nonce) = envelope(&sealed);
        assert!(signature::matches(&signature::msg_signature(TOKEN, &ts, &nonce, &encrypt), &sig));
        let plain = key.decrypt(&encrypt, APPID).expect("decrypts");
        assert_eq!(plain, reply.to_xml());
        assert_eq!(Reply::parse(&plain).expect("reply parses"), reply);

        // The sandbox's independent implementation agrees.
        let via_sandbox = wx::open_reply(&sandbox_key, &target, &sealed).expect("sandbox opens the reply");
        assert_eq!(Reply::parse(&via_sandbox).expect("parses"), reply);
    }
    assert_eq!(
        types,
        ["text", "image", "voice", "video", "music", "news", "transfer_customer_service", "transfer_customer_service"]
    );
}

#[test]
fn plain_push_gets_a_plain_reply() {
    let cb = Callback::new(TOKEN, APPID).with_aes_key(AES).expect("key");
    let ts = now().to_string();
    let q = CallbackQuery {
        signature: Some(wx::signature(TOKEN, &ts, "42")),
        timestamp: Some(ts),
        nonce: Some("42".into()),
        ..Default::default()
    };
    let body = "<xml><ToUserName><![CDATA[gh_x]]></ToUserName><FromUserName><![CDATA[oUser]]></FromUserName>\
                <CreateTime>1700000000</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[hi]]></Content></xml>";
    let inbound = cb.open(&q, body.as_bytes()).expect("opens");
    assert!(!inbound.encrypted);
    let reply = inbound.message.reply_text("hello");
    let out = cb.seal(&inbound, &reply).expect("seal");
    assert_eq!(out, reply.to_xml());
    assert_eq!(Reply::parse(&out).expect("parses").kind, ReplyKind::Text(TextReply::new("hello")));
}

#[test]
fn encrypted_reply_envelope_is_fresh_and_signed() {
    let started = now();
    let cb = Callback::new(TOKEN, APPID).with_aes_key(AES).expect("key").replay_window(None);
    let old_ts = "1409659813";
    let inbound = encrypted_inbound(&cb, old_ts);
    let reply = inbound.message.reply_text("pong");

    let first = cb.seal(&inbound, &reply).expect("seal");
    let second = cb.seal(&inbound, &reply).expect("seal");
    let (enc1, sig1, ts1, nonce1) = envelope(&first);
    let (enc2, sig2, _ts2, nonce2) = envelope(&second);

    // A new timestamp (not the push's), fresh nonces, and a fresh random prefix each time.
    let ts1_n: i64 = ts1.parse().expect("TimeStamp is a number");
    assert_ne!(ts1, old_ts);
    assert!(ts1_n >= started, "reply TimeStamp {ts1_n} is older than the test ({started})");
    assert!(nonce1.chars().all(|c| c.is_ascii_digit()) && !nonce1.is_empty());
    assert_ne!(nonce1, nonce2, "each reply gets its own nonce");
    assert_ne!(enc1, enc2, "each reply gets its own random prefix");

    // Each MsgSignature covers its own envelope, and only that.
    assert_eq!(sig1, wx::msg_signature(TOKEN, &ts1, &nonce1, &enc1));
    assert_ne!(sig1, wx::msg_signature(TOKEN, &ts1, &nonce1, &enc2));
    assert_ne!(sig1, sig2);

    // encrypt_reply with a caller-chosen timestamp and nonce signs exactly those.
    let fixed = cb.encrypt_reply(&reply.to_xml(), "1700000123", "777").expect("encrypt_reply");
    let (enc, sig, ts, nonce) = envelope(&fixed);
    assert_eq!((ts.as_str(), nonce.as_str()), ("1700000123", "777"));
    assert_eq!(sig, wx::msg_signature(TOKEN, "1700000123", "777", &enc));
    let (xml, appid) = wx::decrypt(&wx::decode_aes_key(AES).expect("key"), &enc).expect("sandbox decrypts");
    assert_eq!((xml.as_str(), appid.as_str()), (reply.to_xml().as_str(), APPID));
}

#[test]
fn sealing_an_encrypted_push_without_a_key_fails_cleanly() {
    let with_key = Callback::new(TOKEN, APPID).with_aes_key(AES).expect("key").replay_window(None);
    let inbound = encrypted_inbound(&with_key, "1409659813");
    let without_key = Callback::new(TOKEN, APPID);
    let reply = inbound.message.reply_text("x");
    assert_eq!(without_key.seal(&inbound, &reply), Err(CallbackError::NoAesKey));
    assert_eq!(CallbackError::NoAesKey.http_status(), 500);
}

#[test]
fn debug_output_hides_the_key_and_token() {
    let cb = Callback::new(TOKEN, APPID).with_aes_key(AES).expect("key");
    let key = AesKey::from_encoding_aes_key(AES).expect("key");
    for text in [format!("{cb:?}"), format!("{key:?}"), format!("{cb:#?}")] {
        assert!(!text.contains(TOKEN), "{text}");
        assert!(!text.contains(AES), "{text}");
        assert!(!text.contains(&hex(key.bytes())), "{text}");
    }
    assert!(format!("{cb:?}").contains(APPID));
}
