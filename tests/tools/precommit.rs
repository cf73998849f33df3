//! The pre-commit hooks, driven by the real `pre-commit` from PyPI (installed by `.ci/setup`
//! into `<target>/ci-tools/venv`; override with `NHILINT_PRE_COMMIT=/path/to/pre-commit`).
//!
//! `pre-commit try-repo` runs the `nhilint-system` hook (the freshly built binary on PATH) in a
//! throwaway git repository: a staged bad file fails the commit with the finding shown, the fixed
//! file passes. The `nhilint` hook (`language: rust`) is only validated as a manifest: running
//! it makes pre-commit `cargo install` this whole crate in release mode, minutes on CI's two cores.

use crate::support::{target_dir, tool, trial, wheelhouse};
use libtest_mimic::Trial;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

pub fn trials() -> Vec<Trial> {
    vec![
        trial(
            "precommit::hook_manifest_is_valid",
            &["pre-commit"],
            hook_manifest_is_valid,
        ),
        trial(
            "precommit::staged_bad_file_fails_the_hook_and_the_fix_passes",
            &["pre-commit"],
            staged_bad_file_fails_the_hook_and_the_fix_passes,
        ),
        trial(
            "precommit::python_hook_installs_the_package_and_blocks_a_bad_commit",
            &["pre-commit", "maturin-wheelhouse"],
            python_hook_installs_the_package_and_blocks_a_bad_commit,
        ),
    ]
}

fn pre_commit() -> PathBuf {
    tool("pre-commit").expect("checked by the trial")
}

fn bin_dir() -> PathBuf {
    Path::new(env!("CARGO_BIN_EXE_nhilint"))
        .parent()
        .expect("binary folder")
        .to_path_buf()
}

fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .current_dir(dir)
        .args([
            "-c",
            "init.defaultBranch=main",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .envs(git_env())
        .output()
        .expect("git is installed");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn git_env() -> Vec<(&'static str, String)> {
    vec![
        ("GIT_AUTHOR_NAME", "nhilint test".into()),
        ("GIT_AUTHOR_EMAIL", "test@example.invalid".into()),
        ("GIT_COMMITTER_NAME", "nhilint test".into()),
        ("GIT_COMMITTER_EMAIL", "test@example.invalid".into()),
        ("GIT_CONFIG_NOSYSTEM", "1".into()),
    ]
}

/// A git repository holding only this repository's hook manifest (what `try-repo` needs).
fn hook_repo(dir: &Path) {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join(".pre-commit-hooks.yaml"),
        dir.join(".pre-commit-hooks.yaml"),
    )
    .unwrap();
    git(dir, &["init", "-q"]);
    git(dir, &["add", ".pre-commit-hooks.yaml"]);
    git(dir, &["commit", "-q", "-m", "hooks"]);
}

const BAD: &str = r#"resource "aws_iam_role_policy" "ci" {
  role = "ci"
  policy = jsonencode({
    Statement = [{ Effect = "Allow", Action = "*", Resource = "*" }]
  })
}
"#;

fn try_repo(pc: &Path, project: &Path, hooks: &Path, home: &Path) -> (i32, String) {
    let path = format!(
        "{}:{}",
        bin_dir().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    try_repo_hook(
        pc,
        project,
        hooks,
        "nhilint-system",
        home,
        &[("PATH".into(), path)],
    )
}

fn try_repo_hook(
    pc: &Path,
    project: &Path,
    hooks: &Path,
    hook: &str,
    home: &Path,
    env: &[(String, String)],
) -> (i32, String) {
    let out = Command::new(pc)
        .current_dir(project)
        .arg("try-repo")
        .arg(hooks)
        .arg(hook)
        .arg("--color=never")
        .env("PRE_COMMIT_HOME", home)
        .env("NO_COLOR", "1")
        .envs(git_env())
        .envs(env.iter().cloned())
        .output()
        .expect("run pre-commit");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().unwrap_or(-1), text)
}

