//! The renderer in a scan: each chart is rendered once (on first use of one of its templates),
//! and a template file is analysed as its rendered YAML with every span mapped back to the
//! template line that produced it. A template that cannot be rendered keeps today's masking,
//! with a warning naming the template, line and function.

use super::{ChartRendering, Options, Rendered};
use crate::context::FileUnit;
use crate::finding::{Finding, Related, ScanError};
use crate::lang::{Document, Node, ParseError, V};
use crate::source::SourceFile;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

/// What the extra renderings start from: the scan's config, renderings, template files on disk
/// (by scan path) and units.
pub struct Scan<'a> {
    pub config: &'a crate::config::Config,
    pub cache: &'a Cache,
    pub abs: &'a HashMap<String, PathBuf>,
    pub units: &'a [FileUnit],
}

/// Key paths of a rendering's values and where each is set (values file, line).
type ValueLines = HashMap<String, (String, u32)>;

/// A file read through a rendering: its findings, errors and unit.
pub type Analysed = (Vec<Finding>, Vec<ScanError>, FileUnit);

/// Stack of the thread a chart renders on.
pub const RENDER_STACK: usize = 256 << 20;

type Slot = Arc<OnceLock<Option<Arc<ChartRendering>>>>;

pub use crate::config::HelmRendering as Variant;

/// The render options of rendering `v` of the chart in `dir` (its values files read).
fn options(v: &Variant, dir: &Path) -> Result<Options, String> {
    let mut values: Option<super::Value> = None;
    for f in &v.values {
        let text = std::fs::read(dir.join(f)).map_err(|e| format!("{f}: {e}"))?;
        let x = super::value::parse_yaml(&String::from_utf8_lossy(&text))
            .map_err(|e| format!("{f}: {e}"))?;
        values = Some(match values {
            Some(acc) => super::coalesce(&x, &acc),
            None => x,
        });
    }
    Ok(Options {
        release_name: v.release.clone(),
        namespace: v.namespace.clone(),
        values,
        ..Options::default()
    })
}

/// Whether `name` is a values file beside a chart that is rendered on its own:
/// `values-<x>.yaml` or `values.<x>.yaml` (`.yml` too), not `values.yaml` itself.
pub fn is_extra_values_file(name: &str) -> bool {
    let Some(stem) = name
        .strip_suffix(".yaml")
        .or_else(|| name.strip_suffix(".yml"))
    else {
        return false;
    };
    stem.strip_prefix("values-")
        .or_else(|| stem.strip_prefix("values."))
        .is_some_and(|x| !x.is_empty())
}

/// The renderings of the chart in `dir` (`rel`: its path relative to the config's folder): the
/// default one (configured release and namespace, if any) and the extra ones, from
/// `[[helm.charts]]` entries with values and from `values-*.yaml` / `values.*.yaml` beside
/// `Chart.yaml` that no entry names.
pub fn variants(config: &crate::config::Config, dir: &Path, rel: &str) -> (Variant, Vec<Variant>) {
    let norm = |p: &str| {
        let p = p.trim_start_matches("./").trim_end_matches('/');
        if p == "." { "" } else { p }.to_string()
    };
    let entries: Vec<&crate::config::HelmChart> = config
        .helm
        .charts
        .iter()
        .filter(|c| norm(&c.path) == norm(rel))
        .collect();
    let mut main = Variant::default();
    if let Some(e) = entries.iter().find(|e| e.values.is_empty()) {
        main.release = e.release.clone().unwrap_or(main.release);
        main.namespace = e.namespace.clone().unwrap_or(main.namespace);
    }
    let mut extra: Vec<Variant> = entries
        .iter()
        .filter(|e| !e.values.is_empty())
        .map(|e| Variant {
            values: e.values.iter().map(|v| norm(v)).collect(),
            release: e.release.clone().unwrap_or_else(|| main.release.clone()),
            namespace: e
                .namespace
                .clone()
                .unwrap_or_else(|| main.namespace.clone()),
        })
        .collect();
    let named: Vec<String> = extra.iter().flat_map(|v| v.values.clone()).collect();
    let mut beside: Vec<String> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
                .filter_map(|e| e.file_name().to_str().map(str::to_string))
                .filter(|n| is_extra_values_file(n) && !named.contains(n))
                .collect()
        })
        .unwrap_or_default();
    beside.sort();
    extra.extend(beside.into_iter().map(|f| Variant {
        values: vec![f],
        ..main.clone()
    }));
    (main, extra)
}

