//! Fact extraction for Terraform files (HCL, `.tf.json`, plan JSON): identities, grants,
//! trusts, credentials and owners, from the same evaluated model the `tf-*` rules read.
//! Per-file extraction evaluates the file on its own: values from sibling files stay unknown
//! (written as `${var.x}`).

use super::{Attrs, Condition, Credential, Facts, Grant, Identity, Loc, Trust};
use crate::config::Config;
use crate::lang::Parsed;
use crate::source::SourceFile;
use crate::terraform::analysis::{Analysis, Res, SiteKind};
use crate::terraform::eval::{At, K, Val};
use crate::terraform::iam;
use crate::terraform::oidc::{oidc_issuer, strip_scheme};
use crate::terraform::policy::{Effect, Stmt};
use serde_json::json;

/// Identity resource types and their provider.
pub const IDENTITY_TYPES: &[(&str, &str)] = &[
    ("aws_iam_role", "aws"),
    ("aws_iam_user", "aws"),
    ("google_service_account", "gcp"),
    ("azuread_application", "azure"),
    ("azuread_application_registration", "azure"),
    ("azuread_service_principal", "azure"),
    ("azurerm_user_assigned_identity", "azure"),
];

pub fn extract(file: &SourceFile, parsed: &Parsed, config: &Config) -> Facts {
    if matches!(parsed, Parsed::None) || file.kind == crate::source::FileKind::TfVars {
        return Facts::default();
    }
    let a = crate::terraform::analysis_of_file(file, parsed, config);
    facts_of(&a, file, config)
}

/// Terraform facts of each module directory evaluated as one module: a variable's default in
/// a sibling `variables.tf`, `terraform.tfvars` / `*.auto.tfvars` values and locals written in
/// other files reach the trusts, grants and identities of every file (per-file extraction
/// leaves them `${var.x}`). Only directories with more than one Terraform file, one of which
/// refers to a `var.` or `local.`, are evaluated again; each file keeps the facts of the
/// blocks written in it. A module directory that a production file calls with a local
/// `source` is evaluated with its callers (one analysis over the callers' and the modules'
/// directories): the arguments of each call reach the module's facts, one instance per call
/// (calls with `for_each` are not joined: see `terraform::analysis::local_module_calls`).
/// Callers in example, docs, test or other non-production paths are not applied (their sample
/// values would become facts of the production module); a module only they call is evaluated
/// as its own root, with its defaults.
pub fn resolve_module_dirs(units: &mut [crate::context::FileUnit], config: &Config) {
    resolve_module_dirs_where(units, config, &|_| true);
}

/// [`resolve_module_dirs`] for the module directories (paths like `infra/app`, `""` for the
/// top) that `dir` selects: the editor re-resolves only the directory of a changed file.
/// Returns the units whose facts were replaced, each with its facts from before.
pub fn resolve_module_dirs_where(
    units: &mut [crate::context::FileUnit],
    config: &Config,
    dir_selected: &dyn Fn(&str) -> bool,
) -> Vec<(usize, Facts)> {
    use crate::source::FileKind;
    let mut dirs: std::collections::BTreeMap<&str, Vec<usize>> = Default::default();
    for (i, u) in units.iter().enumerate() {
        if matches!(
            u.file.kind,
            FileKind::Terraform | FileKind::TerraformJson | FileKind::TfVars
        ) && !matches!(u.parsed, Parsed::None)
        {
            let dir = u.file.path.rsplit_once('/').map_or("", |(d, _)| d);
            dirs.entry(dir).or_default().push(i);
        }
    }
    // Directories joined by calls are evaluated together, whichever of them is selected.
    let grouped: Vec<(Vec<String>, Vec<usize>)> = call_groups(units, &dirs, config)
        .into_iter()
        .filter(|(ds, _)| ds.iter().any(|d| dir_selected(d)))
        .collect();
    let in_group = |d: &str| grouped.iter().any(|(ds, _)| ds.iter().any(|x| x == d));
    let mut todo: Vec<Vec<usize>> = dirs
        .iter()
        .filter(|(d, _)| dir_selected(d) && !in_group(d))
        .map(|(_, ix)| ix.clone())
        .filter(|ix| {
            ix.len() > 1
                && ix.iter().any(|&i| {
                    let f = &units[i].file;
                    f.kind != FileKind::TfVars
                        && (f.text.contains("var.") || f.text.contains("local."))
                })
        })
        .collect();
    todo.extend(grouped.into_iter().map(|(_, ix)| ix));
    use rayon::prelude::*;
    let units_ro: &[crate::context::FileUnit] = units;
    let done: Vec<(usize, Facts)> = todo
        .par_iter()
        .flat_map_iter(|ix| {
            crate::guard::catch(|| module_dir_facts(units_ro, ix, config)).unwrap_or_default()
        })
        .collect();
    done.into_iter()
        .map(|(i, f)| (i, std::mem::replace(&mut units[i].facts, f)))
        .collect()
}

