//! A small, strict XML tree for WeChat's flat payloads: elements, text and CDATA. Any DOCTYPE
//! (and with it any entity declaration) is rejected before it can be expanded, nesting is
//! bounded, and only the five predefined entities and character references are understood.

use std::borrow::Cow;
use std::fmt::{Display, Write as _};

use quick_xml::events::Event;
use quick_xml::Reader;

use super::error::CallbackError;

/// Deeper than any WeChat payload (news replies reach 4).
pub const MAX_DEPTH: usize = 16;

/// One element: its name, its text (CDATA and text joined) and its child elements. Names and
/// text borrow from the input where they can (`Element<'static>` owns everything).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Element<'a> {
    /// Tag name.
    pub name: Cow<'a, str>,
    /// Text content (empty for elements that only hold children).
    pub text: Cow<'a, str>,
    /// Child elements in document order.
    pub children: Vec<Element<'a>>,
}

impl<'a> Element<'a> {
    /// The first child named `name`.
    pub fn child(&self, name: &str) -> Option<&Element<'a>> {
        self.children.iter().find(|c| c.name == name)
    }

    /// The text of the first child named `name`.
    pub fn child_text(&self, name: &str) -> Option<&str> {
        self.child(name).map(|c| c.text.as_ref())
    }

    /// A copy that owns its strings.
    pub fn into_owned(self) -> Element<'static> {
        Element {
            name: Cow::Owned(self.name.into_owned()),
            text: Cow::Owned(self.text.into_owned()),
            children: self.children.into_iter().map(Element::into_owned).collect(),
        }
    }
}

fn malformed(e: impl Display) -> CallbackError {
    CallbackError::MalformedXml(e.to_string())
}

fn utf8(bytes: Cow<'_, [u8]>) -> Result<Cow<'_, str>, CallbackError> {
    match bytes {
        Cow::Borrowed(b) => std::str::from_utf8(b).map(Cow::Borrowed).map_err(malformed),
        Cow::Owned(v) => String::from_utf8(v).map(Cow::Owned).map_err(malformed),
    }
}

fn push<'a>(to: &mut Cow<'a, str>, piece: Cow<'a, str>) {
    if to.is_empty() {
        *to = piece;
    } else {
        to.to_mut().push_str(&piece);
    }
}

/// `part` as a slice of `input` when it is one (the reader borrows from the input), so the
/// tree can keep borrowing; otherwise a copy.
fn borrow_from<'a>(input: &'a [u8], part: &[u8]) -> Cow<'a, [u8]> {
    let start = (part.as_ptr() as usize).wrapping_sub(input.as_ptr() as usize);
    match input.get(start..start.saturating_add(part.len())) {
        Some(same) if same.as_ptr() == part.as_ptr() => Cow::Borrowed(same),
        _ => Cow::Owned(part.to_vec()),
    }
}

/// An element being read: whitespace-only text is held back until it is known to be content
/// (`<A>  </A>`, or after other text) rather than layout (between children, around CDATA:
/// `<A> <![CDATA[x]]> </A>`, as some official samples are printed, reads as `x`).
struct Open<'a> {
    el: Element<'a>,
    pending: Cow<'a, str>,
    plain: bool,
    cdata: bool,
}

impl<'a> Open<'a> {
    fn new(name: Cow<'a, str>) -> Self {
        Open { el: Element { name, ..Element::default() }, pending: Cow::Borrowed(""), plain: false, cdata: false }
    }

    fn whitespace(&mut self, s: Cow<'a, str>) {
        if self.plain {
            push(&mut self.el.text, s);
        } else if self.el.children.is_empty() {
            push(&mut self.pending, s);
        }
        // else: layout between children.
    }

    /// A child starts: whitespace so far was layout.
    fn child_starts(&mut self) {
        if !self.plain {
            self.pending = Cow::Borrowed("");
        }
    }

    fn plain_text(&mut self, s: Cow<'a, str>) {
        if !self.plain {
            self.plain = true;
            if !self.cdata {
                let pending = std::mem::take(&mut self.pending);
                push(&mut self.el.text, pending);
            }
        }
        push(&mut self.el.text, s);
    }

