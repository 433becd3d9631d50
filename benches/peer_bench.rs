//! wechat-oa on the peer benchmark's scenarios (`shared/bench/README.md`, "Adding an
//! implementation"): one scenario per process, one checked run, a warm-up of min(N/10, 2000)
//! operations, then N timed operations on one thread, and the line
//! `RESULT <peer> <scenario> <N> <ops_per_sec> <us_per_op>`.
//!
//! ```sh
//! cargo build --release --example peer_bench
//! target/release/examples/peer_bench callback-encrypted 500000
//! ```
//!
//! Scenarios:
//! - `callback-plain`, `callback-encrypted`: the SDK's public path (`Callback::open`,
//!   `Message::reply_text`, `Reply::to_xml`, `Callback::encrypt_reply` over the request's
//!   timestamp and nonce). Peer `wechat-oa`.
//! - `raw-plain`, `raw-encrypted`: the same work with bare primitives (`sha1`, `aes`/`cbc`,
//!   `base64`, `quick-xml` events, `format!`), no SDK code: the floor the SDK is compared with.
//!   Peer `wechat-oa`.
//! - `template-send`, `user-info`, `user-get-10k`: the SDK has no pluggable transport, so these
//!   run the serde work of a call only: the request's query string and JSON body serialized from
//!   the generated types as the client does, and the answer decoded as the client does (the
//!   byte scan for `errcode`, the envelope check, `serde_json` into the generated response type).
//!   Peer `wechat-oa-serde`: no token lookup, retry or HTTP layer is included.
//!
//! - `steps-encrypted` (diagnostic, no `RESULT` line): µs per step of `callback-encrypted`,
//!   each step timed alone over N rounds through the SDK's public pieces.
//!
//! Inputs: `$WECHAT_OA_BENCH_INPUTS`, else `../shared/bench/inputs` next to this repository.

use std::collections::BTreeMap;
use std::hint::black_box;
use std::path::PathBuf;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use aes::cipher::{block_padding::NoPadding, BlockDecryptMut, BlockEncryptMut, InnerIvInit, KeyInit, KeyIvInit};
use base64::Engine as _;
use quick_xml::events::Event;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha1::{Digest, Sha1};
use wechat_oa::api::template::{SendResponse, TemplateDataValue, TemplateMiniProgram};
use wechat_oa::api::user::{FollowerInfo, ListResponse};
use wechat_oa::callback::{Callback, CallbackQuery, Inbound, MessageKind};

type Res<T> = Result<T, Box<dyn std::error::Error>>;

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(scenario), Some(n)) = (args.first(), args.get(1).and_then(|s| s.parse::<u64>().ok())) else {
        eprintln!("usage: peer_bench SCENARIO N");
        std::process::exit(2);
    };
    if let Err(e) = run(scenario, n) {
        eprintln!("peer_bench {scenario}: {e}");
        std::process::exit(1);
    }
}

fn inputs_dir() -> PathBuf {
    match std::env::var_os("WECHAT_OA_BENCH_INPUTS") {
        Some(p) => PathBuf::from(p),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/bench/inputs"),
    }
}

/// The fixed inputs, read once, outside every timed loop.
struct Inputs {
    cfg: Value,
    token: String,
    appid: String,
    gh_id: String,
    openid: String,
    reply_content: String,
    plain_body: Vec<u8>,
    plain_q: Value,
    enc_body: Vec<u8>,
    enc_q: Value,
    template: Value,
    template_resp: Vec<u8>,
    user_info_resp: Vec<u8>,
    user_get_resp: Vec<u8>,
}

