//! OIDC federation semantics: which CI/cluster issuer a trust names, and what a subject
//! pattern admits (GitHub, including the immutable `owner@id/repo@id` form, GitLab, CircleCI,
//! Terraform Cloud, EKS service accounts).

use super::analysis::{Analysis, Res, Site};
use super::eval::Val;
use super::iam::{self, Op};
use super::policy::{Cond, Effect, Stmt};
use crate::finding::Severity;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Issuer {
    GitHub,
    GitLab,
    CircleCi,
    TerraformCloud,
    Eks,
    Cognito,
    Other,
}

impl Issuer {
    pub fn name(self) -> &'static str {
        match self {
            Issuer::GitHub => "GitHub Actions",
            Issuer::GitLab => "GitLab CI",
            Issuer::CircleCi => "CircleCI",
            Issuer::TerraformCloud => "Terraform Cloud",
            Issuer::Eks => "EKS service account",
            Issuer::Cognito => "Cognito",
            Issuer::Other => "OIDC",
        }
    }
}

impl Issuer {
    /// `GitHub Actions OIDC`, `an OIDC issuer` (never `OIDC OIDC`).
    pub fn oidc(self) -> String {
        match self {
            Issuer::Other => "an OIDC issuer".into(),
            x => format!("{} OIDC", x.name()),
        }
    }
}

pub fn classify(host: &str) -> Issuer {
    let h = host.to_ascii_lowercase();
    if h.starts_with("token.actions.githubusercontent.com") || h.contains("/_services/token") {
        Issuer::GitHub
    } else if h.starts_with("gitlab.") || h.contains("gitlab") {
        Issuer::GitLab
    } else if h.starts_with("oidc.circleci.com") {
        Issuer::CircleCi
    } else if h.starts_with("app.terraform.io") || h.contains("terraform") {
        Issuer::TerraformCloud
    } else if h.starts_with("oidc.eks.") {
        Issuer::Eks
    } else if h.starts_with("cognito-identity.amazonaws.com") {
        Issuer::Cognito
    } else {
        Issuer::Other
    }
}

/// One OIDC-federated trust statement.
pub struct OidcTrust<'a> {
    pub site: &'a Site,
    pub res: &'a Res,
    pub stmt: &'a Stmt,
    pub host: String,
    pub issuer: Issuer,
    pub principal: &'a super::eval::Val,
}

/// Every Allow statement with a `Federated` OIDC principal.
pub fn trusts(a: &Analysis) -> Vec<OidcTrust<'_>> {
    let mut out = Vec::new();
    for (site, res, s) in super::report::principal_statements(a) {
        if s.effect != Effect::Allow {
            continue;
        }
        for p in s.principals.iter().filter(|p| p.kind == "Federated") {
            if is_saml(&p.v.display()) || saml_statement(s) {
                continue;
            }
            let host = oidc_issuer(a, res.inst, &p.v, s).unwrap_or_default();
            out.push(OidcTrust {
                site,
                res,
                stmt: s,
                issuer: classify(&host),
                host,
                principal: &p.v,
            });
        }
    }
    out
}

/// A `Federated` principal that is a SAML provider: its ARN (`:saml-provider/`) or a reference
/// to an `aws_iam_saml_provider` (a SAML trust is never an OIDC one).
pub fn is_saml(principal: &str) -> bool {
    principal.contains(":saml-provider/") || principal.contains("aws_iam_saml_provider.")
}

/// A statement that federates through SAML: it allows `sts:AssumeRoleWithSAML` and not
/// `sts:AssumeRoleWithWebIdentity`, or its conditions are on `SAML:` keys.
fn saml_statement(s: &Stmt) -> bool {
    let acts: Vec<String> = s
        .actions
        .iter()
        .filter_map(|a| a.str().map(str::to_ascii_lowercase))
        .collect();
    let saml = acts.iter().any(|a| a == "sts:assumerolewithsaml");
    let web = acts
        .iter()
        .any(|a| a == "sts:assumerolewithwebidentity" || a == "sts:*" || a == "*");
    saml && !web
        || !s.conditions.is_empty()
            && s.conditions
                .iter()
                .all(|c| c.key.to_ascii_lowercase().starts_with("saml:"))
}

/// Does a condition restrict a claim every token carries (`aud`, `sub`)? As
/// [`iam::restricts`], except that `ForAllValues` restricts too: its vacuous truth is only on a
/// key the request lacks, and the token always has the claim.
pub fn restricts_claim(c: &Cond) -> bool {
    if iam::restricts(c) {
        return true;
    }
    let op = iam::parse_op(&c.op);
    op.for_all
        && !op.negated
        && !op.if_exists
        && !matches!(op.base.as_str(), "Null" | "Bool")
        && !c.values.is_empty()
        && !c
            .values
            .iter()
            .any(|v| v.str().is_some_and(|x| iam::value_matches_anything(&op, x)))
}

/// Conditions on a claim (`…:sub`, `…:aud`) of this trust.
pub fn claim_conds<'a>(t: &OidcTrust<'a>, claim: &str) -> Vec<&'a Cond> {
    t.stmt
        .conditions
        .iter()
        .filter(|c| {
            let k = c.key.to_ascii_lowercase();
            k.rsplit_once(':').is_some_and(|(_, cl)| cl == claim) || k == claim
        })
        .collect()
}

