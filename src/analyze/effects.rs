//! The lock model: for each statement, the lock on every relation it touches and the work done
//! under it. Ground truth: ../shared/postgres-locks (observed on PostgreSQL 15 and 16).

use super::catalog::Catalog;
use crate::model::stmt::Volatility;
use crate::model::types::TypeChange;
use crate::model::{
    AlterAction, ColumnDef, ConstraintKind, Effects, LockMode, ObjName, ObjectKind, ReindexTarget,
    RelKind, Span, SqlType, Stmt, StmtKind, WorkKind,
};

/// What the effects depend on besides the statement and the catalog.
#[derive(Debug, Clone, Copy)]
pub struct Env {
    /// Target server major version.
    pub postgres_version: u32,
    /// Whether the session TimeZone is known to be UTC (`SET TimeZone = 'UTC'`).
    pub timezone_utc: bool,
}

use LockMode::*;

/// The relation kind of a name, from the catalog (tables when unknown).
fn kind_of(cat: &Catalog, name: &ObjName) -> RelKind {
    match cat.view(name) {
        Some(v) if v.materialized => RelKind::MaterializedView,
        Some(_) => RelKind::View,
        None if cat.has_sequence(name) => RelKind::Sequence,
        None => RelKind::Table,
    }
}

/// Whether an ADD COLUMN rewrites the table on this server version.
pub fn add_column_rewrites(c: &ColumnDef, version: u32) -> bool {
    if c.serial || c.identity || c.generated_stored {
        return true;
    }
    match &c.default {
        None => false,
        Some(d) if d.is_null => false,
        Some(d) => match d.volatility {
            Volatility::Volatile => true,
            // Before 11 any non-null default rewrote the table.
            _ => version < 11,
        },
    }
}

