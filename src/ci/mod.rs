//! CI pipelines: GitHub Actions, GitLab CI, CircleCI, Azure Pipelines and Bitbucket Pipelines.
//!
//! Each provider has a small model built from the YAML value tree (`gha`, `gitlab`, ...), the
//! shell scripts of `run:` steps are parsed with tree-sitter-bash (`bash`), and literal-secret
//! heuristics shared by every provider live in `literal`. Facts are produced by
//! `crate::facts::ci`, rules by `src/rules/checks/{gha,gitlab,circleci,azp,bitbucket}_*.rs`.

pub mod bash;
pub mod gha;
pub mod jenkins;
pub mod literal;
pub mod others;
pub mod scripts;

use crate::lang::{Node, Span, V};
use crate::source::SourceFile;
use std::borrow::Cow;

/// The text of a scalar as the CI system sees it. Scalars that held `${{ … }}` (masked by the
/// YAML adapter and kept as [`V::Expr`] with their source text) are unquoted / unblocked here.
pub fn text(n: &Node) -> Option<Cow<'_, str>> {
    match &n.v {
        V::Str(s) => Some(Cow::Borrowed(s.as_str())),
        V::Num(s) => Some(Cow::Borrowed(s.as_str())),
        V::Bool(b) => Some(Cow::Owned(b.to_string())),
        V::Expr(raw) => Some(Cow::Owned(unyaml(raw))),
        _ => None,
    }
}

/// Owned text of a scalar (`""` for non-scalars).
/// A related location at a byte offset of a CI file.
pub fn related_at(file: &SourceFile, offset: usize, message: String) -> crate::finding::Related {
    let (line, col) = file.line_col(offset);
    crate::finding::Related {
        path: file.path.clone(),
        start_line: line,
        start_column: Some(col),
        end_line: None,
        end_column: None,
        message,
    }
}

pub fn text_or_empty(n: &Node) -> String {
    text(n).map(|c| c.into_owned()).unwrap_or_default()
}

/// Source text of a YAML scalar without quotes or block-scalar indentation.
pub fn unyaml(raw: &str) -> String {
    let t = raw.trim();
    if t.starts_with('|') || t.starts_with('>') {
        let (s, _) = block_body(raw, 0);
        return s.text;
    }
    if let Some(i) = t.strip_prefix('"').and_then(|s| s.strip_suffix('"')) {
        return i.replace("\\\"", "\"").replace("\\\\", "\\");
    }
    if let Some(i) = t.strip_prefix('\'').and_then(|s| s.strip_suffix('\'')) {
        return i.replace("''", "'");
    }
    t.to_string()
}

/// A script taken out of a YAML scalar, with a map back to file offsets.
#[derive(Clone, Debug, Default)]
pub struct Script {
    pub text: String,
    /// (offset in `text` where a line starts, file offset of that character), ascending.
    map: Vec<(usize, usize)>,
}

impl Script {
    /// File offset of a byte offset of the script.
    pub fn to_file(&self, off: usize) -> usize {
        let i = match self.map.binary_search_by(|(s, _)| s.cmp(&off)) {
            Ok(i) => i,
            Err(0) => 0,
            Err(i) => i - 1,
        };
        match self.map.get(i) {
            Some((s, f)) => f + off.saturating_sub(*s),
            None => off,
        }
    }

    pub fn span(&self, r: std::ops::Range<usize>) -> Span {
        self.to_file(r.start)..self.to_file(r.end.max(r.start))
    }

    /// The script of a scalar node of `file` (plain, quoted or block scalar).
    pub fn of(file: &SourceFile, n: &Node) -> Option<Script> {
        let raw = file.text.get(n.span.clone())?;
        let lead = raw.len() - raw.trim_start().len();
        let t = raw.trim_start();
        if t.starts_with('|') || t.starts_with('>') {
            let (s, _) = block_body(raw, n.span.start);
            return Some(s);
        }
        match &n.v {
            V::Str(_) | V::Expr(_) | V::Num(_) | V::Bool(_) => {}
            _ => return None,
        }
        let start = n.span.start + lead;
        if let Some(q) = t.chars().next().filter(|c| *c == '"' || *c == '\'') {
            let inner = t[1..].strip_suffix(q).unwrap_or(&t[1..]);
            let text = if q == '\'' {
                inner.replace("''", "'")
            } else {
                inner.to_string()
            };
            return Some(Script {
                text,
                map: vec![(0, start + 1)],
            });
        }
        // Plain scalar: one line (multi-line plain scalars fold, keep the first map entry).
        Some(Script {
            text: t.trim_end().to_string(),
            map: vec![(0, start)],
        })
    }
}

