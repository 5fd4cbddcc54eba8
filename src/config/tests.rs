use super::*;

const RULES: &[&str] = &[
    "missing-lock-timeout",
    "create-index-non-concurrently",
    "add-foreign-key-validated",
];

const FULL_EXAMPLE: &str = r#"postgres_version = 15          # target server major version (11 … 18); default 16
dialect = "postgres"           # or "mysql"
mysql_version = "8.0"          # when dialect = "mysql"

[migrations]
paths = ["db/migrations"]      # default inputs for `check`
tool = "auto"
assume_in_transaction = false  # for plain SQL files
lint_down = false

[size]
large_rows = 1_000_000         # at or above: large
unknown = "large"              # "large" | "small"

[tables]                       # size hints; keys may be schema-qualified or globs
measurements = { rows = 450_000_000, bytes = "120 GB" }
"public.patients" = { rows = 2_000_000 }
"audit_*" = { rows = 50_000_000 }

[rules]
missing-lock-timeout = "warning"   # error | warning | info | off
"#;

fn parse(text: &str) -> Settings {
    match parse_str(text, Path::new("locklint.toml"), RULES) {
        Ok(settings) => settings,
        Err(err) => panic!("expected the config to parse, got:\n{}", render(&err)),
    }
}

fn render(err: &ConfigError) -> String {
    let mut out = String::new();
    miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor())
        .with_width(100)
        .render_report(&mut out, err)
        .expect("rendering into a String cannot fail");
    out
}

/// Parse `text`, expect an error whose span covers exactly `at` on 1-based `line`, and
/// return the rendered report for a snapshot.
fn error_at(text: &str, at: &str, line: usize) -> String {
    let err = match parse_str(text, Path::new("db/locklint.toml"), RULES) {
        Ok(settings) => panic!("expected an error at {at:?}, got {settings:?}"),
        Err(err) => err,
    };
    let span = err
        .span()
        .unwrap_or_else(|| panic!("expected a located error, got {err}"));
    assert_eq!(&text[span.clone()], at, "span of: {err}");
    assert_eq!(
        text[..span.start].matches('\n').count() + 1,
        line,
        "line of: {err}"
    );
    let report = render(&err);
    assert!(
        report.contains(&format!("[db/locklint.toml:{line}:")),
        "{report}"
    );
    report
}

macro_rules! assert_report {
    ($name:literal, $report:expr) => {
        insta::with_settings!({
            snapshot_path => "../../testdata/snapshots",
            prepend_module_to_snapshot => false,
        }, {
            insta::assert_snapshot!(concat!("config__", $name), $report);
        })
    };
}

// --- defaults and the full example ----------------------------------------------------

#[test]
fn defaults_apply_without_a_file() {
    let settings = Settings::default();
    assert_eq!(settings.postgres_version, 16);
    assert_eq!(settings.dialect, Dialect::Postgres);
    assert_eq!(settings.mysql_version, "8.0");
    assert!(settings.migrations.paths.is_empty());
    assert_eq!(settings.migrations.tool, Tool::Auto);
    assert!(!settings.migrations.assume_in_transaction);
    assert!(!settings.migrations.lint_down);
    assert_eq!(settings.size.large_rows, 1_000_000);
    assert_eq!(settings.size.unknown, UnknownSize::Large);
    assert!(settings.tables.is_empty());
    assert!(settings.rules.is_empty());
    assert_eq!(settings.config_path, None);
}

#[test]
fn empty_file_gives_defaults() {
    for text in [
        "",
        "\n",
        "# only a comment\n",
        "[migrations]\n[size]\n[tables]\n[rules]\n",
    ] {
        let settings = parse(text);
        assert_eq!(settings.postgres_version, 16);
        assert_eq!(settings.size.large_rows, 1_000_000);
        assert!(settings.tables.is_empty());
        assert!(settings.migrations.paths.is_empty());
        assert_eq!(
            settings.config_path.as_deref(),
            Some(Path::new("locklint.toml"))
        );
    }
}

