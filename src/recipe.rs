//! A recipe's text, for the migration tool that runs the file: how a statement leaves the
//! transaction (goose's `-- +goose NO TRANSACTION`, dbmate's `transaction:false`, ...) and how
//! the next migration is named. The data is the tool table's ([`crate::discover::tools`]).
//!
//! In the text, SQL (and each line a tool needs in a file) is indented by two spaces and never
//! wrapped; prose lines are not indented.

use crate::discover::tools::{NoTransaction, Row, Tool};
use crate::finding::{Finding, Placement, Recipe};
use std::path::{Path, PathBuf};

/// The migration tool and file a recipe is for.
#[derive(Debug, Clone)]
pub struct ToolCx<'a> {
    /// The tool's row.
    pub row: &'static Row,
    /// The migration file, as named.
    pub file: &'a str,
    /// The newest version among the migrations beside `file`, once looked up.
    latest: std::cell::OnceCell<Option<String>>,
}

impl<'a> ToolCx<'a> {
    pub(crate) fn new(row: &'static Row, file: &'a str) -> Self {
        ToolCx {
            row,
            file,
            latest: std::cell::OnceCell::new(),
        }
    }
}

/// The help text of a recipe: generic when `tool` is `None`.
pub fn help(r: &Recipe, tool: Option<&ToolCx>) -> String {
    let mut out = r.summary.clone();
    let mut prev: Option<Placement> = None;
    let mut next_files = 0;
    for step in &r.steps {
        if prev != Some(step.placement)
            && !(prev.is_none() && step.placement == Placement::SameMigration)
        {
            out.push('\n');
            match step.placement {
                Placement::SameMigration => out.push_str("Then, in the same migration:"),
                Placement::OutsideTransaction => out.push_str(&outside(tool)),
                Placement::NextMigration => {
                    next_files += 1;
                    out.push_str(&next(tool, next_files));
                }
            }
        }
        prev = Some(step.placement);
        if let Some(note) = &step.note {
            out.push('\n');
            out.push_str(note);
        }
        for line in step.sql.lines() {
            out.push_str("\n  ");
            out.push_str(line);
        }
    }
    if let Some(after) = &r.after {
        out.push('\n');
        out.push_str(after);
    }
    out
}

/// How to run a statement outside a transaction, for the tool; ends with the line the tool
/// needs, as code, when it has one.
fn outside(tool: Option<&ToolCx>) -> String {
    let Some(t) = tool else {
        return "Outside a transaction block:".to_string();
    };
    let name = t.row.display;
    match t.row.no_transaction {
        NoTransaction::Line { text, first, .. } => format!(
            "Outside a transaction: {name} runs a file without one when it has this line{} (it covers the whole file: statements that need a transaction go in a migration of their own):\n  {text}",
            if first {
                " as its very first line"
            } else {
                " at the top"
            }
        ),
        NoTransaction::MarkerOption { marker, option, .. } => format!(
            "Outside a transaction: {name} runs the up section without one when its marker line says so (statements that need a transaction go in a migration of their own):\n  {marker} {option}"
        ),
        NoTransaction::SideFile { file, line, .. } => {
            let side = side_file(t.file, file);
            format!(
                "Outside a transaction: in a migration of its own, with `{side}` next to it holding:\n  {line}"
            )
        }
        NoTransaction::Attribute { text } => format!(
            "Outside a transaction: in a changeset of its own, with `{text}` on its --changeset line:"
        ),
        NoTransaction::OwnFile => format!(
            "Outside a transaction: in a migration file of its own holding only this statement ({name} sends a file as one string; a single statement runs without a transaction block):"
        ),
        NoTransaction::Runner => "Outside a transaction block (no BEGIN around it):".to_string(),
    }
}

