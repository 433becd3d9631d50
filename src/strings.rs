//! [`StringList`]: a list of strings kept in one buffer, the type of every `list<string>` field
//! of a response.
//!
//! WeChat answers with long lists of short strings (a follower page is 10,000 OpenIDs of 28
//! bytes). Decoded into `Vec<String>`, each one costs an allocation, and those allocations
//! (and freeing them again) were most of the time of decoding such a page. A `StringList`
//! appends every string to one `String` and remembers where each ends: two allocations per
//! list whatever its length, and the same owned, `Send + 'static` value to hand around.

use std::fmt;
use std::iter::FusedIterator;
use std::ops::Index;

use serde::de::{DeserializeSeed, Deserializer, SeqAccess, Visitor};
use serde::ser::{SerializeSeq, Serializer};
use serde::{Deserialize, Serialize};

/// An owned list of strings in one buffer: iterate it as `&str`, index it, compare it with a
/// `Vec` or an array of strings, or turn it into a `Vec<String>`.
///
/// On the wire (serde) it is a sequence of strings, like `Vec<String>`.
///
/// ```
/// use wechat_oa::StringList;
/// let mut ids: StringList = ["o1", "o2"].into_iter().collect();
/// ids.push("o3");
/// assert_eq!(ids.len(), 3);
/// assert_eq!(&ids[1], "o2");
/// assert_eq!(ids.last(), Some("o3"));
/// assert_eq!(ids, ["o1", "o2", "o3"]);
/// let v: Vec<String> = ids.into();
/// assert_eq!(v, ["o1", "o2", "o3"]);
/// ```
#[derive(Clone, Default, PartialEq, Eq, Hash)]
pub struct StringList {
    /// Every string, one after the other.
    buf: String,
    /// Where each string ends in `buf` (its start is the previous one's end).
    ends: Vec<usize>,
}

impl StringList {
    /// An empty list.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty list with room for `items` strings of `bytes` bytes in all.
    pub fn with_capacity(items: usize, bytes: usize) -> Self {
        StringList { buf: String::with_capacity(bytes), ends: Vec::with_capacity(items) }
    }

    /// How many strings.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Whether there is none.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// The string at `index`, if there is one.
    pub fn get(&self, index: usize) -> Option<&str> {
        let end = *self.ends.get(index)?;
        let start = if index == 0 { 0 } else { self.ends[index - 1] };
        self.buf.get(start..end)
    }

    /// The first string.
    pub fn first(&self) -> Option<&str> {
        self.get(0)
    }

    /// The last string.
    pub fn last(&self) -> Option<&str> {
        self.len().checked_sub(1).and_then(|i| self.get(i))
    }

    /// Whether `s` is in the list.
    pub fn contains(&self, s: &str) -> bool {
        self.iter().any(|x| x == s)
    }

    /// The strings, in order.
    pub fn iter(&self) -> Iter<'_> {
        Iter { list: self, front: 0, back: self.ends.len() }
    }

    /// Appends a string.
    pub fn push(&mut self, s: &str) {
        self.buf.push_str(s);
        self.ends.push(self.buf.len());
    }

    /// Removes every string (keeping the memory).
    pub fn clear(&mut self) {
        self.buf.clear();
        self.ends.clear();
    }

    /// The strings as a `Vec<String>` (one allocation each).
    pub fn to_vec(&self) -> Vec<String> {
        self.iter().map(str::to_string).collect()
    }
}

impl Index<usize> for StringList {
    type Output = str;

    /// The string at `index`; panics when out of bounds, like indexing a `Vec`.
    fn index(&self, index: usize) -> &str {
        match self.get(index) {
            Some(s) => s,
            None => panic!("index {index} out of bounds for a StringList of {} strings", self.len()),
        }
    }
}

impl fmt::Debug for StringList {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

/// The strings of a [`StringList`], borrowed.
#[derive(Clone)]
pub struct Iter<'a> {
    list: &'a StringList,
    front: usize,
    back: usize,
}

impl<'a> Iterator for Iter<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        if self.front >= self.back {
            return None;
        }
        let s = self.list.get(self.front);
        self.front += 1;
        s
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = self.back - self.front;
        (n, Some(n))
    }

    fn nth(&mut self, n: usize) -> Option<&'a str> {
        self.front = self.front.saturating_add(n).min(self.back);
        self.next()
    }
}

impl DoubleEndedIterator for Iter<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        if self.front >= self.back {
            return None;
        }
        self.back -= 1;
        self.list.get(self.back)
    }
}

impl ExactSizeIterator for Iter<'_> {}
impl FusedIterator for Iter<'_> {}

/// The strings of a [`StringList`], as owned `String`s (each allocated when it is taken).
pub struct IntoIter {
    list: StringList,
    front: usize,
    back: usize,
}

impl Iterator for IntoIter {
    type Item = String;

    fn next(&mut self) -> Option<String> {
        if self.front >= self.back {
            return None;
        }
        let s = self.list.get(self.front).map(str::to_string);
        self.front += 1;
        s
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = self.back - self.front;
        (n, Some(n))
    }
}

impl DoubleEndedIterator for IntoIter {
    fn next_back(&mut self) -> Option<String> {
        if self.front >= self.back {
            return None;
        }
        self.back -= 1;
        self.list.get(self.back).map(str::to_string)
    }
}

impl ExactSizeIterator for IntoIter {}
impl FusedIterator for IntoIter {}

impl fmt::Debug for IntoIter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let rest = Iter { list: &self.list, front: self.front, back: self.back };
        f.debug_list().entries(rest).finish()
    }
}

impl<'a> IntoIterator for &'a StringList {
    type Item = &'a str;
    type IntoIter = Iter<'a>;
    fn into_iter(self) -> Iter<'a> {
        self.iter()
    }
}

