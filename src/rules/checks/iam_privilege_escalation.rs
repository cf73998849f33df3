//! Grants that let an identity widen its own rights or mint credentials for others, named as
//! such. The classification is format-neutral ([`crate::iam::escalation`]); this file feeds it
//! the Terraform model: AWS identity-policy statements (with every policy of the role, user or
//! group they are attached to, for companions such as `iam:PassRole` + `ec2:RunInstances` and
//! for Deny statements), GCP project/folder/organization bindings and custom roles, Azure role
//! assignments and custom role definitions, and Microsoft Graph permissions. One finding per
//! statement or binding as written; raised when the holder is used from CI or a workload, or
//! trusted by anyone.

use crate::context::ProjectCx;
use crate::finding::{Confidence, Finding};
use crate::iam::aws::Statement;
use crate::iam::escalation::{self as esc, Effect, Holder, Reach};
use crate::rules::Rule;
use crate::terraform::analysis::{Analysis, Res, SiteKind};
use crate::terraform::eval::{At, Val};
use crate::terraform::policy::Effect as PEffect;
use crate::terraform::report::{Files, at_value, finding, Holders, SitePolicies, holder, is_trust, name_of, push, ref_name};
use std::collections::{HashMap, HashSet};

pub fn check_project(cx: &ProjectCx, rule: &Rule, out: &mut Vec<Finding>) {
    let a = crate::terraform::analysis(cx);
    let fs = Files::project(cx);
    let reach = reachable(cx);
    let mut found = Vec::new();
    aws(&a, crate::terraform::report::site_policies(cx), &fs, rule, &reach, &mut found);
    gcp(&a, &fs, rule, &reach, &mut found);
    azure(&a, &fs, rule, &reach, &mut found);
    for f in found {
        push(out, Some(f));
    }
}

/// Terraform addresses of identities used from CI or a workload, or trusted by anyone, with
/// the reason.
fn reachable(cx: &ProjectCx) -> HashMap<String, String> {
    use crate::graph::oidc::Family;
    let g = cx.trust_graph();
    let mut out = HashMap::new();
    for n in &g.nodes {
        let Some(addr) = n.identity.attrs.get("tf_address").and_then(|v| v.as_str()) else {
            continue;
        };
        let why = if let Some(&l) = n.consumers.first() {
            Some(format!("used by {}", crate::graph::hops::consumer_label(g, &g.links[l])))
        } else if let Some(te) = n.trusts.iter().find(|te| te.trust.principal_kind == "any") {
            let _ = te;
            Some("trusted by any principal".to_string())
        } else {
            n.trusts
                .iter()
                .find(|te| matches!(te.family, Family::Github | Family::Gitlab | Family::Kubernetes | Family::Unknown))
                .map(|te| format!("trusted by {} workloads", te.family.as_str()))
        };
        if let Some(w) = why {
            out.entry(addr.to_string()).or_insert(w);
        }
    }
    out
}

/// The action value of a statement that grants `full` (where the finding points).
fn action_val<'v>(vals: &'v [Val], full: &str) -> Option<&'v Val> {
    vals.iter().find(|v| {
        let p = v.display();
        let p = p.trim();
        p == "*" || crate::iam::matching::glob_ci(p, full)
    })
}

fn list(actions: &[String]) -> String {
    let shown: Vec<String> = actions.iter().take(3).map(|a| format!("`{a}`")).collect();
    if actions.len() > 3 {
        format!("{} and {} more", shown.join(", "), actions.len() - 3)
    } else {
        shown.join(", ")
    }
}