/// Module directories joined by local module calls of production files: each group is the
/// set of directories (callers and the modules they call, transitively) and their units. Only
/// calls written in production paths join a group.
fn call_groups(
    units: &[crate::context::FileUnit],
    dirs: &std::collections::BTreeMap<&str, Vec<usize>>,
    config: &Config,
) -> Vec<(Vec<String>, Vec<usize>)> {
    let names: Vec<&str> = dirs.keys().copied().collect();
    let pos = |d: &str| names.binary_search(&d).ok();
    // Union-find over the directories.
    let mut parent: Vec<usize> = (0..names.len()).collect();
    fn find(p: &mut [usize], mut x: usize) -> usize {
        while p[x] != x {
            p[x] = p[p[x]];
            x = p[x];
        }
        x
    }
    let mut joined = vec![false; names.len()];
    for (di, (dir, ix)) in dirs.iter().enumerate() {
        for &i in ix {
            let u = &units[i];
            if u.file.kind == crate::source::FileKind::TfVars
                || !u.file.text.contains("module")
                || config.path_class(&u.file.path) != crate::pathclass::PathClass::Production
            {
                continue;
            }
            let Parsed::Hcl(d) = &u.parsed else { continue };
            for child in crate::terraform::analysis::local_module_calls(dir, &d.root) {
                if let Some(ci) = pos(&child) {
                    let (a, b) = (find(&mut parent, di), find(&mut parent, ci));
                    parent[a] = b;
                    joined[di] = true;
                    joined[ci] = true;
                }
            }
        }
    }
    let mut groups: std::collections::BTreeMap<usize, (Vec<String>, Vec<usize>)> =
        Default::default();
    for (di, (dir, ix)) in dirs.iter().enumerate() {
        if joined[di] {
            let g = groups.entry(find(&mut parent, di)).or_default();
            g.0.push(dir.to_string());
            g.1.extend(ix.iter().copied());
        }
    }
    groups.into_values().collect()
}

/// The facts of the units `ix` (one module directory), evaluated together.
fn module_dir_facts(
    units: &[crate::context::FileUnit],
    ix: &[usize],
    config: &Config,
) -> Vec<(usize, Facts)> {
    let inputs: Vec<crate::terraform::analysis::Input> = ix
        .iter()
        .map(|&i| {
            let u = &units[i];
            crate::terraform::analysis::Input {
                path: &u.file.path,
                text: &u.file.text,
                kind: u.file.kind,
                root: match &u.parsed {
                    Parsed::Hcl(d) | Parsed::Json(d) => Some(&d.root),
                    _ => None,
                },
            }
        })
        .collect();
    let a = crate::terraform::analysis::build(&inputs, None, Some(config));
    ix.iter()
        .filter(|&&i| {
            let f = &units[i].file;
            f.kind != crate::source::FileKind::TfVars && !f.path.ends_with(".tfvars.json")
        })
        .map(|&i| {
            let u = &units[i];
            let mut f = facts_of(&a, &u.file, config);
            f.extend(super::apptrust::extract(&u.file, &u.parsed));
            (i, f)
        })
        .collect()
}

fn loc(file: &SourceFile, span: std::ops::Range<usize>) -> Loc {
    Loc::new(file, span)
}

fn id_of(file: &SourceFile, address: &str) -> String {
    format!("{}#{}", file.path, address)
}

/// Conditions as written, values rendered (unknown parts as `${…}`).
pub fn conditions_of(s: &Stmt) -> Vec<Condition> {
    s.conditions
        .iter()
        .map(|c| Condition {
            operator: c.op.clone(),
            key: c.key.clone(),
            values: c.values.iter().map(|v| v.display()).collect(),
        })
        .collect()
}

/// The identity a reference text (`aws_iam_role.x.name`, a literal role name) points at.
pub fn identity_res<'a>(a: &'a Analysis, inst: usize, v: &Val, rtype: &'a str) -> Option<&'a Res> {
    if let Some(t) = v.unknown_text()
        && let Some(r) = a.resolve_ref(inst, t)
        && r.rtype == rtype
    {
        return Some(r);
    }
    if let Some(s) = v.str() {
        if let Some(r) = a.resolve_ref(inst, s)
            && r.rtype == rtype
        {
            return Some(r);
        }
        return a
            .resources(rtype)
            .map(|(_, r)| r)
            .find(|r| r.inst == inst && r.body.get("name").and_then(|n| n.known_str()) == Some(s));
    }
    None
}

