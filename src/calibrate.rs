//! `locklint calibrate`: measure the `[estimate]` throughput constants on a PostgreSQL server
//! by doing each kind of work on a scratch table (~1M rows) in a schema of its own, dropped
//! afterwards whatever happens.

use crate::config::Estimate;
use crate::hints::live::postgres_client;
use crate::hints::{DbKind, DbUrl, HintsError, Printed};
use std::time::Instant;

/// One measured kind of work.
#[derive(Debug, Clone, PartialEq)]
pub struct Measured {
    /// What was run.
    pub work: &'static str,
    /// Wall-clock seconds.
    pub seconds: f64,
}

/// The outcome of a calibration.
#[derive(Debug, Clone)]
pub struct Calibration {
    /// Rows in the scratch table.
    pub rows: u64,
    /// Its `pg_total_relation_size` before the measurements.
    pub bytes: u64,
    /// Each measurement, in the order run.
    pub measured: Vec<Measured>,
    /// The constants they give.
    pub estimate: Estimate,
}

fn db(url: &DbUrl, what: &str, e: &dyn std::error::Error) -> HintsError {
    HintsError::Database(url.redact(&format!("{what}: {}", crate::hints::with_causes(e))))
}

/// Measure on the server at `url` with a scratch table of `rows` rows.
pub fn measure(url: &DbUrl, rows: u64) -> Result<Calibration, HintsError> {
    if url.kind != DbKind::Postgres {
        return Err(HintsError::Url(
            "calibrate measures PostgreSQL (the [estimate] model is PostgreSQL's); give a \
             postgres:// URL"
                .into(),
        ));
    }
    let rows = rows.max(1_000);
    let mut client = postgres_client(url)?;
    let schema = format!("locklint_calibrate_{}", std::process::id());
    client
        .batch_execute(&format!(
            "SET statement_timeout = 0; SET lock_timeout = '5s'; CREATE SCHEMA {schema}"
        ))
        .map_err(|e| db(url, "could not create the scratch schema", &e))?;
    let result = run_measurements(&mut client, url, &schema, rows);
    // Dropped whatever happened above.
    let dropped = client.batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"));
    let calibration = result?;
    dropped.map_err(|e| {
        db(
            url,
            &format!("measured, but could not drop the scratch schema {schema}"),
            &e,
        )
    })?;
    Ok(calibration)
}

fn run_measurements(
    client: &mut postgres::Client,
    url: &DbUrl,
    schema: &str,
    rows: u64,
) -> Result<Calibration, HintsError> {
    let t = format!("{schema}.scratch");
    let p = format!("{schema}.parent");
    let setup = format!(
        "CREATE TABLE {p} (id int PRIMARY KEY);
         INSERT INTO {p} SELECT g FROM generate_series(0, 999) g;
         CREATE TABLE {t} (id bigint PRIMARY KEY, a int NOT NULL, p int NOT NULL, b text, c timestamptz);
         INSERT INTO {t} SELECT g, (g::bigint * 7919 % 1000003)::int, g % 1000, md5(g::text), now() FROM generate_series(1, {rows}) g"
    );
    client
        .batch_execute(&setup)
        .and_then(|_| client.batch_execute(&format!("VACUUM ANALYZE {t}")))
        .map_err(|e| db(url, "could not create the scratch table", &e))?;
    let bytes: i64 = client
        .query_one(
            &format!("SELECT pg_total_relation_size('{t}'::regclass)"),
            &[],
        )
        .and_then(|r| r.try_get(0))
        .map_err(|e| db(url, "could not read the scratch table's size", &e))?;
    let bytes = u64::try_from(bytes).unwrap_or(0).max(1);

    let mut measured = Vec::new();
    let mut time = |client: &mut postgres::Client,
                    work: &'static str,
                    sql: String,
                    after: String|
     -> Result<f64, HintsError> {
        let start = Instant::now();
        client
            .batch_execute(&sql)
            .map_err(|e| db(url, &format!("measuring {work} failed"), &e))?;
        let seconds = start.elapsed().as_secs_f64().max(1e-3);
        if !after.is_empty() {
            client
                .batch_execute(&after)
                .map_err(|e| db(url, &format!("cleaning up after {work} failed"), &e))?;
        }
        measured.push(Measured { work, seconds });
        Ok(seconds)
    };
    // A scan under a lock (SET NOT NULL on a column without a proving constraint).
    let scan = time(
        client,
        "scan (SET NOT NULL)",
        format!("ALTER TABLE {t} ALTER COLUMN b SET NOT NULL"),
        format!("ALTER TABLE {t} ALTER COLUMN b DROP NOT NULL"),
    )?;
    // FOREIGN KEY and CHECK validation: the slower of the two.
    let fk = time(
        client,
        "validate (FOREIGN KEY)",
        format!(
            "ALTER TABLE {t} ADD CONSTRAINT scratch_fk FOREIGN KEY (p) REFERENCES {p} (id) NOT VALID;
             ALTER TABLE {t} VALIDATE CONSTRAINT scratch_fk"
        ),
        format!("ALTER TABLE {t} DROP CONSTRAINT scratch_fk"),
    )?;
    let check = time(
        client,
        "validate (CHECK)",
        format!(
            "ALTER TABLE {t} ADD CONSTRAINT scratch_ck CHECK (a >= 0) NOT VALID;
             ALTER TABLE {t} VALIDATE CONSTRAINT scratch_ck"
        ),
        format!("ALTER TABLE {t} DROP CONSTRAINT scratch_ck"),
    )?;
    let index = time(
        client,
        "index build (CREATE INDEX on text)",
        format!("CREATE INDEX scratch_b ON {t} (b)"),
        format!("DROP INDEX {schema}.scratch_b"),
    )?;
    let rewrite = time(
        client,
        "rewrite (ALTER COLUMN TYPE)",
        format!("ALTER TABLE {t} ALTER COLUMN a TYPE bigint"),
        String::new(),
    )?;
    let update = time(
        client,
        "row updates (UPDATE every row)",
        format!("UPDATE {t} SET c = c + interval '1 second'"),
        String::new(),
    )?;

    let mb = bytes as f64 / 1e6;
    let r = rows as f64;
    let scan_mb_per_s = mb / scan;
    // An index build reads the heap (at the scan rate) and sorts: the rest is the sort.
    let sort = (index - mb / scan_mb_per_s).max(index * 0.2);
    let estimate = Estimate {
        row_bytes: round3(bytes as f64 / r),
        scan_mb_per_s: round3(scan_mb_per_s),
        rewrite_mb_per_s: round3(mb / rewrite),
        index_rows_per_s: round3(r / sort),
        index_mb_per_s: round3(scan_mb_per_s),
        validate_rows_per_s: round3(r / fk.max(check)),
        update_rows_per_s: round3(r / update),
    };
    Ok(Calibration {
        rows,
        bytes,
        measured,
        estimate,
    })
}

