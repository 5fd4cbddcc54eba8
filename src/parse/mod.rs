//! The sqlparser adapter: the only module tree that sees sqlparser's types. It splits a file into
//! statements, parses each one (falling back to a token-level recognizer), and lowers the result
//! into `model::Stmt`.

mod dialect;
pub mod fallback;
mod lex;
pub mod lower;
pub mod split;

use crate::model::{Action, Parsed, Stmt, StmtKind};
use crate::source::SourceFile;
use fallback::Tok;
use split::{RawKind, RawStatement};
use sqlparser::parser::{Parser, ParserError};
use sqlparser::tokenizer::{Location, Span as SqlSpan, Token, TokenWithSpan};
use std::ops::Range;

/// How deep expressions may nest before a statement is reported as unparsable.
const RECURSION_LIMIT: usize = 64;

/// At most this many operators may chain in one expression (at one parenthesis level, between
/// commas), and at most this many set operations in one query. sqlparser's recursion limit
/// does not bound a flat chain such as `1+1+…` or `a OR b OR …`: it builds a tree as deep as the
/// chain is long, which overflows the stack when it is built, lowered or dropped.
const CHAIN_LIMIT: u32 = 10_000;

/// The first token where an expression chains more than [`CHAIN_LIMIT`] operators, if any.
fn overlong_chain(tokens: &[TokenWithSpan]) -> Option<usize> {
    use sqlparser::keywords::Keyword;
    // A chain of more than CHAIN_LIMIT operators has more tokens than that: most statements
    // are far shorter and need no look.
    if tokens.len() <= CHAIN_LIMIT as usize {
        return None;
    }
    // Per parenthesis or bracket level: (operators since the last comma, set operations).
    let mut levels: Vec<(u32, u32)> = vec![(0, 0)];
    for (i, t) in tokens.iter().enumerate() {
        let (mut op, mut set) = (false, false);
        match &t.token {
            Token::LParen => {
                levels.push((0, 0));
                continue;
            }
            Token::LBracket => {
                op = true;
            }
            Token::RParen | Token::RBracket => {
                if levels.len() > 1 {
                    levels.pop();
                }
                continue;
            }
            Token::Comma => {
                if let Some(l) = levels.last_mut() {
                    l.0 = 0;
                }
                continue;
            }
            Token::Word(w) if w.quote_style.is_none() => match w.keyword {
                Keyword::AND
                | Keyword::OR
                | Keyword::XOR
                | Keyword::IS
                | Keyword::LIKE
                | Keyword::ILIKE
                | Keyword::SIMILAR
                | Keyword::BETWEEN
                | Keyword::IN
                | Keyword::COLLATE
                | Keyword::AT
                | Keyword::DIV
                | Keyword::OVERLAPS => op = true,
                Keyword::UNION | Keyword::INTERSECT | Keyword::EXCEPT => set = true,
                _ => {}
            },
            Token::Word(_)
            | Token::Number(..)
            | Token::Char(_)
            | Token::SingleQuotedString(_)
            | Token::DoubleQuotedString(_)
            | Token::DollarQuotedString(_)
            | Token::NationalStringLiteral(_)
            | Token::EscapedStringLiteral(_)
            | Token::HexStringLiteral(_)
            | Token::UnicodeStringLiteral(_)
            | Token::SingleQuotedByteStringLiteral(_)
            | Token::Placeholder(_)
            | Token::Whitespace(_)
            | Token::Period
            | Token::SemiColon
            | Token::EOF => {}
            _ => op = true,
        }
        if let Some(l) = levels.last_mut() {
            l.0 += u32::from(op);
            l.1 += u32::from(set);
            if l.0 > CHAIN_LIMIT || l.1 > CHAIN_LIMIT {
                return Some(i);
            }
        }
    }
    None
}

/// The statement for tokens that chain too many operators to parse: a located parse error.
fn overlong(src: &SourceFile, span: Range<usize>, tokens: &[TokenWithSpan], at: usize) -> Stmt {
    let at = tokens
        .get(at)
        .map(|t| {
            let (start, end) = (t.span.start, t.span.end);
            let a = src.offset(start.line as usize, start.column as usize);
            let b = src.offset(end.line as usize, end.column as usize);
            a..b.max(a)
        })
        .unwrap_or(span.start..span.start);
    Stmt {
        span,
        kind: StmtKind::Other { what: "?".into() },
        parsed: Parsed::Unparsed {
            message: format!(
                "statement too deeply nested or too long to parse (more than {CHAIN_LIMIT} chained operators): skipped"
            ),
            at,
        },
    }
}

