//! Which migration tool runs a folder, from its files' names and markers, and from the project
//! manifest around it when names alone cannot tell.

use super::tools::{Detect, Row, TOOLS};
use crate::config::Tool;
use std::path::{Path, PathBuf};

/// One file of a folder: its name relative to the folder and its text.
pub(crate) struct SetFile<'a> {
    /// Index into the run's files.
    pub index: usize,
    /// Path relative to the folder (`0001_x.sql`, `2024-01-01-000000_x/up.sql`).
    pub rel: String,
    /// The file's text.
    pub text: &'a str,
}

/// A detection and how sure it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Detected {
    /// The tool.
    pub tool: Tool,
    /// False when only numbered names were seen and no manifest decided between sqlx and the
    /// alternative: the run's other folders of the same project may settle it.
    pub sure: bool,
}

/// The project around a folder: the nearest ancestor with a build manifest or a `.git`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Project {
    /// The project's root directory (canonical), if one was found.
    pub root: Option<PathBuf>,
    /// Whether the manifest there is a Cargo.toml naming sqlx (`Some(true)`), another
    /// manifest (`Some(false)`), or there is none (`None`).
    pub uses_sqlx: Option<bool>,
}

/// Files that mark a project's root.
const MANIFESTS: &[&str] = &[
    "Cargo.toml",
    "go.mod",
    "package.json",
    "pom.xml",
    "build.gradle",
    "build.gradle.kts",
    "pyproject.toml",
    "setup.py",
    "Gemfile",
    "composer.json",
    "mix.exs",
];

/// The project `dir` belongs to.
pub(crate) fn project(dir: &Path) -> Project {
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    let Ok(start) = std::fs::canonicalize(dir) else {
        return Project {
            root: None,
            uses_sqlx: None,
        };
    };
    for d in start.ancestors() {
        if let Some(m) = MANIFESTS.iter().find(|m| d.join(m).is_file()) {
            let uses_sqlx = *m == "Cargo.toml"
                && super::read_side_file(&d.join(m)).is_some_and(|t| depends_on_sqlx(&t));
            return Project {
                root: Some(d.to_path_buf()),
                uses_sqlx: Some(uses_sqlx),
            };
        }
        if d.join(".git").exists() {
            return Project {
                root: Some(d.to_path_buf()),
                uses_sqlx: None,
            };
        }
    }
    Project {
        root: None,
        uses_sqlx: None,
    }
}

/// Whether a Cargo.toml declares a dependency on sqlx (`sqlx = ...`, `sqlx.workspace = true`,
/// `[dependencies.sqlx]`).
fn depends_on_sqlx(cargo_toml: &str) -> bool {
    cargo_toml.lines().any(|l| {
        let l = l.trim();
        l.strip_prefix("sqlx")
            .is_some_and(|rest| rest.trim_start().starts_with(['=', '.']))
            || (l.starts_with('[') && l.trim_end_matches(']').ends_with(".sqlx"))
    })
}

/// The tool of numbered names ([`Detect::Numbered`]): a folder not surely detected follows a
/// folder of the same project that surely is this tool.
pub(crate) fn numbered_tool() -> Tool {
    rows(|d| matches!(d, Detect::Numbered { .. }))
        .next()
        .map_or(Tool::Plain, |r| r.tool)
}

fn rows(f: impl Fn(&Detect) -> bool) -> impl Iterator<Item = &'static Row> {
    TOOLS.iter().filter(move |r| f(&r.detect))
}

/// Detect the tool of one folder from the [`Detect`] of each row. `project` is consulted only
/// when names alone cannot decide.
pub(crate) fn detect(files: &[SetFile], project: impl FnOnce() -> Project) -> Detected {
    let sure = |tool| Detected { tool, sure: true };
    let count = |f: &dyn Fn(&SetFile) -> bool| files.iter().filter(|x| f(x)).count();

    // Markers in the text say it outright.
    let markers: Vec<(Tool, u8, usize)> = TOOLS
        .iter()
        .filter_map(|r| match r.detect {
            Detect::Markers { has, rank } => Some((r.tool, rank, count(&|f| has(f.text)))),
            _ => None,
        })
        .collect();
    if let Some(&(tool, _, n)) = best(&markers)
        && n > 0
    {
        return sure(tool);
    }

    // Then the layout of names. Numbered names (sqlx, golang-migrate or a hand-rolled runner)
    // count as one layout, settled below.
    let numbered = rows(|d| matches!(d, Detect::Numbered { .. })).next();
    let pairs = rows(|d| matches!(d, Detect::NumberedPairs)).next();
    let is_pair = |f: &SetFile| pairs.is_some_and(|p| (p.role)(&f.rel).is_some());
    let updown = count(&is_pair);
    let simple = count(&|f| numbered.is_some_and(|n| (n.role)(&f.rel).is_some()) && !is_pair(f));
    let layouts: Vec<(Tool, u8, usize)> = TOOLS
        .iter()
        .filter_map(|r| match r.detect {
            Detect::Layout { rank } => Some((r.tool, rank, count(&|f| (r.role)(&f.rel).is_some()))),
            Detect::Numbered { rank, .. } => Some((r.tool, rank, updown + simple)),
            _ => None,
        })
        .collect();
    let Some(&(tool, _, _)) = best(&layouts).filter(|(_, _, n)| *n > 0) else {
        return sure(Tool::Plain);
    };
    let Some(Detect::Numbered { evidence, .. }) = numbered.map(|n| n.detect) else {
        return sure(tool);
    };
    if numbered.is_none_or(|n| n.tool != tool) {
        return sure(tool);
    }

    // Numbered files: the numbered tool when its signs show, or when simple and up/down names
    // mix (golang-migrate has no simple names); else up/down pairs or a hand-rolled runner.
    if count(&|f| evidence(f.text)) > 0 || (updown > 0 && simple > 0) {
        return sure(tool);
    }
    let fallback = match pairs {
        Some(p) if updown >= simple => p.tool,
        _ => Tool::Plain,
    };
    match project().uses_sqlx {
        Some(true) => sure(tool),
        Some(false) => sure(fallback),
        None => Detected {
            tool: fallback,
            sure: false,
        },
    }
}

