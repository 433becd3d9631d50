//! Small account utilities: short-key hosting (`/cgi-bin/shorten/{gen,fetch}`), the quota
//! report (`/cgi-bin/openapi/quota/get`, counting this sandbox's real calls) and the current
//! auto-reply settings (`/cgi-bin/get_current_autoreply_info`).

use serde_json::json;

use super::{Ctx, Route};
use crate::reply::{data, err, ok_with, Outcome};
use crate::state::{now_unix, Shorten};
use crate::tokens::random_string;

pub(crate) fn routes() -> Vec<(&'static str, Route)> {
    vec![
        ("/cgi-bin/shorten/gen", gen),
        ("/cgi-bin/shorten/fetch", fetch),
        ("/cgi-bin/openapi/quota/get", quota),
        ("/cgi-bin/get_current_autoreply_info", autoreply),
    ]
}

const MAX_EXPIRE: i64 = 2_592_000;

fn gen(ctx: &Ctx<'_>) -> Outcome {
    let long = ctx.need("long_data")?;
    if long.len() > 4096 {
        return Err(err(40035, "invalid args, long_data is at most 4 KB"));
    }
    let expire = ctx.i("expire_seconds").unwrap_or(MAX_EXPIRE);
    if !(1..=MAX_EXPIRE).contains(&expire) {
        return Err(err(40035, "invalid args, expire_seconds is 1 to 2592000"));
    }
    let key = random_string(16);
    let rec = Shorten { long_data: long.to_string(), create_time: now_unix(), expire_seconds: expire };
    ctx.with(|s| s.shorten.insert(key.clone(), rec));
    ok_with(json!({"short_key": key}))
}

fn fetch(ctx: &Ctx<'_>) -> Outcome {
    let key = ctx.need("short_key")?;
    let rec = ctx.with(|s| s.shorten.get(key).cloned()).ok_or_else(|| err(40035, "invalid args, unknown short_key"))?;
    let left = rec.create_time + rec.expire_seconds - now_unix();
    if left <= 0 {
        return Err(err(40035, "invalid args, short_key expired"));
    }
    ok_with(json!({"long_data": rec.long_data, "create_time": rec.create_time, "expire_seconds": left}))
}

fn quota(ctx: &Ctx<'_>) -> Outcome {
    let path = ctx.need("cgi_path")?;
    if !path.starts_with('/') {
        return Err(err(76003, "could not query this cgi_path, it must start with /"));
    }
    if path.starts_with("/sns/") {
        return Err(err(76022, "could not query this cgi_path, sns api is not supported"));
    }
    let used = ctx.with(|s| s.stats.calls_by_path.get(path).copied().unwrap_or(0));
    let limit: u64 = if path == "/cgi-bin/token" { 2000 } else { 100_000 };
    ok_with(json!({
        "quota": {"daily_limit": limit, "used": used, "remain": limit.saturating_sub(used)},
        "rate_limit": {"call_count": 10_000, "refresh_second": 60},
        "component_rate_limit": {"call_count": 10_000, "refresh_second": 60},
    }))
}

fn autoreply(_ctx: &Ctx<'_>) -> Outcome {
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
