//! Which files to lint, in which order, under which migration tool's conventions.
//!
//! [`collect`] expands the paths named on the command line into files. Once they are read,
//! [`arrange`] groups them into folders, detects each folder's tool ([`detect`]), orders the
//! files the way that tool applies them ([`order`]), and cuts each file into the parts the tool
//! runs ([`Part`]): which byte ranges are forward migration, which are down/undo/rollback, and
//! how each is wrapped in transactions. [`tools::TOOLS`] has one row per tool, read by all of
//! these steps; one module per tool holds its conventions.

mod dbmate;
pub mod default_walk;
pub(crate) mod detect;
mod diesel;
mod flyway;
pub mod git;
mod golang_migrate;
mod goose;
pub mod history;
mod liquibase;
pub mod order;
mod plain;
mod popx;
mod prisma;
mod sqlx;
pub mod tools;

use crate::config::{Settings, Tool};
pub use crate::model::TxnMode;
use detect::{Detected, SetFile};
use order::Key;
use std::collections::HashMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

/// One input to lint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Input {
    /// The name shown in output: the path as the user named it (relative stays relative).
    pub display: String,
    /// Where to read it; `None` for standard input.
    pub path: Option<PathBuf>,
    /// Found by walking a folder (not named): read only if it is a regular file.
    pub walked: bool,
    /// Why it cannot be read, when walking found that out already (a dangling symbolic link,
    /// a link loop, an unreadable folder): reported on it, nothing is read.
    pub problem: Option<String>,
}

/// A problem with an input path itself (not with a file's content).
#[derive(Debug, Clone)]
pub struct InputError {
    /// The path as named or found.
    pub path: String,
    /// What went wrong.
    pub message: String,
}

/// Expand paths: a file named explicitly is always an input; a directory is walked recursively
/// for `*.sql` files, in natural path order; `-` is standard input (named `stdin_name`).
pub fn collect(paths: &[PathBuf], stdin_name: &str) -> (Vec<Input>, Vec<InputError>) {
    collect_with(paths, stdin_name, &crate::config::DEFAULT_EXTENSIONS)
}

/// [`collect`] with the file-name endings that make a walked file a migration
/// (`[migrations] extensions`).
pub fn collect_with(
    paths: &[PathBuf],
    stdin_name: &str,
    extensions: &[impl AsRef<str>],
) -> (Vec<Input>, Vec<InputError>) {
    let mut inputs = Vec::new();
    let mut errors = Vec::new();
    // A file named twice, or named and also found in a named folder, is linted once.
    let mut seen = std::collections::HashSet::new();
    for p in paths {
        if p.as_os_str() == "-" {
            inputs.push(Input {
                display: stdin_name.to_string(),
                path: None,
                walked: false,
                problem: None,
            });
            continue;
        }
        match std::fs::metadata(p) {
            Ok(m) if m.is_dir() => walk(p, extensions, &mut seen, &mut inputs, &mut errors),
            Ok(_) if !seen.insert(file_id(p)) => {}
            Ok(_) => inputs.push(Input {
                display: display(p),
                path: Some(p.clone()),
                walked: false,
                problem: None,
            }),
            Err(e) => errors.push(InputError {
                path: display(p),
                message: io_message(&e),
            }),
        }
    }
    (inputs, errors)
}

/// What identifies a file however it is reached: device and inode (one `stat`, where
/// canonicalizing would read every link of the path).
#[cfg(unix)]
type FileKey = (u64, u64);
#[cfg(not(unix))]
type FileKey = PathBuf;

#[cfg(unix)]
fn file_id(path: &Path) -> FileId {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(path)
        .map(|m| (m.dev(), m.ino()))
        .map_err(|_| path.to_path_buf())
}

/// What identifies a directory entry itself (a symbolic link, not what it points to).
#[cfg(unix)]
fn link_id(path: &Path) -> FileId {
    use std::os::unix::fs::MetadataExt;
    std::fs::symlink_metadata(path)
        .map(|m| (m.dev(), m.ino()))
        .map_err(|_| path.to_path_buf())
}

#[cfg(not(unix))]
fn link_id(path: &Path) -> FileId {
    Err(path.to_path_buf())
}

