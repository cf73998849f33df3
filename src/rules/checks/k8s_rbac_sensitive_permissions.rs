//! Roles that allow sensitive operations (reading secrets, escalate/bind, impersonate, pods/exec,
//! minting ServiceAccount tokens, nodes/proxy, admission webhooks). The subjects bound to the
//! role across the repository (aggregation followed) decide the severity: everyone ⇒ raised,
//! ServiceAccounts/users ⇒ the card's, not bound in the repository ⇒ low.

use crate::context::ProjectCx;
use crate::finding::{Finding, Severity};
use crate::kube::{Graph, rbac};
use crate::lang::Node;
use crate::rules::Rule;

/// Sensitive capabilities of one RBAC rule (`*` resources count for reading secrets only; the
/// other wildcards are the wildcard rule's).
pub fn sensitive(r: &Node) -> Vec<&'static str> {
    let list = |k: &str| -> Vec<String> {
        r.get(k)
            .map(|n| n.str_or_seq().into_iter().map(|(s, _)| s.to_ascii_lowercase()).collect())
            .unwrap_or_default()
    };
    let verbs = list("verbs");
    let res = list("resources");
    let v = |names: &[&str]| verbs.iter().any(|x| x == "*" || names.contains(&x.as_str()));
    let has = |names: &[&str]| res.iter().any(|x| names.contains(&x.as_str()));
    let mut out = Vec::new();
    let groups = list("apiGroups");
    let core = groups.is_empty() || groups.iter().any(|g| g.is_empty() || g == "*");
    if has(&["secrets"]) && v(&["get", "list", "watch"]) {
        out.push("read secrets");
    } else if core
        && res.iter().any(|x| x == "*")
        && !verbs.iter().any(|x| x == "*")
        && v(&["get", "list", "watch"])
    {
        // (`*` verbs on `*` resources are the wildcard rule's "every verb on every resource")
        out.push("read secrets (every resource)");
    }
    if has(&["roles", "clusterroles", "rolebindings", "clusterrolebindings"])
        && v(&["escalate", "bind"])
    {
        out.push("escalate or bind RBAC roles");
    }
    if verbs.iter().any(|x| x == "impersonate")
        || verbs.iter().any(|x| x == "*")
            && has(&["users", "groups", "serviceaccounts", "userextras/scopes", "uids"])
    {
        out.push("impersonate users, groups or ServiceAccounts");
    }
    if has(&["pods/exec", "pods/attach", "pods/*"]) && v(&["create", "get"]) {
        out.push("exec into pods");
    }
    if has(&["serviceaccounts/token"]) && v(&["create"]) {
        out.push("mint ServiceAccount tokens");
    }
    if has(&["nodes/proxy"]) && !verbs.is_empty() {
        out.push("reach the kubelet API through nodes/proxy");
    }
    if has(&["mutatingwebhookconfigurations", "validatingwebhookconfigurations"])
        && v(&["create", "update", "patch"])
    {
        out.push("change admission webhooks");
    }
    out
}

pub fn check_project(cx: &ProjectCx, rule: &Rule, out: &mut Vec<Finding>) {
    let g = cx.kube_graph();
    let from = out.len();
    for o in &g.objs {
        if o.kind != "Role" && o.kind != "ClusterRole" {
            continue;
        }
        let Some(rules) = o.node.get("rules").and_then(|r| r.as_seq()) else {
            continue;
        };
        let mut bindings = None;
        for r in rules {
            let mut perms: Vec<String> = sensitive(r).into_iter().map(String::from).collect();
            if perms.is_empty() {
                continue;
            }
            let bs = bindings.get_or_insert_with(|| g.bindings_of_role(o));
            // Secrets read only by name: quiet when every name is the role's or its
            // ServiceAccounts' own (`argocd-redis` reading `argocd-redis`), else low, with the
            // names in the message.
            let names = rbac::resource_names(r);
            let mut read_named = false;
            if !names.is_empty() && perms[0].starts_with("read secrets") {
                let mut owners: Vec<String> = o.name.iter().cloned().collect();
                for b in bs.iter() {
                    if let Some((_, _, subs)) = rbac::binding_parts(b) {
                        owners.extend(
                            subs.into_iter()
                                .filter(|s| s.kind == "ServiceAccount")
                                .filter_map(|s| s.name),
                        );
                    }
                }
                let owners: Vec<&str> = owners.iter().map(String::as_str).collect();
                if names.iter().all(|n| rbac::own_name(n, &owners)) {
                    perms.remove(0);
                    if perms.is_empty() {
                        continue;
                    }
                } else {
                    read_named = true;
                    let shown: Vec<String> =
                        names.iter().take(3).map(|n| format!("`{}`", crate::kube::show(n))).collect();
                    let more = if names.len() > 3 {
                        format!(" and {} more", names.len() - 3)
                    } else {
                        String::new()
                    };
                    perms[0] = format!("read only the secrets {}{more}", shown.join(", "));
                }
            }
            let mut subjects: Vec<String> = Vec::new();
            let mut everyone = false;
            for b in bs.iter() {
                if let Some((_, _, subs)) = rbac::binding_parts(b) {
                    for s in subs {
                        everyone |= s.is_everyone();
                        // Each subject once: `argocd/x` and `x` name one ServiceAccount here.
                        let d = s.describe();
                        let key = crate::finding::without_namespaces(&d);
                        match subjects
                            .iter()
                            .position(|o| crate::finding::without_namespaces(o) == key)
                        {
                            Some(i) if d.len() > subjects[i].len() => subjects[i] = d,
                            Some(_) => {}
                            None => subjects.push(d),
                        }
                    }
                }
            }
            let (sev, who) = if subjects.is_empty() {
                (rule.severity.lower().lower(), "not bound in its deployment unit".to_string())
            } else {
                let mut w = subjects.iter().take(3).cloned().collect::<Vec<_>>().join(", ");
                if subjects.len() > 3 {
                    w.push_str(&format!(" and {} more", subjects.len() - 3));
                }
                let sev = if everyone { rule.severity.raise() } else { rule.severity };
                (sev, format!("bound to {w}"))
            };
            // Named secrets only: low (the fix this card asks for is half done); other
            // permissions limited by resourceNames: one step lower.
            let (scoped, sev) = if read_named {
                ("", Severity::Low)
            } else if r.get("resourceNames").is_some() {
                (" (limited by resourceNames)", sev.lower())
            } else {
                ("", sev)
            };
            let mut f = g
                .finding(
                    rule,
                    o,
                    &r.span,
                    format!("{} can {}{scoped}; {who}", o.describe(), perms.join(", ")),
                )
                .with_severity(sev);
            for b in bs.iter().take(5) {
                f = f.with_related(g.related(b, &b.anchor(), format!("{} binds it", b.describe())));
            }
            out.push(f);
        }
    }
    Graph::dedup(out, from);
}