/// Compute a statement's effects against the catalog as it was before the statement.
pub fn effects(stmt: &Stmt, cat: &Catalog, env: Env) -> Effects {
    let mut e = Effects::default();
    let span = stmt.span.clone();
    match &stmt.kind {
        StmtKind::CreateTable(ct) => {
            for c in &ct.columns {
                if let Some(r) = &c.references
                    && !r.table.same(&ct.name)
                {
                    e.lock(&r.table, RelKind::Table, ShareRowExclusive);
                }
            }
            for c in &ct.constraints {
                if let ConstraintKind::ForeignKey { references, .. } = &c.kind
                    && !references.table.same(&ct.name)
                {
                    e.lock(&references.table, RelKind::Table, ShareRowExclusive);
                }
            }
            if let Some(parent) = &ct.partition_of {
                e.lock(parent, RelKind::Table, AccessExclusive);
                if let Some(def) = cat.default_partition(parent) {
                    e.lock(&def.name, RelKind::Table, AccessExclusive);
                    e.work(&def.name, WorkKind::Scan, span.clone());
                }
            }
            for r in &ct.reads {
                e.lock(r, kind_of(cat, r), AccessShare);
                e.work(r, WorkKind::Scan, span.clone());
            }
        }
        StmtKind::AlterTable { table, actions, .. } => {
            for a in actions {
                alter_action(&mut e, cat, env, table, &a.action, a.span.clone());
            }
        }
        StmtKind::CreateIndex {
            table,
            concurrently,
            ..
        } => {
            e.lock(
                table,
                kind_of(cat, table),
                if *concurrently {
                    ShareUpdateExclusive
                } else {
                    Share
                },
            );
            e.work(table, WorkKind::IndexBuild, span);
            e.no_transaction = *concurrently;
        }
        StmtKind::DropIndex {
            names,
            concurrently,
            ..
        } => {
            for n in names {
                if let Some(i) = cat.index(n) {
                    let t = i.table.clone();
                    e.lock(
                        &t,
                        kind_of(cat, &t),
                        if *concurrently {
                            ShareUpdateExclusive
                        } else {
                            AccessExclusive
                        },
                    );
                }
            }
            e.no_transaction = *concurrently;
        }
        StmtKind::Reindex {
            target,
            name,
            concurrently,
        } => {
            let table = match (target, name) {
                (ReindexTarget::Table, Some(n)) => Some(n.clone()),
                (ReindexTarget::Index, Some(n)) => cat.index(n).map(|i| i.table.clone()),
                _ => None,
            };
            if let Some(t) = table {
                e.lock(
                    &t,
                    kind_of(cat, &t),
                    if *concurrently {
                        ShareUpdateExclusive
                    } else {
                        Share
                    },
                );
                e.work(&t, WorkKind::IndexBuild, span);
            }
            e.no_transaction = *concurrently || *target == ReindexTarget::Other;
        }
        StmtKind::Drop {
            object,
            names,
            cascade,
            ..
        } => {
            for n in names {
                match object {
                    ObjectKind::Table => {
                        e.lock(n, RelKind::Table, AccessExclusive);
                        if let Some(t) = cat.table(n) {
                            for c in &t.constraints {
                                if let ConstraintKind::ForeignKey { references, .. } = &c.kind
                                    && !references.table.same(n)
                                {
                                    e.lock(&references.table, RelKind::Table, AccessExclusive);
                                }
                            }
                        }
                        if *cascade {
                            for child in cat.referencing(n) {
                                e.lock(&child.name, RelKind::Table, AccessExclusive);
                            }
                        }
                    }
                    ObjectKind::View => e.lock(n, RelKind::View, AccessExclusive),
                    ObjectKind::MaterializedView => {
                        e.lock(n, RelKind::MaterializedView, AccessExclusive)
                    }
                    ObjectKind::Sequence => e.lock(n, RelKind::Sequence, AccessExclusive),
                    _ => {}
                }
            }
        }
        StmtKind::Truncate { tables } => {
            for t in tables {
                e.lock(t, RelKind::Table, AccessExclusive);
            }
        }
        StmtKind::LockTable { tables, mode } => {
            for t in tables {
                e.lock(t, kind_of(cat, t), *mode);
            }
        }
        StmtKind::Vacuum { tables, full } => {
            for t in tables {
                e.lock(
                    t,
                    kind_of(cat, t),
                    if *full {
                        AccessExclusive
                    } else {
                        ShareUpdateExclusive
                    },
                );
                e.work(
                    t,
                    if *full {
                        WorkKind::Rewrite
                    } else {
                        WorkKind::Scan
                    },
                    span.clone(),
                );
            }
            e.no_transaction = true;
        }
        StmtKind::Analyze { tables } => {
            for t in tables {
                e.lock(t, kind_of(cat, t), ShareUpdateExclusive);
            }
        }
        StmtKind::Cluster { table } => match table {
            Some(t) => {
                e.lock(t, kind_of(cat, t), AccessExclusive);
                e.work(t, WorkKind::Rewrite, span);
            }
            // CLUSTER without a table reclusters every table and cannot run in a transaction.
            None => e.no_transaction = true,
        },
        StmtKind::RefreshMatView { name, concurrently } => {
            e.lock(
                name,
                RelKind::MaterializedView,
                if *concurrently {
                    Exclusive
                } else {
                    AccessExclusive
                },
            );
            e.work(
                name,
                if *concurrently {
                    WorkKind::Scan
                } else {
                    WorkKind::Rewrite
                },
                span.clone(),
            );
            // The defining query runs again and reads its tables (ACCESS SHARE only).
            if let Some(v) = cat.view(name) {
                for r in &v.reads {
                    e.lock(r, kind_of(cat, r), AccessShare);
                    e.work(r, WorkKind::Scan, span.clone());
                }
            }
        }
        StmtKind::CreateView {
            name,
            or_replace,
            reads,
            materialized,
        } => {
            if *or_replace && cat.view(name).is_some() {
                e.lock(name, kind_of(cat, name), AccessExclusive);
            }
            for r in reads {
                e.lock(r, kind_of(cat, r), AccessShare);
                if *materialized {
                    e.work(r, WorkKind::Scan, span.clone());
                }
            }
        }
        StmtKind::AlterView { name, materialized } => {
            let k = if *materialized {
                RelKind::MaterializedView
            } else {
                RelKind::View
            };
            e.lock(name, k, AccessExclusive);
        }
        StmtKind::Comment { table: Some(t) } => e.lock(t, kind_of(cat, t), ShareUpdateExclusive),
        StmtKind::Update {
            table,
            has_where,
            reads,
        }
        | StmtKind::Delete {
            table,
            has_where,
            reads,
        } => {
            e.lock(table, RelKind::Table, RowExclusive);
            for r in reads {
                e.lock(r, kind_of(cat, r), AccessShare);
            }
            if !has_where {
                e.work(table, WorkKind::RowUpdates, span);
            }
        }
        StmtKind::Insert {
            table,
            select,
            reads,
        } => {
            for r in reads {
                e.lock(r, kind_of(cat, r), AccessShare);
            }
            e.lock(table, RelKind::Table, RowExclusive);
            if *select {
                e.work(table, WorkKind::RowUpdates, span);
            }
        }
        StmtKind::Select { reads } => {
            for r in reads {
                e.lock(r, kind_of(cat, r), AccessShare);
            }
        }
        StmtKind::AlterSequence { name } => e.lock(name, RelKind::Sequence, ShareRowExclusive),
        StmtKind::CreateTrigger { table } => e.lock(table, kind_of(cat, table), ShareRowExclusive),
        StmtKind::DropTrigger { table } | StmtKind::Policy { table } => {
            e.lock(table, kind_of(cat, table), AccessExclusive)
        }
        _ => {}
    }
    // Objects created earlier in the same statement list are still "pre-existing" for PostgreSQL;
    // brand-new relations of this statement are not reported (they are invisible to others).
    if let StmtKind::CreateTable(ct) = &stmt.kind {
        e.locks.retain(|l| !l.rel.same(&ct.name));
    }
    e
}

