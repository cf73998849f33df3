//! GitLab `id_tokens` that reach further than one relying party: tokens with several audiences
//! (each accepts the other's token), without an audience, or declared under `default:` so that
//! every job of the pipeline can mint them.

use crate::ci::others::audiences;
use crate::context::FileCx;
use crate::finding::Finding;
use crate::rules::Rule;
use crate::source::FileKind;

pub fn check_file(cx: &FileCx, rule: &Rule, out: &mut Vec<Finding>) {
    if cx.file.kind != FileKind::GitlabCi {
        return;
    }
    for root in cx.parsed.roots() {
        if let Some(d) = root.path("default.id_tokens") {
            for e in d.entries() {
                out.push(
                    rule.finding(
                        cx.file,
                        e.key_span.clone(),
                        format!(
                            "ID token `{}` is declared under `default:` so every job of the pipeline can mint it",
                            e.key
                        ),
                    )
                    .with_fp_key(format!("default:{}", e.key)),
                );
            }
        }
        root.walk(&mut |n| {
            let Some(toks) = n.get("id_tokens") else {
                return;
            };
            for e in toks.entries() {
                let auds = audiences(&e.value);
                let real: Vec<&String> = auds
                    .iter()
                    .map(|(a, _)| a)
                    .filter(|a| !a.trim().is_empty())
                    .collect();
                let msg = if real.is_empty() {
                    format!("ID token `{}` has no audience (`aud`)", e.key)
                } else if real.iter().any(|a| a.trim() == "*") {
                    format!("ID token `{}` has the wildcard audience `*`", e.key)
                } else if real.len() > 1 {
                    format!(
                        "ID token `{}` is valid for {} audiences, so each relying party can replay it to the others",
                        e.key,
                        real.len()
                    )
                } else {
                    continue;
                };
                out.push(
                    rule.finding(cx.file, e.key_span.clone(), msg)
                        .with_fp_key(format!("aud:{}", e.key)),
                );
            }
        });
    }
}
