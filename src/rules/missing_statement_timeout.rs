//! missing-statement-timeout: long work on a large table with no statement_timeout in force.

use super::{Context, Rule};
use crate::config::Level;
use crate::finding::Finding;
use crate::model::Stmt;

/// The rule.
pub(crate) const RULE: Rule = Rule {
    code: "LL038",
    name: "missing-statement-timeout",
    // Opt-in: long work on a large table already has its own finding; this adds the advice
    // to bound it, which not every team wants on every migration.
    default_level: Level::Off,
    summary: "Long work on a large table with no statement_timeout: nothing bounds how long its lock is held",
    doc: include_str!("../../rules/missing-statement-timeout.md"),
    check,
    part_end: None,
};

fn check(stmt: &Stmt, cx: &Context) -> Vec<Finding> {
    // Per session, like lock_timeout: the first statement that needs it is the one reported.
    if cx.txn.statement_timeout || cx.txn.reported_in_file.contains(&RULE.name) {
        return Vec::new();
    }
    // The longest work on a large relation is the one reported.
    let Some(work) = cx.longest_large_work() else {
        return Vec::new();
    };
    let h = cx.work_hazard(work);
    let what = super::long_work_while_holding_lock::statement_label(stmt);
    let lock = match h.mode {
        Some(_) => format!(", holding {} on it all along", h.lock_that_blocks()),
        None => String::new(),
    };
    let message = format!(
        "{what} works through every row of {}{} with no statement_timeout set: if it runs longer than planned nothing stops it{lock}; reported once per migration file",
        h.described, h.for_how_long,
    );
    // Twice the estimate when there is one, at least 15 minutes.
    let minutes = h
        .estimate
        .map(|s| (s * 2.0 / 60.0).ceil().clamp(15.0, 10_000.0) as u64)
        .unwrap_or(15);
    let set = if cx.txn.in_transaction {
        format!(
            "SET LOCAL statement_timeout = '{minutes}min';  -- first statement of the transaction"
        )
    } else {
        format!("SET statement_timeout = '{minutes}min';")
    };
    let help = format!(
        "Bound the statement: it is cancelled (and rolled back) instead of holding its lock indefinitely; pick a limit above the expected duration:\n  {set}"
    );
    vec![
        Finding::new(&RULE, stmt.span.clone(), message, help)
            .label("no limit on how long this runs")
            .hazard(&h)
            .not_sized(),
    ]
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::lines;

    const SIZES: &str = "[rules]\nmissing-statement-timeout = \"warning\"\n[tables]\nbig = { rows = 50_000_000 }\nsmall = { rows = 100 }\n";

    fn fired(sql: &str) -> Vec<usize> {
        lines("missing-statement-timeout", SIZES, &[sql])
            .into_iter()
            .map(|(_, l)| l)
            .collect()
    }

    #[test]
    fn off_unless_enabled() {
        let h = lines(
            "missing-statement-timeout",
            "[tables]\nbig = { rows = 50_000_000 }\n",
            &["CREATE INDEX big_a ON big (a);\n"],
        );
        assert!(h.is_empty());
    }

    #[test]
    fn long_work_on_a_large_table_once_per_file() {
        let sql = "CREATE INDEX big_a ON big (a);\nALTER TABLE big ADD CHECK (a > 0);\n";
        assert_eq!(fired(sql), vec![1]);
        assert!(
            fired("ALTER TABLE big ADD COLUMN x int;\nCREATE INDEX s_a ON small (a);\n").is_empty()
        );
    }

    #[test]
    fn set_set_local_and_set_config_are_honoured() {
        let work = "CREATE INDEX big_a ON big (a);\n";
        assert!(fired(&format!("SET statement_timeout = '10min';\n{work}")).is_empty());
        assert!(
            fired(&format!(
                "SELECT set_config('statement_timeout', '10min', false);\n{work}"
            ))
            .is_empty()
        );
        // SET LOCAL / set_config(..., true): this transaction only.
        assert!(
            fired(&format!(
                "BEGIN;\nSET LOCAL statement_timeout = '10min';\nSELECT 1;\n{work}COMMIT;\n"
            ))
            .is_empty()
        );
        assert!(
            fired(&format!(
                "BEGIN;\nSELECT set_config('statement_timeout', '10min', true);\n{work}COMMIT;\n"
            ))
            .is_empty()
        );
        assert_eq!(
            fired(&format!(
                "BEGIN;\nSET LOCAL statement_timeout = '10min';\nCOMMIT;\n{work}"
            )),
            vec![4]
        );
        assert_eq!(
            fired(&format!("SET statement_timeout = 0;\n{work}")),
            vec![2]
        );
    }

    #[test]
    fn set_config_counts_for_lock_timeout_too() {
        let h = lines(
            "missing-lock-timeout",
            "",
            &["SELECT set_config('lock_timeout', '5s', false);\nALTER TABLE t ADD COLUMN x int;\n"],
        );
        assert!(h.is_empty(), "{h:?}");
    }
}
