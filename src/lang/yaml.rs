//! YAML adapter: tree-sitter-yaml, guarded against its known crashes, into the value tree.
//!
//! Guards (see grammars/README.md): documents are split at `---` and parsed one by one (the
//! scanner's rows are 16-bit), block nesting is measured before parsing (the scanner aborts the
//! process at 254 levels), and Go-template actions `{{ … }}` are masked with filler of the same
//! length so Helm templates parse; a scalar that held an action becomes [`V::Expr`].

use super::value::{Document, Entry, Node, ParseError, Span, V};
use std::collections::HashMap;
use tree_sitter::{Node as TsNode, Parser};

/// Deepest block nesting handed to tree-sitter-yaml (it aborts at 254).
pub const MAX_BLOCK_DEPTH: usize = 200;
/// Longest document handed to tree-sitter-yaml (rows past 32,767 break).
pub const MAX_DOC_LINES: usize = 32_000;
/// Deepest value nesting the converter follows; deeper values become expressions.
const MAX_TREE_DEPTH: usize = 256;
/// Bytes (estimated: a node per value plus its text) that anchors and aliases of one file may
/// copy. An alias past it stays an unexpanded expression and the file gets one error, so alias
/// bombs cost a bounded amount of time and memory.
pub const ALIAS_BUDGET: usize = 32 << 20;
/// Start of every message about an exhausted resource budget.
pub const BUDGET_EXCEEDED: &str = "evaluation budget exceeded";

/// What the copies made for anchors and aliases of one file may still spend.
pub(crate) struct AliasBudget {
    pub remaining: usize,
    /// Where the budget ran out (byte offset in the file), once.
    pub exceeded_at: Option<usize>,
}

impl AliasBudget {
    pub fn new(limit: usize) -> AliasBudget {
        AliasBudget {
            remaining: limit,
            exceeded_at: None,
        }
    }

    /// Take `w` from the budget; false (and the first offset recorded) when it does not fit.
    pub fn charge(&mut self, w: usize, offset: usize) -> bool {
        if self.exceeded_at.is_none() && w <= self.remaining {
            self.remaining -= w;
            return true;
        }
        self.exceeded_at.get_or_insert(offset);
        false
    }

    /// Estimated size of a copy of `n`, counted up to `cap + 1` (a bigger node is not walked).
    pub fn weight(n: &Node, cap: usize) -> usize {
        const NODE: usize = std::mem::size_of::<Entry>();
        let mut total = 0usize;
        let mut stack = vec![n];
        while let Some(n) = stack.pop() {
            total += NODE;
            match &n.v {
                V::Str(s) | V::Num(s) | V::Expr(s) => total += s.len(),
                V::Seq(items) => stack.extend(items.iter()),
                V::Map(es) => {
                    for e in es {
                        total += e.key.len();
                        stack.push(&e.value);
                    }
                }
                V::Call(name, args) => {
                    total += name.len();
                    stack.extend(args.iter());
                }
                V::Block(b) => {
                    for e in &b.body {
                        total += e.key.len();
                        stack.push(&e.value);
                    }
                }
                V::Null | V::Bool(_) => {}
            }
            if total > cap {
                return total;
            }
        }
        total
    }

    pub fn error(&self) -> Option<ParseError> {
        self.exceeded_at.map(|offset| ParseError {
            offset,
            message: format!(
                "{BUDGET_EXCEEDED}: YAML anchors and aliases expand to more than {} MiB; this alias and later ones are left unexpanded",
                ALIAS_BUDGET >> 20
            ),
        })
    }
}

/// CloudFormation short-form intrinsic tags (`!Ref`, `!GetAtt`, `!Sub`, ...) and the key of their
/// long form (`Ref`, `Fn::GetAtt`, `Fn::Sub`, ...). Other tags are dropped (the value is kept).
pub fn intrinsic_key(tag: &str) -> Option<&'static str> {
    const FNS: &[&str] = &[
        "Fn::And",
        "Fn::Base64",
        "Fn::Cidr",
        "Fn::Equals",
        "Fn::FindInMap",
        "Fn::ForEach",
        "Fn::GetAZs",
        "Fn::GetAtt",
        "Fn::If",
        "Fn::ImportValue",
        "Fn::Join",
        "Fn::Length",
        "Fn::Not",
        "Fn::Or",
        "Fn::Select",
        "Fn::Split",
        "Fn::Sub",
        "Fn::ToJsonString",
        "Fn::Transform",
    ];
    let name = tag.strip_prefix('!')?;
    match name {
        "Ref" => Some("Ref"),
        "Condition" => Some("Condition"),
        _ => FNS.iter().copied().find(|f| &f[4..] == name),
    }
}

/// `!Tag value` as the long form `{"Fn::Tag": value}` (same span as the value, so both parse
/// paths agree).
pub(crate) fn wrap_intrinsic(key: &str, value: Node) -> Node {
    let span = value.span.clone();
    Node::new(
        span.clone(),
        V::Map(vec![Entry {
            key: key.to_string(),
            key_span: span.start..span.start,
            value,
        }]),
    )
}

/// Merge keys (`<<`) add the entries the map does not have yet, earlier sources first, in
/// linear time (a hash set of the keys, not a scan per merged entry).
pub(crate) fn apply_merges(entries: &mut Vec<Entry>, merges: Vec<Entry>) {
    if merges.is_empty() {
        return;
    }
    let mut seen: std::collections::HashSet<String> =
        entries.iter().map(|e| e.key.clone()).collect();
    for m in merges {
        if !seen.contains(&m.key) {
            seen.insert(m.key.clone());
            entries.push(m);
        }
    }
}

