//! The Python package: maturin (from PyPI, in `.ci/setup`'s cached virtual environment) builds
//! the wheel (`bindings = "bin"`), and a fresh virtual environment installs it offline and runs
//! the `nhilint` it puts on the venv's PATH. The dev profile keeps it to one crate's compile.

use crate::support::{run, target_dir, tool, trial};
use libtest_mimic::Trial;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

pub fn trials() -> Vec<Trial> {
    vec![trial(
        "wheel::wheel_installs_a_working_nhilint_in_a_fresh_venv",
        &["maturin", "python3"],
        wheel_installs_a_working_nhilint_in_a_fresh_venv,
    )]
}

fn wheel_installs_a_working_nhilint_in_a_fresh_venv() {
    let tmp = tempfile::tempdir().unwrap();
    let dist = tmp.path().join("dist");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    run(
        Command::new(tool("maturin").unwrap())
            .args([
                "build",
                "--profile",
                "dev",
                "--compatibility",
                "linux",
                "--out",
            ])
            .arg(&dist)
            .env("CARGO_TARGET_DIR", target_dir())
            .current_dir(root),
        "maturin build",
        Duration::from_secs(900),
    );
    let wheels: Vec<_> = std::fs::read_dir(&dist)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "whl"))
        .collect();
    assert_eq!(wheels.len(), 1, "{wheels:?}");
    let name = wheels[0].file_name().unwrap().to_string_lossy().to_string();
    assert!(
        name.starts_with(&format!("nhilint-{}-py3-none-", env!("CARGO_PKG_VERSION"))),
        "{name}"
    );

    let venv = tmp.path().join("venv");
    let t = Instant::now();
    run(
        Command::new(tool("python3").unwrap())
            .args(["-m", "venv"])
            .arg(&venv),
        "python3 -m venv",
        Duration::from_secs(120),
    );
    let created = t.elapsed();
    let t = Instant::now();
    run(
        Command::new(venv.join("bin/python"))
            .args([
                "-m",
                "pip",
                "install",
                "--no-index",
                "--disable-pip-version-check",
                "--quiet",
            ])
            .arg(&wheels[0]),
        "pip install <wheel>",
        Duration::from_secs(120),
    );
    let installed = t.elapsed();
    eprintln!("fresh venv {created:?}, pip install of the wheel {installed:?}");

    let exe = venv.join("bin/nhilint");
    let version = run(
        Command::new(&exe).arg("--version"),
        "nhilint --version",
        Duration::from_secs(30),
    );
    assert!(version.contains(env!("CARGO_PKG_VERSION")), "{version}");
    let project = tmp.path().join("project");
    std::fs::create_dir_all(&project).unwrap();
    std::fs::write(
        project.join("iam.tf"),
        "resource \"aws_iam_policy\" \"p\" {\n  policy = jsonencode({ Statement = [{ Effect = \"Allow\", Action = \"*\", Resource = \"*\" }] })\n}\n",
    )
    .unwrap();
    let out = Command::new(&exe)
        .args(["check", "--format", "concise", "."])
        .current_dir(&project)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("iam-wildcard-action"), "{text}");
}
