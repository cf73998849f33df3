//! GitHub App installation tokens minted without naming permissions: the token gets every
//! permission the App's installation has (often `contents: write`, `administration`,
//! `workflows`), for every repository it is installed on when an `owner:` is given.

use crate::ci::gha::Workflow;
use crate::context::FileCx;
use crate::finding::Finding;
use crate::rules::Rule;

/// (action, how it names permissions: an input prefix or one input).
const MINTERS: &[(&str, &str)] = &[
    ("actions/create-github-app-token", "permission-"),
    ("tibdex/github-app-token", "permissions"),
    ("peter-murray/workflow-application-token-action", "permissions"),
    ("getsentry/action-github-app-token", "permissions"),
    ("navikt/github-app-token-generator", "permissions"),
];

pub fn check_file(cx: &FileCx, rule: &Rule, out: &mut Vec<Finding>) {
    for w in Workflow::all(cx.file, cx.parsed) {
        for job in &w.jobs {
            for s in &job.steps {
                let Some(a) = s.action() else { continue };
                let Some((_, scoped_by)) = MINTERS.iter().find(|(m, _)| *m == a) else {
                    continue;
                };
                let scoped = s
                    .with
                    .map(|n| n.entries())
                    .unwrap_or(&[])
                    .iter()
                    .any(|e| e.key.starts_with(scoped_by));
                if scoped {
                    continue;
                }
                let Some((_, node)) = &s.uses else { continue };
                let wide = if s.with_node("owner").is_some() && s.with_node("repositories").is_none() {
                    " for every repository of the installation (`owner:` without `repositories:`)"
                } else {
                    ""
                };
                let how = if scoped_by.ends_with('-') {
                    "`permission-*` inputs"
                } else {
                    "a `permissions` input"
                };
                out.push(
                    rule.finding(
                        cx.file,
                        node.span.clone(),
                        format!(
                            "job `{}` mints a GitHub App token with every permission of the App installation{wide}: no {how}",
                            job.id
                        ),
                    )
                    .with_fp_key(format!("{}:{}", job.id, s.index)),
                );
            }
        }
    }
}
