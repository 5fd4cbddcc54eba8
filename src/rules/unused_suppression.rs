//! unused-suppression: a `-- locklint:ignore` comment that silences nothing.
//! The findings are produced by `crate::suppress` after every rule has run.

use super::{Context, Rule};
use crate::config::Level;
use crate::finding::Finding;
use crate::model::Stmt;

/// The rule.
pub(crate) const RULE: Rule = Rule {
    code: "LL004",
    name: "unused-suppression",
    default_level: Level::Warning,
    summary: "A locklint:ignore comment names a rule that reports nothing there (or no rule at all)",
    doc: include_str!("../../rules/unused-suppression.md"),
    check,
    part_end: None,
};

fn check(_stmt: &Stmt, _cx: &Context) -> Vec<Finding> {
    Vec::new()
}
