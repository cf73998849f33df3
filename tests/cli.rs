//! End-to-end tests of the binary: exit codes, JSON v1 shape, config errors, robustness,
//! suppressions, determinism.

use assert_cmd::Command;
use std::fs;
use std::path::Path;

fn nhilint() -> Command {
    let mut c = Command::cargo_bin("nhilint").unwrap();
    c.env("NO_COLOR", "1").env("NHILINT_TODAY", "2026-06-01");
    c
}

fn write(dir: &Path, rel: &str, text: &[u8]) {
    let p = dir.join(rel);
    fs::create_dir_all(p.parent().unwrap()).unwrap();
    fs::write(p, text).unwrap();
}

const BAD_TF: &str = "resource \"aws_iam_policy\" \"p\" {\n  policy = jsonencode({\n    Statement = [{ Effect = \"Allow\", Action = \"*\", Resource = \"*\" }]\n  })\n}\n";
const BAD_K8S: &str = "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata:\n  name: x\nroleRef:\n  kind: ClusterRole\n  name: cluster-admin\nsubjects: []\n";
const SEED: &str = "iam-wildcard-action,k8s-rbac-cluster-admin-binding,gha-permissions-write-all,secret-aws-access-key";

fn json_of(out: &[u8]) -> serde_json::Value {
    serde_json::from_slice(out)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(out)))
}

#[test]
fn json_v1_shape_and_exit_codes() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "iam.tf", BAD_TF.as_bytes());
    let out = nhilint()
        .args(["check", "--format", "json", "--select", SEED])
        .arg(d.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v = json_of(&out.stdout);
    assert_eq!(v["version"], 1);
    assert_eq!(v["tool"]["name"], "nhilint");
    assert!(v["tool"]["version"].is_string());
    assert!(v["errors"].is_array());
    for k in ["files_scanned", "files_skipped", "duration_ms"] {
        assert!(v["stats"][k].is_u64(), "stats.{k}");
    }
    let f = &v["findings"][0];
    let keys = [
        "rule_id",
        "title",
        "severity",
        "confidence",
        "owasp_nhi",
        "message",
        "path",
        "start_line",
        "start_column",
        "end_line",
        "end_column",
        "fingerprint",
        "related",
        "help",
    ];
    for k in keys {
        assert!(!f[k].is_null(), "finding.{k} missing: {f}");
    }
    assert_eq!(f["rule_id"], "iam-wildcard-action");
    assert_eq!(f["path"], "iam.tf");
    assert_eq!(f["start_line"], 3);
    assert!(
        ["critical", "high", "medium", "low", "info"].contains(&f["severity"].as_str().unwrap())
    );
    assert!(f["owasp_nhi"][0].as_str().unwrap().starts_with("NHI"));
    // clean directory: exit 0
    let clean = tempfile::tempdir().unwrap();
    write(
        clean.path(),
        "ok.tf",
        b"resource \"aws_s3_bucket\" \"b\" {}\n",
    );
    nhilint().arg("check").arg(clean.path()).assert().code(0);
    // --fail-on above the finding's severity: exit 0
    nhilint()
        .args(["check", "--fail-on", "critical", "--select", SEED])
        .arg(d.path())
        .assert()
        .code(0);
}

#[test]
fn usage_and_config_errors_exit_2() {
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        "nhilint.toml",
        b"fail-on = \"high\"\n[scan]\nmax-size = 10\n",
    );
    let out = nhilint().arg("check").arg(d.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("nhilint.toml:3"), "{err}");
    assert!(err.contains("unknown field"), "{err}");
    nhilint()
        .args(["check", "--select", "no-such-rule"])
        .arg(d.path())
        .assert()
        .code(2);
    nhilint()
        .args(["check", "--format", "yaml"])
        .assert()
        .code(2);
    nhilint()
        .args(["check", "/definitely/not/here"])
        .assert()
        .code(2);
    nhilint().args(["explain", "no-such-rule"]).assert().code(2);
}

