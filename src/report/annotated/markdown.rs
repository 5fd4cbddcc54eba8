//! `report --format markdown`: for a pull-request comment or a reviewer's terminal. First the
//! estimated blocking time per table across the whole change, then per file its lock timeline
//! as text (each blocking window: what waits, on which table, for how long, from which line
//! until which) and one table row per statement. "Est. work" is the statement's estimate: the
//! estimated duration of its longest work. Capped like `check --format markdown`: whole files,
//! as many as fit, and a last line counting what was left out.

use super::stmt_lines;
use super::timeline::{self, Timeline};
use crate::analyze::Analyzed;
use crate::config::Settings;
use crate::finding::{Finding, format_duration};
use crate::report::{FileResult, Summary, text};
use crate::source::SourceFile;
use std::fmt::Write;

fn excerpt(src: &SourceFile, a: &Analyzed) -> String {
    text::excerpt(src.text.get(a.stmt.span.clone()).unwrap_or(""))
}

fn finding_text(f: &Finding) -> String {
    format!(
        "**{}** {} {}: {}",
        f.severity,
        f.code,
        f.rule,
        text::md_cell(&f.message)
    )
}

fn row(out: &mut String, src: &SourceFile, a: &Analyzed) {
    let (line, end_line) = stmt_lines(src, &a.stmt.span);
    let lines = if end_line > line {
        format!("{line}–{end_line}")
    } else {
        line.to_string()
    };
    let mut what = format!(
        "{}<br>{}",
        a.stmt.kind.name(),
        text::md_code(&excerpt(src, a))
    );
    if a.in_transaction {
        what.push_str("<br>_in transaction_");
    }
    let locks: Vec<String> = a.effects.locks.iter().map(text::md_lock).collect();
    let blocks: Vec<String> = a
        .effects
        .locks
        .iter()
        .map(|l| text::blocks(l.mode.blocks()))
        .collect();
    let work: Vec<String> = a.effects.work.iter().map(text::md_work).collect();
    let estimate = a
        .estimate_seconds
        .map(format_duration)
        .unwrap_or_else(|| "–".to_string());
    let findings: Vec<String> = a.findings.iter().map(finding_text).collect();
    let or_dash = |v: Vec<String>| {
        if v.is_empty() {
            "–".to_string()
        } else {
            v.join("<br>")
        }
    };
    let _ = writeln!(
        out,
        "| {lines} | {what} | {} | {} | {} | {estimate} | {} |",
        or_dash(locks),
        or_dash(blocks),
        or_dash(work),
        or_dash(findings)
    );
}

/// A file's blocking windows, worst first, one list item each.
fn windows(out: &mut String, t: &Timeline) {
    let all = t.windows_worst_first();
    if all.is_empty() {
        return;
    }
    out.push_str("Blocking windows (locks are held until the transaction commits):\n\n");
    for (r, w) in &all {
        let _ = writeln!(
            out,
            "- {} ({})",
            t.label(r, w, text::md_code),
            t.span_text(w)
        );
    }
    if all.iter().any(|(_, w)| w.total.unknown) {
        out.push_str(
            "\nAn unknown time is work on a table without a size hint (`[tables]` in \
             locklint.toml): never taken for zero.\n",
        );
    }
    out.push('\n');
}

fn file(out: &mut String, f: &FileResult, t: &Timeline, settings: &Settings) {
    let _ = writeln!(out, "## {}\n", text::md_code(&f.source.name));
    let _ = writeln!(
        out,
        "tool: {} · dialect: {} · {}\n",
        f.tool,
        settings.dialect.name(),
        text::plural(f.stmts.len(), "statement"),
    );
    for fi in &f.file_findings {
        let _ = writeln!(out, "- {}", finding_text(fi));
    }
    if !f.file_findings.is_empty() {
        out.push('\n');
    }
    if f.stmts.is_empty() {
        return;
    }
    windows(out, t);
    out.push_str(
        "| Line | Statement | Locks (held until commit) | Blocks | Work | Est. work | Findings |\n",
    );
    out.push_str("|---:|---|---|---|---|---|---|\n");
    for a in &f.stmts {
        row(out, &f.source, a);
    }
    out.push('\n');
}

