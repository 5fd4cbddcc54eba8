//! add-foreign-key-validated: ADD FOREIGN KEY without NOT VALID on an existing table.

use super::{Context, Rule};
use crate::config::Level;
use crate::finding::Finding;
use crate::model::{AlterAction, ConstraintKind, LockMode, Stmt, StmtKind, WorkKind};

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
    for a in actions {
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
        if c.not_valid {
            continue;
        }
        let Some(level) = cx.level_for(table) else {
            continue;
        };
        let parent = &references.table;
        let name = c
            .name
            .clone()
            .unwrap_or_else(|| format!("{}_{}_fkey", table.name, columns.join("_")));
        let message = format!(
            "ADD FOREIGN KEY takes SHARE ROW EXCLUSIVE locks on {} and on `{parent}`, blocking writes to both, while it checks every row{}",
            cx.describe(table),
            cx.for_how_long(table, WorkKind::Validate),
        );
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
            Finding::new(&RULE, level, a.span.clone(), message, help)
                .label("validates every row while writes to both tables wait")
                .lock(table, LockMode::ShareRowExclusive)
                .estimate(cx.estimate(table, WorkKind::Validate)),
        );
    }
    out
}
