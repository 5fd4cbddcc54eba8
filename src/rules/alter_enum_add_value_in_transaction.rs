//! alter-enum-add-value-in-transaction: ALTER TYPE ... ADD VALUE inside a transaction block before
//! PostgreSQL 12, where it fails.

use super::{Context, Rule};
use crate::config::Level;
use crate::finding::Finding;
use crate::model::{Stmt, StmtKind};

/// The rule.
pub(crate) const RULE: Rule = Rule {
    code: "LL031",
    name: "alter-enum-add-value-in-transaction",
    default_level: Level::Error,
    summary: "ALTER TYPE ... ADD VALUE inside a transaction block fails before PostgreSQL 12",
    doc: include_str!("../../rules/alter-enum-add-value-in-transaction.md"),
    check,
    part_end: None,
};

/// The first version that accepts ADD VALUE inside a transaction block.
const ALLOWED_FROM: u32 = 12;

fn check(stmt: &Stmt, cx: &Context) -> Vec<Finding> {
    let StmtKind::AlterTypeAddValue { name } = &stmt.kind else {
        return Vec::new();
    };
    let version = cx.settings.postgres_version;
    if !cx.txn.in_transaction || version >= ALLOWED_FROM {
        return Vec::new();
    }
    let inside = if cx.txn.explicit {
        "inside the transaction block opened by BEGIN"
    } else {
        "inside the transaction the migration runs in"
    };
    let message = format!(
        "ALTER TYPE `{name}` ADD VALUE runs {inside}: before PostgreSQL 12 (target: {version}) it cannot run in a transaction block, so PostgreSQL refuses it with SQLSTATE 25001 and the migration fails"
    );
    let help = format!(
        "Put it in a migration of its own that runs outside a transaction block (no BEGIN/COMMIT, the tool's transaction turned off):\n  {};\nFrom PostgreSQL 12 on it may run in a transaction block, but the new value cannot be used before COMMIT.",
        cx.text(&stmt.span).trim().trim_end_matches(';').trim_end()
    );
    vec![
        Finding::new(&RULE, stmt.span.clone(), message, help)
            .label("fails inside a transaction block before PostgreSQL 12"),
    ]
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::lines;

    const SQL: &str =
        "BEGIN;\nALTER TYPE mood ADD VALUE 'x';\nCOMMIT;\nALTER TYPE mood ADD VALUE 'y';\n";

    #[test]
    fn only_before_12_and_only_in_a_transaction() {
        let rule = "alter-enum-add-value-in-transaction";
        assert_eq!(lines(rule, "postgres_version = 11", &[SQL]), vec![(0, 2)]);
        assert_eq!(lines(rule, "postgres_version = 12", &[SQL]), vec![]);
        assert_eq!(lines(rule, "", &[SQL]), vec![]);
        let wrapped = "postgres_version = 11\n[migrations]\nassume_in_transaction = true\n";
        assert_eq!(
            lines(rule, wrapped, &["ALTER TYPE mood ADD VALUE 'y';\n"]),
            vec![(0, 1)]
        );
    }
}
