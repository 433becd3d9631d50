//! The spec model: plain serde structs mirroring `spec/*.yaml` one to one.
//!
//! Every struct denies unknown keys (and none uses `flatten`, which would defeat that). The
//! model says nothing about validity beyond shape; `validate` checks meaning. The JSON Schema
//! in `spec/schema.json` is derived from these types.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// One API area: `spec/<area>.yaml`.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AreaFile {
    /// snake_case area name; must equal the file name without `.yaml`.
    pub area: String,
    /// One line: the module's first doc line.
    pub title: String,
    /// Longer module documentation.
    #[serde(default)]
    pub doc: Option<String>,
    /// Named types, usable from every file.
    #[serde(default)]
    pub types: Vec<TypeDef>,
    /// The endpoints of this area.
    #[serde(default)]
    pub endpoints: Vec<Endpoint>,
}

/// A named type.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TypeDef {
    /// UpperCamelCase, unique across all files.
    pub name: String,
    /// What sort of type this is.
    pub kind: TypeKind,
    /// Documentation.
    #[serde(default)]
    pub doc: Option<String>,
    /// Fields of a struct.
    #[serde(default)]
    pub fields: Vec<Field>,
    /// Values of an enum.
    #[serde(default)]
    pub values: Vec<EnumValue>,
    /// Union: the key that carries the variant's wire value (`msgtype`).
    #[serde(default)]
    pub tag: Option<String>,
    /// Union: the variants, each a named struct under its own key.
    #[serde(default)]
    pub variants: Vec<UnionVariant>,
}

/// One variant of a union: `{"<tag>": "<wire>", "<key>": { ..the struct.. }}`.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UnionVariant {
    /// The tag's value on the wire (`text`).
    pub wire: String,
    /// UpperCamelCase variant name.
    pub name: String,
    /// The key holding the payload, when it is not the wire value (`images` for `image`).
    #[serde(default)]
    pub key: Option<String>,
    /// The payload: a named struct.
    #[serde(rename = "type")]
    pub ty: String,
    /// Documentation.
    #[serde(default)]
    pub doc: Option<String>,
}

/// The kinds of named type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TypeKind {
    /// A JSON object.
    Struct,
    /// A string with known values (unknown ones are kept).
    StringEnum,
    /// An integer with known values (unknown ones are kept).
    IntEnum,
    /// One of several named structs, told apart by a tag key (`msgtype`) and stored under a key
    /// of their own; a field of this type sits inline in the enclosing object (`flatten: true`).
    Union,
}

/// One value of an enum.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EnumValue {
    /// The value on the wire: a string (string_enum) or an integer (int_enum).
    pub wire: WireValue,
    /// UpperCamelCase variant name.
    pub name: String,
    /// Documentation.
    #[serde(default)]
    pub doc: Option<String>,
}

/// A literal on the wire.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum WireValue {
    /// An integer.
    Int(i64),
    /// A boolean.
    Bool(bool),
    /// A string.
    Str(String),
}

/// One endpoint.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Endpoint {
    /// snake_case, unique within the area; the method name.
    pub name: String,
    /// One line.
    pub summary: String,
    /// Longer documentation.
    #[serde(default)]
    pub doc: Option<String>,
    /// The official documentation page.
    #[serde(default)]
    pub doc_url: Option<String>,
    /// HTTP method.
    pub method: Method,
    /// Which WeChat host serves it.
    #[serde(default)]
    pub host: Host,
    /// Path, starting with `/`.
    pub path: String,
    /// Which credential the call carries.
    #[serde(default)]
    pub auth: Auth,
    /// With `auth: component_token`: the query parameter that carries it.
    #[serde(default)]
    pub token_query: Option<TokenQuery>,
    /// Whether the runtime may retry the call.
    #[serde(default)]
    pub idempotent: Option<bool>,
    /// A note saying what to use instead.
    #[serde(default)]
    pub deprecated: Option<String>,
    /// What the runtime uses this endpoint for.
    #[serde(default)]
    pub role: Option<Role>,
    /// URL fragment of a `url` response.
    #[serde(default)]
    pub fragment: Option<String>,
    /// URL query parameters, in order.
    #[serde(default)]
    pub query: Vec<Field>,
    /// Request body.
    #[serde(default)]
    pub body: Option<Body>,
    /// Response.
    #[serde(default)]
    pub response: Option<Response>,
    /// The longest documented span between two date fields of the request.
    #[serde(default)]
    pub date_span: Option<DateSpan>,
    /// How the endpoint pages; the request builder then also has `items()`, a stream.
    #[serde(default)]
    pub pages: Option<Pages>,
}

