//! add-foreign-key-validated: ADD FOREIGN KEY without NOT VALID on an existing table.

use super::{Context, Rule};
use crate::config::Level;
use crate::finding::Finding;
use crate::locks::Action;
use crate::model::{AlterAction, ConstraintKind, Stmt, StmtKind};

/// The rule.
pub const RULE: Rule = Rule {
    code: "LL002",
    name: "add-foreign-key-validated",
    default_level: Level::Error,
    summary: "ADD FOREIGN KEY without NOT VALID blocks writes on both tables while every row is checked",
    doc: include_str!("../../rules/add-foreign-key-validated.md"),
    check,
};

fn check(stmt: &Stmt, cx: &Context) -> Vec<Finding> {
    let StmtKind::AlterTable { table, actions, .. } = &stmt.kind else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for w in cx
        .effects
        .direct_work()
        .filter(|w| w.cause.action == Action::AddForeignKey)
    {
        let Some(a) = actions.get(usize::from(w.cause.clause)) else {
            continue;
        };
        let AlterAction::AddConstraint(c) = &a.action else {
            continue;
        };
        let ConstraintKind::ForeignKey {
            columns,
            references,
        } = &c.kind
        else {
            continue;
        };
        let h = cx.work_hazard(w);
        let parent = &references.table;
        let name = c
            .name
            .clone()
            .unwrap_or_else(|| format!("{}_{}_fkey", table.name, columns.join("_")));
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
        let ref_cols = if references.columns.is_empty() {
            String::new()
        } else {
            format!(" ({})", references.columns.join(", "))
        };
        let help = format!(
            "Add the constraint without checking existing rows, then validate it in a separate transaction (VALIDATE takes only SHARE UPDATE EXCLUSIVE, which does not block reads or writes):\n  ALTER TABLE {table} ADD CONSTRAINT {name} FOREIGN KEY ({}) REFERENCES {parent}{ref_cols} NOT VALID;\n  -- next migration / transaction:\n  ALTER TABLE {table} VALIDATE CONSTRAINT {name};",
            columns.join(", ")
        );
        out.push(
            Finding::new(&RULE, a.span.clone(), message, help)
                .label("validates every row while writes to both tables wait")
                .hazard(&h),
        );
    }
    out
}
