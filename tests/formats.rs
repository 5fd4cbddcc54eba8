//! The CI formats of `check`: each pinned by a snapshot of one fixture (an error, a warning and a
//! parse error, plus names that need escaping) and read back the way its consumer reads it.
//!
//! `testdata/sarif-schema-2.1.0.json` is the OASIS SARIF 2.1.0 schema (`$id`
//! `https://raw.githubusercontent.com/oasis-tcs/sarif-spec/master/Schemata/sarif-schema-2.1.0.json`,
//! JSON Schema draft-07), taken verbatim from the crates.io package `serde-sarif` 0.8.0
//! (`src/schema.json`, SHA-256 af47e7b6…5895cea). It has the same definitions as the
//! `sarif-2.1.0-rtm.5` schema shipped in npm's `@microsoft/jest-sarif`. The OASIS errata01
//! revision of the schema fixed its two `language` patterns, which are not valid ECMA-262
//! regular expressions (so a draft-07 validator rejects the schema itself); the test applies
//! that fix in memory. errata01 also lets `runs` be null and requires `startLine` (or an
//! offset) in a region, which the output below always has.

mod common;

use locklint::config::{self, Level};
use locklint::report::FileResult;
use locklint::report::check::{github, gitlab, junit, markdown, sarif};
use locklint::rules::{self, RULES};
use locklint::source::SourceFile;
use serde_json::Value;
use std::path::Path;

const CONFIG: &str = r#"
[tables]
measurements = { rows = 450_000_000 }
devices = { rows = 20_000 }

[rules]
add-column-volatile-default = "warning"
missing-lock-timeout = "off"
"#;

const CREATE: &str = "\
CREATE TABLE devices (id bigint PRIMARY KEY, serial text);
CREATE INDEX devices_serial_idx ON devices (serial);
";

const CHANGE: &str = r#"-- index the 450M-row table (100% of rows read)
CREATE INDEX measurements_device_idx ON measurements (device_id);

ALTER TABLE measurements ADD COLUMN sampled_at timestamptz DEFAULT clock_timestamp();

CREATE TABLE broken (id bigint,, x int);

/* größe */ CREATE INDEX odd_idx ON "a|b<c>&d" (x);
"#;

const CHANGE_PATH: &str = "migrations/0002_change, v2:final.sql";

fn lint(files: &[(&str, &str)]) -> Vec<FileResult> {
    let settings = config::parse_str(CONFIG, Path::new("locklint.toml"), &rules::names())
        .expect("fixture config is valid");
    let sources = files
        .iter()
        .map(|(name, text)| (SourceFile::new(*name, text.to_string()), Vec::new()))
        .collect();
    locklint::pipeline::lint_sources(sources, &settings)
}

fn fixture() -> Vec<FileResult> {
    lint(&[
        ("migrations/0001_create.sql", CREATE),
        (CHANGE_PATH, CHANGE),
    ])
}

fn snapshot(name: &str, text: &str) {
    insta::with_settings!({ snapshot_path => "../testdata/snapshots", prepend_module_to_snapshot => false }, {
        insta::assert_snapshot!(name, text);
    });
}

/// Every finding of the fixture as (path, rule, severity, 1-based line, column, message).
fn expected(files: &[FileResult]) -> Vec<(String, &'static str, Level, usize, usize, String)> {
    files
        .iter()
        .flat_map(|f| {
            f.findings().map(move |fi| {
                let (line, col) = f.source.line_col(fi.span.start);
                (
                    f.source.name.clone(),
                    fi.rule,
                    fi.severity,
                    line,
                    col,
                    fi.message.clone(),
                )
            })
        })
        .collect()
}

#[test]
fn fixture_has_an_error_a_warning_and_a_parse_error() {
    let got: Vec<_> = expected(&fixture())
        .into_iter()
        .map(|(_, rule, level, line, col, _)| (rule, level, line, col))
        .collect();
    assert_eq!(
        got,
        vec![
            ("create-index-non-concurrently", Level::Error, 2, 1),
            ("add-column-volatile-default", Level::Warning, 4, 26),
            ("parse-error", Level::Warning, 6, 32),
            ("create-index-non-concurrently", Level::Error, 8, 13),
        ]
    );
}

// --- GitHub ---------------------------------------------------------------------------------

/// One workflow command, parsed the way the Actions runner does.
#[derive(Debug)]
struct Command {
    name: String,
    props: Vec<(String, String)>,
    message: String,
}

impl Command {
    fn prop(&self, key: &str) -> &str {
        self.props
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .unwrap_or_else(|| panic!("no {key} in {self:?}"))
    }
}

fn unescape(s: &str) -> String {
    s.replace("%0D", "\r")
        .replace("%0A", "\n")
        .replace("%3A", ":")
        .replace("%2C", ",")
        .replace("%25", "%")
}

