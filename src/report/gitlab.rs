//! `--format gitlab`: GitLab Code Quality report (a JSON array of issues with `description`,
//! `check_name`, `fingerprint`, `severity` and `location.path` + `location.lines.begin`).
//! Severities map critical → blocker, high → critical, medium → major, low → minor,
//! info → info. Paths are relative to the scan root (run from the repository root).

use crate::context::Report;
use crate::finding::Severity;
use serde_json::json;

pub fn severity(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "blocker",
        Severity::High => "critical",
        Severity::Medium => "major",
        Severity::Low => "minor",
        Severity::Info => "info",
    }
}

pub fn render(report: &Report) -> String {
    let issues: Vec<serde_json::Value> = report
        .findings
        .iter()
        .map(|f| {
            json!({
                "type": "issue",
                "description": format!("{}: {}", f.rule_id, f.message),
                "check_name": f.rule_id,
                "categories": ["Security"],
                "fingerprint": f.fingerprint,
                "severity": severity(f.severity),
                "content": { "body": f.help },
                "location": {
                    "path": f.path,
                    "lines": { "begin": f.start_line.max(1), "end": f.end_line.max(f.start_line).max(1) },
                },
            })
        })
        .collect();
    let mut s = serde_json::to_string_pretty(&issues).unwrap_or_default();
    s.push('\n');
    s
}
