//! Human output stays linear in the number of findings: 50,000 findings in one ~6 MB file render
//! in seconds (a renderer that rescans the file for every snippet needs tens of minutes).

use locklint::config::Settings;
use locklint::report::check::human;
use std::time::{Duration, Instant};

const FINDINGS: usize = 50_000;

#[test]
fn fifty_thousand_findings_in_one_big_file() {
    // Default settings: tables without a size hint count as large, so every line is a finding.
    let mut text = String::with_capacity(FINDINGS * 128);
    for i in 0..FINDINGS {
        text.push_str(&format!(
            "CREATE INDEX measurements_idx_{i:05} ON measurements_{:03} (device_id, taken_at, value); -- {}\n",
            i % 1000,
            "x".repeat(24)
        ));
    }
    assert!(text.len() > 5_500_000, "{} bytes", text.len());

    let t = Instant::now();
    // One finding per statement: the once-per-file lock_timeout reminder is not what is measured.
    let mut settings = Settings::default();
    settings
        .rules
        .insert("missing-lock-timeout".into(), locklint::config::Level::Off);
    let result = locklint::pipeline::lint_text("migrations/big.sql", &text, &settings);
    let lint_time = t.elapsed();
    assert_eq!(result.findings().len(), FINDINGS);

    let t = Instant::now();
    let out = human::render(
        std::slice::from_ref(&result),
        human::Options {
            color: false,
            width: 100,
        },
    );
    let render_time = t.elapsed();
    println!(
        "{} bytes, {FINDINGS} findings: lint {lint_time:?}, human render {render_time:?} ({} bytes out)",
        text.len(),
        out.len()
    );
    assert!(out.ends_with("50000 errors, 0 warnings in 1 file (50000 statements, 0 unparsed)\n"));
    // The last finding points at the last line.
    assert!(out.contains(&format!("migrations/big.sql:{FINDINGS}:1")));
    // Generous for a debug build on a loaded machine; a quadratic renderer takes minutes.
    assert!(
        render_time < Duration::from_secs(20),
        "rendering took {render_time:?}"
    );
}
