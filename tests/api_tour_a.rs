//! A tour of eight API areas through the generated client, against the sandbox: base, user,
//! tags, groups, custom_service, mass, template and menu. Every endpoint of those areas is
//! called at least once, and each test checks what the call did to the sandbox's state (a tag
//! that was created is listed, a message that was sent was delivered with the right fields …),
//! plus the errors WeChat documents for the obvious mistakes.

mod common;

use std::collections::{BTreeMap, HashSet};
use std::net::IpAddr;

use serde_json::Value;
use wechat_oa::api::base::{CheckAction, CheckOperator};
use wechat_oa::api::custom_service::{
    CustomMiniProgramPage, CustomMsgMenu, CustomMsgMenuItem, CustomMusic, CustomNews, CustomNewsArticle,
    CustomServiceAccount, CustomVideo, MessageContent, TypingCommand,
};
use wechat_oa::api::draft::DraftArticle;
use wechat_oa::api::mass::{MassFilter, MassImages, MassMpVideo};
use wechat_oa::api::media::MediaType;
use wechat_oa::api::menu::{ButtonType, MenuButton, MenuMatchRule};
use wechat_oa::api::tags::{TagName, TagRef, TagUpdate};
use wechat_oa::api::template::{TemplateDataValue, TemplateMiniProgram};
use wechat_oa::api::user::{BatchUserQuery, Lang};
use wechat_oa::{Client, Upload};
use wechat_oa_sandbox::{Sandbox, SentMessage};

// ---------------------------------------------------------------------------------------------
// helpers

/// The delivered messages of one kind ("custom", "mass_send" …), in order.
fn sent(sb: &Sandbox, kind: &str) -> Vec<SentMessage> {
    sb.sent_messages().into_iter().filter(|m| m.kind == kind).collect()
}

fn msgtypes(msgs: &[SentMessage]) -> Vec<String> {
    msgs.iter().map(|m| m.body["msgtype"].as_str().unwrap_or_default().to_string()).collect()
}

/// A few bytes standing in for a file of `name`'s type (the sandbox checks extension and size).
fn file(name: &str) -> Upload {
    let mut bytes = b"\xff\xd8\xff\xe0sandbox test file ".to_vec();
    bytes.extend_from_slice(name.as_bytes());
    Upload::new(name, bytes)
}

/// Uploads temporary media and returns its id (`thumb_media_id` for thumbs).
async fn temp_media(client: &Client, kind: MediaType, name: &str) -> String {
    let r = client.media().upload(kind, file(name)).send().await.expect("upload temporary media");
    r.media_id.or(r.thumb_media_id).expect("a media id")
}

/// Media ids the message tests need.
struct Media {
    image: String,
    voice: String,
    video: String,
    thumb: String,
    /// A draft's media_id (accepted where an mpnews media_id is expected).
    news: String,
    /// The article_id of a published draft.
    article_id: String,
}

async fn media(client: &Client) -> Media {
    let image = temp_media(client, MediaType::Image, "photo.jpg").await;
    let voice = temp_media(client, MediaType::Voice, "hello.mp3").await;
    let video = temp_media(client, MediaType::Video, "clip.mp4").await;
    let thumb = temp_media(client, MediaType::Thumb, "thumb.jpg").await;
    let cover = client.material().add(MediaType::Image, file("cover.jpg")).send().await.expect("permanent image");
    let article = DraftArticle::new("沙箱周报", "<p>本周要闻</p>").with_thumb_media_id(cover.media_id);
    let news = client.draft().add(vec![article.clone()]).send().await.expect("draft").media_id;
    let to_publish = client.draft().add(vec![article]).send().await.expect("draft").media_id;
    client.publish().submit(to_publish).send().await.expect("publish");
    let published = client.publish().batch_get(0, 20).send().await.expect("published articles").item;
    let article_id = published.first().expect("one published article").article_id.clone();
    Media { image, voice, video, thumb, news, article_id }
}

/// Creates a tag and returns its id.
async fn new_tag(client: &Client, name: &str) -> i64 {
    client.tags().create(TagName::new(name)).send().await.expect("create tag").tag.id
}

// ---------------------------------------------------------------------------------------------
// base

#[tokio::test]
async fn base_token_and_stable_token_called_directly() {
    let sb = common::sandbox().await;
    let client = common::client(&sb);

    let plain = client.base().token().send().await.expect("token");
    assert!(!plain.access_token.is_empty());
    assert_eq!(plain.expires_in, sb.config().token_ttl.as_secs() as i64);
    assert!(!format!("{plain:?}").contains(&plain.access_token), "Debug redacts the token");
    assert_eq!(sb.stats().token_requests, 1);

    let a = client.base().stable_token().send().await.expect("stable token");
    let b = client.base().stable_token().force_refresh(false).send().await.expect("stable token");
    assert_eq!(a.access_token, b.access_token, "normal mode returns the valid token again");
    assert_ne!(a.access_token, plain.access_token, "stable tokens are independent of token()");
    assert!(b.expires_in > 0 && b.expires_in <= plain.expires_in);
    let forced = client.base().stable_token().force_refresh(true).send().await.expect("forced refresh");
    assert_ne!(forced.access_token, a.access_token, "force_refresh issues a new token");
    assert_eq!(sb.stats().stable_token_requests, 3);
    assert_eq!(sb.stats().token_requests, 1, "the direct calls did not go through the client's cache");
}

