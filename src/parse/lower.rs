//! sqlparser AST → locklint's `Stmt` model. Spans are filled in by the caller.

use crate::model::types::Mods;
use crate::model::{
    AlterAction, ColumnDef, Constraint, ConstraintKind, DefaultExpr, FkRef, ObjName, ObjectKind,
    SmallStr, SqlType, StmtKind, Volatility,
};
use sqlparser::ast::{
    self, AlterColumnOperation, AlterTableOperation, CharacterLength, ColumnOption, DataType, Expr,
    FunctionArguments, GeneratedAs, GeneratedExpressionMode, Ident, ObjectName, ObjectType, Query,
    SetExpr, Statement, TableConstraint, TableFactor, TableWithJoins, TimezoneInfo,
};

/// Fold an identifier as PostgreSQL does: unquoted → lower case.
pub(crate) fn ident(i: &Ident) -> String {
    if i.quote_style.is_some() {
        i.value.clone()
    } else {
        i.value.to_ascii_lowercase()
    }
}

/// [`ident`] without a heap allocation for short names.
fn small_ident(i: &Ident) -> SmallStr {
    if i.quote_style.is_some() {
        SmallStr::new(&i.value)
    } else {
        SmallStr::ascii_lowercase(&i.value)
    }
}

/// Lower an object name (`a.b.c` keeps the last two parts: schema and name).
pub(crate) fn obj_name(n: &ObjectName) -> ObjName {
    let parts = || n.0.iter().filter_map(|p| p.as_ident());
    let mut last_two = parts().skip(parts().count().saturating_sub(2));
    match (last_two.next(), last_two.next()) {
        (None, _) => ObjName::bare(n.to_string()),
        (Some(name), None) => ObjName::bare(ident(name)),
        (Some(schema), Some(name)) => ObjName {
            schema: Some(ident(schema)),
            name: ident(name),
        },
    }
}

