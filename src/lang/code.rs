//! Application code (Python, JavaScript, TypeScript/TSX, Go, Java) through tree-sitter.
//!
//! "Parse only what a rule needs": a source rule first asks [`prefilter`] whether any of its
//! keywords occurs in the file, and only then [`parse`]s it. A parse is cached per thread (keyed
//! by path, length and text pointer), so several rules on the same file share one syntax tree.
//!
//! The tree is read through three queries per language (`grammars/<lang>/{calls,pairs,strings}.scm`)
//! into a small model: [`Call`]s (callee text, positional and keyword arguments), key/value
//! [`Pair`]s (dict entries, object properties, keyword arguments, composite-literal fields,
//! assignments) and string literals. Values are the located value tree of [`crate::lang::value`]:
//! a string literal is `V::Str`, an f-string or template with substitutions, an identifier or an
//! environment lookup is `V::Expr` (never a literal), so a rule cannot mistake `os.environ["X"]`
//! or a comment for a hard-coded value.

use crate::lang::{Entry, Node, Span, V};
use crate::source::{FileKind, SourceFile};
use std::cell::RefCell;
use std::rc::Rc;
use std::sync::OnceLock;
use tree_sitter::{Language, Parser, Query, QueryCursor, StreamingIterator, Tree};

/// Files larger than this are not parsed (generated bundles); text rules still see them.
pub const MAX_PARSE: usize = 2 * 1024 * 1024;
/// Nesting limit when converting expressions to values.
const MAX_DEPTH: usize = 48;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Lang {
    Python,
    JavaScript,
    TypeScript,
    Tsx,
    Go,
    Java,
    CSharp,
    Ruby,
    Php,
    Kotlin,
}

impl Lang {
    pub fn of(file: &SourceFile) -> Option<Lang> {
        match file.kind {
            FileKind::Python => Some(Lang::Python),
            FileKind::JavaScript => Some(Lang::JavaScript),
            FileKind::TypeScript if file.path.ends_with(".tsx") => Some(Lang::Tsx),
            FileKind::TypeScript => Some(Lang::TypeScript),
            FileKind::Go => Some(Lang::Go),
            FileKind::Java => Some(Lang::Java),
            FileKind::CSharp => Some(Lang::CSharp),
            FileKind::Ruby => Some(Lang::Ruby),
            FileKind::Php => Some(Lang::Php),
            FileKind::Kotlin => Some(Lang::Kotlin),
            _ => None,
        }
    }

    fn language(self) -> Language {
        match self {
            Lang::Python => tree_sitter_python::LANGUAGE.into(),
            Lang::JavaScript => tree_sitter_javascript::LANGUAGE.into(),
            Lang::TypeScript => tree_sitter_typescript::LANGUAGE_TYPESCRIPT.into(),
            Lang::Tsx => tree_sitter_typescript::LANGUAGE_TSX.into(),
            Lang::Go => tree_sitter_go::LANGUAGE.into(),
            Lang::Java => tree_sitter_java::LANGUAGE.into(),
            Lang::CSharp => tree_sitter_c_sharp::LANGUAGE.into(),
            Lang::Ruby => tree_sitter_ruby::LANGUAGE.into(),
            Lang::Php => tree_sitter_php::LANGUAGE_PHP.into(),
            Lang::Kotlin => tree_sitter_kotlin_ng::LANGUAGE.into(),
        }
    }

    fn index(self) -> usize {
        self as usize
    }

    /// Query sources: (calls, pairs, strings).
    fn query_sources(self) -> (&'static str, &'static str, &'static str) {
        match self {
            Lang::Python => (
                include_str!("../../grammars/python/calls.scm"),
                include_str!("../../grammars/python/pairs.scm"),
                include_str!("../../grammars/python/strings.scm"),
            ),
            Lang::JavaScript | Lang::TypeScript | Lang::Tsx => (
                include_str!("../../grammars/javascript/calls.scm"),
                include_str!("../../grammars/javascript/pairs.scm"),
                include_str!("../../grammars/javascript/strings.scm"),
            ),
            Lang::Go => (
                include_str!("../../grammars/go/calls.scm"),
                include_str!("../../grammars/go/pairs.scm"),
                include_str!("../../grammars/go/strings.scm"),
            ),
            Lang::Java => (
                include_str!("../../grammars/java/calls.scm"),
                include_str!("../../grammars/java/pairs.scm"),
                include_str!("../../grammars/java/strings.scm"),
            ),
            Lang::CSharp => (
                include_str!("../../grammars/csharp/calls.scm"),
                include_str!("../../grammars/csharp/pairs.scm"),
                include_str!("../../grammars/csharp/strings.scm"),
            ),
            Lang::Ruby => (
                include_str!("../../grammars/ruby/calls.scm"),
                include_str!("../../grammars/ruby/pairs.scm"),
                include_str!("../../grammars/ruby/strings.scm"),
            ),
            Lang::Php => (
                include_str!("../../grammars/php/calls.scm"),
                include_str!("../../grammars/php/pairs.scm"),
                include_str!("../../grammars/php/strings.scm"),
            ),
            Lang::Kotlin => (
                include_str!("../../grammars/kotlin/calls.scm"),
                include_str!("../../grammars/kotlin/pairs.scm"),
                include_str!("../../grammars/kotlin/strings.scm"),
            ),
        }
    }
}

struct Queries {
    calls: Query,
    pairs: Query,
    strings: Query,
}

fn queries(lang: Lang) -> Option<&'static Queries> {
    static CELLS: [OnceLock<Option<Queries>>; 10] = [const { OnceLock::new() }; 10];
    CELLS[lang.index()]
        .get_or_init(|| {
            let l = lang.language();
            let (c, p, s) = lang.query_sources();
            Some(Queries {
                calls: Query::new(&l, c).ok()?,
                pairs: Query::new(&l, p).ok()?,
                strings: Query::new(&l, s).ok()?,
            })
        })
        .as_ref()
}

/// A call: `callee(args…)`, `new Callee(args…)`, `recv.method(args…)`.
#[derive(Clone, Debug)]
pub struct Call {
    pub span: Span,
    /// Source text of the callee without whitespace (`boto3.client`, `jwt.verify`,
    /// `Jwts.builder().setSubject("x").compact`), at most 300 characters.
    pub callee: String,
    /// Last identifier of the callee (`client`, `verify`, `compact`, `BasicAWSCredentials`).
    pub name: String,
    pub args: Vec<Node>,
    /// Python keyword arguments (`verify=False`).
    pub kwargs: Vec<Entry>,
    /// Byte span of the argument list.
    pub args_span: Span,
}

