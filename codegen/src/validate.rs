//! The semantic pass: everything that would make wrong or uncompilable code is reported here,
//! all at once, each with its file / endpoint / field. Emission runs only on a clean spec.

use std::collections::{BTreeMap, BTreeSet};

use heck::{ToShoutySnakeCase, ToSnakeCase, ToUpperCamelCase};

use crate::diag::{Diagnostic, Diagnostics};
use crate::load::Spec;
use crate::model::{Auth, Body, BodyKind, Endpoint, Field, Method, ResponseKind, Role, TypeDef, TypeKind, WireValue};
use crate::types::{Prim, TypeExpr};

/// A named type and what the generator needs to know about it.
#[derive(Debug, Clone)]
pub struct TypeInfo<'a> {
    /// The area (module) declaring it.
    pub area: &'a str,
    /// Its definition.
    pub def: &'a TypeDef,
    /// Reachable from some request (so it needs constructors and no `#[non_exhaustive]`).
    pub in_request: bool,
}

/// A spec that passed validation, with its type index.
#[derive(Debug, Clone)]
pub struct Checked<'a> {
    /// The spec.
    pub spec: &'a Spec,
    /// Every named type by name.
    pub types: BTreeMap<String, TypeInfo<'a>>,
}

const KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern", "false", "fn",
    "for", "gen", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return", "self",
    "Self", "static", "struct", "super", "trait", "true", "type", "unsafe", "use", "where", "while", "abstract",
    "become", "box", "do", "final", "macro", "override", "priv", "typeof", "unsized", "virtual", "yield", "try",
];

/// The Rust identifier of a field.
pub fn field_ident(f: &Field) -> String {
    f.rust_name.clone().unwrap_or_else(|| f.name.to_snake_case())
}

/// Names the generator derives from an endpoint, for collision checks and emission.
pub fn endpoint_type_names(ep: &Endpoint) -> [String; 4] {
    let camel = ep.name.to_upper_camel_case();
    [format!("{camel}Request"), format!("{camel}Response"), format!("{camel}Query"), format!("{camel}Body")]
}

/// Checks the whole spec.
pub fn validate(spec: &Spec) -> Result<Checked<'_>, Diagnostics> {
    let mut d = Diagnostics::default();
    let mut types: BTreeMap<String, TypeInfo<'_>> = BTreeMap::new();

    // Pass 1: collect named types (global namespace).
    for area in &spec.areas {
        for t in &area.model.types {
            if let Some(prev) = types.get(&t.name) {
                d.push(Diagnostic::new(
                    &area.file,
                    format!("type {}", t.name),
                    format!("duplicate type name (also declared in area {})", prev.area),
                ));
                continue;
            }
            types.insert(t.name.clone(), TypeInfo { area: &area.model.area, def: t, in_request: false });
        }
    }
    let known = types.keys().cloned().collect::<Vec<_>>();

    for area in &spec.areas {
        let file = area.file.as_str();
        let m = &area.model;
        if m.area != area.stem {
            d.push(Diagnostic::new(file, "area", format!("`{}` must equal the file name `{}`", m.area, area.stem)));
        }
        if m.area.to_snake_case() != m.area || is_keyword(&m.area) {
            d.push(Diagnostic::new(file, "area", format!("`{}` must be snake_case and not a Rust keyword", m.area)));
        }
        if m.title.trim().is_empty() {
            d.push(Diagnostic::new(file, "title", "must not be empty"));
        }
        // Names generated in this module must not collide with its named types.
        let mut generated: BTreeMap<String, String> = BTreeMap::new();
        generated.insert(format!("{}Api", m.area.to_upper_camel_case()), "the area handle".to_string());
        for ep in &m.endpoints {
            for n in endpoint_type_names(ep) {
                generated.insert(n, format!("endpoint {}", ep.name));
            }
        }
        for t in &m.types {
            let place = format!("type {}", t.name);
            if let Some(owner) = generated.get(&t.name) {
                d.push(Diagnostic::new(file, &place, format!("name clashes with the type generated for {owner}")));
            }
            check_type(file, &place, t, &types, &known, &mut d);
        }
        let mut seen_eps = BTreeSet::new();
        let mut seen_consts = BTreeSet::new();
        for ep in &m.endpoints {
            let place = format!("endpoint {}", ep.name);
            if !seen_eps.insert(ep.name.clone()) {
                d.push(Diagnostic::new(file, &place, "duplicate endpoint name in this area"));
            }
            if !seen_consts.insert(ep.name.to_shouty_snake_case()) {
                d.push(Diagnostic::new(file, &place, "name collides with another endpoint after case conversion"));
            }
            check_endpoint(file, &place, ep, &types, &known, &mut d);
        }
    }
    if let Some((file, errors)) = &spec.errors {
        let mut names = BTreeSet::new();
        let mut codes = BTreeSet::new();
        for e in &errors.errors {
            let place = format!("error {}", e.code);
            if !names.insert(e.name.clone()) {
                d.push(Diagnostic::new(file, &place, format!("duplicate name {}", e.name)));
            }
            if !codes.insert(e.code) {
                d.push(Diagnostic::new(file, &place, "duplicate code"));
            }
            if e.name.to_upper_camel_case() != e.name || e.name == "Other" {
                d.push(Diagnostic::new(
                    file,
                    &place,
                    format!("name `{}` must be UpperCamelCase and not `Other`", e.name),
                ));
            }
            if e.code == 0 {
                d.push(Diagnostic::new(file, &place, "0 means success and is not an error code"));
            }
        }
    }
    if let Some((file, cb)) = &spec.callbacks {
        check_callbacks(file, cb, &mut d);
    }
    crate::examples::check(spec, &mut d);
    crate::limits::check(spec, &mut d);
    crate::pages::check(spec, &mut d);
    if !d.is_empty() {
        return Err(d);
    }
    mark_request_types(spec, &mut types);
    Ok(Checked { spec, types })
}