#[cfg(not(unix))]
fn file_id(path: &Path) -> FileId {
    std::fs::canonicalize(path).map_err(|_| path.to_path_buf())
}

/// What [`file_id`] gives: the file's identity, or its path when it has none.
type FileId = Result<FileKey, PathBuf>;

fn walk(
    root: &Path,
    extensions: &[impl AsRef<str>],
    seen: &mut std::collections::HashSet<FileId>,
    inputs: &mut Vec<Input>,
    errors: &mut Vec<InputError>,
) {
    let mut found = Vec::new();
    let mut problems = Vec::new();
    for entry in walkdir::WalkDir::new(root)
        .follow_links(true)
        .sort_by_file_name()
    {
        match entry {
            Ok(e) => {
                // Through symbolic links the same file can be reached twice: lint it once.
                // A FIFO, socket or device named `*.sql` is listed too (and reported unread).
                let t = e.file_type();
                if !t.is_dir() && is_sql(e.path(), extensions) && seen.insert(file_id(e.path())) {
                    found.push(e.into_path());
                }
            }
            Err(err) => {
                let path = err.path().map(Path::to_path_buf);
                let message = if err.loop_ancestor().is_some() {
                    "symbolic link loop; not followed".to_string()
                } else if let Some(io) = err.io_error() {
                    io_message(io)
                } else {
                    err.to_string()
                };
                match path {
                    // Inside the folder: reported on that path if it could hold SQL (a `*.sql`
                    // or a folder), and the rest is linted.
                    Some(p) if err.depth() > 0 => {
                        let could_hold_sql = is_sql(&p, extensions)
                            || std::fs::metadata(&p).is_ok_and(|m| m.is_dir());
                        // Reached again through a link: reported once.
                        if could_hold_sql && seen.insert(link_id(&p)) {
                            problems.push((p, message));
                        }
                    }
                    p => errors.push(InputError {
                        path: p.as_deref().map(display).unwrap_or_else(|| display(root)),
                        message,
                    }),
                }
            }
        }
    }
    found.sort_by_cached_key(|p| order::natural(&p.to_string_lossy()));
    inputs.extend(found.into_iter().map(|p| Input {
        display: display(&p),
        path: Some(p),
        walked: true,
        problem: None,
    }));
    inputs.extend(problems.into_iter().map(|(p, message)| Input {
        display: display(&p),
        path: Some(p),
        walked: true,
        problem: Some(message),
    }));
}

/// Whether a file found by walking is a migration: its name ends with one of `extensions`
/// (`[migrations] extensions`; by default `*.sql` and `*.sql.postgres`, not other dialects'
/// variants such as `*.sql.sqlite`), case-insensitively.
pub(crate) fn is_sql(p: &Path, extensions: &[impl AsRef<str>]) -> bool {
    let Some(name) = p
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
    else {
        return false;
    };
    extensions.iter().any(|e| {
        name.strip_suffix(e.as_ref())
            .is_some_and(|stem| stem.len() > 1 && stem.ends_with('.'))
    })
}

fn display(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}

/// At most this many bytes are read from a tool's side file (`metadata.toml`, `*.sql.conf`,
/// `Cargo.toml`).
const MAX_SIDE_FILE: u64 = 1 << 20;

/// A tool's side file, if it is a regular file (a FIFO would block the run) of reasonable size.
pub(crate) fn read_side_file(path: &Path) -> Option<String> {
    use std::io::Read;
    if !std::fs::metadata(path).is_ok_and(|m| m.is_file()) {
        return None;
    }
    let mut text = String::new();
    std::fs::File::open(path)
        .ok()?
        .take(MAX_SIDE_FILE + 1)
        .read_to_string(&mut text)
        .ok()?;
    (text.len() as u64 <= MAX_SIDE_FILE).then_some(text)
}

/// An I/O error without Rust's "(os error N)" noise.
pub fn io_message(e: &std::io::Error) -> String {
    let s = e.to_string();
    match s.find(" (os error") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}

