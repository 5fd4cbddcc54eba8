//! The pipeline, top to bottom, in one place:
//!
//! discover (which files, which tool, which parts) → read → split/parse → lower (`parse`) →
//! analyze (catalog, transactions, effects from the lock model, sizes and estimates) → rules
//! (run on each analyzed statement) → severity (size class, `[rules]` levels, suppressions) →
//! report (in `app`, by format).
//!
//! Files are read and parsed in parallel, a window at a time; analysis runs in order, because
//! each migration replays into the schema the next one sees.

use crate::analyze::{Analyzed, Analyzer, FileMode};
use crate::config::{Settings, Tool};
use crate::discover::git::Changed;
use crate::discover::{self, Direction, FileRef, Input, Order, Part, Planned};
use crate::finding::Finding;
use crate::model::Stmt;
use crate::report::{FileResult, StmtCounts};
use crate::rules;
use crate::source::SourceFile;
use std::borrow::Cow;
use std::io::Read;

/// What a [`FileResult`] keeps of the analyzed statements.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keep {
    /// Every statement, with its effects and findings (the annotated report).
    All,
    /// Only the findings, in `file_findings` (`check`): memory stays bounded by the findings,
    /// not by the size of the files.
    Findings,
}

/// Read, parse (in parallel) and analyze (in order) a list of inputs.
pub fn lint_inputs(inputs: &[Input], settings: &Settings, keep: Keep) -> Vec<FileResult> {
    lint_inputs_since(inputs, settings, None, keep)
}

/// [`lint_inputs`], reporting only the files in `changed` (and standard input) when it is
/// given: every other file is still replayed into the schema, in order, without findings.
pub fn lint_inputs_since(
    inputs: &[Input],
    settings: &Settings,
    changed: Option<&Changed>,
    keep: Keep,
) -> Vec<FileResult> {
    let max = settings.migrations.max_file_bytes;
    let loaded = crate::map_ordered(inputs, 2, |i| read_input_capped(i, max));
    let report: Vec<bool> = inputs
        .iter()
        .map(|i| match (changed, &i.path) {
            (Some(c), Some(p)) => c.contains(p),
            _ => true,
        })
        .collect();
    lint_loaded(
        loaded,
        &report,
        settings,
        Order::Tool,
        keep,
        PARSE_AHEAD_MAX_FILE,
    )
}

/// Parse (in parallel) and analyze sources already in memory, as consecutive migrations in the
/// order given (each folder's tool still decides parts and transactions). Every statement is
/// kept.
pub fn lint_sources(
    loaded: Vec<(SourceFile, Vec<Finding>)>,
    settings: &Settings,
) -> Vec<FileResult> {
    let report = vec![true; loaded.len()];
    lint_loaded(
        loaded,
        &report,
        settings,
        Order::Given,
        Keep::All,
        PARSE_AHEAD_MAX_FILE,
    )
}

/// Parse the statements of one part of a file, handing each to `f` in order.
fn parse_part(src: &SourceFile, part: &Part, f: &mut dyn FnMut(Stmt)) {
    match part.text_to_parse(&src.text) {
        Cow::Borrowed(_) => crate::parse::parse_part_each(src, part.range.clone(), &part.blocks, f),
        Cow::Owned(text) => {
            let blanked = SourceFile::new(src.name.clone(), text);
            crate::parse::parse_part_each(&blanked, part.range.clone(), &part.blocks, f)
        }
    }
}

/// Statements handed from the parsing thread to the analysis at a time.
const BATCH: usize = 256;

/// Statements the analysis is done with, waiting to be dropped by the thread that parsed them.
///
/// A statement is dropped where it was allocated: with glibc's allocator, freeing memory that
/// another thread allocated takes that thread's arena lock, and with the parser allocating on
/// it all the while, the two threads spent more time switching on that lock than parsing
/// beside the analysis saved.
pub(crate) type Graves = std::cell::RefCell<Vec<Stmt>>;

