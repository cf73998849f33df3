//! The Kubernetes model shared by the `k8s-*` checks and the fact extractor: objects of a file
//! (multi-document streams and `List` kinds), workload pod specs and containers, the RBAC graph
//! of a project (with Kustomize overlays applied, see [`kustomize`]) and secret-name heuristics.
//!
//! Objects either borrow a document of a file or own a tree built by applying overlay patches.
//! Spans in an owned tree may come from several files: a node copied from a patch file carries
//! its span shifted by `(file index + 1) << SPAN_SHIFT`; [`Graph::locate`] decodes it.

pub mod kustomize;
pub mod rbac;
pub mod secrets;
pub mod units;

use crate::lang::Parsed;
use crate::lang::{Node, Span, V};
use crate::source::SourceFile;
use std::borrow::Cow;

pub use rbac::Graph;

/// Spans at or above this bit name another file of the project (see the module docs).
pub const SPAN_SHIFT: u32 = 40;

/// One Kubernetes object.
#[derive(Clone, Debug)]
pub struct Obj<'a> {
    /// Index of the file the object (and its unshifted spans) comes from.
    pub origin: usize,
    /// Index of the document in that file (after `List` expansion).
    pub doc: usize,
    pub node: Cow<'a, Node>,
    pub kind: String,
    pub api_version: String,
    /// `metadata.name` when literal (None when templated or missing).
    pub name: Option<String>,
    /// `metadata.namespace` when literal.
    pub namespace: Option<String>,
    /// Index of the deployment unit the object belongs to (see [`units`]).
    pub unit: usize,
    /// Set by Kustomize rendering: the kustomization that produced it.
    pub rendered_by: Option<usize>,
    /// Helm chart directory for objects of chart templates: templated names become symbolic
    /// names (`<chart>\u{1}<template text>`) that join within the chart.
    pub chart: Option<String>,
    /// Labels and annotations added by Kustomize (`commonLabels`, `labels`, `commonAnnotations`).
    pub extra_meta: Vec<(String, String)>,
}