/// Whether a part moves the schema forward.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Direction {
    /// A forward migration: linted and replayed into the schema.
    Forward,
    /// A down, undo or rollback migration: never replayed; linted only with `lint_down = true`.
    Down,
}

/// A part of a file that its tool runs as one unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    /// Byte range in the file. Statements are split inside it only, so nothing outside it
    /// joins them.
    pub range: Range<usize>,
    /// Forward or down.
    pub direction: Direction,
    /// How the tool wraps it in a transaction.
    pub txn: TxnMode,
    /// Byte ranges the tool sends as one statement (goose `StatementBegin`/`End`, Liquibase
    /// `splitStatements:false`): kept as one statement when they parse as one.
    pub blocks: Vec<Range<usize>>,
    /// Byte ranges to read as blanks (line breaks kept), e.g. the `--rollback` before the SQL
    /// of a Liquibase rollback line.
    pub blank: Vec<Range<usize>>,
}

impl Part {
    fn new(range: Range<usize>, direction: Direction, txn: TxnMode) -> Part {
        Part {
            range,
            direction,
            txn,
            blocks: Vec::new(),
            blank: Vec::new(),
        }
    }

    /// The file's text with the `blank` ranges blanked out: same length, same lines.
    pub fn text_to_parse<'t>(&self, text: &'t str) -> std::borrow::Cow<'t, str> {
        if self.blank.is_empty() {
            return std::borrow::Cow::Borrowed(text);
        }
        let mut bytes = text.as_bytes().to_vec();
        for r in &self.blank {
            let end = r.end.min(bytes.len());
            for b in bytes.get_mut(r.start.min(end)..end).into_iter().flatten() {
                if *b != b'\n' {
                    *b = b' ';
                }
            }
        }
        // Whole characters are blanked (ranges start and end at ASCII or line boundaries), so
        // the text stays UTF-8; should a range cut a character, fall back to the original.
        match String::from_utf8(bytes) {
            Ok(s) => std::borrow::Cow::Owned(s),
            Err(_) => std::borrow::Cow::Borrowed(text),
        }
    }
}

/// How a file ranks in its folder, from its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Class {
    /// Versioned migrations, in version order.
    Versioned,
    /// Flyway's repeatable migrations: after every versioned one.
    Repeatable,
    /// Files that do not follow the tool's naming: last, in natural order.
    Other,
}

/// What a file's name says to its tool.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Role {
    pub class: Class,
    pub version: Key,
    pub direction: Direction,
}

/// What a tool's conventions need to know about one file.
pub(crate) struct FileCtx<'a> {
    /// The file's text.
    pub text: &'a str,
    /// The file's path (as named; for files next to it such as diesel's `metadata.toml`).
    pub path: &'a Path,
    /// The direction its name says.
    pub direction: Direction,
    /// The settings.
    pub settings: &'a Settings,
}

/// A line: where it starts, its text without the line break, where the next one starts.
pub(crate) struct Line<'a> {
    pub start: usize,
    pub text: &'a str,
    pub next: usize,
}

/// The lines of `text` (split on `\n`; a `\r` before it is not part of the line's text).
pub(crate) fn lines(text: &str) -> impl Iterator<Item = Line<'_>> {
    let mut at = 0;
    std::iter::from_fn(move || {
        if at >= text.len() {
            return None;
        }
        let rest = &text[at..];
        let (len, next) = match rest.find('\n') {
            Some(i) => (i, at + i + 1),
            None => (rest.len(), text.len()),
        };
        let line = rest[..len].strip_suffix('\r').unwrap_or(&rest[..len]);
        let l = Line {
            start: at,
            text: line,
            next,
        };
        at = next;
        Some(l)
    })
}

/// Whether a stretch of SQL text holds anything but blanks and comments (a cheap look: block
/// comments are skipped, quotes are not followed — enough to tell SQL from annotations).
pub(crate) fn has_sql(text: &str) -> bool {
    let mut rest = text;
    loop {
        rest = rest.trim_start();
        if rest.is_empty() {
            return false;
        }
        if let Some(r) = rest.strip_prefix("--") {
            rest = r.split_once('\n').map_or("", |(_, after)| after);
        } else if let Some(r) = rest.strip_prefix("/*") {
            rest = r.split_once("*/").map_or("", |(_, after)| after);
        } else {
            return true;
        }
    }
}

