//! Hostile input: every case gets a clear, located message, the other files are still linted,
//! and exit 2 only for usage/config/I/O errors. Never a panic.

mod common;
use common::{Run, locklint, locklint_wrapped, skip_unless_required};

use std::path::Path;
use std::process::Command;

fn json(r: &Run) -> serde_json::Value {
    assert!(!r.stderr.contains("panicked"), "panic: {}", r.stderr);
    serde_json::from_str(&r.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {} {}", r.stdout, r.stderr))
}

const RISKY: &str = "CREATE INDEX i ON big_table (c);\n";

/// Lint `bad` next to a risky file; the risky file must still be reported.
fn with_neighbour(name: &str, bad: &[u8]) -> (Run, serde_json::Value) {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(d.path().join(name), bad).unwrap();
    std::fs::write(d.path().join("zz_risky.sql"), RISKY).unwrap();
    let r = locklint(d.path(), &["check", ".", "--format", "json"]);
    let v = json(&r);
    let risky = v["diagnostics"].as_array().unwrap().iter().any(|d| {
        d["path"].as_str().unwrap().ends_with("zz_risky.sql")
            && d["rule"] == "create-index-non-concurrently"
    });
    assert!(risky, "the neighbour was not linted: {}", r.stdout);
    (r, v)
}

fn diags_for<'a>(v: &'a serde_json::Value, file: &str) -> Vec<&'a serde_json::Value> {
    v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["path"].as_str().unwrap().ends_with(file))
        .collect()
}

#[test]
fn non_utf8_is_decoded_with_a_warning_at_the_first_bad_byte() {
    let (r, v) = with_neighbour(
        "latin1.sql",
        b"SELECT 1;\nCOMMENT ON TABLE t IS 'gr\xf6\xdfe';\n",
    );
    assert_eq!(r.code, 1);
    let d = diags_for(&v, "latin1.sql");
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!(d[0]["severity"], "warning");
    assert_eq!(d[0]["line"], 2);
    assert!(
        d[0]["message"]
            .as_str()
            .unwrap()
            .contains("not valid UTF-8")
    );
}

#[test]
fn binary_file_is_skipped_with_a_warning() {
    let (_, v) = with_neighbour("blob.sql", b"\x00\x01\x02PK\x03\x04garbage\x00");
    let d = diags_for(&v, "blob.sql");
    assert_eq!(d.len(), 1);
    assert!(d[0]["message"].as_str().unwrap().contains("binary"));
}

#[test]
fn empty_and_comment_only_files_are_fine() {
    let (_, v) = with_neighbour("empty.sql", b"");
    assert!(diags_for(&v, "empty.sql").is_empty());
    let (_, v) = with_neighbour("comments.sql", b"-- nothing here\n/* nor here */\n");
    assert!(diags_for(&v, "comments.sql").is_empty());
}

#[test]
fn deep_nesting_is_a_parse_error_not_a_stack_overflow() {
    let sql = format!("SELECT {}1{};\n", "(".repeat(10_000), ")".repeat(10_000));
    let (_, v) = with_neighbour("deep.sql", sql.as_bytes());
    let d = diags_for(&v, "deep.sql");
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!(d[0]["rule"], "parse-error");
    assert_eq!(d[0]["line"], 1);
}

#[test]
fn unterminated_literals_and_comments_are_located() {
    for (name, text, line) in [
        (
            "dollar.sql",
            "SELECT 1;\nCREATE FUNCTION f() RETURNS int AS $$ SELECT 1;\n",
            2,
        ),
        ("quote.sql", "SELECT 1;\n\nSELECT 'abc;\n", 3),
        ("comment.sql", "SELECT 1;\n/* never closed\nSELECT 2;\n", 2),
        ("ident.sql", "SELECT \"abc;\n", 1),
    ] {
        let (_, v) = with_neighbour(name, text.as_bytes());
        let d = diags_for(&v, name);
        assert_eq!(d.len(), 1, "{name}: {d:?}");
        assert_eq!(d[0]["rule"], "parse-error", "{name}");
        assert_eq!(d[0]["line"], line, "{name}: {:?}", d[0]);
    }
}

