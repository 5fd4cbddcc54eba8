//! `hints --from FILE`: the catalog query's output as the DBA saved it — CSV with a header
//! (`psql … COPY (…) TO STDOUT WITH CSV HEADER`), tab-separated with a header (`mysql -B -e`),
//! or JSON (an array of objects, or one object per line).

use super::{HintsError, TableSize};

/// Parse a saved query output.
pub(crate) fn parse(text: &str, name: &str) -> Result<Vec<TableSize>, HintsError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let trimmed = text.trim_start();
    if trimmed.starts_with('[') || trimmed.starts_with('{') {
        parse_json(trimmed, name)
    } else {
        parse_delimited(text, name)
    }
}

fn err(name: &str, line: usize, msg: impl std::fmt::Display) -> HintsError {
    HintsError::Input(format!("{name}:{line}: {msg}"))
}

fn parse_json(text: &str, name: &str) -> Result<Vec<TableSize>, HintsError> {
    let values: Vec<(usize, serde_json::Value)> = if text.starts_with('[') {
        match serde_json::from_str::<serde_json::Value>(text) {
            Ok(serde_json::Value::Array(a)) => a.into_iter().map(|v| (1, v)).collect(),
            Ok(_) => return Err(err(name, 1, "expected a JSON array of objects")),
            Err(e) => return Err(err(name, e.line(), format!("invalid JSON: {e}"))),
        }
    } else {
        let mut v = Vec::new();
        for (i, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let value = serde_json::from_str(line)
                .map_err(|e| err(name, i + 1, format!("invalid JSON: {e}")))?;
            v.push((i + 1, value));
        }
        v
    };
    let mut out = Vec::with_capacity(values.len());
    for (line, v) in values {
        let serde_json::Value::Object(o) = v else {
            return Err(err(name, line, "expected an object per table"));
        };
        let field = |k: &str| -> Option<String> {
            o.get(k).and_then(|v| match v {
                serde_json::Value::String(s) => Some(s.clone()),
                serde_json::Value::Number(n) => Some(n.to_string()),
                serde_json::Value::Bool(b) => Some(b.to_string()),
                _ => None,
            })
        };
        out.push(row(name, line, &field)?);
    }
    Ok(out)
}

fn row(
    name: &str,
    line: usize,
    field: &dyn Fn(&str) -> Option<String>,
) -> Result<TableSize, HintsError> {
    let required = |k: &str| {
        field(k)
            .filter(|v| !v.is_empty())
            .ok_or_else(|| err(name, line, format!("missing `{k}`")))
    };
    let number = |k: &str| -> Result<u64, HintsError> {
        match field(k) {
            None => Ok(0),
            Some(v) if v.is_empty() || v.eq_ignore_ascii_case("null") => Ok(0),
            Some(v) => {
                // Some clients print large numbers as floats ("1.2e+06").
                v.parse::<u64>()
                    .ok()
                    .or_else(|| {
                        v.parse::<f64>()
                            .ok()
                            .filter(|f| f.is_finite() && *f >= 0.0)
                            .map(|f| f.round() as u64)
                    })
                    .ok_or_else(|| err(name, line, format!("`{k}` is not a count: `{v}`")))
            }
        }
    };
    let analyzed = match field("analyzed").as_deref().map(str::to_ascii_lowercase) {
        Some(v) => !matches!(v.as_str(), "f" | "false" | "0" | "no"),
        None => true,
    };
    Ok(TableSize {
        schema: required("schema")?,
        name: required("table")?,
        kind: field("kind")
            .filter(|k| !k.is_empty())
            .unwrap_or_else(|| "table".into()),
        rows: number("rows")?,
        bytes: number("bytes")?,
        analyzed,
    })
}

