//! Linkerd authentication that admits every meshed workload: a `MeshTLSAuthentication` with
//! `identities: ["*"]` or an `identityRefs` entry naming no ServiceAccount or namespace, or a
//! `ServerAuthorization` whose `client.meshTLS.identities` holds `*`.

use crate::apptrust::mesh::{self, seq};
use crate::context::FileCx;
use crate::finding::Finding;
use crate::kube;
use crate::rules::Rule;

pub fn check_file(cx: &FileCx, rule: &Rule, out: &mut Vec<Finding>) {
    for o in kube::file_objects(cx.file, cx.parsed) {
        if !mesh::is_linkerd(&o) {
            continue;
        }
        let Some(spec) = o.node.get("spec") else { continue };
        let ids = match o.kind.as_str() {
            "MeshTLSAuthentication" => spec.get("identities"),
            "ServerAuthorization" => spec.path("client.meshTLS.identities"),
            _ => None,
        };
        for (v, n) in ids.map(|n| n.str_or_seq()).unwrap_or_default() {
            if v.trim() == "*" || v.trim() == "*.cluster.local" {
                out.push(rule.finding(
                    cx.file,
                    n.span.clone(),
                    format!("{} admits every meshed workload (identity `{v}`)", o.describe()),
                ));
            }
        }
        if o.kind == "MeshTLSAuthentication" {
            for r in seq(spec.get("identityRefs")) {
                let kind = r.get("kind").and_then(|k| k.as_str()).unwrap_or("");
                let named = r.get("name").and_then(|k| k.as_str()).is_some_and(|n| n != "*");
                if !named && matches!(kind, "ServiceAccount" | "Namespace") {
                    out.push(rule.finding(
                        cx.file,
                        r.span.clone(),
                        format!("{} admits every {kind} (an identityRef without a name)", o.describe()),
                    ));
                }
            }
        }
    }
}
