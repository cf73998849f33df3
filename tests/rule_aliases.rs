//! Renamed rules answer to their former ids (`tf-iam-wildcard-action` is now
//! `iam-wildcard-action`): inline suppressions, `--select`/`--ignore`, `[rules.<id>]` config and
//! `explain` written with the old id still apply. (Baseline fingerprints: `engine` unit test.)

mod cli_support;

const TF: &str = r#"resource "aws_iam_policy" "p" {
  policy = jsonencode({
    Statement = [{
      Effect   = "Allow"
      # nhilint: ignore[tf-iam-wildcard-action] break-glass policy, reviewed until=2099-01-01
      Action   = "*"
      Resource = "*"
    }]
  })
}
resource "aws_iam_policy" "q" {
  policy = jsonencode({
    Statement = [{ Effect = "Allow", Action = "s3:*", Resource = "arn:aws:s3:::b/*" }]
  })
}
"#;

fn run(dir: &std::path::Path, args: &[&str]) -> serde_json::Value {
    cli_support::json(Some(dir), args)
}

fn ids(v: &serde_json::Value) -> Vec<(String, u64)> {
    v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["rule_id"].as_str().unwrap_or("").to_string(),
                f["start_line"].as_u64().unwrap_or(0),
            )
        })
        .collect()
}

fn repo() -> tempfile::TempDir {
    let d = tempfile::tempdir().expect("tempdir");
    std::fs::write(d.path().join("main.tf"), TF).expect("write");
    d
}

#[test]
fn old_id_in_suppression_and_select() {
    let d = repo();
    let v = run(
        d.path(),
        &[
            "check",
            ".",
            "--format",
            "json",
            "--select",
            "tf-iam-wildcard-action",
        ],
    );
    // Line 6 is suppressed by the old id (and the suppression is used); line 13 is reported
    // under the new id.
    assert_eq!(ids(&v), [("iam-wildcard-action".to_string(), 13)]);
    let v = run(
        d.path(),
        &[
            "check",
            ".",
            "--format",
            "json",
            "--select",
            "iam-wildcard-action,tf-iam-wildcard-action,nhilint-unused-suppression",
            "--ignore",
            "tf-iam-wildcard-action",
        ],
    );
    assert!(ids(&v).is_empty(), "{:?}", ids(&v));
}

#[test]
fn old_id_in_config() {
    let d = repo();
    std::fs::write(
        d.path().join("nhilint.toml"),
        "[rules.tf-iam-wildcard-action]\nseverity = \"low\"\n",
    )
    .expect("write");
    let v = run(
        d.path(),
        &[
            "check",
            ".",
            "--format",
            "json",
            "--select",
            "iam-wildcard-action",
        ],
    );
    let f = &v["findings"][0];
    assert_eq!(f["rule_id"], "iam-wildcard-action");
    assert_eq!(f["severity"], "low");
}

#[test]
fn explain_old_id() {
    let out = assert_cmd::Command::cargo_bin("nhilint")
        .expect("binary")
        .args(["explain", "tf-iam-wildcard-action"])
        .output()
        .expect("run");
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("iam-wildcard-action"));
}
