//! backfill-whole-table: UPDATE / DELETE without WHERE and INSERT ... SELECT on large existing
//! tables inside a migration: one long transaction over every row.

use super::{Context, Rule};
use crate::config::Level;
use crate::finding::Finding;
use crate::locks::Action;
use crate::model::{Blocks, ObjName, Stmt, StmtKind, WorkKind};

/// The rule.
pub(crate) const RULE: Rule = Rule {
    code: "LL024",
    name: "backfill-whole-table",
    default_level: Level::Error,
    summary: "UPDATE/DELETE without WHERE or INSERT ... SELECT over a large table in one migration transaction",
    doc: include_str!("../../rules/backfill-whole-table.md"),
    check,
    part_end: None,
};

fn check(stmt: &Stmt, cx: &Context) -> Vec<Finding> {
    match &stmt.kind {
        StmtKind::Update {
            table,
            has_where: false,
            ..
        } => row_locking(stmt, cx, table, false),
        StmtKind::Delete {
            table,
            has_where: false,
            ..
        } => row_locking(stmt, cx, table, true),
        StmtKind::Insert {
            table,
            select: true,
            reads,
        } => insert_select(stmt, cx, table, reads),
        _ => Vec::new(),
    }
}

/// Names the lowering could not resolve.
fn unresolved(t: &ObjName) -> bool {
    t.name == "?"
}

fn row_locking(stmt: &Stmt, cx: &Context, table: &ObjName, delete: bool) -> Vec<Finding> {
    if unresolved(table) {
        return Vec::new();
    }
    let Some(w) = cx
        .effects
        .work_by(Action::WriteAll)
        .find(|w| w.rel.same(table))
    else {
        return Vec::new();
    };
    let h = cx.work_hazard(w);
    let t = &h.described;
    let how_long = &h.for_how_long;
    let (message, help) = if delete {
        (
            format!(
                "DELETE without WHERE deletes every row of {t}{how_long}, holding a FOR UPDATE lock on each until commit: concurrent UPDATE and DELETE, and even foreign-key checks from referencing tables, wait; one long transaction writes WAL for every row and leaves the whole table as dead tuples (bloat)"
            ),
            format!(
                "Delete in keyed batches outside the migration, each in its own short transaction:\n  DELETE FROM {} WHERE id IN (SELECT id FROM {} ORDER BY id LIMIT 10000);  -- repeat until no rows are left\nTo empty the table, TRUNCATE is O(1) (but takes a brief ACCESS EXCLUSIVE lock: set lock_timeout):\n  SET lock_timeout = '2s';\n  TRUNCATE {};",
                table.sql(),
                table.sql(),
                table.sql()
            ),
        )
    } else {
        (
            format!(
                "UPDATE without WHERE writes a new version of every row of {t}{how_long}, holding a FOR NO KEY UPDATE lock on each until commit: concurrent UPDATE, DELETE and SELECT ... FOR UPDATE/SHARE of any row wait; one long transaction writes WAL for every row and leaves a dead copy of each (bloat)"
            ),
            format!(
                "Backfill in keyed batches outside the migration, each in its own short transaction (here by `id`; use the table's key):\n  {} WHERE id >= 1 AND id < 10001;  -- then the next key range, COMMIT between batches",
                cx.text(&stmt.span).trim().trim_end_matches(';').trim_end()
            ),
        )
    };
    let label = if delete {
        "locks every row FOR UPDATE until commit"
    } else {
        "locks every row FOR NO KEY UPDATE until commit"
    };
    let mut f = Finding::new(&RULE, stmt.span.clone(), message, help)
        .label(label)
        .hazard(&h);
    // The table lock blocks nothing, but the row locks block writes to every existing row.
    f.blocks = Some(Blocks {
        reads: false,
        writes: true,
        ddl: false,
    });
    vec![f]
}

fn insert_select(stmt: &Stmt, cx: &Context, table: &ObjName, reads: &[ObjName]) -> Vec<Finding> {
    if unresolved(table) || matches!(cx.size(table), super::Size::New) {
        return Vec::new();
    }
    // The rows copied come from the tables the query reads: the largest decides.
    let Some(src) = reads
        .iter()
        .filter(|r| matches!(cx.size(r), super::Size::Large(_)))
        .max_by_key(|r| match cx.size(r) {
            super::Size::Large(rows) => rows.unwrap_or(u64::MAX),
            _ => 0,
        })
    else {
        return Vec::new();
    };
    // The target's lock from the model; the size and duration are the source's.
    let src_h = cx.hazard(src, Some(WorkKind::RowUpdates));
    let h = cx.hazard(table, None);
    let message = format!(
        "INSERT ... SELECT copies the rows it reads from {} into the existing table `{table}` in one transaction{}: it writes WAL for every row, keeps ROW EXCLUSIVE on `{table}` (blocking CREATE INDEX and ALTER TABLE) until commit, and holds back vacuum everywhere while it runs",
        src_h.described, src_h.for_how_long,
    );
    let help = format!(
        "Copy in keyed batches outside the migration, each in its own short transaction: run this INSERT with a key range of `{src}` added to its SELECT's WHERE (e.g. `{src}.id >= 1 AND {src}.id < 10001`, then the next range), committing between batches."
    );
    vec![
        Finding::new(&RULE, stmt.span.clone(), message, help)
            .label("copies every row in one transaction")
            .hazard(&h)
            .estimate(src_h.estimate)
            .sized(src_h.size),
    ]
}

#[cfg(test)]
mod tests {
    use crate::config::Settings;

    fn fired(sql: &str) -> Vec<String> {
        let res = crate::pipeline::lint_text("t.sql", sql, &Settings::default());
        res.findings()
            .filter(|f| f.rule == "backfill-whole-table")
            .map(|f| f.message.clone())
            .collect()
    }

    #[test]
    fn whole_table_dml() {
        assert_eq!(fired("UPDATE t SET a = 1;").len(), 1);
        assert_eq!(fired("UPDATE ONLY t SET a = 1;").len(), 1);
        assert!(fired("UPDATE ONLY t SET a = 1;")[0].contains("`t`"));
        assert_eq!(fired("DELETE FROM t;").len(), 1);
        assert!(fired("UPDATE t SET a = 1 WHERE id < 100;").is_empty());
        assert!(fired("DELETE FROM t WHERE id < 100;").is_empty());
        assert_eq!(
            fired("WITH c AS (SELECT 1) UPDATE t SET a = 1;").len(),
            1,
            "a WITH clause does not hide the UPDATE"
        );
    }

    #[test]
    fn insert_select_is_sized_by_what_it_reads() {
        assert_eq!(fired("INSERT INTO t SELECT * FROM s;").len(), 1);
        assert!(fired("INSERT INTO t SELECT 1, 'x';").is_empty());
        assert!(fired("INSERT INTO t SELECT g FROM generate_series(1, 10) g;").is_empty());
        assert!(fired("INSERT INTO t VALUES (1);").is_empty());
        assert!(fired("CREATE TABLE t (a int);\nINSERT INTO t SELECT a FROM s;").is_empty());
        assert!(fired("CREATE TABLE s (a int);\nINSERT INTO t SELECT a FROM s;").is_empty());
    }
}
