//! A variable whose name says it holds a secret (password, token, secret key, …) with a
//! literal default: the secret is committed with the code.

use crate::context::ProjectCx;
use crate::finding::Finding;
use crate::rules::Rule;
use crate::terraform::report::{Files, finding, push};

const SECRET_WORDS: &[&str] = &["password", "passwd", "secret", "token", "api_key", "apikey", "access_key", "private_key", "client_secret", "credentials", "sas_key", "connection_string"];
const NOT_SECRET_SUFFIXES: &[&str] = &["_name", "_names", "_arn", "_arns", "_id", "_ids", "_length", "_ttl", "_path", "_version", "_enabled", "_file", "_key_name", "_rotation", "_rotation_days", "_policy", "_type", "_expiry", "_expiration", "_uri", "_url", "_prefix", "_suffix", "_secret_name", "_count", "_parameter", "_kms_key", "_location"];

fn looks_secret_name(n: &str) -> bool {
    let l = n.to_ascii_lowercase();
    SECRET_WORDS.iter().any(|w| l.contains(w)) && !NOT_SECRET_SUFFIXES.iter().any(|s| l.ends_with(s)) && !l.starts_with("enable_") && !l.starts_with("create_")
}

/// `StripeAPIKeyName` → `stripe_api_key_name`.
fn snake_case(s: &str) -> String {
    let c: Vec<char> = s.chars().collect();
    let mut out = String::new();
    for (i, &ch) in c.iter().enumerate() {
        if ch.is_ascii_uppercase() && i > 0 {
            let prev = c[i - 1];
            let next_lower = c.get(i + 1).is_some_and(|n| n.is_ascii_lowercase());
            if prev.is_ascii_lowercase() || prev.is_ascii_digit() || prev.is_ascii_uppercase() && next_lower {
                out.push('_');
            }
        }
        out.push(ch.to_ascii_lowercase());
    }
    out
}

/// `ACTIVEMQ_SECRET_ARN`: an upper-case name to replace, not a secret.
fn is_placeholder(t: &str) -> bool {
    t.contains('_') && t.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
}

fn looks_secret_value(s: &str) -> bool {
    let t = s.trim();
    t.len() >= 8
        && !t.contains(' ')
        && !t.starts_with("arn:")
        && !t.contains("://")
        && !t.starts_with("${")
        && !is_placeholder(t)
        // A path to a key file is not the key.
        && !["./", "../", "/", "~/"].iter().any(|p| t.starts_with(p))
        && !["changeme", "change-me", "replace-me", "placeholder", "xxxxxxxx", "password", "<secret>", "todo"].iter().any(|p| t.eq_ignore_ascii_case(p))
        && t.chars().collect::<std::collections::HashSet<_>>().len() > 3
}

/// A secret store's value written in the code: the whole string, or secret-named fields of a
/// JSON object (`{"username": "app", "password": "…"}`). The literal found, if any.
fn literal_secret(s: &str) -> Option<String> {
    if let Ok(serde_json::Value::Object(m)) = serde_json::from_str::<serde_json::Value>(s) {
        return m.iter().find_map(|(k, v)| {
            let v = v.as_str()?;
            (looks_secret_name(&snake_case(k)) && looks_secret_value(v) && !v.contains("{{resolve:")).then(|| v.to_string())
        });
    }
    (looks_secret_value(s) && !s.contains("{{resolve:")).then(|| s.to_string())
}

pub fn check_project(cx: &ProjectCx, rule: &Rule, out: &mut Vec<Finding>) {
    let a = crate::terraform::analysis(cx);
    let fs = Files::project(cx);
    // Secrets Manager values written literally (`SecretString`, `secret_string`).
    for r in a.res.iter().filter(|r| r.block == "resource" && r.rtype == "aws_secretsmanager_secret_version") {
        let Some(v) = r.body.get("secret_string") else { continue };
        // A value from a variable or parameter is reported at its default, if anywhere.
        if !v.via.is_empty() {
            continue;
        }
        let Some(s) = v.known_str() else { continue };
        let Some(lit) = literal_secret(s) else { continue };
        let key = if crate::terraform::cfn::lowered(r) { "SecretString" } else { "secret_string" };
        let f = finding(&fs, rule, &v.at, format!("secret `{}` has a literal `{key}` ({}): the secret is committed with the code", r.name, crate::redact::redact(&lit)));
        push(out, f.map(|f| f.with_mask(v.at.span.clone()).with_fp_key(format!("secret.{}", r.name))));
    }
    for r in a.res.iter().filter(|r| r.block == "variable") {
        let template = crate::terraform::cfn::lowered(r);
        // A template parameter marked `NoEcho` says it is a secret, whatever its name.
        let no_echo = template && r.body.get("no_echo").and_then(|v| v.as_bool()) == Some(true);
        // Template parameters are CamelCase (`SecretName`, `StripeAPIKeyName`).
        let name = if template { snake_case(&r.name) } else { r.name.clone() };
        if !looks_secret_name(&name) && !no_echo {
            continue;
        }
        let Some(d) = r.body.get("default") else { continue };
        let Some(s) = d.known_str() else { continue };
        if !looks_secret_value(s) {
            continue;
        }
        let sensitive = r.body.get("sensitive").and_then(|v| v.as_bool()) == Some(true);
        let (what, note) = match (template, sensitive) {
            (true, true) => ("parameter", " (`NoEcho` hides it from the console and API, not from the repository)"),
            (true, false) => ("parameter", ""),
            (false, true) => ("variable", " (`sensitive = true` hides it from output, not from the repository)"),
            (false, false) => ("variable", ""),
        };
        let f = finding(&fs, rule, &d.at, format!("{what} `{}` has a literal secret default ({}){note}", r.name, crate::redact::redact(s)));
        push(out, f.map(|f| f.with_mask(d.at.span.clone()).with_fp_key(format!("var.{}", r.name))));
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn camel_case_parameter_names() {
        assert_eq!(super::snake_case("StripeAPIKeyName"), "stripe_api_key_name");
        assert_eq!(super::snake_case("SecretsManagerARN"), "secrets_manager_arn");
        assert_eq!(super::snake_case("DbPassword"), "db_password");
        assert!(!super::looks_secret_name(&super::snake_case("SecretName")));
    }
}
