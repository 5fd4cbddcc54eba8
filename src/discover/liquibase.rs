//! Liquibase formatted SQL: a file starting with `--liquibase formatted sql`, cut into
//! changesets by `--changeset author:id [attribute:value ...]` lines. Each changeset runs in its
//! own transaction unless it says `runInTransaction:false`; `splitStatements:false` sends its
//! body as one statement; `dbms:` limits it to some databases. `--rollback <sql>` lines are the
//! changeset's rollback, never part of the forward migration.

use super::order::natural;
use super::{Class, Direction, FileCtx, Line, Part, Role, TxnMode, lines};
use crate::config::Dialect;

/// Every `.sql` file of a Liquibase folder, in natural name order (the order `includeAll` uses).
pub(crate) fn role(rel: &str) -> Option<Role> {
    Some(Role {
        class: Class::Versioned,
        version: natural(rel),
        direction: Direction::Forward,
    })
}

/// The rest of the line after `--` and optional blanks, when it starts (case-insensitively)
/// with `word`.
fn directive<'a>(line: &'a str, word: &str) -> Option<&'a str> {
    let rest = line
        .trim_start_matches([' ', '\t'])
        .strip_prefix("--")?
        .trim_start_matches([' ', '\t']);
    let head = rest.get(..word.len())?;
    head.eq_ignore_ascii_case(word).then(|| &rest[word.len()..])
}

/// Whether the file declares itself Liquibase formatted SQL.
pub(crate) fn has_markers(text: &str) -> bool {
    lines(text)
        .find(|l| !l.text.trim().is_empty())
        .and_then(|l| directive(l.text, "liquibase formatted"))
        .is_some()
}

struct Changeset {
    /// Where the body starts (the line after `--changeset`).
    body: usize,
    txn: TxnMode,
    split: bool,
    runs: bool,
    /// `--rollback` lines: (line start, where its SQL starts, line end incl. break).
    rollback: Vec<(usize, usize, usize)>,
}

fn attribute<'a>(attrs: &'a str, key: &str) -> Option<&'a str> {
    attrs.split_whitespace().find_map(|a| {
        let (k, v) = a.split_once(':')?;
        k.eq_ignore_ascii_case(key).then(|| v.trim_matches('"'))
    })
}

/// Whether a `dbms:` list lets the changeset run on the target dialect.
fn runs_on(dbms: Option<&str>, dialect: Dialect) -> bool {
    let Some(list) = dbms else {
        return true;
    };
    let ours: &[&str] = match dialect {
        Dialect::Postgres => &["postgresql"],
        Dialect::Mysql => &["mysql", "mariadb"],
    };
    let items: Vec<String> = list
        .split(',')
        .map(|s| s.trim().to_ascii_lowercase())
        .collect();
    if items.iter().any(|i| i == "none") {
        return false;
    }
    if items
        .iter()
        .any(|i| i.strip_prefix('!').is_some_and(|n| ours.contains(&n)))
    {
        return false;
    }
    let positive: Vec<&String> = items.iter().filter(|i| !i.starts_with('!')).collect();
    positive.is_empty()
        || positive
            .iter()
            .any(|i| *i == "all" || ours.contains(&i.as_str()))
}

fn changeset(l: &Line, attrs: &str, dialect: Dialect) -> Changeset {
    let off = |key: &str| attribute(attrs, key).is_some_and(|v| v.eq_ignore_ascii_case("false"));
    Changeset {
        body: l.next,
        txn: if off("runInTransaction") {
            TxnMode::None
        } else {
            TxnMode::Single
        },
        split: !off("splitStatements"),
        runs: runs_on(attribute(attrs, "dbms"), dialect),
        rollback: Vec::new(),
    }
}

/// One forward part per changeset that runs on the target database, and one down part per
/// changeset's `--rollback` lines. A file without the header is one plain change.
pub(crate) fn parts(cx: &FileCtx) -> Vec<Part> {
    let text = cx.text;
    if !has_markers(text) {
        // A plain SQL file included from a changelog (`<sqlFile>`): one change, one transaction.
        return vec![Part::new(0..text.len(), cx.direction, TxnMode::Single)];
    }
    let mut sets: Vec<(Changeset, usize)> = Vec::new();
    let mut cur: Option<Changeset> = None;
    for l in lines(text) {
        if let Some(rest) = directive(l.text, "changeset")
            && rest.starts_with(char::is_whitespace)
        {
            if let Some(c) = cur.take() {
                sets.push((c, l.start));
            }
            cur = Some(changeset(&l, rest, cx.settings.dialect));
            continue;
        }
        if let (Some(c), Some(rest)) = (cur.as_mut(), directive(l.text, "rollback"))
            && (rest.is_empty() || rest.starts_with(char::is_whitespace))
        {
            let sql = l.start + (l.text.len() - rest.trim_start_matches([' ', '\t']).len());
            c.rollback.push((l.start, sql, l.next));
        }
    }
    if let Some(c) = cur.take() {
        sets.push((c, text.len()));
    }
    let mut out = Vec::new();
    for (c, end) in sets {
        if !c.runs {
            continue;
        }
        let mut fwd = Part::new(c.body..end, Direction::Forward, c.txn);
        if !c.split {
            fwd.blocks.push(c.body..end);
        }
        out.push(fwd);
        let sql: String = c
            .rollback
            .iter()
            .map(|&(_, s, e)| text.get(s..e).unwrap_or(""))
            .collect();
        let trimmed = sql.trim().to_ascii_lowercase();
        if trimmed.is_empty() || trimmed == "empty" || trimmed.starts_with("not required") {
            continue;
        }
        let (Some(first), Some(last)) = (c.rollback.first(), c.rollback.last()) else {
            continue;
        };
        let mut down = Part::new(first.0..last.2, Direction::Down, c.txn);
        // Everything in the range but the SQL after each `--rollback` reads as blank (line
        // breaks stay, so lines keep their numbers).
        let mut at = first.0;
        for &(start, sql, end) in &c.rollback {
            if start > at {
                down.blank.push(at..start);
            }
            down.blank.push(start..sql);
            at = end;
        }
        out.push(down);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dbms_lists() {
        let pg = Dialect::Postgres;
        assert!(runs_on(None, pg));
        assert!(runs_on(Some("postgresql"), pg));
        assert!(runs_on(Some("h2,postgresql"), pg));
        assert!(runs_on(Some("all"), pg));
        assert!(runs_on(Some("!mysql"), pg));
        assert!(!runs_on(Some("mysql"), pg));
        assert!(!runs_on(Some("!postgresql"), pg));
        assert!(!runs_on(Some("none"), pg));
        assert!(runs_on(Some("mariadb"), Dialect::Mysql));
    }

    #[test]
    fn directives() {
        assert_eq!(
            directive("--liquibase formatted sql", "liquibase formatted"),
            Some(" sql")
        );
        assert_eq!(directive("-- changeset a:1", "changeset"), Some(" a:1"));
        assert_eq!(
            directive("--ROLLBACK drop table t;", "rollback"),
            Some(" drop table t;")
        );
        assert_eq!(directive("-- comment", "changeset"), None);
    }
}
