//! The recipes, and what `check --fix` writes, run on a real PostgreSQL.
//!
//! For every `sql bad` example of the rule pages whose findings carry a recipe, on a fixture
//! with rows (`testdata/recipes/fixture.sql`, rebuilt in a schema of this test's own before
//! each example):
//!
//! 1. every step of every recipe (from `check --format json`) runs on the server in the
//!    transaction mode its placement says: `same_migration` and `next_migration` steps each in
//!    a transaction, `outside_transaction` steps on their own without one. The server must
//!    accept each, and the locks read from `pg_locks` must be the weaker ones the recipe
//!    promises: a `VALIDATE CONSTRAINT` holds nothing stronger than SHARE UPDATE EXCLUSIVE; a
//!    `NOT VALID`, `SET NOT NULL` (after the validation) or `DROP CONSTRAINT` step reads no
//!    table in full (`pg_stat_get_xact_numscans`); a `CONCURRENTLY` step, run while another
//!    session holds an open write transaction on the table, holds nothing stronger than SHARE
//!    UPDATE EXCLUSIVE and lets a third session read and write the table meanwhile.
//! 2. the example is written as a goose migration, `check --fix` rewrites it, and every file it
//!    leaves runs on the server the way goose runs it (a file marked `NO TRANSACTION`
//!    statement by statement, any other in one transaction), in order.
//!
//! PostgreSQL 15 from `LOCKLINT_TEST_DATABASE_URL`; examples for PostgreSQL 18
//! (`postgres_version = 18`) on `LOCKLINT_TEST_DATABASE_URL_PG18`. Unset or unreachable: the
//! test prints why and passes, unless `LOCKLINT_REQUIRE_DB=1`.

mod common;

use postgres::{Client, NoTls};
use serde_json::Value;
use std::path::Path;
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// The pages whose bad examples' recipes and fixes run here: concurrently-in-transaction's recipe
/// is the example's own statement, and its examples wrap it in BEGIN/COMMIT, which `--fix`
/// leaves to the author, so their fixed files fail on a server by design.
fn pages() -> impl Iterator<Item = &'static str> {
    common::FIX_PAGES
        .iter()
        .copied()
        .filter(|p| *p != "concurrently-in-transaction")
}
/// This test's schema (one per process: tests may run side by side on the same server).
fn schema() -> String {
    format!("ll_recipes_{}", std::process::id())
}

/// The fixture's tables.
const TABLES: &[&str] = &[
    "devices",
    "sites",
    "measurements",
    "users",
    "orders",
    "countries",
];

struct Example {
    toml: String,
    sql: String,
    version: u32,
}

/// The bad examples of a page, each with the `toml` block before it.
fn examples(page: &str) -> Vec<Example> {
    let mut out = Vec::new();
    let mut toml = String::new();
    for b in common::page_blocks(page) {
        match b.kind.as_str() {
            "toml" => toml = b.text,
            "sql bad" => {
                let version = toml
                    .lines()
                    .find_map(|l| l.strip_prefix("postgres_version = "))
                    .and_then(|v| v.trim().parse().ok())
                    .unwrap_or(15);
                out.push(Example {
                    toml: toml.clone(),
                    sql: b.text.replace(" -- expect", ""),
                    version,
                });
            }
            _ => {}
        }
    }
    out
}

fn connect(var: &str) -> Option<String> {
    let url = match std::env::var(var) {
        Ok(u) if !u.trim().is_empty() => u,
        _ => {
            common::skip_unless_required(
                "LOCKLINT_REQUIRE_DB",
                "recipes_db",
                &format!("{var} is not set"),
            );
            return None;
        }
    };
    match Client::connect(&url, NoTls) {
        Ok(_) => Some(url),
        Err(e) => {
            common::skip_unless_required(
                "LOCKLINT_REQUIRE_DB",
                "recipes_db",
                &format!("cannot connect to {url}: {e}"),
            );
            None
        }
    }
}

fn session(url: &str) -> Client {
    let mut c = Client::connect(url, NoTls).expect("connect");
    c.batch_execute(&format!("SET search_path = {}", schema()))
        .expect("search_path");
    c
}

