//! Self-hosted runners in workflows that pull requests trigger: code from a fork runs on a
//! persistent machine inside the network, next to whatever credentials it holds.

use crate::ci::gha::{PR_TRIGGERS, Workflow};
use crate::ci::text_or_empty;
use crate::context::FileCx;
use crate::finding::Finding;
use crate::lang::{Node, V};
use crate::rules::Rule;

fn self_hosted(n: &Node) -> bool {
    match &n.v {
        V::Seq(items) => items.iter().any(self_hosted),
        V::Map(_) => n.get("labels").is_some_and(self_hosted),
        _ => text_or_empty(n).eq_ignore_ascii_case("self-hosted"),
    }
}

pub fn check_file(cx: &FileCx, rule: &Rule, out: &mut Vec<Finding>) {
    for w in Workflow::all(cx.file, cx.parsed) {
        let Some(t) = w.has_trigger(PR_TRIGGERS) else {
            continue;
        };
        for job in &w.jobs {
            let Some(ro) = job.runs_on else { continue };
            if self_hosted(ro) {
                out.push(
                    rule.finding(
                        cx.file,
                        ro.span.clone(),
                        format!(
                            "job `{}` runs on a self-hosted runner in a workflow triggered by `{}`",
                            job.id, t.name
                        ),
                    )
                    .with_fp_key(job.id.clone()),
                );
            }
        }
    }
}
