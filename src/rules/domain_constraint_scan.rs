//! domain-constraint-scan: ALTER DOMAIN ADD CHECK / VALIDATE CONSTRAINT / SET NOT NULL, which
//! read every table with a column of the domain under a lock that blocks writes.

use super::{Context, Rule};
use crate::config::Level;
use crate::finding::Finding;
use crate::locks::Action;
use crate::model::{DomainChange, Stmt, StmtKind};

/// The rule.
pub(crate) const RULE: Rule = Rule {
    code: "LL017",
    name: "domain-constraint-scan",
    default_level: Level::Error,
    summary: "ALTER DOMAIN ADD CHECK / VALIDATE / SET NOT NULL reads every table using the domain under a SHARE lock that blocks writes",
    doc: include_str!("../../rules/domain-constraint-scan.md"),
    check,
    part_end: None,
};

fn check(stmt: &Stmt, cx: &Context) -> Vec<Finding> {
    let StmtKind::AlterDomain { name, change } = &stmt.kind else {
        return Vec::new();
    };
    let what = match change {
        DomainChange::AddCheck { .. } => "ALTER DOMAIN ... ADD CHECK",
        DomainChange::Validate => "ALTER DOMAIN ... VALIDATE CONSTRAINT",
        DomainChange::SetNotNull => "ALTER DOMAIN ... SET NOT NULL",
        DomainChange::Other => return Vec::new(),
    };
    let help = match change {
        DomainChange::AddCheck { .. } => format!(
            "Add the constraint NOT VALID (new and updated values are checked at once, no table is read), and validate it only in a quiet window: VALIDATE on a domain still takes SHARE on every table using it. To check existing rows without blocking writes, add the CHECK to each table instead (NOT VALID, then VALIDATE under SHARE UPDATE EXCLUSIVE):\n  {} NOT VALID;",
            cx.text(&stmt.span).trim().trim_end_matches(';').trim_end()
        ),
        DomainChange::Validate => "VALIDATE on a domain takes SHARE on every table using it (unlike ALTER TABLE ... VALIDATE CONSTRAINT, which takes SHARE UPDATE EXCLUSIVE): run it in a quiet window, or check the tables with table CHECK constraints added NOT VALID and validated one table at a time.".to_string(),
        _ => "Add a table CHECK (col IS NOT NULL) NOT VALID on each column of the domain and VALIDATE it (SHARE UPDATE EXCLUSIVE); run the domain's SET NOT NULL only where the tables are small or in a quiet window.".to_string(),
    };
    cx.effects
        .direct_work()
        .filter(|w| {
            matches!(
                w.cause.action,
                Action::AlterDomainAddCheck
                    | Action::AlterDomainValidate
                    | Action::AlterDomainSetNotNull
            )
        })
        .map(|w| {
            let h = cx.work_hazard(w);
            let message = format!(
                "{what} checks every stored value of the domain `{name}`: it holds {} on {}, a table with a column of that type, blocking {}, while it reads every row{}",
                h.a_lock(),
                h.described,
                h.blocked(),
                h.for_how_long,
            );
            Finding::new(&RULE, stmt.span.clone(), message, help.clone())
                .label("reads every row using the domain while writes wait")
                .hazard(&h)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{self, Fired};

    const SIZES: &str = "[tables]\nbig = { rows = 5_000_000 }\ntiny = { rows = 10 }\n";
    const SCHEMA: &str = "CREATE DOMAIN pos AS int;
        CREATE TABLE big (id bigint, p pos);
        CREATE TABLE tiny (id bigint, q pos);
        CREATE TABLE other (id bigint, n int);";

    fn fired(sql: &str) -> Vec<Fired> {
        testing::fired(super::RULE.name, SIZES, &[SCHEMA, sql])
    }

    #[test]
    fn every_large_table_using_the_domain() {
        for sql in [
            "ALTER DOMAIN pos ADD CONSTRAINT pos_check CHECK (VALUE > 0);",
            "ALTER DOMAIN pos VALIDATE CONSTRAINT pos_check;",
            "ALTER DOMAIN pos SET NOT NULL;",
        ] {
            let f = fired(sql);
            assert_eq!(f.len(), 1, "{sql}: {f:?}");
            assert!(
                f[0].message.contains("SHARE lock on `big`"),
                "{}",
                f[0].message
            );
            assert!(f[0].message.contains("blocking writes"), "{}", f[0].message);
        }
    }

    #[test]
    fn not_valid_and_other_changes_read_nothing() {
        assert!(fired("ALTER DOMAIN pos ADD CONSTRAINT c CHECK (VALUE > 0) NOT VALID;").is_empty());
        assert!(fired("ALTER DOMAIN pos DROP CONSTRAINT c;").is_empty());
        assert!(fired("ALTER DOMAIN other_domain SET NOT NULL;").is_empty());
    }
}
