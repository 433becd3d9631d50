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
pub(crate) use crate::token::{AuthorizerGrant, AuthorizerPage, Grant};

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

/// Reading a union (`kind: union` in the spec) from the object it sits in: the tag names the
/// variant, and the payload is under the variant's key. Writing needs no help (the generated
/// `Serialize` writes the tag and the payload as two map entries).
pub(crate) mod union {
    use serde::de::DeserializeOwned;
    use serde_json::{Map, Value};

    /// The object's keys and values, read from whatever holds the union.
    pub(crate) type Fields = Map<String, Value>;

    /// The tag's value (`msgtype`), or an error naming the tag.
    pub(crate) fn tag<E: serde::de::Error>(fields: &Fields, tag: &str) -> Result<String, E> {
        match fields.get(tag) {
            Some(Value::String(s)) => Ok(s.clone()),
            Some(other) => Err(E::custom(format!("`{tag}` must be a string, found {other}"))),
            None => Err(E::custom(format!("missing field `{tag}`"))),
        }
    }

    /// Takes the payload under `key` and decodes it.
    pub(crate) fn payload<T: DeserializeOwned, E: serde::de::Error>(fields: &mut Fields, key: &str) -> Result<T, E> {
        let v = fields.remove(key).ok_or_else(|| E::custom(format!("missing field `{key}`")))?;
        serde_json::from_value(v).map_err(|e| E::custom(format!("`{key}`: {e}")))
    }

    /// The error for a tag (and payload key) no variant has.
    pub(crate) fn unknown<E: serde::de::Error>(tag: &str, value: &str, fields: &Fields) -> E {
        let keys: Vec<&str> = fields.keys().map(String::as_str).filter(|k| *k != tag).collect();
        E::custom(format!("no variant has `{tag}` = {value:?} with a payload under any of {keys:?}"))
    }
}

/// The documented limits the generated `send()` checks before anything is sent (`limits:` and
/// `date_span:` in the spec). Each check returns the message of the
/// [`Error::InvalidRequest`] that [`refuse`](limits::refuse) makes of it: the field's path, the
/// value's measure, the limit, and what WeChat would have answered.
pub(crate) mod limits {
    use super::Endpoint;
    use crate::Error;

    /// `at.field`, or `field` at the top.
    pub(crate) fn join(at: &str, field: &str) -> String {
        if at.is_empty() {
            field.to_string()
        } else {
            format!("{at}.{field}")
        }
    }

    fn answer(errcode: Option<i64>) -> String {
        errcode.map(|c| format!(" (WeChat answers {c})")).unwrap_or_default()
    }

    /// The error for a request refused before sending.
    pub(crate) fn refuse(ep: &Endpoint, message: String) -> Error {
        Error::InvalidRequest { endpoint: ep.name, message }
    }

    pub(crate) fn items(
        at: &str,
        n: usize,
        min: Option<u64>,
        max: Option<u64>,
        errcode: Option<i64>,
    ) -> Result<(), String> {
        let n = n as u64;
        match (min, max) {
            (Some(lo), _) if n < lo => Err(format!("{at}: {n} items, at least {lo}{}", answer(errcode))),
            (_, Some(hi)) if n > hi => Err(format!("{at}: {n} items, at most {hi}{}", answer(errcode))),
            _ => Ok(()),
        }
    }

    pub(crate) fn chars(at: &str, v: &str, max: u64, errcode: Option<i64>) -> Result<(), String> {
        let n = v.chars().count() as u64;
        if n > max {
            return Err(format!("{at}: {n} characters, at most {max}{}", answer(errcode)));
        }
        Ok(())
    }

    pub(crate) fn bytes(at: &str, v: &str, max: u64, errcode: Option<i64>) -> Result<(), String> {
        let n = v.len() as u64;
        if n > max {
            return Err(format!("{at}: {n} bytes of UTF-8, at most {max}{}", answer(errcode)));
        }
        Ok(())
    }

