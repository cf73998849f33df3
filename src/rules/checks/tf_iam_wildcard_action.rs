//! An Allow statement of an identity policy whose Action is `*` (or `service:*`), or that uses
//! `NotAction` (allows everything not listed). Every policy source goes through one IR; a
//! wildcard that arrives through a variable is reported where it is written.

use crate::engine::ProjectCx;
use crate::finding::{Finding, Severity};
use crate::rules::Rule;
use crate::terraform::iam;
use crate::terraform::policy::Effect;
use crate::terraform::report::{at_value, finding, holder, push, statements, unknown_note};

pub fn check_project(cx: &ProjectCx, rule: &Rule, out: &mut Vec<Finding>) {
    let a = crate::terraform::analysis(cx);
    for (site, _, s) in statements(&a) {
        if s.effect != Effect::Allow || s.has_principal() {
            continue;
        }
        let who = holder(&a, site);
        for v in &s.actions {
            let Some(act) = v.str() else { continue };
            if iam::is_all_actions(act) {
                let i = act.find('*');
                let f = at_value(cx, rule, v, i, format!("{who} allows every action (`{act}`)"));
                push(out, f.map(|f| unknown_note(f, v.is_unknown(), "part of the action")));
            } else if iam::is_service_wildcard(act) {
                let svc = act.split(':').next().unwrap_or("");
                let i = act.rfind('*');
                let sev = if matches!(svc, "iam" | "sts" | "organizations" | "kms" | "secretsmanager") {
                    Severity::High
                } else {
                    Severity::Medium
                };
                let f = at_value(cx, rule, v, i, format!("{who} allows every `{svc}` action (`{act}`)"));
                push(out, f.map(|f| unknown_note(f.with_severity(sev.min(rule.severity)), v.is_unknown(), "the service")));
            }
        }
        if let Some(na) = &s.not_actions {
            let listed: Vec<String> = na.iter().map(|v| v.display()).collect();
            let at = na.first().map(|v| v.at.clone()).unwrap_or(s.at.clone());
            push(
                out,
                finding(cx, rule, &at, format!("{who} allows every action except {} (`NotAction` with `Allow`)", listed.join(", "))),
            );
        }
    }
}
