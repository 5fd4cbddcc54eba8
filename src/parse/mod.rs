//! From SQL text to statements.

pub mod split;
