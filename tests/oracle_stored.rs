//! The lock model against what PostgreSQL 15 and 18 showed for every oracle statement, stored in
//! `testdata/oracle/expected.csv` (15) and `expected_pg18.csv`: the comparison of `tests/oracle.rs` without a server, so it
//! runs everywhere. The live test keeps the file honest (it fails when the server shows
//! something else) and rewrites it under `LOCKLINT_ORACLE_RECORD=1`.

mod common;

use common::oracle::{self, STORED_VERSIONS, compare, expected_path};
use std::collections::BTreeSet;

#[test]
fn lock_model_matches_stored_pg_locks() {
    for version in STORED_VERSIONS {
        matches_stored(version);
    }
}

/// The model, for a server version, against what that version showed.
fn matches_stored(version: u32) {
    let path = expected_path(version);
    let expected = oracle::read_expected(version).unwrap_or_else(|e| panic!("{e}"));
    let mut report = String::new();
    let mut missing = Vec::new();
    let mut seen = BTreeSet::new();
    let mut totals = Vec::new();
    for (set, cases) in oracle::all_sets() {
        let mut matched = 0;
        for case in cases.iter().filter(|c| c.min_version <= version) {
            let key = (set.to_string(), case.id.clone());
            let Some(observed) = expected.get(&key) else {
                missing.push(format!("{set} {}", case.id));
                continue;
            };
            seen.insert(key);
            match compare(case, &oracle::predict(case, version), observed) {
                None => matched += 1,
                Some(diff) => report.push_str(&diff),
            }
        }
        let n = cases.iter().filter(|c| c.min_version <= version).count();
        totals.push(format!("{set}: {matched}/{n} statements match"));
    }
    println!("stored oracle, PostgreSQL {version}: {}", totals.join(", "));
    let unknown: Vec<String> = expected
        .keys()
        .filter(|k| !seen.contains(*k))
        .map(|(set, id)| format!("{set} {id}"))
        .collect();
    assert!(
        missing.is_empty() && unknown.is_empty(),
        "{path} does not cover the cases (re-record it with LOCKLINT_ORACLE_RECORD=1 \
         against PostgreSQL {version}): no row for {missing:?}; rows for no case: {unknown:?}"
    );
    assert!(
        report.is_empty(),
        "PostgreSQL {version}: statements differ from the stored pg_locks ({}):\n{report}",
        totals.join(", ")
    );
}

#[test]
fn stored_expectations_read_back_as_written() {
    let expected = oracle::read_expected(15).unwrap_or_else(|e| panic!("{e}"));
    let rows: Vec<(&str, &str, &oracle::Observed)> = expected
        .iter()
        .map(|((set, id), o)| (set.as_str(), id.as_str(), o))
        .collect();
    let again = oracle::parse_expected(&oracle::format_expected(&rows)).expect("reads back");
    assert!(again == expected);
    // The file holds what a server shows: at least one lock for most statements.
    let with_locks = expected.values().filter(|o| !o.locks.is_empty()).count();
    assert!(
        with_locks * 10 >= expected.len() * 9,
        "only {with_locks} of {} rows have locks",
        expected.len()
    );
}
