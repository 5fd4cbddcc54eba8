//! Statements as rules see them.

use super::{LockMode, ObjName, SmallStr, Span, SqlType};
use serde::Serialize;

/// One statement of a migration file.
#[derive(Debug, Clone)]
pub struct Stmt {
    /// Byte range of the whole statement (including its `;`).
    pub span: Span,
    /// What the statement is.
    pub kind: StmtKind,
    /// How it was understood.
    pub parsed: Parsed,
}

/// How a statement was understood.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Parsed {
    /// sqlparser parsed all of it.
    Full,
    /// The fallback recognizer identified it from its tokens.
    Recognized,
    /// Only part of it was understood (e.g. an ALTER TABLE action list with one unparsed action);
    /// the unparsed parts are listed with their spans and the parser's message.
    Partial(Vec<(Span, String)>),
    /// Not understood at all: the parser's message and where it points.
    Unparsed { message: String, at: Span },
}

/// How a column default or generated expression behaves (PostgreSQL function volatility).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum Volatility {
    /// A constant or immutable expression.
    Immutable,
    /// Same value within a statement, e.g. `now()`: evaluated once by ADD COLUMN (PostgreSQL 11+).
    Stable,
    /// A new value per row: `clock_timestamp()`, `random()`, `gen_random_uuid()`, `nextval()`,
    /// and functions locklint does not know.
    Volatile,
}

/// A column default expression.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DefaultExpr {
    /// The expression as written.
    pub text: SmallStr,
    /// Its volatility, looking through casts and nested calls.
    pub volatility: Volatility,
    /// The volatile function that decided it, when there is one.
    pub volatile_fn: Option<Box<str>>,
    /// `DEFAULT NULL`.
    pub is_null: bool,
}

/// A foreign-key reference.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FkRef {
    /// The referenced (parent) table.
    pub table: ObjName,
    /// Referenced columns (may be empty: the parent's primary key).
    pub columns: Vec<String>,
}

/// A column definition in CREATE TABLE or ADD COLUMN.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ColumnDef {
    /// Column name.
    pub name: SmallStr,
    /// Its type.
    pub ty: SqlType,
    /// `NOT NULL` (PRIMARY KEY implies it).
    pub not_null: bool,
    /// `DEFAULT ...`.
    pub default: Option<DefaultExpr>,
    /// `serial`/`bigserial`/`smallserial`: an implicit `nextval()` default.
    pub serial: bool,
    /// `GENERATED ... AS IDENTITY`.
    pub identity: bool,
    /// `GENERATED ALWAYS AS (...) STORED`.
    pub generated_stored: bool,
    /// `GENERATED ALWAYS AS (...)` written `VIRTUAL` or without `STORED` (PostgreSQL 18:
    /// computed when read; an error before 18).
    pub generated_virtual: bool,
    /// Inline `REFERENCES` (boxed: rare, and a column list is kept per column).
    pub references: Option<Box<FkRef>>,
    /// Inline `PRIMARY KEY`.
    pub primary_key: bool,
    /// Inline `UNIQUE`.
    pub unique: bool,
    /// Inline `CHECK (...)`.
    pub check: Option<Box<str>>,
}

/// A table constraint (CREATE TABLE or ADD CONSTRAINT).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Constraint {
    /// Constraint name when given.
    pub name: Option<String>,
    /// What kind of constraint.
    pub kind: ConstraintKind,
    /// `NOT VALID`.
    pub not_valid: bool,
}