/// Lower one parsed statement. ALTER TABLE actions get empty spans here.
pub(crate) fn lower(stmt: &Statement) -> StmtKind {
    match stmt {
        Statement::CreateTable(ct) => StmtKind::CreateTable(Box::new(create_table(ct))),
        Statement::AlterTable(at) => StmtKind::AlterTable {
            table: obj_name(&at.name),
            if_exists: at.if_exists,
            only: at.only,
            actions: at
                .operations
                .iter()
                .map(|op| crate::model::Action {
                    action: alter_action(op),
                    span: 0..0,
                })
                .collect(),
        },
        Statement::CreateIndex(ci) => StmtKind::CreateIndex {
            name: ci.name.as_ref().map(obj_name),
            table: obj_name(&ci.table_name),
            unique: ci.unique,
            concurrently: ci.concurrently,
            if_not_exists: ci.if_not_exists,
            // sqlparser does not parse `ON ONLY`: the fallback recognizer sets it.
            only: false,
            columns: ci
                .columns
                .iter()
                .map(|c| expr_column(&c.column.expr))
                .collect(),
        },
        Statement::Drop {
            object_type,
            if_exists,
            names,
            cascade,
            ..
        } => {
            let names: Vec<ObjName> = names.iter().map(obj_name).collect();
            match object_type {
                ObjectType::Index => StmtKind::DropIndex {
                    names,
                    concurrently: false,
                    if_exists: *if_exists,
                },
                other => StmtKind::Drop {
                    object: match other {
                        ObjectType::Table => ObjectKind::Table,
                        ObjectType::View => ObjectKind::View,
                        ObjectType::MaterializedView => ObjectKind::MaterializedView,
                        ObjectType::Sequence => ObjectKind::Sequence,
                        ObjectType::Type => ObjectKind::Type,
                        ObjectType::Schema => ObjectKind::Schema,
                        _ => ObjectKind::Other,
                    },
                    names,
                    if_exists: *if_exists,
                    cascade: *cascade,
                },
            }
        }
        Statement::Truncate(t) => StmtKind::Truncate {
            tables: t.table_names.iter().map(|t| obj_name(&t.name)).collect(),
        },
        Statement::Lock(l) => StmtKind::LockTable {
            tables: l.tables.iter().map(|t| obj_name(&t.name)).collect(),
            mode: l
                .lock_mode
                .as_ref()
                .and_then(|m| crate::model::LockMode::parse(&m.to_string()))
                .unwrap_or(crate::model::LockMode::AccessExclusive),
        },
        Statement::Vacuum(v) => StmtKind::Vacuum {
            tables: v.table_name.iter().map(obj_name).collect(),
            full: v.full,
        },
        Statement::Analyze(a) => StmtKind::Analyze {
            tables: a.table_name.iter().map(obj_name).collect(),
        },
        Statement::CreateView(cv) => StmtKind::CreateView {
            name: obj_name(&cv.name),
            or_replace: cv.or_replace,
            materialized: cv.materialized,
            reads: query_reads(&cv.query),
        },
        Statement::AlterView { name, .. } => StmtKind::AlterView {
            name: obj_name(name),
            materialized: false,
        },
        Statement::Comment {
            object_type,
            object_name,
            ..
        } => {
            let table = match object_type {
                ast::CommentObject::Table
                | ast::CommentObject::View
                | ast::CommentObject::MaterializedView => Some(obj_name(object_name)),
                ast::CommentObject::Column => {
                    // schema.table.column or table.column: the table is everything but the last part.
                    let mut parts = object_name.0.clone();
                    parts.pop();
                    (!parts.is_empty()).then(|| obj_name(&ObjectName(parts)))
                }
                _ => None,
            };
            StmtKind::Comment { table }
        }
        Statement::Grant(ast::Grant { objects, .. })
        | Statement::Revoke(ast::Revoke { objects, .. }) => StmtKind::Grant {
            tables: match objects {
                Some(ast::GrantObjects::Tables(t)) => t.iter().map(obj_name).collect(),
                _ => Vec::new(),
            },
        },
        Statement::Update(u) => StmtKind::Update {
            table: table_with_joins_name(&u.table).unwrap_or_else(|| ObjName::bare("?")),
            has_where: u.selection.is_some(),
            narrowed: u.selection.as_ref().is_some_and(|e| narrows(e, 0)) || u.limit.is_some(),
            pinned: pinned(u.selection.as_ref(), u.limit.is_some()),
            reads: u
                .from
                .as_ref()
                .map(|f| match f {
                    ast::UpdateTableFromKind::BeforeSet(t)
                    | ast::UpdateTableFromKind::AfterSet(t) => {
                        t.iter().filter_map(table_with_joins_name).collect()
                    }
                })
                .unwrap_or_default(),
        },
        Statement::Delete(d) => {
            let from = match &d.from {
                ast::FromTable::WithFromKeyword(t) | ast::FromTable::WithoutKeyword(t) => t,
            };
            StmtKind::Delete {
                table: from
                    .first()
                    .and_then(table_with_joins_name)
                    .unwrap_or_else(|| ObjName::bare("?")),
                has_where: d.selection.is_some(),
                narrowed: d.selection.as_ref().is_some_and(|e| narrows(e, 0)) || d.limit.is_some(),
                pinned: pinned(d.selection.as_ref(), d.limit.is_some()),
                reads: d
                    .using
                    .as_ref()
                    .map(|u| u.iter().filter_map(table_with_joins_name).collect())
                    .unwrap_or_default(),
            }
        }
        Statement::Insert(i) => {
            let table = match &i.table {
                ast::TableObject::TableName(n) => obj_name(n),
                other => ObjName::bare(other.to_string()),
            };
            let (select, reads) = match &i.source {
                Some(q) => match q.body.as_ref() {
                    SetExpr::Values(_) => (false, Vec::new()),
                    _ => (true, query_reads(q)),
                },
                None => (false, Vec::new()),
            };
            StmtKind::Insert {
                table,
                select,
                reads,
            }
        }
        Statement::Query(q) => match q.body.as_ref() {
            // WITH ... INSERT / UPDATE / DELETE: the statement is the DML, reading the CTEs' tables.
            SetExpr::Insert(dml) | SetExpr::Update(dml) | SetExpr::Delete(dml) => {
                with_cte_reads(lower(dml), q)
            }
            SetExpr::Select(sel) if set_config(sel).is_some() => {
                set_config(sel).unwrap_or(StmtKind::Select {
                    reads: Vec::new(),
                    full: false,
                })
            }
            _ => StmtKind::Select {
                reads: query_reads(q),
                full: q.limit_clause.is_none()
                    && q.with.is_none()
                    && matches!(q.body.as_ref(), SetExpr::Select(sel) if sel.selection.is_none() && !sel.from.is_empty()),
            },
        },
        Statement::CreateSequence { name, .. } => StmtKind::CreateSequence {
            name: obj_name(name),
        },
        Statement::CreateType {
            name,
            representation,
        } => StmtKind::CreateType {
            name: obj_name(name),
            enum_values: match representation {
                Some(ast::UserDefinedTypeRepresentation::Enum { labels }) => {
                    Some(labels.iter().map(|l| l.value.clone()).collect())
                }
                _ => None,
            },
        },
        Statement::AlterType(at) => match &at.operation {
            ast::AlterTypeOperation::AddValue(_) => StmtKind::AlterTypeAddValue {
                name: obj_name(&at.name),
            },
            _ => StmtKind::AlterType {
                name: obj_name(&at.name),
            },
        },
        Statement::CreateTrigger(t) => StmtKind::CreateTrigger {
            table: obj_name(&t.table_name),
        },
        Statement::DropTrigger(t) => match &t.table_name {
            Some(tn) => StmtKind::DropTrigger {
                table: obj_name(tn),
            },
            None => StmtKind::Other {
                what: "DROP TRIGGER".into(),
            },
        },
        Statement::CreatePolicy(p) => StmtKind::Policy {
            table: obj_name(&p.table_name),
        },
        Statement::AlterPolicy(p) => StmtKind::Policy {
            table: obj_name(&p.table_name),
        },
        Statement::DropPolicy(p) => StmtKind::Policy {
            table: obj_name(&p.table_name),
        },
        Statement::CreateFunction(_) | Statement::CreateProcedure { .. } => {
            StmtKind::CreateFunction
        }
        Statement::StartTransaction { .. } => StmtKind::Begin,
        Statement::Commit { .. } => StmtKind::Commit,
        Statement::Rollback {
            savepoint: Some(_), ..
        } => StmtKind::Savepoint,
        Statement::Rollback { .. } => StmtKind::Rollback,
        Statement::Savepoint { .. } | Statement::ReleaseSavepoint { .. } => StmtKind::Savepoint,
        Statement::Set(set) => lower_set(set),
        Statement::Reset(r) => StmtKind::Reset {
            name: r.to_string().to_lowercase(),
        },
        other => StmtKind::Other {
            what: leading_words(&other.to_string()),
        },
    }
}

