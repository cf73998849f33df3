//! The trust graph as a diagram (Graphviz DOT, Mermaid): consumers → identities ← trusted
//! principals, one node per fact, deterministic order.

use super::model::Inventory;
use std::collections::BTreeMap;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Shape {
    Consumer,
    Identity,
    Principal,
    Unresolved,
}

struct Node {
    shape: Shape,
    lines: Vec<String>,
    /// admin identities and broad principals are drawn in red.
    alert: bool,
}

struct Edge {
    from: String,
    to: String,
    label: String,
    dashed: bool,
    alert: bool,
}

struct View {
    /// key → node; keys are fact ids (sorted map: deterministic output).
    nodes: BTreeMap<String, Node>,
    edges: Vec<Edge>,
}

fn short(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(n.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

fn consumer_lines(id: &str) -> Vec<String> {
    match id.split_once('#') {
        Some((p, a)) => vec![short(p.rsplit('/').next().unwrap_or(p), 40), short(a, 40)],
        None => vec![short(id, 40)],
    }
}

fn view(inv: &Inventory) -> View {
    let mut nodes: BTreeMap<String, Node> = BTreeMap::new();
    let mut edges = Vec::new();
    let wanted_identities: std::collections::BTreeSet<&str> = inv
        .trust
        .iter()
        .map(|t| t.identity.as_str())
        .chain(inv.usages.iter().filter_map(|u| u.identity.as_deref()))
        .collect();
    for i in &inv.identities {
        let consumer_side = inv.usages.iter().any(|u| u.consumer == i.id);
        if !wanted_identities.contains(i.id.as_str()) && (consumer_side || i.trust.is_empty()) {
            continue;
        }
        let mut lines = vec![format!("{} {}", i.kind, short(&i.name, 40))];
        if i.privilege != "unknown" {
            lines.push(format!("privilege: {}", i.privilege));
        }
        if !i.environments.is_empty() {
            lines.push(format!("env: {}", i.environments.join(", ")));
        }
        lines.push(format!("{}:{}", i.path, i.start_line));
        nodes.insert(
            i.id.clone(),
            Node {
                shape: Shape::Identity,
                lines,
                alert: i.privilege == "admin",
            },
        );
    }
    for t in &inv.trust {
        let key = format!("trust:{}", t.id);
        let mut lines = vec![match t.family.as_str() {
            "github" => "GitHub OIDC".to_string(),
            "gitlab" => "GitLab OIDC".to_string(),
            "kubernetes" => "Kubernetes ServiceAccount".to_string(),
            _ => t.kind.clone(),
        }];
        let subs: Vec<String> = t
            .conditions
            .iter()
            .filter(|c| crate::graph::oidc::is_sub_key(&c.key))
            .flat_map(|c| {
                c.values
                    .iter()
                    .map(move |v| format!("{} {}", c.operator, v))
            })
            .collect();
        if subs.is_empty() {
            lines.push(short(&t.principal, 60));
        } else {
            lines.extend(subs.iter().take(4).map(|s| short(s, 60)));
        }
        for a in t.admits.iter().take(3) {
            lines.push(format!("admits {}", a.replace('`', "")));
        }
        if let Some(c) = &t.change {
            lines.push(format!("({c})"));
        }
        nodes.insert(
            key.clone(),
            Node {
                shape: Shape::Principal,
                lines,
                alert: t.breadth >= 2,
            },
        );
        if !nodes.contains_key(&t.identity) {
            nodes.insert(
                t.identity.clone(),
                Node {
                    shape: Shape::Unresolved,
                    lines: vec![short(&t.identity, 60)],
                    alert: false,
                },
            );
        }
        edges.push(Edge {
            from: key,
            to: t.identity.clone(),
            label: "trusted by".into(),
            dashed: false,
            alert: t.breadth >= 2,
        });
    }
    for u in &inv.usages {
        if !nodes.contains_key(&u.consumer) {
            nodes.insert(
                u.consumer.clone(),
                Node {
                    shape: Shape::Consumer,
                    lines: consumer_lines(&u.consumer),
                    alert: false,
                },
            );
        }
        let to = match &u.identity {
            Some(i) => i.clone(),
            None => {
                let key = format!("ref:{}", u.identity_ref);
                nodes.entry(key.clone()).or_insert_with(|| Node {
                    shape: Shape::Unresolved,
                    lines: vec![
                        format!("{:?}", u.resolution).to_lowercase(),
                        short(&u.identity_ref, 60),
                    ],
                    alert: false,
                });
                key
            }
        };
        let admitted = match u.admitted {
            Some(crate::graph::oidc::Tri::Yes) => " (admitted)",
            Some(crate::graph::oidc::Tri::Maybe) => " (maybe)",
            Some(crate::graph::oidc::Tri::No) => " (refused)",
            None => "",
        };
        edges.push(Edge {
            from: u.consumer.clone(),
            to,
            label: format!("{}{admitted}", u.kind),
            dashed: u.identity.is_none() || u.admitted == Some(crate::graph::oidc::Tri::No),
            alert: false,
        });
    }
    calls(inv, &mut nodes, &mut edges);
    edges.sort_by(|a, b| (&a.from, &a.to, &a.label).cmp(&(&b.from, &b.to, &b.label)));
    edges.dedup_by(|a, b| a.from == b.from && a.to == b.to && a.label == b.label);
    View { nodes, edges }
}

/// App-to-app edges: mesh callers → callee workloads, agents → tool servers → credentials.
fn calls(inv: &Inventory, nodes: &mut BTreeMap<String, Node>, edges: &mut Vec<Edge>) {
    let identity_node = |id: &str| -> Node {
        let lines = match inv.identities.iter().find(|i| i.id == id) {
            Some(i) => vec![
                format!("{} {}", i.kind, short(&i.name, 40)),
                format!("{}:{}", i.path, i.start_line),
            ],
            None => vec![short(id, 60)],
        };
        Node {
            shape: Shape::Identity,
            lines,
            alert: false,
        }
    };
    for c in &inv.calls {
        if c.kind == "mcp-server" {
            let agent = format!("agent:{}", c.from);
            nodes.entry(agent.clone()).or_insert_with(|| Node {
                shape: Shape::Consumer,
                lines: vec![short(&c.from, 60)],
                alert: false,
            });
            nodes
                .entry(c.to.clone())
                .or_insert_with(|| identity_node(&c.to));
            edges.push(Edge {
                from: agent,
                to: c.to.clone(),
                label: "starts / calls".into(),
                dashed: false,
                alert: false,
            });
            for cred in &c.credentials {
                let (storage, place) = inv
                    .credentials
                    .iter()
                    .find(|x| &x.id == cred)
                    .map(|x| {
                        (
                            x.storage.clone(),
                            x.id.rsplit('/').next().unwrap_or("").to_string(),
                        )
                    })
                    .unwrap_or_default();
                let key = format!("cred:{cred}");
                nodes.entry(key.clone()).or_insert_with(|| Node {
                    shape: Shape::Unresolved,
                    lines: vec![format!("credential {}", short(&place, 40)), storage.clone()],
                    alert: storage == "literal",
                });
                edges.push(Edge {
                    from: c.to.clone(),
                    to: key,
                    label: "holds".into(),
                    dashed: false,
                    alert: storage == "literal",
                });
            }
            continue;
        }
        let caller = match &c.caller_identity {
            Some(id) => {
                nodes.entry(id.clone()).or_insert_with(|| identity_node(id));
                id.clone()
            }
            None => {
                let key = format!("caller:{}", c.from);
                nodes.entry(key.clone()).or_insert_with(|| Node {
                    shape: Shape::Principal,
                    lines: vec![
                        if c.any_caller {
                            "any caller".to_string()
                        } else {
                            "mesh principal".to_string()
                        },
                        short(&c.from, 60),
                    ],
                    alert: c.any_caller,
                });
                key
            }
        };
        let mut callees: Vec<String> = c.callee_workloads.clone();
        for w in &callees {
            nodes.entry(w.clone()).or_insert_with(|| Node {
                shape: Shape::Consumer,
                lines: consumer_lines(w),
                alert: false,
            });
        }
        if callees.is_empty() {
            let key = format!("callee:{}", c.to);
            nodes.entry(key.clone()).or_insert_with(|| Node {
                shape: Shape::Unresolved,
                lines: vec![short(&c.to, 60)],
                alert: false,
            });
            callees.push(key);
        }
        for to in callees {
            edges.push(Edge {
                from: caller.clone(),
                to,
                label: format!("{} may call", c.kind.trim_end_matches("-allow")),
                dashed: false,
                alert: c.any_caller,
            });
        }
    }
}

impl View {
    /// Short node names (`n0`, `n1`...) in key order.
    fn names(&self) -> BTreeMap<&str, String> {
        self.nodes
            .keys()
            .enumerate()
            .map(|(n, k)| (k.as_str(), format!("n{n}")))
            .collect()
    }
}

/// Escape one label character by character: `rule` gives a replacement or `None` to keep it;
/// line breaks become spaces and other control characters are dropped.
fn escape(s: &str, rule: fn(char) -> Option<&'static str>) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        if let Some(r) = rule(c) {
            o.push_str(r);
        } else if c == '\n' || c == '\r' {
            o.push(' ');
        } else if !c.is_control() {
            o.push(c);
        }
    }
    o
}

