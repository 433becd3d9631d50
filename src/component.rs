//! The Open Platform third-party platform (第三方平台, "component"): one platform serving many
//! authorised Official Accounts.
//!
//! - The **verify ticket** WeChat pushes every 10 minutes is stored by [`Component::apply`] (or
//!   [`Component::set_verify_ticket`]) in the [`CredentialStore`], where every process sees it.
//!   A process that needs the component token and finds no ticket asks WeChat to push one
//!   (`role: start_push_ticket`) and waits for it, bounded by [`ComponentBuilder::ticket_wait`].
//! - The **component token** is an ordinary token of the platform's client: one refresh across
//!   processes through the token store's lock, like an app's access token.
//! - An **authorizer** ([`Component::authorizer`]) is a full [`Client`]: the whole generated API
//!   on that account's authorizer_access_token, sharing the platform's HTTP connection pool,
//!   with the same token recovery (40001/42001) and retries as an app.
//! - Its **refresh token** lives in the credential store: stored the moment it is received
//!   (authorisation code exchanged) and replaced on every refresh, before the new access token
//!   is handed out. When it is missing anyway (a flushed store), it is recovered from WeChat:
//!   the authorizer list (`role: authorizer_list`) first, then the authorizer's details
//!   (`role: authorizer_info`) when the list leaves it out. Only when neither has it does a call
//!   fail with [`Error::RefreshTokenLost`].
//! - An `unauthorized` push removes the authorizer's refresh token and tokens and marks it
//!   revoked: its calls fail with [`Error::AuthorizerRevoked`] naming the AppID until it
//!   authorises again.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use crate::client::{Client, ClientBuilder, Delegate};
use crate::credentials::{keys, CredentialStore, MemoryCredentials};
use crate::error::Error;
use crate::future::BoxFuture;
use crate::inbound::component::{ComponentPush, Effect};
use crate::inbound::PushSink;
use crate::retry::RetryPolicy;
use crate::token::{Fetch, Grant, TokenConfig, TokenKind, TokenStore};

/// WeChat's "refresh_token is invalid" (a superseded or unknown refresh token).
const REFRESH_TOKEN_INVALID: i64 = 61023;
/// WeChat's "component is not authorized by this account".
const NOT_AUTHORIZED: i64 = 61003;
/// The longest page `api_get_authorizer_list` answers.
const LIST_PAGE: i64 = 500;

/// What the platform's client carries besides an app's.
pub(crate) struct PlatformState {
    credentials: Arc<dyn CredentialStore>,
    ticket_wait: Duration,
}

/// What an authorizer's client carries: the platform client that refreshes its token.
pub(crate) struct AuthorizerState {
    component: Client,
    appid: String,
}

fn missing_role(role: &str) -> Error {
    Error::Config(format!("the spec has no endpoint with `role: {role}`"))
}