#[tokio::test]
async fn a_wrong_secret_is_a_typed_api_error_40125() {
    let sb = common::sandbox().await;
    let secret = "definitely-not-the-secret-0042";
    let client = Client::builder(sb.config().appid.clone(), secret).base_url(sb.base_url()).build().expect("client");

    let err = client.base().token().send().await.expect_err("rejected");
    let api = err.api().expect("a WeChat error");
    assert_eq!(api.errcode, 40125);
    assert_eq!(api.endpoint, "base.token");
    assert!(api.rid.is_some(), "WeChat's rid is kept");
    let shown = format!("{err} {err:?}");
    assert!(!shown.contains(secret), "the secret leaked: {shown}");

    assert_eq!(common::code(client.base().stable_token().send().await), 40125);
    assert_eq!(common::code(client.base().clear_quota_by_secret().send().await), 40125);
    // A call that needs the app token fails with the token endpoint's error.
    assert_eq!(common::code(client.user().list().send().await), 40125);
    assert!(sb.sent_messages().is_empty());
}

#[tokio::test]
async fn ip_lists_and_the_callback_network_check() {
    let sb = common::sandbox().await;
    let client = common::client(&sb);

    let callback = client.base().callback_ip().send().await.expect("callback ips");
    assert!(!callback.ip_list.is_empty());
    for entry in &callback.ip_list {
        let ip = entry.split('/').next().unwrap_or_default();
        assert!(ip.parse::<IpAddr>().is_ok(), "not an IP or CIDR range: {entry}");
    }
    let api = client.base().api_domain_ip().send().await.expect("api domain ips");
    assert!(!api.ip_list.is_empty());
    assert!(api.ip_list.iter().all(|ip| ip.parse::<IpAddr>().is_ok()), "{:?}", api.ip_list);

    let all = client.base().callback_check(CheckAction::All, CheckOperator::Default).send().await.expect("check");
    assert!(!all.dns.is_empty() && all.dns.len() == all.ping.len(), "{all:?}");
    let resolved: HashSet<_> = all.dns.iter().map(|d| d.ip.clone()).collect();
    let pinged: HashSet<_> = all.ping.iter().map(|p| p.ip.clone()).collect();
    assert_eq!(resolved, pinged, "every resolved address is pinged");
    for p in &all.ping {
        // DEFAULT: each address is pinged from its own carrier.
        let dns = all.dns.iter().find(|d| d.ip == p.ip).expect("resolved");
        assert_eq!(p.from_operator, dns.real_operator);
        assert!(matches!(p.package_loss.as_deref(), Some("0%" | "100%")), "{p:?}");
    }
    let dns_only = client.base().callback_check(CheckAction::Dns, CheckOperator::Unicom).send().await.expect("dns");
    assert!(!dns_only.dns.is_empty() && dns_only.ping.is_empty());
    let ping_only = client.base().callback_check(CheckAction::Ping, CheckOperator::Cap).send().await.expect("ping");
    assert!(ping_only.dns.is_empty() && !ping_only.ping.is_empty());
    assert!(ping_only.ping.iter().all(|p| p.from_operator.as_deref() == Some("CAP")));

    let bad_action = client.base().callback_check(CheckAction::Other("traceroute".into()), CheckOperator::Default);
    assert_eq!(common::code(bad_action.send().await), 40202);
    let bad_operator = client.base().callback_check(CheckAction::All, CheckOperator::Other("MOBILE".into()));
    assert_eq!(common::code(bad_operator.send().await), 40203);
}

#[tokio::test]
async fn quota_query_and_the_shared_monthly_reset_budget() {
    let sb = common::sandbox().await;
    let client = common::client(&sb);
    let path = "/cgi-bin/getcallbackip";
    for _ in 0..3 {
        client.base().callback_ip().send().await.expect("callback ips");
    }
    let quota = client.base().api_quota(path).send().await.expect("quota");
    let info = quota.quota.expect("quota info");
    let counted = sb.stats().calls_by_path.get(path).copied().expect("counted") as i64;
    assert_eq!(info.used, Some(counted));
    assert_eq!(info.used, Some(3));
    assert_eq!(info.remain, Some(info.daily_limit.expect("limit") - 3));
    assert!(quota.rate_limit.and_then(|r| r.call_count).is_some_and(|c| c > 0));
    assert_eq!(common::code(client.base().api_quota("cgi-bin/no-leading-slash").send().await), 76003);

    client.base().clear_api_quota(path).send().await.expect("reset one API");
    assert_eq!(common::code(client.base().clear_api_quota("/cgi-bin/not/an/api").send().await), 76021);

    // clear_quota and clear_quota_by_secret share 10 resets a month.
    for _ in 0..5 {
        client.base().clear_quota().send().await.expect("reset with the token");
        client.base().clear_quota_by_secret().send().await.expect("reset with the secret");
    }
    assert_eq!(common::code(client.base().clear_quota().send().await), 48006);
    assert_eq!(common::code(client.base().clear_quota_by_secret().send().await), 48006);
}

