//! The located value tree every format adapter produces: maps, lists, scalars, function calls
//! and unevaluated expressions, each with the byte span it came from.

use std::ops::Range;

/// Byte range into the file's text.
pub type Span = Range<usize>;

#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub span: Span,
    pub v: V,
}

#[derive(Clone, Debug, PartialEq)]
pub enum V {
    Null,
    Bool(bool),
    /// Number kept as written.
    Num(String),
    /// A string with escapes resolved.
    Str(String),
    Seq(Vec<Node>),
    Map(Vec<Entry>),
    /// HCL block: `ident "label" { body }`. Stored as the value of a map entry keyed by `ident`.
    Block(Box<Block>),
    /// HCL function call with its arguments (`jsonencode({...})`, `file("x.json")`).
    Call(String, Vec<Node>),
    /// An expression that was not evaluated (HCL traversal, template, conditional, a Helm
    /// `{{ … }}` action, a YAML alias that could not be resolved...). Holds the source text.
    Expr(String),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    pub key: String,
    pub key_span: Span,
    pub value: Node,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Block {
    pub ident: String,
    pub labels: Vec<(String, Span)>,
    pub body: Vec<Entry>,
}

static NULL_NODE: Node = Node {
    span: 0..0,
    v: V::Null,
};

impl Node {
    pub fn new(span: Span, v: V) -> Self {
        Node { span, v }
    }

    /// Map (or block body) entries; empty for other kinds.
    pub fn entries(&self) -> &[Entry] {
        match &self.v {
            V::Map(e) => e,
            V::Block(b) => &b.body,
            _ => &[],
        }
    }

    /// First entry with this key (maps and block bodies).
    pub fn entry(&self, key: &str) -> Option<&Entry> {
        self.entries().iter().find(|e| e.key == key)
    }

    /// Value of the first entry with this key.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|e| &e.value)
    }

    /// Case-insensitive key lookup (IAM JSON is case-sensitive, but HCL authors vary).
    pub fn get_ci(&self, key: &str) -> Option<&Node> {
        self.entries()
            .iter()
            .find(|e| e.key.eq_ignore_ascii_case(key))
            .map(|e| &e.value)
    }

    /// Follow a dotted path of map keys: `metadata.name`.
    pub fn path(&self, path: &str) -> Option<&Node> {
        let mut cur = self;
        for k in path.split('.') {
            cur = cur.get(k)?;
        }
        Some(cur)
    }

    /// Every value under the key, for HCL bodies with repeated blocks.
    pub fn get_all<'a>(&'a self, key: &'a str) -> impl Iterator<Item = &'a Node> + 'a {
        self.entries()
            .iter()
            .filter(move |e| e.key == key)
            .map(|e| &e.value)
    }

    /// HCL blocks of the given identifier in this body.
    pub fn blocks<'a>(
        &'a self,
        ident: &'a str,
    ) -> impl Iterator<Item = (&'a Block, &'a Node)> + 'a {
        self.entries().iter().filter_map(move |e| match &e.value.v {
            V::Block(b) if b.ident == ident => Some((&**b, &e.value)),
            _ => None,
        })
    }

    pub fn as_block(&self) -> Option<&Block> {
        match &self.v {
            V::Block(b) => Some(b),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.v {
            V::Str(s) => Some(s),
            _ => None,
        }
    }

    /// Scalars rendered as text (strings, numbers, booleans).
    pub fn scalar_text(&self) -> Option<String> {
        match &self.v {
            V::Str(s) => Some(s.clone()),
            V::Num(n) => Some(n.clone()),
            V::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }

    /// Booleans, also from strings `"true"`/`"false"` as YAML and HCL authors write them.
    pub fn as_bool(&self) -> Option<bool> {
        match &self.v {
            V::Bool(b) => Some(*b),
            V::Str(s) => match s.as_str() {
                "true" | "True" | "TRUE" => Some(true),
                "false" | "False" | "FALSE" => Some(false),
                _ => None,
            },
            _ => None,
        }
    }

    pub fn as_i64(&self) -> Option<i64> {
        match &self.v {
            V::Num(n) => n.parse::<f64>().ok().map(|f| f as i64),
            V::Str(s) => s.trim().parse().ok(),
            _ => None,
        }
    }

    pub fn as_seq(&self) -> Option<&[Node]> {
        match &self.v {
            V::Seq(s) => Some(s),
            _ => None,
        }
    }

    pub fn is_map(&self) -> bool {
        matches!(self.v, V::Map(_))
    }

    pub fn is_expr(&self) -> bool {
        matches!(self.v, V::Expr(_))
    }

    /// A string or every string of a list, as IAM fields allow either.
    pub fn str_or_seq(&self) -> Vec<(&str, &Node)> {
        match &self.v {
            V::Str(s) => vec![(s.as_str(), self)],
            V::Seq(items) => items
                .iter()
                .filter_map(|n| n.as_str().map(|s| (s, n)))
                .collect(),
            _ => Vec::new(),
        }
    }

    /// Depth-first iteration over every node (pre-order), with no recursion limit issues for
    /// the depths adapters allow.
    pub fn walk<'a>(&'a self, f: &mut dyn FnMut(&'a Node)) {
        let mut stack = vec![self];
        while let Some(n) = stack.pop() {
            f(n);
            match &n.v {
                V::Seq(items) | V::Call(_, items) => stack.extend(items.iter().rev()),
                V::Map(entries) => stack.extend(entries.iter().rev().map(|e| &e.value)),
                V::Block(b) => stack.extend(b.body.iter().rev().map(|e| &e.value)),
                _ => {}
            }
        }
    }

    pub fn null() -> &'static Node {
        &NULL_NODE
    }
}

/// One parsed document (a YAML stream holds several).
#[derive(Clone, Debug)]
pub struct Document {
    pub root: Node,
    /// Byte span of this document in the file (YAML documents of a stream).
    pub span: Span,
}

/// Format adapter error, located in the file.
#[derive(Clone, Debug)]
pub struct ParseError {
    pub offset: usize,
    pub message: String,
}
