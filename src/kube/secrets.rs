//! Is a key secret-like, is a value a literal secret? Shared by the NHI2 checks (Secret data,
//! container env, ConfigMaps, Helm values).

/// Lower-case with separators removed: `CLIENT_SECRET` and `clientSecret` both become `clientsecret`.
pub fn norm(key: &str) -> String {
    key.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

const SECRET_WORDS: [&str; 14] = [
    "password",
    "passwd",
    "passphrase",
    "secret",
    "token",
    "apikey",
    "accesskey",
    "privatekey",
    "credential",
    "connectionstring",
    "authkey",
    "signingkey",
    "encryptionkey",
    "masterkey",
];

/// Suffixes that make a secret-sounding key name something else (a name, a path, a lifetime...).
const NOT_SECRET_SUFFIXES: [&str; 34] = [
    "name",
    "names",
    "ref",
    "path",
    "file",
    "dir",
    "url",
    "uri",
    "endpoint",
    "host",
    "port",
    "ttl",
    "timeout",
    "expiry",
    "expiration",
    "expirationseconds",
    "lifetime",
    "duration",
    "length",
    "size",
    "enabled",
    "enable",
    "type",
    "mode",
    "format",
    "policy",
    "header",
    "id",
    "audience",
    "issuer",
    "passwordkey",
    "tokenkey",
    "usernamekey",
    "keyname",
];

/// Does a key (env var name, data key, values key) name secret material?
pub fn secret_like_key(key: &str) -> bool {
    let n = norm(key);
    if n.is_empty() || n.starts_with("existing") || n.starts_with("use") || n.starts_with("create")
    {
        return false;
    }
    if NOT_SECRET_SUFFIXES.iter().any(|s| n.ends_with(s)) {
        return false;
    }
    if n == "pwd" || n.ends_with("pwd") || n.ends_with("pass") {
        return true;
    }
    SECRET_WORDS.iter().any(|w| n.contains(w))
}

/// Keys of a Secret that hold identifiers, not secret material (`username`, `host`...).
pub fn identifier_key(key: &str) -> bool {
    let n = norm(key);
    const IDS: [&str; 16] = [
        "username",
        "user",
        "login",
        "host",
        "hostname",
        "port",
        "database",
        "db",
        "dbname",
        "email",
        "url",
        "endpoint",
        "region",
        "bucket",
        "namespace",
        "clientid",
    ];
    IDS.contains(&n.as_str())
}

/// Is a literal value plausibly a secret (not empty, not a placeholder, flag, number or reference)?
pub fn secret_like_value(v: &str) -> bool {
    let t = v.trim();
    if t.contains("PRIVATE KEY-----") {
        return true;
    }
    if t.len() < 4 || t.contains('\n') {
        // short values, and multi-line blobs (config files) which are judged line by line
        return false;
    }
    if crate::secrets::is_placeholder(t) {
        return false;
    }
    let l = t.to_ascii_lowercase();
    if matches!(
        l.as_str(),
        "true"
            | "false"
            | "none"
            | "null"
            | "nil"
            | "yes"
            | "no"
            | "enabled"
            | "disabled"
            | "required"
            | "optional"
            | "auto"
            | "default"
            | "empty"
            | "redacted"
            | "secret"
            | "password"
            | "token"
    ) {
        return false;
    }
    if t.chars()
        .all(|c| c.is_ascii_digit() || c == '.' || c == '-' || c == ':')
    {
        return false;
    }
    if t.starts_with('/') && !t.contains(' ') {
        return false; // a file path
    }
    const REFS: [&str; 12] = [
        "ENC[",
        "vault:",
        "ref+",
        "arn:aws:secretsmanager:",
        "arn:aws:ssm:",
        "sm://",
        "gcp:secretmanager:",
        "azurekeyvault",
        "akv://",
        "op://",
        "secretref+",
        "$(",
    ];
    if REFS
        .iter()
        .any(|r| t.starts_with(r) || t.contains("/secrets/"))
    {
        return false;
    }
    if l.starts_with("http://") || l.starts_with("https://") {
        // a URL is only a secret when it embeds credentials
        return t.split("://").nth(1).is_some_and(|r| {
            r.split('/')
                .next()
                .is_some_and(|auth| auth.contains(':') && auth.contains('@'))
        });
    }
    true
}

/// Standard or URL-safe base64 (padding optional); None when the text is not base64.
pub fn b64decode(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let mut acc: u32 = 0;
    let mut bits = 0;
    for c in s.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            b'=' | b'\n' | b'\r' | b' ' => continue,
            _ => return None,
        };
        acc = (acc << 6) | v as u32;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

/// Where a line of a multi-line scalar sits in the file: the first occurrence of its trimmed
/// text inside the scalar's span.
pub fn line_span(text: &str, span: &std::ops::Range<usize>, line: &str) -> std::ops::Range<usize> {
    let t = line.trim();
    text.get(span.clone())
        .and_then(|raw| raw.find(t))
        .map(|i| span.start + i..span.start + i + t.len())
        .unwrap_or_else(|| span.clone())
}

/// `key = value` / `key: value` / `export KEY="value"` lines of an embedded config file whose
/// key is secret-like and whose value looks like a literal secret: (line, key, value).
pub fn config_lines(blob: &str) -> Vec<(&str, &str, &str)> {
    let mut out = Vec::new();
    for line in blob.lines() {
        let l = line.trim().trim_start_matches("export ").trim();
        if l.starts_with('#') || l.starts_with("//") {
            continue;
        }
        let Some(i) = l.find(['=', ':']) else {
            continue;
        };
        let (k, v) = (l[..i].trim(), l[i + 1..].trim());
        let v = v.trim_end_matches([',', ';']).trim_matches(['"', '\'']);
        if k.is_empty() || k.contains(' ') || !secret_like_key(k) || !secret_like_value(v) {
            continue;
        }
        out.push((line, k, v));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys() {
        for k in [
            "DB_PASSWORD",
            "clientSecret",
            "apiKey",
            "API_TOKEN",
            "password",
            "aws_secret_access_key",
            "REDIS_PASS",
            "secretKey",
        ] {
            assert!(secret_like_key(k), "{k}");
        }
        for k in [
            "existingSecret",
            "secretName",
            "TOKEN_TTL",
            "PASSWORD_FILE",
            "passwordKey",
            "tokenSecretName",
            "SECRET_PATH",
            "image",
            "createSecret",
            "AWS_ACCESS_KEY_ID",
        ] {
            assert!(!secret_like_key(k), "{k}");
        }
    }

    #[test]
    fn decode_and_lines() {
        assert_eq!(b64decode("aHVudGVyMg==").unwrap(), b"hunter2");
        assert!(b64decode("not base64!").is_none());
        let c = config_lines("db.user=app\ndb.password=Sup3r-s3cret\n# token=abc\nttl: 30\n");
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].1, "db.password");
    }

    #[test]
    fn values() {
        assert!(secret_like_value("s3cr3t-Pa55w0rd"));
        assert!(secret_like_value("https://u:p4ss@db.internal/x"));
        for v in [
            "",
            "3600",
            "true",
            "changeme",
            "{{ .Values.x }}",
            "/var/run/secrets/token",
            "ENC[AES256_GCM,data:xx]",
            "$(OTHER)",
            "https://vault.internal:8200",
        ] {
            assert!(!secret_like_value(v), "{v}");
        }
    }
}
