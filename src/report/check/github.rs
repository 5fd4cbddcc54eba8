//! `--format github`: GitHub Actions workflow commands, one line per finding, which GitHub turns
//! into annotations on the pull request's diff:
//! `::error file=…,line=…,endLine=…,col=…,endColumn=…,title=…::message`.

use super::Region;
use crate::config::Level;
use crate::report::{FileResult, Summary, text};

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
                text::workflow_property(&file.source.name),
                r.line,
                r.end_line,
                r.column,
                r.end_column,
                text::workflow_property(&title),
                text::workflow_data(&message),
            ));
        }
    }
    out.push_str(&text::summary_line(&Summary::of(files)));
    out
}
