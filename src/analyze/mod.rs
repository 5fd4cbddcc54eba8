//! Analysis: catalog replay across files, transaction state, effects (from the lock model),
//! sizes and estimates. The checks (the rules) are handed in by the pipeline: analysis builds
//! the view of each statement they read and never imports them.

pub mod catalog;
pub mod effects;
pub mod size;

use crate::config::Settings;
use crate::finding::Finding;
use crate::model::{Effects, LockMode, ObjName, Parsed, Span, Stmt, StmtKind};
use crate::source::SourceFile;

/// What a check sees of one statement: its effects, the catalog before it, the transaction
/// around it, the settings and the file.
pub struct StmtView<'a> {
    /// Resolved configuration.
    pub settings: &'a Settings,
    /// The schema before this statement.
    pub catalog: &'a Catalog,
    /// This statement's effects.
    pub effects: &'a Effects,
    /// The transaction around it.
    pub txn: &'a TxnView,
    /// The file.
    pub source: &'a SourceFile,
}

/// The checks analysis runs (the rule registry's): on each analyzed statement, and at the end
/// of each part of a file the tool runs on its own (and of the file).
#[derive(Clone, Copy)]
pub struct Checks {
    /// Run on each statement.
    pub stmt: fn(&Stmt, &StmtView) -> Vec<Finding>,
    /// Run when a part ends; its findings point into the file and go with the statement whose
    /// span holds them.
    pub part_end: fn(&PartEnd) -> Vec<Finding>,
}

/// What a check sees when a part of a migration file ends (the tool is done with it: it commits
/// its own transaction, if it opened one), and when the file ends.
pub struct PartEnd<'a> {
    /// Resolved configuration.
    pub settings: &'a Settings,
    /// The schema as the part leaves it.
    pub catalog: &'a Catalog,
    /// The transaction state at the end of the part.
    pub txn: &'a TxnView,
    /// The tool wraps this part in its own transaction and commits it when the part ends
    /// (a transaction the SQL opened is committed with it).
    pub tool_commits: bool,
    /// This is the end of the file, not only of a part.
    pub file_ends: bool,
    /// Foreign keys the file added so far, in order.
    pub foreign_keys: &'a [AddedForeignKey],
    /// The file.
    pub source: &'a SourceFile,
}

/// A foreign key a migration file adds (CREATE TABLE, ADD COLUMN ... REFERENCES, ADD FOREIGN KEY).
#[derive(Debug, Clone)]
pub struct AddedForeignKey {
    /// The referencing table.
    pub table: ObjName,
    /// Its referencing columns.
    pub columns: Vec<String>,
    /// The referenced table.
    pub references: ObjName,
    /// The clause that adds it (the column definition or the constraint).
    pub span: Span,
    /// The statement that adds it.
    pub stmt_span: Span,
}
use catalog::Catalog;
use effects::Env;

/// A lock taken by an earlier statement and still held.
#[derive(Debug, Clone)]
pub struct Held {
    /// The relation.
    pub rel: ObjName,
    /// The strongest mode held.
    pub mode: LockMode,
    /// The statement that took it (in its strongest mode).
    pub span: Span,
}

