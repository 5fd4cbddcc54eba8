//! The one place for text that more than one format writes: the wording for lock modes, what a
//! lock blocks, work kinds and counts, and the escaping of each target syntax (HTML, Markdown
//! table cells and code spans, XML, GitHub workflow commands; JSON is serde's).
//!
//! A format that needs one of these writes it through here, so that `check --format markdown`,
//! `report --format markdown` and `report --format html` cannot drift apart again.

use super::Summary;
use crate::model::{Blocks, LockMode, RelLock, Work, WorkKind};

// --- Wording --------------------------------------------------------------------------------

/// A lock mode as every table, column and field writes it: the `pg_locks` name, e.g.
/// `AccessExclusiveLock`. (Rule messages are prose and may use the SQL name.)
pub(crate) fn lock_mode(mode: LockMode) -> &'static str {
    mode.pg_name()
}

/// What a held lock blocks, for people: "reads, writes, DDL", "writes, DDL", "DDL" or
/// "nothing". Machine formats use [`Blocks::names`] (`reads`, `writes`, `ddl`).
pub fn blocks(b: Blocks) -> String {
    let parts: Vec<&str> = [(b.reads, "reads"), (b.writes, "writes"), (b.ddl, "DDL")]
        .into_iter()
        .filter_map(|(on, name)| on.then_some(name))
        .collect();
    if parts.is_empty() {
        "nothing".to_string()
    } else {
        parts.join(", ")
    }
}

/// A kind of work done under a lock: "rewrite", "scan", "index build", "validation",
/// "row updates".
pub fn work(kind: WorkKind) -> &'static str {
    match kind {
        WorkKind::Scan => "scan",
        WorkKind::Validate => "validation",
        WorkKind::IndexBuild => "index build",
        WorkKind::RowUpdates => "row updates",
        WorkKind::Rewrite => "rewrite",
    }
}

/// "1 file", "2 files".
pub(crate) fn plural(n: usize, word: &str) -> String {
    format!("{n} {}", noun(n, word))
}

/// The noun alone, in the number `n` asks for: "file", "files".
pub(crate) fn noun(n: usize, word: &str) -> String {
    if n == 1 {
        word.to_string()
    } else {
        format!("{word}s")
    }
}

/// "2 errors, 1 warning in 3 files (12 statements, 1 unparsed)" and a line break: the last line
/// of `check`'s human and GitHub output and the headline of its Markdown comment.
pub(crate) fn summary_line(s: &Summary) -> String {
    let mut parts = vec![plural(s.errors, "error"), plural(s.warnings, "warning")];
    if s.infos > 0 {
        parts.push(format!("{} info", s.infos));
    }
    format!(
        "{} in {} ({}, {} unparsed)\n",
        parts.join(", "),
        plural(s.files, "file"),
        plural(s.statements, "statement"),
        s.unparsed
    )
}

/// Characters of a statement's text shown in a table row.
pub(crate) const EXCERPT_CHARS: usize = 60;

/// A statement's text on one line (runs of whitespace collapsed), cut to [`EXCERPT_CHARS`]
/// characters with a trailing `…` when longer.
pub(crate) fn excerpt(text: &str) -> String {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() > EXCERPT_CHARS {
        let cut: String = flat.chars().take(EXCERPT_CHARS - 1).collect();
        format!("{}…", cut.trim_end())
    } else {
        flat
    }
}

// --- HTML -----------------------------------------------------------------------------------

/// Escape text for HTML element content and double- or single-quoted attribute values.
pub fn html(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    html_into(&mut out, text);
    out
}

/// [`html`], appending to `out`.
pub(crate) fn html_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // Control characters other than tab and newline are not valid HTML text.
            c if c.is_control() && c != '\t' && c != '\n' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
}

// --- Markdown (GitHub and GitLab flavours) --------------------------------------------------