#[test]
fn broken_inputs_never_break_the_scan() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path();
    write(p, "good.tf", BAD_TF.as_bytes());
    write(p, "k8s/good.yaml", BAD_K8S.as_bytes());
    write(
        p,
        "broken.yaml",
        b"apiVersion: v1\nkind: Pod\nmetadata: [unclosed\n  name: : :\n",
    );
    write(
        p,
        "heredoc.tf",
        b"resource \"aws_iam_policy\" \"p\" {\n  policy = <<EOF\n{\"Statement\": []}\n",
    );
    write(
        p,
        "bad-utf8.tf",
        b"resource \"x\" \"y\" {\n  name = \"\xff\xfe\"\n}\n",
    );
    write(p, "empty.tf", b"");
    write(p, "empty.yaml", b"");
    write(p, "blob.bin", b"\x00\x01\x02binary\x00data");
    write(p, "huge.tf", &vec![b'#'; 2 * 1024 * 1024]);
    write(p, "nhilint.toml", b"[scan]\nmax-file-size = 1048576\n");
    let mut deep = String::new();
    for i in 0..300 {
        deep.push_str(&" ".repeat(i));
        deep.push_str("k:\n");
    }
    write(p, "deep.yaml", deep.as_bytes());
    write(p, "deep.json", "[".repeat(100_000).as_bytes());
    let long: String = (0..40_000).map(|i| format!("- v{i}\n")).collect();
    write(p, "long.yaml", format!("items:\n{long}").as_bytes());
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(p.join("loop-a"), p.join("loop-b")).unwrap();
        std::os::unix::fs::symlink(p.join("loop-b"), p.join("loop-a")).unwrap();
        std::os::unix::fs::symlink("/etc", p.join("outside")).unwrap();
    }
    // A project rule reads every file's facts, so every structured file is parsed (`check`
    // leaves unparsed, and reports no syntax error for, a file no active rule reads).
    let out = nhilint()
        .args(["check", "--format", "json", "--select"])
        .arg(format!("{SEED},trust-path-broad-subject"))
        .arg(p)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v = json_of(&out.stdout);
    let rules: Vec<(&str, &str)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["path"].as_str().unwrap(), f["rule_id"].as_str().unwrap()))
        .collect();
    assert!(
        rules.contains(&("good.tf", "iam-wildcard-action")),
        "{rules:?}"
    );
    assert!(
        rules.contains(&("k8s/good.yaml", "k8s-rbac-cluster-admin-binding")),
        "{rules:?}"
    );
    let errs: Vec<String> = v["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            format!(
                "{}: {}",
                e["path"].as_str().unwrap(),
                e["message"].as_str().unwrap()
            )
        })
        .collect();
    for (path, word) in [
        ("broken.yaml", "YAML"),
        ("heredoc.tf", "HCL"),
        ("deep.yaml", "nesting"),
        ("deep.json", "nesting"),
        ("long.yaml", "lines"),
        ("huge.tf", "max-file-size"),
    ] {
        assert!(
            errs.iter().any(|e| e.starts_with(path) && e.contains(word)),
            "no `{word}` error for {path}: {errs:#?}"
        );
    }
    assert!(
        !errs
            .iter()
            .any(|e| e.starts_with("empty") || e.starts_with("blob") || e.starts_with("bad-utf8")),
        "{errs:#?}"
    );
    assert!(
        v["stats"]["files_skipped"].as_u64().unwrap() >= 3,
        "{}",
        v["stats"]
    );
    // --strict turns parse errors into a failure even with no findings
    let clean = tempfile::tempdir().unwrap();
    write(clean.path(), "broken.yaml", b"a: [unclosed\n");
    nhilint().arg("check").arg(clean.path()).assert().code(0);
    nhilint()
        .args(["check", "--strict"])
        .arg(clean.path())
        .assert()
        .code(1);
}

#[test]
fn explicit_files_honour_excludes_and_root() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path();
    write(p, "a.tf", BAD_TF.as_bytes());
    write(p, "vendor/b.tf", BAD_TF.as_bytes());
    write(p, ".nhilintignore", b"vendor/\n");
    write(p, ".git/config.tf", BAD_TF.as_bytes());
    write(
        p,
        ".github/workflows/w.yml",
        b"on: push\npermissions: write-all\njobs: {}\n",
    );
    // walking: vendor/ and .git are skipped, .github is scanned
    let out = nhilint()
        .current_dir(p)
        .args(["check", "--format", "json", "--select", SEED])
        .output()
        .unwrap();
    let v = json_of(&out.stdout);
    let paths: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths, vec![".github/workflows/w.yml", "a.tf"]);
    // explicit file arguments (pre-commit): excludes still apply
    let out = nhilint()
        .current_dir(p)
        .args([
            "check",
            "--format",
            "json",
            "--select",
            SEED,
            "a.tf",
            "vendor/b.tf",
        ])
        .output()
        .unwrap();
    let v = json_of(&out.stdout);
    let paths: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths, vec!["a.tf"]);
}