#[cfg(unix)]
#[test]
fn symlink_loop_is_reported_and_the_rest_linted() {
    let d = tempfile::tempdir().unwrap();
    std::fs::create_dir(d.path().join("m")).unwrap();
    std::os::unix::fs::symlink("..", d.path().join("m/loop")).unwrap();
    std::fs::write(d.path().join("m/1.sql"), RISKY).unwrap();
    std::os::unix::fs::symlink("gone.sql", d.path().join("m/dangling.sql")).unwrap();
    std::os::unix::fs::symlink("gone.txt", d.path().join("m/dangling.txt")).unwrap();
    let r = locklint(d.path(), &["check", "m", "--format", "json"]);
    let v = json(&r);
    assert_eq!(v["summary"]["errors"], 1, "{}", r.stdout);
    // Located warnings, not input errors: the run goes on and the exit code is the findings'.
    for (file, what) in [
        ("m/loop/m/loop", "symbolic link loop"),
        ("m/dangling.sql", "No such file or directory"),
    ] {
        let got = diags_for(&v, file);
        assert_eq!(got.len(), 1, "{file}: {}", r.stdout);
        assert_eq!(got[0]["severity"], "warning");
        let message = got[0]["message"].as_str().unwrap();
        assert!(message.contains(what), "{file}: {message}");
    }
    assert!(diags_for(&v, "dangling.txt").is_empty(), "{}", r.stdout);
    assert_eq!(r.stderr, "");
    assert_eq!(r.code, 1);
}

#[test]
fn a_path_named_twice_is_linted_once() {
    let d = tempfile::tempdir().unwrap();
    std::fs::create_dir(d.path().join("m")).unwrap();
    std::fs::write(d.path().join("m/1.sql"), RISKY).unwrap();
    let r = locklint(
        d.path(),
        &["check", "m/1.sql", "m", "./m/1.sql", "--format", "json"],
    );
    let v = json(&r);
    assert_eq!(v["summary"]["files"], 1, "{}", r.stdout);
    assert_eq!(v["summary"]["errors"], 1, "{}", r.stdout);
}

#[cfg(unix)]
#[test]
fn a_file_reached_twice_through_links_is_linted_once() {
    let d = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(d.path().join("db/m")).unwrap();
    std::fs::write(d.path().join("db/m/1.sql"), RISKY).unwrap();
    std::os::unix::fs::symlink("m", d.path().join("db/linked")).unwrap();
    std::os::unix::fs::symlink("m/1.sql", d.path().join("db/2.sql")).unwrap();
    let r = locklint(d.path(), &["check", "db", "--format", "json"]);
    let v = json(&r);
    assert_eq!(v["summary"]["files"], 1, "{}", r.stdout);
    assert_eq!(v["summary"]["errors"], 1, "{}", r.stdout);
    assert_eq!(r.code, 1, "{}", r.stderr);
}

/// Runs the binary as `nobody` when the suite runs as root (root reads any file), so that an
/// unreadable file and folder are really unreadable. Without `setpriv` (or when `nobody` cannot
/// run the binary) the test is skipped with a printed reason, or fails under
/// `LOCKLINT_REQUIRE_SETPRIV=1` (CI).
#[cfg(unix)]
#[test]
fn unreadable_file_and_folder() {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    const AS_NOBODY: &[&str] = &[
        "setpriv",
        "--reuid",
        "nobody",
        "--regid",
        "nogroup",
        "--clear-groups",
    ];
    // Under /tmp, open to everyone but the two unreadable entries, so that `nobody` reaches it.
    let d = tempfile::Builder::new()
        .prefix("locklint-unreadable-")
        .tempdir_in("/tmp")
        .unwrap();
    // A new folder belongs to the effective user.
    let root = std::fs::metadata(d.path()).unwrap().uid() == 0;
    if root && let Err(reason) = runs_as_nobody(AS_NOBODY) {
        skip_unless_required("LOCKLINT_REQUIRE_SETPRIV", "unreadable-file test", &reason);
        return;
    }
    let mode = |p: &Path, m: u32| std::fs::set_permissions(p, std::fs::Permissions::from_mode(m));
    mode(d.path(), 0o755).unwrap();
    let ok = d.path().join("ok.sql");
    std::fs::write(&ok, RISKY).unwrap();
    mode(&ok, 0o644).unwrap();
    let f = d.path().join("secret.sql");
    std::fs::write(&f, RISKY).unwrap();
    mode(&f, 0o000).unwrap();
    let sub = d.path().join("sub");
    std::fs::create_dir(&sub).unwrap();
    std::fs::write(sub.join("hidden.sql"), RISKY).unwrap();
    mode(&sub, 0o000).unwrap();

    let wrapper = if root { AS_NOBODY } else { &[] };
    let r = locklint_wrapped(wrapper, d.path(), &["check", ".", "--format", "json"]);
    // Let the temporary folder be removed.
    mode(&sub, 0o755).unwrap();
    let v = json(&r);
    let secret = diags_for(&v, "secret.sql");
    assert_eq!(secret.len(), 1, "{}", r.stdout);
    assert_eq!(secret[0]["rule"], "parse-error", "{}", r.stdout);
    // Unreadable is a warning (parse-error's level): the run goes on.
    assert_eq!(secret[0]["severity"], "warning", "{}", r.stdout);
    assert!(
        secret[0]["message"]
            .as_str()
            .unwrap()
            .contains("could not read"),
        "{}",
        r.stdout
    );
    // The readable file is still linted; the unreadable folder's file is not.
    assert!(
        diags_for(&v, "ok.sql")
            .iter()
            .any(|d| d["rule"] == "create-index-non-concurrently"),
        "{}",
        r.stdout
    );
    assert!(diags_for(&v, "hidden.sql").is_empty(), "{}", r.stdout);
    // A folder that cannot be listed is a located warning too, and the run goes on: the exit
    // code is the findings' (ok.sql's error), not the I/O error's.
    let sub_diags: Vec<_> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["path"].as_str().is_some_and(|p| p.contains("sub")))
        .collect();
    assert_eq!(sub_diags.len(), 1, "{}", r.stdout);
    assert_eq!(sub_diags[0]["severity"], "warning", "{}", r.stdout);
    assert_eq!(r.code, 1, "{}", r.stderr);
}

