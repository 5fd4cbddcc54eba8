//! validate-in-same-transaction: VALIDATE CONSTRAINT in the transaction that added the constraint
//! NOT VALID, so the ADD's strong lock is still held while every row is checked.

use super::{Context, Rule};
use crate::config::Level;
use crate::finding::Finding;
use crate::locks::Action as ModelAction;
use crate::model::{Action, AlterAction, ConstraintKind, ObjName, Span, Stmt, StmtKind, WorkKind};

/// The rule.
pub(crate) const RULE: Rule = Rule {
    code: "LL016",
    name: "validate-in-same-transaction",
    default_level: Level::Error,
    summary: "VALIDATE CONSTRAINT in the same transaction as its ADD ... NOT VALID keeps the ADD's lock while every row is checked",
    doc: include_str!("../../rules/validate-in-same-transaction.md"),
    check,
    part_end: None,
};

/// Where the constraint was added NOT VALID without a commit since.
#[derive(Debug, Clone, Copy, PartialEq)]
enum AddedIn {
    /// An earlier statement of the current transaction.
    EarlierStatement,
    /// An earlier action of this ALTER TABLE.
    ThisStatement,
}

/// Where the constraint was added NOT VALID, and its kind when known.
fn added_not_valid(
    cx: &Context,
    table: &ObjName,
    name: &str,
    earlier_actions: &[Action],
) -> Option<(AddedIn, Option<ConstraintKind>)> {
    let in_stmt = earlier_actions.iter().find_map(|a| match &a.action {
        AlterAction::AddConstraint(c) if c.not_valid && c.name.as_deref() == Some(name) => {
            Some(c.kind.clone())
        }
        _ => None,
    });
    if let Some(kind) = in_stmt {
        return Some((AddedIn::ThisStatement, Some(kind)));
    }
    let earlier = cx.txn.in_transaction
        && cx
            .txn
            .not_valid_added
            .iter()
            .any(|(t, n)| t.same(table) && n == name);
    earlier.then(|| {
        let kind = cx
            .catalog
            .table(table)
            .and_then(|t| t.constraint(name))
            .map(|c| c.kind.clone());
        (AddedIn::EarlierStatement, kind)
    })
}

fn check(stmt: &Stmt, cx: &Context) -> Vec<Finding> {
    let StmtKind::AlterTable { table, actions, .. } = &stmt.kind else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (i, a) in actions.iter().enumerate() {
        let AlterAction::ValidateConstraint { name } = &a.action else {
            continue;
        };
        let Some((added, kind)) = added_not_valid(cx, table, name, &actions[..i]) else {
            out.extend(stronger_clause(cx, table, name, a.span.clone()));
            continue;
        };
        out.extend(finding(cx, table, name, added, kind, a.span.clone()));
    }
    out
}

/// VALIDATE in an ALTER TABLE whose other clauses lock the table more strongly than VALIDATE's
/// own SHARE UPDATE EXCLUSIVE: the validation reads every row under that lock (observed on
/// PostgreSQL 15: `VALIDATE CONSTRAINT c, DROP COLUMN x` scans under ACCESS EXCLUSIVE).
fn stronger_clause(cx: &Context, table: &ObjName, name: &str, span: Span) -> Option<Finding> {
    let own = cx.model_lock(ModelAction::ValidateConstraint)?;
    let held = cx.effects.lock_on(table)?;
    if held <= own {
        return None;
    }
    let h = cx.hazard(table, Some(WorkKind::Validate));
    let message = format!(
        "VALIDATE CONSTRAINT `{name}` shares its ALTER TABLE with a clause that takes {} on {}: every row is checked under that lock, blocking {}{}, instead of under VALIDATE's own SHARE UPDATE EXCLUSIVE",
        h.a_lock(),
        h.described,
        h.blocked(),
        h.for_how_long,
    );
    let (table, name) = (table.sql(), crate::model::sql::quote_ident(name));
    let help = format!(
        "Validate in a statement of its own, in its own transaction (SHARE UPDATE EXCLUSIVE does not block reads or writes):\n  ALTER TABLE {table} VALIDATE CONSTRAINT {name};\n  -- the other changes in a separate statement and transaction"
    );
    Some(
        Finding::new(&RULE, span, message, help)
            .label("validates every row under the stronger lock")
            .hazard(&h),
    )
}