fn describe(hits: &[esc::Hit]) -> String {
    let mut parts = Vec::new();
    for effect in [Effect::Escalate, Effect::Mint] {
        let of: Vec<&esc::Hit> = hits.iter().filter(|h| h.effect() == effect).collect();
        let Some(first) = of.first() else { continue };
        let verb = match effect {
            Effect::Escalate => "can escalate to",
            Effect::Mint => "can mint credentials for",
        };
        let mut acts: Vec<String> = Vec::new();
        for h in &of {
            for x in &h.actions {
                if !acts.contains(x) {
                    acts.push(x.clone());
                }
            }
        }
        let on = match &first.reach {
            Reach::Every(r) if r == "NotResource" => " on every resource but those listed".to_string(),
            Reach::Every(r) => format!(" on `{r}`"),
            Reach::Own(r) => format!(" on its own `{r}`"),
            Reach::Pattern(r) => format!(" on every name matching `{r}`"),
        };
        let mut with = first.with.as_ref().map(|w| format!(" with `{w}`")).unwrap_or_default();
        if let Some(t) = &first.via_tags {
            with.push_str(&format!(", a tag condition it can meet with `{t}`"));
        }
        let more = if of.len() > 1 { format!("; {} more paths", of.len() - 1) } else { String::new() };
        parts.push(format!("{verb} {} ({}{on}{with}{more})", first.gives(), list(&acts)));
    }
    parts.join(" and ")
}

/// Why an identity (index of its `aws_iam_role`/`aws_iam_user` resource) is administrator or one
/// call from it, if it is: every action on every resource, `AdministratorAccess`, or an
/// escalation path of its own.
fn admin_power(a: &Analysis, neutral: &[Vec<Statement>], holders: &Holders, h: usize) -> Option<String> {
    let r = &a.res[h];
    let me = format!("{}.", r.address);
    let admin_arn = |v: &Val| {
        let t = v.display();
        t.ends_with(":policy/AdministratorAccess") || t.ends_with(":policy/IAMFullAccess")
    };
    if r.body.get("managed_policy_arns").is_some_and(|l| l.items().iter().any(|v| admin_arn(v))) {
        return Some("`AdministratorAccess`".into());
    }
    for (_, x) in a.res_of(r.inst).filter(|(_, x)| x.block == "resource" && x.rtype.ends_with("_policy_attachment")) {
        let names_me = ["role", "user", "roles", "users"].iter().any(|k| x.body.get(k).is_some_and(|v| v.display().contains(&me) || v.known_str().is_some_and(|n| name_of(r).as_deref() == Some(n))));
        if names_me && x.body.get("policy_arn").is_some_and(admin_arn) {
            return Some("`AdministratorAccess`".into());
        }
    }
    let stmts: Vec<&Statement> = holders.sites(h).iter().flat_map(|&s| neutral[s].iter()).collect();
    let denies: Vec<&Statement> = stmts.iter().copied().filter(|s| !s.allow).collect();
    if stmts.iter().any(|s| {
        s.allow && s.conditions.is_empty() && s.every_resource() && s.not_actions.is_none() && s.actions.iter().any(|x| crate::terraform::iam::is_all_actions(x))
    }) && !crate::iam::aws::denied("iam:AttachRolePolicy", &denies)
    {
        return Some("it allows every action".into());
    }
    let mut own = vec![r.address.clone()];
    own.extend(name_of(r));
    let ctx = Holder { own, statements: stmts.clone() };
    stmts.iter().find_map(|s| esc::aws_statement(s, &ctx).first().map(|h| format!("it can escalate to {}", h.gives())))
}

/// A role whose trust policy admits another identity of the repository: that identity can
/// escalate to the role when the role is administrator (or one call from it) and it is not.
fn trust_chains(a: &Analysis, fs: &Files, rule: &Rule, neutral: &[Vec<Statement>], holders: &Holders, out: &mut Vec<Finding>) {
    let mut seen = HashSet::new();
    let mut power: HashMap<usize, Option<String>> = HashMap::new();
    for site in a.sites.iter().filter(|s| s.kind == SiteKind::Trust) {
        let role = site.res;
        for stmt in site.policy.stmts.iter().filter(|s| s.effect == PEffect::Allow) {
            for p in stmt.principals.iter().filter(|p| p.kind == "AWS") {
                let text = p.v.display();
                let Some((from, _)) = a.res_of(a.res[role].inst).find(|(_, x)| {
                    x.block == "resource" && matches!(x.rtype.as_str(), "aws_iam_role" | "aws_iam_user") && text.contains(&format!("{}.", x.address))
                }) else {
                    continue;
                };
                if from == role {
                    continue;
                }
                let why = power.entry(role).or_insert_with(|| admin_power(a, neutral, holders, role)).clone();
                let Some(why) = why else { continue };
                if power.entry(from).or_insert_with(|| admin_power(a, neutral, holders, from)).is_some() {
                    continue;
                }
                let at = p.v.origin_of(0).0;
                if !seen.insert((at.file, at.span.start, at.span.end)) {
                    continue;
                }
                let msg = format!("`{}` can escalate to administrator through `{}`, whose trust policy admits it ({why})", a.res[from].address, a.res[role].address);
                out.extend(at_value(fs, rule, &p.v, None, msg));
            }
        }
    }
}