/// The entries a `<<` value contributes: a map, or a list of maps.
pub(crate) fn merge_sources(value: Node, merges: &mut Vec<Entry>) {
    match value.v {
        V::Map(es) => merges.extend(es),
        V::Seq(items) => {
            for it in items {
                if let V::Map(es) = it.v {
                    merges.extend(es);
                }
            }
        }
        _ => {}
    }
}

pub struct YamlParse {
    pub docs: Vec<Document>,
    pub errors: Vec<ParseError>,
    /// True when Go-template actions were masked before parsing.
    pub templated: bool,
}

thread_local! {
    static PARSER: std::cell::RefCell<Parser> = std::cell::RefCell::new({
        let mut p = Parser::new();
        p.set_language(&tree_sitter_yaml::LANGUAGE.into()).expect("yaml grammar");
        p
    });
}

/// Replace every `{{ … }}` action with filler of the same length (newlines kept). A line that
/// holds nothing but actions becomes blank, so `{{- if }}` lines vanish from the structure; an
/// action that ends a `key:` line followed by deeper lines (`| nindent 4`) becomes a comment.
pub fn mask_templates(text: &str) -> Option<String> {
    if !text.contains("{{") {
        return None;
    }
    let bytes = text.as_bytes();
    let mut out = bytes.to_vec();
    let mut i = 0;
    let mut action_ranges: Vec<(usize, usize)> = Vec::new();
    while let Some(p) = memchr::memmem::find(&bytes[i..], b"{{") {
        let start = i + p;
        // A comment `{{/* … */}}` ends at `*/}}` (it may hold `}}` of commented-out actions).
        let after = bytes[start + 2..]
            .iter()
            .position(|c| !matches!(c, b'-' | b' '))
            .map_or(start + 2, |k| start + 2 + k);
        let from = if bytes[after..].starts_with(b"/*") {
            memchr::memmem::find(&bytes[after..], b"*/").map_or(start + 2, |q| after + q + 2)
        } else {
            start + 2
        };
        let end = match memchr::memmem::find(&bytes[from..], b"}}") {
            Some(q) => from + q + 2,
            None => bytes.len(),
        };
        for b in out.iter_mut().take(end).skip(start) {
            if *b != b'\n' {
                *b = b'_';
            }
        }
        action_ranges.push((start, end));
        i = end;
        if i >= bytes.len() {
            break;
        }
    }
    // Lines that are only actions (and whitespace) become comments, also the inner lines of an
    // action that spans several lines (`{{/* … */}}`, a long `{{- include … }}`).
    let mut in_action = vec![false; bytes.len()];
    for &(s, e) in &action_ranges {
        for b in in_action.iter_mut().take(e).skip(s) {
            *b = true;
        }
    }
    let mut lines: Vec<(usize, usize, bool)> = Vec::new();
    let mut line_start = 0;
    for line in text.split_inclusive('\n') {
        let line_end = line_start + line.len();
        let mut any = false;
        let only_actions = (line_start..line_end).all(|i| {
            if bytes[i].is_ascii_whitespace() {
                true
            } else {
                any = true;
                in_action[i]
            }
        });
        lines.push((line_start, line_end, any && only_actions));
        line_start = line_end;
    }
    // The comment starts at the indentation of the next line of content, so a `{{- if }}` at
    // column 0 inside a block scalar neither ends the scalar nor sets its indentation.
    let mut next_indent: Option<usize> = None;
    for &(ls, le, only) in lines.iter().rev() {
        let line = &bytes[ls..le];
        let width = line
            .iter()
            .position(|c| *c == b'\n' || *c == b'\r')
            .unwrap_or(line.len());
        if only {
            let first = (ls..le).find(|&i| in_action[i] && bytes[i] != b'\n');
            for i in ls..le {
                if in_action[i] && bytes[i] != b'\n' {
                    out[i] = b' ';
                }
            }
            let at = match next_indent {
                Some(n) if n < width => Some(ls + n),
                _ => first,
            };
            if let Some(at) = at {
                out[at] = b'#';
            }
        } else if line[..width].iter().any(|c| !c.is_ascii_whitespace()) {
            next_indent = Some(line.iter().take_while(|c| **c == b' ').count());
        }
    }
    // `key: {{- include "labels" . | nindent 4 }}` followed by deeper lines: the action renders
    // the first lines of a block, so the key's value is the block (the action is a comment).
    for &(s, e) in &action_ranges {
        let ls = text[..s].rfind('\n').map_or(0, |i| i + 1);
        let le = text[e..].find('\n').map_or(text.len(), |i| e + i);
        if !text[e..le].trim().is_empty() || !text[ls..s].trim_end().ends_with(':') {
            continue;
        }
        let indent = |l: &str| l.len() - l.trim_start_matches(' ').len();
        let key_indent = indent(&text[ls..s]);
        let next = text[le..]
            .lines()
            .skip(1)
            .find(|l| !l.trim().is_empty() && !l.trim_start().starts_with("{{"));
        if next.is_some_and(|l| indent(l) > key_indent) && !text[s..e].contains('\n') {
            out[s] = b'#';
        }
    }
    // Filler must stay valid UTF-8: only ASCII bytes were written over whole characters? No:
    // multi-byte characters inside an action were overwritten byte by byte with ASCII, which is
    // still valid UTF-8 because every byte became ASCII.
    Some(
        String::from_utf8(out)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()),
    )
}

