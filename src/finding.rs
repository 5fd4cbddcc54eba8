//! A finding: plain serializable data. Reporters format it; they never decide severity.

use crate::analyze::size::SizeClass;
use crate::config::Level;
use crate::model::{Blocks, LockMode, Span};

/// A second location a finding points at (e.g. the earlier statement whose lock is still held).
#[derive(Debug, Clone)]
pub struct Related {
    /// Byte range in the same file.
    pub span: Span,
    /// What is there.
    pub label: String,
}

/// One problem found in one statement.
#[derive(Debug, Clone)]
pub struct Finding {
    /// Rule name (kebab-case).
    pub rule: &'static str,
    /// Stable rule code (`LL001`).
    pub code: &'static str,
    /// Severity: the rule's default until the severity pass decides it from the size class,
    /// the configuration and suppressions.
    pub severity: Level,
    /// The size class of the relation the hazard is about; `None` for findings that do not
    /// depend on size. The severity pass drops findings on new and small relations.
    pub size: Option<SizeClass>,
    /// Other locations the finding is about.
    pub related: Vec<Related>,
    /// A sentence this finding adds to another rule's finding on the same hazard when the two
    /// are merged into one.
    pub note: Option<String>,
    /// Rules whose findings on the same hazard were merged into this one.
    pub merged: Vec<&'static str>,
    /// Byte range of the offending clause (what the label points at).
    pub span: Span,
    /// Byte range of the whole statement.
    pub stmt_span: Span,
    /// What is wrong: the lock, the table, what it blocks, for how long if known.
    pub message: String,
    /// Short text for the label under the clause.
    pub label: String,
    /// The safe recipe, as SQL where possible.
    pub help: String,
    /// The table concerned.
    pub table: Option<String>,
    /// The lock taken on it.
    pub lock: Option<LockMode>,
    /// What that lock blocks.
    pub blocks: Option<Blocks>,
    /// Estimated seconds the lock is held, from the table's size hint.
    pub estimate_seconds: Option<f64>,
    /// The safe recipe as data: exact SQL steps and where each one runs. `help` is its text,
    /// adapted to the file's migration tool; `--fix` applies it.
    pub recipe: Option<Box<Recipe>>,
}

/// Where a step of a recipe runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Placement {
    /// Where the statement is now, in the same transaction.
    SameMigration,
    /// Outside any transaction block (CONCURRENTLY): with the tool's no-transaction switch or
    /// in a migration of its own.
    OutsideTransaction,
    /// In a later migration (its own transaction), after this one has committed.
    NextMigration,
}

/// One step of a recipe.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Step {
    /// Exact SQL, built from the statement's own parts (one statement, with its `;`).
    pub sql: String,
    /// Where it runs.
    pub placement: Placement,
    /// A sentence said before it, when it needs one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// The safe recipe of a finding: prose around exact SQL steps.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Recipe {
    /// What the recipe does and why it is safe (prose, first line of `help`).
    pub summary: String,
    /// The steps, in order.
    pub steps: Vec<Step>,
    /// What to know afterwards (prose, last line of `help`), e.g. how to retry.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub after: Option<String>,
    /// How `--fix` applies the steps, when it can.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<Fix>,
}

/// How `--fix` applies a recipe.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Fix {
    /// The steps replace the whole statement.
    Replace,
    /// The steps go just before the statement, which stays.
    InsertBefore,
}

impl Recipe {
    /// A recipe with a summary and no steps yet.
    pub fn new(summary: impl Into<String>) -> Self {
        Recipe {
            summary: summary.into(),
            steps: Vec::new(),
            after: None,
            fix: None,
        }
    }

    /// Add a step.
    pub fn step(mut self, placement: Placement, sql: impl Into<String>) -> Self {
        self.steps.push(Step {
            sql: sql.into(),
            placement,
            note: None,
        });
        self
    }

    /// Add a step with a sentence before it.
    pub fn step_noted(
        mut self,
        placement: Placement,
        note: impl Into<String>,
        sql: impl Into<String>,
    ) -> Self {
        self.steps.push(Step {
            sql: sql.into(),
            placement,
            note: Some(note.into()),
        });
        self
    }

    /// Set the closing sentence.
    pub fn after(mut self, text: impl Into<String>) -> Self {
        self.after = Some(text.into());
        self
    }

    /// Mark the steps as a drop-in replacement of the statement (when `yes`).
    pub fn fixable(mut self, yes: bool) -> Self {
        self.fix = yes.then_some(Fix::Replace);
        self
    }

    /// Mark the steps as going just before the statement.
    pub fn inserted_before(mut self) -> Self {
        self.fix = Some(Fix::InsertBefore);
        self
    }
}

impl Finding {
    /// A finding with only the essentials; the builder methods add the rest. Its level is
    /// decided by the severity pass.
    pub fn new(rule: &crate::rules::Rule, span: Span, message: String, help: String) -> Self {
        Finding {
            rule: rule.name,
            code: rule.code,
            severity: rule.default_level,
            size: None,
            related: Vec::new(),
            note: None,
            merged: Vec::new(),
            stmt_span: span.clone(),
            span,
            message,
            label: String::new(),
            help,
            table: None,
            lock: None,
            blocks: None,
            estimate_seconds: None,
            recipe: None,
        }
    }

    /// Attach the recipe; `help` becomes its text (not yet adapted to a migration tool).
    pub fn recipe(mut self, recipe: Recipe) -> Self {
        self.help = crate::recipe::help(&recipe, None);
        self.recipe = Some(Box::new(recipe));
        self
    }

    /// Set the label text.
    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = label.into();
        self
    }

    /// Set the table, lock and what it blocks.
    pub fn lock(mut self, table: &crate::model::ObjName, mode: LockMode) -> Self {
        self.table = Some(table.to_string());
        self.lock = Some(mode);
        self.blocks = Some(mode.blocks());
        self
    }

    /// Set the table only.
    pub fn table(mut self, table: &crate::model::ObjName) -> Self {
        self.table = Some(table.to_string());
        self
    }

    /// Set the estimate.
    pub fn estimate(mut self, seconds: Option<f64>) -> Self {
        self.estimate_seconds = seconds;
        self
    }
}

/// "~25 min", "~40 s", "~2.1 h".
pub fn format_duration(seconds: f64) -> String {
    if seconds < 1.0 {
        "under a second".to_string()
    } else if seconds < 90.0 {
        format!("~{:.0} s", seconds)
    } else if seconds < 90.0 * 60.0 {
        format!("~{:.0} min", seconds / 60.0)
    } else {
        format!("~{:.1} h", seconds / 3600.0)
    }
}

/// "450M", "2.5M", "12k", "950".
pub fn format_rows(rows: u64) -> String {
    match rows {
        r if r >= 1_000_000_000 => trim(format!("{:.1}", r as f64 / 1e9)) + "B",
        r if r >= 1_000_000 => trim(format!("{:.1}", r as f64 / 1e6)) + "M",
        r if r >= 10_000 => format!("{}k", r / 1000),
        r => r.to_string(),
    }
}

fn trim(s: String) -> String {
    s.strip_suffix(".0").map(str::to_string).unwrap_or(s)
}
