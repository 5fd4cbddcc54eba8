//! Command execution: wires config, discovery, the pipeline and the reporters together.

use crate::analyze::{Analyzer, FileMode};
use crate::cli::{CheckArgs, Cli, Command, DialectArg, FailOn, Format, ReportArgs, ReportFormat};
use crate::config::{self, Dialect, Level, Settings};
use crate::discover::{self, Input, InputError};
use crate::finding::Finding;
use crate::report::{self, FileResult, Summary};
use crate::rules;
use crate::source::SourceFile;
use rayon::prelude::*;
use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Exit code for usage, config and I/O errors.
const EXIT_USAGE: u8 = 2;

/// Run a parsed command line.
pub fn run(cli: Cli) -> ExitCode {
    match cli.command {
        Command::Check(args) => check(args),
        Command::Report(args) => annotated_report(args),
        Command::Explain { rule } => explain(&rule),
        Command::Rules => list_rules(),
    }
}

fn print_stdout(s: &str) -> bool {
    let mut out = std::io::stdout().lock();
    // A closed pipe (`| head`) is not an error worth a panic.
    out.write_all(s.as_bytes())
        .and_then(|_| out.flush())
        .is_ok()
}

fn explain(name: &str) -> ExitCode {
    match rules::find(name) {
        Some(r) => {
            print_stdout(r.doc);
            ExitCode::SUCCESS
        }
        None => {
            eprintln!("error: unknown rule `{name}`; `locklint rules` lists them");
            ExitCode::from(EXIT_USAGE)
        }
    }
}

fn list_rules() -> ExitCode {
    let mut s = String::new();
    for r in rules::RULES {
        s.push_str(&format!(
            "{:<6} {:<34} {:<8} {}\n",
            r.code, r.name, r.default_level, r.summary
        ));
    }
    print_stdout(&s);
    ExitCode::SUCCESS
}

/// Render a miette diagnostic to stderr without colour unless stderr is a terminal.
fn eprint_diagnostic(d: &dyn miette::Diagnostic) {
    let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let theme = if color {
        miette::GraphicalTheme::unicode()
    } else {
        miette::GraphicalTheme::unicode_nocolor()
    };
    let mut s = String::new();
    let handler = miette::GraphicalReportHandler::new_themed(theme).with_width(100);
    if handler.render_report(&mut s, d).is_err() {
        s = format!("error: {d}\n");
    }
    eprint!("{s}");
}

/// The settings from the config file with the command line's overrides applied; a config
/// error is printed and becomes the usage exit code.
fn load_settings(
    config_path: Option<&Path>,
    paths: &[PathBuf],
    postgres_version: Option<u32>,
    dialect: Option<DialectArg>,
) -> Result<Settings, ExitCode> {
    // Searching from "." keeps paths from a config in the current directory relative. With no
    // config there, the first named path's directory (and its ancestors) is searched, so
    // `locklint check examples/` finds examples/locklint.toml.
    let start = match (config_path, config::find(Path::new("."))) {
        (None, None) => paths
            .iter()
            .find(|p| p.as_os_str() != "-")
            .map(|p| {
                if p.is_dir() {
                    p.clone()
                } else {
                    p.parent().map(Path::to_path_buf).unwrap_or_default()
                }
            })
            .unwrap_or_else(|| PathBuf::from(".")),
        _ => PathBuf::from("."),
    };
    let mut settings = match config::load(config_path, &start, &rules::names()) {
        Ok(s) => s,
        Err(e) => {
            eprint_diagnostic(&e);
            return Err(ExitCode::from(EXIT_USAGE));
        }
    };
    if let Some(v) = postgres_version {
        settings.postgres_version = v;
    }
    if let Some(d) = dialect {
        settings.dialect = match d {
            DialectArg::Postgres => Dialect::Postgres,
            DialectArg::Mysql => Dialect::Mysql,
        };
    }
    Ok(settings)
}

/// The paths named on the command line, else the config's, else `.`.
fn input_paths(named: &[PathBuf], settings: &Settings) -> Vec<PathBuf> {
    if !named.is_empty() {
        named.to_vec()
    } else if !settings.migrations.paths.is_empty() {
        settings.migrations.paths.clone()
    } else {
        vec![PathBuf::from(".")]
    }
}

