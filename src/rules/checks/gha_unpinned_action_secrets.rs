//! Third-party actions that receive secrets but are not pinned to a full commit SHA: whoever
//! can move the tag or branch gets the secret.

use crate::ci::gha::{Workflow, secret_keys_where, token_write};
use crate::ci::text_or_empty;
use crate::context::FileCx;
use crate::finding::{Confidence, Finding};
use crate::rules::Rule;

pub fn check_file(cx: &FileCx, rule: &Rule, out: &mut Vec<Finding>) {
    for w in Workflow::all(cx.file, cx.parsed) {
        let wf_env = secret_keys_where(w.env, w.is_action, true);
        for job in &w.jobs {
            let job_env = secret_keys_where(job.env, w.is_action, true);
            let token = match token_write(&w, job) {
                Some("default") => "; its token has the repository's default (possibly write) permissions",
                Some(_) => "; its token can write",
                None => "",
            };
            // Unpinned actions that only see secrets of the workflow's or job's `env`: one
            // problem per job (the environment), reported once at the first of them.
            let mut via_env: Vec<(String, &crate::lang::Node)> = Vec::new();
            for s in &job.steps {
                let Some((u, node)) = &s.uses else { continue };
                let third_party = u.third_party(cx.config);
                if !third_party || u.pinned() {
                    continue;
                }
                let mut direct: Vec<String> = secret_keys_where(s.with, w.is_action, true)
                    .into_iter()
                    .map(|k| format!("with.{k}"))
                    .collect();
                direct.extend(
                    secret_keys_where(s.env, w.is_action, true)
                        .into_iter()
                        .map(|k| format!("env.{k}")),
                );
                let name = text_or_empty(node);
                if direct.is_empty() {
                    if !wf_env.is_empty() || !job_env.is_empty() {
                        via_env.push((name.to_string(), node));
                    }
                    continue;
                }
                let shown: Vec<String> = direct.iter().take(4).map(|k| format!("`{k}`")).collect();
                out.push(
                    rule.finding(
                        cx.file,
                        node.span.clone(),
                        format!(
                            "third-party action `{name}` is not pinned to a commit SHA and receives secrets in {}{token}",
                            shown.join(", ")
                        ),
                    )
                    .with_fp_key(format!("{}:{name}", job.id)),
                );
            }
            let Some(((first, node), rest)) = via_env.split_first() else {
                continue;
            };
            let inherited: Vec<String> = wf_env
                .iter()
                .chain(job_env.iter())
                .take(4)
                .map(|k| format!("`env.{k}`"))
                .collect();
            let others = match rest.len() {
                0 => String::new(),
                1 => format!(" (and `{}`)", rest[0].0),
                n => format!(" (and {n} more unpinned actions of the job)"),
            };
            let mut f = rule
                .finding(
                    cx.file,
                    node.span.clone(),
                    format!(
                        "third-party action `{first}`{others} is not pinned to a commit SHA and receives secrets in {} (inherited from the environment, which every step's process sees){token}",
                        inherited.join(", ")
                    ),
                )
                .with_fp_key(format!("{}:{first}", job.id))
                .with_confidence(Confidence::Medium);
            for (name, n) in rest.iter().take(5) {
                f = f.with_related(crate::ci::related_at(
                    cx.file,
                    n.span.start,
                    format!("`{name}` sees the same secrets"),
                ));
            }
            out.push(f);
        }
    }
}
