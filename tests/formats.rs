//! Machine output formats: a snapshot per format over a fixed set of findings (hand-built, with
//! hand-written rule cards, so other rules' edits never move these snapshots), SARIF validated
//! against the official 2.1.0 schema (vendored in testdata/sarif/), and the real binary's output
//! on a rich fixture: valid, deterministic, and never showing a secret.

use assert_cmd::Command;
use nhilint::context::{Report, Stats};
use nhilint::finding::ScanError;
use nhilint::finding::{Confidence, Finding, Related, Severity};
use nhilint::report::{self, Format, RenderOptions, RuleInfo};
use nhilint::rules::card::Card;
use serde_json::Value;
use std::path::PathBuf;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn card(id: &str, target: &str, severity: &str, owasp: &str) -> Card {
    let text = format!(
        r#"
id = "{id}"
title = "Title of {id} <with> & \"markup\""
target = "{target}"
severity = "{severity}"
confidence = "high"
owasp_nhi = [{owasp}]
examples = []
[docs]
what = "What {id} finds: a thing that is wrong."
why = "Why it matters: 100% of the time, it's bad."
fix = "How to fix {id}: do the right thing."
references = ["https://example.org/{id}", "RFC 0000"]
"#
    );
    toml::from_str(&text).expect("test card")
}

#[allow(clippy::too_many_arguments)]
fn finding(
    c: &Card,
    severity: Severity,
    path: &str,
    start: (u32, u32),
    end: (u32, u32),
    message: &str,
    fp: &str,
) -> Finding {
    Finding {
        rule_id: c.id.clone(),
        title: c.title.clone(),
        severity,
        confidence: Confidence::High,
        owasp_nhi: c.owasp_nhi.clone(),
        message: message.to_string(),
        path: path.to_string(),
        start_line: start.0,
        start_column: start.1,
        end_line: end.0,
        end_column: end.1,
        fingerprint: fp.to_string(),
        related: Vec::new(),
        help: c.docs.fix.clone(),
        span: 0..0,
        fp_key: None,
        mask: Vec::new(),
    }
}

/// A fixed report: several rules and severities, related locations, non-ASCII text and paths,
/// characters every format must escape, and one parse error.
fn fixed() -> (Report, Vec<RuleInfo>) {
    let a = card("tf-test-wildcard", "terraform", "high", r#""NHI5:2025""#);
    let b = card(
        "gha-test-token",
        "ci",
        "medium",
        r#""NHI5:2025", "NHI10:2025""#,
    );
    let c = card("secret-test-key", "secrets", "critical", r#""NHI2:2025""#);
    let d = card("k8s-test-note", "kubernetes", "info", r#""NHI1:2025""#);
    let findings = vec![
        finding(
            &b,
            Severity::Medium,
            ".github/workflows/ci, deploy.yml",
            (5, 14),
            (5, 23),
            "job `deploy: prod` gets `contents: write`, 100% of scopes\nsecond line",
            "0000000000000000000000000000000b",
        ),
        finding(
            &c,
            Severity::Critical,
            "app/settings.py",
            (2, 18),
            (2, 38),
            "aws access key id `AKIA…(20 chars)`",
            "0000000000000000000000000000000c",
        ),
        finding(
            &a,
            Severity::High,
            "infra/régions/iam.tf",
            (8, 18),
            (8, 21),
            "policy statement « déploiement » allows every action (`*`) <&>",
            "0000000000000000000000000000000a",
        )
        .with_related(Related {
            path: "infra/régions/iam.tf".into(),
            start_line: 2,
            start_column: Some(1),
            end_line: Some(2),
            end_column: Some(46),
            message: "the role policy `déploiement`".into(),
        })
        .with_related(Related {
            path: ".github/workflows/ci, deploy.yml".into(),
            start_line: 12,
            start_column: None,
            end_line: None,
            end_column: None,
            message: "assumed by this workflow".into(),
        }),
        finding(
            &d,
            Severity::Low,
            "k8s/rbac.yaml",
            (3, 1),
            (14, 1),
            "service account `ci/deployer` has no owner label",
            "0000000000000000000000000000000d",
        ),
    ];
    let report = Report {
        findings,
        errors: vec![ScanError {
            path: "k8s/broken.yaml".into(),
            line: Some(3),
            message: "YAML syntax error: unexpected content here".into(),
        }],
        stats: Stats {
            files_scanned: 5,
            files_skipped: 1,
            duration_ms: 1234,
        },
        suppressed: 2,
        ..Report::default()
    };
    let mut rules: Vec<RuleInfo> = [a, b, c, d]
        .into_iter()
        .map(|card| RuleInfo {
            severity: card.severity,
            card,
        })
        .collect();
    rules.sort_by(|x, y| x.card.id.cmp(&y.card.id));
    (report, rules)
}

fn render(format: Format) -> String {
    let (report, rules) = fixed();
    report::render(
        format,
        &report,
        &RenderOptions {
            color: false,
            quiet: false,
            rules,
        },
    )
}

fn sarif_validator() -> jsonschema::Validator {
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(repo().join("testdata/sarif/sarif-schema-2.1.0.json"))
            .expect("vendored schema"),
    )
    .expect("schema is JSON");
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft7)
        .should_validate_formats(true)
        .build(&schema)
        .expect("schema compiles offline")
}

fn assert_valid_sarif(text: &str) -> Value {
    let v: Value = serde_json::from_str(text).expect("SARIF is JSON");
    let validator = sarif_validator();
    let errors: Vec<String> = validator
        .iter_errors(&v)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "SARIF schema violations:\n{errors:#?}");
    v
}