/// A document with a quoted scalar or a flow collection continued at (or left of) its key's
/// indentation, forms `kubectl -o yaml` and PyYAML accept (`m: 'p q` / `  r.'`,
/// `PolicyDocument: !Sub '{` … `}'` closed at the key's column, `Schema: {"a": 1,` / `"b": 2}`,
/// `Resource: [` … `]`), rewritten with the same length so strict parsers take it: line breaks
/// inside multi-line quoted scalars and flow collections become spaces, comments inside flow
/// collections become spaces (scalars are read from the original text, so their folding is
/// unchanged). None when there is none.
pub fn repair_quoted(text: &str) -> Option<String> {
    let b = text.as_bytes();
    let mut out = b.to_vec();
    let mut changed = false;
    let mut i = 0;
    // Indentation of the line that opened a block scalar: its content is skipped.
    let mut block: Option<usize> = None;
    let mut line_start = true;
    let mut indent = 0;
    while i < b.len() {
        if line_start {
            indent = b[i..].iter().take_while(|c| **c == b' ').count();
            let rest = &b[i + indent..];
            let blank = rest.first().is_none_or(|c| *c == b'\n' || *c == b'\r');
            if let Some(bi) = block {
                if blank || indent > bi {
                    i = memchr::memchr(b'\n', &b[i..]).map_or(b.len(), |p| i + p + 1);
                    continue;
                }
                block = None;
            }
            line_start = false;
            i += indent;
            continue;
        }
        let c = b[i];
        match c {
            b'\n' => {
                line_start = true;
                i += 1;
            }
            b'#' if i == 0 || matches!(b[i - 1], b' ' | b'\t') => {
                i = memchr::memchr(b'\n', &b[i..]).map_or(b.len(), |p| i + p);
            }
            b'\'' | b'"' if value_start(b, i) => {
                let q = c;
                let mut j = i + 1;
                let mut lines = Vec::new();
                let mut closed = false;
                while j < b.len() {
                    match b[j] {
                        b'\\' if q == b'"' => j += 1,
                        b'\'' if q == b'\'' && b.get(j + 1) == Some(&b'\'') => j += 1,
                        x if x == q => {
                            closed = true;
                            break;
                        }
                        b'\n' => lines.push(j),
                        _ => {}
                    }
                    j += 1;
                }
                if closed && !lines.is_empty() {
                    for l in lines {
                        out[l] = b' ';
                        if l > 0 && out[l - 1] == b'\r' {
                            out[l - 1] = b' ';
                        }
                    }
                    changed = true;
                }
                i = j + 1;
            }
            b'[' | b'{' if value_start(b, i) => match flow_end(b, i) {
                Some((end, breaks, comments)) => {
                    if !breaks.is_empty() {
                        for l in breaks {
                            out[l] = b' ';
                        }
                        for (s, e) in comments {
                            out[s..e].fill(b' ');
                        }
                        changed = true;
                    }
                    i = end;
                }
                None => i += 1,
            },
            b'|' | b'>' if value_start(b, i) => {
                let eol = memchr::memchr(b'\n', &b[i..]).map_or(b.len(), |p| i + p);
                let header = &text[i + 1..eol];
                let header = header.split(" #").next().unwrap_or("").trim();
                if header
                    .bytes()
                    .all(|c| matches!(c, b'+' | b'-' | b'0'..=b'9'))
                {
                    block = Some(indent);
                }
                i = eol;
            }
            _ => i += 1,
        }
    }
    changed.then(|| {
        String::from_utf8(out)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
    })
}

/// A flow collection opened at `i`: the offset after its closing bracket, the line breaks
/// (and `\r`) inside it and the comments (start, end) inside it; None when it is not closed.
#[allow(clippy::type_complexity)]
fn flow_end(b: &[u8], i: usize) -> Option<(usize, Vec<usize>, Vec<(usize, usize)>)> {
    let mut depth = 0usize;
    let mut breaks = Vec::new();
    let mut comments = Vec::new();
    let mut j = i;
    while j < b.len() {
        match b[j] {
            b'[' | b'{' => depth += 1,
            b']' | b'}' => {
                depth -= 1;
                if depth == 0 {
                    return Some((j + 1, breaks, comments));
                }
            }
            b'\n' | b'\r' => breaks.push(j),
            b'#' if matches!(b[j - 1], b' ' | b'\t' | b'\n') => {
                let e = memchr::memchr(b'\n', &b[j..]).map_or(b.len(), |p| j + p);
                comments.push((j, e));
                j = e;
                continue;
            }
            q @ (b'\'' | b'"') if value_start(b, j) => {
                j += 1;
                while j < b.len() {
                    match b[j] {
                        b'\\' if q == b'"' => j += 1,
                        b'\'' if q == b'\'' && b.get(j + 1) == Some(&b'\'') => j += 1,
                        x if x == q => break,
                        b'\n' | b'\r' => breaks.push(j),
                        _ => {}
                    }
                    j += 1;
                }
                if j >= b.len() {
                    return None;
                }
            }
            _ => {}
        }
        j += 1;
    }
    None
}

/// Does a value start at `i` (after `key: `, `- `, `[`, `{`, `,` or at the line's indentation,
/// possibly after a tag or an anchor: `key: !Sub '…'`)?
fn value_start(b: &[u8], i: usize) -> bool {
    let mut j = i;
    while j > 0 && b[j - 1] == b' ' {
        j -= 1;
    }
    if j == 0 || b[j - 1] == b'\n' {
        return true;
    }
    match b[j - 1] {
        b'[' | b'{' | b',' => true,
        b':' => j < i,
        b'-' => j < i && (j == 1 || matches!(b[j - 2], b' ' | b'\n')),
        b'!' | b'&' => true,
        _ if j < i => {
            // A tag or anchor token before the value.
            let mut k = j;
            while k > 0 && !matches!(b[k - 1], b' ' | b'\n' | b'\t') {
                k -= 1;
            }
            matches!(b[k], b'!' | b'&') && value_start(b, k)
        }
        _ => false,
    }
}

