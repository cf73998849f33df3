//! Bitbucket pipes not pinned to a full version or digest that receive secrets through their
//! `variables:`: whoever can push the pipe's image tag gets the secret.

use crate::ci::literal::secretish_key;
use crate::ci::others::{bitbucket_pipes, pipe_pinned};
use crate::ci::text_or_empty;
use crate::context::FileCx;
use crate::finding::{Confidence, Finding};
use crate::rules::Rule;
use crate::source::FileKind;


pub fn check_file(cx: &FileCx, rule: &Rule, out: &mut Vec<Finding>) {
    if cx.file.kind != FileKind::Bitbucket {
        return;
    }
    for root in cx.parsed.roots() {
        for (pipe, pn, item) in bitbucket_pipes(root) {
            if pipe_pinned(&pipe) {
                continue;
            }
            let mut secrets = Vec::new();
            for e in item.get("variables").map(|v| v.entries()).unwrap_or(&[]) {
                let v = text_or_empty(&e.value);
                let refs = crate::ci::shell_vars(&v);
                if refs.iter().any(|r| secretish_key(r)) || (!refs.is_empty() && secretish_key(&e.key)) {
                    secrets.push(e.key.clone());
                }
            }
            if secrets.is_empty() {
                continue;
            }
            let shown: Vec<String> = secrets.iter().take(4).map(|s| format!("`{s}`")).collect();
            let mut f = rule
                .finding(
                    cx.file,
                    pn.span.clone(),
                    format!(
                        "pipe `{pipe}` is not pinned to a full version or digest and receives secrets in {}",
                        shown.join(", ")
                    ),
                )
                .with_fp_key(pipe.clone());
            if pipe.starts_with("atlassian/") {
                f = f.with_confidence(Confidence::Medium);
            }
            out.push(f);
        }
    }
}
