//! Secrets engine: detectors are data (`rules/secrets/*.toml`, `target = "secrets"`).
//!
//! Every text file of a scan goes through [`SecretsEngine::scan`]. One Aho-Corasick automaton
//! (DFA kind, ASCII case-insensitive) holds the keywords of every active detector; each keyword
//! hit confirms only the detectors that own that keyword, by running the detector's regex on the
//! region around the hit (its line, capped at [`WINDOW`] bytes either side). Files no keyword hits
//! cost one pass of the automaton (two halves walked at once, see [`keywords`]). Detectors without keywords are restricted to file paths
//! (`paths`) and run their regex over the whole (small) file.
//!
//! ## The `[detector]` table of a card
//!
//! | key | type | meaning |
//! |---|---|---|
//! | `regex` | string, required | Rust regex; the secret is the named group `secret` (else the whole match). An optional group `name` captures the key name of an assignment (see `deny_names`). |
//! | `keywords` | list of strings | literals (ASCII case-insensitive, ≥ 3 characters) for the prefilter. Empty only with `paths`. |
//! | `entropy` | float | minimum Shannon entropy (bits per character) of the secret. |
//! | `allow` | list of regexes | values of this detector that are placeholders or documentation values. |
//! | `deny_names` | regex | skip matches whose `name` group matches (`token_url`, `password_policy`…). |
//! | `paths` | list of globs | only files whose relative path (or file name) matches. |
//! | `exclude_paths` | list of globs | never files whose path matches (`.env.example`). |
//! | `requires` | regex | the file must also match this regex (checked once per file, after a hit). |
//! | `lines` | integer | lines after the hit's line that belong to the region (multi-line blocks such as PEM keys); default 0. |
//! | `checksum` | `"github"` \| `"npm"` | the token carries a CRC32 (base62, last 6 characters) of its random part; when it holds, confidence is raised to high. |
//! | `pair` | rule id | when that detector also matched within 5 lines, severity is raised one step and the finding points at the other half. |
//! | `generic` | bool | a catch-all (secret-named assignment): dropped when a provider detector found the same value. |
//! | `generic_value` | bool | extra checks for free-form values: letters and digits, not an identifier path, not a URL or file path. |
//! | `case_sensitive` | bool | keywords must match with their exact case (`SG.`, `:AA`): fewer regex confirmations. |
//! | `assignment` | bool | the catch-all mode: no regex; at each keyword hit the engine reads the assignment around it with the grammar of the file's kind and judges the value with the value model (see [`assign`]). `regex` may be omitted. |
//! | `supersedes` | list of rule ids | drop those detectors' findings that overlap this one's (GCP key JSON over PEM). |
//! | `validate` | `"basic-auth"` | the secret must base64-decode to `user:password` with a real password. |
//! | `samples` | `"jwt"` | in test, fixture, e2e, example and docs paths, values this model calls samples are not reported (`jwt`: expired, or no issuer that is a URL, host or path; see [`decode::jwt_sample`]). |
//!
//! Placeholders are never reported, whatever the detector: see [`is_placeholder`].

use crate::context::FileCx;
use crate::finding::{Confidence, Finding, Related};
use crate::lang::Span;
use crate::pathclass::PathClass;
use crate::redact::redact;
use crate::rules::{Rule, RuleSet};
use globset::{Glob, GlobSet, GlobSetBuilder};
use regex::Regex;
use serde::Deserialize;
use std::sync::Arc;

pub mod assign;
pub mod decode;
pub mod keywords;

