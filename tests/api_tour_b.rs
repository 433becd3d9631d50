//! A tour of eight more API areas through the generated client, against the sandbox: media,
//! material, qrcode, oauth, jssdk, draft, publish and datacube. Every endpoint of those areas is
//! called at least once. Each test starts its own sandbox and checks what the calls did there:
//! uploaded bytes come back byte for byte, counts and lists follow additions and deletions, a QR
//! ticket downloads its own image, an OAuth code turns into a user token that works only for its
//! user, a JS-SDK signature verifies, a published draft is listed, and analytics rows fall in the
//! requested dates.

mod common;

use std::fmt::Debug;

use sha1::{Digest, Sha1};
use wechat_oa::api::datacube::UpstreamMsgRow;
use wechat_oa::api::draft::{DraftArticle, DraftImageInfo, DraftImageItem, DraftProductCardType};
use wechat_oa::api::jssdk::TicketType;
use wechat_oa::api::material::{MaterialKind, MaterialVideoDescription};
use wechat_oa::api::media::{MassNewsArticle, MediaType};
use wechat_oa::api::oauth::OAuthScope;
use wechat_oa::api::qrcode::{QrActionInfoId, QrActionInfoStr, QrSceneId, QrSceneStr};
use wechat_oa::api::user::Lang;
use wechat_oa::{Client, Download, Error, JsonOrBinary, Upload};
use wechat_oa_sandbox::Sandbox;

// ---------------------------------------------------------------------------------------------
// helpers

/// Binary content that text handling would mangle: a file signature, then every byte value
/// (NUL, CR, LF, invalid UTF-8 …) several times over.
fn binary(signature: &[u8], len: usize) -> Vec<u8> {
    let mut bytes = signature.to_vec();
    bytes.extend((0..len).map(|i| (i * 7 % 256) as u8));
    bytes
}

const JPEG: &[u8] = &[0xFF, 0xD8, 0xFF, 0xE0];
const PNG: &[u8] = &[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];

/// The file bytes of a `JsonOrBinary` answer; panics on JSON.
fn bytes_of<T: Debug>(r: JsonOrBinary<T>) -> Download {
    match r {
        JsonOrBinary::Binary(d) => d,
        JsonOrBinary::Json(j) => panic!("expected file bytes, got JSON {j:?}"),
    }
}

/// The JSON document of a `JsonOrBinary` answer; panics on bytes.
fn json_of<T>(r: JsonOrBinary<T>) -> T {
    match r {
        JsonOrBinary::Json(j) => j,
        JsonOrBinary::Binary(d) => panic!("expected JSON, got file bytes {d:?}"),
    }
}

/// How often the sandbox saw `path`.
fn calls(sb: &Sandbox, path: &str) -> u64 {
    sb.stats().calls_by_path.get(path).copied().unwrap_or(0)
}

/// A permanent image for draft covers.
async fn cover(client: &Client) -> String {
    let up = Upload::new("cover.jpg", binary(JPEG, 64));
    client.material().add(MediaType::Image, up).send().await.expect("permanent cover image").media_id
}

/// `YYYY-MM-DD` of a day number (days since 1970-01-01).
fn ymd(days: i64) -> String {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 { yoe + era * 400 + 1 } else { yoe + era * 400 };
    format!("{y:04}-{m:02}-{d:02}")
}

/// Today's day number in Beijing time (UTC+8), which is what WeChat's analytics count in.
fn beijing_today() -> i64 {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("clock").as_secs() as i64;
    (now + 8 * 3600).div_euclid(86_400)
}

/// Day number of `YYYY-MM-DD` (inverse of [`ymd`]), found by a short search from a known day.
fn day_of(date: &str) -> i64 {
    let mut d = 20_000; // 2024-10-04
    while ymd(d).as_str() < date {
        d += 1;
    }
    while ymd(d).as_str() > date {
        d -= 1;
    }
    assert_eq!(ymd(d), date, "not a date: {date}");
    d
}

// ---------------------------------------------------------------------------------------------
// media (temporary)

#[tokio::test]
async fn media_upload_then_download_returns_the_same_bytes() {
    let sb = common::sandbox().await;
    let client = common::client(&sb);

    let photo = binary(PNG, 3000);
    let up =
        client.media().upload(MediaType::Image, Upload::new("photo.png", photo.clone())).send().await.expect("upload");
    assert_eq!(up.media_type, Some(MediaType::Image));
    assert!(up.created_at.is_some_and(|t| t > 1_600_000_000), "{up:?}");
    let id = up.media_id.expect("an image answers media_id");
    let got = bytes_of(client.media().get(&id).send().await.expect("download"));
    assert_eq!(&got.bytes[..], &photo[..], "the downloaded bytes are the uploaded bytes");
    assert_eq!(got.content_type.as_deref(), Some("image/png"));
    assert_eq!(got.filename.as_deref(), Some("photo.png"));

    // A thumb answers thumb_media_id instead of media_id.
    let thumb = client.media().upload(MediaType::Thumb, Upload::new("t.jpg", binary(JPEG, 100))).send().await.unwrap();
    assert!(thumb.media_id.is_none() && thumb.thumb_media_id.is_some(), "{thumb:?}");

    // A video answers JSON with a download URL instead of bytes.
    let video = client.media().upload(MediaType::Video, Upload::new("clip.mp4", binary(b"ftyp", 500))).send().await;
    let video_id = video.expect("video upload").media_id.expect("video media id");
    let doc = json_of(client.media().get(&video_id).send().await.expect("video answer"));
    assert!(doc.video_url.is_some_and(|u| u.starts_with("http")));

    // WeChat's documented mistakes.
    assert_eq!(common::code(client.media().get("no-such-media").send().await), 40007);
    assert_eq!(
        common::code(client.media().upload(MediaType::Image, Upload::new("notes.txt", b"hi".to_vec())).send().await),
        40005
    );
    let too_big = Upload::new("big.jpg", binary(JPEG, 70 * 1024));
    assert_eq!(common::code(client.media().upload(MediaType::Thumb, too_big).send().await), 40012);
    sb.shutdown().await;
}

