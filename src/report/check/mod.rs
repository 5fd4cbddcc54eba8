//! The formats of `check`, one module each, and what several of them share: where a finding is
//! (1-based), where a rule's page lives, and a fingerprint that survives line moves.

pub mod github;
pub mod gitlab;
pub mod human;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod sarif;

use crate::finding::Finding;
use crate::report::FileResult;
use crate::rules::Rule;
use crate::source::SourceFile;
use sha2::{Digest, Sha256};
use std::collections::HashMap;

/// The project's home page (SARIF `informationUri`).
pub(crate) const HOME_URL: &str = "https://github.com/locklint/locklint";

/// Where the rule pages (`rules/<name>.md`) are published; a page's URL is this plus `<name>.md`.
pub(crate) const RULE_PAGES_URL: &str = "https://github.com/locklint/locklint/blob/main/rules/";

/// The URL of a rule's page.
pub(crate) fn rule_url(name: &str) -> String {
    format!("{RULE_PAGES_URL}{name}.md")
}

/// A finding's region, 1-based; the end is exclusive (the position just after the last
/// character), as in the JSON format and SARIF.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Region {
    /// First line.
    pub line: usize,
    /// First column (characters).
    pub column: usize,
    /// Line of the end.
    pub end_line: usize,
    /// Column just after the last character.
    pub end_column: usize,
}

impl Region {
    /// Resolve a finding's byte span against its file.
    pub fn of(f: &Finding, src: &SourceFile) -> Region {
        let (line, column) = src.line_col(f.span.start);
        let (end_line, end_column) = src.line_col(f.span.end.max(f.span.start));
        Region {
            line,
            column,
            end_line,
            end_column,
        }
    }
}

/// The rule a finding came from, with its index in [`crate::rules::RULES`].
pub(crate) fn rule_of(f: &Finding) -> Option<(usize, &'static Rule)> {
    crate::rules::RULES
        .iter()
        .enumerate()
        .find(|(_, r)| r.code == f.code)
        .map(|(i, r)| (i, *r))
}

/// The body of a `## heading` section of a rule page, trimmed.
pub(crate) fn page_section<'a>(doc: &'a str, heading: &str) -> Option<&'a str> {
    let mut start = None;
    let mut offset = 0;
    for line in doc.split_inclusive('\n') {
        let here = offset;
        offset += line.len();
        let Some(title) = line.strip_prefix("## ") else {
            continue;
        };
        if let Some(s) = start {
            return Some(doc[s..here].trim());
        }
        if title.trim() == heading {
            start = Some(offset);
        }
    }
    start.map(|s| doc[s..].trim())
}

/// The statement text with every run of whitespace collapsed to one space, so re-indenting or
/// moving a statement does not change it.
fn normalized(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Stable fingerprints for every finding of a file, in [`FileResult::findings`] order: the
/// hex SHA-256 of the rule, the path, the statement's normalized text and how many identical
/// (rule, statement) pairs came before it in the file. Moving a statement to another line keeps
/// its fingerprint; editing it changes it.
pub fn fingerprints(file: &FileResult) -> Vec<String> {
    fingerprints_as(file, &file.source.name)
}

/// [`fingerprints`] with the file named `name` (the baseline names files the same way however
/// the command line spelled them).
pub(crate) fn fingerprints_as(file: &FileResult, name: &str) -> Vec<String> {
    let mut seen: HashMap<(&str, String), usize> = HashMap::new();
    file.findings()
        .map(|f| {
            let text = file
                .source
                .text
                .get(f.stmt_span.clone())
                .map(normalized)
                .unwrap_or_default();
            let n = seen.entry((f.rule, text.clone())).or_insert(0);
            let occurrence = *n;
            *n += 1;
            let mut h = Sha256::new();
            for part in [f.rule, name, text.as_str()] {
                h.update(part.as_bytes());
                h.update([0]);
            }
            h.update(occurrence.to_string().as_bytes());
            hex(&h.finalize())
        })
        .collect()
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[usize::from(b >> 4)] as char);
        s.push(DIGITS[usize::from(b & 15)] as char);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_of_a_page() {
        let doc = "# x\n\n## What it flags\n\nOne thing.\n\n## Why\n\nBecause.\n";
        assert_eq!(page_section(doc, "What it flags"), Some("One thing."));
        assert_eq!(page_section(doc, "Why"), Some("Because."));
        assert_eq!(page_section(doc, "Nope"), None);
    }

    #[test]
    fn every_rule_page_says_what_it_flags() {
        for r in crate::rules::RULES {
            assert!(
                page_section(r.doc, "What it flags").is_some_and(|s| !s.is_empty()),
                "{}",
                r.name
            );
        }
    }

    #[test]
    fn sha256_hex() {
        let mut h = Sha256::new();
        h.update(b"abc");
        assert_eq!(
            hex(&h.finalize()),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn fingerprints_survive_line_moves_but_not_edits() {
        let mut s = crate::config::Settings::default();
        s.rules
            .insert("missing-lock-timeout".into(), crate::config::Level::Off);
        let a = crate::pipeline::lint_text("m.sql", "CREATE INDEX i ON t (c);\n", &s);
        let b =
            crate::pipeline::lint_text("m.sql", "\n\n-- moved\nCREATE INDEX i\n  ON t (c);\n", &s);
        let c = crate::pipeline::lint_text("m.sql", "CREATE INDEX i ON t (d);\n", &s);
        let d = crate::pipeline::lint_text("n.sql", "CREATE INDEX i ON t (c);\n", &s);
        assert_eq!(fingerprints(&a).len(), 1);
        assert_eq!(fingerprints(&a), fingerprints(&b));
        assert_ne!(fingerprints(&a), fingerprints(&c));
        assert_ne!(fingerprints(&a), fingerprints(&d));
    }

    #[test]
    fn identical_statements_get_distinct_fingerprints() {
        let mut s = crate::config::Settings::default();
        s.rules
            .insert("missing-lock-timeout".into(), crate::config::Level::Off);
        let f = crate::pipeline::lint_text(
            "m.sql",
            "CREATE INDEX i ON t (c);\nCREATE INDEX i ON t (c);\n",
            &s,
        );
        let fp = fingerprints(&f);
        assert_eq!(fp.len(), 2);
        assert_ne!(fp[0], fp[1]);
    }
}
