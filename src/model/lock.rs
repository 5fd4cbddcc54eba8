//! PostgreSQL's eight table lock modes, their conflict matrix, and what each blocks.

use serde::Serialize;

/// A table-level lock mode, weakest first (the order is PostgreSQL's strength order).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum LockMode {
    /// SELECT.
    AccessShare,
    /// SELECT ... FOR UPDATE/SHARE, VALIDATE of an FK on the referenced table.
    RowShare,
    /// INSERT, UPDATE, DELETE.
    RowExclusive,
    /// VACUUM, ANALYZE, CREATE INDEX CONCURRENTLY, VALIDATE CONSTRAINT, some ALTER TABLE forms.
    ShareUpdateExclusive,
    /// CREATE INDEX.
    Share,
    /// CREATE TRIGGER, ADD FOREIGN KEY (both tables).
    ShareRowExclusive,
    /// REFRESH MATERIALIZED VIEW CONCURRENTLY.
    Exclusive,
    /// Most ALTER TABLE forms, DROP, TRUNCATE, VACUUM FULL, CLUSTER, REFRESH MATERIALIZED VIEW.
    AccessExclusive,
}

/// Every mode, weakest first.
pub(crate) const ALL_MODES: [LockMode; 8] = [
    LockMode::AccessShare,
    LockMode::RowShare,
    LockMode::RowExclusive,
    LockMode::ShareUpdateExclusive,
    LockMode::Share,
    LockMode::ShareRowExclusive,
    LockMode::Exclusive,
    LockMode::AccessExclusive,
];

/// What a held lock makes other sessions wait for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Blocks {
    /// Plain SELECT (ACCESS SHARE).
    pub reads: bool,
    /// INSERT/UPDATE/DELETE (ROW EXCLUSIVE).
    pub writes: bool,
    /// Other DDL, VACUUM, ANALYZE, CREATE INDEX CONCURRENTLY (SHARE UPDATE EXCLUSIVE and up).
    pub ddl: bool,
}

impl Blocks {
    /// The names used in JSON output: `reads`, `writes`, `ddl`.
    pub fn names(self) -> Vec<&'static str> {
        self.name_iter().collect()
    }

    /// [`Blocks::names`] without collecting them.
    pub(crate) fn name_iter(self) -> impl Iterator<Item = &'static str> {
        [
            (self.reads, "reads"),
            (self.writes, "writes"),
            (self.ddl, "ddl"),
        ]
        .into_iter()
        .filter_map(|(on, name)| on.then_some(name))
    }

    /// Plain-English list for messages: "reads and writes", "writes", "other DDL".
    pub(crate) fn describe(self) -> String {
        let mut parts = Vec::new();
        if self.reads {
            parts.push("reads");
        }
        if self.writes {
            parts.push("writes");
        }
        if parts.is_empty() && self.ddl {
            return "other DDL and VACUUM".to_string();
        }
        parts.join(" and ")
    }

    /// Whether this blocks application traffic (reads or writes).
    pub(crate) fn blocks_traffic(self) -> bool {
        self.reads || self.writes
    }
}

impl LockMode {
    fn index(self) -> usize {
        self as usize
    }

    /// Whether a lock held in `self` makes a request for `other` wait (PostgreSQL's table 13.2).
    pub(crate) fn conflicts_with(self, other: LockMode) -> bool {
        // Rows: held mode; bit i set = conflicts with requested mode i (weakest first).
        const MATRIX: [u8; 8] = [
            0b1000_0000, // ACCESS SHARE
            0b1100_0000, // ROW SHARE
            0b1111_0000, // ROW EXCLUSIVE
            0b1111_1000, // SHARE UPDATE EXCLUSIVE
            0b1110_1100, // SHARE
            0b1111_1100, // SHARE ROW EXCLUSIVE
            0b1111_1110, // EXCLUSIVE
            0b1111_1111, // ACCESS EXCLUSIVE
        ];
        MATRIX[self.index()] & (1 << other.index()) != 0
    }

    /// What holding this mode blocks.
    pub fn blocks(self) -> Blocks {
        Blocks {
            reads: self.conflicts_with(LockMode::AccessShare),
            writes: self.conflicts_with(LockMode::RowExclusive),
            ddl: self.conflicts_with(LockMode::ShareUpdateExclusive),
        }
    }

    /// The name `pg_locks.mode` uses, e.g. `AccessExclusiveLock`.
    pub fn pg_name(self) -> &'static str {
        match self {
            LockMode::AccessShare => "AccessShareLock",
            LockMode::RowShare => "RowShareLock",
            LockMode::RowExclusive => "RowExclusiveLock",
            LockMode::ShareUpdateExclusive => "ShareUpdateExclusiveLock",
            LockMode::Share => "ShareLock",
            LockMode::ShareRowExclusive => "ShareRowExclusiveLock",
            LockMode::Exclusive => "ExclusiveLock",
            LockMode::AccessExclusive => "AccessExclusiveLock",
        }
    }

    /// The name SQL uses, e.g. `ACCESS EXCLUSIVE`.
    pub(crate) fn sql_name(self) -> &'static str {
        match self {
            LockMode::AccessShare => "ACCESS SHARE",
            LockMode::RowShare => "ROW SHARE",
            LockMode::RowExclusive => "ROW EXCLUSIVE",
            LockMode::ShareUpdateExclusive => "SHARE UPDATE EXCLUSIVE",
            LockMode::Share => "SHARE",
            LockMode::ShareRowExclusive => "SHARE ROW EXCLUSIVE",
            LockMode::Exclusive => "EXCLUSIVE",
            LockMode::AccessExclusive => "ACCESS EXCLUSIVE",
        }
    }

    /// Parse a `pg_locks` name (`ShareLock`) or an SQL name (`SHARE`, `share row exclusive`).
    pub fn parse(s: &str) -> Option<LockMode> {
        let norm: String = s
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '_')
            .collect::<String>()
            .to_ascii_lowercase();
        let norm = norm.strip_suffix("lock").unwrap_or(&norm);
        ALL_MODES.into_iter().find(|m| {
            let n = m.pg_name().to_ascii_lowercase();
            n.strip_suffix("lock") == Some(norm)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn idx(name: &str) -> LockMode {
        LockMode::parse(name).expect(name)
    }

    #[test]
    fn matrix_matches_the_measured_one() {
        // ../shared/postgres-locks/conflict_matrix_pg15.txt, rows = held, columns = requested.
        let measured = [
            ". . . . . . . X",
            ". . . . . . X X",
            ". . . . X X X X",
            ". . . X X X X X",
            ". . X X . X X X",
            ". . X X X X X X",
            ". X X X X X X X",
            "X X X X X X X X",
        ];
        for (held, row) in ALL_MODES.iter().zip(measured) {
            for (req, cell) in ALL_MODES.iter().zip(row.split(' ')) {
                assert_eq!(
                    held.conflicts_with(*req),
                    cell == "X",
                    "{held:?} vs {req:?}"
                );
            }
        }
    }

    #[test]
    fn what_modes_block() {
        assert_eq!(
            idx("ShareLock").blocks(),
            Blocks {
                reads: false,
                writes: true,
                ddl: true
            }
        );
        assert!(idx("ACCESS EXCLUSIVE").blocks().reads);
        let sue = idx("share update exclusive").blocks();
        assert!(!sue.reads && !sue.writes && sue.ddl);
        assert!(idx("Exclusive").blocks().writes);
        assert!(!idx("RowShareLock").blocks().writes);
        assert_eq!(LockMode::parse("nonsense"), None);
    }
}
