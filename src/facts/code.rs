//! Application code: credential facts (hard-coded cloud SDK credentials, redacted) and helpers
//! shared by the source rules (`src/rules/checks/src_*.rs`).

use super::{Credential, Facts, Loc};
use crate::config::Config;
use crate::finding::Finding;
use crate::lang::Parsed;
use crate::lang::code::{self, CodeTree, lit};
use crate::lang::{Node, Span, V};
use crate::redact::redact;
use crate::rules::Rule;
use crate::source::SourceFile;

/// Keywords that gate [`sdk_credentials`] (and so the parse) for a file.
pub const SDK_KEYWORDS: &[&str] = &[
    "aws_access_key_id",
    "aws_secret_access_key",
    "accessKeyId",
    "secretAccessKey",
    "SecretAccessKey",
    "NewStaticCredentials",
    "BasicAWSCredentials",
    "AwsBasicCredentials",
    "AwsSessionCredentials",
    "BasicSessionCredentials",
    "ClientSecretCredential",
    "from_service_account_info",
    "private_key",
    "privateKey",
    "Credentials(",
    "secret_access_key",
];

/// Could this file hand a cloud SDK a literal credential? One of [`SDK_KEYWORDS`], or an
/// access key id (`AKIA`/`ASIA`) together with `credentials` (PHP) or an `Amazon…` client (C#):
/// a key id alone (common in fixtures and docs) does not make a file worth parsing.
pub fn sdk_prefilter(file: &SourceFile) -> bool {
    code::prefilter(file, SDK_KEYWORDS)
        || code::prefilter(file, &["AKIA", "ASIA"])
            && code::prefilter(file, &["credentials", "Amazon"])
}

/// Names of JWT libraries: a JWT rule only parses files that mention one.
pub const JWT_LIBS: &[&str] = &["jwt", "JWT", "Jwt", "jose", "TokenValidationParameters"];

/// A literal credential handed to a cloud SDK.
pub struct SdkCredential {
    /// `AWS secret access key`, `Azure client secret`, `Google service account private key`.
    pub what: &'static str,
    /// Where it goes: `boto3.client`, `NewStaticCredentialsProvider`, an object property...
    pub target: String,
    pub span: Span,
    pub value_len: usize,
    pub redacted: String,
}

