//! Path globs of the config (`[migrations] exclude`, `[[overrides]] paths`): written relative to
//! the config file's folder, matched against a file and each folder above it (so `db/legacy`
//! covers the files under it as `db/legacy/**` does).

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use serde::{Serialize, Serializer};
use std::path::{Component, Path, PathBuf};

/// Compiled globs and the folder they are relative to.
#[derive(Debug, Clone, Default)]
pub struct PathGlobs {
    patterns: Vec<String>,
    set: GlobSet,
    base: PathBuf,
}

impl Serialize for PathGlobs {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.patterns.serialize(serializer)
    }
}

/// One glob that does not compile: its index and why.
pub struct BadGlob {
    /// Index in the list given.
    pub index: usize,
    /// globset's message.
    pub message: String,
}

impl PathGlobs {
    /// Compile `patterns` (`*` stays within a folder, `**` crosses folders), relative to `base`.
    pub fn new(patterns: &[String], base: &Path) -> Result<PathGlobs, BadGlob> {
        let mut b = GlobSetBuilder::new();
        for (index, p) in patterns.iter().enumerate() {
            let glob = GlobBuilder::new(p.trim_start_matches("./"))
                .literal_separator(true)
                .build()
                .map_err(|e| BadGlob {
                    index,
                    message: e.kind().to_string(),
                })?;
            b.add(glob);
        }
        let set = b.build().map_err(|e| BadGlob {
            index: 0,
            message: e.to_string(),
        })?;
        Ok(PathGlobs {
            patterns: patterns.to_vec(),
            set,
            base: base.to_path_buf(),
        })
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.patterns.is_empty()
    }

    /// Whether `path` (as named: relative to the working directory, or absolute) or a folder
    /// above it matches, relative to the base folder. A path outside the base folder matches
    /// nothing.
    pub fn matches(&self, path: &Path) -> bool {
        if self.patterns.is_empty() {
            return false;
        }
        let Some(rel) = relative(path, &self.base) else {
            return false;
        };
        rel.ancestors()
            .filter(|a| !a.as_os_str().is_empty())
            .any(|a| self.set.is_match(a))
    }
}

/// `path` relative to `base`: lexically when both are relative (the usual case: a config in
/// the working directory), else through their canonical forms.
fn relative(path: &Path, base: &Path) -> Option<PathBuf> {
    let clean = |p: &Path| -> PathBuf {
        p.components()
            .filter(|c| !matches!(c, Component::CurDir))
            .collect()
    };
    if path.is_relative() && base.is_relative() {
        let (p, b) = (clean(path), clean(base));
        if !p.components().any(|c| matches!(c, Component::ParentDir))
            && let Ok(rel) = p.strip_prefix(&b)
        {
            return Some(rel.to_path_buf());
        }
    }
    let base = if base.as_os_str().is_empty() {
        Path::new(".")
    } else {
        base
    };
    let p = std::fs::canonicalize(path).ok()?;
    let b = std::fs::canonicalize(base).ok()?;
    p.strip_prefix(&b).ok().map(Path::to_path_buf)
}

#[cfg(test)]
mod tests {
    use super::PathGlobs;
    use std::path::Path;

    fn globs(p: &[&str], base: &str) -> PathGlobs {
        let p: Vec<String> = p.iter().map(|s| s.to_string()).collect();
        PathGlobs::new(&p, Path::new(base)).unwrap_or_else(|e| panic!("{}", e.message))
    }

    #[test]
    fn relative_to_the_base_and_its_folders() {
        let g = globs(&["legacy/**", "db/old", "*.tmp.sql"], "");
        assert!(g.matches(Path::new("legacy/a/b.sql")));
        assert!(g.matches(Path::new("./legacy/b.sql")));
        assert!(g.matches(Path::new("db/old/1.sql")));
        assert!(g.matches(Path::new("x.tmp.sql")));
        assert!(!g.matches(Path::new("db/x.tmp.sql")), "* stays in a folder");
        assert!(!g.matches(Path::new("db/new/1.sql")));
        let g = globs(&["legacy/**"], "sub");
        assert!(g.matches(Path::new("sub/legacy/1.sql")));
        assert!(!g.matches(Path::new("legacy/1.sql")));
    }

    #[test]
    fn bad_globs_say_which() {
        let p = vec!["ok/**".to_string(), "bad/[".to_string()];
        let e = PathGlobs::new(&p, Path::new("")).err().map(|e| e.index);
        assert_eq!(e, Some(1));
    }
}
