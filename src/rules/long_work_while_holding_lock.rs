//! long-work-while-holding-lock: long work in a transaction that already holds a lock blocking
//! reads or writes of an existing table, taken by an earlier statement.

use super::{Context, Rule, Size};
use crate::analyze::Held;
use crate::config::Level;
use crate::finding::Finding;
use crate::model::{ObjectKind, Stmt, StmtKind, Work, WorkKind};

/// The rule.
pub const RULE: Rule = Rule {
    code: "LL032",
    name: "long-work-while-holding-lock",
    default_level: Level::Error,
    summary: "Long work in a transaction that already holds a lock blocking reads or writes keeps them blocked for the whole work",
    doc: include_str!("../../rules/long-work-while-holding-lock.md"),
    check,
};

/// The statement as SQL words for messages: `ALTER TABLE`, `DROP TABLE`, `INSERT`.
pub(super) fn statement_label(stmt: &Stmt) -> String {
    let object = match &stmt.kind {
        StmtKind::Drop { object, .. } => match object {
            ObjectKind::Table => "TABLE",
            ObjectKind::View => "VIEW",
            ObjectKind::MaterializedView => "MATERIALIZED VIEW",
            ObjectKind::Index => "INDEX",
            ObjectKind::Sequence => "SEQUENCE",
            ObjectKind::Type => "TYPE",
            ObjectKind::Schema => "SCHEMA",
            ObjectKind::Other => "",
        },
        _ => "",
    };
    let verb = stmt.kind.name().replace('_', " ").to_uppercase();
    if object.is_empty() {
        verb
    } else {
        format!("{verb} {object}")
    }
}

fn work_phrase(kind: WorkKind) -> &'static str {
    match kind {
        WorkKind::Scan => "reads every row of",
        WorkKind::Validate => "checks every row of",
        WorkKind::IndexBuild => "builds an index over every row of",
        WorkKind::RowUpdates => "writes every row of",
        WorkKind::Rewrite => "rewrites",
    }
}

/// Whether the held lock blocks traffic that this statement's own lock on the relation does not
/// already block (if it does, the statement's own rule reports that).
fn adds_blocking(held: &Held, cx: &Context) -> bool {
    let h = held.mode.blocks();
    if !h.blocks_traffic() || cx.size(&held.rel) == Size::New {
        return false;
    }
    match cx.effects.lock_on(&held.rel).map(|m| m.blocks()) {
        Some(own) => (h.reads && !own.reads) || (h.writes && !own.writes),
        None => true,
    }
}

