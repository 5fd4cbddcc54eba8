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
mod domain_constraint_scan;
mod drop_foreign_key_locks_parent;
mod foreign_key_without_index;
mod lock_table;
mod long_work_while_holding_lock;
mod missing_lock_timeout;
mod missing_statement_timeout;
mod nested_transaction_control;
mod parse_error;
mod recipes;
mod refresh_materialized_view_non_concurrently;
mod table_rewrite;
mod transaction_left_open;
mod truncate_table;
mod unused_suppression;

mod drop_index_non_concurrently;
mod reindex_non_concurrently;
mod set_not_null_scan;
#[cfg(test)]
pub(crate) mod testing;
mod validate_in_same_transaction;

pub use crate::analyze::size::Size;
use crate::analyze::size::{SizeClass, Sizes};
use crate::config::Level;
use crate::finding::Finding;
use crate::locks::Action;
use crate::model::{LockMode, ObjName, Stmt, Work, WorkKind};

/// A rule: metadata plus its check.
pub struct Rule {
    /// Stable code, never reused (`LL001`).
    pub code: &'static str,
    /// kebab-case name saying what is flagged.
    pub name: &'static str,
    /// Severity when the risk is real (a large table); the severity pass drops findings on
    /// small and new tables for rules whose findings carry a size.
    pub default_level: Level,
    /// One line for `locklint rules` and SARIF.
    pub summary: &'static str,
    /// The rule's page (rules/<name>.md).
    pub doc: &'static str,
    /// The check.
    pub check: fn(&Stmt, &Context) -> Vec<Finding>,
    /// The check at the end of each part of a file (and of the file), for rules about what a
    /// part leaves behind: a transaction still open, a foreign key still without an index.
    pub part_end: Option<fn(&PartEnd) -> Vec<Finding>>,
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
    &domain_constraint_scan::RULE,
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
    &missing_statement_timeout::RULE,
    &nested_transaction_control::RULE,
    &transaction_left_open::RULE,
    &foreign_key_without_index::RULE,
];

/// The rule for files and statements locklint could not read or parse.
pub static PARSE_ERROR: &Rule = &parse_error::RULE;

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

/// What a rule sees (analysis builds it for each statement).
pub use crate::analyze::StmtView as Context;

/// What one relation goes through while a statement holds its lock: the model's lock, what
/// it blocks, the relation's size and the estimated duration of the work. The one place rules
/// get the tail of their messages from.
pub struct Hazard<'a> {
    /// The relation.
    pub rel: &'a ObjName,
    /// The lock the statement holds on it (from the model).
    pub mode: Option<LockMode>,
    /// The work on it, if any.
    pub work: Option<WorkKind>,
    /// Its size.
    pub size: Size,
    /// `big` (~5M rows).
    pub described: String,
    /// Estimated seconds of the work.
    pub estimate: Option<f64>,
    /// " for an estimated ~25 min" or "".
    pub for_how_long: String,
}

/// `an ACCESS EXCLUSIVE lock that blocks reads and writes`, for a mode from the model.
pub fn lock_that_blocks(mode: Option<LockMode>) -> String {
    let blocked = mode.map(|m| m.blocks().describe()).unwrap_or_default();
    format!("{} that blocks {blocked}", a_lock(mode))
}

/// `an ACCESS EXCLUSIVE lock`, for a mode from the model.
fn a_lock(mode: Option<LockMode>) -> String {
    let name = mode.map(LockMode::sql_name).unwrap_or("no");
    let article = if name.starts_with(['A', 'E']) {
        "an"
    } else {
        "a"
    };
    format!("{article} {name} lock")
}

impl Hazard<'_> {
    /// `ACCESS EXCLUSIVE` (the SQL name of the lock held).
    pub fn lock_name(&self) -> &'static str {
        self.mode.map(LockMode::sql_name).unwrap_or("no")
    }

    /// `an ACCESS EXCLUSIVE lock`.
    pub fn a_lock(&self) -> String {
        a_lock(self.mode)
    }

    /// `reads and writes` / `writes` / `other DDL and VACUUM`.
    pub fn blocked(&self) -> String {
        self.mode.map(|m| m.blocks().describe()).unwrap_or_default()
    }

    /// `an ACCESS EXCLUSIVE lock that blocks reads and writes`.
    pub fn lock_that_blocks(&self) -> String {
        lock_that_blocks(self.mode)
    }
}

