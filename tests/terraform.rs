//! Terraform end to end: the fixture repository under `testdata/terraform/` (HCL modules in the
//! style of terraform-aws-modules, `.tf.json`, a plan JSON, GCP and Azure identities) scanned by
//! the real binary; JSON findings snapshotted. Plus the facts the trust-path join relies on.

use assert_cmd::Command;
use nhilint::config::Config;
use nhilint::engine::Engine;
use nhilint::rules::RuleSet;
use std::path::Path;

fn scan_json() -> serde_json::Value {
    let out = Command::cargo_bin("nhilint")
        .expect("binary")
        .args([
            "check",
            "testdata/terraform",
            "--format",
            "json",
            "--select",
            "terraform",
        ])
        .env("NHILINT_TODAY", "2026-01-01")
        .output()
        .expect("run nhilint");
    serde_json::from_slice(&out.stdout).expect("json output")
}

#[test]
fn fixture_findings_snapshot() {
    let v = scan_json();
    let findings: Vec<serde_json::Value> = v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            let mut f = f.clone();
            if let Some(o) = f.as_object_mut() {
                o.remove("help");
                o.remove("title");
            }
            f
        })
        .collect();
    assert!(
        v["errors"].as_array().is_some_and(|e| e.is_empty()),
        "{}",
        v["errors"]
    );
    insta::assert_snapshot!(serde_json::to_string_pretty(&findings).expect("json"));
}

#[test]
fn wildcard_subject_is_reported_at_the_module_argument() {
    let v = scan_json();
    let f = v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| {
            f["rule_id"] == "iam-oidc-trust-wildcard-subject"
                && f["path"] == "testdata/terraform/oidc-module/main.tf"
        })
        .expect("wildcard subject finding at the module argument");
    assert_eq!(f["start_line"], 18);
    assert_eq!(
        f["related"][0]["path"],
        "testdata/terraform/oidc-module/modules/iam-github-oidc-role/main.tf"
    );
}

#[test]
fn facts_for_the_trust_path_join() {
    let config = Config::default();
    let rules = RuleSet::build(&config, &["terraform".to_string()], &[]);
    let engine = Engine::new(config, rules);
    let root = Path::new("testdata/terraform");
    let inputs = nhilint::walk::collect(root, &[], &engine.config, 2).inputs;
    let report = engine.scan_files(root, inputs, None);
    let facts = &report.facts;
    let gitlab = facts
        .trusts
        .iter()
        .find(|t| t.identity == "aws/trust.tf#aws_iam_role.gitlab")
        .expect("gitlab trust");
    assert_eq!(gitlab.principal_kind, "federated-oidc");
    assert_eq!(gitlab.attrs["issuer"], "gitlab.com");
    let org = facts
        .trusts
        .iter()
        .find(|t| t.identity == "aws/trust.tf#aws_iam_role.org_reader")
        .expect("org trust");
    assert_eq!(org.principal_kind, "any");
    assert_eq!(org.conditions[0].key, "aws:PrincipalOrgID");
    let role = facts
        .identities
        .iter()
        .find(|i| i.id == "aws/trust.tf#aws_iam_role.vendor")
        .expect("vendor role");
    assert_eq!(
        role.attrs["arn_pattern"],
        "arn:aws:iam::*:role/vendor-audit"
    );
    assert_eq!(role.owner.as_deref(), Some("security"));
    let sa = facts
        .identities
        .iter()
        .find(|i| i.kind == "google_service_account")
        .expect("gcp sa");
    assert_eq!(
        sa.attrs["email"],
        "deployer@acme-prod.iam.gserviceaccount.com"
    );
    assert!(facts.credentials.iter().any(|c| c.kind == "access-key"
        && c.identity.as_deref() == Some("secrets/main.tf#aws_iam_user.deploy")));
    let lit = facts
        .credentials
        .iter()
        .find(|c| c.kind == "literal")
        .expect("literal provider key");
    assert!(!lit.redacted.as_deref().unwrap_or("").contains("EXAMPLEKEY"));
    assert!(
        facts
            .trusts
            .iter()
            .any(|t| t.principal_kind == "azure-federated"
                && t.attrs["issuer"] == "token.actions.githubusercontent.com")
    );
    assert!(
        facts
            .grants
            .iter()
            .any(|g| g.actions == vec!["roles/editor".to_string()]
                && g.identity == "gcp/main.tf#google_service_account.deployer")
    );
}

