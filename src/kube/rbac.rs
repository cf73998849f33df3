//! The RBAC graph of a project: objects of every Kubernetes file (Kustomize overlays rendered),
//! ServiceAccounts, Roles/ClusterRoles (built-ins known without being in the repository,
//! aggregation followed), bindings and their subjects, and the workloads that use them.
//!
//! Namespaces are matched tolerantly: a manifest without `metadata.namespace` is applied to
//! whatever namespace the deploy tool chooses, so it matches any namespace.

use super::{Obj, decode_span, kustomize, lit, objects};
use crate::engine::{FileUnit, ProjectCx};
use crate::finding::{Finding, Related};
use crate::lang::{Node, Span};
use crate::rules::Rule;
use crate::source::{FileKind, SourceFile};
use std::collections::HashMap;

/// A subject of a binding.
#[derive(Clone, Debug)]
pub struct Subject<'n> {
    pub kind: String,
    pub name: Option<String>,
    pub namespace: Option<String>,
    pub node: &'n Node,
}

impl Subject<'_> {
    pub fn describe(&self) -> String {
        let name = self
            .name
            .as_deref()
            .map(super::show)
            .unwrap_or("<templated>");
        match (&self.kind[..], &self.namespace) {
            ("ServiceAccount", Some(ns)) => format!("ServiceAccount `{ns}/{name}`"),
            _ => format!("{} `{name}`", self.kind),
        }
    }

    /// Does this subject (a ServiceAccount or a ServiceAccount group) include the SA?
    pub fn includes_sa(&self, ns: Option<&str>, name: &str) -> bool {
        match self.kind.as_str() {
            "ServiceAccount" => {
                self.name.as_deref() == Some(name) && ns_match(self.namespace.as_deref(), ns)
            }
            "Group" => match self.name.as_deref() {
                Some("system:serviceaccounts") => true,
                // A namespace group needs a known namespace (names alone do not join here).
                Some(g) => g
                    .strip_prefix("system:serviceaccounts:")
                    .is_some_and(|gns| ns == Some(gns)),
                None => false,
            },
            _ => false,
        }
    }

    /// Non-human subjects: ServiceAccounts and the ServiceAccount groups.
    pub fn is_nhi(&self) -> bool {
        self.kind == "ServiceAccount"
            || self
                .name
                .as_deref()
                .is_some_and(|n| n.starts_with("system:serviceaccounts"))
    }

    /// Groups that mean "everyone" (authenticated or not).
    pub fn is_everyone(&self) -> bool {
        self.kind == "Group"
            && matches!(
                self.name.as_deref(),
                Some("system:authenticated" | "system:unauthenticated" | "system:anonymous")
            )
            || self.kind == "User" && self.name.as_deref() == Some("system:anonymous")
    }
}

/// The chart directory of a template path (`charts/x/templates/a.yaml` → `charts/x`).
pub fn chart_dir(path: &str) -> Option<String> {
    let i = path.rfind("templates/")?;
    Some(path[..i].trim_end_matches('/').to_string())
}

pub fn ns_match(a: Option<&str>, b: Option<&str>) -> bool {
    match (a, b) {
        (Some(x), Some(y)) => x == y,
        _ => true,
    }
}

/// roleRef and subjects of a binding object.
pub fn binding_parts<'n>(obj: &'n Obj) -> Option<(String, String, Vec<Subject<'n>>)> {
    if obj.kind != "RoleBinding" && obj.kind != "ClusterRoleBinding" {
        return None;
    }
    let rr = obj.node.get("roleRef")?;
    let rkind = rr
        .get("kind")
        .and_then(|k| k.as_str())
        .unwrap_or("ClusterRole");
    let rname = obj.ref_name(rr.get("name"))?;
    let mut subs = Vec::new();
    if let Some(items) = obj.node.get("subjects").and_then(|s| s.as_seq()) {
        for s in items {
            let kind = s
                .get("kind")
                .and_then(|k| k.as_str())
                .unwrap_or("")
                .to_string();
            let mut namespace = lit(s.get("namespace"));
            if kind == "ServiceAccount" && namespace.is_none() && obj.kind == "RoleBinding" {
                namespace = obj.namespace.clone();
            }
            subs.push(Subject {
                kind,
                name: obj.ref_name(s.get("name")),
                namespace,
                node: s,
            });
        }
    }
    Some((rkind.to_string(), rname, subs))
}

