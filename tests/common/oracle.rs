//! The oracle cases and what is compared, shared by the live test (`tests/oracle.rs`, which asks
//! PostgreSQL) and the stored one (`tests/oracle_stored.rs`, which reads what PostgreSQL showed
//! from [`EXPECTED_PATH`]): the statements, how locklint lints one, and the comparison.

use locklint::config::Settings;
use locklint::model::{Parsed, StmtKind};
use locklint::pipeline::lint_sources;
use locklint::source::SourceFile;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

pub const FIXTURE: &str = include_str!("../../testdata/oracle/fixture.sql");
pub const STATEMENTS: &str = include_str!("../../testdata/oracle/statements.csv");
pub const EXTRA_STATEMENTS: &str = include_str!("../../testdata/oracle/extra_statements.csv");

/// The server major versions whose observations are stored (and checked without a server).
pub const STORED_VERSIONS: [u32; 2] = [15, 18];

/// What the server showed for every case on PostgreSQL 15, written by the live test under
/// `LOCKLINT_ORACLE_RECORD=1`.
pub const EXPECTED_PATH: &str =
    concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/oracle/expected.csv");

/// Where the observations of a server major version are stored: [`EXPECTED_PATH`] for 15,
/// `expected_pg<N>.csv` beside it for the others.
pub fn expected_path(version: u32) -> String {
    if version == 15 {
        EXPECTED_PATH.to_string()
    } else {
        format!(
            "{}/testdata/oracle/expected_pg{version}.csv",
            env!("CARGO_MANIFEST_DIR")
        )
    }
}

/// The header of [`EXPECTED_PATH`].
pub const EXPECTED_HEADER: [&str; 5] = ["set", "id", "locks", "rewritten", "partitioned"];

/// One observed statement.
pub struct Case {
    pub id: String,
    pub statement: String,
    pub setup: Vec<String>,
    pub session_settings: Vec<String>,
    /// The oldest server major version the statement runs on (0: any).
    pub min_version: u32,
}

/// The two sets of cases, by name: the published ground truth and locklint's own additions.
pub fn all_sets() -> [(&'static str, Vec<Case>); 2] {
    [
        ("published", cases(STATEMENTS)),
        ("extra", cases(EXTRA_STATEMENTS)),
    ]
}

/// A minimal RFC 4180 reader: quoted fields may hold commas, quotes (`""`) and newlines.
pub fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut field)),
            (false, '\n') => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (false, '\r') => {}
            (false, c) => field.push(c),
        }
    }
    if !field.is_empty() || !row.is_empty() {
        row.push(field);
        rows.push(row);
    }
    rows
}

/// One CSV field, quoted when it must be.
fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// ` ; `-separated statement lists as the CSV stores them.
fn split_list(s: &str) -> Vec<String> {
    s.split(" ; ")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_string)
        .collect()
}

pub fn cases(csv: &str) -> Vec<Case> {
    let rows = parse_csv(csv);
    let header = &rows[0];
    let col = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("statements.csv has no column {name}"))
    };
    let (id, stmt, setup, sess) = (
        col("id"),
        col("statement"),
        col("setup"),
        col("session_settings"),
    );
    let min = header.iter().position(|h| h == "min_version");
    rows[1..]
        .iter()
        .filter(|r| r.len() == header.len())
        .map(|r| Case {
            min_version: min.and_then(|i| r[i].parse().ok()).unwrap_or(0),
            id: r[id].clone(),
            statement: r[stmt].clone(),
            setup: split_list(&r[setup]),
            session_settings: split_list(&r[sess]),
        })
        .collect()
}

/// What PostgreSQL did, as the live test observes it and [`EXPECTED_PATH`] stores it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Observed {
    /// Relation (`schema.name`) → strongest relation lock taken (`pg_locks` name, e.g.
    /// `AccessExclusiveLock`), over tables, partitioned tables, views, materialized views and
    /// sequences that existed before the statement.
    pub locks: BTreeMap<String, String>,
    /// Tables and materialized views whose filenode changed (and that still exist).
    pub rewritten: BTreeSet<String>,
    /// Partitioned tables (relkind p) of the fixture: no storage of their own.
    pub partitioned: BTreeSet<String>,
}

/// What locklint predicts for a case's statement.
pub struct Predicted {
    pub locks: BTreeMap<String, String>,
    pub rewritten: BTreeSet<String>,
    pub truncate: bool,
    pub note: Option<String>,
    /// The model says the version does not know the statement: the first version that does.
    pub needs_version: Option<u32>,
}

/// Lint `fixture.sql + setup` (replayed as an earlier migration) and `session settings +
/// statement`, and read the last statement's effects.
pub fn predict(case: &Case, version: u32) -> Predicted {
    let mut earlier = FIXTURE.to_string();
    for s in &case.setup {
        earlier.push_str(s);
        earlier.push_str(";\n");
    }
    let mut migration = String::new();
    for s in &case.session_settings {
        migration.push_str(s);
        migration.push_str(";\n");
    }
    migration.push_str(&case.statement);
    migration.push_str(";\n");
    let settings = Settings {
        postgres_version: version,
        ..Settings::default()
    };
    let results = lint_sources(
        vec![
            (SourceFile::new("fixture.sql", earlier), Vec::new()),
            (SourceFile::new("statement.sql", migration), Vec::new()),
        ],
        &settings,
    );
    let last = results
        .get(1)
        .and_then(|f| f.stmts.last())
        .expect("the statement is linted");
    let note = match &last.stmt.parsed {
        Parsed::Unparsed { message, .. } => Some(format!("not parsed: {message}")),
        Parsed::Partial(parts) => Some(format!("partly parsed: {parts:?}")),
        _ => None,
    };
    Predicted {
        locks: last
            .effects
            .locks
            .iter()
            .map(|l| (l.rel.key(), l.mode.pg_name().to_string()))
            .collect(),
        rewritten: last.effects.rewritten().iter().map(|r| r.key()).collect(),
        truncate: matches!(last.stmt.kind, StmtKind::Truncate { .. }),
        note,
        needs_version: last.effects.needs_version,
    }
}