fn dot_escape(s: &str) -> String {
    escape(s, |c| match c {
        '\\' => Some("\\\\"),
        '"' => Some("\\\""),
        _ => None,
    })
}

/// Graphviz DOT.
pub fn render_dot(inv: &Inventory) -> String {
    let v = view(inv);
    let names = v.names();
    let mut s = String::from(
        "digraph nhilint {\n  rankdir=LR;\n  node [fontname=\"Helvetica\", fontsize=10];\n  edge [fontname=\"Helvetica\", fontsize=9];\n",
    );
    for (k, n) in &v.nodes {
        let shape = match n.shape {
            Shape::Consumer => "box",
            Shape::Identity => "ellipse",
            Shape::Principal => "note",
            Shape::Unresolved => "plaintext",
        };
        let label = n
            .lines
            .iter()
            .map(|l| dot_escape(l))
            .collect::<Vec<_>>()
            .join("\\n");
        let color = if n.alert { ", color=\"red\"" } else { "" };
        s.push_str(&format!(
            "  {} [shape={shape}, label=\"{label}\"{color}];\n",
            names[k.as_str()]
        ));
    }
    for e in &v.edges {
        let (Some(a), Some(b)) = (names.get(e.from.as_str()), names.get(e.to.as_str())) else {
            continue;
        };
        let mut attrs = format!("label=\"{}\"", dot_escape(&e.label));
        if e.dashed {
            attrs.push_str(", style=dashed");
        }
        if e.alert {
            attrs.push_str(", color=\"red\"");
        }
        s.push_str(&format!("  {a} -> {b} [{attrs}];\n"));
    }
    s.push_str("}\n");
    s
}

