//! `--statistics`: findings counted per rule (most first), then per path class, like ruff's
//! `--statistics`. Text for people, JSON for scripts (`--format json`).

use crate::config::Config;
use crate::context::Report;
use crate::finding::Severity;
use crate::pathclass::PathClass;
use std::collections::BTreeMap;

pub struct Statistics {
    /// (rule id, count, severity of its worst finding, title), most frequent first.
    pub rules: Vec<(String, usize, Severity, String)>,
    pub classes: Vec<(PathClass, usize)>,
    pub total: usize,
}

impl Statistics {
    pub fn new(report: &Report, config: &Config) -> Statistics {
        let mut rules: BTreeMap<&str, (usize, Severity, &str)> = BTreeMap::new();
        let mut classes: BTreeMap<PathClass, usize> = BTreeMap::new();
        for f in &report.findings {
            let e = rules.entry(&f.rule_id).or_insert((0, f.severity, &f.title));
            e.0 += 1;
            e.1 = e.1.max(f.severity);
            *classes.entry(config.path_class(&f.path)).or_default() += 1;
        }
        let mut rules: Vec<(String, usize, Severity, String)> = rules
            .into_iter()
            .map(|(id, (n, s, t))| (id.to_string(), n, s, t.to_string()))
            .collect();
        rules.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        Statistics {
            rules,
            classes: classes.into_iter().collect(),
            total: report.findings.len(),
        }
    }

    pub fn to_text(&self, color: bool) -> String {
        use super::concise::{paint, severity_color};
        let w = self.rules.iter().map(|r| r.0.len()).max().unwrap_or(4);
        let mut s = String::new();
        for (id, n, sev, title) in &self.rules {
            let sev_s = format!("{:8}", sev.as_str());
            s.push_str(&format!(
                "{n:5}  {}  {}  {title}\n",
                paint(color, "1", &format!("{id:w$}")),
                paint(color, severity_color(*sev), &sev_s),
            ));
        }
        if !self.classes.is_empty() {
            let parts: Vec<String> = self
                .classes
                .iter()
                .map(|(c, n)| format!("{n} {}", c.as_str()))
                .collect();
            s.push_str(&format!("\nby path class: {}\n", parts.join(", ")));
        }
        s
    }

    pub fn to_json(&self) -> String {
        let rules: Vec<serde_json::Value> = self
            .rules
            .iter()
            .map(|(id, n, sev, title)| {
                serde_json::json!({"rule_id": id, "count": n, "severity": sev, "title": title})
            })
            .collect();
        let classes: serde_json::Map<String, serde_json::Value> = self
            .classes
            .iter()
            .map(|(c, n)| (c.as_str().to_string(), serde_json::json!(n)))
            .collect();
        let v = serde_json::json!({"total": self.total, "rules": rules, "path_classes": classes});
        serde_json::to_string_pretty(&v).unwrap_or_default() + "\n"
    }
}
