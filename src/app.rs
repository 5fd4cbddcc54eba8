//! Command handling: each command's options, the pipeline ([`crate::pipeline`]) and its reporter.

use crate::cli::{
    CheckArgs, Cli, Command, DialectArg, FailOn, Format, InputArgs, ReportArgs, ReportFormat,
    RulesFormat,
};
use crate::config::{self, Dialect, Level, Settings};
use crate::discover::git::Changed;
use crate::discover::{self, InputError};
use crate::pipeline::{Keep, lint_inputs_since};
use crate::report::{self, FileResult, Summary};
use crate::rules;
use clap::CommandFactory;
use std::io::{IsTerminal, Write};
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
        Command::Hints(args) => hints(args),
        Command::Calibrate(args) => calibrate(args),
        Command::Init { force } => init(force),
        Command::Completions { shell } => completions(shell),
    }
}

/// Write `s` to standard output; see [`written`].
fn print_stdout(s: &str) -> Result<(), ExitCode> {
    let mut out = std::io::stdout().lock();
    written(out.write_all(s.as_bytes()).and_then(|_| out.flush()))
}

/// The outcome of writing the output: a closed pipe (`| head`) ends it silently, as the reader
/// wanted no more; any other write error (a full disk) is reported and is the I/O exit code, so
/// that a truncated report never passes.
fn written(result: std::io::Result<()>) -> Result<(), ExitCode> {
    match result {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            eprintln!(
                "error: could not write the output: {}",
                discover::io_message(&e)
            );
            Err(ExitCode::from(EXIT_USAGE))
        }
        _ => Ok(()),
    }
}

fn explain(name: &str) -> ExitCode {
    match rules::find(name) {
        Some(r) => print_stdout(r.doc).map_or_else(|c| c, |_| ExitCode::SUCCESS),
        None => {
            match config::closest(name, rules::names()) {
                Some(near) => eprintln!(
                    "error: unknown rule `{name}`; did you mean `{near}`? (`locklint rules` lists them)"
                ),
                None => eprintln!("error: unknown rule `{name}`; `locklint rules` lists them"),
            }
            ExitCode::from(EXIT_USAGE)
        }
    }
}

fn list_rules(format: RulesFormat) -> ExitCode {
    print_stdout(&match format {
        RulesFormat::Table => report::rule_list::table(),
        RulesFormat::Json => report::rule_list::json(),
    })
    .map_or_else(|c| c, |_| ExitCode::SUCCESS)
}

fn init(force: bool) -> ExitCode {
    match crate::init::run(Path::new("."), force) {
        Ok(w) => {
            let found = if w.migrations.is_empty() {
                "no migrations folder found: set [migrations] paths".to_string()
            } else {
                format!("migrations: {}", w.migrations.join(", "))
            };
            print_stdout(&format!("wrote {} ({found})\n", w.path.display()))
                .map_or_else(|c| c, |_| ExitCode::SUCCESS)
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(EXIT_USAGE)
        }
    }
}

fn hints(args: crate::cli::HintsArgs) -> ExitCode {
    printed(crate::hints::command(args))
}

fn calibrate(args: crate::cli::CalibrateArgs) -> ExitCode {
    printed(crate::calibrate::command(args))
}

/// A command's output printed (stderr first), or its error as a diagnostic with the usage
/// exit code; a failed write of the output is an error too.
fn printed<E: miette::Diagnostic>(outcome: Result<crate::hints::Printed, E>) -> ExitCode {
    match outcome {
        Ok(p) => {
            eprint!("{}", p.stderr);
            print_stdout(&p.stdout).map_or_else(|c| c, |_| ExitCode::SUCCESS)
        }
        Err(e) => {
            eprint_diagnostic(&e);
            ExitCode::from(EXIT_USAGE)
        }
    }
}

fn completions(shell: clap_complete::Shell) -> ExitCode {
    let mut buf = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "locklint", &mut buf);
    print_stdout(&String::from_utf8_lossy(&buf)).map_or_else(|c| c, |_| ExitCode::SUCCESS)
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
    let handler = miette::GraphicalReportHandler::new_themed(theme)
        .with_width(report::check::human::width_of(std::io::stderr()));
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
    if let Some(max) = args.max_file_bytes {
        settings.migrations.max_file_bytes = max;
    }
    if let Some(d) = args.dialect {
        settings.dialect = match d {
            DialectArg::Postgres => Dialect::Postgres,
            DialectArg::Mysql => Dialect::Mysql,
        };
    }
    if let Some(f) = args.fail_on {
        settings.fail_on = match f {
            FailOn::Error => Level::Error,
            FailOn::Warning => Level::Warning,
        };
    }
    Ok(settings)
}

