//! Literal-secret sites of every CI format, and the GitLab CI, CircleCI, Azure Pipelines and
//! Bitbucket Pipelines models the `gitlab-`, `circleci-`, `azp-` and `bitbucket-` rules use.

use super::{literal, text, text_or_empty};
use crate::facts::{Attrs, Credential, Facts, Identity, Loc, Usage};
use crate::lang::Parsed;
use crate::lang::{Node, Span, V};
use crate::source::{FileKind, SourceFile};
use regex::Regex;
use serde_json::json;
use std::sync::OnceLock;

/// A literal secret in a CI file.
#[derive(Clone, Debug)]
pub struct LiteralSite {
    /// Dotted address (`jobs.build.env.API_TOKEN`).
    pub address: String,
    pub key: String,
    pub value: String,
    pub span: Span,
    pub reason: &'static str,
}

/// Map keys under which values are environment / inputs / variables.
const VALUE_CONTEXTS: &[&str] = &[
    "env",
    "with",
    "variables",
    "environment",
    "inputs",
    "parameters",
    "build-args",
];

/// Keys whose value is a registry / service credential map.
const CRED_CONTEXTS: &[&str] = &["credentials", "auth", "image", "docker"];

const MAX_DEPTH: usize = 64;

/// Every literal secret of a CI file (all providers).
pub fn literal_sites(file: &SourceFile, parsed: &Parsed) -> Vec<LiteralSite> {
    let mut out = Vec::new();
    if file.kind.target() != "ci" {
        return out;
    }
    for root in parsed.roots() {
        let mut path = Vec::new();
        visit(root, &mut path, 0, file.kind, &mut out);
        if file.kind == FileKind::Bitbucket {
            script_exports(root, &mut out);
        }
    }
    out
}

fn push(out: &mut Vec<LiteralSite>, path: &[String], key: &str, n: &Node, strict: bool) {
    if n.is_map() || n.as_seq().is_some() {
        return;
    }
    let Some(v) = text(n) else { return };
    let reason = if strict {
        literal::literal_password(&v).then_some("a literal registry or service password")
    } else {
        literal::literal_secret(key, &v)
    };
    if let Some(reason) = reason {
        let mut address = path.join(".");
        if !address.is_empty() {
            address.push('.');
        }
        address.push_str(key);
        out.push(LiteralSite {
            address,
            key: key.to_string(),
            value: v.into_owned(),
            span: n.span.clone(),
            reason,
        });
    }
}

fn visit(
    n: &Node,
    path: &mut Vec<String>,
    depth: usize,
    kind: FileKind,
    out: &mut Vec<LiteralSite>,
) {
    if depth > MAX_DEPTH {
        return;
    }
    let parent = path.last().cloned().unwrap_or_default();
    let parent = parent.as_str();
    let grand = if path.len() >= 2 {
        path[path.len() - 2].clone()
    } else {
        String::new()
    };
    let grand = grand.as_str();
    match &n.v {
        V::Map(es) => {
            for e in es {
                let in_values = VALUE_CONTEXTS.contains(&parent)
                    // GHA `on.workflow_dispatch.inputs` and action `inputs` are declarations.
                    && !(parent == "inputs" && matches!(kind, FileKind::GithubAction | FileKind::GithubWorkflow));
                let action_input_default =
                    kind == FileKind::GithubAction && grand == "inputs" && e.key == "default";
                let gitlab_value = !parent.is_empty() && grand == "variables" && e.key == "value";
                let cred = CRED_CONTEXTS.contains(&parent)
                    && matches!(e.key.as_str(), "password" | "pass" | "token");
                if cred {
                    push(out, path, &e.key, &e.value, true);
                } else if action_input_default || gitlab_value {
                    let name = parent.to_string();
                    push(out, &path[..path.len() - 1], &name, &e.value, false);
                } else if in_values {
                    push(out, path, &e.key, &e.value, false);
                }
                path.push(e.key.clone());
                visit(&e.value, path, depth + 1, kind, out);
                path.pop();
            }
        }
        V::Seq(items) => {
            for (i, it) in items.iter().enumerate() {
                // Azure Pipelines `variables: [{name, value}]`.
                if parent == "variables"
                    && let (Some(name), Some(value)) = (it.get("name"), it.get("value"))
                {
                    push(out, path, &text_or_empty(name), value, false);
                    continue;
                }
                path.push(i.to_string());
                visit(it, path, depth + 1, kind, out);
                path.pop();
            }
        }
        _ => {}
    }
}

