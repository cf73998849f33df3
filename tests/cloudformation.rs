//! CloudFormation (YAML with short-form tags, JSON), SAM, CDK output and Serverless Framework
//! templates go through the same identity model as Terraform: the fixtures under
//! `testdata/cloudformation/bad` give exactly these findings, `clean` (Deny statements, service
//! principals, `aws:PrincipalOrgID`, scoped actions, SAM policy templates scoped to a resource,
//! Cognito's SMS role) gives none, and a
//! workflow assuming a role of a template, and an EKS ServiceAccount annotated with it, join it
//! in the trust graph.

mod cli_support;
use std::collections::BTreeSet;

fn run(args: &[&str]) -> serde_json::Value {
    cli_support::json(None, args)
}

fn findings(dir: &str) -> BTreeSet<(String, String, u64)> {
    findings_with(dir, &[])
}

fn findings_with(dir: &str, extra: &[&str]) -> BTreeSet<(String, String, u64)> {
    let mut args = vec!["check", dir, "--format", "json"];
    args.extend_from_slice(extra);
    let v = run(&args);
    assert!(
        v["errors"].as_array().is_some_and(|e| e.is_empty()),
        "{}",
        v["errors"]
    );
    v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            let p = f["path"].as_str().unwrap_or("");
            let p = p.strip_prefix(dir).unwrap_or(p).trim_start_matches('/');
            (
                f["rule_id"].as_str().unwrap_or("").to_string(),
                p.to_string(),
                f["start_line"].as_u64().unwrap_or(0),
            )
        })
        .collect()
}

#[test]
fn bad_templates_of_every_format() {
    let got = findings("testdata/cloudformation/bad");
    let want: BTreeSet<(String, String, u64)> = [
        (
            "iam-cross-account-trust-no-external-id",
            "cdk.out/App.template.json",
            11,
        ),
        ("iam-privilege-escalation", "cdk.out/App.template.json", 23),
        ("iam-wildcard-action", "cdk.out/App.template.json", 23),
        ("iam-wildcard-resource", "cdk.out/App.template.json", 23),
        ("iam-admin-equivalent-grant", "sam/template.yaml", 12),
        ("iam-wildcard-action", "sam/template.yaml", 21),
        ("iam-wildcard-resource", "sam/template.yaml", 22),
        // SAM policy templates: `TableName: "*"`, and a parameter whose default is `*`.
        ("iam-wildcard-resource", "sam/template.yaml", 29),
        ("iam-wildcard-resource", "sam/template.yaml", 39),
        ("iam-wildcard-action", "sls/serverless.yml", 9),
        ("iam-wildcard-action", "flow-forms.yaml", 17),
        ("tf-variable-default-secret", "secrets.yaml", 11),
        ("tf-secret-in-output", "secrets.yaml", 18),
        ("iam-wildcard-resource", "conditions.yaml", 35),
        ("iam-wildcard-resource", "conditions.yaml", 40),
        ("iam-wildcard-resource", "flow-forms.yaml", 27),
        ("tf-variable-default-secret", "stack.yaml", 7),
        ("iam-trust-any-principal", "stack.yaml", 21),
        ("iam-admin-equivalent-grant", "stack.yaml", 24),
        ("iam-wildcard-action", "stack.yaml", 31),
        ("iam-long-session-duration", "stack.yaml", 42),
        ("iam-oidc-trust-no-subject", "stack.yaml", 47),
        ("iam-oidc-trust-wildcard-subject", "stack.yaml", 51),
        ("iam-privilege-escalation", "stack.yaml", 61),
        ("iam-wildcard-resource", "stack.yaml", 64),
        ("iam-wildcard-action", "stack.yaml", 66),
        ("iam-user-console-and-keys", "stack.yaml", 68),
        ("iam-long-lived-access-key", "stack.yaml", 74),
        ("tf-secret-in-output", "stack.yaml", 80),
    ]
    .iter()
    .map(|(r, p, l)| (r.to_string(), p.to_string(), *l))
    .collect();
    let missing: Vec<_> = want.difference(&got).collect();
    let extra: Vec<_> = got.difference(&want).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "missing {missing:#?}\nextra {extra:#?}"
    );
}

