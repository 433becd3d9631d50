//! Callback pushing: the "WeChat side" of inbound messages, written independently of the SDK.
//!
//! [`push`] signs an XML message like WeChat (`signature` = SHA-1 hex of the sorted,
//! concatenated token/timestamp/nonce), optionally encrypts it like safe mode (AES-256-CBC,
//! key = lenient base64 of EncodingAESKey + "=", IV = first 16 key bytes, PKCS#7 to 32-byte
//! blocks, plaintext = 16 random bytes ‖ u32 big-endian length ‖ xml ‖ appid), POSTs it and,
//! for encrypted pushes, verifies and decrypts the reply. [`url_verification`] builds the
//! server-URL check GET. [`push_component`] pushes a third-party platform's notices in the
//! component envelope. The primitives ([`signature`], [`encrypt`], [`decrypt`] …) are public
//! so tests can use them directly.

use aes::cipher::block_padding::NoPadding;
use aes::cipher::{BlockDecryptMut, BlockEncryptMut, KeyIvInit};
use base64::alphabet;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, STANDARD};
use base64::Engine;
use rand::Rng;
use sha1::{Digest, Sha1};

type Enc = cbc::Encryptor<aes::Aes256>;
type Dec = cbc::Decryptor<aes::Aes256>;

/// Where and how to push.
#[derive(Clone)]
pub struct CallbackTarget {
    /// The Token configured on the developer server.
    pub token: String,
    /// The EncodingAESKey (43 characters); `None` pushes in plaintext mode.
    pub encoding_aes_key: Option<String>,
    /// The AppID appended to encrypted plaintexts (the receive id).
    pub appid: String,
}

impl std::fmt::Debug for CallbackTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CallbackTarget")
            .field("token", &"<redacted>")
            .field("encoding_aes_key", &self.encoding_aes_key.as_ref().map(|_| "<redacted>"))
            .field("appid", &self.appid)
            .finish()
    }
}

/// What the developer server answered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallbackOutcome {
    /// HTTP status.
    pub status: u16,
    /// The raw response body.
    pub body: String,
    /// For encrypted pushes with a non-empty, non-"success" reply: the verified, decrypted XML.
    pub decrypted: Option<String>,
}

/// Why a push (or a decryption) failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PushError {
    /// The EncodingAESKey is not 43 base64 characters.
    InvalidAesKey,
    /// The request could not be sent or the response not read.
    Http(String),
    /// The reply is not a valid encrypted reply (missing fields, bad base64, bad padding …).
    BadReply(String),
    /// The reply's MsgSignature does not match its Encrypt/TimeStamp/Nonce.
    ReplySignature,
    /// The decrypted reply names another AppID.
    AppIdMismatch,
}

impl std::fmt::Display for PushError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PushError::InvalidAesKey => write!(f, "EncodingAESKey must be 43 characters of [A-Za-z0-9]"),
            PushError::Http(e) => write!(f, "callback request failed: {e}"),
            PushError::BadReply(e) => write!(f, "invalid encrypted reply: {e}"),
            PushError::ReplySignature => write!(f, "reply MsgSignature does not match"),
            PushError::AppIdMismatch => write!(f, "decrypted reply carries another AppID"),
        }
    }
}

impl std::error::Error for PushError {}