/// A statement over [`split::MAX_STMT_TOKENS`], known only by its first tokens: an INSERT is
/// read from them (its target table; its rows are data), anything else is a located parse
/// error. Either way the finding says the statement was too long to parse in full.
fn oversized(
    src: &SourceFile,
    span: Range<usize>,
    tokens: Vec<TokenWithSpan>,
    ranges: Vec<Range<usize>>,
    overflow: usize,
) -> Stmt {
    let total = split::MAX_STMT_TOKENS + overflow;
    let bytes = span.len();
    let toks = fallback::significant(tokens, ranges);
    let head_end = toks.last().map_or(span.start, |t| t.span.end);
    let rest = head_end..next_char_end(&src.text, head_end).max(head_end);
    if let Some((table, select)) = insert_target(&toks) {
        let message = format!(
            "statement too long to parse in full ({bytes} bytes, {total} tokens, more than {}): read as an INSERT into `{table}` from its first tokens; the rest (its rows) was not parsed",
            split::MAX_STMT_TOKENS,
        );
        return Stmt {
            span,
            kind: StmtKind::Insert {
                table,
                select,
                reads: Vec::new(),
            },
            parsed: Parsed::Partial(vec![(rest, message)]),
        };
    }
    Stmt {
        span,
        kind: StmtKind::Other {
            what: fallback::describe(&toks),
        },
        parsed: Parsed::Unparsed {
            message: format!(
                "statement too long to parse ({bytes} bytes, {total} tokens, more than {}): skipped",
                split::MAX_STMT_TOKENS
            ),
            at: rest,
        },
    }
}

/// `INSERT INTO name ...` from a statement's first tokens: the target, and whether the rows
/// come from a query (`SELECT` or `WITH` before any `VALUES`).
fn insert_target(toks: &[Tok]) -> Option<(crate::model::ObjName, bool)> {
    let mut c = fallback::Cursor::new(toks);
    if !c.eat_all(&["INSERT", "INTO"]) {
        return None;
    }
    let table = c.name()?;
    let select = toks
        .iter()
        .filter_map(Tok::kw)
        .find(|k| matches!(k.as_str(), "VALUES" | "SELECT" | "WITH" | "DEFAULT"))
        .is_some_and(|k| k == "SELECT" || k == "WITH");
    Some((table, select))
}

/// Split and parse a whole file.
pub fn parse_source(src: &SourceFile) -> Vec<Stmt> {
    let mut stmts = Vec::new();
    split::split_each(&src.text, |raw| stmts.extend(parse_raw(src, raw)));
    stmts
}

/// Split and parse one part of a file (a section its migration tool runs on its own) as if it
/// were a file by itself, so nothing outside `range` joins its statements; spans and locations
/// stay file-level. Each of `blocks` (byte ranges the tool sends as one statement, such as goose's
/// `StatementBegin`/`End`) is kept as one statement when its text parses as one.
pub fn parse_part(src: &SourceFile, range: Range<usize>, blocks: &[Range<usize>]) -> Vec<Stmt> {
    let mut stmts = Vec::new();
    parse_part_each(src, range, blocks, &mut |s| stmts.push(s));
    stmts
}

/// [`parse_part`], handing each statement to `f` as soon as it is parsed (in file order), so
/// memory is bounded by the largest statement, not by the part.
pub fn parse_part_each(
    src: &SourceFile,
    range: Range<usize>,
    blocks: &[Range<usize>],
    f: &mut dyn FnMut(Stmt),
) {
    let Some(text) = src.text.get(range.clone()) else {
        return;
    };
    let (line, col) = src.line_col(range.start);
    let shift = |r| shift_raw(r, range.start, line as u64, col as u64);
    if blocks.is_empty() {
        // Parse each statement as the splitter completes it and drop its tokens.
        split::split_each(text, |raw| {
            if let Some(stmt) = parse_raw(src, shift(raw)) {
                f(stmt);
            }
        });
        return;
    }
    let raws: Vec<RawStatement> = split::split(text).into_iter().map(shift).collect();
    join_blocks(src, raws, blocks)
        .into_iter()
        .filter_map(|raw| parse_raw(src, raw))
        .for_each(f);
}

