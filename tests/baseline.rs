//! `check --baseline FILE` / `--write-baseline FILE`: adopting locklint on a repository whose
//! applied migrations cannot be edited.

mod common;
use common::{Run, locklint, write};

fn json(run: &Run) -> serde_json::Value {
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {}", run.stdout))
}

fn reported(run: &Run) -> Vec<(String, String, u64)> {
    json(run)["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["path"].as_str().unwrap().to_string(),
                d["rule"].as_str().unwrap().to_string(),
                d["line"].as_u64().unwrap(),
            )
        })
        .collect()
}

const RISKY: &str = "CREATE INDEX m_idx ON measurements (device_id);\n";

#[test]
fn baseline_hides_recorded_findings_survives_moves_and_reports_stale_entries() {
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        "locklint.toml",
        "[migrations]\npaths = [\"db\"]\n[rules]\nmissing-lock-timeout = \"off\"\n",
    );
    write(d.path(), "db/001_index.sql", RISKY);
    write(
        d.path(),
        "db/002_fk.sql",
        "ALTER TABLE a ADD CONSTRAINT f FOREIGN KEY (b) REFERENCES b (id);\n",
    );
    let before = locklint(d.path(), &["check", "--format", "json"]);
    assert_eq!(before.code, 1);
    assert_eq!(reported(&before).len(), 2, "{}", before.stdout);

    // Record them.
    let w = locklint(
        d.path(),
        &[
            "check",
            "--format",
            "json",
            "--write-baseline",
            "baseline.json",
        ],
    );
    assert_eq!(w.code, 0, "{}", w.stderr);
    assert!(
        w.stderr.contains("wrote 2 findings to baseline.json"),
        "{}",
        w.stderr
    );
    let b: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(d.path().join("baseline.json")).unwrap())
            .unwrap();
    assert_eq!(b["version"], 1);
    assert_eq!(b["findings"].as_array().unwrap().len(), 2);
    assert_eq!(b["findings"][0]["path"], "db/001_index.sql");

    // With the baseline: nothing left, exit 0.
    let after = locklint(
        d.path(),
        &["check", "--format", "json", "--baseline", "baseline.json"],
    );
    assert_eq!(after.code, 0, "{}{}", after.stdout, after.stderr);
    assert_eq!(reported(&after), vec![]);
    assert_eq!(json(&after)["summary"]["errors"], 0);

    // Lines move (a comment above, the statement re-wrapped), the path is spelled differently:
    // still recorded.
    write(
        d.path(),
        "db/001_index.sql",
        "-- applied in 2021\n\nCREATE INDEX m_idx\n    ON measurements (device_id);\n",
    );
    let moved = locklint(
        d.path(),
        &[
            "check",
            "./db",
            "--format",
            "json",
            "--baseline",
            "baseline.json",
        ],
    );
    assert_eq!(moved.code, 0, "{}{}", moved.stdout, moved.stderr);

    // A new risky migration is reported, alone.
    write(
        d.path(),
        "db/003_new.sql",
        "CREATE INDEX n_idx ON measurements (x);\n",
    );
    let new = locklint(
        d.path(),
        &["check", "--format", "json", "--baseline", "baseline.json"],
    );
    assert_eq!(new.code, 1);
    assert_eq!(
        reported(&new),
        vec![(
            "db/003_new.sql".to_string(),
            "create-index-non-concurrently".to_string(),
            1
        )]
    );
    assert_eq!(new.stderr, "");

    // A recorded finding that is gone (the statement was edited) makes its entry stale.
    write(
        d.path(),
        "db/002_fk.sql",
        "ALTER TABLE a ADD CONSTRAINT f FOREIGN KEY (b) REFERENCES b (id) NOT VALID;\n",
    );
    let stale = locklint(d.path(), &["check", "--baseline", "baseline.json"]);
    assert_eq!(stale.code, 1, "{}", stale.stderr);
    assert!(
        stale.stderr.contains("1 stale entry")
            && stale
                .stderr
                .contains("db/002_fk.sql:1 add-foreign-key-validated"),
        "{}",
        stale.stderr
    );
}

