//! `--format sarif`: SARIF 2.1.0 for code scanning (GitHub, GitLab, Azure DevOps, IDE viewers).
//!
//! Hand-written serde structs for the subset we emit. `tool.driver.rules` is built from the cards
//! of the active rules (plus any rule a finding names that is not active, e.g. meta rules);
//! results point at their rule by id and index. Columns are 1-based Unicode code points
//! (`columnKind: unicodeCodePoints`), `endColumn` is exclusive, URIs are relative to the scan
//! root (`uriBaseId: %SRCROOT%`) and percent-encoded. `partialFingerprints` carries the finding's
//! line-independent fingerprint so code scanning tracks alerts across line moves.

use super::{RenderOptions, RuleInfo};
use crate::context::Report;
use crate::finding::{Finding, Related, Severity};
use serde::Serialize;
use std::collections::BTreeMap;

pub const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";
pub const FINGERPRINT_KEY: &str = "nhilintFingerprint/v1";
pub const SRCROOT: &str = "%SRCROOT%";
/// GitHub code scanning's limits per run (larger uploads are rejected): results, locations per
/// result, tags per rule.
pub const MAX_RESULTS: usize = 25_000;
pub const MAX_LOCATIONS: usize = 1_000;
pub const MAX_TAGS: usize = 20;
/// Category of the analysis (`automationDetails.id` is `<category>/<run>`); `NHILINT_SARIF_CATEGORY`
/// overrides it, e.g. one category per scanned folder.
pub const DEFAULT_CATEGORY: &str = "nhilint";

