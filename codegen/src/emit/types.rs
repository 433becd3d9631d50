//! Named types and field types: structs with serde attributes, forward-compatible enums.
//! Reads only the IR: every type here is already resolved by [`crate::lower`].

use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};

use super::docs::doc_attrs;
use super::{arg_type, rust_type};
use crate::ir::{FieldIr, LimitCheck, NamedIr, Presence, RustType, SerdeAttrs, StructIr, UnionIr, VariantIr};

/// `#[serde(...)]` of a stored field, or nothing.
pub fn serde_attrs(s: &SerdeAttrs) -> TokenStream {
    let rename = s.rename.as_ref().map(|n| quote!(rename = #n,));
    let default = s.default.then(|| quote!(default,));
    let skip = s.skip_serializing_if.map(|p| quote!(skip_serializing_if = #p,));
    let de = s.deserialize_with.map(|p| quote!(deserialize_with = #p,));
    let flatten = s.flatten.then(|| quote!(flatten,));
    if rename.is_none() && default.is_none() && skip.is_none() && de.is_none() && flatten.is_none() {
        quote!()
    } else {
        quote!(#[serde(#rename #default #skip #de #flatten)])
    }
}

/// A public struct of named fields with serde derives; secret fields are hidden from `Debug`.
pub fn emit_struct(s: &StructIr) -> TokenStream {
    let name = format_ident!("{}", s.name);
    let members = s.fields.iter().map(|f| {
        let ident = format_ident!("{}", f.ident);
        let ty = rust_type(&f.stored);
        let serde = serde_attrs(&f.serde);
        let doc = doc_attrs(&f.doc);
        quote! { #doc #serde pub #ident: #ty, }
    });
    let has_secret = s.fields.iter().any(|f| f.secret);
    let all_optional = s.fields.iter().all(|f| !f.required);
    let mut derives = vec![quote!(Clone), quote!(PartialEq), quote!(serde::Serialize), quote!(serde::Deserialize)];
    if !has_secret {
        derives.insert(0, quote!(Debug));
    }
    if all_optional {
        derives.push(quote!(Default));
    }
    let non_exhaustive = if s.for_request { quote!() } else { quote!(#[non_exhaustive]) };
    let debug_impl = if has_secret {
        redacted_debug(&name, s.fields.iter().map(|f| (f.ident.as_str(), f.secret)))
    } else {
        quote!()
    };
    let ctor = if s.for_request { emit_constructor(&name, &s.fields) } else { quote!() };
    let docs = doc_attrs(&s.doc);
    let checks = if s.checked {
        let stmts = limit_checks(&s.fields, quote!(at));
        quote! {
            impl #name {
                /// Checks the limits WeChat documents for these fields; `at` is this value's path.
                pub(crate) fn check_limits(&self, at: &str) -> Result<(), String> {
                    #(#stmts)*
                    Ok(())
                }
            }
        }
    } else {
        quote!()
    };
    quote! {
        #docs
        #[derive(#(#derives),*)]
        #non_exhaustive
        pub struct #name { #(#members)* }
        #debug_impl
        #ctor
        #checks
    }
}

/// `Debug` showing `<redacted>` for the secret members; `fields` are (identifier, secret).
pub(crate) fn redacted_debug<'f>(name: &syn::Ident, fields: impl Iterator<Item = (&'f str, bool)>) -> TokenStream {
    let name_str = name.to_string();
    let entries = fields.map(|(label, secret)| {
        let ident = format_ident!("{}", label);
        if secret {
            quote!(.field(#label, &crate::generated_interface::Redacted))
        } else {
            quote!(.field(#label, &self.#ident))
        }
    });
    quote! {
        impl std::fmt::Debug for #name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_struct(#name_str) #(#entries)* .finish()
            }
        }
    }
}

/// `new(required…)` and `with_<field>(..)` for request-side structs.
fn emit_constructor(name: &syn::Ident, fields: &[FieldIr]) -> TokenStream {
    let mut params = Vec::new();
    let mut inits = Vec::new();
    let mut setters = Vec::new();
    for f in fields {
        let ident = format_ident!("{}", f.ident);
        let (pty, into) = arg_type(&f.arg);
        let value = if into { quote!(#ident.into()) } else { quote!(#ident) };
        if f.required {
            params.push(quote!(#ident: #pty));
            inits.push(if into { quote!(#ident: #value) } else { quote!(#ident) });
        } else {
            let collection = matches!(f.presence, Presence::Collection(_));
            let setter = format_ident!("with_{}", f.ident);
            let doc = doc_attrs(&f.doc);
            let stored = if collection { value.clone() } else { quote!(Some(#value)) };
            setters.push(quote! {
                #doc
                #[must_use]
                pub fn #setter(mut self, #ident: #pty) -> Self { self.#ident = #stored; self }
            });
            inits.push(if collection { quote!(#ident: Default::default()) } else { quote!(#ident: None) });
        }
    }
    let new_doc = format!(" Creates a `{name}` from its required fields; set optional ones with `with_*`.");
    let many = if params.len() > 6 { quote!(#[allow(clippy::too_many_arguments)]) } else { quote!() };
    quote! {
        impl #name {
            #[doc = #new_doc]
            #many
            pub fn new(#(#params),*) -> Self { #name { #(#inits),* } }
            #(#setters)*
        }
    }
}

/// A named type declared in a spec file.
pub fn emit_named(t: &NamedIr) -> TokenStream {
    match t {
        NamedIr::Struct(s) => emit_struct(s),
        NamedIr::StringEnum { name, doc, variants } => emit_string_enum(name, doc, variants),
        NamedIr::IntEnum { name, doc, variants } => emit_int_enum(name, doc, variants),
        NamedIr::Union(u) => emit_union(u),
    }
}

/// A union: an enum of payload structs, written as `{tag: wire, key: payload}` inside the
/// enclosing object (its field is `#[serde(flatten)]`), with a shortcut constructor per
/// variant and `From<payload>` where the payload type is the variant's alone.
fn emit_union(u: &UnionIr) -> TokenStream {
    let name = format_ident!("{}", u.name);
    let docs = doc_attrs(&u.doc);
    let tag = &u.tag;
    let idents: Vec<syn::Ident> = u.variants.iter().map(|v| format_ident!("{}", v.ident)).collect();
    let members = u.variants.iter().zip(&idents).map(|(v, ident)| {
        let doc = doc_attrs(&v.doc);
        let ty = rust_type(&v.payload);
        quote!(#doc #ident(#ty),)
    });
    let tags = u.variants.iter().zip(&idents).map(|(v, ident)| {
        let w = &v.wire;
        quote!(#name::#ident(_) => #w,)
    });
    let keys = u.variants.iter().zip(&idents).map(|(v, ident)| {
        let k = &v.key;
        quote!(#name::#ident(_) => #k,)
    });
    let writes = u.variants.iter().zip(&idents).map(|(v, ident)| {
        let k = &v.key;
        quote!(#name::#ident(v) => m.serialize_entry(#k, v)?,)
    });
    let reads = u.variants.iter().zip(&idents).map(|(v, ident)| {
        let (w, k) = (&v.wire, &v.key);
        quote!(#w if fields.contains_key(#k) => Ok(#name::#ident(union::payload(&mut fields, #k)?)),)
    });
    let ctors = u.variants.iter().zip(&idents).filter_map(|(v, ident)| {
        let params = v.ctor_params.as_ref()?;
        let ctor = format_ident!("{}", v.ctor);
        let ty = rust_type(&v.payload);
        let args = params.iter().map(|f| {
            let p = format_ident!("{}", f.ident);
            let (pty, _) = arg_type(&f.arg);
            quote!(#p: #pty)
        });
        let pass = params.iter().map(|f| format_ident!("{}", f.ident));
        let doc = format!(" A [`{}`](Self::{}) built from its payload's required fields.", v.ident, v.ident);
        let many = if params.len() > 6 { quote!(#[allow(clippy::too_many_arguments)]) } else { quote!() };
        Some(quote! {
            #[doc = #doc]
            #many
            pub fn #ctor(#(#args),*) -> Self { #name::#ident(#ty::new(#(#pass),*)) }
        })
    });
    let froms = u.variants.iter().zip(&idents).filter(|(v, _)| v.from_impl).map(|(v, ident)| {
        let ty = rust_type(&v.payload);
        quote! {
            impl From<#ty> for #name {
                fn from(v: #ty) -> Self { #name::#ident(v) }
            }
        }
    });
    let checks = if u.checked {
        let arms = u.variants.iter().zip(&idents).filter(|(v, _)| v.checked).map(|(v, ident)| {
            let k = &v.key;
            quote!(#name::#ident(v) => v.check_limits(&crate::generated_interface::limits::join(at, #k)),)
        });
        quote! {
            /// Checks the limits WeChat documents for the payload; `at` is the enclosing object's path.
            pub(crate) fn check_limits(&self, at: &str) -> Result<(), String> {
                #[allow(unreachable_patterns)]
                match self { #(#arms)* _ => Ok(()) }
            }
        }
    } else {
        quote!()
    };
    let tag_doc = format!(" The value of `{tag}` this variant is sent with.");
    quote! {
        #docs
        #[derive(Debug, Clone, PartialEq)]
        pub enum #name { #(#members)* }
        impl #name {
            #[doc = #tag_doc]
            pub fn tag(&self) -> &'static str {
                match self { #(#tags)* }
            }
            /// The key the payload is sent under (usually the same as [`tag`](Self::tag)).
            pub fn key(&self) -> &'static str {
                match self { #(#keys)* }
            }
            #(#ctors)*
            #checks
        }
        #(#froms)*
        impl serde::Serialize for #name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                use serde::ser::SerializeMap;
                let mut m = s.serialize_map(Some(2))?;
                m.serialize_entry(#tag, self.tag())?;
                match self { #(#writes)* }
                m.end()
            }
        }
        impl<'de> serde::Deserialize<'de> for #name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                use crate::generated_interface::union;
                let mut fields = <union::Fields as serde::Deserialize>::deserialize(d)?;
                let tag = union::tag::<D::Error>(&fields, #tag)?;
                match tag.as_str() {
                    #(#reads)*
                    _ => Err(union::unknown(#tag, &tag, &fields)),
                }
            }
        }
    }
}

fn emit_string_enum(name: &str, doc: &crate::ir::Doc, values: &[(VariantIr, String)]) -> TokenStream {
    let name = format_ident!("{}", name);
    let docs = doc_attrs(doc);
    let variants = values.iter().map(|(v, _)| {
        let ident = format_ident!("{}", v.ident);
        let doc = doc_attrs(&v.doc);
        quote!(#doc #ident,)
    });
    let to_wire = values.iter().map(|(v, w)| {
        let ident = format_ident!("{}", v.ident);
        quote!(#name::#ident => #w,)
    });
    let from_wire = values.iter().map(|(v, w)| {
        let ident = format_ident!("{}", v.ident);
        quote!(#w => #name::#ident,)
    });
    quote! {
        #docs
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum #name {
            #(#variants)*
            /// A value this version of the SDK does not know yet, kept as sent.
            Other(String),
        }
        impl #name {
            /// The value as WeChat spells it.
            pub fn as_str(&self) -> &str {
                match self { #(#to_wire)* #name::Other(s) => s.as_str() }
            }
        }
        impl From<&str> for #name {
            fn from(s: &str) -> Self {
                match s { #(#from_wire)* other => #name::Other(other.to_string()) }
            }
        }
        impl std::fmt::Display for #name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { f.write_str(self.as_str()) }
        }
        impl serde::Serialize for #name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> { s.serialize_str(self.as_str()) }
        }
        impl<'de> serde::Deserialize<'de> for #name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                crate::generated_interface::deserialize_string_enum(d)
            }
        }
    }
}

fn emit_int_enum(name: &str, doc: &crate::ir::Doc, values: &[(VariantIr, i64)]) -> TokenStream {
    let name = format_ident!("{}", name);
    let docs = doc_attrs(doc);
    let ints: Vec<(syn::Ident, Literal, &VariantIr)> =
        values.iter().map(|(v, i)| (format_ident!("{}", v.ident), Literal::i64_unsuffixed(*i), v)).collect();
    let variants = ints.iter().map(|(ident, _, v)| {
        let d = doc_attrs(&v.doc);
        quote!(#d #ident,)
    });
    let to_wire = ints.iter().map(|(ident, lit, _)| quote!(#name::#ident => #lit,));
    let from_wire = ints.iter().map(|(ident, lit, _)| quote!(#lit => #name::#ident,));
    quote! {
        #docs
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum #name {
            #(#variants)*
            /// A value this version of the SDK does not know yet, kept as sent.
            Other(i64),
        }
        impl #name {
            /// The value as WeChat sends it.
            pub fn as_i64(&self) -> i64 {
                match self { #(#to_wire)* #name::Other(v) => *v }
            }
        }
        impl From<i64> for #name {
            fn from(v: i64) -> Self {
                match v { #(#from_wire)* other => #name::Other(other) }
            }
        }
        impl serde::Serialize for #name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> { s.serialize_i64(self.as_i64()) }
        }
        impl<'de> serde::Deserialize<'de> for #name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                crate::generated_interface::deserialize_int_enum(d)
            }
        }
    }
}

/// The statements checking `fields`' documented limits (and nested structs' own), each
/// returning `Err(message)` with the field's path under `at` (an expression of type `&str`).
pub fn limit_checks(fields: &[FieldIr], at: TokenStream) -> Vec<TokenStream> {
    let lim = quote!(crate::generated_interface::limits);
    fields
        .iter()
        .filter(|f| !f.limits.is_empty() || f.nested_check || !f.accepts.is_empty())
        .map(|f| {
            let ident = format_ident!("{}", f.ident);
            let wire = &f.wire;
            let errcode = match f.limit_errcode {
                Some(c) => {
                    let l = Literal::i64_unsuffixed(c);
                    quote!(Some(#l))
                }
                None => quote!(None),
            };
            let opt_u = |v: Option<u64>| match v {
                Some(n) => {
                    let l = Literal::u64_unsuffixed(n);
                    quote!(Some(#l))
                }
                None => quote!(None),
            };
            let opt_i = |v: Option<i64>| match v {
                Some(n) => {
                    let l = Literal::i64_unsuffixed(n);
                    quote!(Some(#l))
                }
                None => quote!(None),
            };
            let checks = f.limits.iter().map(|c| match c {
                LimitCheck::Items { min, max } => {
                    let (min, max) = (opt_u(*min), opt_u(*max));
                    quote!(#lim::items(&path, v.len(), #min, #max, #errcode)?;)
                }
                LimitCheck::Chars(n) => {
                    let n = Literal::u64_unsuffixed(*n);
                    quote!(#lim::chars(&path, v, #n, #errcode)?;)
                }
                LimitCheck::Bytes(n) => {
                    let n = Literal::u64_unsuffixed(*n);
                    quote!(#lim::bytes(&path, v, #n, #errcode)?;)
                }
                LimitCheck::Range { min, max } => {
                    let (min, max) = (opt_i(*min), opt_i(*max));
                    quote!(#lim::range(&path, i128::from(*v), #min, #max, #errcode)?;)
                }
            });
            let inner = match (&f.value, f.presence) {
                _ if !f.nested_check => quote!(),
                (RustType::Vec(_), _) => quote! {
                    for (i, item) in v.iter().enumerate() { item.check_limits(&format!("{path}[{i}]"))?; }
                },
                (RustType::Map(_), _) => quote! {
                    for (key, item) in v.iter() { item.check_limits(&format!("{path}.{key}"))?; }
                },
                _ => quote!(v.check_limits(&path)?;),
            };
            let accepts = if f.accepts.is_empty() {
                quote!()
            } else {
                let ty = rust_type(&f.value);
                let pats = f.accepts.iter().map(|(ident, _)| {
                    let i = format_ident!("{}", ident);
                    quote!(#ty::#i(_))
                });
                let tag = f.union_tag.as_deref().unwrap_or_default();
                let list =
                    format!("{tag} {}", f.accepts.iter().map(|(_, w)| w.as_str()).collect::<Vec<_>>().join(", "));
                quote! {
                    if !matches!(v, #(#pats)|*) {
                        let sent = match (v.tag(), v.key()) {
                            (t, k) if t == k => format!("{} {t}", #tag),
                            (t, k) => format!("{} {t} (payload under {k})", #tag),
                        };
                        #lim::variant(&path, &sent, #list, #errcode)?;
                    }
                }
            };
            // A flattened union's keys are the enclosing object's: its path is the object's.
            let path = if f.serde.flatten { quote!(String::from(#at)) } else { quote!(#lim::join(#at, #wire)) };
            let body = quote! {
                let path = #path;
                #accepts
                #(#checks)*
                #inner
            };
            if f.presence == Presence::Optional {
                quote!(if let Some(v) = &self.#ident { #body })
            } else {
                quote!({ let v = &self.#ident; #body })
            }
        })
        .collect()
}
