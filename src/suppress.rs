//! Inline suppressions: `-- locklint:ignore RULE[,RULE] reason` on the line(s) before a statement
//! or at the end of its first line, `-- locklint:ignore-file RULE[,RULE] reason` for the file, and
//! squawk's `-- squawk-ignore` / `-- squawk-ignore-file` for rules with a squawk equivalent.
//! A suppression that silences nothing is itself reported.

use crate::finding::Finding;
use crate::model::Span;
use crate::rules;
use crate::source::SourceFile;

/// squawk rule → the locklint rules it corresponds to (documented in the README).
pub const SQUAWK_EQUIVALENTS: &[(&str, &[&str])] = &[
    (
        "require-concurrent-index-creation",
        &["create-index-non-concurrently"],
    ),
    (
        "require-concurrent-index-deletion",
        &["drop-index-non-concurrently"],
    ),
    (
        "adding-foreign-key-constraint",
        &["add-foreign-key-validated"],
    ),
    (
        "constraint-missing-not-valid",
        &[
            "add-foreign-key-validated",
            "add-check-constraint-validated",
        ],
    ),
    (
        "adding-field-with-default",
        &["add-column-volatile-default", "add-column-rewrites-table"],
    ),
    (
        "adding-serial-primary-key-field",
        &["add-column-rewrites-table", "add-constraint-builds-index"],
    ),
    ("setting-not-nullable-field", &["set-not-null-scan"]),
    (
        "adding-not-nullable-field",
        &["add-column-not-null-without-default"],
    ),
    (
        "adding-required-field",
        &["add-column-not-null-without-default"],
    ),
    ("changing-column-type", &["alter-column-type-rewrite"]),
    (
        "disallowed-unique-constraint",
        &["add-constraint-builds-index"],
    ),
    ("ban-drop-column", &["breaking-change"]),
    ("ban-drop-table", &["breaking-change"]),
    ("renaming-column", &["breaking-change"]),
    ("renaming-table", &["breaking-change"]),
    ("require-timeout-settings", &["missing-lock-timeout"]),
    (
        "ban-concurrent-index-creation-in-transaction",
        &["concurrently-in-transaction"],
    ),
    ("ban-truncate-cascade", &["truncate-table"]),
];

#[derive(Debug)]
struct Directive {
    /// Byte range of the comment.
    span: Span,
    /// The rules it names (locklint names), with the name as written.
    rules: Vec<(String, Vec<&'static str>)>,
    /// File-wide.
    file: bool,
    /// The statement it applies to (start offset), for statement directives.
    target: Option<usize>,
    /// Whether it silenced something, per named rule.
    used: Vec<bool>,
    /// squawk syntax (unused squawk directives are not reported: squawk may still need them).
    squawk: bool,
    /// A comment addressed to locklint that is not a directive: its words as written.
    malformed: Option<String>,
}

/// What a comment says to locklint.
#[derive(Debug, PartialEq, Eq)]
enum Comment {
    /// A directive: file-wide or not, squawk syntax or not, the rule names as written.
    Directive {
        file: bool,
        squawk: bool,
        names: Vec<String>,
    },
    /// Addressed to locklint (`locklint:…`, `locklint ignore …`) but not a directive: the words
    /// as written. Reported, never silently ignored.
    Malformed(String),
}

/// `text` without a leading `prefix`, compared ignoring ASCII case.
fn strip_prefix_ci<'t>(text: &'t str, prefix: &str) -> Option<&'t str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &text[prefix.len()..])
}

/// Read a comment's body. `locklint:ignore` is read in the forms people write: any case,
/// spaces around the colon (`locklint: ignore`, `LOCKLINT : IGNORE`). Anything else that starts
/// with `locklint:`, and `locklint ignore` without the colon, is malformed; other text after
/// `locklint` is prose.
fn parse_comment(comment: &str) -> Option<Comment> {
    let body = comment.trim_start().trim_start_matches('-').trim_start();
    let (file, squawk, rest) = if let Some(r) = body.strip_prefix("squawk-ignore-file") {
        (true, true, r)
    } else if let Some(r) = body.strip_prefix("squawk-ignore") {
        (false, true, r)
    } else {
        let after = strip_prefix_ci(body, "locklint")?;
        let trimmed = after.trim_start();
        let (colon, rest) = match trimmed.strip_prefix(':') {
            Some(r) => (true, r.trim_start()),
            None => (false, trimmed),
        };
        let word_end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        let word = &rest[..word_end];
        let file = if word.eq_ignore_ascii_case("ignore-file") {
            Some(true)
        } else if word.eq_ignore_ascii_case("ignore") {
            Some(false)
        } else {
            None
        };
        let written = || body[..body.len() - rest.len() + word_end].to_string();
        match (colon, file) {
            (true, Some(file)) => (file, false, &rest[word_end..]),
            (true, None) | (false, Some(_)) => return Some(Comment::Malformed(written())),
            (false, None) => return None,
        }
    };
    if !rest.is_empty() && !rest.starts_with(char::is_whitespace) {
        return None;
    }
    // The rule list is the first word (comma-separated, spaces after commas allowed).
    let rest = rest.trim_start();
    let mut list = String::new();
    let mut chars = rest.chars().peekable();
    while let Some(c) = chars.next() {
        if c.is_whitespace() {
            if list.ends_with(',') {
                continue;
            }
            if chars.peek() == Some(&',') {
                continue;
            }
            break;
        }
        list.push(c);
    }
    let names = list
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    Some(Comment::Directive {
        file,
        squawk,
        names,
    })
}

