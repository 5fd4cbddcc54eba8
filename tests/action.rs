//! The GitHub Action's script (`action/run.sh`, run by `action.yml`) with the GitHub
//! environment simulated: a scratch repository cloned from an "origin" with a `main` branch,
//! a pull-request branch on top, `GITHUB_BASE_REF` and `GITHUB_STEP_SUMMARY` set as on a
//! pull_request run. Needs `bash` and `git` (skips without them, as `git` is needed by
//! `--since`).

mod common;
use common::write;
use std::path::{Path, PathBuf};
use std::process::Command;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

struct Out {
    code: i32,
    stdout: String,
    stderr: String,
}

fn path_with_locklint() -> std::ffi::OsString {
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_locklint"));
    let mut dirs = vec![bin.parent().expect("a folder").to_path_buf()];
    dirs.extend(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    ));
    std::env::join_paths(dirs).expect("PATH joins")
}

fn run(dir: &Path, program: &str, args: &[&str], env: &[(&str, &str)]) -> Out {
    let mut cmd = Command::new(program);
    cmd.args(args)
        .current_dir(dir)
        .env("PATH", path_with_locklint())
        .env("NO_COLOR", "1")
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.com")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.com");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("{program} runs: {e}"));
    Out {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn git(dir: &Path, args: &[&str]) {
    let o = run(dir, "git", args, &[]);
    assert_eq!(o.code, 0, "git {args:?}: {}{}", o.stdout, o.stderr);
}

fn tools_available() -> bool {
    ["git", "bash"].iter().all(|p| {
        let ok = Command::new(p)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success());
        if !ok {
            eprintln!("skipping action test: `{p}` is not available");
        }
        ok
    })
}

/// A clone of an origin whose `main` has a risky migration already merged, on a branch `pr`.
fn scratch() -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    let origin = d.path().join("origin");
    std::fs::create_dir_all(&origin).unwrap();
    git(&origin, &["init", "-q", "-b", "main"]);
    write(
        &origin,
        "db/migrations/001_accounts.sql",
        "CREATE TABLE accounts (id bigint PRIMARY KEY, name varchar(50));\n",
    );
    // Merged long ago: on the base branch, never reported by a pull request.
    write(
        &origin,
        "db/migrations/002_old_index.sql",
        "CREATE INDEX accounts_name_idx ON accounts (name);\n",
    );
    git(&origin, &["add", "-A"]);
    git(&origin, &["commit", "-q", "-m", "base"]);
    git(d.path(), &["clone", "-q", "origin", "work"]);
    git(&d.path().join("work"), &["checkout", "-q", "-b", "pr"]);
    d
}

fn action(work: &Path, summary: &Path, inputs: &[(&str, &str)]) -> Out {
    let summary = summary.to_str().unwrap();
    let mut env = vec![
        ("GITHUB_ACTIONS", "true"),
        ("GITHUB_EVENT_NAME", "pull_request"),
        ("GITHUB_BASE_REF", "main"),
        ("GITHUB_HEAD_REF", "pr"),
        ("GITHUB_ACTION_PATH", ROOT),
        ("GITHUB_STEP_SUMMARY", summary),
        // As action.yml passes them (empty inputs are empty strings).
        ("INPUT_PATHS", ""),
        ("INPUT_CONFIG", ""),
        ("INPUT_FAIL_ON", ""),
        ("INPUT_BASE_REF", ""),
        ("INPUT_SUMMARY_MAX_CHARS", "65536"),
    ];
    for (k, v) in inputs {
        env.retain(|(e, _)| e != k);
        env.push((k, v));
    }
    let script = format!("{ROOT}/action/run.sh");
    run(work, "bash", &[&script], &env)
}