#[test]
fn inline_suppressions() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path();
    let tf = "resource \"aws_iam_policy\" \"p\" {\n  policy = jsonencode({\n    # nhilint: ignore[iam-wildcard-action] break-glass role\n    Statement = [{ Effect = \"Allow\", Action = \"*\", Resource = \"*\" }]\n  })\n}\n\
              # nhilint: ignore[iam-wildcard-action] nothing here\nresource \"aws_s3_bucket\" \"b\" {}\n";
    write(p, "a.tf", tf.as_bytes());
    let k8s = format!(
        "# nhilint: ignore[k8s-rbac-cluster-admin-binding] legacy until=2020-01-01\n{BAD_K8S}"
    );
    write(p, "k.yaml", k8s.as_bytes());
    let sel = format!("{SEED},nhilint-unused-suppression,nhilint-expired-suppression");
    let out = nhilint()
        .args(["check", "--format", "json", "--select", &sel])
        .arg(p)
        .output()
        .unwrap();
    let v = json_of(&out.stdout);
    let got: Vec<(String, u64)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule_id"].as_str().unwrap().to_string(),
                f["start_line"].as_u64().unwrap(),
            )
        })
        .collect();
    // suppressed wildcard; the unused directive at line 7; the expired one is reported and no
    // longer suppresses (the binding's roleRef name is on line 8 of k.yaml: not covered anyway)
    assert!(
        !got.iter()
            .any(|(r, l)| r == "iam-wildcard-action" && *l == 4),
        "{got:?}"
    );
    assert!(
        got.contains(&("nhilint-unused-suppression".into(), 7)),
        "{got:?}"
    );
    assert!(
        got.iter().any(|(r, _)| r == "nhilint-expired-suppression"),
        "{got:?}"
    );
    // --no-inline-suppressions: the wildcard comes back
    let out = nhilint()
        .args([
            "check",
            "--format",
            "json",
            "--no-inline-suppressions",
            "--select",
            SEED,
        ])
        .arg(p)
        .output()
        .unwrap();
    let v = json_of(&out.stdout);
    assert!(
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["rule_id"] == "iam-wildcard-action")
    );
}

#[test]
fn output_is_deterministic_and_fingerprints_survive_line_moves() {
    let run = |dir: &Path| {
        let out = nhilint()
            .args(["check", "--format", "json", "--select", SEED, "-j", "2"])
            .arg(dir)
            .output()
            .unwrap();
        let mut v = json_of(&out.stdout);
        v["stats"]["duration_ms"] = 0.into();
        v
    };
    let d = tempfile::tempdir().unwrap();
    for i in 0..40 {
        write(d.path(), &format!("m{i}/iam.tf"), BAD_TF.as_bytes());
        // Distinct objects (identical ones in several files are one finding).
        let k8s = BAD_K8S.replace("name: x\n", &format!("name: x{i}\n"));
        write(d.path(), &format!("m{i}/rbac.yaml"), k8s.as_bytes());
    }
    let a = run(d.path());
    let b = run(d.path());
    assert_eq!(a, b);
    assert_eq!(a["findings"].as_array().unwrap().len(), 80);
    // move the finding down three lines: same fingerprint
    let one = tempfile::tempdir().unwrap();
    write(one.path(), "iam.tf", BAD_TF.as_bytes());
    let f1 = run(one.path())["findings"][0]["fingerprint"].clone();
    write(one.path(), "iam.tf", format!("\n\n\n{BAD_TF}").as_bytes());
    let moved = run(one.path());
    assert_eq!(moved["findings"][0]["start_line"], 6);
    assert_eq!(moved["findings"][0]["fingerprint"], f1);
}

#[test]
fn human_output_snapshot() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "iam.tf", BAD_TF.as_bytes());
    write(d.path(), "k8s/rbac.yaml", BAD_K8S.as_bytes());
    write(
        d.path(),
        "ci.env",
        b"AWS_ACCESS_KEY_ID=AKIAQYLPMN5HFIQR7XYA\n",
    );
    let out = nhilint()
        .args(["check", "--select", SEED])
        .arg(d.path())
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        !text.contains("AKIAQYLPMN5HFIQR7XYA"),
        "secret leaked:\n{text}"
    );
    insta::assert_snapshot!(text);
}