#[tokio::test]
async fn media_hd_voice_download() {
    let sb = common::sandbox().await;
    let client = common::client(&sb);
    let voice = binary(b"#!AMR\n", 800);
    let id = client.media().upload(MediaType::Voice, Upload::new("hello.amr", voice.clone())).send().await.unwrap();
    let id = id.media_id.expect("voice media id");

    let hd = client.media().get_hd_voice(&id).send().await.expect("hd voice");
    assert_eq!(&hd.bytes[..], &voice[..]);
    assert_eq!(hd.content_type.as_deref(), Some("audio/speex"));
    assert_eq!(hd.filename.as_deref(), Some("hello.speex"));

    // Only voice qualifies: an image id is not a serverId from uploadVoice.
    let img = client.media().upload(MediaType::Image, Upload::new("a.jpg", binary(JPEG, 10))).send().await.unwrap();
    assert_eq!(common::code(client.media().get_hd_voice(img.media_id.unwrap()).send().await), 40007);
    assert_eq!(common::code(client.media().get_hd_voice("unknown").send().await), 40007);
    assert_eq!(calls(&sb, "/cgi-bin/media/get/jssdk"), 3);
    sb.shutdown().await;
}

#[tokio::test]
async fn media_upload_img_and_upload_news() {
    let sb = common::sandbox().await;
    let client = common::client(&sb);

    let a = client.media().upload_img(Upload::new("inline.jpg", binary(JPEG, 200))).send().await.expect("uploadimg");
    let b = client.media().upload_img(Upload::new("inline.png", binary(PNG, 200))).send().await.expect("uploadimg");
    assert!(a.url.starts_with("http://mmbiz.qpic.cn/"), "{}", a.url);
    assert_ne!(a.url, b.url, "each image gets its own URL");
    // JPG/PNG only, under 1 MB.
    assert_eq!(
        common::code(client.media().upload_img(Upload::new("anim.gif", binary(b"GIF89a", 10))).send().await),
        40005
    );
    let huge = Upload::new("huge.jpg", binary(JPEG, (1 << 20) + 1));
    assert_eq!(common::code(client.media().upload_img(huge).send().await), 40009);

    // The legacy news upload: the thumbnail must be uploaded media.
    let thumb = client.media().upload(MediaType::Thumb, Upload::new("t.jpg", binary(JPEG, 50))).send().await.unwrap();
    let thumb = thumb.thumb_media_id.expect("thumb id");
    let html = format!("<p>正文</p><img src=\"{}\">", a.url);
    let article = MassNewsArticle::new("周报", thumb.clone(), html).with_author("编辑部").with_digest("本周摘要");
    #[allow(deprecated)]
    let news = client.media().upload_news(vec![article.clone(), article]).send().await.expect("uploadnews");
    assert_eq!(news.media_type.as_deref(), Some("news"));
    assert!(!news.media_id.is_empty());
    #[allow(deprecated)]
    let bad = client.media().upload_news(vec![MassNewsArticle::new("t", "missing-thumb", "c")]).send().await;
    assert_eq!(common::code(bad), 40007);
    sb.shutdown().await;
}

// ---------------------------------------------------------------------------------------------
// material (permanent)

#[tokio::test]
async fn material_add_count_list_get_and_delete() {
    let sb = common::sandbox().await;
    let client = common::client(&sb);
    let m = client.material();

    let before = m.count().send().await.expect("count");
    assert_eq!((before.image_count, before.voice_count, before.video_count), (Some(0), Some(0), Some(0)));

    let photo = binary(JPEG, 2048);
    let image = m.add(MediaType::Image, Upload::new("poster.jpg", photo.clone())).send().await.expect("add image");
    let image_url = image.url.clone().expect("an image answers its URL");
    let voice = m.add(MediaType::Voice, Upload::new("greeting.mp3", binary(b"ID3", 300))).send().await.unwrap();
    assert!(voice.url.is_none(), "only images answer a URL");
    let desc = MaterialVideoDescription::new().with_title("开箱视频").with_introduction("新品开箱");
    let video =
        m.add(MediaType::Video, Upload::new("unboxing.mp4", binary(b"ftyp", 900))).description(desc).send().await;
    let video = video.expect("add video with description");
    // A video without its description part is refused.
    let bare = m.add(MediaType::Video, Upload::new("v.mp4", binary(b"ftyp", 9))).send().await;
    assert_eq!(common::code(bare), 47001);

    let after = m.count().send().await.unwrap();
    assert_eq!((after.image_count, after.voice_count, after.video_count), (Some(1), Some(1), Some(1)));

    // The list shows what was added, under its name and URL.
    let images = m.batch_get(MaterialKind::Image, 0, 20).send().await.expect("batchget images");
    assert_eq!((images.total_count, images.item_count), (Some(1), Some(1)));
    let item = &images.item[0];
    assert_eq!(item.media_id, image.media_id);
    assert_eq!(item.name.as_deref(), Some("poster.jpg"));
    assert_eq!(item.url.as_deref(), Some(image_url.as_str()));
    assert!(item.update_time.is_some());
    let videos = m.batch_get(MaterialKind::Video, 0, 20).send().await.unwrap();
    assert_eq!(videos.item.iter().map(|i| i.media_id.as_str()).collect::<Vec<_>>(), [video.media_id.as_str()]);
    assert_eq!(common::code(m.batch_get(MaterialKind::Image, 0, 21).send().await), 40035, "count is 1–20");

    // An image comes back as its bytes, a video as JSON with its title and description.
    let got = bytes_of(m.get(&image.media_id).send().await.expect("get image"));
    assert_eq!(&got.bytes[..], &photo[..]);
    let v = json_of(m.get(&video.media_id).send().await.expect("get video"));
    assert_eq!(v.title.as_deref(), Some("开箱视频"));
    assert_eq!(v.description.as_deref(), Some("新品开箱"));
    assert!(v.down_url.is_some());

    // Deleting removes it from the count, the list and get.
    m.delete(&image.media_id).send().await.expect("delete");
    assert_eq!(m.count().send().await.unwrap().image_count, Some(0));
    assert_eq!(m.batch_get(MaterialKind::Image, 0, 20).send().await.unwrap().total_count, Some(0));
    assert_eq!(common::code(m.get(&image.media_id).send().await), 40007);
    assert_eq!(common::code(m.delete(&image.media_id).send().await), 40007);
    sb.shutdown().await;
}

