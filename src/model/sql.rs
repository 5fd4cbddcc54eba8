//! Names as PostgreSQL spells them: identifier quoting (`quote_ident`) and the names it
//! generates for unnamed indexes and constraints (`makeObjectName`, `ChooseIndexName`).

use super::ObjName;
use std::borrow::Cow;

/// The longest identifier PostgreSQL keeps, in bytes (`NAMEDATALEN - 1`).
const MAX_IDENT: usize = 63;

/// Keywords PostgreSQL's `quote_ident` quotes: every keyword that is not unreserved (reserved,
/// type/function-name and column-name keywords of `kwlist.h`), sorted.
const QUOTED_KEYWORDS: &[&str] = &[
    "all",
    "analyse",
    "analyze",
    "and",
    "any",
    "array",
    "as",
    "asc",
    "asymmetric",
    "authorization",
    "between",
    "bigint",
    "binary",
    "bit",
    "boolean",
    "both",
    "case",
    "cast",
    "char",
    "character",
    "check",
    "coalesce",
    "collate",
    "collation",
    "column",
    "concurrently",
    "constraint",
    "create",
    "cross",
    "current_catalog",
    "current_date",
    "current_role",
    "current_schema",
    "current_time",
    "current_timestamp",
    "current_user",
    "dec",
    "decimal",
    "default",
    "deferrable",
    "desc",
    "distinct",
    "do",
    "else",
    "end",
    "except",
    "exists",
    "extract",
    "false",
    "fetch",
    "float",
    "for",
    "foreign",
    "freeze",
    "from",
    "full",
    "grant",
    "greatest",
    "group",
    "grouping",
    "having",
    "ilike",
    "in",
    "initially",
    "inner",
    "inout",
    "int",
    "integer",
    "intersect",
    "interval",
    "into",
    "is",
    "isnull",
    "join",
    "json",
    "json_array",
    "json_arrayagg",
    "json_exists",
    "json_object",
    "json_objectagg",
    "json_query",
    "json_scalar",
    "json_serialize",
    "json_table",
    "json_value",
    "lateral",
    "leading",
    "least",
    "left",
    "like",
    "limit",
    "localtime",
    "localtimestamp",
    "merge_action",
    "national",
    "natural",
    "nchar",
    "none",
    "normalize",
    "not",
    "notnull",
    "null",
    "nullif",
    "numeric",
    "offset",
    "on",
    "only",
    "or",
    "order",
    "out",
    "outer",
    "overlaps",
    "overlay",
    "placing",
    "position",
    "precision",
    "primary",
    "real",
    "references",
    "returning",
    "right",
    "row",
    "select",
    "session_user",
    "setof",
    "similar",
    "smallint",
    "some",
    "substring",
    "symmetric",
    "system_user",
    "table",
    "tablesample",
    "then",
    "time",
    "timestamp",
    "to",
    "trailing",
    "treat",
    "trim",
    "true",
    "union",
    "unique",
    "user",
    "using",
    "values",
    "varchar",
    "variadic",
    "verbose",
    "when",
    "where",
    "window",
    "with",
    "xmlattributes",
    "xmlconcat",
    "xmlelement",
    "xmlexists",
    "xmlforest",
    "xmlnamespaces",
    "xmlparse",
    "xmlpi",
    "xmlroot",
    "xmlserialize",
    "xmltable",
];

/// An identifier as SQL must spell it (PostgreSQL's `quote_ident`): bare when it is lower case
/// letters, digits, `_` and `$` (not leading) and not a keyword that needs quoting; otherwise
/// in double quotes, with `"` doubled.
pub fn quote_ident(name: &str) -> Cow<'_, str> {
    let mut chars = name.chars();
    let bare = chars
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '$')
        && QUOTED_KEYWORDS.binary_search(&name).is_err();
    if bare {
        Cow::Borrowed(name)
    } else {
        Cow::Owned(format!("\"{}\"", name.replace('"', "\"\"")))
    }
}