    fn cdata_text(&mut self, s: Cow<'a, str>) {
        self.cdata = true;
        push(&mut self.el.text, s);
    }

    fn finish(mut self) -> Element<'a> {
        if !self.plain && !self.cdata && self.el.children.is_empty() {
            self.el.text = self.pending;
        }
        self.el
    }
}

/// Parses `bytes` (at most `max` of them) into the root element.
pub fn parse_xml(bytes: &[u8], max: usize) -> Result<Element<'_>, CallbackError> {
    if bytes.len() > max {
        return Err(CallbackError::TooLarge { size: bytes.len(), limit: max });
    }
    let mut reader = Reader::from_reader(bytes);
    // End names are compared against the open element below; the reader need not keep its own copy.
    reader.config_mut().check_end_names = false;
    let mut stack: Vec<Open<'_>> = Vec::with_capacity(4);
    let mut root: Option<Element<'_>> = None;
    loop {
        let ev = reader.read_event().map_err(malformed)?;
        match ev {
            Event::DocType(_) => return Err(CallbackError::DoctypeRejected),
            Event::Start(s) => {
                if root.is_some() {
                    return Err(malformed("content after the root element"));
                }
                if stack.len() >= MAX_DEPTH {
                    return Err(CallbackError::TooDeep(MAX_DEPTH));
                }
                if let Some(parent) = stack.last_mut() {
                    parent.child_starts();
                }
                stack.push(Open::new(utf8(borrow_from(bytes, s.name().as_ref()))?));
            }
            Event::Empty(s) => {
                let el = Element { name: utf8(borrow_from(bytes, s.name().as_ref()))?, ..Element::default() };
                match stack.last_mut() {
                    Some(parent) => parent.el.children.push(el),
                    None if root.is_none() => root = Some(el),
                    None => return Err(malformed("content after the root element")),
                }
            }
            Event::End(e) => {
                let open = stack.pop().ok_or_else(|| malformed("unexpected closing tag"))?;
                if e.name().as_ref() != open.el.name.as_bytes() {
                    return Err(malformed(format_args!(
                        "</{}> closes <{}>",
                        String::from_utf8_lossy(e.name().as_ref()),
                        open.el.name
                    )));
                }
                let el = open.finish();
                match stack.last_mut() {
                    Some(parent) => parent.el.children.push(el),
                    None => root = Some(el),
                }
            }
            Event::Text(t) => {
                let s = utf8(t.into_inner())?;
                let blank = s.trim().is_empty();
                match stack.last_mut() {
                    Some(cur) if blank => cur.whitespace(s),
                    Some(cur) => cur.plain_text(s),
                    None if blank => {}
                    None => return Err(malformed("text outside the root element")),
                }
            }
            Event::CData(c) => {
                let s = utf8(c.into_inner())?;
                match stack.last_mut() {
                    Some(cur) => cur.cdata_text(s),
                    None => return Err(malformed("CDATA outside the root element")),
                }
            }
            Event::GeneralRef(r) => {
                let cur = stack.last_mut().ok_or_else(|| malformed("entity outside the root element"))?;
                let ch = if r.is_char_ref() {
                    match r.resolve_char_ref().map_err(malformed)? {
                        Some(ch) => ch,
                        None => return Err(malformed("bad character reference")),
                    }
                } else {
                    let name = r.decode().map_err(malformed)?;
                    match name.as_ref() {
                        "lt" => '<',
                        "gt" => '>',
                        "amp" => '&',
                        "apos" => '\'',
                        "quot" => '"',
                        other => return Err(malformed(format_args!("undeclared entity &{};", truncate(other)))),
                    }
                };
                cur.plain_text(Cow::Owned(ch.to_string()));
            }
            Event::Decl(_) | Event::Comment(_) | Event::PI(_) => {}
            Event::Eof => break,
        }
    }
    if !stack.is_empty() {
        return Err(malformed("unexpected end of document"));
    }
    root.ok_or_else(|| malformed("no root element"))
}

fn truncate(s: &str) -> String {
    s.chars().take(20).collect()
}

/// Writes reply XML: every text value in CDATA, numbers bare.
#[derive(Debug, Default)]
pub struct XmlWriter {
    out: String,
}

