//! The lock model: for each statement, the lock on every relation it touches and the work done
//! under it. Ground truth: ../shared/postgres-locks (observed on PostgreSQL 15 and 16).

use super::catalog::Catalog;
use crate::locks::{Action, Partitions, Row, postgres};
use crate::model::stmt::Volatility;
use crate::model::types::TypeChange;
use crate::model::{
    AlterAction, Cause, ClusterCommand, ColumnDef, ConstraintKind, DomainChange, Effects, LockMode,
    ObjName, ObjectKind, ReindexTarget, RelKind, Span, SqlType, Stmt, StmtKind, Via,
};

/// What the effects depend on besides the statement and the catalog.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Env {
    /// Target server major version.
    pub postgres_version: u32,
    /// Whether the session TimeZone is known to be UTC (`SET TimeZone = 'UTC'`).
    pub timezone_utc: bool,
}

/// The relation kind of a name, from the catalog (tables when unknown).
fn kind_of(cat: &Catalog, name: &ObjName) -> RelKind {
    match cat.view(name) {
        Some(v) if v.materialized => RelKind::MaterializedView,
        Some(_) => RelKind::View,
        None if cat.has_sequence(name) => RelKind::Sequence,
        None => RelKind::Table,
    }
}

/// How deep views on views are expanded.
const MAX_VIEW_DEPTH: usize = 16;

/// Applies the model's rows to the relations of one statement.
struct Builder<'c> {
    e: Effects,
    cat: &'c Catalog,
    version: u32,
    /// ALTER TABLE ONLY: actions are not recursed to partitions.
    only: bool,
}

impl Builder<'_> {
    fn row(&self, action: Action) -> &'static Row {
        postgres::MODEL.row(action, self.version)
    }

    /// A statement-level property of an action that names no relation (no transaction block).
    fn flag(&mut self, action: Action) {
        let row = self.row(action);
        self.e.no_transaction |= row.no_transaction;
        self.refused(row);
    }

    /// A row of versions that do not know the statement: note the version that does.
    fn refused(&mut self, row: &Row) {
        if let Some(v) = row.needs_version() {
            self.e.needs_version = Some(self.e.needs_version.map_or(v, |n| n.max(v)));
        }
    }

    /// Apply an action to a relation the statement names: the row's lock and work, and the
    /// same (or the row's partition lock) on each partition.
    fn apply(&mut self, action: Action, rel: &ObjName, span: &Span, clause: u16) {
        self.apply_as(action, rel, span, clause, None);
    }

    fn apply_as(
        &mut self,
        action: Action,
        rel: &ObjName,
        span: &Span,
        clause: u16,
        written: Option<LockMode>,
    ) {
        let row = self.row(action);
        let cause = Cause {
            action,
            span: span.clone(),
            clause,
            via: Via::Direct,
        };
        self.e.no_transaction |= row.no_transaction;
        self.refused(row);
        let Some(mode) = row.lock(written) else {
            return;
        };
        self.e.lock(rel, kind_of(self.cat, rel), mode, &cause);
        if let Some(w) = row.work {
            self.e.work(rel, w, &cause);
        }
        let part_mode = match row.partitions {
            _ if self.only => return,
            Partitions::No => return,
            Partitions::Same | Partitions::LockOnly => mode,
            Partitions::Lock(m) => m,
        };
        let partitions = self.cat.partitions(rel);
        if partitions.is_empty() {
            return;
        }
        let cause = Cause {
            via: Via::Partition,
            ..cause
        };
        for p in &partitions {
            self.e.lock(p, RelKind::Table, part_mode, &cause);
            if let Some(w) = row.work
                && row.partitions != Partitions::LockOnly
            {
                self.e.work(p, w, &cause);
            }
        }
    }

    /// Lock the relations a query reads, the way the executor does: each named relation, the
    /// base relations of each (non-materialized) view (the rewriter expands views for queries
    /// that run), and every partition of a partitioned table (the planner locks them all;
    /// pruning can skip some, so for a filtered query this is an upper bound). The row's work
    /// (a scan for queries that read every row) is recorded on tables and materialized views.
    fn reads(&mut self, action: Action, reads: &[ObjName], span: &Span, written: Option<LockMode>) {
        let row = self.row(action);
        let Some(mode) = row.lock(written) else {
            return;
        };
        let mut todo: Vec<(ObjName, usize)> = reads.iter().map(|r| (r.clone(), 0)).collect();
        while let Some((r, depth)) = todo.pop() {
            let cause = Cause {
                action,
                span: span.clone(),
                clause: 0,
                via: if depth == 0 { Via::Direct } else { Via::View },
            };
            self.e.lock(&r, kind_of(self.cat, &r), mode, &cause);
            if let Some(v) = self.cat.view(&r) {
                if !v.materialized && depth < MAX_VIEW_DEPTH {
                    todo.extend(v.reads.iter().map(|b| (b.clone(), depth + 1)));
                }
                if v.materialized
                    && let Some(w) = row.work
                {
                    self.e.work(&r, w, &cause);
                }
                continue;
            }
            if let Some(w) = row.work {
                self.e.work(&r, w, &cause);
            }
            let cause = Cause {
                via: Via::Partition,
                ..cause
            };
            for p in self.cat.partitions(&r) {
                self.e.lock(&p, RelKind::Table, mode, &cause);
                if let Some(w) = row.work {
                    self.e.work(&p, w, &cause);
                }
            }
        }
    }
}

/// Tables whose foreign keys involve `columns` of `table`: the referenced tables of its own
/// foreign keys on those columns, and the tables whose foreign keys reference those columns.
/// Changing or dropping such a column rebuilds or drops the constraint, which takes ACCESS
/// EXCLUSIVE on the other table (observed: ALTER COLUMN TYPE and DROP COLUMN on either side).
fn fk_partners(cat: &Catalog, table: &ObjName, column: &str) -> Vec<ObjName> {
    let mut out: Vec<ObjName> = Vec::new();
    if let Some(t) = cat.table(table) {
        for c in &t.constraints {
            if let ConstraintKind::ForeignKey {
                columns,
                references,
            } = &c.kind
                && columns.iter().any(|c| c == column)
                && !references.table.same(table)
            {
                out.push(references.table.clone());
            }
        }
    }
    let pk = cat.primary_key(table);
    for child in cat.referencing(table) {
        let hits = child.constraints.iter().any(|c| match &c.kind {
            ConstraintKind::ForeignKey { references, .. } if references.table.same(table) => {
                if references.columns.is_empty() {
                    pk.is_none_or(|pk| pk.iter().any(|c| c == column))
                } else {
                    references.columns.iter().any(|c| c == column)
                }
            }
            _ => false,
        });
        if hits && !out.iter().any(|o| o.same(&child.name)) {
            out.push(child.name.clone());
        }
    }
    out
}

/// Tables whose foreign keys depend on the unique constraint or primary key `columns` of
/// `parent` (dropping it needs CASCADE, which drops those foreign keys).
fn fks_on_key(cat: &Catalog, parent: &ObjName, columns: &[String]) -> Vec<ObjName> {
    let pk = cat.primary_key(parent);
    let same_set =
        |a: &[String], b: &[String]| a.len() == b.len() && a.iter().all(|x| b.contains(x));
    cat.referencing(parent)
        .into_iter()
        .filter(|child| {
            child.constraints.iter().any(|c| match &c.kind {
                ConstraintKind::ForeignKey { references, .. } if references.table.same(parent) => {
                    if references.columns.is_empty() {
                        pk.is_none_or(|pk| same_set(pk, columns))
                    } else {
                        same_set(&references.columns, columns)
                    }
                }
                _ => false,
            })
        })
        .map(|t| t.name.clone())
        .collect()
}

