//! zizmor (from PyPI, installed by `.ci/setup`) audits the repository's workflows and action
//! offline and finds nothing.

use crate::support::{run, tool, trial};
use libtest_mimic::Trial;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

pub fn trials() -> Vec<Trial> {
    vec![trial(
        "zizmor::workflows_and_action_have_no_finding",
        &["zizmor"],
        workflows_and_action_have_no_finding,
    )]
}

fn workflows_and_action_have_no_finding() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = run(
        Command::new(tool("zizmor").unwrap())
            .args(["--offline", "--no-progress", "--format", "plain"])
            .args([".github/workflows", "action.yml"])
            .env("NO_COLOR", "1")
            .current_dir(root),
        "zizmor --offline",
        Duration::from_secs(120),
    );
    assert!(out.contains("No findings to report"), "{out}");
}
