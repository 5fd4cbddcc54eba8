//! Statement splitter over sqlparser's tokenizer, with exact byte spans.
//!
//! A migration file is cut into top-level statements the way psql would cut
//! it: at `;` outside quotes, dollar quotes, comments and SQL-standard
//! `BEGIN ATOMIC ... END` function bodies, with psql backslash meta-commands
//! taking a line of their own. Every statement keeps its significant sqlparser
//! tokens (with file-level locations, so the parser's errors point into the
//! file) and the byte range of each token.
//!
//! Most statements are read by a fast byte-level scanner ([`super::lex`]) that
//! produces exactly the tokens sqlparser's tokenizer would, for a common subset
//! of the lexical grammar, without the whitespace and comment tokens the
//! tokenizer makes (one per blank). A statement holding anything outside that
//! subset is read again from its start by the tokenizer-driven splitter below,
//! which stops after that one statement; the scanner goes on after it.
//!
//! How the tokenizer is driven:
//!
//! * sqlparser tokenizes a whole string at once and stops at its first error,
//!   so the file is fed to it in *runs*: a run tokenizes `text[pos..end]`,
//!   its tokens are fed to a streaming statement builder, and the next run
//!   starts where this one stopped. Token locations of a run are relative to
//!   its substring and are shifted back to file-level line/column.
//! * A run normally ends at a line boundary (just after a `'\n'`) some chunk
//!   size past its start. Cutting after a `'\n'` is invisible to the
//!   tokenizer unless a quoted literal or block comment crosses the cut; that
//!   shows up as an error on a literal reaching past the cut, and the run is
//!   redone from the literal with a larger chunk. Chunks exist only to bound
//!   the work thrown away when a psql meta-command forces a restart: the
//!   meta-command ends at its line end, which may lie inside a token the run
//!   already produced (`\echo don't`), so everything after it is lexed again.
//! * When it reads the one statement the scanner gave up on, runs may also end
//!   just past a blank, `;`, `,`, `(` or `)`, so that a long line is not tokenized to its end
//!   for every statement on it. Such a cut is invisible to the tokenizer too,
//!   except inside a literal or comment: an unterminated one fails as above,
//!   and a `--` comment (which does not fail) leaves the run ending in a token
//!   other than a blank or `;`; the run is redone with a larger chunk.
//! * On a real tokenizer error the rejected lexeme is stepped over (see
//!   [`RawKind::TokenizeError`]) and a new run starts after it; the statement
//!   in progress carries on and is marked as erroneous.
//! * Byte offsets come from walking the text forward alongside the tokens'
//!   (line, column) locations, so the whole split is linear in the file size.
//!   Whitespace tokens are dropped as statements are built.

use std::ops::Range;

use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::keywords::Keyword;
use sqlparser::tokenizer::{Location, Span, Token, TokenWithSpan, Tokenizer, Whitespace};

use super::lex::{self, Scan, Scanner};

/// One top-level statement as found in the file.
#[derive(Debug, Clone, PartialEq)]
pub struct RawStatement {
    /// Byte range in the file: from the first token of the statement (not
    /// leading whitespace/comments) to the end of its last token, including
    /// the terminating `;` if there is one.
    pub span: Range<usize>,
    /// The statement's significant tokens, with the file-level line/column
    /// locations sqlparser produced, from its first token up to but excluding
    /// the terminating `;`. Whitespace and comment tokens are left out (the
    /// parser skips them), except the one right after a `:` or `@`: sqlparser
    /// reads a `:name` or `@name` placeholder without skipping whitespace, so
    /// `: name` must stay apart. After a tokenizer error the text the
    /// tokenizer could not read has no token (see [`RawKind::TokenizeError`]).
    pub tokens: Vec<TokenWithSpan>,
    /// The byte range in the file of each token of `tokens`.
    pub ranges: Vec<Range<usize>>,
    /// What kind of statement this is.
    pub kind: RawKind,
    /// How many tokens past [`MAX_STMT_TOKENS`] the statement has. When it has any, `tokens`
    /// holds only its first [`HEAD_TOKENS`]: a statement that long is data (a seed `INSERT`
    /// of millions of rows), and its tokens would take ~100 bytes of memory per byte of text.
    pub overflow: usize,
}

/// At most this many tokens of one statement are kept (a few MB of text; the longest DDL
/// statement of the corpus has a few thousand).
pub const MAX_STMT_TOKENS: usize = 100_000;

/// The tokens kept of a statement over [`MAX_STMT_TOKENS`]: enough to tell its kind and target.
pub const HEAD_TOKENS: usize = 64;

/// What the splitter found at a statement position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RawKind {
    /// An ordinary SQL statement.
    Sql,
    /// A psql meta-command such as `\connect foo` or `\set ON_ERROR_STOP on`:
    /// a backslash where a statement would start. It runs to the end of that
    /// line (no `;` needed); the span excludes the line terminator and
    /// trailing blanks. `tokens` holds the tokens lying wholly inside the
    /// span and may be empty or partial (the line may hold text the SQL
    /// tokenizer rejects).
    PsqlMeta,
    /// The tokenizer failed inside this statement (e.g. an unterminated
    /// quote, `$$` or comment, or a lexeme it rejects).
    ///
    /// The lexeme the tokenizer rejected is skipped by PostgreSQL's lexical
    /// rules (a quoted literal or comment up to its closing delimiter, any
    /// other lexeme up to the error location) and tokenizing resumes after
    /// it, so the statement still ends at its own terminating `;`. An
    /// unterminated literal or comment swallows the rest of the file, as it
    /// would in PostgreSQL. `tokens` lacks the skipped text.
    TokenizeError {
        /// The tokenizer's message, without its location suffix.
        message: String,
        /// Byte offset of the location the tokenizer reported.
        at: usize,
    },
}

/// Split a whole file into top-level statements, in file order.
///
/// Never panics, never loses text after an error: every byte that is not
/// whitespace, a comment or the `;` of an empty statement lies in exactly one
/// returned span. A leading byte-order mark is skipped.
pub fn split(text: &str) -> Vec<RawStatement> {
    let mut out = Vec::new();
    split_each(text, |r| out.push(r));
    out
}

/// [`split`], handing each statement to `f` as soon as it is complete, so memory is bounded
/// by the largest statement and one tokenizer run, not by the file.
pub fn split_each(text: &str, mut f: impl FnMut(RawStatement)) {
    split_fast(text, FALLBACK_CHUNK, &mut f);
}

/// Size of the first tokenizer run, in bytes (rounded up to a line end).
const FIRST_CHUNK: usize = 64 * 1024;

/// Size of the first tokenizer run for one statement the fast scanner gave up on, in bytes
/// past the point where it gave up (rounded up to just past a blank, `;` or line end).
const FALLBACK_CHUNK: usize = 16;

/// Size of the run after a meta-command forced a restart; small because
/// meta-commands come in clusters and each restart discards what the run
/// tokenized past the meta-command's line.
const CHUNK_AFTER_META: usize = 64;

