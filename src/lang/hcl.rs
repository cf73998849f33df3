//! HCL adapter: `hcl::edit` (span-keeping, ~9 MB/s) into the value tree. Bodies become maps
//! whose block entries hold [`V::Block`]; literals become scalars; `f(...)` becomes [`V::Call`]
//! so `jsonencode({...})` keeps located structure; everything else is [`V::Expr`] holding its
//! source text, for the Terraform evaluator to resolve.
//!
//! On a syntax error hcl-edit stops; the adapter then parses with tree-sitter-hcl, which
//! recovers, so the rest of the file is still checked (the error is still reported).

use super::value::{Block, Document, Entry, Node, ParseError, Span, V};
use hcl::edit::Span as _;
use hcl::edit::expr::{Expression, ObjectKey};
use hcl::edit::structure::{BlockLabel, Body, Structure};
use hcl::edit::template::Element;
use std::collections::HashMap;

const MAX_DEPTH: usize = 128;

pub struct HclParse {
    pub doc: Document,
    pub error: Option<ParseError>,
}

/// Most object keys written twice that one file may have (each costs a parse).
const MAX_REDEFINED_KEYS: usize = 32;

pub fn parse(text: &str) -> HclParse {
    // Terraform accepts an object with a key written twice (the last value wins); hcl-edit
    // rejects it. Each such key is renamed in a copy of the text (same length, so spans stay)
    // and named back when converting.
    let mut work: Option<String> = None;
    let mut renamed: HashMap<usize, String> = HashMap::new();
    let mut result = hcl::edit::parser::parse_body(text);
    while let Err(e) = &result {
        if renamed.len() >= MAX_REDEFINED_KEYS || !e.message().contains("redefined object key") {
            break;
        }
        let cur = work.as_deref().unwrap_or(text);
        let Some((at, original, fresh)) = rename_key(cur, e.location().offset()) else {
            break;
        };
        let mut next = cur.to_string();
        next.replace_range(at..at + fresh.len(), &fresh);
        renamed.insert(at, original);
        result = hcl::edit::parser::parse_body(&next);
        work = Some(next);
    }
    match result {
        Ok(body) => {
            let c = Conv {
                src: work.as_deref().unwrap_or(text),
                renamed: &renamed,
            };
            HclParse {
                doc: Document {
                    root: Node::new(0..text.len(), V::Map(c.body(&body, 0))),
                    span: 0..text.len(),
                },
                error: None,
            }
        }
        Err(e) => {
            let loc = e.location();
            let error = ParseError {
                offset: loc.offset().min(text.len()),
                message: format!("HCL syntax error: {}", e.message()),
            };
            let root = super::hcl_ts::parse_recovering(text);
            HclParse {
                doc: Document {
                    root,
                    span: 0..text.len(),
                },
                error: Some(error),
            }
        }
    }
}

/// Parse a single HCL expression (used by the Terraform evaluator), spans offset by `base`.
pub fn parse_expr(text: &str, base: usize) -> Option<Node> {
    let e = hcl::edit::parser::parse_expr(text).ok()?;
    let none = HashMap::new();
    let c = Conv {
        src: text,
        renamed: &none,
    };
    let mut n = c.expr(&e, 0);
    shift(&mut n, base);
    Some(n)
}

fn shift(n: &mut Node, by: usize) {
    n.span = n.span.start + by..n.span.end + by;
    match &mut n.v {
        V::Seq(items) | V::Call(_, items) => items.iter_mut().for_each(|i| shift(i, by)),
        V::Map(es) => es.iter_mut().for_each(|e| {
            e.key_span = e.key_span.start + by..e.key_span.end + by;
            shift(&mut e.value, by)
        }),
        V::Block(b) => {
            b.labels
                .iter_mut()
                .for_each(|(_, s)| *s = s.start + by..s.end + by);
            b.body.iter_mut().for_each(|e| {
                e.key_span = e.key_span.start + by..e.key_span.end + by;
                shift(&mut e.value, by)
            })
        }
        _ => {}
    }
}

