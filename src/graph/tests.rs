//! Join tests on hand-built facts (the shapes the extractors follow, see `src/facts/mod.rs`).

use super::*;
use crate::facts::{Condition, Grant, Identity, Loc, Trust, Usage};
use serde_json::json;

pub(crate) fn loc(path: &str, line: u32) -> Loc {
    Loc {
        path: path.into(),
        start_line: line,
        start_column: 1,
        span: 0..0,
    }
}

pub(crate) fn identity(
    id: &str,
    kind: &str,
    provider: &str,
    name: &str,
    attrs: serde_json::Value,
) -> Identity {
    Identity {
        id: id.into(),
        kind: kind.into(),
        provider: provider.into(),
        name: name.into(),
        loc: loc(id.split('#').next().unwrap_or(id), 1),
        owner: None,
        labels: Default::default(),
        attrs: attrs
            .as_object()
            .map(|m| m.clone().into_iter().collect())
            .unwrap_or_default(),
    }
}

pub(crate) fn gh_trust(id: &str, identity: &str, op: &str, subs: &[&str]) -> Trust {
    Trust {
        id: id.into(),
        identity: identity.into(),
        principal_kind: "federated-oidc".into(),
        principal: "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"
            .into(),
        conditions: vec![
            Condition {
                operator: "StringEquals".into(),
                key: "token.actions.githubusercontent.com:aud".into(),
                values: vec!["sts.amazonaws.com".into()],
            },
            Condition {
                operator: op.into(),
                key: "token.actions.githubusercontent.com:sub".into(),
                values: subs.iter().map(|s| s.to_string()).collect(),
            },
        ],
        loc: loc(id.split('#').next().unwrap_or(id), 5),
        attrs: [(
            "issuer".to_string(),
            json!("token.actions.githubusercontent.com"),
        )]
        .into_iter()
        .collect(),
    }
}

pub(crate) fn usage(
    id: &str,
    kind: &str,
    consumer: &str,
    r: &str,
    attrs: serde_json::Value,
) -> Usage {
    Usage {
        id: id.into(),
        kind: kind.into(),
        consumer: consumer.into(),
        identity_ref: r.into(),
        loc: loc(id.split('#').next().unwrap_or(id), 20),
        attrs: attrs
            .as_object()
            .map(|m| m.clone().into_iter().collect())
            .unwrap_or_default(),
    }
}

pub(crate) fn grant(id: &str, identity: &str, actions: &[&str]) -> Grant {
    Grant {
        id: id.into(),
        identity: identity.into(),
        effect: "Allow".into(),
        actions: actions.iter().map(|s| s.to_string()).collect(),
        not_actions: vec![],
        resources: vec!["*".into()],
        conditions: vec![],
        loc: loc(id.split('#').next().unwrap_or(id), 30),
        attrs: Default::default(),
    }
}

fn role(name: &str) -> Identity {
    identity(
        &format!("infra/iam.tf#aws_iam_role.{name}"),
        "aws_iam_role",
        "aws",
        name,
        json!({"tf_address": format!("aws_iam_role.{name}"), "arn_pattern": format!("arn:aws:iam::*:role/{name}")}),
    )
}

fn facts() -> Facts {
    let mut f = Facts::default();
    f.identities.push(role("deploy"));
    f.identities.push(role("ci"));
    f.trusts.push(gh_trust(
        "infra/iam.tf#aws_iam_role.deploy/trust/0",
        "infra/iam.tf#aws_iam_role.deploy",
        "StringEquals",
        &["repo:acme/app:environment:prod"],
    ));
    f.trusts.push(gh_trust(
        "infra/iam.tf#aws_iam_role.ci/trust/0",
        "aws_iam_role.ci",
        "StringLike",
        &["repo:acme/*"],
    ));
    f.grants.push(grant(
        "infra/iam.tf#aws_iam_role_policy.ci/0",
        "aws_iam_role.ci",
        &["*"],
    ));
    f.grants.push(grant(
        "infra/iam.tf#aws_iam_role_policy.deploy/0",
        "infra/iam.tf#aws_iam_role.deploy",
        &["s3:PutObject", "s3:GetObject"],
    ));
    f.usages.push(usage(
        ".github/workflows/deploy.yml#jobs.deploy/0",
        "gha-assume-role",
        ".github/workflows/deploy.yml#jobs.deploy",
        "arn:aws:iam::123456789012:role/deploy",
        json!({"triggers": ["push"], "branches": ["main"], "environment": "prod"}),
    ));
    f.usages.push(usage(
        ".github/workflows/pr.yml#jobs.test/0",
        "gha-assume-role",
        ".github/workflows/pr.yml#jobs.test",
        "arn:aws:iam::${{ vars.ACCOUNT }}:role/ci",
        json!({"triggers": ["pull_request_target"]}),
    ));
    f.usages.push(usage(
        ".github/workflows/pr.yml#jobs.other/0",
        "gha-assume-role",
        ".github/workflows/pr.yml#jobs.other",
        "${{ vars.ROLE_ARN }}",
        json!({"triggers": ["push"]}),
    ));
    f
}

