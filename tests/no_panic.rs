//! Issue 12, items 1 and 5: no input ends a run (exit 0/1, never 101; every other file's findings
//! kept) and nothing from a scanned file reaches the terminal raw. One test per reproducer, each
//! with its own fixture in `testdata/no-panic/` (or generated here when large or oddly named)
//! next to `keep.tf`, whose finding must survive.

use assert_cmd::Command;
use serde_json::Value;
use std::fs;
use std::path::{Path, PathBuf};

fn nhilint() -> Command {
    let mut c = Command::cargo_bin("nhilint").unwrap();
    c.env("NO_COLOR", "1").env("NHILINT_TODAY", "2026-06-01");
    c
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata/no-panic")
        .join(name)
}

const KEEP_TF: &str = "resource \"aws_iam_policy\" \"keep\" {\n  policy = jsonencode({ Statement = [{ Effect = \"Allow\", Action = \"*\", Resource = \"*\" }] })\n}\n";

/// `check --format json DIR`: exit code (asserted 0 or 1), the JSON, stderr.
fn check_json(dir: &Path, extra: &[&str]) -> (i32, Value, String) {
    let out = nhilint()
        .args(["check", "--format", "json"])
        .args(extra)
        .arg(dir)
        .output()
        .unwrap();
    let code = out.status.code().unwrap_or(-1);
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(
        code == 0 || code == 1,
        "exit {code}, stderr: {stderr}, stdout: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\n{stderr}",
            String::from_utf8_lossy(&out.stdout)
        )
    });
    (code, v, stderr)
}

fn rules_at(v: &Value, path: &str) -> Vec<String> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| fixture_rel(f["path"].as_str().unwrap()) == path)
        .map(|f| f["rule_id"].as_str().unwrap().to_string())
        .collect()
}

/// A path relative to its fixture folder (outputs name files from the repository root, so a
/// fixture in `testdata/no-panic/<name>/` is reported as `testdata/no-panic/<name>/<file>`).
fn fixture_rel(p: &str) -> &str {
    match p.strip_prefix("testdata/no-panic/") {
        Some(r) => r.split_once('/').map_or(r, |(_, f)| f),
        None => p,
    }
}