impl<'a> Obj<'a> {
    pub fn new(origin: usize, doc: usize, node: Cow<'a, Node>) -> Option<Obj<'a>> {
        let kind = node.get("kind")?.as_str()?.to_string();
        let api_version = node
            .get("apiVersion")
            .and_then(|n| n.as_str())
            .unwrap_or("")
            .to_string();
        let mut o = Obj {
            origin,
            doc,
            node,
            kind,
            api_version,
            name: None,
            namespace: None,
            unit: 0,
            rendered_by: None,
            chart: None,
            extra_meta: Vec::new(),
        };
        o.refresh();
        Some(o)
    }

    /// Re-read name and namespace after the tree changed.
    pub fn refresh(&mut self) {
        self.name = self.ref_name(self.node.path("metadata.name"));
        self.namespace = lit(self.node.path("metadata.namespace"));
        if let Some(k) = self.node.get("kind").and_then(|n| n.as_str()) {
            self.kind = k.to_string();
        }
    }

    /// `Kind `ns/name`` for messages (`<templated>` when the name is not literal).
    pub fn describe(&self) -> String {
        format!("{} `{}`", self.kind, self.display_name())
    }

    /// A name this object refers to: literal, or symbolic within a Helm chart.
    pub fn ref_name(&self, n: Option<&Node>) -> Option<String> {
        if let Some(l) = lit(n) {
            return Some(l);
        }
        match (&self.chart, n.map(|n| &n.v)) {
            (Some(c), Some(V::Expr(t))) if t.contains("{{") => {
                Some(format!("{c}\u{1}{}", normalize_template(t)))
            }
            _ => None,
        }
    }

    /// The ServiceAccount of a workload, with symbolic names for Helm templates.
    pub fn sa(&self) -> (SaName, Option<&Node>) {
        let Some(pod) = self.pod_spec() else {
            return (SaName::Unknown, None);
        };
        match pod_sa(pod) {
            (SaName::Unknown, n) => match self.ref_name(n) {
                Some(s) => (SaName::Named(s), n),
                None => (SaName::Unknown, n),
            },
            other => other,
        }
    }

    pub fn display_name(&self) -> String {
        match (&self.namespace, &self.name) {
            (Some(ns), Some(n)) => format!("{ns}/{}", show(n)),
            (None, Some(n)) => show(n).to_string(),
            _ => "<templated>".into(),
        }
    }

    pub fn labels(&self) -> &[crate::lang::Entry] {
        self.node
            .path("metadata.labels")
            .map(|n| n.entries())
            .unwrap_or(&[])
    }

    pub fn annotations(&self) -> &[crate::lang::Entry] {
        self.node
            .path("metadata.annotations")
            .map(|n| n.entries())
            .unwrap_or(&[])
    }

    pub fn label(&self, key: &str) -> Option<&str> {
        self.labels()
            .iter()
            .find(|e| e.key == key)
            .and_then(|e| e.value.as_str())
    }

    /// Where to report a finding about the whole object: its `metadata.name` value, else `kind`.
    pub fn anchor(&self) -> Span {
        self.node
            .path("metadata.name")
            .or_else(|| self.node.get("kind"))
            .map(|n| n.span.clone())
            .unwrap_or_else(|| self.node.span.clone())
    }

    pub fn is_workload(&self) -> bool {
        pod_spec(&self.node, &self.kind).is_some()
    }

    pub fn pod_spec(&self) -> Option<&Node> {
        pod_spec(&self.node, &self.kind)
    }
}

/// A name for messages: the template text of a symbolic Helm name.
pub fn show(name: &str) -> &str {
    name.rsplit('\u{1}').next().unwrap_or(name)
}

/// Is this a symbolic (templated) name?
pub fn is_symbolic(name: &str) -> bool {
    name.contains('\u{1}')
}

/// `{{- include "x" . -}}` → `{{ include "x" . }}`, whitespace collapsed, quotes dropped.
pub fn normalize_template(t: &str) -> String {
    let t = t.trim().trim_matches(['"', '\'']);
    let t = t.replace("{{-", "{{").replace("-}}", "}}");
    t.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A literal string (not templated, not empty).
pub fn lit(n: Option<&Node>) -> Option<String> {
    match n.map(|n| &n.v) {
        Some(V::Str(s)) if !s.is_empty() => Some(s.clone()),
        Some(V::Num(s)) => Some(s.clone()),
        _ => None,
    }
}

/// Every object document of a parsed file, `List` kinds expanded (one level).
pub fn documents(parsed: &Parsed) -> Vec<&Node> {
    let mut out = Vec::new();
    for root in parsed.roots() {
        let kind = root.get("kind").and_then(|k| k.as_str()).unwrap_or("");
        if kind.ends_with("List")
            && let Some(items) = root.get("items").and_then(|i| i.as_seq())
        {
            out.extend(items.iter().filter(|i| i.is_map()));
            continue;
        }
        if root.is_map() {
            out.push(root);
        }
    }
    out
}

/// Borrowed objects of one file (`origin` is the index the caller gives the file).
pub fn objects(origin: usize, parsed: &Parsed) -> Vec<Obj<'_>> {
    documents(parsed)
        .into_iter()
        .enumerate()
        .filter_map(|(i, n)| Obj::new(origin, i, Cow::Borrowed(n)))
        .collect()
}

/// Objects of one file for file-level checks: Helm template objects get symbolic names.
pub fn file_objects<'a>(file: &SourceFile, parsed: &'a Parsed) -> Vec<Obj<'a>> {
    let chart = (file.kind == crate::source::FileKind::HelmTemplate)
        .then(|| rbac::chart_dir(&file.path))
        .flatten();
    let mut objs = objects(0, parsed);
    if let Some(c) = chart {
        for o in &mut objs {
            o.chart = Some(c.clone());
            o.refresh();
        }
    }
    objs
}

pub const WORKLOAD_KINDS: [&str; 8] = [
    "Pod",
    "Deployment",
    "StatefulSet",
    "DaemonSet",
    "ReplicaSet",
    "ReplicationController",
    "Job",
    "CronJob",
];

/// The pod spec of a workload object.
pub fn pod_spec<'n>(node: &'n Node, kind: &str) -> Option<&'n Node> {
    let p = match kind {
        "Pod" => node.get("spec"),
        "Deployment"
        | "StatefulSet"
        | "DaemonSet"
        | "ReplicaSet"
        | "ReplicationController"
        | "Job" => node.path("spec.template.spec"),
        "CronJob" => node.path("spec.jobTemplate.spec.template.spec"),
        "PodTemplate" => node.path("template.spec"),
        _ => None,
    }?;
    p.is_map().then_some(p)
}

/// Pod template metadata (labels of the pods), when the workload has a template.
pub fn pod_meta<'n>(node: &'n Node, kind: &str) -> Option<&'n Node> {
    match kind {
        "Pod" => node.get("metadata"),
        "CronJob" => node.path("spec.jobTemplate.spec.template.metadata"),
        _ => node.path("spec.template.metadata"),
    }
}

