//! Column types, normalized so that type changes can be compared.

use super::SmallStr;
use serde::{Serialize, Serializer};
use std::borrow::Cow;
use std::fmt;
use std::ops::Deref;

/// A column type: PostgreSQL's canonical base name plus its modifiers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SqlType {
    /// Canonical name: `int4`, `int8`, `varchar`, `text`, `numeric`, `timestamp`, `timestamptz`, ...
    pub name: SmallStr,
    /// Type modifiers, e.g. `[20]` for varchar(20), `[10, 2]` for numeric(10,2).
    pub mods: Mods,
    /// `[]` array type.
    pub array: bool,
    /// The type as written, for messages.
    pub text: SmallStr,
}

/// A type's modifiers: the (at most two) of built-in types inline, any longer list on the heap.
#[derive(Clone, Default)]
pub struct Mods(ModsRepr);

#[derive(Clone)]
enum ModsRepr {
    Inline {
        len: u8,
        mods: [u32; 2],
    },
    // One thin pointer keeps `Mods` at 16 bytes; user types with three or more are rare.
    #[allow(clippy::box_collection)]
    Heap(Box<Vec<u32>>),
}

impl Default for ModsRepr {
    fn default() -> Self {
        ModsRepr::Inline {
            len: 0,
            mods: [0; 2],
        }
    }
}

impl Mods {
    /// The modifiers in order.
    pub fn as_slice(&self) -> &[u32] {
        match &self.0 {
            ModsRepr::Inline { len, mods } => &mods[..usize::from(*len)],
            ModsRepr::Heap(v) => v,
        }
    }
}

impl FromIterator<u32> for Mods {
    fn from_iter<I: IntoIterator<Item = u32>>(iter: I) -> Self {
        let mut mods = [0; 2];
        let mut len = 0;
        let mut iter = iter.into_iter();
        for m in iter.by_ref() {
            if len == mods.len() {
                let mut v = mods.to_vec();
                v.push(m);
                v.extend(iter);
                return Mods(ModsRepr::Heap(Box::new(v)));
            }
            mods[len] = m;
            len += 1;
        }
        Mods(ModsRepr::Inline {
            len: len as u8,
            mods,
        })
    }
}

impl Deref for Mods {
    type Target = [u32];

    fn deref(&self) -> &[u32] {
        self.as_slice()
    }
}

impl PartialEq for Mods {
    fn eq(&self, other: &Mods) -> bool {
        self.as_slice() == other.as_slice()
    }
}

impl Eq for Mods {}

impl PartialEq<Vec<u32>> for Mods {
    fn eq(&self, other: &Vec<u32>) -> bool {
        self.as_slice() == other.as_slice()
    }
}

impl fmt::Debug for Mods {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_slice(), f)
    }
}

impl Serialize for Mods {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.as_slice().serialize(serializer)
    }
}

/// How PostgreSQL executes a column type change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub(crate) enum TypeChange {
    /// Catalog-only (binary-coercible, no tighter constraint).
    Metadata,
    /// Not a rewrite, but every value is checked (or the column's indexes rebuilt).
    Scan,
    /// The table and all its indexes are rewritten.
    Rewrite,
}

impl SqlType {
    /// Normalize a type as written (`CHARACTER VARYING(20)`, `INT`, `timestamp with time zone`, `numeric(10, 2)[]`).
    pub fn parse(written: &str) -> SqlType {
        let written = written.trim();
        // sqlparser prints types upper-case; messages show them as people write them.
        let quoted = written.contains('"');
        let text = if quoted {
            SmallStr::new(written)
        } else {
            SmallStr::ascii_lowercase(written)
        };
        let lower = if quoted {
            Cow::Owned(text.to_ascii_lowercase())
        } else {
            Cow::Borrowed(text.as_str())
        };
        let mut s: &str = &lower;
        let mut array = false;
        while let Some(rest) = s.trim_end().strip_suffix("[]") {
            array = true;
            s = rest;
        }
        if let Some(rest) = s.trim_end().strip_suffix(" array") {
            array = true;
            s = rest;
        }
        // Split "base(mods) suffix" — timestamp(3) with time zone keeps its suffix.
        let (mut base, mut mods, mut suffix) = (s, Mods::default(), "");
        if let Some(open) = s.find('(')
            && let Some(close_rel) = s[open..].find(')')
        {
            let close = open + close_rel;
            base = s[..open].trim();
            mods = s[open + 1..close]
                .split(',')
                .filter_map(|m| m.trim().parse::<u32>().ok())
                .collect();
            suffix = s[close + 1..].trim();
        }
        let base = base.trim().trim_matches('"');
        let base = base.strip_prefix("pg_catalog.").unwrap_or(base);
        let name = if suffix.is_empty() {
            canonical(base)
        } else {
            canonical(&format!("{base} {suffix}"))
        };
        SqlType {
            name,
            mods,
            array,
            text,
        }
    }

