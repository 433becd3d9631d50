//! One test per rule of `spec/examples/<area>.yaml`: every endpoint has the official example
//! or the reason it has none, and an example is well-formed; each message names the file and
//! the endpoint.

use wechat_oa_codegen::{generate, Source};

const AREA: &str = r#"area: user
title: users
endpoints:
  - name: info
    summary: s
    doc_url: https://developers.weixin.qq.com/doc/service/api/usermanage/userinfo/api_userinfo.html
    method: GET
    path: /cgi-bin/user/info
    idempotent: true
    query:
      - { name: openid, type: string, required: true }
    response:
      fields:
        - { name: openid, type: string }
  - name: remark
    summary: s
    doc_url: https://developers.weixin.qq.com/doc/service/api/usermanage/userinfo/api_updateremark.html
    method: POST
    path: /cgi-bin/user/info/updateremark
    idempotent: true
    body:
      kind: json
      fields:
        - { name: openid, type: string, required: true }
"#;

const GOOD: &str = r#"
info:
  query: "openid=OPENID"
  response: |
    {"openid": "OPENID"}
remark:
  body: |
    {"openid": "OPENID"}
  response: |
    {"errcode": 0, "errmsg": "ok"}
"#;

fn run(examples: Option<&str>) -> Result<(), String> {
    let mut sources = vec![Source { name: "user.yaml".into(), text: AREA.into() }];
    if let Some(e) = examples {
        sources.push(Source { name: "examples/user.yaml".into(), text: e.into() });
    }
    generate("spec", &sources).map(|_| ()).map_err(|d| d.to_string())
}

fn rejected(examples: Option<&str>, expected: &str) {
    match run(examples) {
        Ok(()) => panic!("expected a problem containing {expected:?}"),
        Err(all) => assert!(all.contains(expected), "expected a problem containing\n  {expected}\ngot:\n{all}"),
    }
}

#[test]
fn complete_examples_are_accepted() {
    run(Some(GOOD)).expect("valid");
}

#[test]
fn an_endpoint_without_an_entry_is_refused_naming_the_examples_file() {
    rejected(
        Some(&GOOD.replace("remark:", "unused:")),
        "spec/user.yaml: endpoint remark: no example: add the official page's example request and response to spec/examples/user.yaml",
    );
}

#[test]
fn an_area_without_an_examples_file_is_refused() {
    rejected(None, "spec/user.yaml: endpoint info: no example");
}

#[test]
fn an_entry_for_an_unknown_endpoint_is_refused() {
    rejected(
        Some(&format!("{GOOD}infoo:\n  example_missing: x\n")),
        "spec/examples/user.yaml: endpoint infoo: no such endpoint in spec/user.yaml",
    );
}

#[test]
fn examples_for_an_unknown_area_are_refused() {
    let sources = vec![
        Source { name: "user.yaml".into(), text: AREA.into() },
        Source { name: "examples/user.yaml".into(), text: GOOD.into() },
        Source { name: "examples/usr.yaml".into(), text: "x:\n  example_missing: y\n".into() },
    ];
    let all = generate("spec", &sources).map(|_| ()).map_err(|d| d.to_string()).expect_err("refused");
    assert!(all.contains("spec/examples/usr.yaml: there is no area spec/usr.yaml"), "{all}");
}

#[test]
fn an_unknown_key_in_an_entry_is_refused() {
    rejected(Some(&GOOD.replace("  query:", "  qeury:")), "spec/examples/user.yaml: unknown field `qeury`");
}

#[test]
fn a_missing_request_needs_its_reason() {
    rejected(
        Some(&GOOD.replace("  query: \"openid=OPENID\"\n", "")),
        "spec/examples/user.yaml: endpoint info: no request example",
    );
}

#[test]
fn a_missing_response_needs_its_reason() {
    let text = GOOD.replace("  response: |\n    {\"openid\": \"OPENID\"}\n", "");
    rejected(Some(&text), "spec/examples/user.yaml: endpoint info: no response example");
}

#[test]
fn a_reason_must_not_be_empty() {
    let text = GOOD.replace("  query: \"openid=OPENID\"\n", "  request_missing: \"\"\n");
    rejected(Some(&text), "spec/examples/user.yaml: endpoint info: `request_missing` needs a reason");
}

#[test]
fn example_missing_with_an_example_is_contradictory() {
    let text = GOOD.replace("info:\n", "info:\n  example_missing: none\n");
    rejected(Some(&text), "spec/examples/user.yaml: endpoint info: `example_missing` together with an example");
}

