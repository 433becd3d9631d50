//! 电子发票 (electronic invoices): the invoicing platform (`/card/invoice/seturl`,
//! `platform/{createcard,setpdf,getpdf,updatestatus}`, `insert`), the merchant (`getauthurl`,
//! `getauthdata`, `rejectinsert`, `setbizattr?action=…`) and the reimburser
//! (`reimburse/{getinvoiceinfo,getinvoicebatch,updateinvoicestatus,updatestatusbatch}`).
//!
//! The sandbox account is both merchant and platform: its `s_pappid` is base64 of
//! `<appid>_sandbox_platform` (other values: 72031). Authorisation URLs need the merchant contact
//! first (72063, as WeChat answers) and the current `wx_card` ticket; a user authorises an order
//! through [`crate::Sandbox::authorize_invoice`]; a refused order (`rejectinsert`) answers 72035
//! from then on. `insert` needs an authorised order, a card template from `createcard` (40073
//! otherwise) and, when given, an uploaded PDF; it puts one invoice per order into the
//! authorising user's card bag, which [`crate::Sandbox::choose_invoices`] hands to a reimburser
//! as `(card_id, encrypt_code)` pairs like chooseInvoice. Statuses: INIT ↔ LOCK → CLOSURE, and
//! CANCEL (set by the platform only); CLOSURE and CANCEL are final (72031). A batch update is
//! all or nothing. Every other refusal is 72031 invalid params with a hint.

use std::collections::HashMap;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde_json::{json, Value};

use super::{Ctx, Route};
use crate::reply::{err, ok, ok_with, Outcome, WxError};
use crate::state::now_unix;
use crate::tokens::random_string;

pub(crate) fn routes() -> Vec<(&'static str, Route)> {
    vec![
        ("/card/invoice/seturl", set_url),
        ("/card/invoice/platform/createcard", create_card),
        ("/card/invoice/platform/setpdf", set_pdf),
        ("/card/invoice/platform/getpdf", get_pdf),
        ("/card/invoice/insert", insert),
        ("/card/invoice/platform/updatestatus", platform_update_status),
        ("/card/invoice/getauthurl", get_auth_url),
        ("/card/invoice/getauthdata", get_auth_data),
        ("/card/invoice/rejectinsert", reject_insert),
        ("/card/invoice/setbizattr", set_biz_attr),
        ("/card/invoice/reimburse/getinvoiceinfo", get_invoice_info),
        ("/card/invoice/reimburse/getinvoicebatch", get_invoice_batch),
        ("/card/invoice/reimburse/updateinvoicestatus", update_invoice_status),
        ("/card/invoice/reimburse/updatestatusbatch", update_status_batch),
    ]
}

const INIT: &str = "INVOICE_REIMBURSE_INIT";
const CLOSURE: &str = "INVOICE_REIMBURSE_CLOSURE";
const CANCEL: &str = "INVOICE_REIMBURSE_CANCEL";
/// Invoice cards stay valid this long in the sandbox (begin_time .. end_time).
const VALIDITY_SECS: i64 = 5 * 365 * 86_400;

/// Where an order's authorisation stands.
#[derive(Clone, Debug, PartialEq)]
enum Auth {
    /// An authorisation URL was issued; the user has not authorised yet.
    Pending,
    Authorised {
        openid: String,
        time: i64,
    },
    Rejected,
}

#[derive(Clone, Debug)]
struct Order {
    s_pappid: String,
    auth: Auth,
    invoiced: bool,
}

/// An invoice card in a user's card bag.
#[derive(Clone, Debug)]
struct Invoice {
    card_id: String,
    code: String,
    encrypt_code: String,
    openid: String,
    user_data: Value,
    status: String,
    begin_time: i64,
}

/// The merchant settings, orders, card templates, PDFs and invoices.
#[derive(Default)]
pub(crate) struct InvoiceStore {
    contact: Option<Value>,
    pay_mch: Option<Value>,
    auth_field: Option<Value>,
    orders: HashMap<String, Order>,
    /// card_id → the template's `invoice_info`.
    cards: HashMap<String, Value>,
    /// s_media_id → PDF bytes.
    pdfs: HashMap<String, Vec<u8>>,
    invoices: Vec<Invoice>,
}

impl InvoiceStore {
    /// The user `openid` authorises `order_id` on its authorisation page; `false` when no URL
    /// was issued for the order or it was refused.
    pub fn authorize(&mut self, order_id: &str, openid: &str) -> bool {
        match self.orders.get_mut(order_id) {
            Some(o) if o.auth != Auth::Rejected => {
                o.auth = Auth::Authorised { openid: openid.to_string(), time: now_unix() };
                true
            }
            _ => false,
        }
    }

