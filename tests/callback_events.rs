//! The card, invoice, store, Wi-Fi, Shake Nearby, shopping-guide and authorisation-change events
//! of `spec/callbacks.yaml`, each parsed from the sample XML of its official page into its typed
//! `EventKind` variant.
//!
//! Where a sample is used as published, the test says "official sample". Some pages pad their
//! CDATA sections with spaces (`<Event> <![CDATA[user_get_card]]> </Event>`); the parser keeps
//! text as sent, so those samples are used with the padding removed ("padding removed"); the
//! parser treats that whitespace as layout, which `padded_official_samples_parse_as_printed`
//! checks on the samples exactly as printed. Where a
//! page shows no usable sample, the XML was built from the page's field table ("built").

use wechat_oa::callback::{CallbackError, EventKind, Message, MessageKind};

/// Parses `xml`, checks it is an event named `wire`, and returns the message and its event.
fn event(xml: &str, wire: &str) -> (Message, EventKind) {
    let m = Message::parse(xml).unwrap_or_else(|e| panic!("{wire}: {e}"));
    let MessageKind::Event(e) = m.kind.clone() else { panic!("{wire}: not an event: {:?}", m.kind) };
    assert!(!matches!(e, EventKind::Unknown(_)), "{wire} parsed as Unknown: {e:?}");
    assert_eq!(e.event(), wire);
    (m, e)
}

// ---- cards and offers ----

/// Official sample, including the `//不通过为card_not_pass_check` note the page leaves inside `<xml>`.
const CARD_PASS_CHECK: &str = "<xml>
<ToUserName><![CDATA[toUser]]></ToUserName>
<FromUserName><![CDATA[FromUser]]></FromUserName>
<CreateTime>123456789</CreateTime>
<MsgType><![CDATA[event]]></MsgType>
<Event><![CDATA[card_pass_check]]></Event> //不通过为card_not_pass_check
<CardId><![CDATA[cardid]]></CardId>
<RefuseReason><![CDATA[非法代制]]></RefuseReason>
</xml>";

#[test]
fn card_pass_check() {
    let (m, e) = event(CARD_PASS_CHECK, "card_pass_check");
    let EventKind::CardPassCheck(e) = e else { panic!("{e:?}") };
    assert_eq!(m.to_user_name, "toUser");
    assert_eq!(m.from_user_name, "FromUser");
    assert_eq!(m.create_time, 123456789);
    assert_eq!(e.card_id, "cardid");
    assert_eq!(e.refuse_reason.as_deref(), Some("非法代制"));
}

#[test]
fn card_not_pass_check() {
    // The page documents the rejection as the same push with this Event value.
    let xml = CARD_PASS_CHECK.replace("[card_pass_check]", "[card_not_pass_check]");
    let (_, e) = event(&xml, "card_not_pass_check");
    let EventKind::CardNotPassCheck(e) = e else { panic!("{e:?}") };
    assert_eq!(e.card_id, "cardid");
    assert_eq!(e.refuse_reason.as_deref(), Some("非法代制"));
}

#[test]
fn user_get_card() {
    // Official sample, padding removed.
    let xml = "<xml>
<ToUserName><![CDATA[gh_fc0a06a20993]]></ToUserName>
<FromUserName><![CDATA[oZI8Fj040-be6rlDohc6gkoPOQTQ]]></FromUserName>
<CreateTime>1472551036</CreateTime>
<MsgType><![CDATA[event]]></MsgType>
<Event><![CDATA[user_get_card]]></Event>
<CardId><![CDATA[pZI8Fjwsy5fVPRBeD78J4RmqVvBc]]></CardId>
<IsGiveByFriend>0</IsGiveByFriend>
<UserCardCode><![CDATA[226009850808]]></UserCardCode>
<FriendUserName><![CDATA[]]></FriendUserName>
<OuterId>0</OuterId>
<OldUserCardCode><![CDATA[]]></OldUserCardCode>
<OuterStr><![CDATA[12b]]></OuterStr>
<IsRestoreMemberCard>0</IsRestoreMemberCard>
<IsRecommendByFriend>0</IsRecommendByFriend>
<UnionId>o6_bmasdasdsad6_2sgVt7hMZOPfL</UnionId>
</xml>";
    let (m, e) = event(xml, "user_get_card");
    let EventKind::UserGetCard(e) = e else { panic!("{e:?}") };
    assert_eq!(m.to_user_name, "gh_fc0a06a20993");
    assert_eq!(m.from_user_name, "oZI8Fj040-be6rlDohc6gkoPOQTQ");
    assert_eq!(e.card_id, "pZI8Fjwsy5fVPRBeD78J4RmqVvBc");
    assert_eq!(e.is_give_by_friend, Some(0));
    assert_eq!(e.user_card_code.as_deref(), Some("226009850808"));
    assert_eq!(e.friend_user_name.as_deref(), Some(""), "an empty CDATA is present but empty");
    assert_eq!(e.outer_id, Some(0));
    assert_eq!(e.outer_str.as_deref(), Some("12b"));
    assert_eq!(e.is_restore_member_card, Some(0));
    assert_eq!(e.is_recommend_by_friend, Some(0));
    assert_eq!(e.union_id.as_deref(), Some("o6_bmasdasdsad6_2sgVt7hMZOPfL"));
}

