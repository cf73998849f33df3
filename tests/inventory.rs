//! `nhilint inventory`: formats, the shape of Inventory JSON v1 (DOT is checked by Graphviz in
//! tests/tools/graphviz.rs),
//! `--since` against a scratch git repository, and the snapshot of `testdata/trust/`.

mod git_support;
use git_support::git;

use assert_cmd::Command;
use std::path::{Path, PathBuf};

fn nhilint() -> Command {
    let mut c = Command::cargo_bin("nhilint").unwrap();
    c.env("NHILINT_TODAY", "2026-01-01");
    c
}

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/trust")
}

fn inventory(dir: &Path, format: &str) -> String {
    let out = nhilint()
        .current_dir(dir)
        .args(["inventory", "--format", format, "."])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "inventory --format {format} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn unknown_format_is_a_usage_error() {
    let d = tempfile::tempdir().unwrap();
    nhilint()
        .current_dir(d.path())
        .args(["inventory", "--format", "xml", "."])
        .assert()
        .code(2);
}

#[test]
fn empty_repository_has_the_v1_shape_in_every_format() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(d.path().join("README.md"), "nothing here\n").unwrap();
    let v: serde_json::Value = serde_json::from_str(&inventory(d.path(), "json")).unwrap();
    assert_eq!(v["version"], 1);
    for k in ["identities", "credentials", "trust", "grants", "usages"] {
        assert!(v[k].as_array().is_some_and(|a| a.is_empty()), "{k}: {v}");
    }
    assert!(inventory(d.path(), "markdown").starts_with("# NHI inventory"));
    assert!(inventory(d.path(), "mermaid").starts_with("flowchart LR"));
    // Graphviz accepts the DOT output: tests/tools/graphviz.rs.
    assert!(inventory(d.path(), "dot").starts_with("digraph"));
}

#[test]
fn since_rejects_bad_refs() {
    let d = tempfile::tempdir().unwrap();
    git(d.path(), &["init", "-q", "-b", "main"]);
    std::fs::write(d.path().join("a.txt"), "x\n").unwrap();
    git(d.path(), &["add", "."]);
    git(d.path(), &["commit", "-q", "-m", "one"]);
    for bad in ["--output=/tmp/x", "no-such-ref"] {
        nhilint()
            .current_dir(d.path())
            .args(["inventory", "--format", "markdown", "--since", bad, "."])
            .assert()
            .code(2);
    }
    let out = nhilint()
        .current_dir(d.path())
        .args(["inventory", "--format", "markdown", "--since", "main", "."])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("No trust edge was added or widened"));
}

#[test]
fn fixture_inventory_json_snapshot() {
    let text = inventory(&fixture(), "json");
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["version"], 1);
    assert_eq!(v["repository"], "acme/app");
    for k in ["identities", "credentials", "trust", "grants", "usages"] {
        let list = v[k].as_array().unwrap();
        let ids: Vec<&str> = list.iter().map(|e| e["id"].as_str().unwrap()).collect();
        let mut sorted = ids.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(ids, sorted, "{k} not sorted by unique id");
        for e in list {
            for f in ["id", "kind", "path", "start_line"] {
                assert!(e.get(f).is_some(), "{k} entry without {f}: {e}");
            }
        }
    }
    insta::assert_snapshot!("trust_inventory_json", text);
}

#[test]
fn fixture_inventory_dot_snapshot() {
    let text = inventory(&fixture(), "dot");
    insta::assert_snapshot!("trust_inventory_dot", text);
}

#[test]
fn fixture_inventory_markdown_and_mermaid() {
    let md = inventory(&fixture(), "markdown");
    assert!(md.contains("## Trust"), "{md}");
    assert!(md.contains("any repository of"), "{md}");
    let mm = inventory(&fixture(), "mermaid");
    assert!(mm.starts_with("flowchart LR\n"));
    assert!(mm.contains("-->|"), "{mm}");
    assert!(!mm.contains("\"\""), "{mm}");
}

fn copy_dir(from: &Path, to: &Path) {
    for e in std::fs::read_dir(from).unwrap().flatten() {
        let p = e.path();
        let t = to.join(e.file_name());
        if p.is_dir() {
            std::fs::create_dir_all(&t).unwrap();
            copy_dir(&p, &t);
        } else {
            std::fs::copy(&p, &t).unwrap();
        }
    }
}

#[test]
fn since_lists_added_and_widened_trust() {
    let d = tempfile::tempdir().unwrap();
    copy_dir(&fixture(), d.path());
    let tf = d.path().join("infra/aws/github_oidc.tf");
    let broad = std::fs::read_to_string(&tf).unwrap();
    // Before: the ci role trusted only main of acme/app, and the GCP file did not exist.
    let narrow = broad.replace(
        "StringLike   = { \"token.actions.githubusercontent.com:sub\" = \"repo:acme/*\" }",
        "StringLike   = { \"token.actions.githubusercontent.com:sub\" = \"repo:acme/app:ref:refs/heads/main\" }",
    );
    assert_ne!(narrow, broad);
    std::fs::write(&tf, &narrow).unwrap();
    let gcp = d.path().join("infra/gcp/wif.tf");
    let gcp_text = std::fs::read_to_string(&gcp).unwrap();
    std::fs::remove_file(&gcp).unwrap();
    git(d.path(), &["init", "-q", "-b", "main"]);
    git(d.path(), &["add", "."]);
    git(d.path(), &["commit", "-q", "-m", "before"]);
    std::fs::write(&tf, &broad).unwrap();
    std::fs::write(&gcp, &gcp_text).unwrap();
    let out = nhilint()
        .current_dir(d.path())
        .args(["inventory", "--format", "json", "--since", "main", "."])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["since"], "main");
    let changes: Vec<(String, String)> = v["trust"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["id"]
                    .as_str()
                    .unwrap()
                    .rsplit('#')
                    .next()
                    .unwrap()
                    .to_string(),
                t["change"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert!(
        changes
            .iter()
            .any(|(id, c)| id.starts_with("aws_iam_role.ci/") && c == "widened"),
        "{changes:?}"
    );
    assert!(
        changes.iter().any(|(id, c)| id
            .starts_with("google_service_account_iam_member.release_wif")
            && c == "added"),
        "{changes:?}"
    );
    assert_eq!(
        changes.len(),
        3,
        "only the ci trust and the two GCP bindings changed: {changes:?}"
    );
    let md = nhilint()
        .current_dir(d.path())
        .args(["inventory", "--format", "markdown", "--since", "main", "."])
        .output()
        .unwrap();
    let md = String::from_utf8(md.stdout).unwrap();
    assert!(md.contains("2 trust edge(s) added, 1 widened"), "{md}");
    assert!(md.contains("| widened |"), "{md}");
}