#[test]
fn sarif_snapshot_and_schema() {
    let out = render(Format::Sarif);
    insta::assert_snapshot!("sarif", out);
    let v = assert_valid_sarif(&out);
    let run = &v["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    for r in run["results"].as_array().unwrap() {
        let i = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[i]["id"], r["ruleId"]);
    }
    assert_eq!(
        run["results"][2]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "infra/r%C3%A9gions/iam.tf"
    );
}

#[test]
fn schema_rejects_broken_sarif() {
    // The validator is live: a result without a message is not SARIF.
    let mut v: Value = serde_json::from_str(&render(Format::Sarif)).unwrap();
    v["runs"][0]["results"][0]
        .as_object_mut()
        .unwrap()
        .remove("message");
    v["runs"][0]["columnKind"] = Value::from("bytes");
    assert!(!sarif_validator().is_valid(&v));
}

#[test]
fn github_snapshot() {
    let out = render(Format::Github);
    insta::assert_snapshot!("github", out);
    for line in out.lines() {
        assert!(line.starts_with("::"), "{line}");
        let (props, _msg) = line[2..].split_once("::").expect("command::message");
        // Property values never carry raw separators.
        for kv in props.split_once(' ').unwrap().1.split(',') {
            let (_, val) = kv.split_once('=').expect("key=value");
            assert!(!val.contains(':') && !val.contains('\n'), "{kv}");
        }
    }
}

#[test]
fn gitlab_snapshot() {
    let out = render(Format::Gitlab);
    insta::assert_snapshot!("gitlab", out);
    let v: Value = serde_json::from_str(&out).unwrap();
    for issue in v.as_array().unwrap() {
        for k in ["description", "check_name", "fingerprint", "severity"] {
            assert!(issue[k].is_string(), "{k} in {issue}");
        }
        assert!(issue["location"]["path"].is_string());
        assert!(issue["location"]["lines"]["begin"].is_u64());
    }
    let sev: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["severity"].as_str().unwrap())
        .collect();
    assert_eq!(sev, ["major", "blocker", "critical", "minor"]);
}

#[test]
fn junit_snapshot() {
    let out = render(Format::Junit);
    insta::assert_snapshot!("junit", out);
    assert!(out.contains("failures=\"4\" errors=\"1\""));
    assert!(!out.contains("<&>"));
}

#[test]
fn human_and_json_snapshots_have_no_timing() {
    // JSON carries stats.duration_ms by contract; the snapshot pins it to zero.
    let (mut report, rules) = fixed();
    report.stats.duration_ms = 0;
    let json = report::render(
        Format::Json,
        &report,
        &RenderOptions {
            rules,
            ..Default::default()
        },
    );
    insta::assert_snapshot!("json", json);
    insta::assert_snapshot!("human", render(Format::Human));
    for f in [Format::Sarif, Format::Github, Format::Gitlab, Format::Junit] {
        assert!(!render(f).contains("1234"), "{f:?} leaks the duration");
    }
}

