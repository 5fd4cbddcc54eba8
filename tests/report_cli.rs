//! `locklint report`: arguments, exit code, stdout and stderr together.

use std::path::Path;
use std::process::Command;

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

fn locklint(dir: &Path, args: &[&str], stdin: Option<&str>) -> Run {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_locklint"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run locklint");
    if let Some(mut input) = child.stdin.take() {
        input
            .write_all(stdin.unwrap_or("").as_bytes())
            .expect("write stdin");
    }
    let out = child.wait_with_output().expect("wait for locklint");
    Run {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// A project with size hints, an earlier migration and one that adds a validated foreign key.
fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path();
    std::fs::write(
        root.join("locklint.toml"),
        "[tables]\nmeasurements = { rows = 450_000_000 }\ndevices = { rows = 20_000 }\n",
    )
    .unwrap();
    std::fs::create_dir(root.join("migrations")).unwrap();
    std::fs::write(
        root.join("migrations/0001_create.sql"),
        "CREATE TABLE devices (id bigint PRIMARY KEY);\n\
         CREATE TABLE measurements (id bigint PRIMARY KEY, value float8, taken_at timestamptz);\n",
    )
    .unwrap();
    std::fs::write(
        root.join("migrations/0002_change.sql"),
        "BEGIN;\n\
         ALTER TABLE measurements ADD COLUMN device_id bigint;\n\
         ALTER TABLE measurements\n  ADD CONSTRAINT measurements_device_fk FOREIGN KEY (device_id) REFERENCES devices (id);\n\
         ALTER TABLE measurements ALTER COLUMN value TYPE numeric;\n\
         COMMIT;\n",
    )
    .unwrap();
    dir
}

macro_rules! snapshot {
    ($name:literal, $value:expr) => {
        insta::with_settings!({
            snapshot_path => "../testdata/snapshots",
            prepend_module_to_snapshot => false,
        }, {
            insta::assert_snapshot!(concat!("report__", $name), $value);
        })
    };
}

#[test]
fn json_lists_every_statement_with_locks_work_and_findings() {
    let dir = project();
    let run = locklint(
        dir.path(),
        &["report", "migrations", "--format", "json"],
        None,
    );
    assert_eq!(run.stderr, "");
    assert_eq!(run.code, Some(1), "errors at the default --fail-on error");
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).expect("valid JSON");
    assert_eq!(doc["version"], 1);
    let files = doc["files"].as_array().unwrap();
    assert_eq!(files.len(), 2);
    assert_eq!(files[1]["path"], "migrations/0002_change.sql");
    let stmts = files[1]["statements"].as_array().unwrap();
    assert_eq!(stmts.len(), 5, "BEGIN and COMMIT are statements too");
    let fk = &stmts[2];
    assert_eq!(
        (fk["line"].as_u64(), fk["end_line"].as_u64()),
        (Some(3), Some(4))
    );
    assert_eq!(fk["kind"], "alter_table");
    assert_eq!(fk["in_transaction"], true);
    assert_eq!(
        fk["locks"],
        serde_json::json!([
            {"table": "measurements", "mode": "ShareRowExclusiveLock", "blocks": ["writes", "ddl"]},
            {"table": "devices", "mode": "ShareRowExclusiveLock", "blocks": ["writes", "ddl"]}
        ])
    );
    assert_eq!(fk["scans"], serde_json::json!(["measurements"]));
    assert_eq!(
        fk["estimate_seconds"], 1500.0,
        "450M rows validated at 300k rows/s"
    );
    assert!(
        fk["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["rule"] == "add-foreign-key-validated" && f["line"] == 4)
    );
    let retype = &stmts[3];
    assert_eq!(retype["rewrites"], serde_json::json!(["measurements"]));
    assert_eq!(stmts[0]["estimate_seconds"], serde_json::Value::Null);
    snapshot!("json", run.stdout);
}

#[test]
fn markdown_has_one_table_per_file() {
    let dir = project();
    let run = locklint(dir.path(), &["report", "migrations"], None);
    assert_eq!(run.stderr, "");
    assert_eq!(run.code, Some(1));
    snapshot!("markdown", run.stdout);
}

#[test]
fn html_is_one_self_contained_page() {
    let dir = project();
    let run = locklint(
        dir.path(),
        &["report", "migrations", "--format", "html"],
        None,
    );
    assert_eq!(run.stderr, "");
    assert_eq!(run.code, Some(1));
    assert!(run.stdout.starts_with("<!DOCTYPE html>"));
    assert!(
        run.stdout
            .contains("<span class=\"rule\">add-foreign-key-validated</span>")
    );
    snapshot!("html", run.stdout);
}

#[test]
fn output_writes_the_report_to_a_file() {
    let dir = project();
    let run = locklint(
        dir.path(),
        &["report", "migrations", "--format", "html", "-o", "out.html"],
        None,
    );
    assert_eq!(
        (run.code, run.stdout.as_str(), run.stderr.as_str()),
        (Some(1), "", "")
    );
    let page = std::fs::read_to_string(dir.path().join("out.html")).expect("written");
    let stdout = locklint(
        dir.path(),
        &["report", "migrations", "--format", "html"],
        None,
    );
    assert_eq!(page, stdout.stdout);
    let run = locklint(
        dir.path(),
        &["report", "migrations", "--output", "no/such/dir/out.md"],
        None,
    );
    assert_eq!(run.code, Some(2));
    assert!(
        run.stderr
            .starts_with("error: could not write no/such/dir/out.md: "),
        "{}",
        run.stderr
    );
}

#[test]
fn stdin_and_fail_on() {
    let dir = tempfile::tempdir().unwrap();
    let sql = "CREATE INDEX i ON small (x);\n";
    std::fs::write(
        dir.path().join("locklint.toml"),
        "[tables]\nsmall = { rows = 10 }\n",
    )
    .unwrap();
    let run = locklint(
        dir.path(),
        &[
            "report",
            "-",
            "--stdin-filename",
            "x.sql",
            "--format",
            "json",
        ],
        Some(sql),
    );
    assert_eq!((run.code, run.stderr.as_str()), (Some(0), ""));
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let stmt = &doc["files"][0]["statements"][0];
    assert_eq!(doc["files"][0]["path"], "x.sql");
    assert_eq!(stmt["locks"][0]["mode"], "ShareLock");
    assert_eq!(stmt["estimate_seconds"], 0.0);
}

#[test]
fn missing_path_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let run = locklint(
        dir.path(),
        &["report", "nope.sql", "--format", "json"],
        None,
    );
    assert_eq!(run.code, Some(2));
    assert!(
        run.stderr.starts_with("error: nope.sql: "),
        "{}",
        run.stderr
    );
    let run = locklint(dir.path(), &["report", "--format", "pdf"], None);
    assert_eq!(run.code, Some(2), "clap rejects unknown formats");
}
