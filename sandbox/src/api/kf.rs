//! Customer-service agents, sessions and chat records (spec area `kf`):
//! `/customservice/kfaccount/{add,update,del,uploadheadimg,inviteworker}`,
//! `/cgi-bin/customservice/{getkflist,getonlinekflist}`,
//! `/customservice/kfsession/{create,close,getsession,getsessionlist,getwaitcase}` and
//! `/customservice/msgrecord/getmsglist`.
//!
//! Accounts look like `prefix@wxid` (prefix ≤ 10 letters, digits or `_`, suffix ≤ 30: 65404;
//! nickname ≤ 16 characters: 65403; 65406 exists; 65405 beyond 100; 65401 unknown). An agent
//! is usable once a WeChat user is bound to it: `inviteworker` records a waiting invitation (7
//! days), [`crate::Sandbox::accept_kf_invite`] plays the user accepting it; a bound agent counts
//! as online. Followers reach the queue (`getwaitcase`) through
//! [`crate::Sandbox::kf_customer_message`]; `kfsession/create` takes a follower out of the queue.
//! Chat records are written by that hook (2003, to the serving agent) and by custom messages
//! sent to a follower in a session (2002, see [`record_agent_message`]).

use serde_json::{json, Value};

use super::{invalid_openid, Ctx, Route};
use crate::reply::{data, err, ok, Outcome, WxError};
use crate::state::{now_unix, State};

pub(crate) fn routes() -> Vec<(&'static str, Route)> {
    vec![
        ("/customservice/kfaccount/add", add),
        ("/customservice/kfaccount/update", update),
        ("/customservice/kfaccount/del", delete),
        ("/customservice/kfaccount/uploadheadimg", upload_head_img),
        ("/customservice/kfaccount/inviteworker", invite),
        ("/cgi-bin/customservice/getkflist", list),
        ("/cgi-bin/customservice/getonlinekflist", online),
        ("/customservice/kfsession/create", create_session),
        ("/customservice/kfsession/close", close_session),
        ("/customservice/kfsession/getsession", get_session),
        ("/customservice/kfsession/getsessionlist", session_list),
        ("/customservice/kfsession/getwaitcase", wait_cases),
        ("/customservice/msgrecord/getmsglist", msg_list),
    ]
}

const MAX_ACCOUNTS: usize = 100;
const INVITE_TTL_SECS: i64 = 7 * 24 * 3600;
const MAX_AVATAR_BYTES: usize = 5 * 1024 * 1024;
const MAX_RECORDS_PER_CALL: i64 = 10_000;
const MAX_SPAN_SECS: i64 = 24 * 3600;

/// A customer-service agent account.
#[derive(Clone, Debug)]
pub(crate) struct KfAccount {
    pub account: String,
    pub nickname: String,
    pub id: i64,
    /// The bound WeChat user's id.
    pub wx: Option<String>,
    /// A waiting invitation: WeChat id and expiry (unix seconds).
    pub invite: Option<(String, i64)>,
    /// Bumped by each avatar upload (part of the avatar URL).
    pub avatar_version: u32,
}

/// A session: follower and agent.
#[derive(Clone, Debug)]
struct Session {
    openid: String,
    account: String,
    created: i64,
}

/// One chat record.
#[derive(Clone, Debug)]
struct Record {
    id: i64,
    openid: String,
    opercode: i64,
    text: String,
    time: i64,
    worker: String,
}

/// Agents, sessions, the waiting queue and the chat records.
#[derive(Default)]
pub(crate) struct KfStore {
    accounts: Vec<KfAccount>,
    next_id: i64,
    sessions: Vec<Session>,
    /// Followers waiting for an agent, in arrival order, with their last message time.
    waiting: Vec<(String, i64)>,
    records: Vec<Record>,
}

impl KfStore {
    fn account(&self, account: &str) -> Result<&KfAccount, WxError> {
        self.accounts.iter().find(|k| k.account == account).ok_or_else(unknown)
    }

    fn account_mut(&mut self, account: &str) -> Result<&mut KfAccount, WxError> {
        self.accounts.iter_mut().find(|k| k.account == account).ok_or_else(unknown)
    }

    fn record(&mut self, openid: &str, opercode: i64, text: &str, worker: &str) {
        let id = self.records.len() as i64 + 1;
        self.records.push(Record {
            id,
            openid: openid.into(),
            opercode,
            text: text.into(),
            time: now_unix(),
            worker: worker.into(),
        });
    }