/// The transaction around a statement, as rules see it.
#[derive(Debug, Clone, Default)]
pub struct TxnView {
    /// The statement runs inside a transaction block.
    pub in_transaction: bool,
    /// The block was opened with an explicit BEGIN.
    pub explicit: bool,
    /// The migration tool's own transaction around this part of the file is open (it has not
    /// been ended by a COMMIT or ROLLBACK in the SQL).
    pub tool_transaction: bool,
    /// This statement is a BEGIN inside a transaction already open (the tool's or an explicit
    /// one): PostgreSQL ignores it with a warning.
    pub nested_begin: bool,
    /// Where the transaction this BEGIN is nested in was opened by an explicit BEGIN.
    pub outer_begin: Option<Span>,
    /// The first explicit BEGIN of the transaction open now (it may have turned the tool's or
    /// a multi-statement string's implicit transaction into an explicit block).
    pub explicit_begin: Option<Span>,
    /// Locks held from earlier statements of the same transaction.
    pub held: Vec<Held>,
    /// A non-zero lock_timeout is in force.
    pub lock_timeout: bool,
    /// A non-zero statement_timeout is in force.
    pub statement_timeout: bool,
    /// Constraints added NOT VALID earlier in this transaction: (table, constraint name).
    pub not_valid_added: Vec<(ObjName, String)>,
    /// Relations created earlier in this transaction.
    pub created: Vec<ObjName>,
    /// The session TimeZone is known to be UTC.
    pub timezone_utc: bool,
    /// Rules that already reported in this transaction (for rules that report once per transaction).
    pub reported: Vec<&'static str>,
    /// (rule, table) pairs already reported in this transaction (for rules that report once per
    /// transaction and table).
    pub reported_tables: Vec<(&'static str, String)>,
    /// Rules that already reported in this migration file (for rules that report once per file).
    pub reported_in_file: Vec<&'static str>,
}

/// A statement with everything locklint worked out about it.
#[derive(Debug, Clone)]
pub struct Analyzed {
    /// The statement.
    pub stmt: Stmt,
    /// Locks and work.
    pub effects: Effects,
    /// Whether it runs inside a transaction block.
    pub in_transaction: bool,
    /// Findings, in rule order.
    pub findings: Vec<Finding>,
    /// The longest estimated duration of the statement's work, when size hints allow one.
    pub estimate_seconds: Option<f64>,
    /// The estimate of each piece of `effects.work`, in the same order.
    pub work_estimates: Vec<WorkEstimate>,
    /// Bit `i` set: the relation of `effects.locks[i]` was created earlier in this migration
    /// (it is empty and nothing else uses it yet). Locks past the 64th are never marked.
    pub new_locks: u64,
    /// The transaction it runs in ends after it (COMMIT, ROLLBACK, the end of the tool's part
    /// or of the file), or it runs outside one: its locks are released here.
    pub releases_locks: bool,
}

/// How long one piece of work is estimated to take.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum WorkEstimate {
    /// On a relation created earlier in this migration: empty, no time to speak of.
    New,
    /// From the size hints and `[estimate]`.
    Seconds(f64),
    /// No size hint: how long is unknown (never zero).
    Unknown,
}

impl Analyzed {
    /// Whether the relation of `effects.locks[i]` was created earlier in this migration.
    pub fn lock_is_new(&self, i: usize) -> bool {
        i < 64 && self.new_locks & (1 << i) != 0
    }
}

pub use crate::model::{FileMode, TxnMode};

/// Replays files in order, carrying the catalog from one to the next.
pub struct Analyzer<'s> {
    settings: &'s Settings,
    catalog: Catalog,
    checks: Checks,
}

#[derive(Default)]
struct Session {
    lock_timeout_session: bool,
    lock_timeout_local: Option<bool>,
    statement_timeout_session: bool,
    statement_timeout_local: Option<bool>,
    timezone_utc: bool,
    timezone_utc_local: Option<bool>,
}

impl<'s> Analyzer<'s> {
    /// A fresh analyzer with an empty catalog, running `checks` on every analyzed statement.
    pub fn new(settings: &'s Settings, checks: Checks) -> Self {
        Analyzer {
            settings,
            catalog: Catalog::default(),
            checks,
        }
    }

    /// The catalog as replayed so far.
    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    /// Start replaying a file into the catalog without linting it (earlier migrations),
    /// statement by statement ([`Analyzer::replay_stmt`]).
    pub fn begin_replay(&mut self) {
        self.catalog.begin_migration();
    }

    /// Replay one statement of the file begun with [`Analyzer::begin_replay`].
    pub fn replay_stmt(&mut self, stmt: &Stmt) {
        self.catalog.apply(stmt);
    }

    /// Run `f` on this analyzer and put the catalog back as it was: for statements that never
    /// move the schema forward (a down or undo migration), analyzed as a migration of their own
    /// against the schema as it stands.
    pub fn detached<R>(&mut self, f: impl FnOnce(&mut Self) -> R) -> R {
        let saved = self.catalog.clone();
        let out = f(self);
        self.catalog = saved;
        out
    }

    /// [`Analyzer::analyze`] under [`Analyzer::detached`].
    pub fn analyze_detached(
        &mut self,
        source: &SourceFile,
        stmts: Vec<Stmt>,
        mode: &FileMode,
    ) -> Vec<Analyzed> {
        self.detached(|a| a.analyze(source, stmts, mode))
    }

