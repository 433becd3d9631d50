//! Pushes to a third-party platform's authorisation-event URL (授权事件接收 URL): the
//! component verify ticket every 10 minutes, and authorisation changes. They are always
//! encrypted with the platform's EncodingAESKey (receive id = the component AppID), signed with
//! `msg_signature`, and answered with the plain string `success`. The pipeline is the same as
//! for an account's pushes up to the XML; the body is then read by its `InfoType` into the
//! generated `ComponentKind`.
//!
//! The runtime also reads the few elements it acts on (the ticket, the authorizer's AppID and
//! authorization code) so that [`Component::apply`](crate::Component::apply) can store and
//! remove credentials without knowing the generated types.

use std::marker::PhantomData;
use std::time::Duration;

use super::xml;
use super::{check_timestamp, param, signature, AesKey, CallbackError, CallbackQuery, ComponentKinds};
use super::{DEFAULT_MAX_BODY, DEFAULT_REPLAY_WINDOW};

/// What a push asks the platform runtime to do.
#[derive(Clone, PartialEq, Eq)]
pub(crate) enum Effect {
    /// Store this verify ticket.
    Ticket(String),
    /// A merchant authorised (or changed its authorisation): exchange the code.
    Authorized {
        /// The authorizer.
        appid: String,
        /// Its authorization code.
        code: String,
    },
    /// A merchant revoked its authorisation.
    Unauthorized {
        /// The authorizer.
        appid: String,
    },
    /// Nothing for the runtime.
    None,
}

impl std::fmt::Debug for Effect {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Effect::Ticket(_) => f.write_str("Ticket(<redacted>)"),
            Effect::Authorized { appid, .. } => write!(f, "Authorized {{ appid: {appid:?}, code: <redacted> }}"),
            Effect::Unauthorized { appid } => write!(f, "Unauthorized {{ appid: {appid:?} }}"),
            Effect::None => f.write_str("None"),
        }
    }
}

/// What acts on a verified push before the handler sees it (the [`Component`](crate::Component)
/// stores the ticket, exchanges codes, revokes).
pub trait PushSink<K>: Clone + Send + Sync + 'static {
    /// Acts on the push; an error makes the event URL answer 500 (WeChat sends it again).
    fn apply_push<'a>(
        &'a self,
        push: &'a ComponentPush<K>,
    ) -> crate::future::BoxFuture<'a, Result<(), crate::error::Error>>;
}

/// A verified, decrypted push to the platform.
#[derive(Debug, Clone, PartialEq)]
pub struct ComponentPush<K> {
    /// The component AppID the push is for (`AppId`).
    pub app_id: String,
    /// `CreateTime` (Unix seconds), when present.
    pub create_time: Option<i64>,
    /// The typed body, by `InfoType`.
    pub kind: K,
    pub(crate) effect: Effect,
}

impl<K: ComponentKinds> ComponentPush<K> {
    /// The `InfoType` value.
    pub fn info_type(&self) -> &str {
        self.kind.info_type()
    }
}

/// The platform's callback configuration: the message-check token, the component AppID and
/// the EncodingAESKey set on the platform's settings page.
pub struct ComponentCallback<K> {
    token: String,
    component_appid: String,
    key: AesKey,
    replay_window: Option<Duration>,
    max_body: usize,
    kinds: PhantomData<fn() -> K>,
}

impl<K> Clone for ComponentCallback<K> {
    fn clone(&self) -> Self {
        ComponentCallback {
            token: self.token.clone(),
            component_appid: self.component_appid.clone(),
            key: self.key.clone(),
            replay_window: self.replay_window,
            max_body: self.max_body,
            kinds: PhantomData,
        }
    }
}

impl<K> std::fmt::Debug for ComponentCallback<K> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ComponentCallback")
            .field("token", &"<redacted>")
            .field("component_appid", &self.component_appid)
            .field("encoding_aes_key", &"<redacted>")
            .finish_non_exhaustive()
    }
}

impl<K: ComponentKinds> ComponentCallback<K> {
    /// The platform's token, component AppID and EncodingAESKey (43 characters).
    pub fn new(
        token: impl Into<String>,
        component_appid: impl Into<String>,
        encoding_aes_key: &str,
    ) -> Result<ComponentCallback<K>, CallbackError> {
        Ok(ComponentCallback {
            token: token.into(),
            component_appid: component_appid.into(),
            key: AesKey::from_encoding_aes_key(encoding_aes_key)?,
            replay_window: Some(DEFAULT_REPLAY_WINDOW),
            max_body: DEFAULT_MAX_BODY,
            kinds: PhantomData,
        })
    }

    /// Sets (or with `None` disables) the replay window on `timestamp`.
    pub fn replay_window(mut self, window: Option<Duration>) -> ComponentCallback<K> {
        self.replay_window = window;
        self
    }

    /// The component AppID.
    pub fn component_appid(&self) -> &str {
        &self.component_appid
    }

    /// The body size limit.
    pub fn body_limit(&self) -> usize {
        self.max_body
    }

    /// Verifies, decrypts and parses a push. Checks, in order: body size, query parameters,
    /// `msg_signature` over the `Encrypt` value, replay window, decryption (and that it was
    /// encrypted for this component AppID), XML, `InfoType`.
    pub fn open(&self, q: &CallbackQuery, body: &[u8]) -> Result<ComponentPush<K>, CallbackError> {
        if body.len() > self.max_body {
            return Err(CallbackError::TooLarge { size: body.len(), limit: self.max_body });
        }
        let ts = param(&q.timestamp, "timestamp")?;
        let nonce = param(&q.nonce, "nonce")?;
        let ms = param(&q.msg_signature, "msg_signature")?;
        let outer = xml::parse_xml(body, self.max_body)?;
        let encrypt = outer.child_text("Encrypt").ok_or(CallbackError::MissingEncrypt)?;
        if !signature::matches(&signature::msg_signature(&self.token, ts, nonce, encrypt), ms) {
            return Err(CallbackError::BadMsgSignature);
        }
        check_timestamp(self.replay_window, ts)?;
        let inner = self.key.decrypt(encrypt, &self.component_appid)?;
        let root = xml::parse_xml(inner.as_bytes(), self.max_body)?;
        let owner = "component push";
        let info_type = super::fields::required_text_ref(&root, "InfoType", owner)?;
        let text = |name: &str| root.child_text(name).map(str::trim).filter(|s| !s.is_empty()).map(str::to_string);
        let required = |name: &str| {
            text(name)
                .ok_or_else(|| CallbackError::MissingField { owner: info_type.to_string(), field: name.to_string() })
        };
        let effect = match info_type {
            "component_verify_ticket" => Effect::Ticket(required("ComponentVerifyTicket")?),
            "authorized" | "updateauthorized" => {
                Effect::Authorized { appid: required("AuthorizerAppid")?, code: required("AuthorizationCode")? }
            }
            "unauthorized" => Effect::Unauthorized { appid: required("AuthorizerAppid")? },
            _ => Effect::None,
        };
        let kind = K::parse(info_type, &root)?;
        let app_id = text("AppId").unwrap_or_else(|| self.component_appid.clone());
        let create_time = text("CreateTime").and_then(|t| t.parse().ok());
        Ok(ComponentPush { app_id, create_time, kind, effect })
    }
}
