//! `vault_kubernetes_auth_backend_role` bound to every ServiceAccount (`*` in
//! `bound_service_account_names`), reported one severity higher when the namespaces are `*` too.

use crate::apptrust::vault;
use crate::context::FileCx;
use crate::finding::Finding;
use crate::rules::Rule;

pub fn check_file(cx: &FileCx, rule: &Rule, out: &mut Vec<Finding>) {
    for (kind, t, name, _, node) in vault::tf_blocks(cx.parsed) {
        if kind != "resource" || t != "vault_kubernetes_auth_backend_role" {
            continue;
        }
        let role = vault::role_name(node, name);
        let any = |k: &str| {
            node.get(k)
                .map(|n| n.str_or_seq())
                .unwrap_or_default()
                .into_iter()
                .find(|(v, _)| v.trim() == "*")
                .map(|(_, n)| n)
        };
        let Some(sa) = any("bound_service_account_names") else {
            continue;
        };
        let all_ns = any("bound_service_account_namespaces").is_some();
        let (what, sev) = if all_ns {
            ("every ServiceAccount of every namespace", rule.severity.raise())
        } else {
            ("every ServiceAccount of its namespaces", rule.severity)
        };
        out.push(
            rule.finding(
                cx.file,
                sa.span.clone(),
                format!("Kubernetes auth role `{role}` admits {what}"),
            )
            .with_severity(sev),
        );
    }
}
