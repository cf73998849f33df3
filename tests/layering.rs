//! One direction of dependencies (DESIGN.md): every `crate::…` path in `src/` may name only its
//! own layer or a lower one. A module path is placed by the longest entry of [`LAYERS`] that is a
//! prefix of it; a module not in the table is a domain module. Test code (`#[cfg(test)]` modules
//! and files) is not checked. [`KNOWN`] lists the upward imports that still exist; the test fails
//! on any other, and on a cycle between nodes of one layer.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// (layer, module path prefixes of one node). Lower layers first.
const LAYERS: &[(u8, &[&str])] = &[
    // Base: no knowledge of files' formats or rules.
    (0, &["term"]),
    (0, &["fsafe"]),
    (0, &["guard"]),
    (0, &["redact"]),
    (0, &["decode"]),
    (0, &["pathclass"]),
    (0, &["finding"]),
    (0, &["git"]),
    (0, &["source"]),
    // Located value trees of each format, and the parsed form of a file.
    (1, &["lang"]),
    // Rule cards (metadata) and declarative matchers.
    (2, &["rules::card", "rules::matchers"]),
    (3, &["config"]),
    // The NHI fact model (identities, grants, trust, credentials, usages) and the walk.
    (4, &["facts"]),
    (4, &["walk"]),
    // File units, file and project contexts, derived-model cache, report.
    (5, &["context"]),
    // Rules as the engine runs them, suppressions.
    (6, &["rules"]),
    (6, &["suppress"]),
    // Format-neutral IAM policy semantics (AWS actions, escalation paths).
    (7, &["iam"]),
    // Domain modules (also any top-level module not named here).
    (8, &["secrets"]),
    (8, &["ci"]),
    (8, &["kube"]),
    (8, &["terraform"]),
    // Built from the domain modules: the trust graph and fact extraction.
    (9, &["graph"]),
    (
        9,
        &[
            "facts::extract",
            "facts::apptrust",
            "facts::ci",
            "facts::code",
            "facts::kubernetes",
            "facts::terraform",
        ],
    ),
    (10, &["rules::checks"]),
    (10, &["report"]),
    (10, &["diff"]),
    // The orchestrator.
    (11, &["engine"]),
    // Front ends.
    (12, &["inventory"]),
    (12, &["history"]),
    (12, &["baseline"]),
    (12, &["server"]),
    (12, &["cli"]),
    (12, &["fuzzing"]),
    (12, &["main"]),
];

/// Layer of a module that is not in [`LAYERS`] (a new domain module).
const DOMAIN: u8 = 8;

/// Upward imports that exist today (from node, to node). Remove an entry when its import goes;
/// never add one.
const KNOWN: &[(&str, &str)] = &[];

fn node_of(path: &str) -> (String, u8) {
    let mut best: Option<(&str, u8, usize)> = None;
    for (layer, prefixes) in LAYERS {
        for p in *prefixes {
            let hit = path == *p || path.starts_with(&format!("{p}::"));
            if hit && best.is_none_or(|(_, _, n)| p.len() > n) {
                best = Some((prefixes[0], *layer, p.len()));
            }
        }
    }
    match best {
        Some((n, l, _)) => (n.to_string(), l),
        None => (path.split("::").next().unwrap_or("").to_string(), DOMAIN),
    }
}

fn module_path(rel: &Path) -> String {
    let mut parts: Vec<String> = rel
        .iter()
        .map(|c| c.to_string_lossy().into_owned())
        .collect();
    let last = parts.pop().unwrap_or_default();
    let stem = last.trim_end_matches(".rs");
    if stem != "mod" && stem != "lib" {
        parts.push(stem.to_string());
    }
    parts.join("::")
}

fn rs_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            rs_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// `crate::a::b::C` paths of one line, `crate::{a, b::c}` groups expanded (one level).
fn crate_paths(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = line;
    while let Some(i) = rest.find("crate::") {
        // Not the end of another identifier (`mycrate::`).
        let before = rest[..i].chars().last();
        rest = &rest[i + "crate::".len()..];
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue;
        }
        let p: String = rest
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
            .collect();
        rest = &rest[p.len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let end = group.find('}').unwrap_or(group.len());
            for item in group[..end].split(',') {
                let i: String = item
                    .trim()
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
                    .collect();
                if !i.is_empty() {
                    out.push(format!("{p}{i}").trim_end_matches(':').to_string());
                }
            }
            continue;
        }
        out.push(p.trim_end_matches(':').to_string());
    }
    out
}

