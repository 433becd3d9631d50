//! What the pipeline needs from the message, event and reply types generated from
//! `spec/callbacks.yaml`: the generated `MessageKind` implements [`MessageKinds`] and the
//! generated `ReplyKind` implements [`ReplyKinds`]. The runtime is generic over them, and
//! `lib.rs` names the generated types once (`callback::Callback`, `callback::Message` …).

use std::fmt::Debug;

use super::error::CallbackError;
use super::xml::{Element, XmlWriter};

/// The body of an inbound push, by its `MsgType` (and `Event`).
pub trait MessageKinds: Debug + Clone + PartialEq + Send + Sync + Sized + 'static {
    /// The passive replies that may answer it.
    type Reply: ReplyKinds;
    /// Reads the body of a push whose header says `msg_type` (unknown types are kept, not
    /// refused).
    fn parse(msg_type: &str, el: &Element<'_>) -> Result<Self, CallbackError>;
    /// The `MsgType` value.
    fn msg_type(&self) -> &str;
    /// The `Event` value, when it is an event.
    fn event(&self) -> Option<&str>;
}

/// The content of a passive reply, by its `MsgType`.
pub trait ReplyKinds: Debug + Clone + PartialEq + Send + Sync + Sized + 'static {
    /// Reads a reply's content; `None` when `msg_type` is not a reply type.
    fn parse(msg_type: &str, el: &Element<'_>) -> Result<Option<Self>, CallbackError>;
    /// The `MsgType` value.
    fn msg_type(&self) -> &str;
    /// Writes the elements after the header.
    fn write_fields(&self, w: &mut XmlWriter);
}

/// The body of a push to a third-party platform's authorisation-event URL, by its `InfoType`.
pub trait ComponentKinds: Debug + Clone + PartialEq + Send + Sync + Sized + 'static {
    /// Reads a push whose `InfoType` is `info_type` (unknown types are kept, not refused).
    fn parse(info_type: &str, el: &Element<'_>) -> Result<Self, CallbackError>;
    /// The `InfoType` value.
    fn info_type(&self) -> &str;
}
