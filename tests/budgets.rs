//! Resource budgets (issue 12, item 2): inputs built to explode (alias bombs, evaluation
//! fan-out, quadratic paths) end in a bounded amount of work. The bomb file gets a clear
//! `errors[]` entry and every other file keeps its findings. The fixtures are generated here,
//! small enough to run in a debug build in well under a second each; nothing asserts on time.

use assert_cmd::Command;
use std::fs;
use std::path::Path;

fn nhilint() -> Command {
    let mut c = Command::cargo_bin("nhilint").unwrap();
    c.env("NO_COLOR", "1").env("NHILINT_TODAY", "2026-06-01");
    c
}

fn write(dir: &Path, rel: &str, text: &str) {
    let p = dir.join(rel);
    fs::create_dir_all(p.parent().unwrap()).unwrap();
    fs::write(p, text).unwrap();
}

/// A Terraform file with one `tf-iam-wildcard-action` finding, next to every bomb.
const OTHER_TF: &str = "resource \"aws_iam_policy\" \"p\" {\n  policy = jsonencode({Statement=[{Effect=\"Allow\",Action=\"*\",Resource=\"*\"}]})\n}\n";

fn scan(dir: &Path, extra: &[&str]) -> serde_json::Value {
    let out = nhilint()
        .args(["check", "--format", "json"])
        .args(extra)
        .arg(dir)
        .output()
        .unwrap();
    assert!(
        matches!(out.status.code(), Some(0) | Some(1)),
        "exit {:?}: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)))
}

fn findings_of<'a>(v: &'a serde_json::Value, path: &str) -> Vec<&'a serde_json::Value> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["path"] == path)
        .collect()
}

/// The one budget error of `path`, with its line.
fn budget_error<'a>(v: &'a serde_json::Value, path: &str) -> &'a serde_json::Value {
    let errs: Vec<&serde_json::Value> = v["errors"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["path"] == path)
        .collect();
    assert_eq!(errs.len(), 1, "errors of {path}: {:#?}", v["errors"]);
    let e = errs[0];
    let msg = e["message"].as_str().unwrap();
    let line = e["line"].as_u64().expect("a line");
    assert!(
        msg.starts_with(&format!("evaluation budget exceeded at {path}:{line}")),
        "{msg}"
    );
    e
}

fn assert_other_tf_survives(v: &serde_json::Value) {
    let f = findings_of(v, "other.tf");
    assert!(
        f.iter().any(|f| f["rule_id"] == "tf-iam-wildcard-action"),
        "{:#?}",
        v["findings"]
    );
}

/// `levels` anchors, each a list of `fan` aliases of the previous one: fan^levels nodes.
fn alias_bomb(levels: usize, fan: usize) -> String {
    let mut t = String::from("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n");
    t.push_str("  l0: &l0 [\"lol\", \"lol\"]\n");
    for i in 1..levels {
        let items = vec![format!("*l{}", i - 1); fan].join(", ");
        t.push_str(&format!("  l{i}: &l{i} [{items}]\n"));
    }
    t
}

#[test]
fn yaml_alias_bomb_is_an_error_and_other_files_keep_their_findings() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "bomb.yaml", &alias_bomb(12, 10));
    write(d.path(), "other.tf", OTHER_TF);
    let v = scan(d.path(), &[]);
    let e = budget_error(&v, "bomb.yaml");
    assert!(e["message"].as_str().unwrap().contains("aliases"));
    assert_other_tf_survives(&v);
}

/// A service account token secret after the bomb in the same file is still analysed: the
/// aliases past the budget stay unexpanded, the rest of the file is not dropped.
#[test]
fn yaml_alias_bomb_keeps_the_rest_of_its_file() {
    let d = tempfile::tempdir().unwrap();
    let mut t = alias_bomb(12, 10);
    t.push_str("---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata:\n  name: b\nroleRef:\n  kind: ClusterRole\n  name: cluster-admin\nsubjects:\n- kind: ServiceAccount\n  name: ci\n  namespace: default\n");
    write(d.path(), "bomb.yaml", &t);
    let v = scan(d.path(), &[]);
    budget_error(&v, "bomb.yaml");
    assert!(
        findings_of(&v, "bomb.yaml")
            .iter()
            .any(|f| f["rule_id"] == "k8s-rbac-cluster-admin-binding"),
        "{:#?}",
        v["findings"]
    );
}

