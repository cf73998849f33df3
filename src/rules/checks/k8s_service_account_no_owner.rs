//! ServiceAccounts with no owner label or annotation under the configured `[owners] tag-keys`
//! (after Kustomize `commonLabels`/`labels`/`commonAnnotations`). Silent when no keys are set;
//! Helm ServiceAccounts whose labels come from a template are unknown and not reported.

use crate::context::ProjectCx;
use crate::facts::kubernetes::owner_of;
use crate::finding::Finding;
use crate::kube::Graph;
use crate::rules::Rule;
use crate::source::FileKind;

pub fn check_project(cx: &ProjectCx, rule: &Rule, out: &mut Vec<Finding>) {
    let keys = cx.config.owner_keys();
    if keys.is_empty() {
        return;
    }
    let g = cx.kube_graph();
    let from = out.len();
    for o in &g.objs {
        if o.kind != "ServiceAccount" || owner_of(o, cx.config).is_some() {
            continue;
        }
        let file = g.files[o.origin];
        if file.kind == FileKind::HelmTemplate
            && file
                .text
                .get(o.node.span.clone())
                .is_some_and(|t| t.contains("{{"))
        {
            continue;
        }
        let name = o.name.as_deref().unwrap_or("<templated>");
        let shown: Vec<&str> = keys.iter().take(4).map(String::as_str).collect();
        out.push(
            g.finding(
                rule,
                o,
                &o.anchor(),
                format!(
                    "ServiceAccount `{name}` has no owner label or annotation ({})",
                    shown.join(", ")
                ),
            )
            .with_fp_key(format!("sa/{name}")),
        );
    }
    Graph::dedup(out, from);
}
