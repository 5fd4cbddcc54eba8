//! `--format markdown`: a pull-request comment. A summary line, a table of findings, and per file
//! a collapsible table of every statement with the locks it takes per table, what they block,
//! the work done under them and the estimated lock time.

use super::common::{self, Region};
use super::{FileResult, Summary};
use crate::analyze::Analyzed;
use crate::finding::format_duration;
use crate::model::{Parsed, WorkKind};

/// Statement rows shown per file; a comment has a size limit (65,536 characters on GitHub).
pub const MAX_STATEMENT_ROWS: usize = 200;

/// Characters of a statement's text shown in its row.
const EXCERPT_CHARS: usize = 60;

/// Escape prose for a table cell: pipes, line breaks, and `<`/`>` outside code spans (inside
/// them GitHub and GitLab show text literally, except that `\|` still stands for `|`).
fn cell(s: &str) -> String {
    // An unmatched backtick would open a code span that never closes: treat the last one as
    // a literal character.
    let ticks = s.matches('`').count();
    let literal_tick = (ticks % 2 == 1).then(|| s.rfind('`')).flatten();
    let mut out = String::with_capacity(s.len());
    let mut in_code = false;
    for (i, c) in s.char_indices() {
        match c {
            '`' if Some(i) == literal_tick => out.push_str("\\`"),
            '`' => {
                in_code = !in_code;
                out.push('`');
            }
            '|' => out.push_str("\\|"),
            '\r' => {}
            '\n' if in_code => out.push(' '),
            '\n' => out.push_str("<br>"),
            '<' if !in_code => out.push_str("&lt;"),
            '>' if !in_code => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

/// A code span holding `s` literally, for a table cell.
fn code(s: &str) -> String {
    let s = s.replace(['\r', '\n'], " ").replace('|', "\\|");
    let longest_run = s.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest_run + 1);
    let pad = if s.starts_with('`') || s.ends_with('`') || s.is_empty() {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{s}{pad}{fence}")
}

/// Escape text for HTML (the `<summary>` of a file's section).
fn html(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn excerpt(text: &str) -> String {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() > EXCERPT_CHARS {
        let cut: String = flat.chars().take(EXCERPT_CHARS - 1).collect();
        format!("{}…", cut.trim_end())
    } else {
        flat
    }
}

fn work_name(k: WorkKind) -> &'static str {
    match k {
        WorkKind::Scan => "scan",
        WorkKind::Validate => "validation",
        WorkKind::IndexBuild => "index build",
        WorkKind::RowUpdates => "row updates",
        WorkKind::Rewrite => "rewrite",
    }
}

fn blocks_text(b: crate::model::Blocks) -> String {
    let mut v = Vec::new();
    if b.reads {
        v.push("reads");
    }
    if b.writes {
        v.push("writes");
    }
    if b.ddl {
        v.push("DDL");
    }
    if v.is_empty() {
        "—".to_string()
    } else {
        v.join(", ")
    }
}

fn statement_row(file: &FileResult, a: &Analyzed) -> String {
    let (line, _) = file.source.line_col(a.stmt.span.start);
    let kind = match a.stmt.parsed {
        Parsed::Unparsed { .. } => "unparsed",
        _ => a.stmt.kind.name(),
    };
    let text = file.source.text.get(a.stmt.span.clone()).unwrap_or("");
    let (locks, blocks): (Vec<String>, Vec<String>) = a
        .effects
        .locks
        .iter()
        .map(|l| {
            let table = code(&l.rel.to_string());
            (
                format!("{table} {}", l.mode.sql_name()),
                format!("{table} {}", blocks_text(l.mode.blocks())),
            )
        })
        .unzip();
    let work: Vec<String> = a
        .effects
        .work
        .iter()
        .map(|w| format!("{} {}", work_name(w.kind), code(&w.rel.to_string())))
        .collect();
    let estimate = a
        .findings
        .iter()
        .filter_map(|f| f.estimate_seconds)
        .fold(None, |m: Option<f64>, s| Some(m.map_or(s, |m| m.max(s))));
    let join = |v: Vec<String>| {
        if v.is_empty() {
            "—".to_string()
        } else {
            v.join("<br>")
        }
    };
    format!(
        "| {line} | {} | {} | {} | {} | {} | {} |\n",
        code(kind),
        code(&excerpt(text)),
        join(locks),
        join(blocks),
        join(work),
        estimate.map_or("—".to_string(), format_duration),
    )
}

/// Render the comment.
pub fn render(files: &[FileResult]) -> String {
    let summary = Summary::of(files);
    let mut out = String::from("## locklint\n\n");
    out.push_str(&format!(
        "**{}**\n\n",
        super::human::summary_line(&summary).trim_end()
    ));

    let mut rows = String::new();
    for file in files {
        for f in file.findings() {
            let r = Region::of(f, &file.source);
            rows.push_str(&format!(
                "| {} | [{}]({}) | {} | {} |\n",
                f.severity,
                f.rule,
                common::rule_url(f.rule),
                code(&format!("{}:{}:{}", file.source.name, r.line, r.column)),
                cell(&f.message),
            ));
        }
    }
    if rows.is_empty() {
        out.push_str("No findings.\n\n");
    } else {
        out.push_str("| Severity | Rule | Location | Message |\n|---|---|---|---|\n");
        out.push_str(&rows);
        out.push('\n');
    }

    for file in files {
        let findings = file.findings().len();
        let open = if findings > 0 { " open" } else { "" };
        out.push_str(&format!(
            "<details{open}><summary><code>{}</code>: {} statement{}, {} finding{}</summary>\n\n",
            html(&file.source.name),
            file.stmts.len(),
            if file.stmts.len() == 1 { "" } else { "s" },
            findings,
            if findings == 1 { "" } else { "s" },
        ));
        if file.stmts.is_empty() {
            out.push_str("No statements.\n\n</details>\n\n");
            continue;
        }
        out.push_str(
            "| Line | Kind | Statement | Locks | Blocks | Work | Estimate |\n\
             |---:|---|---|---|---|---|---|\n",
        );
        for a in file.stmts.iter().take(MAX_STATEMENT_ROWS) {
            out.push_str(&statement_row(file, a));
        }
        if file.stmts.len() > MAX_STATEMENT_ROWS {
            out.push_str(&format!(
                "\n… and {} more statements (`locklint report` shows them all).\n",
                file.stmts.len() - MAX_STATEMENT_ROWS
            ));
        }
        out.push_str("\n</details>\n\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_escape_pipes_breaks_and_html_outside_code() {
        assert_eq!(cell("a | b\nc <d>"), "a \\| b<br>c &lt;d&gt;");
        assert_eq!(cell("`a|<b>`"), "`a\\|<b>`");
        assert_eq!(cell("odd ` tick <x>"), "odd \\` tick &lt;x&gt;");
    }

    #[test]
    fn code_spans_survive_backticks() {
        assert_eq!(code("a"), "`a`");
        assert_eq!(code("a`b"), "``a`b``");
        assert_eq!(code("`a"), "`` `a ``");
        assert_eq!(code("x|y"), "`x\\|y`");
    }

    #[test]
    fn long_statements_are_cut() {
        let e = excerpt(&"x ".repeat(100));
        assert_eq!(e.chars().count(), EXCERPT_CHARS);
        assert!(e.ends_with('…'));
    }
}
