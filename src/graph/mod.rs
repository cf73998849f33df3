//! The joined trust graph: who can act as whom, from where.
//!
//! Facts from every file join here: CI usages and Kubernetes workloads → the cloud identity they
//! name (by resource reference, name or ARN/email template) → the identity's trusts (subject
//! conditions evaluated against the consumer's triggers, branches, environment or
//! ServiceAccount) → the identity's grants. Project rules (`src/rules/checks/trust_*.rs`) and
//! `nhilint inventory` read this graph; nothing here reports.

pub mod calls;
pub mod env;
pub mod hops;
pub mod models;
pub mod oidc;
pub mod repo;
pub mod subjects;

use crate::config::Config;
use crate::facts::{Facts, Grant, Identity, Trust, Usage};
use oidc::{Family, Reach, SubjectRule, Tri};
use std::collections::HashMap;
use std::path::Path;
pub use subjects::Subject;

/// What an identity may do, summarised from its grants in this repository.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Privilege {
    /// No grant found in the repository (permissions unknown).
    Unknown,
    Read,
    Write,
    Admin,
}

impl Privilege {
    pub fn as_str(self) -> &'static str {
        match self {
            Privilege::Unknown => "unknown",
            Privilege::Read => "read",
            Privilege::Write => "write",
            Privilege::Admin => "admin",
        }
    }
}

/// A trust of an identity, evaluated.
#[derive(Clone, Debug)]
pub struct TrustEdge<'a> {
    pub trust: &'a Trust,
    pub rule: SubjectRule,
    pub family: Family,
    pub reach: Reach,
}

/// How a usage's reference was matched to an identity.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Resolution {
    /// Terraform address, id, exact ARN/email/client id.
    Exact,
    /// By name only (e.g. the ARN's account is an expression).
    Name,
    /// The reference is an expression (`${{ vars.ROLE_ARN }}`): cannot be known offline.
    Unresolved,
    /// A literal reference to an identity not defined in this repository.
    External,
    /// Azure client ids are computed by Azure: matched because exactly one identity's federated
    /// credential admits this consumer.
    ByTrust,
}

/// A usage joined with its consumer and target identity.
#[derive(Clone, Debug)]
pub struct UsageLink<'a> {
    pub usage: &'a Usage,
    /// Index of the consumer identity (CI job, ServiceAccount, workload), when extracted.
    pub consumer: Option<usize>,
    /// Index of the identity used.
    pub target: Option<usize>,
    pub resolution: Resolution,
    /// The subjects this consumer presents to the target's trusts.
    pub subjects: Vec<Subject>,
    /// Per trust of the target (index into its `trusts`): the best admission and the subject
    /// (index into `subjects`) that achieves it; only possible admissions are listed.
    pub admissions: Vec<(usize, Tri, usize)>,
    /// Is the consumer admitted by some trust? `None`: no trust of its family in the repository.
    pub admitted: Option<Tri>,
    /// Environments of the consumer (config names, or the CI environment as written).
    pub environments: Vec<String>,
    /// A short grouping key of the workload (workflow file, `k8s:<ns>/<sa>`).
    pub workload: String,
}

/// An identity with everything joined to it.
#[derive(Clone, Debug)]
pub struct IdentityNode<'a> {
    pub identity: &'a Identity,
    pub trusts: Vec<TrustEdge<'a>>,
    pub grants: Vec<&'a Grant>,
    /// Indexes into `Graph::links` of usages that target this identity.
    pub consumers: Vec<usize>,
    pub privilege: Privilege,
    /// Environments the identity belongs to (config names).
    pub environments: Vec<String>,
}

pub struct Graph<'a> {
    pub facts: &'a Facts,
    /// This repository (`owner/name`), when known.
    pub repo: Option<String>,
    /// One per `facts.identities`, same order.
    pub nodes: Vec<IdentityNode<'a>>,
    /// One per `facts.usages`, same order.
    pub links: Vec<UsageLink<'a>>,
    /// Trusts whose identity is not defined in the repository.
    pub orphan_trusts: Vec<&'a Trust>,
}