#[tokio::test]
async fn rid_info_describes_the_failed_request() {
    let sb = common::sandbox().await;
    let client = common::client(&sb);
    let stranger = "oStranger_not_a_follower_xyz";
    let err = client.user().info(stranger).send().await.expect_err("not a follower");
    let api = err.api().expect("a WeChat error");
    assert_eq!(api.errcode, 40003);
    let rid = api.rid.clone().expect("a rid");

    let info = client.base().rid_info(rid.clone()).send().await.expect("rid info");
    let req = info.request.expect("request details");
    let response = req.response_body.expect("response body");
    assert!(response.contains("40003") && response.contains(&rid), "{response}");
    let url = req.request_url.expect("request url");
    assert!(url.contains(&format!("openid={stranger}")), "{url}");
    let token = client.access_token().await.expect("token");
    assert!(!url.contains(&token), "the full token is not shown");
    assert!(req.invoke_time.is_some_and(|t| t > 1_600_000_000));

    // A rejected secret is not shown back, in the query string (token) or the body (stable_token).
    let wrong = "wrong-secret-for-rid-lookup-77";
    let bad = Client::builder(sb.config().appid.clone(), wrong).base_url(sb.base_url()).build().expect("client");
    for failed in [bad.base().token().send().await.map(drop), bad.base().stable_token().send().await.map(drop)] {
        let rid = failed.expect_err("rejected").api().and_then(|e| e.rid.clone()).expect("a rid");
        let req = client.base().rid_info(rid).send().await.expect("rid info").request.expect("details");
        let shown = format!("{} {}", req.request_url.unwrap_or_default(), req.request_body.unwrap_or_default());
        assert!(shown.contains(sb.config().appid.as_str()), "the request is described: {shown}");
        assert!(!shown.contains(wrong), "{shown}");
    }

    assert_eq!(common::code(client.base().rid_info("not-a-rid").send().await), 76002);
    assert_eq!(common::code(client.base().rid_info("0000abcd-0000abcd-0000abcd").send().await), 76001);
    // Only the account that got the error may look it up.
    let other = common::sandbox_with(|c| c.appid = "wx0ther0000sandbox".into()).await;
    let other_client = common::client(&other);
    assert_eq!(common::code(other_client.base().rid_info(rid).send().await), 76003);
}

// ---------------------------------------------------------------------------------------------
// user

#[tokio::test]
async fn followers_list_info_batch_info_and_remark() {
    let sb = common::sandbox().await;
    let client = common::client(&sb);
    let users = sb.users();

    let page = client.user().list().send().await.expect("list");
    assert_eq!(page.total, Some(users.len() as i64));
    assert_eq!(page.count, Some(users.len() as i64));
    assert_eq!(page.data.as_ref().map(|d| d.openid.to_vec()), Some(users.clone()));
    let last = page.next_openid.expect("cursor");
    assert_eq!(Some(&last), users.last());
    let after = client.user().list().next_openid(last).send().await.expect("next page");
    assert_eq!(after.count, Some(0));
    assert!(after.data.is_none_or(|d| d.openid.is_empty()));

    let info = client.user().info(&users[0]).lang(Lang::En).send().await.expect("info");
    assert_eq!(info.openid, users[0]);
    assert_eq!(info.subscribe, Some(1));
    assert_eq!(info.remark.as_deref(), Some(""));

    client.user().update_remark(&users[0], "老客户 VIP").send().await.expect("remark");
    let info = client.user().info(&users[0]).send().await.expect("info");
    assert_eq!(info.remark.as_deref(), Some("老客户 VIP"));

    let batch = client
        .user()
        .batch_info(vec![BatchUserQuery::new(&users[2]), BatchUserQuery::new(&users[0]).with_lang(Lang::ZhTw)])
        .send()
        .await
        .expect("batch info");
    let got: Vec<_> = batch.user_info_list.iter().map(|u| u.openid.clone()).collect();
    assert_eq!(got, vec![users[2].clone(), users[0].clone()]);
    assert_eq!(batch.user_info_list[1].remark.as_deref(), Some("老客户 VIP"));

    // A missing openid on a JSON GET: WeChat's 41009.
    assert_eq!(common::code(client.user().info("").send().await), 41009);
    assert_eq!(common::code(client.user().info("oNobody_000000000000000000000").send().await), 40003);
}

#[tokio::test]
async fn blacklist_blocks_messages_until_lifted() {
    let sb = common::sandbox().await;
    let client = common::client(&sb);
    let users = sb.users();

    let empty = client.user().blacklist().send().await.expect("blacklist");
    assert_eq!(empty.total, Some(0));

    client.user().batch_blacklist(vec![users[3].clone(), users[4].clone()]).send().await.expect("block");
    let listed = client.user().blacklist().send().await.expect("blacklist");
    assert_eq!(listed.total, Some(2));
    assert_eq!(listed.data.map(|d| d.openid.to_vec()), Some(vec![users[3].clone(), users[4].clone()]));
    let from_4 = client.user().blacklist().begin_openid(&users[3]).send().await.expect("from a cursor");
    assert_eq!(from_4.data.map(|d| d.openid.to_vec()), Some(vec![users[4].clone()]));

    let blocked = client.custom_service().send(&users[3], MessageContent::text("hi")).send().await;
    assert_eq!(common::code(blocked), 43019, "a blacklisted follower gets no messages");

    client.user().batch_unblacklist(vec![users[3].clone()]).send().await.expect("unblock");
    let listed = client.user().blacklist().send().await.expect("blacklist");
    assert_eq!(listed.data.map(|d| d.openid.to_vec()), Some(vec![users[4].clone()]));
    client.custom_service().send(&users[3], MessageContent::text("welcome back")).send().await.expect("send");
    assert_eq!(sent(&sb, "custom").len(), 1);

    let too_many: Vec<String> = users.iter().take(21).cloned().collect();
    assert_eq!(common::code(client.user().batch_blacklist(too_many).send().await), 40032);
}

