//! Arbitrary bytes through the whole pipeline: decode, split, parse, lower, analysis, rules,
//! suppressions and every output format; the split is also checked against the
//! tokenizer-driven splitter alone.
//!
//! The first byte picks the settings (dialect, migration tool, unknown table size, file name);
//! the rest is the file. A 0xFF byte (never valid UTF-8) cuts it into two files of one folder,
//! so cross-file schema replay and ordering are exercised too.
#![no_main]

use libfuzzer_sys::fuzz_target;
use locklint::config::{Dialect, Level, Settings, Tool, UnknownSize};
use locklint::parse::split::{split, split_slow};
use locklint::report;

const TOOLS: [Tool; 10] = [
    Tool::Plain,
    Tool::Goose,
    Tool::Dbmate,
    Tool::Sqlx,
    Tool::Diesel,
    Tool::GolangMigrate,
    Tool::Flyway,
    Tool::Prisma,
    Tool::Liquibase,
    Tool::Plain,
];

const NAMES: [[&str; 2]; 4] = [
    ["db/001_a.sql", "db/002_b.sql"],
    ["db/V1__a.sql", "db/V2__b.sql"],
    ["db/20200101000000_a.up.sql", "db/20200101000000_a.down.sql"],
    [
        "db/2020-01-01-000000_a/up.sql",
        "db/2020-01-01-000000_a/down.sql",
    ],
];

fuzz_target!(|data: &[u8]| {
    let Some((&sel, rest)) = data.split_first() else {
        return;
    };
    let mut settings = Settings::default();
    if sel & 1 != 0 {
        settings.dialect = Dialect::Mysql;
    }
    if sel & 2 != 0 {
        settings.size.unknown = UnknownSize::Small;
    }
    settings.migrations.tool = TOOLS[usize::from(sel >> 4) % TOOLS.len()];
    settings.migrations.assume_in_transaction = sel & 4 != 0;
    settings.migrations.lint_down = sel & 8 != 0;
    let names = NAMES[usize::from(sel >> 2) % NAMES.len()];

    let parts: Vec<&[u8]> = match rest.iter().position(|&b| b == 0xFF) {
        Some(i) if sel & 0x80 != 0 => vec![&rest[..i], &rest[i + 1..]],
        _ => vec![rest],
    };
    for bytes in &parts {
        // The fast scanner must split exactly as the tokenizer-driven splitter does.
        let text = String::from_utf8_lossy(bytes);
        assert_eq!(
            split(&text),
            split_slow(&text),
            "fast and slow splits differ"
        );
    }
    let loaded = parts
        .iter()
        .zip(names)
        .map(|(bytes, name)| locklint::pipeline::decode(name, bytes.to_vec()))
        .collect();
    let files = locklint::pipeline::lint_sources(loaded, &settings);

    let human = report::check::human::render(
        &files,
        report::check::human::Options {
            color: sel & 0x40 != 0,
            width: 80,
        },
    );
    let json = report::check::json::render(&files);
    assert!(
        serde_json::from_str::<serde_json::Value>(&json).is_ok(),
        "invalid JSON"
    );
    let sarif = report::check::sarif::render(&files);
    assert!(
        serde_json::from_str::<serde_json::Value>(&sarif).is_ok(),
        "invalid SARIF"
    );
    let gitlab = report::check::gitlab::render(&files);
    assert!(
        serde_json::from_str::<serde_json::Value>(&gitlab).is_ok(),
        "invalid GitLab JSON"
    );
    let _ = report::check::github::render(&files);
    let _ = report::check::junit::render(&files, Level::Error);
    let _ = report::check::markdown::render(&files);
    let _ = report::Summary::of(&files);
    std::hint::black_box(human);
});