#[tokio::test]
async fn material_list_pages() {
    let sb = common::sandbox().await;
    let client = common::client(&sb);
    let mut ids = Vec::new();
    for i in 0..5 {
        let up = Upload::new(format!("p{i}.png"), binary(PNG, 10 + i));
        ids.push(client.material().add(MediaType::Image, up).send().await.unwrap().media_id);
    }
    let mut seen = Vec::new();
    for offset in (0..5).step_by(2) {
        let page = client.material().batch_get(MaterialKind::Image, offset, 2).send().await.expect("page");
        assert_eq!(page.total_count, Some(5));
        assert_eq!(page.item_count, Some(page.item.len() as i64));
        seen.extend(page.item.into_iter().map(|i| i.media_id));
    }
    seen.sort();
    ids.sort();
    assert_eq!(seen, ids, "the pages together list every image once");
    sb.shutdown().await;
}

// ---------------------------------------------------------------------------------------------
// qrcode

#[tokio::test]
async fn qrcodes_temporary_and_permanent_then_show_by_ticket() {
    let sb = common::sandbox().await;
    let client = common::client(&sb);
    let qr = client.qrcode();
    let id = |n| QrActionInfoId::new(QrSceneId::new(n));
    let s = |v: &str| QrActionInfoStr::new(QrSceneStr::new(v));

    let temp = qr.create_temporary(id(123)).expire_seconds(600).send().await.expect("QR_SCENE");
    assert_eq!(temp.expire_seconds, Some(600));
    let default = qr.create_temporary(id(-5)).send().await.expect("QR_SCENE, default lifetime");
    assert_eq!(default.expire_seconds, Some(60), "WeChat's default is 60 s");
    let capped =
        qr.create_temporary_str(s("promo-2024")).expire_seconds(99_999_999).send().await.expect("QR_STR_SCENE");
    assert_eq!(capped.expire_seconds, Some(2_592_000), "at most 30 days");
    let perm = qr.create_permanent(id(100_000)).send().await.expect("QR_LIMIT_SCENE");
    assert!(perm.expire_seconds.is_none(), "permanent codes have no lifetime");
    let perm_str = qr.create_permanent_str(s("shop/entrance")).send().await.expect("QR_LIMIT_STR_SCENE");
    assert!(perm_str.url.as_deref().is_some_and(|u| u.starts_with("http://weixin.qq.com/q/")));

    let tickets = [&temp.ticket, &default.ticket, &capped.ticket, &perm.ticket, &perm_str.ticket];
    let unique: std::collections::HashSet<_> = tickets.iter().collect();
    assert_eq!(unique.len(), tickets.len(), "each code has its own ticket");

    // Scene limits.
    assert_eq!(common::code(qr.create_permanent(id(100_001)).send().await), 40035);
    assert_eq!(common::code(qr.create_temporary(id(0)).send().await), 40035);
    assert_eq!(common::code(qr.create_permanent_str(s(&"x".repeat(65))).send().await), 40035);

    // Each ticket (with its '=' and other characters URL-encoded) downloads a JPEG naming it,
    // from the mp host, without an access token.
    let token_calls = sb.stats().token_requests;
    for ticket in tickets {
        let img = qr.show_qrcode(ticket.as_str()).send().await.expect("showqrcode");
        assert_eq!(img.content_type.as_deref(), Some("image/jpeg"));
        assert!(img.bytes.starts_with(&[0xFF, 0xD8]) && img.bytes.ends_with(&[0xFF, 0xD9]), "JPEG framing");
        let text = String::from_utf8_lossy(&img.bytes);
        assert!(text.contains(ticket.as_str()), "the image is the one for this ticket");
    }
    assert_eq!(sb.stats().token_requests, token_calls, "showqrcode needs no token");
    match qr.show_qrcode("no-such-ticket").send().await {
        Err(Error::Http { status: 404, .. }) => {}
        other => panic!("an unknown ticket is HTTP 404, got {other:?}"),
    }
    sb.shutdown().await;
}

