//! "Pwn request": a `pull_request_target` / `workflow_run` / `issue_comment` job checks out the
//! untrusted head of a pull request and then runs it while it holds secrets, an OIDC token or a
//! token that may write.

use crate::ci::gha::{Uses, Workflow, inert_action, job_holdings, untrusted_ref};
use crate::context::FileCx;
use crate::finding::{Finding, Severity};
use crate::rules::Rule;

const TRIGGERS: &[&str] = &["pull_request_target", "workflow_run", "issue_comment"];

/// A script that only reads or prints the checkout (`cat README.md`, `git rev-parse HEAD`,
/// `ls`) runs none of its code.
fn read_only_script(t: &str) -> bool {
    const SAFE: &[&str] = &[
        "echo", "cat", "ls", "sleep", "printf", "head", "tail", "wc", "grep", "test", "true",
    ];
    t.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .all(|l| {
            let mut w = l.split_whitespace();
            let first = w.next().unwrap_or("");
            SAFE.contains(&first)
                && !l.contains("$(")
                && !l.contains('`')
                && !l.contains('|')
                && !l.contains('>')
                && !l.contains(';')
                && !l.contains("&&")
                || (first == "git"
                    && matches!(w.next(), Some("rev-parse" | "log" | "status" | "diff" | "show")))
        })
}

pub fn check_file(cx: &FileCx, rule: &Rule, out: &mut Vec<Finding>) {
    for w in Workflow::all(cx.file, cx.parsed) {
        let Some(trigger) = w.has_trigger(TRIGGERS) else {
            continue;
        };
        for job in &w.jobs {
            // The checkout of the head: `actions/checkout` with an untrusted `ref`, or a
            // script that fetches the pull request.
            let mut checkout = None;
            for s in &job.steps {
                if s.action().as_deref() == Some("actions/checkout") {
                    if let Some(r) = s.with_node("ref") {
                        let t = crate::ci::text_or_empty(r);
                        if untrusted_ref(&t) {
                            checkout = Some((s.index, r.span.clone(), format!("ref: {t}")));
                            break;
                        }
                    }
                } else if let Some(run) = s.run {
                    let t = crate::ci::text_or_empty(run);
                    if t.contains("gh pr checkout")
                        || (t.contains("git fetch") && t.contains("pull/"))
                        || (t.contains("git checkout") && untrusted_ref(&t) && t.contains("${{"))
                    {
                        // Name the command that fetches the head, not a placeholder.
                        let line = t
                            .lines()
                            .map(str::trim)
                            .find(|l| {
                                l.contains("gh pr checkout")
                                    || (l.contains("git fetch") && l.contains("pull/"))
                                    || (l.starts_with("git checkout") && untrusted_ref(l))
                            })
                            .unwrap_or("git checkout")
                            .to_string();
                        checkout = Some((s.index, run.span.clone(), line));
                        break;
                    }
                }
            }
            let Some((at, span, what)) = checkout else {
                continue;
            };
            // Something runs the checked-out code afterwards.
            let runs = job.steps.iter().filter(|s| s.index > at).any(|s| {
                s.run.is_some_and(|r| !read_only_script(&crate::ci::text_or_empty(r)))
                    || match &s.uses {
                        Some((Uses::Local(_), _)) | Some((Uses::Docker(_), _)) => true,
                        Some((u, _)) => u.slug().is_none_or(|sl| !inert_action(&sl)),
                        None => false,
                    }
            }) || job.steps.iter().any(|s| s.index == at && s.run.is_some());
            if !runs {
                continue;
            }
            let held = job_holdings(cx.file, &w, job);
            let secrets = held.contains(&"secrets");
            let id_token = w.id_token(job);
            if held.is_empty() {
                continue;
            }
            let sev = if secrets || id_token {
                Severity::Critical
            } else {
                rule.severity
            };
            let long = what.chars().count() > 80;
            let mut what: String = what.chars().take(80).collect();
            if long {
                what.push('…');
            }
            out.push(
                rule.finding(
                    cx.file,
                    span,
                    format!(
                        "job `{}` runs untrusted pull request code (`{what}`) on `{}` while holding {}",
                        job.id,
                        trigger.name,
                        held.join(", ")
                    ),
                )
                .with_severity(sev)
                .with_fp_key(format!("{}:{}", job.id, trigger.name)),
            );
        }
    }
}
