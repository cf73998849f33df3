//! The RBAC graph of a project: objects of every Kubernetes file (Kustomize overlays rendered),
//! ServiceAccounts, Roles/ClusterRoles (built-ins known without being in the repository,
//! aggregation followed), bindings and their subjects, and the workloads that use them.
//!
//! Objects join only within one deployment unit ([`super::units`]) and namespaces match
//! strictly: a manifest without `metadata.namespace` is applied to the namespace the unit is
//! applied to, so it matches only other namespace-less objects of its unit.

use super::units::{self, DeployUnit, UnitSource};
use super::{Obj, decode_span, lit};
use crate::context::{FileUnit, ProjectCx};
use crate::finding::{Finding, Related};
use crate::lang::{Node, Span};
use crate::rules::Rule;
use crate::source::SourceFile;
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

/// Strict namespace matching: both absent (the unit's namespace) or both the same.
pub fn ns_match(a: Option<&str>, b: Option<&str>) -> bool {
    a == b
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

/// What a role grants, from least to most (decides severities).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Grant {
    /// No rules, or only deprecated APIs (PodSecurityPolicy `use`).
    Nothing,
    /// Something, not known to be sensitive (or a role not in the unit).
    Some,
    /// Reads secrets (`secrets`, or `*` resources, with get/list/watch).
    ReadSecrets,
    /// Every verb on every resource, or escalate/bind/impersonate: admin of its scope.
    Admin,
}

impl Grant {
    /// What it means in a message.
    pub fn describe(self) -> &'static str {
        match self {
            Grant::Nothing => "nothing",
            Grant::Some => "some permissions",
            Grant::ReadSecrets => "read access to secrets",
            Grant::Admin => "admin rights: wildcards, escalate, bind or impersonate",
        }
    }
}

/// API groups removed from Kubernetes whose resources grant nothing today.
fn deprecated_only(rule: &Node) -> bool {
    let res: Vec<String> = rule
        .get("resources")
        .map(|n| {
            n.str_or_seq()
                .into_iter()
                .map(|(s, _)| s.to_ascii_lowercase())
                .collect()
        })
        .unwrap_or_default();
    !res.is_empty() && res.iter().all(|r| r == "podsecuritypolicies")
}

/// Does any `clusterRoleSelectors` entry (`matchLabels`) select the object's labels?
fn selects(sels: &[Node], o: &Obj) -> bool {
    sels.iter().any(|sel| {
        let ml = sel.get("matchLabels").map(|m| m.entries()).unwrap_or(&[]);
        !ml.is_empty()
            && ml
                .iter()
                .all(|e| e.value.scalar_text().as_deref() == o.label(&e.key))
    })
}

/// What one RBAC rule grants.
pub fn rule_grant(rule: &Node) -> Grant {
    let list = |k: &str| -> Vec<String> {
        rule.get(k)
            .map(|n| {
                n.str_or_seq()
                    .into_iter()
                    .map(|(s, _)| s.to_ascii_lowercase())
                    .collect()
            })
            .unwrap_or_default()
    };
    let verbs = list("verbs");
    let res = list("resources");
    let groups = list("apiGroups");
    if verbs.is_empty() || deprecated_only(rule) {
        return Grant::Nothing;
    }
    let any_verb = verbs.iter().any(|v| v == "*");
    let any_res = res.iter().any(|r| r == "*");
    let core = groups.is_empty() || groups.iter().any(|g| g.is_empty() || g == "*");
    // Every verb on every resource of one extension API group (`custom.metrics.k8s.io`) is
    // that group's admin, not the cluster's: only the core group, `*` and RBAC itself count.
    let admin_group = core || groups.iter().any(|g| g == "rbac.authorization.k8s.io");
    if any_verb && any_res && admin_group
        || verbs
            .iter()
            .any(|v| matches!(v.as_str(), "escalate" | "bind" | "impersonate"))
    {
        return Grant::Admin;
    }
    let reads = any_verb
        || verbs
            .iter()
            .any(|v| matches!(v.as_str(), "get" | "list" | "watch"));
    // Reading only named secrets (`resourceNames`) is not reading other identities' secrets.
    if reads
        && core
        && res.iter().any(|r| r == "secrets" || r == "*")
        && resource_names(rule).is_empty()
    {
        return Grant::ReadSecrets;
    }
    if rule.get("nonResourceURLs").is_some() && res.is_empty() {
        return Grant::Some;
    }
    if res.is_empty() {
        return Grant::Nothing;
    }
    Grant::Some
}