impl Delegate for PlatformState {
    fn fetch<'c>(&'c self, client: &'c Client, what: Fetch) -> Option<BoxFuture<'c, Result<Grant, Error>>> {
        match what {
            Fetch::ComponentToken => Some(Box::pin(fetch_component_token(client, self))),
            _ => None,
        }
    }
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

/// The authorizer's own token comes from its refresh token, never from the app token endpoint.
struct AuthorizerDelegate(Arc<AuthorizerState>);

impl Delegate for AuthorizerDelegate {
    fn fetch<'c>(&'c self, _client: &'c Client, what: Fetch) -> Option<BoxFuture<'c, Result<Grant, Error>>> {
        match what {
            Fetch::AccessToken | Fetch::StableToken { .. } => Some(Box::pin(refresh_authorizer(self.0.clone()))),
            _ => None,
        }
    }
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

fn platform(component: &Client) -> Result<&PlatformState, Error> {
    component
        .delegate()
        .and_then(|d| d.as_any().downcast_ref::<PlatformState>())
        .ok_or_else(|| Error::Config(format!("{} is not a third-party platform client", component.appid())))
}

/// Obtains the component token from the stored verify ticket (asking WeChat for a push and
/// waiting for it when there is none).
async fn fetch_component_token(client: &Client, p: &PlatformState) -> Result<Grant, Error> {
    let fetch = crate::GENERATED.fetchers.component_token.ok_or_else(|| missing_role("component_token"))?;
    let key = keys::verify_ticket(client.appid());
    let ticket = match p.credentials.get(&key).await? {
        Some(t) => t,
        None => wait_for_ticket(client, p, &key).await?,
    };
    fetch(client, ticket).await
}

async fn wait_for_ticket(client: &Client, p: &PlatformState, key: &str) -> Result<String, Error> {
    let started = Instant::now();
    tracing::warn!(component_appid = client.appid(), "no verify ticket stored; asking WeChat to push one");
    if let Some(start) = crate::GENERATED.fetchers.start_push_ticket {
        if let Err(e) = start(client).await {
            tracing::warn!(error = %e, "could not ask WeChat to push the verify ticket; waiting for the regular push");
        }
    }
    let mut poll = Duration::from_millis(20);
    loop {
        if let Some(t) = p.credentials.get(key).await? {
            return Ok(t);
        }
        if started.elapsed() >= p.ticket_wait {
            return Err(Error::VerifyTicketMissing {
                component_appid: client.appid().to_string(),
                waited: started.elapsed(),
            });
        }
        tokio::time::sleep(poll).await;
        poll = (poll * 2).min(Duration::from_millis(250));
    }
}

/// Refreshes an authorizer's access token (run by its token manager, one at a time across
/// processes), storing the rotated refresh token before the access token is handed out.
async fn refresh_authorizer(a: Arc<AuthorizerState>) -> Result<Grant, Error> {
    let comp = &a.component;
    let p = platform(comp)?;
    let fetch = crate::GENERATED.fetchers.authorizer_token.ok_or_else(|| missing_role("authorizer_token"))?;
    let cid = comp.appid();
    let revoked = |appid: &str| Error::AuthorizerRevoked { component_appid: cid.to_string(), appid: appid.to_string() };
    if p.credentials.get(&keys::revoked(cid, &a.appid)).await?.is_some() {
        return Err(revoked(&a.appid));
    }
    let key = keys::refresh_token(cid, &a.appid);
    let mut refresh = match p.credentials.get(&key).await? {
        Some(r) => r,
        None => recover_refresh_token(comp, p, &a.appid).await?,
    };
    let mut recovered = false;
    loop {
        match fetch(comp, a.appid.clone(), refresh.clone()).await {
            Ok(g) => {
                store_refresh_token(p, &key, &g.refresh_token).await?;
                return Ok(g.access);
            }
            Err(e) if e.errcode() == Some(NOT_AUTHORIZED) => return Err(revoked(&a.appid)),
            Err(e) if e.errcode() == Some(REFRESH_TOKEN_INVALID) && !recovered => {
                // Another process may have rotated it meanwhile; otherwise ask WeChat.
                recovered = true;
                refresh = match p.credentials.get(&key).await? {
                    Some(r) if r != refresh => r,
                    _ => recover_refresh_token(comp, p, &a.appid).await?,
                };
            }
            Err(e) => return Err(e),
        }
    }
}

/// Writes a refresh token, trying a few times: WeChat has already retired the previous one.
async fn store_refresh_token(p: &PlatformState, key: &str, value: &str) -> Result<(), Error> {
    let mut last = None;
    for attempt in 0..3u32 {
        match p.credentials.put(key, value).await {
            Ok(()) => return Ok(()),
            Err(e) => {
                tracing::warn!(attempt, error = %e, "could not store the rotated refresh token; trying again");
                last = Some(e);
                tokio::time::sleep(Duration::from_millis(50 << attempt)).await;
            }
        }
    }
    match last {
        Some(e) => Err(Error::Store(e)),
        None => Ok(()),
    }
}

/// The refresh token of `appid` from WeChat: the authorizer list, then the authorizer's
/// details; stored once found.
async fn recover_refresh_token(comp: &Client, p: &PlatformState, appid: &str) -> Result<String, Error> {
    let cid = comp.appid();
    let mut found: Option<String> = None;
    let mut source = "api_get_authorizer_list";
    if let Some(list) = crate::GENERATED.fetchers.authorizer_list {
        let mut offset = 0i64;
        'pages: loop {
            let page = list(comp, offset, LIST_PAGE).await?;
            let n = page.items.len() as i64;
            for (id, refresh) in page.items {
                if id == appid {
                    found = refresh.filter(|r| !r.is_empty());
                    break 'pages;
                }
            }
            offset += n;
            if n == 0 || offset >= page.total {
                break;
            }
        }
    }
    if found.is_none() {
        source = "api_get_authorizer_info";
        let info = crate::GENERATED.fetchers.authorizer_info.ok_or_else(|| missing_role("authorizer_info"))?;
        found = match info(comp, appid.to_string()).await {
            Ok(r) => r.filter(|r| !r.is_empty()),
            Err(e) if e.errcode() == Some(NOT_AUTHORIZED) => {
                return Err(Error::AuthorizerRevoked { component_appid: cid.to_string(), appid: appid.to_string() })
            }
            Err(e) => return Err(e),
        };
    }
    let Some(refresh) = found else {
        return Err(Error::RefreshTokenLost { component_appid: cid.to_string(), appid: appid.to_string() });
    };
    tracing::warn!(
        authorizer_appid = appid,
        source,
        "the refresh token was missing from the credential store; recovered it from WeChat"
    );
    store_refresh_token(p, &keys::refresh_token(cid, appid), &refresh).await?;
    Ok(refresh)
}

/// A third-party platform: its own client (component endpoints), the verify ticket and the
/// authorizers' clients. Cheap to clone (clones share everything).
///
/// ```no_run
/// # async fn demo() -> Result<(), wechat_oa::Error> {
/// use std::sync::Arc;
/// let platform = wechat_oa::Component::builder("wx_component_appid", "component_secret")
///     .credential_store(Arc::new(wechat_oa::MemoryCredentials::new()))
///     .build()?;
/// // The platform's own calls:
/// let pre = platform.client().component().create_preauthcode().send().await?;
/// let link = platform.client().component().authorize_url(pre.pre_auth_code, "https://example.com/authorised").url()?;
/// # let _ = link;
/// // An authorised account, with the whole API:
/// let merchant = platform.authorizer("wx_authorizer_appid")?;
/// let menu = merchant.menu().get().send().await?;
/// # let _ = menu; Ok(()) }
/// ```
#[derive(Clone)]
pub struct Component {
    client: Client,
    shared: Arc<Shared>,
}

struct Shared {
    credentials: Arc<dyn CredentialStore>,
    /// Settings for the authorizers' clients (the platform's HTTP client and token store).
    template: ClientBuilder,
    http: reqwest::Client,
    authorizers: RwLock<HashMap<String, Client>>,
}

impl std::fmt::Debug for Component {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Component")
            .field("component_appid", &self.client.appid())
            .field("credential_store", &self.shared.credentials.backend())
            .finish_non_exhaustive()
    }
}

