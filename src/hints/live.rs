//! Reading sizes from a live server: a READ ONLY transaction, a short statement timeout, the
//! catalog query of [`super::query`], nothing else.

use super::{DbKind, DbUrl, HintsError, TableSize, query};
use std::time::Duration;

/// How long connecting may take.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// How long the catalog query may run.
pub const STATEMENT_TIMEOUT_MS: u64 = 15_000;

/// Every relation's size, read from the server at `url`.
pub fn read_sizes(url: &DbUrl) -> Result<Vec<TableSize>, HintsError> {
    match url.kind {
        DbKind::Postgres => postgres_sizes(url),
        DbKind::Mysql => mysql_sizes(url),
    }
}

fn db_error(url: &DbUrl, what: &str, e: &dyn std::error::Error) -> HintsError {
    HintsError::Database(url.redact(&format!(
        "{what} ({}): {}",
        url.redacted(),
        super::with_causes(e)
    )))
}

/// A PostgreSQL client (no TLS) with a connect timeout.
pub fn postgres_client(url: &DbUrl) -> Result<postgres::Client, HintsError> {
    let mut config: postgres::Config = url
        .secret_url()
        .parse()
        .map_err(|e| db_error(url, "invalid PostgreSQL connection string", &e))?;
    if config.get_connect_timeout().is_none() {
        config.connect_timeout(CONNECT_TIMEOUT);
    }
    config.application_name("locklint");
    config
        .connect(postgres::NoTls)
        .map_err(|e| db_error(url, "could not connect to PostgreSQL", &e))
}

fn postgres_sizes(url: &DbUrl) -> Result<Vec<TableSize>, HintsError> {
    let mut client = postgres_client(url)?;
    let mut tx = client
        .build_transaction()
        .read_only(true)
        .start()
        .map_err(|e| db_error(url, "could not start a read-only transaction", &e))?;
    tx.batch_execute(&format!(
        "SET LOCAL statement_timeout = {STATEMENT_TIMEOUT_MS}; SET LOCAL lock_timeout = 1000"
    ))
    .map_err(|e| db_error(url, "could not set the statement timeout", &e))?;
    let rows = tx
        .query(query::POSTGRES, &[])
        .map_err(|e| db_error(url, "the catalog query failed", &e))?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let get = |e: postgres::Error| db_error(url, "unexpected catalog query result", &e);
        let rows: i64 = r.try_get("rows").map_err(get)?;
        let bytes: i64 = r.try_get("bytes").map_err(get)?;
        out.push(TableSize {
            schema: r.try_get("schema").map_err(get)?,
            name: r.try_get("table").map_err(get)?,
            kind: r.try_get("kind").map_err(get)?,
            rows: u64::try_from(rows).unwrap_or(0),
            bytes: u64::try_from(bytes).unwrap_or(0),
            analyzed: r.try_get("analyzed").map_err(get)?,
        });
    }
    // Read-only: nothing to keep.
    tx.rollback()
        .map_err(|e| db_error(url, "could not end the transaction", &e))?;
    Ok(out)
}

/// A MySQL/MariaDB connection (no TLS) with connect and read timeouts.
pub fn mysql_conn(url: &DbUrl) -> Result<mysql::Conn, HintsError> {
    let secret = url.secret_url();
    let secret = match secret.get(..10) {
        Some(p) if p.eq_ignore_ascii_case("mariadb://") => format!("mysql://{}", &secret[10..]),
        _ => secret.to_string(),
    };
    let opts =
        mysql::Opts::from_url(&secret).map_err(|e| db_error(url, "invalid MySQL URL", &e))?;
    let opts = mysql::OptsBuilder::from_opts(opts)
        .tcp_connect_timeout(Some(CONNECT_TIMEOUT))
        .read_timeout(Some(Duration::from_millis(STATEMENT_TIMEOUT_MS + 5_000)))
        .prefer_socket(false);
    mysql::Conn::new(opts).map_err(|e| db_error(url, "could not connect to MySQL/MariaDB", &e))
}

fn mysql_sizes(url: &DbUrl) -> Result<Vec<TableSize>, HintsError> {
    use mysql::prelude::Queryable;
    let mut conn = mysql_conn(url)?;
    // MariaDB and MySQL name the statement timeout differently, and only MySQL 8 caches
    // information_schema statistics: each may fail on the other server.
    let secs = STATEMENT_TIMEOUT_MS / 1000;
    let _ = conn.query_drop(format!("SET SESSION max_statement_time = {secs}"));
    let _ = conn.query_drop(format!(
        "SET SESSION max_execution_time = {STATEMENT_TIMEOUT_MS}"
    ));
    let _ = conn.query_drop("SET SESSION information_schema_stats_expiry = 0");
    conn.query_drop("START TRANSACTION READ ONLY")
        .map_err(|e| db_error(url, "could not start a read-only transaction", &e))?;
    let rows: Vec<(String, String, String, u64, u64, String)> = conn
        .query(query::MYSQL)
        .map_err(|e| db_error(url, "the catalog query failed", &e))?;
    let _ = conn.query_drop("ROLLBACK");
    Ok(rows
        .into_iter()
        .map(|(schema, name, kind, rows, bytes, analyzed)| TableSize {
            schema,
            name,
            kind,
            rows,
            bytes,
            analyzed: analyzed == "true",
        })
        .collect())
}