#[test]
fn stdin_filename_and_rules_and_explain() {
    let out = nhilint()
        .args([
            "check",
            "--format",
            "json",
            "--select",
            SEED,
            "--stdin-filename",
            "infra/x.tf",
        ])
        .write_stdin(BAD_TF)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v = json_of(&out.stdout);
    assert_eq!(v["findings"][0]["path"], "infra/x.tf");
    let out = nhilint()
        .args(["rules", "--format", "json"])
        .output()
        .unwrap();
    let v = json_of(&out.stdout);
    assert!(
        v.as_array()
            .unwrap()
            .iter()
            .any(|r| r["id"] == "iam-wildcard-action")
    );
    let out = nhilint()
        .args(["explain", "iam-wildcard-action"])
        .output()
        .unwrap();
    let t = String::from_utf8(out.stdout).unwrap();
    assert!(
        t.contains("How to fix it") && t.contains("NHI5:2025"),
        "{t}"
    );
    nhilint().arg("--help").assert().code(0);
}

#[test]
fn config_ignore_paths() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "keep/iam.tf", BAD_TF.as_bytes());
    write(d.path(), "fixtures/iam.tf", BAD_TF.as_bytes());
    write(
        d.path(),
        "nhilint.toml",
        b"[[ignore-paths]]\nrules = [\"tf-*\"]\npaths = [\"fixtures/**\"]\n",
    );
    let out = nhilint()
        .args(["check", "--format", "json", "--select", SEED])
        .arg(d.path())
        .output()
        .unwrap();
    let v = json_of(&out.stdout);
    let paths: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths, vec!["keep/iam.tf"]);
}

#[test]
fn server_accepts_the_flags_language_clients_add() {
    // vscode-languageclient appends `--stdio` (TransportKind.stdio); Node launches add
    // `--clientProcessId=N`. Closed stdin without `exit`: the server stops with 1, not a usage error.
    let d = tempfile::tempdir().unwrap();
    nhilint()
        .current_dir(d.path())
        .args(["server", "--stdio", "--clientProcessId=4242"])
        .write_stdin("")
        .assert()
        .code(1);
    // Other transports are refused with a usage error that names the one supported.
    for t in ["--socket=5007", "--pipe=/tmp/x", "--node-ipc"] {
        let out = nhilint()
            .current_dir(d.path())
            .args(["server", t])
            .write_stdin("")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{t}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("stdio"),
            "{t}"
        );
    }
}

#[test]
fn suppression_without_a_reason_silences_nothing() {
    let d = tempfile::tempdir().unwrap();
    let tf = |comment: &str| {
        format!(
            "resource \"aws_iam_policy\" \"p\" {{\n  policy = jsonencode({{\n    {comment}\n    Statement = [{{ Effect = \"Allow\", Action = \"*\", Resource = \"*\" }}]\n  }})\n}}\n"
        )
    };
    write(
        d.path(),
        "placeholder/main.tf",
        tf("# nhilint: ignore[iam-wildcard-action] <reason>").as_bytes(),
    );
    write(
        d.path(),
        "empty/main.tf",
        tf("# nhilint: ignore[iam-wildcard-action] until=2099-01-01").as_bytes(),
    );
    write(
        d.path(),
        "reason/main.tf",
        tf("# nhilint: ignore[iam-wildcard-action] break-glass role").as_bytes(),
    );
    let out = nhilint()
        .current_dir(d.path())
        .args(["check", "--format", "json", "."])
        .output()
        .unwrap();
    let v = json_of(&out.stdout);
    let mut got: Vec<(String, String)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_string(),
                f["rule_id"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    got.sort();
    let want: Vec<(String, String)> = [
        ("empty/main.tf", "iam-wildcard-action"),
        ("empty/main.tf", "nhilint-suppression-without-reason"),
        ("placeholder/main.tf", "iam-wildcard-action"),
        ("placeholder/main.tf", "nhilint-suppression-without-reason"),
    ]
    .iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect();
    assert_eq!(got, want, "{v}");
    let msg = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"] == "placeholder/main.tf" && f["rule_id"] != "iam-wildcard-action")
        .unwrap()["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(msg.contains("placeholder `<reason>`"), "{msg}");
    // Turning the rule off accepts reason-less suppressions again.
    nhilint()
        .current_dir(d.path())
        .args([
            "check",
            "--ignore",
            "nhilint-suppression-without-reason",
            "placeholder",
        ])
        .assert()
        .code(0);
}
