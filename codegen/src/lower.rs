//! Lowering: a validated spec -> the [`crate::ir`] model the emitters read.
//!
//! Every type string is parsed and resolved here, once: cross-area paths, `Option`/`Vec`
//! wrapping, serde attributes, argument types, XML readers. Nothing falls back to a default:
//! a type that cannot be resolved (which validation should already have reported) is a
//! diagnostic naming the file, the endpoint/type/callback and the field.

use std::collections::{BTreeMap, BTreeSet};

use heck::{ToShoutySnakeCase, ToSnakeCase, ToUpperCamelCase};

use crate::diag::{Diagnostic, Diagnostics};
use crate::ir::*;
use crate::load::LoadedArea;
use crate::model::{BodyKind, CallbackDef, CallbacksFile, ErrorsFile, Field, Role, TypeDef, TypeKind, WireValue};
use crate::types::{Prim, TypeExpr};
use crate::validate::{endpoint_type_names, field_ident, Checked, TypeInfo};

/// Lowers a checked spec. `folder` names the spec folder for the default `errors.yaml` path.
pub fn lower(ck: &Checked<'_>) -> Result<Ir, Diagnostics> {
    let mut d = Diagnostics::default();
    let mut areas = Vec::new();
    for area in &ck.spec.areas {
        let examples = ck.spec.examples.get(&area.stem).map(|(_, m)| m);
        areas.push(lower_area(area, &ck.types, examples, &mut d));
    }
    let errors = match &ck.spec.errors {
        Some((file, e)) => lower_errors(file, e),
        None => lower_errors("spec/errors.yaml", &ErrorsFile { errors: Vec::new() }),
    };
    mark_checks(&mut areas);
    let callbacks = ck.spec.callbacks.as_ref().map(|(file, cb)| lower_callbacks(file, cb, &mut d));
    let root = lower_root(ck);
    d.into_result(Ir { areas, errors, callbacks, root })
}

/// The wire literal as doc text.
pub fn wire_text(v: &WireValue) -> String {
    match v {
        WireValue::Int(i) => i.to_string(),
        WireValue::Bool(b) => b.to_string(),
        WireValue::Str(s) => s.clone(),
    }
}

/// Where a JSON field is used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Usage {
    /// A public struct (named type or response).
    Public,
    /// A private query/body struct of an endpoint.
    Request,
    /// A public struct that is only ever decoded (a response, or a named type no request
    /// holds): its `list<string>` fields are `crate::StringList` (one buffer for every string
    /// instead of an allocation each).
    Response,
}

/// Resolves a type expression as seen from module `area`.
pub(crate) fn resolve(t: &TypeExpr, area: &str, types: &BTreeMap<String, TypeInfo<'_>>) -> Result<RustType, String> {
    Ok(match t {
        TypeExpr::Prim(p) => RustType::path(match p {
            Prim::String | Prim::Id => "String",
            Prim::Bool => "bool",
            Prim::I32 => "i32",
            Prim::I64 => "i64",
            Prim::U32 => "u32",
            Prim::U64 => "u64",
            Prim::F64 => "f64",
            Prim::Json => "serde_json::Value",
            Prim::File => "crate::Upload",
        }),
        TypeExpr::List(inner) => RustType::Vec(Box::new(resolve(inner, area, types)?)),
        TypeExpr::Map(inner) => RustType::Map(Box::new(resolve(inner, area, types)?)),
        TypeExpr::Named(n) => match types.get(n) {
            None => return Err(format!("unknown type {n}")),
            Some(info) if info.area != area => {
                RustType::Path(vec!["super".to_string(), info.area.to_string(), n.clone()])
            }
            Some(_) => RustType::Path(vec![n.clone()]),
        },
    })
}

/// A named struct as a resolved type (for `body: { type: X }` / `response: { type: X }`).
fn resolve_named(name: &str, area: &str, types: &BTreeMap<String, TypeInfo<'_>>) -> Result<RustType, String> {
    resolve(&TypeExpr::Named(name.to_string()), area, types)
}

/// The documentation of a JSON field: its doc, WeChat's default, and the wire name when it
/// differs from the Rust name.
fn field_doc(f: &Field, ident: &str) -> Doc {
    let mut doc = Doc::default().spec(f.doc.as_deref());
    if let Some(v) = &f.default {
        doc = doc.generated(format!("WeChat's default: `{}`.", wire_text(v)));
    }
    if ident != f.name {
        doc = doc.generated(format!("Wire name: `{}`.", f.name));
    }
    doc
}

