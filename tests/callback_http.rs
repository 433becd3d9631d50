//! The axum callback endpoint driven over real HTTP by the sandbox playing WeChat, in plain and
//! encrypted mode; the official XML samples as parse tests; and no secret in the tracing output.
#![cfg(feature = "axum")]

use std::io::Write;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, OnceLock};

use wechat_oa::callback::{Callback, EventKind, Message, MessageKind, Reply, ReplyKind};
use wechat_oa_sandbox::callback as wx;
use wechat_oa_sandbox::{CallbackTarget, Sandbox, SandboxConfig};

const TOKEN: &str = "httpCallbackToken";
const AES: &str = "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR";

// ---- the official samples (developers.weixin.qq.com: 接收普通消息, 接收事件推送, 自定义菜单事件推送,
// 模板消息, 群发接口, 发布能力) ----

const TEXT: &str = "<xml>
<ToUserName><![CDATA[toUser]]></ToUserName>
<FromUserName><![CDATA[fromUser]]></FromUserName>
<CreateTime>1348831860</CreateTime>
<MsgType><![CDATA[text]]></MsgType>
<Content><![CDATA[this is a test]]></Content>
<MsgId>1234567890123456</MsgId>
<MsgDataId>xxxx</MsgDataId>
<Idx>xxxx</Idx>
</xml>";

const IMAGE: &str = "<xml>
<ToUserName><![CDATA[toUser]]></ToUserName>
<FromUserName><![CDATA[fromUser]]></FromUserName>
<CreateTime>1348831860</CreateTime>
<MsgType><![CDATA[image]]></MsgType>
<PicUrl><![CDATA[this is a url]]></PicUrl>
<MediaId><![CDATA[media_id]]></MediaId>
<MsgId>1234567890123456</MsgId>
<MsgDataId>xxxx</MsgDataId>
<Idx>xxxx</Idx>
</xml>";

const VOICE: &str = "<xml>
<ToUserName><![CDATA[toUser]]></ToUserName>
<FromUserName><![CDATA[fromUser]]></FromUserName>
<CreateTime>1357290913</CreateTime>
<MsgType><![CDATA[voice]]></MsgType>
<MediaId><![CDATA[media_id]]></MediaId>
<Format><![CDATA[Format]]></Format>
<Recognition><![CDATA[腾讯微信团队]]></Recognition>
<MsgId>1234567890123456</MsgId>
</xml>";

const VIDEO: &str = "<xml>
<ToUserName><![CDATA[toUser]]></ToUserName>
<FromUserName><![CDATA[fromUser]]></FromUserName>
<CreateTime>1357290913</CreateTime>
<MsgType><![CDATA[video]]></MsgType>
<MediaId><![CDATA[media_id]]></MediaId>
<ThumbMediaId><![CDATA[thumb_media_id]]></ThumbMediaId>
<MsgId>1234567890123456</MsgId>
</xml>";

const SHORTVIDEO: &str = "<xml>
<ToUserName><![CDATA[toUser]]></ToUserName>
<FromUserName><![CDATA[fromUser]]></FromUserName>
<CreateTime>1357290913</CreateTime>
<MsgType><![CDATA[shortvideo]]></MsgType>
<MediaId><![CDATA[media_id]]></MediaId>
<ThumbMediaId><![CDATA[thumb_media_id]]></ThumbMediaId>
<MsgId>1234567890123456</MsgId>
</xml>";

const LOCATION: &str = "<xml>
<ToUserName><![CDATA[toUser]]></ToUserName>
<FromUserName><![CDATA[fromUser]]></FromUserName>
<CreateTime>1351776360</CreateTime>
<MsgType><![CDATA[location]]></MsgType>
<Location_X>23.134521</Location_X>
<Location_Y>113.358803</Location_Y>
<Scale>20</Scale>
<Label><![CDATA[位置信息]]></Label>
<MsgId>1234567890123456</MsgId>
</xml>";

const LINK: &str = "<xml>
<ToUserName><![CDATA[toUser]]></ToUserName>
<FromUserName><![CDATA[fromUser]]></FromUserName>
<CreateTime>1351776360</CreateTime>
<MsgType><![CDATA[link]]></MsgType>
<Title><![CDATA[公众平台官网链接]]></Title>
<Description><![CDATA[公众平台官网链接]]></Description>
<Url><![CDATA[url]]></Url>
<MsgId>1234567890123456</MsgId>
</xml>";

const SUBSCRIBE: &str = "<xml>
<ToUserName><![CDATA[toUser]]></ToUserName>
<FromUserName><![CDATA[FromUser]]></FromUserName>
<CreateTime>123456789</CreateTime>
<MsgType><![CDATA[event]]></MsgType>
<Event><![CDATA[subscribe]]></Event>
</xml>";

