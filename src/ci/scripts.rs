//! Shell scripts of every CI format other than GitHub Actions (whose `run:` steps have their own
//! rule): GitLab `before_script`/`script`/`after_script`, CircleCI `run`, Azure Pipelines
//! `script`/`bash`/`Bash@3` inline scripts, Bitbucket `script`. Each comes back with the job it
//! belongs to, ready for [`super::bash::analyze`].
//!
//! Which variables hold secrets is not written in these files (the values live in the CI's
//! settings), so a variable counts as a secret when its name says so (`DOCKER_PASSWORD`,
//! `NPM_TOKEN`, see [`super::literal::secretish_key`]) or it is one of the CI's own credentials
//! (`CI_JOB_TOKEN`, `SYSTEM_ACCESSTOKEN`...). Variables the file itself sets to a literal that is
//! not a secret are not secrets.

use super::{Script, others, text, text_or_empty};
use crate::lang::Parsed;
use crate::lang::{Node, V};
use crate::source::{FileKind, SourceFile};
use std::collections::HashSet;

/// The CI systems' own credentials, available to every job.
pub const CI_CREDENTIALS: &[&str] = &[
    "CI_JOB_TOKEN",
    "CI_JOB_JWT",
    "CI_JOB_JWT_V2",
    "CI_REGISTRY_PASSWORD",
    "CI_DEPLOY_PASSWORD",
    "CI_DEPENDENCY_PROXY_PASSWORD",
    "SYSTEM_ACCESSTOKEN",
    "BITBUCKET_STEP_OIDC_TOKEN",
    "CIRCLE_OIDC_TOKEN",
    "CIRCLE_OIDC_TOKEN_V2",
];

/// A script and the job it runs in.
pub struct JobScript {
    pub job: String,
    pub script: Script,
}

/// Variable names a script reads that hold secrets.
pub fn secret_vars(text: &str) -> HashSet<String> {
    super::shell_vars(text)
        .into_iter()
        .filter(|n| CI_CREDENTIALS.contains(&n.as_str()) || super::literal::secretish_key(n))
        .collect()
}

/// Scripts of a list-or-string node (`script: cmd` or `script: [a, b]`), joined into one shell.
fn lines_of(file: &SourceFile, n: &Node) -> Option<Script> {
    match &n.v {
        V::Seq(items) => {
            let parts: Vec<Script> = items.iter().filter_map(|i| Script::of(file, i)).collect();
            (!parts.is_empty()).then(|| Script::join(parts))
        }
        _ => Script::of(file, n),
    }
}

/// Every shell script of a non-GitHub CI file.
pub fn job_scripts(file: &SourceFile, parsed: &Parsed) -> Vec<JobScript> {
    let mut out = Vec::new();
    for root in parsed.roots() {
        match file.kind {
            FileKind::GitlabCi => {
                let default_before = root
                    .get("before_script")
                    .or_else(|| root.path("default.before_script"));
                for (name, _, job) in others::gitlab_jobs(root) {
                    let mut parts = Vec::new();
                    for key in ["before_script", "script", "after_script"] {
                        let n = job.get(key).or(if key == "before_script" {
                            default_before
                        } else {
                            None
                        });
                        if let Some(s) = n.and_then(|n| lines_of(file, n)) {
                            parts.push(s);
                        }
                    }
                    if !parts.is_empty() {
                        out.push(JobScript {
                            job: name.to_string(),
                            script: Script::join(parts),
                        });
                    }
                }
            }
            FileKind::CircleCi => {
                for scope in ["jobs", "commands"] {
                    for e in root.get(scope).map(|n| n.entries()).unwrap_or(&[]) {
                        for st in e.value.get("steps").and_then(Node::as_seq).unwrap_or(&[]) {
                            let Some(run) = st.get("run") else { continue };
                            let n = if run.is_map() {
                                run.get("command")
                            } else {
                                Some(run)
                            };
                            if let Some(s) = n.and_then(|n| Script::of(file, n)) {
                                out.push(JobScript {
                                    job: e.key.clone(),
                                    script: s,
                                });
                            }
                        }
                    }
                }
            }
            FileKind::AzurePipelines => {
                root.walk(&mut |n: &Node| {
                    let shell = n.get("script").or_else(|| n.get("bash")).or_else(|| {
                        let task = n.get("task").map(text_or_empty).unwrap_or_default();
                        task.to_ascii_lowercase()
                            .starts_with("bash@")
                            .then(|| n.path("inputs.script"))
                            .flatten()
                    });
                    let Some(sn) = shell else { return };
                    if sn.is_map() || sn.as_seq().is_some() {
                        return;
                    }
                    let job = n
                        .get("displayName")
                        .and_then(|d| text(d).map(|c| c.into_owned()))
                        .unwrap_or_else(|| "step".into());
                    if let Some(s) = Script::of(file, sn) {
                        out.push(JobScript {
                            job,
                            script: s.azure_macros(),
                        });
                    }
                });
            }
            FileKind::Bitbucket => {
                root.walk(&mut |n: &Node| {
                    let Some(step) = n.get("step") else { return };
                    let Some(sc) = step.get("script") else { return };
                    let items: Vec<&Node> = sc
                        .as_seq()
                        .unwrap_or(&[])
                        .iter()
                        .filter(|i| !i.is_map())
                        .collect();
                    let parts: Vec<Script> =
                        items.iter().filter_map(|i| Script::of(file, i)).collect();
                    if parts.is_empty() {
                        return;
                    }
                    let job = step
                        .get("name")
                        .map(text_or_empty)
                        .unwrap_or_else(|| "step".into());
                    out.push(JobScript {
                        job,
                        script: Script::join(parts),
                    });
                });
            }
            _ => {}
        }
    }
    out
}

/// Variables the file sets to a literal that is not a secret (`DOCKER_TLS_CERTDIR: /certs`,
/// `TOKEN_AUDIENCE: sts.amazonaws.com`): not secrets whatever their name.
pub fn literal_vars(parsed: &Parsed) -> HashSet<String> {
    let mut out = HashSet::new();
    for root in parsed.roots() {
        root.walk(&mut |n: &Node| {
            for e in n.entries() {
                if !matches!(e.key.as_str(), "variables" | "environment" | "env") {
                    continue;
                }
                for v in e.value.entries() {
                    let val = if v.value.is_map() {
                        v.value.get("value")
                    } else {
                        Some(&v.value)
                    };
                    let Some(t) = val.and_then(text) else {
                        continue;
                    };
                    if !super::is_reference(&t)
                        && super::literal::literal_secret(&v.key, &t).is_none()
                    {
                        out.insert(v.key.clone());
                    }
                }
            }
        });
    }
    out
}