impl ObjName {
    /// The name as SQL must spell it: each part quoted where needed (`public."User"`).
    pub(crate) fn sql(&self) -> String {
        match &self.schema {
            Some(s) => format!("{}.{}", quote_ident(s), quote_ident(&self.name)),
            None => quote_ident(&self.name).into_owned(),
        }
    }
}

/// A comma-separated list of quoted identifiers: `"userId", email`.
pub fn ident_list(names: &[impl AsRef<str>]) -> String {
    names
        .iter()
        .map(|n| quote_ident(n.as_ref()).into_owned())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The longest prefix of `s` of at most `max` bytes that ends on a character boundary
/// (PostgreSQL's `pg_mbcliplen`).
fn clip(s: &str, max: usize) -> &str {
    let mut end = max.min(s.len());
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// PostgreSQL's `makeObjectName`: `name1_name2_label`, truncating the longer of the two names
/// first so that the whole fits in 63 bytes.
pub fn object_name(name1: &str, name2: Option<&str>, label: &str) -> String {
    let overhead = usize::from(name2.is_some()) + label.len() + 1;
    let avail = MAX_IDENT.saturating_sub(overhead);
    let mut n1 = name1.len();
    let mut n2 = name2.map_or(0, str::len);
    while n1 + n2 > avail {
        if n1 > n2 {
            n1 -= 1;
        } else {
            n2 -= 1;
        }
    }
    let mut out = clip(name1, n1).to_string();
    if let Some(n) = name2 {
        out.push('_');
        out.push_str(clip(n, n2));
    }
    out.push('_');
    out.push_str(label);
    out
}

/// PostgreSQL's `ChooseIndexNameAddition` / `ChooseForeignKeyConstraintNameAddition`: the
/// column names joined with `_`, stopping once 63 bytes are reached.
fn name_addition(columns: &[String]) -> String {
    let mut buf = String::new();
    for c in columns {
        if !buf.is_empty() {
            buf.push('_');
        }
        buf.push_str(clip(c, MAX_IDENT));
        if buf.len() > MAX_IDENT {
            break;
        }
    }
    buf
}

/// The name PostgreSQL gives an index created without one (before it appends a number to avoid
/// a name already taken): `users_email_idx`, `users_lower_idx` for `lower(email)`,
/// `users_email_key` for a UNIQUE constraint's index. `columns` are the index's elements as
/// the model keeps them (a column name, or an expression's text).
pub fn index_name(table: &str, columns: &[String], label: &str) -> String {
    let mut names: Vec<String> = Vec::with_capacity(columns.len());
    for c in columns {
        let orig = index_column_name(c);
        // ChooseIndexColumnNames: a name already used gets 1, 2, ... appended.
        let mut cur = orig.clone();
        let mut i = 1;
        while names.contains(&cur) {
            let n = i.to_string();
            cur = format!("{}{n}", clip(&orig, MAX_IDENT - n.len()));
            i += 1;
        }
        names.push(cur);
    }
    object_name(table, Some(&name_addition(&names)), label)
}

/// The name of a foreign key PostgreSQL chooses: `orders_user_id_fkey`.
pub fn fkey_name(table: &str, columns: &[String]) -> String {
    object_name(table, Some(&name_addition(columns)), "fkey")
}

/// The name PostgreSQL gives an index column (`FigureIndexColname`): the column itself, a
/// function's name, a cast's operand, `case`, or `expr`.
fn index_column_name(element: &str) -> String {
    let e = element.trim();
    if is_plain_column(e) {
        return e.to_string();
    }
    figure_colname(e).unwrap_or_else(|| "expr".to_string())
}

/// A column name as the model keeps it: no punctuation at all.
fn is_plain_column(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '$')
        && !s.starts_with(|c: char| c.is_ascii_digit())
}

/// `FigureColnameInternal` on an expression's text, for the forms that name a column.
fn figure_colname(e: &str) -> Option<String> {
    let e = e.trim();
    if let Some(inner) = e.strip_prefix('(').and_then(|s| s.strip_suffix(')'))
        && balanced(inner)
    {
        return figure_colname(inner);
    }
    let lower = e.to_ascii_lowercase();
    if lower.starts_with("case ") || lower.starts_with("case\n") {
        return Some("case".into());
    }
    // A cast: the operand names it, else the type does.
    if let Some(at) = top_level(e, "::") {
        return figure_colname(&e[..at]).or_else(|| {
            let ty = e[at + 2..].trim();
            let word: String = ty
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            (!word.is_empty()).then(|| word.to_ascii_lowercase())
        });
    }
    // A function call: its (unqualified) name.
    let (head, rest) = leading_name(e)?;
    let rest = rest.trim_start();
    if rest.is_empty() {
        return Some(head);
    }
    if rest.starts_with('(') && rest.ends_with(')') && balanced(&rest[1..rest.len() - 1]) {
        if head == "cast" {
            let inner = &rest[1..rest.len() - 1];
            let at = find_word(inner, "as")?;
            return figure_colname(&inner[..at]);
        }
        return Some(head);
    }
    None
}

/// A leading (possibly qualified, possibly quoted) name, its last part case-folded, and the
/// rest of the text.
fn leading_name(e: &str) -> Option<(String, &str)> {
    let mut rest = e;
    let mut last;
    loop {
        if let Some(q) = rest.strip_prefix('"') {
            let end = q.find('"')?;
            last = q[..end].to_string();
            rest = &q[end + 1..];
        } else {
            let n = rest
                .char_indices()
                .find(|(_, c)| !(c.is_alphanumeric() || *c == '_' || *c == '$'))
                .map_or(rest.len(), |(i, _)| i);
            if n == 0 || rest.starts_with(|c: char| c.is_ascii_digit()) {
                return None;
            }
            last = rest[..n].to_lowercase();
            rest = &rest[n..];
        }
        match rest.strip_prefix('.') {
            Some(r) => rest = r,
            None => return Some((last, rest)),
        }
    }
}

/// Whether parentheses in `s` (outside quotes) balance.
fn balanced(s: &str) -> bool {
    let mut depth = 0i32;
    let mut quote: Option<char> = None;
    for c in s.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (None, '(') => depth += 1,
            (None, ')') => {
                depth -= 1;
                if depth < 0 {
                    return false;
                }
            }
            _ => {}
        }
    }
    depth == 0 && quote.is_none()
}

