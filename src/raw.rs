//! The escape hatch: a call to an endpoint the spec does not have yet, by method and path, with
//! the same token handling (added, refreshed, recovered after 40001/40014/42001), retry policy
//! (non-idempotent unless the caller says otherwise), `wechat.call` tracing span and typed
//! errors as a generated call. Prefer adding the endpoint to `spec/`: this exists so that a
//! missing endpoint never blocks anyone.

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::descriptor::{Auth, BodyKind, Endpoint, Host, Method, ResponseKind};
use crate::error::Error;
use crate::http;
use crate::Client;

/// A call built by [`Client::raw`]: add query parameters and a JSON body, then `send`.
#[must_use = "a request does nothing until it is sent"]
pub struct RawRequest<'a> {
    client: &'a Client,
    ep: Endpoint,
    query: Vec<(String, String)>,
    body: Option<serde_json::Value>,
    parts: Vec<crate::multipart::Part>,
    problem: Option<Error>,
}

impl std::fmt::Debug for RawRequest<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Query values and the body may hold credentials (a user's OAuth token): not shown.
        f.debug_struct("RawRequest")
            .field("name", &self.ep.name)
            .field("method", &self.ep.method)
            .field("path", &self.ep.path)
            .field("query_keys", &self.query.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>())
            .field("has_body", &self.body.is_some())
            .field("idempotent", &self.ep.idempotent)
            .finish()
    }
}

impl Client {
    /// A call to an endpoint that is not in the spec yet. `name` labels it in errors and traces
    /// (`area.name`, e.g. `"card.create"`); `path` is WeChat's path (`"/card/create"`). The app's
    /// access_token is added by default ([`RawRequest::without_token`] for endpoints that take
    /// none), and the call is treated as non-idempotent (never repeated once it may have reached
    /// WeChat) unless [`RawRequest::idempotent`] says it is safe.
    ///
    /// ```no_run
    /// # async fn demo(client: &wechat_oa::Client) -> Result<(), wechat_oa::Error> {
    /// use wechat_oa::Method;
    /// let v: serde_json::Value = client
    ///     .raw("card.get", Method::Post, "/card/get")
    ///     .json(&serde_json::json!({ "card_id": "pFS7Fjg8kV1IdDz01r4SQwMkuCKc" }))
    ///     .idempotent(true)
    ///     .send()
    ///     .await?;
    /// println!("{}", v["card"]["card_type"]);
    /// # Ok(()) }
    /// ```
    pub fn raw(&self, name: &'static str, method: Method, path: &'static str) -> RawRequest<'_> {
        let problem = (!path.starts_with('/'))
            .then(|| Error::InvalidRequest { endpoint: name, message: format!("path {path:?} must start with `/`") });
        RawRequest {
            client: self,
            ep: Endpoint {
                name,
                method,
                host: Host::Api,
                path,
                auth: Auth::AccessToken,
                body: BodyKind::None,
                response: ResponseKind::Json,
                idempotent: false,
                deprecated: false,
                doc_url: "",
            },
            query: Vec::new(),
            body: None,
            parts: Vec::new(),
            problem,
        }
    }
}

impl RawRequest<'_> {
    /// Adds a query parameter (URL-encoded when sent).
    pub fn query(mut self, key: impl Into<String>, value: impl ToString) -> Self {
        self.query.push((key.into(), value.to_string()));
        self
    }

    /// Sends `body` as JSON (raw UTF-8, as WeChat wants Chinese text). Only with POST.
    pub fn json<B: Serialize + ?Sized>(mut self, body: &B) -> Self {
        if self.ep.method == Method::Get {
            self.problem.get_or_insert(Error::InvalidRequest {
                endpoint: self.ep.name,
                message: "a GET request has no body".to_string(),
            });
            return self;
        }
        match serde_json::to_value(body) {
            Ok(v) => {
                self.body = Some(v);
                self.ep.body = BodyKind::Json;
            }
            Err(e) => {
                self.problem
                    .get_or_insert(Error::InvalidRequest { endpoint: self.ep.name, message: format!("body: {e}") });
            }
        }
        self
    }

    /// Adds a file part: the request is sent as `multipart/form-data` (e.g. `media` of a media
    /// upload). Not with [`json`](Self::json).
    pub fn file(mut self, name: &'static str, upload: crate::Upload) -> Self {
        self.parts.push(crate::multipart::Part::file(name, upload));
        self
    }

    /// Adds a text part to a `multipart/form-data` request (strings as they are, anything else
    /// as JSON text, e.g. the `description` of a video material).
    pub fn form_field<T: Serialize + ?Sized>(mut self, name: &'static str, value: &T) -> Self {
        match crate::multipart::Part::field(self.ep.name, name, &value) {
            Ok(p) => self.parts.push(p),
            Err(e) => {
                self.problem.get_or_insert(e);
            }
        }
        self
    }

    fn payload(&mut self) -> Result<http::Payload, Error> {
        if self.parts.is_empty() {
            return http::json_payload(&self.ep, self.body.as_ref());
        }
        if self.body.is_some() || self.ep.method == Method::Get {
            return Err(Error::InvalidRequest {
                endpoint: self.ep.name,
                message: "a multipart request is a POST without a JSON body".to_string(),
            });
        }
        self.ep.body = BodyKind::Multipart;
        Ok(http::Payload::Multipart(std::mem::take(&mut self.parts)))
    }

    /// Whether WeChat does the same thing when the call is repeated (reads, deletes, sets):
    /// then transport errors, HTTP 5xx and errcode -1 are retried per the client's
    /// [`RetryPolicy`](crate::RetryPolicy). Default `false`.
    pub fn idempotent(mut self, yes: bool) -> Self {
        self.ep.idempotent = yes;
        self
    }

    /// Sends the call to another host (`mp.weixin.qq.com`, `open.weixin.qq.com`).
    pub fn host(mut self, host: Host) -> Self {
        self.ep.host = host;
        self
    }

    /// Sends no access_token (for endpoints authenticated otherwise, or not at all).
    pub fn without_token(mut self) -> Self {
        self.ep.auth = Auth::None;
        self
    }

    /// Sends the request and gives either the decoded JSON answer or the file bytes WeChat
    /// sent instead (media, QR images); an errcode answer is an [`Error::Api`] as for `send`.
    pub async fn send_json_or_binary<R: DeserializeOwned>(self) -> Result<crate::JsonOrBinary<R>, Error> {
        let (ep, raw) = self.execute().await?;
        http::decode_json_or_binary(&ep, raw)
    }

    /// Sends the call and decodes the answer into `R` (`serde_json::Value` to take it as it
    /// is). A non-zero `errcode` is [`Error::Api`], as for every generated call.
    pub async fn send<R: DeserializeOwned>(self) -> Result<R, Error> {
        let (ep, raw) = self.execute().await?;
        http::decode_json(&ep, &raw)
    }

    /// The request, sent: what both `send`s decode.
    async fn execute(mut self) -> Result<(Endpoint, http::Raw), Error> {
        if let Some(e) = self.problem.take() {
            return Err(e);
        }
        let query = http::query_string(&self.ep, &self.query)?;
        let payload = self.payload()?;
        let raw = http::execute(self.client, &self.ep, &query, payload).await?;
        Ok((self.ep, raw))
    }
}