/// Whether `text` mentions locklint in any case (the cheap test before looking for directives).
fn mentions_locklint(text: &str) -> bool {
    comment_mentions(text, b"locklint")
}

/// Whether a comment (`--` to the end of its line, `/*` to `*/`) mentions `word` in any case.
/// This runs on every file, most of which have no directive: comment starts are found with a
/// fast byte search, and only comment text is compared.
fn comment_mentions(text: &str, word: &[u8]) -> bool {
    if !contains_ignore_case(text.as_bytes(), word) {
        return false;
    }
    let mentions = |s: &str| contains_ignore_case(s.as_bytes(), word);
    let look = |marker: char, second: char, end: &str| {
        let mut from = 0;
        while let Some(i) = text[from..].find(marker).map(|i| from + i) {
            from = i + 1;
            if text[i + 1..].starts_with(second) {
                let body = &text[i + 2..];
                let body = &body[..body.find(end).unwrap_or(body.len())];
                if mentions(body) {
                    return true;
                }
            }
        }
        false
    };
    look('-', '-', "\n") || look('/', '*', "*/")
}

/// Whether `hay` holds `word` in any ASCII case. Candidates are found by a byte search for the
/// word's least common letter in SQL (`k` of `locklint`, `q` of `squawk`), so a file without the
/// word is passed over at memchr's speed.
fn contains_ignore_case(hay: &[u8], word: &[u8]) -> bool {
    const RARE: &[u8] = b"qjzxkvwyfbgh";
    let Some(at) = RARE
        .iter()
        .find_map(|r| word.iter().position(|b| b.eq_ignore_ascii_case(r)))
        .or((!word.is_empty()).then_some(0))
    else {
        return true;
    };
    let anchor = word[at];
    memchr::memchr2_iter(
        anchor.to_ascii_lowercase(),
        anchor.to_ascii_uppercase(),
        hay,
    )
    .any(|i| {
        i.checked_sub(at)
            .and_then(|start| hay.get(start..start + word.len()))
            .is_some_and(|w| w.eq_ignore_ascii_case(word))
    })
}

fn resolve(name: &str, squawk: bool) -> Vec<&'static str> {
    if squawk {
        return SQUAWK_EQUIVALENTS
            .iter()
            .find(|(s, _)| *s == name)
            .map(|(_, l)| {
                l.iter()
                    .copied()
                    .filter(|r| rules::find(r).is_some())
                    .collect()
            })
            .unwrap_or_default();
    }
    rules::find(name).map(|r| vec![r.name]).unwrap_or_default()
}

/// The next comment at or after `from`: its byte range and its body (the text a directive is
/// read from). A `--` comment ends at LF or CR, as PostgreSQL's scanner ends it; a `/* */`
/// comment nests and ends at its matching `*/`, or at `limit` (the end of the statement it is
/// in, or of the text) when it is not closed there. `None` when no comment starts before
/// `limit`.
fn next_comment(text: &str, from: usize, limit: usize) -> Option<(Span, &str)> {
    let bytes = text.as_bytes();
    let limit = limit.min(bytes.len());
    let mut i = from;
    while i + 1 < limit {
        match (bytes[i], bytes[i + 1]) {
            (b'-', b'-') => {
                let end = bytes[i..limit]
                    .iter()
                    .position(|&c| c == b'\n' || c == b'\r')
                    .map_or(limit, |n| i + n);
                return Some((i..end, text.get(i..end)?));
            }
            (b'/', b'*') => {
                let mut depth = 0usize;
                let mut j = i;
                let end = loop {
                    if j + 1 >= limit {
                        break limit;
                    }
                    match (bytes[j], bytes[j + 1]) {
                        (b'/', b'*') => {
                            depth += 1;
                            j += 2;
                        }
                        (b'*', b'/') => {
                            depth -= 1;
                            j += 2;
                            if depth == 0 {
                                break j;
                            }
                        }
                        _ => j += 1,
                    }
                };
                let body_end = if end >= i + 4 && text.get(end - 2..end) == Some("*/") {
                    end - 2
                } else {
                    end
                };
                return Some((i..end, text.get(i + 2..body_end)?));
            }
            _ => i += 1,
        }
    }
    None
}

