//! docker-compose files with literal secrets: a service's `environment` (map or `KEY=value`
//! list) or `build.args` entry whose name is secret-like and whose value is a literal secret.
//! `${VAR}` interpolation, `*_FILE` variables pointing at `secrets:` and placeholders are clean.

use crate::context::FileCx;
use crate::finding::Finding;
use crate::kube::secrets::{secret_like_key, secret_like_value};
use crate::lang::Node;
use crate::redact::redact;
use crate::rules::Rule;

fn pairs(n: &Node) -> Vec<(String, &Node, Option<usize>)> {
    if let Some(items) = n.as_seq() {
        return items
            .iter()
            .filter_map(|i| {
                let s = i.as_str()?;
                let (k, _) = s.split_once('=')?;
                Some((k.trim().to_string(), i, Some(k.len() + 1)))
            })
            .collect();
    }
    n.entries()
        .iter()
        .map(|e| (e.key.clone(), &e.value, None))
        .collect()
}

pub fn check_file(cx: &FileCx, rule: &Rule, out: &mut Vec<Finding>) {
    for root in cx.parsed.roots() {
        for svc in root.get("services").map(|s| s.entries()).unwrap_or(&[]) {
            let places = [
                ("environment", svc.value.get("environment")),
                ("build.args", svc.value.path("build.args")),
            ];
            for (place, node) in places {
                let Some(node) = node else { continue };
                for (key, v, cut) in pairs(node) {
                    let Some(s) = v.scalar_text() else { continue };
                    let value = match cut {
                        Some(c) => s.get(c..).unwrap_or(""),
                        None => s.as_str(),
                    };
                    if !secret_like_key(&key) || value.contains("${") || !secret_like_value(value) {
                        continue;
                    }
                    let span = match (cut, cx.file.text.get(v.span.clone())) {
                        (Some(_), Some(raw)) => match raw.find(value) {
                            Some(i) => v.span.start + i..v.span.start + i + value.len(),
                            None => v.span.clone(),
                        },
                        _ => v.span.clone(),
                    };
                    out.push(
                        rule.finding(
                            cx.file,
                            span.clone(),
                            format!(
                                "service `{}` sets `{key}` in `{place}` to a literal secret (`{}`)",
                                svc.key,
                                redact(value)
                            ),
                        )
                        .with_mask(span)
                        .with_fp_key(format!("{}/{place}/{key}", svc.key)),
                    );
                }
            }
        }
    }
}