fn is_keyword(s: &str) -> bool {
    KEYWORDS.contains(&s)
}

fn check_type(
    file: &str,
    place: &str,
    t: &TypeDef,
    types: &BTreeMap<String, TypeInfo<'_>>,
    known: &[String],
    d: &mut Diagnostics,
) {
    if t.name.to_upper_camel_case() != t.name || is_keyword(&t.name) {
        d.push(Diagnostic::new(file, place, "type names must be UpperCamelCase"));
    }
    if t.kind != TypeKind::Union && (t.tag.is_some() || !t.variants.is_empty()) {
        d.push(Diagnostic::new(file, place, "only a union has `tag` and `variants`"));
    }
    match t.kind {
        TypeKind::Union => check_union(file, place, t, types, known, d),
        TypeKind::Struct => {
            if !t.values.is_empty() {
                d.push(Diagnostic::new(file, place, "a struct has `fields`, not `values`"));
            }
            check_fields(file, place, "field", &t.fields, FieldUse::Struct, types, known, d);
            for f in &t.fields {
                if let Ok(TypeExpr::Named(n)) = TypeExpr::parse(&f.ty) {
                    if n == t.name {
                        d.push(Diagnostic::new(
                            file,
                            format!("{place}: field {}", f.name),
                            "a struct cannot contain itself directly (use list<..> for recursion)",
                        ));
                    }
                }
            }
        }
        TypeKind::StringEnum | TypeKind::IntEnum => {
            if !t.fields.is_empty() {
                d.push(Diagnostic::new(file, place, "an enum has `values`, not `fields`"));
            }
            if t.values.is_empty() {
                d.push(Diagnostic::new(file, place, "an enum needs at least one value"));
            }
            let mut names = BTreeSet::new();
            let mut wires = Vec::new();
            for v in &t.values {
                let vplace = format!("{place}: value {}", v.name);
                if v.name.to_upper_camel_case() != v.name || v.name == "Other" || is_keyword(&v.name) {
                    d.push(Diagnostic::new(file, &vplace, "variant names must be UpperCamelCase and not `Other`"));
                }
                if !names.insert(v.name.clone()) {
                    d.push(Diagnostic::new(file, &vplace, "duplicate variant name"));
                }
                let ok = matches!(
                    (t.kind, &v.wire),
                    (TypeKind::StringEnum, WireValue::Str(_)) | (TypeKind::IntEnum, WireValue::Int(_))
                );
                if !ok {
                    d.push(Diagnostic::new(
                        file,
                        &vplace,
                        "wire value must be a string in a string_enum and an integer in an int_enum",
                    ));
                }
                if wires.contains(&v.wire) {
                    d.push(Diagnostic::new(file, &vplace, "duplicate wire value"));
                }
                wires.push(v.wire.clone());
            }
        }
    }
}

