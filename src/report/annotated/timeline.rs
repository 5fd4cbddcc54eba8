//! The lock timeline of one migration file, as the HTML page draws it and the Markdown report
//! lists it: each statement placed in time by its estimate, and per relation the locks held on
//! it (until the transaction commits, or at once for a statement outside a transaction), what
//! they block, the work done under them and the blocking windows that result.
//!
//! Time is counted in known seconds plus stretches of unknown length: work on a relation
//! without a size hint is never taken for zero. Relations created earlier in the same
//! migration are left out: they are empty and nobody else uses them yet.

use crate::analyze::{Analyzed, WorkEstimate};
use crate::finding::format_duration;
use crate::model::{LockMode, StmtKind, WorkKind};
use crate::report::FileResult;
use crate::report::annotated::stmt_lines;

/// What a held lock blocks, strongest first (the shading of a bar).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Level {
    /// Reads and writes (and DDL).
    Reads,
    /// Writes (and DDL); reads go on.
    Writes,
    /// Other DDL only: reads and writes go on.
    Ddl,
    /// Nothing that matters for traffic (e.g. the ROW EXCLUSIVE lock of a backfill).
    Nothing,
}

impl Level {
    fn of(mode: LockMode) -> Level {
        let b = mode.blocks();
        if b.reads {
            Level::Reads
        } else if b.writes {
            Level::Writes
        } else if b.ddl {
            Level::Ddl
        } else {
            Level::Nothing
        }
    }

    /// The CSS class and data attribute value: `reads`, `writes`, `ddl`, `nothing`.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Level::Reads => "reads",
            Level::Writes => "writes",
            Level::Ddl => "ddl",
            Level::Nothing => "nothing",
        }
    }

    /// Whether reads or writes wait.
    pub(crate) fn blocks_traffic(self) -> bool {
        matches!(self, Level::Reads | Level::Writes)
    }
}

/// A length of time: known seconds, and whether some unknown stretch adds to them.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct Dur {
    /// The known part, in seconds.
    pub secs: f64,
    /// Some work of unknown length (no size hint) is part of it.
    pub unknown: bool,
}

impl Dur {
    fn add(&mut self, other: Dur) {
        self.secs += other.secs;
        self.unknown |= other.unknown;
    }

    /// Order for "worst first": more known seconds, then an unknown part.
    pub(crate) fn rank(self) -> (f64, bool) {
        (self.secs, self.unknown)
    }

    /// "~25 min", "under a second", "for an unknown time" (no size hint), "at least ~25 min +
    /// unknown".
    pub(crate) fn text(self) -> String {
        match (self.unknown, self.secs >= 1.0) {
            (false, _) => format_duration(self.secs),
            (true, false) => "for an unknown time".to_string(),
            (true, true) => format!("at least {} + unknown", format_duration(self.secs)),
        }
    }
}

/// One statement on the time axis.
#[derive(Debug, Clone)]
pub(crate) struct Step {
    /// Its first line.
    pub line: usize,
    /// When it starts.
    pub start: Dur,
    /// How long it takes: its longest work.
    pub dur: Dur,
    /// It does no work (or only on relations new in this migration): an instant.
    pub instant: bool,
    /// It is a COMMIT (or ROLLBACK).
    pub commit: bool,
    /// Its locks are released when it ends (end of its transaction, or outside one).
    pub releases: bool,
}

/// A stretch of steps over which a relation is held in one mode class.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Segment {
    /// First step (index into [`Timeline::steps`]).
    pub from: usize,
    /// Last step, inclusive.
    pub to: usize,
    /// What the lock held over it blocks.
    pub level: Level,
    /// The lock mode held (the strongest so far in the transaction).
    pub mode: LockMode,
}

/// Work done on a relation by one statement.
#[derive(Debug, Clone)]
pub(crate) struct WorkBar {
    /// The step.
    pub step: usize,
    /// What is done.
    pub kind: WorkKind,
    /// How long it takes (`None`: size unknown).
    pub secs: Option<f64>,
    /// The lock held on the relation meanwhile lets reads and writes go on (e.g. CONCURRENTLY).
    pub nonblocking: bool,
}

