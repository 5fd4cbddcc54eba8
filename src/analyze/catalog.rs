//! The schema as replayed from earlier statements: tables, columns, constraints, indexes, views.

use crate::model::{
    AlterAction, ColumnDef, Constraint, ConstraintKind, FkRef, ObjName, ObjectKind, SmallStr,
    SqlType, Stmt, StmtKind,
};
use std::collections::{HashMap, HashSet};

/// A column as the catalog knows it.
#[derive(Debug, Clone)]
pub struct ColumnInfo {
    /// Column name.
    pub name: SmallStr,
    /// Current type.
    pub ty: SqlType,
    /// NOT NULL.
    pub not_null: bool,
}

/// A constraint as the catalog knows it.
#[derive(Debug, Clone)]
pub struct ConstraintInfo {
    /// Its name (given or PostgreSQL's generated one).
    pub name: String,
    /// What it is.
    pub kind: ConstraintKind,
    /// Whether it is validated (not NOT VALID).
    pub validated: bool,
}

/// A table as the catalog knows it.
#[derive(Debug, Clone)]
pub struct TableInfo {
    /// The table's name.
    pub name: ObjName,
    /// Columns in order.
    pub columns: Vec<ColumnInfo>,
    /// Constraints.
    pub constraints: Vec<ConstraintInfo>,
    /// `PARTITION OF` parent.
    pub partition_of: Option<ObjName>,
    /// Whether this is the DEFAULT partition of its parent.
    pub default_partition: bool,
    /// Which migration created it (`Catalog::migration` at the time).
    pub created_in: usize,
    /// Known only from ALTER TABLE statements (its CREATE TABLE was not replayed): columns and
    /// constraints it did not see may exist.
    pub partial: bool,
}

impl TableInfo {
    /// A column by name.
    pub fn column(&self, name: &str) -> Option<&ColumnInfo> {
        self.columns.iter().find(|c| c.name == name)
    }

    /// A constraint by name.
    pub fn constraint(&self, name: &str) -> Option<&ConstraintInfo> {
        self.constraints.iter().find(|c| c.name == name)
    }
}

/// An index as the catalog knows it.
#[derive(Debug, Clone)]
pub struct IndexInfo {
    /// The indexed table.
    pub table: ObjName,
    /// UNIQUE.
    pub unique: bool,
    /// Indexed columns (plain column references only).
    pub columns: Vec<String>,
    /// Which migration created it.
    pub created_in: usize,
}

/// Views and materialized views.
#[derive(Debug, Clone)]
pub struct ViewInfo {
    /// The view's name.
    pub name: ObjName,
    /// Materialized.
    pub materialized: bool,
    /// Relations the defining query reads.
    pub reads: Vec<ObjName>,
    /// Which migration created it.
    pub created_in: usize,
}

/// How deep partition trees and views on views are followed.
const MAX_DEPTH: usize = 16;

/// The replayed schema.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    tables: HashMap<String, TableInfo>,
    indexes: HashMap<String, IndexInfo>,
    views: HashMap<String, ViewInfo>,
    sequences: HashMap<String, usize>,
    /// Keys of tables some foreign key references. Only a fast negative check (it may keep keys
    /// of dropped constraints): most statements touch tables nothing references.
    referenced: HashSet<String>,
    /// Keys of tables some table is a partition of (same).
    partitioned: HashSet<String>,
    /// The current migration's number; objects created in it are new (empty).
    pub migration: usize,
}

fn index_key(name: &ObjName, table_schema: Option<&str>) -> String {
    match &name.schema {
        Some(_) => name.key(),
        None => format!("{}.{}", table_schema.unwrap_or("public"), name.name),
    }
}

/// `f` applied to [`ObjName::key`], built on the stack when it is short: every statement looks
/// relations up several times, and a heap key per lookup was a measurable share of the run.
fn with_key<R>(name: &ObjName, f: impl FnOnce(&str) -> R) -> R {
    const MAX: usize = 128;
    let (schema, name) = (name.schema_or_public(), name.name.as_str());
    let len = schema.len() + 1 + name.len();
    if len <= MAX {
        let mut buf = [0u8; MAX];
        buf[..schema.len()].copy_from_slice(schema.as_bytes());
        buf[schema.len()] = b'.';
        buf[schema.len() + 1..len].copy_from_slice(name.as_bytes());
        if let Ok(key) = std::str::from_utf8(&buf[..len]) {
            return f(key);
        }
    }
    f(&format!("{schema}.{name}"))
}

impl Catalog {
    /// Start a new migration: objects created from here on are new.
    pub fn begin_migration(&mut self) {
        self.migration += 1;
    }

