//! The `wechat-oa-sandbox` binary: announces its address and serves the API there.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

#[tokio::test]
async fn binary_prints_its_address_and_serves() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_wechat-oa-sandbox"))
        .args(["--port", "0"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let base = line.trim().strip_prefix("listening on ").map(str::to_string);
    let result = async {
        let base = base.expect("first line announces the address");
        assert!(base.starts_with("http://127.0.0.1:"));
        let body = reqwest::get(format!("{base}/cgi-bin/token?grant_type=client_credential&appid=wx5a4d0000sandbox&secret=sandbox-app-secret-0123456789abcdef"))
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
