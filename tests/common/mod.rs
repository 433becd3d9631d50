//! Shared test support: a sandbox per test and a client pointed at it.
#![allow(dead_code)]

pub mod credentials;
pub mod postgres;
pub mod redis;

use std::time::Duration;

use wechat_oa::{Client, ClientBuilder, Error};
use wechat_oa_sandbox::{Sandbox, SandboxConfig};

/// A sandbox with default settings.
pub async fn sandbox() -> Sandbox {
    Sandbox::start(SandboxConfig::default()).await.expect("start the sandbox")
}

/// A sandbox with a custom configuration.
pub async fn sandbox_with(f: impl FnOnce(&mut SandboxConfig)) -> Sandbox {
    let mut c = SandboxConfig::default();
    f(&mut c);
    Sandbox::start(c).await.expect("start the sandbox")
}

/// A client builder for the sandbox's app.
pub fn builder(sb: &Sandbox) -> ClientBuilder {
    Client::builder(sb.config().appid.clone(), sb.config().secret.clone())
        .base_url(sb.base_url())
        .timeout(Duration::from_secs(10))
}

/// A client for the sandbox's app.
pub fn client(sb: &Sandbox) -> Client {
    builder(sb).build().expect("client")
}

/// The WeChat error code of a failed call. A request over a documented limit never reaches
/// WeChat: the client refuses it with `Error::InvalidRequest` naming the code WeChat would
/// answer, and that code is returned then. Panics on success or on any other error.
pub fn code<T: std::fmt::Debug>(r: Result<T, Error>) -> i64 {
    match r {
        Err(Error::Api(e)) => e.errcode,
        Err(Error::InvalidRequest { message, .. }) if message.contains("(WeChat answers ") => message
            .rsplit("(WeChat answers ")
            .next()
            .and_then(|rest| rest.trim_end_matches(')').parse().ok())
            .unwrap_or_else(|| panic!("no code in {message:?}")),
        other => panic!("expected a WeChat error, got {other:?}"),
    }
}