/// Whether a marker line (`is_marker`) comes before any SQL: the tools read their annotations
/// at the top of the file, so a marker far down a plain SQL file does not make it theirs.
pub(crate) fn markers_at_top(text: &str, is_marker: impl Fn(&str) -> bool) -> bool {
    for l in lines(text) {
        if is_marker(l.text) {
            return true;
        }
        let t = l.text.trim();
        if !t.is_empty() && !t.starts_with("--") && has_sql(t) {
            return false;
        }
    }
    false
}

/// The 1-based first and last line of the first stretch of the file that holds SQL but is in
/// none of the tool's parts: SQL the tool never runs, and so never linted.
fn uncovered_sql(text: &str, parts: &[Part]) -> Option<(usize, usize)> {
    let mut covered: Vec<Range<usize>> = parts.iter().map(|p| p.range.clone()).collect();
    covered.sort_by_key(|r| r.start);
    let mut at = 0;
    let mut gaps = Vec::new();
    for r in covered {
        if r.start > at {
            gaps.push(at..r.start);
        }
        at = at.max(r.end);
    }
    if at < text.len() {
        gaps.push(at..text.len());
    }
    let gap = gaps
        .into_iter()
        .find(|g| text.get(g.clone()).is_some_and(has_sql))?;
    let line_of = |o: usize| text[..o.min(text.len())].matches('\n').count() + 1;
    // The lines of the stretch that hold SQL (not its comments and annotations).
    let sql_lines: Vec<usize> = lines(&text[gap.clone()])
        .filter(|l| {
            let t = l.text.trim();
            !t.is_empty() && !t.starts_with("--") && has_sql(t)
        })
        .map(|l| line_of(gap.start + l.start))
        .collect();
    Some((*sql_lines.first()?, *sql_lines.last()?))
}

/// The tool for a file that does not follow its folder's naming: a marker-based tool still
/// applies when the file carries its markers; otherwise the file is plain SQL.
fn other_tool(tool: Tool, text: &str) -> Tool {
    match tools::row(tool).detect {
        tools::Detect::Markers { has, .. } if has(text) => tool,
        _ => Tool::Plain,
    }
}

/// One file handed to [`arrange`].
#[derive(Debug, Clone, Copy)]
pub struct FileRef<'a> {
    /// The path as named (standard input: the name given for it).
    pub name: &'a str,
    /// Its text.
    pub text: &'a str,
}

/// A file's place in the run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Planned {
    /// Index into the files given to [`arrange`].
    pub index: usize,
    /// The tool whose conventions apply.
    pub tool: Tool,
    /// Its parts in file order (down parts only with `lint_down = true`); empty for a down
    /// file that is not linted.
    pub parts: Vec<Part>,
    /// Problems with the tool's files that decide how this file runs (an invalid diesel
    /// `metadata.toml`), to report on the file.
    pub notes: Vec<String>,
    /// The migration set the file belongs to (see [`set_roots`]): each set is replayed into a
    /// schema of its own. Numbered from 0 in the order the sets' first files are given.
    pub set: usize,
}

/// The folder a file belongs to and its path inside it. A migration that is a folder of its
/// own (diesel's `<version>_<name>/up.sql`, Prisma's `<timestamp>_<name>/migration.sql`)
/// belongs to the folder above.
fn folder_of(name: &str) -> (PathBuf, String) {
    let p = Path::new(name);
    let file = p
        .file_name()
        .map(|f| f.to_string_lossy().into_owned())
        .unwrap_or_else(|| name.to_string());
    let parent = p.parent().unwrap_or(Path::new(""));
    if tools::TOOLS
        .iter()
        .any(|t| t.folder_files.contains(&file.as_str()))
        && let Some(dir) = parent.file_name().map(|d| d.to_string_lossy())
        && dir.starts_with(|c: char| c.is_ascii_digit())
    {
        let above = parent.parent().unwrap_or(Path::new(""));
        return (above.to_path_buf(), format!("{dir}/{file}"));
    }
    (parent.to_path_buf(), file)
}

