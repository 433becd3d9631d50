//! Facts of the spec checked against the official pages: each test names the page and fails on
//! a spec that says otherwise (each of these was wrong once). The spec is read through the
//! generator's own loader, so a test sees what the generator sees.

use wechat_oa_codegen::model::{Endpoint, Field, WireValue};

fn area(name: &str) -> wechat_oa_codegen::load::LoadedArea {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("spec");
    let sources = wechat_oa_codegen::load::read_dir(&dir).expect("read spec/");
    let spec = wechat_oa_codegen::load::load_spec("spec", &sources).expect("spec/ loads");
    spec.areas.into_iter().find(|a| a.model.area == name).unwrap_or_else(|| panic!("no area {name}"))
}

fn endpoint<'a>(a: &'a wechat_oa_codegen::load::LoadedArea, name: &str) -> &'a Endpoint {
    a.model.endpoints.iter().find(|e| e.name == name).unwrap_or_else(|| panic!("no endpoint {name}"))
}

fn body_field<'a>(e: &'a Endpoint, name: &str) -> Option<&'a Field> {
    e.body.as_ref().and_then(|b| b.fields.iter().find(|f| f.name == name))
}

fn fixed_value(f: &Field) -> String {
    match &f.value {
        Some(WireValue::Str(s)) => s.clone(),
        other => format!("{other:?}"),
    }
}

/// api_sendall.html / api_send.html: "图片为image" — the msgtype is `image`, the payload `images`.
#[test]
fn mass_image_posts_are_sent_with_msgtype_image_and_an_images_payload() {
    let mass = area("mass");
    for name in ["sendall_images", "send_images"] {
        let e = endpoint(&mass, name);
        assert_eq!(fixed_value(body_field(e, "msgtype").expect("msgtype")), "image", "{name}");
        assert!(body_field(e, "images").is_some(), "{name}: the payload key stays `images`");
    }
}

/// api_preview.html: the preview of an image takes `image { media_id }`, not `images`.
#[test]
fn mass_preview_of_an_image_takes_image_with_a_media_id() {
    let mass = area("mass");
    let e = endpoint(&mass, "preview_image");
    assert_eq!(fixed_value(body_field(e, "msgtype").expect("msgtype")), "image");
    let image = body_field(e, "image").expect("an `image` field");
    assert_eq!(image.ty, "MessageMedia", "one media_id");
    assert!(body_field(e, "images").is_none());
}

/// The wedata/news pages of these six say 本接口已停止维护 and name four replacements.
#[test]
fn unmaintained_analytics_endpoints_are_deprecated_with_their_replacements() {
    let datacube = area("datacube");
    for name in [
        "get_article_summary",
        "get_article_total",
        "get_user_read",
        "get_user_read_hour",
        "get_user_share",
        "get_user_share_hour",
    ] {
        let note = endpoint(&datacube, name).deprecated.clone().unwrap_or_else(|| panic!("{name} is not deprecated"));
        for replacement in ["get_article_read", "get_article_share", "get_biz_summary", "get_article_total_detail"] {
            assert!(note.contains(replacement), "{name}: the notice does not name {replacement}");
            assert!(endpoint(&datacube, replacement).deprecated.is_none(), "{replacement} is the live one");
        }
    }
}

/// api_massmsgget.html types msg_id as string (request example `"201053012"`, answer a number).
#[test]
fn mass_status_msg_id_is_an_id_in_and_out() {
    let mass = area("mass");
    let e = endpoint(&mass, "status");
    assert_eq!(body_field(e, "msg_id").expect("request msg_id").ty, "id");
    let resp = e.response.as_ref().expect("response");
    assert_eq!(resp.fields.iter().find(|f| f.name == "msg_id").expect("response msg_id").ty, "id");
}

/// api_addtemplate.html: keyword_name_list 必填 是.
#[test]
fn template_add_requires_keyword_name_list() {
    let template = area("template");
    assert!(body_field(endpoint(&template, "add"), "keyword_name_list").expect("field").required);
}

/// Template send: one message per openid + client_msg_id, valid for 10 minutes — not forever.
#[test]
fn template_client_msg_id_doc_says_ten_minutes_per_user() {
    let template = area("template");
    let e = endpoint(&template, "send");
    let doc = body_field(e, "client_msg_id").expect("field").doc.clone().unwrap_or_default();
    assert!(doc.contains("10 分钟") && doc.contains("openid"), "{doc}");
    let endpoint_doc = e.doc.clone().unwrap_or_default();
    assert!(endpoint_doc.contains("10 minutes") && !endpoint_doc.contains("refuses a repeat of the same id"));
}
