//! table-rewrite: statements whose whole purpose is to rewrite a table under ACCESS EXCLUSIVE:
//! SET LOGGED / UNLOGGED, SET TABLESPACE, SET ACCESS METHOD, VACUUM FULL, CLUSTER, and SET
//! EXPRESSION of a stored generated column.

use super::lock_that_blocks;
use super::{Context, Rule};
use crate::config::Level;
use crate::finding::Finding;
use crate::locks::Action;
use crate::model::sql;
use crate::model::{AlterAction, ObjName, Span, Stmt, StmtKind, WorkKind};

/// The rule.
pub(crate) const RULE: Rule = Rule {
    code: "LL022",
    name: "table-rewrite",
    default_level: Level::Error,
    summary: "SET LOGGED/UNLOGGED, SET TABLESPACE, SET ACCESS METHOD, VACUUM FULL, CLUSTER and SET EXPRESSION of a stored column rewrite the table under ACCESS EXCLUSIVE",
    doc: include_str!("../../rules/table-rewrite.md"),
    check,
    part_end: None,
};

/// The statement forms this rule reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Form {
    SetLogged,
    SetUnlogged,
    SetTablespace,
    SetAccessMethod,
    VacuumFull,
    Cluster,
    SetExpression,
}

impl Form {
    fn name(self) -> &'static str {
        match self {
            Form::SetLogged => "SET LOGGED",
            Form::SetUnlogged => "SET UNLOGGED",
            Form::SetTablespace => "SET TABLESPACE",
            Form::SetAccessMethod => "SET ACCESS METHOD",
            Form::VacuumFull => "VACUUM FULL",
            Form::Cluster => "CLUSTER",
            Form::SetExpression => "SET EXPRESSION",
        }
    }

    /// What the rewrite does, after "<FORM> ".
    fn what(self) -> &'static str {
        match self {
            Form::SetLogged => {
                "rewrites {t} and rebuilds every index, writing the whole table to the WAL,"
            }
            Form::SetUnlogged => {
                "rewrites {t} and rebuilds every index (and the table is then neither crash-safe nor replicated),"
            }
            Form::SetTablespace => "copies every data file of {t} to the new tablespace",
            Form::SetAccessMethod => "rewrites {t} into the new table access method",
            Form::VacuumFull => "rewrites {t} into new files and rebuilds every index",
            Form::Cluster => "rewrites {t} in index order and rebuilds every index",
            Form::SetExpression => {
                "recomputes the stored generated column for every row of {t}, writing the table into new files and rebuilding every index,"
            }
        }
    }

    /// Without a table: every table, with pg_repack's `--all`.
    fn help_all(self) -> String {
        match self {
            Form::Cluster => "Reorder the clustered tables online with pg_repack, which orders each by its clustered index and holds ACCESS EXCLUSIVE only briefly, or run CLUSTER in a scheduled maintenance window, outside the migration:\n  pg_repack --all  # connects as psql does".to_string(),
            _ => "Compact the tables online with pg_repack, which holds ACCESS EXCLUSIVE only briefly per table, or run VACUUM FULL in a scheduled maintenance window, outside the migration:\n  pg_repack --all --no-order  # connects as psql does\nPlain VACUUM (SHARE UPDATE EXCLUSIVE) makes the space reusable without blocking reads or writes:\n  VACUUM;".to_string(),
        }
    }

    /// `clause`: the flagged clause's text (the ALTER TABLE action); `column`: for SET
    /// EXPRESSION, the column's name and, when the replayed schema knows it, its type.
    fn help(self, table: &str, clause: &str, column: Option<(&str, Option<&str>)>) -> String {
        match self {
            Form::VacuumFull => format!(
                "Compact the table online with pg_repack or pg_squeeze, which hold ACCESS EXCLUSIVE only briefly at the start and the end, or run VACUUM FULL in a scheduled maintenance window, outside the migration:\n  pg_repack --no-order --table={table}  # connects as psql does (PGHOST, PGDATABASE, ...)\nPlain VACUUM (SHARE UPDATE EXCLUSIVE) makes the space reusable without blocking reads or writes:\n  VACUUM {table};"
            ),
            Form::Cluster => format!(
                "Reorder the table online with pg_repack (or pg_squeeze), which holds ACCESS EXCLUSIVE only briefly at the start and the end, or run CLUSTER in a scheduled maintenance window, outside the migration:\n  pg_repack --table={table}  # orders by the table's clustered index; connects as psql does"
            ),
            Form::SetTablespace => {
                // pg_repack takes the tablespace's name as PostgreSQL stores it, quoted for
                // the shell when it needs to be.
                let space = tablespace_name(clause).unwrap_or_else(|| "pg_default".into());
                let space = if space.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                    space
                } else {
                    format!("'{}'", space.replace('\'', "'\\''"))
                };
                format!(
                    "Move the table online with pg_repack, which holds ACCESS EXCLUSIVE only briefly at the start and the end, or run it in a scheduled maintenance window, outside the migration:\n  pg_repack --table={table} --moveidx --tablespace={space}  # connects as psql does"
                )
            }
            Form::SetExpression => {
                let (name, ty) = column.unwrap_or(("", None));
                let expr = clause
                    .find(" AS ")
                    .or_else(|| clause.to_ascii_uppercase().find(" AS "))
                    .map(|at| clause[at + 4..].trim().trim_end_matches(';').trim());
                let col = sql::quote_ident(name);
                let new_col = sql::quote_ident(&format!("{name}_v")).into_owned();
                let virtual_steps = match (ty, expr) {
                    (Some(ty), Some(expr)) => format!(
                        "\n  ALTER TABLE {table} ADD COLUMN {new_col} {ty} GENERATED ALWAYS AS {expr} VIRTUAL;\n  ALTER TABLE {table} DROP COLUMN {col};"
                    ),
                    // The column's type is unknown (its CREATE TABLE was not replayed).
                    _ => format!(
                        " a column {new_col} of the same type as {col}, GENERATED ALWAYS AS the new expression VIRTUAL, then:\n  ALTER TABLE {table} DROP COLUMN {col};"
                    ),
                };
                format!(
                    "A stored generated column's new expression is written into every row. On PostgreSQL 18, add a virtual generated column with the new expression instead (catalog only: a brief lock), move readers to it, then drop the old column:{virtual_steps}\nOtherwise run SET EXPRESSION in a scheduled maintenance window, with a lock_timeout:\n  SET lock_timeout = '5s';"
                )
            }
            Form::SetLogged | Form::SetUnlogged | Form::SetAccessMethod => format!(
                "There is no online form of {}: run it in a scheduled maintenance window, outside the routine migration, with a lock_timeout so it gives up instead of queueing traffic behind it:\n  SET lock_timeout = '5s';\n  ALTER TABLE {table} {clause};",
                self.name(),
            ),
        }
    }
}

