//! alter-column-type-rewrite: ALTER COLUMN ... TYPE that rewrites (or scans) the table under
//! ACCESS EXCLUSIVE, judged against the column's current type from the replayed catalog.

use super::{Context, Hazard, Rule};
use crate::config::Level;
use crate::finding::Finding;
use crate::locks::Action;
use crate::model::{AlterAction, ObjName, SqlType, Stmt, StmtKind};

/// The rule.
pub(crate) const RULE: Rule = Rule {
    code: "LL020",
    name: "alter-column-type-rewrite",
    default_level: Level::Error,
    summary: "ALTER COLUMN ... TYPE that rewrites or scans the table under ACCESS EXCLUSIVE",
    doc: include_str!("../../rules/alter-column-type-rewrite.md"),
    check,
    part_end: None,
};

/// Why the change costs what it costs, as far as locklint can tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verdict {
    /// `USING` with more than a cast to the new type: PostgreSQL rewrites every row.
    Using,
    /// The types are not binary-coercible: rewrite.
    Rewrite,
    /// timestamp ↔ timestamptz with a UTC session: no rewrite, but indexes on the column are rebuilt.
    UtcScan,
    /// The column's current type is not in the catalog.
    Unknown,
}

/// The verdict the lock model reached, by the action it chose.
fn verdict(action: Action) -> Option<Verdict> {
    match action {
        Action::AlterColumnTypeUsing => Some(Verdict::Using),
        Action::AlterColumnTypeRewrite => Some(Verdict::Rewrite),
        Action::AlterColumnTypeScan => Some(Verdict::UtcScan),
        Action::AlterColumnTypeUnknown => Some(Verdict::Unknown),
        _ => None,
    }
}

fn check(stmt: &Stmt, cx: &Context) -> Vec<Finding> {
    let StmtKind::AlterTable { table, actions, .. } = &stmt.kind else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for w in cx.effects.direct_work() {
        let Some(v) = verdict(w.cause.action) else {
            continue;
        };
        let Some(a) = actions.get(usize::from(w.cause.clause)) else {
            continue;
        };
        let AlterAction::AlterColumnType { column, ty, .. } = &a.action else {
            continue;
        };
        let old = cx
            .catalog
            .table(table)
            .and_then(|t| t.column(column))
            .map(|c| &c.ty);
        let h = cx.work_hazard(w);
        let (message, label) = describe(&h, column, ty, old, v);
        let help = help(table, column, ty, old, v, cx.settings.postgres_version);
        out.push(
            Finding::new(&RULE, a.span.clone(), message, help)
                .label(label)
                .hazard(&h),
        );
    }
    out
}

fn describe(
    h: &Hazard,
    column: &str,
    ty: &SqlType,
    old: Option<&SqlType>,
    v: Verdict,
) -> (String, &'static str) {
    let from = old
        .map(|o| format!(" (from {})", o.text))
        .unwrap_or_default();
    let t = &h.described;
    let lock = h.lock_that_blocks();
    let long = &h.for_how_long;
    match v {
        Verdict::Using => (
            format!(
                "ALTER COLUMN `{column}` TYPE {} USING ... rewrites {t} and rebuilds every index under {lock}{long}",
                ty.text,
            ),
            "rewrites the table",
        ),
        Verdict::Rewrite => (
            format!(
                "ALTER COLUMN `{column}` TYPE {}{from} is not a binary-compatible change: it rewrites {t} and rebuilds every index under {lock}{long}",
                ty.text,
            ),
            "rewrites the table",
        ),
        Verdict::UtcScan => (
            format!(
                "ALTER COLUMN `{column}` TYPE {}{from} does not rewrite {t} because the session TimeZone is UTC, but it rebuilds the column's indexes, reading every row under {lock}{long}",
                ty.text,
            ),
            "rebuilds the column's indexes",
        ),
        Verdict::Unknown => (
            format!(
                "ALTER COLUMN `{column}` TYPE {} may rewrite {t} and every index under {lock}{long}: the current type of `{column}` is unknown (no earlier migration that creates it was replayed), so locklint cannot tell whether the change is binary-compatible",
                ty.text,
            ),
            "may rewrite the table",
        ),
    }
}