#[test]
fn full_example_parses() {
    let settings = parse_str(FULL_EXAMPLE, Path::new("project/locklint.toml"), RULES)
        .unwrap_or_else(|err| panic!("{}", render(&err)));
    assert_eq!(settings.postgres_version, 15);
    assert_eq!(settings.dialect, Dialect::Postgres);
    assert_eq!(settings.mysql_version, "8.0");
    assert_eq!(
        settings.migrations.paths,
        [PathBuf::from("project/db/migrations")]
    );
    assert_eq!(settings.migrations.tool, Tool::Auto);
    assert!(!settings.migrations.assume_in_transaction);
    assert!(!settings.migrations.lint_down);
    assert_eq!(settings.size.large_rows, 1_000_000);
    assert_eq!(settings.size.unknown, UnknownSize::Large);
    assert_eq!(
        settings.tables.iter().collect::<Vec<_>>(),
        [
            (
                "measurements",
                TableHint {
                    rows: Some(450_000_000),
                    bytes: Some(120_000_000_000)
                }
            ),
            (
                "public.patients",
                TableHint {
                    rows: Some(2_000_000),
                    bytes: None
                }
            ),
            (
                "audit_*",
                TableHint {
                    rows: Some(50_000_000),
                    bytes: None
                }
            ),
        ]
    );
    assert_eq!(
        settings.rule_level("missing-lock-timeout"),
        Some(Level::Warning)
    );
    assert_eq!(settings.rule_level("create-index-non-concurrently"), None);
    assert_eq!(
        settings.config_path.as_deref(),
        Some(Path::new("project/locklint.toml"))
    );
}

#[test]
fn every_value_can_be_set() {
    let settings = parse(
        r#"
        postgres_version = 11
        dialect = "mysql"
        mysql_version = "mariadb-10.11"
        [migrations]
        paths = ["a", "/abs/b"]
        tool = "golang-migrate"
        assume_in_transaction = true
        lint_down = true
        [size]
        large_rows = 5
        unknown = "small"
        [rules]
        missing-lock-timeout = "off"
        create-index-non-concurrently = "error"
        add-foreign-key-validated = "info"
        "#,
    );
    assert_eq!(settings.postgres_version, 11);
    assert_eq!(settings.dialect, Dialect::Mysql);
    assert_eq!(settings.mysql_version, "mariadb-10.11");
    // The config file is "locklint.toml" in the current directory: paths stay relative.
    assert_eq!(
        settings.migrations.paths,
        [PathBuf::from("a"), PathBuf::from("/abs/b")]
    );
    assert_eq!(settings.migrations.tool, Tool::GolangMigrate);
    assert!(settings.migrations.assume_in_transaction);
    assert!(settings.migrations.lint_down);
    assert_eq!(settings.size.large_rows, 5);
    assert_eq!(settings.size.unknown, UnknownSize::Small);
    assert_eq!(
        settings.rule_level("missing-lock-timeout"),
        Some(Level::Off)
    );
    assert_eq!(
        settings.rule_level("create-index-non-concurrently"),
        Some(Level::Error)
    );
    assert_eq!(
        settings.rule_level("add-foreign-key-validated"),
        Some(Level::Info)
    );
}

#[test]
fn tables_may_use_table_headers() {
    let settings = parse("[tables.events]\nrows = 10\nbytes = 2048\n");
    assert_eq!(
        settings.tables.lookup(None, "events"),
        Some(TableHint {
            rows: Some(10),
            bytes: Some(2048)
        })
    );
}

#[test]
fn postgres_version_bounds_are_inclusive() {
    assert_eq!(parse("postgres_version = 11").postgres_version, 11);
    assert_eq!(parse("postgres_version = 18").postgres_version, 18);
}

// --- size decisions and rule levels ------------------------------------------------------

#[test]
fn is_large_compares_rows_at_or_above_the_threshold() {
    let settings = parse("[size]\nlarge_rows = 100\n");
    let hint = |rows| {
        Some(TableHint {
            rows: Some(rows),
            bytes: None,
        })
    };
    assert!(!settings.is_large(hint(99)));
    assert!(settings.is_large(hint(100)));
    assert!(settings.is_large(hint(101)));
    assert!(settings.is_large(None), "unknown size defaults to large");
    let small = parse("[size]\nunknown = \"small\"\n");
    assert!(!small.is_large(None));
    assert!(small.is_large(hint(1_000_000)));
}

#[test]
fn levels_are_ordered_and_named() {
    assert!(Level::Off < Level::Info);
    assert!(Level::Info < Level::Warning);
    assert!(Level::Warning < Level::Error);
    for level in Level::ALL {
        assert_eq!(level.to_string().parse::<Level>(), Ok(*level));
    }
    assert_eq!(Level::Warning.to_string(), "warning");
    let err = "warn".parse::<Level>().unwrap_err();
    assert_eq!(
        err.to_string(),
        "unknown level `warn`, expected one of: off, info, warning, error"
    );
    assert_eq!(err.suggestion(), Some("warning"));
}

