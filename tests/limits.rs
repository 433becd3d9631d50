//! Documented limits (`limits:` / `date_span:` in the spec) are checked by the client before
//! anything is sent: a request over a limit is `Error::InvalidRequest` naming the endpoint and
//! the field, and the sandbox records no call and no token request. Requests at the limit go
//! through, and the sandbox accepts them too.

mod common;

use wechat_oa::api::custom_service::{CustomMusic, MessageContent};
use wechat_oa::api::mass::{MassFilter, MassImages};
use wechat_oa::api::menu::{ButtonType, MenuButton};
use wechat_oa::api::tags::TagName;
use wechat_oa::Error;
use wechat_oa_sandbox::Sandbox;

fn calls(sb: &Sandbox, path: &str) -> u64 {
    sb.stats().calls_by_path.get(path).copied().unwrap_or(0)
}

/// The error's message, asserting it is a refusal before sending for `endpoint`.
fn refused<T: std::fmt::Debug>(r: Result<T, Error>, endpoint: &str) -> String {
    match r {
        Err(Error::InvalidRequest { endpoint: e, message }) => {
            assert_eq!(e, endpoint);
            message
        }
        other => panic!("expected InvalidRequest for {endpoint}, got {other:?}"),
    }
}

#[tokio::test]
async fn too_many_openids_to_blacklist_are_refused_before_sending() {
    let sb = common::sandbox().await;
    let client = common::client(&sb);
    let users = sb.users();
    let msg = refused(client.user().batch_blacklist(users[..21].to_vec()).send().await, "user.batch_blacklist");
    assert!(msg.contains("openid_list: 21 items, at most 20 (WeChat answers 40032)"), "{msg}");
    assert_eq!(calls(&sb, "/cgi-bin/tags/members/batchblacklist"), 0, "nothing reached the sandbox");
    assert_eq!(sb.stats().token_requests, 0, "not even a token was fetched");
    client.user().batch_blacklist(users[..20].to_vec()).send().await.expect("20 is allowed");
    assert_eq!(calls(&sb, "/cgi-bin/tags/members/batchblacklist"), 1);
}

#[tokio::test]
async fn tag_names_are_counted_in_characters_not_bytes() {
    let sb = common::sandbox().await;
    let client = common::client(&sb);
    let thirty = "标".repeat(30);
    let created = client.tags().create(TagName::new(&thirty)).send().await.expect("30 characters (90 bytes) pass");
    assert_eq!(created.tag.name.chars().count(), 30);
    let msg = refused(client.tags().create(TagName::new("标".repeat(31))).send().await, "tags.create");
    assert!(msg.contains("tag.name: 31 characters, at most 30 (WeChat answers 45158)"), "{msg}");
}

#[tokio::test]
async fn remarks_are_counted_in_bytes() {
    let sb = common::sandbox().await;
    let client = common::client(&sb);
    let who = sb.users()[0].clone();
    client.user().update_remark(&who, "备".repeat(9)).send().await.expect("27 bytes pass");
    let msg = refused(client.user().update_remark(&who, "备".repeat(10)).send().await, "user.update_remark");
    assert!(msg.contains("remark: 30 bytes of UTF-8, at most 29"), "{msg}");
}

#[tokio::test]
async fn mass_send_needs_two_to_ten_thousand_openids() {
    let sb = common::sandbox().await;
    let client = common::client(&sb);
    let one = vec![sb.users()[0].clone()];
    let msg = refused(client.mass().send(one, MessageContent::text("hi")).send().await, "mass.send");
    assert!(msg.contains("touser: 1 items, at least 2 (WeChat answers 40130)"), "{msg}");
    assert_eq!(calls(&sb, "/cgi-bin/message/mass/send"), 0);
}

/// One message family serves customer service and mass sends; each endpoint takes only the
/// kinds its page lists, and the client refuses the others before anything is sent.
#[tokio::test]
async fn each_send_endpoint_takes_only_its_message_kinds() {
    let sb = common::sandbox().await;
    let client = common::client(&sb);
    let users = sb.users();
    let two = vec![users[0].clone(), users[1].clone()];
    let music = CustomMusic::new("https://example.com/a.mp3", "https://example.com/a-hq.mp3", "THUMB");
    let msg = refused(client.mass().sendall(MassFilter::new(true), music.clone()).send().await, "mass.sendall");
    assert!(msg.contains("msgtype music is not taken by this endpoint"), "{msg}");
    assert!(msg.contains("image (payload under images)") && msg.contains("(WeChat answers 40008)"), "{msg}");
    // An image post (`images`) is for sendall/send; preview and customer service take one `image`.
    let post = MassImages::new(vec!["MEDIA".to_string()]);
    let msg = refused(client.mass().preview(post.clone()).touser(&users[0]).send().await, "mass.preview");
    assert!(msg.contains("msgtype image (payload under images) is not taken"), "{msg}");
    let msg = refused(client.custom_service().send(&users[0], post).send().await, "custom_service.send");
    assert!(msg.contains("msgtype image (payload under images)"), "{msg}");
    let msg = refused(client.mass().send(two, MessageContent::image("MEDIA")).send().await, "mass.send");
    assert!(msg.contains("msgtype image is not taken"), "{msg}");
    for path in ["/cgi-bin/message/mass/sendall", "/cgi-bin/message/mass/send", "/cgi-bin/message/mass/preview"] {
        assert_eq!(calls(&sb, path), 0, "{path}");
    }
    assert_eq!(calls(&sb, "/cgi-bin/message/custom/send"), 0);
    // Music is a customer-service kind: it goes out (and the sandbox checks its thumbnail).
    let err = client.custom_service().send(&users[0], music).send().await.expect_err("THUMB is no media");
    assert_eq!(common::code(Err::<(), _>(err)), 40007);
    assert_eq!(calls(&sb, "/cgi-bin/message/custom/send"), 1);
}