fn rebuild(url: &str, page: &str) {
    let mut c = Client::connect(url, NoTls).expect("connect");
    let s = schema();
    c.batch_execute(&format!(
        "DROP SCHEMA IF EXISTS {s} CASCADE; CREATE SCHEMA {s}; SET search_path = {s};"
    ))
    .expect("schema");
    let fixture = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/recipes/fixture.sql"),
    )
    .expect("fixture");
    c.batch_execute(&fixture).expect("fixture runs");
    if page == "drop-index-non-concurrently" {
        // Dropped by the page's second example.
        c.batch_execute("CREATE INDEX measurements_device_id_idx ON measurements (device_id)")
            .expect("index");
    }
}

fn drop_schema(url: &str) {
    if let Ok(mut c) = Client::connect(url, NoTls) {
        let _ = c.batch_execute(&format!("DROP SCHEMA IF EXISTS {} CASCADE", schema()));
    }
}

/// Strength of a `pg_locks` mode (AccessShareLock = 1 … AccessExclusiveLock = 8).
fn strength(mode: &str) -> u8 {
    match mode {
        "AccessShareLock" => 1,
        "RowShareLock" => 2,
        "RowExclusiveLock" => 3,
        "ShareUpdateExclusiveLock" => 4,
        "ShareLock" => 5,
        "ShareRowExclusiveLock" => 6,
        "ExclusiveLock" => 7,
        "AccessExclusiveLock" => 8,
        _ => 0,
    }
}

/// The fixture tables' relation locks a backend holds (granted), as `(table, mode)`.
fn locks_of(c: &mut Client, pid: i32) -> Vec<(String, String)> {
    c.query(
        "SELECT c.relname, l.mode FROM pg_locks l JOIN pg_class c ON c.oid = l.relation \
         JOIN pg_namespace n ON n.oid = c.relnamespace \
         WHERE l.pid = $1 AND l.granted AND n.nspname = $2 AND c.relkind IN ('r', 'p')",
        &[&pid, &schema()],
    )
    .expect("pg_locks")
    .iter()
    .map(|r| (r.get(0), r.get(1)))
    .collect()
}

/// Sequential scans this transaction made of each fixture table.
fn scans(c: &mut Client) -> Vec<i64> {
    TABLES
        .iter()
        .map(|t| {
            c.query_one(
                &format!("SELECT pg_stat_get_xact_numscans('{t}'::regclass)"),
                &[],
            )
            .map(|r| r.get::<_, i64>(0))
            .unwrap_or(0)
        })
        .collect()
}

/// Run one step in a transaction; check its locks and scans against what the recipe promises.
fn in_transaction(url: &str, sql: &str, problems: &mut Vec<String>, what: &str) {
    let mut c = session(url);
    let pid: i32 = c
        .query_one("SELECT pg_backend_pid()", &[])
        .expect("pid")
        .get(0);
    c.batch_execute("BEGIN").expect("begin");
    let before = scans(&mut c);
    if let Err(e) = c.batch_execute(sql) {
        problems.push(format!("{what}: the server refused `{sql}`: {}", db(e)));
        return;
    }
    let after = scans(&mut c);
    let locks = locks_of(&mut c, pid);
    c.batch_execute("COMMIT").expect("commit");
    let upper = sql.to_ascii_uppercase();
    if upper.contains("VALIDATE CONSTRAINT") {
        for (t, m) in &locks {
            if strength(m) > strength("ShareUpdateExclusiveLock") {
                problems.push(format!(
                    "{what}: `{sql}` took {m} on {t}, stronger than SHARE UPDATE EXCLUSIVE"
                ));
            }
        }
    } else if (upper.contains("NOT VALID")
        || upper.contains("SET NOT NULL")
        || upper.contains("DROP CONSTRAINT"))
        && before != after
    {
        problems.push(format!(
            "{what}: `{sql}` read a table in full (scans {before:?} -> {after:?})"
        ));
    }
}