/// Split a stream at `---` / `...` marker lines into (start, end) byte ranges of documents.
fn split_documents(text: &str) -> Vec<(usize, usize)> {
    let mut docs = Vec::new();
    let mut start = 0;
    let mut pos = 0;
    for line in text.split_inclusive('\n') {
        let l = line.trim_end_matches(['\n', '\r']);
        let is_marker = (l.starts_with("---") && (l.len() == 3 || l[3..].starts_with([' ', '\t'])))
            || l == "...";
        if is_marker {
            if pos > start {
                docs.push((start, pos));
            }
            // The marker line itself may carry content after `--- ` (rare): keep it in the next doc.
            start = if l == "..." || l.trim_end() == "---" {
                pos + line.len()
            } else {
                pos + 3
            };
        }
        pos += line.len();
    }
    if pos > start {
        docs.push((start, pos));
    }
    docs
}

/// Conservative block-nesting depth of a document.
fn block_depth(text: &str) -> usize {
    let mut stack: Vec<usize> = Vec::new();
    let mut max = 0;
    for line in text.lines() {
        let indent = line.len() - line.trim_start_matches([' ', '\t']).len();
        let rest = &line[indent..];
        if rest.is_empty() || rest.starts_with('#') {
            continue;
        }
        while stack.last().is_some_and(|&t| t >= indent) {
            stack.pop();
        }
        stack.push(indent);
        // `- - - x` opens one level per dash.
        let mut dashes = 0;
        let mut r = rest;
        while let Some(t) = r.strip_prefix("- ").or_else(|| r.strip_prefix("-\t")) {
            dashes += 1;
            r = t.trim_start();
        }
        max = max.max(stack.len() + dashes);
    }
    max
}

pub fn parse(text: &str) -> YamlParse {
    parse_with(text, true)
}

/// YAML with no template actions: `{{ … }}` is text (CloudFormation dynamic references such as
/// `{{resolve:secretsmanager:…}}`, split across `Fn::Join` items, are not Helm actions).
pub fn parse_untemplated(text: &str) -> YamlParse {
    parse_opts(text, true, false)
}

/// `fast = false` forces the tree-sitter path (tests compare both).
pub fn parse_with(text: &str, fast: bool) -> YamlParse {
    parse_opts(text, fast, true)
}

/// [`parse_untemplated`] with the path chosen (`fast = false` forces tree-sitter).
pub fn parse_untemplated_with(text: &str, fast: bool) -> YamlParse {
    parse_opts(text, fast, false)
}

fn parse_opts(text: &str, fast: bool, mask: bool) -> YamlParse {
    let masked = if mask { mask_templates(text) } else { None };
    let templated = masked.is_some();
    let src: &str = masked.as_deref().unwrap_or(text);
    let mut docs = Vec::new();
    let mut errors = Vec::new();
    let mut budget = AliasBudget::new(ALIAS_BUDGET);
    // The original text tells which scalars held a template action (with no masking there is
    // none: the fast path gets an empty original, which marks nothing); the tree-sitter path
    // also reads quoted and plain scalars from it (a repaired document joined their lines).
    let orig_of = |start: usize, end: usize| &text[start..end];
    let actions_of = |start: usize, end: usize| if mask { &text[start..end] } else { "" };
    for (start, end) in split_documents(src) {
        let part = &src[start..end];
        if part.trim().is_empty()
            || part
                .lines()
                .all(|l| l.trim().is_empty() || l.trim_start().starts_with('#'))
        {
            continue;
        }
        let lines = part.lines().count();
        if lines > MAX_DOC_LINES {
            errors.push(ParseError {
                offset: start,
                message: format!("YAML document of {lines} lines is longer than the {MAX_DOC_LINES} lines nhilint parses"),
            });
            continue;
        }
        let depth = block_depth(part);
        if depth > MAX_BLOCK_DEPTH {
            errors.push(ParseError {
                offset: start,
                message: format!("YAML nesting of {depth} levels is deeper than the {MAX_BLOCK_DEPTH} nhilint parses"),
            });
            continue;
        }
        // A document the fast path gives up on is converted again: its copies are refunded.
        let before = (budget.remaining, budget.exceeded_at);
        if let Some(root) = fast
            .then(|| super::yaml_fast::parse_doc(part, actions_of(start, end), start, &mut budget))
            .flatten()
        {
            docs.push(Document {
                root,
                span: start..end,
            });
            continue;
        }
        (budget.remaining, budget.exceeded_at) = before;
        let mut tree = PARSER.with(|p| p.borrow_mut().parse(part, None));
        let mut part = part;
        let repaired;
        if tree.as_ref().is_some_and(|t| t.root_node().has_error())
            && let Some(r) = repair_quoted(part)
        {
            repaired = r;
            let t2 = PARSER.with(|p| p.borrow_mut().parse(&repaired, None));
            if t2.as_ref().is_some_and(|t| !t.root_node().has_error()) {
                tree = t2;
                part = &repaired;
            }
        }
        let Some(tree) = tree else {
            errors.push(ParseError {
                offset: start,
                message: "YAML parser gave up".into(),
            });
            continue;
        };
        let root = tree.root_node();
        if root.has_error()
            && let Some((off, msg)) = first_error(root, part)
        {
            errors.push(ParseError {
                offset: start + off,
                message: msg,
            });
        }
        let mut cv = Conv {
            src: part,
            orig: orig_of(start, end),
            masked: mask,
            base: start,
            anchors: HashMap::new(),
            budget: &mut budget,
        };
        // stream -> document(s)
        let mut cursor = root.walk();
        let mut found = false;
        for child in root.named_children(&mut cursor) {
            if child.kind() == "document" {
                let mut c2 = child.walk();
                let body = child.named_children(&mut c2).find(|n| {
                    n.kind() != "comment"
                        && n.kind() != "yaml_directive"
                        && n.kind() != "tag_directive"
                });
                if let Some(body) = body {
                    let node = cv.node(body, 0);
                    docs.push(Document {
                        root: node,
                        span: start..end,
                    });
                    found = true;
                }
            }
        }
        if !found && !root.has_error() {
            continue;
        }
    }
    errors.extend(budget.error());
    YamlParse {
        docs,
        errors,
        templated,
    }
}

