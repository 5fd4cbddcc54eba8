//! The command line end to end: arguments, exit code, stdout and stderr together.

mod common;
use common::{Run, locklint_with_stdin as locklint, write};
use std::path::Path;

fn json(run: &Run) -> serde_json::Value {
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {}", run.stdout))
}

/// (rule, line) of every diagnostic, in output order.
fn rule_lines(v: &serde_json::Value) -> Vec<(&str, u64)> {
    v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["rule"].as_str().unwrap(), d["line"].as_u64().unwrap()))
        .collect()
}

const BIG: &str = "[tables]\nmeasurements = { rows = 450_000_000 }\n";

#[test]
fn clean_file_exits_0() {
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        "m/001.sql",
        "CREATE TABLE t (id bigint);\nCREATE INDEX t_idx ON t (id);\n",
    );
    let r = locklint(d.path(), &["check", "m"], None);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert_eq!(
        r.stdout,
        "0 errors, 0 warnings in 1 file (2 statements, 0 unparsed)\n"
    );
    assert_eq!(r.stderr, "");
}

#[test]
fn risky_file_exits_1_with_location() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "locklint.toml", BIG);
    write(
        d.path(),
        "m/002.sql",
        "-- add an index\nCREATE INDEX m_idx ON measurements (device_id);\n",
    );
    let r = locklint(d.path(), &["check", "m/002.sql", "--format", "json"], None);
    assert_eq!(r.code, 1);
    let v = json(&r);
    let d0 = &v["diagnostics"][0];
    assert_eq!(d0["rule"], "create-index-non-concurrently");
    assert_eq!(d0["path"], "m/002.sql");
    assert_eq!(d0["line"], 2);
    assert_eq!(d0["column"], 1);
    assert_eq!(d0["lock"], "ShareLock");
    assert_eq!(d0["table"], "measurements");
    assert_eq!(v["summary"]["errors"], 1);
}

#[test]
fn unparsable_statement_then_risky_one_reports_both() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "locklint.toml", BIG);
    write(
        d.path(),
        "m/003.sql",
        "CREATE TABLE ok (id int);\nALTER TABLE ok FROBNICATE;\n\nCREATE INDEX m_idx ON measurements (device_id);\n",
    );
    let r = locklint(d.path(), &["check", "m", "--format", "json"], None);
    assert_eq!(r.code, 1);
    let v = json(&r);
    assert_eq!(
        rule_lines(&v),
        [
            ("parse-error", 2),
            ("create-index-non-concurrently", 4),
            ("missing-lock-timeout", 4),
        ]
    );
    assert_eq!(v["summary"]["unparsed"], 1);
    assert_eq!(v["summary"]["statements"], 3);
}

#[test]
fn fail_on_warning_turns_warnings_into_exit_1() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "x.sql", "SELECT 1 +;\n");
    assert_eq!(locklint(d.path(), &["check", "x.sql"], None).code, 0);
    assert_eq!(
        locklint(d.path(), &["check", "x.sql", "--fail-on", "warning"], None).code,
        1
    );
}

#[test]
fn stdin_with_a_name() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "locklint.toml", BIG);
    let r = locklint(
        d.path(),
        &[
            "check",
            "-",
            "--stdin-filename",
            "db/0007_idx.sql",
            "--format",
            "json",
        ],
        Some("CREATE INDEX m_idx ON measurements (device_id);"),
    );
    assert_eq!(r.code, 1);
    assert_eq!(json(&r)["diagnostics"][0]["path"], "db/0007_idx.sql");
}

