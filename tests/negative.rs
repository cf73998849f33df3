//! The negative corpus (`testdata/negative/`: hashes, UUIDs, base64 images, lock files, minified
//! JS, SVGs, ciphertext, fixtures with documentation keys and references) yields no finding with
//! every default rule active.

use nhilint::config::Config;
use nhilint::engine::Engine;
use nhilint::rules::RuleSet;
use std::path::Path;

#[test]
fn negative_corpus_is_clean() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/negative");
    let config = Config::default();
    let engine = Engine::new(config.clone(), RuleSet::build(&config, &[], &[]));
    let inputs = nhilint::walk::collect(&root, &[], &config, 2).inputs;
    assert!(inputs.len() >= 15, "corpus has {} files", inputs.len());
    let report = engine.scan_files(&root, inputs, None);
    let found: Vec<String> = report
        .findings
        .iter()
        .map(|f| format!("{}:{} {} {}", f.path, f.start_line, f.rule_id, f.message))
        .collect();
    assert!(found.is_empty(), "false positives:\n{}", found.join("\n"));
}
