//! Write scopes of the GITHUB_TOKEN that a job's steps show no use of. Conservative: any step
//! whose use of the token cannot be told (unknown actions, `gh`, API calls, an explicit token)
//! counts as using every scope; `write-all` and `id-token` have their own rules.

use crate::ci::gha::{Workflow, scopes_used_by_job};
use crate::context::FileCx;
use crate::finding::Finding;
use crate::lang::Span;
use crate::rules::Rule;

pub fn check_file(cx: &FileCx, rule: &Rule, out: &mut Vec<Finding>) {
    for w in Workflow::all(cx.file, cx.parsed) {
        // (entry span, scope, jobs that show no use, some job uses it)
        let mut groups: Vec<(Span, String, Vec<String>, bool)> = Vec::new();
        for job in &w.jobs {
            let Some(p) = w.effective(job) else { continue };
            let writes = p.write_scopes();
            if writes.is_empty() {
                continue;
            }
            let used = scopes_used_by_job(cx.file, &w, job);
            for (scope, span) in writes {
                if scope == "id-token" {
                    continue;
                }
                let is_used = used.as_ref().is_none_or(|u| u.contains(scope));
                let g = match groups.iter_mut().find(|g| g.0 == span) {
                    Some(g) => g,
                    None => {
                        groups.push((span.clone(), scope.to_string(), Vec::new(), false));
                        groups.last_mut().expect("pushed")
                    }
                };
                if is_used {
                    g.3 = true;
                } else {
                    g.2.push(job.id.clone());
                }
            }
        }
        for (span, scope, jobs, some_use) in groups {
            if jobs.is_empty() {
                continue;
            }
            let list = jobs
                .iter()
                .map(|j| format!("`{j}`"))
                .collect::<Vec<_>>()
                .join(", ");
            let msg = if some_use {
                format!("`{scope}: write` also reaches job(s) {list} whose steps show no use of it")
            } else {
                format!("`{scope}: write` is granted to job(s) {list} whose steps show no use of it")
            };
            out.push(
                rule.finding(cx.file, span, msg)
                    .with_fp_key(format!("{scope}:{}", jobs.join(","))),
            );
        }
    }
}
