//! Token-level recognizer for statements sqlparser rejects. It identifies the statement kind and
//! the relations it touches from keywords alone; anything it cannot place returns `None`.

use super::lower::leading_words;
use crate::model::{
    AlterAction, ClusterCommand, Constraint, ConstraintKind, DomainChange, ObjName, ReindexTarget,
    StmtKind,
};
use sqlparser::tokenizer::{Token, TokenWithSpan};

/// A significant token and its byte range.
#[derive(Debug, Clone)]
pub(crate) struct Tok {
    /// The token with sqlparser's line/column span, to hand back to the parser.
    pub tws: TokenWithSpan,
    /// Byte range in the file.
    pub span: std::ops::Range<usize>,
}

impl Tok {
    /// The token itself.
    pub(crate) fn token(&self) -> &Token {
        &self.tws.token
    }

    /// The token as an upper-case keyword, when it is an unquoted word.
    pub(crate) fn kw(&self) -> Option<String> {
        match self.token() {
            Token::Word(w) if w.quote_style.is_none() => Some(w.value.to_ascii_uppercase()),
            _ => None,
        }
    }
}

/// A split statement's tokens with their byte ranges, without the whitespace the splitter keeps
/// after `:` and `@`.
pub(crate) fn significant(
    tokens: Vec<TokenWithSpan>,
    ranges: Vec<std::ops::Range<usize>>,
) -> Vec<Tok> {
    tokens
        .into_iter()
        .zip(ranges)
        .filter(|(t, _)| !matches!(t.token, Token::Whitespace(_)))
        .map(|(tws, span)| Tok { tws, span })
        .collect()
}

/// A cursor over significant tokens.
pub(crate) struct Cursor<'a> {
    toks: &'a [Tok],
    pos: usize,
}

impl<'a> Cursor<'a> {
    /// Start at the first token.
    pub(crate) fn new(toks: &'a [Tok]) -> Self {
        Cursor { toks, pos: 0 }
    }

    fn peek_kw(&self) -> Option<String> {
        self.toks.get(self.pos).and_then(Tok::kw)
    }

    /// Consume the keyword if it is next.
    pub(crate) fn eat(&mut self, kw: &str) -> bool {
        if self.peek_kw().as_deref() == Some(kw) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    /// Consume a sequence of keywords if all are next.
    pub(crate) fn eat_all(&mut self, kws: &[&str]) -> bool {
        let save = self.pos;
        for k in kws {
            if !self.eat(k) {
                self.pos = save;
                return false;
            }
        }
        true
    }

    /// Skip a parenthesized group if one is next.
    pub(crate) fn skip_parens(&mut self) -> bool {
        if !matches!(self.toks.get(self.pos).map(Tok::token), Some(Token::LParen)) {
            return false;
        }
        let mut depth = 0usize;
        while let Some(t) = self.toks.get(self.pos) {
            self.pos += 1;
            match t.token() {
                Token::LParen => depth += 1,
                Token::RParen => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        return true;
                    }
                }
                _ => {}
            }
        }
        true
    }

    /// A parenthesized REINDEX option list, if one is next: whether it turns CONCURRENTLY on
    /// (`CONCURRENTLY`, `CONCURRENTLY true`, `CONCURRENTLY on`, `CONCURRENTLY 1`).
    fn reindex_options(&mut self) -> bool {
        let start = self.pos;
        if !self.skip_parens() {
            return false;
        }
        let opts = &self.toks[start..self.pos];
        let mut on = false;
        for (i, t) in opts.iter().enumerate() {
            if t.kw().as_deref() != Some("CONCURRENTLY") {
                continue;
            }
            on = match opts.get(i + 1).map(Tok::token) {
                Some(Token::Word(w)) => {
                    !matches!(w.value.to_ascii_lowercase().as_str(), "false" | "off")
                }
                Some(Token::Number(n, _)) => n.as_str() != "0",
                Some(Token::SingleQuotedString(v)) => {
                    !matches!(v.to_ascii_lowercase().as_str(), "false" | "off" | "0")
                }
                _ => true,
            };
        }
        on
    }

    /// Read a possibly qualified name (`a`, `"A"`, `s.t`).
    pub(crate) fn name(&mut self) -> Option<ObjName> {
        let mut parts = Vec::new();
        while let Some(Token::Word(w)) = self.toks.get(self.pos).map(Tok::token) {
            parts.push(if w.quote_style.is_some() {
                w.value.clone()
            } else {
                w.value.to_ascii_lowercase()
            });
            self.pos += 1;
            if matches!(self.toks.get(self.pos).map(Tok::token), Some(Token::Period)) {
                self.pos += 1;
            } else {
                break;
            }
        }
        match parts.len() {
            0 => None,
            1 => Some(ObjName::bare(parts.remove(0))),
            k => Some(ObjName {
                schema: Some(parts[k - 2].clone()),
                name: parts[k - 1].clone(),
            }),
        }
    }

    /// Comma-separated names.
    pub(crate) fn names(&mut self) -> Vec<ObjName> {
        let mut v = Vec::new();
        while let Some(n) = self.name() {
            v.push(n);
            if !matches!(self.toks.get(self.pos).map(Tok::token), Some(Token::Comma)) {
                break;
            }
            self.pos += 1;
        }
        v
    }

    /// Whether every token has been consumed.
    pub(crate) fn done(&self) -> bool {
        self.pos >= self.toks.len()
    }

    /// Whether a keyword appears anywhere after the cursor.
    pub(crate) fn contains(&self, kw: &str) -> bool {
        self.toks[self.pos.min(self.toks.len())..]
            .iter()
            .any(|t| t.kw().as_deref() == Some(kw))
    }
}

