//! Inbound messages and passive replies: the common header (ToUserName, FromUserName,
//! CreateTime, MsgType) around the kinds generated from `spec/callbacks.yaml`.

use super::error::CallbackError;
use super::fields;
use super::kinds::{MessageKinds, ReplyKinds};
use super::xml::{parse_xml, Element, XmlWriter};

/// One push from WeChat: a user message or an event.
#[derive(Debug, Clone, PartialEq)]
pub struct Message<K> {
    /// The account's original id (`gh_…`).
    pub to_user_name: String,
    /// The user's OpenID.
    pub from_user_name: String,
    /// Unix seconds.
    pub create_time: i64,
    /// `MsgId` (messages) or `MsgID` (job-finish events), when present.
    pub msg_id: Option<String>,
    /// What it is.
    pub kind: K,
}

impl<K: MessageKinds> Message<K> {
    /// Parses a push's XML (already decrypted), with the default size limit.
    pub fn parse(xml: &str) -> Result<Message<K>, CallbackError> {
        Self::from_element(&parse_xml(xml.as_bytes(), super::DEFAULT_MAX_BODY)?)
    }

    /// Reads a message from its parsed `<xml>` root.
    pub fn from_element(root: &Element<'_>) -> Result<Message<K>, CallbackError> {
        let header = "message header";
        let msg_type = fields::required_text_ref(root, "MsgType", header)?;
        Ok(Message {
            to_user_name: fields::required_text(root, "ToUserName", header)?,
            from_user_name: fields::required_text(root, "FromUserName", header)?,
            create_time: fields::required_number(root, "CreateTime", header)?,
            msg_id: fields::text(root, "MsgId").or_else(|| fields::text(root, "MsgID")),
            kind: K::parse(msg_type, root)?,
        })
    }

    /// The key WeChat's retries of this push share: `MsgId`, else FromUserName + CreateTime
    /// (+ the event, since one user can trigger two events in the same second). Prefixed with
    /// ToUserName (the account's original id): MsgIds are only unique within one account, and
    /// several accounts may share one dedup store.
    pub fn dedup_key(&self) -> String {
        let account = &self.to_user_name;
        match (&self.msg_id, self.kind.event()) {
            (Some(id), Some(event)) => format!("{account}:{}:{event}:{id}", self.from_user_name),
            (Some(id), None) => format!("{account}:msg:{id}"),
            (None, Some(event)) => format!("{account}:{}:{}:{event}", self.from_user_name, self.create_time),
            (None, None) => {
                format!("{account}:{}:{}:{}", self.from_user_name, self.create_time, self.kind.msg_type())
            }
        }
    }

    /// A reply to this message's sender.
    pub fn reply(&self, kind: impl Into<K::Reply>) -> Reply<K::Reply> {
        Reply {
            to_user_name: self.from_user_name.clone(),
            from_user_name: self.to_user_name.clone(),
            create_time: crate::clock::unix_secs(),
            kind: kind.into(),
        }
    }
}

/// A passive reply.
#[derive(Debug, Clone, PartialEq)]
pub struct Reply<R> {
    /// The user's OpenID.
    pub to_user_name: String,
    /// The account's original id.
    pub from_user_name: String,
    /// Unix seconds.
    pub create_time: i64,
    /// What to answer.
    pub kind: R,
}

impl<R: ReplyKinds> Reply<R> {
    /// Renders the reply XML.
    pub fn to_xml(&self) -> String {
        let mut w = XmlWriter::with_capacity(256);
        w.open("xml");
        w.text("ToUserName", &self.to_user_name);
        w.text("FromUserName", &self.from_user_name);
        w.number("CreateTime", &self.create_time);
        w.text("MsgType", self.kind.msg_type());
        self.kind.write_fields(&mut w);
        w.close("xml");
        w.finish()
    }

    /// Parses a reply's XML (for tests and tools that check what a server answered).
    pub fn parse(xml: &str) -> Result<Reply<R>, CallbackError> {
        let root = parse_xml(xml.as_bytes(), super::DEFAULT_MAX_BODY)?;
        let header = "reply header";
        let msg_type = fields::required_text_ref(&root, "MsgType", header)?;
        let kind = R::parse(msg_type, &root)?
            .ok_or_else(|| CallbackError::BadField { field: "MsgType".to_string(), value: msg_type.to_string() })?;
        Ok(Reply {
            to_user_name: fields::required_text(&root, "ToUserName", header)?,
            from_user_name: fields::required_text(&root, "FromUserName", header)?,
            create_time: fields::required_number(&root, "CreateTime", header)?,
            kind,
        })
    }
}