/// Concise findings of one fixture folder (all rules of the terraform target).
fn concise(dir: &str) -> Vec<String> {
    let out = Command::cargo_bin("nhilint")
        .expect("binary")
        .args(["check", dir, "--format", "concise", "--select", "terraform"])
        .output()
        .expect("run nhilint");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| l.starts_with(dir))
        .map(|l| l.strip_prefix(dir).unwrap_or(l).to_string())
        .collect()
}

#[test]
fn iteration_reports_each_instance_where_the_value_is_written() {
    let f = concise("testdata/terraform/iteration/");
    let has = |needle: &str| f.iter().any(|l| l.contains(needle));
    // Module for_each: the map value written in the caller, the instance of the module's
    // own for_each in the message.
    assert!(has(
        "main.tf:19:31: iam-admin-equivalent-grant [high] `aws_iam_role_policy_attachment.this[\"AdministratorAccess\"]`"
    ));
    // count + count.index into a local list: reported where `roles/owner` is written.
    assert!(has(
        "main.tf:5:15: iam-admin-equivalent-grant [high] `google_project_iam_member.ci[0]` grants `roles/owner`"
    ));
    // A for expression with a filter keeps only `publish`.
    assert!(has("trust policy of `aws_iam_role.ci[\"publish\"]`"));
    assert!(!has("aws_iam_role.ci[\"read\"]"));
    // toset: one instance per element; only the admin one is reported.
    assert!(has(
        "`aws_iam_role_policy_attachment.ci[\"arn:aws:iam::aws:policy/AdministratorAccess\"]`"
    ));
    assert!(!has("ReadOnlyAccess"));
    // Instances sharing one written value: one finding naming the others.
    assert!(has(
        "`aws_iam_user.bots[\"build\"]` has no owner (none of the tags `owner`, `team`, `Owner`, `Team` and no owners) (also instances `[\"deploy\"]`, `[\"lint\"]`)"
    ));
    // count = 0 creates nothing.
    assert!(!has("aws_iam_role.none"));
    // for_each over another resource (and a for expression over it): per instance, the value
    // reported where it is written in the other resource.
    assert!(has(
        "main.tf:118:11: iam-admin-equivalent-grant [high] `aws_iam_role_policy_attachment.svc[\"api\"]`"
    ));
    assert!(!has("aws_iam_role_policy_attachment.svc[\"web\"]"));
    assert!(has(
        "policy `aws_iam_role_policy.svc_logs[\"api\"]` allows every `logs` action"
    ));
    assert!(!has("svc_logs[\"web\"]"));
    // for_each over a module: each.value is the instance's outputs.
    assert!(has(
        "team/main.tf:11:23: iam-admin-equivalent-grant [high] `aws_iam_role_policy_attachment.teams[\"ops\"]`"
    ));
    assert!(!has("teams[\"dev\"]"));
    // dynamic blocks evaluated per element; no evaluator placeholders in any message.
    assert!(has("allows `s3:*`, `sqs:*` on every resource"));
    assert!(f.iter().all(|l| !l.contains("${")), "{f:#?}");
}