/// Where the next migration goes, for the tool.
fn next(tool: Option<&ToolCx>, nth: usize) -> String {
    let generic = "In the next migration, after this one has committed (its own transaction):";
    let Some(t) = tool else {
        return generic.to_string();
    };
    let latest = t
        .latest
        .get_or_init(|| newest_in_folder(t.row, Path::new(t.file)).map(|(_, version)| version));
    match next_files_after(t.row, Path::new(t.file), "validate", nth, latest.as_deref()) {
        Some(files) if t.row.tool != Tool::Liquibase => format!(
            "In the next migration, after this one has committed (a new file, e.g. `{}`):",
            files[0].display()
        ),
        _ => generic.to_string(),
    }
}

/// A side file's name next to a migration: `metadata.toml` in diesel's folder, `V3__x.sql.conf`
/// next to a Flyway script.
fn side_file(file: &str, pattern: &str) -> String {
    let name = Path::new(file)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    pattern.replace("{file}", &name)
}

/// The version and name parts of a migration's file (or folder) name: `("20230101120000",
/// "add_index")`, Flyway's `V3__add_index.sql` → `("3", "add_index")`.
pub(crate) fn version_and_name(row: &Row, path: &Path) -> Option<(String, String)> {
    // Tools whose migration is a folder: the folder's name.
    let stem_of = if row.folder_files.is_empty() {
        path.file_name()?
    } else {
        path.parent()?.file_name()?
    };
    let stem = stem_of.to_str()?;
    let stem = [".up.sql", ".down.sql", ".sql"]
        .iter()
        .find_map(|ext| stem.strip_suffix(ext))
        .unwrap_or(stem);
    if row.tool == Tool::Flyway {
        let rest = stem.strip_prefix(['V', 'v'])?;
        let (version, name) = rest.split_once("__")?;
        return Some((version.to_string(), name.to_string()));
    }
    let end = stem
        .find(|c: char| !(c.is_ascii_digit() || c == '-'))
        .unwrap_or(stem.len());
    let version = stem[..end].trim_end_matches('-');
    if !version.bytes().any(|b| b.is_ascii_digit()) {
        return None;
    }
    let name = stem[end..].trim_start_matches(['_', '-', '.']);
    Some((version.to_string(), name.to_string()))
}

/// `version` with its last run of digits increased by `by`, keeping its width.
fn bump(version: &str, by: usize) -> Option<String> {
    let end = version.rfind(|c: char| c.is_ascii_digit())? + 1;
    let start = version[..end]
        .rfind(|c: char| !c.is_ascii_digit())
        .map_or(0, |i| i + 1);
    let digits = &version[start..end];
    let n: u128 = digits.parse().ok()?;
    let bumped = format!("{:0width$}", n + by as u128, width = digits.len());
    Some(format!("{}{bumped}{}", &version[..start], &version[end..]))
}

/// A version's digits as a number, to order versions of one folder (`2017-10-08-193512` →
/// 20171008193512).
pub(crate) fn version_key(version: &str) -> Option<u128> {
    let digits: String = version.chars().filter(char::is_ascii_digit).collect();
    digits.parse().ok()
}

/// The folder holding `file`'s migration and its siblings (for a tool whose migration is a
/// folder, the folder above it).
fn migrations_folder<'p>(row: &Row, file: &'p Path) -> Option<&'p Path> {
    if row.folder_files.is_empty() {
        file.parent()
    } else {
        file.parent()?.parent()
    }
}

/// The newest migration in `file`'s folder (`file` included): the folder entry and its
/// version. `None` when the folder cannot be listed or holds no versioned SQL migration.
pub(crate) fn newest_in_folder(row: &Row, file: &Path) -> Option<(PathBuf, String)> {
    let folder = migrations_folder(row, file)?;
    let listed = if folder.as_os_str().is_empty() {
        Path::new(".")
    } else {
        folder
    };
    std::fs::read_dir(listed)
        .ok()?
        .flatten()
        .filter_map(|e| {
            let entry = folder.join(e.file_name());
            // A path shaped like the migration's: the entry itself, or its first file.
            let path = match row.folder_files.first() {
                Some(inner) => entry.join(inner),
                None if e.file_name().to_string_lossy().contains(".sql") => entry.clone(),
                None => return None,
            };
            let (version, _) = version_and_name(row, &path)?;
            Some((version_key(&version)?, entry, version))
        })
        .max_by_key(|(key, _, _)| *key)
        .map(|(_, entry, version)| (entry, version))
}

