//! Go `text/template` syntax: lexer and parser into a tree whose nodes keep their byte spans
//! (text nodes are ranges of the source, so rendered text maps back byte for byte).

use std::ops::Range;

pub type Span = Range<usize>;

#[derive(Clone, Debug)]
pub enum Item {
    /// Literal text: `src[span]` (already trimmed by `{{-` / `-}}`).
    Text(Span),
    /// `{{ pipeline }}`.
    Action(Span, Pipe),
    If(Branch),
    Range(Branch),
    With(Branch),
    /// `{{ template "name" pipeline }}`.
    Template(Span, String, Option<Pipe>),
    Break(Span),
    Continue(Span),
}

#[derive(Clone, Debug)]
pub struct Branch {
    pub span: Span,
    pub pipe: Pipe,
    pub list: Vec<Item>,
    pub else_list: Option<Vec<Item>>,
}

#[derive(Clone, Debug, Default)]
pub struct Pipe {
    pub decl: Vec<String>,
    /// `=` (assign to existing variables) rather than `:=`.
    pub assign: bool,
    pub cmds: Vec<Cmd>,
}

#[derive(Clone, Debug)]
pub struct Cmd {
    /// Where the command starts (for messages).
    pub at: usize,
    pub args: Vec<Arg>,
}

#[derive(Clone, Debug)]
pub enum Arg {
    Dot,
    /// `.A.B` (on dot).
    Field(Vec<String>),
    /// `$x.A.B`.
    Var(String, Vec<String>),
    /// A function name.
    Ident(String),
    Str(String),
    Int(i64),
    Float(f64),
    Bool(bool),
    Nil,
    /// `(pipeline).A.B`.
    Sub(Box<Pipe>, Vec<String>),
}

/// A parsed template file: its body and the templates it defines.
#[derive(Clone, Debug, Default)]
pub struct Parsed {
    pub body: Vec<Item>,
    pub defines: Vec<(String, Vec<Item>)>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct SyntaxError {
    pub offset: usize,
    pub message: String,
}

fn err<T>(offset: usize, message: impl Into<String>) -> Result<T, SyntaxError> {
    Err(SyntaxError {
        offset,
        message: message.into(),
    })
}

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Ident(String),
    Field(String),
    Var(String),
    Dot,
    Str(String),
    Int(i64),
    Float(f64),
    Pipe,
    LParen,
    RParen,
    Declare,
    Assign,
    Comma,
}

#[derive(Clone, Debug)]
struct Token {
    tok: Tok,
    at: usize,
    /// Whitespace (or the action start) precedes the token.
    spaced: bool,
}

/// One `{{ … }}` tag.
struct Tag {
    span: Span,
    toks: Vec<Token>,
}

