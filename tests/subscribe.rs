//! The `subscribe` area (订阅通知 and one-time subscription messages) through the generated
//! client, against the sandbox: the public template library, the private library (a template
//! added is listed and can be deleted), notices delivered with their data, the one-time
//! subscription authorisation page and the message it allows, and WeChat's codes for bad input.

mod common;

use std::collections::BTreeMap;

use wechat_oa::api::subscribe::{
    MiniprogramState, SubscribeLang, SubscribeOnceContent, SubscribeOnceData, SubscribeTemplateType,
};
use wechat_oa::api::template::{TemplateDataValue, TemplateMiniProgram};
use wechat_oa::Client;
use wechat_oa_sandbox::{Sandbox, SentMessage};

fn sent(sb: &Sandbox, kind: &str) -> Vec<SentMessage> {
    sb.sent_messages().into_iter().filter(|m| m.kind == kind).collect()
}

fn values(pairs: &[(&str, &str)]) -> BTreeMap<String, TemplateDataValue> {
    pairs.iter().map(|(k, v)| (k.to_string(), TemplateDataValue::new(*v))).collect()
}

/// Adds the 付款成功通知 template (tid 99) with keywords 1 (thing) and 3 (time); returns its id.
async fn payment_template(client: &Client) -> String {
    client.subscribe().add_template("99", vec![1, 3], "付款提醒").send().await.expect("add template").pri_tmpl_id
}

#[tokio::test]
async fn categories_select_the_public_titles_page_by_page() {
    let sb = common::sandbox().await;
    let client = common::client(&sb);
    let cats = client.subscribe().get_category().send().await.expect("categories").data;
    assert!(cats.iter().any(|c| c.id == 616 && c.name.as_deref() == Some("公交")), "{cats:?}");

    let ids = cats.iter().map(|c| c.id.to_string()).collect::<Vec<_>>().join(",");
    let all = client.subscribe().pub_template_titles(&ids, 0, 30).send().await.expect("all titles");
    let total = all.count.expect("count");
    assert_eq!(total as usize, all.data.len());
    assert!(total >= 2);

    // One at a time: every title exactly once, and the same total on every page.
    let mut seen = Vec::new();
    for start in 0..total {
        let page = client.subscribe().pub_template_titles(&ids, start, 1).send().await.expect("page");
        assert_eq!(page.count, Some(total));
        assert_eq!(page.data.len(), 1);
        seen.push(page.data[0].tid.clone());
    }
    let want: Vec<_> = all.data.iter().map(|t| t.tid.clone()).collect();
    assert_eq!(seen, want);
    let past = client.subscribe().pub_template_titles(&ids, total, 1).send().await.expect("past the end");
    assert!(past.data.is_empty());

    // Only the asked categories.
    let bus = client.subscribe().pub_template_titles("616", 0, 30).send().await.expect("616");
    assert!(bus.data.iter().all(|t| t.category_id.as_deref() == Some("616")));
    assert!(bus.data.len() < all.data.len());
    assert!(bus.data.iter().any(|t| t.template_type == Some(SubscribeTemplateType::OneTime)));
    sb.shutdown().await;
}

#[tokio::test]
async fn public_title_queries_answer_the_documented_codes() {
    let sb = common::sandbox().await;
    let client = common::client(&sb);
    assert_eq!(common::code(client.subscribe().pub_template_titles("616", 0, 31).send().await), 200017);
    assert_eq!(common::code(client.subscribe().pub_template_titles("616", 0, 0).send().await), 200017);
    assert_eq!(common::code(client.subscribe().pub_template_titles("616", -1, 5).send().await), 200016);
    // The page's own example quotes the ids; WeChat rejects that.
    assert_eq!(common::code(client.subscribe().pub_template_titles("\"2,616\"", 0, 1).send().await), 200019);
    assert_eq!(common::code(client.subscribe().pub_template_keywords("123456").send().await), 200014);
    sb.shutdown().await;
}

#[tokio::test]
async fn an_added_template_is_listed_with_its_keywords_and_deleting_it_removes_it() {
    let sb = common::sandbox().await;
    let client = common::client(&sb);
    let kws = client.subscribe().pub_template_keywords("99").send().await.expect("keywords");
    assert_eq!(kws.count, Some(kws.data.len() as i64));
    let thing = kws.data.iter().find(|k| k.kid == 1).expect("kid 1");
    assert_eq!(thing.rule.as_deref(), Some("thing"));

    assert!(client.subscribe().list_templates().send().await.expect("empty list").data.is_empty());
    let id = payment_template(&client).await;
    let list = client.subscribe().list_templates().send().await.expect("list").data;
    assert_eq!(list.len(), 1);
    let t = &list[0];
    assert_eq!(t.pri_tmpl_id, id);
    assert_eq!(t.title.as_deref(), Some("付款成功通知"));
    assert_eq!(t.template_type, Some(SubscribeTemplateType::OneTime));
    let content = t.content.as_deref().unwrap_or_default();
    assert!(content.contains("{{thing1.DATA}}") && content.contains("{{time3.DATA}}"), "{content}");
    assert!(!content.contains("amount2"), "only the chosen keywords: {content}");

    client.subscribe().delete_template(&id).send().await.expect("delete");
    assert!(client.subscribe().list_templates().send().await.expect("list").data.is_empty());
    assert_eq!(common::code(client.subscribe().delete_template(&id).send().await), 20002);
    sb.shutdown().await;
}