/// The files of the `nth` (1-based) new migration after `file`, named by the tool's convention
/// with `suffix` added to the migration's name; the first is the forward one. The version follows
/// the newest migration of the folder when one is newer than `file` (the next number after
/// `file` may be taken, and a migration dated before ones already applied is refused by most
/// tools). `None` when the file's name carries no version.
pub(crate) fn next_files(row: &Row, file: &Path, suffix: &str, nth: usize) -> Option<Vec<PathBuf>> {
    let newest = newest_in_folder(row, file).map(|(_, version)| version);
    next_files_after(row, file, suffix, nth, newest.as_deref())
}

/// [`next_files`] with the folder's newest version already looked up.
fn next_files_after(
    row: &Row,
    file: &Path,
    suffix: &str,
    nth: usize,
    latest: Option<&str>,
) -> Option<Vec<PathBuf>> {
    let (version, name) = version_and_name(row, file)?;
    let newer = latest.filter(|l| version_key(l) > version_key(&version));
    let version = bump(newer.unwrap_or(&version), nth)?;
    let name = if name.is_empty() {
        suffix.to_string()
    } else {
        format!("{name}_{suffix}")
    };
    let folder = migrations_folder(row, file)?;
    Some(
        row.next
            .files
            .iter()
            .map(|pattern| {
                folder.join(
                    pattern
                        .replace("{version}", &version)
                        .replace("{name}", &name),
                )
            })
            .collect(),
    )
}