/// Recognize a whole statement from its significant tokens.
pub(crate) fn recognize(toks: &[Tok]) -> Option<StmtKind> {
    let mut c = Cursor::new(toks);
    let first = c.peek_kw()?;
    match first.as_str() {
        "DROP" => {
            c.eat("DROP");
            if c.eat("INDEX") {
                let concurrently = c.eat("CONCURRENTLY");
                let if_exists = c.eat_all(&["IF", "EXISTS"]);
                let names = c.names();
                (!names.is_empty()).then_some(StmtKind::DropIndex {
                    names,
                    concurrently,
                    if_exists,
                })
            } else {
                other_ddl(toks)
            }
        }
        "REINDEX" => {
            c.eat("REINDEX");
            // PostgreSQL 14+: REINDEX (CONCURRENTLY [boolean], VERBOSE, ...) TABLE t.
            let mut concurrently = c.reindex_options();
            let target = if c.eat("INDEX") {
                ReindexTarget::Index
            } else if c.eat("TABLE") {
                ReindexTarget::Table
            } else if c.eat("SCHEMA") {
                ReindexTarget::Schema
            } else if c.eat("DATABASE") {
                ReindexTarget::Database
            } else if c.eat("SYSTEM") {
                ReindexTarget::System
            } else {
                return None;
            };
            concurrently |= c.eat("CONCURRENTLY");
            let name = c.name();
            Some(StmtKind::Reindex {
                target,
                name,
                concurrently,
            })
        }
        "REFRESH" => {
            if !c.eat_all(&["REFRESH", "MATERIALIZED", "VIEW"]) {
                return None;
            }
            let concurrently = c.eat("CONCURRENTLY");
            let name = c.name()?;
            Some(StmtKind::RefreshMatView { name, concurrently })
        }
        "CLUSTER" => {
            c.eat("CLUSTER");
            c.skip_parens();
            c.eat("VERBOSE");
            Some(StmtKind::Cluster { table: c.name() })
        }
        "VACUUM" => {
            c.eat("VACUUM");
            let mut full = false;
            if c.skip_parens() {
                full = toks
                    .iter()
                    .take(c.pos)
                    .any(|t| t.kw().as_deref() == Some("FULL"));
            }
            loop {
                if c.eat("FULL") {
                    full = true;
                } else if !(c.eat("FREEZE")
                    || c.eat("VERBOSE")
                    || c.eat("ANALYZE")
                    || c.eat("ANALYSE"))
                {
                    break;
                }
            }
            let tables = c.names();
            Some(StmtKind::Vacuum { tables, full })
        }
        "ANALYZE" | "ANALYSE" => {
            c.pos += 1;
            c.skip_parens();
            c.eat("VERBOSE");
            Some(StmtKind::Analyze { tables: c.names() })
        }
        "ALTER" => {
            c.eat("ALTER");
            if c.eat("SEQUENCE") {
                c.eat_all(&["IF", "EXISTS"]);
                return Some(StmtKind::AlterSequence { name: c.name()? });
            }
            if c.eat("TABLE") {
                // ALTER TABLE with a single action the parser rejected; the caller splits lists.
                let if_exists = c.eat_all(&["IF", "EXISTS"]);
                let only = c.eat("ONLY");
                let table = c.name()?;
                let start = c.pos;
                let action = recognize_action(&toks[start..])?;
                let span = toks[start].span.start..toks.last().map(|t| t.span.end).unwrap_or(0);
                return Some(StmtKind::AlterTable {
                    table,
                    if_exists,
                    only,
                    actions: vec![crate::model::Action { action, span }],
                });
            }
            if c.eat("MATERIALIZED") && c.eat("VIEW") {
                c.eat_all(&["IF", "EXISTS"]);
                return Some(StmtKind::AlterView {
                    name: c.name()?,
                    materialized: true,
                });
            }
            if c.eat("VIEW") {
                c.eat_all(&["IF", "EXISTS"]);
                return Some(StmtKind::AlterView {
                    name: c.name()?,
                    materialized: false,
                });
            }
            if c.eat("TYPE") {
                let name = c.name()?;
                if c.eat("ADD") && c.eat("VALUE") {
                    return Some(StmtKind::AlterTypeAddValue { name });
                }
                return Some(StmtKind::AlterType { name });
            }
            if c.eat("INDEX") {
                return Some(StmtKind::Other {
                    what: "ALTER INDEX".into(),
                });
            }
            if c.eat("SYSTEM") {
                return Some(StmtKind::ClusterWide(ClusterCommand::AlterSystem));
            }
            if c.eat("DOMAIN") {
                let name = c.name()?;
                let change = if c.eat("ADD") {
                    if c.eat("CONSTRAINT") {
                        c.name();
                    }
                    if c.eat("CHECK") {
                        c.skip_parens();
                        DomainChange::AddCheck {
                            not_valid: c.eat_all(&["NOT", "VALID"]),
                        }
                    } else if c.eat_all(&["NOT", "NULL"]) {
                        DomainChange::SetNotNull
                    } else {
                        DomainChange::Other
                    }
                } else if c.eat_all(&["VALIDATE", "CONSTRAINT"]) {
                    DomainChange::Validate
                } else if c.eat_all(&["SET", "NOT", "NULL"]) {
                    DomainChange::SetNotNull
                } else {
                    DomainChange::Other
                };
                return Some(StmtKind::AlterDomain { name, change });
            }
            other_ddl(toks)
        }
        "CREATE" => {
            c.eat("CREATE");
            c.eat_all(&["OR", "REPLACE"]);
            let temp = c.eat("TEMPORARY") || c.eat("TEMP");
            let _ = temp;
            c.eat("UNLOGGED");
            if c.eat("SEQUENCE") {
                c.eat_all(&["IF", "NOT", "EXISTS"]);
                return Some(StmtKind::CreateSequence { name: c.name()? });
            }
            let unique = c.eat("UNIQUE");
            if c.eat("INDEX") {
                let concurrently = c.eat("CONCURRENTLY");
                let if_not_exists = c.eat_all(&["IF", "NOT", "EXISTS"]);
                let name = if c.peek_kw().as_deref() == Some("ON") {
                    None
                } else {
                    c.name()
                };
                if !c.eat("ON") {
                    return None;
                }
                let only = c.eat("ONLY");
                let table = c.name()?;
                return Some(StmtKind::CreateIndex {
                    only,
                    name,
                    table,
                    unique,
                    concurrently,
                    if_not_exists,
                    columns: Vec::new(),
                });
            }
            if unique {
                return None;
            }
            let constraint = c.eat("CONSTRAINT");
            if c.eat("TRIGGER") {
                // CREATE [CONSTRAINT] TRIGGER name ... ON table ...
                let _ = constraint;
                while !c.done() && !c.eat("ON") {
                    c.pos += 1;
                }
                return Some(StmtKind::CreateTrigger { table: c.name()? });
            }
            if c.eat("POLICY") {
                c.name();
                if !c.eat("ON") {
                    return None;
                }
                return Some(StmtKind::Policy { table: c.name()? });
            }
            if c.eat("FUNCTION") || c.eat("PROCEDURE") {
                return Some(StmtKind::CreateFunction);
            }
            other_ddl(toks)
        }
        "DO" => Some(StmtKind::Do),
        "COMMENT" => Some(StmtKind::Comment { table: None }),
        "GRANT" | "REVOKE" => Some(StmtKind::Grant { tables: Vec::new() }),
        "BEGIN" | "START" => Some(StmtKind::Begin),
        "COMMIT" | "END" => {
            // `END //` closing a MySQL routine body, `END IF`, `END LOOP`: not a COMMIT.
            c.pos += 1;
            let rest_ok = toks[c.pos..].iter().all(|t| {
                matches!(
                    t.kw().as_deref(),
                    Some("TRANSACTION" | "WORK" | "AND" | "NO" | "CHAIN" | "PREPARED")
                ) || matches!(t.token(), Token::SemiColon | Token::SingleQuotedString(_))
            });
            Some(if rest_ok {
                StmtKind::Commit
            } else {
                StmtKind::Other { what: "END".into() }
            })
        }
        "ROLLBACK" | "ABORT" => Some(StmtKind::Rollback),
        _ => None,
    }
}

