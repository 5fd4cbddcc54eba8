//! Command-line definitions (clap). No logic here.

use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// locklint: lint SQL migrations for the locks, rewrites and scans they cause, weighed by table size.
#[derive(Debug, Parser)]
#[command(name = "locklint", version, about, long_about = None)]
pub struct Cli {
    /// The command to run.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Lint migration files and directories (default: the config's `paths`, else `.`).
    Check(CheckArgs),
    /// The annotated report: every statement's locks, rewrites, scans, estimate and findings.
    Report(ReportArgs),
    /// Print the rule's page.
    Explain {
        /// Rule name (e.g. create-index-non-concurrently) or code (LL001).
        rule: String,
    },
    /// List every rule with its code and default severity.
    Rules {
        /// Output format.
        #[arg(long, value_enum, default_value = "table")]
        format: RulesFormat,
    },
    /// Read table sizes from a live database (or the saved output of its catalog query) and
    /// write them into the config's [tables].
    Hints(HintsArgs),
    /// Measure the [estimate] throughput constants on a server (creates and drops a scratch
    /// table of ~1M rows in a temporary schema).
    Calibrate(CalibrateArgs),
    /// Write a commented starter locklint.toml in the current directory.
    Init {
        /// Overwrite an existing locklint.toml.
        #[arg(long)]
        force: bool,
    },
    /// Print a shell completion script.
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

/// Output formats of `rules`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RulesFormat {
    /// Aligned columns: code, name, default severity, summary.
    Table,
    /// A JSON array of {code, name, default_severity, summary}.
    Json,
}

/// Output formats of `check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Graphical, for people.
    Human,
    /// Stable JSON (version 1).
    Json,
    /// GitHub Actions workflow commands (annotations).
    Github,
    /// SARIF 2.1.0 (GitHub code scanning).
    Sarif,
    /// GitLab Code Quality JSON.
    Gitlab,
    /// JUnit XML, one test case per file.
    Junit,
    /// Markdown, for a pull-request comment.
    Markdown,
}

/// Severity threshold for a failing exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    /// Exit 1 when there is an error.
    Error,
    /// Exit 1 when there is an error or a warning.
    Warning,
}

/// Target dialect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DialectArg {
    /// PostgreSQL.
    Postgres,
    /// MySQL / MariaDB.
    Mysql,
}

/// What `check` and `report` both take: the inputs, the config and its overrides.
#[derive(Debug, clap::Args)]
pub struct InputArgs {
    /// Files and directories to lint; `-` reads standard input.
    pub paths: Vec<PathBuf>,
    /// Config file (default: locklint.toml in the current directory or its nearest ancestor).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Target PostgreSQL major version (overrides the config).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(11..=18))]
    pub postgres_version: Option<u32>,
    /// SQL dialect (overrides the config).
    #[arg(long, value_enum)]
    pub dialect: Option<DialectArg>,
    /// Lowest severity that makes the exit code 1 (default: the config's `fail_on`, else
    /// error).
    #[arg(long, value_enum)]
    pub fail_on: Option<FailOn>,
    /// Name shown for standard input.
    #[arg(long, value_name = "NAME", default_value = "<stdin>")]
    pub stdin_filename: String,
    /// Read at most this many bytes from one file; a larger one is reported and not linted
    /// (overrides `[migrations] max_file_bytes`, default 64 MiB).
    #[arg(long, value_name = "BYTES", value_parser = clap::value_parser!(u64).range(1..))]
    pub max_file_bytes: Option<u64>,
}

