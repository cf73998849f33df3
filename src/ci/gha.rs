//! GitHub Actions model: a workflow (or a composite action) with its triggers, effective
//! permissions per job, environments, reusable-workflow calls and steps.

use super::{expressions, text, text_or_empty};
use crate::lang::Parsed;
use crate::lang::{Node, Span, V};
use crate::source::{FileKind, SourceFile};
use serde_json::{Map, Value, json};

#[derive(Clone, Debug)]
pub struct Trigger {
    pub name: String,
    pub span: Span,
}

/// A `permissions:` value as written.
#[derive(Clone, Debug)]
pub enum PermsKind {
    WriteAll,
    ReadAll,
    /// Scope name, level (`read`/`write`/`none`), span of the entry (key to value).
    Scopes(Vec<(String, String, Span)>),
    /// An expression or something unreadable.
    Unknown,
}

#[derive(Clone, Debug)]
pub struct Perms<'a> {
    pub node: &'a Node,
    pub kind: PermsKind,
}

impl<'a> Perms<'a> {
    fn parse(n: &'a Node) -> Perms<'a> {
        let kind = match &n.v {
            V::Str(s) if s == "write-all" => PermsKind::WriteAll,
            V::Str(s) if s == "read-all" => PermsKind::ReadAll,
            V::Map(es) => PermsKind::Scopes(
                es.iter()
                    .map(|e| {
                        (
                            e.key.clone(),
                            text_or_empty(&e.value),
                            e.key_span.start..e.value.span.end.max(e.key_span.end),
                        )
                    })
                    .collect(),
            ),
            V::Null => PermsKind::Scopes(Vec::new()),
            _ => PermsKind::Unknown,
        };
        Perms { node: n, kind }
    }

    /// Level of one scope (`write`, `read`, `none`).
    pub fn level(&self, scope: &str) -> &str {
        match &self.kind {
            PermsKind::WriteAll => "write",
            PermsKind::ReadAll => {
                if scope == "id-token" {
                    "none"
                } else {
                    "read"
                }
            }
            PermsKind::Scopes(s) => s
                .iter()
                .find(|(k, _, _)| k == scope)
                .map(|(_, l, _)| l.as_str())
                .unwrap_or("none"),
            PermsKind::Unknown => "unknown",
        }
    }

    /// Scopes granted `write`, with the span of their entry.
    pub fn write_scopes(&self) -> Vec<(&str, Span)> {
        match &self.kind {
            PermsKind::Scopes(s) => s
                .iter()
                .filter(|(_, l, _)| l == "write")
                .map(|(k, _, sp)| (k.as_str(), sp.clone()))
                .collect(),
            _ => Vec::new(),
        }
    }

    /// As a JSON object for facts: scopes, or `{"*": "write"|"read"|"unknown"}`.
    pub fn to_json(p: Option<&Perms>) -> Value {
        let mut m = Map::new();
        match p.map(|p| &p.kind) {
            None => {
                m.insert("*".into(), json!("default"));
            }
            Some(PermsKind::WriteAll) => {
                m.insert("*".into(), json!("write"));
            }
            Some(PermsKind::ReadAll) => {
                m.insert("*".into(), json!("read"));
            }
            Some(PermsKind::Unknown) => {
                m.insert("*".into(), json!("unknown"));
            }
            Some(PermsKind::Scopes(s)) => {
                for (k, l, _) in s {
                    m.insert(k.clone(), json!(l));
                }
            }
        }
        Value::Object(m)
    }
}

/// What a `uses:` names.
#[derive(Clone, Debug, PartialEq)]
pub enum Uses {
    Local(String),
    Docker(String),
    Repo {
        owner: String,
        repo: String,
        path: String,
        git_ref: Option<String>,
    },
}

impl Uses {
    pub fn parse(s: &str) -> Uses {
        let s = s.trim();
        if s.starts_with("./") || s.starts_with("../") || s.starts_with('.') {
            return Uses::Local(s.to_string());
        }
        if let Some(img) = s.strip_prefix("docker://") {
            return Uses::Docker(img.to_string());
        }
        let (path, git_ref) = match s.rsplit_once('@') {
            Some((p, r)) => (p, Some(r.to_string())),
            None => (s, None),
        };
        let mut parts = path.splitn(3, '/');
        let owner = parts.next().unwrap_or("").to_string();
        let repo = parts.next().unwrap_or("").to_string();
        let path = parts.next().unwrap_or("").to_string();
        Uses::Repo {
            owner,
            repo,
            path,
            git_ref,
        }
    }

