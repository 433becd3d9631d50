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
    let examples = Source { name: "examples/user.yaml".into(), text: "info:\n  example_missing: a fixture\n".into() };
    let files = generate("spec", &[Source { name: "user.yaml".into(), text }, examples]).expect("valid");
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

// ---- Every other rule, one test each. `rejects!` names the test, the spec and what the
// message must contain (file, place, field and the rule).

/// An endpoint `name` with the required keys, then `extra` (YAML lines indented 4 spaces).
fn ep(name: &str, method: &str, extra: &str) -> String {
    format!(
        "  - name: {name}\n    summary: s\n    doc_url: https://developers.weixin.qq.com/x\n    method: {method}\n    path: /cgi-bin/x\n    idempotent: true\n{extra}"
    )
}

fn endpoints(list: &[String]) -> String {
    area(&format!("endpoints:\n{}", list.concat()))
}

fn types(yaml: &str) -> String {
    area(&format!("types:\n{yaml}"))
}

fn callbacks(yaml: &str) -> String {
    problems_in(&[("callbacks.yaml", &format!("title: cb\n{yaml}"))])
}

fn errors(yaml: &str) -> String {
    problems_in(&[("errors.yaml", &format!("errors:\n{yaml}"))])
}

macro_rules! rejects {
    ($name:ident, $problems:expr, $($expected:expr),+ $(,)?) => {
        #[test]
        fn $name() {
            let all = $problems;
            $(assert_has(&all, $expected);)+
        }
    };
}

// Area files.
rejects!(
    an_area_name_must_be_snake_case,
    problems_in(&[("User.yaml", "area: User\ntitle: u\n")]),
    "spec/User.yaml: area: `User` must be snake_case and not a Rust keyword"
);
rejects!(
    an_area_needs_a_title,
    problems(&area("").replace("title: users", "title: \" \"")),
    "spec/user.yaml: title: must not be empty"
);

