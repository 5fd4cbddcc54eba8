//! Every project of the real-world corpus (../shared/corpus) is detected as the migration tool
//! its MANIFEST.toml names. Projects with a custom tool get locklint's closest mapping; they are
//! printed, not asserted. Skipped, with the reason printed, when the corpus is absent; a failure
//! instead under `LOCKLINT_REQUIRE_CORPUS=1` (CI).

mod common;

use locklint::config::{Settings, Tool};
use locklint::discover::{self, FileRef, Input};
use locklint::pipeline;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::str::FromStr;

/// Folders that are not migrations of the project's tool, per the manifest's notes: they are
/// plain SQL whatever the project uses.
const NOT_TOOL_FOLDERS: &[(&str, &str)] = &[
    // "replaceable_schema/*.sql (triggers/utils, plpgsql) is re-applied by lemmy after migrations"
    ("lemmy", "crates/diesel_utils/replaceable_schema"),
    // "schema*.sql are dbmate schema dumps"
    ("supabase-postgres", "migrations (schema*.sql)"),
];

/// The tool a manifest's `migration_tool` names, when locklint knows it: its first word
/// (`golang-migrate (atlas-generated)` → golang-migrate; `custom (...)` → none).
fn known_tool(name: &str) -> Option<Tool> {
    let word = name.split([' ', '(']).next().unwrap_or("");
    Tool::from_str(word).ok().filter(|t| *t != Tool::Auto)
}

/// The files of one manifest path entry: a folder, or `folder (glob)` for some files in it.
fn entry_files(project: &Path, entry: &str) -> Vec<Input> {
    let (dir, glob) = match entry.split_once(" (") {
        Some((d, g)) => (d, Some(g.trim_end_matches(')'))),
        None => (entry, None),
    };
    let dir = project.join(dir);
    match glob {
        None => discover::collect(&[dir], "<stdin>").0,
        Some(g) => {
            let (prefix, suffix) = g.split_once('*').unwrap_or((g, ""));
            let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
                .map(|rd| {
                    rd.filter_map(Result::ok)
                        .map(|e| e.path())
                        .filter(|p| p.is_file())
                        .filter(|p| {
                            let n = p.file_name().unwrap_or_default().to_string_lossy();
                            n.starts_with(prefix) && n.ends_with(suffix)
                        })
                        .collect()
                })
                .unwrap_or_default();
            files.sort();
            discover::collect(&files, "<stdin>").0
        }
    }
}

#[test]
fn corpus_projects_are_detected_as_their_tool() {
    let Some(corpus) = common::corpus_or_skip("corpus tool-detection test") else {
        return;
    };
    let manifest =
        std::fs::read_to_string(corpus.join("MANIFEST.toml")).expect("MANIFEST.toml reads");
    let manifest: toml::Table = manifest.parse().expect("MANIFEST.toml is TOML");
    let projects = manifest
        .get("project")
        .and_then(toml::Value::as_array)
        .expect("[[project]] entries");
    let settings = Settings::default();
    let mut table = vec![(
        "project".to_string(),
        "manifest tool".to_string(),
        "folder".to_string(),
        "detected".to_string(),
    )];
    let mut wrong = Vec::new();
    for p in projects {
        let name = p["name"].as_str().unwrap_or("?");
        let tool_name = p["migration_tool"].as_str().unwrap_or("?");
        let entries: Vec<&str> = p["paths"]
            .as_array()
            .map(|a| a.iter().filter_map(toml::Value::as_str).collect())
            .unwrap_or_default();
        // The whole project in one run, as `locklint check` would see it.
        let root = corpus.join(name);
        let mut inputs = Vec::new();
        let mut owner = Vec::new();
        for (i, e) in entries.iter().enumerate() {
            let files = entry_files(&root, e);
            owner.extend(std::iter::repeat_n(i, files.len()));
            inputs.extend(files);
        }
        let loaded: Vec<_> = inputs.iter().map(pipeline::read_input).collect();
        let refs: Vec<FileRef> = loaded
            .iter()
            .map(|(s, _)| FileRef {
                name: &s.name,
                text: &s.text,
            })
            .collect();
        let plan = discover::arrange(&refs, &settings, discover::Order::Tool);
        assert_eq!(plan.len(), inputs.len(), "{name}: every file is planned");
        let mut tally: Vec<BTreeMap<&str, usize>> = vec![BTreeMap::new(); entries.len()];
        for planned in &plan {
            *tally[owner[planned.index]]
                .entry(planned.tool.name())
                .or_default() += 1;
        }
        for (i, e) in entries.iter().enumerate() {
            let majority = tally[i]
                .iter()
                .max_by_key(|(_, n)| **n)
                .map(|(t, _)| *t)
                .unwrap_or("-");
            let detected = if tally[i].len() > 1 {
                let parts: Vec<String> = tally[i].iter().map(|(t, n)| format!("{t} {n}")).collect();
                format!("{majority} ({})", parts.join(", "))
            } else {
                majority.to_string()
            };
            table.push((
                name.to_string(),
                tool_name.to_string(),
                e.to_string(),
                detected,
            ));
            let Some(expected) = known_tool(tool_name) else {
                continue;
            };
            let expected = if NOT_TOOL_FOLDERS.contains(&(name, *e)) {
                Tool::Plain.name()
            } else {
                expected.name()
            };
            if majority != expected {
                wrong.push(format!(
                    "{name} {e}: expected {expected}, detected {majority}"
                ));
            }
        }
    }
    let w: Vec<usize> = (0..3)
        .map(|c| {
            table
                .iter()
                .map(|r| [&r.0, &r.1, &r.2][c].chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    for (a, b, c, d) in &table {
        println!(
            "{a:<w0$}  {b:<w1$}  {c:<w2$}  {d}",
            w0 = w[0],
            w1 = w[1],
            w2 = w[2]
        );
    }
    assert!(wrong.is_empty(), "wrongly detected:\n{}", wrong.join("\n"));
}
