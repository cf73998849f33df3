//! TLS certificate verification switched off for a client: `verify=False`,
//! `rejectUnauthorized: false`, `NODE_TLS_REJECT_UNAUTHORIZED=0`, `InsecureSkipVerify: true`,
//! trust-all `X509TrustManager` and allow-all hostname verifiers (Java, Kotlin), certificate
//! validation callbacks that return `true` (C#), `VERIFY_NONE` (Ruby), cURL / Guzzle / stream
//! options (PHP).

use crate::context::FileCx;
use crate::facts::code::{emit, finding, gate, gate_both, sends_credentials};
use crate::finding::{Finding, Severity};
use crate::lang::{Span, V};
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
    "checkServerTrusted",
    "NoopHostnameVerifier",
    "ALLOW_ALL_HOSTNAME_VERIFIER",
    "TrustAllStrategy",
    "_create_unverified_context",
    "CERT_NONE",
    "ssl=False",
    "ValidationCallback",
    "DangerousAcceptAnyServerCertificateValidator",
    "VERIFY_NONE",
    "verify: false",
    "CURLOPT_SSL_VERIFY",
    "verify_peer",
    "'verify' =>",
    "\"verify\" =>",
];

/// Hostname verifier APIs: parsed only with a lambda or method that returns `true` in the file
/// (TLS libraries mention `HostnameVerifier` in most files).
const VERIFIERS: &[&str] = &["HostnameVerifier", "hostnameVerifier"];
const TRUE_TOKENS: &[&str] = &["-> true", "->true", "return true", "=> true", "=>true"];

/// Keys of literal entries (dictionaries, hashes, arrays, keyword arguments) that switch
/// verification off when `false` / `0`.
const OFF_WHEN_FALSE: &[&str] = &[
    "verify",
    "verify_ssl",
    "ssl_verify",
    "verify_peer",
    "verify_peer_name",
    "ssl_verify_peer",
    "CURLOPT_SSL_VERIFYPEER",
    "CURLOPT_SSL_VERIFYHOST",
];

/// C# certificate validation callbacks (a lambda returning `true` accepts every certificate).
const CALLBACKS: &[&str] = &[
    "ServerCertificateCustomValidationCallback",
    "ServerCertificateValidationCallback",
    "RemoteCertificateValidationCallback",
    "CertificateValidationCallback",
];

pub fn check_file(cx: &FileCx, rule: &Rule, out: &mut Vec<Finding>) {
    let Some(t) = gate(cx.file, KEYWORDS).or_else(|| gate_both(cx.file, VERIFIERS, TRUE_TOKENS))
    else {
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
            && c.args.first().map(|a| t.resolve(a)).is_some_and(|a| {
                t.always_true(&a)
                    // Kotlin `HostnameVerifier { _, _ -> true }`
                    || matches!(&a.v, V::Call(f, xs) if f.ends_with("HostnameVerifier") && xs.first().is_some_and(|l| t.always_true(l)))
            })
        {
            push(c.span.clone(), format!("hostname verification disabled (`{}` accepts every host)", c.name));
        }
        // Faraday / aiohttp: `ssl: { verify: false }`.
        if let Some(v) = c.kwarg("ssl").map(|v| t.resolve(v))
            && let Some(off) = v.get("verify").filter(|x| is_false(x))
        {
            push(off.span.clone(), format!("TLS certificate verification disabled (`ssl: {{ verify: false }}` in `{}`)", c.callee));
        }
        // PHP `curl_setopt($ch, CURLOPT_SSL_VERIFYPEER, false)`.
        if c.name == "curl_setopt"
            && let (Some(opt), Some(v)) = (c.args.get(1).and_then(expr), c.args.get(2))
            && matches!(opt, "CURLOPT_SSL_VERIFYPEER" | "CURLOPT_SSL_VERIFYHOST")
            && is_false(&t.resolve(v))
        {
            push(v.span.clone(), format!("TLS certificate verification disabled (`{opt}` off)"));
        }
    }
    // `jwt.decode(token, verify=False)` is the JWT rule's business.
    let in_jwt_call = |at: usize| {
        t.calls()
            .iter()
            .filter(|c| c.args_span.start <= at && at < c.args_span.end)
            .min_by_key(|c| c.args_span.len())
            .is_some_and(|c| {
                let l = c.callee.to_ascii_lowercase();
                l.contains("jwt") || l.contains("jose")
            })
    };
    for p in t.pairs() {
        let key = p.key.rsplit(['.', ':', '>']).next().unwrap_or(&p.key);
        // Ruby `verify_mode = OpenSSL::SSL::VERIFY_NONE`, Python `ctx.verify_mode = ssl.CERT_NONE`.
        if let Some(e) = expr(&t.resolve(&p.value))
            && (e.ends_with("SSL::VERIFY_NONE") || (key.contains("verify_mode") && e.ends_with("CERT_NONE")))
        {
            push(p.span.clone(), format!("TLS certificate verification disabled (`{key}` is `{}`)", e.rsplit([':', '.']).next().unwrap_or(e)));
            continue;
        }
        // C#: a validation callback that accepts every certificate.
        if CALLBACKS.contains(&key) && t.always_true(&p.value) {
            push(p.span.clone(), format!("TLS certificate verification disabled (`{key}` returns `true` for every certificate)"));
            continue;
        }
        // `'verify' => false` (Guzzle), `verify: false` (HTTParty), `CURLOPT_SSL_VERIFYPEER => false`.
        // (The value's span: a keyword argument seen by the call loop above is reported once.)
        if p.entry && OFF_WHEN_FALSE.contains(&key) && is_false(&p.value) && !in_jwt_call(p.span.start) {
            push(p.value.span.clone(), format!("TLS certificate verification disabled (`{key}` off)"));
            continue;
        }
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
    for (name, span, _) in t.identifiers(&["NoopHostnameVerifier", "ALLOW_ALL_HOSTNAME_VERIFIER", "TrustAllStrategy", "InsecureTrustManagerFactory", "DangerousAcceptAnyServerCertificateValidator"]) {
        push(span, format!("certificate or hostname checks disabled (`{name}`)"));
    }
}
