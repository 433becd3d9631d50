//! The official examples (`spec/examples/<area>.yaml`): which endpoints need which half, the
//! rules an examples file must follow, and what of an example becomes a generated test.
//!
//! Every endpoint has an entry: the page's example request (`query` and/or `body`) and
//! `response`, or the reason one is missing. An example that is valid JSON becomes a test in
//! the generated area module (`official_examples`): the typed request is built from the
//! published request and must serialize back to it, and the published answer must decode into
//! the typed response without losing a field.

use crate::diag::{Diagnostic, Diagnostics};
use crate::load::{Spec, EXAMPLES_DIR};
use crate::model::{BodyKind, Endpoint, Example, ResponseKind};

/// What an endpoint's example must cover.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Needs {
    /// It has query parameters the caller or config fills.
    pub query: bool,
    /// It sends a JSON body.
    pub json_body: bool,
    /// It sends a multipart body (no JSON example possible).
    pub multipart: bool,
    /// It answers with a JSON document worth an example.
    pub json_response: bool,
}

/// What `ep` needs an example for.
pub fn needs(ep: &Endpoint) -> Needs {
    let response = ep.response.clone().unwrap_or_default();
    let body_kind = ep.body.as_ref().map(|b| b.kind);
    Needs {
        query: !ep.query.is_empty(),
        json_body: body_kind == Some(BodyKind::Json),
        multipart: body_kind == Some(BodyKind::Multipart),
        json_response: matches!(response.kind, ResponseKind::Json | ResponseKind::JsonOrBinary),
    }
}

fn present(s: &Option<String>) -> bool {
    s.as_deref().is_some_and(|t| !t.trim().is_empty())
}

/// Whether the entry's JSON is to be parsed (it is, unless `not_json` says why not).
pub fn parses(ex: &Example) -> bool {
    !present(&ex.not_json)
}

/// Checks every examples file against the spec's areas and endpoints.
pub fn check(spec: &Spec, d: &mut Diagnostics) {
    for (stem, (file, examples)) in &spec.examples {
        let Some(area) = spec.areas.iter().find(|a| &a.stem == stem) else {
            d.push(Diagnostic::new(file, "", format!("there is no area spec/{stem}.yaml for these examples")));
            continue;
        };
        for name in examples.keys() {
            if !area.model.endpoints.iter().any(|e| &e.name == name) {
                d.push(Diagnostic::new(
                    file,
                    format!("endpoint {name}"),
                    format!("no such endpoint in {} (an example for a removed or renamed endpoint?)", area.file),
                ));
            }
        }
    }
    for area in &spec.areas {
        let examples_file = format!("spec/{EXAMPLES_DIR}/{}.yaml", area.stem);
        let entries = spec.examples.get(&area.stem);
        for ep in &area.model.endpoints {
            let place = format!("endpoint {}", ep.name);
            match entries.and_then(|(_, m)| m.get(&ep.name)) {
                None => d.push(Diagnostic::new(
                    &area.file,
                    &place,
                    format!(
                        "no example: add the official page's example request and response to {examples_file} \
                         (or `example_missing: <why>`)"
                    ),
                )),
                Some(ex) => {
                    let file = entries.map(|(f, _)| f.as_str()).unwrap_or(&examples_file);
                    check_entry(file, &place, ep, ex, d);
                }
            }
        }
    }
}