/// [`parse_part`] on a thread of its own beside the caller, which receives the statements in
/// batches, in order: a large file is parsed while the statements before are analyzed. At most
/// two batches wait, so memory stays bounded by the batches, not by the file. The statements
/// put in `graves` meanwhile go back to the parsing thread to be dropped.
fn parse_part_beside(src: &SourceFile, part: &Part, graves: &Graves, f: &mut dyn FnMut(Stmt)) {
    std::thread::scope(|scope| {
        let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<Stmt>>(2);
        let (back_tx, back_rx) = std::sync::mpsc::channel::<Vec<Stmt>>();
        let parser = std::thread::Builder::new()
            .stack_size(crate::STACK)
            .spawn_scoped(scope, move || {
                let mut batch = Vec::with_capacity(BATCH);
                parse_part(src, part, &mut |s| {
                    batch.push(s);
                    if batch.len() == BATCH {
                        let full = std::mem::replace(&mut batch, Vec::with_capacity(BATCH));
                        // The receiver only goes away when the caller panics.
                        let _ = tx.send(full);
                        back_rx.try_iter().for_each(drop);
                    }
                });
                let _ = tx.send(batch);
            });
        if parser.is_err() {
            // No thread to be had: parse here, and drop here.
            return parse_part(src, part, &mut |s| {
                f(s);
                graves.borrow_mut().clear();
            });
        }
        for batch in rx {
            batch.into_iter().for_each(&mut *f);
            let dead = std::mem::take(&mut *graves.borrow_mut());
            // Once the parsing thread is done, the rest is dropped here.
            if let Err(unsent) = back_tx.send(dead) {
                drop(unsent.0);
            }
        }
    });
}

/// Files up to this size (bytes) are parsed ahead, in parallel with other files; a larger file is
/// parsed on a thread beside its analysis ([`parse_part_beside`]), a batch at a time, so it is
/// never held parsed as a whole. (Parsing the next window of small files while the current one
/// is analyzed was tried: no faster on two cores and 15 % more CPU.)
const PARSE_AHEAD_MAX_FILE: usize = 1 << 20;

/// At most this much text (bytes) is parsed ahead at a time.
const PARSE_AHEAD_WINDOW: usize = 8 << 20;

/// The parsed statements of a file's parts (forward and down), or `None` for a file that is
/// parsed while it is analyzed.
type ParsedParts = Option<Vec<Vec<Stmt>>>;

/// The pipeline after reading: order the files (the way their tools apply them, or as given),
/// parse (in parallel, a window of files at a time), then analyze in order. Forward parts are
/// replayed into the schema; down parts are analyzed against it without changing it. Files
/// whose `report` entry is false are only replayed.
fn lint_loaded(
    loaded: Vec<(SourceFile, Vec<Finding>)>,
    report: &[bool],
    settings: &Settings,
    order: Order,
    keep: Keep,
    ahead_max: usize,
) -> Vec<FileResult> {
    let refs: Vec<FileRef> = loaded
        .iter()
        .map(|(s, _)| FileRef {
            name: &s.name,
            text: &s.text,
        })
        .collect();
    let plan = discover::arrange(&refs, settings, order);
    let mut slots: Vec<Option<(SourceFile, Vec<Finding>)>> = loaded.into_iter().map(Some).collect();
    // One schema per migration set, dropped after the set's last file.
    let mut last_of_set = std::collections::HashMap::new();
    for (i, p) in plan.iter().enumerate() {
        last_of_set.insert(p.set, i);
    }
    let mut analyzers: std::collections::HashMap<usize, Analyzer> =
        std::collections::HashMap::new();
    let mut done = 0;
    let mut results = Vec::new();
    let mut rest: &[Planned] = &plan;
    while !rest.is_empty() {
        // The next window: consecutive files whose text adds up to at most the window size.
        let mut size = 0;
        let take = rest
            .iter()
            .position(|p| {
                size += slots[p.index].as_ref().map_or(0, |(s, _)| s.text.len());
                size > PARSE_AHEAD_WINDOW
            })
            .unwrap_or(rest.len())
            .max(1);
        let (window, next) = rest.split_at(take);
        rest = next;
        let parsed: Vec<ParsedParts> = crate::map_ordered(window, 2, |p| {
            let src = &slots[p.index].as_ref()?.0;
            if src.text.len() > ahead_max {
                return None;
            }
            Some(
                p.parts
                    .iter()
                    .map(|part| {
                        let mut stmts = Vec::new();
                        parse_part(src, part, &mut |s| stmts.push(s));
                        stmts
                    })
                    .collect(),
            )
        });
        for (planned, parsed) in window.iter().zip(parsed) {
            let position = done;
            done += 1;
            let Some((source, file_findings)) = slots.get_mut(planned.index).and_then(Option::take)
            else {
                continue;
            };
            let mut analyzer = analyzers
                .remove(&planned.set)
                .unwrap_or_else(|| Analyzer::new(settings, rules::CHECKS));
            let file = FileInput {
                source: &source,
                planned,
                parsed,
            };
            let report = report.get(planned.index).copied().unwrap_or(true);
            let linted = file.lint(&mut analyzer, file_findings, report, settings, keep);
            if last_of_set.get(&planned.set) != Some(&position) {
                analyzers.insert(planned.set, analyzer);
            }
            if let Some((mut stmts, counts, mut file_findings)) = linted {
                crate::recipe::adapt(&mut file_findings, planned.tool, &source.name);
                for s in &mut stmts {
                    crate::recipe::adapt(&mut s.findings, planned.tool, &source.name);
                }
                results.push(FileResult {
                    source,
                    tool: planned.tool.name(),
                    stmts,
                    counts,
                    file_findings,
                });
            }
        }
    }
    results
}

