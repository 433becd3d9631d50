//! `generated/operations.rs`: the spec's operations as a static table for
//! `wechat_oa::ops` (the `wxoa` command line dispatches by name with it): name, method, host,
//! path, credential, body and response kind, wire fields with their spec types, and the named
//! structs and unions those fields refer to. Sorted, so the output is deterministic.

use proc_macro2::TokenStream;
use quote::quote;

use crate::load::Spec;
use crate::model::{Auth, BodyKind, Field, FromConfig, Host, Method, ResponseKind, TypeKind, WireValue};

fn wire_json(v: &WireValue) -> String {
    match v {
        WireValue::Int(n) => n.to_string(),
        WireValue::Bool(b) => b.to_string(),
        WireValue::Str(s) => serde_json::Value::String(s.clone()).to_string(),
    }
}

fn field(f: &Field) -> TokenStream {
    let (name, ty, required, secret, flatten) = (&f.name, &f.ty, f.required, f.secret, f.flatten);
    let constant = match &f.value {
        Some(v) => {
            let text = wire_json(v);
            quote!(Some(#text))
        }
        None => quote!(None),
    };
    let from = match f.from {
        Some(FromConfig::Appid) => quote!(Some("appid")),
        Some(FromConfig::Secret) => quote!(Some("secret")),
        None => quote!(None),
    };
    quote! {
        crate::ops::OpField { name: #name, ty: #ty, required: #required, constant: #constant, from: #from, secret: #secret, flatten: #flatten }
    }
}

fn fields(list: &[Field]) -> TokenStream {
    let items = list.iter().map(field);
    quote!(&[#(#items),*])
}

/// The file's tokens.
pub fn emit(spec: &Spec) -> TokenStream {
    let mut ops = Vec::new();
    let mut structs = Vec::new();
    let mut unions = Vec::new();
    for area in &spec.areas {
        let area_name = &area.model.area;
        for t in &area.model.types {
            match t.kind {
                TypeKind::Struct => structs.push((t.name.clone(), fields(&t.fields))),
                TypeKind::Union => {
                    let (name, tag) = (&t.name, t.tag.as_deref().unwrap_or_default());
                    let variants = t.variants.iter().map(|v| {
                        let (wire, key, ty) = (&v.wire, v.key.as_deref().unwrap_or(&v.wire), &v.ty);
                        quote!((#wire, #key, #ty))
                    });
                    unions.push((
                        t.name.clone(),
                        quote!(crate::ops::OpUnion { name: #name, tag: #tag, variants: &[#(#variants),*] }),
                    ));
                }
                TypeKind::StringEnum | TypeKind::IntEnum => {}
            }
        }
        for ep in &area.model.endpoints {
            let name = format!("{area_name}.{}", ep.name);
            let summary = &ep.summary;
            let method = match ep.method {
                Method::Get => quote!(crate::Method::Get),
                Method::Post => quote!(crate::Method::Post),
            };
            let host = match ep.host {
                Host::Api => quote!(crate::Host::Api),
                Host::Mp => quote!(crate::Host::Mp),
                Host::Open => quote!(crate::Host::Open),
            };
            let credential = match ep.auth {
                Auth::AccessToken => quote!(crate::ops::Credential::AccessToken),
                Auth::None => quote!(crate::ops::Credential::None),
                Auth::AppSecret => quote!(crate::ops::Credential::AppSecret),
                Auth::UserToken => quote!(crate::ops::Credential::UserToken),
                Auth::ComponentToken => quote!(crate::ops::Credential::ComponentToken),
            };
            let body = match ep.body.as_ref().map(|b| b.kind) {
                None => quote!(crate::ops::BodyShape::None),
                Some(BodyKind::Json) => quote!(crate::ops::BodyShape::Json),
                Some(BodyKind::Multipart) => quote!(crate::ops::BodyShape::Multipart),
            };
            let response = match ep.response.as_ref().map(|r| r.kind).unwrap_or_default() {
                ResponseKind::Json => quote!(crate::ops::ResponseShape::Json),
                ResponseKind::Binary => quote!(crate::ops::ResponseShape::Binary),
                ResponseKind::JsonOrBinary => quote!(crate::ops::ResponseShape::JsonOrBinary),
                ResponseKind::Url => quote!(crate::ops::ResponseShape::Url),
            };
            let (path, idempotent, deprecated) = (&ep.path, ep.idempotent.unwrap_or(false), ep.deprecated.is_some());
            let doc_url = ep.doc_url.as_deref().unwrap_or_default();
            let query = fields(&ep.query);
            let body_fields = ep.body.as_ref().map(|b| fields(&b.fields)).unwrap_or_else(|| quote!(&[]));
            let body_type = match ep.body.as_ref().and_then(|b| b.type_ref.as_deref()) {
                Some(t) => quote!(Some(#t)),
                None => quote!(None),
            };
            let tokens = quote! {
                crate::ops::Operation {
                    name: #name, area: #area_name, summary: #summary, method: #method, host: #host, path: #path,
                    credential: #credential, body: #body, response: #response, idempotent: #idempotent,
                    deprecated: #deprecated, doc_url: #doc_url, query: #query, fields: #body_fields, body_type: #body_type,
                }
            };
            ops.push((name, tokens));
        }
    }
    ops.sort_by(|a, b| a.0.cmp(&b.0));
    structs.sort_by(|a, b| a.0.cmp(&b.0));
    unions.sort_by(|a, b| a.0.cmp(&b.0));
    let ops = ops.into_iter().map(|(_, t)| t);
    let structs = structs.into_iter().map(|(n, f)| quote!((#n, #f)));
    let unions = unions.into_iter().map(|(_, t)| t);
    quote! {
        //! Every operation of the spec as data, for `crate::ops` (dispatch by name, introspection).
        /// Every operation, sorted by name.
        pub(crate) static OPERATIONS: &[crate::ops::Operation] = &[#(#ops),*];
        /// The named structs' fields, sorted by name.
        pub(crate) static STRUCTS: &[(&str, &[crate::ops::OpField])] = &[#(#structs),*];
        /// The unions, sorted by name.
        pub(crate) static UNIONS: &[crate::ops::OpUnion] = &[#(#unions),*];
    }
}