/// Print input errors and pick the exit code: 2 for I/O errors, 1 for findings at or above
/// `fail_on`, else 0.
fn finish(results: &[FileResult], input_errors: &[InputError], fail_on: FailOn) -> ExitCode {
    for e in input_errors {
        eprintln!("error: {}: {}", e.path, e.message);
    }
    let fail_on = match fail_on {
        FailOn::Error => Level::Error,
        FailOn::Warning => Level::Warning,
    };
    if !input_errors.is_empty() {
        ExitCode::from(EXIT_USAGE)
    } else if Summary::of(results).fails(fail_on) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn check(args: CheckArgs) -> ExitCode {
    let settings = match load_settings(
        args.config.as_deref(),
        &args.paths,
        args.postgres_version,
        args.dialect,
    ) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let paths = input_paths(&args.paths, &settings);
    let (inputs, input_errors) = discover::collect(&paths, &args.stdin_filename);
    let results = lint_inputs(&inputs, &settings);
    let text = match args.format {
        Format::Human => {
            let color = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
            report::human::render(&results, report::human::Options { color, width: 100 })
        }
        Format::Json => report::json::render(&results),
    };
    print_stdout(&text);
    finish(&results, &input_errors, args.fail_on)
}

fn annotated_report(args: ReportArgs) -> ExitCode {
    let settings = match load_settings(
        args.config.as_deref(),
        &args.paths,
        args.postgres_version,
        args.dialect,
    ) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let paths = input_paths(&args.paths, &settings);
    let (inputs, input_errors) = discover::collect(&paths, &args.stdin_filename);
    let results = lint_inputs(&inputs, &settings);
    let text = match args.format {
        ReportFormat::Json => report::report_json::render(&results, &settings),
        ReportFormat::Markdown => report::report_markdown::render(&results, &settings),
    };
    print_stdout(&text);
    finish(&results, &input_errors, args.fail_on)
}

/// Read, parse (in parallel) and analyze (in order) a list of inputs.
pub fn lint_inputs(inputs: &[Input], settings: &Settings) -> Vec<FileResult> {
    let loaded: Vec<(SourceFile, Vec<Finding>)> = inputs.par_iter().map(read_input).collect();
    lint_sources(loaded, settings)
}

/// Parse (in parallel) and analyze (in order) sources already in memory.
pub fn lint_sources(
    loaded: Vec<(SourceFile, Vec<Finding>)>,
    settings: &Settings,
) -> Vec<FileResult> {
    let parsed: Vec<_> = loaded
        .into_par_iter()
        .map(|(src, file_findings)| {
            let stmts = crate::parse::parse_source(&src);
            (src, file_findings, stmts)
        })
        .collect();
    let mut analyzer = Analyzer::new(settings);
    let mode = FileMode {
        single_transaction: settings.migrations.assume_in_transaction,
    };
    parsed
        .into_iter()
        .map(|(source, file_findings, stmts)| {
            let mut stmts = analyzer.analyze(&source, stmts, mode);
            let mut file_findings = file_findings;
            file_findings.extend(crate::suppress::apply(&source, &mut stmts));
            FileResult {
                source,
                tool: "plain",
                stmts,
                file_findings,
            }
        })
        .collect()
}

/// Lint one text (tests, rule pages, stdin).
pub fn lint_text(name: &str, text: &str, settings: &Settings) -> FileResult {
    let mut v = lint_sources(
        vec![(SourceFile::new(name, text.to_string()), Vec::new())],
        settings,
    );
    v.remove(0)
}

fn file_finding(
    span: std::ops::Range<usize>,
    level: Level,
    message: String,
    help: &str,
) -> Finding {
    let rule = rules::find("parse-error").expect("parse-error is registered");
    Finding::new(rule, level, span, message, help.to_string())
}

/// Read one input: unreadable files and binary files become findings; invalid UTF-8 is decoded
/// lossily with a warning at the first bad byte.
pub fn read_input(input: &Input) -> (SourceFile, Vec<Finding>) {
    let bytes = match &input.path {
        Some(p) => std::fs::read(p),
        None => {
            let mut b = Vec::new();
            std::io::stdin().read_to_end(&mut b).map(|_| b)
        }
    };
    let bytes = match bytes {
        Ok(b) => b,
        Err(e) => {
            let f = file_finding(
                0..0,
                Level::Error,
                format!(
                    "could not read {}: {}",
                    input.display,
                    discover::io_message(&e)
                ),
                "Check that the file exists and is readable.",
            );
            return (
                SourceFile::new(input.display.clone(), String::new()),
                vec![f],
            );
        }
    };
    decode(&input.display, bytes)
}

/// Decode file bytes into a source plus any file-level findings.
pub fn decode(name: &str, bytes: Vec<u8>) -> (SourceFile, Vec<Finding>) {
    let sniff = &bytes[..bytes.len().min(8192)];
    if sniff.contains(&0) {
        let f = file_finding(
            0..0,
            Level::Warning,
            format!("{name} looks like a binary file (it contains NUL bytes); skipped"),
            "Only SQL text files can be linted.",
        );
        return (SourceFile::new(name, String::new()), vec![f]);
    }
    let bytes = match bytes.strip_prefix(b"\xEF\xBB\xBF") {
        Some(rest) => rest.to_vec(),
        None => bytes,
    };
    match String::from_utf8(bytes) {
        Ok(text) => (SourceFile::new(name, text), Vec::new()),
        Err(e) => {
            let bad = e.utf8_error().valid_up_to();
            let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
            let f = file_finding(
                bad..bad,
                Level::Warning,
                format!(
                    "{name} is not valid UTF-8 (first bad byte at offset {bad}); invalid bytes were replaced with U+FFFD"
                ),
                "Save the file as UTF-8.",
            );
            (SourceFile::new(name, text), vec![f])
        }
    }
}