fn first_error(root: TsNode, src: &str) -> Option<(usize, String)> {
    let mut cursor = root.walk();
    let mut stack = vec![root];
    while let Some(n) = stack.pop() {
        if n.is_error() || n.is_missing() {
            let snippet: String = src
                .get(n.start_byte()..n.end_byte().min(src.len()))
                .unwrap_or("")
                .chars()
                .take(30)
                .take_while(|c| *c != '\n')
                .collect();
            let msg = if n.is_missing() {
                format!("YAML syntax error: missing `{}`", n.kind())
            } else if snippet.trim().is_empty() {
                "YAML syntax error".to_string()
            } else {
                "YAML syntax error: unexpected content here".to_string()
            };
            return Some((n.start_byte(), msg));
        }
        if n.has_error() {
            let children: Vec<_> = n.children(&mut cursor).collect();
            stack.extend(children.into_iter().rev());
        }
    }
    None
}

struct Conv<'a> {
    /// Text handed to tree-sitter (possibly masked).
    src: &'a str,
    /// Original text of the same document (for templated scalars, and the scalars of a
    /// repaired document).
    orig: &'a str,
    /// Were template actions masked (else `{{` in a scalar is text)?
    masked: bool,
    base: usize,
    /// Anchored values and their estimated copy size.
    anchors: HashMap<String, (Node, usize)>,
    budget: &'a mut AliasBudget,
}

impl Conv<'_> {
    fn span(&self, n: TsNode) -> Span {
        self.base + n.start_byte()..self.base + n.end_byte()
    }

    fn text(&self, n: TsNode) -> &str {
        super::slice(self.src, n.byte_range())
    }

    fn templated(&self, n: TsNode) -> bool {
        self.masked
            && self
                .orig
                .get(n.start_byte()..n.end_byte())
                .is_some_and(|t| t.contains("{{"))
    }

    fn node(&mut self, n: TsNode, depth: usize) -> Node {
        let span = self.span(n);
        if depth > MAX_TREE_DEPTH {
            return Node::new(span, V::Expr("<too deep>".into()));
        }
        match n.kind() {
            "block_node" | "flow_node" => {
                let mut anchor = None;
                let mut value = None;
                let mut tag = None;
                let mut cursor = n.walk();
                for c in n.named_children(&mut cursor) {
                    match c.kind() {
                        "anchor" => {
                            anchor = Some(self.text(c).trim_start_matches('&').to_string());
                        }
                        "tag" => tag = intrinsic_key(self.text(c).trim()),
                        "comment" => {}
                        _ => value = Some(c),
                    }
                }
                let node = match value {
                    Some(v) => self.node(v, depth + 1),
                    None => Node::new(span, V::Null),
                };
                let node = match tag {
                    Some(k) => wrap_intrinsic(k, node),
                    None => node,
                };
                if let Some(a) = anchor {
                    let w = AliasBudget::weight(&node, self.budget.remaining);
                    if self.budget.charge(w, node.span.start) {
                        self.anchors.insert(a, (node.clone(), w));
                    }
                }
                node
            }
            "block_mapping" | "flow_mapping" => {
                let mut entries: Vec<Entry> = Vec::new();
                let mut merges: Vec<Entry> = Vec::new();
                let mut cursor = n.walk();
                for pair in n.named_children(&mut cursor) {
                    if pair.kind() != "block_mapping_pair" && pair.kind() != "flow_pair" {
                        if pair.kind() == "flow_node" {
                            // `{a}` shorthand: key with null value
                            let k = self.node(pair, depth + 1);
                            let key = k.scalar_text().unwrap_or_default();
                            entries.push(Entry {
                                key,
                                key_span: k.span.clone(),
                                value: Node::new(k.span.end..k.span.end, V::Null),
                            });
                        }
                        continue;
                    }
                    let key_node = pair.child_by_field_name("key");
                    let val_node = pair.child_by_field_name("value");
                    let (key, key_span) = match key_node {
                        Some(k) => {
                            let kn = self.node(k, depth + 1);
                            let key = match &kn.v {
                                V::Str(s) | V::Num(s) | V::Expr(s) => s.clone(),
                                V::Bool(b) => b.to_string(),
                                V::Null => String::new(),
                                _ => self.text(k).to_string(),
                            };
                            (key, self.span(k))
                        }
                        None => (String::new(), self.span(pair)),
                    };
                    let value = match val_node {
                        Some(v) => self.node(v, depth + 1),
                        None => Node::new(key_span.end..key_span.end, V::Null),
                    };
                    if key == "<<" {
                        merge_sources(value, &mut merges);
                        continue;
                    }
                    entries.push(Entry {
                        key,
                        key_span,
                        value,
                    });
                }
                apply_merges(&mut entries, merges);
                Node::new(span, V::Map(entries))
            }
            "block_sequence" | "flow_sequence" => {
                let mut items = Vec::new();
                let mut cursor = n.walk();
                for c in n.named_children(&mut cursor) {
                    match c.kind() {
                        "block_sequence_item" => {
                            let mut c2 = c.walk();
                            let inner = c.named_children(&mut c2).find(|x| x.kind() != "comment");
                            match inner {
                                Some(i) => items.push(self.node(i, depth + 1)),
                                None => items.push(Node::new(self.span(c), V::Null)),
                            }
                        }
                        "comment" => {}
                        "flow_pair" => {
                            // `[a: b]` is a single-pair map
                            let k = c
                                .child_by_field_name("key")
                                .map(|k| self.node(k, depth + 1));
                            let v = c
                                .child_by_field_name("value")
                                .map(|v| self.node(v, depth + 1));
                            let key = k.as_ref().and_then(|k| k.scalar_text()).unwrap_or_default();
                            let key_span = k.map(|k| k.span).unwrap_or(self.span(c));
                            let value = v.unwrap_or(Node::new(key_span.end..key_span.end, V::Null));
                            items.push(Node::new(
                                self.span(c),
                                V::Map(vec![Entry {
                                    key,
                                    key_span,
                                    value,
                                }]),
                            ));
                        }
                        _ => items.push(self.node(c, depth + 1)),
                    }
                }
                Node::new(span, V::Seq(items))
            }
            "plain_scalar" => {
                if self.templated(n) {
                    return Node::new(
                        span,
                        V::Expr(super::slice(self.orig, n.byte_range()).to_string()),
                    );
                }
                // From the original text: a repaired document joined its lines.
                let t = super::slice(self.orig, n.byte_range()).trim();
                let mut cursor = n.walk();
                let kind = n
                    .named_children(&mut cursor)
                    .next()
                    .map(|c| c.kind())
                    .unwrap_or("string_scalar");
                let v = match kind {
                    "null_scalar" => V::Null,
                    "boolean_scalar" => V::Bool(matches!(t, "true" | "True" | "TRUE")),
                    "integer_scalar" | "float_scalar" => V::Num(t.to_string()),
                    _ => V::Str(fold_plain(t)),
                };
                Node::new(span, v)
            }
            "double_quote_scalar" => {
                if self.templated(n) {
                    return Node::new(
                        span,
                        V::Expr(super::slice(self.orig, n.byte_range()).to_string()),
                    );
                }
                // From the original text: a repaired document joined its lines.
                Node::new(
                    span,
                    V::Str(unescape_double(super::slice(self.orig, n.byte_range()))),
                )
            }
            "single_quote_scalar" => {
                if self.templated(n) {
                    return Node::new(
                        span,
                        V::Expr(super::slice(self.orig, n.byte_range()).to_string()),
                    );
                }
                let t = super::slice(self.orig, n.byte_range());
                let inner = t
                    .strip_prefix('\'')
                    .and_then(|s| s.strip_suffix('\''))
                    .unwrap_or(t);
                Node::new(span, V::Str(fold_flow(&inner.replace("''", "'"))))
            }
            "block_scalar" => {
                if self.templated(n) {
                    return Node::new(
                        span,
                        V::Expr(super::slice(self.orig, n.byte_range()).to_string()),
                    );
                }
                // At the end of a stream tree-sitter ends the scalar after the final newline;
                // spans end at the last content character, as everywhere else.
                let t = self.text(n);
                let span = span.start..span.start + t.trim_end().len();
                Node::new(span, V::Str(block_scalar(t)))
            }
            "alias" => {
                let name = self.text(n).trim_start_matches('*').to_string();
                match self.anchors.get(&name) {
                    Some((a, w)) if self.budget.charge(*w, span.start) => {
                        Node::new(span, a.v.clone())
                    }
                    _ => Node::new(span, V::Expr(self.text(n).to_string())),
                }
            }
            "ERROR" => Node::new(span, V::Expr(String::new())),
            _ => {
                // Unknown wrapper: descend into the first named child.
                let mut cursor = n.walk();
                let first = n
                    .named_children(&mut cursor)
                    .find(|c| c.kind() != "comment");
                match first {
                    Some(c) => self.node(c, depth + 1),
                    None => Node::new(span, V::Str(self.text(n).to_string())),
                }
            }
        }
    }
}

