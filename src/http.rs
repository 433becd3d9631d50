//! Executing one call: add the credential, send, classify the answer, and decide — from the
//! endpoint descriptor and the retry policy — whether to refresh the token or try again.
//!
//! Rules: a rejected access token (40001/40014/42001) is invalidated and the call repeated
//! once, for every endpoint (WeChat did not process it). Other repeats happen only for
//! idempotent endpoints, or when the request provably never left (connect errors, or a failed
//! token request before the call was sent).
//! Rate-limit and quota codes are never repeated. Nothing logged here carries a credential.

use std::time::Instant;

use bytes::Bytes;
use reqwest::header::{HeaderValue, CONTENT_DISPOSITION, CONTENT_TYPE};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use tracing::{field, Instrument};

use crate::descriptor::{Auth, BodyKind, Endpoint, Method};
use crate::error::{ApiError, Error, TransportKind};
use crate::files::{Download, JsonOrBinary};
use crate::multipart::Part;
use crate::redact::redact_secrets;
use crate::token::TokenKind;
use crate::Client;

/// A request body, ready to send (and to send again).
pub(crate) enum Payload {
    None,
    Json(Bytes),
    Multipart(Vec<Part>),
}

/// An HTTP answer.
pub(crate) struct Raw {
    pub status: u16,
    /// The headers as they came (moved out of the response, not copied).
    pub content_type: Option<HeaderValue>,
    pub disposition: Option<HeaderValue>,
    pub body: Bytes,
    /// `errcode`/`errmsg`, when the body is a JSON document carrying them.
    pub envelope: Option<Envelope>,
}

#[derive(Deserialize, Debug, Clone)]
pub(crate) struct Envelope {
    #[serde(default)]
    pub errcode: i64,
    #[serde(default)]
    pub errmsg: String,
}

/// URL-encodes the query parameters.
pub(crate) fn query_string<Q: Serialize + ?Sized>(ep: &Endpoint, query: &Q) -> Result<String, Error> {
    if let Some(q) = crate::query::encode(query) {
        return Ok(q);
    }
    serde_urlencoded::to_string(query)
        .map_err(|e| Error::InvalidRequest { endpoint: ep.name, message: format!("query: {e}") })
}

/// Serializes a JSON body (raw UTF-8; WeChat rejects `\u` escapes of Chinese text).
pub(crate) fn json_payload<B: Serialize + ?Sized>(ep: &Endpoint, body: Option<&B>) -> Result<Payload, Error> {
    match (ep.body, body) {
        (BodyKind::Json, Some(b)) => serde_json::to_vec(b)
            .map(|v| Payload::Json(Bytes::from(v)))
            .map_err(|e| Error::InvalidRequest { endpoint: ep.name, message: format!("body: {e}") }),
        _ => Ok(Payload::None),
    }
}

/// Sends the request with retries and token recovery; returns the final answer.
///
/// Everything happens inside a `wechat.call` span carrying the endpoint (`op`), the attempt
/// number, the HTTP status, WeChat's `errcode` and `rid`, whether the token was refreshed
/// after a rejection, and the total latency; one event closes each call (DEBUG when an answer
/// came back, WARN when none did).
pub(crate) async fn execute(client: &Client, ep: &Endpoint, query: &str, payload: Payload) -> Result<Raw, Error> {
    let span = tracing::info_span!(
        "wechat.call",
        op = ep.name,
        idempotent = ep.idempotent,
        attempt = field::Empty,
        status = field::Empty,
        errcode = field::Empty,
        rid = field::Empty,
        token_refreshed = field::Empty,
        latency_ms = field::Empty,
    );
    async move {
        let started = Instant::now();
        let result = attempts(client, ep, query, &payload).await;
        let span = tracing::Span::current();
        span.record("latency_ms", started.elapsed().as_millis() as u64);
        match &result {
            Ok(_) => tracing::debug!("call finished"),
            Err(e) => tracing::warn!(error = %e, "call failed"),
        }
        result
    }
    .instrument(span)
    .await
}