fn parse_command(line: &str) -> Option<Command> {
    let rest = line.strip_prefix("::")?;
    let (head, message) = rest.split_once("::")?;
    let (name, props) = head.split_once(' ').unwrap_or((head, ""));
    let props = props
        .split(',')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').expect("key=value");
            (k.to_string(), unescape(v))
        })
        .collect();
    Some(Command {
        name: name.to_string(),
        props,
        message: unescape(message),
    })
}

#[test]
fn github_snapshot() {
    snapshot("formats__github", &github::render(&fixture()));
}

#[test]
fn github_commands_parse_back() {
    let files = fixture();
    let out = github::render(&files);
    let lines: Vec<&str> = out.lines().collect();
    let commands: Vec<Command> = lines.iter().filter_map(|l| parse_command(l)).collect();
    // Everything but the commands is the summary line.
    assert_eq!(lines.len(), commands.len() + 1);
    assert!(lines.last().unwrap().starts_with("2 errors, 2 warnings"));
    let want = expected(&files);
    assert_eq!(commands.len(), want.len());
    for (c, (path, rule, level, line, col, message)) in commands.iter().zip(want) {
        let name = match level {
            Level::Error => "error",
            Level::Warning => "warning",
            _ => "notice",
        };
        assert_eq!(c.name, name);
        assert_eq!(c.prop("file"), path);
        assert_eq!(c.prop("line"), line.to_string());
        assert_eq!(c.prop("col"), col.to_string());
        assert!(c.prop("endLine").parse::<usize>().unwrap() >= line);
        assert!(c.prop("endColumn").parse::<usize>().unwrap() >= 1);
        assert!(c.prop("title").starts_with(rule), "{c:?}");
        assert!(c.message.starts_with(&message), "{c:?}");
        // The help follows after a blank line.
        assert!(c.message.contains("\n\n"), "{c:?}");
    }
}

// --- SARIF ----------------------------------------------------------------------------------

fn sarif_validator() -> jsonschema::Validator {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/sarif-schema-2.1.0.json"),
    )
    .expect("schema file");
    let mut schema: Value = serde_json::from_str(&text).expect("schema is JSON");
    // errata01's fix of `^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$`.
    for def in ["run", "toolComponent"] {
        let pattern = &mut schema["definitions"][def]["properties"]["language"]["pattern"];
        assert_eq!(pattern, "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$");
        *pattern = "^[a-zA-Z]{2}(-[a-zA-Z]{2})?$".into();
    }
    jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("schema compiles")
}

fn assert_valid(validator: &jsonschema::Validator, log: &Value) {
    let errors: Vec<String> = validator
        .iter_errors(log)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "invalid SARIF:\n{}", errors.join("\n"));
}

/// The log with the parts that change for other reasons than this format redacted: the version,
/// and the rule descriptors (rules come and go and their pages change; one descriptor is
/// pinned on its own, and every one is checked in `sarif_results_point_at_rules_and_regions`).
fn sarif_snapshot_text(files: &[FileResult]) -> String {
    let mut log: Value = serde_json::from_str(&sarif::render(files)).unwrap();
    let driver = &mut log["runs"][0]["tool"]["driver"];
    driver["version"] = "[locklint version]".into();
    assert_eq!(driver["rules"].as_array().map(Vec::len), Some(RULES.len()));
    driver["rules"] = "[one descriptor per rule]".into();
    serde_json::to_string_pretty(&log).unwrap()
}

