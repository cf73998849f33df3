//! JSON adapter: a small span-keeping recursive-descent parser (depth-limited, never panics).
//! Hand-written rather than tree-sitter-json because it is several times faster and every
//! JSON file we read (IAM policies, plan output, `.tf.json`, key files) is small and strict.

use super::value::{Document, Entry, Node, ParseError, V};

const MAX_DEPTH: usize = 256;

pub fn parse(text: &str) -> Result<Document, ParseError> {
    let mut p = P {
        s: text.as_bytes(),
        t: text,
        i: 0,
    };
    p.ws();
    // A UTF-8 BOM is tolerated.
    if text.starts_with('\u{feff}') {
        p.i = 3;
        p.ws();
    }
    let root = p.value(0)?;
    p.ws();
    if p.i < p.s.len() {
        return Err(p.err("unexpected content after the JSON value"));
    }
    Ok(Document {
        root,
        span: 0..text.len(),
    })
}

struct P<'a> {
    s: &'a [u8],
    t: &'a str,
    i: usize,
}

impl P<'_> {
    fn err(&self, m: &str) -> ParseError {
        ParseError {
            offset: self.i.min(self.s.len()),
            message: format!("JSON syntax error: {m}"),
        }
    }

    fn ws(&mut self) {
        while self.i < self.s.len() {
            match self.s[self.i] {
                b' ' | b'\t' | b'\n' | b'\r' => self.i += 1,
                // Comments are tolerated (tsconfig-style files, `.tf.json` never has them).
                b'/' if self.s.get(self.i + 1) == Some(&b'/') => {
                    while self.i < self.s.len() && self.s[self.i] != b'\n' {
                        self.i += 1;
                    }
                }
                _ => break,
            }
        }
    }

    fn value(&mut self, depth: usize) -> Result<Node, ParseError> {
        if depth > MAX_DEPTH {
            return Err(self.err("nesting deeper than 256 levels"));
        }
        let start = self.i;
        match self.s.get(self.i) {
            None => Err(self.err("unexpected end of input")),
            Some(b'{') => {
                self.i += 1;
                let mut entries = Vec::new();
                self.ws();
                if self.s.get(self.i) == Some(&b'}') {
                    self.i += 1;
                    return Ok(Node::new(start..self.i, V::Map(entries)));
                }
                loop {
                    self.ws();
                    if self.s.get(self.i) != Some(&b'"') {
                        return Err(self.err("expected a string key"));
                    }
                    let ks = self.i;
                    let key = self.string()?;
                    let key_span = ks..self.i;
                    self.ws();
                    if self.s.get(self.i) != Some(&b':') {
                        return Err(self.err("expected `:`"));
                    }
                    self.i += 1;
                    self.ws();
                    let value = self.value(depth + 1)?;
                    entries.push(Entry {
                        key,
                        key_span,
                        value,
                    });
                    self.ws();
                    match self.s.get(self.i) {
                        Some(b',') => self.i += 1,
                        Some(b'}') => {
                            self.i += 1;
                            return Ok(Node::new(start..self.i, V::Map(entries)));
                        }
                        _ => return Err(self.err("expected `,` or `}`")),
                    }
                }
            }
            Some(b'[') => {
                self.i += 1;
                let mut items = Vec::new();
                self.ws();
                if self.s.get(self.i) == Some(&b']') {
                    self.i += 1;
                    return Ok(Node::new(start..self.i, V::Seq(items)));
                }
                loop {
                    self.ws();
                    items.push(self.value(depth + 1)?);
                    self.ws();
                    match self.s.get(self.i) {
                        Some(b',') => self.i += 1,
                        Some(b']') => {
                            self.i += 1;
                            return Ok(Node::new(start..self.i, V::Seq(items)));
                        }
                        _ => return Err(self.err("expected `,` or `]`")),
                    }
                }
            }
            Some(b'"') => {
                let s = self.string()?;
                Ok(Node::new(start..self.i, V::Str(s)))
            }
            Some(b't') if self.s[self.i..].starts_with(b"true") => {
                self.i += 4;
                Ok(Node::new(start..self.i, V::Bool(true)))
            }
            Some(b'f') if self.s[self.i..].starts_with(b"false") => {
                self.i += 5;
                Ok(Node::new(start..self.i, V::Bool(false)))
            }
            Some(b'n') if self.s[self.i..].starts_with(b"null") => {
                self.i += 4;
                Ok(Node::new(start..self.i, V::Null))
            }
            Some(c) if *c == b'-' || c.is_ascii_digit() => {
                while self.i < self.s.len()
                    && matches!(
                        self.s[self.i],
                        b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9'
                    )
                {
                    self.i += 1;
                }
                Ok(Node::new(
                    start..self.i,
                    V::Num(self.t[start..self.i].to_string()),
                ))
            }
            Some(_) => Err(self.err("unexpected character")),
        }
    }

    fn string(&mut self) -> Result<String, ParseError> {
        self.i += 1; // opening quote
        let mut out = String::new();
        let mut run = self.i;
        loop {
            match self.s.get(self.i) {
                None => return Err(self.err("unterminated string")),
                Some(b'"') => {
                    out.push_str(&self.t[run..self.i]);
                    self.i += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    out.push_str(&self.t[run..self.i]);
                    // The escaped character may be any character (`\é` is invalid JSON, read
                    // leniently as `é`): step over all of its bytes.
                    let e = self.t[self.i + 1..].chars().next();
                    self.i += 1 + e.map_or(1, char::len_utf8);
                    match e.map(|c| u8::try_from(c).unwrap_or(0xFF)) {
                        Some(b'n') => out.push('\n'),
                        Some(b't') => out.push('\t'),
                        Some(b'r') => out.push('\r'),
                        Some(b'b') => out.push('\u{8}'),
                        Some(b'f') => out.push('\u{c}'),
                        Some(b'u') => {
                            let h = self
                                .t
                                .get(self.i..self.i + 4)
                                .ok_or_else(|| self.err("bad \\u escape"))?;
                            let mut cp = u32::from_str_radix(h, 16)
                                .map_err(|_| self.err("bad \\u escape"))?;
                            self.i += 4;
                            if (0xD800..0xDC00).contains(&cp)
                                && self.s[self.i..].starts_with(b"\\u")
                                && let Some(lo) = self
                                    .t
                                    .get(self.i + 2..self.i + 6)
                                    .and_then(|h| u32::from_str_radix(h, 16).ok())
                                && (0xDC00..0xE000).contains(&lo)
                            {
                                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                                self.i += 6;
                            }
                            out.push(char::from_u32(cp).unwrap_or('\u{fffd}'));
                        }
                        Some(_) => out.extend(e),
                        None => return Err(self.err("unterminated string")),
                    }
                    run = self.i;
                }
                Some(b'\n') => return Err(self.err("newline in string")),
                Some(_) => self.i += 1,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn spans_and_errors() {
        let t = r#"{"a": [1, "x\"y"], "b": {"c": null}}"#;
        let d = super::parse(t).unwrap();
        let a = d.root.get("a").unwrap();
        assert_eq!(&t[a.span.clone()], r#"[1, "x\"y"]"#);
        assert_eq!(a.as_seq().unwrap()[1].as_str(), Some("x\"y"));
        assert!(super::parse("{\"a\": ").is_err());
        let deep = "[".repeat(10_000);
        assert!(super::parse(&deep).is_err());
    }

    #[test]
    fn escaped_multibyte_characters() {
        let d = super::parse("{\"a\": \"x\\é€\\\u{1F600}y\", \"b\": \"\\\"\"}").unwrap();
        assert_eq!(d.root.get("a").unwrap().as_str(), Some("xé€\u{1F600}y"));
        assert_eq!(d.root.get("b").unwrap().as_str(), Some("\""));
        assert!(super::parse("\"\\é").is_err());
        assert!(super::parse("\"\\").is_err());
    }
}