/// The names a rule is limited to (`resourceNames`); empty when it is not limited.
pub fn resource_names(rule: &Node) -> Vec<String> {
    rule.get("resourceNames")
        .map(|n| {
            n.str_or_seq()
                .into_iter()
                .map(|(s, _)| s.to_string())
                .collect()
        })
        .unwrap_or_default()
}

/// Is an object name (a secret a role may read) the role's or its ServiceAccounts' own: the same
/// name, one name extending the other (`app` / `app-tls`), or sharing the stem of a name of at
/// least three dash-separated words (`argocd-notifications-controller` →
/// `argocd-notifications-secret`).
pub fn own_name(name: &str, owners: &[&str]) -> bool {
    let ext = |a: &str, b: &str| a.strip_prefix(b).is_some_and(|r| r.starts_with('-'));
    owners.iter().filter(|o| !o.is_empty()).any(|o| {
        name == *o
            || ext(name, o)
            || ext(o, name)
            || o.rsplit_once('-')
                .is_some_and(|(stem, _)| stem.contains('-') && ext(name, stem))
    })
}

/// What the rules of a role object grant (the most of any rule; Nothing without rules).
pub fn rules_grant(role: &Node) -> Grant {
    role.get("rules")
        .and_then(|r| r.as_seq())
        .map(|rs| rs.iter().map(rule_grant).max().unwrap_or(Grant::Nothing))
        .unwrap_or(Grant::Nothing)
}

pub struct Graph<'a> {
    pub files: Vec<&'a SourceFile>,
    pub objs: Vec<Obj<'a>>,
    /// The deployment units (`Obj::unit` indexes them).
    pub units: Vec<UnitSource>,
    /// ServiceAccount objects by (unit, name).
    sa_by_name: HashMap<(usize, String), Vec<usize>>,
    /// Bindings (object index) by (unit, name of each ServiceAccount subject); bindings with
    /// ServiceAccount group subjects go in `sa_group_bindings` (by unit).
    bind_by_sa: HashMap<(usize, String), Vec<usize>>,
    sa_group_bindings: HashMap<usize, Vec<usize>>,
    /// Bindings by (unit, roleRef name).
    bind_by_role: HashMap<(usize, String), Vec<usize>>,
    /// ClusterRoles with an `aggregationRule`.
    aggregating: Vec<usize>,
    /// Workloads (object index), see [`Graph::workloads`].
    workload_ix: Vec<usize>,
}

