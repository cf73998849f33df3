//! A workload identity (IAM role or user, managed identity, Entra application or service
//! principal) with none of the configured owner tag keys (`[owners] tag-keys`), after the AWS
//! provider's `default_tags`, and no Entra `owners`: nobody to offboard it.

use crate::engine::ProjectCx;
use crate::finding::Finding;
use crate::rules::Rule;
use crate::terraform::report::{Files, finding, push};

const TYPES: &[&str] = &["aws_iam_role", "aws_iam_user", "azurerm_user_assigned_identity", "azuread_application", "azuread_application_registration", "azuread_service_principal"];

pub fn check_project(cx: &ProjectCx, rule: &Rule, out: &mut Vec<Finding>) {
    let keys = &cx.config.owners.tag_keys;
    if keys.is_empty() {
        return;
    }
    let a = crate::terraform::analysis(cx);
    let fs = Files::project(cx);
    for r in a.res.iter().filter(|r| r.block == "resource" && TYPES.contains(&r.rtype.as_str())) {
        let (tags, unknown) = a.effective_tags(r);
        if unknown || keys.iter().any(|k| tags.contains_key(k)) {
            continue;
        }
        if r.rtype.starts_with("azuread_") && r.body.get("owners").is_some_and(|o| !o.items().is_empty()) {
            continue;
        }
        let shown: Vec<String> = keys.iter().take(4).map(|k| format!("`{k}`")).collect();
        push(out, finding(&fs, rule, &r.label_at, format!("`{}` has no owner (none of the tags {} and no owners)", r.address, shown.join(", "))));
    }
}
