//! Language server features through the real binary: exact positions in each negotiated
//! encoding, diagnostic fields, hover, suppression code actions, redaction and config reload.

mod lsp_support;

use lsp_support::{BAD_TF, Client, uri};
use serde_json::{Value, json};

/// A one-line statement after non-ASCII text, so character columns differ per encoding.
const UNICODE_TF: &str = "resource \"aws_iam_policy\" \"p\" {\n  policy = jsonencode({ Statement = [{ Sid = \"é😀ü\", Effect = \"Allow\", Action = \"*\", Resource = \"*\" }] })\n}\n";

fn expected_char(line: &str, byte: usize, enc: &str) -> u64 {
    let s = &line[..byte];
    match enc {
        "utf-8" => s.len() as u64,
        "utf-16" => s.encode_utf16().count() as u64,
        _ => s.chars().count() as u64,
    }
}

#[test]
fn positions_are_exact_in_every_encoding() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    let line = UNICODE_TF.lines().nth(1).unwrap();
    let star = line.find("Action = \"*\"").unwrap() + "Action = ".len();
    for (offer, chosen) in [
        (vec![], "utf-16"),
        (vec!["utf-16", "utf-8"], "utf-8"),
        (vec!["utf-32", "utf-16"], "utf-32"),
    ] {
        let mut c = Client::spawn(&root);
        let init = c.initialize(&root, &offer);
        assert_eq!(init["result"]["capabilities"]["positionEncoding"], chosen);
        let u = uri(&root.join("ü dir/p.tf"));
        assert!(u.contains("%C3%BC%20dir"), "{u}");
        c.open(&u, "terraform", 7, UNICODE_TF);
        let d = c.diagnostics(&u, Some(7));
        assert_eq!(d.len(), 1, "{d:?}");
        let r = &d[0]["range"];
        assert_eq!(r["start"]["line"], 1);
        assert_eq!(
            r["start"]["character"],
            expected_char(line, star, chosen),
            "{chosen}"
        );
        assert_eq!(
            r["end"]["character"],
            expected_char(line, star + 3, chosen),
            "{chosen}"
        );
        // Hover at the end of the range, inside the emoji-shifted columns.
        let h = c.request(
            "textDocument/hover",
            json!({"textDocument": {"uri": u}, "position": r["end"].clone()}),
        );
        assert!(
            h["result"]["contents"]["value"]
                .as_str()
                .unwrap()
                .contains("iam-wildcard-action")
        );
        assert_eq!(c.shutdown(), 0);
    }
}

