//! reindex-non-concurrently: REINDEX TABLE / INDEX / SCHEMA / DATABASE / SYSTEM without
//! CONCURRENTLY.

use super::recipes;
use super::{Context, Rule};
use crate::config::Level;
use crate::finding::{Finding, Placement, Recipe};
use crate::locks::Action;
use crate::model::{Blocks, ObjName, ReindexTarget, Stmt, StmtKind, WorkKind, sql};

/// The rule.
pub(crate) const RULE: Rule = Rule {
    code: "LL011",
    name: "reindex-non-concurrently",
    default_level: Level::Error,
    summary: "REINDEX without CONCURRENTLY blocks writes (SHARE on the table) and reads (ACCESS EXCLUSIVE on the indexes) for the whole rebuild",
    doc: include_str!("../../rules/reindex-non-concurrently.md"),
    check,
    part_end: None,
};

fn check(stmt: &Stmt, cx: &Context) -> Vec<Finding> {
    let StmtKind::Reindex {
        target,
        name,
        concurrently: false,
    } = &stmt.kind
    else {
        return Vec::new();
    };
    if target.is_many() {
        return many(stmt, cx, *target, name.as_ref());
    }
    let Some(name) = name else {
        return Vec::new();
    };
    let (table, what) = match target {
        ReindexTarget::Table => (Some(name.clone()), "every index".to_string()),
        ReindexTarget::Index => (
            cx.catalog.index(name).map(|i| i.table.clone()),
            format!("the index `{name}`"),
        ),
        _ => return Vec::new(),
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
    let recipe = recipe(stmt, cx, kw, name, table.as_ref());
    let f = Finding::new(&RULE, stmt.span.clone(), message, String::new())
        .recipe(recipe)
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

/// REINDEX INDEX / TABLE: the concurrent form (PostgreSQL 12+), or before 12 a copy of each
/// index built concurrently and swapped in.
fn recipe(stmt: &Stmt, cx: &Context, kw: &str, name: &ObjName, table: Option<&ObjName>) -> Recipe {
    if cx.settings.postgres_version >= 12 {
        let text = recipes::stmt_sql(cx, &stmt.span);
        // Written without options: CONCURRENTLY goes after INDEX / TABLE, the rest as written.
        let sql = match recipes::after_words(text, &["REINDEX", kw], &[]) {
            Some(at) => format!("{} CONCURRENTLY{};", &text[..at], &text[at..]),
            None => format!("REINDEX {kw} CONCURRENTLY {};", name.sql()),
        };
        let as_written = recipes::after_words(text, &["REINDEX", kw], &[]).is_some();
        return Recipe::new(
            "Rebuild without blocking reads or writes (PostgreSQL 12+; SHARE UPDATE EXCLUSIVE on the table):",
        )
        .step(recipes::outside_txn(cx), sql)
        .after("If it fails it leaves INVALID `*_ccnew` indexes behind: drop them with DROP INDEX CONCURRENTLY and retry.")
        .fixable(as_written && !cx.txn.explicit);
    }
    let literal = |n: &ObjName| format!("'{}'", n.sql().replace('\'', "''"));
    let r = Recipe::new(
        "Before PostgreSQL 12 there is no REINDEX CONCURRENTLY: build a copy of each index concurrently and swap it in.",
    );
    if kw == "INDEX" {
        let new = ObjName {
            schema: None,
            name: sql::object_name(&name.name, None, "new"),
        };
        r.step_noted(
            Placement::SameMigration,
            "Read the index's definition:",
            format!("SELECT pg_get_indexdef({}::regclass);", literal(name)),
        )
        .step_noted(
            recipes::outside_txn(cx),
            format!(
                "Run that definition as CREATE INDEX CONCURRENTLY {}, then swap it in:",
                new.sql()
            ),
            format!(
                "DROP INDEX CONCURRENTLY {};\nALTER INDEX {} RENAME TO {};",
                name.sql(),
                ObjName {
                    schema: name.schema.clone(),
                    name: new.name.clone()
                }
                .sql(),
                sql::quote_ident(&name.name)
            ),
        )
    } else {
        let t = table.unwrap_or(name);
        r.step_noted(
            Placement::SameMigration,
            "Read the definitions of the table's indexes:",
            format!(
                "SELECT indexrelid::regclass, pg_get_indexdef(indexrelid) FROM pg_index WHERE indrelid = {}::regclass;",
                literal(t)
            ),
        )
        .after("For each: run its definition as CREATE INDEX CONCURRENTLY under a new name, DROP INDEX CONCURRENTLY the old one, and ALTER INDEX to rename the new one.")
    }
}

/// REINDEX SCHEMA / DATABASE / SYSTEM: every table in turn, each in its own transaction.
fn many(stmt: &Stmt, cx: &Context, target: ReindexTarget, name: Option<&ObjName>) -> Vec<Finding> {
    let (what, action) = match (target, name) {
        (ReindexTarget::Schema, Some(n)) => (format!("REINDEX SCHEMA {n}"), Action::ReindexMany),
        (ReindexTarget::Database, Some(n)) => {
            (format!("REINDEX DATABASE {n}"), Action::ReindexMany)
        }
        (ReindexTarget::Database, None) => ("REINDEX DATABASE".into(), Action::ReindexMany),
        (ReindexTarget::System, _) => ("REINDEX SYSTEM".into(), Action::ReindexSystem),
        _ => return Vec::new(),
    };
    // The largest table the catalog knows there weighs the finding; none known: unknown size.
    let tables: Vec<&ObjName> = cx
        .effects
        .direct_work()
        .filter(|w| w.cause.action == action)
        .map(|w| &w.rel)
        .collect();
    let biggest = tables
        .iter()
        .map(|t| cx.hazard(t, Some(WorkKind::IndexBuild)))
        .max_by_key(|h| match h.size {
            crate::analyze::size::Size::New => 0,
            crate::analyze::size::Size::Small(n) => n,
            crate::analyze::size::Size::Large(n) => n.unwrap_or(u64::MAX),
        });
    let scope = match target {
        ReindexTarget::System => "every system catalog".to_string(),
        _ if tables.is_empty() => {
            "every table there (none known to locklint: assumed large)".into()
        }
        _ => format!(
            "{} table{} ({})",
            tables.len(),
            if tables.len() == 1 { "" } else { "s" },
            biggest
                .as_ref()
                .map(|h| format!("the largest {}", h.described))
                .unwrap_or_default()
        ),
    };
    let mode = cx.model_lock(Action::ReindexMany);
    let message = format!(
        "{what} rebuilds the indexes of {scope}, one table at a time: each table in turn holds a {} lock, blocking {}, and an ACCESS EXCLUSIVE lock on its indexes, which blocks every SELECT that plans against it, while its indexes are rebuilt from every row",
        mode.map(|m| m.sql_name()).unwrap_or(""),
        mode.map(|m| m.blocks().describe()).unwrap_or_default(),
    );
    let help = if target == ReindexTarget::System {
        "REINDEX SYSTEM has no concurrent form: run it in a maintenance window, not in a migration."
            .to_string()
    } else if cx.settings.postgres_version >= 12 {
        let kw = if target == ReindexTarget::Schema {
            "SCHEMA"
        } else {
            "DATABASE"
        };
        let n = name.map(|n| format!(" {}", n.sql())).unwrap_or_default();
        format!(
            "Rebuild without blocking reads or writes (PostgreSQL 12+), outside a transaction block (system catalogs are skipped):\n  REINDEX {kw} CONCURRENTLY{n};\nIf it fails it leaves INVALID `*_ccnew` indexes behind: drop them with DROP INDEX CONCURRENTLY and retry."
        )
    } else {
        "Before PostgreSQL 12 there is no REINDEX CONCURRENTLY: rebuild each index with CREATE INDEX CONCURRENTLY, DROP INDEX CONCURRENTLY the old one and rename the new one.".to_string()
    };
    let f = Finding::new(&RULE, stmt.span.clone(), message, help)
        .label("reads and writes of each table wait for its rebuild");
    let mut f = match &biggest {
        Some(h) => f.hazard(h),
        None => f.unknown_relation(cx, Action::ReindexMany),
    };
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
    fn concurrent_forms_are_not_flagged() {
        for sql in [
            "REINDEX TABLE CONCURRENTLY big;",
            "REINDEX (VERBOSE) INDEX CONCURRENTLY big_a_idx;",
            "REINDEX (CONCURRENTLY) TABLE big;",
            "REINDEX (VERBOSE, CONCURRENTLY true) INDEX big_a_idx;",
            "REINDEX (CONCURRENTLY) SCHEMA public;",
            "REINDEX SCHEMA CONCURRENTLY public;",
        ] {
            assert!(fired(SIZES, &[CREATE, sql]).is_empty(), "{sql}");
        }
    }

    #[test]
    fn concurrently_false_is_not_concurrent() {
        let f = fired(SIZES, &[CREATE, "REINDEX (CONCURRENTLY false) TABLE big;"]);
        assert_eq!(f.len(), 1, "{f:?}");
        let f = fired(
            SIZES,
            &[
                CREATE,
                "REINDEX (CONCURRENTLY off, VERBOSE) INDEX big_a_idx;",
            ],
        );
        assert_eq!(f.len(), 1, "{f:?}");
    }

    #[test]
    fn schema_and_database_wide_forms_rebuild_every_table() {
        let f = fired(SIZES, &[CREATE, "REINDEX SCHEMA public;"]);
        assert_eq!(f.len(), 1, "{f:?}");
        assert!(f[0].message.contains("2 tables"), "{}", f[0].message);
        assert!(
            f[0].message.contains("`big` (~5M rows)"),
            "{}",
            f[0].message
        );
        assert!(f[0].help.contains("REINDEX SCHEMA CONCURRENTLY public;"));
        assert_eq!(fired(SIZES, &[CREATE, "REINDEX DATABASE app;"]).len(), 1);
        // Only small tables there: silent, like REINDEX TABLE tiny.
        let small = "[tables]\nbig = { rows = 5 }\ntiny = { rows = 10 }\n";
        assert!(fired(small, &[CREATE, "REINDEX SCHEMA public;"]).is_empty());
        // A schema locklint knows nothing of: assumed large.
        let f = fired(SIZES, &[CREATE, "REINDEX SCHEMA other;"]);
        assert_eq!(f.len(), 1, "{f:?}");
        assert!(f[0].message.contains("assumed large"), "{}", f[0].message);
        assert_eq!(fired(SIZES, &[CREATE, "REINDEX SYSTEM;"]).len(), 1);
    }

    #[test]
    fn before_12_the_help_swaps_in_a_new_index() {
        let toml = format!("postgres_version = 11\n{SIZES}");
        let f = fired(&toml, &[CREATE, "REINDEX INDEX big_a_idx;"]);
        assert_eq!(f.len(), 1);
        assert!(
            f[0].help
                .contains("SELECT pg_get_indexdef('big_a_idx'::regclass);"),
            "{}",
            f[0].help
        );
        assert!(
            f[0].help
                .contains("DROP INDEX CONCURRENTLY big_a_idx;\n  ALTER INDEX big_a_idx_new RENAME TO big_a_idx;"),
            "{}",
            f[0].help
        );
        assert!(!f[0].help.contains("REINDEX INDEX CONCURRENTLY"));
    }
}