fn check(stmt: &Stmt, cx: &Context) -> Vec<Finding> {
    let mut out = Vec::new();
    match &stmt.kind {
        StmtKind::AlterTable { table, actions, .. } => {
            for a in actions {
                let form = match &a.action {
                    AlterAction::SetLogged { logged: true } => Form::SetLogged,
                    AlterAction::SetLogged { logged: false } => Form::SetUnlogged,
                    AlterAction::SetTablespace => Form::SetTablespace,
                    AlterAction::SetAccessMethod => Form::SetAccessMethod,
                    AlterAction::SetExpression { .. } => Form::SetExpression,
                    _ => continue,
                };
                let column = match &a.action {
                    AlterAction::SetExpression { column } => Some(column.as_str()),
                    _ => None,
                };
                out.extend(one(cx, form, table, a.span.clone(), column));
            }
        }
        StmtKind::Vacuum { tables, full: true } if tables.is_empty() => {
            out.extend(everything(cx, Form::VacuumFull, stmt.span.clone()));
        }
        StmtKind::Vacuum { tables, full: true } => {
            for t in tables {
                out.extend(one(cx, Form::VacuumFull, t, stmt.span.clone(), None));
            }
        }
        StmtKind::Cluster { table: Some(t) } => {
            out.extend(one(cx, Form::Cluster, t, stmt.span.clone(), None));
        }
        StmtKind::Cluster { table: None } => {
            out.extend(everything(cx, Form::Cluster, stmt.span.clone()));
        }
        _ => {}
    }
    out
}

