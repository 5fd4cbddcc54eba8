//! Human output: miette's graphical reports, one per finding, then a summary line.
//! Source snippets are cut from the file's line index, so rendering is linear in the findings.

use crate::config::Level;
use crate::finding::Finding;
use crate::report::{FileResult, Summary, text};
use crate::source::SourceFile;
use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError,
    MietteSpanContents, Severity, SourceCode, SourceSpan, SpanContents,
};
use std::fmt;

/// Rendering options.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// ANSI colours (only on a terminal, never with NO_COLOR).
    pub color: bool,
    /// Wrap width for prose (SQL is never wrapped).
    pub width: usize,
}

/// The width to wrap prose at: `COLUMNS` when set, else the terminal's width when `stream` is a
/// terminal, else 80.
pub(crate) fn width_of(stream: impl std::os::fd::AsFd) -> usize {
    let columns = std::env::var("COLUMNS")
        .ok()
        .and_then(|v| v.trim().parse::<usize>().ok())
        .filter(|&n| n > 0);
    columns
        .or_else(|| terminal_size::terminal_size_of(stream).map(|(w, _)| usize::from(w.0)))
        .unwrap_or(80)
        .max(MIN_WIDTH)
}

/// Narrower than this, wrapping prose makes it unreadable.
const MIN_WIDTH: usize = 40;

/// A file's text exposed to miette through its line index.
struct Snippet<'a> {
    src: &'a SourceFile,
}

impl SourceCode for Snippet<'_> {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let text = self.src.text.as_str();
        let start = span.offset().min(text.len());
        let end = (span.offset() + span.len()).min(text.len());
        let (first_line, _) = self.src.line_col(start);
        let (last_line, _) = self.src.line_col(end.saturating_sub(1).max(start));
        let from_line = first_line.saturating_sub(before).max(1);
        let to_line = (last_line + after).min(self.src.line_count().max(1));
        let a = self.src.line_range(from_line).start;
        let b = self.src.line_range(to_line).end;
        let slice = &text[a..b.max(a)];
        let inner = SourceSpan::new((start - a).into(), end - start);
        let c = slice.read_span(&inner, before, after)?;
        let data = c.data();
        let data_start = data.as_ptr() as usize - slice.as_ptr() as usize + a;
        Ok(Box::new(MietteSpanContents::new_named(
            self.src.name.clone(),
            data,
            SourceSpan::new(data_start.into(), data.len()),
            c.line() + from_line - 1,
            c.column(),
            c.line_count(),
        )))
    }
}

struct Diag<'a> {
    f: &'a Finding,
    src: Snippet<'a>,
    /// Whether the source snippet is drawn (not for an empty file or overlong lines).
    snippet: bool,
}

/// Lines longer than this (bytes) are not drawn: miette pads with format widths, which panic
/// past 65,535 columns, and a snippet that long helps nobody.
const MAX_SNIPPET_LINE: usize = 4096;

/// Whether every line miette would draw for `f` (its span's lines and one line of context on
/// each side) is short enough to draw.
fn drawable(src: &SourceFile, f: &Finding) -> bool {
    if src.text.is_empty() {
        return false;
    }
    let end = f.span.end.max(f.span.start);
    let (first, _) = src.line_col(f.span.start.min(src.text.len()));
    let (last, _) = src.line_col(end.saturating_sub(1).max(f.span.start).min(src.text.len()));
    let from = first.saturating_sub(1).max(1);
    let to = (last + 1).min(src.line_count().max(1));
    (from..=to).all(|l| src.line_range(l).len() <= MAX_SNIPPET_LINE)
        && f.label.len() <= MAX_SNIPPET_LINE
}

impl fmt::Debug for Diag<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.f.message)
    }
}

impl fmt::Display for Diag<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.f.message)
    }
}

impl std::error::Error for Diag<'_> {}

impl Diagnostic for Diag<'_> {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(format!("{}({})", self.f.rule, self.f.code)))
    }

    fn severity(&self) -> Option<Severity> {
        Some(match self.f.severity {
            Level::Error => Severity::Error,
            Level::Warning => Severity::Warning,
            _ => Severity::Advice,
        })
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.snippet.then_some(&self.src as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        if !self.snippet {
            return None;
        }
        let len = self.f.span.end.saturating_sub(self.f.span.start);
        let label = (!self.f.label.is_empty()).then(|| self.f.label.clone());
        let primary = LabeledSpan::new_primary_with_span(
            label,
            SourceSpan::new(self.f.span.start.into(), len),
        );
        // Second locations (the earlier statement whose lock is still held).
        let related = self.f.related.iter().map(|r| {
            let len = r.span.end.saturating_sub(r.span.start);
            LabeledSpan::new_with_span(
                Some(r.label.clone()),
                SourceSpan::new(r.span.start.into(), len),
            )
        });
        Some(Box::new(std::iter::once(primary).chain(related)))
    }
}

/// The help under a finding: prose lines wrapped to the width, SQL lines (indented by two spaces
/// in the recipe) printed verbatim, never wrapped, so a pasted recipe runs as written.
fn help_block(help: &str, opts: Options, out: &mut String) {
    const INDENT: &str = "        ";
    let heading = if opts.color {
        "  \x1b[36mhelp:\x1b[0m "
    } else {
        "  help: "
    };
    for (i, line) in help.lines().enumerate() {
        let lead = if i == 0 { heading } else { INDENT };
        if line.starts_with("  ") || line.trim().is_empty() {
            out.push_str(lead);
            out.push_str(line);
            out.push('\n');
            continue;
        }
        let wrap = textwrap::Options::new(opts.width.max(MIN_WIDTH))
            .initial_indent(lead)
            .subsequent_indent(INDENT)
            .word_separator(textwrap::WordSeparator::AsciiSpace);
        for l in textwrap::wrap(line, wrap) {
            out.push_str(&l);
            out.push('\n');
        }
    }
}

/// Render every finding and the summary line.
pub fn render(files: &[FileResult], opts: Options) -> String {
    let theme = if opts.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(opts.width)
        .with_word_separator(textwrap::WordSeparator::AsciiSpace)
        .with_context_lines(1);
    let mut out = String::new();
    for file in files {
        for f in file.findings() {
            let snippet = drawable(&file.source, f);
            let d = Diag {
                f,
                src: Snippet { src: &file.source },
                snippet,
            };
            let (line, col) = file
                .source
                .line_col(f.span.start.min(file.source.text.len()));
            if handler.render_report(&mut out, &d).is_err() {
                out.push_str(&format!(
                    "{}:{line}:{col}: {}: {}\n",
                    file.source.name, f.rule, f.message
                ));
            }
            help_block(&f.help, opts, &mut out);
            if file.source.text.is_empty() {
                out.push_str(&format!("  at {}\n", file.source.name));
            } else if !snippet {
                out.push_str(&format!(
                    "  at {}:{line}:{col} (line too long to show)\n",
                    file.source.name
                ));
            }
            out.push('\n');
        }
    }
    out.push_str(&text::summary_line(&Summary::of(files)));
    out
}
