//! MCP tool servers fetched at every start without a pinned version (`npx -y pkg`, `uvx pkg`,
//! `pnpm dlx pkg`, `docker run image` without a digest) that receive credentials (`env`,
//! `headers`, credential arguments, `envFile`, `docker -e TOKEN`): whoever publishes the next
//! version of the package or image gets the tokens.

use crate::apptrust::mcp;
use crate::context::FileCx;
use crate::finding::Finding;
use crate::rules::Rule;

pub fn check_file(cx: &FileCx, rule: &Rule, out: &mut Vec<Finding>) {
    for s in mcp::servers(cx.parsed) {
        let Some((what, pinned)) = mcp::fetched(&s) else {
            continue;
        };
        if pinned {
            continue;
        }
        let handed = mcp::handed(&s);
        let mut names: Vec<String> = handed.iter().map(|h| format!("`{}`", h.place)).collect();
        if let Some(f) = s.node.get("envFile").and_then(|f| f.as_str()) {
            names.push(format!("the env file `{f}`"));
        }
        if names.is_empty() {
            continue;
        }
        let shown = if names.len() > 3 {
            format!("{} and {} more", names[..3].join(", "), names.len() - 3)
        } else {
            names.join(", ")
        };
        let span = s
            .node
            .get("args")
            .or_else(|| s.node.get("command"))
            .map(|n| n.span.clone())
            .unwrap_or_else(|| s.key_span.clone());
        let pin = if what.starts_with("image ") {
            "without a digest"
        } else {
            "without a pinned version"
        };
        out.push(rule.finding(
            cx.file,
            span,
            format!(
                "tool server `{}` runs `{what}` {pin} (fetched at start) and receives {shown}",
                s.name
            ),
        ));
    }
}
