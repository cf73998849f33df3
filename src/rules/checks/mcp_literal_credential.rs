//! MCP client configurations that hand a tool server a credential written in the file: an
//! `env` value or a `headers` value with a secret-like name, a `--token x` / `KEY=x` argument,
//! or a value of a known token shape anywhere in `args`. `${input:x}` prompts, `${env:X}` and
//! `${X}` references are not literals.

use crate::apptrust::mcp::{self, Source};
use crate::context::FileCx;
use crate::finding::Finding;
use crate::redact::redact;
use crate::rules::Rule;

pub fn check_file(cx: &FileCx, rule: &Rule, out: &mut Vec<Finding>) {
    for s in mcp::servers(cx.parsed) {
        for h in mcp::handed(&s) {
            let Source::Literal(v) = &h.source else { continue };
            let t = v.trim().trim_start_matches("Bearer ").trim_start_matches("token ");
            let broad = if t.starts_with("ghp_") {
                ": a classic GitHub personal access token, valid for every repository its owner can reach"
            } else if t.starts_with("xoxp-") {
                ": a Slack user token, acting as its owner"
            } else {
                ""
            };
            out.push(
                rule.finding(
                    cx.file,
                    h.span.clone(),
                    format!(
                        "tool server `{}` is handed a literal credential in `{}` (`{}`){broad}",
                        s.name,
                        h.place,
                        redact(v)
                    ),
                )
                .with_mask(h.span.clone())
                .with_fp_key(format!("{}/{}", s.address, h.place)),
            );
        }
    }
}
