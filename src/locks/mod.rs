//! The lock model as data: for each thing a statement does to one relation (an [`Action`]), the
//! lock mode it holds there until commit, the work done under it, how it reaches the partitions
//! of a partitioned table, whether PostgreSQL refuses it inside a transaction block, and the
//! server versions it applies to. Each row names the ground-truth observations it is checked
//! against (ids of `../shared/postgres-locks/locks_detailed.csv` and
//! `testdata/oracle/extra_statements.csv`).
//!
//! Which action applies to which relation is decided in `analyze::effects` (it needs the
//! catalog: is the column already NOT NULL, is the partition proven by a CHECK, ...); what the
//! action then locks and does is read from the table here, and nowhere else. Rules select work
//! and locks by their [`Action`] (carried in every `model::Cause`) and never name a lock mode.
//!
//! A second dialect's model sits beside [`postgres`] as another table of [`Row`]s.

pub mod postgres;

use crate::model::{LockMode, WorkKind};
use serde::Serialize;

/// What a statement does to one relation: the key of the model's rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    // --- queries and data changes
    /// A relation a query reads (SELECT, a subquery, a plain view's definition once expanded).
    Read,
    /// A relation a query reads in full (CREATE TABLE AS, a materialized view's query).
    ReadAll,
    /// A relation named by a plain view's definition (only parsed, never run).
    ViewDefinition,
    /// A plain SELECT with no WHERE and no LIMIT: every row of what it names is read.
    SelectAll,
    /// UPDATE / DELETE whose WHERE provably narrows (a key or column pinned to a value, a list,
    /// a bounded range, a LIMIT batch).
    WriteSome,
    /// UPDATE / DELETE whose WHERE proves nothing about how many rows it touches (`IS NULL`,
    /// `<>`, a one-sided range): counted as every row.
    WriteUnbounded,
    /// UPDATE / DELETE of every row (no WHERE).
    WriteAll,
    /// INSERT ... VALUES.
    Insert,
    /// INSERT ... SELECT: writes as many rows as the query returns.
    InsertSelect,
    /// LOCK TABLE: the mode written in the statement.
    LockTable,
    /// GRANT / REVOKE ON TABLE: the table (PostgreSQL 18 locks it).
    Grant,

    // --- CREATE / DROP
    /// The table a new table's foreign key references.
    CreateTableReferenced,
    /// The parent of CREATE TABLE ... PARTITION OF.
    CreatePartitionParent,
    /// The DEFAULT partition when a new partition is created: its rows are checked.
    CreatePartitionDefault,
    /// DROP TABLE.
    DropTable,
    /// The table a dropped table's foreign key references.
    DropTableReferenced,
    /// DROP ... CASCADE: a table whose foreign key references the dropped one.
    DropCascadeReferencing,
    /// DROP ... CASCADE: a view or materialized view built on what is dropped.
    DropCascadeView,
    /// DROP VIEW / DROP MATERIALIZED VIEW.
    DropView,
    /// DROP SEQUENCE.
    DropSequence,
    /// TRUNCATE.
    Truncate,
    /// TRUNCATE of a referenced table: the referencing tables go too.
    TruncateReferencing,
    /// CREATE OR REPLACE VIEW of an existing view.
    ReplaceView,
    /// ALTER VIEW / ALTER MATERIALIZED VIEW.
    AlterView,
    /// COMMENT ON TABLE / COLUMN.
    Comment,
    /// ALTER SEQUENCE.
    AlterSequence,
    /// CREATE TRIGGER.
    CreateTrigger,
    /// DROP TRIGGER.
    DropTrigger,
    /// CREATE / ALTER / DROP POLICY.
    Policy,

    // --- indexes and maintenance
    /// CREATE INDEX.
    CreateIndex,
    /// CREATE INDEX CONCURRENTLY.
    CreateIndexConcurrently,
    /// CREATE INDEX ON ONLY a partitioned table: the parent's index alone, no row read.
    CreateIndexOnOnly,
    /// DROP INDEX: the index's table.
    DropIndex,
    /// DROP INDEX CONCURRENTLY.
    DropIndexConcurrently,
    /// REINDEX TABLE / INDEX.
    Reindex,
    /// REINDEX ... CONCURRENTLY.
    ReindexConcurrently,
    /// REINDEX SCHEMA / DATABASE: each table of the schema (database) in turn, each in its own
    /// transaction.
    ReindexMany,
    /// REINDEX SCHEMA / DATABASE CONCURRENTLY: each table in turn.
    ReindexManyConcurrently,
    /// REINDEX SYSTEM: the system catalogs only.
    ReindexSystem,
    /// VACUUM (not FULL).
    Vacuum,
    /// VACUUM FULL.
    VacuumFull,
    /// ANALYZE.
    Analyze,
    /// CLUSTER table.
    Cluster,
    /// CLUSTER without a table: every clustered table.
    ClusterAll,
    /// REFRESH MATERIALIZED VIEW.
    RefreshMatView,
    /// REFRESH MATERIALIZED VIEW CONCURRENTLY.
    RefreshMatViewConcurrently,

    // --- domains
    /// ALTER DOMAIN ... ADD CHECK (validated): every table with a column of the domain.
    AlterDomainAddCheck,
    /// ALTER DOMAIN ... ADD CHECK ... NOT VALID: no table is locked or read.
    AlterDomainAddCheckNotValid,
    /// ALTER DOMAIN ... VALIDATE CONSTRAINT: every table with a column of the domain.
    AlterDomainValidate,
    /// ALTER DOMAIN ... SET NOT NULL: every table with a column of the domain.
    AlterDomainSetNotNull,

    // --- the whole cluster
    /// CREATE DATABASE.
    CreateDatabase,
    /// DROP DATABASE.
    DropDatabase,
    /// CREATE TABLESPACE.
    CreateTablespace,
    /// DROP TABLESPACE.
    DropTablespace,
    /// ALTER SYSTEM.
    AlterSystem,

    // --- ALTER TABLE: columns
    /// ADD COLUMN, catalog only.
    AddColumn,
    /// ADD COLUMN ... DEFAULT <non-volatile, non-null>: stored once from PostgreSQL 11.
    AddColumnDefault,
    /// ADD COLUMN ... DEFAULT <volatile>: every row gets its own value.
    AddColumnVolatileDefault,
    /// ADD COLUMN serial / IDENTITY / GENERATED ... STORED: a value computed for every row.
    AddColumnGenerated,
    /// ADD COLUMN ... PRIMARY KEY / UNIQUE: an index built over every row.
    AddColumnKey,
    /// ADD COLUMN ... GENERATED ALWAYS AS (...) [VIRTUAL] (PostgreSQL 18): computed when read,
    /// catalog only.
    AddColumnVirtual,
    /// ALTER COLUMN ... SET EXPRESSION AS (...) of a stored generated column (PostgreSQL 17):
    /// every row is recomputed.
    SetExpression,
    /// ALTER COLUMN ... SET EXPRESSION AS (...) of a virtual generated column (PostgreSQL 18):
    /// catalog only.
    SetExpressionVirtual,
    /// ALTER COLUMN ... DROP EXPRESSION (PostgreSQL 13): the stored values stay, catalog only.
    DropExpression,
    /// ADD COLUMN ... CHECK: every row checked (a NULL passes, but each row is read all the same).
    AddColumnCheck,
    /// ADD COLUMN ... REFERENCES with a non-null default: every row validated.
    AddColumnReferencesValidated,
    /// The table an added column references.
    AddColumnReferenced,
    /// ALTER COLUMN TYPE, binary-coercible: catalog only.
    AlterColumnTypeMetadata,
    /// ALTER COLUMN TYPE that rebuilds the column's indexes without a rewrite
    /// (timestamp → timestamptz with TimeZone UTC).
    AlterColumnTypeScan,
    /// ALTER COLUMN TYPE that rewrites the table (not binary-coercible, or a USING expression).
    AlterColumnTypeRewrite,
    /// ALTER COLUMN TYPE ... USING an expression (more than a cast of the column): rewrites.
    AlterColumnTypeUsing,
    /// ALTER COLUMN TYPE whose current type is unknown: assumed to rewrite.
    AlterColumnTypeUnknown,
    /// The other table of a foreign key on a column whose type changes or that is dropped.
    ForeignKeyPartner,
    /// SET NOT NULL that reads every row to prove it.
    SetNotNullScan,
    /// SET NOT NULL proven by a validated CHECK (col IS NOT NULL): no scan from PostgreSQL 12.
    SetNotNullCheckProven,
    /// SET NOT NULL on a column already NOT NULL.
    SetNotNullNoop,
    /// DROP COLUMN.
    DropColumn,
    /// Other column-level changes, catalog only (SET/DROP DEFAULT, DROP NOT NULL, identity,
    /// column options, RENAME COLUMN / CONSTRAINT): recursed to partitions.
    AlterColumnCatalog,
    /// SET STATISTICS.
    SetStatistics,

    // --- ALTER TABLE: constraints
    /// ADD FOREIGN KEY (validated).
    AddForeignKey,
    /// ADD FOREIGN KEY ... NOT VALID.
    AddForeignKeyNotValid,
    /// The table a new foreign key references.
    ForeignKeyReferenced,
    /// ADD CHECK (validated).
    AddCheck,
    /// ADD CONSTRAINT ... NOT NULL col (PostgreSQL 18), validated: every row read.
    AddNotNull,
    /// ADD CONSTRAINT ... NOT NULL col NOT VALID (PostgreSQL 18).
    AddNotNullNotValid,
    /// ADD CHECK ... NOT VALID.
    AddCheckNotValid,
    /// ADD PRIMARY KEY: builds the index.
    AddPrimaryKey,
    /// ADD PRIMARY KEY USING INDEX on NOT NULL columns.
    AddPrimaryKeyUsingIndex,
    /// ADD PRIMARY KEY USING INDEX on nullable columns: they are set NOT NULL, reading every row.
    AddPrimaryKeyUsingIndexNullable,
    /// ADD UNIQUE: builds the index.
    AddUnique,
    /// ADD UNIQUE USING INDEX.
    AddUniqueUsingIndex,
    /// ADD EXCLUDE: builds the index.
    AddExclude,
    /// VALIDATE CONSTRAINT.
    ValidateConstraint,
    /// The table a foreign key being validated references.
    ValidateForeignKeyReferenced,
    /// DROP CONSTRAINT.
    DropConstraint,
    /// The table a dropped foreign key references.
    DropForeignKeyReferenced,
    /// A table whose foreign key depends on a dropped key (CASCADE).
    DropKeyCascade,

    // --- ALTER TABLE: table-level
    /// SET LOGGED / UNLOGGED.
    SetLogged,
    /// SET TABLESPACE.
    SetTablespace,
    /// SET ACCESS METHOD.
    SetAccessMethod,
    /// SET ( storage parameters ), CLUSTER ON.
    SetStorageParams,
    /// ENABLE / DISABLE TRIGGER.
    AlterTrigger,
    /// Other table-level changes, catalog only (RENAME, row level security, owner, ...).
    AlterTableCatalog,
    /// ATTACH PARTITION: the partitioned table.
    AttachPartitionParent,
    /// ATTACH PARTITION: the attached table, read to check the bound.
    AttachPartitionScan,
    /// ATTACH PARTITION: the attached table, its bound proven (a validated CHECK, or new).
    AttachPartitionProven,
    /// ATTACH PARTITION: the DEFAULT partition, read to check it has no row of the new bound.
    AttachDefaultPartitionScan,
    /// ATTACH PARTITION: the DEFAULT partition, proven by its own CHECK.
    AttachDefaultPartitionProven,
    /// DETACH PARTITION: the partitioned table.
    DetachPartitionParent,
    /// DETACH PARTITION CONCURRENTLY: the partitioned table.
    DetachPartitionConcurrentlyParent,
    /// DETACH PARTITION ... FINALIZE: the partitioned table.
    DetachPartitionFinalizeParent,
    /// DETACH PARTITION (any form): the partition detached.
    DetachPartition,
    /// DETACH PARTITION: the DEFAULT partition, whose implicit constraint changes.
    DetachDefaultPartition,
}