impl Script {
    /// One script from several (the items of a GitLab `script:` list run in one shell), each
    /// part on its own line(s), offsets still mapping back to the file.
    pub fn join(parts: Vec<Script>) -> Script {
        let mut out = Script::default();
        for p in parts {
            let base = out.text.len();
            out.map.extend(p.map.iter().map(|(s, f)| (s + base, *f)));
            out.text.push_str(&p.text);
            if !out.text.ends_with('\n') {
                out.text.push('\n');
            }
        }
        out
    }

    /// Azure Pipelines macros `$(name)` become `${name}` (same length, dots as `_`), so the
    /// shell parser reads them as the variables they are.
    pub fn azure_macros(mut self) -> Script {
        let b = azure_macro_text(&self.text);
        self.text = b;
        self
    }
}

fn azure_macro_text(t: &str) -> String {
    let mut out = t.as_bytes().to_vec();
    let b = t.as_bytes();
    let mut i = 0;
    while i + 1 < b.len() {
        if b[i] == b'$' && b[i + 1] == b'(' {
            let mut j = i + 2;
            while j < b.len() && (b[j].is_ascii_alphanumeric() || b[j] == b'_' || b[j] == b'.') {
                j += 1;
            }
            if j < b.len() && b[j] == b')' && j > i + 2 && !b[i + 2].is_ascii_digit() {
                out[i + 1] = b'{';
                out[j] = b'}';
                for x in &mut out[i + 2..j] {
                    if *x == b'.' {
                        *x = b'_';
                    }
                }
                i = j;
            }
        }
        i += 1;
    }
    String::from_utf8(out).unwrap_or_else(|_| t.to_string())
}

/// Body of a `|`/`>` block scalar whose source starts at file offset `base`.
fn block_body(raw: &str, base: usize) -> (Script, usize) {
    let mut lines = raw.split_inclusive('\n');
    let header = lines.next().unwrap_or("");
    let mut off = base + header.len();
    let body: Vec<&str> = lines.collect();
    let indent = body
        .iter()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start_matches(' ').len())
        .min()
        .unwrap_or(0);
    let mut s = Script::default();
    for l in body {
        let cut = indent.min(l.len() - l.trim_start_matches(' ').len());
        s.map.push((s.text.len(), off + cut));
        s.text.push_str(&l[cut..]);
        off += l.len();
    }
    (s, indent)
}

/// `${{ … }}` expressions of a text: (byte range including the braces, inner text trimmed).
pub fn expressions(s: &str) -> Vec<(std::ops::Range<usize>, &str)> {
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(p) = s[i..].find("${{") {
        let start = i + p;
        let Some(q) = s[start + 3..].find("}}") else {
            break;
        };
        let end = start + 3 + q + 2;
        out.push((start..end, s[start + 3..end - 2].trim()));
        i = end;
    }
    out
}

/// Does a GitHub expression read a secret (`secrets.X`, `secrets['X']`, `toJSON(secrets)`)?
pub fn expr_reads_secret(expr: &str) -> bool {
    let l = expr.to_ascii_lowercase();
    let b = l.as_bytes();
    let mut i = 0;
    while let Some(p) = l[i..].find("secrets") {
        let at = i + p;
        // `needs.git-secrets.outputs.x` names a job, not the secrets context.
        let before_ok = at == 0 || !is_ident_byte(b[at - 1]);
        let after = b.get(at + 7).copied();
        if before_ok
            && matches!(
                after,
                Some(b'.') | Some(b'[') | Some(b')') | None | Some(b' ')
            )
        {
            return true;
        }
        i = at + 7;
    }
    false
}