#[test]
fn user_gifting_card() {
    // Official sample.
    let xml = "<xml>
  <ToUserName><![CDATA[gh_3fcea188bf78]]></ToUserName>
  <FromUserName><![CDATA[obLatjjwDolFjRRd3doGIdwNqRXw]]></FromUserName>
  <CreateTime>1474181868</CreateTime>
  <MsgType><![CDATA[event]]></MsgType>
  <Event><![CDATA[user_gifting_card]]></Event>
  <CardId><![CDATA[pbLatjhU-3pik3d4PsbVzvBxZvJc]]></CardId>
  <UserCardCode><![CDATA[297466945104]]></UserCardCode>
  <IsReturnBack>0</IsReturnBack>
  <FriendUserName><![CDATA[obLatjlNerkb62HtSdQUx66C4NTU]]></FriendUserName>
  <IsChatRoom>0</IsChatRoom>
</xml>";
    let (m, e) = event(xml, "user_gifting_card");
    let EventKind::UserGiftingCard(e) = e else { panic!("{e:?}") };
    assert_eq!(m.from_user_name, "obLatjjwDolFjRRd3doGIdwNqRXw", "the giver");
    assert_eq!(e.card_id, "pbLatjhU-3pik3d4PsbVzvBxZvJc");
    assert_eq!(e.user_card_code.as_deref(), Some("297466945104"));
    assert_eq!(e.is_return_back, Some(0));
    assert_eq!(e.friend_user_name.as_deref(), Some("obLatjlNerkb62HtSdQUx66C4NTU"), "the receiver");
    assert_eq!(e.is_chat_room, Some(0));
}

#[test]
fn user_del_card() {
    // Official sample.
    let xml = "<xml>
 <ToUserName><![CDATA[toUser]]></ToUserName>
 <FromUserName><![CDATA[FromUser]]></FromUserName>
 <CreateTime>123456789</CreateTime>
 <MsgType><![CDATA[event]]></MsgType>
 <Event><![CDATA[user_del_card]]></Event>
 <CardId><![CDATA[cardid]]></CardId>
 <UserCardCode><![CDATA[12312312]]></UserCardCode>
</xml>";
    let (_, e) = event(xml, "user_del_card");
    let EventKind::UserDelCard(e) = e else { panic!("{e:?}") };
    assert_eq!(e.card_id, "cardid");
    assert_eq!(e.user_card_code.as_deref(), Some("12312312"));
}

#[test]
fn user_consume_card() {
    // Official sample, padding removed.
    let xml = "<xml>
<ToUserName><![CDATA[gh_fc0a06a20993]]></ToUserName>
<FromUserName><![CDATA[oZI8Fj040-be6rlDohc6gkoPOQTQ]]></FromUserName>
<CreateTime>1472549042</CreateTime>
<MsgType><![CDATA[event]]></MsgType>
<Event><![CDATA[user_consume_card]]></Event>
<CardId><![CDATA[pZI8Fj8y-E8hpvho2d1ZvpGwQBvA]]></CardId>
<UserCardCode><![CDATA[452998530302]]></UserCardCode>
<ConsumeSource><![CDATA[FROM_API]]></ConsumeSource>
<LocationName><![CDATA[]]></LocationName>
<StaffOpenId><![CDATA[oZ********nJ3bPJu_Rtjkw4c]]></StaffOpenId>
<VerifyCode><![CDATA[]]></VerifyCode>
<RemarkAmount><![CDATA[]]></RemarkAmount>
<OuterStr><![CDATA[xxxxx]]></OuterStr>
</xml>";
    let (m, e) = event(xml, "user_consume_card");
    let EventKind::UserConsumeCard(e) = e else { panic!("{e:?}") };
    assert_eq!(m.create_time, 1472549042);
    assert_eq!(e.card_id, "pZI8Fj8y-E8hpvho2d1ZvpGwQBvA");
    assert_eq!(e.user_card_code.as_deref(), Some("452998530302"));
    assert_eq!(e.consume_source.as_deref(), Some("FROM_API"));
    assert_eq!(e.staff_open_id.as_deref(), Some("oZ********nJ3bPJu_Rtjkw4c"));
    assert_eq!(e.remark_amount.as_deref(), Some(""));
    assert_eq!(e.outer_str.as_deref(), Some("xxxxx"));
}