#[tokio::test]
async fn change_openid_maps_a_migrated_accounts_followers() {
    let sb = common::sandbox().await;
    let client = common::client(&sb);
    let old = vec!["oOldAcct_0123456789abcdefghi".to_string(), "not-an-openid".to_string()];

    let r = client.user().change_openid("wx00000000oldacct", old.clone()).send().await.expect("change openid");
    assert_eq!(r.result_list.len(), 2);
    let ok = &r.result_list[0];
    assert_eq!(ok.ori_openid, old[0]);
    let new = ok.new_openid.clone().expect("a new openid");
    assert_ne!(new, old[0]);
    assert_eq!(ok.err_msg.as_deref(), Some("ok"));
    assert_eq!(r.result_list[1].ori_openid, old[1]);
    assert!(r.result_list[1].new_openid.is_none());
    assert_eq!(r.result_list[1].err_msg.as_deref(), Some("ori_openid error"));

    let again = client.user().change_openid("wx00000000oldacct", vec![old[0].clone()]).send().await.expect("again");
    assert_eq!(again.result_list[0].new_openid.as_deref(), Some(new.as_str()), "the mapping is stable");

    let own = sb.config().appid.clone();
    assert_eq!(common::code(client.user().change_openid(own, vec![old[0].clone()]).send().await), 63178);
    assert_eq!(common::code(client.user().change_openid("wx00000000oldacct", vec![]).send().await), 63182);
}

// ---------------------------------------------------------------------------------------------
// tags

#[tokio::test]
async fn tags_create_tag_users_rename_untag_and_delete() {
    let sb = common::sandbox().await;
    let client = common::client(&sb);
    let users = sb.users();

    let created = client.tags().create(TagName::new("广东")).send().await.expect("create").tag;
    assert_eq!(created.name, "广东");
    assert!(created.id > 2, "ids 0–2 are the system's");
    let listed = client.tags().list().send().await.expect("list").tags;
    let tag = listed.iter().find(|t| t.id == created.id).expect("listed");
    assert_eq!((tag.name.as_str(), tag.count), ("广东", Some(0)));

    client.tags().batch_tagging(vec![users[0].clone(), users[1].clone()], created.id).send().await.expect("tag");
    let mine = client.tags().user_tags(&users[0]).send().await.expect("user tags");
    assert_eq!(mine.tagid_list, vec![created.id]);
    let fans = client.tags().tag_users(created.id).send().await.expect("tag users");
    assert_eq!(fans.count, Some(2));
    assert_eq!(fans.data.map(|d| d.openid.to_vec()), Some(vec![users[0].clone(), users[1].clone()]));
    let rest = client.tags().tag_users(created.id).next_openid(&users[0]).send().await.expect("next page");
    assert_eq!(rest.data.map(|d| d.openid.to_vec()), Some(vec![users[1].clone()]));
    let info = client.user().info(&users[1]).send().await.expect("info");
    assert_eq!(info.tagid_list, vec![created.id], "user info shows the tag too");

    client.tags().update(TagUpdate::new(created.id, "广州")).send().await.expect("rename");
    let listed = client.tags().list().send().await.expect("list").tags;
    let tag = listed.iter().find(|t| t.id == created.id).expect("listed");
    assert_eq!((tag.name.as_str(), tag.count), ("广州", Some(2)));

    client.tags().batch_untagging(vec![users[0].clone()], created.id).send().await.expect("untag");
    assert!(client.tags().user_tags(&users[0]).send().await.expect("user tags").tagid_list.is_empty());
    assert_eq!(client.tags().tag_users(created.id).send().await.expect("tag users").count, Some(1));

    client.tags().delete(TagRef::new(created.id)).send().await.expect("delete");
    let listed = client.tags().list().send().await.expect("list").tags;
    assert!(listed.iter().all(|t| t.id != created.id));
    assert!(client.tags().user_tags(&users[1]).send().await.expect("user tags").tagid_list.is_empty());

    new_tag(&client, "重复").await;
    assert_eq!(common::code(client.tags().create(TagName::new("重复")).send().await), 45157);
    assert_eq!(common::code(client.tags().update(TagUpdate::new(2, "星标")).send().await), 45058);
    let fifty_one: Vec<String> = (0..51).map(|i| users[i % users.len()].clone()).collect();
    assert_eq!(common::code(client.tags().batch_tagging(fifty_one, created.id).send().await), 40032);
}

// ---------------------------------------------------------------------------------------------
// groups (retired, still answered)

#[tokio::test]
#[allow(deprecated)]
async fn legacy_groups_create_move_rename_and_delete() {
    use wechat_oa::api::groups::{GroupName, GroupRef, GroupUpdate};
    let sb = common::sandbox().await;
    let client = common::client(&sb);
    let users = sb.users();

    let group = client.groups().create(GroupName::new("老客户")).send().await.expect("create").group;
    assert_eq!(group.name, "老客户");
    let listed = client.groups().list().send().await.expect("list").groups;
    assert!(listed.iter().any(|g| g.id == 0), "the default group is listed");
    assert_eq!(listed.iter().find(|g| g.id == group.id).and_then(|g| g.count), Some(0));

    assert_eq!(client.groups().user_group(&users[0]).send().await.expect("group").groupid, 0);
    client.groups().move_member(&users[0], group.id).send().await.expect("move");
    assert_eq!(client.groups().user_group(&users[0]).send().await.expect("group").groupid, group.id);
    client.groups().batch_move_members(vec![users[1].clone(), users[2].clone()], group.id).send().await.expect("move");
    let listed = client.groups().list().send().await.expect("list").groups;
    assert_eq!(listed.iter().find(|g| g.id == group.id).and_then(|g| g.count), Some(3));

    client.groups().update(GroupUpdate::new(group.id, "金牌客户")).send().await.expect("rename");
    let listed = client.groups().list().send().await.expect("list").groups;
    assert_eq!(listed.iter().find(|g| g.id == group.id).map(|g| g.name.as_str()), Some("金牌客户"));

    client.groups().delete(GroupRef::new(group.id)).send().await.expect("delete");
    let listed = client.groups().list().send().await.expect("list").groups;
    assert!(listed.iter().all(|g| g.id != group.id));
    assert_eq!(client.groups().user_group(&users[1]).send().await.expect("group").groupid, 0, "back to default");

    assert_eq!(common::code(client.groups().update(GroupUpdate::new(1, "x")).send().await), 45016);
}

