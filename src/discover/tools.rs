//! The migration tools locklint knows: one row per tool, the one place with per-tool data.
//!
//! Config (`tool = "..."`), detection ([`super::detect`]), ordering and cutting files into parts
//! ([`super::arrange`]), `locklint init` and the fix recipes read [`TOOLS`]; a tool's own
//! conventions (name patterns, markers, transaction switches) live in its module. Adding a tool
//! is one module, one [`Tool`] variant and one row.

use super::{FileCtx, Part, Role, dbmate, diesel, flyway, golang_migrate, goose, liquibase};
use super::{plain, prisma, sqlx};
use crate::config::UnknownName;
use crate::model::TxnMode;
use std::fmt;
use std::str::FromStr;

/// The migration tool whose file conventions apply (up/down sections, transaction markers).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Tool {
    /// Detect from the files and directory layout.
    #[default]
    Auto,
    /// Plain SQL files, no tool conventions.
    Plain,
    /// pressly/goose.
    Goose,
    /// amacneil/dbmate.
    Dbmate,
    /// launchbadge/sqlx.
    Sqlx,
    /// diesel-rs/diesel.
    Diesel,
    /// golang-migrate/migrate.
    GolangMigrate,
    /// Flyway.
    Flyway,
    /// Prisma Migrate.
    Prisma,
    /// Liquibase (formatted SQL).
    Liquibase,
}

/// One migration tool's conventions.
#[derive(Debug, Clone, Copy)]
pub struct Row {
    /// The key.
    pub tool: Tool,
    /// The `[migrations] tool = "..."` value, also shown in reports.
    pub name: &'static str,
    /// The tool's own name, for people.
    pub display: &'static str,
    /// How auto-detection recognises a folder of this tool.
    pub detect: Detect,
    /// The file names of a migration that is a folder of its own (`<version>_<name>/up.sql`):
    /// such a file belongs to the folder above it.
    pub folder_files: &'static [&'static str],
    /// What a file's name (relative to its folder) says: its rank, version and direction;
    /// `None` for a name the tool does not run as a migration. Sorting by it is the tool's order.
    pub(crate) role: fn(&str) -> Option<Role>,
    /// How the tool cuts a file into forward and down parts, each with its transaction mode.
    pub(crate) parts: fn(&FileCtx) -> Vec<Part>,
    /// The transaction mode of a part that says nothing about transactions.
    pub txn: TxnMode,
    /// How one statement is taken out of the transaction the tool would run it in.
    pub no_transaction: NoTransaction,
    /// How the tool names the next migration.
    pub next: Next,
}

/// How auto-detection recognises a tool.
#[derive(Debug, Clone, Copy)]
pub enum Detect {
    /// Never detected: the fallback when nothing else is.
    Fallback,
    /// Markers in the text say it outright (the folder with the most marked files wins; ties to
    /// the lower `rank`). A file that does not follow the folder's naming still runs under the
    /// tool when it carries the markers.
    Markers {
        /// Whether a file's text carries the tool's markers.
        has: fn(&str) -> bool,
        /// Precedence on ties.
        rank: u8,
    },
    /// The layout of the names its `role` accepts (the layout with the most files wins; ties to
    /// the lower `rank`).
    Layout {
        /// Precedence on ties.
        rank: u8,
    },
    /// Numbered names that golang-migrate and plain runners share: weighed as one layout, then
    /// settled by the tool's own signs in the text, by mixing simple and up/down names, or by
    /// the project's manifest (see [`super::detect`]).
    Numbered {
        /// Whether a file's text shows the tool's own conventions.
        evidence: fn(&str) -> bool,
        /// Precedence on ties.
        rank: u8,
    },
    /// Chosen when numbered names are not [`Detect::Numbered`]'s tool and are mostly up/down
    /// pairs.
    NumberedPairs,
}

/// Which unit a transaction switch applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// The whole file (every section in it).
    File,
    /// One section of the file (up or down).
    Section,
    /// One changeset.
    Changeset,
    /// The migration: every file of it.
    Migration,
}

