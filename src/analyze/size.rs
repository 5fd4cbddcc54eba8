//! Sizes and estimates: how big a relation is as far as locklint can tell (size hints, tables
//! new in this migration), and how long work on it takes.

use super::catalog::Catalog;
use crate::config::Settings;
use crate::finding::{format_duration, format_rows};
use crate::model::{ObjName, WorkKind};
use serde::Serialize;

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

/// The size class the severity pass weighs a finding by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SizeClass {
    /// Created in this migration.
    New,
    /// Below `large_rows`.
    Small,
    /// At or above `large_rows`, or unknown and assumed large.
    Large,
}

impl Size {
    /// Its class.
    pub fn class(self) -> SizeClass {
        match self {
            Size::New => SizeClass::New,
            Size::Small(_) => SizeClass::Small,
            Size::Large(_) => SizeClass::Large,
        }
    }
}

/// Rows per second PostgreSQL gets through for each kind of work (conservative single-core
/// figures).
fn rows_per_second(kind: WorkKind) -> f64 {
    match kind {
        WorkKind::Scan => 2_000_000.0,
        WorkKind::Validate => 300_000.0,
        WorkKind::IndexBuild => 400_000.0,
        WorkKind::RowUpdates => 100_000.0,
        WorkKind::Rewrite => 250_000.0,
    }
}

/// Sizes as seen by one statement: the hints, the catalog before it, the relations created
/// earlier in its transaction.
pub struct Sizes<'a> {
    /// Size hints and thresholds.
    pub settings: &'a Settings,
    /// The schema before the statement.
    pub catalog: &'a Catalog,
    /// Relations created earlier in the transaction.
    pub created: &'a [ObjName],
}

impl Sizes<'_> {
    /// The size class of a relation.
    pub fn size(&self, rel: &ObjName) -> Size {
        if self.catalog.is_new(rel) || self.created.iter().any(|c| c.same(rel)) {
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
}