#[test]
fn a_body_for_an_endpoint_without_one_is_refused() {
    let text = GOOD.replace("  query: \"openid=OPENID\"\n", "  query: \"openid=OPENID\"\n  body: \"{}\"\n");
    rejected(Some(&text), "spec/examples/user.yaml: endpoint info: `body` given, but the endpoint sends no JSON body");
}

#[test]
fn a_query_for_an_endpoint_without_parameters_is_refused() {
    let text = GOOD.replace("remark:\n", "remark:\n  query: \"a=b\"\n");
    rejected(
        Some(&text),
        "spec/examples/user.yaml: endpoint remark: `query` given, but the endpoint has no query parameters",
    );
}

#[test]
fn json_that_does_not_parse_needs_not_json() {
    let broken = GOOD.replace("{\"openid\": \"OPENID\"}\nremark", "{\"openid\": OPENID}\nremark");
    rejected(Some(&broken), "spec/examples/user.yaml: endpoint info: `response` is not valid JSON");
    let kept = broken.replace("info:\n", "info:\n  not_json: the page prints a bare placeholder\n");
    run(Some(&kept)).expect("accepted with its reason");
}

#[test]
fn an_unmodelled_path_must_exist_in_the_example() {
    let text = GOOD.replace("info:\n", "info:\n  unmodelled: [nickname]\n");
    rejected(
        Some(&text),
        "spec/examples/user.yaml: endpoint info: `unmodelled` names nickname, which the example response does not have",
    );
}

#[test]
fn a_response_for_an_endpoint_answering_no_json_is_refused() {
    let area = AREA.replace(
        "    response:\n      fields:\n        - { name: openid, type: string }\n",
        "    response:\n      kind: binary\n",
    );
    let sources = vec![
        Source { name: "user.yaml".into(), text: area },
        Source { name: "examples/user.yaml".into(), text: GOOD.into() },
    ];
    let all = generate("spec", &sources).map(|_| ()).map_err(|d| d.to_string()).expect_err("refused");
    assert!(all.contains("endpoint info: `response` given, but the endpoint answers no JSON document"), "{all}");
}

#[test]
fn valid_examples_become_generated_tests() {
    let files = generate(
        "spec",
        &[
            Source { name: "user.yaml".into(), text: AREA.into() },
            Source { name: "examples/user.yaml".into(), text: GOOD.into() },
        ],
    )
    .expect("valid");
    let user = &files["user.rs"];
    for test in ["official_example_info_query", "official_example_info_response", "official_example_remark_body"] {
        assert!(user.contains(&format!("fn {test}()")), "{test} missing");
    }
    assert!(
        user.contains("#[cfg_attr(test, derive(serde::Deserialize))]"),
        "request structs are built from examples in tests"
    );
}

const INFO: &str = "info:\n  query: \"openid=OPENID\"\n  response: |\n    {\"openid\": \"OPENID\"}\n";

#[test]
fn several_bodies_are_labelled_and_exclude_body() {
    let both = format!("{INFO}remark:\n  body: \"{{}}\"\n  bodies:\n    a: \"{{}}\"\n  response: \"{{}}\"\n");
    rejected(Some(&both), "endpoint remark: `body` and `bodies` together");
    let label = format!("{INFO}remark:\n  bodies:\n    Text-Kind: \"{{}}\"\n  response: \"{{}}\"\n");
    rejected(Some(&label), "endpoint remark: `bodies` label `Text-Kind` must be snake_case");
    let broken = format!("{INFO}remark:\n  bodies:\n    a: \"{{nope\"\n  response: \"{{}}\"\n");
    rejected(Some(&broken), "endpoint remark: `bodies.a` is not valid JSON");
    let excused = format!("{INFO}remark:\n  not_json: \"a: as printed\"\n  bodies:\n    a: \"{{nope\"\n    b: \"{{\\\"openid\\\": \\\"O\\\"}}\"\n  response: \"{{}}\"\n");
    assert_eq!(run(Some(&excused)), Ok(()), "a broken body excused by not_json; the others are still tested");
    let needless =
        format!("{INFO}remark:\n  not_json: \"none is broken\"\n  bodies:\n    a: \"{{}}\"\n  response: \"{{}}\"\n");
    rejected(Some(&needless), "endpoint remark: `not_json`, but every body and the response parse: drop it");
}
