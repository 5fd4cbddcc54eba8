//! The dialect the parser runs with: sqlparser's PostgreSQL dialect, unchanged, except that an
//! expression starting with a literal is read as the literal at once.
//!
//! sqlparser reads every expression prefix by first trying it as a typed literal (`DATE '…'`):
//! it parses a data type and, at a literal, gives up with a formatted error message that it then
//! throws away. In column defaults (`DEFAULT 'x'`) and comparisons (`amount >= 0`) that failed
//! attempt cost about a tenth of all parsing. A literal token never starts a data type, so the
//! attempt can only fail; this dialect skips it and reads the value as sqlparser would after the
//! failure.
//!
//! Every method PostgreSQL's dialect overrides is delegated, and `dialect()` reports PostgreSQL's
//! type, so the parser's dialect checks see PostgreSQL.

use sqlparser::ast::Expr;
use sqlparser::dialect::{Dialect, PostgreSqlDialect, Precedence};
use sqlparser::keywords::Keyword;
use sqlparser::parser::{Parser, ParserError};
use sqlparser::tokenizer::Token;
use std::any::TypeId;

#[derive(Debug, Default)]
pub(crate) struct Postgres(PostgreSqlDialect);

impl Dialect for Postgres {
    fn dialect(&self) -> TypeId {
        self.0.dialect()
    }

    fn parse_prefix(&self, parser: &mut Parser) -> Option<Result<Expr, ParserError>> {
        let literal = matches!(
            parser.peek_token_ref().token,
            Token::SingleQuotedString(_)
                | Token::Number(_, _)
                | Token::DollarQuotedString(_)
                | Token::EscapedStringLiteral(_)
        );
        literal.then(|| parser.parse_value().map(Expr::Value))
    }

