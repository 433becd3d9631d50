//! The lowered model the emitters read: every Rust name and Rust type already resolved.
//!
//! [`crate::lower`] builds it from a validated spec; `emit/*` turn it into tokens and never
//! look at a spec type string. Names are plain strings (valid identifiers, checked by
//! validation); types are [`RustType`] trees whose paths are final as seen from the module that
//! holds them (`super::media::MediaType` from another area, `MediaType` from its own). Doc text
//! is kept as [`Doc`] paragraphs that remember whether they were copied from the spec (and so
//! must be escaped) or written by the generator.

use crate::model::{Auth, BodyKind, FromConfig, Host, Method, ResponseKind, WireValue};

/// Everything to emit.
#[derive(Debug, Clone, PartialEq)]
pub struct Ir {
    /// One module per area, in file order.
    pub areas: Vec<AreaIr>,
    /// `errors.rs`.
    pub errors: ErrorsIr,
    /// `callbacks.rs`, when `callbacks.yaml` exists.
    pub callbacks: Option<CallbacksIr>,
    /// `mod.rs`.
    pub root: RootIr,
}

/// One paragraph of documentation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Para {
    /// Copied from the spec: escaped on emission.
    Spec(String),
    /// Written by the generator: trusted Markdown (intra-doc links, autolinks, code spans).
    Generated(String),
}

/// Documentation: paragraphs separated by blank lines.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Doc(pub Vec<Para>);

impl Doc {
    /// Adds spec text, if any and not blank.
    pub fn spec(mut self, text: Option<&str>) -> Self {
        if let Some(t) = text.filter(|t| !t.trim().is_empty()) {
            self.0.push(Para::Spec(t.to_string()));
        }
        self
    }
    /// Adds generator text.
    pub fn generated(mut self, text: impl Into<String>) -> Self {
        self.0.push(Para::Generated(text.into()));
        self
    }
}

/// A resolved Rust type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RustType {
    /// A path, segment by segment: `["String"]`, `["serde_json", "Value"]`,
    /// `["super", "media", "MediaType"]`.
    Path(Vec<String>),
    /// `&'static str` (constant string fields).
    StaticStr,
    /// `Vec<T>`
    Vec(Box<RustType>),
    /// `std::collections::BTreeMap<String, T>`
    Map(Box<RustType>),
    /// `Option<T>`
    Option(Box<RustType>),
}

impl RustType {
    /// A one-segment or multi-segment path from `a::b::C` text the lowering wrote itself.
    pub fn path(p: &str) -> RustType {
        RustType::Path(p.split("::").map(str::to_string).collect())
    }
}

/// How a field is present.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Presence {
    /// Always there: stored as `T`.
    Required,
    /// May be absent: stored as `Option<T>`.
    Optional,
    /// A list or map: absent means empty, stored bare.
    Collection(Collection),
}

/// The collection kind of a [`Presence::Collection`] field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Collection {
    /// `Vec`
    List,
    /// `BTreeMap`
    Map,
}

/// How a field's value is taken as a method argument.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ArgType {
    /// `impl Into<T>`, converted with `.into()`.
    Into(RustType),
    /// `T` as is.
    Plain(RustType),
}

/// `#[serde(...)]` of a stored field; all empty means no attribute.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SerdeAttrs {
    /// `rename = ".."`
    pub rename: Option<String>,
    /// `default`
    pub default: bool,
    /// `skip_serializing_if = ".."`
    pub skip_serializing_if: Option<&'static str>,
    /// `deserialize_with = ".."`
    pub deserialize_with: Option<&'static str>,
    /// `flatten` (a union field: its keys sit in the enclosing object)
    pub flatten: bool,
}

/// Where a request field's value comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum Input {
    /// From the caller (positional when required, a setter when not).
    Caller,
    /// A constant the SDK always sends.
    Const(WireValue),
    /// The client's configuration.
    Config(FromConfig),
}

/// A JSON field (struct member, query parameter or body field).
#[derive(Debug, Clone, PartialEq)]
pub struct FieldIr {
    /// Name on the wire.
    pub wire: String,
    /// Rust identifier.
    pub ident: String,
    /// Documentation.
    pub doc: Doc,
    /// The value type (without `Option`).
    pub value: RustType,
    /// The type as stored in its struct.
    pub stored: RustType,
    /// The type as a method parameter.
    pub arg: ArgType,
    /// Required by the spec: a positional argument (a required list is still stored bare).
    pub required: bool,
    /// Presence.
    pub presence: Presence,
    /// serde attributes on the stored field.
    pub serde: SerdeAttrs,
    /// Hidden from `Debug`.
    pub secret: bool,
    /// Where the value comes from (always `Caller` outside requests).
    pub input: Input,
    /// A multipart file part.
    pub is_file: bool,
    /// The documented limits the client checks before sending.
    pub limits: Vec<LimitCheck>,
    /// What WeChat answers when a limit is broken.
    pub limit_errcode: Option<i64>,
    /// The value is (a list, map or option of) a struct with checks of its own.
    pub nested_check: bool,
    /// A union field: the variants the endpoint takes, as (variant ident, wire description);
    /// empty = all.
    pub accepts: Vec<(String, String)>,
    /// A union field: the union's tag key (`msgtype`).
    pub union_tag: Option<String>,
}