/// A command on the whole cluster that cannot run in a transaction block, from its first words.
pub(crate) fn cluster_command(toks: &[Tok]) -> Option<ClusterCommand> {
    let kw = |i: usize| toks.get(i).and_then(Tok::kw);
    match (kw(0)?.as_str(), kw(1)?.as_str()) {
        ("CREATE", "DATABASE") => Some(ClusterCommand::CreateDatabase),
        ("DROP", "DATABASE") => Some(ClusterCommand::DropDatabase),
        ("CREATE", "TABLESPACE") => Some(ClusterCommand::CreateTablespace),
        ("DROP", "TABLESPACE") => Some(ClusterCommand::DropTablespace),
        ("ALTER", "SYSTEM") => Some(ClusterCommand::AlterSystem),
        _ => None,
    }
}

/// Statements the recognizer reads before sqlparser: sqlparser accepts some of them but its
/// tree loses what the lock model needs (ALTER DOMAIN's change, REINDEX's option list, which
/// cluster-wide command it is).
pub(crate) fn recognized_first(toks: &[Tok]) -> bool {
    let kw = |i: usize| toks.get(i).and_then(Tok::kw);
    match kw(0).as_deref() {
        Some("REINDEX") => true,
        Some("ALTER") => matches!(kw(1).as_deref(), Some("DOMAIN" | "SYSTEM")),
        _ => cluster_command(toks).is_some(),
    }
}