/// Bytes either side of a keyword hit that a detector's regex sees (long minified lines).
pub const WINDOW: usize = 1024;

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DetectorSpec {
    #[serde(default)]
    pub regex: String,
    #[serde(default)]
    pub keywords: Vec<String>,
    #[serde(default)]
    pub entropy: Option<f64>,
    #[serde(default)]
    pub allow: Vec<String>,
    #[serde(default)]
    pub deny_names: Option<String>,
    #[serde(default)]
    pub paths: Vec<String>,
    #[serde(default)]
    pub exclude_paths: Vec<String>,
    #[serde(default)]
    pub requires: Option<String>,
    #[serde(default)]
    pub lines: usize,
    #[serde(default)]
    pub checksum: Option<String>,
    #[serde(default)]
    pub pair: Option<String>,
    #[serde(default)]
    pub generic: bool,
    #[serde(default)]
    pub generic_value: bool,
    #[serde(default)]
    pub case_sensitive: bool,
    #[serde(default)]
    pub supersedes: Vec<String>,
    #[serde(default)]
    pub assignment: bool,
    #[serde(default)]
    pub validate: Option<String>,
    #[serde(default)]
    pub samples: Option<String>,
}

/// A regex compiled on first use: the engine holds ~100 detectors and most runs (pre-commit on a
/// few files, an editor keystroke) touch only a handful, so compiling them all up front would
/// dominate start-up (~80 ms). `tests` compile every detector eagerly to catch bad patterns.
pub struct LazyRegex {
    src: String,
    cell: std::sync::OnceLock<Regex>,
}

impl LazyRegex {
    pub fn new(src: &str) -> LazyRegex {
        LazyRegex {
            src: src.to_string(),
            cell: std::sync::OnceLock::new(),
        }
    }

    /// Compile now, reporting a bad pattern.
    pub fn check(&self) -> Result<(), String> {
        Regex::new(&self.src).map(|_| ()).map_err(|e| e.to_string())
    }
}

impl std::ops::Deref for LazyRegex {
    type Target = Regex;
    fn deref(&self) -> &Regex {
        self.cell.get_or_init(|| {
            // A pattern that does not compile never matches (the card test reports it).
            Regex::new(&self.src)
                .unwrap_or_else(|_| Regex::new(r"[^\s\S]").expect("never-matching regex"))
        })
    }
}

pub struct Detector {
    pub rule: Arc<Rule>,
    pub spec: DetectorSpec,
    pub re: LazyRegex,
    pub allow: Vec<LazyRegex>,
    pub deny_names: Option<LazyRegex>,
    pub paths: Option<GlobSet>,
    pub exclude: Option<GlobSet>,
    pub requires: Option<LazyRegex>,
}

/// A detector owning a keyword, with the exact keyword bytes when its case matters.
type KeywordOwner = (usize, Option<Box<[u8]>>);

#[derive(Default)]
pub struct SecretsEngine {
    pub detectors: Vec<Detector>,
    /// Keyword automaton over every detector's keywords.
    ac: Option<keywords::Keywords>,
    /// Pattern id → detectors owning that keyword (with the exact keyword when case matters).
    owners: Vec<Vec<KeywordOwner>>,
    /// Detectors without keywords (path-restricted, whole-file regex).
    keywordless: Vec<usize>,
    /// Cards whose detector table does not compile (reported by a test).
    pub errors: Vec<String>,
}

fn globs(list: &[String]) -> Result<Option<GlobSet>, String> {
    if list.is_empty() {
        return Ok(None);
    }
    let mut b = GlobSetBuilder::new();
    for g in list {
        b.add(Glob::new(g).map_err(|e| format!("glob `{g}`: {e}"))?);
    }
    b.build().map(Some).map_err(|e| e.to_string())
}