fn lower_field(f: &Field, area: &str, usage: Usage, types: &BTreeMap<String, TypeInfo<'_>>) -> Result<FieldIr, String> {
    let t = TypeExpr::parse(&f.ty)?;
    let string_list = usage == Usage::Response && t == TypeExpr::List(Box::new(TypeExpr::Prim(Prim::String)));
    let value = if string_list { RustType::path("crate::StringList") } else { resolve(&t, area, types)? };
    let ident = field_ident(f);
    let presence = match &t {
        TypeExpr::List(_) => Presence::Collection(Collection::List),
        TypeExpr::Map(_) => Presence::Collection(Collection::Map),
        _ if f.required => Presence::Required,
        _ => Presence::Optional,
    };
    let input = match (&f.value, f.from) {
        (Some(v), _) if usage == Usage::Request => Input::Const(v.clone()),
        (None, Some(c)) if usage == Usage::Request => Input::Config(c),
        _ => Input::Caller,
    };
    let rename = (ident != f.name).then(|| f.name.clone());
    let (stored, serde) = match &input {
        Input::Const(v) => (
            match v {
                WireValue::Str(_) => RustType::StaticStr,
                WireValue::Int(_) => RustType::path("i64"),
                WireValue::Bool(_) => RustType::path("bool"),
            },
            SerdeAttrs { rename, ..SerdeAttrs::default() },
        ),
        Input::Config(_) => (RustType::path("String"), SerdeAttrs { rename, ..SerdeAttrs::default() }),
        Input::Caller => {
            let stored = match presence {
                Presence::Optional => RustType::Option(Box::new(value.clone())),
                _ => value.clone(),
            };
            let mut serde = SerdeAttrs { rename, ..SerdeAttrs::default() };
            if t == TypeExpr::Prim(Prim::Id) {
                if f.required {
                    serde.deserialize_with = Some("crate::generated_interface::deserialize_id");
                } else {
                    serde.default = true;
                    serde.skip_serializing_if = Some("Option::is_none");
                    serde.deserialize_with = Some("crate::generated_interface::deserialize_opt_id");
                }
            } else {
                match presence {
                    Presence::Required => {}
                    Presence::Collection(Collection::List) if !f.required => {
                        serde.default = true;
                        serde.skip_serializing_if =
                            Some(if string_list { "crate::StringList::is_empty" } else { "Vec::is_empty" });
                    }
                    Presence::Collection(Collection::Map) if !f.required => {
                        serde.default = true;
                        serde.skip_serializing_if = Some("std::collections::BTreeMap::is_empty");
                    }
                    Presence::Collection(_) => {}
                    Presence::Optional => {
                        serde.default = true;
                        serde.skip_serializing_if = Some("Option::is_none");
                    }
                }
            }
            (stored, serde)
        }
    };
    let union = match &t {
        TypeExpr::Named(n) => types.get(n).map(|i| i.def).filter(|def| def.kind == TypeKind::Union),
        _ => None,
    };
    let arg = match t {
        TypeExpr::Prim(Prim::String | Prim::Id) => ArgType::Into(RustType::path("String")),
        _ if union.is_some() => ArgType::Into(value.clone()),
        _ => ArgType::Plain(value.clone()),
    };
    let (stored, serde) = match union {
        Some(_) => (stored, SerdeAttrs { flatten: true, ..SerdeAttrs::default() }),
        None => (stored, serde),
    };
    let accepts = union
        .map(|u| {
            u.variants
                .iter()
                .filter(|v| f.accepts.contains(&v.name))
                .map(|v| (v.name.clone(), variant_wire_text(v)))
                .collect()
        })
        .unwrap_or_default();
    Ok(FieldIr {
        wire: f.name.clone(),
        doc: field_doc(f, &ident),
        ident,
        value,
        stored,
        arg,
        required: f.required,
        presence,
        serde,
        secret: f.secret,
        input,
        is_file: t == TypeExpr::Prim(Prim::File),
        limits: f.limits.as_ref().map(limit_checks).unwrap_or_default(),
        limit_errcode: f.limits.as_ref().and_then(|l| l.errcode),
        nested_check: false,
        accepts,
        union_tag: union.and_then(|u| u.tag.clone()),
    })
}