impl Call {
    pub fn kwarg(&self, key: &str) -> Option<&Node> {
        self.kwargs.iter().find(|e| e.key == key).map(|e| &e.value)
    }

    /// Keyword argument, or else the positional argument at `pos`.
    pub fn arg(&self, key: &str, pos: usize) -> Option<&Node> {
        self.kwarg(key).or_else(|| self.args.get(pos))
    }
}

/// A key/value pair: dictionary entry, object property, keyword argument, composite-literal
/// field or assignment (key = the left-hand side text).
#[derive(Clone, Debug)]
pub struct Pair {
    pub span: Span,
    pub key: String,
    pub key_span: Span,
    pub value: Node,
    /// An entry of a literal (dictionary, hash, array, object, composite literal, keyword or
    /// named argument), not an assignment to a variable or field.
    pub entry: bool,
}

/// One parsed source file.
pub struct CodeTree {
    pub lang: Lang,
    pub tree: Tree,
    text: std::sync::Arc<str>,
    calls: OnceLock<Vec<Call>>,
    pairs: OnceLock<Vec<Pair>>,
    strings: OnceLock<Vec<Node>>,
}

type CacheEntry = (String, usize, usize, Rc<CodeTree>);

thread_local! {
    static PARSERS: RefCell<Vec<(Lang, Parser)>> = const { RefCell::new(Vec::new()) };
    static CACHE: RefCell<Option<CacheEntry>> = const { RefCell::new(None) };
}

/// Does the file contain any of the keywords (case-sensitive)? The cheap gate before parsing.
pub fn prefilter(file: &SourceFile, keywords: &[&str]) -> bool {
    let hay = file.text.as_bytes();
    keywords
        .iter()
        .any(|k| memchr::memmem::find(hay, k.as_bytes()).is_some())
}

/// The syntax tree of a code file, parsed at most once per thread for the same text.
pub fn parse(file: &SourceFile) -> Option<Rc<CodeTree>> {
    let lang = Lang::of(file)?;
    if file.text.len() > MAX_PARSE {
        return None;
    }
    let key_ptr = file.text.as_ptr() as usize;
    let cached = CACHE.with(|c| {
        c.borrow().as_ref().and_then(|(p, len, ptr, t)| {
            (*p == file.path && *len == file.text.len() && *ptr == key_ptr).then(|| t.clone())
        })
    });
    if let Some(t) = cached {
        return Some(t);
    }
    let tree = PARSERS.with(|ps| {
        let mut ps = ps.borrow_mut();
        let idx = match ps.iter().position(|(l, _)| *l == lang) {
            Some(i) => i,
            None => {
                let mut p = Parser::new();
                p.set_language(&lang.language()).ok()?;
                ps.push((lang, p));
                ps.len() - 1
            }
        };
        ps[idx].1.parse(file.text.as_bytes(), None)
    })?;
    let t = Rc::new(CodeTree {
        lang,
        tree,
        text: file.text.clone(),
        calls: OnceLock::new(),
        pairs: OnceLock::new(),
        strings: OnceLock::new(),
    });
    CACHE.with(|c| {
        *c.borrow_mut() = Some((file.path.clone(), file.text.len(), key_ptr, t.clone()));
    });
    Some(t)
}

/// Number of parses done by this thread (tests check that rules share one parse).
pub fn parse_cache_path() -> Option<String> {
    CACHE.with(|c| c.borrow().as_ref().map(|(p, ..)| p.clone()))
}

fn squash(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).take(300).collect()
}

fn last_ident(s: &str) -> String {
    let s = s.trim_end_matches(|c: char| !(c.is_alphanumeric() || c == '_' || c == '$'));
    let start = s
        .char_indices()
        .rev()
        .find(|&(_, c)| !(c.is_alphanumeric() || c == '_' || c == '$'))
        .map(|(i, c)| i + c.len_utf8())
        .unwrap_or(0);
    s[start..].to_string()
}

impl CodeTree {
    pub fn text(&self) -> &str {
        &self.text
    }

    fn node_text(&self, n: tree_sitter::Node) -> &str {
        self.text.get(n.byte_range()).unwrap_or("")
    }

    /// Every call of the file, in source order.
    pub fn calls(&self) -> &[Call] {
        self.calls.get_or_init(|| {
            let mut out = Vec::new();
            let Some(q) = queries(self.lang) else {
                return out;
            };
            let q = &q.calls;
            let (mut ci, mut ai, mut ni, mut ki) = (None, None, None, None);
            for (i, name) in q.capture_names().iter().enumerate() {
                match *name {
                    "call" => ci = Some(i as u32),
                    "args" => ai = Some(i as u32),
                    "callee" => ki = Some(i as u32),
                    "name" => ni = Some(i as u32),
                    _ => {}
                }
            }
            let mut cur = QueryCursor::new();
            let mut it = cur.matches(q, self.tree.root_node(), self.text.as_bytes());
            while let Some(m) = it.next() {
                let get = |idx: Option<u32>| {
                    idx.and_then(|i| m.captures().iter().find(|c| c.index == i).map(|c| c.node))
                };
                let (Some(call), Some(args)) = (get(ci), get(ai)) else {
                    continue;
                };
                let callee_text = match (get(ki), get(ni)) {
                    (Some(k), _) => squash(self.node_text(k)),
                    // Java method invocation: everything before the argument list.
                    (None, Some(_)) => squash(
                        self.text
                            .get(call.start_byte()..args.start_byte())
                            .unwrap_or(""),
                    ),
                    _ => continue,
                };
                let mut c = Call {
                    span: call.byte_range(),
                    name: last_ident(&callee_text),
                    callee: callee_text,
                    args: Vec::new(),
                    kwargs: Vec::new(),
                    args_span: args.byte_range(),
                };
                let mut w = args.walk();
                let mut list: Vec<tree_sitter::Node> = args.named_children(&mut w).collect();
                // Kotlin `f(x) { … }`: the trailing lambda is the last argument.
                if let Some(l) = args
                    .next_named_sibling()
                    .filter(|l| args.kind() == "value_arguments" && l.kind() == "annotated_lambda")
                {
                    list.push(l);
                }
                for a in list {
                    if a.kind().contains("comment") {
                        continue;
                    }
                    match self.argument(a) {
                        Some((Some((k, ks)), v)) => c.kwargs.push(Entry {
                            key: k,
                            key_span: ks,
                            value: self.value(v, 0),
                        }),
                        Some((None, v)) => c.args.push(self.value(v, 0)),
                        None => {}
                    }
                }
                out.push(c);
            }
            out.sort_by_key(|c| c.span.start);
            out
        })
    }