/// Largest tokenizer run, in bytes, unless one literal or comment is longer.
const MAX_CHUNK: usize = 64 * 1024;

/// Where splitting starts: after a byte-order mark, which the tokenizer would read as the start
/// of an identifier.
fn text_start(text: &str) -> Pos {
    if text.starts_with('\u{feff}') {
        Pos {
            byte: '\u{feff}'.len_utf8(),
            line: 1,
            col: 2,
        }
    } else {
        Pos::START
    }
}

/// The split: the fast scanner reads each statement it can, and the tokenizer-driven splitter
/// reads each one it gives up on, starting from the same position, with a first tokenizer run
/// of `fallback_chunk` bytes past the point where the scanner gave up.
fn split_fast(text: &str, fallback_chunk: usize, f: &mut dyn FnMut(RawStatement)) {
    let mut scanner = Scanner::default();
    let mut pos = text_start(text);
    while pos.byte < text.len() {
        match scanner.statement(text, pos) {
            Scan::Statement(stmt, next) => {
                f(stmt);
                pos = next;
            }
            Scan::End => break,
            Scan::Fallback { at } => {
                let mut first = None;
                let chunk = fallback_chunk.saturating_add(at - pos.byte);
                split_tokenized(text, pos, chunk, Reach::One, &mut |s| first = Some(s));
                let Some(stmt) = first else { break };
                // After a meta-command the splitter goes on at its line end:
                // the line's rest may hold chars that Rust counts as blanks but
                // the tokenizer reads as a word, such as U+00A0.
                let end = match stmt.kind {
                    RawKind::PsqlMeta => line_end(text, stmt.span.start),
                    _ => stmt.span.end,
                };
                pos = advance_to_byte(text, pos, end);
                f(stmt);
            }
        }
    }
}

/// [`split`] by the tokenizer-driven splitter alone, without the fast scanner. The two give
/// the same statements; this is the reference that tests and the fuzz target check it against.
pub fn split_slow(text: &str) -> Vec<RawStatement> {
    split_slow_chunked(text, FIRST_CHUNK)
}

/// [`split_slow`] with a chosen first chunk size; results must not depend on it.
fn split_slow_chunked(text: &str, first_chunk: usize) -> Vec<RawStatement> {
    let mut out = Vec::new();
    split_tokenized(text, text_start(text), first_chunk, Reach::All, &mut |r| {
        out.push(r)
    });
    out
}

/// How many statements [`split_tokenized`] reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reach {
    /// All statements up to the end of the text, cutting tokenizer runs at line ends.
    All,
    /// The first statement only, cutting tokenizer runs after blanks, `;`, `,` and parentheses too, so that the
    /// work is bounded by the statement even on a long line.
    One,
}

/// The tokenizer-driven splitter, from `start` (a position between statements), with a first
/// tokenizer run of `first_chunk` bytes; results must not depend on it.
fn split_tokenized(
    text: &str,
    start: Pos,
    first_chunk: usize,
    reach: Reach,
    f: &mut dyn FnMut(RawStatement),
) {
    let mut builder = Builder::default();
    let len = text.len();
    let mut pos = start;
    let mut chunk = first_chunk.max(1);
    let cuts: &[u8] = match reach {
        Reach::All => b"\n",
        // `,` `(` `)` too: a long row list (`VALUES (:a),(:b),…`) may have no blank at all.
        Reach::One => b"\n \t;,()",
    };
    let mut run_ends = RunEnds::new(text, cuts);
    let done = |builder: &Builder| reach == Reach::One && !builder.out.is_empty();

    'runs: while pos.byte < len && !done(&builder) {
        builder.out.drain(..).for_each(&mut *f);
        let end = run_ends.end(pos.byte, chunk);
        let run = tokenize_run(text, pos, end);
        if run.error.is_none() && end < len && !ends_at_boundary(&run) {
            // The cut fell inside a `--` comment, which (unlike other literals
            // and comments) does not fail at the end of the run; redo with a
            // larger run.
            chunk = chunk.saturating_mul(2);
            continue;
        }
        let mut tokens = run.tokens.into_iter().peekable();

        while let Some(tok) = tokens.next() {
            if done(&builder) {
                break 'runs;
            }
            if builder.pending.is_some() || tok.token.token != Token::Backslash {
                builder.feed(tok);
                continue;
            }
            // A psql meta-command: the rest of the line, whatever it holds.
            let line_end = line_end(text, tok.start.byte);
            if end < line_end {
                // The run was cut after a blank or `;` on this line: redo it
                // from here with the whole line, whose tokens the command keeps.
                pos = tok.start;
                chunk = line_end - tok.start.byte + 1;
                continue 'runs;
            }
            let line = text.get(tok.start.byte..line_end).unwrap_or("");
            let meta_end = tok.start.byte + line.trim_end().len();
            let mut meta = Pending::new(tok.start.byte);
            let mut cursor = tok.end;
            meta.push(tok, true);
            while let Some(next) = tokens.next_if(|t| t.start.byte < line_end) {
                if next.end.byte <= line_end {
                    cursor = next.end;
                }
                if next.end.byte <= meta_end {
                    let significant = !is_trivia(&next.token.token);
                    meta.push(next, significant);
                }
            }
            builder.out.push(meta.finish(meta_end, RawKind::PsqlMeta));

            let aligned = match tokens.peek() {
                Some(next) => next.start.byte == line_end,
                None => run.stop.byte == line_end,
            };
            if !aligned {
                // A token (or the tokenizer's error) straddles the line end:
                // what was tokenized past it is wrong, start over there.
                pos = advance_to_byte(text, cursor, line_end);
                chunk = CHUNK_AFTER_META;
                continue 'runs;
            }
        }
        if done(&builder) {
            break;
        }

        let Some(error) = run.error else {
            pos = run.stop;
            chunk = chunk.saturating_mul(2).min(MAX_CHUNK);
            continue;
        };

        // The failing lexeme starts right where the last token ended.
        let failed = run.stop;
        let lexeme_end = quoted_lexeme_end(text, failed.byte);
        if let Some(lexeme_end) = lexeme_end.filter(|&e| end < len && e >= end) {
            // The run's cut fell inside this literal or comment; the error may
            // be an artefact of the cut. Redo it with the literal in one run.
            pos = failed;
            chunk = chunk
                .saturating_mul(2)
                .max(lexeme_end.saturating_sub(failed.byte));
            continue;
        }

        let at = if error.location.line == 0 {
            failed
        } else {
            advance(text, failed, shift(error.location, run.base), len)
        };
        let next_char = text
            .get(failed.byte..)
            .and_then(|rest| rest.chars().next())
            .map_or(0, char::len_utf8);
        let resume = lexeme_end
            .unwrap_or(failed.byte + next_char)
            .max(at.byte)
            .min(len);
        builder.fail(failed.byte, resume, error.message, at.byte);
        pos = advance_to_byte(text, at, resume);
    }

    if !done(&builder) {
        builder.flush();
    }
    builder.out.drain(..).for_each(f);
}

