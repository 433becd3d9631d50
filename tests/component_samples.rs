//! The official decrypted samples of the third-party platform pushes
//! (`spec/examples/callbacks/component/<InfoType>.xml`), sealed the way WeChat sends them
//! (signed and encrypted by the sandbox's WeChat-side code) and opened by `ComponentCallback`
//! into their typed `ComponentKind` variants.
//!
//! "official sample": used as printed. "tag and number fixed": the page's sample ends with
//! `<xml>` instead of `</xml>` and prints the placeholder `过期时间` where the table types
//! AuthorizationCodeExpiredTime as a number; the test closes the element and puts a number in.

use wechat_oa::callback::{CallbackQuery, ComponentCallback, ComponentKind};
use wechat_oa_sandbox::callback as wx;

const TOKEN: &str = "componentSampleToken";
const AES: &str = "Rk9vYmFyQmF6UXV4MTIzNDU2Nzg5MGFiY2RlZmdoaWo";
const COMPONENT: &str = "wx0000000000comp02";

fn sample(info_type: &str) -> String {
    let path = format!("{}/spec/examples/callbacks/component/{info_type}.xml", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The page's two authorisation samples, with the closing tag and the expiry fixed.
fn fixed(info_type: &str) -> String {
    let xml = sample(info_type);
    let trimmed = xml.trim_end();
    let body =
        trimmed.strip_suffix("<xml>").unwrap_or_else(|| panic!("{info_type}: the sample no longer ends with <xml>"));
    format!("{body}</xml>").replace(
        "<AuthorizationCodeExpiredTime>过期时间</AuthorizationCodeExpiredTime>",
        "<AuthorizationCodeExpiredTime>600</AuthorizationCodeExpiredTime>",
    )
}

fn now() -> String {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0).to_string()
}

fn open(xml: &str) -> ComponentKind {
    let key = wx::decode_aes_key(AES).expect("key");
    let encrypt = wx::encrypt(&key, COMPONENT, xml);
    let ts = now();
    let nonce = "20261202";
    let q = CallbackQuery {
        timestamp: Some(ts.clone()),
        nonce: Some(nonce.to_string()),
        encrypt_type: Some("aes".to_string()),
        msg_signature: Some(wx::msg_signature(TOKEN, &ts, nonce, &encrypt)),
        ..CallbackQuery::default()
    };
    let body = format!("<xml><AppId><![CDATA[{COMPONENT}]]></AppId><Encrypt><![CDATA[{encrypt}]]></Encrypt></xml>");
    let cb: ComponentCallback = ComponentCallback::new(TOKEN, COMPONENT, AES).expect("callback");
    let push = cb.open(&q, body.as_bytes()).unwrap_or_else(|e| panic!("{xml}: {e}"));
    push.kind
}

#[test]
fn component_verify_ticket_official_sample() {
    let ComponentKind::ComponentVerifyTicket(t) = open(&sample("component_verify_ticket")) else {
        panic!("not a ticket")
    };
    assert_eq!(t.component_verify_ticket, "some_verify_ticket");
}

#[test]
fn authorized_sample_tag_and_number_fixed() {
    let ComponentKind::Authorized(a) = open(&fixed("authorized")) else { panic!("not authorized") };
    assert_eq!(a.authorizer_appid, "公众号appid");
    assert_eq!(a.authorization_code, "授权码");
    assert_eq!(a.authorization_code_expired_time, Some(600));
    assert_eq!(a.pre_auth_code.as_deref(), Some("预授权码"));
    // The code and the pre-auth code are secrets: not in Debug output.
    let debug = format!("{a:?}");
    assert!(!debug.contains("授权码") && !debug.contains("预授权码"), "{debug}");
}

#[test]
fn unauthorized_official_sample() {
    let ComponentKind::Unauthorized(u) = open(&sample("unauthorized")) else { panic!("not unauthorized") };
    assert_eq!(u.authorizer_appid, "公众号appid");
}

#[test]
fn updateauthorized_sample_tag_and_number_fixed() {
    let ComponentKind::UpdateAuthorized(u) = open(&fixed("updateauthorized")) else { panic!("not updateauthorized") };
    assert_eq!(u.authorizer_appid, "公众号appid");
    assert_eq!(u.authorization_code, "授权码");
    assert_eq!(u.authorization_code_expired_time, Some(600));
}