impl Detector {
    pub fn compile(rule: Arc<Rule>, table: &toml::Table) -> Result<Detector, String> {
        let spec: DetectorSpec = table.clone().try_into().map_err(|e| format!("{e}"))?;
        let re = LazyRegex::new(&spec.regex);
        let allow = spec
            .allow
            .iter()
            .map(|a| LazyRegex::new(a))
            .collect::<Vec<_>>();
        let deny_names = spec.deny_names.as_deref().map(LazyRegex::new);
        let requires = spec.requires.as_deref().map(LazyRegex::new);
        if spec.regex.is_empty() && !spec.assignment {
            return Err("a detector needs a `regex` unless it sets `assignment`".into());
        }
        if spec.assignment && spec.keywords.is_empty() {
            return Err("an `assignment` detector needs keywords".into());
        }
        if spec.keywords.is_empty() && spec.paths.is_empty() {
            return Err("a detector without keywords must set `paths`".into());
        }
        if let Some(k) = spec.keywords.iter().find(|k| k.len() < 3) {
            return Err(format!("keyword `{k}` is shorter than 3 characters"));
        }
        if let Some(v) = &spec.validate
            && v != "basic-auth"
        {
            return Err(format!("unknown validate `{v}`"));
        }
        if let Some(v) = &spec.samples
            && v != "jwt"
        {
            return Err(format!("unknown samples `{v}`"));
        }
        if let Some(c) = &spec.checksum
            && c != "github"
            && c != "npm"
        {
            return Err(format!("unknown checksum `{c}`"));
        }
        Ok(Detector {
            paths: globs(&spec.paths)?,
            exclude: globs(&spec.exclude_paths)?,
            rule,
            spec,
            re,
            allow,
            deny_names,
            requires,
        })
    }

    fn applies_to_path(&self, path: &str) -> bool {
        let name = path.rsplit('/').next().unwrap_or(path);
        if let Some(ex) = &self.exclude
            && (ex.is_match(path) || ex.is_match(name))
        {
            return false;
        }
        match &self.paths {
            Some(p) => p.is_match(path) || p.is_match(name),
            None => true,
        }
    }
}

/// A confirmed match, before it becomes a finding.
struct Hit {
    det: usize,
    span: Span,
    /// The whole regex match (for `related` and pairing).
    line: usize,
    confidence: Option<Confidence>,
    /// Base64 layers around the secret (0: written as is).
    encoded: u8,
    /// A sample of the format (see `samples`): not reported, but it still supersedes and
    /// silences the catch-alls on its bytes (a sample JWT is not a bearer token either).
    sample: bool,
}

impl SecretsEngine {
    pub fn new(rules: &RuleSet) -> SecretsEngine {
        let mut eng = SecretsEngine::default();
        for r in &rules.rules {
            let Some(table) = &r.card.detector else {
                continue;
            };
            match Detector::compile(r.clone(), table) {
                Ok(d) => eng.detectors.push(d),
                Err(e) => eng.errors.push(format!("{}: {e}", r.card.id)),
            }
        }
        let mut patterns: Vec<String> = Vec::new();
        for (i, d) in eng.detectors.iter().enumerate() {
            if d.spec.keywords.is_empty() {
                eng.keywordless.push(i);
            }
            for k in &d.spec.keywords {
                let exact = d
                    .spec
                    .case_sensitive
                    .then(|| k.as_bytes().to_vec().into_boxed_slice());
                let k = k.to_ascii_lowercase();
                match patterns.iter().position(|p| *p == k) {
                    Some(p) => eng.owners[p].push((i, exact)),
                    None => {
                        patterns.push(k);
                        eng.owners.push(vec![(i, exact)]);
                    }
                }
            }
        }
        if !patterns.is_empty() {
            eng.ac = keywords::Keywords::new(&patterns);
        }
        eng
    }

    pub fn scan(&self, cx: &FileCx, _rules: &RuleSet, out: &mut Vec<Finding>) {
        out.extend(self.scan_text_in(cx.file, cx.path_class()));
    }

    /// Every secret of one file, as findings with their masks set (judged as production code).
    pub fn scan_text(&self, file: &crate::source::SourceFile) -> Vec<Finding> {
        self.scan_text_in(file, PathClass::Production)
    }

    /// Every secret of one file whose path is of class `class`: in tests, fixtures, examples
    /// and docs, samples are not reported (see [`Detector`]'s `samples` and
    /// [`SecretsEngine::judge_assignment`]).
    pub fn scan_text_in(&self, file: &crate::source::SourceFile, class: PathClass) -> Vec<Finding> {
        let hits = self.hits(file, 0, class);
        self.finish(file, hits)
    }

