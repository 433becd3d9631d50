//! The SDK against bare reqwest over real HTTP (BENCHMARKS.md, "Real HTTP"): the same calls to
//! the loopback server of `benches/http_server.rs`, in interleaved rounds.
//!
//! ```sh
//! target/release/examples/http_bench http://127.0.0.1:PORT [ROUNDS] [SCALE] [FIRST_ROUND]
//! ```
//!
//! For each round, scenario (`user-info`, `template-send`, `user-get-10k`) and concurrency (1
//! and 64), `sdk` and `bare` each make N calls (warm-up first), taking turns in 20 slices of
//! N/20 calls (who goes first alternating), so that the shared machine's changing load falls
//! on both alike; a line `HTTP <impl> <scenario> <concurrency> <round> <calls> <calls/s>
//! <client CPU µs/call>` per run and `PAIRS <scenario> <concurrency> <round> <r1> .. <r20>`
//! (each slice pair's SDK/bare calls/s), then the table: the median calls/s of each, the
//! median SDK/bare ratio of every slice pair (wall clock; the two halves of a pair saw the
//! same machine), the range of the per-round ratios, and the client process's CPU time per
//! call (all its threads, from `/proc/self/task/*/schedstat`).
//!
//! - `sdk`: `wechat_oa::Client` built with `base_url(server)` (default settings otherwise: its
//!   own reqwest client, 10 s timeout, the in-memory token store; the token is fetched from
//!   `/cgi-bin/token` by the first call) and the generated calls
//!   `client.user().info(openid)`, `client.template().send(..)`, `client.user().list()`.
//! - `bare`: a `reqwest::Client` with the same settings (timeouts, user agent), the token
//!   fetched once, then for each call the URL built with `format!`, the same request (the
//!   template body serialized with serde from a struct of the same shape), `bytes()` and
//!   `serde_json::from_slice` into the same generated response type: the floor.
//!
//! Both run on one multi-thread tokio runtime (2 workers). N = SCALE × (30,000 user-info,
//! 20,000 template-send, 1,000 user-get-10k).

use std::collections::BTreeMap;
use std::hint::black_box;
use std::path::PathBuf;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Serialize;
use serde_json::Value;
use wechat_oa::api::template::{SendResponse, TemplateDataValue, TemplateMiniProgram};
use wechat_oa::api::user::{FollowerInfo, ListResponse};
use wechat_oa::Client;

type Res<T> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

const APPID: &str = "wx0123456789abcdef";
const SECRET: &str = "benchsecret";

fn inputs_dir() -> PathBuf {
    match std::env::var_os("WECHAT_OA_BENCH_INPUTS") {
        Some(p) => PathBuf::from(p),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/bench/inputs"),
    }
}

/// What a call needs, read once.
struct Inputs {
    openid: String,
    touser: String,
    template_id: String,
    url: String,
    mp_appid: String,
    mp_pagepath: String,
    data: Vec<(String, String)>,
}

impl Inputs {
    fn load() -> Res<Inputs> {
        let dir = inputs_dir();
        let json = |name: &str| -> Res<Value> {
            let bytes = std::fs::read(dir.join(name)).map_err(|e| format!("{}: {e}", dir.join(name).display()))?;
            Ok(serde_json::from_slice(&bytes)?)
        };
        let cfg = json("config.json")?;
        let t = json("template_send_request.json")?;
        let s = |v: &Value| v.as_str().map(str::to_string).ok_or("inputs: not a string");
        let data = t["data"]
            .as_object()
            .ok_or("template_send_request.json: no data")?
            .iter()
            .map(|(k, d)| Ok((k.clone(), s(&d["value"])?)))
            .collect::<Res<Vec<_>>>()?;
        Ok(Inputs {
            openid: s(&cfg["openid"])?,
            touser: s(&t["touser"])?,
            template_id: s(&t["template_id"])?,
            url: s(&t["url"])?,
            mp_appid: s(&t["miniprogram"]["appid"])?,
            mp_pagepath: s(&t["miniprogram"]["pagepath"])?,
            data,
        })
    }

    fn template_data(&self) -> BTreeMap<String, TemplateDataValue> {
        self.data.iter().map(|(k, v)| (k.clone(), TemplateDataValue::new(v.as_str()))).collect()
    }
}

