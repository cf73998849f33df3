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

/// Last words of key names that hold settings or identifiers next to credentials (`type`, `url`,
/// `insecure`, `githubAppID`, `passwordMtime`, `passwordPattern`...), never the credential.
const SETTING_WORDS: [&str; 44] = [
    "type",
    "kind",
    "url",
    "uri",
    "urls",
    "insecure",
    "enabled",
    "enable",
    "disabled",
    "name",
    "names",
    "project",
    "id",
    "ids",
    "uuid",
    "mtime",
    "time",
    "timestamp",
    "date",
    "created",
    "updated",
    "expiry",
    "expires",
    "expiration",
    "pattern",
    "regex",
    "claims",
    "selector",
    "policy",
    "format",
    "length",
    "hint",
    "label",
    "labels",
    "version",
    "mode",
    "scope",
    "scopes",
    "path",
    "file",
    "ref",
    "ttl",
    "namespace",
    "region",
];

/// Keys that say what a credential is for rather than holding it (`enableLfs`,
/// `forceHttpBasicAuth`, `useAzureWorkloadIdentity`, `insecureOCIForceHttp`).
const SETTING_PREFIXES: [&str; 8] = [
    "enable", "disable", "force", "use", "insecure", "skip", "allow", "is",
];

/// Is the key a setting or identifier (whatever the value)? Judged on its last dotted segment.
pub fn setting_key(key: &str) -> bool {
    let last = key.rsplit('.').next().unwrap_or(key);
    let ws = crate::secrets::assign::words(last);
    let Some(lw) = ws.last() else { return true };
    if identifier_key(last) || SETTING_WORDS.contains(&lw.as_str()) {
        return true;
    }
    ws.len() > 1 && SETTING_PREFIXES.contains(&ws[0].as_str())
}

/// Is a literal value of a Secret, ConfigMap, env var or Helm value, stored under `key`, a
/// credential? Judged by meaning: settings and identifiers (`type`, `url`, `insecure`, ids,
/// timestamps) never are; placeholders, elisions (`...`), fixture values (`my-password`) and
/// sentences are not; a key that names a secret takes any chosen value (passwords) or a
/// random-looking one (tokens, keys); any other key only a random-looking value, and only when
/// `neutral_ok` (the data of a Secret). Private keys count when their body is not elided.
/// Returns the confidence, or None.
pub fn judge_literal(
    key: &str,
    value: &str,
    neutral_ok: bool,
) -> Option<crate::finding::Confidence> {
    use crate::secrets::assign::{self, NameClass};
    let v = value.trim();
    if v.contains("PRIVATE KEY-----") {
        return private_key_body(v).then_some(crate::finding::Confidence::High);
    }
    if v.is_empty() || setting_key(key) || !secret_like_value(v) || assign::fixture_value(v) {
        return None;
    }
    if host_port(v) {
        return None;
    }
    let nk = norm(key);
    if nk.ends_with("dockerconfigjson") || nk.ends_with("dockercfg") {
        return docker_auth(v).then_some(crate::finding::Confidence::High);
    }
    // A long random blob (a wrapped base64 key, an encrypted answer): longer than the value
    // model reads, credential-like by shape.
    let compact: String = v.split_whitespace().collect();
    if (neutral_ok || secret_like_key(key))
        && compact.len() > 200
        && compact
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'+' | b'/' | b'=' | b'-' | b'_'))
        && crate::secrets::shannon_entropy(&compact) >= 4.5
    {
        return Some(crate::finding::Confidence::Medium);
    }
    let last = key.rsplit('.').next().unwrap_or(key);
    let nk = norm(last);
    if nk.contains("connectionstring") || nk.ends_with("dsn") {
        // a connection string is a credential when it carries one
        let l = v.to_ascii_lowercase();
        let embedded = ["password=", "pwd=", "accountkey=", "sharedaccesskey="]
            .iter()
            .any(|w| l.contains(w))
            || v.split_once("://")
                .and_then(|(_, r)| r.split('@').next().filter(|_| r.contains('@')))
                .is_some_and(|auth| auth.contains(':'));
        return embedded.then_some(crate::finding::Confidence::Medium);
    }
    match assign::name_class(last, true) {
        Some(class) if secret_like_key(key) || class == NameClass::Password => {
            assign::judge(class, last, v, true)
        }
        _ if neutral_ok || secret_like_key(key) => assign::judge(NameClass::Secret, last, v, true),
        _ => None,
    }
}

