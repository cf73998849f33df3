//! Literal secret-like `env[].value` in containers, init containers and ephemeral containers of
//! every workload kind. `valueFrom` (secretKeyRef...) and templated values are never reported.

use crate::context::FileCx;
use crate::finding::Finding;
use crate::kube::{self, secrets};
use crate::redact::redact;
use crate::rules::Rule;

pub fn check_file(cx: &FileCx, rule: &Rule, out: &mut Vec<Finding>) {
    for o in kube::file_objects(cx.file, cx.parsed) {
        let Some(pod) = o.pod_spec() else { continue };
        for (list, c) in kube::containers(pod) {
            let cname = c.get("name").and_then(|n| n.as_str()).unwrap_or("?");
            for e in c.get("env").and_then(|e| e.as_seq()).unwrap_or(&[]) {
                let (Some(name), Some(v)) = (
                    e.get("name").and_then(|n| n.as_str()),
                    e.get("value").and_then(|v| v.as_str()),
                ) else {
                    continue;
                };
                if secrets::judge_literal(name, v, false).is_none() {
                    continue;
                }
                let span = e.get("value").map(|v| v.span.clone()).unwrap_or(e.span.clone());
                out.push(
                    rule.finding(
                        cx.file,
                        span.clone(),
                        format!(
                            "{} {} `{cname}` sets `{name}` to a literal (`{}`)",
                            o.describe(),
                            list.trim_end_matches('s'),
                            redact(v)
                        ),
                    )
                    .with_mask(span)
                    .with_fp_key(format!("{}/{cname}/{name}", o.describe())),
                );
            }
        }
    }
}
