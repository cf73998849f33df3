//! The keyword pass of the secrets engine: every occurrence of every detector keyword (ASCII
//! case-insensitive, overlapping) in one text, in the order an overlapping Aho-Corasick search
//! reports them (by end; at one end, longest first).
//!
//! A DFA walk is bound by the latency of its transition loads (each step needs the state the
//! step before produced), about 500-600 MB/s. A text of [`SPLIT`] bytes or more is walked as three
//! pieces at once: three independent chains of loads the processor overlaps. Each piece after the
//! first starts `max_pattern_len - 1` bytes before its cut, so it sees every keyword that ends
//! after the cut; each piece reports the keywords ending between its cut and the next, and the
//! pieces' lists one after the other are the order of one walk.

use aho_corasick::automaton::{Automaton, StateID};
use aho_corasick::dfa::DFA;
use aho_corasick::{Anchored, MatchKind};

/// Texts shorter than this (or than 12 times the longest keyword) are walked in one piece.
const SPLIT: usize = 256;

/// The pieces a longer text is walked in at once.
const PIECES: usize = 3;

/// One keyword occurrence: start, end (byte offsets) and the keyword's index.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Occurrence {
    pub start: usize,
    pub end: usize,
    pub pattern: usize,
}

/// The keyword automaton.
pub struct Keywords {
    dfa: DFA,
    start: StateID,
}

impl Keywords {
    /// An automaton for `patterns` (matched ASCII case-insensitively), or `None` if it cannot be
    /// built.
    pub fn new(patterns: &[String]) -> Option<Keywords> {
        // No prefilter: the walk below never consults one, and with one the start state would
        // be a special state, checked at every byte.
        let dfa = DFA::builder()
            .match_kind(MatchKind::Standard)
            .ascii_case_insensitive(true)
            .prefilter(false)
            .build(patterns)
            .ok()?;
        let start = dfa.start_state(Anchored::No).ok()?;
        Some(Keywords { dfa, start })
    }

    /// Every occurrence in `hay`, into `out` (cleared first).
    pub fn find_all(&self, hay: &[u8], out: &mut Vec<Occurrence>) {
        out.clear();
        let n = hay.len();
        let overlap = self.dfa.max_pattern_len().saturating_sub(1);
        if n < SPLIT.max(4 * PIECES * overlap) {
            let mut s = self.start;
            for (i, &b) in hay.iter().enumerate() {
                s = self.dfa.next_state(Anchored::No, s, b);
                if self.dfa.is_special(s) {
                    self.emit(s, i + 1, out);
                }
            }
            return;
        }
        // Piece k reports the keywords ending in (cut[k], cut[k + 1]] and is walked from
        // `from[k]`, `overlap` bytes before its cut (the first from 0).
        let cut = [0, n / 3, 2 * n / 3, n];
        let from = [0, cut[1] - overlap, cut[2] - overlap];
        let (a, b, c) = (&hay[..cut[1]], &hay[from[1]..cut[2]], &hay[from[2]..]);
        let all = a.len().min(b.len()).min(c.len());
        let (mut second, mut third) = (Vec::new(), Vec::new());
        let (mut sa, mut sb, mut sc) = (self.start, self.start, self.start);
        let dfa = &self.dfa;
        for (i, ((&x, &y), &z)) in a.iter().zip(b).zip(c).enumerate() {
            sa = dfa.next_state(Anchored::No, sa, x);
            sb = dfa.next_state(Anchored::No, sb, y);
            sc = dfa.next_state(Anchored::No, sc, z);
            // One branch for the three (a special state is rare).
            if dfa.is_special(sa) | dfa.is_special(sb) | dfa.is_special(sc) {
                if dfa.is_special(sa) {
                    self.emit(sa, i + 1, out);
                }
                if dfa.is_special(sb) && from[1] + i + 1 > cut[1] {
                    self.emit(sb, from[1] + i + 1, &mut second);
                }
                if dfa.is_special(sc) && from[2] + i + 1 > cut[2] {
                    self.emit(sc, from[2] + i + 1, &mut third);
                }
            }
        }
        for (i, &x) in a.iter().enumerate().skip(all) {
            sa = dfa.next_state(Anchored::No, sa, x);
            if dfa.is_special(sa) {
                self.emit(sa, i + 1, out);
            }
        }
        for (i, &y) in b.iter().enumerate().skip(all) {
            sb = dfa.next_state(Anchored::No, sb, y);
            if dfa.is_special(sb) && from[1] + i + 1 > cut[1] {
                self.emit(sb, from[1] + i + 1, &mut second);
            }
        }
        for (i, &z) in c.iter().enumerate().skip(all) {
            sc = dfa.next_state(Anchored::No, sc, z);
            if dfa.is_special(sc) && from[2] + i + 1 > cut[2] {
                self.emit(sc, from[2] + i + 1, &mut third);
            }
        }
        out.append(&mut second);
        out.append(&mut third);
    }

