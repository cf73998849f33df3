//! Secrets engine: detectors are data (`rules/secrets/*.toml`, `[detector]` table).
//!
//! Minimal first version: each detector's regex runs over the file; the secret is the named
//! group `secret` (or the whole match); placeholders and allowlisted values are skipped.

use crate::engine::FileCx;
use crate::finding::Finding;
use crate::redact::redact;
use crate::rules::{Rule, RuleSet};
use regex::Regex;
use std::sync::Arc;

pub struct Detector {
    pub rule: Arc<Rule>,
    pub re: Regex,
    pub allow: Vec<Regex>,
}

#[derive(Default)]
pub struct SecretsEngine {
    pub detectors: Vec<Detector>,
}

impl SecretsEngine {
    pub fn new(rules: &RuleSet) -> SecretsEngine {
        let mut detectors = Vec::new();
        for r in &rules.rules {
            let Some(d) = &r.card.detector else { continue };
            let Some(re) = d
                .get("regex")
                .and_then(|v| v.as_str())
                .and_then(|s| Regex::new(s).ok())
            else {
                continue;
            };
            let allow = d
                .get("allow")
                .and_then(|v| v.as_array())
                .map(|a| {
                    a.iter()
                        .filter_map(|x| x.as_str())
                        .filter_map(|s| Regex::new(s).ok())
                        .collect()
                })
                .unwrap_or_default();
            detectors.push(Detector {
                rule: r.clone(),
                re,
                allow,
            });
        }
        SecretsEngine { detectors }
    }

    pub fn scan(&self, cx: &FileCx, _rules: &RuleSet, out: &mut Vec<Finding>) {
        let text = &cx.file.text;
        for d in &self.detectors {
            for caps in d.re.captures_iter(text) {
                let m = caps.name("secret").or_else(|| caps.get(0)).unwrap();
                let s = m.as_str();
                if is_placeholder(s) || d.allow.iter().any(|a| a.is_match(s)) {
                    continue;
                }
                let f = d
                    .rule
                    .finding(
                        cx.file,
                        m.start()..m.end(),
                        format!("{} `{}`", d.rule.card.title.to_lowercase(), redact(s)),
                    )
                    .with_mask(m.start()..m.end());
                out.push(f);
            }
        }
    }
}

/// Placeholders and documentation values that are never secrets.
pub fn is_placeholder(s: &str) -> bool {
    let l = s.to_ascii_lowercase();
    l.contains("example")
        || l.contains("xxxx")
        || l.contains("changeme")
        || l.starts_with('<')
        || l.contains("${")
        || l.contains("{{")
        || l.starts_with('$')
}