impl IntoIterator for StringList {
    type Item = String;
    type IntoIter = IntoIter;
    fn into_iter(self) -> IntoIter {
        let back = self.ends.len();
        IntoIter { list: self, front: 0, back }
    }
}

impl<S: AsRef<str>> FromIterator<S> for StringList {
    fn from_iter<I: IntoIterator<Item = S>>(iter: I) -> Self {
        let mut list = StringList::new();
        list.extend(iter);
        list
    }
}

impl<S: AsRef<str>> Extend<S> for StringList {
    fn extend<I: IntoIterator<Item = S>>(&mut self, iter: I) {
        let iter = iter.into_iter();
        self.ends.reserve(iter.size_hint().0);
        for s in iter {
            self.push(s.as_ref());
        }
    }
}

impl From<Vec<String>> for StringList {
    fn from(v: Vec<String>) -> Self {
        let bytes = v.iter().map(String::len).sum();
        let mut list = StringList::with_capacity(v.len(), bytes);
        list.extend(v);
        list
    }
}

impl From<&[&str]> for StringList {
    fn from(v: &[&str]) -> Self {
        v.iter().collect()
    }
}

impl<const N: usize> From<[&str; N]> for StringList {
    fn from(v: [&str; N]) -> Self {
        v.into_iter().collect()
    }
}

impl From<StringList> for Vec<String> {
    fn from(list: StringList) -> Self {
        list.to_vec()
    }
}

fn eq_strs<S: AsRef<str>>(list: &StringList, other: &[S]) -> bool {
    list.len() == other.len() && list.iter().zip(other).all(|(a, b)| a == b.as_ref())
}

impl<S: AsRef<str>> PartialEq<[S]> for StringList {
    fn eq(&self, other: &[S]) -> bool {
        eq_strs(self, other)
    }
}

impl<S: AsRef<str>> PartialEq<&[S]> for StringList {
    fn eq(&self, other: &&[S]) -> bool {
        eq_strs(self, other)
    }
}

impl<S: AsRef<str>, const N: usize> PartialEq<[S; N]> for StringList {
    fn eq(&self, other: &[S; N]) -> bool {
        eq_strs(self, other)
    }
}

impl<S: AsRef<str>> PartialEq<Vec<S>> for StringList {
    fn eq(&self, other: &Vec<S>) -> bool {
        eq_strs(self, other)
    }
}

impl<S: AsRef<str>> PartialEq<StringList> for Vec<S> {
    fn eq(&self, other: &StringList) -> bool {
        eq_strs(other, self)
    }
}

impl<S: AsRef<str>> PartialEq<StringList> for [S] {
    fn eq(&self, other: &StringList) -> bool {
        eq_strs(other, self)
    }
}

impl Serialize for StringList {
    fn serialize<Ser: Serializer>(&self, serializer: Ser) -> Result<Ser::Ok, Ser::Error> {
        let mut seq = serializer.serialize_seq(Some(self.len()))?;
        for s in self {
            seq.serialize_element(s)?;
        }
        seq.end()
    }
}

/// Appends one string element to the buffer, without an allocation of its own.
struct AppendStr<'b>(&'b mut String);

impl<'de> DeserializeSeed<'de> for AppendStr<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for AppendStr<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }
    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<(), E> {
        self.0.push_str(v);
        Ok(())
    }
}

struct ListVisitor;

impl<'de> Visitor<'de> for ListVisitor {
    type Value = StringList;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list of strings")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<StringList, A::Error> {
        // A declared length is only a hint (it comes from the input): cap what it reserves.
        let mut list = StringList::with_capacity(seq.size_hint().unwrap_or(0).min(4096), 0);
        while let Some(()) = seq.next_element_seed(AppendStr(&mut list.buf))? {
            list.ends.push(list.buf.len());
        }
        Ok(list)
    }
}

impl<'de> Deserialize<'de> for StringList {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_seq(ListVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_and_encodes_like_a_vec_of_strings() {
        let json = r#"["a","","b\"c","中文\u00e9",  "x"]"#;
        let list: StringList = serde_json::from_str(json).unwrap();
        let vec: Vec<String> = serde_json::from_str(json).unwrap();
        assert_eq!(list, vec);
        assert_eq!(list.len(), 5);
        assert_eq!(list.get(1), Some(""));
        assert_eq!(&list[2], "b\"c");
        assert_eq!(list.get(5), None);
        assert_eq!(serde_json::to_string(&list).unwrap(), serde_json::to_string(&vec).unwrap());
        assert_eq!(Vec::<String>::from(list.clone()), vec);
        assert_eq!(list.iter().next_back(), Some("x"));
        assert_eq!(list.clone().into_iter().collect::<Vec<_>>(), vec);
        assert_eq!(format!("{list:?}"), format!("{vec:?}"));
    }

    #[test]
    fn refuses_what_is_not_a_list_of_strings() {
        assert!(serde_json::from_str::<StringList>(r#"["a", 1]"#).is_err());
        assert!(serde_json::from_str::<StringList>(r#""a""#).is_err());
        assert!(serde_json::from_str::<StringList>(r#"["a""#).is_err());
        assert!(serde_json::from_str::<StringList>("null").is_err());
        assert_eq!(serde_json::from_str::<StringList>("[]").unwrap(), StringList::new());
    }

    #[test]
    fn equal_lists_are_equal_however_built() {
        let a: StringList = ["ab", "c"].into();
        let b: StringList = vec!["ab".to_string(), "c".to_string()].into();
        let c: StringList = ["a", "bc"].into();
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert!(a.contains("c") && !a.contains("a"));
    }
}
