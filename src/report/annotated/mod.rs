//! The formats of `report`, the annotated view: every statement with the locks it holds until
//! commit, what they block, the work done under them, its estimate and its findings.
//!
//! A statement's estimate here is the estimated duration of its longest work (`Analyzed::
//! estimate_seconds`); a finding's estimate, as in `check`, is that of the work the finding is
//! about.

pub mod html;
pub mod json;
pub mod markdown;
pub(crate) mod svg;
pub(crate) mod timeline;

use crate::model::Span;
use crate::source::SourceFile;

/// The 1-based first and last line of a statement's byte range.
pub(crate) fn stmt_lines(src: &SourceFile, span: &Span) -> (usize, usize) {
    let (line, _) = src.line_col(span.start);
    let last = span.end.saturating_sub(1).max(span.start);
    (line, src.line_col(last).0.max(line))
}