    pub(crate) fn range(
        at: &str,
        v: i128,
        min: Option<i64>,
        max: Option<i64>,
        errcode: Option<i64>,
    ) -> Result<(), String> {
        match (min, max) {
            (Some(lo), _) if v < i128::from(lo) => Err(format!("{at}: {v}, at least {lo}{}", answer(errcode))),
            (_, Some(hi)) if v > i128::from(hi) => Err(format!("{at}: {v}, at most {hi}{}", answer(errcode))),
            _ => Ok(()),
        }
    }

    /// A union variant this endpoint does not take (`accepts:` in the spec). `sent` is the
    /// variant's wire description, `accepted` the list of those the endpoint takes.
    pub(crate) fn variant(at: &str, sent: &str, accepted: &str, errcode: Option<i64>) -> Result<(), String> {
        let at = if at.is_empty() { String::new() } else { format!("{at}: ") };
        Err(format!("{at}{sent} is not taken by this endpoint, which takes {accepted}{}", answer(errcode)))
    }

    /// Days since 1970-01-01 of a `YYYY-MM-DD` date (proleptic Gregorian).
    fn day_number(text: &str) -> Option<i64> {
        let mut parts = text.trim().splitn(3, '-');
        let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
        if y.len() != 4 || m.len() != 2 || d.len() != 2 {
            return None;
        }
        let (y, m, d): (i64, i64, i64) = (y.parse().ok()?, m.parse().ok()?, d.parse().ok()?);
        let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
        let days_in_month = [31, if leap { 29 } else { 28 }, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
        if !(1..=12).contains(&m) || d < 1 || d > days_in_month[(m - 1) as usize] {
            return None;
        }
        // Civil-from-days inverse (era-based), exact for every Gregorian date.
        let y = if m <= 2 { y - 1 } else { y };
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let mp = (m + 9) % 12;
        let doy = (153 * mp + 2) / 5 + d - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        Some(era * 146_097 + doe - 719_468)
    }

    pub(crate) fn date_span(
        begin_at: &str,
        begin: &str,
        end_at: &str,
        end: &str,
        max_days: u32,
        errcode: Option<i64>,
    ) -> Result<(), String> {
        let day = |at: &str, v: &str| day_number(v).ok_or_else(|| format!("{at}: {v:?} is not a YYYY-MM-DD date"));
        let (b, e) = (day(begin_at, begin)?, day(end_at, end)?);
        if e < b {
            return Err(format!("{end_at} {end} is before {begin_at} {begin}{}", answer(errcode)));
        }
        let days = e - b + 1;
        if days > i64::from(max_days) {
            return Err(format!(
                "{begin_at}..{end_at}: {days} days ({begin} to {end}), at most {max_days}{}",
                answer(errcode)
            ));
        }
        Ok(())
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn day_numbers_are_exact_across_months_leap_years_and_eras() {
            assert_eq!(day_number("1970-01-01"), Some(0));
            assert_eq!(day_number("2000-03-01").zip(day_number("2000-02-28")).map(|(a, b)| a - b), Some(2));
            assert_eq!(day_number("2026-12-02"), Some(20_789));
            assert_eq!(day_number("2025-02-29"), None);
            assert_eq!(day_number("2026/03/01"), None);
        }

        #[test]
        fn spans_count_both_ends() {
            assert!(date_span("b", "2026-03-01", "e", "2026-03-07", 7, None).is_ok());
            let e = date_span("b", "2026-03-01", "e", "2026-03-08", 7, Some(61501)).unwrap_err();
            assert!(e.contains("8 days") && e.contains("at most 7") && e.contains("61501"), "{e}");
            assert!(date_span("b", "2026-03-02", "e", "2026-03-01", 7, None).unwrap_err().contains("before"));
        }

        #[test]
        fn characters_and_bytes_are_counted_differently() {
            assert!(chars("name", "广东广东", 4, None).is_ok());
            assert!(bytes("name", "广东广东", 11, None).unwrap_err().contains("12 bytes"));
            assert!(items("list", 101, None, Some(100), Some(40032))
                .unwrap_err()
                .contains("101 items, at most 100 (WeChat answers 40032)"));
            assert!(range("speed", 5, Some(0), Some(4), None).unwrap_err().contains("at most 4"));
        }
    }
}

/// The stream behind a generated `items()`: `fetch` turns the request state into one page's
/// items and the state for the next page (`None`: this was the last). A page is fetched only
/// when the consumer has taken every item of the one before; the first error is yielded and
/// ends the stream.
pub(crate) fn pages<'a, S, T, I, F, Fut>(
    first: S,
    fetch: F,
) -> impl futures_util::Stream<Item = Result<T, Error>> + Send + 'a
where
    S: Send + 'a,
    T: Send + 'a,
    I: IntoIterator<Item = T> + Send + 'a,
    I::IntoIter: Send + 'a,
    F: FnMut(S) -> Fut + Send + 'a,
    Fut: std::future::Future<Output = Result<(I, Option<S>), Error>> + Send + 'a,
{
    use futures_util::{StreamExt, TryStreamExt};
    futures_util::stream::try_unfold((Some(first), fetch), |(state, mut fetch)| async move {
        match state {
            None => Ok::<_, Error>(None),
            Some(s) => {
                let (items, next) = fetch(s).await?;
                Ok(Some((items, (next, fetch))))
            }
        }
    })
    .map_ok(|items| futures_util::stream::iter(items.into_iter().map(Ok)))
    .try_flatten()
    .boxed()
}

