//! The spec as the sandbox sees it: `spec-table.json`, written from `spec/` by the generator
//! (never by hand). It decides, for every path, the HTTP method, the credential and the body
//! kind the router requires, and checks every request before the area's hand-written behaviour
//! runs: required fields present, field types (an integer may come as a numeric string, as
//! WeChat allows), enum values, the union kinds (`msgtype`) the endpoint takes and their
//! payloads, and the documented limits (item counts, characters, bytes, ranges, date spans,
//! into nested structs), answered with the errcode the spec names. So the client and the
//! sandbox enforce one description; the handlers keep only state and behaviour.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde::Deserialize;
use serde_json::Value;

use crate::reply::{err, WxError};

#[derive(Debug, Default, Deserialize)]
pub(crate) struct Table {
    pub endpoints: Vec<EndpointDef>,
    #[serde(default)]
    pub types: HashMap<String, Vec<FieldDef>>,
    #[serde(default)]
    pub enums: HashMap<String, Vec<Value>>,
    #[serde(default)]
    pub unions: HashMap<String, UnionDef>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct EndpointDef {
    pub name: String,
    pub method: String,
    pub path: String,
    pub auth: String,
    /// For `auth: component_token`: the query parameter carrying the component_access_token
    /// (`component_access_token` when absent).
    #[serde(default)]
    pub token_query: Option<String>,
    pub body_kind: String,
    #[serde(default)]
    pub query: Vec<FieldDef>,
    #[serde(default)]
    pub body: Vec<FieldDef>,
    #[serde(default)]
    pub body_type: Option<String>,
    #[serde(default)]
    pub date_span: Option<Span>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct FieldDef {
    pub name: String,
    #[serde(rename = "type")]
    pub ty: String,
    #[serde(default)]
    pub required: bool,
    #[serde(default)]
    pub limits: Option<Limits>,
    #[serde(default)]
    pub value: Option<Value>,
    #[serde(default)]
    pub flatten: bool,
    #[serde(default)]
    pub accepts: Vec<String>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct UnionDef {
    pub tag: String,
    pub variants: Vec<VariantDef>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct VariantDef {
    pub name: String,
    pub wire: String,
    pub key: String,
    #[serde(rename = "type")]
    pub ty: String,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct Limits {
    pub min_items: Option<u64>,
    pub max_items: Option<u64>,
    pub max_chars: Option<u64>,
    pub max_bytes: Option<u64>,
    pub min: Option<i64>,
    pub max: Option<i64>,
    pub errcode: Option<i64>,
    pub missing_errcode: Option<i64>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct Span {
    pub begin: String,
    pub end: String,
    pub max_days: u32,
    pub errcode: Option<i64>,
}

/// The table, parsed once. It is generated and checked by a test, so a parse failure here is
/// a build of a broken tree: the sandbox then enforces nothing rather than crash.
pub(crate) fn table() -> &'static Table {
    static TABLE: OnceLock<Table> = OnceLock::new();
    TABLE.get_or_init(|| serde_json::from_str(include_str!("../spec-table.json")).unwrap_or_default())
}

/// `list<T>` / `map<T>` -> `T`.
fn inner(ty: &str) -> Option<&str> {
    ty.strip_prefix("list<").or_else(|| ty.strip_prefix("map<")).and_then(|t| t.strip_suffix('>'))
}

fn refuse(l: &Limits, what: String) -> WxError {
    err(l.errcode.unwrap_or(40035), format!("invalid args, {what}"))
}

/// The field's own limits, and (unless `strict`, where [`check_type`] already went into them)
/// the limits of the structs inside it.
fn check_value(t: &Table, at: &str, f: &FieldDef, v: &Value, strict: bool) -> Result<(), WxError> {
    if let Some(l) = &f.limits {
        let items = match v {
            Value::Array(a) => Some(a.len() as u64),
            Value::Object(o) if f.ty.starts_with("map<") => Some(o.len() as u64),
            _ => None,
        };
        if let Some(n) = items {
            if l.min_items.is_some_and(|m| n < m) || l.max_items.is_some_and(|m| n > m) {
                return Err(refuse(l, format!("{at} has {n} items")));
            }
        }
        if let Value::String(s) = v {
            let (chars, bytes) = (s.chars().count() as u64, s.len() as u64);
            if l.max_chars.is_some_and(|m| chars > m) || l.max_bytes.is_some_and(|m| bytes > m) {
                return Err(refuse(l, format!("{at} is too long ({chars} characters, {bytes} bytes)")));
            }
        }
        let number = match v {
            Value::Number(n) => n.as_i64(),
            Value::String(s) if f.ty.starts_with('i') || f.ty.starts_with('u') => s.trim().parse().ok(),
            _ => None,
        };
        if let Some(n) = number {
            if l.min.is_some_and(|m| n < m) || l.max.is_some_and(|m| n > m) {
                return Err(refuse(l, format!("{at} = {n} is out of range")));
            }
        }
    }
    if strict {
        return Ok(());
    }
    // Into nested structs: `T`, `list<T>`, `map<T>`.
    let nested = inner(&f.ty).unwrap_or(&f.ty);
    if let Some(fields) = t.types.get(nested) {
        match v {
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    check_object(t, &format!("{at}[{i}]"), fields, item, false)?;
                }
            }
            Value::Object(o) if f.ty.starts_with("map<") => {
                for (k, item) in o {
                    check_object(t, &format!("{at}.{k}"), fields, item, false)?;
                }
            }
            other => check_object(t, at, fields, other, false)?,
        }
    }
    Ok(())
}

/// Checks the fields of one object. `strict`: the request is known to be this endpoint's, so
/// required fields, types, enum values and union kinds are checked too (else only limits).
fn check_object(t: &Table, at: &str, fields: &[FieldDef], v: &Value, strict: bool) -> Result<(), WxError> {
    for f in fields {
        let path = join(at, &f.name);
        if f.flatten {
            if strict {
                check_union(t, at, f, v)?;
            }
            continue;
        }
        match v.get(&f.name).filter(|x| !x.is_null()) {
            Some(x) => {
                if strict {
                    check_type(t, &path, f, &f.ty, x)?;
                }
                check_value(t, &path, f, x, strict)?;
            }
            None if strict && f.required => return Err(missing(f, &path)),
            None => {}
        }
    }
    Ok(())
}

/// A required field left out: 47001, or the code the spec names for it.
fn missing(f: &FieldDef, path: &str) -> WxError {
    let e = crate::api::missing(path);
    match f.limits.as_ref().and_then(|l| l.missing_errcode) {
        Some(code) => WxError { code, ..e },
        None => e,
    }
}

fn join(at: &str, name: &str) -> String {
    if at.is_empty() {
        name.to_string()
    } else {
        format!("{at}.{name}")
    }
}

/// `v` has the JSON shape of `ty` (`f` names the field, for its errcode): strings, integers
/// (or numeric strings), booleans (or 0/1), ids (strings or numbers), lists, maps, structs
/// (objects), and enum values the spec lists.
fn check_type(t: &Table, at: &str, f: &FieldDef, ty: &str, v: &Value) -> Result<(), WxError> {
    let bad = |what: &str| err(47001, format!("data format error, {at} must be {what}"));
    let numeric = |v: &Value| match v {
        Value::Number(_) => true,
        Value::String(s) => s.trim().parse::<f64>().is_ok(),
        _ => false,
    };
    match ty {
        "string" if !v.is_string() => Err(bad("a string")),
        "id" if !(v.is_string() || v.is_number()) => Err(bad("a string")),
        "i32" | "i64" | "u32" | "u64" | "f64" if !numeric(v) => Err(bad("a number")),
        "bool" if !(v.is_boolean() || v.as_i64().is_some_and(|n| n == 0 || n == 1)) => Err(bad("a boolean")),
        _ if ty.starts_with("list<") => match (v, inner(ty)) {
            (Value::Array(items), Some(item)) => {
                for (i, x) in items.iter().enumerate() {
                    check_type(t, &format!("{at}[{i}]"), f, item, x)?;
                }
                Ok(())
            }
            _ => Err(bad("a list")),
        },
        _ if ty.starts_with("map<") => match (v, inner(ty)) {
            (Value::Object(o), Some(item)) => {
                for (k, x) in o {
                    check_type(t, &format!("{at}.{k}"), f, item, x)?;
                }
                Ok(())
            }
            _ => Err(bad("an object")),
        },
        _ => {
            if let Some(fields) = t.types.get(ty) {
                if !v.is_object() {
                    return Err(bad("an object"));
                }
                return check_object(t, at, fields, v, true);
            }
            if let Some(values) = t.enums.get(ty) {
                let known = values.iter().any(|w| same(w, v));
                if !known {
                    let code = f.limits.as_ref().and_then(|l| l.errcode).unwrap_or(40035);
                    let list: Vec<String> = values.iter().map(Value::to_string).collect();
                    return Err(err(code, format!("invalid args, {at} = {v} is not one of {}", list.join(", "))));
                }
            }
            Ok(())
        }
    }
}

/// An enum's wire value and a sent one: equal, or equal as text (query strings, "1" for 1).
fn same(wire: &Value, sent: &Value) -> bool {
    wire == sent
        || match (wire, sent) {
            (Value::Number(n), Value::String(s)) => s.trim() == n.to_string(),
            _ => false,
        }
}

/// A union field: the object's tag names a kind the endpoint takes, with its payload under the
/// kind's key, itself checked as its struct.
fn check_union(t: &Table, at: &str, f: &FieldDef, obj: &Value) -> Result<(), WxError> {
    let Some(u) = t.unions.get(&f.ty) else { return Ok(()) };
    let code = f.limits.as_ref().and_then(|l| l.errcode).unwrap_or(40008);
    let taken = |v: &&VariantDef| f.accepts.is_empty() || f.accepts.contains(&v.name);
    let tag = obj
        .get(&u.tag)
        .and_then(Value::as_str)
        .ok_or_else(|| err(code, format!("invalid message type, {} missing", join(at, &u.tag))))?;
    let kinds: Vec<&VariantDef> = u.variants.iter().filter(taken).filter(|v| v.wire == tag).collect();
    if kinds.is_empty() {
        return Err(err(code, format!("invalid message type {tag}")));
    }
    let Some(kind) = kinds.iter().find(|v| obj.get(&v.key).is_some_and(|p| !p.is_null())) else {
        return Err(crate::api::missing(&join(at, &kinds[0].key)));
    };
    let payload = &obj[kind.key.as_str()];
    let path = join(at, &kind.key);
    match t.types.get(&kind.ty) {
        Some(fields) if payload.is_object() => check_object(t, &path, fields, payload, true),
        Some(_) => Err(err(47001, format!("data format error, {path} must be an object"))),
        None => Ok(()),
    }
}

/// The endpoints a request to `path` may be: those on the path whose constants (`value:`
/// fields, e.g. `action_name`) the request carries, or all of them when none tells them apart.
fn endpoints_for<'t>(t: &'t Table, path: &str, query: &HashMap<String, String>, body: &Value) -> Vec<&'t EndpointDef> {
    let all: Vec<&EndpointDef> = t.endpoints.iter().filter(|e| e.path == path).collect();
    if all.len() < 2 {
        return all;
    }
    let fits = |e: &&EndpointDef| {
        let constants = e.query.iter().chain(&e.body).filter_map(|f| Some((f, f.value.as_ref()?)));
        constants.into_iter().all(|(f, want)| match query.get(&f.name) {
            Some(q) => same(want, &Value::String(q.clone())) || want.as_str() == Some(q.as_str()),
            None => body.get(&f.name).is_some_and(|got| same(want, got)),
        })
    };
    let matching: Vec<&EndpointDef> = all.iter().copied().filter(fits).collect();
    if matching.is_empty() {
        all
    } else {
        matching
    }
}

/// How the router must receive a request to `path`: from the spec's endpoints on it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Reception {
    /// `GET` (else `POST`).
    pub get: bool,
    /// The app's `access_token` is required (else the handler checks what the endpoint takes).
    pub app_token: bool,
    /// A component_access_token is required, in the query parameter of this name.
    pub component_token: Option<&'static str>,
    /// The body kind.
    pub input: crate::api::Input,
}

