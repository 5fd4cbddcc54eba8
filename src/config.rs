//! `locklint.toml`: the raw TOML schema (every key optional, unknown keys rejected) and the
//! resolved [`Settings`] the rest of the program reads.
//!
//! Parsing happens in two steps. serde turns the text into `Raw*` structs whose values keep
//! their byte spans ([`toml::Spanned`]); resolution then checks ranges, names and formats
//! and fills in defaults. Every error, from either step, points at the offending key or
//! value in the file (see [`ConfigError`]).

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::io::Read;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;

use globset::{Glob, GlobMatcher};
use miette::{NamedSource, SourceSpan};
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};
use toml::Spanned;

/// The file name searched for in the start directory and its ancestors.
pub(crate) const CONFIG_FILE_NAME: &str = "locklint.toml";

/// Oldest PostgreSQL major version the lock model knows.
pub(crate) const MIN_POSTGRES_VERSION: u32 = 11;
/// Newest PostgreSQL major version the lock model knows.
pub(crate) const MAX_POSTGRES_VERSION: u32 = 18;
/// Target PostgreSQL major version when the config does not name one.
pub(crate) const DEFAULT_POSTGRES_VERSION: u32 = 16;
/// Target MySQL version when the config does not name one.
pub(crate) const DEFAULT_MYSQL_VERSION: &str = "8.0";
/// Row count at or above which a table is large, unless `[size] large_rows` says otherwise.
pub(crate) const DEFAULT_LARGE_ROWS: u64 = 1_000_000;
/// Seconds of estimated blocking above which a finding is an error, unless `[size]
/// max_blocking_seconds` says otherwise.
pub(crate) const DEFAULT_MAX_BLOCKING_SECONDS: f64 = 5.0;

// ---------------------------------------------------------------------------------------
// Value enums
// ---------------------------------------------------------------------------------------

/// A config or command-line value that is not one of the accepted names.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {what} `{value}`, expected one of: {}", expected.join(", "))]
pub struct UnknownName {
    /// What kind of value was expected ("dialect", "migration tool", …).
    pub what: &'static str,
    /// The value as given.
    pub value: String,
    /// Every accepted name.
    pub expected: &'static [&'static str],
}

impl UnknownName {
    /// The accepted name closest to the given value, if one is close enough to be a typo.
    pub(crate) fn suggestion(&self) -> Option<&'static str> {
        closest(&self.value, self.expected.iter().copied())
    }
}

/// Defines a fieldless enum's lower-case names, `name()`, `Display` and `FromStr` from one
/// table, so the three can never disagree.
macro_rules! named_enum {
    ($ty:ident, $what:literal, [$($variant:ident => $name:literal),+ $(,)?]) => {
        impl $ty {
            /// Every variant, in declaration order.
            pub const ALL: &'static [$ty] = &[$($ty::$variant),+];
            /// Every accepted name, in declaration order.
            pub const NAMES: &'static [&'static str] = &[$($name),+];

            /// The name used in the config file and on the command line.
            pub fn name(&self) -> &'static str {
                match self {
                    $($ty::$variant => $name),+
                }
            }
        }

        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.name())
            }
        }

        impl FromStr for $ty {
            type Err = UnknownName;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($name => Ok($ty::$variant),)+
                    _ => Err(UnknownName {
                        what: $what,
                        value: s.to_string(),
                        expected: Self::NAMES,
                    }),
                }
            }
        }
    };
}

/// The SQL dialect of the migrations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Dialect {
    /// PostgreSQL (the default).
    #[default]
    Postgres,
    /// MySQL or MariaDB (which one: [`Settings::mysql_version`]).
    Mysql,
}

named_enum!(Dialect, "dialect", [Postgres => "postgres", Mysql => "mysql"]);

pub use crate::discover::tools::Tool;

/// A rule's severity. Ordered: `Off < Info < Warning < Error`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// The rule does not run.
    Off,
    /// Reported, never fails a run.
    Info,
    /// Fails the run with `--fail-on warning`.
    Warning,
    /// Fails the run.
    Error,
}

named_enum!(Level, "level", [Off => "off", Info => "info", Warning => "warning", Error => "error"]);

/// The size assumed for a table that has no `[tables]` hint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum UnknownSize {
    /// Assume the worst: blocking work on it is dangerous (the default).
    #[default]
    Large,
    /// Assume it is small.
    Small,
}

named_enum!(UnknownSize, "size", [Large => "large", Small => "small"]);

// ---------------------------------------------------------------------------------------
// Resolved settings
// ---------------------------------------------------------------------------------------

/// Resolved settings: what the rest of the program uses. Serializable so `--dump-config`
/// can print it (as TOML or JSON).
#[derive(Debug, Clone, Serialize)]
pub struct Settings {
    /// Target PostgreSQL major version ([`MIN_POSTGRES_VERSION`] ..= [`MAX_POSTGRES_VERSION`]).
    pub postgres_version: u32,
    /// SQL dialect of the migrations.
    pub dialect: Dialect,
    /// Target MySQL/MariaDB version ("8.0", "8.4", "mariadb-10.11", …); used when
    /// `dialect` is MySQL.
    pub mysql_version: String,
    /// `fail_on`: the lowest severity that fails a run (`error` or `warning`; `--fail-on`
    /// overrides it).
    pub fail_on: Level,
    /// `[migrations]`: where migrations live and how they are run.
    pub migrations: Migrations,
    /// `[size]`: what counts as a large table.
    pub size: Size,
    /// `[estimate]`: the throughput model estimates are computed with.
    pub estimate: Estimate,
    /// `[tables]`: per-table size hints.
    pub tables: TableHints,
    /// `[rules]`: per-rule severity overrides, by rule name.
    pub rules: BTreeMap<String, Level>,
    /// `[[overrides]]`: rule levels for the files some globs match; the last matching one
    /// that names a rule wins over `[rules]`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub overrides: Vec<Override>,
    /// The file these settings were read from; `None` for built-in defaults. Not a key of the
    /// file: `--dump-config` prints it as a comment, so its output loads back.
    #[serde(skip)]
    pub config_path: Option<PathBuf>,
}