#[test]
fn action_reports_only_the_pull_requests_migrations() {
    if !tools_available() {
        return;
    }
    let d = scratch();
    let work = d.path().join("work");
    let summary = d.path().join("summary.md");

    // A safe change: widening a column whose type the replayed history knows.
    write(
        &work,
        "db/migrations/003_widen.sql",
        "SET lock_timeout = '2s';\nALTER TABLE accounts ALTER COLUMN name TYPE varchar(100);\n",
    );
    git(&work, &["add", "-A"]);
    git(&work, &["commit", "-q", "-m", "widen"]);
    let safe = action(&work, &summary, &[("INPUT_PATHS", "db/migrations")]);
    assert_eq!(safe.code, 0, "{}{}", safe.stdout, safe.stderr);
    assert!(!safe.stdout.contains("::error"), "{}", safe.stdout);
    let text = std::fs::read_to_string(&summary).unwrap();
    assert!(text.starts_with("## locklint\n"), "{text}");
    assert!(text.contains("**0 errors, 0 warnings in 1 file"), "{text}");

    // A risky one: annotated, in the summary, and the step fails.
    write(
        &work,
        "db/migrations/004_index.sql",
        "SET lock_timeout = '2s';\nCREATE INDEX accounts_id_name_idx ON accounts (id, name);\n",
    );
    git(&work, &["add", "-A"]);
    git(&work, &["commit", "-q", "-m", "index"]);
    std::fs::remove_file(&summary).unwrap();
    let risky = action(&work, &summary, &[("INPUT_PATHS", "db/migrations")]);
    assert_eq!(risky.code, 1, "{}{}", risky.stdout, risky.stderr);
    assert!(
        risky
            .stdout
            .contains("::error file=db/migrations/004_index.sql,line=2"),
        "{}",
        risky.stdout
    );
    assert!(!risky.stdout.contains("002_old_index"), "{}", risky.stdout);
    let text = std::fs::read_to_string(&summary).unwrap();
    assert!(text.contains("create-index-non-concurrently"), "{text}");
    assert!(text.contains("db/migrations/004_index.sql:2:1"), "{text}");
    assert!(!text.contains("002_old_index"), "{text}");

    // A base-ref input replaces the default; the summary is capped.
    std::fs::remove_file(&summary).unwrap();
    let capped = action(
        &work,
        &summary,
        &[
            ("INPUT_PATHS", "db/migrations"),
            ("INPUT_BASE_REF", "HEAD~1"),
            ("INPUT_SUMMARY_MAX_CHARS", "1000"),
        ],
    );
    assert_eq!(capped.code, 1, "{}", capped.stderr);
    let text = std::fs::read_to_string(&summary).unwrap();
    assert!(text.len() <= 1000, "{}", text.len());
    assert!(text.contains("in 1 file"), "only 004 since HEAD~1: {text}");
}

#[test]
fn action_fetches_a_missing_base_branch_and_reads_the_config() {
    if !tools_available() {
        return;
    }
    let d = scratch();
    let work = d.path().join("work");
    // As after actions/checkout: no remote-tracking ref for the base branch.
    git(&work, &["update-ref", "-d", "refs/remotes/origin/main"]);
    write(
        &work,
        "locklint.ci.toml",
        "fail_on = \"warning\"\n[migrations]\npaths = [\"db/migrations\"]\n",
    );
    write(
        &work,
        "db/migrations/003_col.sql",
        "ALTER TABLE accounts ADD COLUMN c int;\n",
    );
    git(&work, &["add", "-A"]);
    git(&work, &["commit", "-q", "-m", "col"]);
    let summary = d.path().join("summary.md");
    let r = action(&work, &summary, &[("INPUT_CONFIG", "locklint.ci.toml")]);
    // Only a warning (no lock_timeout), and the config fails on warnings.
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout
            .contains("::warning file=db/migrations/003_col.sql"),
        "{}",
        r.stdout
    );
    // The fail-on input wins over the config.
    let r = action(
        &work,
        &summary,
        &[
            ("INPUT_CONFIG", "locklint.ci.toml"),
            ("INPUT_FAIL_ON", "error"),
        ],
    );
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
}

#[test]
fn action_yml_passes_every_input_to_the_script() {
    let yml = std::fs::read_to_string(format!("{ROOT}/action.yml")).unwrap();
    let run = std::fs::read_to_string(format!("{ROOT}/action/run.sh")).unwrap();
    let install = std::fs::read_to_string(format!("{ROOT}/action/install.sh")).unwrap();
    assert!(yml.contains("using: composite"));
    for (input, var) in [
        ("paths", "INPUT_PATHS"),
        ("config", "INPUT_CONFIG"),
        ("fail-on", "INPUT_FAIL_ON"),
        ("base-ref", "INPUT_BASE_REF"),
        ("version", "INPUT_VERSION"),
        ("summary-max-chars", "INPUT_SUMMARY_MAX_CHARS"),
    ] {
        assert!(yml.contains(&format!("\n  {input}:\n")), "input {input}");
        assert!(
            yml.contains(&format!("{var}: ${{{{ inputs.{input} }}}}")),
            "{var} from {input}"
        );
        assert!(run.contains(var) || install.contains(var), "{var} is read");
    }
}