/// The estimated blocking time per table across all files.
fn totals(out: &mut String, timelines: &[Timeline]) {
    out.push_str("## Blocking time per table\n\n");
    let totals = timeline::totals(timelines);
    if totals.is_empty() {
        out.push_str("No lock blocks reads or writes of an existing table.\n\n");
        return;
    }
    out.push_str(
        "| Table | Writes blocked | Reads blocked | Windows | Files |\n|---|---|---|---:|---:|\n",
    );
    for t in totals.iter().take(MAX_TABLE_ROWS) {
        let reads = if t.reads.secs > 0.0 || t.reads.unknown {
            t.reads.text()
        } else {
            "–".to_string()
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} |",
            text::md_code(&t.rel),
            t.writes.text(),
            reads,
            t.windows,
            t.files
        );
    }
    if totals.len() > MAX_TABLE_ROWS {
        let _ = writeln!(
            out,
            "\n… and {} more tables, none blocked longer than the last one listed.",
            totals.len() - MAX_TABLE_ROWS
        );
    }
    out.push('\n');
}

/// The files whose worst window blocks reads or writes, longest first.
fn worst_files(out: &mut String, files: &[FileResult], timelines: &[Timeline]) {
    let mut worst: Vec<(usize, &timeline::Row, &timeline::Window)> = timelines
        .iter()
        .enumerate()
        .filter_map(|(i, t)| t.worst().map(|(r, w)| (i, r, w)))
        .collect();
    if worst.is_empty() {
        return;
    }
    // Stable: equal windows keep file order.
    worst.sort_by(|a, b| {
        if timeline::worse(b.2, a.2) {
            std::cmp::Ordering::Greater
        } else if timeline::worse(a.2, b.2) {
            std::cmp::Ordering::Less
        } else {
            std::cmp::Ordering::Equal
        }
    });
    out.push_str(
        "## Longest blocking window per file

| File | Window | Where |
|---|---|---|
",
    );
    for (i, r, w) in worst.iter().take(MAX_FILE_ROWS) {
        let t = &timelines[*i];
        let _ = writeln!(
            out,
            "| {} | {} | {} |",
            text::md_code(&files[*i].source.name),
            t.label(r, w, text::md_code),
            t.span_text(w)
        );
    }
    if worst.len() > MAX_FILE_ROWS {
        let _ = writeln!(
            out,
            "\n… and {} more files, none with a longer window.",
            worst.len() - MAX_FILE_ROWS
        );
    }
    out.push('\n');
}

/// Tables listed at most in the blocking time per table.
const MAX_TABLE_ROWS: usize = 30;

/// Files listed at most by their longest window.
const MAX_FILE_ROWS: usize = 20;

/// Room kept for the closing lines (what was left out, the summary).
const FOOTER_ROOM: usize = 500;

/// Render `report --format markdown`, whole.
pub fn render(files: &[FileResult], settings: &Settings) -> String {
    render_capped(files, settings, usize::MAX)
}

/// Render `report --format markdown` in at most `limit` bytes (so at most `limit`
/// characters): the blocking time per table, then the files in order, each whole, as many as
/// fit; a line counts the files left out.
pub(crate) fn render_capped(files: &[FileResult], settings: &Settings, limit: usize) -> String {
    let timelines: Vec<Timeline> = files.iter().map(Timeline::of).collect();
    let budget = limit.saturating_sub(FOOTER_ROOM);
    let mut out = String::from("# locklint report\n\n");
    let mut overview = String::new();
    totals(&mut overview, &timelines);
    worst_files(&mut overview, files, &timelines);
    if out.len() + overview.len() <= budget {
        out.push_str(&overview);
    }
    let mut left_out = 0;
    let mut section = String::new();
    for (i, (f, t)) in files.iter().zip(&timelines).enumerate() {
        section.clear();
        file(&mut section, f, t, settings);
        if out.len() + section.len() > budget {
            left_out = files.len() - i;
            break;
        }
        out.push_str(&section);
    }
    if left_out > 0 {
        let _ = writeln!(
            out,
            "… {left_out} of {} not shown: this report is capped at {limit} characters \
             (`--markdown-max-chars`); `locklint report --format json` or `--format html` shows \
             every file.\n",
            text::plural(files.len(), "file"),
        );
    }
    let s = Summary::of(files);
    let _ = writeln!(
        out,
        "{}, {}: {}, {}.",
        text::plural(s.files, "file"),
        text::plural(s.statements, "statement"),
        text::plural(s.errors, "error"),
        text::plural(s.warnings, "warning"),
    );
    out
}
