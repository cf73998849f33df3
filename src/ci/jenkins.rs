//! Jenkins: declarative and scripted `Jenkinsfile`s, Job DSL seeds and Configuration-as-Code
//! (`jenkins.yaml`).
//!
//! Groovy is read by a bounded hand-written scanner, not a grammar (see `grammars/README.md`):
//! one linear pass tokenises comments, the four string forms (`'…'`, `"…"`, `'''…'''`,
//! `"""…"""`), identifiers and brackets; a second pass keeps a stack of open `{` blocks (depth
//! capped) labelled with the call that opened them (`environment`, `withCredentials`,
//! `credentials`, `stage`...). What the rules need is lexical: which string is the argument of
//! `sh`, which variables a `withCredentials` block binds and where the block ends, which
//! assignments sit in `environment {}`.

use super::Script;
use crate::lang::Span;

const MAX_DEPTH: usize = 256;
const MAX_LEN: usize = 2 * 1024 * 1024;

#[derive(Clone, Debug, PartialEq)]
pub enum Tok {
    Ident(String),
    /// A string literal: content span (without quotes), interpolating (`"`/`"""`) or not.
    Str {
        content: Span,
        gstring: bool,
    },
    Punct(u8),
}

#[derive(Clone, Debug)]
pub struct Token {
    pub tok: Tok,
    pub span: Span,
}

/// Tokenise Groovy text (comments dropped). Linear; unterminated strings end at end of text.
pub fn tokens(src: &str) -> Vec<Token> {
    let b = src.as_bytes();
    let mut out = Vec::new();
    if b.len() > MAX_LEN {
        return out;
    }
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_whitespace() {
            i += 1;
        } else if c == b'/' && b.get(i + 1) == Some(&b'/') {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
        } else if c == b'/' && b.get(i + 1) == Some(&b'*') {
            i += 2;
            while i + 1 < b.len() && !(b[i] == b'*' && b[i + 1] == b'/') {
                i += 1;
            }
            i = (i + 2).min(b.len());
        } else if c == b'\'' || c == b'"' {
            let triple = b.get(i + 1) == Some(&c) && b.get(i + 2) == Some(&c);
            let start = i;
            let open = if triple { 3 } else { 1 };
            let mut j = i + open;
            let content_start = j;
            let content_end;
            loop {
                if j >= b.len() {
                    content_end = b.len();
                    break;
                }
                if b[j] == b'\\' {
                    j += 2;
                    continue;
                }
                if b[j] == c && (!triple || (b.get(j + 1) == Some(&c) && b.get(j + 2) == Some(&c)))
                {
                    content_end = j;
                    j += open;
                    break;
                }
                if !triple && b[j] == b'\n' {
                    content_end = j;
                    break;
                }
                j += 1;
            }
            let j = j.min(b.len());
            out.push(Token {
                tok: Tok::Str {
                    content: content_start..content_end.min(b.len()),
                    gstring: c == b'"',
                },
                span: start..j,
            });
            i = j;
        } else if c.is_ascii_alphabetic() || c == b'_' || c == b'$' {
            let st = i;
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_' || b[i] == b'$') {
                i += 1;
            }
            out.push(Token {
                tok: Tok::Ident(src[st..i].to_string()),
                span: st..i,
            });
        } else if c.is_ascii() {
            out.push(Token {
                tok: Tok::Punct(c),
                span: i..i + 1,
            });
            i += 1;
        } else {
            i += 1;
        }
    }
    out
}

/// An open `{ … }` block: the call that opened it and its byte range.
#[derive(Clone, Debug)]
pub struct Block {
    pub label: String,
    /// Token index of the label (the call name).
    pub label_tok: usize,
    /// Token index range of the call's parenthesised arguments, if any.
    pub args: Option<std::ops::Range<usize>>,
    pub body: Span,
}

/// Every block of the file, in order of opening. A block's label is the identifier before its
/// `(…)` arguments or before the `{` itself.
pub fn blocks(toks: &[Token], len: usize) -> Vec<Block> {
    let mut out: Vec<Block> = Vec::new();
    let mut stack: Vec<usize> = Vec::new();
    for (i, t) in toks.iter().enumerate() {
        match t.tok {
            Tok::Punct(b'{') => {
                // Label: `name {`, `name(args) {`, `name 'x' {` (stage 'x' in scripted syntax).
                let mut j = i;
                let mut args = None;
                if j > 0 && toks[j - 1].tok == Tok::Punct(b')') {
                    // Find the matching `(`.
                    let mut depth = 0usize;
                    let mut k = j - 1;
                    loop {
                        match toks[k].tok {
                            Tok::Punct(b')') => depth += 1,
                            Tok::Punct(b'(') => {
                                depth -= 1;
                                if depth == 0 {
                                    break;
                                }
                            }
                            _ => {}
                        }
                        if k == 0 {
                            break;
                        }
                        k -= 1;
                    }
                    args = Some(k + 1..j - 1);
                    j = k;
                } else if j > 1 && matches!(toks[j - 1].tok, Tok::Str { .. }) {
                    j -= 1;
                }
                let (label, label_tok) = match j.checked_sub(1).map(|x| (&toks[x].tok, x)) {
                    Some((Tok::Ident(s), x)) => (s.clone(), x),
                    _ => (String::new(), i),
                };
                if stack.len() < MAX_DEPTH {
                    stack.push(out.len());
                    out.push(Block {
                        label,
                        label_tok,
                        args,
                        body: t.span.end..len,
                    });
                }
            }
            Tok::Punct(b'}') => {
                if let Some(b) = stack.pop() {
                    out[b].body.end = t.span.start;
                }
            }
            _ => {}
        }
    }
    out
}