/// Constraint kinds.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum ConstraintKind {
    /// PRIMARY KEY (cols) or PRIMARY KEY USING INDEX idx.
    PrimaryKey {
        columns: Vec<String>,
        using_index: Option<String>,
    },
    /// UNIQUE (cols) or UNIQUE USING INDEX idx.
    Unique {
        columns: Vec<String>,
        using_index: Option<String>,
    },
    /// FOREIGN KEY (cols) REFERENCES parent.
    ForeignKey {
        columns: Vec<String>,
        references: FkRef,
    },
    /// CHECK (expr); `not_null_of` is set when the expression is exactly `col IS NOT NULL`.
    /// PostgreSQL 18's `NOT NULL col` constraint is one too, with `not_null_constraint` set: it
    /// locks, reads and proves SET NOT NULL exactly like the CHECK (observed on 18.6).
    Check {
        expr: String,
        not_null_of: Option<String>,
        not_null_constraint: bool,
    },
    /// EXCLUDE USING ...
    Exclude,
}

/// CREATE TABLE.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CreateTable {
    /// The new table.
    pub name: ObjName,
    /// Column definitions.
    pub columns: Vec<ColumnDef>,
    /// Table constraints.
    pub constraints: Vec<Constraint>,
    /// `PARTITION OF parent`.
    pub partition_of: Option<ObjName>,
    /// `... PARTITION OF parent DEFAULT`.
    pub default_partition: bool,
    /// `PARTITION BY ...` (a partitioned table).
    pub partitioned: bool,
    /// `IF NOT EXISTS`.
    pub if_not_exists: bool,
    /// `CREATE TABLE ... AS SELECT` / `LIKE` sources read in full.
    pub reads: Vec<ObjName>,
    /// TEMPORARY / UNLOGGED.
    pub temporary: bool,
}

/// One action of ALTER TABLE.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum AlterAction {
    /// ADD COLUMN.
    AddColumn {
        column: ColumnDef,
        if_not_exists: bool,
    },
    /// DROP COLUMN.
    DropColumn { name: String, if_exists: bool },
    /// ALTER COLUMN ... TYPE.
    AlterColumnType {
        column: String,
        ty: SqlType,
        using: Option<String>,
    },
    /// ALTER COLUMN ... SET DEFAULT.
    SetDefault {
        column: String,
        default: DefaultExpr,
    },
    /// ALTER COLUMN ... DROP DEFAULT.
    DropDefault { column: String },
    /// ALTER COLUMN ... SET NOT NULL.
    SetNotNull { column: String },
    /// ALTER COLUMN ... DROP NOT NULL.
    DropNotNull { column: String },
    /// ALTER COLUMN ... ADD GENERATED ... AS IDENTITY / SET GENERATED / DROP IDENTITY.
    AlterIdentity { column: String },
    /// ALTER COLUMN ... SET EXPRESSION AS (...) (PostgreSQL 17).
    SetExpression { column: String },
    /// ALTER COLUMN ... DROP EXPRESSION [IF EXISTS] (PostgreSQL 13).
    DropExpression { column: String },
    /// ALTER COLUMN ... SET STATISTICS n.
    SetStatistics { column: String },
    /// ALTER COLUMN ... SET STORAGE / SET COMPRESSION / SET (options).
    SetColumnOptions { column: String },
    /// ADD [CONSTRAINT name] ...
    AddConstraint(Constraint),
    /// VALIDATE CONSTRAINT name.
    ValidateConstraint { name: String },
    /// DROP CONSTRAINT name.
    DropConstraint { name: String, if_exists: bool },
    /// RENAME COLUMN a TO b.
    RenameColumn { from: String, to: String },
    /// RENAME TO new.
    RenameTable { to: String },
    /// RENAME CONSTRAINT a TO b.
    RenameConstraint { from: String, to: String },
    /// SET LOGGED / SET UNLOGGED.
    SetLogged { logged: bool },
    /// SET TABLESPACE ts.
    SetTablespace,
    /// SET ( storage_parameter = ... ) / RESET ( ... ).
    SetStorageParams,
    /// SET SCHEMA s.
    SetSchema { schema: String },
    /// ATTACH PARTITION p FOR VALUES ... | DEFAULT.
    AttachPartition { partition: ObjName, default: bool },
    /// DETACH PARTITION p [CONCURRENTLY | FINALIZE].
    DetachPartition {
        partition: ObjName,
        concurrently: bool,
        /// FINALIZE: completes an interrupted DETACH ... CONCURRENTLY.
        finalize: bool,
    },
    /// ENABLE / DISABLE TRIGGER.
    Trigger,
    /// ENABLE / DISABLE / FORCE ROW LEVEL SECURITY.
    RowLevelSecurity,
    /// OWNER TO role.
    Owner,
    /// REPLICA IDENTITY ...
    ReplicaIdentity,
    /// CLUSTER ON / SET WITHOUT CLUSTER.
    ClusterOn,
    /// INHERIT / NO INHERIT parent.
    Inherit,
    /// SET ACCESS METHOD.
    SetAccessMethod,
    /// Anything else, by its leading words.
    Other(String),
}