#[test]
fn user_pay_from_pay_cell() {
    // Official sample: the amounts are CDATA, and OriginalFee has a trailing space.
    let xml = "<xml>
    <ToUserName><![CDATA[gh_e2243xxxxxxx]]></ToUserName>
    <FromUserName><![CDATA[oo2VNuOUuZGMxxxxxxxx]]></FromUserName>
    <CreateTime>1442390947</CreateTime>
    <MsgType><![CDATA[event]]></MsgType>
    <Event><![CDATA[user_pay_from_pay_cell]]></Event>
    <CardId><![CDATA[po2VNuCuRo-8sxxxxxxxxxxx]]></CardId>
    <UserCardCode><![CDATA[38050000000]]></UserCardCode>
    <TransId><![CDATA[10022403432015000000000]]></TransId>
    <LocationId>291710000</LocationId>
    <Fee><![CDATA[10000]]></Fee>
    <OriginalFee><![CDATA[10000]]> </OriginalFee>
</xml>";
    let (_, e) = event(xml, "user_pay_from_pay_cell");
    let EventKind::UserPayFromPayCell(e) = e else { panic!("{e:?}") };
    assert_eq!(e.card_id, "po2VNuCuRo-8sxxxxxxxxxxx");
    assert_eq!(e.trans_id.as_deref(), Some("10022403432015000000000"));
    assert_eq!(e.location_id, Some(291710000));
    assert_eq!(e.fee, Some(10000));
    assert_eq!(e.original_fee, Some(10000));
}

#[test]
fn user_view_card() {
    // Official sample, padding removed.
    let xml = "<xml>
<ToUserName><![CDATA[gh_fcxxxx6a20993]]></ToUserName>
<FromUserName><![CDATA[oZI8Fj040-xxxxx6gkoPOQTQ]]></FromUserName>
<CreateTime>1467811138</CreateTime>
<MsgType><![CDATA[event]]></MsgType>
<Event><![CDATA[user_view_card]]></Event>
<CardId><![CDATA[pZI8Fj2ezBbxxxxxT2UbiiWLb7Bg]]></CardId>
<UserCardCode><![CDATA[4xxxxxxxx8558]]></UserCardCode>
<OuterStr><![CDATA[12b]]></OuterStr>
</xml>";
    let (_, e) = event(xml, "user_view_card");
    let EventKind::UserViewCard(e) = e else { panic!("{e:?}") };
    assert_eq!(e.card_id, "pZI8Fj2ezBbxxxxxT2UbiiWLb7Bg");
    assert_eq!(e.user_card_code.as_deref(), Some("4xxxxxxxx8558"));
    assert_eq!(e.outer_str.as_deref(), Some("12b"));
}

#[test]
fn user_enter_session_from_card() {
    // Official sample.
    let xml = "<xml>
   <ToUserName><![CDATA[toUser]]></ToUserName>
    <FromUserName><![CDATA[FromUser]]></FromUserName>
    <CreateTime>123456789</CreateTime>
    <MsgType><![CDATA[event]]></MsgType>
    <Event><![CDATA[user_enter_session_from_card]]></Event>
    <CardId><![CDATA[cardid]]></CardId>
    <UserCardCode><![CDATA[12312312]]></UserCardCode>
</xml>";
    let (_, e) = event(xml, "user_enter_session_from_card");
    let EventKind::UserEnterSessionFromCard(e) = e else { panic!("{e:?}") };
    assert_eq!(e.card_id, "cardid");
    assert_eq!(e.user_card_code.as_deref(), Some("12312312"));
}

#[test]
fn update_member_card() {
    // Official sample.
    let xml = "<xml>
  <ToUserName><![CDATA[gh_9e1765b5568e]]></ToUserName>
    <FromUserName><![CDATA[ojZ8YtyVyr30HheH3CM73y7h4jJE]]></FromUserName>
    <CreateTime>1445507140</CreateTime>
    <MsgType><![CDATA[event]]></MsgType>
    <Event><![CDATA[update_member_card]]></Event>
    <CardId><![CDATA[pjZ8Ytx-nwvpCRyQneH3Ncmh6N94]]></CardId>
    <UserCardCode><![CDATA[485027611252]]></UserCardCode>
    <ModifyBonus>3</ModifyBonus>
    <ModifyBalance>0</ModifyBalance>
</xml>";
    let (_, e) = event(xml, "update_member_card");
    let EventKind::UpdateMemberCard(e) = e else { panic!("{e:?}") };
    assert_eq!(e.card_id, "pjZ8Ytx-nwvpCRyQneH3Ncmh6N94");
    assert_eq!(e.modify_bonus, Some(3));
    assert_eq!(e.modify_balance, Some(0));

    // A deduction is a negative change.
    let spent = xml.replace("<ModifyBonus>3</ModifyBonus>", "<ModifyBonus>-20</ModifyBonus>");
    let (_, e) = event(&spent, "update_member_card");
    let EventKind::UpdateMemberCard(e) = e else { panic!("{e:?}") };
    assert_eq!(e.modify_bonus, Some(-20));
}

