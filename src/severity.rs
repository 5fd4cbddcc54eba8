//! The one severity pass. Rules create findings without deciding their level; here, per file,
//! and nowhere else:
//!
//! 1. the size class: a finding about a relation created in this migration or below
//!    `[size] large_rows` is dropped (its rule weighs size; findings that do not depend on size
//!    carry none and are kept);
//! 2. the level: `[[overrides]]` for the file's path, then `[rules]`, else the rule's default; `off` drops the finding — for
//!    every rule, `parse-error` and `unused-suppression` included;
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
        if matches!(f.size, Some(SizeClass::New | SizeClass::Small)) {
            return false;
        }
        // `severity` holds the rule's default until now.
        let level = settings.rule_level_at(path, f.rule).unwrap_or(f.severity);
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
}