/// Whether `wrapper` can run the binary (setpriv installed, the binary reachable by `nobody`).
fn runs_as_nobody(wrapper: &[&str]) -> Result<(), String> {
    let bin = env!("CARGO_BIN_EXE_locklint");
    let out = Command::new(wrapper[0])
        .args(&wrapper[1..])
        .arg(bin)
        .arg("--version")
        .output()
        .map_err(|e| format!("running as root and cannot run {}: {e}", wrapper[0]))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "running as root and `{} {bin} --version` failed ({}): {}",
            wrapper.join(" "),
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

#[test]
fn a_directory_where_a_config_file_is_expected() {
    let d = tempfile::tempdir().unwrap();
    std::fs::create_dir(d.path().join("cfg")).unwrap();
    std::fs::write(d.path().join("x.sql"), "SELECT 1;").unwrap();
    let r = locklint(d.path(), &["check", "x.sql", "--config", "cfg"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("cfg"), "{}", r.stderr);
    assert!(!r.stderr.contains("panicked"));
}

#[test]
fn config_that_is_not_toml() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(d.path().join("locklint.toml"), "this is { not toml\n").unwrap();
    std::fs::write(d.path().join("x.sql"), "SELECT 1;").unwrap();
    let r = locklint(d.path(), &["check", "x.sql"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("locklint.toml:1"), "{}", r.stderr);
}

#[test]
fn large_file_is_linted() {
    // ~50 MB of statements: every one found, nothing lost.
    let d = tempfile::tempdir().unwrap();
    let stmt = "ALTER TABLE accounts ADD COLUMN note_with_a_long_name_to_fill_space text;\n";
    let n = 50 * 1024 * 1024 / stmt.len();
    std::fs::write(d.path().join("big.sql"), stmt.repeat(n)).unwrap();
    let r = locklint(d.path(), &["check", "big.sql", "--format", "json"]);
    let v = json(&r);
    assert_eq!(v["summary"]["statements"].as_u64().unwrap() as usize, n);
    assert_eq!(r.code, 0);
}

/// A file name, its text, and the (rule, line) pairs it must give.
type Case = (&'static str, &'static str, &'static [(&'static str, u64)]);

