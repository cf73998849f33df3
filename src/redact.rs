//! Redaction: the one function every reporter, the inventory and the language server use to
//! show a secret. A redacted form keeps at most a short, non-secret prefix and the length.

/// `AKIA…(20 chars)`: a known public prefix (up to 4 characters, only for values of 16+ chars),
/// then the length. Short values show no characters at all.
pub fn redact(secret: &str) -> String {
    let n = secret.chars().count();
    if n >= 16 {
        let prefix: String = secret.chars().take(4).collect();
        if prefix
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        {
            return format!("{prefix}…({n} chars)");
        }
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

#[cfg(test)]
mod tests {
    #[test]
    fn redacts() {
        assert_eq!(super::redact("AKIAABCDEFGHIJKLMNOP"), "AKIA…(20 chars)");
        assert_eq!(super::redact("hunter2"), "…(7 chars)");
        assert_eq!(
            super::mask_text("a=secret\n", &[2..8, 20..20]),
            "a=******\n"
        );
    }
}