/// How an endpoint pages: by a cursor the answer hands back (`cursor` + `next`), or by an
/// offset the caller advances (`offset`, optionally up to `total`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Pages {
    /// Dotted path of the items' list in the answer (`data.openid`, `item`).
    pub items: String,
    /// Cursor paging: the request field that takes the cursor (`next_openid`).
    #[serde(default)]
    pub cursor: Option<String>,
    /// Cursor paging: the top-level answer field with the next cursor; empty = no more.
    #[serde(default)]
    pub next: Option<String>,
    /// Offset paging: the request field counting the items already seen (`offset`).
    #[serde(default)]
    pub offset: Option<String>,
    /// Offset paging: the top-level answer field with the total; the stream stops there.
    #[serde(default)]
    pub total: Option<String>,
}

/// HTTP methods.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "UPPERCASE")]
pub enum Method {
    /// GET
    Get,
    /// POST
    Post,
}

/// WeChat hosts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Host {
    /// api.weixin.qq.com
    #[default]
    Api,
    /// mp.weixin.qq.com
    Mp,
    /// open.weixin.qq.com
    Open,
}

/// Credentials.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Auth {
    /// The app's access_token as the `access_token` query parameter.
    #[default]
    AccessToken,
    /// No credential.
    None,
    /// appid and secret, filled from the client through `from:` fields.
    AppSecret,
    /// A user's OAuth access token, passed as a parameter.
    UserToken,
    /// A third-party platform's component_access_token, added by the runtime as the query
    /// parameter `token_query` names.
    ComponentToken,
}

/// The query parameter that carries the component token (`auth: component_token`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TokenQuery {
    /// `?component_access_token=` (the older pages).
    #[default]
    ComponentAccessToken,
    /// `?access_token=` (the newer openApi pages).
    AccessToken,
}

/// Runtime roles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Obtains the app's access_token.
    AccessToken,
    /// Obtains the app's access_token through stable_token.
    StableToken,
    /// Obtains a JS-SDK ticket.
    Ticket,
    /// Obtains a third-party platform's component_access_token from the verify ticket.
    ComponentToken,
    /// Asks WeChat to push the verify ticket now.
    StartPushTicket,
    /// Exchanges a merchant's authorization code for the authorizer's tokens.
    QueryAuth,
    /// Refreshes an authorizer's access token with its refresh token (which rotates).
    AuthorizerToken,
    /// Lists the authorizers, with their refresh tokens when WeChat includes them.
    AuthorizerList,
    /// One authorizer's details, with its refresh token.
    AuthorizerInfo,
}

/// A request body.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Body {
    /// How the body is encoded.
    pub kind: BodyKind,
    /// Body fields (JSON keys or multipart parts).
    #[serde(default)]
    pub fields: Vec<Field>,
    /// The whole body is this named struct, passed as one argument.
    #[serde(default, rename = "type")]
    pub type_ref: Option<String>,
}

/// Body encodings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum BodyKind {
    /// `application/json`, UTF-8.
    Json,
    /// `multipart/form-data`.
    Multipart,
}

