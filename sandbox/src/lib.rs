//! `wechat-oa-sandbox`: a local HTTP server that behaves like the WeChat Official Account API.
//!
//! One address serves the paths of `api.weixin.qq.com`, `mp.weixin.qq.com` (QR images) and
//! `open.weixin.qq.com` (OAuth authorisation). State (followers, tags, media, templates, drafts,
//! sent messages …) lives in memory; errors use WeChat's real `errcode`s and every error
//! `errmsg` ends with ` rid: …` like WeChat's.
//!
//! Tests drive it in-process through [`Sandbox`], or out of process through the admin API under
//! `/__sandbox/` (see [`admin`]).
//!
//! It also plays WeChat's side of a third-party platform (第三方平台, [`ComponentConfig`]): it
//! pushes verify tickets and authorisation notices, encrypted, to the platform's callback URL
//! ([`Sandbox::push_verify_ticket`], [`Sandbox::authorize`], [`Sandbox::unauthorize`]), answers
//! the `/cgi-bin/component/*` endpoints (refresh tokens rotate on every refresh), and lets the
//! authorizer access tokens it issues call every ordinary endpoint as the authorised account.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! let sandbox = wechat_oa_sandbox::Sandbox::start(Default::default()).await?;
//! println!("{}", sandbox.base_url());
//! sandbox.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! This file holds only the public surface; the behaviour lives in the modules below.

pub mod admin;
mod api;
pub mod callback;
mod faults;
mod reply;
mod spec;
mod state;
mod tokens;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use api::{route_areas, route_list};
pub use callback::{CallbackOutcome, CallbackTarget, PushError, UrlVerification};
pub use faults::Faults;

use state::Shared;

/// The component's counters, its push failures included.
pub(crate) fn component_stats(shared: &Shared) -> ComponentStats {
    let mut stats = shared.with(|s| s.component.stats.clone());
    stats.push_failures = shared.pushes.failures.load(std::sync::atomic::Ordering::Relaxed);
    stats
}

/// The account the sandbox pretends to be.
#[derive(Clone)]
pub struct SandboxConfig {
    /// The AppID clients must send.
    pub appid: String,
    /// The AppSecret clients must send.
    pub secret: String,
    /// Lifetime of an app access_token (`expires_in`), 7200 s by default.
    pub token_ttl: Duration,
    /// How long the previous `/cgi-bin/token` token stays valid after a new one is issued (300 s).
    pub token_grace: Duration,
    /// Number of seeded followers (25 by default).
    pub follower_count: usize,
    /// The third-party platform (第三方平台) the sandbox also plays; `None` answers its
    /// endpoints with 61011. The default is [`ComponentConfig::default`].
    pub component: Option<ComponentConfig>,
}

/// The third-party platform account (component) and where WeChat pushes its notices.
#[derive(Clone)]
pub struct ComponentConfig {
    /// The component AppID (also the receive id of its encrypted pushes).
    pub component_appid: String,
    /// The component AppSecret.
    pub component_appsecret: String,
    /// The message-check Token configured for the platform (signs its pushes).
    pub token: String,
    /// The platform's EncodingAESKey (43 characters; encrypts its pushes).
    pub encoding_aes_key: String,
    /// The 授权事件接收 URL: verify tickets and authorisation notices are POSTed here. `None`
    /// pushes nothing until [`Sandbox::set_component_callback`].
    pub callback_url: Option<String>,
    /// Push a new verify ticket this often (WeChat: every 10 minutes), the first one an
    /// interval after the start; `None` pushes only on demand ([`Sandbox::push_verify_ticket`],
    /// `api_start_push_ticket`).
    pub ticket_push_interval: Option<Duration>,
    /// Lifetime of a component_access_token, 7200 s by default.
    pub token_ttl: Duration,
}

impl Default for ComponentConfig {
    fn default() -> Self {
        ComponentConfig {
            component_appid: "wx3c0000sandboxcomp".to_string(),
            component_appsecret: "sandbox-component-secret-0123456789ab".to_string(),
            token: "sandbox-component-token".to_string(),
            encoding_aes_key: "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG".to_string(),
            callback_url: None,
            ticket_push_interval: None,
            token_ttl: Duration::from_secs(7200),
        }
    }
}

impl std::fmt::Debug for ComponentConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ComponentConfig")
            .field("component_appid", &self.component_appid)
            .field("component_appsecret", &"<redacted>")
            .field("token", &"<redacted>")
            .field("encoding_aes_key", &"<redacted>")
            .field("callback_url", &self.callback_url)
            .field("ticket_push_interval", &self.ticket_push_interval)
            .field("token_ttl", &self.token_ttl)
            .finish()
    }
}