#[tokio::test]
async fn short_keys_round_trip() {
    let sb = common::sandbox().await;
    let client = common::client(&sb);
    let long = format!("{{\"page\":\"/pages/order\",\"id\":\"{}\"}}", "9".repeat(200));
    let key = client.qrcode().gen_short_key(long.clone()).expire_seconds(3600).send().await.expect("gen").short_key;
    assert!(key.len() < long.len());
    let back = client.qrcode().fetch_short_key(key.clone()).send().await.expect("fetch");
    assert_eq!(back.long_data.as_deref(), Some(long.as_str()));
    assert!(back.expire_seconds.is_some_and(|s| s > 0 && s <= 3600), "{back:?}");
    assert!(back.create_time.is_some());
    let other = client.qrcode().gen_short_key("other").send().await.unwrap().short_key;
    assert_ne!(other, key);
    assert_eq!(common::code(client.qrcode().gen_short_key("x".repeat(4097)).send().await), 40035);
    sb.shutdown().await;
}

// ---------------------------------------------------------------------------------------------
// oauth

#[tokio::test]
async fn oauth_authorize_url_has_wechats_shape() {
    let sb = common::sandbox().await;
    let appid = sb.config().appid.clone();
    let real = Client::new(appid.clone(), "secret").expect("client");
    let url = real
        .oauth()
        .authorize_url("https://app.example.com/cb?from=menu", OAuthScope::SnsapiUserinfo)
        .state("xyz123")
        .url()
        .expect("url");
    assert!(url.starts_with("https://open.weixin.qq.com/connect/oauth2/authorize?"), "{url}");
    assert!(url.ends_with("#wechat_redirect"), "{url}");
    // WeChat checks the parameter order.
    let parts = [
        format!("appid={appid}"),
        "redirect_uri=https%3A%2F%2Fapp.example.com%2Fcb%3Ffrom%3Dmenu".to_string(),
        "response_type=code".to_string(),
        "scope=snsapi_userinfo".to_string(),
        "state=xyz123".to_string(),
    ];
    let at: Vec<usize> = parts.iter().map(|p| url.find(p.as_str()).unwrap_or_else(|| panic!("{p} in {url}"))).collect();
    assert!(at.windows(2).all(|w| w[0] < w[1]), "parameters in WeChat's order: {url}");
    let base = real.oauth().authorize_url("https://a.example/", OAuthScope::SnsapiBase).force_popup(true).url();
    let base = base.expect("url");
    assert!(base.contains("scope=snsapi_base") && base.contains("forcePopup=true") && !base.contains("state="));
    sb.shutdown().await;
}

#[tokio::test]
async fn oauth_code_to_token_userinfo_refresh_and_check() {
    let sb = common::sandbox().await;
    let client = common::client(&sb);
    let openid = sb.users()[3].clone();

    // A browser following the authorize URL comes back with a code and the state.
    let url = client.oauth().authorize_url("https://app.example.com/cb", OAuthScope::SnsapiUserinfo).state("s1").url();
    let url = url.expect("url");
    let browser = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let resp = browser.get(&url).send().await.expect("authorize page");
    assert_eq!(resp.status(), 302);
    let location = resp.headers()["location"].to_str().unwrap().to_string();
    let back = reqwest::Url::parse(&location).expect("redirect URL");
    assert_eq!(back.as_str().split('?').next(), Some("https://app.example.com/cb"));
    let q: std::collections::HashMap<_, _> = back.query_pairs().into_owned().collect();
    assert_eq!(q.get("state").map(String::as_str), Some("s1"));
    let first = client.oauth().access_token(q["code"].clone()).send().await.expect("code from the redirect");
    assert_eq!(first.openid.as_deref(), Some(sb.users()[0].as_str()), "the sandbox approves as the first follower");

    // A code issued for a chosen follower.
    let code_ = sb.issue_oauth_code(&openid, "snsapi_userinfo");
    let tok = client.oauth().access_token(code_.clone()).send().await.expect("exchange");
    assert_eq!(tok.openid.as_deref(), Some(openid.as_str()));
    assert_eq!(tok.scope.as_deref(), Some("snsapi_userinfo"));
    assert!(tok.expires_in.is_some_and(|s| s > 0));
    let refresh = tok.refresh_token.clone().expect("refresh token");
    assert_eq!(common::code(client.oauth().access_token(code_).send().await), 40163, "codes are single use");
    assert_eq!(common::code(client.oauth().access_token("bogus").send().await), 40029);
    // Secrets stay out of Debug.
    let shown = format!("{tok:?}");
    assert!(!shown.contains(&tok.access_token) && !shown.contains(&refresh), "{shown}");

    // The user token reads that user's profile, and only that user's.
    let me = client.oauth().userinfo(&tok.access_token, &openid).lang(Lang::En).send().await.expect("userinfo");
    assert_eq!(me.openid, openid);
    assert!(me.nickname.is_some() && me.headimgurl.is_some());
    let other = sb.users()[4].clone();
    assert_eq!(common::code(client.oauth().userinfo(&tok.access_token, &other).send().await), 40003);
    client.oauth().check_token(&tok.access_token, &openid).send().await.expect("token is valid");
    assert_eq!(common::code(client.oauth().check_token(&tok.access_token, &other).send().await), 40003);
    assert_eq!(common::code(client.oauth().check_token("not-a-token", &openid).send().await), 40001);

    // Refreshing gives a new working token for the same user and scope.
    let renewed = client.oauth().refresh_token(&refresh).send().await.expect("refresh");
    assert_ne!(renewed.access_token, tok.access_token);
    assert_eq!(renewed.openid.as_deref(), Some(openid.as_str()));
    assert_eq!(renewed.scope.as_deref(), Some("snsapi_userinfo"));
    client.oauth().check_token(&renewed.access_token, &openid).send().await.expect("renewed token is valid");
    assert_eq!(client.oauth().userinfo(&renewed.access_token, &openid).send().await.unwrap().openid, openid);
    assert_eq!(common::code(client.oauth().refresh_token("bogus").send().await), 40030);

    // A silent (snsapi_base) authorisation cannot read the profile.
    let base = client.oauth().access_token(sb.issue_oauth_code(&openid, "snsapi_base")).send().await.unwrap();
    assert_eq!(common::code(client.oauth().userinfo(&base.access_token, &openid).send().await), 48001);
    client.oauth().check_token(&base.access_token, &openid).send().await.expect("a base token is still valid");

    // None of this used the app's access_token.
    let stats = sb.stats();
    assert_eq!((stats.token_requests, stats.stable_token_requests), (0, 0));
    sb.shutdown().await;
}

