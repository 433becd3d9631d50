//! Parse → validate → lower → emit, each step on its own, plus the escaping of hostile doc
//! text copied from the spec.

use std::collections::BTreeMap;

use wechat_oa_codegen::ir::{ArgType, NamedIr, Presence, ResponseIr, RustType, XmlShape};
use wechat_oa_codegen::{emit, load, lower, validate, Source};

const MEDIA: &str = "area: media\ntitle: media\ntypes:\n  - name: MediaType\n    kind: string_enum\n    values: [{ wire: image, name: Image }]\n";

fn user(doc: &str) -> String {
    format!(
        "area: user\ntitle: users\ndoc: |\n{}\nendpoints:\n  - name: info\n    summary: s\n    doc_url: https://developers.weixin.qq.com/x\n    method: GET\n    path: /cgi-bin/user/info\n    idempotent: true\n    query:\n      - {{ name: openid, type: string, required: true }}\n      - {{ name: kind, type: MediaType }}\n    response:\n      fields:\n        - {{ name: tagid_list, type: \"list<i64>\" }}\n        - {{ name: headimgurl, rust_name: avatar, type: string }}\n",
        doc.lines().map(|l| format!("  {l}")).collect::<Vec<_>>().join("\n")
    )
}

const CALLBACKS: &str = "title: cb\ntypes:\n  - { name: Item, kind: struct, fields: [{ name: A, type: string, required: true }] }\nmessages:\n  - { wire: text, name: Text, summary: s, fields: [{ name: Content, type: string, required: true }, { name: Items, type: \"list<Item>\", item: item }] }\n";

fn sources(doc: &str) -> Vec<Source> {
    vec![
        Source { name: "callbacks.yaml".into(), text: CALLBACKS.into() },
        Source { name: "media.yaml".into(), text: MEDIA.into() },
        Source { name: "user.yaml".into(), text: user(doc) },
        Source { name: "examples/user.yaml".into(), text: "info:\n  example_missing: a fixture\n".into() },
    ]
}

#[test]
fn parsing_reads_the_model_without_judging_it() {
    let spec = load::load_spec("spec", &sources("plain")).expect("parses");
    assert_eq!(spec.areas.iter().map(|a| a.model.area.as_str()).collect::<Vec<_>>(), ["media", "user"]);
    assert!(spec.callbacks.is_some());
}

#[test]
fn validation_indexes_named_types_by_area() {
    let spec = load::load_spec("spec", &sources("plain")).expect("parses");
    let checked = validate::validate(&spec).expect("valid");
    assert_eq!(checked.types["MediaType"].area, "media");
    assert!(checked.types["MediaType"].in_request);
}

#[test]
fn lowering_resolves_cross_area_paths_wrapping_and_renames() {
    let spec = load::load_spec("spec", &sources("plain")).expect("parses");
    let ir = lower::lower(&validate::validate(&spec).expect("valid")).expect("lowers");
    let user = ir.areas.iter().find(|a| a.module == "user").expect("user area");
    let info = &user.endpoints[0];
    let query = info.query.as_ref().expect("query");
    let kind = &query.fields[1];
    let media_type = RustType::Path(vec!["super".into(), "media".into(), "MediaType".into()]);
    assert_eq!(kind.value, media_type);
    assert_eq!(kind.stored, RustType::Option(Box::new(media_type.clone())));
    assert_eq!(kind.arg, ArgType::Plain(media_type));
    assert_eq!(query.fields[0].arg, ArgType::Into(RustType::path("String")));
    let ResponseIr::Fields(resp) = &info.response else { panic!("a generated response struct") };
    assert_eq!(resp.fields[0].presence, Presence::Collection(wechat_oa_codegen::ir::Collection::List));
    assert_eq!(resp.fields[0].serde.skip_serializing_if, Some("Vec::is_empty"));
    assert_eq!(resp.fields[1].ident, "avatar");
    assert_eq!(resp.fields[1].serde.rename.as_deref(), Some("headimgurl"));
    let media = ir.areas.iter().find(|a| a.module == "media").expect("media area");
    assert!(matches!(&media.types[0], NamedIr::StringEnum { variants, .. } if variants[0].1 == "image"));
    let cb = ir.callbacks.as_ref().expect("callbacks");
    assert_eq!(
        cb.messages[0].def.fields[1].shape,
        XmlShape::ChildList { ty: "Item".into(), item: Some("item".into()) }
    );
}

