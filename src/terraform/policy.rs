//! One IAM policy IR for every way a policy is written: `jsonencode({…})`, heredoc or quoted
//! JSON strings (spans mapped back into the `.tf` file), `file()`/`templatefile()` of a JSON
//! file, and `data "aws_iam_policy_document"` (statement blocks, `dynamic "statement"`,
//! `source_policy_documents`, `override_policy_documents`).

use super::eval::{At, FileRef, K, Val};
use crate::lang::{Node, V};

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Effect {
    Allow,
    Deny,
    Unknown,
}

#[derive(Clone, Debug)]
pub struct Principal {
    /// `*` (the bare wildcard principal), `AWS`, `Service`, `Federated`, `CanonicalUser`, `?`.
    pub kind: String,
    pub v: Val,
}

#[derive(Clone, Debug)]
pub struct Cond {
    /// As written: `StringLike`, `ForAnyValue:StringEquals`, `ArnLikeIfExists`, ...
    pub op: String,
    pub key: String,
    pub values: Vec<Val>,
    pub at: At,
}

#[derive(Clone, Debug)]
pub struct Stmt {
    pub sid: Option<String>,
    pub effect: Effect,
    pub actions: Vec<Val>,
    pub not_actions: Option<Vec<Val>>,
    pub resources: Vec<Val>,
    pub not_resources: Option<Vec<Val>>,
    pub principals: Vec<Principal>,
    pub not_principals: Option<Vec<Principal>>,
    pub conditions: Vec<Cond>,
    pub at: At,
}

impl Stmt {
    /// A resource-based (or trust) statement names principals; identity policies never do.
    pub fn has_principal(&self) -> bool {
        !self.principals.is_empty() || self.not_principals.is_some()
    }

    /// The format-neutral view [`crate::iam`] classifies (unknown parts rendered `${…}`).
    pub fn neutral(&self) -> crate::iam::aws::Statement {
        let strs = |l: &[Val]| l.iter().map(|v| v.display()).collect::<Vec<_>>();
        crate::iam::aws::Statement {
            allow: self.effect == Effect::Allow,
            actions: strs(&self.actions),
            not_actions: self.not_actions.as_deref().map(strs),
            resources: strs(&self.resources),
            not_resources: self.not_resources.as_deref().map(strs),
            conditions: self
                .conditions
                .iter()
                .map(|c| crate::iam::aws::Cond {
                    op: c.op.clone(),
                    key: c.key.clone(),
                    values: strs(&c.values),
                })
                .collect(),
        }
    }
}

#[derive(Clone, Debug)]
pub struct Policy {
    pub stmts: Vec<Stmt>,
    pub at: At,
    /// Set when (part of) the document could not be evaluated.
    pub unknown: Option<String>,
}

/// Parse the JSON text of a string value into a located value (spans mapped back into the
/// file the string was written in).
pub fn json_string_to_val(v: &Val, files: &[FileRef]) -> Option<Val> {
    let s = v.str()?;
    let t = s.trim_start();
    if !(t.starts_with('{') || t.starts_with('[')) {
        return None;
    }
    let doc = crate::lang::json::parse(s).ok()?;
    let src = files
        .get(v.at.file)
        .and_then(|f| f.text.get(v.at.span.clone()))
        .unwrap_or("");
    let map = align(src, s);
    let base = v.at.span.start;
    let to_at = |sp: &std::ops::Range<usize>| -> At {
        let a = map.get(sp.start).copied().unwrap_or(0);
        let b = if sp.end > sp.start {
            map.get(sp.end - 1).copied().unwrap_or(a) + 1
        } else {
            a
        };
        At {
            file: v.at.file,
            span: base + a..base + b.max(a),
        }
    };
    let mut out = node_to_val(&doc.root, &to_at, 0);
    if v.is_unknown() {
        // Keep the unevaluated marker on strings that still hold `${…}` text.
        mark_partial(&mut out);
    }
    add_via(&mut out, &v.via);
    Some(out)
}

fn mark_partial(v: &mut Val) {
    match &mut v.k {
        K::Str(s, p) if s.contains("${") => *p = true,
        K::List(items) => items.iter_mut().for_each(mark_partial),
        K::Obj(es) => es.iter_mut().for_each(|(_, x)| mark_partial(x)),
        _ => {}
    }
}

fn add_via(v: &mut Val, via: &[At]) {
    if via.is_empty() {
        return;
    }
    v.via.extend(via.iter().cloned());
    match &mut v.k {
        K::List(items) => items.iter_mut().for_each(|x| add_via(x, via)),
        K::Obj(es) => es.iter_mut().for_each(|(_, x)| add_via(x, via)),
        _ => {}
    }
}