#[test]
fn baseline_file_errors_are_usage_errors() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "db/001.sql", RISKY);
    let missing = locklint(d.path(), &["check", "db", "--baseline", "nope.json"]);
    assert_eq!(missing.code, 2);
    assert!(
        missing.stderr.starts_with("error: baseline nope.json: "),
        "{}",
        missing.stderr
    );
    assert_eq!(missing.stdout, "");
    write(d.path(), "bad.json", "{\"version\": 7}");
    let bad = locklint(d.path(), &["check", "db", "--baseline", "bad.json"]);
    assert_eq!(bad.code, 2);
    assert!(bad.stderr.contains("bad.json"), "{}", bad.stderr);
}

#[test]
fn excluded_files_are_replayed_but_not_linted() {
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        "locklint.toml",
        "[migrations]\npaths = [\"db\"]\nexclude = [\"db/0*_legacy*.sql\"]\n\
         [rules]\nmissing-lock-timeout = \"off\"\n",
    );
    write(
        d.path(),
        "db/001_legacy.sql",
        "CREATE TABLE accounts (id int, name varchar(50));\nCREATE INDEX a ON big (x);\n",
    );
    write(
        d.path(),
        "db/002_widen.sql",
        "ALTER TABLE accounts ALTER COLUMN name TYPE varchar(100);\nCREATE INDEX b ON big (x);\n",
    );
    let r = locklint(d.path(), &["check", "--format", "json"]);
    assert_eq!(
        reported(&r),
        vec![(
            "db/002_widen.sql".to_string(),
            "create-index-non-concurrently".to_string(),
            2
        )],
        "{}",
        r.stderr
    );
    assert_eq!(json(&r)["summary"]["files"], 1);
    // A named file is excluded too: the config says it is never linted.
    let named = locklint(
        d.path(),
        &["check", "db/001_legacy.sql", "--format", "json"],
    );
    assert_eq!(reported(&named), vec![]);

    write(
        d.path(),
        "locklint.toml",
        "[migrations]\nexclude = [\"db/[\"]\n",
    );
    let bad = locklint(d.path(), &["check"]);
    assert_eq!(bad.code, 2);
    assert!(bad.stderr.contains("invalid glob"), "{}", bad.stderr);
    assert!(bad.stderr.contains("locklint.toml:2"), "{}", bad.stderr);
}

#[test]
fn rule_levels_per_path() {
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        "locklint.toml",
        "[rules]\nmissing-lock-timeout = \"off\"\n\n\
         [[overrides]]\npaths = [\"db/legacy/**\"]\nrules = { create-index-non-concurrently = \"warning\" }\n\n\
         [[overrides]]\npaths = [\"db/legacy/old/**\"]\nrules = { create-index-non-concurrently = \"off\" }\n",
    );
    write(
        d.path(),
        "db/legacy/001.sql",
        "CREATE INDEX a ON big (x);\n",
    );
    write(
        d.path(),
        "db/legacy/old/000.sql",
        "CREATE INDEX o ON big (x);\n",
    );
    write(d.path(), "db/002.sql", "CREATE INDEX b ON big (x);\n");
    let r = locklint(d.path(), &["check", "db", "--format", "json"]);
    let levels: Vec<(String, String)> = json(&r)["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["path"].as_str().unwrap().to_string(),
                d["severity"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        levels,
        vec![
            ("db/002.sql".to_string(), "error".to_string()),
            ("db/legacy/001.sql".to_string(), "warning".to_string()),
        ],
        "{}",
        r.stderr
    );
    // The dump carries them and loads back.
    let dump = locklint(d.path(), &["check", "--dump-config"]);
    assert_eq!(dump.code, 0, "{}", dump.stderr);
    let v: toml::Value = toml::from_str(&dump.stdout).expect("TOML");
    assert_eq!(
        v["overrides"][1]["rules"]["create-index-non-concurrently"].as_str(),
        Some("off")
    );
    write(d.path(), "locklint.toml", &dump.stdout);
    let again = locklint(d.path(), &["check", "--dump-config"]);
    assert_eq!(
        again.stdout.lines().skip(1).collect::<Vec<_>>(),
        dump.stdout.lines().skip(1).collect::<Vec<_>>()
    );
    // Unknown rules in an override are located errors, like in [rules].
    write(
        d.path(),
        "locklint.toml",
        "[[overrides]]\npaths = [\"x/**\"]\nrules = { create-index = \"off\" }\n",
    );
    let bad = locklint(d.path(), &["check", "db"]);
    assert_eq!(bad.code, 2);
    assert!(bad.stderr.contains("create-index"), "{}", bad.stderr);
}
