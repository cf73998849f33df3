//! TLS certificate verification switched off for a client: `verify=False`,
//! `rejectUnauthorized: false`, `NODE_TLS_REJECT_UNAUTHORIZED=0`, `InsecureSkipVerify: true`,
//! trust-all `X509TrustManager` and allow-all hostname verifiers.

use crate::context::FileCx;
use crate::facts::code::{emit, finding, gate, sends_credentials};
use crate::finding::{Finding, Severity};
use crate::lang::Span;
use crate::lang::code::{expr, is_false, is_true, lit};
use crate::rules::Rule;

const KEYWORDS: &[&str] = &[
    "verify=False",
    "verify = False",
    "verify=0",
    "verify_ssl",
    "ssl_verify",
    "InsecureTrustManagerFactory",
    "rejectUnauthorized",
    "NODE_TLS_REJECT_UNAUTHORIZED",
    "strictSSL",
    "InsecureSkipVerify",
    "X509TrustManager",
    "HostnameVerifier",
    "TrustAllStrategy",
    "_create_unverified_context",
    "CERT_NONE",
    "ssl=False",
];

pub fn check_file(cx: &FileCx, rule: &Rule, out: &mut Vec<Finding>) {
    let Some(t) = gate(cx.file, KEYWORDS) else {
        return;
    };
    let authed = sends_credentials(cx.file);
    let file = cx.file;
    let mut push = |span: Span, what: String| {
        let (msg, sev) = if authed {
            (format!("{what} in a file that sends credentials"), rule.severity)
        } else {
            (what, rule.severity.lower().max(Severity::Medium))
        };
        emit(out, finding(rule, file, span, msg, false).with_severity(sev));
    };
    for c in t.calls() {
        let lname = c.callee.to_ascii_lowercase();
        if lname.contains("jwt") || lname.contains("jose") {
            continue;
        }
        for key in ["verify", "verify_ssl", "ssl_verify", "ssl"] {
            if let Some(v) = c.kwarg(key).filter(|v| is_false(&t.resolve(v))) {
                push(
                    v.span.clone(),
                    format!("TLS certificate verification disabled (`{key}=False` in `{}`)", c.callee),
                );
            }
        }
        if let Some(v) = c.kwarg("cert_reqs").filter(|v| {
            lit(v).is_some_and(|s| s == "CERT_NONE") || expr(v).is_some_and(|e| e.ends_with("CERT_NONE"))
        }) {
            push(v.span.clone(), "TLS certificate verification disabled (`cert_reqs=CERT_NONE`)".into());
        }
        if c.name == "_create_unverified_context" {
            push(c.span.clone(), "unverified TLS context (`ssl._create_unverified_context()`)".into());
        }
        if matches!(c.name.as_str(), "setHostnameVerifier" | "setDefaultHostnameVerifier" | "hostnameVerifier")
            && c.args.first().and_then(expr).is_some_and(|e| {
                let e: String = e.chars().filter(|c| !c.is_whitespace()).collect();
                e.ends_with("->true") || e.ends_with("->{returntrue;}")
            })
        {
            push(c.span.clone(), format!("hostname verification disabled (`{}` accepts every host)", c.name));
        }
    }
    for p in t.pairs() {
        let key = p.key.rsplit('.').next().unwrap_or(&p.key);
        match key {
            "rejectUnauthorized" | "strictSSL" if is_false(&t.resolve(&p.value)) => push(
                p.span.clone(),
                format!("TLS certificate verification disabled (`{key}: false`)"),
            ),
            "NODE_TLS_REJECT_UNAUTHORIZED" if is_false(&p.value) => push(
                p.span.clone(),
                "TLS certificate verification disabled for the whole Node.js process (`NODE_TLS_REJECT_UNAUTHORIZED=0`)".into(),
            ),
            // `session.verify = False` (requests): every request of the session.
            "verify" | "verify_ssl" if p.key.contains('.') && is_false(&p.value) => push(
                p.span.clone(),
                format!("TLS certificate verification disabled (`{} = False`)", p.key),
            ),
            "InsecureSkipVerify" if is_true(&t.resolve(&p.value)) => push(
                p.span.clone(),
                "TLS certificate verification disabled (`InsecureSkipVerify: true`)".into(),
            ),
            _ => {}
        }
    }
    for span in t.empty_methods("checkServerTrusted") {
        push(span, "trust-all `X509TrustManager` (`checkServerTrusted` accepts every certificate)".into());
    }
    for (name, span, _) in t.identifiers(&["NoopHostnameVerifier", "ALLOW_ALL_HOSTNAME_VERIFIER", "TrustAllStrategy", "InsecureTrustManagerFactory"]) {
        push(span, format!("certificate or hostname checks disabled (`{name}`)"));
    }
}
