use clap::Parser;
use locklint::{app, cli::Cli};
use std::process::ExitCode;

/// mimalloc (v2): the pipeline allocates many small, short-lived strings and vectors (tokens,
/// AST nodes, findings); with glibc's malloc a fifth of a run went to malloc and free. On the
/// benchmark file it takes ~22% less CPU; peak memory on the whole corpus is ~90 MB (glibc ~55).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Stack for the thread that runs the command and for each parsing thread. Parsing and lowering
/// recurse as deep as an expression nests; the parser bounds that depth, and this leaves ample
/// room for it at any optimization level.
const STACK: usize = 64 << 20;

fn main() -> ExitCode {
    // Only fails if the pool was already built, which nothing does before this.
    let _ = rayon::ThreadPoolBuilder::new()
        .stack_size(STACK)
        .build_global();
    match std::thread::Builder::new()
        .stack_size(STACK)
        .spawn(|| app::run(Cli::parse()))
    {
        // A panic in the command's thread has printed its message already.
        Ok(thread) => thread.join().unwrap_or(ExitCode::from(101)),
        Err(_) => app::run(Cli::parse()),
    }
}