const SUBSCRIBE_QR: &str = "<xml>
<ToUserName><![CDATA[toUser]]></ToUserName>
<FromUserName><![CDATA[FromUser]]></FromUserName>
<CreateTime>123456789</CreateTime>
<MsgType><![CDATA[event]]></MsgType>
<Event><![CDATA[subscribe]]></Event>
<EventKey><![CDATA[qrscene_123123]]></EventKey>
<Ticket><![CDATA[TICKET]]></Ticket>
</xml>";

const UNSUBSCRIBE: &str = "<xml>
<ToUserName><![CDATA[toUser]]></ToUserName>
<FromUserName><![CDATA[FromUser]]></FromUserName>
<CreateTime>123456789</CreateTime>
<MsgType><![CDATA[event]]></MsgType>
<Event><![CDATA[unsubscribe]]></Event>
</xml>";

const SCAN: &str = "<xml>
<ToUserName><![CDATA[toUser]]></ToUserName>
<FromUserName><![CDATA[FromUser]]></FromUserName>
<CreateTime>123456789</CreateTime>
<MsgType><![CDATA[event]]></MsgType>
<Event><![CDATA[SCAN]]></Event>
<EventKey><![CDATA[SCENE_VALUE]]></EventKey>
<Ticket><![CDATA[TICKET]]></Ticket>
</xml>";

const LOCATION_EVENT: &str = "<xml>
<ToUserName><![CDATA[toUser]]></ToUserName>
<FromUserName><![CDATA[fromUser]]></FromUserName>
<CreateTime>123456789</CreateTime>
<MsgType><![CDATA[event]]></MsgType>
<Event><![CDATA[LOCATION]]></Event>
<Latitude>23.137466</Latitude>
<Longitude>113.352425</Longitude>
<Precision>119.385040</Precision>
</xml>";

const CLICK: &str = "<xml>
<ToUserName><![CDATA[toUser]]></ToUserName>
<FromUserName><![CDATA[FromUser]]></FromUserName>
<CreateTime>123456789</CreateTime>
<MsgType><![CDATA[event]]></MsgType>
<Event><![CDATA[CLICK]]></Event>
<EventKey><![CDATA[EVENTKEY]]></EventKey>
</xml>";

const VIEW: &str = "<xml>
<ToUserName><![CDATA[toUser]]></ToUserName>
<FromUserName><![CDATA[FromUser]]></FromUserName>
<CreateTime>123456789</CreateTime>
<MsgType><![CDATA[event]]></MsgType>
<Event><![CDATA[VIEW]]></Event>
<EventKey><![CDATA[www.qq.com]]></EventKey>
<MenuId>MENUID</MenuId>
</xml>";

const SCANCODE_PUSH: &str = "<xml>
<ToUserName><![CDATA[gh_e136c6e50636]]></ToUserName>
<FromUserName><![CDATA[oMgHVjngRipVsoxg6TuX3vz6glDg]]></FromUserName>
<CreateTime>1408090502</CreateTime>
<MsgType><![CDATA[event]]></MsgType>
<Event><![CDATA[scancode_push]]></Event>
<EventKey><![CDATA[6]]></EventKey>
<ScanCodeInfo><ScanType><![CDATA[qrcode]]></ScanType>
<ScanResult><![CDATA[1]]></ScanResult>
</ScanCodeInfo>
</xml>";

const PIC_SYSPHOTO: &str = "<xml>
<ToUserName><![CDATA[gh_e136c6e50636]]></ToUserName>
<FromUserName><![CDATA[oMgHVjngRipVsoxg6TuX3vz6glDg]]></FromUserName>
<CreateTime>1408090651</CreateTime>
<MsgType><![CDATA[event]]></MsgType>
<Event><![CDATA[pic_sysphoto]]></Event>
<EventKey><![CDATA[6]]></EventKey>
<SendPicsInfo><Count>1</Count>
<PicList><item><PicMd5Sum><![CDATA[1b5f7c23b5bf75682a53e7b6d163e185]]></PicMd5Sum>
</item>
</PicList>
</SendPicsInfo>
</xml>";

const LOCATION_SELECT: &str = "<xml>
<ToUserName><![CDATA[gh_e136c6e50636]]></ToUserName>
<FromUserName><![CDATA[oMgHVjngRipVsoxg6TuX3vz6glDg]]></FromUserName>
<CreateTime>1408091189</CreateTime>
<MsgType><![CDATA[event]]></MsgType>
<Event><![CDATA[location_select]]></Event>
<EventKey><![CDATA[6]]></EventKey>
<SendLocationInfo><Location_X><![CDATA[23]]></Location_X>
<Location_Y><![CDATA[113]]></Location_Y>
<Scale><![CDATA[15]]></Scale>
<Label><![CDATA[ 广州市海珠区客村艺苑路 106号]]></Label>
<Poiname><![CDATA[]]></Poiname>
</SendLocationInfo>
</xml>";

