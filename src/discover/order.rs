//! Sort keys: how migration tools compare versions and names.

use std::cmp::Ordering;

/// A run of decimal digits compared as a number of any length (leading zeros ignored).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Num(String);

impl Num {
    /// The number written by `digits` (ASCII digits only).
    pub(crate) fn new(digits: &str) -> Num {
        Num(digits.trim_start_matches('0').to_string())
    }
}

impl Ord for Num {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0
            .len()
            .cmp(&other.0.len())
            .then_with(|| self.0.cmp(&other.0))
    }
}

impl PartialOrd for Num {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// One segment of a sort key. Numbers sort before text at the same position, as digits sort
/// before letters in ASCII.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Seg {
    /// A number.
    Num(Num),
    /// Anything else, compared byte-wise.
    Text(String),
}

/// A version or name as a sequence of segments.
pub(crate) type Key = Vec<Seg>;

/// Natural order: digit runs compare as numbers, so `9_x` sorts before `10_y`.
pub(crate) fn natural(s: &str) -> Key {
    let mut out = Vec::new();
    let mut rest = s;
    while let Some(c) = rest.chars().next() {
        let digit = c.is_ascii_digit();
        let end = rest
            .find(|ch: char| ch.is_ascii_digit() != digit)
            .unwrap_or(rest.len());
        let (run, tail) = rest.split_at(end);
        out.push(if digit {
            Seg::Num(Num::new(run))
        } else {
            Seg::Text(run.to_string())
        });
        rest = tail;
    }
    out
}

/// A single number (goose, dbmate, sqlx, golang-migrate versions).
pub(crate) fn number(digits: &str) -> Key {
    vec![Seg::Num(Num::new(digits))]
}

/// Plain text compared byte-wise (diesel and Prisma compare version strings, not numbers).
pub(crate) fn text(s: &str) -> Key {
    vec![Seg::Text(s.to_string())]
}

/// A Flyway version: numbers separated by `.` or `_`, compared part by part; trailing zero
/// parts do not count (`1.1` = `1.1.0`, `1.9` < `1.10` < `2`).
pub(crate) fn dotted(version: &str) -> Key {
    let mut parts: Vec<Seg> = version
        .split(['.', '_'])
        .map(|p| Seg::Num(Num::new(p)))
        .collect();
    while parts.len() > 1 && parts.last() == Some(&Seg::Num(Num::new("0"))) {
        parts.pop();
    }
    parts
}

/// The leading ASCII digits of `s` (may be empty).
pub(crate) fn leading_digits(s: &str) -> &str {
    let end = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    &s[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sorted(mut v: Vec<&str>, key: fn(&str) -> Key) -> Vec<&str> {
        v.sort_by(|a, b| key(a).cmp(&key(b)).then_with(|| a.cmp(b)));
        v
    }

    #[test]
    fn natural_compares_digit_runs_as_numbers() {
        assert_eq!(
            sorted(vec!["10_y.sql", "9_x.sql", "1_a.sql", "010_z.sql"], natural),
            vec!["1_a.sql", "9_x.sql", "10_y.sql", "010_z.sql"]
        );
        assert_eq!(
            sorted(vec!["v1.10/a.sql", "v1.2/a.sql", "v1.1/a.sql"], natural),
            vec!["v1.1/a.sql", "v1.2/a.sql", "v1.10/a.sql"]
        );
        // Longer than u64.
        assert!(natural("99999999999999999999999") > natural("99999999999999999999998"));
    }

    #[test]
    fn flyway_versions() {
        assert_eq!(
            sorted(vec!["2", "1.10", "1.9", "1.1", "1_2", "1"], dotted),
            vec!["1", "1.1", "1_2", "1.9", "1.10", "2"]
        );
        assert_eq!(dotted("1.1.0"), dotted("1.1"));
        assert_eq!(dotted("0"), dotted("0.0"));
    }

    #[test]
    fn text_and_digits() {
        assert_eq!(leading_digits("0012_x"), "0012");
        assert_eq!(leading_digits("x"), "");
        assert!(text("20240101") < text("20240102"));
    }
}
