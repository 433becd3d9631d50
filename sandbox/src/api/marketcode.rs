//! 一物一码 (unique item codes): `/intp/marketcode/{applycode, applycodequery,
//! applycodedownload, codeactive, codeactivequery, tickettocode}`.
//!
//! An application (`applycode`) is generated at once (`status` FINISH, one range
//! `0..=code_count-1`); the same `isv_application_id` answers the same `application_id`, a
//! `code_count` that is not a multiple of 10 000 is refused (40097). An application id this
//! account never got answers 80301 (申请单不属于该账号). Each code has a nine-character raw code
//! and a 28-character URL (`P.URL.CN/0U.` + 16 characters) derived from its application and
//! index. `applycodedownload` answers base64 of the range encrypted with AES-128-CBC, PKCS#7
//! padding, key [`MarketCodeStore::key`] and IV = the key (the sandbox's stand-in for the key
//! WeChat issues with the permission); the plaintext has one line per code,
//! `index,code,code_url`, at most 100 000 codes per download (40097). `codeactive` activates a
//! range (a later activation of the same codes wins); [`crate::Sandbox::scan_market_code`]
//! simulates a user scanning an activated code and hands out the `code_ticket` the mini program
//! receives, which `tickettocode` turns back into the code for that user only (40097 openid
//! invalid, as WeChat answers).

use std::collections::HashMap;

use aes::cipher::block_padding::NoPadding;
use aes::cipher::{BlockEncryptMut, KeyIvInit};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde_json::{json, Map, Value};

use super::{Ctx, Route};
use crate::reply::{err, ok, ok_with, Outcome, WxError};
use crate::state::{mix, now_unix};
use crate::tokens::random_string;

pub(crate) fn routes() -> Vec<(&'static str, Route)> {
    vec![
        ("/intp/marketcode/applycode", apply),
        ("/intp/marketcode/applycodequery", query),
        ("/intp/marketcode/applycodedownload", download),
        ("/intp/marketcode/codeactive", activate),
        ("/intp/marketcode/codeactivequery", active_query),
        ("/intp/marketcode/tickettocode", ticket_to_code),
    ]
}

/// Codes per application are indexed below this bound (20 000 000 is the documented maximum).
const INDEX_SPAN: u64 = 1 << 25;
/// The most codes one download answers (the sandbox's bound; WeChat documents none).
const MAX_DOWNLOAD: i64 = 100_000;
const URL_PREFIX: &str = "P.URL.CN/0U.";
const BASE36: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";

type Enc = cbc::Encryptor<aes::Aes128>;

/// One activated range of an application.
#[derive(Clone, Debug)]
struct Activation {
    code_start: i64,
    code_end: i64,
    fields: Map<String, Value>,
}

/// One code application.
#[derive(Clone, Debug)]
struct Application {
    application_id: i64,
    isv_application_id: String,
    /// 1-based order of the application in this sandbox (part of each code).
    ordinal: u64,
    code_count: i64,
    create_time: i64,
    activations: Vec<Activation>,
}

impl Application {
    fn activation(&self, index: i64) -> Option<&Activation> {
        self.activations.iter().rev().find(|a| (a.code_start..=a.code_end).contains(&index))
    }
}

/// Applications, activations and the tickets of simulated scans.
pub(crate) struct MarketCodeStore {
    key: [u8; 16],
    apps: Vec<Application>,
    next_id: i64,
    /// code_ticket → (application id, code index, the scanning user's OpenID).
    tickets: HashMap<String, (i64, i64, String)>,
}

impl Default for MarketCodeStore {
    fn default() -> Self {
        let mut key = [0u8; 16];
        key.copy_from_slice(&random_string(16).into_bytes()[..16]);
        MarketCodeStore { key, apps: Vec::new(), next_id: 581_865_877, tickets: HashMap::new() }
    }
}

fn base36(mut n: u64, width: usize) -> String {
    let mut out = vec![b'0'; width];
    for slot in out.iter_mut().rev() {
        *slot = BASE36[(n % 36) as usize];
        n /= 36;
    }
    String::from_utf8(out).unwrap_or_default()
}

fn unbase36(s: &str) -> Option<u64> {
    s.bytes().try_fold(0u64, |acc, b| {
        let d = BASE36.iter().position(|c| *c == b.to_ascii_uppercase())? as u64;
        acc.checked_mul(36)?.checked_add(d)
    })
}

impl MarketCodeStore {
    /// The AES-128 key (also the IV) of the downloaded packages.
    pub fn key(&self) -> [u8; 16] {
        self.key
    }

    fn app(&self, id: i64) -> Result<&Application, WxError> {
        self.apps.iter().find(|a| a.application_id == id).ok_or_else(foreign)
    }