/// Renderings of the charts of one scan, by chart directory and rendering.
#[derive(Default)]
pub struct Cache {
    charts: Mutex<HashMap<(PathBuf, Variant), Slot>>,
}

impl Cache {
    /// Forget every rendering (a new scan reads the charts again).
    pub fn clear(&self) {
        if let Ok(mut m) = self.charts.lock() {
            m.clear();
        }
    }

    fn get(&self, dir: &Path, variant: &Variant) -> Option<Arc<ChartRendering>> {
        let slot = {
            let mut m = self.charts.lock().ok()?;
            m.entry((dir.to_path_buf(), variant.clone()))
                .or_default()
                .clone()
        };
        slot.get_or_init(|| {
            // Its own thread with a large stack: templates nest (includes, branches, pipelines)
            // within budgets whose worst case is deeper than a worker thread's stack.
            let dir = dir.to_path_buf();
            let variant = variant.clone();
            std::thread::Builder::new()
                .name("helm-render".into())
                .stack_size(RENDER_STACK)
                .spawn(move || {
                    crate::guard::catch(|| {
                        let opts = options(&variant, &dir).ok()?;
                        super::render_dir(&dir, &opts).ok()
                    })
                    .ok()
                    .flatten()
                })
                .ok()?
                .join()
                .ok()
                .flatten()
                .map(Arc::new)
        })
        .clone()
    }
}

/// The chart directory of a template file: the parent of its nearest `templates` ancestor
/// that holds a `Chart.yaml`; a subchart's (`x/charts/sub`) is its parent chart's, which
/// renders it with the values the parent gives it.
/// A template packed in a `.tgz` subchart (`x/charts/sub-1.0.0.tgz/templates/a.yaml`, the
/// path its rendering gives it) belongs to the chart holding the archive.
pub fn chart_dir(abs: &Path) -> Option<PathBuf> {
    if let Some(archive) = abs
        .ancestors()
        .skip(1)
        .find(|a| a.extension().is_some_and(|e| e == "tgz") && a.is_file())
    {
        let charts = archive.parent()?;
        let c = charts.parent()?;
        return (charts.file_name()? == "charts" && c.join("Chart.yaml").is_file())
            .then(|| outermost_chart(c));
    }
    let mut p = abs.parent();
    while let Some(d) = p {
        if d.file_name().is_some_and(|n| n == "templates")
            && let Some(c) = d.parent()
            && c.join("Chart.yaml").is_file()
        {
            return Some(outermost_chart(c));
        }
        p = d.parent();
    }
    None
}

/// The chart that renders chart `c`: `c` itself, or the parent whose `charts/` holds it.
fn outermost_chart(c: &Path) -> PathBuf {
    let mut c = c.to_path_buf();
    while let Some(charts) = c.parent()
        && charts.file_name().is_some_and(|n| n == "charts")
        && let Some(parent) = charts.parent()
        && parent.join("Chart.yaml").is_file()
    {
        c = parent.to_path_buf();
    }
    c
}

/// Templates of subcharts packed as `charts/*.tgz`, read through their chart's default
/// rendering as files of their own at a logical path: the archive's scan path, then the path
/// inside it (`charts/cache-0.1.0.tgz/templates/pvc.yaml`). Findings and errors on these paths
/// are reported at the archive ([`Packed::relocate`]).
#[derive(Default)]
pub struct Packed {
    /// Scan paths of the archives read.
    archives: Vec<String>,
}

/// One packed template: logical scan path, path in its rendering, text.
pub type PackedTemplate = (String, PathBuf, Arc<str>);

