//! `--format junit`: JUnit XML for CI test-report views. One test suite; one test case per file
//! (named by its path), passing when the file has no finding; one `<failure>` per finding, typed
//! by rule, with the location and the help in its body.

use super::FileResult;
use super::common::Region;

/// Escape text for XML 1.0 character data or a double-quoted attribute. Characters XML 1.0
/// cannot carry at all (most C0 controls) become U+FFFD; in attributes, tab and line breaks are
/// written as references so that attribute normalization keeps them.
fn escape(s: &str, attribute: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if attribute => out.push_str("&quot;"),
            '\'' if attribute => out.push_str("&apos;"),
            '\n' if attribute => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' if attribute => out.push_str("&#9;"),
            '\t' | '\n' => out.push(c),
            '\u{0}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

fn attr(s: &str) -> String {
    escape(s, true)
}

fn text(s: &str) -> String {
    escape(s, false)
}

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
        let name = attr(&file.source.name);
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
                attr(f.rule),
                attr(&f.message),
                text(&body)
            ));
        }
        out.push_str("    </testcase>\n");
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_quotes_and_controls() {
        assert_eq!(
            attr("a<b>&\"c\"'\n\t\u{1}"),
            "a&lt;b&gt;&amp;&quot;c&quot;&apos;&#10;&#9;\u{fffd}"
        );
        assert_eq!(text("a<b>\"c\"\n\r"), "a&lt;b&gt;\"c\"\n&#13;");
    }
}
