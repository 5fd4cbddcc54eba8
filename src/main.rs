use clap::Parser;
use locklint::{STACK, app, cli::Cli};
use std::process::ExitCode;

fn main() -> ExitCode {
    match std::thread::Builder::new()
        .stack_size(STACK)
        .spawn(|| app::run(Cli::parse()))
    {
        // A panic in the command's thread has printed its message already.
        Ok(thread) => thread.join().unwrap_or(ExitCode::from(101)),
        Err(_) => app::run(Cli::parse()),
    }
}
