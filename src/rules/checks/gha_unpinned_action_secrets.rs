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
                let inherited: Vec<String> = wf_env
                    .iter()
                    .chain(job_env.iter())
                    .map(|k| format!("env.{k}"))
                    .collect();
                let (list, conf, how) = if !direct.is_empty() {
                    (direct, None, "")
                } else if !inherited.is_empty() {
                    (inherited, Some(Confidence::Medium), " (inherited from the environment, which every step's process sees)")
                } else {
                    continue;
                };
                let token = match token_write(&w, job) {
                    Some("default") => "; its token has the repository's default (possibly write) permissions",
                    Some(_) => "; its token can write",
                    None => "",
                };
                let name = text_or_empty(node);
                let shown: Vec<String> = list.iter().take(4).map(|k| format!("`{k}`")).collect();
                let mut f = rule
                    .finding(
                        cx.file,
                        node.span.clone(),
                        format!(
                            "third-party action `{name}` is not pinned to a commit SHA and receives secrets in {}{how}{token}",
                            shown.join(", ")
                        ),
                    )
                    .with_fp_key(format!("{}:{name}", job.id));
                if let Some(c) = conf {
                    f = f.with_confidence(c);
                }
                out.push(f);
            }
        }
    }
}
