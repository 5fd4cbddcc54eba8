//! `locklint hints` and `locklint calibrate` against real servers: PostgreSQL from
//! `LOCKLINT_TEST_DATABASE_URL` (a key=value string), MariaDB/MySQL from
//! `LOCKLINT_TEST_MYSQL_URL`. Skipped with a printed reason when a server is not reachable;
//! `LOCKLINT_REQUIRE_DB=1` (`.ci/run`) turns a skip into a failure.

mod common;

use common::{locklint, skip_unless_required};
use locklint::config::Settings;
use locklint::hints::{DbUrl, TableSize};
use locklint::model::WorkKind;
use std::path::Path;
use std::time::Instant;

const SECRET: &str = "Sekr1t_pw_4711";

fn pg_or_skip(test: &str) -> Option<(String, postgres::Client)> {
    let url = match std::env::var("LOCKLINT_TEST_DATABASE_URL") {
        Ok(u) if !u.trim().is_empty() => u,
        _ => {
            skip_unless_required(
                "LOCKLINT_REQUIRE_DB",
                test,
                "LOCKLINT_TEST_DATABASE_URL is not set",
            );
            return None;
        }
    };
    match postgres::Client::connect(&url, postgres::NoTls) {
        Ok(c) => Some((url, c)),
        Err(e) => {
            skip_unless_required(
                "LOCKLINT_REQUIRE_DB",
                test,
                &format!("cannot connect to {url}: {e:?}"),
            );
            None
        }
    }
}

fn mysql_or_skip(test: &str) -> Option<(String, mysql::Conn)> {
    let url = match std::env::var("LOCKLINT_TEST_MYSQL_URL") {
        Ok(u) if !u.trim().is_empty() => u,
        _ => {
            skip_unless_required(
                "LOCKLINT_REQUIRE_DB",
                test,
                "LOCKLINT_TEST_MYSQL_URL is not set",
            );
            return None;
        }
    };
    let conn = mysql::Opts::from_url(&url)
        .map_err(|e| e.to_string())
        .and_then(|o| mysql::Conn::new(o).map_err(|e| e.to_string()));
    match conn {
        Ok(c) => Some((url, c)),
        Err(e) => {
            skip_unless_required(
                "LOCKLINT_REQUIRE_DB",
                test,
                &format!("cannot connect to {url}: {e}"),
            );
            None
        }
    }
}

const CONFIG: &str = "# sizes for the test\npostgres_version = 15\n\n[tables]\n# refreshed by locklint hints\nbig = { rows = 1 } # keep this comment\n\"audit_*\" = { rows = 5 }\ngone_table = { rows = 3 }\n\n[rules]\nmissing-lock-timeout = \"off\" # and this one\n";

fn rows_of(config: &str, table: &str) -> (Option<u64>, Option<u64>) {
    let s = locklint::config::parse_str(config, Path::new("t.toml"), &locklint::rules::names())
        .expect("the written config parses");
    let h = s.tables.lookup(None, table).expect("a hint");
    (h.rows, h.bytes)
}

fn near(got: u64, want: u64) -> bool {
    let (g, w) = (got as f64, want as f64);
    (g - w).abs() <= w * 0.1
}

