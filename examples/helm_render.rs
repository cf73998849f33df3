//! Render Helm charts with nhilint's in-process renderer and print, per chart, the rendered
//! templates as JSON (`{"chart": {"name": "text" | null}}`, errors on stderr) and the time
//! each rendering took. Used by `scripts/helm_compare.py` and the render benchmark:
//!
//!     cargo run --release --example helm_render -- CHART_DIR...
//!     cargo run --release --example helm_render -- --bench 20 CHART_DIR...

use nhilint::helm;
use std::collections::BTreeMap;
use std::path::Path;
use std::time::Instant;

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let mut rounds = 0usize;
    if args.first().map(String::as_str) == Some("--bench") {
        rounds = args.get(1).and_then(|n| n.parse().ok()).unwrap_or(10);
        args.drain(..2);
    }
    let opts = helm::Options::default();
    let mut out: BTreeMap<String, BTreeMap<String, Option<String>>> = BTreeMap::new();
    let mut times = Vec::new();
    for dir in &args {
        let p = Path::new(dir);
        let name = p
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let t0 = Instant::now();
        let r = match helm::render_dir(p, &opts) {
            Ok(r) => r,
            Err(e) => {
                eprintln!("{name}: {e}");
                continue;
            }
        };
        let mut first = t0.elapsed().as_secs_f64() * 1e3;
        if rounds > 0 {
            let t1 = Instant::now();
            for _ in 0..rounds {
                let _ = helm::render_dir(p, &opts);
            }
            first = t1.elapsed().as_secs_f64() * 1e3 / rounds as f64;
        }
        times.push((name.clone(), first, r.templates.len()));
        let mut m = BTreeMap::new();
        for t in &r.templates {
            if let Some(e) = &t.error {
                eprintln!("{name}: {e}");
            }
            m.insert(t.name.clone(), t.text.clone());
        }
        out.insert(name, m);
    }
    if rounds > 0 {
        let mut ms: Vec<f64> = times.iter().map(|t| t.1).collect();
        ms.sort_by(|a, b| a.partial_cmp(b).unwrap());
        for (n, t, k) in &times {
            println!("{n}\t{t:.2} ms\t{k} templates");
        }
        if !ms.is_empty() {
            println!(
                "charts {}  median {:.2} ms  p90 {:.2} ms  max {:.2} ms",
                ms.len(),
                ms[ms.len() / 2],
                ms[(ms.len() * 9 / 10).min(ms.len() - 1)],
                ms[ms.len() - 1]
            );
        }
        return;
    }
    println!("{}", serde_json::to_string_pretty(&out).unwrap());
}
