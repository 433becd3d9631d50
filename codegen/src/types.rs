//! Type expressions of the spec (`string`, `list<i64>`, `map<TemplateDataValue>`, `Lang`).

use std::fmt;

/// Primitive types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Prim {
    /// `string`
    String,
    /// `bool`
    Bool,
    /// `i32`
    I32,
    /// `i64`
    I64,
    /// `u32`
    U32,
    /// `u64`
    U64,
    /// `f64`
    F64,
    /// `json`: any JSON value.
    Json,
    /// `file`: a multipart file part.
    File,
    /// `id`: an identifier WeChat documents as a string but some accounts receive as a number;
    /// a `String` that accepts both on the wire.
    Id,
}

/// A parsed type expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TypeExpr {
    /// A primitive.
    Prim(Prim),
    /// `list<T>`
    List(Box<TypeExpr>),
    /// `map<T>`: string keys.
    Map(Box<TypeExpr>),
    /// A named type.
    Named(String),
}

/// The primitive names, for messages.
pub const PRIMITIVES: &[&str] = &["string", "bool", "i32", "i64", "u32", "u64", "f64", "json", "file", "id"];

impl TypeExpr {
    /// Parses `list<map<string>>` and friends. Errors say what was expected.
    pub fn parse(text: &str) -> Result<TypeExpr, String> {
        let t = text.trim();
        let prim = match t {
            "string" => Some(Prim::String),
            "bool" => Some(Prim::Bool),
            "i32" => Some(Prim::I32),
            "i64" => Some(Prim::I64),
            "u32" => Some(Prim::U32),
            "u64" => Some(Prim::U64),
            "f64" => Some(Prim::F64),
            "json" => Some(Prim::Json),
            "file" => Some(Prim::File),
            "id" => Some(Prim::Id),
            _ => None,
        };
        if let Some(p) = prim {
            return Ok(TypeExpr::Prim(p));
        }
        for (prefix, wrap) in [("list<", TypeExpr::List as fn(Box<TypeExpr>) -> TypeExpr), ("map<", TypeExpr::Map)] {
            if let Some(rest) = t.strip_prefix(prefix) {
                let inner = rest.strip_suffix('>').ok_or_else(|| format!("type `{t}` is missing its closing `>`"))?;
                return Ok(wrap(Box::new(TypeExpr::parse(inner)?)));
            }
        }
        if t.is_empty() {
            return Err("empty type".to_string());
        }
        if t.chars().all(|c| c.is_ascii_alphanumeric()) && t.starts_with(|c: char| c.is_ascii_uppercase()) {
            return Ok(TypeExpr::Named(t.to_string()));
        }
        Err(format!(
            "`{t}` is not a type (expected one of {}, list<T>, map<T>, or a named type in UpperCamelCase)",
            PRIMITIVES.join(", ")
        ))
    }

    /// Every named type mentioned.
    pub fn named(&self) -> Option<&str> {
        match self {
            TypeExpr::Named(n) => Some(n),
            TypeExpr::List(t) | TypeExpr::Map(t) => t.named(),
            TypeExpr::Prim(_) => None,
        }
    }

    /// Whether a `file` appears anywhere.
    pub fn has_file(&self) -> bool {
        match self {
            TypeExpr::Prim(p) => *p == Prim::File,
            TypeExpr::List(t) | TypeExpr::Map(t) => t.has_file(),
            TypeExpr::Named(_) => false,
        }
    }

    /// Whether this is a list or map (absent means empty).
    pub fn is_collection(&self) -> bool {
        matches!(self, TypeExpr::List(_) | TypeExpr::Map(_))
    }
}

impl fmt::Display for TypeExpr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TypeExpr::Prim(p) => f.write_str(PRIMITIVES[*p as usize]),
            TypeExpr::List(t) => write!(f, "list<{t}>"),
            TypeExpr::Map(t) => write!(f, "map<{t}>"),
            TypeExpr::Named(n) => f.write_str(n),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_nested_containers() {
        assert_eq!(
            TypeExpr::parse("list<map<Lang>>"),
            Ok(TypeExpr::List(Box::new(TypeExpr::Map(Box::new(TypeExpr::Named("Lang".into()))))))
        );
        assert_eq!(TypeExpr::parse("list<i64>").map(|t| t.to_string()), Ok("list<i64>".to_string()));
    }

    #[test]
    fn rejects_lowercase_unknown_names() {
        assert!(TypeExpr::parse("strnig").is_err());
        assert!(TypeExpr::parse("list<string").is_err());
    }
}
