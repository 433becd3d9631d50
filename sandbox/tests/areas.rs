//! One behaviour per API area, over raw HTTP.

mod common;

use common::{assert_err, code, Wx};
use serde_json::json;
use wechat_oa_sandbox::SandboxConfig;

#[tokio::test]
async fn user_list_pages_and_info() {
    let wx = Wx::with(SandboxConfig { follower_count: 3, ..Default::default() }).await;
    let t = wx.token().await;
    let page = wx.get_t(&t, "/cgi-bin/user/get").await;
    assert_eq!(page["total"], 3);
    assert_eq!(page["count"], 3);
    let ids: Vec<String> = serde_json::from_value(page["data"]["openid"].clone()).unwrap();
    assert_eq!(ids, wx.sb.users());
    let next = page["next_openid"].as_str().unwrap();
    let end = wx.get_t(&t, &format!("/cgi-bin/user/get?next_openid={next}")).await;
    assert_eq!(end["count"], 0);
    assert_eq!(end["next_openid"], "");
    let info = wx.get_t(&t, &format!("/cgi-bin/user/info?openid={}&lang=zh_CN", ids[1])).await;
    assert_eq!(info["openid"], ids[1].as_str());
    assert_eq!(info["subscribe"], 1);
    assert_err(&wx.get_t(&t, "/cgi-bin/user/info?openid=oNOBODY").await, 40003);
    let r = wx.post_t(&t, "/cgi-bin/user/info/updateremark", json!({"openid": ids[0], "remark": "vip"})).await;
    assert_eq!(code(&r), 0);
    let batch = wx
        .post_t(
            &t,
            "/cgi-bin/user/info/batchget",
            json!({"user_list": [{"openid": ids[0]}, {"openid": ids[2], "lang": "en"}]}),
        )
        .await;
    assert_eq!(batch["user_info_list"][0]["remark"], "vip");
    assert_eq!(batch["user_info_list"][1]["openid"], ids[2].as_str());
}

#[tokio::test]
async fn tags_lifecycle() {
    let wx = Wx::start().await;
    let t = wx.token().await;
    let users = wx.sb.users();
    let created = wx.post_t(&t, "/cgi-bin/tags/create", json!({"tag": {"name": "广东"}})).await;
    let id = created["tag"]["id"].as_i64().unwrap();
    assert!(id >= 100);
    assert_err(&wx.post_t(&t, "/cgi-bin/tags/create", json!({"tag": {"name": "广东"}})).await, 45157);
    assert_err(&wx.post_t(&t, "/cgi-bin/tags/create", json!({"tag": {"name": "x".repeat(31)}})).await, 45158);
    let r = wx
        .post_t(&t, "/cgi-bin/tags/members/batchtagging", json!({"openid_list": [users[0], users[1]], "tagid": id}))
        .await;
    assert_eq!(code(&r), 0);
    let tags = wx.get_t(&t, "/cgi-bin/tags/get").await;
    let mine = tags["tags"].as_array().unwrap().iter().find(|x| x["id"] == id).unwrap().clone();
    assert_eq!(mine["count"], 2);
    let members = wx.post_t(&t, "/cgi-bin/user/tag/get", json!({"tagid": id})).await;
    assert_eq!(members["count"], 2);
    let idl = wx.post_t(&t, "/cgi-bin/tags/getidlist", json!({"openid": users[0]})).await;
    assert_eq!(idl["tagid_list"], json!([id]));
    assert_err(&wx.post_t(&t, "/cgi-bin/tags/update", json!({"tag": {"id": 2, "name": "x"}})).await, 45058);
    assert_eq!(
        code(
            &wx.post_t(&t, "/cgi-bin/tags/members/batchuntagging", json!({"openid_list": [users[0]], "tagid": id}))
                .await
        ),
        0
    );
    assert_eq!(code(&wx.post_t(&t, "/cgi-bin/tags/delete", json!({"tag": {"id": id}})).await), 0);
    let idl = wx.post_t(&t, "/cgi-bin/tags/getidlist", json!({"openid": users[1]})).await;
    assert_eq!(idl["tagid_list"], json!([]));
}

