//! Short strings kept inline: a 40-column CREATE TABLE should not cost 200 heap allocations.

use serde::{Serialize, Serializer};
use std::borrow::Borrow;
use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::ops::Deref;

/// Bytes kept inline (the value plus its length and tag fill 24 bytes, the size of a `String`).
const INLINE: usize = 22;

/// An immutable string stored inline up to 22 bytes (column names, types as written, short
/// default expressions), on the heap beyond. Compares, hashes and prints as its text.
#[derive(Clone)]
pub struct SmallStr(Repr);

#[derive(Clone)]
enum Repr {
    Inline { len: u8, bytes: [u8; INLINE] },
    Heap(Box<str>),
}

impl SmallStr {
    /// A copy of `s`.
    pub fn new(s: &str) -> Self {
        let mut b = Builder::default();
        b.push(s);
        b.finish()
    }

    /// A copy of `s` with ASCII letters lower-cased (PostgreSQL's folding of unquoted names).
    pub(crate) fn ascii_lowercase(s: &str) -> Self {
        if s.len() <= INLINE {
            let mut bytes = [0; INLINE];
            bytes[..s.len()].copy_from_slice(s.as_bytes());
            bytes[..s.len()].make_ascii_lowercase();
            SmallStr(Repr::Inline {
                len: s.len() as u8,
                bytes,
            })
        } else {
            SmallStr(Repr::Heap(s.to_ascii_lowercase().into_boxed_str()))
        }
    }

    /// The pieces one after the other.
    pub fn concat(pieces: &[&str]) -> Self {
        let mut b = Builder::default();
        for p in pieces {
            b.push(p);
        }
        b.finish()
    }

    /// What `value.to_string()` gives, without a heap allocation when it is short.
    pub fn display(value: &impl fmt::Display) -> Self {
        let mut b = Builder::default();
        // Writing to a Builder cannot fail; a Display impl that fails leaves what it wrote.
        let _ = fmt::write(&mut b, format_args!("{value}"));
        b.finish()
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        match &self.0 {
            // Only whole `&str`s are ever copied in, so this never fails.
            Repr::Inline { len, bytes } => {
                std::str::from_utf8(&bytes[..usize::from(*len)]).unwrap_or_default()
            }
            Repr::Heap(s) => s,
        }
    }
}

/// Collects written text inline until it no longer fits, then in a `String`.
struct Builder {
    len: usize,
    bytes: [u8; INLINE],
    spilled: Option<String>,
}

impl Default for Builder {
    fn default() -> Self {
        Builder {
            len: 0,
            bytes: [0; INLINE],
            spilled: None,
        }
    }
}

impl Builder {
    fn push(&mut self, s: &str) {
        if let Some(heap) = &mut self.spilled {
            heap.push_str(s);
        } else if self.len + s.len() <= INLINE {
            self.bytes[self.len..self.len + s.len()].copy_from_slice(s.as_bytes());
            self.len += s.len();
        } else {
            let mut heap = String::with_capacity(self.len + s.len());
            heap.push_str(std::str::from_utf8(&self.bytes[..self.len]).unwrap_or_default());
            heap.push_str(s);
            self.spilled = Some(heap);
        }
    }

    fn finish(self) -> SmallStr {
        match self.spilled {
            Some(heap) => SmallStr(Repr::Heap(heap.into_boxed_str())),
            None => SmallStr(Repr::Inline {
                len: self.len as u8,
                bytes: self.bytes,
            }),
        }
    }
}

impl fmt::Write for Builder {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.push(s);
        Ok(())
    }
}

impl Default for SmallStr {
    fn default() -> Self {
        SmallStr::new("")
    }
}

impl Deref for SmallStr {
    type Target = str;

    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for SmallStr {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl Borrow<str> for SmallStr {
    fn borrow(&self) -> &str {
        self.as_str()
    }
}

impl From<&str> for SmallStr {
    fn from(s: &str) -> Self {
        SmallStr::new(s)
    }
}

impl From<String> for SmallStr {
    fn from(s: String) -> Self {
        if s.len() <= INLINE {
            SmallStr::new(&s)
        } else {
            SmallStr(Repr::Heap(s.into_boxed_str()))
        }
    }
}

impl From<&String> for SmallStr {
    fn from(s: &String) -> Self {
        SmallStr::new(s)
    }
}

impl From<SmallStr> for String {
    fn from(s: SmallStr) -> Self {
        match s.0 {
            Repr::Heap(h) => h.into_string(),
            Repr::Inline { .. } => s.as_str().to_string(),
        }
    }
}

impl fmt::Display for SmallStr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self.as_str(), f)
    }
}

impl fmt::Debug for SmallStr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl Serialize for SmallStr {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl PartialEq for SmallStr {
    fn eq(&self, other: &SmallStr) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for SmallStr {}

impl PartialOrd for SmallStr {
    fn partial_cmp(&self, other: &SmallStr) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for SmallStr {
    fn cmp(&self, other: &SmallStr) -> Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl Hash for SmallStr {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_str().hash(state)
    }
}

impl PartialEq<str> for SmallStr {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for SmallStr {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<String> for SmallStr {
    fn eq(&self, other: &String) -> bool {
        self.as_str() == other.as_str()
    }
}

impl PartialEq<SmallStr> for str {
    fn eq(&self, other: &SmallStr) -> bool {
        self == other.as_str()
    }
}

impl PartialEq<SmallStr> for &str {
    fn eq(&self, other: &SmallStr) -> bool {
        *self == other.as_str()
    }
}

impl PartialEq<SmallStr> for String {
    fn eq(&self, other: &SmallStr) -> bool {
        self.as_str() == other.as_str()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_and_long_strings_keep_their_text() {
        for s in [
            "",
            "id",
            "varchar(64)",
            "exactly_twenty_two_by",
            "twenty_three_bytes_long",
            "é",
        ] {
            let small = SmallStr::new(s);
            assert_eq!(small.as_str(), s);
            assert_eq!(SmallStr::from(s.to_string()), s);
            assert_eq!(SmallStr::display(&s), s);
            assert_eq!(SmallStr::concat(&[s, s]), format!("{s}{s}").as_str());
            assert_eq!(String::from(small), s);
        }
        assert_eq!(std::mem::size_of::<SmallStr>(), 24);
    }

    #[test]
    fn display_spills_to_the_heap_across_writes() {
        let long = format!("{}{}", "a".repeat(20), "é".repeat(5));
        let d = SmallStr::display(&format_args!("{}{}", "a".repeat(20), "é".repeat(5)));
        assert_eq!(d, long.as_str());
    }

    #[test]
    fn ascii_lowercase_folds_only_ascii() {
        assert_eq!(SmallStr::ascii_lowercase("VARCHAR(20)"), "varchar(20)");
        assert_eq!(SmallStr::ascii_lowercase("ÉTÉ_Col"), "ÉtÉ_col");
        let long = "A_Very_Long_Column_Name_Over_22";
        assert_eq!(SmallStr::ascii_lowercase(long), long.to_ascii_lowercase());
    }
}
