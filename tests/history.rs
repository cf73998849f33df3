//! `check --history`: secrets of past commits, read from a repository built here.

use assert_cmd::Command;
use serde_json::Value;
use std::fs;
use std::path::Path;

const OLD_PASSWORD: &str = "Vq7rT2mZp9Lw";
const LATER_TOKEN: &str = "k3Jd9sQw2LmX7pRt5VbN8cZy";

fn git(repo: &Path, args: &[&str]) -> String {
    let out = std::process::Command::new("git")
        .current_dir(repo)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", repo)
        .args(["-c", "user.email=t@example.com", "-c", "user.name=t"])
        .args(args)
        .output()
        .expect("git is needed by this test (installed by .ci/setup)");
    assert!(out.status.success(), "git {args:?}: {out:?}");
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// Three commits: a password added then removed, a token added in a second file (still in
/// HEAD, so the work-tree scan reports it and the history does not).
fn repo() -> (tempfile::TempDir, Vec<String>) {
    let d = tempfile::tempdir().unwrap();
    let r = d.path();
    git(r, &["init", "-q", "-b", "main"]);
    fs::create_dir_all(r.join("config")).unwrap();
    fs::write(
        r.join("config/app.properties"),
        format!("db.url=jdbc:postgresql://db/app\ndb.password={OLD_PASSWORD}\n"),
    )
    .unwrap();
    git(r, &["add", "."]);
    git(r, &["commit", "-qm", "add config"]);
    fs::write(
        r.join("config/app.properties"),
        "db.url=jdbc:postgresql://db/app\ndb.password=${DB_PASSWORD}\n",
    )
    .unwrap();
    git(r, &["commit", "-qam", "password from the environment"]);
    fs::write(r.join("deploy.env"), format!("API_TOKEN={LATER_TOKEN}\n")).unwrap();
    git(r, &["add", "."]);
    git(r, &["commit", "-qm", "deploy settings"]);
    let commits = git(r, &["rev-list", "--reverse", "HEAD"])
        .lines()
        .map(String::from)
        .collect();
    (d, commits)
}

fn check(repo: &Path, extra: &[&str]) -> (Option<i32>, String, String) {
    let out = Command::cargo_bin("nhilint")
        .unwrap()
        .current_dir(repo)
        .args(["check", "--format", "json", "--select", "secrets"])
        .args(extra)
        .arg(".")
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).to_string(),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

fn paths(json: &str) -> Vec<String> {
    let v: Value = serde_json::from_str(json).unwrap();
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| format!("{} {}", f["path"].as_str().unwrap(), f["start_line"]))
        .collect()
}

#[test]
fn history_names_the_commit_and_path_and_skips_what_head_holds() {
    let (d, commits) = repo();
    // Without --history only the work tree: the token.
    let (code, out, err) = check(d.path(), &[]);
    assert_eq!(code, Some(1), "{err}");
    assert_eq!(paths(&out), ["deploy.env 1"]);
    let (code, out, err) = check(d.path(), &["--history"]);
    assert_eq!(code, Some(1), "{err}");
    let first = &commits[0][..12];
    assert_eq!(
        paths(&out),
        [
            "deploy.env 1".to_string(),
            format!("{first}:config/app.properties 2")
        ]
    );
    assert!(out.contains(&format!("(in commit {first})")), "{out}");
    // Redaction holds for history findings too, in every format.
    for format in ["json", "human", "sarif", "github"] {
        let out = Command::cargo_bin("nhilint")
            .unwrap()
            .current_dir(d.path())
            .args([
                "check",
                "--history",
                "--select",
                "secrets",
                "--format",
                format,
                ".",
            ])
            .output()
            .unwrap();
        let all = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(!all.contains(OLD_PASSWORD), "{format}: {all}");
        assert!(!all.contains(LATER_TOKEN), "{format}: {all}");
    }
}

#[test]
fn history_range_and_bad_ranges() {
    let (d, commits) = repo();
    // Only the last two commits: the password was added before them.
    let range = format!("--history={}..HEAD", commits[0]);
    let (code, out, err) = check(d.path(), &[&range]);
    assert_eq!(code, Some(1), "{err}");
    assert_eq!(paths(&out), ["deploy.env 1"]);
    let (code, _, err) = check(d.path(), &["--history=--output=/tmp/x"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("not a revision range"), "{err}");
    // Outside a repository: an error, not a silent empty history.
    let plain = tempfile::tempdir().unwrap();
    fs::write(plain.path().join("a.txt"), "nothing\n").unwrap();
    let (code, _, err) = check(plain.path(), &["--history"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("not in a git repository"), "{err}");
}

/// A blob that only a merge commit wrote (an "evil merge" or a conflict resolution), removed
/// afterwards: no single-parent commit introduced it, the merge's combined diff does.
#[test]
fn history_finds_a_blob_that_only_a_merge_introduced() {
    const MERGE_SECRET: &str = "Hp4wZr8tKq2mXv6n";
    let d = tempfile::tempdir().unwrap();
    let r = d.path();
    git(r, &["init", "-q", "-b", "main"]);
    fs::write(r.join("README.md"), "app\n").unwrap();
    git(r, &["add", "."]);
    git(r, &["commit", "-qm", "start"]);
    git(r, &["checkout", "-qb", "side"]);
    fs::write(r.join("side.txt"), "side work\n").unwrap();
    git(r, &["add", "."]);
    git(r, &["commit", "-qm", "side"]);
    git(r, &["checkout", "-q", "main"]);
    fs::write(r.join("main.txt"), "main work\n").unwrap();
    git(r, &["add", "."]);
    git(r, &["commit", "-qm", "main"]);
    git(r, &["merge", "-q", "--no-ff", "--no-commit", "side"]);
    fs::write(r.join("merge.env"), format!("DB_PASSWORD={MERGE_SECRET}\n")).unwrap();
    git(r, &["add", "."]);
    git(r, &["commit", "-qm", "merge side"]);
    let merge = git(r, &["rev-parse", "HEAD"]);
    git(r, &["rm", "-q", "merge.env"]);
    git(r, &["commit", "-qm", "drop env"]);
    let (code, out, err) = check(r, &["--history"]);
    assert_eq!(code, Some(1), "{err}");
    assert_eq!(paths(&out), [format!("{}:merge.env 1", &merge[..12])]);
    assert!(!out.contains(MERGE_SECRET), "{out}");
}