/// How the lock of a row is chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Always this mode.
    Fixed(LockMode),
    /// The mode the statement names (LOCK TABLE ... IN <mode> MODE).
    AsWritten,
    /// No relation is locked (a statement-level property only).
    NoLock,
}

/// How an action on a partitioned table reaches its partitions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Partitions {
    /// Not applied to the partitions.
    No,
    /// Applied to every partition with the same lock and work.
    Same,
    /// Applied to every partition with this lock and the same work (an index is built on each
    /// partition under SHARE).
    Lock(LockMode),
    /// Every partition is locked in the same mode; the work stays on the named table (UPDATE /
    /// DELETE open every partition for writing, the row updates are counted on the table).
    LockOnly,
}

/// One row of a lock model.
#[derive(Debug, Clone, Copy)]
pub struct Row {
    /// What the statement does to the relation.
    pub action: Action,
    /// First server major version the row applies to.
    pub since: u32,
    /// Last server major version the row applies to.
    pub until: u32,
    /// The lock held on the relation until commit.
    pub mode: Mode,
    /// The long work done on the relation under it.
    pub work: Option<WorkKind>,
    /// How it reaches the partitions of a partitioned table.
    pub partitions: Partitions,
    /// The server refuses the statement inside a transaction block (SQLSTATE 25001).
    pub no_transaction: bool,
    /// The server does not know the statement on these versions (a syntax error, or a feature
    /// it does not have yet): no lock, no work, and the statement fails.
    pub refused: bool,
    /// Ground truth: observation ids (`locks_detailed.csv`, `extra_statements.csv`); empty
    /// for rows taken from the documentation only. Read by the model's tests.
    #[cfg_attr(
        not(test),
        allow(dead_code, reason = "the rows' citations, checked by tests")
    )]
    pub truth: &'static [&'static str],
}

