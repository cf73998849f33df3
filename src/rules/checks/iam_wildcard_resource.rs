//! An Allow statement of an identity policy on every resource (`Resource: "*"` or
//! `NotResource`), for actions that reach resources one by one. From the AWS action table:
//! actions that only accept `*` (`sts:GetCallerIdentity`, `ecr:GetAuthorizationToken`, …) and
//! list-level actions do not count; actions an unconditional Deny takes away (of the same
//! policy, or of another policy of every role, user or group the policy is attached to), and
//! actions a resource condition narrows (`aws:ResourceTag/…`, a service key), do not count
//! either. Statements that also allow every action are left to `iam-wildcard-action`.
//! `sns:Publish` of a role Cognito assumes is Cognito's documented SMS role (an SMS to a phone
//! number has no resource ARN) and does not count.
//! One finding per statement as written, listing its actions (a statement merged into several
//! documents through `source_policy_documents`, or evaluated per module instance, is one).
//! Statements that only read metadata (every counted action read-level, none reading secret
//! values or stored data: see `iam::aws::reads_metadata_only`) are left to the opt-in card
//! `iam-wildcard-resource-read`, which shares this check and reports only those.

use crate::context::ProjectCx;
use crate::finding::Finding;
use crate::iam::aws::{Statement, reads_metadata_only, scoped_on_every_resource};
use crate::rules::Rule;
use crate::terraform::iam;
use crate::terraform::policy::Effect;
use crate::terraform::report::{Files, at_value, finding, holder, push, unknown_note};
use std::collections::HashMap;

/// One statement as written: where it is reported and what it allows (merged over every
/// document and module instance it is evaluated in).
struct Hit<'a> {
    who: String,
    star: Option<&'a crate::terraform::eval::Val>,
    at: crate::terraform::eval::At,
    actions: Vec<String>,
    unknown: bool,
}

pub fn check_project(cx: &ProjectCx, rule: &Rule, out: &mut Vec<Finding>) {
    let a = crate::terraform::analysis(cx);
    let fs = Files::project(cx);
    let mut hits: Vec<Hit> = Vec::new();
    let mut index: HashMap<(usize, usize, usize), usize> = HashMap::new();
    let sp = crate::terraform::report::site_policies(cx);
    let (all, holders) = (&sp.neutral, &sp.holders);
    let cognito = cognito_roles(&a);
    for (si, site) in a.sites.iter().enumerate() {
        if site.via_doc.is_some() {
            continue;
        }
        let neutral = &all[si];
        // Denies of the policy itself, and of every policy of each identity it is attached to
        // (an action counts unless every holder denies it).
        let own_denies: Vec<&Statement> = neutral.iter().filter(|s| !s.allow).collect();
        let holder_denies: Vec<Vec<&Statement>> = holders
            .of(si)
            .iter()
            .map(|&h| {
                let mut d = own_denies.clone();
                d.extend(holders.sites(h).iter().flat_map(|&hs| all[hs].iter().filter(|s| !s.allow)));
                d
            })
            .collect();
        let sms_role = sends_cognito_sms(&cognito, holders.of(si));
        for (s, n) in site.policy.stmts.iter().zip(neutral) {
            if s.effect != Effect::Allow || s.has_principal() || s.not_actions.is_some() {
                continue;
            }
            if s.actions.iter().any(|v| v.str().is_some_and(iam::is_all_actions)) {
                continue;
            }
            let scoped: Vec<String> = if holder_denies.is_empty() {
                scoped_on_every_resource(n, &own_denies)
            } else {
                let mut union: Vec<String> = Vec::new();
                for d in &holder_denies {
                    for p in scoped_on_every_resource(n, d) {
                        if !union.contains(&p) {
                            union.push(p);
                        }
                    }
                }
                union
            };
            let mut scoped = scoped;
            if sms_role {
                scoped.retain(|p| !p.eq_ignore_ascii_case("sns:Publish"));
            }
            if scoped.is_empty() {
                continue;
            }
            let star = s.resources.iter().find(|v| v.str().map(str::trim) == Some("*"));
            let at = match (star, &s.not_resources) {
                (Some(v), _) => v.origin_of(0).0,
                (None, Some(nr)) => nr.first().map(|v| v.at.clone()).unwrap_or(s.at.clone()),
                (None, None) => continue,
            };
            let unknown = s.actions.iter().any(|v| v.is_unknown() && scoped.contains(&v.display()));
            let key = (at.file, at.span.start, at.span.end);
            let i = *index.entry(key).or_insert_with(|| {
                hits.push(Hit { who: holder(&a, site), star, at, actions: Vec::new(), unknown: false });
                hits.len() - 1
            });
            let h = &mut hits[i];
            h.unknown |= unknown;
            for p in scoped {
                if !h.actions.contains(&p) {
                    h.actions.push(p);
                }
            }
        }
    }
    let metadata_card = rule.id().ends_with("-read");
    for h in hits {
        if reads_metadata_only(&h.actions) != metadata_card {
            continue;
        }
        let listed: Vec<String> = h.actions.iter().map(|p| format!("`{p}`")).collect();
        let shown = if listed.len() > 4 {
            format!("{} and {} more", listed[..4].join(", "), listed.len() - 4)
        } else {
            listed.join(", ")
        };
        let who = h.who;
        let f = match h.star {
            Some(v) => at_value(&fs, rule, v, Some(0), format!("{who} allows {shown} on every resource (`*`)")),
            None => finding(&fs, rule, &h.at, format!("{who} allows {shown} on every resource except those listed (`NotResource`)")),
        };
        push(out, f.map(|f| unknown_note(f, h.unknown, "part of the action list")));
    }
}

/// Is every holder a role Cognito assumes (`cognito-idp.amazonaws.com`) to send SMS? Cognito
/// user pools' documented SMS role needs `sns:Publish` on `*`: an SMS to a phone number has no
/// resource ARN.
fn sends_cognito_sms(cognito: &std::collections::HashSet<usize>, holders: &[usize]) -> bool {
    !holders.is_empty() && holders.iter().all(|h| cognito.contains(h))
}

/// The identities (indexes into `res`) whose trust policy lets Cognito (`cognito-idp`) assume
/// them, found once (not once per policy statement: thousands of sites in a large repository).
fn cognito_roles(a: &crate::terraform::Analysis) -> std::collections::HashSet<usize> {
    a.sites
        .iter()
        .filter(|t| {
            t.kind == crate::terraform::analysis::SiteKind::Trust
                && t.policy.stmts.iter().any(|st| {
                    st.effect == Effect::Allow
                        && st.principals.iter().any(|p| {
                            p.kind.eq_ignore_ascii_case("Service")
                                && p.v.str() == Some("cognito-idp.amazonaws.com")
                        })
                })
        })
        .map(|t| t.res)
        .collect()
}