/// An ALTER TABLE action with the byte range of its clause.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Action {
    /// The action.
    pub action: AlterAction,
    /// Byte range of the clause in the file.
    pub span: Span,
}

/// Kinds of objects for DROP and friends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ObjectKind {
    /// TABLE
    Table,
    /// VIEW
    View,
    /// MATERIALIZED VIEW
    MaterializedView,
    /// INDEX
    Index,
    /// SEQUENCE
    Sequence,
    /// TYPE / DOMAIN
    Type,
    /// SCHEMA
    Schema,
    /// FUNCTION / PROCEDURE / TRIGGER / POLICY / EXTENSION / anything else
    Other,
}

/// REINDEX targets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ReindexTarget {
    /// REINDEX INDEX
    Index,
    /// REINDEX TABLE
    Table,
    /// REINDEX SCHEMA
    Schema,
    /// REINDEX DATABASE
    Database,
    /// REINDEX SYSTEM
    System,
}

impl ReindexTarget {
    /// SCHEMA, DATABASE or SYSTEM: many tables, each in its own transaction.
    pub(crate) fn is_many(self) -> bool {
        matches!(
            self,
            ReindexTarget::Schema | ReindexTarget::Database | ReindexTarget::System
        )
    }
}

/// What an ALTER DOMAIN does to the values already stored in columns of the domain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum DomainChange {
    /// ADD CONSTRAINT ... CHECK (checks every stored value unless NOT VALID).
    AddCheck {
        /// `NOT VALID`: existing values are not checked.
        not_valid: bool,
    },
    /// VALIDATE CONSTRAINT.
    Validate,
    /// SET NOT NULL.
    SetNotNull,
    /// Anything else (DROP CONSTRAINT, SET DEFAULT, RENAME, OWNER TO, ...).
    Other,
}

/// Commands on the whole cluster that PostgreSQL refuses inside a transaction block.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ClusterCommand {
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
}

impl ClusterCommand {
    /// The command as written (`CREATE DATABASE`).
    pub fn sql(self) -> &'static str {
        match self {
            ClusterCommand::CreateDatabase => "CREATE DATABASE",
            ClusterCommand::DropDatabase => "DROP DATABASE",
            ClusterCommand::CreateTablespace => "CREATE TABLESPACE",
            ClusterCommand::DropTablespace => "DROP TABLESPACE",
            ClusterCommand::AlterSystem => "ALTER SYSTEM",
        }
    }
}

