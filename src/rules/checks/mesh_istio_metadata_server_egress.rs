//! Istio `ServiceEntry` that puts a cloud instance metadata server (169.254.169.254,
//! `metadata.google.internal`, ...) in the mesh registry, so workloads reach the node's
//! credentials endpoint through the mesh.

use crate::apptrust::mesh::{self, seq};
use crate::context::FileCx;
use crate::finding::Finding;
use crate::kube;
use crate::rules::Rule;

pub fn check_file(cx: &FileCx, rule: &Rule, out: &mut Vec<Finding>) {
    for o in kube::file_objects(cx.file, cx.parsed) {
        if !mesh::is_istio(&o) || o.kind != "ServiceEntry" {
            continue;
        }
        let Some(spec) = o.node.get("spec") else { continue };
        let mut hit = None;
        for key in ["hosts", "addresses"] {
            for h in seq(spec.get(key)) {
                if h.as_str().is_some_and(mesh::metadata_host) && hit.is_none() {
                    hit = Some(h);
                }
            }
        }
        for e in seq(spec.get("endpoints")) {
            if let Some(a) = e.get("address")
                && a.as_str().is_some_and(mesh::metadata_host)
                && hit.is_none()
            {
                hit = Some(a);
            }
        }
        if let Some(h) = hit {
            out.push(rule.finding(
                cx.file,
                h.span.clone(),
                format!(
                    "{} opens the mesh to the cloud metadata server `{}`, which hands out the node's credentials",
                    o.describe(),
                    h.as_str().unwrap_or("")
                ),
            ));
        }
    }
}
