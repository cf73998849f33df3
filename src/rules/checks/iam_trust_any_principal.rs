//! A trust or resource policy that admits any principal: `Principal: "*"` (or `AWS: "*"`)
//! with no condition binding the caller to an organisation, account, ARN, source or OIDC
//! subject, or `NotPrincipal` with `Allow`. Deny statements never grant.

use crate::context::ProjectCx;
use crate::finding::{Finding, Severity};
use crate::rules::Rule;
use crate::terraform::iam;
use crate::terraform::policy::Effect;
use crate::terraform::report::{Files, at_value, finding, holder, is_trust, principal_statements, push};

pub fn check_project(cx: &ProjectCx, rule: &Rule, out: &mut Vec<Finding>) {
    let a = crate::terraform::analysis(cx);
    let fs = Files::project(cx);
    for (site, _, s) in principal_statements(&a) {
        if s.effect != Effect::Allow {
            continue;
        }
        let who = holder(&a, site);
        let trust = is_trust(&a, site);
        let sev = if trust { Severity::Critical } else { rule.severity };
        if let Some(np) = &s.not_principals {
            let at = np.first().map(|p| p.v.at.clone()).unwrap_or(s.at.clone());
            push(
                out,
                finding(&fs, rule, &at, format!("{who} allows every principal except those listed (`NotPrincipal` with `Allow`)")).map(|f| f.with_severity(sev)),
            );
        }
        if iam::principal_bound(s) {
            continue;
        }
        for p in &s.principals {
            let star = p.kind == "*" || (p.kind == "AWS" && p.v.str().map(str::trim) == Some("*"));
            if !star {
                continue;
            }
            let f = at_value(&fs, rule, &p.v, Some(0), format!("{who} admits any principal (`*`) and no condition binds the caller to an organisation, account or source"));
            push(out, f.map(|f| f.with_severity(sev)));
        }
    }
}