    /// The keywords a walk in state `s` has just matched, ending at `end`, in the automaton's
    /// order (longest first).
    #[inline]
    fn emit(&self, s: StateID, end: usize, out: &mut Vec<Occurrence>) {
        if !self.dfa.is_match(s) {
            return;
        }
        for k in 0..self.dfa.match_len(s) {
            let pid = self.dfa.match_pattern(s, k);
            out.push(Occurrence {
                start: end - self.dfa.pattern_len(pid),
                end,
                pattern: pid.as_usize(),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aho_corasick::{AhoCorasick, AhoCorasickKind};

    /// What the engine used before: the overlapping search of the `aho-corasick` crate.
    fn reference(patterns: &[String], hay: &[u8]) -> Vec<Occurrence> {
        let ac = AhoCorasick::builder()
            .kind(Some(AhoCorasickKind::DFA))
            .match_kind(MatchKind::Standard)
            .ascii_case_insensitive(true)
            .build(patterns)
            .unwrap();
        ac.find_overlapping_iter(hay)
            .map(|m| Occurrence {
                start: m.start(),
                end: m.end(),
                pattern: m.pattern().as_usize(),
            })
            .collect()
    }

    #[test]
    fn same_occurrences_and_order_as_an_overlapping_search() {
        let patterns: Vec<String> = [
            "secret",
            "secret_key",
            "_key",
            "key",
            "token",
            "ghp_",
            "password",
            "pass",
            "ass",
            "akia",
            "abcabcab",
            "bca",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let kw = Keywords::new(&patterns).unwrap();
        let mut texts: Vec<Vec<u8>> = vec![
            b"".to_vec(),
            b"SECRET_KEY=1".to_vec(),
            b"abcabcabcabcabca".to_vec(),
        ];
        // Pseudo-random texts over a small alphabet, of lengths around the split sizes, so that
        // keywords straddle the middle at every offset.
        let alphabet = b"secrtkyo_npaswdghABCKIbc =\n";
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        for len in (0..40).chain(240..300).chain([1000, 4097, 10_000]) {
            for _ in 0..8 {
                let t: Vec<u8> = (0..len)
                    .map(|_| {
                        x ^= x << 13;
                        x ^= x >> 7;
                        x ^= x << 17;
                        alphabet[(x % alphabet.len() as u64) as usize]
                    })
                    .collect();
                texts.push(t);
            }
        }
        // A keyword across each cut of a long text (at 200 and 400 of 600 bytes), at every
        // offset.
        for shift in 0..12 {
            let mut t = vec![b'.'; 600];
            t[200 - shift..200 - shift + 10].copy_from_slice(b"secret_key");
            t[400 - shift..400 - shift + 10].copy_from_slice(b"SECRET_KEY");
            texts.push(t);
        }
        let mut out = Vec::new();
        for t in &texts {
            kw.find_all(t, &mut out);
            assert_eq!(
                out,
                reference(&patterns, t),
                "{}",
                String::from_utf8_lossy(t)
            );
        }
        // One keyword (the crate would give it a start-byte prefilter).
        let one = vec!["ghp_".to_string()];
        let kw = Keywords::new(&one).unwrap();
        for t in &texts {
            kw.find_all(t, &mut out);
            assert_eq!(out, reference(&one, t));
        }
        let t = b"x GHP_abc ghp_ghp_".repeat(40);
        kw.find_all(&t, &mut out);
        assert_eq!(out.len(), 120);
        assert_eq!(out, reference(&one, &t));
    }
}
