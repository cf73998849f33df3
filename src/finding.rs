//! Findings: what reporters consume. Rules build them through [`crate::rules::Rule::finding`].

use serde::{Deserialize, Serialize};

/// A byte range of a file's text (the same type as [`crate::lang::Span`]).
type Span = std::ops::Range<usize>;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    pub const ALL: [Severity; 5] = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
        Severity::Info,
    ];

    pub fn parse(s: &str) -> Option<Severity> {
        match s {
            "info" => Some(Severity::Info),
            "low" => Some(Severity::Low),
            "medium" => Some(Severity::Medium),
            "high" => Some(Severity::High),
            "critical" => Some(Severity::Critical),
            _ => None,
        }
    }

    /// One step down (used when a finding depends on an unknown value).
    pub fn lower(self) -> Severity {
        match self {
            Severity::Critical => Severity::High,
            Severity::High => Severity::Medium,
            Severity::Medium => Severity::Low,
            _ => Severity::Info,
        }
    }

    pub fn raise(self) -> Severity {
        match self {
            Severity::Info => Severity::Low,
            Severity::Low => Severity::Medium,
            Severity::Medium => Severity::High,
            _ => Severity::Critical,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Confidence {
    Low,
    Medium,
    High,
}

impl Confidence {
    /// One step down (low stays low).
    pub fn lower(self) -> Confidence {
        match self {
            Confidence::High => Confidence::Medium,
            _ => Confidence::Low,
        }
    }

    pub fn parse(s: &str) -> Option<Confidence> {
        match s {
            "low" => Some(Confidence::Low),
            "medium" => Some(Confidence::Medium),
            "high" => Some(Confidence::High),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Confidence::Low => "low",
            Confidence::Medium => "medium",
            Confidence::High => "high",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Related {
    pub path: String,
    pub start_line: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_column: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_line: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_column: Option<u32>,
    pub message: String,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Finding {
    pub rule_id: String,
    pub title: String,
    pub severity: Severity,
    pub confidence: Confidence,
    pub owasp_nhi: Vec<String>,
    pub message: String,
    pub path: String,
    pub start_line: u32,
    pub start_column: u32,
    pub end_line: u32,
    pub end_column: u32,
    pub fingerprint: String,
    pub related: Vec<Related>,
    pub help: String,
    /// Byte span in the file (not part of the JSON contract).
    #[serde(skip)]
    pub span: Span,
    /// What identifies this finding independent of its line; default: the spanned text.
    #[serde(skip)]
    pub fp_key: Option<String>,
    /// Byte ranges of secret material in this file that no output may show.
    #[serde(skip)]
    pub mask: Vec<Span>,
}

impl Finding {
    pub fn with_related(mut self, r: Related) -> Self {
        self.related.push(r);
        self
    }

    pub fn with_severity(mut self, s: Severity) -> Self {
        self.severity = s;
        self
    }

    pub fn with_confidence(mut self, c: Confidence) -> Self {
        self.confidence = c;
        self
    }

    /// Mark secret material: masked in every snippet, never used for the fingerprint.
    pub fn with_mask(mut self, span: Span) -> Self {
        self.mask.push(span);
        self
    }

    pub fn with_fp_key(mut self, key: impl Into<String>) -> Self {
        self.fp_key = Some(key.into());
        self
    }

    /// Sort key: path, line, column, rule.
    pub fn sort_key(&self) -> (&str, u32, u32, &str, &str) {
        (
            &self.path,
            self.start_line,
            self.start_column,
            &self.rule_id,
            &self.message,
        )
    }
}

/// Stable 128-bit FNV-1a based hash rendered as 32 hex digits.
pub fn stable_hash(parts: &[&str]) -> String {
    let mut a: u64 = 0xcbf29ce484222325;
    let mut b: u64 = 0x84222325cbf29ce4;
    for p in parts {
        for &byte in p.as_bytes().iter().chain(std::iter::once(&0xffu8)) {
            a ^= byte as u64;
            a = a.wrapping_mul(0x100000001b3);
            b ^= byte as u64;
            b = b.wrapping_mul(0x100000001b3).rotate_left(5);
        }
    }
    format!("{a:016x}{b:016x}")
}

/// An error of one file (or `.` for the scan): unreadable, unparsable, over a budget, or an
/// internal error contained to it.
#[derive(Clone, Debug, Serialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct ScanError {
    pub path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    pub message: String,
}

/// `` `ns/name` `` → `` `name` `` in a message (names of Kubernetes objects and subjects).
pub fn without_namespaces(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    for (i, part) in message.split('`').enumerate() {
        if i > 0 {
            out.push('`');
        }
        let inside = i % 2 == 1;
        match part.split_once('/') {
            Some((ns, name))
                if inside
                    && !ns.is_empty()
                    && !name.contains('/')
                    && ns
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-') =>
            {
                out.push_str(name)
            }
            _ => out.push_str(part),
        }
    }
    out
}
