//! What a statement does to each relation: the lock it holds until commit and the work under it.

use super::{LockMode, ObjName, Span};
use crate::locks::Action;
use serde::Serialize;

/// How a relation came to be touched by an action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Via {
    /// Named by the statement (or its clause) itself.
    Direct,
    /// A partition of a partitioned table the action was applied to.
    Partition,
    /// A relation behind a view the statement reads or locks.
    View,
}

/// Why a lock is taken or work is done: the model row, the clause, how the relation is reached.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Cause {
    /// The lock model's action (its row).
    pub action: Action,
    /// The clause that causes it (the whole statement when it has no clauses).
    pub span: Span,
    /// Which ALTER TABLE action of the statement, counted from 0 (0 for other statements).
    pub clause: u16,
    /// How the relation is reached.
    pub via: Via,
}

/// Kinds of relations that take table-level locks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RelKind {
    /// An ordinary or partitioned table.
    Table,
    /// A view.
    View,
    /// A materialized view.
    MaterializedView,
    /// A sequence.
    Sequence,
}

/// A lock held on a relation until the end of the transaction.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RelLock {
    /// The relation.
    pub rel: ObjName,
    /// What it is.
    pub kind: RelKind,
    /// The strongest mode held on it.
    pub mode: LockMode,
    /// What takes it (in that mode; the first such cause).
    pub cause: Cause,
}

/// Work done while the locks are held.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WorkKind {
    /// Every row is read (e.g. SET NOT NULL, ADD CHECK).
    Scan,
    /// Every row is checked against a constraint (ADD FOREIGN KEY, VALIDATE).
    Validate,
    /// An index is built over every row.
    IndexBuild,
    /// Every row is written (UPDATE/DELETE/INSERT ... SELECT backfills).
    RowUpdates,
    /// The table is copied into new files and every index rebuilt.
    Rewrite,
}

/// One piece of work on one relation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Work {
    /// The relation worked on.
    pub rel: ObjName,
    /// What is done.
    pub kind: WorkKind,
    /// Why: the model row and the clause.
    pub cause: Cause,
}

impl Work {
    /// The clause that causes it.
    pub fn span(&self) -> &Span {
        &self.cause.span
    }
}

/// Push without the usual room for four entries: lists that mostly hold one or two and are kept
/// for every statement of a run (locks, work, a table's constraints).
pub(crate) fn push_small<T>(v: &mut Vec<T>, x: T) {
    if v.len() == v.capacity() && v.len() < 4 {
        v.reserve_exact(1);
    }
    v.push(x);
}

/// Everything locklint knows a statement does.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Effects {
    /// Locks held until commit, one per relation (the strongest).
    pub locks: Vec<RelLock>,
    /// Long work done under those locks.
    pub work: Vec<Work>,
    /// PostgreSQL refuses to run the statement inside a transaction block.
    pub no_transaction: bool,
    /// The target server does not know the statement: the first major version that does.
    pub needs_version: Option<u32>,
}

impl Effects {
    /// Add a lock, keeping only the strongest mode per relation (with the cause that takes it).
    pub fn lock(&mut self, rel: &ObjName, kind: RelKind, mode: LockMode, cause: &Cause) {
        if let Some(l) = self.locks.iter_mut().find(|l| l.rel.same(rel)) {
            if mode > l.mode {
                l.mode = mode;
                l.cause = cause.clone();
            }
            return;
        }
        push_small(
            &mut self.locks,
            RelLock {
                rel: rel.clone(),
                kind,
                mode,
                cause: cause.clone(),
            },
        );
    }

    /// Record work on a relation (once per relation, kind and clause).
    pub fn work(&mut self, rel: &ObjName, kind: WorkKind, cause: &Cause) {
        let dup =
            |w: &Work| w.kind == kind && w.cause.span.start == cause.span.start && w.rel.same(rel);
        if !self.work.iter().any(dup) {
            push_small(
                &mut self.work,
                Work {
                    rel: rel.clone(),
                    kind,
                    cause: cause.clone(),
                },
            );
        }
    }

    /// Work caused by an action, in the order recorded.
    pub(crate) fn work_by(&self, action: Action) -> impl Iterator<Item = &Work> {
        self.work.iter().filter(move |w| w.cause.action == action)
    }

    /// Work on the relations the statement names (not reached through partitions or views).
    pub(crate) fn direct_work(&self) -> impl Iterator<Item = &Work> {
        self.work.iter().filter(|w| w.cause.via == Via::Direct)
    }

    /// Locks taken by an action, in the order recorded.
    pub(crate) fn locks_by(&self, action: Action) -> impl Iterator<Item = &RelLock> {
        self.locks.iter().filter(move |l| l.cause.action == action)
    }

    /// The lock held on a relation, if any.
    pub(crate) fn lock_on(&self, rel: &ObjName) -> Option<LockMode> {
        self.locks.iter().find(|l| l.rel.same(rel)).map(|l| l.mode)
    }

    /// Whether the statement rewrites this relation.
    pub fn rewrites(&self, rel: &ObjName) -> bool {
        self.work
            .iter()
            .any(|w| w.kind == WorkKind::Rewrite && w.rel.same(rel))
    }

    /// Relations rewritten.
    pub fn rewritten(&self) -> Vec<&ObjName> {
        self.work
            .iter()
            .filter(|w| w.kind == WorkKind::Rewrite)
            .map(|w| &w.rel)
            .collect()
    }

    /// Relations read in full (scans, validation, index builds, rewrites and whole-table DML all read every row).
    pub(crate) fn scanned(&self) -> Vec<&ObjName> {
        let mut v: Vec<&ObjName> = Vec::new();
        for w in &self.work {
            if !v.iter().any(|r| r.same(&w.rel)) {
                v.push(&w.rel);
            }
        }
        v
    }
}
