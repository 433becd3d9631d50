//! `sandbox/spec-table.json`: what the sandbox takes from the spec instead of restating it —
//! each endpoint's method, path, credential, body kind, request fields (types, required,
//! constants, documented limits, union kinds taken), date span, and the named types those
//! fields refer to (structs, enums with their values, unions with their variants). The sandbox
//! routes and checks every request with it before its hand-written behaviour runs.
//! Deterministic (sorted maps), so a no-op build writes nothing.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::load::Spec;
use crate::model::{Auth, BodyKind, DateSpan, Field, Limits, Method, ResponseKind, TokenQuery, TypeKind, WireValue};

/// One request field.
#[derive(Serialize)]
struct TableField<'a> {
    name: &'a str,
    #[serde(rename = "type")]
    ty: &'a str,
    required: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    limits: Option<&'a Limits>,
    /// A constant the client always sends (tells apart endpoints sharing a path).
    #[serde(skip_serializing_if = "Option::is_none")]
    value: Option<&'a WireValue>,
    /// A union field: its keys sit in the enclosing object.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    flatten: bool,
    /// A union field: the variants taken (empty = all).
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    accepts: &'a [String],
}

/// One union variant.
#[derive(Serialize)]
struct TableVariant<'a> {
    name: &'a str,
    wire: &'a str,
    key: &'a str,
    #[serde(rename = "type")]
    ty: &'a str,
}

/// A union.
#[derive(Serialize)]
struct TableUnion<'a> {
    tag: &'a str,
    variants: Vec<TableVariant<'a>>,
}

/// One endpoint.
#[derive(Serialize)]
struct TableEndpoint<'a> {
    name: String,
    method: &'static str,
    path: &'a str,
    /// `access_token` (the app token as a query parameter) or what the endpoint takes instead.
    auth: &'static str,
    /// With `component_token`: the query parameter carrying the component token.
    #[serde(skip_serializing_if = "Option::is_none")]
    token_query: Option<&'static str>,
    /// `json`, `multipart`, or `none` (no body).
    body_kind: &'static str,
    /// Only a link the client builds for a browser (the sandbox may still answer it).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    url_only: bool,
    query: Vec<TableField<'a>>,
    body: Vec<TableField<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    body_type: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    date_span: Option<&'a DateSpan>,
}

#[derive(Serialize)]
struct Table<'a> {
    note: &'static str,
    endpoints: Vec<TableEndpoint<'a>>,
    types: BTreeMap<&'a str, Vec<TableField<'a>>>,
    /// Enum types and their wire values (strings or integers).
    enums: BTreeMap<&'a str, Vec<&'a WireValue>>,
    unions: BTreeMap<&'a str, TableUnion<'a>>,
}

fn fields(list: &[Field]) -> Vec<TableField<'_>> {
    list.iter()
        .map(|f| TableField {
            name: &f.name,
            ty: &f.ty,
            required: f.required,
            limits: f.limits.as_ref(),
            value: f.value.as_ref(),
            flatten: f.flatten,
            accepts: &f.accepts,
        })
        .collect()
}

/// The table for a validated spec, as pretty JSON with a trailing newline.
pub fn table(spec: &Spec) -> String {
    let mut endpoints = Vec::new();
    let mut types = BTreeMap::new();
    let mut enums = BTreeMap::new();
    let mut unions = BTreeMap::new();
    for area in &spec.areas {
        for t in &area.model.types {
            match t.kind {
                TypeKind::Struct => {
                    types.insert(t.name.as_str(), fields(&t.fields));
                }
                TypeKind::StringEnum | TypeKind::IntEnum => {
                    enums.insert(t.name.as_str(), t.values.iter().map(|v| &v.wire).collect());
                }
                TypeKind::Union => {
                    let variants = t
                        .variants
                        .iter()
                        .map(|v| TableVariant {
                            name: &v.name,
                            wire: &v.wire,
                            key: v.key.as_deref().unwrap_or(&v.wire),
                            ty: &v.ty,
                        })
                        .collect();
                    unions.insert(t.name.as_str(), TableUnion { tag: t.tag.as_deref().unwrap_or_default(), variants });
                }
            }
        }
        for ep in &area.model.endpoints {
            endpoints.push(TableEndpoint {
                name: format!("{}.{}", area.model.area, ep.name),
                method: match ep.method {
                    Method::Get => "GET",
                    Method::Post => "POST",
                },
                path: &ep.path,
                auth: match ep.auth {
                    Auth::AccessToken => "access_token",
                    Auth::None => "none",
                    Auth::AppSecret => "app_secret",
                    Auth::UserToken => "user_token",
                    Auth::ComponentToken => "component_token",
                },
                token_query: (ep.auth == Auth::ComponentToken).then(|| match ep.token_query.unwrap_or_default() {
                    TokenQuery::ComponentAccessToken => "component_access_token",
                    TokenQuery::AccessToken => "access_token",
                }),
                body_kind: match ep.body.as_ref().map(|b| b.kind) {
                    None => "none",
                    Some(BodyKind::Json) => "json",
                    Some(BodyKind::Multipart) => "multipart",
                },
                url_only: ep.response.as_ref().map(|r| r.kind) == Some(ResponseKind::Url),
                query: fields(&ep.query),
                body: ep.body.as_ref().map(|b| fields(&b.fields)).unwrap_or_default(),
                body_type: ep.body.as_ref().and_then(|b| b.type_ref.as_deref()),
                date_span: ep.date_span.as_ref(),
            });
        }
    }
    endpoints.sort_by(|a, b| (a.path, a.name.as_str()).cmp(&(b.path, b.name.as_str())));
    let table = Table {
        note: "@generated by wechat-oa-codegen from spec/ (the sandbox's view of the spec); do not edit",
        endpoints,
        types,
        enums,
        unions,
    };
    let mut text = serde_json::to_string_pretty(&table).unwrap_or_default();
    text.push('\n');
    text
}
