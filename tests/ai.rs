//! 智能接口 (`client.ai()`) against the sandbox: OCR and image recognition by URL and by upload
//! (fixed results, the same for the same image), WeChat's errors for a missing or bad image,
//! speech-to-text through upload then query, and translation.

mod common;

use wechat_oa::api::ai::{AiLang, IdCardMode};
use wechat_oa::Upload;

fn jpeg(seed: u8) -> Upload {
    Upload::new("card.jpg", vec![0xFF, 0xD8, 0xFF, 0xE0, seed, seed.wrapping_mul(7), 0x42])
}

#[tokio::test]
async fn id_card_ocr_reads_the_same_card_the_same_way_by_url_or_upload() {
    let sb = common::sandbox().await;
    let client = common::client(&sb);
    let url = "https://example.com/id card.jpg?x=1&y=2";
    let a = client.ai().idcard().img_url(url).mode(IdCardMode::Photo).send().await.expect("by url");
    let b = client.ai().idcard().img_url(url).send().await.expect("again");
    assert_eq!((a.side.as_deref(), a.id.as_deref()), (b.side.as_deref(), b.id.as_deref()), "deterministic");
    match a.side.as_deref() {
        Some("Front") => assert!(a.name.is_some() && a.id.as_deref().is_some_and(|id| id.len() == 18)),
        Some("Back") => assert!(a.valid_date.is_some() && a.name.is_none()),
        other => panic!("side {other:?}"),
    }
    let mut sides = std::collections::HashSet::new();
    for i in 0..12u8 {
        let r = client.ai().idcard().img(jpeg(i)).send().await.expect("upload");
        sides.insert(r.side.clone().expect("side"));
    }
    assert_eq!(sides.len(), 2, "different cards read as fronts and backs: {sides:?}");
    let up = client.ai().idcard().img(jpeg(1)).send().await.expect("by upload");
    assert!(up.side.is_some());
    sb.shutdown().await;
}

#[tokio::test]
async fn ocr_without_an_image_or_with_a_bad_one_is_refused() {
    let sb = common::sandbox().await;
    let client = common::client(&sb);
    assert_eq!(common::code(client.ai().idcard().send().await), 101000);
    assert_eq!(common::code(client.ai().bankcard().img_url("ftp://example.com/a.jpg").send().await), 101000);
    let text = Upload::new("notes.txt", b"not a picture".to_vec());
    assert_eq!(common::code(client.ai().printed_text().img(text).send().await), 101002);
    let big = Upload::new("big.jpg", [&[0xFF, 0xD8, 0xFF][..], &vec![0; 2 * 1024 * 1024]].concat());
    assert_eq!(common::code(client.ai().qrcode().img(big).send().await), 40006);
    sb.shutdown().await;
}

#[tokio::test]
async fn card_and_licence_ocr_answer_their_fields() {
    let sb = common::sandbox().await;
    let client = common::client(&sb);
    let ai = client.ai();
    let card = ai.bankcard().img(jpeg(2)).send().await.expect("bankcard");
    assert!(card.number.as_deref().is_some_and(|n| n.len() >= 16 && n.bytes().all(|b| b.is_ascii_digit())));
    let car = ai.vehicle_license().img_url("https://example.com/v.jpg").send().await.expect("行驶证");
    assert!(car.plate_num.is_some() && car.vin.is_some() && car.engine_num.is_some());
    let driver = ai.driving_license().img(jpeg(3)).send().await.expect("驾驶证");
    assert!(driver.car_class.is_some() && driver.valid_to.is_some() && driver.id_num.is_some());
    let biz = ai.biz_license().img(jpeg(4)).send().await.expect("营业执照");
    assert!(biz.enterprise_name.is_some() && biz.reg_num.is_some());
    assert_eq!(biz.img_size.as_ref().and_then(|s| s.w), Some(1024));
    let text = ai.printed_text().img_url("https://example.com/t.png").send().await.expect("comm");
    assert!(!text.items.is_empty());
    assert!(text.items.iter().all(|i| i.text.is_some() && i.pos.as_ref().and_then(|p| p.left_top.as_ref()).is_some()));
    sb.shutdown().await;
}