/// Whether `USING expr` is just the column, or the column cast to the new type: PostgreSQL then
/// decides exactly as without USING (observed: `USING v10::varchar(20)` does not rewrite).
pub(crate) fn using_is_plain_cast(using: &str, column: &str, ty: &SqlType) -> bool {
    let mut u = using.trim();
    while let Some(inner) = u.strip_prefix('(').and_then(|x| x.strip_suffix(')')) {
        u = inner.trim();
    }
    let is_col = |x: &str| {
        let x = x.trim();
        x == column
            || x.eq_ignore_ascii_case(column) && !x.starts_with('"')
            || x.strip_prefix('"').and_then(|x| x.strip_suffix('"')) == Some(column)
    };
    if is_col(u) {
        return true;
    }
    let same_type = |t: &str| {
        let t = SqlType::parse(t);
        t.name == ty.name && t.mods == ty.mods && t.array == ty.array
    };
    if let Some((col, t)) = u.split_once("::") {
        return is_col(col) && !t.contains("::") && same_type(t);
    }
    let upper = u.to_ascii_uppercase();
    if upper.starts_with("CAST") && u.ends_with(')') {
        let inner = u[4..u.len() - 1].trim_start();
        if let Some(inner) = inner.strip_prefix('(')
            && let Some(i) = inner.to_ascii_uppercase().find(" AS ")
        {
            return is_col(&inner[..i]) && same_type(&inner[i + 4..]);
        }
    }
    false
}

/// Whether an ALTER COLUMN TYPE's USING clause forces a rewrite by itself (anything but a plain
/// cast of the column to the new type).
pub(crate) fn using_rewrites(using: Option<&str>, column: &str, ty: &SqlType) -> bool {
    using.is_some_and(|u| !using_is_plain_cast(u, column, ty))
}

/// Compute a statement's effects against the catalog as it was before the statement: decide
/// which model action applies to which relation, and apply the model's row for it.
pub(crate) fn effects(stmt: &Stmt, cat: &Catalog, env: Env) -> Effects {
    let mut b = Builder {
        e: Effects::default(),
        cat,
        version: env.postgres_version,
        only: false,
    };
    let span = &stmt.span;
    match &stmt.kind {
        StmtKind::CreateTable(ct) => {
            if ct.columns.iter().any(|c| c.generated_virtual) {
                b.flag(Action::AddColumnVirtual);
            }
            for c in &ct.columns {
                if let Some(r) = &c.references
                    && !r.table.same(&ct.name)
                {
                    b.apply(Action::CreateTableReferenced, &r.table, span, 0);
                }
            }
            for c in &ct.constraints {
                if let ConstraintKind::ForeignKey { references, .. } = &c.kind
                    && !references.table.same(&ct.name)
                {
                    b.apply(Action::CreateTableReferenced, &references.table, span, 0);
                }
            }
            if let Some(parent) = &ct.partition_of {
                b.apply(Action::CreatePartitionParent, parent, span, 0);
                if let Some(def) = cat.default_partition(parent) {
                    b.apply(Action::CreatePartitionDefault, &def.name, span, 0);
                }
            }
            b.reads(Action::ReadAll, &ct.reads, span, None);
        }
        StmtKind::AlterTable {
            table,
            actions,
            only,
            ..
        } => {
            b.only = *only;
            for (i, a) in actions.iter().enumerate() {
                let clause = u16::try_from(i).unwrap_or(u16::MAX);
                alter_action(&mut b, env, table, &a.action, &a.span, clause);
            }
        }
        StmtKind::CreateIndex {
            table,
            concurrently,
            only,
            ..
        } => {
            // ON ONLY a partitioned table creates the parent's index alone, reading no row. ON
            // ONLY is written for partitioned tables: a table the catalog does not know is taken
            // as one.
            let partitioned = cat.table(table).is_none() || !cat.partitions(table).is_empty();
            let action = if *only && partitioned {
                Action::CreateIndexOnOnly
            } else if *concurrently {
                Action::CreateIndexConcurrently
            } else {
                Action::CreateIndex
            };
            b.apply(action, table, span, 0);
            b.flag(action);
        }
        StmtKind::DropIndex {
            names,
            concurrently,
            ..
        } => {
            let action = if *concurrently {
                Action::DropIndexConcurrently
            } else {
                Action::DropIndex
            };
            for n in names {
                if let Some(i) = cat.index(n) {
                    let t = i.table.clone();
                    b.apply(action, &t, span, 0);
                }
            }
            b.flag(action);
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
            let action = if *concurrently {
                Action::ReindexConcurrently
            } else {
                Action::Reindex
            };
            if let Some(t) = table {
                b.apply(action, &t, span, 0);
            }
            if *concurrently {
                b.flag(action);
            }
            if target.is_many() {
                // REINDEX SCHEMA s / DATABASE: every table the catalog knows there, one at a
                // time, each in its own transaction; SYSTEM: the catalogs only.
                let tables = match target {
                    ReindexTarget::Schema => cat.tables_in(Some(
                        name.as_ref().map(|n| n.name.as_str()).unwrap_or("public"),
                    )),
                    ReindexTarget::Database => cat.tables_in(None),
                    _ => Vec::new(),
                };
                let action = match target {
                    ReindexTarget::System => Action::ReindexSystem,
                    _ if *concurrently => Action::ReindexManyConcurrently,
                    _ => Action::ReindexMany,
                };
                for t in &tables {
                    b.apply(action, t, span, 0);
                }
                b.flag(action);
            }
        }
        StmtKind::AlterDomain { name, change } => {
            let action = match change {
                DomainChange::AddCheck { not_valid: false } => Action::AlterDomainAddCheck,
                DomainChange::AddCheck { not_valid: true } => Action::AlterDomainAddCheckNotValid,
                DomainChange::Validate => Action::AlterDomainValidate,
                DomainChange::SetNotNull => Action::AlterDomainSetNotNull,
                DomainChange::Other => return b.e,
            };
            for t in cat.tables_with_type(name) {
                b.apply(action, &t, span, 0);
            }
        }
        StmtKind::ClusterWide(cmd) => b.flag(match cmd {
            ClusterCommand::CreateDatabase => Action::CreateDatabase,
            ClusterCommand::DropDatabase => Action::DropDatabase,
            ClusterCommand::CreateTablespace => Action::CreateTablespace,
            ClusterCommand::DropTablespace => Action::DropTablespace,
            ClusterCommand::AlterSystem => Action::AlterSystem,
        }),
        StmtKind::Drop {
            object,
            names,
            cascade,
            ..
        } => {
            for n in names {
                match object {
                    ObjectKind::Table => {
                        b.apply(Action::DropTable, n, span, 0);
                        if let Some(t) = cat.table(n) {
                            for c in &t.constraints {
                                if let ConstraintKind::ForeignKey { references, .. } = &c.kind
                                    && !references.table.same(n)
                                {
                                    b.apply(
                                        Action::DropTableReferenced,
                                        &references.table,
                                        span,
                                        0,
                                    );
                                }
                            }
                        }
                        if *cascade {
                            for child in cat.referencing(n) {
                                b.apply(Action::DropCascadeReferencing, &child.name, span, 0);
                            }
                        }
                    }
                    ObjectKind::View | ObjectKind::MaterializedView => {
                        b.apply(Action::DropView, n, span, 0)
                    }
                    ObjectKind::Sequence => b.apply(Action::DropSequence, n, span, 0),
                    _ => {}
                }
                // CASCADE drops the views and materialized views built on what is dropped.
                if *cascade
                    && matches!(
                        object,
                        ObjectKind::Table | ObjectKind::View | ObjectKind::MaterializedView
                    )
                {
                    for v in cat.dependent_views(n) {
                        b.apply(Action::DropCascadeView, &v, span, 0);
                    }
                }
            }
        }
        StmtKind::Truncate { tables } => {
            for t in tables {
                b.apply(Action::Truncate, t, span, 0);
                // A referenced table can only be truncated together with the tables referencing
                // it (listed, or by CASCADE): either way they are locked too.
                for child in cat.referencing(t) {
                    b.apply(Action::TruncateReferencing, &child.name, span, 0);
                }
            }
        }
        // LOCK TABLE recurses into partitions and, for a view, into the relations it reads.
        StmtKind::LockTable { tables, mode } => {
            b.reads(Action::LockTable, tables, span, Some(*mode))
        }
        StmtKind::Vacuum { tables, full } => {
            let action = if *full {
                Action::VacuumFull
            } else {
                Action::Vacuum
            };
            for t in tables {
                b.apply(action, t, span, 0);
            }
            b.flag(action);
        }
        StmtKind::Analyze { tables } => {
            for t in tables {
                b.apply(Action::Analyze, t, span, 0);
            }
        }
        StmtKind::Cluster { table } => match table {
            Some(t) => b.apply(Action::Cluster, t, span, 0),
            None => b.flag(Action::ClusterAll),
        },
        StmtKind::RefreshMatView { name, concurrently } => {
            let action = if *concurrently {
                Action::RefreshMatViewConcurrently
            } else {
                Action::RefreshMatView
            };
            b.apply(action, name, span, 0);
            // The defining query runs again and reads its tables (ACCESS SHARE only).
            if let Some(v) = cat.view(name) {
                b.reads(Action::ReadAll, &v.reads, span, None);
            }
        }
        StmtKind::CreateView {
            name,
            or_replace,
            reads,
            materialized,
        } => {
            if *or_replace && cat.view(name).is_some() {
                b.apply(Action::ReplaceView, name, span, 0);
            }
            if *materialized {
                // The query runs: views are expanded and every row is read.
                b.reads(Action::ReadAll, reads, span, None);
            } else {
                // A plain view's query is only parsed: the relations it names are locked, not
                // what is behind them.
                for r in reads {
                    b.apply(Action::ViewDefinition, r, span, 0);
                }
            }
        }
        StmtKind::AlterView { name, .. } => b.apply(Action::AlterView, name, span, 0),
        StmtKind::Comment { table: Some(t) } => b.apply(Action::Comment, t, span, 0),
        StmtKind::Update {
            table,
            has_where,
            narrowed,
            pinned,
            reads,
        }
        | StmtKind::Delete {
            table,
            has_where,
            narrowed,
            pinned,
            reads,
        } => {
            // Pinning a column narrows the rows written only through an index or key on it
            // (or when the table's columns are unknown: it was not replayed).
            let indexed = pinned.is_empty()
                || cat.table(table).is_none_or(|t| t.partial)
                || pinned
                    .iter()
                    .any(|c| cat.has_index_leading(table, std::slice::from_ref(c)));
            let action = match (*has_where, *narrowed && indexed) {
                (false, _) => Action::WriteAll,
                (true, true) => Action::WriteSome,
                // `WHERE new_col IS NULL`, `WHERE flag <> 'x'`: no proof it touches few rows.
                (true, false) => Action::WriteUnbounded,
            };
            b.apply(action, table, span, 0);
            b.reads(Action::Read, reads, span, None);
        }
        StmtKind::Insert {
            table,
            select,
            reads,
        } => {
            b.reads(Action::Read, reads, span, None);
            let action = if *select {
                Action::InsertSelect
            } else {
                Action::Insert
            };
            b.apply(action, table, span, 0);
        }
        StmtKind::Select { reads, full } => {
            let action = if *full {
                Action::SelectAll
            } else {
                Action::Read
            };
            b.reads(action, reads, span, None)
        }
        StmtKind::AlterSequence { name } => b.apply(Action::AlterSequence, name, span, 0),
        StmtKind::Grant { tables } => {
            for t in tables {
                b.apply(Action::Grant, t, span, 0);
            }
        }
        StmtKind::CreateTrigger { table } => b.apply(Action::CreateTrigger, table, span, 0),
        StmtKind::DropTrigger { table } => b.apply(Action::DropTrigger, table, span, 0),
        StmtKind::Policy { table } => b.apply(Action::Policy, table, span, 0),
        _ => {}
    }
    let mut e = b.e;
    // Brand-new relations of this statement are not reported (they are invisible to others).
    if let StmtKind::CreateTable(ct) = &stmt.kind {
        e.locks.retain(|l| !l.rel.same(&ct.name));
    }
    e
}

