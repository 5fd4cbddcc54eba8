//! Shared by the integration tests: running the `locklint` binary, skipping a test that cannot
//! run here (with a printed reason, or a failure where the environment must run it), the shared
//! corpus, and the oracle cases (`oracle`).
#![allow(dead_code)] // each test crate uses its own subset

pub mod oracle;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The real-world corpus beside the repository (`../shared/corpus`, see the README).
pub const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/corpus");

/// A test that cannot run here: fails when `require_var` is `1` (CI sets it, see `.ci/run`),
/// else prints `skipping TEST: REASON` on standard error so that the skip shows with
/// `--nocapture` and in the captured output of a failing run.
pub fn skip_unless_required(require_var: &str, test: &str, reason: &str) {
    if std::env::var(require_var).as_deref() == Ok("1") {
        panic!("{test} must run here ({require_var}=1) but {reason}");
    }
    eprintln!("skipping {test}: {reason}");
}

/// The corpus folder, or `None` after [`skip_unless_required`] with `LOCKLINT_REQUIRE_CORPUS`
/// when it has no readable `MANIFEST.toml`.
pub fn corpus_or_skip(test: &str) -> Option<PathBuf> {
    let root = PathBuf::from(CORPUS);
    let manifest = root.join("MANIFEST.toml");
    match std::fs::metadata(&manifest) {
        Ok(m) if m.is_file() => Some(root),
        Ok(_) => {
            let reason = format!("{} is not a file", manifest.display());
            skip_unless_required("LOCKLINT_REQUIRE_CORPUS", test, &reason);
            None
        }
        Err(e) => {
            let reason = format!("no corpus: {}: {e}", manifest.display());
            skip_unless_required("LOCKLINT_REQUIRE_CORPUS", test, &reason);
            None
        }
    }
}

/// What one run of the binary produced.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Run `locklint ARGS` in `dir` without colour and with no standard input.
pub fn locklint(dir: &Path, args: &[&str]) -> Run {
    locklint_with_stdin(dir, args, None)
}

/// Run `locklint ARGS` in `dir` without colour, feeding `stdin` when given.
pub fn locklint_with_stdin(dir: &Path, args: &[&str], stdin: Option<&str>) -> Run {
    run(
        Command::new(env!("CARGO_BIN_EXE_locklint")),
        dir,
        args,
        stdin,
    )
}

/// Run `WRAPPER... locklint ARGS` in `dir` without colour and with no standard input (e.g.
/// `setpriv --reuid nobody ...`, to run it as another user).
pub fn locklint_wrapped(wrapper: &[&str], dir: &Path, args: &[&str]) -> Run {
    let Some((program, wrapper_args)) = wrapper.split_first() else {
        return locklint(dir, args);
    };
    let mut cmd = Command::new(program);
    cmd.args(wrapper_args).arg(env!("CARGO_BIN_EXE_locklint"));
    run(cmd, dir, args, None)
}

fn run(mut cmd: Command, dir: &Path, args: &[&str], stdin: Option<&str>) -> Run {
    let mut child = cmd
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("locklint runs");
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
    }
    let out = child.wait_with_output().unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Write `text` to `dir/rel`, creating folders.
pub fn write(dir: &Path, rel: &str, text: &str) -> PathBuf {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(&p, text).unwrap();
    p
}

/// The cells of a Markdown table row, trimmed (split on pipes not escaped with a backslash;
/// `\|` becomes `|`).
pub fn markdown_cells(row: &str) -> Vec<String> {
    let inner = row
        .trim()
        .strip_prefix('|')
        .and_then(|r| r.strip_suffix('|'))
        .expect("a table row");
    let mut out = vec![String::new()];
    let mut chars = inner.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&'|') => {
                chars.next();
                out.last_mut().expect("a cell").push('|');
            }
            '|' => out.push(String::new()),
            c => out.last_mut().expect("a cell").push(c),
        }
    }
    out.into_iter().map(|c| c.trim().to_string()).collect()
}

/// A fenced block of a rule page (`rules/*.md`): its info string (`sql bad`, `toml`, ...) and text.
pub struct Block {
    pub kind: String,
    pub text: String,
    /// 1-based line of the block's first line in the page.
    pub page_line: usize,
}

pub fn page_blocks(page: &str) -> Vec<Block> {
    let mut out = Vec::new();
    let mut cur: Option<Block> = None;
    for (i, line) in page.lines().enumerate() {
        if let Some(b) = cur.as_mut() {
            if line.trim_start().starts_with("```") {
                out.push(cur.take().unwrap());
            } else {
                b.text.push_str(line);
                b.text.push('\n');
            }
        } else if let Some(info) = line.trim_start().strip_prefix("```") {
            cur = Some(Block {
                kind: info.trim().to_string(),
                text: String::new(),
                page_line: i + 2,
            });
        }
    }
    out
}

/// The rule pages whose recipes `--fix` applies: each bad example shows its recipe
/// (`tests/rule_pages.rs`) and, but for concurrently-in-transaction, runs on a server
/// (`tests/recipes_db.rs`).
pub const FIX_PAGES: &[&str] = &[
    "create-index-non-concurrently",
    "drop-index-non-concurrently",
    "reindex-non-concurrently",
    "add-foreign-key-validated",
    "add-check-constraint-validated",
    "set-not-null-scan",
    "missing-lock-timeout",
    "concurrently-in-transaction",
];