#[test]
fn empty_reports_are_valid() {
    let report = Report::default();
    let opts = RenderOptions::default();
    assert_valid_sarif(&report::render(Format::Sarif, &report, &opts));
    assert_eq!(report::render(Format::Github, &report, &opts), "");
    assert_eq!(report::render(Format::Gitlab, &report, &opts), "[]\n");
    assert!(report::render(Format::Junit, &report, &opts).contains("name=\"no findings\""));
}

fn run_fixture(format: &str) -> (String, String, i32) {
    let out = Command::cargo_bin("nhilint")
        .unwrap()
        .current_dir(repo().join("testdata/sarif/fixture"))
        .args(["check", "--format", format])
        .env("NHILINT_TODAY", "2026-01-01")
        .output()
        .unwrap();
    (
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
        out.status.code().unwrap_or(-1),
    )
}

#[test]
fn real_sarif_of_the_fixture_validates() {
    let (out, err, code) = run_fixture("sarif");
    assert_eq!(code, 1, "{err}");
    let v = assert_valid_sarif(&out);
    let run = &v["runs"][0];
    let ids: std::collections::BTreeSet<&str> = run["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["ruleId"].as_str().unwrap())
        .collect();
    for id in [
        "iam-wildcard-action",
        "gha-permissions-write-all",
        "k8s-rbac-cluster-admin-binding",
        "secret-aws-access-key",
        "nhilint-unused-suppression",
    ] {
        assert!(ids.contains(id), "{id} missing from {ids:?}");
    }
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    for r in run["results"].as_array().unwrap() {
        let i = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[i]["id"], r["ruleId"]);
        assert!(r["partialFingerprints"]["nhilintFingerprint/v1"].is_string());
        let uri = r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .unwrap();
        assert!(uri.is_ascii() && !uri.starts_with('/'), "{uri}");
    }
    for r in rules {
        let tags = r["properties"]["tags"].as_array().unwrap();
        assert!(tags.iter().any(|t| t == "security"));
        assert!(tags.iter().any(|t| t.as_str().unwrap().starts_with("NHI")));
        assert!(r["properties"]["security-severity"].is_string());
    }
    let notes = &run["invocations"][0]["toolExecutionNotifications"];
    assert_eq!(
        notes[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "testdata/sarif/fixture/k8s/broken.yaml"
    );
    assert!(
        err.contains("finding"),
        "summary line goes to stderr: {err}"
    );
}

#[test]
fn every_format_is_deterministic_and_never_shows_the_secret() {
    for f in ["human", "json", "sarif", "github", "gitlab", "junit"] {
        let (a, err, code) = run_fixture(f);
        assert_eq!(code, 1, "{f}: {err}");
        assert!(!a.contains("Z7VRSQ5TJWXM3K2B"), "{f} shows the secret");
        assert!(!err.contains("Z7VRSQ5TJWXM3K2B"), "{f} shows the secret");
        if f != "json" && f != "human" {
            let (b, _, _) = run_fixture(f);
            assert_eq!(a, b, "{f} output differs between runs");
        }
    }
}

#[test]
fn quiet_machine_formats_print_no_summary() {
    let out = Command::cargo_bin("nhilint")
        .unwrap()
        .current_dir(repo().join("testdata/sarif/fixture"))
        .args([
            "check",
            "--format",
            "gitlab",
            "--quiet",
            "--fail-on",
            "none",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(!v.as_array().unwrap().is_empty());
}

#[test]
fn output_file_gets_the_report_and_stderr_the_summary() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("out.sarif");
    let out = Command::cargo_bin("nhilint")
        .unwrap()
        .current_dir(repo().join("testdata/sarif/fixture"))
        .args(["check", "--format", "sarif", "--fail-on", "critical", "-o"])
        .arg(&target)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "no critical finding");
    assert!(out.stdout.is_empty());
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("4 high"), "{err}");
    assert_valid_sarif(&std::fs::read_to_string(&target).unwrap());
}

/// `n` copies of a finding at successive lines, with the given severity.
fn many(f: &Finding, severity: Severity, n: u32) -> Vec<Finding> {
    (0..n)
        .map(|i| {
            let mut g = f.clone();
            g.severity = severity;
            g.start_line = 100 + i;
            g.end_line = 100 + i;
            g.fingerprint = format!("{severity:?}{i}");
            g
        })
        .collect()
}

