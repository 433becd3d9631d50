//! Blocked template messages (`client.template().query_blocked`) against the sandbox: messages
//! of a template WeChat intercepts are listed for that template, paged by record id
//! (`largest_id`, at most 100 per page); a template without blocked messages lists nothing.

mod common;

use std::collections::BTreeMap;

use wechat_oa::api::template::TemplateDataValue;
use wechat_oa::Error;

#[tokio::test]
async fn blocked_messages_are_listed_per_template_and_paged_by_id() {
    let sb = common::sandbox().await;
    let client = common::client(&sb);
    let tpl = client.template();
    let id = tpl.add("OPENTM411999701", vec!["thing1".into()]).send().await.expect("add").template_id;
    let users = sb.users();
    let data = |v: &str| BTreeMap::from([("thing1".to_string(), TemplateDataValue::new(v))]);

    assert!(tpl.query_blocked(&id, 0, 100).send().await.expect("query").msginfo.is_empty());
    sb.block_template(&id);
    for (n, to) in users.iter().take(3).enumerate() {
        tpl.send(to, &id, data(&format!("订单{n}"))).send().await.expect("send is answered");
    }

    let first = tpl.query_blocked(&id, 0, 2).send().await.expect("first page").msginfo;
    assert_eq!(first.len(), 2);
    assert_eq!(first[0].openid.as_deref(), Some(users[0].as_str()));
    assert_eq!(first[0].tmpl_msg_id.as_deref(), Some(id.as_str()));
    assert!(first[0].content.as_deref().is_some_and(|c| c.contains("订单0")));
    let largest: i64 = first[1].id.parse().expect("a numeric record id");
    let rest = tpl.query_blocked(&id, largest, 2).send().await.expect("next page").msginfo;
    assert_eq!(rest.len(), 1);
    assert_eq!(rest[0].openid.as_deref(), Some(users[2].as_str()));
    assert!(tpl.query_blocked(&id, largest + 1, 100).send().await.unwrap().msginfo.is_empty());
    assert!(tpl.query_blocked("another-template", 0, 100).send().await.unwrap().msginfo.is_empty());
    sb.shutdown().await;
}

#[tokio::test]
async fn a_page_holds_at_most_100() {
    let sb = common::sandbox().await;
    let client = common::client(&sb);
    let r = client.template().query_blocked("any", 0, 101).send().await;
    assert!(matches!(r, Err(Error::InvalidRequest { .. })), "refused before sending: {r:?}");
    assert!(!sb.stats().calls_by_path.contains_key("/wxa/sec/queryblocktmplmsg"), "nothing reached WeChat");
    sb.shutdown().await;
}
