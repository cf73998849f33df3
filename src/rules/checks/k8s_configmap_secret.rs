//! ConfigMaps holding secrets: a secret-like key with a literal secret-like value, a
//! `key=value` line of an embedded config file with one, or a private key.

use crate::context::FileCx;
use crate::finding::Finding;
use crate::kube::{self, secrets};
use crate::redact::redact;
use crate::rules::Rule;

pub fn check_file(cx: &FileCx, rule: &Rule, out: &mut Vec<Finding>) {
    for o in kube::file_objects(cx.file, cx.parsed) {
        if o.kind != "ConfigMap" || kube::is_sops(cx.file, &o.node) {
            continue;
        }
        for e in o.node.get("data").map(|d| d.entries()).unwrap_or(&[]) {
            let Some(v) = e.value.as_str() else { continue };
            let mut push = |span: std::ops::Range<usize>, what: String, secret: &str| {
                out.push(
                    rule.finding(
                        cx.file,
                        span.clone(),
                        format!("{} holds {what} (`{}`)", o.describe(), redact(secret)),
                    )
                    .with_mask(span)
                    .with_fp_key(format!("{}/{what}", o.describe())),
                );
            };
            if v.contains("PRIVATE KEY-----") {
                if secrets::private_key_body(v) {
                    push(e.value.span.clone(), format!("a private key in `{}`", e.key), v);
                }
            } else if !v.contains('\n') {
                if secrets::judge_literal(&e.key, v, false).is_some() {
                    push(e.value.span.clone(), format!("a literal `{}`", e.key), v);
                }
            } else {
                for (line, k, val) in secrets::config_lines(v) {
                    let span = secrets::line_span(&cx.file.text, &e.value.span, line);
                    push(span, format!("a literal `{k}` in `{}`", e.key), val);
                }
            }
        }
    }
}