#[tokio::test]
async fn legacy_groups_move_members() {
    let wx = Wx::start().await;
    let t = wx.token().await;
    let users = wx.sb.users();
    let g = wx.post_t(&t, "/cgi-bin/groups/create", json!({"group": {"name": "test"}})).await;
    let gid = g["group"]["id"].as_i64().unwrap();
    let r = wx.post_t(&t, "/cgi-bin/groups/members/update", json!({"openid": users[3], "to_groupid": gid})).await;
    assert_eq!(code(&r), 0);
    assert_eq!(wx.post_t(&t, "/cgi-bin/groups/getid", json!({"openid": users[3]})).await["groupid"], gid);
    assert_err(&wx.post_t(&t, "/cgi-bin/groups/delete", json!({"group": {"id": 1}})).await, 45016);
    assert_eq!(code(&wx.post_t(&t, "/cgi-bin/groups/delete", json!({"group": {"id": gid}})).await), 0);
    assert_eq!(wx.post_t(&t, "/cgi-bin/groups/getid", json!({"openid": users[3]})).await["groupid"], 0);
}

#[tokio::test]
async fn media_roundtrip_and_custom_image_message() {
    let wx = Wx::start().await;
    let t = wx.token().await;
    let bytes = b"\xFF\xD8\xFF\xE0 fake jpeg".to_vec();
    let up = wx.upload(&t, "/cgi-bin/media/upload?type=image", "cat.jpg", bytes.clone()).await;
    assert_eq!(up["type"], "image");
    let media_id = up["media_id"].as_str().unwrap().to_string();
    assert!(up["created_at"].as_i64().unwrap() > 1_600_000_000);
    let r =
        wx.http.get(wx.url(&format!("/cgi-bin/media/get?access_token={t}&media_id={media_id}"))).send().await.unwrap();
    assert_eq!(r.headers()["content-type"], "image/jpeg");
    assert!(r.headers()["content-disposition"].to_str().unwrap().contains("cat.jpg"));
    assert_eq!(r.bytes().await.unwrap().to_vec(), bytes);
    let thumb = wx.upload(&t, "/cgi-bin/media/upload?type=thumb", "t.jpg", vec![1, 2, 3]).await;
    assert!(thumb["thumb_media_id"].is_string(), "{thumb}");
    assert_err(&wx.upload(&t, "/cgi-bin/media/upload?type=pdf", "a.pdf", vec![1]).await, 40004);
    assert_err(&wx.get_t(&t, "/cgi-bin/media/get?media_id=nope").await, 40007);

    let user = wx.sb.users()[0].clone();
    let ok = wx
        .post_t(
            &t,
            "/cgi-bin/message/custom/send",
            json!({"touser": user, "msgtype": "image", "image": {"media_id": media_id}}),
        )
        .await;
    assert_eq!(code(&ok), 0);
    let bad = wx
        .post_t(
            &t,
            "/cgi-bin/message/custom/send",
            json!({"touser": user, "msgtype": "image", "image": {"media_id": "nope"}}),
        )
        .await;
    assert_err(&bad, 40007);
    let stranger = wx
        .post_t(
            &t,
            "/cgi-bin/message/custom/send",
            json!({"touser": "oSTRANGER", "msgtype": "text", "text": {"content": "x"}}),
        )
        .await;
    assert_err(&stranger, 40003);
    let sent = wx.sb.sent_messages();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].kind, "custom");
    assert_eq!(sent[0].touser.as_deref(), Some(user.as_str()));
}