/// The model action of ADD COLUMN's default, if it has one that matters.
fn add_column_default_action(c: &ColumnDef) -> Option<Action> {
    if c.serial || c.identity || c.generated_stored {
        return Some(Action::AddColumnGenerated);
    }
    match &c.default {
        Some(d) if !d.is_null => Some(match d.volatility {
            Volatility::Volatile => Action::AddColumnVolatileDefault,
            _ => Action::AddColumnDefault,
        }),
        _ => None,
    }
}

fn alter_action(
    b: &mut Builder,
    env: Env,
    table: &ObjName,
    action: &AlterAction,
    span: &Span,
    clause: u16,
) {
    let cat = b.cat;
    let info = cat.table(table);
    match action {
        AlterAction::AddColumn { column, .. } if column.generated_virtual => {
            b.apply(Action::AddColumnVirtual, table, span, clause);
        }
        AlterAction::AddColumn { column, .. } => {
            b.apply(Action::AddColumn, table, span, clause);
            if let Some(a) = add_column_default_action(column) {
                b.apply(a, table, span, clause);
            }
            let non_null_default = column.default.as_ref().is_some_and(|d| !d.is_null);
            if let Some(r) = &column.references {
                b.apply(Action::AddColumnReferenced, &r.table, span, clause);
                // With a non-null default every existing row is checked against the parent.
                if non_null_default {
                    b.apply(Action::AddColumnReferencesValidated, table, span, clause);
                }
            }
            if column.primary_key || column.unique {
                b.apply(Action::AddColumnKey, table, span, clause);
            }
            // The CHECK is evaluated for every existing row, NULL or not (observed: a full scan
            // with no default too).
            if column.check.is_some() {
                b.apply(Action::AddColumnCheck, table, span, clause);
            }
        }
        AlterAction::AlterColumnType { column, ty, using } => {
            let using = using_rewrites(using.as_deref(), column, ty);
            let a = match column_type_change(cat, env, table, column, ty, using) {
                _ if using => Action::AlterColumnTypeUsing,
                Some(TypeChange::Metadata) => Action::AlterColumnTypeMetadata,
                Some(TypeChange::Scan) => Action::AlterColumnTypeScan,
                Some(TypeChange::Rewrite) => Action::AlterColumnTypeRewrite,
                // Unknown current type: assume the expensive case.
                None => Action::AlterColumnTypeUnknown,
            };
            b.apply(a, table, span, clause);
            // A foreign key on the column, or referencing it, is rebuilt.
            for other in fk_partners(cat, table, column) {
                b.apply(Action::ForeignKeyPartner, &other, span, clause);
            }
        }
        AlterAction::SetNotNull { column } => {
            let already = info
                .and_then(|t| t.column(column))
                .is_some_and(|c| c.not_null);
            let a = if already {
                Action::SetNotNullNoop
            } else if info.is_some_and(|t| t.has_validated_not_null_check(column)) {
                Action::SetNotNullCheckProven
            } else {
                Action::SetNotNullScan
            };
            b.apply(a, table, span, clause);
        }
        AlterAction::AddConstraint(c) => match &c.kind {
            ConstraintKind::ForeignKey { references, .. } => {
                let a = if c.not_valid {
                    Action::AddForeignKeyNotValid
                } else {
                    Action::AddForeignKey
                };
                b.apply(a, table, span, clause);
                b.apply(
                    Action::ForeignKeyReferenced,
                    &references.table,
                    span,
                    clause,
                );
            }
            ConstraintKind::Check {
                not_null_constraint,
                ..
            } => {
                let a = match (*not_null_constraint, c.not_valid) {
                    (false, true) => Action::AddCheckNotValid,
                    (false, false) => Action::AddCheck,
                    (true, true) => Action::AddNotNullNotValid,
                    (true, false) => Action::AddNotNull,
                };
                b.apply(a, table, span, clause);
            }
            ConstraintKind::PrimaryKey {
                columns,
                using_index,
            } => {
                let a = match using_index {
                    None => Action::AddPrimaryKey,
                    // PRIMARY KEY USING INDEX on a nullable column scans to set NOT NULL.
                    Some(idx) if !pk_using_index_nullable(cat, table, idx, columns).is_empty() => {
                        Action::AddPrimaryKeyUsingIndexNullable
                    }
                    Some(_) => Action::AddPrimaryKeyUsingIndex,
                };
                b.apply(a, table, span, clause);
            }
            ConstraintKind::Unique { using_index, .. } => {
                let a = if using_index.is_none() {
                    Action::AddUnique
                } else {
                    Action::AddUniqueUsingIndex
                };
                b.apply(a, table, span, clause);
            }
            ConstraintKind::Exclude => b.apply(Action::AddExclude, table, span, clause),
        },
        AlterAction::ValidateConstraint { name } => {
            b.apply(Action::ValidateConstraint, table, span, clause);
            if let Some(c) = info.and_then(|t| t.constraint(name))
                && let ConstraintKind::ForeignKey { references, .. } = &c.kind
            {
                b.apply(
                    Action::ValidateForeignKeyReferenced,
                    &references.table,
                    span,
                    clause,
                );
            }
        }
        AlterAction::DropConstraint { name, .. } => {
            b.apply(Action::DropConstraint, table, span, clause);
            match info.and_then(|t| t.constraint(name)).map(|c| &c.kind) {
                Some(ConstraintKind::ForeignKey { references, .. })
                    if !references.table.same(table) =>
                {
                    b.apply(
                        Action::DropForeignKeyReferenced,
                        &references.table,
                        span,
                        clause,
                    );
                }
                // A key that foreign keys depend on can only go with CASCADE, which drops them.
                Some(
                    ConstraintKind::PrimaryKey { columns, .. }
                    | ConstraintKind::Unique { columns, .. },
                ) => {
                    for child in fks_on_key(cat, table, columns) {
                        b.apply(Action::DropKeyCascade, &child, span, clause);
                    }
                }
                _ => {}
            }
        }
        AlterAction::DropColumn { name, .. } => {
            b.apply(Action::DropColumn, table, span, clause);
            // A foreign key on the column, or (with CASCADE) referencing it, is dropped.
            for column in name.split(", ") {
                for other in fk_partners(cat, table, column) {
                    b.apply(Action::ForeignKeyPartner, &other, span, clause);
                }
            }
        }
        AlterAction::SetLogged { .. } => b.apply(Action::SetLogged, table, span, clause),
        AlterAction::SetTablespace => b.apply(Action::SetTablespace, table, span, clause),
        AlterAction::SetAccessMethod => b.apply(Action::SetAccessMethod, table, span, clause),
        AlterAction::SetStatistics { .. } => b.apply(Action::SetStatistics, table, span, clause),
        AlterAction::SetStorageParams | AlterAction::ClusterOn => {
            b.apply(Action::SetStorageParams, table, span, clause)
        }
        AlterAction::Trigger => b.apply(Action::AlterTrigger, table, span, clause),
        AlterAction::AttachPartition { partition, default } => {
            b.apply(Action::AttachPartitionParent, table, span, clause);
            // A validated CHECK is taken as proving the bound (locklint does not compare them).
            let has_check = |rel: &ObjName| {
                cat.table(rel).is_some_and(|p| {
                    p.constraints
                        .iter()
                        .any(|c| c.validated && matches!(c.kind, ConstraintKind::Check { .. }))
                })
            };
            let a = if !has_check(partition) && !cat.is_new(partition) {
                Action::AttachPartitionScan
            } else {
                Action::AttachPartitionProven
            };
            b.apply(a, partition, span, clause);
            if !default && let Some(def) = cat.default_partition(table) {
                // Skipped when the DEFAULT partition's own CHECK excludes the new range.
                let a = if has_check(&def.name) {
                    Action::AttachDefaultPartitionProven
                } else {
                    Action::AttachDefaultPartitionScan
                };
                b.apply(a, &def.name, span, clause);
            }
        }
        AlterAction::DetachPartition {
            partition,
            concurrently,
            finalize,
        } => {
            let parent = if *concurrently {
                Action::DetachPartitionConcurrentlyParent
            } else if *finalize {
                Action::DetachPartitionFinalizeParent
            } else {
                Action::DetachPartitionParent
            };
            b.apply(parent, table, span, clause);
            b.apply(Action::DetachPartition, partition, span, clause);
            // The DEFAULT partition's implicit constraint changes (observed: ACCESS EXCLUSIVE).
            if !concurrently
                && !finalize
                && let Some(def) = cat.default_partition(table)
                && !def.name.same(partition)
            {
                b.apply(Action::DetachDefaultPartition, &def.name, span, clause);
            }
        }
        AlterAction::SetExpression { column } => {
            let virt = info
                .and_then(|t| t.column(column))
                .is_some_and(|c| c.generated_virtual);
            let a = if virt {
                Action::SetExpressionVirtual
            } else {
                // A stored generated column, or one locklint does not know: the expensive case.
                Action::SetExpression
            };
            b.apply(a, table, span, clause);
        }
        AlterAction::DropExpression { .. } => b.apply(Action::DropExpression, table, span, clause),
        AlterAction::DropDefault { .. }
        | AlterAction::SetDefault { .. }
        | AlterAction::DropNotNull { .. }
        | AlterAction::AlterIdentity { .. }
        | AlterAction::SetColumnOptions { .. }
        | AlterAction::RenameColumn { .. }
        | AlterAction::RenameConstraint { .. } => {
            b.apply(Action::AlterColumnCatalog, table, span, clause)
        }
        _ => b.apply(Action::AlterTableCatalog, table, span, clause),
    }
}