    /// `owner/repo` (lower-case) for repository actions.
    pub fn slug(&self) -> Option<String> {
        match self {
            Uses::Repo { owner, repo, .. } => Some(format!(
                "{}/{}",
                owner.to_ascii_lowercase(),
                repo.to_ascii_lowercase()
            )),
            _ => None,
        }
    }

    pub fn owner(&self) -> Option<String> {
        match self {
            Uses::Repo { owner, .. } => Some(owner.to_ascii_lowercase()),
            _ => None,
        }
    }

    /// An action neither first-party nor the organisation's own (docker images count).
    pub fn third_party(&self, config: &crate::config::Config) -> bool {
        match self {
            Uses::Repo { owner, .. } => !own_owner(config, owner),
            Uses::Docker(_) => true,
            Uses::Local(_) => false,
        }
    }

    /// Pinned to a full commit SHA (repository) or a digest (docker).
    pub fn pinned(&self) -> bool {
        match self {
            Uses::Local(_) => true,
            Uses::Docker(img) => img.contains("@sha256:"),
            Uses::Repo { git_ref, .. } => git_ref.as_deref().is_some_and(super::pinned_sha),
        }
    }
}

#[derive(Clone, Debug)]
pub struct Step<'a> {
    pub index: usize,
    pub node: &'a Node,
    pub uses: Option<(Uses, &'a Node)>,
    pub run: Option<&'a Node>,
    pub with: Option<&'a Node>,
    pub env: Option<&'a Node>,
}

impl<'a> Step<'a> {
    /// Lower-case `owner/repo` of the action, if a repository action.
    pub fn action(&self) -> Option<String> {
        self.uses.as_ref().and_then(|(u, _)| u.slug())
    }

    pub fn with_str(&self, key: &str) -> Option<String> {
        self.with
            .and_then(|w| w.get(key))
            .and_then(|n| text(n).map(|c| c.into_owned()))
    }

    pub fn with_node(&self, key: &str) -> Option<&'a Node> {
        self.with.and_then(|w| w.get(key))
    }

    pub fn run_text(&self) -> String {
        self.run.map(text_or_empty).unwrap_or_default()
    }
}

#[derive(Clone, Debug)]
pub struct Job<'a> {
    pub id: String,
    pub key_span: Span,
    pub node: &'a Node,
    pub permissions: Option<Perms<'a>>,
    pub runs_on: Option<&'a Node>,
    pub environment: Option<String>,
    /// Reusable workflow call (`jobs.<id>.uses`).
    pub uses: Option<&'a Node>,
    pub secrets: Option<&'a Node>,
    pub env: Option<&'a Node>,
    pub steps: Vec<Step<'a>>,
}

#[derive(Clone, Debug)]
pub struct Workflow<'a> {
    pub root: &'a Node,
    pub is_action: bool,
    pub triggers: Vec<Trigger>,
    pub branches: Vec<String>,
    /// Tag filters of `push` (`v*`).
    pub tags: Vec<String>,
    pub permissions: Option<Perms<'a>>,
    pub env: Option<&'a Node>,
    pub jobs: Vec<Job<'a>>,
}

pub const PR_TRIGGERS: &[&str] = &[
    "pull_request",
    "pull_request_target",
    "pull_request_review",
    "pull_request_review_comment",
    "issue_comment",
];