/// One planned file on its way through analysis.
struct FileInput<'a> {
    source: &'a SourceFile,
    planned: &'a Planned,
    parsed: ParsedParts,
}

impl FileInput<'_> {
    /// Hand the statements of the parts of one direction to `f`, in order: the ones parsed
    /// ahead, or parsed now, one statement at a time.
    fn each_stmt(&mut self, direction: Direction, graves: &Graves, f: &mut dyn FnMut(Stmt)) {
        let parts = self.planned.parts.iter().enumerate();
        let mine = parts.filter(|(_, p)| p.direction == direction);
        if let Some(parsed) = &mut self.parsed {
            for (i, _) in mine {
                parsed
                    .get_mut(i)
                    .map(std::mem::take)
                    .unwrap_or_default()
                    .into_iter()
                    .for_each(&mut *f);
            }
            return;
        }
        for (_, part) in mine {
            parse_part_beside(self.source, part, graves, f);
        }
    }

    /// How the tool wraps the parts of one direction in transactions.
    fn mode(&self, direction: Direction) -> FileMode {
        let parts = self
            .planned
            .parts
            .iter()
            .filter(|p| p.direction == direction);
        FileMode {
            parts: parts.map(|p| (p.range.start, p.txn)).collect(),
        }
    }

    /// Lint the file with its set's analyzer: its statements, counts and file-level findings
    /// (`file_findings` and the tool's notes); `None` for a file only replayed (`report`
    /// false) or a down file that is not linted.
    fn lint(
        self,
        analyzer: &mut Analyzer,
        mut file_findings: Vec<Finding>,
        report: bool,
        settings: &Settings,
        keep: Keep,
    ) -> Option<(Vec<Analyzed>, StmtCounts, Vec<Finding>)> {
        if !report {
            self.replay(analyzer);
            return None;
        }
        file_findings.extend(self.planned.notes.iter().map(|note| {
            file_finding(
                0..0,
                note.clone(),
                "Fix that file so that the migration tool can read it.",
            )
        }));
        if self.planned.parts.is_empty() && file_findings.is_empty() {
            // A down migration, not linted.
            return None;
        }
        let path = std::path::Path::new(&self.source.name);
        crate::severity::levels(&mut file_findings, settings, path);
        let (stmts, counts, loose) = self.analyze(analyzer, keep, settings);
        file_findings.extend(loose);
        Some((stmts, counts, file_findings))
    }

    /// Replay the forward parts into the schema without linting them.
    fn replay(mut self, analyzer: &mut Analyzer) {
        analyzer.begin_replay();
        let graves = Graves::default();
        self.each_stmt(Direction::Forward, &graves, &mut |s| {
            analyzer.replay_stmt(&s);
            graves.borrow_mut().push(s);
        });
    }

    /// Analyze the forward parts (moving the schema on), then the down parts (against the
    /// schema as the forward parts leave it, without changing it). Returns the kept statements
    /// in file order, the counts over all statements, and the findings not attached to a kept
    /// statement (all of them with [`Keep::Findings`]; about suppressions in any case).
    fn analyze(
        mut self,
        analyzer: &mut Analyzer,
        keep: Keep,
        settings: &Settings,
    ) -> (Vec<Analyzed>, StmtCounts, Vec<Finding>) {
        let source = self.source;
        let mut kept = Vec::new();
        let mut loose = Vec::new();
        let mut counts = StmtCounts::default();
        let mut spans = Vec::new();
        let graves = Graves::default();
        let mut collect = |mut a: Analyzed| {
            counts.add(&a.stmt);
            spans.push(a.stmt.span.clone());
            match keep {
                Keep::All => kept.push(a),
                Keep::Findings => {
                    loose.append(&mut a.findings);
                    graves.borrow_mut().push(a.stmt);
                }
            }
        };
        let forward_mode = self.mode(Direction::Forward);
        let mut run = analyzer.begin_file(source, &forward_mode);
        self.each_stmt(Direction::Forward, &graves, &mut |s| {
            run.push(s, &mut collect)
        });
        let mut ended = run.finish(&mut collect);
        let down_mode = self.mode(Direction::Down);
        if !down_mode.parts.is_empty() {
            analyzer.detached(|analyzer| {
                let mut run = analyzer.begin_file(source, &down_mode);
                self.each_stmt(Direction::Down, &graves, &mut |s| run.push(s, &mut collect));
                ended.extend(run.finish(&mut collect));
            });
            kept.sort_by_key(|a| a.stmt.span.start);
            spans.sort_by_key(|s| s.start);
        }
        // Findings of the ends of parts go with the statements they name.
        let stmts = kept.iter_mut().map(|a| (&a.stmt.span, &mut a.findings));
        loose.extend(crate::analyze::attach(ended, stmts));
        let groups = kept.iter_mut().map(|a| &mut a.findings);
        crate::severity::apply(settings, source, &spans, groups, &mut loose);
        (kept, counts, loose)
    }
}