/// `tag` `wire` (under `key` when the payload key differs), for docs and errors.
fn variant_wire_text(v: &crate::model::UnionVariant) -> String {
    match &v.key {
        Some(k) if *k != v.wire => format!("{} (payload under {k})", v.wire),
        _ => v.wire.clone(),
    }
}

/// A union and its variants; the payloads' constructors are resolved as seen from `area`.
fn lower_union(
    file: &str,
    t: &TypeDef,
    area: &str,
    types: &BTreeMap<String, TypeInfo<'_>>,
    d: &mut Diagnostics,
) -> UnionIr {
    let place = format!("type {}", t.name);
    let mut variants = Vec::new();
    for v in &t.variants {
        let payload = match resolve_named(&v.ty, area, types) {
            Ok(p) => p,
            Err(e) => {
                d.push(Diagnostic::new(file, format!("{place}: variant {}", v.name), e));
                continue;
            }
        };
        let key = v.key.clone().unwrap_or_else(|| v.wire.clone());
        let info = types.get(&v.ty);
        let ctor_params = info.filter(|i| i.in_request).map(|i| {
            let required: Vec<Field> = i.def.fields.iter().filter(|f| f.required).cloned().collect();
            lower_fields(file, &place, "payload field", &required, area, Usage::Public, types, d)
        });
        variants.push(UnionVariantIr {
            ident: v.name.clone(),
            doc: Doc::default().spec(v.doc.as_deref()).generated(format!(
                "On the wire: `\"{}\": \"{}\"`, the payload under `{key}`.",
                t.tag.as_deref().unwrap_or_default(),
                v.wire
            )),
            wire: v.wire.clone(),
            key,
            payload,
            ctor: v.name.to_snake_case(),
            ctor_params,
            from_impl: t.variants.iter().filter(|o| o.ty == v.ty).count() == 1,
            checked: false,
        });
    }
    UnionIr {
        name: t.name.clone(),
        doc: Doc::default().spec(t.doc.as_deref()),
        tag: t.tag.clone().unwrap_or_default(),
        variants,
        checked: false,
    }
}

fn limit_checks(l: &crate::model::Limits) -> Vec<LimitCheck> {
    let mut out = Vec::new();
    if l.min_items.is_some() || l.max_items.is_some() {
        out.push(LimitCheck::Items { min: l.min_items, max: l.max_items });
    }
    if let Some(n) = l.max_chars {
        out.push(LimitCheck::Chars(n));
    }
    if let Some(n) = l.max_bytes {
        out.push(LimitCheck::Bytes(n));
    }
    if l.min.is_some() || l.max.is_some() {
        out.push(LimitCheck::Range { min: l.min, max: l.max });
    }
    out
}

/// The struct a field's value is, looking through `Vec`, maps and `Option`.
fn struct_name(t: &RustType) -> Option<&str> {
    match t {
        RustType::Path(segs) => segs.last().map(String::as_str),
        RustType::Vec(inner) | RustType::Map(inner) | RustType::Option(inner) => struct_name(inner),
        RustType::StaticStr => None,
    }
}

/// Marks which structs have checks (their own limits, or a checked struct inside, to any
/// depth) and which fields hold such a struct.
fn mark_checks(areas: &mut [AreaIr]) {
    let mut checked: BTreeSet<String> = BTreeSet::new();
    loop {
        let before = checked.len();
        for area in areas.iter() {
            for t in &area.types {
                let (name, own) = match t {
                    NamedIr::Struct(s) => (
                        &s.name,
                        s.fields.iter().any(|f| {
                            !f.limits.is_empty() || struct_name(&f.value).is_some_and(|n| checked.contains(n))
                        }),
                    ),
                    NamedIr::Union(u) => (
                        &u.name,
                        u.variants.iter().any(|v| struct_name(&v.payload).is_some_and(|n| checked.contains(n))),
                    ),
                    _ => continue,
                };
                if own {
                    checked.insert(name.clone());
                }
            }
        }
        if checked.len() == before {
            break;
        }
    }
    let mark = |fields: &mut Vec<FieldIr>| {
        for f in fields {
            f.nested_check = struct_name(&f.value).is_some_and(|n| checked.contains(n));
        }
    };
    for area in areas.iter_mut() {
        for t in &mut area.types {
            match t {
                NamedIr::Struct(s) => {
                    // Only structs that are sent are checked (a response type holding one is not).
                    s.checked = s.for_request && checked.contains(&s.name);
                    mark(&mut s.fields);
                }
                NamedIr::Union(u) => {
                    for v in &mut u.variants {
                        v.checked = struct_name(&v.payload).is_some_and(|n| checked.contains(n));
                    }
                    u.checked = u.variants.iter().any(|v| v.checked);
                }
                _ => {}
            }
        }
        for ep in &mut area.endpoints {
            if let Some(q) = &mut ep.query {
                mark(&mut q.fields);
            }
            if let BodyIr::Json(b) = &mut ep.body {
                mark(&mut b.fields);
            }
            if let BodyIr::Named(t) = &ep.body {
                ep.body_checked = struct_name(t).is_some_and(|n| checked.contains(n));
            }
        }
    }
}

