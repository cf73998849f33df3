//! Istio `PeerAuthentication` whose mTLS mode (or a port's) is `PERMISSIVE` or `DISABLE`: the
//! workloads it selects accept plaintext calls that carry no workload identity.

use crate::apptrust::mesh::{self, upper};
use crate::context::FileCx;
use crate::finding::Finding;
use crate::kube;
use crate::rules::Rule;

pub fn check_file(cx: &FileCx, rule: &Rule, out: &mut Vec<Finding>) {
    for o in kube::file_objects(cx.file, cx.parsed) {
        if !mesh::is_istio(&o) || o.kind != "PeerAuthentication" {
            continue;
        }
        let Some(spec) = o.node.get("spec") else { continue };
        let scope = if spec.get("selector").is_some() {
            "the selected workloads"
        } else if o.namespace.as_deref() == Some("istio-system") {
            "the whole mesh"
        } else {
            "every workload of the namespace"
        };
        let mut modes = Vec::new();
        if let Some(m) = spec.path("mtls.mode") {
            modes.push((m, String::new()));
        }
        for e in spec.get("portLevelMtls").map(|n| n.entries()).unwrap_or(&[]) {
            if let Some(m) = e.value.get("mode") {
                modes.push((m, format!(" on port {}", e.key)));
            }
        }
        for (m, port) in modes {
            let Some(mode) = upper(Some(m)) else { continue };
            let (what, sev) = match mode.as_str() {
                "PERMISSIVE" => ("accepts plaintext as well as mTLS", rule.severity),
                "DISABLE" => ("turns mTLS off", rule.severity.raise()),
                _ => continue,
            };
            out.push(
                rule.finding(
                    cx.file,
                    m.span.clone(),
                    format!(
                        "{} {what}{port} for {scope}: callers need no workload identity",
                        o.describe()
                    ),
                )
                .with_severity(sev),
            );
        }
    }
}
