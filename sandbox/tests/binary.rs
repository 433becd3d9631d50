//! The `wechat-oa-sandbox` binary: announces its address, test account and admin API, and
//! serves the API there.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

#[tokio::test]
async fn binary_prints_its_address_and_serves() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_wechat-oa-sandbox"))
        .args(["--port", "0"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut lines = Vec::new();
    while lines.last().is_none_or(|l: &String| !l.starts_with("stop with")) {
        let mut line = String::new();
        if out.read_line(&mut line).unwrap() == 0 {
            break;
        }
        lines.push(line.trim_end().to_string());
    }
    let base = lines.first().and_then(|l| l.strip_prefix("listening on ")).map(str::to_string);
    // `test account: appid A  secret S`: everything a person needs to get a token.
    let account = lines.iter().find_map(|l| l.strip_prefix("test account: appid ")).map(|rest| {
        let (appid, secret) = rest.split_once("  secret ").unwrap_or((rest, ""));
        (appid.to_string(), secret.to_string())
    });
    let result = async {
        let base = base.expect("first line announces the address");
        assert!(base.starts_with("http://127.0.0.1:"));
        let (appid, secret) = account.expect("the banner names the test account");
        assert!(lines.iter().any(|l| l.contains(&format!("{base}/__sandbox/stats"))), "admin API not shown: {lines:?}");
        let body =
            reqwest::get(format!("{base}/cgi-bin/token?grant_type=client_credential&appid={appid}&secret={secret}"))
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
        assert!(body.contains("\"access_token\""), "{body}");
        let stats = reqwest::get(format!("{base}/__sandbox/stats")).await.unwrap().text().await.unwrap();
        assert!(stats.contains("\"token_requests\":1"), "{stats}");
    }
    .await;
    child.kill().unwrap();
    child.wait().unwrap();
    result
}
