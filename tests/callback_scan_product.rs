//! The WeChat Scan (扫一扫) product-page events of `spec/callbacks.yaml`, each parsed into its
//! typed `EventKind` variant. `user_scan_product` uses the official sample (Scan_QR_Code_Events_Push,
//! 打开商品主页事件推送) as printed; the stored copy of that page ends before the other three
//! samples, so their XML is built from the field names of the page's sections ("built").

use wechat_oa::callback::{EventKind, Message, MessageKind};

fn event(xml: &str, wire: &str) -> (Message, EventKind) {
    let m = Message::parse(xml).unwrap_or_else(|e| panic!("{wire}: {e}"));
    let MessageKind::Event(e) = m.kind.clone() else { panic!("{wire}: not an event: {:?}", m.kind) };
    assert!(!matches!(e, EventKind::Unknown(_)), "{wire} parsed as Unknown: {e:?}");
    assert_eq!(e.event(), wire);
    (m, e)
}

#[test]
fn user_scan_product() {
    // Official sample (its elements as printed; the stored copy runs them onto one line).
    let xml = "<xml> <ToUserName><![CDATA[gh_4e47c9c9ecad]]></ToUserName> <FromUserName><![CDATA[okkeXs1nI-xU4ql8-5BXkv1f0gDo]]></FromUserName> <CreateTime>1438250110</CreateTime> <MsgType><![CDATA[event]]></MsgType> <Event><![CDATA[user_scan_product]]></Event> <KeyStandard><![CDATA[ean13]]></KeyStandard> <KeyStr><![CDATA[6901481811083]]></KeyStr> <Country><![CDATA[中国]]></Country> <Province><![CDATA[广东]]></Province> <City><![CDATA[揭阳]]></City> <Sex>1</Sex> <Scene>2</Scene> <ExtInfo><![CDATA[123]]></ExtInfo> </xml>";
    let (m, e) = event(xml, "user_scan_product");
    let EventKind::UserScanProduct(e) = e else { panic!("{e:?}") };
    assert_eq!(m.to_user_name, "gh_4e47c9c9ecad");
    assert_eq!(m.from_user_name, "okkeXs1nI-xU4ql8-5BXkv1f0gDo");
    assert_eq!(m.create_time, 1438250110);
    assert_eq!((e.key_standard.as_str(), e.key_str.as_str()), ("ean13", "6901481811083"));
    assert_eq!(e.country.as_deref(), Some("中国"));
    assert_eq!(e.province.as_deref(), Some("广东"));
    assert_eq!(e.city.as_deref(), Some("揭阳"));
    assert_eq!(e.sex, Some(1));
    assert_eq!(e.scene, Some(2), "2 = opened from a chat, Favorites or Moments");
    assert_eq!(e.ext_info.as_deref(), Some("123"));
}

#[test]
fn user_scan_product_enter_session() {
    // Built.
    let xml = "<xml>
<ToUserName><![CDATA[gh_sandbox]]></ToUserName>
<FromUserName><![CDATA[oSandboxUser]]></FromUserName>
<CreateTime>1700000000</CreateTime>
<MsgType><![CDATA[event]]></MsgType>
<Event><![CDATA[user_scan_product_enter_session]]></Event>
<KeyStandard><![CDATA[ean13]]></KeyStandard>
<KeyStr><![CDATA[6900000000017]]></KeyStr>
<ExtInfo><![CDATA[shelf-7]]></ExtInfo>
</xml>";
    let (_, e) = event(xml, "user_scan_product_enter_session");
    let EventKind::UserScanProductEnterSession(e) = e else { panic!("{e:?}") };
    assert_eq!((e.key_standard.as_str(), e.key_str.as_str()), ("ean13", "6900000000017"));
    assert_eq!(e.ext_info.as_deref(), Some("shelf-7"));
}

#[test]
fn user_scan_product_async() {
    // Built; RegionCode is an administrative-division code, kept as text.
    let xml = "<xml>
<ToUserName><![CDATA[gh_sandbox]]></ToUserName>
<FromUserName><![CDATA[oSandboxUser]]></FromUserName>
<CreateTime>1700000001</CreateTime>
<MsgType><![CDATA[event]]></MsgType>
<Event><![CDATA[user_scan_product_async]]></Event>
<KeyStandard><![CDATA[qrcode]]></KeyStandard>
<KeyStr><![CDATA[sandbox-product]]></KeyStr>
<ExtInfo><![CDATA[]]></ExtInfo>
<RegionCode><![CDATA[440106]]></RegionCode>
</xml>";
    let (_, e) = event(xml, "user_scan_product_async");
    let EventKind::UserScanProductAsync(e) = e else { panic!("{e:?}") };
    assert_eq!(e.key_standard, "qrcode");
    assert_eq!(e.region_code.as_deref(), Some("440106"));
    assert_eq!(e.ext_info.as_deref(), Some(""), "present but empty");
}

#[test]
fn user_scan_product_verify_action() {
    // Built.
    let xml = "<xml>
<ToUserName><![CDATA[gh_sandbox]]></ToUserName>
<FromUserName><![CDATA[oSandboxUser]]></FromUserName>
<CreateTime>1700000002</CreateTime>
<MsgType><![CDATA[event]]></MsgType>
<Event><![CDATA[user_scan_product_verify_action]]></Event>
<KeyStandard><![CDATA[ean13]]></KeyStandard>
<KeyStr><![CDATA[6900000000017]]></KeyStr>
<Result><![CDATA[verify_ok]]></Result>
<ReasonMsg><![CDATA[]]></ReasonMsg>
</xml>";
    let (_, e) = event(xml, "user_scan_product_verify_action");
    let EventKind::UserScanProductVerifyAction(e) = e else { panic!("{e:?}") };
    assert_eq!(e.key_str, "6900000000017");
    assert_eq!(e.result.as_deref(), Some("verify_ok"));
    assert_eq!(e.reason_msg.as_deref(), Some(""));
}

#[test]
fn an_inbound_file_message_is_kept_whole_as_unknown() {
    // The official-account docs document no `file` message (the community answer: 目前不支持文件消息),
    // so it is not in the spec; should WeChat send one, nothing is lost.
    let xml = "<xml>
<ToUserName><![CDATA[gh_sandbox]]></ToUserName>
<FromUserName><![CDATA[oSandboxUser]]></FromUserName>
<CreateTime>1700000003</CreateTime>
<MsgType><![CDATA[file]]></MsgType>
<Title><![CDATA[report.pdf]]></Title>
<FileKey><![CDATA[key]]></FileKey>
<MsgId>1234567890123456</MsgId>
</xml>";
    let m = Message::parse(xml).expect("parse");
    assert!(matches!(m.kind, MessageKind::Unknown(_)), "{:?}", m.kind);
}
