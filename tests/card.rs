//! The `card` area (卡券) through the generated client, against the sandbox: a card kind
//! created is got, listed, updated, restocked and deleted; a follower takes a card and its code
//! is looked up, decrypted, listed in the user's wallet, consumed once (the second consume is
//! refused with 40099), changed or made unavailable; member cards are activated and their
//! points updated; tickets take their seats; QR codes, shelves, deposited codes, sub-merchants
//! and the card analytics answer from the sandbox's state.

mod common;

use serde_json::{json, Value};
use wechat_oa::api::card::{CardCodeStatus, CardQrAction, CardStatus};
use wechat_oa::Client;
use wechat_oa_sandbox::Sandbox;

/// A card kind of `card_type` with `quantity` codes in stock: its card_id.
async fn new_card(client: &Client, card_type: &str, title: &str, quantity: i64) -> String {
    let key = card_type.to_ascii_lowercase();
    let mut card = json!({ "card_type": card_type });
    card[&key] = json!({
        "base_info": {
            "logo_url": "http://mmbiz.qpic.cn/mmbiz/sandbox/0",
            "brand_name": "沙盒商户",
            "code_type": "CODE_TYPE_TEXT",
            "title": title,
            "color": "Color010",
            "notice": "使用时向服务员出示此券",
            "description": "不可与其他优惠同享",
            "date_info": { "type": "DATE_TYPE_FIX_TERM", "fixed_term": 30, "fixed_begin_term": 0 },
            "sku": { "quantity": quantity }
        }
    });
    let id = client.card().create(card).send().await.expect("create").card_id;
    assert!(id.starts_with('p') && id.len() > 10, "{id}");
    id
}

/// The client refused the request before sending it (a documented limit).
fn refused<T>(r: Result<T, wechat_oa::Error>) -> bool {
    matches!(r, Err(wechat_oa::Error::InvalidRequest { .. }))
}

fn first_user(sb: &Sandbox) -> String {
    sb.users().into_iter().next().expect("the sandbox has followers")
}

#[tokio::test]
async fn a_created_card_is_got_listed_updated_restocked_and_deleted() {
    let sb = common::sandbox().await;
    let client = common::client(&sb);
    let cards = client.card();
    let a = new_card(&client, "GENERAL_COUPON", "满100减10", 5).await;
    let b = new_card(&client, "CASH", "代金券", 1).await;
    assert_ne!(a, b);

    let got = cards.get(a.as_str()).send().await.expect("get").card.expect("card");
    assert_eq!(got["card_type"], "GENERAL_COUPON");
    assert_eq!(got["general_coupon"]["base_info"]["title"], "满100减10");
    assert_eq!(got["general_coupon"]["base_info"]["id"], Value::from(a.clone()));
    assert_eq!(got["general_coupon"]["base_info"]["sku"]["quantity"], 5);
    assert_eq!(common::code(cards.get("pNoSuchCard").send().await), 40073);

    let page = cards.batch_get(0, 50).send().await.expect("batchget");
    assert_eq!(page.card_id_list, vec![a.clone(), b.clone()]);
    assert_eq!(page.total_num, Some(2));
    let second = cards.batch_get(1, 1).send().await.expect("batchget page 2");
    assert_eq!(second.card_id_list, vec![b.clone()]);
    assert!(refused(cards.batch_get(0, 51).send().await), "count above 50 is refused before sending");

    let changed = cards
        .update(a.as_str())
        .general_coupon(json!({ "base_info": { "description": "周末可用", "color": "Color020" } }))
        .send()
        .await
        .expect("update");
    assert_eq!(changed.send_check, Some(false));
    let got = cards.get(a.as_str()).send().await.expect("get").card.expect("card");
    assert_eq!(got["general_coupon"]["base_info"]["description"], "周末可用");
    assert_eq!(got["general_coupon"]["base_info"]["title"], "满100减10", "untouched fields stay");
    assert_eq!(common::code(cards.update(a.as_str()).cash(json!({})).send().await), 40035, "wrong kind's object");

    cards.modify_stock(a.as_str()).increase_stock_value(10).reduce_stock_value(3).send().await.expect("stock");
    let got = cards.get(a.as_str()).send().await.expect("get").card.expect("card");
    assert_eq!(got["general_coupon"]["base_info"]["sku"]["quantity"], 12);
    assert_eq!(common::code(cards.modify_stock(a.as_str()).reduce_stock_value(13).send().await), 40035);

    cards.delete(b.as_str()).send().await.expect("delete");
    let deleted = cards.batch_get(0, 50).status_list(vec![CardStatus::Delete]).send().await.expect("deleted");
    assert_eq!(deleted.card_id_list, vec![b.clone()]);
    let approved = cards.batch_get(0, 50).status_list(vec![CardStatus::VerifyOk]).send().await.expect("ok");
    assert_eq!(approved.card_id_list, vec![a.clone()]);
    assert!(sb.take_card(&b, &first_user(&sb)).is_none(), "a deleted card cannot be taken");
    sb.shutdown().await;
}