/// The byte offset of `pat` at parenthesis depth 0, outside quotes.
fn top_level(s: &str, pat: &str) -> Option<usize> {
    let mut depth = 0i32;
    let mut quote: Option<u8> = None;
    let b = s.as_bytes();
    for i in 0..b.len() {
        match (quote, b[i]) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, b'\'' | b'"') => quote = Some(b[i]),
            (None, b'(') => depth += 1,
            (None, b')') => depth -= 1,
            (None, _) if depth == 0 && s[i..].starts_with(pat) => return Some(i),
            _ => {}
        }
    }
    None
}

/// The byte offset of a whole word at depth 0 (case-insensitive).
fn find_word(s: &str, word: &str) -> Option<usize> {
    let lower = s.to_ascii_lowercase();
    let mut from = 0;
    while let Some(i) = lower[from..].find(word) {
        let at = from + i;
        let before = lower[..at].chars().next_back();
        let after = lower[at + word.len()..].chars().next();
        let is_word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
        if !is_word(before) && !is_word(after) && balanced(&s[..at]) {
            return Some(at);
        }
        from = at + word.len();
    }
    None
}

/// The distinct column names an expression refers to, among `columns` (the table's, when
/// known): identifiers not followed by `(` and not after `::`.
pub fn referenced_columns(expr: &str, columns: Option<&[String]>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let b = expr.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c == b'\'' {
            // A string literal.
            i += 1;
            while i < b.len() && b[i] != b'\'' {
                i += 1;
            }
            i += 1;
            continue;
        }
        let start = i;
        let name = if c == b'"' {
            let end = expr[i + 1..].find('"').map_or(b.len(), |e| i + 1 + e);
            i = (end + 1).min(b.len());
            expr.get(start + 1..end).unwrap_or("").to_string()
        } else if c.is_ascii_alphabetic() || c == b'_' || c >= 0x80 {
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_' || b[i] >= 0x80) {
                i += 1;
            }
            expr[start..i].to_lowercase()
        } else if c.is_ascii_digit() {
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'.') {
                i += 1;
            }
            continue;
        } else {
            i += 1;
            continue;
        };
        let after = expr[i..].trim_start();
        let before = expr[..start].trim_end();
        let is_call = after.starts_with('(');
        let is_type = before.ends_with("::");
        let qualified = after.starts_with('.');
        let known = match columns {
            Some(cols) => cols.contains(&name),
            None => {
                c == b'"'
                    || QUOTED_KEYWORDS.binary_search(&name.as_str()).is_err()
                        && !matches!(name.as_str(), "ilike" | "similar" | "escape")
            }
        };
        if !is_call && !is_type && !qualified && known && !out.contains(&name) {
            out.push(name);
        }
    }
    out
}

