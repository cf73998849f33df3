//! An Allow statement of an identity policy on every resource (`Resource: "*"` or
//! `NotResource`), for actions that support resource-level permissions. Actions that only
//! accept `*` (`sts:GetCallerIdentity`, `ec2:Describe*`, …) are not reported; statements that
//! also allow every action are left to `tf-iam-wildcard-action`.

use crate::engine::ProjectCx;
use crate::finding::Finding;
use crate::rules::Rule;
use crate::terraform::iam;
use crate::terraform::policy::Effect;
use crate::terraform::report::{Files, at_value, finding, holder, push, statements, unknown_note};

pub fn check_project(cx: &ProjectCx, rule: &Rule, out: &mut Vec<Finding>) {
    let a = crate::terraform::analysis(cx);
    let fs = Files::project(cx);
    for (site, _, s) in statements(&a) {
        if s.effect != Effect::Allow || s.has_principal() || s.not_actions.is_some() {
            continue;
        }
        if s.actions.iter().any(|v| v.str().is_some_and(iam::is_all_actions)) {
            continue;
        }
        let scoped: Vec<String> = s
            .actions
            .iter()
            .filter(|v| !v.str().is_some_and(iam::requires_star_resource))
            .map(|v| format!("`{}`", v.display()))
            .collect();
        if scoped.is_empty() {
            continue;
        }
        let shown = if scoped.len() > 4 {
            format!("{} and {} more", scoped[..4].join(", "), scoped.len() - 4)
        } else {
            scoped.join(", ")
        };
        let unknown_actions = s.actions.iter().any(|v| v.is_unknown());
        let who = holder(&a, site);
        for v in &s.resources {
            if v.str().map(str::trim) == Some("*") {
                let f = at_value(&fs, rule, v, Some(0), format!("{who} allows {shown} on every resource (`*`)"));
                push(out, f.map(|f| unknown_note(f, unknown_actions, "part of the action list")));
            }
        }
        if let Some(nr) = &s.not_resources {
            let at = nr.first().map(|v| v.at.clone()).unwrap_or(s.at.clone());
            push(out, finding(&fs, rule, &at, format!("{who} allows {shown} on every resource except those listed (`NotResource`)")));
        }
    }
}
