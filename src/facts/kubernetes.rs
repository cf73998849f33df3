//! Fact extraction for Kubernetes files (plain manifests, Helm templates, Kustomize):
//! ServiceAccounts (identities), RBAC bindings (grants), literal Secret data (credentials),
//! workload → ServiceAccount and ServiceAccount → cloud identity (usages).

use super::{Attrs, Credential, Facts, Grant, Identity, Loc, Usage};
use crate::config::Config;
use crate::context::FileUnit;
use crate::finding::ScanError;
use crate::kube::secrets::{identifier_key, secret_like_key};
use crate::kube::{self, Obj, SaName, lit};
use crate::lang::Parsed;
use crate::lang::{Node, Span, V};
use crate::redact::redact;
use crate::source::{FileKind, SourceFile};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::collections::HashSet;

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
    let keys = config.owner_keys();
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
    match file.kind {
        FileKind::Kubernetes | FileKind::HelmTemplate => {
            emit(&[file], &kube::objects(0, parsed), config)
        }
        FileKind::HelmValues => helm_values(file, parsed),
        _ => Facts::default(),
    }
}

/// Replace the facts of files a Kustomize root consumes with facts of the rendered objects
/// (overlay namespaces and patches applied).
/// Returns the kustomizations whose rendering failed with an internal error, as scan errors.
pub fn apply_kustomize(units: &[FileUnit], all: &mut Facts, config: &Config) -> Vec<ScanError> {
    if !units.iter().any(|u| u.file.kind == FileKind::Kustomization) {
        return Vec::new();
    }
    let rendered = crate::guard::catch(|| {
        let (objs, consumed, failed) = kube::kustomize::render_all_checked(units);
        let errors: Vec<ScanError> = failed
            .into_iter()
            .map(|(k, f)| match f {
                kube::kustomize::RenderFailure::Panic(p) => ScanError {
                    path: units[k].file.path.clone(),
                    line: None,
                    message: p.message("while rendering this kustomization"),
                },
                kube::kustomize::RenderFailure::Budget(at) => {
                    let path = &units[at].file.path;
                    ScanError {
                        path: path.clone(),
                        line: Some(1),
                        message: format!(
                            "{} at {path}:1: rendering the kustomization `{}` makes more than {} objects; the rest of it is not rendered",
                            crate::lang::yaml::BUDGET_EXCEEDED,
                            units[k].file.path,
                            kube::kustomize::max_rendered_objects()
                        ),
                    }
                }
            })
            .collect();
        let files: Vec<&SourceFile> = units.iter().map(|u| &u.file).collect();
        let facts = emit(&files, &objs, config);
        (consumed, facts, errors)
    });
    let (consumed, facts, errors) = match rendered {
        Ok(r) => r,
        Err(p) => {
            return vec![ScanError {
                path: ".".into(),
                line: None,
                message: p.message("while rendering the kustomizations"),
            }];
        }
    };
    if consumed.is_empty() {
        return errors;
    }
    let paths: HashSet<&str> = consumed
        .iter()
        .filter_map(|&i| units.get(i))
        .filter(|u| matches!(u.file.kind, FileKind::Kubernetes | FileKind::HelmTemplate))
        .map(|u| u.file.path.as_str())
        .collect();
    all.identities
        .retain(|f| !paths.contains(f.loc.path.as_str()));
    all.grants.retain(|f| !paths.contains(f.loc.path.as_str()));
    all.credentials
        .retain(|f| !paths.contains(f.loc.path.as_str()));
    all.usages.retain(|f| !paths.contains(f.loc.path.as_str()));
    all.extend(facts);
    errors
}

/// Helm values: workload identity annotations anywhere under a `serviceAccount` key.
fn helm_values(file: &SourceFile, parsed: &Parsed) -> Facts {
    let mut f = Facts::default();
    for root in parsed.roots() {
        root.walk(&mut |n: &Node| {
            for e in n.entries() {
                let Some((_, kind)) = WI_ANNOTATIONS.iter().find(|(k, _)| *k == e.key) else {
                    continue;
                };
                let Some(v) = lit(Some(&e.value)) else {
                    continue;
                };
                let mut attrs = Attrs::new();
                attrs.insert("helm_values".into(), json!(true));
                let dir = file.path.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
                attrs.insert("helm_chart".into(), json!(dir));
                f.usages.push(Usage {
                    id: format!("{}#{}/{kind}", file.path, e.key),
                    kind: kind.to_string(),
                    consumer: format!("{}#serviceAccount", file.path),
                    identity_ref: v,
                    loc: Loc::new(file, e.value.span.clone()),
                    attrs,
                });
            }
        });
    }
    f
}

/// Facts of objects whose spans point into `files` (see [`kube::decode_span`]).
pub fn emit(files: &[&SourceFile], objs: &[Obj], config: &Config) -> Facts {
    let mut f = Facts::default();
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let mut uniq = |id: String| -> String {
        let n = seen.entry(id.clone()).or_insert(0);
        *n += 1;
        if *n == 1 { id } else { format!("{id}/{n}") }
    };
    for o in objs {
        let Some(&origin) = files.get(o.origin) else {
            continue;
        };
        let loc_of = |span: &Span| -> Loc {
            let (idx, sp) = kube::decode_span(o.origin, span);
            Loc::new(files.get(idx).copied().unwrap_or(origin), sp)
        };
        let id = uniq(format!("{}#{}", origin.path, address(o)));
        let loc = loc_of(&o.anchor());
        let ns = o.namespace.clone().unwrap_or_else(|| "default".into());
        match o.kind.as_str() {
            "ServiceAccount" => {
                let mut attrs = Attrs::new();
                attrs.insert("namespace".into(), json!(ns));
                if origin.kind == FileKind::HelmTemplate
                    && let Some(c) = kube::rbac::chart_dir(&origin.path)
                {
                    attrs.insert("helm_chart".into(), json!(c));
                }
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
                        let r = match (&e.value.v, lit(Some(&e.value))) {
                            (_, Some(v)) => v,
                            (V::Expr(t), None) => {
                                ua.insert("templated".into(), json!(true));
                                t.clone()
                            }
                            _ => continue,
                        };
                        f.usages.push(Usage {
                            id: format!("{id}/{kind}"),
                            kind: kind.into(),
                            consumer: id.clone(),
                            identity_ref: r,
                            loc: loc_of(&e.value.span),
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
                    owner: owner_of(o, config),
                    labels,
                    attrs,
                });
            }
            "RoleBinding" | "ClusterRoleBinding" => {
                let Some((rkind, rname, subs)) = kube::rbac::binding_parts(o) else {
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
                        loc: loc_of(&s.node.span),
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
                if kube::is_sops(origin, &o.node) {
                    continue;
                }
                for key in ["data", "stringData"] {
                    for e in o.node.get(key).map(|d| d.entries()).unwrap_or(&[]) {
                        let Some(v) = lit(Some(&e.value)) else {
                            continue;
                        };
                        if !secret_like_key(&e.key) && identifier_key(&e.key) {
                            continue;
                        }
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
                            loc: loc_of(&e.value.span),
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
            let labels = crate::apptrust::mesh::pod_labels(o);
            if !labels.is_empty() {
                attrs.insert("pod_labels".into(), json!(labels));
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
                loc: loc_of(&span),
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
