//! Sizes and estimates: how big a relation is as far as locklint can tell (size hints, tables
//! new in this migration), and how long work on it takes.

use super::catalog::Catalog;
use crate::config::{Settings, TableHint};
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

/// Seconds the server needs for a kind of work on a relation of `rows` rows and `bytes`
/// bytes, by the `[estimate]` throughput model.
pub fn work_seconds(settings: &Settings, kind: WorkKind, rows: u64, bytes: u64) -> f64 {
    let e = &settings.estimate;
    let (rows, mb) = (rows as f64, bytes as f64 / 1e6);
    match kind {
        WorkKind::Scan => mb / e.scan_mb_per_s,
        WorkKind::Rewrite => mb / e.rewrite_mb_per_s,
        WorkKind::IndexBuild => rows / e.index_rows_per_s + mb / e.index_mb_per_s,
        WorkKind::Validate => rows / e.validate_rows_per_s,
        WorkKind::RowUpdates => rows / e.update_rows_per_s,
    }
}

/// "120 GB", "1.5 GB", "800 MB", "12 kB" (powers of 1000, as `[tables]` bytes are written).
pub fn format_bytes(bytes: u64) -> String {
    let b = bytes as f64;
    let (value, unit) = match bytes {
        n if n >= 1_000_000_000_000 => (b / 1e12, "TB"),
        n if n >= 1_000_000_000 => (b / 1e9, "GB"),
        n if n >= 1_000_000 => (b / 1e6, "MB"),
        n if n >= 1_000 => (b / 1e3, "kB"),
        _ => return format!("{bytes} B"),
    };
    let text = if value < 10.0 {
        format!("{value:.1}")
    } else {
        format!("{value:.0}")
    };
    format!("{} {unit}", text.strip_suffix(".0").unwrap_or(&text))
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
    /// Whether the relation was created earlier in this migration (so it is empty).
    pub fn is_new(&self, rel: &ObjName) -> bool {
        self.catalog.is_new(rel) || self.created.iter().any(|c| c.same(rel))
    }

    /// The size class of a relation.
    pub fn size(&self, rel: &ObjName) -> Size {
        if self.is_new(rel) {
            return Size::New;
        }
        match self.hint(rel) {
            Some(h) => {
                let rows = self.settings.rows_of(h);
                if rows < self.settings.size.large_rows {
                    Size::Small(rows)
                } else {
                    Size::Large(Some(rows))
                }
            }
            None if self.settings.is_large(None) => Size::Large(None),
            None => Size::Small(0),
        }
    }

    /// The relation's `[tables]` hint.
    fn hint(&self, rel: &ObjName) -> Option<TableHint> {
        self.settings
            .tables
            .lookup(rel.schema.as_deref(), &rel.name)
    }

    /// `measurements (~450M rows, 120 GB)`, `measurements (~450M rows)`, `measurements (120 GB)`
    /// or `measurements (no size hint: assumed large)`.
    pub fn describe(&self, rel: &ObjName) -> String {
        let size = self.size(rel);
        if size == Size::New {
            return format!("`{rel}` (new in this migration)");
        }
        let known = match self.hint(rel) {
            Some(TableHint {
                rows: Some(r),
                bytes: Some(b),
            }) => Some(format!("~{} rows, {}", format_rows(r), format_bytes(b))),
            Some(TableHint {
                rows: None,
                bytes: Some(b),
            }) => Some(format_bytes(b)),
            _ => match size {
                Size::Large(Some(r)) | Size::Small(r) if r > 0 => {
                    Some(format!("~{} rows", format_rows(r)))
                }
                _ => None,
            },
        };
        match known {
            Some(k) => format!("`{rel}` ({k})"),
            None => format!("`{rel}` (no size hint: assumed large)"),
        }
    }

    /// Estimated seconds for a kind of work on a relation, when its size is known: from its
    /// rows and bytes (each derived from the other when the hint gives one) and `[estimate]`.
    pub fn estimate(&self, rel: &ObjName, kind: WorkKind) -> Option<f64> {
        let (rows, bytes) = match (self.size(rel), self.hint(rel)) {
            (Size::New | Size::Large(None), _) => return None,
            (_, Some(h)) => (self.settings.rows_of(h), self.settings.bytes_of(h)),
            (_, None) => (0, 0),
        };
        let secs = work_seconds(self.settings, kind, rows, bytes);
        Some((secs * 10.0).round() / 10.0)
    }

    /// " for an estimated ~25 min" or "".
    pub fn for_how_long(&self, rel: &ObjName, kind: WorkKind) -> String {
        match self.estimate(rel, kind) {
            Some(s) if s >= 1.0 => format!(" for an estimated {}", format_duration(s)),
            _ => String::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Sizes, format_bytes, work_seconds};
    use crate::analyze::catalog::Catalog;
    use crate::model::{ObjName, WorkKind};
    use crate::rules::testing::settings;

    fn sizes_of(toml: &str, f: impl FnOnce(&Sizes)) {
        let settings = settings(toml);
        let catalog = Catalog::default();
        f(&Sizes {
            settings: &settings,
            catalog: &catalog,
            created: &[],
        });
    }

    fn rel(name: &str) -> ObjName {
        ObjName {
            schema: None,
            name: name.to_string(),
        }
    }

    #[test]
    fn bytes_drive_scans_and_rewrites_and_rows_drive_row_work() {
        let toml = "[tables]\nslim = { rows = 10_000_000, bytes = \"1 GB\" }\nfat = { rows = 10_000_000, bytes = \"100 GB\" }\n";
        sizes_of(toml, |s| {
            let (slim, fat) = (rel("slim"), rel("fat"));
            // 1 GB at 200 MB/s; 100 GB at 200 MB/s.
            assert_eq!(s.estimate(&slim, WorkKind::Scan), Some(5.0));
            assert_eq!(s.estimate(&fat, WorkKind::Scan), Some(500.0));
            // Rewrites at 25 MB/s.
            assert_eq!(s.estimate(&fat, WorkKind::Rewrite), Some(4000.0));
            // Index builds: 20 s sorting 10M rows, plus the heap read.
            assert_eq!(s.estimate(&slim, WorkKind::IndexBuild), Some(25.0));
            assert_eq!(s.estimate(&fat, WorkKind::IndexBuild), Some(520.0));
            // Validation and updates go by rows only.
            assert_eq!(
                s.estimate(&slim, WorkKind::Validate),
                s.estimate(&fat, WorkKind::Validate)
            );
            assert_eq!(s.estimate(&fat, WorkKind::RowUpdates), Some(100.0));
            assert_eq!(s.describe(&fat), "`fat` (~10M rows, 100 GB)");
        });
    }

    #[test]
    fn rows_alone_keep_the_old_per_row_figures_and_bytes_alone_are_enough() {
        sizes_of(
            "[tables]\nr = { rows = 4_000_000 }\nb = { bytes = \"400 MB\" }\n",
            |s| {
                for (kind, per_row) in [
                    (WorkKind::Scan, 2_000_000.0),
                    (WorkKind::Validate, 300_000.0),
                    (WorkKind::IndexBuild, 400_000.0),
                    (WorkKind::RowUpdates, 100_000.0),
                    (WorkKind::Rewrite, 250_000.0),
                ] {
                    let want = (4_000_000.0 / per_row * 10.0_f64).round() / 10.0;
                    assert_eq!(s.estimate(&rel("r"), kind), Some(want), "{kind:?}");
                    // 400 MB at 100 B a row is the same 4M rows.
                    assert_eq!(s.estimate(&rel("b"), kind), Some(want), "{kind:?}");
                }
                assert_eq!(s.describe(&rel("r")), "`r` (~4M rows)");
                assert_eq!(s.describe(&rel("b")), "`b` (400 MB)");
                assert_eq!(s.estimate(&rel("unknown"), WorkKind::Scan), None);
            },
        );
    }

    #[test]
    fn the_estimate_section_changes_the_figures() {
        let toml = "[estimate]\nscan_mb_per_s = 1000\n[tables]\nt = { bytes = \"10 GB\" }\n";
        sizes_of(toml, |s| {
            assert_eq!(s.estimate(&rel("t"), WorkKind::Scan), Some(10.0));
        });
        let settings = settings("");
        assert_eq!(
            work_seconds(&settings, WorkKind::Validate, 3_000_000, 0),
            10.0
        );
    }

    #[test]
    fn bytes_read_like_the_config_writes_them() {
        assert_eq!(format_bytes(120_000_000_000), "120 GB");
        assert_eq!(format_bytes(1_500_000_000), "1.5 GB");
        assert_eq!(format_bytes(800_000_000), "800 MB");
        assert_eq!(format_bytes(12_345), "12 kB");
        assert_eq!(format_bytes(999), "999 B");
        assert_eq!(format_bytes(2_000_000_000_000), "2 TB");
    }
}
