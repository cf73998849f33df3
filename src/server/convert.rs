//! Conversions between the editor's view (URIs, positions in the negotiated encoding) and the
//! engine's (paths, byte offsets).

use lsp_types::{Position, Range, Uri};
use std::path::{Path, PathBuf};
use std::str::FromStr;

/// How `Position.character` counts (negotiated at `initialize`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Utf16,
    Utf32,
}

impl Encoding {
    pub fn as_str(self) -> &'static str {
        match self {
            Encoding::Utf8 => "utf-8",
            Encoding::Utf16 => "utf-16",
            Encoding::Utf32 => "utf-32",
        }
    }

    /// The server's choice among the client's offers: UTF-8 (cheapest for us), then UTF-32,
    /// else the mandatory UTF-16.
    pub fn negotiate(offered: &[String]) -> Encoding {
        if offered.iter().any(|e| e == "utf-8") {
            Encoding::Utf8
        } else if offered.iter().any(|e| e == "utf-32") {
            Encoding::Utf32
        } else {
            Encoding::Utf16
        }
    }

    fn units(self, c: char) -> u32 {
        match self {
            Encoding::Utf8 => c.len_utf8() as u32,
            Encoding::Utf16 => c.len_utf16() as u32,
            Encoding::Utf32 => 1,
        }
    }
}

/// Line starts of a text, for offset ↔ position conversion.
#[derive(Clone, Debug)]
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let mut starts = vec![0];
        starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
        LineIndex { starts }
    }

    pub fn line_count(&self) -> usize {
        self.starts.len()
    }

    /// Byte range of a 0-based line, without its line break.
    fn line_range(&self, text: &str, line: usize) -> (usize, usize) {
        let start = self.starts.get(line).copied().unwrap_or(text.len());
        let mut end = self
            .starts
            .get(line + 1)
            .map(|e| e - 1)
            .unwrap_or(text.len());
        if end > start && text.as_bytes().get(end - 1) == Some(&b'\r') {
            end -= 1;
        }
        (start, end.max(start))
    }

    /// Byte offset → position (offsets inside a character snap back to its start).
    pub fn position(&self, text: &str, offset: usize, enc: Encoding) -> Position {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self
            .starts
            .partition_point(|&s| s <= offset)
            .saturating_sub(1);
        let start = self.starts[line];
        let character = match enc {
            Encoding::Utf8 => (offset - start) as u32,
            _ => text[start..offset].chars().map(|c| enc.units(c)).sum(),
        };
        Position::new(line as u32, character)
    }

    /// Position → byte offset; past the end of a line clamps to the line end, past the last
    /// line to the end of the text; positions inside a character snap to its start.
    pub fn offset(&self, text: &str, pos: Position, enc: Encoding) -> usize {
        let line = pos.line as usize;
        if line >= self.starts.len() {
            return text.len();
        }
        let (start, end) = self.line_range(text, line);
        let want = pos.character;
        let mut units = 0u32;
        for (i, c) in text[start..end].char_indices() {
            let n = enc.units(c);
            if units + n > want {
                return start + i;
            }
            units += n;
        }
        end
    }

    pub fn range(&self, text: &str, span: &std::ops::Range<usize>, enc: Encoding) -> Range {
        Range::new(
            self.position(text, span.start, enc),
            self.position(text, span.end.max(span.start), enc),
        )
    }

    /// 1-based line and character (Unicode scalar) column → position.
    pub fn position_from_line_col(
        &self,
        text: &str,
        line: u32,
        col: u32,
        enc: Encoding,
    ) -> Position {
        let l = line.saturating_sub(1) as usize;
        if l >= self.starts.len() {
            return Position::new(l as u32, 0);
        }
        let (start, end) = self.line_range(text, l);
        let mut off = end;
        for (n, (i, _)) in text[start..end].char_indices().enumerate() {
            if n + 1 >= col as usize {
                off = start + i;
                break;
            }
        }
        self.position(text, off, enc)
    }

    /// The whole 0-based line as a range.
    pub fn line_span(&self, text: &str, line: usize) -> std::ops::Range<usize> {
        let (s, e) = self.line_range(text, line.min(self.starts.len() - 1));
        s..e
    }
}

const HEX: &[u8; 16] = b"0123456789ABCDEF";

