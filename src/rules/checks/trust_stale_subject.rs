//! Stale trust: a trust names a repository other than the one whose workflows use the identity,
//! or a Kubernetes ServiceAccount that no manifest of the repository defines; or a ServiceAccount
//! points at an identity whose trust does not admit it.

use crate::context::ProjectCx;
use crate::finding::Finding;
use crate::graph::oidc::{self, Family, Tri};
use crate::graph::hops;
use crate::rules::Rule;

pub fn check_project(cx: &ProjectCx, rule: &Rule, out: &mut Vec<Finding>) {
    let g = cx.trust_graph();
    let sas = g.service_accounts();
    for (_, node) in g.cloud_nodes() {
        for (ti, te) in node.trusts.iter().enumerate() {
            match te.family {
                Family::Github => {
                    let Some(this) = &g.repo else { continue };
                    let named = oidc::named_repos(&te.rule);
                    if named.is_empty()
                        || named.iter().any(|r| r.eq_ignore_ascii_case(this) || r.contains('*') || oidc::has_unknown(r))
                    {
                        continue;
                    }
                    // Only when a workflow here uses the identity and is refused by this trust.
                    let refused: Vec<usize> = node
                        .consumers
                        .iter()
                        .copied()
                        .filter(|&l| {
                            let link = &g.links[l];
                            link.subjects.iter().any(|s| s.value.starts_with("repo:"))
                                && !link.admissions.iter().any(|a| a.0 == ti)
                        })
                        .collect();
                    let Some(&first) = refused.first() else { continue };
                    let msg = format!(
                        "trust of {} names repository `{}`, but {} in `{this}` assumes it",
                        hops::identity_label(node.identity),
                        named.join("`, `"),
                        hops::consumer_label(g, &g.links[first]),
                    );
                    let mut f = hops::finding(cx, rule, &te.trust.loc, msg)
                        .with_fp_key(format!("{}|repo", te.trust.id));
                    for &l in &refused {
                        f = f.with_related(hops::usage_hop(g, &g.links[l], "assumes it"));
                    }
                    for r in hops::identity_hops(node) {
                        f = f.with_related(r);
                    }
                    out.push(f);
                }
                Family::Kubernetes if !sas.is_empty() => {
                    for (ns, sa) in oidc::named_service_accounts(&te.rule) {
                        if ns.contains(['*', '?']) || sa.contains(['*', '?']) || oidc::has_unknown(&ns) || oidc::has_unknown(&sa) {
                            continue;
                        }
                        if sas.iter().any(|(n, s)| *n == ns && *s == sa) {
                            continue;
                        }
                        let msg = format!(
                            "trust of {} admits ServiceAccount `{ns}/{sa}`, which no manifest in this repository defines",
                            hops::identity_label(node.identity),
                        );
                        let mut f = hops::finding(cx, rule, &te.trust.loc, msg)
                            .with_fp_key(format!("{}|{ns}/{sa}", te.trust.id));
                        for r in hops::identity_hops(node) {
                            f = f.with_related(r);
                        }
                        out.push(f);
                    }
                }
                _ => {}
            }
        }
    }
    // A ServiceAccount annotated with an identity whose trust refuses it.
    for l in &g.links {
        let (Some(t), Some(Tri::No)) = (l.target, l.admitted) else { continue };
        if !l.usage.kind.starts_with("k8s-") || l.subjects.is_empty() {
            continue;
        }
        let node = &g.nodes[t];
        let admitted: Vec<String> = node
            .trusts
            .iter()
            .filter(|te| te.family == Family::Kubernetes)
            .flat_map(|te| oidc::named_service_accounts(&te.rule))
            .map(|(ns, sa)| format!("{ns}/{sa}"))
            .collect();
        let only = if admitted.is_empty() {
            String::new()
        } else {
            format!(" (it admits `{}`)", admitted.join("`, `"))
        };
        let msg = format!(
            "{} is annotated with {}, whose trust does not admit it{only}",
            hops::consumer_label(g, l),
            hops::identity_label(node.identity),
        );
        let mut f = hops::finding(cx, rule, &l.usage.loc, msg)
            .with_fp_key(format!("{}|refused", l.usage.id));
        for te in node.trusts.iter().filter(|te| te.family == Family::Kubernetes) {
            f = f.with_related(hops::related(&te.trust.loc, "the trust that does not admit it"));
        }
        for r in hops::identity_hops(node) {
            f = f.with_related(r);
        }
        out.push(f);
    }
}
