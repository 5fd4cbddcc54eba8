//! PostgreSQL's lock model, one row per action (see the module above). Verified against
//! `pg_locks`, relfilenodes and scan counters on PostgreSQL 15 and 16
//! (`../shared/postgres-locks`), by the oracle test on a live server, and by the table-driven
//! model test on the stored observations.

use super::{Action, Mode, Model, Partitions, Row};
use crate::model::LockMode::*;
use crate::model::{LockMode, WorkKind};

/// The PostgreSQL model.
pub static MODEL: Model = Model {
    rows: ROWS,
    versions: (9, 18),
    index: std::sync::OnceLock::new(),
};

const ALL: (u32, u32) = (0, u32::MAX);

/// A row for every version, no work, not recursed, allowed in a transaction.
const fn row(action: Action, mode: LockMode, truth: &'static [&'static str]) -> Row {
    Row {
        action,
        since: ALL.0,
        until: ALL.1,
        mode: Mode::Fixed(mode),
        work: None,
        partitions: Partitions::No,
        no_transaction: false,
        refused: false,
        truth,
    }
}

/// A row for versions that do not know the statement (they reject it): no lock, no work.
const fn refused(action: Action, until: u32) -> Row {
    Row {
        action,
        since: ALL.0,
        until,
        mode: Mode::NoLock,
        work: None,
        partitions: Partitions::No,
        no_transaction: false,
        refused: true,
        truth: &[],
    }
}

impl Row {
    const fn work(mut self, w: WorkKind) -> Row {
        self.work = Some(w);
        self
    }
    const fn partitions(mut self, p: Partitions) -> Row {
        self.partitions = p;
        self
    }
    const fn recursed(self) -> Row {
        self.partitions(Partitions::Same)
    }
    const fn no_transaction(mut self) -> Row {
        self.no_transaction = true;
        self
    }
    const fn versions(mut self, since: u32, until: u32) -> Row {
        self.since = since;
        self.until = until;
        self
    }
    const fn mode(mut self, m: Mode) -> Row {
        self.mode = m;
        self
    }
}

use Action as A;
use WorkKind::*;

