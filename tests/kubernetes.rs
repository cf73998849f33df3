//! Kubernetes, Helm and Kustomize fixtures (`testdata/kubernetes/`): they scan without parse
//! errors, and their findings and workload-identity facts are snapshot-tested.

use nhilint::config::Config;
use nhilint::engine::{Engine, Report};
use nhilint::rules::RuleSet;
use std::fmt::Write;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/kubernetes")
}

fn scan(root: &Path) -> Report {
    let config = Config::default();
    let rules = RuleSet::build(&config, &["kubernetes".to_string()], &[]);
    let (inputs, _) = nhilint::walk::collect(root, &[], &config, 2);
    let engine = Engine::new(config, rules);
    engine.scan_files(root, inputs, None)
}

#[test]
fn fixtures_scan_cleanly_and_findings_match() {
    let root = root();
    let report = scan(&root);
    assert!(
        report.errors.is_empty(),
        "parse errors: {:#?}",
        report.errors
    );
    let mut out = String::new();
    for f in &report.findings {
        writeln!(
            out,
            "{}:{}:{} [{}] {}\n    {}",
            f.path,
            f.start_line,
            f.start_column,
            f.severity.as_str(),
            f.rule_id,
            f.message
        )
        .unwrap();
        for r in &f.related {
            writeln!(out, "    related {}:{} {}", r.path, r.start_line, r.message).unwrap();
        }
    }
    // Secret values never reach messages.
    for secret in [
        "r3dis-Pr0d-pa55word",
        "pk_live_9a8b7c6d5e4f3a2b1c0d",
        "exp_7Hq2Lx9Wv4Rt6Yp1",
        "Sm7p-relay-pa55!",
        "dbg-4c5d6e7f8a9b0c1d",
    ] {
        assert!(!out.contains(secret), "secret leaked: {secret}");
    }
    insta::assert_snapshot!(out);
}

#[test]
fn workload_identity_facts() {
    let report = scan(&root());
    let mut out = String::new();
    for i in &report.facts.identities {
        if i.kind == "k8s_service_account" {
            writeln!(
                out,
                "identity {} name={} ns={} owner={:?}",
                i.id,
                i.name,
                i.attrs
                    .get("namespace")
                    .map(|v| v.to_string())
                    .unwrap_or_default(),
                i.owner
            )
            .unwrap();
        }
    }
    for u in &report.facts.usages {
        writeln!(out, "usage {} {} -> {}", u.kind, u.consumer, u.identity_ref).unwrap();
    }
    for c in &report.facts.credentials {
        writeln!(
            out,
            "credential {} {} {}",
            c.id,
            c.kind,
            c.redacted.as_deref().unwrap_or("")
        )
        .unwrap();
    }
    insta::assert_snapshot!(out);
}
