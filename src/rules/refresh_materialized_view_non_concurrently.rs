//! refresh-materialized-view-non-concurrently: REFRESH MATERIALIZED VIEW without CONCURRENTLY.

use super::{Context, Rule};
use crate::config::Level;
use crate::finding::Finding;
use crate::locks::Action;
use crate::model::{Stmt, StmtKind};

/// The rule.
pub(crate) const RULE: Rule = Rule {
    code: "LL023",
    name: "refresh-materialized-view-non-concurrently",
    default_level: Level::Error,
    summary: "REFRESH MATERIALIZED VIEW without CONCURRENTLY blocks reads of the view while it is rebuilt",
    doc: include_str!("../../rules/refresh-materialized-view-non-concurrently.md"),
    check,
    part_end: None,
};

fn check(stmt: &Stmt, cx: &Context) -> Vec<Finding> {
    let StmtKind::RefreshMatView {
        name,
        concurrently: false,
    } = &stmt.kind
    else {
        return Vec::new();
    };
    let Some(w) = cx
        .effects
        .direct_work()
        .find(|w| w.cause.action == Action::RefreshMatView)
    else {
        return Vec::new();
    };
    let h = cx.work_hazard(w);
    let reads = cx
        .catalog
        .view(name)
        .map(|v| {
            v.reads
                .iter()
                .map(|r| format!("`{r}`"))
                .collect::<Vec<_>>()
                .join(", ")
        })
        .filter(|s| !s.is_empty())
        .map(|s| format!(" (reading {s})"))
        .unwrap_or_default();
    let message = format!(
        "REFRESH MATERIALIZED VIEW holds {} on {} that blocks every read of it while the defining query runs{reads} and the view is rebuilt{}",
        h.a_lock(),
        h.described,
        h.for_how_long,
    );
    let help = format!(
        "Give the view a unique index once, on columns that identify its rows (CREATE UNIQUE INDEX CONCURRENTLY), then refresh it concurrently (EXCLUSIVE lock: reads of the view continue while it refreshes):\n  REFRESH MATERIALIZED VIEW CONCURRENTLY {};",
        name.sql()
    );
    vec![
        Finding::new(&RULE, stmt.span.clone(), message, help)
            .label("blocks reads of the view until commit")
            .hazard(&h),
    ]
}

#[cfg(test)]
mod tests {
    use crate::config::Settings;
    use crate::model::{LockMode, WorkKind};

    #[test]
    fn a_view_created_with_no_data_in_the_migration_is_new() {
        for suffix in ["WITH NO DATA", "WITH DATA"] {
            let sql = format!(
                "CREATE MATERIALIZED VIEW totals AS SELECT day FROM sales {suffix};\nREFRESH MATERIALIZED VIEW totals;"
            );
            let res = crate::pipeline::lint_text("t.sql", &sql, &Settings::default());
            assert_eq!(res.findings().count(), 0, "{sql}");
        }
    }

    #[test]
    fn locks_and_work_follow_the_observed_table() {
        let earlier = crate::source::SourceFile::new(
            "0001.sql",
            "CREATE TABLE sales (day date, amount numeric);\nCREATE MATERIALIZED VIEW totals AS SELECT day, sum(amount) FROM sales GROUP BY day;".into(),
        );
        let now = crate::source::SourceFile::new(
            "0002.sql",
            "REFRESH MATERIALIZED VIEW totals;\nREFRESH MATERIALIZED VIEW CONCURRENTLY totals;"
                .into(),
        );
        let res = crate::pipeline::lint_sources(
            vec![(earlier, Vec::new()), (now, Vec::new())],
            &Settings::default(),
        )
        .remove(1);
        let plain = &res.stmts[0];
        let mv = crate::model::ObjName::bare("totals");
        let sales = crate::model::ObjName::bare("sales");
        assert_eq!(plain.effects.lock_on(&mv), Some(LockMode::AccessExclusive));
        assert_eq!(plain.effects.lock_on(&sales), Some(LockMode::AccessShare));
        assert!(plain.effects.rewrites(&mv));
        assert!(plain.effects.scanned().iter().any(|r| r.same(&sales)));
        let own: Vec<_> = plain
            .findings
            .iter()
            .filter(|f| f.rule == super::RULE.name)
            .collect();
        assert_eq!(own.len(), 1);
        assert!(own[0].message.contains("(reading `sales`)"));
        let conc = &res.stmts[1];
        assert_eq!(conc.effects.lock_on(&mv), Some(LockMode::Exclusive));
        assert!(!conc.effects.rewrites(&mv));
        assert!(
            conc.effects
                .work
                .iter()
                .any(|w| w.kind == WorkKind::Scan && w.rel.same(&mv))
        );
        assert!(conc.findings.iter().all(|f| f.rule != super::RULE.name));
    }
}