/// Lowers `fields`, reporting each unresolvable one at `place: label name`.
#[allow(clippy::too_many_arguments)]
fn lower_fields(
    file: &str,
    place: &str,
    label: &str,
    fields: &[Field],
    area: &str,
    usage: Usage,
    types: &BTreeMap<String, TypeInfo<'_>>,
    d: &mut Diagnostics,
) -> Vec<FieldIr> {
    fields
        .iter()
        .filter_map(|f| match lower_field(f, area, usage, types) {
            Ok(ir) => Some(ir),
            Err(e) => {
                d.push(Diagnostic::new(file, format!("{place}: {label} {}", f.name), e));
                None
            }
        })
        .collect()
}

fn lower_area(
    area: &LoadedArea,
    types: &BTreeMap<String, TypeInfo<'_>>,
    examples: Option<&crate::model::ExamplesFile>,
    d: &mut Diagnostics,
) -> AreaIr {
    let m = &area.model;
    let file = area.file.as_str();
    let handle = format!("{}Api", m.area.to_upper_camel_case());
    let named = m.types.iter().filter_map(|t| lower_named(file, t, &m.area, types, d)).collect();
    let endpoints = m
        .endpoints
        .iter()
        .map(|ep| {
            let mut ir = lower_endpoint(file, ep, &m.area, &handle, types, d);
            ir.example = examples.and_then(|x| x.get(&ep.name)).and_then(|x| lower_example(ep, x));
            ir
        })
        .collect();
    AreaIr {
        source: area.file.clone(),
        module: m.area.clone(),
        handle_doc: Doc::default().generated(format!("The `{}` endpoints: `client.{}()`.", m.area, m.area)),
        handle,
        doc: Doc::default().spec(Some(&m.title)).spec(m.doc.as_deref()),
        title: m.title.clone(),
        types: named,
        endpoints,
    }
}

/// How a named struct's fields are used: [`Usage::Response`] unless a request holds it.
fn named_usage(name: &str, types: &BTreeMap<String, TypeInfo<'_>>) -> Usage {
    if types.get(name).is_some_and(|i| i.in_request) {
        Usage::Public
    } else {
        Usage::Response
    }
}

fn lower_named(
    file: &str,
    t: &TypeDef,
    area: &str,
    types: &BTreeMap<String, TypeInfo<'_>>,
    d: &mut Diagnostics,
) -> Option<NamedIr> {
    let place = format!("type {}", t.name);
    let doc = Doc::default().spec(t.doc.as_deref());
    let variant = |v: &crate::model::EnumValue| VariantIr {
        ident: v.name.clone(),
        doc: Doc::default().spec(v.doc.as_deref()).generated(format!("Wire value: `{}`.", wire_text(&v.wire))),
    };
    Some(match t.kind {
        TypeKind::Struct => NamedIr::Struct(StructIr {
            name: t.name.clone(),
            doc,
            fields: lower_fields(file, &place, "field", &t.fields, area, named_usage(&t.name, types), types, d),
            for_request: types.get(&t.name).is_some_and(|i| i.in_request),
            checked: false,
        }),
        TypeKind::Union => NamedIr::Union(lower_union(file, t, area, types, d)),
        TypeKind::StringEnum => NamedIr::StringEnum {
            name: t.name.clone(),
            doc,
            variants: t.values.iter().map(|v| (variant(v), wire_text(&v.wire))).collect(),
        },
        TypeKind::IntEnum => {
            let mut variants = Vec::new();
            for v in &t.values {
                match v.wire {
                    WireValue::Int(i) => variants.push((variant(v), i)),
                    _ => d.push(Diagnostic::new(
                        file,
                        format!("{place}: value {}", v.name),
                        "wire value must be an integer in an int_enum",
                    )),
                }
            }
            NamedIr::IntEnum { name: t.name.clone(), doc, variants }
        }
    })
}