    /// Every key/value pair of the file, in source order.
    pub fn pairs(&self) -> &[Pair] {
        self.pairs.get_or_init(|| {
            let mut out = Vec::new();
            let Some(q) = queries(self.lang) else {
                return out;
            };
            let q = &q.pairs;
            let idx = |n: &str| q.capture_index_for_name(n);
            let (pi, ki, vi) = (idx("pair"), idx("key"), idx("value"));
            let mut cur = QueryCursor::new();
            let mut it = cur.matches(q, self.tree.root_node(), self.text.as_bytes());
            while let Some(m) = it.next() {
                let get = |idx: Option<u32>| {
                    idx.and_then(|i| m.captures().iter().find(|c| c.index == i).map(|c| c.node))
                };
                let (Some(p), Some(k), Some(v)) = (get(pi), get(ki), get(vi)) else {
                    continue;
                };
                let key = match self.value(k, MAX_DEPTH - 1).v {
                    V::Str(s) => s,
                    _ => squash(self.node_text(k)),
                };
                let entry = !matches!(
                    p.kind(),
                    "assignment"
                        | "assignment_expression"
                        | "assignment_statement"
                        | "short_var_declaration"
                        | "var_spec"
                        | "const_spec"
                        | "variable_declarator"
                        | "property_declaration"
                        | "const_element"
                        | "property_element"
                );
                out.push(Pair {
                    span: p.byte_range(),
                    key,
                    key_span: k.byte_range(),
                    value: self.value(v, 0),
                    entry,
                });
            }
            out.sort_by_key(|p| p.span.start);
            out
        })
    }

    /// Every string literal of the file (`V::Str`; interpolated strings are `V::Expr`).
    pub fn strings(&self) -> &[Node] {
        self.strings.get_or_init(|| {
            let mut out = Vec::new();
            let Some(q) = queries(self.lang) else {
                return out;
            };
            let mut cur = QueryCursor::new();
            let mut it = cur.captures(&q.strings, self.tree.root_node(), self.text.as_bytes());
            while let Some((m, i)) = it.next() {
                let n = m.captures()[*i].node;
                out.push(self.value(n, MAX_DEPTH - 1));
            }
            out
        })
    }

