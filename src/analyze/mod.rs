//! Analysis: catalog replay across files, transaction state, effects, and running the rules.

pub mod catalog;
pub mod effects;

use crate::config::Settings;
use crate::finding::Finding;
use crate::model::{Effects, LockMode, ObjName, Parsed, Span, Stmt, StmtKind};
use crate::rules::{self, Context};
use crate::source::SourceFile;
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
    /// Locks held from earlier statements of the same transaction.
    pub held: Vec<Held>,
    /// A non-zero lock_timeout is in force.
    pub lock_timeout: bool,
    /// Constraints added NOT VALID earlier in this transaction: (table, constraint name).
    pub not_valid_added: Vec<(ObjName, String)>,
    /// Relations created earlier in this transaction.
    pub created: Vec<ObjName>,
    /// The session TimeZone is known to be UTC.
    pub timezone_utc: bool,
    /// Rules that already reported in this transaction (for rules that report once per transaction).
    pub reported: Vec<&'static str>,
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
}

/// How a migration tool wraps (a part of) a migration in a transaction on PostgreSQL.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TxnMode {
    /// No transaction: each statement commits on its own unless the SQL opens a block.
    #[default]
    None,
    /// The tool runs the part inside one transaction. A COMMIT in the SQL ends it; what follows
    /// runs without one.
    Single,
    /// The part is sent as one multi-statement query string (golang-migrate, Prisma):
    /// PostgreSQL runs a string of several statements in one implicit transaction (restarted
    /// after a COMMIT), and a lone statement on its own.
    MultiStatement,
    /// Flyway: one transaction, unless every statement is one PostgreSQL refuses to run inside
    /// a transaction block (then none).
    SingleUnlessAllNonTransactional,
}

/// How a file's statements are wrapped in transactions by the tool that runs it.
#[derive(Debug, Clone, Default)]
pub struct FileMode {
    /// The parts the tool runs one after the other (e.g. Liquibase changesets), each as
    /// `(byte offset where it starts, mode)`, in file order. A statement belongs to the last
    /// part starting at or before it. Empty: the whole file with [`TxnMode::None`].
    pub parts: Vec<(usize, TxnMode)>,
}

impl FileMode {
    /// The whole file as one part.
    pub fn whole(txn: TxnMode) -> Self {
        FileMode {
            parts: vec![(0, txn)],
        }
    }

    fn part_of(&self, offset: usize) -> usize {
        self.parts
            .iter()
            .rposition(|(start, _)| *start <= offset)
            .unwrap_or(0)
    }

    fn txn(&self, part: usize) -> TxnMode {
        self.parts.get(part).map(|p| p.1).unwrap_or_default()
    }
}

/// Replays files in order, carrying the catalog from one to the next.
pub struct Analyzer<'s> {
    settings: &'s Settings,
    catalog: Catalog,
}

#[derive(Default)]
struct Session {
    lock_timeout_session: bool,
    lock_timeout_local: Option<bool>,
    timezone_utc: bool,
    timezone_utc_local: Option<bool>,
}

impl<'s> Analyzer<'s> {
    /// A fresh analyzer with an empty catalog.
    pub fn new(settings: &'s Settings) -> Self {
        Analyzer {
            settings,
            catalog: Catalog::default(),
        }
    }

    /// The catalog as replayed so far.
    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    /// Replay a file into the catalog without linting it (earlier migrations).
    pub fn replay(&mut self, stmts: &[Stmt]) {
        self.catalog.begin_migration();
        for s in stmts {
            self.catalog.apply(s);
        }
    }

    /// Analyze statements that never move the schema forward (a down or undo migration): as a
    /// migration of their own run against the schema as it stands, which they leave unchanged.
    pub fn analyze_detached(
        &mut self,
        source: &SourceFile,
        stmts: Vec<Stmt>,
        mode: &FileMode,
    ) -> Vec<Analyzed> {
        let saved = self.catalog.clone();
        let out = self.analyze(source, stmts, mode);
        self.catalog = saved;
        out
    }

