//! Fact extraction for Kubernetes files (plain manifests, Helm templates, Kustomize):
//! ServiceAccounts (identities), RBAC bindings (grants), literal Secret data (credentials),
//! workload → ServiceAccount and ServiceAccount → cloud identity (usages).

use super::{Attrs, Credential, Facts, Grant, Identity, Loc, Usage};
use crate::config::Config;
use crate::engine::Parsed;
use crate::kube::{self, Obj, SaName, lit};
use crate::redact::redact;
use crate::source::{FileKind, SourceFile};
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// Workload identity annotations on ServiceAccounts: (annotation, usage kind).
pub const WI_ANNOTATIONS: [(&str, &str); 3] = [
    ("eks.amazonaws.com/role-arn", "k8s-irsa"),
    ("iam.gke.io/gcp-service-account", "k8s-gke-wi"),
    ("azure.workload.identity/client-id", "k8s-azure-wi"),
];

/// `<Kind>/<ns>/<name>` (namespace `default` when not written; `#<n>` for templated names).
pub fn address(o: &Obj) -> String {
    let ns = o.namespace.as_deref().unwrap_or("default");
    match &o.name {
        Some(n) => format!("{}/{ns}/{n}", o.kind),
        None => format!("{}/{ns}/#{}", o.kind, o.doc),
    }
}

/// The owner named by labels/annotations under the configured keys.
pub fn owner_of(o: &Obj, config: &Config) -> Option<String> {
    let keys = &config.owners.tag_keys;
    o.labels()
        .iter()
        .chain(o.annotations())
        .find(|e| keys.iter().any(|k| k == &e.key))
        .and_then(|e| e.value.scalar_text())
        .or_else(|| {
            o.extra_meta
                .iter()
                .find(|(k, _)| keys.contains(k))
                .map(|(_, v)| v.clone())
        })
}

