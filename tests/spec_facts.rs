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

/// The variant of `MessageContent` an endpoint takes with the given msgtype.
fn accepted_variants(
    a: &wechat_oa_codegen::load::LoadedArea,
    endpoint_name: &str,
    wire: &str,
) -> Vec<(String, String, String)> {
    let cs = area("custom_service");
    let union = cs.model.types.iter().find(|t| t.name == "MessageContent").expect("MessageContent");
    assert_eq!(union.tag.as_deref(), Some("msgtype"));
    let e = endpoint(a, endpoint_name);
    let field = body_field(e, "message").unwrap_or_else(|| panic!("{endpoint_name}: a `message` field"));
    assert_eq!(field.ty, "MessageContent", "{endpoint_name}");
    union
        .variants
        .iter()
        .filter(|v| v.wire == wire && field.accepts.contains(&v.name))
        .map(|v| (v.name.clone(), v.key.clone().unwrap_or_else(|| v.wire.clone()), v.ty.clone()))
        .collect()
}

/// api_sendall.html / api_send.html: "图片为image" — the msgtype is `image`, the payload `images`.
#[test]
fn mass_image_posts_are_sent_with_msgtype_image_and_an_images_payload() {
    let mass = area("mass");
    for name in ["sendall", "send"] {
        let image = accepted_variants(&mass, name, "image");
        assert_eq!(image.len(), 1, "{name}: one image kind");
        assert_eq!(image[0].1, "images", "{name}: the payload key stays `images`");
        assert!(accepted_variants(&mass, name, "images").is_empty(), "{name}: there is no msgtype `images`");
    }
}

/// api_preview.html: the preview of an image takes `image { media_id }`, not `images`.
#[test]
fn mass_preview_of_an_image_takes_image_with_a_media_id() {
    let mass = area("mass");
    let image = accepted_variants(&mass, "preview", "image");
    assert_eq!(image.len(), 1);
    assert_eq!((image[0].1.as_str(), image[0].2.as_str()), ("image", "MessageMedia"), "one media_id under `image`");
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

fn response_field<'a>(e: &'a Endpoint, name: &str) -> Option<&'a Field> {
    e.response.as_ref().and_then(|r| r.fields.iter().find(|f| f.name == name))
}

fn type_field<'a>(a: &'a wechat_oa_codegen::load::LoadedArea, ty: &str, name: &str) -> &'a Field {
    let t = a.model.types.iter().find(|t| t.name == ty).unwrap_or_else(|| panic!("no type {ty}"));
    t.fields.iter().find(|f| f.name == name).unwrap_or_else(|| panic!("{ty} has no field {name}"))
}

/// api_sendcustommessage: "发送公众号图文消息（废弃）" — mpnews is deprecated in favour of
/// mpnewsarticle (a published article by article_id). The kinds are one family shared with mass
/// sending (where mpnews is not deprecated), so the customer-service endpoint's doc and the
/// variant's say it, and the endpoint takes mpnewsarticle.
#[test]
fn custom_mpnews_is_deprecated_for_mpnewsarticle() {
    let cs = area("custom_service");
    let doc = endpoint(&cs, "send").doc.clone().unwrap_or_default();
    assert!(doc.contains("废弃") && doc.contains("mpnewsarticle"), "{doc}");
    let union = cs.model.types.iter().find(|t| t.name == "MessageContent").expect("MessageContent");
    let mpnews = union.variants.iter().find(|v| v.wire == "mpnews").expect("mpnews");
    let vdoc = mpnews.doc.clone().unwrap_or_default();
    assert!(vdoc.contains("废弃") && vdoc.contains("mpnewsarticle"), "{vdoc}");
    assert_eq!(accepted_variants(&cs, "send", "mpnewsarticle").len(), 1);
}

/// subscription/api/customer/message/api_typing: businessid, string, 必填 否 (子商户 ID).
#[test]
fn typing_takes_an_optional_businessid() {
    let cs = area("custom_service");
    let f = body_field(endpoint(&cs, "typing"), "businessid").expect("businessid");
    assert_eq!(f.ty, "string");
    assert!(!f.required);
}

/// api_draft_switch: "该接口已废弃。草稿箱和发布功能已经全量开放，无需再设置或查询开关状态。"
#[test]
fn draft_switch_is_deprecated() {
    let draft = area("draft");
    assert!(endpoint(&draft, "switch").deprecated.is_some());
}

