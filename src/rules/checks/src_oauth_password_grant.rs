//! The OAuth 2.0 resource owner password credentials grant (`grant_type=password`): the client
//! handles a user's password, and the grant is removed from OAuth 2.1.

use crate::context::FileCx;
use crate::facts::code::{emit, finding, gate};
use crate::finding::Finding;
use crate::lang::code::lit;
use crate::lang::{Node, V};
use crate::rules::Rule;

const KEYWORDS: &[&str] = &[
    "grant_type",
    "grantType",
    "PasswordCredentialsToken",
    "LegacyApplicationClient",
    "ResourceOwnerPassword",
    "GrantType.PASSWORD",
    "PasswordTokenRequest",
    "RequestPasswordToken",
    "getAccessToken",
    "password.get_token",
];

fn is_password(n: &Node) -> bool {
    lit(n).is_some_and(|s| s == "password")
        || matches!(&n.v, V::Seq(items) if items.len() == 1 && is_password(&items[0]))
}

/// `("grant_type", "password")` as consecutive literals (url.Values.Set, Map.of, tuples).
fn consecutive(args: &[Node]) -> Option<&Node> {
    args.windows(2).find_map(|w| {
        (lit(&w[0]).is_some_and(|k| k == "grant_type" || k == "grantType") && is_password(&w[1]))
            .then_some(&w[1])
    })
}

pub fn check_file(cx: &FileCx, rule: &Rule, out: &mut Vec<Finding>) {
    let Some(t) = gate(cx.file, KEYWORDS) else {
        return;
    };
    let file = cx.file;
    let mut push = |span: crate::lang::Span, how: &str| {
        emit(
            out,
            finding(rule, file, span, format!("OAuth password grant ({how})"), false),
        );
    };
    for p in t.pairs() {
        let k = p.key.rsplit('.').next().unwrap_or(&p.key);
        if matches!(k, "grant_type" | "grantType" | "GrantType") && is_password(&p.value) {
            push(p.value.span.clone(), "`grant_type: password`");
        }
    }
    for c in t.calls() {
        if let Some(n) = consecutive(&c.args) {
            push(n.span.clone(), "`grant_type=password`");
        }
        for a in &c.args {
            if let V::Seq(items) = &a.v {
                for it in items {
                    if let V::Seq(kv) = &it.v
                        && let Some(n) = consecutive(kv)
                    {
                        push(n.span.clone(), "`grant_type=password`");
                    }
                }
            }
        }
        match c.name.as_str() {
            "PasswordCredentialsToken" => push(c.span.clone(), "`PasswordCredentialsToken`"),
            "LegacyApplicationClient" => push(c.span.clone(), "`LegacyApplicationClient`"),
            // C# IdentityModel `client.RequestPasswordTokenAsync(new PasswordTokenRequest { … })`.
            "RequestPasswordTokenAsync" => push(c.span.clone(), "`RequestPasswordTokenAsync`"),
            // PHP league/oauth2-client `$provider->getAccessToken('password', [...])`.
            "getAccessToken" if c.args.first().is_some_and(is_password) => {
                push(c.span.clone(), "`getAccessToken('password', …)`")
            }
            // Ruby oauth2 `client.password.get_token(user, pass)`.
            "get_token" if c.callee.ends_with(".password.get_token") => {
                push(c.span.clone(), "`password.get_token`")
            }
            _ => {}
        }
    }
    for s in t.strings() {
        if let V::Str(v) = &s.v
            && v.split(['&', '?', ' ']).any(|p| p == "grant_type=password")
        {
            push(s.span.clone(), "`grant_type=password` in a request body");
        }
    }
    for (name, span, parent) in t.identifiers(&[
        "ResourceOwnerPasswordResourceDetails",
        "ResourceOwnerPasswordCredentialsGrant",
        "PASSWORD",
    ]) {
        if name != "PASSWORD" || parent.ends_with("AuthorizationGrantType.PASSWORD") {
            push(span, &format!("`{}`", if name == "PASSWORD" { parent } else { name }));
        }
    }
}
