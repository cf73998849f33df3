//! Fuzz harnesses: one function per parser and per evaluator, driven by the cargo-fuzz targets
//! in `fuzz/` and replayed on every saved crash input by `tests/fuzz_regressions.rs`.
//!
//! Each takes arbitrary bytes (lossily decoded: the fuzzer's mutations stay useful) and must
//! neither panic nor hang. In fuzz builds (`--cfg fuzzing`) a panic contained by
//! [`crate::guard`] still reaches libFuzzer's hook, so contained bugs are found too; elsewhere
//! (the regression test) the harnesses return the internal errors the guards reported.

use crate::config::Config;
use crate::engine::Engine;
use crate::finding::ScanError;
use crate::rules::RuleSet;
use crate::source::SourceFile;
use crate::walk::Input;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

/// A harness: the input, and the internal errors it caused (empty: fine).
pub type Harness = fn(&[u8]) -> Vec<String>;

/// Every target, by name (as in `fuzz/fuzz_targets/<name>.rs` and `testdata/fuzz/<name>/`).
pub const TARGETS: &[(&str, Harness)] = &[
    ("hcl", hcl),
    ("yaml", yaml),
    ("json", json),
    ("code", code),
    ("ci_script", ci_script),
    ("terraform", terraform),
    ("kustomize", kustomize),
    ("scan", scan),
    ("helm", helm),
];

static ENGINE: LazyLock<Engine> = LazyLock::new(|| {
    let config = Config::default();
    let rules = RuleSet::build(&config, &[], &[]);
    Engine::new(config, rules)
});

fn text(data: &[u8]) -> String {
    String::from_utf8_lossy(data).into_owned()
}

/// Messages of the internal errors (contained panics) among `errors`.
fn internal(errors: &[ScanError]) -> Vec<String> {
    errors
        .iter()
        .filter(|e| e.message.starts_with("internal error"))
        .map(|e| format!("{}: {}", e.path, e.message))
        .collect()
}

/// HCL: the hcl-rs parser with its tree-sitter recovery, and expressions alone.
pub fn hcl(data: &[u8]) -> Vec<String> {
    let t = text(data);
    let _ = crate::lang::hcl::parse(&t);
    let _ = crate::lang::hcl::parse_expr(&t, 0);
    Vec::new()
}

/// YAML: the fast path and the tree-sitter path.
pub fn yaml(data: &[u8]) -> Vec<String> {
    let t = text(data);
    let _ = crate::lang::yaml::parse_with(&t, true);
    let _ = crate::lang::yaml::parse_with(&t, false);
    Vec::new()
}

/// JSON.
pub fn json(data: &[u8]) -> Vec<String> {
    let _ = crate::lang::json::parse(&text(data));
    Vec::new()
}

/// Application code: the first byte picks the language; the file goes through the source rules
/// and the secret detectors.
pub fn code(data: &[u8]) -> Vec<String> {
    let Some((&pick, rest)) = data.split_first() else {
        return Vec::new();
    };
    let name = [
        "app.py", "app.js", "app.ts", "main.go", "App.java", "App.cs", "app.rb", "app.php",
        "App.kt",
    ][pick as usize % 9];
    let t = text(rest);
    let _ = crate::lang::code::parse(&SourceFile::new(name, t.as_str()));
    internal(&ENGINE.check_text(name, &t).1)
}

/// CI scripts (bash analysis and the CI rules): the input is the body of a `run:`/`script:`
/// block of the pipeline flavour the first byte picks.
pub fn ci_script(data: &[u8]) -> Vec<String> {
    let Some((&pick, rest)) = data.split_first() else {
        return Vec::new();
    };
    let body: String = text(rest)
        .lines()
        .map(|l| format!("          {l}\n"))
        .collect();
    let (name, doc) = match pick % 3 {
        0 => (
            ".github/workflows/ci.yml",
            format!(
                "on: pull_request_target\npermissions: write-all\njobs:\n  build:\n    runs-on: ubuntu-latest\n    env:\n      TOKEN: ${{{{ secrets.TOKEN }}}}\n    steps:\n      - uses: actions/checkout@v4\n      - run: |\n{body}"
            ),
        ),
        1 => (
            ".gitlab-ci.yml",
            format!("variables:\n  TOKEN: $CI_JOB_TOKEN\nbuild:\n  script:\n    - |\n{body}"),
        ),
        _ => (
            "azure-pipelines.yml",
            format!("steps:\n  - script: |\n{body}      env:\n        T: $(token)\n"),
        ),
    };
    internal(&ENGINE.check_text(name, &doc).1)
}

