//! `check --baseline FILE` and `--write-baseline FILE`: adopting locklint on a repository whose
//! applied migrations must not be edited (an ignore comment would change a Flyway or
//! golang-migrate checksum). The baseline records the fingerprints of the findings present when
//! it was written (the SARIF/GitLab fingerprints: rule, path, normalized statement text and
//! occurrence, so moving a statement keeps them); a run with it drops the findings it records
//! and lists the entries that no longer match anything (stale).

use crate::report::FileResult;
use crate::report::check::{Region, fingerprints_as};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use std::path::{Component, Path, PathBuf};

/// The version written and accepted.
pub const VERSION: u32 = 1;

/// A baseline file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Baseline {
    /// Format version ([`VERSION`]).
    pub version: u32,
    /// The recorded findings, by path then line.
    pub findings: Vec<Entry>,
}

/// One recorded finding. Only the fingerprint is matched; the rest is for people (and says
/// which file an entry belongs to).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// The file, relative to the working directory, `/`-separated, without `./`.
    pub path: String,
    /// The rule name.
    pub rule: String,
    /// The line when it was recorded.
    pub line: usize,
    /// The fingerprint (hex SHA-256).
    pub fingerprint: String,
}

/// Why a baseline could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum BaselineError {
    /// Reading or writing failed.
    #[error("baseline {0}: {1}")]
    Io(String, String),
    /// Not a baseline of this version.
    #[error("baseline {0}: not a locklint baseline (version {VERSION}): {1}")]
    Invalid(String, String),
}

/// A file's name as the baseline records it: relative to the working directory when it is
/// under it, `.` components dropped, `/` as the separator.
pub fn path_key(name: &str) -> String {
    let p = Path::new(name);
    let rel = match std::env::current_dir() {
        Ok(cwd) if p.is_absolute() => p.strip_prefix(&cwd).unwrap_or(p).to_path_buf(),
        _ => p.to_path_buf(),
    };
    let parts: Vec<String> = rel
        .components()
        .filter(|c| !matches!(c, Component::CurDir))
        .map(|c| match c {
            Component::RootDir => String::new(),
            c => c.as_os_str().to_string_lossy().into_owned(),
        })
        .collect();
    parts.join("/")
}

/// The baseline of these results: every finding they report.
pub fn of(results: &[FileResult]) -> Baseline {
    let mut findings = Vec::new();
    for file in results {
        let path = path_key(&file.source.name);
        for (f, fingerprint) in file.findings().zip(fingerprints_as(file, &path)) {
            findings.push(Entry {
                path: path.clone(),
                rule: f.rule.to_string(),
                line: Region::of(f, &file.source).line,
                fingerprint,
            });
        }
    }
    findings.sort_by(|a, b| (&a.path, a.line, &a.rule).cmp(&(&b.path, b.line, &b.rule)));
    Baseline {
        version: VERSION,
        findings,
    }
}

/// Write `baseline` to `path` as JSON.
pub fn write(path: &Path, baseline: &Baseline) -> Result<(), BaselineError> {
    let io =
        |e: &dyn std::fmt::Display| BaselineError::Io(path.display().to_string(), e.to_string());
    let mut text = serde_json::to_string_pretty(baseline).map_err(|e| io(&e))?;
    text.push('\n');
    std::fs::write(path, text).map_err(|e| io(&crate::discover::io_message(&e)))
}

/// Read a baseline.
pub fn read(path: &Path) -> Result<Baseline, BaselineError> {
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path)
        .map_err(|e| BaselineError::Io(name.clone(), crate::discover::io_message(&e)))?;
    let b: Baseline = serde_json::from_str(&text)
        .map_err(|e| BaselineError::Invalid(name.clone(), e.to_string()))?;
    if b.version != VERSION {
        return Err(BaselineError::Invalid(
            name,
            format!("version {}", b.version),
        ));
    }
    Ok(b)
}

/// Drop the findings the baseline records; return how many were dropped and the stale entries:
/// those of a linted file, or of a file that no longer exists, that matched no finding.
pub fn apply(results: &mut [FileResult], baseline: &Baseline) -> (usize, Vec<Entry>) {
    let recorded: HashSet<&str> = baseline
        .findings
        .iter()
        .map(|e| e.fingerprint.as_str())
        .collect();
    let mut matched: HashSet<String> = HashSet::new();
    let mut linted: HashSet<String> = HashSet::new();
    let mut dropped = 0;
    for file in results.iter_mut() {
        let path = path_key(&file.source.name);
        let fingerprints = fingerprints_as(file, &path);
        linted.insert(path);
        // Findings are told apart by address: `findings()` lends them in another order.
        let drop: HashSet<*const crate::finding::Finding> = file
            .findings()
            .zip(&fingerprints)
            .filter(|(_, fp)| recorded.contains(fp.as_str()))
            .map(|(f, _)| f as *const _)
            .collect();
        matched.extend(
            fingerprints
                .into_iter()
                .filter(|fp| recorded.contains(fp.as_str())),
        );
        if drop.is_empty() {
            continue;
        }
        dropped += drop.len();
        let drop_from = |v: &mut Vec<crate::finding::Finding>| {
            let keep: Vec<bool> = v.iter().map(|f| !drop.contains(&(f as *const _))).collect();
            let mut keep = keep.into_iter();
            v.retain(|_| keep.next().unwrap_or(true));
        };
        drop_from(&mut file.file_findings);
        for s in &mut file.stmts {
            drop_from(&mut s.findings);
        }
    }
    let mut exists: HashMap<&str, bool> = HashMap::new();
    let stale = baseline
        .findings
        .iter()
        .filter(|e| !matched.contains(&e.fingerprint))
        .filter(|e| {
            linted.contains(&e.path)
                || !*exists
                    .entry(e.path.as_str())
                    .or_insert_with(|| PathBuf::from(&e.path).exists())
        })
        .cloned()
        .collect();
    (dropped, stale)
}
