//! add-foreign-key-validated: ADD FOREIGN KEY without NOT VALID on an existing table, and
//! ADD COLUMN ... DEFAULT <non-null> REFERENCES (every row's default is checked).

use super::recipes;
use super::{Context, Rule};
use crate::config::Level;
use crate::finding::{Finding, Placement, Recipe};
use crate::locks::Action;
use crate::model::{AlterAction, ConstraintKind, Stmt, StmtKind, sql};

/// The rule.
pub(crate) const RULE: Rule = Rule {
    code: "LL002",
    name: "add-foreign-key-validated",
    default_level: Level::Error,
    summary: "ADD FOREIGN KEY without NOT VALID blocks writes on both tables while every row is checked",
    doc: include_str!("../../rules/add-foreign-key-validated.md"),
    check,
    part_end: None,
};

fn check(stmt: &Stmt, cx: &Context) -> Vec<Finding> {
    let StmtKind::AlterTable { table, actions, .. } = &stmt.kind else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for w in cx.effects.direct_work().filter(|w| {
        matches!(
            w.cause.action,
            Action::AddForeignKey | Action::AddColumnReferencesValidated
        )
    }) {
        let Some(a) = actions.get(usize::from(w.cause.clause)) else {
            continue;
        };
        let (columns, references, name) = match &a.action {
            AlterAction::AddConstraint(c) => {
                let ConstraintKind::ForeignKey {
                    columns,
                    references,
                } = &c.kind
                else {
                    continue;
                };
                let name = c
                    .name
                    .clone()
                    .unwrap_or_else(|| sql::fkey_name(&table.name, columns));
                (columns.clone(), references, name)
            }
            // ADD COLUMN ... DEFAULT <non-null> REFERENCES: every row's default is checked.
            AlterAction::AddColumn { column, .. } => {
                let Some(r) = &column.references else {
                    continue;
                };
                let columns = vec![column.name.to_string()];
                let name = sql::fkey_name(&table.name, &columns);
                (columns, r.as_ref(), name)
            }
            _ => continue,
        };
        let h = cx.work_hazard(w);
        let parent = &references.table;
        let parent_h = cx.hazard(parent, None);
        // Another clause of the statement (ADD COLUMN ...) can hold a stronger lock on the table
        // than the foreign key's own: the validation then runs under that one.
        let message = if parent_h.mode == h.mode || parent.same(table) {
            format!(
                "ADD FOREIGN KEY takes {} locks on {} and on `{parent}`, blocking {} to both, while it checks every row{}",
                h.lock_name(),
                h.described,
                h.blocked(),
                h.for_how_long,
            )
        } else {
            format!(
                "ADD FOREIGN KEY checks every row of {}{} while the statement holds {} on it (blocking {}) and {} on `{parent}` (blocking {})",
                h.described,
                h.for_how_long,
                h.lock_name(),
                h.blocked(),
                parent_h.lock_name(),
                parent_h.blocked(),
            )
        };
        let summary = "Add the constraint without checking existing rows, then validate it in a separate transaction (VALIDATE takes SHARE UPDATE EXCLUSIVE on the table and ROW SHARE on the referenced one: reads and writes go on):";
        let Some(alter) = recipes::AlterText::new(cx, &stmt.span, &actions[0].span) else {
            continue;
        };
        let recipe = match &a.action {
            AlterAction::AddConstraint(_) => {
                let Some(clause) = alter
                    .clause(&a.span)
                    .and_then(|c| recipes::named_clause(c, &name))
                else {
                    continue;
                };
                let Some(first) = alter.replaced(&a.span, &format!("{clause} NOT VALID")) else {
                    continue;
                };
                Recipe::new(summary)
                    .step(Placement::SameMigration, first)
                    .fixable(true)
            }
            AlterAction::AddColumn { column, .. } => {
                let ref_cols = if references.columns.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", sql::ident_list(&references.columns))
                };
                Recipe::new(summary)
                    .step(
                        Placement::SameMigration,
                        alter.action(&recipes::add_column_alone(column)),
                    )
                    .step(
                        Placement::SameMigration,
                        alter.action(&format!(
                            "ADD CONSTRAINT {} FOREIGN KEY ({}) REFERENCES {}{ref_cols} NOT VALID",
                            sql::quote_ident(&name),
                            sql::ident_list(&columns),
                            references.table.sql()
                        )),
                    )
            }
            _ => continue,
        }
        .step(
            Placement::NextMigration,
            alter.action(&format!("VALIDATE CONSTRAINT {}", sql::quote_ident(&name))),
        );
        out.push(
            Finding::new(&RULE, a.span.clone(), message, String::new())
                .recipe(recipe)
                .label("validates every row while writes to both tables wait")
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
            "[tables]\nbig = { rows = 5_000_000 }\nparent = { rows = 1_000 }\n",
            &[sql],
        )
    }

    #[test]
    fn a_referencing_column_with_a_default_validates_every_row() {
        let f = fired("ALTER TABLE big ADD COLUMN p bigint DEFAULT 5 REFERENCES parent (id);");
        assert_eq!(f.len(), 1, "{f:?}");
        assert!(
            f[0].message.contains("checks every row of `big`"),
            "{}",
            f[0].message
        );
        assert!(
            f[0].message.contains("ACCESS EXCLUSIVE on it"),
            "{}",
            f[0].message
        );
        assert!(
            f[0].message.contains("SHARE ROW EXCLUSIVE on `parent`"),
            "{}",
            f[0].message
        );
        assert!(
            f[0].help.contains("ADD COLUMN p bigint DEFAULT 5;\n  ALTER TABLE big ADD CONSTRAINT big_p_fkey FOREIGN KEY (p) REFERENCES parent (id) NOT VALID;"),
            "{}",
            f[0].help
        );
    }

    #[test]
    fn without_a_default_nothing_is_checked() {
        assert!(fired("ALTER TABLE big ADD COLUMN p bigint REFERENCES parent (id);").is_empty());
        assert!(
            fired("ALTER TABLE big ADD COLUMN p bigint DEFAULT NULL REFERENCES parent (id);")
                .is_empty()
        );
    }
}