/// Inputs that once crashed a folder run: each is linted next to a risky file, and what the
/// file itself gives is checked as (rule, line) pairs.
#[test]
fn suppression_directives_in_block_comments_and_before_a_bare_cr() {
    let cases: &[Case] = &[
        // A directive in a block comment applies like a line comment in its place.
        (
            "block.sql",
            "/* -- locklint:ignore create-index-non-concurrently */ CREATE INDEX i ON big_t (a);\n",
            &[],
        ),
        (
            "block_plain.sql",
            "/* locklint:ignore create-index-non-concurrently */\nCREATE INDEX i ON big_t (a);\n",
            &[],
        ),
        (
            "block_unused.sql",
            "/* -- locklint:ignore x */ SELECT 1;\n",
            &[("unused-suppression", 1)],
        ),
        // A bare CR ends a `--` comment, as in PostgreSQL: `x` is a statement (and the
        // directive, naming no rule, is reported).
        (
            "cr.sql",
            "-- locklint:ignore\rx",
            &[("parse-error", 1), ("unused-suppression", 1)],
        ),
        (
            "cr_rule.sql",
            "-- locklint:ignore create-index-non-concurrently\rCREATE INDEX i ON big_t (a);",
            &[],
        ),
        (
            "squawk_block.sql",
            "/*--squawk-ignore */*",
            &[("parse-error", 1)],
        ),
        ("squawk_cr.sql", "--squawk-ignore\rR", &[("parse-error", 1)]),
        // A `/*` inside a literal does not hide the directive after the statement.
        (
            "literal.sql",
            "SELECT '/*';\n-- locklint:ignore create-index-non-concurrently\nCREATE INDEX i ON big_t (a);\n",
            &[],
        ),
    ];
    for (name, text, expected) in cases {
        let (r, v) = with_neighbour(name, text.as_bytes());
        // missing-lock-timeout is about the file, not the statement a directive names.
        let mut got: Vec<(String, u64)> = diags_for(&v, name)
            .iter()
            .filter(|d| d["rule"] != "missing-lock-timeout")
            .map(|d| {
                (
                    d["rule"].as_str().unwrap().to_string(),
                    d["line"].as_u64().unwrap(),
                )
            })
            .collect();
        got.sort();
        let want: Vec<(String, u64)> = expected.iter().map(|(r, l)| (r.to_string(), *l)).collect();
        assert_eq!(got, want, "{name}: {}", r.stdout);
    }
}

#[test]
fn findings_past_column_65535_render_in_human_format() {
    let cases = [
        (
            "spaces.sql",
            format!(
                "{}ALTER TABLE users ADD COLUMN zz int NOT NULL;\n",
                " ".repeat(65_520)
            ),
        ),
        (
            "ident.sql",
            format!(
                "ALTER TABLE {} ADD COLUMN zz int NOT NULL;\n",
                "u".repeat(65_535)
            ),
        ),
    ];
    for (name, text) in cases {
        let d = tempfile::tempdir().unwrap();
        std::fs::write(d.path().join(name), &text).unwrap();
        let r = locklint(d.path(), &["check", name]);
        assert!(!r.stderr.contains("panicked"), "{name}: {}", r.stderr);
        assert_eq!(r.code, 1, "{name}: {}", r.stderr);
        assert!(
            r.stdout.contains("add-column-not-null-without-default"),
            "{name}"
        );
        assert!(
            r.stdout.contains(&format!(
                "at {name}:1:{} (line too long to show)",
                text.find("ADD").unwrap() + 1
            )),
            "{name}: {}",
            &r.stdout[r.stdout.len().saturating_sub(2000)..]
        );
    }
}

/// Flat chains build trees as deep as they are long, which once overflowed the stack (in a
/// folder run from ~32k terms). Past the limit they are a located parse error; the rest of the
/// folder is linted.
#[test]
fn long_operator_chains_are_parse_errors_not_stack_overflows() {
    let n = 130_000;
    let chains = [
        ("plus.sql", "SELECT 1", "+1"),
        ("cast.sql", "SELECT 1", "::int"),
        ("and.sql", "SELECT true", " AND true"),
        ("or.sql", "DELETE FROM t WHERE id = 1", " OR id = 2"),
        ("concat.sql", "SELECT 'a'", " || 'a'"),
        ("arrow.sql", "SELECT j", " -> 'a'"),
        ("subscript.sql", "SELECT a", "[1]"),
        ("is_null.sql", "SELECT a", " IS NULL"),
        ("union.sql", "SELECT 1", " UNION SELECT 1"),
    ];
    let d = tempfile::tempdir().unwrap();
    for (name, head, term) in chains {
        let sql = format!("SELECT 1;\n{head}{};\n", term.repeat(n));
        std::fs::write(d.path().join(name), sql).unwrap();
    }
    // Over 1 MB: parsed on the command's own thread, not a pool thread.
    let big = format!("-- {}\nSELECT 1{};\n", "x".repeat(1 << 20), "+1".repeat(n));
    std::fs::write(d.path().join("big.sql"), big).unwrap();
    // Under the limit: parsed in full.
    let fine = format!(
        "DELETE FROM t WHERE id = 1{};\n",
        " OR id = 2".repeat(4_000)
    );
    std::fs::write(d.path().join("fine.sql"), fine).unwrap();
    std::fs::write(d.path().join("zz_risky.sql"), RISKY).unwrap();
    let r = locklint(d.path(), &["check", ".", "--format", "json"]);
    let v = json(&r);
    for (name, line) in chains
        .iter()
        .map(|(n, _, _)| (*n, 2))
        .chain([("big.sql", 2)])
    {
        let got = diags_for(&v, name);
        assert_eq!(got.len(), 1, "{name}: {got:?}");
        assert_eq!(got[0]["rule"], "parse-error", "{name}");
        assert_eq!(got[0]["line"], line, "{name}");
        assert!(
            got[0]["message"]
                .as_str()
                .unwrap()
                .contains("too long to parse"),
            "{name}: {}",
            got[0]["message"]
        );
    }
    assert!(diags_for(&v, "fine.sql").is_empty(), "{}", r.stdout);
    assert_eq!(diags_for(&v, "zz_risky.sql").len(), 2, "{}", r.stdout);
}

