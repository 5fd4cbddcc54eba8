//! `check --fix` and `--diff`: what they write for each migration tool, that `check` is clean
//! afterwards, and that they never touch a file the user did not select.

mod common;

use common::{locklint, write};
use std::path::Path;

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// A Prisma project with mixed-case names: fixed, then clean, with every name quoted.
#[test]
fn prisma_mixed_case_round_trips_to_clean() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "prisma/migrations/20240101000000_init/migration.sql",
        "CREATE TABLE \"Org\" (\"id\" BIGINT NOT NULL, CONSTRAINT \"Org_pkey\" PRIMARY KEY (\"id\"));\n\
         CREATE TABLE \"User\" (\"id\" BIGINT NOT NULL, \"email\" TEXT, \"createdAt\" TIMESTAMP(3), \"orgId\" BIGINT);\n\
         CREATE INDEX \"User_orgId_idx\" ON \"User\"(\"orgId\");\n",
    );
    let change = "prisma/migrations/20240201000000_change/migration.sql";
    write(
        root,
        change,
        "-- CreateIndex\nCREATE UNIQUE INDEX \"User_email_key\" ON \"User\"(\"email\");\n\n\
         -- AlterTable\nALTER TABLE \"User\" ALTER COLUMN \"createdAt\" SET NOT NULL;\n\n\
         -- AddForeignKey\nALTER TABLE \"User\" ADD CONSTRAINT \"User_orgId_fkey\" FOREIGN KEY (\"orgId\") REFERENCES \"Org\"(\"id\") ON DELETE RESTRICT ON UPDATE CASCADE;\n",
    );
    let before = locklint(root, &["check", "--format", "json", "prisma/migrations"]);
    assert_eq!(before.code, 1, "{}", before.stdout);
    for rule in [
        "create-index-non-concurrently",
        "set-not-null-scan",
        "add-foreign-key-validated",
    ] {
        assert!(before.stdout.contains(rule), "{rule}: {}", before.stdout);
    }

    let fixed = locklint(root, &["check", "--fix", change]);
    assert!(
        fixed
            .stderr
            .contains("--fix: fixed 3 findings in 1 file (2 new)"),
        "{}",
        fixed.stderr
    );
    let after = locklint(root, &["check", "prisma/migrations"]);
    assert_eq!(after.code, 0, "{}\n{}", after.stdout, after.stderr);
    assert!(
        after.stdout.contains("0 errors, 0 warnings"),
        "{}",
        after.stdout
    );

    // The index stays alone in its file: Prisma runs a lone statement without a transaction.
    assert_eq!(
        read(&root.join(change)),
        "-- CreateIndex\nCREATE UNIQUE INDEX CONCURRENTLY \"User_email_key\" ON \"User\"(\"email\");\n"
    );
    let continued = root.join("prisma/migrations/20240201000001_change_continued/migration.sql");
    assert_eq!(
        read(&continued),
        "SET lock_timeout = '5s';\n\
         -- AlterTable\n\
         ALTER TABLE \"User\" ADD CONSTRAINT \"User_createdAt_not_null\" CHECK (\"createdAt\" IS NOT NULL) NOT VALID;\n\
         -- AddForeignKey\n\
         ALTER TABLE \"User\" ADD CONSTRAINT \"User_orgId_fkey\" FOREIGN KEY (\"orgId\") REFERENCES \"Org\"(\"id\") ON DELETE RESTRICT ON UPDATE CASCADE NOT VALID;\n"
    );
    let validate = root.join("prisma/migrations/20240201000002_change_validate/migration.sql");
    assert_eq!(
        read(&validate),
        "SET lock_timeout = '5s';\n\
         ALTER TABLE \"User\" VALIDATE CONSTRAINT \"User_createdAt_not_null\";\n\
         ALTER TABLE \"User\" VALIDATE CONSTRAINT \"User_orgId_fkey\";\n\
         ALTER TABLE \"User\" ALTER COLUMN \"createdAt\" SET NOT NULL;\n\
         ALTER TABLE \"User\" DROP CONSTRAINT \"User_createdAt_not_null\";\n"
    );
    // Fixing again finds nothing to fix.
    let again = locklint(root, &["check", "--diff", change]);
    assert_eq!(again.code, 0, "{}", again.stdout);
    assert_eq!(again.stdout, "");
}

#[test]
fn a_folder_walk_is_refused_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "db/0001_init.sql",
        "CREATE TABLE t (id bigint, a int);\n",
    );
    write(root, "db/0002_index.sql", "CREATE INDEX ON t (a);\n");
    for flag in ["--fix", "--diff"] {
        let run = locklint(root, &["check", flag, "db"]);
        assert_eq!(run.code, 2, "{}", run.stderr);
        assert!(
            run.stderr
                .contains("rewrites only the migrations you select"),
            "{}",
            run.stderr
        );
        assert!(run.stderr.contains("checksums"), "{}", run.stderr);
    }
    assert_eq!(
        read(&root.join("db/0002_index.sql")),
        "CREATE INDEX ON t (a);\n"
    );
}