#[test]
fn tools_round_trip_through_their_names() {
    assert_eq!(Tool::ALL.len(), Tool::NAMES.len());
    for tool in Tool::ALL {
        assert_eq!(tool.name().parse::<Tool>(), Ok(*tool));
        // The serde name and the config name are the same string.
        assert_eq!(
            serde_json::to_value(tool).ok(),
            Some(serde_json::Value::from(tool.name()))
        );
    }
    assert_eq!("golang-migrate".parse::<Tool>(), Ok(Tool::GolangMigrate));
    for dialect in Dialect::ALL {
        assert_eq!(dialect.name().parse::<Dialect>(), Ok(*dialect));
    }
    for unknown in UnknownSize::ALL {
        assert_eq!(unknown.name().parse::<UnknownSize>(), Ok(*unknown));
    }
}

// --- table hints: keys and lookup precedence ---------------------------------------------

fn hints(text: &str) -> TableHints {
    parse(&format!("[tables]\n{text}")).tables
}

fn rows(hints: &TableHints, schema: Option<&str>, table: &str) -> Option<u64> {
    hints.lookup(schema, table).and_then(|hint| hint.rows)
}

#[test]
fn qualified_exact_key_beats_unqualified_and_glob() {
    let hints = hints(
        r#"
        "user*" = { rows = 3 }
        users = { rows = 2 }
        "public.users" = { rows = 1 }
        "app.users" = { rows = 4 }
        "#,
    );
    assert_eq!(
        rows(&hints, None, "users"),
        Some(1),
        "no schema means public"
    );
    assert_eq!(rows(&hints, Some("public"), "users"), Some(1));
    assert_eq!(rows(&hints, Some("app"), "users"), Some(4));
    assert_eq!(
        rows(&hints, Some("other"), "users"),
        Some(2),
        "an unqualified key matches any schema"
    );
    assert_eq!(rows(&hints, Some("other"), "user_roles"), Some(3));
    assert_eq!(rows(&hints, None, "accounts"), None);
}

#[test]
fn qualified_key_does_not_match_other_schemas() {
    let hints = hints("\"app.orders\" = { rows = 1 }\n");
    assert_eq!(rows(&hints, Some("app"), "orders"), Some(1));
    assert_eq!(rows(&hints, None, "orders"), None);
    assert_eq!(rows(&hints, Some("public"), "orders"), None);
}

#[test]
fn first_glob_in_file_order_wins() {
    // Sorted, "*" would come before "z_*"; file order must decide.
    let hints = hints(
        r#"
        "z_*" = { rows = 1 }
        "*" = { rows = 2 }
        "#,
    );
    assert_eq!(rows(&hints, None, "z_log"), Some(1));
    assert_eq!(rows(&hints, None, "a_log"), Some(2));
    assert_eq!(
        hints.iter().map(|(key, _)| key).collect::<Vec<_>>(),
        ["z_*", "*"]
    );
}

#[test]
fn glob_with_a_dot_matches_the_qualified_name() {
    let hints = hints(
        r#"
        "audit.*" = { rows = 1 }
        "public.log_*" = { rows = 2 }
        "log_*" = { rows = 3 }
        "#,
    );
    assert_eq!(rows(&hints, Some("audit"), "anything"), Some(1));
    assert_eq!(
        rows(&hints, None, "log_2024"),
        Some(2),
        "no schema means public"
    );
    assert_eq!(rows(&hints, Some("public"), "log_2024"), Some(2));
    assert_eq!(rows(&hints, Some("app"), "log_2024"), Some(3));
    assert_eq!(
        rows(&hints, None, "audit"),
        None,
        "a dotless name never matches the schema part of a glob"
    );
}

#[test]
fn glob_metacharacters_question_mark_and_class() {
    let hints = hints(
        r#"
        "part_?" = { rows = 1 }
        "shard_[ab]" = { rows = 2 }
        "#,
    );
    assert_eq!(rows(&hints, None, "part_1"), Some(1));
    assert_eq!(rows(&hints, None, "part_12"), None);
    assert_eq!(rows(&hints, None, "shard_b"), Some(2));
    assert_eq!(rows(&hints, None, "shard_c"), None);
}