/// SHA-1 hex of the lexicographically sorted, concatenated parts.
fn sha1_sorted(parts: &mut [&str]) -> String {
    parts.sort_unstable();
    let mut h = Sha1::new();
    for p in parts.iter() {
        h.update(p.as_bytes());
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// `signature` of plaintext pushes and URL verification.
pub fn signature(token: &str, timestamp: &str, nonce: &str) -> String {
    sha1_sorted(&mut [token, timestamp, nonce])
}

/// `msg_signature` of encrypted pushes and replies.
pub fn msg_signature(token: &str, timestamp: &str, nonce: &str, encrypt: &str) -> String {
    sha1_sorted(&mut [token, timestamp, nonce, encrypt])
}

/// The 32-byte AES key of an EncodingAESKey (base64 of key + "=", trailing bits tolerated).
pub fn decode_aes_key(encoding_aes_key: &str) -> Result<[u8; 32], PushError> {
    if encoding_aes_key.len() != 43 || !encoding_aes_key.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(PushError::InvalidAesKey);
    }
    let lenient =
        GeneralPurpose::new(&alphabet::STANDARD, GeneralPurposeConfig::new().with_decode_allow_trailing_bits(true));
    let bytes = lenient.decode(format!("{encoding_aes_key}=")).map_err(|_| PushError::InvalidAesKey)?;
    bytes.try_into().map_err(|_| PushError::InvalidAesKey)
}

/// Encrypts `xml` for `appid` with a given 16-byte random prefix; returns base64.
pub fn encrypt_with(key: &[u8; 32], random: [u8; 16], appid: &str, xml: &str) -> String {
    let mut buf = Vec::with_capacity(xml.len() + appid.len() + 52);
    buf.extend_from_slice(&random);
    buf.extend_from_slice(&(xml.len() as u32).to_be_bytes());
    buf.extend_from_slice(xml.as_bytes());
    buf.extend_from_slice(appid.as_bytes());
    let pad = 32 - buf.len() % 32;
    buf.extend(std::iter::repeat_n(pad as u8, pad));
    let len = buf.len();
    let (iv, _) = key.split_at(16);
    let enc = Enc::new(key.into(), iv.into());
    // Length is a multiple of 32, so NoPadding cannot fail.
    match enc.encrypt_padded_mut::<NoPadding>(&mut buf, len) {
        Ok(ct) => STANDARD.encode(ct),
        Err(_) => String::new(),
    }
}

/// Encrypts `xml` for `appid` with a fresh random prefix; returns base64.
pub fn encrypt(key: &[u8; 32], appid: &str, xml: &str) -> String {
    encrypt_with(key, rand::rng().random(), appid, xml)
}

/// Decrypts a base64 ciphertext; returns `(xml, appid)`.
pub fn decrypt(key: &[u8; 32], encrypted: &str) -> Result<(String, String), PushError> {
    let bad = |m: &str| PushError::BadReply(m.to_string());
    let mut buf = STANDARD.decode(encrypted.trim()).map_err(|_| bad("Encrypt is not base64"))?;
    if buf.is_empty() || buf.len() % 16 != 0 {
        return Err(bad("ciphertext length is not a multiple of 16"));
    }
    let (iv, _) = key.split_at(16);
    let dec = Dec::new(key.into(), iv.into());
    let plain = dec.decrypt_padded_mut::<NoPadding>(&mut buf).map_err(|_| bad("AES decryption failed"))?;
    let pad = *plain.last().ok_or_else(|| bad("empty plaintext"))? as usize;
    if !(1..=32).contains(&pad) || pad > plain.len() || !plain[plain.len() - pad..].iter().all(|b| *b as usize == pad) {
        return Err(bad("bad PKCS#7 padding"));
    }
    let body = &plain[..plain.len() - pad];
    if body.len() < 20 {
        return Err(bad("plaintext too short"));
    }
    let len = u32::from_be_bytes([body[16], body[17], body[18], body[19]]) as usize;
    let rest = &body[20..];
    if len > rest.len() {
        return Err(bad("message length exceeds plaintext"));
    }
    let xml = String::from_utf8(rest[..len].to_vec()).map_err(|_| bad("message is not UTF-8"))?;
    let appid = String::from_utf8(rest[len..].to_vec()).map_err(|_| bad("appid is not UTF-8"))?;
    Ok((xml, appid))
}

/// The text of `<tag>` in `xml` (CDATA unwrapped), if present.
pub fn xml_field(xml: &str, tag: &str) -> Option<String> {
    let open = format!("<{tag}>");
    let close = format!("</{tag}>");
    let start = xml.find(&open)? + open.len();
    let end = start + xml[start..].find(&close)?;
    let inner = xml[start..end].trim();
    Some(inner.strip_prefix("<![CDATA[").and_then(|s| s.strip_suffix("]]>")).unwrap_or(inner).to_string())
}

fn nonce() -> String {
    rand::rng().random_range(100_000_000u64..10_000_000_000).to_string()
}

fn timestamp() -> String {
    crate::state::now_unix().to_string()
}

fn with_query(url: &str, pairs: &[(&str, &str)]) -> String {
    let enc = |s: &str| -> String {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
                _ => format!("%{b:02X}"),
            })
            .collect()
    };
    let q: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}={}", enc(v))).collect();
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}{}", q.join("&"))
}