    /// Convert an expression node into a located value.
    pub fn value(&self, n: tree_sitter::Node, depth: usize) -> Node {
        let span = n.byte_range();
        let text = self.node_text(n);
        let expr = || Node::new(span.clone(), V::Expr(text.chars().take(500).collect()));
        if depth >= MAX_DEPTH {
            return expr();
        }
        let kind = n.kind();
        match kind {
            "string"
            | "template_string"
            | "interpreted_string_literal"
            | "raw_string_literal"
            | "string_literal"
            | "verbatim_string_literal"
            | "interpolated_string_expression"
            | "encapsed_string" => match string_literal(n, text, self.lang) {
                Some(s) => Node::new(span, V::Str(s)),
                None => expr(),
            },
            // Python implicit concatenation `"a" "b"`.
            "concatenated_string" => {
                let mut s = String::new();
                let mut w = n.walk();
                for c in n.named_children(&mut w) {
                    match self.value(c, depth + 1).v {
                        V::Str(p) => s.push_str(&p),
                        _ => return expr(),
                    }
                }
                Node::new(span, V::Str(s))
            }
            "true" => Node::new(span, V::Bool(true)),
            "false" => Node::new(span, V::Bool(false)),
            "none" | "null" | "nil" | "undefined" | "null_literal" => Node::new(span, V::Null),
            // C# `boolean_literal`, PHP `boolean` (any case); Kotlin reads `true`/`null` as identifiers.
            "boolean_literal" | "boolean" | "identifier" if text.eq_ignore_ascii_case("true") => {
                Node::new(span, V::Bool(true))
            }
            "boolean_literal" | "boolean" | "identifier" if text.eq_ignore_ascii_case("false") => {
                Node::new(span, V::Bool(false))
            }
            "identifier" if text == "null" && self.lang == Lang::Kotlin => Node::new(span, V::Null),
            // Ruby `:none` (a symbol is a literal name).
            "simple_symbol" | "hash_key_symbol" => {
                Node::new(span, V::Str(text.trim_start_matches(':').to_string()))
            }
            "integer"
            | "float"
            | "number"
            | "int_literal"
            | "float_literal"
            | "decimal_integer_literal"
            | "decimal_floating_point_literal"
            | "integer_literal"
            | "real_literal"
            | "number_literal" => Node::new(
                span,
                V::Num(
                    text.replace('_', "")
                        .trim_end_matches(['L', 'l'])
                        .to_string(),
                ),
            ),
            "literal_element" | "parenthesized_expression" => match n.named_child(0) {
                Some(c) if n.named_child_count() == 1 => self.value(c, depth + 1),
                _ => expr(),
            },
            "list" | "tuple" | "array" | "set" | "collection_expression" => {
                let mut items = Vec::new();
                let mut w = n.walk();
                for c in n.named_children(&mut w) {
                    if c.kind() != "comment" {
                        items.push(self.value(c, depth + 1));
                    }
                }
                Node::new(span, V::Seq(items))
            }
            // Ruby `{ sub: 1, "exp" => t }`.
            "dictionary" | "object" | "hash" => {
                let mut entries = Vec::new();
                let mut w = n.walk();
                for c in n.named_children(&mut w) {
                    if c.kind() == "pair"
                        && let (Some(k), Some(v)) =
                            (c.child_by_field_name("key"), c.child_by_field_name("value"))
                    {
                        entries.push(self.entry(k, v, depth));
                    } else if c.kind() == "shorthand_property_identifier" {
                        entries.push(Entry {
                            key: self.node_text(c).to_string(),
                            key_span: c.byte_range(),
                            value: expr_node(c.byte_range(), self.node_text(c)),
                        });
                    }
                }
                Node::new(span, V::Map(entries))
            }
            // PHP `['verify' => false]` (a map when any element has a key) and `[a, b]`.
            "array_creation_expression" if self.lang == Lang::Php => {
                let mut entries = Vec::new();
                let mut items = Vec::new();
                let mut w = n.walk();
                for c in n.named_children(&mut w) {
                    if c.kind() != "array_element_initializer" {
                        continue;
                    }
                    let mut cw = c.walk();
                    let parts: Vec<_> = c.named_children(&mut cw).collect();
                    match parts.as_slice() {
                        [k, v] => entries.push(self.entry(*k, *v, depth)),
                        [v] => items.push(self.value(*v, depth + 1)),
                        _ => {}
                    }
                }
                if entries.is_empty() {
                    Node::new(span, V::Seq(items))
                } else {
                    Node::new(span, V::Map(entries))
                }
            }
            // C# `{ A = 1 }` (object initializer), `{ { "k", v }, ["k"] = v }` (dictionary),
            // `{ a, b }` (array or list).
            "initializer_expression" => {
                let mut entries = Vec::new();
                let mut items = Vec::new();
                let mut w = n.walk();
                for c in n.named_children(&mut w) {
                    match c.kind() {
                        "assignment_expression" => {
                            if let (Some(k), Some(v)) = (
                                c.child_by_field_name("left"),
                                c.child_by_field_name("right"),
                            ) {
                                let k = if k.kind() == "element_binding_expression" {
                                    k.named_child(0)
                                        .map(|a| a.named_child(0).unwrap_or(a))
                                        .unwrap_or(k)
                                } else {
                                    k
                                };
                                entries.push(self.entry(k, v, depth));
                            }
                        }
                        "initializer_expression" if c.named_child_count() == 2 => {
                            if let (Some(k), Some(v)) = (c.named_child(0), c.named_child(1)) {
                                entries.push(self.entry(k, v, depth));
                            }
                        }
                        k if k.contains("comment") => {}
                        _ => items.push(self.value(c, depth + 1)),
                    }
                }
                if entries.is_empty() {
                    Node::new(span, V::Seq(items))
                } else {
                    Node::new(span, V::Map(entries))
                }
            }
            // C# `new[] { a, b }`, `new string[] { … }`.
            "implicit_array_creation_expression" | "array_creation_expression"
                if self.lang == Lang::CSharp =>
            {
                match n.child_by_field_name("initializer") {
                    Some(i) => self.value(i, depth + 1),
                    None => expr(),
                }
            }
            // C# `new { sub = "x", exp = t }`.
            "anonymous_object_creation_expression" => {
                let mut entries = Vec::new();
                let mut w = n.walk();
                let parts: Vec<_> = n.named_children(&mut w).collect();
                let mut i = 0;
                while i < parts.len() {
                    let c = parts[i];
                    let eq = c
                        .next_sibling()
                        .is_some_and(|s| !s.is_named() && self.node_text(s) == "=");
                    if c.kind() == "identifier" && eq && i + 1 < parts.len() {
                        entries.push(self.entry(c, parts[i + 1], depth));
                        i += 2;
                    } else {
                        i += 1;
                    }
                }
                Node::new(span, V::Map(entries))
            }
            "composite_literal" => {
                let Some(body) = n.child_by_field_name("body") else {
                    return expr();
                };
                let mut entries = Vec::new();
                let mut items = Vec::new();
                let mut w = body.walk();
                for c in body.named_children(&mut w) {
                    if c.kind() == "keyed_element"
                        && let (Some(k), Some(v)) =
                            (c.child_by_field_name("key"), c.child_by_field_name("value"))
                    {
                        entries.push(self.entry(k, v, depth));
                    } else if c.kind() != "comment" {
                        items.push(self.value(c, depth + 1));
                    }
                }
                if entries.is_empty() && !items.is_empty() {
                    Node::new(span, V::Seq(items))
                } else {
                    Node::new(span, V::Map(entries))
                }
            }
            // Go `[]byte("k")`, `string(b)`.
            "type_conversion_expression" => {
                let ty = n
                    .child_by_field_name("type")
                    .map(|t| squash(self.node_text(t)))
                    .unwrap_or_default();
                match n.child_by_field_name("operand") {
                    Some(o) => Node::new(span, V::Call(ty, vec![self.value(o, depth + 1)])),
                    None => expr(),
                }
            }
            "unary_expression" if text.starts_with('&') => match n.named_child(0) {
                Some(c) => self.value(c, depth + 1),
                None => expr(),
            },
            "call" if self.lang == Lang::Ruby => self.call_value(n, depth),
            "call_expression" if self.lang == Lang::Kotlin => self.call_value(n, depth),
            "object_creation_expression" if self.lang == Lang::Php => self.call_value(n, depth),
            "invocation_expression"
            | "function_call_expression"
            | "member_call_expression"
            | "nullsafe_member_call_expression"
            | "scoped_call_expression" => self.call_value(n, depth),
            "call"
            | "call_expression"
            | "new_expression"
            | "method_invocation"
            | "object_creation_expression" => {
                let object = (kind == "method_invocation")
                    .then(|| n.child_by_field_name("object"))
                    .flatten()
                    .map(|o| format!("{}.", squash(self.node_text(o))))
                    .unwrap_or_default();
                let callee = n
                    .child_by_field_name("function")
                    .or_else(|| n.child_by_field_name("constructor"))
                    .or_else(|| n.child_by_field_name("type"))
                    .or_else(|| n.child_by_field_name("name"))
                    .map(|c| format!("{object}{}", squash(self.node_text(c))))
                    .unwrap_or_default();
                let mut args = Vec::new();
                if let Some(a) = n.child_by_field_name("arguments") {
                    let mut w = a.walk();
                    for c in a.named_children(&mut w) {
                        if let Some((_, v)) = self.argument(c) {
                            args.push(self.value(v, depth + 1));
                        }
                    }
                }
                // C# `new X(...) { A = 1 }`: the initializer is one more argument.
                if let Some(i) = n.child_by_field_name("initializer") {
                    args.push(self.value(i, depth + 1));
                }
                Node::new(span, V::Call(callee, args))
            }
            _ => expr(),
        }
    }

    /// The value a node stands for, following local data flow: an identifier (`verify`,
    /// `self.key`, `KEY`) is replaced by the value of its nearest assignment or declaration
    /// before it in the file (else the first one after it: class constants), and byte
    /// conversions of a value (`KEY.getBytes(UTF_8)`, `"k".encode()`, `[]byte(k)`,
    /// `Buffer.from(k)`, `bytes(k, "utf-8")`) are looked through. At most four steps.
    pub fn resolve(&self, n: &Node) -> Node {
        let mut cur = n.clone();
        for _ in 0..4 {
            let next = match &cur.v {
                V::Expr(e) => self.definition(e.trim(), cur.span.start),
                V::Call(callee, args) => {
                    let base = [
                        "getBytes",
                        "encode",
                        "toByteArray",
                        "toCharArray",
                        "getBytes()",
                    ]
                    .iter()
                    .find_map(|m| callee.strip_suffix(&format!(".{m}")));
                    match base {
                        Some(recv) => match string_literal_text(recv) {
                            Some(s) => Some(Node::new(cur.span.clone(), V::Str(s))),
                            None => self.definition(recv, cur.span.start),
                        },
                        // C# `Encoding.UTF8.GetBytes(k)`.
                        None if callee.starts_with("Encoding.")
                            && callee.ends_with(".GetBytes") =>
                        {
                            args.first().cloned()
                        }
                        None if matches!(
                            callee.as_str(),
                            "[]byte"
                                | "bytes"
                                | "bytearray"
                                | "Buffer.from"
                                | "str"
                                | "string"
                                | "String"
                                | "new String"
                                | "TextEncoder().encode"
                        ) =>
                        {
                            args.first().cloned()
                        }
                        None => None,
                    }
                }
                _ => None,
            };
            match next {
                Some(x) => cur = x,
                None => break,
            }
        }
        cur
    }

