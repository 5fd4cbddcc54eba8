//! `--format github`: GitHub Actions workflow commands, one line per finding, which GitHub turns
//! into annotations on the pull request's diff:
//! `::error file=…,line=…,endLine=…,col=…,endColumn=…,title=…::message`.

use super::common::Region;
use super::{FileResult, Summary};
use crate::config::Level;

/// Escape a workflow command's message (GitHub's `escapeData`).
fn escape_data(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            c => out.push(c),
        }
    }
    out
}

/// Escape a workflow command's property value (GitHub's `escapeProperty`).
fn escape_property(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            ':' => out.push_str("%3A"),
            ',' => out.push_str("%2C"),
            c => out.push(c),
        }
    }
    out
}

/// Render every finding as a workflow command, then the summary line (plain log output).
pub fn render(files: &[FileResult]) -> String {
    let mut out = String::new();
    for file in files {
        for f in file.findings() {
            let command = match f.severity {
                Level::Error => "error",
                Level::Warning => "warning",
                Level::Info | Level::Off => "notice",
            };
            let r = Region::of(f, &file.source);
            let title = format!("{} ({})", f.rule, f.code);
            let message = if f.help.is_empty() {
                f.message.clone()
            } else {
                format!("{}\n\n{}", f.message, f.help)
            };
            out.push_str(&format!(
                "::{command} file={},line={},endLine={},col={},endColumn={},title={}::{}\n",
                escape_property(&file.source.name),
                r.line,
                r.end_line,
                r.column,
                r.end_column,
                escape_property(&title),
                escape_data(&message),
            ));
        }
    }
    out.push_str(&super::human::summary_line(&Summary::of(files)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_follows_the_actions_toolkit() {
        assert_eq!(escape_data("100%\r\na: b, c"), "100%25%0D%0Aa: b, c");
        assert_eq!(escape_property("a,b:c%\n"), "a%2Cb%3Ac%25%0A");
    }
}
