//! 电子发票 (`client.invoice()`) against the sandbox: the merchant settings of setbizattr's six
//! actions, an order's authorisation URL, the user's authorisation and the merchant's refusal,
//! the platform's template, PDF and card-bag insert, and the reimburser reading and locking,
//! unlocking and closing the invoice the user picked.

mod common;

use wechat_oa::api::invoice::{
    InvoiceAuthField, InvoiceBaseInfo, InvoiceCardExt, InvoiceCardInfo, InvoiceCardRef, InvoiceContact, InvoiceGoods,
    InvoicePayMch, InvoiceUserCard, InvoiceUserData, ReimburseStatus,
};
use wechat_oa::api::jssdk::TicketType;
use wechat_oa::{Client, Upload};
use wechat_oa_sandbox::Sandbox;

/// The platform's s_pappid, read from the invoice_url `set_url` answers.
async fn s_pappid(client: &Client) -> String {
    let url = client.invoice().set_url().send().await.expect("seturl").invoice_url.expect("invoice_url");
    url.split("s_pappid=").nth(1).expect("s_pappid in the url").split('&').next().unwrap_or_default().to_string()
}

/// Contact set, then an authorisation URL for `order_id`.
async fn auth_url(client: &Client, pappid: &str, order_id: &str) -> Result<String, wechat_oa::Error> {
    let ticket = client.jssdk().get_ticket(TicketType::WxCard).send().await?.ticket;
    let r = client.invoice().get_auth_url(pappid, order_id, 1100, 1_474_875_876, "web", ticket, 1).send().await?;
    Ok(r.auth_url)
}

fn face(fee: i64) -> InvoiceUserData {
    InvoiceUserData::new(fee, "XX有限公司", 1_716_190_788, "24317000000183259524", "")
        .with_info(vec![InvoiceGoods::new("牙膏", 888).with_num(1.0).with_unit("个")])
        .with_tax(0)
        .with_fee_without_tax(fee)
}

/// A template, a PDF and an authorised order invoiced into `openid`'s card bag; `(card_id, code)`.
async fn invoiced(sb: &Sandbox, client: &Client, order_id: &str, openid: &str) -> (String, String) {
    let inv = client.invoice();
    let pappid = s_pappid(client).await;
    inv.set_contact(InvoiceContact::new(3600, "0755-12345678")).send().await.expect("contact");
    auth_url(client, &pappid, order_id).await.expect("auth url");
    assert!(sb.authorize_invoice(order_id, openid));
    let card_id = inv
        .create_card(InvoiceCardInfo::new(
            InvoiceBaseInfo::new("http://mmbiz.qpic.cn/logo.png", "XX公司"),
            "深圳市XX有限公司",
            "广东省增值税普通发票",
        ))
        .send()
        .await
        .expect("createcard")
        .card_id;
    let pdf = inv.set_pdf(Upload::new("invoice.pdf", b"%PDF-1.4 sandbox".to_vec())).send().await.expect("setpdf");
    let ext = InvoiceCardExt::new("nonce-1", InvoiceUserCard::new(face(88_800).with_s_pdf_media_id(pdf.s_media_id)));
    let inserted = inv.insert(order_id, &card_id, &sb.config().appid, ext).send().await.expect("insert");
    assert_eq!(inserted.openid.as_deref(), Some(openid), "the invoice goes to the authorising user");
    (card_id, inserted.code.expect("code"))
}

#[tokio::test]
async fn merchant_settings_are_kept_per_action() {
    let sb = common::sandbox().await;
    let client = common::client(&sb);
    let inv = client.invoice();
    let pappid = s_pappid(&client).await;

    assert_eq!(inv.get_contact().send().await.expect("no contact yet").contact, None);
    inv.set_contact(InvoiceContact::new(7200, "13800000000")).send().await.expect("set contact");
    assert_eq!(inv.get_contact().send().await.unwrap().contact, Some(InvoiceContact::new(7200, "13800000000")));

    inv.set_pay_mch(InvoicePayMch::new("1234567890", &pappid)).send().await.expect("set pay mch");
    assert_eq!(inv.get_pay_mch().send().await.unwrap().paymch_info, Some(InvoicePayMch::new("1234567890", &pappid)));

    let fields = InvoiceAuthField::new()
        .with_user_field(serde_json::json!({"show_title": 1, "show_phone": 1, "require_phone": 1}))
        .with_biz_field(serde_json::json!({"show_title": 1, "show_tax_no": 1, "require_tax_no": 1}));
    inv.set_auth_field(fields.clone()).send().await.expect("set auth field");
    assert_eq!(inv.get_auth_field().send().await.unwrap().auth_field, Some(fields));
    assert_eq!(
        inv.get_contact().send().await.unwrap().contact.map(|c| c.time_out),
        Some(7200),
        "untouched by the others"
    );
    sb.shutdown().await;
}

