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
    assert!(since_main_as(d.path(), "markdown").contains("No trust edge was added or widened"));
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

/// `nhilint inventory --format FORMAT --since main .` in `dir`, which must succeed.
fn since_main_as(dir: &Path, format: &str) -> String {
    let out = nhilint()
        .current_dir(dir)
        .args(["inventory", "--format", format, "--since", "main", "."])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// [`since_main_as`] in JSON, parsed.
fn since_main(dir: &Path) -> serde_json::Value {
    serde_json::from_str(&since_main_as(dir, "json")).unwrap()
}

/// (id, change) of each trust entry of an `inventory --since` document.
fn trust_changes(v: &serde_json::Value) -> Vec<(String, String)> {
    v["trust"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["id"].as_str().unwrap().to_string(),
                t["change"].as_str().unwrap().to_string(),
            )
        })
        .collect()
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
    let v = since_main(d.path());
    assert_eq!(v["since"], "main");
    let changes: Vec<(String, String)> = trust_changes(&v)
        .into_iter()
        .map(|(id, c)| (id.rsplit('#').next().unwrap().to_string(), c))
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
    let md = since_main_as(d.path(), "markdown");
    assert!(md.contains("2 trust edge(s) added, 1 widened"), "{md}");
    assert!(md.contains("| widened |"), "{md}");
}

/// A copy of `testdata/NAME` committed as `main` of a new repository.
fn committed_fixture(name: &str) -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("testdata")
            .join(name),
        d.path(),
    );
    git(d.path(), &["init", "-q", "-b", "main"]);
    git(d.path(), &["add", "."]);
    git(d.path(), &["commit", "-q", "-m", "before"]);
    d
}

/// `--since` evaluates the old tree as the scan evaluates the current one: a subject from a
/// sibling `variables.tf` or from `terraform.tfvars`, and a chart's rendering with its
/// `values-*.yaml`, resolve on both sides, so an unchanged tree reports nothing, and a widened
/// tfvars value reports exactly the edge it widens.
#[test]
fn since_resolves_variables_from_sibling_files_and_tfvars_on_both_sides() {
    let d = committed_fixture("trust-vars");
    let since = |d: &Path| {
        let v = since_main(d);
        assert_eq!(v["errors"].as_array().map_or(0, Vec::len), 0, "{v}");
        trust_changes(&v)
    };
    assert_eq!(since(d.path()), Vec::new(), "nothing changed");
    // A chart rendered with an extra values file on both sides (the old tree is scanned from a
    // private copy, charts rendered from their folders as in the working tree).
    let h = committed_fixture("helm-trust");
    assert_eq!(since(h.path()), Vec::new(), "chart unchanged");
    std::fs::write(
        d.path().join("infra/release/terraform.tfvars"),
        "release_subject = \"repo:acme/*\"\n",
    )
    .unwrap();
    let changes = since(d.path());
    assert_eq!(changes.len(), 1, "{changes:?}");
    assert!(
        changes[0].0.contains("aws_iam_role.release") && changes[0].1 == "widened",
        "{changes:?}"
    );
}