/// One documented limit of a request field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LimitCheck {
    /// Items of a list or map.
    Items {
        /// At least.
        min: Option<u64>,
        /// At most.
        max: Option<u64>,
    },
    /// Characters of a string.
    Chars(u64),
    /// UTF-8 bytes of a string.
    Bytes(u64),
    /// An integer's range.
    Range {
        /// At least.
        min: Option<i64>,
        /// At most.
        max: Option<i64>,
    },
}

/// The longest span between two date fields of a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DateSpanIr {
    /// Rust ident of the first day's field.
    pub begin: String,
    /// Its wire name.
    pub begin_wire: String,
    /// Rust ident of the last day's field.
    pub end: String,
    /// Its wire name.
    pub end_wire: String,
    /// Whether the two fields are query parameters (else body fields).
    pub in_query: bool,
    /// At most this many days, both ends counted.
    pub max_days: u32,
    /// WeChat's answer when it is longer.
    pub errcode: Option<i64>,
}

/// A public struct of JSON fields.
#[derive(Debug, Clone, PartialEq)]
pub struct StructIr {
    /// Type name.
    pub name: String,
    /// Documentation.
    pub doc: Doc,
    /// Members.
    pub fields: Vec<FieldIr>,
    /// Used in a request: users build it (`new`, `with_*`), so not `#[non_exhaustive]`.
    pub for_request: bool,
    /// Has limits to check before it is sent (its own fields', or a nested struct's).
    pub checked: bool,
}

/// One enum variant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VariantIr {
    /// Variant name.
    pub ident: String,
    /// Documentation (including the wire value line).
    pub doc: Doc,
}

/// One variant of a union.
#[derive(Debug, Clone, PartialEq)]
pub struct UnionVariantIr {
    /// Variant name.
    pub ident: String,
    /// The tag's value.
    pub wire: String,
    /// The payload's key.
    pub key: String,
    /// The payload type.
    pub payload: RustType,
    /// Documentation.
    pub doc: Doc,
    /// The shortcut constructor's name (`text`), taking the payload's required fields.
    pub ctor: String,
    /// The payload's required fields (the shortcut's parameters), when users build the payload
    /// (it has `new`); `None` = no shortcut.
    pub ctor_params: Option<Vec<FieldIr>>,
    /// No other variant has this payload type: `From<payload>` is implemented.
    pub from_impl: bool,
    /// The payload has `check_limits`.
    pub checked: bool,
}

/// A union: one of several structs, told apart by a tag key.
#[derive(Debug, Clone, PartialEq)]
pub struct UnionIr {
    /// Type name.
    pub name: String,
    /// Documentation.
    pub doc: Doc,
    /// The tag key (`msgtype`).
    pub tag: String,
    /// Variants.
    pub variants: Vec<UnionVariantIr>,
    /// Has a variant with checks, and is sent: `check_limits` is generated.
    pub checked: bool,
}

/// A named type.
#[derive(Debug, Clone, PartialEq)]
pub enum NamedIr {
    /// A struct.
    Struct(StructIr),
    /// A string enum with `Other(String)`.
    StringEnum {
        /// Type name.
        name: String,
        /// Documentation.
        doc: Doc,
        /// Variants with their wire strings.
        variants: Vec<(VariantIr, String)>,
    },
    /// An integer enum with `Other(i64)`.
    IntEnum {
        /// Type name.
        name: String,
        /// Documentation.
        doc: Doc,
        /// Variants with their wire integers.
        variants: Vec<(VariantIr, i64)>,
    },
    /// A union.
    Union(UnionIr),
}

/// A private struct holding the query or the body fields of an endpoint.
#[derive(Debug, Clone, PartialEq)]
pub struct WireStructIr {
    /// Type name (`InfoQuery`, `InfoBody`).
    pub name: String,
    /// Fields; `stored` is the wire type (`&'static str` for string constants).
    pub fields: Vec<FieldIr>,
}

/// An endpoint's request body.
#[derive(Debug, Clone, PartialEq)]
pub enum BodyIr {
    /// No body.
    None,
    /// JSON fields, in a private struct.
    Json(WireStructIr),
    /// Multipart parts, in a private struct.
    Multipart(WireStructIr),
    /// The whole body is this named struct, passed as the argument `body`.
    Named(RustType),
}