/// A union: a tag key, variants with unique names and unique (wire, key) pairs, each a struct.
fn check_union(
    file: &str,
    place: &str,
    t: &TypeDef,
    types: &BTreeMap<String, TypeInfo<'_>>,
    known: &[String],
    d: &mut Diagnostics,
) {
    if !t.fields.is_empty() || !t.values.is_empty() {
        d.push(Diagnostic::new(file, place, "a union has `tag` and `variants`, not `fields` or `values`"));
    }
    match t.tag.as_deref() {
        None | Some("") => d.push(Diagnostic::new(file, place, "a union needs `tag`, the key naming the variant")),
        Some(_) => {}
    }
    if t.variants.is_empty() {
        d.push(Diagnostic::new(file, place, "a union needs at least one variant"));
    }
    let mut names = BTreeSet::new();
    let mut keys = BTreeSet::new();
    for v in &t.variants {
        let vplace = format!("{place}: variant {}", v.name);
        if v.name.to_upper_camel_case() != v.name || is_keyword(&v.name) {
            d.push(Diagnostic::new(file, &vplace, "variant names must be UpperCamelCase"));
        }
        if !names.insert(v.name.clone()) {
            d.push(Diagnostic::new(file, &vplace, "duplicate variant name"));
        }
        let key = v.key.clone().unwrap_or_else(|| v.wire.clone());
        if v.wire.is_empty() || key.is_empty() {
            d.push(Diagnostic::new(file, &vplace, "`wire` and `key` cannot be empty"));
        }
        if Some(key.as_str()) == t.tag.as_deref() {
            d.push(Diagnostic::new(file, &vplace, "the payload key cannot be the tag"));
        }
        if !keys.insert((v.wire.clone(), key)) {
            d.push(Diagnostic::new(file, &vplace, "another variant has the same wire value and key"));
        }
        check_struct_ref(file, &vplace, &v.ty, types, known, d);
    }
}

