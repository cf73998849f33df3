//! Bindings to the built-in `cluster-admin` or `admin` ClusterRoles. A RoleBinding to `admin` is
//! admin of one namespace (lowered one step).

use crate::context::FileCx;
use crate::finding::Finding;
use crate::kube::{self, rbac};
use crate::rules::Rule;

pub fn check_file(cx: &FileCx, rule: &Rule, out: &mut Vec<Finding>) {
    for o in kube::file_objects(cx.file, cx.parsed) {
        let Some((rkind, rname, subs)) = rbac::binding_parts(&o) else {
            continue;
        };
        if rkind != "ClusterRole" || (rname != "cluster-admin" && rname != "admin") {
            continue;
        }
        let span = o
            .node
            .path("roleRef.name")
            .map(|n| n.span.clone())
            .unwrap_or_else(|| o.anchor());
        let who: Vec<String> = subs.iter().take(3).map(|s| s.describe()).collect();
        let who = if who.is_empty() {
            "no subjects".to_string()
        } else if subs.len() > 3 {
            format!("{} and {} more", who.join(", "), subs.len() - 3)
        } else {
            who.join(", ")
        };
        let scope = if o.kind == "ClusterRoleBinding" {
            "in every namespace"
        } else {
            "in its namespace"
        };
        let sev = match (o.kind.as_str(), rname.as_str()) {
            ("RoleBinding", "admin") => rule.severity.lower(),
            _ => rule.severity,
        };
        out.push(
            rule.finding(
                cx.file,
                span,
                format!("{} grants `{rname}` {scope} to {who}", o.describe()),
            )
            .with_severity(sev),
        );
    }
}
