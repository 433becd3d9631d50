//! The runtime surface the generated code calls: endpoint descriptors, the handful of call
//! functions (`call_json`, `call_multipart`, `call_binary`, `call_json_or_binary`,
//! `build_url`), multipart parts and serde helpers. Nothing here names an endpoint; the
//! descriptors come from `generated/`.

use std::future::Future;
use std::pin::Pin;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize};

use crate::http::{self, Payload};
use crate::transfer::{Download, JsonOrBinary, Upload};
use crate::{Client, Error};

/// A boxed, sendable future.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Everything the runtime needs to know about an endpoint (generated from the spec).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Endpoint {
    /// `area.name`, e.g. `user.info`: used in errors and traces.
    pub name: &'static str,
    /// HTTP method.
    pub method: Method,
    /// Which host.
    pub host: Host,
    /// The path.
    pub path: &'static str,
    /// Which credential.
    pub auth: Auth,
    /// Body encoding.
    pub body: BodyKind,
    /// Response kind.
    pub response: ResponseKind,
    /// Whether retries are safe.
    pub idempotent: bool,
    /// Deprecated by WeChat.
    pub deprecated: bool,
    /// Official documentation.
    pub doc_url: &'static str,
}

/// HTTP methods.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// GET
    Get,
    /// POST
    Post,
}

/// WeChat hosts (each overridable in the client configuration).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Host {
    /// api.weixin.qq.com
    Api,
    /// mp.weixin.qq.com
    Mp,
    /// open.weixin.qq.com
    Open,
}

/// Credentials.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Auth {
    /// The app's access_token, added by the runtime.
    AccessToken,
    /// None.
    None,
    /// appid + secret in the request.
    AppSecret,
    /// A user's OAuth token in the request.
    UserToken,
}

/// Body encodings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyKind {
    /// No body.
    None,
    /// JSON.
    Json,
    /// multipart/form-data.
    Multipart,
}

/// Response kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResponseKind {
    /// JSON.
    Json,
    /// File bytes.
    Binary,
    /// JSON or file bytes.
    JsonOrBinary,
    /// A URL built locally.
    Url,
}

/// An empty query.
#[derive(Serialize)]
pub struct NoQuery;

/// An absent body (only its type is used).
#[derive(Serialize)]
pub struct NoBody;

/// Shown in `Debug` output in place of a secret.
pub struct Redacted;

impl std::fmt::Debug for Redacted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<redacted>")
    }
}

/// A token or ticket and its lifetime, as obtained from WeChat.
pub struct Grant {
    /// The token or ticket.
    pub value: String,
    /// Seconds until it expires.
    pub expires_in: i64,
}

impl Grant {
    /// A new grant.
    pub fn new(value: String, expires_in: i64) -> Self {
        Grant { value, expires_in }
    }
}

/// Obtains the app token (`force` = stable_token's force_refresh).
pub type TokenFetcher = for<'c> fn(&'c Client, bool) -> BoxFuture<'c, Result<Grant, Error>>;
/// Obtains a ticket of a kind (`jsapi`, `wx_card`).
pub type TicketFetcher = for<'c> fn(&'c Client, &'static str) -> BoxFuture<'c, Result<Grant, Error>>;

/// The endpoints with a `role:` in the spec.
pub struct Fetchers {
    /// `role: access_token`
    pub access_token: Option<TokenFetcher>,
    /// `role: stable_token`
    pub stable_token: Option<TokenFetcher>,
    /// `role: ticket`
    pub ticket: Option<TicketFetcher>,
}

/// One multipart part.
pub enum Part {
    /// A file.
    File {
        /// Form field name.
        name: &'static str,
        /// The file.
        upload: Upload,
    },
    /// A text field.
    Text {
        /// Form field name.
        name: &'static str,
        /// The value.
        value: String,
    },
}

impl Part {
    /// A file part.
    pub fn file(name: &'static str, upload: Upload) -> Part {
        Part::File { name, upload }
    }

    /// A text part: strings as they are, anything else as JSON.
    pub fn field<T: Serialize>(name: &'static str, value: &T) -> Result<Part, Error> {
        let v = serde_json::to_value(value)
            .map_err(|e| Error::InvalidRequest { endpoint: "multipart", message: format!("part `{name}`: {e}") })?;
        let value = match v {
            serde_json::Value::String(s) => s,
            other => other.to_string(),
        };
        Ok(Part::Text { name, value })
    }
}