/// The name PostgreSQL gives a CHECK constraint added without one: `orders_total_check` when
/// the expression refers to exactly one column, else `orders_check`.
pub fn check_name(table: &str, expr: &str, columns: Option<&[String]>) -> String {
    let cols = referenced_columns(expr, columns);
    match cols.as_slice() {
        [one] => object_name(table, Some(one), "check"),
        _ => object_name(table, None, "check"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_exactly_what_postgres_quotes() {
        assert_eq!(quote_ident("users"), "users");
        assert_eq!(quote_ident("User"), "\"User\"");
        assert_eq!(quote_ident("createdAt"), "\"createdAt\"");
        assert_eq!(quote_ident("user"), "\"user\"");
        assert_eq!(quote_ident("order"), "\"order\"");
        assert_eq!(quote_ident("name"), "name");
        assert_eq!(quote_ident("a\"b"), "\"a\"\"b\"");
        assert_eq!(quote_ident("1abc"), "\"1abc\"");
        assert_eq!(quote_ident("my col"), "\"my col\"");
        assert_eq!(quote_ident("a$1"), "a$1");
        let mut sorted = QUOTED_KEYWORDS.to_vec();
        sorted.sort_unstable();
        assert_eq!(sorted, QUOTED_KEYWORDS);
        let n = ObjName {
            schema: Some("App".into()),
            name: "User".into(),
        };
        assert_eq!(n.sql(), "\"App\".\"User\"");
    }

    #[test]
    fn generated_names_follow_postgres() {
        assert_eq!(
            index_name("users", &["email".into()], "idx"),
            "users_email_idx"
        );
        assert_eq!(
            index_name("users", &["a".into(), "a".into()], "idx"),
            "users_a_a1_idx"
        );
        assert_eq!(
            index_name("users", &["lower(email)".into()], "idx"),
            "users_lower_idx"
        );
        assert_eq!(
            index_name("users", &["(a + b)".into()], "idx"),
            "users_expr_idx"
        );
        assert_eq!(
            index_name("users", &["CAST(a AS text)".into()], "idx"),
            "users_a_idx"
        );
        assert_eq!(
            index_name("users", &["a::text".into()], "idx"),
            "users_a_idx"
        );
        assert_eq!(
            fkey_name("orders", &["userId".into()]),
            "orders_userId_fkey"
        );
        // 63 bytes at most, the longer part truncated first.
        let long = "a".repeat(60);
        let n = object_name(&long, Some("col"), "check");
        assert_eq!(n.len(), 63);
        assert!(n.ends_with("_col_check"), "{n}");
        let n = object_name(&long, Some(&"b".repeat(60)), "fkey");
        assert_eq!(n.len(), 63);
        assert_eq!(n, format!("{}_{}_fkey", "a".repeat(29), "b".repeat(28)));
        assert_eq!(check_name("t", "total > 0", None), "t_total_check");
        assert_eq!(check_name("t", "a > b", None), "t_check");
        assert_eq!(
            check_name("t", "lower(\"Email\") <> ''", None),
            "t_Email_check"
        );
        assert_eq!(check_name("t", "x IS NOT NULL", None), "t_x_check");
        assert_eq!(
            check_name("t", "status IN ('a', 'b')", Some(&["status".into()])),
            "t_status_check"
        );
    }
}
