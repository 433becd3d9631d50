//! The query string of a call, encoded without going through `serde_urlencoded` when the query
//! is what the generated code sends (a struct of strings, integers, booleans, string enums and
//! options of them): the same bytes, at a fraction of the cost (the generic encoder was the
//! largest single item of the SDK's own work in a small call). Anything else returns `None`
//! and the caller uses `serde_urlencoded`.
//!
//! Encoding is `application/x-www-form-urlencoded` exactly as `serde_urlencoded` writes it:
//! `A–Z a–z 0–9 * - . _` as they are, space as `+`, every other byte as `%XX`.

use std::fmt::Write as _;

use serde::ser::{self, Impossible, Serialize};

/// The encoded query, or `None` when `query` is not a flat struct of scalars.
pub(crate) fn encode<Q: Serialize + ?Sized>(query: &Q) -> Option<String> {
    // Room for the usual query (an OpenID or two) without growing.
    let mut out = String::with_capacity(128);
    query.serialize(Top { out: &mut out }).ok()?;
    Some(out)
}

/// Appends `s` form-encoded.
fn push_encoded(out: &mut String, s: &str) {
    let plain = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'*' | b'-' | b'.' | b'_');
    if s.bytes().all(plain) {
        out.push_str(s);
        return;
    }
    for b in s.bytes() {
        match b {
            _ if plain(b) => out.push(char::from(b)),
            b' ' => out.push('+'),
            _ => {
                const HEX: &[u8; 16] = b"0123456789ABCDEF";
                out.push('%');
                out.push(char::from(HEX[usize::from(b >> 4)]));
                out.push(char::from(HEX[usize::from(b & 15)]));
            }
        }
    }
}

/// Not a shape this encoder takes (the caller falls back to `serde_urlencoded`).
#[derive(Debug)]
struct Unsupported;

impl std::fmt::Display for Unsupported {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("unsupported query shape")
    }
}

impl std::error::Error for Unsupported {}

impl ser::Error for Unsupported {
    fn custom<T: std::fmt::Display>(_: T) -> Self {
        Unsupported
    }
}

macro_rules! unsupported {
    ($($name:ident($($t:ty),*) -> $ret:ty;)*) => {
        $(fn $name(self, $(_: $t),*) -> Result<$ret, Unsupported> { Err(Unsupported) })*
    };
}

/// The query itself: a struct (or a unit struct: no parameters).
struct Top<'o> {
    out: &'o mut String,
}

impl<'o> ser::Serializer for Top<'o> {
    type Ok = ();
    type Error = Unsupported;
    type SerializeSeq = Impossible<(), Unsupported>;
    type SerializeTuple = Impossible<(), Unsupported>;
    type SerializeTupleStruct = Impossible<(), Unsupported>;
    type SerializeTupleVariant = Impossible<(), Unsupported>;
    type SerializeMap = Impossible<(), Unsupported>;
    type SerializeStruct = Fields<'o>;
    type SerializeStructVariant = Impossible<(), Unsupported>;

    fn serialize_unit(self) -> Result<(), Unsupported> {
        Ok(())
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<(), Unsupported> {
        Ok(())
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Fields<'o>, Unsupported> {
        Ok(Fields { out: self.out })
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _: &'static str, v: &T) -> Result<(), Unsupported> {
        v.serialize(self)
    }
    fn serialize_none(self) -> Result<(), Unsupported> {
        Ok(())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, v: &T) -> Result<(), Unsupported> {
        v.serialize(self)
    }
    unsupported! {
        serialize_bool(bool) -> ();
        serialize_i8(i8) -> ();
        serialize_i16(i16) -> ();
        serialize_i32(i32) -> ();
        serialize_i64(i64) -> ();
        serialize_u8(u8) -> ();
        serialize_u16(u16) -> ();
        serialize_u32(u32) -> ();
        serialize_u64(u64) -> ();
        serialize_f32(f32) -> ();
        serialize_f64(f64) -> ();
        serialize_char(char) -> ();
        serialize_str(&str) -> ();
        serialize_bytes(&[u8]) -> ();
        serialize_unit_variant(&'static str, u32, &'static str) -> ();
        serialize_seq(Option<usize>) -> Self::SerializeSeq;
        serialize_tuple(usize) -> Self::SerializeTuple;
        serialize_tuple_struct(&'static str, usize) -> Self::SerializeTupleStruct;
        serialize_tuple_variant(&'static str, u32, &'static str, usize) -> Self::SerializeTupleVariant;
        serialize_map(Option<usize>) -> Self::SerializeMap;
        serialize_struct_variant(&'static str, u32, &'static str, usize) -> Self::SerializeStructVariant;
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<(), Unsupported> {
        Err(Unsupported)
    }
}

/// The fields of the query struct.
struct Fields<'o> {
    out: &'o mut String,
}

impl ser::SerializeStruct for Fields<'_> {
    type Ok = ();
    type Error = Unsupported;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result<(), Unsupported> {
        value.serialize(Value { out: self.out, key })
    }
    fn end(self) -> Result<(), Unsupported> {
        Ok(())
    }
}

/// One field's value: written as `key=value` (after `&` unless first); `None` writes nothing.
struct Value<'o> {
    out: &'o mut String,
    key: &'static str,
}