/// The third-party platform's counters ([`Sandbox::component_stats`], `GET
/// /__sandbox/component/stats`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ComponentStats {
    /// `api_component_token` calls, successes and failures.
    pub component_token_requests: u64,
    /// `api_authorizer_token` calls, successes and failures.
    pub authorizer_token_refreshes: u64,
    /// `api_authorizer_token` calls refused because the refresh token had been rotated out.
    pub superseded_refresh_tokens_sent: u64,
    /// Authorisations ([`Sandbox::authorize`]), first ones and updates.
    pub authorizations: u64,
    /// `api_query_auth` calls, successes and failures.
    pub query_auth_calls: u64,
    /// `api_get_authorizer_list` calls.
    pub list_calls: u64,
    /// `api_get_authorizer_info` calls.
    pub info_calls: u64,
    /// Verify tickets issued (each pushed when a callback URL is set).
    pub ticket_pushes: u64,
    /// Pushes (tickets and notices) the callback URL did not answer with HTTP 200 `success`.
    pub push_failures: u64,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        SandboxConfig {
            appid: "wx5a4d0000sandbox".to_string(),
            secret: "sandbox-app-secret-0123456789abcdef".to_string(),
            token_ttl: Duration::from_secs(7200),
            token_grace: Duration::from_secs(300),
            follower_count: 25,
            component: Some(ComponentConfig::default()),
        }
    }
}

impl std::fmt::Debug for SandboxConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SandboxConfig")
            .field("appid", &self.appid)
            .field("secret", &"<redacted>")
            .field("token_ttl", &self.token_ttl)
            .field("token_grace", &self.token_grace)
            .field("follower_count", &self.follower_count)
            .field("component", &self.component)
            .finish()
    }
}

/// Call counters, as served by `GET /__sandbox/stats`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stats {
    /// `/cgi-bin/token` calls, successes and failures.
    pub token_requests: u64,
    /// `/cgi-bin/stable_token` calls, successes and failures.
    pub stable_token_requests: u64,
    /// Every WeChat-side request by path (admin paths excluded).
    pub calls_by_path: BTreeMap<String, u64>,
    /// Requests answered with an injected fault (errcode -1 or HTTP 502).
    pub faults_injected: u64,
}

/// One delivered message (custom-service, typing, mass, preview, template or subscription).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SentMessage {
    /// "custom", "typing", "mass_sendall", "mass_send", "mass_preview", "template",
    /// "subscribe" (a subscription notice) or "subscribe_once" (a one-time subscription message).
    pub kind: String,
    /// The recipient's OpenID when there is a single one.
    pub touser: Option<String>,
    /// The msgid WeChat answered with, when it answers one.
    pub msgid: Option<i64>,
    /// The request body as received.
    pub body: serde_json::Value,
}

/// A running sandbox. Dropping it without [`Sandbox::shutdown`] leaves the server task running
/// until the runtime ends.
pub struct Sandbox {
    shared: Arc<Shared>,
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
    /// The verify-ticket timer, when the component has an interval.
    timer: Option<JoinHandle<()>>,
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        // The ticket timer holds the state; it never outlives the handle.
        if let Some(timer) = self.timer.take() {
            timer.abort();
        }
    }
}

impl Sandbox {
    /// Binds `127.0.0.1:0` and serves in a tokio task.
    pub async fn start(config: SandboxConfig) -> std::io::Result<Sandbox> {
        Self::start_on(config, SocketAddr::from(([127, 0, 0, 1], 0))).await
    }