/// Every row. Order does not matter; version-gated actions have one row per range.
static ROWS: &[Row] = &[
    // --- queries and data changes
    // The executor locks every partition of a partitioned table it reads (pruning can skip
    // some: for a filtered query this is an upper bound) and the base relations of views.
    row(
        A::Read,
        AccessShare,
        &["select_filtered", "part_select_filtered"],
    )
    .recursed(),
    row(A::ReadAll, AccessShare, &["create_mv_on_view"])
        .work(Scan)
        .recursed(),
    row(
        A::ViewDefinition,
        AccessShare,
        &["create_view", "create_view_on_view"],
    ),
    row(A::SelectAll, AccessShare, &["part_select", "select_view"])
        .work(Scan)
        .recursed(),
    row(A::WriteSome, RowExclusive, &["update_by_key"]).partitions(Partitions::LockOnly),
    row(A::WriteUnbounded, RowExclusive, &["update_where_is_null"])
        .work(RowUpdates)
        .partitions(Partitions::LockOnly),
    row(
        A::WriteAll,
        RowExclusive,
        &["update_all", "delete_all", "part_update_all"],
    )
    .work(RowUpdates)
    .partitions(Partitions::LockOnly),
    // Partitions are locked only as rows are routed to them: not modelled.
    row(A::Insert, RowExclusive, &[]),
    row(A::InsertSelect, RowExclusive, &["insert_select"]).work(RowUpdates),
    // Observed: no lock on 15 (and 16, shared ground truth); ACCESS SHARE on 18.6 (17 not
    // observed: taken as before).
    row(A::Grant, AccessShare, &["grant"])
        .mode(Mode::NoLock)
        .versions(0, 17),
    row(A::Grant, AccessShare, &["grant"]).versions(18, u32::MAX),
    row(
        A::LockTable,
        AccessExclusive,
        &["lock_table", "part_lock_table", "lock_view"],
    )
    .mode(Mode::AsWritten)
    .recursed(),
    // --- CREATE / DROP
    row(
        A::CreateTableReferenced,
        ShareRowExclusive,
        &["create_table_references"],
    ),
    row(
        A::CreatePartitionParent,
        AccessExclusive,
        &["part_create_partition_with_default"],
    ),
    row(
        A::CreatePartitionDefault,
        AccessExclusive,
        &["part_create_partition_with_default"],
    )
    .work(Scan),
    row(
        A::DropTable,
        AccessExclusive,
        &["drop_table", "part_drop_table"],
    )
    .recursed(),
    row(
        A::DropTableReferenced,
        AccessExclusive,
        &["drop_table_with_fk"],
    ),
    row(
        A::DropCascadeReferencing,
        AccessExclusive,
        &["fk_drop_parent_cascade"],
    ),
    row(
        A::DropCascadeView,
        AccessExclusive,
        &["drop_table_cascade_views"],
    ),
    row(A::DropView, AccessExclusive, &["drop_view"]),
    row(A::DropSequence, AccessExclusive, &[]),
    // TRUNCATE swaps in an empty file: no work that grows with the table.
    row(A::Truncate, AccessExclusive, &["truncate", "part_truncate"]).recursed(),
    row(
        A::TruncateReferencing,
        AccessExclusive,
        &["fk_truncate_parent_cascade"],
    ),
    row(A::ReplaceView, AccessExclusive, &["create_or_replace_view"]),
    row(A::AlterView, AccessExclusive, &[]),
    row(
        A::Comment,
        ShareUpdateExclusive,
        &["comment_on_table", "comment_on_column"],
    ),
    row(
        A::AlterSequence,
        ShareRowExclusive,
        &["alter_sequence_restart", "alter_sequence_increment"],
    ),
    // A row-level trigger is cloned onto every partition (a statement-level one is not; the
    // model assumes the common row-level case).
    row(
        A::CreateTrigger,
        ShareRowExclusive,
        &["create_trigger", "part_create_trigger"],
    )
    .recursed(),
    row(A::DropTrigger, AccessExclusive, &["drop_trigger"]),
    row(A::Policy, AccessExclusive, &["create_policy"]),
    // --- indexes and maintenance
    row(
        A::CreateIndex,
        Share,
        &["create_index", "create_unique_index", "part_create_index"],
    )
    .work(IndexBuild)
    .partitions(Partitions::Lock(Share)),
    row(
        A::CreateIndexConcurrently,
        ShareUpdateExclusive,
        &["create_index_concurrently"],
    )
    .work(IndexBuild)
    .partitions(Partitions::Lock(Share))
    .no_transaction(),
    row(A::CreateIndexOnOnly, Share, &["part_create_index_on_only"]),
    row(A::DropIndex, AccessExclusive, &["drop_index"]),
    row(
        A::DropIndexConcurrently,
        ShareUpdateExclusive,
        &["drop_index_concurrently"],
    )
    .no_transaction(),
    row(
        A::Reindex,
        Share,
        &[
            "reindex_table",
            "reindex_index",
            "reindex_option_concurrently_false",
        ],
    )
    .work(IndexBuild),
    row(
        A::ReindexConcurrently,
        ShareUpdateExclusive,
        &["reindex_table_concurrently", "reindex_index_concurrently"],
    )
    .work(IndexBuild)
    .no_transaction(),
    // One table at a time, each in its own transaction: SHARE on the table (ACCESS EXCLUSIVE
    // on its indexes) while its indexes are rebuilt.
    row(A::ReindexMany, Share, &[])
        .work(IndexBuild)
        .no_transaction(),
    row(A::ReindexManyConcurrently, ShareUpdateExclusive, &[])
        .work(IndexBuild)
        .no_transaction(),
    row(A::ReindexSystem, AccessExclusive, &[])
        .mode(Mode::NoLock)
        .no_transaction(),
    row(A::Vacuum, ShareUpdateExclusive, &[])
        .work(Scan)
        .no_transaction(),
    row(A::VacuumFull, AccessExclusive, &["vacuum_full"])
        .work(Rewrite)
        .no_transaction(),
    row(
        A::Analyze,
        ShareUpdateExclusive,
        &["analyze", "part_analyze"],
    )
    .recursed(),
    row(A::Cluster, AccessExclusive, &["cluster"]).work(Rewrite),
    row(A::ClusterAll, AccessExclusive, &[])
        .mode(Mode::NoLock)
        .no_transaction(),
    row(A::RefreshMatView, AccessExclusive, &["refresh_mv"]).work(Rewrite),
    row(
        A::RefreshMatViewConcurrently,
        Exclusive,
        &["refresh_mv_concurrently"],
    )
    .work(Scan),
    // --- domains: the stored values of every column of the domain are checked under SHARE.
    row(A::AlterDomainAddCheck, Share, &["domain_add_check"]).work(Scan),
    row(
        A::AlterDomainAddCheckNotValid,
        AccessExclusive,
        &["domain_add_check_not_valid"],
    )
    .mode(Mode::NoLock),
    row(A::AlterDomainValidate, Share, &["domain_validate"]).work(Scan),
    row(A::AlterDomainSetNotNull, Share, &["domain_set_not_null"]).work(Scan),
    // --- the whole cluster: refused in a transaction block (SQLSTATE 25001), no table locked.
    row(A::CreateDatabase, AccessExclusive, &[])
        .mode(Mode::NoLock)
        .no_transaction(),
    row(A::DropDatabase, AccessExclusive, &[])
        .mode(Mode::NoLock)
        .no_transaction(),
    row(A::CreateTablespace, AccessExclusive, &[])
        .mode(Mode::NoLock)
        .no_transaction(),
    row(A::DropTablespace, AccessExclusive, &[])
        .mode(Mode::NoLock)
        .no_transaction(),
    row(A::AlterSystem, AccessExclusive, &[])
        .mode(Mode::NoLock)
        .no_transaction(),
    // --- ALTER TABLE: columns
    row(
        A::AddColumn,
        AccessExclusive,
        &["add_column_nullable", "part_add_column"],
    )
    .recursed(),
    // PostgreSQL 18: GENERATED ALWAYS AS (...) without STORED is VIRTUAL, computed when read:
    // no row is written (observed on 18.6: ACCESS EXCLUSIVE, same filenode). Before 18 the
    // syntax is an error (observed on 15).
    refused(A::AddColumnVirtual, 17),
    row(
        A::AddColumnVirtual,
        AccessExclusive,
        &[
            "pg18_add_column_virtual",
            "pg18_add_column_generated_default",
        ],
    )
    .recursed()
    .versions(18, u32::MAX),
    // PostgreSQL 17: SET EXPRESSION recomputes a stored generated column into new files
    // (observed on 18.6: ACCESS EXCLUSIVE, filenode changed; a syntax error on 15).
    refused(A::SetExpression, 16),
    row(
        A::SetExpression,
        AccessExclusive,
        &["pg18_set_expression_stored"],
    )
    .work(Rewrite)
    .recursed()
    .versions(17, u32::MAX),
    // PostgreSQL 18: a virtual column's expression is only in the catalog (observed on 18.6:
    // ACCESS EXCLUSIVE, same filenode).
    refused(A::SetExpressionVirtual, 17),
    row(
        A::SetExpressionVirtual,
        AccessExclusive,
        &["pg18_set_expression_virtual"],
    )
    .recursed()
    .versions(18, u32::MAX),
    // PostgreSQL 13: DROP EXPRESSION keeps the stored values as a plain column (observed on 15
    // and 18.6: ACCESS EXCLUSIVE, same filenode).
    refused(A::DropExpression, 12),
    row(A::DropExpression, AccessExclusive, &["drop_expression"])
        .recursed()
        .versions(13, u32::MAX),
    // PostgreSQL 11 stores a non-volatile default once (attmissingval); before, every row was
    // rewritten.
    row(A::AddColumnDefault, AccessExclusive, &[])
        .work(Rewrite)
        .recursed()
        .versions(0, 10),
    row(
        A::AddColumnDefault,
        AccessExclusive,
        &[
            "add_column_default_const",
            "add_column_default_now",
            "add_column_not_null_default_const",
        ],
    )
    .recursed()
    .versions(11, u32::MAX),
    row(
        A::AddColumnVolatileDefault,
        AccessExclusive,
        &[
            "add_column_default_clock_timestamp",
            "add_column_default_random",
            "add_column_default_gen_random_uuid",
            "part_add_column_volatile_default",
        ],
    )
    .work(Rewrite)
    .recursed(),
    row(
        A::AddColumnGenerated,
        AccessExclusive,
        &[
            "add_column_generated_stored",
            "add_column_serial",
            "add_column_identity",
        ],
    )
    .work(Rewrite)
    .recursed(),
    row(A::AddColumnKey, AccessExclusive, &[])
        .work(IndexBuild)
        .recursed(),
    row(
        A::AddColumnCheck,
        AccessExclusive,
        &["add_column_check", "add_column_check_default"],
    )
    .work(Scan)
    .recursed(),
    row(
        A::AddColumnReferencesValidated,
        AccessExclusive,
        &["add_column_references_with_default"],
    )
    .work(Validate)
    .recursed(),
    row(
        A::AddColumnReferenced,
        ShareRowExclusive,
        &[
            "add_column_references",
            "add_column_references_with_default",
        ],
    ),
    row(
        A::AlterColumnTypeMetadata,
        AccessExclusive,
        &[
            "alter_type_varchar10_to_varchar20",
            "alter_type_varchar_to_text",
            "alter_type_numeric_precision_increase",
            "alter_type_using_plain_cast",
        ],
    )
    .recursed(),
    row(
        A::AlterColumnTypeScan,
        AccessExclusive,
        &["alter_type_timestamp_to_timestamptz_utc"],
    )
    .work(Scan)
    .recursed(),
    row(
        A::AlterColumnTypeRewrite,
        AccessExclusive,
        &[
            "alter_type_int_to_bigint",
            "alter_type_varchar20_to_varchar10",
            "alter_type_text_to_varchar50",
            "alter_type_timestamp_to_timestamptz_nonutc",
            "alter_type_numeric_scale_change",
            "part_alter_type",
        ],
    )
    .work(Rewrite)
    .recursed(),
    row(
        A::AlterColumnTypeUsing,
        AccessExclusive,
        &["alter_type_using_expression"],
    )
    .work(Rewrite)
    .recursed(),
    row(A::AlterColumnTypeUnknown, AccessExclusive, &[])
        .work(Rewrite)
        .recursed(),
    row(
        A::ForeignKeyPartner,
        AccessExclusive,
        &[
            "fk_alter_type_referencing_column",
            "fk_alter_type_referenced_column",
            "fk_drop_referencing_column",
        ],
    ),
    row(
        A::SetNotNullScan,
        AccessExclusive,
        &[
            "set_not_null",
            "set_not_null_with_not_valid_check",
            "part_set_not_null",
        ],
    )
    .work(Scan)
    .recursed(),
    // PostgreSQL 12 skips the scan when a validated CHECK (col IS NOT NULL) proves it.
    row(A::SetNotNullCheckProven, AccessExclusive, &[])
        .work(Scan)
        .recursed()
        .versions(0, 11),
    row(
        A::SetNotNullCheckProven,
        AccessExclusive,
        &[
            "set_not_null_with_valid_check",
            "pg18_set_not_null_after_valid_not_null",
        ],
    )
    .recursed()
    .versions(12, u32::MAX),
    row(A::SetNotNullNoop, AccessExclusive, &[]).recursed(),
    row(A::DropColumn, AccessExclusive, &["drop_column"]).recursed(),
    row(
        A::AlterColumnCatalog,
        AccessExclusive,
        &[
            "set_default",
            "drop_default",
            "drop_not_null",
            "rename_column",
            "part_only_set_default",
        ],
    )
    .recursed(),
    row(
        A::SetStatistics,
        ShareUpdateExclusive,
        &["set_statistics", "part_set_statistics"],
    )
    .recursed(),
    // --- ALTER TABLE: constraints
    row(A::AddForeignKey, ShareRowExclusive, &["add_fk"])
        .work(Validate)
        .recursed(),
    row(
        A::AddForeignKeyNotValid,
        ShareRowExclusive,
        &["add_fk_not_valid"],
    )
    .recursed(),
    row(
        A::ForeignKeyReferenced,
        ShareRowExclusive,
        &["add_fk", "add_fk_not_valid"],
    ),
    row(
        A::AddCheck,
        AccessExclusive,
        &["add_check", "part_add_check"],
    )
    .work(Scan)
    .recursed(),
    row(
        A::AddCheckNotValid,
        AccessExclusive,
        &["add_check_not_valid"],
    )
    .recursed(),
    // PostgreSQL 18 catalogues NOT NULL constraints: ADD CONSTRAINT c NOT NULL col reads every
    // row under ACCESS EXCLUSIVE unless NOT VALID; VALIDATE CONSTRAINT then reads them under
    // SHARE UPDATE EXCLUSIVE (observed on 18.6). Before 18 the syntax is an error (observed on 15).
    refused(A::AddNotNull, 17),
    row(A::AddNotNull, AccessExclusive, &["pg18_add_not_null"])
        .work(Scan)
        .recursed()
        .versions(18, u32::MAX),
    refused(A::AddNotNullNotValid, 17),
    row(
        A::AddNotNullNotValid,
        AccessExclusive,
        &["pg18_add_not_null_not_valid"],
    )
    .recursed()
    .versions(18, u32::MAX),
    row(
        A::AddPrimaryKey,
        AccessExclusive,
        &["add_primary_key", "part_add_primary_key"],
    )
    .work(IndexBuild)
    .partitions(Partitions::Lock(Share))
    .versions(0, 17),
    // PostgreSQL 18 catalogues NOT NULL constraints: the key's NOT NULL is added to every
    // partition under ACCESS EXCLUSIVE (observed on 18.6).
    row(
        A::AddPrimaryKey,
        AccessExclusive,
        &["add_primary_key", "part_add_primary_key"],
    )
    .work(IndexBuild)
    .partitions(Partitions::Lock(AccessExclusive))
    .versions(18, u32::MAX),
    row(
        A::AddPrimaryKeyUsingIndex,
        AccessExclusive,
        &["add_primary_key_using_index"],
    )
    .partitions(Partitions::Lock(Share)),
    row(
        A::AddPrimaryKeyUsingIndexNullable,
        AccessExclusive,
        &["add_primary_key_using_index_nullable"],
    )
    .work(Scan)
    .partitions(Partitions::Lock(Share)),
    row(A::AddUnique, AccessExclusive, &["add_unique"])
        .work(IndexBuild)
        .partitions(Partitions::Lock(Share)),
    row(
        A::AddUniqueUsingIndex,
        AccessExclusive,
        &["add_unique_using_index"],
    )
    .partitions(Partitions::Lock(Share)),
    row(A::AddExclude, AccessExclusive, &["add_exclude"])
        .work(IndexBuild)
        .partitions(Partitions::Lock(Share)),
    row(
        A::ValidateConstraint,
        ShareUpdateExclusive,
        &[
            "validate_check",
            "validate_fk",
            "validate_with_drop_column",
            "pg18_validate_not_null",
        ],
    )
    .work(Validate)
    .recursed(),
    row(A::ValidateForeignKeyReferenced, RowShare, &["validate_fk"]),
    row(
        A::DropConstraint,
        AccessExclusive,
        &[
            "drop_constraint_check",
            "drop_constraint_fk",
            "rename_column_then_drop_fk",
        ],
    )
    .recursed(),
    row(
        A::DropForeignKeyReferenced,
        AccessExclusive,
        &["drop_constraint_fk"],
    ),
    row(
        A::DropKeyCascade,
        AccessExclusive,
        &["fk_drop_parent_pkey_cascade"],
    ),
    // --- ALTER TABLE: table-level
    row(
        A::SetLogged,
        AccessExclusive,
        &["set_logged", "set_unlogged"],
    )
    .work(Rewrite),
    row(A::SetTablespace, AccessExclusive, &["set_tablespace"]).work(Rewrite),
    row(A::SetAccessMethod, AccessExclusive, &[]).work(Rewrite),
    row(
        A::SetStorageParams,
        ShareUpdateExclusive,
        &["set_fillfactor", "set_autovacuum_param"],
    ),
    row(
        A::AlterTrigger,
        ShareRowExclusive,
        &["disable_trigger", "enable_trigger"],
    ),
    row(
        A::AlterTableCatalog,
        AccessExclusive,
        &[
            "rename_table",
            "enable_rls",
            "part_rename_table",
            "part_enable_rls",
        ],
    ),
    // PostgreSQL 12 lowered the partitioned table's lock from ACCESS EXCLUSIVE.
    row(A::AttachPartitionParent, AccessExclusive, &[]).versions(0, 11),
    row(
        A::AttachPartitionParent,
        ShareUpdateExclusive,
        &[
            "attach_partition",
            "attach_partition_with_check",
            "attach_partition_with_default",
        ],
    )
    .versions(12, u32::MAX),
    row(
        A::AttachPartitionScan,
        AccessExclusive,
        &["attach_partition"],
    )
    .work(Scan),
    row(
        A::AttachPartitionProven,
        AccessExclusive,
        &["attach_partition_with_check"],
    ),
    row(
        A::AttachDefaultPartitionScan,
        AccessExclusive,
        &["attach_partition_with_default"],
    )
    .work(Scan),
    row(A::AttachDefaultPartitionProven, AccessExclusive, &[]),
    row(
        A::DetachPartitionParent,
        AccessExclusive,
        &["detach_partition"],
    ),
    row(
        A::DetachPartitionConcurrentlyParent,
        ShareUpdateExclusive,
        &["detach_partition_concurrently"],
    )
    .no_transaction(),
    // FINALIZE completes an interrupted DETACH ... CONCURRENTLY (documented: SHARE UPDATE
    // EXCLUSIVE on the parent; it may run in a transaction block).
    row(A::DetachPartitionFinalizeParent, ShareUpdateExclusive, &[]),
    row(
        A::DetachPartition,
        AccessExclusive,
        &["detach_partition", "detach_partition_concurrently"],
    ),
    row(
        A::DetachDefaultPartition,
        AccessExclusive,
        &["part_detach_with_default"],
    ),
];

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    /// Every action the effects code applies, read from its source.
    fn actions_used() -> BTreeSet<String> {
        let src = include_str!("../analyze/effects.rs");
        let mut out = BTreeSet::new();
        for (i, _) in src.match_indices("Action::") {
            // Not `AlterAction::` or `ModelAction::`.
            if src[..i].ends_with(|c: char| c.is_ascii_alphanumeric()) {
                continue;
            }
            let name: String = src[i + "Action::".len()..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric())
                .collect();
            if name.starts_with(|c: char| c.is_ascii_uppercase()) {
                out.insert(name);
            }
        }
        out
    }

    #[test]
    fn every_action_has_exactly_one_row_for_every_version() {
        let used = actions_used();
        assert!(used.len() > 60, "{used:?}");
        for name in &used {
            let rows: Vec<&Row> = ROWS
                .iter()
                .filter(|r| format!("{:?}", r.action) == *name)
                .collect();
            assert!(!rows.is_empty(), "no model row for {name}");
            for v in MODEL.versions.0..=MODEL.versions.1 {
                let n = rows.iter().filter(|r| r.applies_to(v)).count();
                assert_eq!(n, 1, "{name}: {n} rows apply to PostgreSQL {v}");
            }
        }
        // And no row for an action nothing applies.
        for r in ROWS {
            assert!(
                used.contains(&format!("{:?}", r.action)),
                "row for unused action {:?}",
                r.action
            );
        }
    }

    #[test]
    fn every_ground_truth_id_exists() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut ids = BTreeSet::new();
        let mut files = vec![
            root.join("testdata/oracle/statements.csv"),
            root.join("testdata/oracle/extra_statements.csv"),
        ];
        // The statements observed outside a transaction (polled) are only in the shared set.
        let shared = root.join("../shared/postgres-locks/locks_detailed.csv");
        if shared.exists() {
            files.push(shared);
        } else {
            eprintln!("note: ../shared/postgres-locks missing: polled ids not checked");
        }
        for f in &files {
            let text = std::fs::read_to_string(f).expect("oracle csv");
            for line in text.lines().skip(1) {
                ids.insert(line.split(',').next().unwrap_or("").to_string());
            }
        }
        let polled = [
            "create_index_concurrently",
            "drop_index_concurrently",
            "reindex_table_concurrently",
            "reindex_index_concurrently",
            "detach_partition_concurrently",
            "vacuum_full",
        ];
        for r in ROWS {
            for id in r.truth {
                assert!(
                    ids.contains(*id) || polled.contains(id),
                    "{:?}: unknown ground-truth id {id}",
                    r.action
                );
            }
        }
    }

    #[test]
    fn version_gates_differ_on_each_side() {
        let at = |a: Action, v: u32| *MODEL.row(a, v);
        assert_eq!(at(Action::AddColumnDefault, 10).work, Some(Rewrite));
        assert_eq!(at(Action::AddColumnDefault, 11).work, None);
        assert_eq!(at(Action::SetNotNullCheckProven, 11).work, Some(Scan));
        assert_eq!(at(Action::SetNotNullCheckProven, 12).work, None);
        assert_eq!(
            at(Action::AttachPartitionParent, 11).lock(None),
            Some(AccessExclusive)
        );
        assert_eq!(
            at(Action::AttachPartitionParent, 12).lock(None),
            Some(ShareUpdateExclusive)
        );
        assert_eq!(at(Action::Grant, 17).lock(None), None);
        assert_eq!(at(Action::Grant, 18).lock(None), Some(AccessShare));
        assert_eq!(
            at(Action::AddPrimaryKey, 17).partitions,
            Partitions::Lock(Share)
        );
        assert_eq!(
            at(Action::AddPrimaryKey, 18).partitions,
            Partitions::Lock(AccessExclusive)
        );
        // PostgreSQL 17 and 18 syntax: refused before, modelled from.
        for (a, first) in [
            (Action::SetExpression, 17),
            (Action::SetExpressionVirtual, 18),
            (Action::AddColumnVirtual, 18),
            (Action::AddNotNull, 18),
            (Action::AddNotNullNotValid, 18),
            (Action::DropExpression, 13),
        ] {
            let before = at(a, first - 1);
            assert_eq!(before.needs_version(), Some(first), "{a:?}");
            assert_eq!(before.lock(None), None, "{a:?}");
            let from = at(a, first);
            assert_eq!(from.needs_version(), None, "{a:?}");
            assert_eq!(from.lock(None), Some(AccessExclusive), "{a:?}");
        }
        assert_eq!(at(Action::SetExpression, 17).work, Some(Rewrite));
        assert_eq!(at(Action::SetExpressionVirtual, 18).work, None);
        assert_eq!(at(Action::AddNotNull, 18).work, Some(Scan));
        assert_eq!(at(Action::AddNotNullNotValid, 18).work, None);
    }
}
