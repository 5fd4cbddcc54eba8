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
    part_end: None,
};

fn check(stmt: &Stmt, cx: &Context) -> Vec<Finding> {
    // Parsed, but newer than the target server: the model's rows for its version refuse it.
    if let Some(needs) = cx.effects.needs_version {
        let target = cx.settings.postgres_version;
        let message = format!(
            "PostgreSQL {target} does not know this statement: it needs PostgreSQL {needs} or later, so the server rejects it and the migration fails (postgres_version = {target})"
        );
        let help = format!(
            "If the server runs PostgreSQL {needs} or later, say so in locklint.toml:\n  postgres_version = {needs}\nOtherwise write the change the way PostgreSQL {target} knows (the rule pages give the older recipes)."
        );
        let mut f = Finding::new(&RULE, stmt.span.clone(), message, help)
            .label(format!("needs PostgreSQL {needs}"))
            .not_sized();
        f.stmt_span = stmt.span.clone();
        return vec![f];
    }
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
