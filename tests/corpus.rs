//! The real-world corpus (../shared/corpus, when present): every project is linted without a
//! panic or a hang, and the PostgreSQL projects are (nearly) all parsed or recognized. Without
//! the corpus the test is skipped with a printed reason, or fails under
//! `LOCKLINT_REQUIRE_CORPUS=1` (CI).

mod common;

use locklint::config::{Dialect, Settings};
use locklint::stats::{self, Stats};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::mpsc;
use std::time::Duration;

/// The PostgreSQL projects held to [`MIN_UNDERSTOOD`].
const POSTGRES: [&str; 9] = [
    "lemmy",
    "crates-io",
    "harbor",
    "supabase-storage",
    "supabase-postgres",
    "concourse",
    "openmeter",
    "documenso",
    "lago-api-structure",
];

/// Share of statements parsed or recognized on [`POSTGRES`].
const MIN_UNDERSTOOD: f64 = 0.995;

/// Projects with templated files, which must give parse errors (not crashes).
const TEMPLATED: [&str; 2] = ["supabase-auth", "phabricator"];

#[derive(serde::Deserialize)]
struct Manifest {
    project: Vec<Project>,
}

#[derive(serde::Deserialize)]
struct Project {
    name: String,
    dialect: String,
}

fn lint_project(dir: &Path, dialect: Dialect) -> Stats {
    let (inputs, errors) = locklint::discover::collect(&[dir.to_path_buf()], "<stdin>");
    assert!(errors.is_empty(), "{}: {errors:?}", dir.display());
    let settings = Settings {
        dialect,
        ..Settings::default()
    };
    let results =
        locklint::pipeline::lint_inputs(&inputs, &settings, locklint::pipeline::Keep::All);
    let mut s = Stats::default();
    for r in &results {
        s.add(r);
    }
    s
}

#[test]
fn corpus_lints_without_panics_and_postgres_projects_parse() {
    let Some(root) = common::corpus_or_skip("corpus test") else {
        return;
    };
    let text = std::fs::read_to_string(root.join("MANIFEST.toml")).expect("MANIFEST.toml reads");
    let manifest: Manifest = toml::from_str(&text).expect("MANIFEST.toml parses");

    // A watchdog: a hang fails the test instead of stalling CI.
    let (tx, rx) = mpsc::channel();
    let worker = std::thread::spawn(move || {
        let mut groups = BTreeMap::new();
        for p in &manifest.project {
            let dialect = if p.dialect == "mysql" {
                Dialect::Mysql
            } else {
                Dialect::Postgres
            };
            groups.insert(p.name.clone(), lint_project(&root.join(&p.name), dialect));
        }
        let _ = tx.send(groups);
    });
    let groups = match rx.recv_timeout(Duration::from_secs(300)) {
        Ok(g) => g,
        Err(mpsc::RecvTimeoutError::Timeout) => panic!("the corpus took over 300 s: a hang?"),
        Err(mpsc::RecvTimeoutError::Disconnected) => match worker.join() {
            Err(e) => std::panic::resume_unwind(e),
            Ok(()) => panic!("the corpus worker stopped without a result"),
        },
    };
    eprintln!("{}", stats::table(&groups));

    let mut low = Vec::new();
    for name in POSTGRES {
        let s = groups.get(name).unwrap_or_else(|| panic!("{name} missing"));
        assert!(s.statements > 0, "{name}: no statements");
        if s.understood() < MIN_UNDERSTOOD {
            low.push(format!(
                "{name}: {:.2} % ({} unparsed of {})",
                s.understood() * 100.0,
                s.unparsed,
                s.statements
            ));
        }
    }
    assert!(low.is_empty(), "below {MIN_UNDERSTOOD}: {low:#?}");
    for name in TEMPLATED {
        let s = groups.get(name).unwrap_or_else(|| panic!("{name} missing"));
        assert!(
            s.findings.get("parse-error").copied().unwrap_or(0) > 0,
            "{name}: templated files gave no parse-error finding"
        );
    }
}

#[test]
fn check_stats_prints_a_table_per_input_on_stderr() {
    let d = tempfile::tempdir().unwrap();
    for (dir, body) in [
        ("a", "CREATE INDEX i ON t (c);\n"),
        ("b", "SELEC broken;\nCREATE TABLE n (id int);\n"),
    ] {
        std::fs::create_dir(d.path().join(dir)).unwrap();
        std::fs::write(d.path().join(dir).join("001_m.sql"), body).unwrap();
    }
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_locklint"))
        .args(["check", "a", "b", "--stats", "--format", "json"])
        .current_dir(d.path())
        .output()
        .expect("locklint runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    let row = |name: &str| {
        stderr
            .lines()
            .find(|l| l.split_whitespace().next() == Some(name))
            .map(|l| {
                l.split_whitespace()
                    .skip(1)
                    .take(5)
                    .collect::<Vec<_>>()
                    .join(" ")
            })
    };
    // files statements parsed recognized unparsed
    assert_eq!(row("a").as_deref(), Some("1 1 1 0 0"), "{stderr}");
    assert_eq!(row("b").as_deref(), Some("1 2 1 0 1"), "{stderr}");
    assert_eq!(row("total").as_deref(), Some("2 3 2 0 1"), "{stderr}");
    assert!(stderr.contains("create-index-non-concurrently"), "{stderr}");
    assert!(serde_json::from_slice::<serde_json::Value>(&out.stdout).is_ok());
}

/// An ALTER TABLE with one action understood and one not is "unparsed" in the summary and in
/// `--stats` alike (they once disagreed by the corpus' one such statement).
#[test]
fn the_summary_and_stats_count_a_partly_parsed_statement_alike() {
    let d = tempfile::tempdir().unwrap();
    std::fs::create_dir(d.path().join("m")).unwrap();
    std::fs::write(
        d.path().join("m/001_m.sql"),
        "ALTER TABLE t ADD COLUMN a int, FROBNICATE the widget;\nSELEC broken;\nSELECT 1;\n",
    )
    .unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_locklint"))
        .args(["check", "m", "--stats", "--format", "json"])
        .current_dir(d.path())
        .output()
        .expect("locklint runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["summary"]["unparsed"], 2, "{v}");
    let total: Vec<&str> = stderr
        .lines()
        .find(|l| l.starts_with("total"))
        .unwrap_or_else(|| panic!("{stderr}"))
        .split_whitespace()
        .collect();
    // total files statements parsed recognized unparsed
    assert_eq!(total[1..6], ["1", "3", "1", "0", "2"], "{stderr}");
}
