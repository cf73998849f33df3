//! The subjects a consumer presents: what the `sub` claim of a CI job's OIDC token or a
//! Kubernetes ServiceAccount token can be, derived from the job's triggers, branches and
//! environment or from the ServiceAccount's namespace and name.

use super::oidc::{Family, PROBE};
use crate::facts::{Identity, Trust, Usage};

/// Stands for this repository when its name is unknown; replaced by each repository a trust
/// names when evaluating (the answer is then at best "maybe").
pub const REPO_PLACEHOLDER: &str = "\u{1}repo\u{1}";

/// A subject as shown to people: the placeholder for an unknown repository name reads
/// `<this repository>`.
pub fn display(value: &str) -> String {
    value.replace(REPO_PLACEHOLDER, "<this repository>")
}

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Subject {
    /// e.g. `repo:acme/app:environment:prod`, `system:serviceaccount:apps:api`.
    pub value: String,
    /// The trigger or setting that produces it (`push to main`, `pull_request_target`).
    pub via: String,
    /// The event runs code an outsider controls (`pull_request_target`, `workflow_run`...).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub untrusted: Option<String>,
    /// Part of the subject is a guess (expression, glob branch, unknown default branch).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub uncertain: bool,
}

/// Events whose runs can execute code from outside the repository's reviewed branches.
pub const UNTRUSTED_EVENTS: [&str; 6] = [
    "pull_request_target",
    "workflow_run",
    "issue_comment",
    "pull_request_review",
    "pull_request_review_comment",
    "pull_request",
];

pub fn usage_family(u: &Usage) -> Family {
    let k = u.kind.as_str();
    if k.starts_with("gha-") {
        Family::Github
    } else if k.starts_with("gitlab-") {
        Family::Gitlab
    } else if k.starts_with("k8s-") || k.starts_with("eks-") {
        Family::Kubernetes
    } else {
        Family::Unknown
    }
}

/// A service-principal trust that admits this usage without a subject (EKS Pod Identity).
pub fn service_trust_admits(u: &Usage, t: &Trust) -> bool {
    u.kind == "eks-pod-identity"
        && t.principal_kind == "aws-service"
        && t.principal.contains("pods.eks.amazonaws.com")
}

fn strs(v: Option<&serde_json::Value>) -> Vec<String> {
    match v {
        Some(serde_json::Value::Array(a)) => a
            .iter()
            .filter_map(|x| x.as_str().map(str::to_string))
            .collect(),
        Some(serde_json::Value::String(s)) => vec![s.clone()],
        _ => Vec::new(),
    }
}

/// An attribute of the usage, else of its consumer.
fn usage_attr<'a>(
    u: &'a Usage,
    consumer: Option<&'a Identity>,
    k: &str,
) -> Option<&'a serde_json::Value> {
    u.attrs
        .get(k)
        .or_else(|| consumer.and_then(|c| c.attrs.get(k)))
}

/// Triggers, branches and environment of a CI usage.
pub fn ci_context(
    u: &Usage,
    consumer: Option<&Identity>,
) -> (Vec<String>, Vec<String>, Option<String>) {
    let triggers = strs(usage_attr(u, consumer, "triggers"));
    let branches = strs(usage_attr(u, consumer, "branches"));
    let env = usage_attr(u, consumer, "environment").and_then(|v| match v {
        serde_json::Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        serde_json::Value::Object(m) => m.get("name").and_then(|n| n.as_str()).map(str::to_string),
        _ => None,
    });
    (triggers, branches, env)
}

/// The ServiceAccount (namespace, name) behind a Kubernetes usage.
pub fn k8s_service_account(u: &Usage, consumer: Option<&Identity>) -> Option<(String, String)> {
    let ns = u.attrs.get("namespace").and_then(|v| v.as_str());
    let sa = u
        .attrs
        .get("service_account")
        .or_else(|| u.attrs.get("serviceaccount"))
        .and_then(|v| v.as_str());
    if let (Some(ns), Some(sa)) = (ns, sa) {
        return Some((ns.to_string(), sa.to_string()));
    }
    if let Some(c) = consumer
        && c.provider == "kubernetes"
        && c.kind.contains("service_account")
    {
        let ns = c
            .attrs
            .get("namespace")
            .and_then(|v| v.as_str())
            .or(ns)
            .unwrap_or("default");
        return Some((ns.to_string(), c.name.clone()));
    }
    // `path#ServiceAccount/<ns>/<name>`
    let (_, addr) = u.consumer.split_once('#')?;
    let rest = addr.strip_prefix("ServiceAccount/")?;
    let (ns, name) = rest.split_once('/')?;
    Some((ns.to_string(), name.to_string()))
}

fn branch_ref(b: &str) -> (String, bool) {
    let b = b.trim().trim_start_matches("refs/heads/");
    if b.contains('*') || b.contains('?') || b.contains('[') || b.contains("${{") {
        // A glob branch filter: a branch that the filter accepts and a trust may not expect.
        let probe: String = b
            .replace("**", "*")
            .replace('*', PROBE)
            .replace('?', "x")
            .chars()
            .filter(|c| *c != '[' && *c != ']' && *c != '!')
            .collect();
        (format!("ref:refs/heads/{probe}"), true)
    } else {
        (format!("ref:refs/heads/{b}"), false)
    }
}

/// The subjects a usage can present.
pub fn of_usage(u: &Usage, consumer: Option<&Identity>, repo: Option<&str>) -> Vec<Subject> {
    match usage_family(u) {
        Family::Github => github_subjects(u, consumer, repo),
        Family::Gitlab => gitlab_subjects(u, consumer, repo),
        Family::Kubernetes => match k8s_service_account(u, consumer) {
            Some((ns, sa)) => vec![Subject {
                value: format!("system:serviceaccount:{ns}:{sa}"),
                via: format!("ServiceAccount {ns}/{sa}"),
                untrusted: None,
                uncertain: ns.contains("{{") || sa.contains("{{"),
            }],
            None => Vec::new(),
        },
        _ => Vec::new(),
    }
}