impl<'a> Workflow<'a> {
    /// Every workflow / composite action document of a GitHub Actions file.
    pub fn all(file: &SourceFile, parsed: &'a Parsed) -> Vec<Workflow<'a>> {
        let is_action = match file.kind {
            FileKind::GithubWorkflow => false,
            FileKind::GithubAction => true,
            _ => return Vec::new(),
        };
        parsed
            .roots()
            .into_iter()
            .filter(|r| r.is_map())
            .map(|r| Workflow::new(r, is_action))
            .collect()
    }

    pub fn new(root: &'a Node, is_action: bool) -> Workflow<'a> {
        if is_action {
            let steps = root.path("runs.steps").map(parse_steps).unwrap_or_default();
            let job = Job {
                id: "runs".into(),
                key_span: root
                    .entry("runs")
                    .map(|e| e.key_span.clone())
                    .unwrap_or(0..0),
                node: root.get("runs").unwrap_or(root),
                permissions: None,
                runs_on: None,
                environment: None,
                uses: None,
                secrets: None,
                env: None,
                steps,
            };
            return Workflow {
                root,
                is_action,
                triggers: Vec::new(),
                branches: Vec::new(),
                tags: Vec::new(),
                permissions: None,
                env: None,
                jobs: vec![job],
            };
        }
        // `on` may come back as the key `true` from YAML 1.1-minded parsers.
        let on = root
            .entries()
            .iter()
            .find(|e| e.key == "on" || e.key == "true");
        let mut triggers = Vec::new();
        let mut branches = Vec::new();
        let mut tags: Vec<String> = Vec::new();
        if let Some(on) = on {
            match &on.value.v {
                V::Str(s) => triggers.push(Trigger {
                    name: s.clone(),
                    span: on.value.span.clone(),
                }),
                V::Seq(items) => {
                    for i in items {
                        if let Some(s) = i.as_str() {
                            triggers.push(Trigger {
                                name: s.to_string(),
                                span: i.span.clone(),
                            });
                        }
                    }
                }
                V::Map(es) => {
                    for e in es {
                        triggers.push(Trigger {
                            name: e.key.clone(),
                            span: e.key_span.clone(),
                        });
                        for (field, into) in [("branches", &mut branches), ("tags", &mut tags)] {
                            if let Some(b) = e.value.get(field) {
                                for (s, _) in b.str_or_seq() {
                                    if !into.iter().any(|x| x == s) {
                                        into.push(s.to_string());
                                    }
                                }
                            }
                        }
                    }
                }
                _ => {}
            }
        }
        let permissions = root.get("permissions").map(Perms::parse);
        let mut jobs = Vec::new();
        for e in root.get("jobs").map(|j| j.entries()).unwrap_or(&[]) {
            let n = &e.value;
            if !n.is_map() {
                continue;
            }
            let environment = n.get("environment").and_then(|env| match &env.v {
                V::Map(_) => env.get("name").map(text_or_empty),
                _ => text(env).map(|c| c.into_owned()),
            });
            jobs.push(Job {
                id: e.key.clone(),
                key_span: e.key_span.clone(),
                node: n,
                permissions: n.get("permissions").map(Perms::parse),
                runs_on: n.get("runs-on"),
                environment,
                uses: n.get("uses"),
                secrets: n.get("secrets"),
                env: n.get("env"),
                steps: n.get("steps").map(parse_steps).unwrap_or_default(),
            });
        }
        Workflow {
            root,
            is_action,
            triggers,
            branches,
            tags,
            permissions,
            env: root.get("env"),
            jobs,
        }
    }

    pub fn has_trigger(&self, names: &[&str]) -> Option<&Trigger> {
        self.triggers
            .iter()
            .find(|t| names.contains(&t.name.as_str()))
    }

    pub fn trigger_names(&self) -> Vec<String> {
        self.triggers.iter().map(|t| t.name.clone()).collect()
    }

    /// The permissions a job runs with: its own, else the workflow's, else None (the
    /// repository/organisation default, unknown here and possibly read/write).
    pub fn effective(&self, job: &'a Job) -> Option<&Perms<'a>> {
        job.permissions.as_ref().or(self.permissions.as_ref())
    }

    /// Can the job request an OIDC token?
    pub fn id_token(&self, job: &Job) -> bool {
        match job.permissions.as_ref().or(self.permissions.as_ref()) {
            Some(p) => p.level("id-token") == "write",
            None => false,
        }
    }

    /// Does the job (or workflow-wide env) read any secret?
    pub fn job_reads_secrets(&self, file: &SourceFile, job: &Job) -> bool {
        let t = file.text.get(job.node.span.clone()).unwrap_or("");
        let mut any = expressions(t)
            .iter()
            .any(|(_, e)| super::expr_reads_secret(e));
        if let Some(env) = self.env {
            let t = file.text.get(env.span.clone()).unwrap_or("");
            any |= expressions(t)
                .iter()
                .any(|(_, e)| super::expr_reads_secret(e));
        }
        any
    }
}

fn parse_steps(n: &Node) -> Vec<Step<'_>> {
    let Some(items) = n.as_seq() else {
        return Vec::new();
    };
    items
        .iter()
        .enumerate()
        .filter(|(_, s)| s.is_map())
        .map(|(index, s)| Step {
            index,
            node: s,
            uses: s
                .get("uses")
                .and_then(|u| text(u).map(|t| (Uses::parse(&t), u))),
            run: s.get("run"),
            with: s.get("with"),
            env: s.get("env"),
        })
        .collect()
}

/// Map entries of an `env:`/`with:` node that read secrets: (key, value node).
pub fn secret_entries(n: Option<&Node>) -> Vec<(&str, &Node)> {
    n.map(|n| n.entries())
        .unwrap_or(&[])
        .iter()
        .filter(|e| {
            let t = text_or_empty(&e.value);
            expressions(&t)
                .iter()
                .any(|(_, x)| super::expr_reads_secret(x))
        })
        .map(|e| (e.key.as_str(), &e.value))
        .collect()
}

/// Known consumers of the job's OIDC token (`id-token: write`).
pub fn consumes_oidc(step: &Step) -> bool {
    let Some(a) = step.action() else {
        let r = step.run_text();
        return r.contains("ACTIONS_ID_TOKEN_REQUEST")
            || r.contains("cosign sign")
            || r.contains("cosign attest")
            || r.contains("--provenance")
            || r.contains("gh attestation")
            || r.contains("id-token")
            || r.contains("getIDToken");
    };
    let with_has = |k: &str| step.with_node(k).is_some();
    match a.as_str() {
        "aws-actions/configure-aws-credentials" => {
            with_has("role-to-assume") && !with_has("aws-access-key-id")
        }
        "google-github-actions/auth" => with_has("workload_identity_provider"),
        "azure/login" => !with_has("creds"),
        "actions/github-script" => step
            .with_str("script")
            .is_some_and(|s| s.contains("getIDToken")),
        "hashicorp/vault-action" => step.with_str("method").is_some_and(|m| m == "jwt"),
        "codecov/codecov-action" => step.with_str("use_oidc").is_some_and(|m| m == "true"),
        "jfrog/setup-jfrog-cli" => with_has("oidc-provider-name"),
        "ossf/scorecard-action" => step
            .with_str("publish_results")
            .is_none_or(|v| v != "false"),
        "actions/attest-build-provenance"
        | "actions/attest-sbom"
        | "release-plz/action"
        | "marcoieni/release-plz-action"
        | "actions/attest"
        | "sigstore/gh-action-sigstore-python"
        | "sigstore/cosign-installer"
        | "pypa/gh-action-pypi-publish"
        | "rubygems/release-gem"
        | "rubygems/configure-rubygems-credentials"
        | "rust-lang/crates-io-auth-action"
        | "octo-sts/action"
        | "pulumi/auth-actions"
        | "docker/github-builder"
        | "slsa-framework/slsa-github-generator"
        | "slsa-framework/slsa-verifier"
        | "azure/webapps-deploy"
        | "goreleaser/goreleaser-action"
        | "anchore/sbom-action"
        | "cloudflare/wrangler-action"
        | "tailscale/github-action"
        | "digitalocean/action-doctl"
        | "hashicorp/tfc-workflows-github"
        | "vercel/actions"
        | "firebaseextended/action-hosting-deploy"
        | "actions/deploy-pages" => true,
        _ => false,
    }
}

/// Actions known to use no repository write scope of the token.
pub fn inert_action(slug: &str) -> bool {
    slug.starts_with("actions/setup-")
        || matches!(
            slug,
            "actions/checkout"
                | "actions/cache"
                | "actions/upload-artifact"
                | "actions/download-artifact"
                | "docker/setup-buildx-action"
                | "docker/setup-qemu-action"
                | "docker/login-action"
                | "docker/metadata-action"
                | "dtolnay/rust-toolchain"
                | "swatinem/rust-cache"
                | "actions-rs/toolchain"
                | "actions-rs/cargo"
                | "pnpm/action-setup"
                | "ruby/setup-ruby"
                | "gradle/actions"
                | "gradle/gradle-build-action"
                | "hashicorp/setup-terraform"
                | "azure/setup-kubectl"
                | "azure/setup-helm"
                | "aws-actions/configure-aws-credentials"
                | "google-github-actions/auth"
                | "google-github-actions/setup-gcloud"
                | "azure/login"
                | "actions/attest-build-provenance"
                | "codecov/codecov-action"
                | "astral-sh/setup-uv"
                | "oven-sh/setup-bun"
                | "denoland/setup-deno"
                | "goto-bus-stop/setup-zig"
                | "taiki-e/install-action"
                | "extractions/setup-just"
                | "arduino/setup-protoc"
                | "mlugg/setup-zig"
                | "jdx/mise-action"
                | "erlef/setup-beam"
                | "haskell-actions/setup"
                | "shivammathur/setup-php"
                | "subosito/flutter-action"
                | "browser-actions/setup-chrome"
        )
}

/// Commands and actions that use a write scope of the token. Returns the scopes a step may use
/// in writing; `None` means "cannot tell" (treat every scope as possibly used).
pub fn scopes_used(step: &Step) -> Option<Vec<&'static str>> {
    if let Some((u, _)) = &step.uses {
        let Some(slug) = u.slug() else {
            // Local and docker actions: cannot tell what they do with the token.
            return None;
        };
        if inert_action(&slug) {
            // An explicit token handed to an otherwise inert action still counts.
            let w = step.with.map(text_or_empty_map).unwrap_or_default();
            if w.contains("github.token") || w.contains("GITHUB_TOKEN") {
                return None;
            }
            return Some(Vec::new());
        }
        return None;
    }
    let r = step.run_text();
    let mut v = Vec::new();
    let has = |s: &str| r.contains(s);
    let env = step.env.map(text_or_empty_map).unwrap_or_default();
    if has("gh ")
        || has("api.github.com")
        || has("GITHUB_TOKEN")
        || has("github.token")
        || has("GH_TOKEN")
        || env.contains("github.token")
        || env.contains("GITHUB_TOKEN")
        || RELEASE_TOOLS.iter().any(|t| has(t))
        || runs_repo_script(&r)
    {
        return None;
    }
    if has("git push") || has("git tag") || has("git commit") || has("gh-deploy") {
        v.push("contents");
    }
    if has("ghcr.io")
        || has("docker push")
        || has("npm publish")
        || has("mvn deploy")
        || has("gradle publish")
    {
        v.push("packages");
    }
    Some(v)
}

/// Release tools that push tags, create releases or publish with the token they find in the
/// environment or the persisted checkout credentials.
const RELEASE_TOOLS: &[&str] = &[
    "goreleaser",
    "semantic-release",
    "release-please",
    "release-it",
    "changeset publish",
    "changeset version",
    "lerna publish",
    "lerna version",
    "cargo release",
    "cargo-release",
    "standard-version",
    "ghp-import",
    "mike deploy",
    "gh-pages",
    "jreleaser",
    "twine upload",
    "poetry publish",
    "npx release",
];

/// Does a script run one of the repository's own scripts (`./release.sh`, `bash ci/tag.sh`,
/// `python scripts/bump.py`)? What it does with the persisted checkout credentials or the token
/// cannot be told. Build wrappers (`./gradlew`, `./mvnw`, `./configure`) do not count.
fn runs_repo_script(r: &str) -> bool {
    r.split(|c: char| c.is_whitespace() || c == ';' || c == '&' || c == '|' || c == '(')
        .any(|w| {
            let w = w.trim_matches(|c| c == '"' || c == '\'');
            let base = w.rsplit('/').next().unwrap_or(w);
            let wrapper = matches!(base, "gradlew" | "mvnw" | "configure" | "autogen.sh");
            !wrapper
                && (w.starts_with("./")
                    || w.starts_with("scripts/")
                    || w.ends_with(".sh")
                    || w.ends_with(".py")
                    || w.ends_with(".rb")
                    || w.ends_with(".ps1"))
        })
}

fn text_or_empty_map(n: &Node) -> String {
    let mut s = String::new();
    n.walk(&mut |x: &Node| {
        if let Some(t) = text(x) {
            s.push_str(&t);
            s.push('\n');
        }
    });
    s
}

/// Is a `ref:` of `actions/checkout` (or a `git` command) the untrusted head of a pull request?
pub fn untrusted_ref(s: &str) -> bool {
    let l = s.to_ascii_lowercase().replace(' ', "");
    [
        "github.event.pull_request.head.sha",
        "github.event.pull_request.head.ref",
        "github.event.pull_request.head.repo.full_name",
        "github.event.pull_request.merge_commit_sha",
        "github.event.pull_request.number",
        "github.event.number",
        "github.head_ref",
        "github.event.workflow_run.head_sha",
        "github.event.workflow_run.head_branch",
        "github.event.workflow_run.head_repository.full_name",
        "github.event.issue.number",
        "github.event.comment",
        "refs/pull/",
        "steps.",
        "needs.",
    ]
    .iter()
    .any(|p| l.contains(p))
}

/// Is an action owner first-party (`actions`, `github`) or the organisation's own (config
/// `org.github-orgs`, the owner of `org.repository`)?
pub fn own_owner(config: &crate::config::Config, owner: &str) -> bool {
    let o = owner.to_ascii_lowercase();
    o == "actions"
        || o == "github"
        || config
            .org
            .github_orgs
            .iter()
            .any(|g| g.eq_ignore_ascii_case(&o))
        || config
            .org
            .repository
            .as_deref()
            .and_then(|r| r.split('/').next())
            .is_some_and(|r| r.eq_ignore_ascii_case(&o))
}

/// Does the expression read no secret other than `secrets.GITHUB_TOKEN`?
pub fn only_github_token(e: &str) -> bool {
    let names = super::secret_names(&format!("${{{{ {e} }}}}"));
    !names.is_empty()
        && names.iter().all(|n| n == "GITHUB_TOKEN")
        && !e.to_ascii_lowercase().contains("tojson(secrets")
}

/// Does an expression read a secret, or (in a composite action) a secret-named input?
pub fn secretish_expr(e: &str, is_action: bool) -> bool {
    if super::expr_reads_secret(e) {
        return true;
    }
    if is_action && let Some(rest) = e.trim().strip_prefix("inputs.") {
        let name: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
            .collect();
        return super::literal::secretish_key(&name);
    }
    false
}

/// Keys of an `env:`/`with:` map whose value reads a secret (or a secret-named input of a
/// composite action).
pub fn secret_keys(n: Option<&Node>, is_action: bool) -> Vec<String> {
    secret_keys_where(n, is_action, false)
}

/// [`secret_keys`], optionally ignoring `secrets.GITHUB_TOKEN` (which every action can reach
/// through `github.token` anyway).
pub fn secret_keys_where(
    n: Option<&Node>,
    is_action: bool,
    skip_github_token: bool,
) -> Vec<String> {
    n.map(|n| n.entries())
        .unwrap_or(&[])
        .iter()
        .filter(|e| {
            let t = text_or_empty(&e.value);
            expressions(&t).iter().any(|(_, x)| {
                secretish_expr(x, is_action) && !(skip_github_token && only_github_token(x))
            })
        })
        .map(|e| e.key.clone())
        .collect()
}

/// Triggers that run with the base repository's secrets and a write token on events outsiders
/// can cause.
pub const PRIVILEGED_TRIGGERS: &[&str] = &[
    "pull_request_target",
    "workflow_run",
    "issue_comment",
    "issues",
    "discussion",
    "discussion_comment",
    "pull_request_review",
    "pull_request_review_comment",
];

/// The token scopes a job's steps show a use of; None when that cannot be told (a reusable
/// workflow call, no steps, the token in the job's or workflow's environment, or a step whose
/// use is unknown: unknown actions, `gh`, API calls).
pub fn scopes_used_by_job(
    file: &SourceFile,
    w: &Workflow,
    job: &Job,
) -> Option<std::collections::BTreeSet<&'static str>> {
    let env_token = [w.env, job.env].into_iter().flatten().any(|e| {
        let t = file.text.get(e.span.clone()).unwrap_or("");
        t.contains("github.token") || t.contains("GITHUB_TOKEN")
    });
    if job.uses.is_some() || job.steps.is_empty() || env_token {
        return None;
    }
    let mut used = std::collections::BTreeSet::new();
    for s in &job.steps {
        used.extend(scopes_used(s)?);
    }
    Some(used)
}

