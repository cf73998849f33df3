//! `--format github`: GitHub Actions workflow commands, one annotation per finding
//! (`::error file=…,line=…,col=…,endLine=…,endColumn=…,title=…::message`). Critical and high
//! findings are errors, medium warnings, low and info notices; parse errors are warnings.
//! Most severe first, at most 10 annotations of each kind (GitHub's display limit per step; the
//! rest are listed as plain log lines and counted in a closing notice). With
//! `$GITHUB_STEP_SUMMARY` set, the CLI also appends [`step_summary`] to that file.
//! Paths are relative to the scan root, so run from the repository root for the annotations to
//! land on the pull request's files.

use crate::context::Report;
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

/// GitHub shows at most this many annotations of each kind (error, warning, notice) per step;
/// the rest are dropped from the pull request view.
pub const ANNOTATIONS_PER_KIND: usize = 10;
/// Findings listed in the step summary.
pub const SUMMARY_FINDINGS: usize = 20;

/// One annotation: its kind and the rest of the workflow command.
struct Annotation {
    kind: &'static str,
    line: String,
}

fn annotations(report: &Report) -> Vec<Annotation> {
    let mut findings: Vec<&crate::finding::Finding> = report.findings.iter().collect();
    // Most severe first (stable: the report's path/line order within a severity).
    findings.sort_by_key(|f| std::cmp::Reverse(f.severity));
    let mut out = Vec::new();
    for f in findings {
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
        out.push(Annotation {
            kind: command(f.severity),
            line: format!("{props}::{}", escape_data(&msg)),
        });
    }
    for e in &report.errors {
        let mut props = format!("file={}", escape_property(&e.path));
        if let Some(l) = e.line {
            props.push_str(&format!(",line={l}"));
        }
        props.push_str(",title=nhilint parse error");
        out.push(Annotation {
            kind: "warning",
            line: format!("{props}::{}", escape_data(&e.message)),
        });
    }
    out
}

/// Workflow commands, most severe first, at most [`ANNOTATIONS_PER_KIND`] of each kind. Findings
/// past the limit are still printed as plain log lines, and a last notice (within the notice
/// budget) says how many were not annotated.
pub fn render(report: &Report) -> String {
    let all = annotations(report);
    let mut used: std::collections::HashMap<&str, usize> = Default::default();
    let mut shown = Vec::new();
    let mut cut = Vec::new();
    for a in &all {
        let n = used.entry(a.kind).or_default();
        if *n < ANNOTATIONS_PER_KIND {
            *n += 1;
            shown.push(a);
        } else {
            cut.push(a);
        }
    }
    // The closing note is a notice: make room for it among the notices.
    if !cut.is_empty()
        && used.get("notice").copied().unwrap_or(0) >= ANNOTATIONS_PER_KIND
        && let Some(i) = shown.iter().rposition(|a| a.kind == "notice")
    {
        cut.insert(0, shown.remove(i));
    }
    let mut out = String::new();
    for a in &shown {
        out.push_str(&format!("::{} {}\n", a.kind, a.line));
    }
    if !cut.is_empty() {
        out.push_str(&format!(
            "nhilint: {} more not annotated (GitHub shows {ANNOTATIONS_PER_KIND} annotations of each kind per step):\n",
            cut.len()
        ));
        for a in &cut {
            out.push_str(&format!("  {} {}\n", a.kind, a.line));
        }
        out.push_str(&format!(
            "::notice title=nhilint::{} of {} annotations were not shown (GitHub's limit is {ANNOTATIONS_PER_KIND} per kind per step); all are in the log above and in the step summary, or use --format sarif for code scanning\n",
            cut.len(),
            all.len()
        ));
    }
    out
}

fn md_cell(s: &str) -> String {
    crate::term::clean(s)
        .replace('|', "\\|")
        .replace('\n', " ")
        .replace('<', "&lt;")
}

/// Markdown for `$GITHUB_STEP_SUMMARY`: counts per severity and the first
/// [`SUMMARY_FINDINGS`] findings, most severe first.
pub fn step_summary(report: &Report) -> String {
    let mut out = String::from("### nhilint\n\n");
    if report.findings.is_empty() {
        out.push_str("No findings.\n");
    } else {
        out.push_str("| severity | findings |\n| --- | ---: |\n");
        for s in [
            Severity::Critical,
            Severity::High,
            Severity::Medium,
            Severity::Low,
            Severity::Info,
        ] {
            let n = report.findings.iter().filter(|f| f.severity == s).count();
            if n > 0 {
                out.push_str(&format!("| {} | {n} |\n", s.as_str()));
            }
        }
        let mut findings: Vec<&crate::finding::Finding> = report.findings.iter().collect();
        findings.sort_by_key(|f| std::cmp::Reverse(f.severity));
        out.push_str("\n| severity | rule | location | message |\n| --- | --- | --- | --- |\n");
        for f in findings.iter().take(SUMMARY_FINDINGS) {
            out.push_str(&format!(
                "| {} | `{}` | `{}:{}` | {} |\n",
                f.severity.as_str(),
                f.rule_id,
                md_cell(&f.path).replace('`', "'"),
                f.start_line,
                md_cell(&f.message)
            ));
        }
        if findings.len() > SUMMARY_FINDINGS {
            out.push_str(&format!(
                "\n{} more findings: see the job log or the SARIF upload.\n",
                findings.len() - SUMMARY_FINDINGS
            ));
        }
    }
    if !report.errors.is_empty() {
        out.push_str(&format!(
            "\n{} file(s) could not be fully analysed (see the log).\n",
            report.errors.len()
        ));
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
