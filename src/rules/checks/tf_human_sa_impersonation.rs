//! People (`user:`, `group:`, `domain:` members) granted the right to impersonate GCP service
//! accounts (`roles/iam.serviceAccountTokenCreator`, `serviceAccountUser`, key admin, …):
//! the workload's identity becomes a human's.

use crate::context::ProjectCx;
use crate::finding::Finding;
use crate::rules::Rule;
use crate::terraform::eval::Val;
use crate::terraform::report::{Files, at_value, push};

const ROLES: &[&str] = &[
    "roles/iam.serviceAccountTokenCreator",
    "roles/iam.serviceAccountUser",
    "roles/iam.serviceAccountKeyAdmin",
    "roles/iam.serviceAccountOpenIdTokenCreator",
    "roles/iam.workloadIdentityUser",
];

pub fn check_project(cx: &ProjectCx, rule: &Rule, out: &mut Vec<Finding>) {
    let a = crate::terraform::analysis(cx);
    let fs = Files::project(cx);
    for r in a.res.iter().filter(|r| r.block == "resource") {
        let t = r.rtype.as_str();
        if !(t.starts_with("google_") && (t.ends_with("_iam_member") || t.ends_with("_iam_binding"))) {
            continue;
        }
        let Some(role) = r.body.get("role").and_then(|v| v.known_str()) else { continue };
        if !ROLES.contains(&role) {
            continue;
        }
        let members: Vec<&Val> = match r.body.get("member") {
            Some(m) => vec![m],
            None => r.body.get("members").map(|m| m.items()).unwrap_or_default(),
        };
        let scope = if t.starts_with("google_service_account_iam") {
            format!("service account `{}`", r.body.get("service_account_id").map(|v| v.display()).unwrap_or_default())
        } else {
            "every service account of the project".to_string()
        };
        for m in members {
            let Some(s) = m.str() else { continue };
            let kind = if s.starts_with("user:") {
                "person"
            } else if s.starts_with("group:") {
                "group of people"
            } else if s.starts_with("domain:") {
                "whole domain of people"
            } else {
                continue;
            };
            push(out, at_value(&fs, rule, m, None, format!("`{}` lets {kind} `{s}` impersonate {scope} (`{role}`)", r.address)));
        }
    }
}
