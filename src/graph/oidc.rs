//! Subject-claim evaluation: which OIDC subjects (GitHub `repo:…`, GitLab `project_path:…`,
//! Kubernetes `system:serviceaccount:…`) a trust admits, with IAM string-operator semantics
//! (`*`/`?` are wildcards only under `…Like`), Terraform interpolations treated as unknown.

use crate::facts::{Condition, Trust};

/// Three-valued answer: unknown parts (`${var.x}`) make a match possible but not certain.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Tri {
    No,
    Maybe,
    Yes,
}

impl Tri {
    pub fn or(self, o: Tri) -> Tri {
        self.max(o)
    }
    pub fn and(self, o: Tri) -> Tri {
        self.min(o)
    }
    pub fn negate(self) -> Tri {
        match self {
            Tri::Yes => Tri::No,
            Tri::No => Tri::Yes,
            Tri::Maybe => Tri::Maybe,
        }
    }
    pub fn possible(self) -> bool {
        self != Tri::No
    }
}

/// Which kind of workload the subjects of a trust belong to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Family {
    Github,
    Gitlab,
    Kubernetes,
    /// A federated trust whose issuer and subjects tell nothing (yet).
    Unknown,
    /// Not a workload-federation trust (AWS accounts, services, human members...).
    None,
}

impl Family {
    pub fn as_str(self) -> &'static str {
        match self {
            Family::Github => "github",
            Family::Gitlab => "gitlab",
            Family::Kubernetes => "kubernetes",
            Family::Unknown => "unknown",
            Family::None => "none",
        }
    }
}

/// IAM glob: `*` any run (also empty), `?` one character. Iterative, O(n·m) worst case.
pub fn glob(pattern: &str, s: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = s.chars().collect();
    let (mut pi, mut ti) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ti));
            pi += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    while pi < p.len() && p[pi] == '*' {
        pi += 1;
    }
    pi == p.len()
}

/// Does the text hold an unresolved Terraform interpolation or expression?
pub fn has_unknown(s: &str) -> bool {
    s.contains("${") || s.contains("%{")
}

/// Replace every `${…}` interpolation with `*` (a value we cannot know could be anything).
pub fn unknown_to_star(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut depth = 0usize;
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if (b[i] == b'$' || b[i] == b'%') && b.get(i + 1) == Some(&b'{') {
            if depth == 0 {
                out.push('*');
            }
            depth += 1;
            i += 2;
            continue;
        }
        if depth > 0 {
            if b[i] == b'{' {
                depth += 1;
            } else if b[i] == b'}' {
                depth -= 1;
            }
            i += 1;
            continue;
        }
        // Copy one UTF-8 character.
        let ch_len = s[i..].chars().next().map(char::len_utf8).unwrap_or(1);
        out.push_str(&s[i..i + ch_len]);
        i += ch_len;
    }
    out
}

/// One value of a condition against a subject.
pub fn value_matches(pattern: &str, subject: &str, like: bool, ignore_case: bool) -> Tri {
    let (p, s) = if ignore_case {
        (pattern.to_lowercase(), subject.to_lowercase())
    } else {
        (pattern.to_string(), subject.to_string())
    };
    if has_unknown(&p) {
        let star = unknown_to_star(&p);
        let possible = if like {
            glob(&star, &s)
        } else {
            // Only the unknown parts are wildcards; literal `*` stays literal.
            glob(&star.replace('?', "\u{0}"), &s) || star == s
        };
        return if possible { Tri::Maybe } else { Tri::No };
    }
    let m = if like { glob(&p, &s) } else { p == s };
    if m { Tri::Yes } else { Tri::No }
}

/// A subject restriction: the conjunction of conditions on the subject claim.
#[derive(Clone, Debug, PartialEq)]
pub enum SubjectRule {
    /// Nothing restricts the subject.
    Any,
    /// Every condition must hold.
    All(Vec<SubCond>),
    /// A restriction we cannot read (custom attribute, unknown operator).
    Unknown(String),
}

#[derive(Clone, Debug, PartialEq)]
pub struct SubCond {
    pub like: bool,
    pub negate: bool,
    pub ignore_case: bool,
    pub values: Vec<String>,
    /// The operator as written (for display).
    pub operator: String,
}