    /// Like [`Sandbox::start`] on a chosen address (the binary uses this for `--port`).
    pub async fn start_on(config: SandboxConfig, addr: SocketAddr) -> std::io::Result<Sandbox> {
        let shared = Arc::new(Shared::new(config));
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let app = api::router(shared.clone());
        let (tx, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let serve = axum::serve(listener, app).with_graceful_shutdown(async move {
                let _ = rx.await;
            });
            if let Err(e) = serve.await {
                tracing::warn!("sandbox server stopped: {e}");
            }
        });
        let interval = shared.config.component.as_ref().and_then(|c| c.ticket_push_interval);
        let timer =
            interval.filter(|d| !d.is_zero()).map(|d| tokio::spawn(api::component::ticket_timer(shared.clone(), d)));
        Ok(Sandbox { shared, addr, stop: Some(tx), task: Some(task), timer })
    }

    /// `http://127.0.0.1:PORT`; serves the api, mp and open hosts' paths.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The configuration the sandbox runs with.
    pub fn config(&self) -> &SandboxConfig {
        &self.shared.config
    }

    /// A snapshot of the call counters.
    pub fn stats(&self) -> Stats {
        self.shared.stats()
    }

    /// Every app token issued so far answers 40001 from now on.
    pub fn revoke_tokens(&self) {
        self.shared.with(|s| s.tokens.revoke_all());
    }

    /// Every app token issued so far answers 42001 from now on.
    pub fn expire_tokens(&self) {
        self.shared.with(|s| s.tokens.expire_all());
    }

    /// Every delivered message, in order.
    pub fn sent_messages(&self) -> Vec<SentMessage> {
        self.shared.with(|s| s.sent.clone())
    }

    /// Replaces the fault settings (and reseeds the fault dice).
    pub fn set_faults(&self, faults: Faults) {
        self.shared.set_faults(faults);
    }

    /// Issues an OAuth code as if `openid` had authorised `scope`; single use, valid 5 minutes.
    pub fn issue_oauth_code(&self, openid: &str, scope: &str) -> String {
        self.shared.with(|s| s.oauth.issue_code(openid, scope))
    }

    /// The WeChat user invited to the customer-service account `kf_account` accepts: the account
    /// is bound (and online). `false` when the account has no invitation.
    pub fn accept_kf_invite(&self, kf_account: &str) -> bool {
        self.shared.with(|s| s.kf.accept_invite(kf_account))
    }

    /// The follower `openid` sends `text` that is handed to customer service: recorded in the
    /// chat records of the agent serving them, or the follower waits for an agent (`getwaitcase`).
    pub fn kf_customer_message(&self, openid: &str, text: &str) {
        self.shared.with(|s| s.kf.customer_message(openid, text))
    }

    /// WeChat intercepts every later message sent with the template `template_id`: the send is
    /// answered as usual (with a msgid) but nothing is delivered, and the message is listed by
    /// `/wxa/sec/queryblocktmplmsg`. How WeChat decides to intercept is not documented; this is
    /// the sandbox's way to produce a blocked message.
    pub fn block_template(&self, template_id: &str) {
        self.shared.with(|s| s.intercepted_templates.insert(template_id.to_string()));
    }

    /// The AES-128 key of the 一物一码 packages `applycodedownload` answers (the key is also the
    /// IV; CBC, PKCS#7 padding; the plaintext has one `index,code,code_url` line per code). Real
    /// accounts receive their key with the permission.
    pub fn marketcode_key(&self) -> [u8; 16] {
        self.shared.with(|s| s.marketcode.key())
    }

    /// The user `openid` scans the 一物一码 code `code` (the raw code or its URL) and WeChat
    /// opens the mini program of its activation: the `code_ticket` the mini program receives
    /// (for `tickettocode`), or `None` when the code does not exist or is not activated.
    pub fn scan_market_code(&self, code: &str, openid: &str) -> Option<String> {
        self.shared.with(|s| s.marketcode.scan(code, openid))
    }

    /// The user `openid` opens the invoice authorisation page of `order_id` (from
    /// `getauthurl`) and taps 领取发票 / 申请开票: `getauthdata` answers `auth success` and the
    /// platform may `insert` the invoice. `false` when no URL was issued for the order or the
    /// merchant refused it.
    pub fn authorize_invoice(&self, order_id: &str, openid: &str) -> bool {
        self.shared.with(|s| s.invoice.authorize(order_id, openid))
    }

    /// The user `openid` picks invoices from the card bag with chooseInvoice: the
    /// `(card_id, encrypt_code)` of every invoice still there (not reimbursed or reversed), as
    /// handed to the reimburser.
    pub fn choose_invoices(&self, openid: &str) -> Vec<(String, String)> {
        self.shared.with(|s| s.invoice.choose(openid))
    }

    /// The follower `openid` takes one card of the kind `card_id` (from `card/create`), as by
    /// scanning its QR code: the new code, or `None` when the kind does not exist, is deleted or
    /// out of stock (each card taken lowers the stock by one).
    pub fn take_card(&self, card_id: &str, openid: &str) -> Option<String> {
        self.shared.with(|s| s.card.take(card_id, openid))
    }

    /// The `encrypt_code` a card page link carries for `code` (what `card/code/decrypt` takes);
    /// `None` for a code the sandbox did not issue.
    pub fn card_encrypt_code(&self, code: &str) -> Option<String> {
        self.shared.with(|s| s.card.encrypt(code))
    }

    /// A user submits a member card's activation form with these `(name, value)` fields
    /// (e.g. `("USER_FORM_INFO_FLAG_MOBILE", "13800000000")`): the `activate_ticket` that
    /// `card/membercard/activatetempinfo/get` takes.
    pub fn card_activation_form(&self, fields: &[(&str, &str)]) -> String {
        self.shared.with(|s| s.card.submit_activation_form(fields))
    }

    /// The card test whitelist last set by `card/testwhitelist/set`: (OpenIDs, usernames).
    pub fn card_test_whitelist(&self) -> (Vec<String>, Vec<String>) {
        self.shared.with(|s| s.card.whitelist())
    }

    /// The request body of the last ticket call (`boardingpass/checkin`,
    /// `meetingticket/updateuser`, `movieticket/updateuser`) on `code`.
    pub fn card_ticket(&self, code: &str) -> Option<serde_json::Value> {
        self.shared.with(|s| s.card.ticket(code))
    }

    /// Registers another app (AppID and AppSecret) that may obtain access tokens from
    /// `/cgi-bin/token`, for tests of several accounts in one process. Everything else (followers,
    /// messages …) is shared with the configured app; [`Sandbox::token_app`] tells which app a
    /// token was issued to.
    pub fn add_app(&self, appid: &str, secret: &str) {
        self.shared.with(|s| s.extra_apps.insert(appid.to_string(), secret.to_string()));
    }

    /// The AppID an access token was issued to (`None` for a token the sandbox never issued).
    pub fn token_app(&self, token: &str) -> Option<String> {
        self.shared.with(|s| s.token_apps.get(token).cloned())
    }

    /// How many access tokens were issued to `appid`.
    pub fn tokens_issued_to(&self, appid: &str) -> usize {
        self.shared.with(|s| s.token_apps.values().filter(|a| a.as_str() == appid).count())
    }

    /// The followers' OpenIDs, in follow order.
    pub fn users(&self) -> Vec<String> {
        self.shared.with(|s| s.users.iter().map(|u| u.openid.clone()).collect())
    }

    /// Signs (and optionally encrypts) `xml` like WeChat and POSTs it to `url`; see [`callback`].
    pub async fn push_callback(
        &self,
        url: &str,
        cfg: &CallbackTarget,
        xml: &str,
    ) -> Result<CallbackOutcome, PushError> {
        callback::push(url, cfg, xml).await
    }

    /// Sends WeChat's server-URL verification GET to `url`; `Ok(true)` when `echostr` came back.
    pub async fn verify_callback_url(&self, url: &str, token: &str) -> Result<bool, PushError> {
        callback::verify_url(url, token).await
    }

    /// Pushes a new component_verify_ticket to the component's callback URL now (waiting for
    /// the answer) and returns it. The latest and the previous ticket obtain component tokens.
    /// Without a callback URL nothing is sent but the ticket is issued; without a component
    /// the answer is "".
    pub async fn push_verify_ticket(&self) -> String {
        api::component::push_ticket(&self.shared).await
    }

    /// The account `authorizer_appid` authorises the platform (as on the authorisation page):
    /// it becomes an app of the sandbox whose authorizer access tokens work on every ordinary
    /// endpoint, `authorized` (or `updateauthorized` when it already was) is pushed with a new
    /// auth_code, which is returned (valid 10 minutes, once). "" without a component.
    pub async fn authorize(&self, authorizer_appid: &str) -> String {
        api::component::authorize(&self.shared, authorizer_appid).await
    }

    /// The account cancels the authorisation: `unauthorized` is pushed, its access tokens answer
    /// 40001 and its refresh token 61023, it leaves `api_get_authorizer_list`, and the endpoints
    /// naming it answer 61003. `false` (and no push) when it was not authorised.
    pub async fn unauthorize(&self, authorizer_appid: &str) -> bool {
        api::component::unauthorize(&self.shared, authorizer_appid).await
    }

    /// `api_get_authorizer_list` leaves `refresh_token` out for this account from now on (real
    /// answers sometimes do). `false` for an account that never authorised.
    pub fn omit_list_refresh_token(&self, authorizer_appid: &str) -> bool {
        self.shared.with(|s| s.component.omit_list_refresh_token(authorizer_appid))
    }

    /// Where the component's pushes go from now on.
    pub fn set_component_callback(&self, url: &str) {
        self.shared.with(|s| s.component.callback_url = Some(url.to_string()));
    }

    /// Every component_access_token issued so far answers 42001 from now on (authorizer access
    /// tokens are app tokens: [`Sandbox::expire_tokens`]).
    pub fn expire_component_tokens(&self) {
        self.shared.with(|s| s.component.expire_tokens());
    }

    /// A snapshot of the third-party platform's counters.
    pub fn component_stats(&self) -> ComponentStats {
        component_stats(&self.shared)
    }

    /// Stops serving and waits for the server task.
    pub async fn shutdown(mut self) {
        if let Some(timer) = self.timer.take() {
            timer.abort();
        }
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if let Some(mut task) = self.task.take() {
            // Idle keep-alive connections close on the signal; don't wait forever on a stuck one.
            if tokio::time::timeout(Duration::from_secs(3), &mut task).await.is_err() {
                task.abort();
            }
        }
    }
}