/// Objects whose DDL takes no lock on any table, view or sequence that locklint models.
const NO_TABLE_LOCK_OBJECTS: &[&str] = &[
    "FUNCTION",
    "PROCEDURE",
    "AGGREGATE",
    "OPERATOR",
    "DOMAIN",
    "EXTENSION",
    "SCHEMA",
    "ROLE",
    "USER",
    "GROUP",
    "COLLATION",
    "TEXT",
    "CAST",
    "CONVERSION",
    "LANGUAGE",
    "DATABASE",
    "DEFAULT",
    "PUBLICATION",
    "SUBSCRIPTION",
    "SERVER",
    "TABLESPACE",
    "EVENT",
    "ROUTINE",
    "STATISTICS",
    "TRANSFORM",
    "ACCESS",
    "FOREIGN",
    "OWNED",
];

/// DDL on objects that are not tables: recognized as `Other` by their leading words.
fn other_ddl(toks: &[Tok]) -> Option<StmtKind> {
    if let Some(cmd) = cluster_command(toks) {
        return Some(StmtKind::ClusterWide(cmd));
    }
    let mut c = Cursor::new(toks);
    let verb = c.peek_kw()?;
    c.pos += 1;
    c.eat_all(&["OR", "REPLACE"]);
    c.eat("TRUSTED");
    c.eat("PROCEDURAL");
    let obj = c.peek_kw()?;
    if NO_TABLE_LOCK_OBJECTS.contains(&obj.as_str()) {
        return Some(StmtKind::Other {
            what: format!("{verb} {obj}"),
        });
    }
    None
}