pub fn facts_of(a: &Analysis, file: &SourceFile, config: &Config) -> Facts {
    // The blocks written in this file (an analysis of a module directory holds its siblings).
    let fi = a.paths.iter().position(|p| *p == file.path).unwrap_or(0);
    let mut f = Facts::default();
    let mut seen = std::collections::HashSet::new();
    let owner_keys = config.owner_keys();
    for (ri, r) in a.res.iter().enumerate() {
        if r.block != "resource" || a.place(&r.at).file != fi {
            continue;
        }
        if !seen.insert((r.full_address(), r.inst == 0)) && r.inst != 0 {
            continue;
        }
        let span = r.at.span.clone();
        let rid = id_of(file, &r.full_address());
        if let Some((_, provider)) = IDENTITY_TYPES.iter().find(|(t, _)| *t == r.rtype) {
            let mut attrs = Attrs::new();
            attrs.insert("tf_address".into(), json!(r.address));
            let lit_name = r
                .body
                .get("name")
                .or_else(|| r.body.get("display_name"))
                .and_then(|n| n.known_str())
                .map(str::to_string);
            match r.rtype.as_str() {
                "aws_iam_role" | "aws_iam_user" => {
                    let kind = if r.rtype == "aws_iam_role" {
                        "role"
                    } else {
                        "user"
                    };
                    let path = r
                        .body
                        .get("path")
                        .and_then(|p| p.known_str())
                        .unwrap_or("/")
                        .to_string();
                    if let Some(n) = &lit_name {
                        attrs.insert(
                            "arn_pattern".into(),
                            json!(format!("arn:aws:iam::*:{kind}{path}{n}")),
                        );
                    } else if let Some(p) = r.body.get("name_prefix").and_then(|n| n.known_str()) {
                        attrs.insert(
                            "arn_pattern".into(),
                            json!(format!("arn:aws:iam::*:{kind}{path}{p}*")),
                        );
                    } else if let Some(crate::terraform::eval::K::Str(n, true)) =
                        r.body.get("name").map(|n| &n.k)
                    {
                        // An interpolated name (`!Sub '${AWS::StackName}-deploy'`): its known
                        // parts, the rest matching anything.
                        attrs.insert(
                            "arn_pattern".into(),
                            json!(format!("arn:aws:iam::*:{kind}{path}{n}")),
                        );
                    } else if crate::terraform::cfn::lowered(r) && r.body.get("name").is_none() {
                        // No name in a template: CloudFormation names it
                        // `<stack>-<LogicalId>-<random>`.
                        attrs.insert(
                            "arn_pattern".into(),
                            json!(format!(
                                "arn:aws:iam::*:{kind}{path}${{AWS::StackName}}-{}-${{random}}",
                                r.name
                            )),
                        );
                    }
                    if let Some(d) = r.body.get("max_session_duration").and_then(|d| d.as_f64()) {
                        attrs.insert("max_session_duration".into(), json!(d as i64));
                    }
                }
                "google_service_account" => {
                    if let Some(acct) = r.body.get("account_id").and_then(|n| n.known_str()) {
                        let project = r
                            .body
                            .get("project")
                            .and_then(|p| p.known_str())
                            .unwrap_or("*");
                        attrs.insert(
                            "email".into(),
                            json!(format!("{acct}@{project}.iam.gserviceaccount.com")),
                        );
                    }
                }
                _ => {
                    if let Some(c) = r
                        .body
                        .get("client_id")
                        .or_else(|| r.body.get("application_id"))
                        .and_then(|n| n.known_str())
                    {
                        attrs.insert("client_id".into(), json!(c));
                    }
                }
            }
            let (tags, _) = a.effective_tags(r);
            let mut owner = owner_keys.iter().find_map(|k| tags.get(k).cloned());
            if owner.is_none()
                && let Some(o) = r.body.get("owners")
            {
                let list: Vec<String> = o.items().iter().map(|v| v.display()).collect();
                if !list.is_empty() {
                    owner = Some(list.join(","));
                }
            }
            let name = lit_name
                .clone()
                .or_else(|| {
                    r.body
                        .get("account_id")
                        .and_then(|n| n.known_str())
                        .map(str::to_string)
                })
                .unwrap_or_else(|| r.name.clone());
            f.identities.push(Identity {
                id: rid.clone(),
                kind: r.rtype.clone(),
                provider: provider.to_string(),
                name,
                loc: loc(file, span.clone()),
                owner,
                labels: tags,
                attrs,
            });
        }
        credential_facts(a, ri, r, file, &mut f);
        grant_facts(a, r, file, &mut f);
        trust_facts_other(a, r, file, &mut f);
    }
    provider_credentials(a, fi, file, &mut f);
    // Policy sites: trusts of roles, grants of identity policies.
    for (si, site) in a.sites.iter().enumerate() {
        let r = &a.res[site.res];
        if a.place(&r.at).file != fi {
            continue;
        }
        let holder = match site.kind {
            SiteKind::Trust => id_of(file, &r.full_address()),
            SiteKind::Identity => identity_of_policy_holder(a, r, file),
            _ => continue,
        };
        for (n, s) in site.policy.stmts.iter().enumerate() {
            let sid = s.sid.clone().unwrap_or_else(|| n.to_string());
            if site.kind == SiteKind::Trust {
                if s.effect != Effect::Allow {
                    continue;
                }
                for (pi, p) in s.principals.iter().enumerate() {
                    let (kind, principal) = principal_kind(p.kind.as_str(), &p.v);
                    let mut attrs = Attrs::new();
                    if kind == "federated-oidc"
                        && let Some(iss) = oidc_issuer(a, r.inst, &p.v, s)
                    {
                        attrs.insert("issuer".into(), json!(iss));
                    }
                    if !s.actions.is_empty() {
                        attrs.insert(
                            "actions".into(),
                            json!(s.actions.iter().map(|v| v.display()).collect::<Vec<_>>()),
                        );
                    }
                    f.trusts.push(Trust {
                        id: format!("{holder}/trust/{si}/{sid}/{pi}"),
                        identity: holder.clone(),
                        principal_kind: kind.into(),
                        principal,
                        conditions: conditions_of(s),
                        loc: loc(file, here(a, fi, &[&p.v.at, &s.at, &r.at])),
                        attrs,
                    });
                }
            } else if !s.has_principal() {
                let mut attrs = Attrs::new();
                attrs.insert("tf_address".into(), json!(r.address));
                f.grants.push(Grant {
                    id: format!("{}/grant/{si}/{sid}", id_of(file, &r.full_address())),
                    identity: holder.clone(),
                    effect: match s.effect {
                        Effect::Allow => "Allow",
                        Effect::Deny => "Deny",
                        Effect::Unknown => "Unknown",
                    }
                    .into(),
                    actions: s.actions.iter().map(|v| v.display()).collect(),
                    not_actions: s
                        .not_actions
                        .as_ref()
                        .map(|l| l.iter().map(|v| v.display()).collect())
                        .unwrap_or_default(),
                    resources: s.resources.iter().map(|v| v.display()).collect(),
                    conditions: conditions_of(s),
                    loc: loc(file, here(a, fi, &[&s.at, &r.at])),
                    attrs,
                });
            }
        }
    }
    f.sort();
    f.identities.dedup_by(|a, b| a.id == b.id);
    f.grants.dedup_by(|a, b| a.id == b.id);
    f.trusts.dedup_by(|a, b| a.id == b.id);
    f.credentials.dedup_by(|a, b| a.id == b.id);
    f
}

