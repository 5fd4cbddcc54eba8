//! `rules --format json`, `init`, `check --dump-config`, `completions` and the CI formats of
//! `check`, end to end: arguments, exit code, stdout and stderr.

mod common;
use common::{locklint, write};

#[test]
fn rules_as_json() {
    let d = tempfile::tempdir().unwrap();
    let r = locklint(d.path(), &["rules", "--format", "json"]);
    assert_eq!((r.code, r.stderr.as_str()), (0, ""));
    let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("JSON");
    let list = v.as_array().unwrap();
    assert_eq!(list.len(), locklint::rules::RULES.len());
    for (item, rule) in list.iter().zip(locklint::rules::RULES) {
        assert_eq!(item["code"], rule.code);
        assert_eq!(item["name"], rule.name);
        assert_eq!(item["default_severity"], rule.default_level.to_string());
        assert_eq!(item["summary"], rule.summary);
        assert_eq!(item.as_object().unwrap().len(), 4);
    }
    // The table stays the default.
    let table = locklint(d.path(), &["rules"]);
    assert_eq!(table.code, 0);
    assert!(
        table.stdout.starts_with("LL000  parse-error"),
        "{}",
        table.stdout
    );
}

#[test]
fn init_writes_a_config_with_the_migrations_folder() {
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        "db/migrations/001_init.sql",
        "CREATE TABLE t (id int);\n",
    );
    let r = locklint(d.path(), &["init"]);
    assert_eq!(
        (r.code, r.stdout.as_str(), r.stderr.as_str()),
        (0, "wrote locklint.toml (migrations: db/migrations)\n", "")
    );
    let text = std::fs::read_to_string(d.path().join("locklint.toml")).unwrap();
    assert!(text.contains("paths = [\"db/migrations\"]"), "{text}");
    assert!(text.contains("tool = \"auto\""), "{text}");
    // The written file is a valid config that `check` picks up.
    let dump = locklint(d.path(), &["check", "--dump-config"]);
    assert_eq!(dump.code, 0, "{}", dump.stderr);
    let v: toml::Value = toml::from_str(&dump.stdout).expect("TOML");
    assert_eq!(v["migrations"]["paths"][0].as_str(), Some("db/migrations"));
    let check = locklint(d.path(), &["check"]);
    assert_eq!(check.code, 0, "{}{}", check.stdout, check.stderr);
    assert!(check.stdout.contains("in 1 file"), "{}", check.stdout);
}

#[test]
fn init_refuses_to_overwrite_unless_forced() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "locklint.toml", "postgres_version = 13\n");
    let r = locklint(d.path(), &["init"]);
    assert_eq!(r.code, 2);
    assert_eq!(r.stdout, "");
    assert_eq!(
        r.stderr,
        "error: locklint.toml already exists; use --force to overwrite it\n"
    );
    assert_eq!(
        std::fs::read_to_string(d.path().join("locklint.toml")).unwrap(),
        "postgres_version = 13\n"
    );
    let r = locklint(d.path(), &["init", "--force"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.stdout,
        "wrote locklint.toml (no migrations folder found: set [migrations] paths)\n"
    );
    let text = std::fs::read_to_string(d.path().join("locklint.toml")).unwrap();
    assert!(text.contains("# paths = [\"db/migrations\"]"), "{text}");
}

#[test]
fn dump_config_prints_the_effective_settings() {
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        "locklint.toml",
        "postgres_version = 13\n[tables]\nmeasurements = { rows = 450_000_000 }\n[rules]\nparse-error = \"error\"\n",
    );
    let r = locklint(
        d.path(),
        &["check", "--dump-config", "--postgres-version", "17"],
    );
    assert_eq!((r.code, r.stderr.as_str()), (0, ""));
    let v: toml::Value = toml::from_str(&r.stdout).expect("TOML");
    // The command line wins over the file; defaults are filled in.
    assert_eq!(v["postgres_version"].as_integer(), Some(17));
    assert_eq!(v["dialect"].as_str(), Some("postgres"));
    assert_eq!(v["size"]["large_rows"].as_integer(), Some(1_000_000));
    assert_eq!(
        v["tables"]["measurements"]["rows"].as_integer(),
        Some(450_000_000)
    );
    assert_eq!(v["rules"]["parse-error"].as_str(), Some("error"));
    // Where it came from is a comment: the output loads back as a config.
    assert!(v.get("config_path").is_none());
    assert!(
        r.stdout.starts_with("# from locklint.toml\n"),
        "{}",
        r.stdout
    );

    // No config: the defaults.
    let e = tempfile::tempdir().unwrap();
    let r = locklint(e.path(), &["check", "--dump-config"]);
    assert_eq!(r.code, 0);
    let v: toml::Value = toml::from_str(&r.stdout).expect("TOML");
    assert_eq!(v["postgres_version"].as_integer(), Some(16));
    assert!(v.get("config_path").is_none());

    // An invalid config is still an error.
    write(e.path(), "locklint.toml", "nonsense = 1\n");
    assert_eq!(locklint(e.path(), &["check", "--dump-config"]).code, 2);
}

