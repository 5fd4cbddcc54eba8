//! The schema as replayed from earlier statements: tables, columns, constraints, indexes, views.

use crate::model::effects::push_small;
use crate::model::{
    AlterAction, ColumnDef, Constraint, ConstraintKind, FkRef, ObjName, ObjectKind, SmallStr,
    SqlType, Stmt, StmtKind,
};
use foldhash::{HashMap, HashMapExt, HashSet};

/// A column as the catalog knows it.
#[derive(Debug, Clone)]
pub struct ColumnInfo {
    /// Column name.
    pub name: SmallStr,
    /// Current type.
    pub ty: SqlType,
    /// NOT NULL.
    pub not_null: bool,
    /// A virtual generated column (PostgreSQL 18): its values are computed when read.
    pub generated_virtual: bool,
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
    /// Constraint name → position of the first constraint with that name, for tables with more
    /// than [`INDEXED`] constraints (a migration history can add thousands to one table, and
    /// each VALIDATE looks one up). Boxed: most tables have none, and every table pays for
    /// the field.
    #[allow(clippy::box_collection)]
    by_name: Option<Box<HashMap<SmallStr, usize>>>,
    /// Whether some `CHECK (col IS NOT NULL)` was ever added: most tables have none, and SET NOT
    /// NULL would search all their constraints for one.
    not_null_checks: bool,
}

/// Constraint count above which a table keeps [`TableInfo::by_name`].
const INDEXED: usize = 16;

impl TableInfo {
    fn new(name: ObjName, partial: bool, created_in: usize) -> Self {
        TableInfo {
            name,
            columns: Vec::new(),
            constraints: Vec::new(),
            partition_of: None,
            default_partition: false,
            created_in,
            partial,
            by_name: None,
            not_null_checks: false,
        }
    }

    /// A column by name.
    pub fn column(&self, name: &str) -> Option<&ColumnInfo> {
        self.columns.iter().find(|c| c.name == name)
    }

    /// A constraint by name.
    pub(crate) fn constraint(&self, name: &str) -> Option<&ConstraintInfo> {
        self.constraint_position(name).map(|i| &self.constraints[i])
    }

    /// Whether a validated `CHECK (column IS NOT NULL)` exists.
    pub(crate) fn has_validated_not_null_check(&self, column: &str) -> bool {
        self.not_null_checks
            && self.constraints.iter().any(|c| {
                c.validated
                    && matches!(&c.kind, ConstraintKind::Check { not_null_of: Some(col), .. } if col == column)
            })
    }

    fn constraint_position(&self, name: &str) -> Option<usize> {
        match &self.by_name {
            Some(index) => index.get(name).copied(),
            None => self.constraints.iter().position(|c| c.name == name),
        }
    }

    fn push_constraint(&mut self, c: ConstraintInfo) {
        if matches!(
            c.kind,
            ConstraintKind::Check {
                not_null_of: Some(_),
                ..
            }
        ) {
            self.not_null_checks = true;
        }
        if let Some(index) = &mut self.by_name {
            index
                .entry(SmallStr::new(&c.name))
                .or_insert(self.constraints.len());
        }
        push_small(&mut self.constraints, c);
        if self.by_name.is_none() && self.constraints.len() > INDEXED {
            self.reindex();
        }
    }

    /// Remove the constraints `drop` selects.
    fn remove_constraints(&mut self, drop: impl Fn(&ConstraintInfo) -> bool) {
        let before = self.constraints.len();
        self.constraints.retain(|c| !drop(c));
        if self.constraints.len() != before {
            self.reindex();
        }
    }

