//! The environment model: which `[environments.<name>]` of the config an identity or a consumer
//! belongs to (by CI environment, branch, Kubernetes namespace, AWS account, path or tag).

use crate::config::{Config, EnvironmentConfig};
use crate::facts::{Identity, Usage};
use globset::Glob;

fn glob_match(pattern: &str, text: &str) -> bool {
    match Glob::new(pattern) {
        Ok(g) => g.compile_matcher().is_match(text),
        Err(_) => pattern == text,
    }
}

fn path_in(env: &EnvironmentConfig, path: &str) -> bool {
    env.paths.iter().any(|p| {
        let p = p.trim_start_matches("./");
        glob_match(p, path) || glob_match(&format!("{}/**", p.trim_end_matches('/')), path)
    })
}

/// The AWS account id of an ARN or ARN pattern (`arn:aws:iam::123456789012:role/x`).
pub fn aws_account(arn: &str) -> Option<&str> {
    let acct = arn.split(':').nth(4)?;
    (acct.len() == 12 && acct.chars().all(|c| c.is_ascii_digit())).then_some(acct)
}

/// Is a configured (or conventionally named) environment production?
pub fn is_production(config: &Config, name: &str) -> bool {
    match config.environments.get(name) {
        Some(e) => e.production,
        None => false,
    }
}

/// The configured environment a CI environment name maps to, else the name itself.
pub fn ci_environment(config: &Config, e: &str) -> String {
    for (name, env) in &config.environments {
        if name.eq_ignore_ascii_case(e)
            || env
                .ci_environments
                .iter()
                .any(|c| c.eq_ignore_ascii_case(e))
        {
            return name.clone();
        }
    }
    e.to_string()
}

/// Configured environments whose branches include this branch.
pub fn branch_environments(config: &Config, branch: &str) -> Vec<String> {
    config
        .environments
        .iter()
        .filter(|(_, e)| e.branches.iter().any(|b| glob_match(b, branch)))
        .map(|(n, _)| n.clone())
        .collect()
}

/// Environments of an identity.
pub fn identity_environments(config: &Config, i: &Identity) -> Vec<String> {
    let mut out = Vec::new();
    if config.environments.is_empty() {
        return out;
    }
    let acct = i
        .attrs
        .get("arn_pattern")
        .and_then(|v| v.as_str())
        .and_then(aws_account);
    let tag = ["env", "environment", "Environment", "Env", "stage"]
        .iter()
        .find_map(|k| i.labels.get(*k))
        .map(|s| s.as_str());
    let ns = i.attrs.get("namespace").and_then(|v| v.as_str());
    for (name, env) in &config.environments {
        let hit = path_in(env, config.config_relative(&i.loc.path))
            || acct.is_some_and(|a| env.aws_accounts.iter().any(|x| x == a))
            || tag.is_some_and(|t| {
                t.eq_ignore_ascii_case(name)
                    || env
                        .ci_environments
                        .iter()
                        .any(|c| c.eq_ignore_ascii_case(t))
            })
            || ns.is_some_and(|n| env.namespaces.iter().any(|x| x == n));
        if hit {
            out.push(name.clone());
        }
    }
    out
}

/// Environments of a consumer: its CI environment (mapped to config names, else as written),
/// else the configured environments of its branches, Kubernetes namespace or path.
pub fn usage_environments(config: &Config, u: &Usage, consumer: Option<&Identity>) -> Vec<String> {
    let (_, branches, env) = super::subjects::ci_context(u, consumer);
    let mut out = Vec::new();
    if let Some(e) = env {
        if !e.contains("${{") {
            out.push(ci_environment(config, &e));
        }
        return out;
    }
    let kube = super::subjects::usage_family(u) == super::oidc::Family::Kubernetes;
    if let Some((ns, _)) = super::subjects::k8s_service_account(u, consumer).filter(|_| kube) {
        for (name, env) in &config.environments {
            if env.namespaces.contains(&ns) {
                out.push(name.clone());
            }
        }
    }
    for b in &branches {
        for n in branch_environments(config, b) {
            if !out.contains(&n) {
                out.push(n);
            }
        }
    }
    if out.is_empty() {
        for (name, env) in &config.environments {
            if path_in(env, config.config_relative(&u.loc.path)) {
                out.push(name.clone());
            }
        }
    }
    out.sort();
    out.dedup();
    out
}
