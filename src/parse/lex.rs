//! A byte-level scanner for the common subset of PostgreSQL's lexical grammar.
//!
//! It reads one top-level statement at a time and produces exactly the significant tokens (with
//! the same values and file-level locations) that sqlparser's tokenizer would produce for the
//! PostgreSQL dialect with unescaping off, without the whitespace and comment tokens in between.
//! Whatever it is not certain about makes it give up on the statement ([`Scan::Fallback`]), and
//! the tokenizer-driven splitter in [`super::split`] reads that statement instead. The subset:
//!
//! * blanks (space, tab, CR, LF), `--` comments and nesting `/* */` comments;
//! * ASCII words `[A-Za-z_][A-Za-z0-9_$]*` (keywords by sqlparser's own lookup), except a
//!   one-letter word that sqlparser reads as a string prefix (`E'`, `B'`, `B"`, `X'`, `N'`,
//!   `U&`) and the word ATOMIC (`BEGIN ATOMIC` bodies change where statements end);
//! * numbers `digits[.digits]` and `digits.` not followed by a letter, digit, `_`, `$` or `.`;
//! * `'...'` strings, `"..."` identifiers (a doubled quote stands for itself, and is kept
//!   doubled as sqlparser does without unescaping), `$$...$$` and `$tag$...$tag$` strings;
//! * the punctuation and operators `( ) [ ] , ; . :: + * / % = => == < <= <> > >= != - || ->`
//!   and `->>`, each only where the next byte cannot extend it into another operator.
//!
//! Anything else outside literals and comments (non-ASCII text, backslashes, placeholders, `:` or
//! `@`, other operators, prefixed strings, unterminated literals or comments, other control
//! bytes) is left to the tokenizer. Locations count lines by `'\n'` and columns in chars, as
//! sqlparser does (a `'\r'` or tab is one column).

use super::split::{HEAD_TOKENS, MAX_STMT_TOKENS, Pos, RawKind, RawStatement};
use sqlparser::ast::DollarQuotedString;
use sqlparser::keywords::{ALL_KEYWORDS, ALL_KEYWORDS_INDEX, Keyword};
use sqlparser::tokenizer::{Location, Span, Token, TokenWithSpan, Word};
use std::ops::Range;
use std::sync::OnceLock;

/// What the scanner found from a position between statements.
#[derive(Debug)]
pub(super) enum Scan {
    /// A statement, and the position just after it (after its `;`, or its last token at the
    /// text end).
    Statement(RawStatement, Pos),
    /// Nothing but blanks, comments and `;` up to the end of the text.
    End,
    /// Something outside the subset, at byte `at`, before the next statement ended; the
    /// statement must be read by the tokenizer, from the scan's start.
    Fallback { at: usize },
}

/// The scanner, with buffers reused from statement to statement.
#[derive(Default)]
pub(super) struct Scanner {
    tokens: Vec<TokenWithSpan>,
    ranges: Vec<Range<usize>>,
    /// Tokens past [`MAX_STMT_TOKENS`], not kept.
    overflow: usize,
    /// Where the statement's last token ends (kept or not).
    last_end: usize,
}