const TEMPLATESENDJOBFINISH: &str = "<xml>
<ToUserName><![CDATA[gh_7f083739789a]]></ToUserName>
<FromUserName><![CDATA[oia2TjuEGTNoeX76QEjQNrcURxG8]]></FromUserName>
<CreateTime>1395658920</CreateTime>
<MsgType><![CDATA[event]]></MsgType>
<Event><![CDATA[TEMPLATESENDJOBFINISH]]></Event>
<MsgID>200163836</MsgID>
<Status><![CDATA[success]]></Status>
</xml>";

const MASSSENDJOBFINISH: &str = "<xml>
<ToUserName><![CDATA[gh_4d00ed8d6399]]></ToUserName>
<FromUserName><![CDATA[oV5CrjpxgaGXNHIQigzNlgLTnwic]]></FromUserName>
<CreateTime>1481013459</CreateTime>
<MsgType><![CDATA[event]]></MsgType>
<Event><![CDATA[MASSSENDJOBFINISH]]></Event>
<MsgID>1000001625</MsgID>
<Status><![CDATA[err(30003)]]></Status>
<TotalCount>0</TotalCount>
<FilterCount>0</FilterCount>
<SentCount>0</SentCount>
<ErrorCount>0</ErrorCount>
<CopyrightCheckResult>
<Count>2</Count>
<ResultList>
<item>
<ArticleIdx>1</ArticleIdx>
<UserDeclareState>0</UserDeclareState>
<AuditState>2</AuditState>
<OriginalArticleUrl><![CDATA[Url_1]]></OriginalArticleUrl>
<OriginalArticleType>1</OriginalArticleType>
<CanReprint>1</CanReprint>
<NeedReplaceContent>1</NeedReplaceContent>
<NeedShowReprintSource>1</NeedShowReprintSource>
</item>
<item>
<ArticleIdx>2</ArticleIdx>
<UserDeclareState>0</UserDeclareState>
<AuditState>2</AuditState>
<OriginalArticleUrl><![CDATA[Url_2]]></OriginalArticleUrl>
<OriginalArticleType>1</OriginalArticleType>
<CanReprint>1</CanReprint>
<NeedReplaceContent>1</NeedReplaceContent>
<NeedShowReprintSource>1</NeedShowReprintSource>
</item>
</ResultList>
<CheckState>2</CheckState>
</CopyrightCheckResult>
<ArticleUrlResult>
<Count>1</Count>
<ResultList>
<item>
<ArticleIdx>1</ArticleIdx>
<ArticleUrl><![CDATA[Url]]></ArticleUrl>
</item>
</ResultList>
</ArticleUrlResult>
</xml>";

/// As pushed in practice: the result lists present but empty.
const MASSSENDJOBFINISH_EMPTY_LISTS: &str = "<xml><ToUserName><![CDATA[gh_1f567c6f4bbd]]></ToUserName>
<FromUserName><![CDATA[ov7hP6b1X_yWfnX7Jy3IFQnwJzzM]]></FromUserName>
<CreateTime>1650896441</CreateTime>
<MsgType><![CDATA[event]]></MsgType>
<Event><![CDATA[MASSSENDJOBFINISH]]></Event>
<MsgID>1000000003</MsgID>
<Status><![CDATA[send success]]></Status>
<TotalCount>4</TotalCount>
<FilterCount>4</FilterCount>
<SentCount>4</SentCount>
<ErrorCount>0</ErrorCount>
<CopyrightCheckResult><Count>0</Count>
<ResultList></ResultList>
<CheckState>0</CheckState>
</CopyrightCheckResult>
<ArticleUrlResult>
</ArticleUrlResult>
</xml>";

const PUBLISHJOBFINISH: &str = "<xml>
<ToUserName><![CDATA[gh_4d00ed8d6399]]></ToUserName>
<FromUserName><![CDATA[oV5CrjpxgaGXNHIQigzNlgLTnwic]]></FromUserName>
<CreateTime>1481013459</CreateTime>
<MsgType><![CDATA[event]]></MsgType>
<Event><![CDATA[PUBLISHJOBFINISH]]></Event>
<PublishEventInfo>
<publish_id>2247503051</publish_id>
<publish_status>0</publish_status>
<article_id><![CDATA[b5O2OUs25HBxRceL7hfReg-U9QGeq9zQjiDvyWP4Hq4]]></article_id>
<article_detail>
<count>1</count>
<item>
<idx>1</idx>
<article_url><![CDATA[ARTICLE_URL]]></article_url>
</item>
</article_detail>
</PublishEventInfo>
</xml>";

