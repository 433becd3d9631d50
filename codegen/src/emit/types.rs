//! Named types and field types: structs with serde attributes, forward-compatible enums.

use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};

use super::docs::doc_attrs;
use crate::model::{Field, TypeDef, TypeKind, WireValue};
use crate::types::{Prim, TypeExpr};
use crate::validate::{field_ident, Checked};

/// The Rust type of a type expression, seen from module `area`.
pub fn rust_type(t: &TypeExpr, area: &str, ck: &Checked<'_>) -> TokenStream {
    match t {
        TypeExpr::Prim(p) => match p {
            Prim::String | Prim::Id => quote!(String),
            Prim::Bool => quote!(bool),
            Prim::I32 => quote!(i32),
            Prim::I64 => quote!(i64),
            Prim::U32 => quote!(u32),
            Prim::U64 => quote!(u64),
            Prim::F64 => quote!(f64),
            Prim::Json => quote!(serde_json::Value),
            Prim::File => quote!(crate::Upload),
        },
        TypeExpr::List(inner) => {
            let i = rust_type(inner, area, ck);
            quote!(Vec<#i>)
        }
        TypeExpr::Map(inner) => {
            let i = rust_type(inner, area, ck);
            quote!(std::collections::BTreeMap<String, #i>)
        }
        TypeExpr::Named(n) => {
            let ident = format_ident!("{}", n);
            match ck.types.get(n) {
                Some(info) if info.area != area => {
                    let m = format_ident!("{}", info.area);
                    quote!(super::#m::#ident)
                }
                _ => quote!(#ident),
            }
        }
    }
}

/// Parsed type of a field (validation already guaranteed it parses).
pub fn field_type(f: &Field) -> TypeExpr {
    TypeExpr::parse(&f.ty).unwrap_or(TypeExpr::Prim(Prim::Json))
}

/// How a value of this type is taken as a method argument: (parameter type, conversion).
pub fn arg_type(t: &TypeExpr, area: &str, ck: &Checked<'_>) -> (TokenStream, bool) {
    match t {
        TypeExpr::Prim(Prim::String | Prim::Id) => (quote!(impl Into<String>), true),
        _ => (rust_type(t, area, ck), false),
    }
}

/// The Rust type a field has in a struct: `Option<T>` for optional scalars, the bare
/// collection for optional lists/maps (absent = empty).
pub fn stored_type(f: &Field, area: &str, ck: &Checked<'_>) -> TokenStream {
    let t = field_type(f);
    let rt = rust_type(&t, area, ck);
    if f.required || t.is_collection() {
        rt
    } else {
        quote!(Option<#rt>)
    }
}

/// serde attributes of a stored field.
pub fn serde_attrs(f: &Field) -> TokenStream {
    let t = field_type(f);
    let ident = field_ident(f);
    let rename = if ident != f.name {
        let n = &f.name;
        quote!(rename = #n,)
    } else {
        quote!()
    };
    let extra = if t == TypeExpr::Prim(Prim::Id) {
        if f.required {
            quote!(deserialize_with = "crate::generated_interface::deserialize_id",)
        } else {
            quote!(
                default,
                skip_serializing_if = "Option::is_none",
                deserialize_with = "crate::generated_interface::deserialize_opt_id",
            )
        }
    } else if f.required {
        quote!()
    } else if t.is_collection() {
        let skip =
            if matches!(t, TypeExpr::List(_)) { "Vec::is_empty" } else { "std::collections::BTreeMap::is_empty" };
        quote!(default, skip_serializing_if = #skip,)
    } else {
        quote!(default, skip_serializing_if = "Option::is_none",)
    };
    if rename.is_empty() && extra.is_empty() {
        quote!()
    } else {
        quote!(#[serde(#rename #extra)])
    }
}

/// The doc of a field, with its wire name and default.
pub fn field_doc(f: &Field) -> TokenStream {
    let mut extra = String::new();
    if let Some(d) = &f.default {
        extra = format!("WeChat's default: `{}`.", wire_text(d));
    }
    let wire = format!("Wire name: `{}`.", f.name);
    doc_attrs(&[f.doc.as_deref(), Some(&extra), Some(&wire)])
}

/// A wire literal as text.
pub fn wire_text(v: &WireValue) -> String {
    match v {
        WireValue::Int(i) => i.to_string(),
        WireValue::Bool(b) => b.to_string(),
        WireValue::Str(s) => s.clone(),
    }
}

/// A struct of named fields with serde derives; `redact` lists fields hidden from `Debug`.
pub fn emit_struct(
    name: &syn::Ident,
    fields: &[Field],
    area: &str,
    ck: &Checked<'_>,
    docs: TokenStream,
    for_request: bool,
) -> TokenStream {
    let members = fields.iter().map(|f| {
        let ident = format_ident!("{}", field_ident(f));
        let ty = stored_type(f, area, ck);
        let serde = serde_attrs(f);
        let doc = field_doc(f);
        quote! { #doc #serde pub #ident: #ty, }
    });
    let has_secret = fields.iter().any(|f| f.secret);
    let all_optional = fields.iter().all(|f| !f.required);
    let mut derives = vec![quote!(Clone), quote!(PartialEq), quote!(serde::Serialize), quote!(serde::Deserialize)];
    if !has_secret {
        derives.insert(0, quote!(Debug));
    }
    if all_optional {
        derives.push(quote!(Default));
    }
    let non_exhaustive = if for_request { quote!() } else { quote!(#[non_exhaustive]) };
    let debug_impl = if has_secret { emit_redacted_debug(name, fields) } else { quote!() };
    let ctor = if for_request { emit_constructor(name, fields, area, ck) } else { quote!() };
    quote! {
        #docs
        #[derive(#(#derives),*)]
        #non_exhaustive
        pub struct #name { #(#members)* }
        #debug_impl
        #ctor
    }
}

fn emit_redacted_debug(name: &syn::Ident, fields: &[Field]) -> TokenStream {
    let name_str = name.to_string();
    let entries = fields.iter().map(|f| {
        let ident = format_ident!("{}", field_ident(f));
        let label = field_ident(f);
        if f.secret {
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
fn emit_constructor(name: &syn::Ident, fields: &[Field], area: &str, ck: &Checked<'_>) -> TokenStream {
    let mut params = Vec::new();
    let mut inits = Vec::new();
    let mut setters = Vec::new();
    for f in fields {
        let ident = format_ident!("{}", field_ident(f));
        let t = field_type(f);
        let (pty, into) = arg_type(&t, area, ck);
        let value = if into { quote!(#ident.into()) } else { quote!(#ident) };
        if f.required {
            params.push(quote!(#ident: #pty));
            inits.push(if into { quote!(#ident: #value) } else { quote!(#ident) });
        } else {
            let setter = format_ident!("with_{}", field_ident(f));
            let doc = field_doc(f);
            let stored = if t.is_collection() { value.clone() } else { quote!(Some(#value)) };
            setters.push(quote! {
                #doc
                #[must_use]
                pub fn #setter(mut self, #ident: #pty) -> Self { self.#ident = #stored; self }
            });
            inits.push(if t.is_collection() { quote!(#ident: Default::default()) } else { quote!(#ident: None) });
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
pub fn emit_named(t: &TypeDef, area: &str, ck: &Checked<'_>) -> TokenStream {
    let name = format_ident!("{}", t.name);
    let docs = doc_attrs(&[t.doc.as_deref()]);
    match t.kind {
        TypeKind::Struct => {
            let for_request = ck.types.get(&t.name).is_some_and(|i| i.in_request);
            emit_struct(&name, &t.fields, area, ck, docs, for_request)
        }
        TypeKind::StringEnum => emit_string_enum(&name, t, docs),
        TypeKind::IntEnum => emit_int_enum(&name, t, docs),
    }
}

fn emit_string_enum(name: &syn::Ident, t: &TypeDef, docs: TokenStream) -> TokenStream {
    let variants = t.values.iter().map(|v| {
        let ident = format_ident!("{}", v.name);
        let doc = doc_attrs(&[v.doc.as_deref(), Some(&format!("Wire value: `{}`.", wire_text(&v.wire)))]);
        quote!(#doc #ident,)
    });
    let to_wire = t.values.iter().map(|v| {
        let ident = format_ident!("{}", v.name);
        let w = wire_text(&v.wire);
        quote!(#name::#ident => #w,)
    });
    let from_wire = t.values.iter().map(|v| {
        let ident = format_ident!("{}", v.name);
        let w = wire_text(&v.wire);
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

fn emit_int_enum(name: &syn::Ident, t: &TypeDef, docs: TokenStream) -> TokenStream {
    let ints: Vec<(syn::Ident, Literal, &Option<String>)> = t
        .values
        .iter()
        .map(|v| {
            let i = match v.wire {
                WireValue::Int(i) => i,
                _ => 0,
            };
            (format_ident!("{}", v.name), Literal::i64_unsuffixed(i), &v.doc)
        })
        .collect();
    let variants = ints.iter().map(|(ident, lit, doc)| {
        let d = doc_attrs(&[doc.as_deref(), Some(&format!("Wire value: `{lit}`."))]);
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