/// Whether a folder name is a version (`25`, `v1.10`, `3.0.0_schema`): a history kept one
/// folder per version (Synapse's `delta/<n>/`, Temporal's `versioned/v1.0/`) is one set.
fn is_version_folder(name: &std::ffi::OsStr) -> bool {
    let name = name.to_string_lossy();
    let digits = name.strip_prefix(['v', 'V']).unwrap_or(&name);
    digits.starts_with(|c: char| c.is_ascii_digit())
}

/// Each folder's migration set, numbered in the order the sets first appear. A set is a
/// folder tree: a folder of migrations and every folder of the run below it, with the folders
/// named by version (`delta/25/`, `delta/26/`) joining the folder above them. So the set of a
/// file depends only on its path and on the files under its set's top folder, never on other
/// projects named on the same command line.
fn set_roots<'a>(dirs: impl Iterator<Item = &'a Path>) -> Vec<usize> {
    let trees: Vec<PathBuf> = dirs
        .map(|dir| {
            let mut parts: Vec<_> = dir
                .components()
                .filter(|c| !matches!(c, std::path::Component::CurDir))
                .collect();
            while parts.len() > 1
                && parts
                    .last()
                    .is_some_and(|c| is_version_folder(c.as_os_str()))
            {
                parts.pop();
            }
            parts.iter().collect()
        })
        .collect();
    let known: std::collections::HashSet<&Path> = trees.iter().map(PathBuf::as_path).collect();
    let mut roots: HashMap<&Path, usize> = HashMap::new();
    trees
        .iter()
        .map(|tree| {
            // The topmost folder of the run that holds this one (itself at the latest).
            let top = tree
                .ancestors()
                .filter(|a| known.contains(a))
                .last()
                .unwrap_or(tree);
            let next = roots.len();
            *roots.entry(top).or_insert(next)
        })
        .collect()
}

/// The order [`arrange`] returns files in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    /// The order each folder's tool applies them; folders in the order their first file was
    /// given.
    Tool,
    /// The order given: the caller already lists the migrations in sequence.
    Given,
}

