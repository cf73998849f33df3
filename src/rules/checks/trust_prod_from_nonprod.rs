//! A production identity (by `[environments]` config: its path, AWS account, tags, or the
//! production environment its trust names) whose trust also admits a non-production branch,
//! CI environment or namespace, or that a non-production consumer assumes.

use crate::context::ProjectCx;
use crate::finding::Finding;
use crate::graph::oidc::{self, Family, Tri};
use crate::graph::subjects::REPO_PLACEHOLDER;
use crate::graph::hops;
use crate::rules::Rule;

/// Subjects that stand for a configured environment: its CI environments and branches.
fn env_subjects(cx: &ProjectCx, name: &str, repo: &str) -> Vec<(String, String)> {
    let mut v = Vec::new();
    if let Some(e) = cx.config.environments.get(name) {
        for c in &e.ci_environments {
            v.push((format!("repo:{repo}:environment:{c}"), format!("environment `{c}`")));
        }
        for b in &e.branches {
            let probe = b.replace("**", "*").replace('*', oidc::PROBE);
            v.push((format!("repo:{repo}:ref:refs/heads/{probe}"), format!("branch `{b}`")));
        }
        for ns in &e.namespaces {
            v.push((format!("system:serviceaccount:{ns}:{}", oidc::PROBE), format!("namespace `{ns}`")));
        }
    }
    v
}

pub fn check_project(cx: &ProjectCx, rule: &Rule, out: &mut Vec<Finding>) {
    let prod: Vec<&String> = cx
        .config
        .environments
        .iter()
        .filter(|(_, e)| e.production)
        .map(|(n, _)| n)
        .collect();
    let nonprod: Vec<&String> = cx
        .config
        .environments
        .iter()
        .filter(|(_, e)| !e.production)
        .map(|(n, _)| n)
        .collect();
    if prod.is_empty() || nonprod.is_empty() {
        return;
    }
    let g = cx.trust_graph();
    let repo = g.repo.clone().unwrap_or_else(|| REPO_PLACEHOLDER.to_string());
    for (_, node) in g.cloud_nodes() {
        let fed: Vec<&crate::graph::TrustEdge> = node
            .trusts
            .iter()
            .filter(|t| !matches!(t.family, Family::None))
            .collect();
        let admits = |te: &crate::graph::TrustEdge, s: &str| {
            let subj = crate::graph::Subject {
                value: s.to_string(),
                via: String::new(),
                untrusted: None,
                uncertain: false,
            };
            crate::graph::eval_subject(&te.rule, &subj)
        };
        // Production by configuration, or because a trust admits a production environment.
        let by_config = node.environments.iter().any(|e| prod.contains(&e));
        let by_trust = prod.iter().find(|p| {
            env_subjects(cx, p, &repo)
                .iter()
                .filter(|(s, _)| !s.contains(oidc::PROBE))
                .any(|(s, _)| {
                    // A trust that admits everything does not make an identity production.
                    fed.iter()
                        .any(|te| !te.reach.is_broad() && admits(te, s) == Tri::Yes)
                })
        });
        if !by_config && by_trust.is_none() {
            continue;
        }
        let why = if by_config {
            format!("production by configuration (`{}`)", node.environments.join("`, `"))
        } else {
            format!("trusted from production environment `{}`", by_trust.map(|s| s.as_str()).unwrap_or(""))
        };
        for te in &fed {
            let mut reached: Vec<String> = Vec::new();
            for n in &nonprod {
                for (s, what) in env_subjects(cx, n, &repo) {
                    if admits(te, &s) == Tri::Yes {
                        reached.push(format!("{what} (environment `{n}`)"));
                    }
                }
            }
            let consumers: Vec<&crate::graph::UsageLink> = node
                .consumers
                .iter()
                .map(|&l| &g.links[l])
                .filter(|l| {
                    l.admissions.iter().any(|a| std::ptr::eq(node.trusts[a.0].trust, te.trust))
                        && l.environments.iter().any(|e| nonprod.contains(&e))
                })
                .collect();
            for l in &consumers {
                reached.push(format!("{} in `{}`", hops::consumer_label(g, l), l.environments.join("`, `")));
            }
            reached.dedup();
            if reached.is_empty() {
                continue;
            }
            let msg = format!(
                "{} is {why} but its trust also admits {}",
                hops::identity_label(node.identity),
                reached.join(", "),
            );
            let mut f = hops::finding(cx, rule, &te.trust.loc, msg)
                .with_severity(hops::by_privilege(rule.severity, node.privilege))
                .with_fp_key(format!("{}|nonprod", te.trust.id));
            for l in &consumers {
                f = f.with_related(hops::usage_hop(g, l, "assumes it"));
            }
            for r in hops::identity_hops(node) {
                f = f.with_related(r);
            }
            out.push(f);
        }
    }
}
