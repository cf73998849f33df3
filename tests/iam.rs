//! `iam-privilege-escalation` on the fixtures under `testdata/iam-escalation/`: every family has
//! lines marked `# expect` (one finding each) and clean counterparts (no finding). Plus the
//! inventory privilege of identities with customer-managed policies.

mod cli_support;
use std::collections::BTreeSet;

const DIR: &str = "testdata/iam-escalation";

fn run(args: &[&str]) -> serde_json::Value {
    cli_support::json(None, args)
}

#[test]
fn every_family_and_its_clean_counterpart() {
    let v = run(&[
        "check",
        DIR,
        "--format",
        "json",
        "--select",
        "iam-privilege-escalation",
    ]);
    assert!(
        v["errors"].as_array().is_some_and(|e| e.is_empty()),
        "{}",
        v["errors"]
    );
    let got: BTreeSet<(String, u64)> = v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            let p = f["path"].as_str().unwrap_or("");
            let p = p.rsplit('/').next().unwrap_or(p).to_string();
            (p, f["start_line"].as_u64().unwrap_or(0))
        })
        .collect();
    let mut want = BTreeSet::new();
    for e in std::fs::read_dir(DIR).expect("fixtures") {
        let p = e.expect("entry").path();
        if p.extension().is_none_or(|x| x != "tf") {
            continue;
        }
        let name = p.file_name().unwrap().to_string_lossy().to_string();
        let text = std::fs::read_to_string(&p).expect("read");
        for (i, l) in text.lines().enumerate() {
            if l.trim_end().ends_with("# expect") {
                want.insert((name.clone(), i as u64 + 1));
            }
        }
    }
    let missing: Vec<_> = want.difference(&got).collect();
    let extra: Vec<_> = got.difference(&want).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "missing {missing:?}\nunexpected {extra:?}\n{}",
        serde_json::to_string_pretty(&v["findings"]).unwrap_or_default()
    );
    // Raised when the holder is trusted by anyone (or used from CI or a workload).
    let open = v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| {
            f["path"]
                .as_str()
                .is_some_and(|p| p.ends_with("aws_reachable.tf"))
        })
        .expect("reachable finding");
    assert_eq!(open["severity"], "critical", "{open}");
    assert!(
        open["message"]
            .as_str()
            .is_some_and(|m| m.contains("trusted by any principal")),
        "{open}"
    );
    // Messages name the outcome.
    for f in v["findings"].as_array().expect("findings") {
        let m = f["message"].as_str().unwrap_or("");
        assert!(
            m.contains("can escalate to") || m.contains("can mint credentials for"),
            "{m}"
        );
    }
}

#[test]
fn customer_managed_policies_in_the_inventory() {
    let v = run(&["inventory", "--format", "json", DIR]);
    let ids = v["identities"].as_array().expect("identities");
    let privilege = |name: &str| {
        ids.iter()
            .find(|i| i["name"] == name)
            .map(|i| i["privilege"].as_str().unwrap_or("").to_string())
            .unwrap_or_default()
    };
    // PassRole on any role through an attached customer-managed policy: one call from admin.
    assert_eq!(privilege("deployer"), "admin");
    // iam:* taken back by a Deny of another policy of the same role.
    assert_ne!(privilege("guarded"), "admin");
    let text = serde_json::to_string(&v).expect("json");
    assert!(text.contains("policy pass-any"), "{text}");
    assert!(!text.contains("${aws_iam_policy.pass_any.arn}"), "{text}");
}