// ---------------------------------------------------------------------------------------------
// jssdk

#[tokio::test]
async fn jssdk_ticket_and_page_signature() {
    let sb = common::sandbox().await;
    let client = common::client(&sb);

    let jsapi = client.jssdk().get_ticket(TicketType::Jsapi).send().await.expect("jsapi ticket");
    assert!(jsapi.expires_in > 0 && jsapi.expires_in <= 7200);
    let card = client.jssdk().get_ticket(TicketType::WxCard).send().await.expect("wx_card ticket");
    assert_ne!(card.ticket, jsapi.ticket, "each type has its own ticket");
    assert!(!format!("{jsapi:?}").contains(&jsapi.ticket), "the ticket stays out of Debug");

    let page = "https://shop.example.com/item?id=42&from=share#reviews";
    let cfg = client.jssdk_config(page).await.expect("jssdk_config");
    assert_eq!(cfg.app_id, sb.config().appid);
    assert!(cfg.nonce_str.len() >= 16 && cfg.nonce_str.chars().all(|c| c.is_ascii_alphanumeric()));
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
    assert!((cfg.timestamp - now).abs() < 600);
    // Verify as a page would be verified: SHA-1 over the sorted fields, URL without fragment.
    let text = format!(
        "jsapi_ticket={}&noncestr={}&timestamp={}&url=https://shop.example.com/item?id=42&from=share",
        jsapi.ticket, cfg.nonce_str, cfg.timestamp
    );
    let expected: String = Sha1::digest(text.as_bytes()).iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(cfg.signature, expected);

    // The ticket is cached: signing more pages does not ask WeChat again.
    let asked = calls(&sb, "/cgi-bin/ticket/getticket");
    let other = client.jssdk_config("https://shop.example.com/cart").await.expect("second page");
    assert_ne!(other.signature, cfg.signature);
    assert_eq!(calls(&sb, "/cgi-bin/ticket/getticket"), asked);
    sb.shutdown().await;
}

// ---------------------------------------------------------------------------------------------
// draft

