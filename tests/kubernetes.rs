//! Kubernetes, Helm and Kustomize fixtures (`testdata/kubernetes/`): they scan without parse
//! errors, and their findings and workload-identity facts are snapshot-tested.

use nhilint::config::Config;
use nhilint::context::Report;
use nhilint::engine::Engine;
use nhilint::rules::RuleSet;
use std::fmt::Write;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/kubernetes")
}

fn scan(root: &Path) -> Report {
    let config = Config::default();
    let rules = RuleSet::build(&config, &["kubernetes".to_string()], &[]);
    let inputs = nhilint::walk::collect(root, &[], &config, 2).inputs;
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

/// Malformed and adversarial Kubernetes inputs never panic: kustomization cycles, broken
/// patches, JSON 6902 paths that lead nowhere, Lists of scalars, bindings without roleRef.
#[test]
fn adversarial_inputs_do_not_panic() {
    let d = tempfile::tempdir().unwrap();
    let files: &[(&str, &str)] = &[
        (
            "a/kustomization.yaml",
            "resources: [../b, ../a, ../../../etc, 'https://x/y']\npatches:\n  - 7\n  - {path: nothing.yaml}\n  - {patch: 'not: [closed'}\n  - target: {kind: '(', name: '['}\n    patch: '- op: add\n      path: /spec/0/x/-\n      value: 1'\n",
        ),
        (
            "b/kustomization.yaml",
            "resources: [../a, dep.yaml]\nnamespace: [1, 2]\ncommonLabels: x\npatchesJson6902:\n  - target: {kind: Deployment, name: d}\n    patch: |\n      - op: remove\n        path: /spec/template/spec/containers/99\n      - op: replace\n        path: /a~1b/~0c\n        value: 2\n      - op: add\n        path: ''\n",
        ),
        (
            "b/dep.yaml",
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec: {template: {spec: {containers: [1, {name: c, env: [x, {name: TOKEN}]}], serviceAccountName: [a]}}}\n",
        ),
        (
            "list.yaml",
            "apiVersion: v1\nkind: List\nitems: [1, two, {kind: RoleBinding}, {kind: ClusterRole, rules: [[], {verbs: 3}]}]\n",
        ),
        (
            "rb.yaml",
            "apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: r}\nroleRef: admin\nsubjects: {kind: User}\n---\nkind: Secret\napiVersion: v1\ndata: [a]\nstringData: {k: {nested: 1}}\n",
        ),
        (
            "charts/c/templates/x.yaml",
            "{{- range .Values.x }}\n---\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: {{ . }}\n{{- end }}\n{{/* unterminated",
        ),
        (
            "charts/c/values.yaml",
            "a: &a [*a]\nb: {password: [x], token: {y: 1}}\n",
        ),
    ];
    for (p, t) in files {
        let path = d.path().join(p);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, t).unwrap();
    }
    let report = scan(d.path());
    // Findings or parse errors are fine; reaching here without a panic is the point.
    assert!(
        report
            .errors
            .iter()
            .all(|e| !e.message.contains("internal error")),
        "{:#?}",
        report.errors
    );
}