#[test]
fn diagnostics_hover_code_actions_and_edits() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    let mut c = Client::spawn(&root);
    c.initialize(&root, &[]);
    let u = uri(&root.join("infra/iam.tf"));
    c.open(&u, "terraform", 1, BAD_TF);
    let d = c.diagnostics(&u, Some(1));
    assert_eq!(d.len(), 1);
    let diag = &d[0];
    assert_eq!(diag["code"], "iam-wildcard-action");
    assert_eq!(diag["source"], "nhilint");
    assert_eq!(diag["severity"], 1); // high → Error
    assert_eq!(
        diag["codeDescription"]["href"],
        "https://nhilint.dev/rules/iam-wildcard-action"
    );
    assert_eq!(diag["data"]["owasp_nhi"], json!(["NHI5:2025"]));
    assert_eq!(diag["range"]["start"]["line"], 6);

    // Hover: the rule's docs in markdown.
    let h = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": u}, "position": diag["range"]["start"].clone()}),
    );
    let md = &h["result"]["contents"];
    assert_eq!(md["kind"], "markdown");
    let text = md["value"].as_str().unwrap();
    for want in [
        "IAM policy allows every action",
        "How to fix it",
        "NHI5:2025",
        "Overprivileged",
    ] {
        assert!(text.contains(want), "hover lacks {want}: {text}");
    }
    let none = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": u}, "position": {"line": 0, "character": 0}}),
    );
    assert!(none["result"].is_null());

    // Code action: a `#` suppression comment on the line above, indented like the line.
    let a = c.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": u}, "range": diag["range"].clone(),
               "context": {"diagnostics": [diag.clone()]}}),
    );
    let actions = a["result"].as_array().unwrap();
    assert_eq!(actions.len(), 1, "{a}");
    assert_eq!(actions[0]["kind"], "quickfix");
    let edit = &actions[0]["edit"]["changes"][&u][0];
    assert_eq!(edit["range"]["start"], json!({"line": 6, "character": 0}));
    assert_eq!(
        edit["newText"],
        "      # nhilint: ignore[iam-wildcard-action] <reason>\n"
    );

    // Apply it as an incremental edit: with the `<reason>` placeholder still there the finding
    // stays and the comment itself is reported; once a reason is written, the finding is gone.
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": u, "version": 2},
               "contentChanges": [{"range": edit["range"].clone(), "text": edit["newText"].clone()}]}),
    );
    let mut codes: Vec<String> = c
        .diagnostics(&u, Some(2))
        .iter()
        .map(|d| d["code"].as_str().unwrap().to_string())
        .collect();
    codes.sort();
    assert_eq!(
        codes,
        ["iam-wildcard-action", "nhilint-suppression-without-reason"]
    );
    let placeholder = edit["newText"].as_str().unwrap().find("<reason>").unwrap() as u64;
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": u, "version": 3},
               "contentChanges": [{"range": {"start": {"line": 6, "character": placeholder},
                                             "end": {"line": 6, "character": placeholder + 8}},
                                   "text": "break-glass role, reviewed by secops"}]}),
    );
    assert!(c.diagnostics(&u, Some(3)).is_empty());

    // `//` comments for code files.
    let js = uri(&root.join("app.js"));
    let key = ["AKIA", "QYLPMN5H", "FIQR7XYA"].concat();
    let src = format!("const cfg = {{\n  accessKeyId: \"{key}\",\n}};\n");
    c.open(&js, "javascript", 1, &src);
    let d = c.diagnostics(&js, Some(1));
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!(d[0]["code"], "secret-aws-access-key");
    let a = c.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": js}, "range": d[0]["range"].clone(), "context": {"diagnostics": []}}),
    );
    assert_eq!(
        a["result"][0]["edit"]["changes"][&js][0]["newText"],
        "  // nhilint: ignore[secret-aws-access-key] <reason>\n"
    );
    let h = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": js}, "position": d[0]["range"]["start"].clone()}),
    );
    assert!(
        h["result"]["contents"]["value"]
            .as_str()
            .unwrap()
            .contains("secret-aws-access-key")
    );
    // No secret value anywhere the server said anything.
    let all = serde_json::to_string(&c.seen).unwrap();
    assert!(!all.contains(&key), "secret leaked into LSP output");

    // Strict JSON has no comments: no action offered.
    let j = uri(&root.join("creds.json"));
    c.open(&j, "json", 1, &format!("{{\n  \"k\": \"{key}\"\n}}\n"));
    let d = c.diagnostics(&j, Some(1));
    assert_eq!(d.len(), 1);
    let a = c.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": j}, "range": d[0]["range"].clone(), "context": {"diagnostics": []}}),
    );
    assert_eq!(a["result"], json!([]));

    // Close clears the document's diagnostics.
    c.notify("textDocument/didClose", json!({"textDocument": {"uri": j}}));
    assert!(c.diagnostics(&j, None).is_empty());
    assert_eq!(c.shutdown(), 0);
}