impl Scanner {
    /// Read the statement that starts at or after `from` (a position between statements).
    pub(super) fn statement(&mut self, text: &str, from: Pos) -> Scan {
        self.tokens.clear();
        self.ranges.clear();
        self.overflow = 0;
        let bytes = text.as_bytes();
        let mut lines = Lines::new(from);
        let mut i = from.byte;
        while let Some(&b) = bytes.get(i) {
            // A NUL byte stands for the text end here: no decision below tells them apart.
            let next = bytes.get(i + 1).copied().unwrap_or(0);
            let lexeme = match b {
                b' ' | b'\t' | b'\r' => {
                    i += 1;
                    continue;
                }
                b'\n' => {
                    i += 1;
                    lines.new_line(i);
                    continue;
                }
                b'-' if next == b'-' => {
                    // sqlparser ends a PostgreSQL line comment at CR as well as LF.
                    let end = bytes[i..]
                        .iter()
                        .position(|&c| c == b'\n' || c == b'\r')
                        .map_or(bytes.len(), |n| i + n);
                    lines.pass(bytes, i, end);
                    i = end;
                    continue;
                }
                b'/' if next == b'*' => match block_comment_end(bytes, i + 2) {
                    Some(end) => {
                        lines.pass(bytes, i, end);
                        i = end;
                        continue;
                    }
                    None => None,
                },
                b';' if self.tokens.is_empty() => {
                    // An empty statement.
                    i += 1;
                    continue;
                }
                b';' => return Scan::Statement(self.take(i + 1), lines.pos(i + 1)),
                b'A'..=b'Z' | b'a'..=b'z' | b'_' => word(text, i),
                b'0'..=b'9' => number(text, i),
                b'\'' => quoted(bytes, i, b'\'').map(|end| {
                    let value = text[i + 1..end - 1].to_string();
                    (Token::SingleQuotedString(value), end)
                }),
                b'"' => quoted(bytes, i, b'"').map(|end| {
                    let value = &text[i + 1..end - 1];
                    (Token::make_word(value, Some('"')), end)
                }),
                b'$' => dollar_quoted(text, i),
                _ => operator(bytes, i),
            };
            let Some((token, end)) = lexeme else {
                return Scan::Fallback { at: i };
            };
            let start = lines.location(i);
            if matches!(b, b'\'' | b'"' | b'$') {
                // Literals may hold line breaks and non-ASCII chars.
                lines.pass(bytes, i, end);
            }
            self.last_end = end;
            if self.tokens.len() < MAX_STMT_TOKENS {
                let span = Span::new(start, lines.location(end));
                self.tokens.push(TokenWithSpan::new(token, span));
                self.ranges.push(i..end);
            } else {
                self.overflow += 1;
            }
            i = end;
        }
        if self.tokens.is_empty() {
            return Scan::End;
        }
        let end = self.last_end;
        Scan::Statement(self.take(end), lines.pos(end))
    }

    /// The statement read so far, ending at byte `end`; the buffers stay for the next one.
    fn take(&mut self, end: usize) -> RawStatement {
        let start = self.ranges.first().map_or(end, |r| r.start);
        // Collecting from a drain allocates the exact size once.
        let keep = if self.overflow > 0 {
            HEAD_TOKENS
        } else {
            self.tokens.len()
        };
        let statement = RawStatement {
            span: start..end,
            tokens: self.tokens.drain(..keep).collect(),
            ranges: self.ranges.drain(..keep).collect(),
            kind: RawKind::Sql,
            overflow: self.overflow,
        };
        self.tokens.clear();
        self.ranges.clear();
        statement
    }
}

/// sqlparser-style line and column numbers: lines counted by `'\n'`, columns in chars.
struct Lines {
    line: u64,
    /// Where the line starts, as if its chars before the scan's start were one byte each.
    line_start: usize,
    /// UTF-8 continuation bytes passed on this line, each of which is no char of its own.
    continuation: usize,
}

impl Lines {
    fn new(from: Pos) -> Self {
        Lines {
            line: from.line,
            line_start: from
                .byte
                .saturating_sub(from.col.saturating_sub(1) as usize),
            continuation: 0,
        }
    }

    /// A line starts at byte `at`.
    fn new_line(&mut self, at: usize) {
        self.line += 1;
        self.line_start = at;
        self.continuation = 0;
    }

    /// Account for the line breaks and non-ASCII chars in `bytes[from..to]`; bytes outside
    /// such spans must be ASCII and no line break.
    fn pass(&mut self, bytes: &[u8], from: usize, to: usize) {
        for (i, &b) in bytes.get(from..to).unwrap_or(&[]).iter().enumerate() {
            if b == b'\n' {
                self.new_line(from + i + 1);
            } else if b & 0xC0 == 0x80 {
                self.continuation += 1;
            }
        }
    }

    /// The location of byte `at`, on the current line.
    fn location(&self, at: usize) -> Location {
        let col = at.saturating_sub(self.line_start + self.continuation) + 1;
        Location::new(self.line, col as u64)
    }

    fn pos(&self, at: usize) -> Pos {
        let loc = self.location(at);
        Pos {
            byte: at,
            line: loc.line,
            col: loc.column,
        }
    }
}