/// The attempt loop of [`execute`], run inside its span.
async fn attempts(client: &Client, ep: &Endpoint, query: &str, payload: &Payload) -> Result<Raw, Error> {
    let span = tracing::Span::current();
    client.check_active()?;
    let policy = client.retry_policy();
    let mut attempt: u32 = 0;
    let mut token_retried = false;
    loop {
        attempt += 1;
        span.record("attempt", attempt);
        let can_retry = attempt < policy.max_attempts;
        let (kind, param) = match ep.auth {
            Auth::AccessToken => (TokenKind::AccessToken, "access_token"),
            Auth::ComponentToken { query } => (TokenKind::ComponentToken, query),
            _ => (TokenKind::AccessToken, ""),
        };
        let token = match ep.auth {
            Auth::AccessToken | Auth::ComponentToken { .. } => match client.token_of(kind).await {
                Ok(t) => Some(t),
                // The call itself has not been sent, so any endpoint may try again. Store
                // failures are not retried here: they would only hammer a store that is down.
                Err(e) if can_retry && token_fetch_may_recover(&e) => {
                    tracing::debug!(attempt, error = %e, "could not obtain the access token; retrying");
                    tokio::time::sleep(policy.backoff(attempt)).await;
                    continue;
                }
                Err(e) => return Err(e),
            },
            _ => None,
        };
        let result = send_once(client, ep, query, token.as_deref().map(|t| (param, t)), payload).await;
        match result {
            Ok(raw) => {
                span.record("status", raw.status);
                if let Some(env) = &raw.envelope {
                    span.record("errcode", env.errcode);
                    if env.errcode != 0 {
                        if let Some(rid) = crate::error::rid_of(&env.errmsg) {
                            span.record("rid", rid);
                        }
                    }
                    if let Some(t) = &token {
                        if matches!(env.errcode, 40001 | 40014 | 42001) && !token_retried {
                            // WeChat refused the credential and did nothing else: safe to repeat
                            // once, for every endpoint, and it does not count as an attempt.
                            tracing::info!(errcode = env.errcode, "access token rejected; refreshing once");
                            client.token_manager().invalidate_kind(kind, t).await?;
                            token_retried = true;
                            span.record("token_refreshed", true);
                            attempt -= 1;
                            continue;
                        }
                    }
                    if env.errcode == -1 && ep.idempotent && can_retry {
                        tracing::debug!(attempt, "WeChat busy (-1); retrying an idempotent call");
                        tokio::time::sleep(policy.backoff(attempt)).await;
                        continue;
                    }
                }
                if raw.status >= 500 && ep.idempotent && can_retry {
                    tracing::debug!(attempt, status = raw.status, "server error; retrying an idempotent call");
                    tokio::time::sleep(policy.backoff(attempt)).await;
                    continue;
                }
                return Ok(raw);
            }
            Err(e) => {
                let never_left = matches!(e, Error::Transport { kind: TransportKind::Connect, .. });
                if (ep.idempotent || never_left) && can_retry {
                    tracing::debug!(attempt, error = %e, "transport error; retrying");
                    tokio::time::sleep(policy.backoff(attempt)).await;
                    continue;
                }
                return Err(e);
            }
        }
    }
}

/// A token request that failed this way may succeed if asked again.
fn token_fetch_may_recover(e: &Error) -> bool {
    match e {
        Error::Transport { .. } => true,
        Error::Http { status, .. } => *status >= 500,
        Error::Api(a) => a.errcode == -1,
        _ => false,
    }
}

async fn send_once(
    client: &Client,
    ep: &Endpoint,
    query: &str,
    token: Option<(&str, &str)>,
    payload: &Payload,
) -> Result<Raw, Error> {
    let base = client.base_for(ep.host);
    let token_len = token.map_or(0, |(param, t)| param.len() + t.len() + 2);
    let mut url = String::with_capacity(base.len() + ep.path.len() + token_len + 1 + query.len());
    url.push_str(base);
    url.push_str(ep.path);
    let mut sep = '?';
    if let Some((param, t)) = token {
        url.push('?');
        url.push_str(param);
        url.push('=');
        url.push_str(t);
        sep = '&';
    }
    if !query.is_empty() {
        url.push(sep);
        url.push_str(query);
    }
    let http = client.http();
    let mut req = match ep.method {
        Method::Get => http.get(&url),
        Method::Post => http.post(&url),
    };
    req = match payload {
        Payload::None => req,
        Payload::Json(b) => {
            req.header(CONTENT_TYPE, HeaderValue::from_static("application/json; charset=utf-8")).body(b.clone())
        }
        Payload::Multipart(parts) => req.multipart(form(ep, parts)?),
    };
    let mut resp = req.send().await.map_err(|e| transport(ep, e))?;
    let status = resp.status().as_u16();
    // Moved out rather than copied into new Strings; names as constants, since a `&str` name
    // is parsed again on every lookup.
    let content_type = resp.headers_mut().remove(CONTENT_TYPE);
    let disposition = resp.headers_mut().remove(CONTENT_DISPOSITION);
    let body = resp.bytes().await.map_err(|e| transport(ep, e))?;
    let envelope = envelope(header_str(&content_type), &body);
    Ok(Raw { status, content_type, disposition, body, envelope })
}