fn lower_endpoint(
    file: &str,
    ep: &crate::model::Endpoint,
    area: &str,
    handle: &str,
    types: &BTreeMap<String, TypeInfo<'_>>,
    d: &mut Diagnostics,
) -> EndpointIr {
    let place = format!("endpoint {}", ep.name);
    let [request, resp_name, query_name, body_name] = endpoint_type_names(ep);
    let response = ep.response.clone().unwrap_or_default();
    let doc_url = ep.doc_url.clone().unwrap_or_default();
    let mut doc = Doc::default().spec(Some(&ep.summary)).spec(ep.doc.as_deref());
    if let Some(n) = &ep.deprecated {
        doc = doc.spec(Some(&format!("**Deprecated:** {n}")));
    }
    doc = doc.generated(format!("Official documentation: <{doc_url}>"));
    let mut named = |what: &str, name: &str| match resolve_named(name, area, types) {
        Ok(t) => Some(t),
        Err(e) => {
            d.push(Diagnostic::new(file, format!("{place}: {what}"), e));
            None
        }
    };
    let body_named = ep.body.as_ref().and_then(|b| b.type_ref.as_deref()).and_then(|t| named("body", t));
    let resp_named = response.type_ref.as_deref().and_then(|t| named("response", t));
    let query = (!ep.query.is_empty()).then(|| WireStructIr {
        name: query_name,
        fields: lower_fields(file, &place, "query field", &ep.query, area, Usage::Request, types, d),
    });
    let body = match &ep.body {
        None => BodyIr::None,
        Some(b) if b.type_ref.is_some() => match body_named {
            Some(t) => BodyIr::Named(t),
            None => BodyIr::None,
        },
        Some(b) => {
            let s = WireStructIr {
                name: body_name,
                fields: lower_fields(file, &place, "body field", &b.fields, area, Usage::Request, types, d),
            };
            match b.kind {
                BodyKind::Json => BodyIr::Json(s),
                BodyKind::Multipart => BodyIr::Multipart(s),
            }
        }
    };
    let response_ir = if let Some(t) = resp_named {
        ResponseIr::Named(t)
    } else if response.fields.is_empty() {
        ResponseIr::Unit
    } else {
        ResponseIr::Fields(StructIr {
            name: resp_name,
            doc: Doc::default().generated(format!("Response of [`{handle}::{}`].", ep.name)),
            fields: lower_fields(file, &place, "response field", &response.fields, area, Usage::Response, types, d),
            for_request: false,
            checked: false,
        })
    };
    EndpointIr {
        method_name: ep.name.clone(),
        konst: ep.name.to_shouty_snake_case(),
        full_name: format!("{area}.{}", ep.name),
        const_doc: Doc::default()
            .generated(format!("Descriptor of [`{area}::{}`](super::{area}::{handle}::{}).", ep.name, ep.name)),
        request_doc: Doc::default().generated(format!(
            "Request builder for [`{handle}::{}`]: set optional parameters, then call `send()`.",
            ep.name
        )),
        request,
        doc,
        deprecated: ep.deprecated.clone(),
        method: ep.method,
        host: ep.host,
        auth: ep.auth,
        token_query: ep.token_query.unwrap_or_default(),
        path: ep.path.clone(),
        body_kind: ep.body.as_ref().map(|b| b.kind),
        response_kind: response.kind,
        idempotent: ep.idempotent.unwrap_or(false),
        doc_url,
        fragment: ep.fragment.clone(),
        query,
        body,
        response: response_ir,
        example: None,
        date_span: ep.date_span.as_ref().and_then(|span| {
            let find = |name: &str| {
                ep.query.iter().find(|f| f.name == name).map(|f| (field_ident(f), true)).or_else(|| {
                    ep.body.iter().flat_map(|b| &b.fields).find(|f| f.name == name).map(|f| (field_ident(f), false))
                })
            };
            let ((begin, in_query), (end, _)) = (find(&span.begin)?, find(&span.end)?);
            Some(DateSpanIr {
                begin,
                begin_wire: span.begin.clone(),
                end,
                end_wire: span.end.clone(),
                in_query,
                max_days: span.max_days,
                errcode: span.errcode,
            })
        }),
        body_checked: false,
        pages: ep.pages.as_ref().and_then(|p| crate::pages::lower(ep, p, area, types)),
    }
}