/// Whether sqlparser's PostgreSQL dialect lets `b` continue an operator
/// (`Dialect::is_custom_operator_part`).
fn is_operator_part(b: u8) -> bool {
    matches!(
        b,
        b'+' | b'-'
            | b'*'
            | b'/'
            | b'<'
            | b'>'
            | b'='
            | b'~'
            | b'!'
            | b'@'
            | b'#'
            | b'%'
            | b'^'
            | b'&'
            | b'|'
            | b'`'
            | b'?'
    )
}

/// Whether `b` continues a PostgreSQL identifier in sqlparser (any non-ASCII byte does).
fn is_word_part(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'$' || !b.is_ascii()
}

/// A word at `start`, unless sqlparser reads it differently.
fn word(text: &str, start: usize) -> Option<(Token, usize)> {
    let bytes = text.as_bytes();
    let end = bytes[start..]
        .iter()
        .position(|&b| !(b.is_ascii_alphanumeric() || b == b'_' || b == b'$'))
        .map_or(bytes.len(), |n| start + n);
    let after = bytes.get(end).copied().unwrap_or(0);
    if !after.is_ascii() {
        // Any non-ASCII char continues the word.
        return None;
    }
    // String prefixes: E'..', B'..', B"..", X'..', N'..', U&'..'.
    let prefix = matches!(
        (bytes[start].to_ascii_uppercase(), after),
        (b'E' | b'B' | b'X' | b'N', b'\'') | (b'B', b'"') | (b'U', b'&')
    );
    if end == start + 1 && prefix {
        return None;
    }
    let word = &bytes[start..end];
    let keyword = keyword(word);
    if keyword == Keyword::ATOMIC {
        return None;
    }
    // Only ASCII bytes, so these are char boundaries.
    let value = text.get(start..end)?.to_string();
    let token = Token::Word(Word {
        value,
        quote_style: None,
        keyword,
    });
    Some((token, end))
}

/// The keyword an unquoted ASCII word stands for, as sqlparser's lookup (a binary search with
/// a case-insensitive comparison) finds it in its keyword list, only faster.
fn keyword(word: &[u8]) -> Keyword {
    static TABLE: OnceLock<KeywordTable> = OnceLock::new();
    TABLE.get_or_init(KeywordTable::new).get(word)
}

/// sqlparser's keywords in an open-addressing hash table of case-insensitive hashes.
struct KeywordTable {
    /// Index into `ALL_KEYWORDS` plus one, or zero for an empty slot.
    slots: Vec<u16>,
}

impl KeywordTable {
    fn new() -> Self {
        let len = (ALL_KEYWORDS.len() * 4).next_power_of_two();
        let mut table = KeywordTable {
            slots: vec![0; len],
        };
        for (i, k) in ALL_KEYWORDS.iter().enumerate() {
            let Ok(index) = u16::try_from(i + 1) else {
                break;
            };
            let mut slot = table.home(k.as_bytes());
            while table.slots[slot] != 0 {
                slot = (slot + 1) & (len - 1);
            }
            table.slots[slot] = index;
        }
        table
    }

    /// The first slot to probe for `word`.
    fn home(&self, word: &[u8]) -> usize {
        let hash = word.iter().fold(0u32, |h, &b| {
            (h ^ u32::from(b.to_ascii_uppercase())).wrapping_mul(0x0100_0193)
        });
        hash as usize & (self.slots.len() - 1)
    }

    fn get(&self, word: &[u8]) -> Keyword {
        let mask = self.slots.len() - 1;
        let mut slot = self.home(word);
        loop {
            let index = usize::from(self.slots[slot]);
            if index == 0 {
                return Keyword::NoKeyword;
            }
            let found = ALL_KEYWORDS
                .get(index - 1)
                .zip(ALL_KEYWORDS_INDEX.get(index - 1));
            if let Some((k, &keyword)) = found
                && k.as_bytes().eq_ignore_ascii_case(word)
            {
                return keyword;
            }
            slot = (slot + 1) & mask;
        }
    }
}

