//! A workflow triggered by an event that runs code from outside the reviewed branches
//! (`pull_request_target`, `workflow_run`, `issue_comment`, `pull_request`) can assume an identity,
//! because the identity's trust admits the subject that event's token carries.

use crate::context::ProjectCx;
use crate::finding::{Finding, Severity};
use crate::graph::oidc::{Family, Tri};
use crate::graph::{eval_subject, hops};
use crate::rules::Rule;

pub fn check_project(cx: &ProjectCx, rule: &Rule, out: &mut Vec<Finding>) {
    let g = cx.trust_graph();
    for l in &g.links {
        let Some(t) = l.target else { continue };
        let node = &g.nodes[t];
        let mut seen: Vec<(usize, String)> = Vec::new();
        for (ti, te) in node.trusts.iter().enumerate() {
            if !matches!(te.family, Family::Github | Family::Unknown) {
                continue;
            }
            for s in &l.subjects {
                let Some(ev) = &s.untrusted else { continue };
                let a = eval_subject(&te.rule, s);
                if a == Tri::No || seen.contains(&(ti, ev.clone())) {
                    continue;
                }
                seen.push((ti, ev.clone()));
                // Code from a pull request itself is reviewed by nobody yet but runs without the
                // base repository's secrets for forks; the privileged events are worse.
                let mut sev = if ev == "pull_request" {
                    Severity::Medium
                } else {
                    Severity::High
                };
                // A protected environment can hold the job for a reviewer.
                if s.value.contains(":environment:") {
                    sev = sev.lower();
                }
                let sev = hops::by_privilege(sev, node.privilege);
                let msg = format!(
                    "{} runs on `{ev}` and can assume {}: its trust admits the subject `{}`{}",
                    hops::consumer_label(g, l),
                    hops::identity_label(node.identity),
                    crate::graph::subjects::display(&s.value),
                    hops::privilege_note(node),
                );
                let mut f = hops::finding(cx, rule, &te.trust.loc, msg)
                    .with_severity(sev)
                    .with_fp_key(format!("{}|{}|{ev}", te.trust.id, l.usage.id));
                if a == Tri::Maybe {
                    f = f.with_confidence(crate::finding::Confidence::Medium);
                }
                f = f.with_related(hops::usage_hop(g, l, &format!("assumes it on `{ev}` ({})", s.via)));
                for r in hops::identity_hops(node) {
                    f = f.with_related(r);
                }
                out.push(f);
            }
        }
    }
}
