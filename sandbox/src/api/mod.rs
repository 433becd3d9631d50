//! The WeChat-side HTTP surface: one routing table (path → handler; the method, credential and
//! body kind of each path come from the spec, `spec-table.json`) and the dispatcher that applies
//! the rules every endpoint shares, in WeChat's order: count the call, delay, roll for a fault,
//! check the access_token, check the method, parse the body, check it against the spec
//! (required fields, types, enum values, message kinds, limits), then run the handler. Area
//! handlers, named after the spec's areas, keep only state and behaviour.

pub(crate) mod ai;
pub(crate) mod autoreply;
pub(crate) mod base;
pub(crate) mod card;
pub(crate) mod comment;
pub(crate) mod component;
pub(crate) mod custom_service;
pub(crate) mod datacube;
pub(crate) mod draft;
pub(crate) mod groups;
pub(crate) mod invoice;
pub(crate) mod jssdk;
pub(crate) mod kf;
pub(crate) mod marketcode;
pub(crate) mod mass;
pub(crate) mod material;
pub(crate) mod media;
pub(crate) mod menu;
pub(crate) mod oauth;
pub(crate) mod publish;
pub(crate) mod qrcode;
pub(crate) mod qrcode_jump;
pub(crate) mod subscribe;
pub(crate) mod tags;
pub(crate) mod template;
pub(crate) mod user;

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use axum::extract::{DefaultBodyLimit, FromRequest, Multipart, Request, State as AxState};
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;
use serde_json::Value;

use crate::faults::Fault;
use crate::reply::{err, Outcome, Reply, WxError};
use crate::state::{Shared, State};

/// What the body carries (from the spec's `body.kind`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Input {
    None,
    /// A JSON object.
    Json,
    Multipart,
}

pub(crate) type Handler = fn(&Ctx<'_>) -> Outcome;

/// One path's behaviour. How it is received (method, credential, body kind) is the spec's:
/// [`crate::spec::reception`].
pub(crate) type Route = Handler;

/// A closure as a [`Route`] (a plain `fn` item coerces by itself).
pub(crate) fn route(handler: Handler) -> Route {
    handler
}

/// One multipart part.
#[derive(Clone, Debug)]
pub(crate) struct Part {
    pub name: String,
    pub filename: Option<String>,
    pub content_type: Option<String>,
    pub data: Vec<u8>,
}

/// What a handler sees of its request.
pub(crate) struct Ctx<'a> {
    pub shared: &'a Shared,
    pub query: HashMap<String, String>,
    pub body: Value,
    pub parts: Vec<Part>,
}

impl Ctx<'_> {
    /// A query parameter, `None` when absent or empty.
    pub fn q(&self, key: &str) -> Option<&str> {
        self.query.get(key).map(String::as_str).filter(|s| !s.is_empty())
    }

    /// Runs `f` with the state locked.
    pub fn with<R>(&self, f: impl FnOnce(&mut State) -> R) -> R {
        self.shared.with(f)
    }

    /// A string field of the JSON body, `None` when absent, not a string, or empty.
    pub fn s(&self, key: &str) -> Option<&str> {
        str_of(&self.body, key)
    }

    /// A required string field: 47001 naming the field when missing.
    pub fn need(&self, key: &str) -> Result<&str, WxError> {
        self.s(key).ok_or_else(|| missing(key))
    }

    /// An integer field (accepting numeric strings, as WeChat does).
    pub fn i(&self, key: &str) -> Option<i64> {
        int_of(&self.body, key)
    }
}

/// `v[key]` as a non-empty string.
pub(crate) fn str_of<'v>(v: &'v Value, key: &str) -> Option<&'v str> {
    v.get(key).and_then(Value::as_str).filter(|s| !s.is_empty())
}

/// `v[key]` as an integer (a number or a numeric string).
pub(crate) fn int_of(v: &Value, key: &str) -> Option<i64> {
    match v.get(key)? {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        Value::Bool(b) => Some(i64::from(*b)),
        _ => None,
    }
}

/// 47001 naming a missing field.
pub(crate) fn missing(field: &str) -> WxError {
    err(47001, format!("data format error, missing or invalid field \"{field}\""))
}

/// 40003 for an OpenID that does not follow the account.
pub(crate) fn invalid_openid() -> WxError {
    err(40003, "invalid openid")
}

