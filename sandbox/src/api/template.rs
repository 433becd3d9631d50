//! Template messages: `/cgi-bin/template/{api_set_industry,get_industry,api_add_template,
//! get_all_private_template,del_private_template}` and `/cgi-bin/message/template/send`
//! (template must exist → 40037; recipient must follow → 40003; `data.KEY.value` checked →
//! 47003; the same `touser` + `client_msg_id` within 10 minutes is delivered once and answers
//! the first msgid again). `/wxa/sec/queryblocktmplmsg` lists, 100 at most per page and paged by
//! record id (`largest_id`), the messages of one template that were intercepted (a template is
//! intercepted after [`crate::Sandbox::block_template`]; an unknown template lists nothing).

use std::time::{Duration, Instant};

use serde_json::{json, Value};

use super::{invalid_openid, str_of, Ctx, Route};
use crate::reply::{data, err, ok, ok_with, Outcome};
use crate::state::{now_unix, BlockedTemplateMessage, Template};
use crate::tokens::random_string;
use crate::SentMessage;

pub(crate) fn routes() -> Vec<(&'static str, Route)> {
    vec![
        ("/cgi-bin/template/api_set_industry", set_industry),
        ("/cgi-bin/template/get_industry", get_industry),
        ("/cgi-bin/template/api_add_template", add_template),
        ("/cgi-bin/template/get_all_private_template", list_templates),
        ("/cgi-bin/template/del_private_template", del_template),
        ("/cgi-bin/message/template/send", send),
        ("/wxa/sec/queryblocktmplmsg", query_blocked),
    ]
}

const DEDUP_WINDOW: Duration = Duration::from_secs(600);

fn industry(id: i64) -> Option<(&'static str, &'static str)> {
    const TABLE: [(&str, &str); 17] = [
        ("IT科技", "互联网|电子商务"),
        ("IT科技", "IT软件与服务"),
        ("IT科技", "IT硬件与设备"),
        ("IT科技", "电子技术"),
        ("IT科技", "通信与运营商"),
        ("IT科技", "网络游戏"),
        ("金融业", "银行"),
        ("金融业", "基金理财信托"),
        ("金融业", "保险"),
        ("餐饮", "餐饮"),
        ("酒店旅游", "酒店"),
        ("酒店旅游", "旅游"),
        ("运输与仓储", "快递"),
        ("运输与仓储", "物流"),
        ("运输与仓储", "仓储"),
        ("教育", "培训"),
        ("教育", "院校"),
    ];
    match id {
        1..=17 => TABLE.get((id - 1) as usize).copied(),
        18..=41 => Some(("其它", "其它")),
        _ => None,
    }
}

fn industry_json(id: i64) -> Value {
    let (first, second) = industry(id).unwrap_or(("其它", "其它"));
    json!({"first_class": first, "second_class": second})
}

fn set_industry(ctx: &Ctx<'_>) -> Outcome {
    let a = ctx.i("industry_id1").ok_or_else(|| super::missing("industry_id1"))?;
    let b = ctx.i("industry_id2").ok_or_else(|| super::missing("industry_id2"))?;
    if industry(a).is_none() || industry(b).is_none() {
        return Err(err(40035, "invalid args, industry ids are 1 to 41"));
    }
    ctx.with(|s| s.industry = (a, b));
    ok()
}

fn get_industry(ctx: &Ctx<'_>) -> Outcome {
    let (a, b) = ctx.with(|s| s.industry);
    data(json!({"primary_industry": industry_json(a), "secondary_industry": industry_json(b)}))
}

fn add_template(ctx: &Ctx<'_>) -> Outcome {
    let short = ctx.need("template_id_short")?.to_string();
    // Required: WeChat answers 40246 when the list is missing or empty.
    let keywords: Vec<String> = match ctx.body.get("keyword_name_list") {
        Some(Value::Array(list)) => list.iter().filter_map(Value::as_str).map(str::to_string).collect(),
        _ => Vec::new(),
    };
    if keywords.is_empty() {
        return Err(err(40246, "invalid keyword_name_list"));
    }
    let template_id = random_string(43);
    let content = keywords.iter().map(|k| format!("{k}：{{{{{}.DATA}}}}", k)).collect::<Vec<_>>().join("\n");
    let tpl = Template {
        template_id: template_id.clone(),
        title: format!("模板 {short}"),
        content,
        example: keywords.iter().map(|k| format!("{k}：示例")).collect::<Vec<_>>().join("\n"),
    };
    ctx.with(|s| {
        if s.templates.len() >= 25 {
            return Err(err(45026, "template size out of limit"));
        }
        s.templates.push(tpl);
        ok_with(json!({"template_id": template_id}))
    })
}

