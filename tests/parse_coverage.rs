//! Statements sqlparser rejects that the fallback recognizer must still place (found on the
//! corpus): kind and relations known, effects conservative.

use locklint::config::Settings;
use locklint::model::{LockMode, Parsed};

fn only_stmt(sql: &str) -> locklint::analyze::Analyzed {
    let mut r = locklint::pipeline::lint_text("t.sql", sql, &Settings::default());
    assert_eq!(r.stmts.len(), 1, "{sql}");
    r.stmts.remove(0)
}

#[test]
fn alter_constraint_deferrability_is_recognized() {
    for sql in [
        "ALTER TABLE comment_aggregates\n    ALTER CONSTRAINT comment_aggregates_comment_id_fkey INITIALLY DEFERRED;",
        "ALTER TABLE t ALTER CONSTRAINT t_fk NOT DEFERRABLE;",
        "ALTER TABLE t ADD CONSTRAINT c CHECK (num_nonnulls(a, b) = 1), ALTER CONSTRAINT t_a_fkey NOT DEFERRABLE, ALTER CONSTRAINT t_b_fkey NOT DEFERRABLE;",
    ] {
        let a = only_stmt(sql);
        assert!(
            matches!(a.stmt.parsed, Parsed::Recognized | Parsed::Full),
            "{sql}: {:?}",
            a.stmt.parsed
        );
        assert!(
            !a.findings.iter().any(|f| f.rule == "parse-error"),
            "{sql}: {:?}",
            a.findings
        );
        let lock = a
            .effects
            .locks
            .first()
            .map(|l| (l.rel.name.as_str(), l.mode));
        assert!(
            matches!(lock, Some((_, LockMode::AccessExclusive))),
            "{sql}: {lock:?}"
        );
    }
}
