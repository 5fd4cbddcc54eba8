//! `report --format html`: one self-contained page (inline CSS, no script, no external asset) with
//! every migration's SQL, statement by statement, annotated with its transaction, the lock it
//! holds on each relation and what that blocks, the work done under it, the estimate and its
//! findings with their help. The output depends only on the input (no timestamps).

use super::stmt_lines;
use crate::analyze::Analyzed;
use crate::config::{Level, Settings};
use crate::finding::{Finding, format_duration};
use crate::model::{Parsed, RelLock, WorkKind};
use crate::report::text::{self, plural};
use crate::report::{FileResult, Summary};
use crate::source::SourceFile;
use std::fmt::Write;

const STYLE: &str = r#"
:root { --fg: #1f2328; --muted: #59636e; --line: #d1d9e0; --bg: #ffffff; --soft: #f6f8fa;
  --red: #b42318; --red-bg: #fee4e2; --amber: #8a4b00; --amber-bg: #fdf0c4;
  --blue: #1d4ed8; --blue-bg: #dbeafe; --green: #1a7f37; --green-bg: #dafbe1; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  color: var(--fg); background: var(--soft); }
header.top { background: #24292f; color: #fff; padding: 16px 24px; }
header.top h1 { margin: 0 0 8px; font-size: 20px; }
.summary { display: flex; flex-wrap: wrap; gap: 8px; margin: 0; padding: 0; list-style: none; }
.summary li { background: rgba(255,255,255,.12); border-radius: 6px; padding: 4px 10px; }
.summary li b { font-size: 16px; margin-right: 4px; }
.summary li.errors.nonzero { background: var(--red); }
.summary li.warnings.nonzero { background: #b35900; }
.summary li.unparsed.nonzero { background: #6e40c9; }
main { padding: 16px 24px; max-width: 1400px; }
nav.files { background: var(--bg); border: 1px solid var(--line); border-radius: 8px;
  padding: 8px 16px; margin-bottom: 16px; }
nav.files ol { margin: 4px 0; padding-left: 20px; }
nav.files .counts { color: var(--muted); }
.legend { color: var(--muted); margin: 4px 0 0; }
section.file { background: var(--bg); border: 1px solid var(--line); border-radius: 8px;
  margin-bottom: 20px; overflow: hidden; }
section.file > h2 { margin: 0; padding: 10px 16px; font-size: 16px; background: var(--soft);
  border-bottom: 1px solid var(--line); overflow-wrap: anywhere; }
.meta { color: var(--muted); font-weight: normal; font-size: 13px; margin-left: 8px; }
.stmt { display: grid; grid-template-columns: minmax(0, 3fr) minmax(260px, 2fr);
  border-bottom: 1px solid var(--line); }
.stmt:last-child { border-bottom: 0; }
.stmt.flagged { border-left: 4px solid var(--amber); }
.stmt.flagged.error { border-left-color: var(--red); }
.stmt.flagged.info { border-left-color: var(--blue); }
.stmt:not(.flagged) { border-left: 4px solid transparent; }
pre { margin: 0; font: 12.5px/1.5 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
  white-space: pre-wrap; overflow-wrap: anywhere; }
pre.sql { padding: 6px 0; }
.stmt:not(.flagged) pre.sql { padding: 2px 0; color: #424a53; }
pre.sql .l { display: block; padding: 0 12px 0 0; }
pre.sql .n { display: inline-block; width: 4.5em; padding-right: 12px; text-align: right;
  color: #8c959f; user-select: none; }
pre.sql .l.hit-error { background: var(--red-bg); }
pre.sql .l.hit-warning { background: var(--amber-bg); }
pre.sql .l.hit-info { background: var(--blue-bg); }
.annot { padding: 6px 12px; border-left: 1px solid var(--line); background: #fbfcfd;
  display: flex; flex-wrap: wrap; align-content: flex-start; gap: 4px 6px; }
.stmt:not(.flagged) .annot { padding: 2px 12px; }
.badge { display: inline-block; border-radius: 10px; padding: 0 8px; font-size: 12px;
  line-height: 20px; border: 1px solid transparent; white-space: nowrap; }
.kind { color: var(--muted); font-family: ui-monospace, monospace; font-size: 12px;
  line-height: 22px; }
.txn { background: #eef0ff; color: #3730a3; border-color: #c7cbff; }
.autocommit { background: var(--soft); color: var(--muted); border-color: var(--line); }
.lock { white-space: normal; }
.lock.blocks-reads { background: var(--red-bg); color: var(--red); border-color: #f5b1ab; }
.lock.blocks-writes { background: var(--amber-bg); color: var(--amber); border-color: #f0cf7a; }
.lock.blocks-ddl { background: var(--blue-bg); color: var(--blue); border-color: #a8c3f7; }
.lock.blocks-nothing { background: var(--green-bg); color: var(--green); border-color: #a6e3b5; }
.lock .mode { font-weight: 600; }
.work { background: #fff; color: var(--fg); border-color: #8c959f; }
.work.rewrite { color: var(--red); border-color: var(--red); font-weight: 600; }
.est { background: #24292f; color: #fff; }
.badge.unparsed { background: #f3e8ff; color: #6e40c9; border-color: #d8b4fe; }
.findings { grid-column: 1 / -1; padding: 4px 12px 10px 12px; border-top: 1px dashed var(--line); }
.finding { margin-top: 8px; padding: 8px 12px; border-radius: 6px; border: 1px solid var(--line);
  background: var(--bg); }
.finding.error { border-color: #f5b1ab; background: #fff8f7; }
.finding.warning { border-color: #f0cf7a; background: #fffcf2; }
.finding.info { border-color: #a8c3f7; background: #f7faff; }
.finding .head { margin: 0 0 4px; }
.sev { font-weight: 700; text-transform: uppercase; font-size: 11px; border-radius: 4px;
  padding: 1px 6px; color: #fff; background: var(--blue); margin-right: 6px; }
.finding.error .sev { background: var(--red); }
.finding.warning .sev { background: #b35900; }
.rule { font-weight: 600; }
.code { color: var(--muted); font-family: ui-monospace, monospace; margin-left: 4px; }
.where { color: var(--muted); margin-left: 6px; }
.msg { margin: 0 0 6px; }
.help-label { margin: 0 0 2px; color: var(--muted); font-size: 12px; }
pre.help { background: var(--soft); border: 1px solid var(--line); border-radius: 6px;
  padding: 8px 10px; }
.file-findings { padding: 0 12px 10px; }
.empty { padding: 8px 16px; color: var(--muted); margin: 0; }
"#;

fn severity_class(level: Level) -> &'static str {
    match level {
        Level::Error => "error",
        Level::Warning => "warning",
        Level::Info | Level::Off => "info",
    }
}

/// The most severe level among findings (`None` when there are none).
fn worst<'a>(findings: impl Iterator<Item = &'a Finding>) -> Option<Level> {
    findings.map(|f| f.severity).min_by_key(|l| match l {
        Level::Error => 0,
        Level::Warning => 1,
        Level::Info => 2,
        Level::Off => 3,
    })
}

fn lock_badge(out: &mut String, l: &RelLock) {
    let blocks = l.mode.blocks();
    let class = if blocks.reads {
        "blocks-reads"
    } else if blocks.writes {
        "blocks-writes"
    } else if blocks.ddl {
        "blocks-ddl"
    } else {
        "blocks-nothing"
    };
    let _ = write!(
        out,
        "<span class=\"badge lock {class}\"><code>{}</code> <span class=\"mode\">{}</span> · blocks {}</span>",
        text::html(&l.rel.to_string()),
        text::lock_mode(l.mode),
        text::blocks(blocks),
    );
}

fn annotations(out: &mut String, a: &Analyzed) {
    out.push_str("<div class=\"annot\">");
    let _ = write!(out, "<span class=\"kind\">{}</span>", a.stmt.kind.name());
    if a.in_transaction {
        out.push_str("<span class=\"badge txn\">in transaction</span>");
    } else {
        out.push_str("<span class=\"badge autocommit\">outside transaction</span>");
    }
    match &a.stmt.parsed {
        Parsed::Unparsed { .. } => out.push_str("<span class=\"badge unparsed\">not parsed</span>"),
        Parsed::Partial(_) => out.push_str("<span class=\"badge unparsed\">partly parsed</span>"),
        Parsed::Full | Parsed::Recognized => {}
    }
    for l in &a.effects.locks {
        lock_badge(out, l);
    }
    for w in &a.effects.work {
        let class = if w.kind == WorkKind::Rewrite {
            "badge work rewrite"
        } else {
            "badge work"
        };
        let _ = write!(
            out,
            "<span class=\"{class}\">{} <code>{}</code></span>",
            text::work(w.kind),
            text::html(&w.rel.to_string())
        );
    }
    if let Some(s) = a.estimate_seconds {
        let _ = write!(
            out,
            "<span class=\"badge est\" title=\"estimated duration of the statement's longest work\">est. work {}</span>",
            text::html(&format_duration(s))
        );
    }
    out.push_str("</div>");
}

/// The statement's lines, numbered, with the lines its findings point at highlighted.
fn sql(out: &mut String, src: &SourceFile, a: &Analyzed) {
    let span = &a.stmt.span;
    let (first, last) = stmt_lines(src, span);
    out.push_str("<pre class=\"sql\"><code>");
    for n in first..=last {
        let range = src.line_range(n);
        let mut start = range.start.max(span.start);
        // Keep the indentation of a statement that starts after leading blanks.
        if n == first
            && src
                .text
                .get(range.start..start)
                .is_some_and(|p| p.chars().all(char::is_whitespace))
        {
            start = range.start;
        }
        let end = range.end.min(span.end).max(start);
        let text = src.text.get(start..end).unwrap_or("");
        let hit = worst(a.findings.iter().filter(|f| {
            let (s, e) = (f.span.start, f.span.end.max(f.span.start + 1));
            s <= range.end && e > range.start
        }));
        match hit {
            Some(level) => {
                let _ = write!(out, "<span class=\"l hit-{}\">", severity_class(level));
            }
            None => out.push_str("<span class=\"l\">"),
        }
        let _ = write!(out, "<span class=\"n\">{n}</span>");
        text::html_into(out, text);
        out.push_str("</span>");
    }
    out.push_str("</code></pre>");
}

fn finding(out: &mut String, src: &SourceFile, f: &Finding) {
    let (line, col) = src.line_col(f.span.start);
    let _ = write!(
        out,
        "<div class=\"finding {sev}\"><p class=\"head\"><span class=\"sev\">{sev}</span>\
         <span class=\"rule\">{}</span><span class=\"code\">{}</span>\
         <span class=\"where\">line {line}, column {col}</span></p><p class=\"msg\">",
        text::html(f.rule),
        text::html(f.code),
        sev = severity_class(f.severity),
    );
    text::html_into(out, &f.message);
    out.push_str("</p>");
    if !f.help.is_empty() {
        out.push_str("<p class=\"help-label\">help</p><pre class=\"help\">");
        text::html_into(out, &f.help);
        out.push_str("</pre>");
    }
    out.push_str("</div>");
}

fn statement(out: &mut String, src: &SourceFile, a: &Analyzed, id: &str) {
    let class = match worst(a.findings.iter()) {
        Some(level) => format!("stmt flagged {}", severity_class(level)),
        None => "stmt".to_string(),
    };
    let _ = write!(out, "<div class=\"{class}\" id=\"{id}\">");
    sql(out, src, a);
    annotations(out, a);
    if !a.findings.is_empty() {
        out.push_str("<div class=\"findings\">");
        for f in &a.findings {
            finding(out, src, f);
        }
        out.push_str("</div>");
    }
    out.push_str("</div>\n");
}

fn file_counts(f: &FileResult) -> (usize, usize) {
    f.findings().fold((0, 0), |(e, w), fi| match fi.severity {
        Level::Error => (e + 1, w),
        Level::Warning => (e, w + 1),
        _ => (e, w),
    })
}

fn file(out: &mut String, f: &FileResult, file_no: usize, settings: &Settings) {
    let (errors, warnings) = file_counts(f);
    let _ = writeln!(
        out,
        "<section class=\"file\" id=\"file-{file_no}\"><h2><code>{}</code>\
         <span class=\"meta\">tool: {} · dialect: {} · {} · {} · {}</span></h2>",
        text::html(&f.source.name),
        text::html(f.tool),
        settings.dialect.name(),
        plural(f.stmts.len(), "statement"),
        plural(errors, "error"),
        plural(warnings, "warning"),
    );
    if !f.file_findings.is_empty() {
        out.push_str("<div class=\"file-findings\">");
        for fi in &f.file_findings {
            finding(out, &f.source, fi);
        }
        out.push_str("</div>\n");
    }
    if f.stmts.is_empty() && f.file_findings.is_empty() {
        out.push_str("<p class=\"empty\">No statements.</p>\n");
    }
    for (i, a) in f.stmts.iter().enumerate() {
        statement(out, &f.source, a, &format!("file-{file_no}-stmt-{}", i + 1));
    }
    out.push_str("</section>\n");
}

/// Render `report --format html`.
pub fn render(files: &[FileResult], settings: &Settings) -> String {
    let s = Summary::of(files);
    let mut out = String::with_capacity(
        8192 + files
            .iter()
            .map(|f| f.source.text.len() * 2 + f.stmts.len() * 600)
            .sum::<usize>(),
    );
    out.push_str(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>locklint report</title>\n<style>",
    );
    out.push_str(STYLE);
    out.push_str("</style>\n</head>\n<body>\n<header class=\"top\"><h1>locklint report</h1>\n");
    let nonzero = |n: usize| if n > 0 { " nonzero" } else { "" };
    let _ = writeln!(
        out,
        "<ul class=\"summary\"><li class=\"files\"><b>{}</b>{}</li>\
         <li class=\"statements\"><b>{}</b>{}</li>\
         <li class=\"errors{}\"><b>{}</b>{}</li>\
         <li class=\"warnings{}\"><b>{}</b>{}</li>\
         <li class=\"unparsed{}\"><b>{}</b>unparsed</li></ul></header>",
        s.files,
        text::noun(s.files, "file"),
        s.statements,
        text::noun(s.statements, "statement"),
        nonzero(s.errors),
        s.errors,
        text::noun(s.errors, "error"),
        nonzero(s.warnings),
        s.warnings,
        text::noun(s.warnings, "warning"),
        nonzero(s.unparsed),
        s.unparsed,
    );
    out.push_str("<main>\n");
    if !files.is_empty() {
        out.push_str("<nav class=\"files\"><ol>");
        for (i, f) in files.iter().enumerate() {
            let (errors, warnings) = file_counts(f);
            let _ = write!(
                out,
                "<li><a href=\"#file-{}\"><code>{}</code></a> <span class=\"counts\">{} · {} · {}</span></li>",
                i + 1,
                text::html(&f.source.name),
                plural(f.stmts.len(), "statement"),
                plural(errors, "error"),
                plural(warnings, "warning"),
            );
        }
        out.push_str(
            "</ol><p class=\"legend\">Locks are held until the transaction commits. \
             <span class=\"badge lock blocks-reads\">blocks reads</span> \
             <span class=\"badge lock blocks-writes\">blocks writes</span> \
             <span class=\"badge lock blocks-ddl\">blocks DDL only</span> \
             <span class=\"badge lock blocks-nothing\">blocks nothing</span></p></nav>\n",
        );
    }
    for (i, f) in files.iter().enumerate() {
        file(&mut out, f, i + 1, settings);
    }
    out.push_str("</main>\n</body>\n</html>\n");
    out
}