    /// The invoices in `openid`'s card bag (not closed or reversed), as chooseInvoice hands them
    /// to a reimburser: `(card_id, encrypt_code)`.
    pub fn choose(&self, openid: &str) -> Vec<(String, String)> {
        self.invoices
            .iter()
            .filter(|i| i.openid == openid && i.status != CLOSURE && i.status != CANCEL)
            .map(|i| (i.card_id.clone(), i.encrypt_code.clone()))
            .collect()
    }

    fn by_encrypt_code(&self, card_id: &str, encrypt_code: &str) -> Result<usize, WxError> {
        if !self.invoices.iter().any(|i| i.card_id == card_id) && !self.cards.contains_key(card_id) {
            return Err(err(40073, "invalid card id"));
        }
        self.invoices
            .iter()
            .position(|i| i.card_id == card_id && i.encrypt_code == encrypt_code)
            .ok_or_else(|| invalid("encrypt_code"))
    }

    fn reimburse_view(&self, i: &Invoice) -> Value {
        let info = self.cards.get(&i.card_id);
        let mut user_info = i.user_data.clone();
        if let Some(obj) = user_info.as_object_mut() {
            if let Some(media) = obj.remove("s_pdf_media_id").and_then(|m| m.as_str().map(str::to_string)) {
                obj.insert("pdf_url".into(), json!(pdf_url(&media)));
            }
            if let Some(media) = obj.remove("s_trip_pdf_media_id").and_then(|m| m.as_str().map(str::to_string)) {
                obj.insert("trip_pdf_url".into(), json!(pdf_url(&media)));
            }
            obj.insert("reimburse_status".into(), json!(i.status));
        }
        json!({
            "card_id": i.card_id,
            "begin_time": i.begin_time,
            "end_time": i.begin_time + VALIDITY_SECS,
            "openid": i.openid,
            "type": info.and_then(|v| v.get("type")).cloned().unwrap_or(Value::Null),
            "payee": info.and_then(|v| v.get("payee")).cloned().unwrap_or(Value::Null),
            "detail": info.and_then(|v| v.get("detail")).cloned().unwrap_or(json!("")),
            "user_info": user_info,
        })
    }
}

fn invalid(hint: &str) -> WxError {
    err(72031, format!("invalid params, {hint}"))
}

/// The sandbox platform's `s_pappid`.
fn platform_id(appid: &str) -> String {
    STANDARD.encode(format!("{appid}_sandbox_platform"))
}

fn pdf_url(s_media_id: &str) -> String {
    format!("https://mp.weixin.qq.com/intp/invoice/getpdf?action=media_pdf&media_key={s_media_id}")
}

fn check_pappid(ctx: &Ctx<'_>) -> Result<String, WxError> {
    let s_pappid = ctx.need("s_pappid")?;
    if s_pappid != platform_id(&ctx.shared.config.appid) {
        return Err(invalid("s_pappid is not an invoicing platform's"));
    }
    Ok(s_pappid.to_string())
}

// ---- invoicing platform ----

fn set_url(ctx: &Ctx<'_>) -> Outcome {
    let id = platform_id(&ctx.shared.config.appid);
    ok_with(json!({"invoice_url": format!("https://mp.weixin.qq.com/bizmall/authinvoice?action=list&s_pappid={id}")}))
}

fn create_card(ctx: &Ctx<'_>) -> Outcome {
    let info = ctx.body.get("invoice_info").cloned().ok_or_else(|| super::missing("invoice_info"))?;
    let card_id = format!("p{}", random_string(27));
    ctx.with(|s| s.invoice.cards.insert(card_id.clone(), info));
    ok_with(json!({"card_id": card_id}))
}

fn set_pdf(ctx: &Ctx<'_>) -> Outcome {
    let part = ctx.parts.iter().find(|p| p.name == "pdf").ok_or_else(|| err(41005, "media data missing"))?;
    if part.data.is_empty() {
        return Err(err(41005, "media data missing, the pdf part is empty"));
    }
    let id = format!("{}", 10_000_000_000_000_000u64 + rand::random::<u64>() % 89_999_999_999_999_999);
    ctx.with(|s| s.invoice.pdfs.insert(id.clone(), part.data.clone()));
    ok_with(json!({"s_media_id": id}))
}

fn get_pdf(ctx: &Ctx<'_>) -> Outcome {
    let id = ctx.need("s_media_id")?.to_string();
    if !ctx.with(|s| s.invoice.pdfs.contains_key(&id)) {
        return Err(invalid("unknown s_media_id"));
    }
    ok_with(json!({"pdf_url": pdf_url(&id), "pdf_url_expire_time": 7200}))
}

