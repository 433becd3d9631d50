//! One endpoint -> a descriptor constant, private query/body types, a request builder and
//! the handle method that creates it. The builder's `send()` is one call into the runtime.

use heck::{ToShoutySnakeCase, ToUpperCamelCase};
use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};

use super::docs::doc_attrs;
use super::types::{arg_type, emit_struct, field_doc, field_type, rust_type, serde_attrs, stored_type};
use crate::model::{Auth, BodyKind, Endpoint, Field, FromConfig, Host, Method, ResponseKind, WireValue};
use crate::types::TypeExpr;
use crate::validate::{endpoint_type_names, field_ident, Checked};

/// What an endpoint contributes: items at module level and a method on the area handle.
pub struct EmittedEndpoint {
    /// Constant, types and builder.
    pub items: TokenStream,
    /// `pub fn name(&self, ..) -> NameRequest<'a>` for the handle's impl block.
    pub method: TokenStream,
}

/// Where a request field lives in the builder.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Slot {
    Query,
    Body,
}

/// The endpoint's descriptor constant name (`INFO`).
pub fn const_ident(ep: &Endpoint) -> syn::Ident {
    format_ident!("{}", ep.name.to_shouty_snake_case())
}

/// Emits one endpoint of `area`.
pub fn emit_endpoint(ep: &Endpoint, area: &str, ck: &Checked<'_>) -> EmittedEndpoint {
    let [req_name, resp_name, query_name, body_name] = endpoint_type_names(ep).map(|n| format_ident!("{}", n));
    let konst = const_ident(ep);
    let response = ep.response.clone().unwrap_or_default();
    let doc_url = ep.doc_url.clone().unwrap_or_default();
    let link = format!("Official documentation: <{doc_url}>");
    let deprecated_note = ep.deprecated.as_ref().map(|n| format!("**Deprecated:** {n}"));
    let ep_docs = doc_attrs(&[Some(&ep.summary), ep.doc.as_deref(), deprecated_note.as_deref(), Some(&link)]);

    // The descriptor.
    let full_name = format!("{area}.{}", ep.name);
    let method = match ep.method {
        Method::Get => quote!(Get),
        Method::Post => quote!(Post),
    };
    let host = match ep.host {
        Host::Api => quote!(Api),
        Host::Mp => quote!(Mp),
        Host::Open => quote!(Open),
    };
    let auth = match ep.auth {
        Auth::AccessToken => quote!(AccessToken),
        Auth::None => quote!(None),
        Auth::AppSecret => quote!(AppSecret),
        Auth::UserToken => quote!(UserToken),
    };
    let body_kind = match ep.body.as_ref().map(|b| b.kind) {
        None => quote!(None),
        Some(BodyKind::Json) => quote!(Json),
        Some(BodyKind::Multipart) => quote!(Multipart),
    };
    let resp_kind = match response.kind {
        ResponseKind::Json => quote!(Json),
        ResponseKind::Binary => quote!(Binary),
        ResponseKind::JsonOrBinary => quote!(JsonOrBinary),
        ResponseKind::Url => quote!(Url),
    };
    let path = &ep.path;
    let idempotent = ep.idempotent.unwrap_or(false);
    let deprecated = ep.deprecated.is_some();
    let const_doc = format!(
        " Descriptor of [`{area}::{}`](super::{area}::{}Api::{}).",
        ep.name,
        area.to_upper_camel_case(),
        ep.name
    );
    let descriptor = quote! {
        #[doc = #const_doc]
        pub const #konst: crate::generated_interface::Endpoint = crate::generated_interface::Endpoint {
            name: #full_name,
            method: crate::generated_interface::Method::#method,
            host: crate::generated_interface::Host::#host,
            path: #path,
            auth: crate::generated_interface::Auth::#auth,
            body: crate::generated_interface::BodyKind::#body_kind,
            response: crate::generated_interface::ResponseKind::#resp_kind,
            idempotent: #idempotent,
            deprecated: #deprecated,
            doc_url: #doc_url,
        };
    };

    // Request-side fields: (field, slot).
    let body = ep.body.as_ref();
    let body_fields: &[Field] = body.map(|b| b.fields.as_slice()).unwrap_or(&[]);
    let fields: Vec<(&Field, Slot)> =
        ep.query.iter().map(|f| (f, Slot::Query)).chain(body_fields.iter().map(|f| (f, Slot::Body))).collect();

    let query_struct = if ep.query.is_empty() { quote!() } else { wire_struct(&query_name, &ep.query, area, ck) };
    let body_type_ref = body.and_then(|b| b.type_ref.clone());
    let body_struct = match (body, &body_type_ref) {
        (Some(b), None) if b.kind == BodyKind::Json => wire_struct(&body_name, &b.fields, area, ck),
        (Some(b), None) => wire_struct_plain(&body_name, &b.fields, area, ck),
        _ => quote!(),
    };

    // Builder members.
    let mut members = vec![quote!(client: &'a crate::Client,)];
    if !ep.query.is_empty() {
        members.push(quote!(query: #query_name,));
    }
    let body_ty = match (&body, &body_type_ref) {
        (None, _) => None,
        (Some(_), Some(t)) => Some(rust_type(&TypeExpr::Named(t.clone()), area, ck)),
        (Some(_), None) => Some(quote!(#body_name)),
    };
    if let Some(bt) = &body_ty {
        members.push(quote!(body: #bt,));
    }

    // Handle method parameters and initialisers.
    let mut params = Vec::new();
    let mut query_inits = Vec::new();
    let mut body_inits = Vec::new();
    let mut setters = Vec::new();
    for (f, slot) in &fields {
        let ident = format_ident!("{}", field_ident(f));
        let t = field_type(f);
        let init = if let Some(v) = &f.value {
            let lit = literal(v);
            quote!(#ident: #lit)
        } else if let Some(from) = f.from {
            let getter = match from {
                FromConfig::Appid => quote!(appid),
                FromConfig::Secret => quote!(secret),
            };
            quote!(#ident: self.client.#getter().to_string())
        } else if f.required {
            let (pty, into) = arg_type(&t, area, ck);
            params.push(quote!(#ident: #pty));
            if into {
                quote!(#ident: #ident.into())
            } else {
                quote!(#ident)
            }
        } else {
            let (pty, into) = arg_type(&t, area, ck);
            let value = if into { quote!(value.into()) } else { quote!(value) };
            let stored = if t.is_collection() { value } else { quote!(Some(#value)) };
            let target = match slot {
                Slot::Query => quote!(self.query.#ident),
                Slot::Body => quote!(self.body.#ident),
            };
            let doc = field_doc(f);
            setters.push(quote! {
                #doc
                pub fn #ident(mut self, value: #pty) -> Self { #target = #stored; self }
            });
            if t.is_collection() {
                quote!(#ident: Default::default())
            } else {
                quote!(#ident: None)
            }
        };
        match slot {
            Slot::Query => query_inits.push(init),
            Slot::Body => body_inits.push(init),
        }
    }
    let mut inits = vec![quote!(client: self.client)];
    if !ep.query.is_empty() {
        inits.push(quote!(query: #query_name { #(#query_inits),* }));
    }
    if let Some(t) = &body_type_ref {
        let arg = format_ident!("body");
        let ty = rust_type(&TypeExpr::Named(t.clone()), area, ck);
        params.push(quote!(#arg: #ty));
        inits.push(quote!(body: #arg));
    } else if body.is_some() {
        inits.push(quote!(body: #body_name { #(#body_inits),* }));
    }

    // Response type.
    let (resp_struct, resp_ty) = if let Some(t) = &response.type_ref {
        (quote!(), rust_type(&TypeExpr::Named(t.clone()), area, ck))
    } else if response.fields.is_empty() {
        (quote!(), quote!(()))
    } else {
        let for_request = false;
        let doc = doc_attrs(&[Some(&format!("Response of [`{}Api::{}`].", area.to_upper_camel_case(), ep.name))]);
        (emit_struct(&resp_name, &response.fields, area, ck, doc, for_request), quote!(#resp_name))
    };

    // The call.
    let query_arg =
        if ep.query.is_empty() { quote!(&crate::generated_interface::NoQuery) } else { quote!(&self.query) };
    let json_body =
        if body.is_some() { quote!(Some(&self.body)) } else { quote!(None::<&crate::generated_interface::NoBody>) };
    let unit = response.type_ref.is_none() && response.fields.is_empty();
    let send = match response.kind {
        ResponseKind::Url => {
            let fragment = match &ep.fragment {
                Some(f) => quote!(Some(#f)),
                None => quote!(None),
            };
            quote! {
                /// Builds the URL (nothing is sent).
                pub fn url(self) -> Result<String, crate::Error> {
                    crate::generated_interface::build_url(self.client, &#konst, #query_arg, #fragment)
                }
            }
        }
        kind => {
            let (call, out) = if body.is_some_and(|b| b.kind == BodyKind::Multipart) {
                let parts = multipart_parts(body_fields, &konst);
                (
                    quote! {
                        let body = self.body;
                        let parts = vec![#(#parts)*].into_iter().flatten().collect::<Result<Vec<_>, crate::Error>>()?;
                        crate::generated_interface::call_multipart(self.client, &#konst, #query_arg, parts)
                    },
                    resp_ty.clone(),
                )
            } else {
                match kind {
                    ResponseKind::Binary => (
                        quote!(crate::generated_interface::call_binary(self.client, &#konst, #query_arg, #json_body)),
                        quote!(crate::Download),
                    ),
                    ResponseKind::JsonOrBinary => (
                        quote!(crate::generated_interface::call_json_or_binary(self.client, &#konst, #query_arg, #json_body)),
                        if unit {
                            quote!(crate::JsonOrBinary<serde_json::Value>)
                        } else {
                            quote!(crate::JsonOrBinary<#resp_ty>)
                        },
                    ),
                    _ => (
                        quote!(crate::generated_interface::call_json(self.client, &#konst, #query_arg, #json_body)),
                        resp_ty.clone(),
                    ),
                }
            };
            let tail = if unit && kind == ResponseKind::Json {
                quote!(.await.map(|_: serde::de::IgnoredAny| ()))
            } else {
                quote!(.await)
            };
            let out = if unit && kind == ResponseKind::Json { quote!(()) } else { out };
            quote! {
                /// Sends the request and returns WeChat's answer (an `errcode` other than 0 is an error).
                pub async fn send(self) -> Result<#out, crate::Error> {
                    #call #tail
                }
            }
        }
    };

    let req_doc = format!(
        " Request builder for [`{}Api::{}`]: set optional parameters, then call `send()`.",
        area.to_upper_camel_case(),
        ep.name
    );
    let must_use = if response.kind == ResponseKind::Url {
        "call `.url()` to build the URL"
    } else {
        "a request does nothing until `.send().await`"
    };
    let items = quote! {
        #descriptor
        #query_struct
        #body_struct
        #resp_struct
        #[doc = #req_doc]
        #[must_use = #must_use]
        pub struct #req_name<'a> { #(#members)* }
        impl<'a> #req_name<'a> {
            #(#setters)*
            #send
        }
    };
    let name = format_ident!("{}", ep.name);
    let deprecated_attr = match &ep.deprecated {
        Some(note) => quote!(#[deprecated(note = #note)]),
        None => quote!(),
    };
    let many = if params.len() > 6 { quote!(#[allow(clippy::too_many_arguments)]) } else { quote!() };
    let method = quote! {
        #ep_docs
        #deprecated_attr
        #many
        pub fn #name(&self, #(#params),*) -> #req_name<'a> {
            #req_name { #(#inits),* }
        }
    };
    EmittedEndpoint { items, method }
}

/// A private serializable struct for query parameters or a JSON body.
fn wire_struct(name: &syn::Ident, fields: &[Field], area: &str, ck: &Checked<'_>) -> TokenStream {
    let members = fields.iter().map(|f| {
        let ident = format_ident!("{}", field_ident(f));
        let ty = wire_type(f, area, ck);
        let serde = if f.value.is_some() || f.from.is_some() {
            let n = &f.name;
            if field_ident(f) != f.name {
                quote!(#[serde(rename = #n)])
            } else {
                quote!()
            }
        } else {
            serde_attrs(f)
        };
        quote!(#serde #ident: #ty,)
    });
    quote! {
        #[derive(serde::Serialize)]
        struct #name { #(#members)* }
    }
}

/// A private struct holding multipart parts until `send()`.
fn wire_struct_plain(name: &syn::Ident, fields: &[Field], area: &str, ck: &Checked<'_>) -> TokenStream {
    let members = fields.iter().map(|f| {
        let ident = format_ident!("{}", field_ident(f));
        let ty = wire_type(f, area, ck);
        quote!(#ident: #ty,)
    });
    quote! { struct #name { #(#members)* } }
}

fn wire_type(f: &Field, area: &str, ck: &Checked<'_>) -> TokenStream {
    match &f.value {
        Some(WireValue::Str(_)) => quote!(&'static str),
        Some(WireValue::Int(_)) => quote!(i64),
        Some(WireValue::Bool(_)) => quote!(bool),
        None if f.from.is_some() => quote!(String),
        None => stored_type(f, area, ck),
    }
}

fn literal(v: &WireValue) -> TokenStream {
    match v {
        WireValue::Str(s) => quote!(#s),
        WireValue::Int(i) => {
            let l = Literal::i64_unsuffixed(*i);
            quote!(#l)
        }
        WireValue::Bool(b) => quote!(#b),
    }
}

/// Expressions yielding `Option<Result<Part, Error>>` for each multipart field.
fn multipart_parts(fields: &[Field], konst: &proc_macro2::Ident) -> Vec<TokenStream> {
    fields
        .iter()
        .map(|f| {
            let ident = format_ident!("{}", field_ident(f));
            let name = &f.name;
            let t = field_type(f);
            let is_file = t == TypeExpr::Prim(crate::types::Prim::File);
            let make = |v: TokenStream| {
                if is_file {
                    quote!(Ok(crate::generated_interface::Part::file(#name, #v)))
                } else {
                    quote!(crate::generated_interface::Part::field(#konst.name, #name, &#v))
                }
            };
            if f.value.is_some() || f.from.is_some() || f.required {
                let m = make(quote!(body.#ident));
                quote!(Some(#m),)
            } else if t.is_collection() {
                let m = make(quote!(body.#ident));
                quote!((!body.#ident.is_empty()).then(|| #m),)
            } else {
                let m = make(quote!(v));
                quote!(body.#ident.map(|v| #m),)
            }
        })
        .collect()
}
