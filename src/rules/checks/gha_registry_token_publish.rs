//! Packages published with a long-lived registry token from the secret store, where the registry
//! accepts OIDC trusted publishing from GitHub Actions (PyPI, npm, crates.io, RubyGems, NuGet).

use crate::ci::gha::{Step, Workflow, secret_keys};
use crate::ci::{expressions, expr_reads_secret, text_or_empty};
use crate::context::FileCx;
use crate::finding::Finding;
use crate::lang::Node;
use crate::rules::Rule;

/// (registry, commands in scripts, environment variables holding the token).
const REGISTRIES: &[(&str, &[&str], &[&str])] = &[
    (
        "PyPI",
        &["twine upload", "uv publish", "poetry publish", "flit publish", "hatch publish", "pdm publish"],
        &["TWINE_PASSWORD", "UV_PUBLISH_TOKEN", "POETRY_PYPI_TOKEN_PYPI", "FLIT_PASSWORD", "HATCH_INDEX_AUTH", "PDM_PUBLISH_PASSWORD", "PYPI_TOKEN", "PYPI_API_TOKEN"],
    ),
    (
        "npm",
        &["npm publish", "yarn npm publish", "pnpm publish", "yarn publish"],
        &["NODE_AUTH_TOKEN", "NPM_TOKEN", "NPM_AUTH_TOKEN", "YARN_NPM_AUTH_TOKEN"],
    ),
    ("crates.io", &["cargo publish"], &["CARGO_REGISTRY_TOKEN", "CRATES_IO_TOKEN", "CARGO_TOKEN"]),
    ("RubyGems", &["gem push"], &["GEM_HOST_API_KEY", "RUBYGEMS_API_KEY", "RUBYGEMS_AUTH_TOKEN"]),
    ("NuGet", &["nuget push"], &["NUGET_API_KEY", "NUGET_AUTH_TOKEN", "NUGET_TOKEN"]),
];

/// Actions that publish with a token input: (slug, registry, input).
const ACTIONS: &[(&str, &str, &str)] = &[
    ("pypa/gh-action-pypi-publish", "PyPI", "password"),
    ("js-devtools/npm-publish", "npm", "token"),
    ("katyo/publish-crates", "crates.io", "registry-token"),
    ("brndnmtthws/rust-action-cargo-publish", "crates.io", "token"),
];

/// The first node among `env` maps whose key is one of `names` and whose value reads a secret.
fn secret_env<'a>(envs: &[Option<&'a Node>], names: &[&str]) -> Option<(&'a Node, String)> {
    for env in envs.iter().flatten() {
        for e in env.entries() {
            if names.iter().any(|n| e.key.eq_ignore_ascii_case(n))
                && expressions(&text_or_empty(&e.value)).iter().any(|(_, x)| expr_reads_secret(x))
            {
                return Some((&e.value, e.key.clone()));
            }
        }
    }
    None
}

fn registry_of<'a>(s: &Step<'a>, envs: &[Option<&'a Node>]) -> Option<(&'static str, &'a Node, String)> {
    if let Some(a) = s.action() {
        let (_, reg, input) = ACTIONS.iter().find(|(slug, _, _)| *slug == a)?;
        let n = s.with_node(input)?;
        let t = text_or_empty(n);
        return expressions(&t)
            .iter()
            .any(|(_, x)| expr_reads_secret(x))
            .then(|| (*reg, n, format!("with.{input}")));
    }
    let run = s.run?;
    let r = text_or_empty(run);
    for (reg, cmds, vars) in REGISTRIES {
        let Some(cmd_line) = r.lines().find(|l| cmds.iter().any(|c| l.contains(c))) else {
            continue;
        };
        if let Some((n, k)) = secret_env(envs, vars) {
            return Some((*reg, n, format!("env.{k}")));
        }
        // A secret on the publishing command line itself (`--token ${{ secrets.X }}`).
        if expressions(cmd_line).iter().any(|(_, x)| expr_reads_secret(x)) {
            return Some((*reg, run, "the command line".into()));
        }
        // `--api-key $NUGET_KEY` with the variable from a secret.
        let mut all: Vec<String> = Vec::new();
        for e in envs.iter() {
            all.extend(secret_keys(*e, false));
        }
        if all.iter().any(|k| cmd_line.contains(&format!("${k}")) || cmd_line.contains(&format!("${{{k}}}"))) {
            return Some((*reg, run, "the command line".into()));
        }
    }
    None
}

pub fn check_file(cx: &FileCx, rule: &Rule, out: &mut Vec<Finding>) {
    for w in Workflow::all(cx.file, cx.parsed) {
        for job in &w.jobs {
            for s in &job.steps {
                let envs = [s.env, job.env, w.env];
                let Some((reg, node, via)) = registry_of(s, &envs) else {
                    continue;
                };
                // An action: from its `uses:` to the token input, so the step is named too.
                let span = match &s.uses {
                    Some((_, u)) if u.span.start < node.span.start => u.span.start..node.span.end,
                    _ => node.span.clone(),
                };
                out.push(
                    rule.finding(
                        cx.file,
                        span,
                        format!(
                            "job `{}` publishes to {reg} with a stored token ({via}) instead of OIDC trusted publishing",
                            job.id
                        ),
                    )
                    .with_fp_key(format!("{}:{}:{reg}", job.id, s.index)),
                );
            }
        }
    }
}