/// Whether a run that ended without error ends with a blank, `;`, `,`, `(` or `)` token, so that its cut is
/// a token boundary of the whole text: outside literals and comments these chars are tokens of
/// their own, and no token's extent depends on the chars past them.
fn ends_at_boundary(run: &Run) -> bool {
    match run.tokens.last() {
        Some(last) => matches!(
            last.token.token,
            Token::SemiColon
                | Token::Comma
                | Token::LParen
                | Token::RParen
                | Token::Whitespace(Whitespace::Space | Whitespace::Tab | Whitespace::Newline)
        ),
        None => true,
    }
}

/// A file-level position: byte offset plus sqlparser-style 1-based line
/// (counted by `'\n'`) and column (counted in chars).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Pos {
    pub(super) byte: usize,
    pub(super) line: u64,
    pub(super) col: u64,
}

impl Pos {
    pub(super) const START: Pos = Pos {
        byte: 0,
        line: 1,
        col: 1,
    };
}

/// A token with its file-level start and end positions.
struct Lexed {
    token: TokenWithSpan,
    start: Pos,
    end: Pos,
}

/// The result of one tokenizer run over `text[base.byte..end]`.
struct Run {
    base: Pos,
    tokens: Vec<Lexed>,
    /// Where the last token ended (the run's start if there was none); on
    /// error, where the lexeme the tokenizer failed on starts.
    stop: Pos,
    error: Option<sqlparser::tokenizer::TokenizerError>,
}

/// Tokenize `text[base.byte..end]` and give every token file-level locations
/// and byte offsets.
fn tokenize_run(text: &str, base: Pos, end: usize) -> Run {
    let slice = text.get(base.byte..end).unwrap_or("");
    let mut buf = Vec::new();
    let result = Tokenizer::new(&PostgreSqlDialect {}, slice)
        .with_unescape(false)
        .tokenize_with_location_into_buf(&mut buf);
    let mut tokens = Vec::with_capacity(buf.len());
    let mut cursor = base;
    for mut token in buf {
        token.span = Span::new(shift(token.span.start, base), shift(token.span.end, base));
        let start = cursor;
        // Tokens are contiguous, so each one starts where the previous ended
        // and only its end needs finding.
        cursor = advance(text, cursor, token.span.end, end);
        tokens.push(Lexed {
            token,
            start,
            end: cursor,
        });
    }
    Run {
        base,
        tokens,
        stop: cursor,
        error: result.err(),
    }
}

/// A location relative to a run's substring, made relative to the file.
fn shift(loc: Location, base: Pos) -> Location {
    if loc.line == 0 {
        // sqlparser's "unknown location"; keep it unknown.
        return loc;
    }
    let column = if loc.line == 1 {
        loc.column + base.col - 1
    } else {
        loc.column
    };
    Location::new(loc.line + base.line - 1, column)
}

/// Walk forward from `from` until the file-level location `target` (or
/// `limit`) is reached, stepping the way sqlparser counts lines and columns.
fn advance(text: &str, from: Pos, target: Location, limit: usize) -> Pos {
    let mut pos = from;
    let target = (target.line, target.column);
    let rest = text.get(from.byte..limit).unwrap_or("");
    // Whole lines before the target's are skipped a newline at a time: no position on them
    // reaches the target.
    let mut start = 0;
    while pos.line < target.0 {
        match memchr::memchr(b'\n', &rest.as_bytes()[start..]) {
            Some(at) => {
                start += at + 1;
                pos.byte = from.byte + start;
                pos.line += 1;
                pos.col = 1;
            }
            None => return advance_to_byte(text, pos, limit),
        }
    }
    for ch in rest[start..].chars() {
        if (pos.line, pos.col) >= target {
            break;
        }
        step(&mut pos, ch);
    }
    pos
}

/// Walk forward from `from` to the byte offset `to` (a char boundary).
fn advance_to_byte(text: &str, from: Pos, to: usize) -> Pos {
    let Some(slice) = text.get(from.byte..to) else {
        return from;
    };
    let mut pos = from;
    pos.byte = to;
    match memchr::memrchr(b'\n', slice.as_bytes()) {
        Some(last) => {
            pos.line += memchr::memchr_iter(b'\n', slice.as_bytes()).count() as u64;
            pos.col = 1 + slice[last + 1..].chars().count() as u64;
        }
        None => pos.col += slice.chars().count() as u64,
    }
    pos
}

fn step(pos: &mut Pos, ch: char) {
    pos.byte += ch.len_utf8();
    if ch == '\n' {
        pos.line += 1;
        pos.col = 1;
    } else {
        pos.col += 1;
    }
}

/// Finds where tokenizer runs end: just past the first cut byte (`'\n'`, and
/// for a single statement also a blank or `;`) at least a chunk past the run's
/// start, or the text end.
///
/// Runs restart often after errors on one long line, so the last answer is
/// remembered: searching the same stretch without a cut byte again for every
/// run would make the split quadratic.
struct RunEnds<'a> {
    bytes: &'a [u8],
    /// The bytes after which a run may end.
    cuts: &'a [u8],
    /// The last search: where it started, and where it found its cut byte (or
    /// the text end).
    last: Option<(usize, usize)>,
}

impl<'a> RunEnds<'a> {
    fn new(text: &'a str, cuts: &'a [u8]) -> Self {
        RunEnds {
            bytes: text.as_bytes(),
            cuts,
            last: None,
        }
    }

    fn end(&mut self, start: usize, chunk: usize) -> usize {
        let len = self.bytes.len();
        let from = start.saturating_add(chunk);
        if from >= len {
            return len;
        }
        let cut = match self.last {
            Some((searched, cut)) if (searched..=cut).contains(&from) => cut,
            // Nothing between `searched` and `cut` is a cut byte, so a search
            // from before that stretch can stop at its start.
            Some((searched, cut)) if from < searched => {
                self.find_cut(from, searched).unwrap_or(cut)
            }
            _ => self.find_cut(from, len).unwrap_or(len),
        };
        self.last = Some((from, cut));
        (cut + 1).min(len)
    }

    fn find_cut(&self, from: usize, to: usize) -> Option<usize> {
        let found = self
            .bytes
            .get(from..to)?
            .iter()
            .position(|b| self.cuts.contains(b));
        found.map(|i| from + i)
    }
}

/// Offset of the `'\n'` ending the line that contains `from`, or the text end.
fn line_end(text: &str, from: usize) -> usize {
    text.as_bytes()
        .get(from..)
        .and_then(|rest| rest.iter().position(|&b| b == b'\n'))
        .map_or(text.len(), |i| from + i)
}

fn is_trivia(token: &Token) -> bool {
    matches!(token, Token::Whitespace(_))
}

/// Builds statements from a stream of tokens.
#[derive(Default)]
struct Builder {
    out: Vec<RawStatement>,
    /// The statement in progress, if a significant token has been seen since
    /// the last boundary.
    pending: Option<Pending>,
}