    /// A table by name.
    pub fn table(&self, name: &ObjName) -> Option<&TableInfo> {
        with_key(name, |k| self.tables.get(k))
    }

    /// A view or materialized view by name.
    pub fn view(&self, name: &ObjName) -> Option<&ViewInfo> {
        with_key(name, |k| self.views.get(k))
    }

    /// Whether a sequence is known.
    pub fn has_sequence(&self, name: &ObjName) -> bool {
        with_key(name, |k| self.sequences.contains_key(k))
    }

    /// An index by name.
    pub fn index(&self, name: &ObjName) -> Option<&IndexInfo> {
        with_key(name, |k| self.indexes.get(k))
    }

    /// Whether the relation was created in the current migration (and so is empty).
    pub fn is_new(&self, name: &ObjName) -> bool {
        with_key(name, |key| {
            self.tables
                .get(key)
                .map(|t| !t.partial && t.created_in == self.migration)
                .unwrap_or(false)
                || self
                    .views
                    .get(key)
                    .map(|v| v.created_in == self.migration)
                    .unwrap_or(false)
                || self
                    .sequences
                    .get(key)
                    .map(|m| *m == self.migration)
                    .unwrap_or(false)
        })
    }

    /// Whether the index was created in the current migration.
    pub fn index_is_new(&self, name: &ObjName) -> bool {
        self.index(name)
            .map(|i| i.created_in == self.migration)
            .unwrap_or(false)
    }

    /// Tables with a foreign key that references `parent`.
    pub fn referencing(&self, parent: &ObjName) -> Vec<&TableInfo> {
        if !with_key(parent, |k| self.referenced.contains(k)) {
            return Vec::new();
        }
        let mut v: Vec<&TableInfo> = self
            .tables
            .values()
            .filter(|t| {
                !t.name.same(parent)
                    && t.constraints.iter().any(|c| {
                        matches!(&c.kind, ConstraintKind::ForeignKey { references, .. } if references.table.same(parent))
                    })
            })
            .collect();
        v.sort_by(|a, b| a.name.cmp(&b.name));
        v
    }

    /// The DEFAULT partition of a partitioned table, if one is known.
    pub fn default_partition(&self, parent: &ObjName) -> Option<&TableInfo> {
        self.tables.values().find(|t| {
            t.default_partition
                && t.partition_of
                    .as_ref()
                    .map(|p| p.same(parent))
                    .unwrap_or(false)
        })
    }

    /// Every partition below a partitioned table, at every level, parents before their own
    /// partitions (empty for a table with no known partitions).
    pub fn partitions(&self, parent: &ObjName) -> Vec<ObjName> {
        let mut out: Vec<ObjName> = Vec::new();
        // Most tables have no partitions: answer those without a copy of the name.
        if !with_key(parent, |k| self.partitioned.contains(k)) {
            return out;
        }
        let mut frontier = vec![parent.clone()];
        // Bounded: a replayed history can never make a partition its own ancestor, but a
        // hostile one could.
        for _ in 0..MAX_DEPTH {
            frontier.retain(|f| with_key(f, |k| self.partitioned.contains(k)));
            if frontier.is_empty() {
                break;
            }
            let mut next: Vec<ObjName> = self
                .tables
                .values()
                .filter(|t| {
                    t.partition_of
                        .as_ref()
                        .is_some_and(|p| frontier.iter().any(|f| f.same(p)))
                        && !t.name.same(parent)
                        && !out.iter().any(|o| o.same(&t.name))
                })
                .map(|t| t.name.clone())
                .collect();
            if next.is_empty() {
                break;
            }
            next.sort();
            out.extend(next.iter().cloned());
            frontier = next;
        }
        out
    }

    /// Views and materialized views whose defining query reads `rel`, directly or through other
    /// views (what `DROP ... CASCADE` also drops).
    pub fn dependent_views(&self, rel: &ObjName) -> Vec<ObjName> {
        let mut out: Vec<ObjName> = Vec::new();
        let mut frontier = vec![rel.clone()];
        for _ in 0..MAX_DEPTH {
            let mut next: Vec<ObjName> = self
                .views
                .iter()
                .filter(|(_, v)| v.reads.iter().any(|r| frontier.iter().any(|f| f.same(r))))
                .map(|(_, v)| v.name.clone())
                .filter(|n| !n.same(rel) && !out.iter().any(|o| o.same(n)))
                .collect();
            if next.is_empty() {
                break;
            }
            next.sort();
            out.extend(next.iter().cloned());
            frontier = next;
        }
        out
    }

