//! Cards and coupons (卡券, `/card/*` and the four `/datacube/getcard*` calls).
//!
//! A card kind created with `card/create` is approved at once (`CARD_STATUS_VERIFY_OK`); it can
//! be got, listed (`batchget`, optionally by status), updated (the kind's `base_info` fields are
//! merged), its stock changed (`modifystock`; reducing below zero answers 40035) and deleted
//! (`CARD_STATUS_DELETE`; it can no longer be taken). A follower takes a card through
//! [`crate::Sandbox::take_card`], which issues a 12-digit code and lowers the stock; codes are
//! looked up (`code/get`), consumed once (`code/consume`; a second consume answers 40099),
//! changed, made unavailable (40127 afterwards), listed per user (`user/getcardlist`, consumed
//! codes leave the wallet), and an `encrypt_code` from [`crate::Sandbox::card_encrypt_code`]
//! is decrypted by `code/decrypt`. Member cards are activated and carry a member number, points
//! and balance; tickets take their seat data. QR codes (`card/qrcode/create`) are real
//! `showqrcode` tickets. Sub-merchants get ids from 1 and start `CHECKING`.
//!
//! Errors: 40073 unknown card_id, 40056 unknown code (or a card_id that is not the code's),
//! 40099 code already consumed, 40127 code unavailable, 40075 unknown encrypt_code, 40035 a
//! card of the wrong kind for the call or an unknown sub-merchant (the sandbox's choice where the
//! official page is cut off), 61500/61501 bad analytics dates.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use super::datacube::{fmt_day, parse_day};
use super::{route, Ctx, Route};
use crate::reply::{err, ok, ok_with, Outcome, WxError};
use crate::state::{now_unix, QrTicket, State};
use crate::tokens::random_string;

/// One card kind.
#[derive(Clone, Debug)]
pub(crate) struct CardKind {
    /// `card_type` as created (`GENERAL_COUPON`, `MEMBER_CARD` …).
    card_type: String,
    /// The created `card` object, with `base_info.id`, `status` and `sku.quantity` kept current.
    card: Value,
    status: &'static str,
    quantity: i64,
}

/// One code a follower holds.
#[derive(Clone, Debug)]
pub(crate) struct IssuedCode {
    card_id: String,
    openid: String,
    status: &'static str,
    outer_str: String,
    begin_time: i64,
    end_time: i64,
    member: Option<Member>,
    /// The last seat/show data a ticket call set.
    ticket: Option<Value>,
}

#[derive(Clone, Debug, Default)]
struct Member {
    number: String,
    bonus: i64,
    balance: i64,
}

#[derive(Default)]
pub(crate) struct CardStore {
    /// card_id → kind, and the creation order.
    cards: HashMap<String, CardKind>,
    order: Vec<String>,
    codes: HashMap<String, IssuedCode>,
    /// encrypt_code → code.
    encrypted: HashMap<String, String>,
    deposited: HashMap<String, BTreeSet<String>>,
    /// activate_ticket → the fields the user filled in.
    activation_forms: HashMap<String, Value>,
    whitelist: (Vec<String>, Vec<String>),
    next_code: u64,
    next_page_id: i64,
    submerchants: BTreeMap<i64, Value>,
}

impl CardStore {
    /// `openid` takes one card of `card_id`: a new code, or `None` when the card kind does not
    /// exist, is deleted or out of stock.
    pub(crate) fn take(&mut self, card_id: &str, openid: &str) -> Option<String> {
        let kind = self.cards.get_mut(card_id)?;
        if kind.status == "CARD_STATUS_DELETE" || kind.quantity <= 0 {
            return None;
        }
        kind.quantity -= 1;
        kind.card[kind_key(&kind.card_type)]["base_info"]["sku"]["quantity"] = json!(kind.quantity);
        self.next_code += 1;
        let code = format!("{:012}", 100_000_000_000 + self.next_code * 7_919);
        let now = now_unix();
        let member = (kind.card_type == "MEMBER_CARD").then(Member::default);
        self.codes.insert(
            code.clone(),
            IssuedCode {
                card_id: card_id.to_string(),
                openid: openid.to_string(),
                status: "NORMAL",
                outer_str: String::new(),
                begin_time: now,
                end_time: now + 30 * 86_400,
                member,
                ticket: None,
            },
        );
        Some(code)
    }

