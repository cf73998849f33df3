//! Reporters: one file per format, consuming findings only.

pub mod concise;
pub mod github;
pub mod gitlab;
pub mod human;
pub mod json;
pub mod junit;
pub mod sarif;
pub mod statistics;

use crate::context::Report;
use crate::finding::Severity;
use crate::rules::card::Card;

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

/// [`render`], surviving a reporter that panics: the panic becomes an error entry of the report
/// (`internal error in the human reporter (at …)`), the report is rendered once more, and if that
/// fails too, in the plain fallback listing ([`render_plain`]). The findings are always shown.
pub fn render_guarded(format: Format, report: &mut Report, opts: &RenderOptions) -> String {
    let name = format!("{format:?}").to_lowercase();
    render_with(&name, report, |r| render(format, r, opts))
}

fn render_with(name: &str, report: &mut Report, render: impl Fn(&Report) -> String) -> String {
    let err = match crate::guard::catch(|| render(report)) {
        Ok(s) => return s,
        Err(p) => p,
    };
    report.errors.push(crate::finding::ScanError {
        path: ".".into(),
        line: None,
        message: err.message(&format!("in the {name} reporter")),
    });
    crate::guard::catch(|| render(report)).unwrap_or_else(|_| render_plain(report))
}

/// The last-resort listing: one line per finding and per error, then the summary line.
pub fn render_plain(report: &Report) -> String {
    use crate::term::clean;
    let mut out = String::new();
    for f in &report.findings {
        out.push_str(&format!(
            "{}:{}:{}: {} [{}] {}\n",
            clean(&f.path),
            f.start_line,
            f.start_column,
            f.severity.as_str(),
            f.rule_id,
            clean(&f.message)
        ));
    }
    for e in &report.errors {
        let line = e.line.map(|l| format!(":{l}")).unwrap_or_default();
        out.push_str(&format!(
            "error: {}{line}: {}\n",
            clean(&e.path),
            clean(&e.message)
        ));
    }
    out.push_str(&summary_line(report));
    out.push('\n');
    out
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
        if let Some(card) = crate::rules::card::find_card(id) {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::context::Report;

    fn report() -> Report {
        let mut r = Report::default();
        let card = crate::rules::card::find_card("iam-wildcard-action").unwrap();
        let mut f = crate::finding::Finding {
            rule_id: card.id.clone(),
            title: card.title.clone(),
            severity: card.severity,
            confidence: card.confidence,
            owasp_nhi: card.owasp_nhi.clone(),
            message: "policy allows every action\u{1b}[2J".into(),
            path: "keep.tf".into(),
            start_line: 2,
            start_column: 3,
            end_line: 2,
            end_column: 9,
            fingerprint: String::new(),
            related: Vec::new(),
            help: String::new(),
            span: 0..0,
            fp_key: None,
            mask: Vec::new(),
        };
        r.findings.push(f.clone());
        f.path = "other.tf".into();
        r.findings.push(f);
        r.stats.files_scanned = 2;
        r
    }

    #[test]
    fn a_panicking_reporter_becomes_an_error_and_the_findings_are_still_listed() {
        // Fails on its first call only: the second rendering is the reporter's own output.
        let calls = std::cell::Cell::new(0);
        let mut r = report();
        let out = render_with("flaky", &mut r, |r| {
            calls.set(calls.get() + 1);
            if calls.get() == 1 {
                panic!("reporter bug");
            }
            summary_line(r)
        });
        assert_eq!(out, "2 findings (2 high) in 2 files, 1 error");
        assert_eq!(r.errors.len(), 1);
        assert_eq!(r.errors[0].path, ".");
        assert!(
            r.errors[0]
                .message
                .starts_with("internal error in the flaky reporter (at src/report/mod.rs:"),
            "{:?}",
            r.errors
        );
        // Always failing: the plain listing, terminal-safe, with every finding and the error.
        let mut r = report();
        let out = render_with("broken", &mut r, |_| panic!("reporter bug"));
        assert!(
            out.contains(
                "keep.tf:2:3: high [iam-wildcard-action] policy allows every action\\x1b[2J\n"
            ),
            "{out}"
        );
        assert!(out.contains("other.tf:2:3: high"), "{out}");
        assert!(
            out.contains("error: .: internal error in the broken reporter (at "),
            "{out}"
        );
        assert!(
            out.ends_with("2 findings (2 high) in 2 files, 1 error\n"),
            "{out}"
        );
        assert!(!out.contains('\u{1b}'));
    }
}
