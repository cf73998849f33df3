//! Redaction: no secret value of `testdata/secrets/` may appear in any output format, the
//! inventory included. The values are listed in `testdata/secrets-values.txt` (one per line;
//! multi-line secrets such as PEM bodies are listed line by line).

use clap::ValueEnum;
use nhilint::config::Config;
use nhilint::context::Report;
use nhilint::engine::Engine;
use nhilint::report::{self, Format, RenderOptions};
use nhilint::rules::RuleSet;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/secrets")
}

fn scan() -> Report {
    let config = Config::default();
    let rules = RuleSet::build(&config, &[], &[]);
    let engine = Engine::new(config.clone(), rules);
    let inputs = nhilint::walk::collect(&root(), &[], &config, 2).inputs;
    engine.scan_files(&root(), inputs, None)
}

fn values() -> Vec<String> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/secrets-values.txt");
    std::fs::read_to_string(p)
        .expect("testdata/secrets-values.txt")
        .lines()
        .map(str::trim)
        .filter(|l| l.len() >= 12 && !l.starts_with('#'))
        .map(String::from)
        .collect()
}

#[test]
fn every_format_and_the_inventory_are_redacted() {
    let report = scan();
    let values = values();
    assert!(
        values.len() >= 80,
        "only {} secret values listed",
        values.len()
    );
    assert!(
        report.findings.len() >= 90,
        "the fixture yields only {} findings",
        report.findings.len()
    );
    let mut outputs: Vec<(String, String)> = Vec::new();
    for f in Format::value_variants() {
        for color in [false, true] {
            let opts = RenderOptions {
                color,
                quiet: false,
                ..Default::default()
            };
            outputs.push((
                format!("{f:?} color={color}"),
                report::render(*f, &report, &opts),
            ));
        }
    }
    for f in nhilint::inventory::FORMATS {
        let text =
            nhilint::inventory::render_with_config(f, &report, &root(), None, &Config::default())
                .expect("inventory renders");
        outputs.push((format!("inventory {f}"), text));
    }
    let mut leaks = Vec::new();
    for (name, text) in &outputs {
        assert!(!text.is_empty(), "{name}: empty output");
        for v in &values {
            if text.contains(v.as_str()) {
                leaks.push(format!("{name}: `{}…` appears", &v[..8]));
            }
        }
    }
    assert!(leaks.is_empty(), "secrets leaked:\n{}", leaks.join("\n"));
}

#[test]
fn every_secret_finding_is_masked() {
    let report = scan();
    for f in &report.findings {
        if f.rule_id.starts_with("secret-") {
            assert!(
                !f.mask.is_empty(),
                "{} at {}:{} has no mask",
                f.rule_id,
                f.path,
                f.start_line
            );
        }
    }
}

#[test]
fn every_fixture_file_has_a_finding() {
    let report = scan();
    let inputs = nhilint::walk::collect(&root(), &[], &Config::default(), 2).inputs;
    for i in inputs {
        assert!(
            report.findings.iter().any(|f| f.path == i.rel),
            "{}: no finding",
            i.rel
        );
    }
}
