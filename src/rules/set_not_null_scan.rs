//! set-not-null-scan: ALTER COLUMN ... SET NOT NULL that has to scan the table to prove it.

use super::recipes;
use super::{Context, Rule};
use crate::config::Level;
use crate::finding::{Finding, Placement, Recipe};
use crate::locks::Action;
use crate::model::{AlterAction, ConstraintKind, ObjName, Stmt, StmtKind, sql};

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
            format!(
                "no validated CHECK ({} IS NOT NULL) proves it",
                sql::quote_ident(column)
            )
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
        let Some(recipe) = recipe(cx, stmt, table, actions, a, column) else {
            continue;
        };
        out.push(
            Finding::new(&RULE, a.span.clone(), message, String::new())
                .recipe(recipe)
                .label("scans every row while reads and writes wait")
                .hazard(&h),
        );
    }
    out
}

/// PostgreSQL 18: a NOT NULL constraint added NOT VALID, then validated. 12 to 17: a CHECK
/// (col IS NOT NULL) added NOT VALID and validated lets SET NOT NULL skip its scan. Before 12:
/// the CHECK alone enforces it.
fn recipe(
    cx: &Context,
    stmt: &Stmt,
    table: &ObjName,
    actions: &[crate::model::Action],
    a: &crate::model::Action,
    column: &str,
) -> Option<Recipe> {
    let version = cx.settings.postgres_version;
    let alter = recipes::AlterText::new(cx, &stmt.span, &actions.first()?.span)?;
    let col = sql::quote_ident(column);
    let constraints = cx
        .catalog
        .table(table)
        .map(|t| t.constraints.as_slice())
        .unwrap_or_default();
    // A CHECK (col IS NOT NULL) added NOT VALID earlier: validating it is all that is missing.
    let pending = constraints.iter().find(|c| {
        !c.validated
            && matches!(&c.kind, ConstraintKind::Check { not_null_of: Some(n), .. } if n == column)
    });
    if let (Some(c), 12..=17) = (pending, version) {
        let quoted = sql::quote_ident(&c.name);
        let recipe = Recipe::new(format!(
                "Validate the CHECK constraint {quoted} in a separate transaction first (SHARE UPDATE EXCLUSIVE: reads and writes go on); then SET NOT NULL skips the scan (PostgreSQL 12+):"
            ))
            .step(
                Placement::NextMigration,
                alter.action(&format!("VALIDATE CONSTRAINT {quoted}")),
            );
        return Some(
            set_not_null_then_drop(recipe, &alter, &col, &quoted).fixable(actions.len() == 1),
        );
    }
    // The name PostgreSQL 18 gives the constraint, made free the way PostgreSQL does it.
    let mut name = sql::object_name(&table.name, Some(column), "not_null");
    let mut n = 0;
    while constraints.iter().any(|c| c.name == name) {
        n += 1;
        name = sql::object_name(&table.name, Some(column), &format!("not_null{n}"));
    }
    let quoted = sql::quote_ident(&name);
    let validate = alter.action(&format!("VALIDATE CONSTRAINT {quoted}"));
    if version >= 18 {
        let first = alter.replaced(
            &a.span,
            &format!("ADD CONSTRAINT {quoted} NOT NULL {col} NOT VALID"),
        )?;
        return Some(
            Recipe::new("Add the NOT NULL constraint without checking existing rows, then validate it in a separate transaction (PostgreSQL 18+; VALIDATE takes SHARE UPDATE EXCLUSIVE: reads and writes go on, and the column is NOT NULL once it commits):")
                .step(Placement::SameMigration, first)
                .step(Placement::NextMigration, validate)
                .fixable(true),
        );
    }
    let first = alter.replaced(
        &a.span,
        &format!("ADD CONSTRAINT {quoted} CHECK ({col} IS NOT NULL) NOT VALID"),
    )?;
    if version >= 12 {
        let recipe = Recipe::new("Prove the column has no NULLs without blocking, then SET NOT NULL skips the scan (PostgreSQL 12+; VALIDATE takes SHARE UPDATE EXCLUSIVE: reads and writes go on):")
            .step(Placement::SameMigration, first)
            .step(Placement::NextMigration, validate);
        return Some(set_not_null_then_drop(recipe, &alter, &col, &quoted).fixable(true));
    }
    Some(
        Recipe::new("Before PostgreSQL 12 SET NOT NULL always scans. Enforce the rule with a CHECK constraint instead, validated without blocking (SHARE UPDATE EXCLUSIVE):")
            .step(Placement::SameMigration, first)
            .step(Placement::NextMigration, validate),
    )
}

/// The last steps once a validated CHECK (col IS NOT NULL) proves the column: SET NOT NULL (no
/// scan, PostgreSQL 12+), then drop the CHECK it no longer needs.
fn set_not_null_then_drop(
    recipe: Recipe,
    alter: &recipes::AlterText,
    col: &str,
    check: &str,
) -> Recipe {
    recipe
        .step(
            Placement::NextMigration,
            alter.action(&format!("ALTER COLUMN {col} SET NOT NULL")),
        )
        .step(
            Placement::NextMigration,
            alter.action(&format!("DROP CONSTRAINT {check}")),
        )
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
