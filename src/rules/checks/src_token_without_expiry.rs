//! Tokens minted without an expiry, or with a lifetime over 30 days: PyJWT `jwt.encode`,
//! flask-jwt-extended, jsonwebtoken `jwt.sign`, golang-jwt `NewWithClaims`, jjwt `Jwts.builder()`,
//! auth0 `JWT.create()`.

use crate::context::FileCx;
use crate::facts::code::{
    JWT_LIBS, code_duration, emit, finding, gate_both, human_lifetime, parse_lifetime,
};
use crate::finding::Finding;
use crate::lang::code::{expr, is_false};
use crate::lang::{Node, V};
use crate::rules::Rule;

const KEYWORDS: &[&str] = &[
    "encode",
    "sign",
    "expires_delta",
    "NewWithClaims",
    "Jwts.builder",
    "JWT.create",
    "JwtSecurityToken",
    "SecurityTokenDescriptor",
];

/// Longest lifetime that is not reported (30 days).
pub const MAX_LIFETIME: u64 = 30 * 86_400;

/// Does a claims value (map, possibly nested: `RegisteredClaims{ExpiresAt: …}`) set an expiry?
fn expiry_of(n: &Node) -> Option<&Node> {
    let V::Map(es) = &n.v else { return None };
    for e in es {
        if matches!(e.key.as_str(), "exp" | "ExpiresAt" | "expiresIn") {
            return Some(&e.value);
        }
    }
    es.iter().find_map(|e| expiry_of(&e.value))
}

fn lifetime_of_value(n: &Node) -> Option<u64> {
    match &n.v {
        V::Expr(e) => code_duration(e),
        V::Call(..) => None,
        _ => None,
    }
    .or_else(|| match &n.v {
        V::Call(_, args) => args.iter().find_map(lifetime_of_value),
        _ => None,
    })
}

