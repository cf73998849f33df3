//! Workflows started by events an outsider can cause (`pull_request_target`, `workflow_run`,
//! `issue_comment`) that run in the base repository's context with credentials: reported once
//! per workflow, on the trigger, with the jobs that hold credentials as related locations.

use crate::ci::gha::{Workflow, job_holdings};
use crate::context::FileCx;
use crate::finding::Finding;
use crate::rules::Rule;

/// Events that run with the base repository's secrets and token but can be caused by someone
/// without write access.
const OUTSIDER_TRIGGERS: &[&str] = &["pull_request_target", "workflow_run", "issue_comment"];

pub fn check_file(cx: &FileCx, rule: &Rule, out: &mut Vec<Finding>) {
    for w in Workflow::all(cx.file, cx.parsed) {
        if w.is_action {
            continue;
        }
        for t in w.triggers.iter().filter(|t| OUTSIDER_TRIGGERS.contains(&t.name.as_str())) {
            let holders: Vec<_> = w
                .jobs
                .iter()
                .map(|j| (j, job_holdings(cx.file, &w, j)))
                .filter(|(_, h)| !h.is_empty())
                .collect();
            let Some((first, held)) = holders.first() else { continue };
            let more = match holders.len() {
                1 => String::new(),
                2 => "; 1 other job holds credentials too".to_string(),
                n => format!("; {} other jobs hold credentials too", n - 1),
            };
            let mut f = rule.finding(
                cx.file,
                t.span.clone(),
                format!(
                    "`{}` runs in the base repository's context and can be caused by outsiders; job `{}` holds {}{more}",
                    t.name,
                    first.id,
                    held.join(", ")
                ),
            );
            for (j, h) in holders.iter().take(5) {
                f = f.with_related(crate::ci::related_at(
                    cx.file,
                    j.key_span.start,
                    format!("job `{}` holds {}", j.id, h.join(", ")),
                ));
            }
            out.push(f.with_fp_key(t.name.clone()));
        }
    }
}