#[test]
fn diff_prints_a_unified_diff_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "db/0001_init.sql",
        "CREATE TABLE t (id bigint, a int);\n",
    );
    write(root, "db/0002_index.sql", "CREATE INDEX ON t (a);\n");
    let run = locklint(root, &["check", "--diff", "db/0002_index.sql"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(
        run.stdout,
        "--- a/db/0002_index.sql\n+++ b/db/0002_index.sql\n@@ -1 +1 @@\n-CREATE INDEX ON t (a);\n+CREATE INDEX CONCURRENTLY t_a_idx ON t (a);\n"
    );
    assert_eq!(
        read(&root.join("db/0002_index.sql")),
        "CREATE INDEX ON t (a);\n"
    );
}

/// (tool, migration file, its text, files expected afterwards with their text)
type Case = (
    &'static str,
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str)],
);

/// Each tool's switch, in place when the whole file can run without a transaction.
#[test]
fn each_tool_gets_its_own_no_transaction_switch() {
    let cases: &[Case] = &[
        (
            "goose",
            "20240102000000_index.sql",
            "-- +goose Up\nCREATE INDEX ON t (a);\n\n-- +goose Down\nDROP INDEX t_a_idx;\n",
            &[(
                "20240102000000_index.sql",
                "-- +goose NO TRANSACTION\n-- +goose Up\nCREATE INDEX CONCURRENTLY t_a_idx ON t (a);\n\n-- +goose Down\nDROP INDEX t_a_idx;\n",
            )],
        ),
        (
            "dbmate",
            "20240102000000_index.sql",
            "-- migrate:up\nCREATE INDEX ON t (a);\n\n-- migrate:down\nDROP INDEX t_a_idx;\n",
            &[(
                "20240102000000_index.sql",
                "-- migrate:up transaction:false\nCREATE INDEX CONCURRENTLY t_a_idx ON t (a);\n\n-- migrate:down\nDROP INDEX t_a_idx;\n",
            )],
        ),
        (
            "sqlx",
            "20240102000000_index.sql",
            "CREATE INDEX ON t (a);\n",
            &[(
                "20240102000000_index.sql",
                "-- no-transaction\nCREATE INDEX CONCURRENTLY t_a_idx ON t (a);\n",
            )],
        ),
        (
            "flyway",
            "V2__index.sql",
            "CREATE INDEX ON t (a);\nDROP INDEX old_idx;\n",
            &[
                (
                    "V2__index.sql",
                    "CREATE INDEX CONCURRENTLY t_a_idx ON t (a);\nDROP INDEX CONCURRENTLY old_idx;\n",
                ),
                ("V2__index.sql.conf", "executeInTransaction=false\n"),
            ],
        ),
        (
            "diesel",
            "2024-01-02-000000_index/up.sql",
            "CREATE INDEX ON t (a);\nDROP INDEX old_idx;\n",
            &[
                (
                    "2024-01-02-000000_index/up.sql",
                    "CREATE INDEX CONCURRENTLY t_a_idx ON t (a);\nDROP INDEX CONCURRENTLY old_idx;\n",
                ),
                (
                    "2024-01-02-000000_index/metadata.toml",
                    "run_in_transaction = false\n",
                ),
            ],
        ),
    ];
    for (tool, file, text, expect) in cases {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        write(
            root,
            "locklint.toml",
            &format!(
                "[migrations]\ntool = \"{tool}\"\n[rules]\nmissing-lock-timeout = \"off\"\n[size]\nunknown = \"large\"\n"
            ),
        );
        let init = match *tool {
            "goose" => "-- +goose Up\nCREATE TABLE t (id bigint, a int);\n",
            "dbmate" => "-- migrate:up\nCREATE TABLE t (id bigint, a int);\n",
            _ => "CREATE TABLE t (id bigint, a int);\n",
        };
        let first = match *tool {
            "flyway" => "m/V1__init.sql",
            "diesel" => "m/2024-01-01-000000_init/up.sql",
            _ => "m/20240101000000_init.sql",
        };
        write(root, first, init);
        if *tool == "diesel" {
            write(root, "m/2024-01-01-000000_init/down.sql", "DROP TABLE t;\n");
            write(root, "m/2024-01-02-000000_index/down.sql", "SELECT 1;\n");
        }
        let path = format!("m/{file}");
        write(root, &path, text);
        let run = locklint(root, &["check", "--fix", &path]);
        assert!(
            run.stderr.contains("--fix: fixed"),
            "{tool}: {}",
            run.stderr
        );
        for (name, want) in *expect {
            assert_eq!(&read(&root.join("m").join(name)), want, "{tool}: {name}");
        }
        let after = locklint(root, &["check", "m"]);
        assert_eq!(after.code, 0, "{tool}: {}", after.stdout);
    }
}

