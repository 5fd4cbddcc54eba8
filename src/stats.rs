//! Parse coverage and finding counts per group of files (`check --stats`, the corpus test).

use crate::report::FileResult;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

/// Counts for one group of files.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Stats {
    /// Files linted.
    pub files: usize,
    /// Statements found.
    pub statements: usize,
    /// Statements sqlparser parsed completely.
    pub parsed: usize,
    /// Statements the fallback recognized (kind and relations known).
    pub recognized: usize,
    /// Statements not understood, wholly or in part (an ALTER TABLE with an unparsed action):
    /// the summary's `unparsed`.
    pub unparsed: usize,
    /// Findings by rule name.
    pub findings: BTreeMap<&'static str, usize>,
}

impl Stats {
    /// Add one file's counts.
    pub fn add(&mut self, file: &FileResult) {
        self.files += 1;
        let c = &file.counts;
        self.statements += c.statements;
        self.parsed += c.parsed;
        self.recognized += c.recognized;
        self.unparsed += c.not_understood();
        for f in file.findings() {
            *self.findings.entry(f.rule).or_default() += 1;
        }
    }

    /// Share of statements parsed or recognized (1.0 for no statements).
    pub fn understood(&self) -> f64 {
        if self.statements == 0 {
            1.0
        } else {
            (self.parsed + self.recognized) as f64 / self.statements as f64
        }
    }

    /// Counts over files, grouped by `group` (groups sorted by name).
    pub(crate) fn grouped<'a>(
        files: &'a [FileResult],
        group: impl Fn(&'a FileResult) -> String,
    ) -> BTreeMap<String, Stats> {
        let mut out: BTreeMap<String, Stats> = BTreeMap::new();
        for f in files {
            out.entry(group(f)).or_default().add(f);
        }
        out
    }
}

/// The group of a file named `name` found under one of `roots` (the paths given on the command
/// line): the root itself, or, for a root holding a corpus `MANIFEST.toml`, the root's
/// sub-directory the file is in (one group per project). Files under no root are their own
/// group.
pub(crate) fn group_of(name: &str, roots: &[(String, bool)]) -> String {
    let path = Path::new(name);
    for (root, per_project) in roots {
        let Ok(rest) = path.strip_prefix(root) else {
            continue;
        };
        let mut parts = rest.components();
        return match (per_project, parts.next(), parts.next()) {
            (true, Some(first), Some(_)) => Path::new(root)
                .join(first.as_os_str())
                .display()
                .to_string(),
            _ => root.clone(),
        };
    }
    name.to_string()
}

/// The roots for [`group_of`]: each path as displayed, and whether it holds a corpus manifest.
pub(crate) fn roots(paths: &[std::path::PathBuf]) -> Vec<(String, bool)> {
    let mut roots: Vec<(String, bool)> = paths
        .iter()
        .map(|p| {
            let shown = p.display().to_string();
            let shown = shown.strip_prefix("./").unwrap_or(&shown).to_string();
            (shown, p.join("MANIFEST.toml").is_file())
        })
        .collect();
    // The longest root first, so nested roots win.
    roots.sort_by_key(|(r, _)| std::cmp::Reverse(r.len()));
    roots
}

/// A plain-text table: one row per group, then the total, then findings by rule.
pub fn table(groups: &BTreeMap<String, Stats>) -> String {
    let mut total = Stats::default();
    for s in groups.values() {
        total.files += s.files;
        total.statements += s.statements;
        total.parsed += s.parsed;
        total.recognized += s.recognized;
        total.unparsed += s.unparsed;
        for (rule, n) in &s.findings {
            *total.findings.entry(rule).or_default() += n;
        }
    }
    let width = groups.keys().map(String::len).chain([5]).max().unwrap_or(5);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:<width$}  {:>6}  {:>10}  {:>8}  {:>10}  {:>8}  {:>8}  {:>8}",
        "group", "files", "statements", "parsed", "recognized", "unparsed", "ok %", "findings"
    );
    let row = |out: &mut String, name: &str, s: &Stats| {
        let _ = writeln!(
            out,
            "{:<width$}  {:>6}  {:>10}  {:>8}  {:>10}  {:>8}  {:>8.2}  {:>8}",
            name,
            s.files,
            s.statements,
            s.parsed,
            s.recognized,
            s.unparsed,
            s.understood() * 100.0,
            s.findings.values().sum::<usize>()
        );
    };
    for (name, s) in groups {
        row(&mut out, name, s);
    }
    row(&mut out, "total", &total);
    if !total.findings.is_empty() {
        let _ = writeln!(out, "\nfindings by rule:");
        let w = total.findings.keys().map(|k| k.len()).max().unwrap_or(0);
        for (rule, n) in &total.findings {
            let _ = writeln!(out, "  {rule:<w$}  {n:>7}");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_by_root_or_by_project_under_a_corpus() {
        let roots = vec![
            ("corpus".to_string(), true),
            ("db/migrations".to_string(), false),
        ];
        assert_eq!(group_of("corpus/lemmy/m/1/up.sql", &roots), "corpus/lemmy");
        assert_eq!(group_of("corpus/top.sql", &roots), "corpus");
        assert_eq!(group_of("db/migrations/2/x.sql", &roots), "db/migrations");
        assert_eq!(group_of("elsewhere.sql", &roots), "elsewhere.sql");
    }

    #[test]
    fn table_has_a_row_per_group_and_a_total() {
        let r = crate::pipeline::lint_text(
            "a.sql",
            "CREATE INDEX i ON t (c);\nSELEC nonsense;\n",
            &crate::config::Settings::default(),
        );
        let files = [r];
        let groups = Stats::grouped(&files, |_| "g".to_string());
        let s = &groups["g"];
        assert_eq!((s.files, s.statements, s.parsed, s.unparsed), (1, 2, 1, 1));
        let t = table(&groups);
        assert!(t.contains("\ng ") && t.contains("\ntotal "), "{t}");
        assert!(t.contains("create-index-non-concurrently"), "{t}");
    }
}
