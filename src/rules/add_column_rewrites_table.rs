//! add-column-rewrites-table: ADD COLUMN that rewrites the table for a reason other than a volatile
//! default: serial, identity, or a stored generated column.

use super::{Context, Rule};
use crate::analyze::effects::add_column_rewrites;
use crate::config::Level;
use crate::finding::Finding;
use crate::model::stmt::Volatility;
use crate::model::{AlterAction, ColumnDef, LockMode, Stmt, StmtKind, WorkKind};

/// The rule.
pub const RULE: Rule = Rule {
    code: "LL021",
    name: "add-column-rewrites-table",
    default_level: Level::Error,
    summary: "ADD COLUMN with serial, IDENTITY or GENERATED ... STORED rewrites the whole table under ACCESS EXCLUSIVE",
    doc: include_str!("../../rules/add-column-rewrites-table.md"),
    check,
};

/// Whether add-column-volatile-default already reports this column (its default forces the rewrite).
fn reported_as_volatile_default(c: &ColumnDef, postgres_version: u32) -> bool {
    c.default.as_ref().is_some_and(|d| {
        d.volatility == Volatility::Volatile || (postgres_version < 11 && !d.is_null)
    })
}

fn check(stmt: &Stmt, cx: &Context) -> Vec<Finding> {
    let StmtKind::AlterTable { table, actions, .. } = &stmt.kind else {
        return Vec::new();
    };
    if !cx.effects.rewrites(table) {
        return Vec::new();
    }
    let version = cx.settings.postgres_version;
    let mut out = Vec::new();
    for a in actions {
        let AlterAction::AddColumn { column: c, .. } = &a.action else {
            continue;
        };
        if !add_column_rewrites(c, version) || reported_as_volatile_default(c, version) {
            continue;
        }
        let (what, why) = if c.serial {
            (
                format!("`{}` {}", c.name, c.ty.text),
                "fills every existing row from a new sequence (an implicit nextval() default)",
            )
        } else if c.identity {
            (
                format!("`{}` {} GENERATED ... AS IDENTITY", c.name, c.ty.text),
                "assigns an identity value to every existing row",
            )
        } else if c.generated_stored {
            (
                format!(
                    "`{}` {} GENERATED ALWAYS AS (...) STORED",
                    c.name, c.ty.text
                ),
                "computes and stores the value for every existing row",
            )
        } else {
            continue;
        };
        let Some(level) = cx.level_for(table) else {
            continue;
        };
        let message = format!(
            "ADD COLUMN {what} {why}, so it rewrites {} and every index under an ACCESS EXCLUSIVE lock that blocks reads and writes{}",
            cx.describe(table),
            cx.for_how_long(table, WorkKind::Rewrite),
        );
        let help = if c.generated_stored {
            format!(
                "Add a plain column, compute it for new and updated rows with a BEFORE INSERT OR UPDATE trigger, and backfill existing rows in batches outside this transaction:\n  ALTER TABLE {table} ADD COLUMN {} {};\n  -- trigger: NEW.{} := <expression>;\n  UPDATE {table} SET {} = <expression> WHERE <key range>;",
                c.name, c.ty.text, c.name, c.name
            )
        } else {
            let ty = match c.ty.name.as_str() {
                "int2" => "smallint",
                "int4" => "integer",
                "int8" => "bigint",
                _ => c.ty.text.as_str(),
            };
            let seq = format!("{}_{}_seq", table.name, c.name);
            format!(
                "Add a nullable column, give new rows values from a sequence, and backfill existing rows in batches outside this transaction:\n  ALTER TABLE {table} ADD COLUMN {} {ty};\n  CREATE SEQUENCE {seq} OWNED BY {table}.{};\n  ALTER TABLE {table} ALTER COLUMN {} SET DEFAULT nextval('{seq}');\n  UPDATE {table} SET {} = nextval('{seq}') WHERE {} IS NULL AND <key range>;",
                c.name, c.name, c.name, c.name, c.name
            )
        };
        out.push(
            Finding::new(&RULE, level, a.span.clone(), message, help)
                .label("rewrites the table")
                .lock(table, LockMode::AccessExclusive)
                .estimate(cx.estimate(table, WorkKind::Rewrite)),
        );
    }
    out
}