/// A plain number at `start`: `digits`, `digits.` or `digits.digits`, followed by nothing
/// that sqlparser would read as part of it (an exponent, `_` separators, `0x`, the `L` suffix)
/// or as a word glued to it.
fn number(text: &str, start: usize) -> Option<(Token, usize)> {
    let bytes = text.as_bytes();
    let digits_from = |i: usize| {
        bytes[i..]
            .iter()
            .position(|b| !b.is_ascii_digit())
            .map_or(bytes.len(), |n| i + n)
    };
    let mut end = digits_from(start);
    if bytes.get(end) == Some(&b'.') {
        end = digits_from(end + 1);
    }
    match bytes.get(end) {
        Some(&b) if is_word_part(b) || b == b'.' => None,
        _ => Some((Token::Number(text[start..end].to_string(), false), end)),
    }
}

/// End of the quoted text opening at `start` (a doubled quote stands for itself), or `None`
/// if it is unterminated.
fn quoted(bytes: &[u8], start: usize, quote: u8) -> Option<usize> {
    let mut i = start + 1;
    loop {
        i += bytes.get(i..)?.iter().position(|&b| b == quote)?;
        if bytes.get(i + 1) == Some(&quote) {
            i += 2;
        } else {
            return Some(i + 1);
        }
    }
}

/// End of a nesting block comment whose body starts at `from`, or `None` if unterminated.
pub(super) fn block_comment_end(bytes: &[u8], from: usize) -> Option<usize> {
    let mut depth = 1usize;
    let mut i = from;
    while let Some(&b) = bytes.get(i) {
        let next = bytes.get(i + 1).copied();
        if b == b'/' && next == Some(b'*') {
            depth += 1;
            i += 2;
        } else if b == b'*' && next == Some(b'/') {
            depth -= 1;
            i += 2;
            if depth == 0 {
                return Some(i);
            }
        } else {
            i += 1;
        }
    }
    None
}

/// A dollar-quoted string at `start`: `$$body$$` or `$tag$body$tag$` with an ASCII tag that
/// does not start with a digit. sqlparser ends it at the first closing delimiter.
fn dollar_quoted(text: &str, start: usize) -> Option<(Token, usize)> {
    let bytes = text.as_bytes();
    let tag_end = bytes[start + 1..]
        .iter()
        .position(|&b| !(b.is_ascii_alphanumeric() || b == b'_'))
        .map_or(bytes.len(), |n| start + 1 + n);
    let tag = &text[start + 1..tag_end];
    if bytes.get(tag_end) != Some(&b'$') || tag.starts_with(|c: char| c.is_ascii_digit()) {
        // A placeholder such as `$1`, or a tag going on with non-ASCII letters.
        return None;
    }
    let delimiter = &text[start..=tag_end];
    let body = tag_end + 1;
    let body_len = text[body..].find(delimiter)?;
    let value = text[body..body + body_len].to_string();
    let token = Token::DollarQuotedString(DollarQuotedString {
        value,
        tag: (!tag.is_empty()).then(|| tag.to_string()),
    });
    Some((token, body + body_len + delimiter.len()))
}

