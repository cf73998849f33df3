//! Baseline (`nhilint baseline`, `--baseline FILE`) and diff mode (`--changed-since REF`), run
//! through the real binary on throwaway copies of the demo repository.

mod git_support;
use git_support::git;

use assert_cmd::Command;
use serde_json::Value;
use std::path::{Path, PathBuf};

const SECRET_TAIL: &str = "Z7VRSQ5TJWXM3K2B";

fn demo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("testdata/demo")
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let t = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &t);
        } else {
            std::fs::copy(e.path(), t).unwrap();
        }
    }
}

struct Run {
    code: i32,
    json: Value,
    stderr: String,
}

fn nhilint(dir: &Path, args: &[&str]) -> Run {
    let out = Command::cargo_bin("nhilint")
        .unwrap()
        .current_dir(dir)
        .args(args)
        .env("NHILINT_TODAY", "2026-01-01")
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        json: serde_json::from_str(&stdout).unwrap_or(Value::Null),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

fn findings(r: &Run) -> Vec<(String, String, u64)> {
    r.json["findings"]
        .as_array()
        .unwrap_or_else(|| panic!("no JSON report; stderr: {}", r.stderr))
        .iter()
        .map(|f| {
            (
                f["rule_id"].as_str().unwrap().to_string(),
                f["path"].as_str().unwrap().to_string(),
                f["start_line"].as_u64().unwrap(),
            )
        })
        .collect()
}

fn edit(path: &Path, f: impl FnOnce(String) -> String) {
    let t = std::fs::read_to_string(path).unwrap();
    std::fs::write(path, f(t)).unwrap();
}

const NEW_POLICY: &str = r#"
resource "aws_iam_policy" "new_admin" {
  policy = jsonencode({
    Statement = [{ Effect = "Allow", Action = "*", Resource = "*" }]
  })
}
"#;

#[test]
fn baseline_reports_only_new_findings_and_lists_stale_entries() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    copy_dir(&demo(), d);

    let all = nhilint(d, &["check", "--format", "json"]);
    assert_eq!(all.code, 1);
    let n = findings(&all).len();
    assert!(n >= 4, "{:?}", findings(&all));

    let b = nhilint(d, &["baseline"]);
    assert_eq!(b.code, 0, "{}", b.stderr);
    let text = std::fs::read_to_string(d.join(".nhilint-baseline.json")).unwrap();
    assert!(!text.contains(SECRET_TAIL), "baseline holds a secret");
    let bl: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(bl["version"], 1);
    let entries = bl["entries"].as_array().unwrap();
    assert_eq!(entries.len(), n);
    for e in entries {
        assert!(e["rule_id"].is_string() && e["path"].is_string());
        assert_eq!(e["fingerprint"].as_str().unwrap().len(), 32);
        assert_eq!(
            e.as_object().unwrap().len(),
            3,
            "only ids, paths, hashes: {e}"
        );
    }

    // Everything is accepted: clean run.
    let r = nhilint(
        d,
        &[
            "check",
            "--format",
            "json",
            "--baseline",
            ".nhilint-baseline.json",
        ],
    );
    assert_eq!((r.code, findings(&r).len()), (0, 0), "{}", r.stderr);
    assert!(!r.stderr.contains("stale"));

    // Moving a finding down (lines inserted above) keeps it baselined; a new one is reported.
    edit(&d.join("infra/iam.tf"), |t| {
        format!("\n\n# moved\n{t}{NEW_POLICY}")
    });
    // Fixing one finding makes its entry stale.
    edit(&d.join(".github/workflows/release.yml"), |t| {
        t.replace("permissions: write-all", "permissions: {}")
    });
    let r = nhilint(
        d,
        &[
            "check",
            "--format",
            "json",
            "--baseline",
            ".nhilint-baseline.json",
        ],
    );
    assert_eq!(r.code, 1);
    let f = findings(&r);
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(f[0].0, "iam-wildcard-action");
    assert!(f[0].2 > 40, "the new policy at the end of the file: {f:?}");
    assert!(
        r.stderr.contains("1 baseline entry no longer match")
            && r.stderr
                .contains("stale: gha-permissions-write-all .github/workflows/release.yml"),
        "{}",
        r.stderr
    );

    // A partial scan does not call entries of files it did not read stale.
    let r = nhilint(
        d,
        &[
            "check",
            "--format",
            "json",
            "--baseline",
            ".nhilint-baseline.json",
            "k8s/rbac.yaml",
        ],
    );
    assert_eq!((r.code, findings(&r).len()), (0, 0), "{}", r.stderr);
    assert!(!r.stderr.contains("stale"), "{}", r.stderr);

    // --quiet keeps stderr empty.
    let r = nhilint(
        d,
        &[
            "check",
            "--format",
            "json",
            "-q",
            "--baseline",
            ".nhilint-baseline.json",
        ],
    );
    assert!(r.stderr.is_empty(), "{}", r.stderr);

    // A broken or missing baseline is a usage error.
    std::fs::write(d.join("bad.json"), "{\"version\": 1, \"entries\": [}").unwrap();
    assert_eq!(nhilint(d, &["check", "--baseline", "bad.json"]).code, 2);
    std::fs::write(d.join("v9.json"), "{\"version\": 9, \"entries\": []}").unwrap();
    assert_eq!(nhilint(d, &["check", "--baseline", "v9.json"]).code, 2);
    assert_eq!(nhilint(d, &["check", "--baseline", "missing.json"]).code, 2);
}

