//! Trust paths across artifacts: the findings of `testdata/trust/` (a workflow, Terraform and
//! Kubernetes manifests forming complete chains, some safe and some not), snapshot-tested with
//! every related hop, plus properties of the chains the fixture encodes.

use assert_cmd::Command;
use std::path::Path;

fn fixture() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/trust")
}

fn findings() -> serde_json::Value {
    let out = Command::cargo_bin("nhilint")
        .unwrap()
        .current_dir(fixture())
        .env("NHILINT_TODAY", "2026-01-01")
        .args(["check", "--select", "trust-*", "--format", "json", "."])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "expected findings: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// One block per finding: rule, severity, location, message, then every related hop.
fn compact(v: &serde_json::Value) -> String {
    let mut s = String::new();
    for f in v["findings"].as_array().unwrap() {
        s.push_str(&format!(
            "{} [{}/{}] {}:{}\n  {}\n",
            f["rule_id"].as_str().unwrap(),
            f["severity"].as_str().unwrap(),
            f["confidence"].as_str().unwrap(),
            f["path"].as_str().unwrap(),
            f["start_line"],
            f["message"].as_str().unwrap()
        ));
        for r in f["related"].as_array().unwrap() {
            s.push_str(&format!(
                "    -> {}:{} {}\n",
                r["path"].as_str().unwrap(),
                r["start_line"],
                r["message"].as_str().unwrap()
            ));
        }
    }
    s
}

#[test]
fn fixture_findings_snapshot() {
    let v = findings();
    assert!(
        v["errors"].as_array().unwrap().is_empty(),
        "{}",
        v["errors"]
    );
    insta::assert_snapshot!("trust_findings", compact(&v));
}

#[test]
fn every_finding_names_each_hop() {
    let v = findings();
    for f in v["findings"].as_array().unwrap() {
        let rel = f["related"].as_array().unwrap();
        assert!(!rel.is_empty(), "no related hop: {f}");
        for r in rel {
            // Paths are relative to the repository's top level.
            let p = Path::new(env!("CARGO_MANIFEST_DIR")).join(r["path"].as_str().unwrap());
            assert!(p.is_file(), "related path does not exist: {r}");
            assert!(r["start_line"].as_u64().unwrap() >= 1);
        }
    }
}

#[test]
fn safe_chains_stay_clean() {
    let v = findings();
    let text = compact(&v);
    // deploy-prod / deploy-staging (one environment each), api (exact IRSA subject) and web
    // (exact GKE member) and payments (AKS federated credential) are the safe chains.
    for safe in [
        "`deploy-prod`",
        "`deploy-staging`",
        "role `api`",
        "`web`",
        "`payments`",
    ] {
        assert!(
            !text.contains(safe),
            "safe chain {safe} was reported:\n{text}"
        );
    }
}

#[test]
fn admin_grants_raise_and_read_only_grants_lower() {
    let v = findings();
    let sev = |rule: &str, needle: &str| -> String {
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["rule_id"] == rule && f["message"].as_str().unwrap().contains(needle))
            .map(|f| f["severity"].as_str().unwrap().to_string())
            .unwrap_or_else(|| panic!("no {rule} finding about {needle}"))
    };
    // pull_request_target is high; AdministratorAccess raises it.
    assert_eq!(
        sev("trust-path-untrusted-trigger", "role `preview`"),
        "critical"
    );
    // any repository of the org is high; ReadOnlyAccess lowers it.
    assert_eq!(sev("trust-path-broad-subject", "role `ci`"), "medium");
}

