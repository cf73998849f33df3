//! Azure Pipelines service connections (cloud, cluster and registry identities) used by a
//! pipeline whose YAML turns on pull-request builds, with no `Build.Reason` guard.

use crate::ci::others::{azp_connections, azp_pr_trigger};
use crate::ci::text_or_empty;
use crate::context::FileCx;
use crate::finding::Finding;
use crate::rules::Rule;
use crate::source::FileKind;

pub fn check_file(cx: &FileCx, rule: &Rule, out: &mut Vec<Finding>) {
    if cx.file.kind != FileKind::AzurePipelines {
        return;
    }
    // A `Build.Reason` condition anywhere is taken as a guard (conditions are not evaluated).
    let t = &cx.file.text;
    if t.contains("Build.Reason") && t.contains("PullRequest") {
        return;
    }
    for root in cx.parsed.roots() {
        if azp_pr_trigger(root).is_none() {
            continue;
        }
        for (task, input, value, _) in azp_connections(root) {
            out.push(
                rule.finding(
                    cx.file,
                    value.span.clone(),
                    format!(
                        "task `{task}` uses service connection `{}` (`{input}`) in a pipeline that pull requests trigger",
                        text_or_empty(value)
                    ),
                )
                .with_fp_key(format!("{task}:{}", text_or_empty(value))),
            );
        }
    }
}