/// Arguments of `check`.
#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// Inputs and settings shared with `report`.
    #[command(flatten)]
    pub input: InputArgs,
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    pub format: Format,
    /// Lint only files added or changed since this git revision (committed since, staged,
    /// modified or untracked); earlier migrations are still replayed into the schema.
    #[arg(long, value_name = "GIT_REF")]
    pub since: Option<String>,
    /// Lint only the named files, with the other migrations of their folders replayed into the
    /// schema first (the pre-commit hook's mode: it passes only the staged files).
    #[arg(long, conflicts_with = "since")]
    pub with_history: bool,
    /// `--format markdown`: the most characters the comment may have (GitHub rejects comments
    /// over 65,536); findings most severe first, then statement tables, as many as fit.
    #[arg(long, value_name = "N", default_value_t = 65_536,
          value_parser = clap::value_parser!(u64).range(1_000..))]
    pub markdown_max_chars: u64,
    /// Do not report the findings recorded in this baseline file (see --write-baseline);
    /// entries that no longer match a finding are listed on standard error.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Record every finding of this run in FILE (a baseline for --baseline) and exit 0.
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,
    /// Apply the mechanical safe recipes to the selected files (named on the command line, or
    /// changed since --since), splitting migrations by the migration tool's conventions, then
    /// report what is left.
    #[arg(long)]
    pub fix: bool,
    /// Print the changes --fix would make as a unified diff, without writing anything; exit 1
    /// when there is something to fix.
    #[arg(long)]
    pub diff: bool,
    /// Print the effective configuration as TOML and exit.
    #[arg(long)]
    pub dump_config: bool,
    /// Print a summary table on standard error: per input path (per project for a corpus
    /// folder with a MANIFEST.toml), files, statements, parsed, recognized, unparsed and
    /// findings by rule.
    #[arg(long)]
    pub stats: bool,
}

/// Output formats of `report`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    /// Stable JSON (version 1).
    Json,
    /// Markdown: blocking time per table, then per file its blocking windows and a table of
    /// statements (for a pull-request comment).
    Markdown,
    /// One self-contained HTML page: an overview, a lock timeline per file, the SQL annotated
    /// statement by statement.
    Html,
}

/// Arguments of `report`.
#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    /// Inputs and settings shared with `check`.
    #[command(flatten)]
    pub input: InputArgs,
    /// Output format.
    #[arg(long, value_enum, default_value = "markdown")]
    pub format: ReportFormat,
    /// Write the report to this file instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// `--format markdown`: the most characters the report may have (GitHub rejects comments
    /// over 65,536); the blocking time per table first, then per file its blocking windows and
    /// statement table, as many files as fit.
    #[arg(long, value_name = "N", default_value_t = 65_536,
          value_parser = clap::value_parser!(u64).range(1_000..))]
    pub markdown_max_chars: u64,
}

/// The database kinds `hints --print-query` knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum QueryDialect {
    /// PostgreSQL 12 or later.
    Postgres,
    /// MySQL or MariaDB.
    Mysql,
}

/// Arguments of `hints`.
#[derive(Debug, clap::Args)]
#[command(group = clap::ArgGroup::new("source").required(true).args(["database_url", "print_query", "from"]))]
pub struct HintsArgs {
    /// postgres://, postgresql:// (or a key=value string), mysql:// or mariadb:// URL; read in
    /// a READ ONLY transaction, catalogs only. The password is never printed.
    #[arg(long, value_name = "URL")]
    pub database_url: Option<String>,
    /// Print the catalog query for a DBA to run (then `--from` its output) and exit.
    #[arg(long, value_name = "DIALECT", value_enum)]
    pub print_query: Option<QueryDialect>,
    /// Read sizes from the query's saved output (CSV or tab-separated with a header, or JSON).
    #[arg(long, value_name = "FILE")]
    pub from: Option<PathBuf>,
    /// Config file to update (default: locklint.toml in the current directory or its nearest
    /// ancestor; created in the current directory when there is none).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Only this schema (MySQL: database); repeat for several. Default: every non-system one.
    #[arg(long = "schema", value_name = "S")]
    pub schemas: Vec<String>,
    /// Add hints only for tables with at least this many rows (existing hints are always
    /// updated).
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub min_rows: u64,
    /// Remove hints for tables the database no longer has (globs are never removed).
    #[arg(long)]
    pub prune: bool,
    /// Print the change to the config as a diff instead of writing it.
    #[arg(long)]
    pub dry_run: bool,
}

/// Arguments of `calibrate`.
#[derive(Debug, clap::Args)]
pub struct CalibrateArgs {
    /// postgres://, postgresql:// or key=value URL of a server to measure (not production: the
    /// scratch table's writes and index builds load it).
    #[arg(long, value_name = "URL")]
    pub database_url: String,
    /// Confirm creating (and dropping) a scratch table of ~1M rows in a temporary schema.
    #[arg(long)]
    pub yes: bool,
    /// Rows in the scratch table.
    #[arg(long, value_name = "N", default_value_t = 1_000_000)]
    pub rows: u64,
    /// Write the measured [estimate] into this config file instead of printing it.
    #[arg(long, value_name = "FILE")]
    pub write: Option<PathBuf>,
}