impl Value<'_> {
    fn start(&mut self) {
        if !self.out.is_empty() {
            self.out.push('&');
        }
        push_encoded(self.out, self.key);
        self.out.push('=');
    }
    fn text(mut self, v: &str) -> Result<(), Unsupported> {
        self.start();
        push_encoded(self.out, v);
        Ok(())
    }
    fn display(mut self, v: impl std::fmt::Display) -> Result<(), Unsupported> {
        // Numbers and booleans need no encoding.
        self.start();
        write!(self.out, "{v}").map_err(|_| Unsupported)
    }
}

/// `serialize_<t>` for the scalars written with their `Display` form.
macro_rules! display_scalars {
    ($($name:ident: $t:ty),* $(,)?) => {
        $(fn $name(self, v: $t) -> Result<(), Unsupported> {
            self.display(v)
        })*
    };
}

impl ser::Serializer for Value<'_> {
    type Ok = ();
    type Error = Unsupported;
    type SerializeSeq = Impossible<(), Unsupported>;
    type SerializeTuple = Impossible<(), Unsupported>;
    type SerializeTupleStruct = Impossible<(), Unsupported>;
    type SerializeTupleVariant = Impossible<(), Unsupported>;
    type SerializeMap = Impossible<(), Unsupported>;
    type SerializeStruct = Impossible<(), Unsupported>;
    type SerializeStructVariant = Impossible<(), Unsupported>;

    display_scalars!(serialize_bool: bool, serialize_i8: i8, serialize_i16: i16, serialize_i32: i32, serialize_i64: i64, serialize_u8: u8, serialize_u16: u16, serialize_u32: u32, serialize_u64: u64);
    fn serialize_str(self, v: &str) -> Result<(), Unsupported> {
        self.text(v)
    }
    fn serialize_char(self, v: char) -> Result<(), Unsupported> {
        self.text(v.encode_utf8(&mut [0u8; 4]))
    }
    fn serialize_unit_variant(self, _: &'static str, _: u32, variant: &'static str) -> Result<(), Unsupported> {
        self.text(variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _: &'static str, v: &T) -> Result<(), Unsupported> {
        v.serialize(self)
    }
    fn serialize_none(self) -> Result<(), Unsupported> {
        Ok(())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, v: &T) -> Result<(), Unsupported> {
        v.serialize(self)
    }
    unsupported! {
        // Floats: `serde_urlencoded` formats them its own way; left to it.
        serialize_f32(f32) -> ();
        serialize_f64(f64) -> ();
        serialize_bytes(&[u8]) -> ();
        serialize_unit() -> ();
        serialize_unit_struct(&'static str) -> ();
        serialize_seq(Option<usize>) -> Self::SerializeSeq;
        serialize_tuple(usize) -> Self::SerializeTuple;
        serialize_tuple_struct(&'static str, usize) -> Self::SerializeTupleStruct;
        serialize_tuple_variant(&'static str, u32, &'static str, usize) -> Self::SerializeTupleVariant;
        serialize_map(Option<usize>) -> Self::SerializeMap;
        serialize_struct(&'static str, usize) -> Self::SerializeStruct;
        serialize_struct_variant(&'static str, u32, &'static str, usize) -> Self::SerializeStructVariant;
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<(), Unsupported> {
        Err(Unsupported)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Serialize;

    #[derive(Serialize)]
    #[serde(rename_all = "lowercase")]
    enum Lang {
        #[serde(rename = "zh_CN")]
        ZhCn,
        En,
    }

    #[derive(Serialize)]
    struct Q<'a> {
        openid: &'a str,
        #[serde(skip_serializing_if = "Option::is_none")]
        next: Option<String>,
        absent: Option<i64>,
        n: i64,
        u: u32,
        flag: bool,
        lang: Lang,
        other: Option<Lang>,
        #[serde(rename = "a key")]
        renamed: String,
    }

    #[derive(Serialize)]
    struct Unit;

    #[derive(Serialize)]
    struct WithFloat {
        x: f64,
    }

    #[derive(Serialize)]
    struct WithList {
        x: Vec<i32>,
    }

    fn same<T: Serialize>(v: &T) {
        assert_eq!(encode(v), Some(serde_urlencoded::to_string(v).unwrap()));
    }

    #[test]
    fn writes_what_serde_urlencoded_writes() {
        for s in ["oAbC_123-x.y*z", "a b&c=d/e?f%g+h", "广东 深圳", "", "~!@#$^()[]{}|\\\"'<>,;:"] {
            same(&Q {
                openid: s,
                next: Some(s.to_string()),
                absent: None,
                n: -42,
                u: 7,
                flag: true,
                lang: Lang::ZhCn,
                other: Some(Lang::En),
                renamed: s.to_string(),
            });
        }
        same(&Unit);
        assert_eq!(encode(&Unit), Some(String::new()));
    }

    #[test]
    fn leaves_other_shapes_to_serde_urlencoded() {
        assert_eq!(encode(&WithFloat { x: 1.5 }), None);
        assert_eq!(encode(&WithList { x: vec![1] }), None);
        assert_eq!(encode(&"top-level string"), None);
    }
}
