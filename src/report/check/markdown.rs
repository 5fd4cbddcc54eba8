//! `--format markdown`: a pull-request comment. A summary line, a table of findings, and per file
//! a collapsible table of every statement with the locks it takes per table, what they block,
//! the work done under them and "Est. (finding)": the longest estimate among the statement's
//! findings (each the estimated duration of the work that finding is about; `report` shows the
//! statement's own estimate, that of its longest work).

use super::Region;
use crate::analyze::Analyzed;
use crate::finding::format_duration;
use crate::model::Parsed;
use crate::report::text;
use crate::report::{FileResult, Summary};

/// Statement rows shown per file; a comment has a size limit (65,536 characters on GitHub).
pub const MAX_STATEMENT_ROWS: usize = 200;

fn statement_row(file: &FileResult, a: &Analyzed) -> String {
    let (line, _) = file.source.line_col(a.stmt.span.start);
    let kind = match a.stmt.parsed {
        Parsed::Unparsed { .. } => "unparsed",
        _ => a.stmt.kind.name(),
    };
    let sql = file.source.text.get(a.stmt.span.clone()).unwrap_or("");
    let locks: Vec<String> = a.effects.locks.iter().map(text::md_lock).collect();
    let blocks: Vec<String> = a
        .effects
        .locks
        .iter()
        .map(|l| {
            let table = text::md_code(&l.rel.to_string());
            format!("{table} {}", text::blocks(l.mode.blocks()))
        })
        .collect();
    let work: Vec<String> = a.effects.work.iter().map(text::md_work).collect();
    // The findings' estimates, not the statement's: this comment is about what was flagged.
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
        text::md_code(kind),
        text::md_code(&text::excerpt(sql)),
        join(locks),
        join(blocks),
        join(work),
        estimate.map_or("—".to_string(), format_duration),
    )
}

/// Room kept for the closing line that says what was left out.
const FOOTER_ROOM: usize = 400;

/// Render the comment, whole.
pub fn render(files: &[FileResult]) -> String {
    render_capped(files, usize::MAX)
}

/// Render the comment in at most `limit` bytes (so at most `limit` characters): the findings
/// most severe first, then the files' statement tables, as many as fit; a last line counts
/// what was left out.
pub(crate) fn render_capped(files: &[FileResult], limit: usize) -> String {
    let summary = Summary::of(files);
    let mut out = String::from("## locklint\n\n");
    out.push_str(&format!(
        "**{}**\n\n",
        text::summary_line(&summary).trim_end()
    ));
    let budget = limit.saturating_sub(FOOTER_ROOM);

    let mut findings: Vec<(&FileResult, &crate::finding::Finding)> = files
        .iter()
        .flat_map(|file| file.findings().map(move |f| (file, f)))
        .collect();
    // Stable: within a severity, file order and line order stay.
    findings.sort_by_key(|(_, f)| std::cmp::Reverse(f.severity));
    let mut rows_left_out = 0;
    if findings.is_empty() {
        out.push_str("No findings.\n\n");
    } else {
        out.push_str("| Severity | Rule | Location | Message |\n|---|---|---|---|\n");
        for (i, (file, f)) in findings.iter().enumerate() {
            let r = Region::of(f, &file.source);
            let row = format!(
                "| {} | [{}]({}) | {} | {} |\n",
                f.severity,
                f.rule,
                super::rule_url(f.rule),
                text::md_code(&format!("{}:{}:{}", file.source.name, r.line, r.column)),
                text::md_cell(&f.message),
            );
            if out.len() + row.len() > budget {
                rows_left_out = findings.len() - i;
                break;
            }
            out.push_str(&row);
        }
        out.push('\n');
    }

    let mut files_left_out = 0;
    if rows_left_out == 0 {
        for (i, file) in files.iter().enumerate() {
            let section = file_section(file);
            if out.len() + section.len() > budget {
                files_left_out = files.len() - i;
                break;
            }
            out.push_str(&section);
        }
    } else {
        files_left_out = files.len();
    }
    if rows_left_out > 0 || files_left_out > 0 {
        let mut parts = Vec::new();
        if rows_left_out > 0 {
            parts.push(format!("{rows_left_out} of {} findings", findings.len()));
        }
        if files_left_out > 0 {
            parts.push(format!(
                "the statement tables of {files_left_out} of {}",
                text::plural(files.len(), "file")
            ));
        }
        out.push_str(&format!(
            "… {} not shown: this comment is capped at {limit} characters \
             (`--markdown-max-chars`); `locklint check --format json` lists every finding.\n",
            parts.join(" and ")
        ));
    }
    out
}

/// One file's collapsible table of statements.
fn file_section(file: &FileResult) -> String {
    let mut out = String::new();
    let findings = file.findings().len();
    let open = if findings > 0 { " open" } else { "" };
    out.push_str(&format!(
        "<details{open}><summary><code>{}</code>: {}, {}</summary>\n\n",
        text::html(&file.source.name),
        text::plural(file.stmts.len(), "statement"),
        text::plural(findings, "finding"),
    ));
    if file.stmts.is_empty() {
        out.push_str("No statements.\n\n</details>\n\n");
        return out;
    }
    out.push_str(
        "| Line | Kind | Statement | Locks | Blocks | Work | Est. (finding) |\n\
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
    out
}
