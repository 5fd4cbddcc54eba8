//! insta snapshots of the human output for each rule's first bad example (no colour, width 100).

use locklint::config::{self, Settings};
use locklint::report::check::human;
use locklint::rules::RULES;

fn first_bad_example(doc: &str) -> (Option<String>, String) {
    let mut toml = None;
    let mut in_examples = false;
    let mut lines = doc.lines();
    while let Some(line) = lines.next() {
        if line.starts_with("## Examples") {
            in_examples = true;
        }
        let Some(info) = line.trim_start().strip_prefix("```") else {
            continue;
        };
        let mut body = String::new();
        for l in lines.by_ref() {
            if l.trim_start().starts_with("```") {
                break;
            }
            body.push_str(l);
            body.push('\n');
        }
        if !in_examples {
            continue;
        }
        match info.trim() {
            "toml" => toml = Some(body),
            "sql bad" => return (toml, body),
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
                width: 100,
            },
        );
        insta::with_settings!({ snapshot_path => "../testdata/snapshots", prepend_module_to_snapshot => false }, {
            insta::assert_snapshot!(format!("human__{}", rule.name), out);
        });
    }
}
