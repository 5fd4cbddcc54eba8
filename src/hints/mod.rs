//! `locklint hints`: table sizes from a live database's catalogs (or from the output of the
//! same catalog query run by someone who can reach production), written into `[tables]`.
//!
//! Reading never writes: a READ ONLY transaction with a short statement timeout, catalogs
//! only (PostgreSQL's `pg_class.reltuples`, never `count(*)`; MySQL's
//! `information_schema.TABLES`). The URL's password never appears in any output.

pub mod diff;
pub mod from;
pub mod live;
pub mod query;
pub mod write;

use std::fmt;

/// One relation's size as the database's catalogs estimate it.
#[derive(Debug, Clone, PartialEq)]
pub struct TableSize {
    /// Its schema (MySQL: its database).
    pub schema: String,
    /// Its name, as stored (case kept).
    pub name: String,
    /// `table`, `partitioned table` or `materialized view`.
    pub kind: String,
    /// Estimated rows (partitioned tables: the sum of their partitions).
    pub rows: u64,
    /// Bytes on disk, indexes and TOAST included (partitioned tables: the sum).
    pub bytes: u64,
    /// False when the table was never analyzed and `rows` is derived from its pages.
    pub analyzed: bool,
}

/// The database a URL or query is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DbKind {
    /// PostgreSQL.
    Postgres,
    /// MySQL or MariaDB.
    Mysql,
}

impl fmt::Display for DbKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            DbKind::Postgres => "PostgreSQL",
            DbKind::Mysql => "MySQL/MariaDB",
        })
    }
}

/// Why `hints` (or `calibrate`) could not do its work. Every message is already redacted.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum HintsError {
    /// The URL is not one locklint can use.
    #[error("{0}")]
    #[diagnostic(code(locklint::hints::url))]
    Url(String),
    /// Connecting or querying failed.
    #[error("{0}")]
    #[diagnostic(code(locklint::hints::database))]
    Database(String),
    /// A `--from` file could not be read or parsed.
    #[error("{0}")]
    #[diagnostic(code(locklint::hints::input))]
    Input(String),
    /// The config file could not be read, parsed or written.
    #[error("{0}")]
    #[diagnostic(code(locklint::hints::config))]
    Config(String),
}

/// A database URL with what is needed to keep its password out of every message.
#[derive(Clone)]
pub struct DbUrl {
    /// The database it is for.
    pub kind: DbKind,
    /// As given.
    url: String,
    /// The password in it, as written and percent-decoded (possibly the same).
    secrets: Vec<String>,
}

impl fmt::Debug for DbUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DbUrl({})", self.redacted())
    }
}

impl DbUrl {
    /// `postgres://…`, `postgresql://…`, a libpq `key=value` string, or `mysql://…` /
    /// `mariadb://…`.
    pub fn parse(url: &str) -> Result<DbUrl, HintsError> {
        let url = url.trim().to_string();
        let lower = url.to_ascii_lowercase();
        let kind = if lower.starts_with("postgres://") || lower.starts_with("postgresql://") {
            DbKind::Postgres
        } else if lower.starts_with("mysql://") || lower.starts_with("mariadb://") {
            DbKind::Mysql
        } else if !lower.contains("://") && lower.contains('=') {
            DbKind::Postgres
        } else {
            let shown = DbUrl {
                kind: DbKind::Postgres,
                secrets: secrets_of(&url),
                url: url.clone(),
            }
            .redacted();
            return Err(HintsError::Url(format!(
                "unsupported database URL `{shown}`: expected postgres://, postgresql://, \
                 mysql:// or mariadb://, or a key=value PostgreSQL connection string"
            )));
        };
        Ok(DbUrl {
            kind,
            secrets: secrets_of(&url),
            url,
        })
    }

    /// The URL as the driver takes it (never print this).
    pub fn secret_url(&self) -> &str {
        &self.url
    }

    /// The URL with its password replaced by `***`.
    pub fn redacted(&self) -> String {
        self.redact(&self.url)
    }

