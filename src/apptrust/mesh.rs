//! Service mesh authorisation: Istio (`PeerAuthentication`, `DestinationRule`,
//! `AuthorizationPolicy`, `ServiceEntry`), Linkerd (`Server`, `ServerAuthorization`,
//! `AuthorizationPolicy`, `MeshTLSAuthentication`, the default inbound policy) and Consul
//! (`ServiceIntentions`, `service-intentions` config entries). The `mesh-*` checks judge these
//! objects; [`facts`] turns their allow rules into caller → callee edges ([`Call`]) that the
//! trust graph joins with Kubernetes ServiceAccounts and workloads.

use crate::facts::{Attrs, Call, Facts, Loc};
use crate::kube::{self, Obj, lit};
use crate::lang::Parsed;
use crate::lang::{Node, Span, V};
use crate::source::SourceFile;
use serde_json::json;
use std::collections::BTreeMap;

/// Is this object of the Istio security or networking API?
pub fn is_istio(o: &Obj) -> bool {
    o.api_version.starts_with("security.istio.io/")
        || o.api_version.starts_with("networking.istio.io/")
}

pub fn is_linkerd(o: &Obj) -> bool {
    o.api_version.starts_with("policy.linkerd.io/")
}

pub fn is_consul(o: &Obj) -> bool {
    o.api_version.starts_with("consul.hashicorp.com/")
}

/// Upper-cased literal string of a node.
pub fn upper(n: Option<&Node>) -> Option<String> {
    n.and_then(|n| n.as_str())
        .map(|s| s.trim().to_ascii_uppercase())
}

/// The items of a list node (empty for anything else).
pub fn seq(n: Option<&Node>) -> &[Node] {
    n.and_then(|n| n.as_seq()).unwrap_or(&[])
}

/// A SPIFFE-style Istio principal `<trust domain>/ns/<ns>/sa/<sa>` (also with `spiffe://`):
/// the namespace and ServiceAccount, each possibly `*`.
pub fn principal_parts(p: &str) -> Option<(String, String)> {
    let p = p.trim().trim_start_matches("spiffe://");
    let parts: Vec<&str> = p.split('/').collect();
    let i = parts.iter().position(|s| *s == "ns")?;
    if parts.get(i + 2) != Some(&"sa") {
        return None;
    }
    Some((parts.get(i + 1)?.to_string(), parts.get(i + 3)?.to_string()))
}

/// Does this principal (or namespace) pattern admit every workload of the mesh?
pub fn any_principal(p: &str) -> bool {
    let p = p.trim();
    if p == "*" || p == "*/*" {
        return true;
    }
    match principal_parts(p) {
        Some((ns, sa)) => ns == "*" && (sa == "*" || sa.is_empty()),
        None => p.ends_with("/ns/*") || p.ends_with("/*") && !p.contains("/ns/"),
    }
}

/// Why an Istio ALLOW rule admits any caller, with the node to report (None: it does not).
pub fn istio_rule_any_caller(rule: &Node) -> Option<(&'static str, &Node)> {
    if rule.is_map() && rule.entries().is_empty() {
        return Some(("an empty rule allows every request", rule));
    }
    // Conditions on the caller's identity narrow the rule.
    let when_narrows = seq(rule.get("when")).iter().any(|w| {
        w.get("key")
            .and_then(|k| k.as_str())
            .is_some_and(|k| k.starts_with("source.") || k.starts_with("request.auth."))
    });
    if when_narrows {
        return None;
    }
    let from = match rule.get("from") {
        None => return Some(("a rule without `from` allows any caller", rule)),
        Some(f) => f,
    };
    if from.is_expr() {
        return None;
    }
    for f in seq(Some(from)) {
        let Some(src) = f.get("source") else {
            return Some(("a `from` entry without a source allows any caller", f));
        };
        if src.is_map() && src.entries().is_empty() {
            return Some(("an empty source allows any caller", src));
        }
        for key in ["principals", "namespaces"] {
            for (v, n) in src.get(key).map(|n| n.str_or_seq()).unwrap_or_default() {
                if any_principal(v) {
                    let why = if key == "principals" {
                        "`principals: [\"*\"]` allows every workload of the mesh"
                    } else {
                        "`namespaces: [\"*\"]` allows every workload of the mesh"
                    };
                    return Some((why, n));
                }
            }
        }
    }
    None
}

/// Does a workload selector pick an ingress or egress gateway (public traffic by design)?
pub fn selects_gateway(spec: &Node) -> bool {
    let labels = spec
        .path("selector.matchLabels")
        .map(|n| n.entries())
        .unwrap_or(&[]);
    labels.iter().any(|e| {
        let v = e.value.as_str().unwrap_or("").to_ascii_lowercase();
        (e.key == "istio" || e.key == "app" || e.key.ends_with("/name"))
            && (v.contains("ingressgateway")
                || v.contains("ingress-gateway")
                || v.contains("egressgateway"))
    })
}