/// A punctuation or operator token at `start`, and its end.
fn operator(bytes: &[u8], start: usize) -> Option<(Token, usize)> {
    let at = |k: usize| bytes.get(start + k).copied().unwrap_or(0);
    let op = |token, len: usize| Some((token, start + len));
    // Where the next byte could continue an operator, sqlparser reads a custom operator instead
    // (or, after `<`, some other operator); leave those to it.
    let alone = |token, len: usize| (!is_operator_part(at(len))).then_some((token, start + len));
    match (at(0), at(1)) {
        (b'(', _) => op(Token::LParen, 1),
        (b')', _) => op(Token::RParen, 1),
        (b'[', _) => op(Token::LBracket, 1),
        (b']', _) => op(Token::RBracket, 1),
        (b',', _) => op(Token::Comma, 1),
        (b'+', _) => op(Token::Plus, 1),
        (b'*', _) => op(Token::Mul, 1),
        // `/*` and `--` were taken as comments already.
        (b'/', _) => op(Token::Div, 1),
        (b'.', n) if n.is_ascii_digit() || n == b'_' => None,
        (b'.', _) => op(Token::Period, 1),
        (b':', b':') => op(Token::DoubleColon, 2),
        (b'=', b'>') => op(Token::RArrow, 2),
        (b'=', b'=') => op(Token::DoubleEq, 2),
        (b'=', _) => op(Token::Eq, 1),
        (b'!', b'=') => op(Token::Neq, 2),
        (b'<', b'=') => alone(Token::LtEq, 2),
        (b'<', b'>') => alone(Token::Neq, 2),
        (b'>', b'=') => alone(Token::GtEq, 2),
        (b'|', b'|') => alone(Token::StringConcat, 2),
        (b'<', _) => alone(Token::Lt, 1),
        (b'>', _) => alone(Token::Gt, 1),
        (b'-', b'>') if at(2) == b'>' => alone(Token::LongArrow, 3),
        (b'-', b'>') => alone(Token::Arrow, 2),
        (b'-', _) => alone(Token::Minus, 1),
        (b'%', _) => alone(Token::Mod, 1),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::split::{split, split_slow};

    /// The scanner reads the first statement of `text` itself, exactly as the tokenizer-driven
    /// splitter does, and the whole split agrees too.
    fn assert_fast(text: &str) {
        let Scan::Statement(stmt, _) = Scanner::default().statement(text, Pos::START) else {
            panic!("the scanner gave up on {text:?}");
        };
        let slow = split_slow(text);
        assert_eq!(Some(&stmt), slow.first(), "{text:?}");
        assert_eq!(split(text), slow, "{text:?}");
    }

    /// The scanner leaves the first statement of `text` to the tokenizer, and the split agrees
    /// with the tokenizer-driven one.
    fn assert_fallback(text: &str) {
        assert!(
            matches!(
                Scanner::default().statement(text, Pos::START),
                Scan::Fallback { .. }
            ),
            "the scanner read {text:?}"
        );
        assert_eq!(split(text), split_slow(text), "{text:?}");
    }

    #[test]
    fn words_and_keywords() {
        assert_fast("select abc_1$x, _u, A$ FROM \"t\"; x");
        assert_fast("CREATE TABLE t (a int)");
        // One-letter words that are string prefixes only before a quote.
        assert_fast("select e, b, x, n, u, E1, ee'a', ab\"c\", uu from t");
        assert_fast("select e\n'a'");
    }

    #[test]
    fn keywords_are_found_as_sqlparser_finds_them() {
        let mut words: Vec<String> = Vec::new();
        for k in ALL_KEYWORDS {
            words.push(k.to_string());
            words.push(k.to_ascii_lowercase());
            words.push(format!("{k}x"));
            words.push(k[..k.len() - 1].to_string());
        }
        words.extend(["", "_", "a", "seLect", "x_1$", "ab$"].map(String::from));
        words.push("A".repeat(70));
        for w in words {
            let expected = match Token::make_word(&w, None) {
                Token::Word(word) => word.keyword,
                _ => unreachable!(),
            };
            assert_eq!(keyword(w.as_bytes()), expected, "{w:?}");
        }
    }

    #[test]
    fn numbers() {
        assert_fast("select 1, 12.5, 3., 007, 1+2, 1-2, (1), 2'a', 3\"b\", 4/2");
        assert_fast("select 1;");
        assert_fast("select 9");
    }

    #[test]
    fn strings_identifiers_and_dollar_quotes() {
        assert_fast("select 'a''b', '', 'ü;é🦀', 'multi\nline', '\\', ''''");
        assert_fast("select \"a\"\"b\", \"ü\", \"\" from \"T\"");
        assert_fast("select $$a$b$$, $$$$, $$ $x $$, $t$ $$ x $t$, $_a1$a$_a$_a1$, $a$$a$");
        assert_fast("do $$ begin; end $$$$ $$;");
    }

    #[test]
    fn comments_and_blanks() {
        assert_fast("select /* a /* b */ c */ 1 -- x\r\n, 2 -- end");
        assert_fast("-- ü\r\n\t/* é\n */ select 'ö', 1\r\n ;");
        assert_fast(";; ; select 1;;");
        assert_fast("select 1 --");
        assert_fast("select /**/ 1 /*/ */ /***/");
        assert_fast("select\r1\r\r2");
    }

    #[test]
    fn operators() {
        assert_fast(
            "select a.b, a::int, f(x => 1), a = b, a == b, a =-1, a < b, a <= b, a <> b, a > b, \
             a >= b, a != b, a !=- b, a || b, a - b, a % b, a * b / c, arr[1][2], -1, +(a), \
             t.*, a.\"b\", x%y, a<'x', a>(1), a-(1), 1-., j->'k', j->>'k', j->0, j ->> k",
        );
    }

    #[test]
    fn locations_are_file_level() {
        let text = "\u{feff}select 1;\n\t-- é\n  select 'ü\n', x;";
        let stmts = split(text);
        assert_eq!(stmts, split_slow(text));
        let bom = Pos {
            byte: 3,
            line: 1,
            col: 2,
        };
        let Scan::Statement(stmt, next) = Scanner::default().statement(text, bom) else {
            panic!("fell back");
        };
        assert_eq!(stmt.tokens[0].span.start, Location::new(1, 2));
        assert_eq!(next.byte, "\u{feff}select 1;".len());
        let x = &stmts[1].tokens[3];
        assert_eq!(
            (x.span.start, x.span.end),
            (Location::new(4, 4), Location::new(4, 5))
        );
    }

    #[test]
    fn gives_up_outside_the_subset() {
        for text in [
            // Non-ASCII outside literals and comments.
            "select ü",
            "select aü",
            "select 1ü",
            "select 1 \u{a0}",
            "select $ü$ a $ü$",
            // Prefixed strings.
            "select E'a'",
            "select e'a'",
            "select B'1'",
            "select b\"x\"",
            "select X'ff'",
            "select x'ff'",
            "select N'a'",
            "select n'a'",
            "select U&'a'",
            "select u&x",
            // Placeholders, `:` and `@`.
            "select $1",
            "select $a",
            "select $1$x$1$",
            "select :a",
            "select : a",
            "select a[1:2]",
            "select @a",
            "select a @> b",
            "select a := b",
            // psql meta-commands and stray backslashes.
            "\\echo x",
            "select 1 \\x",
            // SQL-standard function bodies.
            "create function f() returns int begin atomic select 1; end",
            "select atomic from t",
            // Unterminated literals and comments.
            "select 'a",
            "select \"a",
            "select $$a",
            "select $t$a",
            "select /* a",
            "select /* a /* b */",
            // Operators that may go on, or that the scanner does not know.
            "select a->-b",
            "select a->>-b",
            "select a->>>b",
            "select a-=b",
            "select a<=-b",
            "select a<-1",
            "select a<+1",
            "select a<>-1",
            "select a>=-1",
            "select a||-b",
            "select a ||/ b",
            "select a #> b",
            "select a ~ b",
            "select a & b",
            "select a ^ b",
            "select a | b",
            "select a << b",
            "select a >> b",
            "select a !~ b",
            "select a ? b",
            "select a %% b",
            "select !a",
            "select {a}",
            "select `a`",
            // Numbers in forms the scanner leaves alone.
            "select 1e5",
            "select 1E-5",
            "select 1.5e3",
            "select 1_000",
            "select 0x1F",
            "select 1L",
            "select 1..2",
            "select 1.2.3",
            "select .5",
            "select 1abc",
            "select 1$",
            "select t._x",
            "select ._x",
            // Other bytes.
            "select \0",
            "select \x0c 1",
            "select \x0b 1",
            "select #",
        ] {
            assert_fallback(text);
        }
    }

    #[test]
    fn gives_up_on_one_statement_only() {
        let text = "select 1;\nselect $1;\nselect 'ok' -- é\n;\\echo x\nselect 2";
        let stmts = split(text);
        assert_eq!(stmts, split_slow(text));
        assert_eq!(stmts.len(), 5);
        let rest = "\nselect 'ok' -- é\n;\\echo x\nselect 2";
        let from = Pos {
            byte: text.len() - rest.len(),
            line: 2,
            col: 11,
        };
        assert!(matches!(
            Scanner::default().statement(text, from),
            Scan::Statement(..)
        ));
    }

    #[test]
    fn goes_on_after_a_meta_command_at_its_line_end() {
        // U+00A0 counts as a blank for the command's span but is a word to the tokenizer; the
        // tokenizer-driven splitter drops what follows the command on its line.
        for text in [
            "\\echo x\u{a0}\nselect 1;",
            "\\echo x\u{c}\u{a0}\r\nselect 1",
        ] {
            let stmts = split(text);
            assert_eq!(stmts, split_slow(text), "{text:?}");
            assert_eq!(stmts.len(), 2, "{text:?}");
        }
    }

    #[test]
    fn long_lines_of_statements_the_scanner_gives_up_on_stay_linear() {
        for one in [
            "select $1; ",
            "select(ü);",
            "select e'a' -- c\n;",
            "\\echo x\n",
            "select 1 \\x;",
        ] {
            let text = one.repeat(10_000);
            let start = std::time::Instant::now();
            let stmts = split(&text);
            assert_eq!(stmts.len(), 10_000, "{one:?}");
            // Quadratic behaviour would take minutes here, even unoptimized.
            assert!(
                start.elapsed().as_secs() < 20,
                "{one:?} took {:?}",
                start.elapsed()
            );
        }
    }
}

#[cfg(test)]
mod differential {
    use crate::parse::split::{split, split_slow};
    use std::path::{Path, PathBuf};

    /// Bytes of the shared corpus compared by default, so that the test stays quick
    /// unoptimized; the files are spread over the whole corpus.
    const CORPUS_BUDGET: u64 = 12 * 1024 * 1024;

    fn sql_files(dir: &Path) -> Vec<(PathBuf, u64)> {
        let mut files: Vec<(PathBuf, u64)> = walkdir::WalkDir::new(dir)
            .sort_by_file_name()
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_file())
            .filter(|e| e.path().extension().is_some_and(|x| x == "sql"))
            .map(|e| {
                let len = e.metadata().map_or(0, |m| m.len());
                (e.into_path(), len)
            })
            .collect();
        files.sort();
        files
    }

    fn assert_same_split(path: &Path) {
        let Ok(bytes) = std::fs::read(path) else {
            return;
        };
        let text = String::from_utf8_lossy(&bytes);
        let fast = split(&text);
        let slow = split_slow(&text);
        if fast != slow {
            let i = fast.iter().zip(&slow).take_while(|(a, b)| a == b).count();
            panic!(
                "{}: statement {i} differs:\nfast: {:?}\nslow: {:?}",
                path.display(),
                fast.get(i),
                slow.get(i)
            );
        }
    }

    #[test]
    fn scanner_and_tokenizer_split_sql_files_alike() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        for (path, _) in sql_files(&root.join("testdata")) {
            assert_same_split(&path);
        }
        let corpus = root.join("../shared/corpus");
        if !corpus.is_dir() {
            // The integration tests share this rule through tests/common (corpus_or_skip).
            let reason = format!("no directory {}", corpus.display());
            if std::env::var("LOCKLINT_REQUIRE_CORPUS").as_deref() == Ok("1") {
                panic!("the corpus part must run here (LOCKLINT_REQUIRE_CORPUS=1) but {reason}");
            }
            eprintln!("skipping the corpus part of the split comparison: {reason}");
            return;
        }
        let files = sql_files(&corpus);
        let total: u64 = files.iter().map(|(_, len)| len).sum();
        // Every file when the corpus fits the budget (or LOCKLINT_SPLIT_DIFF_ALL is set), else
        // an even spread of them.
        let stride = if std::env::var_os("LOCKLINT_SPLIT_DIFF_ALL").is_some() {
            1
        } else {
            total.div_ceil(CORPUS_BUDGET).max(1) as usize
        };
        let (mut count, mut bytes) = (0, 0);
        for (path, len) in files.iter().step_by(stride) {
            assert_same_split(path);
            count += 1;
            bytes += len;
        }
        println!(
            "compared {count} of {} corpus files ({bytes} of {total} bytes)",
            files.len()
        );
    }
}