/// A rewrite of one table; `column`: the column a SET EXPRESSION changes.
fn one(
    cx: &Context,
    form: Form,
    table: &ObjName,
    span: Span,
    column: Option<&str>,
) -> Option<Finding> {
    // The rewrite the model records for this clause.
    let w = cx.effects.direct_work().find(|w| {
        w.kind == WorkKind::Rewrite && w.cause.span.start == span.start && w.rel.same(table)
    })?;
    // SET EXPRESSION: the column's type, when the replayed schema knows it.
    let ty = column.and_then(|c| {
        cx.catalog
            .table(table)
            .and_then(|t| t.column(c))
            .map(|col| col.ty.text.to_string())
    });
    let column = column.map(|c| (c, ty.as_deref()));
    let h = cx.work_hazard(w);
    let message = format!(
        "{} {} under {}{}",
        form.name(),
        form.what().replace("{t}", &h.described),
        h.lock_that_blocks(),
        h.for_how_long,
    );
    Some(
        Finding::new(
            &RULE,
            span.clone(),
            message,
            form.help(&table.sql(), cx.text(&span).trim(), column),
        )
        .label("rewrites the table")
        .hazard(&h),
    )
}

/// VACUUM FULL / CLUSTER without a table: every table (every clustered table) in the database.
fn everything(cx: &Context, form: Form, span: Span) -> Option<Finding> {
    let action = match form {
        Form::Cluster => Action::Cluster,
        _ => Action::VacuumFull,
    };
    // Which tables is unknown; they count as large when tables without a size hint do.
    let which = match form {
        Form::Cluster => "every table that was clustered before",
        _ => "every table in the database",
    };
    let message = format!(
        "{} without a table rewrites {which}, one after another, each under {}",
        form.name(),
        lock_that_blocks(cx.model_lock(action)),
    );
    Some(
        Finding::new(&RULE, span, message, form.help_all())
            .label("rewrites every table")
            .unknown_relation(cx, action),
    )
}