/// Move a statement split from a substring starting at byte `by` (line `line`, column `col`)
/// to file-level offsets and locations.
fn shift_raw(mut raw: RawStatement, by: usize, line: u64, col: u64) -> RawStatement {
    if by == 0 {
        return raw;
    }
    let loc = |l: Location| {
        if l.line == 0 {
            l
        } else if l.line == 1 {
            Location::new(line, l.column + col - 1)
        } else {
            Location::new(l.line + line - 1, l.column)
        }
    };
    raw.span = raw.span.start + by..raw.span.end + by;
    for r in &mut raw.ranges {
        *r = r.start + by..r.end + by;
    }
    for t in &mut raw.tokens {
        t.span = SqlSpan::new(loc(t.span.start), loc(t.span.end));
    }
    if let RawKind::TokenizeError { at, .. } = &mut raw.kind {
        *at += by;
    }
    raw
}

/// Replace the statements that start inside one block by a single statement when the block's
/// statements, joined with their semicolons, parse as one.
fn join_blocks(
    src: &SourceFile,
    raws: Vec<RawStatement>,
    blocks: &[Range<usize>],
) -> Vec<RawStatement> {
    let block_of = |r: &RawStatement| blocks.iter().position(|b| b.contains(&r.span.start));
    let mut out: Vec<RawStatement> = Vec::with_capacity(raws.len());
    let mut group: Vec<RawStatement> = Vec::new();
    let flush = |group: &mut Vec<RawStatement>, out: &mut Vec<RawStatement>| {
        if group.len() > 1
            && let Some(one) = join(src, group)
        {
            out.push(one);
            group.clear();
        }
        out.append(group);
    };
    for raw in raws {
        let b = block_of(&raw);
        if b.is_none() || group.first().map(&block_of) != Some(b) {
            flush(&mut group, &mut out);
        }
        if b.is_some() {
            group.push(raw);
        } else {
            out.push(raw);
        }
    }
    flush(&mut group, &mut out);
    out
}

/// Several split statements as one, if that parses as one statement.
fn join(src: &SourceFile, group: &[RawStatement]) -> Option<RawStatement> {
    let mut tokens = Vec::new();
    let mut ranges = Vec::new();
    for (i, r) in group.iter().enumerate() {
        if r.kind != RawKind::Sql || r.overflow > 0 {
            return None;
        }
        tokens.extend(r.tokens.iter().cloned());
        ranges.extend(r.ranges.iter().cloned());
        if i + 1 < group.len() {
            // The `;` that ended it, which the splitter leaves out of the tokens.
            let semi = r.span.end.checked_sub(1)?;
            if src.text.as_bytes().get(semi) != Some(&b';') {
                return None;
            }
            let (l, c) = src.line_col(semi);
            let (l, c) = (l as u64, c as u64);
            tokens.push(TokenWithSpan::new(
                Token::SemiColon,
                SqlSpan::new(Location::new(l, c), Location::new(l, c + 1)),
            ));
            ranges.push(semi..semi + 1);
        }
    }
    let (first, last) = (group.first()?, group.last()?);
    let (result, tokens) = parse_tokens_back(tokens);
    result.ok()?;
    Some(RawStatement {
        span: first.span.start..last.span.end,
        tokens,
        ranges,
        kind: RawKind::Sql,
        overflow: 0,
    })
}