#[test]
fn directory_walk_is_sorted_recursive_and_only_sql() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "m/b dir/2 ü.sql", "SELECT 1;\n");
    write(d.path(), "m/a/1.sql", "SELECT 1;\n");
    write(d.path(), "m/a/notes.txt", "not sql at all (");
    write(d.path(), "m/c.SQL", "SELECT 1;\n");
    let r = locklint(d.path(), &["check", "m", "--format", "json"], None);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(json(&r)["summary"]["files"], 3);
    // An explicitly named file is linted whatever its extension.
    let r = locklint(
        d.path(),
        &["check", "m/a/notes.txt", "--format", "json"],
        None,
    );
    assert_eq!(json(&r)["summary"]["unparsed"], 1);
}

#[test]
fn bad_config_exits_2_pointing_at_the_line() {
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        "locklint.toml",
        "postgres_version = 15\n[size]\nlarge_rowz = 10\n",
    );
    write(d.path(), "x.sql", "SELECT 1;\n");
    let r = locklint(d.path(), &["check", "x.sql"], None);
    assert_eq!(r.code, 2);
    assert_eq!(r.stdout, "");
    assert!(r.stderr.contains("locklint.toml:3:1"), "{}", r.stderr);
    assert!(r.stderr.contains("large_rowz"), "{}", r.stderr);
}

#[test]
fn missing_path_exits_2_but_lints_the_rest() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "locklint.toml", BIG);
    write(
        d.path(),
        "x.sql",
        "CREATE INDEX m_idx ON measurements (device_id);\n",
    );
    let r = locklint(
        d.path(),
        &["check", "nope.sql", "x.sql", "--format", "json"],
        None,
    );
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("nope.sql"), "{}", r.stderr);
    assert_eq!(json(&r)["summary"]["errors"], 1);
}

#[test]
fn usage_errors_exit_2() {
    let d = tempfile::tempdir().unwrap();
    assert_eq!(
        locklint(d.path(), &["check", "--format", "yaml"], None).code,
        2
    );
    assert_eq!(
        locklint(d.path(), &["check", "--postgres-version", "9"], None).code,
        2
    );
    assert_eq!(
        locklint(d.path(), &["explain", "no-such-rule"], None).code,
        2
    );
}

#[test]
fn config_paths_are_the_default_inputs() {
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        "locklint.toml",
        &format!("[migrations]\npaths = [\"db\"]\n{BIG}"),
    );
    write(
        d.path(),
        "db/1.sql",
        "CREATE INDEX m_idx ON measurements (device_id);\n",
    );
    write(d.path(), "elsewhere/2.sql", "SELECT 1 +;\n");
    let r = locklint(d.path(), &["check", "--format", "json"], None);
    assert_eq!(r.code, 1);
    let v = json(&r);
    assert_eq!(v["summary"]["files"], 1);
    assert_eq!(v["diagnostics"][0]["path"], "db/1.sql");
}

#[test]
fn explain_prints_the_page_and_rules_lists_them() {
    let d = tempfile::tempdir().unwrap();
    let r = locklint(
        d.path(),
        &["explain", "create-index-non-concurrently"],
        None,
    );
    assert_eq!(r.code, 0);
    assert!(
        r.stdout
            .starts_with("# create-index-non-concurrently (LL001)")
    );
    let r = locklint(d.path(), &["rules"], None);
    assert!(
        r.stdout
            .lines()
            .any(|l| l.starts_with("LL001") && l.contains("create-index-non-concurrently"))
    );
}

#[test]
fn the_shipped_example_reports_the_outage() {
    let ex = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let r = locklint(&ex, &["check", "--format", "json"], None);
    assert_eq!(r.code, 1);
    let v = json(&r);
    let rules: Vec<&str> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["rule"].as_str().unwrap())
        .collect();
    assert!(rules.contains(&"add-foreign-key-validated"), "{rules:?}");
    assert!(
        rules.contains(&"create-index-non-concurrently"),
        "{rules:?}"
    );
    // The safe migration and the new tables produce nothing.
    assert!(
        v["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d["path"] == "migrations/0002_add_patient_fk.sql")
    );
}

