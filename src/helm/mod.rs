//! Helm charts rendered in process: Go `text/template` ([`template`], [`exec`]), Helm and
//! Sprig functions ([`funcs`]), chart loading with subcharts, value scoping and `global`, and a
//! source map from every rendered byte to the template span that produced it.
//!
//! Rendering degrades, never fails: a template that cannot be parsed or executed gets an error
//! naming its template, line and function, and the chart's other templates still render.

pub mod archive;
pub mod exec;
pub mod funcs;
pub mod scan;

pub mod semver;
pub mod template;
pub mod value;

use exec::{Body, Exec, Out, Seg, Set};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use value::{Value, new_map};

/// Largest file a chart may hold that is read (templates, values, `.Files`).
const MAX_FILE: u64 = 4 << 20;
/// Most files read from one chart (with its subcharts).
const MAX_FILES: usize = 5_000;
/// Most bytes read from one chart (with its subcharts).
const MAX_BYTES: u64 = 64 << 20;
/// Most maps of the values indexed for the values source map.
const MAX_INDEXED_MAPS: usize = 100_000;
/// Deepest subchart nesting followed.
const MAX_CHART_DEPTH: usize = 8;

/// What a rendering assumes about the release and the cluster.
#[derive(Clone, Debug)]
pub struct Options {
    pub release_name: String,
    pub namespace: String,
    pub kube_version: String,
    pub api_versions: Vec<String>,
    /// Values given over the chart's defaults (a `values-*.yaml` file, configured values).
    pub values: Option<Value>,
}

/// API group versions a default Helm 4 offline rendering reports.
pub const DEFAULT_API_VERSIONS: &str = "v1 admissionregistration.k8s.io/v1 admissionregistration.k8s.io/v1alpha1 admissionregistration.k8s.io/v1beta1 internal.apiserver.k8s.io/v1alpha1 apps/v1 apps/v1beta1 apps/v1beta2 authentication.k8s.io/v1 authentication.k8s.io/v1alpha1 authentication.k8s.io/v1beta1 authorization.k8s.io/v1 authorization.k8s.io/v1beta1 autoscaling/v1 autoscaling/v2 batch/v1 batch/v1beta1 certificates.k8s.io/v1 certificates.k8s.io/v1beta1 certificates.k8s.io/v1alpha1 coordination.k8s.io/v1alpha2 coordination.k8s.io/v1beta1 coordination.k8s.io/v1 discovery.k8s.io/v1 discovery.k8s.io/v1beta1 events.k8s.io/v1 events.k8s.io/v1beta1 extensions/v1beta1 flowcontrol.apiserver.k8s.io/v1 flowcontrol.apiserver.k8s.io/v1beta1 flowcontrol.apiserver.k8s.io/v1beta2 flowcontrol.apiserver.k8s.io/v1beta3 networking.k8s.io/v1 networking.k8s.io/v1beta1 node.k8s.io/v1 node.k8s.io/v1alpha1 node.k8s.io/v1beta1 policy/v1 policy/v1beta1 rbac.authorization.k8s.io/v1 rbac.authorization.k8s.io/v1beta1 rbac.authorization.k8s.io/v1alpha1 resource.k8s.io/v1 resource.k8s.io/v1beta2 resource.k8s.io/v1beta1 resource.k8s.io/v1alpha3 scheduling.k8s.io/v1alpha2 scheduling.k8s.io/v1beta1 scheduling.k8s.io/v1 storage.k8s.io/v1beta1 storage.k8s.io/v1 storage.k8s.io/v1alpha1 storagemigration.k8s.io/v1beta1 apiextensions.k8s.io/v1beta1 apiextensions.k8s.io/v1";

impl Default for Options {
    fn default() -> Options {
        Options {
            release_name: "release-name".into(),
            namespace: "default".into(),
            kube_version: "v1.36.0".into(),
            api_versions: DEFAULT_API_VERSIONS
                .split(' ')
                .map(str::to_string)
                .collect(),
            values: None,
        }
    }
}