/// Consecutive steps over which a relation is blocked for traffic (or, for a non-blocking
/// window, for DDL only).
#[derive(Debug, Clone)]
pub(crate) struct Window {
    /// First step.
    pub from: usize,
    /// Last step, inclusive: the one that releases the lock, or the last holding it.
    pub to: usize,
    /// The worst it blocks.
    pub level: Level,
    /// How long writes (for a DDL-only window: DDL) wait.
    pub total: Dur,
    /// How long reads wait too (zero unless `level` is `Reads`).
    pub reads: Dur,
}

/// One relation's row.
#[derive(Debug, Clone)]
pub(crate) struct Row {
    /// Its name as the statements write it.
    pub rel: String,
    /// The lock held over time.
    pub segments: Vec<Segment>,
    /// The work done on it.
    pub work: Vec<WorkBar>,
    /// Where it is blocked.
    pub windows: Vec<Window>,
}

/// A migration file's timeline.
#[derive(Debug, Clone)]
pub(crate) struct Timeline {
    /// Every statement, in file order.
    pub steps: Vec<Step>,
    /// One row per relation locked in a way that blocks something, or worked on, in order of
    /// first appearance.
    pub rows: Vec<Row>,
}

fn step_of(a: &Analyzed) -> (Dur, bool) {
    let mut dur = Dur::default();
    let mut instant = true;
    for e in &a.work_estimates {
        match *e {
            WorkEstimate::New => {}
            WorkEstimate::Seconds(s) => {
                dur.secs = dur.secs.max(s);
                instant &= s <= 0.0;
            }
            WorkEstimate::Unknown => {
                dur.unknown = true;
                instant = false;
            }
        }
    }
    (dur, instant)
}

impl Timeline {
    /// The timeline of a file's analyzed statements.
    pub(crate) fn of(file: &FileResult) -> Timeline {
        let mut steps = Vec::with_capacity(file.stmts.len());
        let mut now = Dur::default();
        for a in &file.stmts {
            let (dur, instant) = step_of(a);
            let (line, _) = stmt_lines(&file.source, &a.stmt.span);
            steps.push(Step {
                line,
                start: now,
                dur,
                instant,
                commit: matches!(a.stmt.kind, StmtKind::Commit | StmtKind::Rollback),
                releases: a.releases_locks || !a.in_transaction,
            });
            now.add(dur);
        }

        // Rows keyed by `schema.name`; the mode held per relation in the open transaction.
        let mut keys: Vec<String> = Vec::new();
        let mut rows: Vec<Row> = Vec::new();
        let mut held: Vec<(usize, LockMode)> = Vec::new();
        let row_of = |keys: &mut Vec<String>, rows: &mut Vec<Row>, rel: &crate::model::ObjName| {
            let key = rel.key();
            match keys.iter().position(|k| *k == key) {
                Some(i) => i,
                None => {
                    keys.push(key);
                    rows.push(Row {
                        rel: rel.to_string(),
                        segments: Vec::new(),
                        work: Vec::new(),
                        windows: Vec::new(),
                    });
                    rows.len() - 1
                }
            }
        };
        for (i, a) in file.stmts.iter().enumerate() {
            for (li, l) in a.effects.locks.iter().enumerate() {
                if a.lock_is_new(li) {
                    continue;
                }
                let worked = a.effects.work.iter().any(|w| w.rel.same(&l.rel));
                if Level::of(l.mode) == Level::Nothing && !worked {
                    continue;
                }
                let r = row_of(&mut keys, &mut rows, &l.rel);
                match held.iter_mut().find(|(h, _)| *h == r) {
                    Some((_, m)) => *m = (*m).max(l.mode),
                    None => held.push((r, l.mode)),
                }
            }
            for (w, e) in a.effects.work.iter().zip(&a.work_estimates) {
                let secs = match *e {
                    WorkEstimate::New => continue,
                    WorkEstimate::Seconds(s) => Some(s),
                    WorkEstimate::Unknown => None,
                };
                let r = row_of(&mut keys, &mut rows, &w.rel);
                let level = held
                    .iter()
                    .find(|(h, _)| *h == r)
                    .map_or(Level::Nothing, |(_, m)| Level::of(*m));
                rows[r].work.push(WorkBar {
                    step: i,
                    kind: w.kind,
                    secs,
                    nonblocking: !level.blocks_traffic(),
                });
            }
            // A segment goes on only within one transaction.
            let continues = i > 0 && !steps[i - 1].releases;
            for &(r, mode) in &held {
                let level = Level::of(mode);
                let segs = &mut rows[r].segments;
                match segs.last_mut() {
                    Some(s) if continues && s.to + 1 == i && s.mode == mode => s.to = i,
                    _ => segs.push(Segment {
                        from: i,
                        to: i,
                        level,
                        mode,
                    }),
                }
            }
            if steps[i].releases {
                held.clear();
            }
        }
        for row in &mut rows {
            row.windows = windows(&row.segments, &steps);
        }
        Timeline { steps, rows }
    }