/// Every area's routes, in registration order.
/// Every route with the spec area whose behaviour it is: the file of the area (`user.rs` for the
/// `user` area) registers it.
fn area_routes() -> Vec<(&'static str, Vec<(&'static str, Route)>)> {
    vec![
        ("ai", ai::routes()),
        ("autoreply", autoreply::routes()),
        ("base", base::routes()),
        ("card", card::routes()),
        ("comment", comment::routes()),
        ("component", component::routes()),
        ("custom_service", custom_service::routes()),
        ("datacube", datacube::routes()),
        ("draft", draft::routes()),
        ("groups", groups::routes()),
        ("invoice", invoice::routes()),
        ("jssdk", jssdk::routes()),
        ("kf", kf::routes()),
        ("marketcode", marketcode::routes()),
        ("mass", mass::routes()),
        ("material", material::routes()),
        ("media", media::routes()),
        ("menu", menu::routes()),
        ("oauth", oauth::routes()),
        ("publish", publish::routes()),
        ("qrcode", qrcode::routes()),
        ("qrcode_jump", qrcode_jump::routes()),
        ("subscribe", subscribe::routes()),
        ("tags", tags::routes()),
        ("template", template::routes()),
        ("user", user::routes()),
    ]
}

fn all_routes() -> Vec<(&'static str, Route)> {
    area_routes().into_iter().flat_map(|(_, r)| r).collect()
}

/// `(area, path)` of every route: the spec area whose file answers it (checked against the
/// spec by the workspace's `tests/sandbox_routes.rs`).
pub fn route_areas() -> Vec<(&'static str, &'static str)> {
    let mut out: Vec<_> =
        area_routes().into_iter().flat_map(|(area, r)| r.into_iter().map(move |(path, _)| (area, path))).collect();
    out.sort();
    out
}

/// Every WeChat route the sandbox answers, as `(METHOD, path)`, sorted (the admin API under
/// `/__sandbox/` is not WeChat's and is not listed).
/// A handler on a path the spec does not have is listed with the method `?` (and answers 40066).
pub fn route_list() -> Vec<(&'static str, &'static str)> {
    let mut out: Vec<(&'static str, &'static str)> = all_routes()
        .into_iter()
        .map(|(path, _)| {
            let method = match crate::spec::reception(path) {
                Some(r) if r.get => "GET",
                Some(_) => "POST",
                None => "?",
            };
            (method, path)
        })
        .collect();
    out.sort();
    out
}

fn routes() -> &'static HashMap<&'static str, Route> {
    static ROUTES: OnceLock<HashMap<&'static str, Route>> = OnceLock::new();
    ROUTES.get_or_init(|| all_routes().into_iter().collect())
}

/// The whole router: the admin API, then every WeChat path through [`dispatch`].
pub(crate) fn router(shared: Arc<Shared>) -> Router {
    crate::admin::routes().fallback(dispatch).layer(DefaultBodyLimit::max(32 * 1024 * 1024)).with_state(shared)
}