/// The tablespace a `SET TABLESPACE` clause names, as PostgreSQL stores it (folded to lower
/// case unless quoted).
fn tablespace_name(clause: &str) -> Option<String> {
    let upper = clause.to_ascii_uppercase();
    let at = upper.find("TABLESPACE")? + "TABLESPACE".len();
    let rest = clause[at..].trim_start();
    if let Some(quoted) = rest.strip_prefix('"') {
        let mut name = String::new();
        let mut chars = quoted.chars().peekable();
        while let Some(c) = chars.next() {
            if c == '"' {
                if chars.peek() == Some(&'"') {
                    chars.next();
                } else {
                    return Some(name);
                }
            }
            name.push(c);
        }
        return None;
    }
    let word: String = rest
        .chars()
        .take_while(|c| !c.is_whitespace() && *c != ';')
        .collect();
    (!word.is_empty()).then(|| word.to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use crate::config::Settings;

    fn fired(sql: &str) -> Vec<String> {
        let res = crate::pipeline::lint_text("t.sql", sql, &Settings::default());
        res.findings()
            .filter(|f| f.rule == "table-rewrite")
            .map(|f| f.message.clone())
            .collect()
    }

    #[test]
    fn every_form_is_named() {
        for (sql, form) in [
            ("ALTER TABLE t SET LOGGED;", "SET LOGGED"),
            ("ALTER TABLE t SET UNLOGGED;", "SET UNLOGGED"),
            ("ALTER TABLE t SET TABLESPACE fast;", "SET TABLESPACE"),
            (
                "ALTER TABLE t SET ACCESS METHOD heap2;",
                "SET ACCESS METHOD",
            ),
            ("VACUUM FULL t;", "VACUUM FULL"),
            ("VACUUM (FULL, ANALYZE) t;", "VACUUM FULL"),
            ("CLUSTER t USING t_pkey;", "CLUSTER"),
            ("CLUSTER;", "CLUSTER"),
            ("VACUUM FULL;", "VACUUM FULL"),
        ] {
            let m = fired(sql);
            assert_eq!(m.len(), 1, "{sql}: {m:?}");
            assert!(m[0].starts_with(form), "{sql}: {}", m[0]);
        }
        assert!(fired("VACUUM t;").is_empty());
        // PostgreSQL 17+: a stored column's new expression is written into every row; a virtual
        // one's (18) only into the catalog.
        let v18 = crate::rules::testing::settings("postgres_version = 18\n");
        let lint = |sql: &str| {
            let res = crate::pipeline::lint_text("t.sql", sql, &v18);
            res.findings()
                .filter(|f| f.rule == "table-rewrite")
                .map(|f| f.message.clone())
                .collect::<Vec<_>>()
        };
        let stored = "CREATE TABLE g (a int, s int GENERATED ALWAYS AS (a * 2) STORED, v int GENERATED ALWAYS AS (a * 2));\n";
        let m = lint(&format!(
            "{stored}COMMIT;\nALTER TABLE g ALTER COLUMN s SET EXPRESSION AS (a * 3);\n"
        ));
        // The table is new in this file: silent. As an earlier migration it is not.
        assert!(m.is_empty(), "{m:?}");
        let earlier = |sql: &str| {
            crate::rules::testing::hits("table-rewrite", "postgres_version = 18\n", &[stored, sql])
        };
        let h = earlier("ALTER TABLE g ALTER COLUMN s SET EXPRESSION AS (a * 3);");
        assert_eq!(h.len(), 1);
        assert!(
            h[0].message.starts_with("SET EXPRESSION recomputes"),
            "{}",
            h[0].message
        );
        assert!(h[0].help.contains("VIRTUAL"), "{}", h[0].help);
        assert!(earlier("ALTER TABLE g ALTER COLUMN v SET EXPRESSION AS (a * 3);").is_empty());
        assert!(earlier("ALTER TABLE g ALTER COLUMN s DROP EXPRESSION;").is_empty());
        assert!(fired("ALTER TABLE t SET (fillfactor = 70);").is_empty());
    }

    fn help(toml: &str, sql: &str) -> Vec<String> {
        let settings = crate::config::parse_str(
            toml,
            std::path::Path::new("locklint.toml"),
            &crate::rules::names(),
        )
        .unwrap();
        let res = crate::pipeline::lint_text("t.sql", sql, &settings);
        res.findings()
            .filter(|f| f.rule == "table-rewrite")
            .map(|f| f.help.clone())
            .collect()
    }

    #[test]
    fn recipes_name_the_tablespace_and_the_column() {
        let h = help("", "ALTER TABLE t SET TABLESPACE Fast_SSD;");
        assert!(h[0].contains("--tablespace=fast_ssd "), "{}", h[0]);
        let h = help("", "ALTER TABLE t SET TABLESPACE \"Fast SSD\";");
        assert!(h[0].contains("--tablespace='Fast SSD' "), "{}", h[0]);
        let settings = "postgres_version = 18\n[tables]\nt = { rows = 50_000_000 }\n";
        let set = "ALTER TABLE t ALTER COLUMN total SET EXPRESSION AS (price * qty);\n";
        // Without the CREATE TABLE, the column's type is unknown: said in words.
        let h = help(settings, set);
        assert!(h[0].contains("of the same type as total"), "{}", h[0]);
        // With it (an earlier migration), the exact SQL.
        let create = "CREATE TABLE t (id bigint, price int, qty int, total bigint GENERATED ALWAYS AS (price * 2) STORED);\n";
        let h = crate::rules::testing::hits("table-rewrite", settings, &[create, set]);
        assert!(
            h[0].help.contains(
                "ALTER TABLE t ADD COLUMN total_v bigint GENERATED ALWAYS AS (price * qty) VIRTUAL;\n  ALTER TABLE t DROP COLUMN total;"
            ),
            "{}",
            h[0].help
        );
        assert!(!h[0].help.contains('<'), "{}", h[0].help);
    }

    #[test]
    fn each_table_of_a_vacuum_list() {
        assert_eq!(fired("VACUUM FULL a, b;").len(), 2);
    }
}
