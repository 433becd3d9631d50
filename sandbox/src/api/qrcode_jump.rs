//! QR-jump rules (扫服务号二维码打开小程序): `/cgi-bin/wxopen/qrcodejump{add,get,publish,delete}`.
//! Prefixes must be the account's QR-code URLs (`http://weixin.qq.com/q/…`, else 85066); a
//! prefix has one rule (85071); published rules cannot be edited (40097); at most 10 000 rules
//! (85073) and 100 publishes a month (886000); `appid` must look like a mini program's
//! (`wx…`, else 40097).

use serde_json::{json, Value};

use super::{Ctx, Route};
use crate::reply::{data, err, ok, Outcome, WxError};
use crate::state::QrJumpRule;

pub(crate) fn routes() -> Vec<(&'static str, Route)> {
    vec![
        ("/cgi-bin/wxopen/qrcodejumpadd", add),
        ("/cgi-bin/wxopen/qrcodejumpget", get),
        ("/cgi-bin/wxopen/qrcodejumppublish", publish),
        ("/cgi-bin/wxopen/qrcodejumpdelete", delete),
    ]
}

const MAX_RULES: usize = 10_000;
const MONTHLY_PUBLISHES: i64 = 100;

fn appid<'c>(ctx: &'c Ctx<'_>) -> Result<&'c str, WxError> {
    let appid = ctx.need("appid")?;
    if !appid.starts_with("wx") || appid.len() < 8 {
        return Err(err(40097, "invalid args, appid is not a mini program appid"));
    }
    Ok(appid)
}

fn add(ctx: &Ctx<'_>) -> Outcome {
    let prefix = ctx.need("prefix")?.to_string();
    if !prefix.starts_with("http://weixin.qq.com/q/") || prefix.len() <= "http://weixin.qq.com/q/".len() {
        return Err(err(85066, "illegal link, the prefix must be a http://weixin.qq.com/q/ url"));
    }
    let appid = appid(ctx)?.to_string();
    let path = ctx.need("path")?.to_string();
    let edit = match ctx.i("is_edit") {
        Some(0) => false,
        Some(1) => true,
        _ => return Err(super::missing("is_edit")),
    };
    ctx.with(|s| {
        let full = s.qrcode_jump.len() >= MAX_RULES;
        let existing = s.qrcode_jump.iter().position(|r| r.prefix == prefix);
        match (edit, existing.map(|i| &mut s.qrcode_jump[i])) {
            (false, Some(_)) => Err(err(85071, "url has been added")),
            (false, None) if full => Err(err(85073, "qrcode rule is full")),
            (false, None) => {
                s.qrcode_jump.push(QrJumpRule { prefix, appid, path, state: 1 });
                ok()
            }
            (true, None) => Err(err(40097, "invalid args, no rule with this prefix to edit")),
            (true, Some(r)) if r.state == 2 => Err(err(40097, "invalid args, a published rule cannot be edited")),
            (true, Some(r)) => {
                r.appid = appid;
                r.path = path;
                ok()
            }
        }
    })
}

fn info(r: &QrJumpRule) -> Value {
    json!({"prefix": r.prefix, "path": r.path, "state": r.state})
}

fn get(ctx: &Ctx<'_>) -> Outcome {
    let appid = appid(ctx)?.to_string();
    let get_type = ctx.i("get_type").unwrap_or(0);
    ctx.with(|s| {
        let mine: Vec<&QrJumpRule> = s.qrcode_jump.iter().filter(|r| r.appid == appid).collect();
        let list: Vec<Value> = match get_type {
            0 => mine.iter().rev().take(MAX_RULES).rev().map(|r| info(r)).collect(),
            1 => {
                let wanted = ctx
                    .body
                    .get("prefix_list")
                    .and_then(Value::as_array)
                    .filter(|l| !l.is_empty() && l.len() <= 200)
                    .ok_or_else(|| err(40097, "invalid args, prefix_list needs 1 to 200 prefixes"))?;
                let wanted: Vec<&str> = wanted.iter().filter_map(Value::as_str).collect();
                mine.iter().filter(|r| wanted.contains(&r.prefix.as_str())).map(|r| info(r)).collect()
            }
            2 => {
                let num = ctx.i("page_num").filter(|n| *n >= 1);
                let size = ctx.i("page_size").filter(|n| (1..=200).contains(n));
                let (Some(num), Some(size)) = (num, size) else {
                    return Err(err(40097, "invalid args, page_num from 1 and page_size 1 to 200"));
                };
                let skip = usize::try_from((num - 1) * size).unwrap_or(usize::MAX);
                mine.iter().skip(skip).take(size as usize).map(|r| info(r)).collect()
            }
            _ => return Err(err(40097, "invalid args, get_type is 0, 1 or 2")),
        };
        data(json!({
            "errcode": 0, "errmsg": "ok",
            "rule_list": list, "list_size": list.len(), "total_count": mine.len(),
            "qrcodejump_open": 1, "qrcodejump_pub_quota": MONTHLY_PUBLISHES - s.qrcode_jump_publishes,
        }))
    })
}

fn publish(ctx: &Ctx<'_>) -> Outcome {
    let prefix = ctx.need("prefix")?;
    ctx.with(|s| {
        if s.qrcode_jump_publishes >= MONTHLY_PUBLISHES {
            return Err(err(886000, "publish count of this month reaches the limit (100)"));
        }
        let rule = s
            .qrcode_jump
            .iter_mut()
            .find(|r| r.prefix == prefix)
            .ok_or_else(|| err(85095, "data error, delete the rule and add it again"))?;
        rule.state = 2;
        s.qrcode_jump_publishes += 1;
        ok()
    })
}

fn delete(ctx: &Ctx<'_>) -> Outcome {
    let prefix = ctx.need("prefix")?.to_string();
    let appid = appid(ctx)?.to_string();
    ctx.with(|s| {
        let before = s.qrcode_jump.len();
        s.qrcode_jump.retain(|r| !(r.prefix == prefix && r.appid == appid));
        if s.qrcode_jump.len() == before {
            return Err(err(40097, "invalid args, no such rule"));
        }
        ok()
    })
}
