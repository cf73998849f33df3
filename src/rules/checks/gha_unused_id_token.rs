//! `id-token: write` on jobs with no known consumer of the OIDC token (cloud login actions,
//! signing and attestation, trusted publishing, `ACTIONS_ID_TOKEN_REQUEST_*` in scripts).

use crate::ci::gha::{PermsKind, Workflow, uses_oidc};
use crate::context::FileCx;
use crate::finding::Finding;
use crate::lang::Span;
use crate::rules::Rule;

pub fn check_file(cx: &FileCx, rule: &Rule, out: &mut Vec<Finding>) {
    for w in Workflow::all(cx.file, cx.parsed) {
        // (span of the id-token entry, jobs without a consumer)
        let mut groups: Vec<(Span, Vec<String>)> = Vec::new();
        for job in &w.jobs {
            let Some(p) = w.effective(job) else { continue };
            let PermsKind::Scopes(scopes) = &p.kind else {
                continue;
            };
            let Some((_, _, span)) = scopes
                .iter()
                .find(|(k, l, _)| k == "id-token" && l == "write")
            else {
                continue;
            };
            if uses_oidc(job) != Some(false) {
                continue;
            }
            match groups.iter_mut().find(|g| g.0 == *span) {
                Some(g) => g.1.push(job.id.clone()),
                None => groups.push((span.clone(), vec![job.id.clone()])),
            }
        }
        for (span, jobs) in groups {
            let list = jobs
                .iter()
                .map(|j| format!("`{j}`"))
                .collect::<Vec<_>>()
                .join(", ");
            let f = rule
                .finding(
                    cx.file,
                    span,
                    format!("`id-token: write` is granted to job(s) {list} but no step exchanges the OIDC token"),
                )
                .with_fp_key(jobs.join(","));
            out.push(f);
        }
    }
}
