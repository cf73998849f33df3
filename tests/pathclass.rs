//! Path classes (`testdata/pathclass/`): structural rules are silent in test, fixture and e2e
//! paths, fixtures never feed the graph production files are judged in, examples report in their
//! own files, and a secret in a test is reported with lower confidence.

use nhilint::config::Config;
use nhilint::context::Report;
use nhilint::engine::Engine;
use nhilint::finding::Confidence;
use nhilint::rules::RuleSet;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/pathclass")
}

fn scan(config: Config) -> Report {
    let root = root();
    let rules = RuleSet::build(&config, &[], &[]);
    let inputs = nhilint::walk::collect(&root, &[], &config, 2).inputs;
    Engine::new(config, rules).scan_files(&root, inputs, None)
}

fn found(report: &Report) -> Vec<(String, String)> {
    report
        .findings
        .iter()
        .map(|f| (f.path.clone(), f.rule_id.clone()))
        .collect()
}

#[test]
fn classes_decide_where_findings_report() {
    let report = scan(Config::default());
    let got = found(&report);
    let has = |p: &str, r: &str| got.iter().any(|(fp, fr)| fp == p && fr == r);
    // The e2e binding of default/default to cluster-admin does not reach the production Deployment.
    assert!(
        !has("deploy/app.yaml", "k8s-automount-token-with-rbac"),
        "{got:?}"
    );
    assert!(
        has("deploy/app.yaml", "k8s-default-service-account"),
        "{got:?}"
    );
    // Examples report; tests, fixtures and e2e do not (structural rules).
    assert!(
        has("examples/wildcard-role.yaml", "k8s-rbac-wildcard"),
        "{got:?}"
    );
    assert!(
        !got.iter()
            .any(|(p, r)| (p.starts_with("test/") || p.starts_with("tests/"))
                && !r.starts_with("secret-")),
        "{got:?}"
    );
    assert_eq!(report.hidden_by_path_class, 3, "{got:?}");
    // Terraform findings stay at the Terraform file, whichever set of files a project rule ran on.
    assert!(has("infra/iam.tf", "iam-wildcard-resource"), "{got:?}");
    assert!(
        got.iter()
            .all(|(p, r)| !r.starts_with("tf-") || p == "infra/iam.tf"),
        "{got:?}"
    );
    // Secrets still report in tests, one confidence step lower.
    let secret = report
        .findings
        .iter()
        .find(|f| f.rule_id == "secret-github-pat")
        .expect("secret in a fixture is reported");
    assert_eq!(secret.confidence, Confidence::Low);
}

#[test]
fn structural_in_config_reports_in_tests() {
    let config = Config::parse(
        "[paths]\nstructural-in = [\"production\", \"example\", \"fixture\", \"e2e\"]\n",
        Path::new("nhilint.toml"),
    )
    .unwrap();
    let report = scan(config);
    let got = found(&report);
    assert!(
        got.contains(&(
            "tests/fixtures/wildcard-role.yaml".into(),
            "k8s-rbac-wildcard".into()
        )),
        "{got:?}"
    );
    assert!(
        got.contains(&(
            "test/e2e/admin-binding.yaml".into(),
            "k8s-rbac-cluster-admin-binding".into()
        )),
        "{got:?}"
    );
    // Still not in production's graph.
    assert!(
        !got.contains(&(
            "deploy/app.yaml".into(),
            "k8s-automount-token-with-rbac".into()
        )),
        "{got:?}"
    );
    assert_eq!(report.hidden_by_path_class, 0);
}

#[test]
fn bad_paths_glob_is_a_config_error() {
    let e = Config::parse("[paths]\ntest = [\"a/[\"]\n", Path::new("nhilint.toml")).unwrap_err();
    assert_eq!(e.line, Some(1));
    assert!(e.message.contains("[paths] test"), "{}", e.message);
}

/// One object in several bundles (`testdata/dedup/`): one finding, the copies related.
#[test]
fn one_finding_per_object_across_bundles() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/dedup");
    let config = Config::default();
    let rules = RuleSet::build(&config, &["k8s-rbac-wildcard".to_string()], &[]);
    let inputs = nhilint::walk::collect(&root, &[], &config, 2).inputs;
    let report = Engine::new(config, rules).scan_files(&root, inputs, None);
    assert_eq!(report.findings.len(), 1, "{:#?}", report.findings);
    let f = &report.findings[0];
    assert_eq!(f.path, "base/role.yaml");
    let related: Vec<&str> = f.related.iter().map(|r| r.path.as_str()).collect();
    assert_eq!(related, ["ha/install.yaml", "install.yaml"]);
    assert!(!f.message.contains("install.yaml"));
}
