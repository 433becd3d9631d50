//! The fuzz harness for wechat-oa's inbound callback decoding, shared by the libFuzzer target
//! (`fuzz_targets/callback_decode.rs`) and the regression test (`tests/fuzz_regressions.rs`,
//! which includes this file as a module), so both drive exactly the same entry points.
//!
//! The first input byte picks a [`Mode`]; the rest is the payload. Every entry point may
//! answer `Ok` or `Err`; a panic is a finding, and so is a failed consistency check (the
//! `assert!`s below compare two public paths that must agree, or the SDK with a small
//! reference implementation of the safe-mode block layout).
//!
//! The fixed account is the official WXBizMsgCrypt sample's (token, EncodingAESKey and
//! receive id), so the official sample request decodes in [`Mode::Query`].

use aes::cipher::{block_padding::NoPadding, BlockEncryptMut, KeyIvInit};
use base64::Engine as _;
use wechat_oa::callback::{
    signature, xml, AesKey, Callback, CallbackError, CallbackQuery, Message, MessageKind, Reply,
};

/// The official sample's token.
pub const TOKEN: &str = "QDG6eK";
/// The official sample's EncodingAESKey (its last character has non-zero trailing bits).
pub const ENCODING_AES_KEY: &str = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C";
/// The official sample's receive id, used as the AppID.
pub const APPID: &str = "wx5823bf96d3bd56c7";
/// Timestamp and nonce of the generated (correctly signed) queries.
pub const TIMESTAMP: &str = "1409659813";
/// See [`TIMESTAMP`].
pub const NONCE: &str = "1372623149";

/// What the payload is fed to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// `q`: `query-string \n body`: the query is parsed with `CallbackQuery::from_query_string`
    /// and, when it parses, used as is (signatures and all) for `open` and `verify_url` on a
    /// plain and on a safe-mode `Callback`.
    Query,
    /// `p`: the payload is a plain-mode body under a correctly signed query; `open` must agree
    /// with `Message::parse` on the same text.
    Plain,
    /// `e`: the payload is a safe-mode envelope; the harness finds its `Encrypt` value and signs
    /// it, so `open` goes on to base64, AES and the inner parser with fuzz-chosen ciphertext.
    Envelope,
    /// `d`: the payload is an `Encrypt`/`echostr` value for `AesKey::decrypt` and a correctly
    /// signed safe-mode URL verification.
    Decrypt,
    /// `m`: the payload is message XML for `Message::parse`, `Reply::parse` and `xml::parse_xml`;
    /// a text reply built from a parsed message must render and parse back to itself.
    Parse,
    /// `x`: the payload is inner XML, encrypted with the right key and signed, so the fuzzer
    /// reaches the inner parser through `open`; `open` must agree with `Message::parse`, and
    /// the encrypted reply must verify and decrypt back to the reply XML.
    Structured,
    /// `b`: the payload (cut to whole AES blocks) is the decrypted block itself, encrypted with
    /// bare AES-CBC: padding, length prefix and AppID take fuzz-chosen values, and
    /// `AesKey::decrypt` must agree with [`reference_unpack`].
    Block,
}

impl Mode {
    const ALL: [Mode; 7] =
        [Mode::Query, Mode::Plain, Mode::Envelope, Mode::Decrypt, Mode::Parse, Mode::Structured, Mode::Block];

    /// The mode a first byte selects: the letters above, any other byte by its value.
    pub fn from_byte(b: u8) -> Mode {
        match b {
            b'q' => Mode::Query,
            b'p' => Mode::Plain,
            b'e' => Mode::Envelope,
            b'd' => Mode::Decrypt,
            b'm' => Mode::Parse,
            b'x' => Mode::Structured,
            b'b' => Mode::Block,
            other => Mode::ALL[other as usize % Mode::ALL.len()],
        }
    }
}

/// One entry point's answer: `Ok` carries what it decoded (XML, echostr or `MsgType`).
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    /// Which entry point.
    pub entry: &'static str,
    /// Its answer.
    pub result: Result<String, CallbackError>,
}

