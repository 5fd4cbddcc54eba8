//! detach-partition-non-concurrently: DETACH PARTITION without CONCURRENTLY locks the whole
//! partitioned table ACCESS EXCLUSIVE.

use super::{Context, Rule};
use crate::config::Level;
use crate::finding::Finding;
use crate::locks::Action;
use crate::model::{AlterAction, Stmt, StmtKind};

/// The rule.
pub(crate) const RULE: Rule = Rule {
    code: "LL035",
    name: "detach-partition-non-concurrently",
    default_level: Level::Warning,
    summary: "DETACH PARTITION without CONCURRENTLY takes ACCESS EXCLUSIVE on the partitioned table, blocking reads and writes of every partition",
    doc: include_str!("../../rules/detach-partition-non-concurrently.md"),
    check,
    part_end: None,
};

/// The first version with DETACH PARTITION ... CONCURRENTLY.
const CONCURRENTLY_FROM: u32 = 14;

fn check(stmt: &Stmt, cx: &Context) -> Vec<Finding> {
    let StmtKind::AlterTable { table, actions, .. } = &stmt.kind else {
        return Vec::new();
    };
    let mut out = Vec::new();
    // The blocking form: CONCURRENTLY and FINALIZE are other actions of the model.
    for l in cx.effects.locks_by(Action::DetachPartitionParent) {
        let Some(a) = actions.get(usize::from(l.cause.clause)) else {
            continue;
        };
        let AlterAction::DetachPartition { partition, .. } = &a.action else {
            continue;
        };
        let h = cx.hazard(table, None);
        let version = cx.settings.postgres_version;
        let default = cx.catalog.default_partition(table).map(|d| d.name.clone());
        let caveat = match (&default, version >= CONCURRENTLY_FROM) {
            (_, false) => format!(
                " (PostgreSQL {version} has no DETACH PARTITION ... CONCURRENTLY; it arrived in 14)"
            ),
            (Some(d), true) => {
                format!(" (CONCURRENTLY is not allowed while `{d}` is the DEFAULT partition)")
            }
            (None, true) => String::new(),
        };
        let message = format!(
            "DETACH PARTITION `{partition}` takes {} on the partitioned table {} and on the partition: {} of every partition wait until commit, and the lock itself waits behind any long-running query on the table while all traffic queues behind it{caveat}",
            h.lock_name(),
            h.described,
            h.blocked(),
        );
        let (table, partition) = (table.sql(), partition.sql());
        let help = if version >= CONCURRENTLY_FROM && default.is_none() {
            format!(
                "Detach without blocking queries, outside a transaction block (it commits twice internally):\n  ALTER TABLE {table} DETACH PARTITION {partition} CONCURRENTLY;\nIf it is interrupted, finish it with:\n  ALTER TABLE {table} DETACH PARTITION {partition} FINALIZE;"
            )
        } else {
            format!(
                "Keep the detach in its own short transaction with a lock timeout, and retry when it times out:\n  SET lock_timeout = '5s';\n  ALTER TABLE {table} DETACH PARTITION {partition};\nOn PostgreSQL 14+ without a DEFAULT partition, use DETACH PARTITION ... CONCURRENTLY."
            )
        };
        out.push(
            Finding::new(&RULE, a.span.clone(), message, help)
                .label("locks the whole partitioned table")
                .hazard(&h),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{hits, lines};

    const RULE: &str = "detach-partition-non-concurrently";

    #[test]
    fn offers_concurrently_only_where_it_exists() {
        let sql = ["ALTER TABLE events DETACH PARTITION events_2023;\n"];
        let h = hits(RULE, "", &sql);
        assert_eq!(h.len(), 1);
        assert_eq!(h[0].severity, crate::config::Level::Warning);
        assert!(
            h[0].message
                .contains("ACCESS EXCLUSIVE on the partitioned table `events`")
        );
        assert!(
            h[0].help
                .contains("DETACH PARTITION events_2023 CONCURRENTLY")
        );
        let h = hits(RULE, "postgres_version = 13", &sql);
        assert!(
            h[0].message
                .contains("PostgreSQL 13 has no DETACH PARTITION ... CONCURRENTLY")
        );
        assert!(h[0].help.contains("lock_timeout"));
    }

    #[test]
    fn not_with_a_default_partition() {
        let setup = "CREATE TABLE events (id bigint, created date) PARTITION BY RANGE (created);\nCREATE TABLE events_default PARTITION OF events DEFAULT;\n";
        let h = hits(
            RULE,
            "",
            &[setup, "ALTER TABLE events DETACH PARTITION events_2023;\n"],
        );
        assert_eq!(h.len(), 1);
        assert!(
            h[0].message
                .contains("while `events_default` is the DEFAULT partition")
        );
        assert!(!h[0].help.contains("CONCURRENTLY;"));
    }

    #[test]
    fn concurrently_and_finalize_are_fine() {
        let sql = "ALTER TABLE events DETACH PARTITION events_2023 CONCURRENTLY;\nALTER TABLE events DETACH PARTITION events_2023 FINALIZE;\n";
        assert_eq!(lines(RULE, "", &[sql]), vec![]);
    }
}