    /// Any text (an error from a driver) with the URL's password replaced by `***`.
    pub fn redact(&self, text: &str) -> String {
        let mut out = text.to_string();
        for s in &self.secrets {
            out = out.replace(s.as_str(), "***");
        }
        out
    }
}

/// The password of a URL (`user:PASSWORD@`, `?password=`) or of a key=value string
/// (`password=…`), as written and percent-decoded.
fn secrets_of(url: &str) -> Vec<String> {
    let mut found = Vec::new();
    if let Some((_, rest)) = url.split_once("://") {
        let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
        let authority = &rest[..authority_end];
        if let Some(at) = authority.rfind('@')
            && let Some((_, pw)) = authority[..at].split_once(':')
        {
            found.push(pw.to_string());
        }
        if let Some((_, query)) = rest.split_once('?') {
            for pair in query.split('&') {
                if let Some((k, v)) = pair.split_once('=')
                    && (k.eq_ignore_ascii_case("password") || k.eq_ignore_ascii_case("pass"))
                {
                    found.push(v.to_string());
                }
            }
        }
    } else {
        // key=value pairs; a value may be single-quoted.
        let mut rest = url;
        while let Some(i) = rest.to_ascii_lowercase().find("password") {
            let after = rest[i + "password".len()..].trim_start();
            let Some(after) = after.strip_prefix('=') else {
                rest = &rest[i + "password".len()..];
                continue;
            };
            let after = after.trim_start();
            let value = if let Some(q) = after.strip_prefix('\'') {
                q.split('\'').next().unwrap_or("")
            } else {
                after.split_whitespace().next().unwrap_or("")
            };
            found.push(value.to_string());
            rest = after;
        }
    }
    let decoded: Vec<String> = found.iter().map(|s| percent_decode(s)).collect();
    found.extend(decoded);
    found.retain(|s| !s.is_empty());
    found.sort_by_key(|s| std::cmp::Reverse(s.len()));
    found.dedup();
    found
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(hex) = s.get(i + 1..i + 3)
            && let Ok(b) = u8::from_str_radix(hex, 16)
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Keep the relations of `schemas` (all when empty). `--min-rows` is applied when writing
/// (existing hints are kept current whatever their size).
pub fn in_schemas(sizes: Vec<TableSize>, schemas: &[String]) -> Vec<TableSize> {
    if schemas.is_empty() {
        return sizes;
    }
    sizes
        .into_iter()
        .filter(|t| schemas.iter().any(|s| s == &t.schema))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_redacted_in_every_url_form() {
        let u = DbUrl::parse("postgres://app:s%40cret@db.internal:5432/prod").expect("url");
        assert_eq!(u.kind, DbKind::Postgres);
        assert_eq!(u.redacted(), "postgres://app:***@db.internal:5432/prod");
        assert_eq!(u.redact("auth failed for s@cret"), "auth failed for ***");
        let u = DbUrl::parse("host=db user=app password='p w' dbname=x").expect("url");
        assert_eq!(u.redacted(), "host=db user=app password='***' dbname=x");
        let u = DbUrl::parse("host=db password=hunter2").expect("url");
        assert!(!u.redacted().contains("hunter2"));
        let u = DbUrl::parse("mysql://root:topsecret@127.0.0.1/test?password=other").expect("url");
        assert_eq!(u.kind, DbKind::Mysql);
        let r = u.redacted();
        assert!(!r.contains("topsecret") && !r.contains("other"), "{r}");
        assert!(!format!("{u:?}").contains("topsecret"));
        let e = DbUrl::parse("oracle://u:pw123@x").expect_err("unsupported");
        assert!(!e.to_string().contains("pw123"), "{e}");
    }
}

/// An error with its causes (a driver's `Display` often hides the server's message).
pub fn with_causes(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let more = s.to_string();
        if !text.contains(&more) {
            text.push_str(": ");
            text.push_str(&more);
        }
        source = s.source();
    }
    text
}

/// Where the sizes come from.
#[derive(Debug)]
pub enum Source {
    /// A live server.
    Live(DbUrl),
    /// A saved output of the catalog query.
    File(std::path::PathBuf),
}

