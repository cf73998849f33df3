//! Baseline files (`.nhilint-baseline.json`): fingerprints and rule ids of accepted findings.

use crate::finding::Finding;
use serde::{Deserialize, Serialize};
use std::path::Path;

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Baseline {
    pub version: u32,
    pub entries: Vec<BaselineEntry>,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct BaselineEntry {
    pub rule_id: String,
    pub path: String,
    pub fingerprint: String,
}

impl Baseline {
    pub fn from_findings(findings: &[Finding]) -> Baseline {
        let mut entries: Vec<BaselineEntry> = findings
            .iter()
            .map(|f| BaselineEntry {
                rule_id: f.rule_id.clone(),
                path: f.path.clone(),
                fingerprint: f.fingerprint.clone(),
            })
            .collect();
        entries.sort();
        entries.dedup();
        Baseline {
            version: 1,
            entries,
        }
    }

    pub fn load(path: &Path) -> Result<Baseline, String> {
        let t = std::fs::read_to_string(path)
            .map_err(|e| format!("{}: cannot read baseline: {e}", path.display()))?;
        let b: Baseline = serde_json::from_str(&t)
            .map_err(|e| format!("{}:{}: invalid baseline: {e}", path.display(), e.line()))?;
        if b.version != 1 {
            return Err(format!(
                "{}: baseline version {} is not supported (expected 1)",
                path.display(),
                b.version
            ));
        }
        Ok(b)
    }

    /// The baseline file's text: pretty JSON, entries sorted, a trailing newline.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default() + "\n"
    }

    /// Keep findings not in the baseline; return the stale entries: in the baseline, not found,
    /// and about a file `checked(path)` says this run looked at (an entry for a file outside a
    /// partial scan is not known to be stale).
    pub fn filter(
        &self,
        findings: &mut Vec<Finding>,
        checked: impl Fn(&str) -> bool,
    ) -> Vec<BaselineEntry> {
        let known: std::collections::HashSet<&str> = self
            .entries
            .iter()
            .map(|e| e.fingerprint.as_str())
            .collect();
        let found: std::collections::HashSet<String> =
            findings.iter().map(|f| f.fingerprint.clone()).collect();
        findings.retain(|f| !known.contains(f.fingerprint.as_str()));
        self.entries
            .iter()
            .filter(|e| !found.contains(&e.fingerprint) && checked(&e.path))
            .cloned()
            .collect()
    }
}