fn node_to_val(n: &Node, to_at: &dyn Fn(&std::ops::Range<usize>) -> At, depth: usize) -> Val {
    let at = to_at(&n.span);
    if depth > 64 {
        return Val::unknown("too deep", at);
    }
    let k = match &n.v {
        V::Null => K::Null,
        V::Bool(b) => K::Bool(*b),
        V::Num(s) => K::Num(s.clone()),
        V::Str(s) => K::Str(s.clone(), false),
        V::Seq(items) => K::List(
            items
                .iter()
                .map(|i| node_to_val(i, to_at, depth + 1))
                .collect(),
        ),
        V::Map(es) => K::Obj(
            es.iter()
                .map(|e| (e.key.clone(), node_to_val(&e.value, to_at, depth + 1)))
                .collect(),
        ),
        V::Expr(t) => K::Unknown(t.clone()),
        _ => K::Unknown(String::new()),
    };
    Val::new(k, at)
}

/// Map each byte offset of `decoded` to an offset in `src` (the source text the string was
/// decoded from: a heredoc, a quoted string with escapes, or the file itself). Greedy, bounded,
/// approximate only where the two diverge (escapes, dedent, template substitutions).
pub fn align(src: &str, decoded: &str) -> Vec<usize> {
    let sb = src.as_bytes();
    let db = decoded.as_bytes();
    let mut map = vec![0usize; db.len() + 1];
    // Anchor: the first non-space byte of the decoded text.
    let first = db.iter().position(|b| !b.is_ascii_whitespace());
    let mut si = match first {
        Some(fi) => sb
            .iter()
            .position(|&b| b == db[fi])
            .map(|p| p.saturating_sub(fi))
            .unwrap_or(0),
        None => 0,
    };
    for (di, &c) in db.iter().enumerate() {
        let mut j = si;
        let limit = (si + 96).min(sb.len());
        while j < limit && sb[j] != c {
            j += 1;
        }
        if j < limit && (j - si < 16 || c.is_ascii_punctuation() && c != b'"') {
            map[di] = j;
            si = j + 1;
        } else {
            map[di] = si.min(sb.len().saturating_sub(1));
        }
    }
    map[db.len()] = si;
    map
}

/// Build the IR from an evaluated JSON-shaped value (jsonencode object or parsed JSON).
pub fn from_json_val(v: &Val) -> Policy {
    let mut p = Policy {
        stmts: Vec::new(),
        at: v.at.clone(),
        unknown: None,
    };
    let Some(st) = v.get_ci("Statement") else {
        p.unknown = Some(match &v.k {
            K::Obj(_) => "no Statement".into(),
            _ => v.display(),
        });
        return p;
    };
    if let K::Unknown(t) = &st.k {
        p.unknown = Some(t.clone());
        return p;
    }
    for s in st.items() {
        if let K::Unknown(t) = &s.k {
            p.unknown = Some(t.clone());
            continue;
        }
        if !matches!(s.k, K::Obj(_)) {
            continue;
        }
        let list = |key: &str| {
            s.get_ci(key)
                .map(|x| x.items().into_iter().cloned().collect::<Vec<_>>())
        };
        let principals = |key: &str| -> Option<Vec<Principal>> {
            let pv = s.get_ci(key)?;
            let mut out = Vec::new();
            match &pv.k {
                K::Obj(es) => {
                    for (k, vals) in es {
                        for it in vals.items() {
                            out.push(Principal {
                                kind: k.clone(),
                                v: it.clone(),
                            });
                        }
                    }
                }
                K::Str(s, _) if s == "*" => out.push(Principal {
                    kind: "*".into(),
                    v: pv.clone(),
                }),
                _ => out.push(Principal {
                    kind: "?".into(),
                    v: pv.clone(),
                }),
            }
            Some(out)
        };
        let mut conditions = Vec::new();
        if let Some(c) = s.get_ci("Condition") {
            if !matches!(c.k, K::Obj(_) | K::Null) {
                // A condition block that is not known statically may restrict anything.
                conditions.push(Cond {
                    op: "?".into(),
                    key: "?".into(),
                    values: vec![c.clone()],
                    at: c.at.clone(),
                });
            }
            for (op, kv) in c.entries() {
                for (key, vals) in kv.entries() {
                    conditions.push(Cond {
                        op: op.clone(),
                        key: key.clone(),
                        values: vals.items().into_iter().cloned().collect(),
                        at: vals.at.clone(),
                    });
                }
                if !matches!(kv.k, K::Obj(_)) {
                    conditions.push(Cond {
                        op: op.clone(),
                        key: "?".into(),
                        values: vec![kv.clone()],
                        at: kv.at.clone(),
                    });
                }
            }
        }
        p.stmts.push(Stmt {
            sid: s.get_ci("Sid").and_then(|x| x.scalar()),
            effect: effect_of(s.get_ci("Effect")),
            actions: list("Action").unwrap_or_default(),
            not_actions: list("NotAction"),
            resources: list("Resource").unwrap_or_default(),
            not_resources: list("NotResource"),
            principals: principals("Principal").unwrap_or_default(),
            not_principals: principals("NotPrincipal"),
            conditions,
            at: s.at.clone(),
        });
    }
    p
}