/// Lint one text (tests, rule pages, stdin).
pub fn lint_text(name: &str, text: &str, settings: &Settings) -> FileResult {
    let source = SourceFile::new(name, text.to_string());
    let empty = FileResult {
        source: source.clone(),
        tool: Tool::Plain.name(),
        stmts: Vec::new(),
        counts: StmtCounts::default(),
        file_findings: Vec::new(),
    };
    lint_sources(vec![(source, Vec::new())], settings)
        .pop()
        .unwrap_or(empty)
}

fn file_finding(span: std::ops::Range<usize>, message: String, help: &str) -> Finding {
    Finding::new(rules::PARSE_ERROR, span, message, help.to_string())
}

/// Read one input: unreadable files and binary files become findings; invalid UTF-8 is decoded
/// lossily with a warning at the first bad byte.
pub fn read_input(input: &Input) -> (SourceFile, Vec<Finding>) {
    read_input_capped(input, crate::config::DEFAULT_MAX_FILE_BYTES)
}

/// [`read_input`], reading at most `max` bytes: a larger input is reported and not linted. A
/// file found by walking a folder that is not a regular file (a FIFO, a device) is reported
/// and not read at all.
pub fn read_input_capped(input: &Input, max: u64) -> (SourceFile, Vec<Finding>) {
    let unread = |message: String, help: &str| {
        (
            SourceFile::new(input.display.clone(), String::new()),
            vec![file_finding(0..0, message, help)],
        )
    };
    let mut bytes = Vec::new();
    // One byte past the cap tells a file at the cap from a larger one.
    let cap = max.saturating_add(1);
    if let Some(problem) = &input.problem {
        return unread(
            format!("could not read {}: {problem}", input.display),
            "Check that the path exists and is readable.",
        );
    }
    let read = match &input.path {
        // Checked before opening: opening a FIFO blocks until something writes to it.
        Some(p) if input.walked && std::fs::metadata(p).is_ok_and(|m| !m.is_file()) => Ok(false),
        Some(p) => std::fs::File::open(p).and_then(|f| {
            let len = f.metadata().map_or(0, |m| m.len());
            bytes.reserve(usize::try_from(len.min(max)).unwrap_or(0));
            f.take(cap).read_to_end(&mut bytes).map(|_| true)
        }),
        None => std::io::stdin()
            .lock()
            .take(cap)
            .read_to_end(&mut bytes)
            .map(|_| true),
    };
    match read {
        Ok(true) => {}
        Ok(false) => {
            return unread(
                format!(
                    "{} is not a regular file (a FIFO, socket or device); skipped",
                    input.display
                ),
                "Only regular files found in a folder are read; name it on the command line to read it.",
            );
        }
        Err(e) => {
            return unread(
                format!(
                    "could not read {}: {}",
                    input.display,
                    discover::io_message(&e)
                ),
                "Check that the file exists and is readable.",
            );
        }
    }
    if bytes.len() as u64 > max {
        return unread(
            format!(
                "{} is larger than {}, the most read from one file; not linted",
                input.display,
                if max.is_multiple_of(1 << 20) {
                    format!("{} MiB", max >> 20)
                } else {
                    format!("{max} bytes")
                }
            ),
            "Raise `[migrations] max_file_bytes` (or pass `--max-file-bytes`) to lint it.",
        );
    }
    decode(&input.display, bytes)
}