    fn code_of(app: &Application, index: i64) -> String {
        base36(app.ordinal * INDEX_SPAN + index as u64, 9)
    }

    fn url_of(code: &str) -> String {
        let salt = base36(mix(unbase36(code).unwrap_or(0)) % 36u64.pow(7), 7);
        format!("{URL_PREFIX}{salt}{code}")
    }

    /// (application, index) of a raw code or a code URL.
    fn find(&self, code: &str) -> Option<(&Application, i64)> {
        let raw = match code.strip_prefix(URL_PREFIX) {
            Some(rest) if rest.len() == 16 && rest.is_ascii() => &rest[7..],
            Some(_) => return None,
            None => code,
        };
        if raw.len() != 9 || (raw != code && Self::url_of(raw) != code) {
            return None;
        }
        let code = raw;
        let n = unbase36(code)?;
        let (ordinal, index) = (n / INDEX_SPAN, (n % INDEX_SPAN) as i64);
        let app = self.apps.iter().find(|a| a.ordinal == ordinal)?;
        (index < app.code_count).then_some((app, index))
    }

    /// A user scans the code (raw code or URL): the `code_ticket` handed to the mini program, or
    /// `None` when the code does not exist or is not activated.
    pub fn scan(&mut self, code: &str, openid: &str) -> Option<String> {
        let (app, index) = self.find(code)?;
        app.activation(index)?;
        let id = app.application_id;
        let ticket: String = format!("{:016x}{:016x}", rand::random::<u64>(), rand::random::<u64>());
        self.tickets.insert(ticket.clone(), (id, index, openid.to_string()));
        Some(ticket)
    }

    /// The code's answer: the code and its application, plus its activation when it has one.
    fn info(app: &Application, index: i64, with_type: bool) -> Value {
        let code = Self::code_of(app, index);
        let mut out = Map::new();
        out.insert("code".into(), json!(code));
        out.insert("application_id".into(), json!(app.application_id));
        out.insert("isv_application_id".into(), json!(app.isv_application_id));
        if let Some(a) = app.activation(index) {
            for (k, v) in &a.fields {
                if with_type || k != "wxa_type" {
                    out.insert(k.clone(), v.clone());
                }
            }
            out.insert("code_start".into(), json!(a.code_start));
            out.insert("code_end".into(), json!(a.code_end));
        }
        Value::Object(out)
    }
}

fn foreign() -> WxError {
    err(80301, "申请单不属于该账号 (the application does not belong to this account)")
}

fn invalid(msg: &str) -> WxError {
    err(40097, format!("invalid args, {msg}"))
}

fn apply(ctx: &Ctx<'_>) -> Outcome {
    let count = ctx.i("code_count").ok_or_else(|| super::missing("code_count"))?;
    let isv = ctx.need("isv_application_id")?.to_string();
    if count % 10_000 != 0 {
        return Err(invalid("code_count must be a multiple of 10000"));
    }
    ctx.with(|s| {
        let store = &mut s.marketcode;
        if let Some(a) = store.apps.iter().find(|a| a.isv_application_id == isv) {
            return ok_with(json!({"application_id": a.application_id}));
        }
        let id = store.next_id;
        store.next_id += 1;
        let ordinal = store.apps.len() as u64 + 1;
        store.apps.push(Application {
            application_id: id,
            isv_application_id: isv,
            ordinal,
            code_count: count,
            create_time: now_unix(),
            activations: Vec::new(),
        });
        ok_with(json!({"application_id": id}))
    })
}

fn query(ctx: &Ctx<'_>) -> Outcome {
    let id = ctx.i("application_id");
    let isv = ctx.s("isv_application_id");
    if id.is_none() && isv.is_none() {
        return Err(invalid("give application_id or isv_application_id"));
    }
    ctx.with(|s| {
        let app = s
            .marketcode
            .apps
            .iter()
            .find(|a| id.is_none_or(|id| a.application_id == id) && isv.is_none_or(|i| a.isv_application_id == i))
            .ok_or_else(foreign)?;
        ok_with(json!({
            "status": "FINISH",
            "application_id": app.application_id,
            "isv_application_id": app.isv_application_id,
            "code_generate_list": [{"code_start": 0, "code_end": app.code_count - 1}],
            "create_time": app.create_time,
            "update_time": app.create_time,
        }))
    })
}

/// `start..=end` within the application's codes, else 40097.
fn range(app: &Application, start: i64, end: i64) -> Result<(), WxError> {
    if start < 0 || end < start || end >= app.code_count {
        return Err(invalid("code_start/code_end outside the application's codes"));
    }
    Ok(())
}

