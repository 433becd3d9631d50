//! Custom menus: `/cgi-bin/menu/{create,get,delete,addconditional,delconditional,trymatch}`
//! and `/cgi-bin/get_current_selfmenu_info`. Buttons are validated like WeChat: 1–3 top-level
//! buttons (40016), 1–5 sub-buttons (40023), known types (40017/40024), name/key/url sizes
//! (40018–40020, 40025–40027), http(s) URLs (40055/40054). Conditional menus need a default
//! menu (65303) and a non-empty match rule (65304) of `tag_id` / `client_platform_type`;
//! the withdrawn privacy rules (sex, country, province, city, language) answer 65320.

use serde_json::{json, Value};

use super::{invalid_openid, str_of, Ctx, Route};
use crate::reply::{data, err, ok, Outcome, WxError};
use crate::state::State;

pub(crate) fn routes() -> Vec<(&'static str, Route)> {
    vec![
        ("/cgi-bin/menu/create", create),
        ("/cgi-bin/menu/get", get_menu),
        ("/cgi-bin/menu/delete", delete),
        ("/cgi-bin/get_current_selfmenu_info", selfmenu),
        ("/cgi-bin/menu/addconditional", add_conditional),
        ("/cgi-bin/menu/delconditional", del_conditional),
        ("/cgi-bin/menu/trymatch", try_match),
    ]
}

const TYPES: [&str; 13] = [
    "click",
    "view",
    "scancode_push",
    "scancode_waitmsg",
    "pic_sysphoto",
    "pic_photo_or_album",
    "pic_weixin",
    "location_select",
    "media_id",
    "view_limited",
    "article_id",
    "article_view_limited",
    "miniprogram",
];

/// The errcodes for one nesting level: (type, name size, key size, url size, url domain).
struct Codes {
    kind: i64,
    name: i64,
    name_max: usize,
    key: i64,
    url: i64,
    domain: i64,
}

const TOP: Codes = Codes { kind: 40017, name: 40018, name_max: 16, key: 40019, url: 40020, domain: 40055 };
const SUB: Codes = Codes { kind: 40024, name: 40025, name_max: 60, key: 40026, url: 40027, domain: 40054 };

fn check_url(b: &Value, c: &Codes) -> Result<(), WxError> {
    let url = str_of(b, "url").ok_or_else(|| err(c.url, "invalid button url size"))?;
    if url.len() > 1024 {
        return Err(err(c.url, "invalid button url size"));
    }
    if !(url.starts_with("http://") || url.starts_with("https://")) {
        return Err(err(c.domain, "invalid button url domain"));
    }
    Ok(())
}

fn check_button(b: &Value, sub: bool) -> Result<(), WxError> {
    let c = if sub { &SUB } else { &TOP };
    let name = str_of(b, "name").ok_or_else(|| err(c.name, "invalid button name size"))?;
    if name.len() > c.name_max {
        return Err(err(c.name, "invalid button name size"));
    }
    if !sub {
        if let Some(subs) = b.get("sub_button").and_then(Value::as_array).filter(|s| !s.is_empty()) {
            if subs.len() > 5 {
                return Err(err(40023, "invalid sub button size"));
            }
            return subs.iter().try_for_each(|s| check_button(s, true));
        }
    }
    let kind = str_of(b, "type").ok_or_else(|| err(c.kind, "invalid button type"))?;
    if !TYPES.contains(&kind) {
        return Err(err(c.kind, "invalid button type"));
    }
    match kind {
        "view" => check_url(b, c)?,
        "media_id" | "view_limited" => {
            str_of(b, "media_id").ok_or_else(|| err(40007, "invalid media_id"))?;
        }
        "article_id" | "article_view_limited" => {
            str_of(b, "article_id").ok_or_else(|| super::missing("article_id"))?;
        }
        "miniprogram" => {
            str_of(b, "appid").ok_or_else(|| super::missing("appid"))?;
            str_of(b, "pagepath").ok_or_else(|| super::missing("pagepath"))?;
            check_url(b, c)?;
        }
        _ => {
            let key = str_of(b, "key").ok_or_else(|| err(c.key, "invalid button key size"))?;
            if key.len() > 128 {
                return Err(err(c.key, "invalid button key size"));
            }
        }
    }
    Ok(())
}

fn buttons(ctx: &Ctx<'_>) -> Result<Value, WxError> {
    // 1–3 top-level buttons: the spec's limit.
    let list = ctx.body["button"].as_array().map(Vec::as_slice).unwrap_or_default();
    list.iter().try_for_each(|b| check_button(b, false))?;
    Ok(Value::Array(list.to_vec()))
}

