//! `locklint report`: arguments, exit code, stdout and stderr together.

mod common;

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
    // The timeline's windows: the ACCESS EXCLUSIVE lock of the ADD COLUMN keeps measurements
    // blocked through the validation and the rewrite until COMMIT; devices from the FOREIGN KEY.
    assert_eq!(
        files[1]["blocking"],
        serde_json::json!([
            {"table": "measurements", "blocks": ["reads", "writes"], "from_line": 2,
             "to_line": 6, "seconds": 3300.0, "reads_seconds": 3300.0, "size_unknown": false},
            {"table": "devices", "blocks": ["writes"], "from_line": 3,
             "to_line": 6, "seconds": 3300.0, "reads_seconds": 0.0, "size_unknown": false}
        ])
    );
    assert_eq!(files[0]["blocking"], serde_json::json!([]), "new tables");
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

/// The lock timeline of the transaction (ADD COLUMN, validated foreign key, rewrite, COMMIT):
/// one row per locked table, a bar from the statement that takes the lock to the COMMIT, the
/// validation (1500 s) and the rewrite (1800 s) under it, drawn to scale.
#[test]
fn html_draws_the_timeline_of_each_file() {
    let dir = project();
    let run = locklint(
        dir.path(),
        &["report", "migrations", "--format", "html"],
        None,
    );
    let html = &run.stdout;
    assert!(
        !html.contains("id=\"timeline-1\""),
        "the first file only creates tables: nothing to draw"
    );
    let from = html
        .find("<svg class=\"timeline\" id=\"timeline-2\"")
        .expect("the second file has a timeline");
    let len = html[from..].find("</svg>").expect("closed") + "</svg>".len();
    let svg = &html[from..from + len];
    let width = |kind: &str| -> f64 {
        let at = svg
            .find(&format!("data-kind=\"{kind}\""))
            .unwrap_or_else(|| panic!("{kind} drawn"));
        let w = &svg[at..];
        let w = &w[w.find(" width=\"").unwrap() + 8..];
        w[..w.find('"').unwrap()].parse().unwrap()
    };
    let ratio = width("rewrite") / width("validation");
    assert!((ratio - 1.2).abs() < 0.01, "1800 s : 1500 s, got {ratio}");
    snapshot!("timeline_svg", svg);
}

#[test]
fn markdown_lists_blocking_windows_and_is_capped() {
    let dir = project();
    let run = locklint(dir.path(), &["report", "migrations"], None);
    assert!(run.stdout.contains(
        "- reads and writes to `measurements` blocked ~55 min (lines 2–6, until COMMIT)\n"
    ));
    assert!(
        run.stdout
            .contains("| `measurements` | ~55 min | ~55 min | 1 | 1 |\n")
    );
    let capped = locklint(
        dir.path(),
        &["report", "migrations", "--markdown-max-chars", "1500"],
        None,
    );
    assert_eq!(capped.code, Some(1));
    assert!(capped.stdout.chars().count() <= 1500, "{}", capped.stdout);
    assert!(
        capped.stdout.contains(
            "… 1 of 2 files not shown: this report is capped at 1500 characters (`--markdown-max-chars`)"
        ),
        "{}",
        capped.stdout
    );
    assert!(
        capped
            .stdout
            .ends_with("2 files, 7 statements: 2 errors, 2 warnings.\n")
    );
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
    // Nothing is written to -o when an input is missing: no half report for a typo.
    std::fs::write(dir.path().join("x.sql"), "CREATE TABLE t (id int);\n").unwrap();
    for args in [
        &["report", "nope.sql", "--format", "html", "-o", "r.html"][..],
        &[
            "report", "nope.sql", "x.sql", "--format", "html", "-o", "r.html",
        ][..],
    ] {
        let run = locklint(dir.path(), args, None);
        assert_eq!(run.code, Some(2));
        assert!(run.stderr.contains("nope.sql"), "{}", run.stderr);
        assert!(run.stderr.contains("r.html not written"), "{}", run.stderr);
        assert!(!dir.path().join("r.html").exists());
    }
    let run = locklint(dir.path(), &["report", "--format", "pdf"], None);
    assert_eq!(run.code, Some(2), "clap rejects unknown formats");
}