/// Group files into folders, detect each folder's tool, order the files (see [`Order`]), and
/// cut each file into parts. Every file is in the result; one with nothing to lint (a down
/// file without `lint_down`) has no parts.
pub fn arrange(files: &[FileRef], settings: &Settings, order: Order) -> Vec<Planned> {
    let mut folders: Vec<(PathBuf, Vec<SetFile>)> = Vec::new();
    let mut by_dir: HashMap<PathBuf, usize> = HashMap::new();
    for (index, f) in files.iter().enumerate() {
        let (dir, rel) = folder_of(f.name);
        let slot = *by_dir.entry(dir.clone()).or_insert_with(|| {
            folders.push((dir, Vec::new()));
            folders.len() - 1
        });
        folders[slot].1.push(SetFile {
            index,
            rel,
            text: f.text,
        });
    }

    let configured = settings.migrations.tool;
    let mut projects = Vec::new();
    let mut detected: Vec<Detected> = folders
        .iter()
        .map(|(dir, set)| {
            if configured != Tool::Auto {
                return Detected {
                    tool: configured,
                    sure: true,
                };
            }
            detect::detect(set, || {
                let p = detect::project(dir);
                projects.push((dir.clone(), p.clone()));
                p
            })
        })
        .collect();
    // A folder whose numbered names could be sqlx follows a folder of the same project that
    // surely is (one project, one migration tool).
    let numbered = detect::numbered_tool();
    // The project is the manifest's (Cargo.toml) when there is one; without one, the nearest
    // folder holding both, as long as no folder of another sure tool is under it (a
    // repository of several projects must not relabel one project's files by another's tool).
    let sure_sqlx: Vec<usize> = (0..folders.len())
        .filter(|&i| detected[i].sure && detected[i].tool == numbered)
        .collect();
    if !sure_sqlx.is_empty() {
        let sure_other: Vec<&Path> = (0..folders.len())
            .filter(|&i| detected[i].sure && detected[i].tool != numbered)
            .map(|i| folders[i].0.as_path())
            .collect();
        let roots: Vec<Option<PathBuf>> = sure_sqlx
            .iter()
            .map(|&i| project_root(&mut projects, &folders[i].0))
            .collect();
        for u in 0..folders.len() {
            if detected[u].sure {
                continue;
            }
            let dir = folders[u].0.clone();
            let own_root = project_root(&mut projects, &dir);
            let same_project =
                sure_sqlx
                    .iter()
                    .zip(&roots)
                    .any(|(&s, root)| match (root, &own_root) {
                        (Some(a), Some(b)) => a == b,
                        (None, None) => {
                            let lca = common_ancestor(&folders[s].0, &dir);
                            !sure_other.iter().any(|o| o.starts_with(&lca))
                        }
                        _ => false,
                    });
            if same_project {
                detected[u].tool = numbered;
            }
        }
    }

    let sets = match order {
        Order::Tool => set_roots(folders.iter().map(|(dir, _)| dir.as_path())),
        Order::Given => vec![0; folders.len()],
    };
    let mut out = Vec::new();
    for (((_, set), d), &set_id) in folders.iter().zip(&detected).zip(&sets) {
        let mut ranked: Vec<Ranked> = set
            .iter()
            .map(|f| match (tools::row(d.tool).role)(&f.rel) {
                Some(r) => Ranked {
                    key: (r.class, r.version, r.direction, f.rel.as_str(), f.index),
                    tool: d.tool,
                },
                None => Ranked {
                    key: (
                        Class::Other,
                        order::natural(&f.rel),
                        Direction::Forward,
                        f.rel.as_str(),
                        f.index,
                    ),
                    tool: other_tool(d.tool, f.text),
                },
            })
            .collect();
        ranked.sort_by(|a, b| a.key.cmp(&b.key));
        let skipped = popx::skipped(
            ranked
                .iter()
                .filter(|r| r.key.0 == Class::Versioned)
                .map(|r| popx::Named {
                    version: &r.key.1,
                    direction: r.key.2,
                    rel: r.key.3,
                    index: r.key.4,
                }),
            settings.dialect,
        );
        for Ranked {
            key: (_, _, direction, _, index),
            tool,
        } in ranked
        {
            let f = &files[index];
            let cx = FileCtx {
                text: f.text,
                path: Path::new(f.name),
                direction,
                settings,
            };
            let mut parts: Vec<Part> = if skipped.contains(&index) {
                Vec::new()
            } else {
                (tools::row(tool).parts)(&cx)
                    .into_iter()
                    .filter(|p| p.direction == Direction::Forward || settings.migrations.lint_down)
                    .collect()
            };
            if popx::is_autocommit(f.name) {
                for p in &mut parts {
                    p.txn = TxnMode::None;
                }
            }
            let mut notes: Vec<String> = match tool {
                Tool::Diesel if direction == Direction::Forward => {
                    diesel::metadata_problem(&cx).into_iter().collect()
                }
                _ => Vec::new(),
            };
            // SQL the tool never runs must not pass silently.
            if direction == Direction::Forward {
                let all = (tools::row(tool).parts)(&cx);
                if let Some((first, last)) = uncovered_sql(f.text, &all) {
                    let lines = if first == last {
                        format!("line {first} is")
                    } else {
                        format!("lines {first}-{last} are")
                    };
                    notes.push(format!(
                        "{lines} outside the {} sections of this file: {} does not run that SQL, so it was not linted",
                        tool.name(),
                        tool.name()
                    ));
                }
                let forward_sql = all
                    .iter()
                    .filter(|p| p.direction == Direction::Forward)
                    .any(|p| f.text.get(p.range.clone()).is_some_and(has_sql));
                let down_sql = all
                    .iter()
                    .filter(|p| p.direction == Direction::Down)
                    .any(|p| f.text.get(p.range.clone()).is_some_and(has_sql));
                if !forward_sql && down_sql && !settings.migrations.lint_down {
                    notes.push(format!(
                        "this file has no forward ({}) section with SQL, only a down section: nothing was linted",
                        tool.name()
                    ));
                }
            }
            out.push(Planned {
                index,
                tool,
                parts,
                notes,
                set: set_id,
            });
        }
    }
    if order == Order::Given {
        out.sort_by_key(|p| p.index);
    }
    out
}

