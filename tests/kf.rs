//! The `kf` area (customer-service agents, sessions and chat records) through the generated
//! client, against the sandbox: an agent added is listed, changed and deleted; an invitation is
//! listed until the invited user accepts; a session created appears in the agent's list, the
//! follower's session and the online counts, and close removes it; a follower waiting is in the
//! queue until taken; chat records are paged by msgid; and WeChat's codes for bad input.

mod common;

use wechat_oa::api::custom_service::MessageContent;
use wechat_oa::api::kf::{KfInviteStatus, KfOperCode};
use wechat_oa::{Client, Upload};
use wechat_oa_sandbox::Sandbox;

fn now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0)
}

/// Adds `account`, invites a WeChat user and has them accept: a bound, online agent.
async fn bound_agent(sb: &Sandbox, client: &Client, account: &str, wx: &str) {
    client.kf().add_account(account, "客服").send().await.expect("add agent");
    client.kf().invite_worker(account, wx).send().await.expect("invite");
    assert!(sb.accept_kf_invite(account), "the invitation is accepted");
}

#[tokio::test]
async fn an_agent_added_is_listed_renamed_and_deleted() {
    let sb = common::sandbox().await;
    let client = common::client(&sb);
    assert!(client.kf().list().send().await.expect("list").kf_list.is_empty());
    client.kf().add_account("test_1@sandbox", "客服1").send().await.expect("add");
    let list = client.kf().list().send().await.expect("list").kf_list;
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].kf_account, "test_1@sandbox");
    assert_eq!(list[0].kf_nick.as_deref(), Some("客服1"));
    assert!(list[0].kf_id.is_some() && list[0].kf_wx.is_none());

    client.kf().update_account("test_1@sandbox", "小助手").send().await.expect("update");
    let list = client.kf().list().business_id("").send().await.expect("list").kf_list;
    assert_eq!(list[0].kf_nick.as_deref(), Some("小助手"));

    client.kf().delete_account("test_1@sandbox").send().await.expect("delete");
    assert!(client.kf().list().send().await.expect("list").kf_list.is_empty());
    assert_eq!(common::code(client.kf().delete_account("test_1@sandbox").send().await), 65401);
    assert_eq!(common::code(client.kf().update_account("test_1@sandbox", "x").send().await), 65401);
    sb.shutdown().await;
}

#[tokio::test]
async fn bad_accounts_and_nicknames_are_refused() {
    let sb = common::sandbox().await;
    let client = common::client(&sb);
    let kf = client.kf();
    assert_eq!(common::code(kf.add_account("elevenchars@sandbox", "x").send().await), 65404);
    assert_eq!(common::code(kf.add_account("no-dash@sandbox", "x").send().await), 65404);
    assert_eq!(common::code(kf.add_account("noat", "x").send().await), 65404);
    assert_eq!(common::code(kf.add_account("a@sandbox", "十七个字的昵称十七个字的昵称十七个").send().await), 65403);
    kf.add_account("a@sandbox", "一号").send().await.expect("add");
    assert_eq!(common::code(kf.add_account("a@sandbox", "二号").send().await), 65406);
    assert_eq!(client.kf().list().send().await.expect("list").kf_list.len(), 1);
    sb.shutdown().await;
}

#[tokio::test]
async fn at_most_one_hundred_agents() {
    let sb = common::sandbox().await;
    let client = common::client(&sb);
    for i in 0..100 {
        client.kf().add_account(format!("kf{i}@sandbox"), "客服").send().await.expect("add");
    }
    assert_eq!(common::code(client.kf().add_account("kf100@sandbox", "客服").send().await), 65405);
    sb.shutdown().await;
}

#[tokio::test]
async fn the_avatar_changes_the_listed_url_and_must_be_an_image() {
    let sb = common::sandbox().await;
    let client = common::client(&sb);
    client.kf().add_account("face@sandbox", "客服").send().await.expect("add");
    let before = client.kf().list().send().await.expect("list").kf_list[0].kf_headimgurl.clone();
    let jpeg = b"\xff\xd8\xff\xe0 sandbox avatar".to_vec();
    client.kf().upload_head_img("face@sandbox", Upload::new("face.jpg", jpeg.clone())).send().await.expect("upload");
    let after = client.kf().list().send().await.expect("list").kf_list[0].kf_headimgurl.clone();
    assert!(after.is_some() && after != before, "{before:?} -> {after:?}");

    let text = Upload::new("face.txt", b"not an image".to_vec());
    assert_eq!(common::code(client.kf().upload_head_img("face@sandbox", text).send().await), 40005);
    let unknown = client.kf().upload_head_img("nobody@sandbox", Upload::new("f.jpg", jpeg)).send().await;
    assert_eq!(common::code(unknown), 65401);
    sb.shutdown().await;
}