/// The first of these places that lies in file `fi` (a value set in a sibling file, such as a
/// variable default in `variables.tf`, falls back to the statement or block that uses it).
fn here(a: &Analysis, fi: usize, ats: &[&At]) -> std::ops::Range<usize> {
    let places: Vec<At> = ats.iter().map(|at| a.place(at)).collect();
    places
        .iter()
        .find(|at| at.file == fi && at.span.end > at.span.start)
        .or(places.last())
        .map(|at| at.span.clone())
        .unwrap_or_default()
}

/// The id of an identity block, in the file that declares it.
fn res_id(a: &Analysis, r: &Res) -> String {
    match a.paths.get(a.place(&r.at).file) {
        Some(p) => format!("{p}#{}", r.full_address()),
        None => r.full_address(),
    }
}

pub fn principal_kind(kind: &str, v: &Val) -> (&'static str, String) {
    let s = v.display();
    let k = match kind {
        "*" => "any",
        "AWS" if s == "*" => "any",
        "AWS" if s.contains(":role/") || s.contains(":user/") || s.contains(":assumed-role/") => {
            "aws-arn"
        }
        "AWS" => "aws-account",
        "Service" => "aws-service",
        "Federated" if crate::terraform::oidc::is_saml(&s) => "federated-saml",
        "Federated" => "federated-oidc",
        _ => "any",
    };
    (k, s)
}