    /// Base64 values (20 to 4096 characters, standing alone) that decode to text: the text is
    /// scanned again and what it holds is reported on the encoded value.
    fn encoded_hits(
        &self,
        file: &crate::source::SourceFile,
        depth: u8,
        class: PathClass,
        hits: &mut Vec<Hit>,
    ) {
        let text: &str = &file.text;
        // Runs come in text order: a sweep over the hits sorted by start finds the ones a run
        // overlaps (the largest end among hits starting before the run ends), linear overall
        // instead of a scan of every hit per run.
        let mut spans: Vec<(usize, usize)> =
            hits.iter().map(|h| (h.span.start, h.span.end)).collect();
        spans.sort_unstable();
        let (mut next, mut max_end) = (0, 0);
        for run in decode::runs(text.as_bytes()) {
            while next < spans.len() && spans[next].0 < run.end {
                max_end = max_end.max(spans[next].1);
                next += 1;
            }
            if max_end > run.start {
                continue;
            }
            let Some(decoded) = decode::printable(&text[run.clone()]) else {
                continue;
            };
            let inner = crate::source::SourceFile::new(file.path.clone(), decoded);
            let line = file.lines().line_of(run.start);
            let mut seen = Vec::new();
            for h in self.hits(&inner, depth + 1, class) {
                if seen.contains(&h.det) {
                    continue;
                }
                seen.push(h.det);
                hits.push(Hit {
                    det: h.det,
                    span: run.clone(),
                    line,
                    confidence: h.confidence,
                    encoded: h.encoded + 1,
                    sample: h.sample,
                });
            }
        }
    }

    /// Confirmed matches of one text; `depth` counts the base64 layers already peeled.
    fn hits(&self, file: &crate::source::SourceFile, depth: u8, class: PathClass) -> Vec<Hit> {
        let text: &str = &file.text;
        if self.detectors.is_empty() || text.is_empty() || is_ciphertext_file(text) {
            return Vec::new();
        }
        let mut hits: Vec<Hit> = Vec::new();
        // Lazily computed per-file facts: does detector i apply to this path / satisfy `requires`.
        let mut path_ok: Vec<Option<bool>> = vec![None; self.detectors.len()];
        let mut scanned_to: Vec<usize> = vec![0; self.detectors.len()];
        let mut style: Option<assign::Style> = None;
        for &i in &self.keywordless {
            let d = &self.detectors[i];
            if d.applies_to_path(&file.path) && requires_ok(d, text) {
                self.confirm(i, 0, text.len(), file, class, &mut hits);
            }
        }
        if let Some(ac) = &self.ac {
            let bytes = text.as_bytes();
            let mut found = Vec::new();
            ac.find_all(bytes, &mut found);
            for m in &found {
                for (i, exact) in &self.owners[m.pattern] {
                    let i = *i;
                    if m.start < scanned_to[i]
                        || exact
                            .as_deref()
                            .is_some_and(|e| e != &bytes[m.start..m.end])
                    {
                        continue;
                    }
                    let d = &self.detectors[i];
                    let ok = *path_ok[i].get_or_insert_with(|| {
                        d.applies_to_path(&file.path) && requires_ok(d, text)
                    });
                    if !ok {
                        continue;
                    }
                    if d.spec.assignment {
                        let style = *style.get_or_insert_with(|| assign::style_of(file));
                        if let Some(a) = assign::read(bytes, m.start, m.end, style) {
                            scanned_to[i] = a.name.end;
                            self.judge_assignment(i, &a, style, file, class, &mut hits);
                        }
                        continue;
                    }
                    let (start, end) = region(bytes, m.start, m.end, d.spec.lines);
                    let (start, end) = (floor_char(text, start), ceil_char(text, end));
                    scanned_to[i] = end;
                    self.confirm(i, start, end, file, class, &mut hits);
                }
            }
        }
        if (depth as usize) < decode::MAX_LAYERS {
            self.encoded_hits(file, depth, class, &mut hits);
        }
        hits
    }