/// One `[[overrides]]` entry, resolved.
#[derive(Debug, Clone, Serialize)]
pub struct Override {
    /// The files it applies to.
    pub paths: PathGlobs,
    /// Levels by rule name.
    pub rules: BTreeMap<String, Level>,
}

/// The `[migrations]` section, resolved.
#[derive(Debug, Clone, Serialize)]
pub struct Migrations {
    /// Default inputs for `check`, already joined to the config file's directory; empty if
    /// the config names none.
    pub paths: Vec<PathBuf>,
    /// Migration tool whose conventions apply.
    pub tool: Tool,
    /// Whether plain SQL files run inside a transaction.
    pub assume_in_transaction: bool,
    /// Whether down/undo migrations are linted too.
    pub lint_down: bool,
    /// At most this many bytes are read from one file (or standard input); a larger file is
    /// reported and not linted.
    pub max_file_bytes: u64,
    /// Files never linted (still replayed into the schema): globs relative to the config's
    /// folder.
    pub exclude: PathGlobs,
    /// Which files found by walking a folder are migrations, by how their names end
    /// (lower case, without the leading dot). A file named on the command line is linted
    /// whatever its name.
    pub extensions: Vec<String>,
}

/// Default for `[migrations] extensions`: `*.sql`, and `*.sql.postgres` (the PostgreSQL-only
/// variant some projects keep beside `*.sql.sqlite`, e.g. Synapse's delta files).
pub const DEFAULT_EXTENSIONS: [&str; 2] = ["sql", "sql.postgres"];

/// Default for `[migrations] max_file_bytes`: 64 MiB.
pub(crate) const DEFAULT_MAX_FILE_BYTES: u64 = 64 << 20;

/// At most this many bytes are read from a config file.
pub(crate) const MAX_CONFIG_BYTES: u64 = 1 << 20;

impl Default for Migrations {
    fn default() -> Self {
        Migrations {
            paths: Vec::new(),
            tool: Tool::default(),
            assume_in_transaction: false,
            lint_down: false,
            max_file_bytes: DEFAULT_MAX_FILE_BYTES,
            exclude: PathGlobs::default(),
            extensions: DEFAULT_EXTENSIONS.map(String::from).to_vec(),
        }
    }
}

/// The `[size]` section, resolved.
#[derive(Debug, Clone, Serialize)]
pub struct Size {
    /// Row count at or above which a table is large (never 0).
    pub large_rows: u64,
    /// Size assumed for tables with no hint.
    pub unknown: UnknownSize,
    /// An estimated blocking window above this many seconds is an error whatever the table's
    /// size; at or below it, a warning at most.
    pub max_blocking_seconds: f64,
}

impl Default for Size {
    fn default() -> Self {
        Size {
            large_rows: DEFAULT_LARGE_ROWS,
            unknown: UnknownSize::Large,
            max_blocking_seconds: DEFAULT_MAX_BLOCKING_SECONDS,
        }
    }
}

/// The `[estimate]` section, resolved: how fast the server gets through each kind of work.
/// MB are 10^6 bytes. The defaults are conservative single-core figures for a server under
/// load; `locklint calibrate` measures them on a given server.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Estimate {
    /// Average bytes per row (heap and indexes), to derive bytes from rows or rows from bytes
    /// when a hint gives only one of them.
    pub row_bytes: f64,
    /// Sequential scan (SET NOT NULL, ATTACH PARTITION, REFRESH): MB/s of the table's size.
    pub scan_mb_per_s: f64,
    /// Table rewrite (ALTER COLUMN TYPE, VACUUM FULL, CLUSTER), indexes rebuilt included:
    /// MB/s of the table's size.
    pub rewrite_mb_per_s: f64,
    /// Index build, sorting: rows/s (added to the heap scan below).
    pub index_rows_per_s: f64,
    /// Index build, reading the heap: MB/s of the table's size.
    pub index_mb_per_s: f64,
    /// FOREIGN KEY / CHECK validation: rows/s.
    pub validate_rows_per_s: f64,
    /// UPDATE / DELETE of every row: rows/s.
    pub update_rows_per_s: f64,
}

impl Default for Estimate {
    fn default() -> Self {
        Estimate {
            row_bytes: 100.0,
            scan_mb_per_s: 200.0,
            rewrite_mb_per_s: 25.0,
            index_rows_per_s: 500_000.0,
            index_mb_per_s: 200.0,
            validate_rows_per_s: 300_000.0,
            update_rows_per_s: 100_000.0,
        }
    }
}

impl Estimate {
    /// Every key with its value, in the order the section documents them.
    pub fn entries(&self) -> [(&'static str, f64); 7] {
        [
            ("row_bytes", self.row_bytes),
            ("scan_mb_per_s", self.scan_mb_per_s),
            ("rewrite_mb_per_s", self.rewrite_mb_per_s),
            ("index_rows_per_s", self.index_rows_per_s),
            ("index_mb_per_s", self.index_mb_per_s),
            ("validate_rows_per_s", self.validate_rows_per_s),
            ("update_rows_per_s", self.update_rows_per_s),
        ]
    }
}

/// One table's size hint: rows, bytes or both.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct TableHint {
    /// Estimated row count, if given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rows: Option<u64>,
    /// Estimated on-disk size in bytes, if given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bytes: Option<u64>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            postgres_version: DEFAULT_POSTGRES_VERSION,
            dialect: Dialect::Postgres,
            mysql_version: DEFAULT_MYSQL_VERSION.to_string(),
            fail_on: Level::Error,
            migrations: Migrations::default(),
            size: Size::default(),
            estimate: Estimate::default(),
            tables: TableHints::default(),
            rules: BTreeMap::new(),
            overrides: Vec::new(),
            config_path: None,
        }
    }
}

impl Settings {
    /// Is a table with this hint large? Without a hint, `[size] unknown` decides.
    pub(crate) fn is_large(&self, hint: Option<TableHint>) -> bool {
        match hint {
            Some(hint) => self.rows_of(hint) >= self.size.large_rows,
            None => self.size.unknown == UnknownSize::Large,
        }
    }

