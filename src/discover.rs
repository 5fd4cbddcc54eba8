//! Which files to lint, in which order.

use std::path::{Path, PathBuf};

/// One input to lint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Input {
    /// The name shown in output: the path as the user named it (relative stays relative).
    pub display: String,
    /// Where to read it; `None` for standard input.
    pub path: Option<PathBuf>,
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
/// for `*.sql` files, sorted by path; `-` is standard input (named `stdin_name`).
pub fn collect(paths: &[PathBuf], stdin_name: &str) -> (Vec<Input>, Vec<InputError>) {
    let mut inputs = Vec::new();
    let mut errors = Vec::new();
    for p in paths {
        if p.as_os_str() == "-" {
            inputs.push(Input {
                display: stdin_name.to_string(),
                path: None,
            });
            continue;
        }
        match std::fs::metadata(p) {
            Ok(m) if m.is_dir() => walk(p, &mut inputs, &mut errors),
            Ok(_) => inputs.push(Input {
                display: display(p),
                path: Some(p.clone()),
            }),
            Err(e) => errors.push(InputError {
                path: display(p),
                message: io_message(&e),
            }),
        }
    }
    (inputs, errors)
}

fn walk(root: &Path, inputs: &mut Vec<Input>, errors: &mut Vec<InputError>) {
    let mut found = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for entry in walkdir::WalkDir::new(root)
        .follow_links(true)
        .sort_by_file_name()
    {
        match entry {
            Ok(e) => {
                // Through symbolic links the same file can be reached twice: lint it once.
                if e.file_type().is_file()
                    && is_sql(e.path())
                    && seen.insert(
                        std::fs::canonicalize(e.path()).unwrap_or_else(|_| e.path().to_path_buf()),
                    )
                {
                    found.push(e.into_path());
                }
            }
            Err(err) => {
                let path = err.path().map(display).unwrap_or_else(|| display(root));
                let message = if err.loop_ancestor().is_some() {
                    "symbolic link loop; not followed".to_string()
                } else if let Some(io) = err.io_error() {
                    io_message(io)
                } else {
                    err.to_string()
                };
                errors.push(InputError { path, message });
            }
        }
    }
    found.sort();
    inputs.extend(found.into_iter().map(|p| Input {
        display: display(&p),
        path: Some(p),
    }));
}

fn is_sql(p: &Path) -> bool {
    p.extension()
        .map(|e| e.eq_ignore_ascii_case("sql"))
        .unwrap_or(false)
}

fn display(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}

/// An I/O error without Rust's "(os error N)" noise.
pub fn io_message(e: &std::io::Error) -> String {
    let s = e.to_string();
    match s.find(" (os error") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}
