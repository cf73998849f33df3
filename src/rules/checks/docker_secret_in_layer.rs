//! Dockerfiles that bake secrets into the image: `ARG` with a secret-like name (build arguments
//! are recorded in the image history) and `ENV` setting one (kept in the image configuration of
//! every container). `RUN --mount=type=secret` is the fix and is never reported; `*_FILE`,
//! `*_PATH` names and empty values are not secrets.

use crate::apptrust::scripts;
use crate::context::FileCx;
use crate::finding::Finding;
use crate::kube::secrets::secret_like_key;
use crate::redact::redact;
use crate::rules::Rule;

pub fn check_file(cx: &FileCx, rule: &Rule, out: &mut Vec<Finding>) {
    let text = &cx.file.text;
    for c in scripts::commands(text) {
        let Some(first) = c.words.first() else { continue };
        let inst = first.to_ascii_uppercase();
        if inst != "ARG" && inst != "ENV" {
            continue;
        }
        let raw = &text[c.span.clone()];
        let args = &c.words[1..];
        // `ENV NAME value` (legacy form): one pair.
        let pairs: Vec<(String, String)> = if inst == "ENV" && args.len() >= 2 && !args[0].contains('=') {
            vec![(args[0].clone(), args[1..].join(" "))]
        } else {
            args.iter()
                .map(|a| match a.split_once('=') {
                    Some((k, v)) => (k.to_string(), v.to_string()),
                    None => (a.clone(), String::new()),
                })
                .collect()
        };
        for (name, value) in pairs {
            if !secret_like_key(&name) {
                continue;
            }
            let value = value.trim();
            let (msg, mask) = if inst == "ARG" {
                let shown = if value.is_empty() || value.starts_with('$') {
                    String::new()
                } else {
                    format!(" with a default (`{}`)", redact(value))
                };
                (
                    format!("`ARG {name}`{shown} passes a secret as a build argument: its value is recorded in the image history"),
                    !value.is_empty(),
                )
            } else {
                if value.is_empty() || value == "\"\"" {
                    continue;
                }
                let from = if value.starts_with('$') {
                    format!(" from `{value}`")
                } else {
                    format!(" (`{}`)", redact(value))
                };
                (
                    format!("`ENV {name}`{from} bakes a secret into the image configuration of every container"),
                    !value.starts_with('$'),
                )
            };
            // Locate the name (and the literal value) in the instruction.
            let at = raw.find(&name).map(|i| c.span.start + i).unwrap_or(c.span.start);
            let mut f = rule.finding(cx.file, at..at + name.len(), msg);
            if mask
                && let Some(i) = raw.find(value)
                && !value.is_empty()
            {
                let s = c.span.start + i;
                f = f.with_mask(s..s + value.len());
            }
            out.push(f.with_fp_key(format!("{inst} {name}")));
        }
    }
}
