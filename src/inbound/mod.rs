//! The inbound side's runtime: the pipeline for WeChat's signed (optionally AES-encrypted)
//! XML pushes, generic over the message and reply kinds generated from `spec/callbacks.yaml`
//! ([`kinds`]). Its public face is the `callback` module of `lib.rs`, which names the generated
//! kinds once; see that module for the user documentation.

mod accounts;
#[cfg(feature = "axum")]
pub mod axum;
pub(crate) mod component;
mod crypto;
mod dedup;
mod error;
pub(crate) mod fields;
mod kinds;
mod message;
pub mod signature;
pub mod xml;

use std::future::Future;
use std::marker::PhantomData;
use std::sync::Arc;
use std::time::Duration;

pub use accounts::CallbackAccounts;
pub use component::{ComponentCallback, ComponentPush, PushSink};
pub use crypto::AesKey;
pub use dedup::{Claim, DedupStore, MemoryDedup};
pub use error::CallbackError;
pub use fields::Unknown;
pub use kinds::{ComponentKinds, MessageKinds, ReplyKinds};
pub use message::{Message, Reply};

/// The default body size limit: 1 MiB (WeChat's pushes are a few hundred bytes).
pub const DEFAULT_MAX_BODY: usize = 1 << 20;
/// The default replay window: a push whose timestamp is further than this from now is refused.
pub const DEFAULT_REPLAY_WINDOW: Duration = Duration::from_secs(300);
/// How long a handled push's key (and reply) is remembered (WeChat retries within ~15 seconds).
pub const DEFAULT_DEDUP_TTL: Duration = Duration::from_secs(120);
/// How long a retry waits for the delivery being handled to finish: WeChat's 5 s deadline.
pub const DEFAULT_DEDUP_WAIT: Duration = Duration::from_secs(5);

/// The query string WeChat adds to every callback request.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
pub struct CallbackQuery {
    /// Plain-mode signature (sent in every mode).
    pub signature: Option<String>,
    /// Unix seconds, as a string.
    pub timestamp: Option<String>,
    /// Random number.
    pub nonce: Option<String>,
    /// URL verification: the string to echo back.
    pub echostr: Option<String>,
    /// `aes` in safe and compatible mode.
    pub encrypt_type: Option<String>,
    /// Safe-mode signature over the `Encrypt` value too.
    pub msg_signature: Option<String>,
    /// The sender's OpenID (informational).
    pub openid: Option<String>,
}

impl CallbackQuery {
    /// Parses a raw query string (`a=b&c=d`).
    pub fn from_query_string(q: &str) -> Result<CallbackQuery, CallbackError> {
        // In practice this fails on a repeated parameter (`timestamp=1&timestamp=2`): refuse it
        // rather than guess which copy the signature was computed over.
        serde_urlencoded::from_str(q).map_err(|_| CallbackError::BadQuery)
    }

    fn is_encrypted(&self) -> bool {
        self.encrypt_type.as_deref().is_some_and(|t| t.eq_ignore_ascii_case("aes"))
    }
}

fn param<'a>(v: &'a Option<String>, name: &'static str) -> Result<&'a str, CallbackError> {
    v.as_deref().ok_or(CallbackError::MissingParam(name))
}

/// Refuses a `timestamp` that is not a number, or further than `window` from now.
fn check_timestamp(window: Option<Duration>, ts: &str) -> Result<(), CallbackError> {
    let t: i64 = ts.trim().parse().map_err(|_| CallbackError::BadTimestamp(ts.chars().take(20).collect()))?;
    if let Some(window) = window {
        let now = crate::clock::unix_secs();
        let skew = now.abs_diff(t);
        if skew > window.as_secs() {
            return Err(CallbackError::StaleTimestamp { skew_secs: skew, window_secs: window.as_secs() });
        }
    }
    Ok(())
}

/// A verified, decoded push and what is needed to answer it.
#[derive(Debug, Clone, PartialEq)]
pub struct Inbound<K> {
    /// The typed message or event.
    pub message: Message<K>,
    /// Whether it arrived encrypted (the reply is then encrypted too).
    pub encrypted: bool,
    /// The decrypted (or plain) XML, as received.
    pub xml: String,
}

/// The account's callback configuration and pipeline. Cheap to share behind an `Arc`.
pub struct Callback<K> {
    token: String,
    appid: String,
    key: Option<AesKey>,
    replay_window: Option<Duration>,
    max_body: usize,
    dedup: Arc<dyn DedupStore>,
    dedup_ttl: Duration,
    dedup_wait: Duration,
    kinds: PhantomData<fn() -> K>,
}

impl<K> Clone for Callback<K> {
    fn clone(&self) -> Self {
        Callback {
            token: self.token.clone(),
            appid: self.appid.clone(),
            key: self.key.clone(),
            replay_window: self.replay_window,
            max_body: self.max_body,
            dedup: self.dedup.clone(),
            dedup_ttl: self.dedup_ttl,
            dedup_wait: self.dedup_wait,
            kinds: PhantomData,
        }
    }
}