/// The reception of `path`, or `None` when the spec has no endpoint there.
pub(crate) fn reception(path: &str) -> Option<Reception> {
    let e = table().endpoints.iter().find(|e| e.path == path)?;
    Some(Reception {
        get: e.method == "GET",
        app_token: e.auth == "access_token",
        component_token: (e.auth == "component_token")
            .then(|| e.token_query.as_deref().unwrap_or("component_access_token")),
        input: match e.body_kind.as_str() {
            "json" => crate::api::Input::Json,
            "multipart" => crate::api::Input::Multipart,
            _ => crate::api::Input::None,
        },
    })
}

/// Days since 1970-01-01 of `YYYY-MM-DD`, for span checks.
fn day(s: &str) -> Option<i64> {
    let mut p = s.splitn(3, '-');
    let (y, m, d): (i64, i64, i64) = (p.next()?.parse().ok()?, p.next()?.parse().ok()?, p.next()?.parse().ok()?);
    Some(crate::api::datacube::days_from_civil(y, m, d))
}

/// Checks a request to `path` against its spec endpoint (strictly when the request is known to
/// be one endpoint's; against the limits of each when several share the path undecided).
pub(crate) fn check(path: &str, query: &HashMap<String, String>, body: &Value, json_body: bool) -> Result<(), WxError> {
    let t = table();
    let eps = endpoints_for(t, path, query, body);
    let strict = eps.len() == 1;
    for ep in eps {
        let q: serde_json::Map<String, Value> =
            query.iter().filter(|(_, v)| !v.is_empty()).map(|(k, v)| (k.clone(), Value::String(v.clone()))).collect();
        check_query(t, &ep.query, &Value::Object(q), strict)?;
        if json_body {
            check_object(t, "", &ep.body, body, strict).inspect_err(|e| {
                tracing::debug!(endpoint = ep.name, errcode = e.code, "refused by the spec");
            })?;
            if let Some(fields) = ep.body_type.as_ref().and_then(|n| t.types.get(n)) {
                check_object(t, "", fields, body, strict)?;
            }
        }
        if let Some(s) = &ep.date_span {
            let get = |k: &str| body.get(k).and_then(Value::as_str).or_else(|| query.get(k).map(String::as_str));
            if let (Some(b), Some(e)) = (get(&s.begin).and_then(day), get(&s.end).and_then(day)) {
                if e - b + 1 > i64::from(s.max_days) {
                    return Err(err(
                        s.errcode.unwrap_or(40035),
                        format!("invalid args, span over {} days", s.max_days),
                    ));
                }
            }
        }
    }
    Ok(())
}

