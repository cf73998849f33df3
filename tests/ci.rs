//! CI pipelines end to end: the JSON findings of `testdata/ci/` (every provider, bad patterns
//! next to their false-positive traps) and the CI facts the trust-path join reads.

use assert_cmd::Command;
use nhilint::config::Config;
use nhilint::source::SourceFile;
use std::path::{Path, PathBuf};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn fixture_files() -> Vec<(String, String)> {
    let root = repo().join("testdata/ci");
    let mut out = Vec::new();
    let mut stack = vec![root.clone()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p
                    .strip_prefix(&root)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                out.push((rel, std::fs::read_to_string(&p).unwrap()));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn findings_snapshot() {
    let out = Command::cargo_bin("nhilint")
        .unwrap()
        .current_dir(repo())
        .args(["check", "testdata/ci", "--format", "json", "--select", "ci"])
        .output()
        .unwrap();
    let mut v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    v["stats"]["duration_ms"] = 0.into();
    v["tool"]["version"] = "x".into();
    // Keep the snapshot about CI: the fields a reviewer reads.
    let lines: Vec<String> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            format!(
                "{}:{}:{} {} [{}/{}] {}",
                f["path"].as_str().unwrap(),
                f["start_line"],
                f["start_column"],
                f["rule_id"].as_str().unwrap(),
                f["severity"].as_str().unwrap(),
                f["confidence"].as_str().unwrap(),
                f["message"].as_str().unwrap()
            )
        })
        .collect();
    assert!(
        v["errors"].as_array().unwrap().is_empty(),
        "{}",
        v["errors"]
    );
    insta::assert_snapshot!("ci_findings", lines.join("\n"));
    // No secret value of the fixtures appears in the output.
    let text = String::from_utf8(out.stdout).unwrap();
    for secret in [
        "pr0d-Db-p4ss-2024",
        "Jq8-vN3r-T5yB",
        "npm_Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2Ji1Hg0FeDcBa",
        "Tz8#mQ4!vL2@",
        "Rg7-kT2x-Qp9w-Lm4z",
        "Sq7-Lk2m-Vb9x-Tr4p",
        "Wm4-Kq8v-Rt2z",
        "Pq3-Xv7m-Hz2k",
    ] {
        assert!(!text.contains(secret), "secret {secret} printed");
    }
}

#[test]
fn facts_snapshot() {
    let config = Config::default();
    let mut lines = Vec::new();
    for (rel, text) in fixture_files() {
        let file = SourceFile::new(rel, text);
        let (parsed, _) = nhilint::engine::Engine::parse(&file);
        let f = nhilint::facts::extract(&file, &parsed, &config);
        for i in &f.identities {
            lines.push(format!(
                "identity {} {} {}",
                i.id,
                i.kind,
                serde_json::to_string(&i.attrs).unwrap()
            ));
        }
        for u in &f.usages {
            lines.push(format!(
                "usage {} {} -> {} {}",
                u.id,
                u.kind,
                u.identity_ref,
                serde_json::to_string(&u.attrs).unwrap()
            ));
        }
        for c in &f.credentials {
            lines.push(format!(
                "credential {} {} {}",
                c.id,
                c.storage,
                c.redacted.as_deref().unwrap_or("")
            ));
        }
    }
    let all = lines.join("\n");
    assert!(!all.contains("pr0d-Db-p4ss-2024"));
    insta::assert_snapshot!("ci_facts", all);
}

#[test]
fn hostile_ci_inputs_do_not_panic() {
    let config = Config::default();
    let deep = format!(
        "jobs:\n  a:\n    steps:\n      - run: {}\n",
        "$(".repeat(5000)
    );
    let texts = [
        "on: [",
        "jobs: [1, 2]",
        "jobs:\n  a: 3\n  b:\n    steps: 7\n    permissions: 5\n",
        "on:\n  pull_request_target:\njobs:\n  a:\n    steps:\n      - uses: actions/checkout@v4\n        with:\n          ref: ${{ github.event.pull_request.head.sha\n      - run: |\n          echo ${{ secrets.X\n",
        deep.as_str(),
        "permissions: ${{ x }}\njobs:\n  a:\n    runs-on: {labels: [self-hosted]}\n    uses: \n    secrets: inherit\n",
        "\u{feff}on: push\njobs:\n  é:\n    env:\n      TOKEN: \"\u{1F600}\u{1F600}\u{1F600}\u{1F600}\u{1F600}\"\n",
    ];
    let engine = nhilint::engine::Engine::new(
        config.clone(),
        nhilint::rules::RuleSet::build(&config, &["ci".to_string()], &[]),
    );
    for (i, t) in texts.iter().enumerate() {
        for path in [
            ".github/workflows/x.yml",
            "action.yml",
            ".gitlab-ci.yml",
            ".circleci/config.yml",
            "azure-pipelines.yml",
            "bitbucket-pipelines.yml",
        ] {
            let _ = engine.check_text(path, t);
            let file = SourceFile::new(path, *t);
            let (parsed, _) = nhilint::engine::Engine::parse(&file);
            let _ = nhilint::facts::extract(&file, &parsed, &config);
            let _ = i;
        }
    }
    let _ = Path::new(".");
}

/// A literal secret weighs the same in a default run as with `--select <ci rule>`: the context
/// rule defers to a secret detector on the same bytes, but the kept finding is never weaker.
#[test]
fn literal_secret_severity_does_not_depend_on_select() {
    let config = Config::default();
    let texts = [
        (
            ".github/workflows/a.yml",
            "on: push\nenv:\n  DEPLOY_TOKEN: Zk8qLm2vXw9rTt4pQs7n\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: make\n",
        ),
        (
            ".gitlab-ci.yml",
            "variables:\n  DEPLOY_TOKEN: Zk8qLm2vXw9rTt4pQs7n\nbuild:\n  script: [make]\n",
        ),
    ];
    for (path, text) in texts {
        let strongest = |select: &[String]| {
            let engine = nhilint::engine::Engine::new(
                config.clone(),
                nhilint::rules::RuleSet::build(&config, select, &[]),
            );
            let (f, _) = engine.check_text(path, text);
            // One finding for the secret (other rules may report other lines).
            let f: Vec<_> = f
                .into_iter()
                .filter(|f| f.owasp_nhi.iter().any(|o| o == "NHI2:2025") && !f.mask.is_empty())
                .collect();
            assert_eq!(f.len(), 1, "{path} {select:?}: {f:?}");
            (f[0].severity, f[0].confidence)
        };
        let rule = if path.starts_with(".github") {
            "gha-literal-secret"
        } else {
            "gitlab-literal-secret"
        };
        assert_eq!(strongest(&[]), strongest(&[rule.to_string()]), "{path}");
    }
}
