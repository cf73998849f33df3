//! `workflow_run` jobs that download artifacts of the triggering run (which a fork's pull request
//! produced) while they hold secrets, an OIDC token or a write token: the artifact is
//! attacker-controlled input to a privileged job ("artifact poisoning").

use crate::ci::gha::{Step, Workflow, job_holdings};
use crate::ci::text_or_empty;
use crate::context::FileCx;
use crate::finding::Finding;
use crate::rules::Rule;

fn downloads_run_artifact(s: &Step) -> bool {
    match s.action().as_deref() {
        Some("actions/download-artifact") => {
            s.with_node("run-id").is_some() || s.with_node("github-token").is_some()
        }
        Some("dawidd6/action-download-artifact") | Some("bettermarks/action-artifact-download") => true,
        Some("actions/github-script") => s
            .with_str("script")
            .is_some_and(|t| t.contains("downloadArtifact") || t.contains("listWorkflowRunArtifacts")),
        Some(_) => false,
        None => {
            let r = s.run.map(text_or_empty).unwrap_or_default();
            r.contains("gh run download") || (r.contains("/artifacts") && r.contains("workflow_run"))
        }
    }
}

pub fn check_file(cx: &FileCx, rule: &Rule, out: &mut Vec<Finding>) {
    for w in Workflow::all(cx.file, cx.parsed) {
        if w.has_trigger(&["workflow_run"]).is_none() {
            continue;
        }
        for job in &w.jobs {
            let Some(s) = job.steps.iter().find(|s| downloads_run_artifact(s)) else {
                continue;
            };
            let held = job_holdings(cx.file, &w, job);
            if held.is_empty() {
                continue;
            }
            let span = s
                .uses
                .as_ref()
                .map(|(_, n)| n.span.clone())
                .or_else(|| s.run.map(|r| r.span.clone()))
                .unwrap_or(s.node.span.clone());
            out.push(
                rule.finding(
                    cx.file,
                    span,
                    format!(
                        "job `{}` on `workflow_run` consumes artifacts of the triggering run while holding {}",
                        job.id,
                        held.join(", ")
                    ),
                )
                .with_fp_key(job.id.clone()),
            );
        }
    }
}