/// A byte that continues a context path (`a.b-c_d`): `secrets` after one is not the context.
fn is_ident_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'.' || b == b'-'
}

/// Names of the secrets a text reads (`secrets.NAME`), upper-cased as GitHub treats them.
pub fn secret_names(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (_, e) in expressions(s) {
        let mut rest = e;
        while let Some(p) = rest.find("secrets.") {
            let tail = &rest[p + 8..];
            if p > 0 && is_ident_byte(rest.as_bytes()[p - 1]) {
                rest = tail;
                continue;
            }
            let name: String = tail
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
                .collect();
            if !name.is_empty() {
                out.push(name.to_ascii_uppercase());
            }
            rest = tail;
        }
    }
    out
}

/// Is this text a reference or a template rather than a literal (GitHub/Azure/GitLab syntax,
/// shell variables)?
pub fn is_reference(s: &str) -> bool {
    let t = s.trim();
    t.contains("${{")
        || t.contains("$(")
        || t.contains("$[[")
        || t.contains("{{")
        || t.starts_with('$')
        || t.contains("${")
        || t.contains("<<")
}

/// `$NAME` / `${NAME}` references of a value.
pub fn shell_vars(v: &str) -> Vec<String> {
    let mut out = Vec::new();
    let b = v.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'$' {
            let mut j = i + 1;
            if j < b.len() && b[j] == b'{' {
                j += 1;
            }
            let s = j;
            while j < b.len() && (b[j].is_ascii_alphanumeric() || b[j] == b'_') {
                j += 1;
            }
            if j > s {
                out.push(v[s..j].to_string());
            }
            i = j;
        } else {
            i += 1;
        }
    }
    out
}

/// Is a `uses:` reference pinned to a full commit SHA (or a docker digest)?
pub fn pinned_sha(r: &str) -> bool {
    r.len() == 40 && r.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Names of CI providers' jobs, used for identity kinds.
pub fn job_kind(kind: crate::source::FileKind) -> &'static str {
    use crate::source::FileKind::*;
    match kind {
        GithubWorkflow | GithubAction => "gha_job",
        GitlabCi => "gitlab_job",
        CircleCi => "circleci_job",
        AzurePipelines => "azp_job",
        Bitbucket => "bitbucket_step",
        _ => "ci_job",
    }
}

/// Shared body of the `*-literal-secret` rules: every literal secret of files of `kinds`.
pub fn report_literals(
    cx: &crate::context::FileCx,
    rule: &crate::rules::Rule,
    kinds: &[crate::source::FileKind],
    out: &mut Vec<crate::finding::Finding>,
) {
    if !kinds.contains(&cx.file.kind) {
        return;
    }
    for s in others::literal_sites(cx.file, cx.parsed) {
        out.push(
            rule.finding(
                cx.file,
                s.span.clone(),
                format!(
                    "literal secret `{}` in `{}` ({})",
                    crate::redact::redact(&s.value),
                    s.address,
                    s.reason
                ),
            )
            .with_mask(s.span)
            .with_fp_key(s.address),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn block_scripts_map_back() {
        let text = "run: |\n    echo a\n    echo ${{ secrets.X }}\n";
        let f = SourceFile::new(".github/workflows/x.yml", text);
        let p = crate::lang::yaml::parse(text);
        let n = p.docs[0].root.get("run").unwrap();
        let s = Script::of(&f, n).unwrap();
        assert_eq!(s.text.trim_end(), "echo a\necho ${{ secrets.X }}");
        let o = s.text.find("${{").unwrap();
        assert_eq!(&text[s.to_file(o)..s.to_file(o) + 3], "${{");
        assert!(expr_reads_secret("secrets.X"));
        assert!(expr_reads_secret("toJSON(secrets)"));
        assert!(!expr_reads_secret("github.secrets_x"));
        assert!(!expr_reads_secret("needs.git-secrets.outputs.found"));
        assert!(secret_names("${{ needs.git-secrets.outputs.x }}").is_empty());
        assert_eq!(
            secret_names("a ${{ secrets.tok }} b"),
            vec!["TOK".to_string()]
        );
    }
}