/// Run a CONCURRENTLY step outside a transaction while another session holds an open write
/// transaction on `table`; check its locks and that reads and writes go on meanwhile.
fn concurrently(url: &str, sql: &str, table: &str, problems: &mut Vec<String>, what: &str) {
    let mut blocker = session(url);
    blocker
        .batch_execute(&format!(
            "BEGIN; INSERT INTO {table} (id) VALUES (-1) ON CONFLICT DO NOTHING"
        ))
        .expect("blocker");
    let mut runner = session(url);
    let pid: i32 = runner
        .query_one("SELECT pg_backend_pid()", &[])
        .expect("pid")
        .get(0);
    let (tx, rx) = mpsc::channel();
    let sql_owned = sql.to_string();
    let handle = std::thread::spawn(move || {
        let r = runner.batch_execute(&sql_owned).map_err(db);
        let _ = tx.send(());
        r
    });
    let mut watcher = session(url);
    let mut seen: Vec<(String, String)> = Vec::new();
    let start = Instant::now();
    // Until it waits for the blocker (or finishes).
    while start.elapsed() < Duration::from_secs(10) {
        seen.extend(locks_of(&mut watcher, pid));
        let waiting: bool = watcher
            .query_one(
                "SELECT count(*) > 0 FROM pg_locks WHERE pid = $1 AND NOT granted",
                &[&pid],
            )
            .expect("waiting")
            .get(0);
        if waiting || rx.try_recv().is_ok() {
            break;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    seen.extend(locks_of(&mut watcher, pid));
    // Meanwhile reads and writes of the table go on.
    let mut other = session(url);
    let traffic = other.batch_execute(&format!(
        "SET lock_timeout = '2s'; SELECT count(*) FROM {table}; \
         INSERT INTO {table} (id) VALUES (-2) ON CONFLICT DO NOTHING; \
         DELETE FROM {table} WHERE id = -2"
    ));
    if let Err(e) = traffic {
        problems.push(format!(
            "{what}: while `{sql}` ran, reads and writes of {table} were blocked: {}",
            db(e)
        ));
    }
    blocker.batch_execute("ROLLBACK").expect("rollback");
    match handle.join().expect("thread") {
        Ok(()) => {}
        Err(e) => problems.push(format!("{what}: the server refused `{sql}`: {e}")),
    }
    for (t, m) in &seen {
        if strength(m) > strength("ShareUpdateExclusiveLock") {
            problems.push(format!(
                "{what}: `{sql}` took {m} on {t}, stronger than SHARE UPDATE EXCLUSIVE"
            ));
        }
    }
    if seen.is_empty() {
        problems.push(format!("{what}: no lock of `{sql}` was seen in pg_locks"));
    }
}

fn db(e: postgres::Error) -> String {
    e.as_db_error()
        .map(|d| d.message().to_string())
        .unwrap_or_else(|| e.to_string())
}

/// The table a CONCURRENTLY statement works on.
fn concurrent_table(sql: &str) -> &'static str {
    TABLES
        .iter()
        .copied()
        .find(|t| sql.contains(&format!(" {t} ")) || sql.contains(&format!(" {t};")))
        .unwrap_or("measurements")
}

/// The statements of an example (ending with `;` at the end of a line), each with its last
/// line (1-based).
fn statements_with_lines(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut cur = String::new();
    for (i, line) in text.lines().enumerate() {
        cur.push_str(line);
        cur.push('\n');
        if line.trim_end().ends_with(';') {
            out.push((i + 1, std::mem::take(&mut cur)));
        }
    }
    out
}

/// The statements of a file the fix wrote (one per line or ending with `;`), without comments.
fn statements(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    for line in text.lines() {
        if line.trim_start().starts_with("--") || line.trim().is_empty() {
            continue;
        }
        cur.push_str(line);
        cur.push('\n');
        if line.trim_end().ends_with(';') {
            out.push(std::mem::take(&mut cur));
        }
    }
    out
}

#[test]
fn recipes_and_fixes_run_on_postgres_with_the_promised_locks() {
    let pg15 = connect("LOCKLINT_TEST_DATABASE_URL");
    let pg18 = connect("LOCKLINT_TEST_DATABASE_URL_PG18");
    if pg15.is_none() && pg18.is_none() {
        return;
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut problems = Vec::new();
    let mut steps_run = 0;
    let mut fixes_run = 0;
    for page in pages() {
        let text = std::fs::read_to_string(root.join(format!("rules/{page}.md"))).expect("page");
        for (n, ex) in examples(&text).into_iter().enumerate() {
            let Some(url) = (if ex.version >= 18 { &pg18 } else { &pg15 }) else {
                continue;
            };
            let what = format!("{page} bad example {}", n + 1);
            let dir = tempfile::tempdir().expect("tempdir");
            let toml = if ex.toml.contains("postgres_version") {
                ex.toml.clone()
            } else {
                format!("postgres_version = 15\n{}", ex.toml)
            };
            common::write(dir.path(), "locklint.toml", &toml);
            common::write(dir.path(), "example.sql", &ex.sql);
            let run = common::locklint(dir.path(), &["check", "--format", "json", "example.sql"]);
            let doc: Value = serde_json::from_str(&run.stdout).expect("json");
            let recipes: Vec<(u64, &Value)> = doc["diagnostics"]
                .as_array()
                .expect("diagnostics")
                .iter()
                .filter(|d| d["rule"] == *page)
                .filter_map(|d| Some((d["line"].as_u64()?, d.get("recipe")?)))
                .collect();
            assert!(!recipes.is_empty(), "{what}: no recipe:\n{}", run.stdout);
            // 1. Each recipe on a fresh fixture, after the example's statements before the
            //    flagged one, step by step.
            for (line, recipe) in recipes {
                rebuild(url, page);
                let mut c = session(url);
                for (end, stmt) in statements_with_lines(&ex.sql) {
                    if end < line as usize
                        && let Err(e) = c.batch_execute(&stmt)
                    {
                        problems.push(format!("{what}: the example's `{stmt}` failed: {}", db(e)));
                    }
                }
                for step in recipe["steps"].as_array().expect("steps") {
                    let sql = step["sql"].as_str().expect("sql");
                    steps_run += 1;
                    // A step for the same migration runs the way the example's file runs
                    // (plain SQL: no transaction); one statement alone in a transaction is the
                    // same, and lets its locks be read, except for CONCURRENTLY.
                    let outside = step["placement"] == "outside_transaction"
                        || sql.contains(" CONCURRENTLY ");
                    if outside {
                        concurrently(url, sql, concurrent_table(sql), &mut problems, &what)
                    } else {
                        in_transaction(url, sql, &mut problems, &what)
                    }
                }
            }
            // 2. The example as a goose migration, fixed, run the way goose runs it.
            let goose = dir.path().join("goose");
            std::fs::create_dir_all(&goose).expect("dir");
            common::write(&goose, "locklint.toml", &toml);
            common::write(
                &goose,
                "20240101000000_example.sql",
                &format!("-- +goose Up\n{}", ex.sql),
            );
            let fixed = common::locklint(&goose, &["check", "--fix", "20240101000000_example.sql"]);
            assert!(
                fixed.code == 0 || fixed.code == 1,
                "{what}: {}",
                fixed.stderr
            );
            rebuild(url, page);
            let mut files: Vec<_> = std::fs::read_dir(&goose)
                .expect("dir")
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|e| e == "sql"))
                .collect();
            files.sort();
            let mut c = session(url);
            for f in files {
                let text = std::fs::read_to_string(&f).expect("read");
                let no_txn = text.contains("-- +goose NO TRANSACTION");
                let stmts = statements(&text);
                fixes_run += 1;
                let result = if no_txn {
                    stmts.iter().try_for_each(|s| c.batch_execute(s))
                } else {
                    c.batch_execute(&format!("BEGIN;\n{}COMMIT;", stmts.concat()))
                };
                if let Err(e) = result {
                    let _ = c.batch_execute("ROLLBACK");
                    problems.push(format!(
                        "{what}: --fix output {} failed on the server: {}\n{text}",
                        f.display(),
                        db(e)
                    ));
                }
            }
        }
    }
    for url in [&pg15, &pg18].into_iter().flatten() {
        drop_schema(url);
    }
    assert!(
        problems.is_empty(),
        "{} problem(s):\n{}",
        problems.len(),
        problems.join("\n")
    );
    eprintln!("recipes_db: {steps_run} recipe steps and {fixes_run} fixed files ran");
    assert!(steps_run >= 20, "only {steps_run} recipe steps ran");
    assert!(fixes_run >= 10, "only {fixes_run} fixed files ran");
}