/// A scratch project with one commit and a staged bad Terraform file (and an unstaged one).
fn project_with_staged_bad_file(project: &Path) {
    std::fs::create_dir_all(project.join("infra")).unwrap();
    git(project, &["init", "-q"]);
    std::fs::write(project.join("README.md"), "# demo\n").unwrap();
    git(project, &["add", "README.md"]);
    git(project, &["commit", "-q", "-m", "init"]);
    std::fs::write(project.join("infra/iam.tf"), BAD).unwrap();
    // An unstaged bad file next to it is not pre-commit's business (and not passed).
    std::fs::write(project.join("infra/later.tf"), BAD).unwrap();
    git(project, &["add", "infra/iam.tf"]);
}

fn stage_fixed_file(project: &Path) {
    std::fs::write(
        project.join("infra/iam.tf"),
        BAD.replace(
            r#"Action = "*", Resource = "*""#,
            r#"Action = "s3:GetObject", Resource = "arn:aws:s3:::reports/*""#,
        ),
    )
    .unwrap();
    git(project, &["add", "infra/iam.tf"]);
}

fn hook_manifest_is_valid() {
    let pc = pre_commit();
    let out = Command::new(pc)
        .arg("validate-manifest")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join(".pre-commit-hooks.yaml"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join(".pre-commit-hooks.yaml"),
    )
    .unwrap();
    for needle in [
        "id: nhilint\n",
        "id: nhilint-system\n",
        "language: python",
        "language: system",
    ] {
        assert!(text.contains(needle), "{needle}");
    }
}

fn staged_bad_file_fails_the_hook_and_the_fix_passes() {
    let pc = pre_commit();
    let tmp = tempfile::tempdir().unwrap();
    let hooks = tmp.path().join("hooks");
    let project = tmp.path().join("project");
    let home = tmp.path().join("pre-commit-home");
    hook_repo(&hooks);

    // A staged bad file fails, and the finding is shown.
    project_with_staged_bad_file(&project);
    let (code, out) = try_repo(&pc, &project, &hooks, &home);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("Failed"), "{out}");
    assert!(out.contains("iam-wildcard-action"), "{out}");
    assert!(out.contains("infra/iam.tf:4"), "{out}");
    assert!(!out.contains("later.tf"), "{out}");

    // The fixed file passes.
    stage_fixed_file(&project);
    let (code, out) = try_repo(&pc, &project, &hooks, &home);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("Passed"), "{out}");
}

/// The `nhilint` hook (`language: python`): pre-commit pip-installs this repository, which
/// maturin builds into a wheel carrying the binary. pip gets maturin from the wheelhouse
/// `.ci/setup` fills (no network here), and maturin builds the dev profile into the test's own
/// target folder (so only the nhilint crate is compiled, not every dependency in release mode).
fn python_hook_installs_the_package_and_blocks_a_bad_commit() {
    let pc = pre_commit();
    let tmp = tempfile::tempdir().unwrap();
    let project = tmp.path().join("project");
    let home = tmp.path().join("pre-commit-home");
    project_with_staged_bad_file(&project);
    let env: Vec<(String, String)> = vec![
        (
            "CARGO_TARGET_DIR".into(),
            target_dir().display().to_string(),
        ),
        ("MATURIN_PEP517_ARGS".into(), "--profile dev".into()),
        ("PIP_NO_INDEX".into(), "1".into()),
        ("PIP_FIND_LINKS".into(), wheelhouse().display().to_string()),
        ("PIP_DISABLE_PIP_VERSION_CHECK".into(), "1".into()),
    ];
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let t = Instant::now();
    let (code, out) = try_repo_hook(&pc, &project, repo, "nhilint", &home, &env);
    let install = t.elapsed();
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("Failed"), "{out}");
    assert!(out.contains("iam-wildcard-action"), "{out}");
    assert!(out.contains("infra/iam.tf:4"), "{out}");
    assert!(!out.contains("later.tf"), "{out}");
    // pre-commit built and installed the package into the hook's environment: no other
    // nhilint was on PATH.
    assert!(out.contains("Installing environment"), "{out}");
    eprintln!("python hook: try-repo (pip install of this repository + check) {install:?}");
}