/// A chart read from disk.
#[derive(Clone, Debug, Default)]
pub struct Chart {
    pub name: String,
    /// Directory on disk.
    pub dir: PathBuf,
    pub meta: Value,
    pub values: Value,
    /// The text of `values.yaml`, if any.
    pub values_text: Option<std::sync::Arc<str>>,
    /// `templates/...` path (relative to the chart) and text.
    pub templates: Vec<(String, String)>,
    pub files: BTreeMap<String, Vec<u8>>,
    pub subcharts: Vec<Chart>,
}

impl Chart {
    /// A chart with no files yet: metadata from `Chart.yaml`, default values from `values.yaml`
    /// (absent or not a mapping: empty).
    fn from_meta(
        dir: &Path,
        meta_text: &[u8],
        values_text: Option<&[u8]>,
    ) -> Result<Chart, String> {
        let meta = value::parse_yaml(&String::from_utf8_lossy(meta_text))
            .map_err(|e| format!("Chart.yaml: {e}"))?;
        let name = meta
            .get("name")
            .map(|v| funcs::strval(&v))
            .unwrap_or_default();
        let values = match values_text {
            Some(t) => value::parse_yaml(&String::from_utf8_lossy(t))
                .map_err(|e| format!("values.yaml: {e}"))?,
            None => Value::Nil,
        };
        let values = match values {
            Value::Map(_) => values,
            _ => new_map(BTreeMap::new()),
        };
        Ok(Chart {
            name,
            dir: dir.to_path_buf(),
            meta,
            values,
            values_text: values_text.map(|t| String::from_utf8_lossy(t).into()),
            ..Chart::default()
        })
    }

    /// Files the chart loader keeps: templates as text, every other file but the chart's own
    /// metadata and values as `.Files` content.
    fn add_file(&mut self, rel: String, data: Vec<u8>) {
        if rel.starts_with("templates/") {
            self.templates
                .push((rel, String::from_utf8_lossy(&data).into_owned()));
        } else if !matches!(
            rel.as_str(),
            "Chart.yaml"
                | "values.yaml"
                | "values.schema.json"
                | "requirements.yaml"
                | "requirements.lock"
                | "Chart.lock"
        ) {
            self.files.insert(rel, data);
        }
    }
}

/// One rendered template.
#[derive(Clone, Debug)]
pub struct Rendered {
    /// Helm's name: `chart/templates/x.yaml`, `chart/charts/sub/templates/x.yaml`.
    pub name: String,
    /// The template's file on disk.
    pub path: PathBuf,
    /// The template's text.
    pub source: std::sync::Arc<str>,
    /// The output; `None` when the template failed (see `error`).
    pub text: Option<String>,
    /// Output byte ranges and the template byte ranges (of this file) that wrote them.
    pub map: Vec<(std::ops::Range<usize>, std::ops::Range<usize>)>,
    /// Actions of this file that printed a value of the chart's values: (template offset of
    /// the action, values key path such as `serviceAccount.annotations`).
    pub values: Vec<(usize, String)>,
    pub error: Option<RenderError>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct RenderError {
    /// Template name and 1-based line where evaluation stopped.
    pub template: String,
    pub line: u32,
    pub function: Option<String>,
    pub message: String,
}

impl std::fmt::Display for RenderError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}: ", self.template, self.line)?;
        if let Some(func) = &self.function {
            write!(f, "in `{func}`: ")?;
        }
        f.write_str(&self.message)
    }
}

/// A whole chart's rendering.
#[derive(Clone, Debug, Default)]
pub struct ChartRendering {
    pub templates: Vec<Rendered>,
    /// Problems that are not one template's (unreadable values, subcharts).
    pub warnings: Vec<String>,
    /// Dependencies `Chart.yaml` names that are not in `charts/` (not fetched): Helm refuses
    /// to render such a chart until `helm dependency build`.
    pub missing_dependencies: Vec<String>,
    /// Where each chart of the rendering takes its default values from, for the values
    /// source map.
    pub charts: Vec<ValuesSource>,
}

