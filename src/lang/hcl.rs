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

const MAX_DEPTH: usize = 128;

pub struct HclParse {
    pub doc: Document,
    pub error: Option<ParseError>,
}

pub fn parse(text: &str) -> HclParse {
    match hcl::edit::parser::parse_body(text) {
        Ok(body) => {
            let c = Conv { src: text };
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
    let c = Conv { src: text };
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

struct Conv<'a> {
    src: &'a str,
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
            Expression::Object(o) => V::Map(
                o.iter()
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
                        Entry {
                            key,
                            key_span,
                            value: self.expr(v.expr(), depth + 1),
                        }
                    })
                    .collect(),
            ),
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
    fn unterminated_heredoc_is_an_error() {
        let t = "resource \"a\" \"b\" {\n  policy = <<EOF\n{\n";
        let p = parse(t);
        assert!(p.error.is_some());
    }
}
