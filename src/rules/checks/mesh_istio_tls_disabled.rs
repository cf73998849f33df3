//! Istio `DestinationRule` that turns TLS off (`tls.mode: DISABLE`) for traffic to an in-mesh
//! host: calls leave the sidecar as plaintext, without the caller's workload certificate.

use crate::apptrust::mesh::{self, seq, upper};
use crate::context::FileCx;
use crate::finding::Finding;
use crate::kube;
use crate::lang::Node;
use crate::rules::Rule;

pub fn check_file(cx: &FileCx, rule: &Rule, out: &mut Vec<Finding>) {
    for o in kube::file_objects(cx.file, cx.parsed) {
        if !mesh::is_istio(&o) || o.kind != "DestinationRule" {
            continue;
        }
        let Some(spec) = o.node.get("spec") else { continue };
        let Some(host) = spec.get("host").and_then(|h| h.as_str()) else {
            continue;
        };
        if !mesh::in_mesh_host(host) {
            continue;
        }
        let mut policies: Vec<(&Node, String)> = Vec::new();
        if let Some(p) = spec.get("trafficPolicy") {
            policies.push((p, String::new()));
        }
        for s in seq(spec.get("subsets")) {
            if let Some(p) = s.get("trafficPolicy") {
                let name = s.get("name").and_then(|n| n.as_str()).unwrap_or("?");
                policies.push((p, format!(" (subset `{name}`)")));
            }
        }
        for (p, what) in policies {
            let mut modes = vec![(p.path("tls.mode"), String::new())];
            for pl in seq(p.get("portLevelSettings")) {
                let port = pl
                    .path("port.number")
                    .and_then(|n| n.scalar_text())
                    .unwrap_or_else(|| "?".into());
                modes.push((pl.path("tls.mode"), format!(" on port {port}")));
            }
            for (m, port) in modes {
                let Some(m) = m else { continue };
                if upper(Some(m)).as_deref() != Some("DISABLE") {
                    continue;
                }
                out.push(rule.finding(
                    cx.file,
                    m.span.clone(),
                    format!(
                        "{} disables TLS to `{host}`{what}{port}: calls carry no workload identity",
                        o.describe()
                    ),
                ));
            }
        }
    }
}