/// A file's place in its folder: sorted by `key` (class, version, direction, name, input
/// position), run under `tool`.
struct Ranked<'a> {
    key: (Class, Key, Direction, &'a str, usize),
    tool: Tool,
}

/// The project root of a folder, looked up once.
/// The deepest folder both paths are in.
fn common_ancestor(a: &Path, b: &Path) -> PathBuf {
    a.components()
        .zip(b.components())
        .take_while(|(x, y)| x == y)
        .map(|(x, _)| x)
        .collect()
}

/// The project a folder belongs to, for following a sure sqlx detection: a folder under a
/// manifest (Cargo.toml, ...). A bare git root is not one project: a repository of several
/// projects (a monorepo, a corpus) must not relabel one project's files by another's tool.
fn project_root(cache: &mut Vec<(PathBuf, detect::Project)>, dir: &Path) -> Option<PathBuf> {
    if let Some((_, p)) = cache.iter().find(|(d, _)| d == dir) {
        return p.uses_sqlx.and(p.root.clone());
    }
    let p = detect::project(dir);
    let root = p.uses_sqlx.and(p.root.clone());
    cache.push((dir.to_path_buf(), p));
    root
}

#[cfg(test)]
mod extension_tests {
    use super::is_sql;
    use crate::config::DEFAULT_EXTENSIONS;
    use std::path::Path;

    #[test]
    fn postgres_variants_are_migrations_other_dialects_are_not() {
        assert!(is_sql(Path::new("a/001_init.sql"), &DEFAULT_EXTENSIONS));
        assert!(is_sql(Path::new("a/001_INIT.SQL"), &DEFAULT_EXTENSIONS));
        assert!(is_sql(
            Path::new("delta/25/01_x.sql.postgres"),
            &DEFAULT_EXTENSIONS
        ));
        assert!(!is_sql(
            Path::new("delta/25/01_x.sql.sqlite"),
            &DEFAULT_EXTENSIONS
        ));
        assert!(!is_sql(Path::new("a/notes.md"), &DEFAULT_EXTENSIONS));
        assert!(!is_sql(Path::new("a/.sql"), &DEFAULT_EXTENSIONS));
    }

    #[test]
    fn configured_extensions_replace_the_default() {
        let exts = ["psql".to_string(), "sql.sqlite".to_string()];
        assert!(is_sql(Path::new("a/001_init.PSQL"), &exts));
        assert!(is_sql(Path::new("a/001_init.sql.sqlite"), &exts));
        assert!(!is_sql(Path::new("a/001_init.sql"), &exts));
        // A whole name part, not any ending: `init_psql` is not `*.psql`.
        assert!(!is_sql(Path::new("a/init_psql"), &exts));
    }
}

#[cfg(test)]
mod set_tests {
    use super::set_roots;
    use std::path::Path;

    fn sets(dirs: &[&str]) -> Vec<usize> {
        set_roots(dirs.iter().map(Path::new))
    }

    #[test]
    fn a_folder_tree_is_one_set_and_sibling_projects_are_not() {
        // Synapse: version folders join the folder above them; its own files join the tree.
        assert_eq!(
            sets(&[
                "s/schema/common/delta/25",
                "s/schema/common/full_schemas/72",
                "s/schema/common",
                "s/schema/main/delta/12",
                "s/schema/main/delta/13",
                "s/schema/main/full_schemas/72",
                "s/schema/state/delta/47",
            ]),
            [0, 0, 0, 1, 1, 2, 3]
        );
        // Two projects under one folder, and three dialects of one project: apart.
        assert_eq!(
            sets(&[
                "corpus/a/migrations",
                "corpus/b/migrations/postgresql",
                "corpus/b/migrations/mysql",
                "./corpus/a/migrations/v1.10",
            ]),
            [0, 1, 2, 0]
        );
        // A file named in the current folder holds every folder below it.
        assert_eq!(sets(&["db/migrations", "", "other"]), [0, 0, 0]);
    }
}