/// Three significant digits: measurements are not more precise than that.
fn round3(v: f64) -> f64 {
    if v <= 0.0 || !v.is_finite() {
        return v;
    }
    // Through the decimal text, so the result prints as written (75.6, not 75.60000000000001).
    format!("{v:.2e}").parse().unwrap_or(v)
}

/// The `[estimate]` section as TOML.
pub fn section(e: &Estimate) -> String {
    let mut s = String::from("[estimate]\n");
    for (k, v) in e.entries() {
        s.push_str(&format!("{k} = {}\n", number(v)));
    }
    s
}

fn number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

/// Replace (or add) the `[estimate]` section of a config text, keeping the rest.
pub fn write_section(old: &str, e: &Estimate) -> Result<String, HintsError> {
    let mut doc: toml_edit::DocumentMut = old
        .parse()
        .map_err(|err| HintsError::Config(format!("the config is not valid TOML: {err}")))?;
    let mut table = toml_edit::Table::new();
    for (k, v) in e.entries() {
        let value = if v.fract() == 0.0 && v.abs() < 1e15 {
            toml_edit::value(v as i64)
        } else {
            toml_edit::value(v)
        };
        table.insert(k, value);
    }
    match doc.get_mut("estimate").and_then(|i| i.as_table_mut()) {
        Some(existing) => {
            for (k, v) in table.iter() {
                existing.insert(k, v.clone());
            }
        }
        None => {
            doc.insert("estimate", toml_edit::Item::Table(table));
        }
    }
    Ok(doc.to_string())
}

/// `locklint calibrate` from its command-line arguments.
pub fn command(args: crate::cli::CalibrateArgs) -> Result<Printed, HintsError> {
    let url = DbUrl::parse(&args.database_url)?;
    if !args.yes {
        return Err(HintsError::Url(format!(
            "calibrate creates a schema on {} with a scratch table of {} rows, builds an \
             index, rewrites and updates it, then drops the schema: not for a production \
             server. Add --yes to go ahead.",
            url.redacted(),
            args.rows
        )));
    }
    let c = measure(&url, args.rows)?;
    let mut stderr = format!(
        "scratch table: {} rows, {} (dropped)\n",
        c.rows,
        crate::analyze::size::format_bytes(c.bytes)
    );
    for m in &c.measured {
        stderr.push_str(&format!("  {:<36} {:>8.2} s\n", m.work, m.seconds));
    }
    let stdout = match &args.write {
        Some(path) => {
            let old = match std::fs::read_to_string(path) {
                Ok(t) => t,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
                Err(e) => {
                    return Err(HintsError::Config(format!(
                        "cannot read {}: {e}",
                        path.display()
                    )));
                }
            };
            let new = write_section(&old, &c.estimate)?;
            std::fs::write(path, new)
                .map_err(|e| HintsError::Config(format!("cannot write {}: {e}", path.display())))?;
            format!("wrote [estimate] to {}\n", path.display())
        }
        None => section(&c.estimate),
    };
    Ok(Printed { stdout, stderr })
}

#[cfg(test)]
mod tests {
    use super::{round3, section, write_section};
    use crate::config::Estimate;

    #[test]
    fn the_section_is_a_config_locklint_reads_back() {
        let e = Estimate {
            row_bytes: 151.0,
            scan_mb_per_s: 412.0,
            rewrite_mb_per_s: 61.5,
            index_rows_per_s: 1_230_000.0,
            index_mb_per_s: 412.0,
            validate_rows_per_s: 2_340_000.0,
            update_rows_per_s: 301_000.0,
        };
        let s = crate::rules::testing::settings(&section(&e));
        assert_eq!(s.estimate, e);
        let old = "# mine\n[estimate]\nscan_mb_per_s = 1 # old\n\n[rules]\n";
        let new = write_section(old, &e).expect("write");
        assert!(new.starts_with("# mine\n[estimate]\n"), "{new}");
        assert!(new.contains("[rules]"), "{new}");
        assert_eq!(crate::rules::testing::settings(&new).estimate, e);
        assert_eq!(round3(123_456.0), 123_000.0);
        assert_eq!(round3(0.012_345), 0.0123);
    }
}
