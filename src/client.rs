//! The client: configuration (AppID, AppSecret, hosts, timeouts, retry policy, token store)
//! and the shared state every generated call uses. Cheap to clone.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tracing::instrument::WithSubscriber;
use tracing::Instrument;

use crate::descriptor::Host;
use crate::error::Error;
use crate::future::BoxFuture;
use crate::redact::Redacted;
use crate::retry::RetryPolicy;
use crate::token::{
    AuthorizerGrant, AuthorizerPage, Fetch, Grant, MemoryStore, TokenConfig, TokenKind, TokenManager, TokenSource,
    TokenStore,
};

/// Obtains the app token (`force` = stable_token's force_refresh).
pub(crate) type TokenFetcher = for<'c> fn(&'c Client, bool) -> BoxFuture<'c, Result<Grant, Error>>;
/// Obtains a ticket of a kind (`jsapi`, `wx_card`).
pub(crate) type TicketFetcher = for<'c> fn(&'c Client, &'static str) -> BoxFuture<'c, Result<Grant, Error>>;

/// Obtains the component token from the verify ticket.
pub(crate) type ComponentTokenFetcher = for<'c> fn(&'c Client, String) -> BoxFuture<'c, Result<Grant, Error>>;
/// Asks WeChat to push the verify ticket now.
pub(crate) type StartPushTicket = for<'c> fn(&'c Client) -> BoxFuture<'c, Result<(), Error>>;
/// Exchanges an authorization code.
pub(crate) type QueryAuth = for<'c> fn(&'c Client, String) -> BoxFuture<'c, Result<AuthorizerGrant, Error>>;
/// Refreshes an authorizer's token: (authorizer AppID, refresh token).
pub(crate) type AuthorizerTokenFetcher =
    for<'c> fn(&'c Client, String, String) -> BoxFuture<'c, Result<AuthorizerGrant, Error>>;
/// One page of the authorizer list: (offset, count).
pub(crate) type AuthorizerList = for<'c> fn(&'c Client, i64, i64) -> BoxFuture<'c, Result<AuthorizerPage, Error>>;
/// One authorizer's refresh token from its details.
pub(crate) type AuthorizerInfo = for<'c> fn(&'c Client, String) -> BoxFuture<'c, Result<Option<String>, Error>>;

/// How a client obtains tokens: the spec endpoints with a `role:`, handed over by the
/// generated code (`crate::GENERATED`, wired in `lib.rs`).
pub(crate) struct Fetchers {
    /// `role: access_token`
    pub(crate) access_token: Option<TokenFetcher>,
    /// `role: stable_token`
    pub(crate) stable_token: Option<TokenFetcher>,
    /// `role: ticket`
    pub(crate) ticket: Option<TicketFetcher>,
    /// `role: component_token`
    pub(crate) component_token: Option<ComponentTokenFetcher>,
    /// `role: start_push_ticket`
    pub(crate) start_push_ticket: Option<StartPushTicket>,
    /// `role: query_auth`
    pub(crate) query_auth: Option<QueryAuth>,
    /// `role: authorizer_token`
    pub(crate) authorizer_token: Option<AuthorizerTokenFetcher>,
    /// `role: authorizer_list`
    pub(crate) authorizer_list: Option<AuthorizerList>,
    /// `role: authorizer_info`
    pub(crate) authorizer_info: Option<AuthorizerInfo>,
}

/// Where a client that is not an app with its own AppSecret gets its tokens: a third-party
/// platform (the component token from the verify ticket) or an account authorised to one (its
/// token from the refresh token). Implemented by the `component` module; an app has none.
pub(crate) trait Delegate: Send + Sync + 'static {
    /// Obtains `what` for `client` when this origin does it differently from an app (`None`:
    /// as an app does).
    fn fetch<'c>(&'c self, client: &'c Client, what: Fetch) -> Option<BoxFuture<'c, Result<Grant, Error>>>;
    /// For the owner to find its own state again.
    fn as_any(&self) -> &dyn std::any::Any;
}