/// A server-URL verification request: GET `url` and expect `echostr` back verbatim.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UrlVerification {
    /// The full URL with `signature`, `timestamp`, `nonce` and `echostr`.
    pub url: String,
    /// What a correct server answers.
    pub echostr: String,
}

/// Builds the URL-verification GET WeChat sends when the server URL is configured.
pub fn url_verification(url: &str, token: &str) -> UrlVerification {
    let (ts, nonce) = (timestamp(), nonce());
    let echostr = rand::rng().random::<u64>().to_string();
    let sig = signature(token, &ts, &nonce);
    UrlVerification {
        url: with_query(url, &[("signature", &sig), ("timestamp", &ts), ("nonce", &nonce), ("echostr", &echostr)]),
        echostr,
    }
}

/// Pushes `xml` to `url` as WeChat would; see the module docs.
pub async fn push(url: &str, cfg: &CallbackTarget, xml: &str) -> Result<CallbackOutcome, PushError> {
    let key = cfg.encoding_aes_key.as_deref().map(decode_aes_key).transpose()?;
    let (ts, nonce) = (timestamp(), nonce());
    let sig = signature(&cfg.token, &ts, &nonce);
    let openid = xml_field(xml, "FromUserName").unwrap_or_default();
    let (target, body) = match &key {
        None => (
            with_query(url, &[("signature", &sig), ("timestamp", &ts), ("nonce", &nonce), ("openid", &openid)]),
            xml.to_string(),
        ),
        Some(key) => {
            let encrypted = encrypt(key, &cfg.appid, xml);
            let msg_sig = msg_signature(&cfg.token, &ts, &nonce, &encrypted);
            let to = xml_field(xml, "ToUserName").unwrap_or_default();
            let body = format!(
                "<xml><ToUserName><![CDATA[{to}]]></ToUserName><Encrypt><![CDATA[{encrypted}]]></Encrypt></xml>"
            );
            let q = [
                ("signature", sig.as_str()),
                ("timestamp", ts.as_str()),
                ("nonce", nonce.as_str()),
                ("openid", openid.as_str()),
                ("encrypt_type", "aes"),
                ("msg_signature", msg_sig.as_str()),
            ];
            (with_query(url, &q), body)
        }
    };
    let (status, text) = post_xml(&http_client()?, &target, body).await?;
    let decrypted = match &key {
        // Only a 200 carries a reply; an error status carries the server's error text.
        Some(key) if status == 200 && !text.trim().is_empty() && text.trim() != "success" => {
            Some(open_reply(key, cfg, &text)?)
        }
        _ => None,
    };
    Ok(CallbackOutcome { status, body: text, decrypted })
}

/// A client for one push (5 s timeout).
pub(crate) fn http_client() -> Result<reqwest::Client, PushError> {
    reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(5))
        .build()
        .map_err(|e| PushError::Http(e.to_string()))
}

