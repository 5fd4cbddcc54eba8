use clap::Parser;

fn main() -> std::process::ExitCode {
    locklint::app::run(locklint::cli::Cli::parse())
}
