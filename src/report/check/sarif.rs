//! `--format sarif`: SARIF 2.1.0 for GitHub code scanning and other SARIF viewers. The driver
//! lists every rule (so a viewer can show a rule's page for any result); each result carries
//! its level, message and a 1-based region.

use super::Region;
use crate::config::Level;
use crate::report::FileResult;
use crate::rules::{RULES, Rule};
use serde_json::{Value, json};

/// The `$schema` written into the log: the OASIS SARIF 2.1.0 schema.
pub(crate) const SCHEMA_URI: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

fn level(l: Level) -> &'static str {
    match l {
        Level::Error => "error",
        Level::Warning => "warning",
        Level::Info => "note",
        Level::Off => "none",
    }
}

/// A path as a relative (or absolute-path) URI reference: forward slashes, and everything
/// outside RFC 3986's unreserved characters and `/` percent-encoded (`:` too, so that
/// `C:/x.sql` is not read as a URI scheme).
pub(crate) fn path_uri(path: &str) -> String {
    let path = if cfg!(windows) {
        path.replace('\\', "/")
    } else {
        path.to_string()
    };
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(b as char)
            }
            b => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

fn rule_descriptor(r: &Rule) -> Value {
    let full = super::page_section(r.doc, "What it flags").unwrap_or(r.summary);
    json!({
        "id": r.code,
        "name": r.name,
        "shortDescription": { "text": r.summary },
        "fullDescription": { "text": full },
        "help": { "text": r.doc, "markdown": r.doc },
        "helpUri": super::rule_url(r.name),
        "defaultConfiguration": { "level": level(r.default_level) },
    })
}

/// Render the SARIF log.
pub fn render(files: &[FileResult]) -> String {
    let mut results = Vec::new();
    for file in files {
        let uri = path_uri(&file.source.name);
        let fingerprints = super::fingerprints(file);
        for (f, fingerprint) in file.findings().zip(fingerprints) {
            let r = Region::of(f, &file.source);
            let text = if f.help.is_empty() {
                f.message.clone()
            } else {
                format!("{}\n\n{}", f.message, f.help)
            };
            let mut result = json!({
                "ruleId": f.code,
                "level": level(f.severity),
                "message": { "text": text },
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": { "uri": uri },
                        "region": {
                            "startLine": r.line,
                            "startColumn": r.column,
                            "endLine": r.end_line,
                            "endColumn": r.end_column,
                        }
                    }
                }],
                "partialFingerprints": { "locklint/v1": fingerprint },
            });
            if !f.related.is_empty() {
                let related: Vec<_> = f
                    .related
                    .iter()
                    .enumerate()
                    .map(|(i, rel)| {
                        let (line, column) = file.source.line_col(rel.span.start);
                        let (end_line, end_column) = file.source.line_col(rel.span.end);
                        json!({
                            "id": i,
                            "message": { "text": rel.label },
                            "physicalLocation": {
                                "artifactLocation": { "uri": uri },
                                "region": {
                                    "startLine": line,
                                    "startColumn": column,
                                    "endLine": end_line,
                                    "endColumn": end_column,
                                }
                            }
                        })
                    })
                    .collect();
                result["relatedLocations"] = json!(related);
            }
            if let Some((index, _)) = super::rule_of(f) {
                result["ruleIndex"] = json!(index);
            }
            results.push(result);
        }
    }
    let log = json!({
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "locklint",
                    "version": env!("CARGO_PKG_VERSION"),
                    "informationUri": super::HOME_URL,
                    "rules": RULES.iter().map(|r| rule_descriptor(r)).collect::<Vec<_>>(),
                }
            },
            "columnKind": "unicodeCodePoints",
            "results": results,
        }]
    });
    let mut s =
        serde_json::to_string_pretty(&log).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_become_uri_references() {
        assert_eq!(path_uri("migrations/0001_a.sql"), "migrations/0001_a.sql");
        assert_eq!(path_uri("db/my file,v2:x.sql"), "db/my%20file%2Cv2%3Ax.sql");
        assert_eq!(path_uri("<stdin>"), "%3Cstdin%3E");
        assert_eq!(path_uri("größe.sql"), "gr%C3%B6%C3%9Fe.sql");
    }
}