impl SubCond {
    fn eval(&self, subject: &str) -> Tri {
        let mut r = Tri::No;
        for v in &self.values {
            r = r.or(value_matches(v, subject, self.like, self.ignore_case));
            if r == Tri::Yes {
                break;
            }
        }
        if self.negate { r.negate() } else { r }
    }
}

impl SubjectRule {
    pub fn admits(&self, subject: &str) -> Tri {
        match self {
            SubjectRule::Any => Tri::Yes,
            SubjectRule::Unknown(_) => Tri::Maybe,
            SubjectRule::All(cs) => cs.iter().fold(Tri::Yes, |acc, c| acc.and(c.eval(subject))),
        }
    }

    /// Every pattern value (for naming repositories, namespaces...).
    pub fn values(&self) -> Vec<&str> {
        match self {
            SubjectRule::All(cs) => cs
                .iter()
                .filter(|c| !c.negate)
                .flat_map(|c| c.values.iter().map(String::as_str))
                .collect(),
            _ => Vec::new(),
        }
    }
}

/// Parse an IAM operator into (like, negate, ignore_case); `None` for non-string operators.
fn parse_operator(op: &str) -> Option<(bool, bool, bool)> {
    let base = op
        .trim()
        .trim_start_matches("ForAnyValue:")
        .trim_start_matches("ForAllValues:");
    let base = base.strip_suffix("IfExists").unwrap_or(base);
    match base {
        "StringEquals" => Some((false, false, false)),
        "StringLike" => Some((true, false, false)),
        "StringNotEquals" => Some((false, true, false)),
        "StringNotLike" => Some((true, true, false)),
        "StringEqualsIgnoreCase" => Some((false, false, true)),
        "StringNotEqualsIgnoreCase" => Some((false, true, true)),
        _ => None,
    }
}

/// Is this condition key the subject claim (`token.actions.githubusercontent.com:sub`,
/// `${replace(aws_iam_openid_connect_provider.eks.url, "https://", "")}:sub`, `sub`)?
pub fn is_sub_key(key: &str) -> bool {
    let k = key.trim().trim_matches('"');
    k == "sub" || k.ends_with(":sub") || k.ends_with(":sub\"")
}

pub fn is_aud_key(key: &str) -> bool {
    let k = key.trim().trim_matches('"');
    k == "aud" || k.ends_with(":aud") || k.ends_with(":aud\"")
}

/// The subject restriction a trust puts on federated callers.
pub fn subject_rule(t: &Trust) -> SubjectRule {
    match t.principal_kind.as_str() {
        "gcp-member" => gcp_member_rule(&t.principal),
        "azure-federated" => {
            // The subject is a `sub` condition (or, in older facts, an attribute).
            match t.attrs.get("subject").and_then(|v| v.as_str()) {
                Some(subject) if !t.conditions.iter().any(|c| is_sub_key(&c.key)) => {
                    SubjectRule::All(vec![SubCond {
                        like: false,
                        negate: false,
                        ignore_case: false,
                        values: vec![subject.to_string()],
                        operator: "subject".into(),
                    }])
                }
                _ => conditions_rule(&t.conditions),
            }
        }
        _ => conditions_rule(&t.conditions),
    }
}

/// Subject conditions of an IAM-style trust statement.
pub fn conditions_rule(conds: &[Condition]) -> SubjectRule {
    let mut out = Vec::new();
    for c in conds.iter().filter(|c| c.operator == "attribute_condition") {
        for v in &c.values {
            match cel_rule(v) {
                Some(cs) => out.extend(cs),
                None => return SubjectRule::Unknown(format!("attribute condition `{v}`")),
            }
        }
    }
    for c in conds.iter().filter(|c| is_sub_key(&c.key)) {
        match parse_operator(&c.operator) {
            Some((like, negate, ignore_case)) => out.push(SubCond {
                like,
                negate,
                ignore_case,
                values: c.values.clone(),
                operator: c.operator.clone(),
            }),
            None => return SubjectRule::Unknown(format!("operator `{}`", c.operator)),
        }
    }
    if out.is_empty() {
        SubjectRule::Any
    } else {
        SubjectRule::All(out)
    }
}