fn lower_errors(file: &str, errors: &ErrorsFile) -> ErrorsIr {
    ErrorsIr {
        source: file.to_string(),
        codes: errors
            .errors
            .iter()
            .map(|e| ErrorIr {
                ident: e.name.clone(),
                code: e.code,
                doc: Doc::default().spec(Some(&e.doc)).generated(format!("errcode `{}`", e.code)),
                meaning: e.doc.trim().to_string(),
                errmsg: e.errmsg.clone(),
            })
            .collect(),
    }
}

fn lower_root(ck: &Checked<'_>) -> RootIr {
    let mut fetchers: BTreeMap<FetcherRole, FetcherIr> = BTreeMap::new();
    for area in &ck.spec.areas {
        for ep in &area.model.endpoints {
            let Some(role) = ep.role else { continue };
            let role = match role {
                Role::AccessToken => FetcherRole::AccessToken,
                Role::StableToken => FetcherRole::StableToken,
                Role::Ticket => FetcherRole::Ticket,
                Role::ComponentToken => FetcherRole::ComponentToken,
                Role::StartPushTicket => FetcherRole::StartPushTicket,
                Role::QueryAuth => FetcherRole::QueryAuth,
                Role::AuthorizerToken => FetcherRole::AuthorizerToken,
                Role::AuthorizerList => FetcherRole::AuthorizerList,
                Role::AuthorizerInfo => FetcherRole::AuthorizerInfo,
            };
            fetchers.insert(
                role,
                FetcherIr {
                    role,
                    module: area.model.area.clone(),
                    method: ep.name.clone(),
                    deprecated: ep.deprecated.is_some(),
                    optional_info: ep
                        .response
                        .as_ref()
                        .and_then(|r| r.fields.iter().find(|f| f.name == "authorization_info"))
                        .is_some_and(|f| !f.required),
                },
            );
        }
    }
    let fetchers: Vec<FetcherIr> = fetchers.into_values().collect();
    RootIr {
        modules: ck
            .spec
            .areas
            .iter()
            .map(|a| ModuleIr {
                module: a.model.area.clone(),
                handle: format!("{}Api", a.model.area.to_upper_camel_case()),
                doc: Doc::default().spec(Some(&a.model.title)),
            })
            .collect(),
        has_callbacks: ck.spec.callbacks.is_some(),
        uses_deprecated: fetchers.iter().any(|f| f.deprecated),
        fetchers,
    }
}

/// The XML shape and value type of a callback field, or why it has none.
fn xml_shape(f: &Field, local: &BTreeSet<String>) -> Result<(XmlShape, RustType), String> {
    let t = TypeExpr::parse(&f.ty)?;
    let not_xml = || {
        format!(
            "type `{}` is not an XML field type (string, i32, i64, f64, a type of this file, or list<..> of those)",
            f.ty
        )
    };
    Ok(match t {
        TypeExpr::Prim(Prim::String) => (XmlShape::Text, RustType::path("String")),
        TypeExpr::Prim(p @ (Prim::I64 | Prim::I32 | Prim::F64)) => (
            XmlShape::Number,
            RustType::path(match p {
                Prim::I64 => "i64",
                Prim::I32 => "i32",
                _ => "f64",
            }),
        ),
        TypeExpr::Named(n) if local.contains(&n) => (XmlShape::Child(n.clone()), RustType::Path(vec![n])),
        TypeExpr::List(inner) => match *inner {
            TypeExpr::Named(n) if local.contains(&n) => (
                XmlShape::ChildList { ty: n.clone(), item: f.item.clone() },
                RustType::Vec(Box::new(RustType::Path(vec![n]))),
            ),
            TypeExpr::Prim(Prim::String) => {
                (XmlShape::TextList { item: f.item.clone() }, RustType::Vec(Box::new(RustType::path("String"))))
            }
            _ => return Err(not_xml()),
        },
        _ => return Err(not_xml()),
    })
}