#[test]
fn readme_command_finds_the_example_config_from_the_repo_root() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let r = locklint(root, &["check", "examples/", "--format", "json"], None);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let v = json(&r);
    assert_eq!(v["summary"]["errors"], 2);
    assert_eq!(
        v["diagnostics"][0]["path"],
        "examples/migrations/0002_add_patient_fk.sql"
    );
}

#[test]
fn suppressions_silence_one_statement_and_unused_ones_are_reported() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "locklint.toml", BIG);
    write(
        d.path(),
        "m.sql",
        "-- locklint:ignore create-index-non-concurrently built in a maintenance window\n\
         CREATE INDEX a ON measurements (x);\n\
         CREATE INDEX b ON measurements (y);\n\
         -- squawk-ignore require-concurrent-index-creation\n\
         CREATE INDEX c ON measurements (z);\n\
         -- locklint:ignore add-foreign-key-validated nothing to silence here\n\
         SELECT 1;\n",
    );
    let r = locklint(d.path(), &["check", "m.sql", "--format", "json"], None);
    let v = json(&r);
    assert_eq!(
        rule_lines(&v),
        [
            ("missing-lock-timeout", 2),
            ("create-index-non-concurrently", 3),
            ("unused-suppression", 6),
        ]
    );
}

#[test]
fn with_history_lints_named_files_with_their_folders_replayed() {
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        "db/migrations/001_accounts.sql",
        "CREATE TABLE accounts (id bigint, name varchar(50));\nCREATE INDEX a_idx ON accounts (id);\n",
    );
    write(
        d.path(),
        "db/migrations/002_widen.sql",
        "ALTER TABLE accounts ALTER COLUMN name TYPE varchar(100);\n",
    );
    // Alone, the current type is unknown: the widening is reported.
    let alone = locklint(
        d.path(),
        &["check", "db/migrations/002_widen.sql", "--format", "json"],
        None,
    );
    assert_eq!(alone.code, 1, "{}", alone.stdout);
    assert!(rule_lines(&json(&alone)).contains(&("alter-column-type-rewrite", 1)));
    // With history: 001 is replayed (its findings are not reported), 002 is metadata-only.
    let r = locklint(
        d.path(),
        &[
            "check",
            "--with-history",
            "db/migrations/002_widen.sql",
            "--format",
            "json",
        ],
        None,
    );
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let v = json(&r);
    // (A warning for the missing lock_timeout remains; the type change itself is not reported.)
    assert_eq!(rule_lines(&v), vec![("missing-lock-timeout", 1)]);
    assert_eq!(v["diagnostics"][0]["path"], "db/migrations/002_widen.sql");
    assert_eq!(v["summary"]["files"], 1);
    // --since and --with-history are two ways of choosing the selection.
    let both = locklint(
        d.path(),
        &["check", "--with-history", "--since", "HEAD", "db"],
        None,
    );
    assert_eq!(both.code, 2);
    assert!(
        both.stderr.contains("cannot be used with"),
        "{}",
        both.stderr
    );
}