/// One `hints` run that writes (or shows) `[tables]`.
#[derive(Debug)]
pub struct Request {
    /// Where the sizes come from.
    pub source: Source,
    /// The config to update (created when missing).
    pub config: std::path::PathBuf,
    /// Print the diff instead of writing.
    pub dry_run: bool,
    /// Schemas, `--min-rows`, `--prune`.
    pub options: write::Options,
}

/// What a run printed: the result on stdout, notes on stderr.
#[derive(Debug, Default)]
pub struct Printed {
    /// The diff (`--dry-run`) or a summary of what was written.
    pub stdout: String,
    /// Notes (tables never analyzed, stale hints kept).
    pub stderr: String,
}

/// Read the sizes, update the config's `[tables]` (or show the diff).
pub fn run(req: &Request) -> Result<Printed, HintsError> {
    let (sizes, from) = match &req.source {
        Source::Live(url) => (live::read_sizes(url)?, url.redacted()),
        Source::File(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| HintsError::Input(format!("cannot read {}: {e}", path.display())))?;
            (
                from::parse(&text, &path.display().to_string())?,
                path.display().to_string(),
            )
        }
    };
    let sizes = in_schemas(sizes, &req.options.schemas);
    let old = match std::fs::read_to_string(&req.config) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => {
            return Err(HintsError::Config(format!(
                "cannot read {}: {e}",
                req.config.display()
            )));
        }
    };
    let outcome = write::apply(&old, &sizes, &req.options)?;
    let mut printed = Printed::default();
    for s in sizes.iter().filter(|s| !s.analyzed) {
        printed.stderr.push_str(&format!(
            "note: {}.{} was never analyzed: its rows are estimated from its pages (run ANALYZE for a better figure)\n",
            s.schema, s.name
        ));
    }
    if !outcome.stale.is_empty() {
        printed.stderr.push_str(&format!(
            "note: not in the database, kept (use --prune to remove): {}\n",
            outcome.stale.join(", ")
        ));
    }
    let name = req.config.display().to_string();
    let summary = format!(
        "{} tables read from {from}: {} hints added, {} updated, {} unchanged, {} removed",
        sizes.len(),
        outcome.added.len(),
        outcome.updated.len(),
        outcome.unchanged,
        outcome.removed.len(),
    );
    if req.dry_run {
        printed.stdout = diff::unified(&old, &outcome.text, &name, &format!("{name} (hints)"));
        printed
            .stderr
            .push_str(&format!("{summary} (dry run: nothing written)\n"));
    } else {
        if outcome.text != old {
            std::fs::write(&req.config, &outcome.text)
                .map_err(|e| HintsError::Config(format!("cannot write {name}: {e}")))?;
        }
        printed.stdout = format!("{summary}; wrote {name}\n");
    }
    Ok(printed)
}

/// `locklint hints` from its command-line arguments.
pub fn command(args: crate::cli::HintsArgs) -> Result<Printed, HintsError> {
    if let Some(d) = args.print_query {
        let kind = match d {
            crate::cli::QueryDialect::Postgres => DbKind::Postgres,
            crate::cli::QueryDialect::Mysql => DbKind::Mysql,
        };
        return Ok(Printed {
            stdout: query::printed(kind),
            stderr: String::new(),
        });
    }
    let source = match (args.database_url, args.from) {
        (Some(url), _) => Source::Live(DbUrl::parse(&url)?),
        (None, Some(path)) => Source::File(path),
        (None, None) => {
            return Err(HintsError::Url(
                "one of --database-url, --from or --print-query is required".into(),
            ));
        }
    };
    let config = args
        .config
        .or_else(|| crate::config::find(std::path::Path::new(".")))
        .unwrap_or_else(|| crate::config::CONFIG_FILE_NAME.into());
    run(&Request {
        source,
        config,
        dry_run: args.dry_run,
        options: write::Options {
            min_rows: args.min_rows,
            prune: args.prune,
            schemas: args.schemas,
        },
    })
}
