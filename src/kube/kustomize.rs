//! Kustomize, statically: a root `kustomization.yaml` (one no other kustomization references)
//! is rendered from its `resources`/`bases`/`components` within the repository, with
//! `namespace`, `commonLabels`/`labels`/`commonAnnotations`, strategic-merge patches
//! (`patchesStrategicMerge`, `patches`) and JSON 6902 patches (`patchesJson6902`, `patches`;
//! `add`/`replace`/`remove`). Remote resources, generators, `namePrefix`/`nameSuffix` (names stay
//! consistent without them) and replacements are not applied.
//!
//! Files a kustomization uses (resources and patches) are "consumed": the graph sees them only
//! through the rendered roots, so an overlay's change to a base is what the rules evaluate.

use super::{Obj, is_cluster_scoped, lit, objects, shift_spans};
use crate::context::FileUnit;
use crate::lang::Parsed;
use crate::lang::{Entry, Node, V};
use crate::source::FileKind;
use std::collections::{HashMap, HashSet};

const MAX_DEPTH: usize = 16;
/// Objects all renderings of one scan may produce (copies of cached bases included). Past it
/// the kustomization being rendered yields what it has so far and reports the budget error.
pub const MAX_RENDERED_OBJECTS: usize = 200_000;

struct Cx<'a> {
    units: &'a [FileUnit],
    by_path: HashMap<&'a str, usize>,
    /// Directory → kustomization file index.
    kust_by_dir: HashMap<String, usize>,
    consumed: HashSet<usize>,
    /// Each kustomization rendered once: its objects, copied for every other use (a base shared
    /// by several overlays, or listed twice).
    rendered: HashMap<usize, Vec<Obj<'a>>>,
    /// Objects produced so far, against [`MAX_RENDERED_OBJECTS`].
    made: usize,
    /// The kustomization whose rendering went over the budget.
    over_budget: Option<usize>,
}

impl Cx<'_> {
    /// Count `n` new objects; false once over the budget (`k` is then recorded).
    fn charge(&mut self, n: usize, k: usize) -> bool {
        self.made = self.made.saturating_add(n);
        if self.made > max_rendered_objects() {
            self.over_budget.get_or_insert(k);
            return false;
        }
        true
    }
}

/// [`MAX_RENDERED_OBJECTS`], or `NHILINT_KUSTOMIZE_BUDGET` objects (tests use a small one).
pub fn max_rendered_objects() -> usize {
    static B: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *B.get_or_init(|| {
        crate::guard::budget_from_env("NHILINT_KUSTOMIZE_BUDGET", MAX_RENDERED_OBJECTS)
    })
}

/// One object per resource: the same file document, namespace, kind and name listed twice (a
/// diamond of bases) is one object, as Kustomize itself has it (it rejects the duplicate id).
fn dedup_objects(objs: &mut Vec<Obj>) {
    /// File, document, kind, namespace, name.
    type Id = (usize, usize, String, Option<String>, Option<String>);
    let mut seen: HashSet<Id> = HashSet::new();
    objs.retain(|o| {
        seen.insert((
            o.origin,
            o.doc,
            o.kind.clone(),
            o.namespace.clone(),
            o.name.clone(),
        ))
    });
}

fn dir_of(path: &str) -> &str {
    path.rsplit_once('/').map(|(d, _)| d).unwrap_or("")
}

/// `dir` + relative `rel`, normalised (`.` and `..` resolved); None when it leaves the root.
pub fn join(dir: &str, rel: &str) -> Option<String> {
    let mut parts: Vec<&str> = if rel.starts_with('/') {
        Vec::new()
    } else {
        dir.split('/').filter(|p| !p.is_empty()).collect()
    };
    for p in rel.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    Some(parts.join("/"))
}

/// Rendered objects of every root kustomization, and the file indices they consumed.
pub fn render_all(units: &[FileUnit]) -> (Vec<Obj<'_>>, HashSet<usize>) {
    let (objs, consumed, _) = render_all_checked(units);
    (objs, consumed)
}

/// Why a root kustomization did not render completely.
pub enum RenderFailure {
    /// An internal error: the root yields nothing and consumes nothing, so its files keep
    /// their own findings.
    Panic(crate::guard::Panic),
    /// The rendering went over [`MAX_RENDERED_OBJECTS`] (at this kustomization, by index).
    Budget(usize),
}