// ---------------------------------------------------------------------------------------------
// custom_service

#[tokio::test]
#[allow(deprecated)] // send_mpnews: 发送公众号图文消息（废弃）, still answered
async fn custom_messages_of_every_kind_are_delivered() {
    let sb = common::sandbox().await;
    let client = common::client(&sb);
    let to = sb.users()[0].clone();
    let m = media(&client).await;
    let cs = client.custom_service();

    cs.send(&to, MessageContent::text("您好，订单已发货"))
        .customservice(CustomServiceAccount::new("kf2001@sandbox"))
        .send()
        .await
        .expect("text");
    cs.send(&to, MessageContent::image(&m.image)).send().await.expect("image");
    cs.send(&to, MessageContent::voice(&m.voice)).send().await.expect("voice");
    let video = CustomVideo::new(&m.video, &m.thumb).with_title("开箱").with_description("新品开箱视频");
    cs.send(&to, video).send().await.expect("video");
    let music =
        CustomMusic::new("https://example.com/a.mp3", "https://example.com/a-hq.mp3", &m.thumb).with_title("歌");
    cs.send(&to, music).send().await.expect("music");
    let article = CustomNewsArticle::new("活动", "https://example.com/event").with_picurl("https://example.com/p.png");
    cs.send(&to, MessageContent::News(CustomNews::new(vec![article]))).send().await.expect("news");
    cs.send(&to, MessageContent::mp_news(&m.news)).send().await.expect("mpnews");
    cs.send(&to, MessageContent::mp_news_article(&m.article_id)).send().await.expect("mpnewsarticle");
    let menu = CustomMsgMenu::new(vec![CustomMsgMenuItem::new("101", "满意"), CustomMsgMenuItem::new("102", "不满意")])
        .with_head_content("您对本次服务是否满意？")
        .with_tail_content("欢迎再次光临");
    cs.send(&to, menu).send().await.expect("msgmenu");
    cs.send(&to, MessageContent::wx_card("pDF3iY9tv9zCGCj4jTXFOo1DxHdo")).send().await.expect("wxcard");
    let card = CustomMiniProgramPage::new("wxa0000000miniapp", "pages/index?foo=bar", &m.thumb);
    cs.send(&to, MessageContent::MiniProgramPage(card.clone().with_title("小程序卡片")))
        .send()
        .await
        .expect("miniprogrampage");
    cs.send(&to, MessageContent::MiniProgramPage(card)).send().await.expect("a card without a title");

    let delivered = sent(&sb, "custom");
    assert_eq!(
        msgtypes(&delivered),
        [
            "text",
            "image",
            "voice",
            "video",
            "music",
            "news",
            "mpnews",
            "mpnewsarticle",
            "msgmenu",
            "wxcard",
            "miniprogrampage",
            "miniprogrampage"
        ]
    );
    assert!(delivered.iter().all(|d| d.touser.as_deref() == Some(to.as_str()) && d.body["touser"] == to.as_str()));
    let body = |i: usize| -> &Value { &delivered[i].body };
    assert_eq!(body(0)["text"]["content"], "您好，订单已发货");
    assert_eq!(body(0)["customservice"]["kf_account"], "kf2001@sandbox");
    assert!(body(1).get("customservice").is_none(), "an unset option is not sent");
    assert_eq!(body(1)["image"]["media_id"], m.image.as_str());
    assert_eq!(body(3)["video"]["thumb_media_id"], m.thumb.as_str());
    assert_eq!(body(4)["music"]["hqmusicurl"], "https://example.com/a-hq.mp3");
    assert_eq!(body(5)["news"]["articles"][0]["picurl"], "https://example.com/p.png");
    assert_eq!(body(7)["mpnewsarticle"]["article_id"], m.article_id.as_str());
    assert_eq!(body(8)["msgmenu"]["list"][1]["id"], "102");
    assert_eq!(body(10)["miniprogrampage"]["title"], "小程序卡片");
    assert!(body(11)["miniprogrampage"].get("title").is_none());

    cs.typing(&to, TypingCommand::Typing).send().await.expect("typing");
    cs.typing(&to, TypingCommand::CancelTyping).send().await.expect("cancel typing");
    let typing = sent(&sb, "typing");
    assert_eq!(typing.len(), 2);
    assert_eq!(typing[0].body["command"], "Typing");
    assert_eq!(typing[1].body["command"], "CancelTyping");
}