/// The names the recipes give unnamed indexes and constraints are the ones PostgreSQL chooses:
/// each statement runs unnamed on the server, and the name it got must be the one the recipe
/// writes (mixed case, expressions, repeated columns, 63-byte truncation).
#[test]
fn generated_names_are_the_ones_postgres_chooses() {
    let Some(url) = connect("LOCKLINT_TEST_DATABASE_URL") else {
        return;
    };
    let long = "a".repeat(60);
    let col = "b".repeat(60);
    let schema_sql = format!(
        "CREATE TABLE \"User\" (id bigint PRIMARY KEY, email text, \"orgId\" bigint, a int, b int);\n\
         CREATE TABLE {long} ({col} int PRIMARY KEY, c int);\n"
    );
    let cases = [
        "CREATE INDEX ON \"User\" (lower(email));".to_string(),
        "CREATE INDEX ON \"User\" ((a + b));".to_string(),
        "CREATE INDEX ON \"User\" (a, a);".to_string(),
        "CREATE INDEX ON \"User\" (CAST(b AS text));".to_string(),
        format!("CREATE INDEX ON {long} (c);"),
        "ALTER TABLE \"User\" ADD FOREIGN KEY (\"orgId\") REFERENCES \"User\" (id);".to_string(),
        "ALTER TABLE \"User\" ADD CHECK (length(email) > 3);".to_string(),
        "ALTER TABLE \"User\" ADD CHECK (a > b);".to_string(),
        format!("ALTER TABLE {long} ADD CHECK (c > 0);"),
        format!("ALTER TABLE {long} ADD FOREIGN KEY ({col}) REFERENCES {long};"),
    ];
    let mut problems = Vec::new();
    for case in &cases {
        let dir = tempfile::tempdir().expect("tempdir");
        common::write(dir.path(), "a.sql", &schema_sql);
        common::write(dir.path(), "b.sql", case);
        let run = common::locklint(dir.path(), &["check", "--format", "json", "a.sql", "b.sql"]);
        let doc: Value = serde_json::from_str(&run.stdout).expect("json");
        let sql: Vec<String> = doc["diagnostics"]
            .as_array()
            .expect("diagnostics")
            .iter()
            .filter_map(|d| d.get("recipe"))
            .flat_map(|r| r["steps"].as_array().cloned().unwrap_or_default())
            .filter_map(|s| s["sql"].as_str().map(str::to_string))
            .collect();
        let Some(first) = sql
            .iter()
            .find(|s| s.contains("CONSTRAINT") || s.contains("CONCURRENTLY"))
        else {
            problems.push(format!("{case}: no recipe"));
            continue;
        };
        let mut c = Client::connect(&url, NoTls).expect("connect");
        let s = names_schema();
        c.batch_execute(&format!(
            "DROP SCHEMA IF EXISTS {s} CASCADE; CREATE SCHEMA {s}; SET search_path = {s};"
        ))
        .expect("schema");
        c.batch_execute(&schema_sql).expect("tables");
        let before: Vec<String> = names(&mut c, &s);
        c.batch_execute(case).expect("statement");
        let new: Vec<String> = names(&mut c, &s)
            .into_iter()
            .filter(|n| !before.contains(n))
            .collect();
        let quoted = |n: &str| {
            if n.chars()
                .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '_')
            {
                n.to_string()
            } else {
                format!("\"{n}\"")
            }
        };
        if new.len() != 1 || !first.contains(&format!(" {} ", quoted(&new[0]))) {
            problems.push(format!(
                "{case}: PostgreSQL named it {new:?}; the recipe says `{first}`"
            ));
        }
    }
    if let Ok(mut c) = Client::connect(&url, NoTls) {
        let _ = c.batch_execute(&format!("DROP SCHEMA IF EXISTS {} CASCADE", names_schema()));
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The names test's own schema (the tests of this file run side by side).
fn names_schema() -> String {
    format!("{}_names", schema())
}

/// Index and constraint names in a schema.
fn names(c: &mut Client, schema: &str) -> Vec<String> {
    c.query(
        "SELECT relname::text FROM pg_class WHERE relnamespace = $1::text::regnamespace AND relkind = 'i' \
         UNION ALL SELECT conname::text FROM pg_constraint WHERE connamespace = $1::text::regnamespace",
        &[&schema],
    )
    .expect("names")
    .iter()
    .map(|r| r.get(0))
    .collect()
}