fn export_re() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    R.get_or_init(|| {
        Regex::new(r#"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(?:"([^"$`]*)"|'([^']*)'|([^\s"'$`;|&]+))\s*$"#)
            .expect("regex")
    })
}

/// Bitbucket `script:` lines `export TOKEN=literal`.
fn script_exports(root: &Node, out: &mut Vec<LiteralSite>) {
    root.walk(&mut |n: &Node| {
        for e in n.entries() {
            if e.key != "script" {
                continue;
            }
            for (line, ln) in e.value.str_or_seq() {
                let Some(c) = export_re().captures(line) else {
                    continue;
                };
                let key = c.get(1).map(|m| m.as_str()).unwrap_or("");
                let Some(v) = c.get(2).or(c.get(3)).or(c.get(4)) else {
                    continue;
                };
                if let Some(reason) = literal::literal_secret(key, v.as_str()) {
                    out.push(LiteralSite {
                        address: format!("script.{key}"),
                        key: key.to_string(),
                        value: v.as_str().to_string(),
                        span: ln.span.clone(),
                        reason,
                    });
                }
            }
        }
    });
}

/// Credential facts for the literal secrets of a CI file.
pub fn literal_credentials(file: &SourceFile, parsed: &Parsed, f: &mut Facts) {
    for s in literal_sites(file, parsed) {
        f.credentials.push(literal_credential(
            file, &s.address, &s.key, &s.value, s.span,
        ));
    }
}

/// A credential fact for a literal secret (never the value: only its redacted form).
fn literal_credential(
    file: &SourceFile,
    address: &str,
    key: &str,
    value: &str,
    span: crate::lang::Span,
) -> Credential {
    let mut attrs = Attrs::new();
    attrs.insert("key".into(), json!(key));
    Credential {
        id: format!("{}#{address}", file.path),
        kind: "literal".into(),
        identity: None,
        lifetime: None,
        storage: "literal".into(),
        redacted: Some(crate::redact::redact(value)),
        loc: Loc::new(file, span),
        attrs,
    }
}

// ---------------------------------------------------------------------------------------------
// GitLab CI

const GITLAB_RESERVED: &[&str] = &[
    "stages",
    "variables",
    "default",
    "include",
    "workflow",
    "image",
    "services",
    "before_script",
    "after_script",
    "cache",
    "spec",
];

/// Jobs of a GitLab CI document: (name, key span, node). Hidden jobs (`.x`) are templates.
pub fn gitlab_jobs(root: &Node) -> Vec<(&str, Span, &Node)> {
    root.entries()
        .iter()
        .filter(|e| {
            e.value.is_map()
                && !GITLAB_RESERVED.contains(&e.key.as_str())
                && !e.key.starts_with('.')
        })
        .map(|e| (e.key.as_str(), e.key_span.clone(), &e.value))
        .collect()
}

fn branch_re() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    R.get_or_init(|| {
        Regex::new(r#"\$CI_COMMIT_(?:BRANCH|REF_NAME)\s*==\s*["']([^"']+)["']"#).expect("regex")
    })
}

/// Audiences of an `id_tokens` entry (`aud` string or list).
pub fn audiences(tok: &Node) -> Vec<(String, Span)> {
    match tok.get("aud") {
        Some(a) => match &a.v {
            V::Seq(items) => items
                .iter()
                .map(|i| (text_or_empty(i), i.span.clone()))
                .collect(),
            _ => vec![(text_or_empty(a), a.span.clone())],
        },
        None => Vec::new(),
    }
}

