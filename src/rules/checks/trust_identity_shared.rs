//! One cloud identity used from more than one environment (NHI8), or by unrelated workloads: a CI
//! job and a Kubernetes workload, or several ServiceAccounts (NHI9).

use crate::context::ProjectCx;
use crate::finding::{Finding, Severity};
use crate::graph::oidc::Family;
use crate::graph::subjects::usage_family;
use crate::graph::{env, hops};
use crate::rules::Rule;
use std::collections::BTreeSet;

pub fn check_project(cx: &ProjectCx, rule: &Rule, out: &mut Vec<Finding>) {
    let g = cx.trust_graph();
    for (_, node) in g.cloud_nodes() {
        if node.consumers.len() < 2 {
            continue;
        }
        let links: Vec<&crate::graph::UsageLink> =
            node.consumers.iter().map(|&l| &g.links[l]).collect();
        let envs: BTreeSet<&str> = links
            .iter()
            .flat_map(|l| l.environments.iter().map(String::as_str))
            .collect();
        let families: BTreeSet<&str> = links
            .iter()
            .map(|l| match usage_family(l.usage) {
                Family::Kubernetes => "Kubernetes",
                _ => "CI",
            })
            .collect();
        let k8s: BTreeSet<&str> = links
            .iter()
            .filter(|l| l.workload.starts_with("k8s:"))
            .map(|l| l.workload.as_str())
            .collect();
        let (msg, sev, key) = if envs.len() >= 2 {
            let prod = envs.iter().any(|e| env::is_production(cx.config, e));
            (
                format!(
                    "{} is used from {} environments (`{}`): one identity spans the isolation boundary",
                    hops::identity_label(node.identity),
                    envs.len(),
                    envs.iter().copied().collect::<Vec<_>>().join("`, `"),
                ),
                if prod { Severity::High } else { Severity::Medium },
                "environments",
            )
        } else if families.len() >= 2 || k8s.len() >= 2 {
            let mut names: Vec<String> = links.iter().map(|l| hops::consumer_label(g, l)).collect();
            names.sort();
            names.dedup();
            if names.len() < 2 {
                continue;
            }
            (
                format!(
                    "{} is shared by unrelated workloads: {}",
                    hops::identity_label(node.identity),
                    names.join(", "),
                ),
                Severity::Medium,
                "workloads",
            )
        } else {
            continue;
        };
        let mut f = hops::finding(cx, rule, &node.identity.loc, msg)
            .with_severity(hops::by_privilege(sev, node.privilege))
            .with_fp_key(format!("{}|{key}", node.identity.id));
        for l in &links {
            let where_ = if l.environments.is_empty() {
                "uses it".to_string()
            } else {
                format!("uses it in `{}`", l.environments.join("`, `"))
            };
            f = f.with_related(hops::usage_hop(g, l, &where_));
        }
        for r in hops::identity_hops(node).into_iter().skip(1) {
            f = f.with_related(r);
        }
        out.push(f);
    }
}
