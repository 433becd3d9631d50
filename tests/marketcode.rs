//! 一物一码 (`client.marketcode()`) against the sandbox: a batch of codes is applied for and
//! queried, downloaded as base64 of an AES-encrypted package, activated for a campaign, looked up
//! by index, raw code and URL, and a user's scan ticket turns back into the code.

mod common;

use aes::cipher::block_padding::Pkcs7;
use aes::cipher::{BlockDecryptMut, KeyIvInit};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;

const APP: &str = "wx3sxjifjwojfsffef";

/// The `(index, code, code_url)` lines of a downloaded package.
fn decrypt(key: [u8; 16], buffer: &str) -> Vec<(i64, String, String)> {
    let mut bytes = STANDARD.decode(buffer).expect("the buffer is base64");
    let plain = cbc::Decryptor::<aes::Aes128>::new(&key.into(), &key.into())
        .decrypt_padded_mut::<Pkcs7>(&mut bytes)
        .expect("the package decrypts with the sandbox key");
    std::str::from_utf8(plain)
        .expect("utf-8")
        .lines()
        .map(|line| {
            let mut cells = line.split(',');
            let index = cells.next().and_then(|i| i.parse().ok()).expect("index");
            (index, cells.next().expect("code").to_string(), cells.next().expect("url").to_string())
        })
        .collect()
}

#[tokio::test]
async fn an_application_is_queried_by_either_id_and_repeats_answer_the_same_id() {
    let sb = common::sandbox().await;
    let client = common::client(&sb);
    let mc = client.marketcode();

    let id = mc.apply_code(20_000, "order-1").send().await.expect("apply").application_id;
    assert_eq!(
        mc.apply_code(20_000, "order-1").send().await.unwrap().application_id,
        id,
        "same isv id, same application"
    );
    let other = mc.apply_code(10_000, "order-2").send().await.unwrap().application_id;
    assert_ne!(other, id);

    let by_id = mc.apply_code_query().application_id(id).send().await.expect("query by id");
    assert_eq!(by_id.status.as_deref(), Some("FINISH"));
    assert_eq!(by_id.isv_application_id.as_deref(), Some("order-1"));
    let range = &by_id.code_generate_list[0];
    assert_eq!((range.code_start, range.code_end), (Some(0), Some(19_999)));
    let by_isv = mc.apply_code_query().isv_application_id("order-2").send().await.expect("query by isv id");
    assert_eq!(by_isv.application_id, Some(other));

    assert_eq!(common::code(mc.apply_code_query().application_id(123).send().await), 80301, "not this account's");
    assert_eq!(common::code(mc.apply_code(15_000, "order-3").send().await), 40097, "not a multiple of 10000");
    let below = mc.apply_code(5_000, "order-4").send().await;
    assert!(matches!(below, Err(wechat_oa::Error::InvalidRequest { .. })), "below the documented minimum: {below:?}");
    sb.shutdown().await;
}

#[tokio::test]
async fn a_downloaded_range_decrypts_into_its_codes() {
    let sb = common::sandbox().await;
    let client = common::client(&sb);
    let mc = client.marketcode();
    let id = mc.apply_code(10_000, "dl").send().await.unwrap().application_id;

    let buffer = mc.apply_code_download(id, 100, 104).send().await.expect("download").buffer;
    let codes = decrypt(sb.marketcode_key(), &buffer);
    assert_eq!(codes.iter().map(|c| c.0).collect::<Vec<_>>(), [100, 101, 102, 103, 104]);
    assert!(codes.iter().all(|(_, code, url)| code.len() == 9 && url.len() == 28 && url.ends_with(code.as_str())));
    let again = decrypt(sb.marketcode_key(), &mc.apply_code_download(id, 102, 102).send().await.unwrap().buffer);
    assert_eq!(again[0], codes[2], "the same code every time");

    assert_eq!(common::code(mc.apply_code_download(id, 9_999, 10_000).send().await), 40097, "past the last code");
    assert_eq!(common::code(mc.apply_code_download(id + 1, 0, 1).send().await), 80301);
    sb.shutdown().await;
}

#[tokio::test]
async fn activated_codes_answer_their_campaign_and_a_scan_ticket_gives_the_code() {
    let sb = common::sandbox().await;
    let client = common::client(&sb);
    let mc = client.marketcode();
    let id = mc.apply_code(10_000, "campaign").send().await.unwrap().application_id;
    let codes = decrypt(sb.marketcode_key(), &mc.apply_code_download(id, 0, 300).send().await.unwrap().buffer);
    let (_, code_8, url_8) = codes[8].clone();
    let (_, code_250, url_250) = codes[250].clone();

    mc.code_active(id, "test_name", "test_brand", "test_title", "test_code", APP, "pages/index/index", 0, 200)
        .wxa_type(2)
        .send()
        .await
        .expect("activate 0..=200");

    let by_index = mc.code_active_query().application_id(id).code_index(8).send().await.expect("by index");
    assert_eq!(by_index.code.as_deref(), Some(code_8.as_str()));
    assert_eq!(by_index.activity_name.as_deref(), Some("test_name"));
    assert_eq!((by_index.code_start, by_index.code_end, by_index.wxa_type), (Some(0), Some(200), Some(2)));
    let by_url = mc.code_active_query().code_url(&url_8).send().await.expect("by url");
    assert_eq!(by_url, by_index);
    let by_code = mc.code_active_query().code(&code_8).send().await.expect("by code");
    assert_eq!(by_code.isv_application_id.as_deref(), Some("campaign"));

    let inactive = mc.code_active_query().code(&code_250).send().await.expect("an inactive code");
    assert_eq!(inactive.code.as_deref(), Some(code_250.as_str()));
    assert_eq!(inactive.activity_name, None, "not activated");
    assert!(sb.scan_market_code(&url_250, "oScanner").is_none(), "an inactive code opens nothing");
    assert_eq!(common::code(mc.code_active_query().application_id(id).send().await), 40097, "code_index missing");

    let user = &sb.users()[0];
    let ticket = sb.scan_market_code(&url_8, user).expect("an activated code opens the mini program");
    let scanned = mc.ticket_to_code(user.as_str(), &ticket).send().await.expect("ticket to code");
    assert_eq!(scanned.code.as_deref(), Some(code_8.as_str()));
    assert_eq!((scanned.wxa_appid.as_deref(), scanned.wxa_path.as_deref()), (Some(APP), Some("pages/index/index")));
    assert_eq!(scanned.product_code.as_deref(), Some("test_code"));
    assert_eq!(
        common::code(mc.ticket_to_code(sb.users()[1].as_str(), &ticket).send().await),
        40097,
        "another user's ticket"
    );
    assert_eq!(common::code(mc.ticket_to_code(user.as_str(), "0000").send().await), 40097);

    assert_eq!(
        common::code(mc.code_active(id, "n", "b", "t", "c", APP, "p", 9_000, 10_000).send().await),
        40097,
        "past the last code"
    );
    let bad_type = mc.code_active(id, "n", "b", "t", "c", APP, "p", 0, 1).wxa_type(3).send().await;
    assert!(matches!(bad_type, Err(wechat_oa::Error::InvalidRequest { .. })), "wxa_type is 0–2: {bad_type:?}");
    sb.shutdown().await;
}