#[test]
fn github_annotations_most_severe_first_within_the_per_step_limits() {
    let (mut report, rules) = fixed();
    let template = report.findings[0].clone();
    report.findings = [
        many(&template, Severity::Low, 12),
        many(&template, Severity::High, 25),
        many(&template, Severity::Medium, 3),
    ]
    .concat();
    let out = report::render(
        Format::Github,
        &report,
        &RenderOptions {
            color: false,
            quiet: false,
            rules,
        },
    );
    let count = |kind: &str| out.lines().filter(|l| l.starts_with(kind)).count();
    // 10 errors (of 25 high), 3 medium + 1 parse error as warnings, 9 notices + the closing one.
    assert_eq!(count("::error "), 10, "{out}");
    assert_eq!(count("::warning "), 4, "{out}");
    assert_eq!(count("::notice "), 10, "{out}");
    assert!(out.lines().next().unwrap().starts_with("::error "), "{out}");
    let note = out.lines().last().unwrap();
    assert!(
        note.starts_with("::notice title=nhilint::18 of 41 annotations were not shown"),
        "{note}"
    );
    // Nothing is lost: the cut ones are in the log as plain lines.
    assert!(out.contains("nhilint: 18 more not annotated"), "{out}");
    assert_eq!(out.matches("gha-test-token (high)").count(), 25, "{out}");

    let summary = report::github::step_summary(&report);
    assert!(summary.contains("| high | 25 |"), "{summary}");
    assert!(summary.contains("| low | 12 |"), "{summary}");
    assert!(summary.contains("20 more findings"), "{summary}");
    let rows = summary
        .lines()
        .filter(|l| l.starts_with("| high | `"))
        .count();
    assert_eq!(rows, 20, "{summary}");
}

#[test]
fn sarif_results_carry_their_own_severity_and_are_capped_with_a_notification() {
    let (report, rules) = fixed();
    let opts = RenderOptions {
        color: false,
        quiet: false,
        rules,
    };
    let full = serde_json::to_value(report::sarif::build(&report, &opts)).unwrap();
    let run = &full["runs"][0];
    assert_eq!(run["automationDetails"]["id"], "nhilint/");
    for r in run["results"].as_array().unwrap() {
        let sev = r["properties"]["severity"].as_str().unwrap();
        let want = match sev {
            "critical" => "9.5",
            "high" => "8.0",
            "medium" => "5.5",
            "low" => "3.0",
            _ => "1.0",
        };
        assert_eq!(r["properties"]["security-severity"], want, "{r}");
    }
    // The low finding of an info rule: its own level and score, not the rule's.
    let low = run["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == "k8s-test-note")
        .unwrap();
    assert_eq!(low["properties"]["security-severity"], "3.0");

    let capped = report::sarif::build_capped(&report, &opts, 2);
    let text = serde_json::to_string_pretty(&capped).unwrap();
    let v = assert_valid_sarif(&text);
    let results = v["runs"][0]["results"].as_array().unwrap();
    let ids: Vec<&str> = results
        .iter()
        .map(|r| r["ruleId"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["secret-test-key", "tf-test-wildcard"]);
    let notes = v["runs"][0]["invocations"][0]["toolExecutionNotifications"]
        .as_array()
        .unwrap();
    assert!(
        notes.iter().any(|n| n["message"]["text"]
            .as_str()
            .unwrap()
            .starts_with("2 of 4 results were left out")),
        "{notes:?}"
    );
}

#[test]
fn github_format_writes_the_step_summary() {
    let dir = tempfile::tempdir().unwrap();
    let summary = dir.path().join("summary.md");
    std::fs::write(&summary, "earlier step\n").unwrap();
    let out = Command::cargo_bin("nhilint")
        .unwrap()
        .current_dir(repo())
        .env("GITHUB_STEP_SUMMARY", &summary)
        .args(["check", "--format", "github", "testdata/demo"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = std::fs::read_to_string(&summary).unwrap();
    assert!(text.starts_with("earlier step\n### nhilint\n"), "{text}");
    assert!(text.contains("| severity | findings |"), "{text}");
}
