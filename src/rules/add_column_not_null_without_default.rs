//! add-column-not-null-without-default: ADD COLUMN ... NOT NULL with no default on an existing
//! table, which fails as soon as the table has a row.

use super::{Context, Rule, Size};
use crate::config::Level;
use crate::finding::Finding;
use crate::model::{AlterAction, ColumnDef, Stmt, StmtKind, sql};

/// The rule.
pub(crate) const RULE: Rule = Rule {
    code: "LL015",
    name: "add-column-not-null-without-default",
    default_level: Level::Error,
    summary: "ADD COLUMN ... NOT NULL without a DEFAULT fails on any table that has rows",
    doc: include_str!("../../rules/add-column-not-null-without-default.md"),
    check,
    part_end: None,
};

/// Whether existing rows get a non-null value for the new column.
fn fills_existing_rows(c: &ColumnDef) -> bool {
    c.serial || c.identity || c.generated_stored || c.default.as_ref().is_some_and(|d| !d.is_null)
}

fn check(stmt: &Stmt, cx: &Context) -> Vec<Finding> {
    let StmtKind::AlterTable { table, actions, .. } = &stmt.kind else {
        return Vec::new();
    };
    // Not weighed by size: one existing row is enough to fail. Only an empty (new) table is safe.
    if cx.size(table) == Size::New {
        return Vec::new();
    }
    let mut out = Vec::new();
    for a in actions {
        let AlterAction::AddColumn {
            column,
            if_not_exists,
        } = &a.action
        else {
            continue;
        };
        if !column.not_null || fills_existing_rows(column) {
            continue;
        }
        // ADD COLUMN IF NOT EXISTS of a column that is already there does nothing.
        let exists = cx
            .catalog
            .table(table)
            .is_some_and(|t| t.column(&column.name).is_some());
        if *if_not_exists && exists {
            continue;
        }
        let name = &column.name;
        let ty = &column.ty.text;
        let message = format!(
            "ADD COLUMN `{name}` NOT NULL without a DEFAULT fails with 'column \"{name}\" of relation \"{}\" contains null values' if {} has any rows",
            table.name,
            cx.describe(table),
        );
        let help = format!(
            "Give existing rows a value: add the column with NOT NULL and a constant DEFAULT that suits them (no rewrite and no scan on PostgreSQL 11+), or add it nullable, backfill in batches, then make it NOT NULL without a blocking scan (see set-not-null-scan):\n  ALTER TABLE {} ADD COLUMN {} {ty};",
            table.sql(),
            sql::quote_ident(name),
        );
        out.push(
            Finding::new(&RULE, a.span.clone(), message, help)
                .label("fails if the table has any rows")
                .table(table),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{self, Fired};

    const SIZES: &str = "[tables]\nbig = { rows = 5_000_000 }\ntiny = { rows = 3 }\n";

    fn fired(files: &[&str]) -> Vec<Fired> {
        testing::fired(super::RULE.name, SIZES, files)
    }

    #[test]
    fn fails_on_any_existing_table_whatever_its_size() {
        assert_eq!(
            fired(&["ALTER TABLE big ADD COLUMN b int NOT NULL;"]).len(),
            1
        );
        assert_eq!(
            fired(&["ALTER TABLE tiny ADD COLUMN b int NOT NULL;"]).len(),
            1
        );
        assert_eq!(
            fired(&["ALTER TABLE tiny ADD COLUMN b int NOT NULL DEFAULT NULL;"]).len(),
            1
        );
        assert_eq!(
            fired(&["ALTER TABLE tiny ADD COLUMN b int PRIMARY KEY;"]).len(),
            1
        );
    }

    #[test]
    fn columns_that_fill_existing_rows_are_fine() {
        for sql in [
            "ALTER TABLE big ADD COLUMN b int NOT NULL DEFAULT 0;",
            "ALTER TABLE big ADD COLUMN b bigserial NOT NULL;",
            "ALTER TABLE big ADD COLUMN b bigint GENERATED ALWAYS AS IDENTITY NOT NULL;",
            "ALTER TABLE big ADD COLUMN b int NOT NULL GENERATED ALWAYS AS (1) STORED;",
            "ALTER TABLE big ADD COLUMN b int;",
        ] {
            assert!(fired(&[sql]).is_empty(), "{sql}");
        }
    }

    #[test]
    fn new_tables_and_existing_columns_are_fine() {
        assert!(
            fired(&["CREATE TABLE t (id int); ALTER TABLE t ADD COLUMN b int NOT NULL;"])
                .is_empty()
        );
        let earlier = "CREATE TABLE t (id int, b int NOT NULL);";
        assert!(
            fired(&[
                earlier,
                "ALTER TABLE t ADD COLUMN IF NOT EXISTS b int NOT NULL;"
            ])
            .is_empty()
        );
        assert_eq!(
            fired(&[
                earlier,
                "ALTER TABLE t ADD COLUMN IF NOT EXISTS c int NOT NULL;"
            ])
            .len(),
            1
        );
    }
}
