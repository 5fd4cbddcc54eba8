//! set-not-null-scan: ALTER COLUMN ... SET NOT NULL that has to scan the table to prove it.

use super::{Context, Rule};
use crate::config::Level;
use crate::finding::Finding;
use crate::locks::Action;
use crate::model::{AlterAction, Stmt, StmtKind};

/// The rule.
pub(crate) const RULE: Rule = Rule {
    code: "LL013",
    name: "set-not-null-scan",
    default_level: Level::Error,
    summary: "SET NOT NULL without a validated CHECK (col IS NOT NULL) scans every row under ACCESS EXCLUSIVE",
    doc: include_str!("../../rules/set-not-null-scan.md"),
    check,
    part_end: None,
};

fn check(stmt: &Stmt, cx: &Context) -> Vec<Finding> {
    let StmtKind::AlterTable { table, actions, .. } = &stmt.kind else {
        return Vec::new();
    };
    let version = cx.settings.postgres_version;
    let mut out = Vec::new();
    // The lock model records a scan only where SET NOT NULL has to prove it row by row.
    let scans = cx.effects.direct_work().filter(|w| {
        matches!(
            w.cause.action,
            Action::SetNotNullScan | Action::SetNotNullCheckProven
        )
    });
    for w in scans {
        let Some(a) = actions.get(usize::from(w.cause.clause)) else {
            continue;
        };
        let AlterAction::SetNotNull { column } = &a.action else {
            continue;
        };
        let h = cx.work_hazard(w);
        let why = if version >= 12 {
            format!("no validated CHECK ({column} IS NOT NULL) proves it")
        } else {
            "before PostgreSQL 12 it always does".to_string()
        };
        let message = format!(
            "SET NOT NULL on `{column}` holds {} on {}, blocking {}, while it reads every row to check for NULLs ({why}){}",
            h.a_lock(),
            h.described,
            h.blocked(),
            h.for_how_long,
        );
        let check = format!("{}_{column}_not_null", table.name);
        let help = if version >= 12 {
            format!(
                "Prove the column has no NULLs without blocking, then SET NOT NULL skips the scan (PostgreSQL 12+):\n  ALTER TABLE {table} ADD CONSTRAINT {check} CHECK ({column} IS NOT NULL) NOT VALID;\n  -- next transaction (SHARE UPDATE EXCLUSIVE: reads and writes continue):\n  ALTER TABLE {table} VALIDATE CONSTRAINT {check};\n  -- then (a brief lock, no scan):\n  ALTER TABLE {table} ALTER COLUMN {column} SET NOT NULL;\n  ALTER TABLE {table} DROP CONSTRAINT {check};"
            )
        } else {
            format!(
                "Before PostgreSQL 12 SET NOT NULL always scans. Enforce the rule with a CHECK constraint instead, validated without blocking:\n  ALTER TABLE {table} ADD CONSTRAINT {check} CHECK ({column} IS NOT NULL) NOT VALID;\n  -- next transaction:\n  ALTER TABLE {table} VALIDATE CONSTRAINT {check};"
            )
        };
        out.push(
            Finding::new(&RULE, a.span.clone(), message, help)
                .label("scans every row while reads and writes wait")
                .hazard(&h),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::model::WorkKind;
    use crate::rules::testing::{self, Fired};

    const SIZES: &str = "[tables]\nbig = { rows = 5_000_000 }\n";

    fn fired(toml: &str, files: &[&str]) -> Vec<Fired> {
        testing::fired(super::RULE.name, toml, files)
    }

    #[test]
    fn flagged_exactly_when_the_lock_model_records_a_scan() {
        let cases = [
            ("ALTER TABLE big ALTER COLUMN a SET NOT NULL;", true),
            (
                "ALTER TABLE big ADD CONSTRAINT c CHECK (a IS NOT NULL) NOT VALID;
                 ALTER TABLE big ALTER COLUMN a SET NOT NULL;",
                true,
            ),
            (
                "ALTER TABLE big ADD CONSTRAINT c CHECK (a IS NOT NULL) NOT VALID;
                 ALTER TABLE big VALIDATE CONSTRAINT c;
                 ALTER TABLE big ALTER COLUMN a SET NOT NULL;",
                false,
            ),
            (
                "ALTER TABLE big ADD CONSTRAINT c CHECK (a IS NOT NULL);
                 ALTER TABLE big ALTER COLUMN a SET NOT NULL;",
                false,
            ),
            (
                "ALTER TABLE big ADD CONSTRAINT c CHECK (b IS NOT NULL);
                 ALTER TABLE big ALTER COLUMN a SET NOT NULL;",
                true,
            ),
        ];
        let settings = crate::config::parse_str(
            SIZES,
            std::path::Path::new("t.toml"),
            &crate::rules::names(),
        )
        .expect("config");
        for (sql, scans) in cases {
            let res = crate::pipeline::lint_text("t.sql", sql, &settings);
            let last = res.stmts.last().expect("statements");
            let model_scans = last
                .effects
                .work
                .iter()
                .any(|w| w.kind == WorkKind::Scan && w.rel.name == "big");
            let flagged = last.findings.iter().any(|f| f.rule == super::RULE.name);
            assert_eq!(model_scans, scans, "lock model: {sql}");
            assert_eq!(flagged, scans, "rule: {sql}");
        }
    }

    #[test]
    fn validated_check_from_an_earlier_migration_counts() {
        let earlier = "ALTER TABLE big ADD CONSTRAINT c CHECK (a IS NOT NULL) NOT VALID;
                       ALTER TABLE big VALIDATE CONSTRAINT c;";
        let now = "ALTER TABLE big ALTER COLUMN a SET NOT NULL;";
        assert!(fired(SIZES, &[earlier, now]).is_empty());
    }

    #[test]
    fn column_already_not_null_is_a_no_op() {
        let earlier = "CREATE TABLE big (id bigint, a int NOT NULL, b int);";
        assert!(
            fired(
                SIZES,
                &[earlier, "ALTER TABLE big ALTER COLUMN a SET NOT NULL;"]
            )
            .is_empty()
        );
        let f = fired(
            SIZES,
            &[earlier, "ALTER TABLE big ALTER COLUMN b SET NOT NULL;"],
        );
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].clause, "ALTER COLUMN b SET NOT NULL");
    }

    #[test]
    fn before_12_it_always_scans() {
        let toml = format!("postgres_version = 11\n{SIZES}");
        let sql = "ALTER TABLE big ADD CONSTRAINT c CHECK (a IS NOT NULL);
                   ALTER TABLE big ALTER COLUMN a SET NOT NULL;";
        let f = fired(&toml, &[sql]);
        assert_eq!(f.len(), 1);
        assert!(f[0].message.contains("before PostgreSQL 12"));
    }
}