impl Builder {
    fn feed(&mut self, tok: Lexed) {
        let token = &tok.token.token;
        if is_trivia(token) {
            if let Some(pending) = &mut self.pending {
                pending.push(tok, false);
            }
            return;
        }
        if *token == Token::SemiColon {
            match self.pending.take() {
                // `;;` or a `;` after comments: an empty statement.
                None => {}
                Some(mut pending) if pending.atomic_depth > 0 => {
                    pending.observe(token);
                    pending.push(tok, true);
                    self.pending = Some(pending);
                }
                Some(pending) => {
                    let kind = pending.kind();
                    self.out.push(pending.finish(tok.end.byte, kind));
                }
            }
            return;
        }
        let pending = self
            .pending
            .get_or_insert_with(|| Pending::new(tok.start.byte));
        pending.observe(token);
        pending.push(tok, true);
    }

    /// The tokenizer rejected the lexeme at `start`; the text up to `resume`
    /// is skipped and belongs to the statement in progress.
    fn fail(&mut self, start: usize, resume: usize, message: String, at: usize) {
        let pending = self.pending.get_or_insert_with(|| Pending::new(start));
        pending.seen_first = true;
        pending.prev_was_begin = false;
        pending.error.get_or_insert((message, at));
        pending.text_end = pending.text_end.max(resume);
    }

    /// End of file: a statement without `;` still counts.
    fn flush(&mut self) {
        if let Some(pending) = self.pending.take() {
            let kind = pending.kind();
            let end = pending.text_end;
            self.out.push(pending.finish(end, kind));
        }
    }
}

/// A statement being collected.
struct Pending {
    start: usize,
    tokens: Vec<TokenWithSpan>,
    ranges: Vec<Range<usize>>,
    /// Length of `tokens` up to and including the last significant token
    /// (whitespace kept after a `:` or `@` may follow it).
    significant_len: usize,
    /// End of the statement's text so far: the last significant token or a
    /// skipped unreadable lexeme.
    text_end: usize,
    error: Option<(String, usize)>,
    seen_first: bool,
    /// The statement starts with CREATE, so it may define a function with a
    /// `BEGIN ATOMIC` body.
    is_create: bool,
    prev_was_begin: bool,
    /// Open `BEGIN ATOMIC` / `CASE` blocks awaiting their `END`; `;` does not
    /// end the statement while this is non-zero.
    atomic_depth: u32,
    /// Significant tokens past [`MAX_STMT_TOKENS`], not kept.
    overflow: usize,
}

impl Pending {
    fn new(start: usize) -> Self {
        Pending {
            start,
            tokens: Vec::new(),
            ranges: Vec::new(),
            significant_len: 0,
            text_end: start,
            error: None,
            seen_first: false,
            is_create: false,
            prev_was_begin: false,
            atomic_depth: 0,
            overflow: 0,
        }
    }

    fn push(&mut self, tok: Lexed, significant: bool) {
        if !significant {
            // sqlparser reads `:name` and `@name` placeholders without
            // skipping whitespace; the parser must still see it there. (This
            // also keeps trivia that follows a skipped unreadable lexeme
            // from coming first.)
            let last = self.tokens.last().map(|t| &t.token);
            if !matches!(last, Some(Token::Colon | Token::AtSign)) {
                return;
            }
        }
        if self.tokens.len() >= MAX_STMT_TOKENS {
            if significant {
                self.overflow += 1;
                self.text_end = self.text_end.max(tok.end.byte);
            }
            return;
        }
        self.tokens.push(tok.token);
        self.ranges.push(tok.start.byte..tok.end.byte);
        if significant {
            self.significant_len = self.tokens.len();
            self.text_end = self.text_end.max(tok.end.byte);
        }
    }

    /// Track SQL-standard function bodies, the one place where `;` does not
    /// end a statement: `CREATE ... BEGIN ATOMIC stmt; stmt; END`. Like psql,
    /// only statements starting with CREATE are considered, and CASE opens a
    /// block that END closes; unlike psql a bare BEGIN does not count (it is a
    /// legal column name), only BEGIN ATOMIC, and parentheses do not matter.
    fn observe(&mut self, token: &Token) {
        let keyword = match token {
            Token::Word(word) if word.quote_style.is_none() => Some(word.keyword),
            _ => None,
        };
        if !self.seen_first {
            self.seen_first = true;
            self.is_create = keyword == Some(Keyword::CREATE);
        }
        if self.is_create {
            match keyword {
                Some(Keyword::ATOMIC) if self.prev_was_begin => self.atomic_depth += 1,
                Some(Keyword::CASE) if self.atomic_depth > 0 => self.atomic_depth += 1,
                Some(Keyword::END) if self.atomic_depth > 0 => self.atomic_depth -= 1,
                _ => {}
            }
        }
        self.prev_was_begin = keyword == Some(Keyword::BEGIN);
    }

    fn kind(&self) -> RawKind {
        match &self.error {
            None => RawKind::Sql,
            Some((message, at)) => RawKind::TokenizeError {
                message: message.clone(),
                at: *at,
            },
        }
    }

    fn finish(mut self, end: usize, kind: RawKind) -> RawStatement {
        let keep = if self.overflow > 0 {
            HEAD_TOKENS
        } else {
            self.significant_len
        };
        self.tokens.truncate(keep);
        self.ranges.truncate(keep);
        if self.overflow > 0 {
            self.tokens.shrink_to_fit();
            self.ranges.shrink_to_fit();
        }
        RawStatement {
            span: self.start..end.max(self.start),
            tokens: self.tokens,
            ranges: self.ranges,
            kind,
            overflow: self.overflow,
        }
    }
}

/// If a quoted literal, quoted identifier, dollar-quoted string or block
/// comment starts at `start`, the offset just past its closing delimiter, or
/// the text end if it is unterminated. `None` for any other lexeme (those
/// never span lines).
///
/// Used to step over a lexeme the tokenizer rejected, so it follows
/// PostgreSQL's rules where sqlparser is stricter (sqlparser refuses valid
/// escape strings such as `E'\xc3\xa9'`), and sqlparser's rules where they
/// decide a literal's extent (dollar-quote tags, backslashes in `X'..'`).
fn quoted_lexeme_end(text: &str, start: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let rest = bytes.get(start..)?;
    let end = match rest {
        [b'\'', ..] => quoted_end(bytes, start + 1, b'\'', false),
        [b'E' | b'e' | b'X' | b'x', b'\'', ..] => quoted_end(bytes, start + 2, b'\'', true),
        [b'B' | b'b' | b'N' | b'n', b'\'', ..] => quoted_end(bytes, start + 2, b'\'', false),
        [b'U' | b'u', b'&', b'\'', ..] => quoted_end(bytes, start + 3, b'\'', false),
        [b'"', ..] => quoted_end(bytes, start + 1, b'"', false),
        [b'B' | b'b', b'"', ..] => quoted_end(bytes, start + 2, b'"', false),
        [b'/', b'*', ..] => block_comment_end(bytes, start + 2),
        [b'$', ..] => return dollar_quote_end(text, start),
        _ => return None,
    };
    Some(end)
}