/// How a statement is taken out of the transaction its tool would run it in: data for the fix
/// recipes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoTransaction {
    /// A line in the migration turns the transaction off.
    Line {
        /// The line, exactly.
        text: &'static str,
        /// It must be the very first line of the file (otherwise anywhere, usually at the top).
        first: bool,
        /// What it applies to.
        scope: Scope,
    },
    /// An option on the section's marker line.
    MarkerOption {
        /// The marker line of the forward section.
        marker: &'static str,
        /// The option to append to it.
        option: &'static str,
        /// What it applies to.
        scope: Scope,
    },
    /// An attribute on the changeset line.
    Attribute {
        /// `key:value`, appended to the `--changeset` line.
        text: &'static str,
    },
    /// A setting in a file next to the migration.
    SideFile {
        /// The file's name; `{file}` stands for the migration file's own name.
        file: &'static str,
        /// The line to put in it.
        line: &'static str,
        /// What it applies to.
        scope: Scope,
    },
    /// The tool sends a file as one multi-statement string: a file of its own holding only
    /// that statement runs without a transaction.
    OwnFile,
    /// Nothing in the file: the runner decides (`assume_in_transaction` says what it does);
    /// the statement goes into a file of its own without `BEGIN`/`COMMIT`.
    Runner,
}

/// How a version is chosen for a new migration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Version {
    /// The current UTC time, in this `strftime` format.
    Timestamp(&'static str),
    /// The current UTC time in this format by default; a folder numbered sequentially gets the
    /// next number, as wide as the last one.
    TimestampOrNext(&'static str),
    /// One more than the highest version in the folder.
    Next,
}

/// How the tool names the next migration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Next {
    /// The files of a new migration, relative to the folder: `{version}` and `{name}` are
    /// filled in; the first is the forward one.
    pub files: &'static [&'static str],
    /// How `{version}` is chosen.
    pub version: Version,
}

/// Every tool, in the order of [`Tool`]'s variants after `Auto`.
pub const TOOLS: [Row; 9] = [
    Row {
        tool: Tool::Plain,
        name: "plain",
        display: "plain SQL",
        detect: Detect::Fallback,
        folder_files: &[],
        role: plain::role,
        parts: plain::parts,
        txn: TxnMode::None,
        no_transaction: NoTransaction::Runner,
        next: Next {
            files: &["{version}_{name}.sql"],
            version: Version::Next,
        },
    },
    Row {
        tool: Tool::Goose,
        name: "goose",
        display: "goose",
        detect: Detect::Markers {
            has: goose::has_markers,
            rank: 0,
        },
        folder_files: &[],
        role: goose::role,
        parts: goose::parts,
        txn: TxnMode::Single,
        no_transaction: NoTransaction::Line {
            text: "-- +goose NO TRANSACTION",
            first: false,
            scope: Scope::File,
        },
        next: Next {
            files: &["{version}_{name}.sql"],
            version: Version::TimestampOrNext("%Y%m%d%H%M%S"),
        },
    },
    Row {
        tool: Tool::Dbmate,
        name: "dbmate",
        display: "dbmate",
        detect: Detect::Markers {
            has: dbmate::has_markers,
            rank: 1,
        },
        folder_files: &[],
        role: dbmate::role,
        parts: dbmate::parts,
        txn: TxnMode::Single,
        no_transaction: NoTransaction::MarkerOption {
            marker: "-- migrate:up",
            option: "transaction:false",
            scope: Scope::Section,
        },
        next: Next {
            files: &["{version}_{name}.sql"],
            version: Version::Timestamp("%Y%m%d%H%M%S"),
        },
    },
    Row {
        tool: Tool::Sqlx,
        name: "sqlx",
        display: "sqlx",
        detect: Detect::Numbered {
            evidence: sqlx::has_markers,
            rank: 3,
        },
        folder_files: &[],
        role: sqlx::role,
        parts: sqlx::parts,
        txn: TxnMode::Single,
        no_transaction: NoTransaction::Line {
            text: "-- no-transaction",
            first: true,
            scope: Scope::File,
        },
        next: Next {
            files: &["{version}_{name}.sql"],
            version: Version::TimestampOrNext("%Y%m%d%H%M%S"),
        },
    },
    Row {
        tool: Tool::Diesel,
        name: "diesel",
        display: "Diesel",
        detect: Detect::Layout { rank: 0 },
        folder_files: &["up.sql", "down.sql"],
        role: diesel::role,
        parts: diesel::parts,
        txn: TxnMode::Single,
        no_transaction: NoTransaction::SideFile {
            file: "metadata.toml",
            line: "run_in_transaction = false",
            scope: Scope::Migration,
        },
        next: Next {
            files: &["{version}_{name}/up.sql", "{version}_{name}/down.sql"],
            version: Version::Timestamp("%Y-%m-%d-%H%M%S"),
        },
    },
    Row {
        tool: Tool::GolangMigrate,
        name: "golang-migrate",
        display: "golang-migrate",
        detect: Detect::NumberedPairs,
        folder_files: &[],
        role: golang_migrate::role,
        parts: golang_migrate::parts,
        txn: TxnMode::MultiStatement,
        no_transaction: NoTransaction::OwnFile,
        next: Next {
            files: &["{version}_{name}.up.sql", "{version}_{name}.down.sql"],
            version: Version::TimestampOrNext("%Y%m%d%H%M%S"),
        },
    },
    Row {
        tool: Tool::Flyway,
        name: "flyway",
        display: "Flyway",
        detect: Detect::Layout { rank: 2 },
        folder_files: &[],
        role: flyway::role,
        parts: flyway::parts,
        txn: TxnMode::SingleUnlessAllNonTransactional,
        no_transaction: NoTransaction::SideFile {
            file: "{file}.conf",
            line: "executeInTransaction=false",
            scope: Scope::File,
        },
        next: Next {
            files: &["V{version}__{name}.sql"],
            version: Version::Next,
        },
    },
    Row {
        tool: Tool::Prisma,
        name: "prisma",
        display: "Prisma Migrate",
        detect: Detect::Layout { rank: 1 },
        folder_files: &["migration.sql"],
        role: prisma::role,
        parts: prisma::parts,
        txn: TxnMode::MultiStatement,
        no_transaction: NoTransaction::OwnFile,
        next: Next {
            files: &["{version}_{name}/migration.sql"],
            version: Version::Timestamp("%Y%m%d%H%M%S"),
        },
    },
    Row {
        tool: Tool::Liquibase,
        name: "liquibase",
        display: "Liquibase (formatted SQL)",
        detect: Detect::Markers {
            has: liquibase::has_markers,
            rank: 2,
        },
        folder_files: &[],
        role: liquibase::role,
        parts: liquibase::parts,
        txn: TxnMode::Single,
        no_transaction: NoTransaction::Attribute {
            text: "runInTransaction:false",
        },
        next: Next {
            // `includeAll` runs files in name order; a new changeset may also go at the end of
            // the last file.
            files: &["{version}_{name}.sql"],
            version: Version::Next,
        },
    },
];

