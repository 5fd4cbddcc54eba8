//! `--format gitlab`: GitLab Code Quality JSON (a subset of the Code Climate issue format), shown
//! in merge request widgets and diffs. Fingerprints survive line moves, so GitLab matches a
//! finding across the base and head pipelines.

use super::Region;
use crate::config::Level;
use crate::report::FileResult;
use serde::Serialize;

#[derive(Serialize)]
struct Issue<'a> {
    description: &'a str,
    check_name: &'a str,
    fingerprint: String,
    severity: &'static str,
    location: Location<'a>,
}

#[derive(Serialize)]
struct Location<'a> {
    path: &'a str,
    lines: Lines,
}

#[derive(Serialize)]
struct Lines {
    begin: usize,
}

fn severity(l: Level) -> &'static str {
    match l {
        Level::Error => "critical",
        Level::Warning => "major",
        Level::Info | Level::Off => "info",
    }
}

/// Render the Code Quality report (a JSON array).
pub fn render(files: &[FileResult]) -> String {
    let mut issues = Vec::new();
    for file in files {
        let fingerprints = super::fingerprints(file);
        for (f, fingerprint) in file.findings().zip(fingerprints) {
            issues.push(Issue {
                description: &f.message,
                check_name: f.rule,
                fingerprint,
                severity: severity(f.severity),
                location: Location {
                    path: &file.source.name,
                    lines: Lines {
                        begin: Region::of(f, &file.source).line,
                    },
                },
            });
        }
    }
    let mut s = serde_json::to_string_pretty(&issues).unwrap_or_else(|_| "[]".to_string());
    s.push('\n');
    s
}