    /// The encrypted form of `code` a card page link carries (the same every time).
    pub(crate) fn encrypt(&mut self, code: &str) -> Option<String> {
        self.codes.get(code)?;
        if let Some((e, _)) = self.encrypted.iter().find(|(_, c)| c.as_str() == code) {
            return Some(e.clone());
        }
        let e = format!("{}=", random_string(43));
        self.encrypted.insert(e.clone(), code.to_string());
        Some(e)
    }

    /// The user submits the activation form of a member card: its activate_ticket.
    /// The test whitelist last set: (OpenIDs, usernames).
    pub(crate) fn whitelist(&self) -> (Vec<String>, Vec<String>) {
        self.whitelist.clone()
    }

    /// The seat data the last ticket call set on `code`.
    pub(crate) fn ticket(&self, code: &str) -> Option<Value> {
        self.codes.get(code)?.ticket.clone()
    }

    pub(crate) fn submit_activation_form(&mut self, fields: &[(&str, &str)]) -> String {
        let ticket = random_string(32);
        let list: Vec<Value> = fields.iter().map(|(n, v)| json!({"name": n, "value": v})).collect();
        self.activation_forms.insert(ticket.clone(), json!({"common_field_list": list, "custom_field_list": []}));
        ticket
    }
}

pub(crate) fn routes() -> Vec<(&'static str, Route)> {
    vec![
        ("/card/create", create),
        ("/card/getcolors", get_colors),
        ("/card/paycell/set", card_flag),
        ("/card/selfconsumecell/set", card_flag),
        ("/card/qrcode/create", qrcode_create),
        ("/card/landingpage/create", landingpage_create),
        ("/card/code/deposit", deposit),
        ("/card/code/getdepositcount", deposit_count),
        ("/card/code/checkcode", check_code),
        ("/card/mpnews/gethtml", mpnews_html),
        ("/card/testwhitelist/set", whitelist),
        ("/card/code/get", code_get),
        ("/card/code/consume", consume),
        ("/card/code/decrypt", decrypt),
        ("/card/user/getcardlist", user_cards),
        ("/card/get", get),
        ("/card/batchget", batch_get),
        ("/card/update", update),
        ("/card/modifystock", modify_stock),
        ("/card/code/update", code_update),
        ("/card/delete", delete),
        ("/card/code/unavailable", unavailable),
        ("/datacube/getcardbizuininfo", cube),
        ("/datacube/getcardcardinfo", cube),
        ("/datacube/getcardmembercardinfo", cube),
        ("/datacube/getcardmembercarddetail", cube),
        ("/card/membercard/activate", member_activate),
        ("/card/membercard/activateuserform/set", member_form_set),
        ("/card/membercard/activatetempinfo/get", member_temp_info),
        ("/card/membercard/activate/geturl", member_activate_url),
        ("/card/membercard/userinfo/get", member_info),
        ("/card/membercard/updateuser", member_update),
        ("/card/boardingpass/checkin", route(|ctx| ticket(ctx, "BOARDING_PASS"))),
        ("/card/meetingticket/updateuser", route(|ctx| ticket(ctx, "MEETING_TICKET"))),
        ("/card/movieticket/updateuser", route(|ctx| ticket(ctx, "MOVIE_TICKET"))),
        ("/card/submerchant/submit", submerchant_submit),
        ("/card/getapplyprotocol", apply_protocol),
        ("/card/submerchant/update", submerchant_update),
        ("/card/submerchant/get", submerchant_get),
        ("/card/submerchant/batchget", submerchant_batchget),
    ]
}

/// The key of a kind's object in `card` (`MEMBER_CARD` → `member_card`).
fn kind_key(card_type: &str) -> String {
    card_type.to_ascii_lowercase()
}

fn unknown_card() -> WxError {
    err(40073, "invalid card id")
}

fn unknown_code() -> WxError {
    err(40056, "invalid serial code")
}

fn card<'s>(s: &'s mut State, card_id: &str) -> Result<&'s mut CardKind, WxError> {
    s.card.cards.get_mut(card_id).ok_or_else(unknown_card)
}

/// The code a request names, checked against its `card_id` when one is given.
fn code<'s>(ctx: &Ctx<'_>, s: &'s mut State) -> Result<(String, &'s mut IssuedCode), WxError> {
    let code = ctx.need("code")?.to_string();
    let issued = s.card.codes.get_mut(&code).ok_or_else(unknown_code)?;
    if ctx.s("card_id").is_some_and(|c| c != issued.card_id) {
        return Err(unknown_code());
    }
    Ok((code, issued))
}

