//! Output formats, by the command they serve. None decides anything about severity.
//!
//! - [`check`]: one module per `check --format` (human, json, github, sarif, gitlab, junit,
//!   markdown), and what those share (locations, fingerprints, rule links).
//! - [`annotated`]: the `report` command's formats (json, markdown, html): every statement with
//!   its locks, work and estimate.
//! - [`rule_list`]: the `rules` command's table and JSON.
//! - [`text`]: the escaping and the wording (lock modes, what they block, work kinds) that the
//!   formats share.
//!
//! This file holds only the data they all read: [`FileResult`], [`StmtCounts`], [`Summary`].

pub mod annotated;
pub mod check;
pub mod rule_list;
pub mod text;

use crate::analyze::Analyzed;
use crate::config::Level;
use crate::finding::Finding;
use crate::model::{Parsed, Stmt};
use crate::source::SourceFile;

/// One linted file with its results.
pub struct FileResult {
    /// The file (name as the user gave it, text, line index).
    pub source: SourceFile,
    /// The migration tool whose conventions applied.
    pub tool: &'static str,
    /// The statements kept, in file order, with effects and findings: every statement, or none
    /// when only findings are kept (see `pipeline::Keep`).
    pub stmts: Vec<Analyzed>,
    /// Counts over all the file's statements, kept or not.
    pub counts: StmtCounts,
    /// Findings not attached to a kept statement: file-level ones (unreadable file, invalid
    /// UTF-8, unused suppressions) and, when statements are not kept, all of theirs.
    pub file_findings: Vec<Finding>,
}

impl FileResult {
    /// Every finding of the file, in source order (then by rule code).
    pub fn findings(&self) -> std::vec::IntoIter<&Finding> {
        let mut v: Vec<&Finding> = self
            .file_findings
            .iter()
            .chain(self.stmts.iter().flat_map(|s| s.findings.iter()))
            .collect();
        v.sort_by(|a, b| (a.span.start, a.code).cmp(&(b.span.start, b.code)));
        v.into_iter()
    }
}

/// How many statements a file has, by how far they were understood.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct StmtCounts {
    /// All statements.
    pub statements: usize,
    /// Parsed completely by sqlparser.
    pub parsed: usize,
    /// Recognized by the fallback (kind and relations known).
    pub recognized: usize,
    /// ALTER TABLE statements with some actions recognized and others not.
    pub partial: usize,
    /// Not understood.
    pub unparsed: usize,
}

impl StmtCounts {
    /// Statements not wholly understood: unparsed ones and ALTER TABLE statements with an
    /// unparsed action. The one count behind the summary's `unparsed` and `--stats`.
    pub fn not_understood(&self) -> usize {
        self.unparsed + self.partial
    }

    /// Count one statement.
    pub fn add(&mut self, stmt: &Stmt) {
        self.statements += 1;
        match stmt.parsed {
            Parsed::Full => self.parsed += 1,
            Parsed::Recognized => self.recognized += 1,
            Parsed::Partial(_) => self.partial += 1,
            Parsed::Unparsed { .. } => self.unparsed += 1,
        }
    }
}

/// Totals for the summary line and JSON `summary`.
#[derive(Debug, Default, Clone, Copy, serde::Serialize, PartialEq)]
pub struct Summary {
    /// Files linted.
    pub files: usize,
    /// Statements found.
    pub statements: usize,
    /// Findings at error level.
    pub errors: usize,
    /// Findings at warning level.
    pub warnings: usize,
    /// Findings at info level.
    pub infos: usize,
    /// Statements (or ALTER TABLE actions) that could not be parsed or recognized.
    pub unparsed: usize,
}

impl Summary {
    /// Count over all files.
    pub fn of(files: &[FileResult]) -> Summary {
        let mut s = Summary {
            files: files.len(),
            ..Summary::default()
        };
        for f in files {
            s.statements += f.counts.statements;
            s.unparsed += f.counts.not_understood();
            for fi in f.findings() {
                match fi.severity {
                    Level::Error => s.errors += 1,
                    Level::Warning => s.warnings += 1,
                    Level::Info => s.infos += 1,
                    Level::Off => {}
                }
            }
        }
        s
    }

    /// Whether any finding is at or above `fail_on`.
    pub fn fails(&self, fail_on: Level) -> bool {
        match fail_on {
            Level::Error => self.errors > 0,
            Level::Warning => self.errors + self.warnings > 0,
            Level::Info => self.errors + self.warnings + self.infos > 0,
            Level::Off => false,
        }
    }
}
