//! A reusable workflow of another owner called with `secrets: inherit`: every secret of the
//! repository and organisation goes to code someone else controls.

use crate::ci::gha::{Uses, Workflow, own_owner};
use crate::ci::text_or_empty;
use crate::context::FileCx;
use crate::finding::{Confidence, Finding};
use crate::rules::Rule;

pub fn check_file(cx: &FileCx, rule: &Rule, out: &mut Vec<Finding>) {
    let org_known = !cx.config.org.github_orgs.is_empty() || cx.config.org.repository.is_some();
    for w in Workflow::all(cx.file, cx.parsed) {
        for job in &w.jobs {
            let (Some(u), Some(sec)) = (job.uses, job.secrets) else {
                continue;
            };
            if text_or_empty(sec) != "inherit" {
                continue;
            }
            let name = text_or_empty(u);
            let parsed = Uses::parse(&name);
            let Uses::Repo { owner, .. } = &parsed else { continue };
            if own_owner(cx.config, owner) {
                continue;
            }
            let pin = if parsed.pinned() {
                ""
            } else {
                " at a mutable ref"
            };
            let mut f = rule
                .finding(
                    cx.file,
                    sec.span.clone(),
                    format!(
                        "job `{}` passes every secret (`secrets: inherit`) to reusable workflow `{name}` of owner `{owner}`{pin}",
                        job.id
                    ),
                )
                .with_fp_key(format!("{}:{name}", job.id));
            if !org_known {
                f = f.with_confidence(Confidence::Medium);
            }
            out.push(f);
        }
    }
}