// Endpoints.
rejects!(
    endpoint_names_colliding_after_case_conversion_are_rejected,
    problems(&endpoints(&[ep("get_x", "GET", ""), ep("get_X", "GET", "")])),
    "spec/user.yaml: endpoint get_X: name collides with another endpoint after case conversion"
);
rejects!(
    an_endpoint_name_must_be_snake_case,
    problems(&endpoints(&[ep("getX", "GET", "")])),
    "spec/user.yaml: endpoint getX: endpoint names must be snake_case and not a Rust keyword"
);
rejects!(
    an_endpoint_needs_a_summary,
    problems(&endpoints(&[ep("x", "GET", "")]).replace("summary: s", "summary: \" \"")),
    "spec/user.yaml: endpoint x: summary must not be empty"
);
rejects!(
    a_doc_url_must_be_https,
    problems(&endpoints(&[ep("x", "GET", "")]).replace("https://developers", "http://developers")),
    "spec/user.yaml: endpoint x: doc_url must be an https:// link"
);
rejects!(
    a_path_must_not_carry_a_query,
    problems(&endpoints(&[ep("x", "GET", "")]).replace("/cgi-bin/x", "/cgi-bin/x?a=1")),
    "spec/user.yaml: endpoint x: path must not contain a query, fragment or spaces"
);
rejects!(
    the_same_rust_name_in_query_and_body_is_rejected,
    problems(&endpoints(&[ep(
        "x",
        "POST",
        "    query: [{ name: a, type: string }]\n    body: { kind: json, fields: [{ name: a, type: string }] }\n"
    )])),
    "spec/user.yaml: endpoint x: field a: the same Rust name appears in query and body"
);
rejects!(
    a_field_named_like_a_builder_method_needs_a_rust_name,
    problems(&endpoints(&[ep("x", "GET", "    query: [{ name: send, type: string }]\n")])),
    "spec/user.yaml: endpoint x: field send: `send`, `url` and `new` are builder methods"
);
rejects!(
    a_response_with_type_and_fields_is_rejected,
    problems(&area(&format!(
        "types:\n  - {{ name: R, kind: struct, fields: [] }}\nendpoints:\n{}",
        ep("x", "GET", "    response: { type: R, fields: [{ name: a, type: string }] }\n")
    ))),
    "spec/user.yaml: endpoint x: response has both `type` and `fields`; use one"
);
rejects!(
    a_url_response_needs_a_get_without_body,
    problems(&endpoints(&[ep("x", "POST", "    body: { kind: json, fields: [] }\n    response: { kind: url }\n")])),
    "spec/user.yaml: endpoint x: a `url` response needs a GET without body"
);
rejects!(
    a_url_response_has_no_fields,
    problems(&endpoints(&[ep("x", "GET", "    response: { kind: url, fields: [{ name: a, type: string }] }\n")])),
    "spec/user.yaml: endpoint x: a `url` response has no fields"
);
rejects!(
    a_binary_response_has_no_fields,
    problems(&endpoints(&[ep("x", "GET", "    response: { kind: binary, fields: [{ name: a, type: string }] }\n")])),
    "spec/user.yaml: endpoint x: a `binary` response has no fields"
);
rejects!(
    a_fragment_needs_a_url_response,
    problems(&endpoints(&[ep("x", "GET", "    fragment: f\n")])),
    "spec/user.yaml: endpoint x: `fragment` is only for `url` responses"
);
rejects!(
    auth_access_token_forbids_an_access_token_field,
    problems(&endpoints(&[ep("x", "GET", "    query: [{ name: access_token, type: string }]\n")])),
    "spec/user.yaml: endpoint x: auth access_token adds `access_token` itself"
);
rejects!(
    auth_user_token_needs_a_secret_access_token_field,
    problems(&endpoints(&[ep(
        "x",
        "GET",
        "    auth: user_token\n    query: [{ name: access_token, type: string }]\n"
    )])),
    "spec/user.yaml: endpoint x: auth user_token needs a field `access_token` with `secret: true`"
);
rejects!(
    from_secret_needs_auth_app_secret,
    problems(&endpoints(&[ep(
        "x",
        "GET",
        "    auth: none\n    query: [{ name: secret, type: string, from: secret }]\n"
    )])),
    "spec/user.yaml: endpoint x: field secret: `from: secret` needs `auth: app_secret`"
);
rejects!(a_role_endpoint_needs_expires_in,
    problems(&endpoints(&[ep("x", "GET", "    auth: none\n    role: access_token\n    response: { fields: [{ name: access_token, type: string, required: true }] }\n")])),
    "spec/user.yaml: endpoint x: a role endpoint needs a required i64 response field `expires_in`");
rejects!(a_ticket_role_needs_one_string_enum_argument,
    problems(&endpoints(&[ep("x", "GET", "    role: ticket\n    response: { fields: [{ name: ticket, type: string, required: true }, { name: expires_in, type: i64, required: true }] }\n")])),
    "spec/user.yaml: endpoint x: a ticket role endpoint needs exactly one required argument, a string_enum");
rejects!(a_stable_token_role_needs_force_refresh,
    problems(&endpoints(&[ep("x", "POST", "    auth: none\n    role: stable_token\n    body: { kind: json, fields: [] }\n    response: { fields: [{ name: access_token, type: string, required: true }, { name: expires_in, type: i64, required: true }] }\n")])),
    "spec/user.yaml: endpoint x: role stable_token needs an optional bool field `force_refresh`");
rejects!(
    a_multipart_body_lists_fields_not_a_type,
    problems(&area(&format!(
        "types:\n  - {{ name: B, kind: struct, fields: [] }}\nendpoints:\n{}",
        ep("x", "POST", "    body: { kind: multipart, type: B }\n")
    ))),
    "spec/user.yaml: endpoint x: a multipart body lists its parts as `fields`, not `type`"
);
rejects!(
    a_body_with_type_and_fields_is_rejected,
    problems(&area(&format!(
        "types:\n  - {{ name: B, kind: struct, fields: [] }}\nendpoints:\n{}",
        ep("x", "POST", "    body: { kind: json, type: B, fields: [{ name: a, type: string }] }\n")
    ))),
    "spec/user.yaml: endpoint x: body has both `type` and `fields`; use one"
);
rejects!(
    a_body_type_must_exist,
    problems(&endpoints(&[ep("x", "POST", "    body: { kind: json, type: Nope }\n")])),
    "spec/user.yaml: endpoint x: body: unknown type Nope"
);
rejects!(
    a_response_type_must_be_a_struct,
    problems(&area(&format!(
        "types:\n  - {{ name: E, kind: string_enum, values: [{{ wire: a, name: A }}] }}\nendpoints:\n{}",
        ep("x", "GET", "    response: { type: E }\n")
    ))),
    "spec/user.yaml: endpoint x: response: E must be a struct"
);