fn create(ctx: &Ctx<'_>) -> Outcome {
    let card = ctx.body.get("card").cloned().unwrap_or(Value::Null);
    let card_type = super::str_of(&card, "card_type").ok_or_else(|| super::missing("card.card_type"))?.to_string();
    let key = kind_key(&card_type);
    if !card.get(&key).and_then(|k| k.get("base_info")).is_some_and(Value::is_object) {
        return Err(super::missing(&format!("card.{key}.base_info")));
    }
    let quantity = card[&key]["base_info"]["sku"].get("quantity").and_then(Value::as_i64).unwrap_or(0);
    let card_id = format!("p{}", random_string(27));
    let mut stored = card;
    stored[&key]["base_info"]["id"] = json!(card_id);
    stored[&key]["base_info"]["status"] = json!("CARD_STATUS_VERIFY_OK");
    let kind = CardKind { card_type, card: stored, status: "CARD_STATUS_VERIFY_OK", quantity };
    ctx.with(|s| {
        s.card.cards.insert(card_id.clone(), kind);
        s.card.order.push(card_id.clone());
    });
    ok_with(json!({ "card_id": card_id }))
}

fn get_colors(_ctx: &Ctx<'_>) -> Outcome {
    let colors = [
        ("Color010", "#63b359"),
        ("Color020", "#2c9f67"),
        ("Color030", "#509fc9"),
        ("Color040", "#5885cf"),
        ("Color050", "#9062c0"),
        ("Color060", "#d09a45"),
        ("Color070", "#e4b138"),
        ("Color080", "#ee903c"),
        ("Color090", "#dd6549"),
        ("Color100", "#cc463d"),
    ];
    let list: Vec<Value> = colors.iter().map(|(n, v)| json!({"name": n, "value": v})).collect();
    ok_with(json!({ "colors": list }))
}

/// paycell / selfconsumecell: the card must exist.
fn card_flag(ctx: &Ctx<'_>) -> Outcome {
    let id = ctx.need("card_id")?;
    ctx.with(|s| card(s, id).map(|_| ()))?;
    ok()
}

fn qrcode_create(ctx: &Ctx<'_>) -> Outcome {
    let info = ctx.body.get("action_info").cloned().unwrap_or(Value::Null);
    let ids: Vec<String> = match ctx.s("action_name") {
        Some("QR_MULTIPLE_CARD") => info["multiple_card"]["card_list"]
            .as_array()
            .map(|l| l.iter().filter_map(|c| super::str_of(c, "card_id").map(str::to_string)).collect())
            .unwrap_or_default(),
        _ => super::str_of(&info["card"], "card_id").map(str::to_string).into_iter().collect(),
    };
    if ids.is_empty() {
        return Err(super::missing("action_info card_id"));
    }
    let secs = ctx.i("expire_seconds").unwrap_or(365 * 86_400);
    let ticket = format!("gQ{}==", random_string(94));
    ctx.with(|s| {
        for id in &ids {
            card(s, id)?;
        }
        let expires = Some(Instant::now() + Duration::from_secs(secs.max(0) as u64));
        s.qr.insert(ticket.clone(), QrTicket { expires });
        Ok::<(), WxError>(())
    })?;
    let url = format!("http://weixin.qq.com/q/{}", random_string(22));
    let show = format!("https://mp.weixin.qq.com/cgi-bin/showqrcode?ticket={}", ticket.replace('=', "%3D"));
    ok_with(json!({"ticket": ticket, "expire_seconds": secs, "url": url, "show_qrcode_url": show}))
}

fn landingpage_create(ctx: &Ctx<'_>) -> Outcome {
    let list = ctx.body.get("card_list").and_then(Value::as_array).cloned().unwrap_or_default();
    ctx.with(|s| {
        for c in &list {
            card(s, super::str_of(c, "card_id").ok_or_else(|| super::missing("card_list.card_id"))?)?;
        }
        s.card.next_page_id += 1;
        let page_id = s.card.next_page_id;
        let url = format!("https://mp.weixin.qq.com/bizmall/cardlandingpage?biz=sandbox&page_id={page_id}&scene=1");
        ok_with(json!({"url": url, "page_id": page_id}))
    })
}