#[derive(Serialize)]
pub struct Log {
    #[serde(rename = "$schema")]
    pub schema: &'static str,
    pub version: &'static str,
    pub runs: Vec<Run>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Run {
    pub tool: Tool,
    pub automation_details: AutomationDetails,
    pub invocations: Vec<Invocation>,
    pub results: Vec<SarifResult>,
    pub column_kind: &'static str,
}

/// `runAutomationDetails`: GitHub code scanning takes the part before the last `/` of `id` as
/// the analysis category (the upload's `category` input overrides it).
#[derive(Serialize)]
pub struct AutomationDetails {
    pub id: String,
}

#[derive(Serialize)]
pub struct Tool {
    pub driver: Driver,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Driver {
    pub name: &'static str,
    pub version: &'static str,
    pub semantic_version: &'static str,
    pub information_uri: &'static str,
    pub rules: Vec<ReportingDescriptor>,
}

#[derive(Serialize)]
pub struct Text {
    pub text: String,
}

#[derive(Serialize)]
pub struct MultiformatText {
    pub text: String,
    pub markdown: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReportingDescriptor {
    pub id: String,
    pub name: String,
    pub short_description: Text,
    pub full_description: Text,
    pub help: MultiformatText,
    pub help_uri: String,
    pub default_configuration: Configuration,
    pub properties: RuleProperties,
}

#[derive(Serialize)]
pub struct Configuration {
    pub level: &'static str,
}

#[derive(Serialize)]
pub struct RuleProperties {
    pub tags: Vec<String>,
    #[serde(rename = "security-severity")]
    pub security_severity: String,
    pub precision: &'static str,
    #[serde(rename = "problem.severity")]
    pub problem_severity: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Invocation {
    pub execution_successful: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tool_execution_notifications: Vec<Notification>,
}

#[derive(Serialize)]
pub struct Notification {
    pub level: &'static str,
    pub message: Text,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub locations: Vec<Location>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SarifResult {
    pub rule_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule_index: Option<usize>,
    pub level: &'static str,
    pub message: Text,
    pub locations: Vec<Location>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub related_locations: Vec<Location>,
    pub partial_fingerprints: BTreeMap<&'static str, String>,
    pub properties: ResultProperties,
}

#[derive(Serialize)]
pub struct ResultProperties {
    /// The finding's own severity as GitHub's score (the rule's default is in the descriptor).
    #[serde(rename = "security-severity")]
    pub security_severity: &'static str,
    pub severity: &'static str,
    pub confidence: &'static str,
    pub owasp_nhi: Vec<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Location {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<usize>,
    pub physical_location: PhysicalLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<Text>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PhysicalLocation {
    pub artifact_location: ArtifactLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<Region>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ArtifactLocation {
    pub uri: String,
    pub uri_base_id: &'static str,
}

#[derive(Serialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct Region {
    pub start_line: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_column: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_line: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_column: Option<u32>,
}

/// SARIF `level` of a severity: critical/high are errors, medium warnings, low/info notes.
pub fn level(s: Severity) -> &'static str {
    match s {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "note",
    }
}

/// GitHub's `security-severity` (a CVSS-like score as a string).
pub fn security_severity(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
        Severity::Info => "1.0",
    }
}

/// Percent-encode a relative path into a URI reference (unreserved characters and `/` stay).
pub fn path_to_uri(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.replace('\\', "/").bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn region(start_line: u32, start_col: Option<u32>, end: Option<(u32, u32)>) -> Region {
    let start_line = start_line.max(1);
    let start_col = start_col.map(|c| c.max(1));
    let mut r = Region {
        start_line,
        start_column: start_col,
        ..Region::default()
    };
    if let Some((el, ec)) = end {
        let el = el.max(start_line);
        let mut ec = ec.max(1);
        if el == start_line
            && let Some(sc) = start_col
        {
            ec = ec.max(sc);
        }
        r.end_line = Some(el);
        r.end_column = Some(ec);
    }
    r
}

fn physical(path: &str, region: Region) -> PhysicalLocation {
    PhysicalLocation {
        artifact_location: ArtifactLocation {
            uri: path_to_uri(path),
            uri_base_id: SRCROOT,
        },
        region: Some(region),
    }
}

fn primary(f: &Finding) -> Location {
    Location {
        id: None,
        physical_location: physical(
            &f.path,
            region(
                f.start_line,
                Some(f.start_column),
                Some((f.end_line, f.end_column)),
            ),
        ),
        message: None,
    }
}

fn related(i: usize, r: &Related) -> Location {
    let end = match (r.end_line, r.end_column) {
        (Some(l), Some(c)) => Some((l, c)),
        _ => None,
    };
    Location {
        id: Some(i),
        physical_location: physical(&r.path, region(r.start_line, r.start_column, end)),
        message: Some(Text {
            text: r.message.clone(),
        }),
    }
}

fn descriptor(info: &RuleInfo) -> ReportingDescriptor {
    let c = &info.card;
    let mut tags = vec!["security".to_string()];
    tags.extend(c.owasp_nhi.iter().cloned());
    tags.push(c.target.clone());
    for t in &c.tags {
        if !tags.contains(t) {
            tags.push(t.clone());
        }
    }
    tags.truncate(MAX_TAGS);
    ReportingDescriptor {
        id: c.id.clone(),
        name: c.id.clone(),
        short_description: Text {
            text: c.title.clone(),
        },
        full_description: Text {
            text: c.docs.what.trim().to_string(),
        },
        help: MultiformatText {
            text: super::help_text(c),
            markdown: super::help_markdown(c),
        },
        help_uri: super::rule_docs_url(c),
        default_configuration: Configuration {
            level: level(info.severity),
        },
        properties: RuleProperties {
            tags,
            security_severity: security_severity(info.severity).to_string(),
            precision: match c.confidence {
                crate::finding::Confidence::High => "high",
                crate::finding::Confidence::Medium => "medium",
                crate::finding::Confidence::Low => "low",
            },
            problem_severity: match info.severity {
                Severity::Critical | Severity::High => "error",
                Severity::Medium => "warning",
                _ => "recommendation",
            },
        },
    }
}

pub fn build(report: &Report, opts: &RenderOptions) -> Log {
    build_capped(report, opts, MAX_RESULTS)
}

/// [`build`] with at most `max_results` results: past it the most severe are kept (the report's
/// order within a severity) and a notification says how many were left out.
pub fn build_capped(report: &Report, opts: &RenderOptions, max_results: usize) -> Log {
    let infos = super::rule_infos(report, opts);
    let index: std::collections::HashMap<&str, usize> = infos
        .iter()
        .enumerate()
        .map(|(i, r)| (r.card.id.as_str(), i))
        .collect();
    let mut kept: Vec<&Finding> = report.findings.iter().collect();
    let left_out = kept.len().saturating_sub(max_results);
    if left_out > 0 {
        kept.sort_by_key(|f| std::cmp::Reverse(f.severity));
        kept.truncate(max_results);
    }
    let results = kept
        .iter()
        .map(|f| SarifResult {
            rule_id: f.rule_id.clone(),
            rule_index: index.get(f.rule_id.as_str()).copied(),
            level: level(f.severity),
            message: Text {
                text: f.message.clone(),
            },
            locations: vec![primary(f)],
            related_locations: f
                .related
                .iter()
                .take(MAX_LOCATIONS)
                .enumerate()
                .map(|(i, r)| related(i + 1, r))
                .collect(),
            partial_fingerprints: BTreeMap::from([(FINGERPRINT_KEY, f.fingerprint.clone())]),
            properties: ResultProperties {
                security_severity: security_severity(f.severity),
                severity: f.severity.as_str(),
                confidence: f.confidence.as_str(),
                owasp_nhi: f.owasp_nhi.clone(),
            },
        })
        .collect();
    let mut notifications: Vec<Notification> = report
        .errors
        .iter()
        .map(|e| Notification {
            level: "warning",
            message: Text {
                text: e.message.clone(),
            },
            locations: vec![Location {
                id: None,
                physical_location: PhysicalLocation {
                    artifact_location: ArtifactLocation {
                        uri: path_to_uri(&e.path),
                        uri_base_id: SRCROOT,
                    },
                    region: e.line.map(|l| region(l, None, None)),
                },
                message: None,
            }],
        })
        .collect();
    if left_out > 0 {
        notifications.push(Notification {
            level: "warning",
            message: Text {
                text: format!(
                    "{left_out} of {} results were left out: code scanning accepts at most {max_results} per run; the most severe are kept (use --format json for all of them)",
                    report.findings.len()
                ),
            },
            locations: Vec::new(),
        });
    }
    let category = std::env::var("NHILINT_SARIF_CATEGORY")
        .ok()
        .filter(|c| !c.trim().is_empty())
        .unwrap_or_else(|| DEFAULT_CATEGORY.to_string());
    Log {
        schema: SCHEMA_URI,
        version: "2.1.0",
        runs: vec![Run {
            tool: Tool {
                driver: Driver {
                    name: "nhilint",
                    version: env!("CARGO_PKG_VERSION"),
                    semantic_version: env!("CARGO_PKG_VERSION"),
                    information_uri: super::REPOSITORY_URL,
                    rules: infos.iter().map(descriptor).collect(),
                },
            },
            automation_details: AutomationDetails {
                id: format!("{}/", category.trim_end_matches('/')),
            },
            invocations: vec![Invocation {
                execution_successful: true,
                tool_execution_notifications: notifications,
            }],
            results,
            column_kind: "unicodeCodePoints",
        }],
    }
}

pub fn render(report: &Report, opts: &RenderOptions) -> String {
    let mut s = serde_json::to_string_pretty(&build(report, opts)).unwrap_or_default();
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_percent_encoded() {
        assert_eq!(path_to_uri("infra/iam.tf"), "infra/iam.tf");
        assert_eq!(path_to_uri("a b/régions.tf"), "a%20b/r%C3%A9gions.tf");
        assert_eq!(path_to_uri("x#y?.tf"), "x%23y%3F.tf");
    }

    #[test]
    fn regions_are_well_formed() {
        let r = region(0, Some(0), Some((0, 0)));
        assert_eq!((r.start_line, r.start_column), (1, Some(1)));
        assert_eq!((r.end_line, r.end_column), (Some(1), Some(1)));
        let r = region(5, Some(9), Some((5, 3)));
        assert_eq!(r.end_column, Some(9));
    }
}
