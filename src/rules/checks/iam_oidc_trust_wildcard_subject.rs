//! An OIDC-federated role trust whose subject condition uses a wildcard (under `StringLike`
//! or `ForAnyValue:StringLike`) that admits other repositories, projects, namespaces or
//! workspaces. Under `StringEquals` a `*` is literal and is not reported. The finding is at
//! the place the pattern is written (a variable value, a module argument).

use crate::context::ProjectCx;
use crate::finding::Finding;
use crate::rules::Rule;
use crate::terraform::iam;
use crate::terraform::oidc;
use crate::terraform::report::{Files, at_value, holder, push};

pub fn check_project(cx: &ProjectCx, rule: &Rule, out: &mut Vec<Finding>) {
    let a = crate::terraform::analysis(cx);
    let fs = Files::project(cx);
    for t in oidc::trusts(&a) {
        let who = holder(&a, t.site);
        for c in oidc::claim_conds(&t, "sub") {
            let op = iam::parse_op(&c.op);
            if op.negated {
                continue;
            }
            for v in &c.values {
                let Some(s) = v.str() else { continue };
                let Some((sev, what)) = oidc::subject_risk(t.issuer, &op, s) else {
                    continue;
                };
                let i = s.find(['*', '?']);
                let f = at_value(&fs,
                    rule,
                    v,
                    i,
                    format!("{who} trusts {} subject `{s}` ({what})", t.issuer.oidc()),
                );
                push(out, f.map(|f| f.with_severity(sev)));
            }
        }
    }
}