fn insert(ctx: &Ctx<'_>) -> Outcome {
    let order_id = ctx.need("order_id")?.to_string();
    let card_id = ctx.need("card_id")?.to_string();
    if ctx.need("appid")? != ctx.shared.config.appid {
        return Err(invalid("appid is not the one the order was authorised with"));
    }
    let user_data = ctx
        .body
        .pointer("/card_ext/user_card/invoice_user_data")
        .cloned()
        .ok_or_else(|| super::missing("card_ext.user_card.invoice_user_data"))?;
    ctx.with(|s| {
        let store = &mut s.invoice;
        if !store.cards.contains_key(&card_id) {
            return Err(err(40073, "invalid card id"));
        }
        for key in ["s_pdf_media_id", "s_trip_pdf_media_id"] {
            if let Some(media) = user_data.get(key).and_then(Value::as_str) {
                if !store.pdfs.contains_key(media) {
                    return Err(invalid(&format!("{key} was not uploaded with setpdf")));
                }
            }
        }
        let order = store.orders.get_mut(&order_id).ok_or_else(|| invalid("order_id has no authorisation"))?;
        let openid = match &order.auth {
            Auth::Authorised { openid, .. } => openid.clone(),
            Auth::Rejected => return Err(err(72035, "biz reject insert")),
            Auth::Pending => return Err(invalid("the user has not authorised order_id")),
        };
        if order.invoiced {
            return Err(invalid("order_id was invoiced already"));
        }
        order.invoiced = true;
        let code = format!("{:012}", rand::random::<u64>() % 1_000_000_000_000);
        let mut raw = [0u8; 48];
        raw.iter_mut().for_each(|b| *b = rand::random());
        store.invoices.push(Invoice {
            card_id,
            code: code.clone(),
            encrypt_code: STANDARD.encode(raw),
            openid: openid.clone(),
            user_data,
            status: INIT.into(),
            begin_time: now_unix(),
        });
        ok_with(json!({"code": code, "openid": openid}))
    })
}

/// INIT ↔ LOCK → CLOSURE; CANCEL only when `platform`; CLOSURE and CANCEL are final.
fn transition(current: &str, next: &str, platform: bool) -> Result<(), WxError> {
    if current == CLOSURE || current == CANCEL {
        return Err(invalid("the invoice was reimbursed or reversed; its status is final"));
    }
    if next == CANCEL && !platform {
        return Err(invalid("only the invoicing platform reverses an invoice"));
    }
    Ok(())
}

fn platform_update_status(ctx: &Ctx<'_>) -> Outcome {
    let card_id = ctx.need("card_id")?.to_string();
    let code = ctx.need("code")?.to_string();
    let next = ctx.need("reimburse_status")?.to_string();
    ctx.with(|s| {
        let store = &mut s.invoice;
        if !store.cards.contains_key(&card_id) {
            return Err(err(40073, "invalid card id"));
        }
        let inv = store
            .invoices
            .iter_mut()
            .find(|i| i.card_id == card_id && i.code == code)
            .ok_or_else(|| invalid("code"))?;
        transition(&inv.status, &next, true)?;
        inv.status = next;
        ok()
    })
}

// ---- merchant ----

fn get_auth_url(ctx: &Ctx<'_>) -> Outcome {
    let s_pappid = check_pappid(ctx)?;
    let order_id = ctx.need("order_id")?.to_string();
    let ticket = ctx.need("ticket")?.to_string();
    ctx.with(|s| {
        if s.invoice.contact.is_none() {
            return Err(err(72063, "biz contact is empty, set contact first please"));
        }
        let valid = s.tickets.get("wx_card").is_some_and(|(t, exp)| *t == ticket && *exp > std::time::Instant::now());
        if !valid {
            return Err(invalid("ticket is not a valid wx_card api_ticket"));
        }
        let order = s.invoice.orders.entry(order_id.clone()).or_insert(Order {
            s_pappid: s_pappid.clone(),
            auth: Auth::Pending,
            invoiced: false,
        });
        if order.auth == Auth::Rejected {
            return Err(err(72035, "biz reject insert"));
        }
        let url = format!(
            "https://mp.weixin.qq.com/bizmall/authinvoice?action=list&s_pappid={}&order_id={}",
            s_pappid, order_id
        );
        ok_with(json!({"auth_url": url}))
    })
}

fn get_auth_data(ctx: &Ctx<'_>) -> Outcome {
    let s_pappid = check_pappid(ctx)?;
    let order_id = ctx.need("order_id")?.to_string();
    ctx.with(|s| match s.invoice.orders.get(&order_id).filter(|o| o.s_pappid == s_pappid).map(|o| &o.auth) {
        Some(Auth::Rejected) => Err(err(72035, "biz reject insert")),
        Some(Auth::Authorised { time, .. }) => ok_with(json!({"invoice_status": "auth success", "auth_time": time})),
        Some(Auth::Pending) | None => ok_with(json!({"invoice_status": "never auth"})),
    })
}