impl<K> std::fmt::Debug for Callback<K> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Callback")
            .field("token", &"<redacted>")
            .field("appid", &self.appid)
            .field("encoding_aes_key", &self.key.as_ref().map(|_| "<redacted>"))
            .field("replay_window", &self.replay_window)
            .field("max_body", &self.max_body)
            .finish_non_exhaustive()
    }
}

impl<K: MessageKinds> Callback<K> {
    /// Plain mode (明文模式): the token set in the console and the account's AppID.
    pub fn new(token: impl Into<String>, appid: impl Into<String>) -> Callback<K> {
        Callback {
            token: token.into(),
            appid: appid.into(),
            key: None,
            replay_window: Some(DEFAULT_REPLAY_WINDOW),
            max_body: DEFAULT_MAX_BODY,
            dedup: Arc::new(MemoryDedup::new()),
            dedup_ttl: DEFAULT_DEDUP_TTL,
            dedup_wait: DEFAULT_DEDUP_WAIT,
            kinds: PhantomData,
        }
    }

    /// Adds the EncodingAESKey for safe and compatible mode.
    pub fn with_aes_key(mut self, encoding_aes_key: &str) -> Result<Callback<K>, CallbackError> {
        self.key = Some(AesKey::from_encoding_aes_key(encoding_aes_key)?);
        Ok(self)
    }

    /// Sets (or with `None` disables) the replay window on `timestamp`.
    pub fn replay_window(mut self, window: Option<Duration>) -> Callback<K> {
        self.replay_window = window;
        self
    }

    /// Sets the body size limit.
    pub fn max_body(mut self, bytes: usize) -> Callback<K> {
        self.max_body = bytes;
        self
    }

    /// Replaces the dedup store (in memory by default) and how long keys are kept.
    pub fn dedup_store(mut self, store: Arc<dyn DedupStore>, ttl: Duration) -> Callback<K> {
        self.dedup = store;
        self.dedup_ttl = ttl;
        self
    }

    /// How long a retry waits for the delivery being handled (default [`DEFAULT_DEDUP_WAIT`],
    /// WeChat's 5 s deadline); after that it answers `success`.
    pub fn dedup_wait(mut self, wait: Duration) -> Callback<K> {
        self.dedup_wait = wait;
        self
    }

    /// The account's AppID.
    pub fn appid(&self) -> &str {
        &self.appid
    }

    /// The body size limit.
    pub fn body_limit(&self) -> usize {
        self.max_body
    }

    fn check_timestamp(&self, ts: &str) -> Result<(), CallbackError> {
        check_timestamp(self.replay_window, ts)
    }

    fn key(&self) -> Result<&AesKey, CallbackError> {
        self.key.as_ref().ok_or(CallbackError::NoAesKey)
    }

    /// The URL-verification GET: checks the signature and returns the `echostr` to answer
    /// with (decrypted when the request carries `msg_signature` and a key is configured).
    pub fn verify_url(&self, q: &CallbackQuery) -> Result<String, CallbackError> {
        let ts = param(&q.timestamp, "timestamp")?;
        let nonce = param(&q.nonce, "nonce")?;
        let echostr = param(&q.echostr, "echostr")?;
        // Signature first: an unsigned request learns nothing about the replay window.
        match (&q.msg_signature, &self.key) {
            (Some(ms), Some(key)) => {
                if !signature::matches(&signature::msg_signature(&self.token, ts, nonce, echostr), ms) {
                    return Err(CallbackError::BadMsgSignature);
                }
                self.check_timestamp(ts)?;
                key.decrypt(echostr, &self.appid)
            }
            _ => {
                let sig = param(&q.signature, "signature")?;
                if !signature::matches(&signature::signature(&self.token, ts, nonce), sig) {
                    return Err(CallbackError::BadSignature);
                }
                self.check_timestamp(ts)?;
                Ok(echostr.to_string())
            }
        }
    }