fn errors(v: &Value) -> Vec<(String, String)> {
    v["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                fixture_rel(e["path"].as_str().unwrap()).to_string(),
                e["message"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn assert_keep_survives(v: &Value) {
    assert_eq!(
        rules_at(v, "keep.tf"),
        ["iam-wildcard-action"],
        "keep.tf's finding is lost: {v:#}"
    );
}

fn assert_no_internal_error(v: &Value) {
    for (p, m) in errors(v) {
        assert!(!m.contains("internal error"), "{p}: {m}");
    }
}

/// Repro 07: `"\é"` in a JSON string (escape of a multi-byte character).
#[test]
fn json_escape_of_a_multibyte_character() {
    let (code, v, _) = check_json(&fixture("json-escape"), &[]);
    assert_eq!(code, 1);
    assert_keep_survives(&v);
    assert_eq!(rules_at(&v, "creds.json"), ["secret-aws-access-key"]);
    assert_no_internal_error(&v);
}

/// Repro 08: the same string reaching an IAM policy through a module variable was parsed in the
/// Terraform project analysis, outside any panic guard: exit 101, every finding lost.
#[test]
fn terraform_project_analysis_of_an_escaped_multibyte_policy() {
    let (code, v, _) = check_json(&fixture("tf-module-escape"), &[]);
    assert_eq!(code, 1);
    assert_keep_survives(&v);
    assert_eq!(rules_at(&v, "main.tf"), ["iam-wildcard-resource"]);
    assert_no_internal_error(&v);
}

/// Repro 09: `inventory --since` parses the old tree outside the per-file guard.
#[test]
fn inventory_since_with_an_escaped_multibyte_policy_in_the_old_tree() {
    let d = tempfile::tempdir().unwrap();
    let repo = d.path();
    fs::copy(fixture("since/main.tf.json"), repo.join("main.tf.json")).unwrap();
    let git = |args: &[&str]| {
        let st = std::process::Command::new("git")
            .current_dir(repo)
            .args(["-c", "user.email=t@example.com", "-c", "user.name=t"])
            .args(args)
            .output()
            .expect("git is needed by this test (installed by .ci/setup)");
        assert!(st.status.success(), "git {args:?}: {st:?}");
    };
    git(&["init", "-q", "-b", "main"]);
    git(&["add", "."]);
    git(&["commit", "-qm", "init"]);
    fs::write(repo.join("keep.tf"), KEEP_TF).unwrap();
    let out = nhilint()
        .args(["inventory", "--format", "json", "--since", "HEAD"])
        .arg(repo)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["since"], "HEAD");
    // keep.tf is new since HEAD: its identity-less policy is no trust edge, but the scan ran.
    assert!(v["identities"].is_array());
    if let Some(errs) = v.get("errors") {
        assert!(!errs.to_string().contains("internal error"), "{errs}");
    }
}

/// Repro 14: a code frame, a file name and a message carry ESC sequences (OSC 52 clipboard
/// write, clear screen), a bidi override and a newline: escaped in every text format.
#[test]
fn control_characters_never_reach_the_terminal() {
    let d = tempfile::tempdir().unwrap();
    fs::copy(fixture("terminal/main.tf"), d.path().join("main.tf")).unwrap();
    // A file name with ESC and a newline (created here: such names do not belong in git).
    let odd = "x\u{1b}[31mred\nfake.tf";
    fs::write(d.path().join(odd), KEEP_TF.replace("keep", "odd")).unwrap();
    for (format, name) in [
        ("human", "x\\x1b[31mred\\nfake.tf"),
        ("github", "x\\x1b[31mred%0Afake.tf"),
        ("junit", "x\\x1b[31mred&#10;fake.tf"),
        ("concise", "x\\x1b[31mred\\nfake.tf"),
    ] {
        let out = nhilint()
            .args(["check", "--format", format])
            .arg(d.path())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{format}");
        let text = String::from_utf8(out.stdout).unwrap();
        for bad in ['\u{1b}', '\u{7}', '\u{202e}'] {
            assert!(!text.contains(bad), "{format} prints {bad:?} raw:\n{text}");
        }
        assert!(text.contains(name), "{format}:\n{text}");
        if format == "human" {
            assert!(
                text.contains("\\x1b]52;c;Y2xpcA==\\x07 \\x1b[2J\\x1b[H \\u{202e}gnp.txt"),
                "{text}"
            );
            assert!(!text.lines().any(|l| l.starts_with("fake.tf")), "{text}");
        }
    }
    // JSON keeps the exact name (serde escapes it).
    let (_, v, _) = check_json(d.path(), &[]);
    assert_eq!(rules_at(&v, odd), ["iam-wildcard-action"]);
}

/// Repro 15: a finding past column 65,535 (minified JavaScript) made miette panic in the
/// default format. The frame is cut around the finding and shows the real column.
#[test]
fn a_finding_past_column_65535_renders_in_the_human_format() {
    let d = tempfile::tempdir().unwrap();
    let pad = "q".repeat(70_000);
    fs::write(
        d.path().join("bundle.js"),
        format!("var pad=\"{pad}\";var id=\"AKIAZ4Q7RM2WX5TB3N6P\";\n"),
    )
    .unwrap();
    fs::write(d.path().join("keep.tf"), KEEP_TF).unwrap();
    let out = nhilint().arg("check").arg(d.path()).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("[bundle.js:1:70020]"), "{text}");
    assert!(text.contains("aws access key id"), "{text}");
    assert!(text.contains("[keep.tf:2:"), "{text}");
    assert!(text.contains("2 findings"), "{text}");
    // The frame is cut: no line of the output holds the 70,000-character padding.
    assert!(text.lines().all(|l| l.chars().count() < 400), "{text}");
    assert!(text.contains("…qqqq"), "{text}");
}

/// Repro 23: a YAML syntax error whose 30-byte snippet ended inside a multi-byte character.
#[test]
fn yaml_error_snippet_on_multibyte_text() {
    let (code, v, _) = check_json(&fixture("yaml-snippet"), &[]);
    assert_eq!(code, 1);
    assert_keep_survives(&v);
    let errs = errors(&v);
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert_eq!(errs[0].0, "values.yaml");
    assert!(errs[0].1.starts_with("YAML syntax error"), "{errs:?}");
}

/// Repro 24: the same text as an inline kustomize patch was parsed while rendering, outside
/// the per-file guard: exit 101.
#[test]
fn kustomize_inline_patch_with_multibyte_text() {
    let (code, v, _) = check_json(&fixture("kustomize-inline"), &[]);
    assert_eq!(code, 1);
    assert_keep_survives(&v);
    assert_eq!(
        rules_at(&v, "base/sa.yaml"),
        ["k8s-service-account-no-owner"]
    );
    assert_no_internal_error(&v);
}

/// Repro 25: any `.json` file over 4 KiB with a multi-byte character across byte 4096 made
/// `classify` panic while reading: exit 101.
#[test]
fn json_file_with_a_character_across_byte_4096() {
    let d = tempfile::tempdir().unwrap();
    let mut text = String::from("{\"title\": \"");
    while text.len() < 4095 {
        text.push('x');
    }
    text.push_str("ééé\", \"next\": \"");
    text.push_str(&"y".repeat(200));
    text.push_str("\"}\n");
    assert!(!text.is_char_boundary(4096));
    fs::write(d.path().join("messages.json"), &text).unwrap();
    fs::write(d.path().join("keep.tf"), KEEP_TF).unwrap();
    let (code, v, _) = check_json(d.path(), &[]);
    assert_eq!(code, 1);
    assert_keep_survives(&v);
    assert!(errors(&v).is_empty(), "{v:#}");
    assert_eq!(v["stats"]["files_scanned"], 2);
}

/// Repro 26: `last_ident` assumed a one-byte character before an identifier (`x["₿rate"]()`),
/// losing the file's other findings.
#[test]
fn code_call_on_a_multibyte_subscript() {
    let (code, v, _) = check_json(&fixture("code-ident"), &[]);
    assert_eq!(code, 1);
    assert_keep_survives(&v);
    assert_eq!(rules_at(&v, "client.py"), ["src-tls-verification-disabled"]);
    assert_no_internal_error(&v);
}