/// Is this identity a workload-side identity (CI job, Kubernetes object) rather than a cloud one?
pub fn is_consumer_kind(i: &Identity) -> bool {
    i.provider == "kubernetes"
        || i.provider == "mcp"
        || i.kind.starts_with("gha_")
        || i.kind.starts_with("gitlab_")
        || i.kind.ends_with("_job")
        || matches!(
            i.provider.as_str(),
            "github" | "gitlab" | "circleci" | "azure-devops" | "bitbucket"
        )
}

fn attr<'a>(i: &'a Identity, k: &str) -> Option<&'a str> {
    i.attrs.get(k).and_then(|v| v.as_str())
}

/// Index of identities by id, Terraform address and name.
struct Index {
    by_id: HashMap<String, usize>,
    by_tf: HashMap<String, Vec<usize>>,
    by_name: HashMap<String, Vec<usize>>,
    /// Kubernetes ServiceAccounts by `namespace/name` (RBAC grants name them so).
    by_sa: HashMap<String, usize>,
    /// Identities whose ARN pattern ends in a wildcard or an unknown part.
    patterned: Vec<usize>,
}

impl Index {
    fn new(ids: &[Identity]) -> Index {
        let mut ix = Index {
            by_id: HashMap::new(),
            by_tf: HashMap::new(),
            by_name: HashMap::new(),
            by_sa: HashMap::new(),
            patterned: Vec::new(),
        };
        for (n, i) in ids.iter().enumerate() {
            ix.by_id.insert(i.id.clone(), n);
            if let Some(a) = attr(i, "tf_address") {
                ix.by_tf.entry(a.to_string()).or_default().push(n);
            }
            ix.by_name.entry(i.name.clone()).or_default().push(n);
            if attr(i, "arn_pattern").is_some_and(|p| {
                let last = p.rsplit('/').next().unwrap_or(p);
                last.contains('*') || oidc::has_unknown(last)
            }) {
                ix.patterned.push(n);
            }
            if i.provider == "kubernetes" && i.kind.contains("service_account") {
                let ns = attr(i, "namespace").unwrap_or("default");
                ix.by_sa.insert(format!("{ns}/{}", i.name), n);
            }
        }
        ix
    }

    /// An identity reference from a trust or grant: id, Terraform address (also with an
    /// attribute: `aws_iam_role.x.name`), or name.
    fn lookup(&self, r: &str) -> Option<usize> {
        if let Some(&n) = self.by_id.get(r).or_else(|| self.by_sa.get(r)) {
            return Some(n);
        }
        let r = r.trim().trim_start_matches("${").trim_end_matches('}');
        if let Some(v) = self.by_tf.get(r) {
            return v.first().copied();
        }
        let parts: Vec<&str> = r.split('.').collect();
        if parts.len() >= 3 {
            let addr = parts[..parts.len() - 1].join(".");
            if let Some(v) = self.by_tf.get(&addr) {
                return v.first().copied();
            }
        }
        match self.by_name.get(r) {
            Some(v) if v.len() == 1 => Some(v[0]),
            _ => None,
        }
    }
}

/// Privilege of a set of grants.
pub fn privilege(grants: &[&Grant]) -> Privilege {
    // Unconditional Deny grants on every resource take actions back.
    let denies: Vec<&str> = grants
        .iter()
        .filter(|g| {
            g.effect.eq_ignore_ascii_case("deny")
                && g.conditions.is_empty()
                && g.resources.iter().any(|r| r == "*")
        })
        .flat_map(|g| g.actions.iter().map(String::as_str))
        .collect();
    let mut p = Privilege::Unknown;
    for g in grants
        .iter()
        .filter(|g| g.effect.eq_ignore_ascii_case("allow"))
    {
        if g.attrs.contains_key("policy_name") && g.actions.is_empty() && g.not_actions.is_empty() {
            // A policy of this repository that allows nothing.
            continue;
        }
        if !g.actions.is_empty()
            && g.not_actions.is_empty()
            && g.actions
                .iter()
                .all(|a| denies.iter().any(|d| crate::iam::matching::glob_ci(d, a)))
        {
            continue;
        }
        p = p.max(grant_privilege(g));
    }
    p
}

