//! The lowered statement model. Rules and analysis read these types only, never sqlparser's.

pub mod effects;
pub mod lock;
pub mod small;
pub(crate) mod sql;
pub mod stmt;
pub mod txn;
pub mod types;

pub use effects::{Cause, Effects, RelKind, RelLock, Via, Work, WorkKind};
pub use lock::{Blocks, LockMode};
pub use small::SmallStr;
pub use stmt::*;
pub use txn::{FileMode, TxnMode};
pub use types::SqlType;

use serde::Serialize;
use std::fmt;

/// A byte range in a source file.
pub(crate) type Span = std::ops::Range<usize>;

/// A relation or type name: identifiers already case-folded (unquoted → lower case).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct ObjName {
    /// The schema when the SQL named one.
    pub schema: Option<String>,
    /// The object's own name.
    pub name: String,
}

impl ObjName {
    /// A name without a schema.
    pub fn bare(name: impl Into<String>) -> Self {
        ObjName {
            schema: None,
            name: name.into(),
        }
    }

    /// The schema, `public` when none was written.
    pub(crate) fn schema_or_public(&self) -> &str {
        self.schema.as_deref().unwrap_or("public")
    }

    /// Whether two names denote the same object (a missing schema means `public`).
    pub fn same(&self, other: &ObjName) -> bool {
        self.name == other.name && self.schema_or_public() == other.schema_or_public()
    }

    /// The key used in the catalog: `schema.name` with `public` filled in.
    pub fn key(&self) -> String {
        format!("{}.{}", self.schema_or_public(), self.name)
    }
}

impl fmt::Display for ObjName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.schema {
            Some(s) => write!(f, "{s}.{}", self.name),
            None => f.write_str(&self.name),
        }
    }
}
