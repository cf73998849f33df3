//! App-to-app trust on `testdata/apptrust/`: the mesh and MCP rules report what the fixture
//! holds, and `nhilint inventory` lists who may call whom (joined with ServiceAccounts and
//! workloads) and which agent tool server holds which credential, in every format.

use assert_cmd::Command;
use std::path::{Path, PathBuf};

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/apptrust")
}

fn copy(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap().flatten() {
        let p = e.path();
        let t = to.join(e.file_name());
        if p.is_dir() {
            copy(&p, &t);
        } else {
            std::fs::copy(&p, &t).unwrap();
        }
    }
}

/// Runs in a copy of the fixture: its own root, so its files are production paths, not
/// `testdata/` fixtures of this repository.
fn run(args: &[&str]) -> String {
    let d = tempfile::tempdir().unwrap();
    copy(&fixture(), d.path());
    let out = Command::cargo_bin("nhilint")
        .unwrap()
        .env("NHILINT_TODAY", "2026-01-01")
        .current_dir(d.path())
        .args(args)
        .output()
        .unwrap();
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn rules_report_the_fixture() {
    let v: serde_json::Value = serde_json::from_str(&run(&[
        "check",
        "--format",
        "json",
        "--select",
        "mesh,agent,vault",
        ".",
    ]))
    .unwrap();
    let mut got: Vec<(String, String)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule_id"].as_str().unwrap().to_string(),
                f["path"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    got.sort();
    assert_eq!(
        got,
        vec![
            (
                "mcp-unpinned-server-credentials".to_string(),
                ".vscode/mcp.json".to_string()
            ),
            (
                "mesh-istio-allow-any-caller".to_string(),
                "k8s/mesh.yaml".to_string()
            ),
        ]
    );
}

#[test]
fn inventory_lists_who_may_call_whom_and_tool_server_credentials() {
    let v: serde_json::Value =
        serde_json::from_str(&run(&["inventory", "--format", "json", "."])).unwrap();
    let calls = v["calls"].as_array().expect("calls");
    let pay = calls
        .iter()
        .find(|c| c["kind"] == "istio-allow" && c["to"] == "shop/app=payments")
        .expect("payments edge");
    assert_eq!(pay["from"], "cluster.local/ns/shop/sa/checkout");
    assert_eq!(pay["caller_service_account"], "shop/checkout");
    assert_eq!(
        pay["caller_identity"],
        "k8s/shop.yaml#ServiceAccount/shop/checkout"
    );
    assert_eq!(
        pay["callee_workloads"],
        serde_json::json!(["k8s/shop.yaml#Deployment/shop/payments"])
    );
    assert_eq!(
        pay["callee_service_accounts"],
        serde_json::json!(["shop/payments"])
    );
    let any = calls
        .iter()
        .find(|c| c["to"] == "shop/app=catalog")
        .expect("catalog edge");
    assert_eq!(any["any_caller"], true);
    assert_eq!(any["from"], "*");
    let tools: Vec<&serde_json::Value> =
        calls.iter().filter(|c| c["kind"] == "mcp-server").collect();
    assert_eq!(tools.len(), 2);
    let gh = tools
        .iter()
        .find(|c| c["to"] == ".vscode/mcp.json#servers.github")
        .unwrap();
    assert_eq!(gh["from"], "vscode (.vscode/mcp.json)");
    let cred = gh["credentials"][0].as_str().unwrap();
    let c = v["credentials"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == cred)
        .unwrap();
    assert_eq!(c["storage"], "prompt");
    assert_eq!(c["identity"], ".vscode/mcp.json#servers.github");
    let ids: Vec<&str> = v["identities"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["kind"] == "mcp_server")
        .map(|i| i["name"].as_str().unwrap())
        .collect();
    assert_eq!(ids, vec!["github", "tickets"]);

    let md = run(&["inventory", "--format", "markdown", "."]);
    assert!(md.contains("## Who may call whom (service mesh)"), "{md}");
    assert!(md.contains("## AI agents' tool servers"), "{md}");
    assert!(md.contains("`shop/app=payments`"), "{md}");
    let dot = run(&["inventory", "--format", "dot", "."]);
    assert!(dot.contains("istio may call"), "{dot}");
    assert!(dot.contains("holds"), "{dot}");
    let mermaid = run(&["inventory", "--format", "mermaid", "."]);
    assert!(mermaid.contains("istio may call"), "{mermaid}");
}
