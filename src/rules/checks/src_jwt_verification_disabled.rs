//! JWT verification switched off: signature or expiry checks disabled, the `none` algorithm
//! accepted, or tokens parsed without verification.

use crate::context::FileCx;
use crate::facts::code::{JWT_LIBS, emit, finding, gate_both};
use crate::finding::Finding;
use crate::lang::code::{is_false, is_true, lit};
use crate::lang::{Node, V};
use crate::rules::Rule;

const KEYWORDS: &[&str] = &[
    "verify_signature",
    "verify_exp",
    "verify=False",
    "verify = False",
    "\"none\"",
    "'none'",
    "none()",
    "ignoreExpiration",
    "UnsafeAllowNoneSignatureType",
    "SigningMethodNone",
    "ParseUnverified",
    "WithoutClaimsValidation",
    "parseClaimsJwt",
    "parseUnsecuredClaims",
    "unsecured",
    "decode",
    "'none'",
    "ValidateLifetime",
    "RequireExpirationTime",
    "RequireSignedTokens",
    "SignatureValidator",
    "forUnsecuredSigner",
];

/// C# `TokenValidationParameters` switches that turn a check off when `false`.
const CS_SWITCHES: &[(&str, &str)] = &[
    ("ValidateLifetime", "expiry is not checked"),
    ("RequireExpirationTime", "tokens without expiry are accepted"),
    ("RequireSignedTokens", "unsigned tokens are accepted"),
];

fn has_none(n: &Node) -> bool {
    match &n.v {
        V::Seq(items) => items.iter().any(has_none),
        V::Str(s) => s.eq_ignore_ascii_case("none"),
        _ => false,
    }
}

