//! The renderer in a scan: each chart is rendered once (on first use of one of its templates),
//! and a template file is analysed as its rendered YAML with every span mapped back to the
//! template line that produced it. A template that cannot be rendered keeps today's masking,
//! with a warning naming the template, line and function.

use super::{ChartRendering, Options, Rendered};
use crate::lang::{Document, Node, ParseError, V};
use crate::source::SourceFile;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

/// Stack of the thread a chart renders on.
pub const RENDER_STACK: usize = 256 << 20;

type Slot = Arc<OnceLock<Option<Arc<ChartRendering>>>>;

/// Renderings of the charts of one scan, by chart directory.
#[derive(Default)]
pub struct Cache {
    charts: Mutex<HashMap<PathBuf, Slot>>,
}

impl Cache {
    /// Forget every rendering (a new scan reads the charts again).
    pub fn clear(&self) {
        if let Ok(mut m) = self.charts.lock() {
            m.clear();
        }
    }

    fn get(&self, dir: &Path) -> Option<Arc<ChartRendering>> {
        let slot = {
            let mut m = self.charts.lock().ok()?;
            m.entry(dir.to_path_buf()).or_default().clone()
        };
        slot.get_or_init(|| {
            // Its own thread with a large stack: templates nest (includes, branches, pipelines)
            // within budgets whose worst case is deeper than a worker thread's stack.
            let dir = dir.to_path_buf();
            std::thread::Builder::new()
                .name("helm-render".into())
                .stack_size(RENDER_STACK)
                .spawn(move || {
                    crate::guard::catch(|| super::render_dir(&dir, &Options::default()).ok())
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
/// that holds a `Chart.yaml`.
pub fn chart_dir(abs: &Path) -> Option<PathBuf> {
    let mut p = abs.parent();
    while let Some(d) = p {
        if d.file_name().is_some_and(|n| n == "templates")
            && let Some(c) = d.parent()
            && c.join("Chart.yaml").is_file()
        {
            return Some(c.to_path_buf());
        }
        p = d.parent();
    }
    None
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

/// Read the template file `file` (on disk at `abs`) through its chart's rendering.
pub fn template(file: &SourceFile, abs: &Path, cache: &Cache) -> Outcome {
    let Some(dir) = chart_dir(abs) else {
        return Outcome::NotRendered;
    };
    let Some(rendering) = cache.get(&dir) else {
        return Outcome::NotRendered;
    };
    let Some(r) = rendering.get(abs) else {
        return Outcome::NotRendered;
    };
    if *r.source != *file.text {
        return Outcome::NotRendered;
    }
    if let Some(e) = &r.error {
        return Outcome::Failed(format!(
            "helm template not rendered, read with its actions masked instead: {e}"
        ));
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
            message: format!("{} (in the rendered template)", e.message),
        })
        .collect();
    Outcome::Rendered(docs, errors)
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