fn github_subjects(u: &Usage, consumer: Option<&Identity>, repo: Option<&str>) -> Vec<Subject> {
    let r = repo.unwrap_or(REPO_PLACEHOLDER);
    let (triggers, branches, env) = ci_context(u, consumer);
    let mut out: Vec<Subject> = Vec::new();
    let mut push = |value: String, via: String, trig: &str, uncertain: bool| {
        let untrusted = UNTRUSTED_EVENTS.contains(&trig).then(|| trig.to_string());
        let s = Subject {
            value,
            via,
            untrusted,
            uncertain: uncertain || repo.is_none(),
        };
        if !out.contains(&s) {
            out.push(s);
        }
    };
    let triggers = if triggers.is_empty() {
        vec![String::new()]
    } else {
        triggers
    };
    for t in &triggers {
        let t = t.as_str();
        if let Some(e) = &env {
            // Every event of a job with an environment presents the environment subject.
            let (e, unc) = if e.contains("${{") {
                (PROBE.to_string(), true)
            } else {
                (e.clone(), false)
            };
            let via = if t.is_empty() {
                format!("environment {e}")
            } else {
                format!("{t} in environment {e}")
            };
            push(format!("repo:{r}:environment:{e}"), via, t, unc);
            continue;
        }
        match t {
            "pull_request" => push(
                format!("repo:{r}:pull_request"),
                "pull_request".into(),
                t,
                false,
            ),
            "push" => {
                if branches.is_empty() {
                    push(
                        format!("repo:{r}:ref:refs/heads/main"),
                        "push to main".into(),
                        t,
                        false,
                    );
                    push(
                        format!("repo:{r}:ref:refs/heads/{PROBE}"),
                        "push to any branch".into(),
                        t,
                        false,
                    );
                } else {
                    for b in &branches {
                        let (rf, unc) = branch_ref(b);
                        push(format!("repo:{r}:{rf}"), format!("push to {b}"), t, unc);
                    }
                }
            }
            "pull_request_target" | "pull_request_review" | "pull_request_review_comment" => {
                // Runs in the context of the base branch: the subject names the base ref.
                let bases: Vec<String> = if branches.is_empty() {
                    vec!["main".into(), "master".into()]
                } else {
                    branches.clone()
                };
                for b in &bases {
                    let (rf, unc) = branch_ref(b);
                    push(format!("repo:{r}:{rf}"), format!("{t} on {b}"), t, unc);
                }
            }
            "workflow_dispatch" => {
                push(
                    format!("repo:{r}:ref:refs/heads/main"),
                    "workflow_dispatch on main".into(),
                    t,
                    false,
                );
                push(
                    format!("repo:{r}:ref:refs/heads/{PROBE}"),
                    "workflow_dispatch on any branch".into(),
                    t,
                    false,
                );
            }
            "release" => push(
                format!("repo:{r}:ref:refs/tags/{PROBE}"),
                "release tag".into(),
                t,
                true,
            ),
            "" | "workflow_call" | "merge_group" => {
                push(
                    format!("repo:{r}:ref:refs/heads/main"),
                    format!("{} on main", if t.is_empty() { "a run" } else { t }),
                    t,
                    true,
                );
                push(
                    format!("repo:{r}:ref:refs/heads/{PROBE}"),
                    format!("{} on any branch", if t.is_empty() { "a run" } else { t }),
                    t,
                    true,
                );
            }
            // schedule, workflow_run, issue_comment, issues, ...: the default branch.
            other => {
                for b in ["main", "master"] {
                    push(
                        format!("repo:{r}:ref:refs/heads/{b}"),
                        format!("{other} on {b}"),
                        other,
                        false,
                    );
                }
            }
        }
    }
    out
}

fn gitlab_subjects(u: &Usage, consumer: Option<&Identity>, repo: Option<&str>) -> Vec<Subject> {
    let r = repo.unwrap_or(REPO_PLACEHOLDER);
    let (_, branches, _) = ci_context(u, consumer);
    let branches = if branches.is_empty() {
        vec![PROBE.to_string(), "main".to_string()]
    } else {
        branches
    };
    branches
        .iter()
        .map(|b| {
            let (rf, unc) = branch_ref(b);
            let b2 = rf.trim_start_matches("ref:refs/heads/");
            Subject {
                value: format!("project_path:{r}:ref_type:branch:ref:{b2}"),
                via: format!("pipeline on {b}"),
                untrusted: None,
                uncertain: unc || repo.is_none(),
            }
        })
        .collect()
}

/// Grouping key of a workload: the workflow file of a CI job, `k8s:<ns>/<sa>` for Kubernetes.
pub fn workload_key(u: &Usage, consumer: Option<&Identity>) -> String {
    if usage_family(u) == Family::Kubernetes
        && let Some((ns, sa)) = k8s_service_account(u, consumer)
    {
        return format!("k8s:{ns}/{sa}");
    }
    if let Some(w) = usage_attr(u, consumer, "workflow").and_then(|v| v.as_str()) {
        return w.to_string();
    }
    u.consumer
        .split_once('#')
        .map(|(p, _)| p.to_string())
        .unwrap_or_else(|| u.loc.path.clone())
}

#[cfg(test)]
mod display_tests {
    #[test]
    fn placeholder_never_shown() {
        let v = format!("repo:{}:ref:refs/heads/main", super::REPO_PLACEHOLDER);
        assert_eq!(
            super::display(&v),
            "repo:<this repository>:ref:refs/heads/main"
        );
    }
}
