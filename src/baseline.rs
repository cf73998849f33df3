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
        serde_json::from_str(&t)
            .map_err(|e| format!("{}:{}: invalid baseline: {e}", path.display(), e.line()))
    }

    /// Keep findings not in the baseline; return the stale entries (in the baseline, not found).
    pub fn filter(&self, findings: &mut Vec<Finding>) -> Vec<BaselineEntry> {
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
            .filter(|e| !found.contains(&e.fingerprint))
            .cloned()
            .collect()
    }
}
