//! Flyway: versioned `V<version>__<description>.sql` (versions like `1`, `1.1`, `2_3_1`
//! compared part by part), repeatable `R__<description>.sql` after every versioned one, undo
//! `U<version>__<description>.sql` (never a forward migration). Each migration runs in one
//! transaction, unless every statement in it is one PostgreSQL refuses to run in a transaction
//! (Flyway then runs it without one), or its script config `<file>.conf` says
//! `executeInTransaction=false`.

use super::order::{dotted, text};
use super::{Class, Direction, FileCtx, Part, Role, TxnMode};

/// `V…__`, `U…__` or `R__` names ending in `.sql`.
pub(crate) fn role(rel: &str) -> Option<Role> {
    if rel.contains('/') || !rel.to_ascii_lowercase().ends_with(".sql") {
        return None;
    }
    let (prefix, rest) = rel.split_at_checked(1)?;
    let (version, description) = rest.split_once("__")?;
    match prefix {
        "R" if version.is_empty() => Some(Role {
            class: Class::Repeatable,
            version: text(description),
            direction: Direction::Forward,
        }),
        "V" | "U" => {
            if version.is_empty()
                || !version.starts_with(|c: char| c.is_ascii_digit())
                || !version
                    .chars()
                    .all(|c| c.is_ascii_digit() || c == '.' || c == '_')
            {
                return None;
            }
            Some(Role {
                class: Class::Versioned,
                version: dotted(version),
                direction: if prefix == "V" {
                    Direction::Forward
                } else {
                    Direction::Down
                },
            })
        }
        _ => None,
    }
}

/// `executeInTransaction=false` in the script's config file.
fn config_disables_transaction(cx: &FileCtx) -> bool {
    let mut conf = cx.path.as_os_str().to_owned();
    conf.push(".conf");
    let Some(text) = super::read_side_file(std::path::Path::new(&conf)) else {
        return false;
    };
    text.lines().any(|l| {
        l.split_once('=').is_some_and(|(k, v)| {
            k.trim().eq_ignore_ascii_case("executeInTransaction")
                && v.trim().eq_ignore_ascii_case("false")
        })
    })
}

/// The whole file.
pub(crate) fn parts(cx: &FileCtx) -> Vec<Part> {
    let txn = if config_disables_transaction(cx) {
        TxnMode::None
    } else {
        TxnMode::SingleUnlessAllNonTransactional
    };
    vec![Part::new(0..cx.text.len(), cx.direction, txn)]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(name: &str) -> (Class, crate::discover::order::Key) {
        let r = role(name).unwrap();
        (r.class, r.version)
    }

    #[test]
    fn names() {
        assert!(key("V1_1__initial.sql") < key("V1_2__x.sql"));
        assert!(key("V1.9__x.sql") < key("V1.10__x.sql"));
        assert!(key("V1.1__x.sql") < key("V2__x.sql"));
        assert!(key("V99__x.sql") < key("R__views.sql"));
        assert_eq!(role("U2__undo.sql").unwrap().direction, Direction::Down);
        assert!(role("V__x.sql").is_none());
        assert!(role("Vx__y.sql").is_none());
        assert!(role("V1_x.sql").is_none());
        assert!(role("R1__x.sql").is_none());
        assert!(role("schema.sql").is_none());
    }
}