fn list_templates(ctx: &Ctx<'_>) -> Outcome {
    ctx.with(|s| {
        let (a, b) = s.industry;
        let (p, _) = industry(a).unwrap_or(("其它", "其它"));
        let (d, _) = industry(b).unwrap_or(("其它", "其它"));
        let list: Vec<Value> = s
            .templates
            .iter()
            .map(|t| {
                json!({"template_id": t.template_id, "title": t.title, "primary_industry": p,
                       "deputy_industry": d, "content": t.content, "example": t.example})
            })
            .collect();
        data(json!({"template_list": list}))
    })
}

fn del_template(ctx: &Ctx<'_>) -> Outcome {
    let id = ctx.need("template_id")?;
    ctx.with(|s| {
        let before = s.templates.len();
        s.templates.retain(|t| t.template_id != id);
        if s.templates.len() == before {
            return Err(err(40037, "invalid template_id"));
        }
        ok()
    })
}

fn send(ctx: &Ctx<'_>) -> Outcome {
    let touser = ctx.s("touser").ok_or_else(|| super::missing("touser"))?;
    let template_id = ctx.s("template_id").ok_or_else(|| super::missing("template_id"))?;
    if let Some(mp) = ctx.body.get("miniprogram").filter(|v| !v.is_null()) {
        if str_of(mp, "appid").is_none() {
            return Err(super::missing("miniprogram.appid"));
        }
    }
    match ctx.body.get("data") {
        None | Some(Value::Null) => {}
        Some(Value::Object(fields)) => {
            for (k, v) in fields {
                if v.get("value").and_then(Value::as_str).is_none_or(str::is_empty) {
                    return Err(err(47003, format!("argument invalid! data.{k}.value is empty")));
                }
            }
        }
        Some(_) => return Err(err(47003, "argument invalid! data must be an object")),
    }
    let client_msg_id = ctx.s("client_msg_id").map(str::to_string);
    ctx.with(|s| {
        if s.user(touser).is_none() {
            return Err(invalid_openid());
        }
        super::user::blacklist::check_not_blacklisted(s, touser)?;
        if !s.templates.iter().any(|t| t.template_id == template_id) {
            return Err(err(40037, "invalid template_id"));
        }
        let now = Instant::now();
        s.template_dedup.retain(|_, (_, at)| now.duration_since(*at) < DEDUP_WINDOW);
        if let Some(cid) = &client_msg_id {
            if let Some((msgid, _)) = s.template_dedup.get(&(touser.to_string(), cid.clone())) {
                return ok_with(json!({"msgid": msgid}));
            }
        }
        let msgid = s.next_msgid();
        if let Some(cid) = client_msg_id {
            s.template_dedup.insert((touser.to_string(), cid), (msgid, now));
        }
        if s.intercepted_templates.contains(template_id) {
            let template = s.templates.iter().find(|t| t.template_id == template_id).cloned().unwrap_or_default();
            let id = s.blocked_template_messages.len() as i64 + 1;
            s.blocked_template_messages.push(BlockedTemplateMessage {
                id,
                template_id: template_id.to_string(),
                title: template.title,
                content: render(&template.content, ctx.body.get("data")),
                send_timestamp: now_unix(),
                openid: touser.to_string(),
            });
            return ok_with(json!({"msgid": msgid}));
        }
        s.sent.push(SentMessage {
            kind: "template".into(),
            touser: Some(touser.into()),
            msgid: Some(msgid),
            body: ctx.body.clone(),
        });
        ok_with(json!({"msgid": msgid}))
    })
}

/// The template text with each `{{key.DATA}}` replaced by the sent value.
fn render(content: &str, data: Option<&Value>) -> String {
    let mut out = content.to_string();
    if let Some(Value::Object(fields)) = data {
        for (k, v) in fields {
            out = out.replace(&format!("{{{{{k}.DATA}}}}"), str_of(v, "value").unwrap_or(""));
        }
    }
    out
}

fn query_blocked(ctx: &Ctx<'_>) -> Outcome {
    let template_id = ctx.need("tmpl_msg_id")?;
    let largest = ctx.i("largest_id").ok_or_else(|| super::missing("largest_id"))?;
    let limit = ctx.i("limit").ok_or_else(|| super::missing("limit"))?;
    ctx.with(|s| {
        let page: Vec<Value> = s
            .blocked_template_messages
            .iter()
            .filter(|m| m.template_id == template_id && m.id > largest)
            .take(usize::try_from(limit).unwrap_or(0))
            .map(|m| {
                json!({"id": m.id, "tmpl_msg_id": m.template_id, "title": m.title, "content": m.content,
                       "send_timestamp": m.send_timestamp, "openid": m.openid})
            })
            .collect();
        data(json!({"msginfo": page}))
    })
}
