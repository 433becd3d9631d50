//! Many AppIDs in one process (without the third-party platform): a registry of accounts added
//! and removed at run time, each with its own AppID, AppSecret and tokens, all sharing one
//! HTTP connection pool and one token store (keys are scoped by AppID, so they never collide).
//!
//! Removal: [`Accounts::remove`] takes the account out of the registry, and every [`Client`]
//! handle obtained for it before refuses further calls with [`Error::AccountRemoved`] naming the
//! AppID (nothing is sent to WeChat). A removed account's handles never come back to life, even
//! if the same AppID is added again later; take a new handle from [`Accounts::get`].

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use crate::client::{Client, ClientBuilder};
use crate::error::Error;
use crate::retry::RetryPolicy;
use crate::token::{MemoryStore, TokenConfig, TokenStore};

/// A registry of Official Accounts served by one process. Cheap to clone (clones share the
/// registry).
///
/// ```no_run
/// # async fn demo() -> Result<(), wechat_oa::Error> {
/// let accounts = wechat_oa::Accounts::new()?;
/// accounts.add("wx_first_appid", "first_secret")?;
/// accounts.add("wx_second_appid", "second_secret")?;
/// if let Some(client) = accounts.get("wx_first_appid") {
///     let ips = client.base().callback_ip().send().await?;
///     println!("{:?}", ips.ip_list);
/// }
/// accounts.remove("wx_second_appid");
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Accounts {
    inner: Arc<Shared>,
}

struct Shared {
    /// Every account's settings, with the shared HTTP client and token store filled in.
    template: ClientBuilder,
    clients: RwLock<HashMap<String, Client>>,
}

impl std::fmt::Debug for Accounts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Accounts").field("appids", &self.appids()).finish()
    }
}

fn poisoned() -> Error {
    Error::Config("a thread panicked while holding the account registry".to_string())
}

impl Accounts {
    /// An empty registry with default settings (WeChat's hosts, an in-memory token store).
    pub fn new() -> Result<Accounts, Error> {
        Accounts::builder().build()
    }

    /// Starts configuring a registry: the settings apply to every account added to it.
    pub fn builder() -> AccountsBuilder {
        AccountsBuilder { template: Client::builder("", ""), store: None }
    }

    /// Adds an account and returns its client. Fails with [`Error::Config`] if the AppID is
    /// already registered (remove it first to change its secret) or a value is empty.
    pub fn add(&self, appid: impl Into<String>, secret: impl Into<String>) -> Result<Client, Error> {
        let appid = appid.into();
        let client = self.inner.template.clone().for_account(appid.clone(), secret.into()).build()?;
        let mut map = self.inner.clients.write().map_err(|_| poisoned())?;
        if map.contains_key(&appid) {
            return Err(Error::Config(format!("account {appid} is already registered")));
        }
        map.insert(appid, client.clone());
        Ok(client)
    }

    /// Removes an account; returns whether it was registered. Its existing client handles fail
    /// with [`Error::AccountRemoved`] from now on. Its tokens stay in the store until they expire.
    pub fn remove(&self, appid: &str) -> bool {
        let removed = match self.inner.clients.write() {
            Ok(mut map) => map.remove(appid),
            Err(_) => None,
        };
        match removed {
            Some(client) => {
                client.retire();
                true
            }
            None => false,
        }
    }

    /// The client of a registered account.
    pub fn get(&self, appid: &str) -> Option<Client> {
        self.inner.clients.read().ok().and_then(|m| m.get(appid).cloned())
    }

    /// Whether an account is registered.
    pub fn contains(&self, appid: &str) -> bool {
        self.inner.clients.read().map(|m| m.contains_key(appid)).unwrap_or(false)
    }

    /// The registered AppIDs, sorted.
    pub fn appids(&self) -> Vec<String> {
        let mut ids: Vec<String> = self.inner.clients.read().map(|m| m.keys().cloned().collect()).unwrap_or_default();
        ids.sort();
        ids
    }

    /// How many accounts are registered.
    pub fn len(&self) -> usize {
        self.inner.clients.read().map(|m| m.len()).unwrap_or(0)
    }

    /// Whether no account is registered.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Configures [`Accounts`]: the same options as [`ClientBuilder`], applied to every account.
pub struct AccountsBuilder {
    template: ClientBuilder,
    store: Option<Arc<dyn TokenStore>>,
}

impl std::fmt::Debug for AccountsBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AccountsBuilder").finish_non_exhaustive()
    }
}

impl AccountsBuilder {
    fn map(mut self, f: impl FnOnce(ClientBuilder) -> ClientBuilder) -> Self {
        self.template = f(self.template);
        self
    }
    /// Sends every host's requests to `base` (e.g. a local sandbox).
    pub fn base_url(self, base: impl Into<String>) -> Self {
        self.map(|b| b.base_url(base))
    }
    /// Overrides api.weixin.qq.com.
    pub fn api_base(self, base: impl Into<String>) -> Self {
        self.map(|b| b.api_base(base))
    }
    /// Whole-request timeout of the shared HTTP client (default 10 s).
    pub fn timeout(self, t: Duration) -> Self {
        self.map(|b| b.timeout(t))
    }
    /// Connect timeout of the shared HTTP client (default 5 s).
    pub fn connect_timeout(self, t: Duration) -> Self {
        self.map(|b| b.connect_timeout(t))
    }
    /// The HTTP client every account uses (by default one is built here, once).
    pub fn http_client(self, c: reqwest::Client) -> Self {
        self.map(|b| b.http_client(c))
    }
    /// The retry policy for idempotent calls.
    pub fn retry_policy(self, p: RetryPolicy) -> Self {
        self.map(|b| b.retry_policy(p))
    }
    /// The token store every account's tokens are kept in (default: one in memory). Keys
    /// contain the AppID.
    pub fn token_store(mut self, store: Arc<dyn TokenStore>) -> Self {
        self.store = Some(store);
        self
    }
    /// Obtain tokens with `stable_token`.
    pub fn stable_token(self, on: bool) -> Self {
        self.map(|b| b.stable_token(on))
    }
    /// Token manager tuning.
    pub fn token_config(self, c: TokenConfig) -> Self {
        self.map(|b| b.token_config(c))
    }
    /// Builds the (empty) registry: one HTTP client and one token store for all accounts.
    pub fn build(self) -> Result<Accounts, Error> {
        let http = self.template.http_or_new()?;
        let store = self.store.unwrap_or_else(|| Arc::new(MemoryStore::new()));
        let template = self.template.http_client(http).token_store(store);
        Ok(Accounts { inner: Arc::new(Shared { template, clients: RwLock::new(HashMap::new()) }) })
    }
}