    /// A hint's row count: as given, else derived from its bytes and `[estimate] row_bytes`.
    pub fn rows_of(&self, hint: TableHint) -> u64 {
        match (hint.rows, hint.bytes) {
            (Some(rows), _) => rows,
            (None, Some(bytes)) => (bytes as f64 / self.estimate.row_bytes).round() as u64,
            (None, None) => 0,
        }
    }

    /// A hint's size in bytes: as given, else derived from its rows and `[estimate] row_bytes`.
    pub(crate) fn bytes_of(&self, hint: TableHint) -> u64 {
        match (hint.bytes, hint.rows) {
            (Some(bytes), _) => bytes,
            (None, Some(rows)) => (rows as f64 * self.estimate.row_bytes).round() as u64,
            (None, None) => 0,
        }
    }

    /// The severity configured for a rule in `[rules]`, if any (the rule's default applies
    /// otherwise).
    pub(crate) fn rule_level(&self, rule: &str) -> Option<Level> {
        self.rules.get(rule).copied()
    }

    /// The configured level of a rule for the file at `path`: the last `[[overrides]]` entry
    /// matching the path that names the rule, else `[rules]`.
    pub(crate) fn rule_level_at(&self, path: &Path, rule: &str) -> Option<Level> {
        self.overrides
            .iter()
            .rev()
            .filter_map(|o| o.rules.get(rule).map(|l| (o, *l)))
            .find(|(o, _)| o.paths.matches(path))
            .map(|(_, l)| l)
            .or_else(|| self.rule_level(rule))
    }
}

/// The `[tables]` size hints, in file order, indexed for lookup.
///
/// Keys are `table` or `schema.table`; each part is folded to lower case unless it is
/// double-quoted inside the key (`'app."Users"'`). A key containing `*`, `?` or `[` is a
/// glob. Serializes as a map from each key, as written, to its hint.
#[derive(Debug, Clone, Default)]
pub struct TableHints {
    /// Every entry in file order: the key as written and its hint.
    entries: Vec<(String, TableHint)>,
    /// schema → table → index into `entries`, for schema-qualified exact keys.
    qualified: HashMap<String, HashMap<String, usize>>,
    /// table → index into `entries`, for unqualified exact keys.
    bare: HashMap<String, usize>,
    /// Glob keys in file order.
    globs: Vec<GlobKey>,
}

#[derive(Debug, Clone)]
struct GlobKey {
    matcher: GlobMatcher,
    /// Matches `schema.table` when true, the bare table name otherwise.
    qualified: bool,
    entry: usize,
}

impl TableHints {
    /// Look up a table's hint. `schema` is `None` when the SQL did not qualify the name.
    /// Names passed in are already case-folded by the caller (unquoted SQL identifiers
    /// folded to lower case).
    ///
    /// Precedence: an exact `schema.table` key (the schema defaulting to `public`), then an
    /// exact unqualified key (any schema), then the first matching glob in file order.
    pub fn lookup(&self, schema: Option<&str>, table: &str) -> Option<TableHint> {
        let schema = schema.unwrap_or("public");
        let index = self
            .qualified
            .get(schema)
            .and_then(|tables| tables.get(table))
            .or_else(|| self.bare.get(table))
            .copied()
            .or_else(|| {
                if self.globs.is_empty() {
                    return None;
                }
                let qualified_name = format!("{schema}.{table}");
                self.globs
                    .iter()
                    .find(|glob| {
                        let name = if glob.qualified {
                            qualified_name.as_str()
                        } else {
                            table
                        };
                        glob.matcher.is_match(name)
                    })
                    .map(|glob| glob.entry)
            })?;
        self.entries.get(index).map(|(_, hint)| *hint)
    }

    /// True when there are no hints.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Number of hints.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Every hint in file order, with its key as written.
    pub fn iter(&self) -> impl Iterator<Item = (&str, TableHint)> {
        self.entries.iter().map(|(key, hint)| (key.as_str(), *hint))
    }
}

impl Serialize for TableHints {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.entries.len()))?;
        for (key, hint) in &self.entries {
            map.serialize_entry(key, hint)?;
        }
        map.end()
    }
}

// ---------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------

/// Why a config file could not be used.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum ConfigError {
    /// The file could not be read (missing `--config` file, permissions, …).
    #[error("cannot read config file {}: {io}", path.display())]
    #[diagnostic(code(locklint::config::io))]
    Io {
        /// The path as it was tried.
        path: PathBuf,
        /// What the OS said.
        io: std::io::Error,
    },

    /// The file is not valid TOML, or a key or value in it is wrong. Points at the key or
    /// value in the file.
    #[error("{message}")]
    #[diagnostic(code(locklint::config::invalid))]
    Invalid {
        /// What is wrong.
        message: String,
        /// The file's name and text.
        #[source_code]
        src: Arc<NamedSource<String>>,
        /// Where in the file.
        #[label("{label}")]
        span: SourceSpan,
        /// Short text shown under the span.
        label: String,
        /// How to fix it, when there is something useful to say.
        #[help]
        help: Option<String>,
    },
}

impl ConfigError {
    /// The byte range in the config file this error points at, if it points anywhere.
    pub fn span(&self) -> Option<Range<usize>> {
        match self {
            ConfigError::Io { .. } => None,
            ConfigError::Invalid { span, .. } => Some(span.offset()..span.offset() + span.len()),
        }
    }
}

// ---------------------------------------------------------------------------------------
// Loading
// ---------------------------------------------------------------------------------------

/// Load settings. `explicit` is `--config FILE`, which must exist; otherwise `start_dir`
/// and its ancestors are searched for [`CONFIG_FILE_NAME`], and if none is found the
/// defaults apply.
pub(crate) fn load(
    explicit: Option<&Path>,
    start_dir: &Path,
    known_rules: &[&str],
) -> Result<Settings, ConfigError> {
    let path = match explicit {
        Some(path) => path.to_path_buf(),
        None => match find(start_dir) {
            Some(path) => path,
            None => return Ok(Settings::default()),
        },
    };
    let text = read_text(&path)?;
    parse_str(&text, &path, known_rules)
}