#[tokio::test]
async fn a_taken_code_is_looked_up_listed_and_consumed_only_once() {
    let sb = common::sandbox().await;
    let client = common::client(&sb);
    let cards = client.card();
    let openid = first_user(&sb);
    let id = new_card(&client, "GROUPON", "双人套餐", 2).await;
    let code = sb.take_card(&id, &openid).expect("take");
    let other = sb.take_card(&id, &openid).expect("take again");
    assert_ne!(code, other);
    assert!(sb.take_card(&id, &openid).is_none(), "out of stock");
    let got = cards.get(id.as_str()).send().await.expect("get").card.expect("card");
    assert_eq!(got["groupon"]["base_info"]["sku"]["quantity"], 0);

    let looked = cards.code_get(code.as_str()).card_id(id.as_str()).send().await.expect("code/get");
    assert_eq!(looked.openid.as_deref(), Some(openid.as_str()));
    assert_eq!(looked.card.as_ref().map(|c| c.card_id.as_str()), Some(id.as_str()));
    assert_eq!(looked.can_consume, Some(true));
    assert_eq!(looked.user_card_status, Some(CardCodeStatus::Normal));
    assert_eq!(common::code(cards.code_get("000000000000").send().await), 40056);
    assert_eq!(common::code(cards.code_get(code.as_str()).card_id("pOther").send().await), 40056);

    let wallet = cards.user_card_list(openid.as_str()).send().await.expect("getcardlist");
    assert_eq!(wallet.card_list.len(), 2);
    assert!(wallet.card_list.iter().all(|c| c.card_id == id));

    let encrypted = sb.card_encrypt_code(&code).expect("encrypt");
    assert_ne!(encrypted, code);
    assert_eq!(cards.code_decrypt(encrypted.as_str()).send().await.expect("decrypt").code, code);
    assert_eq!(common::code(cards.code_decrypt("not-an-encrypt-code").send().await), 40075);

    let consumed = cards.code_consume(code.as_str()).card_id(id.as_str()).send().await.expect("consume");
    assert_eq!(consumed.openid.as_deref(), Some(openid.as_str()));
    assert_eq!(consumed.card.map(|c| c.card_id), Some(id.clone()));
    assert_eq!(common::code(cards.code_consume(code.as_str()).send().await), 40099, "consumed once only");
    assert_eq!(common::code(cards.code_get(code.as_str()).send().await), 40099);
    let state = cards.code_get(code.as_str()).check_consume(false).send().await.expect("unchecked get");
    assert_eq!(state.user_card_status, Some(CardCodeStatus::Consumed));
    assert_eq!(state.can_consume, Some(false));

    let wallet = cards.user_card_list(openid.as_str()).card_id(id.as_str()).send().await.expect("list");
    let left: Vec<&str> = wallet.card_list.iter().map(|c| c.code.as_str()).collect();
    assert_eq!(left, vec![other.as_str()], "a consumed code leaves the wallet");
    assert_eq!(common::code(cards.user_card_list("oNotAFollower").send().await), 40003);
    sb.shutdown().await;
}

#[tokio::test]
async fn a_code_changed_or_made_unavailable_stops_working() {
    let sb = common::sandbox().await;
    let client = common::client(&sb);
    let cards = client.card();
    let openid = first_user(&sb);
    let id = new_card(&client, "DISCOUNT", "八折券", 3).await;
    let code = sb.take_card(&id, &openid).expect("take");

    cards.code_update(code.as_str(), "880000000001").card_id(id.as_str()).send().await.expect("update code");
    assert_eq!(common::code(cards.code_get(code.as_str()).send().await), 40056, "the old code is gone");
    let moved = cards.code_get("880000000001").send().await.expect("new code");
    assert_eq!(moved.openid.as_deref(), Some(openid.as_str()));
    assert_eq!(common::code(cards.code_update(code.as_str(), "880000000002").send().await), 40056);

    cards.code_unavailable("880000000001").reason("用户退款").send().await.expect("unavailable");
    assert_eq!(common::code(cards.code_consume("880000000001").send().await), 40127);
    let state = cards.code_get("880000000001").check_consume(false).send().await.expect("state");
    assert_eq!(state.user_card_status, Some(CardCodeStatus::Unavailable));
    sb.shutdown().await;
}