/// A chart of a rendering, for the values source map: its values' key path in the root's
/// values, its folder (or archive) and its `values.yaml` text.
#[derive(Clone, Debug, Default)]
pub struct ValuesSource {
    pub keys: Vec<String>,
    pub dir: PathBuf,
    pub text: Option<std::sync::Arc<str>>,
}

impl ChartRendering {
    pub fn get(&self, path: &Path) -> Option<&Rendered> {
        self.templates.iter().find(|r| r.path == path)
    }
}

fn read_limited(p: &Path) -> Option<Vec<u8>> {
    let md = std::fs::symlink_metadata(p).ok()?;
    if !md.is_file() || md.len() > MAX_FILE {
        return None;
    }
    std::fs::read(p).ok()
}

/// `.helmignore` patterns (shell globs on the path or on any name; `dir/` for directories).
struct Ignore {
    pats: Vec<(globset::GlobMatcher, bool, bool)>,
}

impl Ignore {
    fn load(dir: &Path) -> Ignore {
        let text = read_limited(&dir.join(".helmignore")).unwrap_or_default();
        Ignore::parse(&String::from_utf8_lossy(&text))
    }

    fn parse(text: &str) -> Ignore {
        let mut pats = Vec::new();
        for line in text.lines() {
            let l = line.trim();
            if l.is_empty() || l.starts_with('#') {
                continue;
            }
            let (neg, l) = match l.strip_prefix('!') {
                Some(r) => (true, r),
                None => (false, l),
            };
            let (dir_only, l) = match l.strip_suffix('/') {
                Some(r) => (true, r),
                None => (false, l),
            };
            let l = l.trim_start_matches("./").trim_start_matches('/');
            if let Ok(g) = globset::GlobBuilder::new(l).literal_separator(true).build() {
                pats.push((g.compile_matcher(), neg, dir_only));
            }
        }
        Ignore { pats }
    }

    fn ignored(&self, rel: &str, is_dir: bool) -> bool {
        let base = rel.rsplit('/').next().unwrap_or(rel);
        let mut out = false;
        for (g, neg, dir_only) in &self.pats {
            if *dir_only && !is_dir {
                continue;
            }
            if g.is_match(rel) || g.is_match(base) {
                out = !neg;
            }
        }
        out
    }
}

/// Read the chart in `dir` (with its subcharts under `charts/`).
pub fn load(dir: &Path) -> Result<Chart, String> {
    let mut budget = (MAX_FILES, MAX_BYTES);
    load_depth(dir, 0, &mut budget)
}

