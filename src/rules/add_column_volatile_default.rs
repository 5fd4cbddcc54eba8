//! add-column-volatile-default: ADD COLUMN whose default must be computed per row, rewriting the table.

use super::{Context, Rule};
use crate::config::Level;
use crate::finding::Finding;
use crate::model::stmt::Volatility;
use crate::model::{AlterAction, LockMode, Stmt, StmtKind, WorkKind};

/// The rule.
pub const RULE: Rule = Rule {
    code: "LL003",
    name: "add-column-volatile-default",
    default_level: Level::Error,
    summary: "ADD COLUMN with a volatile default rewrites the whole table under ACCESS EXCLUSIVE",
    doc: include_str!("../../rules/add-column-volatile-default.md"),
    check,
};

fn check(stmt: &Stmt, cx: &Context) -> Vec<Finding> {
    let StmtKind::AlterTable { table, actions, .. } = &stmt.kind else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for a in actions {
        let AlterAction::AddColumn { column, .. } = &a.action else {
            continue;
        };
        let Some(default) = &column.default else {
            continue;
        };
        let old_server = cx.settings.postgres_version < 11 && !default.is_null;
        if default.volatility != Volatility::Volatile && !old_server {
            continue;
        }
        let Some(level) = cx.level_for(table) else {
            continue;
        };
        let why = match (&default.volatile_fn, old_server) {
            (_, true) => format!(
                "before PostgreSQL 11 any non-null default (`{}`)",
                default.text
            ),
            (Some(f), _) => format!(
                "the volatile default `{}` ({f} gives each row its own value)",
                default.text
            ),
            (None, _) => format!("the volatile default `{}`", default.text),
        };
        let message = format!(
            "ADD COLUMN `{}` with {why} rewrites {} and every index under an ACCESS EXCLUSIVE lock that blocks reads and writes{}",
            column.name,
            cx.describe(table),
            cx.for_how_long(table, WorkKind::Rewrite),
        );
        let help = format!(
            "Add the column without the default, set the default for new rows, then backfill existing rows in batches:\n  ALTER TABLE {table} ADD COLUMN {} {};\n  ALTER TABLE {table} ALTER COLUMN {} SET DEFAULT {};\n  -- backfill in batches, outside this transaction:\n  UPDATE {table} SET {} = {} WHERE <key range>;",
            column.name, column.ty.text, column.name, default.text, column.name, default.text
        );
        out.push(
            Finding::new(&RULE, level, a.span.clone(), message, help)
                .label("rewrites the table")
                .lock(table, LockMode::AccessExclusive)
                .estimate(cx.estimate(table, WorkKind::Rewrite)),
        );
    }
    out
}