#[tokio::test]
async fn member_cards_are_activated_and_their_points_change() {
    let sb = common::sandbox().await;
    let client = common::client(&sb);
    let cards = client.card();
    let openid = first_user(&sb);
    let id = new_card(&client, "MEMBER_CARD", "会员卡", 10).await;
    let coupon = new_card(&client, "GIFT", "兑换券", 10).await;
    let code = sb.take_card(&id, &openid).expect("take");

    let before = cards.membercard_user_info(id.as_str(), code.as_str()).send().await.expect("info");
    assert_eq!(before.has_active, Some(false));
    assert_eq!(before.openid.as_deref(), Some(openid.as_str()));

    cards
        .membercard_activate("VIP0001", code.as_str())
        .card_id(id.as_str())
        .init_bonus(100)
        .init_balance(5000)
        .send()
        .await
        .expect("activate");
    let info = cards.membercard_user_info(id.as_str(), code.as_str()).send().await.expect("info");
    assert_eq!(info.membership_number.as_deref(), Some("VIP0001"));
    assert_eq!((info.bonus, info.balance, info.has_active), (Some(100), Some(5000), Some(true)));
    assert_eq!(info.user_card_status, Some(CardCodeStatus::Normal));

    let after = cards
        .membercard_update_user(code.as_str(), id.as_str())
        .add_bonus(-30)
        .record_bonus("兑换饮品")
        .add_balance(1200)
        .send()
        .await
        .expect("updateuser");
    assert_eq!((after.result_bonus, after.result_balance), (Some(70), Some(6200)));
    assert_eq!(after.openid.as_deref(), Some(openid.as_str()));
    let set = cards.membercard_update_user(code.as_str(), id.as_str()).bonus(7).send().await.expect("set bonus");
    assert_eq!(set.result_bonus, Some(7));

    let gift_code = sb.take_card(&coupon, &openid).expect("take a coupon");
    assert_eq!(common::code(cards.membercard_activate("VIP0002", gift_code.as_str()).send().await), 40035);
    assert_eq!(common::code(cards.membercard_user_info(id.as_str(), "000000000000").send().await), 40056);

    cards
        .membercard_activate_user_form_set(id.as_str())
        .required_form(json!({"common_field_id_list": ["USER_FORM_INFO_FLAG_MOBILE"]}))
        .send()
        .await
        .expect("form");
    assert_eq!(common::code(cards.membercard_activate_user_form_set(coupon.as_str()).send().await), 40035);
    let url = cards.membercard_activate_url(id.as_str()).outer_str("shop1").send().await.expect("geturl").url;
    assert!(url.is_some_and(|u| u.starts_with("https://") && u.contains("outer_str=shop1")));

    let ticket = sb.card_activation_form(&[("USER_FORM_INFO_FLAG_MOBILE", "13800000000")]);
    let temp = cards.membercard_activate_temp_info(ticket.as_str()).send().await.expect("temp info");
    let info = temp.info.expect("info");
    assert_eq!(info["common_field_list"][0]["value"], "13800000000");
    assert_eq!(common::code(cards.membercard_activate_temp_info("unknown").send().await), 40035);
    sb.shutdown().await;
}

