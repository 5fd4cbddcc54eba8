//! `locklint init`: a commented starter `locklint.toml`, with the migrations folder filled in
//! when one of the usual ones exists.

use crate::config::{CONFIG_FILE_NAME, Tool};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Folders migration tools and frameworks use, most specific first.
pub const MIGRATION_DIRS: &[&str] = &[
    "migrations",
    "db/migrations",
    "db/migrate",
    "database/migrations",
    "sql/migrations",
    "src/migrations",
    "prisma/migrations",
    "supabase/migrations",
    "migrate",
    "sql",
    "schema",
    "db",
];

/// Why `init` wrote nothing.
#[derive(Debug, thiserror::Error)]
pub enum InitError {
    /// The file exists and `--force` was not given.
    #[error("{0} already exists; use --force to overwrite it")]
    Exists(PathBuf),
    /// Writing failed.
    #[error("could not write {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
}

/// What `init` wrote.
#[derive(Debug)]
pub struct Written {
    /// The config file.
    pub path: PathBuf,
    /// The migrations folders put into `[migrations] paths`, relative to the config's directory.
    pub migrations: Vec<String>,
}

fn has_sql(dir: &Path) -> bool {
    walkdir::WalkDir::new(dir)
        .max_depth(3)
        .into_iter()
        .filter_map(Result::ok)
        .any(|e| {
            e.file_type().is_file()
                && e.path()
                    .extension()
                    .is_some_and(|x| x.eq_ignore_ascii_case("sql"))
        })
}

/// Folders of a monorepo that hold one project per subfolder (`packages/api`, `apps/web`).
pub const WORKSPACE_DIRS: &[&str] = &["packages", "apps", "services", "libs", "modules"];

/// The migrations folder under `root`: the first of [`MIGRATION_DIRS`] holding `.sql` files,
/// else the first that exists.
fn detect_one(root: &Path) -> Option<String> {
    let existing: Vec<&str> = MIGRATION_DIRS
        .iter()
        .copied()
        .filter(|d| root.join(d).is_dir())
        .collect();
    existing
        .iter()
        .find(|d| has_sql(&root.join(d)))
        .or(existing.first())
        .map(|d| d.to_string())
}

/// The migrations folders under `root`: the one at the top (see [`detect_one`]) when it
/// holds `.sql` files; else, in a monorepo, each project's under [`WORKSPACE_DIRS`] that does
/// (`packages/*/prisma/migrations`, `apps/*/migrations`), sorted; else the top one that
/// exists, if any.
pub fn detect_migrations(root: &Path) -> Vec<String> {
    let top = detect_one(root);
    if let Some(dir) = &top
        && has_sql(&root.join(dir))
    {
        return vec![dir.clone()];
    }
    let mut found = Vec::new();
    for ws in WORKSPACE_DIRS {
        let Ok(entries) = std::fs::read_dir(root.join(ws)) else {
            continue;
        };
        for e in entries.flatten() {
            let project = e.path();
            if !project.is_dir() {
                continue;
            }
            if let Some(dir) = detect_one(&project)
                && has_sql(&project.join(&dir))
            {
                let name = e.file_name().to_string_lossy().into_owned();
                found.push(format!("{ws}/{name}/{dir}"));
            }
        }
    }
    found.sort();
    if found.is_empty() {
        top.into_iter().collect()
    } else {
        found
    }
}

