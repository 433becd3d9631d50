//! Subscription notices (订阅通知): the public template library of the account's categories
//! (`/wxaapi/newtmpl/{getcategory,getpubtemplatetitles,getpubtemplatekeywords}`, fixed seed
//! data), the private library (`addtemplate`, `deltemplate`, `gettemplate`; at most 50
//! templates), `/cgi-bin/message/subscribe/bizsend`, and the one-time subscription message:
//! the authorisation page `GET /mp/subscribemsg` (auto-confirms as the first follower, grants one
//! message for that template and scene, and redirects like WeChat) and
//! `/cgi-bin/message/template/subscribe` (uses the grant; 43101 without one).
//!
//! bizsend: every follower counts as subscribed; a one-time template (type 2) allows one notice
//! per follower, the next one answers 43101. `data` must carry every keyword of the template,
//! each fitting its rule (47003 naming the key). Codes 200012/200020/200021 for addtemplate are
//! the mini-program ones (the service pages were not seen that far).

use std::collections::HashSet;

use serde_json::{json, Value};

use super::{invalid_openid, str_of, Ctx, Route};
use crate::reply::{err, ok, ok_with, Outcome, Reply, WxError};
use crate::tokens::random_string;
use crate::SentMessage;

pub(crate) fn routes() -> Vec<(&'static str, Route)> {
    vec![
        ("/wxaapi/newtmpl/getcategory", categories),
        ("/wxaapi/newtmpl/getpubtemplatetitles", pub_titles),
        ("/wxaapi/newtmpl/getpubtemplatekeywords", pub_keywords),
        ("/wxaapi/newtmpl/addtemplate", add_template),
        ("/wxaapi/newtmpl/deltemplate", del_template),
        ("/wxaapi/newtmpl/gettemplate", list_templates),
        ("/cgi-bin/message/subscribe/bizsend", send),
        ("/mp/subscribemsg", authorize_once),
        ("/cgi-bin/message/template/subscribe", send_once),
    ]
}

/// At most this many private templates.
const MAX_TEMPLATES: usize = 50;

/// The account's categories: (id, name).
const CATEGORIES: [(i64, &str); 2] = [(616, "公交"), (6, "教育服务")];

/// A public template title: tid, title, type (2 one-time, 3 long-term), category, keywords
/// (kid, name, rule, example).
struct PubTitle {
    tid: i64,
    title: &'static str,
    kind: i64,
    category: i64,
    keywords: &'static [(i64, &'static str, &'static str, &'static str)],
}

const LIBRARY: [PubTitle; 4] = [
    PubTitle {
        tid: 99,
        title: "付款成功通知",
        kind: 2,
        category: 616,
        keywords: &[
            (1, "物品名称", "thing", "名称"),
            (2, "付款金额", "amount", "¥100.00"),
            (3, "付款时间", "time", "2019-12-25 09:42"),
            (4, "订单号", "character_string", "T20191225001"),
        ],
    },
    PubTitle {
        tid: 100,
        title: "到站提醒",
        kind: 3,
        category: 616,
        keywords: &[(1, "线路", "thing", "1路"), (2, "到站时间", "time", "08:30"), (3, "剩余站数", "number", "3")],
    },
    PubTitle {
        tid: 101,
        title: "报名结果通知",
        kind: 2,
        category: 6,
        keywords: &[
            (1, "会议地点", "thing", "TIT会议室"),
            (2, "会议时间", "date", "2016年8月8日"),
            (3, "报名状态", "phrase", "已通过"),
        ],
    },
    PubTitle {
        tid: 102,
        title: "上课提醒",
        kind: 3,
        category: 6,
        keywords: &[(1, "课程名称", "thing", "数学"), (2, "上课时间", "time", "19:00"), (3, "教室", "letter", "A")],
    },
];

/// One keyword of a private template.
#[derive(Clone, Debug)]
struct Keyword {
    /// The data key, rule + kid (`thing1`).
    key: String,
    name: String,
    rule: String,
    example: String,
}

/// A template of the account's private library.
#[derive(Clone, Debug)]
struct PrivTemplate {
    id: String,
    title: String,
    kind: i64,
    keywords: Vec<Keyword>,
}

