//! add-column-volatile-default: ADD COLUMN whose default must be computed per row, rewriting the table.

use super::{Context, Rule};
use crate::config::Level;
use crate::finding::Finding;
use crate::locks::Action;
use crate::model::{AlterAction, Stmt, StmtKind};

/// The rule.
pub(crate) const RULE: Rule = Rule {
    code: "LL003",
    name: "add-column-volatile-default",
    default_level: Level::Error,
    summary: "ADD COLUMN with a volatile default rewrites the whole table under ACCESS EXCLUSIVE",
    doc: include_str!("../../rules/add-column-volatile-default.md"),
    check,
    part_end: None,
};

fn check(stmt: &Stmt, cx: &Context) -> Vec<Finding> {
    let StmtKind::AlterTable { table, actions, .. } = &stmt.kind else {
        return Vec::new();
    };
    let mut out = Vec::new();
    // A non-volatile default rewrites only where the model says so (before PostgreSQL 11).
    let rewrites = cx.effects.direct_work().filter(|w| {
        matches!(
            w.cause.action,
            Action::AddColumnVolatileDefault | Action::AddColumnDefault
        )
    });
    for w in rewrites {
        let Some(a) = actions.get(usize::from(w.cause.clause)) else {
            continue;
        };
        let AlterAction::AddColumn { column, .. } = &a.action else {
            continue;
        };
        let Some(default) = &column.default else {
            continue;
        };
        let old_server = w.cause.action == Action::AddColumnDefault;
        let h = cx.work_hazard(w);
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
            "ADD COLUMN `{}` with {why} rewrites {} and every index under {}{}",
            column.name,
            h.described,
            h.lock_that_blocks(),
            h.for_how_long,
        );
        let table = table.sql();
        let help = format!(
            "Add the column without the default, set the default for new rows, then backfill existing rows in batches:\n  ALTER TABLE {table} ADD COLUMN {} {};\n  ALTER TABLE {table} ALTER COLUMN {} SET DEFAULT {};\nThen backfill in batches, outside this transaction:\n  UPDATE {table} SET {} = {} WHERE id >= 1 AND id < 10001;  -- batches by key (here `id`), COMMIT between them",
            crate::model::sql::quote_ident(&column.name),
            column.ty.text,
            crate::model::sql::quote_ident(&column.name),
            default.text,
            crate::model::sql::quote_ident(&column.name),
            default.text
        );
        out.push(
            Finding::new(&RULE, a.span.clone(), message, help)
                .label("rewrites the table")
                .hazard(&h),
        );
    }
    out
}
