//! The admin API for out-of-process tests, under `/__sandbox/`:
//!
//! | method | path | effect |
//! |---|---|---|
//! | GET | `/__sandbox/stats` | [`crate::Stats`] as JSON |
//! | POST | `/__sandbox/revoke` | every issued app token → 40001 |
//! | POST | `/__sandbox/expire` | every issued app token → 42001 |
//! | POST | `/__sandbox/faults` | body: [`crate::Faults`] JSON (`delay` as `{"secs":1,"nanos":0}`, or `delay_ms`) |
//! | GET | `/__sandbox/sent` | every delivered [`crate::SentMessage`] |
//! | GET | `/__sandbox/users` | follower OpenIDs |
//! | POST | `/__sandbox/oauth_code` | body `{"openid","scope"}` → `{"code"}` |
//! | POST | `/__sandbox/apps` | body `{"appid","secret"}`: another app may obtain tokens ([`crate::Sandbox::add_app`]) |
//! | POST | `/__sandbox/component/push_ticket` | push a verify ticket now → `{"ticket"}` ([`crate::Sandbox::push_verify_ticket`]) |
//! | POST | `/__sandbox/component/authorize` | body `{"authorizer_appid"}` → `{"auth_code"}` ([`crate::Sandbox::authorize`]) |
//! | POST | `/__sandbox/component/unauthorize` | body `{"authorizer_appid"}` → `{"unauthorized": bool}` ([`crate::Sandbox::unauthorize`]) |
//! | POST | `/__sandbox/component/omit_list_refresh_token` | body `{"authorizer_appid"}` → `{"known": bool}` ([`crate::Sandbox::omit_list_refresh_token`]) |
//! | POST | `/__sandbox/component/callback` | body `{"url"}`: where the component's pushes go ([`crate::Sandbox::set_component_callback`]) |
//! | GET | `/__sandbox/component/stats` | [`crate::ComponentStats`] as JSON |
//!
//! The component routes are also served under `/admin/component/…` (the name the
//! third-party-platform contract uses). Component pushes answer once the developer's server
//! has answered (or the 5 s timeout passed); nothing is held locked meanwhile.
//!
//! Admin calls are never delayed, faulted or counted.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;

use crate::faults::Faults;
use crate::state::Shared;

pub(crate) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/__sandbox/stats", get(stats))
        .route("/__sandbox/revoke", post(revoke))
        .route("/__sandbox/expire", post(expire))
        .route("/__sandbox/faults", post(faults))
        .route("/__sandbox/sent", get(sent))
        .route("/__sandbox/users", get(users))
        .route("/__sandbox/oauth_code", post(oauth_code))
        .route("/__sandbox/apps", post(add_app))
        .nest("/__sandbox/component", component_routes())
        .nest("/admin/component", component_routes())
}

fn component_routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/push_ticket", post(push_ticket))
        .route("/authorize", post(authorize))
        .route("/unauthorize", post(unauthorize))
        .route("/omit_list_refresh_token", post(omit_list_refresh_token))
        .route("/callback", post(set_callback))
        .route("/stats", get(component_stats))
}

#[derive(Deserialize)]
struct AuthorizerRequest {
    authorizer_appid: String,
}

/// The `authorizer_appid` of an admin body, or the text of the 400 to answer.
fn authorizer_appid(body: &[u8]) -> Result<String, String> {
    match serde_json::from_slice::<AuthorizerRequest>(body) {
        Ok(r) if !r.authorizer_appid.is_empty() => Ok(r.authorizer_appid),
        Ok(_) => Err("authorizer_appid must not be empty".to_string()),
        Err(e) => Err(format!("expected {{\"authorizer_appid\"}}: {e}")),
    }
}

fn bad_request(why: String) -> Response {
    (StatusCode::BAD_REQUEST, why).into_response()
}

fn no_component(s: &Shared) -> Option<Response> {
    s.config.component.is_none().then(|| (StatusCode::NOT_FOUND, "the sandbox has no component").into_response())
}

async fn push_ticket(State(s): State<Arc<Shared>>) -> Response {
    if let Some(r) = no_component(&s) {
        return r;
    }
    Json(json!({"ticket": crate::api::component::push_ticket(&s).await})).into_response()
}

async fn authorize(State(s): State<Arc<Shared>>, body: axum::body::Bytes) -> Response {
    if let Some(r) = no_component(&s) {
        return r;
    }
    match authorizer_appid(&body) {
        Ok(appid) => Json(json!({"auth_code": crate::api::component::authorize(&s, &appid).await})).into_response(),
        Err(why) => bad_request(why),
    }
}

