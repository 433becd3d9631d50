//! Paging (`pages:` on an endpoint): the rules a spec must follow, and its lowering to
//! [`PagesIr`], from which the request builder gets `items()`: a stream of every item of every
//! page that asks for the next page only when the consumer has taken the current one.

use std::collections::BTreeMap;

use crate::diag::{Diagnostic, Diagnostics};
use crate::ir::{PageMode, PagesIr};
use crate::load::Spec;
use crate::model::{Endpoint, Field, Pages, ResponseKind, TypeKind};
use crate::types::{Prim, TypeExpr};
use crate::validate::{field_ident, TypeInfo};

fn is_text(f: &Field) -> bool {
    matches!(TypeExpr::parse(&f.ty), Ok(TypeExpr::Prim(Prim::String | Prim::Id)))
}

fn is_int(f: &Field) -> bool {
    matches!(TypeExpr::parse(&f.ty), Ok(TypeExpr::Prim(Prim::I32 | Prim::I64 | Prim::U32 | Prim::U64)))
}

/// The request field `name` and whether it is a query parameter.
fn request_field<'a>(ep: &'a Endpoint, name: &str) -> Option<(&'a Field, bool)> {
    ep.query
        .iter()
        .find(|f| f.name == name)
        .map(|f| (f, true))
        .or_else(|| ep.body.iter().flat_map(|b| &b.fields).find(|f| f.name == name).map(|f| (f, false)))
}

/// The response's top-level fields, read through a `type:` response.
fn response_fields<'a>(ep: &'a Endpoint, types: &BTreeMap<String, &'a crate::model::TypeDef>) -> Vec<&'a Field> {
    let Some(r) = &ep.response else { return Vec::new() };
    match &r.type_ref {
        Some(t) => types.get(t).map(|d| d.fields.iter().collect()).unwrap_or_default(),
        None => r.fields.iter().collect(),
    }
}

/// Follows the dotted `items` path; the fields along it, or what is wrong.
fn items_path<'a>(
    path: &str,
    top: Vec<&'a Field>,
    types: &BTreeMap<String, &'a crate::model::TypeDef>,
) -> Result<Vec<&'a Field>, String> {
    let segments: Vec<&str> = path.split('.').collect();
    let mut fields = top;
    let mut out = Vec::new();
    for (i, seg) in segments.iter().enumerate() {
        let f = *fields.iter().find(|f| f.name == *seg).ok_or_else(|| format!("pages items {path}: no field {seg}"))?;
        out.push(f);
        let t = TypeExpr::parse(&f.ty).map_err(|e| format!("pages items {path}: {e}"))?;
        if i + 1 == segments.len() {
            if !matches!(t, TypeExpr::List(_)) {
                return Err(format!("pages items {path}: {seg} is {}, not a list", f.ty));
            }
        } else {
            let def = match &t {
                TypeExpr::Named(n) => types.get(n).filter(|d| d.kind == TypeKind::Struct),
                _ => None,
            };
            fields = def
                .map(|d| d.fields.iter().collect())
                .ok_or_else(|| format!("pages items {path}: {seg} is {}, not a struct to look into", f.ty))?;
        }
    }
    Ok(out)
}

/// Checks every `pages:` of the spec.
pub fn check(spec: &Spec, d: &mut Diagnostics) {
    let types: BTreeMap<String, &crate::model::TypeDef> =
        spec.areas.iter().flat_map(|a| &a.model.types).map(|t| (t.name.clone(), t)).collect();
    for area in &spec.areas {
        for ep in &area.model.endpoints {
            let Some(p) = &ep.pages else { continue };
            let place = format!("endpoint {}", ep.name);
            let mut problem = |m: String| d.push(Diagnostic::new(&area.file, &place, m));
            let kind = ep.response.as_ref().map(|r| r.kind).unwrap_or_default();
            if kind != ResponseKind::Json {
                problem("`pages` needs a JSON response".to_string());
                continue;
            }
            let top = response_fields(ep, &types);
            if let Err(e) = items_path(&p.items, top.clone(), &types) {
                problem(e);
            }
            match p {
                Pages { cursor: Some(c), next: Some(n), offset: None, total: None, .. } => {
                    match request_field(ep, c) {
                        Some((f, _)) if is_text(f) => {}
                        Some((f, _)) => problem(format!("pages cursor {c} must be a string, not {}", f.ty)),
                        None => problem(format!("pages cursor {c} is not a request field")),
                    }
                    match top.iter().find(|f| &f.name == n) {
                        Some(f) if is_text(f) => {}
                        Some(f) => problem(format!("pages next {n} must be a string, not {}", f.ty)),
                        None => problem(format!("pages next {n} is not a top-level response field")),
                    }
                }
                Pages { offset: Some(o), cursor: None, next: None, total, .. } => {
                    match request_field(ep, o) {
                        Some((f, _)) if is_int(f) => {}
                        Some((f, _)) => problem(format!("pages offset {o} must be an integer, not {}", f.ty)),
                        None => problem(format!("pages offset {o} is not a request field")),
                    }
                    if let Some(t) = total {
                        match top.iter().find(|f| &f.name == t) {
                            Some(f) if is_int(f) => {}
                            Some(f) => problem(format!("pages total {t} must be an integer, not {}", f.ty)),
                            None => problem(format!("pages total {t} is not a top-level response field")),
                        }
                    }
                }
                _ => problem(
                    "`pages` takes either `cursor` and `next` (cursor paging) or `offset` and an optional `total`"
                        .to_string(),
                ),
            }
        }
    }
}

fn optional(f: &Field) -> bool {
    !f.required && !matches!(TypeExpr::parse(&f.ty), Ok(TypeExpr::List(_) | TypeExpr::Map(_)))
}

/// The resolved paging of `ep` (validation already refused anything that does not resolve).
pub fn lower(ep: &Endpoint, p: &Pages, area: &str, types: &BTreeMap<String, TypeInfo<'_>>) -> Option<PagesIr> {
    let defs: BTreeMap<String, &crate::model::TypeDef> = types.iter().map(|(k, v)| (k.clone(), v.def)).collect();
    let top = response_fields(ep, &defs);
    let path = items_path(&p.items, top.clone(), &defs).ok()?;
    let last = path.last()?;
    let item = match TypeExpr::parse(&last.ty).ok()? {
        TypeExpr::List(inner) => crate::lower::resolve(&inner, area, types).ok()?,
        _ => return None,
    };
    let items = path.iter().map(|f| (field_ident(f), optional(f))).collect();
    let mode = match (&p.cursor, &p.next, &p.offset) {
        (Some(c), Some(n), None) => {
            let (cf, in_query) = request_field(ep, c)?;
            let nf = top.iter().find(|f| &f.name == n)?;
            PageMode::Cursor {
                in_query,
                field: field_ident(cf),
                field_optional: optional(cf),
                next: field_ident(nf),
                next_optional: optional(nf),
            }
        }
        (None, None, Some(o)) => {
            let (of, in_query) = request_field(ep, o)?;
            let total =
                p.total.as_ref().and_then(|t| top.iter().find(|f| &f.name == t)).map(|f| (field_ident(f), optional(f)));
            PageMode::Offset { in_query, field: field_ident(of), total }
        }
        _ => return None,
    };
    Some(PagesIr { items, item, mode })
}
