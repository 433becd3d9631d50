//! The mass video upload (`client.mass().upload_video`) against the sandbox: a video's media id
//! becomes the media id an `mpvideo` mass message sends; an id that is not a video is refused.

mod common;

use wechat_oa::api::custom_service::MessageContent;
use wechat_oa::api::mass::MassMpVideo;
use wechat_oa::api::media::MediaType;
use wechat_oa::Upload;

fn file(name: &str, signature: &[u8]) -> Upload {
    let mut bytes = signature.to_vec();
    bytes.extend((0..400).map(|i| (i * 7 % 256) as u8));
    Upload::new(name, bytes)
}

#[tokio::test]
async fn a_video_becomes_the_media_id_an_mpvideo_mass_message_sends() {
    let sb = common::sandbox().await;
    let client = common::client(&sb);
    let video = client.media().upload(MediaType::Video, file("clip.mp4", b"ftyp")).send().await.expect("upload");
    let video = video.media_id.expect("a video media id");

    let mass = client.mass();
    let up = mass.upload_video(&video).title("新品发布").description("两分钟看完").send().await.expect("uploadvideo");
    assert_eq!(up.media_type.as_deref(), Some("video"));
    assert_ne!(up.media_id, video, "a new media id, not the video's own");
    assert!(up.created_at.is_some_and(|t| t > 1_600_000_000));

    let to: Vec<String> = sb.users().into_iter().take(2).collect();
    let sent = mass
        .send(
            to,
            MessageContent::MpVideo(
                MassMpVideo::new(&up.media_id).with_title("新品发布").with_description("两分钟看完"),
            ),
        )
        .send()
        .await
        .expect("send the mpvideo");
    let last = sb.sent_messages().pop().expect("recorded");
    assert_eq!(last.msgid, Some(sent.msg_id));
    assert_eq!(last.body["mpvideo"]["media_id"], up.media_id.as_str());
    sb.shutdown().await;
}

#[tokio::test]
async fn only_a_video_of_the_account_can_be_uploaded() {
    let sb = common::sandbox().await;
    let client = common::client(&sb);
    let image = client.media().upload(MediaType::Image, file("cover.jpg", b"\xff\xd8\xff\xe0")).send().await;
    let image = image.expect("upload").media_id.expect("an image media id");
    assert_eq!(common::code(client.mass().upload_video(&image).send().await), 40007, "an image is not a video");
    assert_eq!(common::code(client.mass().upload_video("no-such-media").send().await), 40007);
    sb.shutdown().await;
}
