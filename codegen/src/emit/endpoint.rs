//! One endpoint -> a descriptor constant, private query/body types, a request builder and
//! the handle method that creates it. The builder's `send()` is one call into the runtime.
//! Reads only the IR ([`EndpointIr`]).

use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};

use super::docs::doc_attrs;
use super::types::{emit_struct, serde_attrs};
use super::{arg_type, rust_type};
use crate::ir::{BodyIr, EndpointIr, FieldIr, Input, Presence, ResponseIr, WireStructIr};
use crate::model::{Auth, BodyKind, FromConfig, Host, Method, ResponseKind, TokenQuery, WireValue};

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

/// Emits one endpoint.
pub fn emit_endpoint(ep: &EndpointIr) -> EmittedEndpoint {
    let req_name = format_ident!("{}", ep.request);
    let konst = format_ident!("{}", ep.konst);
    let ep_docs = doc_attrs(&ep.doc);

    // The descriptor.
    let full_name = &ep.full_name;
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
        Auth::ComponentToken => {
            let q = match ep.token_query {
                TokenQuery::ComponentAccessToken => "component_access_token",
                TokenQuery::AccessToken => "access_token",
            };
            quote!(ComponentToken { query: #q })
        }
    };
    let body_kind = match ep.body_kind {
        None => quote!(None),
        Some(BodyKind::Json) => quote!(Json),
        Some(BodyKind::Multipart) => quote!(Multipart),
    };
    let resp_kind = match ep.response_kind {
        ResponseKind::Json => quote!(Json),
        ResponseKind::Binary => quote!(Binary),
        ResponseKind::JsonOrBinary => quote!(JsonOrBinary),
        ResponseKind::Url => quote!(Url),
    };
    let path = &ep.path;
    let idempotent = ep.idempotent;
    let deprecated = ep.deprecated.is_some();
    let doc_url = &ep.doc_url;
    let const_doc = doc_attrs(&ep.const_doc);
    let descriptor = quote! {
        #const_doc
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
    let body_fields: &[FieldIr] = match &ep.body {
        BodyIr::Json(s) | BodyIr::Multipart(s) => &s.fields,
        BodyIr::None | BodyIr::Named(_) => &[],
    };
    let query_fields: &[FieldIr] = ep.query.as_ref().map(|q| q.fields.as_slice()).unwrap_or(&[]);
    let fields: Vec<(&FieldIr, Slot)> =
        query_fields.iter().map(|f| (f, Slot::Query)).chain(body_fields.iter().map(|f| (f, Slot::Body))).collect();

    let span = ep.date_span.as_ref();
    let query_span = span.filter(|d| d.in_query);
    let body_span = span.filter(|d| !d.in_query);
    let query_checks = ep.query.as_ref().and_then(|q| wire_checks(q, query_span));
    let body_checks = match &ep.body {
        BodyIr::Json(b) => wire_checks(b, body_span),
        _ => None,
    };
    let query_struct = ep.query.as_ref().map(|q| {
        let s = wire_struct(q);
        let c = query_checks.clone().unwrap_or_default();
        quote!(#s #c)
    });
    let body_struct = match &ep.body {
        BodyIr::Json(s) => {
            let w = wire_struct(s);
            let c = body_checks.clone().unwrap_or_default();
            quote!(#w #c)
        }
        BodyIr::Multipart(s) => wire_struct_plain(s),
        BodyIr::None | BodyIr::Named(_) => quote!(),
    };
    // Nothing is sent when a documented limit is broken.
    let refuse = quote!(.map_err(|m| crate::generated_interface::limits::refuse(&#konst, m))?;);
    let mut pre_checks = Vec::new();
    if query_checks.is_some() {
        pre_checks.push(quote!(self.query.check_limits() #refuse));
    }
    if body_checks.is_some() {
        pre_checks.push(quote!(self.body.check_limits() #refuse));
    }
    if ep.body_checked {
        pre_checks.push(quote!(self.body.check_limits("") #refuse));
    }

    // Builder members.
    let mut members = vec![quote!(client: &'a crate::Client,)];
    if let Some(q) = &ep.query {
        let n = format_ident!("{}", q.name);
        members.push(quote!(query: #n,));
    }
    match &ep.body {
        BodyIr::None => {}
        BodyIr::Named(t) => {
            let t = rust_type(t);
            members.push(quote!(body: #t,));
        }
        BodyIr::Json(s) | BodyIr::Multipart(s) => {
            let n = format_ident!("{}", s.name);
            members.push(quote!(body: #n,));
        }
    }

    // Handle method parameters and initialisers.
    let mut params = Vec::new();
    let mut query_inits = Vec::new();
    let mut body_inits = Vec::new();
    let mut setters = Vec::new();
    for (f, slot) in &fields {
        let ident = format_ident!("{}", f.ident);
        let collection = matches!(f.presence, Presence::Collection(_));
        let init = match &f.input {
            Input::Const(v) => {
                let lit = literal(v);
                quote!(#ident: #lit)
            }
            Input::Config(from) => {
                let getter = match from {
                    FromConfig::Appid => quote!(appid),
                    FromConfig::Secret => quote!(secret),
                };
                quote!(#ident: self.client.#getter().to_string())
            }
            Input::Caller if f.required => {
                let (pty, into) = arg_type(&f.arg);
                params.push(quote!(#ident: #pty));
                if into {
                    quote!(#ident: #ident.into())
                } else {
                    quote!(#ident)
                }
            }
            Input::Caller => {
                let (pty, into) = arg_type(&f.arg);
                let value = if into { quote!(value.into()) } else { quote!(value) };
                let stored = if collection { value } else { quote!(Some(#value)) };
                let target = match slot {
                    Slot::Query => quote!(self.query.#ident),
                    Slot::Body => quote!(self.body.#ident),
                };
                let doc = doc_attrs(&f.doc);
                setters.push(quote! {
                    #doc
                    pub fn #ident(mut self, value: #pty) -> Self { #target = #stored; self }
                });
                if collection {
                    quote!(#ident: Default::default())
                } else {
                    quote!(#ident: None)
                }
            }
        };
        match slot {
            Slot::Query => query_inits.push(init),
            Slot::Body => body_inits.push(init),
        }
    }
    let mut inits = vec![quote!(client: self.client)];
    if let Some(q) = &ep.query {
        let n = format_ident!("{}", q.name);
        inits.push(quote!(query: #n { #(#query_inits),* }));
    }
    match &ep.body {
        BodyIr::None => {}
        BodyIr::Named(t) => {
            let ty = rust_type(t);
            params.push(quote!(body: #ty));
            inits.push(quote!(body: body));
        }
        BodyIr::Json(s) | BodyIr::Multipart(s) => {
            let n = format_ident!("{}", s.name);
            inits.push(quote!(body: #n { #(#body_inits),* }));
        }
    }

    // Response type.
    let (resp_struct, resp_ty, unit) = match &ep.response {
        ResponseIr::Named(t) => (quote!(), rust_type(t), false),
        ResponseIr::Unit => (quote!(), quote!(()), true),
        ResponseIr::Fields(s) => {
            let n = format_ident!("{}", s.name);
            (emit_struct(s), quote!(#n), false)
        }
    };

    // The call.
    let query_arg = if ep.query.is_none() { quote!(&crate::generated_interface::NoQuery) } else { quote!(&self.query) };
    let has_body = !matches!(ep.body, BodyIr::None);
    let json_body =
        if has_body { quote!(Some(&self.body)) } else { quote!(None::<&crate::generated_interface::NoBody>) };
    let send = match ep.response_kind {
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
            let (call, out) = if let BodyIr::Multipart(s) = &ep.body {
                let parts = multipart_parts(&s.fields, &konst);
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
                /// A value outside a limit WeChat documents is refused first
                /// ([`Error::InvalidRequest`](crate::Error::InvalidRequest)), and nothing is sent.
                pub async fn send(self) -> Result<#out, crate::Error> {
                    #(#pre_checks)*
                    #call #tail
                }
            }
        }
    };

    let items_method = pages_method(ep, &konst, query_checks.is_some(), body_checks.is_some());
    let req_doc = doc_attrs(&ep.request_doc);
    let must_use = if ep.response_kind == ResponseKind::Url {
        "call `.url()` to build the URL"
    } else {
        "a request does nothing until `.send().await`"
    };
    let items = quote! {
        #descriptor
        #query_struct
        #body_struct
        #resp_struct
        #req_doc
        #[must_use = #must_use]
        pub struct #req_name<'a> { #(#members)* }
        impl<'a> #req_name<'a> {
            #(#setters)*
            #send
            #items_method
        }
    };
    let name = format_ident!("{}", ep.method_name);
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
fn wire_struct(s: &WireStructIr) -> TokenStream {
    let name = format_ident!("{}", s.name);
    let members = s.fields.iter().map(|f| {
        let ident = format_ident!("{}", f.ident);
        let ty = rust_type(&f.stored);
        let serde = serde_attrs(&f.serde);
        // The official-example tests build this struct from the published request; a constant
        // is not read from it (the test compares the spec's constant with the page instead).
        let constant = match f.input {
            Input::Const(_) => quote!(#[cfg_attr(test, serde(skip_deserializing))]),
            _ => quote!(),
        };
        quote!(#serde #constant #ident: #ty,)
    });
    quote! {
        #[derive(serde::Serialize)]
        #[cfg_attr(test, derive(serde::Deserialize))]
        struct #name { #(#members)* }
    }
}

/// `items()`: every item of every page as a stream, for an endpoint with `pages:`.
/// `query_checked` / `body_checked`: whether those structs have `check_limits()`; each page is
/// checked like a `send()`.
fn pages_method(ep: &EndpointIr, konst: &proc_macro2::Ident, query_checked: bool, body_checked: bool) -> TokenStream {
    let (Some(p), ResponseIr::Fields(resp)) = (&ep.pages, &ep.response) else { return quote!() };
    let resp_ty = format_ident!("{}", resp.name);
    let item_ty = rust_type(&p.item);
    let has_query = ep.query.is_some();
    let has_body = matches!(ep.body, BodyIr::Json(_));
    let slot_in_query = match &p.mode {
        crate::ir::PageMode::Cursor { in_query, .. } | crate::ir::PageMode::Offset { in_query, .. } => *in_query,
    };
    let (q, b) = (format_ident!("query"), format_ident!("body"));
    let mut_of = |is_slot: bool| if is_slot { quote!(mut) } else { quote!() };
    let (init, pattern, rebuild) = match (has_query, has_body) {
        (true, true) => {
            let (mq, mb) = (mut_of(slot_in_query), mut_of(!slot_in_query));
            (quote!((self.query, self.body)), quote!((#mq #q, #mb #b)), quote!((#q, #b)))
        }
        (true, false) => (quote!(self.query), quote!(mut #q), quote!(#q)),
        (false, true) => (quote!(self.body), quote!(mut #b), quote!(#b)),
        (false, false) => return quote!(),
    };
    let slot = if slot_in_query { q.clone() } else { b.clone() };
    let query_arg = if has_query { quote!(&#q) } else { quote!(&crate::generated_interface::NoQuery) };
    let body_arg = if has_body { quote!(Some(&#b)) } else { quote!(None::<&crate::generated_interface::NoBody>) };
    let refuse = quote!(.map_err(|m| crate::generated_interface::limits::refuse(&#konst, m))?;);
    let mut checks = Vec::new();
    if query_checked {
        checks.push(quote!(#q.check_limits() #refuse));
    }
    if body_checked {
        checks.push(quote!(#b.check_limits() #refuse));
    }
    let mut items_expr = quote!(Some(resp));
    for (ident, optional) in &p.items {
        let i = format_ident!("{}", ident);
        items_expr = if *optional { quote!(#items_expr.and_then(|v| v.#i)) } else { quote!(#items_expr.map(|v| v.#i)) };
    }
    let advance = match &p.mode {
        crate::ir::PageMode::Cursor { field, field_optional, next, next_optional, .. } => {
            let (f, n) = (format_ident!("{}", field), format_ident!("{}", next));
            let next_expr = if *next_optional { quote!(resp.#n.clone()) } else { quote!(Some(resp.#n.clone())) };
            let seen = if *field_optional { quote!(#slot.#f.clone()) } else { quote!(Some(#slot.#f.clone())) };
            let store = if *field_optional { quote!(next) } else { quote!(next.unwrap_or_default()) };
            quote! {
                let next: Option<String> = #next_expr;
                let items = #items_expr.unwrap_or_default();
                // An empty page, an empty cursor or the same cursor again: the list is done.
                let more = !items.is_empty() && next.as_deref().is_some_and(|n| !n.is_empty()) && next != #seen;
                #slot.#f = #store;
                Ok((items, more.then_some(#rebuild)))
            }
        }
        crate::ir::PageMode::Offset { field, total, .. } => {
            let f = format_ident!("{}", field);
            let total_expr = match total {
                Some((t, true)) => {
                    let t = format_ident!("{}", t);
                    quote!(resp.#t.map(i128::from))
                }
                Some((t, false)) => {
                    let t = format_ident!("{}", t);
                    quote!(Some(i128::from(resp.#t)))
                }
                None => quote!(None::<i128>),
            };
            quote! {
                let total: Option<i128> = #total_expr;
                let items = #items_expr.unwrap_or_default();
                let got = i128::try_from(items.len()).unwrap_or(i128::MAX);
                let offset = i128::from(#slot.#f).saturating_add(got);
                #slot.#f = offset.try_into().map_err(|_| crate::generated_interface::limits::refuse(&#konst, "offset out of range".to_string()))?;
                let more = got > 0 && total.is_none_or(|t| offset < t);
                Ok((items, more.then_some(#rebuild)))
            }
        }
    };
    quote! {
        /// Every item of every page, in order, as a stream: the next page is asked for only
        /// when the consumer has taken every item of this one, so memory holds one page
        /// whatever the total. Each page is sent like `send()` (same checks, token handling
        /// and retries); an error ends the stream after it is yielded.
        pub fn items(self) -> impl futures_util::Stream<Item = Result<#item_ty, crate::Error>> + Send + 'a {
            let client = self.client;
            crate::generated_interface::pages(#init, move |#pattern| async move {
                #(#checks)*
                let resp: #resp_ty = crate::generated_interface::call_json(client, &#konst, #query_arg, #body_arg).await?;
                #advance
            })
        }
    }
}

/// `impl Struct { fn check_limits(&self) }` for a query or body struct whose fields have
/// documented limits (or hold structs that have), with the date span if it lives here.
fn wire_checks(s: &WireStructIr, span: Option<&crate::ir::DateSpanIr>) -> Option<TokenStream> {
    let mut stmts = super::types::limit_checks(&s.fields, quote!(""));
    if let Some(d) = span {
        let (b, e) = (format_ident!("{}", d.begin), format_ident!("{}", d.end));
        let (bw, ew) = (&d.begin_wire, &d.end_wire);
        let max = proc_macro2::Literal::u32_unsuffixed(d.max_days);
        let errcode = match d.errcode {
            Some(c) => {
                let l = Literal::i64_unsuffixed(c);
                quote!(Some(#l))
            }
            None => quote!(None),
        };
        stmts.push(quote! {
            crate::generated_interface::limits::date_span(#bw, &self.#b, #ew, &self.#e, #max, #errcode)?;
        });
    }
    if stmts.is_empty() {
        return None;
    }
    let name = format_ident!("{}", s.name);
    Some(quote! {
        impl #name {
            /// Checks the limits WeChat documents for these fields.
            fn check_limits(&self) -> Result<(), String> {
                #(#stmts)*
                Ok(())
            }
        }
    })
}

/// A private struct holding multipart parts until `send()`.
fn wire_struct_plain(s: &WireStructIr) -> TokenStream {
    let name = format_ident!("{}", s.name);
    let members = s.fields.iter().map(|f| {
        let ident = format_ident!("{}", f.ident);
        let ty = rust_type(&f.stored);
        quote!(#ident: #ty,)
    });
    quote! { struct #name { #(#members)* } }
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
fn multipart_parts(fields: &[FieldIr], konst: &proc_macro2::Ident) -> Vec<TokenStream> {
    fields
        .iter()
        .map(|f| {
            let ident = format_ident!("{}", f.ident);
            let name = &f.wire;
            let make = |v: TokenStream| {
                if f.is_file {
                    quote!(Ok(crate::generated_interface::Part::file(#name, #v)))
                } else {
                    quote!(crate::generated_interface::Part::field(#konst.name, #name, &#v))
                }
            };
            if f.input != Input::Caller || f.required {
                let m = make(quote!(body.#ident));
                quote!(Some(#m),)
            } else if matches!(f.presence, Presence::Collection(_)) {
                let m = make(quote!(body.#ident));
                quote!((!body.#ident.is_empty()).then(|| #m),)
            } else {
                let m = make(quote!(v));
                quote!(body.#ident.map(|v| #m),)
            }
        })
        .collect()
}
