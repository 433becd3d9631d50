//! A small, strict XML tree for WeChat's flat payloads: elements, text and CDATA. Any DOCTYPE
//! (and with it any entity declaration) is rejected before it can be expanded, nesting is
//! bounded, and only the five predefined entities and character references are understood.

use std::fmt::{Display, Write as _};

use quick_xml::events::Event;
use quick_xml::Reader;

use super::error::CallbackError;

/// Deeper than any WeChat payload (news replies reach 4).
pub const MAX_DEPTH: usize = 16;

/// One element: its name, its text (CDATA and text joined) and its child elements.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Element {
    /// Tag name.
    pub name: String,
    /// Text content (empty for elements that only hold children).
    pub text: String,
    /// Child elements in document order.
    pub children: Vec<Element>,
}

impl Element {
    /// The first child named `name`.
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    /// The text of the first child named `name`.
    pub fn child_text(&self, name: &str) -> Option<&str> {
        self.child(name).map(|c| c.text.as_str())
    }
}

fn malformed(e: impl Display) -> CallbackError {
    CallbackError::MalformedXml(e.to_string())
}

/// Parses `bytes` (at most `max` of them) into the root element.
pub fn parse_xml(bytes: &[u8], max: usize) -> Result<Element, CallbackError> {
    if bytes.len() > max {
        return Err(CallbackError::TooLarge { size: bytes.len(), limit: max });
    }
    let mut reader = Reader::from_reader(bytes);
    let mut stack: Vec<Element> = Vec::with_capacity(4);
    // Per open element: its CDATA alone, and whether text outside CDATA held anything but
    // whitespace. `<A> <![CDATA[x]]> </A>` (as some official samples are printed) reads as `x`.
    let mut frames: Vec<Frame> = Vec::with_capacity(4);
    let mut root: Option<Element> = None;
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
                let name = std::str::from_utf8(s.name().as_ref()).map_err(malformed)?.to_string();
                stack.push(Element { name, ..Element::default() });
                frames.push(Frame::default());
            }
            Event::Empty(s) => {
                let name = std::str::from_utf8(s.name().as_ref()).map_err(malformed)?.to_string();
                let el = Element { name, ..Element::default() };
                match stack.last_mut() {
                    Some(parent) => parent.children.push(el),
                    None if root.is_none() => root = Some(el),
                    None => return Err(malformed("content after the root element")),
                }
            }
            Event::End(e) => {
                let mut el = stack.pop().ok_or_else(|| malformed("unexpected closing tag"))?;
                if let Some(f) = frames.pop() {
                    if f.has_cdata && !f.plain_text && el.children.is_empty() {
                        el.text = f.cdata;
                    }
                }
                if e.name().as_ref() != el.name.as_bytes() {
                    return Err(malformed(format_args!(
                        "</{}> closes <{}>",
                        String::from_utf8_lossy(e.name().as_ref()),
                        el.name
                    )));
                }
                match stack.last_mut() {
                    Some(parent) => parent.children.push(el),
                    None => root = Some(el),
                }
            }
            Event::Text(t) => {
                let s = t.decode().map_err(malformed)?;
                match stack.last_mut() {
                    Some(cur) => {
                        cur.text.push_str(&s);
                        if let Some(f) = frames.last_mut() {
                            f.plain_text |= !s.trim().is_empty();
                        }
                    }
                    None if s.trim().is_empty() => {}
                    None => return Err(malformed("text outside the root element")),
                }
            }
            Event::CData(c) => {
                let s = c.decode().map_err(malformed)?;
                match stack.last_mut() {
                    Some(cur) => {
                        cur.text.push_str(&s);
                        if let Some(f) = frames.last_mut() {
                            f.has_cdata = true;
                            f.cdata.push_str(&s);
                        }
                    }
                    None => return Err(malformed("CDATA outside the root element")),
                }
            }
            Event::GeneralRef(r) => {
                let cur = stack.last_mut().ok_or_else(|| malformed("entity outside the root element"))?;
                if let Some(f) = frames.last_mut() {
                    f.plain_text = true;
                }
                if r.is_char_ref() {
                    match r.resolve_char_ref().map_err(malformed)? {
                        Some(ch) => cur.text.push(ch),
                        None => return Err(malformed("bad character reference")),
                    }
                } else {
                    let name = r.decode().map_err(malformed)?;
                    cur.text.push(match name.as_ref() {
                        "lt" => '<',
                        "gt" => '>',
                        "amp" => '&',
                        "apos" => '\'',
                        "quot" => '"',
                        other => return Err(malformed(format_args!("undeclared entity &{};", truncate(other)))),
                    });
                }
            }
            Event::Decl(_) | Event::Comment(_) | Event::PI(_) => {}
            Event::Eof => break,
        }
    }
    if !stack.is_empty() {
        return Err(malformed("unexpected end of document"));
    }
    let mut root = root.ok_or_else(|| malformed("no root element"))?;
    // Whitespace between child elements is layout, not content.
    trim_layout(&mut root);
    Ok(root)
}

#[derive(Default)]
struct Frame {
    has_cdata: bool,
    plain_text: bool,
    cdata: String,
}

fn trim_layout(el: &mut Element) {
    if !el.children.is_empty() {
        if el.text.trim().is_empty() {
            el.text.clear();
        }
        for c in &mut el.children {
            trim_layout(c);
        }
    }
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
        while let Some(i) = rest.find("]]>") {
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
        let root = parse_xml(w.finish().as_bytes(), 1 << 20).expect("parses");
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