/// [`render_all`], and the roots whose rendering failed.
pub fn render_all_checked(
    units: &[FileUnit],
) -> (Vec<Obj<'_>>, HashSet<usize>, Vec<(usize, RenderFailure)>) {
    let mut cx = Cx {
        units,
        by_path: units
            .iter()
            .enumerate()
            .map(|(i, u)| (u.file.path.as_str(), i))
            .collect(),
        kust_by_dir: HashMap::new(),
        consumed: HashSet::new(),
        rendered: HashMap::new(),
        made: 0,
        over_budget: None,
    };
    let kusts: Vec<usize> = units
        .iter()
        .enumerate()
        .filter(|(_, u)| u.file.kind == FileKind::Kustomization)
        .map(|(i, _)| i)
        .collect();
    if kusts.is_empty() {
        return (Vec::new(), HashSet::new(), Vec::new());
    }
    for &k in &kusts {
        cx.kust_by_dir
            .insert(dir_of(&units[k].file.path).to_string(), k);
    }
    // Kustomizations referenced by another are not roots.
    let mut referenced = HashSet::new();
    for &k in &kusts {
        let dir = dir_of(&units[k].file.path);
        for key in ["resources", "bases", "components"] {
            for (r, _) in str_list(root(&units[k].parsed), key) {
                if let Some(p) = join(dir, &r)
                    && let Some(&t) = cx.kust_by_dir.get(&p)
                {
                    referenced.insert(t);
                }
            }
        }
    }
    let mut out = Vec::new();
    let mut failed = Vec::new();
    for &k in &kusts {
        if referenced.contains(&k) {
            continue;
        }
        let consumed_before = cx.consumed.clone();
        let over_before = cx.over_budget.is_some();
        match crate::guard::catch(|| render(&mut cx, k, 0, &mut Vec::new())) {
            Ok(mut objs) => {
                for o in &mut objs {
                    o.rendered_by = Some(k);
                }
                out.extend(objs);
                if !over_before && let Some(at) = cx.over_budget {
                    failed.push((k, RenderFailure::Budget(at)));
                }
            }
            Err(p) => {
                cx.consumed = consumed_before;
                failed.push((k, RenderFailure::Panic(p)));
            }
        }
    }
    let mut consumed = cx.consumed;
    consumed.extend(kusts);
    (out, consumed, failed)
}

fn root(p: &Parsed) -> &Node {
    p.roots().into_iter().next().unwrap_or(Node::null())
}

fn str_list<'n>(n: &'n Node, key: &str) -> Vec<(String, &'n Node)> {
    n.get(key)
        .and_then(|s| s.as_seq())
        .map(|items| {
            items
                .iter()
                .filter_map(|i| i.as_str().map(|s| (s.to_string(), i)))
                .collect()
        })
        .unwrap_or_default()
}

/// The objects of kustomization `k`: rendered once, then copied from the cache.
fn render<'a>(cx: &mut Cx<'a>, k: usize, depth: usize, stack: &mut Vec<usize>) -> Vec<Obj<'a>> {
    if depth > MAX_DEPTH || stack.contains(&k) || cx.over_budget.is_some() {
        return Vec::new();
    }
    if let Some(objs) = cx.rendered.get(&k) {
        let n = objs.len();
        let objs = objs.clone();
        return if cx.charge(n, k) { objs } else { Vec::new() };
    }
    let mut objs = render_uncached(cx, k, depth, stack);
    dedup_objects(&mut objs);
    if !cx.charge(objs.len(), k) {
        return Vec::new();
    }
    if cx.over_budget.is_none() {
        cx.rendered.insert(k, objs.clone());
    }
    objs
}

