//! locklint: a linter for SQL schema migrations that knows what each statement locks.

pub mod parse;
pub mod source;