    /// When step `i` ends.
    pub(crate) fn end_of(&self, i: usize) -> Dur {
        let s = &self.steps[i];
        let mut t = s.start;
        t.add(s.dur);
        t
    }

    /// The whole file's length.
    pub(crate) fn total(&self) -> Dur {
        self.steps
            .len()
            .checked_sub(1)
            .map_or(Dur::default(), |i| self.end_of(i))
    }

    /// Every window with its row, in row order.
    pub(crate) fn windows(&self) -> impl Iterator<Item = (&Row, &Window)> {
        self.rows
            .iter()
            .flat_map(|r| r.windows.iter().map(move |w| (r, w)))
    }

    /// The longest window that blocks traffic, with its row.
    pub(crate) fn worst(&self) -> Option<(&Row, &Window)> {
        self.windows()
            .filter(|(_, w)| w.level.blocks_traffic())
            .fold(None, |best: Option<(&Row, &Window)>, (r, w)| match best {
                // Ties go to the first: the relation the file touches first.
                Some((_, b)) if !worse(w, b) => best,
                _ => Some((r, w)),
            })
    }

    /// Every window with its row, worst first: those that block reads or writes before those
    /// that block only DDL, then the longest (unknown lengths rank as long).
    pub(crate) fn windows_worst_first(&self) -> Vec<(&Row, &Window)> {
        let mut all: Vec<(&Row, &Window)> = self.windows().collect();
        all.sort_by(|(_, a), (_, b)| {
            (b.level.blocks_traffic(), b.total.rank())
                .partial_cmp(&(a.level.blocks_traffic(), a.total.rank()))
                .unwrap_or(std::cmp::Ordering::Equal)
        });
        all
    }

    /// A window's label: "writes to `measurements` blocked ~25 min".
    pub(crate) fn label(&self, row: &Row, w: &Window, code: impl Fn(&str) -> String) -> String {
        let t = code(&row.rel);
        let total = w.total.text();
        match w.level {
            Level::Reads if w.reads == w.total => {
                format!("reads and writes to {t} blocked {total}")
            }
            Level::Reads => format!(
                "writes to {t} blocked {total} (reads too, {})",
                w.reads.text()
            ),
            Level::Writes => format!("writes to {t} blocked {total}"),
            Level::Ddl | Level::Nothing => {
                format!("non-blocking: only DDL on {t} waits {total}")
            }
        }
    }

    /// Where a window runs: "lines 2–7, until COMMIT" / "line 9" / "lines 2–5, until the end
    /// of the file's transaction".
    pub(crate) fn span_text(&self, w: &Window) -> String {
        let (a, b) = (&self.steps[w.from], &self.steps[w.to]);
        let lines = if a.line == b.line {
            format!("line {}", a.line)
        } else {
            format!("lines {}–{}", a.line, b.line)
        };
        if b.commit {
            format!("{lines}, until COMMIT")
        } else if w.to > w.from && b.releases {
            format!("{lines}, until the transaction ends")
        } else {
            lines
        }
    }
}

