//! Finding the external tools, and the trial wrapper that turns a missing tool into `ignored`
//! (outside CI) or a failure (under CI).
#![allow(dead_code)]

use libtest_mimic::{Completion, Failed, Trial};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// `CI` is set to anything but `false`/`0`/empty: a missing tool is a failure.
pub fn ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0")
}

/// The cargo target folder (`<target>/debug/nhilint` → `<target>`).
pub fn target_dir() -> PathBuf {
    Path::new(env!("CARGO_BIN_EXE_nhilint"))
        .parent()
        .and_then(Path::parent)
        .expect("target folder")
        .to_path_buf()
}

/// The cached virtual environment `.ci/setup` creates for Python tools.
pub fn ci_venv() -> PathBuf {
    target_dir().join("ci-tools/venv")
}

fn on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

/// The local wheel folder `.ci/setup` fills with maturin (pip's build dependency for this
/// package), so pip installs can run with `PIP_NO_INDEX`.
pub fn wheelhouse() -> PathBuf {
    target_dir().join("ci-tools/wheelhouse")
}

/// Where a tool is: `NHILINT_<TOOL>` (upper case, `-` → `_`), the CI virtual environment
/// (Python tools), then PATH.
pub fn tool(name: &str) -> Option<PathBuf> {
    if name == "maturin-wheelhouse" {
        let found = std::fs::read_dir(wheelhouse())
            .ok()?
            .flatten()
            .any(|e| e.file_name().to_string_lossy().starts_with("maturin-"));
        return found.then(wheelhouse);
    }
    let var = format!("NHILINT_{}", name.to_uppercase().replace('-', "_"));
    if let Some(p) = std::env::var_os(&var) {
        return Some(PathBuf::from(p));
    }
    for dir in [
        ci_venv().join("bin"),
        Path::new(env!("CARGO_MANIFEST_DIR")).join("target/ci-tools/venv/bin"),
    ] {
        let p = dir.join(name);
        if p.is_file() {
            return Some(p);
        }
    }
    on_path(name)
}

/// A trial that needs `tools`: each missing one makes it `ignored` with the reason, or a
/// failure under CI.
pub fn trial(name: &str, tools: &'static [&'static str], f: fn()) -> Trial {
    Trial::ignorable_test(name, move || {
        let missing: Vec<&str> = tools
            .iter()
            .copied()
            .filter(|t| tool(t).is_none())
            .collect();
        if !missing.is_empty() {
            let msg = format!("{} not installed: run `bash .ci/setup`", missing.join(", "));
            return if ci() {
                Err(Failed::from(format!(
                    "{msg}; CI is set, so this is a failure"
                )))
            } else {
                Ok(Completion::ignored_with(msg))
            };
        }
        f();
        Ok(Completion::Completed)
    })
}

/// Run a command to completion with a time limit; panic with its output on failure.
pub fn run(cmd: &mut Command, what: &str, limit: Duration) -> String {
    let child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{what}: cannot start: {e}"));
    let id = child.id();
    let start = Instant::now();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    let out = match rx.recv_timeout(limit) {
        Ok(o) => o.unwrap_or_else(|e| panic!("{what}: {e}")),
        Err(_) => {
            let _ = Command::new("kill").arg(id.to_string()).status();
            panic!("{what}: timed out after {:?}", start.elapsed());
        }
    };
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success(),
        "{what} failed ({}):\n{text}",
        out.status
    );
    text
}