fn fold_plain(s: &str) -> String {
    if !s.contains('\n') {
        return s.to_string();
    }
    s.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Line folding of a multi-line quoted scalar: a line break becomes a space, `n` empty lines
/// become `n` newlines; leading and trailing white space of each line goes.
fn fold_flow(s: &str) -> String {
    if !s.contains('\n') {
        return s.to_string();
    }
    let lines: Vec<&str> = s.split('\n').collect();
    let last = lines.len() - 1;
    let mut out = String::with_capacity(s.len());
    let mut empty = 0;
    for (i, l) in lines.iter().enumerate() {
        let l = l.trim_end_matches('\r');
        let t = match i {
            0 => l.trim_end_matches([' ', '\t']),
            _ if i == last => l.trim_start_matches([' ', '\t']),
            _ => l.trim_matches([' ', '\t']),
        };
        if i > 0 && i < last && t.is_empty() {
            empty += 1;
            continue;
        }
        if i > 0 {
            if empty > 0 {
                out.extend(std::iter::repeat_n('\n', empty));
            } else {
                out.push(' ');
            }
            empty = 0;
        }
        out.push_str(t);
    }
    out
}

fn unescape_double(t: &str) -> String {
    let inner = t
        .strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .unwrap_or(t);
    let inner = fold_flow(inner);
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('0') => out.push('\0'),
            Some('"') => out.push('"'),
            Some('\\') => out.push('\\'),
            Some('/') => out.push('/'),
            Some(' ') => out.push(' '),
            Some('x') => {
                let h: String = chars.by_ref().take(2).collect();
                if let Some(c) = u32::from_str_radix(&h, 16).ok().and_then(char::from_u32) {
                    out.push(c)
                }
            }
            Some('u') => {
                let h: String = chars.by_ref().take(4).collect();
                if let Some(c) = u32::from_str_radix(&h, 16).ok().and_then(char::from_u32) {
                    out.push(c)
                }
            }
            Some(o) => {
                out.push('\\');
                out.push(o)
            }
            None => out.push('\\'),
        }
    }
    out
}

