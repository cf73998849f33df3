//! `actions/checkout` leaves the job's token in `.git/config` (`persist-credentials` defaults to
//! true). Reported when the workspace is then uploaded as an artifact (anyone who can download
//! artifacts gets the token), when a later step runs code an outsider controls (a pull request
//! head, an expression injected into a script), and, at low severity, when later steps run any
//! other code that can read the file.

use crate::ci::gha::{Job, Step, Workflow, job_holdings, own_owner, untrusted_expr, untrusted_ref, untrusted_step_output};
use crate::ci::{expressions, text_or_empty};
use crate::context::FileCx;
use crate::finding::{Confidence, Finding, Severity};
use crate::rules::Rule;

/// Does an `upload-artifact` path include the checkout's `.git` directory?
fn uploads_workspace(s: &Step) -> bool {
    let Some(p) = s.with_str("path") else {
        return false;
    };
    p.lines().map(str::trim).any(|l| {
        let l = l.trim_end_matches('/');
        matches!(l, "." | "./" | "*" | "**" | "./*" | "./**" | "${{ github.workspace }}")
            || l.starts_with("${{ github.workspace }}/*")
            || l == "${{github.workspace}}"
            || l.contains(".git")
    })
}

/// A later step that runs code an outsider chooses: an injected expression in a script.
fn injected(job: &Job, s: &Step) -> bool {
    let mut t = s.run_text();
    if s.action().as_deref() == Some("actions/github-script") {
        t.push_str(&s.with_str("script").unwrap_or_default());
    }
    expressions(&t)
        .iter()
        .any(|(_, e)| untrusted_expr(e) || untrusted_step_output(job, e))
}

pub fn check_file(cx: &FileCx, rule: &Rule, out: &mut Vec<Finding>) {
    for w in Workflow::all(cx.file, cx.parsed) {
        for job in &w.jobs {
            for s in &job.steps {
                if s.action().as_deref() != Some("actions/checkout") {
                    continue;
                }
                if s.with_str("persist-credentials")
                    .is_some_and(|v| v.trim().eq_ignore_ascii_case("false"))
                {
                    continue;
                }
                let Some((_, uses)) = &s.uses else { continue };
                let later: Vec<&Step> = job.steps.iter().filter(|x| x.index > s.index).collect();
                let pr_head = s.with_node("ref").map(text_or_empty).is_some_and(|r| untrusted_ref(&r));
                let upload = later.iter().find(|x| {
                    x.action().as_deref() == Some("actions/upload-artifact") && uploads_workspace(x)
                });
                let inject = later.iter().find(|x| injected(job, x));
                let (sev, conf, why) = if let Some(u) = upload {
                    (
                        Severity::High,
                        Confidence::High,
                        format!("step {} uploads the workspace, `.git/config` included, as an artifact", u.index + 1),
                    )
                } else if let Some(i) = inject {
                    (
                        Severity::High,
                        Confidence::Medium,
                        format!("step {} runs an expression an outsider chooses", i.index + 1),
                    )
                } else if pr_head && later.iter().any(|x| x.run.is_some() || x.uses.is_some()) {
                    (
                        rule.severity,
                        Confidence::Medium,
                        "later steps run the checked-out pull request code".to_string(),
                    )
                } else if job_holdings(cx.file, &w, job).is_empty() {
                    // A read-only token in a job without secrets is worth little.
                    continue;
                } else {
                    // Any later code can read the file: scripts, third-party actions.
                    let runner = later.iter().find(|x| {
                        x.run.is_some()
                            || x.uses.as_ref().is_some_and(|(u, _)| {
                                u.owner().is_none_or(|o| !own_owner(cx.config, &o))
                            })
                    });
                    let Some(r) = runner else { continue };
                    let what = match (&r.run, &r.uses) {
                        (Some(_), _) => "a later script".to_string(),
                        (_, Some((_, n))) => format!("`{}`", text_or_empty(n)),
                        _ => continue,
                    };
                    (
                        Severity::Low,
                        Confidence::Low,
                        format!("{what} can read it from `.git/config`"),
                    )
                };
                out.push(
                    rule.finding(
                        cx.file,
                        uses.span.clone(),
                        format!(
                            "checkout in job `{}` keeps the GITHUB_TOKEN in the workspace (`persist-credentials` is not `false`): {why}",
                            job.id
                        ),
                    )
                    .with_severity(sev)
                    .with_confidence(conf)
                    .with_fp_key(format!("{}:{}", job.id, s.index)),
                );
            }
        }
    }
}
