//! concurrently-in-transaction: a statement PostgreSQL refuses inside a transaction block.

use super::{Context, Rule, recipes};
use crate::config::Level;
use crate::finding::{Finding, Placement, Recipe};
use crate::model::{AlterAction, ReindexTarget, Span, Stmt, StmtKind};

/// The rule.
pub(crate) const RULE: Rule = Rule {
    code: "LL030",
    name: "concurrently-in-transaction",
    default_level: Level::Error,
    summary: "CONCURRENTLY, VACUUM and other statements that cannot run in a transaction block fail the migration",
    doc: include_str!("../../rules/concurrently-in-transaction.md"),
    check,
    part_end: None,
};

/// What the statement is called in messages, and the clause to point at.
fn describe(stmt: &Stmt) -> (String, Span) {
    let whole = stmt.span.clone();
    let name = match &stmt.kind {
        StmtKind::CreateIndex { unique: true, .. } => "CREATE UNIQUE INDEX CONCURRENTLY",
        StmtKind::CreateIndex { .. } => "CREATE INDEX CONCURRENTLY",
        StmtKind::DropIndex { .. } => "DROP INDEX CONCURRENTLY",
        StmtKind::Reindex {
            target,
            concurrently: false,
            ..
        } => match target {
            ReindexTarget::Schema => "REINDEX SCHEMA",
            ReindexTarget::Database => "REINDEX DATABASE",
            _ => "REINDEX SYSTEM",
        },
        StmtKind::Reindex { .. } => "REINDEX CONCURRENTLY",
        StmtKind::ClusterWide(cmd) => cmd.sql(),
        StmtKind::Vacuum { full: true, .. } => "VACUUM FULL",
        StmtKind::Vacuum { .. } => "VACUUM",
        StmtKind::Cluster { .. } => "CLUSTER without a table name",
        StmtKind::AlterTable { actions, .. } => {
            let detach = actions.iter().find(|a| {
                matches!(
                    a.action,
                    AlterAction::DetachPartition {
                        concurrently: true,
                        ..
                    }
                )
            });
            if let Some(a) = detach {
                return ("DETACH PARTITION ... CONCURRENTLY".into(), a.span.clone());
            }
            "this statement"
        }
        _ => "this statement",
    };
    (name.to_string(), whole)
}

fn check(stmt: &Stmt, cx: &Context) -> Vec<Finding> {
    if !cx.effects.no_transaction || !cx.txn.in_transaction {
        return Vec::new();
    }
    let (what, span) = describe(stmt);
    let inside = if cx.txn.explicit {
        "inside the transaction block opened by BEGIN"
    } else {
        "inside the transaction the migration runs in"
    };
    let message = format!(
        "{what} cannot run inside a transaction block, and this one runs {inside}: PostgreSQL refuses it with SQLSTATE 25001 and the migration fails"
    );
    let summary = if cx.txn.explicit {
        "Take it out of the BEGIN ... COMMIT block: it must run outside any transaction block."
    } else {
        "It must run outside any transaction block; the statement itself stays as it is."
    };
    let mut after = Vec::new();
    if let StmtKind::CreateIndex { .. } | StmtKind::Reindex { .. } = &stmt.kind {
        after.push(
            "If a CONCURRENTLY build fails it leaves an INVALID index: DROP INDEX CONCURRENTLY it and retry."
                .to_string(),
        );
    }
    if let StmtKind::AlterTable { table, actions, .. } = &stmt.kind
        && let Some(partition) = actions.iter().find_map(|a| match &a.action {
            AlterAction::DetachPartition {
                partition,
                concurrently: true,
                ..
            } => Some(partition),
            _ => None,
        })
    {
        after.push(format!(
            "If the detach is interrupted, finish it with:\n  ALTER TABLE {} DETACH PARTITION {} FINALIZE;",
            table.sql(),
            partition.sql()
        ));
    }
    let sql = format!("{};", recipes::stmt_sql(cx, &stmt.span));
    let mut recipe = Recipe::new(summary)
        .step(Placement::OutsideTransaction, sql)
        // With BEGIN/COMMIT in the file, the fix is an edit of the block: left to the author.
        .fixable(!cx.txn.explicit);
    if !after.is_empty() {
        recipe = recipe.after(after.join("\n"));
    }
    let mut f = Finding::new(&RULE, span, message, String::new())
        .label("fails inside a transaction block (SQLSTATE 25001)")
        .recipe(recipe);
    if let Some(l) = cx.effects.locks.first() {
        f = f.table(&l.rel);
    }
    vec![f]
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{hits, lines};

    fn fired(toml: &str, sql: &str) -> Vec<usize> {
        lines("concurrently-in-transaction", toml, &[sql])
            .into_iter()
            .map(|(_, l)| l)
            .collect()
    }

    #[test]
    fn every_statement_that_refuses_a_transaction_block() {
        let sql = "BEGIN;\nCREATE INDEX CONCURRENTLY i ON t (a);\nDROP INDEX CONCURRENTLY i;\nREINDEX TABLE CONCURRENTLY t;\nREINDEX SCHEMA public;\nVACUUM t;\nVACUUM FULL t;\nCLUSTER;\nALTER TABLE p DETACH PARTITION p1 CONCURRENTLY;\nCLUSTER t USING i;\nREINDEX TABLE t;\nANALYZE t;\nCOMMIT;\nCREATE INDEX CONCURRENTLY j ON t (b);\n";
        assert_eq!(fired("", sql), vec![2, 3, 4, 5, 6, 7, 8, 9]);
    }

    #[test]
    fn the_option_form_of_reindex_concurrently() {
        let sql = "BEGIN;\nREINDEX (CONCURRENTLY) TABLE t;\nREINDEX (VERBOSE, CONCURRENTLY true) INDEX i;\nREINDEX (CONCURRENTLY false) TABLE t;\nCOMMIT;\n";
        assert_eq!(fired("", sql), vec![2, 3]);
    }

    #[test]
    fn cluster_wide_commands() {
        let sql = "BEGIN;\nCREATE DATABASE app2;\nDROP DATABASE IF EXISTS app2;\nCREATE TABLESPACE fast LOCATION '/ssd';\nDROP TABLESPACE fast;\nALTER SYSTEM SET work_mem = '64MB';\nCREATE SCHEMA s;\nCOMMIT;\nCREATE DATABASE app3;\n";
        assert_eq!(fired("", sql), vec![2, 3, 4, 5, 6]);
        let h = hits(
            "concurrently-in-transaction",
            "",
            &["BEGIN;\nALTER SYSTEM SET work_mem = '64MB';\nCOMMIT;\n"],
        );
        assert!(
            h[0].message
                .starts_with("ALTER SYSTEM cannot run inside a transaction block"),
            "{}",
            h[0].message
        );
    }

    #[test]
    fn whatever_the_size_and_inside_the_tools_transaction() {
        let toml = "[migrations]\nassume_in_transaction = true\n[tables]\nt = { rows = 10 }\n";
        let h = hits(
            "concurrently-in-transaction",
            toml,
            &["CREATE INDEX CONCURRENTLY i ON t (a);\n"],
        );
        assert_eq!(h.len(), 1);
        assert_eq!(h[0].severity, crate::config::Level::Error);
        assert!(h[0].message.contains("SQLSTATE 25001"));
        assert!(
            h[0].message
                .contains("the transaction the migration runs in")
        );
        assert_eq!(
            fired(
                "",
                "BEGIN;\nCREATE TABLE n (a int);\nCREATE INDEX CONCURRENTLY i ON n (a);\nCOMMIT;\n"
            ),
            vec![3]
        );
    }
}
