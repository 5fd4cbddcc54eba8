//! reindex-non-concurrently: REINDEX TABLE / REINDEX INDEX without CONCURRENTLY.

use super::{Context, Rule};
use crate::config::Level;
use crate::finding::Finding;
use crate::locks::Action;
use crate::model::{Blocks, ReindexTarget, Stmt, StmtKind, WorkKind};

/// The rule.
pub const RULE: Rule = Rule {
    code: "LL011",
    name: "reindex-non-concurrently",
    default_level: Level::Error,
    summary: "REINDEX without CONCURRENTLY blocks writes (SHARE on the table) and reads (ACCESS EXCLUSIVE on the indexes) for the whole rebuild",
    doc: include_str!("../../rules/reindex-non-concurrently.md"),
    check,
};

fn check(stmt: &Stmt, cx: &Context) -> Vec<Finding> {
    let StmtKind::Reindex {
        target,
        name: Some(name),
        concurrently: false,
    } = &stmt.kind
    else {
        return Vec::new();
    };
    let (table, what) = match target {
        ReindexTarget::Table => (Some(name.clone()), "every index".to_string()),
        ReindexTarget::Index => (
            cx.catalog.index(name).map(|i| i.table.clone()),
            format!("the index `{name}`"),
        ),
        ReindexTarget::Other => return Vec::new(),
    };
    let hazard = table
        .as_ref()
        .map(|t| cx.hazard(t, Some(WorkKind::IndexBuild)));
    let (on, lock, blocked) = match &hazard {
        Some(h) => (h.described.clone(), h.a_lock(), h.blocked()),
        None => {
            let mode = cx.model_lock(Action::Reindex);
            (
                format!(
                    "the table of `{name}` (not known to locklint: no size hint, assumed large)"
                ),
                format!("a {} lock", mode.map(|m| m.sql_name()).unwrap_or("")),
                mode.map(|m| m.blocks().describe()).unwrap_or_default(),
            )
        }
    };
    let how_long = match (&hazard, target) {
        (Some(h), ReindexTarget::Index) => h.for_how_long.clone(),
        (Some(h), _) if h.for_how_long.is_empty() => String::new(),
        (Some(h), _) => format!("{} per index", h.for_how_long),
        (None, _) => String::new(),
    };
    let message = format!(
        "REINDEX takes {lock} on {on}, blocking {blocked}, and an ACCESS EXCLUSIVE lock on {what}, which blocks every SELECT that plans against the table, while it rebuilds from every row{how_long}"
    );
    let kw = match target {
        ReindexTarget::Index => "INDEX",
        _ => "TABLE",
    };
    let help = if cx.settings.postgres_version >= 12 {
        format!(
            "Rebuild without blocking reads or writes (PostgreSQL 12+), outside a transaction block:\n  REINDEX {kw} CONCURRENTLY {name};\nIf it fails it leaves INVALID `*_ccnew` indexes behind: drop them with DROP INDEX CONCURRENTLY and retry."
        )
    } else {
        let (index, on) = match (target, &table) {
            (ReindexTarget::Index, Some(t)) => (name.to_string(), t.to_string()),
            (ReindexTarget::Index, None) => (name.to_string(), "<table>".to_string()),
            _ => ("<index>".to_string(), name.to_string()),
        };
        format!(
            "Before PostgreSQL 12 there is no REINDEX CONCURRENTLY: build a replacement for each index and swap it in, outside a transaction block:\n  CREATE INDEX CONCURRENTLY {index}_new ON {on} (...);\n  DROP INDEX CONCURRENTLY {index};\n  ALTER INDEX {index}_new RENAME TO {index};"
        )
    };
    let f = Finding::new(&RULE, stmt.span.clone(), message, help)
        .label("reads and writes wait for the rebuild");
    let mut f = match &hazard {
        Some(h) => f.hazard(h),
        None => f.unknown_relation(cx, Action::Reindex),
    };
    // SHARE alone lets reads through, but the ACCESS EXCLUSIVE on the indexes stops them (observed).
    f.blocks = Some(Blocks {
        reads: true,
        writes: true,
        ddl: true,
    });
    vec![f]
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{self, Fired};

    fn fired(toml: &str, files: &[&str]) -> Vec<Fired> {
        testing::fired(super::RULE.name, toml, files)
    }

    const CREATE: &str = "CREATE TABLE big (id bigint, a int);
        CREATE TABLE tiny (id bigint, a int);
        CREATE INDEX big_a_idx ON big (a);
        CREATE INDEX tiny_a_idx ON tiny (a);";
    const SIZES: &str = "[tables]\nbig = { rows = 5_000_000 }\ntiny = { rows = 10 }\n";

    #[test]
    fn reindex_index_finds_the_table() {
        let f = fired(SIZES, &[CREATE, "REINDEX INDEX big_a_idx;"]);
        assert_eq!(f.len(), 1, "{f:?}");
        assert!(f[0].message.contains("SHARE lock on `big`"));
        assert!(
            f[0].message
                .contains("ACCESS EXCLUSIVE lock on the index `big_a_idx`")
        );
        assert!(fired(SIZES, &[CREATE, "REINDEX INDEX tiny_a_idx;"]).is_empty());
        assert!(fired(SIZES, &[CREATE, "REINDEX TABLE tiny;"]).is_empty());
    }

    #[test]
    fn concurrently_and_schema_wide_forms_are_not_flagged() {
        for sql in [
            "REINDEX TABLE CONCURRENTLY big;",
            "REINDEX (VERBOSE) INDEX CONCURRENTLY big_a_idx;",
            "REINDEX SCHEMA public;",
        ] {
            assert!(fired(SIZES, &[CREATE, sql]).is_empty(), "{sql}");
        }
    }

    #[test]
    fn before_12_the_help_swaps_in_a_new_index() {
        let toml = format!("postgres_version = 11\n{SIZES}");
        let f = fired(&toml, &[CREATE, "REINDEX INDEX big_a_idx;"]);
        assert_eq!(f.len(), 1);
        assert!(
            f[0].help
                .contains("CREATE INDEX CONCURRENTLY big_a_idx_new ON big")
        );
        assert!(!f[0].help.contains("REINDEX INDEX CONCURRENTLY"));
    }
}