fn effect_of(v: Option<&Val>) -> Effect {
    match v.and_then(|e| e.scalar()) {
        Some(e) if e.eq_ignore_ascii_case("allow") => Effect::Allow,
        Some(e) if e.eq_ignore_ascii_case("deny") => Effect::Deny,
        Some(_) => Effect::Unknown,
        None if v.is_none() => Effect::Allow,
        None => Effect::Unknown,
    }
}

/// Build the IR from the evaluated body of a `data "aws_iam_policy_document"` block.
/// `resolve` turns referenced documents (source/override) into policies.
pub fn from_document(body: &Val, resolve: &mut dyn FnMut(&Val) -> Option<Policy>) -> Policy {
    let mut p = Policy {
        stmts: Vec::new(),
        at: body.at.clone(),
        unknown: None,
    };
    let mut sources = |key: &str, p: &mut Policy| -> Vec<Stmt> {
        let mut out = Vec::new();
        if let Some(list) = body.get(key) {
            if let K::Unknown(t) = &list.k {
                p.unknown = Some(t.clone());
            }
            for it in list.items() {
                match resolve(it) {
                    Some(sub) => {
                        if let Some(u) = sub.unknown {
                            p.unknown = Some(u);
                        }
                        out.extend(sub.stmts);
                    }
                    None => p.unknown = Some(it.display()),
                }
            }
        }
        out
    };
    let src = sources("source_policy_documents", &mut p);
    let ovr = sources("override_policy_documents", &mut p);
    let mut own = Vec::new();
    for s in body.get_all("statement") {
        if let K::Unknown(t) = &s.k {
            p.unknown = Some(t.clone());
            continue;
        }
        let list = |key: &str| {
            s.get(key)
                .map(|x| x.items().into_iter().cloned().collect::<Vec<_>>())
        };
        let principals = |key: &str| -> Option<Vec<Principal>> {
            let mut any = false;
            let mut out = Vec::new();
            for pb in s.get_all(key) {
                any = true;
                let kind = pb
                    .get("type")
                    .and_then(|t| t.scalar())
                    .unwrap_or_else(|| "?".into());
                match pb.get("identifiers") {
                    Some(ids) => {
                        for id in ids.items() {
                            let kind = if kind == "AWS" && id.known_str() == Some("*") {
                                "AWS".to_string()
                            } else {
                                kind.clone()
                            };
                            out.push(Principal {
                                kind,
                                v: id.clone(),
                            });
                        }
                    }
                    None => out.push(Principal {
                        kind: kind.clone(),
                        v: Val::unknown("identifiers", pb.at.clone()),
                    }),
                }
            }
            any.then_some(out)
        };
        let mut conditions = Vec::new();
        for c in s.get_all("condition") {
            let op = c
                .get("test")
                .and_then(|t| t.scalar())
                .unwrap_or_else(|| "?".into());
            let key = c
                .get("variable")
                .and_then(|t| t.str().map(str::to_string))
                .unwrap_or_else(|| "?".into());
            let values = c
                .get("values")
                .map(|v| v.items().into_iter().cloned().collect())
                .unwrap_or_default();
            conditions.push(Cond {
                op,
                key,
                values,
                at: c.at.clone(),
            });
        }
        own.push(Stmt {
            sid: s.get("sid").and_then(|x| x.scalar()),
            effect: effect_of(s.get("effect")),
            actions: list("actions").unwrap_or_default(),
            not_actions: list("not_actions"),
            resources: list("resources").unwrap_or_default(),
            not_resources: list("not_resources"),
            principals: principals("principals").unwrap_or_default(),
            not_principals: principals("not_principals"),
            conditions,
            at: s.at.clone(),
        });
    }
    // Merge as Terraform does: sources, then own statements replacing same-sid ones, then
    // overrides replacing same-sid ones.
    let mut merged: Vec<Stmt> = src;
    for layer in [own, ovr] {
        for s in layer {
            match s.sid.as_ref().and_then(|sid| {
                merged
                    .iter()
                    .position(|m| m.sid.as_deref() == Some(sid.as_str()))
            }) {
                Some(i) => merged[i] = s,
                None => merged.push(s),
            }
        }
    }
    p.stmts = merged;
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn align_heredoc_and_escapes() {
        let src = "<<-EOF\n    {\"A\": \"*\"}\n  EOF";
        let dec = "{\"A\": \"*\"}\n";
        let m = align(src, dec);
        assert_eq!(&src[m[7]..m[7] + 1], "*");
        let src2 = "\"{\\\"A\\\": \\\"*\\\"}\"";
        let dec2 = "{\"A\": \"*\"}";
        let m2 = align(src2, dec2);
        assert_eq!(&src2[m2[7]..m2[7] + 1], "*");
    }
}