#[tokio::test]
async fn an_invitation_waits_until_the_user_accepts_and_then_the_agent_is_online() {
    let sb = common::sandbox().await;
    let client = common::client(&sb);
    client.kf().add_account("help@sandbox", "客服").send().await.expect("add");
    assert!(client.kf().online_list().send().await.expect("online").kf_online_list.is_empty());

    assert_eq!(common::code(client.kf().invite_worker("help@sandbox", "1bad").send().await), 65409);
    assert_eq!(common::code(client.kf().invite_worker("nobody@sandbox", "kf_worker_1").send().await), 65401);
    client.kf().invite_worker("help@sandbox", "kf_worker_1").send().await.expect("invite");
    let agent = client.kf().list().send().await.expect("list").kf_list.remove(0);
    assert_eq!(agent.invite_wx.as_deref(), Some("kf_worker_1"));
    assert_eq!(agent.invite_status, Some(KfInviteStatus::Waiting));
    let expiry: i64 = agent.invite_expire_time.as_deref().and_then(|t| t.parse().ok()).expect("expiry");
    assert!(expiry > now());
    assert_eq!(common::code(client.kf().invite_worker("help@sandbox", "kf_worker_1").send().await), 65408);
    assert_eq!(common::code(client.kf().invite_worker("help@sandbox", "kf_worker_2").send().await), 65411);
    // Not bound yet: no sessions.
    let user = sb.users()[0].clone();
    assert_eq!(common::code(client.kf().create_session("help@sandbox", &user).send().await), 65402);
    assert_eq!(common::code(client.kf().session_list("help@sandbox").send().await), 65402);

    assert!(sb.accept_kf_invite("help@sandbox"));
    let agent = client.kf().list().send().await.expect("list").kf_list.remove(0);
    assert_eq!(agent.kf_wx.as_deref(), Some("kf_worker_1"));
    assert!(agent.invite_wx.is_none() && agent.invite_status.is_none());
    let online = client.kf().online_list().send().await.expect("online").kf_online_list;
    assert_eq!(online.len(), 1);
    assert_eq!((online[0].kf_account.as_str(), online[0].status), ("help@sandbox", Some(1)));
    assert_eq!(common::code(client.kf().invite_worker("help@sandbox", "kf_worker_3").send().await), 65412);
    // The same WeChat user for a second agent of the account.
    client.kf().add_account("help2@sandbox", "客服").send().await.expect("add");
    assert_eq!(common::code(client.kf().invite_worker("help2@sandbox", "kf_worker_1").send().await), 65407);
    sb.shutdown().await;
}

#[tokio::test]
async fn a_session_appears_in_the_agents_list_and_close_removes_it() {
    let sb = common::sandbox().await;
    let client = common::client(&sb);
    bound_agent(&sb, &client, "one@sandbox", "worker_one").await;
    bound_agent(&sb, &client, "two@sandbox", "worker_two").await;
    let user = sb.users()[0].clone();

    let none = client.kf().get_session(&user).send().await.expect("no session");
    assert_eq!(none.kf_account.as_deref().unwrap_or_default(), "");

    client.kf().create_session("one@sandbox", &user).send().await.expect("create");
    // Creating it again answers 0.
    client.kf().create_session("one@sandbox", &user).send().await.expect("create again");
    let list = client.kf().session_list("one@sandbox").send().await.expect("sessions").sessionlist;
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].openid, user);
    assert!(list[0].createtime.is_some_and(|t| t > 0));
    let mine = client.kf().get_session(&user).send().await.expect("session");
    assert_eq!(mine.kf_account.as_deref(), Some("one@sandbox"));
    let online = client.kf().online_list().send().await.expect("online").kf_online_list;
    let one = online.iter().find(|o| o.kf_account == "one@sandbox").expect("online");
    assert_eq!(one.accepted_case, Some(1));

    // Another agent can neither take nor close it.
    assert_eq!(common::code(client.kf().create_session("two@sandbox", &user).send().await), 65414);
    assert_eq!(common::code(client.kf().close_session("two@sandbox", &user).send().await), 65414);

    client.kf().close_session("one@sandbox", &user).send().await.expect("close");
    assert!(client.kf().session_list("one@sandbox").send().await.expect("sessions").sessionlist.is_empty());
    assert_eq!(client.kf().get_session(&user).send().await.expect("session").kf_account.as_deref(), Some(""));
    assert_eq!(common::code(client.kf().close_session("one@sandbox", &user).send().await), 65413);
    sb.shutdown().await;
}