/// Whether window `a` is worse than `b`: longer, or as long and blocking reads too.
pub(crate) fn worse(a: &Window, b: &Window) -> bool {
    let key = |w: &Window| (w.total.rank(), w.level == Level::Reads);
    key(a).partial_cmp(&key(b)) == Some(std::cmp::Ordering::Greater)
}

/// The windows of a row: maximal runs of consecutive steps whose lock blocks traffic, and
/// runs that block DDL only.
fn windows(segments: &[Segment], steps: &[Step]) -> Vec<Window> {
    let mut out: Vec<Window> = Vec::new();
    for s in segments {
        if s.level == Level::Nothing {
            continue;
        }
        let mut total = Dur::default();
        for st in &steps[s.from..=s.to] {
            total.add(st.dur);
        }
        let reads = if s.level == Level::Reads {
            total
        } else {
            Dur::default()
        };
        match out.last_mut() {
            Some(w)
                if w.to + 1 == s.from
                    && w.level.blocks_traffic() == s.level.blocks_traffic()
                    && !steps[w.to].releases =>
            {
                w.to = s.to;
                w.level = w.level.min(s.level);
                w.total.add(total);
                w.reads.add(reads);
            }
            _ => out.push(Window {
                from: s.from,
                to: s.to,
                level: s.level,
                total,
                reads,
            }),
        }
    }
    out
}

/// A table's blocking across the whole change.
#[derive(Debug, Clone)]
pub(crate) struct TableTotal {
    /// The relation.
    pub rel: String,
    /// How long writes wait, all windows added.
    pub writes: Dur,
    /// How long reads wait.
    pub reads: Dur,
    /// How many windows.
    pub windows: usize,
    /// In how many files.
    pub files: usize,
}