#[tokio::test]
async fn an_order_is_authorised_by_the_user_or_refused_by_the_merchant() {
    let sb = common::sandbox().await;
    let client = common::client(&sb);
    let inv = client.invoice();
    let pappid = s_pappid(&client).await;
    let user = sb.users()[0].clone();

    assert_eq!(common::code(auth_url(&client, &pappid, "o-1").await), 72063, "the contact comes first");
    inv.set_contact(InvoiceContact::new(3600, "13800000000")).send().await.unwrap();
    let url = auth_url(&client, &pappid, "o-1").await.expect("auth url");
    assert!(url.contains("o-1"), "{url}");
    assert_eq!(common::code(auth_url(&client, "d3hvdGhlcg==", "o-1").await), 72031, "another platform's id");
    let bad_ticket = inv.get_auth_url(&pappid, "o-1", 1, 1, "web", "not-a-ticket", 1).send().await;
    assert_eq!(common::code(bad_ticket), 72031);

    let before = inv.get_auth_data(&pappid, "o-1").send().await.expect("auth data");
    assert_eq!(before.invoice_status.as_deref(), Some("never auth"));
    assert!(!sb.authorize_invoice("no-url-issued", &user), "no page without a URL");
    assert!(sb.authorize_invoice("o-1", &user));
    let after = inv.get_auth_data(&pappid, "o-1").send().await.unwrap();
    assert_eq!(after.invoice_status.as_deref(), Some("auth success"));
    assert!(after.auth_time.is_some_and(|t| t > 1_600_000_000));

    auth_url(&client, &pappid, "o-2").await.unwrap();
    sb.authorize_invoice("o-2", &user);
    inv.reject_insert(&pappid, "o-2", "抬头无效")
        .redirect_url("https://example.com/retry")
        .send()
        .await
        .expect("reject");
    assert_eq!(common::code(inv.get_auth_data(&pappid, "o-2").send().await), 72035);
    assert_eq!(common::code(auth_url(&client, &pappid, "o-2").await), 72035, "a refused order is not reused");
    assert!(!sb.authorize_invoice("o-2", &user));
    sb.shutdown().await;
}

#[tokio::test]
async fn the_platform_inserts_only_authorised_orders_and_serves_its_pdf() {
    let sb = common::sandbox().await;
    let client = common::client(&sb);
    let inv = client.invoice();
    let user = sb.users()[1].clone();
    let (card_id, code) = invoiced(&sb, &client, "o-10", &user).await;
    assert_eq!(code.len(), 12);

    let pdf = inv.set_pdf(Upload::new("second.pdf", b"%PDF-1.4 two".to_vec())).send().await.unwrap().s_media_id;
    let got = inv.get_pdf(&pdf).send().await.expect("getpdf");
    assert!(got.pdf_url.is_some_and(|u| u.contains(&pdf)));
    assert_eq!(got.pdf_url_expire_time, Some(7200));
    assert_eq!(common::code(inv.get_pdf("1").send().await), 72031);

    let ext = || InvoiceCardExt::new("n", InvoiceUserCard::new(face(100)));
    let appid = sb.config().appid.clone();
    assert_eq!(common::code(inv.insert("o-10", &card_id, &appid, ext()).send().await), 72031, "one invoice per order");
    assert_eq!(common::code(inv.insert("o-unknown", &card_id, &appid, ext()).send().await), 72031);
    assert_eq!(common::code(inv.insert("o-10", "pUnknownCard", &appid, ext()).send().await), 40073);
    let pappid = s_pappid(&client).await;
    auth_url(&client, &pappid, "o-11").await.unwrap();
    assert_eq!(common::code(inv.insert("o-11", &card_id, &appid, ext()).send().await), 72031, "not authorised yet");

    inv.update_status(&card_id, &code, ReimburseStatus::Cancel).send().await.expect("reversed by the platform");
    assert!(sb.choose_invoices(&user).is_empty(), "a reversed invoice leaves the card bag");
    assert_eq!(common::code(inv.update_status(&card_id, &code, ReimburseStatus::Init).send().await), 72031, "final");
    assert_eq!(common::code(inv.update_status(&card_id, "000000000000", ReimburseStatus::Lock).send().await), 72031);
    sb.shutdown().await;
}

