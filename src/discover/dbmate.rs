//! amacneil/dbmate: `<version>_<name>.sql` (the version is the leading digits) with
//! `-- migrate:up` / `-- migrate:down` sections; each section runs in one transaction unless its
//! marker line says `transaction:false`.

use super::order::{leading_digits, number};
use super::{Class, Direction, FileCtx, Part, Role, TxnMode, lines};

/// `<digits>...sql`.
pub(crate) fn role(rel: &str) -> Option<Role> {
    let digits = leading_digits(rel);
    if digits.is_empty() || rel.contains('/') {
        return None;
    }
    Some(Role {
        class: Class::Versioned,
        version: number(digits),
        direction: Direction::Forward,
    })
}

/// `up` or `down` and the marker's options, for a `-- migrate:up ...` line.
fn marker(line: &str) -> Option<(&'static str, &str)> {
    let rest = line
        .strip_prefix("--")?
        .trim_start()
        .strip_prefix("migrate:")?;
    let (which, opts) = if let Some(o) = rest.strip_prefix("up") {
        ("up", o)
    } else if let Some(o) = rest.strip_prefix("down") {
        ("down", o)
    } else {
        return None;
    };
    if !opts.is_empty() && !opts.starts_with(char::is_whitespace) {
        return None;
    }
    Some((which, opts))
}

fn txn(opts: &str) -> TxnMode {
    if opts
        .split_whitespace()
        .any(|o| o.eq_ignore_ascii_case("transaction:false"))
    {
        TxnMode::None
    } else {
        TxnMode::Single
    }
}

/// Whether the file carries dbmate's section markers before any SQL (dbmate reads them from
/// the top; a marker far down a plain SQL file does not make it dbmate's).
pub(crate) fn has_markers(text: &str) -> bool {
    super::markers_at_top(text, |l| marker(l).is_some())
}

/// The up section forward, the down section down.
pub(crate) fn parts(cx: &FileCtx) -> Vec<Part> {
    let text = cx.text;
    let mut up: Option<(usize, TxnMode)> = None;
    let mut down: Option<(usize, usize, TxnMode)> = None;
    for l in lines(text) {
        match marker(l.text) {
            Some(("up", opts)) if up.is_none() && down.is_none() => up = Some((l.next, txn(opts))),
            Some(("down", opts)) if down.is_none() => down = Some((l.start, l.next, txn(opts))),
            _ => {}
        }
    }
    let (start, up_txn) = up.unwrap_or((0, TxnMode::Single));
    let mut out = vec![Part::new(
        start..down.map_or(text.len(), |d| d.0),
        Direction::Forward,
        up_txn,
    )];
    if let Some((_, body, t)) = down {
        out.push(Part::new(body..text.len(), Direction::Down, t));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_and_options() {
        assert_eq!(marker("-- migrate:up"), Some(("up", "")));
        assert_eq!(
            marker("--migrate:up transaction:false"),
            Some(("up", " transaction:false"))
        );
        assert_eq!(marker("-- migrate:down"), Some(("down", "")));
        assert_eq!(marker("-- migrate:upgrade"), None);
        assert_eq!(txn(" transaction:false"), TxnMode::None);
        assert_eq!(txn(""), TxnMode::Single);
    }
}
