//! Admin-equivalent grants to workloads: the AWS `AdministratorAccess` managed policy,
//! GCP basic roles `roles/owner`/`roles/editor` for service accounts or federated principals,
//! Azure `Owner`/`Contributor`/`User Access Administrator` at subscription or management-group
//! scope for service principals and managed identities.

use crate::context::ProjectCx;
use crate::finding::{Confidence, Finding};
use crate::rules::Rule;
use crate::terraform::eval::Val;
use crate::terraform::report::{Files, at_value, push};

const AWS_ADMIN: &[&str] = &["AdministratorAccess", "IAMFullAccess"];
const GCP_ADMIN: &[&str] = &["roles/owner", "roles/editor", "roles/iam.securityAdmin", "roles/resourcemanager.organizationAdmin"];
const AZ_ADMIN: &[&str] = &["Owner", "Contributor", "User Access Administrator", "Role Based Access Control Administrator"];

fn aws_admin(v: &Val) -> Option<&'static str> {
    let s = v.str()?;
    AWS_ADMIN.iter().copied().find(|n| s.ends_with(&format!(":policy/{n}")))
}

/// `None` = a human (user:, group:, domain:); `Some(false)` = workload; `Some(true)` = unknown.
fn gcp_workload(m: &Val) -> Option<bool> {
    let s = m.display();
    let s = s.trim();
    if s.starts_with("user:") || s.starts_with("group:") || s.starts_with("domain:") || s.starts_with("deleted:") {
        return None;
    }
    if s.starts_with("serviceAccount:") || s.starts_with("principal:") || s.starts_with("principalSet:") || s.starts_with("allUsers") || s.starts_with("allAuthenticatedUsers") {
        return Some(false);
    }
    Some(true)
}

fn az_broad_scope(v: &Val) -> Option<&'static str> {
    let s = v.display();
    let l = s.to_ascii_lowercase();
    if l.contains("managementgroups/") || l.contains("azurerm_management_group") {
        return Some("management group");
    }
    if l.contains("azurerm_subscription") && !l.contains("resource_group") {
        return Some("subscription");
    }
    let t = l.trim_end_matches('/');
    if let Some(rest) = t.strip_prefix("/subscriptions/")
        && !rest.contains('/')
    {
        return Some("subscription");
    }
    if t == "/" {
        return Some("tenant root");
    }
    None
}

pub fn check_project(cx: &ProjectCx, rule: &Rule, out: &mut Vec<Finding>) {
    let a = crate::terraform::analysis(cx);
    let fs = Files::project(cx);
    for r in a.res.iter() {
        if r.block != "resource" && !(r.block == "data" && r.rtype == "google_iam_policy") {
            continue;
        }
        match r.rtype.as_str() {
            "aws_iam_role_policy_attachment" | "aws_iam_user_policy_attachment" | "aws_iam_group_policy_attachment" | "aws_iam_policy_attachment" => {
                if let Some(v) = r.body.get("policy_arn")
                    && let Some(n) = aws_admin(v)
                {
                    push(out, at_value(&fs, rule, v, None, format!("`{}` attaches the AWS managed policy `{n}` (full control of the account)", r.full_address())));
                }
            }
            "aws_iam_role" | "aws_iam_user" | "aws_iam_group" => {
                if let Some(list) = r.body.get("managed_policy_arns") {
                    for v in list.items() {
                        if let Some(n) = aws_admin(v) {
                            push(out, at_value(&fs, rule, v, None, format!("`{}` has the AWS managed policy `{n}` (full control of the account)", r.full_address())));
                        }
                    }
                }
            }
            "google_iam_policy" => {
                for b in r.body.get_all("binding") {
                    let Some(role) = b.get("role") else { continue };
                    let Some(rs) = role.known_str() else { continue };
                    if !GCP_ADMIN.contains(&rs) {
                        continue;
                    }
                    for m in b.get("members").map(|m| m.items()).unwrap_or_default() {
                        if let Some(unknown) = gcp_workload(m) {
                            let f = at_value(&fs, rule, role, None, format!("`{}` grants `{rs}` to `{}`", r.full_address(), m.display()));
                            push(out, f.map(|f| if unknown { f.with_confidence(Confidence::Low) } else { f }));
                        }
                    }
                }
            }
            t if t.starts_with("google_") && (t.ends_with("_iam_member") || t.ends_with("_iam_binding")) && !t.starts_with("google_service_account_iam") => {
                let Some(role) = r.body.get("role") else { continue };
                let Some(rs) = role.known_str() else { continue };
                if !GCP_ADMIN.contains(&rs) {
                    continue;
                }
                let members: Vec<&Val> = match r.body.get("member") {
                    Some(m) => vec![m],
                    None => r.body.get("members").map(|m| m.items()).unwrap_or_default(),
                };
                for m in members {
                    if let Some(unknown) = gcp_workload(m) {
                        let f = at_value(&fs, rule, role, None, format!("`{}` grants `{rs}` to `{}`", r.full_address(), m.display()));
                        let f = f.map(|mut f| {
                            if unknown {
                                f.message.push_str(" (member not known statically)");
                                f.with_confidence(Confidence::Low)
                            } else {
                                f
                            }
                        });
                        push(out, f);
                    }
                }
            }
            "azurerm_role_assignment" => {
                let Some(role) = r.body.get("role_definition_name") else { continue };
                let Some(rs) = role.known_str() else { continue };
                if !AZ_ADMIN.iter().any(|x| x.eq_ignore_ascii_case(rs)) {
                    continue;
                }
                let Some(scope_v) = r.body.get("scope") else { continue };
                let Some(scope) = az_broad_scope(scope_v) else { continue };
                if let Some(pt) = r.body.get("principal_type").and_then(|p| p.known_str())
                    && (pt == "User" || pt == "Group")
                {
                    continue;
                }
                let principal = r.body.get("principal_id").map(|p| p.display()).unwrap_or_default();
                let workload = ["azurerm_user_assigned_identity", "azuread_service_principal", "identity", "principal_id"].iter().any(|k| principal.contains(k));
                let f = at_value(&fs, rule, role, None, format!("`{}` assigns `{rs}` at {scope} scope to `{principal}`", r.full_address()));
                push(out, f.map(|f| if workload { f } else { f.with_confidence(Confidence::Medium) }));
            }
            _ => {}
        }
    }
}