/// Who holds an identity policy: the role/user/group it is attached to, else the policy.
fn identity_of_policy_holder(a: &Analysis, r: &Res, file: &SourceFile) -> String {
    let key = match r.rtype.as_str() {
        "aws_iam_role_policy" => Some(("role", "aws_iam_role")),
        "aws_iam_user_policy" => Some(("user", "aws_iam_user")),
        "aws_iam_group_policy" => Some(("group", "aws_iam_group")),
        _ => None,
    };
    if let Some((attr, t)) = key
        && let Some(v) = r.body.get(attr)
    {
        return match identity_res(a, r.inst, v, t) {
            Some(id) => res_id(a, id),
            None => v.display(),
        };
    }
    id_of(file, &r.full_address())
}

fn credential_facts(a: &Analysis, _ri: usize, r: &Res, file: &SourceFile, f: &mut Facts) {
    let (kind, owner_attr, owner_type) = match r.rtype.as_str() {
        "aws_iam_access_key" => ("access-key", "user", "aws_iam_user"),
        "google_service_account_key" => (
            "service-account-key",
            "service_account_id",
            "google_service_account",
        ),
        "azuread_application_password" => {
            ("client-secret", "application_id", "azuread_application")
        }
        "azuread_service_principal_password" => (
            "client-secret",
            "service_principal_id",
            "azuread_service_principal",
        ),
        "azuread_application_certificate" => {
            ("certificate", "application_id", "azuread_application")
        }
        "azuread_service_principal_certificate" => (
            "certificate",
            "service_principal_id",
            "azuread_service_principal",
        ),
        _ => return,
    };
    let identity = r
        .body
        .get(owner_attr)
        .or_else(|| r.body.get("application_object_id"))
        .map(|v| match identity_res(a, r.inst, v, owner_type) {
            Some(i) => res_id(a, i),
            None => v.display(),
        });
    let lifetime = match r.rtype.as_str() {
        "aws_iam_access_key" | "google_service_account_key" => Some("never expires".to_string()),
        _ => match r
            .body
            .get("end_date")
            .or_else(|| r.body.get("end_date_relative"))
        {
            Some(v) => Some(format!("until {}", v.display())),
            None => Some("provider default (2 years)".to_string()),
        },
    };
    let mut attrs = Attrs::new();
    attrs.insert("tf_address".into(), json!(r.address));
    f.credentials.push(Credential {
        id: id_of(file, &r.full_address()),
        kind: kind.into(),
        identity,
        lifetime,
        storage: "terraform-state".into(),
        redacted: None,
        loc: loc(file, r.at.span.clone()),
        attrs,
    });
}

/// Literal credentials in provider blocks.
pub const PROVIDER_SECRET_ATTRS: &[(&str, &str)] = &[
    ("aws", "secret_key"),
    ("aws", "access_key"),
    ("aws", "token"),
    ("google", "credentials"),
    ("google", "access_token"),
    ("google-beta", "credentials"),
    ("azurerm", "client_secret"),
    ("azurerm", "client_certificate_password"),
    ("azuread", "client_secret"),
    ("azuread", "client_certificate_password"),
    ("github", "token"),
    ("gitlab", "token"),
    ("kubernetes", "token"),
    ("kubernetes", "client_key"),
    ("helm", "token"),
    ("vault", "token"),
    ("datadog", "api_key"),
    ("datadog", "app_key"),
    ("cloudflare", "api_token"),
    ("cloudflare", "api_key"),
    ("digitalocean", "token"),
    ("tfe", "token"),
];

/// A value written literally in the block it belongs to (not from a variable, file or env).
pub fn is_literal_here(v: &Val, r: &Res) -> bool {
    matches!(v.k, K::Str(ref s, false) if !s.is_empty())
        && v.via.is_empty()
        && v.pieces.is_empty()
        && v.at.file == r.at.file
        && v.at.span.start >= r.at.span.start
        && v.at.span.end <= r.at.span.end
}

fn provider_credentials(a: &Analysis, fi: usize, file: &SourceFile, f: &mut Facts) {
    for r in a
        .res
        .iter()
        .filter(|r| r.block == "provider" && a.place(&r.at).file == fi)
    {
        for (p, attr) in PROVIDER_SECRET_ATTRS {
            if r.rtype != *p {
                continue;
            }
            if let Some(v) = r.body.get(attr)
                && is_literal_here(v, r)
                && let Some(s) = v.str()
            {
                let mut attrs = Attrs::new();
                attrs.insert("provider".into(), json!(r.rtype));
                attrs.insert("attribute".into(), json!(attr));
                f.credentials.push(Credential {
                    id: format!("{}/{attr}", id_of(file, &format!("provider.{}", r.rtype))),
                    kind: "literal".into(),
                    identity: None,
                    lifetime: None,
                    storage: "literal".into(),
                    redacted: Some(crate::redact::redact(s)),
                    loc: loc(file, v.at.span.clone()),
                    attrs,
                });
            }
        }
    }
}

