//! The language server in a workspace full of hostile files (each kind of reproducer of the
//! reliability issue, generated here): a YAML alias bomb, a quadratic YAML merge, deeply nested
//! YAML/JSON/HCL, a Terraform locals fan-out, `replace` growth and nested `dynamic` blocks, a
//! Kustomize diamond, many findings on one line, a FIFO, a symlink to /dev/zero, a `.git` file
//! whose gitdir's `commondir` is a FIFO, and a file name that is not UTF-8. The background
//! workspace scan runs over all of them while the editor opens the bomb itself and an ordinary
//! file: the server publishes the ordinary file's diagnostics, answers hovers meanwhile, and
//! shuts down cleanly. It runs under a 3 GB address-space limit (`prlimit`), so a budget that
//! does not hold ends the test instead of the machine.

mod lsp_support;

use lsp_support::{BAD_TF, uri};
use serde_json::{Value, json};
use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

fn write(root: &Path, rel: &str, text: &str) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

fn mkfifo(p: &Path) {
    let st = Command::new("mkfifo")
        .arg(p)
        .status()
        .expect("mkfifo (coreutils)");
    assert!(st.success());
}

/// Every hostile file, each in its own folder.
fn hostile_workspace(root: &Path) {
    // YAML alias bomb: 10 anchors, each 10 aliases of the previous (10^10 nodes expanded).
    let mut y = String::from(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  a0: &a0 \"lol\"\n",
    );
    for i in 1..=10 {
        let refs = vec![format!("*a{}", i - 1); 10].join(", ");
        writeln!(y, "  a{i}: &a{i} [{refs}]").unwrap();
    }
    write(root, "yaml-bomb/bomb.yaml", &y);
    // Merge keys over a large map, merged many times.
    let mut m = String::from("base: &b {");
    for i in 0..20_000 {
        write!(m, "k{i}: {i}, ").unwrap();
    }
    m.push_str("}\n");
    for i in 0..200 {
        writeln!(m, "m{i}:\n  <<: *b\n  own: {i}").unwrap();
    }
    write(root, "yaml-merge/merge.yaml", &m);
    // Deep nesting.
    let depth = 100_000;
    write(
        root,
        "deep/deep.yaml",
        &format!("{}{}\n", "[".repeat(depth), "]".repeat(depth)),
    );
    write(
        root,
        "deep/deep.json",
        &format!("{}1{}\n", "{\"a\":".repeat(depth), "}".repeat(depth)),
    );
    write(
        root,
        "deep/deep.tf",
        &format!(
            "locals {{\n  x = {}1{}\n}}\n",
            "[".repeat(depth),
            "]".repeat(depth)
        ),
    );
    // Terraform: locals fan-out (10^8 strings), replace() squaring, nested dynamic (64^5).
    let mut l = String::from("locals {\n  a0 = \"lollollollollollol\"\n");
    for i in 1..=8 {
        let refs = vec![format!("local.a{}", i - 1); 10].join(",");
        writeln!(l, "  a{i} = [{refs}]").unwrap();
    }
    l.push_str("}\nresource \"aws_iam_role\" \"r\" {\n  name = jsonencode(local.a8)\n}\n");
    write(root, "tf-locals/main.tf", &l);
    write(
        root,
        "tf-replace/main.tf",
        &format!(
            "locals {{\n  a = \"{}\"\n  b = replace(local.a, \"x\", local.a)\n  c = replace(local.b, \"x\", local.b)\n  d = replace(local.c, \"x\", local.c)\n}}\nresource \"aws_iam_role\" \"r\" {{\n  name = local.d\n}}\n",
            "x".repeat(100)
        ),
    );
    let list: Vec<String> = (0..64).map(|i| i.to_string()).collect();
    let mut d = format!(
        "locals {{\n  l = [{}]\n}}\nresource \"aws_iam_role\" \"r\" {{\n  name = \"x\"\n",
        list.join(",")
    );
    for k in (1..=5).rev() {
        writeln!(d, "dynamic \"d{k}\" {{\n  for_each = local.l\n  content {{").unwrap();
    }
    d.push_str("  v = 1\n");
    for _ in 1..=5 {
        d.push_str("  }\n}\n");
    }
    d.push_str("}\n");
    write(root, "tf-dynamic/main.tf", &d);
    // Kustomize diamond: each kustomization lists the next one 4 times (4^11 renders).
    for k in 0..12 {
        let body = if k < 11 {
            format!("resources:\n{}", format!("- ../k{}\n", k + 1).repeat(4))
        } else {
            "resources:\n- sa.yaml\n".into()
        };
        write(
            root,
            &format!("kustomize/k{k}/kustomization.yaml"),
            &format!("apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n{body}"),
        );
    }
    write(
        root,
        "kustomize/k11/sa.yaml",
        "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: app\n",
    );
    // Many findings on one line: AWS access key ids (test values, not real keys).
    let mut keys = String::from("keys = \"");
    for i in 0..20_000 {
        write!(keys, "AKIA{:016} ", i * 7919).unwrap();
    }
    keys.push_str("\"\n");
    write(root, "one-line/keys.py", &keys);
    // A FIFO, a symlink to a device, and a .git file whose gitdir's commondir is a FIFO.
    std::fs::create_dir_all(root.join("special")).unwrap();
    mkfifo(&root.join("special/fifo.tf"));
    std::os::unix::fs::symlink("/dev/zero", root.join("special/zero.tf")).unwrap();
    std::fs::create_dir_all(root.join("gitdir/real")).unwrap();
    mkfifo(&root.join("gitdir/real/commondir"));
    write(root, "gitdir/repo/.git", "gitdir: ../real\n");
    write(
        root,
        "gitdir/repo/main.tf",
        "resource \"aws_s3_bucket\" \"b\" {}\n",
    );
    // A file name that is not UTF-8.
    {
        use std::os::unix::ffi::OsStrExt;
        let name = std::ffi::OsStr::from_bytes(b"bad-name-\xff.tf");
        std::fs::create_dir_all(root.join("names")).unwrap();
        std::fs::write(root.join("names").join(name), BAD_TF).unwrap();
    }
    // A workflow whose one script nests command substitutions 20,000 deep.
    let depth = 20_000;
    write(
        root,
        ".github/workflows/nested.yml",
        &format!(
            "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo {}x{}\n",
            "$(echo ".repeat(depth),
            ")".repeat(depth)
        ),
    );
    // A Deployment on the default service account: a cross-file (project) finding, published
    // only when the background pass over the whole workspace has finished.
    write(
        root,
        "k8s/deploy.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      containers:\n        - name: web\n          image: nginx:1.27\n",
    );
    // The file the user edits.
    write(root, "app/iam.tf", BAD_TF);
}

