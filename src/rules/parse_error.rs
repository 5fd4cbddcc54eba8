//! parse-error: a statement locklint could not understand. Never silent.

use super::{Context, Rule};
use crate::config::Level;
use crate::finding::Finding;
use crate::model::{Parsed, Stmt, StmtKind};

/// The rule.
pub(crate) const RULE: Rule = Rule {
    code: "LL000",
    name: "parse-error",
    default_level: Level::Warning,
    summary: "A statement (or part of one) could not be parsed, so its locks are unknown",
    doc: include_str!("../../rules/parse-error.md"),
    check,
};

fn check(stmt: &Stmt, _cx: &Context) -> Vec<Finding> {
    let help =
        "locklint could not check this statement. If it is valid PostgreSQL, please report it; \
                to silence it, add `-- locklint:ignore parse-error <reason>` above the statement."
            .to_string();
    match &stmt.parsed {
        Parsed::Unparsed { message, at } => {
            let mut f = Finding::new(
                &RULE,
                at.clone(),
                format!("could not parse this statement: {message}; its locks and rewrites are unknown"),
                help,
            )
            .label("parsing stopped here");
            f.stmt_span = stmt.span.clone();
            vec![f]
        }
        Parsed::Partial(parts) => parts
            .iter()
            .map(|(span, message)| {
                // An ALTER TABLE action list, or a statement too long to parse in full.
                let (message, label) = match stmt.kind {
                    StmtKind::AlterTable { .. } => (
                        format!("could not parse this ALTER TABLE action: {message}; the other actions were checked"),
                        "unparsed action",
                    ),
                    _ => (format!("could not parse all of this statement: {message}"), "parsing stopped here"),
                };
                let mut f = Finding::new(&RULE, span.clone(), message, help.clone()).label(label);
                f.stmt_span = stmt.span.clone();
                f
            })
            .collect(),
        _ => Vec::new(),
    }
}