impl TokenSource for Client {
    fn fetch(&self, what: Fetch) -> BoxFuture<'_, Result<Grant, Error>> {
        let fetchers = crate::GENERATED.fetchers;
        let missing = |role: &str| {
            let e = Error::Config(format!("the spec has no endpoint with `role: {role}`"));
            Box::pin(async move { Err(e) }) as BoxFuture<'static, Result<Grant, Error>>
        };
        if let Some(f) = self.inner.delegate.as_ref().and_then(|d| d.fetch(self, what)) {
            return f;
        }
        match what {
            Fetch::ComponentToken => {
                let e = Error::Config(format!(
                    "{} is not a third-party platform client (use wechat_oa::Component for component calls)",
                    self.inner.appid
                ));
                Box::pin(async move { Err(e) })
            }
            what => self.fetch_own(what, fetchers, missing),
        }
    }
}

impl Client {
    fn fetch_own(
        &self,
        what: Fetch,
        fetchers: &'static Fetchers,
        missing: impl Fn(&str) -> BoxFuture<'static, Result<Grant, Error>>,
    ) -> BoxFuture<'_, Result<Grant, Error>> {
        match what {
            Fetch::AccessToken => fetchers.access_token.map_or_else(|| missing("access_token"), |f| f(self, false)),
            Fetch::StableToken { force } => {
                fetchers.stable_token.map_or_else(|| missing("stable_token"), |f| f(self, force))
            }
            Fetch::Ticket(kind) => fetchers.ticket.map_or_else(|| missing("ticket"), |f| f(self, kind)),
            Fetch::ComponentToken => missing("component_token"),
        }
    }
}

const API_BASE: &str = "https://api.weixin.qq.com";
const MP_BASE: &str = "https://mp.weixin.qq.com";
const OPEN_BASE: &str = "https://open.weixin.qq.com";

/// A WeChat Official Account API client. Area handles come from methods named after the
/// spec files: `client.user().info(openid).send().await`.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    appid: String,
    secret: String,
    http: reqwest::Client,
    api_base: String,
    mp_base: String,
    open_base: String,
    retry: RetryPolicy,
    tokens: TokenManager,
    /// Set when the account is removed from its [`Accounts`](crate::Accounts) registry.
    removed: AtomicBool,
    delegate: Option<Arc<dyn Delegate>>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("appid", &self.inner.appid)
            .field("secret", &Redacted)
            .field("api_base", &self.inner.api_base)
            .field("token_store", &self.inner.tokens.backend())
            .finish()
    }
}

impl Client {
    /// A client with default settings.
    pub fn new(appid: impl Into<String>, secret: impl Into<String>) -> Result<Client, Error> {
        Client::builder(appid, secret).build()
    }

    /// Starts configuring a client.
    pub fn builder(appid: impl Into<String>, secret: impl Into<String>) -> ClientBuilder {
        ClientBuilder {
            appid: appid.into(),
            secret: secret.into(),
            http: None,
            api_base: API_BASE.to_string(),
            mp_base: MP_BASE.to_string(),
            open_base: OPEN_BASE.to_string(),
            timeout: Duration::from_secs(10),
            connect_timeout: Duration::from_secs(5),
            retry: RetryPolicy::default(),
            store: None,
            token: TokenConfig::default(),
        }
    }

    /// The AppID.
    pub fn appid(&self) -> &str {
        &self.inner.appid
    }

    /// The AppSecret, for generated `from: secret` fields only.
    pub(crate) fn secret(&self) -> &str {
        &self.inner.secret
    }

    pub(crate) fn http(&self) -> &reqwest::Client {
        &self.inner.http
    }

    pub(crate) fn base_for(&self, host: Host) -> &str {
        match host {
            Host::Api => &self.inner.api_base,
            Host::Mp => &self.inner.mp_base,
            Host::Open => &self.inner.open_base,
        }
    }

    /// Fails with [`Error::AccountRemoved`] once the account was removed from its registry.
    pub(crate) fn check_active(&self) -> Result<(), Error> {
        if self.inner.removed.load(Ordering::Relaxed) {
            return Err(Error::AccountRemoved { appid: self.inner.appid.clone() });
        }
        Ok(())
    }