impl Packed {
    /// The rendered templates of the archives `archives` (scan path, file on disk) that are
    /// subcharts of a chart on disk.
    pub fn find(
        config: &crate::config::Config,
        cache: &Cache,
        archives: &[(String, PathBuf)],
    ) -> (Packed, Vec<PackedTemplate>) {
        let mut packed = Packed::default();
        let mut out = Vec::new();
        for (rel, abs) in archives {
            packed.archives.push(rel.clone());
            let Some(dir) = chart_dir(&abs.join("templates/x")) else {
                continue;
            };
            let Some(chart_rel) = chart_rel(rel, abs, &dir) else {
                continue;
            };
            let (variant, _) = variants(config, &dir, config.config_relative(&chart_rel));
            let Some(rendering) = cache.get(&dir, &variant) else {
                continue;
            };
            for r in &rendering.templates {
                let Ok(tail) = r.path.strip_prefix(abs) else {
                    continue;
                };
                let Some(tail) = tail.to_str().map(|t| t.replace('\\', "/")) else {
                    continue;
                };
                if !(tail.ends_with(".yaml") || tail.ends_with(".yml")) {
                    continue;
                }
                out.push((format!("{rel}/{tail}"), r.path.clone(), r.source.clone()));
            }
        }
        (packed, out)
    }

    /// The archive holding logical path `path`, and the path inside it.
    fn split<'a>(&'a self, path: &'a str) -> Option<(&'a str, &'a str)> {
        self.archives.iter().find_map(|a| {
            let inner = path.strip_prefix(a.as_str())?.strip_prefix('/')?;
            Some((a.as_str(), inner))
        })
    }

    /// Findings on a packed template are reported at the archive (line 1: it has no lines of
    /// text), the template and its line named in the message; related locations likewise.
    pub fn relocate(&self, findings: &mut [Finding], errors: &mut [ScanError]) {
        if self.archives.is_empty() {
            return;
        }
        let at = |inner: &str, line: Option<u32>| {
            let line = line.map(|l| format!(":{l}")).unwrap_or_default();
            format!("(in {inner}{line} of this packed subchart)")
        };
        for f in findings.iter_mut() {
            if let Some((archive, inner)) = self.split(&f.path) {
                f.message = format!("{} {}", f.message, at(inner, Some(f.start_line)));
                f.path = archive.to_string();
                (f.start_line, f.start_column, f.end_line, f.end_column) = (1, 1, 1, 1);
            }
            for r in &mut f.related {
                if let Some((archive, inner)) = self.split(&r.path) {
                    r.message = format!("{} {}", r.message, at(inner, Some(r.start_line)));
                    r.path = archive.to_string();
                    r.start_line = 1;
                    (r.start_column, r.end_line, r.end_column) = (None, None, None);
                }
            }
        }
        for e in errors.iter_mut() {
            if let Some((archive, inner)) = self.split(&e.path) {
                e.message = format!("{} {}", e.message, at(inner, e.line));
                e.path = archive.to_string();
                e.line = None;
            }
        }
    }
}

/// The path of chart directory `dir` in the scan's terms, from a template's path `rel` (as the
/// scan names it) and `abs` (on disk, below `dir`).
pub fn chart_rel(rel: &str, abs: &Path, dir: &Path) -> Option<String> {
    let tail = abs.strip_prefix(dir).ok()?.to_str()?.replace('\\', "/");
    let head = rel.strip_suffix(tail.as_str())?;
    Some(head.trim_end_matches('/').to_string())
}

/// What a template file reads as.
pub enum Outcome {
    /// Rendered: the documents (spans in the template) and YAML errors of the output.
    Rendered(Vec<Document>, Vec<ParseError>),
    /// Not rendered: the reason (template, line, function) for a warning; mask instead.
    Failed(String),
    /// Not part of a chart this scan can render (or edited since): mask, no warning.
    NotRendered,
}

