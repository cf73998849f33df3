//! Jobs that run with the repository's default GITHUB_TOKEN permissions: no `permissions:` in
//! the job or the workflow, so the token's scopes are whatever the repository or organisation
//! setting says (read and write for every scope on older repositories and organisations).

use crate::ci::gha::{PRIVILEGED_TRIGGERS, Workflow};
use crate::context::FileCx;
use crate::finding::{Finding, Severity};
use crate::rules::Rule;

pub fn check_file(cx: &FileCx, rule: &Rule, out: &mut Vec<Finding>) {
    for w in Workflow::all(cx.file, cx.parsed) {
        if w.is_action || w.permissions.is_some() {
            continue;
        }
        let privileged = w.has_trigger(PRIVILEGED_TRIGGERS);
        for job in &w.jobs {
            if job.permissions.is_some() {
                continue;
            }
            let (sev, why) = match privileged {
                Some(t) => (Severity::High, format!(" on `{}`", t.name)),
                None => (rule.severity, String::new()),
            };
            out.push(
                rule.finding(
                    cx.file,
                    job.key_span.clone(),
                    format!(
                        "job `{}` runs{why} with the repository's default GITHUB_TOKEN permissions (no `permissions:` in the job or the workflow)",
                        job.id
                    ),
                )
                .with_severity(sev)
                .with_fp_key(job.id.clone()),
            );
        }
    }
}
