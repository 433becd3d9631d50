//! Typed XML fields: the primitives the generated callback types (`generated/callbacks.rs`)
//! call to read a field from an element and to write reply elements, and [`Unknown`] for a
//! push this version does not know. Errors name the element and field.

pub(crate) use super::error::CallbackError as Error;
pub(crate) use super::xml::Element;

use super::xml::XmlWriter;

/// Reading a generated type from its XML element.
pub(crate) trait FromXml: Sized {
    /// Reads it.
    fn from_xml(el: &Element<'_>) -> Result<Self, Error>;
}

/// Writing a generated type's fields.
pub(crate) trait ToXml {
    /// Writes its child elements.
    fn write_xml(&self, w: &mut Writer);
}

/// The writer replies are rendered with.
pub(crate) type Writer = XmlWriter;

/// A message or event type this version does not know, kept whole.
#[derive(Debug, Clone, PartialEq)]
pub struct Unknown {
    /// Its `MsgType` (or `Event`) value.
    pub type_name: String,
    /// Every element of the push, as sent.
    pub raw: Element<'static>,
}

impl Unknown {
    /// Keeps `el` under `type_name`.
    pub fn new(type_name: &str, el: &Element<'_>) -> Self {
        Unknown { type_name: type_name.to_string(), raw: el.clone().into_owned() }
    }
    /// The text of a top-level element, if present.
    pub fn field(&self, name: &str) -> Option<&str> {
        self.raw.child_text(name)
    }
}

/// The child element `name`.
pub(crate) fn child<'a, 'x>(el: &'a Element<'x>, name: &str) -> Option<&'a Element<'x>> {
    el.child(name)
}

/// The child element `name`, which must exist.
pub(crate) fn required_child<'a, 'x>(el: &'a Element<'x>, name: &str, owner: &str) -> Result<&'a Element<'x>, Error> {
    el.child(name).ok_or_else(|| Error::MissingField { owner: owner.to_string(), field: name.to_string() })
}

/// The text of child `name`.
pub(crate) fn text(el: &Element<'_>, name: &str) -> Option<String> {
    el.child_text(name).map(str::to_string)
}

/// The text of child `name`, which must exist.
pub(crate) fn required_text(el: &Element<'_>, name: &str, owner: &str) -> Result<String, Error> {
    required_text_ref(el, name, owner).map(str::to_string)
}

/// The text of child `name`, borrowed.
pub(crate) fn required_text_ref<'a>(el: &'a Element<'_>, name: &str, owner: &str) -> Result<&'a str, Error> {
    Ok(required_child(el, name, owner)?.text.as_ref())
}

/// The text of an element.
pub(crate) fn element_text(el: &Element<'_>) -> String {
    el.text.to_string()
}

/// A number in child `name` (absent or empty = `None`).
pub(crate) fn number<T: std::str::FromStr>(el: &Element<'_>, name: &str) -> Result<Option<T>, Error> {
    match el.child(name) {
        None => Ok(None),
        Some(c) if c.text.trim().is_empty() => Ok(None),
        Some(c) => c
            .text
            .trim()
            .parse::<T>()
            .map(Some)
            .map_err(|_| Error::BadField { field: name.to_string(), value: truncate(&c.text) }),
    }
}

/// A number in child `name`, which must exist.
pub(crate) fn required_number<T: std::str::FromStr>(el: &Element<'_>, name: &str, owner: &str) -> Result<T, Error> {
    number(el, name)?.ok_or_else(|| Error::MissingField { owner: owner.to_string(), field: name.to_string() })
}

/// The elements of a list: children `item` of child `name`, or every child `name` itself.
pub(crate) fn items<'a, 'x>(
    el: &'a Element<'x>,
    name: &'a str,
    item: Option<&'a str>,
) -> Box<dyn Iterator<Item = &'a Element<'x>> + 'a> {
    match item {
        Some(item) => match el.child(name) {
            Some(wrapper) => Box::new(wrapper.children.iter().filter(move |c| c.name == item)),
            None => Box::new(std::iter::empty()),
        },
        None => Box::new(el.children.iter().filter(move |c| c.name == name)),
    }
}

fn truncate(s: &str) -> String {
    s.chars().take(40).collect()
}
