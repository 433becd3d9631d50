//! Every operation of the spec as data (`generated/operations.rs`): name, method, host, path,
//! credential, body and response kind, and the wire fields with their spec types. For tools
//! that dispatch by name — the `wxoa` command line sends any operation through
//! [`Client::raw`](crate::Client::raw) with this table — and for introspection. The typed
//! calls (`client.user().info(..)`) do not use it.

use crate::descriptor::{Host, Method};

/// The credential an operation carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Credential {
    /// The app's `access_token` query parameter, handled by the runtime.
    AccessToken,
    /// None.
    None,
    /// The AppID and AppSecret, as fields (`from` names them).
    AppSecret,
    /// A user's OAuth access token, as a field the caller passes.
    UserToken,
    /// A third-party platform's component_access_token, added by the runtime (only a
    /// [`Component`](crate::Component)'s client has one).
    ComponentToken,
}

/// How the request body is encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyShape {
    /// No body.
    None,
    /// JSON.
    Json,
    /// `multipart/form-data`.
    Multipart,
}

/// What comes back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResponseShape {
    /// A JSON document.
    Json,
    /// File bytes (a JSON body is an error).
    Binary,
    /// A JSON document or file bytes.
    JsonOrBinary,
    /// Nothing is sent: a URL for the user's browser.
    Url,
}

/// One wire field of a query, body or named type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OpField {
    /// The wire name.
    pub name: &'static str,
    /// The spec type: a primitive (`string`, `i64`, `id` …), `list<T>`, `map<T>` or a named type.
    pub ty: &'static str,
    /// WeChat requires it.
    pub required: bool,
    /// A constant the SDK always sends, as JSON text.
    pub constant: Option<&'static str>,
    /// Filled from the client's configuration: `appid` or `secret`.
    pub from: Option<&'static str>,
    /// A token or secret (never print it).
    pub secret: bool,
    /// A union field: its tag and payload key sit in the enclosing object.
    pub flatten: bool,
}

/// One operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Operation {
    /// `area.name`, e.g. `user.info`.
    pub name: &'static str,
    /// The spec area, e.g. `user`.
    pub area: &'static str,
    /// One line.
    pub summary: &'static str,
    /// GET or POST.
    pub method: Method,
    /// Which WeChat host serves it.
    pub host: Host,
    /// The path, starting with `/`.
    pub path: &'static str,
    /// What credential it carries.
    pub credential: Credential,
    /// The body encoding.
    pub body: BodyShape,
    /// The answer's kind.
    pub response: ResponseShape,
    /// The runtime may repeat it.
    pub idempotent: bool,
    /// The spec marks it deprecated.
    pub deprecated: bool,
    /// The official page.
    pub doc_url: &'static str,
    /// Query parameters.
    pub query: &'static [OpField],
    /// Body fields (JSON keys or multipart parts).
    pub fields: &'static [OpField],
    /// The body is this named struct (its fields are in [`struct_fields`]).
    pub body_type: Option<&'static str>,
}

/// A union: its tag key and its variants as (tag value, payload key, payload struct).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OpUnion {
    /// The type's name.
    pub name: &'static str,
    /// The key that carries the variant (`msgtype`).
    pub tag: &'static str,
    /// (wire value, payload key, payload struct).
    pub variants: &'static [(&'static str, &'static str, &'static str)],
}

/// Every operation, sorted by name.
pub fn operations() -> &'static [Operation] {
    crate::GENERATED.operations
}

/// The operation called `name` (`user.info`).
pub fn find(name: &str) -> Option<&'static Operation> {
    operations().iter().find(|o| o.name == name)
}

/// The fields of the named struct `ty`.
pub fn struct_fields(ty: &str) -> Option<&'static [OpField]> {
    crate::GENERATED.structs.iter().find(|(n, _)| *n == ty).map(|(_, f)| *f)
}

/// The union called `ty`.
pub fn union(ty: &str) -> Option<&'static OpUnion> {
    crate::GENERATED.unions.iter().find(|u| u.name == ty)
}
