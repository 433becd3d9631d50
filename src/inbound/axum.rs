//! The callback endpoint as an axum router (feature `axum`): `GET` answers WeChat's URL
//! verification, `POST` runs `Callback::handle` around your handler.
//!
//! ```no_run
//! use wechat_oa::callback::{Callback, Message, Reply};
//!
//! async fn on_message(msg: Message) -> Option<Reply> {
//!     Some(msg.reply_text("got it"))
//! }
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! let cb = Callback::new("token", "wx_appid");
//! let app: axum::Router = axum::Router::new().nest("/wechat", wechat_oa::callback::axum::router(cb, on_message));
//! # let _ = app; Ok(()) }
//! ```

use std::future::Future;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, RawQuery, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use tracing::Instrument;

use super::{
    Callback, CallbackAccounts, CallbackError, CallbackQuery, ComponentCallback, ComponentKinds, ComponentPush,
    Message, MessageKinds, PushSink, Reply,
};

type Handler<K> = Arc<
    dyn Fn(Message<K>) -> crate::future::BoxFuture<'static, Option<Reply<<K as MessageKinds>::Reply>>> + Send + Sync,
>;

struct AppState<K: MessageKinds> {
    cb: Callback<K>,
    handler: Handler<K>,
}

/// A router answering `GET /` (verification) and `POST /` (pushes) with `handler`.
pub fn router<K, F, Fut>(cb: Callback<K>, handler: F) -> Router
where
    K: MessageKinds,
    F: Fn(Message<K>) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Option<Reply<K::Reply>>> + Send + 'static,
{
    let limit = cb.body_limit().saturating_add(1);
    let handler: Handler<K> = Arc::new(move |m| Box::pin(handler(m)));
    Router::new()
        .route("/", get(verify::<K>).post(push::<K>))
        .layer(DefaultBodyLimit::max(limit))
        .with_state(Arc::new(AppState { cb, handler }))
}

fn rejected(e: &CallbackError) -> Response {
    tracing::warn!(check = e.check(), error = %e, "callback rejected");
    let status = StatusCode::from_u16(e.http_status()).unwrap_or(StatusCode::BAD_REQUEST);
    (status, e.to_string()).into_response()
}

fn query(raw: Option<String>) -> Result<CallbackQuery, CallbackError> {
    CallbackQuery::from_query_string(raw.as_deref().unwrap_or(""))
}

async fn verify<K: MessageKinds>(State(st): State<Arc<AppState<K>>>, RawQuery(raw): RawQuery) -> Response {
    let span = tracing::info_span!("wechat.callback", method = "GET", check = tracing::field::Empty);
    let _g = span.enter();
    match query(raw).and_then(|q| st.cb.verify_url(&q)) {
        Ok(echo) => (StatusCode::OK, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], echo).into_response(),
        Err(e) => {
            span.record("check", e.check());
            rejected(&e)
        }
    }
}

async fn push<K: MessageKinds>(State(st): State<Arc<AppState<K>>>, RawQuery(raw): RawQuery, body: Bytes) -> Response {
    let span =
        tracing::info_span!("wechat.callback", method = "POST", bytes = body.len(), check = tracing::field::Empty,);
    let st2 = st.clone();
    let out = detached(
        async move {
            let q = query(raw)?;
            let handler = st2.handler.clone();
            st2.cb.handle(&q, &body, move |m| handler(m)).await
        }
        .instrument(span.clone()),
    )
    .await;
    answer(out, &span)
}

/// Runs the pipeline in its own task: when WeChat gives up on a request (its 5 s deadline) and
/// closes the connection, the handler still finishes and its reply is stored for the retry,
/// instead of the claim being abandoned and the message handled a second time.
async fn detached<F>(pipeline: F) -> Result<String, CallbackError>
where
    F: Future<Output = Result<String, CallbackError>> + Send + 'static,
{
    match tokio::spawn(tracing::instrument::WithSubscriber::with_current_subscriber(pipeline)).await {
        Ok(out) => out,
        Err(e) => {
            // The handler panicked (its claim was abandoned, so a retry handles the push).
            tracing::error!(panicked = e.is_panic(), "the callback handler did not finish");
            Err(CallbackError::HandlerFailed)
        }
    }
}