#[cfg(unix)]
#[test]
fn fifos_in_a_walked_folder_are_never_opened() {
    let d = tempfile::tempdir().unwrap();
    let mkfifo = |p: &std::path::Path| {
        assert!(Command::new("mkfifo").arg(p).status().unwrap().success());
    };
    // diesel: a FIFO named metadata.toml next to up.sql.
    let diesel = d.path().join("diesel/2020-01-01-000000_a");
    std::fs::create_dir_all(&diesel).unwrap();
    std::fs::write(diesel.join("up.sql"), RISKY).unwrap();
    std::fs::write(diesel.join("down.sql"), "SELECT 1;\n").unwrap();
    mkfifo(&diesel.join("metadata.toml"));
    // Flyway: a FIFO named V1__a.sql.conf, and one named V2__pipe.sql.
    let flyway = d.path().join("flyway");
    std::fs::create_dir_all(&flyway).unwrap();
    std::fs::write(flyway.join("V1__a.sql"), RISKY).unwrap();
    mkfifo(&flyway.join("V1__a.sql.conf"));
    mkfifo(&flyway.join("V2__pipe.sql"));
    for dir in ["diesel", "flyway"] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_locklint"))
            .args(["check", dir, "--format", "json"])
            .current_dir(d.path())
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let start = std::time::Instant::now();
        while child.try_wait().unwrap().is_none() {
            if start.elapsed() > std::time::Duration::from_secs(20) {
                child.kill().unwrap();
                panic!("{dir}: locklint hangs on a FIFO");
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        let out = child.wait_with_output().unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let rules: Vec<_> = v["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["rule"].as_str().unwrap())
            .collect();
        assert!(
            rules.contains(&"create-index-non-concurrently"),
            "{dir}: {v}"
        );
        assert_eq!(out.status.code(), Some(1), "{dir}");
    }
    let r = locklint(d.path(), &["check", "flyway", "--format", "json"]);
    let v = json(&r);
    let pipe = diags_for(&v, "V2__pipe.sql");
    assert_eq!(pipe.len(), 1, "{pipe:?}");
    assert_eq!(pipe[0]["severity"], "warning");
    assert!(
        pipe[0]["message"]
            .as_str()
            .unwrap()
            .contains("not a regular file"),
        "{pipe:?}"
    );
}

#[test]
fn input_size_is_capped() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(d.path().join("a.sql"), RISKY).unwrap();
    std::fs::write(d.path().join("b.sql"), "SELECT 1;\n".repeat(10)).unwrap();
    let over = |r: &Run, file: &str, limit: &str| {
        let v = json(r);
        let got = diags_for(&v, file);
        assert_eq!(got.len(), 1, "{file}: {}", r.stdout);
        // A parse-error finding: its level is parse-error's (warning unless configured).
        assert_eq!(got[0]["rule"], "parse-error");
        assert_eq!(got[0]["severity"], "warning");
        assert!(
            got[0]["message"]
                .as_str()
                .unwrap()
                .contains(&format!("is larger than {limit}")),
            "{}",
            got[0]["message"]
        );
        assert_ne!(r.code, 2, "{}", r.stderr);
    };
    // By flag and by config: the small file is linted, the larger one reported.
    let r = locklint(
        d.path(),
        &["check", ".", "--format", "json", "--max-file-bytes", "50"],
    );
    over(&r, "b.sql", "50 bytes");
    assert_eq!(diags_for(&json(&r), "a.sql").len(), 2, "{}", r.stdout);
    std::fs::write(
        d.path().join("locklint.toml"),
        "[migrations]\nmax_file_bytes = 50\n",
    )
    .unwrap();
    over(
        &locklint(d.path(), &["check", "b.sql", "--format", "json"]),
        "b.sql",
        "50 bytes",
    );
    std::fs::write(
        d.path().join("locklint.toml"),
        "[migrations]\nmax_file_bytes = 0\n",
    )
    .unwrap();
    let r = locklint(d.path(), &["check", "b.sql"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("locklint.toml:2"), "{}", r.stderr);
    std::fs::remove_file(d.path().join("locklint.toml")).unwrap();
    // Endless inputs, named or on standard input: read up to the cap (64 MiB) and reported.
    #[cfg(unix)]
    {
        for path in ["/dev/zero", "/dev/urandom"] {
            over(
                &locklint(d.path(), &["check", path, "--format", "json"]),
                path,
                "64 MiB",
            );
        }
        let out = Command::new(env!("CARGO_BIN_EXE_locklint"))
            .args(["check", "-", "--format", "json", "--max-file-bytes", "1000"])
            .current_dir(d.path())
            .stdin(std::fs::File::open("/dev/zero").unwrap())
            .output()
            .unwrap();
        let r = Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        };
        over(&r, "<stdin>", "1000 bytes");
        let r = locklint(d.path(), &["check", "a.sql", "--config", "/dev/zero"]);
        assert_eq!(r.code, 2);
        assert!(
            r.stderr.contains("/dev/zero") && r.stderr.contains("larger than 1 MiB"),
            "{}",
            r.stderr
        );
    }
}

/// Run `locklint ARGS` in `dir` with standard output going to `stdout`.
fn locklint_to(dir: &std::path::Path, args: &[&str], stdout: std::process::Stdio) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_locklint"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdin(std::process::Stdio::null())
        .stdout(stdout)
        .stderr(std::process::Stdio::piped())
        .output()
        .unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::new(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// A full disk must fail the run (a truncated SARIF or JUnit file must not pass CI).
#[cfg(target_os = "linux")]
#[test]
fn write_errors_exit_2() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(d.path().join("a.sql"), RISKY).unwrap();
    for args in [
        &["check", "a.sql"][..],
        &["check", "a.sql", "--format", "json"],
        &["check", "a.sql", "--format", "sarif"],
        &["check", "a.sql", "--format", "junit"],
        &["check", "a.sql", "--format", "github"],
        &["check", "--dump-config"],
        &["rules"],
        &["rules", "--format", "json"],
        &["explain", "lock-table"],
        &["report", "a.sql"],
    ] {
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap();
        let r = locklint_to(d.path(), args, full.into());
        assert_eq!(r.code, 2, "{args:?}: {}", r.stderr);
        assert!(
            r.stderr
                .contains("could not write the output: No space left on device"),
            "{args:?}: {}",
            r.stderr
        );
    }
}

/// A reader that stops early (`| head`) is no error: same exit code, nothing on stderr.
#[cfg(unix)]
#[test]
fn a_closed_pipe_is_silent() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(d.path().join("a.sql"), RISKY.repeat(2000)).unwrap();
    for (args, code) in [
        (&["check", "a.sql"][..], 1),
        (&["check", "a.sql", "--format", "json"], 1),
        (&["rules"], 0),
    ] {
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let r = locklint_to(d.path(), args, writer.into());
        assert_eq!(r.code, code, "{args:?}: {}", r.stderr);
        assert_eq!(r.stderr, "", "{args:?}");
    }
}