fn parse_raw(src: &SourceFile, raw: RawStatement) -> Option<Stmt> {
    let RawStatement {
        span,
        tokens,
        ranges,
        kind,
        overflow,
    } = raw;
    match &kind {
        RawKind::PsqlMeta => {
            return Some(Stmt {
                span,
                kind: StmtKind::PsqlMeta,
                parsed: Parsed::Recognized,
            });
        }
        RawKind::TokenizeError { message, at } => {
            // An unterminated literal or comment is reported at the end of the file; pointing
            // there helps nobody, so point at the statement it swallowed instead.
            let at = if *at >= src.text.trim_end().len() {
                span.start
            } else {
                *at
            };
            let end = next_char_end(&src.text, at).max(at);
            return Some(Stmt {
                span,
                kind: StmtKind::Other { what: "?".into() },
                parsed: Parsed::Unparsed {
                    message: message.clone(),
                    at: at..end,
                },
            });
        }
        RawKind::Sql if overflow > 0 => {
            return Some(oversized(src, span, tokens, ranges, overflow));
        }
        RawKind::Sql => {}
    }
    // A few statements are read by the recognizer first (see `fallback::recognized_first`).
    // Looked at without a copy first: most statements start otherwise.
    let mut words = tokens
        .iter()
        .filter(|t| !matches!(t.token, Token::Whitespace(_)))
        .map(|t| match &t.token {
            Token::Word(w) if w.quote_style.is_none() => w.value.as_str(),
            _ => "",
        });
    let (w0, w1) = (words.next().unwrap_or(""), words.next().unwrap_or(""));
    let is = |w: &str, any: &[&str]| any.iter().any(|k| w.eq_ignore_ascii_case(k));
    let candidate = is(w0, &["REINDEX"])
        || (is(w0, &["ALTER", "CREATE", "DROP"])
            && is(w1, &["DOMAIN", "SYSTEM", "DATABASE", "TABLESPACE"]));
    let head = tokens.len().min(12);
    if candidate
        && fallback::recognized_first(&fallback::significant(
            tokens[..head].to_vec(),
            ranges[..head].to_vec(),
        ))
    {
        let toks = fallback::significant(tokens.clone(), ranges.clone());
        if let Some(kind) = fallback::recognize(&toks) {
            return Some(Stmt {
                span,
                kind,
                parsed: Parsed::Recognized,
            });
        }
    }
    if tokens.is_empty() {
        return None;
    }
    if let Some(at) = overlong_chain(&tokens) {
        return Some(overlong(src, span, &tokens, at));
    }
    let (result, tokens) = parse_tokens_unchecked(tokens);
    match result {
        Ok(kind) => {
            let kind = match kind {
                StmtKind::AlterTable { .. } => {
                    with_action_spans(kind, &fallback::significant(tokens, ranges), &span)
                }
                kind => kind,
            };
            Some(Stmt {
                span,
                kind,
                parsed: Parsed::Full,
            })
        }
        Err(err) => {
            let toks = fallback::significant(tokens, ranges);
            if let Some(kind) = parse_matview_without_with_data(&toks) {
                return Some(Stmt {
                    span,
                    kind,
                    parsed: Parsed::Full,
                });
            }
            if let Some(kind) = parse_with_virtual_columns(&toks, &span) {
                return Some(Stmt {
                    span,
                    kind,
                    parsed: Parsed::Recognized,
                });
            }
            if let Some(stmt) = parse_alter_by_action(src, &toks, &span) {
                return Some(stmt);
            }
            if let Some(kind) = fallback::recognize(&toks) {
                return Some(Stmt {
                    span,
                    kind,
                    parsed: Parsed::Recognized,
                });
            }
            let (message, at) = error_location(src, &err, &toks, &span);
            Some(Stmt {
                span,
                kind: StmtKind::Other {
                    what: fallback::describe(&toks),
                },
                parsed: Parsed::Unparsed { message, at },
            })
        }
    }
}

fn parse_tokens(tokens: Vec<TokenWithSpan>) -> Result<StmtKind, ParserError> {
    parse_tokens_back(tokens).0
}

/// [`parse_tokens`], handing the tokens back.
fn parse_tokens_back(
    tokens: Vec<TokenWithSpan>,
) -> (Result<StmtKind, ParserError>, Vec<TokenWithSpan>) {
    if overlong_chain(&tokens).is_some() {
        return (Err(ParserError::RecursionLimitExceeded), tokens);
    }
    parse_tokens_unchecked(tokens)
}