/// A customer-managed policy (`aws_iam_policy` of the same module instance) an ARN value
/// refers to: its name and what its Allow statements grant (actions, not-actions, resources).
struct ManagedPolicy {
    name: String,
    actions: Vec<String>,
    not_actions: Vec<String>,
    resources: Vec<String>,
    /// Actions of its unconditional Deny statements on every resource.
    denies: Vec<String>,
}

fn managed_policy(a: &Analysis, inst: usize, v: &Val) -> Option<ManagedPolicy> {
    let text = v
        .unknown_text()
        .map(str::to_string)
        .or_else(|| v.str().map(str::to_string))?;
    let p = a.resolve_ref(inst, &text)?;
    if p.rtype != "aws_iam_policy" {
        return None;
    }
    let name = p
        .body
        .get("name")
        .and_then(|n| n.known_str())
        .map(str::to_string)
        .unwrap_or_else(|| p.address.clone());
    let mut mp = ManagedPolicy {
        name,
        actions: Vec::new(),
        not_actions: Vec::new(),
        resources: Vec::new(),
        denies: Vec::new(),
    };
    let site = a
        .sites
        .iter()
        .find(|s| std::ptr::eq(&a.res[s.res], p) && s.kind == SiteKind::Identity)?;
    for st in site
        .policy
        .stmts
        .iter()
        .filter(|s| s.effect == Effect::Allow && !s.has_principal())
    {
        let add = |from: &[Val], to: &mut Vec<String>| {
            for x in from.iter().map(|v| v.display()) {
                if !to.contains(&x) {
                    to.push(x);
                }
            }
        };
        add(&st.actions, &mut mp.actions);
        add(
            st.not_actions.as_deref().unwrap_or(&[]),
            &mut mp.not_actions,
        );
        add(&st.resources, &mut mp.resources);
    }
    for st in site.policy.stmts.iter().filter(|s| {
        s.effect == Effect::Deny
            && s.conditions.is_empty()
            && s.not_actions.is_none()
            && s.resources.iter().any(|r| r.str() == Some("*"))
    }) {
        mp.denies.extend(st.actions.iter().map(|v| v.display()));
    }
    // Allowed actions a Deny of the same policy takes back entirely.
    let denies = mp.denies.clone();
    mp.actions
        .retain(|a| !denies.iter().any(|d| crate::iam::matching::glob_ci(d, a)));
    Some(mp)
}

