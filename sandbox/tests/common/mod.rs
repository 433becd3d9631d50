//! Raw-HTTP helpers shared by the sandbox's integration tests.
#![allow(dead_code)]

use serde_json::Value;
use wechat_oa_sandbox::{Sandbox, SandboxConfig};

pub struct Wx {
    pub sb: Sandbox,
    pub http: reqwest::Client,
}

impl Wx {
    pub async fn start() -> Wx {
        Self::with(SandboxConfig::default()).await
    }

    pub async fn with(config: SandboxConfig) -> Wx {
        let sb = Sandbox::start(config).await.unwrap();
        Wx { sb, http: reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap() }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.sb.base_url(), path)
    }

    /// A fresh `/cgi-bin/token` token.
    pub async fn token(&self) -> String {
        let c = self.sb.config();
        let (_, v) = self
            .get(&format!("/cgi-bin/token?grant_type=client_credential&appid={}&secret={}", c.appid, c.secret))
            .await;
        v["access_token"].as_str().unwrap().to_string()
    }

    pub async fn get(&self, path: &str) -> (u16, Value) {
        let r = self.http.get(self.url(path)).send().await.unwrap();
        let status = r.status().as_u16();
        let bytes = r.bytes().await.unwrap();
        (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
    }

    pub async fn post(&self, path: &str, body: &Value) -> (u16, Value) {
        let r = self
            .http
            .post(self.url(path))
            .header("content-type", "application/json")
            .body(body.to_string())
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        let bytes = r.bytes().await.unwrap();
        (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
    }

    /// GET `path` with `access_token` appended.
    pub async fn get_t(&self, token: &str, path: &str) -> Value {
        let sep = if path.contains('?') { '&' } else { '?' };
        self.get(&format!("{path}{sep}access_token={token}")).await.1
    }

    /// POST JSON to `path` with `access_token` appended.
    pub async fn post_t(&self, token: &str, path: &str, body: Value) -> Value {
        self.post(&format!("{path}?access_token={token}"), &body).await.1
    }

    /// Uploads `bytes` as part `media` named `filename` to `path` (query included).
    pub async fn upload(&self, token: &str, path: &str, filename: &str, bytes: Vec<u8>) -> Value {
        let sep = if path.contains('?') { '&' } else { '?' };
        let part = reqwest::multipart::Part::bytes(bytes).file_name(filename.to_string());
        let form = reqwest::multipart::Form::new().part("media", part);
        let r =
            self.http.post(self.url(&format!("{path}{sep}access_token={token}"))).multipart(form).send().await.unwrap();
        serde_json::from_slice(&r.bytes().await.unwrap()).unwrap()
    }
}

/// The errcode of a body (0 when absent).
pub fn code(v: &Value) -> i64 {
    v.get("errcode").and_then(Value::as_i64).unwrap_or(0)
}

/// Asserts an errcode and that errmsg ends with a rid.
pub fn assert_err(v: &Value, expected: i64) {
    assert_eq!(code(v), expected, "body: {v}");
    let msg = v["errmsg"].as_str().unwrap_or_default();
    assert!(msg.contains(" rid: "), "errmsg without rid: {msg}");
}