    /// Marks this client (and every clone of it) as removed from its registry.
    pub(crate) fn retire(&self) {
        self.inner.removed.store(true, Ordering::Relaxed);
    }

    /// The retry policy for idempotent calls.
    pub fn retry_policy(&self) -> RetryPolicy {
        self.inner.retry
    }

    /// The token manager.
    pub fn token_manager(&self) -> &TokenManager {
        &self.inner.tokens
    }

    /// The current access_token (cached; refreshed once when needed).
    pub async fn access_token(&self) -> Result<String, Error> {
        self.token_of(TokenKind::AccessToken).await
    }

    /// The component_access_token of a third-party platform's own client (see
    /// [`Component`](crate::Component)); other clients fail with [`Error::Config`].
    pub async fn component_token(&self) -> Result<String, Error> {
        self.token_of(TokenKind::ComponentToken).await
    }

    pub(crate) fn delegate(&self) -> Option<&dyn Delegate> {
        self.inner.delegate.as_deref()
    }

    /// A JS-SDK ticket (`"jsapi"` or `"wx_card"`), cached like the access token.
    pub async fn ticket(&self, kind: &'static str) -> Result<String, Error> {
        self.token_of(TokenKind::Ticket(kind)).await
    }

    /// A token of `kind`. A fresh stored token is returned at once; anything slower (waiting
    /// for another refresh, or refreshing) runs in a task spawned on the runtime that owns a
    /// clone of this client, and the caller awaits its result. Should the caller be dropped
    /// (a cancelled web request), the task still completes: the token is stored and the
    /// refresh lock released instead of lapsing after `lock_ttl` while every other caller of
    /// the AppID waits.
    pub(crate) async fn token_of(&self, kind: TokenKind) -> Result<String, Error> {
        self.check_active()?;
        if let Some(token) = self.inner.tokens.cached(kind).await? {
            return Ok(token);
        }
        let client = self.clone();
        // The task reports inside the caller's span, to the caller's subscriber.
        let refresh = async move { client.inner.tokens.get(&client, kind).await }
            .instrument(tracing::Span::current())
            .with_current_subscriber();
        let task = tokio::spawn(refresh);
        match task.await {
            Ok(result) => result,
            Err(e) => Err(Error::RefreshTask(if e.is_panic() {
                "the token refresh task panicked".to_string()
            } else {
                "the token refresh task was cancelled (the runtime is shutting down)".to_string()
            })),
        }
    }
}

/// Configures a [`Client`].
#[derive(Clone)]
pub struct ClientBuilder {
    appid: String,
    secret: String,
    http: Option<reqwest::Client>,
    api_base: String,
    mp_base: String,
    open_base: String,
    timeout: Duration,
    connect_timeout: Duration,
    retry: RetryPolicy,
    store: Option<Arc<dyn TokenStore>>,
    token: TokenConfig,
}

impl std::fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientBuilder").field("appid", &self.appid).field("secret", &Redacted).finish()
    }
}