/// The object key at `at` of `text` renamed to a name of the same length found nowhere in the
/// text: (where the name starts, the key, the new name). `None` for a key too short to rename
/// safely (the file is then read by the recovering parser).
fn rename_key(text: &str, at: usize) -> Option<(usize, String, String)> {
    let rest = text.get(at..)?;
    let (start, len) = if let Some(r) = rest.strip_prefix('"') {
        let end = r.find('"')?;
        (at + 1, end)
    } else {
        let len = rest
            .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-'))
            .unwrap_or(rest.len());
        (at, len)
    };
    if len < 3 {
        return None;
    }
    let original = text.get(start..start + len)?.to_string();
    let fresh = (0..1000)
        .map(|i| format!("{:_<len$}", format!("_{i}")))
        .find(|c| !text.contains(c.as_str()))?;
    Some((start, original, fresh))
}

struct Conv<'a> {
    src: &'a str,
    /// Object keys renamed to parse (start of the key's name → the key as written).
    renamed: &'a HashMap<usize, String>,
}

impl Conv<'_> {
    fn text(&self, s: &Span) -> String {
        self.src.get(s.clone()).unwrap_or("").to_string()
    }

    fn body(&self, body: &Body, depth: usize) -> Vec<Entry> {
        let mut out = Vec::with_capacity(body.len());
        for st in body.iter() {
            match st {
                Structure::Attribute(a) => {
                    let key_span = a.key.span().unwrap_or(0..0);
                    let value = self.expr(&a.value, depth + 1);
                    out.push(Entry {
                        key: a.key.as_str().to_string(),
                        key_span,
                        value,
                    });
                }
                Structure::Block(b) => {
                    let span = b.span().unwrap_or(0..0);
                    let key_span = b.ident.span().unwrap_or(span.clone());
                    let labels = b
                        .labels
                        .iter()
                        .map(|l| {
                            let s = match l {
                                BlockLabel::Ident(i) => i.span(),
                                BlockLabel::String(s) => s.span(),
                            };
                            (l.as_str().to_string(), s.unwrap_or(key_span.clone()))
                        })
                        .collect();
                    let inner = if depth > MAX_DEPTH {
                        Vec::new()
                    } else {
                        self.body(&b.body, depth + 1)
                    };
                    out.push(Entry {
                        key: b.ident.as_str().to_string(),
                        key_span,
                        value: Node::new(
                            span,
                            V::Block(Box::new(Block {
                                ident: b.ident.as_str().to_string(),
                                labels,
                                body: inner,
                            })),
                        ),
                    });
                }
            }
        }
        out
    }

    fn expr(&self, e: &Expression, depth: usize) -> Node {
        let span = e.span().unwrap_or(0..0);
        if depth > MAX_DEPTH {
            return Node::new(span.clone(), V::Expr(self.text(&span)));
        }
        let v = match e {
            Expression::Null(_) => V::Null,
            Expression::Bool(b) => V::Bool(*b.value()),
            Expression::Number(n) => V::Num(n.value().to_string()),
            Expression::String(s) => V::Str(s.value().to_string()),
            Expression::Array(a) => V::Seq(a.iter().map(|x| self.expr(x, depth + 1)).collect()),
            Expression::Object(o) => {
                let entries: Vec<Entry> = o
                    .iter()
                    .map(|(k, v)| {
                        let (key, key_span) = match k {
                            ObjectKey::Ident(i) => {
                                (i.as_str().to_string(), i.span().unwrap_or(0..0))
                            }
                            ObjectKey::Expression(x) => {
                                let ks = x.span().unwrap_or(0..0);
                                let key = match x {
                                    Expression::String(s) => s.value().to_string(),
                                    _ => self.text(&ks),
                                };
                                (key, ks)
                            }
                        };
                        // A renamed key (quoted keys start one byte later) gets its name back.
                        let key = self
                            .renamed
                            .get(&key_span.start)
                            .or_else(|| self.renamed.get(&(key_span.start + 1)))
                            .cloned()
                            .unwrap_or(key);
                        Entry {
                            key,
                            key_span,
                            value: self.expr(v.expr(), depth + 1),
                        }
                    })
                    .collect();
                if self.renamed.is_empty() {
                    V::Map(entries)
                } else {
                    V::Map(last_wins(entries))
                }
            }
            Expression::StringTemplate(t) => literal_template(t.iter())
                .map(V::Str)
                .unwrap_or_else(|| V::Expr(self.text(&span))),
            Expression::HeredocTemplate(h) => {
                let mut h2 = (**h).clone();
                h2.dedent();
                literal_template(h2.template.iter())
                    .map(V::Str)
                    .unwrap_or_else(|| V::Expr(self.text(&span)))
            }
            Expression::Parenthesis(p) => return self.expr(p.inner(), depth + 1),
            Expression::FuncCall(f) => {
                let mut name = String::new();
                for ns in &f.name.namespace {
                    name.push_str(ns.as_str());
                    name.push_str("::");
                }
                name.push_str(f.name.name.as_str());
                V::Call(
                    name,
                    f.args.iter().map(|a| self.expr(a, depth + 1)).collect(),
                )
            }
            _ => V::Expr(self.text(&span)),
        };
        Node::new(span, v)
    }
}