#[test]
fn dump_config_round_trips() {
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        "locklint.toml",
        "postgres_version = 13\n[migrations]\npaths = [\"db/migrations\", \"other\"]\n\
         tool = \"golang-migrate\"\nlint_down = true\n[size]\nunknown = \"small\"\n\
         [tables]\nmeasurements = { rows = 450_000_000, bytes = \"120 GB\" }\n\
         \"audit_*\" = { rows = 5 }\n[rules]\nparse-error = \"error\"\n",
    );
    std::fs::create_dir_all(d.path().join("sub")).unwrap();
    std::fs::create_dir_all(d.path().join("other")).unwrap();
    // From a subfolder the config is found above; its paths stay relative to it, and the
    // command line's --fail-on is part of the effective configuration.
    let first = locklint(
        &d.path().join("sub"),
        &["check", "--dump-config", "--fail-on", "warning"],
    );
    assert_eq!((first.code, first.stderr.as_str()), (0, ""));
    let v: toml::Value = toml::from_str(&first.stdout).expect("TOML");
    assert_eq!(
        v["migrations"]["paths"],
        toml::Value::Array(vec!["db/migrations".into(), "other".into()])
    );
    assert_eq!(v["fail_on"].as_str(), Some("warning"));
    // Written over the config, it loads and dumps to the same text (the comment aside).
    write(d.path(), "locklint.toml", &first.stdout);
    let second = locklint(&d.path().join("sub"), &["check", "--dump-config"]);
    assert_eq!((second.code, second.stderr.as_str()), (0, ""));
    let body = |s: &str| -> String {
        s.lines()
            .filter(|l| !l.starts_with('#'))
            .map(|l| format!("{l}\n"))
            .collect()
    };
    assert_eq!(body(&second.stdout), body(&first.stdout));
    // And the loaded fail_on applies: a warning now fails the run.
    write(
        d.path(),
        "db/migrations/1_x.up.sql",
        "ALTER TABLE t ADD COLUMN c int;\n",
    );
    let run = locklint(d.path(), &["check"]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("0 errors, 1 warning"), "{}", run.stdout);
    let run = locklint(d.path(), &["check", "--fail-on", "error"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
}

#[test]
fn completions_for_every_shell() {
    let d = tempfile::tempdir().unwrap();
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let r = locklint(d.path(), &["completions", shell]);
        assert_eq!((r.code, r.stderr.as_str()), (0, ""), "{shell}");
        assert!(r.stdout.contains("locklint"), "{shell}");
        // Subcommands and their options are completed.
        assert!(r.stdout.contains("dump-config"), "{shell}");
    }
    assert_eq!(locklint(d.path(), &["completions", "tcsh"]).code, 2);
}

#[test]
fn ci_formats_exit_like_the_default_one() {
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        "m/001.sql",
        "CREATE INDEX m_idx ON measurements (device_id);\n",
    );
    write(d.path(), "ok/001.sql", "CREATE TABLE t (id int);\n");
    for format in ["github", "sarif", "gitlab", "junit", "markdown"] {
        let r = locklint(d.path(), &["check", "m", "--format", format]);
        assert_eq!(
            (r.code, r.stderr.as_str()),
            (1, ""),
            "{format}: {}",
            r.stdout
        );
        assert!(r.stdout.contains("m/001.sql"), "{format}: {}", r.stdout);
        let r = locklint(d.path(), &["check", "ok", "--format", format]);
        assert_eq!(
            (r.code, r.stderr.as_str()),
            (0, ""),
            "{format}: {}",
            r.stdout
        );
    }
    let r = locklint(d.path(), &["check", "m", "--format", "github"]);
    assert!(
        r.stdout
            .starts_with("::error file=m/001.sql,line=1,endLine=1,col=1,endColumn=48,"),
        "{}",
        r.stdout
    );
    let r = locklint(d.path(), &["check", "ok", "--format", "gitlab"]);
    assert_eq!(r.stdout, "[]\n");
}

#[test]
fn rules_table_columns_line_up() {
    let d = tempfile::tempdir().unwrap();
    let r = locklint(d.path(), &["rules"]);
    assert_eq!(r.code, 0);
    // Each summary starts in the same column, whatever the severity's length.
    let starts: Vec<usize> = locklint::rules::RULES
        .iter()
        .zip(r.stdout.lines())
        .map(|(rule, line)| line.find(rule.summary).expect("the summary is on its line"))
        .collect();
    assert!(starts.windows(2).all(|w| w[0] == w[1]), "{}", r.stdout);
}

#[test]
fn explain_suggests_the_nearest_rule() {
    let d = tempfile::tempdir().unwrap();
    let r = locklint(d.path(), &["explain", "create-index-non-concurently"]);
    assert_eq!(r.code, 2);
    assert_eq!(
        r.stderr,
        "error: unknown rule `create-index-non-concurently`; did you mean \
         `create-index-non-concurrently`? (`locklint rules` lists them)\n"
    );
    let r = locklint(d.path(), &["explain", "zzz"]);
    assert_eq!(
        r.stderr,
        "error: unknown rule `zzz`; `locklint rules` lists them\n"
    );
}