#[tokio::test]
async fn custom_message_mistakes_get_wechats_codes() {
    let sb = common::sandbox().await;
    let client = common::client(&sb);
    let to = sb.users()[0].clone();
    let cs = client.custom_service();

    assert_eq!(common::code(cs.send(&to, MessageContent::text("")).send().await), 44004, "empty content");
    assert_eq!(common::code(cs.send(&to, MessageContent::image("no-such-media")).send().await), 40007);
    let two = vec![
        CustomNewsArticle::new("a", "https://example.com/a"),
        CustomNewsArticle::new("b", "https://example.com/b"),
    ];
    assert_eq!(
        common::code(cs.send(&to, MessageContent::News(CustomNews::new(two))).send().await),
        45008,
        "one article only"
    );
    assert_eq!(common::code(cs.send("oNobody_000000000000000000000", MessageContent::text("hi")).send().await), 40003);
    assert_eq!(common::code(cs.typing(&to, TypingCommand::Other("Dancing".into())).send().await), 45072);
    assert!(sb.sent_messages().is_empty(), "nothing was delivered");
}

// ---------------------------------------------------------------------------------------------
// mass

#[tokio::test]
async fn mass_sendall_every_kind_then_status() {
    let sb = common::sandbox().await;
    let client = common::client(&sb);
    let m = media(&client).await;
    let tag = new_tag(&client, "群发对象").await;
    let mass = client.mass();
    let all = || MassFilter::new(true);

    let news =
        mass.sendall(all(), MessageContent::mp_news(&m.news)).send_ignore_reprint(1).send().await.expect("mpnews");
    let text = mass.sendall(MassFilter::new(false).with_tag_id(tag), MessageContent::text("周末特惠")).send().await;
    let text = text.expect("text to a tag");
    let voice = mass.sendall(all(), MessageContent::voice(&m.voice)).send().await.expect("voice");
    let images = MassImages::new(vec![m.image.clone()]).with_recommend("今日图集").with_need_open_comment(1);
    let images = mass.sendall(all(), images).send().await.expect("images");
    let video = mass.sendall(all(), MessageContent::MpVideo(MassMpVideo::new(&m.video))).send().await.expect("mpvideo");
    let card = mass.sendall(all(), MessageContent::wx_card("pCard0001")).send().await.expect("wxcard");

    assert!(news.msg_data_id.is_some(), "news answers a msg_data_id");
    assert!(text.msg_data_id.is_none());
    let ids = [news.msg_id, text.msg_id, voice.msg_id, images.msg_id, video.msg_id, card.msg_id];
    assert_eq!(ids.iter().collect::<HashSet<_>>().len(), 6, "distinct msg_ids");
    for id in ids {
        // msg_id is typed string on the status page (a number in its example answer).
        let status = mass.status(id.to_string()).send().await.expect("status");
        assert_eq!(status.msg_id, Some(id.to_string()));
        assert_eq!(status.msg_status.as_deref(), Some("SEND_SUCCESS"));
    }

    let delivered = sent(&sb, "mass_sendall");
    assert_eq!(msgtypes(&delivered), ["mpnews", "text", "voice", "image", "mpvideo", "wxcard"]);
    assert_eq!(delivered.iter().map(|d| d.msgid.expect("msgid")).collect::<Vec<_>>(), ids);
    assert_eq!(delivered[0].body["send_ignore_reprint"], 1);
    assert_eq!(delivered[1].body["filter"]["tag_id"], tag);
    assert_eq!(delivered[1].body["filter"]["is_to_all"], false);
    assert_eq!(delivered[3].body["images"]["recommend"], "今日图集");

    assert_eq!(
        common::code(mass.sendall(MassFilter::new(false).with_tag_id(999), MessageContent::text("x")).send().await),
        45159
    );
}

#[tokio::test]
async fn mass_send_to_openids_and_previews() {
    let sb = common::sandbox().await;
    let client = common::client(&sb);
    let m = media(&client).await;
    let users = sb.users();
    let two = || vec![users[0].clone(), users[1].clone()];
    let mass = client.mass();

    let video = MassMpVideo::new(&m.video).with_title("发布会").with_description("回放");
    let ids = [
        mass.send(two(), MessageContent::mp_news(&m.news)).send().await.expect("mpnews").msg_id,
        mass.send(two(), MessageContent::text("您有一张优惠券")).send().await.expect("text").msg_id,
        mass.send(two(), MessageContent::voice(&m.voice)).send().await.expect("voice").msg_id,
        mass.send(two(), MessageContent::Images(MassImages::new(vec![m.image.clone()])))
            .send()
            .await
            .expect("images")
            .msg_id,
        mass.send(two(), video.clone()).send().await.expect("mpvideo").msg_id,
        mass.send(two(), MessageContent::wx_card("pCard0001")).send().await.expect("wxcard").msg_id,
    ];
    let delivered = sent(&sb, "mass_send");
    assert_eq!(msgtypes(&delivered), ["mpnews", "text", "voice", "image", "mpvideo", "wxcard"]);
    assert_eq!(delivered.iter().filter_map(|d| d.msgid).collect::<Vec<_>>(), ids);
    assert!(delivered.iter().all(|d| d.body["touser"] == serde_json::json!(two())));
    assert_eq!(delivered[4].body["mpvideo"]["title"], "发布会");

    let to = &users[2];
    mass.preview(MessageContent::mp_news(&m.news)).touser(to).send().await.expect("preview mpnews");
    mass.preview(MessageContent::text("预览")).touser(to).send().await.expect("preview text");
    mass.preview(MessageContent::voice(&m.voice)).touser(to).send().await.expect("preview voice");
    mass.preview(MessageContent::image(&m.image)).touser(to).send().await.expect("preview image");
    mass.preview(video).touser(to).send().await.expect("preview mpvideo");
    let by_wxname = mass.preview(MessageContent::wx_card("pCard0001")).towxname("sandbox_wx_id").send().await;
    assert!(by_wxname.expect("preview by WeChat ID").msg_id.is_some());
    let previews = sent(&sb, "mass_preview");
    assert_eq!(msgtypes(&previews), ["mpnews", "text", "voice", "image", "mpvideo", "wxcard"]);
    // Preview takes one image under `image`, not sendall's `images`.
    assert_eq!(previews[3].body["image"]["media_id"], m.image.as_str());
    assert!(previews[..5].iter().all(|p| p.touser.as_deref() == Some(to.as_str())));
    assert_eq!(previews[5].body["towxname"], "sandbox_wx_id");

    assert_eq!(common::code(mass.send(vec![users[0].clone()], MessageContent::text("x")).send().await), 40130);
    assert_eq!(common::code(mass.preview(MessageContent::text("x")).send().await), 47001, "touser or towxname needed");
}

