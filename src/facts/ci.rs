//! Fact extraction for CI files: every job is an identity (`gha_job`, `gitlab_job`, and
//! `bitbucket_step` for steps with `oidc: true`), its token permissions are grants
//! (`<job>/permissions`, actions like `contents:write`), its cloud federation steps are usages
//! (`gha-assume-role`, `gha-gcp-wif`, `gha-azure-login`, `gitlab-id-token`,
//! `azp-service-connection`), and its literal secrets (`storage = "literal"`, redacted) and static
//! cloud keys from the secret store (`storage = "ci-secret"`, `attrs.secrets` = names) are
//! credentials.
//!
//! GitHub job `attrs.permissions` is the effective object (`{"contents": "read"}`), or
//! `{"*": "write" | "read" | "unknown" | "default"}` for `write-all`, `read-all`, an expression,
//! and no `permissions:` at all (repository default: unknown, possibly write). Workflows filtered
//! on tags also carry `tags` (`["v*"]`).

use super::{Attrs, Credential, Facts, Grant, Identity, Loc, Usage};
use crate::ci::gha::{Perms, Workflow};
use crate::ci::{others, text_or_empty};
use crate::config::Config;
use crate::lang::Parsed;
use crate::source::{FileKind, SourceFile};
use serde_json::json;

pub fn extract(file: &SourceFile, parsed: &Parsed, _config: &Config) -> Facts {
    let mut f = Facts::default();
    match file.kind {
        FileKind::GithubWorkflow | FileKind::GithubAction => gha(file, parsed, &mut f),
        FileKind::GitlabCi => others::gitlab_facts(file, parsed, &mut f),
        _ => others::other_facts(file, parsed, &mut f),
    }
    others::literal_credentials(file, parsed, &mut f);
    f
}

/// Attributes every CI usage copies from its job.
fn job_attrs(w: &Workflow, environment: &Option<String>) -> Attrs {
    let mut a = Attrs::new();
    a.insert("triggers".into(), json!(w.trigger_names()));
    a.insert("branches".into(), json!(w.branches));
    if !w.tags.is_empty() {
        a.insert("tags".into(), json!(w.tags));
    }
    a.insert(
        "environment".into(),
        environment
            .as_ref()
            .map(|e| json!(e))
            .unwrap_or(json!(null)),
    );
    a
}