#[test]
fn iteration_site_is_a_related_location() {
    let out = Command::cargo_bin("nhilint")
        .expect("binary")
        .args([
            "check",
            "testdata/terraform/iteration",
            "--format",
            "json",
            "--select",
            "iam-admin-equivalent-grant",
        ])
        .output()
        .expect("run nhilint");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let f = v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["start_line"] == 19)
        .expect("module for_each finding");
    let related: Vec<(String, i64, String)> = f["related"]
        .as_array()
        .expect("related")
        .iter()
        .map(|r| {
            (
                r["path"].as_str().unwrap_or("").to_string(),
                r["start_line"].as_i64().unwrap_or(0),
                r["message"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    assert!(related.contains(&(
        "testdata/terraform/iteration/main.tf".into(),
        16,
        "`for_each` creates the instance here".into()
    )));
    assert!(related.contains(&(
        "testdata/terraform/iteration/modules/role/main.tf".into(),
        25,
        "`for_each` creates the instance here".into()
    )));
}

#[test]
fn saml_is_not_oidc_for_all_values_audience_and_keys_written_twice() {
    let f = concise("testdata/terraform/federation/");
    // A trust through an `aws_iam_saml_provider` is SAML: no OIDC subject finding.
    assert!(f.iter().all(|l| !l.contains("OIDC")), "{f:#?}");
    // `ForAllValues:StringEquals` on `aud` restricts the audience (the token always has it).
    assert!(f.iter().all(|l| !l.contains("audience")), "{f:#?}");
    // `role` written twice: the last value (`roles/owner`) is the one granted.
    assert!(
        f.iter().any(
            |l| l.starts_with("main.tf:54:14: iam-admin-equivalent-grant")
                && l.contains("grants `roles/owner`")
        ),
        "{f:#?}"
    );
}

#[test]
fn secrets_flowing_into_plaintext_configuration() {
    let f = concise("testdata/terraform/secrets-plaintext/");
    let at = |prefix: &str| f.iter().any(|l| l.starts_with(prefix));
    for (line, what) in [
        ("main.tf:25:", "Lambda environment variable `APP_SECRET`"),
        ("main.tf:35:", "`user_data`"),
        ("main.tf:39:", "a file a provisioner writes"),
        ("main.tf:47:", "SSM `String` parameter"),
        ("main.tf:62:", "an S3 object"),
        (
            "main.tf:72:",
            "Elastic Beanstalk environment property `APP_SECRET`",
        ),
        ("main.tf:85:", "CodeBuild environment variable `APP_SECRET`"),
        ("main.tf:107:", "a container definition"),
        ("main.tf:117:", "Kubernetes Secret key `password`"),
        ("main.tf:126:", "a DynamoDB item"),
    ] {
        assert!(
            f.iter().any(|l| l.starts_with(line)
                && l.contains("tf-secret-in-plaintext-config")
                && l.contains(what)),
            "{line} {what}: {f:#?}"
        );
    }
    // SecureString parameters and Parameter Store variables are not plain text.
    assert!(!at("main.tf:53:"));
    assert!(
        !f.iter()
            .any(|l| l.contains("DB_PASSWORD`") && l.contains("CodeBuild"))
    );
}

#[test]
fn installed_registry_and_git_modules_are_followed() {
    // .terraform/ is not scanned (.nhilintignore, as .gitignore does in real repositories):
    // modules.json names the directories, read from disk and reported at the calls.
    let got = concise("testdata/terraform-installed");
    assert!(
        got.iter()
            .any(|l| l.starts_with("/main.tf:8:12: iam-oidc-trust-wildcard-subject")),
        "{got:#?}"
    );
    // Written inside the nested git module: reported at the outermost call.
    assert!(
        got.iter()
            .any(|l| l.starts_with("/main.tf:3:8: iam-long-lived-access-key")),
        "{got:#?}"
    );
    // `pinned` is installed outside `.terraform/modules` (never read): nothing from it.
    assert_eq!(got.len(), 2, "{got:#?}");
}

#[test]
fn literal_secrets_through_variables_and_locals_into_plaintext() {
    let f = concise("testdata/terraform/secrets-literal/");
    let hit = |line: &str, name: &str| {
        f.iter().any(|l| {
            l.starts_with(line)
                && l.contains("tf-secret-in-plaintext-config")
                && l.contains(&format!("the value of `{name}`, a literal"))
        })
    };
    // A default, a locals value and a tfvars value, each at the use in the resource.
    assert!(hit("main.tf:6:", "var.db_password"), "{f:#?}");
    assert!(hit("main.tf:16:", "local.smtp_password"), "{f:#?}");
    assert!(hit("main.tf:17:", "var.admin-secret"), "{f:#?}");
    // No literal (given at apply time), names that are not secrets, SecureString.
    let plaintext: Vec<_> = f
        .iter()
        .filter(|l| l.contains("tf-secret-in-plaintext-config"))
        .collect();
    assert_eq!(plaintext.len(), 3, "{f:#?}");
    // The literal is never shown.
    assert!(f.iter().all(|l| !l.contains("4711") && !l.contains("0815")));
}