/// Read the template file `file` (on disk at `abs`) through its chart's rendering `variant`.
pub fn template(file: &SourceFile, abs: &Path, cache: &Cache, variant: &Variant) -> Outcome {
    let Some(dir) = chart_dir(abs) else {
        return Outcome::NotRendered;
    };
    let Some(rendering) = cache.get(&dir, variant) else {
        return Outcome::NotRendered;
    };
    let Some(r) = rendering.get(abs) else {
        return Outcome::NotRendered;
    };
    if *r.source != *file.text {
        return Outcome::NotRendered;
    }
    if let Some(e) = &r.error {
        return Outcome::Failed(failure(r, e, &rendering.missing_dependencies));
    }
    let Some(text) = &r.text else {
        return Outcome::NotRendered;
    };
    let p = crate::lang::yaml::parse(text);
    let mut docs = p.docs;
    for d in &mut docs {
        d.span = remap_span(r, &d.span);
        remap(&mut d.root, r, 0);
    }
    let errors = p
        .errors
        .into_iter()
        .map(|e| ParseError {
            offset: r.source_offset(e.offset).unwrap_or(0),
            message: format!(
                "{} (in the rendered template: its output is not YAML, which Helm refuses too)",
                e.message
            ),
        })
        .collect();
    Outcome::Rendered(docs, errors)
}

/// The warning for template `r` that failed with `e`, saying why where the cause is known
/// (Helm fails the same way on each of these).
fn failure(r: &Rendered, e: &super::RenderError, missing: &[String]) -> String {
    let mut out = format!("helm template not rendered, read with its actions masked instead: {e}");
    if e.template != r.name {
        out.push_str(" (reached from this template through include or template)");
    }
    if matches!(e.function.as_deref(), Some("required" | "fail")) {
        out.push_str(
            "; the chart refuses these values and Helm fails the same way (give the value in \
             a values file: `values` of `[[helm.charts]]` in nhilint.toml)",
        );
    }
    if !missing.is_empty() {
        out.push_str(&format!(
            "; dependencies of Chart.yaml not in charts/: {} (Helm refuses the chart until \
             `helm dependency build` fetches them)",
            missing.join(", ")
        ));
    }
    out
}

fn remap_span(r: &Rendered, s: &std::ops::Range<usize>) -> std::ops::Range<usize> {
    let start = r.source_offset(s.start).unwrap_or(0);
    let end = if s.end > s.start {
        r.source_offset(s.end - 1).map_or(start, |e| e + 1)
    } else {
        start
    };
    start..end.max(start)
}

fn remap(n: &mut Node, r: &Rendered, depth: usize) {
    n.span = remap_span(r, &n.span);
    if depth > 512 {
        return;
    }
    match &mut n.v {
        V::Seq(items) => items.iter_mut().for_each(|i| remap(i, r, depth + 1)),
        V::Map(es) => {
            for e in es {
                e.key_span = remap_span(r, &e.key_span);
                remap(&mut e.value, r, depth + 1);
            }
        }
        _ => {}
    }
}

/// One extra rendering of a chart (a `values-*.yaml` beside it, `[[helm.charts]] values`): the
/// chart's template files read through it, with their file findings.
pub struct Extra {
    /// The values files, as findings name them (`values-prod.yaml`).
    pub label: String,
    /// The rendering's last values file, by scan path (related locations point at it).
    pub values_path: String,
    pub units: Vec<FileUnit>,
    pub findings: Vec<Finding>,
}

