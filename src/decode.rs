//! Bytes of a file to text: UTF-8 (a BOM dropped), UTF-16 LE/BE (with a BOM, or ASCII-heavy
//! without one), and anything else as UTF-8 where it is valid and Windows-1252 (a superset of
//! Latin-1 for printable text) byte by byte where it is not. True binaries (known signatures,
//! NUL bytes outside UTF-16) are told apart and not scanned.
//!
//! Every character of the text comes from one character of the file, in order, and line breaks
//! stay line breaks: lines and columns (counted in characters) computed on the text are those of
//! the file. No output carries a byte offset.

/// What a file's bytes are.
#[derive(Debug, PartialEq, Eq)]
pub enum Decoded {
    /// Text and the encoding it was read in (`"utf-8"`, `"utf-16le"`, `"utf-16be"`,
    /// `"windows-1252"`).
    Text(String, &'static str),
    /// Not text: what it looks like (`"png"`, `"nul bytes"`, ...).
    Binary(&'static str),
}

/// Leading bytes of common binary formats.
const SIGNATURES: &[(&[u8], &str)] = &[
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"PK\x03\x04", "zip"),
    (b"PK\x05\x06", "zip"),
    (b"\x7fELF", "elf"),
    (b"\x1f\x8b", "gzip"),
    (b"BZh", "bzip2"),
    (b"\xfd7zXZ\x00", "xz"),
    (b"\x28\xb5\x2f\xfd", "zstd"),
    (b"7z\xbc\xaf\x27\x1c", "7z"),
    (b"%PDF-", "pdf"),
    (b"\xff\xd8\xff", "jpeg"),
    (b"GIF87a", "gif"),
    (b"GIF89a", "gif"),
    (b"\xca\xfe\xba\xbe", "java class or mach-o"),
    (b"\xcf\xfa\xed\xfe", "mach-o"),
    (b"\xce\xfa\xed\xfe", "mach-o"),
    (b"\x00asm", "wasm"),
    (b"SQLite format 3\x00", "sqlite"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "ole"),
];

/// Windows-1252 for 0x80..=0x9F (the five unassigned bytes keep their Latin-1 C1 code point).
const CP1252_HIGH: [char; 32] = [
    '\u{20AC}', '\u{0081}', '\u{201A}', '\u{0192}', '\u{201E}', '\u{2026}', '\u{2020}', '\u{2021}',
    '\u{02C6}', '\u{2030}', '\u{0160}', '\u{2039}', '\u{0152}', '\u{008D}', '\u{017D}', '\u{008F}',
    '\u{0090}', '\u{2018}', '\u{2019}', '\u{201C}', '\u{201D}', '\u{2022}', '\u{2013}', '\u{2014}',
    '\u{02DC}', '\u{2122}', '\u{0161}', '\u{203A}', '\u{0153}', '\u{009D}', '\u{017E}', '\u{0178}',
];

fn cp1252(b: u8) -> char {
    match b {
        0x80..=0x9f => CP1252_HIGH[(b - 0x80) as usize],
        _ => b as char,
    }
}

/// Decode a file's bytes.
pub fn decode(bytes: Vec<u8>) -> Decoded {
    if let Some(rest) = bytes.strip_prefix(b"\xef\xbb\xbf") {
        return Decoded::Text(utf8_or_1252(rest), "utf-8");
    }
    if let Some(rest) = bytes.strip_prefix(b"\xff\xfe") {
        return Decoded::Text(utf16(rest, false), "utf-16le");
    }
    if let Some(rest) = bytes.strip_prefix(b"\xfe\xff") {
        return Decoded::Text(utf16(rest, true), "utf-16be");
    }
    for (sig, name) in SIGNATURES {
        if bytes.starts_with(sig) {
            return Decoded::Binary(name);
        }
    }
    let head = &bytes[..bytes.len().min(8192)];
    if memchr::memchr(0, head).is_some() {
        return match utf16_without_bom(head) {
            Some(be) => Decoded::Text(utf16(&bytes, be), if be { "utf-16be" } else { "utf-16le" }),
            None => Decoded::Binary("nul bytes"),
        };
    }
    match String::from_utf8(bytes) {
        Ok(s) => Decoded::Text(s, "utf-8"),
        Err(e) => Decoded::Text(utf8_or_1252(e.as_bytes()), "windows-1252"),
    }
}

/// Does [`decode`] keep these bytes as they are (UTF-8 text without a BOM, no binary
/// signature, no NUL byte in its head)? Then the bytes are the text.
pub fn is_plain_utf8(bytes: &[u8]) -> bool {
    !(bytes.starts_with(b"\xef\xbb\xbf")
        || bytes.starts_with(b"\xff\xfe")
        || bytes.starts_with(b"\xfe\xff")
        || SIGNATURES.iter().any(|(sig, _)| bytes.starts_with(sig))
        || memchr::memchr(0, &bytes[..bytes.len().min(8192)]).is_some())
        && std::str::from_utf8(bytes).is_ok()
}

/// UTF-8 where valid, each other byte as Windows-1252.
fn utf8_or_1252(b: &[u8]) -> String {
    if let Ok(s) = std::str::from_utf8(b) {
        return s.to_string();
    }
    let mut out = String::with_capacity(b.len() + b.len() / 8);
    for chunk in b.utf8_chunks() {
        out.push_str(chunk.valid());
        out.extend(chunk.invalid().iter().map(|&x| cp1252(x)));
    }
    out
}

/// UTF-16 text without a BOM: mostly ASCII, so in most pairs one byte is NUL and the other is
/// not, always the same one (`Some(true)` big-endian). Needs some length to tell.
fn utf16_without_bom(head: &[u8]) -> Option<bool> {
    let pairs = head.len() / 2;
    if pairs < 4 {
        return None;
    }
    let (mut even0, mut odd0) = (0usize, 0usize);
    for p in head.chunks_exact(2) {
        even0 += (p[0] == 0) as usize;
        odd0 += (p[1] == 0) as usize;
    }
    // Most pairs hold an ASCII character (one NUL), few a NUL in the other byte.
    let mostly = |n: usize| n * 10 >= pairs * 6;
    let few = |n: usize| n * 20 <= pairs;
    if mostly(odd0) && few(even0) {
        Some(false)
    } else if mostly(even0) && few(odd0) {
        Some(true)
    } else {
        None
    }
}

fn utf16(b: &[u8], be: bool) -> String {
    let units = b.chunks_exact(2).map(|p| {
        if be {
            u16::from_be_bytes([p[0], p[1]])
        } else {
            u16::from_le_bytes([p[0], p[1]])
        }
    });
    let mut s: String = char::decode_utf16(units)
        .map(|r| r.unwrap_or(char::REPLACEMENT_CHARACTER))
        .collect();
    if b.len() % 2 == 1 {
        s.push(char::REPLACEMENT_CHARACTER);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_utf8_is_what_decode_keeps_as_it_is() {
        let cases: [&[u8]; 9] = [
            b"key: value\n",
            b"",
            "caf\u{e9} \u{2603}".as_bytes(),
            b"\xef\xbb\xbfbom",
            b"\xff\xfeh\x00i\x00",
            b"\x89PNG\r\n\x1a\nrest",
            b"a\x00b",
            b"caf\xe9",
            b"PK\x03\x04zip",
        ];
        for b in cases {
            let same = decode(b.to_vec())
                == Decoded::Text(String::from_utf8_lossy(b).into(), "utf-8")
                && std::str::from_utf8(b).is_ok();
            assert_eq!(is_plain_utf8(b), same, "{b:?}");
        }
    }

    fn le(s: &str, bom: bool) -> Vec<u8> {
        let mut v = if bom { vec![0xff, 0xfe] } else { Vec::new() };
        v.extend(s.encode_utf16().flat_map(|u| u.to_le_bytes()));
        v
    }

    #[test]
    fn decodes_text_encodings() {
        let t = "a = \"é€𝄞\"\nb\n";
        assert_eq!(decode(le(t, true)), Decoded::Text(t.into(), "utf-16le"));
        assert_eq!(decode(le(t, false)), Decoded::Text(t.into(), "utf-16le"));
        let mut be = vec![0xfe, 0xff];
        be.extend(t.encode_utf16().flat_map(|u| u.to_be_bytes()));
        assert_eq!(decode(be), Decoded::Text(t.into(), "utf-16be"));
        let mut bom8 = b"\xef\xbb\xbf".to_vec();
        bom8.extend(t.as_bytes());
        assert_eq!(decode(bom8), Decoded::Text(t.into(), "utf-8"));
        // Latin-1 / Windows-1252, and valid UTF-8 kept where a file mixes them.
        assert_eq!(
            decode(b"caf\xe9 \x80 \x93x\x94 d\xc3\xa9j\xe0\n".to_vec()),
            Decoded::Text("café € “x” déjà\n".into(), "windows-1252")
        );
        assert_eq!(
            decode(b"plain\n".to_vec()),
            Decoded::Text("plain\n".into(), "utf-8")
        );
    }

    #[test]
    fn binaries_are_told_apart() {
        assert_eq!(
            decode(b"\x89PNG\r\n\x1a\n....".to_vec()),
            Decoded::Binary("png")
        );
        assert_eq!(decode(b"\x7fELF\x02\x01".to_vec()), Decoded::Binary("elf"));
        assert_eq!(decode(b"PK\x03\x04zz".to_vec()), Decoded::Binary("zip"));
        assert_eq!(
            decode(b"\x1f\x8b\x08\x00".to_vec()),
            Decoded::Binary("gzip")
        );
        assert_eq!(
            decode(b"\x00\x01\x02binary\x00data".to_vec()),
            Decoded::Binary("nul bytes")
        );
    }
}
