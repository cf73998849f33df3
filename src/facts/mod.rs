//! The NHI model: identities, grants, trusts, credentials and usages, extracted per file by
//! format-specific extractors and joined into one project graph.
//!
//! Every fact has a stable `id`, a location and free-form `attrs` so an extractor can record
//! what its rules need without changing this file.
//!
//! ## Conventions every extractor follows (the cross-artifact join relies on them)
//!
//! * Ids: `<path>#<address>`, e.g. `infra/iam.tf#aws_iam_role.deploy`,
//!   `k8s/sa.yaml#ServiceAccount/ci/deployer`, `.github/workflows/r.yml#jobs.publish`.
//!   Grants/trusts/credentials/usages append `/<n>` or a statement id to stay unique.
//! * Identity `name` is the cloud-side name when literal (role `name`, SA `account_id`), else the
//!   Terraform resource name. Identity `attrs` (all optional, strings unless said):
//!   - AWS role/user: `tf_address` (`aws_iam_role.deploy`), `arn_pattern`
//!     (`arn:aws:iam::*:role/deploy`), `max_session_duration` (number of seconds).
//!   - GCP service account: `tf_address`, `email` (`x@proj.iam.gserviceaccount.com` or with `*`).
//!   - Azure identity/app: `tf_address`, `client_id` when literal.
//!   - Kubernetes ServiceAccount: `namespace`, plus `annotations` (object) as written.
//!   - CI job (kind `gha_job`, `gitlab_job`, ...): `workflow` (path), `job`, `triggers`
//!     (array of event names), `branches` (array), `environment`, `permissions` (object),
//!     `id_token` (bool: can request an OIDC token).
//! * Trust: `identity` = identity id it admits to; `principal_kind` one of `any`, `aws-account`,
//!   `aws-arn`, `aws-service`, `federated-oidc`, `federated-saml`, `k8s-subject`, `gcp-member`,
//!   `azure-federated`; `principal` the account/ARN/issuer/subject as written. OIDC trusts set
//!   `attrs.issuer` (`token.actions.githubusercontent.com`, `gitlab.com`, `oidc.eks.*`,
//!   `app.terraform.io`, `oidc.circleci.com/org/*`), and every condition as written
//!   (operator/key/values; operator keeps `ForAnyValue:`/`IfExists`).
//! * Grant: `identity` = identity id (or the Terraform address when the identity is in another
//!   module); `effect` `Allow`/`Deny`; AWS actions/resources as written; GCP/Azure roles go in
//!   `actions` (`roles/owner`, `Owner`) with the scope in `resources`.
//! * Usage: `consumer` = consumer id (CI job or workload id); `identity_ref` = what it names
//!   (role ARN, GSA email, client id, `ns/serviceaccount`). Kinds: `gha-assume-role`,
//!   `gha-gcp-wif`, `gha-azure-login`, `gitlab-id-token`, `k8s-pod-sa`, `k8s-irsa`,
//!   `k8s-gke-wi`, `k8s-azure-wi`, `eks-pod-identity` (not emitted yet), `azp-service-connection`.
//!   CI job identity kinds: `gha_job`, `gitlab_job`, `bitbucket_step` (steps with `oidc: true`). CI usages copy the job's `triggers`,
//!   `branches`, `environment` into `attrs`.
//! * Never a secret value anywhere in facts: only `redact()`ed forms.

pub mod apptrust;
pub mod ci;
pub mod code;
pub mod kubernetes;
pub mod terraform;

use crate::lang::Parsed;
use crate::lang::Span;
use crate::source::SourceFile;
use serde::Serialize;
use std::collections::BTreeMap;

pub type Attrs = BTreeMap<String, serde_json::Value>;

#[derive(Clone, Debug, Default, Serialize, PartialEq, Eq)]
pub struct Loc {
    pub path: String,
    pub start_line: u32,
    pub start_column: u32,
    #[serde(skip)]
    pub span: Span,
}