/// [`parse_tokens_back`] for tokens [`overlong_chain`] has passed.
fn parse_tokens_unchecked(
    tokens: Vec<TokenWithSpan>,
) -> (Result<StmtKind, ParserError>, Vec<TokenWithSpan>) {
    let dialect = dialect::Postgres::default();
    let mut parser = Parser::new(&dialect)
        .with_recursion_limit(RECURSION_LIMIT)
        .with_tokens_with_locations(tokens);
    let result = parse_whole_statement(&mut parser).map(|stmt| lower::lower(&stmt));
    (result, parser.into_tokens())
}

fn parse_whole_statement(parser: &mut Parser) -> Result<sqlparser::ast::Statement, ParserError> {
    let stmt = parser.parse_statement()?;
    // A statement must be consumed completely (the ';' is not part of the tokens).
    let next = parser.peek_token();
    if next.token != Token::EOF {
        return Err(ParserError::ParserError(format!(
            "Expected: end of statement, found: {}{}",
            next.token, next.span.start
        )));
    }
    Ok(stmt)
}

/// Give each ALTER TABLE action the span of its clause (split at top-level commas).
fn with_action_spans(kind: StmtKind, toks: &[Tok], span: &std::ops::Range<usize>) -> StmtKind {
    match kind {
        StmtKind::AlterTable {
            table,
            if_exists,
            only,
            mut actions,
        } => {
            let ranges = fallback::split_alter_actions(toks)
                .map(|(_, r)| r)
                .unwrap_or_default();
            let exact = ranges.len() == actions.len();
            for (i, a) in actions.iter_mut().enumerate() {
                a.span = match ranges.get(i) {
                    Some(r) if exact => toks[r.start].span.start..toks[r.end - 1].span.end,
                    _ => span.clone(),
                };
            }
            StmtKind::AlterTable {
                table,
                if_exists,
                only,
                actions,
            }
        }
        other => other,
    }
}

/// `CREATE MATERIALIZED VIEW ... AS query WITH [NO] DATA`: sqlparser rejects the trailing clause,
/// which changes no lock, so parse the statement without it.
fn parse_matview_without_with_data(toks: &[Tok]) -> Option<StmtKind> {
    let mut c = fallback::Cursor::new(toks);
    c.eat("CREATE");
    c.eat_all(&["OR", "REPLACE"]);
    if !c.eat_all(&["MATERIALIZED", "VIEW"]) {
        return None;
    }
    let kw = |t: &Tok, k: &str| matches!(t.token(), Token::Word(w) if w.quote_style.is_none() && w.value.eq_ignore_ascii_case(k));
    let n = toks.len();
    let cut = match toks {
        [.., w, no, d] if kw(w, "WITH") && kw(no, "NO") && kw(d, "DATA") => n - 3,
        [.., w, d] if kw(w, "WITH") && kw(d, "DATA") => n - 2,
        _ => return None,
    };
    let kind = parse_tokens(toks[..cut].iter().map(|t| t.tws.clone()).collect()).ok()?;
    matches!(kind, StmtKind::CreateView { .. }).then_some(kind)
}

/// The tokens of a statement with every `GENERATED ALWAYS AS (expr)` column written `VIRTUAL`
/// or without `STORED` (PostgreSQL 18: a virtual column, computed when read) turned into the
/// STORED form sqlparser's PostgreSQL dialect accepts, and for each generated column in order
/// whether it was virtual. `None` when no column is virtual.
fn generated_as_stored(toks: &[Tok]) -> Option<(Vec<TokenWithSpan>, Vec<bool>)> {
    let word = |i: usize, k: &str| {
        matches!(toks.get(i).map(Tok::token), Some(Token::Word(w))
            if w.quote_style.is_none() && w.value.eq_ignore_ascii_case(k))
    };
    // Most statements that reach here have no generated column: nothing to copy.
    if !(0..toks.len()).any(|i| word(i, "GENERATED")) {
        return None;
    }
    let mut out = Vec::with_capacity(toks.len() + 1);
    let mut virtual_flags = Vec::new();
    let mut i = 0;
    while i < toks.len() {
        let generated = word(i, "GENERATED")
            && word(i + 1, "ALWAYS")
            && word(i + 2, "AS")
            && matches!(toks.get(i + 3).map(Tok::token), Some(Token::LParen));
        if !generated {
            out.push(toks[i].tws.clone());
            i += 1;
            continue;
        }
        // Copy through the parenthesized expression.
        let mut depth = 0usize;
        let mut j = i;
        while j < toks.len() {
            out.push(toks[j].tws.clone());
            match toks[j].token() {
                Token::LParen => depth += 1,
                Token::RParen => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 && j > i + 3 {
                        break;
                    }
                }
                _ => {}
            }
            j += 1;
        }
        let close = toks.get(j)?;
        let mut stored = close.tws.clone();
        stored.token = Token::make_keyword("STORED");
        if word(j + 1, "STORED") {
            virtual_flags.push(false);
            i = j + 1;
        } else {
            virtual_flags.push(true);
            out.push(stored);
            // VIRTUAL is replaced, a missing STORED added.
            i = if word(j + 1, "VIRTUAL") { j + 2 } else { j + 1 };
        }
    }
    virtual_flags
        .contains(&true)
        .then_some((out, virtual_flags))
}

