//! Fast path of the YAML adapter: `saphyr-parser` (pure Rust event parser, ~5x the speed of
//! tree-sitter-yaml) builds the same value tree with the same spans. It stops at the first
//! error, so a document it rejects goes to the tree-sitter path, which recovers and locates the
//! error. Both paths are compared on the test corpus (`tests` below).

use super::value::{Entry, Node, Span, V};
use super::yaml::{AliasBudget, apply_merges, intrinsic_key, merge_sources, wrap_intrinsic};
use saphyr_parser::{Event, Parser, ScalarStyle};
use std::collections::{HashMap, HashSet};

enum Frame {
    Map {
        start: usize,
        end: usize,
        entries: Vec<Entry>,
        key: Option<(String, Span)>,
        merges: Vec<Entry>,
        anchor: usize,
        intrinsic: Option<&'static str>,
    },
    Seq {
        start: usize,
        end: usize,
        items: Vec<Node>,
        anchor: usize,
        intrinsic: Option<&'static str>,
    },
}

/// The long-form key of a CloudFormation short-form tag (`!Ref` → `Ref`).
fn intrinsic(tag: &Option<std::borrow::Cow<'_, saphyr_parser::Tag>>) -> Option<&'static str> {
    let t = tag.as_ref()?;
    if t.handle != "!" {
        return None;
    }
    intrinsic_key(&format!("!{}", t.suffix))
}

/// Anchored values with their estimated copy size, and the anchors the budget could not copy.
#[derive(Default)]
struct Anchors {
    map: HashMap<usize, (Node, usize)>,
    dropped: HashSet<usize>,
}

impl Anchors {
    fn add(&mut self, id: usize, n: &Node, budget: &mut AliasBudget) {
        let w = AliasBudget::weight(n, budget.remaining);
        if budget.charge(w, n.span.start) {
            self.map.insert(id, (n.clone(), w));
        } else {
            self.dropped.insert(id);
        }
    }
}

/// Char index → byte offset for non-ASCII text.
struct Offsets {
    map: Option<Vec<usize>>,
}

impl Offsets {
    fn new(text: &str) -> Offsets {
        if text.is_ascii() {
            return Offsets { map: None };
        }
        let mut v: Vec<usize> = text.char_indices().map(|(b, _)| b).collect();
        v.push(text.len());
        Offsets { map: Some(v) }
    }

    fn byte(&self, idx: usize) -> usize {
        match &self.map {
            None => idx,
            Some(v) => v
                .get(idx)
                .copied()
                .unwrap_or_else(|| *v.last().unwrap_or(&0)),
        }
    }
}

/// Parse one document. `src` is the (masked) text handed to the parser, `orig` the original
/// text of the same range (to recognise templated scalars), `base` its offset in the file.
/// `None` means: use the recovering parser. Copies for anchors and aliases are charged to
/// `budget`; past it an alias stays an unexpanded expression.
pub(crate) fn parse_doc(
    src: &str,
    orig: &str,
    base: usize,
    budget: &mut AliasBudget,
) -> Option<Node> {
    let off = Offsets::new(src);
    let mut parser = Parser::new_from_str(src);
    let mut stack: Vec<Frame> = Vec::new();
    let mut anchors = Anchors::default();
    let mut root: Option<Node> = None;
    let mut docs = 0;
    while let Some(ev) = parser.next_event() {
        let (ev, span) = ev.ok()?;
        let s = off.byte(span.start.index());
        let e = off.byte(span.end.index()).max(s);
        let node = match ev {
            Event::StreamStart | Event::StreamEnd | Event::Nothing | Event::DocumentEnd => continue,
            Event::DocumentStart(_) => {
                docs += 1;
                if docs > 1 {
                    return None;
                }
                continue;
            }
            Event::MappingStart(anchor, tag) => {
                let s = skip_props(src, s);
                stack.push(Frame::Map {
                    start: s,
                    end: e,
                    entries: Vec::new(),
                    key: None,
                    merges: Vec::new(),
                    anchor,
                    intrinsic: intrinsic(&tag),
                });
                continue;
            }
            Event::SequenceStart(anchor, tag) => {
                let s = skip_props(src, s);
                stack.push(Frame::Seq {
                    start: s,
                    end: e,
                    items: Vec::new(),
                    anchor,
                    intrinsic: intrinsic(&tag),
                });
                continue;
            }
            Event::MappingEnd => match stack.pop()? {
                Frame::Map {
                    start,
                    end,
                    mut entries,
                    merges,
                    anchor: id,
                    intrinsic,
                    ..
                } => {
                    apply_merges(&mut entries, merges);
                    let n = Node::new(base + start..base + end.max(start), V::Map(entries));
                    let n = match intrinsic {
                        Some(k) => wrap_intrinsic(k, n),
                        None => n,
                    };
                    if id != 0 {
                        anchors.add(id, &n, budget);
                    }
                    n
                }
                _ => return None,
            },
            Event::SequenceEnd => match stack.pop()? {
                Frame::Seq {
                    start,
                    end,
                    items,
                    anchor: id,
                    intrinsic,
                } => {
                    let n = Node::new(base + start..base + end.max(start), V::Seq(items));
                    let n = match intrinsic {
                        Some(k) => wrap_intrinsic(k, n),
                        None => n,
                    };
                    if id != 0 {
                        anchors.add(id, &n, budget);
                    }
                    n
                }
                _ => return None,
            },
            Event::Alias(id) => match anchors.map.get(&id) {
                Some((a, w)) if budget.charge(*w, base + s) => {
                    Node::new(base + s..base + e, a.v.clone())
                }
                Some(_) => Node::new(base + s..base + e, V::Expr(src.get(s..e)?.to_string())),
                None if anchors.dropped.contains(&id) => {
                    budget.charge(usize::MAX, base + s);
                    Node::new(base + s..base + e, V::Expr(src.get(s..e)?.to_string()))
                }
                None => return None,
            },
            Event::Scalar(value, style, id, tag) => {
                // A tagged or anchored scalar starts after its properties, as in tree-sitter.
                let s = skip_props(src, s).min(e);
                let (s, e) = if matches!(style, ScalarStyle::Literal | ScalarStyle::Folded) {
                    block_span(src, s, e)
                } else {
                    (s, e)
                };
                let raw_orig = orig.get(s..e).unwrap_or("");
                let v = if raw_orig.contains("{{") {
                    V::Expr(raw_orig.to_string())
                } else if style == ScalarStyle::Plain {
                    plain(&value)
                } else {
                    V::Str(value.into_owned())
                };
                let n = Node::new(base + s..base + e, v);
                let n = match intrinsic(&tag) {
                    Some(k) => wrap_intrinsic(k, n),
                    None => n,
                };
                if id != 0 {
                    anchors.add(id, &n, budget);
                }
                n
            }
        };
        // Attach the finished node to its parent.
        let end = node.span.end - base;
        match stack.last_mut() {
            None => {
                if root.is_some() {
                    return None;
                }
                root = Some(node);
            }
            Some(Frame::Seq { items, end: fe, .. }) => {
                *fe = (*fe).max(end);
                items.push(node);
            }
            Some(Frame::Map {
                entries,
                key,
                merges,
                end: fe,
                ..
            }) => {
                *fe = (*fe).max(end);
                match key.take() {
                    None => {
                        let k = match &node.v {
                            V::Str(s) | V::Num(s) | V::Expr(s) => s.clone(),
                            V::Bool(b) => b.to_string(),
                            V::Null => String::new(),
                            _ => src
                                .get(node.span.start - base..node.span.end - base)
                                .unwrap_or("")
                                .to_string(),
                        };
                        *key = Some((k, node.span.clone()));
                    }
                    Some((k, key_span)) => {
                        if k == "<<" {
                            merge_sources(node, merges);
                        } else {
                            entries.push(Entry {
                                key: k,
                                key_span,
                                value: node,
                            });
                        }
                    }
                }
            }
        }
    }
    if !stack.is_empty() {
        return None;
    }
    root
}

/// Skip `&anchor` / `!tag` properties (and following blanks) at a container start.
fn skip_props(src: &str, mut s: usize) -> usize {
    let b = src.as_bytes();
    while s < b.len() && (b[s] == b'&' || b[s] == b'!') {
        while s < b.len() && !b[s].is_ascii_whitespace() {
            s += 1;
        }
        while s < b.len() && b[s].is_ascii_whitespace() {
            s += 1;
        }
    }
    s
}

/// tree-sitter spans a block scalar from its `|`/`>` indicator to its last non-blank character.
fn block_span(src: &str, s: usize, e: usize) -> (usize, usize) {
    let head = &src[..s.min(src.len())];
    let start = head.rfind(['|', '>']).unwrap_or(s);
    let body = &src[..e.min(src.len())];
    let end = body.trim_end().len().max(start);
    (start, end)
}

/// YAML 1.2 core schema typing of a plain scalar.
fn plain(s: &str) -> V {
    match s {
        "" | "~" | "null" | "Null" | "NULL" => return V::Null,
        "true" | "True" | "TRUE" => return V::Bool(true),
        "false" | "False" | "FALSE" => return V::Bool(false),
        _ => {}
    }
    let b = s.as_bytes();
    let digits = |t: &str| !t.is_empty() && t.bytes().all(|c| c.is_ascii_digit());
    let unsigned = s.strip_prefix(['-', '+']).unwrap_or(s);
    let is_int = digits(unsigned)
        || (s.starts_with("0x") && s.len() > 2 && s[2..].bytes().all(|c| c.is_ascii_hexdigit()))
        || (s.starts_with("0o")
            && s.len() > 2
            && s[2..].bytes().all(|c| (b'0'..=b'7').contains(&c)));
    let is_float = !is_int
        && (b[0].is_ascii_digit() || b[0] == b'.' || b[0] == b'-' || b[0] == b'+')
        && unsigned.parse::<f64>().is_ok()
        && unsigned.bytes().any(|c| c.is_ascii_digit())
        && !unsigned.eq_ignore_ascii_case("inf")
        && !unsigned.eq_ignore_ascii_case("nan")
        || matches!(unsigned, ".inf" | ".Inf" | ".INF")
        || matches!(s, ".nan" | ".NaN" | ".NAN");
    if is_int || is_float {
        V::Num(s.to_string())
    } else {
        V::Str(s.to_string())
    }
}

#[cfg(test)]
mod tests {
    use crate::lang::yaml::parse_with;
    use crate::lang::{Node, V};

    /// Scalars, keys and container starts must agree between the fast and the tree-sitter path.
    fn flatten(n: &Node, out: &mut Vec<String>) {
        match &n.v {
            V::Map(es) => {
                out.push(format!("map@{}", n.span.start));
                for e in es {
                    out.push(format!("key {} {:?}", e.key, e.key_span));
                    flatten(&e.value, out);
                }
            }
            V::Seq(items) => {
                out.push(format!("seq@{}", n.span.start));
                items.iter().for_each(|i| flatten(i, out));
            }
            other => out.push(format!("{other:?} {:?}", n.span)),
        }
    }

    fn same(text: &str) {
        let a = parse_with(text, true);
        let b = parse_with(text, false);
        assert!(
            b.errors.is_empty(),
            "tree-sitter errors on {text:?}: {:?}",
            b.errors
        );
        assert_eq!(a.docs.len(), b.docs.len(), "{text}");
        for (x, y) in a.docs.iter().zip(&b.docs) {
            let (mut fx, mut fy) = (Vec::new(), Vec::new());
            flatten(&x.root, &mut fx);
            flatten(&y.root, &mut fy);
            assert_eq!(fx, fy, "\n--- text ---\n{text}");
        }
    }

    #[test]
    fn agrees_with_tree_sitter() {
        same("a: 1\nb: [x, 'y', \"z\\n\"]\nc: {d: e, f: ~}\n");
        same(
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  labels:\n    app: x\nspec:\n  containers:\n    - name: c\n      image: i:1\n      env:\n        - name: A\n          value: \"b\"\n",
        );
        same("k: |\n  line1\n  line2\nj: >-\n  folded\n  text\nz: plain\n");
        same("base: &b\n  x: 1\nother:\n  <<: *b\n  y: 2\n");
        same(
            "on:\n  push:\n    branches: [main]\npermissions: write-all\njobs:\n  a:\n    steps:\n      - run: echo ${{ secrets.X }}\n",
        );
        same("name: ünïcödé\nv: \"ça\"\n");
        same("- a\n- b: 1\n  c: 2\n- - x\n  - y\n");
        same("k: 'it''s'\nn: 1.5\nt: true\nnul: null\ne:\n");
        same("# c\na: 1 # trailing\n---\nb: 2\n");
        same(
            "R:\n  Type: AWS::IAM::Role\n  Properties:\n    RoleName: !Sub '${AWS::StackName}-x'\n    Arn: !GetAtt Role.Arn\n    L: !Join\n      - ''\n      - [a, !Ref B]\n    M: !If [C, {a: 1}, !Ref AWS::NoValue]\n    N: !Select [0, !GetAZs '']\n    K: !Base64 {Fn::Sub: x}\n    O: !Custom v\n",
        );
    }

    /// Short-form intrinsic tags become their long form on both paths; other tags are dropped.
    #[test]
    fn cloudformation_short_form_tags() {
        let t = "a: !Ref Param\nb: !GetAtt [Role, Arn]\nc: !Sub\n  - '${X}-y'\n  - X: !Ref Z\nd: !Custom v\ne: !!str 1\n";
        for fast in [true, false] {
            let p = parse_with(t, fast);
            assert!(p.errors.is_empty(), "{:?}", p.errors);
            let r = &p.docs[0].root;
            assert_eq!(r.path("a.Ref").and_then(|n| n.as_str()), Some("Param"));
            assert!(r.path("b.Fn::GetAtt").and_then(|n| n.as_seq()).is_some());
            let sub = r.path("c.Fn::Sub").and_then(|n| n.as_seq()).unwrap();
            assert_eq!(sub[1].path("X.Ref").and_then(|n| n.as_str()), Some("Z"));
            assert_eq!(
                r.get("d").and_then(|n| n.as_str()),
                Some("v"),
                "fast={fast}"
            );
        }
    }

    /// Every YAML fixture of the repository that tree-sitter parses cleanly.
    #[test]
    fn agrees_on_testdata() {
        fn visit(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
            for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
                let p = e.path();
                if p.is_dir() {
                    visit(&p, out);
                } else if p.extension().is_some_and(|x| x == "yaml" || x == "yml") {
                    out.push(p);
                }
            }
        }
        let mut files = Vec::new();
        visit(
            std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/testdata")),
            &mut files,
        );
        let mut compared = 0;
        for f in files {
            let Ok(text) = std::fs::read_to_string(&f) else {
                continue;
            };
            if text.contains("{{") || !parse_with(&text, false).errors.is_empty() {
                continue;
            }
            same(&text);
            compared += 1;
        }
        assert!(compared > 0);
    }

    #[test]
    fn helm_and_errors_fall_back() {
        let t = "metadata:\n  name: {{ .Release.Name }}-x\n  labels:\n    {{- include \"l\" . | nindent 4 }}\ndata:\n  k: {{ .Values.k }}\n";
        let a = parse_with(t, true);
        assert!(a.errors.is_empty());
        assert!(a.docs[0].root.path("metadata.name").unwrap().is_expr());
        assert!(a.docs[0].root.path("data.k").unwrap().is_expr());
        let bad = parse_with("a: [unclosed\nb: 2\n", true);
        assert_eq!(bad.errors.len(), 1);
    }
}
