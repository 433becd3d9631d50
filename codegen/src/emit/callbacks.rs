//! `spec/callbacks.yaml` -> `generated/callbacks.rs`: one struct per inbound message, event
//! and passive reply with its XML mapping, the `MessageKind` / `EventKind` / `ReplyKind`
//! enums, and the dispatch from `MsgType` / `Event`. Unknown types are kept whole. The XML
//! primitives live in the runtime (`crate::inbound::fields`).

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::docs::{doc_attrs, inner_doc_attrs};
use super::{arg_type, rust_type};
use crate::ir::{CallbackIr, CallbacksIr, XmlFieldIr, XmlShape, XmlStructIr};

/// The expression reading field `f` from element `el`.
fn read(f: &XmlFieldIr, owner: &str) -> TokenStream {
    let name = &f.wire;
    let item = |item: &Option<String>| match item {
        Some(i) => quote!(Some(#i)),
        None => quote!(None),
    };
    match (&f.shape, f.required) {
        (XmlShape::Text, true) => quote!(fields::required_text(el, #name, #owner)?),
        (XmlShape::Text, false) => quote!(fields::text(el, #name)),
        (XmlShape::Number, true) => quote!(fields::required_number(el, #name, #owner)?),
        (XmlShape::Number, false) => quote!(fields::number(el, #name)?),
        (XmlShape::Child(n), true) => {
            let i = format_ident!("{}", n);
            quote!(<#i as fields::FromXml>::from_xml(fields::required_child(el, #name, #owner)?)?)
        }
        (XmlShape::Child(n), false) => {
            let i = format_ident!("{}", n);
            quote!(fields::child(el, #name).map(<#i as fields::FromXml>::from_xml).transpose()?)
        }
        (XmlShape::ChildList { ty, item: it }, _) => {
            let i = format_ident!("{}", ty);
            let item = item(it);
            quote!(fields::items(el, #name, #item).map(<#i as fields::FromXml>::from_xml).collect::<Result<Vec<_>, _>>()?)
        }
        (XmlShape::TextList { item: it }, _) => {
            let item = item(it);
            quote!(fields::items(el, #name, #item).map(fields::element_text).collect())
        }
    }
}

/// Statements writing field `f` of `self` into writer `w`.
fn write(f: &XmlFieldIr) -> TokenStream {
    let name = &f.wire;
    let ident = format_ident!("{}", f.ident);
    let one = |v: TokenStream| -> TokenStream {
        match f.shape {
            XmlShape::Text => quote!(w.text(#name, #v);),
            XmlShape::Number => quote!(w.number(#name, #v);),
            _ => quote! { w.open(#name); fields::ToXml::write_xml(#v, w); w.close(#name); },
        }
    };
    let list = |item: &Option<String>, elem: TokenStream| match item {
        Some(item) => quote! {
            w.open(#name);
            for v in &self.#ident { let item_name = #item; #elem }
            w.close(#name);
        },
        None => quote! {
            for v in &self.#ident { let item_name = #name; #elem }
        },
    };
    match (&f.shape, f.required) {
        (XmlShape::TextList { item }, _) => list(item, quote!(w.text(item_name, v);)),
        (XmlShape::ChildList { item, .. }, _) => {
            list(item, quote! { w.open(item_name); fields::ToXml::write_xml(v, w); w.close(item_name); })
        }
        (_, true) => one(quote!(&self.#ident)),
        (_, false) => {
            let inner = one(quote!(v));
            quote!(if let Some(v) = &self.#ident { #inner })
        }
    }
}

/// A struct with XML reading and writing, and `new`/`with_*` when users build it (replies).
fn emit_struct(s: &XmlStructIr) -> TokenStream {
    let name = format_ident!("{}", s.name);
    let doc = doc_attrs(&s.doc);
    let owner = s.owner.as_str();
    let fields = &s.fields;
    let members = fields.iter().map(|f| {
        let ident = format_ident!("{}", f.ident);
        let t = rust_type(&f.stored);
        let d = doc_attrs(&f.doc);
        quote!(#d pub #ident: #t,)
    });
    let reads = fields.iter().map(|f| {
        let ident = format_ident!("{}", f.ident);
        let r = read(f, owner);
        quote!(#ident: #r,)
    });
    let writes = fields.iter().map(write);
    let non_exhaustive = if s.exhaustive { quote!() } else { quote!(#[non_exhaustive]) };
    let el_param = if fields.is_empty() { quote!(_el) } else { quote!(el) };
    let w_param = if fields.is_empty() { quote!(_w) } else { quote!(w) };
    let constructor = if s.constructor {
        let mut params = Vec::new();
        let mut inits = Vec::new();
        let mut setters = Vec::new();
        for f in fields {
            let ident = format_ident!("{}", f.ident);
            let (pty, into) = arg_type(&f.arg);
            let conv = if into { quote!(#ident.into()) } else { quote!(#ident) };
            let is_list = matches!(f.shape, XmlShape::ChildList { .. } | XmlShape::TextList { .. });
            if f.required {
                params.push(quote!(#ident: #pty));
                inits.push(if into { quote!(#ident: #conv) } else { quote!(#ident) });
            } else if is_list {
                let setter = format_ident!("with_{}", f.ident);
                inits.push(quote!(#ident: Vec::new()));
                setters.push(quote!(#[doc = " Sets this optional field."] #[must_use] pub fn #setter(mut self, #ident: #pty) -> Self { self.#ident = #conv; self }));
            } else {
                let setter = format_ident!("with_{}", f.ident);
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
    let (derive_debug, debug_impl) = if fields.iter().any(|f| f.secret) {
        let imp = super::types::redacted_debug(&name, fields.iter().map(|f| (f.ident.as_str(), f.secret)));
        (quote!(), imp)
    } else {
        (quote!(Debug,), quote!())
    };
    quote! {
        #doc
        #[derive(#derive_debug Clone, PartialEq, Default)]
        #non_exhaustive
        pub struct #name { #(#members)* }
        #debug_impl
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

/// Each definition's struct, and (variant, struct name, definition) for the enums.
type Group<'a> = (Vec<TokenStream>, Vec<(syn::Ident, syn::Ident, &'a CallbackIr)>);

fn group(defs: &[CallbackIr]) -> Group<'_> {
    let items = defs.iter().map(|d| emit_struct(&d.def)).collect();
    let names = defs.iter().map(|d| (format_ident!("{}", d.variant), format_ident!("{}", d.def.name), d)).collect();
    (items, names)
}

/// The whole `callbacks.rs`.
pub fn emit_callbacks(cb: &CallbacksIr) -> TokenStream {
    let module_doc = inner_doc_attrs(&cb.doc);
    let types = cb.types.iter().map(emit_struct);
    let (msg_items, msgs) = group(&cb.messages);
    let (ev_items, evs) = group(&cb.events);
    let (reply_items, replies) = group(&cb.replies);
    let (info_items, infos) = group(&cb.component);
    let info_variants = infos.iter().map(|(v, s, d)| {
        let doc = doc_attrs(&d.variant_doc);
        quote!(#doc #v(#s),)
    });
    let info_arms = infos.iter().map(|(v, s, d)| {
        let w = &d.wire;
        quote!(if info_type.eq_ignore_ascii_case(#w) { return Ok(ComponentKind::#v(<#s as fields::FromXml>::from_xml(el)?)); })
    });
    let info_names = infos.iter().map(|(v, _, d)| {
        let w = &d.wire;
        quote!(ComponentKind::#v(_) => #w,)
    });

    let msg_variants = msgs.iter().map(|(v, s, d)| {
        let doc = doc_attrs(&d.variant_doc);
        quote!(#doc #v(#s),)
    });
    let ev_variants = evs.iter().map(|(v, s, d)| {
        let doc = doc_attrs(&d.variant_doc);
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
        let doc = doc_attrs(&d.variant_doc);
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
        use crate::inbound::{ComponentKinds, MessageKinds, ReplyKinds};

        #(#types)*
        #(#msg_items)*
        #(#ev_items)*
        #(#reply_items)*
        #(#info_items)*

        /// A push to a third-party platform's authorisation-event URL, by its `InfoType`.
        #[derive(Debug, Clone, PartialEq)]
        #[non_exhaustive]
        pub enum ComponentKind {
            #(#info_variants)*
            /// An `InfoType` this version does not know, kept whole.
            Unknown(fields::Unknown),
        }

        impl ComponentKind {
            /// The `InfoType` value.
            pub fn info_type(&self) -> &str {
                match self { #(#info_names)* ComponentKind::Unknown(u) => u.type_name.as_str() }
            }
        }

        impl ComponentKinds for ComponentKind {
            fn parse(info_type: &str, el: &fields::Element) -> Result<ComponentKind, fields::Error> {
                #(#info_arms)*
                Ok(ComponentKind::Unknown(fields::Unknown::new(info_type, el)))
            }

            fn info_type(&self) -> &str {
                ComponentKind::info_type(self)
            }
        }

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