fn form(ep: &Endpoint, parts: &[Part]) -> Result<reqwest::multipart::Form, Error> {
    let mut form = reqwest::multipart::Form::new();
    for p in parts {
        form = match p {
            Part::File { name, upload } => {
                let part = reqwest::multipart::Part::stream_with_length(
                    reqwest::Body::from(upload.bytes.clone()),
                    upload.bytes.len() as u64,
                )
                .file_name(upload.filename.clone())
                .mime_str(upload.mime())
                .map_err(|e| Error::InvalidRequest { endpoint: ep.name, message: format!("part `{name}`: {e}") })?;
                form.part(*name, part)
            }
            Part::Text { name, value } => form.text(*name, value.clone()),
        };
    }
    Ok(form)
}

fn transport(ep: &Endpoint, e: reqwest::Error) -> Error {
    let kind = if e.is_connect() {
        TransportKind::Connect
    } else if e.is_timeout() {
        TransportKind::Timeout
    } else {
        TransportKind::Other
    };
    let mut causes = String::new();
    let mut source = std::error::Error::source(&e);
    while let Some(s) = source {
        causes.push_str(": ");
        causes.push_str(&s.to_string());
        source = s.source();
    }
    let message = format!("{}{causes}", e.without_url());
    Error::Transport { endpoint: ep.name, kind, message: redact_secrets(&message) }
}

/// Reads `errcode`/`errmsg` when the body is a JSON document that has them. The search for
/// the key is a fast byte scan, so large successful answers are parsed only once.
fn envelope(content_type: Option<&str>, body: &[u8]) -> Option<Envelope> {
    let lead = body.iter().position(|b| !b.is_ascii_whitespace())?;
    if body[lead] != b'{' {
        return None;
    }
    if let Some(ct) = content_type {
        if !(mentions_json(ct) || starts_with_ignore_case(ct, "text/")) {
            return None;
        }
    }
    // The common success answer starts `{"errcode":0,` (WeChat puts errcode first): nothing
    // else of the envelope is needed then, and the body is parsed once, into the answer.
    let rest = &body[lead..];
    if rest.starts_with(br#"{"errcode":0,"#) || rest.starts_with(br#"{"errcode":0}"#) {
        return Some(Envelope { errcode: 0, errmsg: String::new() });
    }
    // The searcher is built once: building it costs more than searching a small answer.
    static ERRCODE: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
        std::sync::LazyLock::new(|| memchr::memmem::Finder::new(b"\"errcode\""));
    ERRCODE.find(body)?;
    // `errmsg` is copied out only when it is an error's ("ok" is not kept).
    #[derive(Deserialize)]
    struct Borrowed<'a> {
        #[serde(default)]
        errcode: i64,
        #[serde(default, borrow)]
        errmsg: std::borrow::Cow<'a, str>,
    }
    let b = serde_json::from_slice::<Borrowed<'_>>(body).ok()?;
    let errmsg = if b.errcode == 0 { String::new() } else { b.errmsg.into_owned() };
    Some(Envelope { errcode: b.errcode, errmsg })
}

fn api_error(ep: &Endpoint, env: &Envelope) -> Error {
    Error::Api(ApiError::new(ep.name, env.errcode, env.errmsg.clone()))
}

/// Decodes a JSON answer into `R` after the errcode check.
pub(crate) fn decode_json<R: DeserializeOwned>(ep: &Endpoint, raw: &Raw) -> Result<R, Error> {
    if let Some(env) = &raw.envelope {
        if env.errcode != 0 {
            return Err(api_error(ep, env));
        }
    }
    if !(200..300).contains(&raw.status) {
        return Err(Error::Http { endpoint: ep.name, status: raw.status });
    }
    from_json(&raw.body).map_err(|e| Error::Decode { endpoint: ep.name, message: e.to_string() })
}