/// The config file that applies to `start_dir`: [`CONFIG_FILE_NAME`] in it or in its
/// nearest ancestor, or in the same search a `pyproject.toml` with a `[tool.locklint]` table
/// (a `locklint.toml` in the same folder wins). A file found in `start_dir` itself is returned
/// relative when `start_dir` is relative (so paths in reports stay relative); one found higher
/// up is returned absolute.
pub fn find(start_dir: &Path) -> Option<PathBuf> {
    let here = if start_dir.as_os_str().is_empty() || start_dir == Path::new(".") {
        Path::new("")
    } else {
        start_dir
    };
    if let Some(found) = config_in(here) {
        return Some(found);
    }
    // A relative start has no ancestors of its own beyond what the working directory
    // gives it, so walk up from its absolute form. `..` must be resolved first, or the
    // walk would visit `a` as the parent of `a/..`.
    let has_parent_dir = start_dir
        .components()
        .any(|c| matches!(c, std::path::Component::ParentDir));
    let absolute = if has_parent_dir {
        std::fs::canonicalize(start_dir).ok()
    } else {
        std::path::absolute(start_dir).ok()
    }
    .unwrap_or_else(|| start_dir.to_path_buf());
    absolute.ancestors().skip(1).find_map(config_in)
}

/// The name of the Python project file whose `[tool.locklint]` table is a config.
pub(crate) const PYPROJECT_FILE_NAME: &str = "pyproject.toml";

/// The config file in `dir` itself, if any: `locklint.toml`, else a `pyproject.toml` with a
/// `[tool.locklint]` table.
fn config_in(dir: &Path) -> Option<PathBuf> {
    let toml = dir.join(CONFIG_FILE_NAME);
    if toml.is_file() {
        return Some(toml);
    }
    let py = dir.join(PYPROJECT_FILE_NAME);
    let text = std::fs::read_to_string(&py).ok()?;
    // Most pyproject.toml files never mention locklint: skip parsing them.
    if !text.contains("locklint") {
        return None;
    }
    let doc: toml::Table = toml::from_str(&text).ok()?;
    doc.get("tool")
        .and_then(|t| t.get("locklint"))
        .is_some()
        .then_some(py)
}

/// `pyproject.toml`: only `[tool.locklint]` is read; every other table is the Python tools'.
#[derive(Deserialize)]
struct RawPyproject {
    tool: Option<RawPyTools>,
}

#[derive(Deserialize)]
struct RawPyTools {
    locklint: Option<RawConfig>,
}

/// `8.0`, `8.4.2`, `mariadb-10.11`: an optional `mariadb-`, then one to three dot-separated
/// numbers.
fn is_mysql_version(v: &str) -> bool {
    let v = v.strip_prefix("mariadb-").unwrap_or(v);
    let parts: Vec<&str> = v.split('.').collect();
    parts.len() <= 3
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.len() <= 4 && p.bytes().all(|b| b.is_ascii_digit()))
}

fn read_text(path: &Path) -> Result<String, ConfigError> {
    let io = |io| ConfigError::Io {
        path: path.to_path_buf(),
        io,
    };
    // Capped, so that `--config /dev/zero` is an error, not an endless read.
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_CONFIG_BYTES + 1).read_to_end(&mut bytes))
        .map_err(io)?;
    if bytes.len() as u64 > MAX_CONFIG_BYTES {
        return Err(io(std::io::Error::other(format!(
            "larger than {} MiB, the most a config file may hold",
            MAX_CONFIG_BYTES >> 20
        ))));
    }
    match String::from_utf8(bytes) {
        Ok(text) => Ok(text),
        Err(err) => {
            let at = err.utf8_error().valid_up_to();
            // The lossy text has the same bytes up to `at`, where U+FFFD replaces the bad
            // sequence, so the span still lines up.
            let text = String::from_utf8_lossy(err.as_bytes()).into_owned();
            Err(invalid(
                &text,
                path,
                at..at + char::REPLACEMENT_CHARACTER.len_utf8(),
                "config file is not valid UTF-8",
                "invalid UTF-8",
                Some("save the file as UTF-8".to_string()),
            ))
        }
    }
}

/// Parse config text. `path` names the file in error reports and anchors
/// `[migrations] paths`. `known_rules` lists the valid rule names for `[rules]`; an unknown
/// name is an error pointing at the key, suggesting the closest known name if one is close.
pub fn parse_str(text: &str, path: &Path, known_rules: &[&str]) -> Result<Settings, ConfigError> {
    let raw: RawConfig = if path.file_name() == Some(std::ffi::OsStr::new(PYPROJECT_FILE_NAME)) {
        // Spans stay offsets into the whole file, so errors point into pyproject.toml.
        let py: RawPyproject = toml::from_str(text).map_err(|err| toml_error(text, path, &err))?;
        py.tool.and_then(|t| t.locklint).unwrap_or_default()
    } else {
        toml::from_str(text).map_err(|err| toml_error(text, path, &err))?
    };
    Resolver {
        text,
        path,
        known_rules,
    }
    .resolve(raw)
}

fn invalid(
    text: &str,
    path: &Path,
    span: Range<usize>,
    message: impl Into<String>,
    label: impl Into<String>,
    help: Option<String>,
) -> ConfigError {
    let start = span.start.min(text.len());
    let end = span.end.clamp(start, text.len());
    ConfigError::Invalid {
        message: message.into(),
        src: Arc::new(NamedSource::new(
            path.display().to_string(),
            text.to_string(),
        )),
        span: (start..end).into(),
        label: label.into(),
        help,
    }
}