#[tokio::test]
async fn template_send_requires_a_template_and_dedups_client_msg_id() {
    let wx = Wx::start().await;
    let t = wx.token().await;
    let user = wx.sb.users()[0].clone();
    let msg = |tid: &str| json!({"touser": user, "template_id": tid, "client_msg_id": "order-1", "data": {"keyword1": {"value": "巧克力"}}});
    assert_err(&wx.post_t(&t, "/cgi-bin/message/template/send", msg("missing")).await, 40037);
    let added = wx
        .post_t(
            &t,
            "/cgi-bin/template/api_add_template",
            json!({"template_id_short": "TM00015", "keyword_name_list": ["keyword1"]}),
        )
        .await;
    let tid = added["template_id"].as_str().unwrap().to_string();
    let list = wx.get_t(&t, "/cgi-bin/template/get_all_private_template").await;
    assert_eq!(list["template_list"][0]["template_id"], tid.as_str());
    let first = wx.post_t(&t, "/cgi-bin/message/template/send", msg(&tid)).await;
    assert_eq!(code(&first), 0);
    let again = wx.post_t(&t, "/cgi-bin/message/template/send", msg(&tid)).await;
    assert_eq!(again["msgid"], first["msgid"]);
    let sent = wx.sb.sent_messages();
    assert_eq!(sent.len(), 1, "a repeated client_msg_id is delivered once");
    assert_eq!(sent[0].msgid, first["msgid"].as_i64());
    let bad = json!({"touser": user, "template_id": tid, "data": {"keyword1": {"colour": "red"}}});
    assert_err(&wx.post_t(&t, "/cgi-bin/message/template/send", bad).await, 47003);
}

#[tokio::test]
async fn qrcode_ticket_shows_an_image() {
    let wx = Wx::start().await;
    let t = wx.token().await;
    let qr = wx
        .post_t(
            &t,
            "/cgi-bin/qrcode/create",
            json!({"expire_seconds": 604800, "action_name": "QR_SCENE", "action_info": {"scene": {"scene_id": 123}}}),
        )
        .await;
    assert_eq!(qr["expire_seconds"], 604800);
    assert!(qr["url"].as_str().unwrap().starts_with("http://weixin.qq.com/q/"));
    let ticket = qr["ticket"].as_str().unwrap();
    let enc: String = ticket.bytes().map(|b| format!("%{b:02X}")).collect();
    let r = wx.http.get(wx.url(&format!("/cgi-bin/showqrcode?ticket={enc}"))).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(r.headers()["content-type"], "image/jpeg");
    assert_eq!(&r.bytes().await.unwrap()[..2], &[0xFF, 0xD8]);
    let r = wx.http.get(wx.url("/cgi-bin/showqrcode?ticket=unknown")).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 404);
    let perm = wx
        .post_t(
            &t,
            "/cgi-bin/qrcode/create",
            json!({"action_name": "QR_LIMIT_STR_SCENE", "action_info": {"scene": {"scene_str": "abc"}}}),
        )
        .await;
    assert!(perm.get("expire_seconds").is_none());
    let bad = wx
        .post_t(
            &t,
            "/cgi-bin/qrcode/create",
            json!({"action_name": "QR_LIMIT_SCENE", "action_info": {"scene": {"scene_id": 100001}}}),
        )
        .await;
    assert_err(&bad, 40035);
}