    /// The value assigned to `name` (an identifier, `self.x`, `this.x`): the nearest assignment
    /// before `at`, else the first one in the file.
    fn definition(&self, name: &str, at: usize) -> Option<Node> {
        let member = strip_self(name) != name;
        let name = strip_self(name);
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_alphanumeric() || c == '_' || c == '$' || c == '@')
        {
            return None;
        }
        let key_of = |k: &str| -> bool { strip_self(k) == name };
        // Same function as the use, or module / class level (constants).
        let scope = self.function_at(at);
        // A parameter of the function hides module-level names (`function f($key)`).
        let param = !member && self.is_parameter(name, at);
        let defs: Vec<&Pair> = self
            .pairs()
            .iter()
            .filter(|p| key_of(&p.key) && !(p.span.start <= at && at < p.span.end))
            .filter(|p| {
                let f = self.function_at(p.span.start);
                (f.is_none() && !param) || f == scope
            })
            .collect();
        defs.iter()
            .filter(|p| p.span.start < at)
            .max_by_key(|p| p.span.start)
            .or_else(|| defs.first())
            .map(|p| p.value.clone())
    }

    /// Is `name` a parameter of the innermost function around byte `at`?
    fn is_parameter(&self, name: &str, at: usize) -> bool {
        let Some(f) = self.function_node_at(at) else {
            return false;
        };
        let params = f.child_by_field_name("parameters").or_else(|| {
            let mut w = f.walk();
            f.named_children(&mut w)
                .find(|c| c.kind().contains("parameter"))
        });
        params.is_some_and(|p| {
            self.node_text(p)
                .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '$'))
                .any(|w| w == name)
        })
    }

    /// Start byte of the innermost function, method or lambda around byte `at`.
    fn function_at(&self, at: usize) -> Option<usize> {
        self.function_node_at(at).map(|n| n.start_byte())
    }

    /// Name of the innermost named function or method around byte `at`
    /// (`GetPrincipalFromExpiredToken`).
    pub fn function_name_at(&self, at: usize) -> Option<&str> {
        let mut n = self.function_node_at(at)?;
        loop {
            if let Some(name) = n.child_by_field_name("name") {
                return Some(self.node_text(name));
            }
            n = n.parent()?;
            while !is_function(n.kind()) {
                n = n.parent()?;
            }
        }
    }

    fn function_node_at(&self, at: usize) -> Option<tree_sitter::Node<'_>> {
        let mut n = self.tree.root_node().descendant_for_byte_range(at, at)?;
        loop {
            if is_function(n.kind()) {
                return Some(n);
            }
            n = n.parent()?;
        }
    }

    /// Identifier-like leaves (`identifier`, `field_identifier`, `property_identifier`,
    /// `type_identifier`) whose text is one of `names`, with their span and their parent's text
    /// (`AuthorizationGrantType.PASSWORD`). Comments and strings are never identifiers.
    pub fn identifiers(&self, names: &[&str]) -> Vec<(String, Span, String)> {
        let mut out = Vec::new();
        let mut cur = self.tree.walk();
        loop {
            let n = cur.node();
            if n.child_count() == 0
                && matches!(
                    n.kind(),
                    "identifier"
                        | "field_identifier"
                        | "property_identifier"
                        | "type_identifier"
                        | "constant"
                        | "name"
                )
            {
                let t = self.node_text(n);
                if names.contains(&t) {
                    let parent = n
                        .parent()
                        .map(|p| squash(self.node_text(p)))
                        .unwrap_or_default();
                    out.push((t.to_string(), n.byte_range(), parent));
                }
            }
            if cur.goto_first_child() {
                continue;
            }
            loop {
                if cur.goto_next_sibling() {
                    break;
                }
                if !cur.goto_parent() {
                    return out;
                }
            }
        }
    }

    /// Methods named `name` whose body is empty (only comments; Kotlin `= Unit`), e.g. a
    /// trust-all `checkServerTrusted` (Java, Kotlin, C#). Returns the method name spans.
    pub fn empty_methods(&self, name: &str) -> Vec<Span> {
        let mut out = Vec::new();
        for (_, span, _) in self.identifiers(&[name]) {
            let Some(id) = self
                .tree
                .root_node()
                .descendant_for_byte_range(span.start, span.end)
            else {
                continue;
            };
            let Some(m) = id.parent().filter(|p| {
                matches!(
                    p.kind(),
                    "method_declaration" | "function_declaration" | "method"
                )
            }) else {
                continue;
            };
            let body = m.child_by_field_name("body").or_else(|| {
                let mut w = m.walk();
                m.named_children(&mut w)
                    .find(|c| c.kind() == "function_body")
            });
            let Some(mut body) = body else {
                continue;
            };
            // Kotlin `function_body` holds a block, or `= Unit`.
            if body.kind() == "function_body" {
                match body.named_child(0) {
                    Some(b) if b.kind() == "block" => body = b,
                    Some(e) if self.node_text(e) == "Unit" => {
                        out.push(span);
                        continue;
                    }
                    Some(_) => continue,
                    None => {}
                }
            }
            let mut w = body.walk();
            if body
                .named_children(&mut w)
                .all(|c| c.kind().contains("comment"))
            {
                out.push(span);
            }
        }
        out
    }

    /// One element of an argument list: `(keyword, value)` for keyword and named arguments
    /// (Python `verify=False`, C# `verify: false`, PHP 8 `verify: false`, Kotlin
    /// `verify = false`, Ruby `verify: false`), `(None, value)` for positional ones; `None` for
    /// punctuation, comments, splats and block arguments.
    fn argument<'a>(
        &self,
        a: tree_sitter::Node<'a>,
    ) -> Option<(Option<(String, Span)>, tree_sitter::Node<'a>)> {
        let named = |k: tree_sitter::Node, v: tree_sitter::Node<'a>| {
            let key = self.node_text(k).trim_end_matches(':').to_string();
            Some((Some((key, k.byte_range())), v))
        };
        match a.kind() {
            k if k.contains("comment") => None,
            "keyword_argument" => named(
                a.child_by_field_name("name")?,
                a.child_by_field_name("value")?,
            ),
            // Ruby keyword arguments and `"k" => v` in a call are hash entries.
            "pair" if self.lang == Lang::Ruby => named(
                a.child_by_field_name("key")?,
                a.child_by_field_name("value")?,
            ),
            "block_argument" | "splat_argument" | "hash_splat_argument" | "variadic_unpacking" => {
                None
            }
            // C# and PHP: `argument` wraps the expression, with an optional `name:`.
            "argument" => {
                let v = last_named(a)?;
                match a.child_by_field_name("name") {
                    Some(k) if k.id() != v.id() => named(k, v),
                    _ => Some((None, v)),
                }
            }
            // Kotlin: `value_argument` is `[name =] expression`.
            "value_argument" => {
                let v = last_named(a)?;
                let has_eq = {
                    let mut w = a.walk();
                    a.children(&mut w)
                        .any(|c| !c.is_named() && self.node_text(c) == "=")
                };
                match a.named_child(0) {
                    Some(k) if has_eq && k.id() != v.id() => named(k, v),
                    _ => Some((None, v)),
                }
            }
            // Kotlin trailing lambda.
            "annotated_lambda" => Some((None, last_named(a)?)),
            _ => Some((None, a)),
        }
    }

    /// A call of C#, Ruby, PHP or Kotlin as a value: callee text and positional arguments (a
    /// Kotlin `mapOf("k" to v)` is a map, `listOf(…)` a list).
    fn call_value(&self, n: tree_sitter::Node, depth: usize) -> Node {
        let span = n.byte_range();
        let args_node = n.child_by_field_name("arguments").or_else(|| {
            let mut w = n.walk();
            n.named_children(&mut w).find(|c| {
                matches!(
                    c.kind(),
                    "arguments" | "value_arguments" | "argument_list" | "annotated_lambda"
                )
            })
        });
        // Ruby `obj.attr` (no arguments, no block) reads an attribute: not a call value.
        if self.lang == Lang::Ruby
            && args_node.is_none()
            && n.child_by_field_name("block").is_none()
        {
            return Node::new(span, V::Expr(self.node_text(n).chars().take(500).collect()));
        }
        let callee = match self.lang {
            // `Foo::Bar.new(...)` → `Foo::Bar`, like `new X(...)` elsewhere.
            Lang::Ruby => {
                let recv = n
                    .child_by_field_name("receiver")
                    .map(|r| squash(self.node_text(r)));
                let method = n.child_by_field_name("method").map(|m| self.node_text(m));
                match (recv, method) {
                    (Some(r), Some("new")) => r,
                    (Some(r), Some(m)) => format!("{r}.{m}"),
                    (None, Some(m)) => m.to_string(),
                    _ => String::new(),
                }
            }
            _ => {
                let end = args_node.map(|a| a.start_byte()).unwrap_or(n.end_byte());
                let t = self.text.get(n.start_byte()..end).unwrap_or("");
                squash(t.trim_start().strip_prefix("new ").unwrap_or(t))
            }
        };
        let mut args = Vec::new();
        let mut entries = Vec::new();
        if let Some(a) = args_node {
            let mut w = a.walk();
            let mut list: Vec<tree_sitter::Node> = a.named_children(&mut w).collect();
            if a.kind() == "annotated_lambda" {
                list = vec![a];
            } else if let Some(l) = a
                .next_named_sibling()
                .filter(|l| l.kind() == "annotated_lambda")
            {
                list.push(l);
            }
            for c in list {
                if let Some((_, v)) = self.argument(c) {
                    if v.kind() == "infix_expression"
                        && v.named_child_count() == 3
                        && let (Some(k), Some(op), Some(val)) =
                            (v.named_child(0), v.named_child(1), v.named_child(2))
                        && self.node_text(op) == "to"
                    {
                        entries.push(self.entry(k, val, depth));
                        continue;
                    }
                    args.push(self.value(v, depth + 1));
                }
            }
        }
        if self.lang == Lang::Kotlin && (callee.ends_with("mapOf") || callee.ends_with("MapOf")) {
            return Node::new(span, V::Map(entries));
        }
        if self.lang == Lang::Kotlin
            && matches!(
                callee.as_str(),
                "listOf" | "arrayOf" | "setOf" | "mutableListOf" | "mutableSetOf"
            )
        {
            return Node::new(span, V::Seq(args));
        }
        Node::new(span, V::Call(callee, args))
    }

    /// Does this value (a lambda, delegate or anonymous function) accept everything: a body
    /// that is only `true` or `return true` (`(h, s) -> true`, `{ _, _ -> true }`,
    /// `(a, b, c, d) => true`, `delegate { return true; }`)? Used for hostname verifiers and
    /// certificate validation callbacks.
    pub fn always_true(&self, n: &Node) -> bool {
        let t = squash(self.text.get(n.span.clone()).unwrap_or(""));
        let t = t.strip_suffix(')').map(|x| x.to_string()).unwrap_or(t);
        let lambda = t.contains("->")
            || t.contains("=>")
            || t.starts_with("delegate")
            || t.starts_with("function(");
        lambda
            && [
                "->true",
                "->true}",
                "=>true",
                "{returntrue;}",
                "{returntrue}",
                "->{returntrue;}",
                "returntrue;}",
            ]
            .iter()
            .any(|e| t.ends_with(e))
    }

    fn entry(&self, k: tree_sitter::Node, v: tree_sitter::Node, depth: usize) -> Entry {
        let key = match self.value(k, depth + 1).v {
            V::Str(s) => s,
            _ => squash(self.node_text(k)),
        };
        Entry {
            key,
            key_span: k.byte_range(),
            value: self.value(v, depth + 1),
        }
    }
}