fn check(stmt: &Stmt, cx: &Context) -> Vec<Finding> {
    if !cx.txn.in_transaction || cx.txn.held.is_empty() || cx.effects.no_transaction {
        return Vec::new();
    }
    // The longest work on a large relation decides the severity.
    let mut work: Option<(&Work, Level)> = None;
    for w in &cx.effects.work {
        let Some(level) = cx.level_for(&w.rel) else {
            continue;
        };
        let longer = match work {
            None => true,
            Some((best, _)) => {
                cx.estimate(&w.rel, w.kind).unwrap_or(0.0)
                    > cx.estimate(&best.rel, best.kind).unwrap_or(0.0)
            }
        };
        if longer {
            work = Some((w, level));
        }
    }
    let Some((work, level)) = work else {
        return Vec::new();
    };
    // A table this statement creates was dropped earlier in the transaction: nothing uses it.
    let creating = match &stmt.kind {
        StmtKind::CreateTable(ct) => Some(&ct.name),
        _ => None,
    };
    let mut held: Vec<&Held> = cx
        .txn
        .held
        .iter()
        .filter(|h| adds_blocking(h, cx) && !creating.is_some_and(|c| c.same(&h.rel)))
        .collect();
    // Name the lock that blocks reads first, then the earliest one.
    held.sort_by_key(|h| (!h.mode.blocks().reads, h.span.start));
    let Some(first) = held.first() else {
        return Vec::new();
    };
    let line = cx.source.line_col(first.span.start).0;
    let what = statement_label(stmt);
    let blocked = first.mode.blocks().describe();
    let more = match held.len() - 1 {
        0 => String::new(),
        1 => " (and a lock on 1 more table)".to_string(),
        n => format!(" (and locks on {n} more tables)"),
    };
    let message = format!(
        "{what} {} {}{} while the {} lock on {} taken at line {line} is still held: {blocked} of `{}` stay blocked until COMMIT{more}",
        work_phrase(work.kind),
        cx.describe(&work.rel),
        cx.for_how_long(&work.rel, work.kind),
        first.mode.sql_name(),
        cx.describe(&first.rel),
        first.rel,
    );
    let batch = if work.kind == WorkKind::RowUpdates {
        format!(
            "\n  -- backfill in batches, each in its own short transaction:\n  UPDATE {} SET ... WHERE <key range>;",
            work.rel
        )
    } else {
        String::new()
    };
    let help = format!(
        "Commit the statement at line {line} before the long work, so its lock is released first, and keep each lock-taking statement in its own short transaction:\n  COMMIT;  -- right after line {line}\n  -- then, in a separate transaction or migration: the {} of `{}`{batch}",
        what, work.rel,
    );
    vec![
        Finding::new(&RULE, level, work.span.clone(), message, help)
            .label(format!("holds line {line}'s lock during this work"))
            .lock(&first.rel, first.mode)
            .estimate(cx.estimate(&work.rel, work.kind)),
    ]
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{hits, lines};

    const SIZES: &str = "[tables]\nbig = { rows = 50_000_000 }\nsmall = { rows = 1_000 }\n";

    fn fired(sql: &str) -> Vec<usize> {
        lines("long-work-while-holding-lock", SIZES, &[sql])
            .into_iter()
            .map(|(_, l)| l)
            .collect()
    }

    #[test]
    fn names_the_earlier_lock_its_line_and_the_work() {
        let h = hits(
            "long-work-while-holding-lock",
            SIZES,
            &["BEGIN;\nALTER TABLE big ADD COLUMN x int;\nUPDATE big SET x = 0;\nCOMMIT;\n"],
        );
        assert_eq!(h.len(), 1);
        assert_eq!(h[0].line, 3);
        assert_eq!(h[0].severity, crate::config::Level::Error);
        let m = &h[0].message;
        assert!(
            m.contains("UPDATE writes every row of `big` (~50M rows)"),
            "{m}"
        );
        assert!(m.contains("ACCESS EXCLUSIVE lock on `big`"), "{m}");
        assert!(m.contains("taken at line 2"), "{m}");
        assert!(m.contains("for an estimated"), "{m}");
    }

    #[test]
    fn names_the_statement_that_took_the_strongest_mode() {
        let h = hits(
            "long-work-while-holding-lock",
            SIZES,
            &[
                "BEGIN;\nSELECT * FROM small;\nALTER TABLE small ADD COLUMN x int;\nUPDATE big SET x = 0;\nCOMMIT;\n",
            ],
        );
        assert_eq!(h.len(), 1);
        assert!(h[0].message.contains("taken at line 3"), "{}", h[0].message);
    }

    #[test]
    fn only_inside_one_transaction() {
        assert_eq!(
            fired("ALTER TABLE big ADD COLUMN x int;\nUPDATE big SET x = 0;\n"),
            Vec::<usize>::new()
        );
        assert_eq!(
            fired(
                "BEGIN;\nALTER TABLE big ADD COLUMN x int;\nCOMMIT;\nBEGIN;\nUPDATE big SET x = 0;\nCOMMIT;\n"
            ),
            Vec::<usize>::new()
        );
        // The whole file in one transaction (the tool wraps it).
        let one_txn = "[migrations]\nassume_in_transaction = true\n".to_string() + SIZES;
        assert_eq!(
            lines(
                "long-work-while-holding-lock",
                &one_txn,
                &["ALTER TABLE small ADD COLUMN x int;\nUPDATE big SET x = 0;\n"]
            ),
            vec![(0, 2)]
        );
    }

    #[test]
    fn a_lock_on_a_new_table_or_a_non_blocking_lock_is_ignored() {
        assert_eq!(
            fired(
                "BEGIN;\nCREATE TABLE n (id int);\nALTER TABLE n ADD COLUMN x int;\nUPDATE big SET x = 0;\nCOMMIT;\n"
            ),
            Vec::<usize>::new()
        );
        assert_eq!(
            fired(
                "BEGIN;\nCOMMENT ON TABLE small IS 'x';\nANALYZE small;\nUPDATE big SET x = 0;\nCOMMIT;\n"
            ),
            Vec::<usize>::new()
        );
    }

    #[test]
    fn a_table_dropped_and_recreated_from_a_large_one_is_not_in_use() {
        assert_eq!(
            fired(
                "BEGIN;\nDROP TABLE IF EXISTS tmp_map;\nCREATE TEMP TABLE tmp_map AS SELECT id FROM big;\nCOMMIT;\n"
            ),
            Vec::<usize>::new()
        );
    }

    #[test]
    fn small_work_is_silent_but_a_small_locked_table_counts() {
        assert_eq!(
            fired("BEGIN;\nALTER TABLE big ADD COLUMN x int;\nUPDATE small SET x = 0;\nCOMMIT;\n"),
            Vec::<usize>::new()
        );
        assert_eq!(
            fired(
                "BEGIN;\nALTER TABLE small ADD COLUMN x int;\nCREATE INDEX big_x_idx ON big (x);\nCOMMIT;\n"
            ),
            vec![3]
        );
    }

    #[test]
    fn work_whose_own_lock_already_blocks_the_same_is_left_to_its_own_rule() {
        // The rewrite holds ACCESS EXCLUSIVE on `big` itself: the earlier lock adds nothing.
        assert_eq!(
            fired(
                "BEGIN;\nALTER TABLE big ADD COLUMN x int;\nALTER TABLE big ALTER COLUMN y TYPE bigint;\nCOMMIT;\n"
            ),
            Vec::<usize>::new()
        );
        // CREATE INDEX holds SHARE (writes only): reads stay blocked by the earlier lock.
        assert_eq!(
            fired(
                "BEGIN;\nALTER TABLE big ADD COLUMN x int;\nCREATE INDEX big_x_idx ON big (x);\nCOMMIT;\n"
            ),
            vec![3]
        );
    }
}
