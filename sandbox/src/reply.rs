//! What a handler answers and how it becomes an HTTP response: WeChat's JSON envelope with a
//! ` rid: …` suffix on every error message, binary downloads, redirects.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use rand::Rng;
use serde_json::{json, Value};

/// A WeChat error: `errcode` and the message before the rid.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct WxError {
    pub code: i64,
    pub msg: String,
}

/// Shorthand constructor.
pub(crate) fn err(code: i64, msg: impl Into<String>) -> WxError {
    WxError { code, msg: msg.into() }
}

/// A handler's answer.
pub(crate) enum Reply {
    /// A JSON success body (`errcode`/`errmsg` added only if the handler put them there).
    Json(Value),
    /// A WeChat error envelope, HTTP 200.
    Error(WxError),
    /// A file download.
    Bytes { content_type: String, filename: Option<String>, body: Vec<u8> },
    /// HTTP 302 to this location.
    Redirect(String),
    /// A bare HTTP status with an empty body (404 for unknown QR tickets, 502 for faults).
    Status(StatusCode),
}

pub(crate) type Outcome = Result<Reply, WxError>;

impl From<WxError> for Reply {
    fn from(e: WxError) -> Self {
        Reply::Error(e)
    }
}

/// `{"errcode":0,"errmsg":"ok"}`.
pub(crate) fn ok() -> Outcome {
    Ok(Reply::Json(json!({"errcode": 0, "errmsg": "ok"})))
}

/// `{"errcode":0,"errmsg":"ok", ...fields}`.
pub(crate) fn ok_with(fields: Value) -> Outcome {
    let mut body = json!({"errcode": 0, "errmsg": "ok"});
    if let (Some(obj), Value::Object(extra)) = (body.as_object_mut(), fields) {
        obj.extend(extra);
    }
    Ok(Reply::Json(body))
}

/// A plain JSON body without the errcode envelope (token, user info … answer like this).
pub(crate) fn data(v: Value) -> Outcome {
    Ok(Reply::Json(v))
}

/// A WeChat-style request id: three dash-separated 8-hex-digit groups.
pub(crate) fn rid() -> String {
    let mut r = rand::rng();
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    format!("{:08x}-{:08x}-{:08x}", now as u32, r.random::<u32>(), r.random::<u32>())
}

/// The JSON body of an error.
pub(crate) fn error_body(e: &WxError) -> Value {
    json!({"errcode": e.code, "errmsg": format!("{} rid: {}", e.msg, rid())})
}

fn json_response(status: StatusCode, v: &Value) -> Response {
    let mut resp = (status, v.to_string()).into_response();
    resp.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json; encoding=utf-8"));
    resp
}

impl IntoResponse for Reply {
    fn into_response(self) -> Response {
        match self {
            Reply::Json(v) => json_response(StatusCode::OK, &v),
            Reply::Error(e) => json_response(StatusCode::OK, &error_body(&e)),
            Reply::Bytes { content_type, filename, body } => {
                let mut resp = (StatusCode::OK, body).into_response();
                let h = resp.headers_mut();
                if let Ok(v) = HeaderValue::from_str(&content_type) {
                    h.insert(header::CONTENT_TYPE, v);
                }
                if let Some(name) = filename {
                    let clean: String = name.chars().filter(|c| *c != '"' && !c.is_control()).collect();
                    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{clean}\"")) {
                        h.insert(header::CONTENT_DISPOSITION, v);
                    }
                }
                resp
            }
            Reply::Redirect(to) => {
                let mut resp = StatusCode::FOUND.into_response();
                if let Ok(v) = HeaderValue::from_str(&to) {
                    resp.headers_mut().insert(header::LOCATION, v);
                }
                resp
            }
            Reply::Status(s) => s.into_response(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_messages_end_with_a_rid() {
        let body = error_body(&err(40001, "invalid credential"));
        let msg = body["errmsg"].as_str().unwrap();
        let (head, rid) = msg.split_once(" rid: ").unwrap();
        assert_eq!(head, "invalid credential");
        let groups: Vec<&str> = rid.split('-').collect();
        assert_eq!(groups.len(), 3);
        assert!(groups.iter().all(|g| g.len() == 8 && g.chars().all(|c| c.is_ascii_hexdigit())));
    }
}
