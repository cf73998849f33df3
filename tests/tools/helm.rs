//! Differential test of the Helm renderer: the fixture charts of `testdata/helm/` rendered by
//! nhilint and by Helm's own library (PyPI `helm-python-sdk`, installed by `.ci/setup` in the CI
//! virtual environment with PyYAML) give the same YAML documents (`scripts/helm_compare.py`).

use crate::support::{ci, ci_venv, run};
use libtest_mimic::{Completion, Failed, Trial};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

pub fn trials() -> Vec<Trial> {
    vec![Trial::ignorable_test(
        "helm::fixture_charts_render_like_helm",
        || {
            let Some(python) = helm_python() else {
                let msg = "helm-python-sdk not installed: run `bash .ci/setup`".to_string();
                return if ci() {
                    Err(Failed::from(format!(
                        "{msg}; CI is set, so this is a failure"
                    )))
                } else {
                    Ok(Completion::ignored_with(msg))
                };
            };
            fixture_charts_render_like_helm(&python);
            Ok(Completion::Completed)
        },
    )]
}

/// The CI venv's Python when it can import Helm's library and PyYAML.
fn helm_python() -> Option<PathBuf> {
    let p = std::env::var_os("NHILINT_HELM_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| ci_venv().join("bin/python"));
    let ok = Command::new(&p)
        .args(["-c", "import helm_python, yaml"])
        .output()
        .is_ok_and(|o| o.status.success());
    ok.then_some(p)
}

fn fixture_charts_render_like_helm(python: &Path) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut charts: Vec<PathBuf> = std::fs::read_dir(root.join("testdata/helm"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.join("Chart.yaml").is_file())
        .collect();
    assert!(charts.len() >= 2);
    // The kitchen sink again with its subchart packed as `charts/cache-0.1.0.tgz` (built here
    // by Python's tarfile from our fixture).
    let packed_root = tempfile::tempdir().unwrap();
    let packed = packed_root.path().join("kitchen-sink-packed");
    copy_dir(&root.join("testdata/helm/kitchen-sink"), &packed);
    std::fs::remove_dir_all(packed.join("charts/cache")).unwrap();
    run(
        Command::new(python).args([
            "-c",
            "import sys, tarfile\nwith tarfile.open(sys.argv[1], 'w:gz') as t: t.add(sys.argv[2], arcname='cache')",
            packed.join("charts/cache-0.1.0.tgz").to_str().unwrap(),
            root.join("testdata/helm/kitchen-sink/charts/cache").to_str().unwrap(),
        ]),
        "tarfile",
        Duration::from_secs(60),
    );
    charts.push(packed);
    let mut ours: BTreeMap<String, BTreeMap<String, Option<String>>> = BTreeMap::new();
    for c in &charts {
        let r = nhilint::helm::render_dir(c, &nhilint::helm::Options::default()).unwrap();
        let name = c.file_name().unwrap().to_string_lossy().into_owned();
        ours.insert(
            name,
            r.templates
                .iter()
                .map(|t| (t.name.clone(), t.text.clone()))
                .collect(),
        );
    }
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("nhilint.json");
    std::fs::write(&json, serde_json::to_string(&ours).unwrap()).unwrap();
    let out = run(
        Command::new(python)
            .arg(root.join("scripts/helm_compare.py"))
            .arg("--nhilint")
            .arg(&json)
            .args(&charts),
        "helm_compare.py",
        Duration::from_secs(120),
    );
    assert!(
        out.contains("charts render identically; 0 YAML syntax errors"),
        "{out}"
    );
    // The packed subchart's templates were rendered (not silently left out).
    assert!(
        ours["kitchen-sink-packed"]
            .keys()
            .any(|t| t.starts_with("kitchen-sink/charts/cache/templates/")),
        "{:?}",
        ours["kitchen-sink-packed"].keys()
    );
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap().flatten() {
        let dest = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &dest);
        } else {
            std::fs::copy(e.path(), dest).unwrap();
        }
    }
}