/// Content of a `|` / `>` block scalar with its indentation removed.
fn block_scalar(t: &str) -> String {
    let mut lines = t.lines();
    let header = lines.next().unwrap_or("");
    let folded = header.trim_start().starts_with('>');
    let keep = header.contains('+');
    let strip = header.contains('-');
    let body: Vec<&str> = lines.collect();
    let indent = body
        .iter()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start_matches(' ').len())
        .min()
        .unwrap_or(0);
    let stripped: Vec<&str> = body
        .iter()
        .map(|l| {
            if l.len() >= indent && l.as_bytes()[..indent].iter().all(|b| *b == b' ') {
                &l[indent..]
            } else {
                l.trim_start()
            }
        })
        .collect();
    let mut s = if folded {
        // Line folding: a break between two text lines is a space, unless either is more
        // indented; a run of empty lines between them is that many newlines (the break
        // before the run goes, between normal lines).
        let mut out = String::new();
        let mut prev_more: Option<bool> = None;
        let mut empty = 0;
        for l in &stripped {
            if l.is_empty() {
                empty += 1;
                continue;
            }
            let more = l.starts_with([' ', '\t']);
            match prev_more {
                None => out.extend(std::iter::repeat_n('\n', empty)),
                Some(p) if !p && !more => {
                    if empty == 0 {
                        out.push(' ');
                    } else {
                        out.extend(std::iter::repeat_n('\n', empty));
                    }
                }
                Some(_) => out.extend(std::iter::repeat_n('\n', empty + 1)),
            }
            empty = 0;
            prev_more = Some(more);
            out.push_str(l);
        }
        out
    } else {
        stripped.join("\n")
    };
    if !strip {
        let trimmed = s.trim_end_matches('\n').len();
        s.truncate(trimmed);
        s.push('\n');
    }
    if strip {
        let trimmed = s.trim_end_matches('\n').len();
        s.truncate(trimmed);
    }
    let _ = keep;
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multi_doc_and_spans() {
        let t = "a: 1\nb: [x, 'y']\n---\nkind: Pod\nmeta:\n  name: \"n\\u0041\"\n";
        let p = parse(t);
        assert!(p.errors.is_empty(), "{:?}", p.errors);
        assert_eq!(p.docs.len(), 2);
        let n = p.docs[1].root.path("meta.name").unwrap();
        assert_eq!(n.as_str(), Some("nA"));
        assert_eq!(&t[n.span.clone()], "\"n\\u0041\"");
    }

    #[test]
    fn helm_masked() {
        let t = "apiVersion: v1\nkind: Secret\n{{- if .Values.x }}\nmetadata:\n  name: {{ include \"x\" . }}-cfg\n  labels:\n    {{- include \"l\" . | nindent 4 }}\ndata:\n  k: {{ .Values.k | b64enc }}\n{{- end }}\n";
        let p = parse(t);
        assert!(p.errors.is_empty(), "{:?}", p.errors);
        let d = &p.docs[0].root;
        assert!(d.path("metadata.name").unwrap().is_expr());
        assert!(d.path("data.k").unwrap().is_expr());
    }

    #[test]
    fn deep_nesting_is_an_error_not_an_abort() {
        let mut t = String::new();
        for i in 0..300 {
            t.push_str(&" ".repeat(i));
            t.push_str("k:\n");
        }
        let p = parse(&t);
        assert_eq!(p.errors.len(), 1);
    }

    #[test]
    fn quoted_scalars_continued_at_the_key_indentation() {
        let t = "a:\n  m: 'p q\n  r.'\n  z: \"x\n  y\"\n  e: 'one\n\n  two'\n";
        for fast in [true, false] {
            let p = parse_with(t, fast);
            assert!(p.errors.is_empty(), "{:?}", p.errors);
            let a = p.docs[0].root.get("a").unwrap();
            assert_eq!(a.get("m").unwrap().as_str(), Some("p q r."));
            assert_eq!(a.get("z").unwrap().as_str(), Some("x y"));
            assert_eq!(a.get("e").unwrap().as_str(), Some("one\ntwo"));
            // Spans stay on the original lines.
            assert_eq!(&t[a.get("m").unwrap().span.clone()], "'p q\n  r.'");
        }
        // A quoted action spanning two lines is one templated value, no error.
        let t = "data:\n  m: '{{hub fromConfigMap \"\" \"x\"\n    | base64enc hub}}'\n  n: v\n";
        let p = parse(t);
        assert!(p.errors.is_empty(), "{:?}", p.errors);
        let d = p.docs[0].root.get("data").unwrap();
        assert!(matches!(d.get("m").unwrap().v, V::Expr(_)));
        assert_eq!(d.get("n").unwrap().as_str(), Some("v"));
    }

    /// Forms PyYAML accepts in CloudFormation templates: a tagged quoted scalar closed at its
    /// key's column, a flow mapping and a flow sequence continued at their key's column (with a
    /// comment inside). Values as PyYAML reads them, spans on the original lines.
    #[test]
    fn flow_values_continued_at_the_key_indentation() {
        let t = "R:\n  P:\n    - D: !Sub '{\n        \"a\": 1\n    }'\n      N: x\n  S: {\"t\": \"s\",\n  \"r\": [\"a\",\n  \"b\"] }\n  Q: [\n  !Ref A, # first\n  b c\n  ]\nZ: 1\n";
        let paths: [fn(&str) -> YamlParse; 2] = [
            |t| parse_opts(t, true, false),
            |t| parse_opts(t, false, false),
        ];
        for parse in paths {
            let p = parse(t);
            assert!(p.errors.is_empty(), "{:?}", p.errors);
            let r = p.docs[0].root.get("R").unwrap();
            let d = r.path("P").and_then(|n| n.as_seq()).unwrap()[0]
                .get("D")
                .unwrap();
            assert_eq!(d.path("Fn::Sub").unwrap().as_str(), Some("{ \"a\": 1 }"));
            assert_eq!(r.path("S.t").unwrap().as_str(), Some("s"));
            let rs = r.path("S.r").and_then(|n| n.as_seq()).unwrap();
            assert_eq!(rs[1].as_str(), Some("b"));
            let q = r.get("Q").and_then(|n| n.as_seq()).unwrap();
            assert_eq!(q[0].path("Ref").unwrap().as_str(), Some("A"));
            assert_eq!(q[1].as_str(), Some("b c"));
            assert_eq!(&t[q[1].span.clone()], "b c");
            assert!(p.docs[0].root.get("Z").is_some());
        }
        // Quoted scalars of a parse with no masking are read, not empty.
        let p = parse_with("a: 'x'\nb: \"y\"\n", false);
        assert_eq!(p.docs[0].root.get("a").unwrap().as_str(), Some("x"));
    }

    #[test]
    fn helm_trimmed_actions() {
        // `key: {{- include … | nindent 4 }}` followed by the rest of the block, and a
        // `{{- if }}` at column 0 as the first line of a block scalar.
        let t = "metadata:\n  labels: {{- include \"l\" . | nindent 4 }}\n    app: x\ndata:\n  cfg: |\n{{- if .Values.a }}\n    rules: []\n{{- end }}\n  other: y\n{{/*\nkind: Pod\nname: \"{{ x }}\"\n*/}}\n";
        let p = parse(t);
        assert!(p.errors.is_empty(), "{:?}", p.errors);
        let r = &p.docs[0].root;
        assert_eq!(r.path("metadata.labels.app").unwrap().as_str(), Some("x"));
        assert_eq!(r.path("data.other").unwrap().as_str(), Some("y"));
    }

    #[test]
    fn helm_multiline_actions() {
        let t = "{{- /*\nA comment\n  spanning lines\n*/ -}}\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ include \"x\"\n    . }}\n  labels:\n    {{- include \"l\" .\n      | nindent 4 }}\ndata:\n  a: b\n";
        for fast in [true, false] {
            let p = parse_with(t, fast);
            assert!(p.errors.is_empty(), "{:?}", p.errors);
            let d = &p.docs[0].root;
            assert_eq!(d.path("data.a").and_then(|n| n.as_str()), Some("b"));
            assert!(d.path("metadata.name").unwrap().is_expr());
        }
    }

    #[test]
    fn block_scalar_span_at_eof() {
        for t in ["k: |\n  a\n  b\n", "k: |\n  a\n  b\nj: 1\n"] {
            let p = parse_with(t, false);
            let n = p.docs[0].root.get("k").unwrap();
            assert_eq!(&t[n.span.clone()], "|\n  a\n  b", "{t:?}");
            assert_eq!(n.as_str(), Some("a\nb\n"));
        }
    }

    /// 10 anchors of 10 aliases each (10^10 nodes) on both paths: one budget error at the
    /// first alias that does not fit, the document kept with that alias unexpanded.
    #[test]
    fn alias_bomb_is_budgeted_on_both_paths() {
        let mut t = String::from("a0: &a0 [x, y]\n");
        for i in 1..10 {
            let items = vec![format!("*a{}", i - 1); 10].join(", ");
            t.push_str(&format!("a{i}: &a{i} [{items}]\n"));
        }
        t.push_str("after: 1\n");
        for fast in [true, false] {
            let p = parse_with(&t, fast);
            assert_eq!(p.errors.len(), 1, "fast={fast}: {:?}", p.errors);
            assert!(p.errors[0].message.starts_with(BUDGET_EXCEEDED));
            let root = &p.docs[0].root;
            assert!(root.get("after").is_some(), "fast={fast}");
            assert!(root.get("a2").is_some_and(|n| matches!(n.v, V::Seq(_))));
            let last = root.get("a9").unwrap();
            assert!(
                matches!(&last.v, V::Seq(items) if items.iter().all(|i| i.is_expr())),
                "fast={fast}"
            );
        }
    }

    /// Merge keys on both paths: a list of sources, earlier ones and the map's own keys win.
    #[test]
    fn merge_precedence_on_both_paths() {
        let t = "a: &a {x: 1, y: 1}\nb: &b {y: 2, z: 2}\nc:\n  <<: [*a, *b]\n  x: 3\n";
        for fast in [true, false] {
            let p = parse_with(t, fast);
            let c = p.docs[0].root.get("c").unwrap();
            let got: Vec<(String, String)> = c
                .entries()
                .iter()
                .map(|e| (e.key.clone(), e.value.scalar_text().unwrap_or_default()))
                .collect();
            let want = [("x", "3"), ("y", "1"), ("z", "2")];
            let want: Vec<(String, String)> = want
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
            assert_eq!(got, want, "fast={fast}");
        }
    }

    /// A CloudFormation dynamic reference split by `Fn::Join` is text, not a Helm action.
    #[test]
    fn untemplated_keeps_braces() {
        let t = "P: !Join\n  - ''\n  - - '{{resolve:secretsmanager:'\n    - !Ref S\n    - ':SecretString}}'\nQ: 1\n";
        let p = parse_untemplated(t);
        assert!(p.errors.is_empty(), "{:?}", p.errors);
        assert!(!p.templated);
        let items = p.docs[0]
            .root
            .path("P.Fn::Join")
            .and_then(|n| n.as_seq())
            .unwrap();
        let parts = items[1].as_seq().unwrap();
        assert_eq!(parts[0].as_str(), Some("{{resolve:secretsmanager:"));
        assert!(p.docs[0].root.get("Q").is_some());
    }

    #[test]
    fn anchors_and_merge() {
        let t = "base: &b\n  x: 1\nother:\n  <<: *b\n  y: 2\n";
        let p = parse(t);
        let o = p.docs[0].root.get("other").unwrap();
        assert!(o.get("x").is_some() && o.get("y").is_some());
    }
}
