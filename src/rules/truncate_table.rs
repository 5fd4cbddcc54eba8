//! truncate-table: TRUNCATE of a table that existed before the migration.

use super::{Context, Rule, Size};
use crate::config::Level;
use crate::finding::Finding;
use crate::model::{LockMode, Stmt, StmtKind};

/// The rule.
pub const RULE: Rule = Rule {
    code: "LL025",
    name: "truncate-table",
    default_level: Level::Warning,
    summary: "TRUNCATE deletes every row under an ACCESS EXCLUSIVE lock that queues behind open transactions",
    doc: include_str!("../../rules/truncate-table.md"),
    check,
};

fn check(stmt: &Stmt, cx: &Context) -> Vec<Finding> {
    let StmtKind::Truncate { tables } = &stmt.kind else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for table in tables {
        // Not size-weighted: the data loss and the lock queue do not depend on the row count.
        if cx.size(table) == Size::New
            || cx.effects.lock_on(table) != Some(LockMode::AccessExclusive)
        {
            continue;
        }
        let message = format!(
            "TRUNCATE deletes every row of {} under an ACCESS EXCLUSIVE lock that blocks reads and writes until commit; it is instant, but it waits for every open transaction on the table while all later queries queue behind it",
            cx.describe(table)
        );
        let help = format!(
            "Make sure nothing needs the rows any more, and set a lock_timeout so TRUNCATE gives up instead of stalling traffic:\n  SET lock_timeout = '2s';\n  TRUNCATE {table};\nTo remove only some rows, delete them in keyed batches instead."
        );
        out.push(
            Finding::new(&RULE, cx.level, stmt.span.clone(), message, help)
                .label("deletes every row")
                .lock(table, LockMode::AccessExclusive),
        );
    }
    out
}
