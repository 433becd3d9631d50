//! QR-jump rules (`client.qrcode_jump()`) against the sandbox: a rule added for one of the
//! account's QR-code URLs is listed unpublished, can be edited until it is published, and
//! disappears when deleted.

mod common;

const APP: &str = "wxe5f52902cf4de896";
const QR: &str = "http://weixin.qq.com/q/02P5KzM_sandbox";

#[tokio::test]
async fn a_rule_is_added_edited_published_and_deleted() {
    let sb = common::sandbox().await;
    let client = common::client(&sb);
    let jump = client.qrcode_jump();

    jump.add(QR, APP, "pages/index/index", 0).send().await.expect("add");
    let listed = jump.get(APP, 0).send().await.expect("get");
    assert_eq!(listed.total_count, Some(1));
    assert_eq!(listed.list_size, Some(1));
    let rule = &listed.rule_list[0];
    assert_eq!(
        (rule.prefix.as_deref(), rule.path.as_deref(), rule.state),
        (Some(QR), Some("pages/index/index"), Some(1))
    );

    jump.add(QR, APP, "pages/shop/shop", 1).send().await.expect("edit while unpublished");
    assert_eq!(jump.get(APP, 0).send().await.unwrap().rule_list[0].path.as_deref(), Some("pages/shop/shop"));

    let quota = jump.get(APP, 0).send().await.unwrap().qrcodejump_pub_quota.expect("quota");
    jump.publish(QR).send().await.expect("publish");
    let after = jump.get(APP, 0).send().await.unwrap();
    assert_eq!(after.rule_list[0].state, Some(2));
    assert_eq!(after.qrcodejump_pub_quota, Some(quota - 1));
    assert_eq!(
        common::code(jump.add(QR, APP, "pages/other/other", 1).send().await),
        40097,
        "published rules are frozen"
    );

    jump.delete(QR, APP).send().await.expect("delete");
    assert!(jump.get(APP, 0).send().await.unwrap().rule_list.is_empty());
    assert_eq!(common::code(jump.delete(QR, APP).send().await), 40097);
    sb.shutdown().await;
}

#[tokio::test]
async fn rules_must_use_the_accounts_qr_urls_and_are_unique() {
    let sb = common::sandbox().await;
    let client = common::client(&sb);
    let jump = client.qrcode_jump();
    assert_eq!(common::code(jump.add("https://example.com/a", APP, "pages/index/index", 0).send().await), 85066);
    assert_eq!(common::code(jump.add(QR, "not-an-appid", "pages/index/index", 0).send().await), 40097);
    jump.add(QR, APP, "pages/index/index", 0).send().await.unwrap();
    assert_eq!(common::code(jump.add(QR, APP, "pages/index/index", 0).send().await), 85071);
    assert_eq!(common::code(jump.add(format!("{QR}2"), APP, "p", 1).send().await), 40097, "nothing to edit");
    assert_eq!(common::code(jump.publish("http://weixin.qq.com/q/unknown").send().await), 85095);
    sb.shutdown().await;
}

#[tokio::test]
async fn rules_are_found_by_prefix_or_by_page() {
    let sb = common::sandbox().await;
    let client = common::client(&sb);
    let jump = client.qrcode_jump();
    for i in 0..5 {
        jump.add(format!("{QR}{i}"), APP, format!("pages/p{i}/p{i}"), 0).send().await.unwrap();
    }
    let found = jump.get(APP, 1).prefix_list(vec![format!("{QR}1"), format!("{QR}3")]).send().await.unwrap();
    let paths: Vec<_> = found.rule_list.iter().filter_map(|r| r.path.clone()).collect();
    assert_eq!(paths, ["pages/p1/p1", "pages/p3/p3"]);
    let page2 = jump.get(APP, 2).page_num(2).page_size(2).send().await.unwrap();
    assert_eq!(page2.total_count, Some(5));
    assert_eq!(
        page2.rule_list.iter().filter_map(|r| r.path.clone()).collect::<Vec<_>>(),
        ["pages/p2/p2", "pages/p3/p3"]
    );
    assert_eq!(common::code(jump.get(APP, 2).send().await), 40097, "paging needs page_num and page_size");
    assert_eq!(common::code(jump.get(APP, 1).send().await), 40097, "prefix lookups need prefix_list");
    assert!(jump.get("wx0000000000other", 0).send().await.unwrap().rule_list.is_empty(), "rules are per mini program");
    sb.shutdown().await;
}
