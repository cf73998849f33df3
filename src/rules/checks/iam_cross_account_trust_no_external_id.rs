//! A role trust policy admitting an AWS account that is not one of the organisation's own
//! (`[org] aws-accounts`) without an `sts:ExternalId` or organisation condition: the
//! confused-deputy setup for third-party integrations.

use crate::context::ProjectCx;
use crate::finding::{Confidence, Finding};
use crate::rules::Rule;
use crate::terraform::iam;
use crate::terraform::policy::{Effect, Stmt};
use crate::terraform::report::{Files, at_value, holder, is_trust, principal_statements, push};

fn guarded(s: &Stmt) -> bool {
    s.conditions.iter().any(|c| {
        let k = c.key.to_ascii_lowercase();
        matches!(k.as_str(), "sts:externalid" | "aws:principalorgid" | "aws:principalorgpaths" | "aws:sourceorgid" | "aws:sourceorgpaths" | "aws:principalarn" | "?")
            && iam::restricts(c)
    })
}

fn assumes(s: &Stmt) -> bool {
    s.actions.is_empty()
        || s.actions.iter().any(|v| {
            v.str().is_some_and(|a| {
                let a = a.to_ascii_lowercase();
                a == "*" || a.starts_with("sts:") && (a.contains('*') || a.starts_with("sts:assumerole"))
            })
        })
}

pub fn check_project(cx: &ProjectCx, rule: &Rule, out: &mut Vec<Finding>) {
    let a = crate::terraform::analysis(cx);
    let fs = Files::project(cx);
    let own = &cx.config.org.aws_accounts;
    for (site, _, s) in principal_statements(&a) {
        if s.effect != Effect::Allow || !is_trust(&a, site) || !assumes(s) || guarded(s) {
            continue;
        }
        for p in s.principals.iter().filter(|p| p.kind == "AWS") {
            let Some(text) = p.v.known_str() else { continue };
            let Some(acct) = iam::account_of(text) else { continue };
            if acct == "*" || acct.contains('*') || own.iter().any(|o| o == acct) {
                continue;
            }
            let who = holder(&a, site);
            let mut f = match at_value(&fs,
                rule,
                &p.v,
                None,
                format!("{who} admits AWS account `{acct}` without an `sts:ExternalId` or organisation condition"),
            ) {
                Some(f) => f,
                None => continue,
            };
            if own.is_empty() {
                f = f.with_confidence(Confidence::Low);
                f.message.push_str(" (no `[org] aws-accounts` configured: it may be one of your own)");
            }
            push(out, Some(f));
        }
    }
}