fn create(ctx: &Ctx<'_>) -> Outcome {
    let button = buttons(ctx)?;
    ctx.with(|s| {
        let id = s.menus.next_id;
        s.menus.next_id += 1;
        s.menus.default = Some((id, button));
        ok()
    })
}

fn get_menu(ctx: &Ctx<'_>) -> Outcome {
    ctx.with(|s| {
        let (id, button) = s.menus.default.clone().ok_or_else(|| err(46003, "menu no exist"))?;
        let mut v = json!({"menu": {"button": button, "menuid": id}});
        if !s.menus.conditional.is_empty() {
            let list: Vec<Value> = s
                .menus
                .conditional
                .iter()
                .map(|(id, m)| json!({"button": m["button"], "matchrule": m["matchrule"], "menuid": id}))
                .collect();
            v["conditionalmenu"] = Value::Array(list);
        }
        data(v)
    })
}

fn delete(ctx: &Ctx<'_>) -> Outcome {
    ctx.with(|s| {
        s.menus.default = None;
        s.menus.conditional.clear();
    });
    ok()
}

/// The self-menu shape: `sub_button` becomes `{"list": [...]}`.
fn self_shape(button: &Value) -> Value {
    let list = button.as_array().cloned().unwrap_or_default();
    let out: Vec<Value> = list
        .into_iter()
        .map(|mut b| {
            if let Some(subs) = b.get("sub_button").and_then(Value::as_array).cloned() {
                b["sub_button"] = json!({"list": subs});
            }
            b
        })
        .collect();
    Value::Array(out)
}

fn selfmenu(ctx: &Ctx<'_>) -> Outcome {
    ctx.with(|s| match &s.menus.default {
        Some((_, button)) => data(json!({"is_menu_open": 1, "selfmenu_info": {"button": self_shape(button)}})),
        None => data(json!({"is_menu_open": 0, "selfmenu_info": {"button": []}})),
    })
}

fn check_rule(s: &State, rule: &Value) -> Result<(), WxError> {
    let present = |k: &str| rule.get(k).is_some_and(|v| !v.is_null() && v.as_str() != Some(""));
    // Gender, region and language rules were withdrawn for privacy: WeChat rejects them.
    if ["sex", "country", "province", "city", "language"].iter().any(|k| present(k)) {
        return Err(err(65320, "matchrule contains personal information fields, which are no longer supported"));
    }
    if !present("tag_id") && !present("client_platform_type") {
        return Err(err(65304, "match rule empty"));
    }
    if present("tag_id") {
        let tag = super::int_of(rule, "tag_id").ok_or_else(|| super::missing("matchrule.tag_id"))?;
        if !s.tags.contains_key(&tag) {
            return Err(err(45159, "invalid tag id"));
        }
    }
    if present("client_platform_type") && !(1..=3).contains(&super::int_of(rule, "client_platform_type").unwrap_or(0)) {
        return Err(err(40035, "invalid args, client_platform_type is 1, 2 or 3"));
    }
    Ok(())
}

fn add_conditional(ctx: &Ctx<'_>) -> Outcome {
    let button = buttons(ctx)?;
    let rule = ctx.body.get("matchrule").filter(|r| r.is_object()).ok_or_else(|| err(65304, "match rule empty"))?;
    ctx.with(|s| {
        if s.menus.default.is_none() {
            return Err(err(65303, "there is no selfmenu, please create selfmenu first"));
        }
        check_rule(s, rule)?;
        let id = s.menus.next_id;
        s.menus.next_id += 1;
        s.menus.conditional.insert(id, json!({"button": button, "matchrule": rule}));
        // WeChat answers the new id as a string here (and as a number in menu/get).
        data(json!({"menuid": id.to_string()}))
    })
}

fn del_conditional(ctx: &Ctx<'_>) -> Outcome {
    let id = ctx.i("menuid").ok_or_else(|| super::missing("menuid"))?;
    ctx.with(|s| s.menus.conditional.remove(&id)).ok_or_else(|| err(65301, "menuid not exist"))?;
    ok()
}

fn try_match(ctx: &Ctx<'_>) -> Outcome {
    let user_id = ctx.need("user_id")?;
    ctx.with(|s| {
        let user = s.user(user_id).cloned().ok_or_else(invalid_openid)?;
        let (_, default) = s.menus.default.clone().ok_or_else(|| err(46003, "menu no exist"))?;
        let hit = s.menus.conditional.values().rev().find(|m| {
            let rule = &m["matchrule"];
            match super::int_of(rule, "tag_id") {
                Some(tag) => user.tagids.contains(&tag),
                None => true,
            }
        });
        let button = hit.map(|m| m["button"].clone()).unwrap_or(default);
        data(json!({"button": button}))
    })
}
