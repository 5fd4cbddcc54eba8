//! Migration history: each tool's folder is ordered, cut into forward/down parts and
//! transactions the way the tool runs it, and replayed into one schema, file after file.

use locklint::analyze::{Analyzer, FileMode, TxnMode};
use locklint::config::{self, Settings};
use locklint::discover;
use locklint::pipeline;
use locklint::report::FileResult;
use locklint::source::SourceFile;
use std::path::{Path, PathBuf};

fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata/migrations")
        .join(rel)
}

fn settings(toml: &str) -> Settings {
    config::parse_str(toml, Path::new("locklint.toml"), &locklint::rules::names())
        .unwrap_or_else(|e| panic!("test config does not parse: {e:?}"))
}

fn lint_dir(dir: &Path, settings: &Settings) -> Vec<FileResult> {
    let (inputs, errors) = discover::collect(&[dir.to_path_buf()], "<stdin>");
    assert!(errors.is_empty(), "{errors:?}");
    pipeline::lint_inputs(&inputs, settings, pipeline::Keep::All)
}

/// A statement as the tests name it: its first line.
fn first_line(r: &FileResult, span: &std::ops::Range<usize>) -> String {
    r.source.text[span.clone()]
        .lines()
        .next()
        .unwrap_or("")
        .trim()
        .to_string()
}

