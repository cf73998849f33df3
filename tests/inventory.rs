//! `nhilint inventory`: formats, the shape of Inventory JSON v1, DOT checked by Graphviz,
//! `--since` against a scratch git repository, and the snapshot of `testdata/trust/`.

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

/// Is a tool on PATH? Missing: fail under CI, else skip loudly.
fn have(tool: &str, arg: &str) -> bool {
    let ok = std::process::Command::new(tool)
        .arg(arg)
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    if !ok {
        if std::env::var_os("CI").is_some() {
            panic!("`{tool}` is required under CI (installed by .ci/setup)");
        }
        eprintln!("\n*** SKIPPED: `{tool}` not found; run .ci/setup to install it ***\n");
    }
    ok
}

fn dot_accepts(text: &str) {
    if !have("dot", "-V") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("g.dot");
    std::fs::write(&p, text).unwrap();
    let out = std::process::Command::new("dot")
        .arg("-Tsvg")
        .arg(&p)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "dot -Tsvg rejected the DOT output: {}\n{text}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("<svg"));
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
    dot_accepts(&inventory(d.path(), "dot"));
}

fn git(dir: &Path, args: &[&str]) {
    let out = std::process::Command::new("git")
        .current_dir(dir)
        .args([
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@example.com",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn since_rejects_bad_refs() {
    if !have("git", "--version") {
        return;
    }
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
fn fixture_dot_is_valid_graphviz() {
    dot_accepts(&inventory(&fixture(), "dot"));
}