/// Mark the generated columns of a parsed statement virtual, in order, as `flags` says.
fn mark_virtual(kind: &mut StmtKind, flags: &[bool]) -> bool {
    let mut columns: Vec<&mut crate::model::ColumnDef> = match kind {
        StmtKind::CreateTable(ct) => ct.columns.iter_mut().collect(),
        StmtKind::AlterTable { actions, .. } => actions
            .iter_mut()
            .filter_map(|a| match &mut a.action {
                crate::model::AlterAction::AddColumn { column, .. } => Some(column),
                _ => None,
            })
            .collect(),
        _ => return false,
    };
    columns.retain(|c| c.generated_stored);
    if columns.len() != flags.len() {
        return false;
    }
    for (c, v) in columns.into_iter().zip(flags) {
        if *v {
            c.generated_stored = false;
            c.generated_virtual = true;
        }
    }
    true
}

/// CREATE TABLE / ALTER TABLE with virtual generated columns (PostgreSQL 18), which sqlparser's
/// PostgreSQL dialect rejects: parsed as the STORED form, then marked virtual (adding one
/// writes no row, observed on 18.6).
fn parse_with_virtual_columns(toks: &[Tok], span: &std::ops::Range<usize>) -> Option<StmtKind> {
    let (tokens, flags) = generated_as_stored(toks)?;
    let mut kind = parse_tokens(tokens).ok()?;
    if !mark_virtual(&mut kind, &flags) {
        return None;
    }
    Some(with_action_spans(kind, toks, span))
}

/// One ALTER TABLE action with a virtual generated column (see [`parse_with_virtual_columns`]).
fn virtual_generated_column(header: &[TokenWithSpan], part: &[Tok]) -> Option<Action> {
    let (rewritten, flags) = generated_as_stored(part)?;
    let mut tokens = header.to_vec();
    tokens.extend(rewritten);
    match parse_tokens(tokens) {
        Ok(mut kind @ StmtKind::AlterTable { .. }) => {
            if !mark_virtual(&mut kind, &flags) {
                return None;
            }
            match kind {
                StmtKind::AlterTable { mut actions, .. } if actions.len() == 1 => {
                    Some(actions.remove(0))
                }
                _ => None,
            }
        }
        _ => None,
    }
}

/// The table, IF EXISTS and ONLY of an ALTER TABLE's tokens.
fn alter_head(toks: &[Tok]) -> (crate::model::ObjName, bool, bool) {
    let mut c = fallback::Cursor::new(toks);
    c.eat_all(&["ALTER", "TABLE"]);
    let if_exists = c.eat_all(&["IF", "EXISTS"]);
    let only = c.eat("ONLY");
    (
        c.name().unwrap_or_else(|| crate::model::ObjName::bare("?")),
        if_exists,
        only,
    )
}

