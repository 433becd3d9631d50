//! Access-token (and JS-SDK ticket) management.
//!
//! A token lives in a [`TokenStore`] (in memory by default; Redis with the `redis` feature).
//! The [`TokenManager`] guarantees one refresh at a time: within a process through an async
//! mutex per token kind, across processes through the store's lock (SET NX PX semantics,
//! released only by its owner, waited on for a bounded time). A waiter that sees a fresh token
//! appear in the store uses it; a waiter that waits too long gets
//! [`Error::TokenWaitTimeout`], never a second refresh.
//! A token WeChat rejects is removed with compare-and-delete, so a token another process has
//! already replaced is not thrown away.
//!
//! In `stable_token` mode a refresh first asks in normal mode, which hands back WeChat's
//! current token (possibly one another process or server obtained meanwhile). Only when WeChat
//! answers with the very token that was just rejected is the request repeated with
//! `force_refresh` — forcing retires the token every other holder is using, is limited to 20 a
//! day, and two deployments forcing in turn would keep invalidating each other.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::error::{Error, StoreError};
use crate::future::BoxFuture;
use crate::redact::Redacted;

/// A token or ticket and its lifetime, as obtained from WeChat.
pub(crate) struct Grant {
    /// The token or ticket.
    pub(crate) value: String,
    /// Seconds until it expires.
    pub(crate) expires_in: i64,
}

impl Grant {
    /// A new grant.
    pub(crate) fn new(value: String, expires_in: i64) -> Self {
        Grant { value, expires_in }
    }
}

/// An authorizer's tokens as WeChat hands them over (generated fetchers fill it).
pub(crate) struct AuthorizerGrant {
    /// The authorizer's AppID.
    pub(crate) authorizer_appid: String,
    /// authorizer_access_token and its lifetime.
    pub(crate) access: Grant,
    /// The refresh token to use next time.
    pub(crate) refresh_token: String,
}

/// One page of `api_get_authorizer_list`: the total, and (AppID, refresh token if included).
pub(crate) struct AuthorizerPage {
    /// `total_count`.
    pub(crate) total: i64,
    /// The page's authorizers.
    pub(crate) items: Vec<(String, Option<String>)>,
}

/// What a refresh asks WeChat for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fetch {
    /// A new access token (the endpoint with `role: access_token`).
    AccessToken,
    /// `stable_token`, with or without `force_refresh`.
    StableToken {
        /// `force_refresh`.
        force: bool,
    },
    /// A JS-SDK ticket of this type.
    Ticket(&'static str),
    /// A third-party platform's component_access_token (the role `component_token`).
    ComponentToken,
}

/// Obtains tokens from WeChat for a [`TokenManager`] (the `Client` does, through the spec's
/// endpoints with a `role:`).
pub(crate) trait TokenSource: Sync {
    /// Asks WeChat once.
    fn fetch(&self, what: Fetch) -> BoxFuture<'_, Result<Grant, Error>>;
}

/// A token or ticket as kept in a store.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredToken {
    /// The token.
    pub value: String,
    /// When it expires (Unix milliseconds).
    pub expires_at_ms: u64,
    /// When it was obtained (Unix milliseconds).
    pub fetched_at_ms: u64,
}

impl std::fmt::Debug for StoredToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoredToken")
            .field("value", &Redacted)
            .field("expires_at_ms", &self.expires_at_ms)
            .field("fetched_at_ms", &self.fetched_at_ms)
            .finish()
    }
}

/// Where tokens are kept, shared by every client (and process) using the same AppID.
pub trait TokenStore: Send + Sync + 'static {
    /// A short name for errors and traces (`memory`, `redis`).
    fn backend(&self) -> &'static str;
    /// The token under `key`, if any.
    fn get<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<Option<StoredToken>, StoreError>>;
    /// Stores a token.
    fn put<'a>(&'a self, key: &'a str, token: &'a StoredToken) -> BoxFuture<'a, Result<(), StoreError>>;
    /// Deletes the token under `key` only if its value is `value`; returns whether it did.
    fn remove_if<'a>(&'a self, key: &'a str, value: &'a str) -> BoxFuture<'a, Result<bool, StoreError>>;
    /// Takes the lock `key` for `owner` if nobody holds it; it lapses after `ttl`.
    fn try_lock<'a>(&'a self, key: &'a str, owner: &'a str, ttl: Duration) -> BoxFuture<'a, Result<bool, StoreError>>;
    /// Releases the lock if `owner` still holds it.
    fn unlock<'a>(&'a self, key: &'a str, owner: &'a str) -> BoxFuture<'a, Result<(), StoreError>>;
}

