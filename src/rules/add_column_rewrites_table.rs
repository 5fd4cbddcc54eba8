//! add-column-rewrites-table: ADD COLUMN that rewrites the table for a reason other than a volatile
//! default: serial, identity, or a stored generated column.

use super::{Context, Rule};
use crate::config::Level;
use crate::finding::Finding;
use crate::locks::Action;
use crate::model::{AlterAction, Stmt, StmtKind};

/// The rule.
pub(crate) const RULE: Rule = Rule {
    code: "LL021",
    name: "add-column-rewrites-table",
    default_level: Level::Error,
    summary: "ADD COLUMN with serial, IDENTITY or GENERATED ... STORED rewrites the whole table under ACCESS EXCLUSIVE",
    doc: include_str!("../../rules/add-column-rewrites-table.md"),
    check,
    part_end: None,
};

fn check(stmt: &Stmt, cx: &Context) -> Vec<Finding> {
    let StmtKind::AlterTable { table, actions, .. } = &stmt.kind else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let rewrites = cx
        .effects
        .direct_work()
        .filter(|w| w.cause.action == Action::AddColumnGenerated);
    for w in rewrites {
        let Some(a) = actions.get(usize::from(w.cause.clause)) else {
            continue;
        };
        let AlterAction::AddColumn { column: c, .. } = &a.action else {
            continue;
        };
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
        let h = cx.work_hazard(w);
        let message = format!(
            "ADD COLUMN {what} {why}, so it rewrites {} and every index under {}{}",
            h.described,
            h.lock_that_blocks(),
            h.for_how_long,
        );
        let help = if c.generated_stored {
            format!(
                "Add a plain column, compute it for new and updated rows with a BEFORE INSERT OR UPDATE trigger, and backfill existing rows in batches outside this transaction:\n  ALTER TABLE {table} ADD COLUMN {} {};\nThe trigger sets NEW.{} from the generation expression, and the backfill sets it the same way, in batches by key, each in its own short transaction.",
                c.name, c.ty.text, c.name
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
                "Add a nullable column, give new rows values from a sequence, and backfill existing rows in batches outside this transaction:\n  ALTER TABLE {table} ADD COLUMN {} {ty};\n  CREATE SEQUENCE {seq} OWNED BY {table}.{};\n  ALTER TABLE {table} ALTER COLUMN {} SET DEFAULT nextval('{seq}');\n  UPDATE {table} SET {} = nextval('{seq}') WHERE {} IS NULL AND id >= 1 AND id < 10001;  -- batches by key (here `id`), COMMIT between them",
                c.name, c.name, c.name, c.name, c.name
            )
        };
        out.push(
            Finding::new(&RULE, a.span.clone(), message, help)
                .label("rewrites the table")
                .hazard(&h),
        );
    }
    out
}