#[test]
fn unquoted_keys_fold_to_lower_case() {
    let hints = hints(
        r#"
        Users = { rows = 1 }
        "App.Orders" = { rows = 2 }
        "AUDIT_*" = { rows = 3 }
        "#,
    );
    assert_eq!(rows(&hints, None, "users"), Some(1));
    assert_eq!(
        rows(&hints, None, "Users"),
        None,
        "callers pass folded names"
    );
    assert_eq!(rows(&hints, Some("app"), "orders"), Some(2));
    assert_eq!(rows(&hints, None, "audit_x"), Some(3));
}

#[test]
fn quoted_parts_keep_their_case() {
    let hints = hints(
        r#"
        '"Users"' = { rows = 1 }
        'app."Orders"' = { rows = 2 }
        '"My.Schema".items' = { rows = 3 }
        '"Say ""hi"""' = { rows = 4 }
        '"Audit_*"' = { rows = 5 }
        "#,
    );
    assert_eq!(rows(&hints, None, "Users"), Some(1));
    assert_eq!(rows(&hints, None, "users"), None);
    assert_eq!(rows(&hints, Some("app"), "Orders"), Some(2));
    assert_eq!(rows(&hints, Some("app"), "orders"), None);
    assert_eq!(rows(&hints, Some("My.Schema"), "items"), Some(3));
    assert_eq!(rows(&hints, None, "Say \"hi\""), Some(4));
    assert_eq!(rows(&hints, None, "Audit_1"), Some(5));
    assert_eq!(rows(&hints, None, "audit_1"), None);
}

