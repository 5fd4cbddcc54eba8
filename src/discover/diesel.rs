//! diesel: one folder per migration, `<version>_<name>/up.sql` and `down.sql`, applied in the
//! order of the version (the folder name up to its first `_`, dashes removed, compared as text);
//! each runs in one transaction unless the folder's `metadata.toml` says
//! `run_in_transaction = false`.

use super::order::text;
use super::{Class, Direction, FileCtx, Part, Role, TxnMode};

/// `<version>/up.sql` or `<version>/down.sql`, the version made of digits and dashes.
pub(crate) fn role(rel: &str) -> Option<Role> {
    let (dir, file) = rel.split_once('/')?;
    let direction = match file {
        "up.sql" => Direction::Forward,
        "down.sql" => Direction::Down,
        _ => return None,
    };
    let (version, _) = dir.split_once('_')?;
    if version.is_empty()
        || !version.starts_with(|c: char| c.is_ascii_digit())
        || !version.chars().all(|c| c.is_ascii_digit() || c == '-')
    {
        return None;
    }
    Some(Role {
        class: Class::Versioned,
        version: text(&version.replace('-', "")),
        direction,
    })
}

/// Whether `metadata.toml` next to the file turns the transaction off.
fn runs_in_transaction(cx: &FileCtx) -> bool {
    let Some(dir) = cx.path.parent() else {
        return true;
    };
    let Some(meta) = super::read_side_file(&dir.join("metadata.toml")) else {
        return true;
    };
    let Ok(table) = meta.parse::<toml::Table>() else {
        return true;
    };
    table
        .get("run_in_transaction")
        .and_then(toml::Value::as_bool)
        .unwrap_or(true)
}

/// What is wrong with the `metadata.toml` next to the file, if it is there and wrong: diesel
/// would refuse it, and locklint cannot tell whether the migration runs in a transaction.
pub(crate) fn metadata_problem(cx: &FileCtx) -> Option<String> {
    let path = cx.path.parent()?.join("metadata.toml");
    let meta = super::read_side_file(&path)?;
    let shown = path.to_string_lossy();
    match meta.parse::<toml::Table>() {
        Err(e) => Some(format!(
            "{shown} is not valid TOML ({}); assumed: the migration runs in a transaction",
            e.message()
        )),
        Ok(t) => match t.get("run_in_transaction") {
            Some(v) if !v.is_bool() => Some(format!(
                "{shown}: `run_in_transaction` must be true or false; assumed: true"
            )),
            _ => None,
        },
    }
}

/// The whole file.
pub(crate) fn parts(cx: &FileCtx) -> Vec<Part> {
    let txn = if runs_in_transaction(cx) {
        TxnMode::Single
    } else {
        TxnMode::None
    };
    vec![Part::new(0..cx.text.len(), cx.direction, txn)]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert!(role("2019-02-26-002946_create_user/up.sql").is_some());
        assert_eq!(
            role("00000000000000_diesel_initial_setup/down.sql").map(|r| r.direction),
            Some(Direction::Down)
        );
        assert!(role("2019-02-26-002946_create_user/other.sql").is_none());
        assert!(role("create_user/up.sql").is_none());
        assert!(role("up.sql").is_none());
        // Dashes do not count: the versions compare as the text of their digits.
        assert!(
            role("2026-07-30-140000-0000_x/up.sql").unwrap().version
                < role("2026-08-01-000000_y/up.sql").unwrap().version
        );
    }
}
