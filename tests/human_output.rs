//! insta snapshots of the human output: each rule's first bad example (no colour, 80 columns, the
//! width when the terminal's is unknown), and the shipped example at 80 and 120 columns.

use locklint::config::{self, Settings};
use locklint::report::check::human;
use locklint::rules::RULES;

mod common;

/// A page's first `sql bad` example in its Examples section, with the `toml` block before it.
fn first_bad_example(doc: &str) -> (Option<String>, String) {
    let examples_at = doc
        .lines()
        .position(|l| l.starts_with("## Examples"))
        .expect("an Examples section");
    let mut toml = None;
    for b in common::page_blocks(doc) {
        // The block's opening fence is on (0-based) line `page_line - 2`.
        if b.page_line - 2 < examples_at {
            continue;
        }
        match b.kind.as_str() {
            "toml" => toml = Some(b.text),
            "sql bad" => return (toml, b.text),
            _ => {}
        }
    }
    panic!("no bad example");
}

#[test]
fn human_output_of_each_rule() {
    for rule in RULES {
        let (toml, sql) = first_bad_example(rule.doc);
        let settings = match toml {
            Some(t) => config::parse_str(
                &t,
                std::path::Path::new("locklint.toml"),
                &locklint::rules::names(),
            )
            .unwrap(),
            None => Settings::default(),
        };
        let mut res = locklint::pipeline::lint_text(
            &format!("migrations/{}.sql", rule.name),
            &sql,
            &settings,
        );
        // Only the rule's own findings (or the ones it was merged into): other rules have their own snapshots.
        res.file_findings
            .retain(|f| f.rule == rule.name || f.merged.contains(&rule.name));
        for s in &mut res.stmts {
            s.findings
                .retain(|f| f.rule == rule.name || f.merged.contains(&rule.name));
        }
        let out = human::render(
            std::slice::from_ref(&res),
            human::Options {
                color: false,
                width: 80,
            },
        );
        insta::with_settings!({ snapshot_path => "../testdata/snapshots", prepend_module_to_snapshot => false }, {
            insta::assert_snapshot!(format!("human__{}", rule.name), out);
        });
    }
}

/// `locklint check examples/` as a user sees it at `COLUMNS` 80 and 120: prose wraps to the
/// width, SQL lines of the recipes are never wrapped.
#[test]
fn human_output_of_the_example_follows_columns() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    for columns in [80usize, 120] {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_locklint"))
            .current_dir(root)
            .args(["check", "examples/"])
            .env("COLUMNS", columns.to_string())
            .env_remove("NO_COLOR")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "findings exit 1");
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(!text.contains('\x1b'), "not a terminal: no colour");
        for line in text.lines() {
            // Prose: the message (miette's lines) and the help's sentences; SQL lines are
            // indented by ten spaces, snippet lines are the file's own.
            let prose = ["  × ", "  ⚠ ", "  ☞ ", "  │ ", "  help: "]
                .iter()
                .any(|p| line.starts_with(p))
                || (line.starts_with("        ") && !line.starts_with("         "));
            if prose {
                assert!(
                    line.chars().count() <= columns,
                    "prose line wider than {columns}: {line}"
                );
            }
        }
        insta::with_settings!({ snapshot_path => "../testdata/snapshots", prepend_module_to_snapshot => false }, {
            insta::assert_snapshot!(format!("human__example_{columns}_columns"), text);
        });
    }
}
