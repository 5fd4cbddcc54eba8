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

/// Diagnostics rendered at a time, in parallel; the output is written between chunks, so memory
/// stays bounded by a chunk, not by the number of findings.
const CHUNK: usize = 1024;

/// Write `check --format json` to `out`: what `serde_json::to_writer_pretty` writes for
/// `{"version": 1, "diagnostics": [...], "summary": {...}}`, with the diagnostics rendered in
/// parallel (each one pretty-printed alone, then indented to its depth).
pub fn write(files: &[FileResult], out: &mut dyn std::io::Write) -> std::io::Result<()> {
    // Buffered here, where the writer's type is known: each write through `dyn Write` is a call
    // that cannot be inlined.
    let mut out = std::io::BufWriter::with_capacity(1 << 16, out);
    out.write_all(b"{\n  \"version\": 1,\n  \"diagnostics\": [")?;
    let all: Vec<(&Finding, &SourceFile)> = files
        .iter()
        .flat_map(|f| f.findings().map(move |fi| (fi, &f.source)))
        .collect();
    let mut first = true;
    for chunk in all.chunks(CHUNK) {
        let rendered = crate::map_ordered(chunk, 64, |(f, src)| {
            indented(&JsonDiagnostic::new(f, src), b"\n    ")
        });
        for r in rendered {
            out.write_all(if first { b"\n    " } else { b",\n    " })?;
            out.write_all(&r?)?;
            first = false;
        }
    }
    out.write_all(if all.is_empty() { b"]" } else { b"\n  ]" })?;
    out.write_all(b",\n  \"summary\": ")?;
    out.write_all(&indented(&Summary::of(files), b"\n  ")?)?;
    out.write_all(b"\n}\n")?;
    out.flush()
}

/// `value` pretty-printed, each line after the first starting with `indent` instead of a bare
/// newline (a JSON string never holds a raw newline, so every newline is the printer's).
fn indented<T: Serialize>(value: &T, indent: &[u8]) -> std::io::Result<Vec<u8>> {
    let raw = serde_json::to_vec_pretty(value)?;
    let lines = memchr::memchr_iter(b'\n', &raw).count();
    let mut out = Vec::with_capacity(raw.len() + lines * indent.len());
    let mut rest = raw.as_slice();
    while let Some(at) = memchr::memchr(b'\n', rest) {
        out.extend_from_slice(&rest[..at]);
        out.extend_from_slice(indent);
        rest = &rest[at + 1..];
    }
    out.extend_from_slice(rest);
    Ok(out)
}

/// Render `check --format json`.
pub fn render(files: &[FileResult]) -> String {
    let mut out = Vec::new();
    match write(files, &mut out) {
        Ok(()) => String::from_utf8_lossy(&out).into_owned(),
        Err(e) => format!("{{\"error\": \"{e}\"}}\n"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The document as serde_json writes it in one piece.
    #[derive(Serialize)]
    struct Doc<'a> {
        version: u32,
        diagnostics: Vec<JsonDiagnostic<'a>>,
        summary: Summary,
    }

    fn reference(files: &[FileResult]) -> String {
        let doc = Doc {
            version: 1,
            diagnostics: files
                .iter()
                .flat_map(|f| {
                    f.findings()
                        .map(move |fi| JsonDiagnostic::new(fi, &f.source))
                })
                .collect(),
            summary: Summary::of(files),
        };
        serde_json::to_string_pretty(&doc).unwrap() + "\n"
    }

    #[test]
    fn writes_what_serde_json_writes_for_the_whole_document() {
        let settings = crate::config::Settings::default();
        let many: String = (0..CHUNK + 3)
            .map(|i| format!("CREATE INDEX i{i} ON t (a);\nDROP INDEX \"q\\{i}\";\n"))
            .collect();
        let texts = [
            "",
            "SELECT 1;\n",
            "ALTER TABLE t ADD COLUMN a int NOT NULL;\n",
            "CREATE INDEX ON t (a);\nALTER TABLE t ALTER COLUMN b SET NOT NULL;\n",
            many.as_str(),
        ];
        for text in texts {
            let files = vec![crate::pipeline::lint_text("m.sql", text, &settings)];
            assert_eq!(render(&files), reference(&files), "{text}");
        }
        let two: Vec<FileResult> = ["CREATE INDEX ON t (a);\n", "DROP INDEX x;\n"]
            .iter()
            .enumerate()
            .map(|(i, t)| crate::pipeline::lint_text(&format!("{i}.sql"), t, &settings))
            .collect();
        assert_eq!(render(&two), reference(&two));
        assert!(reference(&two).matches("\"rule\"").count() >= 2);
    }
}
