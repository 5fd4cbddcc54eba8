//! `check --with-history FILES`: the named files are the selection, linted with every other
//! migration of their folders replayed into the schema first (how the pre-commit hook runs:
//! pre-commit passes only the staged files, and a staged migration means nothing without the
//! migrations before it).

use super::git::Changed;
use super::{Input, InputError, display, folder_of, io_message, is_sql, order};
use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// Inputs for the named paths and their folders' other migrations, any errors, and the
/// selection: the named files, and every file of a named directory.
pub fn collect(
    paths: &[PathBuf],
    stdin_name: &str,
    extensions: &[String],
) -> (Vec<Input>, Vec<InputError>, Changed) {
    let (named, mut errors) = super::collect_with(paths, stdin_name, extensions);
    let selected = Changed::of_paths(named.iter().filter_map(|i| i.path.clone()));
    let mut seen: HashSet<PathBuf> = named
        .iter()
        .filter_map(|i| i.path.as_deref())
        .filter_map(|p| std::fs::canonicalize(p).ok())
        .collect();
    let mut folders: Vec<PathBuf> = Vec::new();
    for i in named.iter().filter(|i| i.path.is_some()) {
        let (folder, _) = folder_of(&i.display);
        if !folders.contains(&folder) {
            folders.push(folder);
        }
    }
    let mut inputs = Vec::new();
    for folder in &folders {
        for p in siblings(folder, extensions, &mut errors) {
            if std::fs::canonicalize(&p).is_ok_and(|c| seen.insert(c)) {
                inputs.push(Input {
                    display: display(&p),
                    path: Some(p),
                    walked: true,
                    problem: None,
                });
            }
        }
    }
    inputs.extend(named);
    (inputs, errors, selected)
}

/// The `.sql` files of a migration folder (as [`folder_of`] groups them: its files, and the
/// files of migrations that are folders of their own), in natural order.
fn siblings(folder: &Path, extensions: &[String], errors: &mut Vec<InputError>) -> Vec<PathBuf> {
    let root = if folder.as_os_str().is_empty() {
        Path::new(".")
    } else {
        folder
    };
    let mut found = Vec::new();
    for entry in walkdir::WalkDir::new(root).follow_links(true).max_depth(2) {
        match entry {
            Ok(e) => {
                let p = if folder.as_os_str().is_empty() {
                    e.path().strip_prefix(".").unwrap_or(e.path()).to_path_buf()
                } else {
                    e.into_path()
                };
                if is_sql(&p, extensions) && p.is_file() && folder_of(&display(&p)).0 == folder {
                    found.push(p);
                }
            }
            Err(err) => {
                // Only the folder itself matters: an unreadable subfolder holds no sibling.
                if err.depth() == 0 {
                    errors.push(InputError {
                        path: display(root),
                        message: err.io_error().map_or_else(|| err.to_string(), io_message),
                    });
                }
            }
        }
    }
    found.sort_by_cached_key(|p| order::natural(&p.to_string_lossy()));
    found
}
