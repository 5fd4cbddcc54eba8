//! Plain SQL: no tool conventions. Files apply in natural path order (`9_x` before `10_y`); no
//! transaction is assumed unless `assume_in_transaction = true`.

use super::order::natural;
use super::{Class, Direction, FileCtx, Part, Role, TxnMode};

/// Every file, by natural order of its path in the folder.
pub fn role(rel: &str) -> Option<Role> {
    Some(Role {
        class: Class::Versioned,
        version: natural(rel),
        direction: Direction::Forward,
    })
}

/// The whole file.
pub fn parts(cx: &FileCtx) -> Vec<Part> {
    let txn = if cx.settings.migrations.assume_in_transaction {
        TxnMode::Single
    } else {
        TxnMode::None
    };
    vec![Part::new(0..cx.text.len(), cx.direction, txn)]
}