/// The statement rows of every table with `header` as its first row: the header's cells by name,
/// keyed by the first line of the statement.
fn statement_rows(
    md: &str,
    header: &str,
) -> std::collections::BTreeMap<u64, std::collections::HashMap<String, String>> {
    let mut rows = std::collections::BTreeMap::new();
    let mut names: Option<Vec<String>> = None;
    for line in md.lines() {
        if !line.starts_with('|') {
            names = None;
            continue;
        }
        let c = common::markdown_cells(line);
        if line.starts_with(header) {
            names = Some(c);
            continue;
        }
        let Some(names) = &names else { continue };
        let Some(first) = c[0].split('–').next().and_then(|n| n.parse::<u64>().ok()) else {
            continue; // the separator row
        };
        rows.insert(first, names.iter().cloned().zip(c).collect());
    }
    rows
}

#[test]
fn lock_modes_and_work_are_named_alike_in_check_and_report() {
    let dir = project();
    let path = "migrations/0002_change.sql";
    let check = locklint(dir.path(), &["check", path, "--format", "markdown"], None);
    let report_md = locklint(dir.path(), &["report", path, "--format", "markdown"], None);
    let report_json = locklint(dir.path(), &["report", path, "--format", "json"], None);
    for run in [&check, &report_md, &report_json] {
        assert_eq!((run.code, run.stderr.as_str()), (Some(1), ""));
    }
    let check_rows = statement_rows(&check.stdout, "| Line | Kind |");
    let report_rows = statement_rows(&report_md.stdout, "| Line | Statement |");
    let doc: serde_json::Value = serde_json::from_str(&report_json.stdout).expect("valid JSON");
    let stmts = doc["files"][0]["statements"]
        .as_array()
        .expect("statements");
    assert_eq!(check_rows.len(), 5, "{}", check.stdout);
    assert_eq!(report_rows.len(), 5, "{}", report_md.stdout);
    assert_eq!(stmts.len(), 5);

    // The foreign key: SHARE ROW EXCLUSIVE on both tables, written as pg_locks names everywhere.
    let fk = "`measurements` ShareRowExclusiveLock<br>`devices` ShareRowExclusiveLock";
    assert_eq!(check_rows[&3]["Locks"], fk);
    assert_eq!(report_rows[&3]["Locks (held until commit)"], fk);
    assert_eq!(
        stmts[2]["locks"],
        serde_json::json!([
            {"table": "measurements", "mode": "ShareRowExclusiveLock", "blocks": ["writes", "ddl"]},
            {"table": "devices", "mode": "ShareRowExclusiveLock", "blocks": ["writes", "ddl"]}
        ])
    );
    assert_eq!(check_rows[&3]["Work"], "validation `measurements`");
    assert_eq!(check_rows[&5]["Work"], "rewrite `measurements`");

    // Every statement: the same locks, the same wording of what they block, the same work. (An
    // empty cell is "—" in check and "–" in report.)
    let cell = |s: &str| {
        if s == "—" || s == "–" {
            String::new()
        } else {
            s.to_string()
        }
    };
    for (stmt, ((line, c), (report_line, r))) in
        stmts.iter().zip(check_rows.iter().zip(&report_rows))
    {
        assert_eq!((line, Some(*line)), (report_line, stmt["line"].as_u64()));
        let json_locks: Vec<String> = stmt["locks"]
            .as_array()
            .expect("locks")
            .iter()
            .map(|l| {
                format!(
                    "`{}` {}",
                    l["table"].as_str().unwrap_or(""),
                    l["mode"].as_str().unwrap_or("")
                )
            })
            .collect();
        assert_eq!(cell(&c["Locks"]), json_locks.join("<br>"), "line {line}");
        assert_eq!(
            cell(&r["Locks (held until commit)"]),
            json_locks.join("<br>"),
            "line {line}"
        );
        // check prefixes what each lock blocks with its table; report lists them in lock order.
        let check_blocks: Vec<&str> = c["Blocks"]
            .split("<br>")
            .filter_map(|b| b.rsplit_once("` ").map(|(_, what)| what))
            .collect();
        let report_blocks = cell(&r["Blocks"]);
        let report_blocks: Vec<&str> = report_blocks
            .split("<br>")
            .filter(|b| !b.is_empty())
            .collect();
        assert_eq!(check_blocks, report_blocks, "line {line}");
        assert_eq!(cell(&c["Work"]), cell(&r["Work"]), "line {line}");
    }
}
