//! transaction-left-open: a BEGIN with no COMMIT or ROLLBACK before the migration ends.

use super::{Context, PartEnd, Rule};
use crate::config::Level;
use crate::finding::Finding;
use crate::model::Stmt;

/// The rule.
pub(crate) const RULE: Rule = Rule {
    code: "LL040",
    name: "transaction-left-open",
    default_level: Level::Error,
    summary: "BEGIN with no COMMIT or ROLLBACK before the migration ends: its changes are rolled back when the connection closes, or its locks stay held while it stays open",
    doc: include_str!("../../rules/transaction-left-open.md"),
    check,
    part_end: Some(part_end),
};

/// Nothing to see statement by statement: the end of the part tells.
fn check(_: &Stmt, _: &Context) -> Vec<Finding> {
    Vec::new()
}

fn part_end(end: &PartEnd) -> Vec<Finding> {
    let txn = end.txn;
    // A transaction the tool wraps the part in is committed by the tool, with any block the SQL
    // opened inside it (nested-transaction-control reports that BEGIN).
    if !txn.in_transaction || !txn.explicit || end.tool_commits {
        return Vec::new();
    }
    let Some(begin) = &txn.explicit_begin else {
        return Vec::new();
    };
    let strongest = txn.held.iter().max_by_key(|h| h.mode);
    let locks = match strongest {
        Some(h) => format!(
            ". While the connection stays open instead (a pool), the transaction keeps its {} lock on `{}`{}, blocking {} until the connection ends",
            h.mode.sql_name(),
            h.rel,
            match txn.held.len() {
                1 => String::new(),
                2 => " and a lock on 1 other relation".to_string(),
                n => format!(" and locks on {} other relations", n - 1),
            },
            h.mode.blocks().describe(),
        ),
        None => String::new(),
    };
    let where_ = if end.file_ends {
        "the end of the file"
    } else {
        "the end of this part of the file, which the tool runs on its own"
    };
    let message = format!(
        "BEGIN opens a transaction that is still open at {where_}: no COMMIT or ROLLBACK follows. When the connection closes, PostgreSQL rolls back everything in it, so the migration silently does nothing while the tool may record it as applied{locks}"
    );
    let help = "End the transaction where its work ends:\n  COMMIT;\nOr remove the BEGIN and let the migration tool run the file in its own transaction.";
    let mut f = Finding::new(&RULE, begin.clone(), message, help.to_string())
        .label("this transaction is never committed")
        .not_sized();
    f.stmt_span = begin.clone();
    if let Some(h) = strongest {
        f.table = Some(h.rel.to_string());
        f.lock = Some(h.mode);
        f.blocks = Some(h.mode.blocks());
    }
    vec![f]
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{hits, lines};

    fn fired(toml: &str, sql: &str) -> Vec<usize> {
        lines("transaction-left-open", toml, &[sql])
            .into_iter()
            .map(|(_, l)| l)
            .collect()
    }

    #[test]
    fn begin_without_commit_is_reported_at_the_begin() {
        let sql = "SET lock_timeout = '2s';\nBEGIN;\nALTER TABLE t ADD COLUMN x int;\n";
        assert_eq!(fired("", sql), vec![2]);
        let h = hits("transaction-left-open", "", &[sql]);
        assert!(
            h[0].message.contains("ACCESS EXCLUSIVE"),
            "{}",
            h[0].message
        );
        assert!(h[0].message.contains("`t`"), "{}", h[0].message);
        // Closed either way: silent.
        assert!(fired("", "BEGIN;\nALTER TABLE t ADD COLUMN x int;\nCOMMIT;\n").is_empty());
        assert!(fired("", "BEGIN;\nALTER TABLE t ADD COLUMN x int;\nROLLBACK;\n").is_empty());
        assert!(fired("", "START TRANSACTION;\nSELECT 1;\nEND;\n").is_empty());
        // The second block is the one left open.
        assert_eq!(
            fired("", "BEGIN;\nSELECT 1;\nCOMMIT;\nBEGIN;\nSELECT 2;\n"),
            vec![4]
        );
    }

    #[test]
    fn each_file_is_its_own_migration() {
        // A COMMIT in the next file does not close the first file's transaction.
        let h = lines(
            "transaction-left-open",
            "",
            &["BEGIN;\nALTER TABLE t ADD COLUMN x int;\n", "COMMIT;\n"],
        );
        assert_eq!(h, vec![(0, 1)]);
    }

    #[test]
    fn the_tools_transaction_commits_what_the_sql_opened() {
        let wrapped = "[migrations]\nassume_in_transaction = true\n";
        assert!(fired(wrapped, "BEGIN;\nALTER TABLE t ADD COLUMN x int;\n").is_empty());
        // Even after an early COMMIT (reported by nested-transaction-control), the tool's COMMIT
        // at the end closes the block opened after it.
        assert!(
            fired(
                wrapped,
                "SELECT 1;\nCOMMIT;\nBEGIN;\nALTER TABLE t ADD COLUMN x int;\n"
            )
            .is_empty()
        );
    }

    #[test]
    fn goose_without_a_transaction_and_a_multi_statement_string() {
        use crate::source::SourceFile;
        let settings = crate::rules::testing::settings("");
        let lint = |name: &str, text: &str| {
            let src = SourceFile::new(name, text.to_string());
            crate::pipeline::lint_sources(vec![(src, Vec::new())], &settings)
                .pop()
                .map(|r| {
                    r.findings()
                        .filter(|f| f.rule == "transaction-left-open")
                        .map(|f| r.source.line_col(f.span.start).0)
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        };
        let goose = "-- +goose Up\n-- +goose NO TRANSACTION\nBEGIN;\nALTER TABLE t ADD COLUMN x int;\n-- +goose Down\nALTER TABLE t DROP COLUMN x;\n";
        assert_eq!(lint("db/migrations/00001_x.sql", goose), vec![3]);
        let goose_wrapped = "-- +goose Up\nBEGIN;\nALTER TABLE t ADD COLUMN x int;\n";
        assert!(lint("db/migrations/00001_x.sql", goose_wrapped).is_empty());
        // golang-migrate sends the file as one string: its implicit transaction commits at the
        // end, but not a block an explicit BEGIN opened.
        let gm = "BEGIN;\nALTER TABLE t ADD COLUMN x int;\n";
        assert_eq!(lint("migrations/000001_x.up.sql", gm), vec![1]);
        let gm_ok = "ALTER TABLE t ADD COLUMN x int;\nSELECT 1;\n";
        assert!(lint("migrations/000001_x.up.sql", gm_ok).is_empty());
    }
}