fn aws(a: &Analysis, sp: &SitePolicies, fs: &Files, rule: &Rule, reach: &HashMap<String, String>, out: &mut Vec<Finding>) {
    let (neutral, holders) = (&sp.neutral, &sp.holders);
    trust_chains(a, fs, rule, neutral, holders, out);
    let mut seen: HashSet<(usize, usize, usize)> = HashSet::new();
    for (si, site) in a.sites.iter().enumerate() {
        if site.via_doc.is_some() || !matches!(site.kind, SiteKind::Identity | SiteKind::Document) || is_trust(a, site) {
            continue;
        }
        let own_stmts: Vec<&Statement> = neutral[si].iter().collect();
        // One holder context per identity the policy reaches (none: the policy on its own).
        let mut contexts: Vec<(Option<usize>, Holder)> = Vec::new();
        for &h in holders.of(si) {
            let hr = &a.res[h];
            let mut own = vec![hr.address.clone()];
            own.extend(name_of(hr));
            let mut stmts: Vec<&Statement> = own_stmts.clone();
            for &hs in holders.sites(h) {
                let pr = &a.res[a.sites[hs].res];
                if pr.rtype == "aws_iam_policy" {
                    own.push(pr.address.clone());
                    own.extend(name_of(pr));
                }
                stmts.extend(neutral[hs].iter());
            }
            contexts.push((Some(h), Holder { own, statements: stmts }));
        }
        if contexts.is_empty() {
            let r = &a.res[site.res];
            let mut own = vec![r.address.clone()];
            own.extend(name_of(r));
            contexts.push((None, Holder { own, statements: own_stmts.clone() }));
        }
        for (stmt, n) in site.policy.stmts.iter().zip(&neutral[si]) {
            if stmt.effect != PEffect::Allow || stmt.has_principal() {
                continue;
            }
            // Every action of every service is `iam-wildcard-action`'s finding already.
            if stmt.actions.iter().any(|v| v.str().is_some_and(crate::terraform::iam::is_all_actions)) {
                continue;
            }
            let mut best: Option<(Option<usize>, Vec<esc::Hit>)> = None;
            for (h, ctx) in &contexts {
                let hits = esc::aws_statement(n, ctx);
                if hits.is_empty() {
                    continue;
                }
                let reached = h.is_some_and(|h| reach.contains_key(&a.res[h].address));
                if best.is_none() || reached {
                    best = Some((*h, hits));
                    if reached {
                        break;
                    }
                }
            }
            let Some((h, hits)) = best else { continue };
            let first = &hits[0];
            let key_action = &first.actions[0];
            let v = if stmt.not_actions.is_some() { None } else { action_val(&stmt.actions, key_action) };
            let at: At = match v {
                Some(v) => v.origin_of(0).0,
                None => stmt.not_actions.as_ref().and_then(|l| l.first()).map(|v| v.at.clone()).unwrap_or(stmt.at.clone()),
            };
            if !seen.insert((at.file, at.span.start, at.span.end)) {
                continue;
            }
            let who = match h {
                Some(h) if a.res[site.res].address == a.res[h].address => format!("`{}`", a.res[h].address),
                Some(h) => format!("`{}` (through {})", a.res[h].address, holder(a, site)),
                None => holder(a, site),
            };
            let mut msg = format!("{who} {}", describe(&hits));
            let why = h.and_then(|h| reach.get(&a.res[h].address));
            if let Some(w) = why {
                msg.push_str(&format!("; the identity is {w}"));
            }
            let f = match v {
                Some(v) => at_value(fs, rule, v, Some(0), msg),
                None => finding(fs, rule, &at, msg),
            };
            let unknown = stmt.actions.iter().chain(stmt.resources.iter()).any(|v| v.is_unknown());
            out.extend(f.map(|f| {
                let f = if why.is_some() { f.with_severity(rule.severity.raise()) } else { f };
                let pattern = matches!(first.reach, Reach::Pattern(_));
                if pattern || unknown && !matches!(first.reach, Reach::Own(_)) { f.with_confidence(Confidence::Medium) } else { f }
            }));
        }
    }
}

