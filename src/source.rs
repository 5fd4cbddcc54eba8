//! A file's text plus a line index, for converting between byte offsets and
//! the 1-based line/column positions shown to users.
//!
//! Lines split on `'\n'` only: a lone `'\r'` is an ordinary character (it is
//! what sqlparser's tokenizer counts too), and a CRLF line simply ends in
//! `"\r\n"`. Columns count Unicode scalar values (`char`s), not bytes, so a
//! column matches what sqlparser reports for the same position.

use std::ops::Range;

/// A file's text plus a line index.
///
/// Lines split on `'\n'` only (a lone `'\r'` is not a line break; CRLF lines
/// end in `"\r\n"`). A text ending in `'\n'` has a final, empty line after it,
/// so the end-of-text position always has a line to live on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    /// The path as the user named it (not canonicalized), for messages.
    pub name: String,
    /// The whole file text.
    pub text: String,
    /// Byte offset where each line starts; always begins with 0.
    line_starts: Vec<usize>,
}

impl SourceFile {
    /// Index `text` for line lookups. `name` is kept only for display.
    pub fn new(name: impl Into<String>, text: String) -> Self {
        let mut line_starts = Vec::with_capacity(text.len() / 32 + 1);
        line_starts.push(0);
        line_starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
        SourceFile {
            name: name.into(),
            text,
            line_starts,
        }
    }

    /// Number of lines: one more than the number of `'\n'` characters.
    pub(crate) fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// 1-based line and 1-based column, counted in Unicode scalar values
    /// (chars), for a byte offset.
    ///
    /// The offset is clamped to the text length; an offset inside a
    /// multi-byte char snaps back to the start of that char.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = floor_char_boundary(&self.text, offset);
        // Index of the last line starting at or before `offset`; line_starts[0]
        // is 0, so the partition point is at least 1.
        let idx = self
            .line_starts
            .partition_point(|&start| start <= offset)
            .saturating_sub(1);
        let start = self.line_starts.get(idx).copied().unwrap_or(0);
        let col = self
            .text
            .get(start..offset)
            .map_or(0, |s| s.chars().count());
        (idx + 1, col + 1)
    }

    /// Byte offset for a 1-based line and a 1-based char column.
    ///
    /// Line 0 and column 0 are treated as 1. A line past the last one gives the
    /// text length; a column past the end of its line gives the offset of the
    /// line's `'\n'` (or the text end on the last line), so that
    /// `offset(line_col(o)) == o` for every char boundary `o`.
    pub fn offset(&self, line: usize, col: usize) -> usize {
        let idx = line.max(1) - 1;
        let Some(&start) = self.line_starts.get(idx) else {
            return self.text.len();
        };
        // Up to and including the '\r' of a CRLF, but not the '\n'.
        let end = self
            .line_starts
            .get(idx + 1)
            .map_or(self.text.len(), |&next| next - 1);
        let Some(line_text) = self.text.get(start..end) else {
            return self.text.len();
        };
        let steps = col.max(1) - 1;
        match line_text.char_indices().nth(steps) {
            Some((i, _)) => start + i,
            None => end,
        }
    }

    /// Byte range of line `line` (1-based) without its line terminator
    /// (`'\n'` or `"\r\n"`). Line 0 is treated as 1; a line past the last one
    /// gives the empty range at the text end.
    pub(crate) fn line_range(&self, line: usize) -> Range<usize> {
        let idx = line.max(1) - 1;
        let len = self.text.len();
        let Some(&start) = self.line_starts.get(idx) else {
            return len..len;
        };
        let mut end = self.line_starts.get(idx + 1).map_or(len, |&next| next - 1);
        let bytes = self.text.as_bytes();
        let ends_in_newline = bytes.get(end) == Some(&b'\n');
        if ends_in_newline && end > start && bytes.get(end - 1) == Some(&b'\r') {
            end -= 1;
        }
        start..end
    }
}

