//! launchbadge/sqlx: `<version>_<name>.sql`, or `.up.sql` / `.down.sql` pairs; each file runs
//! in one transaction unless it starts with `-- no-transaction`.

use super::order::{leading_digits, number};
use super::{Class, Direction, FileCtx, Part, Role, TxnMode};

/// What `sqlx migrate add` writes into a new file: a sure sign of sqlx.
const TEMPLATES: &[&str] = &[
    "-- Add migration script here",
    "-- Add up migration script here",
    "-- Add down migration script here",
];

/// The marker that turns the transaction off (sqlx checks the very start of the file).
const NO_TRANSACTION: &str = "-- no-transaction";

/// `<digits>_<name>.sql`, `<digits>_<name>.up.sql`, `<digits>_<name>.down.sql`.
pub(crate) fn role(rel: &str) -> Option<Role> {
    let digits = leading_digits(rel);
    if digits.is_empty() || rel.contains('/') || !rel[digits.len()..].starts_with('_') {
        return None;
    }
    let lower = rel.to_ascii_lowercase();
    let direction = if lower.ends_with(".down.sql") {
        Direction::Down
    } else {
        Direction::Forward
    };
    Some(Role {
        class: Class::Versioned,
        version: number(digits),
        direction,
    })
}

/// Whether the text shows sqlx's own conventions.
pub(crate) fn has_markers(text: &str) -> bool {
    text.starts_with(NO_TRANSACTION) || TEMPLATES.iter().any(|t| text.contains(t))
}

/// The whole file, in the direction its name says.
pub(crate) fn parts(cx: &FileCtx) -> Vec<Part> {
    let txn = if cx.text.starts_with(NO_TRANSACTION) {
        TxnMode::None
    } else {
        TxnMode::Single
    };
    vec![Part::new(0..cx.text.len(), cx.direction, txn)]
}
