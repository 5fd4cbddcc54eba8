//! `report --format json`: every statement with the locks it holds until commit, the relations it
//! rewrites or reads in full, its estimated duration and its findings, and per file its blocking
//! windows (the lock timeline's, see [`super::timeline`]) (version 1).

use super::stmt_lines;
use super::timeline::{Level, Timeline};
use crate::analyze::Analyzed;
use crate::config::Settings;
use crate::report::check::json::JsonDiagnostic;
use crate::report::{FileResult, Summary, text};
use crate::source::SourceFile;
use serde::Serialize;

/// A lock held on a table, view, materialized view or sequence until commit.
#[derive(Serialize)]
struct Lock {
    table: String,
    /// `pg_locks` name, e.g. `AccessExclusiveLock`.
    mode: &'static str,
    /// Among `reads`, `writes`, `ddl`.
    blocks: Vec<&'static str>,
}

#[derive(Serialize)]
struct Statement<'a> {
    line: usize,
    end_line: usize,
    kind: &'static str,
    in_transaction: bool,
    locks: Vec<Lock>,
    rewrites: Vec<String>,
    scans: Vec<String>,
    /// The estimated duration of the statement's longest work; `null` when there is no work or
    /// no size hint allows an estimate.
    estimate_seconds: Option<f64>,
    findings: Vec<JsonDiagnostic<'a>>,
}

/// Consecutive statements over which a relation stays locked in a way that blocks reads or
/// writes (or, for `["ddl"]`, only other DDL: reads and writes go on).
#[derive(Serialize)]
struct Blocking {
    table: String,
    /// What waits at worst: `["reads", "writes"]`, `["writes"]` or `["ddl"]`.
    blocks: Vec<&'static str>,
    /// The statement that takes the lock.
    from_line: usize,
    /// The statement after which it is released (the COMMIT, or the statement itself outside a
    /// transaction).
    to_line: usize,
    /// Estimated seconds writes (for `["ddl"]`: DDL) wait: the known part.
    seconds: f64,
    /// Estimated seconds reads wait too (the known part; 0 unless reads are blocked).
    reads_seconds: f64,
    /// Some of the work in the window is on a table without a size hint: it lasts longer than
    /// `seconds`, by an unknown amount.
    size_unknown: bool,
}

#[derive(Serialize)]
struct File<'a> {
    path: &'a str,
    tool: &'a str,
    dialect: &'static str,
    statements: Vec<Statement<'a>>,
    /// The file's blocking windows, in timeline order (relation by relation).
    blocking: Vec<Blocking>,
    /// Findings about the file itself (unreadable, binary, invalid UTF-8); usually empty.
    findings: Vec<JsonDiagnostic<'a>>,
}

#[derive(Serialize)]
struct Doc<'a> {
    version: u32,
    files: Vec<File<'a>>,
    summary: Summary,
}

fn statement<'a>(a: &'a Analyzed, src: &'a SourceFile) -> Statement<'a> {
    let (line, end_line) = stmt_lines(src, &a.stmt.span);
    Statement {
        line,
        end_line,
        kind: a.stmt.kind.name(),
        in_transaction: a.in_transaction,
        locks: a
            .effects
            .locks
            .iter()
            .map(|l| Lock {
                table: l.rel.to_string(),
                mode: text::lock_mode(l.mode),
                blocks: l.mode.blocks().names(),
            })
            .collect(),
        rewrites: a
            .effects
            .rewritten()
            .iter()
            .map(|r| r.to_string())
            .collect(),
        scans: a.effects.scanned().iter().map(|r| r.to_string()).collect(),
        estimate_seconds: a.estimate_seconds,
        findings: a
            .findings
            .iter()
            .map(|f| JsonDiagnostic::new(f, src))
            .collect(),
    }
}

fn blocking(t: &Timeline) -> Vec<Blocking> {
    t.windows()
        .map(|(r, w)| Blocking {
            table: r.rel.clone(),
            blocks: match w.level {
                Level::Reads => vec!["reads", "writes"],
                Level::Writes => vec!["writes"],
                Level::Ddl | Level::Nothing => vec!["ddl"],
            },
            from_line: t.steps[w.from].line,
            to_line: t.steps[w.to].line,
            seconds: (w.total.secs * 10.0).round() / 10.0,
            reads_seconds: (w.reads.secs * 10.0).round() / 10.0,
            size_unknown: w.total.unknown,
        })
        .collect()
}

/// Render `report --format json`.
pub fn render(files: &[FileResult], settings: &Settings) -> String {
    let doc = Doc {
        version: 1,
        files: files
            .iter()
            .map(|f| File {
                path: &f.source.name,
                tool: f.tool,
                dialect: settings.dialect.name(),
                statements: f.stmts.iter().map(|a| statement(a, &f.source)).collect(),
                blocking: blocking(&Timeline::of(f)),
                findings: f
                    .file_findings
                    .iter()
                    .map(|fi| JsonDiagnostic::new(fi, &f.source))
                    .collect(),
            })
            .collect(),
        summary: Summary::of(files),
    };
    let mut s =
        serde_json::to_string_pretty(&doc).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    s.push('\n');
    s
}
