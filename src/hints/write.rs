//! Writing sizes into a config's `[tables]` with `toml_edit`: comments, key order and every
//! other section stay as they are; existing hints are updated in place (their key, whether
//! schema-qualified or not, is kept); new ones are added at the end of the section; glob keys
//! are never touched.

use super::{HintsError, TableSize};
use crate::analyze::size::format_bytes;
use crate::config::split_table_key;
use std::collections::HashMap;
use toml_edit::{DocumentMut, InlineTable, Item, Table, Value};

/// What to write.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// New hints only for tables with at least this many rows (existing ones are always kept
    /// current).
    pub min_rows: u64,
    /// Remove exact hints for tables the database no longer has.
    pub prune: bool,
    /// The schemas read (empty: all); pruning never touches hints for other schemas.
    pub schemas: Vec<String>,
}

/// The new config text and what changed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Outcome {
    /// The whole file, rewritten.
    pub text: String,
    /// Hints added.
    pub added: Vec<String>,
    /// Hints whose rows or bytes changed.
    pub updated: Vec<String>,
    /// Hints already current.
    pub unchanged: usize,
    /// Hints removed (`--prune`).
    pub removed: Vec<String>,
    /// Hints for tables no longer in the database, kept (no `--prune`).
    pub stale: Vec<String>,
}

/// A name part as a `[tables]` key part: bare when it folds to itself, double-quoted
/// otherwise (upper case, dots, quotes, glob characters).
fn key_part(part: &str) -> String {
    let plain = !part.is_empty()
        && part
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '$');
    if plain {
        part.to_string()
    } else {
        format!("\"{}\"", part.replace('"', "\"\""))
    }
}

/// Apply `sizes` to the config text `old`.
pub fn apply(old: &str, sizes: &[TableSize], opts: &Options) -> Result<Outcome, HintsError> {
    let mut doc: DocumentMut = old
        .parse()
        .map_err(|e| HintsError::Config(format!("the config is not valid TOML: {e}")))?;
    if !doc.contains_key("tables") {
        doc.insert("tables", Item::Table(Table::new()));
    }
    let tables = doc["tables"]
        .as_table_like_mut()
        .ok_or_else(|| HintsError::Config("`tables` in the config is not a table".to_string()))?;

    // Existing exact keys by normalized name ("schema.table" or "table").
    let mut existing: HashMap<String, String> = HashMap::new();
    for (key, _) in tables.iter() {
        if key.contains(['*', '?', '[']) {
            continue;
        }
        if let Ok(parts) = split_table_key(key) {
            existing.insert(parts.join("."), key.to_string());
        }
    }
    let mut schemas_of: HashMap<&str, usize> = HashMap::new();
    for s in sizes {
        *schemas_of.entry(s.name.as_str()).or_default() += 1;
    }

    let mut out = Outcome::default();
    let mut used: Vec<String> = Vec::new();
    for s in sizes {
        let qualified = format!("{}.{}", s.schema, s.name);
        let unique = schemas_of.get(s.name.as_str()).copied().unwrap_or(0) == 1;
        let key = match (existing.get(&qualified), existing.get(&s.name)) {
            (Some(k), _) => Some(k.clone()),
            (None, Some(k)) if unique => Some(k.clone()),
            _ => None,
        };
        match key {
            Some(key) => {
                used.push(key.clone());
                let Some(item) = tables.get_mut(&key) else {
                    continue;
                };
                if set_size(item, s) {
                    out.updated.push(key);
                } else {
                    out.unchanged += 1;
                }
            }
            None if s.rows < opts.min_rows => {}
            None => {
                let key = if unique {
                    key_part(&s.name)
                } else {
                    format!("{}.{}", key_part(&s.schema), key_part(&s.name))
                };
                let mut hint = InlineTable::new();
                hint.insert("rows", Value::from(clamp(s.rows)));
                hint.insert("bytes", Value::from(format_bytes(s.bytes)));
                tables.insert(&key, Item::Value(Value::InlineTable(hint)));
                used.push(key.clone());
                out.added.push(key);
            }
        }
    }

    // Exact keys the database did not report.
    let gone: Vec<String> = existing
        .iter()
        .filter(|(_, key)| !used.contains(key))
        .filter(|(normalized, _)| match normalized.split_once('.') {
            Some((schema, _)) => {
                opts.schemas.is_empty() || opts.schemas.iter().any(|s| s == schema)
            }
            None => true,
        })
        .map(|(_, key)| key.clone())
        .collect();
    let mut gone = gone;
    gone.sort();
    for key in gone {
        if opts.prune {
            tables.remove(&key);
            out.removed.push(key);
        } else {
            out.stale.push(key);
        }
    }
    out.text = doc.to_string();
    Ok(out)
}

