//! `--format junit`: one `<testsuite name="nhilint">`, one failing `<testcase>` per finding
//! (classname = path, name = rule and location), an `<error>` test case per file that could not
//! be analysed, and a single passing test case when there is nothing to report. No timings, so
//! the output is deterministic.

use crate::context::Report;

/// Escape text for XML attributes and content; other control characters (which XML 1.0
/// cannot carry, or a terminal would interpret) become visible escapes (`\x1b`).
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' => out.push_str("&#9;"),
            c if crate::term::needs_escape(c) => crate::term::escape_char(c, &mut out),
            '\u{FFFE}' | '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

/// Escape element text (newlines kept as they are).
fn escape_text(s: &str) -> String {
    escape(s).replace("&#10;", "\n")
}

pub fn render(report: &Report) -> String {
    let n = report.findings.len();
    let e = report.errors.len();
    let tests = (n + e).max(1);
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str(&format!(
        "<testsuites name=\"nhilint\" tests=\"{tests}\" failures=\"{n}\" errors=\"{e}\">\n"
    ));
    out.push_str(&format!(
        "  <testsuite name=\"nhilint\" tests=\"{tests}\" failures=\"{n}\" errors=\"{e}\" skipped=\"0\">\n"
    ));
    for f in &report.findings {
        out.push_str(&format!(
            "    <testcase classname=\"{}\" name=\"{}\" file=\"{}\" line=\"{}\">\n",
            escape(&f.path),
            escape(&format!(
                "{} at {}:{}:{}",
                f.rule_id, f.path, f.start_line, f.start_column
            )),
            escape(&f.path),
            f.start_line
        ));
        let mut body = format!(
            "{}:{}:{}: {} [{}] {}\nseverity: {}, confidence: {}, OWASP: {}\n",
            f.path,
            f.start_line,
            f.start_column,
            f.rule_id,
            f.title,
            f.message,
            f.severity.as_str(),
            f.confidence.as_str(),
            f.owasp_nhi.join(", ")
        );
        for r in &f.related {
            body.push_str(&format!(
                "related: {}:{}: {}\n",
                r.path, r.start_line, r.message
            ));
        }
        if !f.help.is_empty() {
            body.push_str(&format!("fix: {}\n", f.help.trim()));
        }
        out.push_str(&format!(
            "      <failure message=\"{}\" type=\"{}\">{}</failure>\n",
            escape(&f.message),
            escape(&f.rule_id),
            escape_text(&body)
        ));
        out.push_str("    </testcase>\n");
    }
    for er in &report.errors {
        let line = er.line.map(|l| format!(":{l}")).unwrap_or_default();
        out.push_str(&format!(
            "    <testcase classname=\"{}\" name=\"{}\" file=\"{}\">\n      <error message=\"{}\" type=\"parse-error\"/>\n    </testcase>\n",
            escape(&er.path),
            escape(&format!("analyse {}{line}", er.path)),
            escape(&er.path),
            escape(&er.message)
        ));
    }
    if n + e == 0 {
        out.push_str("    <testcase classname=\"nhilint\" name=\"no findings\"/>\n");
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_xml() {
        assert_eq!(
            escape("a<b>&\"'\u{1}c\u{9b}"),
            "a&lt;b&gt;&amp;&quot;&apos;\\x01c\\u{9b}"
        );
    }
}