fn norm(key: &str) -> String {
    key.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// Every hard-coded credential passed to a cloud SDK in this file (see the card
/// `src-cloud-sdk-hardcoded-credentials` for the forms recognised).
pub fn sdk_credentials(t: &CodeTree) -> Vec<SdkCredential> {
    let mut out: Vec<SdkCredential> = Vec::new();
    let mut push = |what: &'static str, target: String, n: &Node| {
        if let Some(s) = secret_lit(n)
            && !out.iter().any(|o| o.span == n.span)
        {
            out.push(SdkCredential {
                what,
                target,
                span: n.span.clone(),
                value_len: s.len(),
                redacted: redact(s),
            });
        }
    };
    // Properties, keyword arguments and struct fields named like the AWS secret key.
    for p in t.pairs() {
        let k = norm(&p.key);
        let k = k.rsplit('.').next().unwrap_or(&k).to_string();
        if k == "awssecretaccesskey" || k == "secretaccesskey" {
            push(
                "AWS secret access key",
                format!("property `{}`", p.key),
                &p.value,
            );
        } else if k == "credentials"
            && p.value.get("key").and_then(lit).is_some_and(aws_key_id)
            && let Some(secret) = p.value.get("secret")
        {
            // PHP SDK: `'credentials' => ['key' => 'AKIA…', 'secret' => '…']`.
            push(
                "AWS secret access key",
                "property `credentials.secret`".into(),
                secret,
            );
        } else if k == "privatekey"
            // A service account key's PKCS#8 block, as a property of a credentials object (not a
            // variable named `privateKey` holding some RSA test key).
            && p.entry
            && lit(&p.value).is_some_and(|s| s.contains("BEGIN PRIVATE KEY"))
        {
            push(
                "Google service account private key",
                format!("property `{}`", p.key),
                &p.value,
            );
        }
    }
    for c in t.calls() {
        let target = format!("`{}`", short(&c.callee));
        match c.name.as_str() {
            // Go SDK v1/v2 and the Java SDKs: (key id, secret[, session token]).
            "NewStaticCredentialsProvider"
            | "NewStaticCredentials"
            | "BasicAWSCredentials"
            | "BasicSessionCredentials"
            | "Credentials"
                if c.args.len() >= 2
                    && lit(&c.args[0]).is_some()
                    && (c.name != "Credentials"
                        || c.callee.to_ascii_lowercase().contains("aws")
                        || lit(&c.args[0]).is_some_and(aws_key_id)) =>
            {
                push("AWS secret access key", target, &c.args[1]);
            }
            // C# `new AmazonS3Client("AKIA…", "…", RegionEndpoint.X)`.
            n if n.starts_with("Amazon")
                && n.ends_with("Client")
                && c.args.len() >= 2
                && lit(&c.args[0]).is_some_and(aws_key_id) =>
            {
                push("AWS secret access key", target, &c.args[1]);
            }
            "create"
                if (c.callee.ends_with("AwsBasicCredentials.create")
                    || c.callee.ends_with("AwsSessionCredentials.create"))
                    && c.args.len() >= 2 =>
            {
                push("AWS secret access key", target, &c.args[1]);
            }
            // Azure identity: ClientSecretCredential(tenant, client, secret).
            "ClientSecretCredential" | "NewClientSecretCredential" => {
                if let Some(n) = c.arg("client_secret", 2) {
                    push("Azure client secret", target, n);
                }
            }
            "clientSecret" if c.callee.contains("ClientSecretCredentialBuilder") => {
                if let Some(n) = c.args.first() {
                    push(
                        "Azure client secret",
                        "`ClientSecretCredentialBuilder.clientSecret`".into(),
                        n,
                    );
                }
            }
            // Google: service_account.Credentials.from_service_account_info({... private_key ...}).
            "from_service_account_info" | "fromJSON" | "from_json_keyfile_dict" => {
                if let Some(Node { v: V::Map(es), .. }) = c.args.first()
                    && let Some(e) = es.iter().find(|e| e.key == "private_key")
                {
                    push("Google service account private key", target, &e.value);
                }
            }
            _ => {}
        }
    }
    // Name the call that receives a property or keyword argument (`boto3.client`, `new S3Client`).
    for c in out.iter_mut() {
        if let Some(call) = t
            .calls()
            .iter()
            .filter(|k| k.args_span.start <= c.span.start && c.span.end <= k.args_span.end)
            .min_by_key(|k| k.args_span.len())
            && let Some(key) = c.target.strip_prefix("property ")
        {
            c.target = format!("{key} in `{}`", short(&call.callee));
        }
    }
    out.sort_by_key(|c| c.span.start);
    out
}

/// An AWS access key id literal (`AKIA…`, `ASIA…`).
fn aws_key_id(s: &str) -> bool {
    s.starts_with("AKIA") || s.starts_with("ASIA")
}

/// A callee shortened for messages: the last two segments of a long chain.
pub fn short(callee: &str) -> String {
    if callee.len() <= 60 {
        return callee.to_string();
    }
    let parts: Vec<&str> = callee.rsplit('.').take(2).collect();
    format!(
        "….{}",
        parts.into_iter().rev().collect::<Vec<_>>().join(".")
    )
}

