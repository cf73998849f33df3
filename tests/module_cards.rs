//! Module cards (rules/modules/*.toml): every card loads, every source it names resolves to
//! it, and each example module call triggers (bad) or does not trigger (clean) the rules it
//! lists, at the call in the example file, through the real engine.

use nhilint::config::Config;
use nhilint::engine::Engine;
use nhilint::rules::RuleSet;
use nhilint::terraform::modules;
use nhilint::walk::Input;
use std::path::{Path, PathBuf};

#[test]
fn module_cards_are_valid() {
    let (cards, errors) = modules::cards();
    assert!(errors.is_empty(), "{errors:#?}");
    assert!(cards.len() >= 8, "{} module cards", cards.len());
    for c in cards {
        for s in &c.sources {
            assert_eq!(modules::card_for(s).map(|x| &x.id), Some(&c.id), "{s}");
        }
        assert!(
            c.examples.iter().any(|e| e.kind == "bad"),
            "{}: no bad example",
            c.id
        );
        assert!(
            c.examples.iter().any(|e| e.kind == "clean"),
            "{}: no clean example",
            c.id
        );
    }
}

#[test]
fn module_card_examples() {
    let mut problems = Vec::new();
    for c in &modules::cards().0 {
        for (n, ex) in c.examples.iter().enumerate() {
            let config = Config::default();
            let rules = RuleSet::build(&config, &ex.rules, &[]);
            let engine = Engine::new(config, rules);
            let inputs = vec![Input {
                abs: PathBuf::from("main.tf"),
                rel: "main.tf".into(),
                text: Some(ex.code.clone()),
            }];
            let report = engine.scan_files(Path::new("."), inputs, None);
            for r in &ex.rules {
                let hits: Vec<_> = report.findings.iter().filter(|f| &f.rule_id == r).collect();
                match ex.kind.as_str() {
                    "bad" if hits.is_empty() => {
                        problems.push(format!("{} example {n}: no `{r}` finding", c.id))
                    }
                    "bad" if hits.iter().any(|f| f.path != "main.tf") => {
                        problems.push(format!("{} example {n}: `{r}` outside the call", c.id))
                    }
                    "clean" if !hits.is_empty() => problems.push(format!(
                        "{} example {n}: unexpected {:?}",
                        c.id,
                        hits.iter()
                            .map(|f| format!("{}:{} {}", f.start_line, f.rule_id, f.message))
                            .collect::<Vec<_>>()
                    )),
                    _ => {}
                }
            }
            assert!(report.errors.is_empty(), "{}: {:?}", c.id, report.errors);
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn trust_paths_join_roles_a_card_creates() {
    let tf = "module \"deploy\" {\n  source   = \"terraform-aws-modules/iam/aws//modules/iam-github-oidc-role\"\n  name     = \"deploy\"\n  subjects = [\"acme/*\"]\n}\n";
    let wf = "on: push\npermissions:\n  id-token: write\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: aws-actions/configure-aws-credentials@e3dd6a429d7300a6a4c196c26e071d42e0343502\n        with:\n          role-to-assume: arn:aws:iam::111122223333:role/deploy\n";
    let config = Config::default();
    let rules = RuleSet::build(&config, &["trust-path-broad-subject".to_string()], &[]);
    let engine = Engine::new(config, rules);
    let inputs = [("infra/main.tf", tf), (".github/workflows/deploy.yml", wf)]
        .iter()
        .map(|(p, t)| Input {
            abs: PathBuf::from(p),
            rel: p.to_string(),
            text: Some(t.to_string()),
        })
        .collect();
    let report = engine.scan_files(Path::new("."), inputs, None);
    let f: Vec<_> = report
        .findings
        .iter()
        .map(|f| format!("{}:{} {}", f.path, f.start_line, f.rule_id))
        .collect();
    assert_eq!(f, ["infra/main.tf:1 trust-path-broad-subject"], "{f:?}");
}

#[test]
fn each_module_call_is_its_own_identity_in_the_inventory() {
    let d = tempfile::tempdir().expect("tempdir");
    let call = |name: &str| {
        format!(
            "module \"{name}\" {{\n  source    = \"terraform-aws-modules/iam/aws//modules/iam-role-for-service-accounts-eks\"\n  role_name = \"{name}\"\n  oidc_providers = {{\n    main = {{\n      provider_arn               = \"arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLE\"\n      namespace_service_accounts = [\"kube-system:{name}\"]\n    }}\n  }}\n}}\n"
        )
    };
    std::fs::write(d.path().join("main.tf"), call("ebs") + &call("dns")).expect("write");
    let out = assert_cmd::Command::cargo_bin("nhilint")
        .expect("binary")
        .args(["inventory", "--format", "json", "."])
        .current_dir(d.path())
        .output()
        .expect("run");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let mut ids: Vec<(String, u64)> = v["identities"]
        .as_array()
        .expect("identities")
        .iter()
        .map(|i| {
            (
                i["id"].as_str().unwrap_or("").to_string(),
                i["start_line"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    ids.sort();
    assert_eq!(
        ids,
        [
            ("main.tf#module.dns.aws_iam_role.this[0]".to_string(), 11),
            ("main.tf#module.ebs.aws_iam_role.this[0]".to_string(), 1),
        ]
    );
}