fn mermaid_escape(s: &str) -> String {
    escape(s, |c| match c {
        '"' => Some("#quot;"),
        '<' => Some("#lt;"),
        '>' => Some("#gt;"),
        '`' => Some("#96;"),
        _ => None,
    })
}

/// Mermaid flowchart (renders in GitHub and GitLab markdown).
pub fn render_mermaid(inv: &Inventory) -> String {
    let v = view(inv);
    let names = v.names();
    let mut s = String::from("flowchart LR\n");
    let mut alerts = Vec::new();
    for (k, n) in &v.nodes {
        let label = n
            .lines
            .iter()
            .map(|l| mermaid_escape(l))
            .collect::<Vec<_>>()
            .join("<br/>");
        let id = &names[k.as_str()];
        let node = match n.shape {
            Shape::Consumer => format!("{id}[\"{label}\"]"),
            Shape::Identity => format!("{id}([\"{label}\"])"),
            Shape::Principal => format!("{id}{{{{\"{label}\"}}}}"),
            Shape::Unresolved => format!("{id}>\"{label}\"]"),
        };
        s.push_str(&format!("  {node}\n"));
        if n.alert {
            alerts.push(id.clone());
        }
    }
    for e in &v.edges {
        let (Some(a), Some(b)) = (names.get(e.from.as_str()), names.get(e.to.as_str())) else {
            continue;
        };
        let arrow = if e.dashed { "-.->" } else { "-->" };
        s.push_str(&format!(
            "  {a} {arrow}|\"{}\"| {b}\n",
            mermaid_escape(&e.label)
        ));
    }
    if !alerts.is_empty() {
        s.push_str("  classDef alert stroke:#d00,stroke-width:2px\n");
        s.push_str(&format!("  class {} alert\n", alerts.join(",")));
    }
    s
}