/// The template message body as the generated (private) `SendBody` serializes it.
#[derive(Serialize)]
struct SendBody {
    touser: String,
    template_id: String,
    data: BTreeMap<String, TemplateDataValue>,
    url: String,
    miniprogram: TemplateMiniProgram,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Scenario {
    UserInfo,
    TemplateSend,
    UserGet,
}

impl Scenario {
    fn name(self) -> &'static str {
        match self {
            Scenario::UserInfo => "user-info",
            Scenario::TemplateSend => "template-send",
            Scenario::UserGet => "user-get-10k",
        }
    }
    fn calls(self) -> u64 {
        match self {
            Scenario::UserInfo => 30_000,
            Scenario::TemplateSend => 20_000,
            Scenario::UserGet => 1_000,
        }
    }
}

/// One implementation's state, shared by its concurrent tasks.
enum Imp {
    Sdk(Client),
    Bare { http: reqwest::Client, base: String, token: String },
}

impl Imp {
    fn name(&self) -> &'static str {
        match self {
            Imp::Sdk(_) => "sdk",
            Imp::Bare { .. } => "bare",
        }
    }

    /// One call; returns a small number taken from the answer (checked once by `check`).
    async fn call(&self, s: Scenario, inp: &Inputs) -> Res<u64> {
        match self {
            Imp::Sdk(client) => Ok(match s {
                Scenario::UserInfo => summary_info(&client.user().info(inp.openid.as_str()).send().await?),
                Scenario::TemplateSend => summary_send(
                    &client
                        .template()
                        .send(inp.touser.as_str(), inp.template_id.as_str(), inp.template_data())
                        .link_url(inp.url.as_str())
                        .miniprogram(
                            TemplateMiniProgram::new(inp.mp_appid.as_str()).with_pagepath(inp.mp_pagepath.as_str()),
                        )
                        .send()
                        .await?,
                ),
                Scenario::UserGet => summary_list(&client.user().list().send().await?),
            }),
            Imp::Bare { http, base, token } => Ok(match s {
                Scenario::UserInfo => {
                    let url = format!("{base}/cgi-bin/user/info?access_token={token}&openid={}", inp.openid);
                    let body = http.get(&url).send().await?.bytes().await?;
                    summary_info(&serde_json::from_slice::<FollowerInfo>(&body)?)
                }
                Scenario::TemplateSend => {
                    let url = format!("{base}/cgi-bin/message/template/send?access_token={token}");
                    let body = SendBody {
                        touser: inp.touser.clone(),
                        template_id: inp.template_id.clone(),
                        data: inp.template_data(),
                        url: inp.url.clone(),
                        miniprogram: TemplateMiniProgram::new(inp.mp_appid.as_str())
                            .with_pagepath(inp.mp_pagepath.as_str()),
                    };
                    let req = http
                        .post(&url)
                        .header("content-type", "application/json; charset=utf-8")
                        .body(serde_json::to_vec(&body)?);
                    let body = req.send().await?.bytes().await?;
                    summary_send(&serde_json::from_slice::<SendResponse>(&body)?)
                }
                Scenario::UserGet => {
                    let url = format!("{base}/cgi-bin/user/get?access_token={token}");
                    let body = http.get(&url).send().await?.bytes().await?;
                    summary_list(&serde_json::from_slice::<ListResponse>(&body)?)
                }
            }),
        }
    }
}

fn summary_info(r: &FollowerInfo) -> u64 {
    r.tagid_list.iter().map(|t| *t as u64).sum::<u64>() + r.subscribe.unwrap_or(0) as u64
}
fn summary_send(r: &SendResponse) -> u64 {
    r.msgid.unwrap_or(0) as u64
}
fn summary_list(r: &ListResponse) -> u64 {
    r.data.as_ref().map_or(0, |d| d.openid.len() as u64)
}

/// The figure each scenario's first answer must give.
fn expected(s: Scenario) -> u64 {
    match s {
        Scenario::UserInfo => 128 + 2 + 117 + 1,
        Scenario::TemplateSend => 200_228_332,
        Scenario::UserGet => 10_000,
    }
}

/// The CPU time this process has used (every thread, user and system), in nanoseconds, from
/// `/proc/self/task/*/schedstat` (0 where that is not available).
fn cpu_ns() -> u64 {
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else { return 0 };
    tasks
        .flatten()
        .filter_map(|t| std::fs::read_to_string(t.path().join("schedstat")).ok())
        .filter_map(|s| s.split_whitespace().next().and_then(|n| n.parse::<u64>().ok()))
        .sum()
}