fn poisoned() -> Error {
    Error::Config("a thread panicked while holding the authorizer registry".to_string())
}

impl Component {
    /// Starts configuring a platform from its component AppID and AppSecret.
    pub fn builder(component_appid: impl Into<String>, component_secret: impl Into<String>) -> ComponentBuilder {
        ComponentBuilder {
            client: Client::builder(component_appid, component_secret),
            credentials: None,
            ticket_wait: Duration::from_secs(15),
        }
    }

    /// The component AppID.
    pub fn appid(&self) -> &str {
        self.client.appid()
    }

    /// The platform's own client: the component endpoints (`client().component()…`) on the
    /// component token.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// The credential store.
    pub fn credential_store(&self) -> &Arc<dyn CredentialStore> {
        &self.shared.credentials
    }

    /// The current component_access_token (cached; refreshed once across processes).
    pub async fn component_token(&self) -> Result<String, Error> {
        self.client.component_token().await
    }

    /// Stores a verify ticket (what [`apply`](Self::apply) does with a
    /// `component_verify_ticket` push).
    pub async fn set_verify_ticket(&self, ticket: &str) -> Result<(), Error> {
        Ok(self.shared.credentials.put(&keys::verify_ticket(self.appid()), ticket).await?)
    }

    /// The client of an authorised account: the whole generated API on its
    /// authorizer_access_token. The same AppID always gives the same client (one token manager
    /// per authorizer in this process).
    pub fn authorizer(&self, authorizer_appid: &str) -> Result<Client, Error> {
        if let Some(c) = self.shared.authorizers.read().map_err(|_| poisoned())?.get(authorizer_appid) {
            return Ok(c.clone());
        }
        let mut map = self.shared.authorizers.write().map_err(|_| poisoned())?;
        if let Some(c) = map.get(authorizer_appid) {
            return Ok(c.clone());
        }
        let state = Arc::new(AuthorizerState { component: self.client.clone(), appid: authorizer_appid.to_string() });
        let client = self.shared.template.clone().for_account(authorizer_appid.to_string(), String::new()).build_with(
            self.shared.http.clone(),
            format!("{}:{authorizer_appid}", self.appid()),
            Some(Arc::new(AuthorizerDelegate(state))),
        )?;
        map.insert(authorizer_appid.to_string(), client.clone());
        Ok(client)
    }

    /// Exchanges a merchant's authorization code (from the redirect after the authorisation
    /// page, or an `authorized` push): stores the refresh token at once, then the access token,
    /// and clears a previous revocation. Returns the authorizer's AppID.
    pub async fn exchange_auth_code(&self, authorization_code: &str) -> Result<String, Error> {
        let query = crate::GENERATED.fetchers.query_auth.ok_or_else(|| missing_role("query_auth"))?;
        let g = query(&self.client, authorization_code.to_string()).await?;
        let cid = self.appid();
        let p = platform(&self.client)?;
        store_refresh_token(p, &keys::refresh_token(cid, &g.authorizer_appid), &g.refresh_token).await?;
        self.shared.credentials.remove(&keys::revoked(cid, &g.authorizer_appid)).await?;
        let client = self.authorizer(&g.authorizer_appid)?;
        client.token_manager().put(TokenKind::AccessToken, g.access).await?;
        tracing::info!(authorizer_appid = %g.authorizer_appid, "authorizer authorised; refresh token stored");
        Ok(g.authorizer_appid)
    }