fn expr_node(span: Span, text: &str) -> Node {
    Node::new(span, V::Expr(text.to_string()))
}

/// The content of a string literal node, or `None` when it interpolates (`f"{x}"`, `` `${x}` ``).
fn string_literal(n: tree_sitter::Node, text: &str, lang: Lang) -> Option<String> {
    let mut w = n.walk();
    if n.named_children(&mut w).any(|c| match c.kind() {
        "interpolation" | "template_substitution" | "format_expression" => true,
        // PHP "…{$x}…" / "…$x…": anything but text and escapes is an interpolation.
        "string_content" | "string_value" | "escape_sequence" | "string_literal_content" => false,
        _ => lang == Lang::Php && n.kind() == "encapsed_string",
    }) {
        return None;
    }
    // Kotlin "$name" templates are plain string content in the grammar.
    if lang == Lang::Kotlin {
        let b = text.as_bytes();
        if b.windows(2)
            .any(|w| w[0] == b'$' && (w[1] == b'{' || w[1].is_ascii_alphabetic() || w[1] == b'_'))
        {
            return None;
        }
    }
    // Strip a prefix (Python r, b, u, f, rb…; C# @, $) and the quotes (1 or 3).
    let t = text.trim_start_matches(|c: char| c.is_ascii_alphabetic() || c == '@' || c == '$');
    let q = t.chars().next()?;
    if !matches!(q, '"' | '\'' | '`') {
        return None;
    }
    let triple: String = std::iter::repeat_n(q, 3).collect();
    let inner = if t.len() >= 6 && t.starts_with(&triple) && t.ends_with(&triple) {
        &t[3..t.len() - 3]
    } else if t.len() >= 2 && t.ends_with(q) {
        &t[1..t.len() - 1]
    } else {
        return None;
    };
    Some(inner.to_string())
}

