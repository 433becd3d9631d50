//! Pagination from the spec (`pages:`): a request builder's `items()` streams every item of every
//! page, in order, exactly once, asking for the next page only when the consumer has taken the
//! current one. Against the sandbox.

mod common;

use std::collections::HashSet;

use futures_util::{StreamExt, TryStreamExt};
use wechat_oa::api::material::MaterialKind;
use wechat_oa::api::media::MediaType;
use wechat_oa::api::tags::TagName;
use wechat_oa::Upload;
use wechat_oa_sandbox::Sandbox;

fn calls(sb: &Sandbox, path: &str) -> u64 {
    sb.stats().calls_by_path.get(path).copied().unwrap_or(0)
}

#[tokio::test]
async fn every_one_of_25000_followers_comes_once_in_order() {
    let sb = common::sandbox_with(|c| c.follower_count = 25_000).await;
    let client = common::client(&sb);
    let all: Vec<String> = client.user().list().items().try_collect().await.expect("every page");
    assert_eq!(all.len(), 25_000);
    assert_eq!(all, sb.users(), "in the order WeChat lists them");
    assert_eq!(all.iter().collect::<HashSet<_>>().len(), 25_000, "no duplicate");
    // 10 000 + 10 000 + 5 000, then the empty page that says the list is done.
    assert_eq!(calls(&sb, "/cgi-bin/user/get"), 4);
}

#[tokio::test]
async fn the_next_page_is_fetched_only_when_pulled() {
    let sb = common::sandbox_with(|c| c.follower_count = 25_000).await;
    let client = common::client(&sb);
    let mut stream = client.user().list().items();
    let first: Vec<String> = stream.by_ref().take(10).try_collect().await.expect("first items");
    assert_eq!(first, sb.users()[..10]);
    assert_eq!(calls(&sb, "/cgi-bin/user/get"), 1, "one page is enough for ten items");
    let rest: Vec<String> = stream.skip(9_990).take(1).try_collect().await.expect("the 10 001st");
    assert_eq!(rest, [sb.users()[10_000].clone()]);
    assert_eq!(calls(&sb, "/cgi-bin/user/get"), 2);
}

#[tokio::test]
async fn tag_members_and_the_blacklist_stream_by_their_cursors() {
    let sb = common::sandbox_with(|c| c.follower_count = 120).await;
    let client = common::client(&sb);
    let users = sb.users();
    let tag = client.tags().create(TagName::new("vip")).send().await.expect("tag").tag.id;
    for chunk in users[..120].chunks(50) {
        client.tags().batch_tagging(chunk.to_vec(), tag).send().await.expect("tagging");
    }
    let members: Vec<String> = client.tags().tag_users(tag).items().try_collect().await.expect("members");
    assert_eq!(members.iter().collect::<HashSet<_>>(), users[..120].iter().collect::<HashSet<_>>());
    assert_eq!(members.len(), 120);
    for chunk in users[..40].chunks(20) {
        client.user().batch_blacklist(chunk.to_vec()).send().await.expect("blacklist");
    }
    let black: Vec<String> = client.user().blacklist().items().try_collect().await.expect("blacklist");
    assert_eq!(black.iter().collect::<HashSet<_>>(), users[..40].iter().collect::<HashSet<_>>());
}

#[tokio::test]
async fn offset_pages_stop_at_the_total_without_an_extra_request() {
    let sb = common::sandbox().await;
    let client = common::client(&sb);
    let mut ids = Vec::new();
    for i in 0..45u8 {
        let mut png = vec![0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];
        png.extend([i; 16]);
        ids.push(
            client
                .material()
                .add(MediaType::Image, Upload::new(format!("p{i}.png"), png))
                .send()
                .await
                .expect("add")
                .media_id,
        );
    }
    let listed: Vec<String> = client
        .material()
        .batch_get(MaterialKind::Image, 0, 20)
        .items()
        .map_ok(|item| item.media_id)
        .try_collect()
        .await
        .expect("every page");
    assert_eq!(listed.iter().collect::<HashSet<_>>(), ids.iter().collect::<HashSet<_>>());
    assert_eq!(listed.len(), 45, "each once");
    assert_eq!(calls(&sb, "/cgi-bin/material/batchget_material"), 3, "20 + 20 + 5, and total_count says done");
}

#[tokio::test]
async fn a_page_size_over_the_limit_is_refused_before_the_first_page() {
    let sb = common::sandbox().await;
    let client = common::client(&sb);
    let r: Result<Vec<_>, _> = client.material().batch_get(MaterialKind::Image, 0, 21).items().try_collect().await;
    assert!(matches!(r, Err(wechat_oa::Error::InvalidRequest { .. })), "{r:?}");
    assert_eq!(calls(&sb, "/cgi-bin/material/batchget_material"), 0);
}
