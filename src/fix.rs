//! `check --fix` / `--diff`: apply the mechanical recipes to the selected files.
//!
//! A recipe with a [`Fix`] replaces its statement (or goes before it). Steps that must run
//! outside a transaction get the migration tool's no-transaction switch: in place when every
//! statement of the file can run without one, else the file is split and the statements from
//! the first such step on go into new migrations right after it, named by the tool's
//! convention. Steps for the next migration go into one more new migration after those.

use crate::config::Settings;
use crate::discover::tools::{self, NoTransaction, Row, Tool};
use crate::discover::{Direction, FileCtx};
use crate::finding::{Fix, Placement};
use crate::model::{Span, TxnMode};
use crate::report::FileResult;
use std::path::{Path, PathBuf};

/// One file the fix writes: changed (`old` is its text) or new (`old` is `None`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// Where.
    pub path: PathBuf,
    /// The text it has now; `None` for a new file.
    pub old: Option<String>,
    /// The text it gets.
    pub new: String,
}

/// What fixing one file gives.
#[derive(Debug, Default)]
pub struct FilePlan {
    /// The files to write.
    pub changes: Vec<Change>,
    /// How many findings the changes fix.
    pub fixed: usize,
    /// Why findings with a recipe were left as they are.
    pub skipped: Vec<String>,
}

/// One statement of the file's forward part, as the fix leaves it.
struct Unit {
    span: Span,
    /// Where the text before it (comments about it) starts: the end of the statement before.
    lead: usize,
    /// Its new text (steps in place of the statement, or before it).
    text: Option<String>,
    /// It must run outside a transaction block.
    no_txn: bool,
}

