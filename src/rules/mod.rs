//! The rule registry: one table, one line per rule. Each rule is one file and one page in `rules/`.

mod add_check_constraint_validated;
mod add_column_not_null_without_default;
mod add_column_rewrites_table;
mod add_column_volatile_default;
mod add_constraint_builds_index;
mod add_foreign_key_validated;
mod alter_column_type_rewrite;
mod alter_enum_add_value_in_transaction;
mod attach_partition_scan;
mod backfill_whole_table;
mod breaking_change;
mod concurrently_in_transaction;
mod create_index_non_concurrently;
mod detach_partition_non_concurrently;
mod drop_foreign_key_locks_parent;
mod lock_table;
mod long_work_while_holding_lock;
mod missing_lock_timeout;
mod parse_error;
mod refresh_materialized_view_non_concurrently;
mod table_rewrite;
mod truncate_table;
mod unused_suppression;

mod drop_index_non_concurrently;
mod reindex_non_concurrently;
mod set_not_null_scan;
#[cfg(test)]
mod testing;
mod validate_in_same_transaction;

use crate::analyze::TxnView;
use crate::analyze::catalog::Catalog;
use crate::config::{Level, Settings};
use crate::finding::{Finding, format_duration, format_rows};
use crate::model::{Effects, ObjName, Stmt, WorkKind};
use crate::source::SourceFile;

/// A rule: metadata plus its check.
pub struct Rule {
    /// Stable code, never reused (`LL001`).
    pub code: &'static str,
    /// kebab-case name saying what is flagged.
    pub name: &'static str,
    /// Severity when the risk is real (a large table); small and new tables lower it.
    pub default_level: Level,
    /// One line for `locklint rules` and SARIF.
    pub summary: &'static str,
    /// The rule's page (rules/<name>.md).
    pub doc: &'static str,
    /// The check.
    pub check: fn(&Stmt, &Context) -> Vec<Finding>,
}

/// Every rule, in code order.
pub static RULES: &[&Rule] = &[
    &parse_error::RULE,
    &create_index_non_concurrently::RULE,
    &add_foreign_key_validated::RULE,
    &add_column_volatile_default::RULE,
    &unused_suppression::RULE,
    &drop_index_non_concurrently::RULE,
    &reindex_non_concurrently::RULE,
    &add_check_constraint_validated::RULE,
    &set_not_null_scan::RULE,
    &add_constraint_builds_index::RULE,
    &add_column_not_null_without_default::RULE,
    &validate_in_same_transaction::RULE,
    &alter_column_type_rewrite::RULE,
    &add_column_rewrites_table::RULE,
    &table_rewrite::RULE,
    &refresh_materialized_view_non_concurrently::RULE,
    &backfill_whole_table::RULE,
    &truncate_table::RULE,
    &lock_table::RULE,
    &concurrently_in_transaction::RULE,
    &alter_enum_add_value_in_transaction::RULE,
    &long_work_while_holding_lock::RULE,
    &missing_lock_timeout::RULE,
    &attach_partition_scan::RULE,
    &detach_partition_non_concurrently::RULE,
    &drop_foreign_key_locks_parent::RULE,
    &breaking_change::RULE,
];

/// A rule by name.
pub fn find(name: &str) -> Option<&'static Rule> {
    RULES
        .iter()
        .copied()
        .find(|r| r.name == name || r.code.eq_ignore_ascii_case(name))
}

/// Every rule name, for config validation.
pub fn names() -> Vec<&'static str> {
    RULES.iter().map(|r| r.name).collect()
}

/// How big a table is, as far as locklint can tell.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Size {
    /// Created earlier in this migration: empty.
    New,
    /// A hint below `large_rows`.
    Small(u64),
    /// A hint at or above `large_rows` (`Some`), or no hint while unknown tables count as large.
    Large(Option<u64>),
}

/// Rows per second PostgreSQL gets through for each kind of work (conservative single-core figures).
fn rows_per_second(kind: WorkKind) -> f64 {
    match kind {
        WorkKind::Scan => 2_000_000.0,
        WorkKind::Validate => 300_000.0,
        WorkKind::IndexBuild => 400_000.0,
        WorkKind::RowUpdates => 100_000.0,
        WorkKind::Rewrite => 250_000.0,
    }
}

/// What a rule sees: the statement's effects, the catalog before it, the transaction, the sizes.
pub struct Context<'a> {
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
    /// The level configured for the rule being run (its default unless overridden).
    pub level: Level,
}

impl Context<'_> {
    /// The size class of a relation.
    pub fn size(&self, rel: &ObjName) -> Size {
        if self.catalog.is_new(rel) || self.txn.created.iter().any(|c| c.same(rel)) {
            return Size::New;
        }
        let hint = self
            .settings
            .tables
            .lookup(rel.schema.as_deref(), &rel.name);
        match hint {
            Some(h) if h.rows < self.settings.size.large_rows => Size::Small(h.rows),
            Some(h) => Size::Large(Some(h.rows)),
            None if self.settings.is_large(None) => Size::Large(None),
            None => Size::Small(0),
        }
    }

    /// Whether blocking work on this relation is a real risk (large, not new).
    pub fn is_large(&self, rel: &ObjName) -> bool {
        matches!(self.size(rel), Size::Large(_))
    }

    /// `measurements (~450M rows)` or `measurements (no size hint)`.
    pub fn describe(&self, rel: &ObjName) -> String {
        match self.size(rel) {
            Size::Large(Some(r)) | Size::Small(r) if r > 0 => {
                format!("`{rel}` (~{} rows)", format_rows(r))
            }
            Size::New => format!("`{rel}` (new in this migration)"),
            _ => format!("`{rel}` (no size hint: assumed large)"),
        }
    }

    /// Estimated seconds for a kind of work on a relation, when its size is known.
    pub fn estimate(&self, rel: &ObjName, kind: WorkKind) -> Option<f64> {
        match self.size(rel) {
            Size::Large(Some(r)) | Size::Small(r) => {
                Some((r as f64 / rows_per_second(kind) * 10.0).round() / 10.0)
            }
            _ => None,
        }
    }

    /// " for an estimated ~25 min" or "".
    pub fn for_how_long(&self, rel: &ObjName, kind: WorkKind) -> String {
        match self.estimate(rel, kind) {
            Some(s) if s >= 1.0 => format!(" for an estimated {}", format_duration(s)),
            _ => String::new(),
        }
    }

    /// The severity for a finding on this relation: the configured level when large, else none.
    pub fn level_for(&self, rel: &ObjName) -> Option<Level> {
        self.is_large(rel).then_some(self.level)
    }

    /// The text of a byte range of the file.
    pub fn text(&self, span: &crate::model::Span) -> &str {
        self.source.text.get(span.clone()).unwrap_or("")
    }
}

/// Run every enabled rule on one statement.
pub fn run_all(stmt: &Stmt, cx_base: &Context) -> Vec<Finding> {
    let mut out = Vec::new();
    for rule in RULES {
        let level = cx_base
            .settings
            .rule_level(rule.name)
            .unwrap_or(rule.default_level);
        if level == Level::Off {
            continue;
        }
        let cx = Context { level, ..*cx_base };
        let found = (rule.check)(stmt, &cx);
        // Most statements get at most one rule's findings: keep that rule's Vec as it is.
        if out.is_empty() {
            out = found;
        } else {
            out.extend(found);
        }
    }
    // Findings live as long as the report: no room for ones that never come.
    out.shrink_to_fit();
    out
}