/// `budget`: the files and bytes the chart may still read.
fn load_depth(dir: &Path, depth: usize, budget: &mut (usize, u64)) -> Result<Chart, String> {
    let meta_text = read_limited(&dir.join("Chart.yaml"))
        .ok_or_else(|| format!("{}: no readable Chart.yaml", dir.display()))?;
    let values = read_limited(&dir.join("values.yaml"));
    let ignore = Ignore::load(dir);
    let mut chart = Chart::from_meta(dir, &meta_text, values.as_deref())?;
    let mut stack = vec![(dir.to_path_buf(), String::new())];
    while let Some((d, rel)) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        let mut entries: Vec<_> = rd.flatten().collect();
        entries.sort_by_key(|e| e.file_name());
        for e in entries {
            let fname = e.file_name().to_string_lossy().into_owned();
            let r = if rel.is_empty() {
                fname.clone()
            } else {
                format!("{rel}/{fname}")
            };
            let Ok(ft) = e.file_type() else { continue };
            if ft.is_symlink() {
                continue;
            }
            if ft.is_dir() {
                if ignore.ignored(&r, true) {
                    continue;
                }
                if r == "charts" {
                    if depth < MAX_CHART_DEPTH {
                        let Ok(sub) = std::fs::read_dir(e.path()) else {
                            continue;
                        };
                        let mut subs: Vec<_> = sub.flatten().collect();
                        subs.sort_by_key(|e| e.file_name());
                        for s in subs {
                            let Ok(t) = s.file_type() else { continue };
                            let sname = s.file_name().to_string_lossy().into_owned();
                            if sname.starts_with(['.', '_']) {
                                continue;
                            }
                            if t.is_dir()
                                && s.path().join("Chart.yaml").is_file()
                                && let Ok(c) = load_depth(&s.path(), depth + 1, budget)
                            {
                                chart.subcharts.push(c);
                            } else if t.is_file()
                                && sname.ends_with(".tgz")
                                && let Some(data) = read_limited(&s.path())
                                && let Ok(c) = load_archive(&s.path(), &data, depth + 1, budget)
                            {
                                chart.subcharts.push(c);
                            }
                        }
                    }
                    continue;
                }
                stack.push((e.path(), r));
                continue;
            }
            if ignore.ignored(&r, false) {
                continue;
            }
            if budget.0 == 0 {
                return Err(format!("{}: more than {MAX_FILES} files", dir.display()));
            }
            budget.0 -= 1;
            let Some(data) = read_limited(&e.path()) else {
                continue;
            };
            if data.len() as u64 > budget.1 {
                return Err(format!(
                    "{}: more than {} MiB of files",
                    dir.display(),
                    MAX_BYTES >> 20
                ));
            }
            budget.1 -= data.len() as u64;
            chart.add_file(r, data);
        }
    }
    Ok(chart)
}

/// A chart packed as a `.tgz` (at `path`, a subchart in `charts/`): read in memory within the
/// chart's file and byte budget (see [`archive`]).
fn load_archive(
    path: &Path,
    data: &[u8],
    depth: usize,
    budget: &mut (usize, u64),
) -> Result<Chart, String> {
    let files = archive::read_tgz(data, budget.1, budget.0, MAX_FILE)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    budget.0 = budget.0.saturating_sub(files.len());
    let size: u64 = files.iter().map(|(_, d)| d.len() as u64).sum();
    budget.1 = budget.1.saturating_sub(size);
    chart_from_files(path, files, depth, budget)
}

/// A chart from its files in memory (paths relative to the chart): `Chart.yaml`,
/// `values.yaml`, `.helmignore`, templates, other files, subcharts (folders or `.tgz`) in
/// `charts/`.
fn chart_from_files(
    dir: &Path,
    files: Vec<(String, Vec<u8>)>,
    depth: usize,
    budget: &mut (usize, u64),
) -> Result<Chart, String> {
    let get = |name: &str| files.iter().find(|(p, _)| p == name).map(|(_, d)| d);
    let meta_text = get("Chart.yaml").ok_or_else(|| format!("{}: no Chart.yaml", dir.display()))?;
    let ignore = Ignore::parse(&String::from_utf8_lossy(
        get(".helmignore").map_or(&[][..], |d| d.as_slice()),
    ));
    let mut chart = Chart::from_meta(dir, meta_text, get("values.yaml").map(|d| d.as_slice()))?;
    let mut subdirs: BTreeMap<String, Vec<(String, Vec<u8>)>> = BTreeMap::new();
    let mut files = files;
    files.sort_by(|a, b| a.0.cmp(&b.0));
    for (r, data) in files {
        let ignored = ignore.ignored(&r, false)
            || r.match_indices('/')
                .any(|(i, _)| ignore.ignored(&r[..i], true));
        if ignored {
            continue;
        }
        if let Some(sub) = r.strip_prefix("charts/") {
            if depth >= MAX_CHART_DEPTH || sub.starts_with(['.', '_']) {
                continue;
            }
            match sub.split_once('/') {
                Some((d, rest)) => subdirs
                    .entry(d.to_string())
                    .or_default()
                    .push((rest.to_string(), data)),
                None if sub.ends_with(".tgz") => {
                    if let Ok(c) = load_archive(&dir.join(&r), &data, depth + 1, budget) {
                        chart.subcharts.push(c);
                    }
                }
                None => {}
            }
            continue;
        }
        chart.add_file(r, data);
    }
    for (d, sub) in subdirs {
        if let Ok(c) = chart_from_files(&dir.join("charts").join(&d), sub, depth + 1, budget) {
            chart.subcharts.push(c);
        }
    }
    Ok(chart)
}