#[test]
fn config_is_per_workspace_and_reloaded() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    let mut c = Client::spawn(&root);
    c.initialize(&root, &[]);
    let u = uri(&root.join("main.tf"));
    c.open(&u, "terraform", 1, BAD_TF);
    assert_eq!(c.diagnostics(&u, Some(1)).len(), 1);

    // Disable the rule: the watched-file notification reloads the config and re-checks.
    let cfg = root.join("nhilint.toml");
    std::fs::write(&cfg, "[rules.iam-wildcard-action]\nenabled = false\n").unwrap();
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri(&cfg), "type": 1}]}),
    );
    assert!(c.diagnostics(&u, Some(1)).is_empty());

    // A broken config: a diagnostic on nhilint.toml at the bad line, defaults in force.
    std::fs::write(&cfg, "select = []\n[scan]\nmax-size = 3\n").unwrap();
    c.notify(
        "textDocument/didSave",
        json!({"textDocument": {"uri": uri(&cfg)}}),
    );
    let cd = c.diagnostics(&uri(&cfg), None);
    assert_eq!(cd.len(), 1, "{cd:?}");
    assert_eq!(cd[0]["code"], "config-error");
    assert_eq!(cd[0]["range"]["start"]["line"], 2);
    let d: Vec<Value> = c.diagnostics(&u, Some(1));
    assert_eq!(d.len(), 1);

    // Fixed again: the config diagnostic goes away.
    std::fs::write(&cfg, "ignore = [\"iam-wildcard-action\"]\n").unwrap();
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri(&cfg), "type": 2}]}),
    );
    assert!(c.diagnostics(&uri(&cfg), None).is_empty());
    assert!(c.diagnostics(&u, Some(1)).is_empty());
    assert_eq!(c.shutdown(), 0);
}

#[test]
fn cross_file_findings_arrive_after_the_per_file_ones() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    // The ServiceAccount lives in a file that is never opened; two workloads in the open
    // buffer share it (project rule k8s-service-account-shared).
    std::fs::write(
        root.join("sa.yaml"),
        "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: shared\n  namespace: prod\n",
    )
    .unwrap();
    let apps = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: billing\n  namespace: prod\n  labels: { app: billing }\nspec:\n  template:\n    spec:\n      serviceAccountName: shared\n      containers: [{ name: c, image: billing:1 }]\n---\napiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: search\n  namespace: prod\n  labels: { app: search }\nspec:\n  template:\n    spec:\n      serviceAccountName: shared\n      containers: [{ name: c, image: search:1 }]\n";
    let mut c = Client::spawn(&root);
    c.initialize(&root, &[]);
    let u = uri(&root.join("apps.yaml"));
    c.open(&u, "yaml", 1, apps);
    // The first publication of version 1 is usually the per-file one (no cross-file finding),
    // but the workspace pass scheduled at `initialize` may already see the open buffer: the order
    // of the two publications is not guaranteed, so it is not asserted here.
    let _per_file = c.diagnostics(&u, Some(1));
    // The background pass publishes the shared-account finding on one of the two files.
    let m = c.wait(|m| {
        m["method"] == "textDocument/publishDiagnostics"
            && m["params"]["diagnostics"]
                .as_array()
                .is_some_and(|a| a.iter().any(|d| d["code"] == "k8s-service-account-shared"))
    });
    let d = m["params"]["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "k8s-service-account-shared")
        .unwrap()
        .clone();
    let related = d["relatedInformation"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(!related.is_empty(), "{d}");
    for r in &related {
        assert!(
            r["location"]["uri"]
                .as_str()
                .unwrap()
                .starts_with("file:///"),
            "{r}"
        );
    }
    // Hover and the suppression action work on cross-file diagnostics of the open buffer too.
    if m["params"]["uri"] == u {
        let h = c.request(
            "textDocument/hover",
            json!({"textDocument": {"uri": u}, "position": d["range"]["start"].clone()}),
        );
        assert!(
            h["result"]["contents"]["value"]
                .as_str()
                .unwrap()
                .contains("k8s-service-account-shared")
        );
    }
    assert_eq!(c.shutdown(), 0);
}

#[test]
fn suppressions_of_project_rules_are_judged_by_the_cross_file_pass() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    let mut c = Client::spawn(&root);
    c.initialize(&root, &[]);
    // A suppression naming a project rule that does not fire: the per-file pass cannot know,
    // so it stays quiet; the cross-file pass reports it as unused.
    let k = uri(&root.join("sa.yaml"));
    let text = "# nhilint: ignore[k8s-service-account-shared] reviewed\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: lonely\n  namespace: prod\n  labels: { owner: team-a }\n";
    c.open(&k, "yaml", 1, text);
    // See above: whether the per-file or the initial workspace pass publishes first is racy.
    let _per_file = c.diagnostics(&k, Some(1));
    let m = c.wait(|m| {
        m["method"] == "textDocument/publishDiagnostics"
            && m["params"]["uri"] == k
            && m["params"]["diagnostics"]
                .as_array()
                .is_some_and(|a| a.iter().any(|d| d["code"] == "nhilint-unused-suppression"))
    });
    assert_eq!(m["params"]["version"], 1);
    // A suppression naming a per-file rule is judged at once.
    let t = uri(&root.join("main.tf"));
    c.open(
        &t,
        "terraform",
        1,
        "# nhilint: ignore[iam-wildcard-action] reviewed\nlocals {}\n",
    );
    let d = c.diagnostics(&t, Some(1));
    assert!(
        d.iter().any(|d| d["code"] == "nhilint-unused-suppression"),
        "{d:?}"
    );
    assert_eq!(c.shutdown(), 0);
}

