//! Write scopes in a workflow-level `permissions:` block: every job without its own block
//! inherits them. One finding per write entry, naming the inheriting jobs.

use crate::ci::gha::{Workflow, scopes_used_by_job, uses_oidc};
use crate::engine::FileCx;
use crate::finding::{Finding, Severity};
use crate::rules::Rule;

pub fn check_file(cx: &FileCx, rule: &Rule, out: &mut Vec<Finding>) {
    for w in Workflow::all(cx.file, cx.parsed) {
        let Some(p) = w.permissions.as_ref() else { continue };
        if w.is_action {
            continue;
        }
        let heirs: Vec<&str> = w
            .jobs
            .iter()
            .filter(|j| j.permissions.is_none())
            .map(|j| j.id.as_str())
            .collect();
        if heirs.is_empty() {
            continue;
        }
        let jobs: Vec<_> = w.jobs.iter().filter(|j| j.permissions.is_none()).collect();
        for (scope, span) in p.write_scopes() {
            // Does each heir use the scope? Some(false) for one of them: the unused-permission
            // rules report this entry already.
            let uses: Vec<Option<bool>> = jobs
                .iter()
                .map(|j| match scope {
                    "id-token" => uses_oidc(j),
                    _ => scopes_used_by_job(cx.file, &w, j).map(|u| u.contains(scope)),
                })
                .collect();
            if uses.contains(&Some(false)) {
                continue;
            }
            let who = match heirs.as_slice() {
                [one] => format!("job `{one}` inherits it"),
                many => format!(
                    "{} jobs inherit it ({})",
                    many.len(),
                    many.iter().take(4).map(|j| format!("`{j}`")).collect::<Vec<_>>().join(", ")
                ),
            };
            let sev = if heirs.len() > 1 { rule.severity } else { Severity::Low };
            out.push(
                rule.finding(
                    cx.file,
                    span,
                    format!("`{scope}: write` is granted to the GITHUB_TOKEN of every job at the workflow level; {who}"),
                )
                .with_severity(sev)
                .with_fp_key(format!("workflow:{scope}")),
            );
        }
    }
}