/// Decode file bytes into a source plus any file-level findings.
pub fn decode(name: &str, bytes: Vec<u8>) -> (SourceFile, Vec<Finding>) {
    // Most files have no NUL byte at all: one fast search answers them.
    if !bytes.contains(&0) {
        return decode_text(name, strip_bom(bytes), Vec::new());
    }
    let sniff = &bytes[..bytes.len().min(8192)];
    let nuls = sniff.iter().filter(|b| **b == 0).count();
    let controls = sniff
        .iter()
        .filter(|b| **b != 0 && **b < 0x20 && !matches!(**b, b'\t' | b'\n' | b'\r' | 0x0c))
        .count();
    // NUL bytes with other control bytes, or many of them: a binary file. A few in text (a
    // stray byte from an editor or a bad copy): PostgreSQL would reject the file, but the rest
    // of its SQL is still linted.
    if nuls > 0 && (controls > 0 || (nuls > 8 && nuls * 100 > sniff.len())) {
        let f = file_finding(
            0..0,
            format!("{name} looks like a binary file (it contains NUL bytes); skipped"),
            "Only SQL text files can be linted.",
        );
        return (SourceFile::new(name, String::new()), vec![f]);
    }
    let mut bytes = strip_bom(bytes);
    let mut notes = Vec::new();
    if let Some(first) = bytes.iter().position(|b| *b == 0) {
        let count = bytes.iter().filter(|b| **b == 0).count();
        for b in bytes.iter_mut().filter(|b| **b == 0) {
            *b = b' ';
        }
        notes.push(file_finding(
            first..first,
            format!(
                "{name} contains {count} NUL byte(s), the first at offset {first}: PostgreSQL rejects them; they were read as spaces and the rest was linted"
            ),
            "Remove the NUL bytes from the file.",
        ));
    }
    decode_text(name, bytes, notes)
}

/// Without a UTF-8 byte-order mark.
fn strip_bom(bytes: Vec<u8>) -> Vec<u8> {
    match bytes.strip_prefix(b"\xEF\xBB\xBF") {
        Some(rest) => rest.to_vec(),
        None => bytes,
    }
}

/// UTF-8 text (lossily, with a warning at the first bad byte).
fn decode_text(name: &str, bytes: Vec<u8>, mut notes: Vec<Finding>) -> (SourceFile, Vec<Finding>) {
    match String::from_utf8(bytes) {
        Ok(text) => (SourceFile::new(name, text), notes),
        Err(e) => {
            let bad = e.utf8_error().valid_up_to();
            let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
            let f = file_finding(
                bad..bad,
                format!(
                    "{name} is not valid UTF-8 (first bad byte at offset {bad}); invalid bytes were replaced with U+FFFD"
                ),
                "Save the file as UTF-8.",
            );
            notes.push(f);
            (SourceFile::new(name, text), notes)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{self, Summary};
    use std::path::Path;

    /// Every fixture migration folder and the shipped example, read.
    fn fixtures() -> Vec<(SourceFile, Vec<Finding>)> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let paths = [root.join("testdata/migrations"), root.join("examples")];
        let (inputs, errors) = discover::collect(&paths, "-");
        assert!(errors.is_empty(), "{errors:?}");
        assert!(inputs.len() > 20, "{} inputs", inputs.len());
        inputs.iter().map(read_input).collect()
    }

    fn run(keep: Keep, ahead_max: usize) -> Vec<FileResult> {
        let loaded = fixtures();
        let report = vec![true; loaded.len()];
        let settings = Settings::default();
        lint_loaded(loaded, &report, &settings, Order::Tool, keep, ahead_max)
    }

    #[test]
    fn files_parsed_while_analyzed_give_what_files_parsed_ahead_give() {
        let settings = Settings::default();
        let ahead = run(Keep::All, usize::MAX);
        let streamed = run(Keep::All, 0);
        assert_eq!(
            report::annotated::json::render(&ahead, &settings),
            report::annotated::json::render(&streamed, &settings)
        );
        assert!(ahead.iter().map(|f| f.counts.statements).sum::<usize>() > 50);
    }

    #[test]
    fn keeping_only_findings_keeps_every_finding_and_count() {
        let all = run(Keep::All, usize::MAX);
        let findings = run(Keep::Findings, 0);
        assert!(findings.iter().all(|f| f.stmts.is_empty()));
        assert_eq!(
            report::check::json::render(&all),
            report::check::json::render(&findings)
        );
        assert_eq!(
            report::check::sarif::render(&all),
            report::check::sarif::render(&findings)
        );
        let counts = |r: &[FileResult]| r.iter().map(|f| f.counts).collect::<Vec<_>>();
        assert_eq!(counts(&all), counts(&findings));
        assert!(Summary::of(&all).errors > 0);
    }
}