    /// Analyze one migration file: effects, transaction state, rules. Updates the catalog.
    pub fn analyze(
        &mut self,
        source: &SourceFile,
        stmts: Vec<Stmt>,
        mode: &FileMode,
    ) -> Vec<Analyzed> {
        let mut out = Vec::with_capacity(stmts.len());
        let mut run = self.begin_file(source, mode);
        for stmt in stmts {
            run.push(stmt, &mut |a| out.push(a));
        }
        let ended = run.finish(&mut |a| out.push(a));
        attach(
            ended,
            out.iter_mut().map(|a| (&a.stmt.span, &mut a.findings)),
        );
        out
    }

    /// Start analyzing one migration file statement by statement (see [`FileRun`]).
    pub fn begin_file<'a>(
        &'a mut self,
        source: &'a SourceFile,
        mode: &'a FileMode,
    ) -> FileRun<'a, 's> {
        self.catalog.begin_migration();
        FileRun {
            analyzer: self,
            source,
            mode,
            session: Session::default(),
            txn: TxnView::default(),
            part: usize::MAX,
            wrapped: None,
            pending: Vec::new(),
            open: Vec::new(),
            tool_commits: false,
            foreign_keys: Vec::new(),
            ended: Vec::new(),
        }
    }
}

/// Hand the findings of the end of a part to the statements whose spans hold them (`stmts`, by
/// statement span); returns those that fit none.
pub fn attach<'f>(
    ended: Vec<Finding>,
    stmts: impl Iterator<Item = (&'f Span, &'f mut Vec<Finding>)>,
) -> Vec<Finding> {
    if ended.is_empty() {
        return ended;
    }
    let mut stmts: Vec<_> = stmts.collect();
    let mut loose = Vec::new();
    for f in ended {
        match stmts.iter_mut().find(|(s, _)| **s == f.stmt_span) {
            Some((_, findings)) => {
                findings.push(f);
                findings.sort_by(|a, b| (a.span.start, a.code).cmp(&(b.span.start, b.code)));
            }
            None => loose.push(f),
        }
    }
    loose
}

/// One migration file being analyzed as its statements arrive, in file order, so a file never
/// has to be held parsed in memory as a whole. Statements are held back only while the
/// transaction wrapping of their part is still undecided (a multi-statement string with one
/// statement so far; a Flyway part whose statements so far all refuse a transaction).
pub struct FileRun<'a, 's> {
    analyzer: &'a mut Analyzer<'s>,
    source: &'a SourceFile,
    mode: &'a FileMode,
    session: Session,
    txn: TxnView,
    /// The part of the statements analyzed last.
    part: usize,
    /// Whether the tool wraps the part of `pending` (or of the last statement) in a
    /// transaction, once known.
    wrapped: Option<bool>,
    /// Statements of one part waiting for `wrapped` to be decided.
    pending: Vec<Stmt>,
    /// The analyzed statements of the transaction still open, handed out when it ends: a lock
    /// is held until COMMIT, so how long it blocks depends on the work after it.
    open: Vec<Analyzed>,
    /// The tool wraps the current part in its own transaction, committed when the part ends.
    tool_commits: bool,
    /// Foreign keys the file added so far.
    foreign_keys: Vec<AddedForeignKey>,
    /// Findings of the ends of parts, handed back by [`FileRun::finish`].
    ended: Vec<Finding>,
}

impl FileRun<'_, '_> {
    /// Analyze the next statement of the file; analyzed statements are handed to `out` in file
    /// order, possibly later than they were pushed.
    pub fn push(&mut self, stmt: Stmt, out: &mut dyn FnMut(Analyzed)) {
        let p = self.mode.part_of(stmt.span.start);
        let pending_part = self
            .pending
            .first()
            .map(|s| self.mode.part_of(s.span.start));
        if pending_part.is_some_and(|q| q != p) {
            // The held-back part ended without deciding: decide on what it holds.
            self.flush(true, out);
        }
        if p != self.part && self.pending.is_empty() {
            self.wrapped = None;
        }
        if self.wrapped.is_none() {
            self.pending.push(stmt);
            self.flush(false, out);
            return;
        }
        self.step(stmt, p, out);
    }

    /// The file ended: analyze whatever was held back. Returns the findings of the ends of its
    /// parts, each to go with the statement whose span it names ([`attach`]).
    pub fn finish(mut self, out: &mut dyn FnMut(Analyzed)) -> Vec<Finding> {
        self.flush(true, out);
        if self.part != usize::MAX {
            self.end_part(true);
        }
        self.close_txn(out);
        self.ended
    }