impl<'a> Graph<'a> {
    /// The graph of a project, one deployment unit at a time (see [`super::units`]).
    pub fn build(cx: &ProjectCx<'a>) -> Graph<'a> {
        Graph::from_deploy_units(cx.files, units::collect(cx.files, cx.config))
    }

    /// The graph of files with the default configuration.
    pub fn from_units(files: &'a [FileUnit]) -> Graph<'a> {
        Graph::from_deploy_units(
            files,
            units::collect(files, &crate::config::Config::default()),
        )
    }

    /// The graph of units made by [`units::collect`] (or handed in by a renderer).
    pub fn from_deploy_units(files: &'a [FileUnit], deploy: Vec<DeployUnit<'a>>) -> Graph<'a> {
        let mut objs = Vec::new();
        let mut sources = Vec::new();
        for (n, u) in deploy.into_iter().enumerate() {
            sources.push(u.source);
            objs.extend(u.objs.into_iter().map(|mut o| {
                o.unit = n;
                o
            }));
        }
        let mut g = Graph {
            files: files.iter().map(|u| &u.file).collect(),
            objs,
            units: sources,
            sa_by_name: HashMap::new(),
            bind_by_sa: HashMap::new(),
            sa_group_bindings: HashMap::new(),
            bind_by_role: HashMap::new(),
            aggregating: Vec::new(),
            workload_ix: Vec::new(),
        };
        g.index();
        g.workload_ix = g.find_workloads();
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
                self.sa_by_name
                    .entry((o.unit, n.clone()))
                    .or_default()
                    .push(i);
            }
            if let Some((_, rname, subs)) = binding_parts(o) {
                self.bind_by_role
                    .entry((o.unit, rname))
                    .or_default()
                    .push(i);
                for s in subs {
                    if s.kind == "ServiceAccount"
                        && let Some(n) = s.name
                    {
                        let v = self.bind_by_sa.entry((o.unit, n)).or_default();
                        if v.last() != Some(&i) {
                            v.push(i);
                        }
                    } else if s.is_nhi() {
                        let v = self.sa_group_bindings.entry(o.unit).or_default();
                        if v.last() != Some(&i) {
                            v.push(i);
                        }
                    }
                }
            }
        }
    }

    /// ServiceAccount objects of a unit that match a reference.
    pub fn service_accounts(&self, unit: usize, ns: Option<&str>, name: &str) -> Vec<&Obj<'a>> {
        self.sa_by_name
            .get(&(unit, name.to_string()))
            .map(|v| {
                v.iter()
                    .map(|&i| &self.objs[i])
                    .filter(|o| ns_match(o.namespace.as_deref(), ns))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Bindings of a unit whose subjects include the ServiceAccount (directly or through a
    /// group).
    pub fn bindings_of_sa(&self, unit: usize, ns: Option<&str>, name: &str) -> Vec<&Obj<'a>> {
        let mut out = Vec::new();
        let cands = self
            .bind_by_sa
            .get(&(unit, name.to_string()))
            .into_iter()
            .flatten()
            .chain(self.sa_group_bindings.get(&unit).into_iter().flatten());
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

    /// Bindings of the role's unit that grant it, also through ClusterRoles that aggregate it
    /// (aggregators of the unit by label selector, and the built-in `admin`/`edit`/`view`
    /// aggregation labels).
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
            for &i in self.bind_by_role.get(&(role.unit, n)).into_iter().flatten() {
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

    /// ClusterRoles of the role's unit whose `aggregationRule` selects its labels.
    pub fn aggregators_of(&self, role: &Obj) -> Vec<&Obj<'a>> {
        let mut out = Vec::new();
        for o in self.aggregating.iter().map(|&i| &self.objs[i]) {
            if std::ptr::eq(o, role) || o.unit != role.unit {
                continue;
            }
            let Some(sels) = o
                .node
                .path("aggregationRule.clusterRoleSelectors")
                .and_then(|s| s.as_seq())
            else {
                continue;
            };
            if selects(sels, role) {
                out.push(o);
            }
        }
        out
    }

    /// What a binding grants: its role in the unit (aggregated ClusterRoles followed), or the
    /// built-in ClusterRole; a role that is neither counts as [`Grant::Some`].
    pub fn binding_grant(&self, binding: &Obj) -> Grant {
        let Some((rkind, rname, _)) = binding_parts(binding) else {
            return Grant::Nothing;
        };
        if rkind == "ClusterRole" {
            match rname.as_str() {
                "cluster-admin" => return Grant::Admin,
                "admin" | "edit" => return Grant::ReadSecrets,
                "view" => return Grant::Some,
                _ => {}
            }
        }
        let roles: Vec<&Obj> = self
            .objs
            .iter()
            .filter(|o| {
                o.unit == binding.unit
                    && o.kind == rkind
                    && o.name.as_deref() == Some(rname.as_str())
                    && (rkind == "ClusterRole"
                        || ns_match(o.namespace.as_deref(), binding.namespace.as_deref()))
            })
            .collect();
        if roles.is_empty() {
            // Not defined in the unit. Roles named for a PodSecurityPolicy (`unrestricted-psp`)
            // only `use` one, an API removed from Kubernetes.
            let n = rname.to_ascii_lowercase();
            let psp = n.split(['-', ':', '.', '_']).any(|w| w == "psp")
                || n.contains("podsecuritypolicy");
            return if psp { Grant::Nothing } else { Grant::Some };
        }
        roles
            .iter()
            .map(|r| self.role_grant(r, 0))
            .max()
            .unwrap_or(Grant::Some)
    }

    /// What a role object grants, with the roles its `aggregationRule` selects in its unit.
    pub fn role_grant(&self, role: &Obj, depth: usize) -> Grant {
        let own = rules_grant(&role.node);
        let Some(sels) = role
            .node
            .path("aggregationRule.clusterRoleSelectors")
            .and_then(|s| s.as_seq())
        else {
            return own;
        };
        if depth > 4 {
            return own.max(Grant::Some);
        }
        let mut g = own;
        let mut found = false;
        for o in self
            .objs
            .iter()
            .filter(|o| o.unit == role.unit && o.kind == "ClusterRole" && !std::ptr::eq(*o, role))
        {
            if selects(sels, o) {
                found = true;
                g = g.max(self.role_grant(o, depth + 1));
            }
        }
        // Other charts or operators may add rules to an aggregating role.
        if !found { g.max(Grant::Some) } else { g }
    }

    /// Workloads with their pod spec. A controller declared with `replicas: 0` while another
    /// workload of its unit has the same name and namespace is a placeholder that variant
    /// replaces (a StatefulSet kept at zero beside the Deployment that runs instead) and is left
    /// out; a lone `replicas: 0` (scaled up by hand) stays.
    pub fn workloads(&self) -> impl Iterator<Item = (&Obj<'a>, &Node)> {
        self.workload_ix.iter().filter_map(|&i| {
            let o = &self.objs[i];
            o.pod_spec().map(|p| (o, p))
        })
    }

    /// The objects [`Graph::workloads`] lists (found once per graph; three rules ask).
    fn find_workloads(&self) -> Vec<usize> {
        let zero = |o: &Obj| {
            o.node
                .path("spec.replicas")
                .and_then(|r| r.scalar_text())
                .is_some_and(|r| r.trim() == "0")
        };
        let with_pod: Vec<usize> = (0..self.objs.len())
            .filter(|&i| self.objs[i].pod_spec().is_some())
            .collect();
        let mut names: HashMap<(usize, Option<&str>, &str), usize> = HashMap::new();
        for &i in &with_pod {
            let o = &self.objs[i];
            if let Some(n) = &o.name {
                *names
                    .entry((o.unit, o.namespace.as_deref(), n))
                    .or_default() += 1;
            }
        }
        let placeholder = |o: &Obj| {
            zero(o)
                && o.name.as_deref().is_some_and(|n| {
                    names
                        .get(&(o.unit, o.namespace.as_deref(), n))
                        .copied()
                        .unwrap_or(0)
                        > 1
                })
        };
        with_pod
            .into_iter()
            .filter(|&i| !placeholder(&self.objs[i]))
            .collect()
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

#[cfg(test)]
mod tests {
    use super::own_name;

    #[test]
    fn own_names() {
        let owners = ["argocd-notifications-controller", "argocd-redis-ha-haproxy"];
        assert!(own_name("argocd-notifications-secret", &owners));
        assert!(
            own_name("argocd-redis", &owners),
            "the owner extends the name"
        );
        assert!(own_name("argocd-redis-ha-haproxy-tls", &owners));
        assert!(
            !own_name("argocd-secret", &owners),
            "a two-word stem is too short"
        );
        assert!(!own_name("argocd-redis2", &owners));
        assert!(!own_name("billing-db", &["relay"]));
        assert!(own_name("relay", &["relay"]));
        assert!(!own_name("x", &[""]));
    }
}