async fn dispatch(AxState(shared): AxState<Arc<Shared>>, req: Request) -> Response {
    let path = req.uri().path().to_string();
    let route = routes().get(path.as_str()).copied();
    shared.with(|s| {
        *s.stats.calls_by_path.entry(path.clone()).or_default() += 1;
        match path.as_str() {
            "/cgi-bin/token" => s.stats.token_requests += 1,
            "/cgi-bin/stable_token" => s.stats.stable_token_requests += 1,
            "/cgi-bin/component/api_component_token" => s.component.stats.component_token_requests += 1,
            _ => {}
        }
    });
    if let Some(delay) = shared.delay() {
        tokio::time::sleep(delay).await;
    }
    let (Some(route), Some(reception)) = (route, crate::spec::reception(&path)) else {
        return Reply::Error(err(40066, format!("invalid url ({path} is not a WeChat API path)"))).into_response();
    };
    let query: HashMap<String, String> =
        req.uri().query().and_then(|q| serde_urlencoded_pairs(q).ok()).unwrap_or_default();

    if reception.app_token || reception.component_token.is_some() {
        let fault = shared.with(|s| {
            let f = s.faults.roll();
            if f.is_some() {
                s.stats.faults_injected += 1;
            }
            f
        });
        match fault {
            Some(Fault::SystemError) => return Reply::Error(err(-1, "system error")).into_response(),
            Some(Fault::BadGateway) => return Reply::Status(StatusCode::BAD_GATEWAY).into_response(),
            None => {}
        }
    }
    if let Some(name) = reception.component_token {
        let token = query.get(name).map(String::as_str).unwrap_or("");
        if token.is_empty() {
            return Reply::Error(err(41001, format!("{name} missing"))).into_response();
        }
        if let Err(e) = shared.with(|s| s.component.check_token(token)) {
            return Reply::Error(e).into_response();
        }
    }
    if reception.app_token {
        let token = query.get("access_token").map(String::as_str).unwrap_or("");
        if token.is_empty() {
            return Reply::Error(err(41001, "access_token missing")).into_response();
        }
        if let Err(e) = shared.with(|s| s.tokens.check(token)) {
            return Reply::Error(e).into_response();
        }
    }

    let method = req.method().clone();
    match reception.get {
        true if method != Method::GET => return Reply::Error(err(43001, "require GET method")).into_response(),
        false if method != Method::POST => return Reply::Error(err(43002, "require POST method")).into_response(),
        _ => {}
    }

    let mut body = Value::Object(Default::default());
    let mut parts = Vec::new();
    match reception.input {
        Input::None => {}
        Input::Json => {
            let bytes = match axum::body::to_bytes(req.into_body(), 32 * 1024 * 1024).await {
                Ok(b) => b,
                Err(_) => return Reply::Error(err(47001, "data format error")).into_response(),
            };
            if bytes.iter().all(u8::is_ascii_whitespace) {
                return Reply::Error(err(44002, "empty post data")).into_response();
            }
            match serde_json::from_slice::<Value>(&bytes) {
                Ok(v @ Value::Object(_)) => body = v,
                _ => return Reply::Error(err(47001, "data format error")).into_response(),
            }
        }
        // No form at all (e.g. OCR with only `img_url`): the handler sees no parts.
        Input::Multipart if !is_form(&req) => {}
        Input::Multipart => match read_parts(req).await {
            Ok(p) => parts = p,
            Err(e) => return Reply::Error(e).into_response(),
        },
    }

    // Required fields, types, enum values, message kinds and limits come from the spec
    // (spec-table.json), not from each handler.
    if let Err(e) = crate::spec::check(&path, &query, &body, reception.input == Input::Json) {
        return Reply::Error(e).into_response();
    }
    let ctx = Ctx { shared: &shared, query, body, parts };
    match route(&ctx) {
        Ok(reply) => reply.into_response(),
        Err(e) => base::logged_error(&ctx, e).into_response(),
    }
}

fn is_form(req: &Request) -> bool {
    let ct = req.headers().get(axum::http::header::CONTENT_TYPE).and_then(|v| v.to_str().ok());
    ct.is_some_and(|ct| ct.starts_with("multipart/"))
}

async fn read_parts(req: Request) -> Result<Vec<Part>, WxError> {
    let (head, body) = req.into_parts();
    let bytes = axum::body::to_bytes(body, 32 * 1024 * 1024).await.map_err(|_| err(41005, "media data missing"))?;
    // A form without parts is the closing boundary alone (`--BOUNDARY--`).
    let t = bytes.trim_ascii();
    if t.is_empty() || (t.starts_with(b"--") && t.ends_with(b"--") && !t.contains(&b'\n')) {
        return Ok(Vec::new());
    }
    let req = Request::from_parts(head, axum::body::Body::from(bytes));
    let mut mp = Multipart::from_request(req, &()).await.map_err(|_| err(41005, "media data missing"))?;
    let mut parts = Vec::new();
    loop {
        match mp.next_field().await {
            Ok(Some(field)) => {
                let name = field.name().unwrap_or_default().to_string();
                let filename = field.file_name().map(str::to_string);
                let content_type = field.content_type().map(str::to_string);
                let data = field.bytes().await.map_err(|_| err(41005, "media data missing"))?;
                parts.push(Part { name, filename, content_type, data: data.to_vec() });
            }
            Ok(None) => break,
            Err(_) => return Err(err(41005, "media data missing")),
        }
    }
    Ok(parts)
}

/// Parses a query string (percent-decoding, `+` as space).
fn serde_urlencoded_pairs(q: &str) -> Result<HashMap<String, String>, ()> {
    axum::extract::Query::<HashMap<String, String>>::try_from_uri(&format!("/?{q}").parse().map_err(|_| ())?)
        .map(|axum::extract::Query(m)| m)
        .map_err(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_path_is_registered_once_and_well_formed() {
        let all = all_routes();
        let unique: std::collections::HashSet<_> = all.iter().map(|(p, _)| *p).collect();
        assert_eq!(unique.len(), all.len(), "a path is registered twice");
        assert!(all.iter().all(|(p, _)| p.starts_with('/') && !p.ends_with('/') && !p.contains('?')));
        assert!(all.len() > 100, "{} routes", all.len());
    }
}
