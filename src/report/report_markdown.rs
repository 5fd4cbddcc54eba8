//! `report --format markdown`: one table per file, one row per statement, for a pull-request
//! comment or a reviewer's terminal.

use super::{FileResult, Summary, stmt_lines};
use crate::analyze::Analyzed;
use crate::config::Settings;
use crate::finding::{Finding, format_duration};
use crate::source::SourceFile;
use std::fmt::Write;

/// Longest statement excerpt shown in the table.
const EXCERPT_CHARS: usize = 60;

/// Make text safe inside a Markdown table cell: one line, no cell separators, no HTML.
fn cell(text: &str) -> String {
    let one_line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    one_line
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('|', "\\|")
}

/// Inline code inside a table cell (backticks inside become quotes).
fn code(text: &str) -> String {
    format!("`{}`", cell(&text.replace('`', "'")))
}

fn excerpt(src: &SourceFile, a: &Analyzed) -> String {
    let text = src.text.get(a.stmt.span.clone()).unwrap_or("");
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() > EXCERPT_CHARS {
        let cut: String = flat.chars().take(EXCERPT_CHARS - 1).collect();
        format!("{cut}…")
    } else {
        flat
    }
}

fn finding_text(f: &Finding) -> String {
    format!(
        "**{}** {} {}: {}",
        f.severity,
        f.code,
        f.rule,
        cell(&f.message)
    )
}

fn row(out: &mut String, src: &SourceFile, a: &Analyzed) {
    let (line, end_line) = stmt_lines(src, &a.stmt.span);
    let lines = if end_line > line {
        format!("{line}–{end_line}")
    } else {
        line.to_string()
    };
    let mut what = format!("{}<br>{}", a.stmt.kind.name(), code(&excerpt(src, a)));
    if a.in_transaction {
        what.push_str("<br>_in transaction_");
    }
    let locks: Vec<String> = a
        .effects
        .locks
        .iter()
        .map(|l| format!("{} {}", code(&l.rel.to_string()), l.mode.pg_name()))
        .collect();
    let blocks: Vec<String> = a
        .effects
        .locks
        .iter()
        .map(|l| {
            let names = l.mode.blocks().names();
            if names.is_empty() {
                "nothing".to_string()
            } else {
                names.join(", ")
            }
        })
        .collect();
    let mut work: Vec<String> = a
        .effects
        .rewritten()
        .iter()
        .map(|r| format!("rewrite {}", code(&r.to_string())))
        .collect();
    work.extend(
        a.effects
            .scanned()
            .iter()
            .filter(|r| !a.effects.rewrites(r))
            .map(|r| format!("scan {}", code(&r.to_string()))),
    );
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
    let _ = writeln!(out, "## {}\n", code(&f.source.name));
    let _ = writeln!(
        out,
        "tool: {} · dialect: {} · {} statement{}\n",
        f.tool,
        settings.dialect.name(),
        f.stmts.len(),
        if f.stmts.len() == 1 { "" } else { "s" }
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
    out.push_str("| Line | Statement | Locks (held until commit) | Blocks | Rewrite / scan | Estimate | Findings |\n");
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
        "{} file{}, {} statement{}: {} error{}, {} warning{}.",
        s.files,
        if s.files == 1 { "" } else { "s" },
        s.statements,
        if s.statements == 1 { "" } else { "s" },
        s.errors,
        if s.errors == 1 { "" } else { "s" },
        s.warnings,
        if s.warnings == 1 { "" } else { "s" },
    );
    out
}