    /// The current part ends (and the file with it, when `file_ends`): run the end checks.
    fn end_part(&mut self, file_ends: bool) {
        let end = PartEnd {
            settings: self.analyzer.settings,
            catalog: &self.analyzer.catalog,
            txn: &self.txn,
            tool_commits: self.tool_commits,
            file_ends,
            foreign_keys: &self.foreign_keys,
            source: self.source,
        };
        let found = (self.analyzer.checks.part_end)(&end);
        self.ended.extend(found);
    }

    /// The open transaction ended (COMMIT, ROLLBACK, the end of the tool's part or of the
    /// file): every finding with an estimate now covers the work after its statement until the
    /// end too, and the statements are handed out.
    fn close_txn(&mut self, out: &mut dyn FnMut(Analyzed)) {
        let mut later = 0.0;
        for a in self.open.iter_mut().rev() {
            if later > 0.0 {
                for f in &mut a.findings {
                    extend_window(f, later);
                }
            }
            later += a.estimate_seconds.unwrap_or(0.0);
        }
        if let Some(last) = self.open.last_mut() {
            last.releases_locks = true;
        }
        // Drained, not taken: the buffer keeps its capacity for the next transaction.
        for a in self.open.drain(..) {
            out(a);
        }
    }

    /// Decide the wrapping of the held-back part if its statements so far (all of them, when
    /// `ended`) tell, and analyze them once it is decided.
    fn flush(&mut self, ended: bool, out: &mut dyn FnMut(Analyzed)) {
        let Some(first) = self.pending.first() else {
            return;
        };
        let p = self.mode.part_of(first.span.start);
        let decided = match self.mode.txn(p) {
            TxnMode::None => Some(false),
            TxnMode::Single => Some(true),
            TxnMode::MultiStatement => match self.pending.len() {
                1 if !ended => None,
                n => Some(n > 1),
            },
            // Each statement is checked once, as it arrives: all held back so far refuse a
            // transaction.
            TxnMode::SingleUnlessAllNonTransactional if ended => Some(false),
            TxnMode::SingleUnlessAllNonTransactional => {
                let env = Env {
                    postgres_version: self.analyzer.settings.postgres_version,
                    timezone_utc: false,
                };
                let last = self.pending.last().unwrap_or(first);
                let needs_txn = !effects::effects(last, &self.analyzer.catalog, env).no_transaction;
                needs_txn.then_some(true)
            }
        };
        let Some(wrapped) = decided else {
            return;
        };
        self.wrapped = Some(wrapped);
        for stmt in std::mem::take(&mut self.pending) {
            self.step(stmt, p, out);
        }
    }