/// Calls a JSON endpoint.
pub async fn call_json<Q, B, R>(client: &Client, ep: &'static Endpoint, query: &Q, body: Option<&B>) -> Result<R, Error>
where
    Q: Serialize + ?Sized,
    B: Serialize + ?Sized,
    R: DeserializeOwned,
{
    let payload = http::json_payload(ep, body)?;
    let raw = http::execute(client, ep, &http::query_string(ep, query)?, payload).await?;
    http::decode_json(ep, &raw)
}

/// Calls a multipart endpoint with a JSON answer.
pub async fn call_multipart<Q, R>(
    client: &Client,
    ep: &'static Endpoint,
    query: &Q,
    parts: Vec<Part>,
) -> Result<R, Error>
where
    Q: Serialize + ?Sized,
    R: DeserializeOwned,
{
    let raw = http::execute(client, ep, &http::query_string(ep, query)?, Payload::Multipart(parts)).await?;
    http::decode_json(ep, &raw)
}

/// Calls an endpoint that answers with file bytes.
pub async fn call_binary<Q, B>(
    client: &Client,
    ep: &'static Endpoint,
    query: &Q,
    body: Option<&B>,
) -> Result<Download, Error>
where
    Q: Serialize + ?Sized,
    B: Serialize + ?Sized,
{
    let payload = http::json_payload(ep, body)?;
    let raw = http::execute(client, ep, &http::query_string(ep, query)?, payload).await?;
    match http::decode_json_or_binary::<serde::de::IgnoredAny>(ep, raw)? {
        JsonOrBinary::Binary(d) => Ok(d),
        JsonOrBinary::Json(_) => Err(Error::Decode {
            endpoint: ep.name,
            message: "expected file bytes, got a JSON document without errcode".to_string(),
        }),
    }
}

/// Calls an endpoint that answers with JSON or file bytes.
pub async fn call_json_or_binary<Q, B, R>(
    client: &Client,
    ep: &'static Endpoint,
    query: &Q,
    body: Option<&B>,
) -> Result<JsonOrBinary<R>, Error>
where
    Q: Serialize + ?Sized,
    B: Serialize + ?Sized,
    R: DeserializeOwned,
{
    let payload = http::json_payload(ep, body)?;
    let raw = http::execute(client, ep, &http::query_string(ep, query)?, payload).await?;
    http::decode_json_or_binary(ep, raw)
}

/// Builds a URL (for endpoints the browser visits, such as the OAuth authorize page).
pub fn build_url<Q: Serialize + ?Sized>(
    client: &Client,
    ep: &'static Endpoint,
    query: &Q,
    fragment: Option<&str>,
) -> Result<String, Error> {
    let mut url = format!("{}{}", client.base_for(ep.host), ep.path);
    let q = http::query_string(ep, query)?;
    if !q.is_empty() {
        url.push('?');
        url.push_str(&q);
    }
    if let Some(f) = fragment {
        url.push('#');
        url.push_str(f);
    }
    Ok(url)
}

/// Deserializes a string enum, keeping unknown values.
pub fn deserialize_string_enum<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: for<'a> From<&'a str>,
{
    let s = std::borrow::Cow::<'de, str>::deserialize(d)?;
    Ok(T::from(&s))
}

#[derive(Deserialize)]
#[serde(untagged)]
enum IdRepr<'a> {
    Str(std::borrow::Cow<'a, str>),
    Int(i64),
    UInt(u64),
}

impl IdRepr<'_> {
    fn into_string(self) -> String {
        match self {
            IdRepr::Str(s) => s.into_owned(),
            IdRepr::Int(n) => n.to_string(),
            IdRepr::UInt(n) => n.to_string(),
        }
    }
}

/// Deserializes an `id` field: a JSON string or integer, kept as its decimal text.
pub fn deserialize_id<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    IdRepr::deserialize(d).map(IdRepr::into_string)
}

/// Deserializes an optional `id` field (`null` is absent).
pub fn deserialize_opt_id<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Option::<IdRepr>::deserialize(d).map(|o| o.map(IdRepr::into_string))
}

/// Deserializes an integer enum from a number or a numeric string, keeping unknown values.
pub fn deserialize_int_enum<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: From<i64>,
{
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum IntOrString<'a> {
        Int(i64),
        Str(std::borrow::Cow<'a, str>),
    }
    match IntOrString::deserialize(d)? {
        IntOrString::Int(i) => Ok(T::from(i)),
        IntOrString::Str(s) => s
            .trim()
            .parse::<i64>()
            .map(T::from)
            .map_err(|_| serde::de::Error::custom(format!("expected an integer, got {s:?}"))),
    }
}