fn codes_of(ctx: &Ctx<'_>) -> Vec<String> {
    ctx.body
        .get("code")
        .and_then(Value::as_array)
        .map(|l| l.iter().filter_map(Value::as_str).map(str::to_string).collect())
        .unwrap_or_default()
}

fn deposit(ctx: &Ctx<'_>) -> Outcome {
    let id = ctx.need("card_id")?;
    let codes = codes_of(ctx);
    ctx.with(|s| {
        card(s, id)?;
        let set = s.card.deposited.entry(id.to_string()).or_default();
        let (mut succ, mut dup) = (Vec::new(), Vec::new());
        for c in codes {
            if set.insert(c.clone()) {
                succ.push(c);
            } else {
                dup.push(c);
            }
        }
        ok_with(json!({"succ_code": succ, "duplicate_code": dup, "fail_code": []}))
    })
}

fn deposit_count(ctx: &Ctx<'_>) -> Outcome {
    let id = ctx.need("card_id")?;
    ctx.with(|s| {
        card(s, id)?;
        let count = s.card.deposited.get(id).map_or(0, BTreeSet::len);
        ok_with(json!({ "count": count }))
    })
}

fn check_code(ctx: &Ctx<'_>) -> Outcome {
    let id = ctx.need("card_id")?;
    let codes = codes_of(ctx);
    ctx.with(|s| {
        card(s, id)?;
        let set = s.card.deposited.get(id).cloned().unwrap_or_default();
        let (exist, missing): (Vec<String>, Vec<String>) = codes.into_iter().partition(|c| set.contains(c));
        ok_with(json!({"exist_code": exist, "not_exist_code": missing}))
    })
}

fn mpnews_html(ctx: &Ctx<'_>) -> Outcome {
    let id = ctx.need("card_id")?;
    ctx.with(|s| card(s, id).map(|_| ()))?;
    let content = format!(
        "<iframe class=\"res_iframe card_iframe js_editor_card\" data-src=\"http://mp.weixin.qq.com/bizmall/appmsgcard?action=show&biz=sandbox&cardid={id}&wechat_card_js=1#wechat_redirect\"></iframe>"
    );
    ok_with(json!({ "content": content }))
}

fn strings(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .map(|l| l.iter().filter_map(Value::as_str).map(str::to_string).collect())
        .unwrap_or_default()
}

fn whitelist(ctx: &Ctx<'_>) -> Outcome {
    let openids = strings(ctx.body.get("openid"));
    let usernames = strings(ctx.body.get("username"));
    ctx.with(|s| s.card.whitelist = (openids, usernames));
    ok()
}

fn code_get(ctx: &Ctx<'_>) -> Outcome {
    let check = ctx.body.get("check_consume").and_then(Value::as_bool).unwrap_or(true);
    ctx.with(|s| {
        let (_, c) = code(ctx, s)?;
        if check {
            match c.status {
                "CONSUMED" => return Err(err(40099, "invalid code, this code has consumed.")),
                "UNAVAILABLE" => return Err(err(40127, "invalid user-card status! Hint: the card was given to user, but may be deleted or set unavailable !")),
                _ => {}
            }
        }
        ok_with(json!({
            "card": {"card_id": c.card_id, "begin_time": c.begin_time, "end_time": c.end_time},
            "openid": c.openid,
            "can_consume": c.status == "NORMAL",
            "outer_str": c.outer_str,
            "user_card_status": c.status,
        }))
    })
}

fn consume(ctx: &Ctx<'_>) -> Outcome {
    ctx.with(|s| {
        let (_, c) = code(ctx, s)?;
        match c.status {
            "NORMAL" => {}
            "CONSUMED" => return Err(err(40099, "invalid code, this code has consumed.")),
            _ => return Err(err(
                40127,
                "invalid user-card status! Hint: the card was given to user, but may be deleted or set unavailable !",
            )),
        }
        c.status = "CONSUMED";
        ok_with(json!({"card": {"card_id": c.card_id}, "openid": c.openid}))
    })
}

fn decrypt(ctx: &Ctx<'_>) -> Outcome {
    let e = ctx.need("encrypt_code")?;
    ctx.with(|s| match s.card.encrypted.get(e) {
        Some(code) => ok_with(json!({ "code": code })),
        None => Err(err(40075, "invalid encrypt code")),
    })
}

