//! Every rule has a page in rules/, every page a rule; each page's `sql bad` blocks fire exactly
//! on the lines marked `-- expect`, and its `sql good` blocks stay silent for that rule.
//! A `toml` block sets the size hints, and a `sql schema` block an earlier migration (replayed,
//! so its tables exist and are not new), for the blocks that follow it.

use locklint::config::{self, Settings};
use locklint::rules::RULES;
use std::collections::BTreeSet;

mod common;
use common::page_blocks as blocks;

fn settings_from(toml: Option<&str>) -> Settings {
    match toml {
        Some(t) => config::parse_str(
            t,
            std::path::Path::new("example.toml"),
            &locklint::rules::names(),
        )
        .unwrap_or_else(|e| panic!("example config does not parse: {e:?}")),
        None => Settings::default(),
    }
}

/// The help texts of `rule`'s findings in an example, in order, separated by blank lines.
fn helps(rule: &str, schema: Option<&str>, text: &str, settings: &Settings) -> String {
    let example = locklint::source::SourceFile::new("example.sql", text.to_string());
    let mut sources = Vec::new();
    if let Some(s) = schema {
        sources.push((
            locklint::source::SourceFile::new("schema.sql", s.to_string()),
            Vec::new(),
        ));
    }
    sources.push((example, Vec::new()));
    let res = locklint::pipeline::lint_sources(sources, settings)
        .pop()
        .unwrap();
    res.findings()
        .filter(|f| f.rule == rule)
        .map(|f| f.help.clone())
        .collect::<Vec<_>>()
        .join("\n\n")
}

fn fired_lines(
    rule: &str,
    schema: Option<&str>,
    text: &str,
    settings: &Settings,
) -> BTreeSet<usize> {
    let example = locklint::source::SourceFile::new("example.sql", text.to_string());
    let res = match schema {
        Some(s) => {
            let earlier = locklint::source::SourceFile::new("schema.sql", s.to_string());
            locklint::pipeline::lint_sources(
                vec![(earlier, Vec::new()), (example, Vec::new())],
                settings,
            )
            .pop()
            .unwrap()
        }
        None => locklint::pipeline::lint_sources(vec![(example, Vec::new())], settings)
            .pop()
            .unwrap(),
    };
    // A finding merged into another rule's finding on the same hazard counts for both rules.
    res.findings()
        .filter(|f| f.rule == rule || f.merged.contains(&rule))
        .map(|f| res.source.line_col(f.span.start).0)
        .collect()
}

#[test]
fn every_rule_has_a_page_and_every_page_a_rule() {
    let pages: BTreeSet<String> = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/rules"))
        .unwrap()
        .map(|e| {
            e.unwrap()
                .file_name()
                .to_string_lossy()
                .trim_end_matches(".md")
                .to_string()
        })
        .collect();
    let names: BTreeSet<String> = RULES.iter().map(|r| r.name.to_string()).collect();
    assert_eq!(pages, names);
    let codes: BTreeSet<&str> = RULES.iter().map(|r| r.code).collect();
    assert_eq!(codes.len(), RULES.len(), "rule codes must be unique");
}

#[test]
fn page_sections_are_complete() {
    for rule in RULES {
        let page = rule.doc;
        assert!(
            page.starts_with(&format!("# {} ({})", rule.name, rule.code)),
            "{}: title",
            rule.name
        );
        for section in [
            "## What it flags",
            "## Why it is dangerous",
            "## Safe alternative",
            "## Options",
            "## Examples",
        ] {
            assert!(page.contains(section), "{} lacks {section}", rule.name);
        }
        let kinds: Vec<String> = blocks(page).into_iter().map(|b| b.kind).collect();
        assert!(
            kinds.iter().any(|k| k == "sql bad"),
            "{} has no bad example",
            rule.name
        );
        assert!(
            kinds.iter().filter(|k| *k == "sql good").count() >= 3,
            "{} needs good, small-table and new-table examples",
            rule.name
        );
    }
}

#[test]
fn page_examples_fire_exactly_where_marked() {
    let mut checked = 0;
    for rule in RULES {
        let mut toml: Option<String> = None;
        let mut schema: Option<String> = None;
        let mut started_examples = false;
        for b in blocks(rule.doc) {
            if !started_examples {
                // Blocks before "## Examples" illustrate the text (safe recipes); only check sql blocks after it.
                let at = rule
                    .doc
                    .lines()
                    .take(b.page_line)
                    .any(|l| l.starts_with("## Examples"));
                if !at {
                    continue;
                }
                started_examples = true;
            }
            match b.kind.as_str() {
                "toml" => toml = Some(b.text.clone()),
                "sql schema" => schema = Some(b.text.clone()),
                "sql bad" | "sql good" => {
                    let settings = settings_from(toml.as_deref());
                    let expected: BTreeSet<usize> = b
                        .text
                        .lines()
                        .enumerate()
                        .filter(|(_, l)| l.trim_end().ends_with("-- expect"))
                        .map(|(i, _)| i + 1)
                        .collect();
                    let got = fired_lines(rule.name, schema.as_deref(), &b.text, &settings);
                    if b.kind == "sql bad" {
                        assert!(
                            !expected.is_empty(),
                            "{}: bad block at page line {} marks no line",
                            rule.name,
                            b.page_line
                        );
                    } else {
                        assert!(expected.is_empty(), "{}: good block marks lines", rule.name);
                    }
                    assert_eq!(
                        got, expected,
                        "{}: {} block at page line {}: fired on lines {:?}, marked {:?}",
                        rule.name, b.kind, b.page_line, got, expected
                    );
                    checked += 1;
                }
                _ => {}
            }
        }
    }
    assert!(checked >= RULES.len() * 4);
}

/// A `text recipe` block after a `sql bad` block is locklint's help for that example, exactly:
/// the page shows the recipe users get. Every rule whose findings carry a recipe shows one
/// after each of its bad examples.
#[test]
fn recipe_blocks_are_the_help_locklint_prints() {
    let mut shown = 0;
    for rule in RULES {
        let mut toml: Option<String> = None;
        let mut schema: Option<String> = None;
        let mut last_bad: Option<String> = None;
        let mut bad_without_recipe = Vec::new();
        for b in blocks(rule.doc) {
            match b.kind.as_str() {
                "toml" => toml = Some(b.text.clone()),
                "sql schema" => schema = Some(b.text.clone()),
                "sql bad" => {
                    if let Some(prev) = last_bad.replace(b.text.clone()) {
                        bad_without_recipe.push(prev);
                    }
                }
                "text recipe" => {
                    let bad = last_bad.take().unwrap_or_else(|| {
                        panic!(
                            "{}: recipe block at page line {} follows no bad block",
                            rule.name, b.page_line
                        )
                    });
                    let settings = settings_from(toml.as_deref());
                    let help = helps(rule.name, schema.as_deref(), &bad, &settings);
                    assert_eq!(
                        b.text.trim_end(),
                        help,
                        "{}: recipe block at page line {}",
                        rule.name,
                        b.page_line
                    );
                    shown += 1;
                }
                _ => {}
            }
        }
        bad_without_recipe.extend(last_bad);
        assert!(
            bad_without_recipe.is_empty() || !common::FIX_PAGES.contains(&rule.name),
            "{}: these bad examples have no `text recipe` block after them:\n{}",
            rule.name,
            bad_without_recipe.join("\n")
        );
    }
    assert!(shown >= 15, "{shown} recipe blocks");
}
