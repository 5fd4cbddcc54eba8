//! create-index-non-concurrently: CREATE INDEX without CONCURRENTLY on an existing table.

use super::{Context, Rule};
use crate::config::Level;
use crate::finding::Finding;
use crate::model::{LockMode, Stmt, StmtKind, WorkKind};

/// The rule.
pub const RULE: Rule = Rule {
    code: "LL001",
    name: "create-index-non-concurrently",
    default_level: Level::Error,
    summary: "CREATE INDEX without CONCURRENTLY holds a SHARE lock that blocks writes for the whole build",
    doc: include_str!("../../rules/create-index-non-concurrently.md"),
    check,
};

fn check(stmt: &Stmt, cx: &Context) -> Vec<Finding> {
    // `ON ONLY` creates the partitioned table's own (invalid) index: it reads nothing.
    let StmtKind::CreateIndex {
        table,
        concurrently: false,
        only: false,
        unique,
        name,
        ..
    } = &stmt.kind
    else {
        return Vec::new();
    };
    let Some(level) = cx.level_for(table) else {
        return Vec::new();
    };
    let unique_kw = if *unique { "UNIQUE " } else { "" };
    let idx = name
        .as_ref()
        .map(|n| n.to_string())
        .unwrap_or_else(|| "idx".into());
    let message = format!(
        "CREATE {unique_kw}INDEX holds a SHARE lock on {} that blocks writes (INSERT, UPDATE, DELETE) while it reads every row{}",
        cx.describe(table),
        cx.for_how_long(table, WorkKind::IndexBuild),
    );
    let help = format!(
        "Build the index without blocking writes, outside a transaction block:\n  CREATE {unique_kw}INDEX CONCURRENTLY {idx} ON {table} (...);\nIf it fails it leaves an INVALID index: DROP INDEX CONCURRENTLY {idx}; and retry."
    );
    vec![
        Finding::new(&RULE, level, stmt.span.clone(), message, help)
            .label("blocks writes for the whole build")
            .lock(table, LockMode::Share)
            .estimate(cx.estimate(table, WorkKind::IndexBuild)),
    ]
}
