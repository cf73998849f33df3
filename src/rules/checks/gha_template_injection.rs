//! `${{ … }}` expressions an outsider chooses (issue and pull request titles, branch names,
//! commit messages, comments, dispatch inputs, outputs derived from them) pasted into a `run:`
//! script or an `actions/github-script` script: the runner substitutes the text before the
//! shell parses it, so it runs as code with whatever the job holds.

use crate::ci::gha::{PRIVILEGED_TRIGGERS, Workflow, job_holdings, untrusted_expr, untrusted_step_output};
use crate::ci::{Script, expressions};
use crate::context::FileCx;
use crate::finding::{Confidence, Finding, Severity};
use crate::rules::Rule;

pub fn check_file(cx: &FileCx, rule: &Rule, out: &mut Vec<Finding>) {
    for w in Workflow::all(cx.file, cx.parsed) {
        let privileged = w.has_trigger(PRIVILEGED_TRIGGERS).is_some();
        for job in &w.jobs {
            let held = job_holdings(cx.file, &w, job);
            for s in &job.steps {
                let node = match (s.run, s.action().as_deref()) {
                    (Some(r), _) => r,
                    (None, Some("actions/github-script")) => match s.with_node("script") {
                        Some(n) => n,
                        None => continue,
                    },
                    _ => continue,
                };
                let Some(script) = Script::of(cx.file, node) else {
                    continue;
                };
                for (r, e) in expressions(&script.text) {
                    let input = e.trim_start().starts_with("inputs.")
                        || e.contains("github.event.inputs.");
                    // A composite action's inputs come from the calling workflow's author.
                    if w.is_action && input {
                        continue;
                    }
                    let step_out = untrusted_step_output(job, e);
                    if !(untrusted_expr(e) || step_out) {
                        continue;
                    }
                    let (sev, conf) = if w.is_action {
                        (rule.severity, Confidence::Medium)
                    } else if held.is_empty() {
                        (Severity::Low, Confidence::Low)
                    } else if privileged && !input {
                        (Severity::Critical, Confidence::High)
                    } else if input || step_out {
                        (rule.severity, Confidence::Medium)
                    } else {
                        (rule.severity, rule.card.confidence)
                    };
                    let holding = if w.is_action {
                        "the calling job's credentials".to_string()
                    } else if held.is_empty() {
                        "a read-only token".to_string()
                    } else {
                        held.join(", ")
                    };
                    let shown: String = e.chars().take(80).collect();
                    out.push(
                        rule.finding(
                            cx.file,
                            script.span(r.clone()),
                            format!(
                                "`${{{{ {shown} }}}}` is pasted into a script of job `{}`, which holds {holding}",
                                job.id
                            ),
                        )
                        .with_severity(sev)
                        .with_confidence(conf)
                        .with_fp_key(format!("{}:{shown}", job.id)),
                    );
                }
            }
        }
    }
}