#[test]
fn lowering_reports_an_unresolvable_type_instead_of_defaulting() {
    // Validation bypassed: the type index is empty, so `MediaType` cannot be resolved.
    let spec = load::load_spec("spec", &sources("plain")).expect("parses");
    let checked = validate::Checked { spec: &spec, types: BTreeMap::new() };
    let problems = lower::lower(&checked).expect_err("must not fall back").to_string();
    assert!(problems.contains("spec/user.yaml: endpoint info: query field kind: unknown type MediaType"), "{problems}");
}

#[test]
fn emission_reads_only_the_ir() {
    let spec = load::load_spec("spec", &sources("plain")).expect("parses");
    let mut ir = lower::lower(&validate::validate(&spec).expect("valid")).expect("lowers");
    // Change a resolved name in the IR: the emitted code follows the IR, not the spec.
    ir.areas[1].endpoints[0].method_name = "lookup".into();
    let files = emit::emit_all(&ir).expect("emits");
    assert!(files["user.rs"].contains("pub fn lookup(&self, openid: impl Into<String>) -> InfoRequest<'a>"));
    assert!(files["user.rs"].contains("kind: Option<super::media::MediaType>,"));
}

/// Every doc line (`///`, `//!`) of the generated files, without the comment marker.
fn doc_lines(doc: &str) -> Vec<String> {
    let files = wechat_oa_codegen::generate("spec", &sources(doc)).expect("valid");
    files
        .values()
        .flat_map(|f| f.lines().map(str::trim_start).map(str::to_string).collect::<Vec<_>>())
        .filter_map(|l| l.strip_prefix("///").or_else(|| l.strip_prefix("//!")).map(str::to_string))
        .collect()
}

#[test]
fn hostile_doc_text_is_escaped_in_the_emitted_doc_attributes() {
    let hostile = "Contains <a href=\"https://evil.example\">a link</a> & <b>bold</b>.\n\
                   See [x] and [`Foo`] and https://developers.weixin.qq.com/doc?a=1&b=2.\n    \
                   indented four spaces\n\
                   ```\nfn main() { panic!() }\n```\n\
                   ```rust\nlet x = 1;\n```\n\
                   Autolink kept: <https://example.com/page>";
    let lines = doc_lines(hostile);
    let module: Vec<&String> = lines
        .iter()
        .skip_while(|l| !l.contains("Contains"))
        .take_while(|l| !l.contains("Autolink kept"))
        .chain(lines.iter().filter(|l| l.contains("Autolink kept")))
        .collect();
    let text = module.iter().map(|l| l.as_str()).collect::<Vec<_>>().join("\n");
    assert!(
        text.contains(
            "Contains &lt;a href=\"<https://evil.example>\"&gt;a link&lt;/a&gt; &amp; &lt;b&gt;bold&lt;/b&gt;."
        ),
        "{text}"
    );
    assert!(text.contains(r"See \[x\] and \[`Foo`\] and <https://developers.weixin.qq.com/doc?a=1&b=2>."), "{text}");
    assert!(text.contains("\n indented four spaces\n"), "indentation dropped: {text}");
    assert!(text.contains(" ```text\n fn main() { panic!() }\n ```"), "{text}");
    assert!(text.contains(" ```text\n let x = 1;\n ```"), "a rust fence is not a doctest: {text}");
    assert!(text.contains("Autolink kept: <https://example.com/page>"), "{text}");
    // Nothing in any doc line is an HTML tag, a bare URL or an unescaped bracket outside code.
    for l in &lines {
        let outside_code: String = l.split('`').step_by(2).collect();
        let without_autolinks =
            outside_code.split('<').skip(1).all(|rest| rest.starts_with("http://") || rest.starts_with("https://"));
        assert!(without_autolinks, "an HTML tag in: {l}");
        assert!(!l.starts_with("     "), "an indented code block in: {l}");
    }
}