/// Does the job use its OIDC token? None when an action nhilint does not know may be the consumer.
pub fn uses_oidc(job: &Job) -> Option<bool> {
    if job.uses.is_some() || job.steps.iter().any(consumes_oidc) {
        return Some(true);
    }
    let unknown = job.steps.iter().any(|s| match &s.uses {
        Some((u, _)) => u.slug().is_none_or(|s| !inert_action(&s)),
        None => false,
    });
    (!unknown).then_some(false)
}

/// What a job's GITHUB_TOKEN may write: `Some("default")` (no `permissions:` anywhere, the
/// repository default, possibly write), `Some("write")` (a write scope other than `id-token`,
/// `write-all` or an expression), `None` (read-only or none).
pub fn token_write(w: &Workflow, job: &Job) -> Option<&'static str> {
    if w.is_action {
        return None;
    }
    match w.effective(job).map(|p| &p.kind) {
        None => Some("default"),
        Some(PermsKind::WriteAll) | Some(PermsKind::Unknown) => Some("write"),
        Some(PermsKind::Scopes(s)) => s
            .iter()
            .any(|(k, l, _)| l == "write" && k != "id-token")
            .then_some("write"),
        Some(PermsKind::ReadAll) => None,
    }
}

/// What a job holds that injected code could steal, in words (`secrets`, `an OIDC token`,
/// `a write token`); empty when only a read-only token.
pub fn job_holdings(file: &SourceFile, w: &Workflow, job: &Job) -> Vec<&'static str> {
    let mut held = Vec::new();
    if w.job_reads_secrets(file, job) {
        held.push("secrets");
    }
    if w.id_token(job) {
        held.push("an OIDC token (`id-token: write`)");
    }
    match token_write(w, job) {
        Some("default") => {
            held.push("a token with the repository's default (possibly write) permissions")
        }
        Some(_) => held.push("a write token"),
        None => {}
    }
    held
}