/// The checks behind the generated `official_example_*` tests (one per published example in
/// `spec/examples/`): the typed request built from the page's request must serialize back to
/// it, and the page's answer must decode into the typed response without losing a field.
#[cfg(test)]
pub(crate) mod examples {
    use serde::de::DeserializeOwned;
    use serde::Serialize;
    use serde_json::Value;

    fn parse(endpoint: &str, what: &str, text: &str) -> Value {
        serde_json::from_str(text).unwrap_or_else(|e| panic!("{endpoint}: the example {what} is not JSON: {e}"))
    }

    /// `published` is the page's JSON body; `constants` are the wire values the spec fixes
    /// (`msgtype` …), which the typed request always sends.
    pub(crate) fn body<B: Serialize + DeserializeOwned>(endpoint: &str, published: &str, constants: &[(&str, &str)]) {
        let published = parse(endpoint, "request", published);
        let typed: B = serde_json::from_value(published.clone())
            .unwrap_or_else(|e| panic!("{endpoint}: the official example request does not fit the typed request: {e}"));
        let mut sent = serde_json::to_value(&typed).unwrap_or_else(|e| panic!("{endpoint}: serializing: {e}"));
        if let Value::Object(m) = &mut sent {
            for (k, v) in constants {
                m.insert(k.to_string(), parse(endpoint, "constant", v));
            }
        }
        let mut diff = Vec::new();
        differences("", &published, &sent, &[], true, &mut diff);
        assert!(
            diff.is_empty(),
            "{endpoint}: the typed request differs from the official example:\n  {}",
            diff.join("\n  ")
        );
    }

    /// `published` is the example URL's query string (without `access_token`).
    pub(crate) fn query<Q: Serialize + DeserializeOwned>(endpoint: &str, published: &str, constants: &[(&str, &str)]) {
        let pairs = |text: &str| -> Vec<(String, String)> {
            serde_urlencoded::from_str(text).unwrap_or_else(|e| panic!("{endpoint}: query {text:?}: {e}"))
        };
        let typed: Q = serde_urlencoded::from_str(published)
            .unwrap_or_else(|e| panic!("{endpoint}: the official example query does not fit the typed query: {e}"));
        let encoded = serde_urlencoded::to_string(&typed).unwrap_or_else(|e| panic!("{endpoint}: encoding: {e}"));
        let mut sent = pairs(&encoded);
        for (k, v) in constants {
            let text = match parse(endpoint, "constant", v) {
                Value::String(s) => s,
                other => other.to_string(),
            };
            sent.retain(|(key, _)| key != k);
            sent.push((k.to_string(), text));
        }
        let mut want = pairs(published);
        want.sort();
        sent.sort();
        assert_eq!(sent, want, "{endpoint}: the typed query differs from the official example");
    }

