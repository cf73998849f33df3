//! Declarative matchers: a card's `[match]` table for rules that are a path and a value.
//!
//! ```toml
//! [match]
//! kinds = ["kubernetes"]                      # file kinds (default: all of the card's target)
//! where = { kind = "ClusterRoleBinding|RoleBinding" }  # equalities (`|` = any of) on root paths
//! path = "roleRef.name"                        # dotted path; `*` is any key or list item; `|` alternatives
//! equals = ["cluster-admin"]                   # or: regex = "..."
//! message = "binding `{metadata.name}` grants `{value}`"
//! ```

use crate::lang::{Node, V};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct MatchSpec {
    #[serde(default)]
    pub kinds: Vec<String>,
    #[serde(default, rename = "where")]
    pub where_: BTreeMap<String, String>,
    pub path: String,
    #[serde(default)]
    pub equals: Vec<String>,
    #[serde(default)]
    pub regex: Option<String>,
    pub message: String,
}

pub struct Matcher {
    pub spec: MatchSpec,
    re: Option<regex::Regex>,
}

impl Matcher {
    pub fn compile(spec: &MatchSpec) -> Result<Matcher, regex::Error> {
        let re = spec.regex.as_deref().map(regex::Regex::new).transpose()?;
        Ok(Matcher {
            spec: spec.clone(),
            re,
        })
    }

    pub fn applies_to_kind(&self, kind: &str) -> bool {
        self.spec.kinds.is_empty() || self.spec.kinds.iter().any(|k| k == kind)
    }

    /// Matching nodes of one document root, with the message rendered.
    pub fn run<'a>(&self, root: &'a Node) -> Vec<(&'a Node, String)> {
        for (p, want) in &self.spec.where_ {
            match root.path(p).and_then(|n| n.scalar_text()) {
                Some(v) if want.split('|').any(|w| w == v) => {}
                _ => return Vec::new(),
            }
        }
        let mut hits = Vec::new();
        for alt in self.spec.path.split('|') {
            let segs: Vec<&str> = alt.split('.').collect();
            collect(root, &segs, &mut hits);
        }
        hits.into_iter()
            .filter_map(|n| {
                let val = n.scalar_text()?;
                let ok = if let Some(re) = &self.re {
                    re.is_match(&val)
                } else {
                    self.spec.equals.contains(&val)
                };
                ok.then(|| (n, render(&self.spec.message, root, &val)))
            })
            .collect()
    }
}

fn collect<'a>(n: &'a Node, segs: &[&str], out: &mut Vec<&'a Node>) {
    let Some((first, rest)) = segs.split_first() else {
        match &n.v {
            V::Seq(items) => out.extend(items.iter()),
            _ => out.push(n),
        }
        return;
    };
    if *first == "*" {
        match &n.v {
            V::Seq(items) => items.iter().for_each(|i| collect(i, rest, out)),
            V::Map(es) => es.iter().for_each(|e| collect(&e.value, rest, out)),
            _ => {}
        }
    } else if let V::Seq(items) = &n.v {
        items.iter().for_each(|i| collect(i, segs, out));
    } else if let Some(c) = n.get(first) {
        collect(c, rest, out);
    }
}

fn render(msg: &str, root: &Node, value: &str) -> String {
    let mut out = String::new();
    let mut rest = msg;
    while let Some(i) = rest.find('{') {
        out.push_str(&rest[..i]);
        let Some(j) = rest[i..].find('}') else { break };
        let key = &rest[i + 1..i + j];
        let v = if key == "value" {
            Some(value.to_string())
        } else {
            root.path(key).and_then(|n| n.scalar_text())
        };
        out.push_str(v.as_deref().unwrap_or("?"));
        rest = &rest[i + j + 1..];
    }
    out.push_str(rest);
    out
}