// Fields.
rejects!(
    an_unparsable_type_names_the_field,
    problems(&endpoints(&[ep("x", "GET", "    query: [{ name: a, type: strnig }]\n")])),
    "spec/user.yaml: endpoint x: query field a: `strnig` is not a type"
);
rejects!(
    an_unclosed_container_type_names_the_field,
    problems(&endpoints(&[ep(
        "x",
        "POST",
        "    body: { kind: json, fields: [{ name: a, type: \"list<string\" }] }\n"
    )])),
    "spec/user.yaml: endpoint x: body field a: type `list<string` is missing its closing `>`"
);
rejects!(
    a_rust_name_must_be_snake_case,
    problems(&endpoints(&[ep("x", "GET", "    query: [{ name: a, rust_name: Abc, type: string }]\n")])),
    "spec/user.yaml: endpoint x: query field a: Rust name `Abc` must be snake_case"
);
rejects!(
    a_rust_name_used_twice_is_rejected,
    problems(&endpoints(&[ep(
        "x",
        "GET",
        "    query: [{ name: a, type: string }, { name: b, rust_name: a, type: string }]\n"
    )])),
    "spec/user.yaml: endpoint x: query field b: Rust name `a` is used twice here"
);
rejects!(
    a_duplicate_field_name_is_rejected,
    problems(&endpoints(&[ep(
        "x",
        "GET",
        "    query: [{ name: a, type: string }, { name: a, rust_name: b, type: string }]\n"
    )])),
    "spec/user.yaml: endpoint x: query field a: duplicate field name"
);
rejects!(
    item_is_only_for_callbacks,
    problems(&types("  - { name: S, kind: struct, fields: [{ name: a, type: \"list<string>\", item: i }] }\n")),
    "spec/user.yaml: type S: field a: `item` is only for XML lists in callbacks.yaml"
);
rejects!(
    value_and_from_exclude_each_other,
    problems(&endpoints(&[ep(
        "x",
        "GET",
        "    auth: app_secret\n    query: [{ name: a, type: string, value: v, from: appid }]\n"
    )])),
    "spec/user.yaml: endpoint x: query field a: `value` and `from` exclude each other"
);
rejects!(
    value_is_only_for_requests,
    problems(&endpoints(&[ep("x", "GET", "    response: { fields: [{ name: a, type: string, value: v }] }\n")])),
    "spec/user.yaml: endpoint x: response field a: `value`/`from` are only for query and body fields"
);
rejects!(
    query_parameters_must_be_scalars,
    problems(&endpoints(&[ep("x", "GET", "    query: [{ name: a, type: \"list<string>\" }]\n")])),
    "spec/user.yaml: endpoint x: query field a: query parameters must be primitives or enums"
);
rejects!(
    a_constant_needs_a_primitive_type,
    problems(&endpoints(&[ep(
        "x",
        "POST",
        "    body: { kind: json, fields: [{ name: a, type: \"list<string>\", value: v }] }\n"
    )])),
    "spec/user.yaml: endpoint x: body field a: a constant `value` needs a primitive type"
);
rejects!(
    a_from_field_must_be_a_string,
    problems(&endpoints(&[ep("x", "GET", "    query: [{ name: a, type: i64, from: appid }]\n")])),
    "spec/user.yaml: endpoint x: query field a: a `from` field must be a string"
);