const PUBLISHJOBFINISH_FAILED: &str = "<xml>
<ToUserName><![CDATA[gh_4d00ed8d6399]]></ToUserName>
<FromUserName><![CDATA[oV5CrjpxgaGXNHIQigzNlgLTnwic]]></FromUserName>
<CreateTime>1481013460</CreateTime>
<MsgType><![CDATA[event]]></MsgType>
<Event><![CDATA[PUBLISHJOBFINISH]]></Event>
<PublishEventInfo>
<publish_id>2247503052</publish_id>
<publish_status>2</publish_status>
<fail_idx>1</fail_idx>
<fail_idx>2</fail_idx>
</PublishEventInfo>
</xml>";

/// Every sample, in the order above.
const SAMPLES: &[&str] = &[
    TEXT,
    IMAGE,
    VOICE,
    VIDEO,
    SHORTVIDEO,
    LOCATION,
    LINK,
    SUBSCRIBE,
    SUBSCRIBE_QR,
    UNSUBSCRIBE,
    SCAN,
    LOCATION_EVENT,
    CLICK,
    VIEW,
    SCANCODE_PUSH,
    PIC_SYSPHOTO,
    LOCATION_SELECT,
    TEMPLATESENDJOBFINISH,
    MASSSENDJOBFINISH,
    MASSSENDJOBFINISH_EMPTY_LISTS,
    PUBLISHJOBFINISH,
    PUBLISHJOBFINISH_FAILED,
];

fn parse(xml: &str) -> Message {
    Message::parse(xml).unwrap_or_else(|e| panic!("sample does not parse: {e}\n{xml}"))
}

#[test]
fn official_message_samples_parse_to_their_types() {
    let m = parse(TEXT);
    assert_eq!((m.to_user_name.as_str(), m.from_user_name.as_str(), m.create_time), ("toUser", "fromUser", 1348831860));
    assert_eq!(m.msg_id.as_deref(), Some("1234567890123456"));
    let MessageKind::Text(t) = &m.kind else { panic!("text: {m:?}") };
    assert_eq!(t.content, "this is a test");
    assert_eq!(t.msg_id, Some(1234567890123456));
    assert_eq!((t.msg_data_id.as_deref(), t.idx.as_deref()), (Some("xxxx"), Some("xxxx")));
    assert_eq!(m.kind.msg_type(), "text");

    let m = parse(IMAGE);
    let MessageKind::Image(i) = &m.kind else { panic!("image: {m:?}") };
    assert_eq!((i.pic_url.as_deref(), i.media_id.as_str()), (Some("this is a url"), "media_id"));

    let m = parse(VOICE);
    let MessageKind::Voice(v) = &m.kind else { panic!("voice: {m:?}") };
    assert_eq!((v.media_id.as_str(), v.format.as_deref()), ("media_id", Some("Format")));
    assert_eq!(v.recognition.as_deref(), Some("腾讯微信团队"));
    assert_eq!(m.create_time, 1357290913);

    let m = parse(VIDEO);
    let MessageKind::Video(v) = &m.kind else { panic!("video: {m:?}") };
    assert_eq!((v.media_id.as_str(), v.thumb_media_id.as_deref()), ("media_id", Some("thumb_media_id")));

    let m = parse(SHORTVIDEO);
    let MessageKind::ShortVideo(v) = &m.kind else { panic!("shortvideo: {m:?}") };
    assert_eq!((v.media_id.as_str(), v.thumb_media_id.as_deref()), ("media_id", Some("thumb_media_id")));
    assert_eq!(m.kind.msg_type(), "shortvideo");

    let m = parse(LOCATION);
    let MessageKind::Location(l) = &m.kind else { panic!("location: {m:?}") };
    assert_eq!((l.location_x, l.location_y), (23.134521, 113.358803));
    assert_eq!((l.scale, l.label.as_deref()), (Some(20), Some("位置信息")));

    let m = parse(LINK);
    let MessageKind::Link(l) = &m.kind else { panic!("link: {m:?}") };
    assert_eq!(l.title.as_deref(), Some("公众平台官网链接"));
    assert_eq!(l.description.as_deref(), Some("公众平台官网链接"));
    assert_eq!(l.url, "url");
    assert_eq!(l.msg_id, Some(1234567890123456));
}