/// Is a `${{ }}` expression text an outsider can choose (issue and pull request titles and
/// bodies, branch names, commit messages, comments, author names)? `inputs.*` and
/// `github.event.inputs.*` count as well (whoever may dispatch the workflow chooses them).
pub fn untrusted_expr(e: &str) -> bool {
    let l = e.trim().to_ascii_lowercase().replace(' ', "");
    if l.starts_with("github.head_ref") || l.contains("(github.head_ref") {
        return true;
    }
    if l.starts_with("inputs.") || l.starts_with("github.event.inputs.") {
        return true;
    }
    let Some(rest) = l.find("github.event.").map(|i| &l[i + 13..]) else {
        return false;
    };
    let field: String = rest
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '*' | '[' | ']'))
        .collect();
    let last = field.rsplit('.').next().unwrap_or("");
    matches!(
        last,
        "title"
            | "body"
            | "message"
            | "label"
            | "email"
            | "head_branch"
            | "page_name"
            | "default_branch"
            | "display_title"
            | "description"
    ) || field.ends_with("head.ref")
        || (last == "name" && (field.contains("author") || field.contains("committer")))
}

/// Is a step output (`steps.ID.outputs.X`) derived from text outsiders choose: the output of a
/// step whose action reports file names or branch names of a pull request, or of a script that
/// writes an untrusted expression to `$GITHUB_OUTPUT`?
pub fn untrusted_step_output(job: &Job, e: &str) -> bool {
    let l = e.trim();
    let Some(rest) = l.strip_prefix("steps.") else {
        return false;
    };
    let id: String = rest
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-'))
        .collect();
    let Some(step) = job
        .steps
        .iter()
        .find(|s| s.node.get("id").map(text_or_empty).as_deref() == Some(id.as_str()))
    else {
        return false;
    };
    if let Some(a) = step.action() {
        return matches!(
            a.as_str(),
            "tj-actions/changed-files"
                | "tj-actions/branch-names"
                | "dorny/paths-filter"
                | "jitterbit/get-changed-files"
                | "trilom/file-changes-action"
                | "actions-ecosystem/action-regex-match"
                | "xt0rted/pull-request-comment-branch"
                | "khan/pull-request-comment-trigger"
        );
    }
    let r = step.run_text();
    r.contains("GITHUB_OUTPUT") && expressions(&r).iter().any(|(_, x)| untrusted_expr(x))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn model() {
        let t = "on:\n  push:\n    branches: [main]\n  pull_request_target:\npermissions:\n  contents: read\njobs:\n  a:\n    runs-on: ubuntu-latest\n    permissions:\n      id-token: write\n    environment: prod\n    steps:\n      - uses: actions/checkout@v4\n      - run: echo hi\n  b:\n    uses: org/x/.github/workflows/r.yml@main\n    secrets: inherit\n";
        let f = SourceFile::new(".github/workflows/x.yml", t);
        let (p, e) = crate::engine::Engine::parse(&f);
        assert!(e.is_empty());
        let w = Workflow::all(&f, &p);
        let w = &w[0];
        assert_eq!(w.trigger_names(), vec!["push", "pull_request_target"]);
        assert_eq!(w.branches, vec!["main"]);
        assert_eq!(w.jobs.len(), 2);
        assert!(w.id_token(&w.jobs[0]));
        assert!(!w.id_token(&w.jobs[1]));
        assert_eq!(w.jobs[0].environment.as_deref(), Some("prod"));
        assert_eq!(w.jobs[0].steps.len(), 2);
        assert_eq!(
            Uses::parse("org/x/.github/workflows/r.yml@main"),
            Uses::Repo {
                owner: "org".into(),
                repo: "x".into(),
                path: ".github/workflows/r.yml".into(),
                git_ref: Some("main".into())
            }
        );
    }
}
