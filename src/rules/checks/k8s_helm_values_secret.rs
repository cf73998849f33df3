//! Secret-like keys with literal values in Helm `values*.yaml` (`password`, `apiKey`,
//! `clientSecret`...). `existingSecret`-style references, empty, templated and placeholder
//! values are not reported.

use crate::context::FileCx;
use crate::finding::Finding;
use crate::kube::secrets;
use crate::lang::{Node, V};
use crate::redact::redact;
use crate::rules::Rule;
use crate::source::FileKind;

pub fn check_file(cx: &FileCx, rule: &Rule, out: &mut Vec<Finding>) {
    if cx.file.kind != FileKind::HelmValues {
        return;
    }
    for root in cx.parsed.roots() {
        walk(cx, rule, root, String::new(), 0, out);
    }
}

fn walk(cx: &FileCx, rule: &Rule, n: &Node, path: String, depth: usize, out: &mut Vec<Finding>) {
    if depth > 64 {
        return;
    }
    match &n.v {
        V::Map(es) => {
            // `extraEnv: [{name: API_TOKEN, value: "…"}]`
            if let (Some(name), Some(vn)) = (n.get("name").and_then(|x| x.as_str()), n.get("value"))
                && let V::Str(v) = &vn.v
                && secrets::judge_literal(name, v, false).is_some()
            {
                out.push(
                    rule.finding(
                        cx.file,
                        vn.span.clone(),
                        format!("Helm value `{path}` sets `{name}` to a literal secret (`{}`)", redact(v)),
                    )
                    .with_mask(vn.span.clone())
                    .with_fp_key(format!("{path}/{name}")),
                );
            }
            for e in es {
                let p = if path.is_empty() {
                    e.key.clone()
                } else {
                    format!("{path}.{}", e.key)
                };
                if let V::Str(s) = &e.value.v {
                    if secrets::judge_literal(&e.key, s, false).is_some() {
                        out.push(
                            rule.finding(
                                cx.file,
                                e.value.span.clone(),
                                format!("Helm value `{p}` is a literal secret (`{}`)", redact(s)),
                            )
                            .with_mask(e.value.span.clone())
                            .with_fp_key(p.clone()),
                        );
                    }
                } else {
                    walk(cx, rule, &e.value, p, depth + 1, out);
                }
            }
        }
        V::Seq(items) => {
            for (i, it) in items.iter().enumerate() {
                walk(cx, rule, it, format!("{path}[{i}]"), depth + 1, out);
            }
        }
        _ => {}
    }
}
