//! Workloads that run as the namespace's `default` ServiceAccount (no `serviceAccountName`,
//! or `default`) while its token is mounted, and bindings that grant a role to a ServiceAccount
//! named `default` (every such pod then holds the role).

use crate::context::ProjectCx;
use crate::finding::Finding;
use crate::kube::{self, Automount, Graph, SaName, rbac};
use crate::rules::Rule;

pub fn check_project(cx: &ProjectCx, rule: &Rule, out: &mut Vec<Finding>) {
    let g = cx.kube_graph();
    let from = out.len();
    for (o, pod) in g.workloads() {
        let (sa, node) = o.sa();
        let implicit = match sa {
            SaName::Implicit => true,
            SaName::Named(n) if n == "default" => false,
            _ => continue,
        };
        // A pod that does not mount the token does not act as the ServiceAccount.
        match kube::automount(pod.get("automountServiceAccountToken")) {
            Automount::Unknown | Automount::Off => continue,
            Automount::On => {}
            Automount::Unset => {
                if kube::sa_blocks_mount(&g.service_accounts(o.unit, o.namespace.as_deref(), "default")) {
                    continue;
                }
            }
        }
        let span = node.map(|n| n.span.clone()).unwrap_or_else(|| o.anchor());
        let msg = if implicit {
            format!("{} sets no serviceAccountName and runs as the `default` ServiceAccount", o.describe())
        } else {
            format!("{} runs as the `default` ServiceAccount", o.describe())
        };
        let bound = g
            .bindings_of_sa(o.unit, o.namespace.as_deref(), "default")
            .iter()
            .any(|b| g.binding_grant(b) > rbac::Grant::Nothing);
        let mut f = g.finding(rule, o, &span, msg);
        if bound {
            f = f.with_severity(rule.severity.raise());
        }
        out.push(f);
    }
    for b in &g.objs {
        let Some((rkind, rname, subs)) = rbac::binding_parts(b) else {
            continue;
        };
        if g.binding_grant(b) == rbac::Grant::Nothing {
            continue;
        }
        for s in subs {
            if s.kind == "ServiceAccount" && s.name.as_deref() == Some("default") {
                out.push(
                    g.finding(
                        rule,
                        b,
                        &s.node.span,
                        format!(
                            "{} grants {rkind} `{}` to the `default` ServiceAccount, which every pod without serviceAccountName uses",
                            b.describe(),
                            kube::show(&rname)
                        ),
                    )
                    .with_severity(rule.severity.raise()),
                );
            }
        }
    }
    Graph::dedup(out, from);
}