/// Rewrite the help of every finding with a recipe for the file's migration tool.
pub(crate) fn adapt(findings: &mut [Finding], tool: Tool, file: &str) {
    let cx = ToolCx::new(crate::discover::tools::row(tool), file);
    for f in findings {
        if let Some(r) = &f.recipe {
            // Steps in the same migration read alike for every tool.
            if r.steps
                .iter()
                .all(|s| s.placement == Placement::SameMigration)
            {
                continue;
            }
            // Only the recipe's own text: what a merged finding added after it stays.
            let generic = help(r, None);
            if let Some(rest) = f.help.strip_prefix(&generic) {
                f.help = format!("{}{rest}", help(r, Some(&cx)));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::discover::tools::row;

    fn names(tool: Tool, file: &str) -> Vec<String> {
        next_files(row(tool), Path::new(file), "validate", 1)
            .unwrap_or_default()
            .iter()
            .map(|p| p.display().to_string())
            .collect()
    }

    #[test]
    fn the_next_migration_follows_the_newest_of_the_folder() {
        let dir = tempfile::tempdir().unwrap();
        let m = dir.path().join("migrations");
        std::fs::create_dir(&m).unwrap();
        for f in [
            "0001_a.sql",
            "0002_b.sql",
            "0003_c.sql",
            "notes.txt",
            "0099_x.txt",
        ] {
            std::fs::write(m.join(f), "").unwrap();
        }
        let next = |file: &str, nth| {
            next_files(row(Tool::Plain), &m.join(file), "validate", nth)
                .unwrap()
                .iter()
                .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
        };
        // 0003 is taken: after the newest, not after the file.
        assert_eq!(next("0002_b.sql", 1), ["0004_b_validate.sql"]);
        assert_eq!(next("0002_b.sql", 2), ["0005_b_validate.sql"]);
        assert_eq!(next("0003_c.sql", 1), ["0004_c_validate.sql"]);
        // diesel: folders of the same folder.
        let d = dir.path().join("diesel");
        for f in ["2024-01-01-000000_a", "2024-02-01-000000_b"] {
            std::fs::create_dir_all(d.join(f)).unwrap();
        }
        let files = next_files(
            row(Tool::Diesel),
            &d.join("2024-01-01-000000_a/up.sql"),
            "validate",
            1,
        )
        .unwrap();
        assert!(
            files[0].ends_with("2024-02-01-000001_a_validate/up.sql"),
            "{files:?}"
        );
        // A folder that cannot be listed: after the file.
        assert_eq!(
            names(Tool::Plain, "nowhere/0002_b.sql"),
            ["nowhere/0003_b_validate.sql"]
        );
    }

    #[test]
    fn help_names_each_tools_switch_and_indents_only_code() {
        let r = Recipe::new("Build it without blocking writes:")
            .step(
                Placement::OutsideTransaction,
                "CREATE INDEX CONCURRENTLY t_a_idx ON t (a);",
            )
            .step(Placement::NextMigration, "ANALYZE t;")
            .after("If it fails, drop it:\n  DROP INDEX CONCURRENTLY IF EXISTS t_a_idx;");
        let cases = [
            (
                Tool::Goose,
                "m/20240101000000_x.sql",
                "  -- +goose NO TRANSACTION",
            ),
            (
                Tool::Dbmate,
                "m/20240101000000_x.sql",
                "  -- migrate:up transaction:false",
            ),
            (Tool::Sqlx, "m/20240101000000_x.sql", "  -- no-transaction"),
            (
                Tool::Diesel,
                "m/2024-01-01-000000_x/up.sql",
                "  run_in_transaction = false",
            ),
            (Tool::Flyway, "m/V3__x.sql", "  executeInTransaction=false"),
            (
                Tool::GolangMigrate,
                "m/000003_x.up.sql",
                "a migration file of its own",
            ),
        ];
        for (tool, file, switch) in cases {
            let cx = ToolCx::new(row(tool), file);
            let text = help(&r, Some(&cx));
            assert!(text.contains(switch), "{tool:?}: {text}");
            // Prose lines are not indented; code lines by exactly two spaces.
            for line in text.lines() {
                let indent = line.len() - line.trim_start().len();
                assert!(indent == 0 || indent == 2, "{tool:?}: {line:?}");
            }
        }
        let flyway = help(&r, Some(&ToolCx::new(row(Tool::Flyway), "m/V3__x.sql")));
        assert!(flyway.contains("`V3__x.sql.conf`"), "{flyway}");
        assert!(flyway.contains("`m/V4__x_validate.sql`"), "{flyway}");
        let generic = help(&r, None);
        assert!(generic.contains("Outside a transaction block:\n  CREATE INDEX CONCURRENTLY"));
        assert!(generic.contains("In the next migration, after this one has committed"));
    }

    #[test]
    fn next_migrations_follow_each_tools_naming() {
        assert_eq!(
            names(Tool::Goose, "db/20230101120000_add_index.sql"),
            ["db/20230101120001_add_index_validate.sql"]
        );
        assert_eq!(
            names(Tool::Diesel, "m/2023-01-01-120000_add_index/up.sql"),
            [
                "m/2023-01-01-120001_add_index_validate/up.sql",
                "m/2023-01-01-120001_add_index_validate/down.sql"
            ]
        );
        assert_eq!(
            names(Tool::GolangMigrate, "m/000009_x.up.sql"),
            ["m/000010_x_validate.up.sql", "m/000010_x_validate.down.sql"]
        );
        assert_eq!(
            names(Tool::Flyway, "sql/V9__add.sql"),
            ["sql/V10__add_validate.sql"]
        );
        assert_eq!(
            names(Tool::Prisma, "p/20240101000000_init/migration.sql"),
            ["p/20240101000001_init_validate/migration.sql"]
        );
        assert!(names(Tool::Plain, "schema.sql").is_empty());
    }
}