/// Entries with each key once, the last value written winning (at the first's place). Linear.
fn last_wins(entries: Vec<Entry>) -> Vec<Entry> {
    let mut last: HashMap<String, usize> = HashMap::with_capacity(entries.len());
    for (i, e) in entries.iter().enumerate() {
        last.insert(e.key.clone(), i);
    }
    if last.len() == entries.len() {
        return entries;
    }
    let mut slots: Vec<Option<Entry>> = entries.into_iter().map(Some).collect();
    let mut out = Vec::with_capacity(last.len());
    let mut placed: HashMap<String, usize> = HashMap::new();
    for i in 0..slots.len() {
        let Some(e) = slots[i].take() else { continue };
        let winner = last.get(&e.key).copied().unwrap_or(i);
        match placed.get(&e.key) {
            Some(_) => {}
            None => {
                placed.insert(e.key.clone(), out.len());
                if winner == i {
                    out.push(e);
                } else if let Some(w) = slots[winner].take() {
                    out.push(Entry {
                        key: e.key,
                        key_span: w.key_span,
                        value: w.value,
                    });
                }
            }
        }
    }
    out
}

/// The text of a template made only of literals; `None` if it interpolates or has directives.
fn literal_template<'a>(elements: impl Iterator<Item = &'a Element>) -> Option<String> {
    let mut s = String::new();
    for el in elements {
        match el {
            Element::Literal(l) => s.push_str(l.value()),
            _ => return None,
        }
    }
    Some(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_calls_and_spans() {
        let t = "resource \"aws_iam_policy\" \"p\" {\n  name = \"x\"\n  policy = jsonencode({\n    Statement = [{ Effect = \"Allow\", Action = \"*\" }]\n  })\n  tags = { owner = var.team }\n}\n";
        let p = parse(t);
        assert!(p.error.is_none());
        let (b, _) = p.doc.root.blocks("resource").next().unwrap();
        assert_eq!(b.labels[0].0, "aws_iam_policy");
        let body = Node::new(0..0, V::Map(b.body.clone()));
        let pol = body.get("policy").unwrap();
        let V::Call(name, args) = &pol.v else {
            panic!()
        };
        assert_eq!(name, "jsonencode");
        let act = args[0].get("Statement").unwrap().as_seq().unwrap()[0]
            .get("Action")
            .unwrap();
        assert_eq!(&t[act.span.clone()], "\"*\"");
        assert!(body.path("tags.owner").unwrap().is_expr());
    }

    #[test]
    fn object_key_written_twice_keeps_the_last_value() {
        let t = "module \"m\" {\n  groups = {\n    a = {\n      min_size = 2\n      max_size = 2\n      min_size = 4\n      \"max_size\" = 5\n    }\n  }\n}\n";
        let p = parse(t);
        assert!(p.error.is_none(), "{:?}", p.error);
        let (_, m) = p.doc.root.blocks("module").next().unwrap();
        let a = m.path("groups.a").unwrap();
        assert_eq!(a.entries().len(), 2);
        assert_eq!(a.get("min_size").unwrap().v, V::Num("4".into()));
        assert_eq!(a.get("max_size").unwrap().v, V::Num("5".into()));
        // Spans point at the text as written.
        let k = &a.entries()[0];
        assert_eq!(&t[k.key_span.clone()], "min_size");
    }

    #[test]
    fn unterminated_heredoc_is_an_error() {
        let t = "resource \"a\" \"b\" {\n  policy = <<EOF\n{\n";
        let p = parse(t);
        assert!(p.error.is_some());
    }
}