#[test]
fn official_event_samples_parse_to_their_types() {
    let event = |xml: &str| -> (Message, EventKind) {
        let m = parse(xml);
        match m.kind.clone() {
            MessageKind::Event(e) => (m, e),
            other => panic!("expected an event, got {other:?}"),
        }
    };

    let (m, e) = event(SUBSCRIBE);
    let EventKind::Subscribe(s) = &e else { panic!("{e:?}") };
    assert_eq!((s.event_key.as_deref(), s.ticket.as_deref()), (None, None));
    assert_eq!((m.from_user_name.as_str(), m.create_time, m.msg_id.as_deref()), ("FromUser", 123456789, None));
    assert_eq!(m.kind.msg_type(), "event");
    assert_eq!(e.event(), "subscribe");

    let (_, e) = event(SUBSCRIBE_QR);
    let EventKind::Subscribe(s) = &e else { panic!("{e:?}") };
    assert_eq!((s.event_key.as_deref(), s.ticket.as_deref()), (Some("qrscene_123123"), Some("TICKET")));

    let (_, e) = event(UNSUBSCRIBE);
    assert!(matches!(e, EventKind::Unsubscribe(_)), "{e:?}");

    let (_, e) = event(SCAN);
    let EventKind::Scan(s) = &e else { panic!("{e:?}") };
    assert_eq!((s.event_key.as_str(), s.ticket.as_deref()), ("SCENE_VALUE", Some("TICKET")));

    let (_, e) = event(LOCATION_EVENT);
    let EventKind::Location(l) = &e else { panic!("{e:?}") };
    assert_eq!((l.latitude, l.longitude, l.precision), (23.137466, 113.352425, Some(119.385040)));

    let (_, e) = event(CLICK);
    let EventKind::Click(c) = &e else { panic!("{e:?}") };
    assert_eq!(c.event_key, "EVENTKEY");

    let (_, e) = event(VIEW);
    let EventKind::View(v) = &e else { panic!("{e:?}") };
    assert_eq!((v.event_key.as_str(), v.menu_id.as_deref()), ("www.qq.com", Some("MENUID")));

    let (_, e) = event(SCANCODE_PUSH);
    let EventKind::ScancodePush(s) = &e else { panic!("{e:?}") };
    assert_eq!(s.event_key, "6");
    assert_eq!((s.scan_code_info.scan_type.as_str(), s.scan_code_info.scan_result.as_str()), ("qrcode", "1"));

    let (_, e) = event(PIC_SYSPHOTO);
    let EventKind::PicSysphoto(p) = &e else { panic!("{e:?}") };
    assert_eq!(p.send_pics_info.count, 1);
    let md5: Vec<&str> = p.send_pics_info.pic_list.iter().map(|i| i.pic_md5_sum.as_str()).collect();
    assert_eq!(md5, ["1b5f7c23b5bf75682a53e7b6d163e185"]);

    let (_, e) = event(LOCATION_SELECT);
    let EventKind::LocationSelect(l) = &e else { panic!("{e:?}") };
    let info = &l.send_location_info;
    assert_eq!((info.location_x, info.location_y, info.scale), (23.0, 113.0, Some(15)));
    assert_eq!(info.label.as_deref(), Some(" 广州市海珠区客村艺苑路 106号"));
    assert_eq!(info.poiname.as_deref(), Some(""));

    let (m, e) = event(TEMPLATESENDJOBFINISH);
    let EventKind::TemplateSendJobFinish(t) = &e else { panic!("{e:?}") };
    assert_eq!((t.msg_id, t.status.as_str()), (200163836, "success"));
    assert_eq!(m.msg_id.as_deref(), Some("200163836"), "MsgID (capital D) is the header's msg_id too");

    let (_, e) = event(MASSSENDJOBFINISH);
    let EventKind::MassSendJobFinish(j) = &e else { panic!("{e:?}") };
    assert_eq!((j.msg_id, j.status.as_str()), (1000001625, "err(30003)"));
    assert_eq!((j.total_count, j.filter_count, j.sent_count, j.error_count), (Some(0), Some(0), Some(0), Some(0)));
    let c = j.copyright_check_result.as_ref().expect("CopyrightCheckResult");
    assert_eq!((c.count, c.check_state), (Some(2), Some(2)));
    let urls: Vec<_> = c.result_list.iter().map(|i| (i.article_idx, i.original_article_url.as_deref())).collect();
    assert_eq!(urls, [(Some(1), Some("Url_1")), (Some(2), Some("Url_2"))]);
    let first = &c.result_list[0];
    assert_eq!((first.user_declare_state, first.audit_state, first.original_article_type), (Some(0), Some(2), Some(1)));
    assert_eq!(
        (first.can_reprint, first.need_replace_content, first.need_show_reprint_source),
        (Some(1), Some(1), Some(1))
    );
    let a = j.article_url_result.as_ref().expect("ArticleUrlResult");
    assert_eq!(a.count, Some(1));
    assert_eq!(a.result_list.len(), 1);
    assert_eq!((a.result_list[0].article_idx, a.result_list[0].article_url.as_deref()), (Some(1), Some("Url")));

    let (_, e) = event(MASSSENDJOBFINISH_EMPTY_LISTS);
    let EventKind::MassSendJobFinish(j) = &e else { panic!("{e:?}") };
    assert_eq!((j.status.as_str(), j.sent_count), ("send success", Some(4)));
    let c = j.copyright_check_result.as_ref().expect("CopyrightCheckResult");
    assert!(c.result_list.is_empty());
    let a = j.article_url_result.as_ref().expect("ArticleUrlResult");
    assert!(a.result_list.is_empty() && a.count.is_none());

    let (_, e) = event(PUBLISHJOBFINISH);
    let EventKind::PublishJobFinish(p) = &e else { panic!("{e:?}") };
    let info = &p.publish_event_info;
    assert_eq!((info.publish_id.as_str(), info.publish_status), ("2247503051", 0));
    assert_eq!(info.article_id.as_deref(), Some("b5O2OUs25HBxRceL7hfReg-U9QGeq9zQjiDvyWP4Hq4"));
    let detail = info.article_detail.as_ref().expect("article_detail");
    assert_eq!(detail.count, Some(1));
    let items: Vec<_> = detail.item.iter().map(|i| (i.idx, i.article_url.as_deref())).collect();
    assert_eq!(items, [(Some(1), Some("ARTICLE_URL"))]);
    assert!(info.fail_idx.is_empty());

    let (_, e) = event(PUBLISHJOBFINISH_FAILED);
    let EventKind::PublishJobFinish(p) = &e else { panic!("{e:?}") };
    assert_eq!(p.publish_event_info.publish_status, 2);
    assert_eq!(p.publish_event_info.fail_idx, ["1", "2"]);
    assert!(p.publish_event_info.article_detail.is_none());
}