#[test]
fn cross_file_findings_of_older_text_are_not_published() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    // A project rule's finding (the trust policy) at line 9 of the open buffer.
    let tf = "resource \"aws_iam_role\" \"deploy\" {\n  name = \"deploy\"\n  assume_role_policy = jsonencode({\n    Version = \"2012-10-17\"\n    Statement = [{\n      Effect    = \"Allow\"\n      Principal = { Federated = \"arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com\" }\n      Action    = \"sts:AssumeRoleWithWebIdentity\"\n      Condition = { StringLike = { \"token.actions.githubusercontent.com:sub\" = \"repo:acme/*\" } }\n    }]\n  })\n}\n";
    std::fs::write(root.join("role.tf"), tf).unwrap();
    let mut c = Client::spawn(&root);
    c.initialize(&root, &[]);
    let u = uri(&root.join("role.tf"));
    c.open(&u, "terraform", 1, tf);
    // (The workspace pass started at `initialize` may publish the file's disk text first,
    // without a version: the document was not open yet.)
    c.wait(|m| {
        m["method"] == "textDocument/publishDiagnostics"
            && m["params"]["uri"] == u
            && m["params"]["version"] == 1
            && m["params"]["diagnostics"].as_array().is_some_and(|a| {
                a.iter().any(|d| {
                    d["code"]
                        .as_str()
                        .is_some_and(|c| c.ends_with("oidc-trust-wildcard-subject"))
                })
            })
    });
    // The whole document becomes one clean line. The next publication not labelled version 1
    // (one labelled 1 describes version 1) is for version 2 and does not carry the finding
    // computed from version 1, though no cross-file pass has seen version 2 yet.
    c.change_full(&u, 2, "# clean\n");
    let m = c.wait(|m| {
        m["method"] == "textDocument/publishDiagnostics"
            && m["params"]["uri"] == u
            && m["params"]["version"] != 1
    });
    assert_eq!(m["params"]["version"], 2, "{m}");
    assert_eq!(m["params"]["diagnostics"], json!([]), "{m}");
    assert_eq!(c.shutdown(), 0);
}