/// The extra renderings of a scan's charts: each chart's templates read through each of its
/// extra renderings (each rendering its own deployment unit). `abs`: the template files of the
/// scan on disk, by scan path. `analyze` reads one file through a rendering (its findings,
/// errors and unit). Their facts join the scan's ([`crate::facts::Facts::merge_rendering`]);
/// their findings are reported by [`report_extra`].
pub fn extra_renderings(
    scan: Scan,
    analyze: impl Fn(&FileUnit, &Path, &Variant) -> Option<Analysed> + Sync,
    errors: &mut Vec<ScanError>,
) -> Vec<Extra> {
    let Scan {
        config,
        cache: _,
        abs,
        units,
    } = scan;
    use crate::source::FileKind;
    use rayon::prelude::*;
    // Templates by chart directory (subcharts with their parent).
    let mut charts: std::collections::BTreeMap<PathBuf, (String, Vec<usize>)> = Default::default();
    for (i, u) in units.iter().enumerate() {
        if u.file.kind != FileKind::HelmTemplate || u.file.path.ends_with(".tpl") {
            continue;
        }
        let Some(a) = abs.get(&u.file.path) else {
            continue;
        };
        let Some(dir) = chart_dir(a) else { continue };
        let Some(rel) = chart_rel(&u.file.path, a, &dir) else {
            continue;
        };
        charts
            .entry(dir)
            .or_insert_with(|| (rel, Vec::new()))
            .1
            .push(i);
    }
    let mut out = Vec::new();
    for (dir, (rel, members)) in charts {
        let (_, extra) = variants(config, &dir, config.config_relative(&rel));
        for variant in extra {
            let values_path = |f: &str| {
                if rel.is_empty() {
                    f.to_string()
                } else {
                    format!("{rel}/{f}")
                }
            };
            if let Err(e) = options(&variant, &dir) {
                errors.push(ScanError {
                    path: values_path(variant.values.first().map_or("", String::as_str)),
                    line: None,
                    message: format!("helm values file not read, chart not rendered with it: {e}"),
                });
                continue;
            }
            let outcomes: Vec<Analysed> = members
                .par_iter()
                .filter_map(|&i| {
                    let u = &units[i];
                    analyze(u, abs.get(&u.file.path)?, &variant)
                })
                .collect();
            let mut x = Extra {
                label: variant.label().unwrap_or_default(),
                values_path: values_path(variant.values.last().map_or("", String::as_str)),
                units: Vec::new(),
                findings: Vec::new(),
            };
            for (f, e, u) in outcomes {
                x.findings.extend(f);
                errors.extend(e);
                x.units.push(u);
            }
            out.push(x);
        }
    }
    out
}

/// The findings of the extra renderings `extras`: file findings, and project rules run over
/// each rendering's files alone (`project`). A finding the scan already has (same rule, same
/// template spot) gains a related location naming the values file; one only an extra
/// rendering has is added, saying which values produced it.
///
/// A finding of the scan's project rules on a template spot where only objects of one extra
/// rendering are (`facts`: the scan's joined facts, an extra rendering's marked with the
/// attribute [`crate::facts::RENDERING`]), such as a trust path to a ServiceAccount only
/// `values-prod.yaml` annotates, says so like a finding of that rendering.
pub fn report_extra(
    cache: &Cache,
    abs: &HashMap<String, PathBuf>,
    extras: Vec<Extra>,
    facts: &crate::facts::Facts,
    project: impl Fn(&[FileUnit], &mut Vec<ScanError>) -> Vec<Finding>,
    raw: &mut Vec<Finding>,
    errors: &mut Vec<ScanError>,
) {
    label_extra_only(&extras, facts, raw);
    let mut index: HashMap<(String, String, usize, usize), usize> =
        raw.iter().enumerate().map(|(i, f)| (key(f), i)).collect();
    for x in extras {
        let Extra {
            label,
            values_path,
            units: xunits,
            findings: mut found,
        } = x;
        found.extend(project(&xunits, errors));
        let paths: std::collections::HashSet<&str> =
            xunits.iter().map(|u| u.file.path.as_str()).collect();
        let read_through: HashMap<String, (PathBuf, Arc<Variant>)> = xunits
            .iter()
            .filter_map(|u| {
                let r = u.rendering.clone()?;
                Some((u.file.path.clone(), (abs.get(&u.file.path)?.clone(), r)))
            })
            .collect();
        values_related(cache, &read_through, &mut found);
        let related = Related {
            path: values_path,
            start_line: 1,
            start_column: None,
            end_line: None,
            end_column: None,
            message: format!("also reported when the chart is rendered with {label}"),
        };
        for mut f in found {
            if !paths.contains(f.path.as_str()) {
                continue;
            }
            let k = key(&f);
            match index.get(&k) {
                Some(&i) => {
                    let kept = &mut raw[i];
                    if !kept.related.iter().any(|r| r.path == related.path) {
                        kept.related.push(related.clone());
                    }
                    kept.severity = kept.severity.max(f.severity);
                }
                None => {
                    f.message = format!("{} (rendered with {label})", f.message);
                    f.related.push(Related {
                        message: "the values this finding was rendered with".to_string(),
                        ..related.clone()
                    });
                    index.insert(k, raw.len());
                    raw.push(f);
                }
            }
        }
    }
}