/// The union a field's type names directly, if any.
fn union_of<'t>(f: &Field, types: &'t BTreeMap<String, TypeInfo<'_>>) -> Option<&'t TypeDef> {
    match TypeExpr::parse(&f.ty) {
        Ok(TypeExpr::Named(n)) => types.get(&n).map(|i| i.def).filter(|def| def.kind == TypeKind::Union),
        _ => None,
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum FieldUse {
    Struct,
    Query,
    JsonBody,
    Multipart,
    Response,
}

#[allow(clippy::too_many_arguments)]
fn check_fields(
    file: &str,
    place: &str,
    label: &str,
    fields: &[Field],
    usage: FieldUse,
    types: &BTreeMap<String, TypeInfo<'_>>,
    known: &[String],
    d: &mut Diagnostics,
) {
    check_union_keys(file, place, label, fields, types, d);
    let mut idents = BTreeSet::new();
    let mut wires = BTreeSet::new();
    for f in fields {
        let fplace = format!("{place}: {label} {}", f.name);
        let ident = field_ident(f);
        if is_keyword(&ident) {
            d.push(Diagnostic::new(file, &fplace, format!("`{ident}` is a Rust keyword: add `rust_name:`")));
        } else if ident.to_snake_case() != ident || ident.is_empty() || ident.starts_with(|c: char| c.is_ascii_digit())
        {
            d.push(Diagnostic::new(file, &fplace, format!("Rust name `{ident}` must be snake_case")));
        }
        if !idents.insert(ident.clone()) {
            d.push(Diagnostic::new(file, &fplace, format!("Rust name `{ident}` is used twice here")));
        }
        if !wires.insert(f.name.clone()) {
            d.push(Diagnostic::new(file, &fplace, "duplicate field name"));
        }
        if f.item.is_some() {
            d.push(Diagnostic::new(file, &fplace, "`item` is only for XML lists in callbacks.yaml"));
        }
        if f.required && f.default.is_some() {
            d.push(Diagnostic::new(file, &fplace, "a required field cannot have a default"));
        }
        if f.value.is_some() && f.from.is_some() {
            d.push(Diagnostic::new(file, &fplace, "`value` and `from` exclude each other"));
        }
        match union_of(f, types) {
            Some(u) => {
                if !f.flatten {
                    d.push(Diagnostic::new(file, &fplace, "a union field needs `flatten: true` (it sits inline)"));
                }
                if !f.required {
                    d.push(Diagnostic::new(file, &fplace, "a union field must be required"));
                }
                if matches!(usage, FieldUse::Query | FieldUse::Multipart) {
                    d.push(Diagnostic::new(file, &fplace, "a union can only be a JSON field"));
                }
                for a in &f.accepts {
                    if !u.variants.iter().any(|v| &v.name == a) {
                        let names: Vec<&str> = u.variants.iter().map(|v| v.name.as_str()).collect();
                        d.push(Diagnostic::new(
                            file,
                            &fplace,
                            format!("`accepts` names {a}, not a variant of {} ({})", u.name, names.join(", ")),
                        ));
                    }
                }
            }
            None => {
                if f.flatten {
                    d.push(Diagnostic::new(file, &fplace, "`flatten` is only for a field of a union type"));
                }
                if !f.accepts.is_empty() {
                    d.push(Diagnostic::new(file, &fplace, "`accepts` is only for a field of a union type"));
                }
            }
        }
        if (f.value.is_some() || f.from.is_some()) && matches!(usage, FieldUse::Response | FieldUse::Struct) {
            d.push(Diagnostic::new(file, &fplace, "`value`/`from` are only for query and body fields"));
        }
        match TypeExpr::parse(&f.ty) {
            Err(e) => d.push(Diagnostic::new(file, &fplace, e)),
            Ok(t) => {
                if let Some(n) = t.named() {
                    if !types.contains_key(n) {
                        d.push(Diagnostic::new(
                            file,
                            &fplace,
                            format!("unknown type {n} (known: {})", suggest(n, known)),
                        ));
                    }
                }
                if t.has_file() && (usage != FieldUse::Multipart || t != TypeExpr::Prim(Prim::File)) {
                    d.push(Diagnostic::new(file, &fplace, "`file` is only allowed as a multipart body part"));
                }
                if usage == FieldUse::Query && !query_ok(&t, types) {
                    d.push(Diagnostic::new(
                        file,
                        &fplace,
                        "query parameters must be primitives or enums, not lists, maps, structs or json",
                    ));
                }
                if f.value.is_some() && !matches!(t, TypeExpr::Prim(_)) {
                    d.push(Diagnostic::new(file, &fplace, "a constant `value` needs a primitive type"));
                }
                if f.from.is_some() && t != TypeExpr::Prim(Prim::String) {
                    d.push(Diagnostic::new(file, &fplace, "a `from` field must be a string"));
                }
            }
        }
    }
}

/// The keys a union field puts beside its neighbours must not be theirs.
fn check_union_keys(
    file: &str,
    place: &str,
    label: &str,
    fields: &[Field],
    types: &BTreeMap<String, TypeInfo<'_>>,
    d: &mut Diagnostics,
) {
    for f in fields {
        let Some(u) = union_of(f, types) else { continue };
        let keys: BTreeSet<&str> = u
            .tag
            .iter()
            .map(String::as_str)
            .chain(u.variants.iter().map(|v| v.key.as_deref().unwrap_or(&v.wire)))
            .collect();
        for other in fields.iter().filter(|o| o.name != f.name && keys.contains(o.name.as_str())) {
            d.push(Diagnostic::new(
                file,
                format!("{place}: {label} {}", other.name),
                format!("the union field {} ({}) already writes the key `{}`", f.name, u.name, other.name),
            ));
        }
    }
}

fn query_ok(t: &TypeExpr, types: &BTreeMap<String, TypeInfo<'_>>) -> bool {
    match t {
        TypeExpr::Prim(p) => !matches!(p, Prim::Json | Prim::File),
        TypeExpr::Named(n) => {
            types.get(n).is_none_or(|i| matches!(i.def.kind, TypeKind::StringEnum | TypeKind::IntEnum))
        }
        _ => false,
    }
}

/// A few known names close to `n`, else the first ones.
fn suggest(n: &str, known: &[String]) -> String {
    let lower = n.to_lowercase();
    let mut close: Vec<&String> = known
        .iter()
        .filter(|k| {
            let kl = k.to_lowercase();
            kl.contains(&lower) || lower.contains(&kl) || edit_distance(&kl, &lower) <= 2
        })
        .collect();
    if close.is_empty() {
        close = known.iter().take(8).collect();
    }
    let list = close.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ");
    if known.len() > close.len() {
        format!("{list}, …")
    } else {
        list
    }
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur.push((prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

fn check_endpoint(
    file: &str,
    place: &str,
    ep: &Endpoint,
    types: &BTreeMap<String, TypeInfo<'_>>,
    known: &[String],
    d: &mut Diagnostics,
) {
    let push = |d: &mut Diagnostics, msg: &str| d.push(Diagnostic::new(file, place, msg));
    if ep.name.to_snake_case() != ep.name || is_keyword(&ep.name) || ep.name.is_empty() {
        push(d, "endpoint names must be snake_case and not a Rust keyword");
    }
    if ep.summary.trim().is_empty() {
        push(d, "summary must not be empty");
    }
    match &ep.doc_url {
        None => push(d, "doc_url is missing (link the official documentation page)"),
        Some(u) if !u.starts_with("https://") => push(d, "doc_url must be an https:// link"),
        _ => {}
    }
    if ep.idempotent.is_none() {
        push(d, "idempotent is missing (true only if repeating the call cannot do anything twice)");
    }
    if !ep.path.starts_with('/') {
        push(d, &format!("path `{}` must start with `/`", ep.path));
    }
    if ep.path.contains('?') || ep.path.contains('#') || ep.path.contains(char::is_whitespace) {
        push(d, "path must not contain a query, fragment or spaces");
    }
    if ep.method == Method::Get && ep.body.is_some() {
        push(d, "a GET endpoint cannot have a body");
    }
    check_fields(file, place, "query field", &ep.query, FieldUse::Query, types, known, d);
    let mut all_args: Vec<&Field> = ep.query.iter().collect();
    if let Some(body) = &ep.body {
        check_body(file, place, body, types, known, d);
        all_args.extend(body.fields.iter());
    }
    let mut idents = BTreeSet::new();
    for f in &all_args {
        if !idents.insert(field_ident(f)) {
            d.push(Diagnostic::new(
                file,
                format!("{place}: field {}", f.name),
                "the same Rust name appears in query and body; give one a `rust_name`",
            ));
        }
        if matches!(field_ident(f).as_str(), "send" | "url" | "new") {
            d.push(Diagnostic::new(
                file,
                format!("{place}: field {}", f.name),
                "`send`, `url` and `new` are builder methods; give this field a `rust_name`",
            ));
        }
    }
    let response = ep.response.clone().unwrap_or_default();
    check_fields(file, place, "response field", &response.fields, FieldUse::Response, types, known, d);
    if let Some(t) = &response.type_ref {
        check_struct_ref(file, &format!("{place}: response"), t, types, known, d);
        if !response.fields.is_empty() {
            push(d, "response has both `type` and `fields`; use one");
        }
    }
    match response.kind {
        ResponseKind::Url => {
            if ep.method != Method::Get || ep.body.is_some() {
                push(d, "a `url` response needs a GET without body");
            }
            if !response.fields.is_empty() || response.type_ref.is_some() {
                push(d, "a `url` response has no fields");
            }
        }
        ResponseKind::Binary => {
            if !response.fields.is_empty() || response.type_ref.is_some() {
                push(d, "a `binary` response has no fields");
            }
        }
        ResponseKind::Json | ResponseKind::JsonOrBinary => {}
    }
    if ep.fragment.is_some() && response.kind != ResponseKind::Url {
        push(d, "`fragment` is only for `url` responses");
    }
    let has_field = |name: &str| all_args.iter().any(|f| f.name == name);
    match ep.auth {
        Auth::AccessToken if has_field("access_token") => {
            push(d, "auth access_token adds `access_token` itself; remove the field or use auth user_token")
        }
        Auth::UserToken if !all_args.iter().any(|f| f.name == "access_token" && f.secret) => {
            push(d, "auth user_token needs a field `access_token` with `secret: true`")
        }
        _ => {}
    }
    for f in &all_args {
        if f.from.is_some() && ep.auth != Auth::AppSecret && f.from == Some(crate::model::FromConfig::Secret) {
            d.push(Diagnostic::new(
                file,
                format!("{place}: field {}", f.name),
                "`from: secret` needs `auth: app_secret` so the runtime knows to redact it",
            ));
        }
    }
    if ep.token_query.is_some() && ep.auth != Auth::ComponentToken {
        push(d, "`token_query` is only for `auth: component_token`");
    }
    if ep.auth == Auth::ComponentToken && has_field("component_access_token") {
        push(d, "auth component_token adds the component token itself; remove the field");
    }
    if let Some(role) = ep.role {
        for msg in check_role(role, &response, &all_args, types) {
            push(d, &msg);
        }
    }
}

/// A role endpoint has the shape its runtime fetcher relies on (positional arguments in this
/// order, these response fields with this requiredness).
fn check_role(
    role: Role,
    response: &crate::model::Response,
    all_args: &[&Field],
    types: &BTreeMap<String, TypeInfo<'_>>,
) -> Vec<String> {
    let mut msgs = Vec::new();
    let d = &mut msgs;
    let push = &mut |d: &mut Vec<String>, m: &str| d.push(m.to_string());
    // (name, type, required) of a response field, or of a field of the struct a field names.
    let struct_fields = |ty: &str| -> Option<&[Field]> {
        let t = TypeExpr::parse(ty).ok()?;
        let n = t.named()?;
        types.get(n).map(|i| i.def.fields.as_slice())
    };
    let has = |fields: &[Field], name: &str, ty: &str, required: bool| {
        fields.iter().any(|f| f.name == name && f.ty == ty && f.required == required)
    };
    let required_args: Vec<&str> = all_args
        .iter()
        .filter(|f| f.required && f.value.is_none() && f.from.is_none())
        .map(|f| f.name.as_str())
        .collect();
    let rf = &response.fields;
    let expect_args = |d: &mut Vec<String>, push: &mut dyn FnMut(&mut Vec<String>, &str), want: &[&str]| {
        if required_args != want {
            let w = if want.is_empty() { "none (use `from:` / `value:`)".to_string() } else { want.join(", ") };
            push(d, &format!("role {role:?} needs exactly these required arguments, in this order: {w}"));
        }
    };
    let expect = |d: &mut Vec<String>, push: &mut dyn FnMut(&mut Vec<String>, &str), ok: bool, what: &str| {
        if !ok {
            push(d, &format!("role {role:?} needs {what}"));
        }
    };
    let expires = has(rf, "expires_in", "i64", true);
    match role {
        Role::AccessToken | Role::StableToken => {
            expect(d, push, has(rf, "access_token", "string", true), "a required string response field `access_token`");
            if !expires {
                push(d, "a role endpoint needs a required i64 response field `expires_in`");
            }
            if !required_args.is_empty() {
                push(d, "a token role endpoint cannot have required arguments (use `from:` / `value:`)");
            }
            if role == Role::StableToken
                && !all_args.iter().any(|f| f.name == "force_refresh" && f.ty == "bool" && !f.required)
            {
                push(d, "role stable_token needs an optional bool field `force_refresh`");
            }
        }
        Role::Ticket => {
            expect(d, push, has(rf, "ticket", "string", true), "a required string response field `ticket`");
            if !expires {
                push(d, "a role endpoint needs a required i64 response field `expires_in`");
            }
            let ok = required_args.len() == 1
                && all_args
                    .iter()
                    .find(|f| f.name == required_args[0])
                    .and_then(|f| TypeExpr::parse(&f.ty).ok())
                    .and_then(|t| t.named().map(str::to_string))
                    .and_then(|n| types.get(&n))
                    .is_some_and(|i| i.def.kind == TypeKind::StringEnum);
            if !ok {
                push(d, "a ticket role endpoint needs exactly one required argument, a string_enum (the ticket type)");
            }
        }
        Role::ComponentToken => {
            expect(
                d,
                push,
                has(rf, "component_access_token", "string", true),
                "a required string response field `component_access_token`",
            );
            if !expires {
                push(d, "a role endpoint needs a required i64 response field `expires_in`");
            }
            expect_args(d, push, &["component_verify_ticket"]);
        }
        Role::StartPushTicket => expect_args(d, push, &[]),
        Role::QueryAuth => {
            expect_args(d, push, &["authorization_code"]);
            let info =
                rf.iter().find(|f| f.name == "authorization_info" && f.required).and_then(|f| struct_fields(&f.ty));
            let ok = info.is_some_and(|s| {
                has(s, "authorizer_appid", "string", true)
                    && has(s, "authorizer_access_token", "string", true)
                    && has(s, "expires_in", "i64", true)
                    && has(s, "authorizer_refresh_token", "string", true)
            });
            expect(
                d,
                push,
                ok,
                "a required struct `authorization_info` with required authorizer_appid, authorizer_access_token, expires_in (i64) and authorizer_refresh_token",
            );
        }
        Role::AuthorizerToken => {
            expect_args(d, push, &["authorizer_appid", "authorizer_refresh_token"]);
            expect(
                d,
                push,
                has(rf, "authorizer_access_token", "string", true)
                    && expires
                    && has(rf, "authorizer_refresh_token", "string", true),
                "required response fields authorizer_access_token, expires_in (i64) and authorizer_refresh_token",
            );
        }
        Role::AuthorizerList => {
            expect_args(d, push, &["offset", "count"]);
            let item = rf.iter().find(|f| f.name == "list").and_then(|f| {
                TypeExpr::parse(&f.ty)
                    .ok()
                    .filter(|t| matches!(t, TypeExpr::List(_)))
                    .and_then(|_| struct_fields(&f.ty))
            });
            let ok = has(rf, "total_count", "i64", true)
                && item.is_some_and(|s| {
                    has(s, "authorizer_appid", "string", true) && has(s, "refresh_token", "string", false)
                });
            expect(
                d,
                push,
                ok,
                "a required i64 `total_count` and a `list` of structs with a required authorizer_appid and an optional refresh_token (real answers may omit it)",
            );
        }
        Role::AuthorizerInfo => {
            expect_args(d, push, &["authorizer_appid"]);
            // Required or not: real answers have been reported without it.
            let info = rf.iter().find(|f| f.name == "authorization_info").and_then(|f| struct_fields(&f.ty));
            expect(
                d,
                push,
                info.is_some_and(|s| has(s, "authorizer_refresh_token", "string", false)),
                "a struct `authorization_info` with an optional authorizer_refresh_token",
            );
        }
    }
    msgs
}

fn check_body(
    file: &str,
    place: &str,
    body: &Body,
    types: &BTreeMap<String, TypeInfo<'_>>,
    known: &[String],
    d: &mut Diagnostics,
) {
    let usage = match body.kind {
        BodyKind::Json => FieldUse::JsonBody,
        BodyKind::Multipart => FieldUse::Multipart,
    };
    check_fields(file, place, "body field", &body.fields, usage, types, known, d);
    if let Some(t) = &body.type_ref {
        if body.kind == BodyKind::Multipart {
            d.push(Diagnostic::new(file, place, "a multipart body lists its parts as `fields`, not `type`"));
        }
        if !body.fields.is_empty() {
            d.push(Diagnostic::new(file, place, "body has both `type` and `fields`; use one"));
        }
        check_struct_ref(file, &format!("{place}: body"), t, types, known, d);
    }
}

fn check_struct_ref(
    file: &str,
    place: &str,
    name: &str,
    types: &BTreeMap<String, TypeInfo<'_>>,
    known: &[String],
    d: &mut Diagnostics,
) {
    match types.get(name) {
        None => d.push(Diagnostic::new(file, place, format!("unknown type {name} (known: {})", suggest(name, known)))),
        Some(i) if i.def.kind != TypeKind::Struct => {
            d.push(Diagnostic::new(file, place, format!("{name} must be a struct")))
        }
        _ => {}
    }
}

/// Marks every type reachable from a request as `in_request`.
fn mark_request_types(spec: &Spec, types: &mut BTreeMap<String, TypeInfo<'_>>) {
    let mut todo: Vec<String> = Vec::new();
    for area in &spec.areas {
        for ep in &area.model.endpoints {
            let body = ep.body.as_ref();
            let fields = ep.query.iter().chain(body.map(|b| b.fields.as_slice()).unwrap_or(&[]));
            for f in fields {
                if let Ok(t) = TypeExpr::parse(&f.ty) {
                    todo.extend(t.named().map(str::to_string));
                }
            }
            todo.extend(body.and_then(|b| b.type_ref.clone()));
        }
    }
    while let Some(n) = todo.pop() {
        let Some(info) = types.get_mut(&n) else { continue };
        if info.in_request {
            continue;
        }
        info.in_request = true;
        for f in &info.def.fields {
            if let Ok(t) = TypeExpr::parse(&f.ty) {
                todo.extend(t.named().map(str::to_string));
            }
        }
        todo.extend(info.def.variants.iter().map(|v| v.ty.clone()));
    }
}

/// Checks `callbacks.yaml`: names, wire values, and XML-mappable field types.
fn check_callbacks(file: &str, cb: &crate::model::CallbacksFile, d: &mut Diagnostics) {
    let mut local: BTreeSet<String> = BTreeSet::new();
    for t in &cb.types {
        let place = format!("type {}", t.name);
        if t.kind != TypeKind::Struct {
            d.push(Diagnostic::new(file, &place, "callback types are XML elements: only `kind: struct`"));
        }
        if t.name.to_upper_camel_case() != t.name || !local.insert(t.name.clone()) {
            d.push(Diagnostic::new(file, &place, "type names must be UpperCamelCase and unique"));
        }
    }
    let mut all_types: Vec<(String, &[Field])> =
        cb.types.iter().map(|t| (format!("type {}", t.name), t.fields.as_slice())).collect();
    for (list, label, suffix) in [
        (&cb.messages, "message", "Message"),
        (&cb.events, "event", "Event"),
        (&cb.replies, "reply", "Reply"),
        (&cb.component, "component", "Info"),
    ] {
        let mut names = BTreeSet::new();
        let mut wires = BTreeSet::new();
        for def in list.iter() {
            let place = format!("{label} {}", def.name);
            if def.name.to_upper_camel_case() != def.name || def.name == "Unknown" {
                d.push(Diagnostic::new(file, &place, "names must be UpperCamelCase and not `Unknown`"));
            }
            if !names.insert(def.name.clone()) {
                d.push(Diagnostic::new(file, &place, format!("duplicate {label} name")));
            }
            if !wires.insert(def.wire.to_ascii_lowercase()) {
                d.push(Diagnostic::new(file, &place, format!("duplicate wire value `{}`", def.wire)));
            }
            if local.contains(&format!("{}{suffix}", def.name)) {
                d.push(Diagnostic::new(file, &place, format!("clashes with type {}{suffix}", def.name)));
            }
            if def.summary.trim().is_empty() {
                d.push(Diagnostic::new(file, &place, "summary must not be empty"));
            }
            all_types.push((place, def.fields.as_slice()));
        }
    }
    const HEADER: &[&str] = &["ToUserName", "FromUserName", "CreateTime", "MsgType"];
    const COMPONENT_HEADER: &[&str] = &["AppId", "CreateTime", "InfoType"];
    for (place, fields) in all_types {
        let mut idents = BTreeSet::new();
        for f in fields {
            let fplace = format!("{place}: field {}", f.name);
            let ident = field_ident(f);
            if is_keyword(&ident) {
                d.push(Diagnostic::new(file, &fplace, format!("`{ident}` is a Rust keyword: add `rust_name:`")));
            }
            if !idents.insert(ident.clone()) {
                d.push(Diagnostic::new(file, &fplace, format!("Rust name `{ident}` is used twice here")));
            }
            let header = if place.starts_with("component ") { COMPONENT_HEADER } else { HEADER };
            if header.contains(&f.name.as_str()) {
                d.push(Diagnostic::new(file, &fplace, "header fields are parsed by the runtime; do not list them"));
            }
            if f.value.is_some() || f.from.is_some() || f.default.is_some() {
                d.push(Diagnostic::new(file, &fplace, "`value`, `from` and `default` do not apply to XML fields"));
            }
            let ok = match TypeExpr::parse(&f.ty) {
                Ok(TypeExpr::Prim(p)) => matches!(p, Prim::String | Prim::I64 | Prim::I32 | Prim::F64),
                Ok(TypeExpr::Named(n)) => local.contains(&n),
                Ok(TypeExpr::List(inner)) => match *inner {
                    TypeExpr::Named(n) => local.contains(&n),
                    TypeExpr::Prim(Prim::String) => true,
                    _ => false,
                },
                _ => false,
            };
            if !ok {
                d.push(Diagnostic::new(
                    file,
                    &fplace,
                    format!("type `{}` is not an XML field type (string, i32, i64, f64, a type of this file, or list<..> of those)", f.ty),
                ));
            }
            if f.item.is_some() && !f.ty.starts_with("list<") {
                d.push(Diagnostic::new(file, &fplace, "`item` only applies to list<..> fields"));
            }
        }
    }
}
