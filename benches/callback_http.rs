//! Callbacks over real HTTP: WeChat's encrypted text push POSTed on loopback to a callback
//! server, end to end (signature, decryption, XML, the handler's echo reply, encryption), under a
//! fixed number of concurrent connections. One load generator (this file, `load`) drives every
//! server the same way; `serve` is the wechat-oa server (the `callback::axum` router).
//! `benches/callback_http_node.js` serves the same inputs with Node's `wechat` middleware;
//! `benches/run-callback-http.sh` runs them side by side in interleaved rounds.
//!
//! ```text
//! callback_http serve                      # prints `LISTENING <port>`, serves until killed
//! callback_http load URL CONNS MAX_REQUESTS MAX_SECONDS LABEL
//! ```
//!
//! The pushes are the shared benchmark's encrypted text message (`../shared/bench/inputs`, or
//! `$WECHAT_OA_BENCH_INPUTS`) with one change: each request carries its own MsgId (re-encrypted
//! and re-signed beforehand, outside the timed part), so that no server may answer a retry from a
//! dedup cache. The inputs' timestamp is from 2023, so the wechat-oa server's replay window is
//! off (the Node middleware has none). Every answer is checked: HTTP 200, and a reply envelope
//! whose `MsgSignature` matches; the first one is decrypted and must be the echo reply.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use wechat_oa::callback::{Callback, Message, MessageKind, Reply};
use wechat_oa_sandbox::callback as wx;

type Res<T> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

struct Inputs {
    token: String,
    appid: String,
    aes: String,
    timestamp: String,
    nonce: String,
    plaintext: String,
    reply_content: String,
}

fn inputs() -> Res<Inputs> {
    let dir = std::env::var("WECHAT_OA_BENCH_INPUTS")
        .unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/bench/inputs").to_string());
    let cfg: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(format!("{dir}/config.json"))?)?;
    let s = |k: &str| cfg[k].as_str().map(str::to_string).ok_or_else(|| format!("config.json has no {k}"));
    Ok(Inputs {
        token: s("token")?,
        appid: s("appid")?,
        aes: s("encoding_aes_key")?,
        timestamp: s("timestamp")?,
        nonce: s("nonce")?,
        plaintext: std::fs::read_to_string(format!("{dir}/encrypted_expected_plaintext.xml"))?,
        reply_content: s("reply_content")?,
    })
}

#[tokio::main(flavor = "multi_thread")]
async fn main() -> Res<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("serve") => serve().await,
        Some("load") if args.len() == 6 => {
            let n = |i: usize| args[i].parse::<usize>().map_err(|_| format!("argument {i} must be a number"));
            load(&args[1], n(2)?, n(3)?, Duration::from_secs(n(4)? as u64), &args[5]).await
        }
        _ => Err("usage: callback_http serve | callback_http load URL CONNS MAX_REQUESTS MAX_SECONDS LABEL".into()),
    }
}

async fn on_message(msg: Message) -> Option<Reply> {
    match &msg.kind {
        MessageKind::Text(t) => Some(msg.reply_text(format!("echo: {}", t.content))),
        _ => None,
    }
}

async fn serve() -> Res<()> {
    let i = inputs()?;
    let cb = Callback::new(i.token, i.appid).with_aes_key(&i.aes)?.replay_window(None);
    let app = axum::Router::new().nest("/wechat", wechat_oa::callback::axum::router(cb, on_message));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    println!("LISTENING {}", listener.local_addr()?.port());
    axum::serve(listener, app).await?;
    Ok(())
}

/// One request: its query string and body.
struct Push {
    query: String,
    body: String,
}

fn pushes(i: &Inputs, n: usize) -> Res<Vec<Push>> {
    let key = wx::decode_aes_key(&i.aes).map_err(|e| format!("aes key: {e:?}"))?;
    let start = i.plaintext.find("<MsgId>").ok_or("no MsgId in the plaintext")?;
    let end = i.plaintext.find("</MsgId>").ok_or("no MsgId in the plaintext")?;
    let (head, tail) = (&i.plaintext[..start + 7], &i.plaintext[end..]);
    let sig = wx::signature(&i.token, &i.timestamp, &i.nonce);
    Ok((0..n)
        .map(|k| {
            let xml = format!("{head}{}{tail}", 24_000_000_000_000_000u64 + k as u64);
            let encrypt = wx::encrypt(&key, &i.appid, &xml);
            let ms = wx::msg_signature(&i.token, &i.timestamp, &i.nonce, &encrypt);
            Push {
                query: format!(
                    "signature={sig}&timestamp={}&nonce={}&openid=oBenchUser0000000000000001AB&encrypt_type=aes&msg_signature={ms}",
                    i.timestamp, i.nonce
                ),
                body: format!(
                    "<xml>\n<ToUserName><![CDATA[gh_0123456789ab]]></ToUserName>\n<Encrypt><![CDATA[{encrypt}]]></Encrypt>\n</xml>"
                ),
            }
        })
        .collect())
}