fn user_cards(ctx: &Ctx<'_>) -> Outcome {
    let openid = ctx.need("openid")?;
    let only = ctx.s("card_id");
    ctx.with(|s| {
        if s.user(openid).is_none() {
            return Err(super::invalid_openid());
        }
        let mut list: Vec<(&String, &IssuedCode)> = s
            .card
            .codes
            .iter()
            .filter(|(_, c)| c.openid == openid && c.status != "CONSUMED" && only.is_none_or(|id| id == c.card_id))
            .collect();
        list.sort_by(|a, b| a.0.cmp(b.0));
        let list: Vec<Value> = list.iter().map(|(code, c)| json!({"code": code, "card_id": c.card_id})).collect();
        ok_with(json!({"card_list": list, "has_share_card": false}))
    })
}

fn get(ctx: &Ctx<'_>) -> Outcome {
    let id = ctx.need("card_id")?;
    ctx.with(|s| {
        let k = card(s, id)?;
        ok_with(json!({ "card": k.card }))
    })
}

fn batch_get(ctx: &Ctx<'_>) -> Outcome {
    let offset = ctx.i("offset").unwrap_or(0).max(0) as usize;
    let count = ctx.i("count").unwrap_or(50).max(0) as usize;
    let statuses = strings(ctx.body.get("status_list"));
    ctx.with(|s| {
        let matching: Vec<&String> = s
            .card
            .order
            .iter()
            .filter(|id| {
                statuses.is_empty() || s.card.cards.get(*id).is_some_and(|k| statuses.iter().any(|st| st == k.status))
            })
            .collect();
        let page: Vec<&&String> = matching.iter().skip(offset).take(count).collect();
        ok_with(json!({"card_id_list": page, "total_num": matching.len()}))
    })
}

/// Merges `from` into `into`, object by object.
fn merge(into: &mut Value, from: &Value) {
    match (into, from) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, v) in b {
                merge(a.entry(k.clone()).or_insert(Value::Null), v);
            }
        }
        (slot, v) => *slot = v.clone(),
    }
}

fn update(ctx: &Ctx<'_>) -> Outcome {
    let id = ctx.need("card_id")?;
    ctx.with(|s| {
        let k = card(s, id)?;
        let key = kind_key(&k.card_type);
        let Some(change) = ctx.body.get(&key) else {
            return Err(err(40035, format!("invalid args, a {} card is updated through \"{key}\"", k.card_type)));
        };
        merge(&mut k.card[&key], change);
        ok_with(json!({ "send_check": false }))
    })
}

fn modify_stock(ctx: &Ctx<'_>) -> Outcome {
    let id = ctx.need("card_id")?;
    let up = ctx.i("increase_stock_value").unwrap_or(0);
    let down = ctx.i("reduce_stock_value").unwrap_or(0);
    ctx.with(|s| {
        let k = card(s, id)?;
        let q = k.quantity + up - down;
        if q < 0 || up < 0 || down < 0 {
            return Err(err(40035, "invalid args, the stock cannot go below zero"));
        }
        k.quantity = q;
        k.card[kind_key(&k.card_type)]["base_info"]["sku"]["quantity"] = json!(q);
        ok()
    })
}

fn code_update(ctx: &Ctx<'_>) -> Outcome {
    let new_code = ctx.need("new_code")?.to_string();
    ctx.with(|s| {
        if s.card.codes.contains_key(&new_code) {
            return Err(err(40035, "invalid args, new_code is already in use"));
        }
        let (old, _) = code(ctx, s)?;
        if let Some(c) = s.card.codes.remove(&old) {
            s.card.codes.insert(new_code, c);
        }
        s.card.encrypted.retain(|_, c| *c != old);
        ok()
    })
}

fn delete(ctx: &Ctx<'_>) -> Outcome {
    let id = ctx.need("card_id")?;
    ctx.with(|s| {
        let k = card(s, id)?;
        k.status = "CARD_STATUS_DELETE";
        k.card[kind_key(&k.card_type)]["base_info"]["status"] = json!("CARD_STATUS_DELETE");
        ok()
    })
}

fn unavailable(ctx: &Ctx<'_>) -> Outcome {
    ctx.with(|s| {
        let (_, c) = code(ctx, s)?;
        if c.status == "CONSUMED" {
            return Err(err(40099, "invalid code, this code has consumed."));
        }
        c.status = "UNAVAILABLE";
        ok()
    })
}

