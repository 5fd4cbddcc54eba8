//! golang-migrate/migrate: `<version>_<name>.up.sql` / `.down.sql`. The PostgreSQL driver sends
//! the whole file as one multi-statement query, which PostgreSQL runs in one implicit
//! transaction when it holds more than one statement; a lone statement runs on its own.

use super::order::{leading_digits, number};
use super::{Class, Direction, FileCtx, Part, Role, TxnMode};

/// `<digits>_<name>.up.sql` or `<digits>_<name>.down.sql`.
pub(crate) fn role(rel: &str) -> Option<Role> {
    let digits = leading_digits(rel);
    if digits.is_empty() || rel.contains('/') || !rel[digits.len()..].starts_with('_') {
        return None;
    }
    let lower = rel.to_ascii_lowercase();
    let direction = if lower.ends_with(".up.sql") {
        Direction::Forward
    } else if lower.ends_with(".down.sql") {
        Direction::Down
    } else {
        return None;
    };
    Some(Role {
        class: Class::Versioned,
        version: number(digits),
        direction,
    })
}

/// The whole file as one multi-statement query.
pub(crate) fn parts(cx: &FileCtx) -> Vec<Part> {
    vec![Part::new(
        0..cx.text.len(),
        cx.direction,
        TxnMode::MultiStatement,
    )]
}
