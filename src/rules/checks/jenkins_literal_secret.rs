//! Literal credentials in Jenkins configuration: `environment {}` assignments of a Jenkinsfile,
//! `password('…')`/`secret('…')` calls of Job DSL seeds, and secret fields or secret-named
//! `envVars` of Configuration-as-Code (`jenkins.yaml`). `${VAR}` references are not literals.

use crate::ci::{jenkins, literal, text};
use crate::context::FileCx;
use crate::finding::Finding;
use crate::lang::{Node, Span, V};
use crate::rules::Rule;
use crate::source::FileKind;

const CASC_SECRET_KEYS: &[&str] = &[
    "password",
    "secret",
    "token",
    "privateKey",
    "passphrase",
    "apiToken",
    "secretKey",
    "clientSecret",
    "secretText",
];

fn push(cx: &FileCx, rule: &Rule, out: &mut Vec<Finding>, what: &str, span: Span, value: &str) {
    out.push(
        rule.finding(
            cx.file,
            span.clone(),
            format!("literal secret `{}` in {what}", crate::redact::redact(value)),
        )
        .with_mask(span)
        .with_fp_key(what.to_string()),
    );
}

fn casc(n: &Node, cx: &FileCx, rule: &Rule, out: &mut Vec<Finding>, depth: usize) {
    if depth > 64 {
        return;
    }
    match &n.v {
        V::Map(es) => {
            // `- key: GITEA_TOKEN` / `value: …` pairs (envVars).
            if let (Some(k), Some(v)) = (n.get("key"), n.get("value"))
                && let (Some(k), Some(t)) = (text(k), text(v))
                && literal::literal_secret(&k, &t).is_some()
            {
                push(cx, rule, out, &format!("environment variable `{k}`"), v.span.clone(), &t);
            }
            for e in es {
                if CASC_SECRET_KEYS.contains(&e.key.as_str())
                    && !e.value.is_map()
                    && e.value.as_seq().is_none()
                    && let Some(t) = text(&e.value)
                    && literal::literal_password(&t)
                    && !t.trim().starts_with("${")
                {
                    push(cx, rule, out, &format!("`{}`", e.key), e.value.span.clone(), &t);
                }
                casc(&e.value, cx, rule, out, depth + 1);
            }
        }
        V::Seq(items) => {
            for i in items {
                casc(i, cx, rule, out, depth + 1);
            }
        }
        _ => {}
    }
}

pub fn check_file(cx: &FileCx, rule: &Rule, out: &mut Vec<Finding>) {
    let src = &*cx.file.text;
    for p in jenkins::pipelines(src, cx.file.kind) {
        let toks = jenkins::tokens(&p.text);
        let blocks = jenkins::blocks(&toks, p.text.len());
        for (name, span, value) in jenkins::environment_literals(&p.text, &toks, &blocks) {
            if value.contains('$') {
                continue;
            }
            if literal::literal_secret(&name, &value).is_some() {
                let span = p.base + span.start..p.base + span.end;
                push(cx, rule, out, &format!("`environment {{ {name} }}`"), span, &value);
            }
        }
    }
    match cx.file.kind {
        FileKind::Jenkinsfile => {}
        FileKind::JobDsl => {
            for (call, span, value) in jenkins::dsl_literals(src, &jenkins::tokens(src)) {
                if literal::literal_password(&value) && !value.contains('$') {
                    push(cx, rule, out, &format!("Job DSL `{call}(…)`"), span, &value);
                }
            }
        }
        FileKind::JenkinsCasc => {
            for root in cx.parsed.roots() {
                casc(root, cx, rule, out, 0);
            }
        }
        _ => {}
    }
}
