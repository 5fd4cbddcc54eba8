//! foreign-key-without-index: a foreign key whose referencing columns no index leads with, at
//! the end of the migration file that adds it.

use super::{Context, PartEnd, Rule};
use crate::config::Level;
use crate::finding::Finding;
use crate::model::sql;
use crate::model::{ConstraintKind, Stmt};

/// The rule.
pub(crate) const RULE: Rule = Rule {
    code: "LL041",
    name: "foreign-key-without-index",
    default_level: Level::Warning,
    summary: "Foreign key with no index on its referencing columns: every DELETE or key UPDATE on the referenced table then reads the whole referencing table",
    doc: include_str!("../../rules/foreign-key-without-index.md"),
    check,
    part_end: Some(part_end),
};

/// Nothing to see statement by statement: an index created later in the same file covers.
fn check(_: &Stmt, _: &Context) -> Vec<Finding> {
    Vec::new()
}

fn part_end(end: &PartEnd) -> Vec<Finding> {
    // MySQL and MariaDB (InnoDB) create an index on the referencing columns themselves.
    if !end.file_ends || end.settings.dialect == crate::config::Dialect::Mysql {
        return Vec::new();
    }
    let mut out: Vec<Finding> = Vec::new();
    // (schema, table, columns) of the keys reported so far.
    let mut seen: std::collections::HashSet<(&str, &str, &[String])> =
        std::collections::HashSet::new();
    if end.foreign_keys.is_empty() {
        return out;
    }
    let by_table = end.catalog.indexes_by_table();
    for fk in end.foreign_keys {
        // Dropped later in the file, or known only from ALTER TABLE statements (its CREATE
        // TABLE was not replayed): indexes locklint never saw may exist.
        let Some(table) = end.catalog.table(&fk.table).filter(|t| !t.partial) else {
            continue;
        };
        // Still there (not dropped later in the file), and not reported already.
        let exists = table.constraints.iter().any(|c| {
            matches!(&c.kind, ConstraintKind::ForeignKey { columns, references }
                if *columns == fk.columns && references.table.same(&fk.references))
        });
        // The same key added twice (IF NOT EXISTS, a table created again) is reported once.
        let key = (
            fk.table.schema_or_public(),
            fk.table.name.as_str(),
            fk.columns.as_slice(),
        );
        let again = seen.contains(&key);
        if !exists
            || again
            || end
                .catalog
                .has_index_leading_in(&fk.table, &fk.columns, &by_table)
        {
            continue;
        }
        seen.insert(key);
        let cols = fk.columns.join(", ");
        // The name PostgreSQL gives `CREATE INDEX ON t (cols)`, and the SQL spelled exactly.
        let index =
            sql::quote_ident(&sql::index_name(&fk.table.name, &fk.columns, "idx")).into_owned();
        let on = format!("{} ({})", fk.table.sql(), sql::ident_list(&fk.columns));
        let message = format!(
            "The foreign key on `{}` ({cols}) referencing `{}` has no index on its referencing columns: every DELETE on `{}` (and every UPDATE of its key) reads all of `{}` to find referencing rows, holding row locks while it does",
            fk.table, fk.references, fk.references, fk.table
        );
        let new = end.catalog.is_new(&fk.table);
        let help = if new {
            format!(
                "Index the referencing columns in the same migration (the table is new, so a plain CREATE INDEX is instant):\n  CREATE INDEX {index} ON {on};"
            )
        } else {
            format!(
                "Index the referencing columns without blocking writes (outside a transaction):\n  CREATE INDEX CONCURRENTLY {index} ON {on};"
            )
        };
        let mut f = Finding::new(&RULE, fk.span.clone(), message, help)
            .label("no index leads with these columns")
            .not_sized();
        f.stmt_span = fk.stmt_span.clone();
        f.table = Some(fk.table.to_string());
        out.push(f);
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{hits, lines};

    const PARENT: &str = "CREATE TABLE parent (id bigint PRIMARY KEY);\n";

    fn fired(files: &[&str]) -> Vec<(usize, usize)> {
        lines("foreign-key-without-index", "", files)
    }

    #[test]
    fn an_unindexed_foreign_key_is_reported_where_it_is_added() {
        let sql = "CREATE TABLE child (\n  id bigint PRIMARY KEY,\n  parent_id bigint REFERENCES parent (id)\n);\n";
        assert_eq!(fired(&[PARENT, sql]), vec![(1, 1)]);
        let alter = "ALTER TABLE child ADD COLUMN other_id bigint,\n  ADD CONSTRAINT child_other_fk FOREIGN KEY (other_id) REFERENCES parent (id) NOT VALID;\n";
        let schema = "CREATE TABLE child (id bigint PRIMARY KEY);\n";
        assert_eq!(fired(&[PARENT, schema, alter]), vec![(2, 2)]);
        let h = hits("foreign-key-without-index", "", &[PARENT, schema, alter]);
        assert!(
            h[0].help
                .contains("CREATE INDEX CONCURRENTLY child_other_id_idx ON child (other_id);"),
            "{}",
            h[0].help
        );
        assert!(
            h[0].message.contains("every DELETE on `parent`"),
            "{}",
            h[0].message
        );
        // Mixed-case names (Prisma) are quoted as PostgreSQL needs them.
        let prisma = [
            "CREATE TABLE \"Org\" (\"id\" BIGINT PRIMARY KEY);\nCREATE TABLE \"User\" (\"id\" BIGINT PRIMARY KEY, \"orgId\" BIGINT);\n",
            "ALTER TABLE \"User\" ADD CONSTRAINT \"User_orgId_fkey\" FOREIGN KEY (\"orgId\") REFERENCES \"Org\"(\"id\");\n",
        ];
        let h = hits("foreign-key-without-index", "", &prisma);
        assert!(
            h[0].help
                .contains("CREATE INDEX CONCURRENTLY \"User_orgId_idx\" ON \"User\" (\"orgId\");"),
            "{}",
            h[0].help
        );
        // A large table does not make it an error: it costs at run time, not while migrating.
        let big = "[tables]\nchild = { rows = 50_000_000 }\n";
        let h = hits("foreign-key-without-index", big, &[PARENT, schema, alter]);
        assert_eq!(h[0].severity, crate::config::Level::Warning);
        // Two keys in one CREATE TABLE: two findings.
        let two =
            "CREATE TABLE c (a bigint REFERENCES parent (id), b bigint REFERENCES parent (id));\n";
        assert_eq!(fired(&[PARENT, two]), vec![(1, 1), (1, 1)]);
        // InnoDB indexes the referencing columns itself.
        let mysql = "dialect = \"mysql\"\n";
        assert!(lines("foreign-key-without-index", mysql, &[PARENT, sql]).is_empty());
    }

    #[test]
    fn an_index_created_earlier_or_later_in_the_file_covers() {
        let later = "CREATE TABLE child (id bigint PRIMARY KEY, parent_id bigint REFERENCES parent (id));\nCREATE INDEX ON child (parent_id);\n";
        assert!(fired(&[PARENT, later]).is_empty());
        let earlier = "CREATE TABLE child (id bigint PRIMARY KEY, parent_id bigint);\nCREATE INDEX child_p ON child (parent_id, id);\n";
        let fk = "ALTER TABLE child ADD FOREIGN KEY (parent_id) REFERENCES parent (id);\n";
        assert!(fired(&[PARENT, earlier, fk]).is_empty());
        // An index in a later migration does not: until it is deployed, deletes scan.
        let unindexed = "CREATE TABLE child (id bigint PRIMARY KEY, parent_id bigint REFERENCES parent (id));\n";
        let idx = "CREATE INDEX CONCURRENTLY child_p ON child (parent_id);\n";
        assert_eq!(fired(&[PARENT, unindexed, idx]), vec![(1, 1)]);
        // A table whose CREATE TABLE locklint never saw may have indexes it does not know.
        let unseen =
            "ALTER TABLE elsewhere ADD CONSTRAINT f FOREIGN KEY (p) REFERENCES parent (id);\n";
        assert!(fired(&[PARENT, unseen]).is_empty());
        // Dropped in the same file: nothing left to index.
        let dropped = "CREATE TABLE child (id bigint PRIMARY KEY, parent_id bigint REFERENCES parent (id));\nDROP TABLE child;\n";
        assert!(fired(&[PARENT, dropped]).is_empty());
    }

    #[test]
    fn leading_columns_of_keys_and_indexes_in_any_order() {
        // The primary key leads with parent_id: covered. b_id is its second column: not.
        let join = "CREATE TABLE b (id bigint PRIMARY KEY);\nCREATE TABLE link (\n  parent_id bigint REFERENCES parent (id),\n  b_id bigint REFERENCES b (id),\n  PRIMARY KEY (parent_id, b_id)\n);\n";
        let h = hits("foreign-key-without-index", "", &[PARENT, join]);
        assert_eq!(h.len(), 1, "{h:?}");
        assert!(h[0].message.contains("(b_id)"), "{}", h[0].message);
        // A two-column key is covered by an index on the same columns in another order.
        let two = "CREATE TABLE p2 (a int, b int, PRIMARY KEY (a, b));\nCREATE TABLE c2 (x int, y int, FOREIGN KEY (x, y) REFERENCES p2 (a, b));\nCREATE UNIQUE INDEX c2_yx ON c2 (y, x);\n";
        assert!(fired(&[two]).is_empty());
        // An expression index is no help.
        let expr = "CREATE TABLE c3 (p bigint REFERENCES parent (id));\nCREATE INDEX c3_e ON c3 ((p + 0));\n";
        assert_eq!(fired(&[PARENT, expr]), vec![(1, 1)]);
    }
}
