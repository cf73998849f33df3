//! Reporters: one file per format, consuming findings only.

pub mod human;
pub mod json;

use crate::engine::Report;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    #[default]
    Human,
    Json,
    Sarif,
    Github,
    Gitlab,
    Junit,
}

/// Options a reporter may honour.
#[derive(Clone, Debug, Default)]
pub struct RenderOptions {
    pub color: bool,
    pub quiet: bool,
}

pub fn render(format: Format, report: &Report, opts: &RenderOptions) -> String {
    match format {
        Format::Human => human::render(report, opts),
        Format::Json => json::render(report),
        Format::Sarif | Format::Github | Format::Gitlab | Format::Junit => {
            // Filled in by the pull-request formats work; JSON until then.
            json::render(report)
        }
    }
}

/// `3 findings (1 high, 2 medium) in 12 files`
pub fn summary_line(report: &Report) -> String {
    use crate::finding::Severity;
    let n = report.findings.len();
    let mut parts = Vec::new();
    for s in Severity::ALL {
        let c = report.findings.iter().filter(|f| f.severity == s).count();
        if c > 0 {
            parts.push(format!("{c} {}", s.as_str()));
        }
    }
    let mut line = format!(
        "{n} finding{}{} in {} file{}",
        if n == 1 { "" } else { "s" },
        if parts.is_empty() {
            String::new()
        } else {
            format!(" ({})", parts.join(", "))
        },
        report.stats.files_scanned,
        if report.stats.files_scanned == 1 {
            ""
        } else {
            "s"
        }
    );
    if report.suppressed > 0 {
        line.push_str(&format!(", {} suppressed", report.suppressed));
    }
    if report.stats.files_skipped > 0 {
        line.push_str(&format!(", {} skipped", report.stats.files_skipped));
    }
    if !report.errors.is_empty() {
        line.push_str(&format!(
            ", {} error{}",
            report.errors.len(),
            if report.errors.len() == 1 { "" } else { "s" }
        ));
    }
    line
}