/// Plan the fixes of one linted file at `path` (its text is `result.source.text`).
pub fn plan(result: &FileResult, path: &Path, settings: &Settings) -> FilePlan {
    let mut out = FilePlan::default();
    let tool: Tool = result.tool.parse().unwrap_or(Tool::Plain);
    let row = tools::row(tool);
    let text = &result.source.text;
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let direction = (row.role)(name).map_or(Direction::Forward, |r| r.direction);
    let cx = FileCtx {
        text,
        path,
        direction,
        settings,
    };
    let parts: Vec<_> = (row.parts)(&cx)
        .into_iter()
        .filter(|p| p.direction == Direction::Forward)
        .collect();
    let in_forward = |s: &Span| parts.iter().any(|p| p.range.contains(&s.start));
    let in_txn = parts.iter().any(|p| p.txn != TxnMode::None);
    let mut units: Vec<Unit> = Vec::new();
    let mut next: Vec<String> = Vec::new();
    let mut fixed = 0;
    for a in &result.stmts {
        if !in_forward(&a.stmt.span) {
            continue;
        }
        let mut unit = Unit {
            lead: units.last().map_or(a.stmt.span.start, |u| u.span.end),
            span: a.stmt.span.clone(),
            text: None,
            no_txn: false,
        };
        let original = text.get(a.stmt.span.clone()).unwrap_or("").trim_end();
        let mut before: Vec<&str> = Vec::new();
        for f in &a.findings {
            let Some(r) = &f.recipe else { continue };
            let Some(fix) = r.fix else { continue };
            match fix {
                Fix::InsertBefore => before.extend(r.steps.iter().map(|s| s.sql.as_str())),
                Fix::Replace if unit.text.is_some() => out.skipped.push(format!(
                    "{}: {} at byte {}: another recipe already rewrites this statement; run --fix again",
                    result.source.name, f.rule, f.span.start
                )),
                Fix::Replace => {
                    let mut here = Vec::new();
                    for s in &r.steps {
                        match s.placement {
                            Placement::SameMigration => here.push(s.sql.as_str()),
                            Placement::OutsideTransaction => {
                                unit.no_txn = true;
                                here.push(s.sql.as_str());
                            }
                            Placement::NextMigration => next.push(s.sql.clone()),
                        }
                    }
                    // Nothing left here: the statement goes, with its line.
                    unit.text = Some(here.join("\n"));
                    fixed += 1;
                }
            }
        }
        // A statement that leaves the transaction takes no lock that blocks traffic, and a
        // lock_timeout would cut short its waits for older transactions: nothing goes before it
        // (the next migrations start with their own).
        if unit.no_txn
            || unit
                .text
                .as_deref()
                .is_some_and(|t| t.contains(" CONCURRENTLY "))
        {
            before.clear();
        } else if !before.is_empty() {
            fixed += 1;
        }
        if !before.is_empty() {
            let body = unit.text.take().unwrap_or_else(|| original.to_string());
            unit.text = Some(format!("{}\n{body}", before.join("\n")));
        }
        units.push(unit);
    }
    if fixed == 0 {
        return out;
    }
    let needs_split = units.iter().any(|u| u.no_txn) && in_txn;
    if needs_split || !next.is_empty() {
        if let Err(why) = room_after(row, path) {
            out.skipped
                .push(format!("{}: not fixed: {why}", result.source.name));
            return out;
        }
        // Liquibase changesets are not files of their own: a new one is written by hand.
        if row.tool == Tool::Liquibase
            || matches!(
                row.no_transaction,
                NoTransaction::Attribute { .. } | NoTransaction::Runner
            ) && needs_split
        {
            let why = if row.tool == Tool::Liquibase {
                "a new changeset is written by hand"
            } else {
                "the runner decides transactions outside the file"
            };
            out.skipped.push(format!(
                "{}: not fixed: {why} ({}); apply the recipe by hand",
                result.source.name, row.display
            ));
            return out;
        }
    }
    // Runs of statements that need a transaction or must not have one, in order; the tool
    // with no switch gets a file per statement that must not.
    let own_file = row.no_transaction == NoTransaction::OwnFile;
    let mut runs: Vec<(bool, std::ops::Range<usize>)> = Vec::new();
    for (i, u) in units.iter().enumerate() {
        let no_txn = needs_split && u.no_txn;
        match runs.last_mut() {
            Some((n, r)) if *n == no_txn && !(no_txn && own_file) => r.end = i + 1,
            _ => runs.push((no_txn, i..i + 1)),
        }
    }
    let (first_no_txn, first) = runs.first().cloned().unwrap_or((false, 0..0));
    let keep_until = first.end;
    let mut new_files: Vec<(bool, &str, String)> = runs
        .iter()
        .skip(1)
        .map(|(no_txn, r)| {
            let body: Vec<String> = units[r.clone()]
                .iter()
                .map(|u| {
                    // Comments just before a statement go with it.
                    let lead = text.get(u.lead..u.span.start).unwrap_or("").trim();
                    if lead.is_empty() {
                        unit_text(text, u)
                    } else {
                        format!("{lead}\n{}", unit_text(text, u))
                    }
                })
                .collect();
            let suffix = if *no_txn { "concurrently" } else { "continued" };
            (*no_txn, suffix, body.join("\n"))
        })
        .collect();
    // The original file: its statements up to `keep_until`, the rest of its text (down
    // sections) as it is.
    let mut kept = String::new();
    let mut pos = 0;
    let cut = units.get(keep_until).map(|u| u.lead);
    for u in &units[..keep_until] {
        kept.push_str(&text[pos..u.span.start]);
        kept.push_str(&unit_text(text, u));
        // The statement's own trailing line break stays.
        let original = text.get(u.span.clone()).unwrap_or("");
        kept.push_str(&original[original.trim_end().len()..]);
        pos = u.span.end;
    }
    match cut {
        Some(start) => {
            kept.push_str(text[pos..start].trim_end());
            kept.push('\n');
            // Text after the last forward statement (a down section) stays.
            let last_end = units.last().map_or(start, |u| u.span.end);
            let rest = after_forward(text, last_end, &parts);
            if !rest.is_empty() {
                kept.push('\n');
            }
            kept.push_str(rest);
        }
        None => kept.push_str(&text[pos..]),
    }
    if first_no_txn && !(own_file && keep_until == 1) {
        match switch_in_place(row, &kept, path) {
            Some((t, side)) => {
                kept = t;
                out.changes.extend(side);
            }
            None => {
                out.skipped.push(format!(
                    "{}: not fixed: no way to turn the transaction off in place",
                    result.source.name
                ));
                return out;
            }
        }
    }
    out.changes.insert(
        0,
        Change {
            path: path.to_path_buf(),
            old: Some(text.clone()),
            new: kept,
        },
    );
    if !next.is_empty() {
        // Every validation first: a later step's ACCESS EXCLUSIVE lock (SET NOT NULL) must not
        // be held while another constraint is validated.
        next.sort_by_key(|s| !s.contains(" VALIDATE CONSTRAINT "));
        new_files.push((false, "validate", next.join("\n")));
    }
    for (i, (no_txn, suffix, body)) in new_files.into_iter().enumerate() {
        match new_migration(row, path, suffix, i + 1, no_txn, &body) {
            Some(files) => out.changes.extend(files),
            None => {
                out.skipped.push(format!(
                    "{}: not fixed: its name has no version to number new migrations after",
                    result.source.name
                ));
                out.changes.clear();
                return out;
            }
        }
    }
    out.fixed = fixed;
    out
}

/// A unit's text: its new text, or the statement as written.
fn unit_text(text: &str, u: &Unit) -> String {
    match &u.text {
        Some(t) => t.clone(),
        None => text
            .get(u.span.clone())
            .unwrap_or("")
            .trim_end()
            .to_string(),
    }
}

/// The text after the forward part that ends at or after `end` (a down section), or "".
fn after_forward<'a>(text: &'a str, end: usize, parts: &[crate::discover::Part]) -> &'a str {
    let part_end = parts
        .iter()
        .find(|p| p.range.contains(&end.saturating_sub(1)))
        .map_or(text.len(), |p| p.range.end);
    text.get(part_end..).unwrap_or("")
}