#[test]
fn init_finds_monorepo_layouts() {
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        "packages/api/prisma/migrations/20240101000000_init/migration.sql",
        "CREATE TABLE t (id int);\n",
    );
    write(
        d.path(),
        "apps/billing/migrations/001.sql",
        "CREATE TABLE b (id int);\n",
    );
    write(d.path(), "apps/web/src/x.ts", "");
    let r = locklint(d.path(), &["init"]);
    assert_eq!(
        (r.code, r.stdout.as_str(), r.stderr.as_str()),
        (
            0,
            "wrote locklint.toml (migrations: apps/billing/migrations, packages/api/prisma/migrations)\n",
            ""
        )
    );
    let dump = locklint(d.path(), &["check", "--dump-config"]);
    let v: toml::Value = toml::from_str(&dump.stdout).expect("TOML");
    assert_eq!(
        v["migrations"]["paths"],
        toml::Value::Array(vec![
            "apps/billing/migrations".into(),
            "packages/api/prisma/migrations".into()
        ])
    );
    let check = locklint(d.path(), &["check"]);
    assert_eq!(check.code, 0, "{}{}", check.stdout, check.stderr);
    assert!(check.stdout.contains("in 2 files"), "{}", check.stdout);
}

#[test]
fn junit_fails_a_file_only_at_or_above_fail_on() {
    let d = tempfile::tempdir().unwrap();
    // A warning only (no lock_timeout before an ALTER TABLE).
    write(d.path(), "m/001.sql", "ALTER TABLE t ADD COLUMN c int;\n");
    let xml = |extra: &[&str]| {
        let mut args = vec!["check", "m", "--format", "junit"];
        args.extend_from_slice(extra);
        let r = locklint(d.path(), &args);
        r.stdout
    };
    let lenient = xml(&[]);
    assert!(lenient.contains("failures=\"0\""), "{lenient}");
    assert!(!lenient.contains("<failure"), "{lenient}");
    // Reported still, as the test case's output.
    assert!(lenient.contains("missing-lock-timeout"), "{lenient}");
    let strict = xml(&["--fail-on", "warning"]);
    assert!(strict.contains("failures=\"1\""), "{strict}");
    assert!(
        strict.contains("<failure type=\"missing-lock-timeout\""),
        "{strict}"
    );
}

#[test]
fn parse_error_says_what_was_not_understood() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "m/001.sql", "ALTER TRIGGER t ON x RENAME TO u;\n");
    let r = locklint(d.path(), &["check", "m", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("JSON");
    let message = v["diagnostics"][0]["message"].as_str().unwrap();
    assert!(!message.contains("CONNECTOR"), "{message}");
    assert!(message.contains("`ALTER TRIGGER`"), "{message}");
    assert!(message.contains("skipped"), "{message}");
}

#[test]
fn config_from_tool_locklint_in_pyproject() {
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        "pyproject.toml",
        "[project]\nname = \"app\"\n\n[tool.black]\nline-length = 100\n\n\
         [tool.locklint]\npostgres_version = 13\nfail_on = \"warning\"\n\n\
         [tool.locklint.migrations]\npaths = [\"app/migrations\"]\n",
    );
    write(
        d.path(),
        "app/migrations/0001.sql",
        "ALTER TABLE t ADD COLUMN c int;\n",
    );
    std::fs::create_dir_all(d.path().join("sub")).unwrap();
    let dump = locklint(&d.path().join("sub"), &["check", "--dump-config"]);
    assert_eq!(dump.code, 0, "{}", dump.stderr);
    let v: toml::Value = toml::from_str(&dump.stdout).expect("TOML");
    assert_eq!(v["postgres_version"].as_integer(), Some(13));
    assert!(dump.stdout.contains("pyproject.toml"), "{}", dump.stdout);
    // Its paths are relative to pyproject.toml; fail_on = "warning" fails on the warning.
    let r = locklint(d.path(), &["check"]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("in 1 file"), "{}", r.stdout);
    // Errors point into pyproject.toml.
    write(
        d.path(),
        "pyproject.toml",
        "[project]\nname = \"app\"\n\n[tool.locklint]\npostgres = 13\n",
    );
    let bad = locklint(d.path(), &["check"]);
    assert_eq!(bad.code, 2);
    assert!(bad.stderr.contains("pyproject.toml:5"), "{}", bad.stderr);
    // A locklint.toml wins; a pyproject.toml without [tool.locklint] is not a config.
    write(d.path(), "locklint.toml", "postgres_version = 14\n");
    let r = locklint(d.path(), &["check", "--dump-config"]);
    assert!(r.stdout.contains("postgres_version = 14"), "{}", r.stdout);
    let e = tempfile::tempdir().unwrap();
    write(e.path(), "pyproject.toml", "[project]\nname = \"x\"\n");
    let r = locklint(e.path(), &["check", "--dump-config"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(!r.stdout.starts_with("# from"), "{}", r.stdout);
}
