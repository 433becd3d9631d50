//! Documented limits of request fields (`limits:`) and of date spans (`date_span:`): which
//! limit fits which type, and the rules a spec must follow to use them. The checks themselves
//! run in the client (`generated_interface::limits`) before anything is sent.

use crate::diag::{Diagnostic, Diagnostics};
use crate::load::Spec;
use std::collections::HashSet;

use crate::model::{Endpoint, Field, Limits, TypeKind};
use crate::types::{Prim, TypeExpr};

/// Checks every `limits:` and `date_span:` of the spec.
pub fn check(spec: &Spec, d: &mut Diagnostics) {
    let enums: HashSet<&str> = spec
        .areas
        .iter()
        .flat_map(|a| &a.model.types)
        .filter(|t| matches!(t.kind, TypeKind::StringEnum | TypeKind::IntEnum))
        .map(|t| t.name.as_str())
        .collect();
    for area in &spec.areas {
        let file = &area.file;
        for ep in &area.model.endpoints {
            let place = format!("endpoint {}", ep.name);
            for f in &ep.query {
                field(file, &format!("{place}: query field {}", f.name), f, &enums, d);
            }
            for f in ep.body.iter().flat_map(|b| &b.fields) {
                field(file, &format!("{place}: body field {}", f.name), f, &enums, d);
            }
            for f in ep.response.iter().flat_map(|r| &r.fields) {
                if f.limits.is_some() {
                    d.push(Diagnostic::new(
                        file,
                        format!("{place}: response field {}", f.name),
                        "`limits` apply to what is sent; a response field cannot have them",
                    ));
                }
            }
            date_span(file, &place, ep, d);
        }
        for t in &area.model.types {
            for f in &t.fields {
                field(file, &format!("type {}: field {}", t.name, f.name), f, &enums, d);
            }
        }
    }
    if let Some((file, cb)) = &spec.callbacks {
        let all = cb.messages.iter().chain(&cb.events).chain(&cb.replies).chain(&cb.component);
        for def in all {
            for f in def.fields.iter().filter(|f| f.limits.is_some()) {
                d.push(Diagnostic::new(
                    file,
                    format!("callback {}: field {}", def.name, f.name),
                    "`limits` are for HTTP request fields, not callback XML",
                ));
            }
        }
    }
}

fn field(file: &str, place: &str, f: &Field, enums: &HashSet<&str>, d: &mut Diagnostics) {
    let Some(l) = &f.limits else { return };
    let mut problem = |m: String| d.push(Diagnostic::new(file, place, m));
    if l.missing_errcode.is_some() && !f.required {
        problem(
            "`missing_errcode` is WeChat's answer to a required field left out; this field is optional".to_string(),
        );
    }
    if *l == (Limits { errcode: l.errcode, missing_errcode: None, ..Limits::default() }) && l.errcode.is_some() {
        // A union field's `accepts` and an enum's known values are limits of their own;
        // `errcode` then names WeChat's answer to a kind or value outside them.
        let enum_typed = match TypeExpr::parse(&f.ty) {
            Ok(TypeExpr::Named(n)) => enums.contains(n.as_str()),
            Ok(TypeExpr::List(inner)) => matches!(*inner, TypeExpr::Named(ref n) if enums.contains(n.as_str())),
            _ => false,
        };
        if f.accepts.is_empty() && !enum_typed {
            problem(
                "`limits` names no limit (an `errcode` alone only goes with `accepts` or an enum type)".to_string(),
            );
        }
        return;
    }
    let Ok(t) = TypeExpr::parse(&f.ty) else { return }; // reported by validation
    let is_list = matches!(t, TypeExpr::List(_) | TypeExpr::Map(_));
    let is_text = matches!(t, TypeExpr::Prim(Prim::String | Prim::Id));
    let is_int = matches!(t, TypeExpr::Prim(Prim::I32 | Prim::I64 | Prim::U32 | Prim::U64));
    let ty = &f.ty;
    if (l.min_items.is_some() || l.max_items.is_some()) && !is_list {
        problem(format!("`min_items`/`max_items` need a list or map, not {ty}"));
    }
    if (l.max_chars.is_some() || l.max_bytes.is_some()) && !is_text {
        problem(format!("`max_chars`/`max_bytes` need a string, not {ty}"));
    }
    if (l.min.is_some() || l.max.is_some()) && !is_int {
        problem(format!("`min`/`max` need an integer, not {ty}"));
    }
    if let (Some(a), Some(b)) = (l.min_items, l.max_items) {
        if a > b {
            problem(format!("min_items {a} is more than max_items {b}"));
        }
    }
    if let (Some(a), Some(b)) = (l.min, l.max) {
        if a > b {
            problem(format!("min {a} is more than max {b}"));
        }
    }
    if f.value.is_some() || f.from.is_some() {
        problem("`limits` on a field the SDK fills itself (`value`/`from`)".to_string());
    }
}

fn date_span(file: &str, place: &str, ep: &Endpoint, d: &mut Diagnostics) {
    let Some(span) = &ep.date_span else { return };
    let fields: Vec<&Field> = ep.query.iter().chain(ep.body.iter().flat_map(|b| &b.fields)).collect();
    for name in [&span.begin, &span.end] {
        match fields.iter().find(|f| &f.name == name) {
            None => {
                d.push(Diagnostic::new(file, place, format!("date_span names {name}, which is not a request field")))
            }
            Some(f) if f.ty != "string" || !f.required => d.push(Diagnostic::new(
                file,
                place,
                format!("date_span field {name} must be a required string (YYYY-MM-DD), not {}", f.ty),
            )),
            Some(_) => {}
        }
    }
    if span.max_days == 0 {
        d.push(Diagnostic::new(file, place, "date_span max_days must be at least 1 (1 = the same day)"));
    }
}