/// An endpoint's response.
#[derive(Debug, Clone, PartialEq)]
pub enum ResponseIr {
    /// No fields: `()` (or `serde_json::Value` in a JSON-or-binary answer).
    Unit,
    /// A named struct.
    Named(RustType),
    /// The generated `<Name>Response` struct.
    Fields(StructIr),
}

/// One endpoint.
#[derive(Debug, Clone, PartialEq)]
pub struct EndpointIr {
    /// Method name on the handle (`info`).
    pub method_name: String,
    /// Descriptor constant (`INFO`).
    pub konst: String,
    /// `area.name`, the descriptor's name.
    pub full_name: String,
    /// Request builder type (`InfoRequest`).
    pub request: String,
    /// The method's documentation.
    pub doc: Doc,
    /// The descriptor constant's documentation.
    pub const_doc: Doc,
    /// The builder's documentation.
    pub request_doc: Doc,
    /// The deprecation note.
    pub deprecated: Option<String>,
    /// HTTP method.
    pub method: Method,
    /// Host.
    pub host: Host,
    /// Credential.
    pub auth: Auth,
    /// With `Auth::ComponentToken`: the query parameter carrying it.
    pub token_query: crate::model::TokenQuery,
    /// Path.
    pub path: String,
    /// Body kind for the descriptor.
    pub body_kind: Option<BodyKind>,
    /// Response kind.
    pub response_kind: ResponseKind,
    /// Retry-safe.
    pub idempotent: bool,
    /// The official documentation link.
    pub doc_url: String,
    /// The URL fragment of a `url` response.
    pub fragment: Option<String>,
    /// Query parameters, when any.
    pub query: Option<WireStructIr>,
    /// Body.
    pub body: BodyIr,
    /// Response.
    pub response: ResponseIr,
    /// The official example, as tests (`spec/examples/<area>.yaml`).
    pub example: Option<ExampleIr>,
    /// The documented longest date span of the request.
    pub date_span: Option<DateSpanIr>,
    /// A named body type (`BodyIr::Named`) that has checks of its own.
    pub body_checked: bool,
    /// How it pages (the builder's `items()` stream).
    pub pages: Option<PagesIr>,
}

/// An endpoint's paging, resolved.
#[derive(Debug, Clone, PartialEq)]
pub struct PagesIr {
    /// The path to the items in the answer: (Rust ident, whether that step is an `Option`).
    pub items: Vec<(String, bool)>,
    /// The item type.
    pub item: RustType,
    /// Cursor or offset.
    pub mode: PageMode,
}

/// How the next page is asked for.
#[derive(Debug, Clone, PartialEq)]
pub enum PageMode {
    /// The answer's `next` goes into the request's `field`.
    Cursor {
        /// The field is a query parameter (else a body field).
        in_query: bool,
        /// The request field's ident.
        field: String,
        /// It is stored as an `Option`.
        field_optional: bool,
        /// The answer field's ident.
        next: String,
        /// It is stored as an `Option`.
        next_optional: bool,
    },
    /// The request's `field` grows by the items received.
    Offset {
        /// The field is a query parameter (else a body field).
        in_query: bool,
        /// The request field's ident.
        field: String,
        /// The answer's total: (ident, stored as an `Option`).
        total: Option<(String, bool)>,
    },
}

/// The testable parts of an endpoint's official example (verbatim text from the page).
#[derive(Debug, Clone, PartialEq)]
pub struct ExampleIr {
    /// The example URL's query string.
    pub query: Option<String>,
    /// The example JSON bodies: (label, text); one unlabelled (`""`) for a single `body`.
    pub bodies: Vec<(String, String)>,
    /// The example JSON answer.
    pub response: Option<String>,
    /// Dotted paths of answer fields the spec does not model on purpose.
    pub unmodelled: Vec<String>,
}

/// One area module.
#[derive(Debug, Clone, PartialEq)]
pub struct AreaIr {
    /// The spec file (for the header).
    pub source: String,
    /// Module name (`user`).
    pub module: String,
    /// Handle type (`UserApi`).
    pub handle: String,
    /// Module documentation.
    pub doc: Doc,
    /// Title (for `mod.rs`).
    pub title: String,
    /// Named types.
    pub types: Vec<NamedIr>,
    /// The handle's documentation.
    pub handle_doc: Doc,
    /// Endpoints.
    pub endpoints: Vec<EndpointIr>,
}