    /// Run detector `i` on `text[start..end]`, pushing confirmed secrets.
    fn confirm(
        &self,
        i: usize,
        start: usize,
        end: usize,
        file: &crate::source::SourceFile,
        class: PathClass,
        hits: &mut Vec<Hit>,
    ) {
        let d = &self.detectors[i];
        let text: &str = &file.text;
        let region = &text[start..end];
        for caps in d.re.captures_iter(region) {
            let Some(m) = caps.name("secret").or_else(|| caps.get(0)) else {
                continue;
            };
            let s = m.as_str();
            if s.is_empty() || is_placeholder(s) || d.allow.iter().any(|a| a.is_match(s)) {
                continue;
            }
            if let (Some(dn), Some(name)) = (&d.deny_names, caps.name("name"))
                && dn.is_match(name.as_str())
            {
                continue;
            }
            if let Some(min) = d.spec.entropy
                && shannon_entropy(s) < min
            {
                continue;
            }
            if d.spec.generic_value && !plausible_free_value(s) {
                continue;
            }
            if d.spec.validate.as_deref() == Some("basic-auth") && !decode::basic_auth(s) {
                continue;
            }
            let sample = d.spec.samples.as_deref() == Some("jwt")
                && (class.is_test() || class.is_illustrative())
                && decode::jwt_sample(s, unix_now());
            let confidence = match d.spec.checksum.as_deref() {
                Some(_) if token_checksum_ok(s) => Some(Confidence::High),
                _ => None,
            };
            let abs = start + m.start()..start + m.end();
            let line = file.lines().line_of(abs.start);
            hits.push(Hit {
                det: i,
                span: abs,
                line,
                confidence,
                encoded: 0,
                sample,
            });
        }
    }

    /// An assignment read at a keyword hit of catch-all detector `i`: the key must name a secret
    /// (and not match `deny_names`), the value must pass the value model.
    fn judge_assignment(
        &self,
        i: usize,
        a: &assign::Assign,
        style: assign::Style,
        file: &crate::source::SourceFile,
        path_class: PathClass,
        hits: &mut Vec<Hit>,
    ) {
        let d = &self.detectors[i];
        let text: &str = &file.text;
        let (Some(name), Some(value)) = (text.get(a.name.clone()), text.get(a.value.clone()))
        else {
            return;
        };
        let Some(class) = assign::name_class(name, d.paths.is_some()) else {
            return;
        };
        if d.deny_names.as_ref().is_some_and(|dn| dn.is_match(name))
            || d.allow.iter().any(|r| r.is_match(value))
        {
            return;
        }
        let Some(confidence) = assign::judge(class, name, value, a.quoted) else {
            return;
        };
        // A commented-out line (`# password: firstpass`) documents a setting: only a value that
        // looks random (medium confidence) is reported there.
        if a.commented && confidence < Confidence::Medium {
            return;
        }
        // Tests, fixtures and end-to-end tests are built from values that look like secrets: the
        // catch-all (no provider format proves a credential) reports there only a value that
        // looks random, is not digest-shaped (hex digits and dashes: ids, digests, UUIDs) and does
        // not name itself (`vErrYS3c3tReFRe$hToken`, `s3cr3t-leaked`).
        if path_class.is_test() && (confidence < Confidence::Medium || assign::test_value(value)) {
            return;
        }
        // Documentation: a code block with `<placeholders>` is a template to fill in.
        if style == assign::Style::Doc && assign::template_snippet(text.as_bytes(), a.value.start) {
            return;
        }
        hits.push(Hit {
            det: i,
            span: a.value.clone(),
            line: file.lines().line_of(a.value.start),
            confidence: Some(confidence),
            encoded: 0,
            sample: false,
        });
    }