/// A run's figures: calls per second (wall clock) and this process's CPU µs per call.
#[derive(Clone, Copy, Default)]
struct Figures {
    cps: f64,
    cpu_us: f64,
}

/// `calls` calls spread over `concurrency` tasks.
async fn run(imp: &Arc<Imp>, inp: &Arc<Inputs>, s: Scenario, concurrency: usize, calls: u64) -> Res<Figures> {
    let left = Arc::new(AtomicI64::new(calls as i64));
    let cpu0 = cpu_ns();
    let started = Instant::now();
    let tasks: Vec<_> = (0..concurrency)
        .map(|_| {
            let (imp, inp, left) = (imp.clone(), inp.clone(), left.clone());
            tokio::spawn(async move {
                while left.fetch_sub(1, Ordering::Relaxed) > 0 {
                    black_box(imp.call(s, &inp).await?);
                }
                Ok::<_, Box<dyn std::error::Error + Send + Sync>>(())
            })
        })
        .collect();
    for t in tasks {
        t.await??;
    }
    let wall = started.elapsed().as_secs_f64();
    let cpu = cpu_ns().saturating_sub(cpu0) as f64 / 1e3;
    Ok(Figures { cps: calls as f64 / wall, cpu_us: cpu / calls as f64 })
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n == 0 {
        return f64::NAN;
    }
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// How many turns the SDK and bare reqwest take in one round of one scenario.
const SLICES: u64 = 20;

const SCENARIOS: [Scenario; 3] = [Scenario::UserInfo, Scenario::TemplateSend, Scenario::UserGet];

/// The SDK client and the bare one (with its token fetched).
async fn imps(base: String) -> Res<[Arc<Imp>; 2]> {
    let sdk = Client::builder(APPID, SECRET).base_url(&base).build()?;
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .connect_timeout(Duration::from_secs(5))
        .user_agent(concat!("wechat-oa/", env!("CARGO_PKG_VERSION")))
        .build()?;
    let token_url = format!("{base}/cgi-bin/token?grant_type=client_credential&appid={APPID}&secret={SECRET}");
    let token: Value = serde_json::from_slice(&http.get(&token_url).send().await?.bytes().await?)?;
    let token = token["access_token"].as_str().ok_or("no access_token from the server")?.to_string();
    Ok([Arc::new(Imp::Sdk(sdk)), Arc::new(Imp::Bare { http, base, token })])
}

fn one(base: &str, args: &[String]) -> Res<()> {
    let [imp, scenario, concurrency, calls] = args else {
        return Err("usage: http_bench BASE one sdk|bare SCENARIO CONCURRENCY CALLS".into());
    };
    let s = SCENARIOS.into_iter().find(|s| s.name() == scenario).ok_or("unknown scenario")?;
    let (concurrency, calls): (usize, u64) = (concurrency.parse()?, calls.parse()?);
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    rt.block_on(async move {
        let inp = Arc::new(Inputs::load()?);
        let [sdk, bare] = imps(base.to_string()).await?;
        let imp = if imp == "sdk" { sdk } else { bare };
        if imp.call(s, &inp).await? != expected(s) {
            return Err("unexpected answer".into());
        }
        let f = run(&imp, &inp, s, concurrency, calls).await?;
        println!("HTTP {} {} {concurrency} 1 {calls} {:.1} {:.2}", imp.name(), s.name(), f.cps, f.cpu_us);
        Ok(())
    })
}

fn main() -> Res<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(base) = args.first().map(|b| b.trim_end_matches('/').to_string()) else {
        eprintln!("usage: http_bench BASE_URL [ROUNDS] [SCALE] [FIRST_ROUND]");
        std::process::exit(2);
    };
    if args.get(1).map(String::as_str) == Some("one") {
        // `http_bench BASE one IMPL SCENARIO CONCURRENCY CALLS`: one run alone (for a profiler).
        return one(&base, &args[2..]);
    }
    let rounds: usize = args.get(1).map(|r| r.parse()).transpose()?.unwrap_or(5);
    let scale: f64 = args.get(2).map(|r| r.parse()).transpose()?.unwrap_or(1.0);
    // The number of the first round (benches/run-http.sh runs one round at a time).
    let first: usize = args.get(3).map(|r| r.parse()).transpose()?.unwrap_or(1);
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    rt.block_on(async move {
        let inp = Arc::new(Inputs::load()?);
        let imps = imps(base).await?;
        let scenarios = SCENARIOS;
        for imp in &imps {
            for s in scenarios {
                let got = imp.call(s, &inp).await?;
                if got != expected(s) {
                    return Err(format!("{} {}: unexpected answer ({got})", imp.name(), s.name()).into());
                }
            }
        }
        // (scenario, concurrency) -> per round (sdk, bare), and every slice pair's SDK/bare ratio
        let mut results: BTreeMap<(usize, usize), Vec<[Figures; 2]>> = BTreeMap::new();
        let mut slice_ratios: BTreeMap<(usize, usize), Vec<f64>> = BTreeMap::new();
        for round in first..first + rounds {
            for (si, s) in scenarios.iter().enumerate() {
                for concurrency in [1usize, 64] {
                    let calls = ((s.calls() as f64 * scale) as u64).max(concurrency as u64);
                    for imp in &imps {
                        run(imp, &inp, *s, concurrency, (calls / 10).max(concurrency as u64)).await?;
                    }
                    // The two take turns in SLICES slices of the calls (the first of a slice
                    // alternating), so that a change of the machine's load during the round
                    // touches both alike; each one's figures are over all its slices.
                    let slice = (calls / SLICES).max(concurrency as u64 * 4);
                    let (mut wall, mut cpu) = ([0.0f64; 2], [0.0f64; 2]);
                    let mut pairs = Vec::with_capacity(SLICES as usize);
                    for k in 0..SLICES as usize {
                        let order: [usize; 2] = if (round + k) % 2 == 1 { [0, 1] } else { [1, 0] };
                        let mut cps = [0.0f64; 2];
                        for i in order {
                            let f = run(&imps[i], &inp, *s, concurrency, slice).await?;
                            wall[i] += slice as f64 / f.cps;
                            cpu[i] += f.cpu_us * slice as f64;
                            cps[i] = f.cps;
                        }
                        pairs.push(cps[0] / cps[1]);
                    }
                    // The slices' SDK/bare ratios: the two halves of a pair ran one after the
                    // other, so a change of the machine's load between pairs cancels out.
                    let line: Vec<String> = pairs.iter().map(|r| format!("{r:.4}")).collect();
                    println!("PAIRS {} {concurrency} {round} {}", s.name(), line.join(" "));
                    slice_ratios.entry((si, concurrency)).or_default().extend(pairs);
                    let total = (slice * SLICES) as f64;
                    let mut pair = [Figures::default(); 2];
                    for i in 0..2 {
                        pair[i] = Figures { cps: total / wall[i], cpu_us: cpu[i] / total };
                        println!(
                            "HTTP {} {} {concurrency} {round} {} {:.1} {:.2}",
                            imps[i].name(),
                            s.name(),
                            total,
                            pair[i].cps,
                            pair[i].cpu_us
                        );
                    }
                    results.entry((si, concurrency)).or_default().push(pair);
                }
            }
        }
        println!();
        println!(
            "| scenario | concurrency | SDK calls/s | bare reqwest calls/s | SDK / bare (median of slice pairs) \
             | SDK / bare (min – max of rounds) \
             | client CPU µs/call SDK | bare | SDK / bare CPU |"
        );
        println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        for ((si, concurrency), v) in &results {
            let col = |f: &dyn Fn(&[Figures; 2]) -> f64| -> Vec<f64> { v.iter().map(f).collect() };
            let ratio = col(&|p| p[0].cps / p[1].cps);
            let (lo, hi) = ratio.iter().fold((f64::MAX, f64::MIN), |(l, h), r| (l.min(*r), h.max(*r)));
            println!(
                "| {} | {concurrency} | {:.0} | {:.0} | **{:.3}** | {lo:.3} – {hi:.3} | {:.1} | {:.1} | {:.3} |",
                scenarios[*si].name(),
                median(&mut col(&|p| p[0].cps)),
                median(&mut col(&|p| p[1].cps)),
                median(&mut slice_ratios.get(&(*si, *concurrency)).cloned().unwrap_or_default()),
                median(&mut col(&|p| p[0].cpu_us)),
                median(&mut col(&|p| p[1].cpu_us)),
                median(&mut col(&|p| p[0].cpu_us / p[1].cpu_us)),
            );
        }
        Ok(())
    })
}