/// What a wildcard subject pattern admits: (severity, description), `None` when the wildcard
/// is narrow (a tag pattern, a user id).
pub fn subject_risk(issuer: Issuer, op: &Op, v: &str) -> Option<(Severity, String)> {
    if !iam::has_wildcard(op, v) {
        return None;
    }
    if iam::value_matches_anything(op, v) {
        return Some((Severity::Critical, "any subject of the issuer".into()));
    }
    let w = |s: &str| s.contains('*') || s.contains('?');
    match issuer {
        Issuer::GitHub => {
            let Some(rest) = v.strip_prefix("repo:") else {
                return Some((Severity::High, "a wildcard subject".into()));
            };
            let (owner, after) = rest.split_once('/').unwrap_or((rest, ""));
            if w(owner) {
                return Some((Severity::Critical, "repositories of any owner".into()));
            }
            let owner_name = owner.split('@').next().unwrap_or(owner);
            let (repo, ctx) = after.split_once(':').unwrap_or((after, ""));
            if w(repo) {
                return Some((Severity::High, format!("any repository of `{owner_name}`")));
            }
            let repo_name = repo.split('@').next().unwrap_or(repo);
            if ctx == "*" || ctx.is_empty() && w(after) {
                return Some((
                    Severity::Medium,
                    format!(
                        "any branch, tag, environment or pull request of `{owner_name}/{repo_name}`"
                    ),
                ));
            }
            if ctx.starts_with("ref:refs/heads/") && w(ctx) {
                return Some((
                    Severity::Low,
                    format!("any matching branch of `{owner_name}/{repo_name}`"),
                ));
            }
            if ctx.starts_with("environment:") && w(ctx) {
                return Some((
                    Severity::Medium,
                    format!("any environment of `{owner_name}/{repo_name}`"),
                ));
            }
            None
        }
        Issuer::GitLab => {
            let Some(rest) = v.strip_prefix("project_path:") else {
                return Some((Severity::High, "a wildcard subject".into()));
            };
            let (path, ctx) = rest.split_once(':').unwrap_or((rest, ""));
            if w(path) {
                let group = path.split('/').next().unwrap_or(path);
                return if w(group) {
                    Some((Severity::Critical, "projects of any group".into()))
                } else {
                    Some((Severity::High, format!("any project under `{group}`")))
                };
            }
            if w(ctx) && (ctx == "*" || ctx.ends_with(":*") && !ctx.starts_with("ref_type:tag")) {
                return Some((Severity::Medium, format!("any branch or tag of `{path}`")));
            }
            None
        }
        Issuer::TerraformCloud => {
            let get = |k: &str| after_key(v, ':', k);
            if get("organization").is_none_or(w) {
                return Some((Severity::Critical, "workspaces of any organisation".into()));
            }
            if get("project").is_some_and(w) || get("workspace").is_none_or(w) {
                return Some((Severity::Medium, "any workspace of the organisation".into()));
            }
            None
        }
        Issuer::Eks => {
            let rest = v.strip_prefix("system:serviceaccount:").unwrap_or(v);
            let (ns, sa) = rest.split_once(':').unwrap_or((rest, "*"));
            if w(ns) {
                Some((Severity::High, "service accounts of any namespace".into()))
            } else if w(sa) {
                Some((
                    Severity::Medium,
                    format!("any service account of namespace `{ns}`"),
                ))
            } else {
                None
            }
        }
        Issuer::CircleCi => {
            let get = |k: &str| after_key(v, '/', k);
            if get("org").is_none_or(w) {
                Some((
                    Severity::Critical,
                    "projects of any CircleCI organisation".into(),
                ))
            } else if get("project").is_none_or(w) {
                Some((
                    Severity::Medium,
                    "any project of the CircleCI organisation".into(),
                ))
            } else {
                None
            }
        }
        Issuer::Cognito | Issuer::Other => None,
    }
}

/// The segment after `key` in a `sep`-separated subject (`organization:acme:project:x`).
fn after_key<'a>(v: &'a str, sep: char, key: &str) -> Option<&'a str> {
    let mut it = v.split(sep);
    while let Some(p) = it.next() {
        if p == key {
            return it.next();
        }
    }
    None
}

/// Issuer host of an OIDC principal: `arn:aws:iam::1:oidc-provider/token.actions.githubusercontent.com`,
/// a reference to an `aws_iam_openid_connect_provider` (its `url`), or a condition key prefix.
pub fn oidc_issuer(a: &Analysis, inst: usize, principal: &Val, s: &Stmt) -> Option<String> {
    if let Some(p) = principal.str()
        && let Some(i) = p.find(":oidc-provider/")
    {
        let host = &p[i + ":oidc-provider/".len()..];
        if !host.starts_with("${") {
            return Some(host.trim_end_matches('/').to_string());
        }
    }
    let text = principal
        .unknown_text()
        .map(str::to_string)
        .or_else(|| principal.str().map(str::to_string))
        .unwrap_or_default();
    if let Some(r) = a.resolve_ref(inst, &text)
        && r.rtype == "aws_iam_openid_connect_provider"
        && let Some(url) = r.body.get("url").and_then(|u| u.known_str())
    {
        return Some(strip_scheme(url));
    }
    // From the condition keys (`token.actions.githubusercontent.com:sub`).
    s.conditions.iter().find_map(|c| {
        let (host, claim) = c.key.rsplit_once(':')?;
        (matches!(claim, "sub" | "aud" | "amr") && host.contains('.')).then(|| host.to_string())
    })
}

pub fn strip_scheme(u: &str) -> String {
    u.trim_start_matches("https://")
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_string()
}