/// Helm's `coalesce`: `over` wins, `base` fills in; `null` in `over` removes a key.
pub(crate) fn coalesce(over: &Value, base: &Value) -> Value {
    match (over, base) {
        (Value::Map(o), Value::Map(b)) => {
            let mut out: BTreeMap<String, Value> = BTreeMap::new();
            let o = o.borrow();
            for (k, bv) in b.borrow().iter() {
                match o.get(k) {
                    None => {
                        out.insert(k.clone(), bv.deep_copy());
                    }
                    Some(Value::Nil) => {}
                    Some(ov) => {
                        out.insert(k.clone(), coalesce(ov, bv));
                    }
                }
            }
            for (k, ov) in o.iter() {
                if !b.borrow().contains_key(k) && !matches!(ov, Value::Nil) {
                    out.insert(k.clone(), ov.deep_copy());
                }
            }
            new_map(out)
        }
        (Value::Nil, b) => b.deep_copy(),
        (o, _) => o.deep_copy(),
    }
}

/// Dependency entries of Chart.yaml: (name, alias, condition, tags).
type Dependency = (String, Option<String>, Option<String>, Vec<String>);

fn dependencies(meta: &Value) -> Vec<Dependency> {
    let Some(Value::List(deps)) = meta.get("dependencies") else {
        return Vec::new();
    };
    deps.iter()
        .map(|d| {
            let g = |k: &str| {
                d.get(k)
                    .map(|v| funcs::strval(&v))
                    .filter(|s| !s.is_empty())
            };
            let tags = match d.get("tags") {
                Some(Value::List(t)) => t.iter().map(funcs::strval).collect(),
                _ => Vec::new(),
            };
            (
                g("name").unwrap_or_default(),
                g("alias"),
                g("condition"),
                tags,
            )
        })
        .collect()
}

fn lookup_path(v: &Value, path: &str) -> Option<Value> {
    let mut cur = v.clone();
    for p in path.split('.') {
        cur = cur.get(p)?;
    }
    Some(cur)
}

/// One chart of the rendering tree with its computed values.
struct Scoped<'a> {
    chart: &'a Chart,
    /// Indices (in the scoped list) of the enabled direct subcharts.
    children: Vec<usize>,
    /// `parent/charts/sub` name prefix.
    prefix: String,
    /// Key path of its values in the root chart's (`[]` for the root, `["agent"]`).
    keys: Vec<String>,
    values: Value,
    is_root: bool,
}