#[allow(clippy::too_many_arguments)]
fn lower_xml_struct(
    file: &str,
    place: &str,
    name: String,
    doc: Doc,
    fields: &[Field],
    owner: String,
    users_build_it: bool,
    local: &BTreeSet<String>,
    d: &mut Diagnostics,
) -> XmlStructIr {
    let mut out = Vec::new();
    for f in fields {
        match xml_shape(f, local) {
            Err(e) => d.push(Diagnostic::new(file, format!("{place}: field {}", f.name), e)),
            Ok((shape, value)) => {
                let list = matches!(shape, XmlShape::ChildList { .. } | XmlShape::TextList { .. });
                let stored = if f.required || list { value.clone() } else { RustType::Option(Box::new(value.clone())) };
                let arg = match shape {
                    XmlShape::Text => ArgType::Into(RustType::path("String")),
                    _ => ArgType::Plain(value.clone()),
                };
                out.push(XmlFieldIr {
                    wire: f.name.clone(),
                    ident: field_ident(f),
                    doc: Doc::default().spec(f.doc.as_deref()).generated(format!("XML element: `{}`.", f.name)),
                    shape,
                    required: f.required,
                    value,
                    stored,
                    arg,
                    secret: f.secret,
                });
            }
        }
    }
    XmlStructIr { name, doc, fields: out, owner, constructor: users_build_it, exhaustive: users_build_it }
}

fn lower_callbacks(file: &str, cb: &CallbacksFile, d: &mut Diagnostics) -> CallbacksIr {
    let local: BTreeSet<String> = cb.types.iter().map(|t| t.name.clone()).collect();
    let types = cb
        .types
        .iter()
        .map(|t| {
            let place = format!("type {}", t.name);
            let doc = Doc::default().spec(t.doc.as_deref());
            lower_xml_struct(file, &place, t.name.clone(), doc, &t.fields, t.name.clone(), true, &local, d)
        })
        .collect();
    let mut group = |defs: &[CallbackDef], label: &str, suffix: &str, what: &str, reply: bool| -> Vec<CallbackIr> {
        defs.iter()
            .map(|def| {
                let place = format!("{label} {}", def.name);
                let mut doc = Doc::default()
                    .spec(Some(&def.summary))
                    .spec(def.doc.as_deref())
                    .generated(format!("{what} `{}`.", def.wire));
                if let Some(u) = &def.doc_url {
                    doc = doc.generated(format!("Official documentation: <{u}>"));
                }
                let owner = format!("{} {}", def.wire, what);
                let name = format!("{}{suffix}", def.name);
                CallbackIr {
                    variant: def.name.clone(),
                    wire: def.wire.clone(),
                    variant_doc: Doc::default().spec(Some(&def.summary)),
                    def: lower_xml_struct(file, &place, name, doc, &def.fields, owner, reply, &local, d),
                }
            })
            .collect()
    };
    let messages = group(&cb.messages, "message", "Message", "MsgType", false);
    let events = group(&cb.events, "event", "Event", "Event", false);
    let replies = group(&cb.replies, "reply", "Reply", "MsgType", true);
    let component = group(&cb.component, "component", "Info", "InfoType", false);
    CallbacksIr {
        source: file.to_string(),
        doc: Doc::default().spec(Some(&cb.title)).spec(cb.doc.as_deref()),
        types,
        messages,
        events,
        replies,
        component,
    }
}

/// The parts of an official example that become tests: only JSON the page printed validly, and
/// only halves the endpoint has (validation already refused the rest).
fn lower_example(ep: &crate::model::Endpoint, ex: &crate::model::Example) -> Option<ExampleIr> {
    // With several labelled bodies, `not_json` excuses the ones that do not parse and the rest
    // are still tested; otherwise it excuses the whole entry.
    let several = !ex.bodies.is_empty();
    if ex.example_missing.is_some() || (!crate::examples::parses(ex) && !several) {
        return None;
    }
    let is_json = |t: &String| serde_json::from_str::<serde_json::Value>(t).is_ok();
    let needs = crate::examples::needs(ep);
    let ir = ExampleIr {
        query: ex.query.clone().filter(|_| needs.query && ex.request_untested.is_none()),
        bodies: if needs.json_body && ex.request_untested.is_none() {
            let all = ex.body.iter().map(|b| (String::new(), b.clone())).chain(ex.bodies.clone());
            all.filter(|(_, b)| is_json(b)).collect()
        } else {
            Vec::new()
        },
        response: ex.response.clone().filter(|r| needs.json_response && ex.response_untested.is_none() && is_json(r)),
        unmodelled: ex.unmodelled.clone(),
    };
    (ir.query.is_some() || !ir.bodies.is_empty() || ir.response.is_some()).then_some(ir)
}
