//! All-powerful OAuth scopes requested by code: `*` and Google's `cloud-platform`.

use crate::context::FileCx;
use crate::facts::code::{emit, finding, gate, gate_both};
use crate::lang::code;
use crate::finding::Finding;
use crate::lang::{Node, V};
use crate::rules::Rule;

const SCOPE_WORDS: &[&str] = &["scope", "Scope", "SCOPE"];
const STAR: &[&str] = &["\"*\"", "'*'", "`*`", " * ", "\"* ", " *\""];
/// Words of OAuth client code: the wildcard check runs only where one of them occurs.
const OAUTH_WORDS: &[&str] = &[
    "oauth", "OAuth", "OAUTH", "oidc", "OIDC", "Oidc", "token_url", "tokenUrl", "TokenURL",
    "token_endpoint", "client_credentials", "ClientCredentials", "clientcredentials", "authorize",
];

/// `scope`, `scopes`, `oauth_scopes`, `OAuthScopes`, `default_scopes` (last path segment).
fn is_scope_key(key: &str) -> bool {
    let last = key.rsplit('.').next().unwrap_or(key);
    let n: String = last
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect();
    matches!(
        n.as_str(),
        "scope" | "scopes" | "oauthscope" | "oauthscopes" | "defaultscopes" | "requestedscopes"
    )
}

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
    // `*` only counts in files that speak OAuth (RBAC ACLs have a `Scope: "*"` too).
    if !code::prefilter(cx.file, OAUTH_WORDS) {
        return;
    }
    for p in t.pairs() {
        if is_scope_key(&p.key)
            && let Some(w) = wildcard(&t.resolve(&p.value))
        {
            emit(
                out,
                finding(rule, cx.file, w.span.clone(), format!("wildcard OAuth scope `*` in `{}`", p.key), false),
            );
        }
    }
    for c in t.calls() {
        let name = c.name.to_ascii_lowercase();
        if matches!(
            name.as_str(),
            "scopes" | "withscopes" | "setscopes" | "setscope" | "addscope" | "addscopes" | "requestscopes"
        ) && let Some(w) = c.args.iter().map(|a| t.resolve(a)).find_map(|a| wildcard(&a).cloned())
        {
            emit(
                out,
                finding(rule, cx.file, w.span.clone(), format!("wildcard OAuth scope `*` passed to `{}`", c.name), false),
            );
        }
    }
}