    /// The primary key's columns of a table, when known.
    pub fn primary_key(&self, table: &ObjName) -> Option<&[String]> {
        self.table(table)?
            .constraints
            .iter()
            .find_map(|c| match &c.kind {
                ConstraintKind::PrimaryKey { columns, .. } if !columns.is_empty() => {
                    Some(columns.as_slice())
                }
                _ => None,
            })
    }

    /// Apply a statement's schema changes.
    pub fn apply(&mut self, stmt: &Stmt) {
        self.apply_kind(stmt);
        // Keep the fast negative checks of `referencing` and `partitions` current: note every
        // parent and referenced table the statement names (a superset of what it added, which
        // only costs those checks a full search).
        match &stmt.kind {
            StmtKind::CreateTable(ct) => {
                if let Some(p) = &ct.partition_of {
                    note(&mut self.partitioned, p);
                }
                for c in &ct.columns {
                    if let Some(r) = &c.references {
                        note(&mut self.referenced, &r.table);
                    }
                }
                for c in &ct.constraints {
                    if let ConstraintKind::ForeignKey { references, .. } = &c.kind {
                        note(&mut self.referenced, &references.table);
                    }
                }
            }
            StmtKind::AlterTable { table, actions, .. } => {
                for a in actions {
                    match &a.action {
                        AlterAction::AttachPartition { .. } => note(&mut self.partitioned, table),
                        AlterAction::AddColumn { column, .. } => {
                            if let Some(r) = &column.references {
                                note(&mut self.referenced, &r.table);
                            }
                        }
                        AlterAction::AddConstraint(Constraint {
                            kind: ConstraintKind::ForeignKey { references, .. },
                            ..
                        }) => note(&mut self.referenced, &references.table),
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }

    fn apply_kind(&mut self, stmt: &Stmt) {
        match &stmt.kind {
            StmtKind::CreateTable(ct) => {
                let key = ct.name.key();
                if ct.if_not_exists && self.tables.contains_key(&key) {
                    return;
                }
                let mut t = TableInfo {
                    name: ct.name.clone(),
                    columns: Vec::with_capacity(ct.columns.len()),
                    constraints: Vec::new(),
                    partition_of: ct.partition_of.clone(),
                    default_partition: ct.default_partition,
                    created_in: self.migration,
                    partial: false,
                };
                for c in &ct.columns {
                    add_column(&mut t, c);
                }
                for c in &ct.constraints {
                    add_constraint(&mut t, c);
                }
                self.tables.insert(key, t);
            }
            StmtKind::AlterTable { table, actions, .. } => {
                for a in actions {
                    self.apply_action(table, &a.action);
                }
            }
            StmtKind::CreateIndex {
                name: Some(n),
                table,
                unique,
                columns,
                if_not_exists,
                ..
            } => {
                let key = index_key(n, table.schema.as_deref());
                if *if_not_exists && self.indexes.contains_key(&key) {
                    return;
                }
                self.indexes.insert(
                    key,
                    IndexInfo {
                        table: table.clone(),
                        unique: *unique,
                        columns: columns.clone(),
                        created_in: self.migration,
                    },
                );
            }
            StmtKind::DropIndex { names, .. } => {
                for n in names {
                    self.indexes.remove(&n.key());
                }
            }
            StmtKind::Drop {
                object,
                names,
                cascade,
                ..
            } => {
                for n in names {
                    let key = n.key();
                    match object {
                        ObjectKind::Table => {
                            // Partitions go with their partitioned table.
                            let mut gone = self.partitions(n);
                            gone.push(n.clone());
                            for g in &gone {
                                self.tables.remove(&g.key());
                                self.indexes.retain(|_, i| !i.table.same(g));
                            }
                            if *cascade {
                                self.drop_dependents(&gone);
                            }
                        }
                        ObjectKind::View | ObjectKind::MaterializedView => {
                            self.views.remove(&key);
                            if *cascade {
                                self.drop_dependents(std::slice::from_ref(n));
                            }
                        }
                        ObjectKind::Sequence => {
                            self.sequences.remove(&key);
                        }
                        _ => {}
                    }
                }
            }
            StmtKind::CreateView {
                name,
                materialized,
                reads,
                ..
            } => {
                let created_in = self
                    .view(name)
                    .map(|v| v.created_in)
                    .unwrap_or(self.migration);
                self.views.insert(
                    name.key(),
                    ViewInfo {
                        name: name.clone(),
                        materialized: *materialized,
                        reads: reads.clone(),
                        created_in,
                    },
                );
            }
            StmtKind::CreateSequence { name } => {
                self.sequences.entry(name.key()).or_insert(self.migration);
            }
            _ => {}
        }
    }

    /// With CASCADE, views reading dropped relations and foreign keys referencing them go too.
    fn drop_dependents(&mut self, gone: &[ObjName]) {
        let mut views: Vec<ObjName> = Vec::new();
        for g in gone {
            views.extend(self.dependent_views(g));
        }
        for v in &views {
            self.views.remove(&v.key());
        }
        for t in self.tables.values_mut() {
            t.constraints.retain(|c| {
                !matches!(&c.kind, ConstraintKind::ForeignKey { references, .. }
                    if gone.iter().any(|g| g.same(&references.table)))
            });
        }
    }

    /// Everything that names a renamed table follows it: indexes, foreign keys, partitions, views.
    fn renamed(&mut self, from: &ObjName, to: &ObjName) {
        if with_key(from, |k| self.referenced.contains(k)) {
            note(&mut self.referenced, to);
        }
        if with_key(from, |k| self.partitioned.contains(k)) {
            note(&mut self.partitioned, to);
        }
        for i in self.indexes.values_mut().filter(|i| i.table.same(from)) {
            i.table = to.clone();
        }
        for t in self.tables.values_mut() {
            if t.partition_of.as_ref().is_some_and(|p| p.same(from)) {
                t.partition_of = Some(to.clone());
            }
            for c in &mut t.constraints {
                if let ConstraintKind::ForeignKey { references, .. } = &mut c.kind
                    && references.table.same(from)
                {
                    references.table = to.clone();
                }
            }
        }
        for v in self.views.values_mut() {
            for r in v.reads.iter_mut().filter(|r| r.same(from)) {
                *r = to.clone();
            }
        }
    }

    fn apply_action(&mut self, table: &ObjName, action: &AlterAction) {
        let key = table.key();
        if let AlterAction::RenameTable { to } = action {
            if let Some(mut t) = self.tables.remove(&key) {
                t.name = ObjName {
                    schema: table.schema.clone(),
                    name: to.clone(),
                };
                let new_name = t.name.clone();
                self.tables.insert(new_name.key(), t);
                self.renamed(table, &new_name);
            }
            return;
        }
        if let AlterAction::AttachPartition { partition, default } = action
            && let Some(p) = self.tables.get_mut(&partition.key())
        {
            p.partition_of = Some(table.clone());
            p.default_partition = *default;
            return;
        }
        if let AlterAction::DetachPartition { partition, .. } = action
            && let Some(p) = self.tables.get_mut(&partition.key())
        {
            p.partition_of = None;
            p.default_partition = false;
            return;
        }
        if self.views.contains_key(&key) || self.sequences.contains_key(&key) {
            return;
        }
        // A table created before the replayed migrations: remember what the ALTERs tell us
        // (constraints added and validated, columns added), e.g. for the SET NOT NULL recipe.
        let t = self.tables.entry(key).or_insert_with(|| TableInfo {
            name: table.clone(),
            columns: Vec::new(),
            constraints: Vec::new(),
            partition_of: None,
            default_partition: false,
            created_in: 0,
            partial: true,
        });
        match action {
            AlterAction::AddColumn {
                column,
                if_not_exists,
            } if !(*if_not_exists && t.column(&column.name).is_some()) => add_column(t, column),
            AlterAction::DropColumn { name, .. } => {
                t.columns.retain(|c| &c.name != name);
                // Constraints on the column go with it (a foreign key's lock on its parent too).
                t.constraints
                    .retain(|c| !constraint_columns(&c.kind).contains(&name.as_str()));
            }
            AlterAction::AlterColumnType { column, ty, .. } => {
                if let Some(c) = t.columns.iter_mut().find(|c| &c.name == column) {
                    c.ty = ty.clone();
                }
            }
            AlterAction::SetNotNull { column } | AlterAction::DropNotNull { column } => {
                let nn = matches!(action, AlterAction::SetNotNull { .. });
                if let Some(c) = t.columns.iter_mut().find(|c| &c.name == column) {
                    c.not_null = nn;
                }
            }
            AlterAction::AddConstraint(c) => add_constraint(t, c),
            AlterAction::ValidateConstraint { name } => {
                if let Some(c) = t.constraints.iter_mut().find(|c| &c.name == name) {
                    c.validated = true;
                }
            }
            AlterAction::DropConstraint { name, .. } => t.constraints.retain(|c| &c.name != name),
            AlterAction::RenameColumn { from, to } => {
                if let Some(c) = t.columns.iter_mut().find(|c| &c.name == from) {
                    c.name = SmallStr::new(to);
                }
                for c in &mut t.constraints {
                    rename_constraint_column(&mut c.kind, from, to);
                }
            }
            AlterAction::RenameConstraint { from, to } => {
                if let Some(c) = t.constraints.iter_mut().find(|c| &c.name == from) {
                    c.name = to.clone();
                }
            }
            _ => {}
        }
    }
}

/// Add a table's key to one of the fast negative checks.
fn note(set: &mut HashSet<String>, name: &ObjName) {
    if !with_key(name, |k| set.contains(k)) {
        set.insert(name.key());
    }
}

/// The table's own columns a constraint is on.
pub fn constraint_columns(kind: &ConstraintKind) -> Vec<&str> {
    match kind {
        ConstraintKind::PrimaryKey { columns, .. }
        | ConstraintKind::Unique { columns, .. }
        | ConstraintKind::ForeignKey { columns, .. } => {
            columns.iter().map(String::as_str).collect()
        }
        ConstraintKind::Check {
            not_null_of: Some(c),
            ..
        } => vec![c.as_str()],
        ConstraintKind::Check { .. } | ConstraintKind::Exclude => Vec::new(),
    }
}

fn rename_constraint_column(kind: &mut ConstraintKind, from: &str, to: &str) {
    let cols = match kind {
        ConstraintKind::PrimaryKey { columns, .. }
        | ConstraintKind::Unique { columns, .. }
        | ConstraintKind::ForeignKey { columns, .. } => columns,
        ConstraintKind::Check {
            not_null_of: Some(c),
            ..
        } => {
            if c == from {
                *c = to.to_string();
            }
            return;
        }
        ConstraintKind::Check { .. } | ConstraintKind::Exclude => return,
    };
    for c in cols.iter_mut().filter(|c| c.as_str() == from) {
        *c = to.to_string();
    }
}

fn add_column(t: &mut TableInfo, c: &ColumnDef) {
    t.columns.push(ColumnInfo {
        name: c.name.clone(),
        ty: c.ty.clone(),
        not_null: c.not_null,
    });
    if c.primary_key {
        let name = format!("{}_pkey", t.name.name);
        push_constraint(
            t,
            name,
            ConstraintKind::PrimaryKey {
                columns: vec![c.name.to_string()],
                using_index: None,
            },
            true,
        );
    }
    if c.unique {
        let name = format!("{}_{}_key", t.name.name, c.name);
        push_constraint(
            t,
            name,
            ConstraintKind::Unique {
                columns: vec![c.name.to_string()],
                using_index: None,
            },
            true,
        );
    }
    if let Some(r) = &c.references {
        let name = format!("{}_{}_fkey", t.name.name, c.name);
        push_constraint(
            t,
            name,
            ConstraintKind::ForeignKey {
                columns: vec![c.name.to_string()],
                references: FkRef {
                    table: r.table.clone(),
                    columns: r.columns.clone(),
                },
            },
            true,
        );
    }
    if let Some(check) = &c.check {
        let name = format!("{}_{}_check", t.name.name, c.name);
        push_constraint(
            t,
            name,
            ConstraintKind::Check {
                expr: check.to_string(),
                not_null_of: None,
            },
            true,
        );
    }
}

fn push_constraint(t: &mut TableInfo, name: String, kind: ConstraintKind, validated: bool) {
    t.constraints.push(ConstraintInfo {
        name,
        kind,
        validated,
    });
}

/// PostgreSQL's generated constraint name: `<table>_<cols>_<suffix>`.
fn default_name(table: &str, c: &Constraint) -> String {
    let (cols, suffix) = match &c.kind {
        ConstraintKind::PrimaryKey { .. } => return format!("{table}_pkey"),
        ConstraintKind::Unique { columns, .. } => (columns.join("_"), "key"),
        ConstraintKind::ForeignKey { columns, .. } => (columns.join("_"), "fkey"),
        ConstraintKind::Check { not_null_of, .. } => {
            (not_null_of.clone().unwrap_or_default(), "check")
        }
        ConstraintKind::Exclude => (String::new(), "excl"),
    };
    if cols.is_empty() {
        format!("{table}_{suffix}")
    } else {
        format!("{table}_{cols}_{suffix}")
    }
}

fn add_constraint(t: &mut TableInfo, c: &Constraint) {
    let name = c
        .name
        .clone()
        .unwrap_or_else(|| default_name(&t.name.name, c));
    if let ConstraintKind::PrimaryKey { columns, .. } = &c.kind {
        for col in t
            .columns
            .iter_mut()
            .filter(|col| columns.iter().any(|c| *c == col.name))
        {
            col.not_null = true;
        }
    }
    push_constraint(t, name, c.kind.clone(), !c.not_valid);
}
