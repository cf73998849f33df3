//! Redaction: the one function every reporter, the inventory and the language server use to
//! show a secret. A redacted form keeps at most a short, non-secret prefix and the length.

/// Public, non-secret prefixes of provider formats that may be shown before the length.
const PUBLIC_PREFIXES: &[&str] = &[
    "github_pat_",
    "sk-ant-api03-",
    "sk-ant-",
    "sk-proj-",
    "sk_live_",
    "sk_test_",
    "rk_live_",
    "rk_test_",
    "whsec_",
    "glpat-",
    "gldt-",
    "glrt-",
    "glptt-",
    "xoxb-",
    "xoxp-",
    "xoxa-",
    "xoxe-",
    "xapp-",
    "ghp_",
    "gho_",
    "ghu_",
    "ghs_",
    "ghr_",
    "npm_",
    "pypi-",
    "dckr_pat_",
    "hvs.",
    "hvb.",
    "AKIA",
    "ASIA",
    "ABIA",
    "ACCA",
    "AIza",
    "SG.",
    "eyJ",
    "shpat_",
    "shpss_",
    "sk-",
    "dop_v1_",
    "doo_v1_",
    "glc_",
    "lin_api_",
    "ATATT",
    "xkeysib-",
    "-----BEGIN",
];

/// `AKIA…(20 chars)`: a known public prefix of the provider format (only for values of 16+
/// characters), then the length. Any other value shows no characters at all: `…(12 chars)`.
pub fn redact(secret: &str) -> String {
    let n = secret.chars().count();
    if n >= 16
        && let Some(p) = PUBLIC_PREFIXES
            .iter()
            .filter(|p| p.len() <= 4 || n >= p.len() + 12)
            .find(|p| secret.starts_with(*p))
        && p.len() >= 3
    {
        return format!("{p}…({n} chars)");
    }
    format!("…({n} chars)")
}

/// Replace the bytes of every masked span in `text[start..end]` with `*` (keeping length and
/// line structure), for code frames and snippets.
pub fn mask_text(text: &str, masks: &[std::ops::Range<usize>]) -> String {
    if masks.is_empty() {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    for (i, ch) in text.char_indices() {
        if ch != '\n' && masks.iter().any(|m| m.start <= i && i < m.end) {
            out.push('*');
            for _ in 1..ch.len_utf8() {
                out.push('*');
            }
        } else {
            out.push(ch);
        }
    }
    out
}

/// The frame of a secret finding shows one line of context above and below: the values on those
/// lines are masked too (a key next to the flagged ciphertext is a secret no detector named).
/// After the first assignment operator (`=`, `: `, `:=`) every non-blank character is masked; on
/// lines without one, quoted strings and tokens of 16+ characters are.
pub fn mask_values(line: &str) -> String {
    let b = line.as_bytes();
    let op = (0..b.len()).find(|&i| {
        b[i] == b'='
            || b[i] == b':'
                && b.get(i + 1)
                    .is_none_or(|c| c.is_ascii_whitespace() || *c == b'=')
    });
    let mut keep = vec![true; b.len()];
    if let Some(o) = op {
        for (i, k) in keep.iter_mut().enumerate().skip(o + 1) {
            *k = b[i].is_ascii_whitespace() || matches!(b[i], b'"' | b'\'' | b',' | b';');
        }
    } else {
        let mut quote: Option<u8> = None;
        let mut run = 0usize;
        for i in 0..b.len() {
            match quote {
                Some(q) if b[i] == q => quote = None,
                Some(_) => keep[i] = false,
                None if matches!(b[i], b'"' | b'\'' | b'`') => quote = Some(b[i]),
                None => {}
            }
            if b[i].is_ascii_whitespace() {
                run = 0;
            } else {
                run += 1;
                if run == 16 {
                    for k in keep.iter_mut().take(i + 1).skip(i + 1 - 16) {
                        *k = false;
                    }
                } else if run > 16 {
                    keep[i] = false;
                }
            }
        }
    }
    line.char_indices()
        .map(|(i, c)| {
            if keep[i] {
                c.to_string()
            } else {
                "*".repeat(c.len_utf8())
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn context_lines_are_masked() {
        assert_eq!(
            super::mask_values("key = \"k3yM4terial\""),
            "key = \"***********\""
        );
        assert_eq!(super::mask_values("next: v4lue"), "next: *****");
        let m = super::mask_values("\"QmFzZTY0QmxvYkhlcmUx\" + y");
        assert!(!m.contains("QmFzZTY0") && m.ends_with(" + y"), "{m}");
    }

    #[test]
    fn redacts() {
        assert_eq!(super::redact("AKIAABCDEFGHIJKLMNOP"), "AKIA…(20 chars)");
        assert_eq!(super::redact("hunter2"), "…(7 chars)");
        assert_eq!(super::redact("q8Wv2LmZ7rT4nB6yPa"), "…(18 chars)");
        assert_eq!(
            super::mask_text("a=secret\n", &[2..8, 20..20]),
            "a=******\n"
        );
    }
}
