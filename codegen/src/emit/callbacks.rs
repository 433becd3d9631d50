//! `spec/callbacks.yaml` -> `generated/callbacks.rs`: one struct per inbound message, event
//! and passive reply with its XML mapping, the `MessageKind` / `EventKind` / `ReplyKind`
//! enums, and the dispatch from `MsgType` / `Event`. Unknown types are kept whole. The XML
//! primitives live in the runtime (`crate::inbound::fields`).

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::docs::{doc_attrs, inner_doc_attrs};
use crate::model::{CallbackDef, CallbacksFile, Field};
use crate::types::{Prim, TypeExpr};
use crate::validate::field_ident;

fn ty(f: &Field) -> TypeExpr {
    TypeExpr::parse(&f.ty).unwrap_or(TypeExpr::Prim(Prim::String))
}

fn prim_rust(p: Prim) -> TokenStream {
    match p {
        Prim::I64 => quote!(i64),
        Prim::I32 => quote!(i32),
        Prim::F64 => quote!(f64),
        _ => quote!(String),
    }
}

fn base_rust(t: &TypeExpr) -> TokenStream {
    match t {
        TypeExpr::Prim(p) => prim_rust(*p),
        TypeExpr::Named(n) => {
            let i = format_ident!("{}", n);
            quote!(#i)
        }
        TypeExpr::List(inner) | TypeExpr::Map(inner) => {
            let i = base_rust(inner);
            quote!(Vec<#i>)
        }
    }
}

fn stored(f: &Field) -> TokenStream {
    let t = ty(f);
    let r = base_rust(&t);
    if f.required || t.is_collection() {
        r
    } else {
        quote!(Option<#r>)
    }
}

/// The expression reading field `f` from element `el`.
fn read(f: &Field, owner: &str) -> TokenStream {
    let name = &f.name;
    let t = ty(f);
    match (&t, f.required) {
        (TypeExpr::Prim(Prim::String), true) => quote!(fields::required_text(el, #name, #owner)?),
        (TypeExpr::Prim(Prim::String), false) => quote!(fields::text(el, #name)),
        (TypeExpr::Prim(_), true) => quote!(fields::required_number(el, #name, #owner)?),
        (TypeExpr::Prim(_), false) => quote!(fields::number(el, #name)?),
        (TypeExpr::Named(n), true) => {
            let i = format_ident!("{}", n);
            quote!(<#i as fields::FromXml>::from_xml(fields::required_child(el, #name, #owner)?)?)
        }
        (TypeExpr::Named(n), false) => {
            let i = format_ident!("{}", n);
            quote!(fields::child(el, #name).map(<#i as fields::FromXml>::from_xml).transpose()?)
        }
        (TypeExpr::List(inner) | TypeExpr::Map(inner), _) => {
            let item = match &f.item {
                Some(i) => quote!(Some(#i)),
                None => quote!(None),
            };
            match inner.as_ref() {
                TypeExpr::Named(n) => {
                    let i = format_ident!("{}", n);
                    quote!(fields::items(el, #name, #item).map(<#i as fields::FromXml>::from_xml).collect::<Result<Vec<_>, _>>()?)
                }
                _ => quote!(fields::items(el, #name, #item).map(fields::element_text).collect()),
            }
        }
    }
}

/// Statements writing field `f` of `self` into writer `w`.
fn write(f: &Field) -> TokenStream {
    let name = &f.name;
    let ident = format_ident!("{}", field_ident(f));
    let t = ty(f);
    let one = |v: TokenStream, t: &TypeExpr| -> TokenStream {
        match t {
            TypeExpr::Prim(Prim::String) => quote!(w.text(#name, #v);),
            TypeExpr::Prim(_) => quote!(w.number(#name, #v);),
            _ => quote! { w.open(#name); fields::ToXml::write_xml(#v, w); w.close(#name); },
        }
    };
    match (&t, f.required) {
        (TypeExpr::List(inner) | TypeExpr::Map(inner), _) => {
            let elem = match inner.as_ref() {
                TypeExpr::Prim(_) => quote!(w.text(item_name, v);),
                _ => quote! { w.open(item_name); fields::ToXml::write_xml(v, w); w.close(item_name); },
            };
            match &f.item {
                Some(item) => quote! {
                    w.open(#name);
                    for v in &self.#ident { let item_name = #item; #elem }
                    w.close(#name);
                },
                None => quote! {
                    for v in &self.#ident { let item_name = #name; #elem }
                },
            }
        }
        (_, true) => one(quote!(&self.#ident), &t),
        (_, false) => {
            let inner = one(quote!(v), &t);
            quote!(if let Some(v) = &self.#ident { #inner })
        }
    }
}

/// A struct with XML reading and writing; `ctor` adds `new`/`with_*` (for replies).
fn emit_struct(
    name: &syn::Ident,
    doc: TokenStream,
    fields: &[Field],
    owner: &str,
    ctor: bool,
    exhaustive: bool,
) -> TokenStream {
    let members = fields.iter().map(|f| {
        let ident = format_ident!("{}", field_ident(f));
        let t = stored(f);
        let d = doc_attrs(&[f.doc.as_deref(), Some(&format!("XML element: `{}`.", f.name))]);
        quote!(#d pub #ident: #t,)
    });
    let reads = fields.iter().map(|f| {
        let ident = format_ident!("{}", field_ident(f));
        let r = read(f, owner);
        quote!(#ident: #r,)
    });
    let writes = fields.iter().map(write);
    let non_exhaustive = if exhaustive { quote!() } else { quote!(#[non_exhaustive]) };
    let el_param = if fields.is_empty() { quote!(_el) } else { quote!(el) };
    let w_param = if fields.is_empty() { quote!(_w) } else { quote!(w) };
    let constructor = if ctor {
        let mut params = Vec::new();
        let mut inits = Vec::new();
        let mut setters = Vec::new();
        for f in fields {
            let ident = format_ident!("{}", field_ident(f));
            let t = ty(f);
            let (pty, conv) = match &t {
                TypeExpr::Prim(Prim::String) => (quote!(impl Into<String>), quote!(#ident.into())),
                _ => (base_rust(&t), quote!(#ident)),
            };
            if f.required {
                params.push(quote!(#ident: #pty));
                if matches!(t, TypeExpr::Prim(Prim::String)) {
                    inits.push(quote!(#ident: #conv));
                } else {
                    inits.push(quote!(#ident));
                }
            } else if t.is_collection() {
                let setter = format_ident!("with_{}", field_ident(f));
                inits.push(quote!(#ident: Vec::new()));
                setters.push(quote!(#[doc = " Sets this optional field."] #[must_use] pub fn #setter(mut self, #ident: #pty) -> Self { self.#ident = #conv; self }));
            } else {
                let setter = format_ident!("with_{}", field_ident(f));
                inits.push(quote!(#ident: None));
                setters.push(quote!(#[doc = " Sets this optional field."] #[must_use] pub fn #setter(mut self, #ident: #pty) -> Self { self.#ident = Some(#conv); self }));
            }
        }
        quote! {
            impl #name {
                #[doc = " Creates it from its required fields."]
                pub fn new(#(#params),*) -> Self { #name { #(#inits),* } }
                #(#setters)*
            }
        }
    } else {
        quote!()
    };
    quote! {
        #doc
        #[derive(Debug, Clone, PartialEq, Default)]
        #non_exhaustive
        pub struct #name { #(#members)* }
        impl fields::FromXml for #name {
            fn from_xml(#el_param: &fields::Element) -> Result<Self, fields::Error> {
                Ok(#name { #(#reads)* })
            }
        }
        impl fields::ToXml for #name {
            fn write_xml(&self, #w_param: &mut fields::Writer) { #(#writes)* }
        }
        #constructor
    }
}

fn def_doc(def: &CallbackDef, what: &str) -> TokenStream {
    let wire = format!("{what} `{}`.", def.wire);
    let link = def.doc_url.as_ref().map(|u| format!("Official documentation: <{u}>"));
    doc_attrs(&[Some(&def.summary), def.doc.as_deref(), Some(&wire), link.as_deref()])
}

/// The whole `callbacks.rs`.
pub fn emit_callbacks(cb: &CallbacksFile) -> TokenStream {
    let module_doc = inner_doc_attrs(&[Some(&cb.title), cb.doc.as_deref()]);
    let types = cb.types.iter().map(|t| {
        let name = format_ident!("{}", t.name);
        emit_struct(&name, doc_attrs(&[t.doc.as_deref()]), &t.fields, &t.name, true, true)
    });
    let group = |defs: &[CallbackDef],
                 suffix: &str,
                 what: &str,
                 reply: bool|
     -> (Vec<TokenStream>, Vec<(syn::Ident, syn::Ident, CallbackDef)>) {
        let mut items = Vec::new();
        let mut names = Vec::new();
        for def in defs {
            let sname = format_ident!("{}{}", def.name, suffix);
            let owner = format!("{} {}", def.wire, what);
            items.push(emit_struct(&sname, def_doc(def, what), &def.fields, &owner, reply, reply));
            names.push((format_ident!("{}", def.name), sname, def.clone()));
        }
        (items, names)
    };
    let (msg_items, msgs) = group(&cb.messages, "Message", "MsgType", false);
    let (ev_items, evs) = group(&cb.events, "Event", "Event", false);
    let (reply_items, replies) = group(&cb.replies, "Reply", "MsgType", true);

    let msg_variants = msgs.iter().map(|(v, s, d)| {
        let doc = doc_attrs(&[Some(&d.summary)]);
        quote!(#doc #v(#s),)
    });
    let ev_variants = evs.iter().map(|(v, s, d)| {
        let doc = doc_attrs(&[Some(&d.summary)]);
        quote!(#doc #v(#s),)
    });
    let msg_arms = msgs.iter().map(|(v, s, d)| {
        let w = &d.wire;
        quote!(if msg_type.eq_ignore_ascii_case(#w) { return Ok(MessageKind::#v(<#s as fields::FromXml>::from_xml(el)?)); })
    });
    let ev_arms = evs.iter().map(|(v, s, d)| {
        let w = &d.wire;
        quote!(if event.eq_ignore_ascii_case(#w) { return Ok(MessageKind::Event(EventKind::#v(<#s as fields::FromXml>::from_xml(el)?))); })
    });
    let msg_names = msgs.iter().map(|(v, _, d)| {
        let w = &d.wire;
        quote!(MessageKind::#v(_) => #w,)
    });
    let ev_names = evs.iter().map(|(v, _, d)| {
        let w = &d.wire;
        quote!(EventKind::#v(_) => #w,)
    });
    let reply_variants = replies.iter().map(|(v, s, d)| {
        let doc = doc_attrs(&[Some(&d.summary)]);
        quote!(#doc #v(#s),)
    });
    let reply_types = replies.iter().map(|(v, _, d)| {
        let w = &d.wire;
        quote!(ReplyKind::#v(_) => #w,)
    });
    let reply_writes = replies.iter().map(|(v, _, _)| quote!(ReplyKind::#v(r) => fields::ToXml::write_xml(r, w),));
    let reply_from = replies
        .iter()
        .map(|(v, s, _)| quote!(impl From<#s> for ReplyKind { fn from(r: #s) -> Self { ReplyKind::#v(r) } }));
    let reply_parse = replies.iter().map(|(v, s, d)| {
        let w = &d.wire;
        quote!(if msg_type.eq_ignore_ascii_case(#w) { return Ok(Some(ReplyKind::#v(<#s as fields::FromXml>::from_xml(el)?))); })
    });

    quote! {
        #module_doc

        use crate::inbound::fields;
        use crate::inbound::{MessageKinds, ReplyKinds};

        #(#types)*
        #(#msg_items)*
        #(#ev_items)*
        #(#reply_items)*

        /// What an inbound push is: a message by `MsgType`, or an event.
        #[derive(Debug, Clone, PartialEq)]
        #[non_exhaustive]
        pub enum MessageKind {
            #(#msg_variants)*
            /// An event (`MsgType` = `event`).
            Event(EventKind),
            /// A `MsgType` this version does not know, kept whole.
            Unknown(fields::Unknown),
        }

        /// An event, by its `Event` value.
        #[derive(Debug, Clone, PartialEq)]
        #[non_exhaustive]
        pub enum EventKind {
            #(#ev_variants)*
            /// An `Event` this version does not know, kept whole.
            Unknown(fields::Unknown),
        }

        impl MessageKind {
            /// The `MsgType` value.
            pub fn msg_type(&self) -> &str {
                match self { #(#msg_names)* MessageKind::Event(_) => "event", MessageKind::Unknown(u) => u.type_name.as_str() }
            }
        }

        impl EventKind {
            /// The `Event` value.
            pub fn event(&self) -> &str {
                match self { #(#ev_names)* EventKind::Unknown(u) => u.type_name.as_str() }
            }
        }

        impl MessageKinds for MessageKind {
            type Reply = ReplyKind;

            fn parse(msg_type: &str, el: &fields::Element) -> Result<MessageKind, fields::Error> {
                if msg_type.eq_ignore_ascii_case("event") {
                    let event = fields::required_text_ref(el, "Event", "event")?;
                    #(#ev_arms)*
                    return Ok(MessageKind::Event(EventKind::Unknown(fields::Unknown::new(event, el))));
                }
                #(#msg_arms)*
                Ok(MessageKind::Unknown(fields::Unknown::new(msg_type, el)))
            }

            fn msg_type(&self) -> &str {
                MessageKind::msg_type(self)
            }

            fn event(&self) -> Option<&str> {
                match self { MessageKind::Event(e) => Some(e.event()), _ => None }
            }
        }

        /// A passive reply's content, by `MsgType`.
        #[derive(Debug, Clone, PartialEq)]
        pub enum ReplyKind {
            #(#reply_variants)*
        }

        impl ReplyKind {
            /// The `MsgType` value.
            pub fn msg_type(&self) -> &'static str {
                match self { #(#reply_types)* }
            }
        }

        impl ReplyKinds for ReplyKind {
            fn parse(msg_type: &str, el: &fields::Element) -> Result<Option<ReplyKind>, fields::Error> {
                #(#reply_parse)*
                Ok(None)
            }

            fn msg_type(&self) -> &str {
                ReplyKind::msg_type(self)
            }

            fn write_fields(&self, w: &mut fields::Writer) {
                match self { #(#reply_writes)* }
            }
        }

        #(#reply_from)*
    }
}