/// Diagnostics codes of a publication.
fn codes(m: &Value) -> Vec<String> {
    m["params"]["diagnostics"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|d| d["code"].as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn cross_file_findings_follow_each_version_of_a_replaced_document() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    let tf = "resource \"aws_iam_role\" \"deploy\" {\n  name = \"deploy\"\n  assume_role_policy = jsonencode({\n    Version = \"2012-10-17\"\n    Statement = [{\n      Effect    = \"Allow\"\n      Principal = { Federated = \"arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com\" }\n      Action    = \"sts:AssumeRoleWithWebIdentity\"\n      Condition = { StringLike = { \"token.actions.githubusercontent.com:sub\" = \"repo:acme/*\" } }\n    }]\n  })\n}\n";
    std::fs::write(root.join("role.tf"), tf).unwrap();
    let mut c = Client::spawn(&root);
    c.initialize(&root, &[]);
    let u = uri(&root.join("role.tf"));
    let trust = |m: &Value| {
        codes(m)
            .iter()
            .any(|c| c.ends_with("oidc-trust-wildcard-subject"))
    };
    let published = |m: &Value, v: i64| {
        m["method"] == "textDocument/publishDiagnostics"
            && m["params"]["uri"] == u
            && m["params"]["version"] == v
    };
    c.open(&u, "terraform", 1, tf);
    c.wait(|m| published(m, 1) && trust(m));
    // Replaced by one clean line, then edited twice more: no publication for these versions
    // carries the trust finding of version 1 (a line-9 finding in a one-line document).
    c.change_full(&u, 2, "# clean\n");
    c.wait(|m| published(m, 2));
    c.change_full(&u, 3, "# clean\n# still clean\n");
    c.wait(|m| published(m, 3));
    c.change_full(&u, 4, "# clean\n# still clean\n# and again\n");
    c.wait(|m| published(m, 4));
    // The bad text again: its cross-file finding comes back for version 5, at line 9.
    c.change_full(&u, 5, tf);
    let m = c.wait(|m| published(m, 5) && trust(m));
    let d = m["params"]["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| {
            d["code"]
                .as_str()
                .is_some_and(|c| c.ends_with("oidc-trust-wildcard-subject"))
        })
        .unwrap()
        .clone();
    assert_eq!(d["range"]["start"]["line"], 8, "{d}");
    // Every publication for the open document names the version it describes (the first pass
    // over the disk may publish for the file before it is opened, without one).
    let mut open = false;
    for m in &c.seen {
        if m["method"] != "textDocument/publishDiagnostics" || m["params"]["uri"] != u {
            continue;
        }
        let v = m["params"]["version"].as_i64();
        open |= v.is_some();
        assert!(v.is_some() || !open, "{m}");
        if matches!(v, Some(2..=4)) {
            assert_eq!(m["params"]["diagnostics"], json!([]), "{m}");
        }
    }
    assert_eq!(c.shutdown(), 0);
}

#[test]
fn cross_file_pass_follows_buffers_and_files_on_disk() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    let workload = |kind: &str, name: &str, sa: &str| {
        format!(
            "apiVersion: apps/v1\nkind: {kind}\nmetadata:\n  name: {name}\n  namespace: prod\n  labels: {{ app: {name} }}\nspec:\n  template:\n    spec:\n      serviceAccountName: {sa}\n      containers: [{{ name: c, image: {name}:1 }}]\n"
        )
    };
    let sa = "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: shared\n  namespace: prod\n";
    std::fs::write(root.join("sa.yaml"), sa).unwrap();
    let apps = format!(
        "{}---\n{}",
        workload("Deployment", "billing", "shared"),
        workload("StatefulSet", "search", "shared")
    );
    std::fs::write(root.join("apps.yaml"), &apps).unwrap();
    let sa_uri = uri(&root.join("sa.yaml"));
    let shared = |m: &Value, yes: bool| {
        m["method"] == "textDocument/publishDiagnostics"
            && m["params"]["uri"] == sa_uri
            && codes(m).iter().any(|c| c == "k8s-service-account-shared") == yes
    };
    let mut c = Client::spawn(&root);
    c.initialize(&root, &[]);
    // The first pass reads the disk: the finding on the file that is not open, no version.
    let m = c.wait(|m| shared(m, true));
    assert!(m["params"]["version"].is_null(), "{m}");
    // An edit of the workloads' buffer: each gets its own account, the finding goes.
    let u = uri(&root.join("apps.yaml"));
    c.open(&u, "yaml", 1, &apps);
    let own = format!(
        "{}---\n{}",
        workload("Deployment", "billing", "billing"),
        workload("StatefulSet", "search", "search")
    );
    c.change_full(&u, 2, &own);
    c.wait(|m| shared(m, false));
    // A new file on disk shares the account again.
    let more = root.join("more.yaml");
    std::fs::write(
        &more,
        format!(
            "{}---\n{}",
            workload("Deployment", "ledger", "shared"),
            workload("Deployment", "audit", "shared")
        ),
    )
    .unwrap();
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri(&more), "type": 1}]}),
    );
    c.wait(|m| shared(m, true));
    // Deleted again.
    std::fs::remove_file(&more).unwrap();
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri(&more), "type": 3}]}),
    );
    c.wait(|m| shared(m, false));
    // Closing the buffer brings back the text on disk (shared).
    c.notify("textDocument/didClose", json!({"textDocument": {"uri": u}}));
    c.wait(|m| shared(m, true));
    assert_eq!(c.shutdown(), 0);
}

