//! The repository's own GitHub Action and workflows: every `uses:` pinned to a full commit,
//! inputs never spliced into scripts, the action's default version is this crate's, nhilint has
//! nothing to say about them (zizmor neither: tests/tools/zizmor.rs), and the action's check
//! step, run as GitHub would run it, writes SARIF, the step summary and its outputs.

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn workflow_files() -> Vec<PathBuf> {
    let mut files = vec![root().join("action.yml")];
    for e in std::fs::read_dir(root().join(".github/workflows")).unwrap() {
        files.push(e.unwrap().path());
    }
    files.sort();
    files
}

#[test]
fn actions_are_pinned_and_inputs_never_reach_scripts() {
    let sha = regex::Regex::new(r"@[0-9a-f]{40} # v\d+\.\d+\.\d+$").unwrap();
    let mut uses = 0;
    for path in workflow_files() {
        let text = std::fs::read_to_string(&path).unwrap();
        let mut in_run = None;
        for line in text.lines() {
            let t = line.trim_start();
            let indent = line.len() - t.len();
            if in_run.is_some_and(|i| indent <= i && !t.is_empty()) {
                in_run = None;
            }
            if t.starts_with('#') {
                continue;
            }
            if let Some(u) = t
                .strip_prefix("uses:")
                .or_else(|| t.strip_prefix("- uses:"))
            {
                uses += 1;
                assert!(
                    sha.is_match(u.trim()),
                    "{}: not pinned to a full commit with its version: {line}",
                    path.display()
                );
            }
            if t.starts_with("run:") || t.starts_with("- run:") {
                assert!(
                    !t.contains("${{"),
                    "{}: expression in a script: {line}",
                    path.display()
                );
                in_run = Some(indent);
                continue;
            }
            if in_run.is_some() {
                assert!(
                    !line.contains("${{"),
                    "{}: expression inside a run script: {line}",
                    path.display()
                );
            }
        }
    }
    assert!(uses >= 10, "{uses}");
    // Workflows start from no permissions and grant per job.
    let release = std::fs::read_to_string(root().join(".github/workflows/release.yml")).unwrap();
    assert!(release.contains("\npermissions: {}\n"));
    assert!(
        !release.contains("secrets."),
        "no stored secret: trusted publishing only"
    );
    assert!(release.contains("pypa/gh-action-pypi-publish@"));
    assert!(release.contains("rust-lang/crates-io-auth-action@"));
    assert!(release.contains("actions/attest-build-provenance@"));
    assert!(release.contains("SHA256SUMS"));
    for t in [
        "x86_64-unknown-linux-musl",
        "aarch64-unknown-linux-musl",
        "aarch64-apple-darwin",
        "x86_64-apple-darwin",
        "x86_64-pc-windows-msvc",
    ] {
        assert!(release.contains(t), "release lacks {t}");
        let action = std::fs::read_to_string(root().join("action.yml")).unwrap();
        assert!(action.contains(t), "action lacks {t}");
    }
}

#[test]
fn action_defaults_to_this_version() {
    let action = std::fs::read_to_string(root().join("action.yml")).unwrap();
    let want = format!(
        "  version:\n    description: nhilint release to run (the version of this action by default; `build` always builds from the action's checkout).\n    required: false\n    default: \"{}\"\n",
        env!("CARGO_PKG_VERSION")
    );
    assert!(
        action.contains(&want),
        "action.yml's default version is not {}",
        env!("CARGO_PKG_VERSION")
    );
    for input in [
        "paths",
        "config",
        "fail-on",
        "baseline",
        "diff-ref",
        "sarif-file",
    ] {
        assert!(action.contains(&format!("\n  {input}:\n")), "input {input}");
    }
}

#[test]
fn nhilint_finds_nothing_in_its_own_workflows_action_and_hooks() {
    let out = Command::new(env!("CARGO_BIN_EXE_nhilint"))
        .current_dir(root())
        .args([
            "check",
            "--format",
            "concise",
            "--fail-on",
            "info",
            "action.yml",
            ".github",
            ".pre-commit-hooks.yaml",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("0 findings"), "{text}");
}

/// The `run:` script of the action step with this `id:`.
fn step_script(id: &str) -> String {
    let text = std::fs::read_to_string(root().join("action.yml")).unwrap();
    let mut lines = text.lines().skip_while(|l| l.trim() != format!("id: {id}"));
    lines.next().expect("step id");
    let mut script = String::new();
    let mut started = false;
    for l in lines {
        if !started {
            started = l.trim() == "run: |";
            continue;
        }
        if !l.is_empty() && !l.starts_with("        ") {
            break;
        }
        script.push_str(l.get(8..).unwrap_or(""));
        script.push('\n');
    }
    assert!(!script.is_empty(), "no script for {id}");
    script
}

#[test]
fn action_check_step_writes_sarif_summary_and_outputs() {
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path();
    let project = t.join("repo");
    std::fs::create_dir_all(project.join("infra")).unwrap();
    std::fs::write(
        project.join("infra/iam.tf"),
        "resource \"aws_iam_policy\" \"p\" {\n  policy = jsonencode({ Statement = [{ Effect = \"Allow\", Action = \"*\", Resource = \"*\" }] })\n}\n",
    )
    .unwrap();
    std::fs::write(
        project.join("clean.tf"),
        "resource \"aws_s3_bucket\" \"b\" {}\n",
    )
    .unwrap();
    let run = |paths: &str, annotations: &str| {
        let output = t.join("output");
        let summary = t.join("summary.md");
        let _ = std::fs::remove_file(&output);
        let _ = std::fs::remove_file(&summary);
        let out = Command::new("bash")
            .arg("-c")
            .arg(step_script("check"))
            .current_dir(&project)
            .env("RUNNER_TEMP", t)
            .env("GITHUB_OUTPUT", &output)
            .env("GITHUB_STEP_SUMMARY", &summary)
            .env("NHILINT_BIN", env!("CARGO_BIN_EXE_nhilint"))
            .env("NHILINT_PATHS", paths)
            .env("NHILINT_CONFIG", "")
            .env("NHILINT_FAIL_ON", "high")
            .env("NHILINT_BASELINE", "")
            .env("NHILINT_DIFF_REF", "")
            .env("NHILINT_ARGS", "--select NHI5")
            .env("NHILINT_SARIF", "out.sarif")
            .env("NHILINT_ANNOTATIONS", annotations)
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            std::fs::read_to_string(&output).unwrap_or_default(),
            std::fs::read_to_string(&summary).unwrap_or_default(),
        )
    };
    let (code, stdout, outputs, summary) = run("infra\nclean.tf", "true");
    assert_eq!(code, Some(0), "{stdout}");
    assert_eq!(outputs, "exit-code=1\n");
    assert!(summary.contains("iam-wildcard-action"), "{summary}");
    assert!(stdout.contains("::error file=infra/iam.tf"), "{stdout}");
    let sarif: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(project.join("out.sarif")).unwrap()).unwrap();
    assert_eq!(
        sarif["runs"][0]["results"][0]["ruleId"],
        "iam-wildcard-action"
    );

    // Only the clean file: exit code 0; no annotations printed when not asked.
    let (_, stdout, outputs, summary) = run("clean.tf", "false");
    assert_eq!(outputs, "exit-code=0\n");
    assert!(summary.contains("No findings."), "{summary}");
    assert!(!stdout.contains("::"), "{stdout}");
}
