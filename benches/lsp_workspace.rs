//! Editor latency of the cross-file pass in a large workspace: the real `nhilint server` over
//! stdio on a workspace folder (e.g. `python3 benches/gen_monorepo.py /tmp/lsp-16k 16000`),
//! the time from a `didChange` to the `publishDiagnostics` of that version that carries the
//! project rule's finding computed from it, for a Kubernetes edit (`k8s-service-account-shared`,
//! the Kubernetes graph) and a Terraform edit (`iam-oidc-trust-wildcard-subject`, the Terraform
//! evaluation and the trust graph), each time with a new name in the finding.
//!
//!     cargo bench --bench lsp_workspace -- /tmp/lsp-16k [EDITS]
//!
//! Prints the first pass's time, median / p90 / max per edit kind, the server's CPU time per
//! edit (from /proc) and its resident memory. `NHILINT_BIN=path` runs another binary.

#[path = "../tests/lsp_support/mod.rs"]
mod lsp_support;

use lsp_support::{Client, uri};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const WARMUP: usize = 3;

/// The server process's CPU time (user + system) so far, from /proc (Linux; zero elsewhere).
fn cpu_time(pid: u32) -> Duration {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let rest = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let f: Vec<u64> = rest
        .split_whitespace()
        .skip(11)
        .take(2)
        .filter_map(|x| x.parse().ok())
        .collect();
    Duration::from_millis(f.iter().sum::<u64>() * 10) // USER_HZ is 100 on Linux
}

/// `VmRSS` and `VmHWM` (peak) of the process, in MB.
fn rss(pid: u32) -> (u64, u64) {
    let s = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let kb = |k: &str| {
        s.lines()
            .find(|l| l.starts_with(k))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(0)
            / 1024
    };
    (kb("VmRSS:"), kb("VmHWM:"))
}

/// The first file (by path) under `dir` whose name starts with `prefix` and ends with `ext`.
fn first_file(dir: &Path, prefix: &str, ext: &str) -> Option<PathBuf> {
    let mut best: Option<PathBuf> = None;
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(prefix) && n.ends_with(ext))
                && best.as_ref().is_none_or(|b| p < *b)
            {
                best = Some(p);
            }
        }
    }
    best
}

fn k8s_tail(v: usize) -> String {
    let w = |kind: &str, name: &str| {
        format!(
            "---\napiVersion: apps/v1\nkind: {kind}\nmetadata:\n  name: {name}\n  namespace: bench\n  labels: {{ app: {name}, owner: bench }}\nspec:\n  template:\n    spec:\n      serviceAccountName: bench-sa-{v}\n      containers: [{{ name: c, image: {name}:1 }}]\n"
        )
    };
    format!(
        "\n---\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: bench-sa-{v}\n  namespace: bench\n  labels: {{ owner: bench }}\n{}{}",
        w("Deployment", "bench-a"),
        w("StatefulSet", "bench-b")
    )
}

fn tf_tail(v: usize) -> String {
    format!(
        r#"
resource "aws_iam_role" "bench" {{
  name = "bench"
  assume_role_policy = jsonencode({{
    Version = "2012-10-17"
    Statement = [{{
      Effect    = "Allow"
      Principal = {{ Federated = "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com" }}
      Action    = "sts:AssumeRoleWithWebIdentity"
      Condition = {{ StringLike = {{ "token.actions.githubusercontent.com:sub" = "repo:bench-{v}/*" }} }}
    }}]
  }})
}}
"#
    )
}

struct Doc {
    name: &'static str,
    uri: String,
    base: String,
    tail: fn(usize) -> String,
    marker: fn(usize) -> String,
}

