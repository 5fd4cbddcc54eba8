use clap::Parser;
use locklint::{app, cli::Cli};
use std::process::ExitCode;

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