    /// How changing a column from `self` to `to` is executed (PostgreSQL's binary-coercion rules).
    /// `timezone_utc` is whether the session TimeZone is known to be UTC.
    pub(crate) fn change_to(&self, to: &SqlType, timezone_utc: bool) -> TypeChange {
        if self.array != to.array {
            return TypeChange::Rewrite;
        }
        let same_len_or_larger = |a: &[u32], b: &[u32]| match (a.first(), b.first()) {
            (_, None) => true,
            (None, Some(_)) => false,
            (Some(x), Some(y)) => y >= x,
        };
        match (self.name.as_str(), to.name.as_str()) {
            (a, b) if a == b => match a {
                "varchar" | "bpchar_varying" | "bit varying" | "varbit" => {
                    if same_len_or_larger(&self.mods, &to.mods) {
                        TypeChange::Metadata
                    } else {
                        TypeChange::Rewrite
                    }
                }
                "numeric" => {
                    // numeric(p,s) → numeric(q ≥ p, same s) is catalog-only; unconstrained target too.
                    match (self.mods.as_slice(), to.mods.as_slice()) {
                        (_, []) => TypeChange::Metadata,
                        ([], _) => TypeChange::Rewrite,
                        (from, to_m) => {
                            let (p1, s1) = (from[0], from.get(1).copied().unwrap_or(0));
                            let (p2, s2) = (to_m[0], to_m.get(1).copied().unwrap_or(0));
                            if s1 == s2 && p2 >= p1 {
                                TypeChange::Metadata
                            } else {
                                TypeChange::Rewrite
                            }
                        }
                    }
                }
                "timestamp" | "timestamptz" | "time" | "timetz" | "interval" => {
                    // Precision increase or removal is catalog-only; a decrease rounds every value.
                    match (self.mods.first(), to.mods.first()) {
                        (_, None) => TypeChange::Metadata,
                        (None, Some(_)) => TypeChange::Rewrite,
                        (Some(a), Some(b)) if b >= a => TypeChange::Metadata,
                        _ => TypeChange::Rewrite,
                    }
                }
                "bpchar" => {
                    if self.mods == to.mods {
                        TypeChange::Metadata
                    } else {
                        TypeChange::Rewrite
                    }
                }
                _ => {
                    if self.mods == to.mods || to.mods.is_empty() {
                        TypeChange::Metadata
                    } else {
                        TypeChange::Rewrite
                    }
                }
            },
            ("varchar", "text") | ("bpchar", "text") | ("citext", "text") => TypeChange::Metadata,
            ("varchar", "citext") | ("text", "citext") => TypeChange::Metadata,
            ("bpchar", "varchar") if to.mods.is_empty() => TypeChange::Metadata,
            ("cidr", "inet") | ("xml", "text") => TypeChange::Metadata,
            ("timestamp", "timestamptz") | ("timestamptz", "timestamp") => {
                if timezone_utc && (to.mods.is_empty() || same_len_or_larger(&self.mods, &to.mods))
                {
                    TypeChange::Scan
                } else {
                    TypeChange::Rewrite
                }
            }
            _ => TypeChange::Rewrite,
        }
    }
}

fn canonical(name: &str) -> SmallStr {
    let n = match name {
        "int" | "integer" | "int4" | "serial" | "serial4" => "int4",
        "bigint" | "int8" | "bigserial" | "serial8" => "int8",
        "smallint" | "int2" | "smallserial" | "serial2" => "int2",
        "character varying" | "varchar" | "char varying" | "nvarchar" => "varchar",
        "character" | "char" | "bpchar" | "nchar" => "bpchar",
        "decimal" | "numeric" | "dec" => "numeric",
        "real" | "float4" => "float4",
        "double precision" | "float8" | "float" | "double" => "float8",
        "boolean" | "bool" => "bool",
        "timestamp" | "timestamp without time zone" => "timestamp",
        "timestamptz" | "timestamp with time zone" => "timestamptz",
        "time" | "time without time zone" => "time",
        "timetz" | "time with time zone" => "timetz",
        "bit varying" | "varbit" => "varbit",
        other => other,
    };
    SmallStr::new(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(a: &str, b: &str) -> TypeChange {
        SqlType::parse(a).change_to(&SqlType::parse(b), false)
    }

    #[test]
    fn normalizes_aliases() {
        assert_eq!(SqlType::parse("CHARACTER VARYING(20)").name, "varchar");
        assert_eq!(SqlType::parse("CHARACTER VARYING(20)").mods, vec![20]);
        assert_eq!(
            SqlType::parse("timestamp with time zone").name,
            "timestamptz"
        );
        assert_eq!(
            SqlType::parse("TIMESTAMP(3) WITH TIME ZONE").name,
            "timestamptz"
        );
        assert_eq!(SqlType::parse("numeric(10, 2)").mods, vec![10, 2]);
        assert!(SqlType::parse("int[]").array);
        assert_eq!(SqlType::parse("INTEGER").name, "int4");
    }

    #[test]
    fn type_changes_match_the_observed_table() {
        assert_eq!(change("int", "bigint"), TypeChange::Rewrite);
        assert_eq!(change("varchar(10)", "varchar(20)"), TypeChange::Metadata);
        assert_eq!(change("varchar(20)", "varchar(10)"), TypeChange::Rewrite);
        assert_eq!(change("varchar(10)", "text"), TypeChange::Metadata);
        assert_eq!(change("text", "varchar(50)"), TypeChange::Rewrite);
        assert_eq!(
            change("numeric(10,2)", "numeric(12,2)"),
            TypeChange::Metadata
        );
        assert_eq!(
            change("numeric(10,2)", "numeric(12,4)"),
            TypeChange::Rewrite
        );
        assert_eq!(change("timestamp", "timestamptz"), TypeChange::Rewrite);
        let utc = SqlType::parse("timestamp").change_to(&SqlType::parse("timestamptz"), true);
        assert_eq!(utc, TypeChange::Scan);
        assert_eq!(change("varchar(10)", "varchar"), TypeChange::Metadata);
    }
}