/// Turn an error from the toml crate (syntax, wrong type, unknown or missing key) into a
/// located [`ConfigError`], with a shorter label and a suggestion where one can be made.
fn toml_error(text: &str, path: &Path, err: &toml::de::Error) -> ConfigError {
    let span = err.span().unwrap_or(0..0);
    // serde speaks Rust ("i64", "sequence", "map"); the user wrote TOML.
    let message = err
        .message()
        .trim()
        .replace('\n', "; ")
        .replace("expected i64", "expected an integer")
        .replace("expected a sequence", "expected an array")
        .replace("expected a map", "expected a table");
    let quoted = backticked(&message);
    let (message, label, help) = if let Some(rest) = message.strip_prefix("unknown field ") {
        let help = match quoted.split_first() {
            // The message already lists the expected keys; only a near miss adds anything.
            Some((unknown, expected)) => closest(unknown, expected.iter().copied())
                .map(|near| format!("did you mean `{near}`?")),
            None => None,
        };
        (format!("unknown key {rest}"), "unknown key", help)
    } else if let Some(rest) = message.strip_prefix("missing field ") {
        (
            format!("missing key {rest}"),
            "required key missing here",
            None,
        )
    } else if message.starts_with("invalid type") {
        (message, "wrong type", None)
    } else if message.starts_with("duplicate key") {
        (
            message,
            "duplicate key",
            Some("a key may appear only once in a table".to_string()),
        )
    } else {
        (format!("invalid TOML: {message}"), "here", None)
    };
    invalid(text, path, span, message, label, help)
}

/// The `…`-quoted words of a serde error message, in order.
fn backticked(message: &str) -> Vec<&str> {
    message.split('`').skip(1).step_by(2).collect()
}

/// The candidate closest to `name` by edit distance, if close enough to be a typo. An
/// abbreviation (`warn` for `warning`) counts as close.
pub(crate) fn closest<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let limit = (name.chars().count() / 3).max(1);
    let abbreviates = |candidate: &str| name.len() >= 3 && candidate.starts_with(name);
    candidates
        .into_iter()
        .map(|candidate| {
            let distance = edit_distance(name, candidate);
            let distance = if abbreviates(candidate) {
                distance.min(limit)
            } else {
                distance
            };
            (distance, candidate)
        })
        .filter(|(distance, _)| *distance <= limit)
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, candidate)| candidate)
}

/// Levenshtein distance, by characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitute = diagonal + usize::from(ca != *cb);
            diagonal = row[j + 1];
            row[j + 1] = substitute.min(row[j] + 1).min(diagonal + 1);
        }
    }
    row[b.len()]
}

// ---------------------------------------------------------------------------------------
// Raw schema: exactly what the file may contain
// ---------------------------------------------------------------------------------------

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields, expecting = "a table")]
struct RawConfig {
    postgres_version: Option<Spanned<i64>>,
    dialect: Option<Spanned<String>>,
    mysql_version: Option<Spanned<String>>,
    fail_on: Option<Spanned<String>>,
    migrations: Option<RawMigrations>,
    size: Option<RawSize>,
    estimate: Option<RawEstimate>,
    tables: Option<Ordered<Spanned<String>, Spanned<RawTableHint>>>,
    rules: Option<Ordered<Spanned<String>, Spanned<String>>>,
    overrides: Option<Vec<RawOverride>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, expecting = "a table")]
struct RawMigrations {
    paths: Option<Vec<Spanned<String>>>,
    tool: Option<Spanned<String>>,
    assume_in_transaction: Option<bool>,
    lint_down: Option<bool>,
    max_file_bytes: Option<Spanned<i64>>,
    exclude: Option<Vec<Spanned<String>>>,
    extensions: Option<Spanned<Vec<Spanned<String>>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, expecting = "a table with `paths` and `rules`")]
struct RawOverride {
    paths: Vec<Spanned<String>>,
    rules: Ordered<Spanned<String>, Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, expecting = "a table")]
struct RawSize {
    large_rows: Option<Spanned<i64>>,
    unknown: Option<Spanned<String>>,
    max_blocking_seconds: Option<Spanned<f64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, expecting = "a table")]
struct RawEstimate {
    row_bytes: Option<Spanned<f64>>,
    scan_mb_per_s: Option<Spanned<f64>>,
    rewrite_mb_per_s: Option<Spanned<f64>>,
    index_rows_per_s: Option<Spanned<f64>>,
    index_mb_per_s: Option<Spanned<f64>>,
    validate_rows_per_s: Option<Spanned<f64>>,
    update_rows_per_s: Option<Spanned<f64>>,
}

#[derive(Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a table like { rows = 1000000, bytes = \"120 GB\" }"
)]
struct RawTableHint {
    rows: Option<Spanned<i64>>,
    bytes: Option<Spanned<RawBytes>>,
}

/// `bytes = 123` or `bytes = "120 GB"`.
enum RawBytes {
    Int(i64),
    Text(String),
}

impl<'de> Deserialize<'de> for RawBytes {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct BytesVisitor;

        impl Visitor<'_> for BytesVisitor {
            type Value = RawBytes;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an integer or a size string like \"120 GB\"")
            }

            fn visit_i64<E: de::Error>(self, v: i64) -> Result<RawBytes, E> {
                Ok(RawBytes::Int(v))
            }

            fn visit_u64<E: de::Error>(self, v: u64) -> Result<RawBytes, E> {
                i64::try_from(v)
                    .map(RawBytes::Int)
                    .map_err(|_| E::custom("byte count is too large"))
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<RawBytes, E> {
                Ok(RawBytes::Text(v.to_string()))
            }
        }

        deserializer.deserialize_any(BytesVisitor)
    }
}

/// A TOML table's entries in file order (the toml crate's `preserve_order` feature keeps
/// them so; glob precedence depends on it).
struct Ordered<K, V>(Vec<(K, V)>);

impl<'de, K: Deserialize<'de>, V: Deserialize<'de>> Deserialize<'de> for Ordered<K, V> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct OrderedVisitor<K, V>(std::marker::PhantomData<(K, V)>);

        impl<'de, K: Deserialize<'de>, V: Deserialize<'de>> Visitor<'de> for OrderedVisitor<K, V> {
            type Value = Ordered<K, V>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a table")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut entries = Vec::with_capacity(map.size_hint().unwrap_or(0));
                while let Some(entry) = map.next_entry()? {
                    entries.push(entry);
                }
                Ok(Ordered(entries))
            }
        }

        deserializer.deserialize_map(OrderedVisitor(std::marker::PhantomData))
    }
}

// ---------------------------------------------------------------------------------------
// Resolution: raw → Settings, with located errors
// ---------------------------------------------------------------------------------------

struct Resolver<'a> {
    text: &'a str,
    path: &'a Path,
    known_rules: &'a [&'a str],
}

