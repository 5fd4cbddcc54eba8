//! The walk of the current directory when no path is named and the config names none: files
//! that git would ignore (`.gitignore`, `.git/info/exclude`, the global excludes) or that an
//! `.ignore` file excludes are skipped, and so are hidden files and folders, as ripgrep does:
//! `node_modules/`, `target/` and `.venv/` are not migrations. Named paths never come here:
//! they are always linted.

use super::{Input, InputError, display, file_id, io_message, is_sql, order};
use std::path::Path;

/// The `.sql` files under `root` that are neither ignored nor hidden, in natural path order.
pub fn collect(root: &Path) -> (Vec<Input>, Vec<InputError>) {
    let mut found = Vec::new();
    let mut errors = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let walker = ignore::WalkBuilder::new(root)
        .follow_links(true)
        // Outside a git repository too: a project's .gitignore says what is not its source.
        .require_git(false)
        .sort_by_file_name(std::ffi::OsStr::cmp)
        .build();
    for entry in walker {
        match entry {
            Ok(e) => {
                if e.file_type().is_some_and(|t| t.is_file())
                    && is_sql(e.path())
                    && seen.insert(file_id(e.path()))
                {
                    found.push(e.into_path());
                }
            }
            Err(err) => errors.push(input_error(root, &err)),
        }
    }
    found.sort_by_cached_key(|p| order::natural(&p.to_string_lossy()));
    let inputs = found
        .into_iter()
        .map(|p| Input {
            display: display(&p),
            path: Some(p),
        })
        .collect();
    (inputs, errors)
}

fn input_error(root: &Path, err: &ignore::Error) -> InputError {
    // The ignore crate wraps the error with its path, depth and line; unwrap to the cause.
    let mut err = err;
    let mut path = None;
    loop {
        match err {
            ignore::Error::WithPath {
                path: p,
                err: inner,
            } => {
                path.get_or_insert_with(|| display(p));
                err = inner;
            }
            ignore::Error::WithDepth { err: inner, .. }
            | ignore::Error::WithLineNumber { err: inner, .. } => err = inner,
            _ => break,
        }
    }
    let message = match err {
        ignore::Error::Loop { child, .. } => {
            path.get_or_insert_with(|| display(child));
            "symbolic link loop; not followed".to_string()
        }
        ignore::Error::Io(io) => io_message(io),
        other => other.to_string(),
    };
    InputError {
        path: path.unwrap_or_else(|| display(root)),
        message,
    }
}
