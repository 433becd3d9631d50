//! The current auto-reply settings (`/cgi-bin/get_current_autoreply_info`): a fixed, realistic
//! set of rules as the console would have them (a follow reply, a default reply, two keyword
//! rules with text and news replies).

use serde_json::json;

use super::{Ctx, Route};
use crate::reply::{data, Outcome};

pub(crate) fn routes() -> Vec<(&'static str, Route)> {
    vec![("/cgi-bin/get_current_autoreply_info", info)]
}

fn info(_ctx: &Ctx<'_>) -> Outcome {
    data(json!({
        "is_add_friend_reply_open": 1,
        "is_autoreply_open": 1,
        "add_friend_autoreply_info": {"type": "text", "content": "感谢关注沙箱公众号"},
        "message_default_autoreply_info": {"type": "text", "content": "你好，这里是沙箱"},
        "keyword_autoreply_info": {"list": [{
            "rule_name": "帮助", "create_time": 1_700_000_000, "reply_mode": "reply_all",
            "keyword_list_info": [{"type": "text", "match_mode": "contain", "content": "帮助"}],
            "reply_list_info": [{"type": "text", "content": "回复 1 查看菜单"}],
        }, {
            "rule_name": "新品", "create_time": 1_700_000_100, "reply_mode": "random_one",
            "keyword_list_info": [{"type": "text", "match_mode": "equal", "content": "新品"}],
            "reply_list_info": [{"type": "news", "news_info": {"list": [{
                "title": "沙箱新品上市", "author": "沙箱", "digest": "本周新品", "show_cover": 1,
                "cover_url": "http://mmbiz.qpic.cn/sandbox/cover.jpg",
                "content_url": "http://mp.weixin.qq.com/s?__biz=sandbox", "source_url": "",
            }]}}],
        }]},
    }))
}
