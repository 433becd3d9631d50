//! The spec as the sandbox sees it: `spec-table.json`, written from `spec/` by the generator
//! (never by hand). Every request is checked against the documented limits of its endpoint
//! (item counts, characters, bytes, ranges, date spans, into nested structs) before the
//! area's hand-written behaviour runs, and answered with the errcode the spec names. So the
//! client and the sandbox enforce the same limits from one place.

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
}

#[derive(Debug, Deserialize)]
pub(crate) struct EndpointDef {
    pub name: String,
    pub path: String,
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
    pub limits: Option<Limits>,
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

fn check_value(t: &Table, at: &str, f: &FieldDef, v: &Value) -> Result<(), WxError> {
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
    // Into nested structs: `T`, `list<T>`, `map<T>`.
    let nested = inner(&f.ty).unwrap_or(&f.ty);
    if let Some(fields) = t.types.get(nested) {
        match v {
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    check_object(t, &format!("{at}[{i}]"), fields, item)?;
                }
            }
            Value::Object(o) if f.ty.starts_with("map<") => {
                for (k, item) in o {
                    check_object(t, &format!("{at}.{k}"), fields, item)?;
                }
            }
            other => check_object(t, at, fields, other)?,
        }
    }
    Ok(())
}

fn check_object(t: &Table, at: &str, fields: &[FieldDef], v: &Value) -> Result<(), WxError> {
    for f in fields {
        if let Some(x) = v.get(&f.name).filter(|x| !x.is_null()) {
            let path = if at.is_empty() { f.name.clone() } else { format!("{at}.{}", f.name) };
            check_value(t, &path, f, x)?;
        }
    }
    Ok(())
}

/// Days since 1970-01-01 of `YYYY-MM-DD`, for span checks.
fn day(s: &str) -> Option<i64> {
    let mut p = s.splitn(3, '-');
    let (y, m, d): (i64, i64, i64) = (p.next()?.parse().ok()?, p.next()?.parse().ok()?, p.next()?.parse().ok()?);
    Some(crate::api::datacube::days_from_civil(y, m, d))
}

/// Checks a request to `path` against every spec endpoint on that path (variants of one path,
/// such as the mass-send message types, share the fields they have in common).
pub(crate) fn check(path: &str, query: &HashMap<String, String>, body: &Value) -> Result<(), WxError> {
    let t = table();
    for ep in t.endpoints.iter().filter(|e| e.path == path) {
        for f in &ep.query {
            if let Some(v) = query.get(&f.name) {
                check_value(t, &f.name, f, &Value::String(v.clone()))?;
            }
        }
        check_object(t, "", &ep.body, body).inspect_err(|e| {
            tracing::debug!(endpoint = ep.name, errcode = e.code, "refused by the spec's limits");
        })?;
        if let Some(fields) = ep.body_type.as_ref().and_then(|n| t.types.get(n)) {
            check_object(t, "", fields, body)?;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_generated_table_parses_and_names_the_spec_endpoints() {
        let t = table();
        assert!(t.endpoints.len() > 100, "spec-table.json did not parse or is empty");
        assert!(t.endpoints.iter().any(|e| e.name == "user.batch_blacklist"));
    }
}
