//! The same input gives byte-identical output across runs and rayon thread counts, and the same
//! file gives the same findings whatever else is on the command line (each migration set has
//! a schema of its own).

mod common;

use std::path::Path;
use std::process::Command;

fn run(paths: &[&Path], threads: &str, format: &str) -> Vec<u8> {
    let out = Command::new(env!("CARGO_BIN_EXE_locklint"))
        .arg("check")
        .args(paths)
        .args(["--format", format])
        .env("RAYON_NUM_THREADS", threads)
        .env("NO_COLOR", "1")
        .output()
        .expect("locklint runs");
    assert!(
        !String::from_utf8_lossy(&out.stderr).contains("panicked"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

fn assert_deterministic(paths: &[&Path]) {
    for format in ["json", "sarif", "human"] {
        let first = run(paths, "1", format);
        assert!(!first.is_empty());
        for threads in ["4", "4", "2"] {
            assert!(
                run(paths, threads, format) == first,
                "{format} output differs with RAYON_NUM_THREADS={threads} on {paths:?}"
            );
        }
    }
}

#[test]
fn many_files_give_identical_output_on_any_thread_count() {
    let d = tempfile::tempdir().unwrap();
    for i in 0..200 {
        let body = match i % 4 {
            0 => format!("CREATE TABLE t{i} (id int);\nCREATE INDEX i{i} ON big (c{i});\n"),
            1 => format!("ALTER TABLE big ADD COLUMN c{i} int NOT NULL;\n"),
            2 => format!(
                "ALTER TABLE big ADD CONSTRAINT fk{i} FOREIGN KEY (a) REFERENCES t{i} (id);\nSELEC broken;\n"
            ),
            _ => format!(
                "UPDATE big SET c = {i};\nALTER TABLE big ALTER COLUMN c{i} SET NOT NULL;\n"
            ),
        };
        std::fs::write(d.path().join(format!("{i:04}_m.sql")), body).unwrap();
    }
    assert_deterministic(&[d.path()]);
}

#[test]
fn corpus_gives_identical_output_on_any_thread_count() {
    let Some(corpus) = common::corpus_or_skip("corpus determinism test") else {
        return;
    };
    assert_deterministic(&[&corpus.join("lemmy"), &corpus.join("openmeter")]);
}

/// The diagnostics of `check PATHS --format json`, run in `dir`.
fn diagnostics(dir: &Path, paths: &[&str]) -> Vec<serde_json::Value> {
    let out = Command::new(env!("CARGO_BIN_EXE_locklint"))
        .arg("check")
        .args(paths)
        .args(["--format", "json"])
        .current_dir(dir)
        .output()
        .expect("locklint runs");
    assert!(
        out.status.code().is_some_and(|c| c < 2),
        "{paths:?}: {out:?}"
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    v["diagnostics"].as_array().expect("diagnostics").clone()
}

/// The diagnostics of `all` whose path is under `prefix` (a leading `./` left out).
fn under(all: &[serde_json::Value], prefix: &str) -> Vec<serde_json::Value> {
    all.iter()
        .filter_map(|d| {
            let path = d["path"].as_str()?;
            let path = path.strip_prefix("./").unwrap_or(path);
            let mut d = d.clone();
            d["path"] = path.into();
            path.starts_with(prefix).then_some(d)
        })
        .collect()
}

/// Two projects side by side: one project's tables never reach the other's schema, and the
/// folders of a history kept one folder per version (Synapse's `delta/<n>/`) are one set.
#[test]
fn a_project_gives_the_same_findings_alone_and_beside_another() {
    let d = tempfile::tempdir().unwrap();
    let write = |rel: &str, text: &str| {
        let p = d.path().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    };
    // `a` creates `users` with a foreign key to `accounts`; `b` has a `users` table of its own.
    write(
        "a/migrations/001_init.sql",
        "CREATE TABLE accounts (id int PRIMARY KEY);\nCREATE TABLE users (id int, account_id int REFERENCES accounts (id));\n",
    );
    write(
        "b/migrations/001_init.sql",
        "CREATE INDEX users_id ON users (id);\n",
    );
    write("b/migrations/002_drop.sql", "DROP TABLE users;\n");
    // One set across version folders: `t` is created in delta/1, so it is known in delta/2.
    write("b/schema/delta/1/01_t.sql", "CREATE TABLE t (id int);\n");
    write(
        "b/schema/delta/2/01_t.sql",
        "ALTER TABLE t ALTER COLUMN id TYPE bigint;\n",
    );
    let alone = diagnostics(d.path(), &["b"]);
    assert_eq!(under(&diagnostics(d.path(), &["a", "b"]), "b/"), alone);
    assert_eq!(under(&diagnostics(d.path(), &["b", "a"]), "b/"), alone);
    assert_eq!(under(&diagnostics(d.path(), &["."]), "b/"), alone);
    // `b`'s DROP TABLE names no table of `a`'s foreign keys.
    let drop: Vec<_> = alone
        .iter()
        .filter(|x| x["path"] == "b/migrations/002_drop.sql" && x["rule"] == "breaking-change")
        .collect();
    assert_eq!(drop.len(), 1, "{alone:?}");
    assert!(
        !drop[0]["message"].as_str().unwrap().contains("accounts"),
        "{drop:?}"
    );
    // The ALTER in delta/2 knows `t`'s type from delta/1: int to bigint rewrites it.
    assert!(
        alone
            .iter()
            .any(|x| x["path"] == "b/schema/delta/2/01_t.sql"
                && x["rule"] == "alter-column-type-rewrite"
                && x["message"].as_str().unwrap().contains("from int")),
        "{alone:?}"
    );
}

/// Every corpus project gives the same findings linted alone as in a whole-corpus run.
#[test]
fn every_corpus_project_gives_the_same_findings_alone_and_in_the_whole_corpus() {
    let Some(corpus) = common::corpus_or_skip("corpus isolation test") else {
        return;
    };
    let root = corpus.parent().unwrap();
    let name = corpus.file_name().unwrap().to_str().unwrap();
    let whole = diagnostics(root, &[name]);
    let mut projects: Vec<String> = std::fs::read_dir(&corpus)
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().unwrap().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    projects.sort();
    assert!(projects.len() >= 20, "{projects:?}");
    let mut differ = Vec::new();
    let mut total = 0;
    for p in &projects {
        let path = format!("{name}/{p}");
        let alone = diagnostics(root, &[&path]);
        total += alone.len();
        if under(&whole, &format!("{path}/")) != alone {
            differ.push(p.clone());
        }
    }
    assert!(
        differ.is_empty(),
        "differ alone and in the whole corpus: {differ:?}"
    );
    assert_eq!(total, whole.len());
}