impl Row {
    /// Whether the row applies to a server major version.
    pub fn applies_to(&self, version: u32) -> bool {
        (self.since..=self.until).contains(&version)
    }

    /// The first server version that knows the statement, for a row of versions that do not.
    pub fn needs_version(&self) -> Option<u32> {
        self.refused.then(|| self.until.saturating_add(1))
    }

    /// The lock the row takes, given the mode a statement names (LOCK TABLE).
    pub fn lock(&self, written: Option<LockMode>) -> Option<LockMode> {
        match self.mode {
            Mode::Fixed(m) => Some(m),
            Mode::AsWritten => written,
            Mode::NoLock => None,
        }
    }
}

/// A dialect's lock model: its rows.
pub struct Model {
    /// Every row; exactly one applies to each action on each supported version.
    pub rows: &'static [Row],
    /// Oldest and newest server versions the rows cover.
    pub versions: (u32, u32),
    /// Row indices by action, built on first use.
    pub index: std::sync::OnceLock<Vec<Vec<u16>>>,
}

impl Model {
    /// The row for an action on a server version. Every action has one for every supported
    /// version (a test checks it); outside the range the nearest supported version is used.
    pub fn row(&self, action: Action, version: u32) -> &'static Row {
        let v = version.clamp(self.versions.0, self.versions.1);
        let rows = self.rows;
        // Rows of one action are at most a few: found through the per-action index.
        let by_action = self.index.get_or_init(|| {
            let mut ix: Vec<Vec<u16>> = Vec::new();
            for (i, r) in rows.iter().enumerate() {
                let a = r.action as usize;
                if ix.len() <= a {
                    ix.resize(a + 1, Vec::new());
                }
                ix[a].push(u16::try_from(i).unwrap_or(u16::MAX));
            }
            ix
        });
        let mine = by_action
            .get(action as usize)
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        let row = |i: &u16| rows.get(usize::from(*i));
        mine.iter()
            .filter_map(row)
            .find(|r| r.applies_to(v))
            .or_else(|| mine.first().and_then(row))
            .unwrap_or(&FALLBACK)
    }
}

/// Used only if a row were missing (a test rules that out): the strongest lock, no work.
static FALLBACK: Row = Row {
    action: Action::AlterTableCatalog,
    since: 0,
    until: u32::MAX,
    mode: Mode::Fixed(LockMode::AccessExclusive),
    work: None,
    partitions: Partitions::No,
    no_transaction: false,
    refused: false,
    truth: &[],
};