// Named types.
rejects!(
    a_type_name_must_be_upper_camel_case,
    problems(&types("  - { name: lang, kind: struct, fields: [] }\n")),
    "spec/user.yaml: type lang: type names must be UpperCamelCase"
);
rejects!(
    a_struct_has_no_values,
    problems(&types("  - { name: S, kind: struct, values: [{ wire: a, name: A }] }\n")),
    "spec/user.yaml: type S: a struct has `fields`, not `values`"
);
rejects!(
    a_struct_cannot_contain_itself,
    problems(&types("  - { name: S, kind: struct, fields: [{ name: s, type: S }] }\n")),
    "spec/user.yaml: type S: field s: a struct cannot contain itself directly"
);
rejects!(
    an_enum_has_no_fields,
    problems(&types(
        "  - { name: E, kind: string_enum, values: [{ wire: a, name: A }], fields: [{ name: a, type: string }] }\n"
    )),
    "spec/user.yaml: type E: an enum has `values`, not `fields`"
);
rejects!(
    a_variant_cannot_be_named_other,
    problems(&types("  - { name: E, kind: string_enum, values: [{ wire: a, name: Other }] }\n")),
    "spec/user.yaml: type E: value Other: variant names must be UpperCamelCase and not `Other`"
);
rejects!(
    a_duplicate_variant_name_is_rejected,
    problems(&types("  - { name: E, kind: string_enum, values: [{ wire: a, name: A }, { wire: b, name: A }] }\n")),
    "spec/user.yaml: type E: value A: duplicate variant name"
);
rejects!(
    an_int_enum_needs_integer_wire_values,
    problems(&types("  - { name: E, kind: int_enum, values: [{ wire: a, name: A }] }\n")),
    "spec/user.yaml: type E: value A: wire value must be a string in a string_enum and an integer in an int_enum"
);
rejects!(
    a_duplicate_wire_value_is_rejected,
    problems(&types("  - { name: E, kind: int_enum, values: [{ wire: 1, name: A }, { wire: 1, name: B }] }\n")),
    "spec/user.yaml: type E: value B: duplicate wire value"
);

// errors.yaml.
rejects!(
    a_duplicate_error_name_is_rejected,
    errors("  - { code: 1, name: A, doc: a }\n  - { code: 2, name: A, doc: b }\n"),
    "spec/errors.yaml: error 2: duplicate name A"
);
rejects!(
    a_duplicate_error_code_is_rejected,
    errors("  - { code: 1, name: A, doc: a }\n  - { code: 1, name: B, doc: b }\n"),
    "spec/errors.yaml: error 1: duplicate code"
);
rejects!(
    an_error_cannot_be_named_other,
    errors("  - { code: 1, name: Other, doc: a }\n"),
    "spec/errors.yaml: error 1: name `Other` must be UpperCamelCase and not `Other`"
);
rejects!(
    errcode_zero_is_not_an_error,
    errors("  - { code: 0, name: Ok, doc: a }\n"),
    "spec/errors.yaml: error 0: 0 means success and is not an error code"
);

// callbacks.yaml.
const CB_TEXT: &str = "  - { wire: text, name: Text, summary: s, fields: [{ name: Content, type: string }] }\n";
rejects!(
    callback_types_are_structs,
    callbacks("types:\n  - { name: E, kind: string_enum, values: [{ wire: a, name: A }] }\n"),
    "spec/callbacks.yaml: type E: callback types are XML elements: only `kind: struct`"
);
rejects!(
    callback_type_names_are_unique,
    callbacks("types:\n  - { name: T, kind: struct, fields: [] }\n  - { name: T, kind: struct, fields: [] }\n"),
    "spec/callbacks.yaml: type T: type names must be UpperCamelCase and unique"
);
rejects!(
    a_callback_cannot_be_named_unknown,
    callbacks("events:\n  - { wire: x, name: Unknown, summary: s }\n"),
    "spec/callbacks.yaml: event Unknown: names must be UpperCamelCase and not `Unknown`"
);
rejects!(
    a_duplicate_callback_name_is_rejected,
    callbacks(&format!("messages:\n{CB_TEXT}  - {{ wire: text2, name: Text, summary: s }}\n")),
    "spec/callbacks.yaml: message Text: duplicate message name"
);
rejects!(
    a_duplicate_callback_wire_value_is_rejected,
    callbacks("replies:\n  - { wire: text, name: A, summary: s }\n  - { wire: TEXT, name: B, summary: s }\n"),
    "spec/callbacks.yaml: reply B: duplicate wire value `TEXT`"
);
rejects!(
    a_callback_clashing_with_a_type_is_rejected,
    callbacks(&format!("types:\n  - {{ name: TextMessage, kind: struct, fields: [] }}\nmessages:\n{CB_TEXT}")),
    "spec/callbacks.yaml: message Text: clashes with type TextMessage"
);
rejects!(
    a_callback_needs_a_summary,
    callbacks("messages:\n  - { wire: text, name: Text, summary: \" \" }\n"),
    "spec/callbacks.yaml: message Text: summary must not be empty"
);
rejects!(a_callback_field_cannot_be_a_keyword,
    callbacks("messages:\n  - { wire: text, name: Text, summary: s, fields: [{ name: Type, rust_name: type, type: string }] }\n"),
    "spec/callbacks.yaml: message Text: field Type: `type` is a Rust keyword: add `rust_name:`");