#[test]
fn joins_workflow_to_role_and_evaluates_trust() {
    let f = facts();
    let g = Graph::build_with_repo(&f, &Config::default(), Some("acme/app".into()));
    let deploy = &g.links[0];
    assert_eq!(deploy.target, Some(0));
    assert_eq!(deploy.resolution, Resolution::Exact);
    assert_eq!(deploy.admitted, Some(Tri::Yes));
    assert_eq!(g.nodes[0].privilege, Privilege::Write);

    let pr = &g.links[1];
    assert_eq!(pr.target, Some(1));
    assert_eq!(pr.resolution, Resolution::Name);
    assert_eq!(pr.admitted, Some(Tri::Yes));
    assert_eq!(
        pr.subjects[pr.admissions[0].2].untrusted.as_deref(),
        Some("pull_request_target")
    );
    assert_eq!(g.nodes[1].privilege, Privilege::Admin);
    assert_eq!(g.nodes[1].trusts[0].reach.any_repo_of, vec!["acme"]);

    let other = &g.links[2];
    assert_eq!(other.target, None);
    assert_eq!(other.resolution, Resolution::Unresolved);
}

#[test]
fn environment_subject_refuses_jobs_without_environment() {
    let mut f = facts();
    f.usages[0].attrs.remove("environment");
    let g = Graph::build_with_repo(&f, &Config::default(), Some("acme/app".into()));
    assert_eq!(g.links[0].admitted, Some(Tri::No));
}

#[test]
fn unknown_repository_is_maybe() {
    let f = facts();
    let g = Graph::build_with_repo(&f, &Config::default(), None);
    assert_eq!(g.links[0].admitted, Some(Tri::Maybe));
    // `repo:acme/*` with an unknown repository: maybe (the repository may be of acme).
    assert_eq!(g.links[1].admitted, Some(Tri::Maybe));
}

#[test]
fn kubernetes_irsa_chain() {
    let mut f = Facts::default();
    f.identities.push(role("api"));
    f.identities.push(identity(
        "k8s/sa.yaml#ServiceAccount/apps/api",
        "k8s_service_account",
        "kubernetes",
        "api",
        json!({"namespace": "apps"}),
    ));
    let mut t = gh_trust(
        "infra/iam.tf#aws_iam_role.api/trust/0",
        "aws_iam_role.api",
        "StringEquals",
        &["system:serviceaccount:apps:api"],
    );
    t.conditions[1].key =
        "${replace(aws_iam_openid_connect_provider.eks.url, \"https://\", \"\")}:sub".into();
    t.attrs.clear();
    t.principal = "aws_iam_openid_connect_provider.eks.arn".into();
    f.trusts.push(t);
    f.usages.push(usage(
        "k8s/sa.yaml#ServiceAccount/apps/api/irsa",
        "k8s-irsa",
        "k8s/sa.yaml#ServiceAccount/apps/api",
        "arn:aws:iam::123456789012:role/api",
        json!({}),
    ));
    let g = Graph::build_with_repo(&f, &Config::default(), Some("acme/app".into()));
    assert_eq!(g.nodes[0].trusts[0].family, Family::Kubernetes);
    assert_eq!(
        g.links[0].subjects[0].value,
        "system:serviceaccount:apps:api"
    );
    assert_eq!(g.links[0].admitted, Some(Tri::Yes));
    assert_eq!(g.links[0].workload, "k8s:apps/api");
    // Renamed ServiceAccount: the trust no longer admits it.
    f.identities[1].name = "api-v2".into();
    let g = Graph::build_with_repo(&f, &Config::default(), Some("acme/app".into()));
    assert_eq!(g.links[0].admitted, Some(Tri::No));
}

