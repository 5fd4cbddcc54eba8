//! Command execution: wires config, discovery, the pipeline and the reporters together.

use crate::analyze::{Analyzer, FileMode};
use crate::cli::{
    CheckArgs, Cli, Command, DialectArg, FailOn, Format, InputArgs, ReportArgs, ReportFormat,
    RulesFormat,
};
use crate::config::{self, Dialect, Level, Settings, Tool};
use crate::discover::git::Changed;
use crate::discover::{self, Input, InputError};
use crate::discover::{Direction, FileRef, Order, Part};
use crate::finding::Finding;
use crate::model::Stmt;
use crate::report::{self, FileResult, Summary};
use crate::rules;
use crate::source::SourceFile;
use clap::CommandFactory;
use rayon::prelude::*;
use std::borrow::Cow;
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
        Command::Rules { format } => list_rules(format),
        Command::Init { force } => init(force),
        Command::Completions { shell } => completions(shell),
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

fn list_rules(format: RulesFormat) -> ExitCode {
    print_stdout(&match format {
        RulesFormat::Table => report::rules::table(),
        RulesFormat::Json => report::rules::json(),
    });
    ExitCode::SUCCESS
}

fn init(force: bool) -> ExitCode {
    match crate::init::run(Path::new("."), force) {
        Ok(w) => {
            let found = match &w.migrations {
                Some(dir) => format!("migrations: {dir}"),
                None => "no migrations folder found: set [migrations] paths".to_string(),
            };
            print_stdout(&format!("wrote {} ({found})\n", w.path.display()));
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(EXIT_USAGE)
        }
    }
}

fn completions(shell: clap_complete::Shell) -> ExitCode {
    let mut buf = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "locklint", &mut buf);
    print_stdout(&String::from_utf8_lossy(&buf));
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
fn load_settings(args: &InputArgs) -> Result<Settings, ExitCode> {
    let (config_path, paths) = (args.config.as_deref(), &args.paths);
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
    if let Some(v) = args.postgres_version {
        settings.postgres_version = v;
    }
    if let Some(d) = args.dialect {
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
    let settings = match load_settings(&args.input) {
        Ok(s) => s,
        Err(code) => return code,
    };
    if args.dump_config {
        return dump_config(&settings);
    }
    let paths = input_paths(&args.input.paths, &settings);
    let changed = match &args.since {
        Some(rev) => match discover::git::changed_since(Path::new("."), rev) {
            Ok(c) => Some(c),
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::from(EXIT_USAGE);
            }
        },
        None => None,
    };
    let (inputs, input_errors) = discover::collect(&paths, &args.input.stdin_filename);
    let results = lint_inputs_since(&inputs, &settings, changed.as_ref());
    let text = match args.format {
        Format::Human => {
            let color = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
            report::human::render(&results, report::human::Options { color, width: 100 })
        }
        Format::Json => report::json::render(&results),
        Format::Github => report::github::render(&results),
        Format::Sarif => report::sarif::render(&results),
        Format::Gitlab => report::gitlab::render(&results),
        Format::Junit => report::junit::render(&results),
        Format::Markdown => report::markdown::render(&results),
    };
    print_stdout(&text);
    if args.stats {
        let roots = crate::stats::roots(&paths);
        let groups = crate::stats::Stats::grouped(&results, |f| {
            crate::stats::group_of(&f.source.name, &roots)
        });
        eprint!("{}", crate::stats::table(&groups));
    }
    finish(&results, &input_errors, args.input.fail_on)
}

fn annotated_report(args: ReportArgs) -> ExitCode {
    let settings = match load_settings(&args.input) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let paths = input_paths(&args.input.paths, &settings);
    let (inputs, input_errors) = discover::collect(&paths, &args.input.stdin_filename);
    let results = lint_inputs(&inputs, &settings);
    let text = match args.format {
        ReportFormat::Json => report::report_json::render(&results, &settings),
        ReportFormat::Markdown => report::report_markdown::render(&results, &settings),
        ReportFormat::Html => report::report_html::render(&results, &settings),
    };
    match &args.output {
        Some(path) => {
            if let Err(e) = std::fs::write(path, &text) {
                eprintln!("error: could not write {}: {e}", path.display());
                return ExitCode::from(EXIT_USAGE);
            }
        }
        None => {
            print_stdout(&text);
        }
    }
    finish(&results, &input_errors, args.input.fail_on)
}

fn dump_config(settings: &Settings) -> ExitCode {
    match toml::to_string(settings) {
        Ok(s) => {
            print_stdout(&s);
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: could not print the configuration: {e}");
            ExitCode::from(EXIT_USAGE)
        }
    }
}

/// Read, parse (in parallel) and analyze (in order) a list of inputs.
pub fn lint_inputs(inputs: &[Input], settings: &Settings) -> Vec<FileResult> {
    lint_inputs_since(inputs, settings, None)
}