/// A GCP workload identity provider's CEL `attribute_condition`, when it is a conjunction of
/// equalities on `assertion.repository`, `assertion.repository_owner` or `assertion.sub`.
pub fn cel_rule(expr: &str) -> Option<Vec<SubCond>> {
    if expr.contains("||") || has_unknown(expr) {
        return None;
    }
    let mut out = Vec::new();
    for term in expr.split("&&") {
        let t = term
            .trim()
            .trim_start_matches('(')
            .trim_end_matches(')')
            .trim();
        let (lhs, rhs) = t.split_once("==")?;
        let v = rhs.trim().trim_matches(|c| c == '\'' || c == '"');
        let (like, value) = match lhs.trim() {
            "assertion.repository" => (true, format!("repo:{v}:*")),
            "assertion.repository_owner" => (true, format!("repo:{v}/*")),
            "assertion.sub" => (false, v.to_string()),
            _ => return None,
        };
        out.push(SubCond {
            like,
            negate: false,
            ignore_case: false,
            values: vec![value],
            operator: "attribute_condition".into(),
        });
    }
    (!out.is_empty()).then_some(out)
}

/// GCP members: `principalSet://…/attribute.repository/O/R`, `principal://…/subject/S`,
/// `principalSet://…/*`, `serviceAccount:P.svc.id.goog[ns/sa]`.
pub fn gcp_member_rule(member: &str) -> SubjectRule {
    let one = |like: bool, v: String| {
        SubjectRule::All(vec![SubCond {
            like,
            negate: false,
            ignore_case: false,
            values: vec![v],
            operator: "member".into(),
        }])
    };
    if let Some(rest) = member.strip_prefix("serviceAccount:")
        && let Some(open) = rest.find(".svc.id.goog[")
    {
        let inner = &rest[open + ".svc.id.goog[".len()..];
        let inner = inner.strip_suffix(']').unwrap_or(inner);
        return match inner.split_once('/') {
            Some((ns, sa)) => one(false, format!("system:serviceaccount:{ns}:{sa}")),
            None => SubjectRule::Unknown(member.into()),
        };
    }
    if member.starts_with("principalSet://") {
        if member.ends_with("/*") {
            return SubjectRule::Any;
        }
        if let Some(i) = member.find("/attribute.repository/") {
            let repo = &member[i + "/attribute.repository/".len()..];
            return one(true, format!("repo:{repo}:*"));
        }
        if let Some(i) = member.find("/attribute.repository_owner/") {
            let owner = &member[i + "/attribute.repository_owner/".len()..];
            return one(true, format!("repo:{owner}/*"));
        }
        return SubjectRule::Unknown(member.into());
    }
    if member.starts_with("principal://")
        && let Some(i) = member.find("/subject/")
    {
        return one(false, member[i + "/subject/".len()..].to_string());
    }
    SubjectRule::Unknown(member.into())
}

/// Is this trust a workload-federation trust, and for which family of workloads?
pub fn family(t: &Trust, rule: &SubjectRule) -> Family {
    let federated = matches!(
        t.principal_kind.as_str(),
        "federated-oidc" | "azure-federated" | "k8s-subject"
    ) || (t.principal_kind == "gcp-member"
        && (t.principal.starts_with("principal") || t.principal.contains(".svc.id.goog[")));
    if !federated {
        return Family::None;
    }
    if t.principal_kind == "k8s-subject" {
        return Family::Kubernetes;
    }
    let issuer = t
        .attrs
        .get("issuer")
        .and_then(|v| v.as_str())
        .unwrap_or("")
        .to_string()
        + " "
        + &t.principal;
    let issuer = issuer.to_lowercase();
    if issuer.contains("token.actions.githubusercontent.com") {
        return Family::Github;
    }
    if issuer.contains("oidc.eks.")
        || issuer.contains("container.googleapis.com")
        || issuer.contains("oic.prod-aks")
        || issuer.contains(".svc.id.goog")
        || issuer.contains("oidc_issuer_url")
        || issuer.contains("aws_eks_cluster")
        || issuer.contains("azurerm_kubernetes_cluster")
    {
        return Family::Kubernetes;
    }
    if issuer.contains("gitlab") {
        return Family::Gitlab;
    }
    for v in rule.values() {
        if v.starts_with("repo:") {
            return Family::Github;
        }
        if v.starts_with("project_path:") {
            return Family::Gitlab;
        }
        if v.starts_with("system:serviceaccount:") {
            return Family::Kubernetes;
        }
    }
    Family::Unknown
}

