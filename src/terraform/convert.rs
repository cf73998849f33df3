//! `*.tf.json` and Terraform plan JSON (`terraform show -json`) into the same body shape the
//! HCL adapter produces (top-level entries whose values are [`V::Block`]s), so every rule sees
//! one model. Spans stay those of the JSON file.

use crate::lang::{Block, Entry, Node, V};

/// Nested block names that `.tf.json` writes as objects or arrays of objects.
const BLOCK_NAMES: &[&str] = &[
    "statement",
    "principals",
    "not_principals",
    "condition",
    "inline_policy",
    "dynamic",
    "content",
    "default_tags",
    "oidc",
    "saml",
    "aws",
    "assume_role",
    "lifecycle",
];

fn block(
    ident: &str,
    labels: Vec<(String, std::ops::Range<usize>)>,
    body: &Node,
    key_span: std::ops::Range<usize>,
) -> Entry {
    Entry {
        key: ident.to_string(),
        key_span,
        value: Node::new(
            body.span.clone(),
            V::Block(Box::new(Block {
                ident: ident.to_string(),
                labels,
                body: body_entries(body, 0),
            })),
        ),
    }
}

fn body_entries(body: &Node, depth: usize) -> Vec<Entry> {
    let mut out = Vec::new();
    for e in body.entries() {
        if depth < 8 && BLOCK_NAMES.contains(&e.key.as_str()) {
            let items: Vec<&Node> = match &e.value.v {
                V::Map(_) => vec![&e.value],
                V::Seq(items) if items.iter().all(|i| i.is_map()) => items.iter().collect(),
                _ => Vec::new(),
            };
            if !items.is_empty() {
                for it in items {
                    if e.key == "dynamic" {
                        // "dynamic": { "statement": { "for_each": …, "content": {…} } }
                        for d in it.entries() {
                            let inner = Node::new(
                                d.value.span.clone(),
                                V::Block(Box::new(Block {
                                    ident: "dynamic".into(),
                                    labels: vec![(d.key.clone(), d.key_span.clone())],
                                    body: body_entries(&d.value, depth + 1),
                                })),
                            );
                            out.push(Entry {
                                key: "dynamic".into(),
                                key_span: e.key_span.clone(),
                                value: inner,
                            });
                        }
                        continue;
                    }
                    out.push(nested(e, it, body_entries(it, depth + 1)));
                }
                continue;
            }
        }
        out.push(e.clone());
    }
    out
}

/// Items of a `.tf.json` section that may be an object or an array of objects.
fn objs(n: &Node) -> Vec<&Node> {
    match &n.v {
        V::Seq(items) => items.iter().filter(|i| i.is_map()).collect(),
        V::Map(_) => vec![n],
        _ => Vec::new(),
    }
}

/// `{"resource": {"aws_iam_role": {"x": {…}}}, "variable": {…}, …}` → HCL-shaped body.
pub fn tf_json(root: &Node) -> Node {
    let mut out = Vec::new();
    for sec in root.entries() {
        match sec.key.as_str() {
            "resource" | "data" => {
                for r in objs(&sec.value) {
                    for t in r.entries() {
                        for named in objs(&t.value) {
                            for n in named.entries() {
                                for body in objs(&n.value) {
                                    out.push(block(
                                        &sec.key,
                                        vec![
                                            (t.key.clone(), t.key_span.clone()),
                                            (n.key.clone(), n.key_span.clone()),
                                        ],
                                        body,
                                        n.key_span.clone(),
                                    ));
                                }
                            }
                        }
                    }
                }
            }
            "variable" | "output" | "module" | "provider" => {
                for r in objs(&sec.value) {
                    for n in r.entries() {
                        for body in objs(&n.value) {
                            out.push(block(
                                &sec.key,
                                vec![(n.key.clone(), n.key_span.clone())],
                                body,
                                n.key_span.clone(),
                            ));
                        }
                    }
                }
            }
            "locals" => {
                for body in objs(&sec.value) {
                    out.push(block("locals", Vec::new(), body, sec.key_span.clone()));
                }
            }
            _ => {}
        }
    }
    Node::new(root.span.clone(), V::Map(out))
}

/// `terraform show -json` plan: `planned_values.root_module` resources (and child modules).
pub fn plan(root: &Node) -> Node {
    let mut out = Vec::new();
    if let Some(m) = root.path("planned_values.root_module") {
        plan_module(m, &mut out, 0);
    }
    Node::new(root.span.clone(), V::Map(out))
}

fn plan_module(m: &Node, out: &mut Vec<Entry>, depth: usize) {
    if depth > 16 {
        return;
    }
    if let Some(rs) = m.get("resources").and_then(|r| r.as_seq()) {
        for r in rs {
            let (Some(t), Some(name)) = (
                r.get("type").and_then(|x| x.as_str()),
                r.get("name").and_then(|x| x.as_str()),
            ) else {
                continue;
            };
            let mode = match r.get("mode").and_then(|x| x.as_str()) {
                Some("data") => "data",
                _ => "resource",
            };
            let Some(values) = r.get("values") else {
                continue;
            };
            // Address keeps the module path and index so ids stay unique.
            let addr = r
                .get("address")
                .and_then(|x| x.as_str())
                .unwrap_or(name)
                .to_string();
            let label = addr
                .strip_prefix(&format!("{}.", t))
                .map(str::to_string)
                .unwrap_or_else(|| name.to_string());
            let label = if addr.starts_with("module.") {
                addr.clone()
            } else {
                label
            };
            let mut entries = Vec::new();
            for e in values.entries() {
                match &e.value.v {
                    V::Seq(items)
                        if !items.is_empty()
                            && items.iter().all(|i| i.is_map())
                            && e.key != "tags" =>
                    {
                        for it in items {
                            entries.push(nested(e, it, nested_plan(it, 0)));
                        }
                    }
                    _ => entries.push(e.clone()),
                }
            }
            let span = r
                .get("type")
                .map(|x| x.span.clone())
                .unwrap_or(r.span.clone());
            out.push(Entry {
                key: mode.into(),
                key_span: span.clone(),
                value: Node::new(
                    r.span.clone(),
                    V::Block(Box::new(Block {
                        ident: mode.into(),
                        labels: vec![(t.to_string(), span.clone()), (label, span)],
                        body: entries,
                    })),
                ),
            });
        }
    }
    if let Some(cs) = m.get("child_modules").and_then(|c| c.as_seq()) {
        for c in cs {
            plan_module(c, out, depth + 1);
        }
    }
}

fn nested_plan(n: &Node, depth: usize) -> Vec<Entry> {
    let mut out = Vec::new();
    for e in n.entries() {
        match &e.value.v {
            V::Seq(items) if depth < 8 && !items.is_empty() && items.iter().all(|i| i.is_map()) => {
                for it in items {
                    out.push(nested(e, it, nested_plan(it, depth + 1)));
                }
            }
            _ => out.push(e.clone()),
        }
    }
    out
}

/// A nested block `e.key { … }` made of one object item of a JSON array.
fn nested(e: &Entry, it: &Node, body: Vec<Entry>) -> Entry {
    Entry {
        key: e.key.clone(),
        key_span: e.key_span.clone(),
        value: Node::new(
            it.span.clone(),
            V::Block(Box::new(Block {
                ident: e.key.clone(),
                labels: Vec::new(),
                body,
            })),
        ),
    }
}