/// A varchar/char length limit, when the target type is one.
fn length_limit(ty: &SqlType) -> Option<u32> {
    matches!(ty.name.as_str(), "varchar" | "bpchar")
        .then(|| ty.mods.first().copied())
        .flatten()
}

fn help(
    table: &ObjName,
    column: &str,
    ty: &SqlType,
    old: Option<&SqlType>,
    v: Verdict,
    postgres_version: u32,
) -> String {
    let q = |s: &str| crate::model::sql::quote_ident(s).into_owned();
    let (c, c_new, c_old) = (
        q(column),
        q(&format!("{column}_new")),
        q(&format!("{column}_old")),
    );
    let length_check = q(&crate::model::sql::object_name(
        &table.name,
        Some(column),
        "length",
    ));
    let table = &table.sql();
    let old_name = old.map(|o| o.name.as_str()).unwrap_or("");
    let tz = matches!(
        (old_name, ty.name.as_str()),
        ("timestamp", "timestamptz") | ("timestamptz", "timestamp")
    );
    let textual = matches!(old_name, "text" | "varchar" | "bpchar" | "citext");
    if v == Verdict::UtcScan {
        return format!(
            "Drop the indexes on `{column}` first (DROP INDEX CONCURRENTLY), change the type with the session TimeZone set to UTC, then rebuild them with CREATE INDEX CONCURRENTLY:\n  SET TimeZone = 'UTC';\n  ALTER TABLE {table} ALTER COLUMN {c} TYPE {};",
            ty.text
        );
    }
    if v == Verdict::Rewrite && tz && postgres_version >= 12 {
        return format!(
            "With the session TimeZone set to UTC, PostgreSQL 12+ changes timestamp to timestamptz without a rewrite (only indexes on the column are rebuilt):\n  SET TimeZone = 'UTC';\n  ALTER TABLE {table} ALTER COLUMN {c} TYPE {};",
            ty.text
        );
    }
    if v == Verdict::Rewrite
        && textual
        && let Some(n) = length_limit(ty)
    {
        return format!(
            "Keep the column's type and enforce the limit with a constraint, validated without blocking reads or writes:\n  ALTER TABLE {table} ADD CONSTRAINT {length_check} CHECK (char_length({c}) <= {n}) NOT VALID;\nIn the next migration:\n  ALTER TABLE {table} VALIDATE CONSTRAINT {length_check};"
        );
    }
    let mut s = String::new();
    if v == Verdict::Unknown {
        s.push_str("If the change is binary-compatible (varchar(n) to varchar(m >= n) or text, numeric(p,s) to numeric(q >= p,s)) there is no rewrite; lint the migrations that create the table together with this one so locklint knows the current type. Otherwise:\n");
    }
    s.push_str(&format!(
        "Add a new column, fill it in batches, and swap the columns in a short transaction:\n  ALTER TABLE {table} ADD COLUMN {c_new} {};\nKeep {c_new} in sync with a trigger, and backfill existing rows in batches outside this transaction:\n  UPDATE {table} SET {c_new} = {c} WHERE id >= 1 AND id < 10001;  -- batches by key (here `id`), COMMIT between them\nThen, with lock_timeout set:\n  ALTER TABLE {table} RENAME COLUMN {c} TO {c_old};\n  ALTER TABLE {table} RENAME COLUMN {c_new} TO {c};",
        ty.text
    ));
    s
}

#[cfg(test)]
mod tests {
    use crate::config::Settings;

    fn fired(sql: &str) -> Vec<String> {
        let res = crate::pipeline::lint_text("t.sql", sql, &Settings::default());
        res.findings()
            .filter(|f| f.rule == "alter-column-type-rewrite")
            .map(|f| f.message.clone())
            .collect()
    }

