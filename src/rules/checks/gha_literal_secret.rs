//! Literal secrets in CI configuration (see `crate::ci::others::literal_sites`). One check for
//! every provider: the cards `gitlab-literal-secret`, `circleci-literal-secret`,
//! `azp-literal-secret` and `bitbucket-literal-secret` name it with `check =`.

use crate::context::FileCx;
use crate::finding::Finding;
use crate::rules::Rule;
use crate::source::FileKind;

pub fn check_file(cx: &FileCx, rule: &Rule, out: &mut Vec<Finding>) {
    let kinds: &[FileKind] = match rule.id().split('-').next().unwrap_or("") {
        "gha" => &[FileKind::GithubWorkflow, FileKind::GithubAction],
        "gitlab" => &[FileKind::GitlabCi],
        "circleci" => &[FileKind::CircleCi],
        "azp" => &[FileKind::AzurePipelines],
        "bitbucket" => &[FileKind::Bitbucket],
        _ => &[],
    };
    crate::ci::report_literals(cx, rule, kinds, out);
}