fn gha(file: &SourceFile, parsed: &Parsed, f: &mut Facts) {
    for w in Workflow::all(file, parsed) {
        for job in &w.jobs {
            let jid = format!("{}#jobs.{}", file.path, job.id);
            let perms = w.effective(job);
            let id_token = w.id_token(job);
            let mut attrs = job_attrs(&w, &job.environment);
            attrs.insert("workflow".into(), json!(file.path));
            attrs.insert("job".into(), json!(job.id));
            attrs.insert("permissions".into(), Perms::to_json(perms));
            attrs.insert("id_token".into(), json!(id_token));
            if w.is_action {
                attrs.insert("composite_action".into(), json!(true));
            }
            if let Some(u) = job.uses.map(text_or_empty) {
                attrs.insert("reusable_workflow".into(), json!(u));
            }
            f.identities.push(Identity {
                id: jid.clone(),
                kind: "gha_job".into(),
                provider: "github".into(),
                name: job.id.clone(),
                loc: Loc::new(file, job.key_span.clone()),
                owner: None,
                labels: Default::default(),
                attrs,
            });
            if let Some(p) = perms {
                let mut actions: Vec<String> = match &p.kind {
                    crate::ci::gha::PermsKind::WriteAll => vec!["*:write".into()],
                    crate::ci::gha::PermsKind::ReadAll => vec!["*:read".into()],
                    crate::ci::gha::PermsKind::Scopes(s) => s
                        .iter()
                        .filter(|(_, l, _)| l == "read" || l == "write")
                        .map(|(k, l, _)| format!("{k}:{l}"))
                        .collect(),
                    crate::ci::gha::PermsKind::Unknown => vec!["unknown".into()],
                };
                actions.sort();
                f.grants.push(Grant {
                    id: format!("{jid}/permissions"),
                    identity: jid.clone(),
                    effect: "Allow".into(),
                    actions,
                    not_actions: Vec::new(),
                    resources: vec!["github-repository".into()],
                    conditions: Vec::new(),
                    loc: Loc::new(file, p.node.span.clone()),
                    attrs: Attrs::new(),
                });
            }
            static_key_credentials(file, &jid, job, f);
            for s in &job.steps {
                let Some(action) = s.action() else { continue };
                let (kind, identity_ref, extra): (&str, Option<String>, Vec<(&str, String)>) =
                    match action.as_str() {
                        "aws-actions/configure-aws-credentials" => {
                            let Some(role) = s.with_str("role-to-assume") else {
                                continue;
                            };
                            let mut x = Vec::new();
                            for k in [
                                "aws-region",
                                "audience",
                                "role-session-name",
                                "role-duration-seconds",
                                "role-chaining",
                            ] {
                                if let Some(v) = s.with_str(k) {
                                    x.push((k, v));
                                }
                            }
                            if s.with_node("aws-access-key-id").is_some() {
                                x.push(("static_keys", "true".into()));
                            }
                            ("gha-assume-role", Some(role), x)
                        }
                        "google-github-actions/auth" => {
                            let wif = s.with_str("workload_identity_provider");
                            let sa = s.with_str("service_account");
                            if wif.is_none() {
                                continue;
                            }
                            let mut x = Vec::new();
                            if let Some(v) = &wif {
                                x.push(("workload_identity_provider", v.clone()));
                            }
                            if let Some(v) = &sa {
                                x.push(("service_account", v.clone()));
                            }
                            if let Some(v) = s.with_str("audience") {
                                x.push(("audience", v));
                            }
                            ("gha-gcp-wif", sa.or(wif), x)
                        }
                        "azure/login" => {
                            let Some(cid) = s.with_str("client-id") else {
                                continue;
                            };
                            let mut x = Vec::new();
                            for k in ["tenant-id", "subscription-id", "audience"] {
                                if let Some(v) = s.with_str(k) {
                                    x.push((k, v));
                                }
                            }
                            ("gha-azure-login", Some(cid), x)
                        }
                        _ => continue,
                    };
                let Some(identity_ref) = identity_ref else {
                    continue;
                };
                let mut attrs = job_attrs(&w, &job.environment);
                attrs.insert("id_token".into(), json!(id_token));
                attrs.insert("step".into(), json!(s.index));
                for (k, v) in extra {
                    attrs.insert(k.replace('-', "_"), json!(v));
                }
                let span = s
                    .uses
                    .as_ref()
                    .map(|(_, n)| n.span.clone())
                    .unwrap_or(s.node.span.clone());
                f.usages.push(Usage {
                    id: format!("{jid}/{}", s.index),
                    kind: kind.into(),
                    consumer: jid.clone(),
                    identity_ref,
                    loc: Loc::new(file, span),
                    attrs,
                });
            }
        }
    }
}

/// Static cloud credentials a job receives from the secret store (`aws-access-key-id`,
/// `credentials_json`, `creds`): credential facts with `storage = "ci-secret"` naming the secrets
/// (`attrs.secrets`), so they can be joined with e.g. Terraform `github_actions_secret`.
fn static_key_credentials(file: &SourceFile, jid: &str, job: &crate::ci::gha::Job, f: &mut Facts) {
    for s in &job.steps {
        let Some(action) = s.action() else { continue };
        let (input, kind) = match action.as_str() {
            "aws-actions/configure-aws-credentials" => ("aws-access-key-id", "access-key"),
            "google-github-actions/auth" => ("credentials_json", "service-account-key"),
            "azure/login" => ("creds", "client-secret"),
            _ => continue,
        };
        let Some(n) = s.with_node(input) else {
            continue;
        };
        let names = crate::ci::secret_names(&text_or_empty(n));
        if names.is_empty() {
            continue;
        }
        let mut attrs = Attrs::new();
        attrs.insert("secrets".into(), json!(names));
        attrs.insert("action".into(), json!(action));
        attrs.insert("input".into(), json!(input));
        f.credentials.push(Credential {
            id: format!("{jid}/{}/{input}", s.index),
            kind: kind.into(),
            identity: Some(jid.to_string()),
            lifetime: Some("never expires".into()),
            storage: "ci-secret".into(),
            redacted: None,
            loc: Loc::new(file, n.span.clone()),
            attrs,
        });
    }
}