#[test]
fn clean_templates_stay_quiet() {
    let got = findings("testdata/cloudformation/clean");
    assert!(got.is_empty(), "{got:#?}");
}

/// Messages name resources by their logical id, never by the lowered Terraform address.
#[test]
fn messages_use_logical_ids() {
    let v = run(&["check", "testdata/cloudformation/bad", "--format", "json"]);
    for f in v["findings"].as_array().expect("findings") {
        let m = f["message"].as_str().unwrap_or("");
        assert!(!m.contains("aws_iam_"), "{m}");
        assert!(!m.contains("Terraform"), "{m}");
    }
}

#[test]
fn workflow_assuming_a_template_role_joins_the_graph() {
    let dir = "testdata/cloudformation/paths";
    let got = findings(dir);
    assert!(
        got.contains(&(
            "trust-path-broad-subject".into(),
            "deploy-role.yaml".into(),
            16
        )),
        "{got:#?}"
    );
    let inv = run(&["inventory", dir, "--format", "json"]);
    let usages = inv["usages"].as_array().expect("usages");
    // The workflow's `role-to-assume` and the EKS ServiceAccount's role annotation.
    for kind in ["gha-assume-role", "k8s-irsa"] {
        assert!(
            usages.iter().any(|u| u["kind"] == kind
                && u["identity"]
                    == "testdata/cloudformation/paths/deploy-role.yaml#aws_iam_role.DeployRole"
                && u["resolution"] == "exact"),
            "{kind}: {usages:#?}"
        );
    }
}

/// Parameter files named in `nhilint.toml` (a CloudFormation JSON parameter file, a SAM
/// `samconfig.toml`) override the defaults: the `IsProd` branch attaches `AdministratorAccess`
/// and the bucket parameter is scoped. Without them the defaults decide.
#[test]
fn parameter_files_override_defaults() {
    let dir = "testdata/cloudformation/params";
    let deployed: BTreeSet<(String, String, u64)> = [
        ("iam-admin-equivalent-grant", "stack.yaml", 24),
        ("iam-admin-equivalent-grant", "sam/template.yaml", 24),
    ]
    .iter()
    .map(|(r, p, l)| (r.to_string(), p.to_string(), *l))
    .collect();
    assert_eq!(findings(dir), deployed);
    let defaults: BTreeSet<(String, String, u64)> = [
        ("iam-wildcard-resource", "stack.yaml", 10),
        ("iam-wildcard-resource", "sam/template.yaml", 10),
    ]
    .iter()
    .map(|(r, p, l)| (r.to_string(), p.to_string(), *l))
    .collect();
    assert_eq!(findings_with(dir, &["--config", "/dev/null"]), defaults);
}

/// Roles whose names CloudFormation makes join the workflow that names the deployed ARN: no
/// `RoleName` (`<stack>-<LogicalId>-<random>`) and `!Sub '${AWS::StackName}-publisher'`.
#[test]
fn generated_role_names_join_the_graph() {
    let dir = "testdata/cloudformation/paths";
    let inv = run(&["inventory", dir, "--format", "json"]);
    let usages = inv["usages"].as_array().expect("usages");
    for role in ["ReleaseRole", "PublisherRole"] {
        let id = format!("{dir}/generated-roles.yaml#aws_iam_role.{role}");
        assert!(
            usages.iter().any(|u| u["kind"] == "gha-assume-role"
                && u["identity"] == id.as_str()
                && u["resolution"] == "exact"),
            "{role}: {usages:#?}"
        );
    }
    assert!(findings(dir).contains(&(
        "trust-path-broad-subject".into(),
        "generated-roles.yaml".into(),
        12
    )));
}