pub fn gitlab_facts(file: &SourceFile, parsed: &Parsed, f: &mut Facts) {
    for root in parsed.roots() {
        let default_tokens = root.path("default.id_tokens");
        for (name, key_span, job) in gitlab_jobs(root) {
            let jid = format!("{}#{name}", file.path);
            let jtext = file.text.get(job.span.clone()).unwrap_or("");
            let mut branches: Vec<String> = branch_re()
                .captures_iter(jtext)
                .filter_map(|c| c.get(1).map(|m| m.as_str().to_string()))
                .collect();
            if let Some(only) = job.get("only") {
                let list = only.get("refs").unwrap_or(only);
                for (s, _) in list.str_or_seq() {
                    branches.push(s.to_string());
                }
            }
            branches.sort();
            branches.dedup();
            let environment = job.get("environment").and_then(|e| match &e.v {
                V::Map(_) => e.get("name").map(text_or_empty),
                _ => text(e).map(|c| c.into_owned()),
            });
            let tokens = job.get("id_tokens").or(default_tokens);
            let mut triggers: Vec<String> = Vec::new();
            if jtext.contains("merge_request_event") {
                triggers.push("merge_request_event".into());
            }
            let mut attrs = Attrs::new();
            attrs.insert("workflow".into(), json!(file.path));
            attrs.insert("job".into(), json!(name));
            attrs.insert("triggers".into(), json!(triggers));
            attrs.insert("branches".into(), json!(branches));
            attrs.insert("environment".into(), json!(environment));
            attrs.insert("id_token".into(), json!(tokens.is_some()));
            f.identities.push(Identity {
                id: jid.clone(),
                kind: "gitlab_job".into(),
                provider: "gitlab".into(),
                name: name.to_string(),
                loc: Loc::new(file, key_span),
                owner: None,
                labels: Default::default(),
                attrs,
            });
            let Some(tokens) = tokens else { continue };
            for e in tokens.entries() {
                let auds = audiences(&e.value);
                let mut attrs = Attrs::new();
                attrs.insert("token".into(), json!(e.key));
                attrs.insert(
                    "audiences".into(),
                    json!(auds.iter().map(|(a, _)| a.clone()).collect::<Vec<_>>()),
                );
                attrs.insert("triggers".into(), json!(triggers));
                attrs.insert("branches".into(), json!(branches));
                attrs.insert("environment".into(), json!(environment));
                f.usages.push(Usage {
                    id: format!("{jid}/{}", e.key),
                    kind: "gitlab-id-token".into(),
                    consumer: jid.clone(),
                    identity_ref: auds
                        .iter()
                        .map(|(a, _)| a.as_str())
                        .collect::<Vec<_>>()
                        .join(","),
                    loc: Loc::new(file, e.key_span.clone()),
                    attrs,
                });
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Bitbucket and Azure Pipelines facts

/// Bitbucket steps with `oidc: true` are identities (`bitbucket_step`) that can mint an OIDC
/// token; Azure Pipelines tasks using a service connection are usages (`azp-service-connection`).
pub fn other_facts(file: &SourceFile, parsed: &Parsed, f: &mut Facts) {
    for root in parsed.roots() {
        match file.kind {
            FileKind::Bitbucket => bitbucket_facts(file, root, f),
            FileKind::AzurePipelines => {
                let pr = azp_pr_trigger(root).is_some();
                for (i, (task, input, value, _)) in azp_connections(root).into_iter().enumerate() {
                    let mut attrs = Attrs::new();
                    attrs.insert("task".into(), json!(task));
                    attrs.insert("input".into(), json!(input));
                    let triggers: Vec<&str> = if pr { vec!["pr"] } else { Vec::new() };
                    attrs.insert("triggers".into(), json!(triggers));
                    attrs.insert("branches".into(), json!(Vec::<String>::new()));
                    attrs.insert("environment".into(), json!(null));
                    f.usages.push(Usage {
                        id: format!("{}#connections/{i}", file.path),
                        kind: "azp-service-connection".into(),
                        consumer: file.path.clone(),
                        identity_ref: text_or_empty(value),
                        loc: Loc::new(file, value.span.clone()),
                        attrs,
                    });
                }
            }
            _ => {}
        }
    }
}

fn bitbucket_facts(file: &SourceFile, root: &Node, f: &mut Facts) {
    let Some(pipelines) = root.get("pipelines") else {
        return;
    };
    for group in pipelines.entries() {
        // `default: [steps]` or `branches: { main: [steps] }`.
        let lists: Vec<(Option<&str>, &Node)> = match &group.value.v {
            V::Seq(_) => vec![(None, &group.value)],
            V::Map(es) => es
                .iter()
                .map(|e| (Some(e.key.as_str()), &e.value))
                .collect(),
            _ => Vec::new(),
        };
        for (sub, list) in lists {
            for (i, item) in list.as_seq().unwrap_or(&[]).iter().enumerate() {
                let Some(step) = item.get("step") else {
                    continue;
                };
                if !step.get("oidc").and_then(Node::as_bool).unwrap_or(false) {
                    continue;
                }
                let address = match sub {
                    Some(s) => format!("pipelines.{}.{s}[{i}]", group.key),
                    None => format!("pipelines.{}[{i}]", group.key),
                };
                let mut attrs = Attrs::new();
                attrs.insert("workflow".into(), json!(file.path));
                attrs.insert("job".into(), json!(address));
                attrs.insert("triggers".into(), json!([group.key.clone()]));
                let branches: Vec<&str> = match (group.key.as_str(), sub) {
                    ("branches", Some(b)) => vec![b],
                    _ => Vec::new(),
                };
                attrs.insert("branches".into(), json!(branches));
                attrs.insert(
                    "environment".into(),
                    json!(step.get("deployment").map(text_or_empty)),
                );
                attrs.insert("id_token".into(), json!(true));
                f.identities.push(Identity {
                    id: format!("{}#{address}", file.path),
                    kind: "bitbucket_step".into(),
                    provider: "bitbucket".into(),
                    name: step
                        .get("name")
                        .map(text_or_empty)
                        .unwrap_or_else(|| address.clone()),
                    loc: Loc::new(file, step.span.clone()),
                    owner: None,
                    labels: Default::default(),
                    attrs,
                });
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Azure Pipelines

/// Task inputs that name a service connection.
pub const AZP_CONNECTION_INPUTS: &[&str] = &[
    "azureSubscription",
    "connectedServiceName",
    "connectedServiceNameARM",
    "azureResourceManagerConnection",
    "ConnectedServiceName",
    "kubernetesServiceConnection",
    "kubernetesServiceEndpoint",
    "dockerRegistryServiceConnection",
    "containerRegistry",
    "awsCredentials",
    "gcpServiceConnection",
    "serviceConnection",
    "externalEndpoint",
    "publishEndpoint",
    "nuGetServiceConnections",
];

/// Is a PR trigger configured? `pr: none` / `pr: false` turn it off; absent is unknown.
pub fn azp_pr_trigger(root: &Node) -> Option<&Node> {
    let pr = root.get("pr")?;
    match &pr.v {
        V::Str(s) if s == "none" => None,
        V::Bool(false) => None,
        V::Null => None,
        _ => Some(pr),
    }
}

/// Azure Pipelines steps with a service connection: (task, input name, value node, step node).
pub fn azp_connections(root: &Node) -> Vec<(String, String, &Node, &Node)> {
    let mut out = Vec::new();
    root.walk(&mut |n: &Node| {
        let Some(task) = n.get("task").and_then(|t| text(t).map(|c| c.into_owned())) else {
            return;
        };
        let Some(inputs) = n.get("inputs") else {
            return;
        };
        for e in inputs.entries() {
            if AZP_CONNECTION_INPUTS
                .iter()
                .any(|k| k.eq_ignore_ascii_case(&e.key))
            {
                out.push((task.clone(), e.key.clone(), &e.value, n));
            }
        }
    });
    out
}

// ---------------------------------------------------------------------------------------------
// Bitbucket Pipelines

/// Every `pipe:` of a Bitbucket document: (pipe reference, pipe node, the step item map).
pub fn bitbucket_pipes(root: &Node) -> Vec<(String, &Node, &Node)> {
    let mut out = Vec::new();
    root.walk(&mut |n: &Node| {
        if let Some(p) = n.get("pipe")
            && let Some(t) = text(p)
        {
            out.push((t.into_owned(), p, n));
        }
    });
    out
}

/// Is a pipe reference pinned (full `x.y.z` version or a digest)?
pub fn pipe_pinned(r: &str) -> bool {
    if r.contains("@sha256:") {
        return true;
    }
    let tag = match r.rsplit_once(':') {
        Some((_, t)) if !t.contains('/') => t,
        _ => return false,
    };
    let parts: Vec<&str> = tag.split('.').collect();
    parts.len() >= 3
        && parts
            .iter()
            .take(3)
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
}

// ---------------------------------------------------------------------------------------------
// CircleCI

/// Orbs of a CircleCI config: (alias, reference, value node).
pub fn circleci_orbs(root: &Node) -> Vec<(&str, String, &Node)> {
    root.get("orbs")
        .map(|o| o.entries())
        .unwrap_or(&[])
        .iter()
        .filter_map(|e| text(&e.value).map(|t| (e.key.as_str(), t.into_owned(), &e.value)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pins() {
        assert!(pipe_pinned("atlassian/aws-s3-deploy:1.6.2"));
        assert!(!pipe_pinned("atlassian/aws-s3-deploy:1"));
        assert!(!pipe_pinned("acme/deploy"));
        assert!(pipe_pinned("docker://acme/x@sha256:abc"));
    }

    #[test]
    fn sites() {
        let t = "variables:\n  API_TOKEN: \"s3cr3tValue99\"\n  OTHER: ok\n  DB_PASSWORD:\n    value: hunter2hunter2\n    description: x\njob:\n  script: [make]\n";
        let f = SourceFile::new(".gitlab-ci.yml", t);
        let (p, _) = crate::engine::Engine::parse(&f);
        let s = literal_sites(&f, &p);
        let a: Vec<&str> = s.iter().map(|s| s.address.as_str()).collect();
        assert_eq!(a, vec!["variables.API_TOKEN", "variables.DB_PASSWORD"]);
    }
}
