//! popx (Ory's migration tool, after gobuffalo/pop) file names, as found in folders of any
//! tool: `<version>_<name>[.<db>][.autocommit].<up|down>.sql`. A file naming a database runs on
//! that database only and replaces the version's file for every database; an `.autocommit.`
//! file runs outside a transaction.

use super::Direction;
use super::order::Key;
use crate::config::Dialect;

/// Database names that popx puts in a file name, for a migration that runs on that database
/// only.
const DATABASES: &[&str] = &[
    "postgres",
    "cockroach",
    "mysql",
    "sqlite",
    "sqlite3",
    "mssql",
    "sqlserver",
];

/// The popx database names of a dialect.
fn dialect_names(dialect: Dialect) -> &'static [&'static str] {
    match dialect {
        Dialect::Postgres => &["postgres"],
        Dialect::Mysql => &["mysql"],
    }
}

/// The database a popx-style file name is for (`x.mysql.up.sql` → `mysql`); `None` for a
/// migration for every database.
fn db_infix(rel: &str) -> Option<&str> {
    let lower = rel.to_ascii_lowercase();
    let stem_len = [".up.sql", ".down.sql"]
        .iter()
        .find(|s| lower.ends_with(*s))
        .map(|s| rel.len() - s.len())?;
    let stem = &rel[..stem_len];
    let stem = match stem.len().checked_sub(".autocommit".len()) {
        Some(cut)
            if stem
                .get(cut..)
                .is_some_and(|s| s.eq_ignore_ascii_case(".autocommit")) =>
        {
            &stem[..cut]
        }
        _ => stem,
    };
    let (_, db) = stem.rsplit_once('.')?;
    DATABASES
        .iter()
        .find(|d| d.eq_ignore_ascii_case(db))
        .copied()
}

/// Whether the file is popx's `<version>_<name>[.<db>].autocommit.<up|down>.sql`, which popx
/// runs outside a transaction.
pub(crate) fn is_autocommit(name: &str) -> bool {
    let file = name.rsplit(['/', '\\']).next().unwrap_or(name);
    file.to_ascii_lowercase().contains(".autocommit.")
}

/// A versioned file of a folder, as [`skipped`] weighs it.
pub(crate) struct Named<'a> {
    /// Its version.
    pub version: &'a Key,
    /// Its direction.
    pub direction: Direction,
    /// Its name in the folder.
    pub rel: &'a str,
    /// Its index in the run.
    pub index: usize,
}

/// The indexes of the files that do not run on `dialect`: those naming another database, and
/// those for every database whose version and direction have a file naming this one.
pub(crate) fn skipped<'a>(
    files: impl Iterator<Item = Named<'a>> + Clone,
    dialect: Dialect,
) -> Vec<usize> {
    let own = |db: &str| dialect_names(dialect).contains(&db);
    let replaced: Vec<(&Key, Direction)> = files
        .clone()
        .filter(|f| db_infix(f.rel).is_some_and(own))
        .map(|f| (f.version, f.direction))
        .collect();
    files
        .filter(|f| match db_infix(f.rel) {
            Some(db) => !own(db),
            None => replaced.contains(&(f.version, f.direction)),
        })
        .map(|f| f.index)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_infixes() {
        assert_eq!(db_infix("1_a.mysql.up.sql"), Some("mysql"));
        assert_eq!(
            db_infix("1_a.postgres.autocommit.down.sql"),
            Some("postgres")
        );
        assert_eq!(db_infix("1_a.autocommit.up.sql"), None);
        assert_eq!(db_infix("1_a.up.sql"), None);
        assert_eq!(db_infix("1_a.mysql.sql"), None);
        assert!(is_autocommit("x/1_a.AUTOCOMMIT.up.sql"));
        assert!(!is_autocommit("x.autocommit/1_a.up.sql"));
    }
}
