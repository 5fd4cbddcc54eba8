//! drop-foreign-key-locks-parent: DROP CONSTRAINT of a foreign key also takes ACCESS EXCLUSIVE on
//! the referenced table.

use super::{Context, Rule, Size};
use crate::config::Level;
use crate::finding::Finding;
use crate::model::{AlterAction, ConstraintKind, Stmt, StmtKind};

/// The rule.
pub(crate) const RULE: Rule = Rule {
    code: "LL036",
    name: "drop-foreign-key-locks-parent",
    default_level: Level::Warning,
    summary: "Dropping a foreign key takes ACCESS EXCLUSIVE on the referenced table too, blocking its reads and writes",
    doc: include_str!("../../rules/drop-foreign-key-locks-parent.md"),
    check,
    part_end: None,
};

fn check(stmt: &Stmt, cx: &Context) -> Vec<Finding> {
    let StmtKind::AlterTable { table, actions, .. } = &stmt.kind else {
        return Vec::new();
    };
    let Some(info) = cx.catalog.table(table) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for a in actions {
        let AlterAction::DropConstraint { name, .. } = &a.action else {
            continue;
        };
        let Some(ConstraintKind::ForeignKey { references, .. }) =
            info.constraint(name).map(|c| &c.kind)
        else {
            continue;
        };
        let parent = &references.table;
        if parent.same(table) || cx.size(parent) == Size::New {
            continue;
        }
        // The lock model decides the parent's lock; only report what it says.
        let Some(mode) = cx.effects.lock_on(parent).filter(|m| m.blocks().reads) else {
            continue;
        };
        let message = format!(
            "DROP CONSTRAINT `{name}` drops a foreign key, which also takes {} on the referenced table {} to remove its referential-integrity triggers: reads and writes of `{parent}` are blocked until commit, and queue behind any long-running transaction on it",
            mode.sql_name(),
            cx.describe(parent),
        );
        let (table, name) = (table.sql(), crate::model::sql::quote_ident(name));
        let help = format!(
            "The lock is brief but cannot be avoided: keep the statement in its own short transaction with a lock timeout, and retry when it times out:\n  SET lock_timeout = '5s';\n  ALTER TABLE {table} DROP CONSTRAINT {name};"
        );
        out.push(
            Finding::new(&RULE, a.span.clone(), message, help)
                .label(format!("also locks `{parent}` ACCESS EXCLUSIVE"))
                .lock(parent, mode),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{hits, lines};

    const RULE: &str = "drop-foreign-key-locks-parent";

    #[test]
    fn a_foreign_key_known_from_an_earlier_migration() {
        let create = "CREATE TABLE devices (id bigint PRIMARY KEY);\nCREATE TABLE readings (id bigint, device_id bigint REFERENCES devices (id), CONSTRAINT readings_id_check CHECK (id > 0));\n";
        let drop = "ALTER TABLE readings DROP CONSTRAINT readings_id_check;\nALTER TABLE readings DROP CONSTRAINT readings_device_id_fkey;\n";
        let h = hits(RULE, "[tables]\ndevices = { rows = 5 }\n", &[create, drop]);
        assert_eq!(h.len(), 1, "{h:?}");
        assert_eq!((h[0].file, h[0].line), (1, 2));
        assert_eq!(h[0].severity, crate::config::Level::Warning);
        assert!(
            h[0].message
                .contains("ACCESS EXCLUSIVE on the referenced table `devices`")
        );
        assert!(h[0].help.contains("SET lock_timeout"));
        // Both created in the same migration: silent.
        assert_eq!(lines(RULE, "", &[&format!("{create}{drop}")]), vec![]);
    }

    #[test]
    fn an_unknown_constraint_is_not_assumed_to_be_a_foreign_key() {
        let sql = "ALTER TABLE readings DROP CONSTRAINT readings_device_id_fkey;\n";
        assert_eq!(lines(RULE, "", &[sql]), vec![]);
    }
}