/// The config value that is not a tool: detect one per folder.
const AUTO: &str = "auto";

/// Every `[migrations] tool` value: `auto`, then each row's name.
const NAMES: [&str; TOOLS.len() + 1] = {
    let mut out = [AUTO; TOOLS.len() + 1];
    let mut i = 0;
    while i < TOOLS.len() {
        out[i + 1] = TOOLS[i].name;
        i += 1;
    }
    out
};

/// Every [`Tool`]: `Auto`, then each row's key.
const ALL: [Tool; TOOLS.len() + 1] = {
    let mut out = [Tool::Auto; TOOLS.len() + 1];
    let mut i = 0;
    while i < TOOLS.len() {
        out[i + 1] = TOOLS[i].tool;
        i += 1;
    }
    out
};

/// The row of a tool; `Auto` (a folder not detected yet) reads as plain SQL.
pub fn row(tool: Tool) -> &'static Row {
    TOOLS.iter().find(|r| r.tool == tool).unwrap_or(&TOOLS[0])
}

impl Tool {
    /// Every variant: `Auto`, then the tools in table order.
    pub const ALL: &'static [Tool] = &ALL;
    /// Every accepted name, in the order of [`Tool::ALL`].
    pub const NAMES: &'static [&'static str] = &NAMES;

    /// The name used in the config file and on the command line.
    pub fn name(&self) -> &'static str {
        match self {
            Tool::Auto => AUTO,
            t => row(*t).name,
        }
    }
}

impl fmt::Display for Tool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Tool {
    type Err = UnknownName;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Tool::ALL
            .iter()
            .find(|t| t.name() == s)
            .copied()
            .ok_or_else(|| UnknownName {
                what: "migration tool",
                value: s.to_string(),
                expected: Tool::NAMES,
            })
    }
}

impl serde::Serialize for Tool {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Settings;
    use crate::discover::Direction;
    use std::path::Path;