fn grant_privilege(g: &Grant) -> Privilege {
    let admin_names = [
        "roles/owner",
        "roles/editor",
        "roles/iam.securityadmin",
        "roles/resourcemanager.projectiamadmin",
        "owner",
        "contributor",
        "user access administrator",
        "cluster-admin",
    ];
    let attr_text: Vec<String> = g
        .attrs
        .values()
        .filter_map(|v| v.as_str().map(str::to_lowercase))
        .collect();
    if attr_text
        .iter()
        .any(|t| t.ends_with("/administratoraccess") || t.ends_with("/iamfullaccess"))
    {
        return Privilege::Admin;
    }
    let star_resource = g.resources.is_empty() || g.resources.iter().any(|r| r == "*");
    let mut p = if g.actions.is_empty() && g.not_actions.is_empty() {
        if attr_text.iter().any(|t| t.contains("readonly")) {
            Privilege::Read
        } else {
            Privilege::Write
        }
    } else {
        Privilege::Read
    };
    if !g.not_actions.is_empty() {
        // Allow with NotAction: everything but a few actions.
        return Privilege::Admin;
    }
    if escalates(g) {
        // One call away from administrator (a new policy version, PassRole to compute, …).
        return Privilege::Admin;
    }
    for a in &g.actions {
        let l = a.to_lowercase();
        let last = l.rsplit('/').next().unwrap_or(&l);
        if l == "*" || l == "*:*" || admin_names.contains(&l.as_str()) || last == "cluster-admin" {
            return Privilege::Admin;
        }
        if (l == "iam:*" || l == "sts:*" || l == "iam:passrole") && star_resource {
            return Privilege::Admin;
        }
        if !is_read_action(&l) {
            p = p.max(Privilege::Write);
        }
    }
    p
}

/// Does an AWS grant let its identity escalate or mint credentials (on its own statement)?
fn escalates(g: &Grant) -> bool {
    if !g
        .actions
        .iter()
        .any(|a| a.contains(':') && !a.starts_with("arn:"))
    {
        return false;
    }
    let s = crate::iam::aws::Statement {
        allow: true,
        actions: g.actions.clone(),
        not_actions: None,
        resources: g.resources.clone(),
        not_resources: None,
        conditions: g
            .conditions
            .iter()
            .map(|c| crate::iam::aws::Cond {
                op: c.operator.clone(),
                key: c.key.clone(),
                values: c.values.clone(),
            })
            .collect(),
    };
    !crate::iam::escalation::aws_statement(&s, &crate::iam::escalation::Holder::default())
        .is_empty()
}

fn is_read_action(a: &str) -> bool {
    let verb = a.rsplit([':', '.', '/']).next().unwrap_or(a);
    ["get", "list", "describe", "batchget", "view", "read"]
        .iter()
        .any(|v| verb.starts_with(v))
        || a.ends_with("viewer")
        || a == "reader"
        || a.ends_with(".reader")
}

/// One-line summary of an identity's grants, e.g. `s3:GetObject, s3:PutObject on 2 resources`.
pub fn grant_summary(grants: &[&Grant]) -> String {
    let mut actions: Vec<String> = Vec::new();
    let mut resources: Vec<String> = Vec::new();
    for g in grants
        .iter()
        .filter(|g| g.effect.eq_ignore_ascii_case("allow"))
    {
        // A customer-managed policy defined in the repository is shown by its name.
        if let Some(name) = g.attrs.get("policy_name").and_then(|v| v.as_str()) {
            actions.push(format!("policy {name}"));
            continue;
        }
        actions.extend(g.actions.iter().cloned());
        if g.actions.is_empty() {
            for v in g.attrs.values().filter_map(|v| v.as_str()) {
                if v.starts_with("arn:") || v.starts_with("roles/") {
                    actions.push(v.to_string());
                }
            }
        }
        resources.extend(g.resources.iter().cloned());
    }
    actions.sort();
    actions.dedup();
    resources.sort();
    resources.dedup();
    if actions.is_empty() {
        return String::new();
    }
    let shown: Vec<String> = actions.iter().take(5).cloned().collect();
    let more = if actions.len() > 5 {
        format!(" (+{} more)", actions.len() - 5)
    } else {
        String::new()
    };
    let on = match resources.len() {
        0 => String::new(),
        1 => format!(" on {}", resources[0]),
        n => format!(" on {n} resources"),
    };
    format!("{}{more}{on}", shown.join(", "))
}