/// Functions, methods and lambdas: the scopes of local data flow (Ruby blocks and Kotlin
/// lambdas passed to builders are not scopes: they see the method's variables).
fn is_function(kind: &str) -> bool {
    matches!(
        kind,
        "function_definition"
            | "function_declaration"
            | "method_declaration"
            | "constructor_declaration"
            | "func_literal"
            | "arrow_function"
            | "function_expression"
            | "function"
            | "method_definition"
            | "lambda"
            | "lambda_expression"
            | "generator_function_declaration"
            | "local_function_statement"
            | "anonymous_method_expression"
            | "method"
            | "singleton_method"
            | "anonymous_function"
            | "anonymous_function_creation_expression"
            | "secondary_constructor"
    )
}

fn last_named(n: tree_sitter::Node) -> Option<tree_sitter::Node> {
    n.named_child(n.named_child_count().checked_sub(1)? as u32)
}

/// `self.x`, `this.x`, `$this->x`, `self::X`, `static::X`, `Self.X` → the member name.
fn strip_self(name: &str) -> &str {
    ["self.", "this.", "$this->", "self::", "static::", "Self."]
        .iter()
        .find_map(|p| name.strip_prefix(p))
        .unwrap_or(name)
}

/// `"abc"` / `'abc'` (source text of a plain literal) → `abc`.
fn string_literal_text(t: &str) -> Option<String> {
    let t = t.trim();
    let q = t.chars().next()?;
    (matches!(q, '"' | '\'' | '`') && t.len() >= 2 && t.ends_with(q))
        .then(|| t[1..t.len() - 1].to_string())
        .filter(|s| !s.contains(q))
}

/// A string literal value of a node (`V::Str`) with its span.
pub fn lit(n: &Node) -> Option<&str> {
    match &n.v {
        V::Str(s) => Some(s),
        _ => None,
    }
}

/// The source text of an unevaluated expression (`V::Expr`).
pub fn expr(n: &Node) -> Option<&str> {
    match &n.v {
        V::Expr(e) => Some(e),
        _ => None,
    }
}

pub fn is_false(n: &Node) -> bool {
    matches!(n.v, V::Bool(false))
        || matches!(&n.v, V::Num(s) if s == "0")
        || matches!(&n.v, V::Str(s) if s == "0" || s.eq_ignore_ascii_case("false"))
}

