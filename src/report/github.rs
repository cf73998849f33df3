//! `--format github`: GitHub Actions workflow commands, one annotation per finding
//! (`::error file=…,line=…,col=…,endLine=…,endColumn=…,title=…::message`). Critical and high
//! findings are errors, medium warnings, low and info notices; parse errors are warnings.
//! Paths are relative to the scan root, so run from the repository root for the annotations to
//! land on the pull request's files.

use crate::engine::Report;
use crate::finding::Severity;

/// Escape the message part of a workflow command. Other control characters (from scanned
/// files: ESC sequences the runner log would interpret) become visible escapes (`\x1b`).
pub fn escape_data(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            c if crate::term::needs_escape(c) => crate::term::escape_char(c, &mut out),
            c => out.push(c),
        }
    }
    out
}

/// Escape a property value (`file=`, `title=`…): also `:` and `,`.
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

fn command(s: Severity) -> &'static str {
    match s {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "notice",
    }
}

pub fn render(report: &Report) -> String {
    let mut out = String::new();
    for f in &report.findings {
        let mut props = format!(
            "file={},line={},col={}",
            escape_property(&f.path),
            f.start_line.max(1),
            f.start_column.max(1)
        );
        if f.end_line >= f.start_line {
            props.push_str(&format!(",endLine={}", f.end_line.max(1)));
            if f.end_line > f.start_line || f.end_column >= f.start_column {
                props.push_str(&format!(",endColumn={}", f.end_column.max(1)));
            }
        }
        let title = format!("{} ({}): {}", f.rule_id, f.severity.as_str(), f.title);
        props.push_str(&format!(",title={}", escape_property(&title)));
        let mut msg = f.message.clone();
        for r in &f.related {
            msg.push_str(&format!("\n{}:{}: {}", r.path, r.start_line, r.message));
        }
        if !f.owasp_nhi.is_empty() {
            msg.push_str(&format!("\nOWASP {}", f.owasp_nhi.join(", ")));
        }
        out.push_str(&format!(
            "::{} {props}::{}\n",
            command(f.severity),
            escape_data(&msg)
        ));
    }
    for e in &report.errors {
        let mut props = format!("file={}", escape_property(&e.path));
        if let Some(l) = e.line {
            props.push_str(&format!(",line={l}"));
        }
        props.push_str(",title=nhilint parse error");
        out.push_str(&format!("::warning {props}::{}\n", escape_data(&e.message)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping() {
        assert_eq!(escape_data("50%\r\nok: a,b"), "50%25%0D%0Aok: a,b");
        assert_eq!(escape_property("a:b,c%\n"), "a%3Ab%2Cc%25%0A");
        assert_eq!(escape_data("x\x1b[2Jy\u{202e}"), "x\\x1b[2Jy\\u{202e}");
    }
}