fn render_uncached<'a>(
    cx: &mut Cx<'a>,
    k: usize,
    depth: usize,
    stack: &mut Vec<usize>,
) -> Vec<Obj<'a>> {
    stack.push(k);
    let units = cx.units;
    let kn = root(&units[k].parsed);
    let dir = dir_of(&units[k].file.path).to_string();
    let mut objs: Vec<Obj<'a>> = Vec::new();
    for key in ["resources", "bases"] {
        for (r, _) in str_list(kn, key) {
            objs.extend(resource(cx, &dir, &r, depth, stack));
        }
    }
    // Components: their resources join, their patches apply to everything so far.
    for (r, _) in str_list(kn, "components") {
        if let Some(p) = join(&dir, &r)
            && let Some(&c) = cx.kust_by_dir.get(&p)
            && !stack.contains(&c)
        {
            cx.consumed.insert(c);
            stack.push(c);
            let cn = root(&units[c].parsed);
            for (r2, _) in str_list(cn, "resources") {
                objs.extend(resource(cx, &p, &r2, depth + 1, stack));
            }
            apply_patches(cx, c, &p, &mut objs);
            stack.pop();
        }
    }
    apply_patches(cx, k, &dir, &mut objs);
    // Namespace and common metadata.
    if let Some(ns) = lit(kn.get("namespace")) {
        for o in &mut objs {
            if !is_cluster_scoped(&o.kind) {
                o.namespace = Some(ns.clone());
            }
        }
    }
    let mut meta = Vec::new();
    for key in ["commonLabels", "commonAnnotations"] {
        for e in kn.get(key).map(|m| m.entries()).unwrap_or(&[]) {
            if let Some(v) = e.value.scalar_text() {
                meta.push((e.key.clone(), v));
            }
        }
    }
    for l in kn.get("labels").and_then(|l| l.as_seq()).unwrap_or(&[]) {
        for e in l.get("pairs").map(|m| m.entries()).unwrap_or(&[]) {
            if let Some(v) = e.value.scalar_text() {
                meta.push((e.key.clone(), v));
            }
        }
    }
    if !meta.is_empty() {
        for o in &mut objs {
            o.extra_meta.extend(meta.iter().cloned());
        }
    }
    stack.pop();
    objs
}

fn resource<'a>(
    cx: &mut Cx<'a>,
    dir: &str,
    rel: &str,
    depth: usize,
    stack: &mut Vec<usize>,
) -> Vec<Obj<'a>> {
    if rel.contains("://") || rel.starts_with("github.com/") {
        return Vec::new();
    }
    let Some(p) = join(dir, rel) else {
        return Vec::new();
    };
    if let Some(&sub) = cx.kust_by_dir.get(&p) {
        return render(cx, sub, depth + 1, stack);
    }
    if let Some(&f) = cx.by_path.get(p.as_str()) {
        cx.consumed.insert(f);
        return objects(f, &cx.units[f].parsed);
    }
    Vec::new()
}

/// A patch: its documents (spans already shifted into the patch's file) and optional target.
struct Patch {
    docs: Vec<Node>,
    target: Option<Node>,
}

fn load_patch(cx: &mut Cx, k: usize, dir: &str, entry: &Node) -> Option<Patch> {
    // A string entry is a path (or, in patchesStrategicMerge, an inline patch).
    let (path, inline, target) = match &entry.v {
        V::Str(s) if s.contains('\n') || s.contains(':') && !s.ends_with(".yaml") => {
            (None, Some((s.clone(), entry.span.clone())), None)
        }
        V::Str(s) => (Some(s.clone()), None, None),
        V::Map(_) => (
            entry.get("path").and_then(|p| p.as_str()).map(String::from),
            entry
                .get("patch")
                .and_then(|p| p.as_str().map(|s| (s.to_string(), p.span.clone()))),
            entry.get("target").cloned(),
        ),
        _ => return None,
    };
    let mut docs = Vec::new();
    if let Some(p) = path {
        let full = join(dir, &p)?;
        let &f = cx.by_path.get(full.as_str())?;
        cx.consumed.insert(f);
        for r in cx.units[f].parsed.roots() {
            let mut n = r.clone();
            shift_spans(&mut n, f, 0);
            docs.push(n);
        }
    } else if let Some((text, span)) = inline {
        for d in crate::lang::yaml::parse(&text).docs {
            let mut n = d.root;
            // Inline patches point at the patch string in the kustomization.
            set_spans(&mut n, &span, 0);
            shift_spans(&mut n, k, 0);
            docs.push(n);
        }
    }
    let mut target = target;
    if let Some(t) = &mut target {
        shift_spans(t, k, 0);
    }
    Some(Patch { docs, target })
}

