//! truncate-table: TRUNCATE of a table that existed before the migration.

use super::{Context, Rule, Size};
use crate::config::Level;
use crate::finding::Finding;
use crate::locks::Action;
use crate::model::Via;
use crate::model::{Stmt, StmtKind};

/// The rule.
pub(crate) const RULE: Rule = Rule {
    code: "LL025",
    name: "truncate-table",
    default_level: Level::Warning,
    summary: "TRUNCATE deletes every row under an ACCESS EXCLUSIVE lock that queues behind open transactions",
    doc: include_str!("../../rules/truncate-table.md"),
    check,
    part_end: None,
};

fn check(stmt: &Stmt, cx: &Context) -> Vec<Finding> {
    let StmtKind::Truncate { tables: _ } = &stmt.kind else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for l in cx.effects.locks_by(Action::Truncate) {
        let table = &l.rel;
        // Not size-weighted: the data loss and the lock queue do not depend on the row count.
        if l.cause.via != Via::Direct || cx.size(table) == Size::New {
            continue;
        }
        let h = cx.hazard(table, None);
        let message = format!(
            "TRUNCATE deletes every row of {} under {} until commit; it is instant, but it waits for every open transaction on the table while all later queries queue behind it",
            h.described,
            h.lock_that_blocks(),
        );
        let table = table.sql();
        let help = format!(
            "Make sure nothing needs the rows any more, and set a lock_timeout so TRUNCATE gives up instead of stalling traffic:\n  SET lock_timeout = '2s';\n  TRUNCATE {table};\nTo remove only some rows, delete them in keyed batches instead."
        );
        out.push(
            Finding::new(&RULE, stmt.span.clone(), message, help)
                .label("deletes every row")
                .hazard(&h)
                .not_sized(),
        );
    }
    out
}