/// api_draft_add: digest defaults to the body's first 54 characters; content_source_url 大小不可超过1 kb;
/// a newspic has at most 20 images.
#[test]
fn draft_article_limits_and_digest_default() {
    let draft = area("draft");
    let digest = type_field(&draft, "DraftArticle", "digest").doc.clone().unwrap_or_default();
    assert!(digest.contains("54"), "{digest}");
    let url = type_field(&draft, "DraftArticle", "content_source_url");
    assert_eq!(url.limits.as_ref().and_then(|l| l.max_bytes), Some(1024));
    let images = type_field(&draft, "DraftImageInfo", "image_list");
    assert_eq!(images.limits.as_ref().and_then(|l| l.max_items), Some(20));
}

/// Draft-box index page lists 获取商品卡片的DOM结构 /channels/ec/service/product/getcardinfo;
/// api_ecsgetproductcardinfo: product_id string, article_type string, card_type number, all 必填;
/// answer product_key and DOM.
#[test]
fn draft_has_the_product_card_endpoint() {
    let draft = area("draft");
    let e = endpoint(&draft, "product_card_info");
    assert_eq!(e.path, "/channels/ec/service/product/getcardinfo");
    for name in ["product_id", "article_type", "card_type"] {
        assert!(body_field(e, name).unwrap_or_else(|| panic!("{name}")).required, "{name}");
    }
    assert!(response_field(e, "product_key").is_some() && response_field(e, "DOM").is_some());
}

/// api_userinfo: subscribe_scene lists the ADD_SCENE_* values (a string enum now);
/// language is marked 【注意:该字段不再提供】.
#[test]
fn user_info_subscribe_scene_is_an_enum_and_language_is_gone() {
    let user = area("user");
    let e = endpoint(&user, "info");
    // One shape for info and batch_info: the response is FollowerInfo, declared once.
    assert_eq!(e.response.as_ref().and_then(|r| r.type_ref.as_deref()), Some("FollowerInfo"));
    assert_eq!(type_field(&user, "FollowerInfo", "subscribe_scene").ty, "SubscribeScene");
    let scene = user.model.types.iter().find(|t| t.name == "SubscribeScene").expect("SubscribeScene");
    let wires: Vec<String> = scene
        .values
        .iter()
        .map(|v| match &v.wire {
            WireValue::Str(s) => s.clone(),
            other => format!("{other:?}"),
        })
        .collect();
    for w in [
        "ADD_SCENE_SEARCH",
        "ADD_SCENE_ACCOUNT_MIGRATION",
        "ADD_SCENE_PROFILE_CARD",
        "ADD_SCENE_QR_CODE",
        "ADD_SCENE_OTHERS",
    ] {
        assert!(wires.iter().any(|x| x == w), "{w} missing from {wires:?}");
    }
    let language = type_field(&user, "FollowerInfo", "language").doc.clone().unwrap_or_default();
    assert!(language.contains("不再提供"), "{language}");
}

/// api_changeopenid: only within 15 days after the migration review, not for personal accounts.
#[test]
fn change_openid_doc_names_the_15_days_and_personal_accounts() {
    let user = area("user");
    let doc = endpoint(&user, "change_openid").doc.clone().unwrap_or_default();
    assert!(doc.contains("15 days") && doc.contains("个人主体"), "{doc}");
}

/// api_freepublishgetarticle: is_deleted is boolean; thumb_url is in the table.
#[test]
fn published_article_is_deleted_is_bool_and_has_thumb_url() {
    let publish = area("publish");
    assert_eq!(type_field(&publish, "PublishedNewsItem", "is_deleted").ty, "bool");
    type_field(&publish, "PublishedNewsItem", "thumb_url");
}

/// api_getarticletotal: details carries int_page_from_session_read_* and int_page_from_hist_msg_read_*.
#[test]
fn article_total_details_carry_session_and_history_reads() {
    let datacube = area("datacube");
    for name in [
        "int_page_from_session_read_user",
        "int_page_from_session_read_count",
        "int_page_from_hist_msg_read_user",
        "int_page_from_hist_msg_read_count",
    ] {
        assert_eq!(type_field(&datacube, "ArticleTotalStat", name).ty, "i64", "{name}");
    }
}

/// The wedata pages' titles: getuserread 获取图文阅读概况数据 … getinterfacesummaryhour 获取被动回复分布数据.
#[test]
fn analytics_summaries_use_the_pages_titles() {
    let datacube = area("datacube");
    for (name, title) in [
        ("get_user_read", "获取图文阅读概况数据"),
        ("get_user_read_hour", "获取图文阅读分时数据"),
        ("get_user_share", "获取图文转发概况数据"),
        ("get_user_share_hour", "获取图文转发分时数据"),
        ("get_interface_summary", "获取被动回复概要数据"),
        ("get_interface_summary_hour", "获取被动回复分布数据"),
        ("get_upstream_msg_hour", "获取消息发送分时数据"),
    ] {
        let summary = &endpoint(&datacube, name).summary;
        assert!(summary.starts_with(title), "{name}: {summary}");
    }
}
