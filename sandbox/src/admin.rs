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
