//! What can be wrong with an inbound callback. Each variant names the check that failed;
//! none carries the token, the EncodingAESKey or decrypted content.

/// A callback that was rejected, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CallbackError {
    /// A query parameter WeChat always sends is missing (`signature`, `timestamp`, `nonce`,
    /// `msg_signature`, `echostr`).
    #[error("callback rejected: query parameter `{0}` is missing")]
    MissingParam(&'static str),
    /// The query string repeats a parameter, so which value was signed is ambiguous.
    #[error("callback rejected: the query string repeats a parameter")]
    BadQuery,
    /// `signature` (plain mode) does not match SHA-1 over the sorted token, timestamp, nonce.
    #[error("callback rejected: `signature` does not match")]
    BadSignature,
    /// `msg_signature` (encrypted mode) does not match SHA-1 over token, timestamp, nonce and Encrypt.
    #[error("callback rejected: `msg_signature` does not match")]
    BadMsgSignature,
    /// `timestamp` is not a number.
    #[error("callback rejected: `timestamp` is not a unix time: {0:?}")]
    BadTimestamp(String),
    /// `timestamp` is further from now than the replay window allows.
    #[error("callback rejected: timestamp is {skew_secs}s from now, outside the {window_secs}s replay window")]
    StaleTimestamp {
        /// |now − timestamp| in seconds.
        skew_secs: u64,
        /// The configured window.
        window_secs: u64,
    },
    /// The body is larger than the configured limit.
    #[error("callback rejected: body of {size} bytes exceeds the {limit}-byte limit")]
    TooLarge {
        /// Bytes received (at least).
        size: usize,
        /// The limit.
        limit: usize,
    },
    /// The body is not well-formed XML (or not UTF-8).
    #[error("callback rejected: malformed XML: {0}")]
    MalformedXml(String),
    /// The body declares a DOCTYPE or entities; rejected outright (XXE / entity expansion).
    #[error("callback rejected: XML with a DOCTYPE or entity declaration is not accepted")]
    DoctypeRejected,
    /// Nesting deeper than any WeChat payload.
    #[error("callback rejected: XML nested deeper than {0} levels")]
    TooDeep(usize),
    /// An encrypted body has no `Encrypt` element.
    #[error("callback rejected: encrypted body has no <Encrypt> element")]
    MissingEncrypt,
    /// The configured EncodingAESKey is not 43 characters of base64.
    #[error("invalid EncodingAESKey: {0}")]
    BadAesKey(&'static str),
    /// `Encrypt` (or `echostr`) is not valid base64.
    #[error("callback rejected: ciphertext is not valid base64")]
    BadBase64,
    /// The ciphertext is empty or not a whole number of AES blocks.
    #[error("callback rejected: ciphertext length {0} is not a positive multiple of 16")]
    BadCiphertextLength(usize),
    /// PKCS#7 padding (to 32-byte blocks) is malformed after decryption.
    #[error("callback rejected: bad PKCS#7 padding after decryption")]
    BadPadding,
    /// The 4-byte length prefix points outside the decrypted plaintext.
    #[error("callback rejected: message length prefix {claimed} does not fit the {available} bytes decrypted")]
    BadLengthPrefix {
        /// Length the prefix claims.
        claimed: usize,
        /// Bytes after the prefix.
        available: usize,
    },
    /// The appid at the end of the plaintext is not this account's.
    #[error("callback rejected: message is for another appid ({found:?})")]
    AppIdMismatch {
        /// The appid found in the plaintext.
        found: String,
    },
    /// An element a message type requires is missing.
    #[error("callback rejected: {owner} has no <{field}>")]
    MissingField {
        /// The message, event or type being read.
        owner: String,
        /// The element name.
        field: String,
    },
    /// An element holds a value of the wrong kind (a number that is not a number …).
    #[error("callback rejected: <{field}> has an invalid value {value:?}")]
    BadField {
        /// The element name.
        field: String,
        /// The value, truncated.
        value: String,
    },
    /// Encrypted mode was requested but no EncodingAESKey is configured.
    #[error("callback rejected: encrypted message but no EncodingAESKey is configured")]
    NoAesKey,
    /// The handler panicked (the axum routers run it in a task of its own); the push is left
    /// to WeChat's retry.
    #[error("the callback handler panicked")]
    HandlerFailed,
}

impl CallbackError {
    /// A short, stable name for the failed check (for metrics and log fields).
    pub fn check(&self) -> &'static str {
        match self {
            CallbackError::MissingParam(_) => "missing_param",
            CallbackError::BadQuery => "query",
            CallbackError::BadSignature => "signature",
            CallbackError::BadMsgSignature => "msg_signature",
            CallbackError::BadTimestamp(_) => "timestamp",
            CallbackError::StaleTimestamp { .. } => "replay_window",
            CallbackError::TooLarge { .. } => "body_size",
            CallbackError::MalformedXml(_) => "xml",
            CallbackError::DoctypeRejected => "doctype",
            CallbackError::TooDeep(_) => "xml_depth",
            CallbackError::MissingEncrypt => "encrypt_element",
            CallbackError::BadAesKey(_) => "aes_key",
            CallbackError::BadBase64 => "base64",
            CallbackError::BadCiphertextLength(_) => "ciphertext_length",
            CallbackError::BadPadding => "padding",
            CallbackError::BadLengthPrefix { .. } => "length_prefix",
            CallbackError::AppIdMismatch { .. } => "appid",
            CallbackError::MissingField { .. } => "missing_field",
            CallbackError::BadField { .. } => "bad_field",
            CallbackError::NoAesKey => "no_aes_key",
            CallbackError::HandlerFailed => "handler",
        }
    }

    /// The HTTP status an endpoint should answer with: 401 for authentication failures,
    /// 413 for a body over the limit, 400 for everything else.
    pub fn http_status(&self) -> u16 {
        match self {
            CallbackError::BadSignature
            | CallbackError::BadMsgSignature
            | CallbackError::StaleTimestamp { .. }
            | CallbackError::AppIdMismatch { .. } => 401,
            CallbackError::TooLarge { .. } => 413,
            CallbackError::BadAesKey(_) | CallbackError::NoAesKey | CallbackError::HandlerFailed => 500,
            _ => 400,
        }
    }
}
