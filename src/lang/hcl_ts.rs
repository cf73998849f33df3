//! Recovering HCL parse with tree-sitter-hcl, used only when hcl-edit rejects a file: the
//! broken region becomes an expression, the rest of the file keeps its structure.

use super::value::{Block, Entry, Node, V};
use tree_sitter::{Node as TsNode, Parser};

thread_local! {
    static PARSER: std::cell::RefCell<Parser> = std::cell::RefCell::new({
        let mut p = Parser::new();
        p.set_language(&tree_sitter_hcl::LANGUAGE.into()).expect("hcl grammar");
        p
    });
}

const MAX_DEPTH: usize = 128;

pub fn parse_recovering(text: &str) -> Node {
    let tree = PARSER.with(|p| p.borrow_mut().parse(text, None));
    let Some(tree) = tree else {
        return Node::new(0..text.len(), V::Map(Vec::new()));
    };
    let root = tree.root_node();
    let mut cursor = root.walk();
    let body = root
        .named_children(&mut cursor)
        .find(|n| n.kind() == "body");
    let entries = body.map(|b| body_entries(b, text, 0)).unwrap_or_default();
    Node::new(0..text.len(), V::Map(entries))
}

fn t<'a>(n: TsNode, src: &'a str) -> &'a str {
    super::slice(src, n.byte_range())
}

fn body_entries(body: TsNode, src: &str, depth: usize) -> Vec<Entry> {
    let mut out = Vec::new();
    let mut cursor = body.walk();
    for c in body.named_children(&mut cursor) {
        match c.kind() {
            "attribute" => {
                let mut c2 = c.walk();
                let kids: Vec<TsNode> = c.named_children(&mut c2).collect();
                let (Some(k), Some(v)) = (
                    kids.iter().find(|n| n.kind() == "identifier"),
                    kids.iter().find(|n| n.kind() == "expression"),
                ) else {
                    continue;
                };
                out.push(Entry {
                    key: t(*k, src).to_string(),
                    key_span: k.byte_range(),
                    value: expr(*v, src, depth + 1),
                });
            }
            "block" => {
                let mut c2 = c.walk();
                let kids: Vec<TsNode> = c.named_children(&mut c2).collect();
                let Some(id) = kids.iter().find(|n| n.kind() == "identifier") else {
                    continue;
                };
                let labels = kids
                    .iter()
                    .skip(1)
                    .filter(|n| n.kind() == "string_lit" || n.kind() == "identifier")
                    .map(|n| (t(*n, src).trim_matches('"').to_string(), n.byte_range()))
                    .collect();
                let inner = if depth > MAX_DEPTH {
                    Vec::new()
                } else {
                    kids.iter()
                        .find(|n| n.kind() == "body")
                        .map(|b| body_entries(*b, src, depth + 1))
                        .unwrap_or_default()
                };
                let ident = t(*id, src).to_string();
                out.push(Entry {
                    key: ident.clone(),
                    key_span: id.byte_range(),
                    value: Node::new(
                        c.byte_range(),
                        V::Block(Box::new(Block {
                            ident,
                            labels,
                            body: inner,
                        })),
                    ),
                });
            }
            _ => {}
        }
    }
    out
}

fn expr(n: TsNode, src: &str, depth: usize) -> Node {
    let span = n.byte_range();
    if depth > MAX_DEPTH || n.has_error() {
        return Node::new(span, V::Expr(t(n, src).to_string()));
    }
    // expression -> literal_value / collection_value / function_call / template_expr ...
    let inner = if n.kind() == "expression" && n.named_child_count() == 1 {
        n.named_child(0).unwrap_or(n)
    } else {
        n
    };
    match inner.kind() {
        "literal_value" => {
            let lit = inner.named_child(0).unwrap_or(inner);
            let v = match lit.kind() {
                "numeric_lit" => V::Num(t(lit, src).to_string()),
                "bool_lit" => V::Bool(t(lit, src) == "true"),
                "null_lit" => V::Null,
                _ => V::Str(t(lit, src).trim_matches('"').to_string()),
            };
            Node::new(span, v)
        }
        "template_expr" => {
            let s = t(inner, src);
            if s.starts_with('"') && !s.contains("${") && !s.contains("%{") && !s.contains('\\') {
                Node::new(span, V::Str(s.trim_matches('"').to_string()))
            } else {
                Node::new(span, V::Expr(s.to_string()))
            }
        }
        "collection_value" => {
            let c = inner.named_child(0).unwrap_or(inner);
            let mut cursor = c.walk();
            if c.kind() == "tuple" {
                let items = c
                    .named_children(&mut cursor)
                    .filter(|x| x.kind() == "expression")
                    .map(|x| expr(x, src, depth + 1))
                    .collect();
                Node::new(span, V::Seq(items))
            } else {
                let mut es = Vec::new();
                for el in c
                    .named_children(&mut cursor)
                    .filter(|x| x.kind() == "object_elem")
                {
                    let (Some(k), Some(v)) =
                        (el.child_by_field_name("key"), el.child_by_field_name("val"))
                    else {
                        continue;
                    };
                    let key = t(k, src).trim_matches('"').to_string();
                    es.push(Entry {
                        key,
                        key_span: k.byte_range(),
                        value: expr(v, src, depth + 1),
                    });
                }
                Node::new(span, V::Map(es))
            }
        }
        "function_call" => {
            let mut cursor = inner.walk();
            let kids: Vec<TsNode> = inner.named_children(&mut cursor).collect();
            let name = kids
                .iter()
                .find(|k| k.kind() == "identifier")
                .map(|k| t(*k, src).to_string())
                .unwrap_or_default();
            let args = kids
                .iter()
                .find(|k| k.kind() == "function_arguments")
                .map(|a| {
                    let mut c3 = a.walk();
                    a.named_children(&mut c3)
                        .filter(|x| x.kind() == "expression")
                        .map(|x| expr(x, src, depth + 1))
                        .collect()
                })
                .unwrap_or_default();
            Node::new(span, V::Call(name, args))
        }
        _ => Node::new(span, V::Expr(t(n, src).to_string())),
    }
}