    /// Analyze one statement of part `p`, whose wrapping is decided.
    fn step(&mut self, stmt: Stmt, p: usize, out: &mut dyn FnMut(Analyzed)) {
        let wrapped = self.wrapped.unwrap_or(false);
        if p != self.part {
            // The tool finished the previous part (committing its transaction, if any)
            // and starts this one.
            if self.part != usize::MAX {
                self.end_part(false);
            }
            self.close_txn(out);
        }
        let (txn, session) = (&mut self.txn, &mut self.session);
        if p != self.part {
            self.part = p;
            let tool = wrapped
                && matches!(
                    self.mode.txn(p),
                    TxnMode::Single | TxnMode::SingleUnlessAllNonTransactional
                );
            self.tool_commits = tool;
            *txn = TxnView {
                in_transaction: wrapped,
                tool_transaction: tool,
                reported_in_file: std::mem::take(&mut txn.reported_in_file),
                ..TxnView::default()
            };
            session.lock_timeout_local = None;
            session.statement_timeout_local = None;
            session.timezone_utc_local = None;
        }
        let settings = self.analyzer.settings;
        // After a COMMIT in a multi-statement string, the next statement opens a new
        // implicit transaction.
        let reopens = self.mode.txn(p) == TxnMode::MultiStatement && wrapped;
        // Transaction control first: it changes the state the statement itself runs in.
        txn.nested_begin = false;
        match &stmt.kind {
            StmtKind::Begin => {
                txn.nested_begin = txn.in_transaction;
                if !txn.in_transaction {
                    txn.outer_begin = Some(stmt.span.clone());
                }
                if !txn.explicit {
                    txn.explicit_begin = Some(stmt.span.clone());
                }
                txn.in_transaction = true;
                txn.explicit = true;
            }
            StmtKind::Set { name, value, local } => {
                apply_set(session, name, value, *local, txn.in_transaction)
            }
            StmtKind::Reset { name } => apply_set(
                session,
                name.trim_start_matches("reset ").trim(),
                "0",
                false,
                false,
            ),
            _ => {}
        }
        txn.lock_timeout = session
            .lock_timeout_local
            .unwrap_or(session.lock_timeout_session);
        txn.statement_timeout = session
            .statement_timeout_local
            .unwrap_or(session.statement_timeout_session);
        txn.timezone_utc = session.timezone_utc_local.unwrap_or(session.timezone_utc);
        let env = Env {
            postgres_version: settings.postgres_version,
            timezone_utc: txn.timezone_utc,
        };
        let catalog = &mut self.analyzer.catalog;
        let effects = effects::effects(&stmt, catalog, env);
        let in_transaction = txn.in_transaction;
        let (findings, estimate_seconds, work_estimates, new_locks) = {
            let view = StmtView {
                settings,
                catalog,
                effects: &effects,
                txn,
                source: self.source,
            };
            let mut f = (self.analyzer.checks.stmt)(&stmt, &view);
            for finding in &mut f {
                finding.stmt_span = stmt.span.clone();
            }
            f.sort_by(|a, b| (a.span.start, a.code).cmp(&(b.span.start, b.code)));
            let sizes = size::Sizes {
                settings,
                catalog,
                created: &txn.created,
            };
            let estimate = effects
                .work
                .iter()
                .filter_map(|w| sizes.estimate(&w.rel, w.kind))
                .reduce(f64::max);
            let work_estimates: Vec<WorkEstimate> = effects
                .work
                .iter()
                .map(
                    |w| match (sizes.size(&w.rel), sizes.estimate(&w.rel, w.kind)) {
                        (size::Size::New, _) => WorkEstimate::New,
                        (_, Some(s)) => WorkEstimate::Seconds(s),
                        (_, None) => WorkEstimate::Unknown,
                    },
                )
                .collect();
            let new_locks = effects
                .locks
                .iter()
                .take(64)
                .enumerate()
                .filter(|(_, l)| sizes.is_new(&l.rel))
                .fold(0u64, |bits, (i, _)| bits | 1 << i);
            (f, estimate, work_estimates, new_locks)
        };
        // Then record what the statement leaves behind.
        if !matches!(stmt.parsed, Parsed::Unparsed { .. }) {
            catalog.apply(&stmt);
            record_foreign_keys(&mut self.foreign_keys, &stmt);
        }
        let ends_txn = matches!(stmt.kind, StmtKind::Commit | StmtKind::Rollback);
        if in_transaction && !ends_txn {
            for l in &effects.locks {
                match txn.held.iter_mut().find(|h| h.rel.same(&l.rel)) {
                    Some(h) if l.mode > h.mode => {
                        h.mode = l.mode;
                        h.span = stmt.span.clone();
                    }
                    Some(_) => {}
                    None => txn.held.push(Held {
                        rel: l.rel.clone(),
                        mode: l.mode,
                        span: stmt.span.clone(),
                    }),
                }
            }
            record_created(txn, &stmt);
            for f in &findings {
                if !txn.reported.contains(&f.rule) {
                    txn.reported.push(f.rule);
                }
                if let Some(t) = &f.table {
                    let key = (f.rule, t.clone());
                    if !txn.reported_tables.contains(&key) {
                        txn.reported_tables.push(key);
                    }
                }
            }
        }
        for f in &findings {
            if !txn.reported_in_file.contains(&f.rule) {
                txn.reported_in_file.push(f.rule);
            }
        }
        if ends_txn || !in_transaction {
            let keep_open = ends_txn && reopens;
            txn.held.clear();
            txn.not_valid_added.clear();
            txn.created.clear();
            txn.reported.clear();
            txn.reported_tables.clear();
            session.lock_timeout_local = None;
            session.statement_timeout_local = None;
            session.timezone_utc_local = None;
            if ends_txn {
                txn.in_transaction = keep_open;
                txn.explicit = false;
                txn.tool_transaction = false;
                txn.outer_begin = None;
                txn.explicit_begin = None;
            }
        }
        self.open.push(Analyzed {
            stmt,
            effects,
            in_transaction,
            findings,
            estimate_seconds,
            work_estimates,
            new_locks,
            releases_locks: false,
        });
        if ends_txn || !in_transaction {
            self.close_txn(out);
        }
    }
}

