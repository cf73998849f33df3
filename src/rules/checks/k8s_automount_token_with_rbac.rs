//! Pods that mount the API token of a ServiceAccount holding RBAC bindings (in the pod's
//! deployment unit). The effective setting is the pod's `automountServiceAccountToken`, else the
//! ServiceAccount's, else true. What the roles grant decides: nothing (no rules, only
//! PodSecurityPolicy `use`) ⇒ not reported, read of secrets ⇒ high, admin (wildcards,
//! escalate/bind/impersonate) ⇒ critical, anything else ⇒ the card's severity.

use crate::context::ProjectCx;
use crate::finding::{Finding, Severity};
use crate::kube::rbac::{self, Grant};
use crate::kube::{self, Automount, Graph, SaName};
use crate::rules::Rule;

pub fn check_project(cx: &ProjectCx, rule: &Rule, out: &mut Vec<Finding>) {
    let g = cx.kube_graph();
    let from = out.len();
    for (o, pod) in g.workloads() {
        let (sa, sa_node) = o.sa();
        let sa = match sa {
            SaName::Named(n) => n,
            SaName::Implicit => "default".to_string(),
            SaName::Unknown => continue,
        };
        let ns = o.namespace.as_deref();
        let pod_set = pod.get("automountServiceAccountToken");
        let span = match kube::automount(pod_set) {
            Automount::Unknown | Automount::Off => continue,
            Automount::On => pod_set.map(|n| n.span.clone()),
            Automount::Unset => {
                if kube::sa_blocks_mount(&g.service_accounts(o.unit, ns, &sa)) {
                    continue;
                }
                None
            }
        };
        // Only bindings that grant something: roles without rules or with only removed APIs
        // (PodSecurityPolicy `use`) do not make the token worth stealing.
        let mut grant = Grant::Nothing;
        let bindings: Vec<_> = g
            .bindings_of_sa(o.unit, ns, &sa)
            .into_iter()
            .filter(|b| {
                let gr = g.binding_grant(b);
                grant = grant.max(gr);
                gr > Grant::Nothing
            })
            .collect();
        if bindings.is_empty() {
            continue;
        }
        let severity = match grant {
            Grant::Admin => Severity::Critical,
            Grant::ReadSecrets => Severity::High,
            _ => rule.severity,
        };
        // Each role once (several bindings often grant the same role).
        let mut roles: Vec<String> = Vec::new();
        for r in bindings.iter().filter_map(|b| {
            rbac::binding_parts(b).map(|(k, n, _)| format!("{k} `{}`", kube::show(&n)))
        }) {
            if !roles.contains(&r) && roles.len() < 3 {
                roles.push(r);
            }
        }
        let span = span
            .or_else(|| sa_node.map(|n| n.span.clone()))
            .unwrap_or_else(|| o.anchor());
        let mut f = g.finding(
            rule,
            o,
            &span,
            format!(
                "{} mounts the API token of ServiceAccount `{}`, which is bound to {} ({})",
                o.describe(),
                kube::show(&sa),
                roles.join(", "),
                grant.describe()
            ),
        )
        .with_severity(severity);
        for b in bindings.iter().take(3) {
            f = f.with_related(g.related(b, &b.anchor(), format!("{} grants it", b.describe())));
        }
        out.push(f);
    }
    Graph::dedup(out, from);
}