#[test]
fn split_table_key_cases() {
    let ok = |key: &str| split_table_key(key).unwrap_or_else(|why| panic!("{key}: {why}"));
    assert_eq!(ok("Users"), ["users"]);
    assert_eq!(ok(" public . Users "), ["public", "users"]);
    assert_eq!(ok(r#""Users""#), ["Users"]);
    assert_eq!(ok(r#"app."A.B""#), ["app", "A.B"]);
    assert_eq!(ok(r#""a""b""#), [r#"a"b"#]);
    for bad in [
        "", ".x", "x.", "a.b.c", r#""open"#, r#""""#, r#"a"b"#, r#""a"b"#,
    ] {
        assert!(split_table_key(bad).is_err(), "{bad:?} should be rejected");
    }
}

// --- byte sizes ---------------------------------------------------------------------------

#[test]
fn byte_sizes_parse_with_decimal_and_binary_units() {
    let cases: &[(&str, u64)] = &[
        ("42", 42),
        ("0", 0),
        ("42 B", 42),
        ("10kB", 10_000),
        ("10 KB", 10_000),
        ("500 MB", 500_000_000),
        ("120 GB", 120_000_000_000),
        ("2 tb", 2_000_000_000_000),
        ("1 KiB", 1024),
        ("1.5GiB", 1_610_612_736),
        ("3 mib", 3 * 1024 * 1024),
        ("1 TiB", 1 << 40),
        ("0.5 kB", 500),
        (" 7 GB ", 7_000_000_000),
        ("1_000 kB", 1_000_000),
    ];
    for (text, bytes) in cases {
        assert_eq!(parse_byte_size(text), Ok(*bytes), "{text:?}");
    }
}

#[test]
fn bad_byte_sizes_are_rejected() {
    for text in [
        "",
        "GB",
        "-5 GB",
        "12 parsecs",
        "1.2.3 MB",
        ".",
        "5 G B",
        "10000000 TB",
        "99999999999999999999",
        "8 EiB",
    ] {
        assert!(
            parse_byte_size(text).is_err(),
            "{text:?} should be rejected"
        );
    }
    assert_eq!(
        parse_byte_size("-5 GB"),
        Err("sizes cannot be negative".to_string())
    );
}

#[test]
fn bytes_may_be_an_integer() {
    let hints = hints("t = { rows = 1, bytes = 4096 }\n");
    assert_eq!(
        hints.lookup(None, "t"),
        Some(TableHint {
            rows: Some(1),
            bytes: Some(4096)
        })
    );
}

// --- errors point at the key or value ----------------------------------------------------

#[test]
fn error_unknown_key_in_section() {
    let report = error_at("[size]\nlarg_rows = 5\n", "larg_rows", 2);
    assert!(report.contains("did you mean `large_rows`?"), "{report}");
    assert_report!("unknown_key_in_section", report);
}

#[test]
fn error_unknown_top_level_table() {
    let report = error_at(
        "postgres_version = 15\n\n[sizes]\nlarge_rows = 1\n",
        "sizes",
        3,
    );
    assert!(report.contains("did you mean `size`?"), "{report}");
    assert_report!("unknown_top_level_table", report);
}

#[test]
fn error_unknown_top_level_key() {
    let report = error_at("postgres = 15\n", "postgres", 1);
    assert_report!("unknown_top_level_key", report);
}

#[test]
fn error_unknown_key_in_table_hint() {
    let report = error_at("[tables]\nx = { rows = 1, colour = 2 }\n", "colour", 2);
    assert_report!("unknown_key_in_table_hint", report);
}

#[test]
fn error_wrong_type() {
    let report = error_at("[size]\nlarge_rows = \"big\"\n", "\"big\"", 2);
    assert!(report.contains("expected an integer"), "{report}");
    assert_report!("wrong_type", report);
}

#[test]
fn error_wrong_type_for_a_boolean_and_a_section() {
    error_at("[migrations]\nlint_down = \"yes\"\n", "\"yes\"", 2);
    error_at("size = 5\n", "5", 1);
    error_at("[migrations]\npaths = \"db\"\n", "\"db\"", 2);
    error_at("[tables]\nx = 5\n", "5", 2);
}

#[test]
fn a_hint_may_give_bytes_alone_and_rows_are_derived_from_row_bytes() {
    let settings = parse("[estimate]\nrow_bytes = 200\n[tables]\nx = { bytes = \"1 GB\" }\n");
    let hint = settings.tables.lookup(None, "x").expect("hint");
    assert_eq!(hint.rows, None);
    assert_eq!(hint.bytes, Some(1_000_000_000));
    assert_eq!(settings.rows_of(hint), 5_000_000);
    assert_eq!(settings.bytes_of(hint), 1_000_000_000);
    assert!(settings.is_large(Some(hint)));
    let rows_only = TableHint {
        rows: Some(10),
        bytes: None,
    };
    assert_eq!(settings.bytes_of(rows_only), 2_000);
}

#[test]
fn error_hint_without_rows_or_bytes() {
    let report = error_at("[tables]\nx = {}\n", "x", 2);
    assert!(report.contains("neither `rows` nor `bytes`"), "{report}");
}

#[test]
fn estimate_section_has_documented_defaults_and_takes_every_key() {
    let d = parse("").estimate;
    assert_eq!(d, crate::config::Estimate::default());
    assert_eq!(d.scan_mb_per_s, 200.0);
    assert_eq!(parse("").size.max_blocking_seconds, 5.0);
    let s = parse(
        "[size]\nmax_blocking_seconds = 0.5\n[estimate]\nrow_bytes = 80\nscan_mb_per_s = 400\nrewrite_mb_per_s = 30.5\nindex_rows_per_s = 1_000_000\nindex_mb_per_s = 150\nvalidate_rows_per_s = 2e5\nupdate_rows_per_s = 50000\n",
    );
    assert_eq!(s.size.max_blocking_seconds, 0.5);
    let e = s.estimate;
    assert_eq!(
        e.entries().map(|(_, v)| v),
        [80.0, 400.0, 30.5, 1e6, 150.0, 2e5, 5e4]
    );
}

#[test]
fn error_estimate_values_must_be_positive_and_keys_known() {
    let report = error_at("[estimate]\nscan_mb_per_s = 0\n", "0", 2);
    assert!(report.contains("must be a positive number"), "{report}");
    error_at("[estimate]\nrow_bytes = -3\n", "-3", 2);
    let report = error_at("[estimate]\nscan_mbps = 3\n", "scan_mbps", 2);
    assert!(report.contains("scan_mb_per_s"), "{report}");
    error_at("[size]\nmax_blocking_seconds = -1\n", "-1", 2);
}

#[test]
fn error_postgres_version_out_of_range() {
    let report = error_at("postgres_version = 10\n", "10", 1);
    assert_report!("postgres_version_out_of_range", report);
    error_at("postgres_version = 19\n", "19", 1);
    error_at("postgres_version = -16\n", "-16", 1);
    error_at("postgres_version = 9999999999999\n", "9999999999999", 1);
}

#[test]
fn error_large_rows_zero_or_negative() {
    let report = error_at("[size]\nlarge_rows = 0\n", "0", 2);
    assert_report!("large_rows_zero", report);
    error_at("[size]\nlarge_rows = -1\n", "-1", 2);
}

#[test]
fn error_negative_rows_and_bytes() {
    let report = error_at("[tables]\nt = { rows = -5 }\n", "-5", 2);
    assert_report!("negative_rows", report);
    error_at("[tables]\nt = { rows = 5, bytes = -1 }\n", "-1", 2);
}

#[test]
fn error_bad_byte_string() {
    let report = error_at(
        "[tables]\nt = { rows = 5, bytes = \"12 parsecs\" }\n",
        "\"12 parsecs\"",
        2,
    );
    assert_report!("bad_byte_string", report);
    error_at("[tables]\nt = { rows = 5, bytes = 1.5 }\n", "1.5", 2);
}

#[test]
fn error_invalid_glob() {
    let report = error_at("[tables]\n\"audit_[\" = { rows = 5 }\n", "\"audit_[\"", 2);
    assert_report!("invalid_glob", report);
}

#[test]
fn error_invalid_table_key() {
    let report = error_at("[tables]\n\"a.b.c\" = { rows = 5 }\n", "\"a.b.c\"", 2);
    assert_report!("invalid_table_key", report);
    error_at("[tables]\n'\"open' = { rows = 5 }\n", "'\"open'", 2);
}

#[test]
fn error_duplicate_table_after_folding() {
    let report = error_at(
        "[tables]\nusers = { rows = 1 }\nUSERS = { rows = 2 }\n",
        "USERS",
        3,
    );
    assert_report!("duplicate_table_after_folding", report);
    error_at(
        "[tables]\n\"public.users\" = { rows = 1 }\n'\"public\".users' = { rows = 2 }\n",
        "'\"public\".users'",
        3,
    );
}

#[test]
fn error_unknown_rule_with_suggestion() {
    let report = error_at(
        "[rules]\nmissing-lock-timout = \"error\"\n",
        "missing-lock-timout",
        2,
    );
    assert!(
        report.contains("did you mean `missing-lock-timeout`?"),
        "{report}"
    );
    assert_report!("unknown_rule_with_suggestion", report);
}

#[test]
fn error_unknown_rule_without_suggestion() {
    let report = error_at("[rules]\nno-such-thing = \"error\"\n", "no-such-thing", 2);
    assert!(!report.contains("did you mean"), "{report}");
}

#[test]
fn error_unknown_level() {
    let report = error_at("[rules]\nmissing-lock-timeout = \"warn\"\n", "\"warn\"", 2);
    assert!(report.contains("did you mean \"warning\"?"), "{report}");
    assert_report!("unknown_level", report);
}

#[test]
fn error_unknown_enum_values() {
    let report = error_at("[migrations]\ntool = \"gooose\"\n", "\"gooose\"", 2);
    assert!(report.contains("did you mean \"goose\"?"), "{report}");
    assert_report!("unknown_tool", report);
    error_at("dialect = \"oracle\"\n", "\"oracle\"", 1);
    error_at("[size]\nunknown = \"huge\"\n", "\"huge\"", 2);
    error_at("mysql_version = \"\"\n", "\"\"", 1);
}

#[test]
fn mysql_version_must_be_a_version() {
    for bad in ["banana", "8.", "mariadb-", "8.0.1.2", "v8", "8 .0"] {
        let text = format!("mysql_version = \"{bad}\"\n");
        let report = error_at(&text, &format!("\"{bad}\""), 1);
        assert!(report.contains("is not a version"), "{report}");
    }
    for good in ["8", "8.0", "8.4.2", "mariadb-10.11", "5.7"] {
        let text = format!("mysql_version = \"{good}\"\n");
        let settings = parse_str(&text, Path::new("locklint.toml"), RULES).unwrap();
        assert_eq!(settings.mysql_version, good);
    }
}

#[test]
fn error_duplicate_key() {
    let report = error_at(
        "postgres_version = 15\npostgres_version = 16\n",
        "postgres_version",
        2,
    );
    assert_report!("duplicate_key", report);
}

#[test]
fn error_not_toml() {
    let report = error_at("this is not toml\n", "", 1);
    assert_report!("not_toml", report);
    error_at("[tables\n", "", 1);
    // An unterminated array is reported where the input ends.
    let err = parse_str("a = [1,\n", Path::new("x.toml"), RULES).unwrap_err();
    assert!(err.span().is_some());
}

#[test]
fn errors_never_panic_on_odd_input() {
    for text in [
        "\u{0}",
        "=",
        "[[tables]]\nrows = 1\n",
        "[tables]\n\"\" = { rows = 1 }\n",
        "[tables]\n\".\" = { rows = 1 }\n",
        "[rules]\n\"\" = \"off\"\n",
        "[migrations]\npaths = [\"\"]\n",
        "[migrations]\npaths = [1]\n",
        "postgres_version = 16.0\n",
        "[size]\nlarge_rows = 1e9\n",
    ] {
        let err = parse_str(text, Path::new("x.toml"), RULES).unwrap_err();
        let span = err.span().unwrap_or_else(|| panic!("{err}"));
        assert!(span.end <= text.len(), "{text:?}: {span:?}");
        render(&err);
    }
}

// --- dumping ------------------------------------------------------------------------------

#[test]
fn settings_serialize_as_toml_and_json() {
    let settings = parse(FULL_EXAMPLE);
    let toml = toml::to_string(&settings).unwrap_or_else(|err| panic!("{err}"));
    assert_report!("dump_toml", toml);
    // Not a key of the file: the dump must load back.
    assert!(!toml.contains("config_path"), "{toml}");
    assert!(
        parse_str(&toml, Path::new("locklint.toml"), RULES).is_ok(),
        "{toml}"
    );
    let json = serde_json::to_string_pretty(&settings).unwrap_or_else(|err| panic!("{err}"));
    assert_report!("dump_json", json);
    let defaults = toml::to_string(&Settings::default()).unwrap_or_else(|err| panic!("{err}"));
    assert!(defaults.contains("postgres_version = 16"), "{defaults}");
}

// --- loading from disk ---------------------------------------------------------------------

fn tempdir() -> tempfile::TempDir {
    tempfile::tempdir().unwrap_or_else(|err| panic!("cannot create a temp dir: {err}"))
}

fn write(path: &Path, text: &str) {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).unwrap_or_else(|err| panic!("{}: {err}", dir.display()));
    }
    std::fs::write(path, text).unwrap_or_else(|err| panic!("{}: {err}", path.display()));
}

#[test]
fn load_finds_the_config_in_an_ancestor() {
    let root = tempdir();
    let config = root.path().join(CONFIG_FILE_NAME);
    write(
        &config,
        "postgres_version = 14\n[migrations]\npaths = [\"db/migrations\"]\n",
    );
    let start = root.path().join("a/b");
    std::fs::create_dir_all(&start).unwrap_or_else(|err| panic!("{err}"));

    let settings = load(None, &start, RULES).unwrap_or_else(|err| panic!("{}", render(&err)));
    assert_eq!(settings.postgres_version, 14);
    assert_eq!(settings.config_path.as_deref(), Some(config.as_path()));
    assert_eq!(
        settings.migrations.paths,
        [root.path().join("db/migrations")]
    );
}

#[test]
fn load_prefers_the_nearest_config() {
    let root = tempdir();
    write(
        &root.path().join(CONFIG_FILE_NAME),
        "postgres_version = 14\n",
    );
    let inner = root.path().join("svc").join(CONFIG_FILE_NAME);
    write(&inner, "postgres_version = 17\n");
    let start = root.path().join("svc/migrations");
    std::fs::create_dir_all(&start).unwrap_or_else(|err| panic!("{err}"));

    let settings = load(None, &start, RULES).unwrap_or_else(|err| panic!("{}", render(&err)));
    assert_eq!(settings.postgres_version, 17);
    assert_eq!(settings.config_path.as_deref(), Some(inner.as_path()));
    // Found in the start directory itself.
    let here = load(None, &root.path().join("svc"), RULES).unwrap_or_else(|err| panic!("{err}"));
    assert_eq!(here.config_path.as_deref(), Some(inner.as_path()));
}

#[test]
fn find_resolves_parent_dir_components_before_walking_up() {
    let root = tempdir();
    write(&root.path().join(CONFIG_FILE_NAME), "");
    // `a/b/..` is `a`: its ancestors are `root`, not `a/b`.
    write(&root.path().join("a/b").join(CONFIG_FILE_NAME), "");
    let found = find(&root.path().join("a/b/.."));
    let root = std::fs::canonicalize(root.path()).unwrap_or_else(|err| panic!("{err}"));
    assert_eq!(found, Some(root.join(CONFIG_FILE_NAME)));
}

#[test]
fn load_without_any_config_gives_defaults() {
    let root = tempdir();
    let start = root.path().join("empty");
    std::fs::create_dir_all(&start).unwrap_or_else(|err| panic!("{err}"));
    // A directory named like the config file is not a config file.
    std::fs::create_dir_all(start.join(CONFIG_FILE_NAME)).unwrap_or_else(|err| panic!("{err}"));
    if find(&start).is_none() {
        let settings = load(None, &start, RULES).unwrap_or_else(|err| panic!("{err}"));
        assert_eq!(settings.config_path, None);
        assert_eq!(settings.postgres_version, DEFAULT_POSTGRES_VERSION);
    } else {
        // Some ancestor of the temp dir (outside the test's control) holds a config.
        assert_ne!(find(&start), Some(start.join(CONFIG_FILE_NAME)));
    }
}

#[test]
fn load_explicit_file_wins_over_the_search() {
    let root = tempdir();
    write(
        &root.path().join(CONFIG_FILE_NAME),
        "postgres_version = 14\n",
    );
    let explicit = root.path().join("ci/strict.toml");
    write(
        &explicit,
        "[size]\nunknown = \"small\"\n[migrations]\npaths = [\"m\"]\n",
    );

    let settings = load(Some(&explicit), root.path(), RULES).unwrap_or_else(|err| panic!("{err}"));
    assert_eq!(settings.postgres_version, DEFAULT_POSTGRES_VERSION);
    assert_eq!(settings.size.unknown, UnknownSize::Small);
    assert_eq!(settings.migrations.paths, [root.path().join("ci/m")]);
    assert_eq!(settings.config_path.as_deref(), Some(explicit.as_path()));
}

#[test]
fn load_explicit_missing_file_is_an_error_naming_it() {
    let root = tempdir();
    let missing = root.path().join("nope.toml");
    let err = load(Some(&missing), root.path(), RULES).unwrap_err();
    assert!(matches!(err, ConfigError::Io { .. }), "{err:?}");
    let message = err.to_string();
    assert!(
        message.contains(&missing.display().to_string()),
        "{message}"
    );
    assert!(message.starts_with("cannot read config file "), "{message}");
}

#[test]
fn load_reports_errors_with_the_file_name() {
    let root = tempdir();
    let config = root.path().join(CONFIG_FILE_NAME);
    write(&config, "[size]\nlarge_rows = 0\n");
    let err = load(None, root.path(), RULES).unwrap_err();
    let report = render(&err);
    assert!(
        report.contains(&format!("[{}:2:14]", config.display())),
        "{report}"
    );
}

#[test]
fn load_rejects_non_utf8_with_a_location() {
    let root = tempdir();
    let config = root.path().join(CONFIG_FILE_NAME);
    std::fs::write(&config, b"postgres_version = 15\n# caf\xe9\n")
        .unwrap_or_else(|err| panic!("{err}"));
    let err = load(None, root.path(), RULES).unwrap_err();
    assert_eq!(err.to_string(), "config file is not valid UTF-8");
    assert_eq!(err.span(), Some(27..30));
    assert!(render(&err).contains(":2:6]"), "{}", render(&err));
}

// --- suggestions ----------------------------------------------------------------------------

#[test]
fn closest_only_suggests_near_misses() {
    assert_eq!(edit_distance("kitten", "sitting"), 3);
    assert_eq!(edit_distance("", "abc"), 3);
    assert_eq!(closest("sise", ["size", "tables"]), Some("size"));
    assert_eq!(closest("colour", ["rows", "bytes"]), None);
    assert_eq!(closest("x", ["y"]), Some("y"));
    assert_eq!(
        closest("warn", ["off", "warning", "error"]),
        Some("warning")
    );
    assert_eq!(closest("wa", ["warning"]), None);
}

#[test]
fn extensions_replace_the_default_and_must_be_endings() {
    assert_eq!(
        parse("").migrations.extensions,
        vec!["sql".to_string(), "sql.postgres".to_string()]
    );
    let s = parse("[migrations]\nextensions = [\".PSQL\", \"sql\", \"psql\"]\n");
    assert_eq!(
        s.migrations.extensions,
        vec!["psql".to_string(), "sql".to_string()]
    );
    let report = error_at("[migrations]\nextensions = []\n", "[]", 2);
    assert!(
        report.contains("`[migrations] extensions` is empty"),
        "{report}"
    );
    let report = error_at(
        "[migrations]\nextensions = [\"sql\", \"*.sql\"]\n",
        "\"*.sql\"",
        2,
    );
    assert!(report.contains("invalid extension"), "{report}");
}
