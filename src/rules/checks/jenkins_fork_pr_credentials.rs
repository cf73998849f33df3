//! Multibranch jobs (Job DSL) that build pull requests from forks with the fork's own Jenkinsfile
//! (`ForkPullRequestDiscoveryTrait` trusting everyone or forks): anyone who can open a pull
//! request edits the pipeline and reads every credential the job can reach.

use crate::context::FileCx;
use crate::finding::Finding;
use crate::rules::Rule;
use crate::source::FileKind;

pub fn check_file(cx: &FileCx, rule: &Rule, out: &mut Vec<Finding>) {
    if cx.file.kind != FileKind::JobDsl {
        return;
    }
    let src = &*cx.file.text;
    if !src.contains("ForkPullRequestDiscoveryTrait") && !src.contains("forkPullRequestDiscovery") {
        return;
    }
    for trust in ["TrustEveryone", "TrustAll", "trustEveryone"] {
        let mut from = 0;
        while let Some(p) = src[from..].find(trust) {
            let at = from + p;
            let line_start = src[..at].rfind('\n').map(|i| i + 1).unwrap_or(0);
            let line_end = src[at..].find('\n').map(|i| at + i).unwrap_or(src.len());
            let creds = src.contains("credentialsId") || src.contains("credentials");
            let with = if creds {
                " while the job holds credentials"
            } else {
                ""
            };
            out.push(
                rule.finding(
                    cx.file,
                    line_start + (src[line_start..line_end].len() - src[line_start..line_end].trim_start().len())..line_end,
                    format!("pull requests from forks run their own Jenkinsfile (`{trust}`){with}"),
                )
                .with_fp_key(format!("{trust}:{at}")),
            );
            from = at + trust.len();
        }
    }
}
