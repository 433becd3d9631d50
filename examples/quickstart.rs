//! A tour of the API.
//!
//! Without `WECHAT_APPID` / `WECHAT_SECRET` it starts an in-process sandbox (a local server
//! that behaves like the WeChat API) and walks through tokens, followers, tags, template
//! messages, media, QR codes, OAuth and the JS-SDK against it, printing each step.
//!
//! With them set, it talks to the real API and only makes read-only calls (token, callback IPs,
//! the first page of followers, the menu), so it is safe to run against a live account.
//!
//! ```sh
//! cargo run --example quickstart
//! WECHAT_APPID=wx... WECHAT_SECRET=... cargo run --example quickstart
//! ```

use std::collections::BTreeMap;
use std::error::Error;

use wechat_oa::api::media::MediaType;
use wechat_oa::api::oauth::OAuthScope;
use wechat_oa::api::qrcode::{QrActionInfoId, QrSceneId};
use wechat_oa::api::tags::TagName;
use wechat_oa::api::template::{TemplateDataValue, TemplateMiniProgram};
use wechat_oa::api::user::Lang;
use wechat_oa::{Client, Upload};
use wechat_oa_sandbox::{Sandbox, SandboxConfig};

type Res = Result<(), Box<dyn Error>>;

#[tokio::main]
async fn main() -> Res {
    match (std::env::var("WECHAT_APPID"), std::env::var("WECHAT_SECRET")) {
        (Ok(appid), Ok(secret)) if !appid.is_empty() && !secret.is_empty() => live(&appid, &secret).await,
        _ => sandbox_tour().await,
    }
}

/// Read-only calls against a real account.
async fn live(appid: &str, secret: &str) -> Res {
    println!("== live account {appid} (read-only calls)");
    let client = Client::new(appid, secret)?;
    let token = client.access_token().await?;
    println!("access_token: fetched ({} characters, never printed)", token.len());
    match client.base().callback_ip().send().await {
        Ok(r) => println!("callback IPs: {} addresses", r.ip_list.len()),
        Err(e) => println!("callback IPs: {e}"),
    }
    match client.user().list().send().await {
        Ok(r) => println!("followers: total {:?}, first page {:?}", r.total, r.count),
        Err(e) => println!("followers: {e}"),
    }
    match client.menu().get().send().await {
        Ok(r) => println!("menu: {}", if r.menu.is_some() { "set" } else { "none" }),
        Err(e) => println!("menu: {e}"),
    }
    Ok(())
}