#[test]
fn default_walk_skips_ignored_and_hidden_folders_but_named_paths_are_linted() {
    let d = tempfile::tempdir().unwrap();
    let risky = "CREATE INDEX m_idx ON measurements (device_id);\n";
    write(d.path(), "db/migrations/001.sql", risky);
    write(d.path(), "node_modules/pkg/migrations/001.sql", risky);
    write(d.path(), "target/debug/build/x/001.sql", risky);
    write(d.path(), ".cache/migrations/001.sql", risky);
    write(d.path(), "vendor/migrations/001.sql", risky);
    write(d.path(), ".gitignore", "node_modules/\n/target\n");
    write(d.path(), ".ignore", "vendor/\n");
    let paths = |r: &Run| -> Vec<String> {
        let mut p: Vec<String> = json(r)["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["path"].as_str().unwrap().to_string())
            .collect();
        p.dedup();
        p
    };
    // No config, no arguments: only what git would see, without hidden folders (even outside
    // a git repository).
    let r = locklint(d.path(), &["check", "--format", "json"], None);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(paths(&r), vec!["./db/migrations/001.sql"]);
    // Named paths are linted whatever the ignore files say.
    let r = locklint(
        d.path(),
        &[
            "check",
            "--format",
            "json",
            "node_modules/pkg/migrations",
            ".cache/migrations/001.sql",
            "vendor",
        ],
        None,
    );
    assert_eq!(
        paths(&r),
        vec![
            "node_modules/pkg/migrations/001.sql",
            ".cache/migrations/001.sql",
            "vendor/migrations/001.sql"
        ]
    );
}

#[test]
fn nothing_found_is_an_error_without_a_summary() {
    let d = tempfile::tempdir().unwrap();
    let r = locklint(d.path(), &["check", "nonexistent"], None);
    assert_eq!(
        (r.code, r.stdout.as_str(), r.stderr.as_str()),
        (2, "", "error: nonexistent: No such file or directory\n")
    );
}

#[test]
fn missing_config_path_names_the_config() {
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        "locklint.toml",
        "[migrations]\npaths = [\"db/migratons\"]\n",
    );
    let r = locklint(d.path(), &["check"], None);
    assert_eq!(r.code, 2);
    assert_eq!(
        r.stderr,
        "error: db/migratons: No such file or directory (from `[migrations] paths` in locklint.toml)\n"
    );
}

#[test]
fn folder_without_sql_files_says_nothing_was_linted() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "migrations/README.md", "nothing here\n");
    write(d.path(), "db/001.sql", "CREATE TABLE t (id int);\n");
    let r = locklint(d.path(), &["check", "migrations", "db"], None);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.stderr,
        "warning: migrations: no .sql files in this folder; nothing was linted there\n"
    );
    assert!(r.stdout.contains("in 1 file"), "{}", r.stdout);
}

#[test]
fn markdown_is_capped_most_severe_first() {
    let d = tempfile::tempdir().unwrap();
    // Many files, each with warnings (missing lock_timeout) and an error (a blocking index
    // build on a table of unknown size).
    for i in 0..400 {
        write(
            d.path(),
            &format!("m/{i:04}_x.sql"),
            &format!(
                "ALTER TABLE t{i} ADD COLUMN c int;\nCREATE INDEX i{i} ON measurements (c{i});\n"
            ),
        );
    }
    let r = locklint(d.path(), &["check", "m", "--format", "markdown"], None);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stdout.len() <= 65_536, "{} bytes", r.stdout.len());
    assert!(
        r.stdout.contains("not shown"),
        "{}",
        &r.stdout[r.stdout.len() - 500..]
    );
    // Errors come first: the first finding row is an error, and every error row comes before
    // any warning row.
    let rows: Vec<&str> = r
        .stdout
        .lines()
        .filter(|l| l.starts_with("| error |") || l.starts_with("| warning |"))
        .collect();
    assert!(rows[0].starts_with("| error |"), "{}", rows[0]);
    let first_warning = rows.iter().position(|l| l.starts_with("| warning |"));
    let last_error = rows.iter().rposition(|l| l.starts_with("| error |"));
    if let (Some(w), Some(e)) = (first_warning, last_error) {
        assert!(e < w, "errors before warnings");
    }
    // The limit is an option.
    let small = locklint(
        d.path(),
        &[
            "check",
            "m",
            "--format",
            "markdown",
            "--markdown-max-chars",
            "4000",
        ],
        None,
    );
    assert!(small.stdout.len() <= 4000, "{}", small.stdout.len());
    let tail = small.stdout.lines().last().unwrap_or("");
    assert!(
        tail.contains("findings")
            && tail.contains("not shown")
            && tail.contains("--markdown-max-chars"),
        "{tail}"
    );
}