/// POSTs an XML body; the status and the response text.
async fn post_xml(client: &reqwest::Client, target: &str, body: String) -> Result<(u16, String), PushError> {
    let resp = client
        .post(target)
        .header("content-type", "text/xml")
        .body(body)
        .send()
        .await
        .map_err(|e| PushError::Http(e.without_url().to_string()))?;
    let status = resp.status().as_u16();
    let text = resp.text().await.map_err(|e| PushError::Http(e.without_url().to_string()))?;
    Ok((status, text))
}

/// The encrypted envelope of a third-party-platform (component) push:
/// `<xml><AppId>…</AppId><Encrypt>…</Encrypt></xml>`, and its query (`timestamp`, `nonce`,
/// `encrypt_type=aes`, `msg_signature` over token/timestamp/nonce/Encrypt, and `signature`).
/// `cfg.appid` is the component AppID (the receive id); `cfg.encoding_aes_key` is required.
pub fn component_envelope(url: &str, cfg: &CallbackTarget, xml: &str) -> Result<(String, String), PushError> {
    let key = decode_aes_key(cfg.encoding_aes_key.as_deref().ok_or(PushError::InvalidAesKey)?)?;
    let (ts, nonce) = (timestamp(), nonce());
    let encrypted = encrypt(&key, &cfg.appid, xml);
    let msg_sig = msg_signature(&cfg.token, &ts, &nonce, &encrypted);
    let sig = signature(&cfg.token, &ts, &nonce);
    let body = format!("<xml><AppId><![CDATA[{}]]></AppId><Encrypt><![CDATA[{encrypted}]]></Encrypt></xml>", cfg.appid);
    let q = [
        ("signature", sig.as_str()),
        ("timestamp", ts.as_str()),
        ("nonce", nonce.as_str()),
        ("encrypt_type", "aes"),
        ("msg_signature", msg_sig.as_str()),
    ];
    Ok((with_query(url, &q), body))
}

/// Pushes a third-party-platform notice (`component_verify_ticket`, `authorized` …) to `url`
/// in the component envelope ([`component_envelope`]); the developer answers `success`.
pub async fn push_component(url: &str, cfg: &CallbackTarget, xml: &str) -> Result<CallbackOutcome, PushError> {
    push_component_with(&http_client()?, url, cfg, xml).await
}

/// [`push_component`] on a given client.
pub(crate) async fn push_component_with(
    client: &reqwest::Client,
    url: &str,
    cfg: &CallbackTarget,
    xml: &str,
) -> Result<CallbackOutcome, PushError> {
    let (target, body) = component_envelope(url, cfg, xml)?;
    let (status, body) = post_xml(client, &target, body).await?;
    Ok(CallbackOutcome { status, body, decrypted: None })
}

/// Verifies and decrypts an encrypted passive reply.
pub fn open_reply(key: &[u8; 32], cfg: &CallbackTarget, reply: &str) -> Result<String, PushError> {
    let field = |t: &str| xml_field(reply, t).ok_or_else(|| PushError::BadReply(format!("missing <{t}>")));
    let encrypted = field("Encrypt")?;
    let (sig, ts, nonce) = (field("MsgSignature")?, field("TimeStamp")?, field("Nonce")?);
    if msg_signature(&cfg.token, &ts, &nonce, &encrypted) != sig {
        return Err(PushError::ReplySignature);
    }
    let (xml, appid) = decrypt(key, &encrypted)?;
    if appid != cfg.appid {
        return Err(PushError::AppIdMismatch);
    }
    Ok(xml)
}

/// Sends the URL-verification GET to `url`; `Ok(true)` when the server echoed `echostr`.
pub async fn verify_url(url: &str, token: &str) -> Result<bool, PushError> {
    let v = url_verification(url, token);
    let resp = http_client()?.get(&v.url).send().await.map_err(|e| PushError::Http(e.without_url().to_string()))?;
    let ok = resp.status().is_success();
    let text = resp.text().await.map_err(|e| PushError::Http(e.without_url().to_string()))?;
    Ok(ok && text == v.echostr)
}
