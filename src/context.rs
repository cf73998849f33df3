//! What every stage passes along: a file unit (text, parse, facts), the contexts a check sees
//! and the report of a scan. Below the domain modules (`terraform/`, `kube/`, `ci/`, ...), above
//! `source`, `lang`, `facts` (the model) and `config`; see tests/layering.rs.

use crate::config::Config;
use crate::facts::Facts;
use crate::finding::{Finding, ScanError};
use crate::lang::{Parsed, Span};
use crate::source::SourceFile;
use serde::Serialize;
use std::collections::HashMap;
use std::path::Path;

/// What a per-file check sees.
pub struct FileCx<'a> {
    pub file: &'a SourceFile,
    pub parsed: &'a Parsed,
    pub facts: &'a Facts,
    pub config: &'a Config,
}

/// One analysed file, kept for project rules.
pub struct FileUnit {
    pub file: SourceFile,
    pub parsed: Parsed,
    pub facts: Facts,
}

/// What a project check sees: every file and the joined fact graph.
pub struct ProjectCx<'a> {
    pub root: &'a Path,
    pub files: &'a [FileUnit],
    pub facts: &'a Facts,
    pub config: &'a Config,
}

impl FileCx<'_> {
    /// The class of this file's path (test, fixture, example, ... or production).
    pub fn path_class(&self) -> crate::pathclass::PathClass {
        self.config.path_class(&self.file.path)
    }
}

impl ProjectCx<'_> {
    pub fn file(&self, path: &str) -> Option<&FileUnit> {
        self.files.iter().find(|u| u.file.path == path)
    }
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct Stats {
    pub files_scanned: usize,
    pub files_skipped: usize,
    pub duration_ms: u64,
}

#[derive(Default)]
pub struct Report {
    pub findings: Vec<Finding>,
    pub errors: Vec<ScanError>,
    pub stats: Stats,
    /// Findings silenced by inline comments, config or baseline.
    pub suppressed: usize,
    /// Structural findings not reported because they lie in test, fixture or e2e paths
    /// (`[paths] structural-in`).
    pub hidden_by_path_class: usize,
    pub facts: Facts,
    /// Mask spans per path (secret material) for reporters that show source.
    pub masks: HashMap<String, Vec<Span>>,
    /// File texts by path, for reporters that show code frames.
    pub sources: HashMap<String, SourceFile>,
}

/// Today's date as YYYY-MM-DD (UTC), overridable with `NHILINT_TODAY` for tests.
pub fn today() -> String {
    if let Ok(t) = std::env::var("NHILINT_TODAY") {
        return t;
    }
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    civil_from_days((secs / 86_400) as i64)
}

/// Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm).
pub fn civil_from_days(z: i64) -> String {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 { y + 1 } else { y };
    format!("{y:04}-{m:02}-{d:02}")
}
