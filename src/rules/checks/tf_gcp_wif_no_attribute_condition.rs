//! A GCP workload identity pool provider for an OIDC issuer with no `attribute_condition`, a
//! trivially true one, or (for GitHub, GitLab, Terraform Cloud) one that does not mention any
//! claim identifying the repository, project, owner or workspace.

use crate::context::ProjectCx;
use crate::finding::{Finding, Severity};
use crate::rules::Rule;
use crate::terraform::oidc::{self, Issuer};
use crate::terraform::report::{Files, at_value, finding, push};

const IDENTIFYING: &[&str] = &[
    "repository",
    "repository_owner",
    "repository_id",
    "repository_owner_id",
    "job_workflow_ref",
    "workflow_ref",
    "sub",
    "subject",
    "project_path",
    "project_id",
    "namespace_path",
    "namespace_id",
    "terraform_organization_name",
    "terraform_organization_id",
    "terraform_workspace_id",
    "terraform_project_id",
    "organization",
    "workspace",
];

fn trivially_true(c: &str) -> bool {
    let t: String = c.chars().filter(|c| !c.is_whitespace()).collect();
    t.is_empty() || t == "true" || t == "1==1" || t == "!false"
}

fn mentions_identity(c: &str) -> bool {
    IDENTIFYING.iter().any(|k| {
        c.match_indices(k).any(|(i, _)| {
            let before = c[..i].chars().last();
            let after = c[i + k.len()..].chars().next();
            matches!(before, Some('.') | Some('\'') | Some('"') | Some('['))
                && !after.is_some_and(|ch| ch.is_ascii_alphanumeric() || ch == '_')
        })
    })
}

pub fn check_project(cx: &ProjectCx, rule: &Rule, out: &mut Vec<Finding>) {
    let a = crate::terraform::analysis(cx);
    let fs = Files::project(cx);
    for (_, r) in a.resources("google_iam_workload_identity_pool_provider") {
        let Some(oidc_b) = r.body.get("oidc") else { continue };
        let host = oidc_b
            .get("issuer_uri")
            .map(|v| crate::terraform::oidc::strip_scheme(&v.display()))
            .unwrap_or_default();
        let issuer = oidc::classify(&host);
        match r.body.get("attribute_condition") {
            None => push(
                out,
                finding(&fs, rule, &r.label_at, format!("workload identity provider `{}` for `{host}` has no `attribute_condition`: any identity the issuer signs for can federate", r.address)),
            ),
            Some(v) if v.is_null() => push(out, at_value(&fs, rule, v, None, format!("workload identity provider `{}` for `{host}` has a null `attribute_condition`", r.address))),
            Some(v) => {
                let Some(c) = v.str() else { continue };
                if v.is_unknown() {
                    continue;
                }
                if trivially_true(c) {
                    push(out, at_value(&fs, rule, v, None, format!("workload identity provider `{}` for `{host}` has an `attribute_condition` that is always true", r.address)));
                } else if matches!(issuer, Issuer::GitHub | Issuer::GitLab | Issuer::TerraformCloud) && !mentions_identity(c) {
                    push(
                        out,
                        at_value(&fs, rule, v, None, format!("workload identity provider `{}` for {} has an `attribute_condition` that names no repository, project, owner or workspace claim", r.address, issuer.name()))
                            .map(|f| f.with_severity(Severity::Medium)),
                    );
                }
            }
        }
    }
}