/// Does a Docker config (`.dockerconfigjson`) hold a real `auth` or `password`?
fn docker_auth(v: &str) -> bool {
    let Ok(j) = serde_json::from_str::<serde_json::Value>(v) else {
        return false;
    };
    let mut found = false;
    let auths = j.get("auths").unwrap_or(&j);
    for (_, reg) in auths.as_object().into_iter().flatten() {
        for k in ["auth", "password", "identitytoken"] {
            if let Some(s) = reg.get(k).and_then(|x| x.as_str()) {
                let clear = match k {
                    "auth" => b64decode(s)
                        .map(|b| String::from_utf8_lossy(&b).into_owned())
                        .and_then(|d| d.split_once(':').map(|(_, p)| p.to_string()))
                        .unwrap_or_default(),
                    _ => s.to_string(),
                };
                found |= !clear.is_empty()
                    && !crate::secrets::assign::fixture_value(&clear)
                    && secret_like_value(&clear);
            }
        }
    }
    found
}

/// `redis-cart:6379`, `db.internal:5432`: an address.
fn host_port(v: &str) -> bool {
    v.rsplit_once(':').is_some_and(|(h, p)| {
        !h.is_empty()
            && !p.is_empty()
            && p.bytes().all(|c| c.is_ascii_digit())
            && h.bytes()
                .all(|c| c.is_ascii_alphanumeric() || c == b'.' || c == b'-')
    })
}

/// Does a PEM private key carry a real body (not `...` or a few characters)?
pub fn private_key_body(pem: &str) -> bool {
    let body: usize = pem
        .lines()
        .map(str::trim)
        .filter(|l| !l.starts_with("-----") && !l.contains(':'))
        .map(|l| {
            l.bytes()
                .filter(|c| c.is_ascii_alphanumeric() || *c == b'+' || *c == b'/')
                .count()
        })
        .sum();
    body >= 40
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
        let ident = k
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'.'));
        if k.is_empty() || !ident || judge_literal(k, v, false).is_none() {
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
        let hosts = format!(
            "[ssh.github.com]:443 ssh-rsa {}\n",
            "AAAAB3NzaC1yc2EAAAADAQABAAABgQ".repeat(9)
        );
        assert!(config_lines(&hosts).is_empty());
        let c = config_lines("db.user=app\ndb.password=Sup3r-s3cret\n# token=abc\nttl: 30\n");
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].1, "db.password");
    }

    #[test]
    fn literals_by_meaning() {
        for (k, v) in [
            ("type", "helm"),
            ("url", "https://github.com/acme"),
            ("githubAppID", "1"),
            ("insecure", "true"),
            ("admin.passwordMtime", "2024-03-01T10:00:00Z"),
            ("password", "my-password"),
            ("bearerToken", "my-token"),
            ("webhook.github.secret", "shhhh! it's a github secret"),
            ("project", "my-project"),
            ("connectionString", "redis-cart:6379"),
            ("passwordPattern", "^.{8,32}$"),
            (
                "sshPrivateKey",
                "-----BEGIN OPENSSH PRIVATE KEY-----\n...\n-----END OPENSSH PRIVATE KEY-----",
            ),
            ("apiToken", "YourPingdomApiToken"),
            ("answer", "this is a sentence"),
            ("pass", "another_pw"),
            ("pass", "secret_pw"),
            ("password", "admin-password"),
        ] {
            assert!(judge_literal(k, v, true).is_none(), "{k}: {v}");
        }
        for (k, v) in [
            ("password", "Pr0d-db-9f3kQ"),
            ("password", "tundra_pw_9"),
            (
                "k8sgoatvaultkey",
                "k8s-goat-cd2da27224591da2b48ef83826a8a6c3",
            ),
            ("api_key", "sk_live_51Hx9Qz2LmW7pVt4RkE3sYd"),
            (
                "connectionString",
                "Server=db;User Id=app;Password=Xq7-pl0d4;",
            ),
        ] {
            assert!(judge_literal(k, v, true).is_some(), "{k}: {v}");
        }
        let blob = "VBUGh3wu/3I1naHj1Uf97Y0Lq8B5/92q1jwp3/aYSwHSJI8WqdZnYLj78hESlfPPKf1ZKPap4z2+r+G9NRx2Qm8Kc0Wd7Tz4Lb6Vy1Hs5Ju3Ng9Pe2Xa8Ri0Mo7Fk4Gt1Dl6Cq3Bw5Av9Ez2Iy8Ox0Uh4Sj7Ln1Mp3Kr6Jt9Hv2Gw5Fx8Ey0Dz3Ca6Bb9Ac1Ad4Ae7Af0Ag2Ah5Ai8Aj1Ak3Al6Am9An2Ao5Ap8Aq1Ar4As7At0Au3Av6";
        assert!(judge_literal("answer", blob, true).is_some());
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
