//! create-index-non-concurrently: CREATE INDEX without CONCURRENTLY on an existing table.

use super::recipes;
use super::{Context, Rule};
use crate::config::Level;
use crate::finding::{Finding, Recipe};
use crate::locks::Action;
use crate::model::{ObjName, Stmt, StmtKind, sql};

/// The rule.
pub(crate) const RULE: Rule = Rule {
    code: "LL001",
    name: "create-index-non-concurrently",
    default_level: Level::Error,
    summary: "CREATE INDEX without CONCURRENTLY holds a SHARE lock that blocks writes for the whole build",
    doc: include_str!("../../rules/create-index-non-concurrently.md"),
    check,
    part_end: None,
};

fn check(stmt: &Stmt, cx: &Context) -> Vec<Finding> {
    let StmtKind::CreateIndex {
        table,
        unique,
        name,
        columns,
        ..
    } = &stmt.kind
    else {
        return Vec::new();
    };
    // The build on the named table (`ON ONLY` and CONCURRENTLY are other actions).
    let Some(w) = cx
        .effects
        .direct_work()
        .find(|w| w.cause.action == Action::CreateIndex && w.rel.same(table))
    else {
        return Vec::new();
    };
    let h = cx.work_hazard(w);
    let unique_kw = if *unique { "UNIQUE " } else { "" };
    let message = format!(
        "CREATE {unique_kw}INDEX holds {} on {} that blocks {} (INSERT, UPDATE, DELETE) while it reads every row{}",
        h.a_lock(),
        h.described,
        h.blocked(),
        h.for_how_long,
    );
    let f = Finding::new(&RULE, stmt.span.clone(), message, String::new())
        .label("blocks writes for the whole build")
        .hazard(&h);
    match recipe(stmt, cx, table, name.as_ref(), columns) {
        Some(r) => vec![f.recipe(r)],
        None => vec![Finding {
            help: format!(
                "Build the index without blocking writes: add CONCURRENTLY after CREATE {unique_kw}INDEX, outside a transaction block."
            ),
            ..f
        }],
    }
}

/// The statement as written with CONCURRENTLY added (and the name PostgreSQL would choose,
/// when it has none, so that a failed build can be dropped by name).
fn recipe(
    stmt: &Stmt,
    cx: &Context,
    table: &ObjName,
    name: Option<&ObjName>,
    columns: &[String],
) -> Option<Recipe> {
    let text = recipes::stmt_sql(cx, &stmt.span);
    let at = recipes::after_words(text, &["CREATE", "INDEX"], &["UNIQUE"])?;
    let (named, index) = match name {
        Some(n) => (String::new(), n.clone()),
        None if columns.is_empty() => return None,
        None => {
            let generated = ObjName {
                schema: table.schema.clone(),
                name: sql::index_name(&table.name, columns, "idx"),
            };
            (format!(" {}", sql::quote_ident(&generated.name)), generated)
        }
    };
    let sql = format!("{} CONCURRENTLY{named}{};", &text[..at], &text[at..]);
    let placement = recipes::outside_txn(cx);
    Some(
        Recipe::new("Build the index without blocking writes (SHARE UPDATE EXCLUSIVE: reads and writes go on):")
            .step(placement, sql)
            .after(format!(
                "If the build fails it leaves an INVALID index; drop it before retrying:\n  DROP INDEX CONCURRENTLY IF EXISTS {};",
                index.sql()
            ))
            .fixable(!cx.txn.explicit),
    )
}
