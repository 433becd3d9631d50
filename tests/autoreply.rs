//! The console's auto-reply rules (`client.autoreply()`) as the sandbox's account has them set:
//! a reply on follow, a default reply and two keyword rules, one answering with an article.

mod common;

#[tokio::test]
async fn the_console_rules_decode_with_keywords_and_news_replies() {
    let sb = common::sandbox().await;
    let client = common::client(&sb);
    let info = client.autoreply().current().send().await.expect("get_current_autoreply_info");
    assert_eq!(info.is_add_friend_reply_open, Some(1));
    assert_eq!(info.is_autoreply_open, Some(1));
    let follow = info.add_friend_autoreply_info.expect("reply on follow");
    assert_eq!(follow.reply_type.as_deref(), Some("text"));
    assert!(follow.content.is_some_and(|c| !c.is_empty()));
    assert!(info.message_default_autoreply_info.is_some());

    let rules = info.keyword_autoreply_info.expect("keyword rules").list;
    assert_eq!(rules.len(), 2);
    assert_eq!(rules[0].reply_mode.as_deref(), Some("reply_all"));
    assert_eq!(rules[0].keyword_list_info[0].match_mode.as_deref(), Some("contain"));
    let news = rules[1].reply_list_info[0].news_info.as_ref().expect("a news reply");
    assert_eq!(rules[1].reply_list_info[0].reply_type.as_deref(), Some("news"));
    assert_eq!(news.list[0].show_cover, Some(1));
    assert!(news.list[0].content_url.as_deref().is_some_and(|u| u.starts_with("http")));
    assert_eq!(sb.stats().calls_by_path.get("/cgi-bin/get_current_autoreply_info"), Some(&1));
    sb.shutdown().await;
}