impl Resolver<'_> {
    fn error(
        &self,
        span: Range<usize>,
        message: impl Into<String>,
        label: impl Into<String>,
        help: Option<String>,
    ) -> ConfigError {
        invalid(self.text, self.path, span, message, label, help)
    }

    fn resolve(&self, raw: RawConfig) -> Result<Settings, ConfigError> {
        let mut settings = Settings {
            config_path: Some(self.path.to_path_buf()),
            ..Settings::default()
        };

        if let Some(version) = raw.postgres_version {
            settings.postgres_version = self.postgres_version(&version)?;
        }
        if let Some(dialect) = raw.dialect {
            settings.dialect = self.named(&dialect)?;
        }
        if let Some(version) = raw.mysql_version {
            if version.get_ref().trim().is_empty() {
                return Err(self.error(
                    version.span(),
                    "`mysql_version` is empty",
                    "empty version",
                    Some("write a version like \"8.0\", \"8.4\" or \"mariadb-10.11\"".into()),
                ));
            }
            if !is_mysql_version(version.get_ref()) {
                return Err(self.error(
                    version.span(),
                    format!("`mysql_version` {:?} is not a version", version.get_ref()),
                    "not a version",
                    Some("write a version like \"8.0\", \"8.4\" or \"mariadb-10.11\"".into()),
                ));
            }
            settings.mysql_version = version.into_inner();
        }
        if let Some(fail_on) = raw.fail_on {
            settings.fail_on = match self.named(&fail_on)? {
                level @ (Level::Error | Level::Warning) => level,
                _ => {
                    return Err(self.error(
                        fail_on.span(),
                        format!("`fail_on` cannot be \"{}\"", fail_on.get_ref()),
                        "not error or warning",
                        Some("write \"error\" or \"warning\"".into()),
                    ));
                }
            };
        }
        if let Some(migrations) = raw.migrations {
            settings.migrations = self.migrations(migrations)?;
        }
        if let Some(size) = raw.size {
            settings.size = self.size(size)?;
        }
        if let Some(estimate) = raw.estimate {
            settings.estimate = self.estimate(estimate)?;
        }
        if let Some(tables) = raw.tables {
            settings.tables = self.tables(tables)?;
        }
        if let Some(rules) = raw.rules {
            settings.rules = self.rules(rules)?;
        }
        for o in raw.overrides.unwrap_or_default() {
            settings.overrides.push(Override {
                paths: self.globs(&o.paths, "[[overrides]] paths")?,
                rules: self.rules(o.rules)?,
            });
        }
        Ok(settings)
    }

    fn postgres_version(&self, version: &Spanned<i64>) -> Result<u32, ConfigError> {
        let supported = i64::from(MIN_POSTGRES_VERSION)..=i64::from(MAX_POSTGRES_VERSION);
        match u32::try_from(*version.get_ref()) {
            Ok(v) if supported.contains(&i64::from(v)) => Ok(v),
            _ => Err(self.error(
                version.span(),
                format!("unsupported `postgres_version` {}", version.get_ref()),
                "not a supported PostgreSQL major version",
                Some(format!(
                    "locklint knows PostgreSQL {MIN_POSTGRES_VERSION} to {MAX_POSTGRES_VERSION}; \
                     write the major version only, e.g. 16"
                )),
            )),
        }
    }

    /// A value that must be one of an enum's names.
    fn named<T: FromStr<Err = UnknownName>>(
        &self,
        value: &Spanned<String>,
    ) -> Result<T, ConfigError> {
        value.get_ref().parse().map_err(|err: UnknownName| {
            let help = match err.suggestion() {
                Some(near) => format!("did you mean \"{near}\"?"),
                None => format!("expected one of: {}", err.expected.join(", ")),
            };
            self.error(
                value.span(),
                format!("unknown {} \"{}\"", err.what, err.value),
                format!("not a known {}", err.what),
                Some(help),
            )
        })
    }

    fn migrations(&self, raw: RawMigrations) -> Result<Migrations, ConfigError> {
        let base = self.path.parent().unwrap_or(Path::new(""));
        let mut paths = Vec::new();
        for path in raw.paths.unwrap_or_default() {
            if path.get_ref().is_empty() {
                return Err(self.error(
                    path.span(),
                    "empty path in `[migrations] paths`",
                    "empty path",
                    Some("use \".\" for the config file's own directory".into()),
                ));
            }
            paths.push(base.join(path.get_ref()));
        }
        Ok(Migrations {
            paths,
            tool: match raw.tool {
                Some(tool) => self.named(&tool)?,
                None => Tool::Auto,
            },
            assume_in_transaction: raw.assume_in_transaction.unwrap_or(false),
            lint_down: raw.lint_down.unwrap_or(false),
            max_file_bytes: match raw.max_file_bytes {
                Some(max) => match u64::try_from(*max.get_ref()) {
                    Ok(0) => {
                        return Err(self.error(
                            max.span(),
                            "`max_file_bytes` must be at least 1",
                            "0 would skip every file",
                            None,
                        ));
                    }
                    Ok(n) => n,
                    Err(_) => return Err(self.negative(max.span(), "max_file_bytes")),
                },
                None => DEFAULT_MAX_FILE_BYTES,
            },
            exclude: match raw.exclude {
                Some(globs) => self.globs(&globs, "[migrations] exclude")?,
                None => PathGlobs::default(),
            },
            extensions: match raw.extensions {
                Some(list) => self.extensions(list)?,
                None => DEFAULT_EXTENSIONS.map(String::from).to_vec(),
            },
        })
    }

    /// `[migrations] extensions`: at least one, each a file-name ending such as `"sql"` or
    /// `"sql.postgres"` (a leading dot is allowed and dropped).
    fn extensions(&self, list: Spanned<Vec<Spanned<String>>>) -> Result<Vec<String>, ConfigError> {
        if list.get_ref().is_empty() {
            return Err(self.error(
                list.span(),
                "`[migrations] extensions` is empty",
                "no file found by walking a folder would be linted",
                Some("the default is [\"sql\", \"sql.postgres\"]".into()),
            ));
        }
        let mut out = Vec::new();
        for ext in list.get_ref() {
            let e = ext.get_ref().trim_start_matches('.').to_ascii_lowercase();
            if e.is_empty() || e.contains(['/', '\\', '*']) {
                return Err(self.error(
                    ext.span(),
                    format!(
                        "invalid extension {:?} in `[migrations] extensions`",
                        ext.get_ref()
                    ),
                    "not a file-name ending",
                    Some("write how the names end, e.g. \"sql\" or \"sql.postgres\"".into()),
                ));
            }
            if !out.contains(&e) {
                out.push(e);
            }
        }
        Ok(out)
    }

    /// Globs relative to the config's folder; one that does not compile is a located error.
    fn globs(&self, raw: &[Spanned<String>], key: &str) -> Result<PathGlobs, ConfigError> {
        let patterns: Vec<String> = raw.iter().map(|g| g.get_ref().clone()).collect();
        let base = self.path.parent().unwrap_or(Path::new(""));
        PathGlobs::new(&patterns, base).map_err(|bad| {
            let span = raw.get(bad.index).map_or(0..0, Spanned::span);
            self.error(
                span,
                format!("invalid glob in `{key}`: {}", bad.message),
                "invalid glob",
                Some("`*` matches within a folder, `**` across folders, e.g. \"legacy/**\"".into()),
            )
        })
    }

    fn size(&self, raw: RawSize) -> Result<Size, ConfigError> {
        let large_rows = match raw.large_rows {
            Some(rows) => match u64::try_from(*rows.get_ref()) {
                Ok(0) => {
                    return Err(self.error(
                        rows.span(),
                        "`large_rows` must be at least 1",
                        "0 would make every table large",
                        Some("to treat every table as large, set `large_rows = 1`".into()),
                    ));
                }
                Ok(n) => n,
                Err(_) => return Err(self.negative(rows.span(), "large_rows")),
            },
            None => DEFAULT_LARGE_ROWS,
        };
        let unknown = match raw.unknown {
            Some(unknown) => self.named(&unknown)?,
            None => UnknownSize::Large,
        };
        let max_blocking_seconds = match raw.max_blocking_seconds {
            Some(secs) => self.seconds(&secs, "max_blocking_seconds")?,
            None => DEFAULT_MAX_BLOCKING_SECONDS,
        };
        Ok(Size {
            large_rows,
            unknown,
            max_blocking_seconds,
        })
    }

    fn seconds(&self, value: &Spanned<f64>, key: &str) -> Result<f64, ConfigError> {
        let v = *value.get_ref();
        if v.is_finite() && v >= 0.0 {
            Ok(v)
        } else {
            Err(self.error(
                value.span(),
                format!("`{key}` must be a number of seconds, 0 or more"),
                "not a duration",
                Some(format!("e.g. `{key} = 5`")),
            ))
        }
    }

    fn estimate(&self, raw: RawEstimate) -> Result<Estimate, ConfigError> {
        let mut e = Estimate::default();
        let fields = [
            (raw.row_bytes, &mut e.row_bytes, "row_bytes"),
            (raw.scan_mb_per_s, &mut e.scan_mb_per_s, "scan_mb_per_s"),
            (
                raw.rewrite_mb_per_s,
                &mut e.rewrite_mb_per_s,
                "rewrite_mb_per_s",
            ),
            (
                raw.index_rows_per_s,
                &mut e.index_rows_per_s,
                "index_rows_per_s",
            ),
            (raw.index_mb_per_s, &mut e.index_mb_per_s, "index_mb_per_s"),
            (
                raw.validate_rows_per_s,
                &mut e.validate_rows_per_s,
                "validate_rows_per_s",
            ),
            (
                raw.update_rows_per_s,
                &mut e.update_rows_per_s,
                "update_rows_per_s",
            ),
        ];
        for (value, slot, key) in fields {
            let Some(value) = value else { continue };
            let v = *value.get_ref();
            if !(v.is_finite() && v > 0.0) {
                return Err(self.error(
                    value.span(),
                    format!("`[estimate] {key}` must be a positive number"),
                    "not a positive number",
                    Some("`locklint calibrate` measures these on a server".into()),
                ));
            }
            *slot = v;
        }
        Ok(e)
    }

    fn negative(&self, span: Range<usize>, key: &str) -> ConfigError {
        self.error(
            span,
            format!("`{key}` cannot be negative"),
            "negative",
            None,
        )
    }

    fn tables(
        &self,
        raw: Ordered<Spanned<String>, Spanned<RawTableHint>>,
    ) -> Result<TableHints, ConfigError> {
        let mut hints = TableHints::default();
        // Normalized name → the key that claimed it, to catch `users` vs `"public".users`.
        let mut seen: HashMap<String, String> = HashMap::new();
        for (key, entry) in raw.0 {
            let key_span = key.span();
            let key = key.into_inner();
            let entry = entry.into_inner();
            let rows = entry
                .rows
                .map(|rows| {
                    u64::try_from(*rows.get_ref()).map_err(|_| self.negative(rows.span(), "rows"))
                })
                .transpose()?;
            let bytes = entry.bytes.map(|bytes| self.bytes(&bytes)).transpose()?;
            if rows.is_none() && bytes.is_none() {
                return Err(self.error(
                    key_span,
                    format!("table hint `{key}` gives neither `rows` nor `bytes`"),
                    "no size",
                    Some("write `{ rows = 1000000 }`, `{ bytes = \"120 GB\" }` or both".into()),
                ));
            }
            let hint = TableHint { rows, bytes };

            let parts = split_table_key(&key).map_err(|why| {
                self.error(
                    key_span.clone(),
                    format!("invalid table name `{key}`: {why}"),
                    "invalid table name",
                    Some(
                        "write `table` or `schema.table`; double-quote a part inside the key \
                         to keep its case, e.g. 'app.\"Users\"'"
                            .into(),
                    ),
                )
            })?;
            let normalized = parts.join(".");
            if let Some(previous) = seen.insert(normalized.clone(), key.clone()) {
                return Err(self.error(
                    key_span,
                    format!("duplicate table hint: `{key}` names the same table as `{previous}`"),
                    "duplicate",
                    Some("unquoted names are folded to lower case; keep one of the two".into()),
                ));
            }

            let index = hints.entries.len();
            if key.contains(['*', '?', '[']) {
                let glob = Glob::new(&normalized).map_err(|err| {
                    self.error(
                        key_span.clone(),
                        format!("invalid glob `{key}`: {}", err.kind()),
                        "invalid glob",
                        Some("globs use `*`, `?` and `[abc]`, e.g. \"audit_*\"".into()),
                    )
                })?;
                hints.globs.push(GlobKey {
                    matcher: glob.compile_matcher(),
                    qualified: parts.len() == 2,
                    entry: index,
                });
            } else if let [schema, table] = parts.as_slice() {
                hints
                    .qualified
                    .entry(schema.clone())
                    .or_default()
                    .insert(table.clone(), index);
            } else {
                hints.bare.insert(normalized, index);
            }
            hints.entries.push((key, hint));
        }
        Ok(hints)
    }

    fn bytes(&self, bytes: &Spanned<RawBytes>) -> Result<u64, ConfigError> {
        match bytes.get_ref() {
            RawBytes::Int(n) => u64::try_from(*n).map_err(|_| self.negative(bytes.span(), "bytes")),
            RawBytes::Text(text) => parse_byte_size(text).map_err(|why| {
                self.error(
                    bytes.span(),
                    format!("invalid size \"{text}\": {why}"),
                    "invalid size",
                    Some(
                        "write a byte count or a number with a unit: kB, MB, GB, TB (powers \
                         of 1000) or KiB, MiB, GiB, TiB (powers of 1024), e.g. \"120 GB\""
                            .into(),
                    ),
                )
            }),
        }
    }

    fn rules(
        &self,
        raw: Ordered<Spanned<String>, Spanned<String>>,
    ) -> Result<BTreeMap<String, Level>, ConfigError> {
        let mut rules = BTreeMap::new();
        for (name, level) in raw.0 {
            if !self.known_rules.contains(&name.get_ref().as_str()) {
                let help = closest(name.get_ref(), self.known_rules.iter().copied())
                    .map(|near| format!("did you mean `{near}`?"))
                    .unwrap_or_else(|| "`locklint rules` lists every rule".to_string());
                return Err(self.error(
                    name.span(),
                    format!("unknown rule `{}`", name.get_ref()),
                    "unknown rule",
                    Some(help),
                ));
            }
            let level: Level = self.named(&level)?;
            rules.insert(name.into_inner(), level);
        }
        Ok(rules)
    }
}

