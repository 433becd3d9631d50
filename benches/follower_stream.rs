//! The follower stream over real HTTP: `client.user().list().items()` lists every follower of a
//! sandbox holding 100,000 and then 1,000,000 of them (10,000 a page), and reports the time and
//! the client process's peak RSS side by side. The stream fetches the next page only when the
//! consumer has taken this one, so the peak should not grow with the total.
//!
//! `cargo run --release --example follower_stream` prints the table. Each measurement runs in
//! processes of its own (this binary re-executed): the sandbox in one, the client in another,
//! so the RSS is the client's alone.
//!
//! Subcommands (used by the table run): `serve N` (a sandbox with N followers; prints its base
//! URL, AppID and secret, then serves until killed) and `client URL APPID SECRET` (streams every
//! follower; prints `followers pages secs peak_rss_kib`).

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Instant;

use futures_util::StreamExt;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Peak resident set of this process (VmHWM), in KiB; 0 where /proc is not there.
fn peak_rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

async fn serve(n: usize) -> Result<(), BoxError> {
    let config = wechat_oa_sandbox::SandboxConfig { follower_count: n, ..Default::default() };
    let sb = wechat_oa_sandbox::Sandbox::start(config.clone()).await?;
    println!("{} {} {}", sb.base_url(), config.appid, config.secret);
    // Serve until the parent kills this process.
    std::future::pending::<()>().await;
    Ok(())
}

async fn client(base: &str, appid: &str, secret: &str) -> Result<(), BoxError> {
    let client = wechat_oa::Client::builder(appid, secret).base_url(base).build()?;
    let started = Instant::now();
    let mut stream = std::pin::pin!(client.user().list().items());
    let (mut count, mut last) = (0u64, String::new());
    while let Some(openid) = stream.next().await {
        let openid = openid?;
        count += 1;
        // Touch each item, so the loop is not optimised to nothing.
        if openid.len() > last.len() {
            last = openid;
        }
    }
    let secs = started.elapsed().as_secs_f64();
    let pages = count.div_ceil(10_000);
    println!("{count} {pages} {secs:.3} {}", peak_rss_kib());
    Ok(())
}

/// One measurement: a sandbox process with `n` followers and a client process streaming them.
fn measure(n: usize) -> Result<(u64, u64, f64, u64), BoxError> {
    let me = std::env::current_exe()?;
    let mut server = Command::new(&me).args(["serve", &n.to_string()]).stdout(Stdio::piped()).spawn()?;
    let mut line = String::new();
    BufReader::new(server.stdout.take().ok_or("no stdout")?).read_line(&mut line)?;
    let parts: Vec<&str> = line.split_whitespace().collect();
    let [base, appid, secret] = parts[..] else {
        let _ = server.kill();
        return Err(format!("the sandbox process printed {line:?}").into());
    };
    let out = Command::new(&me).args(["client", base, appid, secret]).output();
    let _ = server.kill();
    let _ = server.wait();
    let out = out?;
    if !out.status.success() {
        return Err(format!("client failed: {}", String::from_utf8_lossy(&out.stderr)).into());
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let f: Vec<&str> = text.split_whitespace().collect();
    let parse = |i: usize| f.get(i).copied().unwrap_or("0");
    Ok((parse(0).parse()?, parse(1).parse()?, parse(2).parse()?, parse(3).parse()?))
}

fn table() -> Result<(), BoxError> {
    println!("| followers | pages | seconds | followers/s | client peak RSS (MiB) |");
    println!("|---:|---:|---:|---:|---:|");
    for n in [100_000usize, 1_000_000] {
        let (count, pages, secs, rss) = measure(n)?;
        if count != n as u64 {
            return Err(format!("streamed {count} of {n} followers").into());
        }
        let rate = count as f64 / secs.max(1e-9);
        println!("| {count} | {pages} | {secs:.2} | {rate:.0} | {:.1} |", rss as f64 / 1024.0);
    }
    Ok(())
}

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.iter().map(String::as_str).collect::<Vec<_>>()[..] {
        ["serve", n] => serve(n.parse()?).await,
        ["client", base, appid, secret] => client(base, appid, secret).await,
        [] => tokio::task::spawn_blocking(table).await?,
        _ => Err("usage: follower_stream [serve N | client URL APPID SECRET]".into()),
    }
}
