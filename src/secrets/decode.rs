//! Base64 (standard and URL-safe alphabets, padding optional) for the secrets engine: Basic
//! authorization values are checked by decoding them, and encoded values are decoded (up to
//! [`MAX_LAYERS`] times) so the secret inside is scanned again.

/// Decoding layers followed for one value (`base64(base64(secret))` is common obfuscation).
pub const MAX_LAYERS: usize = 3;

fn sextet(c: u8) -> Option<u32> {
    Some(match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' | b'-' => 62,
        b'/' | b'_' => 63,
        _ => return None,
    } as u32)
}

/// Decode base64 text; `None` when it is not base64 (bad characters, impossible length).
pub fn base64(s: &str) -> Option<Vec<u8>> {
    let t = s.trim_end_matches('=');
    if s.len() - t.len() > 2 || t.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(t.len() * 3 / 4);
    let mut acc = 0u32;
    let mut bits = 0;
    for c in t.bytes() {
        acc = (acc << 6) | sextet(c)?;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

/// Is the JSON Web Token `token` a sample rather than a credential someone can use: its claims
/// name no issuer that is a URL, host or path (`{"sub": "foo"}`, `{"some": "payload"}`, the
/// jwt.io example, `"iss": "test"`), or it expired (`exp` before `now`, seconds since 1970)?
/// A token whose header or claims are not JSON is not judged a sample.
pub fn jwt_sample(token: &str, now: u64) -> bool {
    let mut parts = token.split('.');
    let (Some(_), Some(claims)) = (parts.next(), parts.next()) else {
        return false;
    };
    let Some(claims) = base64(claims)
        .and_then(|c| serde_json::from_slice::<serde_json::Value>(&c).ok())
        .filter(serde_json::Value::is_object)
    else {
        return false;
    };
    let expired = claims
        .get("exp")
        .and_then(serde_json::Value::as_f64)
        .is_some_and(|exp| exp < now as f64);
    let issuer = claims
        .get("iss")
        .and_then(serde_json::Value::as_str)
        .is_some_and(|iss| iss.contains(['.', '/', ':']));
    expired || !issuer
}

/// Text decoded from `s` when `s` looks like base64 and decodes to printable UTF-8 (tabs and
/// newlines allowed): the candidate for a second scan.
pub fn printable(s: &str) -> Option<String> {
    let b = s.as_bytes();
    if b.len() < 8 || !b.iter().all(|c| sextet(*c).is_some() || *c == b'=') {
        return None;
    }
    // Plain words and identifiers are base64 alphabet too: want mixed case or digits, and the
    // standard length (URL-safe values may drop the padding).
    let upper = b.iter().any(u8::is_ascii_uppercase);
    let lower = b.iter().any(u8::is_ascii_lowercase);
    let digit_or_sym = b
        .iter()
        .any(|c| c.is_ascii_digit() || matches!(c, b'+' | b'/' | b'='));
    if !(upper && lower && (digit_or_sym || b.len().is_multiple_of(4))) {
        return None;
    }
    // Cheap rejection first: the first 8 characters (6 bytes) must decode to printable text.
    let head = base64(&s[..8])?;
    if !head
        .iter()
        .all(|c| c.is_ascii_graphic() || matches!(c, b' ' | b'\n' | b'\r' | b'\t') || *c >= 0x80)
    {
        return None;
    }
    let d = base64(s)?;
    let text = String::from_utf8(d).ok()?;
    let ok = text.len() >= 4
        && text
            .chars()
            .all(|c| !c.is_control() || matches!(c, '\n' | '\r' | '\t'))
        && text.chars().filter(|c| c.is_ascii_alphanumeric()).count() * 2 >= text.chars().count();
    ok.then_some(text)
}

/// Byte classes for [`runs`]: base64 alphabet, digit (or `+`/`/`), upper case, lower case.
const B64: u8 = 1;
const DIGIT: u8 = 2;
const UPPER: u8 = 4;
const LOWER: u8 = 8;
const CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut c = 0;
    while c < 256 {
        let b = c as u8;
        t[c] = if b.is_ascii_digit() || b == b'+' || b == b'/' {
            B64 | DIGIT
        } else if b.is_ascii_uppercase() {
            B64 | UPPER
        } else if b.is_ascii_lowercase() {
            B64 | LOWER
        } else {
            0
        };
        c += 1;
    }
    t
};

/// Shortest run [`runs`] looks at before its `=` padding.
const MIN_RUN: usize = 18;

/// Runs of the standard base64 alphabet (20 to 4096 characters, with digits and both cases, `=`
/// padding included) that stand alone: not glued to other word characters. This runs over every
/// byte of every file, so it skips: a run of [`MIN_RUN`] characters starting at or after `i`
/// covers byte `i + MIN_RUN - 1`, and when that byte is outside the alphabet the search moves
/// past it without reading the bytes in between.
pub fn runs(b: &[u8]) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let in_alphabet = |c: u8| CLASS[c as usize] != 0;
    // Invariant: `i == 0` or `b[i - 1]` is outside the alphabet.
    let mut i = 0;
    while i + MIN_RUN <= b.len() {
        let probe = i + MIN_RUN - 1;
        if !in_alphabet(b[probe]) {
            i = probe + 1;
            continue;
        }
        let mut seen = CLASS[b[probe] as usize];
        let mut s = probe;
        while s > i && in_alphabet(b[s - 1]) {
            s -= 1;
            seen |= CLASS[b[s] as usize];
        }
        let mut r = probe + 1;
        while r < b.len() && in_alphabet(b[r]) {
            seen |= CLASS[b[r] as usize];
            r += 1;
        }
        // identifiers and words: base64 of text has digits and both cases
        if r - s >= MIN_RUN && seen == B64 | DIGIT | UPPER | LOWER {
            let mut e = r;
            while e < b.len() && e - r < 2 && b[e] == b'=' {
                e += 1;
            }
            let glued =
                |c: u8| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'.' | b'\\');
            let alone =
                (s == 0 || !glued(b[s - 1])) && (e >= b.len() || !glued(b[e]) && b[e] != b'=');
            if alone && (20..=4096).contains(&(e - s)) && !b[s..e].starts_with(b"/") {
                out.push(s..e);
            }
        }
        i = r + 1;
    }
    out
}

