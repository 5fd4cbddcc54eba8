//! The walk of the current directory when no path is named and the config names none: files
//! that git would ignore (`.gitignore`, `.git/info/exclude`, the global excludes) or that an
//! `.ignore` file excludes are skipped, and so are hidden files and folders, as ripgrep does:
//! `node_modules/`, `target/` and `.venv/` are not migrations. Named paths never come here:
//! they are always linted.

use super::{Input, InputError, display, file_id, io_message, is_sql, order};
use std::path::{Path, PathBuf};

/// The `.sql` files under `root` that are neither ignored nor hidden, in natural path order.
pub fn collect(root: &Path, extensions: &[String]) -> (Vec<Input>, Vec<InputError>) {
    let mut found = Vec::new();
    let mut errors = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let walker = ignore::WalkBuilder::new(root)
        .follow_links(true)
        // Outside a git repository too: a project's .gitignore says what is not its source.
        .require_git(false)
        .sort_by_file_name(std::ffi::OsStr::cmp)
        .build();
    let mut problems = Vec::new();
    for entry in walker {
        match entry {
            Ok(e) => {
                // As in a named folder's walk: a FIFO, socket or device named `*.sql` is listed
                // too (and reported unread); a file reached twice through links is linted once.
                if !e.file_type().is_some_and(|t| t.is_dir())
                    && is_sql(e.path(), extensions)
                    && seen.insert(file_id(e.path()))
                {
                    found.push(e.into_path());
                }
            }
            Err(err) => {
                let (path, message) = located(&err);
                match path {
                    // Inside the folder: reported on that path, and the rest is linted.
                    Some(p) if p != root => problems.push((p, message)),
                    p => errors.push(InputError {
                        path: p.as_deref().map_or_else(|| display(root), display),
                        message,
                    }),
                }
            }
        }
    }
    found.sort_by_cached_key(|p| order::natural(&p.to_string_lossy()));
    let mut inputs: Vec<Input> = found
        .into_iter()
        .map(|p| Input {
            display: display(&p),
            path: Some(p),
            walked: true,
            problem: None,
        })
        .collect();
    inputs.extend(problems.into_iter().map(|(p, message)| Input {
        display: display(&p),
        path: Some(p),
        walked: true,
        problem: Some(message),
    }));
    (inputs, errors)
}

/// The path an error of the ignore crate is about, and its cause in words.
fn located(err: &ignore::Error) -> (Option<PathBuf>, String) {
    // The crate wraps the error with its path, depth and line; unwrap to the cause.
    let mut err = err;
    let mut path = None;
    loop {
        match err {
            ignore::Error::WithPath {
                path: p,
                err: inner,
            } => {
                path.get_or_insert_with(|| p.clone());
                err = inner;
            }
            ignore::Error::WithDepth { err: inner, .. }
            | ignore::Error::WithLineNumber { err: inner, .. } => err = inner,
            _ => break,
        }
    }
    let message = match err {
        ignore::Error::Loop { child, .. } => {
            path.get_or_insert_with(|| child.clone());
            "symbolic link loop; not followed".to_string()
        }
        ignore::Error::Io(io) => io_message(io),
        other => other.to_string(),
    };
    (path, message)
}
