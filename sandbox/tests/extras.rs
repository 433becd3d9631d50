//! Comments, customer-service accounts, short keys, quota report and auto-reply, over raw HTTP.

mod common;

use common::{assert_err, code, Wx};
use serde_json::json;

/// Publishes one article; returns its msg_data_id.
async fn publish(wx: &Wx, t: &str) -> i64 {
    let thumb = wx.upload(t, "/cgi-bin/material/add_material?type=thumb", "c.jpg", vec![0xFF, 0xD8]).await;
    let article = json!({"title": "t", "content": "c", "thumb_media_id": thumb["media_id"]});
    let draft = wx.post_t(t, "/cgi-bin/draft/add", json!({"articles": [article]})).await;
    let sub = wx.post_t(t, "/cgi-bin/freepublish/submit", json!({"media_id": draft["media_id"]})).await;
    // Documented as a string; the comment APIs take it as a number.
    sub["msg_data_id"].as_str().and_then(|s| s.parse().ok()).unwrap()
}

#[tokio::test]
async fn comments_on_a_published_article() {
    let wx = Wx::start().await;
    let t = wx.token().await;
    let id = publish(&wx, &t).await;
    let list = wx
        .post_t(&t, "/cgi-bin/comment/list", json!({"msg_data_id": id, "index": 0, "begin": 0, "count": 49, "type": 0}))
        .await;
    assert_eq!(list["total"], 2);
    let cid = list["comment"][0]["user_comment_id"].as_i64().unwrap();
    let target = json!({"msg_data_id": id, "index": 0, "user_comment_id": cid});
    assert_eq!(code(&wx.post_t(&t, "/cgi-bin/comment/markelect", target.clone()).await), 0);
    let elected = wx
        .post_t(&t, "/cgi-bin/comment/list", json!({"msg_data_id": id, "index": 0, "begin": 0, "count": 49, "type": 2}))
        .await;
    assert_eq!(elected["total"], 1);
    let mut reply = target.clone();
    reply["content"] = json!("谢谢");
    assert_eq!(code(&wx.post_t(&t, "/cgi-bin/comment/reply/add", reply.clone()).await), 0);
    assert_err(&wx.post_t(&t, "/cgi-bin/comment/reply/add", reply).await, 88005);
    assert_eq!(code(&wx.post_t(&t, "/cgi-bin/comment/reply/delete", target.clone()).await), 0);
    assert_eq!(code(&wx.post_t(&t, "/cgi-bin/comment/delete", target.clone()).await), 0);
    assert_err(&wx.post_t(&t, "/cgi-bin/comment/delete", target).await, 88008);
    assert_err(&wx.post_t(&t, "/cgi-bin/comment/open", json!({"msg_data_id": 1, "index": 0})).await, 88001);
    assert_err(
        &wx.post_t(&t, "/cgi-bin/comment/list", json!({"msg_data_id": id, "index": 0, "begin": 0, "count": 50})).await,
        88010,
    );
}

#[tokio::test]
async fn kf_accounts() {
    let wx = Wx::start().await;
    let t = wx.token().await;
    let add = |acc: &str| json!({"kf_account": acc, "nickname": "客服1"});
    assert_eq!(code(&wx.post_t(&t, "/customservice/kfaccount/add", add("test1@sandbox")).await), 0);
    assert_err(&wx.post_t(&t, "/customservice/kfaccount/add", add("test1@sandbox")).await, 65406);
    assert_err(&wx.post_t(&t, "/customservice/kfaccount/add", add("waytoolongprefix@sandbox")).await, 65404);
    assert_err(&wx.post_t(&t, "/customservice/kfaccount/add", add("bad-char@sandbox")).await, 65404);
    let list = wx.get_t(&t, "/cgi-bin/customservice/getkflist").await;
    assert_eq!(list["kf_list"][0]["kf_account"], "test1@sandbox");
    assert_eq!(code(&wx.post_t(&t, "/customservice/kfaccount/del", json!({"kf_account": "test1@sandbox"})).await), 0);
    assert_err(&wx.post_t(&t, "/customservice/kfaccount/update", add("test1@sandbox")).await, 65401);
}

#[tokio::test]
async fn short_keys_quota_and_autoreply() {
    let wx = Wx::start().await;
    let t = wx.token().await;
    let key = wx.post_t(&t, "/cgi-bin/shorten/gen", json!({"long_data": "scene=42", "expire_seconds": 60})).await;
    let got = wx.post_t(&t, "/cgi-bin/shorten/fetch", json!({"short_key": key["short_key"]})).await;
    assert_eq!(got["long_data"], "scene=42");
    assert!(got["expire_seconds"].as_i64().unwrap() <= 60);
    wx.get_t(&t, "/cgi-bin/getcallbackip").await;
    let q = wx.post_t(&t, "/cgi-bin/openapi/quota/get", json!({"cgi_path": "/cgi-bin/getcallbackip"})).await;
    assert_eq!(q["quota"]["used"], 1);
    assert_err(&wx.post_t(&t, "/cgi-bin/openapi/quota/get", json!({"cgi_path": "cgi-bin/token"})).await, 76003);
    let ar = wx.get_t(&t, "/cgi-bin/get_current_autoreply_info").await;
    assert_eq!(ar["is_autoreply_open"], 1);
}
