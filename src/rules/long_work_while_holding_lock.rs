//! long-work-while-holding-lock: long work in a transaction that already holds a lock blocking
//! reads or writes of an existing table, taken by an earlier statement.

use super::{Context, Rule, Size};
use crate::analyze::Held;
use crate::config::Level;
use crate::finding::{Finding, Related};
use crate::model::{ObjectKind, Stmt, StmtKind, WorkKind};

/// The rule.
pub(crate) const RULE: Rule = Rule {
    code: "LL032",
    name: "long-work-while-holding-lock",
    default_level: Level::Error,
    summary: "Long work in a transaction that already holds a lock blocking reads or writes keeps them blocked for the whole work",
    doc: include_str!("../../rules/long-work-while-holding-lock.md"),
    check,
    part_end: None,
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
    // The longest work on a large relation is the one reported.
    let Some(work) = cx.longest_large_work() else {
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
    let h = cx.work_hazard(work);
    let message = format!(
        "{what} {} {}{} while the {} lock on {} taken at line {line} is still held: {blocked} of `{}` stay blocked until COMMIT{more}",
        work_phrase(work.kind),
        h.described,
        h.for_how_long,
        first.mode.sql_name(),
        cx.describe(&first.rel),
        first.rel,
    );
    // Said again on the statement's own finding when it has one (see [`merge`]).
    let held_note = format!(
        "It also keeps the {} lock on {} taken at line {line} held: {blocked} of `{}` stay blocked until COMMIT{more}.",
        first.mode.sql_name(),
        cx.describe(&first.rel),
        first.rel,
    );
    let batch = if work.kind == WorkKind::RowUpdates {
        format!(
            "\nBackfill `{}` in batches (the UPDATE with a key range added to its WHERE), each in its own short transaction.",
            work.rel
        )
    } else {
        String::new()
    };
    let help = format!(
        "Commit the statement at line {line} before the long work, so its lock is released first, and keep each lock-taking statement in its own short transaction:\n  COMMIT;  -- right after line {line}\n  -- then, in a separate transaction or migration: the {} of `{}`{batch}",
        what, work.rel,
    );
    let mut f = Finding::new(&RULE, work.span().clone(), message, help)
        .label(format!("holds line {line}'s lock during this work"))
        .sized(h.size)
        .estimate(h.estimate);
    f.table = Some(first.rel.to_string());
    f.lock = Some(first.mode);
    f.blocks = Some(first.mode.blocks());
    f.related.push(Related {
        span: first.span.clone(),
        label: format!(
            "{} lock taken here, held until COMMIT",
            first.mode.sql_name()
        ),
    });
    f.note = Some(held_note);
    vec![f]
}

/// One finding per hazard: when another rule already reports the statement's blocking work,
/// the lock this rule is about (held from an earlier statement) goes into that finding — its
/// message and a second location — instead of a finding of its own. Without such a finding,
/// this rule reports once per transaction and held table.
pub(super) fn merge(findings: &mut Vec<Finding>, cx: &Context) {
    let Some(i) = findings.iter().position(|f| f.rule == RULE.name) else {
        return;
    };
    let span = findings[i].span.clone();
    // The statement's own finding on the same work: a size-weighed one whose clause covers it.
    let own = findings.iter().position(|f| {
        f.rule != RULE.name
            && f.size.is_some()
            && f.span.start <= span.start
            && span.end <= f.span.end
    });
    let Some(own) = own else {
        let table = findings[i].table.clone().unwrap_or_default();
        if cx.txn.reported_tables.contains(&(RULE.name, table)) {
            findings.remove(i);
        }
        return;
    };
    let lw = findings.remove(i);
    let own = if own > i { own - 1 } else { own };
    let f = &mut findings[own];
    f.related.extend(lw.related);
    f.merged.push(RULE.name);
    // A finding that already names the same lock on the same table
    // (validate-in-same-transaction) says it all.
    if f.table.is_some() && f.table == lw.table && f.lock >= lw.lock {
        return;
    }
    if let Some(note) = &lw.note {
        f.message.push_str(". ");
        f.message.push_str(note.trim_end_matches('.'));
    }
    if f.help.is_empty() {
        f.help = lw.help;
    } else {
        f.help.push('\n');
        f.help.push_str(&lw.help);
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{Hit, all_hits};

    const SIZES: &str = "[tables]\nbig = { rows = 50_000_000 }\nsmall = { rows = 1_000 }\n";

    /// The findings that report an earlier lock still held: this rule's own, or another rule's
    /// finding on the same statement that the held lock was merged into.
    fn held_with(toml: &str, sql: &str) -> Vec<Hit> {
        all_hits(toml, &[sql])
            .into_iter()
            .filter(|h| h.rule == super::RULE.name || !h.related.is_empty())
            .collect()
    }

    fn held(sql: &str) -> Vec<Hit> {
        held_with(SIZES, sql)
    }

    fn fired(sql: &str) -> Vec<usize> {
        held(sql).into_iter().map(|h| h.line).collect()
    }

    #[test]
    fn merged_into_the_statements_own_finding_with_the_earlier_lock_as_second_location() {
        let sql = "BEGIN;\nALTER TABLE big ADD COLUMN x int;\nUPDATE big SET x = 0;\nCOMMIT;\n";
        let all = all_hits(SIZES, &[sql]);
        // One finding for the UPDATE: backfill-whole-table's, carrying the held lock.
        let on_update: Vec<&Hit> = all.iter().filter(|h| h.line == 3).collect();
        assert_eq!(on_update.len(), 1, "{all:#?}");
        let h = on_update[0];
        assert_eq!(h.rule, "backfill-whole-table");
        assert_eq!(h.related, vec![2]);
        assert_eq!(h.severity, crate::config::Level::Error);
        let m = &h.message;
        assert!(m.contains("every row of `big` (~50M rows)"), "{m}");
        assert!(m.contains("ACCESS EXCLUSIVE lock on `big`"), "{m}");
        assert!(m.contains("taken at line 2"), "{m}");
        assert!(m.contains("for an estimated"), "{m}");
        assert!(
            h.help.contains("COMMIT;  -- right after line 2"),
            "{}",
            h.help
        );
    }

    #[test]
    fn a_statement_without_a_finding_of_its_own_gets_one_per_transaction_and_table() {
        // The index build on `other` is reported by its own rule; the second one too; the
        // earlier lock on `big` goes into each.
        let sql = "BEGIN;\nALTER TABLE big ADD COLUMN x int;\nCREATE INDEX a ON other (x);\nCREATE INDEX b ON other (y);\nCOMMIT;\n";
        let all = all_hits(SIZES, &[sql]);
        assert_eq!(all.iter().filter(|h| h.line == 3).count(), 1, "{all:#?}");
        assert_eq!(all.iter().filter(|h| h.line == 4).count(), 1, "{all:#?}");
        assert_eq!(fired(sql), vec![3, 4]);
        // Work with no rule of its own (a REFRESH CONCURRENTLY scan): reported once per
        // transaction and held table.
        let sql = "CREATE MATERIALIZED VIEW mv AS SELECT 1;\nBEGIN;\nALTER TABLE big ADD COLUMN x int;\nSELECT 1;\nCREATE TABLE c AS SELECT * FROM other;\nCREATE TABLE d AS SELECT * FROM other;\nCOMMIT;\n";
        let h = held(sql);
        assert_eq!(h.len(), 1, "{h:#?}");
        assert_eq!(h[0].rule, super::RULE.name);
        assert_eq!(h[0].line, 5);
        assert_eq!(h[0].related, vec![3]);
    }

    #[test]
    fn names_the_statement_that_took_the_strongest_mode() {
        let h = held(
            "BEGIN;\nSELECT * FROM small;\nALTER TABLE small ADD COLUMN x int;\nUPDATE big SET x = 0;\nCOMMIT;\n",
        );
        assert_eq!(h.len(), 1);
        assert!(h[0].message.contains("taken at line 3"), "{}", h[0].message);
        assert_eq!(h[0].related, vec![3]);
    }

    #[test]
    fn a_full_read_and_an_unproven_where_are_long_work() {
        let sql =
            "BEGIN;\nALTER TABLE small ADD COLUMN c text;\nSELECT count(*) FROM big;\nCOMMIT;\n";
        assert_eq!(fired(sql), vec![3]);
        let h = held(sql);
        assert!(
            h[0].message.contains("reads every row of `big`"),
            "{}",
            h[0].message
        );
        // A WHERE that proves nothing: every row may be written.
        for w in ["c IS NULL", "c <> 'x'", "id > 10", "c LIKE 'a%'"] {
            let sql = format!(
                "BEGIN;\nALTER TABLE small ADD COLUMN c text;\nUPDATE big SET c = 'x' WHERE {w};\nCOMMIT;\n"
            );
            assert_eq!(fired(&sql), vec![3], "{w}");
            let sql = format!(
                "BEGIN;\nALTER TABLE small ADD COLUMN c text;\nDELETE FROM big WHERE {w};\nCOMMIT;\n"
            );
            assert_eq!(fired(&sql), vec![3], "{w}");
        }
        // Provably selective: a key, a list, a bounded range, a LIMIT batch.
        for w in [
            "id = 5",
            "id IN (1, 2, 3)",
            "id BETWEEN 1 AND 10000",
            "id >= 1 AND id < 10001",
            "(id = 1 OR id = 2) AND c IS NULL",
            "id IN (SELECT id FROM big WHERE c IS NULL LIMIT 1000)",
            "created < now() AND created >= now() - interval '1 day'",
        ] {
            let sql = format!(
                "BEGIN;\nALTER TABLE small ADD COLUMN c text;\nUPDATE big SET c = 'x' WHERE {w};\nCOMMIT;\n"
            );
            assert!(fired(&sql).is_empty(), "{w}");
        }
        // A filtered or limited read is not a full read.
        for q in [
            "SELECT * FROM big WHERE id = 1",
            "SELECT * FROM big LIMIT 10",
        ] {
            let sql = format!("BEGIN;\nALTER TABLE small ADD COLUMN c text;\n{q};\nCOMMIT;\n");
            assert!(fired(&sql).is_empty(), "{q}");
        }
    }

    #[test]
    fn a_pinned_column_narrows_only_through_an_index() {
        // `big` from an earlier migration: its columns and indexes are known.
        let schema = "CREATE TABLE big (id bigint PRIMARY KEY, status text, code text, c text);\nCREATE INDEX big_code_idx ON big (code);\n";
        let fired_after = |sql: &str| -> Vec<usize> {
            all_hits(SIZES, &[schema, sql])
                .into_iter()
                .filter(|h| h.file == 1 && (h.rule == super::RULE.name || !h.related.is_empty()))
                .map(|h| h.line)
                .collect()
        };
        let txn = |w: &str| {
            format!(
                "BEGIN;\nALTER TABLE small ADD COLUMN c text;\nUPDATE big SET c = 'x' WHERE {w};\nCOMMIT;\n"
            )
        };
        // No index on status: every row may be read and many written.
        assert_eq!(fired_after(&txn("status = 'new'")), vec![3]);
        assert_eq!(fired_after(&txn("status IN ('a', 'b')")), vec![3]);
        // A key, an indexed column, a LIMIT batch: selective.
        for w in [
            "id = 5",
            "code = 'x'",
            "code = 'x' AND status = 'new'",
            "id BETWEEN 1 AND 10000",
            "id IN (SELECT id FROM big WHERE status = 'new' LIMIT 1000)",
        ] {
            assert!(fired_after(&txn(w)).is_empty(), "{w}");
        }
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
        let h = held_with(
            &one_txn,
            "ALTER TABLE small ADD COLUMN x int;\nUPDATE big SET x = 0;\n",
        );
        assert_eq!(h.iter().map(|h| h.line).collect::<Vec<_>>(), vec![2]);
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
