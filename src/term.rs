//! Terminal safety: text that comes from scanned files or file names (code frames, paths,
//! messages) never reaches a terminal raw. Control characters (C0 but tab, DEL, C1) and the
//! invisible bidirectional formatting characters ("Trojan Source") become visible escapes
//! (`\x1b`, `\u{202e}`), so a file can neither drive the terminal (clear it, set the
//! clipboard through OSC 52, fake a line) nor reorder what is shown.
//!
//! JSON and SARIF escape through serde; the text formats call these functions.

use std::borrow::Cow;

/// True for characters that must not be written raw (tab and newline included; callers that
/// keep lines use [`clean_lines`]).
pub fn needs_escape(c: char) -> bool {
    (c.is_control() && c != '\t')
        || matches!(
            c,
            '\u{061C}'
                | '\u{200B}'
                | '\u{200E}'
                | '\u{200F}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{202A}'..='\u{202E}'
                | '\u{2060}'
                | '\u{2066}'..='\u{2069}'
                | '\u{FEFF}'
        )
}

/// The visible form of one character that [`needs_escape`].
pub fn escape_char(c: char, out: &mut String) {
    match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        c if (c as u32) < 0x80 => out.push_str(&format!("\\x{:02x}", c as u32)),
        c => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
    }
}

fn escape_if(s: &str, keep: impl Fn(char) -> bool) -> Cow<'_, str> {
    if !s.chars().any(|c| needs_escape(c) && !keep(c)) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if needs_escape(c) && !keep(c) {
            escape_char(c, &mut out);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// A one-line value (path, rule message): every control character escaped, newlines too.
pub fn clean(s: &str) -> Cow<'_, str> {
    escape_if(s, |_| false)
}

/// Multi-line text (a whole text report): newlines kept, everything else escaped.
pub fn clean_lines(s: &str) -> Cow<'_, str> {
    escape_if(s, |c| c == '\n')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_controls_and_bidi() {
        assert_eq!(clean("plain é\ttab"), "plain é\ttab");
        assert!(matches!(clean("plain"), Cow::Borrowed(_)));
        assert_eq!(
            clean("a\x1b]52;c;aGk=\x07b\x1b[2J"),
            "a\\x1b]52;c;aGk=\\x07b\\x1b[2J"
        );
        assert_eq!(clean("x\ny\r\u{7f}\u{9b}"), "x\\ny\\r\\x7f\\u{9b}");
        assert_eq!(clean("abc\u{202e}def"), "abc\\u{202e}def");
        assert_eq!(clean_lines("a\x1b\nb\r\n"), "a\\x1b\nb\\r\n");
    }
}