/// A response.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Response {
    /// What comes back.
    #[serde(default)]
    pub kind: ResponseKind,
    /// JSON fields.
    #[serde(default)]
    pub fields: Vec<Field>,
    /// The response is this named struct.
    #[serde(default, rename = "type")]
    pub type_ref: Option<String>,
}

/// Response kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ResponseKind {
    /// A JSON document.
    #[default]
    Json,
    /// File bytes (a JSON body is an error).
    Binary,
    /// A JSON document or file bytes.
    JsonOrBinary,
    /// Nothing is sent: the method builds the URL.
    Url,
}

/// A field of a struct, query, body or response.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Field {
    /// The wire name, exactly as WeChat spells it.
    pub name: String,
    /// The Rust name when snake_case of `name` is not wanted.
    #[serde(default)]
    pub rust_name: Option<String>,
    /// The type: a primitive, `list<T>`, `map<T>` or a named type.
    #[serde(rename = "type")]
    pub ty: String,
    /// Whether the field must be present.
    #[serde(default)]
    pub required: bool,
    /// WeChat's documented default (documentation only).
    #[serde(default)]
    pub default: Option<WireValue>,
    /// Documentation.
    #[serde(default)]
    pub doc: Option<String>,
    /// A token or secret: redacted in Debug output.
    #[serde(default)]
    pub secret: bool,
    /// A constant the SDK always sends.
    #[serde(default)]
    pub value: Option<WireValue>,
    /// Filled from the client's configuration.
    #[serde(default)]
    pub from: Option<FromConfig>,
    /// XML only (`callbacks.yaml`): for a `list<T>`, the name of the repeated child elements
    /// inside this field's element (`<PicList><item>..</item></PicList>` has `item: item`).
    /// Without it, the list is this element repeated (`<List>..</List><List>..</List>`).
    #[serde(default)]
    pub item: Option<String>,
    /// Limits WeChat documents for this request field; the client refuses a request outside
    /// them before anything is sent.
    #[serde(default)]
    pub limits: Option<Limits>,
    /// A union field: its tag and payload keys sit beside the other fields of the enclosing
    /// object (required for, and only for, fields of a union type).
    #[serde(default)]
    pub flatten: bool,
    /// A union field: the variants this endpoint takes (by name); empty = all. The client
    /// refuses another before sending (naming `limits.errcode` if given).
    #[serde(default)]
    pub accepts: Vec<String>,
}

/// A request field's documented limits (`limits: { max_items: 100, errcode: 40032 }`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Limits {
    /// A list has at least this many items.
    #[serde(default)]
    pub min_items: Option<u64>,
    /// A list has at most this many items.
    #[serde(default)]
    pub max_items: Option<u64>,
    /// A string is at most this many characters (Unicode scalar values: 一 counts 1).
    #[serde(default)]
    pub max_chars: Option<u64>,
    /// A string is at most this many bytes of UTF-8 (一 counts 3).
    #[serde(default)]
    pub max_bytes: Option<u64>,
    /// A number is at least this.
    #[serde(default)]
    pub min: Option<i64>,
    /// A number is at most this.
    #[serde(default)]
    pub max: Option<i64>,
    /// What WeChat answers when the limit is broken (named in the client's error).
    #[serde(default)]
    pub errcode: Option<i64>,
    /// What WeChat answers when this required field is absent, where the page names a code
    /// other than 47001 (the sandbox answers it; the typed client cannot leave the field out).
    #[serde(default)]
    pub missing_errcode: Option<i64>,
}

/// A documented maximum span between two `YYYY-MM-DD` request fields (analytics).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DateSpan {
    /// The first day's field (`begin_date`).
    pub begin: String,
    /// The last day's field (`end_date`), not before `begin`.
    pub end: String,
    /// At most this many days from first to last, both counted (1 = the same day).
    pub max_days: u32,
    /// What WeChat answers when the span is too long.
    #[serde(default)]
    pub errcode: Option<i64>,
}

/// Configuration values a field can be filled from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum FromConfig {
    /// The client's AppID.
    Appid,
    /// The client's AppSecret.
    Secret,
}