enum Piece {
    Text(Span),
    Tag(Tag),
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

/// Split the source into text and tags, applying trim markers and dropping comments.
fn lex(src: &str) -> Result<Vec<Piece>, SyntaxError> {
    let b = src.as_bytes();
    let mut out = Vec::new();
    let mut pos = 0;
    let mut trim_next = false;
    while pos <= b.len() {
        let open = match memchr::memmem::find(&b[pos..], b"{{") {
            Some(i) => pos + i,
            None => {
                let mut s = pos;
                if trim_next {
                    while s < b.len() && is_space(b[s]) {
                        s += 1;
                    }
                }
                if s < b.len() {
                    out.push(Piece::Text(s..b.len()));
                }
                break;
            }
        };
        let trim_left = b.len() > open + 3 && b[open + 2] == b'-' && is_space(b[open + 3]);
        let mut s = pos;
        if trim_next {
            while s < open && is_space(b[s]) {
                s += 1;
            }
        }
        let mut e = open;
        if trim_left {
            while e > s && is_space(b[e - 1]) {
                e -= 1;
            }
        }
        if e > s {
            out.push(Piece::Text(s..e));
        }
        let mut i = open + 2;
        if trim_left {
            i += 2;
        }
        // Comment.
        let mut j = i;
        while j < b.len() && is_space(b[j]) && trim_left {
            j += 1;
        }
        if b[j.min(b.len())..].starts_with(b"/*") {
            let close = match memchr::memmem::find(&b[j + 2..], b"*/") {
                Some(k) => j + 2 + k + 2,
                None => return err(open, "unclosed comment"),
            };
            let mut k = close;
            let mut tr = false;
            if b[k..].starts_with(b" -}}") {
                tr = true;
                k += 4;
            } else if b[k..].starts_with(b"}}") {
                k += 2;
            } else {
                // Whitespace before a trim marker.
                let mut m = k;
                while m < b.len() && is_space(b[m]) {
                    m += 1;
                }
                if b[m..].starts_with(b"-}}") && m > k {
                    tr = true;
                    k = m + 3;
                } else {
                    return err(open, "comment ends before closing delimiter");
                }
            }
            trim_next = tr;
            pos = k;
            continue;
        }
        let (toks, end, tr) = lex_action(src, i, open)?;
        trim_next = tr;
        out.push(Piece::Tag(Tag {
            span: open..end,
            toks,
        }));
        pos = end;
    }
    Ok(out)
}

/// Tokens of one action from `i` to its closing delimiter; (tokens, end offset, trim right).
fn lex_action(
    src: &str,
    mut i: usize,
    open: usize,
) -> Result<(Vec<Token>, usize, bool), SyntaxError> {
    let b = src.as_bytes();
    let mut toks = Vec::new();
    let mut spaced = true;
    loop {
        if i >= b.len() {
            return err(open, "unclosed action");
        }
        let c = b[i];
        if is_space(c) {
            // ` -}}` closes with trimming.
            let mut k = i;
            while k < b.len() && is_space(b[k]) {
                k += 1;
            }
            if b[k..].starts_with(b"-}}") {
                return Ok((toks, k + 3, true));
            }
            i = k;
            spaced = true;
            continue;
        }
        if b[i..].starts_with(b"}}") {
            return Ok((toks, i + 2, false));
        }
        let at = i;
        let tok = match c {
            b'|' | b'(' | b')' | b',' | b'=' => {
                i += 1;
                match c {
                    b'|' => Tok::Pipe,
                    b'(' => Tok::LParen,
                    b')' => Tok::RParen,
                    b',' => Tok::Comma,
                    _ => Tok::Assign,
                }
            }
            b':' if b.get(i + 1) == Some(&b'=') => {
                i += 2;
                Tok::Declare
            }
            b'"' => {
                let (s, n) = lex_quoted(src, i)?;
                i = n;
                Tok::Str(s)
            }
            b'`' => match memchr::memchr(b'`', &b[i + 1..]) {
                Some(k) => {
                    let s = src[i + 1..i + 1 + k].to_string();
                    i = i + 2 + k;
                    Tok::Str(s)
                }
                None => return err(at, "unterminated raw quoted string"),
            },
            b'\'' => {
                // Character constant: its code point as an int.
                let rest = &src[i + 1..];
                let (ch, len) = if let Some(r) = rest.strip_prefix('\\') {
                    let c = r.chars().next().unwrap_or('\\');
                    let v = match c {
                        'n' => '\n',
                        't' => '\t',
                        'r' => '\r',
                        '0' => '\0',
                        c => c,
                    };
                    (v, 1 + c.len_utf8())
                } else {
                    let c = rest.chars().next().unwrap_or(' ');
                    (c, c.len_utf8())
                };
                if rest.as_bytes().get(len) != Some(&b'\'') {
                    return err(at, "malformed character constant");
                }
                i += len + 2;
                Tok::Int(ch as i64)
            }
            b'$' => {
                let mut k = i + 1;
                while k < b.len() && (b[k].is_ascii_alphanumeric() || b[k] == b'_') {
                    k += 1;
                }
                let name = src[i..k].to_string();
                i = k;
                Tok::Var(name)
            }
            b'.' => {
                let mut k = i + 1;
                if k < b.len() && (b[k].is_ascii_alphabetic() || b[k] == b'_') {
                    while k < b.len() && (b[k].is_ascii_alphanumeric() || b[k] == b'_') {
                        k += 1;
                    }
                    let name = src[i + 1..k].to_string();
                    i = k;
                    Tok::Field(name)
                } else if k < b.len() && b[k].is_ascii_digit() {
                    let (t, n) = lex_number(src, i)?;
                    i = n;
                    t
                } else {
                    i = k;
                    Tok::Dot
                }
            }
            b'-' | b'+' | b'0'..=b'9' => {
                let (t, n) = lex_number(src, i)?;
                i = n;
                t
            }
            c if c.is_ascii_alphabetic() || c == b'_' => {
                let mut k = i;
                while k < b.len() && (b[k].is_ascii_alphanumeric() || b[k] == b'_') {
                    k += 1;
                }
                let name = src[i..k].to_string();
                i = k;
                Tok::Ident(name)
            }
            _ => {
                let ch = src[i..].chars().next().unwrap_or(' ');
                return err(at, format!("unexpected {ch:?} in command"));
            }
        };
        toks.push(Token { tok, at, spaced });
        spaced = false;
    }
}

fn lex_quoted(src: &str, start: usize) -> Result<(String, usize), SyntaxError> {
    let mut out = String::new();
    let mut it = src[start + 1..].char_indices();
    while let Some((k, c)) = it.next() {
        match c {
            '"' => return Ok((out, start + 1 + k + 1)),
            '\n' => break,
            '\\' => {
                let (_, e) = it.next().ok_or(SyntaxError {
                    offset: start,
                    message: "unterminated quoted string".into(),
                })?;
                match e {
                    'n' => out.push('\n'),
                    't' => out.push('\t'),
                    'r' => out.push('\r'),
                    '\\' => out.push('\\'),
                    '"' => out.push('"'),
                    '\'' => out.push('\''),
                    '0' => out.push('\0'),
                    'a' => out.push('\x07'),
                    'b' => out.push('\x08'),
                    'f' => out.push('\x0c'),
                    'v' => out.push('\x0b'),
                    'x' | 'u' | 'U' => {
                        let n = match e {
                            'x' => 2,
                            'u' => 4,
                            _ => 8,
                        };
                        let mut h = String::new();
                        for _ in 0..n {
                            if let Some((_, d)) = it.next() {
                                h.push(d);
                            }
                        }
                        let v = u32::from_str_radix(&h, 16).ok().and_then(char::from_u32);
                        match v {
                            Some(ch) => out.push(ch),
                            None => return err(start, "invalid escape in quoted string"),
                        }
                    }
                    _ => return err(start, "invalid escape in quoted string"),
                }
            }
            c => out.push(c),
        }
    }
    err(start, "unterminated quoted string")
}

fn lex_number(src: &str, start: usize) -> Result<(Tok, usize), SyntaxError> {
    let b = src.as_bytes();
    let mut k = start;
    if k < b.len() && (b[k] == b'-' || b[k] == b'+') {
        k += 1;
    }
    while k < b.len()
        && (b[k].is_ascii_alphanumeric()
            || b[k] == b'.'
            || b[k] == b'_'
            || ((b[k] == b'-' || b[k] == b'+') && matches!(b[k - 1], b'e' | b'E')))
    {
        k += 1;
    }
    let text = src[start..k].replace('_', "");
    let (neg, body) = match text.strip_prefix('-') {
        Some(r) => (true, r.to_string()),
        None => (false, text.trim_start_matches('+').to_string()),
    };
    let lower = body.to_ascii_lowercase();
    let int = if let Some(h) = lower.strip_prefix("0x") {
        i64::from_str_radix(h, 16).ok()
    } else if let Some(o) = lower.strip_prefix("0o") {
        i64::from_str_radix(o, 8).ok()
    } else if let Some(bn) = lower.strip_prefix("0b") {
        i64::from_str_radix(bn, 2).ok()
    } else if lower.len() > 1 && lower.starts_with('0') && lower.bytes().all(|c| c.is_ascii_digit())
    {
        i64::from_str_radix(&lower[1..], 8).ok()
    } else {
        lower.parse::<i64>().ok()
    };
    if let Some(i) = int {
        return Ok((Tok::Int(if neg { -i } else { i }), k));
    }
    match lower.parse::<f64>() {
        Ok(f) if !lower.is_empty() && !lower.starts_with("inf") && !lower.starts_with("nan") => {
            Ok((Tok::Float(if neg { -f } else { f }), k))
        }
        _ => err(start, format!("bad number syntax: {:?}", &src[start..k])),
    }
}

/// Parse a template source.
pub fn parse(src: &str) -> Result<Parsed, SyntaxError> {
    let pieces = lex(src)?;
    let mut p = Parser {
        pieces,
        pos: 0,
        defines: Vec::new(),
        src_len: src.len(),
    };
    let (body, stop) = p.list(0)?;
    if let Some((kw, at)) = stop {
        return err(at, format!("unexpected {{{{{kw}}}}}"));
    }
    Ok(Parsed {
        body,
        defines: p.defines,
    })
}

struct Parser {
    pieces: Vec<Piece>,
    pos: usize,
    defines: Vec<(String, Vec<Item>)>,
    src_len: usize,
}

/// How a list ended: `end`, `else` (with the tokens after `else`), or the end of input.
enum Stop {
    End(usize),
    Else(usize, Vec<Token>),
}

const MAX_NESTING: usize = 100;

impl Parser {
    /// Items until `{{end}}`/`{{else}}` (returned) or the end of input (`None`).
    #[allow(clippy::type_complexity)]
    fn list(&mut self, depth: usize) -> Result<(Vec<Item>, Option<(String, usize)>), SyntaxError> {
        let (items, stop) = self.list_stop(depth)?;
        Ok((
            items,
            stop.map(|s| match s {
                Stop::End(at) => ("end".to_string(), at),
                Stop::Else(at, _) => ("else".to_string(), at),
            }),
        ))
    }