/// The card analytics: one row per day, counting nothing before the sandbox started (no user
/// saw a card before then), so the figures are zero; the dates are checked like every
/// datacube call (61500 format, 61501 reversed or not before today in Beijing time).
fn cube(ctx: &Ctx<'_>) -> Outcome {
    let begin = parse_day(ctx.s("begin_date"))?;
    let end = parse_day(ctx.s("end_date"))?;
    let today_beijing = (now_unix() + 8 * 3600).div_euclid(86_400);
    if end < begin || end >= today_beijing {
        return Err(err(61501, "date range error"));
    }
    if let Some(id) = ctx.s("card_id") {
        ctx.with(|s| card(s, id).map(|_| ()))?;
    }
    let list: Vec<Value> = (begin..=end)
        .map(|d| {
            let mut row = json!({"ref_date": fmt_day(d), "view_cnt": 0, "view_user": 0, "receive_cnt": 0,
                                 "receive_user": 0, "verify_cnt": 0, "verify_user": 0});
            if let Some(id) = ctx.s("card_id") {
                row["card_id"] = json!(id);
            }
            row
        })
        .collect();
    ok_with(json!({ "list": list }))
}

/// A member card's code.
fn member_code<'s>(ctx: &Ctx<'_>, s: &'s mut State) -> Result<&'s mut IssuedCode, WxError> {
    let (_, c) = code(ctx, s)?;
    let card_id = c.card_id.clone();
    let is_member = c.member.is_some();
    if !is_member {
        return Err(err(40035, format!("invalid args, {card_id} is not a member card")));
    }
    let (_, c) = code(ctx, s)?;
    Ok(c)
}

fn member_activate(ctx: &Ctx<'_>) -> Outcome {
    let number = ctx.need("membership_number")?.to_string();
    ctx.with(|s| {
        let c = member_code(ctx, s)?;
        if let Some(t) = ctx.i("activate_begin_time") {
            c.begin_time = t;
        }
        if let Some(t) = ctx.i("activate_end_time") {
            c.end_time = t;
        }
        c.member = Some(Member {
            number,
            bonus: ctx.i("init_bonus").unwrap_or(0),
            balance: ctx.i("init_balance").unwrap_or(0),
        });
        ok()
    })
}

fn member_card<'s>(s: &'s mut State, id: &str) -> Result<&'s mut CardKind, WxError> {
    let k = card(s, id)?;
    if k.card_type != "MEMBER_CARD" {
        return Err(err(40035, format!("invalid args, {id} is not a member card")));
    }
    Ok(k)
}

fn member_form_set(ctx: &Ctx<'_>) -> Outcome {
    let id = ctx.need("card_id")?;
    ctx.with(|s| member_card(s, id).map(|_| ()))?;
    ok()
}

fn member_temp_info(ctx: &Ctx<'_>) -> Outcome {
    let t = ctx.need("activate_ticket")?;
    ctx.with(|s| match s.card.activation_forms.get(t) {
        Some(info) => ok_with(json!({ "info": info })),
        None => Err(err(40035, "invalid args, unknown activate_ticket")),
    })
}

fn member_activate_url(ctx: &Ctx<'_>) -> Outcome {
    let id = ctx.need("card_id")?;
    ctx.with(|s| member_card(s, id).map(|_| ()))?;
    let outer = ctx.s("outer_str").unwrap_or("");
    let url = format!(
        "https://mp.weixin.qq.com/bizmall/activatemembercard?action=preshow&&encrypt_card_id={}&outer_str={outer}&biz=sandbox#wechat_redirect",
        random_string(32)
    );
    ok_with(json!({ "url": url }))
}

fn member_info(ctx: &Ctx<'_>) -> Outcome {
    ctx.with(|s| {
        let c = member_code(ctx, s)?.clone();
        let m = c.member.clone().unwrap_or_default();
        let nickname = s.user(&c.openid).map(|u| u.nickname.clone()).unwrap_or_default();
        ok_with(json!({
            "openid": c.openid,
            "nickname": nickname,
            "membership_number": m.number,
            "bonus": m.bonus,
            "balance": m.balance,
            "sex": "UNKNOWN",
            "user_info": {"common_field_list": [], "custom_field_list": []},
            "user_card_status": c.status,
            "has_active": !m.number.is_empty(),
        }))
    })
}

