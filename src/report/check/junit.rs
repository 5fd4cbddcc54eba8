//! `--format junit`: JUnit XML for CI test-report views. One test suite; one test case per file
//! (named by its path), passing when the file has no finding at or above `--fail-on`; one
//! `<failure>` per such finding, typed by rule, with the location and the help in its body. The
//! findings below the threshold are listed in the test case's `<system-out>`.

use super::Region;
use crate::config::Level;
use crate::finding::Finding;
use crate::report::{FileResult, text};

/// Render the JUnit report: a finding fails its file's test case when its severity is at or
/// above `fail_on`.
pub fn render(files: &[FileResult], fail_on: Level) -> String {
    let tests = files.len();
    let failing = files
        .iter()
        .filter(|f| f.findings().any(|x| x.severity >= fail_on))
        .count();
    let mut out = String::new();
    out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str(&format!(
        "<testsuites name=\"locklint\" tests=\"{tests}\" failures=\"{failing}\" errors=\"0\">\n"
    ));
    out.push_str(&format!(
        "  <testsuite name=\"locklint\" tests=\"{tests}\" failures=\"{failing}\" errors=\"0\" skipped=\"0\">\n"
    ));
    for file in files {
        let name = text::xml_attr(&file.source.name);
        let (failures, others): (Vec<&Finding>, Vec<&Finding>) =
            file.findings().partition(|f| f.severity >= fail_on);
        if failures.is_empty() && others.is_empty() {
            out.push_str(&format!(
                "    <testcase name=\"{name}\" classname=\"locklint\" file=\"{name}\"/>\n"
            ));
            continue;
        }
        out.push_str(&format!(
            "    <testcase name=\"{name}\" classname=\"locklint\" file=\"{name}\">\n"
        ));
        for f in failures {
            out.push_str(&format!(
                "      <failure type=\"{}\" message=\"{}\">{}</failure>\n",
                text::xml_attr(f.rule),
                text::xml_attr(&f.message),
                text::xml_text(&body(file, f))
            ));
        }
        if !others.is_empty() {
            let text: String = others.iter().map(|f| body(file, f)).collect();
            out.push_str(&format!(
                "      <system-out>{}</system-out>\n",
                text::xml_text(&text)
            ));
        }
        out.push_str("    </testcase>\n");
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}

/// A finding as text: location, severity, rule, message, help.
fn body(file: &FileResult, f: &Finding) -> String {
    let r = Region::of(f, &file.source);
    let mut body = format!(
        "{}:{}:{}: {} {} ({})\n{}\n",
        file.source.name, r.line, r.column, f.severity, f.rule, f.code, f.message
    );
    if !f.help.is_empty() {
        body.push_str(&format!("\nhelp: {}\n", f.help));
    }
    body
}
