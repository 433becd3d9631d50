//! # wechat-mp
//!
//! A typed Rust SDK for the WeChat Official Account platform (微信公众号 / 服务号).
//!
//! The HTTP API is generated from the YAML spec in `spec/` into [`api`]: one module and one
//! [`Client`] handle per area (`client.user()`, `client.tags()`, `client.template()` …). This
//! crate's hand-written part is the small runtime those calls use: HTTP, tokens, retries,
//! errors and redaction.
//!
//! ```no_run
//! # async fn demo() -> Result<(), wechat_mp::Error> {
//! let client = wechat_mp::Client::new("wx_appid", "app_secret")?;
//! let user = client.user().info("oOPENID").send().await?;
//! println!("{:?}", user.subscribe);
//! # Ok(()) }
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs)]

#[rustfmt::skip]
#[path = "../generated/mod.rs"]
#[allow(missing_docs)]
pub mod api;

pub mod callback;
mod client;
mod error;
mod http;
pub mod jssdk;
mod redact;
#[cfg(feature = "redis")]
mod redis_store;
mod retry;
pub mod rt;
pub mod token;
mod transfer;
mod util;

/// The README's code blocks, compiled as doctests so they stay true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;

pub use api::errors::ErrCode;
pub use client::{Client, ClientBuilder};
pub use error::{ApiError, Error, StoreError, TransportKind};
#[cfg(feature = "redis")]
pub use redis_store::RedisStore;
pub use retry::RetryPolicy;
pub use token::{MemoryStore, StoredToken, TokenConfig, TokenStore};
pub use transfer::{Download, JsonOrBinary, Upload};
