//! Literal secrets in CI configuration: a secret-looking key holding a literal, or a value in a
//! known token format. References (`${{ secrets.X }}`, `$VAR`, `$(var)`) are never secrets.

use regex::Regex;
use std::sync::OnceLock;

fn key_re() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    R.get_or_init(|| {
        Regex::new(r"(?i)(passw(or)?d|passwd|\bpass\b|_pass$|^pass_|pwd|secret|token|api[_-]?key|apikey|private[_-]?key|access[_-]?key|auth[_-]?key|credential|client[_-]?secret|signing[_-]?key|ssh[_-]?key|deploy[_-]?key|webhook[_-]?url)")
            .expect("regex")
    })
}

fn key_exclude_re() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    R.get_or_init(|| {
        Regex::new(r"(?i)([_-](file|path|name|names|url|uri|endpoint|region|type|format|user|username|length|ttl|expiry|expires|expiration|header|enabled|enable|dir|host|port|audience|scope|scopes|env|mode|arn|version|key[_-]?id|id)$|^(token[_-]format|secret[_-]name|secret[_-]id|create[_-]credentials[_-]file|credentials[_-]file|skip[_-]token[_-]revoke|mask[_-]password|token[_-]url|github[_-]token[_-]url)$)")
            .expect("regex")
    })
}

fn format_re() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    R.get_or_init(|| {
        Regex::new(r"(\b(AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}\b|\bgh[pousr]_[0-9A-Za-z]{36}\b|\bgithub_pat_[0-9A-Za-z_]{60,}|\bglpat-[0-9A-Za-z_-]{20}|\bxox[baprs]-[0-9A-Za-z-]{10,}|-----BEGIN [A-Z ]*PRIVATE KEY-----|\bnpm_[0-9A-Za-z]{36}\b|\bsk_live_[0-9A-Za-z]{16,}|\bpypi-AgEIcHlwaS5vcmc[0-9A-Za-z_-]{20,}|\bhvs\.[0-9A-Za-z_-]{20,})")
            .expect("regex")
    })
}

/// Is this key the name of a secret (`DB_PASSWORD`, `api-key`, `NPM_TOKEN`)?
pub fn secretish_key(key: &str) -> bool {
    key_re().is_match(key)
        && (!key_exclude_re().is_match(key) || key.to_ascii_lowercase().contains("webhook"))
}

/// Values that are documentation or test filler, never a real secret.
pub fn is_dummy(v: &str) -> bool {
    let l = v.trim().to_ascii_lowercase();
    if crate::secrets::is_placeholder(&l) {
        return true;
    }
    const EXACT: &[&str] = &[
        "postgres",
        "password",
        "root",
        "secret",
        "admin",
        "mysql",
        "guest",
        "pass",
        "passwd",
        "none",
        "null",
        "true",
        "false",
        "yes",
        "no",
        "required",
        "optional",
        "masked",
        "password123",
        "secret123",
    ];
    const PARTS: &[&str] = &[
        "dummy",
        "changeme",
        "change-me",
        "change_me",
        "placeholder",
        "redacted",
        "your_",
        "your-",
        "<",
        ">",
        "test",
        "fake",
        "sample",
        "insecure",
        "localdev",
        "not-a-secret",
        "notsecret",
        "not_a_secret",
        "example",
        "foobar",
        "xxxxx",
        "*****",
        "...",
    ];
    EXACT.contains(&l.as_str()) || PARTS.iter().any(|p| l.contains(p))
}

/// A literal secret held by `key: value`: the reason (`token format` / `secret-named key`),
/// or None. References, placeholders, paths, URLs without credentials and short or dummy
/// values are not secrets.
pub fn literal_secret(key: &str, value: &str) -> Option<&'static str> {
    let v = value.trim();
    if v.is_empty() || super::is_reference(v) {
        return None;
    }
    if format_re().is_match(v) && !is_dummy(v) {
        return Some("a value in a known token format");
    }
    // `id=value` lines (docker build `secrets:`, `build-args:`): each value under its own name.
    let pairs: Vec<(&str, &str)> = v
        .lines()
        .filter(|l| !l.trim().is_empty())
        .filter_map(|l| l.trim().split_once('='))
        .collect();
    if value.contains('\n')
        && !pairs.is_empty()
        && pairs.len() == v.lines().filter(|l| !l.trim().is_empty()).count()
        && pairs.iter().all(|(k, _)| {
            !k.is_empty()
                && k.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
        })
    {
        return pairs.iter().find_map(|(k, val)| {
            let k = if secretish_key(k) { *k } else { key };
            literal_secret(k, val)
        });
    }
    if !secretish_key(key) {
        return None;
    }
    if v.len() < 8 || v.contains(char::is_whitespace) || is_dummy(v) {
        return None;
    }
    if v.starts_with('/') || v.starts_with("./") || v.starts_with('~') || v.starts_with("file:") {
        return None;
    }
    if (v.starts_with("http://") || v.starts_with("https://")) && !v.contains('@') {
        // A webhook URL is itself the secret; other URLs are not.
        if !key.to_ascii_lowercase().contains("webhook") {
            return None;
        }
    }
    if v.parse::<f64>().is_ok() && v.len() < 12 {
        return None;
    }
    Some("a literal value under a secret-named key")
}

/// Registry/service credentials (`credentials.password`): any literal is a secret.
pub fn literal_password(value: &str) -> bool {
    let v = value.trim();
    !v.is_empty() && !super::is_reference(v) && !crate::secrets::is_placeholder(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heuristics() {
        assert!(literal_secret("DB_PASSWORD", "s3cr3tValue9").is_some());
        assert!(literal_secret("DB_PASSWORD", "${{ secrets.DB }}").is_none());
        assert!(literal_secret("POSTGRES_PASSWORD", "postgres").is_none());
        assert!(literal_secret("TOKEN_FILE", "/run/secrets/token").is_none());
        assert!(literal_secret("AWS_ACCESS_KEY_ID", "AKIAQWERTYUIOPASDFGH").is_some());
        assert!(literal_secret("NODE_VERSION", "AKIAIOSFODNN7EXAMPLE").is_none());
        assert!(literal_secret("token-format", "access_token").is_none());
        assert!(literal_secret("API_KEY", "$API_KEY").is_none());
        assert!(literal_secret("secrets", "mysecret=/tmp/mysecret.txt\n").is_none());
        assert!(literal_secret("secrets", "npm_token=q8Zr2LmX0vT5kWj3\n").is_some());
        assert!(literal_secret("API_TOKEN", "cTh4ZXJ0eWFzZGZnaGprbA==").is_some());
        assert!(literal_secret("GH_TOKEN", "ghp_0123456789abcdefghijABCDEFGHIJ012345").is_some());
        assert!(secretish_key("npm-token") && !secretish_key("token-url"));
        assert!(
            literal_secret(
                "SLACK_WEBHOOK_URL",
                "https://hooks.slack.com/services/T1/B2/q8Zr3kLm"
            )
            .is_some()
        );
        assert!(literal_secret("DOCS_URL", "https://docs.acme.io/token").is_none());
    }
}