impl Loc {
    pub fn new(file: &SourceFile, span: Span) -> Loc {
        let (l, c) = file.line_col(span.start);
        Loc {
            path: file.path.clone(),
            start_line: l,
            start_column: c,
            span,
        }
    }
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Condition {
    /// `StringEquals`, `StringLike`, `ForAnyValue:StringLike`, `attribute_condition`, ...
    pub operator: String,
    pub key: String,
    pub values: Vec<String>,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Identity {
    pub id: String,
    /// `aws_iam_role`, `google_service_account`, `k8s_service_account`, `gha_job`, ...
    pub kind: String,
    /// aws | gcp | azure | kubernetes | github | gitlab | circleci | azure-devops | bitbucket
    pub provider: String,
    pub name: String,
    pub loc: Loc,
    pub owner: Option<String>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub attrs: Attrs,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Grant {
    pub id: String,
    /// Identity id or reference (resolved when the graph is joined).
    pub identity: String,
    /// Allow | Deny
    pub effect: String,
    pub actions: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub not_actions: Vec<String>,
    pub resources: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub conditions: Vec<Condition>,
    pub loc: Loc,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub attrs: Attrs,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Trust {
    pub id: String,
    /// The identity this trust admits to.
    pub identity: String,
    /// aws-account | aws-arn | aws-service | federated-oidc | k8s-subject | gcp-member | any ...
    pub principal_kind: String,
    pub principal: String,
    pub conditions: Vec<Condition>,
    pub loc: Loc,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub attrs: Attrs,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Credential {
    pub id: String,
    /// access-key | service-account-key | client-secret | password | certificate | token | literal
    pub kind: String,
    pub identity: Option<String>,
    /// Human-readable lifetime (`never expires`, `90d`), when known.
    pub lifetime: Option<String>,
    /// literal | terraform-state | ci-secret | k8s-secret | file ...
    pub storage: String,
    /// Redacted form only (never the value).
    pub redacted: Option<String>,
    pub loc: Loc,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub attrs: Attrs,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Usage {
    pub id: String,
    /// `gha-assume-role`, `gcp-wif`, `azure-login`, `k8s-irsa`, `k8s-gke-wi`, `k8s-pod-sa`, ...
    pub kind: String,
    /// The consumer (workflow job, workload) by id.
    pub consumer: String,
    /// Reference to the identity used (ARN, email, client id, ServiceAccount name...).
    pub identity_ref: String,
    pub loc: Loc,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub attrs: Attrs,
}

/// An app-to-app edge: a caller that may call a callee (mesh authorisation), or an agent that
/// starts or calls a tool server. Kinds: `istio-allow`, `linkerd-allow`, `consul-allow`,
/// `mcp-server`. `from`/`to` as written: a SPIFFE principal (`cluster.local/ns/a/sa/b`),
/// `ns/sa`, `*`, a workload selector (`ns/app=web`), a tool server (`mcp.json#servers.github`).
/// Attrs: `mesh`, `caller_sa` and `caller_namespace` (a caller the principal names),
/// `callee_namespace`, `callee_labels` (object), `callee_service`, `credentials` (array of
/// credential ids), `any_caller` (bool).
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Call {
    pub id: String,
    pub kind: String,
    pub from: String,
    pub to: String,
    pub loc: Loc,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub attrs: Attrs,
}

#[derive(Clone, Debug, Default, Serialize, PartialEq)]
pub struct Facts {
    pub identities: Vec<Identity>,
    pub grants: Vec<Grant>,
    pub trusts: Vec<Trust>,
    pub credentials: Vec<Credential>,
    pub usages: Vec<Usage>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub calls: Vec<Call>,
}

impl Facts {
    pub fn extend(&mut self, o: Facts) {
        self.identities.extend(o.identities);
        self.grants.extend(o.grants);
        self.trusts.extend(o.trusts);
        self.credentials.extend(o.credentials);
        self.usages.extend(o.usages);
        self.calls.extend(o.calls);
    }

    pub fn is_empty(&self) -> bool {
        self.identities.is_empty()
            && self.grants.is_empty()
            && self.trusts.is_empty()
            && self.credentials.is_empty()
            && self.usages.is_empty()
            && self.calls.is_empty()
    }

    /// Join the facts of another rendering of the same files (a Helm chart rendered with
    /// other values, `label` naming them): a fact identical to one already here is dropped; one
    /// whose id is taken by a different fact gets the id `<id>@<label>`, and the grants, trusts
    /// and credentials of `other` that named a renamed identity follow it. Each fact added has
    /// the attribute `rendering` = `label`.
    pub fn merge_rendering(&mut self, mut other: Facts, label: &str) {
        let mut renamed: std::collections::HashMap<String, String> = Default::default();
        merge_list(
            &mut self.identities,
            other.identities,
            |x| (&mut x.id, &mut x.attrs),
            label,
            &mut renamed,
        );
        if !renamed.is_empty() {
            let follow = |r: &mut String| {
                if let Some(n) = renamed.get(r.as_str()) {
                    *r = n.clone();
                }
            };
            other
                .grants
                .iter_mut()
                .for_each(|g| follow(&mut g.identity));
            other
                .trusts
                .iter_mut()
                .for_each(|t| follow(&mut t.identity));
            other
                .credentials
                .iter_mut()
                .filter_map(|c| c.identity.as_mut())
                .for_each(follow);
        }
        let mut ignored = Default::default();
        let r = &mut ignored;
        merge_list(
            &mut self.grants,
            other.grants,
            |x| (&mut x.id, &mut x.attrs),
            label,
            r,
        );
        merge_list(
            &mut self.trusts,
            other.trusts,
            |x| (&mut x.id, &mut x.attrs),
            label,
            r,
        );
        let c: fn(&mut Credential) -> (&mut String, &mut Attrs) = |x| (&mut x.id, &mut x.attrs);
        merge_list(&mut self.credentials, other.credentials, c, label, r);
        merge_list(
            &mut self.usages,
            other.usages,
            |x| (&mut x.id, &mut x.attrs),
            label,
            r,
        );
        merge_list(
            &mut self.calls,
            other.calls,
            |x| (&mut x.id, &mut x.attrs),
            label,
            r,
        );
    }

    /// Where each fact is, with its attributes.
    pub fn locations(&self) -> impl Iterator<Item = (&Loc, &Attrs)> {
        let i = self.identities.iter().map(|x| (&x.loc, &x.attrs));
        let g = self.grants.iter().map(|x| (&x.loc, &x.attrs));
        let t = self.trusts.iter().map(|x| (&x.loc, &x.attrs));
        let c = self.credentials.iter().map(|x| (&x.loc, &x.attrs));
        let u = self.usages.iter().map(|x| (&x.loc, &x.attrs));
        let k = self.calls.iter().map(|x| (&x.loc, &x.attrs));
        i.chain(g).chain(t).chain(c).chain(u).chain(k)
    }

    /// Deterministic order (by id).
    pub fn sort(&mut self) {
        self.identities.sort_by(|a, b| a.id.cmp(&b.id));
        self.grants.sort_by(|a, b| a.id.cmp(&b.id));
        self.trusts.sort_by(|a, b| a.id.cmp(&b.id));
        self.credentials.sort_by(|a, b| a.id.cmp(&b.id));
        self.usages.sort_by(|a, b| a.id.cmp(&b.id));
        self.calls.sort_by(|a, b| a.id.cmp(&b.id));
    }
}

/// The attribute naming the other rendering a fact comes from ([`Facts::merge_rendering`]).
pub const RENDERING: &str = "rendering";

/// [`Facts::merge_rendering`] for one kind of fact (`parts`: its id and attributes):
/// `renamed` collects old id → new id.
fn merge_list<T: PartialEq + Clone>(
    into: &mut Vec<T>,
    from: Vec<T>,
    parts: fn(&mut T) -> (&mut String, &mut Attrs),
    label: &str,
    renamed: &mut std::collections::HashMap<String, String>,
) {
    let mut by_id: std::collections::HashMap<String, Vec<usize>> = Default::default();
    for (i, x) in into.iter_mut().enumerate() {
        by_id.entry(parts(x).0.clone()).or_default().push(i);
    }
    // The same fact, whichever rendering added it.
    let same = |a: &T, b: &T| {
        let mut a = a.clone();
        parts(&mut a).1.remove(RENDERING);
        a == *b
    };
    for mut x in from {
        let old = parts(&mut x).0.clone();
        let taken = by_id.get(&old);
        if taken.is_some_and(|is| is.iter().any(|&i| same(&into[i], &x))) {
            continue;
        }
        if taken.is_some() {
            let new = format!("{old}@{label}");
            *parts(&mut x).0 = new.clone();
            renamed.insert(old, new.clone());
            if by_id
                .get(&new)
                .is_some_and(|is| is.iter().any(|&i| same(&into[i], &x)))
            {
                continue;
            }
            by_id.entry(new).or_default().push(into.len());
        } else {
            by_id.entry(old).or_default().push(into.len());
        }
        parts(&mut x)
            .1
            .insert(RENDERING.into(), serde_json::Value::from(label));
        into.push(x);
    }
}

/// Facts of one file, by its kind.
pub fn extract(file: &SourceFile, parsed: &Parsed, config: &crate::config::Config) -> Facts {
    let mut f = match file.kind.target() {
        "terraform" | "cloudformation" => terraform::extract(file, parsed, config),
        "kubernetes" => kubernetes::extract(file, parsed, config),
        "ci" => ci::extract(file, parsed, config),
        "source" => code::extract(file, parsed, config),
        _ => Facts::default(),
    };
    f.extend(apptrust::extract(file, parsed));
    f
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sa(id: &str, role: &str) -> Identity {
        let mut attrs = Attrs::new();
        attrs.insert("role".into(), serde_json::json!(role));
        Identity {
            id: id.into(),
            kind: "k8s_service_account".into(),
            provider: "kubernetes".into(),
            name: "api".into(),
            loc: Loc::default(),
            owner: None,
            labels: BTreeMap::new(),
            attrs,
        }
    }

    fn grant(id: &str, identity: &str) -> Grant {
        Grant {
            id: id.into(),
            identity: identity.into(),
            effect: "Allow".into(),
            actions: vec!["get".into()],
            not_actions: Vec::new(),
            resources: Vec::new(),
            conditions: Vec::new(),
            loc: Loc::default(),
            attrs: Attrs::new(),
        }
    }

    #[test]
    fn another_rendering_adds_only_what_differs() {
        let mut base = Facts {
            identities: vec![sa("t.yaml#SA/a", "dev"), sa("t.yaml#SA/b", "dev")],
            grants: vec![grant("t.yaml#g", "t.yaml#SA/b")],
            ..Facts::default()
        };
        // Same object: dropped; same id, other content: renamed, its grant follows it; new id: kept.
        let prod = Facts {
            identities: vec![
                sa("t.yaml#SA/a", "dev"),
                sa("t.yaml#SA/b", "prod"),
                sa("t.yaml#SA/c", "prod"),
            ],
            grants: vec![grant("t.yaml#g", "t.yaml#SA/b")],
            ..Facts::default()
        };
        base.merge_rendering(prod.clone(), "values-prod.yaml");
        let ids: Vec<&str> = base.identities.iter().map(|i| i.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "t.yaml#SA/a",
                "t.yaml#SA/b",
                "t.yaml#SA/b@values-prod.yaml",
                "t.yaml#SA/c"
            ]
        );
        let grants: Vec<(&str, &str)> = base
            .grants
            .iter()
            .map(|g| (g.id.as_str(), g.identity.as_str()))
            .collect();
        assert_eq!(
            grants,
            [
                ("t.yaml#g", "t.yaml#SA/b"),
                ("t.yaml#g@values-prod.yaml", "t.yaml#SA/b@values-prod.yaml")
            ]
        );
        // What another rendering added says which.
        let from: Vec<Option<&str>> = base
            .identities
            .iter()
            .map(|i| i.attrs.get(RENDERING).and_then(|v| v.as_str()))
            .collect();
        assert_eq!(
            from,
            [
                None,
                None,
                Some("values-prod.yaml"),
                Some("values-prod.yaml")
            ]
        );
        // Merging the same rendering again adds nothing.
        let before = base.identities.len() + base.grants.len();
        base.merge_rendering(prod, "values-prod.yaml");
        assert_eq!(base.identities.len() + base.grants.len(), before);
    }
}
