//! Linkerd that lets clients in without a mesh identity: a default inbound policy of
//! `all-unauthenticated` or `cluster-unauthenticated` (annotation on a namespace or workload,
//! or the chart value `proxy.defaultInboundPolicy`), a `ServerAuthorization` with
//! `client.unauthenticated: true`, or a Linkerd `AuthorizationPolicy` with an empty
//! `requiredAuthenticationRefs`. Linkerd's control plane workloads
//! (`linkerd.io/control-plane-component`) are not judged: proxies call them before they hold an
//! identity.

use crate::apptrust::mesh::{self, LINKERD_POLICY_ANNOTATION};
use crate::context::FileCx;
use crate::finding::Finding;
use crate::kube;
use crate::rules::Rule;
use crate::source::FileKind;

pub fn check_file(cx: &FileCx, rule: &Rule, out: &mut Vec<Finding>) {
    if cx.file.kind == FileKind::HelmValues {
        for root in cx.parsed.roots() {
            for path in ["proxy.defaultInboundPolicy", "policyController.defaultAllowPolicy"] {
                if let Some(n) = mesh::values_at(root, path)
                    && n.as_str().is_some_and(mesh::linkerd_unauthenticated_policy)
                {
                    out.push(rule.finding(
                        cx.file,
                        n.span.clone(),
                        format!(
                            "chart value `{path}: {}` lets clients without a mesh identity call every meshed workload",
                            n.as_str().unwrap_or("")
                        ),
                    ));
                }
            }
        }
        return;
    }
    for o in kube::file_objects(cx.file, cx.parsed) {
        // Linkerd's own control plane serves proxies before they have an identity.
        let control_plane = mesh::pod_labels(&o)
            .contains_key("linkerd.io/control-plane-component");
        for e in mesh::annotations_all(&o).into_iter().filter(|_| !control_plane) {
            if e.key == LINKERD_POLICY_ANNOTATION
                && e.value.as_str().is_some_and(mesh::linkerd_unauthenticated_policy)
            {
                out.push(rule.finding(
                    cx.file,
                    e.value.span.clone(),
                    format!(
                        "{} sets the Linkerd default inbound policy `{}`: clients without a mesh identity may call it",
                        o.describe(),
                        e.value.as_str().unwrap_or("")
                    ),
                ));
            }
        }
        if !mesh::is_linkerd(&o) {
            continue;
        }
        let Some(spec) = o.node.get("spec") else { continue };
        match o.kind.as_str() {
            "ServerAuthorization" => {
                for key in ["client.unauthenticated", "client.meshTLS.unauthenticatedTLS"] {
                    if let Some(n) = spec.path(key)
                        && n.as_bool() == Some(true)
                    {
                        out.push(rule.finding(
                            cx.file,
                            n.span.clone(),
                            format!("{} authorises clients without a mesh identity (`{key}: true`)", o.describe()),
                        ));
                    }
                }
            }
            "AuthorizationPolicy" => {
                if let Some(n) = spec.get("requiredAuthenticationRefs")
                    && n.as_seq().is_some_and(|s| s.is_empty())
                {
                    out.push(rule.finding(
                        cx.file,
                        n.span.clone(),
                        format!("{} requires no authentication: every client may call its target", o.describe()),
                    ));
                }
            }
            _ => {}
        }
    }
}
