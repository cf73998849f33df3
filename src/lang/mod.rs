//! Format adapters: each turns a file's text into the located value tree of [`value`].

pub mod code;
pub mod hcl;
pub mod hcl_ts;
pub mod json;
pub mod value;
pub mod yaml;
pub mod yaml_fast;

pub use value::{Block, Document, Entry, Node, ParseError, Span, V};

/// The parsed form of a file (code files are parsed lazily by the checks that need them).
#[derive(Clone, Debug)]
pub enum Parsed {
    None,
    Hcl(Document),
    Yaml(Vec<Document>),
    Json(Document),
}

impl Parsed {
    /// Every document root of the file.
    pub fn roots(&self) -> Vec<&Node> {
        match self {
            Parsed::None => Vec::new(),
            Parsed::Hcl(d) | Parsed::Json(d) => vec![&d.root],
            Parsed::Yaml(ds) => ds.iter().map(|d| &d.root).collect(),
        }
    }

    pub fn docs(&self) -> &[Document] {
        match self {
            Parsed::None => &[],
            Parsed::Hcl(d) | Parsed::Json(d) => std::slice::from_ref(d),
            Parsed::Yaml(ds) => ds,
        }
    }
}

/// A message about an exhausted resource budget names where it ran out:
/// `evaluation budget exceeded at <path>:<line>: …`. Other messages are returned unchanged.
pub fn budget_message(path: &str, line: u32, msg: String) -> String {
    match msg.strip_prefix(yaml::BUDGET_EXCEEDED) {
        Some(rest) if !rest.starts_with(" at ") => {
            format!("{} at {path}:{line}{rest}", yaml::BUDGET_EXCEEDED)
        }
        _ => msg,
    }
}

pub use crate::source::prefix;

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