/// The full tour against a local sandbox.
async fn sandbox_tour() -> Res {
    let sandbox = Sandbox::start(SandboxConfig::default()).await?;
    let (appid, secret) = (sandbox.config().appid.clone(), sandbox.config().secret.clone());
    println!("== WECHAT_APPID/WECHAT_SECRET not set: touring a local sandbox at {}", sandbox.base_url());
    let client = Client::builder(appid, secret).base_url(sandbox.base_url()).build()?;

    // Tokens: fetched on first use, cached, refreshed once however many tasks ask.
    let calls = (0..50).map(|_| client.user().list().send());
    let pages = futures_util::future::join_all(calls).await;
    println!(
        "50 concurrent calls on a cold client: {} ok, {} token request(s) seen by the server",
        pages.iter().filter(|r| r.is_ok()).count(),
        sandbox.stats().token_requests
    );

    // Followers.
    let page = client.user().list().send().await?;
    let openids = page.data.map(|d| d.openid).unwrap_or_default();
    println!("followers: total {:?}, this page {}", page.total, openids.len());
    let first = openids.first().map(str::to_string).ok_or("the sandbox has no followers")?;
    let info = client.user().info(&first).lang(Lang::ZhCn).send().await?;
    println!("user.info({first}): subscribe={:?}, subscribe_time={:?}", info.subscribe, info.subscribe_time);
    client.user().update_remark(&first, "quickstart").send().await?;
    let info = client.user().info(&first).send().await?;
    println!("remark after update_remark: {:?}", info.remark);

    // Tags.
    let tag = client.tags().create(TagName::new("quickstart-vip")).send().await?;
    let tag_id = tag.tag.id;
    client.tags().batch_tagging(openids.iter().take(3).map(String::from).collect(), tag_id).send().await?;
    let users = client.tags().tag_users(tag_id).send().await?;
    println!("tag {tag_id} created and given to {:?} users", users.count);

    // Template messages (idempotent by client_msg_id).
    let tpl = client.template().add("TM00015", vec!["keyword1".into()]).send().await?;
    let mut data = BTreeMap::new();
    data.insert("first".to_string(), TemplateDataValue::new("Your order has shipped"));
    data.insert("keyword1".to_string(), TemplateDataValue::new("#42"));
    let sent = client
        .template()
        .send(&first, &tpl.template_id, data)
        .link_url("https://example.com/orders/42")
        .miniprogram(TemplateMiniProgram::new("wx_miniprogram_appid").with_pagepath("pages/order?id=42"))
        .client_msg_id("order-42-shipped")
        .send()
        .await?;
    println!("template sent: msgid {:?}; the server recorded {} message(s)", sent.msgid, sandbox.sent_messages().len());

    // Media: multipart upload, binary download.
    let png = tiny_png();
    let up = client.media().upload(MediaType::Image, Upload::new("dot.png", png.clone())).send().await?;
    let media_id = up.media_id.ok_or("no media_id")?;
    match client.media().get(&media_id).send().await? {
        wechat_oa::JsonOrBinary::Binary(file) => {
            println!(
                "media {media_id}: uploaded {} bytes, downloaded {} identical: {}",
                png.len(),
                file.bytes.len(),
                file.bytes == png
            )
        }
        wechat_oa::JsonOrBinary::Json(j) => println!("media {media_id}: JSON answer {j:?}"),
    }

    // QR codes: create, then download the image by ticket (no token, mp.weixin.qq.com).
    let qr =
        client.qrcode().create_temporary(QrActionInfoId::new(QrSceneId::new(42))).expire_seconds(600).send().await?;
    let image = client.qrcode().show_qrcode(&qr.ticket).send().await?;
    println!("QR code for scene 42: {} bytes of {:?}", image.bytes.len(), image.content_type);

    // OAuth2 web login: the URL to send the browser to, then the code exchange.
    let url = client
        .oauth()
        .authorize_url("https://example.com/after-login", OAuthScope::SnsapiUserinfo)
        .state("xyz")
        .url()?;
    println!("authorize URL: {url}");
    let code = sandbox.issue_oauth_code(&first, "snsapi_userinfo");
    let grant = client.oauth().access_token(code).send().await?;
    let openid = grant.openid.clone().unwrap_or_default();
    let profile = client.oauth().userinfo(&grant.access_token, &openid).send().await?;
    println!("OAuth: code exchanged for {openid}; userinfo nickname {:?}", profile.nickname);

    // JS-SDK: a signed config for a page (the jsapi ticket is cached like the token).
    let cfg = client.jssdk_config("https://example.com/page?x=1#section").await?;
    println!("JS-SDK config: timestamp {}, nonceStr {}, signature {}", cfg.timestamp, cfg.nonce_str, cfg.signature);

    // Errors are typed: WeChat's errcode with its documented meaning.
    match client.user().info("not-a-follower").send().await {
        Err(wechat_oa::Error::Api(e)) => {
            println!("typed error: errcode {} ({})", e.errcode, e.code().meaning().unwrap_or("not in errors.yaml"))
        }
        other => println!("expected an API error, got {other:?}"),
    }

    let stats = sandbox.stats();
    println!("== done: {} calls, {} token request(s)", stats.calls_by_path.values().sum::<u64>(), stats.token_requests);
    sandbox.shutdown().await;
    Ok(())
}

/// A 1×1 PNG.
fn tiny_png() -> Vec<u8> {
    vec![
        0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00,
        0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4, 0x89, 0x00, 0x00, 0x00,
        0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0x00, 0x01, 0x00, 0x00, 0x05, 0x00, 0x01, 0x0d, 0x0a, 0x2d,
        0xb4, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
    ]
}
