//! The loopback server of the real-HTTP benchmark (BENCHMARKS.md, "Real HTTP"): one process on
//! 127.0.0.1 that every client of the benchmark (the SDK, bare reqwest, wechatpy, wechat-api)
//! calls, answering with the shared inputs (`shared/bench/inputs`):
//!
//! - `GET /cgi-bin/token` → `{"access_token":"BENCH_ACCESS_TOKEN","expires_in":7200}`
//! - `POST /cgi-bin/message/template/send` → `template_send_response.json`
//! - `GET /cgi-bin/user/info` → `user_info_response.json`
//! - `GET /cgi-bin/user/get` → `user_get_response.json` (10,000 OpenIDs, 310 KB)
//!
//! A call without `access_token=BENCH_ACCESS_TOKEN` in its query is answered with errcode
//! 40001, so every client must really fetch and send the token. The answers are the files'
//! bytes, shared (no work per call beyond HTTP).
//!
//! ```sh
//! cargo build --release --features axum --example http_server
//! target/release/examples/http_server [PORT]   # prints `LISTEN <port>` once it accepts
//! ```

use std::io::Write as _;
use std::path::PathBuf;

use axum::extract::RawQuery;
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use bytes::Bytes;

const TOKEN: &str = "BENCH_ACCESS_TOKEN";

fn inputs_dir() -> PathBuf {
    match std::env::var_os("WECHAT_OA_BENCH_INPUTS") {
        Some(p) => PathBuf::from(p),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/bench/inputs"),
    }
}

fn json(body: Bytes) -> Response {
    ([(CONTENT_TYPE, "application/json; charset=utf-8")], body).into_response()
}

/// The canned answer, or errcode 40001 when the query carries no (or another) access token.
fn authorized(query: Option<String>, body: Bytes) -> Response {
    let ok = query.as_deref().is_some_and(|q| q.split('&').any(|kv| kv.strip_prefix("access_token=") == Some(TOKEN)));
    if ok {
        json(body)
    } else {
        json(Bytes::from_static(
            br#"{"errcode":40001,"errmsg":"invalid credential, access_token is invalid or not latest"}"#,
        ))
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let port: u16 = std::env::args().nth(1).map(|p| p.parse()).transpose()?.unwrap_or(0);
    let dir = inputs_dir();
    let read = |name: &str| -> Result<Bytes, String> {
        std::fs::read(dir.join(name)).map(Bytes::from).map_err(|e| format!("{}: {e}", dir.join(name).display()))
    };
    let template = read("template_send_response.json")?;
    let info = read("user_info_response.json")?;
    let page = read("user_get_response.json")?;
    let token = Bytes::from(format!(r#"{{"access_token":"{TOKEN}","expires_in":7200}}"#));
    let app = Router::new()
        .route("/cgi-bin/token", get(move || std::future::ready(json(token.clone()))))
        .route(
            "/cgi-bin/message/template/send",
            post(move |q: RawQuery, _body: Bytes| std::future::ready(authorized(q.0, template.clone()))),
        )
        .route("/cgi-bin/user/info", get(move |q: RawQuery| std::future::ready(authorized(q.0, info.clone()))))
        .route("/cgi-bin/user/get", get(move |q: RawQuery| std::future::ready(authorized(q.0, page.clone()))));
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
        let port = listener.local_addr()?.port();
        println!("LISTEN {port}");
        std::io::stdout().flush()?;
        axum::serve(listener, app).await
    })?;
    Ok(())
}
