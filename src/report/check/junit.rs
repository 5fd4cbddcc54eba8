//! `--format junit`: JUnit XML for CI test-report views. One test suite; one test case per file
//! (named by its path), passing when the file has no finding; one `<failure>` per finding, typed
//! by rule, with the location and the help in its body.

use super::Region;
use crate::report::{FileResult, text};

/// Render the JUnit report.
pub fn render(files: &[FileResult]) -> String {
    let tests = files.len();
    let failing = files
        .iter()
        .filter(|f| f.findings().next().is_some())
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
        let findings: Vec<_> = file.findings().collect();
        if findings.is_empty() {
            out.push_str(&format!(
                "    <testcase name=\"{name}\" classname=\"locklint\" file=\"{name}\"/>\n"
            ));
            continue;
        }
        out.push_str(&format!(
            "    <testcase name=\"{name}\" classname=\"locklint\" file=\"{name}\">\n"
        ));
        for f in findings {
            let r = Region::of(f, &file.source);
            let mut body = format!(
                "{}:{}:{}: {} {} ({})\n{}\n",
                file.source.name, r.line, r.column, f.severity, f.rule, f.code, f.message
            );
            if !f.help.is_empty() {
                body.push_str(&format!("\nhelp: {}\n", f.help));
            }
            out.push_str(&format!(
                "      <failure type=\"{}\" message=\"{}\">{}</failure>\n",
                text::xml_attr(f.rule),
                text::xml_attr(&f.message),
                text::xml_text(&body)
            ));
        }
        out.push_str("    </testcase>\n");
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}