/// One error code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorIr {
    /// Variant name.
    pub ident: String,
    /// The errcode.
    pub code: i64,
    /// Documentation of the variant.
    pub doc: Doc,
    /// The meaning (a string literal).
    pub meaning: String,
    /// WeChat's errmsg.
    pub errmsg: Option<String>,
}

/// `errors.rs`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorsIr {
    /// The spec file (for the header).
    pub source: String,
    /// Codes.
    pub codes: Vec<ErrorIr>,
}

/// The role an endpoint plays for the runtime.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum FetcherRole {
    /// `fetch_access_token`
    AccessToken,
    /// `fetch_stable_token`
    StableToken,
    /// `fetch_ticket`
    Ticket,
    /// `fetch_component_token`
    ComponentToken,
    /// `start_push_ticket`
    StartPushTicket,
    /// `query_auth`
    QueryAuth,
    /// `fetch_authorizer_token`
    AuthorizerToken,
    /// `authorizer_list`
    AuthorizerList,
    /// `authorizer_info`
    AuthorizerInfo,
}

/// A runtime fetcher: which handle method obtains a token or ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetcherIr {
    /// Role.
    pub role: FetcherRole,
    /// Area module.
    pub module: String,
    /// Endpoint method.
    pub method: String,
    /// The endpoint is deprecated (the fetcher then allows it).
    pub deprecated: bool,
    /// `authorizer_info`: `authorization_info` may be absent from the answer.
    pub optional_info: bool,
}

/// One area as `mod.rs` sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModuleIr {
    /// Module name.
    pub module: String,
    /// Handle type.
    pub handle: String,
    /// Documentation (the title).
    pub doc: Doc,
}

/// `mod.rs`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RootIr {
    /// The areas.
    pub modules: Vec<ModuleIr>,
    /// `callbacks.rs` exists.
    pub has_callbacks: bool,
    /// Fetchers, one per role at most (the last declared wins), ordered by role.
    pub fetchers: Vec<FetcherIr>,
    /// A fetcher calls a deprecated endpoint method, so the file needs `#![allow(deprecated)]`
    /// (the area files only declare deprecated items, never use them).
    pub uses_deprecated: bool,
}

/// How an XML field is read and written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum XmlShape {
    /// Element text as `String`.
    Text,
    /// Element text parsed as a number (`i64`, `i32`, `f64`).
    Number,
    /// A child element of the named struct.
    Child(String),
    /// Repeated elements (`item: None`) or children of this element (`item: Some`), each the
    /// named struct.
    ChildList {
        /// Struct name.
        ty: String,
        /// Name of the repeated child elements.
        item: Option<String>,
    },
    /// Repeated elements, each text.
    TextList {
        /// Name of the repeated child elements.
        item: Option<String>,
    },
}

/// A field of an XML struct.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct XmlFieldIr {
    /// Element name.
    pub wire: String,
    /// Rust identifier.
    pub ident: String,
    /// Documentation.
    pub doc: Doc,
    /// Reading and writing.
    pub shape: XmlShape,
    /// Must be present (ignored for lists).
    pub required: bool,
    /// The value type (`String`, `i64`, `Vec<T>`).
    pub value: RustType,
    /// The stored type (`Option` for optional non-lists).
    pub stored: RustType,
    /// The constructor parameter type.
    pub arg: ArgType,
    /// A credential (a verify ticket, an authorization code): `Debug` shows `<redacted>`.
    pub secret: bool,
}

/// An XML struct (nested type, message, event or reply).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct XmlStructIr {
    /// Type name.
    pub name: String,
    /// Documentation.
    pub doc: Doc,
    /// Fields.
    pub fields: Vec<XmlFieldIr>,
    /// The owner named in "missing element" errors.
    pub owner: String,
    /// Users build it: `new` / `with_*`.
    pub constructor: bool,
    /// Not `#[non_exhaustive]`.
    pub exhaustive: bool,
}

/// A message, event or reply: its enum variant and struct.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallbackIr {
    /// Variant name (`Text`).
    pub variant: String,
    /// `MsgType` or `Event` value.
    pub wire: String,
    /// Variant documentation.
    pub variant_doc: Doc,
    /// The struct (`TextMessage`).
    pub def: XmlStructIr,
}

/// `callbacks.rs`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallbacksIr {
    /// The spec file (for the header).
    pub source: String,
    /// Module documentation.
    pub doc: Doc,
    /// Nested element types.
    pub types: Vec<XmlStructIr>,
    /// Messages by `MsgType`.
    pub messages: Vec<CallbackIr>,
    /// Events by `Event`.
    pub events: Vec<CallbackIr>,
    /// Replies by `MsgType`.
    pub replies: Vec<CallbackIr>,
    /// Third-party platform pushes by `InfoType`.
    pub component: Vec<CallbackIr>,
}