/// `None` = a person (`user:`, `group:`, `domain:`); `Some(known)` otherwise.
fn gcp_member_is_workload(m: &str) -> Option<bool> {
    let s = m.trim();
    if s.starts_with("user:") || s.starts_with("group:") || s.starts_with("domain:") || s.starts_with("deleted:") {
        return None;
    }
    Some(s.starts_with("serviceAccount:") || s.starts_with("principal") || s.starts_with("allUsers") || s.starts_with("allAuthenticatedUsers"))
}

fn gcp_scope(r: &Res) -> Option<String> {
    let t = r.rtype.as_str();
    let (kind, attr) = if t.starts_with("google_project_iam_") {
        ("project", "project")
    } else if t.starts_with("google_folder_iam_") {
        ("folder", "folder")
    } else if t.starts_with("google_organization_iam_") {
        ("organization", "org_id")
    } else {
        return None;
    };
    let v = r.body.get(attr).map(|v| v.display()).unwrap_or_else(|| "of the provider".into());
    Some(if v == "of the provider" { format!("the {kind} of the provider") } else { format!("{kind} `{v}`") })
}

/// Raise a finding whose holder (named in `who`, a member or principal reference) is used from
/// CI or a workload, or trusted by anyone.
fn raised(f: Finding, who: &str, reach: &HashMap<String, String>, rule: &Rule) -> Finding {
    let mut hits: Vec<(&String, &String)> = reach.iter().filter(|(k, _)| who.contains(&format!("{k}."))).collect();
    hits.sort();
    match hits.first() {
        Some((_, w)) => {
            let mut f = f.with_severity(rule.severity.raise());
            f.message.push_str(&format!("; the identity is {w}"));
            f
        }
        None => f,
    }
}

/// One GCP binding of `role` to `members` on `scope`.
#[allow(clippy::too_many_arguments)]
fn gcp_binding(fs: &Files, rule: &Rule, reach: &HashMap<String, String>, from: &str, scope: &str, role: &Val, members: &[&Val], out: &mut Vec<Finding>) {
    let Some(g) = role.known_str().and_then(esc::gcp_role) else { return };
    let shown: Vec<(String, bool)> = members.iter().filter_map(|m| gcp_member_is_workload(&m.display()).map(|k| (m.display(), k))).collect();
    if shown.is_empty() {
        return;
    }
    let names: Vec<String> = shown.iter().map(|(m, _)| format!("`{m}`")).collect();
    let verb = if g.effect == Effect::Mint { "can mint credentials for" } else { "can escalate to" };
    let gives = g.gives.replace("{scope}", scope);
    let msg = format!("{} {verb} {gives} (`{}` from `{from}`)", names.join(", "), g.role);
    let f = at_value(fs, rule, role, None, msg);
    let known = shown.iter().any(|(_, k)| *k);
    let who = shown.iter().map(|(m, _)| m.as_str()).collect::<Vec<_>>().join(" ");
    out.extend(f.map(|f| raised(if known { f } else { f.with_confidence(Confidence::Medium) }, &who, reach, rule)));
}