/// Hosts and addresses of the cloud instance metadata services.
pub fn metadata_host(h: &str) -> bool {
    let h = h.trim().trim_end_matches('.').to_ascii_lowercase();
    matches!(
        h.as_str(),
        "169.254.169.254"
            | "169.254.169.254/32"
            | "metadata.google.internal"
            | "metadata"
            | "metadata.azure.internal"
            | "fd00:ec2::254"
            | "fd00:ec2::254/128"
            | "100.100.100.200"
            | "169.254.170.2"
    )
}

/// Is a DestinationRule host inside the cluster (a short name, `*.local`, `*.svc...`, `*`)?
pub fn in_mesh_host(h: &str) -> bool {
    let h = h.trim().to_ascii_lowercase();
    h == "*"
        || !h.contains('.')
        || h.ends_with(".local")
        || h.contains(".svc")
        || h.ends_with(".cluster.local")
        || h.split('.').count() == 2 && !h.ends_with(".com") && !h.ends_with(".io")
}

/// Linkerd default inbound policies that admit clients without a mesh identity.
pub fn linkerd_unauthenticated_policy(v: &str) -> bool {
    matches!(v.trim(), "all-unauthenticated" | "cluster-unauthenticated")
}

pub const LINKERD_POLICY_ANNOTATION: &str = "config.linkerd.io/default-inbound-policy";

/// Annotations of an object and of its pod template.
pub fn annotations_all<'a>(o: &'a Obj) -> Vec<&'a crate::lang::Entry> {
    let mut v: Vec<&crate::lang::Entry> = o.annotations().iter().collect();
    for p in [
        "spec.template.metadata.annotations",
        "spec.jobTemplate.spec.template.metadata.annotations",
    ] {
        if let Some(n) = o.node.path(p) {
            v.extend(n.entries());
        }
    }
    v
}

/// Labels of a workload's pods (template labels; a Pod's own labels).
pub fn pod_labels(o: &Obj) -> BTreeMap<String, String> {
    let path = match o.kind.as_str() {
        "Pod" => "metadata.labels",
        "CronJob" => "spec.jobTemplate.spec.template.metadata.labels",
        _ => "spec.template.metadata.labels",
    };
    o.node
        .path(path)
        .map(|n| n.entries())
        .unwrap_or(&[])
        .iter()
        .filter_map(|e| e.value.scalar_text().map(|v| (e.key.clone(), v)))
        .collect()
}

/// Consul intention sources that allow every service: `(source node, name node)`.
/// `sources` holds `{name|Name, action|Action, permissions|Permissions}` maps.
pub fn consul_allow_all(sources: &[Node]) -> Vec<(&Node, &Node)> {
    let mut out = Vec::new();
    for s in sources {
        let Some(name) = s.get_ci("name") else {
            continue;
        };
        if name.as_str() != Some("*") {
            continue;
        }
        let action = s
            .get_ci("action")
            .and_then(|a| a.as_str())
            .map(str::to_ascii_lowercase);
        let perm_allow = seq(s.get_ci("permissions")).iter().any(|p| {
            p.get_ci("action")
                .and_then(|a| a.as_str())
                .is_some_and(|a| a.eq_ignore_ascii_case("allow"))
        });
        if action.as_deref() == Some("allow") || perm_allow {
            out.push((s, name));
        }
    }
    out
}

