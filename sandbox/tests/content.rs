//! Menus, drafts and publishing, analytics and JS-SDK tickets, over raw HTTP.

mod common;

use common::{assert_err, code, Wx};
use serde_json::json;

#[tokio::test]
async fn menu_create_get_conditional_and_delete() {
    let wx = Wx::start().await;
    let t = wx.token().await;
    assert_err(&wx.get_t(&t, "/cgi-bin/menu/get").await, 46003);
    let menu = json!({"button": [
        {"type": "click", "name": "今日歌曲", "key": "V1001_TODAY_MUSIC"},
        {"name": "菜单", "sub_button": [
            {"type": "view", "name": "搜索", "url": "https://www.soso.com/"},
            {"type": "miniprogram", "name": "wxa", "url": "http://mp.weixin.qq.com", "appid": "wx286b93c14bbf93aa", "pagepath": "pages/lunar/index"}
        ]}
    ]});
    let tag =
        wx.post_t(&t, "/cgi-bin/tags/create", json!({"tag": {"name": "vip"}})).await["tag"]["id"].as_i64().unwrap();
    let cond =
        json!({"button": [{"type": "click", "name": "VIP", "key": "VIP"}], "matchrule": {"tag_id": tag.to_string()}});
    assert_err(&wx.post_t(&t, "/cgi-bin/menu/addconditional", cond.clone()).await, 65303);
    assert_eq!(code(&wx.post_t(&t, "/cgi-bin/menu/create", menu).await), 0);
    let got = wx.get_t(&t, "/cgi-bin/menu/get").await;
    assert_eq!(got["menu"]["button"][0]["key"], "V1001_TODAY_MUSIC");
    let self_info = wx.get_t(&t, "/cgi-bin/get_current_selfmenu_info").await;
    assert_eq!(self_info["is_menu_open"], 1);
    assert_eq!(self_info["selfmenu_info"]["button"][1]["sub_button"]["list"][0]["name"], "搜索");
    let id = wx.post_t(&t, "/cgi-bin/menu/addconditional", cond).await["menuid"].as_str().unwrap().to_string();
    let users = wx.sb.users();
    wx.post_t(&t, "/cgi-bin/tags/members/batchtagging", json!({"openid_list": [users[0]], "tagid": tag})).await;
    let vip = wx.post_t(&t, "/cgi-bin/menu/trymatch", json!({"user_id": users[0]})).await;
    assert_eq!(vip["button"][0]["key"], "VIP");
    let plain = wx.post_t(&t, "/cgi-bin/menu/trymatch", json!({"user_id": users[1]})).await;
    assert_eq!(plain["button"][0]["key"], "V1001_TODAY_MUSIC");
    assert_eq!(code(&wx.post_t(&t, "/cgi-bin/menu/delconditional", json!({"menuid": id})).await), 0);
    assert_err(&wx.post_t(&t, "/cgi-bin/menu/delconditional", json!({"menuid": id})).await, 65301);
    assert_eq!(code(&wx.get_t(&t, "/cgi-bin/menu/delete").await), 0);
    assert_err(&wx.get_t(&t, "/cgi-bin/menu/get").await, 46003);
}

#[tokio::test]
async fn menu_validation_errors() {
    let wx = Wx::start().await;
    let t = wx.token().await;
    let cases = [
        (json!({"button": []}), 40016),
        (
            json!({"button": [{"type": "click", "name": "a"}, {"type": "click", "name": "b", "key": "b"}, {"type": "click", "name": "c", "key": "c"}, {"type": "click", "name": "d", "key": "d"}]}),
            40016,
        ),
        (json!({"button": [{"type": "teleport", "name": "a", "key": "k"}]}), 40017),
        (json!({"button": [{"type": "click", "name": "名字太长了名字太长了", "key": "k"}]}), 40018),
        (json!({"button": [{"type": "click", "name": "a"}]}), 40019),
        (json!({"button": [{"type": "view", "name": "a", "url": "ftp://x"}]}), 40055),
        (json!({"button": [{"name": "a", "sub_button": [{"type": "view", "name": "b", "url": "nope"}]}]}), 40054),
    ];
    for (body, expected) in cases {
        assert_err(&wx.post_t(&t, "/cgi-bin/menu/create", body).await, expected);
    }
}

