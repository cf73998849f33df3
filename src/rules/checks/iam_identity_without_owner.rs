//! A workload identity (IAM role or user, managed identity, Entra application or service
//! principal) with none of the configured owner tag keys (`[owners] tag-keys`), after the AWS
//! provider's `default_tags`, and no Entra `owners`: nobody to offboard it. Governance rule: runs
//! only when `[owners]` is configured. Identities created by a module are reported once, at the
//! outermost `module` call of a deployed root (where the tags go), never inside a reusable module.

use crate::context::ProjectCx;
use crate::finding::Finding;
use crate::rules::Rule;
use crate::terraform::eval::At;
use crate::terraform::report::{Files, finding, push, related};
use std::collections::BTreeMap;

const TYPES: &[&str] = &["aws_iam_role", "aws_iam_user", "azurerm_user_assigned_identity", "azuread_application", "azuread_application_registration", "azuread_service_principal"];

/// Where the fix goes, the module called there (if any), and the identities (address, where).
type Site = (At, Option<String>, Vec<(String, At)>);

pub fn check_project(cx: &ProjectCx, rule: &Rule, out: &mut Vec<Finding>) {
    let keys = cx.config.owner_keys();
    if keys.is_empty() {
        return;
    }
    let a = crate::terraform::analysis(cx);
    let fs = Files::project(cx);
    // Where the fix goes → the unowned identities (address, where written).
    let mut sites: BTreeMap<(usize, usize), Site> = BTreeMap::new();
    for r in a.res.iter().filter(|r| r.block == "resource" && TYPES.contains(&r.rtype.as_str())) {
        let (tags, unknown) = a.effective_tags(r);
        if unknown || keys.iter().any(|k| tags.contains_key(k)) {
            continue;
        }
        if r.rtype.starts_with("azuread_") && r.body.get("owners").is_some_and(|o| !o.items().is_empty()) {
            continue;
        }
        let (call, root) = a.top_call(r.inst);
        if !a.is_deployment_root(root) {
            continue;
        }
        let (at, module) = match call.map(|c| &a.res[c]) {
            Some(m) => (m.label_at.clone(), Some(m.name.clone())),
            None => (r.label_at.clone(), None),
        };
        let e = sites.entry((at.file, at.span.start)).or_insert_with(|| (at, module, Vec::new()));
        if !e.2.iter().any(|(addr, w)| *addr == r.address && *w == r.label_at) {
            e.2.push((r.address.clone(), r.label_at.clone()));
        }
    }
    let shown: Vec<String> = keys.iter().take(4).map(|k| format!("`{k}`")).collect();
    let shown = shown.join(", ");
    for (_, (at, module, ids)) in sites {
        let f = match &module {
            None => {
                // Instances of one block: one finding each, merged into one by the engine.
                for (addr, _) in &ids {
                    push(out, finding(&fs, rule, &at, format!("`{addr}` has no owner (none of the tags {shown} and no owners)")));
                }
                None
            }
            Some(m) => {
                let n = ids.len();
                let what = if n == 1 { "an identity".to_string() } else { format!("{n} identities") };
                finding(&fs, rule, &at, format!("module `{m}` creates {what} with no owner tag ({shown}); pass one in the module's tags"))
                    .map(|mut f| {
                        for (addr, w) in &ids {
                            if let Some(r) = related(&fs, w, format!("`{addr}` is created here")) {
                                f = f.with_related(r);
                            }
                        }
                        f
                    })
            }
        };
        push(out, f);
    }
}