/// A string's text as the shell sees it after Groovy: escapes become same-length text (`\"` →
/// ` "`, `\$` → ` $`), and in a GString every `${…}`/`$name` Groovy interpolation becomes filler
/// (Groovy, not the shell, expands it; [`interpolations`] reports those).
pub fn shell_text(src: &str, content: &Span, gstring: bool) -> String {
    let s = &src[content.clone()];
    let b = s.as_bytes();
    let mut out = b.to_vec();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\' && i + 1 < b.len() {
            // A backslash-newline continues the line for Groovy and the shell alike.
            if b[i + 1] != b'\n' {
                out[i] = b' ';
            }
            i += 2;
            continue;
        }
        if gstring && b[i] == b'$' {
            let end = interp_end(b, i);
            if end > i + 1 {
                for x in &mut out[i..end] {
                    if *x != b'\n' {
                        *x = b'_';
                    }
                }
                i = end;
                continue;
            }
        }
        i += 1;
    }
    String::from_utf8(out).unwrap_or_default()
}

/// End of a Groovy interpolation starting at `$` (`${…}` or `$name.name`), or `i + 1`.
fn interp_end(b: &[u8], i: usize) -> usize {
    if b.get(i + 1) == Some(&b'{') {
        let mut j = i + 2;
        while j < b.len() && b[j] != b'}' {
            j += 1;
        }
        return (j + 1).min(b.len());
    }
    let mut j = i + 1;
    while j < b.len() && (b[j].is_ascii_alphanumeric() || b[j] == b'_' || b[j] == b'.') {
        j += 1;
    }
    if j > i + 1 && b[i + 1].is_ascii_digit() {
        return i + 1;
    }
    j
}

/// Groovy interpolations of a GString: (file span, variable name with `env.` removed).
pub fn interpolations(src: &str, content: &Span) -> Vec<(Span, String)> {
    let s = &src[content.clone()];
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\' {
            i += 2;
            continue;
        }
        if b[i] == b'$' {
            let end = interp_end(b, i);
            if end > i + 1 {
                let inner = s[i + 1..end]
                    .trim_start_matches('{')
                    .trim_end_matches('}')
                    .trim();
                let name = inner.strip_prefix("env.").unwrap_or(inner);
                let name: String = name
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                out.push((content.start + i..content.start + end, name));
                i = end;
                continue;
            }
        }
        i += 1;
    }
    out
}

/// A pipeline script of a file: a whole `Jenkinsfile`, or each pipeline a Job DSL seed embeds in
/// `script('…')` (escaped triple quotes turned into same-length text). `base` is the file
/// offset of `text`.
pub struct Pipeline {
    pub base: usize,
    pub text: String,
}