impl Inputs {
    fn load() -> Res<Inputs> {
        let dir = inputs_dir();
        let read = |name: &str| std::fs::read(dir.join(name)).map_err(|e| format!("{}: {e}", dir.join(name).display()));
        let json = |name: &str| -> Res<Value> { Ok(serde_json::from_slice(&read(name)?)?) };
        let cfg = json("config.json")?;
        let s = |k: &str| cfg[k].as_str().map(str::to_string).ok_or_else(|| format!("config.json: no {k}"));
        Ok(Inputs {
            token: s("token")?,
            appid: s("appid")?,
            gh_id: s("gh_id")?,
            openid: s("openid")?,
            reply_content: s("reply_content")?,
            plain_body: read("plain_body.xml")?,
            plain_q: json("plain_query.json")?,
            enc_body: read("encrypted_body.xml")?,
            enc_q: json("encrypted_query.json")?,
            template: json("template_send_request.json")?,
            template_resp: read("template_send_response.json")?,
            user_info_resp: read("user_info_response.json")?,
            user_get_resp: read("user_get_response.json")?,
            cfg,
        })
    }

    fn aes_key(&self) -> Res<[u8; 32]> {
        let hex = self.cfg["aes_key_hex"].as_str().ok_or("config.json: no aes_key_hex")?;
        let bytes: Vec<u8> = (0..hex.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(hex.get(i..i + 2).unwrap_or("zz"), 16))
            .collect::<Result<_, _>>()?;
        Ok(bytes.try_into().map_err(|_| "aes_key_hex is not 32 bytes")?)
    }
}

fn query(v: &Value) -> CallbackQuery {
    let s = |k: &str| v[k].as_str().map(str::to_string);
    CallbackQuery {
        signature: s("signature"),
        timestamp: s("timestamp"),
        nonce: s("nonce"),
        echostr: s("echostr"),
        encrypt_type: s("encrypt_type"),
        msg_signature: s("msg_signature"),
        openid: s("openid"),
    }
}

fn bench<T>(peer: &str, scenario: &str, n: u64, mut op: impl FnMut() -> T) {
    let warm = (n / 10).clamp(1, 2000);
    for _ in 0..warm {
        black_box(op());
    }
    let t0 = Instant::now();
    for _ in 0..n {
        black_box(op());
    }
    let dt = t0.elapsed().as_secs_f64();
    println!("RESULT {peer} {scenario} {n} {:.1} {:.3}", n as f64 / dt, dt / n as f64 * 1e6);
}