#[test]
fn an_invalid_diesel_metadata_toml_is_reported() {
    let d = tempfile::tempdir().unwrap();
    for (dir, meta) in [
        ("2020-01-01-000000_a", "run_in_transaction = [nope\n"),
        ("2020-01-02-000000_b", "run_in_transaction = \"no\"\n"),
        ("2020-01-03-000000_c", "run_in_transaction = false\n"),
    ] {
        let m = d.path().join("migrations").join(dir);
        std::fs::create_dir_all(&m).unwrap();
        std::fs::write(m.join("up.sql"), "SELECT 1;\n").unwrap();
        std::fs::write(m.join("down.sql"), "SELECT 1;\n").unwrap();
        std::fs::write(m.join("metadata.toml"), meta).unwrap();
    }
    let r = locklint(d.path(), &["check", "migrations", "--format", "json"]);
    let v = json(&r);
    let a = diags_for(&v, "000000_a/up.sql");
    assert_eq!(a.len(), 1, "{}", r.stdout);
    assert_eq!(a[0]["severity"], "warning");
    assert!(
        a[0]["message"]
            .as_str()
            .unwrap()
            .contains("is not valid TOML"),
        "{}",
        a[0]["message"]
    );
    let b = diags_for(&v, "000000_b/up.sql");
    assert_eq!(b.len(), 1, "{}", r.stdout);
    assert!(
        b[0]["message"]
            .as_str()
            .unwrap()
            .contains("`run_in_transaction` must be true or false"),
        "{}",
        b[0]["message"]
    );
    assert!(diags_for(&v, "000000_c/up.sql").is_empty(), "{}", r.stdout);
    assert_eq!(
        v["diagnostics"].as_array().unwrap().len(),
        2,
        "{}",
        r.stdout
    );
}