#[test]
fn repository_identity_comes_from_config_then_git() {
    // The fixture's nhilint.toml says `acme/app`; overriding it turns the legacy trust into a
    // trust of a different repository than the workflows' one for every GitHub role.
    let d = tempfile::tempdir().unwrap();
    copy_dir(&fixture(), d.path());
    std::fs::write(
        d.path().join("nhilint.toml"),
        "[org]\nrepository = \"acme/old-app\"\n",
    )
    .unwrap();
    let out = Command::cargo_bin("nhilint")
        .unwrap()
        .current_dir(d.path())
        .args([
            "check",
            "--select",
            "trust-stale-subject",
            "--format",
            "json",
            ".",
        ])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let msgs: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["message"].as_str().unwrap())
        .collect();
    assert!(
        !msgs.iter().any(|m| m.contains("`legacy-sync`")),
        "legacy-sync now matches the repository: {msgs:?}"
    );
    assert!(
        msgs.iter().any(|m| m.contains("`deploy-prod`")),
        "deploy-prod names acme/app, not acme/old-app: {msgs:?}"
    );
    // Without config, the origin remote of .git/config names the repository.
    std::fs::remove_file(d.path().join("nhilint.toml")).unwrap();
    std::fs::create_dir_all(d.path().join(".git")).unwrap();
    std::fs::write(
        d.path().join(".git/config"),
        "[remote \"origin\"]\n\turl = git@github.com:acme/old-app.git\n",
    )
    .unwrap();
    let out = Command::cargo_bin("nhilint")
        .unwrap()
        .current_dir(d.path())
        .args([
            "check",
            "--select",
            "trust-stale-subject",
            "--format",
            "json",
            ".",
        ])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let text = v.to_string();
    assert!(text.contains("in `acme/old-app` assumes it"), "{text}");
}

/// The JSON nhilint prints for `args`, run in `dir`.
fn json_of(dir: &Path, args: &[&str]) -> serde_json::Value {
    let out = Command::cargo_bin("nhilint")
        .unwrap()
        .current_dir(dir)
        .env("NHILINT_TODAY", "2026-01-01")
        .args(args)
        .output()
        .unwrap();
    serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()
}

/// The values of every `…:sub` condition of the inventory's trusts.
fn sub_values(inv: &serde_json::Value) -> Vec<String> {
    inv["trust"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|t| t["conditions"].as_array().unwrap().clone())
        .filter(|c| c["key"].as_str().unwrap().ends_with(":sub"))
        .flat_map(|c| c["values"].as_array().unwrap().clone())
        .map(|s| s.as_str().unwrap().to_string())
        .collect()
}

fn copy_dir(from: &Path, to: &Path) {
    for e in std::fs::read_dir(from).unwrap().flatten() {
        let p = e.path();
        let t = to.join(e.file_name());
        if p.is_dir() {
            std::fs::create_dir_all(&t).unwrap();
            copy_dir(&p, &t);
        } else {
            std::fs::copy(&p, &t).unwrap();
        }
    }
}

/// Facts come from each module directory evaluated as one module: a role whose trust names
/// `var.github_subjects` (default `["repo:acme/*"]` in a sibling `variables.tf`) or
/// `var.release_subject` (set in `terraform.tfvars`) has the trust-path finding, and the
/// inventory holds the resolved subjects, not `${var.…}`.
#[test]
fn trust_resolves_variables_of_sibling_files_and_tfvars() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/trust-vars");
    let run = |args: &[&str]| json_of(&dir, args);
    let v = run(&["check", "--select", "trust-*", "--format", "json", "."]);
    let got: Vec<String> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let workflow = f["related"]
                .as_array()
                .unwrap()
                .iter()
                .find(|r| r["path"].as_str().unwrap().ends_with("deploy.yml"))
                .map(|r| r["start_line"].to_string())
                .unwrap_or_default();
            format!(
                "{} {}:{} workflow line {workflow}",
                f["rule_id"].as_str().unwrap(),
                f["path"]
                    .as_str()
                    .unwrap()
                    .rsplit("trust-vars/")
                    .next()
                    .unwrap(),
                f["start_line"]
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            "trust-path-broad-subject infra/deploy/main.tf:6 workflow line 12",
            "trust-path-broad-subject infra/release/main.tf:13 workflow line 19",
        ],
        "{v:#}"
    );
    let inv = run(&["inventory", "--format", "json", "."]);
    assert_eq!(
        sub_values(&inv),
        ["repo:acme/*", "repo:acme/app:*"],
        "{inv:#}"
    );
    let principals: Vec<&str> = inv["trust"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["principal"].as_str().unwrap())
        .collect();
    assert!(
        principals.iter().all(|p| !p.contains("${")),
        "{principals:?}"
    );
}