#[tokio::test]
async fn mass_clientmsgid_delete_and_speed() {
    let sb = common::sandbox().await;
    let client = common::client(&sb);
    let m = media(&client).await;
    let users = sb.users();
    let two = vec![users[0].clone(), users[1].clone()];
    let mass = client.mass();

    let first = mass.send(two.clone(), MessageContent::text("一次")).clientmsgid("batch-2024-001").send().await;
    let first = first.expect("send");
    let again = mass.send(two.clone(), MessageContent::text("一次")).clientmsgid("batch-2024-001").send().await;
    assert_eq!(common::code(again), 45065, "a repeated clientmsgid is refused");
    assert_eq!(sent(&sb, "mass_send").len(), 1, "and not delivered again");
    assert_eq!(sent(&sb, "mass_send")[0].msgid, Some(first.msg_id));

    let news = mass.send(two, MessageContent::mp_news(&m.news)).send().await.expect("mpnews");
    mass.delete().msg_id(news.msg_id).article_idx(0).send().await.expect("delete");
    assert_eq!(
        mass.status(news.msg_id.to_string()).send().await.expect("status").msg_status.as_deref(),
        Some("DELETE")
    );
    mass.delete().article_url("https://mp.weixin.qq.com/s/sandbox-article").send().await.expect("delete by url");
    assert_eq!(common::code(mass.delete().msg_id(news.msg_id + 1_000).send().await), 40059, "an unknown msg_id");

    let speed = mass.get_speed().send().await.expect("speed");
    assert_eq!(speed.speed, 0);
    let fastest = speed.realspeed.expect("real speed");
    mass.set_speed(3).send().await.expect("set speed");
    let slower = mass.get_speed().send().await.expect("speed");
    assert_eq!(slower.speed, 3);
    assert!(slower.realspeed.expect("real speed") < fastest, "level 3 is slower than level 0");
    assert_eq!(common::code(mass.set_speed(9).send().await), 45083);
}

// ---------------------------------------------------------------------------------------------
// template

#[tokio::test]
async fn template_industry_and_library() {
    let sb = common::sandbox().await;
    let client = common::client(&sb);
    let tpl = client.template();

    // Codes from the official industry table: 1 = IT科技/互联网|电子商务, 4 = IT科技/电子技术.
    tpl.set_industry("1", "4").send().await.expect("set industry");
    let industry = tpl.get_industry().send().await.expect("get industry");
    let primary = industry.primary_industry.expect("primary");
    assert_eq!(primary.first_class.as_deref(), Some("IT科技"));
    assert_eq!(primary.second_class.as_deref(), Some("互联网|电子商务"));
    assert_eq!(industry.secondary_industry.and_then(|i| i.second_class).as_deref(), Some("电子技术"));

    let id = tpl.add("OPENTM207940503", vec!["thing1".into(), "time2".into()]).send().await.expect("add").template_id;
    let listed = tpl.list().send().await.expect("list").template_list;
    let t = listed.iter().find(|t| t.template_id == id).expect("listed");
    let content = t.content.clone().unwrap_or_default();
    assert!(content.contains("{{thing1.DATA}}") && content.contains("{{time2.DATA}}"), "{content}");
    assert_eq!(t.primary_industry.as_deref(), Some("IT科技"));

    tpl.delete(&id).send().await.expect("delete");
    assert!(tpl.list().send().await.expect("list").template_list.iter().all(|t| t.template_id != id));
    assert_eq!(common::code(tpl.delete(&id).send().await), 40037);
}