fn gcp(a: &Analysis, fs: &Files, rule: &Rule, reach: &HashMap<String, String>, out: &mut Vec<Finding>) {
    // Authoritative policies (`google_project_iam_policy` with a `data "google_iam_policy"`).
    for r in a.res.iter().filter(|r| r.block == "data" && r.rtype == "google_iam_policy") {
        let me = format!("{}.", r.address);
        let Some(scope) = a.res.iter().filter(|u| u.inst == r.inst && u.block == "resource" && u.rtype.ends_with("_iam_policy")).find(|u| u.body.get("policy_data").is_some_and(|p| p.display().contains(&me))).and_then(gcp_scope) else {
            continue;
        };
        for b in r.body.get_all("binding") {
            let Some(role) = b.get("role") else { continue };
            let members: Vec<&Val> = b.get("members").map(|m| m.items()).unwrap_or_default();
            gcp_binding(fs, rule, reach, &r.address, &scope, role, &members, out);
        }
    }
    for r in a.res.iter().filter(|r| r.block == "resource") {
        let t = r.rtype.as_str();
        if t.ends_with("_iam_member") || t.ends_with("_iam_binding") {
            let Some(scope) = gcp_scope(r) else { continue };
            let Some(role) = r.body.get("role") else { continue };
            let members: Vec<&Val> = match r.body.get("member") {
                Some(m) => vec![m],
                None => r.body.get("members").map(|m| m.items()).unwrap_or_default(),
            };
            gcp_binding(fs, rule, reach, &r.address, &scope, role, &members, out);
        } else if t == "google_project_iam_custom_role" || t == "google_organization_iam_custom_role" {
            let Some(perms) = r.body.get("permissions") else { continue };
            let hits: Vec<(&Val, Effect, &str)> = perms.items().into_iter().filter_map(|p| p.known_str().and_then(esc::gcp_permission).map(|(e, g)| (p, e, g))).collect();
            let Some(&(first, effect, gives)) = hits.first() else { continue };
            let verb = if effect == Effect::Mint { "can mint credentials for" } else { "can escalate to" };
            let listed: Vec<String> = hits.iter().map(|(p, _, _)| p.display()).collect();
            let name = r.body.get("role_id").and_then(|v| v.known_str()).map(str::to_string).unwrap_or_else(|| r.address.clone());
            let msg = format!("holders of custom role `{name}` {verb} {gives} ({})", list(&listed));
            out.extend(at_value(fs, rule, first, None, msg));
        }
    }
}

/// Scope of an Azure role assignment in words.
fn az_scope(v: &Val) -> String {
    let s = v.display();
    let l = s.to_ascii_lowercase();
    let t = l.trim_end_matches('/');
    if l.contains("managementgroups/") || l.contains("azurerm_management_group") {
        "management group scope".into()
    } else if (l.contains("azurerm_subscription") && !l.contains("resource_group")) || t.strip_prefix("/subscriptions/").is_some_and(|r| !r.contains('/')) {
        "subscription scope".into()
    } else if t == "/" {
        "tenant root scope".into()
    } else {
        format!("`{s}`")
    }
}