    /// Whether the tool wraps each part in a transaction, given the statements it holds.
    fn parts_wrapped(&self, stmts: &[Stmt], parts: &[usize], mode: &FileMode) -> Vec<bool> {
        let count = mode.parts.len().max(1);
        (0..count)
            .map(|i| {
                let mut mine = stmts.iter().zip(parts).filter(|(_, p)| **p == i);
                match mode.txn(i) {
                    TxnMode::None => false,
                    TxnMode::Single => true,
                    TxnMode::MultiStatement => mine.count() > 1,
                    TxnMode::SingleUnlessAllNonTransactional => {
                        let env = Env {
                            postgres_version: self.settings.postgres_version,
                            timezone_utc: false,
                        };
                        let mut any = false;
                        let all = mine.all(|(s, _)| {
                            any = true;
                            effects::effects(s, &self.catalog, env).no_transaction
                        });
                        !(any && all)
                    }
                }
            })
            .collect()
    }

    /// Analyze one migration file: effects, transaction state, rules. Updates the catalog.
    pub fn analyze(
        &mut self,
        source: &SourceFile,
        stmts: Vec<Stmt>,
        mode: &FileMode,
    ) -> Vec<Analyzed> {
        self.catalog.begin_migration();
        let mut out = Vec::with_capacity(stmts.len());
        let mut session = Session::default();
        let parts: Vec<usize> = stmts.iter().map(|s| mode.part_of(s.span.start)).collect();
        let wrapped = self.parts_wrapped(&stmts, &parts, mode);
        let mut txn = TxnView::default();
        let mut part = usize::MAX;
        for (stmt, p) in stmts.into_iter().zip(parts) {
            if p != part {
                // The tool finished the previous part (committing its transaction, if any)
                // and starts this one.
                part = p;
                txn = TxnView {
                    in_transaction: wrapped.get(p).copied().unwrap_or(false),
                    reported_in_file: std::mem::take(&mut txn.reported_in_file),
                    ..TxnView::default()
                };
                session.lock_timeout_local = None;
                session.timezone_utc_local = None;
            }
            // After a COMMIT in a multi-statement string, the next statement opens a new
            // implicit transaction.
            let reopens =
                mode.txn(p) == TxnMode::MultiStatement && wrapped.get(p).copied().unwrap_or(false);
            // Transaction control first: it changes the state the statement itself runs in.
            match &stmt.kind {
                StmtKind::Begin => {
                    txn.in_transaction = true;
                    txn.explicit = true;
                }
                StmtKind::Set { name, value, local } => {
                    apply_set(&mut session, name, value, *local, txn.in_transaction)
                }
                StmtKind::Reset { name } => apply_set(
                    &mut session,
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
            txn.timezone_utc = session.timezone_utc_local.unwrap_or(session.timezone_utc);
            let env = Env {
                postgres_version: self.settings.postgres_version,
                timezone_utc: txn.timezone_utc,
            };
            let effects = effects::effects(&stmt, &self.catalog, env);
            let in_transaction = txn.in_transaction;
            let (findings, estimate_seconds) = {
                let cx = Context {
                    settings: self.settings,
                    catalog: &self.catalog,
                    effects: &effects,
                    txn: &txn,
                    source,
                    level: crate::config::Level::Error,
                };
                let mut f = rules::run_all(&stmt, &cx);
                f.sort_by(|a, b| (a.span.start, a.code).cmp(&(b.span.start, b.code)));
                let estimate = effects
                    .work
                    .iter()
                    .filter_map(|w| cx.estimate(&w.rel, w.kind))
                    .reduce(f64::max);
                (f, estimate)
            };
            // Then record what the statement leaves behind.
            if !matches!(stmt.parsed, Parsed::Unparsed { .. }) {
                self.catalog.apply(&stmt);
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
                record_created(&mut txn, &stmt);
                for f in &findings {
                    if !txn.reported.contains(&f.rule) {
                        txn.reported.push(f.rule);
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
                session.lock_timeout_local = None;
                session.timezone_utc_local = None;
                if ends_txn {
                    txn.in_transaction = keep_open;
                    txn.explicit = false;
                }
            }
            out.push(Analyzed {
                stmt,
                effects,
                in_transaction,
                findings,
                estimate_seconds,
            });
        }
        out
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
    match name {
        "lock_timeout" => {
            let on = !(value == "0"
                || value == "default"
                || value.is_empty()
                || value.starts_with("0 ")
                || value == "0ms"
                || value == "0s");
            if local && in_txn {
                session.lock_timeout_local = Some(on);
            } else if !local {
                session.lock_timeout_session = on;
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
