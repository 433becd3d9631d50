//! One test per rule of `pages:`; each refused spec names file, endpoint and what is wrong.

use wechat_oa_codegen::{generate, Source};

fn area(pages: &str) -> String {
    format!(
        r#"area: user
title: users
types:
  - name: Page
    kind: struct
    fields:
      - {{ name: openid, type: "list<string>" }}
      - {{ name: one, type: string }}
endpoints:
  - name: list
    summary: s
    doc_url: https://developers.weixin.qq.com/doc/service/api/x.html
    method: POST
    path: /cgi-bin/x
    idempotent: true
    pages: {pages}
    body:
      kind: json
      fields:
        - {{ name: next_openid, type: string }}
        - {{ name: offset, type: i64, required: true }}
    response:
      fields:
        - {{ name: total, type: i64 }}
        - {{ name: data, type: Page }}
        - {{ name: next_openid, type: string }}
        - {{ name: name, type: string }}
"#
    )
}

fn run(pages: &str) -> Result<String, String> {
    let sources = vec![
        Source { name: "user.yaml".into(), text: area(pages) },
        Source { name: "examples/user.yaml".into(), text: "list:\n  example_missing: a test\n".into() },
    ];
    generate("spec", &sources).map(|f| f["user.rs"].clone()).map_err(|d| d.to_string())
}

fn rejected(pages: &str, expected: &str) {
    match run(pages) {
        Ok(_) => panic!("expected a problem containing {expected:?}"),
        Err(all) => assert!(all.contains(expected), "expected a problem containing\n  {expected}\ngot:\n{all}"),
    }
}

#[test]
fn cursor_and_offset_paging_both_generate_an_items_stream() {
    let cursor = run("{ cursor: next_openid, next: next_openid, items: data.openid }").expect("valid");
    assert!(cursor.contains("pub fn items("), "no items() stream");
    let offset = run("{ offset: offset, total: total, items: data.openid }").expect("valid");
    assert!(offset.contains("pub fn items("));
}

#[test]
fn the_items_path_must_exist() {
    rejected(
        "{ cursor: next_openid, next: next_openid, items: data.openids }",
        "spec/user.yaml: endpoint list: pages items data.openids: no field openids",
    );
}

#[test]
fn the_items_path_must_end_in_a_list() {
    rejected(
        "{ cursor: next_openid, next: next_openid, items: data.one }",
        "pages items data.one: one is string, not a list",
    );
    rejected(
        "{ cursor: next_openid, next: next_openid, items: name.x }",
        "pages items name.x: name is string, not a struct to look into",
    );
}

#[test]
fn the_cursor_is_a_string_request_field() {
    rejected("{ cursor: cursor, next: next_openid, items: data.openid }", "pages cursor cursor is not a request field");
    rejected(
        "{ cursor: offset, next: next_openid, items: data.openid }",
        "pages cursor offset must be a string, not i64",
    );
}

#[test]
fn next_is_a_top_level_string_response_field() {
    rejected(
        "{ cursor: next_openid, next: nxt, items: data.openid }",
        "pages next nxt is not a top-level response field",
    );
    rejected("{ cursor: next_openid, next: total, items: data.openid }", "pages next total must be a string, not i64");
}

#[test]
fn the_offset_and_total_are_integers() {
    rejected("{ offset: next_openid, items: data.openid }", "pages offset next_openid must be an integer, not string");
    rejected("{ offset: offset, total: name, items: data.openid }", "pages total name must be an integer, not string");
}

#[test]
fn one_kind_of_paging_at_a_time() {
    rejected("{ cursor: next_openid, offset: offset, items: data.openid }", "`pages` takes either `cursor` and `next`");
    rejected("{ cursor: next_openid, items: data.openid }", "`pages` takes either `cursor` and `next`");
}