pub fn check_file(cx: &FileCx, rule: &Rule, out: &mut Vec<Finding>) {
    let Some(t) = gate_both(cx.file, KEYWORDS, JWT_LIBS) else {
        return;
    };
    let file = cx.file;
    let mut push = |span: crate::lang::Span, msg: String| {
        emit(out, finding(rule, file, span, msg, false));
    };
    for c in t.calls() {
        let jwtish = c.callee.to_ascii_lowercase().contains("jwt")
            || c.callee.to_ascii_lowercase().contains("jose");
        match c.name.as_str() {
            // Python PyJWT / python-jose: jwt.decode(token, key, options={...}, verify=False).
            "decode" if jwtish => {
                if let Some(v) = c.kwarg("verify").filter(|v| is_false(v)) {
                    push(v.span.clone(), format!("`{}` called with `verify=False`", c.callee));
                }
                if let Some(o) = c.kwarg("options").map(|o| t.resolve(o)) {
                    let o = &o;
                    for k in ["verify_signature", "verify_exp", "verify_aud", "verify_iss"] {
                        if let Some(v) = o.get(k).filter(|v| is_false(v)) {
                            push(
                                v.span.clone(),
                                format!("`{}` called with `{k}` disabled", c.callee),
                            );
                        }
                    }
                }
                if let Some(a) = c.kwarg("algorithms").filter(|a| has_none(a)) {
                    push(a.span.clone(), format!("`{}` accepts the `none` algorithm", c.callee));
                }
                // Ruby `JWT.decode(token, key, false)`, PyJWT 1.x `jwt.decode(token, key, False)`.
                if let Some(v) = c.args.get(2).filter(|v| is_false(&t.resolve(v))) {
                    push(v.span.clone(), format!("`{}` called with verification off (third argument `false`)", c.callee));
                }
                // PHP firebase/php-jwt 5: `JWT::decode($jwt, $key, ['none'])`.
                if let Some(a) = c.args.get(2).filter(|a| matches!(a.v, V::Seq(_)) && has_none(a)) {
                    push(a.span.clone(), format!("`{}` accepts the `none` algorithm", c.callee));
                }
                if let Some(v) = c.kwarg("verify_expiration").filter(|v| is_false(v)) {
                    push(v.span.clone(), format!("`{}` called with `verify_expiration: false`", c.callee));
                }
            }
            // Ruby `JWT.encode(payload, nil, 'none')`.
            "encode" if jwtish && c.args.get(2).and_then(lit).is_some_and(|s| s.eq_ignore_ascii_case("none")) => {
                if let Some(a) = c.args.get(2) {
                    push(a.span.clone(), format!("`{}` uses the `none` algorithm", c.callee));
                }
            }
            // jsonwebtoken: jwt.verify(token, key, { algorithms: ['none'], ignoreExpiration: true }).
            "verify" if jwtish => {
                if let Some(o) = c.args.get(2).map(|o| t.resolve(o)) {
                    let o = &o;
                    if let Some(v) = o.get("ignoreExpiration").filter(|v| is_true(v)) {
                        push(
                            v.span.clone(),
                            format!("`{}` called with `ignoreExpiration: true`", c.callee),
                        );
                    }
                    if let Some(a) = o.get("algorithms").filter(|a| has_none(a)) {
                        push(a.span.clone(), format!("`{}` accepts the `none` algorithm", c.callee));
                    }
                }
            }
            // golang-jwt: parser.ParseUnverified(...) reads claims without checking the signature.
            "ParseUnverified" => push(
                c.span.clone(),
                format!("`{}` parses a token without verifying its signature", c.callee),
            ),
            // Java: Algorithm.none() (auth0), Jwts.parser()...parseClaimsJwt / parseUnsecuredClaims / unsecured() (jjwt).
            "none" if c.callee.ends_with("Algorithm.none") => push(
                c.span.clone(),
                "JWTs signed with the `none` algorithm (`Algorithm.none()`)".into(),
            ),
            "parseClaimsJwt" | "parseUnsecuredClaims" | "unsecured"
                if c.callee.contains("Jwts") || c.callee.contains("parser") =>
            {
                push(
                    c.span.clone(),
                    format!("`{}` accepts unsigned JWTs", c.name),
                )
            }
            _ => {}
        }
        // Python: algorithms=["none"] on any JWT call (encode included).
        if jwtish
            && c.name != "decode"
            && let Some(a) = c.kwarg("algorithms").filter(|a| has_none(a))
        {
            push(a.span.clone(), format!("`{}` uses the `none` algorithm", c.callee));
        }
        if jwtish
            && let Some(a) = c.kwarg("algorithm").filter(|a| lit(a).is_some_and(|s| s.eq_ignore_ascii_case("none")))
        {
            push(a.span.clone(), format!("`{}` uses the `none` algorithm", c.callee));
        }
    }
    // C# `new TokenValidationParameters { ValidateLifetime = false, … }`; a refresh endpoint
    // reading an expired token on purpose (`GetPrincipalFromExpiredToken`) is left alone.
    for p in t.pairs() {
        let key = p.key.rsplit('.').next().unwrap_or(&p.key);
        if let Some((_, what)) = CS_SWITCHES.iter().find(|(k, _)| *k == key)
            && is_false(&t.resolve(&p.value))
            && !t.function_name_at(p.span.start).is_some_and(|n| n.to_ascii_lowercase().contains("expired"))
        {
            push(p.span.clone(), format!("JWT validation with `{key} = false` ({what})"));
        }
        if key == "SignatureValidator" {
            let body: String = t.text().get(p.value.span.clone()).unwrap_or("").split_whitespace().collect();
            if body.contains("newJwtSecurityToken(") || body.contains("newJsonWebToken(") {
                push(p.span.clone(), "JWT signature not checked (`SignatureValidator` returns the token as is)".into());
            }
        }
    }
    for (name, span, _) in t.identifiers(&[
        "forUnsecuredSigner",
        "UnsafeAllowNoneSignatureType",
        "SigningMethodNone",
        "WithoutClaimsValidation",
    ]) {
        // A parser built only for `ParseUnverified` a few lines below: one finding, not two.
        if name == "WithoutClaimsValidation"
            && t.calls().iter().any(|c| {
                c.name == "ParseUnverified" && c.span.start > span.start && c.span.start - span.start < 400
            })
        {
            continue;
        }
        let msg = match name.as_str() {
            "WithoutClaimsValidation" => {
                "JWT parser built with `WithoutClaimsValidation()` (expiry is not checked)".to_string()
            }
            "forUnsecuredSigner" => "JWT configuration without signatures (`Configuration::forUnsecuredSigner()`)".to_string(),
            _ => format!("JWT `none` algorithm allowed (`{name}`)"),
        };
        push(span, msg);
    }
}
