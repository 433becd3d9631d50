//! One test per rule of `limits:` and `date_span:`: each refused spec names file, endpoint or
//! type, and field.

use wechat_oa_codegen::{generate, Source};

fn area(field: &str, extra: &str) -> String {
    format!(
        r#"area: user
title: users
types:
  - name: Item
    kind: struct
    fields:
      - {{ name: code, type: string, limits: {{ max_items: 3 }} }}
endpoints:
  - name: send
    summary: s
    doc_url: https://developers.weixin.qq.com/doc/service/api/x.html
    method: POST
    path: /cgi-bin/x
    idempotent: false
{extra}    body:
      kind: json
      fields:
        - {field}
        - {{ name: begin_date, type: string, required: true }}
        - {{ name: end_date, type: string, required: true }}
        - {{ name: maybe_date, type: string }}
    response:
      fields:
        - {{ name: total, type: i64, limits: {{ max: 3 }} }}
"#
    )
}

fn problems(field: &str, extra: &str) -> String {
    let sources = vec![
        Source { name: "user.yaml".into(), text: area(field, extra) },
        Source { name: "examples/user.yaml".into(), text: "send:\n  example_missing: a test\n".into() },
    ];
    match generate("spec", &sources) {
        Ok(_) => panic!("expected the spec to be rejected"),
        Err(d) => d.to_string(),
    }
}

fn has(all: &str, expected: &str) {
    assert!(all.contains(expected), "expected a problem containing\n  {expected}\ngot:\n{all}");
}

const LIST: &str = r#"{ name: openid_list, type: "list<string>", limits: { max_items: 20 } }"#;

#[test]
fn item_counts_need_a_list() {
    has(
        &problems(LIST, ""),
        "spec/user.yaml: type Item: field code: `min_items`/`max_items` need a list or map, not string",
    );
}

#[test]
fn a_response_field_cannot_have_limits() {
    has(&problems(LIST, ""), "spec/user.yaml: endpoint send: response field total: `limits` apply to what is sent");
}

#[test]
fn character_and_byte_counts_need_a_string() {
    let all = problems(r#"{ name: n, type: i64, limits: { max_chars: 3 } }"#, "");
    has(&all, "spec/user.yaml: endpoint send: body field n: `max_chars`/`max_bytes` need a string, not i64");
}

#[test]
fn ranges_need_an_integer() {
    let all = problems(r#"{ name: n, type: string, limits: { min: 1 } }"#, "");
    has(&all, "spec/user.yaml: endpoint send: body field n: `min`/`max` need an integer, not string");
}

#[test]
fn a_minimum_above_the_maximum_is_refused() {
    let all = problems(r#"{ name: l, type: "list<string>", limits: { min_items: 5, max_items: 2 } }"#, "");
    has(&all, "body field l: min_items 5 is more than max_items 2");
    let all = problems(r#"{ name: n, type: i32, limits: { min: 5, max: 2 } }"#, "");
    has(&all, "body field n: min 5 is more than max 2");
}

#[test]
fn limits_must_name_a_limit() {
    has(&problems(r#"{ name: n, type: i32, limits: { errcode: 1 } }"#, ""), "body field n: `limits` names no limit");
}

#[test]
fn a_field_the_sdk_fills_has_no_limits() {
    let all = problems(r#"{ name: t, type: string, value: text, limits: { max_chars: 3 } }"#, "");
    has(&all, "body field t: `limits` on a field the SDK fills itself");
}

#[test]
fn an_unknown_limit_key_is_refused() {
    let all = problems(r#"{ name: n, type: i32, limits: { maximum: 3 } }"#, "");
    has(&all, "spec/user.yaml: endpoint send: body field n: unknown field `maximum`");
}

#[test]
fn a_date_span_names_two_required_string_fields() {
    let all = problems(LIST, "    date_span: { begin: begin_date, end: finish, max_days: 7 }\n");
    has(&all, "spec/user.yaml: endpoint send: date_span names finish, which is not a request field");
    let all = problems(LIST, "    date_span: { begin: maybe_date, end: end_date, max_days: 7 }\n");
    has(&all, "date_span field maybe_date must be a required string");
    let all = problems(LIST, "    date_span: { begin: begin_date, end: end_date, max_days: 0 }\n");
    has(&all, "date_span max_days must be at least 1");
}

#[test]
fn callback_fields_have_no_limits() {
    let callbacks = "title: cb\nmessages:\n  - { wire: text, name: Text, summary: s, fields: [{ name: Content, type: string, required: true, limits: { max_chars: 3 } }] }\n";
    let sources = vec![Source { name: "callbacks.yaml".into(), text: callbacks.into() }];
    let all = generate("spec", &sources).map(|_| ()).map_err(|d| d.to_string()).expect_err("refused");
    has(&all, "spec/callbacks.yaml: callback Text: field Content: `limits` are for HTTP request fields");
}