    fn list_stop(&mut self, depth: usize) -> Result<(Vec<Item>, Option<Stop>), SyntaxError> {
        if depth > MAX_NESTING {
            return err(0, "template nesting too deep");
        }
        let mut items = Vec::new();
        while self.pos < self.pieces.len() {
            let piece = std::mem::replace(&mut self.pieces[self.pos], Piece::Text(0..0));
            self.pos += 1;
            let tag = match piece {
                Piece::Text(s) => {
                    items.push(Item::Text(s));
                    continue;
                }
                Piece::Tag(t) => t,
            };
            let span = tag.span.clone();
            let mut toks = tag.toks;
            let kw = match toks.first() {
                Some(Token {
                    tok: Tok::Ident(k), ..
                }) => k.clone(),
                None => return err(span.start, "missing value for command"),
                _ => String::new(),
            };
            match kw.as_str() {
                "end" => return Ok((items, Some(Stop::End(span.start)))),
                "else" => {
                    toks.remove(0);
                    return Ok((items, Some(Stop::Else(span.start, toks))));
                }
                "if" | "range" | "with" => {
                    toks.remove(0);
                    let item = self.branch(&kw, span, toks, depth)?;
                    items.push(item);
                }
                "define" | "block" => {
                    toks.remove(0);
                    let name = match toks.first() {
                        Some(Token {
                            tok: Tok::Str(s), ..
                        }) => s.clone(),
                        _ => return err(span.start, format!("{kw} needs a template name")),
                    };
                    toks.remove(0);
                    let (body, stop) = self.list_stop(depth + 1)?;
                    match stop {
                        Some(Stop::End(_)) => {}
                        _ => return err(span.start, format!("unexpected EOF in {kw}")),
                    }
                    if kw == "block" {
                        let pipe = if toks.is_empty() {
                            None
                        } else {
                            Some(pipeline(&toks, span.start, false)?)
                        };
                        items.push(Item::Template(span, name.clone(), pipe));
                    }
                    self.defines.push((name, body));
                }
                "template" => {
                    toks.remove(0);
                    let name = match toks.first() {
                        Some(Token {
                            tok: Tok::Str(s), ..
                        }) => s.clone(),
                        _ => return err(span.start, "template needs a template name"),
                    };
                    toks.remove(0);
                    let pipe = if toks.is_empty() {
                        None
                    } else {
                        Some(pipeline(&toks, span.start, false)?)
                    };
                    items.push(Item::Template(span, name, pipe));
                }
                "break" if toks.len() == 1 => items.push(Item::Break(span)),
                "continue" if toks.len() == 1 => items.push(Item::Continue(span)),
                _ => {
                    let pipe = pipeline(&toks, span.start, true)?;
                    items.push(Item::Action(span, pipe));
                }
            }
        }
        Ok((items, None))
    }