/// The private library, the one-time notices used, and the one-time-message grants.
#[derive(Default)]
pub(crate) struct SubscribeStore {
    templates: Vec<PrivTemplate>,
    /// (openid, template id) of one-time notices already sent.
    used: HashSet<(String, String)>,
    /// (openid, template id, scene) the user allowed on the authorisation page.
    grants: HashSet<(String, String, String)>,
}

fn categories(_: &Ctx<'_>) -> Outcome {
    let list: Vec<Value> = CATEGORIES.iter().map(|(id, name)| json!({"id": id, "name": name})).collect();
    ok_with(json!({"data": list}))
}

/// A non-negative integer query parameter.
fn uint(ctx: &Ctx<'_>, key: &str) -> Option<i64> {
    ctx.q(key).and_then(|v| v.trim().parse::<i64>().ok()).filter(|v| *v >= 0)
}

fn pub_titles(ctx: &Ctx<'_>) -> Outcome {
    let ids = ctx.q("ids").ok_or_else(|| err(200018, "missing parameter ids"))?;
    let ids: Vec<i64> = ids
        .split(',')
        .map(|p| p.trim().parse::<i64>())
        .collect::<Result<_, _>>()
        .map_err(|_| err(200019, "invalid parameter ids, comma-separated category ids expected"))?;
    let start = uint(ctx, "start").ok_or_else(|| err(200016, "invalid parameter start"))?;
    let limit = uint(ctx, "limit")
        .filter(|l| (1..=30).contains(l))
        .ok_or_else(|| err(200017, "invalid parameter limit, 1 to 30"))?;
    let matching: Vec<&PubTitle> = LIBRARY.iter().filter(|t| ids.contains(&t.category)).collect();
    let page: Vec<Value> = matching
        .iter()
        .skip(start as usize)
        .take(limit as usize)
        .map(|t| json!({"tid": t.tid, "title": t.title, "type": t.kind, "categoryId": t.category.to_string()}))
        .collect();
    ok_with(json!({"count": matching.len(), "data": page}))
}

fn title(tid: &str) -> Option<&'static PubTitle> {
    let tid: i64 = tid.trim().parse().ok()?;
    LIBRARY.iter().find(|t| t.tid == tid)
}

fn pub_keywords(ctx: &Ctx<'_>) -> Outcome {
    let tid = ctx.q("tid").ok_or_else(|| super::missing("tid"))?;
    let t = title(tid).ok_or_else(|| err(200014, "tid does not exist"))?;
    let list: Vec<Value> = t
        .keywords
        .iter()
        .map(|(kid, name, rule, example)| json!({"kid": kid, "name": name, "example": example, "rule": rule}))
        .collect();
    ok_with(json!({"count": list.len(), "data": list}))
}

fn add_template(ctx: &Ctx<'_>) -> Outcome {
    let tid = match ctx.body.get("tid") {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => return Err(err(200014, "missing parameter tid")),
    };
    let t = title(&tid).ok_or_else(|| err(200014, "tid does not exist"))?;
    let kids: Vec<i64> = match ctx.body.get("kidList") {
        Some(Value::Array(a)) => {
            a.iter().map(|v| v.as_i64().ok_or_else(|| err(200020, "invalid kidList"))).collect::<Result<_, _>>()?
        }
        _ => return Err(err(200020, "invalid kidList")),
    };
    if !(2..=5).contains(&kids.len()) || kids.iter().collect::<HashSet<_>>().len() != kids.len() {
        return Err(err(200020, "invalid kidList, 2 to 5 distinct keyword ids"));
    }
    let keywords = kids
        .iter()
        .map(|kid| {
            t.keywords.iter().find(|k| k.0 == *kid).map(|(kid, name, rule, example)| Keyword {
                key: format!("{rule}{kid}"),
                name: (*name).into(),
                rule: (*rule).into(),
                example: (*example).into(),
            })
        })
        .collect::<Option<Vec<_>>>()
        .ok_or_else(|| err(200020, "invalid kidList, unknown keyword id"))?;
    let scene = ctx.s("sceneDesc").ok_or_else(|| err(200021, "invalid sceneDesc"))?;
    if scene.chars().count() > 15 {
        return Err(err(200021, "invalid sceneDesc, at most 15 characters"));
    }
    let id = random_string(43);
    ctx.with(|s| {
        if s.subscribe.templates.len() >= MAX_TEMPLATES {
            return Err(err(200012, "template num exceeds limit"));
        }
        s.subscribe.templates.push(PrivTemplate { id: id.clone(), title: t.title.into(), kind: t.kind, keywords });
        ok_with(json!({"priTmplId": id}))
    })
}