pub fn check_file(cx: &FileCx, rule: &Rule, out: &mut Vec<Finding>) {
    let Some(t) = gate_both(cx.file, KEYWORDS, JWT_LIBS) else {
        return;
    };
    let file = cx.file;
    let text = t.text();
    let mut none = |span: crate::lang::Span, what: &str| {
        emit(out, finding(rule, file, span, format!("token minted without expiry ({what})"), false));
    };
    let mut long: Vec<(crate::lang::Span, u64, String)> = Vec::new();
    for c in t.calls() {
        let lc = c.callee.to_ascii_lowercase();
        match c.name.as_str() {
            // PyJWT: jwt.encode({...}, key, algorithm=...).
            "encode" if lc.contains("jwt") => {
                let Some(payload) = c.arg("payload", 0) else { continue };
                let payload = &t.resolve(payload);
                if !matches!(payload.v, V::Map(_)) {
                    continue;
                }
                match expiry_of(payload) {
                    None => none(payload.span.clone(), "no `exp` claim"),
                    Some(v) => {
                        let src = text.get(v.span.clone()).unwrap_or("");
                        if let Some(s) = code_duration(src).filter(|s| *s > MAX_LIFETIME) {
                            long.push((v.span.clone(), s, format!("`{}`", c.callee)));
                        }
                    }
                }
            }
            // flask-jwt-extended: create_access_token(identity, expires_delta=False | timedelta(...)).
            "create_access_token" | "create_refresh_token" => {
                if let Some(v) = c.kwarg("expires_delta") {
                    if is_false(v) {
                        none(v.span.clone(), "`expires_delta=False`");
                    } else if let Some(s) = text
                        .get(v.span.clone())
                        .and_then(code_duration)
                        .filter(|s| *s > MAX_LIFETIME)
                    {
                        long.push((v.span.clone(), s, format!("`{}`", c.callee)));
                    }
                }
            }
            // jsonwebtoken: jwt.sign(payload, key, { expiresIn }).
            "sign" if lc.contains("jwt") && !lc.contains("jwt.create") => {
                let payload = c.args.first().map(|p| t.resolve(p));
                let payload = payload.as_ref();
                let opts = c.args.get(2).map(|o| t.resolve(o));
                let opts = opts.as_ref();
                let opt_exp = opts.and_then(|o| o.get("expiresIn"));
                match opt_exp {
                    Some(v) => {
                        if let Some(s) = parse_lifetime(v).filter(|s| *s > MAX_LIFETIME) {
                            long.push((v.span.clone(), s, format!("`{}`", c.callee)));
                        }
                    }
                    None => {
                        let opts_known = opts.is_none_or(|o| matches!(o.v, V::Map(_)));
                        if let Some(p) = payload
                            && matches!(p.v, V::Map(_))
                            && expiry_of(p).is_none()
                            && opts_known
                        {
                            none(c.span.clone(), "no `expiresIn` option and no `exp` claim");
                        }
                    }
                }
            }
            // golang-jwt: jwt.NewWithClaims(method, jwt.MapClaims{...}).
            "NewWithClaims" => {
                let Some(arg) = c.args.get(1) else { continue };
                // `claims.ExpiresAt = …` set later (often under a condition) counts as an expiry.
                if let V::Expr(name) = &arg.v {
                    let name = name.trim_start_matches('&');
                    if t.pairs().iter().any(|p| {
                        p.key.strip_prefix(name).is_some_and(|rest| {
                            matches!(rest, ".ExpiresAt" | ".RegisteredClaims.ExpiresAt" | "[\"exp\"]")
                        })
                    }) {
                        continue;
                    }
                }
                let claims = &t.resolve(arg);
                if !matches!(claims.v, V::Map(_)) {
                    continue;
                }
                match expiry_of(claims) {
                    None => none(claims.span.clone(), "no `exp` / `ExpiresAt` claim"),
                    Some(v) => {
                        if let Some(s) = lifetime_of_value(v)
                            .or_else(|| text.get(v.span.clone()).and_then(code_duration))
                            .filter(|s| *s > MAX_LIFETIME)
                        {
                            long.push((v.span.clone(), s, "`jwt.NewWithClaims`".into()));
                        }
                    }
                }
            }
            // C#: new JwtSecurityToken(issuer, audience, claims, notBefore, expires, credentials);
            // without `expires` the token has no `exp` claim.
            "JwtSecurityToken" if c.args.len() + c.kwargs.len() >= 3 => {
                let exp = c.kwarg("expires").or_else(|| {
                    c.kwargs.is_empty().then(|| c.args.get(4)).flatten()
                });
                match exp {
                    None | Some(Node { v: V::Null, .. }) => {
                        none(c.span.clone(), "`JwtSecurityToken` without `expires`")
                    }
                    Some(v) => {
                        if let Some(s) = text
                            .get(v.span.clone())
                            .and_then(code_duration)
                            .filter(|s| *s > MAX_LIFETIME)
                        {
                            long.push((v.span.clone(), s, "`JwtSecurityToken`".into()));
                        }
                    }
                }
            }
            // jjwt: Jwts.builder()...compact(); auth0 java-jwt: JWT.create()...sign(alg).
            "compact" | "sign"
                if c.callee.contains("Jwts.builder()") || c.callee.contains("JWT.create()") =>
            {
                let exp_call = [".setExpiration(", ".expiration(", ".withExpiresAt(", ".setExpiresAt("]
                    .iter()
                    .find_map(|p| c.callee.find(p).map(|i| (i, *p)));
                match exp_call {
                    None => none(c.span.clone(), "the builder never sets an expiration"),
                    Some((i, _)) => {
                        if let Some(s) = code_duration(&c.callee[i..]).filter(|s| *s > MAX_LIFETIME) {
                            long.push((c.span.clone(), s, "the token builder".into()));
                        }
                    }
                }
            }
            _ => {}
        }
    }
    // C# `new SecurityTokenDescriptor { Expires = DateTime.UtcNow.AddYears(1) }` (a descriptor
    // without `Expires` gets the handler's default of one hour).
    if text.contains("SecurityTokenDescriptor") {
        for p in t.pairs() {
            if p.key.rsplit('.').next() == Some("Expires")
                && let Some(s) = text
                    .get(p.value.span.clone())
                    .and_then(code_duration)
                    .filter(|s| *s > MAX_LIFETIME)
            {
                long.push((p.value.span.clone(), s, "`SecurityTokenDescriptor.Expires`".into()));
            }
        }
    }
    for (span, secs, target) in long {
        let _ = expr;
        emit(
            out,
            finding(
                rule,
                file,
                span,
                format!("token lifetime of {} set by {target} (more than 30 days)", human_lifetime(secs)),
                false,
            ),
        );
    }
}