#[tokio::test]
async fn analytics_date_spans_are_checked_both_ends_counted() {
    let sb = common::sandbox().await;
    let client = common::client(&sb);
    let dc = client.datacube();
    dc.get_user_summary("2026-03-01", "2026-03-07").send().await.expect("7 days pass");
    let msg = refused(dc.get_user_summary("2026-03-01", "2026-03-08").send().await, "datacube.get_user_summary");
    assert!(msg.contains("8 days") && msg.contains("at most 7") && msg.contains("61501"), "{msg}");
    let msg = refused(dc.get_user_summary("2026-03-08", "2026-03-01").send().await, "datacube.get_user_summary");
    assert!(msg.contains("before"), "{msg}");
    let msg = refused(dc.get_user_summary("2026/03/01", "2026-03-01").send().await, "datacube.get_user_summary");
    assert!(msg.contains("not a YYYY-MM-DD date"), "{msg}");
    assert_eq!(calls(&sb, "/datacube/getusersummary"), 1, "only the valid request was sent");
}

#[tokio::test]
async fn nested_limits_name_the_path_inside_the_request() {
    let sb = common::sandbox().await;
    let client = common::client(&sb);
    let click = |k: &str| MenuButton::new(k).with_button_type(ButtonType::Click).with_key(k);
    let six = (0..6).map(|i| click(&format!("k{i}"))).collect::<Vec<_>>();
    let parent = MenuButton::new("more").with_sub_button(six);
    let msg = refused(client.menu().create(vec![parent]).send().await, "menu.create");
    assert!(msg.contains("button[0].sub_button: 6 items, at most 5"), "{msg}");
    let four = (0..4).map(|i| click(&format!("t{i}"))).collect::<Vec<_>>();
    let msg = refused(client.menu().create(four).send().await, "menu.create");
    assert!(msg.contains("button: 4 items, at most 3"), "{msg}");
    assert_eq!(calls(&sb, "/cgi-bin/menu/create"), 0);
}

#[tokio::test]
async fn the_mass_speed_level_is_0_to_4() {
    let sb = common::sandbox().await;
    let client = common::client(&sb);
    let msg = refused(client.mass().set_speed(5).send().await, "mass.set_speed");
    assert!(msg.contains("speed: 5, at most 4 (WeChat answers 45083)"), "{msg}");
    client.mass().set_speed(4).send().await.expect("4 is the slowest level");
}

/// The sandbox takes the same limits from the spec (sandbox/spec-table.json): a request that
/// skips the client's check (sent with `Client::raw`) is refused there with the spec's errcode.
#[tokio::test]
async fn the_sandbox_enforces_the_spec_limits_on_requests_that_skip_the_client() {
    let sb = common::sandbox().await;
    let client = common::client(&sb);
    let users = sb.users();
    let raw = |path: &'static str, body: serde_json::Value| {
        let client = client.clone();
        async move { client.raw("raw.call", wechat_oa::Method::Post, path).json(&body).send::<serde_json::Value>().await }
    };
    let code = |r: Result<serde_json::Value, Error>| r.err().and_then(|e| e.errcode());
    let blacklist = serde_json::json!({ "openid_list": users[..21] });
    assert_eq!(code(raw("/cgi-bin/tags/members/batchblacklist", blacklist).await), Some(40032));
    // A nested limit with no errcode of its own in the spec: WeChat's generic 40035.
    let six: Vec<_> =
        (0..6).map(|i| serde_json::json!({"type": "click", "name": format!("b{i}"), "key": format!("k{i}")})).collect();
    let menu = serde_json::json!({ "button": [{ "name": "more", "sub_button": six }] });
    assert_eq!(code(raw("/cgi-bin/menu/create", menu).await), Some(40035));
    let span = serde_json::json!({ "begin_date": "2026-03-01", "end_date": "2026-03-08" });
    assert_eq!(code(raw("/datacube/getusersummary", span).await), Some(61501));
    let ok = serde_json::json!({ "begin_date": "2026-03-01", "end_date": "2026-03-07" });
    assert!(raw("/datacube/getusersummary", ok).await.is_ok());
}