/// `user:password` inside a Basic authorization value, with a non-empty password.
pub fn basic_auth(s: &str) -> bool {
    let Some(t) = base64(s).and_then(|d| String::from_utf8(d).ok()) else {
        return false;
    };
    match t.split_once(':') {
        Some((u, p)) => {
            !u.is_empty()
                && !u.chars().any(char::is_control)
                && !p.chars().any(char::is_control)
                && (p.chars().count() < 6
                    && !p.is_empty()
                    && !super::is_placeholder(p)
                    && !super::assign::TEST_VALUES.contains(&p.to_ascii_lowercase().as_str())
                    || super::assign::judge(
                        super::assign::NameClass::Password,
                        "password",
                        p,
                        true,
                    )
                    .is_some())
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_skip_like_a_plain_scan() {
        let text = b"x = \"aHVudGVyMjIgaXMgbXkgcGFzc3dvcmQ=\" and short aB3 words,\n\
            QWxhZGRpbjpvcGVuIHNlc2FtZQ==\nnot_base64_identifier_at_all Zm9vYmFyYmF6cXV4MTIzNDU2\n\
            glued.aHVudGVyMjIgaXMgbXkgcGFzc3dvcmQ=";
        let found: Vec<&[u8]> = runs(text).into_iter().map(|r| &text[r]).collect();
        assert_eq!(
            found,
            vec![
                &b"aHVudGVyMjIgaXMgbXkgcGFzc3dvcmQ="[..],
                &b"QWxhZGRpbjpvcGVuIHNlc2FtZQ=="[..],
                &b"Zm9vYmFyYmF6cXV4MTIzNDU2"[..],
            ]
        );
        assert!(runs(b"aHVudGVyMjIgaXMgb12").is_empty()); // 19 characters
        assert_eq!(runs(b"aHVudGVyMjIgaXMgbX12").len(), 1);
        assert_eq!(runs(b"-- aHVudGVyMjIgaXMgbX12 --").len(), 1);
    }

    #[test]
    fn decodes() {
        assert_eq!(base64("aHVudGVyMg==").unwrap(), b"hunter2");
        assert_eq!(base64("aHVudGVyMg").unwrap(), b"hunter2");
        assert_eq!(
            printable("UEBzc3dvcmQxMjM=").as_deref(),
            Some("P@ssword123")
        );
        assert!(printable("ThisIsAnIdentifier").is_none());
        assert!(basic_auth("QWxhZGRpbjpvcGVuIHNlc2FtZQ=="));
        assert!(!basic_auth("QWNjZXNzS2V5T25seUhlcmU="));
        assert!(!basic_auth("dXNlcjpwYXNzd29yZA==")); // user:password
        assert!(!basic_auth("dGVzdDp0ZXN0")); // test:test
    }
}