rejects!(a_callback_rust_name_used_twice_is_rejected,
    callbacks("events:\n  - { wire: e, name: E, summary: s, fields: [{ name: A, rust_name: x, type: string }, { name: B, rust_name: x, type: string }] }\n"),
    "spec/callbacks.yaml: event E: field B: Rust name `x` is used twice here");
rejects!(
    callback_header_fields_are_not_listed,
    callbacks("messages:\n  - { wire: text, name: Text, summary: s, fields: [{ name: MsgType, type: string }] }\n"),
    "spec/callbacks.yaml: message Text: field MsgType: header fields are parsed by the runtime"
);
rejects!(
    json_only_keys_do_not_apply_to_xml_fields,
    callbacks(
        "replies:\n  - { wire: text, name: Text, summary: s, fields: [{ name: Content, type: string, default: x }] }\n"
    ),
    "spec/callbacks.yaml: reply Text: field Content: `value`, `from` and `default` do not apply to XML fields"
);
rejects!(
    a_callback_field_needs_an_xml_type,
    callbacks("types:\n  - { name: T, kind: struct, fields: [{ name: A, type: bool }] }\n"),
    "spec/callbacks.yaml: type T: field A: type `bool` is not an XML field type"
);
rejects!(
    a_callback_field_of_an_unknown_type_is_rejected,
    callbacks("events:\n  - { wire: e, name: E, summary: s, fields: [{ name: A, type: \"list<Missing>\" }] }\n"),
    "spec/callbacks.yaml: event E: field A: type `list<Missing>` is not an XML field type"
);
rejects!(
    item_only_applies_to_lists,
    callbacks(
        "messages:\n  - { wire: text, name: Text, summary: s, fields: [{ name: Content, type: string, item: i }] }\n"
    ),
    "spec/callbacks.yaml: message Text: field Content: `item` only applies to list<..> fields"
);

// Unions.
const UNION_PAYLOADS: &str =
    "  - { name: T, kind: struct, fields: [{ name: content, type: string, required: true }] }\n";

fn union(extra: &str) -> String {
    format!("{UNION_PAYLOADS}  - name: U\n    kind: union\n{extra}")
}

fn union_use(field: &str) -> String {
    let t = union("    tag: msgtype\n    variants: [{ wire: text, name: Text, type: T }]\n");
    area(&format!(
        "types:\n{t}endpoints:\n{}",
        ep("x", "POST", &format!("    body: {{ kind: json, fields: [{field}] }}\n"))
    ))
}