pub fn extract(file: &SourceFile, _parsed: &Parsed, _config: &Config) -> Facts {
    let mut f = Facts::default();
    if !sdk_prefilter(file) {
        return f;
    }
    let Some(t) = code::parse(file) else {
        return f;
    };
    for (i, c) in sdk_credentials(&t).into_iter().enumerate() {
        let kind = if c.what.contains("private key") {
            "service-account-key"
        } else if c.what.contains("client secret") {
            "client-secret"
        } else {
            "access-key"
        };
        f.credentials.push(Credential {
            id: format!("{}#literal/{i}", file.path),
            kind: kind.into(),
            identity: None,
            lifetime: None,
            storage: "literal".into(),
            redacted: Some(c.redacted),
            loc: Loc::new(file, c.span),
            attrs: Default::default(),
        });
    }
    f
}

/// Push a finding unless one of this rule already starts at the same place.
pub fn emit(out: &mut Vec<Finding>, f: Finding) {
    if !out
        .iter()
        .any(|o| o.rule_id == f.rule_id && o.path == f.path && o.span.start == f.span.start)
    {
        out.push(f);
    }
}

/// Parse the file if any keyword is present (the prefilter that keeps the whole-repo scan fast).
pub fn gate(file: &SourceFile, keywords: &[&str]) -> Option<std::rc::Rc<CodeTree>> {
    if code::Lang::of(file).is_none() || !code::prefilter(file, keywords) {
        return None;
    }
    code::parse(file)
}

/// Like [`gate`], but the file must also contain one of `also` (e.g. a library name).
pub fn gate_both(
    file: &SourceFile,
    keywords: &[&str],
    also: &[&str],
) -> Option<std::rc::Rc<CodeTree>> {
    if code::Lang::of(file).is_none() || !code::prefilter(file, also) {
        return None;
    }
    gate(file, keywords)
}

/// Does the file look like it sends credentials (used to rank TLS findings)?
pub fn sends_credentials(file: &SourceFile) -> bool {
    let l = file.text.to_ascii_lowercase();
    [
        "authorization",
        "bearer",
        "token",
        "password",
        "api_key",
        "apikey",
        "auth=",
        "credential",
        "secret",
        "cert=",
    ]
    .iter()
    .any(|k| l.contains(k))
}

/// Seconds of a lifetime written as `365d`, `10y`, `720h`, `2 years`, `90 days` (vercel/ms) or
/// a number of seconds.
pub fn parse_lifetime(n: &Node) -> Option<u64> {
    match &n.v {
        V::Num(s) => s.parse::<f64>().ok().map(|f| f as u64),
        V::Str(s) => {
            let s = s.trim().to_ascii_lowercase();
            let split = s
                .find(|c: char| !(c.is_ascii_digit() || c == '.'))
                .unwrap_or(s.len());
            let (num, unit) = s.split_at(split);
            let num: f64 = num.parse().ok()?;
            let unit = unit.trim();
            let mult = match unit {
                "" => 0.001, // vercel/ms: a bare number string is milliseconds
                "s" | "sec" | "secs" | "second" | "seconds" => 1.0,
                "m" | "min" | "mins" | "minute" | "minutes" => 60.0,
                "h" | "hr" | "hrs" | "hour" | "hours" => 3600.0,
                "d" | "day" | "days" => 86_400.0,
                "w" | "week" | "weeks" => 604_800.0,
                "y" | "yr" | "yrs" | "year" | "years" => 31_557_600.0,
                _ => return None,
            };
            Some((num * mult) as u64)
        }
        V::Expr(e) => eval_product(e),
        _ => None,
    }
}

/// `60 * 60 * 24 * 365` → its value (integers joined by `*`, `L` suffixes allowed).
pub fn eval_product(e: &str) -> Option<u64> {
    let mut acc: u64 = 1;
    let mut any = false;
    for part in e.split('*') {
        let p = part
            .trim()
            .trim_matches(|c| c == '(' || c == ')')
            .trim_end_matches(['L', 'l']);
        let v: u64 = p.replace('_', "").parse().ok()?;
        acc = acc.checked_mul(v)?;
        any = true;
    }
    any.then_some(acc)
}

