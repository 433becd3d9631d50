//! Durable credentials: what WeChat cannot hand out again on demand.
//!
//! A third-party platform (第三方平台) depends on two secrets it receives rather than asks for:
//! the component verify ticket (pushed by WeChat every 10 minutes) and each authorizer's refresh
//! token (received when a merchant authorises, replaced on every refresh). Losing them means
//! waiting for the next ticket push, or asking merchants to authorise again. They are therefore
//! kept apart from the token cache ([`TokenStore`](crate::TokenStore), which only holds what
//! WeChat will issue again), in a [`CredentialStore`]: PostgreSQL (feature `postgres`), Redis
//! with persistence switched on (feature `redis`), or [`MemoryCredentials`] for tests.
//!
//! Keys are chosen by the SDK and scoped by AppID (see [`keys`]); values are opaque strings.
//! Implementations must never log or print values.

use std::collections::HashMap;
use std::sync::Mutex;

use crate::error::StoreError;
use crate::future::BoxFuture;

/// Where the verify ticket and refresh tokens live, shared by every process of the platform.
pub trait CredentialStore: Send + Sync + 'static {
    /// A short name for errors and traces (`memory`, `postgres`, `redis`).
    fn backend(&self) -> &'static str;
    /// The value under `key`, if any.
    fn get<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<Option<String>, StoreError>>;
    /// Stores `value` under `key`, replacing what was there; durable once it returns `Ok`.
    fn put<'a>(&'a self, key: &'a str, value: &'a str) -> BoxFuture<'a, Result<(), StoreError>>;
    /// Deletes `key` (no error when it is absent).
    fn remove<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<(), StoreError>>;
}

/// The key layout every [`CredentialStore`] sees.
pub mod keys {
    /// The component verify ticket of a platform.
    pub fn verify_ticket(component_appid: &str) -> String {
        format!("wechat-oa:{component_appid}:component_verify_ticket")
    }
    /// An authorizer's refresh token under a platform.
    pub fn refresh_token(component_appid: &str, authorizer_appid: &str) -> String {
        format!("wechat-oa:{component_appid}:{authorizer_appid}:authorizer_refresh_token")
    }
    /// Set when the authorizer revoked the authorisation (an `unauthorized` push).
    pub fn revoked(component_appid: &str, authorizer_appid: &str) -> String {
        format!("wechat-oa:{component_appid}:{authorizer_appid}:revoked")
    }
}

/// Credentials in a map of this process: for tests and single-process tools only (a restart
/// loses them).
#[derive(Default)]
pub struct MemoryCredentials {
    values: Mutex<HashMap<String, String>>,
}

impl MemoryCredentials {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }
}

impl std::fmt::Debug for MemoryCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let n = self.values.lock().map(|m| m.len()).unwrap_or(0);
        f.debug_struct("MemoryCredentials").field("entries", &n).finish()
    }
}

fn poisoned() -> StoreError {
    StoreError::new("memory", "a thread panicked while holding the credential store")
}

impl CredentialStore for MemoryCredentials {
    fn backend(&self) -> &'static str {
        "memory"
    }
    fn get<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<Option<String>, StoreError>> {
        let r = self.values.lock().map(|m| m.get(key).cloned()).map_err(|_| poisoned());
        Box::pin(async move { r })
    }
    fn put<'a>(&'a self, key: &'a str, value: &'a str) -> BoxFuture<'a, Result<(), StoreError>> {
        let r = self
            .values
            .lock()
            .map(|mut m| {
                m.insert(key.to_string(), value.to_string());
            })
            .map_err(|_| poisoned());
        Box::pin(async move { r })
    }
    fn remove<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<(), StoreError>> {
        let r = self
            .values
            .lock()
            .map(|mut m| {
                m.remove(key);
            })
            .map_err(|_| poisoned());
        Box::pin(async move { r })
    }
}

impl std::fmt::Debug for dyn CredentialStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "CredentialStore({})", self.backend())
    }
}
