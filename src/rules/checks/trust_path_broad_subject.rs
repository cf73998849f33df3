//! A consumer in this repository assumes an identity whose trust admits far more than it: any
//! caller of the issuer, any repository of an owner, any branch or environment of a repository,
//! any ServiceAccount of a namespace or cluster.

use crate::context::ProjectCx;
use crate::finding::{Finding, Severity};
use crate::graph::oidc::Family;
use crate::graph::hops;
use crate::rules::Rule;

pub fn check_project(cx: &ProjectCx, rule: &Rule, out: &mut Vec<Finding>) {
    let g = cx.trust_graph();
    for (_, node) in g.cloud_nodes() {
        for (ti, te) in node.trusts.iter().enumerate() {
            if !te.reach.is_broad() || matches!(te.family, Family::None) {
                continue;
            }
            let consumers: Vec<usize> = node
                .consumers
                .iter()
                .copied()
                .filter(|&l| g.links[l].admissions.iter().any(|a| a.0 == ti))
                .collect();
            let Some(&first) = consumers.first() else {
                continue;
            };
            let reach = te.reach.describe().join(", ");
            let base = match te.reach.rank() {
                4 => Severity::Critical,
                3 | 2 => Severity::High,
                _ => Severity::Medium,
            };
            let sev = hops::by_privilege(base, node.privilege);
            let more = match consumers.len() {
                1 => String::new(),
                n => format!(" (and {} more)", n - 1),
            };
            let msg = format!(
                "{} is assumed by {}{more} and its trust admits {reach}{}",
                hops::identity_label(node.identity),
                hops::consumer_label(g, &g.links[first]),
                hops::privilege_note(node),
            );
            let mut f = hops::finding(cx, rule, &te.trust.loc, msg)
                .with_severity(sev)
                .with_fp_key(format!("{}|{reach}", te.trust.id));
            // Only "maybe" (the repository or a value is unknown): say so.
            let certain = consumers.iter().any(|&l| {
                g.links[l]
                    .admissions
                    .iter()
                    .any(|a| a.0 == ti && a.1 == crate::graph::oidc::Tri::Yes)
            });
            if !certain {
                f = f.with_confidence(crate::finding::Confidence::Medium);
            }
            for &l in &consumers {
                f = f.with_related(hops::usage_hop(g, &g.links[l], "assumes it"));
            }
            for r in hops::identity_hops(node) {
                f = f.with_related(r);
            }
            out.push(f);
        }
    }
}
