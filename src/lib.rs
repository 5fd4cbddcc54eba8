//! locklint: a linter for SQL schema migrations that knows what each statement locks, rewrites
//! and scans, and how big each table is.

pub mod analyze;
pub mod app;
pub(crate) mod baseline;
pub mod calibrate;
pub mod cli;
pub mod config;
pub mod discover;
pub(crate) mod finding;
pub(crate) mod fix;
pub mod hints;
pub(crate) mod init;
pub(crate) mod locks;
pub mod model;
pub mod parse;
pub mod pipeline;
pub(crate) mod recipe;
pub mod report;
pub mod rules;
pub(crate) mod severity;
pub mod source;
pub mod stats;
pub(crate) mod suppress;

/// Stack for the thread that runs a command and for each parsing thread. Parsing and lowering
/// recurse as deep as an expression nests; the parser bounds that depth, and this leaves ample
/// room for it at any optimization level.
pub const STACK: usize = 64 << 20;

/// Build rayon's global pool, with threads of [`STACK`] bytes of stack, before its first use;
/// a run that never needs the pool (one small file) never starts its threads.
fn thread_pool() {
    static BUILT: std::sync::Once = std::sync::Once::new();
    BUILT.call_once(|| {
        // Only fails if the pool was already built, which nothing does before this.
        let _ = rayon::ThreadPoolBuilder::new()
            .stack_size(STACK)
            .build_global();
    });
}

/// `f` applied to each of `items`, results in order: on the thread pool when there are at
/// least `min` items, on this thread otherwise (handing a few items to the pool costs thread
/// wake-ups, a measurable share of a run on one small file).
pub(crate) fn map_ordered<T: Sync, R: Send>(
    items: &[T],
    min: usize,
    f: impl Fn(&T) -> R + Sync + Send,
) -> Vec<R> {
    if items.len() < min {
        items.iter().map(f).collect()
    } else {
        thread_pool();
        use rayon::prelude::*;
        items.par_iter().map(f).collect()
    }
}