fn reject_insert(ctx: &Ctx<'_>) -> Outcome {
    check_pappid(ctx)?;
    let order_id = ctx.need("order_id")?.to_string();
    ctx.with(|s| {
        let order = s.invoice.orders.get_mut(&order_id).ok_or_else(|| invalid("unknown order_id"))?;
        if order.invoiced {
            return Err(invalid("order_id was invoiced already"));
        }
        order.auth = Auth::Rejected;
        ok()
    })
}

fn set_biz_attr(ctx: &Ctx<'_>) -> Outcome {
    let action = ctx.q("action").unwrap_or_default().to_string();
    let body = |key: &str| ctx.body.get(key).cloned().ok_or_else(|| super::missing(key));
    match action.as_str() {
        "set_auth_field" => {
            let v = body("auth_field")?;
            ctx.with(|s| s.invoice.auth_field = Some(v));
            ok()
        }
        "set_pay_mch" => {
            let v = body("paymch_info")?;
            ctx.with(|s| s.invoice.pay_mch = Some(v));
            ok()
        }
        "set_contact" => {
            let v = body("contact")?;
            ctx.with(|s| s.invoice.contact = Some(v));
            ok()
        }
        "get_auth_field" => {
            let v = ctx.with(|s| s.invoice.auth_field.clone()).unwrap_or_else(|| json!({}));
            ok_with(json!({"auth_field": v}))
        }
        "get_pay_mch" => match ctx.with(|s| s.invoice.pay_mch.clone()) {
            Some(v) => ok_with(json!({"paymch_info": v})),
            None => ok(),
        },
        "get_contact" => match ctx.with(|s| s.invoice.contact.clone()) {
            Some(v) => ok_with(json!({"contact": v})),
            None => ok(),
        },
        _ => Err(invalid("action")),
    }
}

// ---- reimburser ----

fn get_invoice_info(ctx: &Ctx<'_>) -> Outcome {
    let card_id = ctx.need("card_id")?.to_string();
    let encrypt_code = ctx.need("encrypt_code")?.to_string();
    ctx.with(|s| {
        let store = &s.invoice;
        let i = store.by_encrypt_code(&card_id, &encrypt_code)?;
        ok_with(store.reimburse_view(&store.invoices[i]))
    })
}

/// `(card_id, encrypt_code)` of each entry of the list at `key`.
fn refs(ctx: &Ctx<'_>, key: &str) -> Result<Vec<(String, String)>, WxError> {
    let list = ctx.body.get(key).and_then(Value::as_array).ok_or_else(|| super::missing(key))?;
    list.iter()
        .map(|item| match (super::str_of(item, "card_id"), super::str_of(item, "encrypt_code")) {
            (Some(c), Some(e)) => Ok((c.to_string(), e.to_string())),
            _ => Err(super::missing(&format!("{key}.card_id/encrypt_code"))),
        })
        .collect()
}

fn get_invoice_batch(ctx: &Ctx<'_>) -> Outcome {
    let wanted = refs(ctx, "item_list")?;
    ctx.with(|s| {
        let store = &s.invoice;
        let items: Vec<Value> = wanted
            .iter()
            .filter_map(|(c, e)| store.invoices.iter().find(|i| &i.card_id == c && &i.encrypt_code == e))
            .map(|i| store.reimburse_view(i))
            .collect();
        ok_with(json!({"item_list": items}))
    })
}

fn update_invoice_status(ctx: &Ctx<'_>) -> Outcome {
    let card_id = ctx.need("card_id")?.to_string();
    let encrypt_code = ctx.need("encrypt_code")?.to_string();
    let next = ctx.need("reimburse_status")?.to_string();
    ctx.with(|s| {
        let store = &mut s.invoice;
        let i = store.by_encrypt_code(&card_id, &encrypt_code)?;
        transition(&store.invoices[i].status, &next, false)?;
        store.invoices[i].status = next;
        ok()
    })
}

fn update_status_batch(ctx: &Ctx<'_>) -> Outcome {
    let openid = ctx.need("openid")?.to_string();
    let next = ctx.need("reimburse_status")?.to_string();
    let wanted = refs(ctx, "invoice_list")?;
    ctx.with(|s| {
        let store = &mut s.invoice;
        // All or nothing: check every invoice before changing any.
        let mut found = Vec::with_capacity(wanted.len());
        for (card_id, encrypt_code) in &wanted {
            let i = store.by_encrypt_code(card_id, encrypt_code)?;
            if store.invoices[i].openid != openid {
                return Err(invalid("an invoice of invoice_list is not the user's"));
            }
            transition(&store.invoices[i].status, &next, false)?;
            found.push(i);
        }
        for i in found {
            store.invoices[i].status = next.clone();
        }
        ok()
    })
}