/// Containers, init containers and ephemeral containers of a pod spec, with their list name.
pub fn containers(pod: &Node) -> Vec<(&'static str, &Node)> {
    let mut out = Vec::new();
    for key in ["containers", "initContainers", "ephemeralContainers"] {
        if let Some(items) = pod.get(key).and_then(|c| c.as_seq()) {
            out.extend(items.iter().filter(|c| c.is_map()).map(|c| (key, c)));
        }
    }
    out
}

/// The ServiceAccount a pod spec names.
#[derive(Clone, Debug, PartialEq)]
pub enum SaName {
    /// No `serviceAccountName` (or empty): the namespace's `default` ServiceAccount.
    Implicit,
    Named(String),
    /// Templated: unknown.
    Unknown,
}

pub fn pod_sa(pod: &Node) -> (SaName, Option<&Node>) {
    for key in ["serviceAccountName", "serviceAccount"] {
        if let Some(n) = pod.get(key) {
            return match &n.v {
                V::Str(s) if !s.is_empty() => (SaName::Named(s.clone()), Some(n)),
                V::Null => (SaName::Implicit, Some(n)),
                V::Str(_) => (SaName::Implicit, Some(n)),
                _ => (SaName::Unknown, Some(n)),
            };
        }
    }
    (SaName::Implicit, None)
}

/// `automountServiceAccountToken` as written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Automount {
    Unset,
    On,
    Off,
    /// Templated: unknown.
    Unknown,
}

pub fn automount(n: Option<&Node>) -> Automount {
    match n {
        None => Automount::Unset,
        Some(n) => match (&n.v, n.as_bool()) {
            (V::Null, _) => Automount::Unset,
            (_, Some(true)) => Automount::On,
            (_, Some(false)) => Automount::Off,
            _ => Automount::Unknown,
        },
    }
}

/// Does any of these ServiceAccounts opt out of (or template) token automounting?
pub fn sa_blocks_mount(sas: &[&Obj]) -> bool {
    sas.iter().any(|s| {
        matches!(
            automount(s.node.get("automountServiceAccountToken")),
            Automount::Off | Automount::Unknown
        )
    })
}

/// Kinds that live in a namespace (the others are cluster-scoped).
pub fn is_cluster_scoped(kind: &str) -> bool {
    matches!(
        kind,
        "ClusterRole"
            | "ClusterRoleBinding"
            | "Namespace"
            | "Node"
            | "PersistentVolume"
            | "CustomResourceDefinition"
            | "StorageClass"
            | "PriorityClass"
            | "MutatingWebhookConfiguration"
            | "ValidatingWebhookConfiguration"
            | "APIService"
            | "IngressClass"
            | "RuntimeClass"
            | "CSIDriver"
            | "ClusterIssuer"
    )
}

/// Is the file a SOPS-encrypted document (top-level `sops:` map, or `ENC[…]` values)?
pub fn is_sops(file: &SourceFile, root: &Node) -> bool {
    root.get("sops").is_some_and(|s| s.is_map()) || file.text.contains("ENC[AES256_GCM,")
}

/// Decode a span of an object of `files` into the file it points into.
pub fn decode_span(origin: usize, span: &Span) -> (usize, Span) {
    let k = span.start >> SPAN_SHIFT;
    if k == 0 {
        (origin, span.clone())
    } else {
        let mask = (1usize << SPAN_SHIFT) - 1;
        (k - 1, (span.start & mask)..(span.end & mask))
    }
}

/// Shift every span of a tree copied from file `idx` so it can live in another file's tree.
pub fn shift_spans(n: &mut Node, idx: usize, depth: usize) {
    if n.span.start >> SPAN_SHIFT == 0 {
        let off = (idx + 1) << SPAN_SHIFT;
        n.span = n.span.start + off..n.span.end + off;
    }
    if depth > 300 {
        return;
    }
    match &mut n.v {
        V::Seq(items) | V::Call(_, items) => {
            for i in items {
                shift_spans(i, idx, depth + 1);
            }
        }
        V::Map(es) => {
            for e in es {
                if e.key_span.start >> SPAN_SHIFT == 0 {
                    let off = (idx + 1) << SPAN_SHIFT;
                    e.key_span = e.key_span.start + off..e.key_span.end + off;
                }
                shift_spans(&mut e.value, idx, depth + 1);
            }
        }
        _ => {}
    }
}
