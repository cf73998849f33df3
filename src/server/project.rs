//! The background cross-file pass: the workspace's files (open buffers replace their disk
//! text) through the same scan as `nhilint check`, keeping only findings of project-scope rules
//! (per-file ones come from the file worker).

use super::convert::{Encoding, LineIndex, path_to_uri};
use super::diag;
use crate::engine::Engine;
use lsp_types::{Diagnostic, Uri};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

pub struct Overlay {
    pub uri: Uri,
    pub rel: String,
    pub text: Arc<String>,
    /// The document version of `text`.
    pub version: i32,
}

pub struct ProjectJob {
    pub ws: u64,
    pub generation: u64,
    /// Paths are relative to this (the repository's top level, else the folder).
    pub root: PathBuf,
    /// The workspace folder scanned.
    pub folder: PathBuf,
    pub engine: Arc<Engine>,
    pub overlays: Vec<Overlay>,
    pub enc: Encoding,
    pub docs: Arc<str>,
    pub max_files: usize,
}

pub struct ProjectResult {
    pub ws: u64,
    pub generation: u64,
    pub diags: HashMap<Uri, Vec<Diagnostic>>,
    /// The version of each open document whose buffer this pass analysed: its diagnostics
    /// describe that version only.
    pub versions: HashMap<Uri, i32>,
    pub log: Option<String>,
    pub elapsed: std::time::Duration,
}

pub fn run(job: ProjectJob) -> ProjectResult {
    let (ws, generation) = (job.ws, job.generation);
    let start = std::time::Instant::now();
    let versions = job
        .overlays
        .iter()
        .map(|o| (o.uri.clone(), o.version))
        .collect();
    // Only the panic's location is reported (guard::catch), never its message.
    let (diags, log) = crate::guard::catch(|| scan(&job)).unwrap_or_else(|p| {
        (
            HashMap::new(),
            Some(format!("nhilint: {}", p.message("in the cross-file pass"))),
        )
    });
    ProjectResult {
        ws,
        generation,
        diags,
        versions,
        log,
        elapsed: start.elapsed(),
    }
}

fn scan(job: &ProjectJob) -> (HashMap<Uri, Vec<Diagnostic>>, Option<String>) {
    let engine = &job.engine;
    let mut inputs = crate::walk::collect(
        &job.root,
        std::slice::from_ref(&job.folder),
        &engine.config,
        1,
    )
    .inputs;
    if inputs.len() > job.max_files {
        return (
            HashMap::new(),
            Some(format!(
                "nhilint: {} has {} files (more than {}); cross-file findings are not refreshed in the editor",
                job.folder.display(),
                inputs.len(),
                job.max_files
            )),
        );
    }
    let mut uris: HashMap<String, Uri> = HashMap::new();
    for o in &job.overlays {
        uris.insert(o.rel.clone(), o.uri.clone());
        match inputs.iter_mut().find(|i| i.rel == o.rel) {
            Some(i) => i.text = Some(o.text.to_string()),
            None if !o.rel.starts_with('/') && !o.rel.starts_with("..") => {
                inputs.push(crate::walk::Input {
                    abs: job.root.join(&o.rel),
                    rel: o.rel.clone(),
                    text: Some(o.text.to_string()),
                })
            }
            None => {}
        }
    }
    let report = engine.scan_files(&job.root, inputs, None);
    let mut out: HashMap<Uri, Vec<Diagnostic>> = HashMap::new();
    let mut indexes: HashMap<String, LineIndex> = HashMap::new();
    // Related locations: the text this pass analysed (open buffers included), else disk.
    let other = |p: &std::path::Path| {
        p.strip_prefix(&job.root)
            .ok()
            .and_then(|r| report.sources.get(&r.to_string_lossy().replace('\\', "/")))
            .map(|s| s.text.to_string())
            .or_else(|| super::read_other(p))
    };
    for f in &report.findings {
        let project = engine.rules.get(&f.rule_id).is_some_and(|r| r.is_project())
            || super::names_project_rule(f, engine);
        if !project {
            continue;
        }
        let Some(src) = report.sources.get(&f.path) else {
            continue;
        };
        let uri = match uris.get(&f.path) {
            Some(u) => u.clone(),
            None => match path_to_uri(&job.root.join(&f.path)) {
                Some(u) => u,
                None => continue,
            },
        };
        let index = indexes
            .entry(f.path.clone())
            .or_insert_with(|| LineIndex::new(&src.text));
        let view = diag::TextView {
            text: &src.text,
            index,
            enc: job.enc,
        };
        out.entry(uri)
            .or_default()
            .push(diag::to_diagnostic(f, &view, &job.root, &job.docs, &other));
    }
    (out, None)
}