fn finding(
    cx: &Context,
    table: &ObjName,
    name: &str,
    added: AddedIn,
    kind: Option<ConstraintKind>,
    span: Span,
) -> Option<Finding> {
    let held = match added {
        AddedIn::EarlierStatement => cx
            .txn
            .held
            .iter()
            .find(|h| h.rel.same(table))
            .map(|h| h.mode),
        AddedIn::ThisStatement => cx.effects.lock_on(table),
    };
    // What the ADD ... NOT VALID took, from the model when the transaction does not show it.
    let (added_by, parent) = match &kind {
        Some(ConstraintKind::ForeignKey { references, .. }) => (
            ModelAction::AddForeignKeyNotValid,
            Some(&references.table).filter(|p| !p.same(table)),
        ),
        _ => (ModelAction::AddCheckNotValid, None),
    };
    let mode = held.or_else(|| cx.model_lock(added_by))?;
    let parent = match (parent, cx.model_lock(ModelAction::ForeignKeyReferenced)) {
        (Some(p), Some(m)) => format!(
            " (and {} on `{p}`, blocking its {})",
            m.sql_name(),
            m.blocks().describe()
        ),
        _ => String::new(),
    };
    let h = cx.hazard(table, Some(WorkKind::Validate));
    let where_ = match added {
        AddedIn::EarlierStatement => "the same transaction as",
        AddedIn::ThisStatement => "the same ALTER TABLE as",
    };
    let message = format!(
        "VALIDATE CONSTRAINT `{name}` runs in {where_} the ADD ... NOT VALID that created it: the {} lock the ADD took on {} is still held, blocking {}{parent}, while VALIDATE checks every row{}; NOT VALID bought nothing",
        mode.sql_name(),
        h.described,
        mode.blocks().describe(),
        h.for_how_long,
    );
    let help = format!(
        "Commit between the two steps: keep the ADD ... NOT VALID in its own short transaction and validate in the next one (VALIDATE alone takes SHARE UPDATE EXCLUSIVE, which does not block reads or writes):\n  COMMIT;  -- right after the ADD CONSTRAINT ... NOT VALID\nIn the next migration or transaction:\n  ALTER TABLE {} VALIDATE CONSTRAINT {};",
        table.sql(),
        crate::model::sql::quote_ident(name)
    );
    let mut f = Finding::new(&RULE, span, message, help)
        .label("validates every row while the ADD's lock is still held")
        .hazard(&h);
    f.lock = Some(mode);
    f.blocks = Some(mode.blocks());
    Some(f)
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{self, Fired};

    const SIZES: &str = "[tables]\nbig = { rows = 5_000_000 }\n";
    const ADD_CHECK: &str = "ALTER TABLE big ADD CONSTRAINT c CHECK (a > 0) NOT VALID;";
    const VALIDATE: &str = "ALTER TABLE big VALIDATE CONSTRAINT c;";

    fn fired(toml: &str, sql: &str) -> Vec<Fired> {
        testing::fired(super::RULE.name, toml, &[sql])
    }

    #[test]
    fn explicit_transaction() {
        let f = fired(SIZES, &format!("BEGIN; {ADD_CHECK} {VALIDATE} COMMIT;"));
        assert_eq!(f.len(), 1);
        assert!(
            f[0].message
                .contains("ACCESS EXCLUSIVE lock the ADD took on `big`")
        );
        let f = fired(
            SIZES,
            &format!("BEGIN; {ADD_CHECK} COMMIT; BEGIN; {VALIDATE} COMMIT;"),
        );
        assert!(f.is_empty(), "{f:?}");
    }

    #[test]
    fn autocommit_is_fine_unless_the_tool_wraps_the_file() {
        assert!(fired(SIZES, &format!("{ADD_CHECK} {VALIDATE}")).is_empty());
        let wrapped = format!("[migrations]\nassume_in_transaction = true\n{SIZES}");
        assert_eq!(fired(&wrapped, &format!("{ADD_CHECK} {VALIDATE}")).len(), 1);
    }

    #[test]
    fn same_statement_and_foreign_keys() {
        let f = fired(
            SIZES,
            "ALTER TABLE big ADD CONSTRAINT c CHECK (a > 0) NOT VALID, VALIDATE CONSTRAINT c;",
        );
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].clause, "VALIDATE CONSTRAINT c");
        let f = fired(
            SIZES,
            "BEGIN;
             ALTER TABLE big ADD CONSTRAINT fk FOREIGN KEY (p) REFERENCES parent (id) NOT VALID;
             ALTER TABLE big VALIDATE CONSTRAINT fk;
             COMMIT;",
        );
        assert_eq!(f.len(), 1);
        assert!(
            f[0].message
                .contains("SHARE ROW EXCLUSIVE lock the ADD took on `big`")
        );
        assert!(f[0].message.contains("SHARE ROW EXCLUSIVE on `parent`"));
    }

    #[test]
    fn validate_next_to_a_stronger_clause_runs_under_its_lock() {
        let f = fired(
            SIZES,
            "ALTER TABLE big VALIDATE CONSTRAINT c, DROP COLUMN x;",
        );
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].clause, "VALIDATE CONSTRAINT c");
        assert!(
            f[0].message.contains("ACCESS EXCLUSIVE lock on `big`"),
            "{}",
            f[0].message
        );
        // Alone, or next to a clause no stronger than its own lock: fine.
        assert!(fired(SIZES, VALIDATE).is_empty());
        assert!(
            fired(
                SIZES,
                "ALTER TABLE big VALIDATE CONSTRAINT c, ALTER COLUMN a SET STATISTICS 100;"
            )
            .is_empty()
        );
        let small = "[tables]\nbig = { rows = 50 }\n";
        assert!(
            fired(
                small,
                "ALTER TABLE big VALIDATE CONSTRAINT c, DROP COLUMN x;"
            )
            .is_empty()
        );
    }

    #[test]
    fn other_constraints_and_small_tables_are_fine() {
        let f = fired(
            SIZES,
            "BEGIN; ALTER TABLE big ADD CONSTRAINT d CHECK (a > 0) NOT VALID; ALTER TABLE big VALIDATE CONSTRAINT c; COMMIT;",
        );
        assert!(f.is_empty());
        let small = "[tables]\nbig = { rows = 50 }\n";
        assert!(fired(small, &format!("BEGIN; {ADD_CHECK} {VALIDATE} COMMIT;")).is_empty());
    }
}
