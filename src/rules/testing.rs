//! Test helpers for rules: lint migrations in order and look at one rule's findings.

use crate::config::{self, Level, Settings};
use crate::source::SourceFile;

/// One finding, flattened for assertions.
#[derive(Debug, Clone)]
pub struct Hit {
    /// Index of the file in the list given.
    pub file: usize,
    /// 1-based line of the finding's span.
    pub line: usize,
    /// Severity.
    pub severity: Level,
    /// Message.
    pub message: String,
    /// Help.
    pub help: String,
    /// The text the finding points at.
    pub clause: String,
    /// Rule name.
    pub rule: &'static str,
    /// 1-based lines of the finding's related locations.
    pub related: Vec<usize>,
}

/// Settings from a TOML text (empty: defaults).
pub fn settings(toml: &str) -> Settings {
    config::parse_str(toml, std::path::Path::new("test.toml"), &super::names())
        .expect("test config parses")
}

/// Lint `files` as consecutive migrations and return `rule`'s findings.
pub fn hits(rule: &str, toml: &str, files: &[&str]) -> Vec<Hit> {
    all_hits(toml, files)
        .into_iter()
        .filter(|h| h.rule == rule)
        .collect()
}

/// Lint `files` as consecutive migrations and return every finding.
pub fn all_hits(toml: &str, files: &[&str]) -> Vec<Hit> {
    let settings = settings(toml);
    let loaded = files
        .iter()
        .enumerate()
        .map(|(i, text)| {
            (
                SourceFile::new(format!("{i}.sql"), text.to_string()),
                Vec::new(),
            )
        })
        .collect();
    let results = crate::pipeline::lint_sources(loaded, &settings);
    let mut out = Vec::new();
    for (file, res) in results.iter().enumerate() {
        for f in res.findings() {
            out.push(Hit {
                rule: f.rule,
                related: f
                    .related
                    .iter()
                    .map(|r| res.source.line_col(r.span.start).0)
                    .collect(),
                file,
                line: res.source.line_col(f.span.start).0,
                severity: f.severity,
                message: f.message.clone(),
                help: f.help.clone(),
                clause: res.source.text[f.span.clone()].to_string(),
            });
        }
    }
    out
}

/// The (file, line) pairs `rule` fires on.
pub fn lines(rule: &str, toml: &str, files: &[&str]) -> Vec<(usize, usize)> {
    hits(rule, toml, files)
        .into_iter()
        .map(|h| (h.file, h.line))
        .collect()
}

/// One finding of the last file, as tests look at it.
#[derive(Debug, Clone)]
pub struct Fired {
    /// The text the finding points at.
    pub clause: String,
    /// Its message.
    pub message: String,
    /// Its help.
    pub help: String,
}

/// Lint `files` in order and return `rule`'s findings in the last file.
pub fn fired(rule: &str, toml: &str, files: &[&str]) -> Vec<Fired> {
    let last = files.len().saturating_sub(1);
    hits(rule, toml, files)
        .into_iter()
        .filter(|h| h.file == last)
        .map(|h| Fired {
            clause: h.clause,
            message: h.message,
            help: h.help,
        })
        .collect()
}