/// A chart's extra rendering (`values-prod.yaml` beside it) joins the trust graph: its
/// ServiceAccounts (named and annotated only by the production values) are the consumers of the
/// Terraform roles that trust them, so a role admitting the production account is not stale,
/// and one refusing it is reported on the template line; the inventory lists the production
/// ServiceAccounts and their IRSA usages next to the default rendering's objects.
#[test]
fn extra_helm_renderings_join_the_trust_graph_and_inventory() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/helm-trust");
    let run = |args: &[&str]| json_of(&dir, args);
    let tail = |p: &serde_json::Value| {
        p.as_str()
            .unwrap()
            .rsplit("helm-trust/")
            .next()
            .unwrap()
            .to_string()
    };
    let v = run(&["check", "--select", "trust-*", "--format", "json", "."]);
    assert!(v["errors"].as_array().unwrap().is_empty(), "{v:#}");
    let got: Vec<String> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            format!(
                "{} {}:{} {}",
                f["rule_id"].as_str().unwrap(),
                tail(&f["path"]),
                f["start_line"],
                f["message"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            "trust-stale-subject deploy/payments/templates/serviceaccounts.yaml:10 ServiceAccount `prod/ledger` is annotated with role `ledger`, whose trust does not admit it (it admits `prod/ledger-v1`) (rendered with values-prod.yaml)",
            "trust-stale-subject infra/irsa.tf:30 trust of role `ledger` admits ServiceAccount `prod/ledger-v1`, which no manifest in this repository defines",
        ],
        "{v:#}"
    );
    let inv = run(&["inventory", "--format", "json", "."]);
    let sas: Vec<String> = inv["identities"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["kind"] == "k8s_service_account")
        .map(|i| {
            format!(
                "{}/{}",
                i["refs"]["namespace"].as_str().unwrap_or("?"),
                i["name"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        sas,
        [
            "default/ledger",
            "default/payments",
            "prod/ledger",
            "prod/payments"
        ],
        "{inv:#}"
    );
    let irsa: Vec<&str> = inv["usages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|u| u["kind"] == "k8s-irsa")
        .map(|u| u["identity_ref"].as_str().unwrap())
        .collect();
    assert_eq!(
        irsa,
        [
            "arn:aws:iam::111111111111:role/ledger",
            "arn:aws:iam::111111111111:role/payments"
        ],
        "{inv:#}"
    );
}

/// A module a production file calls with a local `source` takes the call's arguments: the
/// role of `modules/gha-role` trusts `var.subjects`, which `infra/prod` sets to
/// `["repo:acme/*"]`, so the trust-path finding appears and the inventory holds the resolved
/// subject. The call in `examples/` (subjects `repo:example-org/*`) is not applied.
#[test]
fn trust_resolves_arguments_of_production_module_calls() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/trust-modargs");
    let v = json_of(
        &dir,
        &["check", "--select", "trust-*", "--format", "json", "."],
    );
    let got: Vec<String> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| format!("{} {}", f["rule_id"].as_str().unwrap(), f["start_line"]))
        .collect();
    assert_eq!(got, ["trust-path-broad-subject 9"], "{v:#}");
    assert!(
        v["findings"][0]["path"]
            .as_str()
            .unwrap()
            .ends_with("modules/gha-role/main.tf"),
        "{v:#}"
    );
    let inv = json_of(&dir, &["inventory", "--format", "json", "."]);
    assert_eq!(sub_values(&inv), ["repo:acme/*"], "{inv:#}");
}