/// Everything one input did.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// The mode the first byte picked (`None` for an empty input).
    pub mode: Option<Mode>,
    /// The entry points called, in order.
    pub steps: Vec<Step>,
}

impl Outcome {
    /// The first step named `entry`.
    pub fn step(&self, entry: &str) -> Option<&Step> {
        self.steps.iter().find(|s| s.entry == entry)
    }
}

fn plain_callback() -> Callback {
    Callback::new(TOKEN, APPID).replay_window(None)
}

fn aes_callback() -> Callback {
    match Callback::new(TOKEN, APPID).replay_window(None).with_aes_key(ENCODING_AES_KEY) {
        Ok(cb) => cb,
        Err(e) => panic!("the official sample EncodingAESKey was refused: {e}"),
    }
}

fn aes_key() -> AesKey {
    match AesKey::from_encoding_aes_key(ENCODING_AES_KEY) {
        Ok(k) => k,
        Err(e) => panic!("the official sample EncodingAESKey was refused: {e}"),
    }
}

/// A safe-mode query with correct `signature` and `msg_signature` over `encrypt`.
pub fn signed_encrypted_query(encrypt: &str) -> CallbackQuery {
    CallbackQuery {
        signature: Some(signature::signature(TOKEN, TIMESTAMP, NONCE)),
        timestamp: Some(TIMESTAMP.to_string()),
        nonce: Some(NONCE.to_string()),
        encrypt_type: Some("aes".to_string()),
        msg_signature: Some(signature::msg_signature(TOKEN, TIMESTAMP, NONCE, encrypt)),
        ..CallbackQuery::default()
    }
}

fn signed_plain_query() -> CallbackQuery {
    CallbackQuery {
        signature: Some(signature::signature(TOKEN, TIMESTAMP, NONCE)),
        timestamp: Some(TIMESTAMP.to_string()),
        nonce: Some(NONCE.to_string()),
        ..CallbackQuery::default()
    }
}

fn open_step(entry: &'static str, cb: &Callback, q: &CallbackQuery, body: &[u8]) -> (Step, Option<Message>) {
    match cb.open(q, body) {
        Ok(inbound) => (Step { entry, result: Ok(inbound.xml) }, Some(inbound.message)),
        Err(e) => (Step { entry, result: Err(e) }, None),
    }
}

fn message_summary(r: &Result<Message, CallbackError>) -> Result<String, CallbackError> {
    r.as_ref().map(|m| m.kind.msg_type().to_string()).map_err(Clone::clone)
}

/// Runs one input through the entry points its first byte selects.
pub fn run(data: &[u8]) -> Outcome {
    let Some((&first, payload)) = data.split_first() else {
        return Outcome { mode: None, steps: Vec::new() };
    };
    let mode = Mode::from_byte(first);
    let steps = match mode {
        Mode::Query => query_mode(payload),
        Mode::Plain => plain_mode(payload),
        Mode::Envelope => envelope_mode(payload),
        Mode::Decrypt => decrypt_mode(payload),
        Mode::Parse => parse_mode(payload),
        Mode::Structured => structured_mode(payload),
        Mode::Block => block_mode(payload),
    };
    Outcome { mode: Some(mode), steps }
}

fn query_mode(payload: &[u8]) -> Vec<Step> {
    let (query, body) = match payload.iter().position(|&b| b == b'\n') {
        Some(i) => (&payload[..i], &payload[i + 1..]),
        None => (payload, &[][..]),
    };
    let query = String::from_utf8_lossy(query);
    let q = match CallbackQuery::from_query_string(&query) {
        Ok(q) => q,
        Err(e) => return vec![Step { entry: "from_query_string", result: Err(e) }],
    };
    let mut steps = vec![Step { entry: "from_query_string", result: Ok(String::new()) }];
    let (s, _) = open_step("open_plain_callback", &plain_callback(), &q, body);
    steps.push(s);
    let (s, _) = open_step("open_aes_callback", &aes_callback(), &q, body);
    steps.push(s);
    steps.push(Step { entry: "verify_url_plain_callback", result: plain_callback().verify_url(&q) });
    steps.push(Step { entry: "verify_url_aes_callback", result: aes_callback().verify_url(&q) });
    steps
}