fn set_spans(n: &mut Node, span: &std::ops::Range<usize>, depth: usize) {
    n.span = span.clone();
    if depth > 300 {
        return;
    }
    match &mut n.v {
        V::Seq(items) => items.iter_mut().for_each(|i| set_spans(i, span, depth + 1)),
        V::Map(es) => es.iter_mut().for_each(|e| {
            e.key_span = span.clone();
            set_spans(&mut e.value, span, depth + 1)
        }),
        _ => {}
    }
}

fn apply_patches(cx: &mut Cx, k: usize, dir: &str, objs: &mut [Obj]) {
    let kn = root(&cx.units[k].parsed);
    let mut patches = Vec::new();
    for key in ["patchesStrategicMerge", "patches", "patchesJson6902"] {
        for e in kn.get(key).and_then(|s| s.as_seq()).unwrap_or(&[]) {
            if let Some(p) = load_patch(cx, k, dir, e) {
                patches.push(p);
            }
        }
    }
    for p in patches {
        for doc in &p.docs {
            if let V::Seq(ops) = &doc.v {
                // JSON 6902: needs a target.
                let Some(t) = &p.target else { continue };
                for o in objs.iter_mut() {
                    if target_matches(t, o) {
                        let node = o.node.to_mut();
                        for op in ops {
                            json6902(node, op);
                        }
                        o.refresh();
                    }
                }
            } else if doc.is_map() {
                let kind = doc.get("kind").and_then(|x| x.as_str());
                let name = lit(doc.path("metadata.name"));
                for o in objs.iter_mut() {
                    let hit = match &p.target {
                        Some(t) => target_matches(t, o),
                        None => kind == Some(o.kind.as_str()) && name.is_some() && name == o.name,
                    };
                    if !hit {
                        continue;
                    }
                    let node = o.node.to_mut();
                    let mut d = doc.clone();
                    // The patch never renames its target.
                    if p.target.is_some()
                        && let V::Map(es) = &mut d.v
                    {
                        es.retain(|e| e.key != "metadata" || !e.value.is_map());
                    }
                    merge(node, &d, 0);
                    o.refresh();
                }
            }
        }
    }
}

fn target_matches(t: &Node, o: &Obj) -> bool {
    let field = |k: &str| t.get(k).and_then(|v| v.as_str());
    if let Some(kind) = field("kind")
        && !re_or_eq(kind, &o.kind)
    {
        return false;
    }
    if let Some(name) = field("name")
        && !o.name.as_deref().is_some_and(|n| re_or_eq(name, n))
    {
        return false;
    }
    if let Some(ns) = field("namespace")
        && o.namespace.as_deref().is_some_and(|n| n != ns)
    {
        return false;
    }
    if let Some(sel) = field("labelSelector") {
        for pair in sel.split(',') {
            if let Some((k, v)) = pair.split_once('=')
                && o.label(k.trim()) != Some(v.trim())
            {
                return false;
            }
        }
    }
    true
}

fn re_or_eq(pat: &str, s: &str) -> bool {
    if pat == s {
        return true;
    }
    if pat.chars().any(|c| "*.?[(|^$+".contains(c)) {
        return regex::Regex::new(&format!("^(?:{pat})$")).is_ok_and(|r| r.is_match(s));
    }
    false
}

/// Strategic merge (the subset that matters for identities): maps merge, `null` deletes,
/// lists of named maps (containers, env, volumes) merge by `name`, other lists replace.
pub fn merge(base: &mut Node, patch: &Node, depth: usize) {
    // A patch that restates a scalar (the target's name) keeps the base's location.
    if depth > 100 || !matches!(patch.v, V::Map(_) | V::Seq(_)) && base.v == patch.v {
        return;
    }
    match (&mut base.v, &patch.v) {
        (V::Map(bes), V::Map(pes)) => {
            for pe in pes {
                if pe.key.starts_with("$patch") || pe.key.starts_with("$setElementOrder") {
                    continue;
                }
                let pos = bes.iter().position(|e| e.key == pe.key);
                match (pos, &pe.value.v) {
                    (Some(i), V::Null) => {
                        bes.remove(i);
                    }
                    (Some(i), _) => merge(&mut bes[i].value, &pe.value, depth + 1),
                    (None, V::Null) => {}
                    (None, _) => bes.push(Entry {
                        key: pe.key.clone(),
                        key_span: pe.key_span.clone(),
                        value: pe.value.clone(),
                    }),
                }
            }
        }
        (V::Seq(bitems), V::Seq(pitems))
            if pitems.iter().all(|i| i.get("name").is_some())
                && bitems.iter().all(|i| i.get("name").is_some()) =>
        {
            for pi in pitems {
                let name = pi.get("name").and_then(|n| n.scalar_text());
                let delete = pi.get("$patch").and_then(|d| d.as_str()) == Some("delete");
                let pos = bitems
                    .iter()
                    .position(|b| b.get("name").and_then(|n| n.scalar_text()) == name);
                match (pos, delete) {
                    (Some(i), true) => {
                        bitems.remove(i);
                    }
                    (Some(i), false) => merge(&mut bitems[i], pi, depth + 1),
                    (None, false) => bitems.push(pi.clone()),
                    (None, true) => {}
                }
            }
        }
        _ => *base = patch.clone(),
    }
}