/// Split a multi-file input on lines holding only `@@` into files named after `names`.
fn files(data: &[u8], names: &[&str]) -> Vec<Input> {
    let t = text(data);
    t.split("\n@@\n")
        .zip(names)
        .map(|(body, name)| Input {
            abs: PathBuf::from(name),
            rel: name.to_string(),
            text: Some(body.to_string()),
        })
        .collect()
}

fn scan_inputs(inputs: Vec<Input>) -> Vec<String> {
    // An empty root: the Terraform analysis reads no module from disk.
    let report = ENGINE.scan_files(Path::new(""), inputs, None);
    // Every reporter renders the result.
    let opts = crate::report::RenderOptions::default();
    for format in <crate::report::Format as clap::ValueEnum>::value_variants() {
        let _ = crate::report::render(*format, &report, &opts);
    }
    internal(&report.errors)
}

/// Terraform evaluation over a small project: a root module, its variables and tfvars, and a
/// local module (`module "m" { source = "./modules/m" }`), through every rule.
pub fn terraform(data: &[u8]) -> Vec<String> {
    scan_inputs(files(
        data,
        &[
            "main.tf",
            "variables.tf",
            "terraform.tfvars",
            "modules/m/main.tf",
            "policy.json",
        ],
    ))
}

/// Kustomize rendering: a root kustomization, a base with its resources and patches, a
/// component.
pub fn kustomize(data: &[u8]) -> Vec<String> {
    scan_inputs(files(
        data,
        &[
            "overlay/kustomization.yaml",
            "base/kustomization.yaml",
            "base/sa.yaml",
            "base/patch.yaml",
            "components/c/kustomization.yaml",
            "base/rbac.yaml",
        ],
    ))
}

/// A whole scan of one file of any name: the first line is its path (classification), the
/// rest its text.
pub fn scan(data: &[u8]) -> Vec<String> {
    let t = text(data);
    let (name, body) = t.split_once('\n').unwrap_or((t.as_str(), ""));
    let name = name.trim().trim_start_matches('/');
    if name.is_empty() || name.split('/').any(|p| p == "..") {
        return Vec::new();
    }
    scan_inputs(vec![Input {
        abs: PathBuf::from(name),
        rel: name.to_string(),
        text: Some(body.to_string()),
    }])
}

/// The Helm chart renderer over an in-memory chart: `values.yaml`, then templates
/// (`templates/a.yaml`, `templates/_helpers.tpl`, `templates/b.yaml`), separated by lines
/// holding only `@@`. Rendered on a thread with the scan's render stack, as in a scan.
pub fn helm(data: &[u8]) -> Vec<String> {
    let t = text(data);
    let rendered = std::thread::Builder::new()
        .stack_size(crate::helm::scan::RENDER_STACK)
        .spawn(move || render_chart_text(&t))
        .expect("thread")
        .join();
    match rendered {
        Ok(_) => Vec::new(),
        Err(_) => vec!["helm: the renderer panicked".into()],
    }
}

fn render_chart_text(t: &str) -> usize {
    use crate::helm::value::{Value, new_map, parse_yaml};
    let mut parts = t.split("\n@@\n");
    let values = match parts.next().map(parse_yaml) {
        Some(Ok(v @ Value::Map(_))) => v,
        _ => new_map(Default::default()),
    };
    let names = [
        "templates/a.yaml",
        "templates/_helpers.tpl",
        "templates/b.yaml",
    ];
    let templates: Vec<(String, String)> = names
        .iter()
        .zip(parts)
        .map(|(n, b)| (n.to_string(), b.to_string()))
        .collect();
    let chart = crate::helm::Chart {
        name: "c".into(),
        dir: PathBuf::new(),
        meta: parse_yaml("apiVersion: v2\nname: c\nversion: 0.1.0\n").unwrap_or(Value::Nil),
        values,
        values_text: None,
        templates,
        files: Default::default(),
        subcharts: Vec::new(),
    };
    crate::helm::render(&chart, &crate::helm::Options::default())
        .templates
        .len()
}