/// The blocking time per table across files, longest first.
pub(crate) fn totals(timelines: &[Timeline]) -> Vec<TableTotal> {
    let mut out: Vec<TableTotal> = Vec::new();
    for t in timelines {
        let mut seen: Vec<usize> = Vec::new();
        for row in &t.rows {
            for w in row.windows.iter().filter(|w| w.level.blocks_traffic()) {
                let i = match out.iter().position(|x| x.rel == row.rel) {
                    Some(i) => i,
                    None => {
                        out.push(TableTotal {
                            rel: row.rel.clone(),
                            writes: Dur::default(),
                            reads: Dur::default(),
                            windows: 0,
                            files: 0,
                        });
                        out.len() - 1
                    }
                };
                let x = &mut out[i];
                x.writes.add(w.total);
                x.reads.add(w.reads);
                x.windows += 1;
                if !seen.contains(&i) {
                    seen.push(i);
                    x.files += 1;
                }
            }
        }
    }
    // Stable: equal totals keep their order of first appearance.
    out.sort_by(|a, b| {
        b.writes
            .rank()
            .partial_cmp(&a.writes.rank())
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    out
}

#[cfg(test)]
mod tests {
    use super::{Dur, Level, Timeline};
    use crate::rules::testing::settings;
    use crate::source::SourceFile;

    const HINTS: &str = "[tables]\nmeasurements = { rows = 450_000_000, bytes = \"120 GB\" }\ndevices = { rows = 20_000 }\n";
    const CREATE: &str = "CREATE TABLE devices (id bigint PRIMARY KEY);\n\
        CREATE TABLE measurements (id bigint PRIMARY KEY, device_id bigint, taken_at timestamptz);\n\
        CREATE TABLE audit_log (id bigint, note text);\n";

    /// The timelines of `files`, linted after the table-creating migration.
    fn timelines(toml: &str, files: &[&str]) -> Vec<Timeline> {
        let settings = settings(toml);
        let mut sources = vec![(SourceFile::new("0000.sql", CREATE.to_string()), Vec::new())];
        for (i, text) in files.iter().enumerate() {
            sources.push((
                SourceFile::new(format!("{:04}.sql", i + 1), text.to_string()),
                Vec::new(),
            ));
        }
        let results = crate::pipeline::lint_sources(sources, &settings);
        results.iter().skip(1).map(Timeline::of).collect()
    }

    fn one(toml: &str, text: &str) -> Timeline {
        timelines(toml, &[text]).remove(0)
    }

    #[test]
    fn a_transaction_holds_its_locks_until_commit() {
        let t = one(
            HINTS,
            "BEGIN;\nALTER TABLE measurements ADD COLUMN unit text;\n\
             UPDATE measurements SET unit = 'c';\n\
             CREATE INDEX measurements_unit_idx ON measurements (unit);\nCOMMIT;\n",
        );
        assert_eq!(t.rows.len(), 1);
        let row = &t.rows[0];
        assert_eq!(row.rel, "measurements");
        // One window from the ADD COLUMN to the COMMIT, blocking reads all along: the backfill
        // (450M rows at 100k/s) and the index build (900 s sorting + 600 s reading 120 GB).
        assert_eq!(row.windows.len(), 1, "{:?}", row.windows);
        let w = &row.windows[0];
        assert_eq!(w.level, Level::Reads);
        assert_eq!(
            w.total,
            Dur {
                secs: 6000.0,
                unknown: false
            }
        );
        assert_eq!(w.reads, w.total);
        assert_eq!(t.span_text(w), "lines 2–5, until COMMIT");
        assert_eq!(
            t.label(row, w, |s| s.to_string()),
            "reads and writes to measurements blocked ~1.7 h"
        );
        let work: Vec<(usize, Option<f64>, bool)> = row
            .work
            .iter()
            .map(|b| (t.steps[b.step].line, b.secs, b.nonblocking))
            .collect();
        assert_eq!(work, [(3, Some(4500.0), false), (4, Some(1500.0), false)]);
    }

    #[test]
    fn outside_a_transaction_each_statement_releases_at_once() {
        let t = one(
            HINTS,
            "ALTER TABLE measurements ADD COLUMN unit text;\n\
             CREATE INDEX measurements_unit_idx ON measurements (unit);\n",
        );
        let row = &t.rows[0];
        assert_eq!(row.windows.len(), 2);
        assert_eq!(row.windows[0].level, Level::Reads);
        assert_eq!(row.windows[0].total.secs, 0.0);
        assert_eq!(row.windows[1].level, Level::Writes);
        assert_eq!(row.windows[1].total.secs, 1500.0);
        assert_eq!(t.span_text(&row.windows[1]), "line 2");
    }

    #[test]
    fn concurrently_is_non_blocking_and_unknown_sizes_are_never_zero() {
        let t = one(
            HINTS,
            "CREATE INDEX CONCURRENTLY measurements_taken_idx ON measurements (taken_at);\n\
             ALTER TABLE audit_log ALTER COLUMN note SET NOT NULL;\n",
        );
        let m = t.rows.iter().find(|r| r.rel == "measurements").unwrap();
        assert_eq!(m.windows[0].level, Level::Ddl);
        assert!(m.work[0].nonblocking);
        assert!(t.worst().is_some_and(|(r, _)| r.rel == "audit_log"));
        let a = t.rows.iter().find(|r| r.rel == "audit_log").unwrap();
        assert_eq!(a.work[0].secs, None);
        assert!(a.windows[0].total.unknown);
        assert_eq!(
            t.label(a, &a.windows[0], |s| s.to_string()),
            "reads and writes to audit_log blocked for an unknown time"
        );
        assert!(t.total().unknown && t.total().secs == 1500.0);
    }

    #[test]
    fn new_tables_have_no_row_and_totals_add_up_across_files() {
        let t = timelines(
            HINTS,
            &[
                "CREATE TABLE fresh (id int);\nCREATE INDEX fresh_idx ON fresh (id);\n\
                 CREATE INDEX m1 ON measurements (device_id);\n",
                "BEGIN;\nCREATE INDEX m2 ON measurements (taken_at);\nCOMMIT;\n",
            ],
        );
        assert!(t[0].rows.iter().all(|r| r.rel != "fresh"));
        let totals = super::totals(&t);
        assert_eq!(totals[0].rel, "measurements");
        assert_eq!(totals[0].writes.secs, 3000.0);
        assert_eq!((totals[0].windows, totals[0].files), (2, 2));
    }
}
