//! How a migration tool wraps the statements of a file in transactions: plain data that
//! discover produces (per file part) and analysis reads.

/// How a migration tool wraps (a part of) a migration in a transaction on PostgreSQL.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TxnMode {
    /// No transaction: each statement commits on its own unless the SQL opens a block.
    #[default]
    None,
    /// The tool runs the part inside one transaction. A COMMIT in the SQL ends it; what follows
    /// runs without one.
    Single,
    /// The part is sent as one multi-statement query string (golang-migrate, Prisma):
    /// PostgreSQL runs a string of several statements in one implicit transaction (restarted
    /// after a COMMIT), and a lone statement on its own.
    MultiStatement,
    /// Flyway: one transaction, unless every statement is one PostgreSQL refuses to run inside
    /// a transaction block (then none).
    SingleUnlessAllNonTransactional,
}

/// How a file's statements are wrapped in transactions by the tool that runs it.
#[derive(Debug, Clone, Default)]
pub struct FileMode {
    /// The parts the tool runs one after the other (e.g. Liquibase changesets), each as
    /// `(byte offset where it starts, mode)`, in file order. A statement belongs to the last
    /// part starting at or before it. Empty: the whole file with [`TxnMode::None`].
    pub parts: Vec<(usize, TxnMode)>,
}

impl FileMode {
    /// The whole file as one part.
    pub fn whole(txn: TxnMode) -> Self {
        FileMode {
            parts: vec![(0, txn)],
        }
    }

    /// The index of the part a byte offset belongs to: the last one starting at or before it.
    pub(crate) fn part_of(&self, offset: usize) -> usize {
        self.parts
            .iter()
            .rposition(|(start, _)| *start <= offset)
            .unwrap_or(0)
    }

    /// The transaction mode of part `part` ([`TxnMode::None`] when there is no such part).
    pub(crate) fn txn(&self, part: usize) -> TxnMode {
        self.parts.get(part).map(|p| p.1).unwrap_or_default()
    }
}