#[test]
fn card_sku_remind() {
    // Official sample (the page masks the ids with asterisks).
    let xml = "<xml>
   <ToUserName><![CDATA[gh_2d62d*****0]]></ToUserName>
    <FromUserName><![CDATA[oa3LFuBvWb7*********]]></FromUserName>
    <CreateTime>1443838506</CreateTime>
    <MsgType><![CDATA[event]]></MsgType>
    <Event><![CDATA[card_sku_remind]]></Event>
    <CardId><![CDATA[pa3LFuAh2P65**********]]></CardId>
    <Detail><![CDATA[the card's quantity is equal to 0]]></Detail>
</xml>";
    let (_, e) = event(xml, "card_sku_remind");
    let EventKind::CardSkuRemind(e) = e else { panic!("{e:?}") };
    assert_eq!(e.card_id, "pa3LFuAh2P65**********");
    assert_eq!(e.detail.as_deref(), Some("the card's quantity is equal to 0"));
}

#[test]
fn card_pay_order() {
    // Official sample.
    let xml = "<xml>
   <ToUserName><![CDATA[gh_7223c83d4be5]]></ToUserName>
    <FromUserName><![CDATA[ob5E7s-HoN9tslQY3-0I4qmgluHk]]></FromUserName>
    <CreateTime>1453295737</CreateTime>
    <MsgType><![CDATA[event]]></MsgType>
    <Event><![CDATA[card_pay_order]]></Event>
    <OrderId><![CDATA[404091456]]></OrderId>
    <Status><![CDATA[ORDER_STATUS_FINANCE_SUCC]]></Status>
    <CreateOrderTime>1453295737</CreateOrderTime>
    <PayFinishTime>0</PayFinishTime>
    <Desc><![CDATA[]]></Desc>
    <FreeCoinCount><![CDATA[200]]></FreeCoinCount>
    <PayCoinCount><![CDATA[0]]></PayCoinCount>
    <RefundFreeCoinCount><![CDATA[0]]></RefundFreeCoinCount>
    <RefundPayCoinCount><![CDATA[0]]></RefundPayCoinCount>
    <OrderType><![CDATA[ORDER_TYPE_SYS_ADD]]></OrderType>
    <Memo><![CDATA[开通账户奖励]]></Memo>
    <ReceiptInfo><![CDATA[]]></ReceiptInfo>
</xml>";
    let (_, e) = event(xml, "card_pay_order");
    let EventKind::CardPayOrder(e) = e else { panic!("{e:?}") };
    assert_eq!(e.order_id, "404091456");
    assert_eq!(e.status.as_deref(), Some("ORDER_STATUS_FINANCE_SUCC"));
    assert_eq!(e.create_order_time, Some(1453295737));
    assert_eq!(e.pay_finish_time, Some(0));
    assert_eq!(e.free_coin_count, Some(200.0));
    assert_eq!(e.pay_coin_count, Some(0.0));
    assert_eq!(e.order_type.as_deref(), Some("ORDER_TYPE_SYS_ADD"));
    assert_eq!(e.memo.as_deref(), Some("开通账户奖励"));
}

#[test]
fn submit_membercard_user_info() {
    // Official sample, padding removed (the page writes `<ToUserName> <![CDATA[..`).
    let xml = "<xml>
   <ToUserName><![CDATA[gh_3fcea188bf78]]></ToUserName>
    <FromUserName><![CDATA[obLatjlaNQKb8FqOvt1M1x1lIBFE]]></FromUserName>
    <CreateTime>1432668700</CreateTime>
    <MsgType><![CDATA[event]]></MsgType>
    <Event><![CDATA[submit_membercard_user_info]]></Event>
    <CardId><![CDATA[pbLatjtZ7v1BG_ZnTjbW85GYc_E8]]></CardId>
    <UserCardCode><![CDATA[018255396048]]></UserCardCode>
</xml>";
    let (m, e) = event(xml, "submit_membercard_user_info");
    let EventKind::SubmitMembercardUserInfo(e) = e else { panic!("{e:?}") };
    assert_eq!(m.to_user_name, "gh_3fcea188bf78");
    assert_eq!(e.card_id, "pbLatjtZ7v1BG_ZnTjbW85GYc_E8");
    assert_eq!(e.user_card_code.as_deref(), Some("018255396048"), "a leading zero survives");
}

#[test]
fn a_card_event_without_its_card_id_is_refused() {
    let xml = CARD_PASS_CHECK.replace("<CardId><![CDATA[cardid]]></CardId>", "");
    match Message::parse(&xml) {
        Err(CallbackError::MissingField { field, .. }) => assert_eq!(field, "CardId"),
        other => panic!("expected MissingField(CardId), got {other:?}"),
    }
}

// ---- invoices ----

#[test]
fn user_authorize_invoice() {
    // The page's sample writes `< AuthorizeAppId ><![CDATA[]]></ AuthorizeAppId >`, which is not
    // XML; it is refused as such. The test push is built from the page's field table.
    let published = "<xml>
   <ToUserName><![CDATA[gh_fc0a06a20993]]></ToUserName>
   <FromUserName><![CDATA[oZI8Fj040-be6rlDohc6gkoPOQTQ]]></FromUserName>
   <CreateTime>1475134700</CreateTime>
   <MsgType><![CDATA[event]]></MsgType>
   <Event><![CDATA[user_authorize_invoice]]></Event>
   <SuccOrderId><![CDATA[1202933957956]]></SuccOrderId>
   <FailOrderId><![CDATA[]]></FailOrderId> < AuthorizeAppId ><![CDATA[]]></ AuthorizeAppId > <Source><![CDATA[]]></Source>
</xml>";
    assert!(matches!(Message::parse(published), Err(CallbackError::MalformedXml(_))));

    let built = "<xml>
<ToUserName><![CDATA[gh_fc0a06a20993]]></ToUserName>
<FromUserName><![CDATA[oZI8Fj040-be6rlDohc6gkoPOQTQ]]></FromUserName>
<CreateTime>1475134700</CreateTime>
<MsgType><![CDATA[event]]></MsgType>
<Event><![CDATA[user_authorize_invoice]]></Event>
<SuccOrderId><![CDATA[1202933957956]]></SuccOrderId>
<FailOrderId><![CDATA[]]></FailOrderId>
<AuthorizeAppId><![CDATA[wx1234567887654321]]></AuthorizeAppId>
<Source><![CDATA[web]]></Source>
</xml>";
    let (_, e) = event(built, "user_authorize_invoice");
    let EventKind::UserAuthorizeInvoice(e) = e else { panic!("{e:?}") };
    assert_eq!(e.succ_order_id.as_deref(), Some("1202933957956"));
    assert_eq!(e.fail_order_id.as_deref(), Some(""));
    assert_eq!(e.authorize_app_id.as_deref(), Some("wx1234567887654321"));
    assert_eq!(e.source.as_deref(), Some("web"));
}

#[test]
fn update_invoice_status() {
    // The invoicing-platform page's sample.
    let xml = "<xml>
<ToUserName><![CDATA[gh_9e1765b5568e]]></ToUserName>
<FromUserName><![CDATA[ojZ8Ytz4lESgdWZ34L_R1TvB2Kds]]></FromUserName>
<CreateTime>1478068440</CreateTime>
<MsgType><![CDATA[event]]></MsgType>
<Event><![CDATA[update_invoice_status]]></Event>
<Status><![CDATA[INVOICE_REIMBURSE_INIT]]></Status>
<CardId><![CDATA[pjZ8Yt7Um2jYxzneP8GomnxoVFWo]]></CardId>
<Code><![CDATA[186921658591]]></Code>
</xml>";
    let (_, e) = event(xml, "update_invoice_status");
    let EventKind::UpdateInvoiceStatus(e) = e else { panic!("{e:?}") };
    assert_eq!(e.status.as_deref(), Some("INVOICE_REIMBURSE_INIT"));
    assert_eq!(e.card_id.as_deref(), Some("pjZ8Yt7Um2jYxzneP8GomnxoVFWo"));
    assert_eq!(e.code.as_deref(), Some("186921658591"));
}

// ---- stores, Wi-Fi, Shake Nearby, shopping guides ----

#[test]
fn poi_check_notify() {
    // Official sample; note the lower-case `msg` element.
    let xml = "<xml>
<ToUserName><![CDATA[toUser]]></ToUserName>
<FromUserName><![CDATA[fromUser]]></FromUserName>
<CreateTime>1408622107</CreateTime>
<MsgType><![CDATA[event]]></MsgType>
<Event><![CDATA[poi_check_notify]]></Event>
<UniqId><![CDATA[123adb]]></UniqId>
<PoiId><![CDATA[123123]]></PoiId>
<Result><![CDATA[fail]]></Result>
<msg><![CDATA[xxxxxx]]></msg>
</xml>";
    let (_, e) = event(xml, "poi_check_notify");
    let EventKind::PoiCheckNotify(e) = e else { panic!("{e:?}") };
    assert_eq!(e.uniq_id.as_deref(), Some("123adb"));
    assert_eq!(e.poi_id.as_deref(), Some("123123"));
    assert_eq!(e.result.as_deref(), Some("fail"));
    assert_eq!(e.msg.as_deref(), Some("xxxxxx"));
}

#[test]
fn wifi_connected() {
    // Official sample. The page drops the `<` of three CDATA sections (`![CDATA[..]]`), so those
    // arrive as plain text and are kept exactly as sent.
    let xml = "<xml>
<ToUserName><![CDATA[toUser]]></ToUserName>
<FromUserName><![CDATA[FromUser]]></FromUserName>
<CreateTime>123456789</CreateTime>
<MsgType><![CDATA[event]]></MsgType>
<Event><![CDATA[WifiConnected]]></Event>
<ConnectTime>0</ConnectTime>
<ExpireTime>0</ExpireTime>
<VendorId>![CDATA[3001224419]]</VendorId>
<ShopId>![CDATA[PlaceId]]</ShopId>
<DeviceNo>![CDATA[DeviceNo]]</DeviceNo>
</xml>";
    let (_, e) = event(xml, "WifiConnected");
    let EventKind::WifiConnected(e) = e else { panic!("{e:?}") };
    assert_eq!(e.connect_time, Some(0));
    assert_eq!(e.expire_time, Some(0));
    assert_eq!(e.vendor_id.as_deref(), Some("![CDATA[3001224419]]"));
    assert_eq!(e.shop_id.as_deref(), Some("![CDATA[PlaceId]]"));

    // A well-formed push with real values.
    let real = xml
        .replace("<ConnectTime>0</ConnectTime>", "<ConnectTime>1700000000</ConnectTime>")
        .replace("![CDATA[PlaceId]]", "<![CDATA[429620]]>")
        .replace("![CDATA[DeviceNo]]", "<![CDATA[00:1f:7a:ad:5c:a8]]>");
    let (_, e) = event(&real, "WifiConnected");
    let EventKind::WifiConnected(e) = e else { panic!("{e:?}") };
    assert_eq!(e.connect_time, Some(1_700_000_000));
    assert_eq!(e.shop_id.as_deref(), Some("429620"));
    assert_eq!(e.device_no.as_deref(), Some("00:1f:7a:ad:5c:a8"));
}

/// Official sample: `major` and `minor` are placeholders where a real push has numbers.
const SHAKE: &str = "<xml>
  <ToUserName><![CDATA[toUser]]></ToUserName>
  <FromUserName><![CDATA[fromUser]]></FromUserName>
  <CreateTime>1433332012</CreateTime>
  <MsgType><![CDATA[event]]></MsgType>
  <Event><![CDATA[ShakearoundUserShake]]></Event>
  <ChosenBeacon>
    <Uuid><![CDATA[uuid]]></Uuid>
    <Major>major</Major>
    <Minor>minor</Minor>
    <Distance>0.057</Distance>
  </ChosenBeacon>
  <AroundBeacons>
    <AroundBeacon>
      <Uuid><![CDATA[uuid]]></Uuid>
      <Major>major</Major>
      <Minor>minor</Minor>
      <Distance>166.816</Distance>
    </AroundBeacon>
    <AroundBeacon>
      <Uuid><![CDATA[uuid]]></Uuid>
      <Major>major</Major>
      <Minor>minor</Minor>
      <Distance>15.013</Distance>
    </AroundBeacon>
  </AroundBeacons>
</xml>";

#[test]
fn shakearound_user_shake() {
    // The placeholders are not numbers: the field is named in the error.
    match Message::parse(SHAKE) {
        Err(CallbackError::BadField { field, value }) => {
            assert_eq!(field, "Major");
            assert_eq!(value, "major");
        }
        other => panic!("expected BadField(Major), got {other:?}"),
    }

    // The same push with numbers in place of the placeholders.
    let xml = SHAKE
        .replace("<Uuid><![CDATA[uuid]]></Uuid>", "<Uuid><![CDATA[FDA50693-A4E2-4FB1-AFCF-C6EB07647825]]></Uuid>")
        .replacen("<Major>major</Major>", "<Major>10001</Major>", 1)
        .replacen("<Minor>minor</Minor>", "<Minor>19007</Minor>", 1)
        .replace("<Major>major</Major>", "<Major>10002</Major>")
        .replace("<Minor>minor</Minor>", "<Minor>19008</Minor>");
    let (_, e) = event(&xml, "ShakearoundUserShake");
    let EventKind::ShakearoundUserShake(e) = e else { panic!("{e:?}") };
    let chosen = e.chosen_beacon.expect("ChosenBeacon");
    assert_eq!(chosen.uuid.as_deref(), Some("FDA50693-A4E2-4FB1-AFCF-C6EB07647825"));
    assert_eq!(chosen.major, Some(10001));
    assert_eq!(chosen.minor, Some(19007));
    assert_eq!(chosen.distance, Some(0.057));
    assert_eq!(e.around_beacons.len(), 2);
    let distances: Vec<_> = e.around_beacons.iter().map(|b| b.distance).collect();
    assert_eq!(distances, vec![Some(166.816), Some(15.013)], "document order");
    assert!(e.around_beacons.iter().all(|b| b.major == Some(10002) && b.minor == Some(19008)));
}

#[test]
fn guide_qrcode_scan_event() {
    // Official sample (its string values are also missing the `<` of CDATA and are kept as text).
    let xml = "<xml>
  <ToUserName><![CDATA[toUser]]></ToUserName>
  <FromUserName><![CDATA[fromUser]]></FromUserName>
  <CreateTime>1546924844</CreateTime>
  <MsgType><![CDATA[event]]></MsgType>
  <Event><![CDATA[guide_qrcode_scan_event]]></Event>
  <GuideScanEvent>
    <qrcode_guide_account>![CDATA[xxx]]</qrcode_guide_account>
    <qrcode_guide_openid>![CDATA[xxx]]</qrcode_guide_openid>
    <openid>![CDATA[xxx]]</openid>
    <action>11</action>
    <qrcode_info>![CDATA[xxx]]</qrcode_info>
  </GuideScanEvent>
</xml>";
    let (m, e) = event(xml, "guide_qrcode_scan_event");
    let EventKind::GuideQrcodeScan(e) = e else { panic!("{e:?}") };
    assert_eq!(m.create_time, 1546924844);
    let scan = e.guide_scan_event.expect("GuideScanEvent");
    assert_eq!(scan.action, Some(11));
    assert_eq!(scan.openid.as_deref(), Some("![CDATA[xxx]]"));
    assert!(scan.qrcode_guide_account.is_some() && scan.qrcode_info.is_some());

    // A real push: bound successfully (action 2).
    let real = "<xml><ToUserName><![CDATA[gh_0123456789ab]]></ToUserName>\
        <FromUserName><![CDATA[oUser0000000000000000000001]]></FromUserName><CreateTime>1700000000</CreateTime>\
        <MsgType><![CDATA[event]]></MsgType><Event><![CDATA[guide_qrcode_scan_event]]></Event>\
        <GuideScanEvent><qrcode_guide_account><![CDATA[guide_wx]]></qrcode_guide_account>\
        <openid><![CDATA[oUser0000000000000000000001]]></openid><action>2</action>\
        <qrcode_info><![CDATA[store-12]]></qrcode_info></GuideScanEvent></xml>";
    let (_, e) = event(real, "guide_qrcode_scan_event");
    let EventKind::GuideQrcodeScan(e) = e else { panic!("{e:?}") };
    let scan = e.guide_scan_event.expect("GuideScanEvent");
    assert_eq!(scan.qrcode_guide_account.as_deref(), Some("guide_wx"));
    assert_eq!(scan.qrcode_guide_openid, None, "absent element");
    assert_eq!(scan.action, Some(2));
    assert_eq!(scan.qrcode_info.as_deref(), Some("store-12"));
}

// ---- web authorisation changes ----

/// Official sample.
const REVOKE: &str = "<xml>
<ToUserName><![CDATA[gh_870882ca4b1]]></ToUserName>
<FromUserName><![CDATA[owAqB1v0ahK_Xlc7GshIDdf2yf7E]]></FromUserName>
<CreateTime>1626857200</CreateTime>
<MsgType><![CDATA[event]]></MsgType>
<Event><![CDATA[user_authorization_revoke]]></Event>
<OpenID><![CDATA[owAqB1nqaOYYWl0Ng484G2z5NIwU]]></OpenID>
<AppID><![CDATA[wx13974bf780d3dc89]]></AppID>
<RevokeInfo><![CDATA[1]]></RevokeInfo>
</xml>";

#[test]
fn user_authorization_revoke() {
    let (m, e) = event(REVOKE, "user_authorization_revoke");
    let EventKind::UserAuthorizationRevoke(e) = e else { panic!("{e:?}") };
    assert_eq!(m.from_user_name, "owAqB1v0ahK_Xlc7GshIDdf2yf7E", "the platform's push account");
    assert_eq!(e.open_id.as_deref(), Some("owAqB1nqaOYYWl0Ng484G2z5NIwU"), "the user");
    assert_eq!(e.app_id.as_deref(), Some("wx13974bf780d3dc89"));
    assert_eq!(e.revoke_info.as_deref(), Some("1"));
    assert_eq!(e.union_id, None);
}

#[test]
fn user_info_modified_and_user_authorization_cancellation() {
    // Built: the page documents both as the same push with another Event value (and no
    // RevokeInfo); UnionID is in its field table.
    for wire in ["user_info_modified", "user_authorization_cancellation"] {
        let xml = REVOKE.replace("[user_authorization_revoke]", &format!("[{wire}]")).replace(
            "<RevokeInfo><![CDATA[1]]></RevokeInfo>",
            "<UnionID><![CDATA[oUnion000000000000000000001]]></UnionID>",
        );
        let (_, e) = event(&xml, wire);
        let (open_id, union_id, app_id) = match &e {
            EventKind::UserInfoModified(e) => (&e.open_id, &e.union_id, &e.app_id),
            EventKind::UserAuthorizationCancellation(e) => (&e.open_id, &e.union_id, &e.app_id),
            other => panic!("{wire}: {other:?}"),
        };
        assert_eq!(open_id.as_deref(), Some("owAqB1nqaOYYWl0Ng484G2z5NIwU"), "{wire}");
        assert_eq!(union_id.as_deref(), Some("oUnion000000000000000000001"), "{wire}");
        assert_eq!(app_id.as_deref(), Some("wx13974bf780d3dc89"), "{wire}");
    }
}

// ---- events the spec does not list ----

#[test]
fn an_event_not_in_the_spec_is_unknown_and_keeps_its_fields() {
    let xml = "<xml>
<ToUserName><![CDATA[gh_0123456789ab]]></ToUserName>
<FromUserName><![CDATA[oUser0000000000000000000001]]></FromUserName>
<CreateTime>1700000100</CreateTime>
<MsgType><![CDATA[event]]></MsgType>
<Event><![CDATA[some_future_card_event]]></Event>
<CardId><![CDATA[pFuture0000000000000000000]]></CardId>
<Detail>
  <Step>1</Step>
  <Step>2</Step>
</Detail>
</xml>";
    let m = Message::parse(xml).expect("an unknown event is not an error");
    assert_eq!(m.create_time, 1700000100);
    let MessageKind::Event(EventKind::Unknown(u)) = &m.kind else { panic!("{:?}", m.kind) };
    assert_eq!(u.type_name, "some_future_card_event");
    assert_eq!(m.kind.msg_type(), "event");
    assert_eq!(u.field("CardId"), Some("pFuture0000000000000000000"));
    let detail = u.raw.child("Detail").expect("nested element kept");
    let steps: Vec<&str> = detail.children.iter().map(|c| c.text.as_ref()).collect();
    assert_eq!(steps, ["1", "2"]);
    assert_eq!(u.raw.children.len(), 7, "every element of the push is kept");
}

#[test]
fn padded_official_samples_parse_as_printed() {
    // The user_get_card page prints its sample with spaces around the CDATA sections.
    let xml = "<xml> <ToUserName> <![CDATA[gh_fc0a06a20993]]> </ToUserName> \
<FromUserName> <![CDATA[oZI8Fj040-be6rlDohc6gkoPOQTQ]]> </FromUserName> \
<CreateTime>1472551036</CreateTime> <MsgType> <![CDATA[event]]> </MsgType> \
<Event> <![CDATA[user_get_card]]> </Event> <CardId> <![CDATA[pZI8Fjwsy5fVPRBeD78J4RmqVvBc]]> </CardId> \
<IsGiveByFriend>0</IsGiveByFriend> <UserCardCode> <![CDATA[226009850808]]> </UserCardCode> </xml>";
    let (m, e) = event(xml, "user_get_card");
    let EventKind::UserGetCard(e) = e else { panic!("{e:?}") };
    assert_eq!(m.to_user_name, "gh_fc0a06a20993");
    assert_eq!(e.card_id, "pZI8Fjwsy5fVPRBeD78J4RmqVvBc");
    assert_eq!(e.user_card_code.as_deref(), Some("226009850808"));
}