/// The largest char boundary of `text` at or below `offset` (clamped to the
/// text length).
fn floor_char_boundary(text: &str, offset: usize) -> usize {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

#[cfg(test)]
mod tests {
    use super::*;

    fn src(text: &str) -> SourceFile {
        SourceFile::new("t.sql", text.to_string())
    }

    #[test]
    fn empty_text_has_one_line() {
        let f = src("");
        assert_eq!(f.line_count(), 1);
        assert_eq!(f.line_col(0), (1, 1));
        assert_eq!(f.line_col(10), (1, 1));
        assert_eq!(f.offset(1, 1), 0);
        assert_eq!(f.offset(5, 5), 0);
        assert_eq!(f.line_range(1), 0..0);
        assert_eq!(f.line_range(2), 0..0);
    }

    #[test]
    fn lf_lines() {
        let f = src("ab\ncd\n");
        assert_eq!(f.line_count(), 3);
        assert_eq!(f.line_col(0), (1, 1));
        assert_eq!(f.line_col(2), (1, 3)); // the '\n' itself
        assert_eq!(f.line_col(3), (2, 1));
        assert_eq!(f.line_col(6), (3, 1));
        assert_eq!(f.line_range(1), 0..2);
        assert_eq!(f.line_range(2), 3..5);
        assert_eq!(f.line_range(3), 6..6);
        assert_eq!(f.offset(2, 2), 4);
        assert_eq!(f.offset(2, 99), 5);
        assert_eq!(f.offset(3, 1), 6);
        assert_eq!(f.offset(4, 1), 6);
        assert_eq!(f.offset(0, 0), 0);
    }

    #[test]
    fn crlf_lines_exclude_terminator() {
        let f = src("ab\r\ncd\r\nef");
        assert_eq!(f.line_count(), 3);
        assert_eq!(f.line_range(1), 0..2);
        assert_eq!(&f.text[f.line_range(2)], "cd");
        assert_eq!(&f.text[f.line_range(3)], "ef");
        assert_eq!(f.line_col(2), (1, 3)); // '\r'
        assert_eq!(f.line_col(3), (1, 4)); // '\n'
        assert_eq!(f.line_col(4), (2, 1));
        // A column past the end clamps to the '\n', not the '\r'.
        assert_eq!(f.offset(1, 50), 3);
    }

    #[test]
    fn lone_cr_is_not_a_line_break() {
        let f = src("a\rb\nc");
        assert_eq!(f.line_count(), 2);
        assert_eq!(f.line_col(2), (1, 3));
        assert_eq!(&f.text[f.line_range(1)], "a\rb");
        assert_eq!(f.line_col(4), (2, 1));
    }

    #[test]
    fn columns_count_chars_not_bytes() {
        // 'ö' is 2 bytes, '✓' 3 bytes, '🦀' 4 bytes.
        let f = src("x\nö✓🦀z\n");
        assert_eq!(f.line_col(2), (2, 1));
        assert_eq!(f.line_col(4), (2, 2)); // '✓'
        assert_eq!(f.line_col(7), (2, 3)); // '🦀'
        assert_eq!(f.line_col(11), (2, 4)); // 'z'
        assert_eq!(f.offset(2, 4), 11);
        assert_eq!(f.offset(2, 3), 7);
        assert_eq!(&f.text[f.line_range(2)], "ö✓🦀z");
    }

    #[test]
    fn offsets_inside_a_char_snap_back() {
        let f = src("a🦀b");
        for inside in 2..5 {
            assert_eq!(f.line_col(inside), (1, 2), "offset {inside}");
        }
        assert_eq!(f.line_col(5), (1, 3));
        assert_eq!(f.line_col(1000), (1, 4));
    }

    #[test]
    fn tabs_are_one_column() {
        let f = src("\t\tx");
        assert_eq!(f.line_col(2), (1, 3));
    }

    #[test]
    fn round_trip_on_every_char_boundary() {
        let text = "select 'größe ✓';\r\n-- 🦀 comment\n\n\tx\ry\n";
        let f = src(text);
        for (o, _) in text.char_indices().chain([(text.len(), ' ')]) {
            let (line, col) = f.line_col(o);
            assert_eq!(f.offset(line, col), o, "offset {o} -> {line}:{col}");
        }
    }

    #[test]
    fn matches_sqlparser_locations() {
        use sqlparser::dialect::PostgreSqlDialect;
        use sqlparser::tokenizer::Tokenizer;
        let text = "select 'größe ✓',\r\n  \"🦀\" -- c\n\tfrom\rt;";
        let f = src(text);
        let tokens = Tokenizer::new(&PostgreSqlDialect {}, text)
            .tokenize_with_location()
            .expect("tokenizes");
        let mut offset = 0;
        for t in tokens {
            let start = f.offset(t.span.start.line as usize, t.span.start.column as usize);
            assert_eq!(start, offset, "token {t:?}");
            offset = f.offset(t.span.end.line as usize, t.span.end.column as usize);
        }
        assert_eq!(offset, text.len());
    }
}
