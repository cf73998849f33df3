//! `--format concise`: one line per finding (`path:line:col: rule-id [severity] message`), parse
//! errors, then the summary line. Messages never hold secret material.

use super::RenderOptions;
use crate::context::Report;
use crate::finding::Severity;

pub fn render(report: &Report, opts: &RenderOptions) -> String {
    use crate::term::clean;
    let mut out = String::new();
    if !opts.quiet {
        for f in &report.findings {
            let sev = paint(opts.color, severity_color(f.severity), f.severity.as_str());
            let rule = paint(opts.color, "1", &f.rule_id);
            out.push_str(&format!(
                "{}:{}:{}: {rule} [{sev}] {}\n",
                clean(&f.path),
                f.start_line,
                f.start_column,
                clean(&f.message)
            ));
        }
        for e in &report.errors {
            let l = e.line.map(|l| format!("{l}:")).unwrap_or_default();
            out.push_str(&format!(
                "{}:{l} error: {}\n",
                clean(&e.path),
                clean(&e.message)
            ));
        }
    }
    out.push_str(&super::summary_line(report));
    out.push('\n');
    out
}

/// ANSI SGR code of a severity.
pub fn severity_color(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "1;31",
        Severity::High => "31",
        Severity::Medium => "33",
        Severity::Low => "36",
        Severity::Info => "2",
    }
}

pub fn paint(color: bool, sgr: &str, text: &str) -> String {
    if color {
        format!("\x1b[{sgr}m{text}\x1b[0m")
    } else {
        text.to_string()
    }
}