fn grant_facts(a: &Analysis, r: &Res, file: &SourceFile, f: &mut Facts) {
    let mut push = |identity: String,
                    actions: Vec<String>,
                    not_actions: Vec<String>,
                    resources: Vec<String>,
                    extra: Attrs| {
        let mut attrs = extra;
        attrs.insert("tf_address".into(), json!(r.address));
        let effect = match attrs.remove("effect") {
            Some(serde_json::Value::String(e)) => e,
            _ => "Allow".to_string(),
        };
        f.grants.push(Grant {
            id: format!("{}/{}", id_of(file, &r.full_address()), f.grants.len()),
            identity,
            effect,
            actions,
            not_actions,
            resources,
            conditions: Vec::new(),
            loc: loc(file, r.at.span.clone()),
            attrs,
        });
    };
    // A managed policy attachment: the customer-managed policy's name and grants when it is
    // defined here, else the ARN as written.
    #[allow(clippy::type_complexity)]
    let attached =
        |pv: Option<&Val>| -> (Vec<String>, Vec<String>, Vec<String>, Attrs, Vec<String>) {
            let arn = pv.map(|v| v.display()).unwrap_or_default();
            let mut ex = Attrs::new();
            ex.insert("policy_arn".into(), json!(arn));
            match pv.and_then(|v| managed_policy(a, r.inst, v)) {
                Some(mp) => {
                    ex.insert("policy_name".into(), json!(mp.name));
                    (mp.actions, mp.not_actions, mp.resources, ex, mp.denies)
                }
                None => (vec![arn], Vec::new(), Vec::new(), ex, Vec::new()),
            }
        };
    // The unconditional Deny of an attached policy, as its own grant.
    let deny_attrs = |ex: &Attrs| -> Attrs {
        let mut d = ex.clone();
        d.insert("effect".into(), json!("Deny"));
        d
    };
    match r.rtype.as_str() {
        "aws_iam_role_policy_attachment"
        | "aws_iam_user_policy_attachment"
        | "aws_iam_group_policy_attachment"
        | "aws_iam_policy_attachment" => {
            let (attr, t) = match r.rtype.as_str() {
                "aws_iam_user_policy_attachment" => ("user", "aws_iam_user"),
                "aws_iam_group_policy_attachment" => ("group", "aws_iam_group"),
                _ => ("role", "aws_iam_role"),
            };
            let holders: Vec<&Val> = match r.body.get(attr) {
                Some(v) => vec![v],
                None => r
                    .body
                    .get(&format!("{attr}s"))
                    .map(|v| v.items())
                    .unwrap_or_default(),
            };
            let (actions, not_actions, resources, ex, denies) = attached(r.body.get("policy_arn"));
            for h in holders {
                let id = identity_res(a, r.inst, h, t)
                    .map(|i| res_id(a, i))
                    .unwrap_or_else(|| h.display());
                if !denies.is_empty() {
                    push(
                        id.clone(),
                        denies.clone(),
                        Vec::new(),
                        vec!["*".into()],
                        deny_attrs(&ex),
                    );
                }
                push(
                    id,
                    actions.clone(),
                    not_actions.clone(),
                    resources.clone(),
                    ex.clone(),
                );
            }
        }
        "aws_iam_role" => {
            if let Some(m) = r.body.get("managed_policy_arns") {
                for p in m.items() {
                    let (actions, not_actions, resources, ex, denies) = attached(Some(p));
                    if !denies.is_empty() {
                        push(
                            id_of(file, &r.full_address()),
                            denies,
                            Vec::new(),
                            vec!["*".into()],
                            deny_attrs(&ex),
                        );
                    }
                    push(
                        id_of(file, &r.full_address()),
                        actions,
                        not_actions,
                        resources,
                        ex,
                    );
                }
            }
        }
        t if t.starts_with("google_")
            && (t.ends_with("_iam_member") || t.ends_with("_iam_binding")) =>
        {
            let role = r.body.get("role").map(|v| v.display()).unwrap_or_default();
            let scope = gcp_scope(r);
            let members: Vec<&Val> = match r.body.get("member") {
                Some(m) => vec![m],
                None => r.body.get("members").map(|m| m.items()).unwrap_or_default(),
            };
            for m in members {
                let mut ex = Attrs::new();
                ex.insert("member".into(), json!(m.display()));
                push(
                    gcp_member_identity(a, r.inst, m, file),
                    vec![role.clone()],
                    Vec::new(),
                    vec![scope.clone()],
                    ex,
                );
            }
        }
        "azurerm_role_assignment" => {
            let role = r
                .body
                .get("role_definition_name")
                .or_else(|| r.body.get("role_definition_id"))
                .map(|v| v.display())
                .unwrap_or_default();
            let scope = r.body.get("scope").map(|v| v.display()).unwrap_or_default();
            let p = r
                .body
                .get("principal_id")
                .map(|v| v.display())
                .unwrap_or_default();
            let id = azure_principal_identity(a, r, file).unwrap_or(p);
            push(id, vec![role], Vec::new(), vec![scope], Attrs::new());
        }
        _ => {}
    }
}

pub fn gcp_scope(r: &Res) -> String {
    for k in [
        "project",
        "folder",
        "org_id",
        "organization",
        "bucket",
        "service_account_id",
        "secret_id",
        "dataset_id",
        "topic",
        "subscription",
    ] {
        if let Some(v) = r.body.get(k) {
            return format!("{k}:{}", v.display());
        }
    }
    r.rtype.clone()
}

/// `serviceAccount:${google_service_account.x.email}` → that identity's id.
pub fn gcp_member_identity(a: &Analysis, inst: usize, m: &Val, file: &SourceFile) -> String {
    let s = m.display();
    if let Some(i) = s.find("google_service_account.") {
        let rest = &s[i..];
        let end = rest.find(['}', ' ']).unwrap_or(rest.len());
        if let Some(r) = a.resolve_ref(inst, &rest[..end]) {
            return id_of(file, &r.full_address());
        }
    }
    s
}

pub fn azure_principal_identity(a: &Analysis, r: &Res, _file: &SourceFile) -> Option<String> {
    let p = r.body.get("principal_id")?;
    let t = p.unknown_text()?;
    let id = a.resolve_ref(r.inst, t)?;
    Some(res_id(a, id))
}

