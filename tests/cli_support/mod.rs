//! Runs the built `nhilint` binary the way the integration tests need it: a fixed "today" (so
//! expiry-based findings do not drift), optionally in a working directory, and its stdout parsed
//! as JSON. A non-JSON stdout fails the test with stdout and stderr shown.

use assert_cmd::Command;
use std::path::Path;

pub fn json(cwd: Option<&Path>, args: &[&str]) -> serde_json::Value {
    let mut cmd = Command::cargo_bin("nhilint").expect("binary");
    if let Some(dir) = cwd {
        cmd.current_dir(dir);
    }
    let out = cmd
        .args(args)
        .env("NHILINT_TODAY", "2026-01-01")
        .output()
        .expect("run nhilint");
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}):\n{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}