fn answer(out: Result<String, CallbackError>, span: &tracing::Span) -> Response {
    match out {
        Ok(body) => {
            let ct = if body == "success" { "text/plain; charset=utf-8" } else { "application/xml; charset=utf-8" };
            (StatusCode::OK, [(header::CONTENT_TYPE, ct)], body).into_response()
        }
        Err(e) => {
            span.record("check", e.check());
            let _g = span.enter();
            rejected(&e)
        }
    }
}

type AccountHandler<K> = Arc<
    dyn Fn(String, Message<K>) -> crate::future::BoxFuture<'static, Option<Reply<<K as MessageKinds>::Reply>>>
        + Send
        + Sync,
>;

struct ManyState<K: MessageKinds> {
    accounts: CallbackAccounts<K>,
    handler: AccountHandler<K>,
}

/// One router for many accounts: `GET /{appid}` (verification) and `POST /{appid}` (pushes),
/// the account chosen by the path among those registered in `accounts` at the time of the
/// request (add and remove them at run time). `handler` is called with the account's AppID
/// and the message. An AppID not registered answers 404; a push signed with another account's
/// token answers 401, like any bad signature. Each account's own body limit is enforced by
/// its `Callback`; above that, axum's default limit (2 MiB) applies to every request.
///
/// ```no_run
/// use wechat_oa::callback::{Callback, CallbackAccounts, Message, Reply};
///
/// async fn on_message(appid: String, msg: Message) -> Option<Reply> {
///     Some(msg.reply_text(format!("hello from {appid}")))
/// }
/// # fn demo() -> Result<(), wechat_oa::callback::CallbackError> {
/// let accounts = CallbackAccounts::new();
/// accounts.add(Callback::new("token-a", "wx_appid_a"));
/// accounts.add(Callback::new("token-b", "wx_appid_b").with_aes_key("abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG")?);
/// let app: axum::Router =
///     axum::Router::new().nest("/wechat", wechat_oa::callback::axum::accounts_router(accounts.clone(), on_message));
/// // later, at run time:
/// accounts.remove("wx_appid_a");
/// # let _ = app; Ok(()) }
/// ```
pub fn accounts_router<K, F, Fut>(accounts: CallbackAccounts<K>, handler: F) -> Router
where
    K: MessageKinds,
    F: Fn(String, Message<K>) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Option<Reply<K::Reply>>> + Send + 'static,
{
    let handler: AccountHandler<K> = Arc::new(move |appid, m| Box::pin(handler(appid, m)));
    Router::new()
        .route("/{appid}", get(verify_account::<K>).post(push_account::<K>))
        .with_state(Arc::new(ManyState { accounts, handler }))
}

fn unknown_account(appid: &str) -> Response {
    tracing::warn!(appid, "callback for an account that is not registered");
    (StatusCode::NOT_FOUND, "unknown account").into_response()
}

async fn verify_account<K: MessageKinds>(
    State(st): State<Arc<ManyState<K>>>,
    Path(appid): Path<String>,
    RawQuery(raw): RawQuery,
) -> Response {
    let Some(cb) = st.accounts.get(&appid) else {
        return unknown_account(&appid);
    };
    let span = tracing::info_span!("wechat.callback", method = "GET", appid = %appid, check = tracing::field::Empty);
    let _g = span.enter();
    match query(raw).and_then(|q| cb.verify_url(&q)) {
        Ok(echo) => (StatusCode::OK, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], echo).into_response(),
        Err(e) => {
            span.record("check", e.check());
            rejected(&e)
        }
    }
}