/// Wait for the publication of `d` at `version` whose diagnostics carry the marker.
/// (A publication already received counts: the two documents' may come in either order.)
fn wait_marked(c: &mut Client, d: &Doc, version: usize, timeout: Duration) -> Value {
    let (u, m) = (d.uri.clone(), (d.marker)(version));
    let hit = |x: &Value| {
        x["method"] == "textDocument/publishDiagnostics"
            && x["params"]["uri"] == u
            && x["params"]["version"] == version as i64
            && x["params"]["diagnostics"].as_array().is_some_and(|a| {
                a.iter()
                    .any(|g| g["message"].as_str().is_some_and(|s| s.contains(&m)))
            })
    };
    if let Some(x) = c.seen.iter().find(|x| hit(x)) {
        return x.clone();
    }
    c.wait_for(timeout, hit)
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let dir = PathBuf::from(args.first().expect("usage: lsp_workspace DIR [EDITS]"))
        .canonicalize()
        .expect("workspace folder");
    let edits: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(20);
    let files = walkdir_count(&dir);
    let k8s = first_file(&dir, "deploy-", ".yaml").expect("a k8s/deploy-*.yaml file");
    let tf = first_file(&dir, "main-", ".tf").expect("a main-*.tf file");
    let docs = [
        Doc {
            name: "Kubernetes",
            uri: uri(&k8s),
            base: std::fs::read_to_string(&k8s).unwrap(),
            tail: k8s_tail,
            marker: |v| format!("`bench-sa-{v}`"),
        },
        Doc {
            name: "Terraform",
            uri: uri(&tf),
            base: std::fs::read_to_string(&tf).unwrap(),
            tail: tf_tail,
            marker: |v| format!("`repo:bench-{v}/*`"),
        },
    ];
    let mut c = Client::spawn_with(&dir, |bin| {
        Command::new(std::env::var("NHILINT_BIN").unwrap_or_else(|_| bin.to_string()))
    });
    let pid = c.child.id();
    let t = Instant::now();
    c.initialize(&dir, &[]);
    for d in &docs {
        let lang = if d.name == "Terraform" {
            "terraform"
        } else {
            "yaml"
        };
        c.open(&d.uri, lang, 0, &(d.base.clone() + &(d.tail)(0)));
    }
    let first_wait = std::env::var("FIRST_TIMEOUT")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1800);
    for d in &docs {
        if std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            wait_marked(&mut c, d, 0, Duration::from_secs(first_wait))
        }))
        .is_err()
        {
            for m in &c.seen {
                if m["method"] == "window/logMessage" {
                    eprintln!("log: {}", m["params"]["message"]);
                }
            }
            panic!("no cross-file result for {}", d.name);
        }
    }
    let first = t.elapsed();
    let (rss0, _) = rss(pid);
    println!(
        "{}: {files} files; first cross-file results {:.1} s after initialize, server CPU {:.1} s, RSS {rss0} MB",
        dir.display(),
        first.as_secs_f64(),
        cpu_time(pid).as_secs_f64()
    );
    std::thread::sleep(Duration::from_millis(500));
    let mut version = 0;
    for d in &docs {
        let mut times = Vec::new();
        let mut per_file = Vec::new();
        let mut cpu = Duration::ZERO;
        for i in 0..WARMUP + edits {
            version += 1;
            let cpu0 = cpu_time(pid);
            let t = Instant::now();
            c.change_full(
                &d.uri,
                version as i64,
                &(d.base.clone() + &(d.tail)(version)),
            );
            let u = d.uri.clone();
            c.wait(|x| {
                x["method"] == "textDocument/publishDiagnostics"
                    && x["params"]["uri"] == u
                    && x["params"]["version"] == version as i64
            });
            let pf = t.elapsed();
            wait_marked(&mut c, d, version, Duration::from_secs(120));
            let el = t.elapsed();
            // Let the server finish whatever the edit started before the next one.
            std::thread::sleep(Duration::from_millis(400));
            if i >= WARMUP {
                times.push(el);
                per_file.push(pf);
                cpu += cpu_time(pid).saturating_sub(cpu0);
            }
        }
        times.sort();
        per_file.sort();
        let ms = |x: Duration| x.as_secs_f64() * 1000.0;
        println!(
            "{} edit: cross-file diagnostics median {:.0} ms, p90 {:.0} ms, max {:.0} ms (per-file diagnostics median {:.0} ms); server CPU {:.0} ms per edit ({} edits)",
            d.name,
            ms(times[times.len() / 2]),
            ms(times[times.len() * 9 / 10]),
            ms(times[times.len() - 1]),
            ms(per_file[per_file.len() / 2]),
            ms(cpu) / times.len() as f64,
            times.len()
        );
    }
    let (now, peak) = rss(pid);
    println!("server RSS {now} MB, peak {peak} MB");
    // Where each pass spent its time (the server logs one line per cross-file pass).
    for l in c
        .seen
        .iter()
        .filter_map(|m| m["params"]["message"].as_str())
    {
        if l.contains("cross-file pass") {
            println!("pass: {l}");
        }
    }
    assert_eq!(c.shutdown(), 0);
}

fn walkdir_count(dir: &Path) -> usize {
    let mut n = 0;
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                n += 1;
            }
        }
    }
    n
}