const DIFF_REPO_HEAD: &[&str] = &[
    "check",
    "repo",
    "--format",
    "json",
    "--changed-since",
    "HEAD",
];

#[test]
fn changed_since_reports_only_changed_files_and_lines() {
    let tmp = tempfile::tempdir().unwrap();
    let top = tmp.path();
    // The scan root (`repo/`) is below the git top level on purpose.
    let d = top.join("repo");
    copy_dir(&demo(), &d);
    std::fs::write(top.join("outside.tf"), NEW_POLICY).unwrap();
    git(top, &["init", "-q"]);
    git(top, &["add", "-A"]);
    git(top, &["commit", "-q", "-m", "base"]);

    // Nothing changed: nothing reported.
    let r = nhilint(top, DIFF_REPO_HEAD);
    assert_eq!((r.code, findings(&r).len()), (0, 0), "{}", r.stderr);

    // 1. a new finding on changed lines of a tracked file (old findings in it stay quiet);
    edit(&d.join("infra/iam.tf"), |t| format!("{t}{NEW_POLICY}"));
    // 2. a renamed file without changes (its finding is not new);
    git(&d, &["mv", "k8s/rbac.yaml", "k8s/rbac-moved.yaml"]);
    // 3. a renamed and edited file: only the edited line counts;
    git(&d, &["mv", "app/storage.py", "app/store.py"]);
    edit(&d.join("app/store.py"), |t| {
        format!("{t}OTHER_KEY = \"AKIAQ3MZ5XW7VJ2KL4NB\"\n")
    });
    // 4. an untracked file counts as wholly changed, even with a non-ASCII name;
    std::fs::write(d.join("infra/accès.tf"), NEW_POLICY).unwrap();
    // 5. a change outside the scan root is not this scan's business.
    edit(&top.join("outside.tf"), |t| format!("{t}\n# touched\n"));

    let r = nhilint(top, DIFF_REPO_HEAD);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let mut got: Vec<(String, String)> =
        findings(&r).into_iter().map(|(id, p, _)| (id, p)).collect();
    got.sort();
    assert_eq!(
        got,
        vec![
            ("iam-wildcard-action".into(), "repo/infra/accès.tf".into()),
            ("iam-wildcard-action".into(), "repo/infra/iam.tf".into()),
            ("secret-aws-access-key".into(), "repo/app/store.py".into()),
        ],
        "{}",
        r.stderr
    );
    let store_line = findings(&r)
        .into_iter()
        .find(|f| f.1 == "repo/app/store.py")
        .unwrap()
        .2;
    assert_eq!(
        store_line, 14,
        "only the added key, not the old one on line 13"
    );

    // Same from inside the scan root, and with a branch name as the ref.
    git(top, &["branch", "base", "HEAD"]);
    let r2 = nhilint(
        &d,
        &["check", "--format", "json", "--changed-since", "base"],
    );
    assert_eq!(findings(&r2).len(), 3, "{}", r2.stderr);

    // Errors: unknown ref, option-looking ref, not a repository.
    let r = nhilint(&d, &["check", "--changed-since", "no-such-ref"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("no-such-ref"), "{}", r.stderr);
    assert_eq!(
        nhilint(&d, &["check", "--changed-since=--output=x"]).code,
        2
    );
    let plain = tempfile::tempdir().unwrap();
    std::fs::write(plain.path().join("a.tf"), NEW_POLICY).unwrap();
    let r = nhilint(plain.path(), &["check", "--changed-since", "HEAD"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
}
