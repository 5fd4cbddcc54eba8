//! The shipped pre-commit hook (`.pre-commit-hooks.yaml`) run by the real `pre-commit` (PyPI)
//! from `git commit` in a scratch repository. Skips with a printed reason when `pre-commit` or
//! `git` is missing, and fails instead under `LOCKLINT_REQUIRE_PRECOMMIT=1` (CI, see `.ci/run`).
//!
//! The hook's own definition is used as written except `language`: pre-commit would build
//! locklint from source with `cargo install` for `language: rust`, which takes minutes; the
//! test runs the `locklint` just built instead (`language: system`, found on PATH), so the
//! entry, its arguments, `files`, `pass_filenames` and `require_serial` are the shipped ones.

mod common;
use common::{skip_unless_required, write};
use std::path::{Path, PathBuf};
use std::process::Command;

const REQUIRE: &str = "LOCKLINT_REQUIRE_PRECOMMIT";

struct Out {
    ok: bool,
    text: String,
}

/// Run a command in `dir` with locklint's folder first on PATH and pre-commit's cache in
/// `home`; stdout and stderr together.
fn run(dir: &Path, home: &Path, program: &str, args: &[&str]) -> Out {
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_locklint"));
    let bin_dir = bin.parent().expect("the binary is in a folder");
    let path = std::env::var_os("PATH").unwrap_or_default();
    let mut dirs = vec![bin_dir.to_path_buf()];
    dirs.extend(std::env::split_paths(&path));
    let out = Command::new(program)
        .args(args)
        .current_dir(dir)
        .env("PATH", std::env::join_paths(dirs).expect("PATH joins"))
        .env("PRE_COMMIT_HOME", home)
        .env("NO_COLOR", "1")
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.com")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.com")
        .env_remove("GIT_DIR")
        .env_remove("GIT_INDEX_FILE")
        .output()
        .unwrap_or_else(|e| panic!("{program} runs: {e}"));
    Out {
        ok: out.status.success(),
        text: format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    }
}

fn available(program: &str) -> Result<(), String> {
    match Command::new(program).arg("--version").output() {
        Ok(o) if o.status.success() => Ok(()),
        Ok(o) => Err(format!(
            "`{program} --version` failed: {}",
            String::from_utf8_lossy(&o.stderr).trim()
        )),
        Err(e) => Err(format!(
            "`{program}` not found ({e}); `pip install pre-commit`"
        )),
    }
}

/// `.pre-commit-config.yaml` for a local repository holding the shipped hooks, run with the
/// locklint on PATH.
fn config_from_shipped_hooks() -> String {
    let shipped = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/.pre-commit-hooks.yaml"
    ))
    .expect(".pre-commit-hooks.yaml is readable");
    let mut out = String::from("repos:\n  - repo: local\n    hooks:\n");
    for line in shipped.lines() {
        let trimmed = line.trim_start();
        let indent = &line[..line.len() - trimmed.len()];
        let line = if trimmed.starts_with("language:") {
            format!("{indent}language: system")
        } else {
            line.to_string()
        };
        out.push_str("      ");
        out.push_str(&line);
        out.push('\n');
    }
    out
}

#[test]
fn hook_replays_history_blocks_risky_and_passes_safe() {
    for program in ["git", "pre-commit"] {
        if let Err(reason) = available(program) {
            skip_unless_required(REQUIRE, "pre-commit hook test", &reason);
            return;
        }
    }
    let d = tempfile::tempdir().unwrap();
    let repo = d.path().join("repo");
    let home = d.path().join("pre-commit-home");
    std::fs::create_dir_all(&repo).unwrap();
    let git = |args: &[&str]| run(&repo, &home, "git", args);
    assert!(git(&["init", "-q", "-b", "main"]).ok);
    write(
        &repo,
        ".pre-commit-config.yaml",
        &config_from_shipped_hooks(),
    );
    let install = run(&repo, &home, "pre-commit", &["install"]);
    assert!(install.ok, "{}", install.text);

    // History: the table is created in a committed migration.
    write(
        &repo,
        "db/migrations/001_accounts.sql",
        "CREATE TABLE accounts (id bigint PRIMARY KEY, name varchar(50));\n",
    );
    assert!(git(&["add", "-A"]).ok);
    let first = git(&["commit", "-q", "-m", "accounts"]);
    assert!(first.ok, "the first migration is safe: {}", first.text);

    // Safe only with history: widening a varchar whose current type the replay knows.
    write(
        &repo,
        "db/migrations/002_widen.sql",
        "ALTER TABLE accounts ALTER COLUMN name TYPE varchar(100);\n",
    );
    // Not staged: must not be linted (it would fail).
    write(
        &repo,
        "db/migrations/004_untracked.sql",
        "CREATE INDEX accounts_untracked_idx ON accounts (id);\n",
    );
    assert!(git(&["add", "db/migrations/002_widen.sql"]).ok);
    let safe = git(&["commit", "-m", "widen"]);
    assert!(
        safe.ok,
        "widening varchar(50) to varchar(100) is metadata-only once 001 is replayed:\n{}",
        safe.text
    );
    assert!(safe.text.contains("locklint"), "{}", safe.text);
    assert!(safe.text.contains("Passed"), "{}", safe.text);

    // Risky: an index built with writes blocked on an existing table of unknown size.
    write(
        &repo,
        "db/migrations/003_index.sql",
        "CREATE INDEX accounts_name_idx ON accounts (name);\n",
    );
    assert!(git(&["add", "db/migrations/003_index.sql"]).ok);
    let risky = git(&["commit", "-m", "index"]);
    assert!(
        !risky.ok,
        "the index must block the commit:\n{}",
        risky.text
    );
    assert!(risky.text.contains("Failed"), "{}", risky.text);
    assert!(
        risky.text.contains("create-index-non-concurrently"),
        "the finding is shown:\n{}",
        risky.text
    );
    assert!(risky.text.contains("003_index.sql"), "{}", risky.text);
    // Only the staged file is reported: neither the replayed history nor the untracked file.
    assert!(!risky.text.contains("004_untracked"), "{}", risky.text);
    assert!(!risky.text.contains("002_widen"), "{}", risky.text);

    let log = git(&["log", "--format=%s"]);
    assert_eq!(log.text, "widen\naccounts\n");
}