#[tokio::test]
async fn a_reimburser_reads_locks_unlocks_and_closes_the_picked_invoice() {
    let sb = common::sandbox().await;
    let client = common::client(&sb);
    let inv = client.invoice();
    let user = sb.users()[2].clone();
    let (card_id, _) = invoiced(&sb, &client, "o-20", &user).await;

    let picked = sb.choose_invoices(&user);
    assert_eq!(picked.len(), 1);
    let (picked_card, encrypt_code) = picked[0].clone();
    assert_eq!(picked_card, card_id);

    let info = inv.get_invoice_info(&card_id, &encrypt_code).send().await.expect("getinvoiceinfo");
    assert_eq!(info.openid.as_deref(), Some(user.as_str()));
    assert_eq!(info.payee.as_deref(), Some("深圳市XX有限公司"));
    let face = info.user_info.expect("user_info");
    assert_eq!((face.fee, face.title.as_deref()), (Some(88_800), Some("XX有限公司")));
    assert_eq!(face.info[0].name, "牙膏");
    assert!(face.pdf_url.is_some(), "the uploaded PDF is linked");
    assert_eq!(face.reimburse_status, Some(ReimburseStatus::Init));
    assert_eq!(common::code(inv.get_invoice_info(&card_id, "not-the-code").send().await), 72031);
    assert_eq!(common::code(inv.get_invoice_info("pNoSuchCard", &encrypt_code).send().await), 40073);

    let status = || async {
        inv.get_invoice_info(&card_id, &encrypt_code).send().await.unwrap().user_info.and_then(|u| u.reimburse_status)
    };
    inv.update_invoice_status(&card_id, &encrypt_code, ReimburseStatus::Lock).send().await.expect("lock");
    assert_eq!(status().await, Some(ReimburseStatus::Lock));
    inv.update_invoice_status(&card_id, &encrypt_code, ReimburseStatus::Init).send().await.expect("unlock");
    assert_eq!(status().await, Some(ReimburseStatus::Init));
    assert_eq!(
        common::code(inv.update_invoice_status(&card_id, &encrypt_code, ReimburseStatus::Cancel).send().await),
        72031,
        "only the platform reverses"
    );

    let batch = inv.get_invoice_batch(vec![
        InvoiceCardRef::new(&card_id, &encrypt_code),
        InvoiceCardRef::new(&card_id, "unknown"),
    ]);
    let items = batch.send().await.expect("getinvoicebatch").item_list;
    assert_eq!(items.len(), 1, "unknown cards are left out");
    assert_eq!(items[0].card_id.as_deref(), Some(card_id.as_str()));

    let list = || vec![InvoiceCardRef::new(&card_id, &encrypt_code)];
    let other = sb.users()[3].clone();
    assert_eq!(
        common::code(inv.update_status_batch(&other, ReimburseStatus::Lock, list()).send().await),
        72031,
        "not that user's invoice"
    );
    assert_eq!(status().await, Some(ReimburseStatus::Init), "a refused batch changes nothing");
    inv.update_status_batch(&user, ReimburseStatus::Closure, list()).send().await.expect("close in a batch");
    assert_eq!(status().await, Some(ReimburseStatus::Closure));
    assert!(sb.choose_invoices(&user).is_empty(), "a reimbursed invoice leaves the card bag");
    assert_eq!(
        common::code(inv.update_invoice_status(&card_id, &encrypt_code, ReimburseStatus::Init).send().await),
        72031,
        "closing is irreversible"
    );
    sb.shutdown().await;
}