/// `file://` URI of an absolute path, percent-encoding everything but unreserved characters
/// and `/`.
pub fn path_to_uri(path: &Path) -> Option<Uri> {
    let s = path.to_string_lossy().replace('\\', "/");
    let mut out = String::from("file://");
    if !s.starts_with('/') {
        out.push('/');
    }
    for &b in s.as_bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(b as char);
        } else if b == b':' && out.len() == "file:///".len() + 1 {
            // Windows drive letter `C:`.
            out.push(':');
        } else {
            out.push('%');
            out.push(HEX[(b >> 4) as usize] as char);
            out.push(HEX[(b & 15) as usize] as char);
        }
    }
    Uri::from_str(&out).ok()
}

/// Local path of a `file:` URI (percent-decoded); `None` for other schemes.
pub fn uri_to_path(uri: &Uri) -> Option<PathBuf> {
    let s = uri.as_str();
    let rest = s
        .strip_prefix("file://")
        .or_else(|| s.strip_prefix("FILE://"))?;
    // Authority: empty or `localhost`.
    let path = match rest.find('/') {
        Some(0) => rest,
        Some(i) if rest[..i].eq_ignore_ascii_case("localhost") => &rest[i..],
        _ => return None,
    };
    let path = path.split(['?', '#']).next().unwrap_or(path);
    let bytes = percent_decode(path)?;
    let mut p = String::from_utf8(bytes).ok()?;
    // `/C:/x` → `C:/x` on Windows-style URIs.
    if p.len() >= 3 && p.as_bytes()[0] == b'/' && p.as_bytes()[2] == b':' {
        p.remove(0);
    }
    Some(PathBuf::from(p))
}

fn percent_decode(s: &str) -> Option<Vec<u8>> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let h = |c: u8| (c as char).to_digit(16);
            let hi = h(*b.get(i + 1)?)?;
            let lo = h(*b.get(i + 2)?)?;
            out.push((hi * 16 + lo) as u8);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    Some(out)
}

/// Forward-slash path of `p` relative to `root` (or the whole path when outside it).
pub fn rel_path(root: &Path, p: &Path) -> String {
    let r = p.strip_prefix(root).unwrap_or(p);
    r.to_string_lossy().replace('\\', "/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_in_each_encoding() {
        let text = "a = \"é😀x\"\nsecond\r\nthird";
        let ix = LineIndex::new(text);
        let x = text.find('x').unwrap();
        assert_eq!(ix.position(text, x, Encoding::Utf8), Position::new(0, 11));
        assert_eq!(ix.position(text, x, Encoding::Utf16), Position::new(0, 8));
        assert_eq!(ix.position(text, x, Encoding::Utf32), Position::new(0, 7));
        for enc in [Encoding::Utf8, Encoding::Utf16, Encoding::Utf32] {
            let p = ix.position(text, x, enc);
            assert_eq!(ix.offset(text, p, enc), x);
        }
        let t = text.find("third").unwrap();
        assert_eq!(ix.position(text, t, Encoding::Utf16), Position::new(2, 0));
        // Past the end of line 1 clamps before the CR.
        let end1 = ix.offset(text, Position::new(1, 99), Encoding::Utf16);
        assert_eq!(&text[end1..end1 + 1], "\r");
        assert_eq!(
            ix.offset(text, Position::new(9, 0), Encoding::Utf16),
            text.len()
        );
        // Inside a surrogate pair snaps to the character start.
        let emoji = text.find('😀').unwrap();
        assert_eq!(ix.offset(text, Position::new(0, 7), Encoding::Utf16), emoji);
        assert_eq!(
            ix.position_from_line_col(text, 1, 8, Encoding::Utf16),
            Position::new(0, 8)
        );
    }

    #[test]
    fn uri_round_trip() {
        let p = Path::new("/tmp/a dir/ü#x%/main.tf");
        let u = path_to_uri(p).unwrap();
        assert_eq!(u.as_str(), "file:///tmp/a%20dir/%C3%BC%23x%25/main.tf");
        assert_eq!(uri_to_path(&u).unwrap(), p);
        let l = Uri::from_str("file://localhost/x/y%2Bz.yaml").unwrap();
        assert_eq!(uri_to_path(&l).unwrap(), Path::new("/x/y+z.yaml"));
        let w = Uri::from_str("file:///c%3A/src/main.tf").unwrap();
        assert_eq!(uri_to_path(&w).unwrap(), Path::new("c:/src/main.tf"));
        assert!(uri_to_path(&Uri::from_str("untitled:Untitled-1").unwrap()).is_none());
    }

    #[test]
    fn negotiation() {
        assert_eq!(Encoding::negotiate(&[]), Encoding::Utf16);
        assert_eq!(
            Encoding::negotiate(&["utf-16".into(), "utf-8".into()]),
            Encoding::Utf8
        );
        assert_eq!(Encoding::negotiate(&["utf-32".into()]), Encoding::Utf32);
    }
}