impl XmlWriter {
    /// A writer with room for `cap` bytes.
    pub fn with_capacity(cap: usize) -> Self {
        XmlWriter { out: String::with_capacity(cap) }
    }

    /// `<name>`
    pub fn open(&mut self, name: &str) {
        self.out.push('<');
        self.out.push_str(name);
        self.out.push('>');
    }

    /// `</name>`
    pub fn close(&mut self, name: &str) {
        self.out.push_str("</");
        self.out.push_str(name);
        self.out.push('>');
    }

    /// `<name><![CDATA[value]]></name>`; a `]]>` inside the value is split across sections.
    pub fn text(&mut self, name: &str, value: &str) {
        self.open(name);
        self.out.push_str("<![CDATA[");
        let mut rest = value;
        // Most values hold no `]` at all: skip the substring search for them.
        while let Some(i) = memchr::memchr(b']', rest.as_bytes()).and_then(|_| rest.find("]]>")) {
            self.out.push_str(&rest[..i + 2]);
            self.out.push_str("]]><![CDATA[");
            rest = &rest[i + 2..];
        }
        self.out.push_str(rest);
        self.out.push_str("]]>");
        self.close(name);
    }

    /// `<name>value</name>` for a number.
    pub fn number<T: Display + ?Sized>(&mut self, name: &str, value: &T) {
        self.open(name);
        let _ = write!(self.out, "{value}");
        self.close(name);
    }

    /// The document.
    pub fn finish(self) -> String {
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_cdata_text_and_entities() {
        let x = b"<xml><A><![CDATA[a]]]]><![CDATA[>b]]></A><B>1 &lt; 2 &#x4e2d;</B><C/></xml>";
        let root = parse_xml(x, 1 << 20).expect("parses");
        assert_eq!(root.child_text("A"), Some("a]]>b"));
        assert_eq!(root.child_text("B"), Some("1 < 2 中"));
        assert_eq!(root.child_text("C"), Some(""));
    }

    #[test]
    fn whitespace_around_cdata_is_layout_but_cdata_whitespace_is_content() {
        let x = b"<xml><A> <![CDATA[event]]> </A><B><![CDATA[ padded ]]></B><C>  </C><D>x <![CDATA[y]]></D></xml>";
        let root = parse_xml(x, 1 << 20).expect("parses");
        assert_eq!(root.child_text("A"), Some("event"));
        assert_eq!(root.child_text("B"), Some(" padded "));
        assert_eq!(root.child_text("C"), Some("  "));
        assert_eq!(root.child_text("D"), Some("x y"));
    }

    #[test]
    fn writer_output_parses_back_even_with_cdata_terminators() {
        let mut w = XmlWriter::with_capacity(64);
        w.open("xml");
        w.text("Content", "x]]>y]]>");
        w.number("N", &42);
        w.close("xml");
        let out = w.finish();
        let root = parse_xml(out.as_bytes(), 1 << 20).expect("parses");
        assert_eq!(root.child_text("Content"), Some("x]]>y]]>"));
        assert_eq!(root.child_text("N"), Some("42"));
    }

    #[test]
    fn rejects_doctype_depth_size_and_broken_documents() {
        let doctype = b"<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY e \"boom\">]><xml><A>&e;</A></xml>";
        assert_eq!(parse_xml(doctype, 1 << 20), Err(CallbackError::DoctypeRejected));
        let deep = "<a>".repeat(40) + &"</a>".repeat(40);
        assert_eq!(parse_xml(deep.as_bytes(), 1 << 20), Err(CallbackError::TooDeep(MAX_DEPTH)));
        assert!(matches!(parse_xml(b"<xml>aaaa</xml>", 4), Err(CallbackError::TooLarge { size: 15, limit: 4 })));
        for bad in [&b"<xml><A></B></xml>"[..], b"<xml>", b"", b"<xml/><again/>", b"<xml>&undefined;</xml>"] {
            assert!(
                matches!(parse_xml(bad, 1 << 20), Err(CallbackError::MalformedXml(_))),
                "{:?}",
                String::from_utf8_lossy(bad)
            );
        }
    }
}