/// (file relative to `dir`, tool, [(statement's first line, in a transaction)]) in run order.
type Seen = Vec<(String, &'static str, Vec<(String, bool)>)>;

fn seen(dir: &Path, results: &[FileResult]) -> Seen {
    results
        .iter()
        .map(|r| {
            let rel = Path::new(&r.source.name)
                .strip_prefix(dir)
                .unwrap_or(Path::new(&r.source.name))
                .to_string_lossy()
                .replace('\\', "/");
            let stmts = r
                .stmts
                .iter()
                .map(|a| (first_line(r, &a.stmt.span), a.in_transaction))
                .collect();
            (rel, r.tool, stmts)
        })
        .collect()
}

/// Expected rows: (file, tool, [(statement's first line, in a transaction)]).
type Rows<'a> = [(&'a str, &'static str, &'a [(&'a str, bool)])];

fn expect(rows: &Rows) -> Seen {
    rows.iter()
        .map(|(f, t, s)| {
            (
                f.to_string(),
                *t,
                s.iter().map(|(x, b)| (x.to_string(), *b)).collect(),
            )
        })
        .collect()
}

fn check_fixture(rel: &str, config: &str, rows: &Rows) {
    let dir = fixture(rel);
    let got = seen(&dir, &lint_dir(&dir, &settings(config)));
    assert_eq!(got, expect(rows), "fixture {rel}");
}

#[test]
fn goose_sections_order_and_no_transaction() {
    check_fixture(
        "goose",
        "",
        &[
            (
                "1_create_users.sql",
                "goose",
                &[
                    ("CREATE TABLE users (", true),
                    (
                        "CREATE INDEX users_created_at_idx ON users (created_at);",
                        true,
                    ),
                ],
            ),
            (
                "2_index_users_email.sql",
                "goose",
                &[(
                    "CREATE INDEX CONCURRENTLY users_email_idx ON users (email);",
                    true,
                )],
            ),
            (
                "9_index_users_email_no_tx.sql",
                "goose",
                &[(
                    "CREATE UNIQUE INDEX CONCURRENTLY users_email_key ON users (email);",
                    false,
                )],
            ),
            (
                "10_touch_trigger.sql",
                "goose",
                &[
                    (
                        "CREATE FUNCTION touch_updated_at() RETURNS trigger AS '",
                        true,
                    ),
                    ("ALTER TABLE users ADD COLUMN updated_at timestamptz;", true),
                ],
            ),
        ],
    );
}

#[test]
fn goose_down_sections_with_lint_down() {
    let dir = fixture("goose");
    let got = seen(
        &dir,
        &lint_dir(&dir, &settings("[migrations]\nlint_down = true\n")),
    );
    let stmts: Vec<(String, String, bool)> = got
        .into_iter()
        .flat_map(|(f, _, s)| s.into_iter().map(move |(x, b)| (f.clone(), x, b)))
        .filter(|(_, x, _)| x.starts_with("DROP") || x.starts_with("ALTER TABLE users DROP"))
        .collect();
    let stmts: Vec<(&str, &str, bool)> = stmts
        .iter()
        .map(|(f, x, b)| (f.as_str(), x.as_str(), *b))
        .collect();
    assert_eq!(
        stmts,
        vec![
            ("1_create_users.sql", "DROP TABLE users;", true),
            (
                "2_index_users_email.sql",
                "DROP INDEX CONCURRENTLY users_email_idx;",
                true
            ),
            (
                "9_index_users_email_no_tx.sql",
                "DROP INDEX CONCURRENTLY users_email_key;",
                false
            ),
            (
                "10_touch_trigger.sql",
                "DROP FUNCTION touch_updated_at();",
                true
            ),
            (
                "10_touch_trigger.sql",
                "ALTER TABLE users DROP COLUMN updated_at;",
                true
            ),
        ]
    );
}

#[test]
fn dbmate_sections_and_transaction_option() {
    check_fixture(
        "dbmate",
        "",
        &[
            (
                "db/migrations/20240105093000_create_accounts.sql",
                "dbmate",
                &[("CREATE TABLE accounts (", true)],
            ),
            (
                "db/migrations/20240106120000_index_accounts_name.sql",
                "dbmate",
                &[(
                    "CREATE INDEX CONCURRENTLY accounts_name_idx ON accounts (name);",
                    false,
                )],
            ),
            (
                "db/migrations/20240107080000_add_accounts_plan.sql",
                "dbmate",
                &[
                    ("ALTER TABLE accounts ADD COLUMN plan text;", true),
                    (
                        "CREATE INDEX CONCURRENTLY accounts_plan_idx ON accounts (plan);",
                        true,
                    ),
                ],
            ),
        ],
    );
}

#[test]
fn sqlx_no_transaction_marker_and_reversible_files() {
    check_fixture(
        "sqlx",
        "",
        &[
            (
                "migrations/20240110120000_create_events.sql",
                "sqlx",
                &[("CREATE TABLE events (", true)],
            ),
            (
                "migrations/20240111120000_index_events_kind.sql",
                "sqlx",
                &[(
                    "CREATE INDEX CONCURRENTLY events_kind_idx ON events (kind);",
                    false,
                )],
            ),
            (
                "migrations/20240112120000_index_events_payload.sql",
                "sqlx",
                &[(
                    "CREATE INDEX CONCURRENTLY events_payload_idx ON events USING gin (payload);",
                    true,
                )],
            ),
            (
                "migrations/20240113120000_add_events_source.up.sql",
                "sqlx",
                &[("ALTER TABLE events ADD COLUMN source text;", true)],
            ),
        ],
    );
}

#[test]
fn diesel_folders_and_metadata_toml() {
    check_fixture(
        "diesel",
        "",
        &[
            (
                "migrations/00000000000000_diesel_initial_setup/up.sql",
                "diesel",
                &[(
                    "CREATE OR REPLACE FUNCTION diesel_manage_updated_at(_tbl regclass) RETURNS VOID AS $$",
                    true,
                )],
            ),
            (
                "migrations/2024-01-20-101500_create_posts/up.sql",
                "diesel",
                &[("CREATE TABLE posts (", true)],
            ),
            (
                "migrations/2024-01-21-090000_index_posts_author/up.sql",
                "diesel",
                &[(
                    "CREATE INDEX CONCURRENTLY posts_author_id_idx ON posts (author_id);",
                    false,
                )],
            ),
            (
                "migrations/2024-01-22-090000_index_posts_title/up.sql",
                "diesel",
                &[(
                    "CREATE INDEX CONCURRENTLY posts_title_idx ON posts (title);",
                    true,
                )],
            ),
        ],
    );
}

/// popx (Ory): `<version>_<name>.<db>.<up|down>.sql` runs on that database only and replaces
/// the version's file for every database; `.autocommit.` files run outside a transaction.
#[test]
fn popx_database_files_and_autocommit() {
    check_fixture(
        "popx",
        "",
        &[
            (
                "persistence/migrations/000001_create_items.up.sql",
                "golang-migrate",
                &[("CREATE TABLE items (id bigint PRIMARY KEY);", false)],
            ),
            (
                "persistence/migrations/000002_items_sku.postgres.up.sql",
                "golang-migrate",
                &[(
                    "ALTER TABLE items ADD COLUMN IF NOT EXISTS sku text;",
                    false,
                )],
            ),
            (
                "persistence/migrations/000003_items_sku_idx.postgres.autocommit.up.sql",
                "golang-migrate",
                // Two statements: a multi-statement string would wrap them in a transaction.
                &[
                    (
                        "CREATE INDEX CONCURRENTLY items_sku_idx ON items (sku);",
                        false,
                    ),
                    (
                        "CREATE INDEX CONCURRENTLY items_id_sku_idx ON items (id, sku);",
                        false,
                    ),
                ],
            ),
        ],
    );
}

#[test]
fn golang_migrate_multi_statement_semantics() {
    check_fixture(
        "golang-migrate",
        "",
        &[
            (
                "db/migrations/000001_create_items.up.sql",
                "golang-migrate",
                // A lone statement runs on its own.
                &[("CREATE TABLE items (", false)],
            ),
            (
                "db/migrations/000002_index_items_sku.up.sql",
                "golang-migrate",
                &[(
                    "CREATE INDEX CONCURRENTLY items_sku_idx ON items (sku);",
                    false,
                )],
            ),
            (
                "db/migrations/000003_index_items_price.up.sql",
                "golang-migrate",
                &[
                    (
                        "CREATE INDEX CONCURRENTLY items_price_idx ON items (price_cents);",
                        true,
                    ),
                    ("COMMENT ON INDEX items_price_idx IS 'price lookups';", true),
                ],
            ),
            (
                "db/migrations/000004_items_currency.up.sql",
                "golang-migrate",
                &[
                    ("BEGIN;", true),
                    ("ALTER TABLE items ADD COLUMN currency char(3);", true),
                    ("COMMIT;", true),
                    // The query string goes on in a new implicit transaction.
                    (
                        "UPDATE items SET currency = 'EUR' WHERE currency IS NULL;",
                        true,
                    ),
                ],
            ),
        ],
    );
}

#[test]
fn flyway_versions_repeatables_and_undo() {
    check_fixture(
        "flyway",
        "",
        &[
            (
                "sql/V1__create_customers.sql",
                "flyway",
                &[("CREATE TABLE customers (", true)],
            ),
            (
                "sql/V1.1__add_customers_name.sql",
                "flyway",
                &[("ALTER TABLE customers ADD COLUMN name text;", true)],
            ),
            (
                "sql/V1.9__add_customers_country.sql",
                "flyway",
                &[("ALTER TABLE customers ADD COLUMN country char(2);", true)],
            ),
            (
                "sql/V1.10__index_customers_email.sql",
                "flyway",
                &[(
                    "CREATE INDEX CONCURRENTLY customers_email_idx ON customers (email);",
                    false,
                )],
            ),
            (
                "sql/V2__index_customers_country.sql",
                "flyway",
                &[
                    (
                        "CREATE INDEX CONCURRENTLY customers_country_idx ON customers (country);",
                        true,
                    ),
                    (
                        "ALTER TABLE customers ALTER COLUMN country SET DEFAULT 'NL';",
                        true,
                    ),
                ],
            ),
            (
                "sql/R__customer_emails_view.sql",
                "flyway",
                &[(
                    "CREATE OR REPLACE VIEW customer_emails AS SELECT id, email FROM customers;",
                    true,
                )],
            ),
        ],
    );
}

#[test]
fn flyway_undo_is_linted_only_with_lint_down() {
    let dir = fixture("flyway");
    let files: Vec<String> = seen(
        &dir,
        &lint_dir(&dir, &settings("[migrations]\nlint_down = true\n")),
    )
    .into_iter()
    .map(|(f, _, _)| f)
    .collect();
    assert_eq!(
        files,
        vec![
            "sql/V1__create_customers.sql",
            "sql/V1.1__add_customers_name.sql",
            "sql/V1.9__add_customers_country.sql",
            "sql/V1.10__index_customers_email.sql",
            "sql/V2__index_customers_country.sql",
            "sql/U2__undo_index_customers_country.sql",
            "sql/R__customer_emails_view.sql",
        ]
    );
}

#[test]
fn prisma_folders_and_multi_statement_semantics() {
    check_fixture(
        "prisma",
        "",
        &[
            (
                "migrations/20240201100000_init/migration.sql",
                "prisma",
                &[("CREATE TABLE \"Order\" (", false)],
            ),
            (
                "migrations/20240202100000_index_orders_user/migration.sql",
                "prisma",
                &[(
                    "CREATE INDEX CONCURRENTLY \"Order_userId_idx\" ON \"Order\"(\"userId\");",
                    false,
                )],
            ),
            (
                "migrations/20240203100000_orders_status/migration.sql",
                "prisma",
                &[
                    ("ALTER TABLE \"Order\" ADD COLUMN \"note\" TEXT;", true),
                    (
                        "CREATE INDEX CONCURRENTLY \"Order_status_idx\" ON \"Order\"(\"status\");",
                        true,
                    ),
                ],
            ),
        ],
    );
}

#[test]
fn liquibase_changesets_rollbacks_and_dbms() {
    let rows: &Rows = &[(
        "changelog/001-shipments.sql",
        "liquibase",
        &[
            ("CREATE TABLE shipments (", true),
            (
                "CREATE INDEX CONCURRENTLY shipments_carrier_idx ON shipments (carrier);",
                false,
            ),
            // alice:3 is for MySQL only.
            (
                "ALTER TABLE shipments ADD COLUMN weight_grams integer;",
                true,
            ),
            (
                "CREATE INDEX CONCURRENTLY shipments_weight_idx ON shipments (weight_grams);",
                true,
            ),
        ],
    )];
    check_fixture("liquibase", "", rows);

    // With lint_down, the `--rollback` lines are linted too, at their own lines.
    let dir = fixture("liquibase");
    let results = lint_dir(&dir, &settings("[migrations]\nlint_down = true\n"));
    let r = &results[0];
    let lines: Vec<(usize, String)> = r
        .stmts
        .iter()
        .map(|a| {
            (
                r.source.line_col(a.stmt.span.start).0,
                first_line(r, &a.stmt.span),
            )
        })
        .collect();
    let want: Vec<(usize, &str)> = vec![
        (4, "CREATE TABLE shipments ("),
        (8, "DROP TABLE shipments;"),
        (
            11,
            "CREATE INDEX CONCURRENTLY shipments_carrier_idx ON shipments (carrier);",
        ),
        (12, "DROP INDEX CONCURRENTLY shipments_carrier_idx;"),
        (18, "ALTER TABLE shipments ADD COLUMN weight_grams integer;"),
        (
            19,
            "CREATE INDEX CONCURRENTLY shipments_weight_idx ON shipments (weight_grams);",
        ),
        (20, "DROP INDEX shipments_weight_idx;"),
        (21, "ALTER TABLE shipments DROP COLUMN weight_grams;"),
    ];
    let want: Vec<(usize, String)> = want.into_iter().map(|(l, t)| (l, t.to_string())).collect();
    assert_eq!(lines, want);
}

#[test]
fn plain_files_in_natural_order_and_assume_in_transaction() {
    let rows = |in_txn: bool| -> Seen {
        expect(&[
            (
                "001_create_invoices.sql",
                "plain",
                &[("CREATE TABLE invoices (", in_txn)],
            ),
            (
                "002_index_invoices.sql",
                "plain",
                &[(
                    "CREATE INDEX CONCURRENTLY invoices_customer_idx ON invoices (customer_id);",
                    in_txn,
                )],
            ),
            (
                "9_invoices_paid.sql",
                "plain",
                &[(
                    "ALTER TABLE invoices ADD COLUMN paid_at timestamptz;",
                    in_txn,
                )],
            ),
            (
                "010_invoices_due.sql",
                "plain",
                &[
                    ("BEGIN;", true),
                    ("ALTER TABLE invoices ADD COLUMN due_on date;", true),
                    ("COMMIT;", true),
                ],
            ),
        ])
    };
    let dir = fixture("plain");
    assert_eq!(seen(&dir, &lint_dir(&dir, &settings(""))), rows(false));
    let s = settings("[migrations]\nassume_in_transaction = true\n");
    assert_eq!(seen(&dir, &lint_dir(&dir, &s)), rows(true));
}

#[test]
fn configured_tool_overrides_detection() {
    let dir = fixture("plain");
    let got = seen(
        &dir,
        &lint_dir(&dir, &settings("[migrations]\ntool = \"sqlx\"\n")),
    );
    assert!(got.iter().all(|(_, t, _)| *t == "sqlx"), "{got:?}");
    // sqlx wraps every file in a transaction.
    assert_eq!(
        got[1].2,
        vec![(
            "CREATE INDEX CONCURRENTLY invoices_customer_idx ON invoices (customer_id);".into(),
            true
        )]
    );
}

fn lint_memory(files: &[(&str, &str)], config: &str) -> Vec<FileResult> {
    let loaded = files
        .iter()
        .map(|(n, t)| (SourceFile::new(*n, t.to_string()), Vec::new()))
        .collect();
    pipeline::lint_sources(loaded, &settings(config))
}

/// The rule these tests watch: it fires on existing large tables only, so it shows whether a
/// table counts as new.
const INDEX_RULE: &str = "create-index-non-concurrently";

/// Where INDEX_RULE fires: (rule, line).
fn rules_at(r: &FileResult) -> Vec<(&'static str, usize)> {
    r.findings()
        .filter(|f| f.rule == INDEX_RULE)
        .map(|f| (f.rule, r.source.line_col(f.span.start).0))
        .collect()
}

#[test]
fn schema_replay_across_files_in_tool_order() {
    // Written out of order: 10 runs after 9 and 2 after 1.
    let d = tempfile::tempdir().unwrap();
    let files: &[(&str, &str)] = &[
        (
            "db/10_index_orders.sql",
            "CREATE INDEX orders_total_idx ON orders (total);\n",
        ),
        (
            "db/2_index_accounts.sql",
            "CREATE INDEX accounts_name_idx ON accounts (name);\n",
        ),
        (
            "db/1_create_accounts.sql",
            "CREATE TABLE accounts (id bigint PRIMARY KEY, name text);\n\
                 CREATE INDEX accounts_id_name_idx ON accounts (id, name);\n",
        ),
        (
            "db/9_create_orders.sql",
            "CREATE TABLE orders (id bigint PRIMARY KEY, total bigint);\n",
        ),
    ];
    for (name, text) in files {
        write(d.path(), name, text);
    }
    let dir = d.path().join("db");
    let results = lint_dir(&dir, &Settings::default());
    let names: Vec<String> = seen(&dir, &results).into_iter().map(|r| r.0).collect();
    assert_eq!(
        names,
        vec![
            "1_create_accounts.sql",
            "2_index_accounts.sql",
            "9_create_orders.sql",
            "10_index_orders.sql",
        ]
    );
    // Created in the same migration: new and empty, silent.
    assert_eq!(rules_at(&results[0]), vec![]);
    // Created in an earlier migration: an existing table, no hint, so large.
    assert_eq!(
        rules_at(&results[1]),
        vec![("create-index-non-concurrently", 1)]
    );
    assert_eq!(rules_at(&results[2]), vec![]);
    assert_eq!(
        rules_at(&results[3]),
        vec![("create-index-non-concurrently", 1)]
    );
    // A hint still decides the size of a table created in an earlier migration.
    let small = lint_memory(
        &[
            (
                "db/1_a.sql",
                "CREATE TABLE accounts (id bigint, name text);\n",
            ),
            ("db/2_b.sql", "CREATE INDEX a_idx ON accounts (name);\n"),
        ],
        "[tables]\naccounts = { rows = 10 }\n",
    );
    assert_eq!(rules_at(&small[1]), vec![]);
}

#[test]
fn down_sections_are_analyzed_against_the_schema_not_after_the_up() {
    // The Down section's index is on a table that, when the Down runs, has existed for a
    // while: not the empty table the Up just created.
    let text = "-- +goose Up\n\
                CREATE TABLE t (id bigint, x int);\n\
                CREATE INDEX t_x_idx ON t (x);\n\
                -- +goose Down\n\
                CREATE INDEX t_id_idx ON t (id);\n";
    let up_only = lint_memory(&[("db/1_t.sql", text)], "");
    assert_eq!(up_only[0].tool, "goose");
    assert_eq!(rules_at(&up_only[0]), vec![]);
    let with_down = lint_memory(&[("db/1_t.sql", text)], "[migrations]\nlint_down = true\n");
    assert_eq!(
        rules_at(&with_down[0]),
        vec![("create-index-non-concurrently", 5)]
    );
}

#[test]
fn down_migrations_never_change_the_replayed_schema() {
    let settings = Settings::default();
    let mut analyzer = Analyzer::new(&settings, locklint::rules::CHECKS);
    let up = SourceFile::new(
        "1.up.sql",
        "CREATE TABLE t (id bigint);\nCREATE INDEX t_idx ON t (id);\n".into(),
    );
    let down = SourceFile::new("1.down.sql", "DROP TABLE t;\n".into());
    analyzer.analyze(
        &up,
        locklint::parse::parse_source(&up),
        &FileMode::whole(TxnMode::Single),
    );
    let dropped = analyzer.analyze_detached(
        &down,
        locklint::parse::parse_source(&down),
        &FileMode::whole(TxnMode::Single),
    );
    assert_eq!(dropped.len(), 1);
    let t = locklint::model::ObjName::bare("t");
    assert!(analyzer.catalog().table(&t).is_some());
    assert!(
        analyzer
            .catalog()
            .index(&locklint::model::ObjName::bare("t_idx"))
            .is_some()
    );
}

#[test]
fn goose_statement_blocks_stay_one_statement() {
    let text = "-- +goose Up\n\
                -- +goose StatementBegin\n\
                CREATE FUNCTION f() RETURNS int AS '\n\
                BEGIN\n\
                  PERFORM 1;\n\
                  RETURN 1;\n\
                END;\n\
                ' LANGUAGE plpgsql;\n\
                -- +goose StatementEnd\n\
                -- +goose StatementBegin\n\
                CREATE TABLE a (id int);\n\
                CREATE TABLE b (id int);\n\
                -- +goose StatementEnd\n";
    let r = &lint_memory(&[("db/1_f.sql", text)], "")[0];
    let stmts: Vec<String> = r
        .stmts
        .iter()
        .map(|a| first_line(r, &a.stmt.span))
        .collect();
    // The function is one statement; a block of two statements stays two (PostgreSQL itself
    // splits a multi-statement string).
    assert_eq!(
        stmts,
        vec![
            "CREATE FUNCTION f() RETURNS int AS '",
            "CREATE TABLE a (id int);",
            "CREATE TABLE b (id int);"
        ]
    );
    assert!(
        r.stmts
            .iter()
            .all(|a| !matches!(a.stmt.parsed, locklint::model::Parsed::Unparsed { .. }))
    );
}

#[test]
fn a_missing_semicolon_never_joins_up_and_down() {
    let text = "-- migrate:up\nCREATE TABLE t (id int)\n\n-- migrate:down\nDROP TABLE t;\n";
    let r = &lint_memory(&[("db/20240101000000_t.sql", text)], "")[0];
    assert_eq!(r.tool, "dbmate");
    assert_eq!(r.stmts.len(), 1);
    assert_eq!(
        &r.source.text[r.stmts[0].stmt.span.clone()],
        "CREATE TABLE t (id int)"
    );
}

#[test]
fn lint_text_never_panics_on_a_down_file() {
    let r = pipeline::lint_text("7_x.down.sql", "DROP TABLE x;\n", &Settings::default());
    assert!(r.stmts.is_empty());
}

// ---------------------------------------------------------------------------------------
// --since GIT_REF, in a real temporary repository
// ---------------------------------------------------------------------------------------

use std::process::Command;

fn have_git() -> bool {
    Command::new("git")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
        .args([
            "-c",
            "commit.gpgsign=false",
            "-c",
            "init.defaultBranch=main",
        ])
        .args(args)
        .current_dir(dir)
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn write(dir: &Path, rel: &str, text: &str) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

struct Run {
    code: i32,
    json: serde_json::Value,
    stderr: String,
}

fn locklint(dir: &Path, args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_locklint"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("locklint runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    Run {
        code: out.status.code().unwrap_or(-1),
        json: serde_json::from_str(&stdout).unwrap_or(serde_json::Value::Null),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// The files INDEX_RULE fires in.
fn diagnostic_paths(run: &Run) -> Vec<String> {
    let mut v: Vec<String> = run.json["diagnostics"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter(|d| d["rule"] == INDEX_RULE)
                .map(|d| d["path"].as_str().unwrap_or("").to_string())
                .collect()
        })
        .unwrap_or_default();
    v.dedup();
    v
}

/// A repository with migrations 1–2 committed at tag `base`, then 3 committed, 4 staged,
/// 5 untracked.
fn repo_with_history() -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    let p = d.path();
    git(p, &["init", "-q"]);
    write(p, "locklint.toml", "[migrations]\npaths = [\"db\"]\n");
    write(
        p,
        "db/1_create_big.sql",
        "CREATE TABLE big (id bigint, x int);\nCREATE INDEX big_x_idx ON big (x);\n",
    );
    write(
        p,
        "db/2_old_index.sql",
        "CREATE INDEX big_id_idx ON big (id);\n",
    );
    git(p, &["add", "."]);
    git(p, &["commit", "-q", "-m", "base"]);
    git(p, &["tag", "base"]);
    write(
        p,
        "db/3_committed.sql",
        "CREATE INDEX big_a_idx ON big (x, id);\n",
    );
    git(p, &["add", "."]);
    git(p, &["commit", "-q", "-m", "three"]);
    write(
        p,
        "db/4_staged.sql",
        "CREATE INDEX big_b_idx ON big (id, x);\n",
    );
    git(p, &["add", "db/4_staged.sql"]);
    write(p, "db/5_untracked.sql", "DROP INDEX big_x_idx;\n");
    d
}

#[test]
fn since_lints_only_changed_files_and_replays_the_rest() {
    if !have_git() {
        println!("skipped: git is not installed");
        return;
    }
    let d = repo_with_history();
    let p = d.path();

    let all = locklint(p, &["check", "--format", "json"]);
    assert_eq!(all.code, 1, "{}", all.stderr);
    assert_eq!(all.json["summary"]["files"], 5);
    assert_eq!(
        diagnostic_paths(&all),
        vec![
            "db/2_old_index.sql",
            "db/3_committed.sql",
            "db/4_staged.sql"
        ]
    );

    let since = locklint(p, &["check", "--since", "base", "--format", "json"]);
    assert_eq!(since.code, 1, "{}", since.stderr);
    assert_eq!(since.json["summary"]["files"], 3);
    assert_eq!(
        diagnostic_paths(&since),
        vec!["db/3_committed.sql", "db/4_staged.sql"]
    );

    // Nothing changed since HEAD but the staged and untracked files.
    let head = locklint(p, &["check", "--since", "HEAD", "--format", "json"]);
    assert_eq!(head.json["summary"]["files"], 2);

    // The unreported files were replayed: the untracked DROP INDEX knows its table.
    let (inputs, _) = discover::collect(&[p.join("db")], "<stdin>");
    let changed = discover::git::changed_since(p, "base").unwrap();
    let results = pipeline::lint_inputs_since(
        &inputs,
        &Settings::default(),
        Some(&changed),
        pipeline::Keep::All,
    );
    let names: Vec<String> = results
        .iter()
        .map(|r| {
            Path::new(&r.source.name)
                .file_name()
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    assert_eq!(
        names,
        vec!["3_committed.sql", "4_staged.sql", "5_untracked.sql"]
    );
    let drop = &results[2].stmts[0];
    assert!(
        drop.effects.locks.iter().any(|l| l.rel.name == "big"),
        "{:?}",
        drop.effects.locks
    );
}

#[test]
fn since_errors_are_clear_and_exit_2() {
    if !have_git() {
        println!("skipped: git is not installed");
        return;
    }
    let d = repo_with_history();
    let r = locklint(d.path(), &["check", "--since", "no-such-ref"]);
    assert_eq!(r.code, 2);
    assert_eq!(
        r.stderr.trim(),
        "error: --since: unknown git revision `no-such-ref`"
    );
    // Never read as an option of git's.
    let r = locklint(d.path(), &["check", "--since=--all"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert_eq!(
        r.stderr.trim(),
        "error: --since: unknown git revision `--all`"
    );

    let outside = tempfile::tempdir().unwrap();
    write(outside.path(), "m.sql", "SELECT 1;\n");
    let r = locklint(outside.path(), &["check", "--since", "main", "m.sql"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("not in a git repository"), "{}", r.stderr);
}

#[test]
fn concurrently_in_transaction_follows_each_tools_semantics() {
    // Where the concurrently-in-transaction rule must fire, fixture by fixture: exactly the
    // files whose tool runs CONCURRENTLY inside a transaction.
    let cases: &[(&str, &str, &[&str])] = &[
        ("goose", "", &["2_index_users_email.sql"]),
        (
            "dbmate",
            "",
            &["db/migrations/20240107080000_add_accounts_plan.sql"],
        ),
        (
            "sqlx",
            "",
            &["migrations/20240112120000_index_events_payload.sql"],
        ),
        (
            "diesel",
            "",
            &["migrations/2024-01-22-090000_index_posts_title/up.sql"],
        ),
        (
            "golang-migrate",
            "",
            &["db/migrations/000003_index_items_price.up.sql"],
        ),
        ("flyway", "", &["sql/V2__index_customers_country.sql"]),
        (
            "prisma",
            "",
            &["migrations/20240203100000_orders_status/migration.sql"],
        ),
        ("liquibase", "", &["changelog/001-shipments.sql"]),
        ("plain", "", &[]),
        (
            "plain",
            "[migrations]\nassume_in_transaction = true\n",
            &["002_index_invoices.sql"],
        ),
    ];
    for (rel, config, want) in cases {
        let dir = fixture(rel);
        let results = lint_dir(&dir, &settings(config));
        let got: Vec<String> = results
            .iter()
            .filter(|r| {
                r.findings()
                    .any(|f| f.rule == "concurrently-in-transaction")
            })
            .map(|r| {
                Path::new(&r.source.name)
                    .strip_prefix(&dir)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/")
            })
            .collect();
        assert_eq!(got, *want, "fixture {rel} {config}");
    }
}

#[test]
fn parse_errors_inside_a_section_point_at_the_files_lines() {
    let text = "-- +goose Up\n\
                SELECT 1;\n\
                CREATE TABLE t (id int,, x int);\n\
                -- +goose Down\n\
                DROP TABLE t;\n";
    let r = &lint_memory(&[("db/1_t.sql", text)], "")[0];
    let errors: Vec<(usize, usize)> = r
        .findings()
        .filter(|f| f.rule == "parse-error")
        .map(|f| r.source.line_col(f.span.start))
        .collect();
    assert_eq!(errors, vec![(3, 24)]);
}
