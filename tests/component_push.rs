//! Pushes to a third-party platform's authorisation-event URL: signed and encrypted by the
//! sandbox's own WeChat-side code (independent of the SDK), opened by `ComponentCallback`,
//! applied by `Component` (the ticket lands in the credential store). Every check of the
//! pipeline is refused with its own typed error.

use std::sync::Arc;

use wechat_oa::callback::{CallbackError, CallbackQuery, ComponentCallback, ComponentKind};
use wechat_oa::credentials::keys;
use wechat_oa::{Component, CredentialStore, MemoryCredentials};
use wechat_oa_sandbox::callback as wx;

const TOKEN: &str = "componentPushToken";
const AES: &str = "Rk9vYmFyQmF6UXV4MTIzNDU2Nzg5MGFiY2RlZmdoaWo";
const COMPONENT: &str = "wx0000000000comp01";

fn sealed(xml: &str, appid: &str) -> (CallbackQuery, Vec<u8>) {
    let key = wx::decode_aes_key(AES).expect("key");
    let encrypt = wx::encrypt(&key, appid, xml);
    let ts = wechat_oa_sandbox_now().to_string();
    let nonce = "20261202";
    let sig = wx::msg_signature(TOKEN, &ts, nonce, &encrypt);
    let body = format!("<xml><AppId><![CDATA[{COMPONENT}]]></AppId><Encrypt><![CDATA[{encrypt}]]></Encrypt></xml>");
    let q = CallbackQuery {
        timestamp: Some(ts),
        nonce: Some(nonce.to_string()),
        encrypt_type: Some("aes".to_string()),
        msg_signature: Some(sig),
        ..CallbackQuery::default()
    };
    (q, body.into_bytes())
}

fn wechat_oa_sandbox_now() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

fn ticket_xml(ticket: &str) -> String {
    format!(
        "<xml><AppId><![CDATA[{COMPONENT}]]></AppId><CreateTime>1413192605</CreateTime>\
         <InfoType><![CDATA[component_verify_ticket]]></InfoType>\
         <ComponentVerifyTicket><![CDATA[{ticket}]]></ComponentVerifyTicket></xml>"
    )
}

fn callback() -> ComponentCallback {
    ComponentCallback::new(TOKEN, COMPONENT, AES).expect("callback")
}

#[tokio::test]
async fn a_ticket_push_is_opened_typed_and_stored_where_every_process_looks() {
    let creds = Arc::new(MemoryCredentials::new());
    let platform = Component::builder(COMPONENT, "componentSecret").credential_store(creds.clone()).build().unwrap();
    let (q, body) = sealed(&ticket_xml("ticket@@@first"), COMPONENT);
    let push = callback().open(&q, &body).expect("opens");
    assert_eq!(push.info_type(), "component_verify_ticket");
    assert_eq!(push.app_id, COMPONENT);
    assert_eq!(push.create_time, Some(1413192605));
    assert!(!matches!(push.kind, ComponentKind::Unknown(_)), "typed from the spec: {:?}", push.kind);
    // The ticket never shows in Debug output.
    assert!(!format!("{push:?}").contains("ticket@@@first"));
    platform.apply(&push).await.expect("stored");
    assert_eq!(creds.get(&keys::verify_ticket(COMPONENT)).await.unwrap().as_deref(), Some("ticket@@@first"));

    // The next push replaces it.
    let (q, body) = sealed(&ticket_xml("ticket@@@second"), COMPONENT);
    platform.apply(&callback().open(&q, &body).unwrap()).await.unwrap();
    assert_eq!(creds.get(&keys::verify_ticket(COMPONENT)).await.unwrap().as_deref(), Some("ticket@@@second"));
}

#[tokio::test]
async fn each_check_refuses_with_its_own_error() {
    let cb = callback();
    let (q, body) = sealed(&ticket_xml("t"), COMPONENT);

    let mut bad = q.clone();
    bad.msg_signature = Some("0".repeat(40));
    assert!(matches!(cb.open(&bad, &body), Err(CallbackError::BadMsgSignature)));

    let mut missing = q.clone();
    missing.msg_signature = None;
    assert!(matches!(cb.open(&missing, &body), Err(CallbackError::MissingParam("msg_signature"))));

    let mut stale = q.clone();
    stale.timestamp = Some("1413192605".to_string());
    let key = wx::decode_aes_key(AES).unwrap();
    let xml = String::from_utf8(body.clone()).unwrap();
    let encrypt = wx::xml_field(&xml, "Encrypt").unwrap();
    stale.msg_signature = Some(wx::msg_signature(TOKEN, "1413192605", q.nonce.as_deref().unwrap(), &encrypt));
    assert!(matches!(cb.open(&stale, &body), Err(CallbackError::StaleTimestamp { .. })));

    // Encrypted for another AppID (a push meant for another platform).
    let (q2, body2) = sealed(&ticket_xml("t"), "wx0000000000other1");
    assert!(matches!(cb.open(&q2, &body2), Err(CallbackError::AppIdMismatch { .. })));

    // No Encrypt element.
    let plain = ticket_xml("t").into_bytes();
    assert!(matches!(cb.open(&q, &plain), Err(CallbackError::MissingEncrypt)));

    // A ticket push without its ticket names the missing field.
    let empty = format!(
        "<xml><AppId>{COMPONENT}</AppId><CreateTime>1</CreateTime><InfoType>component_verify_ticket</InfoType></xml>"
    );
    let (q3, body3) = sealed(&empty, COMPONENT);
    match cb.open(&q3, &body3) {
        Err(CallbackError::MissingField { field, .. }) => assert_eq!(field, "ComponentVerifyTicket"),
        other => panic!("expected MissingField, got {other:?}"),
    }
    let _ = key;
}

#[tokio::test]
async fn an_unknown_info_type_is_kept_whole_and_changes_nothing() {
    let creds = Arc::new(MemoryCredentials::new());
    let platform = Component::builder(COMPONENT, "componentSecret").credential_store(creds.clone()).build().unwrap();
    let xml = format!(
        "<xml><AppId>{COMPONENT}</AppId><CreateTime>1</CreateTime><InfoType>something_new</InfoType><Extra>x</Extra></xml>"
    );
    let (q, body) = sealed(&xml, COMPONENT);
    let push = callback().open(&q, &body).expect("opens");
    match &push.kind {
        ComponentKind::Unknown(u) => assert_eq!(u.field("Extra"), Some("x")),
        other => panic!("expected Unknown, got {other:?}"),
    }
    platform.apply(&push).await.unwrap();
    assert_eq!(creds.get(&keys::verify_ticket(COMPONENT)).await.unwrap(), None);
}
