//! breaking-change: DROP TABLE, DROP COLUMN, RENAME TO and RENAME COLUMN on an existing table break
//! application code that still uses the old name.

use super::{Context, Rule, Size};
use crate::config::Level;
use crate::finding::Finding;
use crate::model::{AlterAction, ConstraintKind, ObjName, ObjectKind, Span, Stmt, StmtKind};

/// The rule.
pub(crate) const RULE: Rule = Rule {
    code: "LL037",
    name: "breaking-change",
    default_level: Level::Warning,
    summary: "DROP TABLE / DROP COLUMN / RENAME on an existing table breaks application code still using the old name",
    doc: include_str!("../../rules/breaking-change.md"),
    check,
    part_end: None,
};

fn finding(cx: &Context, span: Span, table: &ObjName, message: String, help: String) -> Finding {
    // Not size-weighted: broken queries do not depend on the row count.
    Finding::new(&RULE, span, message, help)
        .label("breaks code that still uses the old name")
        .hazard(&cx.hazard(table, None))
        .not_sized()
}

fn check(stmt: &Stmt, cx: &Context) -> Vec<Finding> {
    let mut out = Vec::new();
    match &stmt.kind {
        StmtKind::Drop {
            object: ObjectKind::Table,
            names,
            ..
        } => {
            for t in names {
                if cx.size(t) == Size::New {
                    continue;
                }
                // The tables its foreign keys reference are locked ACCESS EXCLUSIVE too.
                let mut parents: Vec<String> = Vec::new();
                for c in cx
                    .catalog
                    .table(t)
                    .map(|i| &i.constraints[..])
                    .unwrap_or(&[])
                {
                    if let ConstraintKind::ForeignKey { references, .. } = &c.kind {
                        let p = &references.table;
                        let label = format!("`{p}`");
                        if !names.iter().any(|n| n.same(p))
                            && cx.effects.lock_on(p).is_some_and(|m| m.blocks().reads)
                            && !parents.contains(&label)
                        {
                            parents.push(label);
                        }
                    }
                }
                let also = if parents.is_empty() {
                    String::new()
                } else {
                    format!(
                        ", and on {} which its foreign keys reference (their reads are blocked too)",
                        parents.join(", ")
                    )
                };
                let message = format!(
                    "DROP TABLE removes {} while running application code may still query it: those queries fail until every instance is redeployed. It also takes {} on it{also}",
                    cx.describe(t),
                    cx.effects
                        .lock_on(t)
                        .map(|m| m.sql_name())
                        .unwrap_or("a lock"),
                );
                let help = format!(
                    "Expand and contract: first deploy application code that no longer uses `{t}`, then drop it in a later migration:\n  DROP TABLE {};",
                    t.sql()
                );
                out.push(finding(cx, stmt.span.clone(), t, message, help));
            }
        }
        StmtKind::AlterTable { table, actions, .. } => {
            if cx.size(table) == Size::New {
                return out;
            }
            for a in actions {
                let (message, help) = match &a.action {
                    AlterAction::DropColumn { name, .. } => (
                        format!(
                            "DROP COLUMN `{name}` of {} breaks running application code that still reads or writes it (explicit column lists, ORM models): those queries fail until every instance is redeployed",
                            cx.describe(table)
                        ),
                        format!(
                            "Expand and contract: first deploy application code that no longer uses `{name}` (ORMs: mark the column as ignored), then drop it in a later migration:\n  ALTER TABLE {} DROP COLUMN {};",
                            table.sql(),
                            crate::model::sql::quote_ident(name)
                        ),
                    ),
                    AlterAction::RenameTable { to } => (
                        format!(
                            "RENAME TO `{to}` breaks every running query that still uses the name `{table}`: they fail until every instance is redeployed"
                        ),
                        format!(
                            "Expand and contract: keep the old name working with a view in the same transaction, deploy code that uses `{to}`, then drop the view in a later migration:\n  ALTER TABLE {t} RENAME TO {n};\n  CREATE VIEW {t} AS SELECT * FROM {nq};  -- simple views are updatable\nIn a later migration, once no code uses `{table}`:\n  DROP VIEW {t};",
                            t = table.sql(),
                            n = crate::model::sql::quote_ident(to),
                            nq = crate::model::ObjName {
                                schema: table.schema.clone(),
                                name: to.clone()
                            }
                            .sql()
                        ),
                    ),
                    AlterAction::RenameColumn { from, to } => (
                        format!(
                            "RENAME COLUMN `{from}` TO `{to}` on {} breaks running application code that still uses `{from}`: those queries fail until every instance is redeployed",
                            cx.describe(table)
                        ),
                        {
                            let ty = cx
                                .catalog
                                .table(table)
                                .and_then(|t| t.columns.iter().find(|c| c.name.as_str() == from))
                                .map(|c| c.ty.text.to_string());
                            let (t, f, n) = (
                                table.sql(),
                                crate::model::sql::quote_ident(from),
                                crate::model::sql::quote_ident(to),
                            );
                            let add = match ty {
                                Some(ty) => format!("\n  ALTER TABLE {t} ADD COLUMN {n} {ty};"),
                                None => format!(
                                    "\nAdd `{to}` with the type of `{from}` (not known to locklint)."
                                ),
                            };
                            format!(
                                "Expand and contract: add `{to}`, deploy code that writes both columns, backfill `{to}` in batches, deploy code that reads `{to}`, then drop `{from}` in a later migration:{add}\nThen deploy code writing both, backfill, deploy code reading `{to}`, and in a later migration:\n  ALTER TABLE {t} DROP COLUMN {f};"
                            )
                        },
                    ),
                    _ => continue,
                };
                out.push(finding(cx, a.span.clone(), table, message, help));
            }
        }
        _ => {}
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{hits, lines};

    const RULE: &str = "breaking-change";

    #[test]
    fn one_message_per_form() {
        let sql = "DROP TABLE a, b;\nALTER TABLE c DROP COLUMN x, RENAME COLUMN y TO z;\nALTER TABLE d RENAME TO e;\nALTER TABLE f ADD COLUMN g int;\n";
        let h = hits(RULE, "[tables]\na = { rows = 1 }\n", &[sql]);
        let got: Vec<(usize, String)> = h
            .iter()
            .map(|h| {
                (
                    h.line,
                    h.message.split(' ').take(2).collect::<Vec<_>>().join(" "),
                )
            })
            .collect();
        let got: Vec<(usize, &str)> = got.iter().map(|(l, m)| (*l, m.as_str())).collect();
        assert_eq!(
            got,
            vec![
                (1, "DROP TABLE"),
                (1, "DROP TABLE"),
                (2, "DROP COLUMN"),
                (2, "RENAME COLUMN"),
                (3, "RENAME TO")
            ]
        );
        assert!(
            h.iter()
                .all(|h| h.severity == crate::config::Level::Warning)
        );
        assert!(h.iter().all(|h| h.help.starts_with("Expand and contract")));
    }

    #[test]
    fn drop_table_names_the_referenced_tables_it_locks() {
        let create =
            "CREATE TABLE readings (id bigint, device_id bigint REFERENCES devices (id));\n";
        let h = hits(RULE, "", &[create, "DROP TABLE readings;\n"]);
        assert_eq!(h.len(), 1);
        assert!(
            h[0].message.contains("and on `devices`"),
            "{}",
            h[0].message
        );
    }

    #[test]
    fn tables_created_in_the_same_migration_are_silent() {
        let sql = "CREATE TABLE t (id int, x int);\nALTER TABLE t DROP COLUMN x;\nALTER TABLE t RENAME TO u;\nDROP TABLE u;\n";
        assert_eq!(lines(RULE, "", &[sql]), vec![]);
        // ... but not in the next one.
        assert_eq!(
            lines(RULE, "", &["CREATE TABLE t (id int);\n", "DROP TABLE t;\n"]),
            vec![(1, 1)]
        );
    }
}
