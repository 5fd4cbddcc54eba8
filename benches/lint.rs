//! `cargo bench`: throughput on the ../shared/bench/gen_large.py workload and time over the
//! ../shared/corpus, in process (parse, analyze, JSON output), median of several runs.
//!
//! Options (environment): `LOCKLINT_BENCH_GROUPS` (default 2000, about 4 MB),
//! `LOCKLINT_BENCH_RUNS` (default 7). The generated file is kept under `target/tmp/`.

use locklint::config::Settings;
use locklint::pipeline::Keep;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const SHARED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared");

fn env_num(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn time<T>(runs: usize, mut f: impl FnMut() -> T) -> (Duration, Duration, Duration) {
    let times: Vec<Duration> = (0..runs)
        .map(|_| {
            let t = Instant::now();
            std::hint::black_box(f());
            t.elapsed()
        })
        .collect();
    let (min, max) = (
        *times.iter().min().unwrap_or(&Duration::ZERO),
        *times.iter().max().unwrap_or(&Duration::ZERO),
    );
    (median(times), min, max)
}

fn gen_large(groups: usize) -> Option<PathBuf> {
    let script = Path::new(SHARED).join("bench/gen_large.py");
    // Cargo's scratch folder for benches (target/tmp): generated files never land in the tree.
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("gen_large-{groups}.sql"));
    if !out.is_file() {
        let ok = Command::new("python3")
            .arg(&script)
            .arg(&out)
            .arg(groups.to_string())
            .status()
            .map(|s| s.success())
            .unwrap_or(false);
        if !ok {
            eprintln!("skipped gen_large: could not run {}", script.display());
            return None;
        }
    }
    Some(out)
}

fn main() {
    // `cargo test --benches` runs this with `--bench` absent; keep that quick.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let runs = env_num("LOCKLINT_BENCH_RUNS", 7);
    let groups = env_num("LOCKLINT_BENCH_GROUPS", 2000);
    let settings = Settings::default();
    // What `check --format json` does: read, lint keeping only findings, write JSON.
    let check_json = |inputs: &[locklint::discover::Input]| {
        let results = locklint::pipeline::lint_inputs(inputs, &settings, Keep::Findings);
        let mut out = Vec::new();
        let _ = locklint::report::check::json::write(&results, &mut out);
        out.len()
    };

    if let Some(path) = gen_large(groups) {
        let mb = std::fs::metadata(&path).map_or(0, |m| m.len()) as f64 / 1e6;
        let (inputs, _) = locklint::discover::collect(std::slice::from_ref(&path), "<stdin>");
        let (med, min, max) = time(runs, || check_json(&inputs));
        println!(
            "gen_large {groups} groups ({mb:.2} MB, --format json): median {:.1} ms ({:.1}..{:.1}), {:.1} MB/s",
            med.as_secs_f64() * 1e3,
            min.as_secs_f64() * 1e3,
            max.as_secs_f64() * 1e3,
            mb / med.as_secs_f64()
        );
    }

    let corpus = Path::new(SHARED).join("corpus");
    if corpus.join("MANIFEST.toml").is_file() {
        let (inputs, _) = locklint::discover::collect(std::slice::from_ref(&corpus), "<stdin>");
        let (med, min, max) = time(runs, || check_json(&inputs));
        println!(
            "corpus ({} files, read + lint + json): median {:.1} ms ({:.1}..{:.1})",
            inputs.len(),
            med.as_secs_f64() * 1e3,
            min.as_secs_f64() * 1e3,
            max.as_secs_f64() * 1e3
        );
    } else {
        eprintln!("skipped corpus: none at {}", corpus.display());
    }
}