/// `missing`: dependencies of `Chart.yaml` files with no chart in `charts/`.
#[allow(clippy::too_many_arguments)]
fn scope<'a>(
    chart: &'a Chart,
    prefix: String,
    keys: Vec<String>,
    values: Value,
    is_root: bool,
    out: &mut Vec<Scoped<'a>>,
    missing: &mut Vec<String>,
    depth: usize,
) {
    let deps = dependencies(&chart.meta);
    let globals = values
        .get("global")
        .unwrap_or_else(|| new_map(BTreeMap::new()));
    let mut children = Vec::new();
    for d in &deps {
        if !chart.subcharts.iter().any(|s| s.name == d.0) {
            missing.push(d.0.clone());
        }
    }
    for sub in &chart.subcharts {
        // The dependency entry for this subchart (by name; an alias renames its values key).
        let dep = deps.iter().find(|d| d.0 == sub.name);
        let key = dep
            .and_then(|d| d.1.clone())
            .unwrap_or_else(|| sub.name.clone());
        if let Some((_, _, cond, tags)) = dep {
            let mut enabled = true;
            let mut decided = false;
            if let Some(c) = cond {
                for p in c.split(',') {
                    if let Some(Value::Bool(b)) = lookup_path(&values, p.trim()) {
                        enabled = b;
                        decided = true;
                        break;
                    }
                }
            }
            if !decided && !tags.is_empty() {
                let tv: Vec<bool> = tags
                    .iter()
                    .filter_map(|t| match lookup_path(&values, &format!("tags.{t}")) {
                        Some(Value::Bool(b)) => Some(b),
                        _ => None,
                    })
                    .collect();
                if !tv.is_empty() {
                    enabled = tv.iter().any(|b| *b);
                }
            }
            if !enabled {
                continue;
            }
        }
        let given = values.get(&key).unwrap_or(Value::Nil);
        let sv = coalesce(&given, &sub.values);
        // Globals: the parent's win over the subchart's own.
        let sub_globals = sv.get("global").unwrap_or(Value::Nil);
        let g = coalesce(&globals, &sub_globals);
        if let Value::Map(m) = &sv {
            m.borrow_mut().insert("global".into(), g);
        }
        if depth < MAX_CHART_DEPTH {
            let mut sub_keys = keys.clone();
            sub_keys.push(key.clone());
            scope(
                sub,
                format!("{prefix}/charts/{}", sub.name),
                sub_keys,
                sv,
                false,
                out,
                missing,
                depth + 1,
            );
            children.push(out.len() - 1);
        }
    }
    out.push(Scoped {
        chart,
        children,
        prefix,
        keys,
        values,
        is_root,
    });
}

fn chart_object(meta: &Value, is_root: bool) -> Value {
    let mut m = BTreeMap::new();
    if let Value::Map(src) = meta {
        for (k, v) in src.borrow().iter() {
            let key = match k.as_str() {
                "apiVersion" => "APIVersion".to_string(),
                k => {
                    let mut c = k.chars();
                    c.next()
                        .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                        .unwrap_or_default()
                }
            };
            m.insert(key, v.clone());
        }
    }
    m.insert("IsRoot".into(), Value::Bool(is_root));
    new_map(m)
}

fn line_of(text: &str, offset: usize) -> u32 {
    let end = crate::lang::floor_boundary(text, offset);
    1 + memchr::memchr_iter(b'\n', &text.as_bytes()[..end]).count() as u32
}