/// ALTER TABLE whose full parse failed: parse each action on its own so that one action
/// sqlparser does not know never hides the others.
fn parse_alter_by_action(
    src: &SourceFile,
    toks: &[Tok],
    span: &std::ops::Range<usize>,
) -> Option<Stmt> {
    let (header_end, ranges) = fallback::split_alter_actions(toks)?;
    let header: Vec<TokenWithSpan> = toks[..header_end].iter().map(|t| t.tws.clone()).collect();
    let mut head_kind = None;
    let mut actions = Vec::new();
    let mut failed = Vec::new();
    for r in ranges {
        let part = &toks[r.clone()];
        let aspan = part[0].span.start..part[part.len() - 1].span.end;
        let mut tokens = header.clone();
        tokens.extend(part.iter().map(|t| t.tws.clone()));
        match parse_tokens(tokens) {
            Ok(StmtKind::AlterTable {
                table,
                if_exists,
                only,
                actions: mut acts,
            }) if acts.len() == 1 => {
                head_kind.get_or_insert((table, if_exists, only));
                let mut a = acts.remove(0);
                a.span = aspan;
                actions.push(a);
            }
            res => {
                if let Some(mut a) = virtual_generated_column(&header, part) {
                    a.span = aspan;
                    head_kind.get_or_insert_with(|| alter_head(toks));
                    actions.push(a);
                    continue;
                }
                if let Some(action) = fallback::recognize_action(part) {
                    actions.push(Action {
                        action,
                        span: aspan,
                    });
                } else {
                    let msg = match res {
                        Err(e) => error_location(src, &e, part, &aspan).0,
                        Ok(_) => "unexpected statement".into(),
                    };
                    failed.push((aspan, msg));
                }
            }
        }
    }
    if actions.is_empty() {
        return None;
    }
    let (table, if_exists, only) = match head_kind {
        Some(h) => h,
        None => {
            let mut c = fallback::Cursor::new(toks);
            c.eat_all(&["ALTER", "TABLE"]);
            let if_exists = c.eat_all(&["IF", "EXISTS"]);
            let only = c.eat("ONLY");
            (c.name()?, if_exists, only)
        }
    };
    let parsed = if failed.is_empty() {
        Parsed::Recognized
    } else {
        Parsed::Partial(failed)
    };
    Some(Stmt {
        span: span.clone(),
        kind: StmtKind::AlterTable {
            table,
            if_exists,
            only,
            actions,
        },
        parsed,
    })
}

/// The parser's message without its location suffix, and the byte range it points at.
fn error_location(
    src: &SourceFile,
    err: &ParserError,
    toks: &[Tok],
    span: &std::ops::Range<usize>,
) -> (String, std::ops::Range<usize>) {
    let full = match err {
        ParserError::ParserError(m) | ParserError::TokenizerError(m) => m.clone(),
        ParserError::RecursionLimitExceeded => {
            return (
                "statement nests too deeply to parse".into(),
                span.start..span.start,
            );
        }
    };
    let (message, loc) = match full.rfind(" at Line: ") {
        Some(i) => (full[..i].to_string(), Some(&full[i + " at Line: ".len()..])),
        None => (full.clone(), None),
    };
    let at = loc.and_then(|l| {
        let (line, col) = l.split_once(", Column: ")?;
        Some(src.offset(line.trim().parse().ok()?, col.trim().parse().ok()?))
    });
    let range = match at.and_then(|a| toks.iter().find(|t| t.span.start == a)) {
        Some(t) => t.span.clone(),
        None => {
            let a = at.unwrap_or(span.start).clamp(span.start, span.end);
            a..next_char_end(&src.text, a)
        }
    };
    let message = match message.strip_prefix("Expected: one of ") {
        // The parser's list of every keyword it could have taken ("… or CONNECTOR or ICEBERG")
        // says nothing to the user: name the words it stopped at instead.
        Some(_) => not_understood(&src.text, span.start, range.end),
        None => message,
    };
    (message, range)
}

/// "`ALTER TRIGGER` is not understood …": the words of the statement up to where parsing
/// stopped (the last few, when there are more).
fn not_understood(text: &str, start: usize, end: usize) -> String {
    let words: Vec<&str> = text
        .get(start..end.max(start))
        .unwrap_or("")
        .split_whitespace()
        .collect();
    let shown = if words.len() > 4 {
        format!("… {}", words[words.len() - 3..].join(" "))
    } else {
        words.join(" ")
    };
    format!(
        "`{shown}` is not a form locklint's SQL parser understands, so the statement was skipped"
    )
}

fn next_char_end(text: &str, at: usize) -> usize {
    text.get(at..)
        .and_then(|s| s.chars().next())
        .map(|c| at + c.len_utf8())
        .unwrap_or(at)
}