#[tokio::test]
async fn tickets_take_their_seats() {
    let sb = common::sandbox().await;
    let client = common::client(&sb);
    let cards = client.card();
    let openid = first_user(&sb);
    let flight = new_card(&client, "BOARDING_PASS", "CA1234", 5).await;
    let meeting = new_card(&client, "MEETING_TICKET", "开发者大会", 5).await;
    let movie = new_card(&client, "MOVIE_TICKET", "电影票", 5).await;
    let (f, m, v) = (
        sb.take_card(&flight, &openid).expect("flight"),
        sb.take_card(&meeting, &openid).expect("meeting"),
        sb.take_card(&movie, &openid).expect("movie"),
    );

    cards
        .boardingpass_checkin(f.as_str(), "张三", "经济舱", "7820000000001")
        .seat("32A")
        .send()
        .await
        .expect("checkin");
    assert_eq!(sb.card_ticket(&f).expect("seat")["seat"], "32A");
    assert_eq!(sb.card_ticket(&f).expect("seat")["class"], "经济舱");
    cards.meetingticket_update_user(m.as_str(), "A区", "2号门", "3排7号").send().await.expect("meeting");
    assert_eq!(sb.card_ticket(&m).expect("seat")["entrance"], "2号门");
    cards
        .movieticket_update_user(
            v.as_str(),
            "3D",
            1_767_225_600,
            120,
            "5号厅",
            vec!["5排14号".into(), "5排15号".into()],
        )
        .send()
        .await
        .expect("movie");
    assert_eq!(sb.card_ticket(&v).expect("seats")["seat_number"][1], "5排15号");

    assert_eq!(common::code(cards.meetingticket_update_user(f.as_str(), "A", "1", "1").send().await), 40035);
    assert_eq!(common::code(cards.boardingpass_checkin("000000000000", "李四", "头等舱", "1").send().await), 40056);
    sb.shutdown().await;
}

#[tokio::test]
async fn cards_are_distributed_by_qr_codes_shelves_articles_and_deposited_codes() {
    let sb = common::sandbox().await;
    let client = common::client(&sb);
    let cards = client.card();
    let a = new_card(&client, "GENERAL_COUPON", "新人券", 100).await;
    let b = new_card(&client, "CASH", "满减券", 100).await;

    let qr = cards
        .qrcode_create(CardQrAction::Card, json!({ "card": { "card_id": a, "outer_str": "12b" } }))
        .expire_seconds(1800)
        .send()
        .await
        .expect("qrcode");
    assert_eq!(qr.expire_seconds, Some(1800));
    assert!(qr.show_qrcode_url.is_some_and(|u| u.starts_with("https://mp.weixin.qq.com/cgi-bin/showqrcode")));
    let image = client.qrcode().show_qrcode(qr.ticket.as_str()).send().await.expect("showqrcode");
    assert!(image.bytes.starts_with(&[0xFF, 0xD8]), "the ticket is a real QR ticket");
    let multi = json!({ "multiple_card": { "card_list": [ { "card_id": a }, { "card_id": b } ] } });
    cards.qrcode_create(CardQrAction::MultipleCard, multi).send().await.expect("multiple");
    let unknown = json!({ "card": { "card_id": "pNoSuchCard" } });
    assert_eq!(common::code(cards.qrcode_create(CardQrAction::Card, unknown).send().await), 40073);
    assert!(refused(
        cards.qrcode_create(CardQrAction::Card, json!({"card": {"card_id": a}})).expire_seconds(30).send().await
    ));

    let list = vec![json!({ "card_id": a, "thumb_url": "http://mmbiz.qpic.cn/x/0" })];
    let shelf = cards
        .landingpage_create("http://mmbiz.qpic.cn/banner/0", "惠城优惠大派送", true, "SCENE_H5", list.clone())
        .send()
        .await
        .expect("shelf");
    let again = cards
        .landingpage_create("http://mmbiz.qpic.cn/banner/0", "第二页", false, "SCENE_H5", list)
        .send()
        .await
        .expect("shelf 2");
    assert!(shelf.url.is_some() && shelf.page_id.is_some() && shelf.page_id != again.page_id);

    let html = cards.mpnews_gethtml(a.as_str()).send().await.expect("gethtml").content.expect("content");
    assert!(html.contains(&a), "{html}");
    assert_eq!(common::code(cards.mpnews_gethtml("pNoSuchCard").send().await), 40073);

    let first = cards.code_deposit(a.as_str(), vec!["c-001".into(), "c-002".into()]).send().await.expect("deposit");
    assert_eq!(first.succ_code.len(), 2);
    let second = cards.code_deposit(a.as_str(), vec!["c-002".into(), "c-003".into()]).send().await.expect("deposit");
    assert_eq!((second.succ_code, second.duplicate_code), (["c-003"].into(), ["c-002"].into()));
    assert_eq!(cards.code_deposit_count(a.as_str()).send().await.expect("count").count, Some(3));
    let checked = cards.code_check(a.as_str(), vec!["c-001".into(), "c-999".into()]).send().await.expect("check");
    assert_eq!((checked.exist_code, checked.not_exist_code), (["c-001"].into(), ["c-999"].into()));
    let too_many: Vec<String> = (0..101).map(|i| format!("x{i}")).collect();
    assert!(refused(cards.code_deposit(a.as_str(), too_many).send().await), "more than 100 codes");

    cards
        .testwhitelist_set()
        .openid(vec!["oTest1".into()])
        .username(vec!["sandbox_dev".into()])
        .send()
        .await
        .expect("whitelist");
    assert_eq!(sb.card_test_whitelist(), (vec!["oTest1".to_string()], vec!["sandbox_dev".to_string()]));
    cards.paycell_set(a.as_str(), true).send().await.expect("paycell");
    cards.selfconsumecell_set(a.as_str(), true).need_verify_cod(true).send().await.expect("selfconsume");
    assert_eq!(common::code(cards.paycell_set("pNoSuchCard", true).send().await), 40073);
    assert_eq!(common::code(cards.selfconsumecell_set("pNoSuchCard", false).send().await), 40073);

    let colors = cards.get_colors().send().await.expect("colors").colors;
    assert!(colors.iter().any(|c| c.name == "Color010" && c.value.starts_with('#')));
    sb.shutdown().await;
}