    /// A table from an earlier migration (replayed, so not new), then the change under test.
    fn on_existing(change: &str) -> Vec<String> {
        on_existing_with(change, Settings::default())
    }

    fn on_existing_with(change: &str, settings: Settings) -> Vec<String> {
        let earlier = crate::source::SourceFile::new(
            "0001.sql",
            "CREATE TABLE t (n int, v10 varchar(10), v20 varchar(20), t text, ts timestamp, num numeric(10,2));".into(),
        );
        let now = crate::source::SourceFile::new("0002.sql", change.to_string());
        let mut v = crate::pipeline::lint_sources(
            vec![(earlier, Vec::new()), (now, Vec::new())],
            &settings,
        );
        v.remove(1)
            .findings()
            .filter(|f| f.rule == "alter-column-type-rewrite")
            .map(|f| f.message.clone())
            .collect()
    }

    #[test]
    fn rewrites_follow_the_observed_table() {
        for (sql, fires) in [
            ("ALTER TABLE t ALTER COLUMN n TYPE bigint;", true),
            ("ALTER TABLE t ALTER COLUMN v20 TYPE varchar(10);", true),
            ("ALTER TABLE t ALTER COLUMN t TYPE varchar(50);", true),
            ("ALTER TABLE t ALTER COLUMN num TYPE numeric(12,4);", true),
            ("ALTER TABLE t ALTER COLUMN ts TYPE timestamptz;", true),
            ("ALTER TABLE t ALTER COLUMN v10 TYPE varchar(20);", false),
            ("ALTER TABLE t ALTER COLUMN v10 TYPE text;", false),
            ("ALTER TABLE t ALTER COLUMN num TYPE numeric(12,2);", false),
            // A USING that only casts the column to the new type decides like no USING
            // (observed on PostgreSQL 15: tests/oracle.rs, alter_type_using_plain_cast).
            (
                "ALTER TABLE t ALTER COLUMN v10 TYPE text USING v10::text;",
                false,
            ),
            (
                "ALTER TABLE t ALTER COLUMN v10 TYPE text USING lower(v10);",
                true,
            ),
        ] {
            assert_eq!(!on_existing(sql).is_empty(), fires, "{sql}");
        }
    }

    #[test]
    fn utc_session_is_a_scan_not_a_rewrite() {
        let m =
            on_existing("SET TimeZone = 'UTC';\nALTER TABLE t ALTER COLUMN ts TYPE timestamptz;");
        assert_eq!(m.len(), 1);
        assert!(m[0].contains("does not rewrite"), "{}", m[0]);
        let m = on_existing("ALTER TABLE t ALTER COLUMN ts TYPE timestamptz;");
        assert!(m[0].contains("rewrites"), "{}", m[0]);
    }

    #[test]
    fn the_utc_special_case_needs_postgres_12() {
        let settings = Settings {
            postgres_version: 11,
            ..Settings::default()
        };
        let m = on_existing_with(
            "SET TimeZone = 'UTC';\nALTER TABLE t ALTER COLUMN ts TYPE timestamptz;",
            settings,
        );
        assert!(m[0].contains("rewrites"), "{}", m[0]);
    }

    #[test]
    fn unknown_current_type_says_so() {
        let m = fired("ALTER TABLE elsewhere ALTER COLUMN c TYPE text;");
        assert_eq!(m.len(), 1);
        assert!(m[0].contains("current type of `c` is unknown"), "{}", m[0]);
    }

    #[test]
    fn one_finding_per_rewriting_clause() {
        let m = on_existing(
            "ALTER TABLE t ALTER COLUMN n TYPE bigint, ALTER COLUMN v10 TYPE text, ALTER COLUMN t TYPE varchar(5);",
        );
        assert_eq!(m.len(), 2, "{m:?}");
    }
}