    fn identifier_quote_style(&self, identifier: &str) -> Option<char> {
        self.0.identifier_quote_style(identifier)
    }
    fn is_delimited_identifier_start(&self, ch: char) -> bool {
        self.0.is_delimited_identifier_start(ch)
    }
    fn is_identifier_start(&self, ch: char) -> bool {
        self.0.is_identifier_start(ch)
    }
    fn is_identifier_part(&self, ch: char) -> bool {
        self.0.is_identifier_part(ch)
    }
    fn supports_unicode_string_literal(&self) -> bool {
        self.0.supports_unicode_string_literal()
    }
    fn is_reserved_for_identifier(&self, kw: Keyword) -> bool {
        self.0.is_reserved_for_identifier(kw)
    }
    fn is_table_alias(&self, kw: &Keyword, parser: &mut Parser) -> bool {
        self.0.is_table_alias(kw, parser)
    }
    fn is_custom_operator_part(&self, ch: char) -> bool {
        self.0.is_custom_operator_part(ch)
    }
    fn get_next_precedence(&self, parser: &Parser) -> Option<Result<u8, ParserError>> {
        self.0.get_next_precedence(parser)
    }
    fn supports_filter_during_aggregation(&self) -> bool {
        self.0.supports_filter_during_aggregation()
    }
    fn supports_group_by_expr(&self) -> bool {
        self.0.supports_group_by_expr()
    }
    fn supports_alter_user_as_alter_role(&self) -> bool {
        self.0.supports_alter_user_as_alter_role()
    }
    fn prec_value(&self, prec: Precedence) -> u8 {
        self.0.prec_value(prec)
    }
    fn allow_extract_custom(&self) -> bool {
        self.0.allow_extract_custom()
    }
    fn allow_extract_single_quotes(&self) -> bool {
        self.0.allow_extract_single_quotes()
    }
    fn supports_create_index_with_clause(&self) -> bool {
        self.0.supports_create_index_with_clause()
    }
    fn supports_explain_with_utility_options(&self) -> bool {
        self.0.supports_explain_with_utility_options()
    }
    fn supports_listen_notify(&self) -> bool {
        self.0.supports_listen_notify()
    }
    fn supports_exclude_constraint(&self) -> bool {
        self.0.supports_exclude_constraint()
    }
    fn supports_factorial_operator(&self) -> bool {
        self.0.supports_factorial_operator()
    }
    fn supports_bitwise_shift_operators(&self) -> bool {
        self.0.supports_bitwise_shift_operators()
    }
    fn supports_comment_on(&self) -> bool {
        self.0.supports_comment_on()
    }
    fn supports_load_extension(&self) -> bool {
        self.0.supports_load_extension()
    }
    fn supports_named_fn_args_with_colon_operator(&self) -> bool {
        self.0.supports_named_fn_args_with_colon_operator()
    }
    fn supports_named_fn_args_with_expr_name(&self) -> bool {
        self.0.supports_named_fn_args_with_expr_name()
    }
    fn supports_empty_projections(&self) -> bool {
        self.0.supports_empty_projections()
    }
    fn supports_nested_comments(&self) -> bool {
        self.0.supports_nested_comments()
    }
    fn supports_string_escape_constant(&self) -> bool {
        self.0.supports_string_escape_constant()
    }
    fn supports_numeric_literal_underscores(&self) -> bool {
        self.0.supports_numeric_literal_underscores()
    }
    fn supports_array_typedef_with_brackets(&self) -> bool {
        self.0.supports_array_typedef_with_brackets()
    }
    fn supports_geometric_types(&self) -> bool {
        self.0.supports_geometric_types()
    }
    fn supports_order_by_using_operator(&self) -> bool {
        self.0.supports_order_by_using_operator()
    }
    fn supports_set_names(&self) -> bool {
        self.0.supports_set_names()
    }
    fn supports_alter_column_type_using(&self) -> bool {
        self.0.supports_alter_column_type_using()
    }
    fn supports_left_associative_joins_without_parens(&self) -> bool {
        self.0.supports_left_associative_joins_without_parens()
    }
    fn supports_notnull_operator(&self) -> bool {
        self.0.supports_notnull_operator()
    }
    fn supports_interval_options(&self) -> bool {
        self.0.supports_interval_options()
    }
    fn supports_insert_table_alias(&self) -> bool {
        self.0.supports_insert_table_alias()
    }
    fn supports_create_table_like_parenthesized(&self) -> bool {
        self.0.supports_create_table_like_parenthesized()
    }
    fn supports_select_wildcard_with_alias(&self) -> bool {
        self.0.supports_select_wildcard_with_alias()
    }
    fn supports_comma_separated_trim(&self) -> bool {
        self.0.supports_comma_separated_trim()
    }
    fn supports_xml_expressions(&self) -> bool {
        self.0.supports_xml_expressions()
    }
    fn supports_aliased_function_args(&self) -> bool {
        self.0.supports_aliased_function_args()
    }
    fn supports_comment_optimizer_hint(&self) -> bool {
        self.0.supports_comment_optimizer_hint()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlparser::parser::Parser;

    fn parse(dialect: &dyn Dialect, sql: &str) -> Result<String, String> {
        Parser::parse_sql(dialect, sql)
            .map(|s| format!("{s:?}"))
            .map_err(|e| e.to_string())
    }

    /// Same trees and same errors as PostgreSQL's dialect, on statements with literals where
    /// expressions start, typed literals, and ones the parser rejects.
    #[test]
    fn parses_as_postgresql_does() {
        let cases = [
            "CREATE TABLE t (a varchar(64) DEFAULT 'x', b int DEFAULT 0, c text DEFAULT $$y$$)",
            "UPDATE t SET a = 'y' WHERE a IS NULL AND id BETWEEN 0 AND 999",
            "SELECT 'a' 'b', E'\\n', 1.5e3, -1, 'x'::text, DATE '2020-01-01', INTERVAL '1' DAY",
            "SELECT xml '<a/>', 'a' || 'b', ARRAY['a', 'b'][1], ('x')",
            "ALTER TABLE t ADD CONSTRAINT c CHECK (amount >= 0) NOT VALID",
            "SELECT 'a' FROM",
            "SELECT 1 2 3",
            "INSERT INTO t VALUES ('a', 1), ('b', 2) RETURNING 'x'",
        ];
        let ours = Postgres::default();
        for sql in cases {
            assert_eq!(
                parse(&ours, sql),
                parse(&PostgreSqlDialect {}, sql),
                "{sql}"
            );
        }
    }

    #[test]
    fn reports_postgresql_to_the_parser() {
        let ours: &dyn Dialect = &Postgres::default();
        assert!(ours.is::<PostgreSqlDialect>());
    }
}