#[test]
fn survives_a_workspace_of_hostile_files_and_keeps_answering() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    hostile_workspace(&root);

    let mut c = lsp_support::Client::spawn_with(&root, |bin| {
        let mut cmd = Command::new("prlimit");
        cmd.arg("--as=3000000000").arg(bin);
        cmd
    });
    let init = c.initialize(&root, &[]);
    assert!(init.get("result").is_some(), "{init}");

    // The editor opens the alias bomb itself, then an ordinary file.
    let bomb = std::fs::read_to_string(root.join("yaml-bomb/bomb.yaml")).unwrap();
    c.open(&uri(&root.join("yaml-bomb/bomb.yaml")), "yaml", 1, &bomb);
    let app = uri(&root.join("app/iam.tf"));
    c.open(&app, "terraform", 1, BAD_TF);
    let diags = c.diagnostics(&app, Some(1));
    assert_eq!(diags.len(), 1, "{diags:?}");
    assert_eq!(diags[0]["code"], "iam-wildcard-action");

    // Hovers while the workspace scan works through the hostile files.
    let hover = |c: &mut lsp_support::Client| -> (Value, Duration) {
        let t = Instant::now();
        let r = c.request(
            "textDocument/hover",
            json!({"textDocument": {"uri": app}, "position": diags[0]["range"]["start"]}),
        );
        (r, t.elapsed())
    };
    let mut times = Vec::new();
    for _ in 0..5 {
        let (r, took) = hover(&mut c);
        assert!(
            r["result"]["contents"]["value"]
                .as_str()
                .is_some_and(|v| v.contains("iam-wildcard-action")),
            "{r}"
        );
        times.push(took);
        std::thread::sleep(Duration::from_millis(300));
    }
    eprintln!("hover response times during the workspace scan: {times:?}");
    // Liveness, not a benchmark: each hover is answered (the measured times go in the note).
    assert!(
        times.iter().all(|t| *t < Duration::from_secs(10)),
        "{times:?}"
    );

    // The background pass over every hostile file finishes: its cross-file finding arrives.
    // (It may have arrived while the hovers were answered.)
    let deploy = uri(&root.join("k8s/deploy.yaml"));
    let found = |m: &Value| {
        m["method"] == "textDocument/publishDiagnostics"
            && m["params"]["uri"] == deploy
            && m["params"]["diagnostics"]
                .as_array()
                .is_some_and(|a| a.iter().any(|d| d["code"] == "k8s-default-service-account"))
    };
    if !c.seen.iter().any(found) {
        c.wait(found);
    }
    let (r, took) = hover(&mut c);
    assert!(r["result"]["contents"]["value"].is_string(), "{r}");
    eprintln!("hover after the workspace pass: {took:?}");

    // Edits keep working, and the server is still alive to shut down cleanly.
    let fixed = BAD_TF.replace("Action   = \"*\"", "Action   = \"s3:GetObject\"");
    c.change_full(&app, 2, &fixed);
    let diags = c.diagnostics(&app, Some(2));
    assert!(
        diags.iter().all(|d| d["code"] != "iam-wildcard-action"),
        "{diags:?}"
    );
    assert_eq!(c.shutdown(), 0);
}