// ---- the server ----

/// What the test server's handler saw.
type Seen = Arc<Mutex<Vec<Message>>>;

/// The echo handler: text → text, subscribe → welcome, anything else → no reply.
async fn echo(seen: Seen, msg: Message) -> Option<Reply> {
    seen.lock().expect("lock").push(msg.clone());
    match &msg.kind {
        MessageKind::Text(t) => Some(msg.reply_text(format!("echo: {}", t.content))),
        MessageKind::Event(EventKind::Subscribe(_)) => Some(msg.reply_text("welcome!")),
        _ => None,
    }
}

struct Server {
    url: String,
    seen: Seen,
    appid: String,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn serve(cb: Callback) -> Server {
    // Every exchange in this binary is logged, and checked for secrets at the end of
    // `tracing_output_holds_no_secret`.
    captured();
    let seen: Seen = Arc::default();
    let s = seen.clone();
    let appid = cb.appid().to_string();
    let app = wechat_oa::callback::axum::router(cb, move |m| echo(s.clone(), m));
    let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0))).await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let task = tokio::spawn(async move {
        axum::serve(listener, app).await.expect("serve");
    });
    Server { url: format!("http://{addr}/"), seen, appid, task }
}

async fn sandbox() -> Sandbox {
    Sandbox::start(SandboxConfig::default()).await.expect("sandbox")
}

fn target(srv: &Server, encrypted: bool) -> CallbackTarget {
    CallbackTarget {
        token: TOKEN.into(),
        encoding_aes_key: encrypted.then(|| AES.to_string()),
        appid: srv.appid.clone(),
    }
}

/// The sample made distinct for dedup: the official samples share one MsgId, and the event
/// samples one sender and CreateTime (events are deduplicated by sender, time and event).
fn distinct(xml: &str, n: usize) -> String {
    xml.replace("<MsgId>1234567890123456</MsgId>", &format!("<MsgId>{}</MsgId>", 7_000_000_000_000_000u64 + n as u64))
        .replace("<CreateTime>123456789</CreateTime>", &format!("<CreateTime>{}</CreateTime>", 123456789 + n))
}

