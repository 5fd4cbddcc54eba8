//! create-index-non-concurrently: CREATE INDEX without CONCURRENTLY on an existing table.

use super::{Context, Rule};
use crate::config::Level;
use crate::finding::Finding;
use crate::locks::Action;
use crate::model::{Stmt, StmtKind};

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
    let idx = name
        .as_ref()
        .map(|n| n.to_string())
        .unwrap_or_else(|| "idx".into());
    let message = format!(
        "CREATE {unique_kw}INDEX holds {} on {} that blocks {} (INSERT, UPDATE, DELETE) while it reads every row{}",
        h.a_lock(),
        h.described,
        h.blocked(),
        h.for_how_long,
    );
    let help = format!(
        "Build the index without blocking writes, outside a transaction block:\n  CREATE {unique_kw}INDEX CONCURRENTLY {idx} ON {table} (...);\nIf it fails it leaves an INVALID index: DROP INDEX CONCURRENTLY {idx}; and retry."
    );
    vec![
        Finding::new(&RULE, stmt.span.clone(), message, help)
            .label("blocks writes for the whole build")
            .hazard(&h),
    ]
}
