//! nested-transaction-control: BEGIN inside a transaction that is already open, and COMMIT /
//! ROLLBACK that end the transaction the migration tool wraps the file in.

use super::{Context, Rule};
use crate::config::Level;
use crate::finding::Finding;
use crate::model::{Stmt, StmtKind};

/// The rule.
pub(crate) const RULE: Rule = Rule {
    code: "LL039",
    name: "nested-transaction-control",
    default_level: Level::Warning,
    summary: "BEGIN inside an open transaction, or COMMIT/ROLLBACK ending the tool's transaction early: what follows runs without the transaction the migration expects",
    doc: include_str!("../../rules/nested-transaction-control.md"),
    check,
    part_end: None,
};

const TOOL_HELP: &str = "The tool already runs this file in one transaction: remove BEGIN/COMMIT from it. If a part must run outside a transaction, turn off the tool's transaction for that file (goose: `-- +goose NO TRANSACTION`; dbmate: `-- migrate:up transaction:false`; sqlx: `-- no-transaction`; plain files: `assume_in_transaction = false`) and put BEGIN/COMMIT around the rest.";

fn check(stmt: &Stmt, cx: &Context) -> Vec<Finding> {
    let (message, help, label) = match &stmt.kind {
        // In a multi-statement query string (golang-migrate, Prisma) a BEGIN turns the implicit
        // transaction into an explicit one: nothing is ignored.
        StmtKind::Begin
            if cx.txn.nested_begin && (cx.txn.outer_begin.is_some() || cx.txn.tool_transaction) =>
        {
            let outer = match &cx.txn.outer_begin {
                Some(span) => format!(
                    "the transaction opened by BEGIN at line {}",
                    cx.source.line_col(span.start).0
                ),
                None => "the transaction the migration runs in".to_string(),
            };
            let help = if cx.txn.outer_begin.is_some() {
                "Close the first transaction before opening another (COMMIT, then BEGIN), or drop the inner BEGIN and its COMMIT.".to_string()
            } else {
                TOOL_HELP.to_string()
            };
            (
                format!(
                    "BEGIN inside {outer}: PostgreSQL ignores it with a warning (there is already a transaction in progress), and the COMMIT written for it ends the outer transaction instead: the statements after that COMMIT run without the transaction the migration expects, and a failure there leaves it half applied"
                ),
                help,
                "already in a transaction: this BEGIN does nothing",
            )
        }
        StmtKind::Commit | StmtKind::Rollback if cx.txn.tool_transaction && !cx.txn.explicit => {
            let word = if matches!(stmt.kind, StmtKind::Commit) {
                "COMMIT"
            } else {
                "ROLLBACK"
            };
            (
                format!(
                    "{word} ends the transaction the migration tool opened for this file: the statements after it run each on its own, a failure there leaves the migration half applied, and the tool's own COMMIT at the end finds no transaction"
                ),
                TOOL_HELP.to_string(),
                "ends the tool's transaction early",
            )
        }
        _ => return Vec::new(),
    };
    vec![
        Finding::new(&RULE, stmt.span.clone(), message, help)
            .label(label)
            .not_sized(),
    ]
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::lines;

    const WRAPPED: &str = "[migrations]\nassume_in_transaction = true\n";

    fn fired(toml: &str, sql: &str) -> Vec<usize> {
        lines("nested-transaction-control", toml, &[sql])
            .into_iter()
            .map(|(_, l)| l)
            .collect()
    }

    #[test]
    fn begin_and_commit_inside_the_tools_transaction() {
        let sql = "BEGIN;\nALTER TABLE t ADD COLUMN x int;\nCOMMIT;\n";
        assert_eq!(fired(WRAPPED, sql), vec![1]);
        // Unwrapped: BEGIN/COMMIT is how a plain file gets its transaction.
        assert!(fired("", sql).is_empty());
        // A COMMIT with no BEGIN ends the tool's transaction.
        assert_eq!(
            fired(
                WRAPPED,
                "ALTER TABLE t ADD COLUMN x int;\nCOMMIT;\nCREATE INDEX CONCURRENTLY i ON t (x);\n"
            ),
            vec![2]
        );
    }

    #[test]
    fn the_end_of_a_routine_body_is_no_commit() {
        let src = crate::source::SourceFile::new("x.sql", "END //\n".to_string());
        let stmts = crate::parse::parse_source(&src);
        assert!(
            !stmts
                .iter()
                .any(|s| matches!(s.kind, crate::model::StmtKind::Commit)),
            "{stmts:?}"
        );
        let src = crate::source::SourceFile::new("x.sql", "END TRANSACTION;\n".to_string());
        assert!(matches!(
            crate::parse::parse_source(&src)[0].kind,
            crate::model::StmtKind::Commit
        ));
    }

    #[test]
    fn begin_inside_an_explicit_transaction() {
        let sql = "BEGIN;\nALTER TABLE t ADD COLUMN x int;\nBEGIN;\nALTER TABLE t ADD COLUMN y int;\nCOMMIT;\n";
        let h = crate::rules::testing::hits("nested-transaction-control", "", &[sql]);
        assert_eq!(h.len(), 1);
        assert_eq!(h[0].line, 3);
        assert!(
            h[0].message.contains("opened by BEGIN at line 1"),
            "{}",
            h[0].message
        );
        // One after the other is fine.
        assert!(
            fired(
                "",
                "BEGIN;\nSELECT 1;\nCOMMIT;\nBEGIN;\nSELECT 2;\nCOMMIT;\n"
            )
            .is_empty()
        );
    }
}