#[tokio::test]
#[allow(deprecated)] // draft().switch(): 该接口已废弃, still answered
async fn drafts_add_get_update_list_switch_and_delete() {
    let sb = common::sandbox().await;
    let client = common::client(&sb);
    let d = client.draft();
    let cover = cover(&client).await;
    let img = client.media().upload_img(Upload::new("in.jpg", binary(JPEG, 30))).send().await.unwrap().url;

    let switch = d.switch().checkonly(1).send().await.expect("switch query");
    assert_eq!(switch.is_open, Some(1), "the sandbox account's draft box is open");
    assert_eq!(d.switch().send().await.expect("switch open").is_open, Some(1));
    assert_eq!(d.count().send().await.unwrap().total_count, 0);

    let news = DraftArticle::new("新品发布", format!("<p>详情</p><img src=\"{img}\">"))
        .with_author("市场部")
        .with_digest("三款新品")
        .with_thumb_media_id(cover.clone())
        .with_need_open_comment(1);
    let second = DraftArticle::new("使用指南", "<p>步骤</p>").with_thumb_media_id(cover.clone());
    let id = d.add(vec![news, second]).send().await.expect("add news draft").media_id;
    let photo = client.material().add(MediaType::Image, Upload::new("g.jpg", binary(JPEG, 20))).send().await.unwrap();
    let newspic = DraftArticle::new("现场图集", "现场照片")
        .with_article_type("newspic")
        .with_image_info(DraftImageInfo::new(vec![DraftImageItem::new(photo.media_id.clone())]));
    let pic_id = d.add(vec![newspic]).send().await.expect("add newspic draft").media_id;
    assert_eq!(d.count().send().await.unwrap().total_count, 2);

    let got = d.get(&id).send().await.expect("get");
    let titles: Vec<_> = got.news_item.iter().map(|a| a.title.clone().unwrap_or_default()).collect();
    assert_eq!(titles, ["新品发布", "使用指南"]);
    assert_eq!(got.news_item[0].author.as_deref(), Some("市场部"));
    assert_eq!(got.news_item[0].thumb_media_id.as_deref(), Some(cover.as_str()));
    assert_eq!(got.news_item[0].need_open_comment, Some(1));
    assert!(got.news_item[0].url.is_some(), "drafts have a preview URL");
    assert_eq!(got.news_item[1].digest.as_deref(), Some(""), "仅有单图文消息才有摘要: none in a two-article draft");
    let pic = d.get(&pic_id).send().await.unwrap();
    assert_eq!(pic.news_item[0].article_type.as_deref(), Some("newspic"));
    assert_eq!(pic.news_item[0].digest.as_deref(), Some("现场照片"), "no digest: the body's first 54 characters");
    assert_eq!(pic.news_item[0].image_info.as_ref().map(|i| i.image_list.len()), Some(1));

    // Replace the second article.
    let replaced = DraftArticle::new("使用指南(修订)", "<p>新步骤</p>").with_thumb_media_id(cover.clone());
    d.update(&id, 1, replaced.clone()).send().await.expect("update");
    let got = d.get(&id).send().await.unwrap();
    assert_eq!(got.news_item[1].title.as_deref(), Some("使用指南(修订)"));
    assert_eq!(got.news_item[0].title.as_deref(), Some("新品发布"), "the other article is untouched");
    assert_eq!(common::code(d.update(&id, 5, replaced).send().await), 40035);

    // Lists, with and without content.
    let list = d.batch_get(0, 20).send().await.expect("batchget");
    assert_eq!((list.total_count, list.item_count), (Some(2), Some(2)));
    let listed = list.item.iter().find(|i| i.media_id == id).expect("the news draft is listed");
    let items = &listed.content.as_ref().expect("content").news_item;
    assert_eq!(items[1].content.as_deref(), Some("<p>新步骤</p>"));
    let bare = d.batch_get(0, 1).no_content(1).send().await.unwrap();
    assert_eq!((bare.total_count, bare.item.len()), (Some(2), 1));
    assert!(bare.item[0].content.as_ref().is_none_or(|c| c.news_item.iter().all(|a| a.content.is_none())));

    // Mistakes: a temporary image as cover, a title over 32 characters.
    let temp = client.media().upload(MediaType::Image, Upload::new("t.jpg", binary(JPEG, 5))).send().await.unwrap();
    let bad = DraftArticle::new("t", "c").with_thumb_media_id(temp.media_id.unwrap());
    assert_eq!(common::code(d.add(vec![bad]).send().await), 40007);
    let long = DraftArticle::new("长".repeat(33), "c").with_thumb_media_id(cover.clone());
    assert_eq!(common::code(d.add(vec![long]).send().await), 45003);
    // content_source_url 大小不可超过1 kb; a newspic takes at most 20 images. The page names no
    // error code for either; the client refuses both before sending.
    let far = DraftArticle::new("t", "c")
        .with_thumb_media_id(cover.clone())
        .with_content_source_url(format!("https://example.com/{}", "a".repeat(1024)));
    assert!(matches!(d.add(vec![far]).send().await, Err(Error::InvalidRequest { .. })));
    let many = (0..21).map(|_| DraftImageItem::new(photo.media_id.clone())).collect();
    let crowded =
        DraftArticle::new("图集", "图").with_article_type("newspic").with_image_info(DraftImageInfo::new(many));
    assert!(matches!(d.add(vec![crowded]).send().await, Err(Error::InvalidRequest { .. })));

    // A product card to insert: newspic takes small, text-link and bar cards, news no bar card.
    let card = d.product_card_info("1000000000", "newspic", DraftProductCardType::TextLink).send().await.expect("card");
    assert!(card.dom.as_deref().is_some_and(|h| h.contains("1000000000")), "{card:?}");
    assert!(card.product_key.is_some(), "newspic cards carry the product key");
    assert!(d.product_card_info("1000000000", "news", DraftProductCardType::Large).send().await.unwrap().dom.is_some());
    assert_eq!(
        common::code(d.product_card_info("1000000000", "news", DraftProductCardType::Bar).send().await),
        10170003
    );
    assert_eq!(
        common::code(d.product_card_info("1000000000", "video", DraftProductCardType::Small).send().await),
        10170002
    );
    assert_eq!(
        common::code(d.product_card_info("not-a-product", "news", DraftProductCardType::Small).send().await),
        10170001
    );

    d.delete(&pic_id).send().await.expect("delete");
    assert_eq!(d.count().send().await.unwrap().total_count, 1);
    assert_eq!(common::code(d.get(&pic_id).send().await), 40007);
    assert_eq!(common::code(d.delete(&pic_id).send().await), 40007);
    sb.shutdown().await;
}

// ---------------------------------------------------------------------------------------------
// publish

#[tokio::test]
async fn publish_a_draft_query_list_and_delete() {
    let sb = common::sandbox().await;
    let client = common::client(&sb);
    let cover = cover(&client).await;
    let articles = vec![
        DraftArticle::new("头条", "<p>一</p>").with_thumb_media_id(cover.clone()),
        DraftArticle::new("次条", "<p>二</p>").with_thumb_media_id(cover.clone()),
    ];
    let draft = client.draft().add(articles).send().await.unwrap().media_id;

    let job = client.publish().submit(&draft).send().await.expect("submit");
    let msg_data_id = job.msg_data_id.as_deref().expect("msg_data_id");
    assert!(msg_data_id.parse::<u64>().is_ok(), "msg_data_id {msg_data_id} is numeric text");
    assert_eq!(common::code(client.publish().submit("no-such-draft").send().await), 40007);

    let status = client.publish().get(&job.publish_id).send().await.expect("publish status");
    assert_eq!(status.publish_id.as_deref(), Some(job.publish_id.as_str()));
    assert_eq!(status.publish_status, Some(0), "the sandbox publishes at once");
    let article_id = status.article_id.clone().expect("article_id on success");
    let detail = status.article_detail.expect("article_detail");
    assert_eq!(detail.count, Some(2));
    assert_eq!(detail.item.iter().map(|i| i.idx.unwrap_or(0)).collect::<Vec<_>>(), [1, 2]);
    assert!(detail.item.iter().all(|i| i.article_url.as_deref().is_some_and(|u| u.starts_with("http"))));
    assert!(status.fail_idx.is_empty());

    let published = client.publish().get_article(&article_id).send().await.expect("getarticle");
    let titles: Vec<_> = published.news_item.iter().map(|a| a.title.clone().unwrap_or_default()).collect();
    assert_eq!(titles, ["头条", "次条"]);
    assert!(published.news_item.iter().all(|a| a.is_deleted == Some(false)));

    let list = client.publish().batch_get(0, 20).send().await.expect("batchget");
    assert_eq!(list.total_count, Some(1));
    assert_eq!(list.item[0].article_id, article_id);
    let bare = client.publish().batch_get(0, 20).no_content(1).send().await.unwrap();
    let items = &bare.item[0].content.as_ref().expect("titles still listed").news_item;
    assert!(items.iter().all(|a| a.content.is_none() && a.title.is_some()));

    // Delete the second article, then the whole message.
    client.publish().delete(&article_id).index(2).send().await.expect("delete one");
    let after = client.publish().get_article(&article_id).send().await.unwrap();
    assert_eq!(after.news_item.iter().map(|a| a.is_deleted).collect::<Vec<_>>(), [Some(false), Some(true)]);
    assert_eq!(client.publish().batch_get(0, 20).send().await.unwrap().total_count, Some(1));
    client.publish().delete(&article_id).send().await.expect("delete all");
    assert_eq!(client.publish().batch_get(0, 20).send().await.unwrap().total_count, Some(0));
    assert_eq!(client.publish().get(&job.publish_id).send().await.unwrap().publish_status, Some(5));
    assert_eq!(common::code(client.publish().get_article("no-such-article").send().await), 40007);
    sb.shutdown().await;
}