fn del_template(ctx: &Ctx<'_>) -> Outcome {
    let id = ctx.need("priTmplId")?;
    ctx.with(|s| {
        let before = s.subscribe.templates.len();
        s.subscribe.templates.retain(|t| t.id != id);
        if s.subscribe.templates.len() == before {
            return Err(err(20002, "invalid priTmplId"));
        }
        ok()
    })
}

fn list_templates(ctx: &Ctx<'_>) -> Outcome {
    ctx.with(|s| {
        let list: Vec<Value> = s
            .subscribe
            .templates
            .iter()
            .map(|t| {
                let content: String =
                    t.keywords.iter().map(|k| format!("{}:{{{{{}.DATA}}}}\n", k.name, k.key)).collect();
                let example: String = t.keywords.iter().map(|k| format!("{}:{}\n", k.name, k.example)).collect();
                json!({"priTmplId": t.id, "title": t.title, "content": content, "example": example, "type": t.kind})
            })
            .collect();
        ok_with(json!({"data": list}))
    })
}

/// Whether `value` fits the keyword rule (the documented lengths and character classes).
fn fits(rule: &str, value: &str) -> bool {
    let n = value.chars().count();
    let chinese = |c: char| ('\u{4e00}'..='\u{9fff}').contains(&c);
    match rule {
        "thing" => (1..=20).contains(&n),
        "number" => {
            (1..=32).contains(&n)
                && value.chars().filter(|c| *c == '.').count() <= 1
                && value.chars().all(|c| c.is_ascii_digit() || c == '.')
        }
        "letter" => (1..=32).contains(&n) && value.chars().all(|c| c.is_ascii_alphabetic()),
        "symbol" => (1..=5).contains(&n) && value.chars().all(|c| c.is_ascii_punctuation()),
        "character_string" => (1..=32).contains(&n) && value.chars().all(|c| c.is_ascii_graphic()),
        "phrase" => (1..=5).contains(&n) && value.chars().all(chinese),
        "amount" => (1..=14).contains(&n) && value.chars().any(|c| c.is_ascii_digit()),
        "phone_number" => (1..=17).contains(&n),
        "car_number" => (1..=8).contains(&n),
        "name" => n >= 1 && (n <= 10 || (!value.chars().any(chinese) && n <= 20)),
        _ => (1..=32).contains(&n),
    }
}

fn check_data(template: &PrivTemplate, data: Option<&Value>) -> Result<(), WxError> {
    let data = match data {
        Some(Value::Object(m)) => m,
        _ => return Err(super::missing("data")),
    };
    for k in &template.keywords {
        let value = data.get(&k.key).and_then(|v| v.get("value")).and_then(Value::as_str).unwrap_or("");
        if !fits(&k.rule, value) {
            return Err(err(47003, format!("argument invalid! data.{}.value does not fit rule {}", k.key, k.rule)));
        }
    }
    Ok(())
}

fn check_miniprogram(body: &Value) -> Result<(), WxError> {
    if let Some(mp) = body.get("miniprogram").filter(|v| !v.is_null()) {
        if str_of(mp, "appid").is_none() {
            return Err(super::missing("miniprogram.appid"));
        }
    }
    Ok(())
}

fn send(ctx: &Ctx<'_>) -> Outcome {
    let touser = ctx.need("touser")?;
    let template_id = ctx.need("template_id")?;
    check_miniprogram(&ctx.body)?;
    ctx.with(|s| {
        if s.user(touser).is_none() {
            return Err(invalid_openid());
        }
        let t = s
            .subscribe
            .templates
            .iter()
            .find(|t| t.id == template_id)
            .ok_or_else(|| err(40037, "invalid template_id"))?;
        check_data(t, ctx.body.get("data"))?;
        let key = (touser.to_string(), template_id.to_string());
        if t.kind == 2 && s.subscribe.used.contains(&key) {
            return Err(err(43101, "user refuse to accept the msg"));
        }
        if t.kind == 2 {
            s.subscribe.used.insert(key);
        }
        s.sent.push(SentMessage {
            kind: "subscribe".into(),
            touser: Some(touser.into()),
            msgid: None,
            body: ctx.body.clone(),
        });
        ok()
    })
}

