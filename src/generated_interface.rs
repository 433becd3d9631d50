//! The interface `generated/` calls, and nothing else does: the call functions
//! (`call_json`, `call_multipart`, `call_binary`, `call_json_or_binary`, `build_url`), the
//! serde helpers named in generated `#[serde(...)]` attributes, and re-exports of the runtime
//! types generated items are built from. Crate-private: no user can come to depend on it.
//! Nothing here names an endpoint; the descriptors come from `generated/`.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize};

pub(crate) use crate::client::Fetchers;
pub(crate) use crate::descriptor::{Auth, BodyKind, Endpoint, Host, Method, ResponseKind};
pub(crate) use crate::future::BoxFuture;
pub(crate) use crate::multipart::Part;
pub(crate) use crate::redact::Redacted;
pub(crate) use crate::token::Grant;

use crate::files::{Download, JsonOrBinary};
use crate::http::{self, Payload};
use crate::{Client, Error};

/// An empty query.
#[derive(Serialize)]
pub(crate) struct NoQuery;

/// An absent body (only its type is used).
#[derive(Serialize)]
pub(crate) struct NoBody;

/// Calls a JSON endpoint.
pub(crate) async fn call_json<Q, B, R>(
    client: &Client,
    ep: &'static Endpoint,
    query: &Q,
    body: Option<&B>,
) -> Result<R, Error>
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
pub(crate) async fn call_multipart<Q, R>(
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
pub(crate) async fn call_binary<Q, B>(
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
pub(crate) async fn call_json_or_binary<Q, B, R>(
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
pub(crate) fn build_url<Q: Serialize + ?Sized>(
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
pub(crate) fn deserialize_string_enum<'de, D, T>(d: D) -> Result<T, D::Error>
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
pub(crate) fn deserialize_id<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    IdRepr::deserialize(d).map(IdRepr::into_string)
}

/// Deserializes an optional `id` field (`null` is absent).
pub(crate) fn deserialize_opt_id<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Option::<IdRepr>::deserialize(d).map(|o| o.map(IdRepr::into_string))
}

/// Deserializes an integer enum from a number or a numeric string, keeping unknown values.
// Emitted for every integer enum of the spec; a spec may have none (today's has none).
#[allow(dead_code)]
pub(crate) fn deserialize_int_enum<'de, D, T>(d: D) -> Result<T, D::Error>
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
