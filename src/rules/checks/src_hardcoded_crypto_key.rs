//! Literal signing and encryption keys handed to crypto and JWT APIs: `jwt.sign(payload, '…')`,
//! `jwt.encode(claims, '…')`, `SignedString([]byte("…"))`, `Algorithm.HMAC256("…")`,
//! `Keys.hmacShaKeyFor(…)`, `new SecretKeySpec(…)`, `hmac.new(b'…')`, `crypto.createHmac(alg, '…')`,
//! `AES.new(b'…')`, `Fernet(b'…')`, `aes.NewCipher(…)`. The key argument is followed through local
//! assignments and byte conversions (`KEY.getBytes(UTF_8)`), so a constant declared at the top of
//! the class is found at the call that uses it.

use crate::context::FileCx;
use crate::facts::code::{JWT_LIBS, emit, finding, gate, gate_both, short};
use crate::finding::Finding;
use crate::lang::code::{Call, CodeTree, lit};
use crate::lang::{Node, V};
use crate::redact::redact;
use crate::rules::Rule;

/// Names of key-taking APIs that are specific enough to parse a file for.
const KEYWORDS: &[&str] = &[
    "SignedString",
    "HMAC",
    "hmac",
    "Hmac",
    "SecretKeySpec",
    "createCipher",
    "createDecipher",
    "AES.new",
    "DES3.new",
    "ChaCha20",
    "AESGCM",
    "Fernet",
    "NewCipher",
    "SigningKey",
    "signWith",
    "SymmetricSecurityKey",
    "openssl_encrypt",
    "openssl_decrypt",
    "new Key(",
];

/// `sign`, `encode`, `decode`, `verify` only count on JWT libraries: a file is parsed for them
/// only when it also names one (`encodeUtf8`, `verify(` alone are everywhere).
const JWT_CALLS: &[&str] = &["sign", "encode", "decode", "verify"];

/// The key argument of a call that takes a signing or encryption key, and what the key is for.
fn key_arg(c: &Call) -> Option<(&Node, &'static str)> {
    let lc = c.callee.to_ascii_lowercase();
    let jwtish = lc.contains("jwt") || lc.contains("jose") || lc.contains("jws");
    match c.name.as_str() {
        "sign" | "encode" if jwtish && !lc.contains("jwt.create") => {
            c.arg("key", 1).map(|n| (n, "JWT signing"))
        }
        "decode" | "verify" if jwtish => c.arg("key", 1).map(|n| (n, "JWT verification")),
        "SignedString" => c.args.first().map(|n| (n, "JWT signing")),
        "HMAC256" | "HMAC384" | "HMAC512" if c.callee.contains("Algorithm") => {
            c.args.first().map(|n| (n, "JWT signing"))
        }
        "hmacShaKeyFor" | "setSigningKey" | "signWith" | "NewSigningKey" => {
            c.args.iter().find(|a| !matches!(a.v, V::Expr(ref e) if e.contains("SignatureAlgorithm"))).map(|n| (n, "JWT signing"))
        }
        "SecretKeySpec" => c.args.first().map(|n| (n, "encryption")),
        // C# `new SymmetricSecurityKey(Encoding.UTF8.GetBytes("…"))`, `new HMACSHA256(key)`.
        "SymmetricSecurityKey" => c.args.first().map(|n| (n, "JWT signing")),
        "HMACSHA256" | "HMACSHA384" | "HMACSHA512" | "HMACSHA1" => c.args.first().map(|n| (n, "HMAC")),
        // Ruby `OpenSSL::HMAC.hexdigest("SHA256", key, data)`.
        "hexdigest" | "digest" | "base64digest" if c.callee.contains("HMAC") => {
            c.args.get(1).map(|n| (n, "HMAC"))
        }
        // PHP `hash_hmac($algo, $data, $key)`, `openssl_encrypt($data, $cipher, $key)`.
        "hash_hmac" => c.args.get(2).map(|n| (n, "HMAC")),
        "openssl_encrypt" | "openssl_decrypt" => c.args.get(2).map(|n| (n, "encryption")),
        // PHP firebase/php-jwt 6: `new Key('…', 'HS256')`.
        "Key" if c.args.get(1).and_then(lit).is_some_and(|a| a.starts_with("HS")) => {
            c.args.first().map(|n| (n, "JWT signing"))
        }
        "new" if lc == "hmac.new" => c.arg("key", 0).map(|n| (n, "HMAC")),
        "new" if lc.ends_with("aes.new") || lc.ends_with("des3.new") || lc.ends_with("chacha20.new") => {
            c.arg("key", 0).map(|n| (n, "encryption"))
        }
        "Fernet" | "AESGCM" | "ChaCha20Poly1305" => c.args.first().map(|n| (n, "encryption")),
        "createHmac" => c.args.get(1).map(|n| (n, "HMAC")),
        "createCipheriv" | "createDecipheriv" => c.args.get(1).map(|n| (n, "encryption")),
        "New" if lc == "hmac.new" => c.args.get(1).map(|n| (n, "HMAC")),
        "NewCipher" if lc.ends_with("aes.newcipher") || lc.ends_with("des.newcipher") => {
            c.args.first().map(|n| (n, "encryption"))
        }
        _ => None,
    }
}

/// A literal key: a string that is not a placeholder, a test value or a PEM public key.
fn literal_key(t: &CodeTree, n: &Node) -> Option<Node> {
    let r = t.resolve(n);
    let s = lit(&r)?;
    let l = s.to_ascii_lowercase();
    (s.chars().count() >= 6
        && !crate::secrets::is_placeholder(s)
        // `test-secret`, `my-secret`, sequential ids
        && !crate::secrets::assign::fixture_value(s)
        && !crate::secrets::assign::TEST_VALUES.contains(&l.as_str())
        && !l.contains("public key")
        && !l.starts_with("-----begin certificate"))
    .then_some(r)
}

pub fn check_file(cx: &FileCx, rule: &Rule, out: &mut Vec<Finding>) {
    let Some(t) = gate(cx.file, KEYWORDS).or_else(|| gate_both(cx.file, JWT_CALLS, JWT_LIBS)) else {
        return;
    };
    for c in t.calls() {
        let Some((arg, what)) = key_arg(c) else {
            continue;
        };
        let Some(key) = literal_key(&t, arg) else {
            continue;
        };
        let secret = lit(&key).unwrap_or("");
        let via = if key.span == arg.span {
            String::new()
        } else {
            " (through a local variable or constant)".to_string()
        };
        let msg = format!(
            "hard-coded {what} key `{}` passed to `{}`{via}",
            redact(secret),
            short(&c.callee)
        );
        emit(out, finding(rule, cx.file, key.span.clone(), msg, true));
    }
}