fn lower_set(set: &ast::Set) -> StmtKind {
    match set {
        ast::Set::SingleAssignment {
            scope,
            variable,
            values,
            ..
        } => StmtKind::Set {
            name: variable.to_string().to_lowercase(),
            value: values
                .iter()
                .map(|v| match v {
                    Expr::Value(v) => match &v.value {
                        ast::Value::SingleQuotedString(s) => s.clone(),
                        other => other.to_string(),
                    },
                    other => other.to_string(),
                })
                .collect::<Vec<_>>()
                .join(", "),
            local: matches!(scope, Some(ast::ContextModifier::Local)),
        },
        ast::Set::SetTimeZone { local, value } => StmtKind::Set {
            name: "timezone".into(),
            value: match value {
                Expr::Value(v) => match &v.value {
                    ast::Value::SingleQuotedString(s) => s.clone(),
                    other => other.to_string(),
                },
                other => other.to_string(),
            },
            local: *local,
        },
        other => StmtKind::Other {
            what: leading_words(&other.to_string()),
        },
    }
}

/// The first two words of a statement, for `Other` (e.g. "CREATE EXTENSION").
pub(crate) fn leading_words(s: &str) -> String {
    s.split_whitespace()
        .take(2)
        .collect::<Vec<_>>()
        .join(" ")
        .to_uppercase()
}

/// `SELECT set_config('name', 'value', is_local)` with literal arguments and nothing else:
/// the same as `SET [LOCAL] name = value`.
fn set_config(sel: &ast::Select) -> Option<StmtKind> {
    if !sel.from.is_empty() || sel.projection.len() != 1 || sel.selection.is_some() {
        return None;
    }
    let (ast::SelectItem::UnnamedExpr(Expr::Function(f))
    | ast::SelectItem::ExprWithAlias {
        expr: Expr::Function(f),
        ..
    }) = &sel.projection[0]
    else {
        return None;
    };
    let fname = f.name.to_string().to_ascii_lowercase();
    if fname != "set_config" && fname != "pg_catalog.set_config" {
        return None;
    }
    let ast::FunctionArguments::List(list) = &f.args else {
        return None;
    };
    let lit = |i: usize| match list.args.get(i) {
        Some(ast::FunctionArg::Unnamed(ast::FunctionArgExpr::Expr(Expr::Value(v)))) => {
            Some(match &v.value {
                ast::Value::SingleQuotedString(s) => s.clone(),
                other => other.to_string(),
            })
        }
        _ => None,
    };
    if list.args.len() != 3 {
        return None;
    }
    Some(StmtKind::Set {
        name: lit(0)?.to_ascii_lowercase(),
        value: lit(1)?,
        local: lit(2)?.eq_ignore_ascii_case("true"),
    })
}

/// Whether a WHERE predicate provably touches a part of the table: a column equal to a value,
/// in a list, in a bounded range (BETWEEN, or a lower and an upper bound), or in a subquery
/// with a LIMIT (batching). `IS NULL`, `<>`, `LIKE`, one-sided ranges and joins prove nothing.
fn narrows(e: &Expr, depth: usize) -> bool {
    use ast::BinaryOperator as Op;
    if depth > 32 {
        return false;
    }
    let is_col = |e: &Expr| matches!(e, Expr::Identifier(_) | Expr::CompoundIdentifier(_));
    let is_value = |e: &Expr| !mentions_column(e, 0);
    match e {
        Expr::Nested(inner) => narrows(inner, depth + 1),
        Expr::BinaryOp {
            left,
            op: Op::And,
            right,
        } => narrows(left, depth + 1) || narrows(right, depth + 1) || bounded(e),
        Expr::BinaryOp {
            left,
            op: Op::Or,
            right,
        } => narrows(left, depth + 1) && narrows(right, depth + 1),
        Expr::BinaryOp {
            left,
            op: Op::Eq,
            right,
        } => (is_col(left) && is_value(right)) || (is_col(right) && is_value(left)),
        Expr::InList {
            expr,
            negated: false,
            ..
        } => is_col(expr),
        Expr::Between {
            expr,
            negated: false,
            low,
            high,
        } => is_col(expr) && is_value(low) && is_value(high),
        Expr::InSubquery {
            expr,
            negated: false,
            subquery,
        } => is_col(expr) && subquery.limit_clause.is_some(),
        _ => false,
    }
}

/// The columns a narrowing WHERE pins (to a value, a list or a bounded range): it touches few
/// rows only if one of them is indexed. Empty when a LIMIT batches the statement (or a
/// subquery with a LIMIT picks its rows): that is selective whatever the index.
fn pinned(selection: Option<&Expr>, limit: bool) -> Vec<String> {
    let mut cols = Vec::new();
    let mut batch = limit;
    if let Some(e) = selection {
        pins(e, 0, &mut cols, &mut batch);
    }
    if batch {
        cols.clear();
    }
    cols.sort();
    cols.dedup();
    cols
}