pub fn is_true(n: &Node) -> bool {
    matches!(n.v, V::Bool(true))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(path: &str, code: &str) -> Rc<CodeTree> {
        parse(&SourceFile::new(path, code)).expect("parses")
    }

    #[test]
    fn python_calls_and_values() {
        let t = tree(
            "a.py",
            "import os\n# boto3.client(aws_access_key_id=\"AKIA\")\ns = boto3.client('s3', aws_access_key_id=\"AKIAX\", aws_secret_access_key=os.environ['K'], verify=False)\nx = f\"{a}\"\n",
        );
        let c = t.calls().iter().find(|c| c.name == "client").unwrap();
        assert_eq!(c.callee, "boto3.client");
        assert_eq!(lit(c.kwarg("aws_access_key_id").unwrap()), Some("AKIAX"));
        assert!(lit(c.kwarg("aws_secret_access_key").unwrap()).is_none());
        assert!(is_false(c.kwarg("verify").unwrap()));
        // the comment is not a call
        assert_eq!(t.calls().iter().filter(|c| c.name == "client").count(), 1);
        assert!(t.strings().iter().any(|s| matches!(s.v, V::Expr(_))));
    }

    #[test]
    fn js_go_java_models() {
        let t = tree(
            "a.ts",
            "const s3 = new S3({ credentials: { accessKeyId: 'AKIA1', secretAccessKey: `s${x}` } });\n",
        );
        let p = t.pairs().iter().find(|p| p.key == "accessKeyId").unwrap();
        assert_eq!(lit(&p.value), Some("AKIA1"));
        let p = t
            .pairs()
            .iter()
            .find(|p| p.key == "secretAccessKey")
            .unwrap();
        assert!(lit(&p.value).is_none());
        let g = tree(
            "a.go",
            "package m\nvar c = &tls.Config{InsecureSkipVerify: true}\nvar p = credentials.NewStaticCredentialsProvider(\"AKIA\", `s`, \"\")\n",
        );
        assert!(is_true(
            &g.pairs()
                .iter()
                .find(|p| p.key == "InsecureSkipVerify")
                .unwrap()
                .value
        ));
        assert_eq!(g.calls()[0].name, "NewStaticCredentialsProvider");
        let j = tree(
            "A.java",
            "class A { void f() { String t = Jwts.builder().setSubject(\"x\").compact(); } }",
        );
        let c = j.calls().iter().find(|c| c.name == "compact").unwrap();
        assert!(c.callee.contains("setSubject"), "{}", c.callee);
    }

    #[test]
    fn local_data_flow() {
        let t = tree(
            "a.py",
            "verify = False\nclaims = {'sub': 'x'}\nrequests.get(u, verify=verify)\njwt.encode(claims, 'k')\n",
        );
        let c = t.calls().iter().find(|c| c.name == "get").unwrap();
        assert!(is_false(&t.resolve(c.kwarg("verify").unwrap())));
        let e = t.calls().iter().find(|c| c.name == "encode").unwrap();
        assert!(matches!(t.resolve(&e.args[0]).v, V::Map(_)));
        let j = tree(
            "A.java",
            "class A { static final String K = \"k3y\"; void f() { byte[] b = K.getBytes(UTF_8); new SecretKeySpec(b, \"AES\"); } }",
        );
        let c = j
            .calls()
            .iter()
            .find(|c| c.name == "SecretKeySpec")
            .unwrap();
        assert_eq!(lit(&j.resolve(&c.args[0])), Some("k3y"));
        let g = tree(
            "a.go",
            "package m\nfunc f() {\n\ttr := &http.Transport{}\n\ttr.TLSClientConfig.InsecureSkipVerify = true\n\tkey := []byte(\"s3cr3tk3y\")\n\ttok.SignedString(key)\n}\n",
        );
        assert!(
            g.pairs()
                .iter()
                .any(|p| p.key.ends_with(".InsecureSkipVerify") && is_true(&p.value))
        );
        let c = g.calls().iter().find(|c| c.name == "SignedString").unwrap();
        assert_eq!(lit(&g.resolve(&c.args[0])), Some("s3cr3tk3y"));
    }

    /// `NHILINT_DUMP=path cargo test --lib dump_tree -- --nocapture` prints a file's syntax tree
    /// (`field: kind "text"`) and its model, for writing the queries of a new language.
    #[test]
    fn dump_tree() {
        let Ok(p) = std::env::var("NHILINT_DUMP") else {
            return;
        };
        let text = std::fs::read_to_string(&p).unwrap();
        let t = tree(&p, &text);
        fn walk(t: &CodeTree, n: tree_sitter::Node, field: &str, d: usize) {
            let txt: String = t.node_text(n).chars().take(50).collect();
            println!("{}{field}{} {txt:?}", "  ".repeat(d), n.kind());
            for i in 0..n.child_count() {
                let f = n.field_name_for_child(i).map(|f| format!("{f}: "));
                walk(t, n.child(i).unwrap(), &f.unwrap_or_default(), d + 1);
            }
        }
        walk(&t, t.tree.root_node(), "", 0);
        for c in t.calls() {
            println!(
                "CALL {} name={} args={:?} kwargs={:?}",
                c.callee, c.name, c.args, c.kwargs
            );
        }
        for p in t.pairs() {
            println!("PAIR {} = {:?} entry={}", p.key, p.value.v, p.entry);
        }
    }

    #[test]
    fn csharp_ruby_php_kotlin_models() {
        let c = tree(
            "A.cs",
            "class A { const string K = \"k3y\"; void F() { var h = new HttpClientHandler { Cb = (a, b) => true }; var s = new SymmetricSecurityKey(Encoding.UTF8.GetBytes(K)); c.Get(u, verify: false); var t = $\"x{y}\"; } }",
        );
        let cb = c.pairs().iter().find(|p| p.key == "Cb").unwrap();
        assert!(c.always_true(&cb.value));
        let k = c
            .calls()
            .iter()
            .find(|x| x.name == "SymmetricSecurityKey")
            .unwrap();
        assert_eq!(lit(&c.resolve(&k.args[0])), Some("k3y"));
        let g = c.calls().iter().find(|x| x.name == "Get").unwrap();
        assert!(is_false(g.kwarg("verify").unwrap()));
        assert!(
            c.pairs()
                .iter()
                .any(|p| p.key == "t" && expr(&p.value).is_some())
        );

        let r = tree(
            "a.rb",
            "KEY = 'k3y'\ndef f\n  payload = { sub: 1, \"exp\" => 2 }\n  JWT.encode payload, KEY, 'HS256'\n  Aws::Credentials.new('AKIA1', 's')\n  s = \"#{x}\"\nend\n",
        );
        let e = r.calls().iter().find(|x| x.name == "encode").unwrap();
        assert_eq!(e.callee, "JWT.encode");
        let p = r.resolve(&e.args[0]);
        assert!(p.get("sub").is_some() && p.get("exp").is_some());
        assert_eq!(lit(&r.resolve(&e.args[1])), Some("k3y"));
        let n = r.calls().iter().find(|x| x.name == "Credentials").unwrap();
        assert_eq!(n.callee, "Aws::Credentials");
        assert!(
            r.pairs()
                .iter()
                .any(|p| p.key == "s" && expr(&p.value).is_some())
        );

        let p = tree(
            "a.php",
            "<?php\nclass A { const KEY = 'k3y'; function f() { $o = ['verify' => false, 'n' => 1]; JWT::encode($o, self::KEY); $s = \"a{$x}\"; } }\n",
        );
        let e = p.calls().iter().find(|x| x.name == "encode").unwrap();
        assert_eq!(lit(&p.resolve(&e.args[1])), Some("k3y"));
        assert!(is_false(p.resolve(&e.args[0]).get("verify").unwrap()));
        assert!(p.pairs().iter().any(|x| x.key == "verify" && x.entry));
        assert!(
            p.pairs()
                .iter()
                .any(|x| x.key == "$s" && expr(&x.value).is_some())
        );

        let sh = tree(
            "a.php",
            "<?php\n$key = 'k3y';\nfunction enc($d, $key) { return openssl_encrypt($d, 'aes-128-ecb', $key); }\n",
        );
        let e = sh
            .calls()
            .iter()
            .find(|x| x.name == "openssl_encrypt")
            .unwrap();
        assert!(
            lit(&sh.resolve(&e.args[2])).is_none(),
            "a parameter hides the global"
        );

        let k = tree(
            "a.kt",
            "const val KEY = \"k3y\"\nfun f() {\n  val m = mapOf(\"sub\" to 1)\n  foo(verify = false)\n  val s = \"a$x\"\n  b.hostnameVerifier { _, _ -> true }\n  SecretKeySpec(KEY.toByteArray(), \"AES\")\n}\n",
        );
        assert!(
            k.pairs()
                .iter()
                .any(|p| p.key == "m" && p.value.get("sub").is_some())
        );
        let f = k.calls().iter().find(|x| x.name == "foo").unwrap();
        assert!(is_false(f.kwarg("verify").unwrap()));
        assert!(
            k.pairs()
                .iter()
                .any(|p| p.key == "s" && expr(&p.value).is_some())
        );
        let h = k
            .calls()
            .iter()
            .find(|x| x.name == "hostnameVerifier")
            .unwrap();
        assert!(k.always_true(&h.args[0]));
        let s = k
            .calls()
            .iter()
            .find(|x| x.name == "SecretKeySpec")
            .unwrap();
        assert_eq!(lit(&k.resolve(&s.args[0])), Some("k3y"));
    }

    #[test]
    fn one_parse_per_file() {
        let f = SourceFile::new("x.py", "a = 1\n");
        let a = parse(&f).unwrap();
        let b = parse(&f).unwrap();
        assert!(Rc::ptr_eq(&a, &b));
    }
}
