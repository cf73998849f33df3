//! Filters and views of `nhilint check`: --min-severity, --min-confidence, --statistics,
//! --color with NO_COLOR/FORCE_COLOR, --format concise, help that wraps without breaking commands.

use assert_cmd::Command;
use std::fs;
use std::path::Path;

fn nhilint() -> Command {
    let mut c = Command::cargo_bin("nhilint").unwrap();
    c.env_remove("NO_COLOR")
        .env_remove("FORCE_COLOR")
        .env("NHILINT_TODAY", "2026-06-01");
    c
}

/// A critical wildcard policy (high confidence) and a low-severity owner finding.
fn repo() -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    let w = |rel: &str, text: &str| {
        let p = d.path().join(rel);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, text).unwrap();
    };
    w(
        "iam.tf",
        "resource \"aws_iam_policy\" \"p\" {\n  policy = jsonencode({\n    Statement = [{ Effect = \"Allow\", Action = \"*\", Resource = \"*\" }]\n  })\n}\n",
    );
    w(
        "sa.yaml",
        "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: exporter\n  namespace: monitoring\n",
    );
    w("nhilint.toml", "[owners]\ntag-keys = [\"team\"]\n");
    d
}

fn run(dir: &Path, args: &[&str]) -> (Option<i32>, String) {
    let out = nhilint().args(args).arg(dir).output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn min_severity_and_min_confidence_filter() {
    let d = repo();
    let (_, all) = run(d.path(), &["check", "--format", "concise"]);
    assert!(all.contains("k8s-service-account-no-owner"), "{all}");
    let (code, high) = run(
        d.path(),
        &["check", "--format", "concise", "--min-severity", "high"],
    );
    assert!(!high.contains("k8s-service-account-no-owner"), "{high}");
    assert!(high.contains("iam-wildcard-action"), "{high}");
    assert_eq!(code, Some(1));
    let (_, conf) = run(
        d.path(),
        &["check", "--format", "concise", "--min-confidence", "high"],
    );
    assert!(!conf.contains("k8s-service-account-no-owner"), "{conf}");
    let (code, _) = run(d.path(), &["check", "--min-severity", "severe"]);
    assert_eq!(code, Some(2));
    let (code, _) = run(d.path(), &["check", "--min-confidence", "sure"]);
    assert_eq!(code, Some(2));
}

#[test]
fn concise_is_one_line_per_finding() {
    let d = repo();
    let (_, out) = run(d.path(), &["check", "--format", "concise"]);
    let lines: Vec<&str> = out.lines().collect();
    let last = lines.last().unwrap();
    assert!(last.contains("finding"), "{out}");
    for l in &lines[..lines.len() - 1] {
        let mut parts = l.splitn(4, ':');
        let (path, line, col) = (parts.next(), parts.next(), parts.next());
        assert!(
            path.is_some_and(|p| p.ends_with(".tf") || p.ends_with(".yaml")),
            "{l}"
        );
        assert!(line.is_some_and(|x| x.parse::<u32>().is_ok()), "{l}");
        assert!(col.is_some_and(|x| x.parse::<u32>().is_ok()), "{l}");
    }
    assert!(
        !out.contains('\x1b'),
        "no colour when not a terminal: {out}"
    );
}

#[test]
fn statistics_count_per_rule_and_class() {
    let d = repo();
    let (_, text) = run(d.path(), &["check", "--statistics"]);
    assert!(text.contains("iam-wildcard-action"), "{text}");
    assert!(text.contains("by path class: "), "{text}");
    let (_, json) = run(d.path(), &["check", "--statistics", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let total = v["total"].as_u64().unwrap();
    let sum: u64 = v["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["count"].as_u64().unwrap())
        .sum();
    assert_eq!(total, sum);
    assert_eq!(v["path_classes"]["production"].as_u64(), Some(total));
}

#[test]
fn color_choice_and_environment() {
    let d = repo();
    let colored = |args: &[&str], env: &[(&str, &str)]| {
        let mut c = nhilint();
        for (k, v) in env {
            c.env(k, v);
        }
        let out = c.args(args).arg(d.path()).output().unwrap();
        String::from_utf8_lossy(&out.stdout).contains('\x1b')
    };
    let concise = ["check", "--format", "concise"];
    assert!(!colored(&concise, &[]));
    assert!(colored(&concise, &[("FORCE_COLOR", "1")]));
    assert!(!colored(&concise, &[("FORCE_COLOR", "0")]));
    assert!(!colored(
        &concise,
        &[("FORCE_COLOR", "1"), ("NO_COLOR", "1")]
    ));
    assert!(colored(
        &["check", "--format", "concise", "--color", "always"],
        &[("NO_COLOR", "1")]
    ));
    assert!(!colored(
        &["check", "--format", "concise", "--color", "never"],
        &[("FORCE_COLOR", "1")]
    ));
    // Machine formats never carry colour codes.
    assert!(!colored(
        &["check", "--format", "json", "--color", "always"],
        &[]
    ));
}

#[test]
fn help_wraps_but_never_inside_a_command() {
    for cols in ["50", "80", "200"] {
        let out = nhilint()
            .env("COLUMNS", cols)
            .arg("--help")
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        for cmd in [
            "nhilint check infra/ k8s/ --format concise",
            "nhilint check --format sarif -o out.sarif",
            "nhilint check --select NHI5 --min-severity high",
            "nhilint explain iam-wildcard-action",
            "# nhilint: ignore[rule-id] reason",
        ] {
            assert!(
                text.lines().any(|l| l.trim() == cmd),
                "COLUMNS={cols}: `{cmd}` broken:\n{text}"
            );
        }
        if cols == "50" {
            assert!(text.lines().all(|l| l.chars().count() <= 50), "{text}");
        }
    }
}