fn authorize_once(ctx: &Ctx<'_>) -> Outcome {
    if ctx.q("action") != Some("get_confirm") {
        return Err(err(40035, "invalid args, action must be get_confirm"));
    }
    let appid = ctx.q("appid").ok_or_else(|| err(40013, "invalid appid"))?;
    if appid != ctx.shared.config.appid {
        return Err(err(40013, "invalid appid"));
    }
    let scene = ctx
        .q("scene")
        .and_then(|v| v.parse::<i64>().ok())
        .filter(|v| (0..=10_000).contains(v))
        .ok_or_else(|| err(40035, "invalid args, scene is an integer from 0 to 10000"))?;
    let template_id = ctx.q("template_id").ok_or_else(|| err(40037, "invalid template_id"))?;
    let redirect = ctx.q("redirect_url").ok_or_else(|| err(40035, "invalid args, redirect_url missing"))?;
    if !(redirect.starts_with("http://") || redirect.starts_with("https://")) {
        return Err(err(40035, "invalid args, redirect_url must be an http(s) URL"));
    }
    let reserved = ctx.q("reserved").unwrap_or("");
    if reserved.len() > 128 {
        return Err(err(40035, "invalid args, reserved is at most 128 bytes"));
    }
    let openid = ctx.with(|s| {
        let openid = s.users.first().map(|u| u.openid.clone()).ok_or_else(|| err(43004, "require subscribe"))?;
        s.subscribe.grants.insert((openid.clone(), template_id.to_string(), scene.to_string()));
        Ok::<_, WxError>(openid)
    })?;
    let enc = super::oauth::percent_encode;
    let sep = if redirect.contains('?') { '&' } else { '?' };
    Ok(Reply::Redirect(format!(
        "{redirect}{sep}openid={}&template_id={}&action=confirm&scene={scene}&reserved={}",
        enc(&openid),
        enc(template_id),
        enc(reserved)
    )))
}

fn send_once(ctx: &Ctx<'_>) -> Outcome {
    let touser = ctx.need("touser")?;
    let template_id = ctx.need("template_id")?;
    let scene = match ctx.body.get("scene") {
        Some(Value::String(s)) if !s.is_empty() => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => return Err(super::missing("scene")),
    };
    let title = ctx.need("title")?;
    if title.chars().count() > 15 {
        return Err(err(47003, "argument invalid! title is at most 15 characters"));
    }
    let text = ctx.body.get("data").and_then(|d| d.get("content")).and_then(|c| c.get("value")).and_then(Value::as_str);
    if text.is_some_and(|t| t.chars().count() > 200) {
        return Err(err(47003, "argument invalid! data.content.value is at most 200 characters"));
    }
    check_miniprogram(&ctx.body)?;
    ctx.with(|s| {
        if s.user(touser).is_none() {
            return Err(invalid_openid());
        }
        if !s.subscribe.grants.remove(&(touser.to_string(), template_id.to_string(), scene)) {
            return Err(err(43101, "user refuse to accept the msg"));
        }
        s.sent.push(SentMessage {
            kind: "subscribe_once".into(),
            touser: Some(touser.into()),
            msgid: None,
            body: ctx.body.clone(),
        });
        ok()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keyword_rules_follow_the_documented_limits() {
        assert!(fits("thing", "二十个字以内的事物"));
        assert!(!fits("thing", &"字".repeat(21)));
        assert!(fits("number", "3.14"));
        assert!(!fits("number", "3.1.4"));
        assert!(!fits("phrase", "通过ok"));
        assert!(fits("phrase", "已通过"));
        assert!(!fits("letter", "A1"));
        assert!(!fits("thing", ""));
    }

    #[test]
    fn every_library_title_belongs_to_a_category() {
        assert!(LIBRARY.iter().all(|t| CATEGORIES.iter().any(|(id, _)| *id == t.category)));
        assert!(LIBRARY.iter().all(|t| t.kind == 2 || t.kind == 3));
    }
}
