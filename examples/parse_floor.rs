//! The cost of parsing alone: every Terraform and YAML file of a tree read into memory, then
//! parsed on 2 threads by the parsers a scan uses (hcl-rs through hcl-edit; the fast YAML
//! parser) and by the tree-sitter grammars (tree-sitter-hcl, tree-sitter-yaml), nothing else.
//! A lower bound for `nhilint check` on the tree, to compare with ripgrep
//! (`benches/vs_ripgrep.sh`).
//!
//!     cargo run --release --example parse_floor -- /tmp/spd-4k
//!
//! Prints the bytes of each format and, per parser, the best wall time of 3 runs.

use rayon::prelude::*;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.flatten() {
        let Ok(t) = e.file_type() else { continue };
        if t.is_dir() {
            files(&e.path(), out);
        } else if t.is_file() {
            out.push(e.path());
        }
    }
}

fn best(pool: &rayon::ThreadPool, texts: &[String], f: impl Fn(&str) -> usize + Sync) -> Duration {
    (0..3)
        .map(|_| {
            let t0 = Instant::now();
            let n: usize = pool.install(|| texts.par_iter().map(|t| f(t)).sum());
            std::hint::black_box(n);
            t0.elapsed()
        })
        .min()
        .unwrap_or_default()
}

fn ts_parse(lang: tree_sitter::Language, text: &str) -> usize {
    let mut p = tree_sitter::Parser::new();
    if p.set_language(&lang).is_err() {
        return 0;
    }
    p.parse(text, None)
        .map_or(0, |t| t.root_node().child_count() as usize)
}

fn main() {
    let dir = std::env::args().nth(1).unwrap_or_else(|| ".".into());
    let mut paths = Vec::new();
    files(Path::new(&dir), &mut paths);
    let read = |ext: &[&str]| -> Vec<String> {
        paths
            .iter()
            .filter(|p| {
                p.extension()
                    .and_then(|e| e.to_str())
                    .is_some_and(|e| ext.contains(&e))
            })
            .filter_map(|p| std::fs::read_to_string(p).ok())
            .collect()
    };
    let tf = read(&["tf", "tfvars"]);
    let yaml = read(&["yaml", "yml"]);
    let mb = |v: &[String]| v.iter().map(|t| t.len()).sum::<usize>() as f64 / 1e6;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .expect("a pool");
    println!(
        "{dir}: {} Terraform files ({:.1} MB), {} YAML files ({:.1} MB), 2 threads, best of 3",
        tf.len(),
        mb(&tf),
        yaml.len(),
        mb(&yaml)
    );
    let row = |what: &str, d: Duration, bytes: f64| {
        println!(
            "{what:<40} {:>8.1} ms {:>8.1} MB/s",
            d.as_secs_f64() * 1e3,
            bytes / d.as_secs_f64()
        )
    };
    row(
        "hcl-rs / hcl-edit (nhilint::lang::hcl)",
        best(&pool, &tf, |t| {
            nhilint::lang::hcl::parse(t).doc.root.entries().len()
        }),
        mb(&tf),
    );
    row(
        "hcl-edit alone (no conversion)",
        best(&pool, &tf, |t| {
            hcl::edit::parser::parse_body(t).map_or(0, |b| b.len())
        }),
        mb(&tf),
    );
    row(
        "tree-sitter-hcl",
        best(&pool, &tf, |t| {
            ts_parse(tree_sitter_hcl::LANGUAGE.into(), t)
        }),
        mb(&tf),
    );
    row(
        "fast YAML (nhilint::lang::yaml)",
        best(&pool, &yaml, |t| nhilint::lang::yaml::parse(t).docs.len()),
        mb(&yaml),
    );
    row(
        "tree-sitter-yaml",
        best(&pool, &yaml, |t| {
            ts_parse(tree_sitter_yaml::LANGUAGE.into(), t)
        }),
        mb(&yaml),
    );
}