/// `serde_json` over the body: from a `&str` when the body is UTF-8 (checked once for the whole
/// body, where reading from bytes checks every string again: a large share of decoding a page
/// of 10,000 OpenIDs), else from the bytes, which gives the same error as before.
fn from_json<R: DeserializeOwned>(body: &[u8]) -> Result<R, serde_json::Error> {
    match std::str::from_utf8(body) {
        Ok(text) => serde_json::from_str(text),
        Err(_) => serde_json::from_slice(body),
    }
}

/// Decodes an answer that may be JSON or file bytes.
pub(crate) fn decode_json_or_binary<R: DeserializeOwned>(ep: &Endpoint, raw: Raw) -> Result<JsonOrBinary<R>, Error> {
    if let Some(env) = &raw.envelope {
        if env.errcode != 0 {
            return Err(api_error(ep, env));
        }
    }
    if !(200..300).contains(&raw.status) {
        return Err(Error::Http { endpoint: ep.name, status: raw.status });
    }
    let is_json = header_str(&raw.content_type)
        .is_some_and(|c| mentions_json(c) || starts_with_ignore_case(c, "text/plain"))
        && raw.body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{');
    if is_json {
        return from_json(&raw.body)
            .map(JsonOrBinary::Json)
            .map_err(|e| Error::Decode { endpoint: ep.name, message: e.to_string() });
    }
    let filename = header_str(&raw.disposition).and_then(disposition_filename);
    let content_type = header_str(&raw.content_type).map(str::to_string);
    Ok(JsonOrBinary::Binary(Download { content_type, filename, bytes: raw.body }))
}

/// Whether a content type says JSON (`application/json`, `text/json`, `…+json`), any case.
fn mentions_json(content_type: &str) -> bool {
    content_type.as_bytes().windows(4).any(|w| w.eq_ignore_ascii_case(b"json"))
}

fn starts_with_ignore_case(s: &str, prefix: &str) -> bool {
    s.as_bytes().get(..prefix.len()).is_some_and(|p| p.eq_ignore_ascii_case(prefix.as_bytes()))
}

/// A header's value, when it is visible ASCII.
fn header_str(v: &Option<HeaderValue>) -> Option<&str> {
    v.as_ref().and_then(|v| v.to_str().ok())
}

/// `attachment; filename="a.jpg"` -> `a.jpg`.
fn disposition_filename(header: &str) -> Option<String> {
    let i = header.find("filename=")?;
    let rest = header[i + 9..].split(';').next()?.trim();
    let name = rest.trim_matches('"');
    (!name.is_empty()).then(|| name.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelope_is_found_only_in_json_documents() {
        assert!(envelope(Some("application/json"), br#"{"errcode":40001,"errmsg":"x"}"#).is_some());
        assert!(envelope(Some("image/jpeg"), br#"{"errcode":40001}"#).is_none());
        assert!(envelope(Some("application/json"), br#"{"openid":"o"}"#).is_none());
        assert!(envelope(Some("Application/JSON; charset=UTF-8"), br#"{"errcode":1}"#).is_some());
        assert!(envelope(Some("TEXT/plain"), br#" {"errcode":1}"#).is_some());
        assert!(envelope(Some("application/octet-stream"), br#"{"errcode":1}"#).is_none());
        // The success prefix is taken without a parse; anything else is parsed.
        let ok = envelope(Some("application/json"), br#" {"errcode":0,"errmsg":"ok","msgid":1}"#).unwrap();
        assert_eq!((ok.errcode, ok.errmsg.as_str()), (0, ""));
        let e = envelope(Some("application/json"), br#"{"errcode":0x}"#);
        assert!(e.is_none());
        let e = envelope(Some("application/json"), br#"{"errcode":-1,"errmsg":"system busy"}"#).unwrap();
        assert_eq!((e.errcode, e.errmsg.as_str()), (-1, "system busy"));
        let e = envelope(Some("application/json"), br#"{"errcode":00}"#);
        assert!(e.is_none(), "not JSON");
        assert!(envelope(None, b"\x89PNG").is_none());
    }

    #[test]
    fn disposition_filenames_are_read_with_or_without_quotes() {
        assert_eq!(disposition_filename("attachment; filename=\"a.jpg\""), Some("a.jpg".into()));
        assert_eq!(disposition_filename("attachment; filename=b.amr; size=3"), Some("b.amr".into()));
        assert_eq!(disposition_filename("inline"), None);
    }
}