    /// The invited user accepts: the account is bound and online. `false` without an invitation.
    pub fn accept_invite(&mut self, account: &str) -> bool {
        let Ok(k) = self.account_mut(account) else { return false };
        match k.invite.take() {
            Some((wx, _)) => {
                k.wx = Some(wx);
                true
            }
            None => false,
        }
    }

    /// A follower's message handed to customer service: recorded for the serving agent, or the
    /// follower joins (or stays in) the waiting queue.
    pub fn customer_message(&mut self, openid: &str, text: &str) {
        let serving = self.sessions.iter().find(|s| s.openid == openid).map(|s| s.account.clone());
        match serving {
            Some(account) => self.record(openid, 2003, text, &account),
            None => {
                let now = now_unix();
                match self.waiting.iter_mut().find(|(o, _)| o == openid) {
                    Some(w) => w.1 = now,
                    None => self.waiting.push((openid.to_string(), now)),
                }
            }
        }
    }
}

fn unknown() -> WxError {
    err(65401, "invalid custom service account")
}

fn unbound() -> WxError {
    err(65402, "the custom service account need to bind a wechat user")
}

/// Records a custom message sent to a follower whom an agent is serving (or sent as a named
/// agent), as the agent's 2002 record; media kinds appear as `[image]`, `[voice]`, `[video]`.
pub(crate) fn record_agent_message(s: &mut State, touser: &str, body: &Value) {
    let named = body.get("customservice").and_then(|c| super::str_of(c, "kf_account")).map(str::to_string);
    let serving = s.kf.sessions.iter().find(|x| x.openid == touser).map(|x| x.account.clone());
    let Some(worker) = named.or(serving) else { return };
    let msgtype = super::str_of(body, "msgtype").unwrap_or("");
    let text = match msgtype {
        "text" => body.get("text").and_then(|t| super::str_of(t, "content")).unwrap_or("").to_string(),
        "image" | "voice" | "video" => format!("[{msgtype}]"),
        other => format!("[{other}]"),
    };
    s.kf.record(touser, 2002, &text, &worker);
}

fn check_account(account: &str) -> Result<(), WxError> {
    let bad = || err(65404, "illegal custom service account");
    let (prefix, wxid) = account.split_once('@').ok_or_else(bad)?;
    if prefix.is_empty() || prefix.len() > 10 || wxid.is_empty() || wxid.chars().count() > 30 {
        return Err(bad());
    }
    if !prefix.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
        return Err(bad());
    }
    Ok(())
}

fn nickname<'c>(ctx: &'c Ctx<'_>) -> Result<&'c str, WxError> {
    let n = ctx.s("nickname").ok_or_else(|| err(65403, "illegal nickname"))?;
    if n.chars().count() > 16 {
        return Err(err(65403, "illegal nickname, at most 16 characters"));
    }
    Ok(n)
}

fn add(ctx: &Ctx<'_>) -> Outcome {
    let account = ctx.need("kf_account")?;
    check_account(account)?;
    let nick = nickname(ctx)?;
    ctx.with(|s| {
        if s.kf.accounts.iter().any(|k| k.account == account) {
            return Err(err(65406, "custom service account exists"));
        }
        if s.kf.accounts.len() >= MAX_ACCOUNTS {
            return Err(err(65405, "custom service account number reach limit"));
        }
        s.kf.next_id += 1;
        let id = 1000 + s.kf.next_id;
        s.kf.accounts.push(KfAccount {
            account: account.into(),
            nickname: nick.into(),
            id,
            wx: None,
            invite: None,
            avatar_version: 0,
        });
        ok()
    })
}

fn update(ctx: &Ctx<'_>) -> Outcome {
    let account = ctx.need("kf_account")?;
    let nick = nickname(ctx)?;
    ctx.with(|s| {
        s.kf.account_mut(account)?.nickname = nick.into();
        ok()
    })
}

fn delete(ctx: &Ctx<'_>) -> Outcome {
    let account = ctx.need("kf_account")?;
    ctx.with(|s| {
        s.kf.account(account)?;
        s.kf.accounts.retain(|k| k.account != account);
        s.kf.sessions.retain(|x| x.account != account);
        ok()
    })
}