fn alter_action(
    e: &mut Effects,
    cat: &Catalog,
    env: Env,
    table: &ObjName,
    action: &AlterAction,
    span: Span,
) {
    let kind = kind_of(cat, table);
    let info = cat.table(table);
    match action {
        AlterAction::AddColumn { column, .. } => {
            e.lock(table, kind, AccessExclusive);
            if add_column_rewrites(column, env.postgres_version) {
                e.work(table, WorkKind::Rewrite, span.clone());
            }
            if let Some(r) = &column.references {
                e.lock(&r.table, RelKind::Table, ShareRowExclusive);
                // With a non-null default every existing row is checked against the parent.
                if column.default.as_ref().map(|d| !d.is_null).unwrap_or(false) {
                    e.work(table, WorkKind::Validate, span.clone());
                }
            }
            if column.primary_key || column.unique {
                e.work(table, WorkKind::IndexBuild, span.clone());
            }
            if column.check.is_some()
                && column.default.as_ref().map(|d| !d.is_null).unwrap_or(false)
            {
                e.work(table, WorkKind::Scan, span);
            }
        }
        AlterAction::AlterColumnType { column, ty, using } => {
            e.lock(table, kind, AccessExclusive);
            // Unknown current type: assume the expensive case.
            let change = column_type_change(cat, env, table, column, ty, using.is_some())
                .unwrap_or(TypeChange::Rewrite);
            match change {
                TypeChange::Metadata => {}
                TypeChange::Scan => e.work(table, WorkKind::Scan, span),
                TypeChange::Rewrite => e.work(table, WorkKind::Rewrite, span),
            }
        }
        AlterAction::SetNotNull { column } => {
            e.lock(table, kind, AccessExclusive);
            if !has_valid_not_null_check(cat, table, column, env.postgres_version) {
                e.work(table, WorkKind::Scan, span);
            }
        }
        AlterAction::AddConstraint(c) => match &c.kind {
            ConstraintKind::ForeignKey { references, .. } => {
                e.lock(table, kind, ShareRowExclusive);
                e.lock(&references.table, RelKind::Table, ShareRowExclusive);
                if !c.not_valid {
                    e.work(table, WorkKind::Validate, span);
                }
            }
            ConstraintKind::Check { .. } => {
                e.lock(table, kind, AccessExclusive);
                if !c.not_valid {
                    e.work(table, WorkKind::Scan, span);
                }
            }
            ConstraintKind::PrimaryKey {
                columns,
                using_index,
            } => {
                e.lock(table, kind, AccessExclusive);
                match using_index {
                    None => e.work(table, WorkKind::IndexBuild, span),
                    Some(idx) => {
                        // PRIMARY KEY USING INDEX on a nullable column scans to set NOT NULL.
                        let cols = cat
                            .index(&ObjName {
                                schema: table.schema.clone(),
                                name: idx.clone(),
                            })
                            .map(|i| i.columns.clone())
                            .unwrap_or_else(|| columns.clone());
                        let nullable = match info {
                            // A placeholder (columns unknown) is as unknown as no table.
                            Some(t) if !t.columns.is_empty() => cols
                                .iter()
                                .any(|c| t.column(c).map(|c| !c.not_null).unwrap_or(true)),
                            _ => false,
                        };
                        if nullable {
                            e.work(table, WorkKind::Scan, span);
                        }
                    }
                }
            }
            ConstraintKind::Unique { using_index, .. } => {
                e.lock(table, kind, AccessExclusive);
                if using_index.is_none() {
                    e.work(table, WorkKind::IndexBuild, span);
                }
            }
            ConstraintKind::Exclude => {
                e.lock(table, kind, AccessExclusive);
                e.work(table, WorkKind::IndexBuild, span);
            }
        },
        AlterAction::ValidateConstraint { name } => {
            e.lock(table, kind, ShareUpdateExclusive);
            e.work(table, WorkKind::Validate, span);
            if let Some(c) = info.and_then(|t| t.constraint(name))
                && let ConstraintKind::ForeignKey { references, .. } = &c.kind
            {
                e.lock(&references.table, RelKind::Table, RowShare);
            }
        }
        AlterAction::DropConstraint { name, .. } => {
            e.lock(table, kind, AccessExclusive);
            if let Some(c) = info.and_then(|t| t.constraint(name))
                && let ConstraintKind::ForeignKey { references, .. } = &c.kind
                && !references.table.same(table)
            {
                e.lock(&references.table, RelKind::Table, AccessExclusive);
            }
        }
        AlterAction::SetLogged { .. }
        | AlterAction::SetTablespace
        | AlterAction::SetAccessMethod => {
            e.lock(table, kind, AccessExclusive);
            e.work(table, WorkKind::Rewrite, span);
        }
        AlterAction::SetStatistics { .. }
        | AlterAction::SetStorageParams
        | AlterAction::ClusterOn => e.lock(table, kind, ShareUpdateExclusive),
        AlterAction::Trigger => e.lock(table, kind, ShareRowExclusive),
        AlterAction::AttachPartition { partition, default } => {
            // PostgreSQL 12 lowered the partitioned table's lock from ACCESS EXCLUSIVE.
            let parent_mode = if env.postgres_version < 12 {
                AccessExclusive
            } else {
                ShareUpdateExclusive
            };
            e.lock(table, kind, parent_mode);
            e.lock(partition, RelKind::Table, AccessExclusive);
            // A validated CHECK is taken as proving the bound (locklint does not compare them).
            let has_check = |rel: &ObjName| {
                cat.table(rel)
                    .map(|p| {
                        p.constraints
                            .iter()
                            .any(|c| c.validated && matches!(c.kind, ConstraintKind::Check { .. }))
                    })
                    .unwrap_or(false)
            };
            if !has_check(partition) && !cat.is_new(partition) {
                e.work(partition, WorkKind::Scan, span.clone());
            }
            if !default && let Some(def) = cat.default_partition(table) {
                e.lock(&def.name, RelKind::Table, AccessExclusive);
                // Skipped when the DEFAULT partition's own CHECK excludes the new range.
                if !has_check(&def.name) {
                    e.work(&def.name, WorkKind::Scan, span);
                }
            }
        }
        AlterAction::DetachPartition {
            partition,
            concurrently,
        } => {
            e.lock(
                table,
                kind,
                if *concurrently {
                    ShareUpdateExclusive
                } else {
                    AccessExclusive
                },
            );
            e.lock(partition, RelKind::Table, AccessExclusive);
            e.no_transaction |= *concurrently;
        }
        _ => e.lock(table, kind, AccessExclusive),
    }
}

/// How `ALTER COLUMN column TYPE ty [USING ...]` is executed, judged against the column's current
/// type in the catalog; `None` when that type is unknown. USING always rewrites. The UTC special
/// case for timestamp → timestamptz exists from PostgreSQL 12.
pub fn column_type_change(
    cat: &Catalog,
    env: Env,
    table: &ObjName,
    column: &str,
    ty: &SqlType,
    using: bool,
) -> Option<TypeChange> {
    if using {
        return Some(TypeChange::Rewrite);
    }
    let old = &cat.table(table)?.column(column)?.ty;
    Some(old.change_to(ty, env.timezone_utc && env.postgres_version >= 12))
}

/// SET NOT NULL skips its scan when a validated `CHECK (col IS NOT NULL)` exists (PostgreSQL 12+).
pub fn has_valid_not_null_check(
    cat: &Catalog,
    table: &ObjName,
    column: &str,
    version: u32,
) -> bool {
    version >= 12
        && cat
            .table(table)
            .map(|t| {
                t.constraints.iter().any(|c| {
                    c.validated
                        && matches!(&c.kind, ConstraintKind::Check { not_null_of: Some(col), .. } if col == column)
                })
            })
            .unwrap_or(false)
}