#[tokio::test]
async fn draft_publish_lifecycle() {
    let wx = Wx::start().await;
    let t = wx.token().await;
    let temp = wx.upload(&t, "/cgi-bin/media/upload?type=image", "cover.jpg", vec![0xFF, 0xD8, 1]).await;
    let temp = temp["media_id"].as_str().unwrap().to_string();
    let thumb = wx.upload(&t, "/cgi-bin/material/add_material?type=image", "cover.jpg", vec![0xFF, 0xD8, 1]).await;
    let thumb = thumb["media_id"].as_str().unwrap().to_string();
    let article = json!({"title": "标题", "author": "作者", "content": "<p>正文</p>", "thumb_media_id": thumb});
    let mut bad = article.clone();
    bad["thumb_media_id"] = json!(temp); // drafts need a permanent material
    assert_err(&wx.post_t(&t, "/cgi-bin/draft/add", json!({"articles": [bad]})).await, 40007);
    let id = wx.post_t(&t, "/cgi-bin/draft/add", json!({"articles": [article]})).await["media_id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(wx.get_t(&t, "/cgi-bin/draft/count").await["total_count"], 1);
    let got = wx.post_t(&t, "/cgi-bin/draft/get", json!({"media_id": id})).await;
    assert_eq!(got["news_item"][0]["title"], "标题");
    let mut changed = json!({"title": "新标题", "content": "x", "thumb_media_id": thumb});
    assert_eq!(
        code(
            &wx.post_t(&t, "/cgi-bin/draft/update", json!({"media_id": id, "index": 0, "articles": changed.clone()}))
                .await
        ),
        0
    );
    changed["title"] = json!("x".repeat(65));
    assert_err(
        &wx.post_t(&t, "/cgi-bin/draft/update", json!({"media_id": id, "index": 0, "articles": changed})).await,
        45003,
    );
    let list = wx.post_t(&t, "/cgi-bin/draft/batchget", json!({"offset": 0, "count": 20, "no_content": 1})).await;
    assert_eq!(list["item_count"], 1);
    assert!(list["item"][0]["content"]["news_item"][0].get("content").is_none());
    assert_eq!(list["item"][0]["content"]["news_item"][0]["title"], "新标题");

    let sub = wx.post_t(&t, "/cgi-bin/freepublish/submit", json!({"media_id": id})).await;
    assert_eq!(code(&sub), 0);
    let pid = sub["publish_id"].as_str().unwrap().to_string();
    let status = wx.post_t(&t, "/cgi-bin/freepublish/get", json!({"publish_id": pid})).await;
    assert_eq!(status["publish_status"], 0);
    let aid = status["article_id"].as_str().unwrap().to_string();
    assert_eq!(status["article_detail"]["count"], 1);
    let art = wx.post_t(&t, "/cgi-bin/freepublish/getarticle", json!({"article_id": aid})).await;
    assert_eq!(art["news_item"][0]["is_deleted"], false);
    let user = wx.sb.users()[0].clone();
    let sent = wx
        .post_t(
            &t,
            "/cgi-bin/message/custom/send",
            json!({"touser": user, "msgtype": "mpnewsarticle", "mpnewsarticle": {"article_id": aid}}),
        )
        .await;
    assert_eq!(code(&sent), 0);
    assert_eq!(
        wx.post_t(&t, "/cgi-bin/freepublish/batchget", json!({"offset": 0, "count": 10})).await["total_count"],
        1
    );
    assert_eq!(code(&wx.post_t(&t, "/cgi-bin/freepublish/delete", json!({"article_id": aid, "index": 0})).await), 0);
    assert_eq!(
        wx.post_t(&t, "/cgi-bin/freepublish/batchget", json!({"offset": 0, "count": 10})).await["total_count"],
        0
    );
    assert_eq!(code(&wx.post_t(&t, "/cgi-bin/draft/delete", json!({"media_id": id})).await), 0);
    assert_err(&wx.post_t(&t, "/cgi-bin/draft/get", json!({"media_id": id})).await, 40007);
}

#[tokio::test]
async fn datacube_validates_dates_and_spans() {
    let wx = Wx::start().await;
    let t = wx.token().await;
    let body = |b: &str, e: &str| json!({"begin_date": b, "end_date": e});
    let a = wx.post_t(&t, "/datacube/getusersummary", body("2024-01-01", "2024-01-07")).await;
    let rows = a["list"].as_array().unwrap();
    assert!(!rows.is_empty());
    assert!(rows
        .iter()
        .all(|r| r["ref_date"].as_str().unwrap() >= "2024-01-01" && r["ref_date"].as_str().unwrap() <= "2024-01-07"));
    let again = wx.post_t(&t, "/datacube/getusersummary", body("2024-01-01", "2024-01-07")).await;
    assert_eq!(a, again, "rows are deterministic");
    assert_err(&wx.post_t(&t, "/datacube/getusersummary", body("2024-01-01", "2024-01-08")).await, 61501);
    assert_err(&wx.post_t(&t, "/datacube/getusersummary", body("2024-01-07", "2024-01-01")).await, 61501);
    assert_err(&wx.post_t(&t, "/datacube/getusersummary", body("2024/01/01", "2024-01-02")).await, 61500);
    assert_err(&wx.post_t(&t, "/datacube/getarticlesummary", body("2024-01-01", "2024-01-02")).await, 61501);
    assert_err(&wx.post_t(&t, "/datacube/getusercumulate", body("2999-01-01", "2999-01-02")).await, 61501);
    let hours = wx.post_t(&t, "/datacube/getupstreammsghour", body("2024-03-05", "2024-03-05")).await;
    assert!(hours["list"].as_array().unwrap().iter().any(|r| r["ref_hour"] == 2300));
    let iface = wx.post_t(&t, "/datacube/getinterfacesummary", body("2024-03-01", "2024-03-30")).await;
    assert_eq!(iface["list"].as_array().unwrap().len(), 30);
}

#[tokio::test]
async fn jsapi_ticket_is_stable_while_valid() {
    let wx = Wx::start().await;
    let t = wx.token().await;
    let a = wx.get_t(&t, "/cgi-bin/ticket/getticket?type=jsapi").await;
    assert_eq!(code(&a), 0);
    assert_eq!(a["errmsg"], "ok");
    let b = wx.get_t(&t, "/cgi-bin/ticket/getticket?type=jsapi").await;
    assert_eq!(a["ticket"], b["ticket"]);
    let card = wx.get_t(&t, "/cgi-bin/ticket/getticket?type=wx_card").await;
    assert_ne!(card["ticket"], a["ticket"]);
    assert_err(&wx.get_t(&t, "/cgi-bin/ticket/getticket?type=other").await, 40097);
}

#[tokio::test]
async fn permanent_materials() {
    let wx = Wx::start().await;
    let t = wx.token().await;
    let img = wx.upload(&t, "/cgi-bin/material/add_material?type=image", "p.png", vec![9, 8, 7]).await;
    let id = img["media_id"].as_str().unwrap().to_string();
    assert!(img["url"].as_str().unwrap().starts_with("http://mmbiz.qpic.cn/"));
    let r = wx
        .http
        .post(wx.url(&format!("/cgi-bin/material/get_material?access_token={t}")))
        .body(json!({"media_id": id}).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["content-type"], "image/png");
    assert_eq!(r.bytes().await.unwrap().to_vec(), vec![9, 8, 7]);
    // a video needs its description part
    let part = reqwest::multipart::Part::bytes(vec![0u8; 10]).file_name("v.mp4");
    let form = reqwest::multipart::Form::new()
        .part("media", part)
        .text("description", json!({"title": "片名", "introduction": "简介"}).to_string());
    let r = wx
        .http
        .post(wx.url(&format!("/cgi-bin/material/add_material?type=video&access_token={t}")))
        .multipart(form)
        .send()
        .await
        .unwrap();
    let video: serde_json::Value = serde_json::from_slice(&r.bytes().await.unwrap()).unwrap();
    let vid = video["media_id"].as_str().unwrap().to_string();
    let got = wx.post_t(&t, "/cgi-bin/material/get_material", json!({"media_id": vid})).await;
    assert_eq!(got["title"], "片名");
    assert!(got["down_url"].is_string());
    assert_err(&wx.upload(&t, "/cgi-bin/material/add_material?type=video", "v.mp4", vec![0u8; 10]).await, 47001);
    let counts = wx.get_t(&t, "/cgi-bin/material/get_materialcount").await;
    assert_eq!((counts["image_count"].as_i64(), counts["video_count"].as_i64()), (Some(1), Some(1)));
    let page =
        wx.post_t(&t, "/cgi-bin/material/batchget_material", json!({"type": "image", "offset": 0, "count": 20})).await;
    assert_eq!(page["item"][0]["media_id"], id.as_str());
    assert_eq!(code(&wx.post_t(&t, "/cgi-bin/material/del_material", json!({"media_id": id})).await), 0);
    assert_err(&wx.post_t(&t, "/cgi-bin/material/del_material", json!({"media_id": id})).await, 40007);
}

#[tokio::test]
async fn blacklisted_followers_get_no_messages() {
    let wx = Wx::start().await;
    let t = wx.token().await;
    let u = wx.sb.users()[4].clone();
    assert_eq!(code(&wx.post_t(&t, "/cgi-bin/tags/members/batchblacklist", json!({"openid_list": [u]})).await), 0);
    let list = wx.post_t(&t, "/cgi-bin/tags/members/getblacklist", json!({"begin_openid": ""})).await;
    assert_eq!(list["data"]["openid"], json!([u]));
    let send = json!({"touser": u, "msgtype": "text", "text": {"content": "hi"}});
    assert_err(&wx.post_t(&t, "/cgi-bin/message/custom/send", send.clone()).await, 43019);
    assert_eq!(code(&wx.post_t(&t, "/cgi-bin/tags/members/batchunblacklist", json!({"openid_list": [u]})).await), 0);
    assert_eq!(code(&wx.post_t(&t, "/cgi-bin/message/custom/send", send).await), 0);
}

#[tokio::test]
async fn mass_speed_and_clear_quota() {
    let wx = Wx::start().await;
    let t = wx.token().await;
    assert_err(&wx.post_t(&t, "/cgi-bin/message/mass/speed/set", json!({"speed": 9})).await, 45083);
    assert_err(&wx.post_t(&t, "/cgi-bin/message/mass/speed/set", json!({"x": 1})).await, 45084);
    assert_eq!(code(&wx.post_t(&t, "/cgi-bin/message/mass/speed/set", json!({"speed": 3})).await), 0);
    let got = wx.post_t(&t, "/cgi-bin/message/mass/speed/get", json!({})).await;
    assert_eq!((got["speed"].as_i64(), got["realspeed"].as_i64()), (Some(3), Some(30)));
    let appid = wx.sb.config().appid.clone();
    for _ in 0..10 {
        assert_eq!(code(&wx.post_t(&t, "/cgi-bin/clear_quota", json!({"appid": appid})).await), 0);
    }
    assert_err(&wx.post_t(&t, "/cgi-bin/clear_quota", json!({"appid": appid})).await, 48006);
    assert_err(&wx.post_t(&t, "/cgi-bin/clear_quota", json!({"appid": "wxother"})).await, 40013);
}