/// Repositories (`owner/name`, possibly with wildcards) a GitHub subject rule names.
pub fn named_repos(rule: &SubjectRule) -> Vec<String> {
    let mut out: Vec<String> = rule
        .values()
        .into_iter()
        .filter_map(|v| {
            let rest = v.strip_prefix("repo:")?;
            let repo = rest.split(':').next().unwrap_or(rest);
            // Immutable form `org@123/repo@456`.
            let repo: String = repo
                .split('/')
                .map(|p| p.split('@').next().unwrap_or(p))
                .collect::<Vec<_>>()
                .join("/");
            Some(repo)
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

/// GitLab projects (`group/project`) a subject rule names.
pub fn named_projects(rule: &SubjectRule) -> Vec<String> {
    let mut out: Vec<String> = rule
        .values()
        .into_iter()
        .filter_map(|v| {
            let rest = v.strip_prefix("project_path:")?;
            Some(rest.split(':').next().unwrap_or(rest).to_string())
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

/// ServiceAccounts (`ns`, `sa`) a Kubernetes subject rule names, as written.
pub fn named_service_accounts(rule: &SubjectRule) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = rule
        .values()
        .into_iter()
        .filter_map(|v| {
            let rest = v.strip_prefix("system:serviceaccount:")?;
            let (ns, sa) = rest.split_once(':')?;
            Some((ns.to_string(), sa.to_string()))
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

pub const PROBE: &str = "nhilint-probe";

/// How far a trust reaches, measured by probing it with subjects nobody configured.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Reach {
    /// Any caller of the issuer (no subject restriction or a wildcard owner).
    pub any_subject: bool,
    /// Any repository of these owners (GitHub) or groups (GitLab).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub any_repo_of: Vec<String>,
    /// Repositories whose every branch is admitted.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub any_branch: Vec<String>,
    /// Repositories whose every environment is admitted.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub any_environment: Vec<String>,
    /// Repositories whose pull requests are admitted.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub pull_request: Vec<String>,
    /// Namespaces all of whose ServiceAccounts are admitted (`*` = every namespace).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub any_service_account_in: Vec<String>,
}

impl Reach {
    /// 0 (narrow) … 4 (anyone): for comparing two versions of a trust.
    pub fn rank(&self) -> u8 {
        if self.any_subject {
            4
        } else if !self.any_repo_of.is_empty()
            || self.any_service_account_in.iter().any(|n| n == "*")
        {
            3
        } else if !self.any_branch.is_empty() && !self.any_environment.is_empty() {
            2
        } else if !self.any_branch.is_empty()
            || !self.any_environment.is_empty()
            || !self.any_service_account_in.is_empty()
            || !self.pull_request.is_empty()
        {
            1
        } else {
            0
        }
    }

    pub fn is_broad(&self) -> bool {
        self.any_subject
            || !self.any_repo_of.is_empty()
            || !self.any_branch.is_empty()
            || !self.any_environment.is_empty()
            || !self.any_service_account_in.is_empty()
    }

    /// Human description of the widest reach, e.g. `any repository of acme`.
    pub fn describe(&self) -> Vec<String> {
        let mut v = Vec::new();
        if self.any_subject {
            v.push("any caller of the issuer".to_string());
        }
        for o in &self.any_repo_of {
            v.push(format!("any repository of `{o}`"));
        }
        for r in &self.any_branch {
            v.push(format!("any branch of `{r}`"));
        }
        for r in &self.any_environment {
            v.push(format!("any environment of `{r}`"));
        }
        for r in &self.pull_request {
            v.push(format!("pull requests of `{r}`"));
        }
        for n in &self.any_service_account_in {
            if n == "*" {
                v.push("any ServiceAccount of any namespace".to_string());
            } else {
                v.push(format!("any ServiceAccount in namespace `{n}`"));
            }
        }
        v
    }
}

/// Probe a subject rule: only definite admissions (`Tri::Yes`) count as reach.
pub fn reach(rule: &SubjectRule, fam: Family) -> Reach {
    let mut r = Reach::default();
    let yes = |s: &str| rule.admits(s) == Tri::Yes;
    match fam {
        Family::Github => {
            if yes(&format!("repo:{PROBE}-org/{PROBE}:ref:refs/heads/main")) {
                r.any_subject = true;
                return r;
            }
            let repos = named_repos(rule);
            let mut owners: Vec<String> = repos
                .iter()
                .filter_map(|x| x.split('/').next())
                .filter(|o| !o.contains('*') && !o.contains('?'))
                .map(str::to_string)
                .collect();
            owners.sort();
            owners.dedup();
            for o in owners {
                if yes(&format!("repo:{o}/{PROBE}:ref:refs/heads/main"))
                    || yes(&format!("repo:{o}/{PROBE}:environment:prod"))
                {
                    r.any_repo_of.push(o);
                }
            }
            for repo in repos
                .iter()
                .filter(|x| !x.contains('*') && !x.contains('?') && !has_unknown(x))
            {
                if yes(&format!("repo:{repo}:ref:refs/heads/{PROBE}")) {
                    r.any_branch.push(repo.clone());
                }
                if yes(&format!("repo:{repo}:environment:{PROBE}")) {
                    r.any_environment.push(repo.clone());
                }
                if yes(&format!("repo:{repo}:pull_request")) {
                    r.pull_request.push(repo.clone());
                }
            }
        }
        Family::Gitlab => {
            if yes(&format!(
                "project_path:{PROBE}/{PROBE}:ref_type:branch:ref:main"
            )) {
                r.any_subject = true;
                return r;
            }
            let projects = named_projects(rule);
            for p in &projects {
                if let Some((g, _)) = p.rsplit_once('/')
                    && !g.contains('*')
                    && yes(&format!(
                        "project_path:{g}/{PROBE}:ref_type:branch:ref:main"
                    ))
                {
                    r.any_repo_of.push(g.to_string());
                }
                if !p.contains('*') && yes(&format!("project_path:{p}:ref_type:branch:ref:{PROBE}"))
                {
                    r.any_branch.push(p.clone());
                }
            }
            r.any_repo_of.sort();
            r.any_repo_of.dedup();
        }
        Family::Kubernetes => {
            if yes(&format!("system:serviceaccount:{PROBE}:{PROBE}")) {
                if yes(&format!("{PROBE}:{PROBE}")) {
                    r.any_subject = true;
                } else {
                    r.any_service_account_in.push("*".into());
                }
                return r;
            }
            let mut nss: Vec<String> = named_service_accounts(rule)
                .into_iter()
                .map(|(ns, _)| ns)
                .filter(|ns| !ns.contains('*') && !has_unknown(ns))
                .collect();
            nss.sort();
            nss.dedup();
            for ns in nss {
                if yes(&format!("system:serviceaccount:{ns}:{PROBE}")) {
                    r.any_service_account_in.push(ns);
                }
            }
        }
        Family::Unknown => {
            if matches!(rule, SubjectRule::Any) {
                r.any_subject = true;
            }
        }
        Family::None => {}
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cond(op: &str, key: &str, vals: &[&str]) -> Condition {
        Condition {
            operator: op.into(),
            key: key.into(),
            values: vals.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn glob_basics() {
        assert!(glob("repo:acme/*", "repo:acme/app:ref:refs/heads/main"));
        assert!(glob("a?c", "abc"));
        assert!(!glob("a?c", "ac"));
        assert!(glob("*", ""));
        assert!(glob("repo:acme/app:*", "repo:acme/app:pull_request"));
        assert!(!glob(
            "repo:acme/app:ref:refs/heads/main",
            "repo:acme/app:pull_request"
        ));
    }

    #[test]
    fn star_is_literal_under_string_equals() {
        let r = conditions_rule(&[cond(
            "StringEquals",
            "token.actions.githubusercontent.com:sub",
            &["repo:acme/*"],
        )]);
        assert_eq!(r.admits("repo:acme/app:ref:refs/heads/main"), Tri::No);
        assert_eq!(r.admits("repo:acme/*"), Tri::Yes);
        assert!(!reach(&r, Family::Github).is_broad());
    }

    #[test]
    fn reach_levels() {
        let sub = "token.actions.githubusercontent.com:sub";
        let org = conditions_rule(&[cond("StringLike", sub, &["repo:acme/*"])]);
        assert_eq!(reach(&org, Family::Github).any_repo_of, vec!["acme"]);
        let anyref = conditions_rule(&[cond("StringLike", sub, &["repo:acme/app:*"])]);
        let r = reach(&anyref, Family::Github);
        assert_eq!(r.any_branch, vec!["acme/app"]);
        assert_eq!(r.any_environment, vec!["acme/app"]);
        assert_eq!(r.rank(), 2);
        let main = conditions_rule(&[cond(
            "StringEquals",
            sub,
            &["repo:acme/app:ref:refs/heads/main"],
        )]);
        assert_eq!(reach(&main, Family::Github).rank(), 0);
        let none = conditions_rule(&[cond(
            "StringEquals",
            "token.actions.githubusercontent.com:aud",
            &["sts.amazonaws.com"],
        )]);
        assert!(reach(&none, Family::Github).any_subject);
    }

    #[test]
    fn interpolations_are_maybe() {
        let r = conditions_rule(&[cond(
            "StringEquals",
            "${local.issuer}:sub",
            &["repo:${var.repo}:ref:refs/heads/main"],
        )]);
        assert_eq!(r.admits("repo:acme/app:ref:refs/heads/main"), Tri::Maybe);
        assert_eq!(r.admits("repo:acme/app:pull_request"), Tri::No);
        assert!(!reach(&r, Family::Github).is_broad());
    }

    #[test]
    fn negation_and_unknown_operator() {
        let sub = "x:sub";
        let r = conditions_rule(&[
            cond("StringLike", sub, &["repo:acme/app:*"]),
            cond("StringNotLike", sub, &["repo:acme/app:pull_request"]),
        ]);
        assert_eq!(r.admits("repo:acme/app:pull_request"), Tri::No);
        assert_eq!(r.admits("repo:acme/app:ref:refs/heads/x"), Tri::Yes);
        let u = conditions_rule(&[cond("Bool", sub, &["true"])]);
        assert_eq!(u.admits("anything"), Tri::Maybe);
    }

    #[test]
    fn gcp_members() {
        let r = gcp_member_rule("serviceAccount:proj.svc.id.goog[apps/api]");
        assert_eq!(r.admits("system:serviceaccount:apps:api"), Tri::Yes);
        assert_eq!(r.admits("system:serviceaccount:apps:web"), Tri::No);
        let p = gcp_member_rule(
            "principalSet://iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/gh/attribute.repository/acme/app",
        );
        assert_eq!(p.admits("repo:acme/app:environment:prod"), Tri::Yes);
        assert_eq!(p.admits("repo:acme/other:environment:prod"), Tri::No);
        assert_eq!(
            gcp_member_rule(
                "principalSet://iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/gh/*"
            ),
            SubjectRule::Any
        );
    }

    #[test]
    fn cel_conditions() {
        let r = conditions_rule(&[cond(
            "attribute_condition",
            "cel",
            &["assertion.repository_owner == 'acme' && assertion.repository == 'acme/app'"],
        )]);
        assert_eq!(r.admits("repo:acme/app:ref:refs/heads/main"), Tri::Yes);
        assert_eq!(r.admits("repo:acme/web:ref:refs/heads/main"), Tri::No);
        let o = conditions_rule(&[cond(
            "attribute_condition",
            "cel",
            &["assertion.repository_owner == 'acme'"],
        )]);
        assert_eq!(reach(&o, Family::Github).any_repo_of, vec!["acme"]);
        let u = conditions_rule(&[cond(
            "attribute_condition",
            "cel",
            &["assertion.ref.startsWith('refs/heads/')"],
        )]);
        assert_eq!(u.admits("x"), Tri::Maybe);
    }

    #[test]
    fn kubernetes_reach() {
        let sub = "oidc.eks.eu-west-1.amazonaws.com/id/ABC:sub";
        let ns = conditions_rule(&[cond("StringLike", sub, &["system:serviceaccount:apps:*"])]);
        assert_eq!(
            reach(&ns, Family::Kubernetes).any_service_account_in,
            vec!["apps"]
        );
        let all = conditions_rule(&[cond("StringLike", sub, &["system:serviceaccount:*"])]);
        assert_eq!(
            reach(&all, Family::Kubernetes).any_service_account_in,
            vec!["*"]
        );
    }

    #[test]
    fn unknown_to_star_nested() {
        assert_eq!(
            unknown_to_star("repo:${var.org}/${lookup(m, \"{x}\")}:*"),
            "repo:*/*:*"
        );
    }
}