pub fn pipelines(src: &str, kind: crate::source::FileKind) -> Vec<Pipeline> {
    use crate::source::FileKind;
    match kind {
        FileKind::Jenkinsfile => vec![Pipeline {
            base: 0,
            text: src.to_string(),
        }],
        FileKind::JobDsl => {
            let toks = tokens(src);
            // The seed itself (freestyle jobs: `credentialsBinding {}` and `shell('…')` steps),
            // then every pipeline it embeds.
            let mut out = vec![Pipeline {
                base: 0,
                text: src.to_string(),
            }];
            for w in toks.windows(3) {
                if let (Tok::Ident(n), Tok::Punct(b'('), Tok::Str { content, .. }) =
                    (&w[0].tok, &w[1].tok, &w[2].tok)
                    && n == "script"
                {
                    let t = &src[content.clone()];
                    if t.contains("pipeline") || t.contains("node") || t.contains("sh ") {
                        out.push(Pipeline {
                            base: content.start,
                            text: t
                                .replace(r"\'\'\'", "'''   ")
                                .replace(r#"\"\"\""#, r#""""   "#),
                        });
                    }
                }
            }
            out
        }
        _ => Vec::new(),
    }
}

/// A script of an `sh`/`bat` step: its call token, the string and the shell view of it.
pub struct ShStep {
    pub at: Span,
    pub content: Span,
    pub gstring: bool,
    pub script: Script,
}

/// Every `sh '…'`, `sh "…"`, `sh(script: '…')`, `sh(""" … """)` of a Jenkinsfile.
pub fn sh_steps(src: &str, toks: &[Token], base: usize) -> Vec<ShStep> {
    let mut out = Vec::new();
    for (i, t) in toks.iter().enumerate() {
        let Tok::Ident(name) = &t.tok else { continue };
        if name != "sh" && name != "shell" {
            continue;
        }
        // The first string within the next few tokens (`(`, `script`, `:`).
        let s = toks[i + 1..toks.len().min(i + 5)]
            .iter()
            .find_map(|x| match &x.tok {
                Tok::Str { content, gstring } => Some((content.clone(), *gstring)),
                _ => None,
            });
        let Some((content, gstring)) = s else {
            continue;
        };
        let text = shell_text(src, &content, gstring);
        out.push(ShStep {
            at: t.span.clone(),
            script: Script {
                text,
                map: vec![(0, base + content.start)],
            },
            content,
            gstring,
        });
    }
    out
}

/// Credential variables bound by `withCredentials([...])` blocks and `environment {}`
/// `credentials('id')` assignments: (variable, byte range where it is bound, credential id).
pub fn credential_scopes(
    src: &str,
    toks: &[Token],
    blocks: &[Block],
) -> Vec<(String, Span, String)> {
    let mut out = Vec::new();
    let str_of = |t: &Token| match &t.tok {
        Tok::Str { content, .. } => Some(src[content.clone()].to_string()),
        _ => None,
    };
    for b in blocks {
        if b.label == "withCredentials"
            && let Some(args) = &b.args
        {
            let a = &toks[args.clone()];
            let mut id = String::new();
            for (k, t) in a.iter().enumerate() {
                if let Tok::Ident(n) = &t.tok {
                    let val = a.get(k + 2).and_then(str_of);
                    if n == "credentialsId" {
                        id = val.clone().unwrap_or_default();
                    }
                    if matches!(
                        n.as_str(),
                        "variable" | "passwordVariable" | "passphraseVariable" | "tokenVariable"
                    ) && let Some(v) = val
                    {
                        out.push((v, b.body.clone(), id.clone()));
                    }
                }
            }
        }
        if b.label == "credentialsBinding" {
            // Job DSL: `usernamePassword('USER', 'PASS', 'id')`, `string('VAR', 'id')`; bound for
            // the whole job (the outermost block around the wrapper).
            let scope = blocks
                .iter()
                .find(|p| p.body.start < b.body.start && b.body.end <= p.body.end)
                .map(|p| p.body.clone())
                .unwrap_or(0..src.len());
            let inner: Vec<&Token> = toks
                .iter()
                .filter(|t| t.span.start >= b.body.start && t.span.end <= b.body.end)
                .collect();
            for (k, t) in inner.iter().enumerate() {
                let Tok::Ident(f) = &t.tok else { continue };
                let strs: Vec<String> = inner[k + 1..inner.len().min(k + 8)]
                    .iter()
                    .take_while(|x| x.tok != Tok::Punct(b')'))
                    .filter_map(|x| str_of(x))
                    .collect();
                let (var, id) = match (f.as_str(), strs.as_slice()) {
                    ("usernamePassword", [_, p, id, ..]) => (p.clone(), id.clone()),
                    ("string" | "file" | "zipFile", [v, id, ..]) => (v.clone(), id.clone()),
                    _ => continue,
                };
                out.push((var, scope.clone(), id));
            }
        }
        if b.label == "environment" {
            // `NAME = credentials('id')`
            let first = toks
                .iter()
                .position(|t| t.span.start >= b.body.start)
                .unwrap_or(toks.len());
            let mut k = first;
            while k + 3 < toks.len() && toks[k].span.start < b.body.end {
                if let (Tok::Ident(n), Tok::Punct(b'='), Tok::Ident(f)) =
                    (&toks[k].tok, &toks[k + 1].tok, &toks[k + 2].tok)
                    && f == "credentials"
                {
                    let id = toks.get(k + 4).and_then(str_of).unwrap_or_default();
                    // The enclosing block of `environment` (pipeline or stage) is the scope.
                    let scope = blocks
                        .iter()
                        .filter(|p| p.body.start < b.body.start && b.body.end <= p.body.end)
                        .map(|p| p.body.clone())
                        .next_back()
                        .unwrap_or(0..src.len());
                    out.push((n.clone(), scope.clone(), id.clone()));
                    // `credentials()` of a username/password also binds NAME_USR / NAME_PSW.
                    out.push((format!("{n}_PSW"), scope, id));
                }
                k += 1;
            }
        }
    }
    out
}

/// An `sh` step of a pipeline with the credential variables bound around it (spans of the step
/// are file offsets).
pub struct ScopedSh {
    pub sh: ShStep,
    /// (variable, credential id) bound where the step runs.
    pub creds: Vec<(String, String)>,
    /// Groovy interpolations of a GString script: (file span, variable).
    pub interpolations: Vec<(Span, String)>,
}

/// Every `sh`/`shell` step of a Jenkins file with the credentials in scope.
pub fn scoped_sh_steps(src: &str, kind: crate::source::FileKind) -> Vec<ScopedSh> {
    let mut out = Vec::new();
    for p in pipelines(src, kind) {
        let toks = tokens(&p.text);
        let blocks = blocks(&toks, p.text.len());
        let scopes = credential_scopes(&p.text, &toks, &blocks);
        for sh in sh_steps(&p.text, &toks, p.base) {
            let creds = scopes
                .iter()
                .filter(|(_, r, _)| r.start <= sh.at.start && sh.at.end <= r.end)
                .map(|(v, _, id)| (v.clone(), id.clone()))
                .collect();
            let interpolations = if sh.gstring {
                interpolations(&p.text, &sh.content)
                    .into_iter()
                    .map(|(r, v)| (p.base + r.start..p.base + r.end, v))
                    .collect()
            } else {
                Vec::new()
            };
            out.push(ScopedSh {
                sh: ShStep {
                    at: p.base + sh.at.start..p.base + sh.at.end,
                    ..sh
                },
                creds,
                interpolations,
            });
        }
    }
    out
}

/// Literal assignments of `environment {}` blocks: (name, value span, value).
pub fn environment_literals(
    src: &str,
    toks: &[Token],
    blocks: &[Block],
) -> Vec<(String, Span, String)> {
    let mut out = Vec::new();
    for b in blocks.iter().filter(|b| b.label == "environment") {
        let first = toks
            .iter()
            .position(|t| t.span.start >= b.body.start)
            .unwrap_or(toks.len());
        let mut k = first;
        while k + 2 < toks.len() && toks[k].span.start < b.body.end {
            if let (Tok::Ident(n), Tok::Punct(b'='), Tok::Str { content, .. }) =
                (&toks[k].tok, &toks[k + 1].tok, &toks[k + 2].tok)
            {
                out.push((n.clone(), content.clone(), src[content.clone()].to_string()));
            }
            k += 1;
        }
    }
    out
}

/// Job DSL literal credentials: `password('…')`, `secret('…')`, `token('…')`,
/// `privateKey('…')`, `passphrase('…')` calls with a literal string: (call, value span, value).
pub fn dsl_literals(src: &str, toks: &[Token]) -> Vec<(String, Span, String)> {
    let mut out = Vec::new();
    for w in toks.windows(4) {
        if let (Tok::Ident(n), Tok::Punct(b'('), Tok::Str { content, .. }, Tok::Punct(b')')) =
            (&w[0].tok, &w[1].tok, &w[2].tok, &w[3].tok)
            && matches!(
                n.as_str(),
                "password"
                    | "secret"
                    | "token"
                    | "privateKey"
                    | "passphrase"
                    | "apiToken"
                    | "secretText"
            )
        {
            out.push((n.clone(), content.clone(), src[content.clone()].to_string()));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scanner() {
        let src = "pipeline {\n  environment {\n    A = credentials('db')\n    B = \"x\"\n  }\n  stages { stage('s') { steps {\n    withCredentials([string(credentialsId: 'tok', variable: 'T')]) {\n      sh \"curl -H \\\"X: ${T}\\\" \\$HOME\"\n      sh 'echo $T'\n    }\n  } } }\n}\n";
        let t = tokens(src);
        let b = blocks(&t, src.len());
        assert!(b.iter().any(|b| b.label == "withCredentials"));
        let scopes = credential_scopes(src, &t, &b);
        let names: Vec<&str> = scopes.iter().map(|s| s.0.as_str()).collect();
        assert_eq!(names, vec!["A", "A_PSW", "T"]);
        let sh = sh_steps(src, &t, 0);
        assert_eq!(sh.len(), 2);
        assert!(sh[0].gstring && !sh[1].gstring);
        assert!(!sh[0].script.text.contains("${T}") && sh[0].script.text.contains("$HOME"));
        let i = interpolations(src, &sh[0].content);
        assert_eq!(i.len(), 1);
        assert_eq!(i[0].1, "T");
        assert_eq!(&src[i[0].0.clone()], "${T}");
        assert_eq!(environment_literals(src, &t, &b)[0].0, "B");
        // Hostile input: unbalanced, deep, unterminated.
        let deep = "a {".repeat(10_000) + "'unterminated";
        let t = tokens(&deep);
        assert!(blocks(&t, deep.len()).len() <= MAX_DEPTH);
    }
}