/// The default store: a map in this process.
///
/// (A `BTreeMap`: it holds a handful of keys, and comparing a key with them costs less than
/// hashing it on every call.)
#[derive(Default)]
pub struct MemoryStore {
    tokens: Mutex<BTreeMap<String, StoredToken>>,
    locks: Mutex<BTreeMap<String, (String, Instant)>>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }
}

fn poisoned() -> StoreError {
    StoreError::new("memory", "a thread panicked while holding the store")
}

impl TokenStore for MemoryStore {
    fn backend(&self) -> &'static str {
        "memory"
    }
    fn get<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<Option<StoredToken>, StoreError>> {
        let r = self.tokens.lock().map(|m| m.get(key).cloned()).map_err(|_| poisoned());
        Box::pin(async move { r })
    }
    fn put<'a>(&'a self, key: &'a str, token: &'a StoredToken) -> BoxFuture<'a, Result<(), StoreError>> {
        let r = self
            .tokens
            .lock()
            .map(|mut m| {
                m.insert(key.to_string(), token.clone());
            })
            .map_err(|_| poisoned());
        Box::pin(async move { r })
    }
    fn remove_if<'a>(&'a self, key: &'a str, value: &'a str) -> BoxFuture<'a, Result<bool, StoreError>> {
        let r = self
            .tokens
            .lock()
            .map(|mut m| {
                if m.get(key).is_some_and(|t| t.value == value) {
                    m.remove(key);
                    true
                } else {
                    false
                }
            })
            .map_err(|_| poisoned());
        Box::pin(async move { r })
    }
    fn try_lock<'a>(&'a self, key: &'a str, owner: &'a str, ttl: Duration) -> BoxFuture<'a, Result<bool, StoreError>> {
        let r = self
            .locks
            .lock()
            .map(|mut m| {
                let now = Instant::now();
                match m.get(key) {
                    Some((_, until)) if *until > now => false,
                    _ => {
                        m.insert(key.to_string(), (owner.to_string(), now + ttl));
                        true
                    }
                }
            })
            .map_err(|_| poisoned());
        Box::pin(async move { r })
    }
    fn unlock<'a>(&'a self, key: &'a str, owner: &'a str) -> BoxFuture<'a, Result<(), StoreError>> {
        let r = self
            .locks
            .lock()
            .map(|mut m| {
                if m.get(key).is_some_and(|(o, _)| o == owner) {
                    m.remove(key);
                }
            })
            .map_err(|_| poisoned());
        Box::pin(async move { r })
    }
}

/// Tuning of the token manager.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TokenConfig {
    /// Refresh a token this long before it expires.
    pub refresh_margin: Duration,
    /// Lifetime of the cross-process refresh lock (a crashed holder frees it after this).
    pub lock_ttl: Duration,
    /// How long a caller waits for another process's refresh before giving up.
    pub lock_wait: Duration,
    /// Use `stable_token` instead of `token` (`force_refresh` only after a rejection).
    pub use_stable_token: bool,
}

impl Default for TokenConfig {
    fn default() -> Self {
        TokenConfig {
            refresh_margin: Duration::from_secs(300),
            lock_ttl: Duration::from_secs(10),
            lock_wait: Duration::from_secs(15),
            use_stable_token: false,
        }
    }
}

/// What is being managed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TokenKind {
    /// The app's access_token.
    AccessToken,
    /// A JS-SDK ticket of this type (`jsapi`, `wx_card`).
    Ticket(&'static str),
    /// A third-party platform's component_access_token.
    ComponentToken,
}

impl TokenKind {
    fn label(self) -> &'static str {
        match self {
            TokenKind::AccessToken => "access_token",
            TokenKind::Ticket("jsapi") => "jsapi_ticket",
            TokenKind::Ticket("wx_card") => "wx_card_ticket",
            TokenKind::Ticket(_) => "ticket",
            TokenKind::ComponentToken => "component_access_token",
        }
    }
}