// ---------------------------------------------------------------------------------------------
// datacube

/// Asserts every date lies in `[begin, end]`.
fn within(dates: &[Option<String>], begin: &str, end: &str) {
    assert!(!dates.is_empty(), "some rows for {begin}..{end}");
    for d in dates {
        let d = d.as_deref().expect("ref_date");
        assert!(d >= begin && d <= end, "{d} outside {begin}..{end}");
    }
}

// The six article endpoints are deprecated (WeChat no longer maintains them) but still answer.
#[allow(deprecated)]
#[tokio::test]
async fn datacube_users_articles_and_interface() {
    let sb = common::sandbox().await;
    let client = common::client(&sb);
    let dc = client.datacube();
    let (b, e) = ("2026-03-01", "2026-03-07");

    let summary = dc.get_user_summary(b, e).send().await.expect("getusersummary");
    within(&summary.list.iter().map(|r| r.ref_date.clone()).collect::<Vec<_>>(), b, e);
    let cumulate = dc.get_user_cumulate(b, e).send().await.expect("getusercumulate");
    assert_eq!(cumulate.list.len(), 7, "one row a day");
    let again = dc.get_user_cumulate(b, e).send().await.unwrap();
    assert_eq!(cumulate, again, "figures for past days do not change");

    let day = "2026-03-02";
    let art = dc.get_article_summary(day, day).send().await.expect("getarticlesummary");
    within(&art.list.iter().map(|r| r.ref_date.clone()).collect::<Vec<_>>(), day, day);
    assert!(art.list.iter().all(|r| r.msgid.as_deref().is_some_and(|m| m.contains('_'))));
    let total = dc.get_article_total(day, day).send().await.expect("getarticletotal");
    let details: Vec<_> = total.list.iter().flat_map(|r| r.details.iter()).collect();
    assert!(!details.is_empty() && details.iter().all(|d| d.stat_date.is_some() && d.target_user.is_some()));

    let read = dc.get_user_read("2026-03-01", "2026-03-03").send().await.expect("getuserread");
    within(&read.list.iter().map(|r| r.ref_date.clone()).collect::<Vec<_>>(), "2026-03-01", "2026-03-03");
    let read_hour = dc.get_user_read_hour(day, day).send().await.expect("getuserreadhour");
    assert!(read_hour.list.iter().all(|r| r.ref_hour.is_some_and(|h| (0..=2300).contains(&h) && h % 100 == 0)));
    let share = dc.get_user_share(b, e).send().await.expect("getusershare");
    within(&share.list.iter().map(|r| r.ref_date.clone()).collect::<Vec<_>>(), b, e);
    let share_hour = dc.get_user_share_hour(day, day).send().await.expect("getusersharehour");
    assert!(share_hour.list.iter().all(|r| r.ref_hour.is_some()));

    let month = ("2026-03-01", "2026-03-30");
    let iface = dc.get_interface_summary(month.0, month.1).send().await.expect("getinterfacesummary");
    assert_eq!(iface.list.len(), 30);
    let iface_hour = dc.get_interface_summary_hour(day, day).send().await.expect("getinterfacesummaryhour");
    assert_eq!(iface_hour.list.len(), 24, "one row an hour");

    // Ranges WeChat refuses: too long, reversed, today, not a date.
    assert_eq!(common::code(dc.get_user_summary("2026-03-01", "2026-03-08").send().await), 61501);
    assert_eq!(common::code(dc.get_user_read("2026-03-01", "2026-03-04").send().await), 61501);
    assert_eq!(common::code(dc.get_user_cumulate(e, b).send().await), 61501);
    let today = ymd(beijing_today());
    assert_eq!(common::code(dc.get_user_cumulate(today.clone(), today).send().await), 61501);
    // A date WeChat would refuse with 61500 is refused before sending.
    match dc.get_user_summary("2026/03/01", e).send().await {
        Err(Error::InvalidRequest { message, .. }) => assert!(message.contains("not a YYYY-MM-DD date"), "{message}"),
        other => panic!("expected a refusal before sending, got {other:?}"),
    }
    sb.shutdown().await;
}