impl ClientBuilder {
    /// Sends every host's requests to `base` (e.g. a local sandbox: `http://127.0.0.1:8080`).
    pub fn base_url(mut self, base: impl Into<String>) -> Self {
        let b = base.into().trim_end_matches('/').to_string();
        self.api_base = b.clone();
        self.mp_base = b.clone();
        self.open_base = b;
        self
    }
    /// Overrides api.weixin.qq.com (e.g. with a regional or disaster-recovery host).
    pub fn api_base(mut self, base: impl Into<String>) -> Self {
        self.api_base = base.into().trim_end_matches('/').to_string();
        self
    }
    /// Overrides mp.weixin.qq.com.
    pub fn mp_base(mut self, base: impl Into<String>) -> Self {
        self.mp_base = base.into().trim_end_matches('/').to_string();
        self
    }
    /// Overrides open.weixin.qq.com.
    pub fn open_base(mut self, base: impl Into<String>) -> Self {
        self.open_base = base.into().trim_end_matches('/').to_string();
        self
    }
    /// Whole-request timeout (default 10 s). Ignored with [`http_client`](Self::http_client).
    pub fn timeout(mut self, t: Duration) -> Self {
        self.timeout = t;
        self
    }
    /// Connect timeout (default 5 s). Ignored with [`http_client`](Self::http_client).
    pub fn connect_timeout(mut self, t: Duration) -> Self {
        self.connect_timeout = t;
        self
    }
    /// Uses your own reqwest client (proxies, TLS settings, pools).
    pub fn http_client(mut self, c: reqwest::Client) -> Self {
        self.http = Some(c);
        self
    }
    /// The retry policy for idempotent calls (default: 4 attempts, 50 ms .. 2 s backoff).
    pub fn retry_policy(mut self, p: RetryPolicy) -> Self {
        self.retry = p;
        self
    }
    /// Where tokens are kept (default: in memory). Share one store between every client and
    /// process using this AppID.
    pub fn token_store(mut self, store: Arc<dyn TokenStore>) -> Self {
        self.store = Some(store);
        self
    }
    /// Obtain tokens with `stable_token` (recommended when several servers share an AppID).
    pub fn stable_token(mut self, on: bool) -> Self {
        self.token.use_stable_token = on;
        self
    }
    /// Token manager tuning.
    pub fn token_config(mut self, c: TokenConfig) -> Self {
        self.token = c;
        self
    }
    /// The AppID being configured.
    pub(crate) fn appid(&self) -> &str {
        &self.appid
    }

    /// Whether no AppSecret was given.
    pub(crate) fn secret_is_empty(&self) -> bool {
        self.secret.is_empty()
    }

    /// The same settings for another AppID and AppSecret (how [`Accounts`](crate::Accounts)
    /// makes each account's client from one template).
    pub(crate) fn for_account(mut self, appid: String, secret: String) -> Self {
        self.appid = appid;
        self.secret = secret;
        self
    }

    /// The HTTP client: the one given, or a new one with the configured timeouts.
    pub(crate) fn http_or_new(&self) -> Result<reqwest::Client, Error> {
        match &self.http {
            Some(h) => Ok(h.clone()),
            None => reqwest::Client::builder()
                .timeout(self.timeout)
                .connect_timeout(self.connect_timeout)
                .user_agent(concat!("wechat-oa/", env!("CARGO_PKG_VERSION")))
                .build()
                .map_err(|e| Error::Config(format!("cannot build the HTTP client: {}", e.without_url()))),
        }
    }

    /// Builds the client.
    pub fn build(self) -> Result<Client, Error> {
        if self.appid.is_empty() || self.secret.is_empty() {
            return Err(Error::Config("appid and secret must not be empty".to_string()));
        }
        let http = self.http_or_new()?;
        let scope = self.appid.clone();
        self.build_with(http, scope, None)
    }

    /// The token store configured (or a new in-memory one).
    pub(crate) fn store_or_new(&mut self) -> Arc<dyn TokenStore> {
        self.store.get_or_insert_with(|| Arc::new(MemoryStore::new())).clone()
    }

    /// Builds a client over an existing HTTP client, with its tokens under `scope` in the
    /// store (the AppID; `{component}:{authorizer}` for an authorizer).
    pub(crate) fn build_with(
        self,
        http: reqwest::Client,
        scope: String,
        delegate: Option<Arc<dyn Delegate>>,
    ) -> Result<Client, Error> {
        let store = self.store.unwrap_or_else(|| Arc::new(MemoryStore::new()));
        let tokens = TokenManager::new(&scope, store, self.token);
        Ok(Client {
            inner: Arc::new(Inner {
                appid: self.appid,
                secret: self.secret,
                http,
                api_base: self.api_base,
                mp_base: self.mp_base,
                open_base: self.open_base,
                retry: self.retry,
                tokens,
                removed: AtomicBool::new(false),
                delegate,
            }),
        })
    }
}