/// New migrations go right after this one: no later migration may exist in its folder.
fn room_after(row: &Row, path: &Path) -> Result<(), String> {
    let no_version = "its name has no version";
    let (mine, _) = crate::recipe::version_and_name(row, path).ok_or(no_version)?;
    let mine = crate::recipe::version_key(&mine).ok_or(no_version)?;
    match crate::recipe::newest_in_folder(row, path) {
        Some((entry, newest)) if crate::recipe::version_key(&newest) > Some(mine) => Err(format!(
            "a later migration ({}) exists, and the new migrations must come right after this one",
            entry.display()
        )),
        _ => Ok(()),
    }
}

/// Turn the transaction off for the whole file in place: its text, and the side files to write.
fn switch_in_place(row: &Row, text: &str, path: &Path) -> Option<(String, Vec<Change>)> {
    match row.no_transaction {
        NoTransaction::Line { text: line, .. } => {
            if text.lines().any(|l| l.trim() == line) {
                return Some((text.to_string(), Vec::new()));
            }
            Some((format!("{line}\n{text}"), Vec::new()))
        }
        NoTransaction::MarkerOption { marker, option, .. } => {
            let mut out = String::new();
            let mut done = false;
            for l in text.split_inclusive('\n') {
                if !done && l.trim_end().eq_ignore_ascii_case(marker) {
                    out.push_str(&format!("{marker} {option}\n"));
                    done = true;
                } else {
                    out.push_str(l);
                }
            }
            done.then_some((out, Vec::new()))
        }
        NoTransaction::SideFile { file, line, .. } => {
            let name = path.file_name()?.to_str()?;
            let side = path.with_file_name(file.replace("{file}", name));
            let old = std::fs::read_to_string(&side).ok();
            let key = line.split('=').next().unwrap_or(line).trim();
            let mut new: String = old
                .as_deref()
                .unwrap_or("")
                .lines()
                .filter(|l| l.split('=').next().map(str::trim) != Some(key))
                .map(|l| format!("{l}\n"))
                .collect();
            new.push_str(line);
            new.push('\n');
            Some((
                text.to_string(),
                vec![Change {
                    path: side,
                    old,
                    new,
                }],
            ))
        }
        NoTransaction::OwnFile | NoTransaction::Attribute { .. } | NoTransaction::Runner => None,
    }
}

/// The setting a new migration starts with (the missing-lock-timeout recipe's).
const LOCK_TIMEOUT: &str = "SET lock_timeout = '5s';";

/// The files of the `nth` new migration after `path`, holding `body`, with the tool's
/// no-transaction switch when `no_txn`.
fn new_migration(
    row: &Row,
    path: &Path,
    suffix: &str,
    nth: usize,
    no_txn: bool,
    body: &str,
) -> Option<Vec<Change>> {
    let files = crate::recipe::next_files(row, path, suffix, nth)?;
    // A new migration in a transaction gives up quickly rather than queue traffic behind it.
    let body = if no_txn {
        body.trim_end().to_string()
    } else {
        format!("{LOCK_TIMEOUT}\n{}", body.trim_end())
    };
    let forward = match (row.tool, no_txn) {
        (Tool::Goose, true) => format!("-- +goose Up\n-- +goose NO TRANSACTION\n{body}\n"),
        (Tool::Goose, false) => format!("-- +goose Up\n{body}\n"),
        (Tool::Dbmate, true) => {
            format!("-- migrate:up transaction:false\n{body}\n\n-- migrate:down\n")
        }
        (Tool::Dbmate, false) => format!("-- migrate:up\n{body}\n\n-- migrate:down\n"),
        (Tool::Sqlx, true) => format!("-- no-transaction\n{body}\n"),
        _ => format!("{body}\n"),
    };
    let mut out = vec![Change {
        path: files[0].clone(),
        old: None,
        new: forward,
    }];
    for down in files.iter().skip(1) {
        out.push(Change {
            path: down.clone(),
            old: None,
            new: "-- Nothing to undo: written by locklint --fix with the migration before it.\n"
                .to_string(),
        });
    }
    if no_txn && let NoTransaction::SideFile { file, line, .. } = row.no_transaction {
        let name = files[0].file_name()?.to_str()?;
        out.push(Change {
            path: files[0].with_file_name(file.replace("{file}", name)),
            old: None,
            new: format!("{line}\n"),
        });
    }
    Some(out)
}

/// A unified diff of one change (`--diff`), with `a/` and `b/` paths as git prints them.
pub fn unified_diff(change: &Change) -> String {
    let name = change.path.display().to_string();
    let old = change.old.as_deref().unwrap_or("");
    let diff = similar::TextDiff::from_lines(old, &change.new);
    let from = if change.old.is_some() {
        format!("a/{name}")
    } else {
        "/dev/null".to_string()
    };
    diff.unified_diff()
        .context_radius(3)
        .header(&from, &format!("b/{name}"))
        .to_string()
}

/// Write the changes (creating folders for new migrations).
pub fn write(changes: &[Change]) -> std::io::Result<()> {
    for c in changes {
        if let Some(dir) = c.path.parent()
            && !dir.as_os_str().is_empty()
        {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::write(&c.path, &c.new)?;
    }
    Ok(())
}
