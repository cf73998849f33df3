//! Istio `AuthorizationPolicy` (action ALLOW) with a rule that any caller matches: an empty
//! rule, a rule without `from`, a source without identity, `principals: ["*"]` or
//! `namespaces: ["*"]`. Policies of ingress and egress gateways are not judged (they take public
//! traffic by design), nor are rules whose `when` conditions test the caller's identity.

use crate::apptrust::mesh::{self, seq, upper};
use crate::context::FileCx;
use crate::finding::Finding;
use crate::kube;
use crate::rules::Rule;

pub fn check_file(cx: &FileCx, rule: &Rule, out: &mut Vec<Finding>) {
    for o in kube::file_objects(cx.file, cx.parsed) {
        if !mesh::is_istio(&o) || o.kind != "AuthorizationPolicy" {
            continue;
        }
        let Some(spec) = o.node.get("spec") else { continue };
        let action = upper(spec.get("action")).unwrap_or_else(|| "ALLOW".into());
        if action != "ALLOW" || mesh::selects_gateway(spec) {
            continue;
        }
        let target = if spec.get("selector").is_some() || spec.get("targetRef").is_some() || spec.get("targetRefs").is_some() {
            "the selected workloads"
        } else if o.namespace.as_deref() == Some("istio-system") {
            "every workload of the mesh"
        } else {
            "every workload of the namespace"
        };
        for r in seq(spec.get("rules")) {
            let Some((why, node)) = mesh::istio_rule_any_caller(r) else {
                continue;
            };
            let ops = if r.get("to").is_some() {
                " (for the operations in `to`)"
            } else {
                ""
            };
            out.push(rule.finding(
                cx.file,
                node.span.clone(),
                format!("{}: {why} to {target}{ops}", o.describe()),
            ));
        }
    }
}
