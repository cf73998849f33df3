//! Write scopes in a workflow-level `permissions:` block: every job without its own block
//! inherits them. One finding per write entry, naming the inheriting jobs. Two cards share this
//! check: `gha-workflow-write-permissions` reports blocks that two or more jobs inherit;
//! `gha-workflow-write-permissions-single-job` (opt-in) the ones exactly one job inherits,
//! where the workflow-level grant is the same as that job's own block would be today.

use crate::ci::gha::{Workflow, scopes_used_by_job, uses_oidc};
use crate::context::FileCx;
use crate::finding::Finding;
use crate::rules::Rule;

pub fn check_file(cx: &FileCx, rule: &Rule, out: &mut Vec<Finding>) {
    for w in Workflow::all(cx.file, cx.parsed) {
        let Some(p) = w.permissions.as_ref() else { continue };
        if w.is_action {
            continue;
        }
        // Jobs without their own block inherit the workflow's, with what each shows it uses
        // (computed once per job, not per scope).
        let heirs: Vec<_> = w
            .jobs
            .iter()
            .filter(|j| j.permissions.is_none())
            .map(|j| (j.id.as_str(), uses_oidc(j), scopes_used_by_job(cx.file, &w, j)))
            .collect();
        let single = rule.id().ends_with("-single-job");
        if heirs.is_empty() || single != (heirs.len() == 1) {
            continue;
        }
        let who = match heirs.as_slice() {
            [(one, _, _)] => format!("job `{one}` inherits it"),
            many => format!(
                "{} jobs inherit it ({})",
                many.len(),
                many.iter().take(4).map(|(j, _, _)| format!("`{j}`")).collect::<Vec<_>>().join(", ")
            ),
        };
        for (scope, span) in p.write_scopes() {
            // A heir that shows no use of the scope: the unused-permission rules report this
            // entry already.
            let unused = heirs.iter().any(|(_, oidc, used)| match scope {
                "id-token" => *oidc == Some(false),
                _ => used.as_ref().is_some_and(|u| !u.contains(scope)),
            });
            if unused {
                continue;
            }
            out.push(
                rule.finding(
                    cx.file,
                    span,
                    format!("`{scope}: write` is granted to the GITHUB_TOKEN of every job at the workflow level; {who}"),
                )
                .with_fp_key(format!("workflow:{scope}")),
            );
        }
    }
}