/// Collect the columns of the terms [`narrows`] accepts.
fn pins(e: &Expr, depth: usize, cols: &mut Vec<String>, batch: &mut bool) {
    use ast::BinaryOperator as Op;
    if depth > 32 || cols.len() > 64 {
        return;
    }
    let col = |e: &Expr| match e {
        Expr::Identifier(_) | Expr::CompoundIdentifier(_) => Some(expr_column(e)),
        _ => None,
    };
    match e {
        Expr::Nested(inner) => pins(inner, depth + 1, cols, batch),
        Expr::BinaryOp {
            left,
            op: Op::And | Op::Or,
            right,
        } => {
            if narrows(left, depth + 1) {
                pins(left, depth + 1, cols, batch);
            }
            if narrows(right, depth + 1) {
                pins(right, depth + 1, cols, batch);
            }
            if bounded(e) {
                for side in [left, right] {
                    if let Expr::BinaryOp { left, right, .. } = side.as_ref() {
                        cols.extend(col(left).or_else(|| col(right)));
                    }
                }
            }
        }
        Expr::BinaryOp {
            left,
            op: Op::Eq,
            right,
        } => cols.extend(col(left).or_else(|| col(right))),
        Expr::InList { expr, .. } | Expr::Between { expr, .. } => cols.extend(col(expr)),
        Expr::InSubquery { subquery, .. } if subquery.limit_clause.is_some() => *batch = true,
        _ => {}
    }
}

/// An AND chain with both a lower and an upper bound on some column.
fn bounded(e: &Expr) -> bool {
    use ast::BinaryOperator as Op;
    let mut terms = Vec::new();
    let mut todo = vec![e];
    while let Some(x) = todo.pop() {
        match x {
            Expr::BinaryOp {
                left,
                op: Op::And,
                right,
            } if terms.len() < 64 => {
                todo.push(left);
                todo.push(right);
            }
            Expr::Nested(inner) => todo.push(inner),
            other => terms.push(other),
        }
    }
    let mut lower = Vec::new();
    let mut upper = Vec::new();
    for t in terms {
        if let Expr::BinaryOp { left, op, right } = t {
            let (col, below) = match (left.as_ref(), right.as_ref()) {
                (Expr::Identifier(_) | Expr::CompoundIdentifier(_), v)
                    if !mentions_column(v, 0) =>
                {
                    (left.to_string(), matches!(op, Op::Lt | Op::LtEq))
                }
                (v, Expr::Identifier(_) | Expr::CompoundIdentifier(_))
                    if !mentions_column(v, 0) =>
                {
                    (right.to_string(), matches!(op, Op::Gt | Op::GtEq))
                }
                _ => continue,
            };
            if !matches!(op, Op::Lt | Op::LtEq | Op::Gt | Op::GtEq) {
                continue;
            }
            if below {
                upper.push(col);
            } else {
                lower.push(col);
            }
        }
    }
    lower.iter().any(|c| upper.contains(c))
}

/// Whether an expression mentions a column (or a subquery): then it is no constant.
fn mentions_column(e: &Expr, depth: usize) -> bool {
    if depth > 32 {
        return true;
    }
    match e {
        Expr::Identifier(_) | Expr::CompoundIdentifier(_) => true,
        Expr::Value(_) | Expr::TypedString { .. } | Expr::Interval(_) => false,
        Expr::Cast { expr, .. } | Expr::Nested(expr) | Expr::UnaryOp { expr, .. } => {
            mentions_column(expr, depth + 1)
        }
        Expr::BinaryOp { left, right, .. } => {
            mentions_column(left, depth + 1) || mentions_column(right, depth + 1)
        }
        // now(), current_date: constant for the statement; with arguments it may read a column.
        Expr::Function(f) => match &f.args {
            ast::FunctionArguments::None => false,
            ast::FunctionArguments::List(l) => !l.args.is_empty(),
            ast::FunctionArguments::Subquery(_) => true,
        },
        _ => true,
    }
}

fn table_with_joins_name(t: &TableWithJoins) -> Option<ObjName> {
    table_factor_name(&t.relation)
}

/// The relation a FROM item names: not set-returning functions (`generate_series(1, 10)`), and
/// `ONLY t`, which sqlparser reads as a table `only` aliased `t` (ONLY is reserved in PostgreSQL).
fn table_factor_name(f: &TableFactor) -> Option<ObjName> {
    match f {
        TableFactor::Table { args: Some(_), .. } => None,
        TableFactor::Table {
            name,
            alias: Some(alias),
            ..
        } if name.0.len() == 1
            && name.0[0].as_ident().is_some_and(|i| {
                i.quote_style.is_none() && i.value.eq_ignore_ascii_case("only")
            }) =>
        {
            Some(ObjName::bare(ident(&alias.name)))
        }
        TableFactor::Table { name, .. } => Some(obj_name(name)),
        _ => None,
    }
}

/// Add the tables a WITH clause reads to a DML statement's reads, dropping references to the CTEs.
fn with_cte_reads(mut kind: StmtKind, q: &Query) -> StmtKind {
    let Some(with) = &q.with else {
        return kind;
    };
    let cte_names: Vec<String> = with
        .cte_tables
        .iter()
        .map(|c| ident(&c.alias.name))
        .collect();
    if let StmtKind::Insert { reads, .. }
    | StmtKind::Update { reads, .. }
    | StmtKind::Delete { reads, .. } = &mut kind
    {
        reads.retain(|n| n.schema.is_some() || !cte_names.contains(&n.name));
        for cte in &with.cte_tables {
            for n in query_reads(&cte.query) {
                if !reads.iter().any(|r| r.same(&n)) {
                    reads.push(n);
                }
            }
        }
    }
    kind
}

/// Tables named in a query's top-level FROM clauses (and CTEs' FROMs), for scans.
fn query_reads(q: &Query) -> Vec<ObjName> {
    let mut out = Vec::new();
    let cte_names: Vec<String> = q
        .with
        .as_ref()
        .map(|w| w.cte_tables.iter().map(|c| ident(&c.alias.name)).collect())
        .unwrap_or_default();
    if let Some(w) = &q.with {
        for cte in &w.cte_tables {
            out.extend(query_reads(&cte.query));
        }
    }
    set_expr_reads(&q.body, &mut out, 0);
    out.retain(|n| n.schema.is_some() || !cte_names.contains(&n.name));
    let mut dedup: Vec<ObjName> = Vec::new();
    for n in out {
        if !dedup.iter().any(|d| d.same(&n)) {
            dedup.push(n);
        }
    }
    dedup
}

