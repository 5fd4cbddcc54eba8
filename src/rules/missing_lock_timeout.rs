//! missing-lock-timeout: a lock that blocks reads or writes of an existing table requested with no
//! lock_timeout in force.

use super::{Context, Rule, Size};
use crate::config::Level;
use crate::finding::{Finding, Placement, Recipe};
use crate::model::{RelLock, Stmt};

/// The rule.
pub(crate) const RULE: Rule = Rule {
    code: "LL033",
    name: "missing-lock-timeout",
    default_level: Level::Warning,
    summary: "A lock blocking reads or writes is requested with no lock_timeout: it can queue behind a long transaction and stall all traffic on the table",
    doc: include_str!("../../rules/missing-lock-timeout.md"),
    check,
    part_end: None,
};

fn check(stmt: &Stmt, cx: &Context) -> Vec<Finding> {
    // The setting is per session: one SET at the top of the migration covers every statement,
    // so the first statement that needs it is the one reported.
    if cx.txn.lock_timeout || cx.txn.reported_in_file.contains(&RULE.name) {
        return Vec::new();
    }
    // The strongest lock on an existing relation that blocks reads or writes.
    let mut lock: Option<&RelLock> = None;
    for l in &cx.effects.locks {
        if l.mode.blocks().blocks_traffic()
            && cx.size(&l.rel) != Size::New
            && lock.is_none_or(|best| l.mode > best.mode)
        {
            lock = Some(l);
        }
    }
    let Some(lock) = lock else {
        return Vec::new();
    };
    let what = super::long_work_while_holding_lock::statement_label(stmt);
    let scope = "; reported once per migration file";
    let queued = if lock.mode.blocks().reads {
        "every later read and write"
    } else {
        "every later write"
    };
    let message = format!(
        "{what} requests {} {} lock on `{}` with no lock_timeout set: while any open transaction holds a conflicting lock the migration waits, and {queued} of `{}` queues behind it{scope}",
        if lock.mode.sql_name().starts_with(['A', 'E']) {
            "an"
        } else {
            "a"
        },
        lock.mode.sql_name(),
        lock.rel,
        lock.rel,
    );
    // For the session, not SET LOCAL: it holds for the rest of the migration and works the
    // same in a transaction block and outside one.
    let set = "SET lock_timeout = '5s';";
    let recipe = Recipe::new(
        "Give up quickly instead of stalling traffic, and retry the migration when it times out; before this statement:",
    )
    .step(Placement::SameMigration, set)
    .inserted_before();
    vec![
        Finding::new(&RULE, stmt.span.clone(), message, String::new())
            .recipe(recipe)
            .label("can queue behind a long transaction; traffic queues behind it")
            .lock(&lock.rel, lock.mode),
    ]
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{hits, lines};

    fn fired(sql: &str) -> Vec<usize> {
        lines("missing-lock-timeout", "", &[sql])
            .into_iter()
            .map(|(_, l)| l)
            .collect()
    }

    #[test]
    fn once_per_file_across_transactions() {
        let sql = "BEGIN;\nALTER TABLE a ADD COLUMN x int;\nALTER TABLE b ADD COLUMN y int;\nCOMMIT;\nBEGIN;\nSELECT 1;\nALTER TABLE b ADD COLUMN z int;\nCOMMIT;\n";
        assert_eq!(fired(sql), vec![2]);
    }

    #[test]
    fn once_per_file_outside_a_transaction() {
        let sql = "ALTER TABLE a ADD COLUMN x int;\nALTER TABLE b ADD COLUMN y int;\n";
        assert_eq!(fired(sql), vec![1]);
        // Each migration file is its own session.
        let h = lines("missing-lock-timeout", "", &[sql, sql]);
        assert_eq!(h, vec![(0, 1), (1, 1)]);
    }

    #[test]
    fn session_timeout_lasts_local_timeout_ends_with_the_transaction() {
        let session = "SET lock_timeout = '5s';\nBEGIN;\nALTER TABLE a ADD COLUMN x int;\nCOMMIT;\nALTER TABLE b ADD COLUMN y int;\n";
        assert_eq!(fired(session), Vec::<usize>::new());
        let local = "BEGIN;\nSET LOCAL lock_timeout = '5s';\nALTER TABLE a ADD COLUMN x int;\nCOMMIT;\nALTER TABLE b ADD COLUMN y int;\n";
        assert_eq!(fired(local), vec![5]);
        let reset = "SET lock_timeout = '5s';\nSET lock_timeout = 0;\nDROP TABLE a;\n";
        assert_eq!(fired(reset), vec![3]);
    }

    #[test]
    fn a_first_statement_on_a_new_table_does_not_use_up_the_report() {
        let sql = "BEGIN;\nCREATE TABLE n (id int);\nALTER TABLE n ADD COLUMN x int;\nCREATE INDEX ON a (x);\nCOMMIT;\n";
        assert_eq!(fired(sql), vec![4]);
    }

    #[test]
    fn names_the_strongest_lock_and_the_statement() {
        let h = hits(
            "missing-lock-timeout",
            "",
            &["CREATE INDEX a_x_idx ON a (x);\n"],
        );
        assert_eq!(h.len(), 1);
        assert!(
            h[0].message
                .starts_with("CREATE INDEX requests a SHARE lock on `a`")
        );
        assert!(h[0].message.contains("every later write of `a`"));
        let h = hits("missing-lock-timeout", "", &["DROP TABLE b;\n"]);
        assert!(
            h[0].message
                .starts_with("DROP TABLE requests an ACCESS EXCLUSIVE lock on `b`")
        );
        assert!(h[0].help.contains("SET lock_timeout"));
        assert_eq!(h[0].severity, crate::config::Level::Warning);
    }
}