async fn exchange(sb: &Sandbox, srv: &Server, encrypted: bool) {
    assert!(sb.verify_callback_url(&srv.url, TOKEN).await.expect("GET"), "URL verification");
    assert!(!sb.verify_callback_url(&srv.url, "wrong-token").await.expect("GET"), "a wrong token must not verify");

    let out = sb.push_callback(&srv.url, &target(srv, encrypted), TEXT).await.expect("push text");
    assert_eq!(out.status, 200, "{}", out.body);
    let reply_xml = if encrypted {
        assert!(out.body.contains("<Encrypt>") && !out.body.contains("echo:"), "reply must be encrypted: {}", out.body);
        out.decrypted.clone().expect("the sandbox verified and decrypted the reply")
    } else {
        assert!(out.decrypted.is_none());
        out.body.clone()
    };
    let reply = Reply::parse(&reply_xml).expect("reply parses");
    assert_eq!(reply.kind, ReplyKind::Text(wechat_oa::callback::TextReply::new("echo: this is a test")));
    assert_eq!((reply.to_user_name.as_str(), reply.from_user_name.as_str()), ("fromUser", "toUser"));

    let out = sb.push_callback(&srv.url, &target(srv, encrypted), SUBSCRIBE_QR).await.expect("push subscribe");
    assert_eq!(out.status, 200);
    let reply_xml = if encrypted { out.decrypted.clone().expect("decrypted") } else { out.body.clone() };
    let reply = Reply::parse(&reply_xml).expect("reply parses");
    assert_eq!(reply.kind, ReplyKind::Text(wechat_oa::callback::TextReply::new("welcome!")));
    assert_eq!(reply.to_user_name, "FromUser");

    let out = sb.push_callback(&srv.url, &target(srv, encrypted), CLICK).await.expect("push click");
    assert_eq!((out.status, out.body.as_str(), out.decrypted.as_deref()), (200, "success", None));

    // A retry of the text push: answered with the handler's reply, but not handled again.
    let before = srv.seen.lock().expect("lock").len();
    let out = sb.push_callback(&srv.url, &target(srv, encrypted), TEXT).await.expect("retry");
    assert_eq!(out.status, 200);
    let reply_xml = if encrypted { out.decrypted.clone().expect("decrypted") } else { out.body.clone() };
    let reply = Reply::parse(&reply_xml).expect("the retry's reply parses");
    assert_eq!(reply.kind, ReplyKind::Text(wechat_oa::callback::TextReply::new("echo: this is a test")));
    assert_eq!(srv.seen.lock().expect("lock").len(), before);
}

#[tokio::test]
async fn plain_mode_over_http() {
    let sb = sandbox().await;
    let srv = serve(Callback::new(TOKEN, sb.config().appid.clone())).await;
    exchange(&sb, &srv, false).await;
    sb.shutdown().await;
}

#[tokio::test]
async fn encrypted_mode_over_http() {
    let sb = sandbox().await;
    let srv = serve(Callback::new(TOKEN, sb.config().appid.clone()).with_aes_key(AES).expect("key")).await;
    exchange(&sb, &srv, true).await;
    sb.shutdown().await;
}

#[tokio::test]
async fn every_official_sample_reaches_the_handler_intact() {
    let sb = sandbox().await;
    for encrypted in [false, true] {
        let srv = serve(Callback::new(TOKEN, sb.config().appid.clone()).with_aes_key(AES).expect("key")).await;
        let sent: Vec<String> = SAMPLES.iter().enumerate().map(|(i, x)| distinct(x, i)).collect();
        for xml in &sent {
            let out = sb.push_callback(&srv.url, &target(&srv, encrypted), xml).await.expect("push");
            assert_eq!(out.status, 200, "{xml}: {}", out.body);
        }
        let seen = srv.seen.lock().expect("lock").clone();
        let expected: Vec<Message> = sent.iter().map(|x| parse(x)).collect();
        assert_eq!(seen, expected, "encrypted={encrypted}");
    }
    sb.shutdown().await;
}

#[tokio::test]
async fn bad_signature_is_401() {
    let sb = sandbox().await;
    let srv = serve(Callback::new(TOKEN, sb.config().appid.clone())).await;
    let wrong = CallbackTarget { token: "not-the-token".into(), encoding_aes_key: None, appid: srv.appid.clone() };
    let out = sb.push_callback(&srv.url, &wrong, TEXT).await.expect("push");
    assert_eq!(out.status, 401, "{}", out.body);
    assert!(out.body.contains("signature"), "{}", out.body);
    assert!(srv.seen.lock().expect("lock").is_empty());
    sb.shutdown().await;
}

#[tokio::test]
async fn bad_msg_signature_is_401() {
    // Built by hand: the sandbox would try to decrypt the error text as a reply.
    let srv = serve(Callback::new(TOKEN, "wx5a4d0000sandbox").with_aes_key(AES).expect("key")).await;
    let key = wx::decode_aes_key(AES).expect("key");
    let encrypt = wx::encrypt(&key, &srv.appid, TEXT);
    let ts = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("clock").as_secs().to_string();
    let url = format!(
        "{}?signature={}&timestamp={ts}&nonce=1&encrypt_type=aes&msg_signature={}",
        srv.url,
        wx::signature(TOKEN, &ts, "1"),
        wx::msg_signature("not-the-token", &ts, "1", &encrypt)
    );
    let body = format!("<xml><ToUserName>toUser</ToUserName><Encrypt><![CDATA[{encrypt}]]></Encrypt></xml>");
    let resp = reqwest::Client::new().post(&url).body(body).send().await.expect("POST");
    assert_eq!(resp.status().as_u16(), 401);
    assert!(srv.seen.lock().expect("lock").is_empty());
}