fn azure(a: &Analysis, fs: &Files, rule: &Rule, reach: &HashMap<String, String>, out: &mut Vec<Finding>) {
    for r in a.res.iter().filter(|r| r.block == "resource") {
        match r.rtype.as_str() {
            "azurerm_role_assignment" => {
                if r.body.get("principal_type").and_then(|p| p.known_str()).is_some_and(|p| p == "User" || p == "Group") {
                    continue;
                }
                let role = r.body.get("role_definition_name");
                let named = role.and_then(|v| v.known_str()).and_then(|n| esc::AZURE_ROLES.iter().find(|x| x.eq_ignore_ascii_case(n)));
                let custom = r.body.get("role_definition_id").and_then(|v| {
                    let t = ref_name(v);
                    a.resolve_ref(r.inst, &t).filter(|d| d.rtype == "azurerm_role_definition" && azure_definition_hit(d).is_some()).map(|d| (v, d))
                });
                let scope = r.body.get("scope").map(az_scope).unwrap_or_else(|| "its scope".into());
                let principal = r.body.get("principal_id").map(ref_name).unwrap_or_default();
                let (v, what) = match (named, role, custom) {
                    (Some(n), Some(v), _) => (v, format!("`{n}`")),
                    (_, _, Some((v, d))) => (v, format!("custom role `{}`", d.address)),
                    _ => continue,
                };
                let msg = format!("`{principal}` can escalate to any role at {scope} ({what} writes role assignments, from `{}`)", r.address);
                out.extend(at_value(fs, rule, v, None, msg).map(|f| raised(f, &principal, reach, rule)));
            }
            "azurerm_role_definition" => {
                if let Some(v) = azure_definition_hit(r) {
                    let name = r.body.get("name").map(|v| v.display()).unwrap_or_else(|| r.address.clone());
                    let msg = format!("holders of custom role `{name}` can escalate to any role at its scope (`{}` writes role assignments)", v.display());
                    out.extend(at_value(fs, rule, v, None, msg));
                }
            }
            "azuread_app_role_assignment" => {
                let Some(v) = r.body.get("app_role_id") else { continue };
                let text = v.display();
                let Some((name, _, effect, gives)) = esc::ENTRA.iter().find(|(n, id, _, _)| text.contains(n) || text.eq_ignore_ascii_case(id)) else { continue };
                let principal = r.body.get("principal_object_id").map(ref_name).unwrap_or_default();
                let verb = if *effect == Effect::Mint { "can mint credentials for" } else { "can escalate to" };
                let msg = format!("`{principal}` {verb} {gives} (Microsoft Graph `{name}` from `{}`)", r.address);
                out.extend(at_value(fs, rule, v, None, msg).map(|f| raised(f, &principal, reach, rule)));
            }
            "azuread_application" | "azuread_application_api_access" => {
                let mut accesses: Vec<&Val> = Vec::new();
                for rra in r.body.get_all("required_resource_access") {
                    accesses.extend(rra.get_all("resource_access"));
                }
                if r.rtype == "azuread_application_api_access" {
                    accesses.extend(r.body.get("role_ids").map(|l| l.items()).unwrap_or_default());
                }
                for acc in accesses {
                    let (idv, is_role) = match acc.get("id") {
                        Some(id) => (id, acc.get("type").and_then(|t| t.known_str()).is_none_or(|t| t == "Role")),
                        None => (acc, true),
                    };
                    if !is_role {
                        continue;
                    }
                    let text = idv.display();
                    let Some((name, _, effect, gives)) = esc::ENTRA.iter().find(|(n, id, _, _)| text.contains(n) || text.eq_ignore_ascii_case(id)) else { continue };
                    let verb = if *effect == Effect::Mint { "can mint credentials for" } else { "can escalate to" };
                    let msg = format!("application `{}` requests Microsoft Graph `{name}`: once consented it {verb} {gives}", r.address);
                    out.extend(at_value(fs, rule, idv, None, msg));
                }
            }
            "azuread_directory_role_assignment" => {
                let Some(v) = r.body.get("role_id") else { continue };
                let t = ref_name(v);
                let name = a.resolve_ref(r.inst, &t).and_then(|d| d.body.get("display_name").and_then(|n| n.known_str()).map(str::to_string));
                let Some(name) = name else { continue };
                let Some((n, effect, gives)) = esc::ENTRA_ROLES.iter().find(|(n, _, _)| n.eq_ignore_ascii_case(&name)) else { continue };
                let principal = r.body.get("principal_object_id").map(ref_name).unwrap_or_default();
                let verb = if *effect == Effect::Mint { "can mint credentials for" } else { "can escalate to" };
                let msg = format!("`{principal}` {verb} {gives} (directory role `{n}` from `{}`)", r.address);
                out.extend(at_value(fs, rule, v, None, msg).map(|f| raised(f, &principal, reach, rule)));
            }
            _ => {}
        }
    }
}

/// The action value of a custom role definition that writes role assignments (and is not
/// taken back by `not_actions`).
fn azure_definition_hit(r: &Res) -> Option<&Val> {
    for p in r.body.get_all("permissions") {
        let not: Vec<String> = p.get("not_actions").map(|l| l.items().iter().map(|v| v.display()).collect()).unwrap_or_default();
        let excluded = |target: &str| not.iter().any(|n| crate::iam::matching::glob_ci(n, target));
        for v in p.get("actions").map(|l| l.items()).unwrap_or_default() {
            let Some(s) = v.known_str() else { continue };
            if esc::azure_action(s) && !(excluded("Microsoft.Authorization/roleAssignments/write") && excluded("Microsoft.Authorization/roleDefinitions/write")) {
                return Some(v);
            }
        }
    }
    None
}