async fn unauthorize(State(s): State<Arc<Shared>>, body: axum::body::Bytes) -> Response {
    match authorizer_appid(&body) {
        Ok(appid) => {
            Json(json!({"unauthorized": crate::api::component::unauthorize(&s, &appid).await})).into_response()
        }
        Err(why) => bad_request(why),
    }
}

async fn omit_list_refresh_token(State(s): State<Arc<Shared>>, body: axum::body::Bytes) -> Response {
    match authorizer_appid(&body) {
        Ok(appid) => Json(json!({"known": s.with(|st| st.component.omit_list_refresh_token(&appid))})).into_response(),
        Err(why) => bad_request(why),
    }
}

#[derive(Deserialize)]
struct CallbackRequest {
    url: String,
}

async fn set_callback(State(s): State<Arc<Shared>>, body: axum::body::Bytes) -> Response {
    match serde_json::from_slice::<CallbackRequest>(&body) {
        Ok(r) if r.url.starts_with("http://") || r.url.starts_with("https://") => {
            s.with(|st| st.component.callback_url = Some(r.url));
            StatusCode::NO_CONTENT.into_response()
        }
        Ok(_) => (StatusCode::BAD_REQUEST, "url must be an http(s) URL").into_response(),
        Err(e) => (StatusCode::BAD_REQUEST, format!("expected {{\"url\"}}: {e}")).into_response(),
    }
}

async fn component_stats(State(s): State<Arc<Shared>>) -> Response {
    Json(crate::component_stats(&s)).into_response()
}

async fn stats(State(s): State<Arc<Shared>>) -> Response {
    Json(s.stats()).into_response()
}

async fn revoke(State(s): State<Arc<Shared>>) -> Response {
    s.with(|st| st.tokens.revoke_all());
    StatusCode::NO_CONTENT.into_response()
}

async fn expire(State(s): State<Arc<Shared>>) -> Response {
    s.with(|st| st.tokens.expire_all());
    StatusCode::NO_CONTENT.into_response()
}

async fn faults(State(s): State<Arc<Shared>>, body: axum::body::Bytes) -> Response {
    let mut value: serde_json::Value = match serde_json::from_slice(&body) {
        Ok(v) => v,
        Err(e) => return (StatusCode::BAD_REQUEST, format!("bad Faults JSON: {e}")).into_response(),
    };
    // Convenience for shell scripts: `"delay_ms": 250` instead of `"delay": {"secs":0,"nanos":250000000}`.
    if let Some(obj) = value.as_object_mut() {
        if let Some(ms) = obj.remove("delay_ms").and_then(|v| v.as_u64()) {
            obj.insert("delay".into(), json!({"secs": ms / 1000, "nanos": (ms % 1000) * 1_000_000}));
        }
    }
    match serde_json::from_value::<Faults>(value) {
        Ok(f) if (0.0..=1.0).contains(&f.transient_rate) => {
            s.set_faults(f);
            StatusCode::NO_CONTENT.into_response()
        }
        Ok(_) => (StatusCode::BAD_REQUEST, "transient_rate must be within 0..=1").into_response(),
        Err(e) => (StatusCode::BAD_REQUEST, format!("bad Faults JSON: {e}")).into_response(),
    }
}

async fn sent(State(s): State<Arc<Shared>>) -> Response {
    Json(s.with(|st| st.sent.clone())).into_response()
}

async fn users(State(s): State<Arc<Shared>>) -> Response {
    Json(s.with(|st| st.users.iter().map(|u| u.openid.clone()).collect::<Vec<_>>())).into_response()
}

#[derive(Deserialize)]
struct CodeRequest {
    openid: String,
    scope: String,
}

async fn oauth_code(State(s): State<Arc<Shared>>, body: axum::body::Bytes) -> Response {
    match serde_json::from_slice::<CodeRequest>(&body) {
        Ok(r) => Json(json!({"code": s.with(|st| st.oauth.issue_code(&r.openid, &r.scope))})).into_response(),
        Err(e) => (StatusCode::BAD_REQUEST, format!("expected {{\"openid\",\"scope\"}}: {e}")).into_response(),
    }
}

#[derive(Deserialize)]
struct AppRequest {
    appid: String,
    secret: String,
}

async fn add_app(State(s): State<Arc<Shared>>, body: axum::body::Bytes) -> Response {
    match serde_json::from_slice::<AppRequest>(&body) {
        Ok(r) if !r.appid.is_empty() && !r.secret.is_empty() => {
            s.with(|st| st.extra_apps.insert(r.appid, r.secret));
            StatusCode::NO_CONTENT.into_response()
        }
        Ok(_) => (StatusCode::BAD_REQUEST, "appid and secret must not be empty").into_response(),
        Err(e) => (StatusCode::BAD_REQUEST, format!("expected {{\"appid\",\"secret\"}}: {e}")).into_response(),
    }
}