/// `spec/errors.yaml`.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ErrorsFile {
    /// The global return codes.
    pub errors: Vec<ErrorCode>,
}

/// One global return code.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ErrorCode {
    /// The numeric errcode.
    pub code: i64,
    /// UpperCamelCase variant name.
    pub name: String,
    /// WeChat's English errmsg, where known.
    #[serde(default)]
    pub errmsg: Option<String>,
    /// Meaning.
    pub doc: String,
}

/// `spec/callbacks.yaml`: what WeChat pushes to the account's server, and the passive replies.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CallbacksFile {
    /// One line.
    pub title: String,
    /// Longer documentation.
    #[serde(default)]
    pub doc: Option<String>,
    /// Nested XML element types (structs only).
    #[serde(default)]
    pub types: Vec<TypeDef>,
    /// Ordinary messages, by `MsgType`.
    #[serde(default)]
    pub messages: Vec<CallbackDef>,
    /// Events (`MsgType` = `event`), by `Event`.
    #[serde(default)]
    pub events: Vec<CallbackDef>,
    /// Passive replies, by `MsgType`.
    #[serde(default)]
    pub replies: Vec<CallbackDef>,
    /// Third-party platform (component) pushes, by `InfoType`.
    #[serde(default)]
    pub component: Vec<CallbackDef>,
}

/// One message, event or reply type.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CallbackDef {
    /// The `MsgType` (messages, replies), `Event` (events) or `InfoType` (component) value, exactly as sent.
    pub wire: String,
    /// UpperCamelCase variant and struct name.
    pub name: String,
    /// One line.
    pub summary: String,
    /// Longer documentation.
    #[serde(default)]
    pub doc: Option<String>,
    /// The official documentation page.
    #[serde(default)]
    pub doc_url: Option<String>,
    /// Fields besides ToUserName, FromUserName, CreateTime, MsgType (and Event).
    #[serde(default)]
    pub fields: Vec<Field>,
}

/// One endpoint's example from its official page (`spec/examples/<area>.yaml`, keyed by the
/// endpoint's `name`). Text is kept as the page prints it.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Example {
    /// The page the example was read from.
    #[serde(default)]
    pub source: Option<String>,
    /// The example URL's query string, without `access_token`.
    #[serde(default)]
    pub query: Option<String>,
    /// The example request body (JSON text).
    #[serde(default)]
    pub body: Option<String>,
    /// Several example bodies (a page with one per message type), by a snake_case label;
    /// instead of `body`.
    #[serde(default)]
    pub bodies: std::collections::BTreeMap<String, String>,
    /// The example answer (JSON text).
    #[serde(default)]
    pub response: Option<String>,
    /// Why the page gives no example at all.
    #[serde(default)]
    pub example_missing: Option<String>,
    /// Why there is no request example.
    #[serde(default)]
    pub request_missing: Option<String>,
    /// Why there is no response example.
    #[serde(default)]
    pub response_missing: Option<String>,
    /// Why the published JSON does not parse (it is kept verbatim, and not tested).
    #[serde(default)]
    pub not_json: Option<String>,
    /// Why the published request is kept but not tested: it contradicts the page's own table
    /// (e.g. an example pasted from a neighbouring endpoint).
    #[serde(default)]
    pub request_untested: Option<String>,
    /// The same for the published response.
    #[serde(default)]
    pub response_untested: Option<String>,
    /// Dotted paths (`data.openid`, `list.nickname`) of fields the example carries that the spec
    /// does not model on purpose; say why in `notes`.
    #[serde(default)]
    pub unmodelled: Vec<String>,
    /// Contradictions on the page, limits it states, anything a maintainer should know.
    #[serde(default)]
    pub notes: Option<String>,
}

/// `spec/examples/<area>.yaml`: endpoint name -> its example.
pub type ExamplesFile = std::collections::BTreeMap<String, Example>;
