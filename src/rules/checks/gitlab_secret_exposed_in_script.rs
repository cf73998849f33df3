//! Secrets in the shell scripts of GitLab CI, CircleCI, Azure Pipelines and Bitbucket Pipelines
//! jobs (see `crate::ci::scripts`): echoed, written to files, passed on a command line, traced
//! by `set -x`, including values derived from a secret (`T=$S; echo $T`). One check for every
//! provider: the cards `circleci-`, `azp-` and `bitbucket-secret-exposed-in-script` name it.

use crate::ci::{bash, scripts};
use crate::context::FileCx;
use crate::finding::Finding;
use crate::rules::Rule;
use crate::source::FileKind;

pub fn check_file(cx: &FileCx, rule: &Rule, out: &mut Vec<Finding>) {
    let kind = match rule.id().split('-').next().unwrap_or("") {
        "gitlab" => FileKind::GitlabCi,
        "circleci" => FileKind::CircleCi,
        "azp" => FileKind::AzurePipelines,
        "bitbucket" => FileKind::Bitbucket,
        _ => return,
    };
    if cx.file.kind != kind {
        return;
    }
    let literal = scripts::literal_vars(cx.parsed);
    for js in scripts::job_scripts(cx.file, cx.parsed) {
        let mut vars = scripts::secret_vars(&js.script.text);
        vars.retain(|v| !literal.contains(v));
        if vars.is_empty() {
            continue;
        }
        for l in bash::analyze(&js.script, &|_| false, &vars) {
            let msg = format!("job `{}`: {}", js.job, l.message());
            out.push(
                rule.finding(cx.file, l.span, msg.clone())
                    .with_fp_key(msg),
            );
        }
    }
}