/// Seconds of a duration expression in code: Python `timedelta(days=365)`, Go
/// `time.Hour * 24 * 365` / `AddDate(1, 0, 0)`, Java `plusDays(365)`, `plus(365, ChronoUnit.DAYS)`.
pub fn code_duration(text: &str) -> Option<u64> {
    let t: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    if let Some(i) = t.find("timedelta(") {
        let inner = &t[i + 10..];
        let inner = &inner[..inner.find(')').unwrap_or(inner.len())];
        let mut secs = 0f64;
        for (k, part) in inner.split(',').enumerate() {
            let (key, val) = match part.split_once('=') {
                Some((k, v)) => (k, v),
                None if k == 0 => ("days", part),
                None => continue,
            };
            let v: f64 = val.parse().ok()?;
            secs += v * match key {
                "weeks" => 604_800.0,
                "days" => 86_400.0,
                "hours" => 3600.0,
                "minutes" => 60.0,
                "seconds" => 1.0,
                _ => 0.0,
            };
        }
        return Some(secs as u64);
    }
    if let Some(i) = t.find("AddDate(") {
        let inner = &t[i + 8..];
        let inner = &inner[..inner.find(')').unwrap_or(inner.len())];
        let v: Vec<i64> = inner.split(',').filter_map(|p| p.parse().ok()).collect();
        if v.len() == 3 {
            return Some(
                (v[0].saturating_mul(31_557_600))
                    .saturating_add(v[1].saturating_mul(2_629_800))
                    .saturating_add(v[2].saturating_mul(86_400))
                    .max(0) as u64,
            );
        }
    }
    for (pat, mult) in [
        ("plusDays(", 86_400u64),
        ("plusHours(", 3600),
        ("plusYears(", 31_557_600),
        ("plusMonths(", 2_629_800),
        // C# `DateTime.UtcNow.AddDays(365)`, Java `Duration.ofDays(365)`.
        ("AddDays(", 86_400),
        ("AddHours(", 3600),
        ("AddMinutes(", 60),
        ("AddYears(", 31_557_600),
        ("AddMonths(", 2_629_800),
        ("ofDays(", 86_400),
        ("ofHours(", 3600),
    ] {
        if let Some(i) = t.find(pat) {
            let inner = &t[i + pat.len()..];
            let inner = &inner[..inner.find(')').unwrap_or(inner.len())];
            return eval_product(inner).map(|v| v.saturating_mul(mult));
        }
    }
    if let Some(i) = t.find("ChronoUnit.") {
        let unit = &t[i + 11..];
        let mult = [
            ("DAYS", 86_400u64),
            ("HOURS", 3600),
            ("YEARS", 31_557_600),
            ("MONTHS", 2_629_800),
            ("WEEKS", 604_800),
        ]
        .iter()
        .find(|(u, _)| unit.starts_with(u))
        .map(|(_, m)| *m)?;
        let before = &t[..i];
        let start = before.rfind('(')? + 1;
        let num = before[start..].trim_end_matches(',');
        return eval_product(num).map(|v| v.saturating_mul(mult));
    }
    // Go: products of integers and time units.
    if t.contains("time.Hour") || t.contains("time.Minute") || t.contains("time.Second") {
        let inner = t
            .rfind("Add(")
            .map(|i| &t[i + 4..])
            .map(|s| &s[..s.find(')').unwrap_or(s.len())])
            .unwrap_or(&t);
        let mut acc: u64 = 1;
        for part in inner.split('*') {
            let p = part.trim_matches(|c| c == '(' || c == ')');
            let v = match p {
                "time.Hour" => 3600,
                "time.Minute" => 60,
                "time.Second" => 1,
                _ => p.trim_start_matches("time.Duration(").parse::<u64>().ok()?,
            };
            acc = acc.checked_mul(v)?;
        }
        return Some(acc);
    }
    // Rails `1.year.from_now`, `30.days`.
    for (unit, mult) in [
        (".year", 31_557_600u64),
        (".month", 2_629_800),
        (".week", 604_800),
        (".day", 86_400),
        (".hour", 3600),
        (".minute", 60),
    ] {
        if let Some(i) = t.find(unit) {
            let before = &t[..i];
            let start = before
                .rfind(|c: char| !c.is_ascii_digit() && c != '_')
                .map(|j| j + 1)
                .unwrap_or(0);
            if let Ok(v) = before[start..].replace('_', "").parse::<u64>() {
                return Some(v.saturating_mul(mult));
            }
        }
    }
    // Ruby `Time.now.to_i + 3600`, PHP `time() + 86400 * 365` (seconds).
    for pat in ["to_i+", "time()+"] {
        if let Some(i) = t.find(pat) {
            let rest = &t[i + pat.len()..];
            let end = rest
                .find(|c: char| {
                    !(c.is_ascii_digit() || c == '*' || c == '_' || c == '(' || c == ')')
                })
                .unwrap_or(rest.len());
            return eval_product(&rest[..end]);
        }
    }
    // Java: `System.currentTimeMillis() + 365L * 24 * 60 * 60 * 1000` (milliseconds).
    if let Some(i) = t.find("currentTimeMillis()+") {
        let rest = &t[i + 20..];
        let end = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '*' || c == '_' || c == '('))
            .unwrap_or(rest.len());
        return eval_product(&rest[..end]).map(|ms| ms / 1000);
    }
    None
}