#[tokio::test]
async fn session_calls_check_openids_and_agents() {
    let sb = common::sandbox().await;
    let client = common::client(&sb);
    bound_agent(&sb, &client, "one@sandbox", "worker_one").await;
    let user = sb.users()[0].clone();
    assert_eq!(common::code(client.kf().create_session("one@sandbox", "o_not_a_follower").send().await), 40003);
    assert_eq!(common::code(client.kf().create_session("nobody@sandbox", &user).send().await), 65401);
    assert_eq!(common::code(client.kf().get_session("o_not_a_follower").send().await), 40003);
    assert_eq!(common::code(client.kf().session_list("nobody@sandbox").send().await), 65401);
    assert_eq!(common::code(client.kf().close_session("one@sandbox", "o_not_a_follower").send().await), 40003);
    sb.shutdown().await;
}

#[tokio::test]
async fn a_waiting_follower_is_queued_in_order_until_an_agent_takes_them() {
    let sb = common::sandbox().await;
    let client = common::client(&sb);
    bound_agent(&sb, &client, "one@sandbox", "worker_one").await;
    let users = sb.users();
    let empty = client.kf().wait_cases().send().await.expect("queue");
    assert_eq!(empty.count, Some(0));
    assert!(empty.waitcaselist.is_empty());

    sb.kf_customer_message(&users[2], "有人吗");
    sb.kf_customer_message(&users[1], "你好");
    sb.kf_customer_message(&users[2], "还在吗");
    let queue = client.kf().wait_cases().send().await.expect("queue");
    assert_eq!(queue.count, Some(2));
    let order: Vec<&str> = queue.waitcaselist.iter().map(|w| w.openid.as_str()).collect();
    assert_eq!(order, [users[2].as_str(), users[1].as_str()]);
    assert!(queue.waitcaselist.iter().all(|w| w.latest_time.is_some_and(|t| t > 0)));

    client.kf().create_session("one@sandbox", &users[2]).send().await.expect("take");
    let queue = client.kf().wait_cases().send().await.expect("queue");
    assert_eq!(queue.count, Some(1));
    assert_eq!(queue.waitcaselist[0].openid, users[1]);
    sb.shutdown().await;
}

#[tokio::test]
async fn chat_records_are_written_by_the_session_and_paged_by_msgid() {
    let sb = common::sandbox().await;
    let client = common::client(&sb);
    bound_agent(&sb, &client, "one@sandbox", "worker_one").await;
    let user = sb.users()[0].clone();
    client.kf().create_session("one@sandbox", &user).send().await.expect("session");
    sb.kf_customer_message(&user, "我的订单呢");
    client.custom_service().send(&user, MessageContent::text("正在为您查询")).send().await.expect("reply");
    sb.kf_customer_message(&user, "谢谢");

    let (start, end) = (now() - 3600, now() + 60);
    let all = client.kf().msg_list(start, end, 1, 10_000).send().await.expect("records");
    assert_eq!(all.number, Some(3));
    let texts: Vec<_> = all.recordlist.iter().map(|r| r.text.clone().unwrap_or_default()).collect();
    assert_eq!(texts, ["我的订单呢", "正在为您查询", "谢谢"]);
    let codes: Vec<_> = all.recordlist.iter().map(|r| r.opercode).collect();
    assert_eq!(codes, [Some(KfOperCode::AgentReceived), Some(KfOperCode::AgentSent), Some(KfOperCode::AgentReceived)]);
    assert!(all
        .recordlist
        .iter()
        .all(|r| r.worker.as_deref() == Some("one@sandbox") && r.openid.as_deref() == Some(user.as_str())));

    // Two at a time: the answer's msgid is where the next page starts.
    let first = client.kf().msg_list(start, end, 1, 2).send().await.expect("page 1");
    assert_eq!(first.recordlist.len(), 2);
    let next = first.msgid.expect("next msgid");
    let second = client.kf().msg_list(start, end, next, 2).send().await.expect("page 2");
    assert_eq!(second.recordlist.len(), 1);
    assert_eq!(second.recordlist[0].text.as_deref(), Some("谢谢"));
    let rest = client.kf().msg_list(start, end, second.msgid.expect("msgid"), 2).send().await.expect("page 3");
    assert!(rest.recordlist.is_empty());

    // Outside the period: nothing.
    let earlier = client.kf().msg_list(start - 7200, start - 3600, 1, 100).send().await.expect("earlier");
    assert!(earlier.recordlist.is_empty());
    sb.shutdown().await;
}

#[tokio::test]
async fn chat_record_queries_are_limited_to_a_day_and_ten_thousand() {
    let sb = common::sandbox().await;
    let client = common::client(&sb);
    let t = now();
    assert_eq!(common::code(client.kf().msg_list(t - 86_401, t, 1, 10).send().await), 65417);
    assert_eq!(common::code(client.kf().msg_list(t, t - 1, 1, 10).send().await), 65416);
    assert_eq!(common::code(client.kf().msg_list(t - 60, t, 0, 10).send().await), 65416);
    assert_eq!(common::code(client.kf().msg_list(t - 60, t, 1, 10_001).send().await), 65416);
    sb.shutdown().await;
}