#[tokio::test]
async fn datacube_upstream_messages_by_day_hour_week_and_month() {
    let sb = common::sandbox().await;
    let client = common::client(&sb);
    let dc = client.datacube();
    let dates = |rows: &[UpstreamMsgRow]| rows.iter().map(|r| r.ref_date.clone()).collect::<Vec<_>>();

    let days = dc.get_upstream_msg("2026-05-04", "2026-05-10").send().await.expect("getupstreammsg");
    within(&dates(&days.list), "2026-05-04", "2026-05-10");
    let hours = dc.get_upstream_msg_hour("2026-05-04", "2026-05-04").send().await.expect("getupstreammsghour");
    assert!(hours.list.iter().all(|r| r.ref_hour.is_some()));
    // Weekly rows are dated on Mondays, monthly rows on the 1st.
    let weeks = dc.get_upstream_msg_week("2026-05-06", "2026-06-04").send().await.expect("getupstreammsgweek");
    for d in dates(&weeks.list) {
        assert_eq!(day_of(d.as_deref().unwrap()).rem_euclid(7), 4, "{d:?} is a Monday");
        // day 0 was a Thursday
    }
    let months = dc.get_upstream_msg_month("2026-04-15", "2026-05-14").send().await.expect("getupstreammsgmonth");
    let mut firsts: Vec<_> = dates(&months.list).into_iter().flatten().collect();
    firsts.dedup();
    assert_eq!(firsts, ["2026-04-01", "2026-05-01"]);

    let dist = dc.get_upstream_msg_dist("2026-05-01", "2026-05-15").send().await.expect("getupstreammsgdist");
    assert!(dist.list.iter().all(|r| r.count_interval.is_some() && r.msg_user.is_some()));
    assert_eq!(
        common::code(dc.get_upstream_msg_dist("2026-05-01", "2026-05-16").send().await),
        61501,
        "at most 15 days"
    );
    // The weekly and monthly distributions allow 15 days too (their pages: 跨度不超过15天).
    let dist_week = dc.get_upstream_msg_dist_week("2026-05-01", "2026-05-15").send().await;
    assert!(!dist_week.expect("getupstreammsgdistweek over 15 days").list.is_empty());
    let dist_month = dc.get_upstream_msg_dist_month("2026-05-01", "2026-05-15").send().await;
    assert!(!dist_month.expect("getupstreammsgdistmonth over 15 days").list.is_empty());
    assert_eq!(common::code(dc.get_upstream_msg_dist_month("2026-05-01", "2026-05-16").send().await), 61501);
    sb.shutdown().await;
}

#[tokio::test]
async fn datacube_published_content_series() {
    let sb = common::sandbox().await;
    let client = common::client(&sb);
    let dc = client.datacube();
    let day = "2026-01-15";

    let read = dc.get_article_read(day, day).send().await.expect("getarticleread");
    assert_eq!(read.is_delay, Some(false));
    assert!(!read.list.is_empty());
    for row in &read.list {
        assert_eq!(row.ref_date.as_deref(), Some(day));
        let msgid = row.msgid.as_deref().expect("msgid");
        let (msg, idx) = msgid.split_once('_').expect("msg_data_id_index");
        assert!(msg.parse::<u64>().is_ok() && idx.parse::<u32>().is_ok_and(|i| i >= 1), "{msgid}");
        let detail = row.detail.as_ref().expect("detail");
        let all = detail.read_user_source.iter().find(|s| s["source_name"] == "全部").expect("the all-sources entry");
        assert_eq!(all["read_user"].as_i64(), detail.read_user, "read_user is the all-sources figure");
    }
    let share = dc.get_article_share(day, day).send().await.expect("getarticleshare");
    assert!(
        !share.list.is_empty() && share.list.iter().all(|r| r.detail.as_ref().is_some_and(|d| d.share_user.is_some()))
    );
    assert_eq!(common::code(dc.get_article_share("2026-01-15", "2026-01-16").send().await), 61501, "one day only");

    let biz = dc.get_biz_summary("2026-01-01", "2026-01-30").send().await.expect("getbizsummary");
    assert_eq!(biz.list.len(), 30, "one row a day");
    within(&biz.list.iter().map(|r| r.ref_date.clone()).collect::<Vec<_>>(), "2026-01-01", "2026-01-30");
    for row in &biz.list {
        let d = row.detail.as_ref().expect("detail");
        assert!(d.read_user.is_some() && d.share_user.is_some() && d.like_user.is_some() && d.zaikan_user.is_some());
        assert!(d.comment_count.is_some());
    }

    let total = dc.get_article_total_detail(day, day).send().await.expect("getarticletotaldetail");
    assert!(!total.list.is_empty());
    for row in &total.list {
        assert_eq!(row.ref_date.as_deref(), Some(day), "articles published that day");
        assert!(row.publish_type.is_some_and(|t| t == 0 || t == 1));
        let stats = &row.detail_list;
        assert!(!stats.is_empty());
        let stat_dates: Vec<_> = stats.iter().map(|s| s.stat_date.clone().expect("stat_date")).collect();
        assert_eq!(stat_dates[0], day, "counting starts on the publication day");
        assert!(stat_dates.windows(2).all(|w| w[0] < w[1]));
        let readers: Vec<_> = stats.iter().map(|s| s.read_user.expect("read_user")).collect();
        assert!(readers.windows(2).all(|w| w[0] <= w[1]), "cumulative figures never fall: {readers:?}");
    }

    // The series starts on 2025-11-01.
    let before = dc.get_article_read("2025-10-31", "2025-10-31").send().await.expect("before the series");
    assert!(before.list.is_empty());
    assert!(!dc.get_article_read("2025-11-01", "2025-11-01").send().await.unwrap().list.is_empty());
    sb.shutdown().await;
}
