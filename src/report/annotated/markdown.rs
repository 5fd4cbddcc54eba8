//! `report --format markdown`: one table per file, one row per statement, for a pull-request
//! comment or a reviewer's terminal. "Est. work" is the statement's estimate: the estimated
//! duration of its longest work.

use super::stmt_lines;
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

fn file(out: &mut String, f: &FileResult, settings: &Settings) {
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
    out.push_str(
        "| Line | Statement | Locks (held until commit) | Blocks | Work | Est. work | Findings |\n",
    );
    out.push_str("|---:|---|---|---|---|---|---|\n");
    for a in &f.stmts {
        row(out, &f.source, a);
    }
    out.push('\n');
}

/// Render `report --format markdown`.
pub fn render(files: &[FileResult], settings: &Settings) -> String {
    let mut out = String::from("# locklint report\n\n");
    for f in files {
        file(&mut out, f, settings);
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
