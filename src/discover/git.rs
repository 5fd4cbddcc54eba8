//! `--since GIT_REF`: the files added or changed since a revision, asked of the `git` command
//! line: committed since the merge base of REF and HEAD, staged, modified, or untracked.

use std::collections::HashSet;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Why the changed files could not be listed.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum SinceError {
    /// git itself could not be started.
    #[error("--since: could not run git: {0}")]
    NoGit(String),
    /// The working directory is not inside a git work tree.
    #[error("--since: not in a git repository (run locklint inside one, or drop --since)")]
    NotARepository,
    /// The revision does not name a commit.
    #[error("--since: unknown git revision `{0}`")]
    UnknownRevision(String),
    /// Another git failure, with git's message.
    #[error("--since: git {0} failed: {1}")]
    Failed(String, String),
}

/// Files added or changed since a revision (canonical paths).
#[derive(Debug, Clone, Default)]
pub struct Changed {
    files: HashSet<PathBuf>,
}

impl Changed {
    /// The files at these paths (those that exist).
    pub fn of_paths(paths: impl IntoIterator<Item = PathBuf>) -> Changed {
        Changed {
            files: paths
                .into_iter()
                .filter_map(|p| std::fs::canonicalize(p).ok())
                .collect(),
        }
    }

    /// Whether `path` (as named, relative to the working directory or absolute) is one of them.
    pub fn contains(&self, path: &Path) -> bool {
        std::fs::canonicalize(path).is_ok_and(|p| self.files.contains(&p))
    }

    /// How many there are.
    pub fn len(&self) -> usize {
        self.files.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }
}

fn git(dir: &Path, args: &[&str]) -> Result<std::process::Output, SinceError> {
    Command::new("git")
        .current_dir(dir)
        .args(args)
        .env("GIT_OPTIONAL_LOCKS", "0")
        .output()
        .map_err(|e| SinceError::NoGit(crate::discover::io_message(&e)))
}

fn stderr_of(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).trim().to_string()
}

#[cfg(unix)]
fn os_str(bytes: &[u8]) -> &OsStr {
    use std::os::unix::ffi::OsStrExt;
    OsStr::from_bytes(bytes)
}

#[cfg(not(unix))]
fn os_str(bytes: &[u8]) -> &OsStr {
    // git prints UTF-8 paths elsewhere; anything else cannot name a file here anyway.
    OsStr::new(std::str::from_utf8(bytes).unwrap_or(""))
}

/// The files changed since `rev`, asked of git in the working directory `cwd`.
pub fn changed_since(cwd: &Path, rev: &str) -> Result<Changed, SinceError> {
    let top = git(cwd, &["rev-parse", "--show-toplevel"])?;
    if !top.status.success() {
        return Err(SinceError::NotARepository);
    }
    let top = PathBuf::from(os_str(trim_newline(&top.stdout)));
    // A revision that starts with '-' would be read as an option.
    if rev.is_empty() || rev.starts_with('-') {
        return Err(SinceError::UnknownRevision(rev.to_string()));
    }
    let commit = format!("{rev}^{{commit}}");
    let verify = git(&top, &["rev-parse", "--verify", "--quiet", &commit])?;
    if !verify.status.success() {
        return Err(SinceError::UnknownRevision(rev.to_string()));
    }
    // Changes made on the other side of REF (e.g. a base branch that moved on) are not ours.
    let merge_base = git(&top, &["merge-base", rev, "HEAD"])?;
    let base = if merge_base.status.success() {
        String::from_utf8_lossy(trim_newline(&merge_base.stdout)).into_owned()
    } else {
        rev.to_string()
    };
    let mut files = HashSet::new();
    let lists: [&[&str]; 2] = [
        // Committed since the base, staged and modified: the base against the work tree.
        &["diff", "--name-only", "--no-renames", "-z", &base, "--"],
        // New files git does not know yet.
        &[
            "ls-files",
            "--others",
            "--exclude-standard",
            "--full-name",
            "-z",
        ],
    ];
    for args in lists {
        let out = git(&top, args)?;
        if !out.status.success() {
            return Err(SinceError::Failed(args[0].to_string(), stderr_of(&out)));
        }
        for name in out.stdout.split(|&b| b == 0).filter(|n| !n.is_empty()) {
            if let Ok(p) = std::fs::canonicalize(top.join(os_str(name))) {
                files.insert(p);
            }
        }
    }
    Ok(Changed { files })
}

fn trim_newline(b: &[u8]) -> &[u8] {
    let b = b.strip_suffix(b"\n").unwrap_or(b);
    b.strip_suffix(b"\r").unwrap_or(b)
}
