//! The fuzz target's seeds (`fuzz/seeds`: inputs that once crashed a run) through the pipeline
//! and every output format, the way the fuzz target reads them: the first byte picks the
//! settings (here only the dialect), a 0xFF byte cuts the rest into two files of one folder.

use locklint::config::{Dialect, Level, Settings};
use locklint::report;

#[test]
fn every_fuzz_seed_is_linted_and_rendered_without_a_panic() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/seeds");
    let mut seeds: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    seeds.sort();
    assert!(seeds.len() >= 20, "{seeds:?}");
    for path in seeds {
        let data = std::fs::read(&path).unwrap();
        let Some((&sel, rest)) = data.split_first() else {
            continue;
        };
        let mut settings = Settings::default();
        if sel & 1 != 0 {
            settings.dialect = Dialect::Mysql;
        }
        let parts: Vec<&[u8]> = match rest.iter().position(|&b| b == 0xFF) {
            Some(i) if sel & 0x80 != 0 => vec![&rest[..i], &rest[i + 1..]],
            _ => vec![rest],
        };
        let loaded = parts
            .iter()
            .zip(["db/001_a.sql", "db/002_b.sql"])
            .map(|(bytes, name)| locklint::pipeline::decode(name, bytes.to_vec()))
            .collect();
        let files = locklint::pipeline::lint_sources(loaded, &settings);
        assert!(!files.is_empty(), "{}", path.display());
        let json = report::check::json::render(&files);
        serde_json::from_str::<serde_json::Value>(&json)
            .unwrap_or_else(|e| panic!("{}: invalid JSON ({e})", path.display()));
        let sarif = report::check::sarif::render(&files);
        serde_json::from_str::<serde_json::Value>(&sarif)
            .unwrap_or_else(|e| panic!("{}: invalid SARIF ({e})", path.display()));
        let human = report::check::human::render(
            &files,
            report::check::human::Options {
                color: false,
                width: 80,
            },
        );
        assert!(human.contains("statement"), "{}: {human}", path.display());
        let _ = report::check::junit::render(&files, Level::Error);
        let _ = report::check::markdown::render(&files);
        let _ = report::check::github::render(&files);
        let _ = report::check::gitlab::render(&files);
    }
}