/// Obtains, caches and refreshes tokens for one AppID.
pub struct TokenManager {
    store: Arc<dyn TokenStore>,
    appid: String,
    /// `key(TokenKind::AccessToken)`, made once: every call looks the access token up.
    access_key: String,
    config: TokenConfig,
    local: Mutex<HashMap<TokenKind, Arc<tokio::sync::Mutex<()>>>>,
    /// Per kind: how many refreshes finished in this process, and the error of the last one
    /// if it failed — handed to the tasks that waited for it instead of each trying again.
    outcomes: Mutex<HashMap<TokenKind, (u64, Option<Error>)>>,
    /// The access token WeChat last rejected in this process, until a different one is in use:
    /// never handed out again, and in stable_token mode the trigger for `force_refresh`.
    rejected: Rejected,
    fetches: AtomicU64,
    forced: AtomicU64,
}

/// The access token last rejected. Nearly always there is none: the flag lets every call see
/// that without taking the lock (a lock taken per call is a cache line bouncing between cores).
#[derive(Default)]
struct Rejected {
    any: AtomicBool,
    value: Mutex<Option<String>>,
}

impl Rejected {
    fn is(&self, value: &str) -> bool {
        self.any.load(Ordering::Acquire) && self.value.lock().is_ok_and(|r| r.as_deref() == Some(value))
    }

    fn set(&self, value: &str) {
        if let Ok(mut r) = self.value.lock() {
            *r = Some(value.to_string());
            self.any.store(true, Ordering::Release);
        }
    }

    /// Forgets the rejected token unless it is `keep`.
    fn clear_unless(&self, keep: &str) {
        self.clear_if(|x| x != keep);
    }

    fn clear(&self) {
        self.clear_if(|_| true);
    }

    fn clear_if(&self, pred: impl Fn(&str) -> bool) {
        if !self.any.load(Ordering::Acquire) {
            return;
        }
        if let Ok(mut r) = self.value.lock() {
            if r.as_deref().is_some_and(pred) {
                *r = None;
                self.any.store(false, Ordering::Release);
            }
        }
    }
}

/// The store key of `kind` for `appid`.
fn store_key(appid: &str, kind: TokenKind) -> String {
    format!("wechat-oa:{appid}:{}", kind.label())
}

/// A token younger than this is never refreshed ahead of time (stable_token may hand back
/// the same token with little time left; refreshing it again would loop).
const MIN_AGE_BEFORE_EARLY_REFRESH_MS: u64 = 60_000;

impl TokenManager {
    /// A manager for `appid` over `store`.
    pub fn new(appid: &str, store: Arc<dyn TokenStore>, config: TokenConfig) -> Self {
        TokenManager {
            store,
            appid: appid.to_string(),
            access_key: store_key(appid, TokenKind::AccessToken),
            config,
            local: Mutex::new(HashMap::new()),
            outcomes: Mutex::new(HashMap::new()),
            rejected: Rejected::default(),
            fetches: AtomicU64::new(0),
            forced: AtomicU64::new(0),
        }
    }

    /// The store key of a kind.
    pub fn key(&self, kind: TokenKind) -> String {
        self.key_ref(kind).into_owned()
    }