/// The starter config. Every value is the default except the detected `paths`.
pub fn template(migrations: &[String]) -> String {
    let paths = match migrations {
        [] => "# No migrations folder was found; `locklint check` lints the current directory.\n\
                 # paths = [\"db/migrations\"]\n"
            .to_string(),
        dirs => format!(
            "paths = [{}]            # detected by `locklint init`\n",
            dirs.iter()
                .map(|d| toml::Value::String(d.clone()).to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    format!(
        r#"# locklint configuration. Every key is optional: the values below are the defaults
# (except the detected migrations folder). `locklint check --dump-config` shows what applies.

# Target PostgreSQL major version (11 … 18): which statements lock what depends on it.
postgres_version = {postgres_version}
# SQL dialect of the migrations: "postgres" or "mysql".
dialect = "postgres"

[migrations]
# Default inputs for `locklint check`, relative to this file.
{paths}# Migration tool whose conventions apply (up/down sections, transaction markers):
# {tools}.
# "auto" detects it from the files and folder layout.
tool = "auto"
# Plain SQL files: does your runner wrap each file in a transaction?
assume_in_transaction = false
# Lint down/undo migrations too.
lint_down = false
# A file (or standard input) larger than this is reported, not linted (64 MiB).
max_file_bytes = 67_108_864
# Files found in folders that are migrations, by how their names end (a file named on the
# command line is linted whatever its name).
extensions = ["sql", "sql.postgres"]

[size]
# Tables with at least this many rows are large: blocking work on them is an error.
large_rows = 1_000_000
# Size assumed for tables without a hint below: "large" (the safe choice) or "small".
unknown = "large"
# An estimated blocking window (until COMMIT) above this many seconds is an error.
max_blocking_seconds = 5

[tables]
# Size hints (rows, bytes or both): keys are table names, optionally schema-qualified, or
# globs. `locklint hints` writes them from a live database.
# measurements = {{ rows = 450_000_000, bytes = "120 GB" }}
# "public.patients" = {{ rows = 2_000_000 }}
# "audit_*" = {{ rows = 50_000_000 }}

[rules]
# Per-rule severity: "error" | "warning" | "info" | "off". `locklint rules` lists the rules.
# create-index-non-concurrently = "warning"
"#,
        postgres_version = crate::config::DEFAULT_POSTGRES_VERSION,
        tools = Tool::NAMES.join(" | "),
    )
}

/// Write the starter config into `dir`; an existing file is kept unless `force`.
pub fn run(dir: &Path, force: bool) -> Result<Written, InitError> {
    let path = if dir.as_os_str().is_empty() || dir == Path::new(".") {
        PathBuf::from(CONFIG_FILE_NAME)
    } else {
        dir.join(CONFIG_FILE_NAME)
    };
    let migrations = detect_migrations(dir);
    let text = template(&migrations);
    let mut options = std::fs::OpenOptions::new();
    options.write(true);
    if force {
        options.create(true).truncate(true);
    } else {
        options.create_new(true);
    }
    let io = |source| InitError::Io {
        path: path.clone(),
        source,
    };
    let mut file = match options.open(&path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            return Err(InitError::Exists(path));
        }
        Err(e) => return Err(io(e)),
    };
    file.write_all(text.as_bytes()).map_err(io)?;
    Ok(Written { path, migrations })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parses(text: &str) -> crate::config::Settings {
        crate::config::parse_str(text, Path::new("locklint.toml"), &crate::rules::names())
            .unwrap_or_else(|e| panic!("{e:?}\n{text}"))
    }

    #[test]
    fn template_is_valid_and_default() {
        let s = parses(&template(&[]));
        let d = crate::config::Settings::default();
        assert_eq!(s.postgres_version, d.postgres_version);
        assert!(s.migrations.paths.is_empty());
        assert_eq!(s.size.large_rows, d.size.large_rows);
        assert!(s.tables.is_empty() && s.rules.is_empty());
    }

    #[test]
    fn template_lists_every_tool() {
        let text = template(&[]);
        let line = text
            .lines()
            .find(|l| l.starts_with("# auto | "))
            .unwrap_or_default();
        for tool in Tool::ALL {
            assert!(line.contains(tool.name()), "{tool} missing from {line:?}");
        }
    }

    #[test]
    fn template_with_a_folder() {
        let s = parses(&template(&["db/my \"migrations\"".to_string()]));
        assert_eq!(
            s.migrations.paths,
            vec![PathBuf::from("db/my \"migrations\"")]
        );
    }

    #[test]
    fn detection_prefers_folders_with_sql() {
        let d = tempfile::tempdir().unwrap();
        assert!(detect_migrations(d.path()).is_empty());
        std::fs::create_dir_all(d.path().join("db/migrate")).unwrap();
        assert_eq!(detect_migrations(d.path()), ["db/migrate"]);
        std::fs::create_dir_all(d.path().join("sql/v1")).unwrap();
        std::fs::write(d.path().join("sql/v1/001.sql"), "select 1;").unwrap();
        assert_eq!(detect_migrations(d.path()), ["sql"]);
    }
}
