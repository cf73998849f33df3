//! Deployment units (`src/kube/units.rs`): Kubernetes findings never cite a related location
//! from another unit, and what a role grants decides severities (`testdata/units/`).
//!
//! The same check runs on any checkout: `NHILINT_UNITS_REPO=/path/to/argo-cd cargo test --test
//! units -- --ignored` (the issue-14 acceptance run on argo-cd).

use nhilint::config::Config;
use nhilint::context::{FileUnit, Report};
use nhilint::engine::Engine;
use nhilint::rules::RuleSet;
use nhilint::source::SourceFile;
use std::collections::{HashMap, HashSet};
use std::fmt::Write;
use std::path::{Path, PathBuf};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/units")
}

/// The report and the parsed files of a scan of `root` (Kubernetes rules only).
fn scan(root: &Path) -> (Report, Vec<FileUnit>) {
    let config = Config::default();
    let rules = RuleSet::build(&config, &["kubernetes".to_string()], &[]);
    let inputs = nhilint::walk::collect(root, &[], &config, 2).inputs;
    let engine = Engine::new(config, rules);
    let mut files = Vec::new();
    for i in &inputs {
        let Ok(text) = std::fs::read_to_string(&i.abs) else {
            continue;
        };
        let f = SourceFile::new(i.rel.clone(), text);
        if nhilint::source::is_kube_kind(f.kind) {
            files.push(engine.analyze_file(f).unit);
        }
    }
    (engine.scan_files(root, inputs, None), files)
}

/// Paths of every unit: the files its objects (and patches) come from, and its kustomization.
fn unit_paths(files: &[FileUnit]) -> Vec<HashSet<String>> {
    let units = nhilint::kube::units::collect(files, &Config::default());
    let mut out = Vec::new();
    for u in &units {
        let mut paths = HashSet::new();
        for o in &u.objs {
            paths.insert(files[o.origin].file.path.clone());
            let mut spans = Vec::new();
            o.node
                .walk(&mut |n: &nhilint::lang::Node| spans.push(n.span.clone()));
            for s in spans {
                let (i, _) = nhilint::kube::decode_span(o.origin, &s);
                if let Some(f) = files.get(i) {
                    paths.insert(f.file.path.clone());
                }
            }
        }
        if let nhilint::kube::units::UnitSource::Kustomize { root } = u.source
            && let Some(f) = files.get(root)
        {
            paths.insert(f.file.path.clone());
        }
        out.push(paths);
    }
    out
}

/// Findings of `k8s-*` rules whose related locations lie outside every unit holding the
/// finding's own file ("the same object in another file" notes name copies, not joins).
fn cross_unit(report: &Report, files: &[FileUnit]) -> Vec<String> {
    let units = unit_paths(files);
    let mut by_path: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, u) in units.iter().enumerate() {
        for p in u {
            by_path.entry(p.as_str()).or_default().push(i);
        }
    }
    let mut bad = Vec::new();
    for f in &report.findings {
        if !f.rule_id.starts_with("k8s-") {
            continue;
        }
        let related: Vec<&str> = f
            .related
            .iter()
            .filter(|r| r.message != "the same object in another file")
            .map(|r| r.path.as_str())
            .collect();
        if related.is_empty() {
            continue;
        }
        // A patch file whose text replaced the object's has no unit of its own: then every
        // related location must lie in one unit.
        let all = (0..units.len()).collect::<Vec<_>>();
        let candidates = by_path.get(f.path.as_str()).unwrap_or(&all);
        let ok = candidates
            .iter()
            .any(|&u| related.iter().all(|r| units[u].contains(*r)));
        if !ok {
            bad.push(format!(
                "{}:{} {} {} -> {related:?}",
                f.path, f.start_line, f.rule_id, f.message
            ));
        }
    }
    bad
}

#[test]
fn findings_stay_in_their_unit_and_grants_decide_severity() {
    let (report, files) = scan(&fixtures());
    assert!(report.errors.is_empty(), "{:#?}", report.errors);
    let bad = cross_unit(&report, &files);
    assert!(
        bad.is_empty(),
        "findings citing another unit:\n{}",
        bad.join("\n")
    );
    let mut out = String::new();
    for f in &report.findings {
        writeln!(
            out,
            "{}:{} [{}] {} {}",
            f.path,
            f.start_line,
            f.severity.as_str(),
            f.rule_id,
            f.message
        )
        .unwrap();
        for r in &f.related {
            writeln!(out, "    related {}:{} {}", r.path, r.start_line, r.message).unwrap();
        }
    }
    insta::assert_snapshot!(out);
}

#[test]
fn declared_units_join_files_of_several_directories() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("rbac"), dir.path().join("app"));
    std::fs::create_dir_all(&a).unwrap();
    std::fs::create_dir_all(&b).unwrap();
    std::fs::copy(fixtures().join("hack/dev/admin.yaml"), a.join("admin.yaml")).unwrap();
    std::fs::copy(fixtures().join("deploy/web.yaml"), b.join("web.yaml")).unwrap();
    let files: Vec<FileUnit> = ["rbac/admin.yaml", "app/web.yaml"]
        .iter()
        .map(|p| {
            let text = std::fs::read_to_string(dir.path().join(p)).unwrap();
            let engine = Engine::new(
                Config::default(),
                RuleSet::build(&Config::default(), &[], &[]),
            );
            engine
                .analyze_file(SourceFile::new(p.to_string(), text))
                .unit
        })
        .collect();
    let plain = nhilint::kube::units::collect(&files, &Config::default());
    assert_eq!(plain.len(), 2, "one unit per directory");
    let config = Config::parse(
        "[[kubernetes.units]]\nname = \"dev\"\npaths = [\"rbac/*.yaml\", \"app/*.yaml\"]\n",
        Path::new("nhilint.toml"),
    )
    .unwrap();
    let declared = nhilint::kube::units::collect(&files, &config);
    assert_eq!(declared.len(), 1);
    assert_eq!(declared[0].objs.len(), 2);
    assert_eq!(
        declared[0].source,
        nhilint::kube::units::UnitSource::Declared { name: "dev".into() }
    );
}

/// `NHILINT_UNITS_REPO=/path/to/checkout cargo test --release --test units -- --ignored`
#[test]
#[ignore = "needs a checkout of a real repository: NHILINT_UNITS_REPO=/path cargo test --test units -- --ignored"]
fn real_repository_findings_stay_in_their_unit() {
    let Ok(repo) = std::env::var("NHILINT_UNITS_REPO") else {
        return;
    };
    let (report, files) = scan(Path::new(&repo));
    let bad = cross_unit(&report, &files);
    let k8s = report
        .findings
        .iter()
        .filter(|f| f.rule_id.starts_with("k8s-"))
        .count();
    eprintln!("{k8s} k8s findings, {} citing another unit", bad.len());
    assert!(
        bad.is_empty(),
        "findings citing another unit:\n{}",
        bad.join("\n")
    );
}