/// Query parameters arrive as text: required ones present, integers that parse, enum values
/// listed, and their limits.
fn check_query(t: &Table, fields: &[FieldDef], q: &Value, strict: bool) -> Result<(), WxError> {
    for f in fields {
        match q.get(&f.name) {
            Some(v) => {
                if strict {
                    check_type(t, &f.name, f, &f.ty, v)?;
                }
                check_value(t, &f.name, f, v, strict)?;
            }
            None if strict && f.required => return Err(missing(f, &f.name)),
            None => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_generated_table_parses_and_names_the_spec_endpoints() {
        let t = table();
        assert!(t.endpoints.len() > 100, "spec-table.json did not parse or is empty");
        assert!(t.endpoints.iter().any(|e| e.name == "user.batch_blacklist"));
    }

    /// The router receives a path one way (method, credential, body kind), taken from the first
    /// endpoint on it: the endpoints sharing a path must agree.
    #[test]
    fn endpoints_sharing_a_path_are_received_alike() {
        let t = table();
        for e in &t.endpoints {
            let first = t.endpoints.iter().find(|f| f.path == e.path).map(|f| (&f.method, &f.auth, &f.body_kind));
            assert_eq!(first, Some((&e.method, &e.auth, &e.body_kind)), "{} on {}", e.name, e.path);
        }
    }

    /// What each piece of the spec makes the sandbox answer, before any handler runs.
    #[test]
    fn the_spec_answers_missing_fields_types_enums_unions_and_limits() {
        let q = HashMap::new();
        let code = |path: &str, body: Value| check(path, &q, &body, true).err().map(|e| e.code);
        let text = |to: &str| serde_json::json!({"touser": to, "msgtype": "text", "text": {"content": "hi"}});
        assert_eq!(code("/cgi-bin/message/custom/send", text("o1")), None);
        assert_eq!(
            code("/cgi-bin/message/custom/send", serde_json::json!({"msgtype": "text", "text": {"content": "hi"}})),
            Some(47001)
        );
        assert_eq!(
            code(
                "/cgi-bin/message/custom/send",
                text("o1")
                    .as_object()
                    .map(|o| {
                        let mut o = o.clone();
                        o.insert("touser".into(), serde_json::json!(7));
                        Value::Object(o)
                    })
                    .unwrap_or_default()
            ),
            Some(47001)
        );
        let dance = serde_json::json!({"touser": "o1", "command": "Dance"});
        assert_eq!(code("/cgi-bin/message/custom/typing", dance), Some(45072));
        let song = serde_json::json!({"touser": "o1", "msgtype": "song", "song": {}});
        assert_eq!(code("/cgi-bin/message/custom/send", song), Some(40008));
        // A kind the endpoint does not take: a video is not among mass sendall's kinds.
        let video = serde_json::json!({"filter": {"is_to_all": true}, "msgtype": "video", "video": {"media_id": "m", "thumb_media_id": "t"}});
        assert_eq!(code("/cgi-bin/message/mass/sendall", video), Some(40008));
        assert_eq!(code("/cgi-bin/message/mass/speed/set", serde_json::json!({})), Some(45084));
        assert_eq!(code("/cgi-bin/message/mass/speed/set", serde_json::json!({"speed": 5})), Some(45083));
        assert_eq!(code("/cgi-bin/message/mass/speed/set", serde_json::json!({"speed": 4})), None);
    }
}