fn plain_mode(body: &[u8]) -> Vec<Step> {
    let (step, message) = open_step("open_plain", &plain_callback(), &signed_plain_query(), body);
    if let Ok(text) = std::str::from_utf8(body) {
        // Once the signature matched, open is exactly Message::parse on the body.
        let parsed = Message::parse(text);
        assert_eq!(message.as_ref(), parsed.as_ref().ok(), "open and Message::parse disagree on a plain body");
        if let Err(e) = &parsed {
            assert_eq!(step.result.as_ref().err(), Some(e), "open and Message::parse fail differently");
        }
    } else {
        assert!(step.result.is_err(), "open accepted a body that is not UTF-8");
    }
    vec![step]
}

fn envelope_mode(body: &[u8]) -> Vec<Step> {
    // Sign whatever Encrypt value the envelope carries, so open gets past msg_signature.
    let encrypt = xml::parse_xml(body, usize::MAX)
        .ok()
        .and_then(|root| root.child_text("Encrypt").map(str::to_string))
        .unwrap_or_default();
    let q = signed_encrypted_query(&encrypt);
    let (step, _) = open_step("open_envelope", &aes_callback(), &q, body);
    vec![step]
}

fn decrypt_mode(payload: &[u8]) -> Vec<Step> {
    let text = String::from_utf8_lossy(payload);
    let decrypted = aes_key().decrypt(&text, APPID);
    let q = CallbackQuery { echostr: Some(text.to_string()), ..signed_encrypted_query(&text) };
    let verified = aes_callback().verify_url(&q);
    assert_eq!(verified, decrypted, "verify_url and AesKey::decrypt disagree on the same echostr");
    vec![Step { entry: "decrypt", result: decrypted }, Step { entry: "verify_url_encrypted", result: verified }]
}

fn parse_mode(payload: &[u8]) -> Vec<Step> {
    let mut steps = vec![Step {
        entry: "parse_xml",
        result: xml::parse_xml(payload, usize::MAX).map(|root| root.name.into_owned()),
    }];
    let text = String::from_utf8_lossy(payload);
    let parsed = Message::parse(&text);
    steps.push(Step { entry: "message_parse", result: message_summary(&parsed) });
    steps.push(Step { entry: "reply_parse", result: Reply::parse(&text).map(|r| r.kind.msg_type().to_string()) });
    if let Ok(msg) = &parsed {
        let reply = msg.reply_text(text_of(msg));
        let back = Reply::parse(&reply.to_xml());
        assert_eq!(back.as_ref(), Ok(&reply), "a text reply does not parse back to itself");
    }
    steps
}

/// The text a reply echoes: the message's `Content` for a text message, else its `MsgType`.
fn text_of(msg: &Message) -> String {
    match &msg.kind {
        MessageKind::Text(t) => format!("echo: {}", t.content),
        other => other.msg_type().to_string(),
    }
}

fn structured_mode(payload: &[u8]) -> Vec<Step> {
    let inner = String::from_utf8_lossy(payload);
    let key = aes_key();
    let mut prefix = [0u8; 16];
    for (p, b) in prefix.iter_mut().zip(payload.iter().rev()) {
        *p = *b;
    }
    let encrypt = key.encrypt_with_prefix(&prefix, &inner, APPID);
    assert_eq!(key.decrypt(&encrypt, APPID).as_deref(), Ok(&*inner), "encrypt/decrypt round trip");
    let body =
        format!("<xml><ToUserName><![CDATA[{APPID}]]></ToUserName>\n<Encrypt><![CDATA[{encrypt}]]></Encrypt>\n</xml>");
    let cb = aes_callback();
    let (step, message) = open_step("open_structured", &cb, &signed_encrypted_query(&encrypt), body.as_bytes());
    let parsed = Message::parse(&inner);
    assert_eq!(message.as_ref(), parsed.as_ref().ok(), "open and Message::parse disagree on the decrypted XML");
    match (&step.result, &parsed) {
        (Ok(xml), Ok(_)) => assert_eq!(xml, &*inner, "open returned other XML than was encrypted"),
        (Err(a), Err(b)) => assert_eq!(a, b, "open and Message::parse fail differently"),
        _ => unreachable!("checked by the assert above"),
    }
    let mut steps = vec![step];
    if let Some(msg) = message {
        steps.push(encrypted_reply_step(&cb, &key, &msg));
    }
    steps
}

