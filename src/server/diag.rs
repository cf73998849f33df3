//! Findings → LSP diagnostics, hovers and suppression code actions.

use super::convert::{Encoding, LineIndex, path_to_uri};
use crate::finding::ScanError;
use crate::finding::{Finding, Severity};
use crate::rules::card::Card;
use crate::source::FileKind;
use lsp_types::{
    CodeDescription, Diagnostic, DiagnosticRelatedInformation, DiagnosticSeverity, Location,
    NumberOrString, Position, Range, Uri,
};
use serde_json::json;
use std::path::Path;
use std::str::FromStr;

/// Default rule documentation URL pattern; `{id}` is replaced by the rule id. Overridable with
/// the `docsUrl` initialization option.
pub const DEFAULT_DOCS_URL: &str = "https://nhilint.dev/rules/{id}";

/// `source` of every diagnostic.
pub const SOURCE: &str = "nhilint";

/// Code of parse-error diagnostics (not a rule).
pub const PARSE_ERROR_CODE: &str = "parse-error";

pub fn docs_url(pattern: &str, id: &str) -> String {
    pattern.replace("{id}", id)
}

pub fn severity(s: Severity) -> DiagnosticSeverity {
    match s {
        Severity::Critical | Severity::High => DiagnosticSeverity::ERROR,
        Severity::Medium => DiagnosticSeverity::WARNING,
        Severity::Low => DiagnosticSeverity::INFORMATION,
        Severity::Info => DiagnosticSeverity::HINT,
    }
}

/// A text with its line index and the encoding positions are counted in.
pub struct TextView<'a> {
    pub text: &'a str,
    pub index: &'a LineIndex,
    pub enc: Encoding,
}

impl TextView<'_> {
    /// The finding's range: from its byte span when that is consistent with its line (always,
    /// for per-file findings), else from its 1-based line / character columns.
    pub fn finding_range(&self, f: &Finding) -> Range {
        let s = &f.span;
        if s.start <= s.end
            && s.end <= self.text.len()
            && (s.end > 0 || f.start_line <= 1)
            && self.index.position(self.text, s.start, self.enc).line + 1 == f.start_line
        {
            return self.index.range(self.text, s, self.enc);
        }
        self.line_col_range(f.start_line, f.start_column, f.end_line, f.end_column)
    }

    pub fn line_col_range(&self, sl: u32, sc: u32, el: u32, ec: u32) -> Range {
        let start = self
            .index
            .position_from_line_col(self.text, sl.max(1), sc.max(1), self.enc);
        let end =
            self.index
                .position_from_line_col(self.text, el.max(sl).max(1), ec.max(1), self.enc);
        Range::new(start, if end < start { start } else { end })
    }

    fn line_range(&self, line: Option<u32>) -> Range {
        let l = line.unwrap_or(1).saturating_sub(1) as usize;
        let span = self.index.line_span(self.text, l);
        self.index.range(self.text, &span, self.enc)
    }
}

/// Text of another file named by a related location (open buffer or disk), for positions.
pub type OtherText<'a> = dyn Fn(&Path) -> Option<String> + 'a;

/// One finding as a diagnostic. `root` resolves the paths of related locations.
pub fn to_diagnostic(
    f: &Finding,
    view: &TextView,
    root: &Path,
    docs_pattern: &str,
    other: &OtherText,
) -> Diagnostic {
    let mut related = Vec::new();
    for r in &f.related {
        let abs = root.join(&r.path);
        let Some(uri) = path_to_uri(&abs) else {
            continue;
        };
        let (sl, sc) = (r.start_line, r.start_column.unwrap_or(1));
        let (el, ec) = (
            r.end_line.unwrap_or(sl),
            r.end_column
                .unwrap_or(if r.start_column.is_some() { sc } else { 1 }),
        );
        let range = if r.path == f.path {
            view.line_col_range(sl, sc, el, ec)
        } else if let Some(t) = other(&abs) {
            let ix = LineIndex::new(&t);
            TextView {
                text: &t,
                index: &ix,
                enc: view.enc,
            }
            .line_col_range(sl, sc, el, ec)
        } else {
            let p = |l: u32, c: u32| Position::new(l.saturating_sub(1), c.saturating_sub(1));
            Range::new(p(sl, sc), p(el, ec))
        };
        related.push(DiagnosticRelatedInformation {
            location: Location::new(uri, range),
            message: r.message.clone(),
        });
    }
    Diagnostic {
        range: view.finding_range(f),
        severity: Some(severity(f.severity)),
        code: Some(NumberOrString::String(f.rule_id.clone())),
        code_description: Uri::from_str(&docs_url(docs_pattern, &f.rule_id))
            .ok()
            .map(|href| CodeDescription { href }),
        source: Some(SOURCE.to_string()),
        message: f.message.clone(),
        related_information: (!related.is_empty()).then_some(related),
        tags: None,
        data: Some(json!({
            "title": f.title,
            "owasp_nhi": f.owasp_nhi,
            "confidence": f.confidence.as_str(),
            "severity": f.severity.as_str(),
            "fingerprint": f.fingerprint,
        })),
    }
}

