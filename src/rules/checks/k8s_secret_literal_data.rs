//! Literal credentials in a Secret's `data`/`stringData` (and Kustomize `secretGenerator`
//! literals), judged by meaning ([`secrets::judge_literal`]): `data` is decoded, settings and
//! identifiers (`type`, `url`, `insecure`, ids, timestamps), placeholders, elisions and fixture
//! values are not credentials, a neutral key needs a random-looking value, and an embedded config
//! file is judged line by line. Not reported either: templated values, public certificates,
//! SOPS-encrypted files; SealedSecret and ExternalSecret are other kinds and never match.

use crate::context::FileCx;
use crate::finding::Finding;
use crate::kube::{self, lit, secrets};
use crate::redact::redact;
use crate::rules::Rule;
use crate::source::FileKind;

pub fn check_file(cx: &FileCx, rule: &Rule, out: &mut Vec<Finding>) {
    if cx.file.kind == FileKind::Kustomization {
        return generator(cx, rule, out);
    }
    for o in kube::file_objects(cx.file, cx.parsed) {
        if o.kind != "Secret" || kube::is_sops(cx.file, &o.node) {
            continue;
        }
        for key in ["data", "stringData"] {
            for e in o.node.get(key).map(|d| d.entries()).unwrap_or(&[]) {
                let Some(raw) = lit(Some(&e.value)) else { continue };
                let value = if key == "data" {
                    match secrets::b64decode(raw.trim()) {
                        Some(b) => String::from_utf8_lossy(&b).into_owned(),
                        None => raw.clone(),
                    }
                } else {
                    raw.clone()
                };
                let v = value.trim();
                let wrapped = v.contains('\n')
                    && v.lines().all(|l| {
                        l.trim().bytes().all(|c| {
                            c.is_ascii_alphanumeric() || matches!(c, b'+' | b'/' | b'=')
                        })
                    });
                if v.contains('\n') && !wrapped && !v.contains("PRIVATE KEY-----") {
                    // an embedded config file: its secret-like lines
                    for (line, k, val) in secrets::config_lines(v) {
                        let span = secrets::line_span(&cx.file.text, &e.value.span, line);
                        out.push(
                            rule.finding(
                                cx.file,
                                span.clone(),
                                format!(
                                    "{} holds a literal `{k}` in `{}` (`{}`)",
                                    o.describe(),
                                    e.key,
                                    redact(val)
                                ),
                            )
                            .with_mask(span)
                            .with_fp_key(format!("{}/{}/{k}", o.describe(), e.key)),
                        );
                    }
                    continue;
                }
                let k = e.key.to_ascii_lowercase();
                let public = (k.ends_with(".crt") || k.ends_with(".pem") || k.ends_with(".pub"))
                    && !v.contains("PRIVATE KEY");
                if public {
                    continue;
                }
                let Some(conf) = secrets::judge_literal(&e.key, v, true) else {
                    continue;
                };
                out.push(
                    rule.finding(
                        cx.file,
                        e.value.span.clone(),
                        format!(
                            "{} holds a literal value for `{}` (`{}`)",
                            o.describe(),
                            e.key,
                            redact(v)
                        ),
                    )
                    .with_mask(e.value.span.clone())
                    .with_confidence(conf.min(rule.card.confidence))
                    .with_fp_key(format!("{}/{}", o.describe(), e.key)),
                );
            }
        }
    }
}

/// `secretGenerator: [{name, literals: ["KEY=value"]}]` in a kustomization.
fn generator(cx: &FileCx, rule: &Rule, out: &mut Vec<Finding>) {
    for root in cx.parsed.roots() {
        for g in root.get("secretGenerator").and_then(|s| s.as_seq()).unwrap_or(&[]) {
            let name = g.get("name").and_then(|n| n.as_str()).unwrap_or("?");
            for l in g.get("literals").and_then(|s| s.as_seq()).unwrap_or(&[]) {
                let Some(s) = l.as_str() else { continue };
                let Some((k, v)) = s.split_once('=') else { continue };
                let v = v.trim().trim_matches(['"', '\'']);
                if secrets::judge_literal(k.trim(), v, true).is_none() {
                    continue;
                }
                out.push(
                    rule.finding(
                        cx.file,
                        l.span.clone(),
                        format!(
                            "secretGenerator `{name}` holds a literal value for `{}` (`{}`)",
                            k.trim(),
                            redact(v)
                        ),
                    )
                    .with_mask(l.span.clone())
                    .with_fp_key(format!("{name}/{}", k.trim())),
                );
            }
        }
    }
}