rejects!(
    a_union_needs_a_tag_and_variants,
    problems(&types(&union(""))),
    "spec/user.yaml: type U: a union needs `tag`, the key naming the variant",
    "spec/user.yaml: type U: a union needs at least one variant"
);
rejects!(
    a_union_has_no_fields,
    problems(&types(&union(
        "    tag: msgtype\n    variants: [{ wire: text, name: Text, type: T }]\n    fields: [{ name: a, type: string }]\n"
    ))),
    "spec/user.yaml: type U: a union has `tag` and `variants`, not `fields` or `values`"
);
rejects!(
    only_a_union_has_a_tag,
    problems(&types("  - { name: S, kind: struct, tag: msgtype, fields: [] }\n")),
    "spec/user.yaml: type S: only a union has `tag` and `variants`"
);
rejects!(
    union_variants_need_distinct_names_and_wire_keys,
    problems(&types(&union(
        "    tag: msgtype\n    variants:\n      - { wire: text, name: Text, type: T }\n      - { wire: text, name: Text, type: T }\n"
    ))),
    "spec/user.yaml: type U: variant Text: duplicate variant name",
    "spec/user.yaml: type U: variant Text: another variant has the same wire value and key"
);
rejects!(
    a_union_payload_is_a_named_struct,
    problems(&types(&union("    tag: msgtype\n    variants: [{ wire: text, name: Text, type: Missing }]\n"))),
    "spec/user.yaml: type U: variant Text: unknown type Missing"
);
rejects!(
    a_union_payload_key_is_not_the_tag,
    problems(&types(&union("    tag: msgtype\n    variants: [{ wire: text, key: msgtype, name: Text, type: T }]\n"))),
    "spec/user.yaml: type U: variant Text: the payload key cannot be the tag"
);
rejects!(
    a_union_field_is_flattened_and_required,
    problems(&union_use("{ name: message, type: U }")),
    "spec/user.yaml: endpoint x: body field message: a union field needs `flatten: true` (it sits inline)",
    "spec/user.yaml: endpoint x: body field message: a union field must be required"
);
rejects!(
    flatten_and_accepts_are_only_for_unions,
    problems(&union_use("{ name: message, type: U, required: true, flatten: true }, { name: a, type: string, flatten: true, accepts: [Text] }")),
    "spec/user.yaml: endpoint x: body field a: `flatten` is only for a field of a union type",
    "spec/user.yaml: endpoint x: body field a: `accepts` is only for a field of a union type"
);
rejects!(
    accepts_names_variants_of_the_union,
    problems(&union_use("{ name: message, type: U, required: true, flatten: true, accepts: [Txt] }")),
    "spec/user.yaml: endpoint x: body field message: `accepts` names Txt, not a variant of U (Text)"
);
rejects!(
    a_union_key_cannot_also_be_a_field,
    problems(&union_use("{ name: message, type: U, required: true, flatten: true }, { name: msgtype, type: string }")),
    "spec/user.yaml: endpoint x: body field msgtype: the union field message (U) already writes the key `msgtype`"
);
rejects!(
    a_union_is_not_a_query_parameter,
    problems(&area(&format!(
        "types:\n{}endpoints:\n{}",
        union("    tag: msgtype\n    variants: [{ wire: text, name: Text, type: T }]\n"),
        ep("x", "GET", "    query: [{ name: m, type: U, required: true, flatten: true }]\n")
    ))),
    "spec/user.yaml: endpoint x: query field m: a union can only be a JSON field",
    "spec/user.yaml: endpoint x: query field m: query parameters must be primitives or enums"
);
rejects!(
    an_errcode_alone_goes_with_accepts,
    problems(&endpoints(&[ep(
        "x",
        "POST",
        "    body: { kind: json, fields: [{ name: a, type: string, limits: { errcode: 1 } }] }\n"
    )])),
    "spec/user.yaml: endpoint x: body field a: `limits` names no limit (an `errcode` alone only goes with `accepts` or an enum type)"
);
rejects!(
    a_missing_errcode_needs_a_required_field,
    problems(&endpoints(&[ep(
        "x",
        "POST",
        "    body: { kind: json, fields: [{ name: a, type: string, limits: { missing_errcode: 41009 } }] }\n"
    )])),
    "spec/user.yaml: endpoint x: body field a: `missing_errcode` is WeChat's answer to a required field left out; this field is optional"
);

#[test]
fn an_errcode_alone_is_an_enum_fields_answer_to_an_unknown_value() {
    let all = problems(&area(
        "types:\n  - name: E\n    kind: string_enum\n    values: [{ wire: a, name: A }]\nendpoints:\n  - name: x\n    summary: s\n    doc_url: https://developers.weixin.qq.com/doc/x\n    method: POST\n    path: /x\n    idempotent: true\n    body: { kind: json, fields: [{ name: e, type: E, required: true, limits: { errcode: 40017, missing_errcode: 41009 } }] }\n",
    ));
    // Rejected only for its missing example: the limits themselves are fine.
    assert!(all.contains("no example"), "{all}");
    assert!(!all.contains("limits"), "{all}");
}
