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
            out.push(
                rule.finding(
                    cx.file,
                    h.span.clone(),
                    format!(
                        "tool server `{}` is handed a literal credential in `{}` (`{}`)",
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
