//! add-constraint-builds-index: ADD UNIQUE / PRIMARY KEY / EXCLUDE that builds its index under
//! ACCESS EXCLUSIVE (and PRIMARY KEY USING INDEX that has to scan to set NOT NULL).

use super::{Context, Rule};
use crate::analyze::effects::pk_using_index_nullable;
use crate::config::Level;
use crate::finding::Finding;
use crate::locks::Action;
use crate::model::{AlterAction, ConstraintKind, ObjName, Stmt, StmtKind, sql};

/// The rule.
pub(crate) const RULE: Rule = Rule {
    code: "LL014",
    name: "add-constraint-builds-index",
    default_level: Level::Error,
    summary: "ADD UNIQUE / PRIMARY KEY / EXCLUDE builds an index under ACCESS EXCLUSIVE, blocking reads and writes for the whole build",
    doc: include_str!("../../rules/add-constraint-builds-index.md"),
    check,
    part_end: None,
};

/// What an action does that this rule cares about.
enum Problem {
    /// Builds an index: the constraint keyword (`UNIQUE`, `PRIMARY KEY`, `EXCLUDE`), the name to
    /// suggest and the columns when known.
    Build {
        kw: &'static str,
        name: String,
        columns: Vec<String>,
    },
    /// PRIMARY KEY USING INDEX on nullable columns: scans to set NOT NULL.
    NotNullScan { nullable: Vec<String> },
}

fn problem(table: &ObjName, action: &AlterAction, cx: &Context) -> Option<Problem> {
    let t = &table.name;
    match action {
        AlterAction::AddConstraint(c) => match &c.kind {
            ConstraintKind::Unique {
                columns,
                using_index: None,
            } => Some(Problem::Build {
                kw: "UNIQUE",
                name: c
                    .name
                    .clone()
                    .unwrap_or_else(|| format!("{t}_{}_key", columns.join("_"))),
                columns: columns.clone(),
            }),
            ConstraintKind::PrimaryKey {
                columns,
                using_index: None,
            } => Some(Problem::Build {
                kw: "PRIMARY KEY",
                name: c.name.clone().unwrap_or_else(|| format!("{t}_pkey")),
                columns: columns.clone(),
            }),
            ConstraintKind::PrimaryKey {
                columns,
                using_index: Some(idx),
            } => {
                let nullable = pk_using_index_nullable(cx.catalog, table, idx, columns);
                (!nullable.is_empty()).then_some(Problem::NotNullScan { nullable })
            }
            ConstraintKind::Exclude => Some(Problem::Build {
                kw: "EXCLUDE",
                name: c.name.clone().unwrap_or_else(|| format!("{t}_excl")),
                columns: Vec::new(),
            }),
            _ => None,
        },
        AlterAction::AddColumn { column, .. } if column.primary_key => Some(Problem::Build {
            kw: "PRIMARY KEY",
            name: format!("{t}_pkey"),
            columns: vec![column.name.to_string()],
        }),
        AlterAction::AddColumn { column, .. } if column.unique => Some(Problem::Build {
            kw: "UNIQUE",
            name: format!("{t}_{}_key", column.name),
            columns: vec![column.name.to_string()],
        }),
        _ => None,
    }
}

fn check(stmt: &Stmt, cx: &Context) -> Vec<Finding> {
    let StmtKind::AlterTable { table, actions, .. } = &stmt.kind else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let builds = cx.effects.direct_work().filter(|w| {
        matches!(
            w.cause.action,
            Action::AddPrimaryKey
                | Action::AddUnique
                | Action::AddExclude
                | Action::AddColumnKey
                | Action::AddPrimaryKeyUsingIndexNullable
        )
    });
    for w in builds {
        let Some(a) = actions.get(usize::from(w.cause.clause)) else {
            continue;
        };
        let Some(p) = problem(table, &a.action, cx) else {
            continue;
        };
        let h = cx.work_hazard(w);
        let inline = matches!(a.action, AlterAction::AddColumn { .. });
        let f = match p {
            Problem::Build { kw, name, columns } => {
                let message = format!(
                    "ADD {}{kw} builds its index while holding {} on {}, blocking {} for the whole build{}",
                    if inline { "COLUMN ... " } else { "" },
                    h.a_lock(),
                    h.described,
                    h.blocked(),
                    h.for_how_long,
                );
                let column = match &a.action {
                    AlterAction::AddColumn { column, .. } => Some(format!(
                        "{} {}",
                        sql::quote_ident(&column.name),
                        column.ty.text
                    )),
                    _ => None,
                };
                let clause = cx.text(&a.span).trim().to_string();
                let help = build_help(table, kw, &name, &columns, column, &clause);
                Finding::new(&RULE, a.span.clone(), message, help)
                    .label("builds an index while reads and writes wait")
            }
            Problem::NotNullScan { nullable } => {
                let cols = nullable.join(", ");
                let message = format!(
                    "ADD PRIMARY KEY USING INDEX on nullable column(s) {cols} sets them NOT NULL, which scans every row of {} under {}, blocking {}{}",
                    h.described,
                    h.a_lock(),
                    h.blocked(),
                    h.for_how_long,
                );
                let mut help = String::from(
                    "Make the columns NOT NULL first without a blocking scan (PostgreSQL 12+), then adopt the index (a brief lock):\n",
                );
                let t = table.sql();
                for c in &nullable {
                    let check =
                        sql::quote_ident(&sql::object_name(&table.name, Some(c), "not_null"))
                            .into_owned();
                    let c = sql::quote_ident(c);
                    help.push_str(&format!(
                        "  ALTER TABLE {t} ADD CONSTRAINT {check} CHECK ({c} IS NOT NULL) NOT VALID;\nIn the next migration:\n  ALTER TABLE {t} VALIDATE CONSTRAINT {check};\n  ALTER TABLE {t} ALTER COLUMN {c} SET NOT NULL;\n  ALTER TABLE {t} DROP CONSTRAINT {check};\n"
                    ));
                }
                help.push_str(&format!(
                    "Then the statement as written:\n  {};",
                    cx.text(&stmt.span).trim().trim_end_matches(';').trim_end()
                ));
                Finding::new(&RULE, a.span.clone(), message, help)
                    .label("scans every row to set NOT NULL while reads and writes wait")
            }
        };
        out.push(f.hazard(&h));
    }
    out
}