/// SQL a migration tool never runs is never linted, but it must not pass silently (issue 13,
/// item 8): each case is a folder of one tool with one file; the note names the lines.
#[test]
fn sql_outside_a_tools_sections_is_reported() {
    let d = tempfile::tempdir().unwrap();
    let goose = d.path().join("goose");
    std::fs::create_dir(&goose).unwrap();
    // Statements before `-- +goose Up` in a goose folder: goose does not run them; reported.
    std::fs::write(
        goose.join("001_a.sql"),
        "CREATE INDEX a ON big (a);\n-- +goose Up\nCREATE INDEX b ON big (b);\n-- +goose Down\nDROP INDEX b;\n",
    )
    .unwrap();
    // A second Up after Down: goose runs neither part after it.
    std::fs::write(
        goose.join("002_b.sql"),
        "-- +goose Up\nSELECT 1;\n-- +goose Down\nSELECT 2;\n-- +goose Up\nCREATE INDEX c ON big (c);\n",
    )
    .unwrap();
    let r = locklint(d.path(), &["check", "goose", "--format", "json"]);
    let v = json(&r);
    let a = diags_for(&v, "001_a.sql");
    let indexes = a
        .iter()
        .filter(|x| x["rule"] == "create-index-non-concurrently")
        .count();
    assert_eq!(indexes, 1, "{}", r.stdout);
    assert!(
        a.iter().any(|x| x["rule"] == "parse-error"
            && x["message"]
                .as_str()
                .unwrap()
                .contains("line 1 is outside the goose sections")),
        "{}",
        r.stdout
    );
    let b = diags_for(&v, "002_b.sql");
    assert!(
        b.iter().any(|x| x["rule"] == "parse-error"
            && x["message"]
                .as_str()
                .unwrap()
                .contains("line 6 is outside the goose sections")),
        "{}",
        r.stdout
    );

    // dbmate: only a down section.
    let dbmate = d.path().join("db").join("migrations");
    std::fs::create_dir_all(&dbmate).unwrap();
    std::fs::write(
        dbmate.join("20240101000000_a.sql"),
        "-- migrate:up\nSELECT 1;\n-- migrate:down\nSELECT 2;\n",
    )
    .unwrap();
    std::fs::write(
        dbmate.join("20240102000000_b.sql"),
        "-- migrate:down\nDROP TABLE t;\n",
    )
    .unwrap();
    let r = locklint(d.path(), &["check", "db/migrations", "--format", "json"]);
    let v = json(&r);
    let b = diags_for(&v, "20240102000000_b.sql");
    assert!(
        b.iter().any(|x| x["message"]
            .as_str()
            .unwrap()
            .contains("no forward (dbmate) section")),
        "{}",
        r.stdout
    );

    // A marker far down a plain file does not make it a tool's: all of it is linted.
    let plain = d.path().join("plain");
    std::fs::create_dir(&plain).unwrap();
    let mut text = "CREATE INDEX a ON big (a);\n".repeat(5);
    text.push_str("-- +goose Up\nCREATE INDEX z ON big (z);\n");
    std::fs::write(plain.join("big.sql"), text).unwrap();
    let r = locklint(d.path(), &["check", "plain", "--format", "json"]);
    let v = json(&r);
    assert_eq!(v["summary"]["statements"], 6, "{}", r.stdout);
}

/// One stray NUL byte does not hide the file's SQL: it is read as a space and reported.
#[test]
fn a_stray_nul_byte_is_reported_and_the_rest_linted() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(
        d.path().join("a.sql"),
        b"SELECT 1;\0\nCREATE INDEX i ON big (a);\n",
    )
    .unwrap();
    let r = locklint(d.path(), &["check", "a.sql", "--format", "json"]);
    let v = json(&r);
    let a = diags_for(&v, "a.sql");
    assert!(
        a.iter()
            .any(|x| x["rule"] == "parse-error"
                && x["message"].as_str().unwrap().contains("NUL byte")),
        "{}",
        r.stdout
    );
    assert!(
        a.iter()
            .any(|x| x["rule"] == "create-index-non-concurrently"),
        "{}",
        r.stdout
    );
}

