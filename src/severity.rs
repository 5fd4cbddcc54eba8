//! The one severity pass. Rules create findings without deciding their level; here, per file,
//! and nowhere else:
//!
//! 1. the size class: a finding about a relation created in this migration or below
//!    `[size] large_rows` is dropped (its rule weighs size; findings that do not depend on size
//!    carry none and are kept) — unless its lock blocks reads or writes for an estimated
//!    window above `[size] max_blocking_seconds`;
//! 2. the level: `[[overrides]]` for the file's path, then `[rules]`, else the time budget (a
//!    size-weighed finding whose lock blocks reads or writes for an estimated window above
//!    `max_blocking_seconds` is an error, one at or below it a warning at most), else the
//!    rule's default; `off` drops the finding — for every rule, `parse-error` and
//!    `unused-suppression` included;
//! 3. suppressions (`-- locklint:ignore`), which may add `unused-suppression` findings, weighed
//!    by steps 1–2 in turn;
//!
//! and, for the whole run, `--fail-on`: [`fails`].

use crate::analyze::size::SizeClass;
use crate::config::{Level, Settings};
use crate::finding::Finding;
use crate::model::Span;
use crate::report::Summary;
use crate::source::SourceFile;
use std::path::Path;

/// Steps 1 and 2 for a list of findings of the file at `path` (`[[overrides]]` levels for
/// that path, else `[rules]`, else the rule's default).
pub fn levels(findings: &mut Vec<Finding>, settings: &Settings, path: &Path) {
    findings.retain_mut(|f| {
        // The estimated time the finding's lock blocks traffic (until COMMIT), when known.
        let window = f
            .estimate_seconds
            .filter(|_| f.size.is_some() && f.blocks.is_some_and(|b| b.blocks_traffic()));
        let over_budget = window.is_some_and(|w| w > settings.size.max_blocking_seconds);
        if matches!(f.size, Some(SizeClass::New | SizeClass::Small)) && !over_budget {
            return false;
        }
        // `severity` holds the rule's default until now.
        let budget = match window {
            Some(_) if over_budget => Level::Error,
            Some(_) => f.severity.min(Level::Warning),
            None => f.severity,
        };
        let level = settings.rule_level_at(path, f.rule).unwrap_or(budget);
        f.severity = level;
        level != Level::Off
    });
}

/// The whole pass for one file: `groups` are the findings of its statements, `loose` the rest
/// (file-level findings, and the statements' findings when they are not kept); `spans` the
/// byte range of every statement, in order.
pub fn apply<'a>(
    settings: &Settings,
    source: &SourceFile,
    spans: &[Span],
    groups: impl Iterator<Item = &'a mut Vec<Finding>>,
    loose: &mut Vec<Finding>,
) {
    let path = Path::new(&source.name);
    let mut groups: Vec<&mut Vec<Finding>> = groups.collect();
    for g in &mut groups {
        levels(g, settings, path);
    }
    levels(loose, settings, path);
    let mut unused = crate::suppress::apply(
        source,
        spans,
        groups.into_iter().chain(std::iter::once(&mut *loose)),
    );
    levels(&mut unused, settings, path);
    loose.extend(unused);
}