fn member_update(ctx: &Ctx<'_>) -> Outcome {
    ctx.with(|s| {
        let c = member_code(ctx, s)?;
        let openid = c.openid.clone();
        let m = c.member.get_or_insert_with(Member::default);
        if let Some(b) = ctx.i("bonus") {
            m.bonus = b;
        }
        m.bonus += ctx.i("add_bonus").unwrap_or(0);
        if let Some(b) = ctx.i("balance") {
            m.balance = b;
        }
        m.balance += ctx.i("add_balance").unwrap_or(0);
        ok_with(json!({"result_bonus": m.bonus, "result_balance": m.balance, "openid": openid}))
    })
}

/// boardingpass/checkin, meetingticket/updateuser, movieticket/updateuser: the code must be a
/// ticket of that kind; the seat data is kept on the code.
fn ticket(ctx: &Ctx<'_>, kind: &str) -> Outcome {
    ctx.with(|s| {
        let (_, c) = code(ctx, s)?;
        let card_id = c.card_id.clone();
        let is_kind = s.card.cards.get(&card_id).is_some_and(|k| k.card_type == kind);
        if !is_kind {
            return Err(err(40035, format!("invalid args, {card_id} is not a {kind} card")));
        }
        let (_, c) = code(ctx, s)?;
        c.ticket = Some(ctx.body.clone());
        ok()
    })
}

fn submerchant_submit(ctx: &Ctx<'_>) -> Outcome {
    let mut info = ctx.body.get("info").cloned().unwrap_or(Value::Null);
    if super::str_of(&info, "brand_name").is_none() {
        return Err(super::missing("info.brand_name"));
    }
    ctx.with(|s| {
        let id = s.card.submerchants.keys().next_back().map_or(1, |k| k + 1);
        let now = now_unix();
        info["merchant_id"] = json!(id);
        info["status"] = json!("CHECKING");
        info["create_time"] = json!(now);
        info["update_time"] = json!(now);
        s.card.submerchants.insert(id, info.clone());
        ok_with(json!({ "info": info }))
    })
}

fn unknown_submerchant() -> WxError {
    err(40035, "invalid args, unknown merchant_id")
}

fn submerchant_update(ctx: &Ctx<'_>) -> Outcome {
    let change = ctx.body.get("info").cloned().unwrap_or(Value::Null);
    let id = super::int_of(&change, "merchant_id").ok_or_else(|| super::missing("info.merchant_id"))?;
    ctx.with(|s| {
        let info = s.card.submerchants.get_mut(&id).ok_or_else(unknown_submerchant)?;
        merge(info, &change);
        info["update_time"] = json!(now_unix());
        ok_with(json!({ "info": info }))
    })
}

fn submerchant_get(ctx: &Ctx<'_>) -> Outcome {
    let id = ctx.i("merchant_id").ok_or_else(|| super::missing("merchant_id"))?;
    ctx.with(|s| {
        let info = s.card.submerchants.get(&id).ok_or_else(unknown_submerchant)?;
        ok_with(json!({ "info": info }))
    })
}

fn submerchant_batchget(ctx: &Ctx<'_>) -> Outcome {
    let begin = ctx.i("begin_id").unwrap_or(0);
    let limit = ctx.i("limit").unwrap_or(100).max(0) as usize;
    let status = ctx.s("status");
    ctx.with(|s| {
        let list: Vec<&Value> = s
            .card
            .submerchants
            .range(begin..)
            .map(|(_, v)| v)
            .filter(|v| status.is_none_or(|st| super::str_of(v, "status") == Some(st)))
            .take(limit)
            .collect();
        let next = list.last().and_then(|v| super::int_of(v, "merchant_id")).unwrap_or(begin);
        ok_with(json!({"info_list": list, "next_begin_id": next}))
    })
}

fn apply_protocol(_ctx: &Ctx<'_>) -> Outcome {
    ok_with(json!({"category": [
        {"primary_category_id": 1, "category_name": "美食",
         "secondary_category": [{"secondary_category_id": 101, "category_name": "粤菜", "need_qualification_stuffs": ["food_service_license_id"], "can_choose_prepaid_card": 1, "can_choose_payment_card": 1}]},
        {"primary_category_id": 2, "category_name": "旅游",
         "secondary_category": [{"secondary_category_id": 201, "category_name": "景区", "need_qualification_stuffs": [], "can_choose_prepaid_card": 0, "can_choose_payment_card": 1}]},
    ]}))
}
