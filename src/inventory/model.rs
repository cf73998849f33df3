//! The inventory model (Inventory JSON, version 1): every entry has a stable `id`, its `kind`,
//! `path` and `start_line`; lists are sorted by id; no secret values (credentials carry only
//! their redacted form).

use crate::facts::{Condition, Facts};
use crate::graph::oidc::Tri;
use crate::graph::{self, Graph};
use serde::Serialize;

#[derive(Clone, Debug, Serialize)]
pub struct Inventory {
    pub version: u32,
    /// This repository (`owner/name`), when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub repository: Option<String>,
    /// The git ref `--since` compared with (only trust edges added or widened are listed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub since: Option<String>,
    pub identities: Vec<IdentityEntry>,
    pub credentials: Vec<CredentialEntry>,
    pub trust: Vec<TrustEntry>,
    pub grants: Vec<GrantEntry>,
    pub usages: Vec<UsageEntry>,
    /// App-to-app edges: mesh authorisation (who may call whom) and AI agents' tool servers
    /// (which server holds which credential).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub calls: Vec<CallEntry>,
    /// Files that could not be analysed (parse or internal errors), as in `check`'s `errors`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<crate::finding::ScanError>,
}

#[derive(Clone, Debug, Serialize)]
pub struct IdentityEntry {
    pub id: String,
    pub kind: String,
    pub provider: String,
    pub name: String,
    pub path: String,
    pub start_line: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// `arn_pattern`, `email`, `client_id`, `namespace`, `tf_address`, `workflow`, `job`...
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub refs: std::collections::BTreeMap<String, String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub environments: Vec<String>,
    /// unknown | read | write | admin (from the grants found in the repository).
    pub privilege: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub grant_summary: String,
    /// Usage ids that name this identity.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub consumers: Vec<String>,
    /// Trust ids that admit to this identity.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub trust: Vec<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct CredentialEntry {
    pub id: String,
    pub kind: String,
    pub path: String,
    pub start_line: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identity: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lifetime: Option<String>,
    pub storage: String,
    /// Redacted form only, never the value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub redacted: Option<String>,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct ConsumerEval {
    pub usage: String,
    /// yes | maybe (depends on an unknown value)
    pub admitted: Tri,
    /// The subject that gets in and the trigger or setting that produces it.
    pub subject: String,
    pub via: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct TrustEntry {
    pub id: String,
    /// The principal kind: federated-oidc, gcp-member, azure-federated, aws-account, ...
    pub kind: String,
    /// The identity this trust admits to (id when defined in the repository).
    pub identity: String,
    pub principal: String,
    /// github | gitlab | kubernetes | unknown | none (not workload federation)
    pub family: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
    pub path: String,
    pub start_line: u32,
    /// Conditions as written.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub conditions: Vec<Condition>,
    /// What the conditions admit, evaluated (`any branch of acme/app`); empty when narrow.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub admits: Vec<String>,
    /// 0 narrow … 4 anyone.
    pub breadth: u8,
    /// Consumers in the repository this trust lets in.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub consumers: Vec<ConsumerEval>,
    /// `added` or `widened` (only with `--since`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub change: Option<String>,
    /// What the trust admitted at the `--since` ref (widened edges).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub before: Option<Box<TrustEntry>>,
}

#[derive(Clone, Debug, Serialize)]
pub struct GrantEntry {
    pub id: String,
    /// allow | deny
    pub kind: String,
    pub identity: String,
    pub path: String,
    pub start_line: u32,
    pub actions: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub not_actions: Vec<String>,
    pub resources: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub conditions: Vec<Condition>,
}

#[derive(Clone, Debug, Serialize)]
pub struct UsageEntry {
    pub id: String,
    pub kind: String,
    pub consumer: String,
    /// The reference as written (ARN, email, client id, `ns/sa`, expression).
    pub identity_ref: String,
    /// The identity it resolves to, when defined in the repository.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identity: Option<String>,
    /// exact | name | unresolved | external
    pub resolution: graph::Resolution,
    /// Whether the identity's trust admits this consumer (absent: no trust in the repository).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub admitted: Option<Tri>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub environments: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub triggers: Vec<String>,
    pub path: String,
    pub start_line: u32,
}

/// An app-to-app edge, joined: the caller's ServiceAccount, the callee's workloads and the
/// ServiceAccounts they run as, the credentials a tool server is handed.
#[derive(Clone, Debug, Serialize)]
pub struct CallEntry {
    pub id: String,
    /// istio-allow | linkerd-allow | consul-allow | mcp-server
    pub kind: String,
    /// The caller as written (principal, `namespace x`, `*`, the agent and its file).
    pub from: String,
    /// The callee as written (`ns/app=web`, `service payments`, the tool server's id).
    pub to: String,
    pub path: String,
    pub start_line: u32,
    /// The caller as `ns/sa` when the principal names one ServiceAccount.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub caller_service_account: Option<String>,
    /// The caller's identity id, when that ServiceAccount is defined in the repository.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub caller_identity: Option<String>,
    /// Workloads the callee selector picks (their ids).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub callee_workloads: Vec<String>,
    /// ServiceAccounts (`ns/sa`) those workloads run as.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub callee_service_accounts: Vec<String>,
    /// Credential ids the callee (a tool server) is handed.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub credentials: Vec<String>,
    /// Every caller matches (`*`, an empty rule, no `from`).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub any_caller: bool,
}

const REF_KEYS: [&str; 9] = [
    "tf_address",
    "arn_pattern",
    "email",
    "client_id",
    "namespace",
    "workflow",
    "job",
    "environment",
    "account_id",
];

fn issuer_of(t: &crate::facts::Trust) -> Option<String> {
    t.attrs
        .get("issuer")
        .and_then(|v| v.as_str())
        .map(str::to_string)
}

/// Build the inventory of a graph.
pub fn build(g: &Graph) -> Inventory {
    let f: &Facts = g.facts;
    let mut identities = Vec::new();
    let mut trust = Vec::new();
    for node in &g.nodes {
        let i = node.identity;
        let mut refs = std::collections::BTreeMap::new();
        for k in REF_KEYS {
            if let Some(v) = i.attrs.get(k).and_then(|v| v.as_str()) {
                refs.insert(k.to_string(), v.to_string());
            }
        }
        let mut consumers: Vec<String> = node
            .consumers
            .iter()
            .map(|&l| g.links[l].usage.id.clone())
            .collect();
        consumers.sort();
        let mut tids: Vec<String> = node.trusts.iter().map(|t| t.trust.id.clone()).collect();
        tids.sort();
        identities.push(IdentityEntry {
            id: i.id.clone(),
            kind: i.kind.clone(),
            provider: i.provider.clone(),
            name: i.name.clone(),
            path: i.loc.path.clone(),
            start_line: i.loc.start_line,
            owner: i.owner.clone(),
            refs,
            environments: node.environments.clone(),
            privilege: node.privilege.as_str().to_string(),
            grant_summary: graph::grant_summary(&node.grants),
            consumers,
            trust: tids,
        });
        for (ti, te) in node.trusts.iter().enumerate() {
            let mut consumers: Vec<ConsumerEval> = node
                .consumers
                .iter()
                .filter_map(|&l| {
                    let link = &g.links[l];
                    let (_, tri, si) = link.admissions.iter().find(|a| a.0 == ti)?;
                    let s = link.subjects.get(*si);
                    Some(ConsumerEval {
                        usage: link.usage.id.clone(),
                        admitted: *tri,
                        subject: s.map(|s| display_subject(&s.value)).unwrap_or_default(),
                        via: s
                            .map(|s| s.via.clone())
                            .unwrap_or_else(|| "service principal".into()),
                    })
                })
                .collect();
            consumers.sort_by(|a, b| a.usage.cmp(&b.usage));
            trust.push(trust_entry(te, i.id.clone(), consumers));
        }
    }
    for t in &g.orphan_trusts {
        let rule = crate::graph::oidc::subject_rule(t);
        let family = crate::graph::oidc::family(t, &rule);
        let reach = crate::graph::oidc::reach(&rule, family);
        let te = graph::TrustEdge {
            trust: t,
            rule,
            family,
            reach,
        };
        trust.push(trust_entry(&te, t.identity.clone(), Vec::new()));
    }
    let credentials = f
        .credentials
        .iter()
        .map(|c| CredentialEntry {
            id: c.id.clone(),
            kind: c.kind.clone(),
            path: c.loc.path.clone(),
            start_line: c.loc.start_line,
            identity: c.identity.clone(),
            lifetime: c.lifetime.clone(),
            storage: c.storage.clone(),
            // Never trust a fact to be redacted already: keep only what looks like a redacted form.
            redacted: c.redacted.as_ref().map(|r| {
                if r.contains('…') && r.ends_with("chars)") {
                    r.clone()
                } else {
                    crate::redact::redact(r)
                }
            }),
        })
        .collect();
    let grants = f
        .grants
        .iter()
        .map(|gr| GrantEntry {
            id: gr.id.clone(),
            kind: gr.effect.to_lowercase(),
            identity: gr.identity.clone(),
            path: gr.loc.path.clone(),
            start_line: gr.loc.start_line,
            actions: gr.actions.clone(),
            not_actions: gr.not_actions.clone(),
            resources: gr.resources.clone(),
            conditions: gr.conditions.clone(),
        })
        .collect();
    let usages = g
        .links
        .iter()
        .map(|l| {
            let consumer = l.consumer.map(|c| &f.identities[c]);
            let (triggers, _, _) = crate::graph::subjects::ci_context(l.usage, consumer);
            UsageEntry {
                id: l.usage.id.clone(),
                kind: l.usage.kind.clone(),
                consumer: l.usage.consumer.clone(),
                identity_ref: l.usage.identity_ref.clone(),
                identity: l.target.map(|t| f.identities[t].id.clone()),
                resolution: l.resolution.clone(),
                admitted: l.admitted,
                environments: l.environments.clone(),
                triggers,
                path: l.usage.loc.path.clone(),
                start_line: l.usage.loc.start_line,
            }
        })
        .collect();
    let calls = crate::graph::calls::link(f)
        .into_iter()
        .map(|l| CallEntry {
            id: l.call.id.clone(),
            kind: l.call.kind.clone(),
            from: l.call.from.clone(),
            to: l.call.to.clone(),
            path: l.call.loc.path.clone(),
            start_line: l.call.loc.start_line,
            caller_service_account: l.caller_sa,
            caller_identity: l.caller,
            callee_workloads: l.callee_workloads,
            callee_service_accounts: l.callee_service_accounts,
            credentials: l.credentials,
            any_caller: l.any_caller,
        })
        .collect();
    let mut inv = Inventory {
        version: 1,
        repository: g.repo.clone(),
        since: None,
        identities,
        credentials,
        trust,
        grants,
        usages,
        calls,
        errors: Vec::new(),
    };
    sort(&mut inv);
    inv
}

fn display_subject(s: &str) -> String {
    crate::graph::subjects::display(s)
}

fn trust_entry(
    te: &graph::TrustEdge,
    identity: String,
    consumers: Vec<ConsumerEval>,
) -> TrustEntry {
    let t = te.trust;
    TrustEntry {
        id: t.id.clone(),
        kind: t.principal_kind.clone(),
        identity,
        principal: t.principal.clone(),
        family: te.family.as_str().to_string(),
        issuer: issuer_of(t),
        path: t.loc.path.clone(),
        start_line: t.loc.start_line,
        conditions: t.conditions.clone(),
        admits: te.reach.describe(),
        breadth: te.reach.rank(),
        consumers,
        change: None,
        before: None,
    }
}

pub fn sort(inv: &mut Inventory) {
    inv.identities.sort_by(|a, b| a.id.cmp(&b.id));
    inv.credentials.sort_by(|a, b| a.id.cmp(&b.id));
    inv.trust.sort_by(|a, b| a.id.cmp(&b.id));
    inv.grants.sort_by(|a, b| a.id.cmp(&b.id));
    inv.usages.sort_by(|a, b| a.id.cmp(&b.id));
    inv.calls.sort_by(|a, b| a.id.cmp(&b.id));
}