/// [`lint_inputs`], reporting only the files in `changed` (and standard input) when it is
/// given: every other file is still replayed into the schema, in order, without findings.
pub fn lint_inputs_since(
    inputs: &[Input],
    settings: &Settings,
    changed: Option<&Changed>,
) -> Vec<FileResult> {
    let loaded: Vec<(SourceFile, Vec<Finding>)> = inputs.par_iter().map(read_input).collect();
    let report: Vec<bool> = inputs
        .iter()
        .map(|i| match (changed, &i.path) {
            (Some(c), Some(p)) => c.contains(p),
            _ => true,
        })
        .collect();
    lint_loaded(loaded, &report, settings, Order::Tool)
}

/// Parse (in parallel) and analyze sources already in memory, as consecutive migrations in the
/// order given (each folder's tool still decides parts and transactions).
pub fn lint_sources(
    loaded: Vec<(SourceFile, Vec<Finding>)>,
    settings: &Settings,
) -> Vec<FileResult> {
    let report = vec![true; loaded.len()];
    lint_loaded(loaded, &report, settings, Order::Given)
}

/// Parse the statements of one part of a file.
fn parse_part(src: &SourceFile, part: &Part) -> Vec<Stmt> {
    match part.text_to_parse(&src.text) {
        Cow::Borrowed(_) => crate::parse::parse_part(src, part.range.clone(), &part.blocks),
        Cow::Owned(text) => {
            let blanked = SourceFile::new(src.name.clone(), text);
            crate::parse::parse_part(&blanked, part.range.clone(), &part.blocks)
        }
    }
}

/// The transaction mode of a list of parts.
fn file_mode(parts: &[(&Part, Vec<Stmt>)]) -> FileMode {
    FileMode {
        parts: parts.iter().map(|(p, _)| (p.range.start, p.txn)).collect(),
    }
}

/// The pipeline after reading: order the files (the way their tools apply them, or as given),
/// parse each file's parts (in parallel), then analyze in order. Forward parts are replayed
/// into the schema; down parts are analyzed against it without changing it. Files whose
/// `report` entry is false are only replayed.
fn lint_loaded(
    loaded: Vec<(SourceFile, Vec<Finding>)>,
    report: &[bool],
    settings: &Settings,
    order: Order,
) -> Vec<FileResult> {
    let refs: Vec<FileRef> = loaded
        .iter()
        .map(|(s, _)| FileRef {
            name: &s.name,
            text: &s.text,
        })
        .collect();
    let plan = discover::arrange(&refs, settings, order);
    let parsed: Vec<Vec<(&Part, Vec<Stmt>)>> = plan
        .par_iter()
        .map(|p| {
            let src = &loaded[p.index].0;
            p.parts
                .iter()
                .map(|part| (part, parse_part(src, part)))
                .collect()
        })
        .collect();
    let mut slots: Vec<Option<(SourceFile, Vec<Finding>)>> = loaded.into_iter().map(Some).collect();
    let mut analyzer = Analyzer::new(settings);
    let mut results = Vec::new();
    for (planned, parts) in plan.iter().zip(parsed) {
        let Some((source, mut file_findings)) = slots.get_mut(planned.index).and_then(Option::take)
        else {
            continue;
        };
        let (forward, down): (Vec<_>, Vec<_>) = parts
            .into_iter()
            .partition(|(p, _)| p.direction == Direction::Forward);
        let (forward_mode, down_mode) = (file_mode(&forward), file_mode(&down));
        let forward: Vec<Stmt> = forward.into_iter().flat_map(|(_, s)| s).collect();
        let down: Vec<Stmt> = down.into_iter().flat_map(|(_, s)| s).collect();
        if !report.get(planned.index).copied().unwrap_or(true) {
            analyzer.replay(&forward);
            continue;
        }
        if planned.parts.is_empty() && file_findings.is_empty() {
            // A down migration, not linted.
            continue;
        }
        let mut stmts = analyzer.analyze(&source, forward, &forward_mode);
        if !down.is_empty() {
            stmts.extend(analyzer.analyze_detached(&source, down, &down_mode));
            stmts.sort_by_key(|a| a.stmt.span.start);
        }
        file_findings.extend(crate::suppress::apply(&source, &mut stmts));
        results.push(FileResult {
            source,
            tool: planned.tool.name(),
            stmts,
            file_findings,
        });
    }
    results
}

/// Lint one text (tests, rule pages, stdin).
pub fn lint_text(name: &str, text: &str, settings: &Settings) -> FileResult {
    let source = SourceFile::new(name, text.to_string());
    let empty = FileResult {
        source: source.clone(),
        tool: Tool::Plain.name(),
        stmts: Vec::new(),
        file_findings: Vec::new(),
    };
    lint_sources(vec![(source, Vec::new())], settings)
        .pop()
        .unwrap_or(empty)
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