pub fn extract(file: &SourceFile, parsed: &Parsed, config: &Config) -> Facts {
    let mut f = Facts::default();
    if !matches!(file.kind, FileKind::Kubernetes | FileKind::HelmTemplate) {
        return f;
    }
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let mut uniq = |id: String| -> String {
        let n = seen.entry(id.clone()).or_insert(0);
        *n += 1;
        if *n == 1 { id } else { format!("{id}/{n}") }
    };
    for o in kube::objects(0, parsed) {
        let id = uniq(format!("{}#{}", file.path, address(&o)));
        let loc = Loc::new(file, o.anchor());
        let ns = o.namespace.clone().unwrap_or_else(|| "default".into());
        match o.kind.as_str() {
            "ServiceAccount" => {
                let mut attrs = Attrs::new();
                attrs.insert("namespace".into(), json!(ns));
                let ann: serde_json::Map<String, Value> = o
                    .annotations()
                    .iter()
                    .map(|e| {
                        let v = e
                            .value
                            .scalar_text()
                            .map(Value::String)
                            .unwrap_or(Value::Null);
                        (e.key.clone(), v)
                    })
                    .collect();
                match kube::automount(o.node.get("automountServiceAccountToken")) {
                    kube::Automount::On => {
                        attrs.insert("automount_token".into(), json!(true));
                    }
                    kube::Automount::Off => {
                        attrs.insert("automount_token".into(), json!(false));
                    }
                    _ => {}
                }
                let name = o.name.clone().unwrap_or_else(|| "<templated>".into());
                for (key, kind) in WI_ANNOTATIONS {
                    if let Some(e) = o.annotations().iter().find(|e| e.key == key) {
                        let mut ua = Attrs::new();
                        ua.insert("namespace".into(), json!(ns));
                        ua.insert("service_account".into(), json!(name));
                        let r = match lit(Some(&e.value)) {
                            Some(v) => v,
                            None => {
                                ua.insert("templated".into(), json!(true));
                                file.text[e.value.span.clone()].to_string()
                            }
                        };
                        f.usages.push(Usage {
                            id: format!("{id}/{kind}"),
                            kind: kind.into(),
                            consumer: id.clone(),
                            identity_ref: r,
                            loc: Loc::new(file, e.value.span.clone()),
                            attrs: ua,
                        });
                    }
                }
                attrs.insert("annotations".into(), Value::Object(ann));
                let labels = o
                    .labels()
                    .iter()
                    .filter_map(|e| e.value.scalar_text().map(|v| (e.key.clone(), v)))
                    .collect();
                f.identities.push(Identity {
                    id: id.clone(),
                    kind: "k8s_service_account".into(),
                    provider: "kubernetes".into(),
                    name,
                    loc,
                    owner: owner_of(&o, config),
                    labels,
                    attrs,
                });
            }
            "RoleBinding" | "ClusterRoleBinding" => {
                let Some((rkind, rname, subs)) = kube::rbac::binding_parts(&o) else {
                    continue;
                };
                let scope = if o.kind == "RoleBinding" {
                    format!("namespace:{ns}")
                } else {
                    "cluster".into()
                };
                for (i, s) in subs.iter().enumerate() {
                    let who = match (s.kind.as_str(), &s.name) {
                        ("ServiceAccount", Some(n)) => {
                            format!("{}/{n}", s.namespace.as_deref().unwrap_or("default"))
                        }
                        (k, Some(n)) => format!("{k}:{n}"),
                        _ => continue,
                    };
                    let mut attrs = Attrs::new();
                    attrs.insert("subject_kind".into(), json!(s.kind));
                    attrs.insert("binding".into(), json!(o.kind));
                    f.grants.push(Grant {
                        id: format!("{id}/{i}"),
                        identity: who,
                        effect: "Allow".into(),
                        actions: vec![format!("{rkind}/{rname}")],
                        not_actions: Vec::new(),
                        resources: vec![scope.clone()],
                        conditions: Vec::new(),
                        loc: Loc::new(file, s.node.span.clone()),
                        attrs,
                    });
                }
            }
            "Secret" => {
                let ty = o
                    .node
                    .get("type")
                    .and_then(|t| t.as_str())
                    .unwrap_or("Opaque");
                if kube::is_sops(file, &o.node) {
                    continue;
                }
                for key in ["data", "stringData"] {
                    for e in o.node.get(key).map(|d| d.entries()).unwrap_or(&[]) {
                        let Some(v) = lit(Some(&e.value)) else {
                            continue;
                        };
                        let kind = credential_kind(ty, &e.key);
                        let mut attrs = Attrs::new();
                        attrs.insert("key".into(), json!(e.key));
                        attrs.insert("secret_type".into(), json!(ty));
                        let identity = o
                            .annotations()
                            .iter()
                            .find(|a| a.key == "kubernetes.io/service-account.name")
                            .and_then(|a| a.value.scalar_text())
                            .map(|sa| format!("{ns}/{sa}"));
                        f.credentials.push(Credential {
                            id: format!("{id}/{}", e.key),
                            kind: kind.into(),
                            identity,
                            lifetime: (ty == "kubernetes.io/service-account-token")
                                .then(|| "never expires".to_string()),
                            storage: "k8s-secret".into(),
                            redacted: Some(redact(&v)),
                            loc: Loc::new(file, e.value.span.clone()),
                            attrs,
                        });
                    }
                }
            }
            _ => {}
        }
        if let Some(pod) = o.pod_spec() {
            let sa = match kube::pod_sa(pod).0 {
                SaName::Named(n) => n,
                SaName::Implicit => "default".into(),
                SaName::Unknown => continue,
            };
            let span = kube::pod_sa(pod)
                .1
                .map(|n| n.span.clone())
                .unwrap_or_else(|| o.anchor());
            let mut attrs = Attrs::new();
            attrs.insert("workload_kind".into(), json!(o.kind));
            attrs.insert("namespace".into(), json!(ns));
            attrs.insert("service_account".into(), json!(sa));
            if o.namespace.is_none() {
                attrs.insert("namespace_inferred".into(), json!(true));
            }
            match kube::automount(pod.get("automountServiceAccountToken")) {
                kube::Automount::On => {
                    attrs.insert("automount_token".into(), json!(true));
                }
                kube::Automount::Off => {
                    attrs.insert("automount_token".into(), json!(false));
                }
                _ => {}
            }
            f.usages.push(Usage {
                id: format!("{id}/k8s-pod-sa"),
                kind: "k8s-pod-sa".into(),
                consumer: id.clone(),
                identity_ref: format!("{ns}/{sa}"),
                loc: Loc::new(file, span),
                attrs,
            });
        }
    }
    f
}

fn credential_kind(ty: &str, key: &str) -> &'static str {
    let k = key.to_ascii_lowercase();
    if ty == "kubernetes.io/service-account-token" || k.contains("token") {
        "token"
    } else if ty == "kubernetes.io/tls" || k.ends_with(".key") || k.contains("privatekey") {
        "certificate"
    } else if k.contains("password") || k.contains("passwd") {
        "password"
    } else if k.contains("client_secret") || k.contains("clientsecret") {
        "client-secret"
    } else if k.contains("access_key") || k.contains("accesskey") {
        "access-key"
    } else {
        "literal"
    }
}