/// The entry with the highest count; the lowest rank on ties.
fn best(v: &[(Tool, u8, usize)]) -> Option<&(Tool, u8, usize)> {
    v.iter()
        .max_by(|a, b| a.2.cmp(&b.2).then_with(|| b.1.cmp(&a.1)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files<'a>(v: &[(&str, &'a str)]) -> Vec<SetFile<'a>> {
        v.iter()
            .enumerate()
            .map(|(i, (rel, text))| SetFile {
                index: i,
                rel: rel.to_string(),
                text,
            })
            .collect()
    }

    fn no_project() -> Project {
        Project {
            root: None,
            uses_sqlx: None,
        }
    }

    fn tool(v: &[(&str, &str)]) -> Detected {
        detect(&files(v), no_project)
    }

    #[test]
    fn cargo_dependencies() {
        assert!(depends_on_sqlx(
            "[dependencies]\nsqlx = { version = \"0.8\" }\n"
        ));
        assert!(depends_on_sqlx("[dependencies]\nsqlx.workspace = true\n"));
        assert!(depends_on_sqlx("[dependencies.sqlx]\nversion = \"0.8\"\n"));
        assert!(!depends_on_sqlx("[dependencies]\nsqlparser = \"0.63\"\n"));
        assert!(!depends_on_sqlx("description = \"like sqlx, but\"\n"));
        assert!(!depends_on_sqlx("sqlx-core = \"0.8\"\n"));
    }

    #[test]
    fn markers_win_over_names() {
        let d = tool(&[("001_a.sql", "-- +goose Up\nSELECT 1;\n")]);
        assert_eq!(
            d,
            Detected {
                tool: Tool::Goose,
                sure: true
            }
        );
        assert_eq!(tool(&[("1_a.sql", "-- migrate:up\n")]).tool, Tool::Dbmate);
        assert_eq!(
            tool(&[("a.sql", "\n--liquibase formatted sql\n--changeset a:1\n")]).tool,
            Tool::Liquibase
        );
    }

    #[test]
    fn layouts() {
        assert_eq!(
            tool(&[
                ("2024-01-01-000000_a/up.sql", ""),
                ("2024-01-01-000000_a/down.sql", "")
            ])
            .tool,
            Tool::Diesel
        );
        assert_eq!(
            tool(&[("20240101000000_a/migration.sql", "")]).tool,
            Tool::Prisma
        );
        assert_eq!(
            tool(&[("V1__a.sql", ""), ("R__b.sql", "")]).tool,
            Tool::Flyway
        );
        assert_eq!(tool(&[("schema.sql", "")]).tool, Tool::Plain);
    }

    #[test]
    fn numbered_files_need_more_evidence() {
        // Up/down pairs alone: golang-migrate, unsure (sqlx writes the same names).
        let d = tool(&[("1_a.up.sql", ""), ("1_a.down.sql", "")]);
        assert_eq!(
            d,
            Detected {
                tool: Tool::GolangMigrate,
                sure: false
            }
        );
        // sqlx's template comment or its marker settles it.
        let d = tool(&[("1_a.up.sql", "-- Add up migration script here\n")]);
        assert_eq!(
            d,
            Detected {
                tool: Tool::Sqlx,
                sure: true
            }
        );
        assert_eq!(tool(&[("1_a.sql", "-- no-transaction\n")]).tool, Tool::Sqlx);
        // Simple and reversible names together only happen with sqlx.
        assert_eq!(
            tool(&[("1_a.sql", ""), ("2_b.up.sql", "")]).tool,
            Tool::Sqlx
        );
        // Numbered names alone: plain SQL, unsure.
        let d = tool(&[("0001_a.sql", ""), ("0002_b.sql", "")]);
        assert_eq!(
            d,
            Detected {
                tool: Tool::Plain,
                sure: false
            }
        );
        // A Cargo.toml naming sqlx decides.
        let sqlx_project = || Project {
            root: Some(PathBuf::from("/p")),
            uses_sqlx: Some(true),
        };
        let d = detect(&files(&[("0001_a.sql", "")]), sqlx_project);
        assert_eq!(
            d,
            Detected {
                tool: Tool::Sqlx,
                sure: true
            }
        );
        let go_project = || Project {
            root: Some(PathBuf::from("/p")),
            uses_sqlx: Some(false),
        };
        let d = detect(&files(&[("1_a.up.sql", "")]), go_project);
        assert_eq!(
            d,
            Detected {
                tool: Tool::GolangMigrate,
                sure: true
            }
        );
    }
}