#[test]
fn postgres_hints_write_the_catalog_sizes_and_the_printed_query_round_trips() {
    let Some((url, mut c)) = pg_or_skip("postgres hints") else {
        return;
    };
    let schema = format!("ll_hints_{}", std::process::id());
    c.batch_execute(&format!(
        "DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema};
         CREATE TABLE {schema}.big (id bigint PRIMARY KEY, note text);
         INSERT INTO {schema}.big SELECT g, md5(g::text) FROM generate_series(1, 150000) g;
         CREATE TABLE {schema}.small (id int);
         INSERT INTO {schema}.small SELECT generate_series(1, 1000);
         CREATE TABLE {schema}.never (id int, v text);
         INSERT INTO {schema}.never SELECT g, 'x' FROM generate_series(1, 20000) g;
         CREATE TABLE {schema}.ev (id int, at date) PARTITION BY RANGE (at);
         CREATE TABLE {schema}.ev_a PARTITION OF {schema}.ev FOR VALUES FROM ('2020-01-01') TO ('2021-01-01');
         CREATE TABLE {schema}.ev_b PARTITION OF {schema}.ev FOR VALUES FROM ('2021-01-01') TO ('2022-01-01');
         INSERT INTO {schema}.ev SELECT g, date '2020-01-01' + (g % 700) FROM generate_series(1, 40000) g;
         CREATE MATERIALIZED VIEW {schema}.mv AS SELECT id FROM {schema}.small;
         ANALYZE {schema}.big; ANALYZE {schema}.small; ANALYZE {schema}.ev_a; ANALYZE {schema}.ev_b;
         ANALYZE {schema}.mv;"
    ))
    .expect("fixture");
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("locklint.toml"), CONFIG).expect("config");

    // A password in the URL (ignored by a trust server) appears in no output.
    let with_password = format!("{url} password={SECRET}");
    let dry = locklint(
        dir.path(),
        &[
            "hints",
            "--database-url",
            &with_password,
            "--schema",
            &schema,
            "--dry-run",
        ],
    );
    assert_eq!(dry.code, 0, "{}", dry.stderr);
    assert!(
        dry.stdout
            .starts_with("--- locklint.toml\n+++ locklint.toml (hints)\n")
    );
    assert!(
        dry.stdout
            .contains("-big = { rows = 1 } # keep this comment"),
        "{}",
        dry.stdout
    );
    assert!(
        dry.stderr
            .contains(&format!("{schema}.never was never analyzed"))
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("locklint.toml")).expect("read"),
        CONFIG,
        "--dry-run writes nothing"
    );
    let run = locklint(
        dir.path(),
        &[
            "hints",
            "--database-url",
            &with_password,
            "--schema",
            &schema,
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    for text in [&dry.stdout, &dry.stderr, &run.stdout, &run.stderr] {
        assert!(!text.contains(SECRET), "password printed: {text}");
    }
    assert!(
        run.stderr
            .contains("kept (use --prune to remove): gone_table"),
        "{}",
        run.stderr
    );
    let live = std::fs::read_to_string(dir.path().join("locklint.toml")).expect("read");
    assert!(
        live.contains("# refreshed by locklint hints\nbig = {"),
        "{live}"
    );
    assert!(live.contains("} # keep this comment\n"), "{live}");
    assert!(
        live.contains("missing-lock-timeout = \"off\" # and this one"),
        "{live}"
    );
    assert!(live.contains("\"audit_*\" = { rows = 5 }"), "{live}");
    let (rows, bytes) = rows_of(&live, "big");
    assert!(near(rows.expect("rows"), 150_000), "{live}");
    assert!(bytes.expect("bytes") > 5_000_000, "{live}");
    assert_eq!(rows_of(&live, "small").0, Some(1000));
    assert!(
        near(rows_of(&live, "ev").0.expect("rows"), 40_000),
        "{live}"
    );
    assert_eq!(rows_of(&live, "mv").0, Some(1000));
    // Never analyzed: pages × tuples per page, the right order of magnitude.
    let never = rows_of(&live, "never").0.expect("rows");
    assert!((10_000..=40_000).contains(&never), "{never}");

    // The printed query, run by "the DBA" (COPY … TO STDOUT CSV HEADER, as the README says),
    // then --from: the same [tables].
    let printed = locklint(dir.path(), &["hints", "--print-query", "postgres"]);
    assert_eq!(printed.code, 0);
    let mut csv = Vec::new();
    {
        use std::io::Read;
        let copy = format!(
            "COPY ({}) TO STDOUT WITH CSV HEADER",
            printed.stdout.trim_end()
        );
        c.copy_out(copy.as_str())
            .expect("copy")
            .read_to_end(&mut csv)
            .expect("read copy");
    }
    std::fs::write(dir.path().join("sizes.csv"), &csv).expect("csv");
    std::fs::write(dir.path().join("from.toml"), CONFIG).expect("config");
    let from = locklint(
        dir.path(),
        &[
            "hints",
            "--from",
            "sizes.csv",
            "--config",
            "from.toml",
            "--schema",
            &schema,
        ],
    );
    assert_eq!(from.code, 0, "{}", from.stderr);
    let from_text = std::fs::read_to_string(dir.path().join("from.toml")).expect("read");
    assert_eq!(from_text, live);

    // --prune removes the hint for the table that is not there; globs stay.
    let pruned = locklint(
        dir.path(),
        &[
            "hints",
            "--from",
            "sizes.csv",
            "--config",
            "from.toml",
            "--schema",
            &schema,
            "--prune",
        ],
    );
    assert_eq!(pruned.code, 0, "{}", pruned.stderr);
    let pruned_text = std::fs::read_to_string(dir.path().join("from.toml")).expect("read");
    assert!(!pruned_text.contains("gone_table") && pruned_text.contains("audit_*"));

    // A failing connection's error is redacted too.
    let bad = locklint(
        dir.path(),
        &[
            "hints",
            "--database-url",
            &format!("postgres://nobody:{SECRET}@127.0.0.1:1/none"),
        ],
    );
    assert_eq!(bad.code, 2);
    assert!(
        !bad.stderr.contains(SECRET) && bad.stderr.contains("***"),
        "{}",
        bad.stderr
    );

    c.batch_execute(&format!("DROP SCHEMA {schema} CASCADE"))
        .expect("cleanup");
}

#[test]
fn mysql_hints_write_the_catalog_sizes_and_the_printed_query_round_trips() {
    use mysql::prelude::Queryable;
    let Some((url, mut c)) = mysql_or_skip("mysql hints") else {
        return;
    };
    let db = format!("ll_hints_{}", std::process::id());
    c.query_drop(format!("DROP DATABASE IF EXISTS {db}"))
        .expect("drop");
    c.query_drop(format!("CREATE DATABASE {db}"))
        .expect("create");
    c.query_drop(format!(
        "CREATE TABLE {db}.big (id int PRIMARY KEY, v varchar(40))"
    ))
    .expect("table");
    // 30000 rows without depending on MariaDB's sequence engine.
    let _ = c.query_drop("SET SESSION max_recursive_iterations = 100000");
    let _ = c.query_drop("SET SESSION cte_max_recursion_depth = 100000");
    c.query_drop(format!(
        "INSERT INTO {db}.big WITH RECURSIVE s (n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < 30000) SELECT n, md5(n) FROM s"
    ))
    .expect("rows");
    c.query_drop(format!("ANALYZE TABLE {db}.big"))
        .expect("analyze");
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("locklint.toml"), CONFIG).expect("config");
    let run = locklint(
        dir.path(),
        &["hints", "--database-url", &url, "--schema", &db],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let live = std::fs::read_to_string(dir.path().join("locklint.toml")).expect("read");
    let (rows, bytes) = rows_of(&live, "big");
    // InnoDB's row count is itself an estimate.
    let rows = rows.expect("rows");
    assert!((15_000..=45_000).contains(&rows), "{live}");
    assert!(bytes.expect("bytes") > 500_000, "{live}");
    assert!(live.contains("} # keep this comment\n"), "{live}");

    // The printed query through the client, saved as `mysql -B` does (tab-separated, header).
    let printed = locklint(dir.path(), &["hints", "--print-query", "mysql"]);
    let rows: Vec<mysql::Row> = c.query(printed.stdout.trim_end()).expect("query");
    let mut tsv = String::from("schema\ttable\tkind\trows\tbytes\tanalyzed\n");
    for r in rows {
        let v: (String, String, String, u64, u64, String) = mysql::from_row(r);
        tsv.push_str(&format!(
            "{}\t{}\t{}\t{}\t{}\t{}\n",
            v.0, v.1, v.2, v.3, v.4, v.5
        ));
    }
    std::fs::write(dir.path().join("sizes.tsv"), tsv).expect("tsv");
    std::fs::write(dir.path().join("from.toml"), CONFIG).expect("config");
    let from = locklint(
        dir.path(),
        &[
            "hints",
            "--from",
            "sizes.tsv",
            "--config",
            "from.toml",
            "--schema",
            &db,
        ],
    );
    assert_eq!(from.code, 0, "{}", from.stderr);
    let from_text = std::fs::read_to_string(dir.path().join("from.toml")).expect("read");
    assert_eq!(from_text, live);

    // A wrong password: refused, and not printed.
    let with_password = url.replacen("://root@", &format!("://root:{SECRET}@"), 1);
    let bad = locklint(dir.path(), &["hints", "--database-url", &with_password]);
    assert_eq!(bad.code, 2, "{}", bad.stdout);
    assert!(
        !bad.stderr.contains(SECRET) && !bad.stdout.contains(SECRET),
        "{}",
        bad.stderr
    );

    c.query_drop(format!("DROP DATABASE {db}"))
        .expect("cleanup");
}

fn size_of(url: &str, schema: &str, table: &str) -> TableSize {
    let url = DbUrl::parse(url).expect("url");
    locklint::hints::live::read_sizes(&url)
        .expect("sizes")
        .into_iter()
        .find(|t| t.schema == schema && t.name == table)
        .expect("the table")
}

fn timed(c: &mut postgres::Client, sql: &str) -> f64 {
    let start = Instant::now();
    c.batch_execute(sql).expect(sql);
    start.elapsed().as_secs_f64()
}

#[test]
fn calibrate_refuses_without_yes_and_its_estimates_are_within_a_factor_of_3() {
    let Some((url, mut c)) = pg_or_skip("calibrate") else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let refused = locklint(dir.path(), &["calibrate", "--database-url", &url]);
    assert_eq!(refused.code, 2);
    assert!(refused.stderr.contains("--yes"), "{}", refused.stderr);

    // The command: a small scratch table, the section written into a config, the schema gone.
    std::fs::write(dir.path().join("locklint.toml"), "# mine\n[rules]\n").expect("config");
    let run = locklint(
        dir.path(),
        &[
            "calibrate",
            "--database-url",
            &url,
            "--yes",
            "--rows",
            "50000",
            "--write",
            "locklint.toml",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let text = std::fs::read_to_string(dir.path().join("locklint.toml")).expect("read");
    assert!(
        text.starts_with("# mine\n[rules]\n") && text.contains("[estimate]"),
        "{text}"
    );
    let left: i64 = c
        .query_one(
            "SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'locklint_calibrate_%'",
            &[],
        )
        .and_then(|r| r.try_get(0))
        .expect("count");
    assert_eq!(left, 0, "the scratch schema is dropped");

    // Calibrate on 1M rows, then predict work on another table of another shape.
    let db = DbUrl::parse(&url).expect("url");
    let cal = locklint::calibrate::measure(&db, 1_000_000).expect("calibrate");
    let settings = Settings {
        estimate: cal.estimate,
        ..Settings::default()
    };
    let schema = format!("ll_factor_{}", std::process::id());
    c.batch_execute(&format!(
        "DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema};
         CREATE TABLE {schema}.orders (id bigint PRIMARY KEY, customer int, total int, status text, payload text);
         INSERT INTO {schema}.orders SELECT g, g % 50000, (g * 31) % 100000, 'status-' || (g % 7), repeat(md5(g::text), 2)
           FROM generate_series(1, 1200000) g"
    ))
    .expect("fixture");
    c.batch_execute(&format!("VACUUM ANALYZE {schema}.orders"))
        .expect("vacuum");
    let size = size_of(&url, &schema, "orders");
    assert!(near(size.rows, 1_200_000), "{size:?}");
    let predict =
        |kind| locklint::analyze::size::work_seconds(&settings, kind, size.rows, size.bytes);
    let index_est = predict(WorkKind::IndexBuild);
    let rewrite_est = predict(WorkKind::Rewrite);
    let index_real = timed(
        &mut c,
        &format!("CREATE INDEX ON {schema}.orders (status, customer)"),
    );
    let rewrite_real = timed(
        &mut c,
        &format!("ALTER TABLE {schema}.orders ALTER COLUMN total TYPE bigint"),
    );
    c.batch_execute(&format!("DROP SCHEMA {schema} CASCADE"))
        .expect("cleanup");
    let table = format!(
        "| work | estimated | measured | ratio |\n|---|---|---|---|\n\
         | CREATE INDEX (1.2M rows, {} ) | {index_est:.2} s | {index_real:.2} s | {:.2} |\n\
         | ALTER COLUMN TYPE (rewrite) | {rewrite_est:.2} s | {rewrite_real:.2} s | {:.2} |\n\
         calibration: {:?}\n",
        locklint::analyze::size::format_bytes(size.bytes),
        index_est / index_real,
        rewrite_est / rewrite_real,
        cal.measured,
    );
    eprintln!("{table}");
    for (est, real) in [(index_est, index_real), (rewrite_est, rewrite_real)] {
        let ratio = est / real;
        assert!(
            (1.0 / 3.0..=3.0).contains(&ratio),
            "not within a factor of 3:\n{table}"
        );
    }
}