    #[test]
    fn every_tool_has_exactly_one_row_in_variant_order() {
        for (i, tool) in Tool::ALL.iter().enumerate() {
            let rows = TOOLS.iter().filter(|r| r.tool == *tool).count();
            assert_eq!(rows, usize::from(*tool != Tool::Auto), "{tool:?}");
            // Variant order is table order, so `Tool::ALL` and `Tool::NAMES` line up.
            assert_eq!(*tool as usize, i, "{tool:?}");
        }
        assert_eq!(Tool::ALL.len(), TOOLS.len() + 1);
        assert_eq!(row(Tool::Auto).tool, Tool::Plain);
    }

    #[test]
    fn names_round_trip_and_are_unique() {
        for tool in Tool::ALL {
            assert_eq!(tool.name().parse::<Tool>(), Ok(*tool));
            assert_eq!(tool.to_string(), tool.name());
        }
        let mut names = Tool::NAMES.to_vec();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), Tool::NAMES.len());
        assert_eq!("golang-migrate".parse::<Tool>(), Ok(Tool::GolangMigrate));
        let err = "gose".parse::<Tool>().unwrap_err();
        assert_eq!(err.suggestion(), Some("goose"));
    }

    #[test]
    fn every_tool_says_how_a_statement_leaves_the_transaction() {
        for r in &TOOLS {
            let texts: Vec<&str> = match r.no_transaction {
                NoTransaction::Line { text, .. } => vec![text],
                NoTransaction::MarkerOption { marker, option, .. } => vec![marker, option],
                NoTransaction::Attribute { text } => vec![text],
                NoTransaction::SideFile { file, line, .. } => vec![file, line],
                NoTransaction::OwnFile | NoTransaction::Runner => vec![],
            };
            assert!(texts.iter().all(|t| !t.trim().is_empty()), "{}", r.name);
            // A tool that sends the file as one string has no switch: a file of its own it is.
            assert_eq!(
                r.txn == TxnMode::MultiStatement,
                r.no_transaction == NoTransaction::OwnFile,
                "{}",
                r.name
            );
            assert!(
                !r.display.is_empty() && !r.next.files.is_empty(),
                "{}",
                r.name
            );
            assert!(
                r.next.files.iter().all(|f| f.contains("{version}")),
                "{}",
                r.name
            );
        }
        // The switches themselves, as each tool spells them.
        let line = |t: Tool| match row(t).no_transaction {
            NoTransaction::Line { text, first, .. } => Some((text, first)),
            _ => None,
        };
        assert_eq!(line(Tool::Goose), Some(("-- +goose NO TRANSACTION", false)));
        assert_eq!(line(Tool::Sqlx), Some(("-- no-transaction", true)));
    }

    /// The switch each row names turns the transaction off in the tool's own parser, and a file
    /// without it gets the row's default mode.
    #[test]
    fn switches_and_defaults_agree_with_the_modules() {
        let settings = Settings::default();
        let parts = |t: Tool, text: &str| {
            let cx = FileCtx {
                text,
                path: Path::new("/nonexistent/0001_x.sql"),
                direction: Direction::Forward,
                settings: &settings,
            };
            (row(t).parts)(&cx)
                .iter()
                .filter(|p| p.direction == Direction::Forward)
                .map(|p| p.txn)
                .collect::<Vec<_>>()
        };
        for r in &TOOLS {
            let plain = match r.tool {
                Tool::Goose => "-- +goose Up\nSELECT 1;\n",
                Tool::Dbmate => "-- migrate:up\nSELECT 1;\n",
                Tool::Liquibase => "--liquibase formatted sql\n--changeset a:1\nSELECT 1;\n",
                _ => "SELECT 1;\n",
            };
            assert_eq!(parts(r.tool, plain), vec![r.txn], "{}", r.name);
            let off = match r.no_transaction {
                NoTransaction::Line { text, .. } => format!("{text}\n{plain}"),
                NoTransaction::MarkerOption { marker, option, .. } => {
                    format!("{marker} {option}\nSELECT 1;\n")
                }
                NoTransaction::Attribute { text } => {
                    format!("--liquibase formatted sql\n--changeset a:1 {text}\nSELECT 1;\n")
                }
                // Side files, one-statement files and runners are outside the text.
                _ => continue,
            };
            assert_eq!(parts(r.tool, &off), vec![TxnMode::None], "{}", r.name);
        }
    }
}