    fn finish(&self, file: &crate::source::SourceFile, mut hits: Vec<Hit>) -> Vec<Finding> {
        hits.sort_by_key(|h| (h.span.start, h.det));
        hits.dedup_by(|a, b| a.det == b.det && a.span == b.span);
        // A catch-all match is dropped when a provider detector found overlapping material.
        let specific: Vec<Span> = hits
            .iter()
            .filter(|h| !self.detectors[h.det].spec.generic)
            .map(|h| h.span.clone())
            .collect();
        hits.retain(|h| {
            !self.detectors[h.det].spec.generic
                || !specific
                    .iter()
                    .any(|s| s.start < h.span.end && h.span.start < s.end)
        });
        let superseding: Vec<(Span, &[String])> = hits
            .iter()
            .filter(|h| !self.detectors[h.det].spec.supersedes.is_empty())
            .map(|h| {
                (
                    h.span.clone(),
                    self.detectors[h.det].spec.supersedes.as_slice(),
                )
            })
            .collect();
        if !superseding.is_empty() {
            hits.retain(|h| {
                let id = &self.detectors[h.det].rule.card.id;
                !superseding.iter().any(|(s, ids)| {
                    ids.contains(id) && s.start < h.span.end && h.span.start < s.end
                })
            });
        }
        hits.retain(|h| !h.sample);
        let mut out = Vec::with_capacity(hits.len());
        for h in &hits {
            let d = &self.detectors[h.det];
            let secret = &file.text[h.span.clone()];
            let mut f = d
                .rule
                .finding(
                    file,
                    h.span.clone(),
                    format!(
                        "{} `{}`{}",
                        d.rule.card.title.to_lowercase(),
                        redact(secret),
                        match h.encoded {
                            0 => "",
                            1 => " (base64-encoded)",
                            _ => " (base64-encoded several times)",
                        }
                    ),
                )
                .with_mask(h.span.clone());
            if let Some(c) = h.confidence {
                f = f.with_confidence(c);
            }
            if let Some(p) = &d.spec.pair
                && let Some(other) = hits.iter().find(|o| {
                    self.detectors[o.det].rule.card.id == *p && o.line.abs_diff(h.line) <= 5
                })
            {
                let (l, c) = file.line_col(other.span.start);
                let raised = f.severity.raise();
                f = f.with_severity(raised).with_related(Related {
                    path: file.path.clone(),
                    start_line: l,
                    start_column: Some(c),
                    end_line: None,
                    end_column: None,
                    message: format!(
                        "the other half of the pair: {}",
                        self.detectors[other.det].rule.card.title.to_lowercase()
                    ),
                });
                f = f.with_mask(other.span.clone());
            }
            out.push(f);
        }
        out
    }
}

/// Seconds since 1970 (JWT expiry).
fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

fn requires_ok(d: &Detector, text: &str) -> bool {
    d.requires.as_ref().is_none_or(|r| r.is_match(text))
}

/// The hit's line (plus `lines` more), capped at [`WINDOW`] bytes before and after the hit.
fn region(bytes: &[u8], hit_start: usize, hit_end: usize, lines: usize) -> (usize, usize) {
    let lo = hit_start.saturating_sub(WINDOW);
    let line_start = memchr::memrchr(b'\n', &bytes[lo..hit_start])
        .map(|p| lo + p + 1)
        .unwrap_or(lo);
    let cap = if lines > 0 { WINDOW * 16 } else { WINDOW };
    let hi = (hit_end + cap).min(bytes.len());
    let mut end = hit_end;
    let mut remaining = lines + 1;
    while remaining > 0 {
        match memchr::memchr(b'\n', &bytes[end..hi]) {
            Some(p) => {
                end += p + 1;
                remaining -= 1;
            }
            None => {
                end = hi;
                break;
            }
        }
    }
    (line_start, end)
}

fn floor_char(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn ceil_char(s: &str, mut i: usize) -> usize {
    while i < s.len() && !s.is_char_boundary(i) {
        i += 1;
    }
    i.min(s.len())
}

/// Files whose values are ciphertext by construction: Bitnami SealedSecrets and SOPS files.
pub fn is_ciphertext_file(text: &str) -> bool {
    // memmem (SIMD) rather than `str::contains`: this runs on every file, so the searchers are
    // built once, not per file.
    use memchr::memmem::Finder;
    use std::sync::LazyLock;
    static NEEDLES: LazyLock<[Finder<'static>; 3]> = LazyLock::new(|| {
        [
            Finder::new(b"kind: SealedSecret"),
            Finder::new(b"ENC[AES256_GCM,"),
            Finder::new(b"sops"),
        ]
    });
    let head = &text.as_bytes()[..text.len().min(65_536)];
    let [sealed, sops_value, sops] = &*NEEDLES;
    let has = |f: &Finder| f.find(head).is_some();
    has(sealed) || (has(sops_value) && has(sops))
}