#[tokio::test]
async fn oversize_body_is_413() {
    let sb = sandbox().await;
    let srv = serve(Callback::new(TOKEN, sb.config().appid.clone())).await;
    let padding = "x".repeat(wechat_oa::callback::DEFAULT_MAX_BODY);
    let big = TEXT.replace("this is a test", &padding);
    let out = sb.push_callback(&srv.url, &target(&srv, false), &big).await.expect("push");
    assert_eq!(out.status, 413, "{}", out.body);
    assert!(srv.seen.lock().expect("lock").is_empty());

    // A small limit is enforced over HTTP as well.
    let srv = serve(Callback::new(TOKEN, sb.config().appid.clone()).max_body(100)).await;
    let out = sb.push_callback(&srv.url, &target(&srv, false), TEXT).await.expect("push");
    assert_eq!(out.status, 413, "{}", out.body);
    sb.shutdown().await;
}

#[tokio::test]
async fn malformed_xml_is_400() {
    let sb = sandbox().await;
    let srv = serve(Callback::new(TOKEN, sb.config().appid.clone())).await;
    for bad in ["<xml><ToUserName>toUser</xml>", "<!DOCTYPE xml [<!ENTITY a \"b\">]><xml>&a;</xml>", "plain text"] {
        let out = sb.push_callback(&srv.url, &target(&srv, false), bad).await.expect("push");
        assert_eq!(out.status, 400, "{bad}: {}", out.body);
    }
    assert!(srv.seen.lock().expect("lock").is_empty());
    sb.shutdown().await;
}

// ---- tracing output ----

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("lock").extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Captured {
    type Writer = Captured;
    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

/// Everything this test binary logs, from the moment the first server starts. A global
/// subscriber (not a thread-local one): the servers, the sandbox and reqwest log from whichever
/// runtime thread runs them, and callsite interest is shared across threads.
fn captured() -> &'static Captured {
    static BUF: OnceLock<Captured> = OnceLock::new();
    BUF.get_or_init(|| {
        let buf = Captured::default();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(buf.clone())
            .with_max_level(tracing::Level::TRACE)
            .with_ansi(false)
            .finish();
        tracing::subscriber::set_global_default(subscriber).expect("no other global subscriber in this binary");
        buf
    })
}

#[tokio::test]
async fn tracing_output_holds_no_secret() {
    let buf = captured();
    let sb = sandbox().await;
    let cb = Callback::new(TOKEN, sb.config().appid.clone()).with_aes_key(AES).expect("key");
    tracing::info!(callback = ?cb, "configured");
    let srv = serve(cb).await;
    assert!(sb.verify_callback_url(&srv.url, TOKEN).await.expect("GET"));
    let first = sb.push_callback(&srv.url, &target(&srv, true), TEXT).await.expect("push");
    assert!(first.decrypted.is_some());
    let out = sb.push_callback(&srv.url, &target(&srv, true), TEXT).await.expect("retry");
    assert_eq!(out.decrypted, first.decrypted, "the retry carries the stored reply");
    // A rejected one: logged with the failed check.
    let wrong = CallbackTarget { token: "wrong".into(), encoding_aes_key: None, appid: srv.appid.clone() };
    assert_eq!(sb.push_callback(&srv.url, &wrong, CLICK).await.expect("push").status, 401);
    sb.shutdown().await;
    drop(srv);

    let text = String::from_utf8(buf.0.lock().expect("lock").clone()).expect("UTF-8 log");
    assert!(text.contains("wechat.callback"), "the callback spans were captured:\n{text}");
    assert!(text.contains("callback rejected") && text.contains("check=\"signature\""), "rejection logged:\n{text}");
    assert!(text.contains("retry answered with the stored reply"), "dedup logged:\n{text}");
    let key = wx::decode_aes_key(AES).expect("key");
    let key_hex: String = key.iter().map(|b| format!("{b:02x}")).collect();
    let key_b64 = {
        use base64::Engine as _;
        base64::engine::general_purpose::STANDARD.encode(key)
    };
    for (name, secret) in
        [("token", TOKEN), ("EncodingAESKey", AES), ("AES key hex", &key_hex), ("AES key base64", &key_b64)]
    {
        assert!(!text.contains(secret), "the {name} appears in the log:\n{text}");
    }
    assert!(!text.to_uppercase().contains(&key_hex.to_uppercase()));
}