/// See [`report_extra`]: findings in `raw` on template spots where every fact is one extra
/// rendering's get that rendering's suffix and values file.
fn label_extra_only(extras: &[Extra], facts: &crate::facts::Facts, raw: &mut [Finding]) {
    // (template path, label) → the rendering's values file.
    let mut values: HashMap<(&str, &str), &str> = HashMap::new();
    let mut paths: std::collections::HashSet<&str> = Default::default();
    for x in extras {
        for u in &x.units {
            values.insert(
                (u.file.path.as_str(), x.label.as_str()),
                x.values_path.as_str(),
            );
            paths.insert(u.file.path.as_str());
        }
    }
    if paths.is_empty() {
        return;
    }
    // Per template path: the spots of its facts and the rendering each came from.
    type Spots<'a> = Vec<(&'a std::ops::Range<usize>, Option<&'a str>)>;
    let mut at: HashMap<&str, Spots> = HashMap::new();
    for (loc, attrs) in facts.locations() {
        if paths.contains(loc.path.as_str()) {
            let label = attrs.get(crate::facts::RENDERING).and_then(|v| v.as_str());
            at.entry(loc.path.as_str())
                .or_default()
                .push((&loc.span, label));
        }
    }
    for f in raw.iter_mut() {
        let Some(spots) = at.get(f.path.as_str()) else {
            continue;
        };
        let end = f.span.end.max(f.span.start + 1);
        let mut labels = spots
            .iter()
            .filter(|(s, _)| s.start < end && f.span.start < s.end.max(s.start + 1))
            .map(|(_, l)| *l);
        let Some(Some(label)) = labels.next() else {
            continue;
        };
        if labels.any(|l| l != Some(label))
            || f.message.ends_with(&format!("(rendered with {label})"))
        {
            continue;
        }
        let Some(values_path) = values.get(&(f.path.as_str(), label)) else {
            continue;
        };
        f.message = format!("{} (rendered with {label})", f.message);
        f.related.push(Related {
            path: values_path.to_string(),
            start_line: 1,
            start_column: None,
            end_line: None,
            end_column: None,
            message: "the values this finding was rendered with".to_string(),
        });
    }
}

/// What makes two renderings' findings the same: rule and template spot.
fn key(f: &Finding) -> (String, String, usize, usize) {
    (f.rule_id.clone(), f.path.clone(), f.span.start, f.span.end)
}

/// Where each key path of a chart's values is set: (values file relative to the root chart,
/// line). A key of a later file wins over an earlier one's.
fn lines_of(text: &str, file: &str, out: &mut ValueLines) {
    let p = crate::lang::yaml::parse(text);
    let Some(doc) = p.docs.first() else { return };
    let mut todo: Vec<(&Node, String)> = vec![(&doc.root, String::new())];
    while let Some((n, path)) = todo.pop() {
        let V::Map(entries) = &n.v else { continue };
        for e in entries {
            let k = if path.is_empty() {
                e.key.clone()
            } else {
                format!("{path}.{}", e.key)
            };
            let line = text[..e.key_span.start.min(text.len())]
                .matches('\n')
                .count()
                + 1;
            out.insert(k.clone(), (file.to_string(), line as u32));
            if out.len() < 100_000 {
                todo.push((&e.value, k));
            }
        }
    }
}

/// Where the values of each chart of rendering `rendering` of the chart in `dir` are set: per
/// chart, its key path in the root's values and its lines (the root's `values.yaml` and the
/// rendering's values files; a subchart's own `values.yaml`, folder or archive).
fn value_lines(
    dir: &Path,
    v: &Variant,
    rendering: &ChartRendering,
) -> Vec<(Vec<String>, ValueLines)> {
    let mut out = Vec::new();
    for c in &rendering.charts {
        let mut lines = HashMap::new();
        if c.keys.is_empty() {
            let files = std::iter::once("values.yaml").chain(v.values.iter().map(String::as_str));
            for f in files {
                if let Ok(text) = std::fs::read_to_string(dir.join(f)) {
                    lines_of(&text, f, &mut lines);
                }
            }
        } else if let Some(text) = &c.text
            && let Ok(sub) = c.dir.strip_prefix(dir)
            && let Some(sub) = sub.to_str()
        {
            let f = format!("{}/values.yaml", sub.replace('\\', "/"));
            lines_of(text, &f, &mut lines);
        }
        out.push((c.keys.clone(), lines));
    }
    out.sort_by_key(|(k, _)| k.len());
    out
}