/// A merge key into a big map is linear: every merged key is there, earlier keys win.
#[test]
fn yaml_merge_of_a_big_map() {
    let d = tempfile::tempdir().unwrap();
    let keys: Vec<String> = (0..20_000).map(|i| format!("k{i}: v")).collect();
    let t = format!(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\nbase: &b {{{}}}\ndata:\n  <<: *b\n  k1: own\n",
        keys.join(", ")
    );
    write(d.path(), "merge.yaml", &t);
    write(d.path(), "other.tf", OTHER_TF);
    let v = scan(d.path(), &[]);
    assert_eq!(v["errors"], serde_json::json!([]));
    assert_other_tf_survives(&v);
    let p = nhilint::lang::yaml::parse(&t);
    let data = p.docs[0].root.get("data").unwrap();
    assert_eq!(data.entries().len(), 20_000);
    assert_eq!(data.get("k1").and_then(|n| n.as_str()), Some("own"));
    assert_eq!(data.get("k19999").and_then(|n| n.as_str()), Some("v"));
}

/// Many findings in one file: every one reported (identical ones once), none lost.
#[test]
fn many_findings_in_one_file() {
    let d = tempfile::tempdir().unwrap();
    let mut t = String::new();
    for i in 0..3000 {
        t.push_str(&format!(
            "resource \"aws_iam_role\" \"r{i}\" {{\n  name = \"role-{i}\"\n}}\n"
        ));
    }
    write(d.path(), "main.tf", &t);
    write(d.path(), "nhilint.toml", "[owners]\n");
    let v = scan(d.path(), &["--select", "tf-identity-without-owner"]);
    assert_eq!(findings_of(&v, "main.tf").len(), 3000);
}

/// A module called twice reports a finding in its file once (identical findings are merged).
#[test]
fn identical_findings_of_two_module_instances_once() {
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        "main.tf",
        "module \"a\" {\n  source = \"./m\"\n}\nmodule \"b\" {\n  source = \"./m\"\n}\n",
    );
    write(
        d.path(),
        "m/main.tf",
        "resource \"aws_iam_role\" \"r\" {\n  assume_role_policy = jsonencode({Statement=[{Effect=\"Allow\",Action=\"sts:AssumeRole\",Principal={AWS=\"*\"}}]})\n}\n",
    );
    let v = scan(d.path(), &["--select", "tf-trust-any-principal"]);
    assert_eq!(
        findings_of(&v, "m/main.tf").len(),
        1,
        "{:#?}",
        v["findings"]
    );
}

/// Many findings on one long non-ASCII line: each column is right.
#[test]
fn many_findings_on_one_line() {
    let d = tempfile::tempdir().unwrap();
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut seed: u64 = 0x9e3779b97f4a7c15;
    let mut line = String::from("keys = \"");
    let mut cols = Vec::new();
    for _ in 0..2000 {
        line.push_str("é ");
        cols.push(line.chars().count() as u64 + 1);
        line.push_str("AKIA");
        for _ in 0..16 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            line.push(alphabet[(seed % 32) as usize] as char);
        }
        line.push(' ');
    }
    line.push_str("\"\n");
    write(d.path(), "keys.txt", &line);
    let v = scan(d.path(), &["--select", "secret-aws-access-key"]);
    let mut got: Vec<u64> = findings_of(&v, "keys.txt")
        .iter()
        .map(|f| f["start_column"].as_u64().unwrap())
        .collect();
    got.sort();
    assert_eq!(got.len(), cols.len());
    assert!(
        got == cols,
        "first columns {:?} vs {:?}",
        &got[..5],
        &cols[..5]
    );
}