/// Human form of a lifetime in seconds: `365 days`, `12 hours`.
pub fn human_lifetime(secs: u64) -> String {
    if secs >= 86_400 {
        format!("{} days", secs / 86_400)
    } else {
        format!("{} hours", secs / 3600)
    }
}

/// Build a finding for a rule in `file` (masks `mask` when the span covers secret material).
pub fn finding(rule: &Rule, file: &SourceFile, span: Span, msg: String, mask: bool) -> Finding {
    let f = rule.finding(file, span.clone(), msg);
    if mask { f.with_mask(span) } else { f }
}

/// A literal that looks like real credential material: non-empty, not a placeholder.
fn secret_lit(n: &Node) -> Option<&str> {
    lit(n).filter(|s| {
        let l = s.trim().to_ascii_lowercase();
        s.trim().len() >= 4
            && !crate::secrets::is_placeholder(s)
            && !crate::secrets::assign::TEST_VALUES.contains(&l.as_str())
            // a truncated PEM (`-----BEGIN … KEY-----\nMIIE\n-----END …`) is a fixture
            && (!l.contains("-----begin") || s.len() >= 120)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(code_duration("timedelta(days=365)"), Some(365 * 86_400));
        assert_eq!(
            code_duration("datetime.utcnow() + timedelta(hours=1)"),
            Some(3600)
        );
        assert_eq!(
            code_duration("time.Now().Add(time.Hour * 24 * 365).Unix()"),
            Some(365 * 86_400)
        );
        assert_eq!(
            code_duration("time.Now().AddDate(1, 0, 0)"),
            Some(31_557_600)
        );
        assert_eq!(
            code_duration("new Date(System.currentTimeMillis() + 365L * 24 * 60 * 60 * 1000)"),
            Some(365 * 86_400)
        );
        assert_eq!(
            code_duration("Instant.now().plus(400, ChronoUnit.DAYS)"),
            Some(400 * 86_400)
        );
        assert_eq!(
            code_duration("DateTime.UtcNow.AddDays(365)"),
            Some(365 * 86_400)
        );
        assert_eq!(code_duration("1.year.from_now.to_i"), Some(31_557_600));
        assert_eq!(code_duration("Time.now.to_i + 4 * 3600"), Some(4 * 3600));
        assert_eq!(code_duration("time() + 86400 * 365"), Some(365 * 86_400));
        let n = Node::new(0..0, V::Str("10y".into()));
        assert!(parse_lifetime(&n).unwrap() > 300 * 86_400);
        let n = Node::new(0..0, V::Str("1h".into()));
        assert_eq!(parse_lifetime(&n), Some(3600));
    }
}
