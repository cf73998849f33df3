//! Graphviz `dot` accepts the inventory's DOT output (empty repository and the trust fixture).

use crate::support::{tool, trial};
use libtest_mimic::Trial;
use std::path::Path;
use std::process::Command;

pub fn trials() -> Vec<Trial> {
    vec![
        trial(
            "graphviz::empty_repository_dot_is_valid",
            &["dot"],
            empty_repository_dot_is_valid,
        ),
        trial(
            "graphviz::fixture_dot_is_valid",
            &["dot"],
            fixture_dot_is_valid,
        ),
    ]
}

fn inventory_dot(dir: &Path) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_nhilint"))
        .current_dir(dir)
        .env("NHILINT_TODAY", "2026-01-01")
        .args(["inventory", "--format", "dot", "."])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn dot_accepts(text: &str) {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("g.dot");
    std::fs::write(&p, text).unwrap();
    let out = Command::new(tool("dot").unwrap())
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

fn empty_repository_dot_is_valid() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(d.path().join("README.md"), "nothing here\n").unwrap();
    dot_accepts(&inventory_dot(d.path()));
}

fn fixture_dot_is_valid() {
    dot_accepts(&inventory_dot(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/trust"),
    ));
}