/// One JSON 6902 operation (`add`, `replace`, `remove`).
fn json6902(node: &mut Node, op: &Node) {
    let Some(kind) = op.get("op").and_then(|o| o.as_str()) else {
        return;
    };
    let Some(path) = op.get("path").and_then(|p| p.as_str()) else {
        return;
    };
    let segs: Vec<String> = path
        .split('/')
        .skip(1)
        .map(|s| s.replace("~1", "/").replace("~0", "~"))
        .collect();
    let Some((last, parents)) = segs.split_last() else {
        return;
    };
    let mut cur = node;
    for s in parents {
        let next = match &mut cur.v {
            V::Map(es) => es.iter_mut().find(|e| &e.key == s).map(|e| &mut e.value),
            V::Seq(items) => s.parse::<usize>().ok().and_then(|i| items.get_mut(i)),
            _ => None,
        };
        match next {
            Some(n) => cur = n,
            None => return,
        }
    }
    let value = op.get("value").cloned();
    match (&mut cur.v, kind) {
        (V::Map(es), "remove") => es.retain(|e| &e.key != last),
        (V::Map(es), "add" | "replace") => {
            let Some(v) = value else { return };
            match es.iter_mut().find(|e| &e.key == last) {
                Some(e) => e.value = v,
                None => es.push(Entry {
                    key: last.clone(),
                    key_span: v.span.clone(),
                    value: v,
                }),
            }
        }
        (V::Seq(items), "remove") => {
            if let Ok(i) = last.parse::<usize>()
                && i < items.len()
            {
                items.remove(i);
            }
        }
        (V::Seq(items), "add") => {
            let Some(v) = value else { return };
            match last.parse::<usize>() {
                Ok(i) if i <= items.len() => items.insert(i, v),
                _ if last == "-" => items.push(v),
                _ => {}
            }
        }
        (V::Seq(items), "replace") => {
            if let (Some(v), Ok(i)) = (value, last.parse::<usize>())
                && i < items.len()
            {
                items[i] = v;
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins() {
        assert_eq!(
            join("k/overlays/prod", "../../base").as_deref(),
            Some("k/base")
        );
        assert_eq!(join("", "./a.yaml").as_deref(), Some("a.yaml"));
        assert_eq!(join("a", "../../x"), None);
    }

    #[test]
    fn merges_by_name() {
        let b = crate::lang::yaml::parse("c:\n- name: a\n  image: x\n- name: b\nsa: d\n")
            .docs
            .remove(0)
            .root;
        let p = crate::lang::yaml::parse("c:\n- name: a\n  image: y\nsa: null\nn: 1\n")
            .docs
            .remove(0)
            .root;
        let mut m = b.clone();
        merge(&mut m, &p, 0);
        let c = m.get("c").unwrap().as_seq().unwrap();
        assert_eq!(c.len(), 2);
        assert_eq!(c[0].get("image").unwrap().as_str(), Some("y"));
        assert!(m.get("sa").is_none() && m.get("n").is_some());
        let ops = crate::lang::yaml::parse(
            "- op: add\n  path: /c/1/image\n  value: z\n- op: remove\n  path: /n\n",
        )
        .docs
        .remove(0)
        .root;
        for op in ops.as_seq().unwrap() {
            json6902(&mut m, op);
        }
        assert_eq!(
            m.path("c").unwrap().as_seq().unwrap()[1]
                .get("image")
                .unwrap()
                .as_str(),
            Some("z")
        );
        assert!(m.get("n").is_none());
    }
}