/// Where the value at key path `key` (in the root's values) is set: the root chart's values
/// files first (a parent overriding a subchart's default), then each subchart's own
/// `values.yaml` down to the one whose value it is; a subchart's `global` is the root's. The
/// exact key first, then the nearest written parent key inside the chart's block.
fn find_line<'a>(
    charts: &'a [(Vec<String>, ValueLines)],
    key: &str,
) -> Option<(String, &'a (String, u32))> {
    let comps: Vec<&str> = key.split('.').collect();
    // (chart, key there, fewest components a parent key may keep)
    let mut cands: Vec<(&ValueLines, Vec<&str>, usize)> = Vec::new();
    let owner = charts
        .iter()
        .filter(|(k, _)| comps.len() > k.len() && comps.iter().zip(k).all(|(a, b)| a == b))
        .map(|(k, _)| k.len())
        .max()
        .unwrap_or(0);
    let global = comps.get(owner) == Some(&"global") && owner > 0;
    for (k, lines) in charts {
        if k.len() > owner || !comps.iter().zip(k).all(|(a, b)| a == b) {
            continue;
        }
        if global {
            cands.push((lines, comps[owner..].to_vec(), 2));
        } else {
            cands.push((lines, comps[k.len()..].to_vec(), owner - k.len() + 1));
        }
    }
    for (lines, rest, _) in &cands {
        let k = rest.join(".");
        if let Some(l) = lines.get(&k) {
            return Some((k, l));
        }
    }
    for (lines, rest, least) in &cands {
        for n in (*least..rest.len()).rev() {
            let k = rest[..n].join(".");
            if let Some(l) = lines.get(&k) {
                return Some((k, l));
            }
        }
    }
    None
}

/// Findings on a computed part of a rendered template gain the values line that set what it
/// printed (`serviceAccount.annotations` in `values.yaml:12`; a subchart's value where the
/// parent overrides it, else in the subchart's `values.yaml`) as a related location. `files`:
/// the template files read through a rendering, by scan path, with their file on disk and the
/// rendering.
pub fn values_related(
    cache: &Cache,
    files: &HashMap<String, (PathBuf, Arc<Variant>)>,
    findings: &mut [Finding],
) {
    type Lines = Vec<(Vec<String>, ValueLines)>;
    let mut lines: HashMap<(PathBuf, Arc<Variant>), Lines> = HashMap::new();
    for f in findings.iter_mut() {
        let Some((abs, variant)) = files.get(&f.path) else {
            continue;
        };
        let Some(dir) = chart_dir(abs) else { continue };
        let Some(rendering) = cache.get(&dir, variant) else {
            continue;
        };
        let Some(r) = rendering.get(abs) else {
            continue;
        };
        let end = f.span.end.max(f.span.start + 1);
        let keys: Vec<&str> = r
            .values
            .iter()
            .filter(|(at, _)| (f.span.start..end).contains(at))
            .map(|(_, k)| k.as_str())
            .collect();
        if keys.is_empty() {
            continue;
        }
        let Some(rel) = chart_rel(&f.path, abs, &dir) else {
            continue;
        };
        let at = lines
            .entry((dir.clone(), variant.clone()))
            .or_insert_with(|| value_lines(&dir, variant, &rendering));
        for k in keys {
            let Some((key, (file, line))) = find_line(at, k) else {
                continue;
            };
            let path = if rel.is_empty() {
                file.clone()
            } else {
                format!("{rel}/{file}")
            };
            if f.related
                .iter()
                .any(|x| x.path == path && x.start_line == *line)
            {
                continue;
            }
            f.related.push(Related {
                path,
                start_line: *line,
                start_column: None,
                end_line: None,
                end_column: None,
                message: format!("`{key}` is set here"),
            });
            break;
        }
    }
}
