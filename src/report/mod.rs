//! Reporters: one file per format, consuming findings only.

pub mod concise;
pub mod github;
pub mod gitlab;
pub mod human;
pub mod json;
pub mod junit;
pub mod sarif;
pub mod statistics;

use crate::engine::Report;
use crate::finding::Severity;
use crate::rules::Card;

/// Where the project lives; rule documentation links (`helpUri`) point into its `rules/` folder.
pub const REPOSITORY_URL: &str = "https://github.com/nhilint/nhilint";

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    #[default]
    Human,
    /// One line per finding: `path:line:col: rule-id [severity] message`.
    Concise,
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
    /// The active rules (SARIF lists them in `tool.driver.rules`). Empty: the rules that the
    /// findings name.
    pub rules: Vec<RuleInfo>,
}

/// A rule as a reporter describes it: its card and its effective severity.
#[derive(Clone, Debug)]
pub struct RuleInfo {
    pub card: Card,
    pub severity: Severity,
}

impl RuleInfo {
    pub fn from_rules(rules: &crate::rules::RuleSet) -> Vec<RuleInfo> {
        rules
            .rules
            .iter()
            .map(|r| RuleInfo {
                card: r.card.clone(),
                severity: r.severity,
            })
            .collect()
    }
}

impl Format {
    /// Formats meant for machines (the summary line then goes to stderr, never into the report).
    pub fn is_machine(self) -> bool {
        !matches!(self, Format::Human | Format::Concise)
    }
}

pub fn render(format: Format, report: &Report, opts: &RenderOptions) -> String {
    match format {
        Format::Human => human::render(report, opts),
        Format::Concise => concise::render(report, opts),
        Format::Json => json::render(report),
        Format::Sarif => sarif::render(report, opts),
        Format::Github => github::render(report),
        Format::Gitlab => gitlab::render(report),
        Format::Junit => junit::render(report),
    }
}

/// The rules to describe: the active ones, then any rule a finding names that is not among them
/// (looked up in the catalogue), in a stable order.
pub fn rule_infos(report: &Report, opts: &RenderOptions) -> Vec<RuleInfo> {
    let mut out = opts.rules.clone();
    let mut missing: Vec<&str> = report
        .findings
        .iter()
        .map(|f| f.rule_id.as_str())
        .filter(|id| !out.iter().any(|r| r.card.id == *id))
        .collect();
    missing.sort_unstable();
    missing.dedup();
    for id in missing {
        if let Some(card) = crate::rules::find_card(id) {
            out.push(RuleInfo {
                card: card.clone(),
                severity: card.severity,
            });
        }
    }
    out
}

/// Stable documentation link of a rule: its card in the repository,
/// `<REPOSITORY_URL>/blob/main/rules/<target>/<id>.toml`.
pub fn rule_docs_url(card: &Card) -> String {
    format!(
        "{REPOSITORY_URL}/blob/main/rules/{}/{}.toml",
        card.target, card.id
    )
}

/// Plain-text help of a rule: what, why, fix, references.
pub fn help_text(card: &Card) -> String {
    let mut s = format!(
        "{}\n\nWhy it matters: {}\n\nHow to fix it: {}",
        card.docs.what.trim(),
        card.docs.why.trim(),
        card.docs.fix.trim()
    );
    if !card.docs.references.is_empty() {
        s.push_str("\n\nReferences:");
        for r in &card.docs.references {
            s.push_str(&format!("\n- {}", r.trim()));
        }
    }
    s
}

/// Markdown help of a rule, with its OWASP NHI mapping.
pub fn help_markdown(card: &Card) -> String {
    let owasp = crate::rules::card::owasp_labels(&card.owasp_nhi);
    let mut s = format!(
        "**{}** (`{}`, OWASP {owasp})\n\n{}\n\n### Why it matters\n\n{}\n\n### How to fix it\n\n{}",
        card.title,
        card.id,
        card.docs.what.trim(),
        card.docs.why.trim(),
        card.docs.fix.trim()
    );
    if !card.docs.references.is_empty() {
        s.push_str("\n\n### References\n");
        for r in &card.docs.references {
            let r = r.trim();
            if r.starts_with("http://") || r.starts_with("https://") {
                s.push_str(&format!("\n- <{r}>"));
            } else {
                s.push_str(&format!("\n- {r}"));
            }
        }
    }
    s
}

/// `3 findings (1 high, 2 medium) in 12 files`
pub fn summary_line(report: &Report) -> String {
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
    if report.hidden_by_path_class > 0 {
        line.push_str(&format!(
            ", {} in test or vendored paths not shown",
            report.hidden_by_path_class
        ));
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
