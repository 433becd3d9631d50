//! Article comments (`client.comment()`) against the sandbox: every article the sandbox
//! publishes starts with two follower comments, which these tests elect, reply to and delete,
//! checking each change through `list`.

mod common;

use wechat_oa::api::draft::DraftArticle;
use wechat_oa::api::media::MediaType;
use wechat_oa::{Client, Upload};

/// Publishes a two-article message and returns its `msg_data_id`.
async fn published(client: &Client) -> i64 {
    let cover = Upload::new("cover.jpg", vec![0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3]);
    let cover = client.material().add(MediaType::Image, cover).send().await.expect("cover").media_id;
    let articles = vec![
        DraftArticle::new("头条", "<p>一</p>").with_thumb_media_id(cover.clone()),
        DraftArticle::new("次条", "<p>二</p>").with_thumb_media_id(cover),
    ];
    let draft = client.draft().add(articles).send().await.expect("draft").media_id;
    let job = client.publish().submit(&draft).send().await.expect("publish");
    job.msg_data_id.expect("msg_data_id").parse().expect("numeric msg_data_id")
}

#[tokio::test]
async fn a_published_article_lists_its_comments_page_by_page() {
    let sb = common::sandbox().await;
    let client = common::client(&sb);
    let id = published(&client).await;

    let all = client.comment().list(id, 0, 10, 0).send().await.expect("list");
    assert_eq!(all.total, Some(2));
    assert_eq!(all.comment.iter().map(|c| c.user_comment_id).collect::<Vec<_>>(), [1, 2]);
    assert!(all.comment.iter().all(|c| c.comment_type == Some(0) && c.reply.is_none() && c.openid.is_some()));

    let second = client.comment().list(id, 1, 1, 0).send().await.expect("page 2");
    assert_eq!(second.comment.len(), 1);
    assert_eq!(second.comment[0].user_comment_id, 2);

    // The second article has comments of its own.
    let other = client.comment().list(id, 0, 10, 0).index(1).send().await.expect("index 1");
    assert_ne!(other.comment[0].content, all.comment[0].content);
    sb.shutdown().await;
}

#[tokio::test]
async fn every_comment_streams_by_offset_one_page_at_a_time() {
    use futures_util::TryStreamExt;
    let sb = common::sandbox().await;
    let client = common::client(&sb);
    let id = published(&client).await;
    let ids: Vec<i64> =
        client.comment().list(id, 0, 1, 0).items().map_ok(|c| c.user_comment_id).try_collect().await.expect("all");
    assert_eq!(ids, [1, 2], "each comment once, in order");
    // Pages of one: two comments, then the empty page that ends it.
    assert_eq!(sb.stats().calls_by_path.get("/cgi-bin/comment/list").copied(), Some(3));
    sb.shutdown().await;
}

#[tokio::test]
async fn list_rejects_a_page_size_of_fifty_or_more_and_unknown_articles() {
    let sb = common::sandbox().await;
    let client = common::client(&sb);
    let id = published(&client).await;
    assert_eq!(common::code(client.comment().list(id, 0, 50, 0).send().await), 88010);
    assert_eq!(common::code(client.comment().list(id, 0, 0, 0).send().await), 88010);
    assert_eq!(common::code(client.comment().list(id + 1000, 0, 10, 0).send().await), 88001);
    assert_eq!(common::code(client.comment().list(id, 0, 10, 0).index(5).send().await), 40035);
    sb.shutdown().await;
}

#[tokio::test]
async fn elected_comments_show_as_elected_and_filter_by_type() {
    let sb = common::sandbox().await;
    let client = common::client(&sb);
    let id = published(&client).await;

    client.comment().mark_elect(id, 2).send().await.expect("markelect");
    let elected = client.comment().list(id, 0, 10, 2).send().await.unwrap();
    assert_eq!(elected.comment.iter().map(|c| c.user_comment_id).collect::<Vec<_>>(), [2]);
    assert_eq!(elected.comment[0].comment_type, Some(1));
    let ordinary = client.comment().list(id, 0, 10, 1).send().await.unwrap();
    assert_eq!(ordinary.comment.iter().map(|c| c.user_comment_id).collect::<Vec<_>>(), [1]);

    client.comment().unmark_elect(id, 2).send().await.expect("unmarkelect");
    assert!(client.comment().list(id, 0, 10, 2).send().await.unwrap().comment.is_empty());
    assert_eq!(common::code(client.comment().mark_elect(id, 99).send().await), 88008);
    sb.shutdown().await;
}

#[tokio::test]
async fn a_reply_shows_in_the_list_once_and_can_be_deleted() {
    let sb = common::sandbox().await;
    let client = common::client(&sb);
    let id = published(&client).await;

    client.comment().reply_add(id, 1, "谢谢留言").send().await.expect("reply");
    let list = client.comment().list(id, 0, 10, 0).send().await.unwrap();
    let reply = list.comment[0].reply.as_ref().expect("the reply is listed");
    assert_eq!(reply.content.as_deref(), Some("谢谢留言"));
    assert!(reply.create_time.is_some_and(|t| t > 0));
    assert!(list.comment[1].reply.is_none());

    assert_eq!(common::code(client.comment().reply_add(id, 1, "再回复").send().await), 88005, "one reply per comment");
    assert_eq!(common::code(client.comment().reply_add(id, 2, "").send().await), 88007);
    assert_eq!(common::code(client.comment().reply_add(id, 2, "长".repeat(601)).send().await), 88007);

    client.comment().reply_delete(id, 1).send().await.expect("reply/delete");
    assert!(client.comment().list(id, 0, 10, 0).send().await.unwrap().comment[0].reply.is_none());
    assert_eq!(common::code(client.comment().reply_delete(id, 1).send().await), 88009);
    sb.shutdown().await;
}

#[tokio::test]
async fn a_deleted_comment_disappears() {
    let sb = common::sandbox().await;
    let client = common::client(&sb);
    let id = published(&client).await;

    client.comment().delete(id, 1).send().await.expect("delete");
    let list = client.comment().list(id, 0, 10, 0).send().await.unwrap();
    assert_eq!(list.total, Some(1));
    assert_eq!(list.comment.iter().map(|c| c.user_comment_id).collect::<Vec<_>>(), [2]);
    assert_eq!(common::code(client.comment().delete(id, 1).send().await), 88008);
    assert_eq!(common::code(client.comment().reply_add(id, 1, "晚了").send().await), 88008);
    sb.shutdown().await;
}

#[tokio::test]
async fn comments_open_and_close_per_article() {
    let sb = common::sandbox().await;
    let client = common::client(&sb);
    let id = published(&client).await;

    client.comment().close(id).index(1).send().await.expect("close");
    client.comment().open(id).index(1).send().await.expect("open");
    client.comment().close(id).send().await.expect("close the first");
    assert_eq!(common::code(client.comment().open(id + 1000).send().await), 88001);
    assert_eq!(common::code(client.comment().close(id).index(2).send().await), 40035);
    sb.shutdown().await;
}