/// A parse error as a diagnostic on its line.
pub fn error_diagnostic(e: &ScanError, view: &TextView) -> Diagnostic {
    Diagnostic {
        range: view.line_range(e.line),
        severity: Some(DiagnosticSeverity::WARNING),
        code: Some(NumberOrString::String(PARSE_ERROR_CODE.into())),
        code_description: None,
        source: Some(SOURCE.to_string()),
        message: format!("nhilint could not parse this file: {}", e.message),
        related_information: None,
        tags: None,
        data: None,
    }
}

/// Markdown hover for a rule (its card), with the diagnostic's message first.
pub fn hover_markdown(card: &Card, message: &str, docs_pattern: &str) -> String {
    let owasp = crate::rules::card::owasp_labels(&card.owasp_nhi);
    let mut s = format!(
        "**{}** — {}\n\n{}\n\n*severity* {} · *confidence* {} · *OWASP* {}\n\n",
        card.id,
        md_escape(&card.title),
        md_escape(message),
        card.severity.as_str(),
        card.confidence.as_str(),
        owasp
    );
    s.push_str(&format!(
        "**What it finds**  \n{}\n\n**Why it matters**  \n{}\n\n**How to fix it**  \n{}\n",
        card.docs.what.trim(),
        card.docs.why.trim(),
        card.docs.fix.trim()
    ));
    if !card.docs.references.is_empty() {
        s.push_str("\n**References**\n");
        for r in &card.docs.references {
            s.push_str(&format!("- {r}\n"));
        }
    }
    s.push_str(&format!(
        "\n[Rule documentation]({}) · suppress with `nhilint: ignore[{}] <reason>`\n",
        docs_url(docs_pattern, &card.id),
        card.id
    ));
    s
}

/// Escape markdown outside `code spans` (messages quote values in backticks).
fn md_escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    let mut in_code = false;
    for c in s.chars() {
        if c == '`' {
            in_code = !in_code;
        } else if !in_code && matches!(c, '*' | '_' | '[' | ']' | '<' | '>' | '\\') {
            o.push('\\');
        }
        o.push(c);
    }
    o
}

/// The line-comment leader for a suppression comment in this file, `None` when the format has
/// no comments (strict JSON).
pub fn comment_prefix(kind: FileKind, language_id: &str, path: &str) -> Option<&'static str> {
    let lower = path.to_ascii_lowercase();
    if language_id == "jsonc" || lower.ends_with(".jsonc") || lower.ends_with(".json5") {
        return Some("//");
    }
    use FileKind::*;
    match kind {
        JavaScript | TypeScript | Go | Java | CSharp | Php | Kotlin => Some("//"),
        TerraformJson | TerraformPlan | TerraformState | CloudFormationJson | Json | HelmChart
            if lower.ends_with(".json") || kind == CloudFormationJson =>
        {
            None
        }
        _ => Some("#"),
    }
}

/// The text inserted above `line` (0-based) to suppress `rule_id`, keeping the line's indent.
pub fn suppression_line(
    text: &str,
    index: &LineIndex,
    line: u32,
    prefix: &str,
    rule_id: &str,
) -> String {
    let span = index.line_span(text, line as usize);
    let l = &text[span.clone()];
    let indent: String = l.chars().take_while(|c| *c == ' ' || *c == '\t').collect();
    let eol = if text[span.end..].starts_with("\r\n") {
        "\r\n"
    } else {
        "\n"
    };
    format!("{indent}{prefix} nhilint: ignore[{rule_id}] <reason>{eol}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suppression_keeps_indent_and_eol() {
        let t = "a:\r\n  b: 1\r\n";
        let ix = LineIndex::new(t);
        assert_eq!(
            suppression_line(t, &ix, 1, "#", "k8s-x"),
            "  # nhilint: ignore[k8s-x] <reason>\r\n"
        );
    }

    #[test]
    fn comment_prefixes() {
        assert_eq!(
            comment_prefix(FileKind::Terraform, "terraform", "a.tf"),
            Some("#")
        );
        assert_eq!(comment_prefix(FileKind::Go, "go", "a.go"), Some("//"));
        assert_eq!(comment_prefix(FileKind::Json, "json", "a.json"), None);
        assert_eq!(
            comment_prefix(FileKind::Text, "jsonc", "a.json"),
            Some("//")
        );
        assert_eq!(
            comment_prefix(FileKind::Dotenv, "dotenv", ".env"),
            Some("#")
        );
    }
}