    /// Forgets an authorizer that revoked its authorisation: removes its refresh token and
    /// tokens and marks it revoked, so that its calls fail with [`Error::AuthorizerRevoked`].
    pub async fn revoke(&self, authorizer_appid: &str) -> Result<(), Error> {
        let cid = self.appid();
        self.shared.credentials.put(&keys::revoked(cid, authorizer_appid), "1").await?;
        self.shared.credentials.remove(&keys::refresh_token(cid, authorizer_appid)).await?;
        let client = self.authorizer(authorizer_appid)?;
        let tm = client.token_manager();
        for kind in [TokenKind::AccessToken, TokenKind::Ticket("jsapi"), TokenKind::Ticket("wx_card")] {
            tm.forget(kind).await?;
        }
        tracing::info!(authorizer_appid, "authorizer revoked; its credentials are removed");
        Ok(())
    }

    /// Acts on a push to the authorisation-event URL: stores a verify ticket, exchanges the
    /// code of an `authorized`/`updateauthorized` push, revokes on `unauthorized`. Other
    /// pushes need nothing.
    pub async fn apply<K>(&self, push: &ComponentPush<K>) -> Result<(), Error> {
        match &push.effect {
            Effect::Ticket(t) => self.set_verify_ticket(t).await,
            Effect::Authorized { code, .. } => self.exchange_auth_code(code).await.map(|_| ()),
            Effect::Unauthorized { appid } => self.revoke(appid).await,
            Effect::None => Ok(()),
        }
    }
}

/// Configures a [`Component`].
#[derive(Debug, Clone)]
pub struct ComponentBuilder {
    client: ClientBuilder,
    credentials: Option<Arc<dyn CredentialStore>>,
    ticket_wait: Duration,
}

impl ComponentBuilder {
    /// Sends every host's requests to `base` (e.g. the sandbox).
    pub fn base_url(mut self, base: impl Into<String>) -> Self {
        self.client = self.client.base_url(base);
        self
    }
    /// Uses your own reqwest client (shared by the platform and every authorizer).
    pub fn http_client(mut self, c: reqwest::Client) -> Self {
        self.client = self.client.http_client(c);
        self
    }
    /// The retry policy of the platform's and the authorizers' calls.
    pub fn retry_policy(mut self, p: RetryPolicy) -> Self {
        self.client = self.client.retry_policy(p);
        self
    }
    /// Where the component token and the authorizers' access tokens are cached (default: in
    /// memory). Share it (Redis) between the platform's processes.
    pub fn token_store(mut self, store: Arc<dyn TokenStore>) -> Self {
        self.client = self.client.token_store(store);
        self
    }
    /// Token manager tuning (margins, lock lifetime and wait).
    pub fn token_config(mut self, c: TokenConfig) -> Self {
        self.client = self.client.token_config(c);
        self
    }
    /// Where the verify ticket and refresh tokens live (default: in memory, which a restart
    /// loses — use PostgreSQL, or Redis with persistence, in production).
    pub fn credential_store(mut self, store: Arc<dyn CredentialStore>) -> Self {
        self.credentials = Some(store);
        self
    }
    /// How long a call waits for a verify ticket push after asking WeChat for one (default 15 s).
    pub fn ticket_wait(mut self, wait: Duration) -> Self {
        self.ticket_wait = wait;
        self
    }

    /// Builds the platform.
    pub fn build(mut self) -> Result<Component, Error> {
        let http = self.client.http_or_new()?;
        // One store for the platform and every authorizer (keys are scoped by AppID).
        let store = self.client.store_or_new();
        let template = self.client.clone().token_store(store).http_client(http.clone());
        let credentials = self.credentials.unwrap_or_else(|| Arc::new(MemoryCredentials::new()));
        let state = Arc::new(PlatformState { credentials: credentials.clone(), ticket_wait: self.ticket_wait });
        let appid = template.appid().to_string();
        if appid.is_empty() || template.secret_is_empty() {
            return Err(Error::Config("component appid and secret must not be empty".to_string()));
        }
        let client = template.clone().build_with(http.clone(), appid, Some(state))?;
        Ok(Component {
            client,
            shared: Arc::new(Shared { credentials, template, http, authorizers: RwLock::new(HashMap::new()) }),
        })
    }
}

impl<K: Send + Sync + 'static> PushSink<K> for Component {
    fn apply_push<'a>(&'a self, push: &'a ComponentPush<K>) -> BoxFuture<'a, Result<(), Error>> {
        Box::pin(self.apply(push))
    }
}