#[tokio::test]
async fn oauth_authorize_exchange_and_userinfo() {
    let wx = Wx::start().await;
    let c = wx.sb.config().clone();
    let r = wx
        .http
        .get(wx.url(&format!(
            "/connect/oauth2/authorize?appid={}&redirect_uri=https%3A%2F%2Fexample.com%2Fcb&response_type=code&scope=snsapi_userinfo&state=xyz",
            c.appid
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 302);
    let loc = r.headers()["location"].to_str().unwrap().to_string();
    assert!(loc.starts_with("https://example.com/cb?code="), "{loc}");
    assert!(loc.ends_with("&state=xyz"));
    let code_ = loc.split("code=").nth(1).unwrap().split('&').next().unwrap().to_string();
    let exchange = format!(
        "/sns/oauth2/access_token?appid={}&secret={}&code={code_}&grant_type=authorization_code",
        c.appid, c.secret
    );
    let (_, tok) = wx.get(&exchange).await;
    let openid = tok["openid"].as_str().unwrap().to_string();
    assert_eq!(openid, wx.sb.users()[0]);
    assert_eq!(tok["scope"], "snsapi_userinfo");
    assert_err(&wx.get(&exchange).await.1, 40163);
    let at = tok["access_token"].as_str().unwrap();
    let (_, info) = wx.get(&format!("/sns/userinfo?access_token={at}&openid={openid}&lang=zh_CN")).await;
    assert_eq!(info["openid"], openid.as_str());
    assert_eq!(code(&wx.get(&format!("/sns/auth?access_token={at}&openid={openid}")).await.1), 0);
    let (_, refreshed) = wx
        .get(&format!(
            "/sns/oauth2/refresh_token?appid={}&grant_type=refresh_token&refresh_token={}",
            c.appid,
            tok["refresh_token"].as_str().unwrap()
        ))
        .await;
    assert_ne!(refreshed["access_token"], tok["access_token"]);

    let base_code = wx.sb.issue_oauth_code(&openid, "snsapi_base");
    let (_, base) = wx
        .get(&format!(
            "/sns/oauth2/access_token?appid={}&secret={}&code={base_code}&grant_type=authorization_code",
            c.appid, c.secret
        ))
        .await;
    let bt = base["access_token"].as_str().unwrap();
    assert_err(&wx.get(&format!("/sns/userinfo?access_token={bt}&openid={openid}")).await.1, 48001);
    assert_err(
        &wx.get(&format!(
            "/sns/oauth2/access_token?appid={}&secret={}&code=bogus&grant_type=authorization_code",
            c.appid, c.secret
        ))
        .await
        .1,
        40029,
    );
}

#[tokio::test]
async fn mass_send_by_openids_and_clientmsgid() {
    let wx = Wx::start().await;
    let t = wx.token().await;
    let users = wx.sb.users();
    let body = json!({"touser": [users[0], users[1]], "msgtype": "text", "text": {"content": "hello"}, "clientmsgid": "batch-1"});
    let first = wx.post_t(&t, "/cgi-bin/message/mass/send", body.clone()).await;
    assert_eq!(code(&first), 0);
    let msg_id = first["msg_id"].as_i64().unwrap();
    let dup = wx.post_t(&t, "/cgi-bin/message/mass/send", body).await;
    assert_err(&dup, 45065);
    assert_eq!(dup["msg_id"], msg_id);
    let one = wx
        .post_t(
            &t,
            "/cgi-bin/message/mass/send",
            json!({"touser": [users[0]], "msgtype": "text", "text": {"content": "x"}}),
        )
        .await;
    assert_err(&one, 40130);
    let status = wx.post_t(&t, "/cgi-bin/message/mass/get", json!({"msg_id": msg_id})).await;
    assert_eq!(status["msg_status"], "SEND_SUCCESS");
    let all = wx
        .post_t(
            &t,
            "/cgi-bin/message/mass/sendall",
            json!({"filter": {"is_to_all": true}, "msgtype": "text", "text": {"content": "all"}}),
        )
        .await;
    assert_eq!(code(&all), 0);
    let kinds: Vec<String> = wx.sb.sent_messages().into_iter().map(|m| m.kind).collect();
    assert_eq!(kinds, ["mass_send", "mass_sendall"]);
}

#[tokio::test]
async fn upload_limits_follow_the_media_type() {
    let wx = Wx::start().await;
    let t = wx.token().await;
    let big = wx.upload(&t, "/cgi-bin/media/upload?type=image", "big.png", vec![7u8; 3 << 20]).await;
    assert!(big["media_id"].is_string(), "a 3 MB image is accepted: {big}");
    assert_err(&wx.upload(&t, "/cgi-bin/media/upload?type=thumb", "t.jpg", vec![7u8; 65 << 10]).await, 40012);
    assert_err(&wx.upload(&t, "/cgi-bin/media/upload?type=voice", "v.wav", vec![1]).await, 40005);
    let img = wx.upload(&t, "/cgi-bin/media/uploadimg", "a.png", vec![1, 2]).await;
    assert!(img["url"].as_str().unwrap().starts_with("http://mmbiz.qpic.cn/"));
    let r = wx
        .http
        .post(wx.url(&format!("/cgi-bin/media/upload?type=image&access_token={t}")))
        .body("x")
        .send()
        .await
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&r.bytes().await.unwrap()).unwrap();
    assert_err(&v, 41005);
}