    /// Rebuild [`TableInfo::by_name`] after constraints were removed or renamed.
    fn reindex(&mut self) {
        self.by_name = (self.constraints.len() > INDEXED).then(|| {
            let mut index = HashMap::with_capacity(self.constraints.len());
            for (i, c) in self.constraints.iter().enumerate() {
                index.entry(SmallStr::new(&c.name)).or_insert(i);
            }
            Box::new(index)
        });
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

/// Indexes grouped by their table's name ([`Catalog::indexes_by_table`]).
pub(crate) struct IndexesByTable<'a>(HashMap<&'a str, Vec<&'a IndexInfo>>);

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
    pub(crate) fn begin_migration(&mut self) {
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
    pub(crate) fn has_sequence(&self, name: &ObjName) -> bool {
        with_key(name, |k| self.sequences.contains_key(k))
    }

    /// An index by name.
    pub fn index(&self, name: &ObjName) -> Option<&IndexInfo> {
        with_key(name, |k| self.indexes.get(k))
    }

    /// Whether the relation was created in the current migration (and so is empty).
    pub(crate) fn is_new(&self, name: &ObjName) -> bool {
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
    pub(crate) fn index_is_new(&self, name: &ObjName) -> bool {
        self.index(name)
            .map(|i| i.created_in == self.migration)
            .unwrap_or(false)
    }

    /// Tables with a foreign key that references `parent`.
    pub(crate) fn referencing(&self, parent: &ObjName) -> Vec<&TableInfo> {
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

    /// Tables with a column of the type (a domain) `ty`, sorted. A column type written with a
    /// schema must name the same schema; one written without matches the type in any schema
    /// (locklint does not follow search_path).
    pub(crate) fn tables_with_type(&self, ty: &ObjName) -> Vec<ObjName> {
        let matches = |written: &str| match written.rsplit_once('.') {
            Some((schema, name)) => name == ty.name && schema == ty.schema_or_public(),
            None => written == ty.name,
        };
        let mut v: Vec<ObjName> = self
            .tables
            .values()
            .filter(|t| t.columns.iter().any(|c| !c.ty.array && matches(&c.ty.name)))
            .map(|t| t.name.clone())
            .collect();
        v.sort();
        v
    }

    /// The tables of a schema (every table when `schema` is `None`), sorted.
    pub(crate) fn tables_in(&self, schema: Option<&str>) -> Vec<ObjName> {
        let mut v: Vec<ObjName> = self
            .tables
            .values()
            .filter(|t| schema.is_none_or(|s| t.name.schema_or_public() == s))
            .map(|t| t.name.clone())
            .collect();
        v.sort();
        v
    }

    /// The DEFAULT partition of a partitioned table, if one is known.
    pub(crate) fn default_partition(&self, parent: &ObjName) -> Option<&TableInfo> {
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
    pub(crate) fn dependent_views(&self, rel: &ObjName) -> Vec<ObjName> {
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

    /// Whether an index, primary key or unique constraint of `table` (or of the partitioned
    /// table it is a partition of) has `columns`, in any order, as its leading columns: the
    /// lookups a foreign key on them makes (on every DELETE or key UPDATE of the referenced
    /// table) can use it. An expression index does not count; a partial index does (locklint
    /// does not keep its predicate).
    pub fn has_index_leading(&self, table: &ObjName, columns: &[String]) -> bool {
        self.key_or_index_leading(table, columns, self.indexes.values())
    }

    /// The catalog's indexes grouped by their table's name, for many
    /// [`Catalog::has_index_leading_in`] questions in a row (one pass over the indexes instead
    /// of one per question).
    pub(crate) fn indexes_by_table(&self) -> IndexesByTable<'_> {
        let mut map: HashMap<&str, Vec<&IndexInfo>> = HashMap::new();
        for i in self.indexes.values() {
            map.entry(i.table.name.as_str()).or_default().push(i);
        }
        IndexesByTable(map)
    }

    /// [`Catalog::has_index_leading`], with the indexes grouped once by
    /// [`Catalog::indexes_by_table`].
    pub(crate) fn has_index_leading_in(
        &self,
        table: &ObjName,
        columns: &[String],
        grouped: &IndexesByTable<'_>,
    ) -> bool {
        let parent = self.table(table).and_then(|t| t.partition_of.as_ref());
        let of = |n: &ObjName| {
            grouped
                .0
                .get(n.name.as_str())
                .into_iter()
                .flatten()
                .copied()
        };
        let candidates = of(table).chain(parent.into_iter().flat_map(of));
        self.key_or_index_leading(table, columns, candidates)
    }

    /// Whether a primary key or unique constraint of the table (or of the table it is a
    /// partition of), or one of `indexes` on either, leads with `columns` (in any order).
    fn key_or_index_leading<'a>(
        &self,
        table: &ObjName,
        columns: &[String],
        mut indexes: impl Iterator<Item = &'a IndexInfo>,
    ) -> bool {
        if columns.is_empty() {
            return true;
        }
        let leads = |cols: &[String]| {
            cols.len() >= columns.len() && columns.iter().all(|c| cols[..columns.len()].contains(c))
        };
        let parent = self.table(table).and_then(|t| t.partition_of.as_ref());
        let mine = |t: &ObjName| t.same(table) || parent.is_some_and(|p| p.same(t));
        let by_key = |t: &TableInfo| {
            t.constraints.iter().any(|c| match &c.kind {
                ConstraintKind::PrimaryKey { columns, .. }
                | ConstraintKind::Unique { columns, .. } => leads(columns),
                _ => false,
            })
        };
        self.table(table).is_some_and(by_key)
            || parent.and_then(|p| self.table(p)).is_some_and(by_key)
            || indexes.any(|i| mine(&i.table) && leads(&i.columns))
    }

    /// The key PostgreSQL's name for an unnamed index would have: `<table>_<cols>_idx`, with a
    /// number added when that name is taken.
    fn unnamed_index_key(&self, table: &ObjName, columns: &[String]) -> String {
        let cols: Vec<&str> = columns
            .iter()
            .map(|c| {
                if c.chars().all(|ch| ch.is_alphanumeric() || ch == '_') {
                    c.as_str()
                } else {
                    "expr"
                }
            })
            .collect();
        let base = format!("{}_{}_idx", table.name, cols.join("_"));
        let key = |name: String| index_key(&ObjName::bare(&name), table.schema.as_deref());
        let mut k = key(base.clone());
        let mut n = 1;
        while self.indexes.contains_key(&k) && n < 1000 {
            k = key(format!("{base}{n}"));
            n += 1;
        }
        k
    }

    /// The primary key's columns of a table, when known.
    pub(crate) fn primary_key(&self, table: &ObjName) -> Option<&[String]> {
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
    pub(crate) fn apply(&mut self, stmt: &Stmt) {
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
                let mut t = TableInfo::new(ct.name.clone(), false, self.migration);
                t.columns.reserve_exact(ct.columns.len());
                t.partition_of = ct.partition_of.clone();
                t.default_partition = ct.default_partition;
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
                name,
                table,
                unique,
                columns,
                if_not_exists,
                ..
            } => {
                let key = match name {
                    Some(n) => index_key(n, table.schema.as_deref()),
                    None => self.unnamed_index_key(table, columns),
                };
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
            t.remove_constraints(|c| {
                matches!(&c.kind, ConstraintKind::ForeignKey { references, .. }
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
        let t = self
            .tables
            .entry(key)
            .or_insert_with(|| TableInfo::new(table.clone(), true, 0));
        match action {
            AlterAction::AddColumn {
                column,
                if_not_exists,
            } if !(*if_not_exists && t.column(&column.name).is_some()) => add_column(t, column),
            AlterAction::DropColumn { name, .. } => {
                t.columns.retain(|c| &c.name != name);
                // Constraints on the column go with it (a foreign key's lock on its parent too).
                t.remove_constraints(|c| constraint_columns(&c.kind).contains(&name.as_str()));
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
                if let Some(i) = t.constraint_position(name) {
                    t.constraints[i].validated = true;
                }
            }
            AlterAction::DropConstraint { name, .. } => t.remove_constraints(|c| &c.name == name),
            AlterAction::RenameColumn { from, to } => {
                if let Some(c) = t.columns.iter_mut().find(|c| &c.name == from) {
                    c.name = SmallStr::new(to);
                }
                for c in &mut t.constraints {
                    rename_constraint_column(&mut c.kind, from, to);
                }
            }
            AlterAction::RenameConstraint { from, to } => {
                if let Some(i) = t.constraint_position(from) {
                    t.constraints[i].name = to.clone();
                    t.reindex();
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
pub(crate) fn constraint_columns(kind: &ConstraintKind) -> Vec<&str> {
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
        generated_virtual: c.generated_virtual,
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
                not_null_constraint: false,
            },
            true,
        );
    }
}

fn push_constraint(t: &mut TableInfo, name: String, kind: ConstraintKind, validated: bool) {
    t.push_constraint(ConstraintInfo {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceFile;

    fn replayed(sql: &str) -> Catalog {
        let src = SourceFile::new("0001.sql", sql.to_string());
        let mut cat = Catalog::default();
        for s in crate::parse::parse_source(&src) {
            cat.apply(&s);
        }
        cat
    }

    #[test]
    fn constraint_lookups_by_name_find_the_first_past_the_index_threshold() {
        let mut sql = String::from("CREATE TABLE t (a int, b int);\n");
        for i in 0..40 {
            sql += &format!("ALTER TABLE t ADD CONSTRAINT c{i} CHECK (a > {i}) NOT VALID;\n");
        }
        sql += "ALTER TABLE t ADD CONSTRAINT c5 CHECK (b > 0) NOT VALID;\n\
                ALTER TABLE t VALIDATE CONSTRAINT c5;\n\
                ALTER TABLE t DROP CONSTRAINT c7;\n\
                ALTER TABLE t RENAME CONSTRAINT c8 TO c7;\n\
                ALTER TABLE t VALIDATE CONSTRAINT c7;\n\
                ALTER TABLE t ADD CONSTRAINT nn CHECK (b IS NOT NULL);\n";
        let cat = replayed(&sql);
        let t = cat.table(&ObjName::bare("t")).expect("t is replayed");
        assert!(t.by_name.is_some());
        for name in ["c0", "c5", "c7", "c8", "c39", "nn", "missing"] {
            let linear = t.constraints.iter().position(|c| c.name == name);
            assert_eq!(t.constraint_position(name), linear, "{name}");
        }
        let validated: Vec<&str> = t
            .constraints
            .iter()
            .filter(|c| c.validated)
            .map(|c| c.name.as_str())
            .collect();
        // The first c5 (not the later one of the same name), the renamed c8, and nn.
        assert_eq!(validated, ["c5", "c7", "nn"]);
        assert_eq!(t.constraints[5].name, "c5");
        assert!(t.has_validated_not_null_check("b"));
        assert!(!t.has_validated_not_null_check("a"));
    }
}