/// What a statement is.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum StmtKind {
    /// CREATE TABLE (boxed: it is much larger than the other statements).
    CreateTable(Box<CreateTable>),
    /// ALTER TABLE with its actions in order.
    AlterTable {
        table: ObjName,
        if_exists: bool,
        only: bool,
        actions: Vec<Action>,
    },
    /// CREATE [UNIQUE] INDEX [CONCURRENTLY].
    CreateIndex {
        name: Option<ObjName>,
        table: ObjName,
        unique: bool,
        concurrently: bool,
        if_not_exists: bool,
        columns: Vec<String>,
        /// `ON ONLY table`: on a partitioned table, only the parent's (invalid) index is
        /// created; each partition's index is built and attached separately.
        only: bool,
    },
    /// DROP INDEX [CONCURRENTLY].
    DropIndex {
        names: Vec<ObjName>,
        concurrently: bool,
        if_exists: bool,
    },
    /// REINDEX [CONCURRENTLY].
    Reindex {
        target: ReindexTarget,
        name: Option<ObjName>,
        concurrently: bool,
    },
    /// DROP TABLE / VIEW / MATERIALIZED VIEW / SEQUENCE / TYPE / ...
    Drop {
        object: ObjectKind,
        names: Vec<ObjName>,
        if_exists: bool,
        cascade: bool,
    },
    /// TRUNCATE.
    Truncate { tables: Vec<ObjName> },
    /// LOCK TABLE ... IN mode MODE.
    LockTable {
        tables: Vec<ObjName>,
        mode: LockMode,
    },
    /// VACUUM [FULL] [ANALYZE].
    Vacuum { tables: Vec<ObjName>, full: bool },
    /// ANALYZE.
    Analyze { tables: Vec<ObjName> },
    /// CLUSTER [table [USING index]].
    Cluster { table: Option<ObjName> },
    /// REFRESH MATERIALIZED VIEW [CONCURRENTLY].
    RefreshMatView { name: ObjName, concurrently: bool },
    /// CREATE [OR REPLACE] [MATERIALIZED] VIEW.
    CreateView {
        name: ObjName,
        or_replace: bool,
        materialized: bool,
        reads: Vec<ObjName>,
    },
    /// ALTER VIEW / ALTER MATERIALIZED VIEW.
    AlterView { name: ObjName, materialized: bool },
    /// COMMENT ON.
    Comment { table: Option<ObjName> },
    /// GRANT / REVOKE; `tables`: the tables, views and sequences named with ON [TABLE].
    Grant { tables: Vec<ObjName> },
    /// UPDATE.
    Update {
        table: ObjName,
        has_where: bool,
        /// The WHERE pins a column to a value, a list or a bounded range, or batches with a
        /// LIMIT: it provably touches a part of the table.
        narrowed: bool,
        /// The columns the WHERE pins, when that is its only proof: it touches a part of the
        /// table only through an index or key on one of them. Empty for a LIMIT batch.
        pinned: Vec<String>,
        reads: Vec<ObjName>,
    },
    /// DELETE.
    Delete {
        table: ObjName,
        has_where: bool,
        /// As for UPDATE.
        narrowed: bool,
        /// As for UPDATE.
        pinned: Vec<String>,
        reads: Vec<ObjName>,
    },
    /// INSERT; `select` is true for INSERT ... SELECT.
    Insert {
        table: ObjName,
        select: bool,
        reads: Vec<ObjName>,
    },
    /// A query (SELECT, WITH ...); `full`: a plain SELECT with no WHERE and no LIMIT, which
    /// reads every row of what it names.
    Select { reads: Vec<ObjName>, full: bool },
    /// CREATE SEQUENCE.
    CreateSequence { name: ObjName },
    /// ALTER SEQUENCE.
    AlterSequence { name: ObjName },
    /// CREATE TYPE (enum values when it is an enum).
    CreateType {
        name: ObjName,
        enum_values: Option<Vec<String>>,
    },
    /// ALTER TYPE ... ADD VALUE.
    AlterTypeAddValue { name: ObjName },
    /// Any other ALTER TYPE.
    AlterType { name: ObjName },
    /// CREATE TRIGGER.
    CreateTrigger { table: ObjName },
    /// DROP TRIGGER.
    DropTrigger { table: ObjName },
    /// CREATE / ALTER / DROP POLICY.
    Policy { table: ObjName },
    /// CREATE FUNCTION / PROCEDURE.
    CreateFunction,
    /// DO block.
    Do,
    /// BEGIN / START TRANSACTION.
    Begin,
    /// COMMIT / END.
    Commit,
    /// ROLLBACK / ABORT.
    Rollback,
    /// SAVEPOINT / RELEASE / ROLLBACK TO.
    Savepoint,
    /// SET [LOCAL | SESSION] name = value (lower-cased name).
    Set {
        name: String,
        value: String,
        local: bool,
    },
    /// RESET name / RESET ALL.
    Reset { name: String },
    /// ALTER DOMAIN.
    AlterDomain { name: ObjName, change: DomainChange },
    /// CREATE / DROP DATABASE, CREATE / DROP TABLESPACE, ALTER SYSTEM.
    ClusterWide(ClusterCommand),
    /// A psql meta-command (`\connect`, `\set`, ...).
    PsqlMeta,
    /// CREATE / DROP / ALTER of schemas, extensions, roles, domains, ...: nothing locklint models.
    Other { what: String },
}