    /// The store key of a kind, borrowed when it is made once (the access token's).
    fn key_ref(&self, kind: TokenKind) -> std::borrow::Cow<'_, str> {
        match kind {
            TokenKind::AccessToken => std::borrow::Cow::Borrowed(&self.access_key),
            _ => std::borrow::Cow::Owned(store_key(&self.appid, kind)),
        }
    }

    /// How many tokens this manager fetched from WeChat.
    pub fn fetch_count(&self) -> u64 {
        self.fetches.load(Ordering::Relaxed)
    }

    /// How many of those fetches used stable_token's `force_refresh`.
    pub fn forced_refresh_count(&self) -> u64 {
        self.forced.load(Ordering::Relaxed)
    }

    /// The name of the store backend (`memory`, `redis`).
    pub fn backend(&self) -> &'static str {
        self.store.backend()
    }

    /// The configuration.
    pub fn config(&self) -> TokenConfig {
        self.config
    }

    /// The stored token of `kind` if it needs no refresh: the fast path, no lock taken and
    /// nothing spawned.
    pub(crate) async fn cached(&self, kind: TokenKind) -> Result<Option<String>, Error> {
        let key = self.key_ref(kind);
        Ok(self.fresh(kind, &key).await?.map(|t| self.accept(kind, t.value)))
    }

    /// A token of `kind`, from the store or freshly obtained (once, whoever else asks).
    pub(crate) async fn get(&self, client: &dyn TokenSource, kind: TokenKind) -> Result<String, Error> {
        let key = self.key(kind);
        let mut usable: Option<String> = None;
        if let Some(t) = self.store.get(&key).await? {
            let now = crate::clock::unix_millis();
            if self.needs_no_refresh(kind, &t, now) {
                return Ok(self.accept(kind, t.value));
            }
            if t.expires_at_ms > now && !self.is_rejected(kind, &t.value) {
                usable = Some(t.value);
            }
        }
        let local = self.local_lock(kind)?;
        let seen = self.outcome(kind).0;
        let _guard = match (&usable, local.try_lock()) {
            (_, Ok(g)) => g,
            // Someone in this process is already refreshing; the current token still works.
            (Some(v), Err(_)) => return Ok(v.clone()),
            (None, Err(_)) => local.lock().await,
        };
        if let Some(t) = self.fresh(kind, &key).await? {
            return Ok(self.accept(kind, t.value));
        }
        // The refresh this task waited for failed: share its error rather than repeat it at
        // once, so that N waiting tasks do not become N token requests to a failing WeChat.
        if let (finished, Some(e)) = self.outcome(kind) {
            if finished > seen {
                return Err(e);
            }
        }
        let result = self.refresh_across_processes(client, kind, &key, usable).await;
        if let Ok(mut m) = self.outcomes.lock() {
            let entry = m.entry(kind).or_default();
            *entry = (entry.0 + 1, result.as_ref().err().cloned());
        }
        result
    }

    fn outcome(&self, kind: TokenKind) -> (u64, Option<Error>) {
        self.outcomes.lock().ok().and_then(|m| m.get(&kind).cloned()).unwrap_or_default()
    }

    /// Whether `t` can be used as it is: not near expiry (or too young to refresh early), and
    /// not the token WeChat just rejected.
    fn needs_no_refresh(&self, kind: TokenKind, t: &StoredToken, now: u64) -> bool {
        let margin = self.config.refresh_margin.as_millis() as u64;
        let timely = t.expires_at_ms > now + margin
            || (now.saturating_sub(t.fetched_at_ms) < MIN_AGE_BEFORE_EARLY_REFRESH_MS && t.expires_at_ms > now);
        timely && !self.is_rejected(kind, &t.value)
    }

    fn is_rejected(&self, kind: TokenKind, value: &str) -> bool {
        kind == TokenKind::AccessToken && self.rejected.is(value)
    }

    /// Hands out `value`; once a token other than the rejected one is in use, the rejection
    /// is forgotten.
    fn accept(&self, kind: TokenKind, value: String) -> String {
        if kind == TokenKind::AccessToken {
            self.rejected.clear_unless(&value);
        }
        value
    }

    /// The stored token if it needs no refresh.
    async fn fresh(&self, kind: TokenKind, key: &str) -> Result<Option<StoredToken>, Error> {
        let now = crate::clock::unix_millis();
        Ok(self.store.get(key).await?.filter(|t| self.needs_no_refresh(kind, t, now)))
    }

    async fn refresh_across_processes(
        &self,
        client: &dyn TokenSource,
        kind: TokenKind,
        key: &str,
        usable: Option<String>,
    ) -> Result<String, Error> {
        let lock_key = format!("{key}:lock");
        let owner = format!("{:032x}", rand::random::<u128>());
        let started = Instant::now();
        let mut poll = Duration::from_millis(10);
        loop {
            if self.store.try_lock(&lock_key, &owner, self.config.lock_ttl).await? {
                let result = async {
                    if let Some(t) = self.fresh(kind, key).await? {
                        return Ok(self.accept(kind, t.value));
                    }
                    self.fetch_and_store(client, kind, key).await
                }
                .await;
                if let Err(e) = self.store.unlock(&lock_key, &owner).await {
                    tracing::warn!(error = %e, "could not release the token refresh lock; it lapses by itself");
                }
                return result;
            }
            // Another process is refreshing. A still-valid token is good enough meanwhile.
            if let Some(v) = usable {
                return Ok(v);
            }
            tokio::time::sleep(poll).await;
            poll = (poll * 2).min(Duration::from_millis(200));
            if let Some(t) = self.store.get(key).await? {
                if t.expires_at_ms > crate::clock::unix_millis() && !self.is_rejected(kind, &t.value) {
                    return Ok(self.accept(kind, t.value));
                }
            }
            if started.elapsed() >= self.config.lock_wait {
                return Err(Error::TokenWaitTimeout { what: kind.label(), waited: started.elapsed() });
            }
        }
    }

    async fn fetch_and_store(&self, client: &dyn TokenSource, kind: TokenKind, key: &str) -> Result<String, Error> {
        let mut forced = false;
        let grant = match kind {
            TokenKind::AccessToken if self.config.use_stable_token => {
                let grant = client.fetch(Fetch::StableToken { force: false }).await?;
                if self.is_rejected(kind, &grant.value) {
                    // WeChat handed back the token it has just rejected: only a forced refresh
                    // gets a working one.
                    self.fetches.fetch_add(1, Ordering::Relaxed);
                    tracing::info!("stable_token returned the rejected token; forcing a refresh");
                    forced = true;
                    client.fetch(Fetch::StableToken { force: true }).await?
                } else {
                    grant
                }
            }
            TokenKind::AccessToken => client.fetch(Fetch::AccessToken).await?,
            TokenKind::Ticket(t) => client.fetch(Fetch::Ticket(t)).await?,
            TokenKind::ComponentToken => client.fetch(Fetch::ComponentToken).await?,
        };
        self.fetches.fetch_add(1, Ordering::Relaxed);
        if forced {
            self.forced.fetch_add(1, Ordering::Relaxed);
        }
        let now = crate::clock::unix_millis();
        let token = StoredToken {
            value: grant.value,
            expires_at_ms: now + (grant.expires_in.max(0) as u64) * 1000,
            fetched_at_ms: now,
        };
        self.store.put(key, &token).await?;
        tracing::debug!(
            kind = kind.label(),
            expires_in = grant.expires_in,
            force_refresh = forced,
            backend = self.store.backend(),
            "obtained a new token"
        );
        if kind == TokenKind::AccessToken {
            // Whatever WeChat answered is the best there is; should it be rejected again, the
            // next call asks again (never in a loop: each call repeats once after a rejection).
            self.rejected.clear();
        }
        Ok(token.value)
    }

    /// Drops a rejected token of `kind` from the store if it is still the current one
    /// (compare-and-delete). An access token is also remembered so that it is not used again.
    pub async fn invalidate_kind(&self, kind: TokenKind, rejected: &str) -> Result<(), Error> {
        if kind == TokenKind::AccessToken {
            return self.invalidate(rejected).await;
        }
        let removed = self.store.remove_if(&self.key(kind), rejected).await?;
        tracing::debug!(removed, kind = kind.label(), "invalidated a rejected token");
        Ok(())
    }

    /// Removes the stored token of `kind` whatever its value (an authorizer that revoked the
    /// authorisation).
    pub async fn forget(&self, kind: TokenKind) -> Result<(), Error> {
        let key = self.key(kind);
        if let Some(t) = self.store.get(&key).await? {
            self.store.remove_if(&key, &t.value).await?;
        }
        Ok(())
    }

    /// Stores a token obtained outside a refresh (an authorizer's first token, handed over
    /// with its refresh token when the merchant authorised).
    pub(crate) async fn put(&self, kind: TokenKind, grant: Grant) -> Result<(), Error> {
        let now = crate::clock::unix_millis();
        let token = StoredToken {
            value: grant.value,
            expires_at_ms: now + (grant.expires_in.max(0) as u64) * 1000,
            fetched_at_ms: now,
        };
        Ok(self.store.put(&self.key(kind), &token).await?)
    }

    /// Drops `rejected` from the store if it is still the current token (compare-and-delete),
    /// and remembers it so that it is not used again.
    pub async fn invalidate(&self, rejected: &str) -> Result<(), Error> {
        self.rejected.set(rejected);
        let removed = self.store.remove_if(&self.key(TokenKind::AccessToken), rejected).await?;
        tracing::debug!(removed, "invalidated a rejected access token");
        Ok(())
    }

    fn local_lock(&self, kind: TokenKind) -> Result<Arc<tokio::sync::Mutex<()>>, Error> {
        let mut map = self.local.lock().map_err(|_| Error::Store(poisoned()))?;
        Ok(map.entry(kind).or_default().clone())
    }
}