fn parse_delimited(text: &str, name: &str) -> Result<Vec<TableSize>, HintsError> {
    let mut lines = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty());
    let Some((_, header)) = lines.next() else {
        return Err(err(name, 1, "empty file: expected the query's header line"));
    };
    let tab = header.contains('\t');
    let split = |line: &str| -> Result<Vec<String>, &'static str> {
        if tab {
            Ok(line.split('\t').map(unescape_mysql).collect())
        } else {
            split_csv(line)
        }
    };
    let columns: Vec<String> = split(header)
        .map_err(|e| err(name, 1, e))?
        .into_iter()
        .map(|c| c.trim().to_ascii_lowercase())
        .collect();
    for required in ["schema", "table", "rows", "bytes"] {
        if !columns.iter().any(|c| c == required) {
            return Err(err(
                name,
                1,
                format!(
                    "the header has no `{required}` column (expected the columns of \
                     `locklint hints --print-query`: schema, table, kind, rows, bytes, analyzed)"
                ),
            ));
        }
    }
    let mut out = Vec::new();
    for (i, line) in lines {
        let values = split(line).map_err(|e| err(name, i + 1, e))?;
        if values.len() != columns.len() {
            return Err(err(
                name,
                i + 1,
                format!("{} fields, the header has {}", values.len(), columns.len()),
            ));
        }
        let field = |k: &str| {
            columns
                .iter()
                .position(|c| c == k)
                .and_then(|p| values.get(p).cloned())
        };
        out.push(row(name, i + 1, &field)?);
    }
    Ok(out)
}

/// One CSV record on one line (RFC 4180 quoting; the query's values hold no newlines).
fn split_csv(line: &str) -> Result<Vec<String>, &'static str> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut chars = line.chars().peekable();
    let mut quoted = false;
    let mut was_quoted = false;
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            (true, '"') => quoted = false,
            (true, c) => cur.push(c),
            (false, '"') if cur.is_empty() && !was_quoted => {
                quoted = true;
                was_quoted = true;
            }
            (false, ',') => {
                out.push(std::mem::take(&mut cur));
                was_quoted = false;
            }
            (false, c) => cur.push(c),
        }
    }
    if quoted {
        return Err("unterminated quoted field");
    }
    out.push(cur);
    Ok(out)
}

/// `mysql -B` escapes tab, newline and backslash in values.
fn unescape_mysql(v: &str) -> String {
    let mut out = String::with_capacity(v.len());
    let mut chars = v.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('t') => out.push('\t'),
                Some('n') => out.push('\n'),
                Some('0') => out.push('\0'),
                Some(other) => out.push(other),
                None => out.push('\\'),
            }
        } else {
            out.push(c);
        }
    }
    out.trim_end_matches('\r').to_string()
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn csv_tsv_and_json_give_the_same_sizes() {
        let csv = "schema,table,kind,rows,bytes,analyzed\r\npublic,\"we,ird\"\"name\",table,1200,8192,t\r\napp,users,partitioned table,5,0,f\r\n";
        let tsv = "schema\ttable\tkind\trows\tbytes\tanalyzed\npublic\twe,ird\"name\ttable\t1200\t8192\ttrue\napp\tusers\tpartitioned table\t5\t0\tfalse\n";
        let json = r#"[{"schema":"public","table":"we,ird\"name","kind":"table","rows":1200,"bytes":"8192","analyzed":true},
                      {"schema":"app","table":"users","kind":"partitioned table","rows":5,"bytes":0,"analyzed":false}]"#;
        let ndjson = "{\"schema\":\"public\",\"table\":\"we,ird\\\"name\",\"rows\":1.2e3,\"bytes\":8192}\n{\"schema\":\"app\",\"table\":\"users\",\"kind\":\"partitioned table\",\"rows\":5,\"bytes\":0,\"analyzed\":\"f\"}\n";
        let a = parse(csv, "a.csv").expect("csv");
        assert_eq!(a.len(), 2);
        assert_eq!(a[0].name, "we,ird\"name");
        assert_eq!((a[0].rows, a[0].bytes, a[0].analyzed), (1200, 8192, true));
        assert!(!a[1].analyzed);
        assert_eq!(parse(tsv, "a.tsv").expect("tsv"), a);
        assert_eq!(parse(json, "a.json").expect("json"), a);
        assert_eq!(parse(ndjson, "a.ndjson").expect("ndjson"), a);
    }

    #[test]
    fn bad_input_is_a_located_error() {
        let e = parse("schema,table,rows\npublic,t,1\n", "x.csv").expect_err("no bytes");
        assert!(e.to_string().starts_with("x.csv:1: "), "{e}");
        let e = parse("schema,table,rows,bytes\npublic,t,many,1\n", "x.csv").expect_err("nan");
        assert!(
            e.to_string().contains("x.csv:2: `rows` is not a count"),
            "{e}"
        );
        let e = parse("schema,table,rows,bytes\npublic,t,1\n", "x.csv").expect_err("short");
        assert!(e.to_string().contains("x.csv:2:"), "{e}");
        assert!(parse("", "x.csv").is_err());
        assert!(parse("[1,2]", "x.json").is_err());
    }
}