/// Whether a run with these counts fails at `--fail-on` (exit code 1).
pub fn fails(summary: &Summary, fail_on: Level) -> bool {
    match fail_on {
        Level::Error => summary.errors > 0,
        Level::Warning => summary.errors + summary.warnings > 0,
        Level::Info => summary.errors + summary.warnings + summary.infos > 0,
        Level::Off => false,
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{all_hits, settings};

    const BAD: &str = "SELEKT nonsense;\n-- locklint:ignore truncate-table\nSELECT 1;\nCREATE INDEX i ON big (a);\n";

    fn rules_of(toml: &str) -> Vec<&'static str> {
        let _ = settings(toml);
        let mut v: Vec<_> = all_hits(toml, &[BAD]).into_iter().map(|h| h.rule).collect();
        v.sort();
        v
    }

    #[test]
    fn every_rule_level_is_honoured_including_parse_error_and_unused_suppression() {
        assert_eq!(
            rules_of(""),
            [
                "create-index-non-concurrently",
                "missing-lock-timeout",
                "parse-error",
                "unused-suppression"
            ]
        );
        let off = "[rules]\nparse-error = \"off\"\nunused-suppression = \"off\"\n";
        assert_eq!(
            rules_of(off),
            ["create-index-non-concurrently", "missing-lock-timeout"]
        );
        let h = all_hits("[rules]\nparse-error = \"error\"\n", &[BAD]);
        let pe = h
            .iter()
            .find(|h| h.rule == "parse-error")
            .expect("parse-error");
        assert_eq!(pe.severity, crate::config::Level::Error);
    }

    #[test]
    fn size_class_drops_findings_on_small_and_new_tables_only() {
        let small = "[tables]\nbig = { rows = 10 }\n";
        assert!(!rules_of(small).contains(&"create-index-non-concurrently"));
        let new = "CREATE TABLE big (a int);\nCREATE INDEX i ON big (a);\n";
        let h = all_hits("", &[new]);
        assert!(
            h.iter().all(|h| h.rule != "create-index-non-concurrently"),
            "{h:?}"
        );
    }

    fn index_on(toml: &str, sql: &str) -> Vec<crate::rules::testing::Hit> {
        all_hits(toml, &[sql])
            .into_iter()
            .filter(|h| h.rule == "create-index-non-concurrently")
            .collect()
    }

    #[test]
    fn a_blocking_window_above_the_budget_is_an_error_even_below_large_rows() {
        // 500k rows (small) but 50 GB: ~1 s sorting + ~250 s reading the heap.
        let toml = "[tables]\nt = { rows = 500_000, bytes = \"50 GB\" }\n";
        let h = index_on(toml, "CREATE INDEX i ON t (a);\n");
        assert_eq!(h.len(), 1, "{h:#?}");
        assert_eq!(h[0].severity, crate::config::Level::Error);
        assert!(
            h[0].message.contains("`t` (~500k rows, 50 GB)"),
            "{}",
            h[0].message
        );
        assert!(h[0].message.contains("~4 min"), "{}", h[0].message);
        // The same table with only its rows known is small and quick: dropped.
        assert!(
            index_on(
                "[tables]\nt = { rows = 500_000 }\n",
                "CREATE INDEX i ON t (a);\n"
            )
            .is_empty()
        );
    }

    #[test]
    fn a_window_within_the_budget_is_a_warning_at_most_on_a_large_table() {
        // 2M rows x 100 B: 4 s sorting + 1 s reading = 5 s, not above the default budget.
        let toml = "[tables]\nt = { rows = 2_000_000 }\n";
        let h = index_on(toml, "CREATE INDEX i ON t (a);\n");
        assert_eq!(h.len(), 1, "{h:#?}");
        assert_eq!(h[0].severity, crate::config::Level::Warning);
        let tight = format!("[size]\nmax_blocking_seconds = 1\n{toml}");
        assert_eq!(
            index_on(&tight, "CREATE INDEX i ON t (a);\n")[0].severity,
            crate::config::Level::Error
        );
        // Without a hint there is no estimate: assumed large, an error as before.
        assert_eq!(
            index_on("", "CREATE INDEX i ON t (a);\n")[0].severity,
            crate::config::Level::Error
        );
        // An explicit [rules] level wins over the budget.
        let capped = format!("[rules]\ncreate-index-non-concurrently = \"info\"\n{tight}");
        assert_eq!(
            index_on(&capped, "CREATE INDEX i ON t (a);\n")[0].severity,
            crate::config::Level::Info
        );
    }

    #[test]
    fn the_window_covers_the_later_work_of_the_transaction_until_commit() {
        let toml = "[tables]\nt = { rows = 2_000_000 }\nother = { rows = 1_000_000 }\n";
        // The index build alone is 5 s (a warning); the UPDATE after it (10 s) runs while its
        // SHARE lock on `t` is still held.
        let sql = "BEGIN;\nCREATE INDEX i ON t (a);\nUPDATE other SET x = 1;\nCOMMIT;\n";
        let h = index_on(toml, sql);
        assert_eq!(h.len(), 1, "{h:#?}");
        assert_eq!(h[0].severity, crate::config::Level::Error);
        assert!(
            h[0].message.contains(
                "With the work after it in this transaction, its lock keeps writes of `t` blocked for ~15 s in all, until COMMIT"
            ),
            "{}",
            h[0].message
        );
        // Committed before the UPDATE: 5 s, a warning, and no window sentence.
        let sql = "BEGIN;\nCREATE INDEX i ON t (a);\nCOMMIT;\nUPDATE other SET x = 1;\n";
        let h = index_on(toml, sql);
        assert_eq!(h[0].severity, crate::config::Level::Warning);
        assert!(
            !h[0].message.contains("Held until COMMIT"),
            "{}",
            h[0].message
        );
    }
}