    /// `published` is the page's answer; `unmodelled` are dotted paths the spec leaves out on
    /// purpose. `errcode`/`errmsg` are the runtime's, not the response type's.
    pub(crate) fn response<R: Serialize + DeserializeOwned>(endpoint: &str, published: &str, unmodelled: &[&str]) {
        let published = without_envelope(parse(endpoint, "response", published));
        let typed: R = serde_json::from_value(published.clone()).unwrap_or_else(|e| {
            panic!("{endpoint}: the official example response does not decode into the typed response: {e}")
        });
        let back = serde_json::to_value(&typed).unwrap_or_else(|e| panic!("{endpoint}: serializing: {e}"));
        let mut diff = Vec::new();
        differences("", &published, &back, unmodelled, false, &mut diff);
        assert!(
            diff.is_empty(),
            "{endpoint}: the typed response loses what the official example carries:\n  {}",
            diff.join("\n  ")
        );
    }

    /// For endpoints whose spec response has no fields: the example carries none either.
    pub(crate) fn response_without_fields(endpoint: &str, published: &str, unmodelled: &[&str]) {
        let published = without_envelope(parse(endpoint, "response", published));
        let mut diff = Vec::new();
        differences("", &published, &Value::Object(Default::default()), unmodelled, false, &mut diff);
        assert!(
            diff.is_empty(),
            "{endpoint}: the official example has fields the spec lacks:\n  {}",
            diff.join("\n  ")
        );
    }

    fn without_envelope(mut v: Value) -> Value {
        if let Value::Object(m) = &mut v {
            m.remove("errcode");
            m.remove("errmsg");
        }
        v
    }

    fn blank(v: &Value) -> bool {
        match v {
            Value::Null => true,
            Value::Array(a) => a.is_empty(),
            Value::Object(o) => o.is_empty(),
            _ => false,
        }
    }

    /// Where `got` differs from `want` (`both_ways`: also what `got` has and `want` lacks).
    /// Absent, `null` and empty collections are the same; a number and its decimal text are
    /// the same (identifiers arrive as either).
    fn differences(path: &str, want: &Value, got: &Value, unmodelled: &[&str], both_ways: bool, out: &mut Vec<String>) {
        let at = |k: &str| if path.is_empty() { k.to_string() } else { format!("{path}.{k}") };
        match (want, got) {
            (Value::Object(w), Value::Object(g)) => {
                for (k, wv) in w {
                    let p = at(k);
                    if unmodelled.contains(&p.as_str()) {
                        continue;
                    }
                    match g.get(k) {
                        Some(gv) => differences(&p, wv, gv, unmodelled, both_ways, out),
                        None if blank(wv) => {}
                        None => out.push(format!("{p}: in the example, not in the typed value")),
                    }
                }
                if both_ways {
                    for (k, gv) in g {
                        if !w.contains_key(k) && !blank(gv) {
                            out.push(format!("{}: sent, but not in the example", at(k)));
                        }
                    }
                }
            }
            (Value::Array(w), Value::Array(g)) if w.len() == g.len() => {
                for (wv, gv) in w.iter().zip(g) {
                    differences(path, wv, gv, unmodelled, both_ways, out);
                }
            }
            (Value::Number(n), Value::String(s)) | (Value::String(s), Value::Number(n)) if n.to_string() == *s => {}
            (Value::Number(a), Value::Number(b)) if a.as_f64() == b.as_f64() => {}
            (w, g) if w == g || (blank(w) && blank(g)) => {}
            (w, g) => out.push(format!("{path}: the example has {w}, the typed value {g}")),
        }
    }
}
