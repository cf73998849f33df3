//! Secrets of type `kubernetes.io/service-account-token`: non-expiring ServiceAccount tokens
//! (since Kubernetes 1.24 only created when someone writes such a Secret).

use crate::context::FileCx;
use crate::finding::Finding;
use crate::kube;
use crate::rules::Rule;

pub fn check_file(cx: &FileCx, rule: &Rule, out: &mut Vec<Finding>) {
    for o in kube::file_objects(cx.file, cx.parsed) {
        if o.kind != "Secret" {
            continue;
        }
        let Some(t) = o.node.get("type") else { continue };
        if t.as_str() != Some("kubernetes.io/service-account-token") {
            continue;
        }
        let sa = o
            .annotations()
            .iter()
            .find(|a| a.key == "kubernetes.io/service-account.name")
            .and_then(|a| a.value.scalar_text())
            .map(|s| format!(" for ServiceAccount `{s}`"))
            .unwrap_or_default();
        out.push(rule.finding(
            cx.file,
            t.span.clone(),
            format!("{} is a long-lived ServiceAccount token{sa}", o.describe()),
        ));
    }
}