#[test]
fn suppression_forms_are_honoured_or_reported() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "locklint.toml", BIG);
    write(
        d.path(),
        "m/001.sql",
        "SET lock_timeout = '2s';\n\
         -- locklint:ignore\n\
         CREATE INDEX a ON measurements (x);\n\
         -- locklint: ignore create-index-non-concurrently spaces after the colon\n\
         CREATE INDEX b ON measurements (x);\n\
         -- LOCKLINT:IGNORE create-index-non-concurrently upper case\n\
         CREATE INDEX c ON measurements (x);\n\
         -- locklint : ignore create-index-non-concurrently spaces around the colon\n\
         CREATE INDEX d ON measurements (x);\n\
         -- locklint:disable create-index-non-concurrently\n\
         CREATE INDEX e ON measurements (x);\n\
         -- locklint ignore create-index-non-concurrently\n\
         CREATE INDEX f ON measurements (x);\n\
         -- locklint runs in CI (prose, not a directive)\n\
         CREATE TABLE g (id int);\n",
    );
    let r = locklint(d.path(), &["check", "m", "--format", "json"], None);
    let v = json(&r);
    assert_eq!(
        rule_lines(&v),
        vec![
            ("unused-suppression", 2),
            ("create-index-non-concurrently", 3),
            ("unused-suppression", 10),
            ("create-index-non-concurrently", 11),
            ("unused-suppression", 12),
            ("create-index-non-concurrently", 13),
        ]
    );
    let messages: Vec<&str> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["rule"] == "unused-suppression")
        .map(|d| d["message"].as_str().unwrap())
        .collect();
    assert!(messages[0].contains("names no rule"), "{}", messages[0]);
    assert!(
        messages[1].contains("not a locklint directive"),
        "{}",
        messages[1]
    );
    assert!(
        messages[2].contains("not a locklint directive"),
        "{}",
        messages[2]
    );
}

#[test]
fn squawks_disable_assume_in_transaction_directive_is_honoured() {
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        "locklint.toml",
        "[migrations]\nassume_in_transaction = true\n",
    );
    let sql = "CREATE INDEX CONCURRENTLY t_idx ON t (id);\n";
    write(d.path(), "m/001.sql", sql);
    write(
        d.path(),
        "m/002.sql",
        &format!("-- squawk-disable-assume-in-transaction\n{sql}"),
    );
    let r = locklint(d.path(), &["check", "m", "--format", "json"], None);
    let v = json(&r);
    let hits: Vec<(&str, &str)> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["rule"] == "concurrently-in-transaction")
        .map(|d| (d["rule"].as_str().unwrap(), d["path"].as_str().unwrap()))
        .collect();
    assert_eq!(hits, [("concurrently-in-transaction", "m/001.sql")]);
}

/// `[migrations] extensions` decides which walked files are migrations; a named file is linted
/// whatever its name.
#[test]
fn configured_extensions_choose_the_walked_files() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let bad = "CREATE INDEX i ON t (a);\n";
    write(root, "db/001_a.psql", bad);
    write(root, "db/002_b.sql", bad);
    write(root, "notes.txt", bad);
    let files = |run: &Run| -> Vec<String> {
        let v = json(run);
        let mut f: Vec<String> = v["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["path"].as_str().unwrap().to_string())
            .collect();
        f.dedup();
        f
    };
    let default = locklint(root, &["check", "--format", "json", "db"], None);
    assert_eq!(files(&default), ["db/002_b.sql"], "{}", default.stdout);
    write(
        root,
        "locklint.toml",
        "[migrations]\nextensions = [\"psql\"]\n",
    );
    let psql = locklint(root, &["check", "--format", "json", "db"], None);
    assert_eq!(files(&psql), ["db/001_a.psql"], "{}", psql.stdout);
    let named = locklint(root, &["check", "--format", "json", "notes.txt"], None);
    assert_eq!(files(&named), ["notes.txt"], "{}", named.stdout);
}
