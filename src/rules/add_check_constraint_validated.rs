//! add-check-constraint-validated: ADD CHECK without NOT VALID on an existing table.

use super::recipes;
use super::{Context, Rule};
use crate::config::Level;
use crate::finding::{Finding, Placement, Recipe};
use crate::locks::Action;
use crate::model::{AlterAction, ConstraintKind, Stmt, StmtKind, sql};

/// The rule.
pub(crate) const RULE: Rule = Rule {
    code: "LL012",
    name: "add-check-constraint-validated",
    default_level: Level::Error,
    summary: "ADD CHECK without NOT VALID scans every row under ACCESS EXCLUSIVE, blocking reads and writes",
    doc: include_str!("../../rules/add-check-constraint-validated.md"),
    check,
    part_end: None,
};

fn check(stmt: &Stmt, cx: &Context) -> Vec<Finding> {
    let StmtKind::AlterTable { table, actions, .. } = &stmt.kind else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let checks = cx.effects.direct_work().filter(|w| {
        matches!(
            w.cause.action,
            Action::AddCheck | Action::AddColumnCheck | Action::AddNotNull
        )
    });
    for w in checks {
        let Some(a) = actions.get(usize::from(w.cause.clause)) else {
            continue;
        };
        let Some(alter) = recipes::AlterText::new(cx, &stmt.span, &actions[0].span) else {
            continue;
        };
        let summary = "Add the constraint without checking existing rows (a brief lock), then validate it in a separate transaction (VALIDATE takes only SHARE UPDATE EXCLUSIVE, which does not block reads or writes):";
        let columns = recipes::column_names(cx, table);
        let (name, recipe) = match &a.action {
            AlterAction::AddConstraint(c) => {
                // PostgreSQL's name when the constraint has none.
                let generated = match &c.kind {
                    // PostgreSQL 18: `ADD CONSTRAINT … NOT NULL col`.
                    ConstraintKind::Check {
                        not_null_of: Some(col),
                        not_null_constraint: true,
                        ..
                    } => sql::object_name(&table.name, Some(col), "not_null"),
                    ConstraintKind::Check { expr, .. } => {
                        sql::check_name(&table.name, expr, columns.as_deref())
                    }
                    _ => continue,
                };
                let name = c.name.clone().unwrap_or(generated);
                // The clause as written, named, with NOT VALID.
                let Some(first) = alter
                    .clause(&a.span)
                    .and_then(|c| recipes::named_clause(c, &name))
                    .and_then(|c| alter.replaced(&a.span, &format!("{c} NOT VALID")))
                else {
                    continue;
                };
                let r = Recipe::new(summary)
                    .step(Placement::SameMigration, first)
                    .fixable(true);
                (name, r)
            }
            // An inline CHECK on an added column is checked against every row.
            AlterAction::AddColumn { column, .. } => match &column.check {
                Some(expr) => {
                    let name = sql::object_name(&table.name, Some(&column.name), "check");
                    let r = Recipe::new(summary)
                        .step(
                            Placement::SameMigration,
                            alter.action(&recipes::add_column_alone(column)),
                        )
                        .step(
                            Placement::SameMigration,
                            alter.action(&format!(
                                "ADD CONSTRAINT {} CHECK ({expr}) NOT VALID",
                                sql::quote_ident(&name)
                            )),
                        );
                    (name, r)
                }
                None => continue,
            },
            _ => continue,
        };
        let recipe = recipe.step(
            Placement::NextMigration,
            alter.action(&format!("VALIDATE CONSTRAINT {}", sql::quote_ident(&name))),
        );
        let h = cx.work_hazard(w);
        let what = if w.cause.action == Action::AddNotNull {
            "ADD CONSTRAINT ... NOT NULL"
        } else {
            "ADD CHECK"
        };
        let message = format!(
            "{what} holds {} on {}, blocking {}, while it checks every row{}",
            h.a_lock(),
            h.described,
            h.blocked(),
            h.for_how_long,
        );
        out.push(
            Finding::new(&RULE, a.span.clone(), message, String::new())
                .recipe(recipe)
                .label("checks every row while reads and writes wait")
                .hazard(&h),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{self, Fired};

    fn fired(sql: &str) -> Vec<Fired> {
        testing::fired(
            super::RULE.name,
            "[tables]\nbig = { rows = 5_000_000 }\n",
            &[sql],
        )
    }

    #[test]
    fn validated_check_is_flagged_at_its_clause() {
        let f = fired("ALTER TABLE big ADD COLUMN b int, ADD CHECK (b > 0);");
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].clause, "ADD CHECK (b > 0)");
        assert!(f[0].help.contains("CHECK (b > 0) NOT VALID"));
    }

    #[test]
    fn not_valid_and_other_constraints_are_not() {
        assert!(fired("ALTER TABLE big ADD CONSTRAINT c CHECK (a > 0) NOT VALID;").is_empty());
        assert!(fired("ALTER TABLE big ADD CONSTRAINT u UNIQUE (a);").is_empty());
    }

    #[test]
    fn a_postgres_18_not_null_constraint_is_named_as_written() {
        let toml = "postgres_version = 18\n[tables]\nbig = { rows = 5_000_000 }\n";
        let f = testing::fired(
            super::RULE.name,
            toml,
            &["ALTER TABLE big ADD CONSTRAINT big_a_nn NOT NULL a;"],
        );
        assert_eq!(f.len(), 1);
        assert!(
            f[0].message
                .starts_with("ADD CONSTRAINT ... NOT NULL holds an ACCESS EXCLUSIVE"),
            "{}",
            f[0].message
        );
        assert!(!f[0].message.contains("CHECK"), "{}", f[0].message);
        assert!(
            f[0].help
                .contains("ADD CONSTRAINT big_a_nn NOT NULL a NOT VALID;"),
            "{}",
            f[0].help
        );
        assert!(
            f[0].help.contains("VALIDATE CONSTRAINT big_a_nn;"),
            "{}",
            f[0].help
        );
        let nv = "ALTER TABLE big ADD CONSTRAINT big_a_nn NOT NULL a NOT VALID;";
        assert!(testing::fired(super::RULE.name, toml, &[nv]).is_empty());
    }

    #[test]
    fn inline_check_scans_with_or_without_a_default() {
        // Observed on PostgreSQL 15: every row is read to evaluate the CHECK, NULL or not.
        let f = fired("ALTER TABLE big ADD COLUMN b int CHECK (b > 0);");
        assert_eq!(f.len(), 1);
        assert!(f[0].help.contains("ADD COLUMN b int;"), "{}", f[0].help);
        let f = fired("ALTER TABLE big ADD COLUMN b int DEFAULT 1 CHECK (b > 0);");
        assert_eq!(f.len(), 1);
        assert!(
            f[0].help.contains("ADD COLUMN b int DEFAULT 1;"),
            "{}",
            f[0].help
        );
    }
}
