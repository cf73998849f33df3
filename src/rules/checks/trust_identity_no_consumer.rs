//! An identity with permissions whose trust points at this repository (its workflows or its
//! ServiceAccounts), yet nothing in the repository uses it: a leftover that still works.

use crate::context::ProjectCx;
use crate::finding::Finding;
use crate::graph::oidc::{self, Family};
use crate::graph::{Privilege, hops};
use crate::rules::Rule;

pub fn check_project(cx: &ProjectCx, rule: &Rule, out: &mut Vec<Finding>) {
    let g = cx.trust_graph();
    let sas = g.service_accounts();
    for (_, node) in g.cloud_nodes() {
        if node.privilege == Privilege::Unknown || !node.consumers.is_empty() {
            continue;
        }
        // Which trust points here?
        let here = node.trusts.iter().find_map(|te| match te.family {
            Family::Github => {
                let this = g.repo.as_deref()?;
                oidc::named_repos(&te.rule)
                    .iter()
                    .any(|r| r.eq_ignore_ascii_case(this))
                    .then(|| (te, format!("workflows of `{this}`")))
            }
            Family::Kubernetes => oidc::named_service_accounts(&te.rule)
                .into_iter()
                .find(|(ns, sa)| sas.iter().any(|(n, s)| n == ns && s == sa))
                .map(|(ns, sa)| (te, format!("ServiceAccount `{ns}/{sa}`"))),
            _ => None,
        });
        let Some((te, whom)) = here else { continue };
        let msg = format!(
            "{} has {} permissions and trusts {whom}, but nothing in this repository uses it",
            hops::identity_label(node.identity),
            node.privilege.as_str(),
        );
        let mut f = hops::finding(cx, rule, &node.identity.loc, msg)
            .with_fp_key(format!("{}|unused", node.identity.id));
        f = f.with_related(hops::related(&te.trust.loc, format!("trusts {whom} here")));
        for r in hops::identity_hops(node).into_iter().skip(1) {
            f = f.with_related(r);
        }
        out.push(f);
    }
}
