//! Jobs that read repository or organisation secrets without a deployment `environment:`: the
//! secret is available to every workflow and branch of the repository, with no reviewer, branch
//! rule or wait timer in front of it.

use crate::ci::gha::{Workflow, only_github_token};
use crate::ci::{expr_reads_secret, expressions};
use crate::context::FileCx;
use crate::finding::Finding;
use crate::rules::Rule;

pub fn check_file(cx: &FileCx, rule: &Rule, out: &mut Vec<Finding>) {
    for w in Workflow::all(cx.file, cx.parsed) {
        if w.is_action {
            continue;
        }
        for job in &w.jobs {
            // Reusable-workflow calls cannot name an environment; the callee decides.
            if job.environment.is_some() || job.uses.is_some() {
                continue;
            }
            let base = job.node.span.start;
            let text = cx.file.text.get(job.node.span.clone()).unwrap_or("");
            let mut names: Vec<String> = Vec::new();
            let mut first = None;
            for (r, e) in expressions(text) {
                if !expr_reads_secret(e) || only_github_token(e) {
                    continue;
                }
                let line_start = text[..r.start].rfind('\n').map(|i| i + 1).unwrap_or(0);
                if text[line_start..r.start].trim_start().starts_with('#') {
                    continue;
                }
                first.get_or_insert(base + r.start..base + r.end);
                for n in crate::ci::secret_names(&text[r.clone()]) {
                    if n != "GITHUB_TOKEN" && !names.contains(&n) {
                        names.push(n);
                    }
                }
                if !e.contains("secrets.") && !names.iter().any(|n| n == "*") {
                    names.push("*".into());
                }
            }
            // Reported on the job (where `environment:` goes), not on a secret reference; a
            // job whose only secrets upload results to a coverage or code-analysis service is
            // not: an environment would put a reviewer in front of every CI run, and those
            // tokens publish nothing.
            if first.is_none() || !names.is_empty() && names.iter().all(|n| reporting_token(n)) {
                continue;
            }
            let span = job.key_span.clone();
            let shown: Vec<String> = names
                .iter()
                .take(4)
                .map(|n| if n == "*" { "`secrets[…]`".to_string() } else { format!("`{n}`") })
                .collect();
            let more = if names.len() > 4 {
                format!(" and {} more", names.len() - 4)
            } else {
                String::new()
            };
            out.push(
                rule.finding(
                    cx.file,
                    span,
                    format!(
                        "job `{}` reads secret(s) {}{more} without a deployment `environment:`",
                        job.id,
                        shown.join(", ")
                    ),
                )
                .with_fp_key(job.id.clone()),
            );
        }
    }
}

/// Secret names of coverage and code-analysis upload tokens (`CODECOV_TOKEN`, `SONAR_TOKEN`,
/// `SEMGREP_APP_TOKEN`, `CC_TEST_REPORTER_ID`, …) and of test accounts (`E2E_TEST_GITHUB_TOKEN`:
/// a `TEST` or `E2E` word).
fn reporting_token(name: &str) -> bool {
    let n = name.to_ascii_uppercase();
    n.split(['_', '-']).any(|w| w == "TEST" || w == "E2E")
        || [
        "CODECOV",
        "SONAR",
        "SEMGREP",
        "CODECLIMATE",
        "CC_TEST_REPORTER",
        "COVERALLS",
        "CODACY",
        "DEEPSOURCE",
    ]
    .iter()
    .any(|k| n.contains(k))
}
