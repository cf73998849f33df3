//! Format adapters: each turns a file's text into the located value tree of [`value`].

pub mod code;
pub mod hcl;
pub mod hcl_ts;
pub mod json;
pub mod value;
pub mod yaml;
pub mod yaml_fast;

pub use value::{Block, Document, Entry, Node, ParseError, Span, V};

/// The longest prefix of `s` of at most `max` bytes that ends on a character boundary (never
/// splits a multi-byte character, unlike `&s[..max]`).
pub fn prefix(s: &str, max: usize) -> &str {
    if max >= s.len() {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// `s[range]`, with both ends moved back to character boundaries (and clamped to `s`), so a
/// byte range computed on another text (a masked copy) never splits a character.
pub fn slice(s: &str, range: std::ops::Range<usize>) -> &str {
    let end = floor_boundary(s, range.end);
    &s[floor_boundary(s, range.start).min(end)..end]
}

/// `at` (at most `s.len()`) moved back to a character boundary.
pub fn floor_boundary(s: &str, at: usize) -> usize {
    let mut i = at.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod tests {
    #[test]
    fn prefixes_never_split_a_character() {
        assert_eq!(super::prefix("aé", 2), "a");
        assert_eq!(super::prefix("aé", 3), "aé");
        assert_eq!(super::prefix("aé", 99), "aé");
        assert_eq!(super::prefix("€", 1), "");
        assert_eq!(super::floor_boundary("a€", 3), 1);
        assert_eq!(super::floor_boundary("a€", 9), 4);
        assert_eq!(super::slice("a€b", 2..4), "€");
        assert_eq!(super::slice("a€b", 7..9), "");
    }
}