/// Encrypts a text reply to `msg` and checks the envelope: signature, decryption, content.
fn encrypted_reply_step(cb: &Callback, key: &AesKey, msg: &Message) -> Step {
    let reply = msg.reply_text(text_of(msg));
    let reply_xml = reply.to_xml();
    let envelope = match cb.encrypt_reply(&reply_xml, TIMESTAMP, NONCE) {
        Ok(e) => e,
        Err(e) => return Step { entry: "encrypt_reply", result: Err(e) },
    };
    let root = match xml::parse_xml(envelope.as_bytes(), usize::MAX) {
        Ok(r) => r,
        Err(e) => panic!("the reply envelope does not parse: {e}"),
    };
    let field = |name: &str| root.child_text(name).unwrap_or_default().to_string();
    let (encrypt, sig) = (field("Encrypt"), field("MsgSignature"));
    assert_eq!(field("TimeStamp"), TIMESTAMP);
    assert_eq!(field("Nonce"), NONCE);
    assert!(
        signature::matches(&signature::msg_signature(TOKEN, TIMESTAMP, NONCE, &encrypt), &sig),
        "the reply envelope's MsgSignature does not verify"
    );
    let decrypted = key.decrypt(&encrypt, APPID);
    assert_eq!(decrypted.as_deref(), Ok(reply_xml.as_str()), "the reply envelope does not decrypt to the reply");
    assert_eq!(Reply::parse(&reply_xml).as_ref(), Ok(&reply), "the encrypted reply does not parse back");
    Step { entry: "encrypt_reply", result: Ok(reply_xml) }
}

/// The safe-mode block layout, written out independently of the SDK: `16 random bytes ‖ u32be
/// length ‖ message ‖ appid ‖ PKCS#7 padding (1..=32 bytes, each equal to the count)`. Returns
/// the message bytes when `block` is well formed for `appid`.
pub fn reference_unpack<'a>(block: &'a [u8], appid: &str) -> Option<&'a [u8]> {
    let pad = usize::from(*block.last()?);
    if !(1..=32).contains(&pad) || pad > block.len() {
        return None;
    }
    let (content, padding) = block.split_at(block.len() - pad);
    if padding.iter().any(|&b| usize::from(b) != pad) || content.len() < 20 {
        return None;
    }
    let len = u32::from_be_bytes([content[16], content[17], content[18], content[19]]) as usize;
    let rest = &content[20..];
    if len > rest.len() || &rest[len..] != appid.as_bytes() {
        return None;
    }
    Some(&rest[..len])
}

fn block_mode(payload: &[u8]) -> Vec<Step> {
    let key = aes_key();
    let whole = payload.len() / 16 * 16;
    let mut block = payload[..whole].to_vec();
    if block.is_empty() {
        block.resize(16, 0);
    }
    let plain = block.clone();
    let k = key.bytes();
    let n = block.len();
    let cipher = match cbc::Encryptor::<aes::Aes256>::new(k.into(), k[..16].into())
        .encrypt_padded_mut::<NoPadding>(&mut block, n)
    {
        Ok(c) => c.to_vec(),
        Err(_) => unreachable!("whole blocks always encrypt"),
    };
    let encrypt = base64::engine::general_purpose::STANDARD.encode(cipher);
    let decrypted = key.decrypt(&encrypt, APPID);
    let expected = reference_unpack(&plain, APPID).map(|m| std::str::from_utf8(m).map(str::to_string));
    match (&decrypted, expected) {
        (Ok(got), Some(Ok(want))) => assert_eq!(got, &want, "decrypt returned another message"),
        (Err(_), None) | (Err(CallbackError::MalformedXml(_)), Some(Err(_))) => {}
        (got, want) => panic!("AesKey::decrypt and the reference disagree: {got:?} vs {want:?}"),
    }
    vec![Step { entry: "decrypt_block", result: decrypted }]
}