/// Checks a reply envelope's signature (cheap; every answer) and, when `full`, decrypts it and
/// checks the echo.
fn check(i: &Inputs, key: &[u8; 32], body: &str, full: bool) -> Res<()> {
    let f = |t: &str| wx::xml_field(body, t).ok_or_else(|| format!("reply has no {t}: {body:.200}"));
    let (enc, sig, ts, nonce) = (f("Encrypt")?, f("MsgSignature")?, f("TimeStamp")?, f("Nonce")?);
    if wx::msg_signature(&i.token, &ts, &nonce, &enc) != sig {
        return Err("reply MsgSignature does not match".into());
    }
    if full {
        let (xml, appid) = wx::decrypt(key, &enc).map_err(|e| format!("reply: {e:?}"))?;
        if appid != i.appid || wx::xml_field(&xml, "Content").as_deref() != Some(i.reply_content.as_str()) {
            return Err(format!("unexpected reply {xml}").into());
        }
    }
    Ok(())
}

async fn load(url: &str, conns: usize, max: usize, max_time: Duration, label: &str) -> Res<()> {
    let i = Arc::new(inputs()?);
    let key = wx::decode_aes_key(&i.aes).map_err(|e| format!("aes key: {e:?}"))?;
    let all = Arc::new(pushes(&i, max + 1)?);
    // One checked request first (not timed).
    let probe = reqwest::Client::new();
    let first = &all[max];
    let r = probe.post(format!("{url}?{}", first.query)).body(first.body.clone()).send().await?;
    if r.status() != 200 {
        return Err(format!("{label}: first answer HTTP {}", r.status()).into());
    }
    check(&i, &key, &r.text().await?, true)?;

    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..conns {
        let (next, all, i, url) = (next.clone(), all.clone(), i.clone(), url.to_string());
        // Each worker keeps one connection of its own (HTTP/1.1 keep-alive), like WeChat's.
        let http = reqwest::Client::builder().pool_max_idle_per_host(1).http1_only().build()?;
        tasks.spawn(async move {
            let mut lat = Vec::new();
            loop {
                let k = next.fetch_add(1, Ordering::Relaxed);
                if k >= max || started.elapsed() >= max_time {
                    return Ok::<_, String>(lat);
                }
                let p = &all[k];
                let t = Instant::now();
                let r = http
                    .post(format!("{url}?{}", p.query))
                    .header("content-type", "text/xml")
                    .body(p.body.clone())
                    .send()
                    .await
                    .map_err(|e| e.to_string())?;
                let ok = r.status() == 200;
                let body = r.text().await.map_err(|e| e.to_string())?;
                lat.push(t.elapsed());
                if !ok {
                    return Err(format!("HTTP error, body {body:.200}"));
                }
                check(&i, &key, &body, false).map_err(|e| e.to_string())?;
            }
        });
    }
    let mut lat = Vec::new();
    while let Some(r) = tasks.join_next().await {
        lat.extend(r??);
    }
    let elapsed = started.elapsed();
    lat.sort();
    let q = |p: f64| lat.get(((lat.len() as f64 * p) as usize).min(lat.len().saturating_sub(1))).copied();
    let us = |d: Option<Duration>| d.map_or(0.0, |d| d.as_secs_f64() * 1e6);
    println!(
        "RESULT {label} conns={conns} requests={} seconds={:.2} req_per_s={:.0} p50_us={:.0} p99_us={:.0}",
        lat.len(),
        elapsed.as_secs_f64(),
        lat.len() as f64 / elapsed.as_secs_f64(),
        us(q(0.50)),
        us(q(0.99)),
    );
    Ok(())
}