/// The hostile-input table of issue 13: each input is linted as a folder run (worker threads)
/// under `/usr/bin/time`, which gives its peak RSS. No exit code other than 0/1/2, no panic, and
/// no more than 256 MB of RSS for inputs up to 50 MB. Skipped (with the reason printed) where
/// `/usr/bin/time` is missing, or failed under `LOCKLINT_REQUIRE_TIME=1` (CI).
#[cfg(target_os = "linux")]
#[test]
fn hostile_inputs_stay_within_exit_codes_and_memory() {
    const MAX_RSS_KB: u64 = 256 * 1024;
    if !Path::new("/usr/bin/time").is_file() {
        skip_unless_required(
            "LOCKLINT_REQUIRE_TIME",
            "hostile-input table",
            "/usr/bin/time (GNU time) is not installed",
        );
        return;
    }
    let rows = |n: usize, row: &dyn Fn(usize) -> String| {
        let mut s = String::new();
        for i in 0..n {
            if i > 0 {
                s.push(',');
            }
            s.push_str(&row(i));
        }
        s
    };
    let mb = 1 << 20;
    let cases: Vec<(&str, String)> = vec![
        (
            "insert_values.sql",
            format!(
                "INSERT INTO items (id, name) VALUES {};\n",
                rows(20 * mb / 24, &|i| format!("({i:08}, 'n{:09}')", i % 1000))
            ),
        ),
        (
            "values_rows.sql",
            format!("VALUES {};\n", rows(10 * mb / 9, &|i| format!("({:06})", i % 1000))),
        ),
        (
            "insert_placeholders.sql",
            format!(
                "INSERT INTO t VALUES {};\n",
                rows(50 * mb / 9, &|i| format!("(:v{:04})", i % 1000))
            ),
        ),
        ("plus_chain.sql", format!("SELECT 1{};\n", "+1".repeat(mb))),
        (
            "or_chain.sql",
            format!("DELETE FROM t WHERE id = 1{};\n", " OR id = 2".repeat(46_000)),
        ),
        (
            "many_statements.sql",
            "ALTER TABLE accounts ADD COLUMN note text;\n".repeat(50 * mb / 42),
        ),
        (
            "deep_parens.sql",
            format!("SELECT {}1{};\n", "(".repeat(10_000), ")".repeat(10_000)),
        ),
        (
            "long_line.sql",
            format!("{}ALTER TABLE users ADD COLUMN zz int NOT NULL;\n", " ".repeat(65_520)),
        ),
        (
            "suppressions.sql",
            "/* -- locklint:ignore x */ SELECT 1;\n-- locklint:ignore\rx;\n/*--squawk-ignore */*;\n"
                .to_string(),
        ),
    ];
    let mut table =
        String::from("input                    bytes      exit  seconds  peak RSS (MB)\n");
    let mut failures = Vec::new();
    for (name, text) in &cases {
        let d = tempfile::tempdir().unwrap();
        std::fs::create_dir(d.path().join("m")).unwrap();
        std::fs::write(d.path().join("m").join(name), text).unwrap();
        let rss_file = d.path().join("rss");
        for format in ["json", "human"] {
            let start = std::time::Instant::now();
            let out = Command::new("/usr/bin/time")
                .arg("-f")
                .arg("%M")
                .arg("-o")
                .arg(&rss_file)
                .arg(env!("CARGO_BIN_EXE_locklint"))
                .args(["check", "m", "--format", format])
                .current_dir(d.path())
                .env("NO_COLOR", "1")
                .output()
                .unwrap();
            let seconds = start.elapsed().as_secs_f64();
            let stderr = String::from_utf8_lossy(&out.stderr);
            let code = out.status.code();
            let rss_kb: u64 = std::fs::read_to_string(&rss_file)
                .unwrap()
                .lines()
                .last()
                .and_then(|l| l.trim().parse().ok())
                .unwrap_or(u64::MAX);
            table.push_str(&format!(
                "{:<24} {:>10}  {:>4}  {:>7.2}  {:>6} ({format})\n",
                name,
                text.len(),
                code.map_or("none".to_string(), |c| c.to_string()),
                seconds,
                rss_kb / 1024
            ));
            if !matches!(code, Some(0 | 1)) || stderr.contains("panicked") {
                failures.push(format!("{name} ({format}): exit {code:?}: {stderr}"));
            }
            if rss_kb > MAX_RSS_KB {
                failures.push(format!("{name} ({format}): peak RSS {} MB", rss_kb / 1024));
            }
            if format == "json" {
                let v: serde_json::Value = serde_json::from_slice(&out.stdout)
                    .unwrap_or_else(|e| panic!("{name}: not JSON ({e})"));
                // Nothing lost: every input gives its statements and says what it skipped.
                assert!(v["summary"]["statements"].as_u64().unwrap() >= 1, "{name}");
            }
        }
    }
    println!("{table}");
    assert!(failures.is_empty(), "{failures:#?}\n{table}");
}
