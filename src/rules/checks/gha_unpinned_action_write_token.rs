//! Third-party actions referenced by a movable tag or branch in jobs whose GITHUB_TOKEN can
//! write: whoever moves the tag runs code with that token (`tj-actions/changed-files`, 2025).
//! Actions that also receive other secrets are `gha-unpinned-action-secrets`.

use crate::ci::gha::{Workflow, secret_keys_where, token_write};
use crate::ci::text_or_empty;
use crate::context::FileCx;
use crate::finding::{Confidence, Finding};
use crate::rules::Rule;

pub fn check_file(cx: &FileCx, rule: &Rule, out: &mut Vec<Finding>) {
    for w in Workflow::all(cx.file, cx.parsed) {
        let wf_env_secrets = !secret_keys_where(w.env, w.is_action, true).is_empty();
        for job in &w.jobs {
            let Some(power) = token_write(&w, job) else {
                continue;
            };
            // Secrets in the job's or workflow's environment reach every step:
            // `gha-unpinned-action-secrets` reports these actions (and names the write token).
            if wf_env_secrets || !secret_keys_where(job.env, w.is_action, true).is_empty() {
                continue;
            }
            for s in &job.steps {
                let Some((u, node)) = &s.uses else { continue };
                let third_party = u.third_party(cx.config);
                if !third_party || u.pinned() {
                    continue;
                }
                if !secret_keys_where(s.with, w.is_action, true).is_empty()
                    || !secret_keys_where(s.env, w.is_action, true).is_empty()
                {
                    continue;
                }
                let name = text_or_empty(node);
                let (what, conf) = if power == "default" {
                    (
                        "the repository's default (possibly write) token permissions",
                        Confidence::Medium,
                    )
                } else {
                    ("a token with write scopes", rule.card.confidence)
                };
                out.push(
                    rule.finding(
                        cx.file,
                        node.span.clone(),
                        format!(
                            "third-party action `{name}` is not pinned to a commit SHA and runs in job `{}` with {what}",
                            job.id
                        ),
                    )
                    .with_confidence(conf)
                    .with_fp_key(format!("{}:{name}", job.id)),
                );
            }
        }
    }
}