fn set_expr_reads(body: &SetExpr, out: &mut Vec<ObjName>, depth: usize) {
    if depth > 32 {
        return;
    }
    match body {
        SetExpr::Select(s) => {
            for t in &s.from {
                if let Some(n) = table_with_joins_name(t) {
                    out.push(n);
                }
                for j in &t.joins {
                    if let Some(n) = table_factor_name(&j.relation) {
                        out.push(n);
                    }
                }
            }
        }
        SetExpr::SetOperation { left, right, .. } => {
            set_expr_reads(left, out, depth + 1);
            set_expr_reads(right, out, depth + 1);
        }
        SetExpr::Query(q) => set_expr_reads(&q.body, out, depth + 1),
        _ => {}
    }
}

fn expr_column(e: &Expr) -> String {
    match e {
        Expr::Identifier(i) => ident(i),
        Expr::CompoundIdentifier(parts) => parts.last().map(ident).unwrap_or_default(),
        other => other.to_string(),
    }
}

fn create_table(ct: &ast::CreateTable) -> crate::model::CreateTable {
    let mut columns: Vec<ColumnDef> = ct.columns.iter().map(column_def).collect();
    let mut constraints: Vec<Constraint> = Vec::new();
    for c in &ct.constraints {
        if let Some(c) = table_constraint(c, false) {
            constraints.push(c);
        }
    }
    // Primary-key columns are NOT NULL.
    for c in &constraints {
        if let ConstraintKind::PrimaryKey { columns: pk, .. } = &c.kind {
            for col in columns
                .iter_mut()
                .filter(|col| pk.iter().any(|p| *p == col.name))
            {
                col.not_null = true;
            }
        }
    }
    let mut reads = Vec::new();
    if let Some(q) = &ct.query {
        reads.extend(query_reads(q));
    }
    if let Some(like) = &ct.like {
        let name = match like {
            ast::CreateTableLikeKind::Parenthesized(l) | ast::CreateTableLikeKind::Plain(l) => {
                &l.name
            }
        };
        reads.push(obj_name(name));
    }
    crate::model::CreateTable {
        name: obj_name(&ct.name),
        columns,
        constraints,
        partition_of: ct.partition_of.as_ref().map(obj_name),
        default_partition: matches!(ct.for_values, Some(ast::ForValues::Default)),
        partitioned: ct.partition_by.is_some(),
        if_not_exists: ct.if_not_exists,
        reads: if ct.like.is_some() { Vec::new() } else { reads },
        temporary: ct.temporary,
    }
}

/// A column's type: the most common ones directly, the others from their SQL text (sqlparser's
/// formatting was a tenth of lowering a CREATE TABLE). Both ways give the same `SqlType`.
fn data_type(dt: &DataType) -> SqlType {
    let plain = |text: &str, name: &str| SqlType {
        name: SmallStr::new(name),
        mods: Mods::default(),
        array: false,
        text: SmallStr::new(text),
    };
    match dt {
        DataType::Text => plain("text", "text"),
        DataType::Varchar(None) => plain("varchar", "varchar"),
        DataType::Varchar(Some(CharacterLength::IntegerLength { length, unit: None })) => {
            match u32::try_from(*length) {
                Ok(n) => SqlType {
                    name: SmallStr::new("varchar"),
                    mods: std::iter::once(n).collect(),
                    array: false,
                    text: SmallStr::concat(&["varchar(", decimal(n, &mut [0; 10]), ")"]),
                },
                Err(_) => SqlType::parse(&SmallStr::display(dt)),
            }
        }
        DataType::BigInt(None) => plain("bigint", "int8"),
        DataType::Int8(None) => plain("int8", "int8"),
        DataType::Integer(None) => plain("integer", "int4"),
        DataType::Int(None) => plain("int", "int4"),
        DataType::Int4(None) => plain("int4", "int4"),
        DataType::SmallInt(None) => plain("smallint", "int2"),
        DataType::Boolean => plain("boolean", "bool"),
        DataType::Bool => plain("bool", "bool"),
        DataType::Uuid => plain("uuid", "uuid"),
        DataType::Date => plain("date", "date"),
        DataType::JSONB => plain("jsonb", "jsonb"),
        DataType::JSON => plain("json", "json"),
        DataType::Bytea => plain("bytea", "bytea"),
        DataType::Timestamp(None, TimezoneInfo::None) => plain("timestamp", "timestamp"),
        DataType::Timestamp(None, TimezoneInfo::WithoutTimeZone) => {
            plain("timestamp without time zone", "timestamp")
        }
        DataType::Timestamp(None, TimezoneInfo::WithTimeZone) => {
            plain("timestamp with time zone", "timestamptz")
        }
        DataType::Timestamp(None, TimezoneInfo::Tz) => plain("timestamptz", "timestamptz"),
        other => SqlType::parse(&SmallStr::display(other)),
    }
}

