//! Errors of the HTTP client: WeChat's own answers, transport, HTTP status, decoding, the
//! token store and configuration are kept apart so callers can match on what happened.
//! No variant ever holds a token, secret or a URL with credentials in it.

use std::fmt;
use std::time::Duration;

/// Everything a call can fail with.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// WeChat answered with an `errcode` other than 0.
    #[error(transparent)]
    Api(#[from] ApiError),
    /// The request did not complete (connection refused, reset, timeout…).
    #[error("{endpoint}: {kind} error: {message}")]
    Transport {
        /// Endpoint name, e.g. `user.info`.
        endpoint: &'static str,
        /// What sort of transport failure.
        kind: TransportKind,
        /// Description, with any URL and credentials removed.
        message: String,
    },
    /// WeChat (or a proxy) answered with an HTTP status other than 2xx.
    #[error("{endpoint}: HTTP status {status}")]
    Http {
        /// Endpoint name.
        endpoint: &'static str,
        /// The status code.
        status: u16,
    },
    /// The answer could not be decoded into the documented shape.
    #[error("{endpoint}: could not decode WeChat's answer: {message}")]
    Decode {
        /// Endpoint name.
        endpoint: &'static str,
        /// What did not fit.
        message: String,
    },
    /// The request could not be built from the given values.
    #[error("{endpoint}: invalid request: {message}")]
    InvalidRequest {
        /// Endpoint name.
        endpoint: &'static str,
        /// What was wrong.
        message: String,
    },
    /// The token store failed (e.g. Redis unreachable).
    #[error("token store: {0}")]
    Store(#[from] StoreError),
    /// Another task or process holds the refresh lock and did not publish a token in time.
    #[error("gave up after {waited:?} waiting for another process to refresh the {what}; no second refresh was made")]
    TokenWaitTimeout {
        /// `access_token` or a ticket kind.
        what: &'static str,
        /// How long we waited.
        waited: Duration,
    },
    /// The client is not configured for this call.
    #[error("configuration: {0}")]
    Config(String),
    /// The detached task that refreshes a token did not finish (it panicked, or the runtime is
    /// shutting down).
    #[error("token refresh: {0}")]
    RefreshTask(String),
    /// The account was removed from its [`Accounts`](crate::Accounts) registry; a handle
    /// obtained before the removal refuses every call (nothing is sent).
    #[error("account {appid} was removed from the registry")]
    AccountRemoved {
        /// The removed account's AppID.
        appid: String,
    },
    /// The authorizer revoked its authorisation of the third-party platform (an
    /// `unauthorized` push, or WeChat says so); nothing is sent until it authorises again.
    #[error("authorizer {appid} has revoked its authorisation of platform {component_appid}")]
    AuthorizerRevoked {
        /// The platform's component AppID.
        component_appid: String,
        /// The authorizer's AppID.
        appid: String,
    },
    /// No refresh token for this authorizer in the credential store, and WeChat's authorizer
    /// list and authorizer details did not give one either: the merchant must authorise again.
    #[error(
        "no refresh token for authorizer {appid} of platform {component_appid}, in the credential store or from WeChat"
    )]
    RefreshTokenLost {
        /// The platform's component AppID.
        component_appid: String,
        /// The authorizer's AppID.
        appid: String,
    },
    /// No component verify ticket has reached the credential store (WeChat pushes one every
    /// 10 minutes to the authorisation-event URL; the SDK asked for a push and waited).
    #[error("no component_verify_ticket for platform {component_appid} in the credential store (waited {waited:?} after asking WeChat to push one)")]
    VerifyTicketMissing {
        /// The platform's component AppID.
        component_appid: String,
        /// How long the SDK waited for a push.
        waited: Duration,
    },
}

impl Error {
    /// The WeChat error, if this is one.
    pub fn api(&self) -> Option<&ApiError> {
        match self {
            Error::Api(e) => Some(e),
            _ => None,
        }
    }

    /// The WeChat `errcode`, if this is a WeChat error.
    pub fn errcode(&self) -> Option<i64> {
        self.api().map(|e| e.errcode)
    }

    /// Whether the request may have reached WeChat (so a non-idempotent call must not be
    /// repeated blindly). Only a failure to connect proves it did not.
    pub fn may_have_reached_wechat(&self) -> bool {
        !matches!(
            self,
            Error::Transport { kind: TransportKind::Connect, .. }
                | Error::InvalidRequest { .. }
                | Error::Config(_)
                | Error::Store(_)
                | Error::TokenWaitTimeout { .. }
                | Error::RefreshTask(_)
                | Error::AccountRemoved { .. }
                | Error::AuthorizerRevoked { .. }
                | Error::RefreshTokenLost { .. }
                | Error::VerifyTicketMissing { .. }
        )
    }
}

/// Kinds of transport failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransportKind {
    /// Could not connect: the request never left.
    Connect,
    /// Timed out: the request may have been processed.
    Timeout,
    /// Anything else after the connection was made.
    Other,
}

impl fmt::Display for TransportKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TransportKind::Connect => "connect",
            TransportKind::Timeout => "timeout",
            TransportKind::Other => "transport",
        })
    }
}

/// WeChat's `{"errcode": .., "errmsg": ..}` answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{endpoint}: WeChat error {errcode} ({meaning}): {errmsg}")]
pub struct ApiError {
    /// Endpoint name, e.g. `template.send`.
    pub endpoint: &'static str,
    /// The raw `errcode`.
    pub errcode: i64,
    /// WeChat's `errmsg`, as sent.
    pub errmsg: String,
    /// The request id WeChat appends to errmsg (` rid: …`), for `openapi/rid/get`.
    pub rid: Option<String>,
    /// The documented meaning, or "unknown code".
    meaning: &'static str,
}

/// The request id WeChat appends to an errmsg (`… rid: 6541e2b0-…`).
pub(crate) fn rid_of(errmsg: &str) -> Option<&str> {
    errmsg.rfind("rid:").map(|i| errmsg[i + 4..].trim()).filter(|r| !r.is_empty())
}

impl ApiError {
    /// Builds the error, pulling `rid` out of errmsg.
    pub fn new(endpoint: &'static str, errcode: i64, errmsg: String) -> Self {
        let rid = rid_of(&errmsg).map(str::to_string);
        let meaning = (crate::GENERATED.error_meaning)(errcode).unwrap_or("unknown code");
        ApiError { endpoint, errcode, errmsg, rid, meaning }
    }

    /// The documented meaning of the code.
    pub fn meaning(&self) -> &'static str {
        self.meaning
    }

    /// Whether WeChat rejected the access token itself (40001, 40014, 42001).
    pub fn is_token_rejected(&self) -> bool {
        matches!(self.errcode, 40001 | 40014 | 42001)
    }

    /// A rate-limit or quota answer (45009 daily quota, 45011 per-minute limit, 45047
    /// customer-service sends, 45066 clientmsgid retried too fast, 48006 quota resets used
    /// up): never retried. (45065, a repeated clientmsgid, is not one: that send already
    /// happened.)
    pub fn is_quota(&self) -> bool {
        matches!(self.errcode, 45009 | 45011 | 45047 | 45066 | 48006)
    }
}

/// Token store failures.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{backend}: {message}")]
pub struct StoreError {
    /// Which store (`memory`, `redis`).
    pub backend: &'static str,
    /// What went wrong (never a token).
    pub message: String,
}

impl StoreError {
    /// A new store error.
    pub fn new(backend: &'static str, message: impl Into<String>) -> Self {
        StoreError { backend, message: message.into() }
    }
}