impl<'a> Context<'a> {
    /// Sizes and estimates as this statement sees them.
    pub fn sizes(&self) -> Sizes<'_> {
        Sizes {
            settings: self.settings,
            catalog: self.catalog,
            created: &self.txn.created,
        }
    }

    /// The size class of a relation.
    pub fn size(&self, rel: &ObjName) -> Size {
        self.sizes().size(rel)
    }

    /// `measurements (~450M rows)` or `measurements (no size hint: assumed large)`.
    pub fn describe(&self, rel: &ObjName) -> String {
        self.sizes().describe(rel)
    }

    /// Estimated seconds for a kind of work on a relation, when its size is known.
    pub fn estimate(&self, rel: &ObjName, kind: WorkKind) -> Option<f64> {
        self.sizes().estimate(rel, kind)
    }

    /// What a relation goes through under this statement's lock, doing `work`.
    pub fn hazard<'r>(&self, rel: &'r ObjName, work: Option<WorkKind>) -> Hazard<'r> {
        let sizes = self.sizes();
        Hazard {
            rel,
            mode: self.effects.lock_on(rel),
            work,
            size: sizes.size(rel),
            described: sizes.describe(rel),
            estimate: work.and_then(|w| sizes.estimate(rel, w)),
            for_how_long: work.map(|w| sizes.for_how_long(rel, w)).unwrap_or_default(),
        }
    }

    /// The statement's longest work on a large relation (by estimate), if any.
    pub fn longest_large_work(&self) -> Option<&'a Work> {
        let mut best: Option<&Work> = None;
        for w in &self.effects.work {
            if !matches!(self.size(&w.rel), Size::Large(_)) {
                continue;
            }
            let longer = best.is_none_or(|b| {
                self.estimate(&w.rel, w.kind).unwrap_or(0.0)
                    > self.estimate(&b.rel, b.kind).unwrap_or(0.0)
            });
            if longer {
                best = Some(w);
            }
        }
        best
    }

    /// The hazard of one work item of the model.
    pub fn work_hazard<'r>(&self, w: &'r Work) -> Hazard<'r> {
        self.hazard(&w.rel, Some(w.kind))
    }

    /// The size class of a relation locklint does not know (an index's table outside the
    /// replayed migrations, every table of the database).
    pub fn unknown_size(&self) -> SizeClass {
        if self.settings.is_large(None) {
            SizeClass::Large
        } else {
            SizeClass::Small
        }
    }

    /// The lock an action takes on its relation, from the model (for a relation the catalog
    /// does not know, so the effects hold no lock on it).
    pub fn model_lock(&self, action: Action) -> Option<LockMode> {
        crate::locks::postgres::MODEL
            .row(action, self.settings.postgres_version)
            .lock(None)
    }

    /// The text of a byte range of the file.
    pub fn text(&self, span: &crate::model::Span) -> &str {
        self.source.text.get(span.clone()).unwrap_or("")
    }
}

/// The checks analysis runs, from the registry.
pub const CHECKS: crate::analyze::Checks = crate::analyze::Checks {
    stmt: run_all,
    part_end: run_at_part_end,
};

/// What a rule sees at the end of a part of a file.
pub use crate::analyze::PartEnd;

/// Run the end-of-part check of every rule that has one.
pub fn run_at_part_end(end: &PartEnd) -> Vec<Finding> {
    RULES
        .iter()
        .filter_map(|r| r.part_end)
        .flat_map(|check| check(end))
        .collect()
}

/// Run every rule on one statement. Findings carry no level yet: the severity pass decides.
pub fn run_all(stmt: &Stmt, cx: &Context) -> Vec<Finding> {
    let mut out = Vec::new();
    for rule in RULES {
        let found = (rule.check)(stmt, cx);
        // Most statements get at most one rule's findings: keep that rule's Vec as it is.
        if out.is_empty() {
            out = found;
        } else {
            out.extend(found);
        }
    }
    long_work_while_holding_lock::merge(&mut out, cx);
    // Findings live as long as the report: no room for ones that never come.
    out.shrink_to_fit();
    out
}

impl Finding {
    /// The table, the model's lock on it, what it blocks, the estimate and the size class the
    /// severity pass weighs, from a hazard.
    pub fn hazard(mut self, h: &Hazard) -> Self {
        self.table = Some(h.rel.to_string());
        if let Some(mode) = h.mode {
            self.lock = Some(mode);
            self.blocks = Some(mode.blocks());
        }
        self.estimate_seconds = h.estimate;
        self.size = Some(h.size.class());
        self
    }
}

impl Finding {
    /// The size class the severity pass weighs (when the hazard's size is another relation's).
    pub fn sized(mut self, size: Size) -> Self {
        self.size = Some(size.class());
        self
    }

    /// Not weighed by size (the hazard does not grow with the table).
    pub fn not_sized(mut self) -> Self {
        self.size = None;
        self
    }

    /// For a relation locklint does not know: the model's lock for the action, what it
    /// blocks, and the size class of unknown tables.
    pub fn unknown_relation(mut self, cx: &Context, action: Action) -> Self {
        if let Some(mode) = cx.model_lock(action) {
            self.lock = Some(mode);
            self.blocks = Some(mode.blocks());
        }
        self.size = Some(cx.unknown_size());
        self
    }
}