/// `n` in decimal, written into `buf` (without `core::fmt`, which was most of building the
/// text of a `varchar(n)` column).
fn decimal(mut n: u32, buf: &mut [u8; 10]) -> &str {
    let mut start = buf.len();
    loop {
        start -= 1;
        buf[start] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    std::str::from_utf8(&buf[start..]).unwrap_or_default()
}

fn column_def(c: &ast::ColumnDef) -> ColumnDef {
    let ty = data_type(&c.data_type);
    let text = ty.text.as_str();
    let serial = [
        "serial",
        "bigserial",
        "smallserial",
        "serial4",
        "serial8",
        "serial2",
    ]
    .iter()
    .any(|s| text.eq_ignore_ascii_case(s));
    let mut col = ColumnDef {
        name: small_ident(&c.name),
        ty,
        not_null: false,
        default: None,
        serial,
        identity: false,
        generated_stored: false,
        generated_virtual: false,
        references: None,
        primary_key: false,
        unique: false,
        check: None,
    };
    for opt in &c.options {
        match &opt.option {
            ColumnOption::NotNull => col.not_null = true,
            ColumnOption::Null => col.not_null = false,
            ColumnOption::Default(e) => col.default = Some(default_expr(e)),
            ColumnOption::PrimaryKey(_) => {
                col.primary_key = true;
                col.not_null = true;
            }
            ColumnOption::Unique(_) => col.unique = true,
            ColumnOption::ForeignKey(fk) => {
                col.references = Some(Box::new(FkRef {
                    table: obj_name(&fk.foreign_table),
                    columns: fk.referred_columns.iter().map(ident).collect(),
                }))
            }
            ColumnOption::Check(ch) => col.check = Some(ch.expr.to_string().into_boxed_str()),
            ColumnOption::Generated {
                generated_as,
                generation_expr,
                generation_expr_mode,
                ..
            } => match (generated_as, generation_expr) {
                (GeneratedAs::ExpStored, _) => col.generated_stored = true,
                (_, Some(_)) => {
                    let virt =
                        matches!(generation_expr_mode, Some(GeneratedExpressionMode::Virtual));
                    col.generated_stored = !virt;
                    col.generated_virtual = virt;
                }
                _ => col.identity = true,
            },
            ColumnOption::Identity(_) => col.identity = true,
            _ => {}
        }
    }
    col
}

/// Classify a default expression's volatility, looking through casts, operators and nested calls.
pub(crate) fn default_expr(e: &Expr) -> DefaultExpr {
    let mut worst = (Volatility::Immutable, None);
    volatility(e, &mut worst, 0);
    DefaultExpr {
        text: expr_text(e),
        volatility: worst.0,
        volatile_fn: worst.1.map(String::into_boxed_str),
        is_null: matches!(e, Expr::Value(v) if matches!(v.value, ast::Value::Null)),
    }
}

/// An expression as sqlparser prints it: the common literals directly (sqlparser's formatting of a
/// quoted string goes through four layers of `write!`).
fn expr_text(e: &Expr) -> SmallStr {
    if let Expr::Value(v) = e {
        match &v.value {
            // A quote inside would be doubled.
            ast::Value::SingleQuotedString(s) if !s.contains('\'') => {
                return SmallStr::concat(&["'", s, "'"]);
            }
            ast::Value::Number(n, false) => return SmallStr::new(n),
            ast::Value::Boolean(b) => return SmallStr::new(if *b { "true" } else { "false" }),
            ast::Value::Null => return SmallStr::new("NULL"),
            _ => {}
        }
    }
    SmallStr::display(e)
}

/// Functions known to be STABLE (one value per statement): safe as ADD COLUMN defaults on 11+.
const STABLE_FNS: &[&str] = &[
    "now",
    "current_timestamp",
    "current_date",
    "current_time",
    "localtimestamp",
    "localtime",
    "transaction_timestamp",
    "statement_timestamp",
    "current_user",
    "current_schema",
    "current_setting",
    "session_user",
    "user",
    "to_char",
    "to_timestamp",
    "to_date",
    "current_database",
    "version",
];

/// Functions known to be IMMUTABLE.
const IMMUTABLE_FNS: &[&str] = &[
    "lower",
    "upper",
    "coalesce",
    "nullif",
    "greatest",
    "least",
    "concat",
    "concat_ws",
    "length",
    "abs",
    "round",
    "trim",
    "btrim",
    "ltrim",
    "rtrim",
    "substring",
    "substr",
    "replace",
    "jsonb_build_object",
    "json_build_object",
    "jsonb_build_array",
    "json_build_array",
    "to_jsonb",
    "to_json",
    "array",
    "make_interval",
    "make_date",
    "md5",
    "encode",
    "decode",
    "int4",
    "int8",
    "text",
    "numeric",
    "date",
    "interval",
    "array_fill",
    "cast",
    "row",
    "jsonb",
    "json",
    "float8",
    "bool",
    "timezone",
    "date_trunc",
    "extract",
    "date_part",
];

fn volatility(e: &Expr, worst: &mut (Volatility, Option<String>), depth: usize) {
    if depth > 64 || worst.0 == Volatility::Volatile {
        return;
    }
    let mut note = |v: Volatility, f: Option<String>| {
        if v > worst.0 {
            *worst = (v, f);
        }
    };
    match e {
        Expr::Function(f) => {
            let name = f
                .name
                .0
                .last()
                .and_then(|p| p.as_ident())
                .map(small_ident)
                .unwrap_or_default();
            if STABLE_FNS.contains(&name.as_str()) {
                note(Volatility::Stable, None);
            } else if !IMMUTABLE_FNS.contains(&name.as_str()) {
                note(Volatility::Volatile, Some(format!("{name}()")));
            }
            if let FunctionArguments::List(list) = &f.args {
                for a in &list.args {
                    let inner = match a {
                        ast::FunctionArg::Named { arg, .. }
                        | ast::FunctionArg::ExprNamed { arg, .. }
                        | ast::FunctionArg::Unnamed(arg) => arg,
                    };
                    if let ast::FunctionArgExpr::Expr(x) = inner {
                        volatility(x, worst, depth + 1);
                    }
                }
            }
        }
        // CURRENT_TIMESTAMP and friends without parentheses parse as identifiers or values.
        Expr::Identifier(i) => {
            let n = small_ident(i);
            if STABLE_FNS.contains(&n.as_str()) {
                note(Volatility::Stable, None);
            }
        }
        Expr::Cast { expr, .. } | Expr::Nested(expr) | Expr::UnaryOp { expr, .. } => {
            volatility(expr, worst, depth + 1)
        }
        Expr::Collate { expr, .. } => volatility(expr, worst, depth + 1),
        Expr::BinaryOp { left, right, .. } => {
            volatility(left, worst, depth + 1);
            volatility(right, worst, depth + 1);
        }
        Expr::Case {
            operand,
            conditions,
            else_result,
            ..
        } => {
            if let Some(o) = operand {
                volatility(o, worst, depth + 1);
            }
            for c in conditions {
                volatility(&c.condition, worst, depth + 1);
                volatility(&c.result, worst, depth + 1);
            }
            if let Some(e) = else_result {
                volatility(e, worst, depth + 1);
            }
        }
        Expr::Array(a) => {
            for x in &a.elem {
                volatility(x, worst, depth + 1);
            }
        }
        Expr::Tuple(xs) => {
            for x in xs {
                volatility(x, worst, depth + 1);
            }
        }
        Expr::Subquery(_) | Expr::Exists { .. } | Expr::InSubquery { .. } => {
            note(Volatility::Volatile, Some("a subquery".into()))
        }
        _ => {}
    }
}

fn check_not_null_of(e: &Expr) -> Option<String> {
    match e {
        Expr::IsNotNull(inner) => match inner.as_ref() {
            Expr::Identifier(i) => Some(ident(i)),
            Expr::CompoundIdentifier(p) => p.last().map(ident),
            Expr::Nested(n) => check_not_null_of(&Expr::IsNotNull(n.clone())),
            _ => None,
        },
        Expr::Nested(n) => check_not_null_of(n),
        _ => None,
    }
}

fn table_constraint(c: &TableConstraint, not_valid: bool) -> Option<Constraint> {
    let cols = |v: &[ast::IndexColumn]| v.iter().map(|c| expr_column(&c.column.expr)).collect();
    let (name, kind) = match c {
        TableConstraint::PrimaryKey(pk) => (
            pk.name.as_ref().map(ident),
            ConstraintKind::PrimaryKey {
                columns: cols(&pk.columns),
                using_index: None,
            },
        ),
        TableConstraint::Unique(u) => (
            u.name.as_ref().map(ident),
            ConstraintKind::Unique {
                columns: cols(&u.columns),
                using_index: None,
            },
        ),
        TableConstraint::PrimaryKeyUsingIndex(u) => (
            u.name.as_ref().map(ident),
            ConstraintKind::PrimaryKey {
                columns: Vec::new(),
                using_index: Some(ident(&u.index_name)),
            },
        ),
        TableConstraint::UniqueUsingIndex(u) => (
            u.name.as_ref().map(ident),
            ConstraintKind::Unique {
                columns: Vec::new(),
                using_index: Some(ident(&u.index_name)),
            },
        ),
        TableConstraint::ForeignKey(fk) => (
            fk.name.as_ref().map(ident),
            ConstraintKind::ForeignKey {
                columns: fk.columns.iter().map(ident).collect(),
                references: FkRef {
                    table: obj_name(&fk.foreign_table),
                    columns: fk.referred_columns.iter().map(ident).collect(),
                },
            },
        ),
        TableConstraint::Check(ch) => (
            ch.name.as_ref().map(ident),
            ConstraintKind::Check {
                expr: ch.expr.to_string(),
                not_null_of: check_not_null_of(&ch.expr),
                not_null_constraint: false,
            },
        ),
        TableConstraint::Exclude(x) => (x.name.as_ref().map(ident), ConstraintKind::Exclude),
        _ => return None,
    };
    Some(Constraint {
        name,
        kind,
        not_valid,
    })
}

fn alter_action(op: &AlterTableOperation) -> AlterAction {
    match op {
        AlterTableOperation::AddColumn {
            if_not_exists,
            column_def: c,
            ..
        } => AlterAction::AddColumn {
            column: column_def(c),
            if_not_exists: *if_not_exists,
        },
        AlterTableOperation::DropColumn {
            column_names,
            if_exists,
            ..
        } => AlterAction::DropColumn {
            name: column_names
                .iter()
                .map(ident)
                .collect::<Vec<_>>()
                .join(", "),
            if_exists: *if_exists,
        },
        AlterTableOperation::AlterColumn { column_name, op } => {
            let column = ident(column_name);
            match op {
                AlterColumnOperation::SetNotNull => AlterAction::SetNotNull { column },
                AlterColumnOperation::DropNotNull => AlterAction::DropNotNull { column },
                AlterColumnOperation::SetDefault { value } => AlterAction::SetDefault {
                    column,
                    default: default_expr(value),
                },
                AlterColumnOperation::DropDefault => AlterAction::DropDefault { column },
                AlterColumnOperation::SetDataType {
                    data_type, using, ..
                } => AlterAction::AlterColumnType {
                    column,
                    ty: self::data_type(data_type),
                    using: using.as_ref().map(|u| u.to_string()),
                },
                AlterColumnOperation::AddGenerated { .. } => AlterAction::AlterIdentity { column },
            }
        }
        AlterTableOperation::AddConstraint {
            constraint,
            not_valid,
        } => match table_constraint(constraint, *not_valid) {
            Some(c) => AlterAction::AddConstraint(c),
            None => AlterAction::Other(leading_words(&op.to_string())),
        },
        AlterTableOperation::ValidateConstraint { name } => {
            AlterAction::ValidateConstraint { name: ident(name) }
        }
        AlterTableOperation::DropConstraint {
            if_exists, name, ..
        } => AlterAction::DropConstraint {
            name: ident(name),
            if_exists: *if_exists,
        },
        AlterTableOperation::RenameColumn {
            old_column_name,
            new_column_name,
        } => AlterAction::RenameColumn {
            from: ident(old_column_name),
            to: ident(new_column_name),
        },
        AlterTableOperation::RenameTable { table_name } => {
            let to = match table_name {
                ast::RenameTableNameKind::As(n) | ast::RenameTableNameKind::To(n) => {
                    obj_name(n).name
                }
            };
            AlterAction::RenameTable { to }
        }
        AlterTableOperation::RenameConstraint { old_name, new_name } => {
            AlterAction::RenameConstraint {
                from: ident(old_name),
                to: ident(new_name),
            }
        }
        AlterTableOperation::SetLogged => AlterAction::SetLogged { logged: true },
        AlterTableOperation::SetUnlogged => AlterAction::SetLogged { logged: false },
        AlterTableOperation::SetOptionsParens { .. } => AlterAction::SetStorageParams,
        AlterTableOperation::EnableTrigger { .. }
        | AlterTableOperation::DisableTrigger { .. }
        | AlterTableOperation::EnableAlwaysTrigger { .. }
        | AlterTableOperation::EnableReplicaTrigger { .. }
        | AlterTableOperation::EnableRule { .. }
        | AlterTableOperation::DisableRule { .. }
        | AlterTableOperation::EnableAlwaysRule { .. }
        | AlterTableOperation::EnableReplicaRule { .. } => AlterAction::Trigger,
        AlterTableOperation::EnableRowLevelSecurity
        | AlterTableOperation::DisableRowLevelSecurity
        | AlterTableOperation::ForceRowLevelSecurity
        | AlterTableOperation::NoForceRowLevelSecurity => AlterAction::RowLevelSecurity,
        AlterTableOperation::OwnerTo { .. } => AlterAction::Owner,
        AlterTableOperation::ReplicaIdentity { .. } => AlterAction::ReplicaIdentity,
        other => AlterAction::Other(leading_words(&other.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlparser::dialect::PostgreSqlDialect;
    use sqlparser::parser::Parser;

    /// The one column of `CREATE TABLE t (<def>)` as sqlparser parses it.
    fn only_column(def: &str) -> sqlparser::ast::ColumnDef {
        let sql = format!("CREATE TABLE t ({def})");
        let stmts =
            Parser::parse_sql(&PostgreSqlDialect {}, &sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
        match stmts.into_iter().next() {
            Some(Statement::CreateTable(mut ct)) if ct.columns.len() == 1 => ct.columns.remove(0),
            _ => panic!("{sql}: not a CREATE TABLE with one column"),
        }
    }

    #[test]
    fn column_types_match_parsing_their_sql_text() {
        let types = [
            "text",
            "TEXT",
            "varchar",
            "varchar(64)",
            "VARCHAR(255)",
            "character varying(20)",
            "varchar(4294967296)",
            "varchar(10)[]",
            "bigint",
            "int8",
            "integer",
            "int",
            "int4",
            "smallint",
            "int2",
            "boolean",
            "bool",
            "uuid",
            "date",
            "jsonb",
            "json",
            "bytea",
            "timestamp",
            "timestamp(3)",
            "timestamp without time zone",
            "timestamp with time zone",
            "timestamp(6) with time zone",
            "timestamptz",
            "numeric(10, 2)",
            "double precision",
            "real",
            "serial",
            "bigserial",
            "citext",
            "\"MyType\"",
            "public.thing",
            "int[]",
            "text array",
            "bit varying(5)",
            "char(3)",
        ];
        for written in types {
            let column = only_column(&format!("c {written}"));
            let dt = &column.data_type;
            assert_eq!(data_type(dt), SqlType::parse(&dt.to_string()), "{written}");
        }
    }

    #[test]
    fn decimal_matches_display() {
        for n in [0, 7, 10, 64, 255, 1000, 65535, u32::MAX] {
            assert_eq!(decimal(n, &mut [0; 10]), n.to_string());
        }
    }

    #[test]
    fn literal_defaults_read_as_sqlparser_prints_them() {
        let defaults = [
            "'x'",
            "''",
            "'it''s'",
            "'a\\b'",
            "E'a\\nb'",
            "0",
            "-1",
            "3.14",
            "1e10",
            "true",
            "FALSE",
            "NULL",
            "now()",
            "'{}'::jsonb",
            "$$dollar$$",
            "'é'",
        ];
        for written in defaults {
            let column = only_column(&format!("c text DEFAULT {written}"));
            let Some(ColumnOption::Default(e)) = column.options.first().map(|o| &o.option) else {
                panic!("{written}: no default");
            };
            assert_eq!(expr_text(e), e.to_string().as_str(), "{written}");
        }
    }
}