#[tokio::test]
async fn qr_codes_are_recognised_with_positions() {
    let sb = common::sandbox().await;
    let client = common::client(&sb);
    let r = client.ai().qrcode().img(jpeg(5)).send().await.expect("qrcode");
    assert!(!r.code_results.is_empty());
    let qr = r.code_results.iter().find(|c| c.type_name.as_deref() == Some("QR_CODE")).expect("a QR code");
    assert!(qr.data.as_deref().is_some_and(|d| d.starts_with("http")));
    assert!(qr.pos.is_some(), "QR codes carry their corners");
    assert!(r.code_results.iter().filter(|c| c.type_name.as_deref() == Some("EAN_13")).all(|c| c.pos.is_none()));
    sb.shutdown().await;
}

#[tokio::test]
async fn smart_crop_answers_one_rectangle_per_ratio() {
    let sb = common::sandbox().await;
    let client = common::client(&sb);
    let r = client.ai().ai_crop().img(jpeg(6)).ratios("1,2.35").send().await.expect("aicrop");
    assert_eq!(r.results.len(), 2);
    let size = r.img_size.expect("img_size");
    for (c, ratio) in r.results.iter().zip([1.0, 2.35]) {
        let (l, t, rr, b) = (c.crop_left.unwrap(), c.crop_top.unwrap(), c.crop_right.unwrap(), c.crop_bottom.unwrap());
        assert!(l >= 0 && t >= 0 && rr <= size.w.unwrap() && b <= size.h.unwrap());
        assert!((((rr - l) as f64) / ((b - t) as f64) - ratio).abs() < 0.01, "ratio {ratio}");
    }
    let best = client.ai().ai_crop().img_url("https://example.com/p.jpg").send().await.unwrap();
    assert_eq!(best.results.len(), 1, "without ratios WeChat picks one");
    assert_eq!(common::code(client.ai().ai_crop().img(jpeg(6)).ratios("1,2,3,4,5,6").send().await), 40035);
    assert_eq!(common::code(client.ai().ai_crop().send().await), 101000);
    sb.shutdown().await;
}

#[tokio::test]
async fn uploaded_voice_is_recognised_under_its_voice_id() {
    let sb = common::sandbox().await;
    let client = common::client(&sb);
    let mp3 = Upload::new("hello.mp3", b"ID3\x03\x00voice".to_vec());
    assert_eq!(common::code(client.ai().query_voice_result("v-1").send().await), 40035, "nothing uploaded yet");
    client.ai().add_voice_for_text("mp3", "v-1", mp3.clone()).lang(AiLang::ZhCn).send().await.expect("upload");
    let text = client.ai().query_voice_result("v-1").lang(AiLang::ZhCn).send().await.expect("query");
    assert!(text.result.as_deref().is_some_and(|t| !t.is_empty()));
    assert_eq!(common::code(client.ai().add_voice_for_text("amr", "v-2", mp3).send().await), 40035, "mp3 only");
    let empty = Upload::new("e.mp3", Vec::new());
    assert_eq!(common::code(client.ai().add_voice_for_text("mp3", "v-3", empty).send().await), 40010);
    sb.shutdown().await;
}

#[tokio::test]
async fn translation_goes_both_ways_and_limits_the_length() {
    let sb = common::sandbox().await;
    let client = common::client(&sb);
    let en = client.ai().translate(AiLang::ZhCn, AiLang::EnUs, "你好").send().await.expect("zh→en");
    assert_eq!((en.from_content.as_deref(), en.to_content.as_deref()), (Some("你好"), Some("Hello")));
    let zh = client.ai().translate(AiLang::EnUs, AiLang::ZhCn, "Thank you").send().await.expect("en→zh");
    assert_eq!(zh.to_content.as_deref(), Some("谢谢"));
    let long = "长".repeat(201); // 603 bytes of UTF-8
    assert_eq!(common::code(client.ai().translate(AiLang::ZhCn, AiLang::EnUs, long).send().await), 40035);
    sb.shutdown().await;
}