/// golang-migrate sends a file as one string: a statement that must leave the transaction gets
/// a file of its own (an up/down pair), named after the file it came from.
#[test]
fn golang_migrate_splits_into_files_of_one_statement() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "locklint.toml",
        "[migrations]\ntool = \"golang-migrate\"\n[rules]\nmissing-lock-timeout = \"off\"\n",
    );
    write(
        root,
        "m/000001_init.up.sql",
        "CREATE TABLE t (id bigint, a int, b int);\n",
    );
    write(root, "m/000001_init.down.sql", "DROP TABLE t;\n");
    write(
        root,
        "m/000002_idx.up.sql",
        "ALTER TABLE t ADD COLUMN c int;\nCREATE INDEX ON t (a);\nCREATE INDEX ON t (b);\n",
    );
    write(
        root,
        "m/000002_idx.down.sql",
        "ALTER TABLE t DROP COLUMN c;\n",
    );
    let run = locklint(root, &["check", "--fix", "m/000002_idx.up.sql"]);
    assert!(run.stderr.contains("fixed 2 findings"), "{}", run.stderr);
    assert_eq!(
        read(&root.join("m/000002_idx.up.sql")),
        "ALTER TABLE t ADD COLUMN c int;\n"
    );
    assert_eq!(
        read(&root.join("m/000003_idx_concurrently.up.sql")),
        "CREATE INDEX CONCURRENTLY t_a_idx ON t (a);\n"
    );
    assert_eq!(
        read(&root.join("m/000004_idx_concurrently.up.sql")),
        "CREATE INDEX CONCURRENTLY t_b_idx ON t (b);\n"
    );
    assert!(root.join("m/000004_idx_concurrently.down.sql").is_file());
    let after = locklint(root, &["check", "m"]);
    assert_eq!(after.code, 0, "{}", after.stdout);
}

/// A Liquibase changelog gets no new files: a changeset is not a file of its own.
#[test]
fn liquibase_changelogs_are_left_for_a_person_to_split() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "db/001_init.sql",
        "--liquibase formatted sql\n--changeset a:1\nCREATE TABLE p (id bigint PRIMARY KEY);\nCREATE TABLE t (id bigint, p_id bigint);\n",
    );
    let text = "--liquibase formatted sql\n--changeset a:2\nALTER TABLE t ADD CONSTRAINT t_p_fkey FOREIGN KEY (p_id) REFERENCES p (id);\n";
    write(root, "db/002_fk.sql", text);
    let run = locklint(root, &["check", "--fix", "db/002_fk.sql"]);
    assert!(
        run.stderr
            .contains("db/002_fk.sql: not fixed: a new changeset is written by hand"),
        "{}",
        run.stderr
    );
    assert_eq!(read(&root.join("db/002_fk.sql")), text);
    assert!(
        run.stdout.contains("add-foreign-key-validated"),
        "{}",
        run.stdout
    );
}

/// A statement that refuses a transaction block, inside the tool's transaction: moved out of it
/// (goose: a new migration with `NO TRANSACTION`, the rest stays); inside BEGIN/COMMIT written
/// in the file: left to the author, with the recipe printed.
#[test]
fn concurrently_in_the_tools_transaction_is_moved_out_of_it() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let file = "db/20240101000000_x.sql";
    write(
        root,
        file,
        "-- +goose Up\nCREATE TABLE a (id int);\nCREATE INDEX CONCURRENTLY a_idx ON a (id);\n",
    );
    let run = locklint(root, &["check", "--fix", file]);
    assert_eq!(
        read(&root.join(file)),
        "-- +goose Up\nCREATE TABLE a (id int);\n",
        "{}",
        run.stderr
    );
    assert_eq!(
        read(&root.join("db/20240101000001_x_concurrently.sql")),
        "-- +goose Up\n-- +goose NO TRANSACTION\nCREATE INDEX CONCURRENTLY a_idx ON a (id);\n"
    );
    let after = locklint(root, &["check", "db"]);
    assert!(
        !after.stdout.contains("concurrently-in-transaction"),
        "{}",
        after.stdout
    );

    let begin = "db/20240102000000_y.sql";
    let text = "-- +goose Up\nBEGIN;\nVACUUM a;\nCOMMIT;\n";
    write(root, begin, text);
    let run = locklint(root, &["check", "--fix", begin]);
    assert_eq!(read(&root.join(begin)), text);
    assert!(
        run.stdout
            .contains("Take it out of the BEGIN ... COMMIT block"),
        "{}",
        run.stdout
    );
}