/// The server keeps each Terraform stack's evaluation between passes: an edit to one stack's
/// `variables.tf` is evaluated again (the new subject reaches the finding), and another stack's
/// finding, from its kept evaluation, stays.
#[test]
fn terraform_stacks_are_evaluated_again_only_when_their_files_change() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    let role = |subject: &str| {
        format!(
            "resource \"aws_iam_role\" \"deploy\" {{\n  name = \"deploy\"\n  assume_role_policy = jsonencode({{\n    Statement = [{{\n      Effect    = \"Allow\"\n      Principal = {{ Federated = \"arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com\" }}\n      Action    = \"sts:AssumeRoleWithWebIdentity\"\n      Condition = {{\n        StringEquals = {{ \"token.actions.githubusercontent.com:aud\" = \"sts.amazonaws.com\" }}\n        StringLike = {{ \"token.actions.githubusercontent.com:sub\" = {subject} }}\n      }}\n    }}]\n  }})\n}}\n"
        )
    };
    let vars = |s: &str| format!("variable \"subjects\" {{\n  default = [\"{s}\"]\n}}\n");
    for d in ["stack-a", "stack-b"] {
        std::fs::create_dir_all(root.join(d)).unwrap();
    }
    std::fs::write(root.join("stack-a/main.tf"), role("var.subjects")).unwrap();
    std::fs::write(root.join("stack-a/variables.tf"), vars("repo:acme/*")).unwrap();
    std::fs::write(root.join("stack-b/main.tf"), role("\"repo:other/*\"")).unwrap();
    let mut c = Client::spawn(&root);
    c.initialize(&root, &[]);
    let (a, b) = (
        uri(&root.join("stack-a/variables.tf")),
        uri(&root.join("stack-b/main.tf")),
    );
    // The wildcard-subject finding of a publication for `u` at `v` that names `owner`.
    let names = |m: &Value, u: &str, v: i64, owner: &str| {
        m["method"] == "textDocument/publishDiagnostics"
            && m["params"]["uri"] == u
            && m["params"]["version"] == v
            && m["params"]["diagnostics"]
                .as_array()
                .unwrap()
                .iter()
                .any(|d| {
                    d["code"]
                        .as_str()
                        .is_some_and(|c| c.ends_with("oidc-trust-wildcard-subject"))
                        && d["message"].as_str().unwrap().contains(owner)
                })
    };
    c.open(&b, "terraform", 1, &role("\"repo:other/*\""));
    c.wait(|m| names(m, &b, 1, "other"));
    c.open(&a, "terraform", 1, &vars("repo:acme/*"));
    c.wait(|m| names(m, &a, 1, "acme"));
    // Each edit of stack-a's variables reaches its finding (a kept evaluation would say `acme`).
    c.change_full(&a, 2, &vars("repo:zeta/*"));
    c.wait(|m| names(m, &a, 2, "zeta"));
    c.change_full(&a, 3, &vars("repo:omega/*"));
    c.wait(|m| names(m, &a, 3, "omega"));
    // stack-b was not evaluated again and still has its finding.
    let last_b = c
        .seen
        .iter()
        .rev()
        .find(|m| m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == b)
        .unwrap()
        .clone();
    assert!(names(&last_b, &b, 1, "other"), "{last_b}");
    assert_eq!(c.shutdown(), 0);
}