#[tokio::test]
async fn add_template_checks_tid_keywords_and_scene() {
    let sb = common::sandbox().await;
    let client = common::client(&sb);
    let s = client.subscribe();
    assert_eq!(common::code(s.add_template("424242", vec![1, 2], "x").send().await), 200014);
    assert_eq!(common::code(s.add_template("99", vec![1], "x").send().await), 200020);
    assert_eq!(common::code(s.add_template("99", vec![1, 1], "x").send().await), 200020);
    assert_eq!(common::code(s.add_template("99", vec![1, 99], "x").send().await), 200020);
    assert_eq!(
        common::code(s.add_template("99", vec![1, 2], "这是一个超过十五个字的服务场景描述").send().await),
        200021
    );
    assert!(client.subscribe().list_templates().send().await.expect("list").data.is_empty());
    sb.shutdown().await;
}

#[tokio::test]
async fn a_notice_is_delivered_with_its_data_and_a_one_time_template_allows_one() {
    let sb = common::sandbox().await;
    let client = common::client(&sb);
    let user = sb.users()[0].clone();
    let id = payment_template(&client).await;

    client
        .subscribe()
        .send(&user, &id, values(&[("thing1", "会员月卡"), ("time3", "2024-01-01 12:00")]))
        .page("https://example.com/orders/1")
        .miniprogram(TemplateMiniProgram::new("wxminiappid").with_pagepath("pages/order?id=1"))
        .miniprogram_state(MiniprogramState::Trial)
        .lang(SubscribeLang::EnUs)
        .send()
        .await
        .expect("send");
    let notices = sent(&sb, "subscribe");
    assert_eq!(notices.len(), 1);
    let n = &notices[0];
    assert_eq!(n.touser.as_deref(), Some(user.as_str()));
    assert_eq!(n.body["template_id"], id.as_str());
    assert_eq!(n.body["data"]["thing1"]["value"], "会员月卡");
    assert_eq!(n.body["page"], "https://example.com/orders/1");
    assert_eq!(n.body["miniprogram"]["appid"], "wxminiappid");
    assert_eq!(n.body["miniprogram_state"], "trial");
    assert_eq!(n.body["lang"], "en_US");

    // One-time: the subscription is used up.
    let again =
        client.subscribe().send(&user, &id, values(&[("thing1", "再来一次"), ("time3", "2024-01-02")])).send().await;
    assert_eq!(common::code(again), 43101);
    // Another follower still has theirs.
    let other = sb.users()[1].clone();
    client
        .subscribe()
        .send(&other, &id, values(&[("thing1", "x"), ("time3", "2024-01-02")]))
        .send()
        .await
        .expect("other");
    assert_eq!(sent(&sb, "subscribe").len(), 2);
    sb.shutdown().await;
}

#[tokio::test]
async fn a_long_term_template_sends_again() {
    let sb = common::sandbox().await;
    let client = common::client(&sb);
    let user = sb.users()[0].clone();
    let id = client.subscribe().add_template("100", vec![1, 2], "到站").send().await.expect("add").pri_tmpl_id;
    for _ in 0..2 {
        client
            .subscribe()
            .send(&user, &id, values(&[("thing1", "1路"), ("time2", "08:30")]))
            .send()
            .await
            .expect("send");
    }
    assert_eq!(sent(&sb, "subscribe").len(), 2);
    sb.shutdown().await;
}

#[tokio::test]
async fn bad_notices_are_refused_and_not_delivered() {
    let sb = common::sandbox().await;
    let client = common::client(&sb);
    let user = sb.users()[0].clone();
    let id = payment_template(&client).await;
    let ok = || values(&[("thing1", "会员月卡"), ("time3", "2024-01-01")]);
    let s = client.subscribe();
    assert_eq!(common::code(s.send("o_not_a_follower", &id, ok()).send().await), 40003);
    assert_eq!(common::code(s.send(&user, "no-such-template", ok()).send().await), 40037);
    // A keyword missing, and a thing over 20 characters.
    assert_eq!(common::code(s.send(&user, &id, values(&[("thing1", "会员月卡")])).send().await), 47003);
    let long = "超".repeat(21);
    assert_eq!(
        common::code(s.send(&user, &id, values(&[("thing1", &long), ("time3", "2024-01-01")])).send().await),
        47003
    );
    assert!(sent(&sb, "subscribe").is_empty());
    sb.shutdown().await;
}

