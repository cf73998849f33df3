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

/// A Terraform file with one `iam-wildcard-action` finding, next to every bomb.
const OTHER_TF: &str = "resource \"aws_iam_policy\" \"p\" {\n  policy = jsonencode({Statement=[{Effect=\"Allow\",Action=\"*\",Resource=\"*\"}]})\n}\n";

fn scan(dir: &Path, extra: &[&str]) -> serde_json::Value {
    scan_env(dir, extra, &[])
}

fn scan_env(dir: &Path, extra: &[&str], env: &[(&str, &str)]) -> serde_json::Value {
    let out = nhilint()
        .envs(env.iter().copied())
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
        f.iter().any(|f| f["rule_id"] == "iam-wildcard-action"),
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
    let v = scan(d.path(), &["--select", "iam-identity-without-owner"]);
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
    let v = scan(d.path(), &["--select", "iam-trust-any-principal"]);
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

/// A small evaluation budget (4 MiB, a share of 512 KiB per value) so that a debug build
/// reaches it quickly; the default is 128 MiB.
const SMALL_EVAL_BUDGET: &str = "4194304";

fn scan_budgeted(dir: &Path) -> serde_json::Value {
    scan_env(dir, &[], &[("NHILINT_EVAL_BUDGET", SMALL_EVAL_BUDGET)])
}

/// `local.l<i>` is a list of ten `local.l<i-1>`: 10^levels strings.
#[test]
fn terraform_locals_fan_out() {
    let d = tempfile::tempdir().unwrap();
    let mut t = String::from("locals {\n  l0 = \"abcdefghijklmnopqrstuvwxyz\"\n");
    for i in 1..9 {
        let refs = vec![format!("local.l{}", i - 1); 10].join(", ");
        t.push_str(&format!("  l{i} = [{refs}]\n"));
    }
    t.push_str(
        "}\nresource \"aws_iam_role\" \"r\" {\n  name = \"x\"\n  tags = { t = local.l8 }\n}\n",
    );
    write(d.path(), "main.tf", &t);
    write(d.path(), "other.tf", OTHER_TF);
    let v = scan_budgeted(d.path());
    let e = budget_error(&v, "main.tf");
    assert!(e["message"].as_str().unwrap().contains("`local.l"), "{e}");
    assert_other_tf_survives(&v);
}

/// `replace(s, "x", s)` squares the length at every step.
#[test]
fn terraform_string_growth() {
    let d = tempfile::tempdir().unwrap();
    let t = format!(
        "locals {{\n  a = \"{}\"\n  b = replace(local.a, \"x\", local.a)\n  c = replace(local.b, \"x\", local.b)\n  d = format(\"%s%s\", local.c, local.c)\n}}\nresource \"aws_iam_role\" \"r\" {{\n  name = local.d\n}}\n",
        "x".repeat(100)
    );
    write(d.path(), "main.tf", &t);
    write(d.path(), "other.tf", OTHER_TF);
    let v = scan_budgeted(d.path());
    let e = budget_error(&v, "main.tf");
    assert_eq!(e["line"], 4, "{e}");
    assert!(e["message"].as_str().unwrap().contains("`local.c`"), "{e}");
    assert_other_tf_survives(&v);
}

/// Five nested `dynamic` blocks over a 64-item list: 64^5 bodies.
#[test]
fn terraform_nested_dynamic() {
    let d = tempfile::tempdir().unwrap();
    let items: Vec<String> = (0..64).map(|i| i.to_string()).collect();
    let mut t = format!(
        "locals {{\n  l = [{}]\n}}\nresource \"aws_iam_role\" \"r\" {{\n  name = \"x\"\n",
        items.join(",")
    );
    for i in 0..5 {
        t.push_str(&format!(
            "dynamic \"d{i}\" {{\n  for_each = local.l\n  content {{\n"
        ));
    }
    t.push_str("x = 1\n");
    for _ in 0..5 {
        t.push_str("  }\n}\n");
    }
    t.push_str("}\n");
    write(d.path(), "main.tf", &t);
    write(d.path(), "other.tf", OTHER_TF);
    let v = scan_budgeted(d.path());
    let e = budget_error(&v, "main.tf");
    assert_eq!(e["line"], 4, "{e}");
    assert_other_tf_survives(&v);
}

/// Modules that call each other ten times per level under `dir` (`dir/main.tf` calls `a`,
/// `a` calls `b` ten times, `b` calls `a`), each with five roles named from `var.n`.
fn write_module_fan_out(root: &Path, dir: &str) {
    let calls = |target: &str| -> String {
        (0..10)
            .map(|i| format!("module \"m{i}\" {{\n  source = \"{target}\"\n  n = \"{i}\"\n}}\n"))
            .collect()
    };
    let roles: String = (0..5)
        .map(|i| format!("resource \"aws_iam_role\" \"r{i}\" {{\n  name = \"r{i}-${{var.n}}\"\n  assume_role_policy = jsonencode({{Statement=[{{Effect=\"Allow\",Action=\"sts:AssumeRole\",Principal={{AWS=\"*\"}}}}]}})\n}}\n"))
        .collect();
    let p = |f: &str| {
        if dir.is_empty() {
            f.to_string()
        } else {
            format!("{dir}/{f}")
        }
    };
    write(root, &p("main.tf"), &calls("./a"));
    write(
        root,
        &p("a/main.tf"),
        &format!("variable \"n\" {{}}\n{}{roles}", calls("../b")),
    );
    write(
        root,
        &p("b/main.tf"),
        &format!("variable \"n\" {{}}\n{}{roles}", calls("../a")),
    );
}

/// The root calls `a` ten times, `a` calls `b` ten times and `b` calls `a` ten times: the
/// instances multiply until the budget stops them; the identities evaluated so far are
/// reported, and so is every file where instances were cut.
#[test]
fn terraform_module_fan_out() {
    let d = tempfile::tempdir().unwrap();
    write_module_fan_out(d.path(), "");
    write(d.path(), "other.tf", OTHER_TF);
    let v = scan_budgeted(d.path());
    assert!(
        v["errors"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["message"].as_str().unwrap().contains("budget")),
        "{:#?}",
        v["errors"]
    );
    for e in v["errors"].as_array().unwrap() {
        budget_error(&v, e["path"].as_str().unwrap());
    }
    assert_other_tf_survives(&v);
    let trust = findings_of(&v, "a/main.tf");
    assert_eq!(
        trust
            .iter()
            .filter(|f| f["rule_id"] == "iam-trust-any-principal")
            .count(),
        5,
        "{:#?}",
        v["findings"]
    );
}

/// Each root module has its own evaluation budget: a stack whose module calls multiply until
/// the budget stops them does not leave another stack of the repository unknown (its trust
/// policy's subject comes from its `variables.tf`, which only the project evaluation reads).
#[test]
fn terraform_budget_per_root_module() {
    let d = tempfile::tempdir().unwrap();
    write_module_fan_out(d.path(), "a-bomb");
    write(
        d.path(),
        "z-stack/variables.tf",
        "variable \"subjects\" {\n  default = [\"repo:acme/*\"]\n}\n",
    );
    write(
        d.path(),
        "z-stack/main.tf",
        "resource \"aws_iam_role\" \"deploy\" {\n  name = \"deploy\"\n  assume_role_policy = jsonencode({\n    Statement = [{\n      Effect = \"Allow\"\n      Action = \"sts:AssumeRoleWithWebIdentity\"\n      Principal = { Federated = \"arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com\" }\n      Condition = { StringLike = { \"token.actions.githubusercontent.com:sub\" = var.subjects } }\n    }]\n  })\n}\n",
    );
    let v = scan_budgeted(d.path());
    // The budget ran out in the multiplying stack only.
    let errs: Vec<&str> = v["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["path"].as_str().unwrap())
        .collect();
    assert!(
        !errs.is_empty() && errs.iter().all(|p| p.starts_with("a-bomb/")),
        "{errs:?}"
    );
    // Reported where the subject is written: the variable's default.
    assert!(
        findings_of(&v, "z-stack/variables.tf")
            .iter()
            .any(|f| f["rule_id"] == "iam-oidc-trust-wildcard-subject"),
        "{:#?}\n{:#?}",
        v["findings"],
        v["errors"]
    );
}

/// Kustomizations k0..k9, each listing the next one four times (4^9 renders without the
/// cache): every base renders once, the one object is reported once.
#[test]
fn kustomize_diamond_renders_each_base_once() {
    let d = tempfile::tempdir().unwrap();
    for i in 0..9 {
        let next = format!("- ../k{}\n", i + 1);
        write(
            d.path(),
            &format!("k{i}/kustomization.yaml"),
            &format!("resources:\n{}", next.repeat(4)),
        );
    }
    write(d.path(), "k9/kustomization.yaml", "resources:\n- sa.yaml\n");
    write(
        d.path(),
        "k9/sa.yaml",
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata:\n  name: b\nroleRef:\n  kind: ClusterRole\n  name: cluster-admin\nsubjects:\n- kind: ServiceAccount\n  name: ci\n  namespace: default\n",
    );
    write(d.path(), "other.tf", OTHER_TF);
    let v = scan(d.path(), &[]);
    assert_eq!(v["errors"], serde_json::json!([]));
    assert_other_tf_survives(&v);
    let admin: Vec<_> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule_id"] == "k8s-rbac-cluster-admin-binding")
        .collect();
    assert_eq!(admin.len(), 1, "{:#?}", v["findings"]);
}

/// Past the rendering budget a kustomization reports where it stopped.
#[test]
fn kustomize_render_budget() {
    let d = tempfile::tempdir().unwrap();
    let mut res = String::from("resources:\n");
    for i in 0..30 {
        write(
            d.path(),
            &format!("base/sa{i}.yaml"),
            &format!("apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: sa{i}\n"),
        );
        res.push_str(&format!("- sa{i}.yaml\n"));
    }
    write(d.path(), "base/kustomization.yaml", &res);
    write(
        d.path(),
        "overlay/kustomization.yaml",
        "resources:\n- ../base\nnamespace: prod\n",
    );
    write(d.path(), "other.tf", OTHER_TF);
    let v = scan_env(d.path(), &[], &[("NHILINT_KUSTOMIZE_BUDGET", "40")]);
    let e = budget_error(&v, "overlay/kustomization.yaml");
    assert!(e["message"].as_str().unwrap().contains("40 objects"), "{e}");
    assert_other_tf_survives(&v);
}

/// A `run:` script of 5000 nested `$( … )` after a secret echo: analysed in linear time, the
/// leak is still found.
#[test]
fn bash_nested_substitutions() {
    let d = tempfile::tempdir().unwrap();
    let n = 5000;
    let script = format!(
        "echo ${{{{ secrets.TOKEN }}}}; echo {}echo hi{}",
        "$(".repeat(n),
        ")".repeat(n)
    );
    write(
        d.path(),
        ".github/workflows/ci.yml",
        &format!(
            "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: |\n          {script}\n"
        ),
    );
    write(d.path(), "other.tf", OTHER_TF);
    let v = scan(d.path(), &[]);
    assert!(
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["rule_id"] == "gha-secret-exposed-in-run"),
        "{:#?}",
        v["findings"]
    );
    assert_other_tf_survives(&v);
}
