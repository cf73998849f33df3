//! Workloads that run as the namespace's `default` ServiceAccount (no `serviceAccountName`,
//! or `default`) while its token is mounted, and bindings that grant a role to a ServiceAccount
//! named `default` (every such pod then holds the role).

use crate::context::ProjectCx;
use crate::finding::{Finding, Severity};
use crate::kube::{self, Automount, Graph, SaName, rbac};
use crate::rules::Rule;

/// The card's severity when the `default` ServiceAccount holds nothing or something not
/// sensitive; high when it reads secrets, critical when it is admin of its scope.
fn severity(rule: &Rule, grant: rbac::Grant) -> Severity {
    match grant {
        rbac::Grant::Admin => Severity::Critical,
        rbac::Grant::ReadSecrets => Severity::High,
        _ => rule.severity,
    }
}

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
        // What the `default` ServiceAccount's bindings of the unit grant decides the severity.
        let mut grant = rbac::Grant::Nothing;
        let mut roles: Vec<String> = Vec::new();
        for b in g.bindings_of_sa(o.unit, o.namespace.as_deref(), "default") {
            let gr = g.binding_grant(b);
            if gr == rbac::Grant::Nothing {
                continue;
            }
            grant = grant.max(gr);
            if let Some((k, n, _)) = rbac::binding_parts(b) {
                let r = format!("{k} `{}`", kube::show(&n));
                if !roles.contains(&r) && roles.len() < 3 {
                    roles.push(r);
                }
            }
        }
        let msg = if roles.is_empty() {
            msg
        } else {
            format!("{msg}, which is bound to {} ({})", roles.join(", "), grant.describe())
        };
        out.push(g.finding(rule, o, &span, msg).with_severity(severity(rule, grant)));
    }
    for b in &g.objs {
        let Some((rkind, rname, subs)) = rbac::binding_parts(b) else {
            continue;
        };
        let grant = g.binding_grant(b);
        if grant == rbac::Grant::Nothing {
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
                    .with_severity(severity(rule, grant)),
                );
            }
        }
    }
    Graph::dedup(out, from);
}
