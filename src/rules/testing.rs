//! Test helpers for rules: lint a sequence of migration files and read one rule's findings.

use crate::source::SourceFile;

/// One finding as tests look at it.
#[derive(Debug, Clone)]
pub struct Fired {
    /// The text the finding points at.
    pub clause: String,
    /// Its message.
    pub message: String,
    /// Its help.
    pub help: String,
}

/// Lint `files` in order (each one a migration; earlier ones are replayed into the catalog) under
/// the config `toml`, and return `rule`'s findings in the last file.
pub fn fired(rule: &str, toml: &str, files: &[&str]) -> Vec<Fired> {
    let settings = crate::config::parse_str(toml, std::path::Path::new("t.toml"), &super::names())
        .expect("test config parses");
    let loaded = files
        .iter()
        .enumerate()
        .map(|(i, t)| {
            (
                SourceFile::new(format!("{i}.sql"), t.to_string()),
                Vec::new(),
            )
        })
        .collect();
    let res = crate::app::lint_sources(loaded, &settings);
    let Some(last) = res.last() else {
        return Vec::new();
    };
    last.findings()
        .filter(|f| f.rule == rule)
        .map(|f| Fired {
            clause: last.source.text[f.span.clone()].to_string(),
            message: f.message.clone(),
            help: f.help.clone(),
        })
        .collect()
}
