//! Helpers the `trust-*` project rules share: findings located on a fact, a `related` location
//! for every hop of a path, names for messages, severity moved by the identity's privilege.

use super::{Graph, IdentityNode, Privilege, UsageLink};
use crate::context::ProjectCx;
use crate::facts::{Identity, Loc};
use crate::finding::{Finding, Related, Severity};
use crate::rules::Rule;

/// A finding of `rule` at a fact's location.
pub fn finding(cx: &ProjectCx, rule: &Rule, loc: &Loc, message: String) -> Finding {
    match cx.file(&loc.path) {
        Some(u) if loc.span.end > loc.span.start || loc.span.start > 0 => {
            rule.finding(&u.file, loc.span.clone(), message)
        }
        _ => rule.finding_at(
            &loc.path,
            loc.span.clone(),
            (loc.start_line, loc.start_column),
            (loc.start_line, loc.start_column),
            message,
        ),
    }
}

pub fn related(loc: &Loc, message: impl Into<String>) -> Related {
    Related {
        path: loc.path.clone(),
        start_line: loc.start_line,
        start_column: Some(loc.start_column),
        end_line: None,
        end_column: None,
        message: message.into(),
    }
}

/// `role `deploy``, `service account `ci``, `managed identity `app``.
pub fn identity_label(i: &Identity) -> String {
    let what = match i.kind.as_str() {
        "aws_iam_role" => "role",
        "aws_iam_user" => "IAM user",
        "google_service_account" => "service account",
        "azurerm_user_assigned_identity" => "managed identity",
        "azuread_application" | "azuread_application_registration" => "application",
        "azuread_service_principal" => "service principal",
        "k8s_service_account" => "ServiceAccount",
        k => k,
    };
    format!("{what} `{}`", i.name)
}

/// `job `deploy` of `.github/workflows/deploy.yml``, `ServiceAccount `apps/api``.
pub fn consumer_label(g: &Graph, l: &UsageLink) -> String {
    if let Some(c) = l.consumer.map(|c| &g.facts.identities[c]) {
        if c.provider == "kubernetes" {
            let ns = c
                .attrs
                .get("namespace")
                .and_then(|v| v.as_str())
                .unwrap_or("default");
            return format!("ServiceAccount `{ns}/{}`", c.name);
        }
        let wf = c
            .attrs
            .get("workflow")
            .and_then(|v| v.as_str())
            .unwrap_or(&c.loc.path);
        return format!("job `{}` of `{wf}`", c.name);
    }
    if let Some(k) = l.workload.strip_prefix("k8s:") {
        return format!("ServiceAccount `{k}`");
    }
    match l.usage.consumer.split_once('#') {
        Some((p, a)) => format!("`{}` of `{p}`", a.trim_start_matches("jobs.")),
        None => format!("`{}`", l.usage.consumer),
    }
}

/// Admin grants raise a trust finding one level, read-only grants lower it one level.
pub fn by_privilege(sev: Severity, p: Privilege) -> Severity {
    match p {
        Privilege::Admin => sev.raise(),
        Privilege::Read => sev.lower(),
        _ => sev,
    }
}

/// `; the role holds admin permissions (`*` on `*`)` or empty.
pub fn privilege_note(n: &IdentityNode) -> String {
    match n.privilege {
        Privilege::Admin => format!(
            " and it holds admin permissions ({})",
            super::grant_summary(&n.grants)
        ),
        _ => String::new(),
    }
}

/// Related hops: the identity, then its most privileged grant.
pub fn identity_hops(n: &IdentityNode) -> Vec<Related> {
    let mut v = vec![related(
        &n.identity.loc,
        format!("{} is defined here", identity_label(n.identity)),
    )];
    let strongest = n
        .grants
        .iter()
        .filter(|g| g.effect.eq_ignore_ascii_case("allow"))
        .max_by_key(|g| super::privilege(&[g]));
    if let Some(g) = strongest {
        v.push(related(
            &g.loc,
            format!("grant: {}", super::grant_summary(&[g])),
        ));
    }
    v
}

/// The related hop of a consumer: the step or annotation that uses the identity.
pub fn usage_hop(g: &Graph, l: &UsageLink, what: &str) -> Related {
    related(
        &l.usage.loc,
        format!("{} {what} here", consumer_label(g, l)),
    )
}