/// Render a loaded chart.
pub fn render(chart: &Chart, opts: &Options) -> ChartRendering {
    let mut result = ChartRendering::default();
    let top_values = match &opts.values {
        Some(v) => coalesce(v, &chart.values),
        None => chart.values.deep_copy(),
    };
    if let Value::Map(m) = &top_values
        && !m.borrow().contains_key("global")
    {
        m.borrow_mut()
            .insert("global".into(), new_map(BTreeMap::new()));
    }
    let mut scoped = Vec::new();
    scope(
        chart,
        chart.name.clone(),
        Vec::new(),
        top_values,
        true,
        &mut scoped,
        &mut result.missing_dependencies,
        0,
    );

    // Every template of every chart, in Helm's order: deeper paths first, then by name
    // descending (so a parent's definitions win over its subcharts').
    let mut all: Vec<(String, usize, usize)> = Vec::new();
    for (si, s) in scoped.iter().enumerate() {
        for (ti, (rel, _)) in s.chart.templates.iter().enumerate() {
            all.push((format!("{}/{rel}", s.prefix), si, ti));
        }
    }
    all.sort_by(|a, b| {
        let (ca, cb) = (a.0.matches('/').count(), b.0.matches('/').count());
        cb.cmp(&ca).then_with(|| b.0.cmp(&a.0))
    });

    let mut set = Set::default();
    let mut bodies: Vec<(String, usize, usize, Result<Body, RenderError>)> = Vec::new();
    for (name, si, ti) in &all {
        let text = &scoped[*si].chart.templates[*ti].1;
        let file = set.add_file(name.clone(), Rc::from(text.as_str()));
        match template::parse(text) {
            Ok(p) => {
                let body = Rc::new(p.body);
                // Every file is also a template named by its path (`include (print
                // $.Template.BasePath "/configmap.yaml") .`).
                set.defines.insert(
                    name.clone(),
                    Body {
                        file,
                        items: body.clone(),
                    },
                );
                for (n, items) in p.defines {
                    set.defines.insert(
                        n,
                        Body {
                            file,
                            items: Rc::new(items),
                        },
                    );
                }
                bodies.push((name.clone(), *si, *ti, Ok(Body { file, items: body })));
            }
            Err(e) => bodies.push((
                name.clone(),
                *si,
                *ti,
                Err(RenderError {
                    template: name.clone(),
                    line: line_of(text, e.offset),
                    function: None,
                    message: format!("parse error: {}", e.message),
                }),
            )),
        }
    }

    let caps = {
        let mut kv = BTreeMap::new();
        let v = opts.kube_version.clone();
        let bare = v.trim_start_matches('v');
        let mut parts = bare.split('.');
        kv.insert("Version".into(), Value::from(v.as_str()));
        kv.insert("GitVersion".into(), Value::from(v.as_str()));
        kv.insert("Major".into(), Value::from(parts.next().unwrap_or("1")));
        kv.insert("Minor".into(), Value::from(parts.next().unwrap_or("0")));
        let mut hv = BTreeMap::new();
        hv.insert("Version".into(), Value::from("v4.2"));
        let mut c = BTreeMap::new();
        c.insert("KubeVersion".into(), new_map(kv));
        c.insert(
            "APIVersions".into(),
            Value::ApiVersions(Rc::new(opts.api_versions.clone())),
        );
        c.insert("HelmVersion".into(), new_map(hv));
        new_map(c)
    };
    let release = {
        let mut r = BTreeMap::new();
        r.insert("Name".into(), Value::from(opts.release_name.as_str()));
        r.insert("Namespace".into(), Value::from(opts.namespace.as_str()));
        r.insert("IsInstall".into(), Value::Bool(true));
        r.insert("IsUpgrade".into(), Value::Bool(false));
        r.insert("Revision".into(), Value::Int(1));
        r.insert("Service".into(), Value::from("Helm"));
        new_map(r)
    };
    let chart_objs: Vec<Value> = scoped
        .iter()
        .map(|s| chart_object(&s.chart.meta, s.is_root))
        .collect();
    let files_objs: Vec<Value> = scoped
        .iter()
        .map(|s| Value::Files(Rc::new(s.chart.files.clone())))
        .collect();

    // The top-level object of each chart (children come before their parents).
    let mut bases: Vec<Value> = Vec::with_capacity(scoped.len());
    for (si, s) in scoped.iter().enumerate() {
        let mut top = BTreeMap::new();
        top.insert("Values".into(), s.values.clone());
        top.insert("Release".into(), release.clone());
        top.insert("Chart".into(), chart_objs[si].clone());
        top.insert("Capabilities".into(), caps.clone());
        top.insert("Files".into(), files_objs[si].clone());
        let subs: BTreeMap<String, Value> = s
            .children
            .iter()
            .map(|&c| (scoped[c].chart.name.clone(), bases[c].clone()))
            .collect();
        top.insert("Subcharts".into(), new_map(subs));
        bases.push(new_map(top));
    }

    // Every chart's values maps, for the values source map: a subchart's under its key path
    // in the root's values (`agent.rbac.create`), the root's first.
    let values_index = {
        let mut idx = exec::ValuesIndex::new();
        for s in scoped.iter().rev() {
            exec::index_values(&s.values, &s.keys.join("."), MAX_INDEXED_MAPS, &mut idx);
        }
        Rc::new(idx)
    };
    result.charts = scoped
        .iter()
        .map(|s| ValuesSource {
            keys: s.keys.clone(),
            dir: s.chart.dir.clone(),
            text: s.chart.values_text.clone(),
        })
        .collect();

    // Render in Helm's order; the output list is sorted by name at the end.
    for (name, si, ti, body) in bodies {
        let rel = &scoped[si].chart.templates[ti].0;
        let base = rel.rsplit('/').next().unwrap_or(rel);
        if base.starts_with('_') {
            continue;
        }
        // Subcharts' NOTES.txt are not rendered.
        if rel == "templates/NOTES.txt" && !scoped[si].is_root {
            continue;
        }
        let path = scoped[si].chart.dir.join(rel);
        let source: std::sync::Arc<str> =
            std::sync::Arc::from(scoped[si].chart.templates[ti].1.as_str());
        let body = match body {
            Ok(b) => b,
            Err(e) => {
                result.templates.push(Rendered {
                    name,
                    path,
                    source,
                    text: None,
                    map: Vec::new(),
                    values: Vec::new(),
                    error: Some(e),
                });
                continue;
            }
        };
        let mut t = BTreeMap::new();
        t.insert("Name".into(), Value::from(name.as_str()));
        t.insert(
            "BasePath".into(),
            Value::from(format!("{}/templates", scoped[si].prefix)),
        );
        let top = match &bases[si] {
            Value::Map(m) => m.borrow().clone(),
            _ => BTreeMap::new(),
        };
        let mut top = top;
        top.insert("Template".into(), new_map(t));
        let dot = new_map(top);
        let mut out = Out::new(true);
        let mut ex = Exec::new(&mut set);
        ex.values = values_index.clone();
        let file = body.file;
        let r = crate::guard::catch(|| ex.run(&body, &dot, &mut out));
        let error = match r {
            Ok(Ok(())) => None,
            Ok(Err(e)) => {
                let (tname, ttext) = set.files[e.file].clone();
                Some(RenderError {
                    template: tname,
                    line: line_of(&ttext, e.offset),
                    function: e.function,
                    message: e.message,
                })
            }
            Err(p) => Some(RenderError {
                template: name.clone(),
                line: 1,
                function: None,
                message: p.message("while rendering this template"),
            }),
        };
        let map: Vec<_> = out
            .map
            .take()
            .unwrap_or_default()
            .into_iter()
            .filter(|s: &Seg| s.file == file)
            .map(|s| (s.out, s.src))
            .collect();
        result.templates.push(Rendered {
            name,
            path,
            source,
            text: if error.is_none() {
                Some(out.text)
            } else {
                None
            },
            map,
            values: out
                .values
                .iter()
                .map(|(at, k)| (*at, k.to_string()))
                .collect(),
            error,
        });
    }
    result.templates.sort_by(|a, b| a.name.cmp(&b.name));
    result
}

/// Load and render the chart in `dir`.
pub fn render_dir(dir: &Path, opts: &Options) -> Result<ChartRendering, String> {
    let chart = load(dir)?;
    Ok(render(&chart, opts))
}

impl Rendered {
    /// The template byte offset that produced output byte `out` (the start of the action for
    /// computed text).
    pub fn source_offset(&self, out: usize) -> Option<usize> {
        let i = self.map.partition_point(|(o, _)| o.end <= out);
        let (o, s) = self.map.get(i)?;
        if out < o.start {
            return None;
        }
        // Literal text maps byte for byte; an action's output maps to the action.
        if o.len() == s.len() {
            Some(s.start + (out - o.start))
        } else {
            Some(s.start)
        }
    }
}

#[cfg(test)]
mod tests;
