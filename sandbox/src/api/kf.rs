//! Customer-service accounts: `/customservice/kfaccount/{add,update,del}`,
//! `/cgi-bin/customservice/getkflist` and `/cgi-bin/customservice/getonlinekflist`.
//! Accounts look like `prefix@wxid` (prefix ≤ 10 alphanumerics: 61454 too long, 61455 bad
//! characters); 61453 exists, 61452 unknown, 61456 more than 100.

use serde_json::{json, Value};

use super::{get, post, Ctx, Route};
use crate::reply::{data, err, ok, Outcome, WxError};
use crate::state::KfAccount;

pub(crate) fn routes() -> Vec<(&'static str, Route)> {
    vec![
        ("/customservice/kfaccount/add", post(add)),
        ("/customservice/kfaccount/update", post(update)),
        ("/customservice/kfaccount/del", post(delete)),
        ("/cgi-bin/customservice/getkflist", get(list)),
        ("/cgi-bin/customservice/getonlinekflist", get(online)),
    ]
}

fn check_account(account: &str) -> Result<(), WxError> {
    let (prefix, wxid) = account.split_once('@').ok_or_else(|| err(61452, "invalid kf_account"))?;
    if prefix.is_empty() || wxid.is_empty() {
        return Err(err(61452, "invalid kf_account"));
    }
    if prefix.len() > 10 {
        return Err(err(61454, "invalid kf_acount length"));
    }
    if !prefix.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(err(61455, "illegal character in kf_account"));
    }
    Ok(())
}

fn nickname<'c>(ctx: &'c Ctx<'_>) -> Result<&'c str, WxError> {
    let n = ctx.need("nickname")?;
    if n.chars().count() > 16 {
        return Err(err(61451, "invalid parameter, nickname is at most 16 characters"));
    }
    Ok(n)
}

fn add(ctx: &Ctx<'_>) -> Outcome {
    let account = ctx.need("kf_account")?;
    check_account(account)?;
    let nick = nickname(ctx)?;
    ctx.with(|s| {
        if s.kf.iter().any(|k| k.account == account) {
            return Err(err(61453, "kf_account exsited"));
        }
        if s.kf.len() >= 100 {
            return Err(err(61456, "kf_account count exceeded"));
        }
        let id = 1001 + s.kf.len() as i64;
        s.kf.push(KfAccount { account: account.into(), nickname: nick.into(), id });
        ok()
    })
}

fn update(ctx: &Ctx<'_>) -> Outcome {
    let account = ctx.need("kf_account")?;
    let nick = nickname(ctx)?;
    ctx.with(|s| {
        let k = s.kf.iter_mut().find(|k| k.account == account).ok_or_else(|| err(61452, "invalid kf_account"))?;
        k.nickname = nick.into();
        ok()
    })
}

fn delete(ctx: &Ctx<'_>) -> Outcome {
    let account = ctx.need("kf_account")?;
    ctx.with(|s| {
        let before = s.kf.len();
        s.kf.retain(|k| k.account != account);
        if s.kf.len() == before {
            return Err(err(61452, "invalid kf_account"));
        }
        ok()
    })
}

fn list(ctx: &Ctx<'_>) -> Outcome {
    ctx.with(|s| {
        let list: Vec<Value> =
            s.kf.iter()
                .map(|k| {
                    json!({"kf_account": k.account, "kf_nick": k.nickname, "kf_id": k.id,
                       "kf_headimgurl": format!("http://mmbiz.qpic.cn/mmbiz/kf{}/300?wx_fmt=jpeg", k.id)})
                })
                .collect();
        data(json!({"kf_list": list}))
    })
}

fn online(ctx: &Ctx<'_>) -> Outcome {
    ctx.with(|s| {
        let list: Vec<Value> =
            s.kf.iter()
                .map(|k| json!({"kf_account": k.account, "status": 1, "kf_id": k.id, "accepted_case": 0}))
                .collect();
        data(json!({"kf_online_list": list}))
    })
}