#[test]
fn environments_from_config() {
    let c = Config::parse(
        "[environments.production]\nproduction = true\nci-environments = [\"prod\"]\nbranches = [\"main\"]\naws-accounts = [\"123456789012\"]\n[environments.staging]\nbranches = [\"develop\", \"feature/*\"]\n",
        Path::new("nhilint.toml"),
    )
    .unwrap();
    let f = facts();
    let g = Graph::build_with_repo(&f, &c, Some("acme/app".into()));
    assert_eq!(g.links[0].environments, vec!["production"]);
    let mut u = f.usages[2].clone();
    u.attrs.insert("branches".into(), json!(["feature/x"]));
    assert_eq!(env::usage_environments(&c, &u, None), vec!["staging"]);
    let mut r = role("x");
    r.attrs.insert(
        "arn_pattern".into(),
        json!("arn:aws:iam::123456789012:role/x"),
    );
    assert_eq!(env::identity_environments(&c, &r), vec!["production"]);
}

#[test]
fn gcp_and_azure_references() {
    let mut f = Facts::default();
    f.identities.push(identity(
        "infra/gcp.tf#google_service_account.deployer",
        "google_service_account",
        "gcp",
        "deployer",
        json!({"tf_address": "google_service_account.deployer", "email": "deployer@acme-prod.iam.gserviceaccount.com"}),
    ));
    f.identities.push(identity(
        "infra/az.tf#azurerm_user_assigned_identity.app",
        "azurerm_user_assigned_identity",
        "azure",
        "app",
        json!({"tf_address": "azurerm_user_assigned_identity.app", "client_id": "00000000-1111-2222-3333-444444444444"}),
    ));
    f.trusts.push(Trust {
        id: "infra/gcp.tf#google_service_account_iam_member.wi".into(),
        identity: "google_service_account.deployer".into(),
        principal_kind: "gcp-member".into(),
        principal: "principalSet://iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/gh/attribute.repository/acme/app".into(),
        conditions: vec![],
        loc: loc("infra/gcp.tf", 9),
        attrs: Default::default(),
    });
    f.usages.push(usage(
        ".github/workflows/d.yml#jobs.gcp/0",
        "gha-gcp-wif",
        ".github/workflows/d.yml#jobs.gcp",
        "deployer@acme-prod.iam.gserviceaccount.com",
        json!({"triggers": ["push"], "branches": ["main"]}),
    ));
    f.usages.push(usage(
        ".github/workflows/d.yml#jobs.az/0",
        "gha-azure-login",
        ".github/workflows/d.yml#jobs.az",
        "00000000-1111-2222-3333-444444444444",
        json!({"triggers": ["push"]}),
    ));
    let g = Graph::build_with_repo(&f, &Config::default(), Some("acme/app".into()));
    assert_eq!(g.links[0].target, Some(0));
    assert_eq!(g.links[0].admitted, Some(Tri::Yes));
    assert_eq!(g.links[1].target, Some(1));
    assert_eq!(g.links[1].admitted, None);
}

#[test]
fn azure_workload_identity_resolves_through_its_federated_credential() {
    let mut f = Facts::default();
    f.identities.push(identity(
        "infra/az.tf#azurerm_user_assigned_identity.api",
        "azurerm_user_assigned_identity",
        "azure",
        "api",
        json!({"tf_address": "azurerm_user_assigned_identity.api"}),
    ));
    f.trusts.push(Trust {
        id: "infra/az.tf#azurerm_federated_identity_credential.api/trust".into(),
        identity: "infra/az.tf#azurerm_user_assigned_identity.api".into(),
        principal_kind: "azure-federated".into(),
        principal: "westeurope.oic.prod-aks.azure.com/tenant/guid/".into(),
        conditions: vec![Condition {
            operator: "StringEquals".into(),
            key: "sub".into(),
            values: vec!["system:serviceaccount:apps:api".into()],
        }],
        loc: loc("infra/az.tf", 12),
        attrs: [(
            "issuer".to_string(),
            json!("westeurope.oic.prod-aks.azure.com/tenant/guid/"),
        )]
        .into_iter()
        .collect(),
    });
    f.usages.push(usage(
        "k8s/sa.yaml#ServiceAccount/apps/api/k8s-azure-wi",
        "k8s-azure-wi",
        "k8s/sa.yaml#ServiceAccount/apps/api",
        "00000000-0000-0000-0000-000000000001",
        json!({"namespace": "apps", "service_account": "api"}),
    ));
    let g = Graph::build_with_repo(&f, &Config::default(), Some("acme/app".into()));
    assert_eq!(g.nodes[0].trusts[0].family, Family::Kubernetes);
    assert_eq!(g.links[0].target, Some(0));
    assert_eq!(g.links[0].resolution, Resolution::ByTrust);
    assert_eq!(g.links[0].admitted, Some(Tri::Yes));
}
