//! All-powerful OAuth scopes requested by code: `*` and Google's `cloud-platform`.

use crate::engine::FileCx;
use crate::facts::code::{emit, finding, gate, gate_both};
use crate::lang::code;
use crate::finding::Finding;
use crate::lang::{Node, V};
use crate::rules::Rule;

const SCOPE_WORDS: &[&str] = &["scope", "Scope", "SCOPE"];
const STAR: &[&str] = &["\"*\"", "'*'", "`*`", " * ", "\"* ", " *\""];
const CLOUD_PLATFORM: &str = "https://www.googleapis.com/auth/cloud-platform";

/// A `*` scope in a string (space-separated scopes), a list or a call building a list.
fn wildcard(n: &Node) -> Option<&Node> {
    match &n.v {
        V::Str(s) if s.split([' ', ',']).any(|p| p == "*") => Some(n),
        V::Seq(items) => items.iter().find_map(wildcard),
        V::Call(_, args) => args.iter().find_map(wildcard),
        _ => None,
    }
}

pub fn check_file(cx: &FileCx, rule: &Rule, out: &mut Vec<Finding>) {
    // Parse only files with the Google scope, or with both a scope name and a `*` literal.
    let t = if code::prefilter(cx.file, &["cloud-platform"]) {
        gate(cx.file, &["cloud-platform"])
    } else {
        gate_both(cx.file, STAR, SCOPE_WORDS)
    };
    let Some(t) = t else {
        return;
    };
    for s in t.strings() {
        if let V::Str(v) = &s.v
            && v.split([' ', ','])
                .any(|p| p == CLOUD_PLATFORM || p == "cloud-platform" && v.len() < 20)
        {
            emit(
                out,
                finding(
                    rule,
                    cx.file,
                    s.span.clone(),
                    "OAuth scope `cloud-platform` (full access to every Google Cloud API)".into(),
                    false,
                ),
            );
        }
    }
    for p in t.pairs() {
        if p.key.to_ascii_lowercase().contains("scope")
            && let Some(w) = wildcard(&p.value)
        {
            emit(
                out,
                finding(rule, cx.file, w.span.clone(), format!("wildcard OAuth scope `*` in `{}`", p.key), false),
            );
        }
    }
    for c in t.calls() {
        if c.name.to_ascii_lowercase().contains("scope")
            && let Some(w) = c.args.iter().find_map(wildcard)
        {
            emit(
                out,
                finding(rule, cx.file, w.span.clone(), format!("wildcard OAuth scope `*` passed to `{}`", c.name), false),
            );
        }
    }
}