#[tokio::test]
async fn once_authorize_url_has_wechats_shape() {
    let sb = common::sandbox().await;
    let appid = sb.config().appid.clone();
    let real = Client::new(appid.clone(), "secret").expect("client");
    let url = real
        .subscribe()
        .once_authorize_url(1000, "TPL_ONCE", "https://app.example.com/cb?from=menu")
        .reserved("csrf123")
        .url()
        .expect("url");
    assert!(url.starts_with("https://mp.weixin.qq.com/mp/subscribemsg?"), "{url}");
    assert!(url.ends_with("#wechat_redirect"), "{url}");
    let query = url.split_once('?').map(|(_, q)| q).unwrap_or_default().trim_end_matches("#wechat_redirect");
    let keys: Vec<&str> = query.split('&').map(|p| p.split('=').next().unwrap_or_default()).collect();
    assert_eq!(keys, ["action", "appid", "scene", "template_id", "redirect_url", "reserved"]);
    assert!(query.starts_with(&format!("action=get_confirm&appid={appid}&scene=1000&template_id=TPL_ONCE&")));
    assert!(query.contains("redirect_url=https%3A%2F%2Fapp.example.com%2Fcb%3Ffrom%3Dmenu"), "{query}");
    sb.shutdown().await;
}

#[tokio::test]
async fn a_one_time_authorisation_allows_exactly_one_message() {
    let sb = common::sandbox().await;
    let client = common::client(&sb);
    let content = || {
        SubscribeOnceData::new()
            .with_content(SubscribeOnceContent::new().with_value("您的快递已到").with_color("#FF0000"))
    };

    // Without an authorisation WeChat refuses.
    let user = sb.users()[0].clone();
    assert_eq!(
        common::code(client.subscribe().send_once(&user, "TPL_ONCE", "1000", "到件提醒", content()).send().await),
        43101
    );

    let url =
        client.subscribe().once_authorize_url(1000, "TPL_ONCE", "https://app.example.com/cb").reserved("s1").url();
    let browser = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("browser");
    let resp = browser.get(url.expect("url")).send().await.expect("authorisation page");
    assert_eq!(resp.status(), 302);
    let location = resp.headers()["location"].to_str().expect("location").to_string();
    let back = reqwest::Url::parse(&location).expect("redirect URL");
    assert_eq!(back.as_str().split('?').next(), Some("https://app.example.com/cb"));
    let q: std::collections::HashMap<_, _> = back.query_pairs().into_owned().collect();
    assert_eq!(q.get("action").map(String::as_str), Some("confirm"));
    assert_eq!(q.get("scene").map(String::as_str), Some("1000"));
    assert_eq!(q.get("template_id").map(String::as_str), Some("TPL_ONCE"));
    assert_eq!(q.get("reserved").map(String::as_str), Some("s1"));
    let openid = q.get("openid").cloned().expect("openid on confirm");

    // Another scene is not authorised; the authorised one works once.
    assert_eq!(
        common::code(client.subscribe().send_once(&openid, "TPL_ONCE", "2000", "到件提醒", content()).send().await),
        43101
    );
    client
        .subscribe()
        .send_once(&openid, "TPL_ONCE", "1000", "到件提醒", content())
        .link_url("https://app.example.com/parcel")
        .send()
        .await
        .expect("send once");
    let msgs = sent(&sb, "subscribe_once");
    assert_eq!(msgs.len(), 1);
    assert_eq!(msgs[0].touser.as_deref(), Some(openid.as_str()));
    assert_eq!(msgs[0].body["data"]["content"]["value"], "您的快递已到");
    assert_eq!(msgs[0].body["url"], "https://app.example.com/parcel");
    assert_eq!(msgs[0].body["scene"], "1000");
    assert_eq!(
        common::code(client.subscribe().send_once(&openid, "TPL_ONCE", "1000", "到件提醒", content()).send().await),
        43101
    );
    sb.shutdown().await;
}

#[tokio::test]
async fn the_authorisation_page_and_send_once_check_their_input() {
    let sb = common::sandbox().await;
    let client = common::client(&sb);
    let browser = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("browser");
    let errcode = |v: serde_json::Value| v["errcode"].as_i64().unwrap_or_default();

    let out_of_range = client.subscribe().once_authorize_url(10_001, "T", "https://a.example/").url().expect("url");
    let v: serde_json::Value = browser.get(out_of_range).send().await.expect("page").json().await.expect("json");
    assert_eq!(errcode(v), 40035);
    let other_app = Client::builder("wx_other_app", "s").base_url(sb.base_url()).build().expect("client");
    let wrong = other_app.subscribe().once_authorize_url(1, "T", "https://a.example/").url().expect("url");
    let v: serde_json::Value = browser.get(wrong).send().await.expect("page").json().await.expect("json");
    assert_eq!(errcode(v), 40013);

    let user = sb.users()[0].clone();
    let data = SubscribeOnceData::new().with_content(SubscribeOnceContent::new().with_value("x"));
    let long_title = "这是一个超过十五个字的订阅消息标题啊";
    assert_eq!(common::code(client.subscribe().send_once(&user, "T", "1", long_title, data).send().await), 47003);
    assert!(sent(&sb, "subscribe_once").is_empty());
    sb.shutdown().await;
}