fn check_entry(file: &str, place: &str, ep: &Endpoint, ex: &Example, d: &mut Diagnostics) {
    let n = needs(ep);
    let mut problem = |m: String| d.push(Diagnostic::new(file, place, m));
    for (key, reason) in [
        ("example_missing", &ex.example_missing),
        ("request_missing", &ex.request_missing),
        ("response_missing", &ex.response_missing),
        ("not_json", &ex.not_json),
        ("request_untested", &ex.request_untested),
        ("response_untested", &ex.response_untested),
    ] {
        if reason.as_deref().is_some_and(|r| r.trim().is_empty()) {
            problem(format!("`{key}` needs a reason"));
        }
    }
    // `query: ""` is an example too: a request with no parameters but the token.
    let has_request = ex.query.is_some() || present(&ex.body) || !ex.bodies.is_empty();
    if ex.body.is_some() && !ex.bodies.is_empty() {
        problem("`body` and `bodies` together: use `bodies` for several examples, `body` for one".to_string());
    }
    for label in ex.bodies.keys() {
        let snake = !label.is_empty()
            && label.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
            && !label.starts_with(|c: char| c.is_ascii_digit());
        if !snake {
            problem(format!("`bodies` label `{label}` must be snake_case (it names a test)"));
        }
    }
    if present(&ex.example_missing) {
        if has_request || present(&ex.response) {
            problem("`example_missing` together with an example: keep one".to_string());
        }
        return;
    }
    if (ex.body.is_some() || !ex.bodies.is_empty()) && !n.json_body {
        problem("`body` given, but the endpoint sends no JSON body".to_string());
    }
    if present(&ex.query) && !n.query {
        problem("`query` given, but the endpoint has no query parameters".to_string());
    }
    if (n.query || n.json_body || n.multipart) && !has_request && !present(&ex.request_missing) {
        problem("no request example: add `query`/`body`, or `request_missing: <why>`".to_string());
    }
    if n.json_response && !present(&ex.response) && !present(&ex.response_missing) {
        problem("no response example: add `response`, or `response_missing: <why>`".to_string());
    }
    if ex.response.is_some() && !n.json_response {
        problem("`response` given, but the endpoint answers no JSON document".to_string());
    }
    if !parses(ex) && !ex.bodies.is_empty() {
        let broken = ex.bodies.values().filter(|t| serde_json::from_str::<serde_json::Value>(t).is_err()).count();
        if broken == 0 && ex.response.iter().all(|t| serde_json::from_str::<serde_json::Value>(t).is_ok()) {
            problem("`not_json`, but every body and the response parse: drop it".to_string());
        }
    }
    if parses(ex) {
        let labelled = ex.bodies.iter().map(|(label, t)| (format!("bodies.{label}"), Some(t)));
        let single = [("body".to_string(), ex.body.as_ref()), ("response".to_string(), ex.response.as_ref())];
        for (key, text) in single.into_iter().chain(labelled) {
            if let Some(t) = text {
                if let Err(e) = serde_json::from_str::<serde_json::Value>(t) {
                    problem(format!(
                        "`{key}` is not valid JSON ({e}); if the page prints it so, keep it and say why in `not_json`"
                    ));
                }
            }
        }
        if let (Some(t), false) = (&ex.response, ex.unmodelled.is_empty()) {
            if let Ok(v) = serde_json::from_str::<serde_json::Value>(t) {
                for path in &ex.unmodelled {
                    if !has_path(&v, path) {
                        problem(format!("`unmodelled` names {path}, which the example response does not have"));
                    }
                }
            }
        }
    } else if !ex.unmodelled.is_empty() {
        problem("`unmodelled` with `not_json`: an example that is not tested needs no exceptions".to_string());
    }
}

/// Whether a dotted path (`data.openid`; list items are looked through) exists in `v`.
pub fn has_path(v: &serde_json::Value, path: &str) -> bool {
    fn go(v: &serde_json::Value, keys: &[&str]) -> bool {
        match (keys.split_first(), v) {
            (None, _) => true,
            (Some(_), serde_json::Value::Array(items)) => items.iter().any(|i| go(i, keys)),
            (Some((k, rest)), serde_json::Value::Object(m)) => m.get(*k).is_some_and(|c| go(c, rest)),
            _ => false,
        }
    }
    go(v, &path.split('.').collect::<Vec<_>>())
}

#[cfg(test)]
mod tests {
    use super::has_path;

    #[test]
    fn paths_look_through_lists() {
        let v = serde_json::json!({"list": [{"a": 1}, {"b": {"c": 2}}], "x": {"y": 3}});
        assert!(has_path(&v, "list.a") && has_path(&v, "list.b.c") && has_path(&v, "x.y"));
        assert!(!has_path(&v, "list.z") && !has_path(&v, "x.y.z"));
    }
}