/// How `ALTER COLUMN column TYPE ty [USING ...]` is executed, judged against the column's current
/// type in the catalog; `None` when that type is unknown. `using`: the USING clause forces a
/// rewrite ([`using_rewrites`]). The UTC special
/// case for timestamp → timestamptz exists from PostgreSQL 12.
pub(crate) fn column_type_change(
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

/// The columns of `ADD PRIMARY KEY USING INDEX idx` that are nullable, as far as the catalog knows
/// (the table and, for the column list, the index must have been created earlier). PostgreSQL sets
/// them NOT NULL, scanning the table under ACCESS EXCLUSIVE.
pub(crate) fn pk_using_index_nullable(
    cat: &Catalog,
    table: &ObjName,
    index: &str,
    columns: &[String],
) -> Vec<String> {
    let Some(t) = cat.table(table) else {
        return Vec::new();
    };
    let idx = ObjName {
        schema: table.schema.clone(),
        name: index.to_string(),
    };
    let cols = cat.index(&idx).map(|i| &i.columns[..]).unwrap_or(columns);
    // A column the catalog has not seen is nullable in a table it knows fully; in one known only
    // from ALTERs it is unknown, and locklint does not guess a scan.
    cols.iter()
        .filter(|c| t.column(c).map(|c| !c.not_null).unwrap_or(!t.partial))
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Settings;
    use crate::model::WorkKind;

    /// The effects of the last statement of `sql`, replayed after `history` (earlier migration).
    fn effects_after(history: &str, sql: &str) -> Effects {
        effects_on(Settings::default().postgres_version, history, sql)
    }

    /// [`effects_after`] for a server version.
    fn effects_on(version: u32, history: &str, sql: &str) -> Effects {
        let settings = Settings {
            postgres_version: version,
            ..Settings::default()
        };
        let files = crate::pipeline::lint_sources(
            vec![
                (
                    crate::source::SourceFile::new("0001.sql", history.to_string()),
                    Vec::new(),
                ),
                (
                    crate::source::SourceFile::new("0002.sql", sql.to_string()),
                    Vec::new(),
                ),
            ],
            &settings,
        );
        let last = files[1].stmts.last().expect("a statement");
        assert!(
            !matches!(last.stmt.parsed, crate::model::Parsed::Unparsed { .. }),
            "not parsed: {sql}"
        );
        last.effects.clone()
    }

    /// `table:Mode` for every lock, sorted.
    fn locks(e: &Effects) -> Vec<String> {
        let mut v: Vec<String> = e
            .locks
            .iter()
            .map(|l| format!("{}:{}", l.rel, l.mode.pg_name()))
            .collect();
        v.sort();
        v
    }

    fn work(e: &Effects, kind: WorkKind) -> Vec<String> {
        let mut v: Vec<String> = e
            .work
            .iter()
            .filter(|w| w.kind == kind)
            .map(|w| w.rel.to_string())
            .collect();
        v.sort();
        v
    }

    const PARENT_CHILD: &str = "CREATE TABLE parent (id bigint PRIMARY KEY);\n\
        CREATE TABLE child (id bigint PRIMARY KEY, parent_id bigint, name text);\n";

    const WITH_FK: &str = "CREATE TABLE parent (id bigint PRIMARY KEY);\n\
        CREATE TABLE child (id bigint PRIMARY KEY, parent_id bigint, name text);\n\
        ALTER TABLE child ADD CONSTRAINT child_parent_fk FOREIGN KEY (parent_id) REFERENCES parent (id);\n";

    const EVENTS: &str = "CREATE TABLE events (id bigint NOT NULL, created date NOT NULL, payload text) PARTITION BY RANGE (created);\n\
        CREATE TABLE events_2023 PARTITION OF events FOR VALUES FROM ('2023-01-01') TO ('2024-01-01');\n\
        CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');\n\
        CREATE TABLE events_2025 (id bigint NOT NULL, created date NOT NULL, payload text);\n";

    #[test]
    fn detach_finalize_is_its_own_action_in_the_model() {
        let e = effects_after(
            EVENTS,
            "ALTER TABLE events DETACH PARTITION events_2023 FINALIZE;",
        );
        assert_eq!(
            locks(&e),
            [
                "events:ShareUpdateExclusiveLock",
                "events_2023:AccessExclusiveLock"
            ]
        );
        assert!(!e.no_transaction, "FINALIZE may run in a transaction block");
        let parent = e
            .locks
            .iter()
            .find(|l| l.rel.name == "events")
            .expect("parent");
        assert_eq!(
            parent.cause.action,
            crate::locks::Action::DetachPartitionFinalizeParent
        );
        let e = effects_after(EVENTS, "ALTER TABLE events DETACH PARTITION events_2023;");
        assert_eq!(
            locks(&e),
            [
                "events:AccessExclusiveLock",
                "events_2023:AccessExclusiveLock"
            ]
        );
    }

    #[test]
    fn reindex_schema_and_database_reach_every_known_table() {
        let history = "CREATE TABLE a (id int);\nCREATE TABLE s.b (id int);\n";
        let e = effects_after(history, "REINDEX SCHEMA s;");
        assert_eq!(locks(&e), ["s.b:ShareLock"]);
        assert_eq!(work(&e, WorkKind::IndexBuild), ["s.b"]);
        assert!(e.no_transaction);
        let e = effects_after(history, "REINDEX DATABASE app;");
        assert_eq!(locks(&e), ["a:ShareLock", "s.b:ShareLock"]);
        let e = effects_after(history, "REINDEX (CONCURRENTLY) SCHEMA s;");
        assert_eq!(locks(&e), ["s.b:ShareUpdateExclusiveLock"]);
        let e = effects_after(history, "REINDEX SYSTEM;");
        assert!(e.locks.is_empty() && e.no_transaction);
    }

    #[test]
    fn alter_domain_reads_every_table_using_it() {
        let history = "CREATE DOMAIN pos AS int;\nCREATE TABLE a (id int, p pos);\nCREATE TABLE b (id int, q pos[]);\nCREATE TABLE c (id int);\n";
        for sql in [
            "ALTER DOMAIN pos ADD CONSTRAINT c CHECK (VALUE > 0);",
            "ALTER DOMAIN pos VALIDATE CONSTRAINT c;",
            "ALTER DOMAIN pos SET NOT NULL;",
        ] {
            let e = effects_after(history, sql);
            assert_eq!(locks(&e), ["a:ShareLock"], "{sql}");
            assert_eq!(work(&e, WorkKind::Scan), ["a"], "{sql}");
        }
        let e = effects_after(
            history,
            "ALTER DOMAIN pos ADD CONSTRAINT c CHECK (VALUE > 0) NOT VALID;",
        );
        assert!(e.locks.is_empty() && e.work.is_empty());
    }

    #[test]
    fn a_postgres_18_not_null_constraint_not_valid_then_validated_proves_set_not_null() {
        let e = effects_on(
            18,
            PARENT_CHILD,
            "ALTER TABLE child ADD CONSTRAINT name_nn NOT NULL name NOT VALID;",
        );
        assert_eq!(locks(&e), ["child:AccessExclusiveLock"]);
        assert!(e.work.is_empty(), "{:?}", e.work);
        let e = effects_on(
            18,
            PARENT_CHILD,
            "ALTER TABLE child ADD CONSTRAINT name_nn NOT NULL name NOT VALID;\n\
             ALTER TABLE child VALIDATE CONSTRAINT name_nn;",
        );
        assert_eq!(locks(&e), ["child:ShareUpdateExclusiveLock"]);
        assert_eq!(work(&e, WorkKind::Validate), ["child"]);
        let e = effects_on(
            18,
            PARENT_CHILD,
            "ALTER TABLE child ADD CONSTRAINT name_nn NOT NULL name NOT VALID;\n\
             ALTER TABLE child VALIDATE CONSTRAINT name_nn;\n\
             ALTER TABLE child ALTER COLUMN name SET NOT NULL;",
        );
        assert!(e.work.is_empty(), "{:?}", e.work);
        // Without NOT VALID every row is read.
        let e = effects_on(
            18,
            PARENT_CHILD,
            "ALTER TABLE child ADD CONSTRAINT name_nn NOT NULL name;",
        );
        assert_eq!(work(&e, WorkKind::Scan), ["child"]);
    }

    #[test]
    fn a_postgres_18_virtual_generated_column_writes_no_row() {
        let e = effects_on(
            18,
            PARENT_CHILD,
            "ALTER TABLE child ADD COLUMN v bigint GENERATED ALWAYS AS (id * 2) VIRTUAL;",
        );
        assert_eq!(locks(&e), ["child:AccessExclusiveLock"]);
        assert!(e.work.is_empty(), "{:?}", e.work);
        let e = effects_on(
            18,
            PARENT_CHILD,
            "ALTER TABLE child ADD COLUMN s bigint GENERATED ALWAYS AS (id * 2) STORED;",
        );
        assert_eq!(work(&e, WorkKind::Rewrite), ["child"]);
    }

    #[test]
    fn postgres_17_and_18_syntax_is_refused_before_and_modelled_from() {
        let history = "CREATE TABLE g (a int, s int GENERATED ALWAYS AS (a * 2) STORED, v int GENERATED ALWAYS AS (a * 2));\n";
        // (statement, first version that knows it, locks from then, rewrite from then)
        let cases: [(&str, u32, &[&str], bool); 6] = [
            (
                "ALTER TABLE g ALTER COLUMN s SET EXPRESSION AS (a * 3);",
                17,
                &["g:AccessExclusiveLock"],
                true,
            ),
            (
                "ALTER TABLE g ALTER COLUMN v SET EXPRESSION AS (a * 3);",
                18,
                &["g:AccessExclusiveLock"],
                false,
            ),
            (
                "ALTER TABLE g ADD COLUMN w int GENERATED ALWAYS AS (a + 1);",
                18,
                &["g:AccessExclusiveLock"],
                false,
            ),
            (
                "ALTER TABLE g ADD CONSTRAINT a_nn NOT NULL a;",
                18,
                &["g:AccessExclusiveLock"],
                false,
            ),
            (
                "ALTER TABLE g ADD CONSTRAINT a_nn NOT NULL a NOT VALID;",
                18,
                &["g:AccessExclusiveLock"],
                false,
            ),
            (
                "ALTER TABLE g ALTER COLUMN s DROP EXPRESSION;",
                13,
                &["g:AccessExclusiveLock"],
                false,
            ),
        ];
        for (sql, first, lock, rewrite) in cases {
            let before = effects_on(first - 1, history, sql);
            assert_eq!(before.needs_version, Some(first), "{sql}");
            assert!(before.locks.is_empty() && before.work.is_empty(), "{sql}");
            let from = effects_on(first, history, sql);
            assert_eq!(from.needs_version, None, "{sql}");
            assert_eq!(locks(&from), lock, "{sql}");
            assert_eq!(!work(&from, WorkKind::Rewrite).is_empty(), rewrite, "{sql}");
        }
        // A virtual column in CREATE TABLE: refused before 18, nothing locked from 18.
        let create = "CREATE TABLE h (a int, b int GENERATED ALWAYS AS (a * 2) VIRTUAL);";
        assert_eq!(effects_on(17, "", create).needs_version, Some(18));
        assert_eq!(effects_on(18, "", create).needs_version, None);
    }

    #[test]
    fn an_inline_check_scans_without_a_default() {
        let e = effects_after(
            PARENT_CHILD,
            "ALTER TABLE child ADD COLUMN b int CHECK (b > 0);",
        );
        assert_eq!(locks(&e), ["child:AccessExclusiveLock"]);
        assert_eq!(work(&e, WorkKind::Scan), ["child"]);
    }

    #[test]
    fn cluster_wide_commands_refuse_a_transaction_block() {
        for sql in [
            "CREATE DATABASE x;",
            "DROP DATABASE x;",
            "CREATE TABLESPACE t LOCATION '/x';",
            "DROP TABLESPACE t;",
            "ALTER SYSTEM SET work_mem = '1MB';",
        ] {
            let e = effects_after("", sql);
            assert!(e.no_transaction && e.locks.is_empty(), "{sql}");
        }
    }

    #[test]
    fn foreign_keys_lock_the_parent_share_row_exclusive() {
        let e = effects_after(
            PARENT_CHILD,
            "ALTER TABLE child ADD CONSTRAINT fk FOREIGN KEY (parent_id) REFERENCES parent (id) NOT VALID;",
        );
        assert_eq!(
            locks(&e),
            [
                "child:ShareRowExclusiveLock",
                "parent:ShareRowExclusiveLock"
            ]
        );
        assert!(
            work(&e, WorkKind::Validate).is_empty(),
            "NOT VALID checks nothing"
        );
        let e = effects_after(
            PARENT_CHILD,
            "ALTER TABLE child ADD COLUMN other_id bigint REFERENCES parent (id);",
        );
        assert_eq!(
            locks(&e),
            ["child:AccessExclusiveLock", "parent:ShareRowExclusiveLock"]
        );
        let e = effects_after(
            PARENT_CHILD,
            "CREATE TABLE grandchild (id bigint, child_id bigint REFERENCES child (id));",
        );
        assert_eq!(
            locks(&e),
            ["child:ShareRowExclusiveLock"],
            "the new table itself is not reported"
        );
        let e = effects_after(
            WITH_FK
                .replace("parent (id);", "parent (id) NOT VALID;")
                .as_str(),
            "ALTER TABLE child VALIDATE CONSTRAINT child_parent_fk;",
        );
        assert_eq!(
            locks(&e),
            ["child:ShareUpdateExclusiveLock", "parent:RowShareLock"]
        );
    }

    #[test]
    fn dropping_a_foreign_key_or_its_table_locks_the_parent_access_exclusive() {
        let e = effects_after(WITH_FK, "DROP TABLE child;");
        assert_eq!(
            locks(&e),
            ["child:AccessExclusiveLock", "parent:AccessExclusiveLock"]
        );
        let e = effects_after(
            WITH_FK,
            "ALTER TABLE child DROP CONSTRAINT child_parent_fk;",
        );
        assert_eq!(
            locks(&e),
            ["child:AccessExclusiveLock", "parent:AccessExclusiveLock"]
        );
        // Without the foreign key only the table itself.
        let e = effects_after(PARENT_CHILD, "DROP TABLE child;");
        assert_eq!(locks(&e), ["child:AccessExclusiveLock"]);
        // The other direction: CASCADE drops the referencing foreign keys.
        let e = effects_after(WITH_FK, "DROP TABLE parent CASCADE;");
        assert_eq!(
            locks(&e),
            ["child:AccessExclusiveLock", "parent:AccessExclusiveLock"]
        );
        let e = effects_after(
            WITH_FK,
            "ALTER TABLE parent DROP CONSTRAINT parent_pkey CASCADE;",
        );
        assert_eq!(
            locks(&e),
            ["child:AccessExclusiveLock", "parent:AccessExclusiveLock"]
        );
    }

    #[test]
    fn changing_a_foreign_key_column_locks_the_other_table() {
        let e = effects_after(
            WITH_FK,
            "ALTER TABLE child ALTER COLUMN parent_id TYPE int;",
        );
        assert_eq!(
            locks(&e),
            ["child:AccessExclusiveLock", "parent:AccessExclusiveLock"]
        );
        let e = effects_after(WITH_FK, "ALTER TABLE parent ALTER COLUMN id TYPE int;");
        assert_eq!(
            locks(&e),
            ["child:AccessExclusiveLock", "parent:AccessExclusiveLock"]
        );
        let e = effects_after(WITH_FK, "ALTER TABLE child DROP COLUMN parent_id;");
        assert_eq!(
            locks(&e),
            ["child:AccessExclusiveLock", "parent:AccessExclusiveLock"]
        );
        // Another column: the foreign key is untouched.
        let e = effects_after(WITH_FK, "ALTER TABLE child DROP COLUMN name;");
        assert_eq!(locks(&e), ["child:AccessExclusiveLock"]);
        // A dropped foreign-key column takes its constraint along.
        let e = effects_after(
            &format!("{WITH_FK}ALTER TABLE child DROP COLUMN parent_id;\n"),
            "DROP TABLE child;",
        );
        assert_eq!(locks(&e), ["child:AccessExclusiveLock"]);
    }

    #[test]
    fn renamed_tables_keep_their_foreign_keys() {
        let e = effects_after(
            &format!("{WITH_FK}ALTER TABLE parent RENAME TO mother;\n"),
            "ALTER TABLE child DROP CONSTRAINT child_parent_fk;",
        );
        assert_eq!(
            locks(&e),
            ["child:AccessExclusiveLock", "mother:AccessExclusiveLock"]
        );
    }

    #[test]
    fn attach_with_a_default_partition_locks_and_scans_it() {
        let history = format!("{EVENTS}CREATE TABLE events_default PARTITION OF events DEFAULT;\n");
        let e = effects_after(
            &history,
            "ALTER TABLE events ATTACH PARTITION events_2025 FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');",
        );
        assert_eq!(
            locks(&e),
            [
                "events:ShareUpdateExclusiveLock",
                "events_2025:AccessExclusiveLock",
                "events_default:AccessExclusiveLock"
            ]
        );
        assert_eq!(work(&e, WorkKind::Scan), ["events_2025", "events_default"]);
        // A validated CHECK matching the bound spares the partition's scan, not the default's.
        let e = effects_after(
            &format!(
                "{history}ALTER TABLE events_2025 ADD CONSTRAINT b CHECK (created >= '2025-01-01' AND created < '2026-01-01');\n"
            ),
            "ALTER TABLE events ATTACH PARTITION events_2025 FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');",
        );
        assert_eq!(work(&e, WorkKind::Scan), ["events_default"]);
        // Without a default partition only the attached table.
        let e = effects_after(
            EVENTS,
            "ALTER TABLE events ATTACH PARTITION events_2025 FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');",
        );
        assert_eq!(
            locks(&e),
            [
                "events:ShareUpdateExclusiveLock",
                "events_2025:AccessExclusiveLock"
            ]
        );
        // DETACH (not CONCURRENTLY) also locks the default partition.
        let e = effects_after(&history, "ALTER TABLE events DETACH PARTITION events_2023;");
        assert_eq!(
            locks(&e),
            [
                "events:AccessExclusiveLock",
                "events_2023:AccessExclusiveLock",
                "events_default:AccessExclusiveLock"
            ]
        );
    }

    #[test]
    fn set_not_null_scans_unless_a_validated_check_proves_it() {
        let e = effects_after(
            PARENT_CHILD,
            "ALTER TABLE child ALTER COLUMN name SET NOT NULL;",
        );
        assert_eq!(locks(&e), ["child:AccessExclusiveLock"]);
        assert_eq!(work(&e, WorkKind::Scan), ["child"]);
        let not_valid = format!(
            "{PARENT_CHILD}ALTER TABLE child ADD CONSTRAINT name_nn CHECK (name IS NOT NULL) NOT VALID;\n"
        );
        let e = effects_after(
            &not_valid,
            "ALTER TABLE child ALTER COLUMN name SET NOT NULL;",
        );
        assert_eq!(
            work(&e, WorkKind::Scan),
            ["child"],
            "a NOT VALID check does not help"
        );
        let validated = format!("{not_valid}ALTER TABLE child VALIDATE CONSTRAINT name_nn;\n");
        let e = effects_after(
            &validated,
            "ALTER TABLE child ALTER COLUMN name SET NOT NULL;",
        );
        assert_eq!(locks(&e), ["child:AccessExclusiveLock"]);
        assert!(e.work.is_empty(), "{:?}", e.work);
        // Validated in the same migration, earlier in the file, counts too.
        let e = effects_after(
            PARENT_CHILD,
            "ALTER TABLE child ADD CONSTRAINT name_nn CHECK (name IS NOT NULL) NOT VALID;\n\
             ALTER TABLE child VALIDATE CONSTRAINT name_nn;\n\
             ALTER TABLE child ALTER COLUMN name SET NOT NULL;",
        );
        assert!(e.work.is_empty(), "{:?}", e.work);
    }

    #[test]
    fn alter_table_recurses_into_partitions() {
        let e = effects_after(
            EVENTS,
            "ALTER TABLE events ADD COLUMN r float8 DEFAULT random();",
        );
        assert_eq!(
            locks(&e),
            [
                "events:AccessExclusiveLock",
                "events_2023:AccessExclusiveLock",
                "events_2024:AccessExclusiveLock"
            ]
        );
        assert_eq!(
            work(&e, WorkKind::Rewrite),
            ["events", "events_2023", "events_2024"]
        );
        assert_eq!(e.locks[0].rel.name, "events", "the named table comes first");
        let e = effects_after(EVENTS, "ALTER TABLE events ADD PRIMARY KEY (id, created);");
        assert_eq!(
            locks(&e),
            [
                "events:AccessExclusiveLock",
                "events_2023:ShareLock",
                "events_2024:ShareLock"
            ]
        );
        let e = effects_after(
            EVENTS,
            "ALTER TABLE ONLY events ALTER COLUMN payload SET DEFAULT 'x';",
        );
        assert_eq!(locks(&e), ["events:AccessExclusiveLock"]);
        let e = effects_after(EVENTS, "ALTER TABLE events RENAME TO all_events;");
        assert_eq!(locks(&e), ["events:AccessExclusiveLock"]);
        let e = effects_after(EVENTS, "CREATE INDEX ON events (payload);");
        assert_eq!(
            locks(&e),
            [
                "events:ShareLock",
                "events_2023:ShareLock",
                "events_2024:ShareLock"
            ]
        );
        let e = effects_after(EVENTS, "CREATE INDEX events_idx ON ONLY events (payload);");
        assert_eq!(locks(&e), ["events:ShareLock"]);
        assert!(e.work.is_empty(), "the parent's index alone reads nothing");
        let e = effects_after(EVENTS, "CREATE INDEX t_idx ON ONLY events_2025 (payload);");
        assert_eq!(
            work(&e, WorkKind::IndexBuild),
            ["events_2025"],
            "ONLY means nothing here"
        );
        let e = effects_after(EVENTS, "DROP TABLE events;");
        assert_eq!(locks(&e).len(), 3);
        // A partition attached later is part of the tree.
        let e = effects_after(
            &format!(
                "{EVENTS}ALTER TABLE events ATTACH PARTITION events_2025 FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');\n"
            ),
            "TRUNCATE events;",
        );
        assert_eq!(locks(&e).len(), 4);
    }

    #[test]
    fn queries_lock_what_views_and_partitioned_tables_read() {
        let history = format!(
            "{PARENT_CHILD}CREATE VIEW child_v AS SELECT id, name FROM child;\n\
             CREATE VIEW child_vv AS SELECT * FROM child_v;\n\
             CREATE MATERIALIZED VIEW child_mv AS SELECT count(*) FROM child;\n{EVENTS}"
        );
        let e = effects_after(&history, "SELECT * FROM child_vv;");
        assert_eq!(
            locks(&e),
            [
                "child:AccessShareLock",
                "child_v:AccessShareLock",
                "child_vv:AccessShareLock"
            ]
        );
        let e = effects_after(&history, "SELECT * FROM child_mv;");
        assert_eq!(
            locks(&e),
            ["child_mv:AccessShareLock"],
            "a materialized view is not expanded"
        );
        let e = effects_after(&history, "CREATE VIEW v3 AS SELECT * FROM child_v;");
        assert_eq!(
            locks(&e),
            ["child_v:AccessShareLock"],
            "CREATE VIEW only parses its query"
        );
        let e = effects_after(&history, "LOCK TABLE child_v IN SHARE MODE;");
        assert_eq!(locks(&e), ["child:ShareLock", "child_v:ShareLock"]);
        let e = effects_after(&history, "SELECT count(*) FROM events;");
        assert_eq!(locks(&e).len(), 3);
        let e = effects_after(&history, "DROP TABLE child CASCADE;");
        assert_eq!(
            locks(&e),
            [
                "child:AccessExclusiveLock",
                "child_mv:AccessExclusiveLock",
                "child_v:AccessExclusiveLock",
                "child_vv:AccessExclusiveLock"
            ]
        );
    }

    #[test]
    fn a_using_clause_that_only_casts_decides_like_no_using() {
        let history = "CREATE TABLE t (id int, v10 varchar(10), n int);\n";
        let e = effects_after(
            history,
            "ALTER TABLE t ALTER COLUMN v10 TYPE varchar(20) USING v10::varchar(20);",
        );
        assert!(e.work.is_empty(), "{:?}", e.work);
        let e = effects_after(
            history,
            "ALTER TABLE t ALTER COLUMN v10 TYPE varchar(20) USING CAST(v10 AS varchar(20));",
        );
        assert!(e.work.is_empty(), "{:?}", e.work);
        let e = effects_after(
            history,
            "ALTER TABLE t ALTER COLUMN v10 TYPE text USING v10;",
        );
        assert!(e.work.is_empty(), "{:?}", e.work);
        let e = effects_after(
            history,
            "ALTER TABLE t ALTER COLUMN v10 TYPE varchar(20) USING upper(v10);",
        );
        assert_eq!(work(&e, WorkKind::Rewrite), ["t"]);
        let e = effects_after(
            history,
            "ALTER TABLE t ALTER COLUMN n TYPE bigint USING n::bigint;",
        );
        assert_eq!(work(&e, WorkKind::Rewrite), ["t"]);
        let ty = SqlType::parse("varchar(20)");
        assert!(using_is_plain_cast("(\"v10\")", "v10", &ty));
        assert!(!using_is_plain_cast("v10::varchar(10)", "v10", &ty));
        assert!(!using_is_plain_cast("v10::text::varchar(20)", "v10", &ty));
        assert!(!using_is_plain_cast("other", "v10", &ty));
    }
}

#[cfg(test)]
mod constraint_tests {
    //! The statements of ../shared/postgres-locks/locks.csv that concern constraints and indexes:
    //! lock on the target table, and whether it is scanned (index builds read every row too).
    use crate::config::Settings;
    use crate::model::LockMode::{self, *};
    use crate::model::WorkKind;

    /// (lock on `child`, work on `child`) of the last statement of `sql`.
    fn last(sql: &str) -> (Option<LockMode>, Vec<WorkKind>) {
        let res = crate::pipeline::lint_text("t.sql", sql, &Settings::default());
        let a = res.stmts.last().expect("a statement");
        let child = crate::model::ObjName::bare("child");
        let work = a
            .effects
            .work
            .iter()
            .filter(|w| w.rel.same(&child))
            .map(|w| w.kind)
            .collect();
        (a.effects.lock_on(&child), work)
    }

    const FIXTURE: &str = "ALTER TABLE child ADD COLUMN id bigint NOT NULL, ADD COLUMN name text;
        CREATE UNIQUE INDEX child_id_uidx ON child (id);
        CREATE UNIQUE INDEX child_name_uidx ON child (name);";

    #[test]
    fn constraints_match_observed_locks() {
        use WorkKind::*;
        let cases: &[(&str, LockMode, &[WorkKind])] = &[
            (
                "ALTER TABLE child ADD CONSTRAINT c CHECK (n > 0)",
                AccessExclusive,
                &[Scan],
            ),
            (
                "ALTER TABLE child ADD CONSTRAINT c CHECK (n > 0) NOT VALID",
                AccessExclusive,
                &[],
            ),
            (
                "ALTER TABLE child ADD CONSTRAINT u UNIQUE (name)",
                AccessExclusive,
                &[IndexBuild],
            ),
            (
                "ALTER TABLE child ADD CONSTRAINT u UNIQUE USING INDEX child_name_uidx",
                AccessExclusive,
                &[],
            ),
            (
                "ALTER TABLE child ADD PRIMARY KEY (id)",
                AccessExclusive,
                &[IndexBuild],
            ),
            (
                "ALTER TABLE child ADD CONSTRAINT pk PRIMARY KEY USING INDEX child_id_uidx",
                AccessExclusive,
                &[],
            ),
            (
                "ALTER TABLE child ADD CONSTRAINT pk PRIMARY KEY USING INDEX child_name_uidx",
                AccessExclusive,
                &[Scan],
            ),
            (
                "ALTER TABLE child ADD CONSTRAINT x EXCLUDE USING btree (n WITH =)",
                AccessExclusive,
                &[IndexBuild],
            ),
            (
                "ALTER TABLE child ALTER COLUMN name SET NOT NULL",
                AccessExclusive,
                &[Scan],
            ),
            (
                "ALTER TABLE child ALTER COLUMN id SET NOT NULL",
                AccessExclusive,
                &[],
            ),
            (
                "ALTER TABLE child ADD COLUMN c int NOT NULL DEFAULT 0",
                AccessExclusive,
                &[],
            ),
            ("DROP INDEX child_name_uidx", AccessExclusive, &[]),
            (
                "DROP INDEX CONCURRENTLY child_name_uidx",
                ShareUpdateExclusive,
                &[],
            ),
            ("REINDEX TABLE child", Share, &[IndexBuild]),
            ("REINDEX INDEX child_name_uidx", Share, &[IndexBuild]),
            (
                "REINDEX INDEX CONCURRENTLY child_name_uidx",
                ShareUpdateExclusive,
                &[IndexBuild],
            ),
        ];
        for (stmt, mode, work) in cases {
            let got = last(&format!("{FIXTURE}\n{stmt};"));
            assert_eq!(got, (Some(*mode), work.to_vec()), "{stmt}");
        }
    }
}