    /// Verifies, decrypts and parses a POSTed push (no dedup, no handler).
    ///
    /// Order of checks: body size, query parameters, signature (`signature` in plain mode,
    /// `msg_signature` over the `Encrypt` value in encrypted mode), replay window, decryption,
    /// XML. A plain body is only parsed once its signature matched; an encrypted envelope has to
    /// be parsed to find `Encrypt`, but its content is only decrypted after `msg_signature` matched.
    pub fn open(&self, q: &CallbackQuery, body: &[u8]) -> Result<Inbound<K>, CallbackError> {
        if body.len() > self.max_body {
            return Err(CallbackError::TooLarge { size: body.len(), limit: self.max_body });
        }
        let ts = param(&q.timestamp, "timestamp")?;
        let nonce = param(&q.nonce, "nonce")?;
        if q.is_encrypted() {
            let ms = param(&q.msg_signature, "msg_signature")?;
            let outer = xml::parse_xml(body, self.max_body)?;
            let encrypt = outer.child_text("Encrypt").ok_or(CallbackError::MissingEncrypt)?;
            if !signature::matches(&signature::msg_signature(&self.token, ts, nonce, encrypt), ms) {
                return Err(CallbackError::BadMsgSignature);
            }
            self.check_timestamp(ts)?;
            let inner = self.key()?.decrypt(encrypt, &self.appid)?;
            let root = xml::parse_xml(inner.as_bytes(), self.max_body)?;
            Ok(Inbound { message: Message::from_element(&root)?, encrypted: true, xml: inner })
        } else {
            let sig = param(&q.signature, "signature")?;
            if !signature::matches(&signature::signature(&self.token, ts, nonce), sig) {
                return Err(CallbackError::BadSignature);
            }
            self.check_timestamp(ts)?;
            let root = xml::parse_xml(body, self.max_body)?;
            let message = Message::from_element(&root)?;
            let xml = String::from_utf8(body.to_vec())
                .map_err(|_| CallbackError::MalformedXml("body is not UTF-8".into()))?;
            Ok(Inbound { message, encrypted: false, xml })
        }
    }

    /// Renders a reply: plain XML, or for an encrypted push the encrypted envelope with a
    /// fresh timestamp, nonce and `msg_signature`.
    pub fn seal(&self, inbound: &Inbound<K>, reply: &Reply<K::Reply>) -> Result<String, CallbackError> {
        self.render(inbound.encrypted, reply)
    }

    fn render(&self, encrypted: bool, reply: &Reply<K::Reply>) -> Result<String, CallbackError> {
        self.render_xml(encrypted, reply.to_xml())
    }

    /// Plain reply XML as the answer: as it is, or encrypted with a fresh timestamp and nonce.
    fn render_xml(&self, encrypted: bool, xml: String) -> Result<String, CallbackError> {
        if !encrypted {
            return Ok(xml);
        }
        let ts = crate::clock::unix_secs().to_string();
        let nonce = rand::Rng::random_range(&mut rand::rng(), 100_000_000u64..10_000_000_000).to_string();
        self.encrypt_reply(&xml, &ts, &nonce)
    }

    /// Encrypts reply XML into the `<xml><Encrypt/><MsgSignature/><TimeStamp/><Nonce/></xml>`
    /// envelope signed over `timestamp` and `nonce`.
    pub fn encrypt_reply(&self, reply_xml: &str, timestamp: &str, nonce: &str) -> Result<String, CallbackError> {
        let encrypt = self.key()?.encrypt(reply_xml, &self.appid);
        let sig = signature::msg_signature(&self.token, timestamp, nonce, &encrypt);
        let mut w = xml::XmlWriter::with_capacity(encrypt.len() + 200);
        w.open("xml");
        w.text("Encrypt", &encrypt);
        w.text("MsgSignature", &sig);
        w.number("TimeStamp", timestamp);
        w.text("Nonce", nonce);
        w.close("xml");
        Ok(w.finish())
    }

    /// The whole POST pipeline: verify → decrypt → parse → dedup → `handler` → the reply
    /// (encrypted when the push was) or `success`.
    ///
    /// Dedup ([`DedupStore`]): a retry of a push being handled waits for it (at most
    /// [`dedup_wait`](Self::dedup_wait)) and a retry of a push handled already answers at once;
    /// both with the handler's reply (encrypted afresh), without calling `handler` again. If
    /// `handler` panics or this future is dropped before it finished, the claim is abandoned
    /// and a retry handles the push.
    pub async fn handle<F, Fut>(&self, q: &CallbackQuery, body: &[u8], handler: F) -> Result<String, CallbackError>
    where
        F: FnOnce(Message<K>) -> Fut,
        Fut: Future<Output = Option<Reply<K::Reply>>>,
    {
        let Inbound { message, encrypted, .. } = self.open(q, body)?;
        let key = message.dedup_key();
        let id = match self.dedup.claim(&key, self.dedup_ttl, self.dedup_wait).await {
            Claim::Claimed(id) => id,
            Claim::Done(reply) => {
                tracing::debug!(msg_type = message.kind.msg_type(), "retry answered with the stored reply");
                return match reply {
                    Some(xml) => self.render_xml(encrypted, xml),
                    None => Ok("success".to_string()),
                };
            }
            Claim::Busy => {
                tracing::debug!(msg_type = message.kind.msg_type(), "retry while still being handled: success");
                return Ok("success".to_string());
            }
        };
        let claim = dedup::ClaimGuard::new(self.dedup.clone(), key, id);
        let Some(reply) = handler(message).await else {
            claim.complete(None, self.dedup_ttl).await;
            return Ok("success".to_string());
        };
        let xml = reply.to_xml();
        // On an error the guard abandons the claim: a retry may do better.
        let answer = self.render_xml(encrypted, xml.clone())?;
        claim.complete(Some(&xml), self.dedup_ttl).await;
        Ok(answer)
    }
}