fn upload_head_img(ctx: &Ctx<'_>) -> Outcome {
    let account = ctx.q("kf_account").ok_or_else(|| super::missing("kf_account"))?;
    let part = ctx.parts.iter().find(|p| p.name == "media").ok_or_else(|| err(41005, "media data missing"))?;
    if part.data.len() > MAX_AVATAR_BYTES {
        return Err(err(40009, "invalid image size, at most 5 MB"));
    }
    let jpeg = part.data.starts_with(&[0xFF, 0xD8, 0xFF]);
    let png = part.data.starts_with(b"\x89PNG");
    if !jpeg && !png {
        return Err(err(40005, "invalid file type"));
    }
    ctx.with(|s| {
        s.kf.account_mut(account)?.avatar_version += 1;
        ok()
    })
}

/// A WeChat id: 6 to 20 letters, digits, `_` or `-`, starting with a letter.
fn valid_wx(wx: &str) -> bool {
    (6..=20).contains(&wx.len())
        && wx.starts_with(|c: char| c.is_ascii_alphabetic())
        && wx.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

fn invite(ctx: &Ctx<'_>) -> Outcome {
    let account = ctx.need("kf_account")?;
    let wx = ctx.need("invite_wx")?;
    if !valid_wx(wx) {
        return Err(err(65409, "wechat account invalid"));
    }
    ctx.with(|s| {
        let now = now_unix();
        let k = s.kf.account(account)?;
        if k.wx.is_some() {
            return Err(err(65412, "the custom service account have been bound by a wechat user"));
        }
        match &k.invite {
            Some((w, exp)) if *exp > now && w == wx => {
                return Err(err(65408, "you have already invited the wechat user"))
            }
            Some((_, exp)) if *exp > now => {
                return Err(err(65411, "a effective invitation to bind the custom service account exists"))
            }
            _ => {}
        }
        if s.kf.accounts.iter().any(|o| o.wx.as_deref() == Some(wx)) {
            return Err(err(65407, "the wechat user have been one of your workers"));
        }
        s.kf.account_mut(account)?.invite = Some((wx.to_string(), now + INVITE_TTL_SECS));
        ok()
    })
}

fn list(ctx: &Ctx<'_>) -> Outcome {
    ctx.with(|s| {
        let now = now_unix();
        let list: Vec<Value> =
            s.kf.accounts
                .iter()
                .map(|k| {
                    let mut v = json!({
                        "kf_account": k.account,
                        "kf_nick": k.nickname,
                        "kf_id": k.id.to_string(),
                        "kf_headimgurl": format!("http://mmbiz.qpic.cn/mmbiz/kf{}v{}/0", k.id, k.avatar_version),
                    });
                    if let Some(wx) = &k.wx {
                        v["kf_wx"] = json!(wx);
                        v["kf_openid"] = json!(format!("kfopenid{}", k.id));
                    }
                    if let Some((wx, exp)) = &k.invite {
                        v["invite_wx"] = json!(wx);
                        v["invite_expire_time"] = json!(exp);
                        v["invite_status"] = json!(if *exp > now { "waiting" } else { "expired" });
                    }
                    v
                })
                .collect();
        data(json!({"kf_list": list}))
    })
}

fn online(ctx: &Ctx<'_>) -> Outcome {
    ctx.with(|s| {
        let list: Vec<Value> =
            s.kf.accounts
                .iter()
                .filter(|k| k.wx.is_some())
                .map(|k| {
                    let cases = s.kf.sessions.iter().filter(|x| x.account == k.account).count();
                    json!({"kf_account": k.account, "status": 1, "kf_id": k.id.to_string(), "accepted_case": cases,
                           "kf_openid": format!("kfopenid{}", k.id)})
                })
                .collect();
        data(json!({"kf_online_list": list}))
    })
}

fn create_session(ctx: &Ctx<'_>) -> Outcome {
    let account = ctx.need("kf_account")?;
    let openid = ctx.need("openid")?;
    ctx.with(|s| {
        if s.user(openid).is_none() {
            return Err(invalid_openid());
        }
        if s.kf.account(account)?.wx.is_none() {
            return Err(unbound());
        }
        match s.kf.sessions.iter().find(|x| x.openid == openid) {
            Some(x) if x.account == account => return ok(),
            Some(_) => return Err(err(65414, "another worker is serving the customer")),
            None => {}
        }
        s.kf.waiting.retain(|(o, _)| o != openid);
        s.kf.sessions.push(Session { openid: openid.into(), account: account.into(), created: now_unix() });
        ok()
    })
}

fn close_session(ctx: &Ctx<'_>) -> Outcome {
    let account = ctx.need("kf_account")?;
    let openid = ctx.need("openid")?;
    ctx.with(|s| {
        if s.user(openid).is_none() {
            return Err(invalid_openid());
        }
        s.kf.account(account)?;
        match s.kf.sessions.iter().position(|x| x.openid == openid) {
            None => Err(err(65413, "no effective session for the customer")),
            Some(i) if s.kf.sessions[i].account != account => Err(err(65414, "another worker is serving the customer")),
            Some(i) => {
                s.kf.sessions.remove(i);
                ok()
            }
        }
    })
}

fn get_session(ctx: &Ctx<'_>) -> Outcome {
    let openid = ctx.q("openid").ok_or_else(|| super::missing("openid"))?;
    ctx.with(|s| {
        if s.user(openid).is_none() {
            return Err(invalid_openid());
        }
        match s.kf.sessions.iter().find(|x| x.openid == openid) {
            Some(x) => data(json!({"createtime": x.created, "kf_account": x.account})),
            None => data(json!({"createtime": 0, "kf_account": ""})),
        }
    })
}

fn session_list(ctx: &Ctx<'_>) -> Outcome {
    let account = ctx.q("kf_account").ok_or_else(|| super::missing("kf_account"))?;
    ctx.with(|s| {
        if s.kf.account(account)?.wx.is_none() {
            return Err(unbound());
        }
        let list: Vec<Value> =
            s.kf.sessions
                .iter()
                .filter(|x| x.account == account)
                .map(|x| json!({"createtime": x.created, "openid": x.openid}))
                .collect();
        data(json!({"sessionlist": list}))
    })
}

fn wait_cases(ctx: &Ctx<'_>) -> Outcome {
    ctx.with(|s| {
        let list: Vec<Value> =
            s.kf.waiting.iter().take(100).map(|(o, t)| json!({"latest_time": t, "openid": o})).collect();
        data(json!({"count": s.kf.waiting.len(), "waitcaselist": list}))
    })
}

fn msg_list(ctx: &Ctx<'_>) -> Outcome {
    let bad = |what: &str| err(65416, format!("invalid parameter {what}"));
    let start = ctx.i("starttime").ok_or_else(|| bad("starttime"))?;
    let end = ctx.i("endtime").ok_or_else(|| bad("endtime"))?;
    let msgid = ctx.i("msgid").filter(|m| *m >= 1).ok_or_else(|| bad("msgid, counted from 1"))?;
    let number =
        ctx.i("number").filter(|n| (1..=MAX_RECORDS_PER_CALL).contains(n)).ok_or_else(|| bad("number, 1 to 10000"))?;
    if end < start {
        return Err(bad("endtime, before starttime"));
    }
    if end - start > MAX_SPAN_SECS {
        return Err(err(65417, "the query period exceeds 24 hours"));
    }
    ctx.with(|s| {
        let page: Vec<&Record> = s
            .kf
            .records
            .iter()
            .filter(|r| r.id >= msgid && (start..=end).contains(&r.time))
            .take(number as usize)
            .collect();
        let next = page.last().map_or(msgid, |r| r.id + 1);
        let list: Vec<Value> = page
            .iter()
            .map(|r| json!({"openid": r.openid, "opercode": r.opercode, "text": r.text, "time": r.time, "worker": r.worker}))
            .collect();
        data(json!({"recordlist": list, "number": list.len(), "msgid": next}))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_format_allows_underscores_and_limits_lengths() {
        assert!(check_account("test_1@test").is_ok());
        assert_eq!(check_account("elevenchars@x").map_err(|e| e.code), Err(65404));
        assert_eq!(check_account("a-b@x").map_err(|e| e.code), Err(65404));
        assert_eq!(check_account("nosuffix@").map_err(|e| e.code), Err(65404));
        assert_eq!(check_account("noat").map_err(|e| e.code), Err(65404));
    }

    #[test]
    fn wechat_ids_start_with_a_letter() {
        assert!(valid_wx("test_kfwx"));
        assert!(!valid_wx("1abcdef"));
        assert!(!valid_wx("abc"));
    }
}
