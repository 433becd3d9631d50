//! A JSON body against the operation's request type, before anything is sent: every key is a
//! field the spec knows (a union's tag and payload keys included), every required field is
//! there, and nested objects follow their named struct. The first problem is named by its
//! path (`articles[0].title`).

use serde_json::{Map, Value};
use wechat_oa::ops::OpField;

fn join(at: &str, name: &str) -> String {
    if at.is_empty() {
        name.to_string()
    } else {
        format!("{at}.{name}")
    }
}

/// `list<T>` / `map<T>` -> `T`.
fn inner(ty: &str) -> &str {
    ty.strip_prefix("list<").or_else(|| ty.strip_prefix("map<")).and_then(|t| t.strip_suffix('>')).unwrap_or(ty)
}

/// Checks `obj` against `fields`.
pub fn object(fields: &[OpField], obj: &Map<String, Value>, at: &str) -> Result<(), String> {
    let unions: Vec<&wechat_oa::ops::OpUnion> =
        fields.iter().filter(|f| f.flatten).filter_map(|f| wechat_oa::ops::union(f.ty)).collect();
    for u in &unions {
        let tag =
            obj.get(u.tag).and_then(Value::as_str).ok_or_else(|| format!("missing field `{}`", join(at, u.tag)))?;
        let kinds: Vec<_> = u.variants.iter().filter(|(w, _, _)| *w == tag).collect();
        if kinds.is_empty() {
            let all: Vec<&str> = u.variants.iter().map(|(w, _, _)| *w).collect();
            return Err(format!("`{}` = {tag:?} is not one of {}", join(at, u.tag), all.join(", ")));
        }
        let Some((_, key, ty)) = kinds.iter().find(|(_, k, _)| obj.contains_key(*k)) else {
            return Err(format!("missing field `{}`", join(at, kinds[0].1)));
        };
        value(ty, &obj[*key], &join(at, key))?;
    }
    for key in obj.keys() {
        let known = fields.iter().any(|f| !f.flatten && f.name == key)
            || unions.iter().any(|u| u.tag == key || u.variants.iter().any(|(_, k, _)| k == key));
        if !known {
            let mut names: Vec<&str> = fields.iter().filter(|f| !f.flatten).map(|f| f.name).collect();
            for u in &unions {
                names.push(u.tag);
            }
            return Err(format!("unknown field `{}` (known: {})", join(at, key), names.join(", ")));
        }
    }
    for f in fields.iter().filter(|f| !f.flatten) {
        match obj.get(f.name) {
            None | Some(Value::Null) if f.required => return Err(format!("missing field `{}`", join(at, f.name))),
            None | Some(Value::Null) => {}
            Some(v) => value(f.ty, v, &join(at, f.name))?,
        }
    }
    Ok(())
}

/// A value of spec type `ty`: objects of named structs are checked, lists and maps item by item.
fn value(ty: &str, v: &Value, at: &str) -> Result<(), String> {
    let item = inner(ty);
    let Some(fields) = wechat_oa::ops::struct_fields(item) else { return Ok(()) };
    match (v, ty.starts_with("list<"), ty.starts_with("map<")) {
        (Value::Array(items), true, _) => {
            for (i, x) in items.iter().enumerate() {
                value(item, x, &format!("{at}[{i}]"))?;
            }
            Ok(())
        }
        (Value::Object(o), _, true) => {
            for (k, x) in o {
                value(item, x, &format!("{at}.{k}"))?;
            }
            Ok(())
        }
        (Value::Object(o), false, false) => object(fields, o, at),
        _ => Err(format!("`{at}` must be {}", if ty.starts_with("list<") { "a list" } else { "an object" })),
    }
}