async fn push_account<K: MessageKinds>(
    State(st): State<Arc<ManyState<K>>>,
    Path(appid): Path<String>,
    RawQuery(raw): RawQuery,
    body: Bytes,
) -> Response {
    let Some(cb) = st.accounts.get(&appid) else {
        return unknown_account(&appid);
    };
    let span = tracing::info_span!(
        "wechat.callback",
        method = "POST",
        appid = %appid,
        bytes = body.len(),
        check = tracing::field::Empty,
    );
    let handler = st.handler.clone();
    let out = detached(
        async move {
            let q = query(raw)?;
            cb.handle(&q, &body, move |m| handler(appid, m)).await
        }
        .instrument(span.clone()),
    )
    .await;
    answer(out, &span)
}

type PushHandler<K> = Arc<dyn Fn(ComponentPush<K>) -> crate::future::BoxFuture<'static, ()> + Send + Sync>;

struct PlatformRoute<K, S> {
    platform: S,
    cb: ComponentCallback<K>,
    handler: PushHandler<K>,
}

/// A third-party platform's authorisation-event URL (授权事件接收 URL): `POST /` verifies and
/// decrypts the push, lets [`Component::apply`](crate::Component::apply) store the verify
/// ticket, exchange an authorisation code or revoke an authorizer, then calls `handler` and
/// answers `success`. When applying fails (the credential store is down), it answers 500 so
/// that WeChat delivers the push again, and `handler` is not called.
///
/// ```no_run
/// use wechat_oa::callback::{ComponentCallback, ComponentPush};
/// # fn demo(platform: wechat_oa::Component) -> Result<(), wechat_oa::callback::CallbackError> {
/// let cb = ComponentCallback::new("token", platform.appid(), "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG")?;
/// let app: axum::Router = axum::Router::new().nest(
///     "/platform/events",
///     wechat_oa::callback::axum::component_router(platform, cb, |push: ComponentPush| async move {
///         tracing::info!(info_type = push.info_type(), "platform push");
///     }),
/// );
/// # let _ = app; Ok(()) }
/// ```
pub fn component_router<K, S, F, Fut>(platform: S, cb: ComponentCallback<K>, handler: F) -> Router
where
    K: ComponentKinds,
    S: PushSink<K>,
    F: Fn(ComponentPush<K>) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    let limit = cb.body_limit().saturating_add(1);
    let handler: PushHandler<K> = Arc::new(move |p| Box::pin(handler(p)));
    Router::new()
        .route("/", axum::routing::post(platform_push::<K, S>))
        .layer(DefaultBodyLimit::max(limit))
        .with_state(Arc::new(PlatformRoute { platform, cb, handler }))
}

async fn platform_push<K: ComponentKinds, S: PushSink<K>>(
    State(st): State<Arc<PlatformRoute<K, S>>>,
    RawQuery(raw): RawQuery,
    body: Bytes,
) -> Response {
    let span = tracing::info_span!(
        "wechat.component_callback",
        bytes = body.len(),
        info_type = tracing::field::Empty,
        check = tracing::field::Empty,
    );
    let st2 = st.clone();
    // Detached like the account pipeline: a dropped connection does not cut a code exchange
    // (whose refresh token must be stored) in half.
    let work = async move {
        let push = match query(raw).and_then(|q| st2.cb.open(&q, &body)) {
            Ok(p) => p,
            Err(e) => {
                tracing::Span::current().record("check", e.check());
                return rejected(&e);
            }
        };
        tracing::Span::current().record("info_type", push.info_type());
        if let Err(e) = st2.platform.apply_push(&push).await {
            tracing::error!(error = %e, "could not act on the platform push; answering 500 so that WeChat sends it again");
            return (StatusCode::INTERNAL_SERVER_ERROR, "could not store the push").into_response();
        }
        (st2.handler)(push).await;
        (StatusCode::OK, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], "success").into_response()
    }
    .instrument(span);
    match tokio::spawn(tracing::instrument::WithSubscriber::with_current_subscriber(work)).await {
        Ok(r) => r,
        Err(_) => (StatusCode::INTERNAL_SERVER_ERROR, "the push handler did not finish").into_response(),
    }
}
