//! `locklint rules`: the rule list as a table (for people) or JSON (for tools).

use crate::rules::RULES;
use serde::Serialize;

#[derive(Serialize)]
struct RuleInfo {
    code: &'static str,
    name: &'static str,
    default_severity: String,
    summary: &'static str,
}

/// One line per rule: code, name, default severity, summary.
pub fn table() -> String {
    let mut s = String::new();
    let width = RULES.iter().map(|r| r.name.len()).max().unwrap_or(0);
    for r in RULES {
        s.push_str(&format!(
            "{:<6} {:<width$} {:<8} {}\n",
            r.code,
            r.name,
            r.default_level.name(),
            r.summary
        ));
    }
    s
}

/// A JSON array of `{code, name, default_severity, summary}`, in code order.
pub fn json() -> String {
    let list: Vec<RuleInfo> = RULES
        .iter()
        .map(|r| RuleInfo {
            code: r.code,
            name: r.name,
            default_severity: r.default_level.to_string(),
            summary: r.summary,
        })
        .collect();
    let mut s = serde_json::to_string_pretty(&list).unwrap_or_else(|_| "[]".to_string());
    s.push('\n');
    s
}