#[test]
fn sarif_snapshot() {
    snapshot("formats__sarif", &sarif_snapshot_text(&fixture()));
    let log: Value = serde_json::from_str(&sarif::render(&[])).unwrap();
    let mut descriptor = log["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "create-index-non-concurrently")
        .unwrap()
        .clone();
    descriptor["help"]["text"] = "[rules/create-index-non-concurrently.md]".into();
    descriptor["help"]["markdown"] = "[rules/create-index-non-concurrently.md]".into();
    snapshot(
        "formats__sarif_rule",
        &serde_json::to_string_pretty(&descriptor).unwrap(),
    );
}

#[test]
fn sarif_is_valid_against_the_schema() {
    let validator = sarif_validator();
    let files = fixture();
    let log: Value = serde_json::from_str(&sarif::render(&files)).expect("SARIF is JSON");
    assert_valid(&validator, &log);
    // An empty run is valid too.
    let empty: Value = serde_json::from_str(&sarif::render(&[])).unwrap();
    assert_valid(&validator, &empty);
    // The validator does reject what the schema forbids.
    let mut broken = log.clone();
    broken["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] =
        0.into();
    assert!(!validator.is_valid(&broken));
    let mut broken = log.clone();
    broken["runs"][0]["results"][0]["level"] = "fatal".into();
    assert!(!validator.is_valid(&broken));
    // Formats are checked: an unencoded space is not a URI reference.
    let mut broken = log.clone();
    broken["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] =
        "my file.sql".into();
    assert!(!validator.is_valid(&broken));
}

#[test]
fn sarif_results_point_at_rules_and_regions() {
    let files = fixture();
    let log: Value = serde_json::from_str(&sarif::render(&files)).unwrap();
    let run = &log["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "locklint");
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    assert_eq!(rules.len(), RULES.len());
    for (descriptor, rule) in rules.iter().zip(RULES) {
        assert_eq!(descriptor["id"], rule.code);
        assert_eq!(descriptor["name"], rule.name);
        assert_eq!(descriptor["shortDescription"]["text"], rule.summary);
        assert_eq!(descriptor["help"]["markdown"], rule.doc);
        assert_eq!(
            descriptor["helpUri"],
            format!(
                "https://github.com/locklint/locklint/blob/main/rules/{}.md",
                rule.name
            )
        );
        assert!(
            !descriptor["fullDescription"]["text"]
                .as_str()
                .unwrap()
                .is_empty()
        );
    }
    let results = run["results"].as_array().unwrap();
    let want = expected(&files);
    assert_eq!(results.len(), want.len());
    for (r, (path, rule, level, line, col, message)) in results.iter().zip(want) {
        let index = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], r["ruleId"]);
        assert_eq!(rules[index]["name"], rule);
        let sarif_level = match level {
            Level::Error => "error",
            Level::Warning => "warning",
            _ => "note",
        };
        assert_eq!(r["level"], sarif_level);
        assert!(r["message"]["text"].as_str().unwrap().starts_with(&message));
        let loc = &r["locations"][0]["physicalLocation"];
        let uri = loc["artifactLocation"]["uri"].as_str().unwrap();
        assert_eq!(
            uri,
            path.replace(' ', "%20")
                .replace(',', "%2C")
                .replace(':', "%3A")
        );
        assert_eq!(loc["region"]["startLine"], line);
        assert_eq!(loc["region"]["startColumn"], col);
        assert!(loc["region"]["endLine"].as_u64().unwrap() >= line as u64);
    }
}

// --- GitLab ---------------------------------------------------------------------------------

#[test]
fn gitlab_snapshot() {
    snapshot("formats__gitlab", &gitlab::render(&fixture()));
}

#[test]
fn gitlab_report_parses_back() {
    let files = fixture();
    let issues: Vec<Value> = serde_json::from_str(&gitlab::render(&files)).expect("JSON array");
    let want = expected(&files);
    assert_eq!(issues.len(), want.len());
    let mut fingerprints = std::collections::HashSet::new();
    for (i, (path, rule, level, line, _, message)) in issues.iter().zip(want) {
        assert_eq!(i["description"], message);
        assert_eq!(i["check_name"], rule);
        let severity = match level {
            Level::Error => "critical",
            Level::Warning => "major",
            _ => "info",
        };
        assert_eq!(i["severity"], severity);
        assert_eq!(i["location"]["path"], path);
        assert_eq!(i["location"]["lines"]["begin"], line);
        let fp = i["fingerprint"].as_str().unwrap();
        assert_eq!(fp.len(), 64);
        assert!(fp.bytes().all(|b| b.is_ascii_hexdigit()));
        assert!(fingerprints.insert(fp.to_string()), "duplicate fingerprint");
    }
}

#[test]
fn gitlab_fingerprints_survive_line_moves() {
    let moved = format!(
        "-- a new first line\n\n{}",
        CHANGE.replace("\n\n", "\n\n\n")
    );
    let before: Vec<Value> = serde_json::from_str(&gitlab::render(&fixture())).unwrap();
    let after: Vec<Value> = serde_json::from_str(&gitlab::render(&lint(&[
        ("migrations/0001_create.sql", CREATE),
        (CHANGE_PATH, &moved),
    ])))
    .unwrap();
    assert_eq!(before.len(), after.len());
    for (b, a) in before.iter().zip(&after) {
        assert_eq!(b["fingerprint"], a["fingerprint"]);
        assert_ne!(
            b["location"]["lines"]["begin"],
            a["location"]["lines"]["begin"]
        );
    }
}

// --- JUnit ----------------------------------------------------------------------------------

#[test]
fn junit_snapshot() {
    snapshot("formats__junit", &junit::render(&fixture(), Level::Warning));
}

#[test]
fn junit_parses_back_with_an_xml_parser() {
    let files = fixture();
    let xml = junit::render(&files, Level::Warning);
    let doc = roxmltree::Document::parse(&xml).expect("well-formed XML");
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "testsuites");
    let suites: Vec<_> = root.children().filter(|n| n.is_element()).collect();
    assert_eq!(suites.len(), 1);
    let suite = suites[0];
    assert_eq!(suite.tag_name().name(), "testsuite");
    assert_eq!(suite.attribute("tests"), Some("2"));
    assert_eq!(suite.attribute("failures"), Some("1"));
    let cases: Vec<_> = suite.children().filter(|n| n.is_element()).collect();
    assert_eq!(cases.len(), files.len());
    for (case, file) in cases.iter().zip(&files) {
        assert_eq!(case.tag_name().name(), "testcase");
        assert_eq!(case.attribute("name"), Some(file.source.name.as_str()));
        let failures: Vec<_> = case.children().filter(|n| n.is_element()).collect();
        let findings: Vec<_> = file.findings().collect();
        assert_eq!(failures.len(), findings.len());
        for (failure, f) in failures.iter().zip(findings) {
            assert_eq!(failure.tag_name().name(), "failure");
            assert_eq!(failure.attribute("type"), Some(f.rule));
            assert_eq!(failure.attribute("message"), Some(f.message.as_str()));
            let body = failure.text().unwrap_or("");
            let (line, col) = file.source.line_col(f.span.start);
            assert!(
                body.starts_with(&format!("{}:{line}:{col}: ", file.source.name)),
                "{body}"
            );
            assert!(
                body.contains(&f.message) && body.contains(&f.help),
                "{body}"
            );
        }
    }
}

#[test]
fn junit_survives_control_characters() {
    let files = lint(&[("x\u{1}.sql", "CREATE INDEX i ON \"t\u{2}<&>\" (c);\n")]);
    let xml = junit::render(&files, Level::Warning);
    let doc = roxmltree::Document::parse(&xml).expect("well-formed XML");
    let failure = doc
        .descendants()
        .find(|n| n.has_tag_name("failure"))
        .expect("a failure");
    assert!(
        failure
            .attribute("message")
            .unwrap()
            .contains("t\u{fffd}<&>")
    );
}

// --- Markdown -------------------------------------------------------------------------------

#[test]
fn markdown_snapshot() {
    snapshot("formats__markdown", &markdown::render(&fixture()));
}

#[test]
fn markdown_tables_are_well_formed() {
    let files = fixture();
    let md = markdown::render(&files);
    assert!(md.contains("**2 errors, 2 warnings in 2 files (6 statements, 1 unparsed)**"));
    let rows: Vec<&str> = md.lines().filter(|l| l.starts_with('|')).collect();
    let findings: Vec<Vec<String>> = rows
        .iter()
        .map(|r| common::markdown_cells(r))
        .filter(|c| c.len() == 4)
        .collect();
    // Header, separator, one row per finding, most severe first (stable within a severity).
    let mut want = expected(&files);
    want.sort_by_key(|w| std::cmp::Reverse(w.2));
    assert_eq!(findings.len(), want.len() + 2);
    for (row, (path, rule, level, line, col, _)) in findings[2..].iter().zip(&want) {
        assert_eq!(row[0], level.to_string());
        assert!(row[1].starts_with(&format!("[{rule}](")), "{row:?}");
        assert_eq!(row[2], format!("`{path}:{line}:{col}`"));
    }
    let statements: Vec<Vec<String>> = rows
        .iter()
        .map(|r| common::markdown_cells(r))
        .filter(|c| c.len() != 4)
        .collect();
    assert!(statements.iter().all(|c| c.len() == 7), "{statements:?}");
    let per_file = files.len() * 2 + files.iter().map(|f| f.stmts.len()).sum::<usize>();
    assert_eq!(statements.len(), per_file);
    // The odd table name keeps its pipe inside the code span.
    assert!(
        statements.iter().any(|c| c[3] == "`a|b<c>&d` ShareLock"),
        "{statements:?}"
    );
}

#[test]
fn markdown_without_findings() {
    let md = markdown::render(&lint(&[("m/1.sql", CREATE)]));
    assert!(md.contains("No findings."), "{md}");
    assert!(!md.contains("<details open>"), "{md}");
}

#[test]
fn markdown_lists_at_most_200_statements_per_file() {
    let text = "CREATE TABLE t (id int);\n".repeat(markdown::MAX_STATEMENT_ROWS + 50);
    let md = markdown::render(&lint(&[("m/big.sql", &text)]));
    let rows = md.lines().filter(|l| l.starts_with("| ")).count();
    // Header plus the listed statements (no findings table: creating tables is safe).
    assert_eq!(rows, 1 + markdown::MAX_STATEMENT_ROWS, "{md}");
    assert!(md.contains("… and 50 more statements"), "{md}");
}
