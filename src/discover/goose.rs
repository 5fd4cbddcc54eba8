//! pressly/goose: `<version>_<name>.sql` with `-- +goose Up` / `-- +goose Down` sections,
//! `-- +goose StatementBegin` / `StatementEnd` around statements goose must send whole, and
//! `-- +goose NO TRANSACTION` to run the file outside the transaction goose otherwise opens.

use super::order::{leading_digits, number};
use super::{Class, Direction, FileCtx, Part, Role, TxnMode, lines};

/// `<digits>_<name>.sql`: goose parses the text before the first `_` as the version.
pub(crate) fn role(rel: &str) -> Option<Role> {
    let digits = leading_digits(rel);
    if digits.is_empty() || rel.contains('/') || !rel[digits.len()..].starts_with('_') {
        return None;
    }
    Some(Role {
        class: Class::Versioned,
        version: number(digits),
        direction: Direction::Forward,
    })
}

/// The lower-cased, space-normalized command of a `-- +goose ...` line.
fn annotation(line: &str) -> Option<String> {
    let rest = line
        .trim()
        .strip_prefix("--")?
        .trim_start()
        .strip_prefix("+goose")?;
    if !rest.is_empty() && !rest.starts_with(char::is_whitespace) {
        return None;
    }
    Some(
        rest.split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_ascii_lowercase(),
    )
}

/// Whether the file carries goose's section markers before any SQL (goose reads its
/// annotations from the top; a marker far down a plain SQL file does not make it goose's).
pub(crate) fn has_markers(text: &str) -> bool {
    super::markers_at_top(text, |l| {
        annotation(l).is_some_and(|a| a == "up" || a == "down" || a == "no transaction")
    })
}

/// The Up section forward, the Down section down, one transaction unless NO TRANSACTION.
pub(crate) fn parts(cx: &FileCtx) -> Vec<Part> {
    let text = cx.text;
    let mut up: Option<usize> = None;
    let mut down: Option<(usize, usize)> = None;
    let mut down_end: Option<usize> = None;
    let mut no_transaction = false;
    let mut blocks = Vec::new();
    let mut open: Option<usize> = None;
    for l in lines(text) {
        let Some(cmd) = annotation(l.text) else {
            continue;
        };
        match cmd.as_str() {
            "up" if up.is_none() && down.is_none() => up = Some(l.next),
            // A second Up after Down: the Down section ends there; what follows belongs to no
            // section goose runs (reported as SQL not linted).
            "up" if down.is_some() && down_end.is_none() => down_end = Some(l.start),
            "down" if down.is_none() => down = Some((l.start, l.next)),
            "no transaction" => no_transaction = true,
            "statementbegin" => open = Some(l.next),
            "statementend" => {
                if let Some(s) = open.take() {
                    blocks.push(s..l.start);
                }
            }
            _ => {}
        }
    }
    let txn = if no_transaction {
        TxnMode::None
    } else {
        TxnMode::Single
    };
    // Without an Up marker goose refuses the file; linting all of it loses nothing. Text
    // before the Up marker is in no section (reported when it holds SQL).
    let up_range = up.unwrap_or(0)..down.map_or(text.len(), |d| d.0);
    let mut out = vec![Part::new(up_range, Direction::Forward, txn)];
    if let Some((_, body)) = down {
        out.push(Part::new(
            body..down_end.unwrap_or(text.len()),
            Direction::Down,
            txn,
        ));
    }
    for p in &mut out {
        p.blocks = blocks
            .iter()
            .filter(|b| p.range.start <= b.start && b.end <= p.range.end)
            .cloned()
            .collect();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn annotations() {
        assert_eq!(annotation("-- +goose Up").as_deref(), Some("up"));
        assert_eq!(
            annotation("--+goose  NO   TRANSACTION ").as_deref(),
            Some("no transaction")
        );
        assert_eq!(
            annotation("  -- +goose StatementBegin").as_deref(),
            Some("statementbegin")
        );
        assert_eq!(annotation("-- +gooseUp"), None);
        assert_eq!(annotation("-- goose Up"), None);
    }

    #[test]
    fn names() {
        assert!(role("001_init.sql").is_some());
        assert!(role("20240101120000_init.sql").is_some());
        assert!(role("init.sql").is_none());
        assert!(role("001-init.sql").is_none());
    }
}
