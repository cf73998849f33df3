//! `nhilint inventory`: identities, credentials, trust, grants and usages of a repository.

use crate::engine::Report;

/// Inventory JSON, version 1.
pub fn render_json(report: &Report) -> String {
    let f = &report.facts;
    let v = serde_json::json!({
        "version": 1,
        "identities": f.identities,
        "credentials": f.credentials,
        "trust": f.trusts,
        "grants": f.grants,
        "usages": f.usages,
    });
    let mut s = serde_json::to_string_pretty(&v).unwrap_or_default();
    s.push('\n');
    s
}

/// Render the inventory in a format (json for now; markdown/dot/mermaid come with issue 9).
pub fn render(
    format: &str,
    report: &Report,
    _root: &std::path::Path,
    _since: Option<&str>,
) -> Result<String, String> {
    match format {
        "json" => Ok(render_json(report)),
        other => Err(format!(
            "inventory --format `{other}` is not supported yet; use json"
        )),
    }
}
