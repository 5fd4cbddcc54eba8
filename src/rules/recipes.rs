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

/// An ALTER TABLE statement's text, to rebuild it with one clause changed or to run other
/// actions on the same table exactly as it names it.
pub(crate) struct AlterText<'a> {
    /// The statement without trailing `;`.
    text: &'a str,
    /// Byte offset of `text` in the file.
    base: usize,
    /// `ALTER TABLE [IF EXISTS] [ONLY] name `, as written.
    prefix: &'a str,
}

impl<'a> AlterText<'a> {
    /// The statement's text, its first action starting at `first_action`.
    pub(crate) fn new(cx: &'a Context, stmt: &Span, first_action: &Span) -> Option<Self> {
        let raw = cx.text(stmt);
        let base = stmt.start + (raw.len() - raw.trim_start().len());
        let text = stmt_sql(cx, stmt);
        let prefix = text.get(..first_action.start.checked_sub(base)?)?;
        if prefix.is_empty()
            || !prefix
                .trim_start()
                .to_ascii_uppercase()
                .starts_with("ALTER")
        {
            return None;
        }
        Some(AlterText { text, base, prefix })
    }

    /// The clause's text.
    pub(crate) fn clause(&self, clause: &Span) -> Option<&'a str> {
        self.text
            .get(clause.start.checked_sub(self.base)?..clause.end.checked_sub(self.base)?)
    }

    /// The whole statement with one clause replaced, ending with `;`.
    pub(crate) fn replaced(&self, clause: &Span, new: &str) -> Option<String> {
        let start = clause.start.checked_sub(self.base)?;
        let end = clause.end.checked_sub(self.base)?;
        Some(format!(
            "{}{new}{};",
            self.text.get(..start)?,
            self.text.get(end..)?
        ))
    }

    /// Another action on the same table: `ALTER TABLE t <action>;`, on one line.
    pub(crate) fn action(&self, action: &str) -> String {
        if self.prefix.contains(['"', '-', '/']) {
            // Quoted names or comments: as written.
            return format!("{}{action};", self.prefix);
        }
        let words: Vec<&str> = self.prefix.split_whitespace().collect();
        format!("{} {action};", words.join(" "))
    }
}

/// `ADD COLUMN name type [DEFAULT …]`: an added column without the constraint written inline
/// with it (the recipe adds that constraint NOT VALID in a step of its own).
pub(crate) fn add_column_alone(column: &crate::model::ColumnDef) -> String {
    let default = column
        .default
        .as_ref()
        .map(|d| format!(" DEFAULT {}", d.text))
        .unwrap_or_default();
    format!(
        "ADD COLUMN {} {}{default}",
        crate::model::sql::quote_ident(&column.name),
        column.ty.text
    )
}

/// An `ADD [CONSTRAINT name] ...` clause with the name PostgreSQL would choose written out when
/// it has none, so that later steps can name it.
pub(crate) fn named_clause(clause: &str, name: &str) -> Option<String> {
    if after_words(clause, &["ADD", "CONSTRAINT"], &[]).is_some() {
        return Some(clause.to_string());
    }
    let at = after_words(clause, &["ADD"], &[])?;
    Some(format!(
        "{} CONSTRAINT {}{}",
        &clause[..at],
        crate::model::sql::quote_ident(name),
        &clause[at..]
    ))
}

/// The names of a table's columns, when the catalog knows the table.
pub(crate) fn column_names(cx: &Context, table: &crate::model::ObjName) -> Option<Vec<String>> {
    cx.catalog
        .table(table)
        .map(|t| t.columns.iter().map(|c| c.name.to_string()).collect())
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