/// Facts of one file: the allow rules of mesh authorisation as caller → callee edges.
pub fn facts(file: &SourceFile, parsed: &Parsed) -> Facts {
    let mut f = Facts::default();
    if !matches!(parsed, Parsed::Yaml(_)) {
        return f;
    }
    let mut n = 0usize;
    for o in kube::file_objects(file, parsed) {
        let ns = o.namespace.clone().unwrap_or_else(|| "default".into());
        let base = format!(
            "{}#{}/{}/{}",
            file.path,
            o.kind,
            ns,
            kube::show(o.name.as_deref().unwrap_or("<templated>"))
        );
        let mut push = |from: String, to: String, span: &Span, attrs: Attrs| {
            n += 1;
            f.calls.push(Call {
                id: format!("{base}/{n}"),
                kind: String::new(),
                from,
                to,
                loc: Loc::new(file, span.clone()),
                attrs,
            });
        };
        if is_istio(&o) && o.kind == "AuthorizationPolicy" {
            let Some(spec) = o.node.get("spec") else {
                continue;
            };
            let action = upper(spec.get("action")).unwrap_or_else(|| "ALLOW".into());
            if action != "ALLOW" {
                continue;
            }
            let labels: BTreeMap<String, String> = spec
                .path("selector.matchLabels")
                .map(|n| n.entries())
                .unwrap_or(&[])
                .iter()
                .filter_map(|e| e.value.scalar_text().map(|v| (e.key.clone(), v)))
                .collect();
            let to = selector_text(&ns, &labels);
            for rule in seq(spec.get("rules")) {
                let mut callee = Attrs::new();
                callee.insert("mesh".into(), json!("istio"));
                callee.insert("callee_namespace".into(), json!(ns));
                callee.insert("callee_labels".into(), json!(labels));
                if ns == "istio-system" && labels.is_empty() {
                    callee.insert("mesh_wide".into(), json!(true));
                }
                if let Some((why, node)) = istio_rule_any_caller(rule) {
                    let mut a = callee.clone();
                    a.insert("any_caller".into(), json!(true));
                    a.insert("why".into(), json!(why));
                    push("*".into(), to.clone(), &node.span, a);
                    continue;
                }
                for src in seq(rule.get("from")) {
                    let Some(s) = src.get("source") else { continue };
                    for (p, pn) in s
                        .get("principals")
                        .map(|n| n.str_or_seq())
                        .unwrap_or_default()
                    {
                        let mut a = callee.clone();
                        if let Some((cns, csa)) = principal_parts(p)
                            && !cns.contains('*')
                            && !csa.contains('*')
                        {
                            a.insert("caller_namespace".into(), json!(cns));
                            a.insert("caller_sa".into(), json!(format!("{cns}/{csa}")));
                        }
                        push(p.to_string(), to.clone(), &pn.span, a);
                    }
                    for (p, pn) in s
                        .get("namespaces")
                        .map(|n| n.str_or_seq())
                        .unwrap_or_default()
                    {
                        let mut a = callee.clone();
                        a.insert("caller_namespace".into(), json!(p));
                        push(format!("namespace {p}"), to.clone(), &pn.span, a);
                    }
                }
            }
            for c in f.calls.iter_mut().filter(|c| c.kind.is_empty()) {
                c.kind = "istio-allow".into();
            }
        } else if is_consul(&o) && o.kind == "ServiceIntentions" {
            let Some(spec) = o.node.get("spec") else {
                continue;
            };
            let dest = spec
                .path("destination.name")
                .and_then(|n| n.as_str())
                .unwrap_or("?")
                .to_string();
            for s in seq(spec.get("sources")) {
                let Some(name) = s.get("name").and_then(|n| n.as_str()) else {
                    continue;
                };
                let action = s.get("action").and_then(|a| a.as_str()).unwrap_or("");
                let perm = !seq(s.get("permissions")).is_empty();
                if !action.eq_ignore_ascii_case("allow") && !perm {
                    continue;
                }
                let mut a = Attrs::new();
                a.insert("mesh".into(), json!("consul"));
                a.insert("callee_service".into(), json!(dest));
                if name == "*" {
                    a.insert("any_caller".into(), json!(true));
                }
                push(name.to_string(), format!("service {dest}"), &s.span, a);
            }
            for c in f.calls.iter_mut().filter(|c| c.kind.is_empty()) {
                c.kind = "consul-allow".into();
            }
        } else if is_linkerd(&o) && o.kind == "MeshTLSAuthentication" {
            let Some(spec) = o.node.get("spec") else {
                continue;
            };
            for (p, pn) in spec
                .get("identities")
                .map(|n| n.str_or_seq())
                .unwrap_or_default()
            {
                let mut a = Attrs::new();
                a.insert("mesh".into(), json!("linkerd"));
                a.insert("authentication".into(), json!(o.name));
                if p.trim() == "*" {
                    a.insert("any_caller".into(), json!(true));
                } else if let Some((sa, rest)) = p.split_once('.')
                    && let Some((cns, _)) = rest.split_once(".serviceaccount.identity.")
                {
                    a.insert("caller_sa".into(), json!(format!("{cns}/{sa}")));
                }
                push(
                    p.to_string(),
                    format!("authentication {ns}/{}", o.name.as_deref().unwrap_or("?")),
                    &pn.span,
                    a,
                );
            }
            for r in seq(spec.get("identityRefs")) {
                let kind = r.get("kind").and_then(|k| k.as_str()).unwrap_or("");
                let rn = lit(r.get("name"));
                let rns = lit(r.get("namespace")).unwrap_or_else(|| ns.clone());
                let mut a = Attrs::new();
                a.insert("mesh".into(), json!("linkerd"));
                let from = match (kind, rn) {
                    ("ServiceAccount", Some(sa)) => {
                        a.insert("caller_sa".into(), json!(format!("{rns}/{sa}")));
                        format!("{rns}/{sa}")
                    }
                    ("Namespace", Some(n)) => format!("namespace {n}"),
                    _ => {
                        a.insert("any_caller".into(), json!(true));
                        "*".into()
                    }
                };
                push(
                    from,
                    format!("authentication {ns}/{}", o.name.as_deref().unwrap_or("?")),
                    &r.span,
                    a,
                );
            }
            for c in f.calls.iter_mut().filter(|c| c.kind.is_empty()) {
                c.kind = "linkerd-allow".into();
            }
        }
    }
    f
}

/// `ns/app=web,tier=api` (`ns/*` for every workload of the namespace).
pub fn selector_text(ns: &str, labels: &BTreeMap<String, String>) -> String {
    if labels.is_empty() {
        return format!("{ns}/*");
    }
    let l: Vec<String> = labels.iter().map(|(k, v)| format!("{k}={v}")).collect();
    format!("{ns}/{}", l.join(","))
}

/// Value of a Helm values path (`proxy.defaultInboundPolicy`), with its node.
pub fn values_at<'a>(root: &'a Node, path: &str) -> Option<&'a Node> {
    root.path(path).filter(|n| matches!(n.v, V::Str(_)))
}