impl StmtKind {
    /// A short snake_case name for reports (`alter_table`, `create_index`, ...).
    pub fn name(&self) -> &'static str {
        match self {
            StmtKind::CreateTable(_) => "create_table",
            StmtKind::AlterTable { .. } => "alter_table",
            StmtKind::CreateIndex { .. } => "create_index",
            StmtKind::DropIndex { .. } => "drop_index",
            StmtKind::Reindex { .. } => "reindex",
            StmtKind::Drop { .. } => "drop",
            StmtKind::Truncate { .. } => "truncate",
            StmtKind::LockTable { .. } => "lock_table",
            StmtKind::Vacuum { .. } => "vacuum",
            StmtKind::Analyze { .. } => "analyze",
            StmtKind::Cluster { .. } => "cluster",
            StmtKind::RefreshMatView { .. } => "refresh_materialized_view",
            StmtKind::CreateView { .. } => "create_view",
            StmtKind::AlterView { .. } => "alter_view",
            StmtKind::Comment { .. } => "comment",
            StmtKind::Grant { .. } => "grant",
            StmtKind::Update { .. } => "update",
            StmtKind::Delete { .. } => "delete",
            StmtKind::Insert { .. } => "insert",
            StmtKind::Select { .. } => "select",
            StmtKind::CreateSequence { .. } => "create_sequence",
            StmtKind::AlterSequence { .. } => "alter_sequence",
            StmtKind::CreateType { .. } => "create_type",
            StmtKind::AlterTypeAddValue { .. } => "alter_type_add_value",
            StmtKind::AlterType { .. } => "alter_type",
            StmtKind::CreateTrigger { .. } => "create_trigger",
            StmtKind::DropTrigger { .. } => "drop_trigger",
            StmtKind::Policy { .. } => "policy",
            StmtKind::CreateFunction => "create_function",
            StmtKind::Do => "do",
            StmtKind::Begin => "begin",
            StmtKind::Commit => "commit",
            StmtKind::Rollback => "rollback",
            StmtKind::Savepoint => "savepoint",
            StmtKind::Set { .. } => "set",
            StmtKind::Reset { .. } => "reset",
            StmtKind::AlterDomain { .. } => "alter_domain",
            StmtKind::ClusterWide(_) => "cluster_wide",
            StmtKind::PsqlMeta => "psql_meta",
            StmtKind::Other { .. } => "other",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::mem::size_of;

    #[test]
    fn statements_and_columns_stay_small() {
        // Every statement of a run is kept until the report, and the catalog keeps every
        // column: these bounds (64-bit targets) keep either from growing by accident.
        if size_of::<usize>() == 8 {
            assert!(size_of::<Stmt>() <= 184, "Stmt: {}", size_of::<Stmt>());
            assert!(
                size_of::<ColumnDef>() <= 176,
                "ColumnDef: {}",
                size_of::<ColumnDef>()
            );
            assert!(
                size_of::<SqlType>() <= 72,
                "SqlType: {}",
                size_of::<SqlType>()
            );
        }
    }
}
