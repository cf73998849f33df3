//! `--format json`: the frozen v1 contract of DESIGN.md.

use crate::context::Report;
use serde_json::json;

pub fn render(report: &Report) -> String {
    let v = json!({
        "version": 1,
        "tool": { "name": "nhilint", "version": env!("CARGO_PKG_VERSION") },
        "findings": report.findings,
        "errors": report.errors.iter().map(|e| {
            let mut o = json!({ "path": e.path, "message": e.message });
            if let Some(l) = e.line { o["line"] = json!(l); }
            o
        }).collect::<Vec<_>>(),
        "stats": report.stats,
    });
    let mut s = serde_json::to_string_pretty(&v).unwrap_or_default();
    s.push('\n');
    s
}
