//! lock-table: an explicit LOCK TABLE in a mode that blocks reads or writes until commit.

use super::{Context, Rule, Size};
use crate::config::Level;
use crate::finding::Finding;
use crate::model::{Stmt, StmtKind};

/// The rule.
pub(crate) const RULE: Rule = Rule {
    code: "LL026",
    name: "lock-table",
    default_level: Level::Warning,
    summary: "Explicit LOCK TABLE in a mode that blocks reads or writes until commit",
    doc: include_str!("../../rules/lock-table.md"),
    check,
    part_end: None,
};

fn check(stmt: &Stmt, cx: &Context) -> Vec<Finding> {
    let StmtKind::LockTable { tables, mode } = &stmt.kind else {
        return Vec::new();
    };
    let blocks = mode.blocks();
    if !blocks.blocks_traffic() {
        return Vec::new();
    }
    let outside = if cx.txn.in_transaction {
        ""
    } else {
        "; outside a transaction block, as here, PostgreSQL rejects LOCK TABLE with an error"
    };
    let mut out = Vec::new();
    for table in tables {
        // Not size-weighted: the lock is held until commit whatever the table's size.
        if cx.size(table) == Size::New {
            continue;
        }
        let h = cx.hazard(table, None);
        let message = format!(
            "LOCK TABLE takes {} on {} that blocks {} until the transaction commits, for as long as the rest of the migration runs{outside}",
            h.a_lock(),
            h.described,
            h.blocked(),
        );
        let table = table.sql();
        let help = format!(
            "Leave the locking to the statements that follow (each takes the lock it needs), or use the weakest mode that serves, and set a lock_timeout so the migration gives up instead of stalling traffic:\n  SET lock_timeout = '2s';\n  LOCK TABLE {table} IN SHARE UPDATE EXCLUSIVE MODE;  -- blocks other DDL and VACUUM, not reads or writes"
        );
        out.push(
            Finding::new(&RULE, stmt.span.clone(), message, help)
                .label(format!("blocks {} until commit", h.blocked()))
                .hazard(&h)
                .not_sized(),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::config::Settings;

    fn fired(sql: &str) -> Vec<String> {
        let res = crate::pipeline::lint_text("t.sql", sql, &Settings::default());
        res.findings()
            .filter(|f| f.rule == "lock-table")
            .map(|f| f.message.clone())
            .collect()
    }

    #[test]
    fn modes_that_block_traffic() {
        for (mode, fires) in [
            ("", true),
            (" IN ACCESS EXCLUSIVE MODE", true),
            (" IN EXCLUSIVE MODE", true),
            (" IN SHARE ROW EXCLUSIVE MODE", true),
            (" IN SHARE MODE", true),
            (" IN SHARE UPDATE EXCLUSIVE MODE", false),
            (" IN ROW EXCLUSIVE MODE", false),
            (" IN ROW SHARE MODE", false),
            (" IN ACCESS SHARE MODE", false),
        ] {
            let sql = format!("BEGIN;\nLOCK TABLE t{mode};\nCOMMIT;");
            assert_eq!(!fired(&sql).is_empty(), fires, "{sql}");
        }
        let m = fired("BEGIN;\nLOCK TABLE t IN SHARE MODE;\nCOMMIT;");
        assert!(
            m[0].contains("SHARE lock") && m[0].contains("blocks writes"),
            "{}",
            m[0]
        );
    }

    #[test]
    fn every_table_of_the_list() {
        assert_eq!(fired("BEGIN;\nLOCK TABLE a, b;\nCOMMIT;").len(), 2);
    }
}
