//! `spec/openapi.json` says what the spec says: one operation per path and method naming its
//! endpoints, the credential each takes, the official examples and the documented limits. (CI
//! also validates the file with an OpenAPI validator; this checks its content.)

use std::collections::BTreeSet;

use serde_json::Value;

fn document() -> Value {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("spec");
    let sources = wechat_oa_codegen::load::read_dir(&dir).expect("read spec/");
    let text = wechat_oa_codegen::openapi("spec", &sources).expect("the spec is valid");
    serde_json::from_str(&text).expect("openapi.json is JSON")
}

fn spec() -> wechat_oa_codegen::load::Spec {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("spec");
    let sources = wechat_oa_codegen::load::read_dir(&dir).expect("read spec/");
    wechat_oa_codegen::load::load_spec("spec", &sources).expect("spec/ loads")
}

/// Every endpoint's `area.name`, as operationId or in `x-wechat-endpoints`.
fn named_operations(doc: &Value) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    for item in doc["paths"].as_object().into_iter().flat_map(|p| p.values()) {
        for op in item.as_object().into_iter().flat_map(|m| m.values()) {
            names.extend(op["operationId"].as_str().map(str::to_string));
            for n in op["x-wechat-endpoints"].as_array().into_iter().flatten() {
                names.extend(n.as_str().map(str::to_string));
            }
        }
    }
    names
}

#[test]
fn every_spec_endpoint_is_an_operation_on_its_path_and_method() {
    let doc = document();
    assert_eq!(doc["openapi"], "3.1.0");
    let spec = spec();
    let names = named_operations(&doc);
    for area in &spec.areas {
        for ep in &area.model.endpoints {
            let name = format!("{}.{}", area.model.area, ep.name);
            assert!(names.contains(&name), "{name} is not an operation");
            let method = format!("{:?}", ep.method).to_lowercase();
            assert!(doc["paths"][&ep.path][&method].is_object(), "{name}: no {method} {}", ep.path);
        }
    }
}

#[test]
fn endpoints_sharing_a_path_are_listed_on_one_operation() {
    let doc = document();
    let op = &doc["paths"]["/cgi-bin/qrcode/create"]["post"];
    let listed: Vec<&str> =
        op["x-wechat-endpoints"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
    assert!(listed.contains(&"qrcode.create_temporary") && listed.contains(&"qrcode.create_permanent"), "{listed:?}");
    assert!(op["requestBody"]["content"]["application/json"]["schema"]["oneOf"].is_array());
}

#[test]
fn credentials_hosts_limits_and_examples_come_through() {
    let doc = document();
    let schemes = &doc["components"]["securitySchemes"];
    assert_eq!(schemes["access_token"]["name"], "access_token");
    assert_eq!(schemes["component_access_token"]["name"], "component_access_token");
    // The app token itself is obtained with appid and secret, not with a token.
    let token = &doc["paths"]["/cgi-bin/token"]["get"];
    assert_eq!(token["security"], serde_json::json!([]));
    let info = &doc["paths"]["/cgi-bin/user/info"]["get"];
    assert_eq!(info["security"][0]["access_token"], serde_json::json!([]));
    let openid = info["parameters"].as_array().and_then(|p| p.iter().find(|x| x["name"] == "openid")).cloned();
    let openid = openid.expect("user.info has an openid parameter");
    assert_eq!(openid["required"], true);
    assert_eq!(openid["example"], "o6_bmjrPTlm6_2sgVt7hMZOPfL2M", "the official example query");
    assert_eq!(openid["schema"]["x-wechat-missing-errcode"], 41009);
    // Limits become JSON Schema keywords with WeChat's code beside them.
    let send = &doc["paths"]["/cgi-bin/message/mass/send"]["post"]["requestBody"]["content"]["application/json"];
    let touser = &send["schema"]["allOf"][0]["properties"]["touser"];
    assert_eq!((touser["minItems"].as_u64(), touser["maxItems"].as_u64()), (Some(2), Some(10_000)));
    assert_eq!(touser["x-wechat-errcode"], 40130);
    // mass send takes only its message kinds: a video is not among them.
    let kinds = send["schema"]["allOf"][1]["oneOf"].to_string();
    assert!(kinds.contains("MessageContent_Text") && !kinds.contains("MessageContent_Video\""), "{kinds}");
    // Hosts other than api.weixin.qq.com are operation servers.
    assert_eq!(doc["paths"]["/connect/oauth2/authorize"]["get"]["servers"][0]["url"], "https://open.weixin.qq.com");
    assert_eq!(doc["paths"]["/cgi-bin/showqrcode"]["get"]["servers"][0]["url"], "https://mp.weixin.qq.com");
    assert_eq!(doc["servers"][0]["url"], "https://api.weixin.qq.com");
    // Official examples are there, parsed.
    let with_examples = doc["paths"]
        .as_object()
        .into_iter()
        .flat_map(|p| p.values())
        .flat_map(|m| m.as_object().into_iter().flat_map(|o| o.values()))
        .filter(|op| op.to_string().contains("official example"))
        .count();
    assert!(with_examples > 50, "{with_examples} operations with examples");
}

#[test]
fn the_message_union_is_a_one_of_its_tagged_variants() {
    let doc = document();
    let schemas = &doc["components"]["schemas"];
    let image = &schemas["MessageContent_Images"];
    assert_eq!(image["properties"]["msgtype"]["const"], "image", "an image post's msgtype is image");
    assert!(image["properties"]["images"]["$ref"].is_string(), "its payload sits under images");
    let all = schemas["MessageContent"]["oneOf"].as_array().map(Vec::len).unwrap_or_default();
    assert!(all >= 13, "{all} variants");
}