/// What a built-in ClusterRole is known to allow (they are not in repositories).
pub fn builtin_role(name: &str) -> Option<&'static str> {
    match name {
        "cluster-admin" => Some("every verb on every resource"),
        "admin" => Some("read and write of most namespaced resources, secrets and RBAC included"),
        "edit" => Some("read and write of most namespaced resources, secrets included"),
        "view" => Some("read-only access to most namespaced resources"),
        n if n.starts_with("system:") => Some("a Kubernetes system role"),
        _ => None,
    }
}

pub struct Graph<'a> {
    pub files: Vec<&'a SourceFile>,
    pub objs: Vec<Obj<'a>>,
    /// ServiceAccount objects by name.
    sa_by_name: HashMap<String, Vec<usize>>,
    /// Bindings (object index) by the name of each ServiceAccount subject; group subjects of
    /// ServiceAccounts go in `sa_groups`.
    bind_by_sa: HashMap<String, Vec<usize>>,
    sa_group_bindings: Vec<usize>,
    /// Bindings by roleRef name.
    bind_by_role: HashMap<String, Vec<usize>>,
    /// ClusterRoles with an `aggregationRule`.
    aggregating: Vec<usize>,
}

impl<'a> Graph<'a> {
    /// The graph of a project: Kustomize roots rendered, other Kubernetes files as written.
    pub fn build(cx: &ProjectCx<'a>) -> Graph<'a> {
        Graph::from_units(cx.files)
    }

    pub fn from_units(units: &'a [FileUnit]) -> Graph<'a> {
        let files: Vec<&SourceFile> = units.iter().map(|u| &u.file).collect();
        let (mut objs, consumed) = kustomize::render_all(units);
        for (i, u) in units.iter().enumerate() {
            if consumed.contains(&i)
                || !matches!(u.file.kind, FileKind::Kubernetes | FileKind::HelmTemplate)
            {
                continue;
            }
            let chart = (u.file.kind == FileKind::HelmTemplate)
                .then(|| chart_dir(&u.file.path))
                .flatten();
            for mut o in objects(i, &u.parsed) {
                if let Some(c) = &chart {
                    o.chart = Some(c.clone());
                    o.refresh();
                }
                objs.push(o);
            }
        }
        let mut g = Graph {
            files,
            objs,
            sa_by_name: HashMap::new(),
            bind_by_sa: HashMap::new(),
            sa_group_bindings: Vec::new(),
            bind_by_role: HashMap::new(),
            aggregating: Vec::new(),
        };
        g.index();
        g
    }

    fn index(&mut self) {
        for (i, o) in self.objs.iter().enumerate() {
            if o.kind == "ClusterRole" && o.node.get("aggregationRule").is_some() {
                self.aggregating.push(i);
            }
            if o.kind == "ServiceAccount"
                && let Some(n) = &o.name
            {
                self.sa_by_name.entry(n.clone()).or_default().push(i);
            }
            if let Some((_, rname, subs)) = binding_parts(o) {
                self.bind_by_role.entry(rname).or_default().push(i);
                for s in subs {
                    if s.kind == "ServiceAccount"
                        && let Some(n) = s.name
                    {
                        let v = self.bind_by_sa.entry(n).or_default();
                        if v.last() != Some(&i) {
                            v.push(i);
                        }
                    } else if s.is_nhi() && self.sa_group_bindings.last() != Some(&i) {
                        self.sa_group_bindings.push(i);
                    }
                }
            }
        }
    }

    /// ServiceAccount objects that match a reference.
    pub fn service_accounts(&self, ns: Option<&str>, name: &str) -> Vec<&Obj<'a>> {
        self.sa_by_name
            .get(name)
            .map(|v| {
                v.iter()
                    .map(|&i| &self.objs[i])
                    .filter(|o| ns_match(o.namespace.as_deref(), ns))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Bindings whose subjects include the ServiceAccount (directly or through a group).
    pub fn bindings_of_sa(&self, ns: Option<&str>, name: &str) -> Vec<&Obj<'a>> {
        let mut out = Vec::new();
        let cands = self
            .bind_by_sa
            .get(name)
            .into_iter()
            .flatten()
            .chain(self.sa_group_bindings.iter());
        for &i in cands {
            let o = &self.objs[i];
            if let Some((_, _, subs)) = binding_parts(o)
                && subs.iter().any(|s| s.includes_sa(ns, name))
                && !out.iter().any(|x: &&Obj| std::ptr::eq(*x, o))
            {
                out.push(o);
            }
        }
        out
    }

    /// Bindings that grant a role object, also through ClusterRoles that aggregate it (repository
    /// aggregators by label selector, and the built-in `admin`/`edit`/`view` aggregation labels).
    pub fn bindings_of_role(&self, role: &Obj) -> Vec<&Obj<'a>> {
        let Some(name) = &role.name else {
            return Vec::new();
        };
        let mut names: Vec<(String, &str)> = vec![(name.clone(), role.kind.as_str())];
        if role.kind == "ClusterRole" {
            for (k, target) in [
                (
                    "rbac.authorization.k8s.io/aggregate-to-admin",
                    &["admin"][..],
                ),
                (
                    "rbac.authorization.k8s.io/aggregate-to-edit",
                    &["edit", "admin"],
                ),
                (
                    "rbac.authorization.k8s.io/aggregate-to-view",
                    &["view", "edit", "admin"],
                ),
            ] {
                if role.label(k) == Some("true") {
                    names.extend(target.iter().map(|t| (t.to_string(), "ClusterRole")));
                }
            }
            for agg in self.aggregators_of(role) {
                if let Some(n) = &agg.name {
                    names.push((n.clone(), "ClusterRole"));
                }
            }
        }
        let mut out = Vec::new();
        for (n, kind) in names {
            for &i in self.bind_by_role.get(&n).into_iter().flatten() {
                let b = &self.objs[i];
                let Some((rkind, _, _)) = binding_parts(b) else {
                    continue;
                };
                if rkind != kind {
                    continue;
                }
                if kind == "Role"
                    && (b.kind != "RoleBinding"
                        || !ns_match(b.namespace.as_deref(), role.namespace.as_deref()))
                {
                    continue;
                }
                if !out.iter().any(|x: &&Obj| std::ptr::eq(*x, b)) {
                    out.push(b);
                }
            }
        }
        out
    }

    /// Repository ClusterRoles whose `aggregationRule` selects this ClusterRole's labels.
    pub fn aggregators_of(&self, role: &Obj) -> Vec<&Obj<'a>> {
        let mut out = Vec::new();
        for o in self.aggregating.iter().map(|&i| &self.objs[i]) {
            if std::ptr::eq(o, role) {
                continue;
            }
            let Some(sels) = o
                .node
                .path("aggregationRule.clusterRoleSelectors")
                .and_then(|s| s.as_seq())
            else {
                continue;
            };
            let hit = sels.iter().any(|sel| {
                let ml = sel.get("matchLabels").map(|m| m.entries()).unwrap_or(&[]);
                !ml.is_empty()
                    && ml
                        .iter()
                        .all(|e| e.value.scalar_text().as_deref() == role.label(&e.key))
            });
            if hit {
                out.push(o);
            }
        }
        out
    }

    /// Workloads with their pod spec.
    pub fn workloads(&self) -> impl Iterator<Item = (&Obj<'a>, &Node)> {
        self.objs
            .iter()
            .filter_map(|o| o.pod_spec().map(|p| (o, p)))
    }

    /// The file and file-relative span of a span of an object.
    pub fn locate(&self, obj: &Obj, span: &Span) -> (&'a SourceFile, Span) {
        let (idx, sp) = decode_span(obj.origin, span);
        match self.files.get(idx) {
            Some(f) => (f, sp),
            None => (self.files[obj.origin], span.clone()),
        }
    }

    /// A finding at a span of an object (decoding spans that point into patch files).
    pub fn finding(&self, rule: &Rule, obj: &Obj, span: &Span, msg: impl Into<String>) -> Finding {
        let (file, sp) = self.locate(obj, span);
        let mut f = rule.finding(file, sp, msg);
        if let Some(k) = obj.rendered_by
            && let Some(kf) = self.files.get(k)
        {
            f.related.push(Related {
                path: kf.path.clone(),
                start_line: 1,
                start_column: None,
                end_line: None,
                end_column: None,
                message: "rendered by this kustomization".into(),
            });
        }
        f
    }

    /// A related location at a span of an object.
    pub fn related(&self, obj: &Obj, span: &Span, msg: impl Into<String>) -> Related {
        let (file, sp) = self.locate(obj, span);
        let (l, c) = file.line_col(sp.start);
        Related {
            path: file.path.clone(),
            start_line: l,
            start_column: Some(c),
            end_line: None,
            end_column: None,
            message: msg.into(),
        }
    }

    /// Drop findings of `out[from..]` at the same place as an earlier one (an object rendered by
    /// several overlays is reported once).
    pub fn dedup(out: &mut Vec<Finding>, from: usize) {
        let mut seen = std::collections::HashSet::new();
        let mut i = from;
        while i < out.len() {
            let k = (
                out[i].path.clone(),
                out[i].span.start,
                out[i].rule_id.clone(),
            );
            if seen.insert(k) {
                i += 1;
            } else {
                out.remove(i);
            }
        }
    }
}
