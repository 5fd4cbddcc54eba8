//! Helpers the rules share to build exact recipes from a statement's own text.

use super::Context;
use crate::finding::Placement;
use crate::model::Span;

/// A statement's text without trailing whitespace and `;`.
pub(crate) fn stmt_sql<'a>(cx: &'a Context, span: &Span) -> &'a str {
    cx.text(span).trim().trim_end_matches(';').trim_end()
}

/// The byte offset just past `words`, matched in order at the start of `text` (ignoring case,
/// whitespace and comments), each optional word in `optional` skipped when present.
pub(crate) fn after_words(text: &str, words: &[&str], optional: &[&str]) -> Option<usize> {
    let mut at = 0;
    let mut want = words.iter().peekable();
    while let Some(word) = want.peek() {
        at = skip_space(text, at);
        let end = text[at..]
            .find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .map_or(text.len(), |i| at + i);
        let got = &text[at..end];
        if got.eq_ignore_ascii_case(word) {
            want.next();
            at = end;
        } else if optional.iter().any(|o| got.eq_ignore_ascii_case(o)) {
            at = end;
        } else {
            return None;
        }
    }
    Some(at)
}

/// Past whitespace and comments from `at`.
fn skip_space(text: &str, mut at: usize) -> usize {
    loop {
        let rest = &text[at..];
        let trimmed = rest.trim_start();
        at += rest.len() - trimmed.len();
        if trimmed.starts_with("--") {
            at += trimmed.find('\n').unwrap_or(trimmed.len());
        } else if trimmed.starts_with("/*") {
            at += trimmed.find("*/").map_or(trimmed.len(), |i| i + 2);
        } else {
            return at;
        }
    }
}

/// Where a statement that must not run in a transaction block goes: outside one when the
/// statement is in one now.
pub(crate) fn outside_txn(cx: &Context) -> Placement {
    if cx.txn.in_transaction {
        Placement::OutsideTransaction
    } else {
        Placement::SameMigration
    }
}

/// `ALTER TABLE [IF EXISTS] [ONLY] name` as the statement wrote it (names quoted as needed).
pub(crate) fn alter_table(table: &crate::model::ObjName, only: bool) -> String {
    format!(
        "ALTER TABLE {}{}",
        if only { "ONLY " } else { "" },
        table.sql()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_end_of_leading_keywords() {
        let t = "create /* x */ unique\n index on t (a)";
        let at = after_words(t, &["CREATE", "INDEX"], &["UNIQUE"]).unwrap();
        assert_eq!(&t[at..], " on t (a)");
        assert_eq!(after_words("DROP TABLE t", &["DROP", "INDEX"], &[]), None);
    }
}