/// Shannon entropy in bits per character.
pub fn shannon_entropy(s: &str) -> f64 {
    let mut counts = [0u32; 256];
    let mut n = 0u32;
    for b in s.bytes() {
        counts[b as usize] += 1;
        n += 1;
    }
    if n == 0 {
        return 0.0;
    }
    let n = n as f64;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = c as f64 / n;
            -p * p.log2()
        })
        .sum()
}

const BASE62: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// Base62 of a CRC32, left-padded with `0` to 6 characters (GitHub/npm token checksum).
pub fn base62_crc(data: &[u8]) -> String {
    let mut n = crc32fast::hash(data) as u64;
    let mut out = Vec::new();
    while n > 0 {
        out.push(BASE62[(n % 62) as usize]);
        n /= 62;
    }
    while out.len() < 6 {
        out.push(b'0');
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

/// GitHub (`ghp_`, `gho_`, `ghu_`, `ghs_`, `ghr_`) and npm (`npm_`) tokens: 4-character prefix,
/// 30 random characters, then 6 characters of base62 CRC32 of the random part.
pub fn token_checksum_ok(token: &str) -> bool {
    let b = token.as_bytes();
    if b.len() != 40 || !b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'_') {
        return false;
    }
    base62_crc(&b[4..34]).as_bytes() == &b[34..]
}

/// Placeholders, references and documentation values that are never secrets.
pub fn is_placeholder(s: &str) -> bool {
    let t = s.trim_matches(|c| c == '"' || c == '\'' || c == '`');
    if t.is_empty() {
        return true;
    }
    with_lower(t, |l| placeholder_lower(t, l))
}

/// `f(s.to_ascii_lowercase())` without a heap allocation for strings up to 256 bytes (the
/// secrets engine calls this for every candidate value).
pub fn with_lower<R>(s: &str, f: impl FnOnce(&str) -> R) -> R {
    let mut buf = [0u8; 256];
    match buf.get_mut(..s.len()) {
        Some(dst) => {
            dst.copy_from_slice(s.as_bytes());
            dst.make_ascii_lowercase();
            // ASCII lower-casing keeps UTF-8 valid.
            f(std::str::from_utf8(dst).unwrap_or_default())
        }
        None => f(&s.to_ascii_lowercase()),
    }
}

fn placeholder_lower(t: &str, l: &str) -> bool {
    const WORDS: &[&str] = &[
        "example",
        "xxxx",
        "changeme",
        "change_me",
        "change-me",
        "changethis",
        "placeholder",
        "your_",
        "your-",
        "yourkey",
        "yourtoken",
        "yoursecret",
        "yourpassword",
        "redacted",
        "replace_me",
        "replaceme",
        "replace-me",
        "insert_",
        "insert-",
        "dummy",
        "notreal",
        "not_real",
        "not-a-real",
        "sample",
        "<",
        ">",
        "****",
        "....",
        "${",
        "{{",
        "$(",
        "%(",
        "enc[",
        "secretsmanager:",
        "vault:",
        "ref+",
        "akv:",
    ];
    if WORDS.iter().any(|w| l.contains(w)) {
        return true;
    }
    if l.starts_with('$') || l.starts_with('%') && l.ends_with('%') {
        return true;
    }
    // A run of one character (`aaaaaaaa`, `00000000`) or a tiny alphabet is filler.
    let mut distinct = [false; 256];
    let mut n = 0;
    for b in t.bytes() {
        if !distinct[b as usize] {
            distinct[b as usize] = true;
            n += 1;
        }
    }
    n <= 3 && t.len() >= 6
}

/// Extra sanity for free-form values (secret-named assignments): has letters and digits, is not
/// an identifier path (`settings.api_token`), a URL, a file path or a version.
pub fn plausible_free_value(s: &str) -> bool {
    let has_digit = s.bytes().any(|b| b.is_ascii_digit());
    let has_alpha = s.bytes().any(|b| b.is_ascii_alphabetic());
    if !has_digit || !has_alpha {
        return false;
    }
    if s.contains("://") || s.starts_with('/') || s.starts_with("./") || s.starts_with("~/") {
        return false;
    }
    let ident_path = s.split('.').count() > 1
        && s.split('.').all(|p| {
            !p.is_empty()
                && p.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
                && !p.as_bytes()[0].is_ascii_digit()
        });
    if ident_path {
        return false;
    }
    // Versions and dotted numbers: 1.2.3, v2.0.1-rc1.
    let digits_dots = s
        .trim_start_matches('v')
        .bytes()
        .all(|b| b.is_ascii_digit() || b == b'.' || b == b'-' || b == b'r' || b == b'c');
    !digits_dots
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_detector_compiles() {
        let rules = RuleSet::build(&crate::config::Config::default(), &[], &[]);
        let eng = SecretsEngine::new(&rules);
        assert!(eng.errors.is_empty(), "{:#?}", eng.errors);
        let mut bad = Vec::new();
        for d in &eng.detectors {
            let all = std::iter::once(("regex", &d.re))
                .chain(d.allow.iter().map(|a| ("allow", a)))
                .chain(d.deny_names.iter().map(|a| ("deny_names", a)))
                .chain(d.requires.iter().map(|a| ("requires", a)));
            for (what, r) in all {
                if let Err(e) = r.check() {
                    bad.push(format!("{}: {what}: {e}", d.rule.card.id));
                }
            }
        }
        assert!(bad.is_empty(), "{bad:#?}");
        assert!(
            eng.detectors.len() >= 60,
            "{} detectors",
            eng.detectors.len()
        );
    }

    #[test]
    fn sample_jwt_in_a_test_is_no_bearer_token_either() {
        let rules = RuleSet::build(&crate::config::Config::default(), &[], &[]);
        let eng = SecretsEngine::new(&rules);
        // Claims `{"sub":"user-7","role":"viewer"}`: no issuer, a sample in a test.
        let line = "headers = {\"Authorization\": \"Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1c2VyLTciLCJyb2xlIjoidmlld2VyIn0.pTyGJMuHbEL31IeL2HPcHyGcFRl1SPnXNYvMIHa_2o7\"}\n";
        let file = crate::source::SourceFile::new("tests/test_api.py", line);
        assert!(eng.scan_text_in(&file, PathClass::Test).is_empty());
        let ids: Vec<String> = eng
            .scan_text_in(&file, PathClass::Production)
            .into_iter()
            .map(|f| f.rule_id)
            .collect();
        assert_eq!(ids, ["secret-jwt"]);
    }

    #[test]
    fn checksums() {
        let random = "aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1";
        let tok = format!("ghp_{random}{}", base62_crc(random.as_bytes()));
        assert!(token_checksum_ok(&tok));
        let mut bad = tok.clone();
        bad.replace_range(39..40, if tok.ends_with('A') { "B" } else { "A" });
        assert!(!token_checksum_ok(&bad));
    }

    #[test]
    fn placeholders() {
        for p in [
            "${{ secrets.TOKEN }}",
            "${var.password}",
            "{{ .Values.password }}",
            "$DB_PASSWORD",
            "changeme",
            "<your-key>",
            "xxxxxxxxxxxxxxxx",
            "AKIAIOSFODNN7EXAMPLE",
            "ENC[AES256_GCM,data:abc,iv:def,tag:ghi,type:str]",
            "00000000000000000000",
        ] {
            assert!(is_placeholder(p), "{p}");
        }
        assert!(!is_placeholder("q8Wv2LmZ7rT4nB6y"));
        assert!(shannon_entropy("aaaa") < 0.1);
        assert!(shannon_entropy("q8Wv2LmZ7rT4nB6y") > 3.5);
        assert!(!plausible_free_value("settings.api_token"));
        assert!(!plausible_free_value("1.2.3"));
        assert!(plausible_free_value("q8Wv2LmZ7rT4"));
    }
}