/// Recognize one ALTER TABLE action from its tokens (the part after the table name).
pub(crate) fn recognize_action(toks: &[Tok]) -> Option<AlterAction> {
    let mut c = Cursor::new(toks);
    // PostgreSQL 18: ADD [CONSTRAINT name] NOT NULL col [NOT VALID], a catalogued NOT NULL
    // constraint. It locks, scans (unless NOT VALID) and proves SET NOT NULL exactly like a
    // CHECK (col IS NOT NULL) (observed on 18.6), and is modelled as one.
    if c.eat("ADD") {
        let name = if c.eat("CONSTRAINT") {
            c.name().map(|n| n.name)
        } else {
            None
        };
        if c.eat_all(&["NOT", "NULL"]) {
            let column = c.name()?.name;
            let not_valid = c.eat_all(&["NOT", "VALID"]);
            c.eat("NO");
            c.eat("INHERIT");
            if !c.done() {
                return None;
            }
            return Some(AlterAction::AddConstraint(Constraint {
                name,
                kind: ConstraintKind::Check {
                    expr: format!("{column} IS NOT NULL"),
                    not_null_of: Some(column),
                    not_null_constraint: true,
                },
                not_valid,
            }));
        }
        c = Cursor::new(toks);
    }
    if c.eat_all(&["ATTACH", "PARTITION"]) {
        let partition = c.name()?;
        let default = c.eat("DEFAULT");
        return Some(AlterAction::AttachPartition { partition, default });
    }
    if c.eat_all(&["DETACH", "PARTITION"]) {
        let partition = c.name()?;
        let concurrently = c.eat("CONCURRENTLY");
        let finalize = !concurrently && c.eat("FINALIZE");
        return Some(AlterAction::DetachPartition {
            partition,
            concurrently,
            finalize,
        });
    }
    if c.eat_all(&["SET", "TABLESPACE"]) {
        return Some(AlterAction::SetTablespace);
    }
    if c.eat_all(&["SET", "SCHEMA"]) {
        return Some(AlterAction::SetSchema {
            schema: c.name().map(|n| n.name).unwrap_or_default(),
        });
    }
    if c.eat_all(&["SET", "ACCESS", "METHOD"]) {
        return Some(AlterAction::SetAccessMethod);
    }
    if c.eat_all(&["SET", "WITHOUT", "CLUSTER"]) || c.eat_all(&["CLUSTER", "ON"]) {
        return Some(AlterAction::ClusterOn);
    }
    if (c.eat("SET") || c.eat("RESET")) && c.skip_parens() {
        return Some(AlterAction::SetStorageParams);
    }
    c.pos = 0;
    if c.eat("INHERIT") || c.eat_all(&["NO", "INHERIT"]) {
        return Some(AlterAction::Inherit);
    }
    if c.eat("OWNER") {
        return Some(AlterAction::Owner);
    }
    if c.eat_all(&["REPLICA", "IDENTITY"]) {
        return Some(AlterAction::ReplicaIdentity);
    }
    if c.eat("ENABLE") || c.eat("DISABLE") {
        if !c.eat("ALWAYS") {
            c.eat("REPLICA");
        }
        if c.eat("TRIGGER") || c.eat("RULE") {
            return Some(AlterAction::Trigger);
        }
        if c.eat_all(&["ROW", "LEVEL", "SECURITY"]) {
            return Some(AlterAction::RowLevelSecurity);
        }
    }
    c.pos = 0;
    if c.eat_all(&["ALTER", "CONSTRAINT"]) {
        // Deferrability or inheritance of a constraint; modelled conservatively (ACCESS
        // EXCLUSIVE on the table), no scan.
        c.name()?;
        return Some(AlterAction::Other("ALTER CONSTRAINT".into()));
    }
    if c.eat("ALTER") {
        c.eat("COLUMN");
        let column = c.name()?.name;
        // PostgreSQL 17 (stored) / 18 (virtual): SET EXPRESSION AS (expr).
        if c.eat_all(&["SET", "EXPRESSION", "AS"]) {
            return (c.skip_parens() && c.done()).then_some(AlterAction::SetExpression { column });
        }
        // PostgreSQL 13.
        if c.eat_all(&["DROP", "EXPRESSION"]) {
            c.eat_all(&["IF", "EXISTS"]);
            return c.done().then_some(AlterAction::DropExpression { column });
        }
        if c.eat_all(&["SET", "STATISTICS"]) {
            return Some(AlterAction::SetStatistics { column });
        }
        if c.eat_all(&["SET", "STORAGE"]) || c.eat_all(&["SET", "COMPRESSION"]) {
            return Some(AlterAction::SetColumnOptions { column });
        }
        if (c.eat("SET") || c.eat("RESET")) && c.skip_parens() {
            return Some(AlterAction::SetColumnOptions { column });
        }
        if c.contains("IDENTITY") || c.contains("GENERATED") {
            return Some(AlterAction::AlterIdentity { column });
        }
        return None;
    }
    None
}