fn build_help(
    table: &ObjName,
    kw: &str,
    name: &str,
    columns: &[String],
    column: Option<String>,
    clause: &str,
) -> String {
    let t = table.sql();
    let n = sql::quote_ident(name);
    if kw == "EXCLUDE" || columns.is_empty() {
        return format!(
            "This constraint's index has no concurrent build here: it is built under ACCESS EXCLUSIVE. Add it when the table is created, or run it in a maintenance window with a short lock_timeout:\n  SET lock_timeout = '2s';\n  ALTER TABLE {t} {clause};"
        );
    }
    let cols = sql::ident_list(columns);
    let first = match column {
        Some(def) => format!(
            "Add the column without {kw}, then build the index without blocking reads or writes (outside a transaction block) and attach it (a brief lock, no scan):\n  ALTER TABLE {t} ADD COLUMN {def};\n"
        ),
        None => "Build the index without blocking reads or writes (outside a transaction block), then attach it (a brief lock, no scan):\n".to_string(),
    };
    let pk_note = if kw == "PRIMARY KEY" {
        "\nThe columns must already be NOT NULL, or attaching scans the table: see set-not-null-scan."
    } else {
        ""
    };
    format!(
        "{first}  CREATE UNIQUE INDEX CONCURRENTLY {n} ON {t} ({cols});\n  ALTER TABLE {t} ADD CONSTRAINT {n} {kw} USING INDEX {n};{pk_note}"
    )
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{self, Fired};

    const SIZES: &str = "[tables]\nbig = { rows = 5_000_000 }\n";
    const CREATE: &str = "CREATE TABLE big (id bigint NOT NULL, a int, r tstzrange);
        CREATE UNIQUE INDEX big_id_idx ON big (id);
        CREATE UNIQUE INDEX big_a_idx ON big (a);";

    fn fired(files: &[&str]) -> Vec<Fired> {
        testing::fired(super::RULE.name, SIZES, files)
    }

    #[test]
    fn index_building_forms_are_flagged() {
        for sql in [
            "ALTER TABLE big ADD CONSTRAINT u UNIQUE (a);",
            "ALTER TABLE big ADD PRIMARY KEY (id);",
            "ALTER TABLE big ADD CONSTRAINT x EXCLUDE USING gist (r WITH &&);",
            "ALTER TABLE big ADD COLUMN b int UNIQUE;",
            "ALTER TABLE big ADD COLUMN b bigserial PRIMARY KEY;",
        ] {
            let f = fired(&[CREATE, sql]);
            assert_eq!(f.len(), 1, "{sql}");
            assert!(f[0].message.contains("builds its index"), "{sql}");
        }
    }

    #[test]
    fn using_index_is_safe_unless_a_key_column_is_nullable() {
        assert!(
            fired(&[
                CREATE,
                "ALTER TABLE big ADD CONSTRAINT u UNIQUE USING INDEX big_a_idx;"
            ])
            .is_empty()
        );
        assert!(
            fired(&[
                CREATE,
                "ALTER TABLE big ADD CONSTRAINT pk PRIMARY KEY USING INDEX big_id_idx;"
            ])
            .is_empty()
        );
        let f = fired(&[
            CREATE,
            "ALTER TABLE big ADD CONSTRAINT pk PRIMARY KEY USING INDEX big_a_idx;",
        ]);
        assert_eq!(f.len(), 1);
        assert!(
            f[0].message.contains("nullable column(s) a"),
            "{}",
            f[0].message
        );
        // SET NOT NULL first (recorded by the catalog) makes it safe.
        let f = fired(&[
            CREATE,
            "ALTER TABLE big ALTER COLUMN a SET NOT NULL;
             ALTER TABLE big ADD CONSTRAINT pk PRIMARY KEY USING INDEX big_a_idx;",
        ]);
        assert!(f.is_empty(), "{f:?}");
    }

    #[test]
    fn pk_using_index_on_an_unknown_table_is_not_guessed() {
        assert!(
            fired(&["ALTER TABLE other ADD CONSTRAINT pk PRIMARY KEY USING INDEX other_idx;"])
                .is_empty()
        );
    }
}