    fn branch(
        &mut self,
        kw: &str,
        span: Span,
        toks: Vec<Token>,
        depth: usize,
    ) -> Result<Item, SyntaxError> {
        let pipe = pipeline(
            &toks,
            span.start,
            kw == "range" || kw == "with" || kw == "if",
        )?;
        let (list, stop) = self.list_stop(depth + 1)?;
        let else_list = match stop {
            Some(Stop::End(_)) => None,
            Some(Stop::Else(at, rest)) => {
                if rest.is_empty() {
                    let (el, stop2) = self.list_stop(depth + 1)?;
                    match stop2 {
                        Some(Stop::End(_)) => Some(el),
                        _ => return err(at, format!("expected end; found else in {kw}")),
                    }
                } else {
                    // `else if` / `else with`: a nested branch sharing this `end`.
                    let k = match &rest[0].tok {
                        Tok::Ident(k) if k == "if" || k == "with" => k.clone(),
                        _ => return err(at, "unexpected tokens after else"),
                    };
                    let nested =
                        self.branch(&k, at..span.end.max(at), rest[1..].to_vec(), depth + 1)?;
                    Some(vec![nested])
                }
            }
            None => return err(span.start, format!("unexpected EOF in {kw}")),
        };
        let b = Branch {
            span: span.clone(),
            pipe,
            list,
            else_list,
        };
        let _ = self.src_len;
        Ok(match kw {
            "if" => Item::If(b),
            "range" => Item::Range(b),
            _ => Item::With(b),
        })
    }
}

/// Parse a pipeline from tokens, optionally with variable declarations.
fn pipeline(toks: &[Token], at: usize, allow_decl: bool) -> Result<Pipe, SyntaxError> {
    let mut pipe = Pipe::default();
    let mut i = 0;
    if allow_decl {
        // `$x :=`, `$x =`, `$i, $v :=`.
        let mut names = Vec::new();
        let mut k = 0;
        while let Some(Tok::Var(v)) = toks.get(k).map(|t| &t.tok) {
            names.push(v.clone());
            match toks.get(k + 1).map(|t| &t.tok) {
                Some(Tok::Comma) => {
                    k += 2;
                    continue;
                }
                Some(Tok::Declare) => {
                    i = k + 2;
                    pipe.decl = names.clone();
                    break;
                }
                Some(Tok::Assign) => {
                    i = k + 2;
                    pipe.decl = names.clone();
                    pipe.assign = true;
                    break;
                }
                _ => break,
            }
        }
    }
    let (cmds, end) = commands(toks, i, at, 0)?;
    if end != toks.len() {
        return err(toks[end].at, "unexpected right paren");
    }
    if cmds.is_empty() {
        return err(at, "missing value for command");
    }
    pipe.cmds = cmds;
    Ok(pipe)
}

/// Commands separated by `|` until a `)` or the end; returns the index of the stop token.
fn commands(
    toks: &[Token],
    mut i: usize,
    at: usize,
    depth: usize,
) -> Result<(Vec<Cmd>, usize), SyntaxError> {
    let mut cmds = Vec::new();
    let mut cur = Cmd {
        at: toks.get(i).map_or(at, |t| t.at),
        args: Vec::new(),
    };
    while i < toks.len() {
        let t = &toks[i];
        match &t.tok {
            Tok::RParen => break,
            Tok::Pipe => {
                if cur.args.is_empty() {
                    return err(t.at, "missing command in pipeline");
                }
                cmds.push(std::mem::replace(
                    &mut cur,
                    Cmd {
                        at: toks.get(i + 1).map_or(t.at, |n| n.at),
                        args: Vec::new(),
                    },
                ));
                i += 1;
            }
            _ => {
                let (arg, n) = operand(toks, i, at, depth)?;
                cur.args.push(arg);
                i = n;
            }
        }
    }
    if !cur.args.is_empty() {
        cmds.push(cur);
    } else if !cmds.is_empty() {
        return err(at, "missing command in pipeline");
    }
    Ok((cmds, i))
}

/// One operand: a term and the fields chained to it without spaces.
fn operand(toks: &[Token], i: usize, at: usize, depth: usize) -> Result<(Arg, usize), SyntaxError> {
    let t = &toks[i];
    let mut n = i + 1;
    let mut arg = match &t.tok {
        Tok::Dot => Arg::Dot,
        Tok::Field(f) => {
            let mut path = vec![f.clone()];
            while let Some(Token {
                tok: Tok::Field(g),
                spaced: false,
                ..
            }) = toks.get(n)
            {
                path.push(g.clone());
                n += 1;
            }
            return Ok((Arg::Field(path), n));
        }
        Tok::Var(v) => Arg::Var(v.clone(), Vec::new()),
        Tok::Ident(id) => match id.as_str() {
            "true" => Arg::Bool(true),
            "false" => Arg::Bool(false),
            "nil" => Arg::Nil,
            _ => Arg::Ident(id.clone()),
        },
        Tok::Str(s) => Arg::Str(s.clone()),
        Tok::Int(x) => Arg::Int(*x),
        Tok::Float(x) => Arg::Float(*x),
        Tok::LParen => {
            if depth >= MAX_NESTING {
                return err(t.at, "parenthesized pipelines nested too deep");
            }
            let (cmds, end) = commands(toks, i + 1, t.at, depth + 1)?;
            if !matches!(toks.get(end).map(|t| &t.tok), Some(Tok::RParen)) {
                return err(t.at, "unclosed left paren");
            }
            if cmds.is_empty() {
                return err(t.at, "missing value for parenthesized pipeline");
            }
            n = end + 1;
            Arg::Sub(
                Box::new(Pipe {
                    decl: Vec::new(),
                    assign: false,
                    cmds,
                }),
                Vec::new(),
            )
        }
        other => return err(t.at.max(at), format!("unexpected {other:?} in operand")),
    };
    // Chained fields: `$x.A`, `(…).A`.
    let mut chain = Vec::new();
    while let Some(Token {
        tok: Tok::Field(g),
        spaced: false,
        ..
    }) = toks.get(n)
    {
        chain.push(g.clone());
        n += 1;
    }
    if !chain.is_empty() {
        arg = match arg {
            Arg::Var(v, _) => Arg::Var(v, chain),
            Arg::Sub(p, _) => Arg::Sub(p, chain),
            Arg::Dot => Arg::Field(chain),
            _ => return err(t.at, "unexpected field chain"),
        };
    }
    Ok((arg, n))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(src: &str, items: &[Item]) -> Vec<String> {
        items
            .iter()
            .filter_map(|i| match i {
                Item::Text(s) => Some(src[s.clone()].to_string()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn trims_and_comments() {
        let src = "a  \n{{- /* c */ -}}\n  b {{ .X }} c\n{{- if .Y }}y{{ else if .Z }}z{{ else }}n{{ end -}}\n";
        let p = parse(src).unwrap();
        assert_eq!(texts(src, &p.body), vec!["a", "b ", " c"]);
        assert!(p.body.iter().any(|i| matches!(i, Item::If(_))));
    }

    #[test]
    fn pipelines_and_defines() {
        let src = r#"{{ define "x" }}{{ $v := .A.B | default "d" | quote }}{{ (index $ "k").C }}{{ end }}{{ range $i, $e := .L }}{{ $i }}{{ end }}"#;
        let p = parse(src).unwrap();
        assert_eq!(p.defines.len(), 1);
        match &p.defines[0].1[0] {
            Item::Action(_, pipe) => {
                assert_eq!(pipe.decl, vec!["$v"]);
                assert_eq!(pipe.cmds.len(), 3);
            }
            other => panic!("{other:?}"),
        }
        match &p.body[0] {
            Item::Range(b) => assert_eq!(b.pipe.decl, vec!["$i", "$e"]),
            other => panic!("{other:?}"),
        }
        assert!(parse("{{ if .X }}").is_err());
        assert!(parse("{{ .X ").is_err());
        assert!(parse("{{ end }}").is_err());
    }
}