/// End of a quoted text whose body starts at `from`: a doubled quote stands
/// for itself, and with `backslash` a backslash escapes the next char.
fn quoted_end(bytes: &[u8], from: usize, quote: u8, backslash: bool) -> usize {
    let mut i = from;
    while let Some(&b) = bytes.get(i) {
        if b == quote {
            if bytes.get(i + 1) == Some(&quote) {
                i += 2;
                continue;
            }
            return i + 1;
        }
        // Skipping one byte after a backslash may land inside a multi-byte
        // char; harmless, as only ASCII bytes are compared.
        i += if backslash && b == b'\\' { 2 } else { 1 };
    }
    bytes.len()
}

/// End of a (nesting) block comment whose body starts at `from`, or the text
/// end if it is unterminated.
fn block_comment_end(bytes: &[u8], from: usize) -> usize {
    lex::block_comment_end(bytes, from).unwrap_or(bytes.len())
}

/// End of a dollar-quoted string at `start` (`$$...$$` or `$tag$...$tag$`,
/// tags as sqlparser reads them), or `None` if the `$` starts something else
/// (a parameter such as `$1`).
fn dollar_quote_end(text: &str, start: usize) -> Option<usize> {
    let after = text.get(start + 1..)?;
    let tag_len = after
        .char_indices()
        .find(|&(_, c)| !(c.is_alphanumeric() || c == '_'))
        .map_or(after.len(), |(i, _)| i);
    if after.as_bytes().get(tag_len) != Some(&b'$') {
        return None;
    }
    let delimiter = text.get(start..start + tag_len + 2)?;
    let body = start + delimiter.len();
    let found = text.get(body..)?.find(delimiter);
    Some(found.map_or(text.len(), |i| body + i + delimiter.len()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceFile;

    /// Statement texts and kinds, checking the structural invariants on the way.
    fn parts(text: &str) -> Vec<(&str, RawKind)> {
        let stmts = split(text);
        check_invariants(text, &stmts);
        stmts
            .into_iter()
            .map(|s| (&text[s.span.clone()], s.kind))
            .collect()
    }

    /// The statement texts, all of which must be ordinary SQL.
    fn sql(text: &str) -> Vec<&str> {
        parts(text)
            .into_iter()
            .map(|(s, kind)| {
                assert_eq!(kind, RawKind::Sql, "statement {s:?} of {text:?}");
                s
            })
            .collect()
    }

    fn assert_sql(text: &str, expected: &[&str]) {
        assert_eq!(sql(text), expected, "splitting {text:?}");
    }

    fn error(message: &str, at: usize) -> RawKind {
        RawKind::TokenizeError {
            message: message.to_string(),
            at,
        }
    }

    /// [`split`] with a chosen first chunk size for statements the fast scanner gives up on.
    fn split_with_fallback_chunk(text: &str, chunk: usize) -> Vec<RawStatement> {
        let mut out = Vec::new();
        split_fast(text, chunk, &mut |r| out.push(r));
        out
    }

    /// Checks everything `split` promises about its output, and that the
    /// result depends neither on the fast scanner nor on how the text was cut
    /// into tokenizer runs.
    fn check_invariants(text: &str, stmts: &[RawStatement]) {
        let file = SourceFile::new("t.sql", text.to_string());
        let mut prev_end = 0;
        for s in stmts {
            let span = s.span.clone();
            assert!(span.start >= prev_end, "overlap or disorder at {span:?}");
            assert!(span.start < span.end, "empty span {span:?}");
            assert!(span.end <= text.len());
            assert!(text.is_char_boundary(span.start) && text.is_char_boundary(span.end));
            prev_end = span.end;

            assert_eq!(s.ranges.len(), s.tokens.len(), "{span:?}");
            if let (Some(first), Some(last)) = (s.tokens.first(), s.tokens.last()) {
                // Only an unreadable lexeme skipped at the start of an
                // erroneous statement leaves the span start without a token.
                if s.kind == RawKind::Sql {
                    assert_eq!(s.ranges[0].start, span.start, "first token of {text:?}");
                }
                assert!(!matches!(first.token, Token::Whitespace(_)), "{first:?}");
                assert!(!matches!(last.token, Token::Whitespace(_)), "{last:?}");
            }
            let mut prev_token_end = span.start;
            for (i, tok) in s.tokens.iter().enumerate() {
                let range = s.ranges[i].clone();
                assert!(prev_token_end <= range.start && range.start < range.end);
                assert!(range.end <= span.end);
                prev_token_end = range.end;
                // Locations are file-level and agree with the byte offsets.
                let loc = tok.span.start;
                let located = file.offset(loc.line as usize, loc.column as usize);
                assert_eq!(located, range.start, "start of {tok:?} in {text:?}");
                let loc = tok.span.end;
                let located = file.offset(loc.line as usize, loc.column as usize);
                assert_eq!(located, range.end, "end of {tok:?} in {text:?}");
                // Whitespace is left out, except right after `:` or `@`.
                if matches!(tok.token, Token::Whitespace(_)) {
                    let prev = &s.tokens[i - 1].token;
                    assert!(matches!(prev, Token::Colon | Token::AtSign), "{text:?}");
                }
            }
        }
        assert_uncovered_is_trivia(text, stmts);
        for chunk in [1, 2, 7, 64, usize::MAX] {
            assert_eq!(
                split_slow_chunked(text, chunk),
                stmts,
                "chunk size {chunk} changes the split of {text:?}"
            );
        }
        for chunk in [0, 1, 3, 64] {
            assert_eq!(
                split_with_fallback_chunk(text, chunk),
                stmts,
                "fallback chunk size {chunk} changes the split of {text:?}"
            );
        }
    }

    /// Every byte outside the spans is whitespace, a comment or a `;`.
    fn assert_uncovered_is_trivia(text: &str, stmts: &[RawStatement]) {
        let mut gaps = Vec::new();
        let mut prev = 0;
        if text.starts_with('\u{feff}') {
            prev = 3;
        }
        for s in stmts {
            gaps.push(prev..s.span.start.max(prev));
            prev = s.span.end;
        }
        gaps.push(prev..text.len());
        for gap in gaps {
            let gap_text = &text[gap.clone()];
            let tokens = Tokenizer::new(&PostgreSqlDialect {}, gap_text)
                .tokenize()
                .unwrap_or_else(|e| panic!("gap {gap:?} {gap_text:?} of {text:?}: {e}"));
            for t in tokens {
                assert!(
                    matches!(t, Token::Whitespace(_) | Token::SemiColon),
                    "uncovered {t:?} in gap {gap_text:?} of {text:?}"
                );
            }
        }
    }

    #[test]
    fn simple_statements() {
        assert_sql("select 1; select 2;", &["select 1;", "select 2;"]);
        assert_sql(
            "  -- lead\n select 1 ;\n\n/* c */ select 2\n",
            &["select 1 ;", "select 2"],
        );
        assert_sql("select 1", &["select 1"]);
        assert_sql(
            "create table t (a int);\ninsert into t values (1)",
            &["create table t (a int);", "insert into t values (1)"],
        );
    }

    #[test]
    fn empty_inputs_give_nothing() {
        for text in [
            "",
            "   \n\t ",
            ";",
            ";;; ;\n;",
            "-- only a comment",
            "-- a\n/* b /* nested */ */\n-- c\n",
            "/* x */ ; -- y\n;",
            "\u{feff}",
            "\u{feff}-- bom then comment\n",
        ] {
            assert_eq!(parts(text), [], "{text:?}");
        }
    }

    #[test]
    fn empty_statements_between_real_ones() {
        assert_sql(";;select 1;;;select 2;;", &["select 1;", "select 2;"]);
    }

    #[test]
    fn semicolons_inside_literals_and_comments() {
        let cases: &[(&str, &[&str])] = &[
            ("select 'a;b'; select 2;", &["select 'a;b';", "select 2;"]),
            ("select 'it''s;'; x", &["select 'it''s;';", "x"]),
            (r"select E'a\';b'; x", &[r"select E'a\';b';", "x"]),
            (r"select e'\\'; x", &[r"select e'\\';", "x"]),
            (r"select U&'d\0061t;a'; x", &[r"select U&'d\0061t;a';", "x"]),
            ("select B'10'; x", &["select B'10';", "x"]),
            ("select N'a;b'; x", &["select N'a;b';", "x"]),
            (
                r#"select 1 as "quoted;ident"; x"#,
                &[r#"select 1 as "quoted;ident";"#, "x"],
            ),
            (r#"select "a"";b"; x"#, &[r#"select "a"";b";"#, "x"]),
            ("select $$a;b$$; x", &["select $$a;b$$;", "x"]),
            ("select $$$$; x", &["select $$$$;", "x"]),
            (
                "select $tag$ a; $x$ b; $x$ c; $tag$; x",
                &["select $tag$ a; $x$ b; $x$ c; $tag$;", "x"],
            ),
            (
                "select $fn$ $$ ; $$ $fn$; x",
                &["select $fn$ $$ ; $$ $fn$;", "x"],
            ),
            ("select 1 -- a;b\n; x", &["select 1 -- a;b\n;", "x"]),
            (
                "select 1 /* a; /* b; */ c; */; x",
                &["select 1 /* a; /* b; */ c; */;", "x"],
            ),
            ("select $1, $2; x", &["select $1, $2;", "x"]),
        ];
        for (text, expected) in cases {
            assert_sql(text, expected);
        }
    }

    #[test]
    fn sqlparser_nests_block_comments_for_postgres() {
        let tokens = Tokenizer::new(&PostgreSqlDialect {}, "/* a /* b */ c */x")
            .tokenize()
            .expect("tokenizes");
        assert_eq!(tokens.len(), 2);
        assert!(matches!(tokens[0], Token::Whitespace(_)));
    }

    #[test]
    fn dollar_quoted_function_bodies() {
        let body = "create function f() returns trigger language plpgsql as $$\n\
                    begin\n  new.x := 1;\n  return new;\nend;\n$$;";
        assert_sql(&format!("{body}\nselect 1;"), &[body, "select 1;"]);
        let tagged = "create or replace function g() returns int as $body$\n\
                      begin return 1; end; $body$ language plpgsql;";
        assert_sql(&format!("{tagged} x;"), &[tagged, "x;"]);
    }

    #[test]
    fn begin_atomic_bodies_are_one_statement() {
        let f =
            "CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT 2; END;";
        assert_sql(f, &[f]);
        assert_sql(&format!("{f}\nselect 3;"), &[f, "select 3;"]);

        let with_case = "create or replace function g(x int) returns text language sql\n\
                         begin atomic\n  select case when x > 0 then 'a;' else 'b' end;\n\
                         select case x when 1 then (case when true then 1 end) end;\nend;";
        assert_sql(&format!("{with_case}\nbegin;"), &[with_case, "begin;"]);

        let procedure = "CREATE PROCEDURE p() LANGUAGE sql\nBEGIN /* c */ ATOMIC\n\
                         INSERT INTO t VALUES (1);\nEND;";
        assert_sql(&format!("{procedure} CALL p();"), &[procedure, "CALL p();"]);
        // No `;` after END at end of file.
        let unterminated = "create function h() returns int begin atomic select 1; end";
        assert_sql(unterminated, &[unterminated]);
    }

    #[test]
    fn begin_atomic_without_end_swallows_the_rest() {
        // As in psql: the body is still open, so no `;` ends the statement.
        let text = "create function f() returns int begin atomic select 1;
select 2;";
        assert_sql(text, &[text]);
    }

    #[test]
    fn transaction_begin_is_its_own_statement() {
        assert_sql(
            "BEGIN;\nCREATE INDEX i ON t (a);\nCOMMIT;",
            &["BEGIN;", "CREATE INDEX i ON t (a);", "COMMIT;"],
        );
        assert_sql(
            "begin isolation level serializable; select 1; end;",
            &["begin isolation level serializable;", "select 1;", "end;"],
        );
        // BEGIN ATOMIC only counts in a CREATE statement, and a bare BEGIN
        // (a legal column name) does not open a block.
        assert_sql(
            "select begin from t; create function f() returns int return 1; select 2;",
            &[
                "select begin from t;",
                "create function f() returns int return 1;",
                "select 2;",
            ],
        );
        assert_sql(
            "create table \"begin\" (\"atomic\" int); select 1;",
            &["create table \"begin\" (\"atomic\" int);", "select 1;"],
        );
    }

    #[test]
    fn semicolon_ends_statement_at_any_paren_depth() {
        assert_sql(
            "create table t (a int;\ncreate index i on t (a);",
            &["create table t (a int;", "create index i on t (a);"],
        );
        assert_sql("select (1; select 2);", &["select (1;", "select 2);"]);
    }

    #[test]
    fn psql_meta_commands() {
        let text = "\\set ON_ERROR_STOP on\nselect 1;\n  \\connect other_db\r\n\\i file.sql\n\
                    \\echo hi ; there  \nselect 2;\n\\echo done";
        assert_eq!(
            parts(text),
            [
                ("\\set ON_ERROR_STOP on", RawKind::PsqlMeta),
                ("select 1;", RawKind::Sql),
                ("\\connect other_db", RawKind::PsqlMeta),
                ("\\i file.sql", RawKind::PsqlMeta),
                ("\\echo hi ; there", RawKind::PsqlMeta),
                ("select 2;", RawKind::Sql),
                ("\\echo done", RawKind::PsqlMeta),
            ]
        );
        let stmts = split(text);
        let words: Vec<String> = stmts[0].tokens.iter().map(|t| t.to_string()).collect();
        assert_eq!(words, ["\\", "set", "ON_ERROR_STOP", "on"]);
    }

    #[test]
    fn meta_command_spans_exclude_crlf_and_trailing_blanks() {
        let text = "-- setup\r\n\\set x 1 \t\r\n/* c */ \\echo a\r\nselect 1;\r\n";
        assert_eq!(
            parts(text),
            [
                ("\\set x 1", RawKind::PsqlMeta),
                ("\\echo a", RawKind::PsqlMeta),
                ("select 1;", RawKind::Sql),
            ]
        );
    }

    #[test]
    fn meta_command_after_statement_on_same_line() {
        assert_eq!(
            parts("select 1; \\echo x\nselect 2;"),
            [
                ("select 1;", RawKind::Sql),
                ("\\echo x", RawKind::PsqlMeta),
                ("select 2;", RawKind::Sql),
            ]
        );
    }

    #[test]
    fn backslash_inside_a_statement_is_not_a_meta_command() {
        assert_sql("select 1 \\x\n+ 2;", &["select 1 \\x\n+ 2;"]);
    }

    #[test]
    fn meta_commands_with_text_the_tokenizer_rejects() {
        let text = "\\echo don't panic\nselect 1;\n\\echo \"half\n\\set x $a$\n\
                    \\echo /* open\n\\set y 1_\n\\echo @-\nselect 'it''s';";
        assert_eq!(
            parts(text),
            [
                ("\\echo don't panic", RawKind::PsqlMeta),
                ("select 1;", RawKind::Sql),
                ("\\echo \"half", RawKind::PsqlMeta),
                ("\\set x $a$", RawKind::PsqlMeta),
                ("\\echo /* open", RawKind::PsqlMeta),
                ("\\set y 1_", RawKind::PsqlMeta),
                ("\\echo @-", RawKind::PsqlMeta),
                ("select 'it''s';", RawKind::Sql),
            ]
        );
        let stmts = split(text);
        // Only the tokens before the unterminated quote are kept.
        let words: Vec<String> = stmts[0].tokens.iter().map(|t| t.to_string()).collect();
        assert_eq!(words, ["\\", "echo", "don"]);
    }

    #[test]
    fn many_meta_commands_with_stray_quotes_stay_linear() {
        let text = "\\echo don't\nselect 1;\n".repeat(20_000);
        let start = std::time::Instant::now();
        let stmts = split(&text);
        assert_eq!(stmts.len(), 40_000);
        assert!(stmts.iter().step_by(2).all(|s| s.kind == RawKind::PsqlMeta));
        assert_eq!(&text[stmts[39_999].span.clone()], "select 1;");
        assert!(start.elapsed().as_secs() < 20, "took {:?}", start.elapsed());
    }

    #[test]
    fn unterminated_string_swallows_the_rest() {
        let text = "select 1;\nselect 'abc;\nselect 2;\n";
        assert_eq!(
            parts(text),
            [
                ("select 1;", RawKind::Sql),
                (
                    "select 'abc;\nselect 2;\n",
                    error("Unterminated string literal", 17)
                ),
            ]
        );
        let stmts = split(text);
        // Tokens before the error are kept.
        let words: Vec<String> = stmts[1].tokens.iter().map(|t| t.to_string()).collect();
        assert_eq!(words, ["select"]);
        assert_eq!(stmts[1].ranges.first(), Some(&(10..16)));
        assert_eq!(stmts[1].ranges.len(), 1);
    }

    #[test]
    fn unterminated_literals_and_comments() {
        let cases: &[(&str, &str, &str, usize)] = &[
            (
                "select 1; /* open",
                "/* open",
                "Unexpected EOF while in a multi-line comment",
                17,
            ),
            (
                "select 1; select /* a /* b */ ; select 2;",
                "select /* a /* b */ ; select 2;",
                "Unexpected EOF while in a multi-line comment",
                41,
            ),
            (
                "select 1; select $$ a; b",
                "select $$ a; b",
                "Unterminated dollar-quoted string",
                24,
            ),
            (
                "select 1; select $t$ a; $x$ b;",
                "select $t$ a; $x$ b;",
                "Unterminated dollar-quoted, expected $",
                30,
            ),
            (
                "select 1; select \"ab; c",
                "select \"ab; c",
                "Expected close delimiter '\"' before EOF.",
                17,
            ),
            (
                "select 1; select E'ab\\'; c",
                "select E'ab\\'; c",
                "Unterminated encoded string literal",
                17,
            ),
            (
                "select 1; select U&'ab; c",
                "select U&'ab; c",
                "Unterminated unicode encoded string literal",
                25,
            ),
        ];
        for &(text, bad, message, at) in cases {
            assert_eq!(
                parts(text),
                [("select 1;", RawKind::Sql), (bad, error(message, at))],
                "{text:?}"
            );
        }
    }

    #[test]
    fn errors_inside_a_statement_keep_its_boundary() {
        // sqlparser rejects escapes PostgreSQL accepts (bytes above 0x7f).
        let text = "insert into t values (E'\\xc3\\xa9;'),\n  (2);\ncreate index i on t (a);";
        assert_eq!(
            parts(text),
            [
                (
                    "insert into t values (E'\\xc3\\xa9;'),\n  (2);",
                    error("Unterminated encoded string literal", 22)
                ),
                ("create index i on t (a);", RawKind::Sql),
            ]
        );
        let stmts = split(text);
        // The skipped literal has no token; the ones around it do.
        let words: Vec<String> = stmts[0].tokens.iter().map(|t| t.to_string()).collect();
        assert_eq!(
            words,
            [
                "insert", "into", "t", "values", "(", ")", ",", "(", "2", ")"
            ]
        );
    }

    #[test]
    fn operator_errors_resume_after_the_error() {
        let text = "select @-1 from t;\nselect 2;";
        assert_eq!(
            parts(text),
            [
                (
                    "select @-1 from t;",
                    error("Expected a valid binary operator after '@-'", 9)
                ),
                ("select 2;", RawKind::Sql),
            ]
        );
        let text = "select 1_ as x; select ._a; select 3";
        assert_eq!(
            parts(text),
            [
                ("select 1_ as x;", error("Unexpected character '_'", 8)),
                ("select ._a;", error("Unexpected character '_'", 23)),
                ("select 3", RawKind::Sql),
            ]
        );
    }

    #[test]
    fn statements_after_an_error_have_file_level_locations() {
        let text = "select 1;\nselect 'x' @- 'y';\n  select\n  a, b from t; select 4";
        let stmts = split(text);
        assert_eq!(stmts.len(), 4);
        assert!(matches!(stmts[1].kind, RawKind::TokenizeError { .. }));
        let select = &stmts[2].tokens[0];
        assert_eq!((select.span.start.line, select.span.start.column), (3, 3));
        let last = &stmts[3].tokens[0];
        assert_eq!((last.span.start.line, last.span.start.column), (4, 16));
        check_invariants(text, &stmts);
    }

    #[test]
    fn crlf_tabs_and_non_ascii_spans() {
        let text = "COMMENT ON TABLE t IS 'größe ✓';\r\n\t-- 🦀 crab; comment\r\n\
                    CREATE TABLE \"täble🦀\" (\tcolumn_ä int\t);\r\n/* ✓; */select 'ü'\r\n";
        assert_sql(
            text,
            &[
                "COMMENT ON TABLE t IS 'größe ✓';",
                "CREATE TABLE \"täble🦀\" (\tcolumn_ä int\t);",
                "select 'ü'",
            ],
        );
        let stmts = split(text);
        let file = SourceFile::new("t.sql", text.to_string());
        assert_eq!(file.line_col(stmts[1].span.start), (3, 1));
        assert_eq!(file.line_col(stmts[2].span.start), (4, 9));
    }

    #[test]
    fn lone_carriage_returns() {
        assert_sql("select 1;\rselect\r2;\r", &["select 1;", "select\r2;"]);
    }

    #[test]
    fn byte_order_mark_is_skipped() {
        let text = "\u{feff}create table t (a int);\nselect 1;";
        let stmts = split(text);
        assert_eq!(&text[stmts[0].span.clone()], "create table t (a int);");
        assert_eq!(stmts[0].span.start, 3);
        assert_eq!(stmts[0].tokens[0].to_string(), "create");
        assert_eq!(stmts[0].tokens[0].span.start.column, 2);
        check_invariants(text, &stmts);
    }

    #[test]
    fn deep_parentheses_do_not_recurse() {
        let text = format!(
            "select {}1{};select 2",
            "(".repeat(10_000),
            ")".repeat(10_000)
        );
        let stmts = split(&text);
        assert_eq!(stmts.len(), 2);
        assert_eq!(stmts[0].span, 0..text.len() - 8);
        assert_eq!(&text[stmts[1].span.clone()], "select 2");
    }

    #[test]
    fn long_single_line_is_linear() {
        let text = "select 1;".repeat(2 * 1024 * 1024 / 9);
        let start = std::time::Instant::now();
        let stmts = split(&text);
        let elapsed = start.elapsed();
        assert_eq!(stmts.len(), text.len() / 9);
        let last = &stmts[stmts.len() - 1];
        assert_eq!(last.span, text.len() - 9..text.len());
        assert_eq!(last.tokens[0].span.start.column as usize, text.len() - 8);
        // Quadratic behaviour would take minutes here, even unoptimized.
        assert!(elapsed.as_secs() < 20, "took {elapsed:?}");
    }

    #[test]
    fn many_errors_on_one_long_line_stay_linear() {
        let text = "select @-1;".repeat(100_000);
        let start = std::time::Instant::now();
        let stmts = split(&text);
        assert_eq!(stmts.len(), 100_000);
        assert!(
            stmts
                .iter()
                .all(|s| matches!(s.kind, RawKind::TokenizeError { .. }))
        );
        assert_eq!(stmts[99_999].span, text.len() - 11..text.len());
        assert!(start.elapsed().as_secs() < 20, "took {:?}", start.elapsed());
    }

    #[test]
    fn literals_crossing_run_boundaries() {
        // Larger than the first run, with literals and comments straddling
        // many possible cut points.
        let mut text = String::new();
        for i in 0..3_000 {
            text.push_str(&format!(
                "insert into t values ({i}, 'line one;\nline two;\n', $x$ a;\n b $x$);\n\
                 /* c;\n d */ select \"we;\nird\";\n\\echo it's {i}\n"
            ));
        }
        let stmts = split(&text);
        assert_eq!(stmts.len(), 9_000);
        for (i, chunk) in stmts.chunks(3).enumerate() {
            assert_eq!(
                &text[chunk[0].span.clone()],
                format!("insert into t values ({i}, 'line one;\nline two;\n', $x$ a;\n b $x$);")
            );
            assert_eq!(&text[chunk[1].span.clone()], "select \"we;\nird\";");
            assert_eq!(&text[chunk[2].span.clone()], format!("\\echo it's {i}"));
            assert_eq!(chunk[2].kind, RawKind::PsqlMeta);
        }
        assert_eq!(split_slow_chunked(&text, 100), stmts);
    }

    #[test]
    fn tokens_parse_with_file_level_locations() {
        use sqlparser::parser::Parser;
        let text = "-- header\nselect 1;\n\n  alter table t\n    add column c int;\n\
                    \n  select * from t where );";
        let stmts = split(text);
        assert_eq!(stmts.len(), 3);

        let dialect = PostgreSqlDialect {};
        let parsed = Parser::new(&dialect)
            .with_tokens_with_locations(stmts[1].tokens.clone())
            .parse_statement()
            .expect("parses");
        assert_eq!(parsed.to_string(), "ALTER TABLE t ADD COLUMN c INT");

        let err = Parser::new(&dialect)
            .with_tokens_with_locations(stmts[2].tokens.clone())
            .parse_statement()
            .expect_err("bad statement");
        // The `)` is on line 7, column 25 of the file.
        assert!(
            err.to_string().contains("found: ) at Line: 7, Column: 25"),
            "error: {err}"
        );
    }

    /// Tiny deterministic generator; no dependency needed for noise.
    struct Lcg(u64);

    impl Lcg {
        fn next(&mut self) -> u64 {
            self.0 = self
                .0
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            self.0 >> 33
        }
    }

    #[test]
    fn arbitrary_input_never_breaks_the_invariants() {
        const FRAGMENTS: &[&str] = &[
            "$", "$a", "$$", "$a$", "E'", "e'", "U&'", "u&'", "/*", "*/", "'", "\"", "\\", "\r",
            "\n", "\r\n", "\0", "\u{feff}", ";", "--", "(", ")", "begin", "atomic", "create",
            "case", "end", " ", "\t", "select", "1_", "._", "@-", "x'", "b'", "n'", "\\x", "ö",
            "🦀", "$$;$$", "''", "\\echo ", "E'\\xc3'", "b\"",
            // Forms the fast scanner reads, and near misses it leaves to the tokenizer.
            "x", "1", "1.5", "2.", ".", "1e5", "::", ":", "@", "$1", "$t$", "<", ">", "=", "!", "|",
            "-", "+", "%", "~", "[", "]", ",", "'a'", "\"b\"", "\x0c", "a.b",
        ];
        const LEXER_BYTES: &[u8] = b"'\";$\\/*-\n\rEU&()ab_ @";
        let mut rng = Lcg(0x5eed);
        for case in 0..6_000 {
            let text = if case % 2 == 0 {
                let len = (rng.next() % 64) as usize;
                let bytes: Vec<u8> = (0..len)
                    .map(|_| match rng.next() % 4 {
                        // Bias towards the bytes that matter to a lexer.
                        0 => LEXER_BYTES[(rng.next() % LEXER_BYTES.len() as u64) as usize],
                        _ => (rng.next() % 256) as u8,
                    })
                    .collect();
                String::from_utf8_lossy(&bytes).into_owned()
            } else {
                let len = (rng.next() % 24) as usize;
                (0..len)
                    .map(|_| FRAGMENTS[(rng.next() % FRAGMENTS.len() as u64) as usize])
                    .collect()
            };
            let stmts = split(&text);
            check_invariants(&text, &stmts);
        }
    }
}
