//! An OIDC-federated role trust (GitHub Actions, GitLab, CircleCI, Terraform Cloud, EKS, any
//! issuer) with no condition restricting the token subject, or none on the audience: anyone
//! who can get a token from the issuer can assume the role.

use crate::context::ProjectCx;
use crate::finding::{Finding, Severity};
use crate::rules::Rule;
use crate::terraform::iam;
use crate::terraform::oidc::{self, Issuer};
use crate::terraform::report::{Files, at_value, holder, push};

pub fn check_project(cx: &ProjectCx, rule: &Rule, out: &mut Vec<Finding>) {
    let a = crate::terraform::analysis(cx);
    let fs = Files::project(cx);
    for t in oidc::trusts(&a) {
        let who = holder(&a, t.site);
        let host = if t.host.is_empty() { "unknown issuer".to_string() } else { t.host.clone() };
        let sub = oidc::claim_conds(&t, "sub");
        let aud = oidc::claim_conds(&t, "aud");
        let has_sub = sub.iter().any(|c| iam::restricts(c));
        let has_aud = aud.iter().any(|c| oidc::restricts_claim(c));
        // Unknown condition blocks (`?`) may restrict: do not guess.
        if t.stmt.conditions.iter().any(|c| c.key == "?") {
            continue;
        }
        if t.issuer == Issuer::Cognito {
            if !has_aud {
                push(out, at_value(&fs, rule, t.principal, None, format!("{who} trusts Cognito identities with no `aud` condition (any identity pool)")));
            }
            continue;
        }
        if !has_sub {
            let extra = match t.issuer {
                Issuer::GitHub => ": any workflow of any repository on GitHub can assume it",
                Issuer::GitLab => ": any project on the GitLab instance can assume it",
                Issuer::Eks => ": any service account of the cluster can assume it",
                _ => ": any subject the issuer signs for can assume it",
            };
            let why = if sub.is_empty() { "no subject (`sub`) condition" } else { "no subject condition that restricts (negated, `IfExists`, `ForAllValues` or match-anything)" };
            push(out, at_value(&fs, rule, t.principal, None, format!("{who} trusts {} (`{host}`) with {why}{extra}", t.issuer.oidc())));
        } else if !has_aud && matches!(t.issuer, Issuer::GitHub | Issuer::GitLab | Issuer::CircleCi | Issuer::TerraformCloud) {
            push(
                out,
                at_value(&fs, rule, t.principal, None, format!("{who} trusts {} (`{host}`) with no audience (`aud`) condition", t.issuer.oidc()))
                    .map(|f| f.with_severity(Severity::Medium)),
            );
        }
    }
}