/// Expand the input paths; the current directory, when nothing names paths, without the
/// files git ignores and hidden folders. With `history`, the named files are the selection
/// and their folders' other migrations are replayed (`--with-history`). A missing path from
/// the config says so; a folder with no `.sql` file is a warning.
fn collect_inputs(
    named: &[PathBuf],
    settings: &Settings,
    stdin_name: &str,
    history: bool,
) -> (Vec<discover::Input>, Vec<InputError>, Option<Changed>) {
    let paths = input_paths(named, settings);
    let (inputs, mut errors, selected) = if history {
        let (i, e, selected) =
            discover::history::collect(&paths, stdin_name, &settings.migrations.extensions);
        (i, e, Some(selected))
    } else if named.is_empty() && settings.migrations.paths.is_empty() {
        let (i, e) =
            discover::default_walk::collect(Path::new("."), &settings.migrations.extensions);
        (i, e, None)
    } else {
        let (i, e) = discover::collect_with(&paths, stdin_name, &settings.migrations.extensions);
        (i, e, None)
    };
    if named.is_empty()
        && let Some(config) = &settings.config_path
    {
        for e in &mut errors {
            if settings
                .migrations
                .paths
                .iter()
                .any(|p| *p.to_string_lossy() == e.path)
            {
                e.message.push_str(&format!(
                    " (from `[migrations] paths` in {})",
                    config.display()
                ));
            }
        }
    }
    for p in &paths {
        if p.is_dir()
            && !inputs
                .iter()
                .any(|i| i.path.as_ref().is_some_and(|f| f.starts_with(p)))
        {
            eprintln!(
                "warning: {}: no .sql files in this folder; nothing was linted there",
                p.display()
            );
        }
    }
    (inputs, errors, selected)
}

/// The selection (files reported; `None`: all) without the files `[migrations] exclude`
/// matches: those are still replayed into the schema, never reported.
fn without_excluded(
    inputs: &[discover::Input],
    settings: &Settings,
    selection: Option<Changed>,
) -> Option<Changed> {
    let exclude = &settings.migrations.exclude;
    if exclude.is_empty() {
        return selection;
    }
    Some(Changed::of_paths(
        inputs
            .iter()
            .filter_map(|i| i.path.as_ref())
            .filter(|p| !exclude.matches(p))
            .filter(|p| selection.as_ref().is_none_or(|c| c.contains(p)))
            .cloned(),
    ))
}