/// Trusts that are not IAM policies: GCP workload identity providers and impersonation,
/// Azure federated identity credentials.
fn trust_facts_other(a: &Analysis, r: &Res, file: &SourceFile, f: &mut Facts) {
    let rid = id_of(file, &r.full_address());
    match r.rtype.as_str() {
        "google_iam_workload_identity_pool_provider" => {
            let issuer = r
                .body
                .get("oidc")
                .and_then(|o| o.get("issuer_uri"))
                .map(|v| strip_scheme(&v.display()));
            let mut conditions = Vec::new();
            if let Some(c) = r.body.get("attribute_condition") {
                conditions.push(Condition {
                    operator: "attribute_condition".into(),
                    key: "cel".into(),
                    values: vec![c.display()],
                });
            }
            let mut attrs = Attrs::new();
            attrs.insert("tf_address".into(), json!(r.address));
            if let Some(i) = &issuer {
                attrs.insert("issuer".into(), json!(i));
            }
            if let Some(m) = r.body.get("attribute_mapping") {
                let map: serde_json::Map<String, serde_json::Value> = m
                    .entries()
                    .iter()
                    .map(|(k, v)| (k.clone(), json!(v.display())))
                    .collect();
                attrs.insert("attribute_mapping".into(), serde_json::Value::Object(map));
            }
            let pool = r
                .body
                .get("workload_identity_pool_id")
                .map(|v| v.display())
                .unwrap_or_default();
            f.trusts.push(Trust {
                id: format!("{rid}/trust"),
                identity: pool,
                principal_kind: if issuer.is_some() {
                    "federated-oidc"
                } else {
                    "federated-saml"
                }
                .into(),
                principal: issuer.unwrap_or_default(),
                conditions,
                loc: loc(file, r.at.span.clone()),
                attrs,
            });
        }
        t if t.starts_with("google_service_account_iam_") => {
            let role = r.body.get("role").map(|v| v.display()).unwrap_or_default();
            if !role.starts_with("roles/iam.") {
                return;
            }
            let sa = r
                .body
                .get("service_account_id")
                .map(|v| gcp_member_identity(a, r.inst, v, file))
                .unwrap_or_default();
            let members: Vec<&Val> = match r.body.get("member") {
                Some(m) => vec![m],
                None => r.body.get("members").map(|m| m.items()).unwrap_or_default(),
            };
            for (i, m) in members.iter().enumerate() {
                let mut attrs = Attrs::new();
                attrs.insert("role".into(), json!(role));
                f.trusts.push(Trust {
                    id: format!("{rid}/trust/{i}"),
                    identity: sa.clone(),
                    principal_kind: "gcp-member".into(),
                    principal: m.display(),
                    conditions: Vec::new(),
                    loc: loc(file, here(a, a.place(&r.at).file, &[&m.at, &r.at])),
                    attrs,
                });
            }
        }
        "azuread_application_federated_identity_credential"
        | "azurerm_federated_identity_credential"
        | "azuread_application_flexible_federated_identity_credential" => {
            let issuer = r
                .body
                .get("issuer")
                .map(|v| strip_scheme(&v.display()))
                .unwrap_or_default();
            let mut conditions = Vec::new();
            for key in ["subject", "claims_matching_expression"] {
                if let Some(v) = r.body.get(key) {
                    conditions.push(Condition {
                        operator: if key == "subject" {
                            "StringEquals"
                        } else {
                            "claims_matching_expression"
                        }
                        .into(),
                        key: "sub".into(),
                        values: vec![v.display()],
                    });
                }
            }
            if let Some(aud) = r.body.get("audiences") {
                conditions.push(Condition {
                    operator: "StringEquals".into(),
                    key: "aud".into(),
                    values: aud.items().iter().map(|v| v.display()).collect(),
                });
            }
            let owner = r
                .body
                .get("application_id")
                .or_else(|| r.body.get("application_object_id"))
                .or_else(|| r.body.get("parent_id"))
                .map(|v| {
                    v.unknown_text()
                        .and_then(|t| a.resolve_ref(r.inst, t))
                        .map(|x| res_id(a, x))
                        .unwrap_or_else(|| v.display())
                })
                .unwrap_or_default();
            let mut attrs = Attrs::new();
            attrs.insert("issuer".into(), json!(issuer));
            attrs.insert("tf_address".into(), json!(r.address));
            f.trusts.push(Trust {
                id: format!("{rid}/trust"),
                identity: owner,
                principal_kind: "azure-federated".into(),
                principal: issuer,
                conditions,
                loc: loc(file, r.at.span.clone()),
                attrs,
            });
        }
        _ => {}
    }
    let _ = iam::is_all_actions;
}
