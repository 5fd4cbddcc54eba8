//! `--format json`: the stable, documented machine format (version 1).

use crate::finding::Finding;
use crate::model::Blocks;
use crate::report::text;
use crate::report::{FileResult, Summary};
use crate::source::SourceFile;
use serde::Serialize;
use std::io::Write;

/// One diagnostic as serialized.
#[derive(Serialize)]
pub(crate) struct JsonDiagnostic<'a> {
    rule: &'a str,
    code: &'a str,
    severity: &'static str,
    path: &'a str,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    message: &'a str,
    help: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    table: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    lock: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    blocks: Option<BlockNames>,
    #[serde(skip_serializing_if = "Option::is_none")]
    estimate_seconds: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    recipe: Option<&'a crate::finding::Recipe>,
}

impl<'a> JsonDiagnostic<'a> {
    /// Build from a finding, resolving byte offsets to 1-based lines and columns.
    pub fn new(f: &'a Finding, src: &'a SourceFile) -> Self {
        let (line, column) = src.line_col(f.span.start);
        let end = if f.span.end > f.span.start {
            f.span.end
        } else {
            f.span.start
        };
        let (end_line, end_column) = src.line_col(end);
        JsonDiagnostic {
            rule: f.rule,
            code: f.code,
            severity: f.severity.name(),
            path: &src.name,
            line,
            column,
            end_line,
            end_column,
            message: &f.message,
            help: &f.help,
            table: f.table.as_deref(),
            lock: f.lock.map(text::lock_mode),
            blocks: f.blocks.map(BlockNames),
            estimate_seconds: f.estimate_seconds,
            recipe: f.recipe.as_deref(),
        }
    }
}

/// What a lock blocks, as the list of [`Blocks::names`].
struct BlockNames(Blocks);

impl Serialize for BlockNames {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.name_iter())
    }
}

#[derive(Serialize)]
struct Doc<'a> {
    version: u32,
    diagnostics: Diagnostics<'a>,
    summary: Summary,
}

/// Every file's findings, serialized one at a time rather than collected first.
struct Diagnostics<'a>(&'a [FileResult]);

impl Serialize for Diagnostics<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.iter().flat_map(|f| {
            f.findings()
                .map(move |fi| JsonDiagnostic::new(fi, &f.source))
        }))
    }
}

/// Write `check --format json` to `out`.
pub fn write(files: &[FileResult], out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let doc = Doc {
        version: 1,
        diagnostics: Diagnostics(files),
        summary: Summary::of(files),
    };
    // Buffered here, where the writer's type is known: serde_json writes a token at a time, and
    // each write through `dyn Write` is a call that cannot be inlined.
    let mut out = std::io::BufWriter::with_capacity(1 << 16, out);
    serde_json::to_writer_pretty(&mut out, &doc)?;
    out.write_all(b"\n")?;
    out.flush()
}

/// Render `check --format json`.
pub fn render(files: &[FileResult]) -> String {
    let mut out = Vec::new();
    match write(files, &mut out) {
        Ok(()) => String::from_utf8_lossy(&out).into_owned(),
        Err(e) => format!("{{\"error\": \"{e}\"}}\n"),
    }
}
