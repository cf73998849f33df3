//! Known false positives from the real-repository triage (README "Precision"), as our own minimal
//! fixtures in `testdata/precision/`. The snapshot records what is still reported there: every
//! line in it is a false positive, so a rule fix shows as lines that disappear.

use nhilint::config::Config;
use nhilint::engine::Engine;
use nhilint::rules::RuleSet;
use std::path::Path;

#[test]
fn known_false_positives() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/precision");
    let config = Config::default();
    let rules = RuleSet::build(&config, &[], &[]);
    let inputs = nhilint::walk::collect(&root, &[], &config, 2).inputs;
    let report = Engine::new(config, rules).scan_files(&root, inputs, None);
    assert!(report.errors.is_empty(), "{:#?}", report.errors);
    let lines: Vec<String> = report
        .findings
        .iter()
        .map(|f| format!("{}:{} {} {}", f.path, f.start_line, f.rule_id, f.message))
        .collect();
    insta::assert_snapshot!(lines.join("\n"));
}
