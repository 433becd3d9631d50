//! Endpoint descriptors: what the runtime needs to know about an endpoint (method, host, path,
//! credential, body and response kind, whether a repeat is safe). The generated code declares
//! one `const` [`Endpoint`] per spec endpoint; `http` and `generated_interface` read them.
//! A leaf module: it imports nothing from the crate.

/// Everything the runtime needs to know about an endpoint (generated from the spec).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Endpoint {
    /// `area.name`, e.g. `user.info`: used in errors and traces.
    pub name: &'static str,
    /// HTTP method.
    pub method: Method,
    /// Which host.
    pub host: Host,
    /// The path.
    pub path: &'static str,
    /// Which credential.
    pub auth: Auth,
    /// Body encoding.
    pub body: BodyKind,
    /// Response kind.
    pub response: ResponseKind,
    /// Whether retries are safe.
    pub idempotent: bool,
    /// Deprecated by WeChat.
    pub deprecated: bool,
    /// Official documentation.
    pub doc_url: &'static str,
}

/// HTTP methods.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// GET
    Get,
    /// POST
    Post,
}

/// WeChat hosts (each overridable in the client configuration).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Host {
    /// api.weixin.qq.com
    Api,
    /// mp.weixin.qq.com
    Mp,
    /// open.weixin.qq.com
    Open,
}

/// Credentials.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Auth {
    /// The app's access_token, added by the runtime.
    AccessToken,
    /// None.
    None,
    /// appid + secret in the request.
    AppSecret,
    /// A user's OAuth token in the request.
    UserToken,
    /// A third-party platform's component_access_token, added by the runtime as the query
    /// parameter `query` (`component_access_token` or `access_token`, as the page says).
    ComponentToken {
        /// The query parameter name.
        query: &'static str,
    },
}

/// Body encodings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyKind {
    /// No body.
    None,
    /// JSON.
    Json,
    /// multipart/form-data.
    Multipart,
}

/// Response kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResponseKind {
    /// JSON.
    Json,
    /// File bytes.
    Binary,
    /// JSON or file bytes.
    JsonOrBinary,
    /// A URL built locally.
    Url,
}