/// Split an ALTER TABLE statement's tokens into the header (up to and including the table name)
/// and its actions at top-level commas. Returns `None` when it is not `ALTER TABLE name ...`.
pub(crate) fn split_alter_actions(toks: &[Tok]) -> Option<(usize, Vec<std::ops::Range<usize>>)> {
    let mut c = Cursor::new(toks);
    if !c.eat_all(&["ALTER", "TABLE"]) {
        return None;
    }
    c.eat_all(&["IF", "EXISTS"]);
    c.eat("ONLY");
    c.name()?;
    if matches!(toks.get(c.pos).map(Tok::token), Some(Token::Mul)) {
        c.pos += 1;
    }
    let header_end = c.pos;
    let mut actions = Vec::new();
    let mut depth = 0usize;
    let mut start = header_end;
    for (i, t) in toks.iter().enumerate().skip(header_end) {
        match t.token() {
            Token::LParen => depth += 1,
            Token::RParen => depth = depth.saturating_sub(1),
            Token::Comma if depth == 0 => {
                actions.push(start..i);
                start = i + 1;
            }
            _ => {}
        }
    }
    actions.push(start..toks.len());
    actions.retain(|r| !r.is_empty());
    Some((header_end, actions))
}

/// A short description of an unrecognized statement's leading words.
pub(crate) fn describe(toks: &[Tok]) -> String {
    leading_words(
        &toks
            .iter()
            .take(2)
            .map(|t| t.token().to_string())
            .collect::<Vec<_>>()
            .join(" "),
    )
}