fn clamp(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// Set `rows` and `bytes` on an existing hint (inline table or `[tables.x]`), keeping its
/// other keys and comments. Returns whether anything changed.
fn set_size(item: &mut Item, s: &TableSize) -> bool {
    let rows = clamp(s.rows);
    let bytes = format_bytes(s.bytes);
    let Some(t) = item.as_table_like() else {
        // Not a table (a config error `check` reports): replace it.
        let mut hint = InlineTable::new();
        hint.insert("rows", Value::from(rows));
        hint.insert("bytes", Value::from(bytes));
        *item = Item::Value(Value::InlineTable(hint));
        return true;
    };
    let same_rows = t.get("rows").and_then(Item::as_integer) == Some(rows);
    let old_bytes = t.get("bytes").and_then(|b| match b.as_value() {
        Some(Value::String(s)) => crate::config::parse_byte_size(s.value()).ok(),
        Some(Value::Integer(i)) => u64::try_from(*i.value()).ok(),
        _ => None,
    });
    let same_bytes = old_bytes.map(format_bytes).as_deref() == Some(bytes.as_str());
    if same_rows && same_bytes {
        return false;
    }
    if let Some(inline) = item.as_inline_table_mut() {
        // An inline table holds no comments: set the values and let it space them.
        if !same_rows {
            inline.insert("rows", Value::from(rows));
        }
        if !same_bytes {
            inline.insert("bytes", Value::from(bytes));
        }
        inline.fmt();
        return true;
    }
    let Some(t) = item.as_table_like_mut() else {
        return true;
    };
    if !same_rows {
        set_keep_decor(t, "rows", Value::from(rows));
    }
    if !same_bytes {
        set_keep_decor(t, "bytes", Value::from(bytes));
    }
    true
}

/// Replace a value, keeping the whitespace and comments around the old one.
fn set_keep_decor(t: &mut dyn toml_edit::TableLike, key: &str, mut value: Value) {
    match t.get_mut(key) {
        Some(Item::Value(old)) => {
            *value.decor_mut() = old.decor().clone();
            *old = value;
        }
        Some(item) => *item = Item::Value(value),
        None => {
            t.insert(key, Item::Value(value));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Options, apply};
    use crate::hints::TableSize;

    fn t(schema: &str, name: &str, rows: u64, bytes: u64) -> TableSize {
        TableSize {
            schema: schema.into(),
            name: name.into(),
            kind: "table".into(),
            rows,
            bytes,
            analyzed: true,
        }
    }

    const CONFIG: &str = r#"# team config
postgres_version = 15

[tables]
# the big one
measurements = { rows = 1, bytes = "1 kB" } # refreshed weekly
"public.patients" = { rows = 2_000_000 }
"audit_*" = { rows = 50_000_000 }
old_table = { rows = 5 }

[rules]
missing-lock-timeout = "warning"
"#;

    #[test]
    fn updates_in_place_adds_at_the_end_and_keeps_everything_else() {
        let sizes = [
            t("public", "measurements", 450_000_000, 120_000_000_000),
            t("public", "patients", 2_000_000, 900_000_000),
            t("public", "devices", 10, 8192),
            t("public", "Events", 7_000_000, 2_000_000_000),
            t("app", "users", 3, 16384),
            t("public", "users", 4, 16384),
        ];
        let o = apply(CONFIG, &sizes, &Options::default()).expect("apply");
        assert_eq!(o.updated, ["measurements", "public.patients"]);
        assert_eq!(
            o.added,
            ["devices", "\"Events\"", "app.users", "public.users"]
        );
        assert_eq!(o.stale, ["old_table"]);
        assert!(o.removed.is_empty());
        let want = r#"# team config
postgres_version = 15

[tables]
# the big one
measurements = { rows = 450000000, bytes = "120 GB" } # refreshed weekly
"public.patients" = { rows = 2_000_000, bytes = "900 MB" }
"audit_*" = { rows = 50_000_000 }
old_table = { rows = 5 }
devices = { rows = 10, bytes = "8.2 kB" }
'"Events"' = { rows = 7000000, bytes = "2 GB" }
"app.users" = { rows = 3, bytes = "16 kB" }
"public.users" = { rows = 4, bytes = "16 kB" }

[rules]
missing-lock-timeout = "warning"
"#;
        assert_eq!(o.text, want);
        // The result is a config locklint reads, with the same sizes.
        let s = crate::rules::testing::settings(&o.text);
        let h = s.tables.lookup(None, "Events").expect("Events");
        assert_eq!(h.rows, Some(7_000_000));
        assert_eq!(
            s.tables.lookup(Some("app"), "users").and_then(|h| h.rows),
            Some(3)
        );
        // Applying the same sizes again changes nothing.
        let again = apply(&o.text, &sizes, &Options::default()).expect("again");
        assert_eq!(again.text, o.text);
        assert!(again.added.is_empty() && again.updated.is_empty());
    }

    #[test]
    fn prune_removes_only_exact_hints_in_the_schemas_read_and_min_rows_skips_new_ones() {
        let sizes = [t("public", "measurements", 450, 1000)];
        let opts = Options {
            prune: true,
            min_rows: 1_000,
            schemas: vec!["public".into()],
        };
        let o = apply(CONFIG, &sizes, &opts).expect("apply");
        assert_eq!(o.removed, ["old_table", "public.patients"]);
        assert!(o.text.contains("\"audit_*\""), "{}", o.text);
        assert!(o.text.contains("# the big one\nmeasurements"), "{}", o.text);
        // Below --min-rows: an existing hint is still kept current, a new one not added.
        assert_eq!(o.updated, ["measurements"]);
        let o = apply("", &[t("public", "tiny", 5, 10)], &opts).expect("apply");
        assert!(o.added.is_empty());
        // Another schema's qualified hint survives a prune limited to `public`.
        let o = apply(
            "[tables]\n\"app.x\" = { rows = 1 }\n",
            &[],
            &Options {
                prune: true,
                schemas: vec!["public".into()],
                ..Options::default()
            },
        )
        .expect("apply");
        assert!(o.removed.is_empty(), "{o:?}");
    }

    #[test]
    fn an_empty_or_missing_config_gets_a_tables_section() {
        let o = apply("", &[t("public", "a", 1, 2)], &Options::default()).expect("apply");
        assert_eq!(o.text, "[tables]\na = { rows = 1, bytes = \"2 B\" }\n");
        assert!(apply("tables = 3\n", &[], &Options::default()).is_err());
    }
}
