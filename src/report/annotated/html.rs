//! `report --format html`: one self-contained page (inline CSS and SVG, no script, no external
//! asset). First an overview: the files ordered by their worst blocking window, then errors;
//! the blocking time per table across the whole change; a CSS-only toggle showing only the
//! files with findings (ticked by default when there are many files). Then per file its lock
//! timeline ([`super::svg`]), its blocking windows in words, and every statement's SQL
//! annotated with its transaction, the lock it holds on each relation and what that blocks, the
//! work done under it, the estimate and its findings with their help. Light and dark themes
//! follow `prefers-color-scheme`; narrow windows stack each statement's annotations under its
//! SQL; `@media print` keeps the colours. The output depends only on the input (no timestamps).

use super::stmt_lines;
use super::svg;
use super::timeline::{self, Timeline};
use crate::analyze::Analyzed;
use crate::config::{Level, Settings};
use crate::finding::{Finding, format_duration};
use crate::model::{Parsed, RelLock, WorkKind};
use crate::report::text::{self, plural};
use crate::report::{FileResult, Summary};
use crate::source::SourceFile;
use std::fmt::Write;

const STYLE: &str = r#"
:root { color-scheme: light dark;
  --fg: #1f2328; --muted: #59636e; --line: #d1d9e0; --bg: #ffffff; --soft: #f6f8fa; --panel: #fbfcfd;
  --code: #424a53; --lineno: #8c959f; --head: #24292f;
  --red: #b42318; --red-bg: #fee4e2; --red-line: #f5b1ab; --red-soft: #fff8f7;
  --amber: #8a4b00; --amber-bg: #fdf0c4; --amber-line: #f0cf7a; --amber-soft: #fffcf2;
  --blue: #1d4ed8; --blue-bg: #dbeafe; --blue-line: #a8c3f7; --blue-soft: #f7faff;
  --green: #1a7f37; --green-bg: #dafbe1; --green-line: #a6e3b5;
  --bar-reads: #d92d20; --bar-writes: #f59e0b; --bar-ddl: #93b4f5; --bar-nothing: #d0d7de;
  --work: #1f2328; --work-ok: #1a7f37; --hatch: #59636e; --row-odd: #f6f8fa;
  --txn: #eef0ff; --txn-fg: #3730a3; --txn-line: #c7cbff; }
@media screen and (prefers-color-scheme: dark) {
  :root { --fg: #e6edf3; --muted: #9198a1; --line: #3d444d; --bg: #151b23; --soft: #0d1117;
    --panel: #1a212b; --code: #d1d7e0; --lineno: #6e7681; --head: #010409;
    --red: #ff8e82; --red-bg: #4a1714; --red-line: #8e2a22; --red-soft: #25130f;
    --amber: #f5c15c; --amber-bg: #3d2a05; --amber-line: #7a5410; --amber-soft: #221a08;
    --blue: #8fb4ff; --blue-bg: #15284d; --blue-line: #2f4f8f; --blue-soft: #111c30;
    --green: #6fdd8b; --green-bg: #0f2e19; --green-line: #23633a;
    --bar-reads: #f04438; --bar-writes: #f5a524; --bar-ddl: #4f74c4; --bar-nothing: #4b535d;
    --work: #f0f3f6; --work-ok: #4ade80; --hatch: #c9d1d9; --row-odd: #1a212b;
    --txn: #23264a; --txn-fg: #c7cbff; --txn-line: #3b3f7a; } }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  color: var(--fg); background: var(--soft); }
a { color: var(--blue); }
code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 0.92em;
  overflow-wrap: anywhere; }
header.top { background: var(--head); color: #fff; padding: 16px 24px; }
header.top h1 { margin: 0 0 8px; font-size: 20px; }
.summary { display: flex; flex-wrap: wrap; gap: 8px; margin: 0; padding: 0; list-style: none; }
.summary li { background: rgba(255,255,255,.12); border-radius: 6px; padding: 4px 10px; }
.summary li b { font-size: 16px; margin-right: 4px; }
.summary li.errors.nonzero { background: #b42318; }
.summary li.warnings.nonzero { background: #b35900; }
.summary li.unparsed.nonzero { background: #6e40c9; }
main { padding: 16px 24px; max-width: 1400px; }
.panel { background: var(--bg); border: 1px solid var(--line); border-radius: 8px;
  padding: 10px 16px; margin-bottom: 16px; }
.panel h2 { margin: 4px 0 8px; font-size: 17px; }
.panel h3 { margin: 14px 0 6px; font-size: 15px; }
table.overview { border-collapse: collapse; width: 100%; font-size: 13px; }
table.overview th, table.overview td { text-align: left; padding: 4px 8px;
  border-bottom: 1px solid var(--line); vertical-align: top; }
table.overview th { color: var(--muted); font-weight: 600; }
table.overview td.num, table.overview th.num { text-align: right; white-space: nowrap; }
table.overview td.path { overflow-wrap: anywhere; min-width: 11em; }
table.overview td.err.nonzero { color: var(--red); font-weight: 700; }
table.overview td.warn.nonzero { color: var(--amber); font-weight: 700; }
.window-cell.reads { color: var(--red); font-weight: 600; }
.window-cell.writes { color: var(--amber); font-weight: 600; }
.window-cell.none { color: var(--muted); }
input#only-findings { width: 16px; height: 16px; vertical-align: middle; margin: 0 6px 0 0; }
.toggle-row { margin: 0 0 8px; }
#only-findings:checked ~ section .clean, #only-findings:checked ~ section.file.clean { display: none; }
#only-findings:not(:checked) ~ section .hidden-note { display: none; }
.legend { color: var(--muted); margin: 8px 0 0; display: flex; flex-wrap: wrap; gap: 4px 14px;
  align-items: center; }
.swatch { display: inline-block; width: 22px; height: 11px; border-radius: 2px;
  vertical-align: -1px; margin-right: 4px; }
.swatch.reads { background: var(--bar-reads); }
.swatch.writes { background: var(--bar-writes); }
.swatch.ddl { background: var(--bar-ddl); }
.swatch.work { background: var(--work); height: 5px; vertical-align: 1px; }
.swatch.work-ok { background: var(--work-ok); height: 5px; vertical-align: 1px; }
.swatch.unknown { background: repeating-linear-gradient(45deg, var(--hatch) 0 2px, transparent 2px 5px);
  border: 1px solid var(--line); }
section.file { background: var(--bg); border: 1px solid var(--line); border-radius: 8px;
  margin-bottom: 20px; overflow: hidden; }
section.file > h2 { margin: 0; padding: 10px 16px; font-size: 16px; background: var(--soft);
  border-bottom: 1px solid var(--line); overflow-wrap: anywhere; }
.meta { color: var(--muted); font-weight: normal; font-size: 13px; margin-left: 8px; }
figure.timeline { margin: 0; padding: 8px 12px 4px; border-bottom: 1px solid var(--line);
  overflow-x: auto; }
svg.timeline { display: block; width: 100%; max-width: 1100px; height: auto;
  font: 13px system-ui, sans-serif; }
svg.timeline .row-bg { fill: transparent; }
svg.timeline .row-bg.odd { fill: var(--row-odd); }
svg.timeline .name { fill: var(--fg); font: 12px ui-monospace, monospace; }
svg.timeline .bar.reads { fill: var(--bar-reads); }
svg.timeline .bar.writes { fill: var(--bar-writes); }
svg.timeline .bar.ddl { fill: var(--bar-ddl); }
svg.timeline .bar.nothing { fill: var(--bar-nothing); }
svg.timeline .work { fill: var(--work); }
svg.timeline .work.nonblocking { fill: var(--work-ok); }
svg.timeline .hatch { fill: var(--hatch); }
svg.timeline .unknown { stroke: var(--hatch); stroke-width: .6; }
svg.timeline .unknown-text { fill: var(--fg); font-size: 9.5px; font-weight: 600;
  paint-order: stroke; stroke: var(--bg); stroke-width: 3px; }
svg.timeline .tick { stroke: var(--line); stroke-width: 1; stroke-dasharray: 2 2; }
svg.timeline .tick.commit { stroke: var(--muted); stroke-dasharray: none; }
svg.timeline .tick-label, svg.timeline .axis-label { fill: var(--muted); font-size: 11.5px; }
svg.timeline .axis { stroke: var(--muted); stroke-width: 1; }
svg.timeline .window { fill: var(--fg); font-size: 12px; }
svg.timeline .window.reads { fill: var(--red); font-weight: 600; letter-spacing: -0.1px; }
svg.timeline .window.writes { fill: var(--amber); font-weight: 600; letter-spacing: -0.1px; }
svg.timeline .window.ddl, svg.timeline .window.nothing { fill: var(--green); }
ul.windows { margin: 4px 0 8px; padding: 0 16px 0 32px; font-size: 13px; }
ul.windows li.reads { color: var(--red); }
ul.windows li.writes { color: var(--amber); }
ul.windows li.ddl { color: var(--green); }
ul.windows .lines { color: var(--muted); }
p.no-timeline { margin: 0; padding: 8px 16px; color: var(--muted); border-bottom: 1px solid var(--line); }
.stmt { display: grid; grid-template-columns: minmax(0, 3fr) minmax(0, 2fr);
  border-bottom: 1px solid var(--line); }
.stmt:last-child { border-bottom: 0; }
.stmt.flagged { border-left: 4px solid var(--amber); }
.stmt.flagged.error { border-left-color: var(--red); }
.stmt.flagged.info { border-left-color: var(--blue); }
.stmt:not(.flagged) { border-left: 4px solid transparent; }
pre { margin: 0; font: 12.5px/1.5 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
  white-space: pre-wrap; overflow-wrap: anywhere; }
pre.sql { padding: 6px 0; min-width: 0; }
.stmt:not(.flagged) pre.sql { padding: 2px 0; color: var(--code); }
pre.sql .l { display: flex; padding: 0 12px 0 0; }
pre.sql .n { flex: none; width: 4.5em; padding-right: 12px; text-align: right;
  color: var(--lineno); user-select: none; }
pre.sql .t { flex: 1 1 auto; min-width: 0; white-space: pre-wrap; overflow-wrap: anywhere; }
pre.sql .l.hit-error { background: var(--red-bg); }
pre.sql .l.hit-warning { background: var(--amber-bg); }
pre.sql .l.hit-info { background: var(--blue-bg); }
.annot { padding: 6px 12px; border-left: 1px solid var(--line); background: var(--panel);
  display: flex; flex-wrap: wrap; align-content: flex-start; gap: 4px 6px; min-width: 0; }
.stmt:not(.flagged) .annot { padding: 2px 12px; }
.badge { display: inline-block; border-radius: 10px; padding: 0 8px; font-size: 12px;
  line-height: 20px; border: 1px solid transparent; max-width: 100%; overflow-wrap: anywhere; }
.kind { color: var(--muted); font-family: ui-monospace, monospace; font-size: 12px;
  line-height: 22px; }
.txn { background: var(--txn); color: var(--txn-fg); border-color: var(--txn-line); }
.autocommit { background: var(--soft); color: var(--muted); border-color: var(--line); }
.lock.blocks-reads { background: var(--red-bg); color: var(--red); border-color: var(--red-line); }
.lock.blocks-writes { background: var(--amber-bg); color: var(--amber); border-color: var(--amber-line); }
.lock.blocks-ddl { background: var(--blue-bg); color: var(--blue); border-color: var(--blue-line); }
.lock.blocks-nothing { background: var(--green-bg); color: var(--green); border-color: var(--green-line); }
.lock .mode { font-weight: 600; }
.badge.work { background: var(--bg); color: var(--fg); border-color: var(--lineno); }
.badge.work.rewrite { color: var(--red); border-color: var(--red); font-weight: 600; }
.est { background: var(--fg); color: var(--bg); }
.badge.unparsed { background: #f3e8ff; color: #6e40c9; border-color: #d8b4fe; }
.findings { grid-column: 1 / -1; padding: 4px 12px 10px 12px; border-top: 1px dashed var(--line); }
.finding { margin-top: 8px; padding: 8px 12px; border-radius: 6px; border: 1px solid var(--line);
  background: var(--bg); }
.finding.error { border-color: var(--red-line); background: var(--red-soft); }
.finding.warning { border-color: var(--amber-line); background: var(--amber-soft); }
.finding.info { border-color: var(--blue-line); background: var(--blue-soft); }
.finding .head { margin: 0 0 4px; }
.sev { font-weight: 700; text-transform: uppercase; font-size: 11px; border-radius: 4px;
  padding: 1px 6px; color: #fff; background: #1d4ed8; margin-right: 6px; }
.finding.error .sev { background: #b42318; }
.finding.warning .sev { background: #b35900; }
.rule { font-weight: 600; }
.code { color: var(--muted); font-family: ui-monospace, monospace; margin-left: 4px; }
.where { color: var(--muted); margin-left: 6px; }
.msg { margin: 0 0 6px; overflow-wrap: anywhere; }
.msg code { background: var(--soft); border: 1px solid var(--line); border-radius: 4px; padding: 0 3px; }
.help-label { margin: 0 0 2px; color: var(--muted); font-size: 12px; }
pre.help { background: var(--soft); border: 1px solid var(--line); border-radius: 6px;
  padding: 8px 10px; }
.file-findings { padding: 0 12px 10px; }
.empty { padding: 8px 16px; color: var(--muted); margin: 0; }
@media (max-width: 900px) {
  main { padding: 10px 8px; }
  header.top { padding: 12px 12px; }
  .stmt { grid-template-columns: minmax(0, 1fr); }
  .annot { border-left: 0; border-top: 1px dotted var(--line); }
  pre.sql .n { width: 3em; padding-right: 8px; }
  table.overview th.opt, table.overview td.opt { display: none; }
}
@media print {
  :root { color-scheme: light; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  body { background: #fff; font-size: 11px; }
  main { max-width: none; padding: 0; }
  .toggle-row, input#only-findings { display: none; }
  section.file { break-inside: auto; border-color: #999; }
  figure.timeline, .stmt, tr { break-inside: avoid; }
  a { color: inherit; text-decoration: none; }
}
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
        let _ = write!(out, "<span class=\"n\">{n}</span><span class=\"t\">");
        text::html_into(out, text);
        out.push_str("</span></span>");
    }
    out.push_str("</code></pre>");
}

/// Prose with Markdown code spans (`like this`) as `<code>`, everything escaped; an unmatched
/// backtick stays a backtick.
fn inline_markdown(out: &mut String, s: &str) {
    let ticks = s.matches('`').count();
    for (i, part) in s.split('`').enumerate() {
        let code = i % 2 == 1;
        if code && i == ticks && ticks % 2 == 1 {
            // The text after an odd last backtick: no closing tick, so no code span.
            out.push('`');
            text::html_into(out, part);
        } else if code {
            out.push_str("<code>");
            text::html_into(out, part);
            out.push_str("</code>");
        } else {
            text::html_into(out, part);
        }
    }
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
    inline_markdown(out, &f.message);
    out.push_str("</p>");
    if !f.help.is_empty() {
        out.push_str("<p class=\"help-label\">help</p><pre class=\"help\">");
        inline_markdown(out, &f.help);
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

/// Files above this count start with only the files with findings shown.
const MANY_FILES: usize = 10;

/// Tables listed at most in the blocking time per table.
const MAX_TABLE_ROWS: usize = 30;

/// The length of the folder path (with its last `/`) that every file's name starts with.
fn common_folder(files: &[FileResult]) -> usize {
    let Some(first) = files.first() else {
        return 0;
    };
    let mut len = first.source.name.rfind('/').map_or(0, |i| i + 1);
    for f in &files[1..] {
        let name = &f.source.name;
        while len > 0
            && !(name.len() >= len && name.as_bytes()[..len] == first.source.name.as_bytes()[..len])
        {
            len = first.source.name[..len - 1].rfind('/').map_or(0, |i| i + 1);
        }
    }
    len
}

/// The blocking windows of a file in words, under its drawing: the worst first.
fn window_list(out: &mut String, t: &Timeline) {
    let all = t.windows_worst_first();
    if all.is_empty() {
        return;
    }
    out.push_str("<ul class=\"windows\">");
    for (r, w) in all.iter().take(12) {
        let _ = write!(
            out,
            "<li class=\"{}\">{} <span class=\"lines\">({})</span></li>",
            w.level.name(),
            t.label(r, w, |s| format!("<code>{}</code>", text::html(s))),
            text::html(&t.span_text(w)),
        );
    }
    if all.len() > 12 {
        let _ = write!(
            out,
            "<li class=\"more\">… and {} more windows</li>",
            all.len() - 12
        );
    }
    out.push_str("</ul>\n");
}

fn file(out: &mut String, f: &FileResult, t: &Timeline, file_no: usize, settings: &Settings) {
    let (errors, warnings) = file_counts(f);
    let clean = if f.findings().len() == 0 {
        " clean"
    } else {
        ""
    };
    let _ = writeln!(
        out,
        "<section class=\"file{clean}\" id=\"file-{file_no}\"><h2><code>{}</code>\
         <span class=\"meta\">tool: {} · dialect: {} · {} · {} · {}</span></h2>",
        text::html(&f.source.name),
        text::html(f.tool),
        settings.dialect.name(),
        plural(f.stmts.len(), "statement"),
        plural(errors, "error"),
        plural(warnings, "warning"),
    );
    match svg::render(t, &format!("timeline-{file_no}"), &f.source.name) {
        Some(drawing) => {
            out.push_str("<figure class=\"timeline\">");
            out.push_str(&drawing);
            out.push_str("</figure>\n");
            window_list(out, t);
        }
        None if !f.stmts.is_empty() => out.push_str(
            "<p class=\"no-timeline\">No lock here blocks reads, writes or DDL on a relation \
             that existed before this migration, and no work is done on one.</p>\n",
        ),
        None => {}
    }
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

/// The worst blocking window of a file, as a table cell.
fn worst_cell(out: &mut String, t: &Timeline) {
    match t.worst() {
        Some((r, w)) => {
            let _ = write!(
                out,
                "<td class=\"window-cell {}\">{} <span class=\"meta\">({})</span></td>",
                w.level.name(),
                t.label(r, w, |s| format!("<code>{}</code>", text::html(s))),
                text::html(&t.span_text(w)),
            );
        }
        None => out.push_str("<td class=\"window-cell none\">reads and writes go on</td>"),
    }
}

/// The overview: files ordered by their worst blocking window, then errors; the blocking time
/// per table across the whole change; the legend.
fn overview(out: &mut String, files: &[FileResult], timelines: &[Timeline]) {
    let with_findings = files.iter().filter(|f| f.findings().len() > 0).count();
    let checked = if files.len() > MANY_FILES && with_findings > 0 {
        " checked"
    } else {
        ""
    };
    let _ = writeln!(
        out,
        "<input type=\"checkbox\" id=\"only-findings\"{checked}>\
         <label class=\"toggle-row\" for=\"only-findings\">Only files with findings \
         ({with_findings} of {})</label>",
        files.len()
    );
    out.push_str("<section class=\"panel overview\"><h2>Overview</h2>\n");
    let mut order: Vec<usize> = (0..files.len()).collect();
    let keys: Vec<((f64, bool), bool, usize, usize)> = files
        .iter()
        .zip(timelines)
        .map(|(f, t)| {
            let (e, w) = file_counts(f);
            let worst = t.worst();
            (
                worst.map_or((-1.0, false), |(_, w)| w.total.rank()),
                worst.is_some_and(|(_, w)| w.level == timeline::Level::Reads),
                e,
                w,
            )
        })
        .collect();
    order.sort_by(|&a, &b| {
        let (ka, kb) = (&keys[a], &keys[b]);
        (kb.0, kb.1, kb.2, kb.3)
            .partial_cmp(&(ka.0, ka.1, ka.2, ka.3))
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    // The folder all paths share is said once, above the table.
    let prefix = common_folder(files);
    if prefix > 0 {
        let _ = writeln!(
            out,
            "<p class=\"meta\">In <code>{}</code></p>",
            text::html(&files[0].source.name[..prefix])
        );
    }
    out.push_str(
        "<table class=\"overview files\"><thead><tr><th>File</th><th>Worst blocking window</th>\
         <th class=\"num\">Errors</th><th class=\"num\">Warnings</th>\
         <th class=\"num opt\">Statements</th></tr></thead><tbody>\n",
    );
    for &i in &order {
        let f = &files[i];
        let (errors, warnings) = file_counts(f);
        let clean = if f.findings().len() == 0 {
            " class=\"clean\""
        } else {
            ""
        };
        let _ = write!(
            out,
            "<tr{clean}><td class=\"path\"><a href=\"#file-{}\" title=\"{name}\"><code>{}</code></a></td>",
            i + 1,
            text::html(&f.source.name[prefix..]),
            name = text::html(&f.source.name),
        );
        worst_cell(out, &timelines[i]);
        let nz = |n: usize| if n > 0 { " nonzero" } else { "" };
        let _ = writeln!(
            out,
            "<td class=\"num err{}\">{errors}</td><td class=\"num warn{}\">{warnings}</td>\
             <td class=\"num opt\">{}</td></tr>",
            nz(errors),
            nz(warnings),
            f.stmts.len(),
        );
    }
    out.push_str("</tbody></table>\n");
    let hidden = files.len() - with_findings;
    if hidden > 0 {
        let _ = writeln!(
            out,
            "<p class=\"meta hidden-note\">{} without findings hidden (untick \
             “Only files with findings” to show them).</p>",
            plural(hidden, "file"),
        );
    }
    let totals = timeline::totals(timelines);
    out.push_str("<h3>Estimated blocking time per table, whole change</h3>\n");
    if totals.is_empty() {
        out.push_str(
            "<p class=\"meta\">No lock blocks reads or writes of an existing table.</p>\n",
        );
    } else {
        out.push_str(
            "<table class=\"overview tables\"><thead><tr><th>Table</th><th>Writes blocked</th>\
             <th>Reads blocked</th><th class=\"num\">Windows</th><th class=\"num opt\">Files</th>\
             </tr></thead><tbody>\n",
        );
        for t in totals.iter().take(MAX_TABLE_ROWS) {
            let reads = if t.reads.secs > 0.0 || t.reads.unknown {
                t.reads.text()
            } else if t.reads == t.writes {
                t.writes.text()
            } else {
                "–".to_string()
            };
            let _ = writeln!(
                out,
                "<tr data-table=\"{name}\"><td><code>{name}</code></td><td>{}</td><td>{}</td>\
                 <td class=\"num\">{}</td><td class=\"num opt\">{}</td></tr>",
                text::html(&t.writes.text()),
                text::html(&reads),
                t.windows,
                t.files,
                name = text::html(&t.rel),
            );
        }
        out.push_str("</tbody></table>\n");
        if totals.len() > MAX_TABLE_ROWS {
            let _ = writeln!(
                out,
                "<p class=\"meta\">… and {} more tables, each blocked for less (or as long) \
                 as the last one listed.</p>",
                totals.len() - MAX_TABLE_ROWS
            );
        }
    }
    out.push_str(
        "<p class=\"legend\"><span>Locks are held until the transaction commits; a statement \
         outside a transaction releases them when it ends.</span> \
         <span><span class=\"swatch reads\"></span>blocks reads and writes</span>\
         <span><span class=\"swatch writes\"></span>blocks writes</span>\
         <span><span class=\"swatch ddl\"></span>blocks DDL only</span>\
         <span><span class=\"swatch work\"></span>work under a blocking lock</span>\
         <span><span class=\"swatch work-ok\"></span>work while reads and writes go on \
         (CONCURRENTLY)</span>\
         <span><span class=\"swatch unknown\"></span>size unknown (no size hint)</span></p>\
         </section>\n",
    );
}

/// Render `report --format html`.
pub fn render(files: &[FileResult], settings: &Settings) -> String {
    let s = Summary::of(files);
    let timelines: Vec<Timeline> = files.iter().map(Timeline::of).collect();
    let mut out = String::with_capacity(
        16384
            + files
                .iter()
                .map(|f| f.source.text.len() * 2 + f.stmts.len() * 800)
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
        overview(&mut out, files, &timelines);
    }
    for (i, (f, t)) in files.iter().zip(&timelines).enumerate() {
        file(&mut out, f, t, i + 1, settings);
    }
    out.push_str("</main>\n</body>\n</html>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::inline_markdown;

    fn md(s: &str) -> String {
        let mut out = String::new();
        inline_markdown(&mut out, s);
        out
    }

    #[test]
    fn code_spans_become_code_and_everything_is_escaped() {
        assert_eq!(
            md("lock on `measurements` <b>"),
            "lock on <code>measurements</code> &lt;b&gt;"
        );
        assert_eq!(
            md("`</script><img onerror=x>`"),
            "<code>&lt;/script&gt;&lt;img onerror=x&gt;</code>"
        );
        assert_eq!(md("odd ` tick"), "odd ` tick");
        assert_eq!(md("`a` and ` b"), "<code>a</code> and ` b");
    }
}