/// Split a `[tables]` key into its parts (`table` or `schema`, `table`), folding unquoted
/// parts to lower case the way PostgreSQL folds unquoted identifiers (ASCII only) and
/// keeping double-quoted parts as written (`""` inside quotes is a literal quote).
pub(crate) fn split_table_key(key: &str) -> Result<Vec<String>, &'static str> {
    let mut parts = Vec::new();
    let mut rest = key;
    loop {
        rest = rest.trim_start();
        let part = if let Some(quoted) = rest.strip_prefix('"') {
            let mut part = String::new();
            let mut chars = quoted.char_indices();
            let end = loop {
                match chars.next() {
                    Some((i, '"')) => {
                        if quoted[i + 1..].starts_with('"') {
                            part.push('"');
                            chars.next();
                        } else {
                            break i + 1;
                        }
                    }
                    Some((_, c)) => part.push(c),
                    None => return Err("unterminated double quote"),
                }
            };
            rest = quoted[end..].trim_start();
            part
        } else {
            let end = rest.find('.').unwrap_or(rest.len());
            let part = rest[..end].trim();
            if part.contains('"') {
                return Err("a double quote must enclose a whole name part");
            }
            rest = &rest[end..];
            part.to_ascii_lowercase()
        };
        if part.is_empty() {
            return Err("empty name part");
        }
        parts.push(part);
        match rest.strip_prefix('.') {
            Some(after) => rest = after,
            None if rest.is_empty() => break,
            None => return Err("expected `.` after a quoted name"),
        }
    }
    if parts.len() > 2 {
        return Err("at most two parts, `schema.table`");
    }
    Ok(parts)
}

