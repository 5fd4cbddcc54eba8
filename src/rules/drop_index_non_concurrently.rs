//! drop-index-non-concurrently: DROP INDEX without CONCURRENTLY on an existing table's index.

use super::recipes;
use super::{Context, Rule};
use crate::config::Level;
use crate::finding::{Finding, Recipe};
use crate::locks::Action;
use crate::model::{Stmt, StmtKind};

/// The rule.
pub(crate) const RULE: Rule = Rule {
    code: "LL010",
    name: "drop-index-non-concurrently",
    default_level: Level::Error,
    summary: "DROP INDEX without CONCURRENTLY takes ACCESS EXCLUSIVE on the table, blocking reads and writes while it waits",
    doc: include_str!("../../rules/drop-index-non-concurrently.md"),
    check,
    part_end: None,
};

fn check(stmt: &Stmt, cx: &Context) -> Vec<Finding> {
    let StmtKind::DropIndex {
        names,
        concurrently: false,
        if_exists,
    } = &stmt.kind
    else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for index in names {
        // An index built earlier in this migration has never been used by the application.
        if cx.catalog.index_is_new(index) {
            continue;
        }
        let table = cx.catalog.index(index).map(|i| i.table.clone());
        let hazard = table.as_ref().map(|t| cx.hazard(t, None));
        let (on, lock, blocked) = match &hazard {
            Some(h) => (h.described.clone(), h.a_lock(), h.blocked()),
            // Unknown index (created outside the replayed migrations): its table's size is unknown.
            None => {
                let mode = cx.model_lock(Action::DropIndex);
                (
                    "its table (not known to locklint: no size hint, assumed large)".to_string(),
                    format!("an {} lock", mode.map(|m| m.sql_name()).unwrap_or("")),
                    mode.map(|m| m.blocks().describe()).unwrap_or_default(),
                )
            }
        };
        let message = format!(
            "DROP INDEX `{index}` takes {lock} on {on}, blocking {blocked} until commit; the drop itself is quick, but the lock waits behind every open transaction on the table and all queries queue behind it"
        );
        let if_exists = if *if_exists { "IF EXISTS " } else { "" };
        // DROP INDEX CONCURRENTLY takes one index and no CASCADE.
        let cascade = recipes::stmt_sql(cx, &stmt.span)
            .to_ascii_uppercase()
            .ends_with("CASCADE");
        let recipe = Recipe::new(
            "Drop the index without blocking reads or writes (SHARE UPDATE EXCLUSIVE on the table):",
        )
        .step(
            recipes::outside_txn(cx),
            format!("DROP INDEX CONCURRENTLY {if_exists}{};", index.sql()),
        )
        .after(
            "An index that backs a constraint cannot be dropped this way: drop the constraint with ALTER TABLE, after a short SET lock_timeout, instead.",
        )
        .fixable(names.len() == 1 && !cascade && !cx.txn.explicit);
        let f = Finding::new(&RULE, stmt.span.clone(), message, String::new())
            .recipe(recipe)
            .label("ACCESS EXCLUSIVE on the table: reads and writes wait");
        out.push(match &hazard {
            Some(h) => f.hazard(h),
            None => f.unknown_relation(cx, Action::DropIndex),
        });
    }
    out
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
    fn index_from_an_earlier_migration_is_weighed_by_its_table() {
        let f = fired(SIZES, &[CREATE, "DROP INDEX big_a_idx;"]);
        assert_eq!(f.len(), 1, "{f:?}");
        assert!(f[0].message.contains("ACCESS EXCLUSIVE"));
        assert!(f[0].message.contains("`big` (~5M rows)"));
        assert!(fired(SIZES, &[CREATE, "DROP INDEX tiny_a_idx;"]).is_empty());
    }

    #[test]
    fn unknown_index_follows_size_unknown() {
        let f = fired(SIZES, &["DROP INDEX other_idx;"]);
        assert_eq!(f.len(), 1);
        assert!(f[0].message.contains("`other_idx`"));
        let small = format!("{SIZES}[size]\nunknown = \"small\"\n");
        assert!(fired(&small, &["DROP INDEX other_idx;"]).is_empty());
    }

    #[test]
    fn index_created_in_this_migration_is_silent() {
        let f = fired(
            SIZES,
            &[
                CREATE,
                "CREATE INDEX CONCURRENTLY big_b_idx ON big (a); DROP INDEX big_b_idx;",
            ],
        );
        assert!(f.is_empty(), "{f:?}");
    }

    #[test]
    fn one_finding_per_index_and_none_when_concurrent() {
        let f = fired(SIZES, &[CREATE, "DROP INDEX big_a_idx, tiny_a_idx, x_idx;"]);
        assert_eq!(f.len(), 2, "{f:?}");
        assert!(fired(SIZES, &[CREATE, "DROP INDEX CONCURRENTLY big_a_idx;"]).is_empty());
    }
}
