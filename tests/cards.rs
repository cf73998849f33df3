//! The card harness: every card is valid, and every example of every card behaves as stated
//! when run through the real engine with only that rule selected.

use nhilint::config::Config;
use nhilint::engine::Engine;
use nhilint::rules::{self, RuleSet};
use nhilint::walk::Input;
use std::path::{Path, PathBuf};

fn run_example(
    card: &rules::card::Card,
    ex: &rules::card::Example,
) -> Vec<nhilint::finding::Finding> {
    let config = match &ex.config {
        Some(c) => Config::parse(c, Path::new("nhilint.toml")).expect("example config"),
        None => Config::default(),
    };
    let rules = RuleSet::build(&config, std::slice::from_ref(&card.id), &[]);
    // Governance rules are off without `[owners]`, even when selected: no findings.
    if card.rule_kind() == rules::card::RuleKind::Governance && config.owners.is_none() {
        assert!(
            !rules.contains(&card.id),
            "{}: active without [owners]",
            card.id
        );
        return Vec::new();
    }
    assert!(
        rules.contains(&card.id),
        "{}: rule not active when selected",
        card.id
    );
    let engine = Engine::new(config, rules);
    let mut inputs = vec![Input {
        abs: PathBuf::from(&ex.path),
        rel: ex.path.clone(),
        text: Some(ex.code.clone()),
    }];
    for f in &ex.files {
        inputs.push(Input {
            abs: PathBuf::from(&f.path),
            rel: f.path.clone(),
            text: Some(f.code.clone()),
        });
    }
    let report = engine.scan_files(Path::new("."), inputs, None);
    report
        .findings
        .into_iter()
        .filter(|f| f.rule_id == card.id)
        .collect()
}

#[test]
fn catalog_is_valid() {
    assert!(
        rules::card::catalog_errors().is_empty(),
        "{:#?}",
        rules::card::catalog_errors()
    );
    let mut problems = Vec::new();
    let mut ids = std::collections::HashSet::new();
    for c in rules::card::catalog() {
        if !ids.insert(c.id.clone()) {
            problems.push(format!("{}: duplicate id", c.id));
        }
        for p in c.validate() {
            problems.push(format!("{}: {p}", c.id));
        }
        let check = c.check.clone().unwrap_or_else(|| c.id.clone());
        let has_impl = c.matcher.is_some()
            || c.detector.is_some()
            || c.target == "meta"
            || rules::checks::file_check(&check).is_some()
            || rules::checks::project_check(&check).is_some();
        if !has_impl {
            problems.push(format!("{}: no matcher, detector or check `{check}`", c.id));
        }
        if c.scope == "project" && rules::checks::project_check(&check).is_none() {
            problems.push(format!(
                "{}: scope = project but no check_project in `{check}`",
                c.id
            ));
        }
        if let Some(m) = &c.matcher
            && rules::matchers::Matcher::compile(m).is_err()
        {
            problems.push(format!("{}: matcher regex does not compile", c.id));
        }
    }
    for name in rules::checks::ALL {
        if !rules::card::catalog()
            .iter()
            .any(|c| c.check.as_deref().unwrap_or(&c.id) == *name)
        {
            problems.push(format!("check file `{name}` has no card"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn examples_behave() {
    // SAFETY of the env var: tests in this binary do not read NHILINT_TODAY concurrently
    // with a different expectation.
    let mut failures = Vec::new();
    let mut n = 0;
    for card in rules::card::catalog() {
        for (i, ex) in card.examples.iter().enumerate() {
            n += 1;
            let found = run_example(card, ex);
            let ok = match ex.kind.as_str() {
                "bad" => !found.is_empty() && ex.count.is_none_or(|c| c == found.len()),
                _ => found.is_empty(),
            };
            if !ok {
                failures.push(format!(
                    "{} example #{i} ({}, {}): expected {}, got {}:\n{}",
                    card.id,
                    ex.kind,
                    ex.path,
                    if ex.kind == "bad" {
                        ex.count
                            .map(|c| format!("{c} finding(s)"))
                            .unwrap_or("findings".into())
                    } else {
                        "none".into()
                    },
                    found.len(),
                    found
                        .iter()
                        .map(|f| format!("  {}:{} {}", f.path, f.start_line, f.message))
                        .collect::<Vec<_>>()
                        .join("\n")
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {n} examples failed:\n{}",
        failures.len(),
        failures.join("\n\n")
    );
    eprintln!("{n} card examples passed");
}