/// Parse a size like "120 GB", "1.5GiB", "10kB" or "42" into bytes. Decimal units (kB, MB,
/// GB, TB) are powers of 1000, binary units (KiB, MiB, GiB, TiB) powers of 1024; units are
/// case-insensitive and may follow the number after a space. The result must fit in an
/// `i64` so that it can be written back as TOML.
pub(crate) fn parse_byte_size(text: &str) -> Result<u64, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '_'))
        .unwrap_or(text.len());
    let (number, unit) = (&text[..split], text[split..].trim());
    if number.is_empty() {
        return Err(if text.starts_with('-') {
            "sizes cannot be negative".into()
        } else {
            "expected a number".into()
        });
    }
    let multiplier: u64 = match unit.to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "kb" => 1_000,
        "mb" => 1_000_000,
        "gb" => 1_000_000_000,
        "tb" => 1_000_000_000_000,
        "kib" => 1 << 10,
        "mib" => 1 << 20,
        "gib" => 1 << 30,
        "tib" => 1 << 40,
        _ => return Err(format!("unknown unit \"{unit}\"")),
    };
    let number = number.replace('_', "");
    if number.is_empty() {
        return Err("expected a number".into());
    }
    let too_large = || "too large".to_string();
    let bytes = if number.contains('.') {
        let value: f64 = number
            .parse()
            .map_err(|_| format!("\"{number}\" is not a number"))?;
        let bytes = (value * multiplier as f64).round();
        // 2^63 is exactly representable; anything at or above it does not fit an i64.
        if !bytes.is_finite() || bytes >= 9_223_372_036_854_775_808.0 {
            return Err(too_large());
        }
        bytes as u64
    } else {
        let value: u64 = number.parse().map_err(|_| too_large())?;
        value.checked_mul(multiplier).ok_or_else(too_large)?
    };
    if i64::try_from(bytes).is_err() {
        return Err(too_large());
    }
    Ok(bytes)
}

mod globs;
pub use globs::PathGlobs;

#[cfg(test)]
mod tests;
