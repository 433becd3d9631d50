//! One test per validation rule: a broken spec is rejected with a message naming the file,
//! the endpoint or type, and the field.

use wechat_oa_codegen::{generate, Source};

const GOOD_ENDPOINT: &str = r#"
  - name: info
    summary: 获取用户基本信息 (get user info)
    doc_url: https://developers.weixin.qq.com/doc/service/api/usermanage/userinfo/api_userinfo.html
    method: GET
    path: /cgi-bin/user/info
    idempotent: true
    query:
      - { name: openid, type: string, required: true }
"#;

fn area(body: &str) -> String {
    format!("area: user\ntitle: users\n{body}")
}

/// Runs the generator on one file `user.yaml` and returns all problems as text.
fn problems(text: &str) -> String {
    problems_in(&[("user.yaml", text)])
}

fn problems_in(files: &[(&str, &str)]) -> String {
    let sources: Vec<Source> = files.iter().map(|(n, t)| Source { name: n.to_string(), text: t.to_string() }).collect();
    match generate("spec", &sources) {
        Ok(_) => panic!("expected the spec to be rejected"),
        Err(d) => d.to_string(),
    }
}

fn assert_has(all: &str, expected: &str) {
    assert!(all.contains(expected), "expected a problem containing\n  {expected}\ngot:\n{all}");
}

#[test]
fn a_valid_spec_generates() {
    let text = area(&format!("endpoints:{GOOD_ENDPOINT}"));
    let files = generate("spec", &[Source { name: "user.yaml".into(), text }]).expect("valid");
    assert!(files.contains_key("user.rs") && files.contains_key("mod.rs") && files.contains_key("errors.rs"));
}

#[test]
fn unknown_key_in_a_field_names_endpoint_and_field() {
    let text = area(&format!("endpoints:{}", GOOD_ENDPOINT.replace("required: true", "requird: true")));
    assert_has(&problems(&text), "spec/user.yaml: endpoint info: query field openid: unknown field `requird`");
}

#[test]
fn unknown_key_in_an_endpoint_names_it() {
    let text =
        area(&format!("endpoints:{}", GOOD_ENDPOINT.replace("idempotent: true", "idempotent: true\n    retry: 3")));
    assert_has(&problems(&text), "spec/user.yaml: endpoint info: unknown field `retry`");
}

#[test]
fn unknown_type_reference_is_reported_with_suggestions() {
    let text = area(&format!(
        "types:\n  - name: Lang\n    kind: string_enum\n    values: [{{ wire: en, name: En }}]\nendpoints:{}",
        GOOD_ENDPOINT.replace("required: true }", "required: true }\n      - { name: lang, type: Lng }")
    ));
    assert_has(&problems(&text), "spec/user.yaml: endpoint info: query field lang: unknown type Lng (known: Lang)");
}

#[test]
fn duplicate_endpoint_names_are_rejected() {
    let text = area(&format!("endpoints:{GOOD_ENDPOINT}{GOOD_ENDPOINT}"));
    assert_has(&problems(&text), "spec/user.yaml: endpoint info: duplicate endpoint name");
}

#[test]
fn duplicate_type_names_across_files_are_rejected() {
    let t = "types:\n  - name: Lang\n    kind: string_enum\n    values: [{ wire: en, name: En }]\n";
    let a = format!("area: user\ntitle: u\n{t}");
    let b = format!("area: tags\ntitle: t\n{t}");
    assert_has(&problems_in(&[("tags.yaml", &b), ("user.yaml", &a)]), "type Lang: duplicate type name");
}

#[test]
fn a_get_with_a_body_is_rejected() {
    let text = area(&format!(
        "endpoints:{}",
        GOOD_ENDPOINT.replace("idempotent: true", "idempotent: true\n    body: { kind: json, fields: [] }")
    ));
    assert_has(&problems(&text), "spec/user.yaml: endpoint info: a GET endpoint cannot have a body");
}

#[test]
fn a_path_without_leading_slash_is_rejected() {
    let text = area(&format!("endpoints:{}", GOOD_ENDPOINT.replace("path: /cgi-bin", "path: cgi-bin")));
    assert_has(&problems(&text), "endpoint info: path `cgi-bin/user/info` must start with `/`");
}

#[test]
fn an_enum_without_values_is_rejected() {
    let text = area("types:\n  - name: Lang\n    kind: string_enum\n");
    assert_has(&problems(&text), "spec/user.yaml: type Lang: an enum needs at least one value");
}

#[test]
fn a_required_field_with_a_default_is_rejected() {
    let text =
        area(&format!("endpoints:{}", GOOD_ENDPOINT.replace("required: true }", "required: true, default: x }")));
    assert_has(&problems(&text), "endpoint info: query field openid: a required field cannot have a default");
}

#[test]
fn a_rust_keyword_needs_a_rust_name() {
    let text = area(&format!("endpoints:{}", GOOD_ENDPOINT.replace("name: openid", "name: type")));
    assert_has(&problems(&text), "endpoint info: query field type: `type` is a Rust keyword: add `rust_name:`");
}

#[test]
fn file_parts_only_in_multipart_bodies() {
    let text = area(&format!("endpoints:{}", GOOD_ENDPOINT.replace("type: string, required", "type: file, required")));
    assert_has(&problems(&text), "query field openid: `file` is only allowed as a multipart body part");
}

#[test]
fn missing_doc_url_and_idempotent_are_reported() {
    let text = area(&format!(
        "endpoints:{}",
        GOOD_ENDPOINT
            .replace(
                "    doc_url: https://developers.weixin.qq.com/doc/service/api/usermanage/userinfo/api_userinfo.html\n",
                ""
            )
            .replace("    idempotent: true\n", "")
    ));
    let all = problems(&text);
    assert_has(&all, "endpoint info: doc_url is missing");
    assert_has(&all, "endpoint info: idempotent is missing");
}

#[test]
fn the_area_must_match_the_file_name() {
    let text = format!("area: users\ntitle: u\nendpoints:{GOOD_ENDPOINT}");
    assert_has(&problems(&text), "spec/user.yaml: area: `users` must equal the file name `user`");
}

#[test]
fn a_token_role_needs_its_response_fields() {
    let text = area(&format!(
        "endpoints:{}",
        GOOD_ENDPOINT.replace("idempotent: true", "idempotent: true\n    role: access_token")
    ));
    let all = problems(&text);
    assert_has(&all, "endpoint info: role AccessToken needs a required string response field `access_token`");
    assert_has(&all, "endpoint info: a token role endpoint cannot have required arguments");
}

#[test]
fn a_type_name_clashing_with_a_generated_name_is_rejected() {
    let text =
        area(&format!("types:\n  - name: InfoResponse\n    kind: struct\n    fields: []\nendpoints:{GOOD_ENDPOINT}"));
    assert_has(&problems(&text), "type InfoResponse: name clashes with the type generated for endpoint info");
}

#[test]
fn invalid_yaml_names_the_file() {
    assert_has(&problems("area: [unclosed"), "spec/user.yaml: not valid YAML");
}

#[test]
fn all_problems_are_reported_at_once() {
    let text = area(&format!(
        "endpoints:{}",
        GOOD_ENDPOINT.replace("path: /cgi-bin", "path: cgi-bin").replace("type: string", "type: strnig")
    ));
    let all = problems(&text);
    assert_has(&all, "must start with `/`");
    assert_has(&all, "`strnig` is not a type");
}
