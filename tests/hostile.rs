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
    let r = locklint(d.path(), &["check", "m", "--format", "json"]);
    let v = json(&r);
    assert_eq!(v["summary"]["errors"], 1, "{}", r.stdout);
    assert!(r.stderr.contains("loop"), "{}", r.stderr);
    assert_eq!(r.code, 2);
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
    // A folder that cannot be listed is an I/O error: named on stderr, exit 2.
    assert!(
        r.stderr
            .lines()
            .any(|l| l.starts_with("error:") && l.contains("sub")),
        "{}",
        r.stderr
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
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
