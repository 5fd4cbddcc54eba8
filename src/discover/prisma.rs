//! Prisma Migrate: `<timestamp>_<name>/migration.sql`, applied in folder-name order. The
//! PostgreSQL connector sends the script as one multi-statement query, so PostgreSQL runs a
//! script of several statements in one implicit transaction and a lone statement on its own.

use super::order::text;
use super::{Class, Direction, FileCtx, Part, Role, TxnMode};

/// `<digits>_<name>/migration.sql`.
pub(crate) fn role(rel: &str) -> Option<Role> {
    let (dir, file) = rel.split_once('/')?;
    if file != "migration.sql" {
        return None;
    }
    let (version, _) = dir.split_once('_')?;
    if version.is_empty() || !version.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    Some(Role {
        class: Class::Versioned,
        version: text(dir),
        direction: Direction::Forward,
    })
}

/// The whole script as one multi-statement query.
pub(crate) fn parts(cx: &FileCtx) -> Vec<Part> {
    vec![Part::new(
        0..cx.text.len(),
        cx.direction,
        TxnMode::MultiStatement,
    )]
}
