//! Editor latency: time from a `didChange` to the `publishDiagnostics` of that version, for a
//! 2,000-line Terraform file and a 2,000-line Kubernetes YAML file, through the real
//! `nhilint server` over stdio.
//!
//!     cargo bench --bench lsp_latency            # release build (bench profile)
//!
//! Prints median / p90 / max over 60 edits per file (after 5 warm-up edits).

#[path = "../tests/lsp_support/mod.rs"]
mod lsp_support;

use lsp_support::{Client, uri};
use serde_json::json;
use std::time::{Duration, Instant};

const EDITS: usize = 60;
const WARMUP: usize = 5;

fn terraform(lines: usize) -> String {
    let mut s = String::new();
    let mut i = 0;
    while s.lines().count() < lines {
        let action = if i % 10 == 0 {
            "\"*\""
        } else {
            "[\"s3:GetObject\", \"s3:PutObject\"]"
        };
        s.push_str(&format!(
            r#"resource "aws_iam_role" "svc_{i}" {{
  name = "svc-{i}"
  assume_role_policy = jsonencode({{
    Version = "2012-10-17"
    Statement = [{{
      Effect    = "Allow"
      Principal = {{ Service = "ec2.amazonaws.com" }}
      Action    = "sts:AssumeRole"
    }}]
  }})
  tags = {{ owner = "team-{i}" }}
}}

resource "aws_iam_role_policy" "svc_{i}" {{
  role = aws_iam_role.svc_{i}.id
  policy = jsonencode({{
    Version = "2012-10-17"
    Statement = [{{
      Effect   = "Allow"
      Action   = {action}
      Resource = "arn:aws:s3:::bucket-{i}/*"
    }}]
  }})
}}

"#
        ));
        i += 1;
    }
    s.lines().take(lines).collect::<Vec<_>>().join("\n") + "\n"
}

fn kubernetes(lines: usize) -> String {
    let mut s = String::new();
    let mut i = 0;
    while s.lines().count() < lines {
        let role = if i % 10 == 0 { "cluster-admin" } else { "view" };
        s.push_str(&format!(
            r#"apiVersion: v1
kind: ServiceAccount
metadata:
  name: app-{i}
  namespace: team-{i}
  labels:
    app.kubernetes.io/owner: team-{i}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: app-{i}
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: {role}
subjects:
  - kind: ServiceAccount
    name: app-{i}
    namespace: team-{i}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: app-{i}
  namespace: team-{i}
spec:
  replicas: 2
  selector:
    matchLabels: {{ app: app-{i} }}
  template:
    metadata:
      labels: {{ app: app-{i} }}
    spec:
      serviceAccountName: app-{i}
      containers:
        - name: app
          image: registry.example.com/app:{i}
          env:
            - name: MODE
              value: "production"
---
"#
        ));
        i += 1;
    }
    s.lines().take(lines).collect::<Vec<_>>().join("\n") + "\n"
}

/// The server process's CPU time (user + system) so far, from /proc (Linux; zero elsewhere).
fn cpu_time(pid: u32) -> Duration {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the `(comm)`: state is field 3; utime and stime are fields 14 and 15.
    let rest = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let f: Vec<u64> = rest
        .split_whitespace()
        .skip(11)
        .take(2)
        .filter_map(|x| x.parse().ok())
        .collect();
    let ticks: u64 = f.iter().sum();
    Duration::from_millis(ticks * 10) // USER_HZ is 100 on Linux
}

fn measure(c: &mut Client, name: &str, lang: &str, text: &str, edit_line: u32, comment: &str) {
    let root = std::env::current_dir().unwrap();
    let u = uri(&root.join(name));
    c.open(&u, lang, 0, text);
    let first = c.diagnostics(&u, Some(0));
    let mut times = Vec::new();
    let mut cpu = Duration::ZERO;
    for v in 1..=(WARMUP + EDITS) as i64 {
        // Insert (odd) or remove (even) a comment line: a real re-parse of the whole file.
        let change = if v % 2 == 1 {
            json!({"range": {"start": {"line": edit_line, "character": 0}, "end": {"line": edit_line, "character": 0}}, "text": comment})
        } else {
            json!({"range": {"start": {"line": edit_line, "character": 0}, "end": {"line": edit_line + 1, "character": 0}}, "text": ""})
        };
        let t = Instant::now();
        let cpu0 = cpu_time(c.child.id());
        c.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": u, "version": v}, "contentChanges": [change]}),
        );
        let d = c.diagnostics(&u, Some(v));
        let el = t.elapsed();
        assert_eq!(d.len(), first.len(), "edit changed the findings");
        if v as usize > WARMUP {
            times.push(el);
            cpu += cpu_time(c.child.id()).saturating_sub(cpu0);
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "{name}: {} lines, {} bytes, {} diagnostics — didChange → publishDiagnostics: median {:.1} ms, p90 {:.1} ms, max {:.1} ms; server CPU {:.1} ms per edit ({} edits)",
        text.lines().count(),
        text.len(),
        first.len(),
        ms(times[times.len() / 2]),
        ms(times[times.len() * 9 / 10]),
        ms(times[times.len() - 1]),
        ms(cpu) / times.len() as f64,
        times.len()
    );
}

fn main() {
    // `cargo bench` passes `--bench`; nothing to parse.
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    std::env::set_current_dir(&root).unwrap();
    let mut c = Client::spawn(&root);
    c.initialize(&root, &[]);
    measure(
        &mut c,
        "main.tf",
        "terraform",
        &terraform(2000),
        1000,
        "# edited\n",
    );
    measure(
        &mut c,
        "k8s.yaml",
        "yaml",
        &kubernetes(2000),
        1000,
        "# edited\n",
    );
    assert_eq!(c.shutdown(), 0);
}