#[tokio::test]
async fn sub_merchants_are_registered_changed_and_listed() {
    let sb = common::sandbox().await;
    let client = common::client(&sb);
    let cards = client.card();
    let categories = cards.get_apply_protocol().send().await.expect("categories").category;
    assert!(!categories.is_empty());
    let info = |name: &str| {
        json!({ "brand_name": name, "logo_url": "http://mmbiz.qpic.cn/logo/0", "protocol": "media_1",
                "end_time": 1_900_000_000, "primary_category_id": 1, "secondary_category_id": 101 })
    };
    let first = cards.submerchant_submit(info("一号店")).send().await.expect("submit").info.expect("info");
    let second = cards.submerchant_submit(info("二号店")).send().await.expect("submit").info.expect("info");
    let (id1, id2) = (first["merchant_id"].as_i64().expect("id"), second["merchant_id"].as_i64().expect("id"));
    assert_ne!(id1, id2);
    assert_eq!(first["status"], "CHECKING");

    cards.submerchant_update(json!({ "merchant_id": id1, "brand_name": "一号旗舰店" })).send().await.expect("update");
    let got = cards.submerchant_get(id1).send().await.expect("get").info.expect("info");
    assert_eq!(got["brand_name"], "一号旗舰店");
    assert_eq!(got["protocol"], "media_1");
    assert_eq!(common::code(cards.submerchant_get(999).send().await), 40035);

    let all = cards.submerchant_batchget(0, 100).send().await.expect("batchget");
    assert_eq!(all.info_list.len(), 2);
    let rest = cards.submerchant_batchget(id2, 100).send().await.expect("from id2");
    assert_eq!(rest.info_list.len(), 1);
    assert_eq!(rest.next_begin_id, Some(id2));
    let none = cards.submerchant_batchget(0, 10).status("APPROVED").send().await.expect("approved");
    assert!(none.info_list.is_empty());
    sb.shutdown().await;
}

#[tokio::test]
async fn card_analytics_answer_a_row_per_day_and_check_their_dates() {
    let sb = common::sandbox().await;
    let client = common::client(&sb);
    let cards = client.card();
    let member = new_card(&client, "MEMBER_CARD", "会员卡", 1).await;
    let days = cards.datacube_bizuin_info("2024-01-01", "2024-01-03", 1).send().await.expect("bizuin").list;
    assert_eq!(days.len(), 3);
    assert_eq!(days[0]["ref_date"], "2024-01-01");
    let one = cards
        .datacube_card_info("2024-01-01", "2024-01-02", 1)
        .card_id(member.as_str())
        .send()
        .await
        .expect("cardinfo");
    assert_eq!(one.list.len(), 2);
    assert_eq!(one.list[1]["card_id"], Value::from(member.clone()));
    assert_eq!(
        cards.datacube_member_card_info("2024-02-01", "2024-02-01", 0).send().await.expect("member").list.len(),
        1
    );
    let detail =
        cards.datacube_member_card_detail("2024-02-01", "2024-02-07", member.as_str()).send().await.expect("detail");
    assert_eq!(detail.list.len(), 7);
    assert_eq!(common::code(cards.datacube_bizuin_info("2024-1-1", "2024-01-03", 1).send().await), 61500);
    assert_eq!(common::code(cards.datacube_bizuin_info("2024-01-03", "2024-01-01", 1).send().await), 61501);
    assert_eq!(
        common::code(cards.datacube_member_card_detail("2024-02-01", "2024-02-02", "pNoSuchCard").send().await),
        40073
    );
    sb.shutdown().await;
}