/// A finding whose lock blocks reads or writes and whose own work has an estimate: the lock is
/// held through `later` more seconds of work in the same transaction, so it blocks for that
/// much longer, and the message says so.
fn extend_window(f: &mut Finding, later: f64) {
    let (Some(own), Some(blocks)) = (f.estimate_seconds, f.blocks) else {
        return;
    };
    if !blocks.blocks_traffic() {
        return;
    }
    let window = ((own + later) * 10.0).round() / 10.0;
    f.estimate_seconds = Some(window);
    if let Some(table) = &f.table {
        f.message.push_str(&format!(
            ". With the work after it in this transaction, its lock keeps {} of `{table}` blocked for {} in all, until COMMIT",
            blocks.describe(),
            crate::finding::format_duration(window),
        ));
    }
}

/// The foreign keys a statement adds, with the clauses that add them.
fn record_foreign_keys(out: &mut Vec<AddedForeignKey>, stmt: &Stmt) {
    use crate::model::{AlterAction, ConstraintKind};
    let mut add = |table: &ObjName, columns: Vec<String>, references: &ObjName, span: Span| {
        out.push(AddedForeignKey {
            table: table.clone(),
            columns,
            references: references.clone(),
            span,
            stmt_span: stmt.span.clone(),
        })
    };
    match &stmt.kind {
        StmtKind::CreateTable(ct) if ct.partition_of.is_none() && !ct.temporary => {
            for c in &ct.columns {
                if let Some(r) = &c.references {
                    add(
                        &ct.name,
                        vec![c.name.to_string()],
                        &r.table,
                        stmt.span.clone(),
                    );
                }
            }
            for c in &ct.constraints {
                if let ConstraintKind::ForeignKey {
                    columns,
                    references,
                } = &c.kind
                {
                    add(
                        &ct.name,
                        columns.clone(),
                        &references.table,
                        stmt.span.clone(),
                    );
                }
            }
        }
        StmtKind::AlterTable { table, actions, .. } => {
            for a in actions {
                match &a.action {
                    AlterAction::AddColumn { column, .. } => {
                        if let Some(r) = &column.references {
                            add(
                                table,
                                vec![column.name.to_string()],
                                &r.table,
                                a.span.clone(),
                            );
                        }
                    }
                    AlterAction::AddConstraint(c) => {
                        if let ConstraintKind::ForeignKey {
                            columns,
                            references,
                        } = &c.kind
                        {
                            add(table, columns.clone(), &references.table, a.span.clone());
                        }
                    }
                    _ => {}
                }
            }
        }
        _ => {}
    }
}

fn record_created(txn: &mut TxnView, stmt: &Stmt) {
    match &stmt.kind {
        StmtKind::CreateTable(ct) => txn.created.push(ct.name.clone()),
        StmtKind::AlterTable { table, actions, .. } => {
            for a in actions {
                if let crate::model::AlterAction::AddConstraint(c) = &a.action
                    && c.not_valid
                    && let Some(n) = &c.name
                {
                    txn.not_valid_added.push((table.clone(), n.clone()));
                }
            }
        }
        _ => {}
    }
}

fn apply_set(session: &mut Session, name: &str, value: &str, local: bool, in_txn: bool) {
    let value = value
        .trim()
        .trim_matches('\'')
        .trim_matches('"')
        .to_ascii_lowercase();
    let on = !(value == "0"
        || value == "default"
        || value.is_empty()
        || value.starts_with("0 ")
        || value == "0ms"
        || value == "0s");
    match name {
        "lock_timeout" => {
            if local && in_txn {
                session.lock_timeout_local = Some(on);
            } else if !local {
                session.lock_timeout_session = on;
            }
        }
        "statement_timeout" => {
            if local && in_txn {
                session.statement_timeout_local = Some(on);
            } else if !local {
                session.statement_timeout_session = on;
            }
        }
        "timezone" | "time zone" => {
            let utc = matches!(
                value.as_str(),
                "utc" | "etc/utc" | "gmt" | "etc/gmt" | "z" | "zulu" | "uct" | "+00:00" | "00:00"
            );
            if local && in_txn {
                session.timezone_utc_local = Some(utc);
            } else if !local {
                session.timezone_utc = utc;
            }
        }
        _ => {}
    }
}