impl<'a> Graph<'a> {
    pub fn build(facts: &'a Facts, config: &Config, root: &Path) -> Graph<'a> {
        let repo = repo::this_repository(root, config);
        Graph::build_with_repo(facts, config, repo)
    }

    /// The graph of a project scan.
    pub fn of(cx: &crate::context::ProjectCx<'a>) -> Graph<'a> {
        Graph::build(cx.facts, cx.config, cx.root)
    }

    pub fn build_with_repo(facts: &'a Facts, config: &Config, repo: Option<String>) -> Graph<'a> {
        use rayon::prelude::*;
        // Each identity's, trust's and usage's own work runs side by side (the editor rebuilds
        // the graph after every edit that changes facts); the joins are sequential, in order.
        let ix = Index::new(&facts.identities);
        let mut nodes: Vec<IdentityNode<'a>> = facts
            .identities
            .par_iter()
            .map(|i| IdentityNode {
                identity: i,
                trusts: Vec::new(),
                grants: Vec::new(),
                consumers: Vec::new(),
                privilege: Privilege::Unknown,
                environments: env::identity_environments(config, i),
            })
            .collect();
        let mut orphan_trusts = Vec::new();
        let edges: Vec<(Option<usize>, TrustEdge<'a>)> = facts
            .trusts
            .par_iter()
            .map(|t| {
                let rule = oidc::subject_rule(t);
                let family = oidc::family(t, &rule);
                let reach = oidc::reach(&rule, family);
                let edge = TrustEdge {
                    trust: t,
                    rule,
                    family,
                    reach,
                };
                (ix.lookup(&t.identity), edge)
            })
            .collect();
        for (n, edge) in edges {
            match n {
                Some(n) => nodes[n].trusts.push(edge),
                None => orphan_trusts.push(edge.trust),
            }
        }
        for g in &facts.grants {
            if let Some(n) = ix.lookup(&g.identity) {
                nodes[n].grants.push(g);
            }
        }
        nodes
            .par_iter_mut()
            .for_each(|node| node.privilege = privilege(&node.grants));
        let links: Vec<UsageLink<'a>> = facts
            .usages
            .par_iter()
            .map(|u| link_usage(facts, config, &nodes, &ix, repo.as_deref(), u))
            .collect();
        for (i, l) in links.iter().enumerate() {
            if let Some(t) = l.target {
                nodes[t].consumers.push(i);
            }
        }
        Graph {
            facts,
            repo,
            nodes,
            links,
            orphan_trusts,
        }
    }

    /// Node of an identity id.
    pub fn node(&self, id: &str) -> Option<&IdentityNode<'a>> {
        self.nodes.iter().find(|n| n.identity.id == id)
    }

    /// Kubernetes ServiceAccounts defined in the repository: (namespace, name).
    pub fn service_accounts(&self) -> Vec<(String, String)> {
        self.facts
            .identities
            .iter()
            .filter(|i| i.provider == "kubernetes" && i.kind.contains("service_account"))
            .map(|i| {
                (
                    attr(i, "namespace").unwrap_or("default").to_string(),
                    i.name.clone(),
                )
            })
            .collect()
    }

    /// Cloud identities (not CI jobs or Kubernetes objects).
    pub fn cloud_nodes(&self) -> impl Iterator<Item = (usize, &IdentityNode<'a>)> {
        self.nodes
            .iter()
            .enumerate()
            .filter(|(_, n)| !is_consumer_kind(n.identity))
    }
}

/// A usage resolved to the identity it uses, with the trusts of that identity that admit it.
fn link_usage<'a>(
    facts: &'a Facts,
    config: &Config,
    nodes: &[IdentityNode<'a>],
    ix: &Index,
    repo: Option<&str>,
    u: &'a Usage,
) -> UsageLink<'a> {
    let consumer = ix.by_id.get(&u.consumer).copied();
    let consumer_identity = consumer.map(|c| &facts.identities[c]);
    let (mut target, mut resolution) = resolve(ix, &facts.identities, u);
    let subjects = subjects::of_usage(u, consumer_identity, repo);
    if target.is_none() && matches!(u.kind.as_str(), "gha-azure-login" | "k8s-azure-wi") {
        let admitting: Vec<usize> = nodes
            .iter()
            .enumerate()
            .filter(|(_, n)| {
                n.identity.provider == "azure"
                    && n.trusts.iter().any(|te| {
                        te.trust.principal_kind == "azure-federated"
                            && subjects
                                .iter()
                                .any(|s| eval_subject(&te.rule, s) == Tri::Yes)
                    })
            })
            .map(|(i, _)| i)
            .collect();
        if let [only] = admitting[..] {
            target = Some(only);
            resolution = Resolution::ByTrust;
        }
    }
    let environments = env::usage_environments(config, u, consumer_identity);
    let workload = subjects::workload_key(u, consumer_identity);
    let mut link = UsageLink {
        usage: u,
        consumer,
        target,
        resolution,
        subjects,
        admissions: Vec::new(),
        admitted: None,
        environments,
        workload,
    };
    if let Some(t) = target {
        // A trust without a readable family takes the family of its consumers.
        let fam = subjects::usage_family(u);
        let mut best: Option<Tri> = None;
        for (ti, te) in nodes[t].trusts.iter().enumerate() {
            let te_fam = if te.family == Family::Unknown {
                fam
            } else {
                te.family
            };
            if te.family == Family::None && !subjects::service_trust_admits(u, te.trust) {
                continue;
            }
            if te.family != Family::None && te_fam != fam {
                continue;
            }
            let mut tb = (Tri::No, 0);
            if te.family == Family::None {
                tb = (Tri::Yes, 0);
            } else {
                for (si, s) in link.subjects.iter().enumerate() {
                    let a = eval_subject(&te.rule, s);
                    if a > tb.0 {
                        tb = (a, si);
                    }
                }
            }
            best = Some(best.map_or(tb.0, |b| b.or(tb.0)));
            if tb.0.possible() {
                link.admissions.push((ti, tb.0, tb.1));
            }
        }
        // A trust of the family whose identity we reached, evaluated against no
        // subjects (the consumer's context is unknown): not admitted, not refused.
        link.admitted = match best {
            Some(Tri::No) if link.subjects.is_empty() => Some(Tri::Maybe),
            b => b,
        };
    }
    link
}

/// Does a trust's subject rule admit a subject? Placeholders for an unknown repository are
/// replaced by each repository the rule names.
pub fn eval_subject(rule: &SubjectRule, s: &Subject) -> Tri {
    let a = if s.value.contains(subjects::REPO_PLACEHOLDER) {
        let mut names = oidc::named_repos(rule);
        names.extend(oidc::named_projects(rule));
        // A wildcard name (`acme/*`) stands for a repository it matches.
        let names: Vec<String> = names
            .iter()
            .filter(|n| !oidc::has_unknown(n))
            .map(|n| n.replace('*', oidc::PROBE).replace('?', "x"))
            .collect();
        let mut names = names;
        if names.is_empty() {
            names.push(format!("{}/{}", oidc::PROBE, oidc::PROBE));
        }
        names
            .iter()
            .map(|n| rule.admits(&s.value.replace(subjects::REPO_PLACEHOLDER, n)))
            .max()
            .unwrap_or(Tri::No)
    } else {
        rule.admits(&s.value)
    };
    if s.uncertain { a.and(Tri::Maybe) } else { a }
}

/// Match a usage's `identity_ref` to an identity.
fn resolve(ix: &Index, ids: &[Identity], u: &Usage) -> (Option<usize>, Resolution) {
    let r = u.identity_ref.trim();
    if r.is_empty() {
        return (None, Resolution::Unresolved);
    }
    let cloud = |n: &usize| !is_consumer_kind(&ids[*n]);
    // Terraform address or fact id.
    if let Some(n) = ix.lookup(r).filter(|_n| {
        ix.by_id.contains_key(r) || (r.contains('.') && !r.contains('@') && !r.contains(':'))
    }) && (cloud(&n) || u.kind == "k8s-pod-sa")
    {
        return (Some(n), Resolution::Exact);
    }
    let expr = r.contains("${{") || r.contains("$(") || r.contains("{{");
    // AWS ARN.
    if r.starts_with("arn:") {
        let name = r.rsplit('/').next().unwrap_or("");
        let name_known = !name.is_empty() && !name.contains("${{") && !name.contains("{{");
        // Identities of that name first, then the few whose pattern has a wildcard or an
        // unknown part (`name_prefix`, interpolated names): no scan of every identity.
        let by_name = if name_known {
            ix.by_name.get(name).cloned().unwrap_or_default()
        } else {
            Vec::new()
        };
        for n in by_name.into_iter().chain(ix.patterned.iter().copied()) {
            let i = &ids[n];
            if let Some(p) = attr(i, "arn_pattern")
                && !expr
                && oidc::glob(&oidc::unknown_to_star(p), r)
            {
                return (Some(n), Resolution::Exact);
            }
        }
        if name_known {
            let kind_hint = if r.contains(":user/") { "user" } else { "role" };
            let same_name = ix.by_name.get(name).map(Vec::as_slice).unwrap_or(&[]);
            if let Some(&n) = same_name.iter().find(|&&n| {
                let i = &ids[n];
                i.provider == "aws" && i.kind.contains(kind_hint)
            }) {
                let how = if expr {
                    Resolution::Name
                } else {
                    Resolution::Exact
                };
                return (Some(n), how);
            }
            return (None, Resolution::External);
        }
        return (None, Resolution::Unresolved);
    }
    if expr {
        return (None, Resolution::Unresolved);
    }
    // GCP service account email.
    if r.contains('@') {
        for (n, i) in ids.iter().enumerate() {
            if let Some(e) = attr(i, "email")
                && oidc::glob(&oidc::unknown_to_star(e), r)
            {
                return (Some(n), Resolution::Exact);
            }
        }
        let local = r.split('@').next().unwrap_or("");
        if let Some(n) = ids.iter().position(|i| {
            i.provider == "gcp" && (i.name == local || attr(i, "account_id") == Some(local))
        }) {
            return (Some(n), Resolution::Name);
        }
        return (None, Resolution::External);
    }
    // Kubernetes `ns/sa`.
    if u.kind == "k8s-pod-sa" {
        let (ns, sa) = r.split_once('/').unwrap_or(("default", r));
        let same_name = ix.by_name.get(sa).map(Vec::as_slice).unwrap_or(&[]);
        if let Some(&n) = same_name.iter().find(|&&n| {
            let i = &ids[n];
            i.provider == "kubernetes"
                && i.kind.contains("service_account")
                && attr(i, "namespace").unwrap_or("default") == ns
        }) {
            return (Some(n), Resolution::Exact);
        }
        return (None, Resolution::External);
    }
    // Azure client id.
    for (n, i) in ids.iter().enumerate() {
        if attr(i, "client_id").is_some_and(|c| c.eq_ignore_ascii_case(r)) {
            return (Some(n), Resolution::Exact);
        }
    }
    if let Some(v) = ix.by_name.get(r)
        && let Some(&n) = v.iter().find(|n| cloud(n))
    {
        return (Some(n), Resolution::Name);
    }
    (None, Resolution::External)
}

#[cfg(test)]
pub(crate) mod tests;