/// Files compiled only for tests (`#[cfg(test)] mod x;`).
fn test_only_files(src: &Path, files: &[std::path::PathBuf]) -> BTreeSet<std::path::PathBuf> {
    let mut out = BTreeSet::new();
    for f in files {
        let text = std::fs::read_to_string(f).unwrap();
        let dir = if f
            .file_name()
            .is_some_and(|n| n == "mod.rs" || n == "lib.rs")
        {
            f.parent().unwrap().to_path_buf()
        } else {
            f.with_extension("")
        };
        let lines: Vec<&str> = text.lines().collect();
        for w in lines.windows(2) {
            if w[0].trim() == "#[cfg(test)]"
                && let Some(name) = w[1]
                    .trim()
                    .strip_prefix("mod ")
                    .and_then(|m| m.strip_suffix(';'))
            {
                out.insert(dir.join(format!("{name}.rs")));
                out.insert(dir.join(name).join("mod.rs"));
            }
        }
    }
    let _ = src;
    out
}

/// (from node, to node) → first place, for every `crate::` path outside test code.
fn edges() -> BTreeMap<(String, String), String> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rs_files(&src, &mut files);
    files.sort();
    let skip = test_only_files(&src, &files);
    let mut edges = BTreeMap::new();
    for f in &files {
        if skip.contains(f) {
            continue;
        }
        let rel = f.strip_prefix(&src).unwrap();
        let (from, _) = node_of(&module_path(rel));
        let text = std::fs::read_to_string(f).unwrap();
        for (n, line) in text.lines().enumerate() {
            // Test modules sit at the end of a file.
            if line.starts_with("#[cfg(test)]") {
                break;
            }
            let code = line.trim_start();
            if code.starts_with("//") {
                continue;
            }
            for p in crate_paths(code) {
                let (to, _) = node_of(&p);
                if to != from && !to.is_empty() {
                    edges
                        .entry((from.clone(), to))
                        .or_insert_with(|| format!("src/{}:{}", rel.display(), n + 1));
                }
            }
        }
    }
    edges
}

fn layer(node: &str) -> u8 {
    node_of(node).1
}

#[test]
fn no_module_imports_a_higher_layer() {
    let edges = edges();
    let mut bad = Vec::new();
    for ((from, to), at) in &edges {
        if layer(to) > layer(from) && !KNOWN.contains(&(from.as_str(), to.as_str())) {
            bad.push(format!(
                "{at}: `{from}` (layer {}) imports `{to}` (layer {})",
                layer(from),
                layer(to)
            ));
        }
    }
    assert!(
        bad.is_empty(),
        "upward imports (move the shared item down, or the importer up; see tests/layering.rs):\n{}",
        bad.join("\n")
    );
}

#[test]
fn known_upward_imports_still_exist() {
    let edges = edges();
    let gone: Vec<_> = KNOWN
        .iter()
        .filter(|(f, t)| !edges.contains_key(&(f.to_string(), t.to_string())))
        .collect();
    assert!(
        gone.is_empty(),
        "remove these from KNOWN in tests/layering.rs: {gone:?}"
    );
}

#[test]
fn no_cycle_within_a_layer() {
    let edges = edges();
    let mut next: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (from, to) in edges.keys() {
        if layer(from) == layer(to) {
            next.entry(from).or_default().push(to);
        }
    }
    // Depth-first search from every node; a node on the current path seen again is a cycle.
    fn visit<'a>(
        n: &'a str,
        next: &BTreeMap<&'a str, Vec<&'a str>>,
        path: &mut Vec<&'a str>,
        done: &mut BTreeSet<&'a str>,
    ) -> Option<Vec<String>> {
        if let Some(i) = path.iter().position(|p| *p == n) {
            let mut c: Vec<String> = path[i..].iter().map(|s| s.to_string()).collect();
            c.push(n.to_string());
            return Some(c);
        }
        if !done.insert(n) {
            return None;
        }
        path.push(n);
        for m in next.get(n).into_iter().flatten() {
            if let Some(c) = visit(m, next, path, done) {
                return Some(c);
            }
        }
        path.pop();
        None
    }
    let mut done = BTreeSet::new();
    for n in next.keys() {
        if let Some(c) = visit(n, &next, &mut Vec::new(), &mut done) {
            panic!("import cycle within one layer: {}", c.join(" -> "));
        }
    }
}

#[test]
fn the_scanner_reads_paths_and_groups() {
    assert_eq!(
        crate_paths("use crate::engine::{Parsed, FileCx};"),
        ["engine::Parsed", "engine::FileCx"]
    );
    assert_eq!(
        crate_paths("use crate::{config::Config, lang};"),
        ["config::Config", "lang"]
    );
    assert_eq!(
        crate_paths("x(crate::rules::card::find_card(id), mycrate::y)"),
        ["rules::card::find_card"]
    );
    assert_eq!(node_of("rules::card::Card").0, "rules::card");
    assert_eq!(node_of("rules::checks::x").0, "rules::checks");
    assert_eq!(node_of("rules::Rule").0, "rules");
    assert_eq!(node_of("facts::Facts").0, "facts");
    assert_eq!(node_of("facts::kubernetes::apply").0, "facts::extract");
    assert_eq!(node_of("helm::render"), ("helm".to_string(), DOMAIN));
}
