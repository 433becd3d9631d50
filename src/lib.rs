//! # wechat-oa
//!
//! A typed Rust SDK for the WeChat Official Account platform (微信公众号 / 服务号).
//!
//! The HTTP API is generated from the YAML spec in `spec/` into [`api`]: one module and one
//! [`Client`] handle per area (`client.user()`, `client.tags()`, `client.template()` …). This
//! crate's hand-written part is the small runtime those calls use: HTTP, tokens, retries,
//! errors and redaction, and the inbound [`callback`] pipeline.
//!
//! ```no_run
//! # async fn demo() -> Result<(), wechat_oa::Error> {
//! let client = wechat_oa::Client::new("wx_appid", "app_secret")?;
//! let user = client.user().info("oOPENID").send().await?;
//! println!("{:?}", user.subscribe);
//! # Ok(()) }
//! ```
//!
//! ## Layout of the source
//! Data flows one way: `spec/` → the generator → `generated/` (mounted here as [`api`]) →
//! the runtime in `src/`. The runtime never names a generated item; this file is the one
//! place where the two meet (`GENERATED` and the [`callback`] module below).

#![forbid(unsafe_code)]
#![warn(missing_docs)]

#[rustfmt::skip]
#[path = "../generated/mod.rs"]
#[allow(missing_docs)]
pub mod api;

mod accounts;
mod client;
mod clock;
mod component;
pub mod credentials;
mod descriptor;
mod error;
mod files;
mod future;
mod generated_interface;
mod http;
mod inbound;
pub mod jssdk;
mod multipart;
pub mod ops;
#[cfg(feature = "postgres")]
mod postgres_credentials;
mod query;
mod raw;
mod redact;
#[cfg(feature = "redis")]
mod redis_credentials;
#[cfg(feature = "redis")]
mod redis_dedup;
#[cfg(feature = "redis")]
mod redis_store;
mod retry;
mod signing;
pub mod strings;
pub mod token;

/// The README's code blocks, compiled as doctests so they stay true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;

pub use accounts::{Accounts, AccountsBuilder};
pub use api::errors::ErrCode;
pub use client::{Client, ClientBuilder};
pub use component::{Component, ComponentBuilder};
pub use credentials::{CredentialStore, MemoryCredentials};
pub use descriptor::{Host, Method};
pub use error::{ApiError, Error, StoreError, TransportKind};
pub use files::{Download, JsonOrBinary, Upload};
pub use future::BoxFuture;
#[cfg(feature = "postgres")]
pub use postgres_credentials::{PostgresCredentials, PostgresCredentialsBuilder};
pub use raw::RawRequest;
#[cfg(feature = "redis")]
pub use redis_credentials::RedisCredentials;
#[cfg(feature = "redis")]
pub use redis_store::RedisStore;
pub use retry::RetryPolicy;
pub use strings::StringList;
pub use token::{MemoryStore, StoredToken, TokenConfig, TokenStore};

/// What the generated API hands the runtime, wired here and nowhere else: the spec endpoints
/// that obtain tokens and tickets (`role:` in the spec), and the meanings of WeChat's error
/// codes (`spec/errors.yaml`).
pub(crate) struct Generated {
    /// Read by `client` to obtain access tokens and tickets.
    pub(crate) fetchers: &'static client::Fetchers,
    /// Read by `error` to describe an `errcode`.
    pub(crate) error_meaning: fn(i64) -> Option<&'static str>,
    /// Read by `ops`: every operation, the named structs' fields and the unions.
    pub(crate) operations: &'static [ops::Operation],
    pub(crate) structs: &'static [(&'static str, &'static [ops::OpField])],
    pub(crate) unions: &'static [ops::OpUnion],
}

pub(crate) static GENERATED: Generated = Generated {
    fetchers: &api::FETCHERS,
    error_meaning: |code| ErrCode::from_code(code).meaning(),
    operations: api::operations::OPERATIONS,
    structs: api::operations::STRUCTS,
    unions: api::operations::UNIONS,
};

impl ApiError {
    /// The code as the generated enum.
    pub fn code(&self) -> ErrCode {
        ErrCode::from_code(self.errcode)
    }
}

pub mod callback {
    //! The inbound side: WeChat's signed (optionally AES-encrypted) XML pushes, typed from
    //! `spec/callbacks.yaml`, and passive replies.
    //!
    //! [`Callback`] holds the account's token, appid and (for safe mode) EncodingAESKey and
    //! runs the pipeline: verify → decrypt → parse → dedup → your handler → reply or `success`
    //! → encrypt. With the `axum` feature, [`axum::router`] mounts it as an HTTP endpoint.
    //!
    //! Every type here has this one public path: the message, event and reply types generated
    //! from the spec (`MessageKind`, `EventKind`, `TextMessage`, `TextReply` …) and the
    //! pipeline's own (`Callback`, `Message`, `Reply`, `CallbackError` …).
    //!
    //! ```
    //! use wechat_oa::callback::{Callback, CallbackQuery};
    //! # async fn demo(query: CallbackQuery, body: &[u8]) -> Result<(), wechat_oa::callback::CallbackError> {
    //! let cb = Callback::new("token", "wx_appid");
    //! let answer = cb
    //!     .handle(&query, body, |msg| async move { Some(msg.reply_text("hi")) })
    //!     .await?;
    //! # let _ = answer; Ok(()) }
    //! ```

    pub use crate::api::callbacks::*;
    #[cfg(feature = "axum")]
    pub use crate::inbound::axum;
    pub use crate::inbound::{
        signature, xml, AesKey, CallbackError, CallbackQuery, Claim, DedupStore, MemoryDedup, MessageKinds, PushSink,
        ReplyKinds, Unknown, DEFAULT_DEDUP_TTL, DEFAULT_DEDUP_WAIT, DEFAULT_MAX_BODY, DEFAULT_REPLAY_WINDOW,
    };
    #[cfg(feature = "redis")]
    pub use crate::redis_dedup::RedisDedup;

    /// The account's callback configuration and pipeline, over the generated [`MessageKind`].
    pub type Callback = crate::inbound::Callback<MessageKind>;
    /// One push from WeChat: a user message or an event.
    pub type Message = crate::inbound::Message<MessageKind>;
    /// Many accounts' callback configurations by AppID (with the `axum` feature, `axum::accounts_router` serves them under `/{appid}`).
    pub type CallbackAccounts = crate::inbound::CallbackAccounts<MessageKind>;
    /// A passive reply.
    pub type Reply = crate::inbound::Reply<ReplyKind>;
    /// A third-party platform's authorisation-event URL configuration and pipeline.
    pub type ComponentCallback = crate::inbound::ComponentCallback<ComponentKind>;
    /// A verified, decrypted push to a third-party platform (verify ticket, authorisation change).
    pub type ComponentPush = crate::inbound::ComponentPush<ComponentKind>;
    /// A verified, decoded push and what is needed to answer it.
    pub type Inbound = crate::inbound::Inbound<MessageKind>;

    impl Message {
        /// A text reply to this message's sender.
        pub fn reply_text(&self, content: impl Into<String>) -> Reply {
            self.reply(TextReply::new(content))
        }
    }
}