/// With nothing to lint and an input error, the errors alone (no "0 files" summary that could
/// pass for a clean run): the usage exit code.
fn nothing_to_lint(inputs: &[discover::Input], errors: &[InputError]) -> Option<ExitCode> {
    if !inputs.is_empty() || errors.is_empty() {
        return None;
    }
    for e in errors {
        eprintln!("error: {}: {}", e.path, e.message);
    }
    Some(ExitCode::from(EXIT_USAGE))
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
fn finish(results: &[FileResult], input_errors: &[InputError], fail_on: Level) -> ExitCode {
    for e in input_errors {
        eprintln!("error: {}: {}", e.path, e.message);
    }
    if !input_errors.is_empty() {
        ExitCode::from(EXIT_USAGE)
    } else if crate::severity::fails(&Summary::of(results), fail_on) {
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
    let (inputs, input_errors, selected) = collect_inputs(
        &args.input.paths,
        &settings,
        &args.input.stdin_filename,
        args.with_history,
    );
    if let Some(code) = nothing_to_lint(&inputs, &input_errors) {
        return code;
    }
    let changed = without_excluded(&inputs, &settings, selected.or(changed));
    if args.fix || args.diff {
        match fix(&args, &inputs, &settings, changed.as_ref()) {
            Ok(Some(code)) => return code,
            Ok(None) => {}
            Err(code) => return code,
        }
    }
    // The markdown comment tables every statement; the other formats show findings only.
    let keep = match args.format {
        Format::Markdown => Keep::All,
        _ => Keep::Findings,
    };
    let mut results = lint_inputs_since(&inputs, &settings, changed.as_ref(), keep);
    if let Err(code) = apply_baseline(&args, &mut results) {
        return code;
    }
    let output = if args.format == Format::Json {
        // Written as it is serialized: the document is never held whole.
        let mut out = std::io::BufWriter::new(std::io::stdout().lock());
        written(report::check::json::write(&results, &mut out).and_then(|_| out.flush()))
    } else {
        print_stdout(&match args.format {
            Format::Human => {
                let color =
                    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
                report::check::human::render(
                    &results,
                    report::check::human::Options {
                        color,
                        width: report::check::human::width_of(std::io::stdout()),
                    },
                )
            }
            Format::Json => report::check::json::render(&results),
            Format::Github => report::check::github::render(&results),
            Format::Sarif => report::check::sarif::render(&results),
            Format::Gitlab => report::check::gitlab::render(&results),
            Format::Junit => report::check::junit::render(&results, settings.fail_on),
            Format::Markdown => report::check::markdown::render_capped(
                &results,
                usize::try_from(args.markdown_max_chars).unwrap_or(usize::MAX),
            ),
        })
    };
    if args.stats {
        let roots = crate::stats::roots(&paths);
        let groups = crate::stats::Stats::grouped(&results, |f| {
            crate::stats::group_of(&f.source.name, &roots)
        });
        eprint!("{}", crate::stats::table(&groups));
    }
    let mut code = finish(&results, &input_errors, settings.fail_on);
    if args.write_baseline.is_some() && code == ExitCode::from(1) {
        // The findings were just recorded: adopting is a success.
        code = ExitCode::SUCCESS;
    }
    let code = output.map_or_else(|c| c, |_| code);
    // The process ends next and the OS takes the memory back at once; freeing every finding
    // and source one by one first would only cost time.
    std::mem::forget(results);
    code
}

/// `--fix` / `--diff`: plan the mechanical recipes of the selected files; `--diff` prints them
/// and returns the exit code (1 when there is something to fix), `--fix` writes them and lets
/// the check go on to report what is left.
fn fix(
    args: &CheckArgs,
    inputs: &[discover::Input],
    settings: &Settings,
    changed: Option<&Changed>,
) -> Result<Option<ExitCode>, ExitCode> {
    let flag = if args.fix { "--fix" } else { "--diff" };
    // Only files the user selected are ever rewritten: an applied migration must not change.
    if changed.is_none()
        && let Some(walked) = inputs.iter().find(|i| i.walked)
    {
        eprintln!(
            "error: {flag} rewrites only the migrations you select: name the files on the command line or pass --since REF; {} was found by walking a folder. Rewriting a migration that has already been applied breaks Flyway's and Liquibase's checksums and the migration history.",
            walked.display
        );
        return Err(ExitCode::from(EXIT_USAGE));
    }
    let results = lint_inputs_since(inputs, settings, changed, Keep::All);
    let mut changes = Vec::new();
    let mut fixed = 0;
    for r in &results {
        let Some(path) = inputs
            .iter()
            .find(|i| i.display == r.source.name)
            .and_then(|i| i.path.as_ref())
        else {
            continue;
        };
        let plan = crate::fix::plan(r, path, settings);
        for why in &plan.skipped {
            eprintln!("{flag}: {why}");
        }
        fixed += plan.fixed;
        changes.extend(plan.changes);
    }
    if args.diff {
        let mut out = String::new();
        for c in &changes {
            out.push_str(&crate::fix::unified_diff(c));
        }
        print_stdout(&out)?;
        if !args.fix {
            return Ok(Some(if changes.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            }));
        }
    }
    if let Err(e) = crate::fix::write(&changes) {
        eprintln!("error: --fix: {}", discover::io_message(&e));
        return Err(ExitCode::from(EXIT_USAGE));
    }
    let new = changes.iter().filter(|c| c.old.is_none()).count();
    eprintln!(
        "--fix: fixed {fixed} finding{} in {} file{} ({new} new)",
        if fixed == 1 { "" } else { "s" },
        changes.len() - new,
        if changes.len() - new == 1 { "" } else { "s" },
    );
    Ok(None)
}

/// `--write-baseline` (record the findings, before any baseline is applied) and `--baseline`
/// (drop the recorded findings, list stale entries on standard error).
fn apply_baseline(args: &CheckArgs, results: &mut [FileResult]) -> Result<(), ExitCode> {
    let usage = |e: crate::baseline::BaselineError| {
        eprintln!("error: {e}");
        ExitCode::from(EXIT_USAGE)
    };
    if let Some(path) = &args.write_baseline {
        let b = crate::baseline::of(results);
        crate::baseline::write(path, &b).map_err(usage)?;
        eprintln!(
            "wrote {} to {}",
            report::text::plural(b.findings.len(), "finding"),
            path.display()
        );
        return Ok(());
    }
    let Some(path) = &args.baseline else {
        return Ok(());
    };
    let b = crate::baseline::read(path).map_err(usage)?;
    let (_, stale) = crate::baseline::apply(results, &b);
    if !stale.is_empty() {
        let mut s = format!(
            "warning: baseline {}: {} no longer {} a finding (fixed, edited or deleted); \
             refresh it with --write-baseline:\n",
            path.display(),
            if stale.len() == 1 {
                "1 stale entry".to_string()
            } else {
                format!("{} stale entries", stale.len())
            },
            if stale.len() == 1 { "matches" } else { "match" },
        );
        for e in &stale {
            s.push_str(&format!("  {}:{} {}\n", e.path, e.line, e.rule));
        }
        eprint!("{s}");
    }
    Ok(())
}

fn annotated_report(args: ReportArgs) -> ExitCode {
    let settings = match load_settings(&args.input) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let (inputs, input_errors, _) = collect_inputs(
        &args.input.paths,
        &settings,
        &args.input.stdin_filename,
        false,
    );
    if let Some(code) = nothing_to_lint(&inputs, &input_errors) {
        if let Some(path) = &args.output {
            eprintln!("error: {} not written", path.display());
        }
        return code;
    }
    let selection = without_excluded(&inputs, &settings, None);
    let results = lint_inputs_since(&inputs, &settings, selection.as_ref(), Keep::All);
    let text = match args.format {
        ReportFormat::Json => report::annotated::json::render(&results, &settings),
        ReportFormat::Markdown => report::annotated::markdown::render_capped(
            &results,
            &settings,
            usize::try_from(args.markdown_max_chars).unwrap_or(usize::MAX),
        ),
        ReportFormat::Html => report::annotated::html::render(&results, &settings),
    };
    match &args.output {
        // No report that looks complete when an input is missing.
        Some(path) if !input_errors.is_empty() => {
            eprintln!("error: {} not written", path.display());
        }
        Some(path) => {
            if let Err(e) = std::fs::write(path, &text) {
                eprintln!("error: could not write {}: {e}", path.display());
                return ExitCode::from(EXIT_USAGE);
            }
        }
        None => {
            if let Err(code) = print_stdout(&text) {
                return code;
            }
        }
    }
    finish(&results, &input_errors, settings.fail_on)
}

/// The effective settings as a config file that loads back: `[migrations] paths` relative
/// to the config's folder again, where the file came from as a comment.
fn dump_config(settings: &Settings) -> ExitCode {
    let mut settings = settings.clone();
    let mut header = String::new();
    if let Some(path) = &settings.config_path {
        header = format!("# from {}\n", path.display());
        let base = path.parent().unwrap_or(Path::new(""));
        for p in &mut settings.migrations.paths {
            if let Ok(rel) = p.strip_prefix(base) {
                *p = if rel.as_os_str().is_empty() {
                    PathBuf::from(".")
                } else {
                    rel.to_path_buf()
                };
            }
        }
        if !base.as_os_str().is_empty() && !settings.migrations.paths.is_empty() {
            header.push_str(&format!(
                "# [migrations] paths are relative to {}\n",
                base.display()
            ));
        }
    }
    match toml::to_string(&settings) {
        Ok(s) => print_stdout(&format!("{header}{s}")).map_or_else(|c| c, |_| ExitCode::SUCCESS),
        Err(e) => {
            eprintln!("error: could not print the configuration: {e}");
            ExitCode::from(EXIT_USAGE)
        }
    }
}