/// Find the directives in `--` and `/* */` comments outside statements or on a statement's
/// first line. A block comment is a directive when its text starts with one (an optional `--`
/// before it is allowed: `/* -- locklint:ignore RULE */`); it applies as a line comment in
/// its place would.
fn directives(src: &SourceFile, stmts: &[Span]) -> Vec<Directive> {
    let text = src.text.as_str();
    let mut out = Vec::new();
    if !mentions_locklint(text) && !comment_mentions(text, b"squawk-ignore") {
        return out;
    }
    let starts: Vec<usize> = stmts.iter().map(|s| s.start).collect();
    let mut pos = 0;
    let mut k = 0; // the first statement that does not end at or before `pos`
    while pos < text.len() {
        while stmts.get(k).is_some_and(|s| s.end <= pos) {
            k += 1;
        }
        // Between statements there are only blanks, comments and `;`; inside one a comment
        // cannot be told from a literal without its tokens, so a block comment there is not
        // followed past the statement's end.
        let limit = match stmts.get(k) {
            Some(s) if s.start <= pos => s.end,
            Some(s) => s.start,
            None => text.len(),
        };
        let Some((span, body)) = next_comment(text, pos, limit) else {
            pos = limit;
            continue;
        };
        let at = span.start;
        let comment_end = span.end;
        pos = comment_end.max(at + 2);
        let (file, squawk, names) = match parse_comment(body) {
            None => continue,
            Some(Comment::Malformed(written)) => {
                out.push(Directive {
                    span,
                    rules: Vec::new(),
                    file: false,
                    target: None,
                    used: Vec::new(),
                    squawk: false,
                    malformed: Some(written),
                });
                continue;
            }
            Some(Comment::Directive {
                file,
                squawk,
                names,
            }) => (file, squawk, names),
        };
        let (line, _) = src.line_col(at);
        // Inside a statement: only on its first line (a trailing comment on a multi-line statement).
        let inside = stmts.iter().find(|s| s.start < at && at < s.end);
        let target = if file {
            None
        } else if let Some(s) = inside {
            if src.line_col(s.start).0 != line {
                continue;
            }
            Some(s.start)
        } else if let Some(s) = stmts
            .iter()
            .rev()
            .find(|s| s.end <= at && src.line_col(s.start).0 == line)
        {
            // `CREATE INDEX ...; -- locklint:ignore ...` on the statement's own first line.
            Some(s.start)
        } else {
            // The next statement, with only blank and comment lines in between.
            let next = starts.iter().copied().find(|s| *s >= comment_end);
            match next.and_then(|s| Some((s, text.get(comment_end..s)?))) {
                Some((s, between))
                    if between.split(['\n', '\r']).all(|l| {
                        let t = l.trim();
                        t.is_empty() || t.starts_with("--")
                    }) =>
                {
                    Some(s)
                }
                _ => None,
            }
        };
        let rules = names
            .iter()
            .map(|n| (n.clone(), resolve(n, squawk)))
            .collect::<Vec<_>>();
        let used = vec![false; rules.len()];
        out.push(Directive {
            span,
            rules,
            file,
            target,
            used,
            squawk,
            malformed: None,
        });
    }
    out
}

