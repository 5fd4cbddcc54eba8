//! The same input gives byte-identical output across runs and rayon thread counts.

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
