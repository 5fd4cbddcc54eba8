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
}

/// Settings from a TOML text (empty: defaults).
pub fn settings(toml: &str) -> Settings {
    config::parse_str(toml, std::path::Path::new("test.toml"), &super::names())
        .expect("test config parses")
}

/// Lint `files` as consecutive migrations and return `rule`'s findings.
pub fn hits(rule: &str, toml: &str, files: &[&str]) -> Vec<Hit> {
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
    let results = crate::app::lint_sources(loaded, &settings);
    let mut out = Vec::new();
    for (file, res) in results.iter().enumerate() {
        for f in res.findings().filter(|f| f.rule == rule) {
            out.push(Hit {
                file,
                line: res.source.line_col(f.span.start).0,
                severity: f.severity,
                message: f.message.clone(),
                help: f.help.clone(),
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