/// Remove suppressed findings from a file; return findings about the suppressions. `spans` are
/// the byte ranges of all the file's statements, in order (a comment applies to the statement
/// after it); `findings` the statements' findings, in groups of any shape (a finding belongs to
/// the statement its `stmt_span` starts).
pub fn apply<'a>(
    src: &SourceFile,
    spans: &[Span],
    findings: impl Iterator<Item = &'a mut Vec<Finding>>,
) -> Vec<Finding> {
    let mut dirs = directives(src, spans);
    if dirs.is_empty() {
        return Vec::new();
    }
    for group in findings {
        group.retain(|f| {
            let start = f.stmt_span.start;
            let mut suppressed = false;
            for d in dirs.iter_mut() {
                if !(d.file || d.target == Some(start)) {
                    continue;
                }
                for (i, (_, names)) in d.rules.iter().enumerate() {
                    if names.contains(&f.rule) {
                        d.used[i] = true;
                        suppressed = true;
                    }
                }
            }
            !suppressed
        });
    }
    let Some(rule) = rules::find("unused-suppression") else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let report = |span: &Span, message: String| {
        Finding::new(
            rule,
            span.clone(),
            message,
            "Remove the comment, or fix the rule name (`locklint rules` lists them).".into(),
        )
        .label("unused suppression")
    };
    for d in dirs.iter().filter(|d| !d.squawk) {
        if let Some(written) = &d.malformed {
            out.push(report(
                &d.span,
                format!(
                    "`{written}` is not a locklint directive, so it silences nothing: write \
                     `-- locklint:ignore RULE reason` (or `locklint:ignore-file`)"
                ),
            ));
            continue;
        }
        if d.rules.is_empty() {
            out.push(report(
                &d.span,
                "this suppression names no rule, so it silences nothing: write \
                 `-- locklint:ignore RULE reason`"
                    .to_string(),
            ));
            continue;
        }
        for (i, (name, names)) in d.rules.iter().enumerate() {
            if d.used[i] {
                continue;
            }
            let message = if names.is_empty() {
                format!("`{name}` is not a locklint rule; this suppression silences nothing")
            } else if d.target.is_none() && !d.file {
                format!(
                    "this suppression of `{name}` is not directly above a statement, so it silences nothing"
                )
            } else {
                format!(
                    "this suppression of `{name}` silences nothing: the rule reports nothing here"
                )
            };
            out.push(report(&d.span, message));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn word_search_in_any_case() {
        let cases: [(&str, &str, bool); 9] = [
            ("-- LockLint: ignore", "locklint", true),
            ("-- LOCKLINT", "locklint", true),
            ("locklin", "locklint", false),
            ("lockklint locklint", "locklint", true),
            ("k at the start: klocklint", "locklint", true),
            ("-- squawk-IGNORE-next", "squawk-ignore", true),
            ("squawk ignore", "squawk-ignore", false),
            ("", "locklint", false),
            ("anything", "", true),
        ];
        for (hay, word, want) in cases {
            assert_eq!(
                contains_ignore_case(hay.as_bytes(), word.as_bytes()),
                want,
                "{hay} / {word}"
            );
        }
    }

    use super::{Comment, contains_ignore_case, parse_comment};

    fn directive(file: bool, squawk: bool, names: &[&str]) -> Option<Comment> {
        Some(Comment::Directive {
            file,
            squawk,
            names: names.iter().map(|n| n.to_string()).collect(),
        })
    }

    #[test]
    fn parses_rule_lists() {
        assert_eq!(
            parse_comment("-- locklint:ignore a,b reason here"),
            directive(false, false, &["a", "b"])
        );
        assert_eq!(
            parse_comment("-- locklint:ignore a, b because"),
            directive(false, false, &["a", "b"])
        );
        assert_eq!(
            parse_comment("-- locklint:ignore-file x why"),
            directive(true, false, &["x"])
        );
        assert_eq!(
            parse_comment("-- squawk-ignore ban-drop-column"),
            directive(false, true, &["ban-drop-column"])
        );
        assert_eq!(
            parse_comment("-- locklint:ignore"),
            directive(false, false, &[])
        );
        assert_eq!(parse_comment("-- just a comment"), None);
    }

    #[test]
    fn reads_the_forms_people_write() {
        for c in [
            "-- locklint: ignore x",
            "-- locklint : ignore x",
            "-- LOCKLINT:IGNORE x",
            "-- Locklint:Ignore x",
        ] {
            assert_eq!(parse_comment(c), directive(false, false, &["x"]), "{c}");
        }
        assert_eq!(
            parse_comment("-- locklint: ignore-file x"),
            directive(true, false, &["x"])
        );
    }

    #[test]
    fn malformed_directives_are_not_prose() {
        for (c, written) in [
            ("-- locklint:ignored x", "locklint:ignored"),
            ("-- locklint:disable x", "locklint:disable"),
            ("-- locklint ignore x", "locklint ignore"),
            ("-- locklint:", "locklint:"),
        ] {
            assert_eq!(
                parse_comment(c),
                Some(Comment::Malformed(written.to_string())),
                "{c}"
            );
        }
        for prose in [
            "-- locklint runs in CI",
            "-- locklintrc",
            "-- see locklint:ignore",
        ] {
            assert_eq!(parse_comment(prose), None, "{prose}");
        }
    }
}