#[tokio::test]
async fn template_send_with_url_miniprogram_and_client_msg_id() {
    let sb = common::sandbox().await;
    let client = common::client(&sb);
    let to = sb.users()[0].clone();
    let tpl = client.template();
    let id = tpl.add("OPENTM411999701", vec!["thing1".into()]).send().await.expect("add").template_id;
    let data = |v: &str| BTreeMap::from([("thing1".to_string(), TemplateDataValue::new(v))]);
    let send = |cid: &str| {
        tpl.send(&to, &id, data("订单已发货"))
            .link_url("https://example.com/orders/1")
            .miniprogram(TemplateMiniProgram::new("wxa0000000miniapp").with_pagepath("pages/order?id=1"))
            .client_msg_id(cid)
    };

    let first = send("order-1-shipped").send().await.expect("send").msgid.expect("msgid");
    let delivered = sent(&sb, "template");
    assert_eq!(delivered.len(), 1);
    let d = &delivered[0];
    assert_eq!(d.touser.as_deref(), Some(to.as_str()));
    assert_eq!(d.msgid, Some(first));
    assert_eq!(d.body["template_id"], id.as_str());
    assert_eq!(d.body["url"], "https://example.com/orders/1", "link_url goes out as `url`");
    assert_eq!(d.body["miniprogram"]["appid"], "wxa0000000miniapp");
    assert_eq!(d.body["miniprogram"]["pagepath"], "pages/order?id=1");
    assert_eq!(d.body["client_msg_id"], "order-1-shipped");
    assert_eq!(d.body["data"]["thing1"]["value"], "订单已发货");

    let repeat = send("order-1-shipped").send().await.expect("repeat").msgid;
    assert_eq!(repeat, Some(first), "the same client_msg_id answers the first msgid");
    assert_eq!(sent(&sb, "template").len(), 1, "and is delivered once");
    let other = send("order-1-delivered").send().await.expect("another").msgid.expect("msgid");
    assert_ne!(other, first);
    assert_eq!(sent(&sb, "template").len(), 2);

    assert_eq!(common::code(tpl.send(&to, "no-such-template", data("x")).send().await), 40037);
    assert_eq!(common::code(tpl.send(&to, &id, data("")).send().await), 47003, "an empty keyword value");
    assert_eq!(sent(&sb, "template").len(), 2);
}

// ---------------------------------------------------------------------------------------------
// menu

fn click(name: &str, key: &str) -> MenuButton {
    MenuButton::new(name).with_button_type(ButtonType::Click).with_key(key)
}

#[tokio::test]
async fn menus_default_conditional_match_and_delete() {
    let sb = common::sandbox().await;
    let client = common::client(&sb);
    let users = sb.users();
    let menu = client.menu();

    let buttons = vec![
        click("今日歌曲", "V1001_TODAY_MUSIC"),
        MenuButton::new("菜单").with_sub_button(vec![
            MenuButton::new("搜索").with_button_type(ButtonType::View).with_url("https://www.example.com/search"),
            click("赞一下我们", "V1001_GOOD"),
        ]),
        MenuButton::new("小程序")
            .with_button_type(ButtonType::Miniprogram)
            .with_appid("wxa0000000miniapp")
            .with_pagepath("pages/lunar/index")
            .with_url("https://www.example.com"),
    ];
    menu.create(buttons).send().await.expect("create");
    let got = menu.get().send().await.expect("get").menu.expect("default menu");
    assert!(got.menuid.is_some());
    let names: Vec<&str> = got.button.iter().map(|b| b.name.as_str()).collect();
    assert_eq!(names, ["今日歌曲", "菜单", "小程序"]);
    assert_eq!(got.button[0].button_type, Some(ButtonType::Click));
    assert_eq!(got.button[0].key.as_deref(), Some("V1001_TODAY_MUSIC"));
    assert_eq!(got.button[1].sub_button[0].url.as_deref(), Some("https://www.example.com/search"));
    assert_eq!(got.button[2].button_type, Some(ButtonType::Miniprogram));

    let current = menu.current_selfmenu_info().send().await.expect("current menu");
    assert_eq!(current.is_menu_open, Some(1));
    let info = current.selfmenu_info.expect("menu info");
    let subs = info.button[1].sub_button.as_ref().expect("sub buttons").list.clone();
    assert_eq!(subs.iter().filter_map(|b| b.name.clone()).collect::<Vec<_>>(), ["搜索", "赞一下我们"]);

    let vip = new_tag(&client, "VIP").await;
    let rule = MenuMatchRule::new().with_tag_id(vip.to_string());
    let menuid = menu.add_conditional(vec![click("会员专享", "VIP")], rule).send().await.expect("conditional").menuid;
    let all = menu.get().send().await.expect("get");
    assert_eq!(all.conditionalmenu.len(), 1);
    assert_eq!(all.conditionalmenu[0].menuid.map(|id| id.to_string()), Some(menuid.clone()));
    assert_eq!(all.conditionalmenu[0].matchrule.as_ref().and_then(|r| r.tag_id.clone()), Some(vip.to_string()));

    client.tags().batch_tagging(vec![users[0].clone()], vip).send().await.expect("tag");
    let seen = menu.try_match(&users[0]).send().await.expect("try match").button;
    assert_eq!(seen.iter().map(|b| b.name.as_str()).collect::<Vec<_>>(), ["会员专享"]);
    let seen = menu.try_match(&users[1]).send().await.expect("try match").button;
    assert_eq!(seen.len(), 3, "an untagged follower sees the default menu");

    menu.delete_conditional(&menuid).send().await.expect("delete conditional");
    assert!(menu.get().send().await.expect("get").conditionalmenu.is_empty());
    assert_eq!(common::code(menu.delete_conditional(&menuid).send().await), 65301);

    let private = MenuMatchRule::new().with_sex("1");
    assert_eq!(common::code(menu.add_conditional(vec![click("x", "x")], private).send().await), 65320);
    assert_eq!(common::code(menu.create(vec![]).send().await), 40016, "a menu needs 1–3 buttons");

    menu.delete().send().await.expect("delete");
    assert_eq!(common::code(menu.get().send().await), 46003);
    let current = menu.current_selfmenu_info().send().await.expect("current menu");
    assert_eq!(current.is_menu_open, Some(0));
}
