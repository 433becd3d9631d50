//! The official examples as tests: one `#[cfg(test)]` function per example half, in the
//! endpoint's area module, calling the runtime's checks (`generated_interface::examples`).
//! Reads only the IR ([`ExampleIr`](crate::ir::ExampleIr)).

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::rust_type;
use crate::ir::{AreaIr, BodyIr, EndpointIr, FieldIr, Input, ResponseIr};
use crate::model::WireValue;

/// `(wire name, JSON text)` of the constants a request always carries.
fn constants(fields: &[FieldIr]) -> TokenStream {
    let pairs = fields.iter().filter_map(|f| match &f.input {
        Input::Const(v) => {
            let json = match v {
                WireValue::Str(s) => serde_json::Value::String(s.clone()).to_string(),
                WireValue::Int(i) => i.to_string(),
                WireValue::Bool(b) => b.to_string(),
            };
            let wire = &f.wire;
            Some(quote!((#wire, #json)))
        }
        _ => None,
    });
    quote!(&[#(#pairs),*])
}

fn one(ep: &EndpointIr) -> Vec<TokenStream> {
    let Some(ex) = &ep.example else { return Vec::new() };
    let name = &ep.full_name;
    let mut tests = Vec::new();
    let mut test = |suffix: &str, call: TokenStream| {
        let f = format_ident!("official_example_{}_{}", ep.method_name, suffix);
        tests.push(quote! {
            #[cfg(test)]
            #[test]
            fn #f() { #call }
        });
    };
    if let (Some(q), Some(query)) = (&ex.query, &ep.query) {
        let ty = format_ident!("{}", query.name);
        let consts = constants(&query.fields);
        test("query", quote!(crate::generated_interface::examples::query::<#ty>(#name, #q, #consts);));
    }
    for (label, b) in &ex.bodies {
        let suffix = if label.is_empty() { "body".to_string() } else { format!("body_{label}") };
        let (ty, consts) = match &ep.body {
            BodyIr::Json(s) => {
                let ty = format_ident!("{}", s.name);
                (quote!(#ty), constants(&s.fields))
            }
            BodyIr::Named(t) => (rust_type(t), quote!(&[])),
            BodyIr::None | BodyIr::Multipart(_) => continue,
        };
        test(&suffix, quote!(crate::generated_interface::examples::body::<#ty>(#name, #b, #consts);));
    }
    if let Some(r) = &ex.response {
        let skip = &ex.unmodelled;
        let call = match &ep.response {
            ResponseIr::Unit => {
                quote!(crate::generated_interface::examples::response_without_fields(#name, #r, &[#(#skip),*]);)
            }
            ResponseIr::Named(t) => {
                let ty = rust_type(t);
                quote!(crate::generated_interface::examples::response::<#ty>(#name, #r, &[#(#skip),*]);)
            }
            ResponseIr::Fields(s) => {
                let ty = format_ident!("{}", s.name);
                quote!(crate::generated_interface::examples::response::<#ty>(#name, #r, &[#(#skip),*]);)
            }
        };
        test("response", call);
    }
    tests
}

/// Every example test of an area.
pub fn emit_example_tests(area: &AreaIr) -> TokenStream {
    let tests = area.endpoints.iter().flat_map(one);
    quote!(#(#tests)*)
}