/// Escape prose for a table cell: pipes, line breaks, and `<`/`>` outside code spans (inside
/// them GitHub and GitLab show text literally, except that `\|` still stands for `|`).
pub(crate) fn md_cell(s: &str) -> String {
    // An unmatched backtick would open a code span that never closes: treat the last one as
    // a literal character.
    let ticks = s.matches('`').count();
    let literal_tick = (ticks % 2 == 1).then(|| s.rfind('`')).flatten();
    let mut out = String::with_capacity(s.len());
    let mut in_code = false;
    for (i, c) in s.char_indices() {
        match c {
            '`' if Some(i) == literal_tick => out.push_str("\\`"),
            '`' => {
                in_code = !in_code;
                out.push('`');
            }
            '|' => out.push_str("\\|"),
            '\r' => {}
            '\n' if in_code => out.push(' '),
            '\n' => out.push_str("<br>"),
            '<' if !in_code => out.push_str("&lt;"),
            '>' if !in_code => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

/// A code span showing `s` literally, safe inside a table cell (and anywhere else).
pub(crate) fn md_code(s: &str) -> String {
    let s = s.replace(['\r', '\n'], " ").replace('|', "\\|");
    let longest_run = s.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest_run + 1);
    let pad = if s.starts_with('`') || s.ends_with('`') || s.is_empty() {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{s}{pad}{fence}")
}

/// A lock in a Markdown table cell: "`measurements` ShareRowExclusiveLock".
pub(crate) fn md_lock(l: &RelLock) -> String {
    format!("{} {}", md_code(&l.rel.to_string()), lock_mode(l.mode))
}

/// Work in a Markdown table cell: "validation `measurements`".
pub(crate) fn md_work(w: &Work) -> String {
    format!("{} {}", work(w.kind), md_code(&w.rel.to_string()))
}

// --- XML ------------------------------------------------------------------------------------

/// Escape text for XML 1.0 character data or a double-quoted attribute. Characters XML 1.0
/// cannot carry at all (most C0 controls) become U+FFFD; in attributes, tab and line breaks are
/// written as references so that attribute normalization keeps them.
fn xml(s: &str, attribute: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if attribute => out.push_str("&quot;"),
            '\'' if attribute => out.push_str("&apos;"),
            '\n' if attribute => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' if attribute => out.push_str("&#9;"),
            '\t' | '\n' => out.push(c),
            '\u{0}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

/// Escape an XML attribute value (double-quoted).
pub(crate) fn xml_attr(s: &str) -> String {
    xml(s, true)
}

/// Escape XML character data.
pub(crate) fn xml_text(s: &str) -> String {
    xml(s, false)
}

// --- GitHub workflow commands ---------------------------------------------------------------

/// Escape with GitHub's workflow-command rules: `%` and line breaks always, `:` and `,` too in
/// property values.
fn workflow(s: &str, property: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            ':' if property => out.push_str("%3A"),
            ',' if property => out.push_str("%2C"),
            c => out.push(c),
        }
    }
    out
}

/// Escape a workflow command's message (the actions toolkit's `escapeData`).
pub(crate) fn workflow_data(s: &str) -> String {
    workflow(s, false)
}

/// Escape a workflow command's property value (the actions toolkit's `escapeProperty`).
pub(crate) fn workflow_property(s: &str) -> String {
    workflow(s, true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::lock::ALL_MODES;

    #[test]
    fn lock_modes_are_pg_locks_names() {
        let names: Vec<&str> = ALL_MODES.iter().map(|m| lock_mode(*m)).collect();
        assert_eq!(
            names,
            [
                "AccessShareLock",
                "RowShareLock",
                "RowExclusiveLock",
                "ShareUpdateExclusiveLock",
                "ShareLock",
                "ShareRowExclusiveLock",
                "ExclusiveLock",
                "AccessExclusiveLock",
            ]
        );
    }

    #[test]
    fn blocks_wording() {
        let of = |m: LockMode| blocks(m.blocks());
        assert_eq!(of(LockMode::AccessExclusive), "reads, writes, DDL");
        assert_eq!(of(LockMode::ShareRowExclusive), "writes, DDL");
        assert_eq!(of(LockMode::ShareUpdateExclusive), "DDL");
        assert_eq!(of(LockMode::AccessShare), "nothing");
    }

    #[test]
    fn summary_line_counts() {
        let s = Summary {
            files: 1,
            statements: 3,
            errors: 2,
            warnings: 1,
            infos: 0,
            unparsed: 0,
        };
        assert_eq!(
            summary_line(&s),
            "2 errors, 1 warning in 1 file (3 statements, 0 unparsed)\n"
        );
    }

    #[test]
    fn long_statements_are_cut() {
        let e = excerpt(&"x ".repeat(100));
        assert_eq!(e.chars().count(), EXCERPT_CHARS);
        assert!(e.ends_with('…'));
        assert_eq!(excerpt("a\n  b"), "a b");
    }

    #[test]
    fn html_escapes_markup_quotes_and_controls() {
        assert_eq!(
            html("<script>a & 'b' \"c\"</script>\u{1}"),
            "&lt;script&gt;a &amp; &#39;b&#39; &quot;c&quot;&lt;/script&gt;\u{FFFD}"
        );
    }

    #[test]
    fn md_cells_escape_pipes_breaks_and_html_outside_code() {
        assert_eq!(md_cell("a | b\nc <d>"), "a \\| b<br>c &lt;d&gt;");
        assert_eq!(md_cell("`a|<b>`"), "`a\\|<b>`");
        assert_eq!(md_cell("odd ` tick <x>"), "odd \\` tick &lt;x&gt;");
    }

    #[test]
    fn md_code_spans_survive_backticks() {
        assert_eq!(md_code("a"), "`a`");
        assert_eq!(md_code("a`b"), "``a`b``");
        assert_eq!(md_code("`a"), "`` `a ``");
        assert_eq!(md_code("x|y"), "`x\\|y`");
        assert_eq!(md_code(""), "`  `");
    }

    #[test]
    fn xml_escapes_markup_quotes_and_controls() {
        assert_eq!(
            xml_attr("a<b>&\"c\"'\n\t\u{1}"),
            "a&lt;b&gt;&amp;&quot;c&quot;&apos;&#10;&#9;\u{fffd}"
        );
        assert_eq!(xml_text("a<b>\"c\"\n\r"), "a&lt;b&gt;\"c\"\n&#13;");
    }

    #[test]
    fn workflow_escaping_follows_the_actions_toolkit() {
        assert_eq!(workflow_data("100%\r\na: b, c"), "100%25%0D%0Aa: b, c");
        assert_eq!(workflow_property("a,b:c%\n"), "a%2Cb%3Ac%25%0A");
    }
}
