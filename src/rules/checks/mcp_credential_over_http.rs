//! Remote MCP tool servers reached over plain `http://` (not loopback) with credentials in
//! `headers`: the token crosses the network in clear text.

use crate::apptrust::mcp;
use crate::context::FileCx;
use crate::finding::Finding;
use crate::rules::Rule;

fn loopback(url: &str) -> bool {
    let rest = url.trim_start_matches("http://");
    let host = rest.split(['/', ':', '?']).next().unwrap_or("");
    matches!(host, "localhost" | "127.0.0.1" | "[::1]" | "0.0.0.0" | "host.docker.internal")
}

pub fn check_file(cx: &FileCx, rule: &Rule, out: &mut Vec<Finding>) {
    for s in mcp::servers(cx.parsed) {
        let Some(u) = s
            .node
            .get("url")
            .or_else(|| s.node.get("httpUrl"))
            .or_else(|| s.node.get("serverUrl"))
        else {
            continue;
        };
        let Some(url) = u.as_str() else { continue };
        if !url.to_ascii_lowercase().starts_with("http://") || loopback(url) {
            continue;
        }
        let handed: Vec<String> = mcp::handed(&s)
            .iter()
            .filter(|h| h.place.starts_with("headers."))
            .map(|h| format!("`{}`", h.place))
            .collect();
        if handed.is_empty() {
            continue;
        }
        out.push(rule.finding(
            cx.file,
            u.span.clone(),
            format!(
                "tool server `{}` is called over plain http and sent {}",
                s.name,
                handed.join(", ")
            ),
        ));
    }
}