fn run(scenario: &str, n: u64) -> Res<()> {
    let inp = Inputs::load()?;
    match scenario {
        "callback-plain" => {
            let cb = Callback::new(&inp.token, &inp.appid).replay_window(None);
            let q = query(&inp.plain_q);
            let op = || sdk_callback(&cb, &q, &inp.plain_body);
            check_reply_xml(&inp, &op()?)?;
            let bad = CallbackQuery { signature: Some("0".repeat(40)), ..q.clone() };
            if sdk_callback(&cb, &bad, &inp.plain_body).is_ok() {
                return Err("a signature of forty 0 was accepted".into());
            }
            bench("wechat-oa", scenario, n, op);
        }
        "callback-encrypted" => {
            let encoding_aes_key = inp.cfg["encoding_aes_key"].as_str().ok_or("config.json: no encoding_aes_key")?;
            let cb = Callback::new(&inp.token, &inp.appid).replay_window(None).with_aes_key(encoding_aes_key)?;
            let q = query(&inp.enc_q);
            let op = || sdk_callback(&cb, &q, &inp.enc_body);
            check_encrypted_reply(&inp, &op()?)?;
            let bad = CallbackQuery { msg_signature: Some("0".repeat(40)), ..q.clone() };
            if sdk_callback(&cb, &bad, &inp.enc_body).is_ok() {
                return Err("a msg_signature of forty 0 was accepted".into());
            }
            bench("wechat-oa", scenario, n, op);
        }
        "raw-plain" => {
            let raw = Raw::new(&inp)?;
            let q = query(&inp.plain_q);
            let op = || raw.plain(&q, &inp.plain_body);
            check_reply_xml(&inp, &op()?)?;
            let bad = CallbackQuery { signature: Some("0".repeat(40)), ..q.clone() };
            if raw.plain(&bad, &inp.plain_body).is_ok() {
                return Err("a signature of forty 0 was accepted".into());
            }
            bench("wechat-oa", scenario, n, op);
        }
        "raw-encrypted" => {
            let raw = Raw::new(&inp)?;
            let q = query(&inp.enc_q);
            let op = || raw.encrypted(&q, &inp.enc_body);
            check_encrypted_reply(&inp, &op()?)?;
            let bad = CallbackQuery { msg_signature: Some("0".repeat(40)), ..q.clone() };
            if raw.encrypted(&bad, &inp.enc_body).is_ok() {
                return Err("a msg_signature of forty 0 was accepted".into());
            }
            bench("wechat-oa", scenario, n, op);
        }
        "template-send" => {
            let t = TemplateInput::from_json(&inp.template)?;
            let op = || template_send(&t, &inp.template_resp);
            let (body, resp) = op()?;
            check_template_body(&inp.template, &body)?;
            if resp.msgid != Some(200_228_332) {
                return Err(format!("msgid {:?}", resp.msgid).into());
            }
            bench("wechat-oa-serde", scenario, n, op);
        }
        "user-info" => {
            let op = || user_info(&inp.openid, &inp.user_info_resp);
            let r = op()?;
            if r.openid != inp.openid || r.subscribe != Some(1) || r.tagid_list != [128, 2, 117] {
                return Err(format!("unexpected user info: {r:?}").into());
            }
            bench("wechat-oa-serde", scenario, n, op);
        }
        "user-get-10k" => {
            let op = || user_get(&inp.user_get_resp);
            let r = op()?;
            let ids = r.data.as_ref().map(|d| &d.openid);
            let (len, last) = ids.map_or((0, None), |ids| (ids.len(), ids.last()));
            if r.count != Some(10_000) || len != 10_000 || last != r.next_openid.as_deref() {
                return Err("unexpected follower page".into());
            }
            bench("wechat-oa-serde", scenario, n, op);
        }
        "steps-encrypted" => steps_encrypted(&inp, n)?,
        other => return Err(format!("unknown scenario {other}").into()),
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// The SDK's callback path.

/// verify → (decrypt) → parse → text reply `echo: <Content>` → render (and for an encrypted
/// push: encrypt and sign over the request's timestamp and nonce).
fn sdk_callback(cb: &Callback, q: &CallbackQuery, body: &[u8]) -> Res<String> {
    let inbound: Inbound = cb.open(q, body)?;
    let MessageKind::Text(text) = &inbound.message.kind else {
        return Err("not a text message".into());
    };
    let reply = inbound.message.reply_text(format!("echo: {}", text.content));
    if !inbound.encrypted {
        return Ok(reply.to_xml());
    }
    let (ts, nonce) = (q.timestamp.as_deref().unwrap_or_default(), q.nonce.as_deref().unwrap_or_default());
    Ok(cb.encrypt_reply(&reply.to_xml(), ts, nonce)?)
}

/// Times each step of the encrypted callback alone (the same calls `Callback::open` and
/// `Callback::encrypt_reply` make, through their public pieces) and prints µs per step.
fn steps_encrypted(inp: &Inputs, n: u64) -> Res<()> {
    use wechat_oa::callback::{signature, xml, AesKey, Message};
    let encoding_aes_key = inp.cfg["encoding_aes_key"].as_str().ok_or("config.json: no encoding_aes_key")?;
    let key = AesKey::from_encoding_aes_key(encoding_aes_key)?;
    let cb = Callback::new(&inp.token, &inp.appid).replay_window(None).with_aes_key(encoding_aes_key)?;
    let q = query(&inp.enc_q);
    let (ts, nonce) = ts_nonce(&q)?;
    let ms = q.msg_signature.as_deref().unwrap_or_default();
    let outer = xml::parse_xml(&inp.enc_body, usize::MAX)?;
    let encrypt = outer.child_text("Encrypt").ok_or("no Encrypt")?.to_string();
    let inner = key.decrypt(&encrypt, &inp.appid)?;
    let root = xml::parse_xml(inner.as_bytes(), usize::MAX)?;
    let msg = Message::from_element(&root)?;
    let reply = msg.reply_text(format!("echo: {}", inp.reply_content));
    let reply_xml = reply.to_xml();
    let reply_enc = key.encrypt(&reply_xml, &inp.appid);
    let time = |name: &str, f: &mut dyn FnMut() -> bool| {
        let t0 = Instant::now();
        let mut ok = true;
        for _ in 0..n {
            ok &= black_box(f());
        }
        println!(
            "STEP {name:<40} {:>8.3} us{}",
            t0.elapsed().as_secs_f64() / n as f64 * 1e6,
            if ok { "" } else { " (FAILED)" }
        );
    };
    time("open (whole)", &mut || cb.open(&q, &inp.enc_body).is_ok());
    time("  parse_xml(outer) + child_text", &mut || {
        xml::parse_xml(&inp.enc_body, usize::MAX).map(|r| r.child_text("Encrypt").is_some()).unwrap_or(false)
    });
    time("  msg_signature + matches", &mut || {
        signature::matches(&signature::msg_signature(&inp.token, ts, nonce, &encrypt), ms)
    });
    time("  AesKey::decrypt", &mut || key.decrypt(&encrypt, &inp.appid).is_ok());
    time("  parse_xml(inner)", &mut || xml::parse_xml(inner.as_bytes(), usize::MAX).is_ok());
    time("  Message::from_element", &mut || Message::from_element(&root).is_ok());
    time("reply_text + Reply::to_xml", &mut || {
        !msg.reply_text(format!("echo: {}", inp.reply_content)).to_xml().is_empty()
    });
    time("encrypt_reply (whole)", &mut || cb.encrypt_reply(&reply_xml, ts, nonce).is_ok());
    time("  AesKey::encrypt", &mut || !key.encrypt(&reply_xml, &inp.appid).is_empty());
    time("  msg_signature (reply)", &mut || !signature::msg_signature(&inp.token, ts, nonce, &reply_enc).is_empty());
    time("whole callback-encrypted op", &mut || sdk_callback(&cb, &q, &inp.enc_body).is_ok());
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// The raw limit: bare primitives, no SDK code.

type RawDec = cbc::Decryptor<aes::Aes256>;
type RawEnc = cbc::Encryptor<aes::Aes256>;

struct Raw {
    token: String,
    appid: String,
    /// The expanded key schedule, built once (as the Python raw limit builds its cipher once).
    cipher: aes::Aes256,
    iv: [u8; 16],
}

impl Raw {
    fn new(inp: &Inputs) -> Res<Raw> {
        let key = inp.aes_key()?;
        let mut iv = [0u8; 16];
        iv.copy_from_slice(&key[..16]);
        Ok(Raw { token: inp.token.clone(), appid: inp.appid.clone(), cipher: aes::Aes256::new(&key.into()), iv })
    }

    fn plain(&self, q: &CallbackQuery, body: &[u8]) -> Res<String> {
        let (ts, nonce) = ts_nonce(q)?;
        if !hex_eq(&sha1_sorted(&mut [&self.token, ts, nonce]), q.signature.as_deref()) {
            return Err("bad signature".into());
        }
        text_reply(body)
    }

    fn encrypted(&self, q: &CallbackQuery, body: &[u8]) -> Res<String> {
        let (ts, nonce) = ts_nonce(q)?;
        let encrypt = xml_field(body, b"Encrypt")?.ok_or("no Encrypt")?;
        if !hex_eq(&sha1_sorted(&mut [&self.token, ts, nonce, &encrypt]), q.msg_signature.as_deref()) {
            return Err("bad msg_signature".into());
        }
        let mut buf = B64.decode(encrypt.as_bytes())?;
        let block = RawDec::inner_iv_init(self.cipher.clone(), &self.iv.into())
            .decrypt_padded_mut::<NoPadding>(&mut buf)
            .map_err(|_| "not whole blocks")?;
        let pad = usize::from(*block.last().ok_or("empty")?);
        if !(1..=32).contains(&pad) || block.len() < 20 + pad {
            return Err("bad padding".into());
        }
        let len = u32::from_be_bytes([block[16], block[17], block[18], block[19]]) as usize;
        let rest = &block[20..block.len() - pad];
        if len > rest.len() || &rest[len..] != self.appid.as_bytes() {
            return Err("bad length or appid".into());
        }
        let reply = text_reply(&rest[..len])?;

        let mut prefix = [0u8; 16];
        rand::Rng::fill(&mut rand::rng(), &mut prefix);
        let plain_len = 20 + reply.len() + self.appid.len();
        let pad = 32 - plain_len % 32;
        let mut out = Vec::with_capacity(plain_len + pad);
        out.extend_from_slice(&prefix);
        out.extend_from_slice(&(reply.len() as u32).to_be_bytes());
        out.extend_from_slice(reply.as_bytes());
        out.extend_from_slice(self.appid.as_bytes());
        out.resize(plain_len + pad, pad as u8);
        let n = out.len();
        let ct = RawEnc::inner_iv_init(self.cipher.clone(), &self.iv.into())
            .encrypt_padded_mut::<NoPadding>(&mut out, n)
            .map_err(|_| "not whole blocks")?;
        let enc = B64.encode(ct);
        let sig = sha1_sorted(&mut [&self.token, ts, nonce, &enc]);
        let sig = std::str::from_utf8(&sig)?;
        Ok(format!(
            "<xml><Encrypt><![CDATA[{enc}]]></Encrypt><MsgSignature><![CDATA[{sig}]]></MsgSignature>\
             <TimeStamp>{ts}</TimeStamp><Nonce><![CDATA[{nonce}]]></Nonce></xml>"
        ))
    }
}

fn ts_nonce(q: &CallbackQuery) -> Res<(&str, &str)> {
    Ok((q.timestamp.as_deref().ok_or("no timestamp")?, q.nonce.as_deref().ok_or("no nonce")?))
}

fn sha1_sorted(parts: &mut [&str]) -> [u8; 40] {
    parts.sort_unstable();
    let mut h = Sha1::new();
    for p in parts.iter() {
        h.update(p.as_bytes());
    }
    let digest = h.finalize();
    let mut out = [0u8; 40];
    for (i, b) in digest.iter().enumerate() {
        out[2 * i] = b"0123456789abcdef"[usize::from(b >> 4)];
        out[2 * i + 1] = b"0123456789abcdef"[usize::from(b & 15)];
    }
    out
}

fn hex_eq(want: &[u8; 40], got: Option<&str>) -> bool {
    // Constant time, as every peer compares (hmac.compare_digest and friends).
    got.is_some_and(|g| g.len() == 40 && want.iter().zip(g.bytes()).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0)
}

/// The direct children of the root element, as (name, text) with CDATA and text joined.
fn xml_children(xml: &[u8]) -> Res<Vec<(Vec<u8>, String)>> {
    let mut reader = quick_xml::Reader::from_reader(xml);
    let mut depth = 0usize;
    let mut out: Vec<(Vec<u8>, String)> = Vec::with_capacity(8);
    loop {
        match reader.read_event()? {
            Event::DocType(_) => return Err("DOCTYPE".into()),
            Event::Start(s) => {
                depth += 1;
                if depth == 2 {
                    out.push((s.name().as_ref().to_vec(), String::new()));
                }
            }
            Event::End(_) => depth = depth.checked_sub(1).ok_or("unbalanced")?,
            Event::CData(c) if depth == 2 => {
                if let Some(last) = out.last_mut() {
                    last.1.push_str(std::str::from_utf8(&c)?);
                }
            }
            Event::Text(t) if depth == 2 => {
                if let Some(last) = out.last_mut() {
                    last.1.push_str(&t.decode()?);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(out)
}

fn xml_field(xml: &[u8], name: &[u8]) -> Res<Option<String>> {
    Ok(xml_children(xml)?.into_iter().find(|(n, _)| n == name).map(|(_, t)| t))
}

fn text_reply(msg_xml: &[u8]) -> Res<String> {
    let fields = xml_children(msg_xml)?;
    let get = |name: &[u8]| fields.iter().find(|(n, _)| n == name).map(|(_, t)| t.as_str()).ok_or("missing field");
    let now = SystemTime::now().duration_since(UNIX_EPOCH)?.as_secs();
    Ok(format!(
        "<xml><ToUserName><![CDATA[{}]]></ToUserName><FromUserName><![CDATA[{}]]></FromUserName>\
         <CreateTime>{now}</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[echo: {}]]></Content></xml>",
        get(b"FromUserName")?,
        get(b"ToUserName")?,
        get(b"Content")?
    ))
}

// ---------------------------------------------------------------------------------------------
// REST scenarios at the serde level.

/// The template message's fields as a caller holds them before the call.
struct TemplateInput {
    touser: String,
    template_id: String,
    url: String,
    mp_appid: String,
    mp_pagepath: String,
    data: Vec<(String, String)>,
}

impl TemplateInput {
    fn from_json(v: &Value) -> Res<TemplateInput> {
        let s = |v: &Value| v.as_str().map(str::to_string).ok_or("template_send_request.json: not a string");
        let data = v["data"]
            .as_object()
            .ok_or("template_send_request.json: no data")?
            .iter()
            .map(|(k, d)| Ok((k.clone(), s(&d["value"])?)))
            .collect::<Res<Vec<_>>>()?;
        Ok(TemplateInput {
            touser: s(&v["touser"])?,
            template_id: s(&v["template_id"])?,
            url: s(&v["url"])?,
            mp_appid: s(&v["miniprogram"]["appid"])?,
            mp_pagepath: s(&v["miniprogram"]["pagepath"])?,
            data,
        })
    }
}

/// The same shape as the generated (private) body of `template().send()`.
#[derive(Serialize)]
struct SendBody {
    touser: String,
    template_id: String,
    data: BTreeMap<String, TemplateDataValue>,
    #[serde(rename = "url", skip_serializing_if = "Option::is_none")]
    link_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    miniprogram: Option<TemplateMiniProgram>,
    #[serde(skip_serializing_if = "Option::is_none")]
    client_msg_id: Option<String>,
}

/// The same shape as the generated (private) query of `user().info()`.
#[derive(Serialize)]
struct InfoQuery<'a> {
    openid: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    lang: Option<&'a str>,
}

/// The same shape as the generated (private) query of `user().list()`.
#[derive(Serialize)]
struct ListQuery {
    #[serde(skip_serializing_if = "Option::is_none")]
    next_openid: Option<String>,
}

/// The client's errcode envelope (`src/http.rs`).
#[derive(Deserialize)]
struct Envelope {
    #[serde(default)]
    errcode: i64,
}

const ACCESS_TOKEN: &str = "BENCH_ACCESS_TOKEN";

/// The client's URL: base, path, the endpoint's query and the access token.
fn url<Q: Serialize>(path: &str, q: &Q) -> Res<String> {
    let qs = serde_urlencoded::to_string(q)?;
    let sep = if qs.is_empty() { "" } else { "&" };
    Ok(format!("https://api.weixin.qq.com{path}?{qs}{sep}access_token={ACCESS_TOKEN}"))
}

/// The client's decoding (`src/http.rs` `envelope` + `decode_json`): a byte scan for
/// `"errcode"`, the envelope only when present, then the typed answer, read from the body as
/// a `&str` once it is checked to be UTF-8 (`from_json`).
fn decode<R: serde::de::DeserializeOwned>(body: &[u8]) -> Res<R> {
    if memchr::memmem::find(body, b"\"errcode\"").is_some() {
        let env: Envelope = serde_json::from_slice(body)?;
        if env.errcode != 0 {
            return Err(format!("errcode {}", env.errcode).into());
        }
    }
    match std::str::from_utf8(body) {
        Ok(text) => Ok(serde_json::from_str(text)?),
        Err(_) => Ok(serde_json::from_slice(body)?),
    }
}

fn template_send(t: &TemplateInput, answer: &[u8]) -> Res<(Vec<u8>, SendResponse)> {
    let data = t.data.iter().map(|(k, v)| (k.clone(), TemplateDataValue::new(v.as_str()))).collect();
    let body = SendBody {
        touser: t.touser.clone(),
        template_id: t.template_id.clone(),
        data,
        link_url: Some(t.url.clone()),
        miniprogram: Some(TemplateMiniProgram::new(t.mp_appid.as_str()).with_pagepath(t.mp_pagepath.as_str())),
        client_msg_id: None,
    };
    black_box(url("/cgi-bin/message/template/send", &())?);
    let bytes = serde_json::to_vec(&body)?;
    Ok((bytes, decode(answer)?))
}

fn user_info(openid: &str, answer: &[u8]) -> Res<FollowerInfo> {
    black_box(url("/cgi-bin/user/info", &InfoQuery { openid, lang: None })?);
    decode(answer)
}

fn user_get(answer: &[u8]) -> Res<ListResponse> {
    black_box(url("/cgi-bin/user/get", &ListQuery { next_openid: None })?);
    decode(answer)
}

// ---------------------------------------------------------------------------------------------
// Checks (once, outside the timed loop).

fn check_reply_xml(inp: &Inputs, xml: &str) -> Res<()> {
    let f = |name: &[u8]| xml_field(xml.as_bytes(), name).ok().flatten().unwrap_or_default();
    let want = [
        (&b"ToUserName"[..], inp.openid.as_str()),
        (b"FromUserName", &inp.gh_id),
        (b"MsgType", "text"),
        (b"Content", &inp.reply_content),
    ];
    for (name, value) in want {
        if f(name) != value {
            return Err(format!("reply {}: {:?}, want {value:?}", String::from_utf8_lossy(name), f(name)).into());
        }
    }
    f(b"CreateTime").parse::<u64>().map_err(|_| "reply CreateTime is not an integer")?;
    Ok(())
}

fn check_encrypted_reply(inp: &Inputs, xml: &str) -> Res<()> {
    let f = |name: &[u8]| xml_field(xml.as_bytes(), name).ok().flatten().unwrap_or_default();
    let (enc, ts, nonce) = (f(b"Encrypt"), f(b"TimeStamp"), f(b"Nonce"));
    let want = sha1_sorted(&mut [&inp.token, &ts, &nonce, &enc]);
    if !hex_eq(&want, Some(&f(b"MsgSignature"))) {
        return Err("the reply's MsgSignature does not verify".into());
    }
    let key = inp.aes_key()?;
    let mut buf = B64.decode(enc.as_bytes())?;
    if buf.len() % 32 != 0 {
        return Err("the reply's ciphertext is not a multiple of 32 bytes".into());
    }
    let block = RawDec::new(&key.into(), key[..16].into())
        .decrypt_padded_mut::<NoPadding>(&mut buf)
        .map_err(|_| "not whole blocks")?;
    let pad = usize::from(*block.last().ok_or("empty")?);
    if !(1..=32).contains(&pad) || block[block.len() - pad..].iter().any(|&b| usize::from(b) != pad) {
        return Err("bad PKCS#7 padding in the reply".into());
    }
    let body = &block[16..block.len() - pad];
    let n = u32::from_be_bytes([body[0], body[1], body[2], body[3]]) as usize;
    if body.get(4 + n..) != Some(inp.appid.as_bytes()) {
        return Err("the reply's receive id is not the AppID".into());
    }
    check_reply_xml(inp, std::str::from_utf8(&body[4..4 + n])?)
}

/// The body must equal the request file's JSON, except `color`: the generated
/// `TemplateDataValue` has no colour (WeChat no longer shows colours), so it is not sent.
fn check_template_body(expected: &Value, body: &[u8]) -> Res<()> {
    let mut want = expected.clone();
    if let Some(data) = want["data"].as_object_mut() {
        for v in data.values_mut() {
            if let Some(o) = v.as_object_mut() {
                o.remove("color");
            }
        }
    }
    let got: Value = serde_json::from_slice(body)?;
    if got != want {
        return Err(format!("template body differs: {}", String::from_utf8_lossy(body)).into());
    }
    Ok(())
}