fn download(ctx: &Ctx<'_>) -> Outcome {
    let id = ctx.i("application_id").ok_or_else(|| super::missing("application_id"))?;
    let start = ctx.i("code_start").ok_or_else(|| super::missing("code_start"))?;
    let end = ctx.i("code_end").ok_or_else(|| super::missing("code_end"))?;
    ctx.with(|s| {
        let store = &s.marketcode;
        let app = store.app(id)?;
        range(app, start, end)?;
        if end - start + 1 > MAX_DOWNLOAD {
            return Err(invalid("at most 100000 codes per download"));
        }
        let mut plain = String::new();
        for index in start..=end {
            let code = MarketCodeStore::code_of(app, index);
            let url = MarketCodeStore::url_of(&code);
            plain.push_str(&format!("{index},{code},{url}\n"));
        }
        ok_with(json!({"buffer": encrypt(&store.key, plain.as_bytes())}))
    })
}

/// base64(AES-128-CBC(key, IV = key, PKCS#7(data))).
fn encrypt(key: &[u8; 16], data: &[u8]) -> String {
    let mut buf = data.to_vec();
    let pad = 16 - buf.len() % 16;
    buf.extend(std::iter::repeat_n(pad as u8, pad));
    let len = buf.len();
    // The length is a multiple of 16, so NoPadding cannot fail.
    match Enc::new(key.into(), key.into()).encrypt_padded_mut::<NoPadding>(&mut buf, len) {
        Ok(ct) => STANDARD.encode(ct),
        Err(_) => String::new(),
    }
}

fn activate(ctx: &Ctx<'_>) -> Outcome {
    let id = ctx.i("application_id").ok_or_else(|| super::missing("application_id"))?;
    let start = ctx.i("code_start").ok_or_else(|| super::missing("code_start"))?;
    let end = ctx.i("code_end").ok_or_else(|| super::missing("code_end"))?;
    let mut fields = Map::new();
    for key in ["activity_name", "product_brand", "product_title", "product_code", "wxa_appid", "wxa_path"] {
        fields.insert(key.into(), json!(ctx.need(key)?));
    }
    fields.insert("wxa_type".into(), json!(ctx.i("wxa_type").unwrap_or(0)));
    ctx.with(|s| {
        let app = s.marketcode.apps.iter_mut().find(|a| a.application_id == id).ok_or_else(foreign)?;
        range(app, start, end)?;
        app.activations.push(Activation { code_start: start, code_end: end, fields });
        ok()
    })
}

fn active_query(ctx: &Ctx<'_>) -> Outcome {
    let by_index = ctx.i("application_id").map(|id| (id, ctx.i("code_index")));
    let by_code = ctx.s("code").or_else(|| ctx.s("code_url")).map(str::to_string);
    ctx.with(|s| {
        let store = &s.marketcode;
        let (app, index) = match (by_index, by_code) {
            (Some((_, None)), _) => return Err(invalid("code_index is required with application_id")),
            (Some((id, Some(index))), _) => {
                let app = store.app(id)?;
                if !(0..app.code_count).contains(&index) {
                    return Err(invalid("code_index outside the application's codes"));
                }
                (app, index)
            }
            (None, Some(code)) => store.find(&code).ok_or_else(|| invalid("unknown code or code_url"))?,
            (None, None) => return Err(invalid("give application_id and code_index, code or code_url")),
        };
        ok_with(MarketCodeStore::info(app, index, true))
    })
}

fn ticket_to_code(ctx: &Ctx<'_>) -> Outcome {
    let openid = ctx.need("openid")?.to_string();
    let ticket = ctx.need("code_ticket")?.to_string();
    ctx.with(|s| {
        let store = &s.marketcode;
        let (id, index, scanner) = store.tickets.get(&ticket).cloned().ok_or_else(|| invalid("code_ticket invalid"))?;
        if scanner != openid {
            return Err(invalid("openid invalid"));
        }
        let app = store.app(id)?;
        ok_with(MarketCodeStore::info(app, index, false))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_urls_decode_to_their_application_and_index() {
        let mut store = MarketCodeStore::default();
        for ordinal in 1..=2 {
            store.apps.push(Application {
                application_id: ordinal as i64,
                isv_application_id: format!("isv{ordinal}"),
                ordinal,
                code_count: 20_000_000,
                create_time: 0,
                activations: Vec::new(),
            });
        }
        for (ordinal, index) in [(1u64, 0i64), (2, 19_999_999), (1, 12_345)] {
            let app = store.apps[ordinal as usize - 1].clone();
            let code = MarketCodeStore::code_of(&app, index);
            let url = MarketCodeStore::url_of(&code);
            assert_eq!((code.len(), url.len()), (9, 28));
            for key in [&code, &url] {
                let (found, i) = store.find(key).expect("found");
                assert_eq!((found.ordinal, i), (ordinal, index));
            }
        }
        assert!(store.find("P.URL.CN/0U.JYJXP3HJI2C98A9O").is_none());
    }
}
