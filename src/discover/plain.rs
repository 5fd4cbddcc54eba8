//! Plain SQL: no tool conventions. Files apply in natural path order (`9_x` before `10_y`); no
//! transaction is assumed unless `assume_in_transaction = true`.

use super::order::natural;
use super::{Class, Direction, FileCtx, Part, Role, TxnMode};

/// Every file, by natural order of its path in the folder.
pub(crate) fn role(rel: &str) -> Option<Role> {
    Some(Role {
        class: Class::Versioned,
        version: natural(rel),
        direction: Direction::Forward,
    })
}

/// squawk's file directive: this file does not run in a transaction, whatever
/// `assume_in_transaction` says (honoured so a team switching over keeps its annotations).
const SQUAWK_NO_TXN: &str = "squawk-disable-assume-in-transaction";

/// Whether a line comment of the file is squawk's directive.
fn disables_assumed_transaction(text: &str) -> bool {
    text.lines().any(|l| {
        l.trim()
            .strip_prefix("--")
            .is_some_and(|c| c.trim() == SQUAWK_NO_TXN)
    })
}

/// The whole file.
pub(crate) fn parts(cx: &FileCtx) -> Vec<Part> {
    let txn =
        if cx.settings.migrations.assume_in_transaction && !disables_assumed_transaction(cx.text) {
            TxnMode::Single
        } else {
            TxnMode::None
        };
    vec![Part::new(0..cx.text.len(), cx.direction, txn)]
}

#[cfg(test)]
mod tests {
    #[test]
    fn squawks_directive_is_a_line_comment_of_its_own() {
        assert!(super::disables_assumed_transaction(
            "-- squawk-disable-assume-in-transaction\nCREATE INDEX CONCURRENTLY i ON t (a);\n"
        ));
        assert!(super::disables_assumed_transaction(
            "SELECT 1;\n  --   squawk-disable-assume-in-transaction  \n"
        ));
        assert!(!super::disables_assumed_transaction(
            "-- squawk-disable-assume-in-transaction please\n"
        ));
        assert!(!super::disables_assumed_transaction(
            "SELECT '-- squawk-disable-assume-in-transaction';\n"
        ));
    }
}