/// The difference between locklint and the server on one case, as report lines; `None` when
/// they agree.
///
/// Two exceptions to a plain comparison of rewrites: TRUNCATE swaps in a new, empty file without
/// copying any data, so locklint does not call it a rewrite (the server's set is dropped); and
/// locklint reports a rewrite of a partitioned table on the table itself (where size hints
/// usually are) as well as on each partition, while only the partitions have files.
pub fn compare(case: &Case, predicted: &Predicted, observed: &Observed) -> Option<String> {
    let observed_rewrites = if predicted.truncate {
        BTreeSet::new()
    } else {
        observed.rewritten.clone()
    };
    let predicted_rewrites: BTreeSet<String> = predicted
        .rewritten
        .iter()
        .filter(|r| !observed.partitioned.contains(*r))
        .cloned()
        .collect();
    let locks_ok = observed.locks == predicted.locks;
    let rewrites_ok = observed_rewrites == predicted_rewrites;
    if locks_ok && rewrites_ok {
        return None;
    }
    let mut report = String::new();
    let _ = writeln!(report, "\n{} `{}`", case.id, case.statement);
    if !case.setup.is_empty() {
        let _ = writeln!(report, "  setup:     {}", case.setup.join(" ; "));
    }
    if let Some(n) = &predicted.note {
        let _ = writeln!(report, "  locklint:  {n}");
    }
    if !locks_ok {
        let _ = writeln!(report, "  pg_locks:  {}", show_locks(&observed.locks));
        let _ = writeln!(report, "  locklint:  {}", show_locks(&predicted.locks));
    }
    if !rewrites_ok {
        let _ = writeln!(
            report,
            "  rewritten: {} (filenode changed) vs {} (locklint)",
            show_set(&observed_rewrites),
            show_set(&predicted_rewrites)
        );
    }
    Some(report)
}

pub fn show_locks(l: &BTreeMap<String, String>) -> String {
    if l.is_empty() {
        return "none".into();
    }
    l.iter()
        .map(|(t, m)| format!("{t}:{m}"))
        .collect::<Vec<_>>()
        .join(", ")
}

pub fn show_set(s: &BTreeSet<String>) -> String {
    if s.is_empty() {
        return "none".into();
    }
    s.iter().cloned().collect::<Vec<_>>().join(", ")
}

/// `(set, id)` → what the server showed.
pub type Expected = BTreeMap<(String, String), Observed>;

/// Read the stored expectations (`set,id,locks,rewritten,partitioned`; locks as
/// `rel:Mode;rel:Mode`, the sets as `rel;rel`, all sorted).
pub fn parse_expected(text: &str) -> Result<Expected, String> {
    let rows = parse_csv(text);
    let Some((header, rows)) = rows.split_first() else {
        return Err("empty file".into());
    };
    if header.iter().map(String::as_str).ne(EXPECTED_HEADER) {
        return Err(format!("header {header:?}, expected {EXPECTED_HEADER:?}"));
    }
    let set = |s: &str| -> BTreeSet<String> {
        s.split(';')
            .filter(|p| !p.is_empty())
            .map(str::to_string)
            .collect()
    };
    let mut out = Expected::new();
    for (n, row) in rows.iter().enumerate() {
        let [set_name, id, locks, rewritten, partitioned] = row.as_slice() else {
            return Err(format!("row {}: {} fields, expected 5", n + 2, row.len()));
        };
        let mut lock_map = BTreeMap::new();
        for part in locks.split(';').filter(|p| !p.is_empty()) {
            let Some((rel, mode)) = part.rsplit_once(':') else {
                return Err(format!("row {}: lock `{part}` is not rel:Mode", n + 2));
            };
            lock_map.insert(rel.to_string(), mode.to_string());
        }
        let observed = Observed {
            locks: lock_map,
            rewritten: set(rewritten),
            partitioned: set(partitioned),
        };
        if out
            .insert((set_name.clone(), id.clone()), observed)
            .is_some()
        {
            return Err(format!("row {}: {set_name} {id} appears twice", n + 2));
        }
    }
    Ok(out)
}

/// The stored form of `expected`, rows in the order given.
pub fn format_expected(rows: &[(&str, &str, &Observed)]) -> String {
    let mut out = EXPECTED_HEADER.join(",");
    out.push('\n');
    for (set, id, o) in rows {
        let locks: Vec<String> = o.locks.iter().map(|(r, m)| format!("{r}:{m}")).collect();
        let join = |s: &BTreeSet<String>| s.iter().cloned().collect::<Vec<_>>().join(";");
        let fields = [
            set.to_string(),
            id.to_string(),
            locks.join(";"),
            join(&o.rewritten),
            join(&o.partitioned),
        ];
        let fields: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
        out.push_str(&fields.join(","));
        out.push('\n');
    }
    out
}

/// The stored expectations, or why they cannot be read.
pub fn read_expected(version: u32) -> Result<Expected, String> {
    let path = expected_path(version);
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{path}: {e}"))?;
    parse_expected(&text).map_err(|e| format!("{path}: {e}"))
}
