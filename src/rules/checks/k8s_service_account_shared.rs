//! One ServiceAccount named by unrelated workloads. Workloads are related (one component)
//! when they share an `app.kubernetes.io/part-of`, `app.kubernetes.io/instance`,
//! `app.kubernetes.io/name` or `app` label; replicas of one workload are one workload.

use crate::context::ProjectCx;
use crate::facts::kubernetes::WI_ANNOTATIONS;
use crate::finding::Finding;
use crate::kube::{self, Graph, Obj, SaName};
use crate::rules::Rule;
use std::collections::BTreeMap;

const GROUP_LABELS: [&str; 4] = [
    "app.kubernetes.io/part-of",
    "app.kubernetes.io/instance",
    "app.kubernetes.io/name",
    "app",
];

fn group_labels(o: &Obj) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let tmpl = o
        .pod_spec()
        .and_then(|_| kube::pod_meta(&o.node, &o.kind))
        .and_then(|m| m.get("labels"))
        .map(|l| l.entries())
        .unwrap_or(&[]);
    for e in o.labels().iter().chain(tmpl) {
        if GROUP_LABELS.contains(&e.key.as_str())
            && let Some(v) = e.value.scalar_text()
        {
            out.push((e.key.clone(), v));
        }
    }
    // Kustomize `commonLabels`/`labels` apply to the object and its pod template.
    for (k, v) in &o.extra_meta {
        if GROUP_LABELS.contains(&k.as_str()) {
            out.push((k.clone(), v.clone()));
        }
    }
    out
}

pub fn check_project(cx: &ProjectCx, rule: &Rule, out: &mut Vec<Finding>) {
    let g = cx.kube_graph();
    let from = out.len();
    // (unit, namespace, sa) -> workloads: a ServiceAccount is shared within a deployment unit
    let mut users: BTreeMap<(usize, String, String), Vec<&Obj>> = BTreeMap::new();
    for (o, _) in g.workloads() {
        let SaName::Named(sa) = o.sa().0 else { continue };
        // Workloads of one Helm chart naming the chart's templated ServiceAccount are one app.
        if sa == "default" || o.name.is_none() || kube::is_symbolic(&sa) {
            continue;
        }
        let key = (o.unit, o.namespace.clone().unwrap_or_default(), sa);
        let v = users.entry(key).or_default();
        if !v.iter().any(|w| w.kind == o.kind && w.name == o.name) {
            v.push(o);
        }
    }
    for ((unit, ns, sa), ws) in users {
        if ws.len() < 2 {
            continue;
        }
        // Union-find over shared group labels.
        let labels: Vec<Vec<(String, String)>> = ws.iter().map(|w| group_labels(w)).collect();
        let mut comp: Vec<usize> = (0..ws.len()).collect();
        for i in 0..ws.len() {
            for j in 0..i {
                if labels[i].iter().any(|l| labels[j].contains(l)) {
                    let (a, b) = (find(&mut comp, i), find(&mut comp, j));
                    comp[a] = b;
                }
            }
        }
        let mut roots: Vec<usize> = (0..ws.len()).map(|i| find(&mut comp, i)).collect();
        roots.sort();
        roots.dedup();
        if roots.len() < 2 {
            continue;
        }
        let ns_opt = (!ns.is_empty()).then_some(ns.as_str());
        let sa_objs = g.service_accounts(unit, ns_opt, &sa);
        let privileged = !g.bindings_of_sa(unit, ns_opt, &sa).is_empty()
            || sa_objs.iter().any(|s| {
                s.annotations()
                    .iter()
                    .any(|a| WI_ANNOTATIONS.iter().any(|(k, _)| *k == a.key))
            });
        let names: Vec<String> = ws.iter().map(|w| w.describe()).collect();
        let msg = format!(
            "ServiceAccount `{sa}` is shared by {} unrelated workloads: {}",
            roots.len(),
            names.join(", ")
        );
        let mut f = match sa_objs.first() {
            Some(s) => g.finding(rule, s, &s.anchor(), msg),
            None => {
                let w = ws[0];
                let span = w
                    .pod_spec()
                    .and_then(|p| kube::pod_sa(p).1)
                    .map(|n| n.span.clone())
                    .unwrap_or_else(|| w.anchor());
                g.finding(rule, w, &span, msg)
            }
        };
        for w in &ws {
            let span = w
                .pod_spec()
                .and_then(|p| kube::pod_sa(p).1)
                .map(|n| n.span.clone())
                .unwrap_or_else(|| w.anchor());
            f = f.with_related(g.related(w, &span, format!("{} uses it", w.describe())));
        }
        if privileged {
            f = f.with_severity(rule.severity.raise());
        }
        out.push(f.with_fp_key(format!("{ns}/{sa}")));
    }
    Graph::dedup(out, from);
}

fn find(p: &mut [usize], mut i: usize) -> usize {
    while p[i] != i {
        p[i] = p[p[i]];
        i = p[i];
    }
    i
}
